"""What both engines share: partitions prepared (requests, keys, rows already in the
checkpoint), results assembled in input order, and the run's summary."""

from __future__ import annotations

import time
from collections import deque
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from ._io import FrameSink as FrameSinkType
from ._io import FrameSource
from ._plan import Plan, row_label

if TYPE_CHECKING:
    import pandas as pd

    from .._progress import Bar
    from ._checkpoint import Checkpoint
    from ._io import FrameSink, ParquetSink, Source

__all__ = ["Job", "Part", "Summary"]


@dataclass
class Summary:
    """What a run did; kept in ``result.attrs["gemini_nb"]`` (or returned with a path)."""

    engine: str
    model: str
    rows: int = 0
    sent: int = 0
    resumed: int = 0
    errors: int = 0
    prompt_tokens: int = 0
    output_tokens: int = 0
    thinking_tokens: int = 0
    cost: float | None = 0.0
    seconds: float = 0.0
    rate_limited: int = 0
    checkpoint: str | None = None
    jobs: list[str] = field(default_factory=list)

    def add_usage(self, record: dict[str, Any], batch: bool) -> None:
        p = record.get("prompt_tokens") or 0
        o = record.get("output_tokens") or 0
        t = record.get("thinking_tokens") or 0
        self.prompt_tokens += p
        self.output_tokens += o
        self.thinking_tokens += t
        if self.cost is not None and (p or o or t):
            from ..tokens import cost_of_usage

            usage = {
                "prompt_token_count": p,
                "candidates_token_count": o,
                "thoughts_token_count": t,
            }
            total = cost_of_usage(self.model, usage, batch=batch).total
            self.cost = None if total is None else self.cost + total

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class Part:
    """One partition in flight: its rows' requests and keys, and the records as they come."""

    __slots__ = ("frame", "keys", "left", "pending", "records", "requests", "start")

    def __init__(self, start: int, frame: pd.DataFrame) -> None:
        self.start = start
        self.frame = frame
        self.requests: list[dict[str, Any]] = []
        self.keys: list[str] = []
        self.records: list[dict[str, Any] | None] = [None] * len(frame)
        self.pending: list[int] = []
        self.left = len(frame)

    def done(self, i: int, record: dict[str, Any]) -> None:
        if self.records[i] is None:
            self.left -= 1
        self.records[i] = record


class Job:
    """A run over ``source``: prepares partitions, and writes finished ones to ``sink`` in
    input order (a partition is written once every row before it is)."""

    def __init__(
        self,
        plan: Plan,
        source: Source,
        sink: FrameSink | ParquetSink,
        *,
        checkpoint: Checkpoint | None,
        keep_input: bool,
        partition_rows: int,
        summary: Summary,
        bar: Bar,
    ) -> None:
        self.plan = plan
        self.source = source
        self.sink = sink
        self.checkpoint = checkpoint
        self.keep_input = keep_input
        self.partition_rows = partition_rows
        self.summary = summary
        self.bar = bar
        self.parts: deque[Part] = deque()
        self._join_at_end = keep_input and source.in_memory and isinstance(sink, FrameSinkType)
        self.started = time.monotonic()
        self.written = 0

    def prepare(self, start: int, frame: pd.DataFrame, *, keys: bool = True) -> Part:
        part = Part(start, frame)
        part.requests = self.plan.requests(frame)
        cp = self.checkpoint
        if keys:
            labels = [row_label(x) for x in frame.index]
            part.keys = [
                self.plan.key(label, req) for label, req in zip(labels, part.requests, strict=True)
            ]
        resumed = 0
        for i, key in enumerate(part.keys):
            record = cp.get(key) if cp is not None and key in cp else None
            if record is not None:
                part.done(i, record)
                resumed += 1
            else:
                part.pending.append(i)
        if not part.keys:
            part.pending = list(range(len(frame)))
        if resumed:
            self.summary.resumed += resumed
            self.bar.update(resumed)
        self.summary.rows += len(frame)
        self.parts.append(part)
        return part

    def flush(self) -> None:
        """Write every finished partition at the head of the queue."""
        while self.parts and self.parts[0].left == 0:
            self.write(self.parts.popleft())

    def write(self, part: Part) -> None:
        import pandas as pd

        records = part.records
        self.summary.errors += sum(1 for r in records if r is None or r.get("error"))
        results = self.plan.output.frame(records, part.frame.index)
        if not self.keep_input or self._join_at_end:
            # An in-memory input is joined once at the end, not copied partition by partition.
            out = results
        else:
            out = pd.concat([part.frame, results], axis=1)
            out.index = part.frame.index
        self.sink.write(out)
        self.written += len(part.frame)
        _release_memory()

    def empty(self) -> pd.DataFrame:
        import pandas as pd

        results = self.plan.output.frame([], pd.RangeIndex(0))
        if not self.keep_input:
            return results
        inputs = pd.DataFrame({c: pd.Series(dtype=object) for c in self.source.columns})
        return pd.concat([inputs, results], axis=1)

    def result(self) -> Any:
        self.summary.seconds = time.monotonic() - self.started
        if self._join_at_end:
            results = self.sink.result(self.plan.output.frame([], _range0()))
            assert isinstance(self.source, FrameSource)
            out = _join(self.source.frame, results)
        else:
            out = self.sink.result(self.empty())
        if hasattr(out, "attrs"):
            out.attrs["gemini_nb"] = self.summary.to_dict()
        return out


def _range0() -> Any:
    import pandas as pd

    return pd.RangeIndex(0)


def _join(inputs: pd.DataFrame, results: pd.DataFrame) -> pd.DataFrame:
    """The input's columns and index (not copied: pandas shares them) with the results'."""
    out = inputs.copy(deep=False)
    for name in results.columns:
        out[name] = results[name].array
    return out


_TRIM: Any = None


def _release_memory() -> None:
    """Give the heap freed by a written partition back to the system (glibc keeps it
    otherwise, and a 100,000-row run's RSS climbs with every partition's answers)."""
    global _TRIM
    if _TRIM is None:
        _TRIM = False
        import sys

        if sys.platform.startswith("linux"):
            import ctypes
            import ctypes.util

            try:
                name = ctypes.util.find_library("c") or "libc.so.6"
                _TRIM = ctypes.CDLL(name).malloc_trim
            except (OSError, AttributeError):
                _TRIM = False
    if _TRIM:
        _TRIM(0)
