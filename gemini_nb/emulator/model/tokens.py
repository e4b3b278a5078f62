"""The emulator's tokenizer and the shared prompt counter.

Text: a word of up to 7 letters is one token, a longer word is split into chunks of about six
letters, every digit, punctuation mark or symbol is a token, a run of newlines is one token, and
CJK characters count one each. Spaces ride along with the following token. "The quick brown fox
jumps over the lazy dog." is 10 tokens, as on the real API.

With the Gemma 3 tokenizer file at hand (``EmulatorOptions.tokenizer``), text is counted with it
instead, as ``count_tokens(local=True)`` counts; spans for cutting answers stay the rule's.

Media use the real API's published per-modality costs: 258 tokens per image, 32 tokens per
second of audio, 263 per second of video (258 per frame at 1 frame/s plus 5 for the sound
track), 258 per PDF page; text-like files are tokenized as text.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from contextvars import ContextVar
from typing import Any

from .hashing import canonical_json
from .media import MediaInfo, inspect_part

__all__ = [
    "count_text",
    "media_tokens",
    "modality_details",
    "part_tokens",
    "prompt_breakdown",
    "token_count",
    "tokenize",
    "truncate_text",
]

IMAGE_TOKENS = 258
PDF_PAGE_TOKENS = 258
AUDIO_TOKENS_PER_SECOND = 32
VIDEO_FRAME_TOKENS = 258
VIDEO_AUDIO_TOKENS_PER_SECOND = 5

_CJK = r"\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_TOKEN_RE = re.compile(rf"[{_CJK}]|\d|[^\W\d_{_CJK}]+|\n+|_|[^\w\s]")
_SHORT_WORD = 7
_CHUNK = 6


def tokenize(text: str) -> list[tuple[int, int]]:
    """Token spans (start, end) of ``text``; whitespace before a token is not part of a span."""
    spans: list[tuple[int, int]] = []
    for match in _TOKEN_RE.finditer(text):
        start, end = match.span()
        length = end - start
        if length <= _SHORT_WORD or not match.group().isalpha():
            spans.append((start, end))
            continue
        pieces = math.ceil(length / _CHUNK)
        size = math.ceil(length / pieces)
        for offset in range(start, end, size):
            spans.append((offset, min(end, offset + size)))
    return spans


# The app's text counter for the request being answered: the Gemma tokenizer when its file is
# at hand (EmulatorOptions.tokenizer), else None for the emulator's own rule below.
TEXT_COUNTER: ContextVar[Callable[[str], int] | None] = ContextVar(
    "gemini_nb_emulator_text_counter", default=None
)


def count_text(text: str) -> int:
    counter = TEXT_COUNTER.get()
    if counter is not None:
        return counter(text)
    return len(tokenize(text))


def truncate_text(text: str, max_tokens: int) -> str:
    """The prefix of ``text`` holding its first ``max_tokens`` tokens."""
    if max_tokens <= 0:
        return ""
    spans = tokenize(text)
    if len(spans) <= max_tokens:
        return text
    return text[: spans[max_tokens - 1][1]]


def media_tokens(info: MediaInfo, fps: float | None = None) -> int:
    modality = info.modality
    if modality == "IMAGE":
        return IMAGE_TOKENS
    if modality == "AUDIO":
        return math.ceil((info.duration_s or 0.0) * AUDIO_TOKENS_PER_SECOND)
    if modality == "VIDEO":
        per_second = VIDEO_FRAME_TOKENS * (fps or 1.0) + VIDEO_AUDIO_TOKENS_PER_SECOND
        return math.ceil((info.duration_s or 0.0) * per_second)
    if modality == "TEXT":
        return count_text(info.text) if info.text is not None else PDF_PAGE_TOKENS
    return PDF_PAGE_TOKENS * (info.pages or 1)


def part_tokens(part: Mapping[str, Any]) -> tuple[str, int]:
    """(modality, tokens) for one Part as it appears in a prompt."""
    if "text" in part:
        return "TEXT", count_text(str(part.get("text") or ""))
    info = inspect_part(dict(part))
    if info is not None:
        fps = (part.get("videoMetadata") or {}).get("fps")
        return info.modality, media_tokens(info, float(fps) if fps else None)
    if "functionCall" in part:
        call = part["functionCall"] or {}
        return "TEXT", count_text(str(call.get("name", ""))) + count_text(
            canonical_json(call.get("args") or {})
        )
    if "functionResponse" in part:
        resp = part["functionResponse"] or {}
        return "TEXT", count_text(str(resp.get("name", ""))) + count_text(
            canonical_json(resp.get("response") or {})
        )
    if "executableCode" in part:
        return "TEXT", count_text(str((part["executableCode"] or {}).get("code", "")))
    if "codeExecutionResult" in part:
        return "TEXT", count_text(str((part["codeExecutionResult"] or {}).get("output", "")))
    for key in ("toolCall", "toolResponse"):
        if key in part:
            return "TEXT", count_text(canonical_json(part[key]))
    return "TEXT", 0


def _contents_list(contents: Any) -> list[Mapping[str, Any]]:
    if contents is None:
        return []
    if isinstance(contents, Mapping):
        return [contents]
    return [c for c in contents if isinstance(c, Mapping)]


def prompt_breakdown(
    contents: Any,
    system_instruction: Mapping[str, Any] | None = None,
    tools: Iterable[Mapping[str, Any]] | None = None,
) -> dict[str, int]:
    """Prompt tokens per modality, modalities in order of first appearance.

    Thought parts from earlier model turns are not counted: the model does not see its past
    thoughts again, only their signatures.
    """
    totals: dict[str, int] = {}

    def add(modality: str, tokens: int) -> None:
        totals[modality] = totals.get(modality, 0) + tokens

    if system_instruction:
        for part in system_instruction.get("parts") or []:
            add(*part_tokens(part))
    for content in _contents_list(contents):
        for part in content.get("parts") or []:
            if part.get("thought") is True:
                continue
            add(*part_tokens(part))
    for tool in tools or []:
        add("TEXT", count_text(canonical_json(tool)))
    return {m: t for m, t in totals.items() if t > 0} or ({"TEXT": 0} if totals else {})


def token_count(
    contents: Any,
    system_instruction: Mapping[str, Any] | None = None,
    tools: Iterable[Mapping[str, Any]] | None = None,
) -> int:
    """Total prompt tokens: the one counter behind countTokens and usageMetadata."""
    return sum(prompt_breakdown(contents, system_instruction, tools).values())


def modality_details(breakdown: Mapping[str, int]) -> list[dict[str, Any]]:
    """``[{"modality": ..., "tokenCount": ...}]`` as the API writes token details."""
    return [{"modality": m, "tokenCount": t} for m, t in breakdown.items() if t > 0]
