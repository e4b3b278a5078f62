"""Memory of one workload per contender, each in a fresh interpreter.

Two numbers, because each misses something: the growth of peak RSS over the RSS before the
workload (everything, including pydantic-core's Rust heap, but page-granular and allocator-
dependent), and tracemalloc's peak (Python allocations only, byte-exact).

Child usage (the driver runs it): ``python -m bench.memory WHO WORKLOAD URL EVENTS``.
"""

from __future__ import annotations

import gc
import json
import os
import resource
import subprocess
import sys
import tracemalloc
from collections.abc import Callable
from pathlib import Path

__all__ = ["MEMORY_ROWS", "measure_memory"]

ROOT = Path(__file__).resolve().parent.parent
MEMORY_ROWS = {"mem_stream": "stream", "mem_list": "list"}


def _status_kb(field: str) -> int | None:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def _reset_peak() -> bool:
    # Linux resets VmHWM to the current RSS when "5" is written here (since 4.0).
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def _rss_growth(work: Callable[[], object]) -> int:
    gc.collect()
    before = _status_kb("VmRSS")
    if before is not None and _reset_peak():
        work()
        peak = _status_kb("VmHWM") or before
    else:
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        work()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return max(0, peak - before) * 1024


def _traced_peak(work: Callable[[], object]) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        work()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def child(who: str, workload: str, url: str, events: int) -> dict[str, int]:
    from .clients import GenaiSync, OursSync, RawSync, SyncContender
    from .server import stream_model

    makers: dict[str, Callable[[str], SyncContender]] = {
        "raw": RawSync,
        "ours": OursSync,
        "genai": GenaiSync,
    }
    c = makers[who](url)
    # Warm-up outside the measurement: connection, lazy imports, pydantic schemas.
    c.stream(stream_model(20))
    c.list_models(1000)
    if workload == "stream":
        model = stream_model(events)

        def work() -> object:
            return c.stream(model)
    else:

        def work() -> object:
            return c.list_models(1000)

    result = {"rss": _rss_growth(work), "traced": _traced_peak(work)}
    c.close()
    return result


def measure_memory(url: str, events: int) -> dict[str, dict[str, dict[str, int]]]:
    """row key -> contender -> {"rss": bytes, "traced": bytes}.

    The children run side by side: they measure bytes, not time, and share nothing.
    """
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    procs = {
        (key, who): subprocess.Popen(
            [sys.executable, "-m", "bench.memory", who, workload, url, str(events)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for key, workload in MEMORY_ROWS.items()
        for who in ("raw", "ours", "genai")
    }
    out: dict[str, dict[str, dict[str, int]]] = {}
    for (key, who), proc in procs.items():
        stdout, stderr = proc.communicate(timeout=300)
        if proc.returncode != 0:
            raise RuntimeError(f"memory child {who}/{key} failed:\n{stderr[-2000:]}")
        out.setdefault(key, {})[who] = json.loads(stdout.strip().splitlines()[-1])
    return out


if __name__ == "__main__":
    if hasattr(os, "sched_setaffinity"):
        # The driver may be pinned to one CPU; memory children need no pinning, only room.
        os.sched_setaffinity(0, range(os.cpu_count() or 1))
    who_, workload_, url_, events_ = sys.argv[1:5]
    print(json.dumps(child(who_, workload_, url_, int(events_))))
