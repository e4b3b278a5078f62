"""client.caches: ttl and expiry parsing, and the requests each method sends (both clients,
against a scripted server)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

import gemini_nb as g
from gemini_nb._convert import cache_name
from gemini_nb.resources.caches import format_expire_time, format_ttl
from gemini_nb.types import CachedContent, CreateCachedContentConfig, UpdateCachedContentConfig

from ._fakes import Shell

NOW = datetime(2030, 1, 1, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("ttl", "wire"),
    [
        (300, "300s"),
        (300.0, "300s"),
        (0.5, "0.5s"),
        (1.25, "1.25s"),
        (timedelta(minutes=5), "300s"),
        (timedelta(milliseconds=1500), "1.5s"),
        ("300s", "300s"),
        (" 60.5s ", "60.5s"),
        ("0.000000001s", "0.000000001s"),
    ],
)
def test_ttl_forms(ttl: Any, wire: str) -> None:
    assert format_ttl(ttl) == wire


@pytest.mark.parametrize(
    ("ttl", "message"),
    [
        (0, "more than 0 seconds"),
        (-5, "more than 0 seconds"),
        (timedelta(0), "more than 0 seconds"),
        (timedelta(seconds=-1), "more than 0 seconds"),
        ("0s", "more than 0 seconds"),
        ("-3s", "not a duration"),
        ("300", "not a duration"),
        ("5m", "not a duration"),
        (float("inf"), "finite"),
        (float("nan"), "finite"),
        (True, "finite"),
        ([300], "not list"),
    ],
)
def test_bad_ttls(ttl: Any, message: str) -> None:
    with pytest.raises(g.InvalidInputError, match=message):
        format_ttl(ttl)


@pytest.mark.parametrize(
    ("when", "wire"),
    [
        (datetime(2030, 1, 1, 13, 0, tzinfo=UTC), "2030-01-01T13:00:00.000000Z"),
        (
            datetime(2030, 1, 1, 14, 30, tzinfo=timezone(timedelta(hours=2))),
            "2030-01-01T12:30:00.000000Z",
        ),
        ("2030-01-02T00:00:00Z", "2030-01-02T00:00:00.000000Z"),
        ("2030-01-01T12:00:00.5+00:00", "2030-01-01T12:00:00.500000Z"),
    ],
)
def test_expire_time_forms(when: Any, wire: str) -> None:
    assert format_expire_time(when, now=NOW) == wire


def test_naive_expire_time_is_local_time() -> None:
    local = datetime.now() + timedelta(hours=1)
    expected = local.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    assert format_expire_time(local) == expected


@pytest.mark.parametrize(
    ("when", "message"),
    [
        (NOW, "not in the future"),
        (NOW - timedelta(seconds=1), "not in the future"),
        ("2029-12-31T00:00:00Z", "not in the future"),
        ("tomorrow", "not an ISO 8601 time"),
        (1893456000, "must be a datetime"),
    ],
)
def test_bad_expire_times(when: Any, message: str) -> None:
    with pytest.raises(g.InvalidInputError, match=message):
        format_expire_time(when, now=NOW)


def test_cache_names() -> None:
    assert cache_name("abc") == "cachedContents/abc"
    assert cache_name("cachedContents/abc") == "cachedContents/abc"
    assert cache_name(CachedContent(name="cachedContents/x")) == "cachedContents/x"
    for bad in ("", "cachedContents/", "a/b", None, CachedContent()):
        with pytest.raises(g.InvalidInputError):
            cache_name(bad)


# --------------------------------------------------------------------------- requests


CACHE = {
    "name": "cachedContents/c1",
    "model": "models/gemini-2.5-flash",
    "displayName": "report",
    "createTime": "2026-01-01T00:00:00.123456789Z",
    "updateTime": "2026-01-01T00:00:00Z",
    "expireTime": "2026-01-01T01:00:00Z",
    "usageMetadata": {"totalTokenCount": 4096},
}


class Recorder:
    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        if request.method == "DELETE":
            return httpx.Response(200, json={})
        if request.url.path == "/v1beta/cachedContents" and request.method == "GET":
            token = request.url.params.get("pageToken")
            if token is None:
                return httpx.Response(200, json={"cachedContents": [CACHE], "nextPageToken": "p2"})
            return httpx.Response(
                200, json={"cachedContents": [{**CACHE, "name": "cachedContents/c2"}]}
            )
        if request.url.path.endswith(":generateContent"):
            return httpx.Response(
                200,
                json={
                    "candidates": [{"content": {"role": "model", "parts": [{"text": "ok"}]}}],
                    "usageMetadata": {
                        "promptTokenCount": 4100,
                        "cachedContentTokenCount": 4096,
                        "candidatesTokenCount": 1,
                        "totalTokenCount": 4101,
                    },
                },
            )
        return httpx.Response(200, json=CACHE)

    def body(self, i: int = -1) -> Any:
        return json.loads(self.requests[i].content)


async def test_create_with_keywords(kind: str) -> None:
    rec = Recorder()
    shell = Shell(kind, rec)
    cache = await shell(
        lambda c: c.caches.create(
            model="gemini-2.5-flash",
            contents=["A long report."],
            system_instruction="Answer from it.",
            ttl=600,
            display_name="report",
            tools=["code_execution"],
            tool_config={"function_calling_config": {"mode": "AUTO"}},
        )
    )
    assert isinstance(cache, CachedContent) and cache.usage_metadata.total_token_count == 4096
    r = rec.requests[0]
    assert (r.method, r.url.path) == ("POST", "/v1beta/cachedContents")
    assert rec.body() == {
        "model": "models/gemini-2.5-flash",
        "displayName": "report",
        "contents": [{"role": "user", "parts": [{"text": "A long report."}]}],
        "systemInstruction": {"parts": [{"text": "Answer from it."}]},
        "tools": [{"codeExecution": {}}],
        "toolConfig": {"functionCallingConfig": {"mode": "AUTO"}},
        "ttl": "600s",
    }


async def test_create_with_config_object(kind: str) -> None:
    rec = Recorder()
    shell = Shell(kind, rec)
    cfg = CreateCachedContentConfig(
        contents="x",
        expire_time=datetime(2099, 1, 1, tzinfo=UTC),
        http_options={"headers": {"x-trace": "t"}, "extra_body": {"labels": {"a": "b"}}},
    )
    await shell(lambda c: c.caches.create(model="models/gemini-2.5-flash", config=cfg))
    assert rec.body()["expireTime"] == "2099-01-01T00:00:00.000000Z"
    assert rec.body()["labels"] == {"a": "b"} and rec.requests[0].headers["x-trace"] == "t"
    # A keyword wins over the config's field.
    await shell(
        lambda c: c.caches.create(
            model="gemini-2.5-flash", config={"contents": "x", "ttl": "5s"}, ttl=9
        )
    )
    assert rec.body()["ttl"] == "9s"


async def test_create_checks_before_sending(kind: str) -> None:
    rec = Recorder()
    shell = Shell(kind, rec)
    with pytest.raises(g.InvalidInputError, match="not both"):
        await shell(
            lambda c: c.caches.create(
                model="m", contents="x", ttl=5, expire_time=NOW + timedelta(days=99999)
            )
        )
    with pytest.raises(g.InvalidInputError, match="more than 0"):
        await shell(lambda c: c.caches.create(model="m", contents="x", ttl=0))
    with pytest.raises(g.InvalidInputError, match="not in the future"):
        await shell(
            lambda c: c.caches.create(model="m", contents="x", expire_time=datetime(2001, 1, 1))
        )
    with pytest.raises(g.InvalidInputError, match="CreateCachedContentConfig"):
        await shell(lambda c: c.caches.create(model="m", config={"time_to_live": 5}))
    assert not rec.requests


async def test_get_list_update_delete(kind: str) -> None:
    rec = Recorder()
    shell = Shell(kind, rec)
    got = await shell(lambda c: c.caches.get(name="c1"))
    assert (
        got.name == "cachedContents/c1" and rec.requests[-1].url.path == "/v1beta/cachedContents/c1"
    )
    pager = await shell(lambda c: c.caches.list(page_size=1))
    assert [x.name for x in await shell.items(pager)] == ["cachedContents/c1", "cachedContents/c2"]
    df = await shell(lambda c: pager.to_pandas())
    assert list(df.columns) == [
        "name",
        "display_name",
        "model",
        "total_token_count",
        "create_time",
        "expire_time",
    ]
    assert df["total_token_count"].tolist() == [4096, 4096]

    await shell(lambda c: c.caches.update(name=got, ttl=timedelta(hours=2)))
    r = rec.requests[-1]
    assert (r.method, r.url.path, r.url.params["updateMask"]) == (
        "PATCH",
        "/v1beta/cachedContents/c1",
        "ttl",
    )
    assert rec.body() == {"ttl": "7200s"}
    await shell(
        lambda c: c.caches.update(
            name="cachedContents/c1",
            config=UpdateCachedContentConfig(expire_time="2099-05-01T00:00:00Z"),
        )
    )
    assert rec.requests[-1].url.params["updateMask"] == "expireTime"
    assert rec.body() == {"expireTime": "2099-05-01T00:00:00.000000Z"}
    n = len(rec.requests)
    with pytest.raises(g.InvalidInputError, match="needs a new ttl"):
        await shell(lambda c: c.caches.update(name="c1"))
    with pytest.raises(g.InvalidInputError, match="more than 0"):
        await shell(lambda c: c.caches.update(name="c1", ttl="0s"))
    assert len(rec.requests) == n

    await shell(lambda c: c.caches.delete(name="c1"))
    assert (rec.requests[-1].method, rec.requests[-1].url.path) == (
        "DELETE",
        "/v1beta/cachedContents/c1",
    )


async def test_generate_with_a_cache_object(kind: str) -> None:
    rec = Recorder()
    shell = Shell(kind, rec)
    cache = await shell(lambda c: c.caches.get(name="c1"))
    r = await shell(
        lambda c: c.models.generate_content(
            model="gemini-2.5-flash", contents="Who wrote it?", config={"cached_content": cache}
        )
    )
    assert rec.body()["cachedContent"] == "cachedContents/c1"
    assert r.usage_metadata.cached_content_token_count == 4096
    await shell(
        lambda c: c.models.generate_content(
            model="gemini-2.5-flash",
            contents="x",
            config=g.types.GenerateContentConfig(cached_content="c1"),
        )
    )
    assert rec.body()["cachedContent"] == "cachedContents/c1"
