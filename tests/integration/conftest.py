"""Sync and async clients behind one awaitable interface, so each test runs against both."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from gemini_nb import AsyncClient, Client


class SyncAPI:
    kind = "sync"

    def __init__(self, **kw: Any) -> None:
        self.client = Client(**kw)

    async def generate(self, **kw: Any) -> Any:
        return self.client.models.generate_content(**kw)

    async def stream(self, **kw: Any) -> tuple[list[Any], Any]:
        with self.client.models.generate_content_stream(**kw) as stream:
            chunks = list(stream)
            return chunks, stream.get_final_response()

    async def stream_texts(self, **kw: Any) -> list[str]:
        with self.client.models.generate_content_stream(**kw) as stream:
            return list(stream.text_stream)

    def open_stream(self, **kw: Any) -> Any:
        return self.client.models.generate_content_stream(**kw)

    async def collect(self, stream: Any) -> list[Any]:
        return list(stream)

    async def count(self, **kw: Any) -> Any:
        return self.client.models.count_tokens(**kw)

    async def embed(self, **kw: Any) -> Any:
        return self.client.models.embed_content(**kw)

    async def get(self, **kw: Any) -> Any:
        return self.client.models.get(**kw)

    async def list(self, **kw: Any) -> list[Any]:
        return list(self.client.models.list(**kw))

    async def pager(self, **kw: Any) -> Any:
        return self.client.models.list(**kw)

    def chat(self, **kw: Any) -> Any:
        return self.client.chats.create(**kw)

    async def send(self, chat: Any, message: Any, **kw: Any) -> Any:
        return chat.send_message(message, **kw)

    async def send_stream(self, chat: Any, message: Any) -> tuple[list[Any], Any]:
        stream = chat.send_message_stream(message)
        chunks = list(stream)
        return chunks, stream.get_final_response()

    async def close(self) -> None:
        self.client.close()


class AsyncAPI:
    kind = "async"

    def __init__(self, **kw: Any) -> None:
        self.client = AsyncClient(**kw)

    async def generate(self, **kw: Any) -> Any:
        return await self.client.models.generate_content(**kw)

    async def stream(self, **kw: Any) -> tuple[list[Any], Any]:
        async with self.client.models.generate_content_stream(**kw) as stream:
            chunks = [c async for c in stream]
            return chunks, await stream.get_final_response()

    async def stream_texts(self, **kw: Any) -> list[str]:
        async with self.client.models.generate_content_stream(**kw) as stream:
            return [t async for t in stream.text_stream]

    def open_stream(self, **kw: Any) -> Any:
        return self.client.models.generate_content_stream(**kw)

    async def collect(self, stream: Any) -> list[Any]:
        return [c async for c in stream]

    async def count(self, **kw: Any) -> Any:
        return await self.client.models.count_tokens(**kw)

    async def embed(self, **kw: Any) -> Any:
        return await self.client.models.embed_content(**kw)

    async def get(self, **kw: Any) -> Any:
        return await self.client.models.get(**kw)

    async def list(self, **kw: Any) -> list[Any]:
        pager = await self.client.models.list(**kw)
        return await pager.to_list()

    async def pager(self, **kw: Any) -> Any:
        return await self.client.models.list(**kw)

    def chat(self, **kw: Any) -> Any:
        return self.client.chats.create(**kw)

    async def send(self, chat: Any, message: Any, **kw: Any) -> Any:
        return await chat.send_message(message, **kw)

    async def send_stream(self, chat: Any, message: Any) -> tuple[list[Any], Any]:
        stream = chat.send_message_stream(message)
        chunks = [c async for c in stream]
        return chunks, await stream.get_final_response()

    async def close(self) -> None:
        await self.client.close()


@pytest.fixture(params=["sync", "async"])
async def api(request: pytest.FixtureRequest, emulator: Any) -> AsyncIterator[SyncAPI | AsyncAPI]:
    cls = SyncAPI if request.param == "sync" else AsyncAPI
    client = cls(base_url=emulator.url)
    yield client
    await client.close()


@pytest.fixture(params=["sync", "async"])
def make_api(request: pytest.FixtureRequest, emulator: Any) -> Any:
    """Build a client of the parametrized kind with other options (closed by the test)."""
    cls = SyncAPI if request.param == "sync" else AsyncAPI

    def make(**kw: Any) -> SyncAPI | AsyncAPI:
        kw.setdefault("base_url", emulator.url)
        return cls(**kw)

    return make
