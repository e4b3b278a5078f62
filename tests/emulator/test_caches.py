"""The emulator's cachedContents backend over loopback: lifecycle, limits, expiry, use in generate."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from gemini_nb.emulator import EmulatorServer

MODEL = "models/gemini-2.5-flash"
# About 3,000 tokens: above Flash's 1,024 minimum, below Pro's 4,096.
BIG = "The lighthouse keeper logged every ship that passed the rocks. " * 250


@pytest.fixture
def server() -> Iterator[EmulatorServer]:
    # Each test gets its own store and clock (the clock is advanced by some).
    with EmulatorServer() as s:
        yield s


@pytest.fixture
def api(server: EmulatorServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url + "/v1beta/") as c:
        yield c


def make(api: httpx.Client, **extra: Any) -> dict[str, Any]:
    body = {
        "model": MODEL,
        "contents": [{"role": "user", "parts": [{"text": BIG}]}],
        "systemInstruction": {"parts": [{"text": "You are a pirate."}]},
        "ttl": "300s",
        **extra,
    }
    r = api.post("cachedContents", json=body)
    assert r.status_code == 200, r.text
    data: dict[str, Any] = r.json()
    return data


def error(r: httpx.Response) -> tuple[int, str, str]:
    e = r.json()["error"]
    return r.status_code, e["status"], e["message"]


def test_create_answers_metadata_only(api: httpx.Client) -> None:
    cache = make(api, displayName="keeper's log")
    assert cache["name"].startswith("cachedContents/") and len(cache["name"]) > 20
    assert cache["model"] == MODEL and cache["displayName"] == "keeper's log"
    assert set(cache) == {
        "name",
        "model",
        "createTime",
        "updateTime",
        "expireTime",
        "displayName",
        "usageMetadata",
    }
    assert cache["usageMetadata"]["totalTokenCount"] > 1024
    assert cache["createTime"] == cache["updateTime"] and cache["expireTime"] > cache["createTime"]
    assert api.get(cache["name"]).json() == cache


def test_list_pages_and_delete(api: httpx.Client) -> None:
    assert api.get("cachedContents").json() == {}
    names = [make(api)["name"] for _ in range(3)]
    first = api.get("cachedContents", params={"pageSize": 2}).json()
    assert [c["name"] for c in first["cachedContents"]] == names[:2]
    second = api.get("cachedContents", params={"pageSize": 2, "pageToken": first["nextPageToken"]})
    assert [c["name"] for c in second.json()["cachedContents"]] == names[2:]
    assert "nextPageToken" not in second.json()
    assert api.delete(names[0]).json() == {}
    assert error(api.get(names[0])) == (
        403,
        "PERMISSION_DENIED",
        "CachedContent not found (or permission denied)",
    )
    assert error(api.delete(names[0]))[0] == 403


def test_too_small_and_unknown_model(api: httpx.Client) -> None:
    r = api.post(
        "cachedContents",
        json={"model": MODEL, "contents": [{"role": "user", "parts": [{"text": "short"}]}]},
    )
    status, rpc, message = error(r)
    assert (status, rpc) == (400, "INVALID_ARGUMENT")
    assert message.startswith("Cached content is too small. total_token_count=")
    assert message.endswith("min_total_token_count=1024")
    pro = api.post(
        "cachedContents",
        json={
            "model": "models/gemini-2.5-pro",
            "contents": [{"role": "user", "parts": [{"text": BIG}]}],
        },
    )
    assert error(pro)[2].endswith("min_total_token_count=4096")
    assert (
        error(
            api.post(
                "cachedContents",
                json={
                    "model": "models/no-such-model",
                    "contents": [{"role": "user", "parts": [{"text": BIG}]}],
                },
            )
        )[0]
        == 404
    )


def test_ttl_checks(api: httpx.Client) -> None:
    for bad in (
        {"ttl": "-5s"},
        {"ttl": "0s"},
        {"expireTime": "2001-01-01T00:00:00Z"},
        {"ttl": "60s", "expireTime": "2100-01-01T00:00:00Z"},
    ):
        body = {"model": MODEL, "contents": [{"role": "user", "parts": [{"text": BIG}]}], **bad}
        assert error(api.post("cachedContents", json=body))[:2] == (400, "INVALID_ARGUMENT"), bad


def test_update_with_and_without_mask(api: httpx.Client) -> None:
    cache = make(api)
    longer = api.patch(cache["name"], params={"updateMask": "ttl"}, json={"ttl": "3600s"}).json()
    assert longer["expireTime"] > cache["expireTime"] and longer["updateTime"] > cache["updateTime"]
    # The official SDK sends no updateMask; the fields present are updated.
    later = api.patch(cache["name"], json={"expireTime": "2100-01-01T00:00:00Z"}).json()
    assert later["expireTime"].startswith("2100-01-01T00:00:00")
    refused = api.patch(
        cache["name"], params={"updateMask": "displayName"}, json={"displayName": "x"}
    )
    assert error(refused)[0] == 400
    assert error(api.patch(cache["name"], json={"model": "models/gemini-2.5-pro"}))[0] == 400


def test_expires_on_the_clock(api: httpx.Client, server: EmulatorServer) -> None:
    cache = make(api, ttl="60s")
    server.app.clock.advance(59)
    assert api.get(cache["name"]).status_code == 200
    server.app.clock.advance(2)
    assert error(api.get(cache["name"]))[0] == 403
    assert api.get("cachedContents").json() == {}
    gen = api.post(
        "models/gemini-2.5-flash:generateContent",
        json={
            "contents": [{"role": "user", "parts": [{"text": "hi"}]}],
            "cachedContent": cache["name"],
        },
    )
    assert error(gen) == (
        403,
        "PERMISSION_DENIED",
        "CachedContent not found (or permission denied)",
    )


def test_generate_applies_the_cache(api: httpx.Client) -> None:
    cache = make(api)
    body = {
        "contents": [{"role": "user", "parts": [{"text": "Who are you?"}]}],
        "cachedContent": cache["name"],
        "generationConfig": {"thinkingConfig": {"thinkingBudget": 0}},
    }
    r = api.post("models/gemini-2.5-flash:generateContent", json=body).json()
    usage = r["usageMetadata"]
    cached = cache["usageMetadata"]["totalTokenCount"]
    assert usage["cachedContentTokenCount"] == cached
    assert usage["promptTokenCount"] > cached
    # The cache's system instruction reaches the model: the pirate voice answers.
    assert "arr" in r["candidates"][0]["content"]["parts"][0]["text"].lower()
    count = api.post(
        "models/gemini-2.5-flash:countTokens",
        json={"generateContentRequest": {"model": MODEL, **body}},
    ).json()
    assert count["cachedContentTokenCount"] == cached


def test_generate_refuses_mismatches(api: httpx.Client) -> None:
    cache = make(api)
    base = {
        "contents": [{"role": "user", "parts": [{"text": "hi"}]}],
        "cachedContent": cache["name"],
    }
    other = api.post("models/gemini-2.5-pro:generateContent", json=base)
    assert error(other)[0] == 400 and "has to be the same" in error(other)[2]
    own = api.post(
        "models/gemini-2.5-flash:generateContent",
        json={**base, "systemInstruction": {"parts": [{"text": "x"}]}},
    )
    assert error(own)[0] == 400 and "system_instruction, tools or tool_config" in error(own)[2]


def test_official_sdk_caches(server: EmulatorServer) -> None:
    genai = pytest.importorskip("google.genai")
    from google.genai import types

    client = genai.Client(api_key="AIzaEMULATORKEY", http_options={"base_url": server.url})
    try:
        cache = client.caches.create(
            model="gemini-2.5-flash",
            config=types.CreateCachedContentConfig(
                contents=[BIG],
                system_instruction="You are a pirate.",
                ttl="300s",
                display_name="sdk",
            ),
        )
        assert cache.name and cache.usage_metadata.total_token_count > 1024
        assert client.caches.get(name=cache.name).display_name == "sdk"
        assert [c.name for c in client.caches.list()] == [cache.name]
        updated = client.caches.update(
            name=cache.name, config=types.UpdateCachedContentConfig(ttl="7200s")
        )
        assert updated.expire_time > cache.expire_time
        r = client.models.generate_content(
            model="gemini-2.5-flash",
            contents="Who are you?",
            config=types.GenerateContentConfig(cached_content=cache.name),
        )
        assert r.usage_metadata.cached_content_token_count == cache.usage_metadata.total_token_count
        client.caches.delete(name=cache.name)
        assert list(client.caches.list()) == []
    finally:
        client.close()
