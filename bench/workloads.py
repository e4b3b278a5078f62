"""The wire workloads: calls, concurrency, streams, first chunks and listings, per contender."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial

from .clients import AsyncContender, SyncContender, async_contenders, sync_contenders
from .harness import Row, ServerMeter, Target, interleave, interleave_async
from .server import MODEL_COUNT, stream_model

__all__ = ["WIRE_ROWS", "Config", "run_async", "run_sync"]

PER_CALL = Target(1.15, "max", "per-call")
STREAMING = Target(0.5, "min", "streaming")
LISTING = Target(1.5, "max", "listing")

# Row keys of the wire table, by the --only group that produces them.
WIRE_ROWS = {
    "call": ("call_sync", "call_async"),
    "concurrent": ("concurrent", "concurrent_rate"),
    "stream": ("stream_sync", "stream_async"),
    "ttfc": ("ttfc_sync", "ttfc_async"),
    "list": ("list_50", "list_1000"),
}


@dataclass(frozen=True)
class Config:
    rounds: int
    calls: int  # sequential calls per round
    burst: int  # calls per concurrent round
    in_flight: int
    events: int  # chunks in the throughput stream
    first_chunks: int  # one-event streams per round
    listings: int  # full listings per round and page size
    import_runs: int
    importtime_runs: int
    memory_events: int

    @classmethod
    def full(cls, rounds: int | None = None) -> Config:
        return cls(rounds or 11, 300, 500, 50, 5000, 150, 3, 15, 5, 5000)

    @classmethod
    def quick(cls, rounds: int | None = None) -> Config:
        return cls(rounds or 2, 20, 100, 50, 300, 10, 1, 1, 1, 300)


def _per_call_us(fn: Callable[[], object], n: int) -> float:
    t0 = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - t0) / n * 1e6


async def _aper_call_us(fn: Callable[[], Awaitable[object]], n: int) -> float:
    t0 = time.perf_counter()
    for _ in range(n):
        await fn()
    return (time.perf_counter() - t0) / n * 1e6


def _check(who: str, got: int, want: int, what: str) -> None:
    # A contender that silently did less work would look fast; refuse to report it.
    if got != want:
        raise RuntimeError(f"{who} got {got} {what}, expected {want}")


# --------------------------------------------------------------------------- sync


def run_sync(cfg: Config, url: str, meter: ServerMeter, groups: set[str]) -> list[Row]:
    cs = sync_contenders(url)
    rows: list[Row] = []
    big, one = stream_model(cfg.events), stream_model(1)
    try:
        for c in cs.values():  # connections open, lazy imports done, pydantic schemas built
            for _ in range(10):
                c.call()
            c.stream(stream_model(20))
            c.first_chunk(one)
            c.list_models(1000)

        if "call" in groups:
            runs = {k: partial(_per_call_us, c.call, cfg.calls) for k, c in cs.items()}
            values, busy = interleave(runs, cfg.rounds, meter)
            rows.append(
                Row(
                    "call_sync",
                    "generate_content, sync, sequential",
                    "µs/call",
                    values,
                    target=PER_CALL,
                    server_busy=busy,
                )
            )

        if "stream" in groups:

            def stream_rate(who: str, c: SyncContender) -> float:
                t0 = time.perf_counter()
                _check(who, c.stream(big), cfg.events, "chunks")
                return cfg.events / (time.perf_counter() - t0)

            runs = {k: partial(stream_rate, k, c) for k, c in cs.items()}
            values, busy = interleave(runs, cfg.rounds, meter)
            rows.append(
                Row(
                    "stream_sync",
                    f"stream {cfg.events:,} chunks, sync",
                    "chunks/s",
                    values,
                    higher_is_better=True,
                    target=STREAMING,
                    server_busy=busy,
                )
            )

        if "ttfc" in groups:

            def ttfc(c: SyncContender) -> float:
                return (
                    sum(c.first_chunk(one) for _ in range(cfg.first_chunks))
                    / cfg.first_chunks
                    * 1e6
                )

            runs = {k: partial(ttfc, c) for k, c in cs.items()}
            values, busy = interleave(runs, cfg.rounds, meter)
            rows.append(
                Row(
                    "ttfc_sync",
                    "time to first chunk, sync",
                    "µs",
                    values,
                    target=PER_CALL,
                    server_busy=busy,
                )
            )

        if "list" in groups:
            for size, key in ((50, "list_50"), (1000, "list_1000")):

                def listing(who: str, c: SyncContender, size: int) -> float:
                    t0 = time.perf_counter()
                    for _ in range(cfg.listings):
                        _check(who, c.list_models(size), MODEL_COUNT, "models")
                    return (time.perf_counter() - t0) / cfg.listings * 1e3

                runs = {k: partial(listing, k, c, size) for k, c in cs.items()}
                values, busy = interleave(runs, cfg.rounds, meter)
                pages = -(-MODEL_COUNT // size)
                rows.append(
                    Row(
                        key,
                        f"list {MODEL_COUNT:,} models, page size {size} ({pages} "
                        f"page{'s' if pages > 1 else ''})",
                        "ms",
                        values,
                        target=LISTING,
                        decimals=1,
                        server_busy=busy,
                    )
                )
    finally:
        for c in cs.values():
            c.close()
    return rows


# --------------------------------------------------------------------------- async


async def _burst(call: Callable[[], Awaitable[None]], n: int, width: int) -> float:
    gate = asyncio.Semaphore(width)

    async def one() -> None:
        async with gate:
            await call()

    t0 = time.perf_counter()
    await asyncio.gather(*(one() for _ in range(n)))
    return (time.perf_counter() - t0) * 1e3


async def _run_async(cfg: Config, url: str, meter: ServerMeter, groups: set[str]) -> list[Row]:
    cs = async_contenders(url)
    rows: list[Row] = []
    big, one = stream_model(cfg.events), stream_model(1)
    try:
        for c in cs.values():
            for _ in range(10):
                await c.call()
            await _burst(c.call, cfg.in_flight, cfg.in_flight)  # open the whole pool
            await c.stream(stream_model(20))
            await c.first_chunk(one)

        if "call" in groups:
            runs = {k: partial(_aper_call_us, c.call, cfg.calls) for k, c in cs.items()}
            values, busy = await interleave_async(runs, cfg.rounds, meter)
            rows.append(
                Row(
                    "call_async",
                    "generate_content, async, sequential",
                    "µs/call",
                    values,
                    target=PER_CALL,
                    server_busy=busy,
                )
            )

        if "concurrent" in groups:
            runs = {k: partial(_burst, c.call, cfg.burst, cfg.in_flight) for k, c in cs.items()}
            values, busy = await interleave_async(runs, cfg.rounds, meter)
            label = f"{cfg.burst} calls, {cfg.in_flight} in flight, async"
            rows.append(
                Row(
                    "concurrent",
                    f"{label}: wall time",
                    "ms",
                    values,
                    target=PER_CALL,
                    decimals=1,
                    server_busy=busy,
                )
            )
            rates = {k: v.map(lambda ms: cfg.burst / ms * 1e3) for k, v in values.items()}
            rows.append(
                Row(
                    "concurrent_rate",
                    f"{label}: throughput",
                    "calls/s",
                    rates,
                    higher_is_better=True,
                )
            )

        if "stream" in groups:

            async def stream_rate(who: str, c: AsyncContender) -> float:
                t0 = time.perf_counter()
                _check(who, await c.stream(big), cfg.events, "chunks")
                return cfg.events / (time.perf_counter() - t0)

            runs = {k: partial(stream_rate, k, c) for k, c in cs.items()}
            values, busy = await interleave_async(runs, cfg.rounds, meter)
            rows.append(
                Row(
                    "stream_async",
                    f"stream {cfg.events:,} chunks, async",
                    "chunks/s",
                    values,
                    higher_is_better=True,
                    target=STREAMING,
                    server_busy=busy,
                )
            )

        if "ttfc" in groups:

            async def ttfc(c: AsyncContender) -> float:
                total = 0.0
                for _ in range(cfg.first_chunks):
                    total += await c.first_chunk(one)
                return total / cfg.first_chunks * 1e6

            runs = {k: partial(ttfc, c) for k, c in cs.items()}
            values, busy = await interleave_async(runs, cfg.rounds, meter)
            rows.append(
                Row(
                    "ttfc_async",
                    "time to first chunk, async",
                    "µs",
                    values,
                    target=PER_CALL,
                    server_busy=busy,
                )
            )
    finally:
        for c in cs.values():
            await c.close()
    return rows


def run_async(cfg: Config, url: str, meter: ServerMeter, groups: set[str]) -> list[Row]:
    # One event loop for every round: async connection pools belong to the loop that made them.
    return asyncio.run(_run_async(cfg, url, meter, groups))
