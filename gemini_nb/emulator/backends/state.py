"""The emulator's one state store and its one clock.

Every backend keeps what it creates (files, caches, operations, later batches, stores, tunings)
in one :class:`Store`, under one lock, and reads the time from one :class:`Clock`. The clock
runs ``speed`` times faster than the wall clock (``--clock-speed 60``: a minute a second, for
long jobs in demos) and a test can move it forward with :meth:`Clock.advance` (or
``POST /_emulator/clock {"advance": "3600s"}``) to expire a cache or finish a job at once.

Blobs (uploaded file bytes) live on disk in one temporary folder of bounded total size, never
in memory.
"""

from __future__ import annotations

import datetime as dt
import secrets
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from ..wire.errors import EmulatorError

__all__ = [
    "Clock",
    "Collection",
    "Store",
    "format_duration",
    "format_time",
    "parse_duration",
    "parse_time",
]

T = TypeVar("T")

# A blob area bigger than this refuses new uploads (RESOURCE_EXHAUSTED, as a full project
# quota would); the real API allows 20 GB per project, which no test machine has to spare.
DEFAULT_BLOB_LIMIT = 8 * 1024**3


class Clock:
    """Virtual UTC time: starts at the wall clock, runs ``speed`` times as fast, can be advanced."""

    def __init__(self, speed: float = 1.0, *, start: dt.datetime | None = None) -> None:
        if speed <= 0:
            raise ValueError("the clock speed must be positive")
        self.speed = speed
        self._origin = (start or dt.datetime.now(dt.UTC)).timestamp()
        self._mono = time.monotonic()
        self._offset = 0.0
        self._lock = threading.Lock()

    def time(self) -> float:
        """Seconds since the epoch, on the emulator's clock."""
        with self._lock:
            return self._origin + (time.monotonic() - self._mono) * self.speed + self._offset

    def now(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.time(), dt.UTC)

    def advance(self, seconds: float) -> float:
        """Move the clock forward (never back); returns the new time."""
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        with self._lock:
            self._offset += seconds
        return self.time()

    def real_seconds(self, emulated: float) -> float:
        """How long ``emulated`` clock seconds take in wall-clock time."""
        return emulated / self.speed


def format_time(t: float) -> str:
    """RFC 3339 UTC with microseconds, as the API writes timestamps (``...T12:00:00.123456Z``)."""
    return dt.datetime.fromtimestamp(t, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(text: str) -> float:
    """An RFC 3339 timestamp (``Z`` or an offset, up to nanoseconds) as epoch seconds."""
    s = text.strip()
    if s.endswith(("Z", "z")):
        s = s[:-1] + "+00:00"
    # Python parses at most microseconds: cut nanoseconds.
    head, dot, rest = s.partition(".")
    if dot:
        digits = "".join(c for c in rest if c.isdigit())
        tz = rest[len(digits) :]
        s = f"{head}.{digits[:6]}{tz}"
    stamp = dt.datetime.fromisoformat(s)
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=dt.UTC)
    return stamp.timestamp()


def parse_duration(text: str) -> float:
    """A proto3 JSON Duration (``"300s"``, ``"1.5s"``) as seconds."""
    s = text.strip()
    if not s.endswith("s"):
        raise ValueError(f"not a duration: {text!r}")
    return float(s[:-1])


def format_duration(seconds: float) -> str:
    text = f"{seconds:.9f}".rstrip("0").rstrip(".")
    return f"{text}s"


class Collection(dict[str, T]):
    """The resources of one noun, by full name (``files/abc``), in creation order."""


class Store:
    """All the emulator's state: collections by noun, one lock, one clock, one blob area."""

    def __init__(
        self,
        clock: Clock | None = None,
        *,
        blob_dir: Path | None = None,
        blob_limit: int = DEFAULT_BLOB_LIMIT,
    ) -> None:
        self.clock = clock or Clock()
        self.lock = threading.RLock()
        self._collections: dict[str, Collection[Any]] = {}
        self._own_dir = blob_dir is None
        self.blob_dir = blob_dir or Path(tempfile.mkdtemp(prefix="gemini-nb-emulator-"))
        self.blob_dir.mkdir(parents=True, exist_ok=True)
        self.blob_limit = blob_limit
        self._blob_bytes = 0
        self._counter = 0

    def collection(self, noun: str) -> Collection[Any]:
        with self.lock:
            found = self._collections.get(noun)
            if found is None:
                found = self._collections[noun] = Collection()
            return found

    def new_id(self, length: int = 12) -> str:
        """A fresh resource id of lower-case letters and digits, as the real API's."""
        alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
        return "".join(secrets.choice(alphabet) for _ in range(length))

    def sequence(self) -> int:
        with self.lock:
            self._counter += 1
            return self._counter

    # -------------------------------------------------------------- blobs

    def blob_path(self, key: str) -> Path:
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in key)
        return self.blob_dir / safe

    def reserve(self, size: int) -> None:
        """Count ``size`` more bytes against the blob area, or refuse them."""
        with self.lock:
            if self._blob_bytes + size > self.blob_limit:
                raise EmulatorError(
                    429,
                    "The storage quota of this emulator is exhausted "
                    f"({self.blob_limit} bytes); delete files to make room.",
                )
            self._blob_bytes += size

    def release(self, size: int) -> None:
        with self.lock:
            self._blob_bytes = max(0, self._blob_bytes - size)

    @property
    def blob_bytes(self) -> int:
        return self._blob_bytes

    def close(self) -> None:
        if self._own_dir:
            shutil.rmtree(self.blob_dir, ignore_errors=True)

    @contextmanager
    def locked(self) -> Iterator[None]:
        with self.lock:
            yield

    def expire(self, noun: str, is_expired: Callable[[Any, float], bool]) -> list[Any]:
        """Drop and return the resources of ``noun`` that have expired by now."""
        now = self.clock.time()
        with self.lock:
            coll = self.collection(noun)
            gone = [k for k, v in coll.items() if is_expired(v, now)]
            return [coll.pop(k) for k in gone]
