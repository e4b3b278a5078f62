"""client.caches against the emulator over loopback, on both clients: create, get, list,
update (PATCH with updateMask), delete, and generate with cached_content."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

import gemini_nb as g
from gemini_nb.types import CachedContent

from ._run import Run, open_run

MODEL = "gemini-2.5-flash"
# Above the emulator's (and Flash's) 1,024-token floor for a cache.
REPORT = " ".join(
    f"Paragraph {i}: the harvest in the valley was recorded by Ada Lovelace." for i in range(200)
)


@pytest.fixture(params=["sync", "async"])
async def run(request: pytest.FixtureRequest, emulator: Any) -> AsyncIterator[Run]:
    async with open_run(request.param, emulator.url) as r:
        yield r


@pytest.fixture(scope="module")
def emulator() -> Iterator[Any]:
    """An emulator of this module's own: one test moves its clock forward."""
    from gemini_nb.emulator import EmulatorServer

    with EmulatorServer() as server:
        yield server


async def _create(run: Run, **kw: Any) -> CachedContent:
    kw.setdefault("contents", [REPORT])
    kw.setdefault("system_instruction", "Answer from the report.")
    return await run(lambda c: c.caches.create(model=MODEL, **kw))  # type: ignore[no-any-return]


async def test_create_get_list_delete(run: Run) -> None:
    cache = await _create(run, ttl=600, display_name="valley report")
    assert cache.name and cache.name.startswith("cachedContents/")
    assert cache.model == f"models/{MODEL}" and cache.display_name == "valley report"
    assert cache.usage_metadata and cache.usage_metadata.total_token_count >= 1024
    assert cache.create_time and cache.expire_time
    assert cache.expire_time - cache.create_time == pytest.approx(
        timedelta(seconds=600), abs=timedelta(seconds=2)
    )

    got = await run(lambda c: c.caches.get(name=cache.name))
    assert (
        got.name == cache.name
        and got.usage_metadata.total_token_count == cache.usage_metadata.total_token_count
    )
    bare = await run(lambda c: c.caches.get(name=cache.name.removeprefix("cachedContents/")))
    assert bare.name == cache.name

    pager = await run(lambda c: c.caches.list(page_size=1))
    names = [x.name for x in await run.items(pager)]
    assert cache.name in names
    df = await run(lambda c: pager.to_pandas())
    assert {
        "name",
        "display_name",
        "model",
        "total_token_count",
        "create_time",
        "expire_time",
    } == set(df.columns)

    await run(lambda c: c.caches.delete(name=cache))
    # The API answers 403 for a cache that does not exist (or is not yours).
    with pytest.raises(g.PermissionDeniedError, match="CachedContent not found"):
        await run(lambda c: c.caches.get(name=cache.name))


async def test_update_ttl_and_expire_time(run: Run) -> None:
    cache = await _create(run, ttl=60)
    longer = await run(lambda c: c.caches.update(name=cache, ttl=timedelta(hours=2)))
    assert longer.expire_time - cache.expire_time > timedelta(hours=1, minutes=55)
    when = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
    moved = await run(lambda c: c.caches.update(name=cache.name, config={"expire_time": when}))
    assert moved.expire_time == when
    await run(lambda c: c.caches.delete(name=cache.name))


async def test_generate_with_a_cache(run: Run, emulator: Any) -> None:
    cache = await _create(run, ttl="300s")
    r = await run(
        lambda c: c.models.generate_content(
            model=MODEL, contents="Who recorded the harvest?", config={"cached_content": cache}
        )
    )
    assert r.text
    usage = r.usage_metadata
    assert usage.cached_content_token_count == cache.usage_metadata.total_token_count
    assert usage.prompt_token_count > usage.cached_content_token_count
    # By name too, and the cache's model must match.
    r2 = await run(
        lambda c: c.models.generate_content(
            model=MODEL, contents="Again?", config={"cached_content": cache.name}
        )
    )
    assert r2.usage_metadata.cached_content_token_count == usage.cached_content_token_count
    with pytest.raises(g.BadRequestError, match="has to be the same"):
        await run(
            lambda c: c.models.generate_content(
                model="gemini-2.5-pro", contents="x", config={"cached_content": cache}
            )
        )
    await run(lambda c: c.caches.delete(name=cache.name))


async def test_count_tokens_with_a_cache(run: Run) -> None:
    cache = await _create(run, ttl=300)
    plain = await run(lambda c: c.models.count_tokens(model=MODEL, contents="Who recorded it?"))
    cached = await run(
        lambda c: c.models.count_tokens(
            model=MODEL, contents="Who recorded it?", config={"cached_content": cache}
        )
    )
    assert cached.cached_content_token_count == cache.usage_metadata.total_token_count
    assert cached.total_tokens >= plain.total_tokens
    await run(lambda c: c.caches.delete(name=cache.name))


async def test_expired_cache_is_gone(run: Run, emulator: Any) -> None:
    cache = await _create(run, ttl=30)
    emulator.app.clock.advance(31)
    with pytest.raises(g.PermissionDeniedError):
        await run(lambda c: c.caches.get(name=cache.name))


async def test_server_refusals_are_typed(run: Run) -> None:
    with pytest.raises(g.BadRequestError, match="too small"):
        await run(lambda c: c.caches.create(model=MODEL, contents="short", ttl=60))


async def test_client_side_checks_send_nothing(run: Run, sent: list[dict[str, Any]]) -> None:
    with pytest.raises(g.InvalidInputError, match="more than 0"):
        await _create(run, ttl=-1)
    with pytest.raises(g.InvalidInputError, match="not in the future"):
        await _create(run, expire_time=datetime(2020, 1, 1, tzinfo=UTC))
    with pytest.raises(g.InvalidInputError, match="needs a new ttl"):
        await run(lambda c: c.caches.update(name="cachedContents/abc"))
    assert not sent
