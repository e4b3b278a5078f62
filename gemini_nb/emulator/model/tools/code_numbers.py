"""Number tasks of emulated code execution: primes, Fibonacci, factorials, divisors, sums and
statistics. Each task writes a program and computes, separately and within fixed limits, the
exact stdout that program prints."""

from __future__ import annotations

import math
import re
import statistics
from collections.abc import Callable
from typing import Any

from ..prompt import read_prompt
from .code_support import CodeTask

__all__ = ["NUMBER_TASKS", "listed_numbers", "normalised", "plural"]

_NUMBER_WORDS = {
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "fifty": 50,
    "hundred": 100,
}
# Words that ask for code even when no specific task is recognised.
_N = r"(\d{1,7})"
_IS_PRIME_BODY = (
    "def is_prime(n):\n"
    "    if n < 2:\n"
    "        return False\n"
    "    for divisor in range(2, math.isqrt(n) + 1):\n"
    "        if n % divisor == 0:\n"
    "            return False\n"
    "    return True\n"
)


# --- reference calculations (independent of the generated programs) ----------------------


def _primes_below(limit: int) -> list[int]:
    if limit < 3:
        return []
    sieve = bytearray([1]) * limit
    sieve[0:2] = b"\x00\x00"
    for n in range(2, math.isqrt(limit - 1) + 1):
        if sieve[n]:
            sieve[n * n :: n] = bytearray(len(range(n * n, limit, n)))
    return [n for n in range(limit) if sieve[n]]


def _first_primes(count: int) -> list[int]:
    bound = 16
    while True:
        primes = _primes_below(bound)
        if len(primes) >= count:
            return primes[:count]
        bound *= 2


def _is_prime(n: int) -> bool:
    if n < 2:
        return False
    return all(n % d for d in range(2, math.isqrt(n) + 1))


def _fibonacci(count: int) -> list[int]:
    seq = [0, 1]
    while len(seq) < count:
        seq.append(seq[-1] + seq[-2])
    return seq[:count]


def plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def normalised(text: str) -> str:
    lowered = text.lower().replace(",000", "000")
    for word, value in _NUMBER_WORDS.items():
        lowered = re.sub(rf"\b{word}\b", str(value), lowered)
    return lowered


# --- task kinds -----------------------------------------------------------------------------


