"""The HTTP connection protocol: uvicorn's h11 protocol with a deadline for request headers.

uvicorn closes idle keep-alive connections, but not a connection that never finishes sending
its request line and headers: a few such connections would tie up a shared emulator for good.
Here a connection whose headers are not complete within ``header_timeout`` seconds (from
connecting, or from the first byte of a later request on the same connection) is closed. A body
that stalls half-way is the app's to time out (``EmulatorOptions.body_timeout``).
"""

from __future__ import annotations

import asyncio
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

__all__ = ["HEADER_TIMEOUT", "DeadlineProtocol"]

HEADER_TIMEOUT = 10.0


class DeadlineProtocol(H11Protocol):
    header_timeout = HEADER_TIMEOUT

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_task: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state is h11.IDLE:
            if self._header_task is None:
                self._arm()
        else:
            self._disarm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._disarm()
        self._header_task = self.loop.call_later(self.header_timeout, self._expire)

    def _disarm(self) -> None:
        if self._header_task is not None:
            self._header_task.cancel()
            self._header_task = None

    def _expire(self) -> None:
        self._header_task = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self.transport.close()


def protocol_with(header_timeout: float) -> type[DeadlineProtocol]:
    """A protocol class with its own header deadline (uvicorn builds one per connection)."""
    return type("DeadlineProtocol", (DeadlineProtocol,), {"header_timeout": header_timeout})
