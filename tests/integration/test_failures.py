"""Failures over real loopback: retries, timeouts, cut streams, bad keys, non-JSON answers."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest

import gemini_nb as g
from tests.conftest import TEST_KEY

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


async def test_dropped_connection_is_retried(api: Any, faults: Any) -> None:
    faults.add({"drop": True, "count": 1})
    r = await api.generate(model=MODEL, contents="hi")
    assert r.http.retries == 1


async def test_dropped_connections_exhaust(api: Any, faults: Any) -> None:
    faults.add({"drop": True, "count": 5})
    with pytest.raises(g.APIConnectionError):
        await api.generate(model=MODEL, contents="hi")


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
    return httpx.post(f"{emulator.url}/v1beta/{path}", content=json.dumps(body),
                      headers={"content-type": "application/json"})


def test_emulator_rejects_unknown_field(emulator: Any) -> None:
    r = _post(emulator, f"models/{MODEL}:generateContent",
              {"contents": [{"parts": [{"text": "x", "bogus": 1}]}]})
    assert r.status_code == 400
    err = r.json()["error"]
    assert err["status"] == "INVALID_ARGUMENT"
    assert err["message"] == (
        "Invalid JSON payload received. Unknown name \"bogus\" at 'contents[0].parts[0]': "
        "Cannot find field."
    )


def test_emulator_rejects_bad_enum(emulator: Any) -> None:
    r = _post(emulator, f"models/{MODEL}:generateContent",
              {"contents": [{"parts": [{"text": "x"}]}], "generationConfig": {"responseModalities": ["SMELL"]}})
    assert r.status_code == 400 and "SMELL" in r.json()["error"]["message"]


def test_emulator_accepts_snake_case(emulator: Any) -> None:
    r = _post(emulator, f"models/{MODEL}:generateContent",
              {"contents": [{"parts": [{"text": "x"}]}], "generation_config": {"max_output_tokens": 20}})
    assert r.status_code == 200, r.text


def test_emulator_json_array_stream_without_sse(emulator: Any) -> None:
    r = _post(emulator, f"models/{MODEL}:streamGenerateContent", {"contents": [{"parts": [{"text": "hi"}]}]})
    events = r.json()
    assert isinstance(events, list) and len(events) > 1
