"""The three contenders doing the same wire work: gemini-nb, google-genai and raw httpx.

Every contender is used the way its users would use it, with its defaults. The only setting
touched is the connection pool, set to the same limits everywhere (those gemini-nb uses by
default), so that 50 requests can be in flight for all of them. Retries: gemini-nb retries
by default and keeps doing so here (they only fire on errors, and this server answers 200);
google-genai retries nothing by default.

Raw httpx is the floor: the same request body, the same headers that matter, and the least
parsing that still turns the answer into Python data (``response.json()``, or ``json.loads``
of each ``data:`` line of a stream).
"""

from __future__ import annotations

import json
import time
from typing import Any, Protocol

import httpx

__all__ = [
    "API_KEY",
    "MODEL",
    "PROMPT",
    "AsyncContender",
    "SyncContender",
    "async_contenders",
    "sync_contenders",
]

API_KEY = "bench-key"
MODEL = "gemini-2.5-flash"
PROMPT = "Explain retrieval-augmented generation in one paragraph."
# What every contender puts on the wire for contents=PROMPT.
REQUEST = {"contents": [{"role": "user", "parts": [{"text": PROMPT}]}]}
POOL = {"max_connections": 100, "max_keepalive_connections": 20}  # gemini-nb's defaults


class SyncContender(Protocol):
    def call(self) -> None: ...
    def stream(self, model: str) -> int: ...
    def first_chunk(self, model: str) -> float: ...
    def list_models(self, page_size: int) -> int: ...
    def close(self) -> None: ...


class AsyncContender(Protocol):
    async def call(self) -> None: ...
    async def stream(self, model: str) -> int: ...
    async def first_chunk(self, model: str) -> float: ...
    async def list_models(self, page_size: int) -> int: ...
    async def close(self) -> None: ...


# --------------------------------------------------------------------------- raw httpx


class RawSync:
    def __init__(self, url: str) -> None:
        self.http = httpx.Client(limits=httpx.Limits(**POOL))
        self.base = f"{url}/v1beta/"
        self.headers = {"x-goog-api-key": API_KEY}

    def call(self) -> None:
        r = self.http.post(
            f"{self.base}models/{MODEL}:generateContent", json=REQUEST, headers=self.headers
        )
        r.raise_for_status()
        r.json()

    def _open(self, model: str) -> Any:
        return self.http.stream(
            "POST",
            f"{self.base}models/{model}:streamGenerateContent",
            params={"alt": "sse"},
            json=REQUEST,
            headers=self.headers,
        )

    def stream(self, model: str) -> int:
        n = 0
        with self._open(model) as r:
            for line in r.iter_lines():
                if line.startswith("data:"):
                    json.loads(line[5:])
                    n += 1
        return n

    def first_chunk(self, model: str) -> float:
        t0 = time.perf_counter()
        took = 0.0
        with self._open(model) as r:
            for line in r.iter_lines():
                if line.startswith("data:"):
                    json.loads(line[5:])
                    took = took or time.perf_counter() - t0
        return took

    def list_models(self, page_size: int) -> int:
        n, token = 0, ""
        while True:
            params: dict[str, Any] = {"pageSize": page_size}
            if token:
                params["pageToken"] = token
            r = self.http.get(f"{self.base}models", params=params, headers=self.headers)
            r.raise_for_status()
            page = json.loads(r.content)
            n += len(page.get("models", ()))
            token = page.get("nextPageToken", "")
            if not token:
                return n

    def close(self) -> None:
        self.http.close()


class RawAsync:
    def __init__(self, url: str) -> None:
        self.http = httpx.AsyncClient(limits=httpx.Limits(**POOL))
        self.base = f"{url}/v1beta/"
        self.headers = {"x-goog-api-key": API_KEY}

    async def call(self) -> None:
        r = await self.http.post(
            f"{self.base}models/{MODEL}:generateContent", json=REQUEST, headers=self.headers
        )
        r.raise_for_status()
        r.json()

    def _open(self, model: str) -> Any:
        return self.http.stream(
            "POST",
            f"{self.base}models/{model}:streamGenerateContent",
            params={"alt": "sse"},
            json=REQUEST,
            headers=self.headers,
        )

    async def stream(self, model: str) -> int:
        n = 0
        async with self._open(model) as r:
            async for line in r.aiter_lines():
                if line.startswith("data:"):
                    json.loads(line[5:])
                    n += 1
        return n

    async def first_chunk(self, model: str) -> float:
        t0 = time.perf_counter()
        took = 0.0
        async with self._open(model) as r:
            async for line in r.aiter_lines():
                if line.startswith("data:"):
                    json.loads(line[5:])
                    took = took or time.perf_counter() - t0
        return took

    async def list_models(self, page_size: int) -> int:
        n, token = 0, ""
        while True:
            params: dict[str, Any] = {"pageSize": page_size}
            if token:
                params["pageToken"] = token
            r = await self.http.get(f"{self.base}models", params=params, headers=self.headers)
            r.raise_for_status()
            page = json.loads(r.content)
            n += len(page.get("models", ()))
            token = page.get("nextPageToken", "")
            if not token:
                return n

    async def close(self) -> None:
        await self.http.aclose()


