"""Stable hashing helpers: every "random" choice the emulator makes goes through here.

Python's ``hash()`` is salted per process and ``random`` has changed algorithms between
versions, so neither can give answers that are byte-identical run to run. SHA-256 can.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Sequence
from typing import Any, TypeVar

__all__ = [
    "canonical_json",
    "choose",
    "digest",
    "digest_int",
    "request_fingerprint",
    "response_id",
    "stream_bytes",
    "unit",
]

T = TypeVar("T")


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and no whitespace, so dict insertion order never matters."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def _encode(part: object) -> bytes:
    if isinstance(part, bytes):
        return part
    if isinstance(part, str):
        return part.encode("utf-8")
    return canonical_json(part).encode("utf-8")


def digest(*parts: object) -> bytes:
    """SHA-256 over the parts, length-prefixed so ("ab", "c") and ("a", "bc") differ."""
    h = hashlib.sha256()
    for part in parts:
        data = _encode(part)
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.digest()


def digest_int(*parts: object) -> int:
    """A non-negative 64-bit integer derived from the parts."""
    return int.from_bytes(digest(*parts)[:8], "big")


def unit(*parts: object) -> float:
    """A float in [0, 1) derived from the parts."""
    return digest_int(*parts) / 2**64


def choose(options: Sequence[T], *parts: object) -> T:
    """Pick one option, deterministically for the given parts."""
    if not options:
        raise ValueError("choose() needs at least one option")
    return options[digest_int(*parts) % len(options)]


def stream_bytes(length: int, *parts: object) -> bytes:
    """``length`` pseudo-random bytes (a SHA-256 counter stream) derived from the parts."""
    seed = digest(*parts)
    out = bytearray()
    counter = 0
    while len(out) < length:
        out += hashlib.sha256(seed + counter.to_bytes(8, "big")).digest()
        counter += 1
    return bytes(out[:length])


def request_fingerprint(request: dict[str, Any], model_name: str) -> bytes:
    """The identity of a request: equal for requests that differ only in key order."""
    return digest("request", model_name, request)


def response_id(request: dict[str, Any], model_name: str) -> str:
    """A responseId shaped like the real ones (23 URL-safe base64 characters)."""
    raw = digest("response-id", request_fingerprint(request, model_name))[:17]
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")
