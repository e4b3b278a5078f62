"""client.dataframes against the emulator over loopback, on both clients: the online and batch
engines with structured output and embeddings, a run killed half-way (SIGKILL, as a dead
kernel) and resumed without a finished row sent again, a batch run resumed after a timeout
and a deleted job, 429s with RetryInfo, and Parquet/CSV paths in with Parquet files out."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from pydantic import BaseModel

import gemini_nb as g

from ._run import Run, open_run

MODEL = "gemini-2.5-flash"
ROOT = Path(__file__).resolve().parents[2]


class Verdict(BaseModel):
    label: str
    score: int


@pytest.fixture(scope="module")
def emulator() -> Iterator[Any]:
    """An emulator of this module's own: batch jobs run on a clock 200 times faster."""
    from gemini_nb.emulator import EmulatorOptions, EmulatorServer

    with EmulatorServer(options=EmulatorOptions(clock_speed=200, log_size=2000)) as server:
        yield server


@pytest.fixture(params=["sync", "async"])
async def run(request: pytest.FixtureRequest, emulator: Any) -> AsyncIterator[Run]:
    emulator.app.faults.clear()
    async with open_run(request.param, emulator.url) as r:
        yield r
    emulator.app.faults.clear()


def _frame(n: int) -> pd.DataFrame:
    return pd.DataFrame(
        {"title": [f"Item {i}" for i in range(n)], "body": [f"about thing {i}" for i in range(n)]},
        index=pd.Index([f"k{n - i}" for i in range(n)], name="key"),
    )


def _sent(emulator: Any, method: str) -> list[dict[str, Any]]:
    return [r for r in emulator.app.requests if r["path"].endswith(f":{method}")]


async def test_online_engine_with_a_schema(run: Run, emulator: Any) -> None:
    df = _frame(40)
    emulator.app.requests.clear()
    out = await run(
        lambda c: c.dataframes.generate(
            df,
            prompt="Review {title}: {body}",
            model=MODEL,
            config={"response_schema": Verdict, "system_instruction": "Be strict."},
            concurrency=8,
            checkpoint=None,
            progress=False,
        )
    )
    assert list(out.index) == list(df.index) and out.index.name == "key"
    assert list(out.columns[:4]) == ["title", "body", "label", "score"]
    assert str(out["score"].dtype) == "Int64" and out["label"].notna().all()
    assert out["error"].isna().all() and (out["finish_reason"] == "STOP").all()
    assert (out["prompt_tokens"] > 0).all() and (out["total_tokens"] >= out["output_tokens"]).all()
    sent = _sent(emulator, "generateContent")
    assert len(sent) == 40
    texts = {r["json"]["contents"][0]["parts"][0]["text"] for r in sent}
    assert texts == {f"Review Item {i}: about thing {i}" for i in range(40)}
    assert all(r["json"]["systemInstruction"]["parts"][0]["text"] == "Be strict." for r in sent)
    summary = out.attrs["gemini_nb"]
    assert summary["rows"] == 40 and summary["errors"] == 0 and summary["cost"] > 0


async def test_batch_engine_splits_into_jobs_and_aligns(run: Run, emulator: Any) -> None:
    df = _frame(25)
    emulator.app.requests.clear()
    out = await run(
        lambda c: c.dataframes.generate(
            df,
            prompt="Review {title}: {body}",
            model=MODEL,
            config={"response_schema": Verdict},
            engine="batch",
            max_job_requests=10,
            checkpoint=None,
            progress=False,
        )
    )
    assert len(_sent(emulator, "batchGenerateContent")) == 3
    assert len(out.attrs["gemini_nb"]["jobs"]) == 3
    assert list(out.index) == list(df.index) and out["error"].isna().all()
    assert out["label"].notna().all() and str(out["score"].dtype) == "Int64"
    online = await run(
        lambda c: c.dataframes.generate(
            df,
            prompt="Review {title}: {body}",
            model=MODEL,
            config={"response_schema": Verdict},
            checkpoint=None,
            progress=False,
        )
    )
    # The emulator answers the same request the same way, online or in a batch.
    assert out["text"].tolist() == online["text"].tolist()
    assert out.attrs["gemini_nb"]["cost"] == pytest.approx(online.attrs["gemini_nb"]["cost"] / 2)


