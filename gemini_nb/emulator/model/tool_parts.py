"""Model-family traits that change the shape of tool parts, and the ids/signatures they carry.

Observed in recorded Developer API traffic:
* Gemini 3 puts an 8-character `id` on functionCall, executableCode and codeExecutionResult
  parts (and on server-side toolCall/toolResponse parts); Gemini 2.x never does.
* Thinking models (2.5 and later, unless thinking is switched off) put a `thoughtSignature` on
  the first functionCall part of a turn, and 2.5+ models say "Model generated function call(s)."
  in finishMessage; Gemini 3 also signs executableCode parts.
* Gemini 2.0 and older send `confidenceScores` in grounding supports (and an empty
  `retrievalMetadata`); 2.5 and later leave both out.
"""

from __future__ import annotations

import base64
import re
import string
from typing import Any

from .hashing import digest_int, stream_bytes

__all__ = [
    "make_id",
    "model_version",
    "reports_function_calls",
    "signs_code",
    "thinking_enabled",
    "thinks",
    "thought_signature",
    "uses_confidence_scores",
    "uses_part_ids",
]

_ID_ALPHABET = string.ascii_lowercase + string.digits


def model_version(model: str) -> tuple[int, int]:
    """(major, minor) of a Gemini model id; (0, 0) for anything else (Gemma, unknown)."""
    bare = model.removeprefix("models/")
    m = re.match(r"gemini-(\d+)(?:\.(\d+))?", bare)
    if not m:
        return (0, 0)
    return (int(m.group(1)), int(m.group(2) or 0))


def thinks(model: str) -> bool:
    """Whether the model is a thinking model (from the catalogue, else from its version)."""
    try:
        from ..backends.catalogue import lookup

        info = lookup(model)
    except ImportError:  # pragma: no cover - the catalogue ships with the emulator
        info = None
    if info is not None:
        return info.thinking
    return model_version(model) >= (2, 5)


def thinking_enabled(model: str, request: dict[str, Any]) -> bool:
    """Whether this request runs the model with thinking on (``thinkingBudget: 0`` turns 2.5 Flash off)."""
    try:
        from ..backends.catalogue import lookup
        from ..wire.errors import EmulatorError
        from .thinking import resolve_thinking
    except ImportError:  # pragma: no cover - these ship with the emulator
        return thinks(model)
    info = lookup(model)
    if info is None:
        return thinks(model)
    try:
        return resolve_thinking(request.get("generationConfig") or {}, info).enabled
    except EmulatorError:
        return info.thinking


def reports_function_calls(model: str) -> bool:
    """Whether finishMessage says "Model generated function call(s)." (2.5 and later)."""
    return model_version(model) >= (2, 5)


def uses_part_ids(model: str) -> bool:
    return model_version(model) >= (3, 0)


def signs_code(model: str) -> bool:
    return model_version(model) >= (3, 0)


def uses_confidence_scores(model: str) -> bool:
    version = model_version(model)
    return version != (0, 0) and version < (2, 5)


def make_id(*parts: object) -> str:
    """An 8-character lower-case id, like the ones Gemini 3 puts on calls."""
    number = digest_int("part-id", *parts)
    chars = []
    for _ in range(8):
        number, index = divmod(number, len(_ID_ALPHABET))
        chars.append(_ID_ALPHABET[index])
    return "".join(chars)


def thought_signature(*parts: object) -> str:
    """An opaque, deterministic base64 signature (the real ones are encrypted blobs)."""
    return base64.b64encode(stream_bytes(48, "thought-signature", *parts)).decode("ascii")
