"""Context caches (``cachedContents``): contents stored once and reused by many requests."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, ClassVar

from pydantic import ConfigDict

from ._base import ResponseModel, WireModel
from .http import HttpOptions
from .tools import ToolConfig

__all__ = [
    "CachedContent",
    "CachedContentUsageMetadata",
    "CreateCachedContentConfig",
    "ListCachedContentsConfig",
    "UpdateCachedContentConfig",
]


class CachedContentUsageMetadata(WireModel):
    total_token_count: int | None = None


class CachedContent(ResponseModel):
    """A cache: pass it (or its ``name``) as ``cached_content`` in a generate config."""

    _table_columns: ClassVar[tuple[str, ...]] = (
        "name",
        "display_name",
        "model",
        "usage_metadata.total_token_count",
        "create_time",
        "expire_time",
    )

    name: str | None = None
    display_name: str | None = None
    model: str | None = None
    create_time: datetime | None = None
    update_time: datetime | None = None
    expire_time: datetime | None = None
    usage_metadata: CachedContentUsageMetadata | None = None


Ttl = float | timedelta | str
"""Seconds, a ``timedelta``, or a protobuf Duration string such as ``"300s"``."""


class CreateCachedContentConfig(WireModel):
    """What to cache and for how long (google-genai's names).

    ``ttl`` (seconds, a ``timedelta`` or ``"300s"``) or ``expire_time`` (a ``datetime``; a
    naive one is local time), not both; without either the service keeps it one hour.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    http_options: HttpOptions | None = None
    ttl: Ttl | None = None
    expire_time: datetime | str | None = None
    display_name: str | None = None
    contents: Any = None
    system_instruction: Any = None
    tools: list[Any] | None = None
    tool_config: ToolConfig | None = None


class UpdateCachedContentConfig(WireModel):
    """A new ``ttl`` or ``expire_time`` (exactly one) for an existing cache."""

    http_options: HttpOptions | None = None
    ttl: Ttl | None = None
    expire_time: datetime | str | None = None


class ListCachedContentsConfig(WireModel):
    http_options: HttpOptions | None = None
    page_size: int | None = None
    page_token: str | None = None