async def test_embeddings_online_and_batch(run: Run) -> None:
    df = pd.DataFrame({"word": ["red", "green", "blue", "red"]})
    kw = dict(
        prompt="{word}",
        model="gemini-embedding-001",
        checkpoint=None,
        progress=False,
        config={"output_dimensionality": 32},
    )
    online = await run(lambda c: c.dataframes.embed(df, **kw))
    batch = await run(lambda c: c.dataframes.embed(df, engine="batch", **kw))
    for out in (online, batch):
        vectors = out["embedding"].tolist()
        assert all(v.shape == (32,) and v.dtype == "float32" for v in vectors)
        assert vectors[0].tolist() == vectors[3].tolist() != vectors[1].tolist()
    assert online["embedding"][1].tolist() == batch["embedding"][1].tolist()


async def test_a_429_with_retry_info_pauses_and_every_row_finishes(run: Run, emulator: Any) -> None:
    emulator.app.faults.add(
        {"status": 429, "count": 2, "retry_delay": "0.2s", "path": ":generateContent"}
    )
    started = time.monotonic()
    out = await run(
        lambda c: c.dataframes.generate(
            _frame(12),
            prompt="{title}",
            model=MODEL,
            concurrency=4,
            checkpoint=None,
            progress=False,
        )
    )
    assert out["error"].isna().all() and out.attrs["gemini_nb"]["rate_limited"] == 2
    assert time.monotonic() - started >= 0.2


