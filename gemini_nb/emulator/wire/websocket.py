"""WebSocket routing: the Live API's bidirectional methods.

The real server serves them at ``/ws/google.ai.generativelanguage.{version}.GenerativeService.{Method}``
(the official SDK builds the URL with a doubled slash, ``//ws/...``, which is the same route).
A backend registers a method with :func:`serves_socket`; the key (``x-goog-api-key`` header or
``key`` query parameter) and, for the ``Constrained`` variants, an ephemeral token
(``Authorization: Token auth_tokens/...`` or ``access_token``) are checked by the backend, which
knows what each method accepts. A refused handshake or a bad first message is answered the way
the real server does: the socket is accepted, then closed with a code and a reason.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket

if TYPE_CHECKING:
    from .app import EmulatorApp

__all__ = ["SocketHandler", "serve_socket", "serves_socket"]

SocketHandler = Callable[["EmulatorApp", WebSocket, str], Awaitable[None]]

_SOCKETS: dict[str, SocketHandler] = {}
_PATH = re.compile(
    r"^/+ws/google\.ai\.generativelanguage\.(?P<version>v1beta|v1alpha|v1)\."
    r"GenerativeService\.(?P<method>\w+)$"
)


def serves_socket(method: str) -> Callable[[SocketHandler], SocketHandler]:
    """Register the handler of a bidirectional method (e.g. ``"BidiGenerateContent"``)."""

    def register(fn: SocketHandler) -> SocketHandler:
        _SOCKETS[method] = fn
        return fn

    return register


async def serve_socket(app: EmulatorApp, scope: Scope, receive: Receive, send: Send) -> None:
    ws = WebSocket(scope, receive, send)
    match = _PATH.match(scope["path"])
    handler = _SOCKETS.get(match["method"]) if match else None
    if match is None or handler is None:
        # The front end refuses an unknown WebSocket path before the upgrade.
        await ws.close(code=1008, reason="Method not found.")
        return
    await handler(app, ws, match["version"])
