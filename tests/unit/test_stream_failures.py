"""A stream that stops in the middle: a read timeout is an APITimeoutError that says what to do,
a reset stays an APIConnectionError; neither is retried, and the chunks so far are kept."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

import gemini_nb as g

EVENT = b'data: {"candidates": [{"content": {"parts": [{"text": "Once upon"}], "role": "model"}}]}\r\n\r\n'


class _Stalls(httpx.SyncByteStream, httpx.AsyncByteStream):
    """Two events, then the failure httpx raises when the next read fails."""

    def __init__(self, request: httpx.Request, failure: type[httpx.TransportError]) -> None:
        self.request, self.failure = request, failure

    def __iter__(self) -> Iterator[bytes]:
        yield EVENT
        yield EVENT
        raise self.failure("scripted", request=self.request)

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in (EVENT, EVENT):
            yield chunk
        raise self.failure("scripted", request=self.request)


async def _consume(
    kind: str, failure: type[httpx.TransportError]
) -> tuple[Any, BaseException, int]:
    requests: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return httpx.Response(
            200, stream=_Stalls(request, failure), headers={"content-type": "text/event-stream"}
        )

    transport = httpx.MockTransport(handler)
    config = {"http_options": {"timeout": 12.5}}
    if kind == "sync":
        with g.Client(base_url="http://h.test", http_client=httpx.Client(transport=transport)) as c:
            stream = c.models.generate_content_stream(
                model="gemini-2.5-flash", contents="hi", config=config
            )
            with pytest.raises(g.APIConnectionError) as info:
                list(stream)
        return stream, info.value, len(requests)
    async with g.AsyncClient(
        base_url="http://h.test", http_client=httpx.AsyncClient(transport=transport)
    ) as ac:
        astream = ac.models.generate_content_stream(
            model="gemini-2.5-flash", contents="hi", config=config
        )
        with pytest.raises(g.APIConnectionError) as ainfo:
            [c async for c in astream]
    return astream, ainfo.value, len(requests)


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_read_timeout_mid_stream(kind: str) -> None:
    stream, err, requests = await _consume(kind, httpx.ReadTimeout)
    assert type(err) is g.APITimeoutError
    assert "sent nothing for 12.5s after 2 event(s)" in str(err)
    assert "http_options={'timeout': seconds}" in str(err) and "kept on the stream" in str(err)
    assert requests == 1 and stream.chunks_received == 2
    assert stream.partial.text == "Once uponOnce upon"


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_reset_mid_stream(kind: str) -> None:
    stream, err, requests = await _consume(kind, httpx.ReadError)
    assert type(err) is g.APIConnectionError and "middle of the stream" in str(err)
    assert requests == 1 and stream.chunks_received == 2
