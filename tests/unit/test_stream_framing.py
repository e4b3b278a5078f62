"""A streamGenerateContent body framed as one JSON array (no alt=sse, or a gateway's re-framing)
is cut into its chunks as they arrive, for both clients; never one empty chunk."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

import gemini_nb as g
from gemini_nb._sse import JSONArraySplitter, SSEDecoder
from gemini_nb._streaming import decode_chunk

CHUNKS: list[dict[str, Any]] = [
    {
        "candidates": [
            {
                "content": {"parts": [{"text": 'a ] } [ { " \\ , in text'}], "role": "model"},
                "index": 0,
            }
        ]
    },
    {
        "candidates": [
            {"content": {"parts": [{"text": "wörld 🌍\u2028"}], "role": "model"}, "index": 0}
        ]
    },
    {
        "candidates": [
            {
                "content": {"parts": [{"text": "!"}], "role": "model"},
                "finishReason": "STOP",
                "index": 0,
            }
        ],
        "usageMetadata": {"promptTokenCount": 3, "candidatesTokenCount": 5, "totalTokenCount": 8},
    },
]


def google_array(chunks: list[dict[str, Any]]) -> bytes:
    """The framing Google's servers use without alt=sse: indented objects, ``,\\r\\n`` between."""
    inner = ",\r\n".join(json.dumps(c, indent=2, ensure_ascii=False) for c in chunks)
    return ("[" + inner + "]").encode()


def split(body: bytes, size: int) -> list[Any]:
    d = SSEDecoder()
    out: list[str] = []
    for i in range(0, len(body), size):
        out.extend(d.feed(body[i : i + size]))
    out.extend(d.close())
    return [json.loads(text) for text in out]


@pytest.mark.parametrize("framing", ["google", "compact", "emulator"])
def test_array_split_at_every_boundary(framing: str) -> None:
    body = {
        "google": google_array(CHUNKS),
        "compact": json.dumps(CHUNKS).encode(),
        "emulator": b"["
        + b",".join(b"\n" + json.dumps(c, indent=2).encode() for c in CHUNKS)
        + b"\n]",
    }[framing]
    for cut in range(1, len(body)):
        d = SSEDecoder()
        got = d.feed(body[:cut]) + d.feed(body[cut:]) + d.close()
        assert [json.loads(t) for t in got] == CHUNKS, cut


def test_array_one_byte_at_a_time_after_leading_whitespace() -> None:
    assert split(b" \r\n\t" + google_array(CHUNKS) + b"\r\n", 1) == CHUNKS


def test_elements_are_reported_as_soon_as_they_are_complete() -> None:
    d = SSEDecoder()
    first = json.dumps(CHUNKS[0]).encode()
    assert d.feed(b"[" + first[:-1]) == []
    assert [json.loads(t) for t in d.feed(first[-1:] + b",\r\n{")] == [CHUNKS[0]]


def test_any_json_values_and_nesting() -> None:
    values = [{"a": [1, [2, {"b": "]"}]]}, [], 's\\"]', 12.5e3, True, None, {"\\": "\\\\"}]
    assert split(json.dumps(values).encode(), 3) == values


def test_a_cut_element_is_reported_not_dropped() -> None:
    d = SSEDecoder()
    assert d.feed(b'[{"candidates": []},\n{"candidates": [{"content"') == ['{"candidates": []}']
    [rest] = d.close()
    with pytest.raises(g.APIResponseError, match="not a valid GenerateContentResponse"):
        decode_chunk(rest)


def test_bytes_after_the_array_are_ignored_and_sse_stays_sse() -> None:
    assert split(b'[{"x": 1}]\n[{"y": 2}]', 4) == [{"x": 1}]
    assert split(b'data: {"x": 1}\r\n\r\ndata: [1, 2]\r\n\r\n', 5) == [{"x": 1}, [1, 2]]


def test_splitter_is_linear_in_a_huge_element() -> None:
    import time

    big = {"candidates": [{"content": {"parts": [{"inlineData": {"data": "QUJD" * 500_000}}]}}]}
    body = json.dumps([big, big]).encode()
    s = JSONArraySplitter()
    start = time.perf_counter()
    out: list[str] = []
    for i in range(0, len(body), 512):
        out.extend(s.feed(body[i : i + 512]))
    assert len(out) == 2 and json.loads(out[1]) == big
    assert time.perf_counter() - start < 2.0


def test_an_array_event_of_several_chunks_is_an_error_not_an_empty_chunk() -> None:
    with pytest.raises(g.APIResponseError, match="JSON array of 2 element"):
        decode_chunk(json.dumps(CHUNKS[:2]))
    # One error wrapped in an array (how Google answers a failed JSON-array stream) is typed.
    with pytest.raises(g.ServerError):
        decode_chunk('[{"error": {"code": 503, "message": "overloaded", "status": "UNAVAILABLE"}}]')


# ------------------------------------------------------------------ through both clients


def _pieces(body: bytes, size: int) -> Iterator[bytes]:
    for i in range(0, len(body), size):
        yield body[i : i + size]


class _SyncBody(httpx.SyncByteStream):
    def __init__(self, body: bytes) -> None:
        self.body = body

    def __iter__(self) -> Iterator[bytes]:
        yield from _pieces(self.body, 7)


class _AsyncBody(httpx.AsyncByteStream):
    def __init__(self, body: bytes) -> None:
        self.body = body

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for piece in _pieces(self.body, 7):
            yield piece


def _gateway(body: bytes, asynchronous: bool) -> httpx.MockTransport:
    """A proxy that answers every stream with the JSON-array framing, whatever alt says."""

    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.path.endswith(":streamGenerateContent")
        stream: Any = _AsyncBody(body) if asynchronous else _SyncBody(body)
        return httpx.Response(
            200, stream=stream, headers={"content-type": "application/json; charset=UTF-8"}
        )

    return httpx.MockTransport(handler)


async def _stream(kind: str, body: bytes) -> tuple[list[Any], Any]:
    if kind == "sync":
        http = httpx.Client(transport=_gateway(body, False))
        with (
            g.Client(base_url="http://gateway.test", http_client=http) as client,
            client.models.generate_content_stream(model="gemini-2.5-flash", contents="x") as s,
        ):
            return list(s), s.get_final_response()
    ahttp = httpx.AsyncClient(transport=_gateway(body, True))
    async with (
        g.AsyncClient(base_url="http://gateway.test", http_client=ahttp) as aclient,
        aclient.models.generate_content_stream(model="gemini-2.5-flash", contents="x") as a,
    ):
        return [c async for c in a], await a.get_final_response()


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_clients_stream_a_json_array_body(kind: str) -> None:
    chunks, final = await _stream(kind, google_array(CHUNKS))
    assert [c.text for c in chunks] == [
        c["candidates"][0]["content"]["parts"][0]["text"] for c in CHUNKS
    ]
    assert final.text == "".join(c.text for c in chunks)
    assert final.finish_reason == "STOP" and final.usage_metadata.total_token_count == 8


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_error_element_in_a_json_array_is_raised_after_the_chunks_before_it(
    kind: str,
) -> None:
    error = {
        "error": {"code": 500, "message": "An internal error has occurred.", "status": "INTERNAL"}
    }
    with pytest.raises(g.ServerError, match="internal error"):
        await _stream(kind, google_array([CHUNKS[0], error]))
