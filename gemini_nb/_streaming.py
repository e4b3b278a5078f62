"""Streams of GenerateContentResponse chunks, and the pure merge of chunks into one answer."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Generator, Iterator
from typing import TYPE_CHECKING, Any

from ._exceptions import APIResponseError, error_for_status
from .types import GenerateContentResponse, parse_response
from .types._base import HttpInfo

if TYPE_CHECKING:
    from ._client import AsyncClient, Client
    from ._transport import Operation, StreamHandle

__all__ = ["AsyncStream", "ChunkMerger", "FinalResponse", "Stream", "decode_chunk"]


def decode_chunk(text: str) -> GenerateContentResponse:
    """One SSE event's JSON as a response chunk; an in-stream ``{"error": …}`` is raised typed."""
    head = text.lstrip()[:16]
    if head.startswith("[") or '"error"' in head:
        try:
            data = json.loads(text)
        except ValueError:
            raise _bad_event(text) from None
        if isinstance(data, list):
            # A JSON-array stream body (no alt=sse) or an error wrapped in an array.
            data = data[0] if len(data) == 1 and isinstance(data[0], dict) else {"_list": data}
        err = data.get("error") if isinstance(data, dict) else None
        if isinstance(err, dict):
            code = err.get("code")
            raise error_for_status(code if isinstance(code, int) else 500, data)
        return parse_response(GenerateContentResponse, data)
    try:
        return parse_response(GenerateContentResponse, text)
    except ValueError:
        raise _bad_event(text) from None


def _bad_event(text: str) -> APIResponseError:
    return APIResponseError(
        f"A stream event is not a valid GenerateContentResponse: {text[:80]!r}", body=text[:2000]
    )


class ChunkMerger:
    """Merges streamed chunks into the one response a non-streamed call would have returned.

    Text parts that follow each other with the same ``thought`` flag are joined; other parts
    (function calls, code, images) are kept in order; per-candidate metadata and the usage of
    the latest chunk that carries them win.
    """

    __slots__ = ("_chunks",)

    def __init__(self) -> None:
        self._chunks: list[GenerateContentResponse] = []

    def add(self, chunk: GenerateContentResponse) -> None:
        self._chunks.append(chunk)

    def __len__(self) -> int:
        return len(self._chunks)

    def result(self) -> GenerateContentResponse:
        merged: dict[str, Any] = {}
        candidates: dict[int, dict[str, Any]] = {}
        for chunk in self._chunks:
            data = chunk.model_dump(exclude_none=True, by_alias=False)
            for key in ("usage_metadata", "prompt_feedback", "model_version", "response_id",
                        "model_status"):
                if key in data:
                    merged[key] = data[key]
            for extra_key, value in (chunk.model_extra or {}).items():
                merged[extra_key] = value
            for pos, cand in enumerate(data.get("candidates", [])):
                index = cand.get("index", pos)
                slot = candidates.setdefault(index, {"index": index, "parts": [], "role": None})
                content = cand.pop("content", None) or {}
                if content.get("role"):
                    slot["role"] = content["role"]
                _append_parts(slot["parts"], content.get("parts", []))
                for key, value in cand.items():
                    if key == "citation_metadata" and "citation_metadata" in slot:
                        slot[key]["citation_sources"] = (
                            slot[key].get("citation_sources", []) + value.get("citation_sources", [])
                        )
                    elif key != "index":
                        slot[key] = value
        if candidates:
            out = []
            for index in sorted(candidates):
                slot = candidates[index]
                parts, role = slot.pop("parts"), slot.pop("role")
                merged_content: dict[str, Any] = {"parts": parts}
                if role:
                    merged_content["role"] = role
                out.append({**slot, "content": merged_content})
            merged["candidates"] = out
        response = GenerateContentResponse.model_validate(merged, extra="allow")
        return response


_TEXT_KEYS = frozenset({"text", "thought", "thought_signature"})


def _append_parts(parts: list[dict[str, Any]], new: list[dict[str, Any]]) -> None:
    for part in new:
        last = parts[-1] if parts else None
        if (
            last is not None
            and "text" in part
            and "text" in last
            and part.keys() <= _TEXT_KEYS
            and last.keys() <= _TEXT_KEYS
            and "thought_signature" not in last  # a signature closes its part
            and bool(last.get("thought")) == bool(part.get("thought"))
        ):
            last["text"] += part["text"]
            if "thought_signature" in part:
                last["thought_signature"] = part["thought_signature"]
        else:
            parts.append(dict(part))


