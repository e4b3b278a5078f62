"""Fault injection: make the emulator fail on purpose, the ways the real service fails.

A :class:`Fault` matches requests (by path regex and HTTP method) and does one thing:

* ``status``: answer with that HTTP status in Google's error format (429 carries a
  ``google.rpc.RetryInfo`` detail with ``retry_delay`` and a ``Retry-After`` header);
* ``latency_ms``: wait before answering (combines with the others);
* ``cut_stream_after``: close the connection abruptly after K stream events;
* ``error_in_stream_after``: send an in-stream ``{"error": …}`` event after K events, then end;
* ``drop``: close the connection without answering;
* ``body``: answer 200 with this raw, non-JSON body (a proxy's HTML page, say);
* ``cut_upload_at``: during a resumable upload, commit exactly the bytes before offset N of
  the upload, then drop the connection without answering (a network cut mid-chunk, or, when N
  is the end of a chunk, after the chunk was stored but before the client heard so). It
  applies to the first chunk request whose bytes reach N (``count`` counts cuts, not
  requests) and ignores ``fraction`` and ``latency_ms``.

``count`` bounds how many requests it applies to (None: until cleared); ``fraction`` applies
it to that share of matching requests, drawn from a seeded generator so runs repeat.

Switched by CLI flags (``python -m gemini_nb.emulator --fail 503:2``) or over HTTP on the
control path, outside the API's paths::

    POST   /_emulator/faults   {"status": 503, "count": 2}   -> {"id": 1, ...}
    GET    /_emulator/faults                                 -> {"faults": [...]}
    DELETE /_emulator/faults                                 -> clears them all
"""

from __future__ import annotations

import random
import re
import threading
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["Fault", "FaultSet", "parse_fault_flag"]

_FIELDS = {
    "status",
    "count",
    "fraction",
    "retry_delay",
    "latency_ms",
    "cut_stream_after",
    "error_in_stream_after",
    "drop",
    "body",
    "path",
    "method",
    "message",
    "cut_upload_at",
    "live",
}


@dataclass
class Fault:
    status: int | None = None
    count: int | None = None
    fraction: float | None = None
    retry_delay: str | None = None
    latency_ms: float = 0.0
    cut_stream_after: int | None = None
    error_in_stream_after: int | None = None
    drop: bool = False
    body: str | None = None
    path: str | None = None
    method: str | None = None
    message: str | None = None
    cut_upload_at: int | None = None
    # Live sessions: {"close_code", "close_after_ms", "go_away_every_ms"} (backends/live.py).
    live: dict[str, Any] | None = None
    id: int = 0
    hits: int = 0
    _path_re: re.Pattern[str] | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.status is not None and not 400 <= self.status <= 599:
            raise ValueError("status must be an HTTP error status (400-599)")
        if self.fraction is not None and not 0.0 < self.fraction <= 1.0:
            raise ValueError("fraction must be in (0, 1]")
        if self.count is not None and self.count < 0:
            raise ValueError("count must be >= 0")
        if self.retry_delay is not None and not re.fullmatch(r"\d+(\.\d+)?s", self.retry_delay):
            raise ValueError('retry_delay must be a duration like "2s" or "0.5s"')
        if self.cut_upload_at is not None and (
            isinstance(self.cut_upload_at, bool)
            or not isinstance(self.cut_upload_at, int)
            or self.cut_upload_at <= 0
        ):
            raise ValueError("cut_upload_at must be a positive byte offset")
        actions = [
            self.status is not None,
            self.cut_stream_after is not None,
            self.error_in_stream_after is not None,
            self.drop,
            self.body is not None,
            self.cut_upload_at is not None,
            self.live is not None,
        ]
        if sum(actions) > 1:
            raise ValueError(
                "a fault does one thing: status, cut_stream_after, error_in_stream_after, "
                "drop, body or cut_upload_at"
            )
        if sum(actions) == 0 and not self.latency_ms:
            raise ValueError("a fault needs an action or latency_ms")
        self._path_re = re.compile(self.path) if self.path else None

    def matches(self, method: str, path: str) -> bool:
        if self.method and self.method.upper() != method:
            return False
        return self._path_re is None or self._path_re.search(path) is not None

    def to_json(self) -> dict[str, Any]:
        data = {k: v for k, v in asdict(self).items() if not k.startswith("_")}
        return {k: v for k, v in data.items() if v not in (None, False) or k in ("id", "hits")}