# --------------------------------------------------------------------------- gemini-nb


class OursSync:
    def __init__(self, url: str) -> None:
        from gemini_nb import Client

        self.client = Client(base_url=url, api_key=API_KEY)

    def call(self) -> None:
        self.client.models.generate_content(model=MODEL, contents=PROMPT)

    def stream(self, model: str) -> int:
        with self.client.models.generate_content_stream(model=model, contents=PROMPT) as s:
            return sum(1 for _ in s)

    def first_chunk(self, model: str) -> float:
        t0 = time.perf_counter()
        with self.client.models.generate_content_stream(model=model, contents=PROMPT) as s:
            chunks = iter(s)
            next(chunks)
            took = time.perf_counter() - t0
            for _ in chunks:  # read to the end so the connection goes back to the pool
                pass
        return took

    def list_models(self, page_size: int) -> int:
        return sum(1 for _ in self.client.models.list(page_size=page_size))

    def close(self) -> None:
        self.client.close()


class OursAsync:
    def __init__(self, url: str) -> None:
        from gemini_nb import AsyncClient

        self.client = AsyncClient(base_url=url, api_key=API_KEY)

    async def call(self) -> None:
        await self.client.models.generate_content(model=MODEL, contents=PROMPT)

    async def stream(self, model: str) -> int:
        n = 0
        async with self.client.models.generate_content_stream(model=model, contents=PROMPT) as s:
            async for _ in s:
                n += 1
        return n

    async def first_chunk(self, model: str) -> float:
        t0 = time.perf_counter()
        took = 0.0
        async with self.client.models.generate_content_stream(model=model, contents=PROMPT) as s:
            async for _ in s:
                took = took or time.perf_counter() - t0
        return took

    async def list_models(self, page_size: int) -> int:
        pager = await self.client.models.list(page_size=page_size)
        n = 0
        async for _ in pager:
            n += 1
        return n

    async def close(self) -> None:
        await self.client.close()


# --------------------------------------------------------------------------- google-genai


def _genai_client(url: str) -> Any:
    import httpx2
    from google import genai

    return genai.Client(
        api_key=API_KEY,
        http_options={
            "base_url": url,
            "api_version": "v1beta",  # 3.x defaults to v1; the others use v1beta
            "client_args": {"limits": httpx2.Limits(**POOL)},
            "async_client_args": {"limits": httpx2.Limits(**POOL)},
        },
    )


class GenaiSync:
    def __init__(self, url: str) -> None:
        self.client = _genai_client(url)

    def call(self) -> None:
        self.client.models.generate_content(model=MODEL, contents=PROMPT)

    def stream(self, model: str) -> int:
        return sum(
            1 for _ in self.client.models.generate_content_stream(model=model, contents=PROMPT)
        )

    def first_chunk(self, model: str) -> float:
        t0 = time.perf_counter()
        chunks = self.client.models.generate_content_stream(model=model, contents=PROMPT)
        next(chunks)
        took = time.perf_counter() - t0
        for _ in chunks:
            pass
        return took

    def list_models(self, page_size: int) -> int:
        return sum(1 for _ in self.client.models.list(config={"page_size": page_size}))

    def close(self) -> None:
        self.client.close()


class GenaiAsync:
    def __init__(self, url: str) -> None:
        self.client = _genai_client(url).aio

    async def call(self) -> None:
        await self.client.models.generate_content(model=MODEL, contents=PROMPT)

    async def stream(self, model: str) -> int:
        n = 0
        async for _ in await self.client.models.generate_content_stream(
            model=model, contents=PROMPT
        ):
            n += 1
        return n

    async def first_chunk(self, model: str) -> float:
        t0 = time.perf_counter()
        took = 0.0
        async for _ in await self.client.models.generate_content_stream(
            model=model, contents=PROMPT
        ):
            took = took or time.perf_counter() - t0
        return took

    async def list_models(self, page_size: int) -> int:
        pager = await self.client.models.list(config={"page_size": page_size})
        n = 0
        async for _ in pager:
            n += 1
        return n

    async def close(self) -> None:
        await self.client.aclose()


def sync_contenders(url: str) -> dict[str, SyncContender]:
    return {"raw": RawSync(url), "ours": OursSync(url), "genai": GenaiSync(url)}


def async_contenders(url: str) -> dict[str, AsyncContender]:
    """Build inside the running event loop: async pools belong to the loop that uses them."""
    return {"raw": RawAsync(url), "ours": OursAsync(url), "genai": GenaiAsync(url)}
