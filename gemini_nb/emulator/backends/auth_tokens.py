"""Ephemeral tokens (``auth_tokens.create``): short-lived credentials for Live sessions.

A browser gets a token from a server that holds the real key and connects to the
``BidiGenerateContentConstrained`` endpoint with it. What the real API does, and so this
backend: ``uses`` (default 1, 0 for no limit) counts new sessions; ``expireTime`` (default 30
minutes) ends the token; ``newSessionExpireTime`` (default 1 minute) ends the time in which new
sessions may start; a ``bidiGenerateContentSetup`` locks the session's setup: entirely when
``fieldMask`` is empty, else only the fields it names.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..wire.errors import EmulatorError
from ..wire.routing import Ctx, serves
from .state import Store, format_time, parse_time

__all__ = ["redeem"]

NOUN = "authTokens"
DEFAULT_EXPIRY = 30 * 60.0
DEFAULT_NEW_SESSION = 60.0

Lock = Callable[[dict[str, Any]], dict[str, Any]]


@dataclass
class _Token:
    name: str
    expire_time: float
    new_session_expire_time: float
    uses: int  # 0: no limit
    setup: dict[str, Any] | None
    mask: list[str]
    remaining: int = 0

    def admit(self, store: Store, connection_setup: dict[str, Any]) -> dict[str, Any]:
        """The setup a connection gets; a new session counts a use, a resumed one does not."""
        resumption = connection_setup.get("sessionResumption") or connection_setup.get(
            "session_resumption"
        )
        handle = resumption.get("handle") if isinstance(resumption, dict) else None
        if not handle:
            with store.lock:
                if self.new_session_expire_time <= store.clock.time():
                    raise EmulatorError(
                        401, "The ephemeral token can no longer start new sessions."
                    )
                if self.uses:
                    if self.remaining <= 0:
                        raise EmulatorError(401, "The ephemeral token has no uses left.")
                    self.remaining -= 1
        setup = self._lock(connection_setup)
        if handle:
            # Resuming keeps its handle whatever the token locks.
            setup = {
                **setup,
                "sessionResumption": {**(setup.get("sessionResumption") or {}), "handle": handle},
            }
        return setup

    def _lock(self, connection_setup: dict[str, Any]) -> dict[str, Any]:
        if self.setup is None:
            return connection_setup
        if not self.mask:
            return copy.deepcopy(self.setup)
        merged = dict(connection_setup)
        for path in self.mask:
            top = path.split(".", 1)[0]
            top = "".join(w if i == 0 else w.title() for i, w in enumerate(top.split("_")))
            if top in self.setup:
                merged[top] = copy.deepcopy(self.setup[top])
            else:
                merged.pop(top, None)
        return merged


@serves("auth_tokens.create")
async def create(ctx: Ctx) -> dict[str, Any]:
    body = await ctx.body()
    now = ctx.now
    expire = parse_time(body["expireTime"]) if body.get("expireTime") else now + DEFAULT_EXPIRY
    new_session = (
        parse_time(body["newSessionExpireTime"])
        if body.get("newSessionExpireTime")
        else now + DEFAULT_NEW_SESSION
    )
    if expire <= now:
        raise EmulatorError(400, "expire_time must be in the future.")
    if expire - now > 20 * 3600:
        raise EmulatorError(400, "expire_time can be at most 20 hours in the future.")
    uses = int(body.get("uses", 1))
    if uses < 0:
        raise EmulatorError(400, "uses must not be negative.")
    mask = [p.strip() for p in str(body.get("fieldMask") or "").split(",") if p.strip()]
    token = _Token(
        name=f"auth_tokens/{ctx.store.new_id(40)}",
        expire_time=expire,
        new_session_expire_time=min(new_session, expire),
        uses=uses,
        setup=body.get("bidiGenerateContentSetup"),
        mask=mask,
        remaining=uses,
    )
    with ctx.store.lock:
        ctx.store.collection(NOUN)[token.name] = token
    out: dict[str, Any] = {
        "name": token.name,
        "expireTime": format_time(token.expire_time),
        "newSessionExpireTime": format_time(token.new_session_expire_time),
    }
    if uses != 1:
        out["uses"] = uses
    return out


def redeem(store: Store, name: str) -> Lock:
    """Check token ``name`` for a connection; return how it admits the connection's setup.

    Uses are counted when the setup arrives (:meth:`_Token.admit`): a session resumed with a
    handle is not a new use, and may resume until the token itself expires.
    """
    now = store.clock.time()
    with store.lock:
        token: _Token | None = store.collection(NOUN).get(name)
    if token is None or token.expire_time <= now:
        raise EmulatorError(401, "The ephemeral token is not valid or has expired.")
    return lambda setup: token.admit(store, setup)
