"""The online engine: every row its own request, a bounded number in flight.

``concurrency`` workers share one lazy stream of rows (partitions are read as the stream
reaches them, so at most two are in memory), each one pacing itself through the
:class:`~gemini_nb.dataframes.RateLimiter`. A 429 holds every worker back for the server's
``RetryInfo`` delay; a 5xx or a connection that failed before sending is retried with backoff;
an answer is written to the checkpoint the moment it arrives. A finished partition is handed to
the output as soon as every partition before it is finished, so results come out in input order
whatever order the answers arrive in.

Embeddings go 100 rows to a ``batchEmbedContents`` call (one request for the rate limiter); a
call refused as a whole (400) is split into single rows, so one bad row fails alone.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Generator, Iterator
from typing import TYPE_CHECKING, Any

from .._exceptions import (
    APIConnectionError,
    APIError,
    APIStatusError,
    AuthenticationError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
)
from .._retry import RetryPolicy
from .._transport import Call, Reply
from ..types import HttpOptions
from ._job import Job, Part
from ._limiter import RateLimiter
from ._records import embed_record, generate_record

if TYPE_CHECKING:
    from .._client import AsyncClient
    from .._transport import Flow

__all__ = ["EMBED_GROUP", "OnlineRunner"]

EMBED_GROUP = 100  # batchEmbedContents takes at most 100 requests
_NO_RETRIES = HttpOptions(max_retries=0)
_SENT: dict[str, Any] = {}
# Errors that every other row would get too: stop the run instead of recording each.
_FATAL = (AuthenticationError, PermissionDeniedError, NotFoundError)


def _estimate_tokens(request: dict[str, Any]) -> int:
    """Input tokens before the API counts them: about 4 characters each."""
    chars = 0
    stack: list[Any] = [request.get("contents") or request.get("content")]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            text = item.get("text")
            if isinstance(text, str):
                chars += len(text)
            stack.extend(v for v in item.values() if isinstance(v, (dict, list)))
        elif isinstance(item, list):
            stack.extend(item)
    return max(1, chars // 4)


def _generate_flow(path: str, body: dict[str, Any]) -> Flow[dict[str, Any]]:
    reply: Reply = yield Call("POST", f"{path}:generateContent", body=body, options=_NO_RETRIES)
    data: dict[str, Any] = reply.json()
    return data


def _embed_flow(path: str, requests: list[dict[str, Any]]) -> Flow[dict[str, Any]]:
    body = {"requests": [{"model": path, **r} for r in requests]}
    reply: Reply = yield Call("POST", f"{path}:batchEmbedContents", body=body, options=_NO_RETRIES)
    data: dict[str, Any] = reply.json()
    return data


class _Transient(Exception):
    """A failure worth retrying later (not written to the checkpoint)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class OnlineRunner:
    """Runs a :class:`Job` with the async client ``client``."""

    def __init__(
        self,
        client: AsyncClient | list[AsyncClient],
        job: Job,
        *,
        concurrency: int,
        limiter: RateLimiter,
        max_attempts: int,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ) -> None:
        # Workers share the clients round-robin: httpcore's pool bookkeeping grows with the
        # connections of one pool, so many in flight go faster over a few smaller pools.
        self.clients = client if isinstance(client, list) else [client]
        self.job = job
        self.plan = job.plan
        self.concurrency = concurrency
        self.limiter = limiter
        self.max_attempts = max_attempts
        self.clock = clock
        self.sleep = sleep
        self.policy: RetryPolicy = self.clients[0].settings.retry
        self._tokens = 0
        self._errors = 0

    # ------------------------------------------------------------------ the stream of work

    def _work(self) -> Generator[tuple[Part, list[int]], None, None]:
        job = self.job
        group = EMBED_GROUP if self.plan.kind == "embed" else 1
        for start, frame in job.source.partitions(job.partition_rows):
            part = job.prepare(start, frame)
            job.flush()
            pending = part.pending
            for i in range(0, len(pending), group):
                yield part, pending[i : i + group]

    async def run(self) -> None:
        work = self._work()
        try:
            async with asyncio.TaskGroup() as tg:
                for n in range(self.concurrency):
                    tg.create_task(self._worker(work, self.clients[n % len(self.clients)]))
        except BaseExceptionGroup as group:
            # The first real failure, not the group (a KeyboardInterrupt or a typed API error).
            raise group.exceptions[0] from None
        finally:
            work.close()
        self.job.flush()
        assert not self.job.parts, "every partition is written"

    async def _worker(self, work: Iterator[tuple[Part, list[int]]], client: AsyncClient) -> None:
        for part, rows in work:
            if self.plan.kind == "embed":
                await self._embed(client, part, rows)
            else:
                await self._generate(client, part, rows[0])
            if part.left == 0:
                self.job.flush()

    # ------------------------------------------------------------------ one request

    async def _acquire(self, tokens: int) -> None:
        while True:
            wait = self.limiter.reserve(tokens, self.clock())
            if wait <= 0:
                return
            await self.sleep(wait)

    async def _call(
        self, client: AsyncClient, flow_factory: Callable[[], Flow[dict[str, Any]]], tokens: int
    ) -> Any:
        """One API call with the engine's retries; raises _Transient or a final APIError."""
        attempt = 0
        while True:
            await self._acquire(tokens)
            try:
                return await client._run(flow_factory())
            except _FATAL:
                raise
            except RateLimitError as err:
                self.job.summary.rate_limited += 1
                delay = err.retry_delay
                if delay is None:
                    delay = self.policy.delay(attempt) or self.policy.max_delay
                self.limiter.pause(delay, self.clock())
                attempt += 1
                if attempt >= self.max_attempts * 2:
                    raise _Transient(f"rate limited {attempt} times: {err.message}") from None
            except (ServerError, APIConnectionError) as err:
                sent = isinstance(err, APIConnectionError) and err.request_sent
                attempt += 1
                if sent or attempt >= self.max_attempts:
                    # A request that may have reached the server is not sent again here: it
                    # may have been done (and billed). A rerun of the job tries it again.
                    raise _Transient(err.message) from None
                await self.sleep(self.policy.delay(attempt - 1) or self.policy.max_delay)

    def _record(self, part: Part, i: int, record: dict[str, Any], final: bool) -> None:
        part.done(i, record)
        part.requests[i] = _SENT  # the body is not needed any more: free it now
        if final and self.job.checkpoint is not None:
            self.job.checkpoint.add(part.keys[i], record)
        if record.get("error"):
            self._errors += 1
        elif self.plan.kind == "generate":
            self.job.summary.add_usage(record, batch=False)
            self._tokens += record.get("total_tokens") or 0
        self.job.bar.update(1)
        errors = f", {self._errors:,} errors" if self._errors else ""
        self.job.bar.set_postfix(f"{self._tokens:,} tokens{errors}")

    async def _generate(self, client: AsyncClient, part: Part, i: int) -> None:
        body = part.requests[i]
        tokens = _estimate_tokens(body)
        self.job.summary.sent += 1
        try:
            if self.plan.functions:
                from ..resources.models import generate_op

                cfg = self.plan.config
                assert cfg is not None
                config = cfg.model_copy(update={"http_options": _NO_RETRIES})
                contents = body["contents"]
                typed = await self._call(
                    client,
                    lambda: _typed_flow(generate_op(self.plan.model, contents, config)),
                    tokens,
                )
                data = typed
            else:
                data = await self._call(
                    client, lambda: _generate_flow(self.plan.model, body), tokens
                )
        except _FATAL:
            raise
        except _Transient as exc:
            self._record(part, i, {"error": exc.message}, final=False)
            return
        except APIStatusError as err:
            self._record(part, i, {"error": str(err)}, final=True)
            return
        except APIError as err:
            self._record(part, i, {"error": err.message}, final=False)
            return
        record = generate_record(data)
        actual = record.get("prompt_tokens")
        if actual is not None:
            self.limiter.settle(tokens, actual)
        self._record(part, i, record, final=True)

    async def _embed(self, client: AsyncClient, part: Part, rows: list[int]) -> None:
        requests = [part.requests[i] for i in rows]
        tokens = sum(_estimate_tokens(r) for r in requests)
        self.job.summary.sent += len(rows)
        try:
            data = await self._call(client, lambda: _embed_flow(self.plan.model, requests), tokens)
        except _FATAL:
            raise
        except _Transient as exc:
            for i in rows:
                self._record(part, i, {"error": exc.message}, final=False)
            return
        except APIStatusError as err:
            if len(rows) > 1 and err.status_code == 400:
                # One bad row refuses the whole call: send them one by one to find it.
                self.job.summary.sent -= len(rows)
                for i in rows:
                    await self._embed(client, part, [i])
                return
            for i in rows:
                self._record(part, i, {"error": str(err)}, final=True)
            return
        except APIError as err:
            for i in rows:
                self._record(part, i, {"error": err.message}, final=False)
            return
        embeddings = data.get("embeddings") or []
        for n, i in enumerate(rows):
            values = (embeddings[n] or {}).get("values") if n < len(embeddings) else None
            if values is None:
                self._record(part, i, {"error": "the answer has no embedding"}, final=False)
            else:
                self._record(part, i, embed_record(values), final=True)


def _typed_flow(flow: Flow[Any]) -> Flow[dict[str, Any]]:
    """A typed GenerateContentResponse flow (automatic function calling) as JSON."""
    from ..types import to_wire

    response = yield from flow
    data: dict[str, Any] = to_wire(response)
    return data
