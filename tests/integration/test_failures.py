"""Failures over real loopback: retries, timeouts, cut streams, bad keys, non-JSON answers."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest

import gemini_nb as g
from tests.conftest import TEST_KEY
from tests.unit._memory import holding

MODEL = "gemini-2.5-flash"


async def test_retries_then_succeeds(api: Any, faults: Any) -> None:
    faults.add({"status": 503, "count": 2})
    r = await api.generate(model=MODEL, contents="hi")
    assert r.text and r.http.retries == 2


async def test_gives_up_after_budget(api: Any, faults: Any) -> None:
    faults.add({"status": 500, "count": 3})
    with pytest.raises(g.ServerError) as info:
        await api.generate(model=MODEL, contents="hi")
    assert info.value.status_code == 500 and info.value.status == "INTERNAL"


async def test_per_call_retries_off(api: Any, faults: Any) -> None:
    faults.add({"status": 503, "count": 1})
    with pytest.raises(g.ServerError):
        await api.generate(model=MODEL, contents="hi", config={"http_options": {"max_retries": 0}})


async def test_no_retry_on_4xx(api: Any, faults: Any) -> None:
    faults.add({"status": 400, "count": 1, "message": "bad"})
    with pytest.raises(g.BadRequestError):
        await api.generate(model=MODEL, contents="hi")
    assert faults.list() == []  # consumed by exactly one request


async def test_429_honours_retry_info(api: Any, faults: Any) -> None:
    faults.add({"status": 429, "count": 1, "retry_delay": "0.3s"})
    start = time.monotonic()
    r = await api.generate(model=MODEL, contents="hi")
    assert time.monotonic() - start >= 0.3
    assert r.http.retries == 1


async def test_429_exhausted_carries_delay(make_api: Any, faults: Any) -> None:
    api = make_api(max_retries=0)
    faults.add({"status": 429, "count": 1, "retry_delay": "17s"})
    try:
        with pytest.raises(g.RateLimitError) as info:
            await api.generate(model=MODEL, contents="hi")
        assert info.value.retry_delay == 17.0
    finally:
        await api.close()


async def test_dropped_connection_on_generate_is_not_retried(api: Any, faults: Any) -> None:
    # The emulator read the request before dropping: the real server may have run the model.
    fault = faults.add({"drop": True, "count": 2})
    with pytest.raises(g.APIConnectionError, match="may have done") as info:
        await api.generate(model=MODEL, contents="hi")
    assert info.value.request_sent and fault.hits == 1


async def test_dropped_connection_on_reads_is_retried(api: Any, faults: Any) -> None:
    faults.add({"drop": True, "count": 1, "method": "GET"})
    assert (await api.get(model=MODEL)).http.retries == 1
    faults.add({"drop": True, "count": 1, "path": ":countTokens$"})
    r = await api.count(model=MODEL, contents="hi")
    assert r.total_tokens > 0 and r.http.retries == 1


async def test_dropped_connections_exhaust(api: Any, faults: Any) -> None:
    fault = faults.add({"drop": True, "count": 5, "method": "GET"})
    with pytest.raises(g.APIConnectionError, match="failed before an answer"):
        await api.get(model=MODEL)
    assert fault.hits == 3  # the first try and two retries


async def test_refused_connection_is_retried_for_any_method(make_api: Any) -> None:
    # Nothing can reach a closed port: retrying cannot repeat work, so generate retries too.
    api = make_api(base_url="http://127.0.0.1:9")
    start = time.monotonic()
    try:
        with pytest.raises(g.APIConnectionError, match="could not reach") as info:
            await api.generate(model=MODEL, contents="hi")
    finally:
        await api.close()
    assert not info.value.request_sent
    assert time.monotonic() - start >= 0.375 + 0.75  # two backoff waits happened


async def test_timeout(make_api: Any, faults: Any) -> None:
    api = make_api(timeout=0.2, max_retries=0)
    faults.add({"latency_ms": 1500, "count": 1})
    start = time.monotonic()
    try:
        with pytest.raises(g.APITimeoutError, match="timeout"):
            await api.generate(model=MODEL, contents="hi")
    finally:
        await api.close()
    assert time.monotonic() - start < 1.4


async def test_stream_cut_mid_way(api: Any, faults: Any) -> None:
    faults.add({"cut_stream_after": 2, "count": 1})
    stream = api.open_stream(model=MODEL, contents="Tell me a long story about dragons.")
    with pytest.raises(g.APIConnectionError, match="middle of the stream"):
        await api.collect(stream)
    assert stream.chunks_received == 2
    assert stream.partial.text  # what arrived is kept


async def test_cut_stream_leaves_the_key_nowhere(make_api: Any, faults: Any) -> None:
    # Over a real connection: httpcore copies the headers into its own request, which only
    # the frames of the failure still reference.
    api = make_api(api_key=TEST_KEY)
    faults.add({"cut_stream_after": 1, "count": 1})
    stream = api.open_stream(model=MODEL, contents="Tell me a long story about dragons.")
    try:
        with pytest.raises(g.APIConnectionError, match="middle of the stream") as info:
            await api.collect(stream)
    finally:
        await api.close()
    chain, todo = [], [info.value]
    while todo:
        e = todo.pop()
        if e is not None and all(e is not c for c in chain):
            chain.append(e)
            todo += [e.__cause__, e.__context__]
    assert any(isinstance(e, httpx.TransportError) for e in chain)
    for e in chain:
        assert TEST_KEY not in str(e)
        if isinstance(e, httpx.RequestError):
            assert "x-goog-api-key" not in e.request.headers
        tb = e.__traceback__.tb_next if e.__traceback__ is not None else None
        while tb is not None:
            assert not holding(tb.tb_frame.f_locals, TEST_KEY), tb.tb_frame.f_code.co_name
            tb = tb.tb_next


async def test_no_plain_key_is_kept_after_calls(make_api: Any) -> None:
    api = make_api(api_key=TEST_KEY)
    try:
        chunks, final = await api.stream(model=MODEL, contents="Tell me about dragons.")
        stream = api.open_stream(model=MODEL, contents="Tell me about dragons.")
        await api.collect(stream)
        r = await api.generate(model=MODEL, contents="hi")
        assert not holding([chunks, final, stream, r, api.client], TEST_KEY)
    finally:
        await api.close()


async def test_read_timeout_in_the_middle_of_a_stream(slow_emulator: Any, make_api: Any) -> None:
    api = make_api(base_url=slow_emulator.url, timeout=(5.0, 0.3), max_retries=0)
    stream = api.open_stream(model=MODEL, contents="Tell me a long story about dragons.")
    try:
        with pytest.raises(g.APITimeoutError, match=r"sent nothing for 0.3s after 1 event") as info:
            await api.collect(stream)
    finally:
        await api.close()
    assert "timeout" in str(info.value) and stream.chunks_received == 1


async def test_json_array_stream_through_a_gateway(make_api: Any, emulator: Any) -> None:
    # Gateways that drop alt=sse get the emulator's real JSON-array framing back.
    sse = make_api()
    http = _gateway_client(sse.kind)
    gateway = make_api(http_client=http)
    try:
        chunks, final = await gateway.stream(model=MODEL, contents="Tell me about dragons.")
        expected, expected_final = await sse.stream(model=MODEL, contents="Tell me about dragons.")
    finally:
        await sse.close()
        await gateway.close()
        await http.aclose() if isinstance(http, httpx.AsyncClient) else http.close()
    assert len(chunks) == len(expected) > 1
    assert [c.text for c in chunks] == [c.text for c in expected]
    assert final.text == expected_final.text and final.finish_reason == "STOP"


def _without_alt(request: httpx.Request) -> httpx.Request:
    params = [(k, v) for k, v in request.url.params.multi_items() if k != "alt"]
    return httpx.Request(
        request.method,
        request.url.copy_with(params=params),
        headers=request.headers,
        content=request.content,
    )


class _SyncGateway(httpx.HTTPTransport):
    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return super().handle_request(_without_alt(request))


class _AsyncGateway(httpx.AsyncHTTPTransport):
    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await super().handle_async_request(_without_alt(request))


def _gateway_client(kind: str) -> httpx.Client | httpx.AsyncClient:
    if kind == "sync":
        return httpx.Client(transport=_SyncGateway())
    return httpx.AsyncClient(transport=_AsyncGateway())


@pytest.fixture(scope="module")
def slow_emulator() -> Any:
    from gemini_nb.emulator import EmulatorOptions, EmulatorServer

    with EmulatorServer(options=EmulatorOptions(chunk_delay=1.0)) as server:
        yield server


async def test_error_event_in_stream(api: Any, faults: Any) -> None:
    faults.add({"error_in_stream_after": 1, "count": 1})
    stream = api.open_stream(model=MODEL, contents="Tell me a long story about dragons.")
    with pytest.raises(g.ServerError) as info:
        await api.collect(stream)
    assert info.value.status == "INTERNAL" and stream.chunks_received == 1


async def test_stream_status_error_before_streaming(api: Any, faults: Any) -> None:
    faults.add({"status": 404, "count": 1, "message": "models/x is not found"})
    stream = api.open_stream(model=MODEL, contents="hi")
    with pytest.raises(g.NotFoundError):
        await api.collect(stream)


async def test_non_json_answer(api: Any, faults: Any) -> None:
    faults.add({"body": "<html>captive portal</html>", "count": 1})
    with pytest.raises(g.APIResponseError, match="not JSON"):
        await api.generate(model=MODEL, contents="hi")


async def test_wrong_and_missing_key(make_api: Any, keyed_emulator: Any) -> None:
    bad = make_api(base_url=keyed_emulator.url, api_key="AIzaWRONG")
    none = make_api(base_url=keyed_emulator.url)
    good = make_api(base_url=keyed_emulator.url, api_key=TEST_KEY)
    try:
        with pytest.raises(g.AuthenticationError) as info:
            await bad.generate(model=MODEL, contents="hi")
        assert info.value.status_code == 400 and "AIzaWRONG" not in str(info.value)
        with pytest.raises(g.PermissionDeniedError):
            await none.generate(model=MODEL, contents="hi")
        assert (await good.generate(model=MODEL, contents="hi")).text
    finally:
        for c in (bad, none, good):
            await c.close()


async def test_key_only_in_header(make_api: Any, keyed_emulator: Any) -> None:
    keyed_emulator.app.requests.clear()
    api = make_api(base_url=keyed_emulator.url, api_key=TEST_KEY)
    try:
        await api.generate(model=MODEL, contents="hi", config={"max_output_tokens": 50})
    finally:
        await api.close()
    [req] = list(keyed_emulator.app.requests)
    assert req["headers"]["x-goog-api-key"] == "<present>" and not req["key_in_query"]
    assert req["json"]["generationConfig"] == {"maxOutputTokens": 50}


def test_injected_http_client_is_not_closed(emulator: Any) -> None:
    http = httpx.Client()
    with g.Client(base_url=emulator.url, http_client=http) as client:
        assert client.models.generate_content(model=MODEL, contents="hi").text
    assert not http.is_closed
    http.close()
    own = g.Client(base_url=emulator.url)
    own.close()
    assert own._http.is_closed


def test_nothing_hangs_on_refused_connection() -> None:
    client = g.Client(base_url="http://127.0.0.1:9", max_retries=0)
    with pytest.raises(g.APIConnectionError, match="could not reach"):
        client.models.generate_content(model=MODEL, contents="hi")


# The emulator is strict like the real server; these go around our (also strict) client.


def _post(emulator: Any, path: str, body: Any) -> httpx.Response:
    return httpx.post(
        f"{emulator.url}/v1beta/{path}",
        content=json.dumps(body),
        headers={"content-type": "application/json"},
    )


def test_emulator_rejects_unknown_field(emulator: Any) -> None:
    r = _post(
        emulator,
        f"models/{MODEL}:generateContent",
        {"contents": [{"parts": [{"text": "x", "bogus": 1}]}]},
    )
    assert r.status_code == 400
    err = r.json()["error"]
    assert err["status"] == "INVALID_ARGUMENT"
    assert err["message"] == (
        "Invalid JSON payload received. Unknown name \"bogus\" at 'contents[0].parts[0]': "
        "Cannot find field."
    )


def test_emulator_rejects_bad_enum(emulator: Any) -> None:
    r = _post(
        emulator,
        f"models/{MODEL}:generateContent",
        {
            "contents": [{"parts": [{"text": "x"}]}],
            "generationConfig": {"responseModalities": ["SMELL"]},
        },
    )
    assert r.status_code == 400 and "SMELL" in r.json()["error"]["message"]


def test_emulator_accepts_snake_case(emulator: Any) -> None:
    r = _post(
        emulator,
        f"models/{MODEL}:generateContent",
        {"contents": [{"parts": [{"text": "x"}]}], "generation_config": {"max_output_tokens": 20}},
    )
    assert r.status_code == 200, r.text


def test_emulator_json_array_stream_without_sse(emulator: Any) -> None:
    r = _post(
        emulator,
        f"models/{MODEL}:streamGenerateContent",
        {"contents": [{"parts": [{"text": "hi"}]}]},
    )
    events = r.json()
    assert isinstance(events, list) and len(events) > 1
