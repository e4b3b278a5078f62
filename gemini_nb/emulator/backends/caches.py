"""Caches (``cachedContents``): explicit context caches, kept in the store, expiring on the clock.

What the real API does, and so this backend:

* ``create`` takes a model, contents, a system instruction, tools and a tool config, and a
  ``ttl`` or an ``expireTime`` (one hour when neither is given). It refuses a cache below the
  model's minimum size (``Cached content is too small. total_token_count=896,
  min_total_token_count=1024``) and models that cannot cache. The answer carries the
  metadata only (name, model, times, displayName, ``usageMetadata.totalTokenCount``), never the
  contents.
* ``patch`` changes only ``ttl`` / ``expireTime`` (with an ``updateMask`` naming them, or, as the
  official SDK sends it, none: the fields present are updated).
* ``delete`` answers ``{}``; ``get`` / ``delete`` / a generate call naming an unknown or expired
  cache get ``403 PERMISSION_DENIED: CachedContent not found (or permission denied)``.
* A generate or countTokens request naming a cache sees the cache's contents, system instruction
  and tools first; usage reports ``cachedContentTokenCount``. The request's model must be the
  cache's, and the request may not set a system instruction, tools or a tool config of its own.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from ..model.tokens import token_count
from ..wire.errors import EmulatorError
from ..wire.routing import Ctx, paged, serves
from . import catalogue as _catalogue
from .state import format_time, parse_duration, parse_time

__all__ = ["CachedContent", "cache_for_request"]

NOUN = "cachedContents"
DEFAULT_TTL = 3600.0
DEFAULT_PAGE_SIZE = 100
NOT_FOUND = "CachedContent not found (or permission denied)"


@dataclass
class CachedContent:
    name: str
    model: str
    create_time: float
    update_time: float
    expire_time: float
    display_name: str
    tokens: int
    content: dict[str, Any] = field(repr=False)  # contents, systemInstruction, tools, toolConfig

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "model": self.model,
            "createTime": format_time(self.create_time),
            "updateTime": format_time(self.update_time),
            "expireTime": format_time(self.expire_time),
            "displayName": self.display_name,
            "usageMetadata": {"totalTokenCount": self.tokens},
        }


def min_tokens(model: str) -> int:
    """The smallest cache the model takes (the caching guide: 1,024 for Flash, 4,096 for Pro)."""
    name = model.removeprefix("models/")
    if "pro" in name or name.startswith("gemini-2.0"):
        return 4096
    return 1024


def _expiry(ctx: Ctx, body: dict[str, Any], *, required: bool) -> float | None:
    ttl, expire = body.get("ttl"), body.get("expireTime")
    if ttl is not None and expire is not None:
        raise EmulatorError(400, "Only one of ttl and expire_time can be set.")
    now = ctx.now
    if ttl is not None:
        seconds = parse_duration(str(ttl))
        if seconds <= 0:
            raise EmulatorError(400, f"ttl must be positive, got {ttl}.")
        return now + seconds
    if expire is not None:
        when = parse_time(str(expire))
        if when <= now:
            raise EmulatorError(400, f"expire_time {expire} is in the past.")
        return when
    return now + DEFAULT_TTL if required else None


def _live(ctx: Ctx) -> dict[str, CachedContent]:
    """The collection, with caches past their expiry dropped (they vanish as real ones do)."""
    ctx.store.expire(NOUN, lambda c, now: c.expire_time <= now)
    coll: dict[str, CachedContent] = ctx.store.collection(NOUN)
    return coll


def _find(ctx: Ctx, name: str) -> CachedContent:
    found = _live(ctx).get(name)
    if found is None:
        raise EmulatorError(403, NOT_FOUND)
    return found


@serves("cachedContents.create")
async def create(ctx: Ctx) -> dict[str, Any]:
    body = await ctx.body()
    model = str(body.get("model") or "")
    if not model:
        raise EmulatorError(400, "CachedContent.model is required.")
    model_id = model.removeprefix("models/")
    info = _catalogue.lookup(model_id)
    if info is None or not info.supports("createCachedContent"):
        raise _catalogue.not_supported_error(model_id, "createCachedContent", ctx.version)
    content = {
        k: copy.deepcopy(body[k])
        for k in ("contents", "systemInstruction", "tools", "toolConfig")
        if body.get(k)
    }
    tokens = token_count(
        content.get("contents"), content.get("systemInstruction"), content.get("tools")
    )
    floor = min_tokens(model_id)
    if tokens < floor:
        raise EmulatorError(
            400,
            f"Cached content is too small. total_token_count={tokens}, "
            f"min_total_token_count={floor}",
        )
    if tokens > info.input_token_limit:
        raise EmulatorError(
            400,
            f"The cached content is of {tokens} tokens. The maximum allowed is "
            f"{info.input_token_limit}.",
        )
    expires = _expiry(ctx, body, required=True)
    assert expires is not None
    now = ctx.now
    cache = CachedContent(
        name=f"{NOUN}/{ctx.store.new_id(40)}",
        model=f"models/{info.name}",
        create_time=now,
        update_time=now,
        expire_time=expires,
        display_name=str(body.get("displayName") or ""),
        tokens=tokens,
        content=content,
    )
    with ctx.store.lock:
        _live(ctx)[cache.name] = cache
    return cache.to_json()


@serves("cachedContents.get")
async def get(ctx: Ctx) -> dict[str, Any]:
    return _find(ctx, ctx.params["name"]).to_json()


@serves("cachedContents.list")
async def list_caches(ctx: Ctx) -> dict[str, Any]:
    offset, size = ctx.page(DEFAULT_PAGE_SIZE)
    with ctx.store.lock:
        items = [c.to_json() for c in _live(ctx).values()]
    return paged(items, "cachedContents", offset, size)


_UPDATABLE = {"ttl", "expireTime", "expire_time"}


@serves("cachedContents.patch")
async def patch(ctx: Ctx) -> dict[str, Any]:
    body = await ctx.body()
    mask = ctx.query.get("updateMask") or ctx.query.get("update_mask")
    if mask:
        paths = [p.strip() for p in mask.split(",") if p.strip()]
        bad = [p for p in paths if p not in _UPDATABLE]
        if bad:
            raise EmulatorError(
                400,
                f"Only ttl and expire_time can be updated; the update mask names {', '.join(bad)}.",
            )
        wanted = {"ttl" if p == "ttl" else "expireTime" for p in paths}
        body = {k: v for k, v in body.items() if k in wanted}
        if not body:
            raise EmulatorError(400, f"The update mask names {mask} but the body sets none of it.")
    else:
        other = sorted(k for k in body if k not in ("ttl", "expireTime", "name"))
        if other:
            raise EmulatorError(
                400, f"Only ttl and expire_time can be updated, not {', '.join(other)}."
            )
    expires = _expiry(ctx, body, required=False)
    if expires is None:
        raise EmulatorError(400, "An update needs a ttl or an expire_time.")
    with ctx.store.lock:
        cache = _find(ctx, ctx.params["name"])
        cache.expire_time = expires
        cache.update_time = ctx.now
        return cache.to_json()


@serves("cachedContents.delete")
async def delete(ctx: Ctx) -> dict[str, Any]:
    with ctx.store.lock:
        cache = _find(ctx, ctx.params["name"])
        _live(ctx).pop(cache.name, None)
    return {}


def cache_for_request(ctx: Ctx, name: str, model: str) -> dict[str, Any]:
    """The cache a generate/countTokens request names, as the model should see it."""
    cache = _find(ctx, name)
    if model and cache.model != model:
        raise EmulatorError(
            400,
            f"Model used by GenerateContent request ({model}) and CachedContent "
            f"({cache.model}) has to be the same.",
        )
    return copy.deepcopy(cache.content)


def check_request_against_cache(request: dict[str, Any]) -> None:
    """A request using a cache may not bring its own system instruction, tools or tool config."""
    if request.get("cachedContent") and any(
        request.get(k) for k in ("systemInstruction", "tools", "toolConfig")
    ):
        raise EmulatorError(
            400,
            "CachedContent can not be used with GenerateContent request setting "
            "system_instruction, tools or tool_config.\n\nProposed fix: move those values to "
            "CachedContent from GenerateContent request.",
        )