@dataclass
class Decision:
    """What to do with one request, merged from every fault that applies to it."""

    latency_ms: float = 0.0
    fault: Fault | None = None


class FaultSet:
    """The active faults; thread-safe (the control endpoint and requests race)."""

    def __init__(self, seed: int = 0) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()
        self._next_id = 1
        self._rng = random.Random(seed)

    def add(self, spec: dict[str, Any]) -> Fault:
        unknown = set(spec) - _FIELDS
        if unknown:
            raise ValueError(f"unknown fault field(s) {sorted(unknown)}; known: {sorted(_FIELDS)}")
        fault = Fault(**spec)
        with self._lock:
            fault.id = self._next_id
            self._next_id += 1
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def list(self) -> list[dict[str, Any]]:
        with self._lock:
            return [f.to_json() for f in self._faults]

    def decide(self, method: str, path: str) -> Decision:
        decision = Decision()
        with self._lock:
            for fault in list(self._faults):
                if (
                    fault.cut_upload_at is not None
                    or fault.live is not None
                    or not fault.matches(method, path)
                ):
                    continue  # upload cuts are decided by the upload, byte by byte
                if fault.fraction is not None and self._rng.random() >= fault.fraction:
                    continue
                acting = _has_action(fault)
                if acting and decision.fault is not None:
                    continue  # one action per request; this fault waits for the next one
                decision.latency_ms += fault.latency_ms
                if acting:
                    decision.fault = fault
                self._consume(fault)
        return decision

    def upload_cut(self, method: str, path: str, start: int) -> Fault | None:
        """The first upload cut matching this chunk request that lies beyond ``start``.

        Not consumed: the chunk may end before the cut's offset; :meth:`take` it when it acts.
        """
        with self._lock:
            for fault in self._faults:
                if (
                    fault.cut_upload_at is not None
                    and fault.cut_upload_at > start
                    and fault.matches(method, path)
                ):
                    return fault
        return None

    def take(self, fault: Fault) -> None:
        """Count one use of ``fault`` (removing it when its count is spent)."""
        with self._lock:
            if fault in self._faults:
                self._consume(fault)

    def _consume(self, fault: Fault) -> None:
        fault.hits += 1
        if fault.count is not None:
            fault.count -= 1
            if fault.count <= 0:
                self._faults.remove(fault)


def _has_action(fault: Fault) -> bool:
    return (
        fault.status is not None
        or fault.cut_stream_after is not None
        or fault.error_in_stream_after is not None
        or fault.drop
        or fault.body is not None
    )


def parse_fault_flag(kind: str, value: str) -> dict[str, Any]:
    """Turn a CLI flag into a fault spec: ``--fail 503:2`` -> ``{"status": 503, "count": 2}``."""
    head, _, count = value.partition(":")
    spec: dict[str, Any] = {}
    if kind == "fail":
        spec["status"] = int(head)
    elif kind == "cut-stream-after":
        spec["cut_stream_after"] = int(head)
    elif kind == "drop-connections":
        spec["drop"] = True
        spec["count"] = int(head)
        return spec
    elif kind == "latency-ms":
        spec["latency_ms"] = float(head)
    elif kind == "cut-upload-at":
        spec["cut_upload_at"] = int(head)
    else:
        raise ValueError(f"unknown fault flag {kind}")
    if count:
        spec["count"] = int(count)
    return spec
