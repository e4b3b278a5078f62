"""``client.caches``: context caches (``cachedContents``) to reuse a long prompt cheaply.

>>> cache = client.caches.create(model="gemini-2.5-flash", contents=[big_pdf_file],
...                              system_instruction="You answer from the report.", ttl=600)  # doctest: +SKIP
>>> client.models.generate_content(model="gemini-2.5-flash", contents="Who wrote it?",
...                                config={"cached_content": cache})                    # doctest: +SKIP
>>> client.caches.update(name=cache.name, ttl="3600s")                                  # doctest: +SKIP
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from .._convert import _system_instruction as system_instruction_wire
from .._convert import cache_name, model_path, split_tools, to_contents
from .._exceptions import InvalidInputError
from .._options import coerce_config_as, http_options_of
from .._pager import AsyncPager, Pager, list_args, list_flow
from .._transport import Call, Reply
from ..types import (
    CachedContent,
    CreateCachedContentConfig,
    HttpOptions,
    UpdateCachedContentConfig,
    to_wire,
)

if TYPE_CHECKING:
    from .._client import AsyncClient, Client
    from .._transport import Flow

__all__ = ["AsyncCaches", "Caches", "format_expire_time", "format_ttl"]

_DURATION = re.compile(r"^\s*(\d+(?:\.\d{1,9})?)s\s*$")


# ------------------------------------------------------------------ ttl and expiry


def format_ttl(ttl: Any) -> str:
    """A protobuf Duration string (``"300s"``, ``"1.5s"``) from seconds, a ``timedelta`` or
    such a string; zero, negative or non-finite values are refused."""
    if isinstance(ttl, timedelta):
        seconds = ttl.total_seconds()
    elif isinstance(ttl, bool):
        seconds = math.nan
    elif isinstance(ttl, (int, float)):
        seconds = float(ttl)
    elif isinstance(ttl, str):
        m = _DURATION.match(ttl)
        if m is None:
            raise InvalidInputError(
                f"ttl {ttl!r} is not a duration; pass seconds (600), a timedelta, or a "
                "string such as '600s'."
            )
        seconds = float(m.group(1))
    else:
        raise InvalidInputError(
            f"ttl must be seconds, a timedelta or a string such as '600s', not {type(ttl).__name__}."
        )
    if not math.isfinite(seconds):
        raise InvalidInputError(f"ttl must be a finite number of seconds, not {ttl!r}.")
    if seconds <= 0:
        raise InvalidInputError(
            f"ttl must be more than 0 seconds (got {seconds:g}); to drop a cache now, use "
            "client.caches.delete(name=...)."
        )
    if seconds == int(seconds):
        return f"{int(seconds)}s"
    return f"{seconds:.9f}".rstrip("0") + "s"


def format_expire_time(value: Any, *, now: datetime | None = None) -> str:
    """An RFC 3339 UTC timestamp from a ``datetime`` (a naive one is local time) or an ISO
    string; a time that is not in the future is refused."""
    if isinstance(value, str):
        try:
            when = datetime.fromisoformat(value.strip())
        except ValueError:
            raise InvalidInputError(
                f"expire_time {value!r} is not an ISO 8601 time such as "
                "'2030-01-01T12:00:00Z'; or pass a datetime."
            ) from None
    elif isinstance(value, datetime):
        when = value
    else:
        raise InvalidInputError(
            f"expire_time must be a datetime or an ISO 8601 string, not {type(value).__name__}."
        )
    # astimezone() reads a naive datetime as local time, as datetime.now() makes them.
    when = when.astimezone(UTC)
    current = now if now is not None else datetime.now(UTC)
    if when <= current:
        raise InvalidInputError(
            f"expire_time {when.isoformat()} is not in the future (now it is "
            f"{current.isoformat(timespec='seconds')}); pass a later time, or a ttl."
        )
    return when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _expiry(ttl: Any, expire_time: Any) -> dict[str, str]:
    if ttl is not None and expire_time is not None:
        raise InvalidInputError("Pass ttl or expire_time, not both.")
    if ttl is not None:
        return {"ttl": format_ttl(ttl)}
    if expire_time is not None:
        return {"expireTime": format_expire_time(expire_time)}
    return {}


# ------------------------------------------------------------------ flows


def create_flow(model: str, cfg: CreateCachedContentConfig) -> Flow[CachedContent]:
    body: dict[str, Any] = {"model": model_path(model)}
    if cfg.display_name is not None:
        body["displayName"] = cfg.display_name
    if cfg.contents is not None:
        body["contents"] = to_contents(cfg.contents)
    if cfg.system_instruction is not None:
        body["systemInstruction"] = system_instruction_wire(cfg.system_instruction)
    if cfg.tools:
        # Python functions are declared like any tool; the cache keeps only the declarations.
        tools, _ = split_tools(cfg.tools)
        body["tools"] = tools
    if cfg.tool_config is not None:
        body["toolConfig"] = to_wire(cfg.tool_config)
    body.update(_expiry(cfg.ttl, cfg.expire_time))
    reply: Reply = yield Call("POST", "cachedContents", body=body, options=cfg.http_options)
    return reply.model(CachedContent)


def get_flow(name: str, options: HttpOptions | None) -> Flow[CachedContent]:
    reply: Reply = yield Call("GET", name, options=options)
    return reply.model(CachedContent)


def update_flow(name: str, cfg: UpdateCachedContentConfig) -> Flow[CachedContent]:
    body = _expiry(cfg.ttl, cfg.expire_time)
    if not body:
        raise InvalidInputError(
            "update needs a new ttl (seconds, a timedelta or '600s') or expire_time."
        )
    reply: Reply = yield Call(
        "PATCH", name, params={"updateMask": ",".join(body)}, body=body, options=cfg.http_options
    )
    return reply.model(CachedContent)


def delete_flow(name: str, options: HttpOptions | None) -> Flow[None]:
    yield Call("DELETE", name, options=options)
    return None


def _create_config(
    config: Any,
    *,
    contents: Any,
    system_instruction: Any,
    tools: Any,
    tool_config: Any,
    ttl: Any,
    expire_time: Any,
    display_name: str | None,
) -> CreateCachedContentConfig:
    return coerce_config_as(
        CreateCachedContentConfig,
        config,
        contents=contents,
        system_instruction=system_instruction,
        tools=tools,
        tool_config=tool_config,
        ttl=ttl,
        expire_time=expire_time,
        display_name=display_name,
    )


# ------------------------------------------------------------------ shells


class Caches:
    """Create, inspect, extend and delete context caches.

    ``create`` takes google-genai's ``CreateCachedContentConfig`` as ``config``, or the same
    fields as keywords; ``ttl`` is seconds, a ``timedelta`` or ``"600s"``.
    """

    def __init__(self, client: Client) -> None:
        self._client = client

    def create(
        self,
        *,
        model: str,
        config: CreateCachedContentConfig | dict[str, Any] | None = None,
        contents: Any = None,
        system_instruction: Any = None,
        tools: list[Any] | None = None,
        tool_config: Any = None,
        ttl: float | timedelta | str | None = None,
        expire_time: datetime | str | None = None,
        display_name: str | None = None,
    ) -> CachedContent:
        cfg = _create_config(
            config,
            contents=contents,
            system_instruction=system_instruction,
            tools=tools,
            tool_config=tool_config,
            ttl=ttl,
            expire_time=expire_time,
            display_name=display_name,
        )
        return self._client._run(create_flow(model, cfg))

    def get(self, *, name: str | CachedContent, config: Any = None) -> CachedContent:
        return self._client._run(get_flow(cache_name(name), http_options_of(config)))

    def list(
        self, *, config: Any = None, page_size: int | None = None, page_token: str | None = None
    ) -> Pager[CachedContent]:
        args = list_args(config, page_size=page_size, page_token=page_token)
        return Pager(
            self._client,
            lambda t: list_flow("cachedContents", CachedContent, "cachedContents", args, t),
            CachedContent,
        )

    def update(
        self,
        *,
        name: str | CachedContent,
        config: UpdateCachedContentConfig | dict[str, Any] | None = None,
        ttl: float | timedelta | str | None = None,
        expire_time: datetime | str | None = None,
    ) -> CachedContent:
        """A new expiry for the cache (PATCH with ``updateMask``): ``ttl`` or ``expire_time``."""
        cfg = coerce_config_as(UpdateCachedContentConfig, config, ttl=ttl, expire_time=expire_time)
        return self._client._run(update_flow(cache_name(name), cfg))

    def delete(self, *, name: str | CachedContent, config: Any = None) -> None:
        self._client._run(delete_flow(cache_name(name), http_options_of(config)))


class AsyncCaches:
    """The async twin of :class:`Caches`."""

    def __init__(self, client: AsyncClient) -> None:
        self._client = client

    async def create(
        self,
        *,
        model: str,
        config: CreateCachedContentConfig | dict[str, Any] | None = None,
        contents: Any = None,
        system_instruction: Any = None,
        tools: list[Any] | None = None,
        tool_config: Any = None,
        ttl: float | timedelta | str | None = None,
        expire_time: datetime | str | None = None,
        display_name: str | None = None,
    ) -> CachedContent:
        cfg = _create_config(
            config,
            contents=contents,
            system_instruction=system_instruction,
            tools=tools,
            tool_config=tool_config,
            ttl=ttl,
            expire_time=expire_time,
            display_name=display_name,
        )
        return await self._client._run(create_flow(model, cfg))

    async def get(self, *, name: str | CachedContent, config: Any = None) -> CachedContent:
        return await self._client._run(get_flow(cache_name(name), http_options_of(config)))

    async def list(
        self, *, config: Any = None, page_size: int | None = None, page_token: str | None = None
    ) -> AsyncPager[CachedContent]:
        args = list_args(config, page_size=page_size, page_token=page_token)
        pager = AsyncPager(
            self._client,
            lambda t: list_flow("cachedContents", CachedContent, "cachedContents", args, t),
            CachedContent,
        )
        return await pager._start()

    async def update(
        self,
        *,
        name: str | CachedContent,
        config: UpdateCachedContentConfig | dict[str, Any] | None = None,
        ttl: float | timedelta | str | None = None,
        expire_time: datetime | str | None = None,
    ) -> CachedContent:
        cfg = coerce_config_as(UpdateCachedContentConfig, config, ttl=ttl, expire_time=expire_time)
        return await self._client._run(update_flow(cache_name(name), cfg))

    async def delete(self, *, name: str | CachedContent, config: Any = None) -> None:
        await self._client._run(delete_flow(cache_name(name), http_options_of(config)))
