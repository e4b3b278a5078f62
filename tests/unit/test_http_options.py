"""Per-call ``http_options`` (headers, extra_body, timeout, max_retries) reach the wire for
every method, on both clients."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

import gemini_nb as g
from gemini_nb._transport import merge_body

from ._fakes import FakeFilesServer, Shell

OPTS = {"headers": {"x-trace": "t-1"}, "timeout": 7.5, "extra_body": {"labels": {"team": "a"}}}
ANSWER = {
    "candidates": [
        {"content": {"role": "model", "parts": [{"text": "ok"}]}, "finishReason": "STOP"}
    ]
}


class Server:
    def __init__(self) -> None:
        self.files = FakeFilesServer()
        self.requests: list[httpx.Request] = []
        self.fail_next = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        if self.fail_next:
            self.fail_next -= 1
            return httpx.Response(
                503, json={"error": {"code": 503, "message": "busy", "status": "UNAVAILABLE"}}
            )
        path = request.url.path
        if "files" in path:
            return self.files(request)
        if path.endswith(":streamGenerateContent"):
            return httpx.Response(
                200,
                headers={"content-type": "text/event-stream"},
                content=f"data: {json.dumps(ANSWER)}\r\n\r\n".encode(),
            )
        if path.endswith(":generateContent"):
            return httpx.Response(200, json=ANSWER)
        if path.endswith(":countTokens"):
            return httpx.Response(200, json={"totalTokens": 3})
        if path.endswith(":batchEmbedContents"):
            return httpx.Response(200, json={"embeddings": [{"values": [0.1]}]})
        if path == "/v1beta/models":
            return httpx.Response(200, json={"models": [{"name": "models/m"}]})
        if path.startswith("/v1beta/models/"):
            return httpx.Response(200, json={"name": "models/m"})
        if "operations" in path:
            return httpx.Response(200, json={"name": path.removeprefix("/v1beta/"), "done": True})
        if path == "/v1beta/cachedContents" and request.method == "GET":
            return httpx.Response(200, json={"cachedContents": []})
        if "cachedContents" in path:
            return httpx.Response(200, json={"name": "cachedContents/c1"})
        return httpx.Response(
            404, json={"error": {"code": 404, "message": path, "status": "NOT_FOUND"}}
        )


def _stream(c: Any) -> Any:
    s = c.models.generate_content_stream(model="m", contents="x", config={"http_options": OPTS})
    if isinstance(s, g.Stream):
        with s:
            return list(s)

    async def consume() -> list[Any]:
        async with s:
            return [x async for x in s]

    return consume()


def _list(method: Callable[..., Any]) -> Callable[[Any], Any]:
    return lambda c: method(c)(config={"http_options": OPTS})


CALLS: dict[str, tuple[Callable[[Any], Any], bool]] = {
    # name: (call, has a JSON body that extra_body is merged into)
    "generate_content": (
        lambda c: c.models.generate_content(model="m", contents="x", config={"http_options": OPTS}),
        True,
    ),
    "generate_content_stream": (_stream, True),
    "count_tokens": (
        lambda c: c.models.count_tokens(model="m", contents="x", config={"http_options": OPTS}),
        True,
    ),
    "embed_content": (
        lambda c: c.models.embed_content(model="m", contents="x", config={"http_options": OPTS}),
        True,
    ),
    "models.get": (lambda c: c.models.get(model="m", config={"http_options": OPTS}), False),
    "models.list": (_list(lambda c: c.models.list), False),
    "files.upload": (
        lambda c: c.files.upload(
            file=b"abc", mime_type="text/plain", config={"http_options": OPTS}
        ),
        True,
    ),
    "files.list": (_list(lambda c: c.files.list), False),
    "caches.create": (
        lambda c: c.caches.create(model="m", contents="x", config={"http_options": OPTS}),
        True,
    ),
    "caches.get": (lambda c: c.caches.get(name="c1", config={"http_options": OPTS}), False),
    "caches.list": (_list(lambda c: c.caches.list), False),
    "caches.update": (
        lambda c: c.caches.update(name="c1", config={"ttl": 60, "http_options": OPTS}),
        True,
    ),
    "caches.delete": (lambda c: c.caches.delete(name="c1", config={"http_options": OPTS}), False),
    "operations.get": (
        lambda c: c.operations.get("batches/b1/operations/o1", config={"http_options": OPTS}),
        False,
    ),
}


@pytest.mark.parametrize("method", sorted(CALLS))
async def test_every_method_sends_its_http_options(kind: str, method: str) -> None:
    server = Server()
    call, has_body = CALLS[method]
    await Shell(kind, server)(call)
    first = server.requests[0]
    assert first.headers["x-trace"] == "t-1"
    assert first.extensions["timeout"]["read"] == 7.5
    if has_body:
        assert json.loads(first.content)["labels"] == {"team": "a"}


async def test_file_methods_send_their_http_options(kind: str) -> None:
    server = Server()
    shell = Shell(kind, server)
    f = await shell(lambda c: c.files.upload(file=b"abc", mime_type="text/plain"))
    for call in (
        lambda c: c.files.get(name=f.name, config={"http_options": OPTS}),
        lambda c: c.files.download(file=f, config={"http_options": OPTS}),
        lambda c: c.files.delete(name=f.name, config={"http_options": OPTS}),
    ):
        start = len(server.requests)
        await shell(call)
        assert all(r.headers["x-trace"] == "t-1" for r in server.requests[start:])
        assert all(r.extensions["timeout"]["read"] == 7.5 for r in server.requests[start:])


async def test_upload_chunks_carry_headers_but_not_extra_body(kind: str) -> None:
    server = Server()
    await Shell(kind, server)(
        lambda c: c.files.upload(file=b"abc", mime_type="text/plain", config={"http_options": OPTS})
    )
    start, chunk = server.requests[0], server.requests[1]
    assert json.loads(start.content) == {"file": {}, "labels": {"team": "a"}}
    assert chunk.content == b"abc" and chunk.headers["x-trace"] == "t-1"


async def test_max_retries_per_call(kind: str, fake_time: Any) -> None:
    server = Server()
    shell = Shell(kind, server)
    server.fail_next = 1
    with pytest.raises(g.ServerError):
        await shell(lambda c: c.caches.get(name="c1", config={"http_options": {"max_retries": 0}}))
    assert len(server.requests) == 1
    server.fail_next = 2
    await shell(lambda c: c.models.get(model="m", config={"http_options": {"max_retries": 2}}))
    assert len(server.requests) == 1 + 3


def test_extra_body_is_merged_deeply() -> None:
    body = {"contents": [1], "generationConfig": {"temperature": 0.1, "topK": 3}}
    extra = {
        "generationConfig": {"temperature": 0.9, "seed": 5},
        "labels": {"a": "b"},
        "contents": [2],
    }
    assert merge_body(body, extra) == {
        "contents": [2],
        "generationConfig": {"temperature": 0.9, "topK": 3, "seed": 5},
        "labels": {"a": "b"},
    }
    assert body == {
        "contents": [1],
        "generationConfig": {"temperature": 0.1, "topK": 3},
    }  # not mutated


def test_http_options_are_validated() -> None:
    with pytest.raises(g.InvalidInputError, match="http_options"):
        g.Client(base_url="http://x.test").models.get(
            model="m", config={"http_options": {"timeout": -1}}
        )
    with pytest.raises(g.InvalidInputError, match="http_options"):
        g.Client(base_url="http://x.test").files.list(config={"http_options": {"retries": 1}})


async def test_google_genai_config_objects_are_accepted(kind: str) -> None:
    # Code written for the official SDK keeps working: same names, and its timeout in ms.
    from google.genai import types as gt

    server = Server()
    shell = Shell(kind, server)
    opts = gt.HttpOptions(timeout=2500, headers={"x-trace": "sdk"})
    f = await shell(
        lambda c: c.files.upload(
            file=b"abc",
            config=gt.UploadFileConfig(mime_type="text/plain", display_name="n", http_options=opts),
        )
    )
    assert f.display_name == "n" and f.mime_type == "text/plain"
    assert server.requests[0].extensions["timeout"]["read"] == 2.5
    assert server.requests[0].headers["x-trace"] == "sdk"
    await shell(
        lambda c: c.caches.create(
            model="m",
            config=gt.CreateCachedContentConfig(
                contents=[gt.Content(role="user", parts=[gt.Part(text="hi")])], ttl="300s"
            ),
        )
    )
    body = json.loads(server.requests[-1].content)
    assert (
        body["contents"] == [{"role": "user", "parts": [{"text": "hi"}]}] and body["ttl"] == "300s"
    )
    pager = await shell(lambda c: c.caches.list(config=gt.ListCachedContentsConfig(page_size=3)))
    assert server.requests[-1].url.params["pageSize"] == "3" and pager is not None
