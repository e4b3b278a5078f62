"""The API key: redacted from errors without corrupting them, and held nowhere in plain text
(not in the client's attributes, not on requests or exceptions kept after a failure)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

import gemini_nb as g
from gemini_nb._config import Secret, resolve_settings
from gemini_nb._transport import Call, Transport, redact_text
from tests.unit._memory import holding

KEY = "AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY"
MODEL = "gemini-2.5-flash"


@pytest.mark.parametrize(
    ("secret", "text", "expected"),
    [
        ("x", "Resource has been exhausted (e.g. check quota).", None),
        ("x", "models/gemini-exp-1206 is not found for API version v1beta", None),
        (
            "x",
            "Invalid value at 'generation_config.max_tokens' (TYPE_INT32), \"x\"",
            "Invalid value at 'generation_config.max_tokens' (TYPE_INT32), \"***\"",
        ),
        ("x", "API key not valid: x", "API key not valid: ***"),
        ("x", "https://h/v1beta/models?key=x&alt=sse", "https://h/v1beta/models?key=***&alt=sse"),
        ("x-1", "x-1 x-12 ax-1 x-1.", "*** x-12 ax-1 ***."),
        (KEY, f"key={KEY}&alt=sse", "key=***&alt=sse"),
        (KEY, f"glued{KEY}glued", "glued***glued"),  # a real key goes wherever it is
        (KEY, "nothing here", None),
    ],
)
def test_redact_text(secret: str, text: str, expected: str | None) -> None:
    assert redact_text(text, secret) == (text if expected is None else expected)


def _scripted(status: int, body: Any, key: str) -> g.Client:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, json=body)

    http = httpx.Client(transport=httpx.MockTransport(handler))
    return g.Client(api_key=key, base_url="http://scripted.test", http_client=http, max_retries=0)


def test_short_emulator_key_does_not_corrupt_errors() -> None:
    message = "Resource has been exhausted (e.g. check quota) for models/gemini-exp-1206."
    body = {
        "error": {
            "code": 429,
            "message": message,
            "status": "RESOURCE_EXHAUSTED",
            "details": [
                {
                    "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                    "reason": "exhausted",
                    "metadata": {"model": "gemini-exp-1206"},
                }
            ],
        }
    }
    with _scripted(429, body, "x") as client, pytest.raises(g.RateLimitError) as info:
        client.models.generate_content(model=MODEL, contents="hi")
    err = info.value
    assert err.message == message and str(err) == f"429 RESOURCE_EXHAUSTED: {message}"
    assert err.details == body["error"]["details"] and err.body == body


def test_real_key_echoed_by_the_server_is_removed_everywhere() -> None:
    message = f"API key not valid. Please pass a valid API key. (key={KEY})"
    body = {
        "error": {
            "code": 400,
            "message": message,
            "status": "INVALID_ARGUMENT",
            "details": [{"reason": "API_KEY_INVALID", "metadata": {KEY: KEY}}],
        }
    }
    with _scripted(400, body, KEY) as client, pytest.raises(g.AuthenticationError) as info:
        client.models.generate_content(model=MODEL, contents="hi")
    err = info.value
    shown = [str(err), repr(err), err.message, repr(err.args), repr(err.body), repr(err.details)]
    assert not [s for s in shown if KEY in s]
    assert err.message.endswith("(key=***)")


# ------------------------------------------------------------------ the key in memory


def _holds_key(root: object) -> list[str | bytes]:
    return holding(root, KEY)


def test_secret_keeps_no_plain_copy() -> None:
    s = Secret(KEY)
    assert s.reveal() == KEY and s == Secret(KEY) and s != Secret(KEY + "x")
    assert hash(s) == hash(Secret(KEY)) and bool(s)
    assert _holds_key(s) == []
    import copy

    assert copy.deepcopy(s) is s  # immutable; copying a client's settings works


def test_client_holds_no_plain_key_before_and_after_calls() -> None:
    seen_keys: list[str | None] = []
    kept: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen_keys.append(request.headers.get("x-goog-api-key"))
        kept.append(request)
        return httpx.Response(200, json={"candidates": [{"content": {"parts": [{"text": "ok"}]}}]})

    http = httpx.Client(transport=httpx.MockTransport(handler))
    client = g.Client(api_key=KEY, base_url="http://scripted.test", http_client=http)
    assert _holds_key(client) == []
    r = client.models.generate_content(model=MODEL, contents="hi")
    assert r.text == "ok" and seen_keys == [KEY]  # the key was sent...
    assert "x-goog-api-key" not in kept[0].headers  # ...and is off the request once answered
    assert _holds_key(client) == [] and _holds_key(r) == []
    assert KEY not in repr(client) and KEY not in repr(client.settings)


def _chain(exc: BaseException | None) -> list[BaseException]:
    out: list[BaseException] = []
    todo = [exc]
    while todo:
        e = todo.pop()
        if e is not None and all(e is not o for o in out):
            out.append(e)
            todo += [e.__cause__, e.__context__]
    return out


class _CutBody(httpx.SyncByteStream):
    """One SSE event, then the connection resets (as httpx raises it, with the request)."""

    def __init__(self, request: httpx.Request) -> None:
        self.request = request

    def __iter__(self) -> Iterator[bytes]:
        yield b'data: {"candidates": [{"content": {"parts": [{"text": "Once"}]}}]}\r\n\r\n'
        raise httpx.ReadError("connection reset by peer", request=self.request)


def test_cut_stream_leaves_no_key_on_chained_exceptions() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.headers["x-goog-api-key"] == KEY
        return httpx.Response(
            200, stream=_CutBody(request), headers={"content-type": "text/event-stream"}
        )

    http = httpx.Client(transport=httpx.MockTransport(handler))
    with g.Client(api_key=KEY, base_url="http://scripted.test", http_client=http) as client:
        stream = client.models.generate_content_stream(model=MODEL, contents="hi")
        with pytest.raises(g.APIConnectionError, match="middle of the stream") as info:
            list(stream)
    chain = _chain(info.value)
    requests = [e.request for e in chain if isinstance(e, httpx.RequestError)]
    assert requests and all("x-goog-api-key" not in r.headers for r in requests)
    for e in chain:
        assert KEY not in str(e)
        tb = e.__traceback__.tb_next if e.__traceback__ else None
        while tb is not None:  # frames the exception unwound keep no locals
            assert _holds_key(tb.tb_frame.f_locals) == []
            tb = tb.tb_next
    assert stream.partial.text == "Once"


def test_connection_error_scrubs_the_exception_it_translates() -> None:
    transport = Transport(resolve_settings(api_key=KEY, base_url="http://h.test"))
    request = httpx.Request(
        "POST", "http://h.test/v1beta/models/m:generateContent", headers={"x-goog-api-key": KEY}
    )
    cause = httpx.ConnectError("refused", request=request)
    outer = httpx.RemoteProtocolError("closed", request=request)
    outer.__context__ = cause
    err = transport.connection_error(outer, Call("POST", "models/m:generateContent"))
    assert "x-goog-api-key" not in request.headers
    assert KEY not in str(err) and err.request_sent
