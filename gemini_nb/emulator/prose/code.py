"""Small, runnable, harmless Python snippets matched to what a prompt asks for.

Each snippet is plain standard-library code with no I/O beyond ``print``; its printed output
is computed here in ordinary Python (not by running the snippet) and shown next to the code.
"""

from __future__ import annotations

import builtins
import json
import keyword
import re
from collections import Counter
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


def _factorial(ctx: _Ctx) -> Snippet:
    code = '''def factorial(n: int) -> int:
    """Return n! (the product 1 * 2 * ... * n)."""
    if n < 0:
        raise ValueError("factorial is not defined for negative numbers")
    result = 1
    for k in range(2, n + 1):
        result *= k
    return result


print(f"5! = {factorial(5)}")'''
    return Snippet(
        "computes a factorial",
        code,
        "5! = 120",
        ("A simple loop avoids recursion limits.", "Negative inputs raise a clear error."),
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


def _palindrome(ctx: _Ctx) -> Snippet:
    code = '''def is_palindrome(text: str) -> bool:
    """Return True if text reads the same forwards and backwards."""
    letters = [ch.lower() for ch in text if ch.isalnum()]
    return letters == letters[::-1]


print(is_palindrome("A man, a plan, a canal: Panama"))
print(is_palindrome("Python"))'''
    return Snippet(
        "checks for palindromes",
        code,
        "True\nFalse",
        ("Punctuation, spaces and case are ignored.",),
    )


def _fizzbuzz(ctx: _Ctx) -> Snippet:
    lines = []
    for i in range(1, 16):
        lines.append(
            "FizzBuzz"
            if i % 15 == 0
            else "Fizz"
            if i % 3 == 0
            else "Buzz"
            if i % 5 == 0
            else str(i)
        )
    code = """for i in range(1, 16):
    if i % 15 == 0:
        print("FizzBuzz")
    elif i % 3 == 0:
        print("Fizz")
    elif i % 5 == 0:
        print("Buzz")
    else:
        print(i)"""
    return Snippet(
        "plays FizzBuzz from 1 to 15",
        code,
        "\n".join(lines),
        ("Checking 15 first handles numbers divisible by both 3 and 5.",),
    )


def _word_count(ctx: _Ctx) -> Snippet:
    text = ctx.sentence()
    counts = Counter(text.lower().split()).most_common(3)
    code = f'''from collections import Counter


def word_frequencies(text: str) -> list[tuple[str, int]]:
    """Return the three most common words in text."""
    return Counter(text.lower().split()).most_common(3)


print(word_frequencies({text!r}))'''
    return Snippet(
        "counts word frequencies",
        code,
        str(counts),
        ("`Counter` does the tallying; `most_common` sorts the result.",),
    )


def _temperature(ctx: _Ctx) -> Snippet:
    code = '''def celsius_to_fahrenheit(celsius: float) -> float:
    """Convert a temperature from Celsius to Fahrenheit."""
    return celsius * 9 / 5 + 32


for c in (0, 25, 100):
    print(f"{c}°C is {celsius_to_fahrenheit(c):.1f}°F")'''
    out = "\n".join(f"{c}°C is {c * 9 / 5 + 32:.1f}°F" for c in (0, 25, 100))
    return Snippet(
        "converts Celsius to Fahrenheit", code, out, ("The formula is °F = °C × 9/5 + 32.",)
    )


def _average(ctx: _Ctx) -> Snippet:
    values = [12, 18, 25, 31]
    code = f'''def average(values: list[float]) -> float:
    """Return the arithmetic mean of values."""
    if not values:
        raise ValueError("average() needs at least one value")
    return sum(values) / len(values)


print(f"Average: {{average({values!r}):.2f}}")'''
    return Snippet(
        "computes an average",
        code,
        f"Average: {sum(values) / len(values):.2f}",
        ("An empty list raises a clear error instead of dividing by zero.",),
    )


def _vowels(ctx: _Ctx) -> Snippet:
    word = ctx.word("encyclopedia")
    code = f'''def count_vowels(text: str) -> int:
    """Return how many vowels text contains."""
    return sum(1 for ch in text.lower() if ch in "aeiou")


print(count_vowels({word!r}))'''
    return Snippet("counts vowels", code, str(sum(1 for ch in word.lower() if ch in "aeiou")), ())


def _even(ctx: _Ctx) -> Snippet:
    code = '''def is_even(n: int) -> bool:
    """Return True if n is even."""
    return n % 2 == 0


print([n for n in range(1, 11) if is_even(n)])'''
    return Snippet("checks whether numbers are even", code, "[2, 4, 6, 8, 10]", ())


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


def _bank_account(ctx: _Ctx) -> Snippet:
    code = '''class BankAccount:
    """A minimal bank account with deposits, withdrawals and a balance."""

    def __init__(self, owner: str, balance: float = 0.0) -> None:
        self.owner = owner
        self.balance = balance

    def deposit(self, amount: float) -> None:
        if amount <= 0:
            raise ValueError("deposit must be positive")
        self.balance += amount

    def withdraw(self, amount: float) -> None:
        if amount > self.balance:
            raise ValueError("insufficient funds")
        self.balance -= amount


account = BankAccount("Ada", 100.0)
account.deposit(50.0)
account.withdraw(30.0)
print(f"{account.owner}: {account.balance:.2f}")'''
    return Snippet(
        "models a simple bank account",
        code,
        "Ada: 120.00",
        ("Invalid deposits and overdrafts raise a `ValueError`.",),
    )


def _dataclass(ctx: _Ctx) -> Snippet:
    cls = "".join(w.capitalize() for w in ctx.ident().split("_")) or "Item"
    name = next(
        (
            k
            for k in ctx.keywords
            if k.lower() not in ("python", "class", "code", "write", "dataclass")
        ),
        "example",
    )
    code = f"""from dataclasses import dataclass


@dataclass
class {cls}:
    name: str
    quantity: int = 1

    def describe(self) -> str:
        return f"{{self.quantity}} x {{self.name}}"


item = {cls}({name!r}, quantity=3)
print(item)
print(item.describe())"""
    out = f"{cls}(name={name!r}, quantity=3)\n3 x {name}"
    return Snippet(
        f"models a `{cls}` with a dataclass",
        code,
        out,
        ("`@dataclass` writes `__init__` and `__repr__` for you.",),
    )


def _greet(ctx: _Ctx) -> Snippet:
    who = ctx.user_name or "World"
    code = f'''def greet(name: str) -> str:
    """Return a friendly greeting."""
    return f"Hello, {{name}}!"


print(greet({who!r}))'''
    return Snippet("greets someone by name", code, f"Hello, {who}!", ())


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
    user_name: str | None

    def word(self, default: str) -> str:
        quoted = re.search(r"[\"“']([^\"”']{1,40})[\"”']", self.prompt)
        return quoted.group(1) if quoted else default

    def sentence(self) -> str:
        words = [k.lower() for k in self.keywords] or ["data", "code", "data"]
        return " ".join(words + words[:2])

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
    (r"factorial", _factorial),
    (r"\bprimes?\b", _primes),
    (r"fizz ?buzz", _fizzbuzz),
    (r"palindrom", _palindrome),
    (r"\brevers", _reverse),
    (r"\bsort", _sorting),
    (r"word (?:count|frequenc)|count(?:ing)? (?:the )?words|frequenc", _word_count),
    (r"celsius|fahrenheit|temperature", _temperature),
    (r"\baverage\b|\bmean\b", _average),
    (r"\bvowels?\b", _vowels),
    (r"\beven\b|\bodd\b", _even),
    (r"\bcsv\b|spreadsheet", _csv),
    (r"\bjson\b", _json),
    (r"bank|account|balance", _bank_account),
    (r"\bclass\b|dataclass|\bobject", _dataclass),
    (r"hello,? world|\bgreet", _greet),
)


def snippet_for(
    prompt: str, keywords: tuple[str, ...], topic: str, user_name: str | None
) -> Snippet:
    """The snippet that best fits the prompt (a topic-named helper when nothing specific fits)."""
    ctx = _Ctx(prompt, keywords, topic, user_name)
    low = prompt.lower()
    for pattern, build in _MATCHERS:
        if re.search(pattern, low):
            return build(ctx)
    return _generic(ctx)
