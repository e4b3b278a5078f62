"""One runner for both clients against the emulator: ``await run(lambda c: c.caches.get(...))``
calls the method on a sync or an async client and awaits it when it is a coroutine."""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import AsyncIterator, Callable
from typing import Any

from gemini_nb import AsyncClient, Client


class Run:
    def __init__(self, kind: str, client: Client | AsyncClient) -> None:
        self.kind = kind
        self.client: Any = client

    async def __call__(self, fn: Callable[[Any], Any]) -> Any:
        result = fn(self.client)
        if inspect.isawaitable(result):
            result = await result
        return result

    async def items(self, pager: Any) -> list[Any]:
        if self.kind == "sync":
            return list(pager)
        return [x async for x in pager]


@contextlib.asynccontextmanager
async def open_run(kind: str, url: str) -> AsyncIterator[Run]:
    """A runner on a new client of ``kind`` ("sync" or "async"), closed at the end."""
    client = Client(base_url=url) if kind == "sync" else AsyncClient(base_url=url)
    try:
        yield Run(kind, client)
    finally:
        if isinstance(client, Client):
            client.close()
        else:
            await client.close()
