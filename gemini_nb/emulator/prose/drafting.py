"""Building blocks for the emulated model's answers: the Draft and text helpers."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..model.media import MediaInfo, human_size
from ..model.responder import Voice
from .analysis import Analysis
from .phrases import EN

__all__ = [
    "Draft",
    "article",
    "bullets",
    "cap",
    "closing_line",
    "first_sentence",
    "join",
    "media_ack",
    "sentence_case",
    "strip_markdown",
]


@dataclass
class Draft:
    lead: str
    blocks: list[str] = field(default_factory=list)
    closer: str | None = None
    key: str | None = None  # the bare answer, for "one word" rules
    brief_blocks: list[str] = field(default_factory=list)  # kept even when brevity is asked for
    personal: bool = True  # persona phrasing applies
    opener: str = ""  # "Sure! " before the lead; dropped when brevity is asked for


def sentence_case(text: str) -> str:
    """Capitalise words that start a sentence, including inside **bold** markers."""
    return re.sub(
        r"(^|[.!?]\s+|\n[*-] |\n\d+\. )(\*\*)?([a-z])",
        lambda m: m.group(1) + (m.group(2) or "") + m.group(3).upper(),
        text,
    )


def cap(text: str) -> str:
    """Capitalise the first letter, looking past Markdown bold markers."""
    m = re.match(r"(\W*)(\w)", text)
    return text if not m else text[: m.start(2)] + m.group(2).upper() + text[m.end(2) :]


def first_sentence(text: str) -> str:
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z*“\"(])", text.strip(), maxsplit=1)
    return parts[0].split("\n\n")[0]


def article(noun: str) -> str:
    return ("an " if noun[:1].lower() in "aeiou" else "a ") + noun


def join(items: Sequence[str]) -> str:
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def bullets(lines: Sequence[str], numbered: bool = False) -> str:
    return "\n".join(
        f"{i + 1}. {line}" if numbered else f"* {line}" for i, line in enumerate(lines)
    )


def strip_markdown(text: str) -> str:
    text = re.sub(r"```\w*\n?", "", text)
    text = text.replace("**", "").replace("`", "")
    return re.sub(r"^(\s*)[*-] ", r"\1• ", text, flags=re.MULTILINE)


# --- media ------------------------------------------------------------------------------------


def _media_phrase(info: MediaInfo) -> str:
    details: list[str] = []
    if info.width and info.height:
        details.append(f"{info.width}×{info.height}")
    if info.duration_s is not None and info.modality in ("AUDIO", "VIDEO"):
        seconds = round(info.duration_s)
        details.append(
            "under a second long"
            if seconds < 1
            else f"about {seconds} second{'s' if seconds != 1 else ''}"
        )
    if info.pages:
        details.append(f"{info.pages} page{'s' if info.pages != 1 else ''}")
    if info.size is not None:
        details.append(human_size(info.size))
    what = info.kind_label + (
        f" (`{info.mime_type}`, {', '.join(details)})" if details else f" (`{info.mime_type}`)"
    )
    if info.source == "file" and info.uri:
        what += f" from `{info.uri}`"
    return what


def media_ack(a: Analysis) -> str:
    return f"I received {join([_media_phrase(m) for m in a.media])}."


def closing_line(v: Voice) -> str:
    return v.pick(EN["closer"], "closer")