def _primes_task(text: str, low: str) -> CodeTask | None:
    if "prime" not in low:
        return None
    if m := re.search(rf"\bis\s+{_N}\s+(?:a\s+)?prime", low):
        n = int(m.group(1))
        answer = _is_prime(n)
        code = f'import math\n\n\n{_IS_PRIME_BODY}\n\nnumber = {n}\nprint(f"Is {{number}} prime? {{is_prime(number)}}")\n'
        verdict = "is" if answer else "is not"
        return CodeTask(
            f"I'll check whether {n} is prime by trial division.",
            code,
            f"Is {n} prime? {answer}\n",
            f"{n} {verdict} a prime number.",
        )
    if m := re.search(rf"\b{_N}(?:st|nd|rd|th)\s+prime", low):
        n = int(m.group(1))
        if not 1 <= n <= 5000:
            return None
        value = _first_primes(n)[-1]
        code = (
            f"import math\n\n\n{_IS_PRIME_BODY}\n\ncount = 0\ncandidate = 1\nwhile count < {n}:\n"
            "    candidate += 1\n    if is_prime(candidate):\n        count += 1\n\n"
            f'print(f"Prime number {{count}} is {{candidate}}")\n'
        )
        return CodeTask(
            f"I'll find the {n}th prime number with a short search.",
            code,
            f"Prime number {n} is {value}\n",
            f"The {n}th prime number is {value}.",
        )
    if m := re.search(
        rf"\bprimes?\s+(?:numbers?\s+)?(below|under|less than|smaller than|up to|upto|through|not exceeding|to)\s+{_N}",
        low,
    ):
        inclusive = m.group(1) in ("up to", "upto", "through", "not exceeding", "to")
        limit = int(m.group(2)) + (1 if inclusive else 0)
        if not 2 <= limit <= 100_001:
            return None
        primes = _primes_below(limit)
        shown = "primes" if len(primes) <= 60 else "primes[:10]"
        listing = primes if len(primes) <= 60 else primes[:10]
        code = (
            f"import math\n\n\n{_IS_PRIME_BODY}\n\nprimes = [n for n in range({limit}) if is_prime(n)]\n"
            f'print(f"Found {{len(primes)}} primes")\nprint({shown})\nprint(f"Sum: {{sum(primes)}}")\n'
        )
        output = f"Found {len(primes)} primes\n{listing}\nSum: {sum(primes)}\n"
        bound = f"up to {limit - 1}" if inclusive else f"below {limit}"
        return CodeTask(
            f"I'll list the prime numbers {bound} and add them up.",
            code,
            output,
            f"There are {len(primes)} primes {bound}; their sum is {sum(primes)}.",
        )
    m = re.search(rf"\bfirst\s+{_N}\s+prime", low) or re.search(
        rf"\b{_N}\s+(?:first\s+)?prime", low
    )
    if m is None and not re.search(r"\bprimes\b|\bprime numbers?\b", low):
        return None  # "prime minister", "prime time": not about primes
    count = int(m.group(1)) if m else 10
    if not 1 <= count <= 2000:
        return None
    primes = _first_primes(count)
    wants_sum = bool(re.search(r"\b(?:sum|total|add)", low))
    shown = "primes" if count <= 60 else "primes[-5:]"
    listing = primes if count <= 60 else primes[-5:]
    label = "First" if count <= 60 else "Last 5 of the first"
    code = (
        f"import math\n\n\n{_IS_PRIME_BODY}\n\nprimes = []\ncandidate = 2\nwhile len(primes) < {count}:\n"
        "    if is_prime(candidate):\n        primes.append(candidate)\n    candidate += 1\n\n"
        f'print(f"{label} {count} primes: {{{shown}}}")\nprint(f"Sum: {{sum(primes)}}")\n'
    )
    output = f"{label} {count} primes: {listing}\nSum: {sum(primes)}\n"
    what = (
        f"the sum of the first {count} prime numbers"
        if wants_sum
        else f"the first {count} prime numbers"
    )
    conclusion = (
        f"The sum of the first {count} prime numbers is {sum(primes)}."
        if wants_sum
        else f"The first {count} prime numbers end with {primes[-1]}; together they add up to {sum(primes)}."
    )
    return CodeTask(f"I'll compute {what} with a short Python script.", code, output, conclusion)


