"""``client.auth_tokens``: ephemeral tokens, so that a browser can open a Live session without
the real key (``POST v1alpha/auth_tokens``).

>>> token = client.auth_tokens.create(config={
...     "uses": 1,
...     "live_connect_constraints": {"model": "gemini-2.5-flash-native-audio-latest",
...                                  "config": {"response_modalities": ["AUDIO"]}},
... })                                                                  # doctest: +SKIP
>>> token.name  # 'auth_tokens/…': the browser's key, for BidiGenerateContentConstrained

A session opened with the token (``Client(api_key=token.name)``, or
``connect(..., auth_token=token)``) goes to the ``BidiGenerateContentConstrained`` endpoint of
``v1alpha`` with ``Authorization: Token auth_tokens/…``; the token's constraints replace the
setup it asks for (all of it, or the fields ``lock_additional_fields`` says).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from .._exceptions import InvalidInputError
from .._live import build_setup
from .._options import coerce_config_as
from .._transport import Call, Flow, Reply
from ..types import GenerationConfig
from ..types.auth_tokens import AuthToken, CreateAuthTokenConfig

if TYPE_CHECKING:
    from .._client import AsyncClient, Client

__all__ = ["AsyncAuthTokens", "AuthTokens", "auth_token_body", "field_mask"]

# Ephemeral tokens exist in v1alpha only, whatever the client's API version.
VERSION = "v1alpha"


def _time(value: Any, name: str) -> str:
    if isinstance(value, str):
        try:
            when = datetime.fromisoformat(value.strip())
        except ValueError:
            raise InvalidInputError(
                f"{name} {value!r} is not an ISO 8601 time such as '2030-01-01T12:00:00Z'; "
                "or pass a datetime."
            ) from None
    elif isinstance(value, datetime):
        when = value
    else:
        raise InvalidInputError(f"{name} must be a datetime or an ISO 8601 string.")
    when = when.astimezone(UTC)  # a naive datetime is local time
    now = datetime.now(UTC)
    if when <= now:
        raise InvalidInputError(
            f"{name} {when.isoformat()} is not in the future (now it is "
            f"{now.isoformat(timespec='seconds')}); pass a later time."
        )
    return when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


_GENERATION_FIELDS = frozenset(GenerationConfig.model_fields)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(w[:1].upper() + w[1:] for w in rest)


def field_mask(setup: dict[str, Any], lock_additional_fields: list[str] | None) -> str | None:
    """The token's ``fieldMask``, as google-genai computes it: None locks the whole setup;
    otherwise the fields the setup sets (``parent.child`` one level down) plus the named ones
    (a generation setting such as ``temperature`` is ``generationConfig.temperature``)."""
    if lock_additional_fields is None:
        return None
    paths: list[str] = []
    for key, value in setup.items():
        if isinstance(value, dict) and value:
            paths.extend(f"{key}.{child}" for child in value)
        else:
            paths.append(key)
    for name in lock_additional_fields:
        if not isinstance(name, str) or not name.strip():
            raise InvalidInputError(
                "lock_additional_fields holds field names such as 'temperature'."
            )
        name = name.strip()
        if name in _GENERATION_FIELDS:
            paths.append(f"generationConfig.{_camel(name)}")
        else:
            paths.append(".".join(_camel(part) for part in name.split(".")))
    return ",".join(paths)


def auth_token_body(config: Any) -> tuple[dict[str, Any], CreateAuthTokenConfig]:
    """The ``AuthToken`` to create, from a :class:`CreateAuthTokenConfig` or a dict."""
    cfg = coerce_config_as(CreateAuthTokenConfig, config)
    body: dict[str, Any] = {}
    if cfg.expire_time is not None:
        body["expireTime"] = _time(cfg.expire_time, "expire_time")
    if cfg.new_session_expire_time is not None:
        body["newSessionExpireTime"] = _time(cfg.new_session_expire_time, "new_session_expire_time")
    if cfg.uses is not None:
        body["uses"] = cfg.uses
    constraints = cfg.live_connect_constraints
    if constraints is not None:
        if not constraints.model:
            raise InvalidInputError(
                "live_connect_constraints needs the model the token's sessions use."
            )
        setup = build_setup(constraints.model, constraints.config)
        wire = setup.setup_dict(setup.handle)
        body["bidiGenerateContentSetup"] = wire
        mask = field_mask(wire, cfg.lock_additional_fields)
        if mask is not None:
            body["fieldMask"] = mask
    elif cfg.lock_additional_fields:
        raise InvalidInputError("lock_additional_fields needs live_connect_constraints to lock.")
    return body, cfg


def create_flow(config: Any, base_url: str) -> Flow[AuthToken]:
    body, cfg = auth_token_body(config)
    url = f"{base_url.rstrip('/')}/{VERSION}/auth_tokens"
    reply: Reply = yield Call("POST", "auth_tokens", url=url, body=body, options=cfg.http_options)
    return reply.model(AuthToken)


class AuthTokens:
    """``client.auth_tokens``: create ephemeral tokens for Live sessions."""

    def __init__(self, client: Client) -> None:
        self._client = client

    def create(self, *, config: CreateAuthTokenConfig | dict[str, Any] | None = None) -> AuthToken:
        """A new token (``config`` as google-genai's ``CreateAuthTokenConfig``)."""
        return self._client._run(create_flow(config, self._client.base_url))


class AsyncAuthTokens:
    """The async twin of :class:`AuthTokens`."""

    def __init__(self, client: AsyncClient) -> None:
        self._client = client

    async def create(
        self, *, config: CreateAuthTokenConfig | dict[str, Any] | None = None
    ) -> AuthToken:
        return await self._client._run(create_flow(config, self._client.base_url))
