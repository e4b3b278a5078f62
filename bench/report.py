"""The printed tables and the JSON dump of one benchmark run."""

from __future__ import annotations

import datetime as dt
import importlib.metadata as md
import os
import platform
from dataclasses import asdict
from typing import Any

from . import ROWS
from .harness import CONTENDERS, LABELS, Row, Stats, Target
from .imports import IMPORT_ROWS, TARGETS, ImportResult

__all__ = ["machine_info", "print_floor", "print_imports", "print_memory", "print_wire", "to_json"]

ROW_ORDER = ROWS[: ROWS.index("list_1000") + 1]  # the wire rows, in print order


def machine_info() -> dict[str, Any]:
    cpu = platform.processor() or "?"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    versions = {}
    for dist in ("gemini-nb", "google-genai", "httpx", "httpx2", "pydantic", "pydantic-core"):
        try:
            versions[dist] = md.version(dist)
        except md.PackageNotFoundError:
            versions[dist] = "-"
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu": cpu,
        "cpus": os.cpu_count(),
        "versions": versions,
    }


def _num(value: float, decimals: int) -> str:
    if decimals == 0 and abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:,.{decimals}f}"


def _cell(stats: Stats | None, decimals: int) -> str:
    if stats is None:
        return "-"
    return f"{_num(stats.median, decimals)} ±{stats.spread * 100:.0f}%"


def _ratio(value: float | None) -> str:
    return f"{value:.2f}×" if value is not None else ""


def _table(headers: list[str], rows: list[list[str]], right: set[int]) -> str:
    widths = [max(len(r[i]) for r in [headers, *rows]) for i in range(len(headers))]

    def line(cells: list[str]) -> str:
        return "  ".join(
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(headers), rule, *(line(r) for r in rows)])


def print_wire(rows: list[Row], rounds: int) -> None:
    if not rows:
        return
    rows = sorted(rows, key=lambda r: ROW_ORDER.index(r.key))
    out = []
    for r in rows:
        cells = [r.label, r.unit]
        for who in CONTENDERS:
            cells.append(_cell(r.values.get(who), r.decimals))
            if who != "raw":
                cells.append(_ratio(r.ratio(who)))
        cells.append(r.target.describe() if r.target else "")
        cells.append(r.verdict() or "")
        cells.append(f"{r.server_busy * 100:.0f}%" if r.server_busy is not None else "")
        out.append(cells)
    headers = [
        "benchmark",
        "unit",
        LABELS["raw"],
        LABELS["ours"],
        "×raw",
        LABELS["genai"],
        "×raw",
        "target",
        "ours",
        "srv cpu",
    ]
    print(
        f"\nWire work against the canned server: median of {rounds} interleaved rounds, "
        "± half the min-max range"
    )
    print(_table(headers, out, right={2, 3, 4, 5, 6, 9}))
    print(
        "×raw: the median over rounds of contender/raw httpx within the same round. For µs and "
        "ms lower is better,\nfor chunks/s and calls/s higher is better. 'srv cpu': the share "
        "of one CPU the server used during the raw\nhttpx runs (near 100% would mean the "
        "server sets the pace)."
    )


def print_floor(floor: dict[str, Stats], rows: list[Row]) -> None:
    raw = {r.key: r.values["raw"] for r in rows if "raw" in r.values}
    what = {
        "call_sync": ("generateContent, sequential", "µs/call", 0),
        "stream_sync": ("stream, all chunks", "chunks/s", 0),
        "list_50": ("list, page size 50", "ms", 1),
    }
    out = []
    for key, (label, unit, dec) in what.items():
        f = floor[key]
        r = raw.get(key)
        share = ""
        if r is not None:
            # The fraction of raw httpx's time that the bare exchange alone takes.
            share = (
                f"{(r.median / f.median if unit == 'chunks/s' else f.median / r.median) * 100:.0f}%"
            )
        out.append([label, unit, _cell(f, dec), _cell(r, dec), share])
    print(
        "\nServer headroom: the same exchanges over a bare socket (server + loopback + "
        "minimal client)"
    )
    print(
        _table(
            ["exchange", "unit", "bare socket", LABELS["raw"], "floor time / raw time"],
            out,
            right={2, 3, 4},
        )
    )


def _checked(res: ImportResult, key: str, target: Target) -> float:
    """What a target bounds: the ratio to `import httpx`, or the median in ms."""
    return res.ratio(key) if target.unit == "×" else res.stats[key].median * 1e3


