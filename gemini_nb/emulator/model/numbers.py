"""Numbers in prompts, written with digits or words ("3", "three", "twenty-one", "a few"), and
the nouns they count ("four large cities")."""

from __future__ import annotations

import re

from .prompt import NUMBER_WORDS

__all__ = ["NUMBER_RE", "number_value", "number_words", "plural_counts", "singular"]

_UNITS = NUMBER_WORDS[:20]
_TENS = [NUMBER_WORDS[20], "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_WORD_VALUES: dict[str, int] = {w: i for i, w in enumerate(_UNITS)}
_WORD_VALUES.update({w: 20 + 10 * i for i, w in enumerate(_TENS)})
_WORD_VALUES.update({"a hundred": 100, "one hundred": 100, "hundred": 100})
_WORD_VALUES.update(
    {"a": 1, "an": 1, "a single": 1, "single": 1, "a couple of": 2, "a pair of": 2, "a few": 3}
)
_WORD_VALUES.update({"several": 4, "a dozen": 12, "dozen": 12})

# A number written with digits or words ("3", "three", "twenty-one", "a few").
NUMBER_RE = (
    r"(?:\d{1,3}|a hundred|one hundred|a dozen|a couple of|a pair of|a few|a single|several|"
    r"(?:"
    + "|".join(_TENS)
    + r")(?:[- ](?:"
    + "|".join(_UNITS[1:10])
    + r"))?|"
    + "|".join(sorted(_UNITS, key=len, reverse=True))
    + r"|an?)"
)


def number_value(text: str) -> int | None:
    """ "three" -> 3, "21" -> 21, "twenty-one" -> 21, "a few" -> 3; None if not a number."""
    t = text.strip().lower().replace("-", " ")
    if t.isdigit():
        return int(t)
    if t in _WORD_VALUES:
        return _WORD_VALUES[t]
    parts = t.split()
    if len(parts) == 2 and parts[0] in _TENS and parts[1] in _UNITS[1:10]:
        return _WORD_VALUES[parts[0]] + _WORD_VALUES[parts[1]]
    return None


def number_words(n: int) -> str:
    """0..999 in English words: 21 -> "twenty-one", 105 -> "one hundred and five"."""
    if n < 0:
        return "minus " + number_words(-n)
    if n < 20:
        return _UNITS[n]
    if n < 100:
        tens, rest = divmod(n, 10)
        return _TENS[tens - 2] + (f"-{_UNITS[rest]}" if rest else "")
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        return f"{_UNITS[hundreds]} hundred" + (f" and {number_words(rest)}" if rest else "")
    return str(n)


def singular(word: str) -> str:
    """ "cities" -> "city", "boxes" -> "box", "recipes" -> "recipe" (good enough for nouns in prompts)."""
    w = word.lower()
    irregular = {"people": "person", "children": "child", "men": "man", "women": "woman"}
    if w in irregular:
        return irregular[w]
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 4 and re.search(r"(?:ss|x|ch|sh)es$", w):
        return w[:-2]
    if len(w) > 3 and w.endswith("s") and not w.endswith("ss"):
        return w[:-1]
    return w


_COUNT_NOUN_RE = re.compile(
    rf"\b({NUMBER_RE})\s+(?:(?:[a-z][a-z-]*)\s+){{0,2}}?([a-z]+s|people|children|men|women)\b",
    re.IGNORECASE,
)


def plural_counts(text: str) -> list[tuple[int, str]]:
    """(count, singular noun) for each "four large cities" / "3 recipes" in the text."""
    out: list[tuple[int, str]] = []
    for m in _COUNT_NOUN_RE.finditer(text):
        n = number_value(m.group(1))
        if n is None or n < 1 or m.group(1).lower() in ("a", "an", "a single"):
            continue
        out.append((min(n, 50), singular(m.group(2))))
    return out