def test_a_killed_run_resumes_without_sending_a_finished_row(emulator: Any, tmp_path: Path) -> None:
    checkpoint = tmp_path / "job.jsonl"
    n = 150
    script = textwrap.dedent(
        f"""
        import pandas as pd, gemini_nb as g
        df = pd.DataFrame({{"item": [f"row {{i}}" for i in range({n})]}})
        g.Client(base_url={emulator.url!r}).dataframes.generate(
            df, prompt="Say {{item}}", model={MODEL!r}, concurrency=4,
            checkpoint={str(checkpoint)!r}, progress=False)
        """
    )
    emulator.app.faults.clear()
    emulator.app.faults.add({"latency_ms": 40, "path": ":generateContent"})
    proc = subprocess.Popen(
        [sys.executable, "-c", script],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            if checkpoint.exists() and len(checkpoint.read_bytes().splitlines()) > 50:
                break
            time.sleep(0.02)
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
        proc.send_signal(signal.SIGKILL)  # no cleanup at all, as when a kernel dies
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
        emulator.app.faults.clear()
    finished = set()
    for line in checkpoint.read_bytes().splitlines(keepends=True)[1:]:
        try:
            finished.add(int(json.loads(line)["k"].split("#")[0]))
        except ValueError:  # the line the kill cut short: not finished
            assert not line.endswith(b"\n")
    assert 50 <= len(finished) < n

    emulator.app.requests.clear()
    df = pd.DataFrame({"item": [f"row {i}" for i in range(n)]})
    out = g.Client(base_url=emulator.url).dataframes.generate(
        df,
        prompt="Say {item}",
        model=MODEL,
        concurrency=4,
        checkpoint=checkpoint,
        progress=False,
    )
    resent = {
        int(r["json"]["contents"][0]["parts"][0]["text"].split()[-1])
        for r in _sent(emulator, "generateContent")
    }
    assert not resent & finished  # no finished row was paid for twice
    assert resent | finished == set(range(n))
    assert out["error"].isna().all() and out["text"].notna().all()
    assert out.attrs["gemini_nb"]["resumed"] == len(finished)


@pytest.fixture(scope="module")
def slow_emulator() -> Iterator[Any]:
    """An emulator on a real-time clock: its jobs end only when the test moves the clock."""
    from gemini_nb.emulator import EmulatorServer

    with EmulatorServer() as server:
        yield server


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_a_batch_run_resumes_its_jobs(kind: str, slow_emulator: Any, tmp_path: Path) -> None:
    emulator = slow_emulator
    checkpoint = tmp_path / "batch.jsonl"
    df = _frame(20)
    kw = dict(
        prompt="{title}",
        model=MODEL,
        engine="batch",
        max_job_requests=10,
        checkpoint=checkpoint,
        progress=False,
    )
    emulator.app.requests.clear()
    async with open_run(kind, emulator.url) as run:
        with pytest.raises(g.WaitTimeoutError, match="again"):
            await run(lambda c: c.dataframes.generate(df, timeout=0, **kw))
        assert len(_sent(emulator, "batchGenerateContent")) == 2
        lines = [json.loads(x) for x in checkpoint.read_text().splitlines()[1:]]
        jobs = [line["r"]["name"] for line in lines]
        await run(lambda c: c.batches.delete(name=jobs[0]))
        emulator.app.clock.advance(3600)  # the other job ends meanwhile
        # And the new one ends before the first poll.
        timer = threading.Timer(0.5, emulator.app.clock.advance, (3600,))
        timer.start()
        try:
            out = await run(lambda c: c.dataframes.generate(df, timeout=60, **kw))
        finally:
            timer.cancel()
    # The deleted job is made again; the other one is read, not paid for twice.
    assert len(_sent(emulator, "batchGenerateContent")) == 3
    used = out.attrs["gemini_nb"]["jobs"]
    assert used[1] == jobs[1] and used[0] != jobs[0]
    assert out.attrs["gemini_nb"]["resumed"] == 10 and out.attrs["gemini_nb"]["sent"] == 10
    assert out["error"].isna().all() and list(out.index) == list(df.index)


@pytest.mark.parametrize("engine", ["online", "batch"])
async def test_files_in_parquet_files_out(run: Run, tmp_path: Path, engine: str) -> None:
    pytest.importorskip("pyarrow")
    source = tmp_path / "in"
    source.mkdir()
    df = _frame(30).reset_index(drop=True)
    df.iloc[:18].to_parquet(source / "a.parquet", row_group_size=7)
    df.iloc[18:].to_parquet(source / "b.parquet")
    result = await run(
        lambda c: c.dataframes.generate(
            source,
            prompt="{title}",
            model=MODEL,
            engine=engine,
            output=tmp_path / "out",
            partition_rows=8,
            checkpoint=None,
            progress=False,
        )
    )
    assert result == tmp_path / "out"
    parts = sorted(result.glob("part-*.parquet"))
    assert len(parts) >= 4
    back = pd.read_parquet(result)
    assert list(back.index) == list(range(30)) and back["title"].tolist() == df["title"].tolist()
    assert back["error"].isna().all() and back["text"].notna().all()

    csv = tmp_path / "in.csv"
    df.to_csv(csv, index=False)
    from_csv = await run(
        lambda c: c.dataframes.generate(
            csv,
            prompt="{title}",
            model=MODEL,
            engine=engine,
            output=tmp_path / "csv-out",
            partition_rows=8,
            checkpoint=None,
            progress=False,
        )
    )
    again = pd.read_parquet(from_csv)
    assert again["text"].tolist() == back["text"].tolist()


async def test_progress_bars_show_rows_tokens_and_time(
    run: Run, capsys: pytest.CaptureFixture[str]
) -> None:
    await run(
        lambda c: c.dataframes.generate(_frame(10), prompt="{title}", model=MODEL, checkpoint=None)
    )
    err = capsys.readouterr().err
    assert "10/10" in err and "row/s" in err and "tokens" in err
    await run(
        lambda c: c.dataframes.generate(
            _frame(10), prompt="{title}", model=MODEL, checkpoint=None, engine="batch"
        )
    )
    err = capsys.readouterr().err
    for step in ("writing requests", "uploading", "batch", "results"):
        assert step in err
    assert "SUCCEEDED" in err
