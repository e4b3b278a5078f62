"""Small, runnable, harmless Python snippets matched to what a prompt asks for.

Each snippet is plain standard-library code with no I/O beyond ``print``; its printed output
is computed here in ordinary Python (not by running the snippet) and shown next to the code.
"""

from __future__ import annotations

import builtins
import json
import keyword
import re
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Snippet", "snippet_for"]


@dataclass(frozen=True)
class Snippet:
    does: str  # completes "Here's a small Python function that ..."
    code: str
    output: str
    notes: tuple[str, ...]


def _fibonacci(ctx: _Ctx) -> Snippet:
    seq = [0, 1]
    while len(seq) < 10:
        seq.append(seq[-1] + seq[-2])
    code = '''def fibonacci(n: int) -> list[int]:
    """Return the first n Fibonacci numbers."""
    sequence = [0, 1]
    while len(sequence) < n:
        sequence.append(sequence[-1] + sequence[-2])
    return sequence[:n]


print(fibonacci(10))'''
    return Snippet(
        "returns the first *n* Fibonacci numbers",
        code,
        str(seq),
        (
            "Each number is the sum of the two before it.",
            "Building the list iteratively keeps it fast, even for large *n*.",
        ),
    )


def _primes(ctx: _Ctx) -> Snippet:
    primes = [n for n in range(2, 30) if all(n % d for d in range(2, int(n**0.5) + 1))]
    code = '''def is_prime(n: int) -> bool:
    """Return True if n is a prime number."""
    if n < 2:
        return False
    for divisor in range(2, int(n**0.5) + 1):
        if n % divisor == 0:
            return False
    return True


print([n for n in range(2, 30) if is_prime(n)])'''
    return Snippet(
        "checks whether a number is prime",
        code,
        str(primes),
        ("Only divisors up to the square root need checking.",),
    )


def _sorting(ctx: _Ctx) -> Snippet:
    code = '''def insertion_sort(values: list[int]) -> list[int]:
    """Return a sorted copy of values using insertion sort."""
    result = list(values)
    for i in range(1, len(result)):
        current = result[i]
        j = i - 1
        while j >= 0 and result[j] > current:
            result[j + 1] = result[j]
            j -= 1
        result[j + 1] = current
    return result


print(insertion_sort([5, 2, 9, 1, 7]))'''
    return Snippet(
        "sorts a list with insertion sort",
        code,
        "[1, 2, 5, 7, 9]",
        (
            "It works on a copy, so the input list is left untouched.",
            "For everyday code, the built-in `sorted()` is the better choice.",
        ),
    )


def _reverse(ctx: _Ctx) -> Snippet:
    word = ctx.word("hello, world")
    code = f'''def reverse_text(text: str) -> str:
    """Return text with its characters in reverse order."""
    return text[::-1]


print(reverse_text({word!r}))'''
    return Snippet(
        "reverses a string",
        code,
        word[::-1],
        ("The slice `[::-1]` walks the string backwards in one step.",),
    )


def _csv(ctx: _Ctx) -> Snippet:
    code = '''import csv
import io

data = """name,score
Ada,91
Grace,88
Alan,95
"""

rows = list(csv.DictReader(io.StringIO(data)))
best = max(rows, key=lambda row: int(row["score"]))
print(f"{len(rows)} rows; top score: {best['name']} ({best['score']})")'''
    return Snippet(
        "reads CSV data",
        code,
        "3 rows; top score: Alan (95)",
        (
            "`csv.DictReader` turns each row into a dictionary keyed by the header.",
            "For a file on disk, pass `open('scores.csv', newline='')` instead of `io.StringIO`.",
        ),
    )


def _json(ctx: _Ctx) -> Snippet:
    record = {
        "topic": ctx.topic or "example",
        "keywords": list(ctx.keywords[:3]),
        "count": len(ctx.keywords[:3]),
    }
    code = f"""import json

record = {record!r}
print(json.dumps(record, indent=2))"""
    return Snippet(
        "builds and prints a JSON document",
        code,
        json.dumps(record, indent=2),
        ("`json.dumps` turns Python dictionaries and lists into JSON text.",),
    )


def _generic(ctx: _Ctx) -> Snippet:
    ident = ctx.ident()
    items = [k.lower() for k in ctx.keywords[:4]] or ["alpha", "beta", "gamma"]
    cleaned = sorted({i.strip().lower() for i in items if i.strip()})
    code = f'''def summarize_{ident}(items: list[str]) -> str:
    """Return the items as one tidy, de-duplicated, sorted line."""
    cleaned = sorted({{item.strip().lower() for item in items if item.strip()}})
    return ", ".join(cleaned)


{ident}_items = {items!r}
print(summarize_{ident}({ident}_items))'''
    return Snippet(
        "tidies up a list of keywords",
        code,
        ", ".join(cleaned),
        ("A set comprehension removes duplicates before sorting.",),
    )


@dataclass(frozen=True)
class _Ctx:
    prompt: str
    keywords: tuple[str, ...]
    topic: str

    def word(self, default: str) -> str:
        quoted = re.search(r"[\"“']([^\"”']{1,40})[\"”']", self.prompt)
        return quoted.group(1) if quoted else default

    def ident(self) -> str:
        code_words = (
            "python",
            "code",
            "function",
            "script",
            "snippet",
            "program",
            "write",
            "example",
            "class",
            "simple",
            "small",
        )
        useful = [k.lower() for k in self.keywords if k.lower() not in code_words]
        raw = "_".join(useful[:2])
        ident = re.sub(r"[^a-z0-9_]", "_", raw).strip("_")[:30] or "topic"
        if ident[0].isdigit() or keyword.iskeyword(ident) or hasattr(builtins, ident):
            ident = f"my_{ident}"
        return ident


_MATCHERS: tuple[tuple[str, Callable[[_Ctx], Snippet]], ...] = (
    (r"fibonacci", _fibonacci),
    (r"\bprimes?\b", _primes),
    (r"\brevers", _reverse),
    (r"\bsort", _sorting),
    (r"\bcsv\b|spreadsheet", _csv),
    (r"\bjson\b", _json),
)


def snippet_for(prompt: str, keywords: tuple[str, ...], topic: str) -> Snippet:
    """The snippet that best fits the prompt (a topic-named helper when nothing specific fits)."""
    ctx = _Ctx(prompt, keywords, topic)
    low = prompt.lower()
    for pattern, build in _MATCHERS:
        if re.search(pattern, low):
            return build(ctx)
    return _generic(ctx)
