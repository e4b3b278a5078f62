"""Streams of GenerateContentResponse chunks, and the pure merge of chunks into one answer."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Generator, Iterator
from functools import cache
from typing import TYPE_CHECKING, Any

from pydantic import TypeAdapter

from ._exceptions import APIResponseError, error_for_status
from .types import Candidate, GenerateContentResponse, Part, parse_response
from .types._base import HttpInfo

if TYPE_CHECKING:
    from ._client import AsyncClient, Client
    from ._transport import Flow, StreamHandle

__all__ = ["AsyncStream", "ChunkMerger", "FinalResponse", "Stream", "decode_chunk", "decode_events"]


def decode_chunk(text: str) -> GenerateContentResponse:
    """One SSE event's JSON as a response chunk; an in-stream ``{"error": …}`` is raised typed."""
    head = text.lstrip()[:16]
    if head.startswith("[") or '"error"' in head:
        try:
            data = json.loads(text)
        except ValueError:
            raise _bad_event(text) from None
        if isinstance(data, list):
            # The decoder cuts a JSON-array body into its elements; an array still here is an
            # error wrapped in one, or a second array after an SSE event: never an empty chunk.
            if len(data) != 1 or not isinstance(data[0], dict):
                raise APIResponseError(
                    f"A stream event is a JSON array of {len(data)} element(s), not a "
                    f"GenerateContentResponse: {text[:80]!r}. Is the base URL a Gemini API "
                    "endpoint (or a proxy that passes streams through unchanged)?",
                    body=text[:2000],
                )
            data = data[0]
        err = data.get("error") if isinstance(data, dict) else None
        if isinstance(err, dict):
            code = err.get("code")
            raise error_for_status(code if isinstance(code, int) else 500, data)
        return parse_response(GenerateContentResponse, data)
    try:
        return parse_response(GenerateContentResponse, text)
    except ValueError:
        raise _bad_event(text) from None


def decode_events(texts: list[str]) -> tuple[list[GenerateContentResponse], Exception | None]:
    """Several events' chunks, and the error of the first event that is not a chunk (if any).

    Plain chunks are validated in one call (cheaper than one call each); an error event, an
    array body or an invalid event sends the batch through :func:`decode_chunk` one by one, so
    the chunks before the bad event are kept.
    """
    if len(texts) > 1:
        try:
            batch = _chunk_list().validate_json("[" + ",".join(texts) + "]", extra="allow")
        except ValueError:
            pass
        else:
            # An error event validates too, as a chunk with an unknown "error" field: any
            # unknown top-level field sends the batch the careful way.
            if not any(chunk.__pydantic_extra__ for chunk in batch):
                return batch, None
    chunks: list[GenerateContentResponse] = []
    for text in texts:
        try:
            chunks.append(decode_chunk(text))
        except Exception as exc:
            return chunks, exc
    return chunks, None


@cache
def _chunk_list() -> TypeAdapter[list[GenerateContentResponse]]:
    return TypeAdapter(list[GenerateContentResponse])


def _bad_event(text: str) -> APIResponseError:
    return APIResponseError(
        f"A stream event is not a valid GenerateContentResponse: {text[:80]!r}", body=text[:2000]
    )


class ChunkMerger:
    """Merges streamed chunks into the one response a non-streamed call would have returned.

    Text parts that follow each other with the same ``thought`` flag are joined; other parts
    (function calls, code, images) are kept in order; per-candidate metadata and the usage of
    the latest chunk that carries them win. Merging is incremental: ``add`` costs the size of
    the chunk, ``result`` the size of the merged answer, and no chunk is kept.
    """

    __slots__ = ("_candidates", "_count", "_top")

    def __init__(self) -> None:
        self._count = 0
        self._top: dict[str, Any] = {}
        self._candidates: dict[int, _CandidateSlot] = {}

    def add(self, chunk: GenerateContentResponse) -> None:
        self._count += 1
        top = self._top
        for name in chunk.__pydantic_fields_set__:
            if name != "candidates":
                value = getattr(chunk, name)
                if value is not None:
                    top[name] = value
        if chunk.__pydantic_extra__:
            top.update(chunk.__pydantic_extra__)
        for pos, candidate in enumerate(chunk.candidates or ()):
            index = candidate.index if candidate.index is not None else pos
            slot = self._candidates.get(index)
            if slot is None:
                slot = self._candidates[index] = _CandidateSlot(index)
            slot.add(candidate)

    def __len__(self) -> int:
        return self._count

    def result(self) -> GenerateContentResponse:
        data = dict(self._top)
        if self._candidates:
            data["candidates"] = [self._candidates[i].build() for i in sorted(self._candidates)]
        return GenerateContentResponse.model_validate(data, extra="allow")


