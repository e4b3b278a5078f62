"""Which failures are retried (work the server may have done is not repeated) and how long the
client waits (the server's Retry-After on any retryable status), for both clients."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

import gemini_nb as g
from gemini_nb._config import resolve_settings
from gemini_nb._exceptions import error_for_status
from gemini_nb._retry import RetryPolicy, is_idempotent
from gemini_nb._transport import Call, Transport

OK = {"candidates": [{"content": {"parts": [{"text": "ok"}], "role": "model"}}]}
MODEL = "gemini-2.5-flash"


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("GET", "models/gemini-2.5-flash", True),
        ("GET", "models", True),
        ("DELETE", "files/abc", True),
        ("PUT", "x", True),
        ("POST", "models/gemini-2.5-flash:countTokens", True),
        ("POST", "models/gemini-2.5-flash:generateContent", False),
        ("POST", "models/gemini-2.5-flash:streamGenerateContent", False),
        ("POST", "models/gemini-embedding-001:embedContent", False),
        ("POST", "models/gemini-embedding-001:batchEmbedContents", False),
        ("POST", "files", False),
        ("POST", "cachedContents", False),
        ("PATCH", "cachedContents/abc", False),
        ("POST", "models/countTokens", False),  # a model named so, not the method
    ],
)
def test_idempotent_methods(method: str, path: str, expected: bool) -> None:
    assert is_idempotent(method, path) is expected


@pytest.mark.parametrize(
    ("attempt", "sent", "idempotent", "retry"),
    [
        (0, False, False, True),  # nothing reached the server: safe for any method
        (1, False, False, True),
        (2, False, False, False),  # budget spent
        (0, True, True, True),
        (0, True, False, False),  # the server may have done the work
    ],
)
def test_connection_retry_table(attempt: int, sent: bool, idempotent: bool, retry: bool) -> None:
    assert RetryPolicy().should_retry_connection(attempt, sent=sent, idempotent=idempotent) is retry


TRANSPORT = Transport(resolve_settings(base_url="http://h.test"))
GENERATE = Call("POST", "models/m:generateContent")


@pytest.mark.parametrize(
    ("status", "retry_after", "details", "expected"),
    [
        (503, 3.0, [], 3.0),
        (500, 2.5, [], 2.5),
        (502, 0.0, [], 0.0),
        (504, 61.0, [], None),  # longer than the 60 s cap: raised at once
        (429, 3.0, [], 3.0),
        (
            503,
            3.0,
            [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "7s"}],
            7.0,
        ),
        (
            408,
            None,
            [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "1.5s"}],
            1.5,
        ),
        (400, 3.0, [], None),  # not retryable whatever the header says
    ],
)
def test_server_delay_on_any_retryable_status(
    status: int, retry_after: float | None, details: list[Any], expected: float | None
) -> None:
    err = error_for_status(
        status,
        {"error": {"code": status, "message": "m", "details": details}},
        retry_after=retry_after,
    )
    assert err.retry_after == retry_after
    assert TRANSPORT.retry_delay(err, RetryPolicy(), 0, GENERATE) == expected


def test_without_server_delay_the_backoff_applies() -> None:
    err = error_for_status(503, {"error": {"code": 503, "message": "overloaded"}})
    delay = TRANSPORT.retry_delay(err, RetryPolicy(), 0, GENERATE)
    assert delay is not None and 0.375 <= delay <= 0.5


# ------------------------------------------------------------------ through both clients


Handler = Callable[[httpx.Request], httpx.Response]


class _Shell:
    """One client kind over a scripted transport, with the sleeps it asked for recorded."""

    def __init__(self, kind: str, handler: Handler, monkeypatch: pytest.MonkeyPatch) -> None:
        self.kind = kind
        self.sleeps: list[float] = []
        if kind == "sync":
            monkeypatch.setattr("gemini_nb._client.time.sleep", self.sleeps.append)
            self.client: Any = g.Client(
                base_url="http://h.test",
                http_client=httpx.Client(transport=httpx.MockTransport(handler)),
            )
        else:

            async def sleep(seconds: float) -> None:
                self.sleeps.append(seconds)

            monkeypatch.setattr("gemini_nb._client._async_sleep", sleep)
            self.client = g.AsyncClient(
                base_url="http://h.test",
                http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler)),
            )

    async def call(self, name: str, **kw: Any) -> Any:
        result = getattr(self.client.models, name)(**kw)
        return result if self.kind == "sync" else await result


def _script(*steps: Any) -> tuple[Handler, list[str]]:
    """Each request gets the next step: a response, or an exception class to raise."""
    seen: list[str] = []
    queue = list(steps)

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(f"{request.method} {request.url.path}")
        step = queue.pop(0)
        if isinstance(step, type) and issubclass(step, httpx.RequestError):
            raise step("scripted failure", request=request)
        assert isinstance(step, httpx.Response)
        return step

    return handler, seen


KINDS = pytest.mark.parametrize("kind", ["sync", "async"])


@KINDS
async def test_503_retry_after_is_honoured(kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    handler, seen = _script(
        httpx.Response(
            503,
            headers={"retry-after": "3"},
            json={
                "error": {
                    "code": 503,
                    "message": "The model is overloaded.",
                    "status": "UNAVAILABLE",
                }
            },
        ),
        httpx.Response(200, json=OK),
    )
    shell = _Shell(kind, handler, monkeypatch)
    r = await shell.call("generate_content", model=MODEL, contents="hi")
    assert r.text == "ok" and r.http.retries == 1 and shell.sleeps == [3.0] and len(seen) == 2


@KINDS
async def test_retry_after_beyond_the_cap_is_raised_at_once(
    kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    handler, seen = _script(
        httpx.Response(
            503, headers={"retry-after": "120"}, json={"error": {"code": 503, "message": "later"}}
        )
    )
    shell = _Shell(kind, handler, monkeypatch)
    with pytest.raises(g.ServerError) as info:
        await shell.call("generate_content", model=MODEL, contents="hi")
    assert info.value.retry_after == 120.0 and shell.sleeps == [] and len(seen) == 1


@KINDS
async def test_connect_error_is_retried_for_generate(
    kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    handler, seen = _script(httpx.ConnectError, httpx.ConnectTimeout, httpx.Response(200, json=OK))
    shell = _Shell(kind, handler, monkeypatch)
    r = await shell.call("generate_content", model=MODEL, contents="hi")
    assert r.text == "ok" and r.http.retries == 2 and len(seen) == 3


@KINDS
@pytest.mark.parametrize(
    "failure", [httpx.ReadError, httpx.RemoteProtocolError, httpx.ReadTimeout, httpx.WriteError]
)
async def test_failure_after_sending_generate_is_not_retried(
    kind: str, failure: type[Exception], monkeypatch: pytest.MonkeyPatch
) -> None:
    handler, seen = _script(failure, httpx.Response(200, json=OK))
    shell = _Shell(kind, handler, monkeypatch)
    with pytest.raises(g.APIConnectionError, match="may have done") as info:
        await shell.call("generate_content", model=MODEL, contents="hi")
    assert info.value.request_sent and len(seen) == 1 and shell.sleeps == []
    assert isinstance(info.value, g.APITimeoutError) is (failure is httpx.ReadTimeout)


@KINDS
@pytest.mark.parametrize(
    ("name", "kw", "answer", "path"),
    [
        ("get", {"model": MODEL}, {"name": f"models/{MODEL}"}, f"/v1beta/models/{MODEL}"),
        (
            "count_tokens",
            {"model": MODEL, "contents": "hi"},
            {"totalTokens": 2},
            f"/v1beta/models/{MODEL}:countTokens",
        ),
    ],
)
async def test_failure_after_sending_a_read_is_retried(
    kind: str,
    name: str,
    kw: dict[str, Any],
    answer: dict[str, Any],
    path: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    handler, seen = _script(
        httpx.RemoteProtocolError, httpx.ReadError, httpx.Response(200, json=answer)
    )
    shell = _Shell(kind, handler, monkeypatch)
    await shell.call(name, **kw)
    assert seen == [f"{'GET' if name == 'get' else 'POST'} {path}"] * 3 and len(shell.sleeps) == 2


@KINDS
async def test_retry_after_waits_for_real(kind: str) -> None:
    handler, seen = _script(
        httpx.Response(
            503, headers={"retry-after": "1"}, json={"error": {"code": 503, "message": "x"}}
        ),
        httpx.Response(200, json=OK),
    )
    if kind == "sync":
        with g.Client(
            base_url="http://h.test",
            http_client=httpx.Client(transport=httpx.MockTransport(handler)),
        ) as client:
            start = time.monotonic()
            client.models.generate_content(model=MODEL, contents="hi")
    else:
        async with g.AsyncClient(
            base_url="http://h.test",
            http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler)),
        ) as aclient:
            start = time.monotonic()
            await aclient.models.generate_content(model=MODEL, contents="hi")
    # The backoff alone would have waited at most 0.5 s.
    assert time.monotonic() - start >= 1.0 and len(seen) == 2
