"""Format instructions in a prompt ("in three short paragraphs", "in 50 words", "briefly").

:func:`split_format` removes them from the prompt, so they never leak into the topic, and
returns the :class:`Shape` the answer should take. Number words are read here too
(:func:`number_value`, :func:`number_words`), for counts in lists, plans and counting tasks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .prompt import NUMBER_WORDS

__all__ = [
    "NUMBER_RE",
    "Shape",
    "number_value",
    "number_words",
    "plural_counts",
    "singular",
    "split_format",
]

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


@dataclass(frozen=True)
class Shape:
    """The form the prompt asks the answer to take."""

    unit: str  # "paragraph" | "sentence" | "bullet" | "word"
    count: int


_ADJ = r"(?:(?:short|brief|concise|simple|clear|single|small|plain|full|separate|detailed|well-written|numbered)\s+)*"
_UNIT = r"(paragraphs?|sentences?|bullet(?:ed)?[ -]?points?|bullets|key points|points|lines|words?)"
_LIMIT = r"(?:exactly\s+|just\s+|only\s+|no more than\s+|at most\s+|up to\s+|under\s+|fewer than\s+|less than\s+|about\s+|around\s+|roughly\s+)?"
_INLINE_RE = re.compile(
    rf"(?:,\s*)?\b(?:in|using|with|within|as)\s+{_LIMIT}({NUMBER_RE})\s+{_ADJ}{_UNIT}\b(?:\s+or\s+(?:less|fewer))?(?:\s+each)?(?:\s*,)?",
    re.IGNORECASE,
)
_PLAIN_RE = re.compile(
    rf"(?:,\s*)?\b(?:in|using|as|with)\s+(?:a few\s+)?{_ADJ}(paragraphs|sentences|bullet(?:ed)?[ -]?points|bullets|key points)\b(?:\s*,)?",
    re.IGNORECASE,
)
_DEFAULT_COUNTS = {"paragraph": 3, "sentence": 3, "bullet": 4}
_LEADING_RE = re.compile(
    rf"^(?:please\s+)?(?:write|give me|compose|produce|draft|create|provide)\s+{_LIMIT}({NUMBER_RE})\s+{_ADJ}{_UNIT}\s+(?:about|on|describing|explaining|that explains?|that describes?)\s+(.+)$",
    re.IGNORECASE | re.DOTALL,
)
_BRIEF_RE = re.compile(
    r"(?:,\s*)?\b(?:briefly|concisely|in brief|in short)\b(?!\s+\w*\s*(?:paragraph|sentence|bullet|point|word|line))(?:\s*,)?",
    re.IGNORECASE,
)
_DEPTH_RE = re.compile(
    r"(?:,\s*)?\b(?:in (?:great |more |some )?detail|in depth|step[- ]by[- ]step)\b(?:\s*,)?",
    re.IGNORECASE,
)


def _unit_name(raw: str) -> str:
    low = raw.lower()
    if low.startswith("paragraph"):
        return "paragraph"
    if low.startswith("sentence") or low.startswith("line"):
        return "sentence"
    if low.startswith("word"):
        return "word"
    return "bullet"


def _tidy(text: str) -> str:
    text = re.sub(r"[ \t]{2,}", " ", text)
    text = re.sub(r"\s+([.?!,;:])", r"\1", text)
    text = re.sub(r"^[\s,;:]+", "", text)
    text = re.sub(r"([.?!])[.,;]+", r"\1", text)
    return text.strip()


def split_format(prompt: str) -> tuple[str, Shape | None, bool]:
    """(prompt without format instructions, the shape they ask for, whether "briefly" was said)."""
    shape: Shape | None = None
    text = prompt
    lead = _LEADING_RE.match(text.strip())
    if lead:
        n = number_value(lead.group(1)) or 1
        rest = lead.group(3).strip()
        verb = (
            "Explain" if re.match(r"(?:why|how|what)\b", rest, re.IGNORECASE) else "Tell me about"
        )
        shape = Shape(_unit_name(lead.group(2)), min(n, 20))
        text = f"{verb} {rest}"
    m = _INLINE_RE.search(text)
    if m:
        n = number_value(m.group(1)) or 1
        if shape is None:
            shape = Shape(
                _unit_name(m.group(2)),
                min(n, 20 if not m.group(2).lower().startswith("word") else 400),
            )
        text = text[: m.start()] + " " + text[m.end() :]
    plain = _PLAIN_RE.search(text)
    if plain:
        unit = _unit_name(plain.group(1))
        shape = shape or Shape(unit, _DEFAULT_COUNTS.get(unit, 3))
        text = text[: plain.start()] + " " + text[plain.end() :]
    brief = bool(_BRIEF_RE.search(text))
    text = _BRIEF_RE.sub(" ", text)
    text = _DEPTH_RE.sub(" ", text)
    if shape is not None and shape.unit == "word" and shape.count < 5:
        shape = None  # "in one word" / "in two words": the terse rules handle those
    cleaned = _tidy(text)
    cleaned = cleaned[:1].upper() + cleaned[1:]
    return cleaned or prompt.strip(), shape, brief