_TEXT_FIELDS = frozenset({"text", "thought", "thought_signature"})
_JUST_TEXT = {"text"}
_CANDIDATE_OWN = frozenset({"content", "index"})


def _plain_text(part: Part) -> bool:
    """A part that holds only text (and its thought flag and signature): these are joined."""
    if part.text is None or part.__pydantic_extra__:
        return False
    fields = part.model_fields_set
    return fields <= _TEXT_FIELDS or all(
        getattr(part, name) is None for name in fields - _TEXT_FIELDS
    )


class _TextRun:
    """Consecutive text parts of one kind, joined once at the end."""

    __slots__ = ("first", "pieces", "signature", "thought")

    def __init__(self, part: Part) -> None:
        self.first = part
        self.pieces = [part.text or ""]
        self.thought = bool(part.thought)
        self.signature = part.thought_signature

    def build(self) -> Part:
        if len(self.pieces) == 1:
            return self.first
        update: dict[str, Any] = {"text": "".join(self.pieces)}
        if self.signature is not None:
            update["thought_signature"] = self.signature
        return self.first.model_copy(update=update)


class _CandidateSlot:
    """What the chunks said so far about one candidate."""

    __slots__ = ("fields", "index", "parts", "role")

    def __init__(self, index: int) -> None:
        self.index = index
        self.fields: dict[str, Any] = {}
        self.parts: list[Part | _TextRun] = []
        self.role: str | None = None

    def add(self, candidate: Candidate) -> None:
        fields = self.fields
        names = candidate.__pydantic_fields_set__
        for name in () if names <= _CANDIDATE_OWN else names - _CANDIDATE_OWN:
            value = getattr(candidate, name)
            if value is None:
                continue
            earlier = fields.get(name)
            if name == "citation_metadata" and earlier is not None:
                value = earlier.model_copy(
                    update={
                        "citation_sources": [
                            *(earlier.citation_sources or ()),
                            *(value.citation_sources or ()),
                        ]
                    }
                )
            fields[name] = value
        if candidate.__pydantic_extra__:
            fields.update(candidate.__pydantic_extra__)
        content = candidate.content
        if content is None:
            return
        if content.role:
            self.role = content.role
        parts = self.parts
        for part in content.parts:
            if (part.__pydantic_fields_set__ != _JUST_TEXT or part.__pydantic_extra__) and not (
                _plain_text(part)
            ):
                parts.append(part)
                continue
            last = parts[-1] if parts else None
            # A signature closes its part: later text starts a new one.
            if (
                isinstance(last, _TextRun)
                and last.signature is None
                and last.thought == bool(part.thought)
            ):
                last.pieces.append(part.text or "")
                if part.thought_signature is not None:
                    last.signature = part.thought_signature
            else:
                parts.append(_TextRun(part))

    def build(self) -> Candidate:
        parts = [p.build() if isinstance(p, _TextRun) else p for p in self.parts]
        content: dict[str, Any] = {"parts": parts}
        if self.role:
            content["role"] = self.role
        return Candidate.model_validate(
            {**self.fields, "index": self.index, "content": content}, extra="allow"
        )


class _StreamBase:
    """What both stream shells share: the merged answer and the chunks seen so far."""

    def __init__(self, merger: ChunkMerger | None) -> None:
        # The flow may merge into ``merger`` itself (a plain stream); otherwise (automatic
        # function calling, whose rounds each merge apart) the stream merges what it emits.
        self._merges = merger is None
        self._merger = merger if merger is not None else ChunkMerger()
        self._seen = 0
        self._final: GenerateContentResponse | None = None
        self._done = False
        self._handles: list[StreamHandle] = []
        self._on_final: Callable[[GenerateContentResponse], None] | None = None
        self.http = HttpInfo()

    @property
    def chunks_received(self) -> int:
        return self._seen

    def _record(self, chunk: GenerateContentResponse) -> None:
        self._seen += 1
        if self._merges:
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

    def __init__(self, client: Client, op: Flow[Any], merger: ChunkMerger | None = None) -> None:
        super().__init__(merger)
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

    def __init__(
        self, client: AsyncClient, op: Flow[Any], merger: ChunkMerger | None = None
    ) -> None:
        super().__init__(merger)
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
    """Emitted last by a streaming flow that builds its own final response (AFC)."""

    __slots__ = ("response",)

    def __init__(self, response: GenerateContentResponse) -> None:
        self.response = response
