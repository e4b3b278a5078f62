"""How answers are framed: JSON bodies, Google's error JSON, SSE and JSON-array streams."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Sequence
from typing import Any

from starlette.responses import Response, StreamingResponse

from .errors import EmulatorError
from .faults import Fault

__all__ = ["StreamCut", "error_response", "json_bytes", "json_response", "stream_response"]

INTERNAL = (
    "An internal error has occurred. Please retry or report in "
    "https://developers.generativeai.google/guide/troubleshooting"
)


def json_bytes(data: Any, *, pretty: bool = True) -> bytes:
    if pretty:
        return json.dumps(data, indent=2, ensure_ascii=False).encode("utf-8")
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        json_bytes(data),
        status_code=status,
        media_type="application/json; charset=UTF-8",
        headers=headers,
    )


def error_response(
    err: EmulatorError, headers: dict[str, str] | None = None, *, sse: bool = False
) -> Response:
    """Google's error JSON; on an ``alt=sse`` request the real server labels it an event stream."""
    response = json_response(err.to_json(), err.status, headers)
    if sse:
        response.headers["content-type"] = "text/event-stream"
    return response


class StreamCut(Exception):
    """Raised inside a streaming body to make the server drop the connection."""


def stream_response(
    events: Sequence[dict[str, Any]], *, sse: bool, fault: Fault | None, delay: float
) -> StreamingResponse:
    """``events`` as SSE (``alt=sse``) or as one JSON array, as the real server frames them."""
    media = "text/event-stream" if sse else "application/json; charset=UTF-8"
    return StreamingResponse(_frames(events, sse=sse, fault=fault, delay=delay), media_type=media)


async def _frames(
    events: Sequence[dict[str, Any]], *, sse: bool, fault: Fault | None, delay: float
) -> AsyncIterator[bytes]:
    cut = fault.cut_stream_after if fault is not None else None
    err_after = fault.error_in_stream_after if fault is not None else None
    if not sse:
        yield b"["
    for i, event in enumerate(events):
        if cut is not None and i >= cut:
            # An exception after the response started makes the server drop the connection
            # mid-body, as a network cut would.
            raise StreamCut()
        failing = err_after is not None and i >= err_after
        if failing:
            message = fault.message if fault is not None and fault.message else INTERNAL
            event = EmulatorError(500, message).to_json()
        if delay and i:
            await asyncio.sleep(delay)
        if sse:
            yield b"data: " + json_bytes(event, pretty=False) + b"\r\n\r\n"
        else:
            yield (b"," if i else b"") + b"\n" + json_bytes(event)
        if failing:
            break
    if not sse:
        yield b"\n]"