def print_imports(res: ImportResult, runs: int) -> None:
    out = []
    for key, stmt in IMPORT_ROWS.items():
        s = res.stats[key]
        target = TARGETS.get(key)
        ratio = res.ratio(key)
        verdict = ("PASS" if target.check(_checked(res, key, target)) else "MISS") if target else ""
        out.append(
            [
                stmt,
                f"{s.best * 1e3:.1f}",
                f"{s.median * 1e3:.1f}",
                _ratio(ratio),
                target.describe() if target else "",
                verdict,
            ]
        )
    print(
        f"\nImport wall time: a fresh interpreter per run, timed inside it ({runs} runs each, "
        "interleaved)"
    )
    print(
        _table(
            ["statement", "best ms", "median ms", "×import httpx", "target", "ours"],
            out,
            right={1, 2, 3},
        )
    )
    added = res.added_by_package()
    print(
        f"\n`python -X importtime -c 'from gemini_nb import Client'`: {res.total_ms:.1f} ms in all "
        f"(median of runs);\nmodules that `import httpx` does not load add "
        f"{sum(ms for _, ms in added):.1f} ms of self time, by package:"
    )
    print(
        _table(
            ["package", "self ms"],
            [[name, f"{ms:.1f}"] for name, ms in added[:10]],
            right={1},
        )
    )
    ours = [m for m in res.ours if m.name.split(".")[0] == "gemini_nb"][:8]
    print("\ngemini_nb modules under -X importtime (cumulative includes what they import):")
    print(
        _table(
            ["module", "self ms", "cumulative ms"],
            [[m.name, f"{m.self_ms:.1f}", f"{m.cumulative_ms:.1f}"] for m in ours],
            right={1, 2},
        )
    )


def memory_labels(events: int) -> dict[str, str]:
    return {
        "mem_stream": f"stream {events:,} chunks, sync",
        "mem_list": "list 1,000 models (1 page)",
    }


def print_memory(mem: dict[str, dict[str, dict[str, int]]], events: int) -> None:
    labels = memory_labels(events)
    out = []
    for key, per in mem.items():
        cells = [labels[key]]
        for who in CONTENDERS:
            m = per[who]
            cells.append(f"{m['rss'] / 2**20:.1f} / {m['traced'] / 2**20:.2f}")
        out.append(cells)
    print(
        "\nMemory: peak RSS growth / tracemalloc peak, MiB (fresh interpreter per cell, "
        "after a warm-up)"
    )
    print(_table(["workload", *(LABELS[w] for w in CONTENDERS)], out, right={1, 2, 3}))


def _stats_json(s: Stats) -> dict[str, Any]:
    return {"median": s.median, "best": s.best, "spread": s.spread, "samples": list(s.samples)}


def to_json(
    info: dict[str, Any],
    config: dict[str, Any],
    rows: list[Row],
    floor: dict[str, Stats] | None,
    imports: ImportResult | None,
    memory: dict[str, Any] | None,
) -> dict[str, Any]:
    out: dict[str, Any] = {"machine": info, "config": config, "rows": {}}
    for r in rows:
        out["rows"][r.key] = {
            "label": r.label,
            "unit": r.unit,
            "values": {w: _stats_json(s) for w, s in r.values.items()},
            "ratio_to_raw": {w: r.ratio(w) for w in ("ours", "genai")},
            "ratio_per_round": {w: r.ratios(w) for w in ("ours", "genai")},
            "target": r.target.describe() if r.target else None,
            "verdict": r.verdict(),
            "server_busy": r.server_busy,
        }
    if imports is not None:
        for key, stmt in IMPORT_ROWS.items():
            target = TARGETS.get(key)
            ratio = imports.ratio(key)
            out["rows"][key] = {
                "label": stmt,
                "unit": "s",
                "values": {"ours" if "gemini" in stmt else stmt: _stats_json(imports.stats[key])},
                "ratio_to_httpx": ratio,
                "target": target.describe() if target else None,
                "verdict": (
                    ("PASS" if target.check(_checked(imports, key, target)) else "MISS")
                    if target
                    else None
                ),
            }
        out["importtime"] = {
            "total_ms": imports.total_ms,
            "added_over_httpx_ms": dict(imports.added_by_package()),
            "modules": [asdict(m) for m in imports.ours[:60]],
        }
    if floor is not None:
        out["floor"] = {k: _stats_json(s) for k, s in floor.items()}
    if memory is not None:
        labels = memory_labels(config["memory_events"])
        for key, per in memory.items():
            out["rows"][key] = {"label": labels[key], "unit": "bytes", "values": per}
    return out
