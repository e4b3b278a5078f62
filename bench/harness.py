"""Timing rounds, interleaved across contenders, and their summary statistics."""

from __future__ import annotations

import gc
import os
import statistics
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "CONTENDERS",
    "LABELS",
    "Row",
    "ServerMeter",
    "Stats",
    "Target",
    "interleave",
    "interleave_async",
    "order_for",
]

# Raw httpx first: it is the yardstick every ratio is taken against.
CONTENDERS = ("raw", "ours", "genai")
LABELS = {"raw": "raw httpx", "ours": "gemini-nb", "genai": "google-genai"}


@dataclass(frozen=True)
class Stats:
    """The per-round values of one measurement."""

    samples: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def best(self) -> float:
        return min(self.samples)

    @property
    def spread(self) -> float:
        """Half the min-max range, as a fraction of the median (0.03 means ±3 %)."""
        med = self.median
        return (max(self.samples) - min(self.samples)) / 2 / med if med else 0.0

    def map(self, fn: Callable[[float], float]) -> Stats:
        return Stats(tuple(fn(s) for s in self.samples))


@dataclass(frozen=True)
class Target:
    """A bound on ours/raw: ``max`` for times (at most), ``min`` for throughputs (at least)."""

    bound: float
    kind: str  # "max" or "min"
    name: str
    unit: str = "×"  # "×": a ratio to the yardstick; "ms": an absolute median time

    def check(self, value: float) -> bool:
        return value <= self.bound if self.kind == "max" else value >= self.bound

    def describe(self) -> str:
        sign = "≤" if self.kind == "max" else "≥"
        return f"{sign}{self.bound:g}×" if self.unit == "×" else f"{sign}{self.bound:g} {self.unit}"


@dataclass
class Row:
    key: str
    label: str
    unit: str
    values: dict[str, Stats]
    higher_is_better: bool = False
    target: Target | None = None
    decimals: int = 0
    server_busy: float | None = None  # share of one CPU the server used during raw httpx runs
    extra: dict[str, Any] = field(default_factory=dict)

    def ratio(self, who: str) -> float | None:
        """Median over rounds of who/raw within the same round.

        Pairing values from the same round cancels the machine's drift between rounds, which
        on a shared VM is larger than most of the differences measured here.
        """
        pairs = self.ratios(who)
        return statistics.median(pairs) if pairs else None

    def ratios(self, who: str) -> list[float]:
        raw, other = self.values.get("raw"), self.values.get(who)
        if raw is None or other is None:
            return []
        if len(raw.samples) != len(other.samples):
            return [other.median / raw.median] if raw.median else []
        return [o / r for o, r in zip(other.samples, raw.samples, strict=True) if r]

    def verdict(self) -> str | None:
        ratio = self.ratio("ours")
        if self.target is None or ratio is None:
            return None
        return "PASS" if self.target.check(ratio) else "MISS"


def order_for(round_no: int, names: Sequence[str]) -> list[str]:
    # Rotating who goes first cancels warm-cache and thermal advantages over the rounds.
    k = round_no % len(names)
    return list(names[k:]) + list(names[:k])


class ServerMeter:
    """CPU seconds used by the server process so far, read between runs (never inside one).

    Reads the scheduler's nanosecond counters (/proc/PID/task/*/schedstat); the coarser
    clock-tick counters would round a 20 ms stream run to zero.
    """

    def __init__(self, pid: int | None) -> None:
        self._tasks = f"/proc/{pid}/task" if pid is not None else None

    def cpu(self) -> float | None:
        if self._tasks is None:
            return None
        total = 0
        try:
            for tid in os.listdir(self._tasks):
                with open(f"{self._tasks}/{tid}/schedstat") as f:
                    total += int(f.read().split()[0])
        except (OSError, ValueError, IndexError):
            return None
        return total / 1e9


class _Busy:
    """The server's CPU share over the raw httpx runs of an interleaved measurement."""

    def __init__(self, meter: ServerMeter | None) -> None:
        self.meter = meter
        self.cpu = self.wall = 0.0
        self._before: float | None = None
        self._t0 = 0.0

    def start(self, name: str) -> None:
        self._before = self.meter.cpu() if self.meter and name == "raw" else None
        self._t0 = time.perf_counter()

    def stop(self) -> None:
        wall = time.perf_counter() - self._t0
        if self._before is not None and self.meter is not None:
            after = self.meter.cpu()
            if after is not None:
                self.cpu += after - self._before
                self.wall += wall

    def share(self) -> float | None:
        return self.cpu / self.wall if self.wall else None


def interleave(
    runs: Mapping[str, Callable[[], float]],
    rounds: int,
    meter: ServerMeter | None = None,
) -> tuple[dict[str, Stats], float | None]:
    """Run each contender once per round, in rotating order; each run returns its value.

    Returns the stats per contender and the server's CPU share during the raw runs.
    """
    samples: dict[str, list[float]] = {name: [] for name in runs}
    busy = _Busy(meter)
    for r in range(rounds):
        for name in order_for(r, list(runs)):
            gc.collect()
            busy.start(name)
            samples[name].append(runs[name]())
            busy.stop()
    return {name: Stats(tuple(v)) for name, v in samples.items()}, busy.share()


async def interleave_async(
    runs: Mapping[str, Callable[[], Awaitable[float]]],
    rounds: int,
    meter: ServerMeter | None = None,
) -> tuple[dict[str, Stats], float | None]:
    """The async twin of :func:`interleave` (all rounds on one event loop)."""
    samples: dict[str, list[float]] = {name: [] for name in runs}
    busy = _Busy(meter)
    for r in range(rounds):
        for name in order_for(r, list(runs)):
            gc.collect()
            busy.start(name)
            samples[name].append(await runs[name]())
            busy.stop()
    return {name: Stats(tuple(v)) for name, v in samples.items()}, busy.share()
