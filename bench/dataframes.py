"""DataFrame jobs: the online engine against the code users write today, and the batch engine's
preparation, with peak memory at 100,000 rows.

* ``df_online_rate``: rows per second over one DataFrame of reviews, against the bench's canned
  server (its own process): ``client.dataframes.generate`` (async client, 32 in flight, its
  default checkpoint on disk) and google-genai the way notebooks do it today, an
  ``asyncio.gather`` of one ``client.aio.models.generate_content`` per row behind a semaphore of
  32, the texts then put in a column. Same server, same rows, rounds interleaved.
* ``df_online_rss``: the online engine over 100,000 rows in a fresh interpreter (sync client,
  DataFrame in, DataFrame out, checkpoint on): its rows per second and its peak RSS, whole
  process (interpreter, pandas and pyarrow included). Goal: at most 300 MiB.
* ``df_batch_prep``: the batch engine over 100,000 rows in a fresh interpreter, up to the jobs
  being created: the JSONL written (streamed), uploaded and the job created on the emulator
  (its own process), then the first poll. Seconds, and peak RSS.

``--quick`` shrinks every count; its numbers mean nothing.

Child usage: ``python -m bench.dataframes online|batch URL ROWS`` prints
``{"seconds", "rss"}``.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .harness import Stats, order_for

__all__ = [
    "DATAFRAME_ROWS",
    "DataframesConfig",
    "DataframesResult",
    "dataframes_json",
    "print_dataframes",
    "run_dataframes",
]

ROOT = Path(__file__).resolve().parent.parent
DATAFRAME_ROWS = ("df_online_rate", "df_online_rss", "df_batch_prep")
MODEL = "gemini-2.5-flash"
IN_FLIGHT = 32
TARGET_RSS_MIB = 300
PROMPT = "Classify the sentiment of this review as positive, negative or mixed.\n\n{review}"
_WORDS = [
    "the",
    "product",
    "arrived",
    "quickly",
    "and",
    "works",
    "as",
    "described",
    "but",
    "the",
    "battery",
    "life",
    "is",
    "shorter",
    "than",
    "advertised",
    "customer",
    "service",
    "answered",
    "within",
    "a",
    "day",
    "would",
    "buy",
    "again",
    "not",
    "worth",
    "the",
    "price",
    "broke",
    "after",
    "two",
    "weeks",
    "excellent",
    "quality",
    "packaging",
    "was",
    "damaged",
    "instructions",
    "unclear",
]


@dataclass(frozen=True)
class DataframesConfig:
    rows: int  # rows per throughput round
    rounds: int
    big: int  # rows of the memory and batch runs

    @classmethod
    def full(cls, rounds: int | None = None) -> DataframesConfig:
        return cls(5_000, min(rounds or 3, 5), 100_000)

    @classmethod
    def quick(cls, rounds: int | None = None) -> DataframesConfig:
        return cls(100, rounds or 1, 500)


@dataclass
class DataframesResult:
    rows: int
    big: int
    rate: dict[str, Stats] = field(default_factory=dict)  # rows/s
    online_rate: float = 0.0  # rows/s over `big` rows
    online_rss: float = 0.0  # bytes, peak
    batch_seconds: float = 0.0
    batch_rss: float = 0.0


def make_frame(n: int, seed: int = 11) -> Any:
    import pandas as pd

    rnd = random.Random(seed)
    reviews = [
        " ".join(rnd.choice(_WORDS) for _ in range(rnd.randint(8, 40))).capitalize() + "."
        for _ in range(n)
    ]
    return pd.DataFrame({"review": reviews, "stars": [rnd.randint(1, 5) for _ in range(n)]})


# --------------------------------------------------------------------------- contenders


async def _ours(url: str, df: Any, workdir: str) -> Any:
    from gemini_nb import AsyncClient

    async with AsyncClient(base_url=url, api_key="bench") as client:
        return await client.dataframes.generate(
            df,
            prompt=PROMPT,
            model=MODEL,
            concurrency=IN_FLIGHT,
            checkpoint=os.path.join(workdir, f"ours-{time.monotonic_ns()}.jsonl"),
            progress=False,
        )


async def _genai(url: str, df: Any) -> Any:
    from google import genai

    client = genai.Client(api_key="bench", http_options={"base_url": url})
    semaphore = asyncio.Semaphore(IN_FLIGHT)

    async def one(review: str) -> str | None:
        async with semaphore:
            response = await client.aio.models.generate_content(
                model=MODEL, contents=PROMPT.format(review=review)
            )
            return response.text

    texts = await asyncio.gather(*(one(r) for r in df["review"]))
    out = df.copy()
    out["text"] = texts
    return out


def _rates(cfg: DataframesConfig, url: str) -> dict[str, Stats]:
    df = make_frame(cfg.rows)
    rates: dict[str, list[float]] = {"ours": [], "genai": []}
    with tempfile.TemporaryDirectory(prefix="gemini-nb-bench-") as workdir:
        # Warm-up: connections, imports, pydantic schemas.
        asyncio.run(_ours(url, df.head(50), workdir))
        asyncio.run(_genai(url, df.head(50)))
        for round_no in range(cfg.rounds):
            for who in order_for(round_no, ("ours", "genai")):
                t0 = time.perf_counter()
                out = asyncio.run(_ours(url, df, workdir) if who == "ours" else _genai(url, df))
                seconds = time.perf_counter() - t0
                if len(out) != len(df) or out["text"].isna().any():
                    raise RuntimeError(f"{who} did not answer every row")
                rates[who].append(len(df) / seconds)
    return {w: Stats(tuple(v)) for w, v in rates.items()}


# --------------------------------------------------------------------------- children


def _peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def child(mode: str, url: str, rows: int) -> dict[str, float]:
    import pandas  # noqa: F401 - loaded before the clock starts, as in a notebook

    import gemini_nb as g

    df = make_frame(rows)
    with tempfile.TemporaryDirectory(prefix="gemini-nb-bench-") as workdir:
        client = g.Client(base_url=url, api_key="bench")
        t0 = time.perf_counter()
        if mode == "online":
            out = client.dataframes.generate(
                df,
                prompt=PROMPT,
                model=MODEL,
                concurrency=IN_FLIGHT,
                checkpoint=os.path.join(workdir, "job.jsonl"),
                progress=False,
            )
            if len(out) != rows or out["error"].notna().any():
                raise RuntimeError("not every row was answered")
        else:
            try:
                client.dataframes.generate(
                    df,
                    prompt=PROMPT,
                    model=MODEL,
                    engine="batch",
                    timeout=0,  # stop at the first poll: the jobs are created
                    checkpoint=os.path.join(workdir, "job.jsonl"),
                    workdir=workdir,
                    progress=False,
                )
            except g.WaitTimeoutError:
                pass
            else:
                raise RuntimeError("the batch job ended before its first poll")
        seconds = time.perf_counter() - t0
    return {"seconds": seconds, "rss": float(_peak_rss())}


def _run_child(mode: str, url: str, rows: int) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-m", "bench.dataframes", mode, url, str(rows)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"dataframes child {mode} failed:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def run_dataframes(cfg: DataframesConfig) -> DataframesResult:
    from .server import ServerProcess
    from .upload import _emulator

    res = DataframesResult(cfg.rows, cfg.big)
    with ServerProcess() as server:
        res.rate = _rates(cfg, server.url)
        online = _run_child("online", server.url, cfg.big)
    res.online_rate = cfg.big / online["seconds"]
    res.online_rss = online["rss"]
    proc, url = _emulator()
    try:
        batch = _run_child("batch", url, cfg.big)
    finally:
        proc.terminate()
        proc.wait(10)
    res.batch_seconds = batch["seconds"]
    res.batch_rss = batch["rss"]
    return res


# --------------------------------------------------------------------------- report


def _labels(res: DataframesResult) -> dict[str, str]:
    return {
        "df_online_rate": f"online engine, {res.rows:,} rows, {IN_FLIGHT} in flight, rows/s",
        "df_online_rss": f"online engine, {res.big:,} rows, sync client: rows/s, peak RSS",
        "df_batch_prep": f"batch engine, {res.big:,} rows: write, upload, create; peak RSS",
    }


def _mib(value: float) -> str:
    return f"{value / 1024**2:,.0f} MiB"


def print_dataframes(res: DataframesResult) -> None:
    from .report import _cell, _table

    labels = _labels(res)
    ours, genai = res.rate["ours"].median, res.rate["genai"].median
    rss_ok = max(res.online_rss, res.batch_rss) <= TARGET_RSS_MIB * 1024**2
    rows = [
        [
            labels["df_online_rate"],
            _cell(res.rate["ours"], 0),
            _cell(res.rate["genai"], 0),
            f"ours/genai {ours / genai:.2f}×",
        ],
        [
            labels["df_online_rss"],
            f"{res.online_rate:,.0f} rows/s, {_mib(res.online_rss)}",
            "",
            f"≤ {TARGET_RSS_MIB} MiB {'PASS' if res.online_rss <= TARGET_RSS_MIB * 1024**2 else 'MISS'}",
        ],
        [
            labels["df_batch_prep"],
            f"{res.batch_seconds:,.1f} s, {_mib(res.batch_rss)}",
            "",
            f"≤ {TARGET_RSS_MIB} MiB {'PASS' if res.batch_rss <= TARGET_RSS_MIB * 1024**2 else 'MISS'}",
        ],
    ]
    print("\nDataFrame jobs (canned server and emulator, each in its own process)")
    print(_table(["measurement", "gemini-nb", "google-genai (gather)", "goal"], rows, right={1, 2}))
    if not rss_ok:
        print("note: peak RSS is the whole process's, interpreter and libraries included")


def dataframes_json(res: DataframesResult) -> dict[str, Any]:
    labels = _labels(res)
    limit = TARGET_RSS_MIB * 1024**2
    return {
        "df_online_rate": {
            "label": labels["df_online_rate"],
            "unit": "rows/s",
            "values": {
                w: {"median": s.median, "samples": list(s.samples)} for w, s in res.rate.items()
            },
        },
        "df_online_rss": {
            "label": labels["df_online_rss"],
            "unit": "rows/s, bytes",
            "values": {"ours": {"median": res.online_rate, "rss": res.online_rss}},
            "verdict": "PASS" if res.online_rss <= limit else "MISS",
        },
        "df_batch_prep": {
            "label": labels["df_batch_prep"],
            "unit": "s, bytes",
            "values": {"ours": {"median": res.batch_seconds, "rss": res.batch_rss}},
            "verdict": "PASS" if res.batch_rss <= limit else "MISS",
        },
    }


if __name__ == "__main__":
    mode_, url_, rows_ = sys.argv[1:4]
    print(json.dumps(child(mode_, url_, int(rows_))))
