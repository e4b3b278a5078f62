"""Format instructions in a prompt ("in three short paragraphs", "in 50 words", "briefly").

:func:`split_format` removes them from the prompt, so they never leak into the topic, and
returns the :class:`Shape` the answer should take.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..model.numbers import NUMBER_RE, number_value

__all__ = ["Shape", "split_format"]


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


def split_format(prompt: str) -> tuple[str, Shape | None]:
    """(prompt without format instructions, the shape they ask for)."""
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
    text = _BRIEF_RE.sub(" ", text)
    text = _DEPTH_RE.sub(" ", text)
    if shape is not None and shape.unit == "word" and shape.count < 5:
        shape = None  # "in one word" / "in two words": the terse rules handle those
    cleaned = _tidy(text)
    cleaned = cleaned[:1].upper() + cleaned[1:]
    return cleaned or prompt.strip(), shape
