"""Where gemini-nb's time goes on one workload: cProfile of our path against the bench server.

    python -m bench.profile stream          # 5,000-chunk stream, sync
    python -m bench.profile list1000 --top 30
    python -m bench.profile call --who raw  # the same for a yardstick contender
    python -m bench.profile ablate-stream   # stream cost per chunk with parts switched off
    python -m bench.profile ablate-list     # the same for listing models

cProfile inflates the cost of small Python functions, so read shares, not absolute times,
and confirm a suspect with a direct timing (``--time`` runs the workload unprofiled).
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import os
import pstats
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from .clients import GenaiSync, OursSync, RawSync, SyncContender
from .server import ServerProcess, stream_model

WORKLOADS: dict[str, tuple[Callable[[SyncContender], object], int]] = {
    # name -> (one run, runs per profile)
    "call": (lambda c: c.call(), 2000),
    "stream": (lambda c: c.stream(stream_model(5000)), 5),
    "ttfc": (lambda c: c.first_chunk(stream_model(1)), 1000),
    "list50": (lambda c: c.list_models(50), 30),
    "list1000": (lambda c: c.list_models(1000), 60),
}


def _per_chunk_us(c: SyncContender, events: int, runs: int) -> float:
    model = stream_model(events)
    c.stream(model)
    times = []
    for _ in range(runs):
        gc.collect()
        t0 = time.perf_counter()
        c.stream(model)
        times.append((time.perf_counter() - t0) / events * 1e6)
    return statistics.median(times)


@contextmanager
def _patched(obj: Any, name: str, value: Any) -> Iterator[None]:
    old = getattr(obj, name)
    setattr(obj, name, value)
    try:
        yield
    finally:
        setattr(obj, name, old)


@contextmanager
def _gc_off(off: bool) -> Iterator[None]:
    if off:
        gc.disable()
    try:
        yield
    finally:
        gc.enable()


def ablate_stream(url: str, runs: int = 7) -> None:
    """Our stream's µs per chunk with one part at a time switched off, in this process only.

    The differences attribute the cost without cProfile's distortion. Patches are undone
    after each variant; nothing in the library is changed on disk.
    """
    import gemini_nb._streaming as streaming
    import gemini_nb.resources.models as models  # we patch the name its stream op calls
    from gemini_nb.types import GenerateContentResponse

    raw, ours = RawSync(url), OursSync(url)
    no_add = lambda self, chunk: None  # noqa: E731
    no_result = lambda self: GenerateContentResponse()  # noqa: E731
    no_parse = lambda texts: (texts, None)  # noqa: E731 - chunks stay JSON text: SSE + plumbing
    variants: list[tuple[str, bool, bool, bool]] = [
        ("as shipped", False, False, False),
        ("cyclic GC off", True, False, False),
        ("no merging (ChunkMerger.add/result)", False, True, False),
        ("no merging, no pydantic parse", False, True, True),
    ]
    print(f"{'events':>7}  {'variant':45}  µs/chunk")
    for events in (100, 1000, 5000):
        print(
            f"{events:>7}  {'raw httpx (iter_lines + json.loads)':45}  {_per_chunk_us(raw, events, runs):8.2f}"
        )
        for label, gc_off, skip_merge, skip_parse in variants:
            merger = streaming.ChunkMerger
            with (
                _patched(merger, "add", no_add if skip_merge else merger.add),
                _patched(merger, "result", no_result if skip_merge else merger.result),
                _patched(
                    models, "decode_events", no_parse if skip_parse else streaming.decode_events
                ),
                _gc_off(gc_off),
            ):
                print(f"{events:>7}  {label:45}  {_per_chunk_us(ours, events, runs):8.2f}")
    raw.close()
    ours.close()


def _per_listing_ms(c: SyncContender, size: int, runs: int) -> float:
    c.list_models(size)
    times = []
    for _ in range(runs):
        gc.collect()
        t0 = time.perf_counter()
        c.list_models(size)
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times)


def ablate_list(url: str, runs: int = 15) -> None:
    """Our listing's ms with cyclic GC or pydantic validation switched off."""
    from types import SimpleNamespace

    import gemini_nb.resources.models as models  # list_op looks _ModelList up at call time

    class DictsOnly:
        # json.loads and nothing else: what is left is our request/pager plumbing.
        @staticmethod
        def model_validate_json(body: bytes, **_: Any) -> Any:
            import json

            data = json.loads(body)
            return SimpleNamespace(
                models=data.get("models", []), next_page_token=data.get("nextPageToken")
            )

    raw, ours = RawSync(url), OursSync(url)
    variants: list[tuple[str, bool, Any]] = [
        ("as shipped", False, models._ModelList),
        ("cyclic GC off", True, models._ModelList),
        ("json.loads instead of pydantic (plumbing only)", False, DictsOnly),
    ]
    print(f"{'page size':>9}  {'variant':48}  ms per 1,000 models")
    for size in (1000, 50):
        print(f"{size:>9}  {'raw httpx (json.loads)':48}  {_per_listing_ms(raw, size, runs):8.2f}")
        for label, gc_off, page_cls in variants:
            with _patched(models, "_ModelList", page_cls), _gc_off(gc_off):
                print(f"{size:>9}  {label:48}  {_per_listing_ms(ours, size, runs):8.2f}")
    raw.close()
    ours.close()


ABLATIONS: dict[str, Callable[[str], None]] = {
    "ablate-stream": ablate_stream,
    "ablate-list": ablate_list,
}


def main() -> None:
    p = argparse.ArgumentParser(
        prog="python -m bench.profile",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("workload", choices=[*sorted(WORKLOADS), *ABLATIONS])
    p.add_argument("--who", choices=("ours", "raw", "genai"), default="ours")
    p.add_argument("--top", type=int, default=25)
    p.add_argument("--time", action="store_true", help="time it unprofiled instead")
    args = p.parse_args()
    cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    server_cpu = cpus[-1] if len(cpus) > 1 else None
    if server_cpu is not None:
        os.sched_setaffinity(0, set(cpus[:-1]))
    if args.workload in ABLATIONS:
        with ServerProcess(cpu=server_cpu) as server:
            ABLATIONS[args.workload](server.url)
        return
    run, n = WORKLOADS[args.workload]
    with ServerProcess(cpu=server_cpu) as server:
        makers: dict[str, Callable[[str], SyncContender]] = {
            "ours": OursSync,
            "raw": RawSync,
            "genai": GenaiSync,
        }
        c = makers[args.who](server.url)
        for _ in range(max(1, n // 10)):
            run(c)
        if args.time:
            t0 = time.perf_counter()
            for _ in range(n):
                run(c)
            print(
                f"{args.who} {args.workload}: {(time.perf_counter() - t0) / n * 1e3:.3f} ms per run"
            )
            return
        prof = cProfile.Profile()
        prof.enable()
        for _ in range(n):
            run(c)
        prof.disable()
        c.close()
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out)
    stats.sort_stats("tottime").print_stats(args.top)
    stats.sort_stats("cumulative").print_stats(args.top)
    print(out.getvalue().replace(os.getcwd() + "/", ""))


if __name__ == "__main__":
    main()
