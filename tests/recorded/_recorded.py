"""Reading the recorded exchanges: the index, one exchange with its elided bytes put back."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import httpx

from tests._shared import RECORDED


def index() -> list[dict[str, Any]]:
    if not (RECORDED / "index.json").exists():
        return []
    entries: list[dict[str, Any]] = json.loads((RECORDED / "index.json").read_text())
    return entries


def load(entry: dict[str, Any]) -> dict[str, Any]:
    exchange: dict[str, Any] = unelide(json.loads((RECORDED / entry["file"]).read_text()))
    return exchange


def unelide(value: Any) -> Any:
    """Put bytes of the recorded size back where the recorder elided a large base64 blob."""
    if isinstance(value, dict):
        if "$elided_base64_bytes" in value:
            return base64.b64encode(bytes(value["$elided_base64_bytes"])).decode()
        return {k: unelide(v) for k, v in value.items()}
    if isinstance(value, list):
        return [unelide(v) for v in value]
    return value


def streams(body: str) -> list[dict[str, Any]]:
    """Successful streamGenerateContent exchanges whose response is stored as ``body``."""
    return [
        e
        for e in index()
        if e["kind"] == "http"
        and e["status"] == 200
        and e["response_body"] == body
        and "streamGenerateContent" in e["features"]
        and "interactions" not in e["features"]
        and "openaiCompat" not in e["features"]
    ]


def expected_text(raw: dict[str, Any]) -> str:
    cands = raw.get("candidates") or []
    parts = ((cands[0].get("content") or {}).get("parts") or []) if cands else []
    return "".join(p["text"] for p in parts if "text" in p and not p.get("thought"))


class Pieces(httpx.SyncByteStream):
    """A body delivered in small pieces, split anywhere."""

    def __init__(self, data: bytes, size: int) -> None:
        self.data, self.size = data, size

    def __iter__(self) -> Iterator[bytes]:
        for i in range(0, len(self.data), self.size):
            yield self.data[i : i + self.size]