class _StreamBase:
    """What both stream shells share: the merged answer and the chunks seen so far."""

    def __init__(self) -> None:
        self._merger = ChunkMerger()
        self._final: GenerateContentResponse | None = None
        self._done = False
        self._handles: list[StreamHandle] = []
        self._on_final: Callable[[GenerateContentResponse], None] | None = None
        self.http = HttpInfo()

    @property
    def chunks_received(self) -> int:
        return len(self._merger)

    def _record(self, chunk: GenerateContentResponse) -> None:
        self._merger.add(chunk)

    def _finish(self, final: GenerateContentResponse | None) -> None:
        self._done = True
        self._final = final if final is not None else self._merger.result()
        if self._on_final is not None:
            self._on_final(self._final)

    @property
    def partial(self) -> GenerateContentResponse:
        """Everything received so far merged into one response (also after an error)."""
        return self._final if self._final is not None else self._merger.result()


class Stream(_StreamBase):
    """A streamed answer: iterate for chunks, ``text_stream`` for text deltas, then
    ``get_final_response()`` for the merged answer. Use it as a context manager (or iterate
    to the end) so the HTTP response is closed.

    >>> with client.models.generate_content_stream(model=m, contents="Hi") as stream:  # doctest: +SKIP
    ...     for text in stream.text_stream:
    ...         print(text, end="")
    ...     answer = stream.get_final_response()
    """

    def __init__(self, client: Client, op: Operation[Any]) -> None:
        super().__init__()
        self._client = client
        self._iter = client._iterate(op, self._handles)

    def __iter__(self) -> Iterator[GenerateContentResponse]:
        for item in self._iter:
            if isinstance(item, FinalResponse):
                self._finish(item.response)
                return
            self._record(item)
            yield item
        if not self._done:
            self._finish(None)

    @property
    def text_stream(self) -> Iterator[str]:
        """The text deltas (thoughts excluded) as they arrive."""
        for chunk in self:
            text = chunk.text
            if text:
                yield text

    def get_final_response(self) -> GenerateContentResponse:
        """Read the rest of the stream and return the merged response."""
        if not self._done:
            for _ in self:
                pass
        assert self._final is not None
        return self._final

    @property
    def response(self) -> GenerateContentResponse:
        return self.get_final_response()

    def close(self) -> None:
        self._iter.close()  # type: ignore[attr-defined]

    def _ipython_display_(self) -> None:
        # A stream as a cell's last expression is consumed and shown as it arrives. A failure
        # is already shown as a note in that display; IPython would only add a traceback.
        from contextlib import suppress

        from .notebook.display import display_stream

        with suppress(Exception):
            display_stream(self)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        from .notebook.display import stream_bundle

        return stream_bundle(self._final)

    def __enter__(self) -> Stream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncStream(_StreamBase):
    """The async twin of :class:`Stream`: ``async for``, ``async with``."""

    def __init__(self, client: AsyncClient, op: Operation[Any]) -> None:
        super().__init__()
        self._client = client
        self._iter = client._iterate(op, self._handles)

    async def __aiter__(self) -> AsyncIterator[GenerateContentResponse]:
        async for item in self._iter:
            if isinstance(item, FinalResponse):
                self._finish(item.response)
                return
            self._record(item)
            yield item
        if not self._done:
            self._finish(None)

    @property
    async def text_stream(self) -> AsyncIterator[str]:
        async for chunk in self:
            text = chunk.text
            if text:
                yield text

    async def get_final_response(self) -> GenerateContentResponse:
        if not self._done:
            async for _ in self:
                pass
        assert self._final is not None
        return self._final

    async def close(self) -> None:
        await self._iter.aclose()  # type: ignore[attr-defined]

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        from .notebook.display import stream_bundle

        return stream_bundle(self._final, asynchronous=True)

    def __await__(self) -> Generator[Any, None, AsyncStream]:
        # Code written for the official SDK awaits the call that returns the stream.
        return _self_coro(self).__await__()

    async def __aenter__(self) -> AsyncStream:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


async def _self_coro(stream: AsyncStream) -> AsyncStream:
    return stream


class FinalResponse:
    """Emitted last by a streaming operation that builds its own final response (AFC)."""

    __slots__ = ("response",)

    def __init__(self, response: GenerateContentResponse) -> None:
        self.response = response