def _fibonacci_task(text: str, low: str) -> CodeTask | None:
    if "fibonacci" not in low and not re.search(r"\bfib\(", low):
        return None
    nth = (
        re.search(rf"\b{_N}(?:st|nd|rd|th)\s+fibonacci", low)
        or re.search(
            rf"fibonacci\s+(?:number\s+)?(?:of\s+|#)?{_N}\b(?!\s+(?:fibonacci|numbers|terms))", low
        )
        or re.search(rf"\bfib\(\s*{_N}\s*\)", low)
    )
    if nth and not re.search(r"\bfirst\s+\d", low):
        n = int(nth.group(1))
        if n > 5000:
            return None
        a, b = 0, 1
        for _ in range(n):
            a, b = b, a + b
        code = (
            f"def fibonacci(n):\n    a, b = 0, 1\n    for _ in range(n):\n        a, b = b, a + b\n    return a\n\n\n"
            f'print(f"F({n}) = {{fibonacci({n})}}")\n'
        )
        return CodeTask(
            f"I'll compute Fibonacci number F({n}) iteratively, starting from F(0) = 0.",
            code,
            f"F({n}) = {a}\n",
            f"F({n}), the Fibonacci number at index {n}, is {a}.",
        )
    m = re.search(rf"\b(?:first\s+)?{_N}\s+(?:fibonacci|terms|numbers)", low) or re.search(
        rf"\bfirst\s+{_N}\b", low
    )
    count = int(m.group(1)) if m else 10
    if not 1 <= count <= 500:
        return None
    seq = _fibonacci(count)
    wants_sum = bool(re.search(r"\b(?:sum|total)\b", low))
    code = (
        "def fibonacci(count):\n    sequence = [0, 1]\n    while len(sequence) < count:\n"
        "        sequence.append(sequence[-1] + sequence[-2])\n    return sequence[:count]\n\n\n"
        f"numbers = fibonacci({count})\nprint(numbers)\n"
        + ('print(f"Sum: {sum(numbers)}")\n' if wants_sum else "")
    )
    output = f"{seq}\n" + (f"Sum: {sum(seq)}\n" if wants_sum else "")
    conclusion = f"The first {count} Fibonacci numbers run from 0 to {seq[-1]}."
    if wants_sum:
        conclusion += f" Their sum is {sum(seq)}."
    return CodeTask(
        f"I'll generate the first {count} Fibonacci numbers (starting from 0).",
        code,
        output,
        conclusion,
    )


def _factorial_task(text: str, low: str) -> CodeTask | None:
    m = re.search(rf"factorial\s+(?:of\s+)?{_N}", low) or re.search(
        rf"\b{_N}\s*(?:!|factorial)(?!=)", low
    )
    if not m:
        return None
    n = int(m.group(1))
    if n > 500:
        return None
    value = 1
    for k in range(2, n + 1):
        value *= k
    code = f'import math\n\nn = {n}\nprint(f"{{n}}! = {{math.factorial(n)}}")\n'
    return CodeTask(
        f"I'll compute {n}! with Python's math module.",
        code,
        f"{n}! = {value}\n",
        f"{n}! (the factorial of {n}) is {value}.",
    )


def _divisor_task(text: str, low: str) -> CodeTask | None:
    m = re.search(
        r"\b(gcd|greatest common (?:divisor|factor)|hcf|highest common factor|lcm|least common multiple|lowest common multiple)\b",
        low,
    )
    numbers = [
        int(c.value)
        for c in read_prompt(text).of_kind("number")
        if isinstance(c.value, int) and 0 < c.value < 10**12
    ]
    if not m or len(numbers) < 2:
        return None
    lcm = m.group(1).startswith(("lcm", "least", "lowest"))
    value = numbers[0]
    for other in numbers[1:]:
        value = value * other // math.gcd(value, other) if lcm else math.gcd(value, other)
    func, label = ("lcm", "least common multiple") if lcm else ("gcd", "greatest common divisor")
    code = f"import math\n\nnumbers = {numbers}\nprint(math.{func}(*numbers))\n"
    return CodeTask(
        f"I'll compute the {label} of {numbers} with math.{func}.",
        code,
        f"{value}\n",
        f"The {label} of {', '.join(map(str, numbers))} is {value}.",
    )


def _range_sum_task(text: str, low: str) -> CodeTask | None:
    m = re.search(
        rf"\bsum\s+of\s+(?:all\s+)?(?:the\s+)?(even\s+|odd\s+)?(squares\s+|cubes\s+)?(?:of\s+)?(?:the\s+)?(?:whole\s+|natural\s+)?(?:integers|numbers)?\s*(?:from|between)\s+{_N}\s+(?:to|and|through)\s+{_N}",
        low,
    )
    if not m:
        return None
    start, stop = int(m.group(3)), int(m.group(4))
    if stop < start or stop - start > 1_000_000:
        return None
    parity, power = (m.group(1) or "").strip(), (m.group(2) or "").strip()
    step_start = start + (
        1 if (parity == "even" and start % 2) or (parity == "odd" and not start % 2) else 0
    )
    step = 2 if parity else 1
    exponent = {"squares": 2, "cubes": 3}.get(power, 1)
    terms = range(step_start, stop + 1, step)
    total = sum(k**exponent for k in terms)
    term = "n" if exponent == 1 else f"n ** {exponent}"
    code = (
        f"total = sum({term} for n in range({step_start}, {stop + 1}, {step}))\nprint(total)\n"
        if step != 1 or exponent != 1
        else f"total = sum(range({start}, {stop + 1}))\nprint(total)\n"
    )
    what = " ".join(filter(None, [parity, power or "numbers"]))
    return CodeTask(
        f"I'll add up the {what} from {start} to {stop}.",
        code,
        f"{total}\n",
        f"The sum of the {what} from {start} to {stop} is {total}.",
    )


