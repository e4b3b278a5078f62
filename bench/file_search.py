"""File search: a store filled with 1,000 small documents, then one question, ours against
google-genai on the same emulator.

The emulator runs in its own process (``--clock-speed 10000``: the clock's processing time
takes no wall time, so what is measured is the work itself) and does the real work for both: it extracts, chunks and embeds every
document and retrieves by similarity. Each contender runs in a fresh interpreter that:

1. creates a store;
2. uploads the documents one by one with ``upload_to_file_search_store`` (two requests each:
   the resumable start and the one chunk), keeping the operations;
3. waits until every operation is done (one ``operations.get`` each, then polling at 1 s
   as both SDKs do, with the same loop);
4. asks one question with the ``file_search`` tool and checks the answer cites the one
   document that holds it.

It reports the seconds of steps 2-3 (``import``), of step 4 (``query``) and the growth of its
peak RSS over the whole run. ``--quick`` uses 10 documents; the default 1,000 (one round).

Child usage: ``python -m bench.file_search WHO URL COUNT`` prints ``{"import", "query", "rss"}``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .harness import Stats
from .memory import _rss_growth

__all__ = [
    "FILE_SEARCH_ROWS",
    "FileSearchConfig",
    "FileSearchResult",
    "file_search_json",
    "print_file_search",
    "run_file_search",
]

ROOT = Path(__file__).resolve().parent.parent
FILE_SEARCH_ROWS = ("fss_import", "fss_query", "fss_rss")
CONTENDERS = ("ours", "genai")
MODEL = "gemini-2.5-flash"
QUICK_SHARED = 50  # up to this many documents, both contenders use one emulator
TOPICS = (
    "harbour",
    "orchard",
    "glacier",
    "foundry",
    "library",
    "vineyard",
    "observatory",
    "bakery",
    "railway",
    "lighthouse",
)


@dataclass(frozen=True)
class FileSearchConfig:
    documents: int
    rounds: int

    @classmethod
    def full(cls, rounds: int | None = None) -> FileSearchConfig:
        return cls(1000, min(rounds or 1, 3))

    @classmethod
    def quick(cls, rounds: int | None = None) -> FileSearchConfig:
        return cls(10, rounds or 1)


@dataclass
class FileSearchResult:
    documents: int
    seconds: dict[str, Stats] = field(default_factory=dict)
    query: dict[str, Stats] = field(default_factory=dict)
    rss: dict[str, Stats] = field(default_factory=dict)


_SYLLABLES = ("ka", "lo", "mi", "nu", "pe", "ra", "so", "ti", "ve", "zu")


def ledger(i: int) -> str:
    """A made-up word of its own for note ``i`` (``kalomi``...), so one note answers."""
    return "".join(_SYLLABLES[(i // 10**k) % 10] for k in range(4))


def document(i: int) -> bytes:
    """A small note (about 60 words); note ``i`` alone names its ledger and that code."""
    topic = TOPICS[i % len(TOPICS)]
    return (
        f"Note {i} about the {topic}. The {topic} keeper checks the log every morning and "
        f"writes down the weather, the visitors and the repairs. Deliveries arrive on "
        f"weekdays before noon and are signed for at the front desk. The {ledger(i)} ledger "
        f"opens with the access code K{i}-{i * 7919 % 10007}. Questions go to the {topic} "
        "office by email.\n"
    ).encode()


def _question(count: int) -> tuple[int, str]:
    target = count // 2 + 1
    return target, f"What access code opens the {ledger(target)} ledger?"


def child(who: str, url: str, count: int) -> dict[str, float]:
    target, question = _question(count)
    timings: dict[str, float] = {}

    if who == "ours":
        from gemini_nb import Client

        client = Client(api_key="bench", base_url=url)

        def work() -> None:
            store = client.file_search_stores.create(display_name=f"bench {who}")
            t0 = time.perf_counter()
            ops = [
                client.file_search_stores.upload_to_file_search_store(
                    file_search_store_name=store,
                    file=document(i),
                    mime_type="text/plain",
                    display_name=f"note-{i}.txt",
                )
                for i in range(count)
            ]
            for op in ops:
                if not op.refresh().done:
                    op.wait(timeout=600)
            timings["import"] = time.perf_counter() - t0
            t1 = time.perf_counter()
            r = client.models.generate_content(
                model=MODEL,
                contents=question,
                config={"tools": [{"file_search": {"file_search_store_names": [store.name]}}]},
            )
            timings["query"] = time.perf_counter() - t1
            titles = {
                ctx.title
                for c in r.citations()
                if (ctx := c.sources[0].retrieved_context) is not None
            }
            assert titles == {f"note-{target}.txt"}, titles
    else:
        import io

        from google import genai
        from google.genai import types

        gclient: Any = genai.Client(api_key="bench", http_options={"base_url": url})

        def work() -> None:
            store = gclient.file_search_stores.create(config={"display_name": f"bench {who}"})
            t0 = time.perf_counter()
            ops = [
                gclient.file_search_stores.upload_to_file_search_store(
                    file_search_store_name=store.name,
                    file=io.BytesIO(document(i)),
                    config={"mime_type": "text/plain", "display_name": f"note-{i}.txt"},
                )
                for i in range(count)
            ]
            for op in ops:
                op = gclient.operations.get(op)
                while not op.done:
                    time.sleep(1)
                    op = gclient.operations.get(op)
            timings["import"] = time.perf_counter() - t0
            t1 = time.perf_counter()
            r: Any = gclient.models.generate_content(
                model=MODEL,
                contents=question,
                config=types.GenerateContentConfig(
                    tools=[
                        types.Tool(
                            file_search=types.FileSearch(file_search_store_names=[store.name])
                        )
                    ]
                ),
            )
            timings["query"] = time.perf_counter() - t1
            meta = r.candidates[0].grounding_metadata
            titles = {
                meta.grounding_chunks[i].retrieved_context.title
                for s in meta.grounding_supports
                for i in s.grounding_chunk_indices
            }
            assert titles == {f"note-{target}.txt"}, titles

    rss = _rss_growth(work)
    return {"import": timings["import"], "query": timings["query"], "rss": float(rss)}


def _emulator() -> tuple[subprocess.Popen[str], str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "gemini_nb.emulator", "--port", "0", "--clock-speed", "10000"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    url = proc.stdout.readline().strip()
    if not url.startswith("http"):
        proc.kill()
        raise RuntimeError("the emulator did not start")
    return proc, url


def run_file_search(cfg: FileSearchConfig) -> FileSearchResult:
    from .harness import order_for

    res = FileSearchResult(cfg.documents)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    seconds: dict[str, list[float]] = {w: [] for w in CONTENDERS}
    query: dict[str, list[float]] = {w: [] for w in CONTENDERS}
    rss: dict[str, list[float]] = {w: [] for w in CONTENDERS}
    shared = _emulator() if cfg.documents <= QUICK_SHARED else None
    try:
        for round_no in range(cfg.rounds):
            for who in order_for(round_no, CONTENDERS):
                # A fresh emulator each time, so every store starts alike (a quick run shares
                # one: its few documents change nothing).
                server, url = shared if shared is not None else _emulator()
                try:
                    proc = subprocess.run(
                        [sys.executable, "-m", "bench.file_search", who, url, str(cfg.documents)],
                        cwd=ROOT,
                        env=env,
                        capture_output=True,
                        text=True,
                        timeout=1800,
                    )
                finally:
                    if shared is None:
                        server.terminate()
                        server.wait(10)
                if proc.returncode != 0:
                    raise RuntimeError(f"file search child {who} failed:\n{proc.stderr[-2000:]}")
                out = json.loads(proc.stdout.strip().splitlines()[-1])
                seconds[who].append(out["import"])
                query[who].append(out["query"] * 1000)
                rss[who].append(out["rss"])
    finally:
        if shared is not None:
            shared[0].terminate()
            shared[0].wait(10)
    res.seconds = {w: Stats(tuple(v)) for w, v in seconds.items()}
    res.query = {w: Stats(tuple(v)) for w, v in query.items()}
    res.rss = {w: Stats(tuple(v)) for w, v in rss.items()}
    return res


def _labels(n: int) -> dict[str, str]:
    return {
        "fss_import": f"file search: {n:,} documents uploaded and ready, s",
        "fss_query": "file search: one question, ms",
        "fss_rss": "file search: peak RSS growth",
    }


def _verdicts(res: FileSearchResult) -> dict[str, str]:
    def at_most(key: dict[str, Stats], slack: float) -> str:
        return "PASS" if key["ours"].median <= key["genai"].median * slack else "MISS"

    return {
        "fss_import": at_most(res.seconds, 1.05),
        "fss_query": at_most(res.query, 1.05),
        "fss_rss": at_most(res.rss, 1.0),
    }


def print_file_search(res: FileSearchResult) -> None:
    from .report import _cell, _table

    labels = _labels(res.documents)
    verdicts = _verdicts(res)
    rows = [
        [
            labels["fss_import"],
            *(_cell(res.seconds[w], 2) for w in CONTENDERS),
            f"ours/genai {res.seconds['ours'].median / res.seconds['genai'].median:.2f}× "
            f"{verdicts['fss_import']}",
        ],
        [
            labels["fss_query"],
            *(_cell(res.query[w], 1) for w in CONTENDERS),
            f"ours/genai {res.query['ours'].median / res.query['genai'].median:.2f}× "
            f"{verdicts['fss_query']}",
        ],
        [
            labels["fss_rss"],
            *(f"{res.rss[w].median / 1024**2:,.1f} MiB" for w in CONTENDERS),
            f"ours ≤ genai {verdicts['fss_rss']}",
        ],
    ]
    print(
        f"\nFile search: {res.documents:,} small documents and one question, on the emulator "
        "(its own process)"
    )
    print(_table(["measurement", *CONTENDERS, "goal"], rows, right={1, 2}))


def file_search_json(res: FileSearchResult) -> dict[str, Any]:
    labels = _labels(res.documents)
    verdicts = _verdicts(res)

    def values(stats: dict[str, Stats]) -> dict[str, Any]:
        return {w: {"median": s.median, "samples": list(s.samples)} for w, s in stats.items()}

    return {
        "fss_import": {
            "label": labels["fss_import"],
            "values": values(res.seconds),
            "verdict": verdicts["fss_import"],
        },
        "fss_query": {
            "label": labels["fss_query"],
            "values": values(res.query),
            "verdict": verdicts["fss_query"],
        },
        "fss_rss": {
            "label": labels["fss_rss"],
            "values": {w: {"rss": s.median} for w, s in res.rss.items()},
            "verdict": verdicts["fss_rss"],
        },
    }


if __name__ == "__main__":
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, range(os.cpu_count() or 1))
    who_, url_, count_ = sys.argv[1:4]
    print(json.dumps(child(who_, url_, int(count_))))
