"""Ephemeral tokens (``client.auth_tokens.create``): short-lived credentials for Live sessions,
so that a browser can talk to the API without the real key.

>>> CreateAuthTokenConfig(uses=1, live_connect_constraints={"model": "gemini-live-2.5-flash-preview"})  # doctest: +SKIP
"""

from __future__ import annotations

from datetime import datetime

from pydantic import ConfigDict, Field

from ._base import ResponseModel, WireModel
from .http import HttpOptions
from .live import LiveConnectConfig

__all__ = ["AuthToken", "CreateAuthTokenConfig", "LiveConnectConstraints"]


class LiveConnectConstraints(WireModel):
    """The Live session a token may open: its ``model`` and ``config`` (locked, see
    :class:`CreateAuthTokenConfig`)."""

    model: str | None = None
    config: LiveConnectConfig | None = None


class CreateAuthTokenConfig(WireModel):
    """How a token may be used, as google-genai's ``CreateAuthTokenConfig``.

    ``uses``: how many sessions it may start (the API's default is 1; 0 means no limit).
    ``expire_time``: when it stops working (default 30 minutes). ``new_session_expire_time``:
    until when it may start sessions (default 1 minute). ``live_connect_constraints``: the
    setup the token's sessions get. ``lock_additional_fields``: None locks the whole setup;
    ``[]`` locks only the fields the constraints set; names add more fields to the lock
    (``"temperature"`` for ``generationConfig.temperature``).
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    http_options: HttpOptions | None = None
    expire_time: datetime | str | None = None
    new_session_expire_time: datetime | str | None = None
    uses: int | None = Field(default=None, ge=0)
    live_connect_constraints: LiveConnectConstraints | None = None
    lock_additional_fields: list[str] | None = None


class AuthToken(ResponseModel):
    """A created token: pass ``name`` (``auth_tokens/…``) as the browser's API key."""

    name: str | None = None
    expire_time: str | None = None
    new_session_expire_time: str | None = None
    uses: int | None = None