_STATS: list[tuple[str, str, str, Callable[[list[Any]], Any]]] = [
    (r"\b(?:sum|total|add (?:up|them))\b", "Sum", "sum(numbers)", lambda xs: sum(xs)),
    (r"\b(?:average|mean)\b", "Mean", "sum(numbers) / len(numbers)", lambda xs: sum(xs) / len(xs)),
    (r"\bmedian\b", "Median", "statistics.median(numbers)", lambda xs: statistics.median(xs)),
    (r"\b(?:max|maximum|largest|biggest|highest)\b", "Maximum", "max(numbers)", lambda xs: max(xs)),
    (r"\b(?:min|minimum|smallest|lowest)\b", "Minimum", "min(numbers)", lambda xs: min(xs)),
    (r"\bproduct\b", "Product", "math.prod(numbers)", lambda xs: math.prod(xs)),
    (
        r"\b(?:standard deviation|std(?:dev)?)\b",
        "Standard deviation",
        "statistics.stdev(numbers)",
        lambda xs: statistics.stdev(xs),
    ),
    (
        r"\bvariance\b",
        "Variance",
        "statistics.variance(numbers)",
        lambda xs: statistics.variance(xs),
    ),
]


def listed_numbers(text: str) -> list[int | float]:
    """The longest run of listed numbers ("3, 5 and 10"); empty when the prompt lists none."""
    facts = read_prompt(text)
    runs = [g for g in facts.lists if all(c.kind == "number" for c in g)]
    chosen = max(runs, key=len) if runs else []
    return [c.value for c in chosen if abs(c.value) < 1e15]


def _stats_task(text: str, low: str) -> CodeTask | None:
    numbers = listed_numbers(text)
    wanted = [s for s in _STATS if re.search(s[0], low)]
    if len(numbers) < 2 or not wanted:
        return None
    if (
        any(name == "Product" for _, name, _, _ in wanted)
        and sum(len(str(abs(int(x)))) for x in numbers) > 900
    ):
        return None
    lines, results = [], []
    for _, name, expr, calc in wanted:
        value = calc(list(numbers))
        lines.append(f'print(f"{name}: {{{expr}}}")')
        results.append((name, value))
    imports = sorted(
        {m for _, _, e, _ in wanted for m in ("math", "statistics") if e.startswith(m + ".")}
    )
    head = "".join(f"import {m}\n" for m in imports) + ("\n" if imports else "")
    code = f"{head}numbers = {numbers}\n" + "\n".join(lines) + "\n"
    output = "".join(f"{name}: {value}\n" for name, value in results)
    described = ", ".join(f"the {name.lower()} is {value}" for name, value in results)
    return CodeTask(
        f"I'll compute the {', '.join(n.lower() for n, _ in results)} of the {len(numbers)} numbers you listed.",
        code,
        output,
        f"For {numbers}, {described}.",
    )


NUMBER_TASKS: list[Callable[[str, str], CodeTask | None]] = [
    _primes_task,
    _fibonacci_task,
    _factorial_task,
    _divisor_task,
    _range_sum_task,
    _stats_task,
]
