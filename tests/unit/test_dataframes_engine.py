"""The online engine against a scripted async server: answers aligned to their rows whatever
order they arrive in, a run cancelled half-way and resumed without re-sending a finished row,
429s with RetryInfo on a fake clock, errors kept per row, embeddings in groups of 100, the
cost estimate, and every mistake caught before anything is sent."""

from __future__ import annotations

import asyncio
import json
import random
from pathlib import Path
from typing import Any

import httpx
import pandas as pd
import pytest

import gemini_nb as g
from gemini_nb.dataframes import Checkpoint
from gemini_nb.dataframes._api import _job, _Options
from gemini_nb.dataframes._online import OnlineRunner

from ._fakes import BASE, KEY

MODEL = "gemini-2.5-flash"


def _prompt(request: httpx.Request) -> str:
    body = json.loads(request.content)
    return str(body["contents"][0]["parts"][0]["text"])


def _answer(text: str) -> dict[str, Any]:
    return {
        "candidates": [
            {"content": {"role": "model", "parts": [{"text": text}]}, "finishReason": "STOP"}
        ],
        "usageMetadata": {"promptTokenCount": 3, "candidatesTokenCount": 2, "totalTokenCount": 5},
    }


class EchoServer:
    """Answers generateContent with ``echo: <prompt>`` after a random delay."""

    def __init__(self, *, max_delay: float = 0.0, seed: int = 1) -> None:
        self.prompts: list[str] = []
        self.completed: list[str] = []
        self.rnd = random.Random(seed)
        self.max_delay = max_delay
        self.hold: asyncio.Event | None = None  # set: requests after `hold_after` wait on it
        self.hold_after = 0
        self.fail: dict[str, httpx.Response] = {}  # by prompt
        self.in_flight = 0
        self.max_in_flight = 0

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        prompt = _prompt(request)
        self.prompts.append(prompt)
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if self.hold is not None and len(self.prompts) > self.hold_after:
                await self.hold.wait()
            if self.max_delay:
                await asyncio.sleep(self.rnd.random() * self.max_delay)
        finally:
            self.in_flight -= 1
        self.completed.append(prompt)
        if prompt in self.fail:
            return self.fail[prompt]
        return httpx.Response(200, json=_answer(f"echo: {prompt}"))


def _client(handler: Any) -> g.AsyncClient:
    return g.AsyncClient(
        http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler)),
        base_url=BASE,
        api_key=KEY,
    )


def _frame(n: int) -> pd.DataFrame:
    # A shuffled, repeated index: results must follow rows, not labels.
    labels = [f"id{(i * 7) % (n // 2 or 1)}" for i in range(n)]
    return pd.DataFrame({"item": [f"row {i}" for i in range(n)]}, index=labels)


async def test_answers_arriving_out_of_order_land_on_their_rows() -> None:
    server = EchoServer(max_delay=0.02)
    df = _frame(120)
    async with _client(server) as client:
        out = await client.dataframes.generate(
            df,
            prompt="Say {item}",
            model=MODEL,
            concurrency=24,
            partition_rows=7,
            checkpoint=None,
            progress=False,
        )
    assert server.max_in_flight > 10  # really concurrent, so really out of order
    assert server.completed != sorted(server.completed, key=lambda p: int(p.split()[-1]))
    assert list(out.index) == list(df.index) and list(out["item"]) == list(df["item"])
    assert list(out["text"]) == [f"echo: Say {item}" for item in df["item"]]
    assert out["error"].isna().all() and (out["total_tokens"] == 5).all()
    assert sorted(server.prompts) == sorted(f"Say {i}" for i in df["item"])  # each once
    summary = out.attrs["gemini_nb"]
    assert summary["rows"] == 120 and summary["sent"] == 120 and summary["resumed"] == 0


async def test_concurrency_is_bounded() -> None:
    server = EchoServer(max_delay=0.01)
    async with _client(server) as client:
        await client.dataframes.generate(
            _frame(60),
            prompt="{item}",
            model=MODEL,
            concurrency=5,
            checkpoint=None,
            progress=False,
        )
    assert server.max_in_flight == 5


async def test_a_cancelled_run_resumes_without_paying_twice(tmp_path: Path) -> None:
    checkpoint = tmp_path / "job.jsonl"
    df = _frame(100)
    server = EchoServer()
    server.hold = asyncio.Event()  # never set: the run hangs after 40 requests, like a kernel
    server.hold_after = 40
    async with _client(server) as client:
        task = asyncio.create_task(
            client.dataframes.generate(
                df,
                prompt="{item}",
                model=MODEL,
                concurrency=8,
                checkpoint=checkpoint,
                progress=False,
            )
        )
        while len(server.prompts) < 48:
            await asyncio.sleep(0.01)
        task.cancel()  # the Stop button (or a dead kernel: nothing after this point counts)
        with pytest.raises(asyncio.CancelledError):
            await task
    with Checkpoint(checkpoint, {}) as cp:
        finished = len(cp)
    assert finished == 40
    first = set(server.prompts[:40])

    again = EchoServer()
    async with _client(again) as client:
        out = await client.dataframes.generate(
            df,
            prompt="{item}",
            model=MODEL,
            concurrency=8,
            checkpoint=checkpoint,
            progress=False,
        )
    assert len(again.prompts) == 60 and not first & set(again.prompts)
    assert list(out["text"]) == [f"echo: {item}" for item in df["item"]]
    assert out.attrs["gemini_nb"]["resumed"] == 40 and out.attrs["gemini_nb"]["sent"] == 60

    # A third run sends nothing; a changed prompt is a new request for every row.
    third = EchoServer()
    async with _client(third) as client:
        out = await client.dataframes.generate(
            df, prompt="{item}", model=MODEL, checkpoint=checkpoint, progress=False
        )
        assert third.prompts == [] and out["error"].isna().all()
        await client.dataframes.generate(
            df, prompt="Now {item}", model=MODEL, checkpoint=checkpoint, progress=False
        )
    assert len(third.prompts) == 100


def _status(code: int, status: str, message: str, **extra: Any) -> httpx.Response:
    return httpx.Response(
        code, json={"error": {"code": code, "status": status, "message": message, **extra}}
    )


async def test_a_429_holds_every_worker_for_the_server_delay() -> None:
    calls: list[str] = []
    limited = {"left": 1}

    async def handler(request: httpx.Request) -> httpx.Response:
        calls.append(_prompt(request))
        if limited["left"]:
            limited["left"] -= 1
            return _status(
                429,
                "RESOURCE_EXHAUSTED",
                "quota",
                details=[{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "7s"}],
            )
        return httpx.Response(200, json=_answer("ok"))

    now = {"t": 0.0}
    sleeps: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        sleeps.append(seconds)
        now["t"] += seconds

    opts = _Options(**_defaults(checkpoint=None, progress=False, rpm=600))
    job = _job("generate", _frame(10), "{item}", MODEL, None, opts)
    async with _client(handler) as client:
        runner = OnlineRunner(
            client,
            job,
            concurrency=1,
            limiter=opts.limiter,
            max_attempts=3,
            clock=lambda: now["t"],
            sleep=fake_sleep,
        )
        await runner.run()
    out = job.result()
    assert out["text"].tolist() == ["ok"] * 10 and len(calls) == 11
    assert sleeps[0] == pytest.approx(7.0)  # RetryInfo, not a guess
    assert opts.limiter.pauses == 1 and job.summary.rate_limited == 1
    # After the pause the limiter paces at 600/min, starting from an empty bucket.
    assert all(s <= 0.2 for s in sleeps[1:]) and now["t"] >= 7.0


def _defaults(**kw: Any) -> dict[str, Any]:
    base = dict(
        engine="online",
        output=None,
        checkpoint="auto",
        concurrency=4,
        rpm=None,
        tpm=None,
        max_attempts=5,
        partition_rows=10_000,
        keep_input=True,
        prefix="",
        progress=False,
        timeout=None,
        max_job_requests=50_000,
        max_job_bytes=2_000_000_000,
        display_name=None,
        workdir=None,
        read_csv=None,
    )
    base.update(kw)
    return base


async def test_errors_are_kept_per_row_and_only_final_ones_checkpointed(
    tmp_path: Path, fake_time: Any
) -> None:
    checkpoint = tmp_path / "job.jsonl"
    server = EchoServer()
    server.fail = {
        "row 1": _status(400, "INVALID_ARGUMENT", "Request contains an invalid argument."),
        "row 2": _status(503, "UNAVAILABLE", "The model is overloaded."),
    }
    df = _frame(4)
    async with _client(server) as client:
        out = await client.dataframes.generate(
            df,
            prompt="{item}",
            model=MODEL,
            checkpoint=checkpoint,
            progress=False,
            max_attempts=3,
        )
    errors = out["error"].tolist()
    assert errors[0] is pd.NA and errors[3] is pd.NA
    assert errors[1] == "400 INVALID_ARGUMENT: Request contains an invalid argument."
    assert errors[2] == "The model is overloaded." or "overloaded" in errors[2]
    assert server.prompts.count("row 2") == 3 and server.prompts.count("row 1") == 1
    assert out.attrs["gemini_nb"]["errors"] == 2
    with Checkpoint(checkpoint, {}) as cp:
        assert len(cp) == 3  # the 503 is not final: a rerun tries it again
    server.fail = {}
    server.prompts.clear()
    async with _client(server) as client:
        out = await client.dataframes.generate(
            df, prompt="{item}", model=MODEL, checkpoint=checkpoint, progress=False
        )
    assert server.prompts == ["row 2"] and out["error"].tolist()[2] is pd.NA


@pytest.mark.parametrize(
    ("code", "status", "error"),
    [(403, "PERMISSION_DENIED", g.PermissionDeniedError), (404, "NOT_FOUND", g.NotFoundError)],
)
async def test_errors_every_row_would_get_stop_the_run(code: int, status: str, error: Any) -> None:
    calls = []

    async def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return _status(code, status, "no")

    async with _client(handler) as client:
        with pytest.raises(error):
            await client.dataframes.generate(
                _frame(50),
                prompt="{item}",
                model=MODEL,
                concurrency=2,
                checkpoint=None,
                progress=False,
            )
    assert len(calls) <= 2


async def test_embeddings_go_100_to_a_call_and_a_bad_row_fails_alone() -> None:
    bodies: list[dict[str, Any]] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        bodies.append(body)
        texts = [r["content"]["parts"][0]["text"] for r in body["requests"]]
        if "bad" in texts:
            return _status(400, "INVALID_ARGUMENT", "empty text")
        return httpx.Response(
            200, json={"embeddings": [{"values": [float(len(t)), 1.0]} for t in texts]}
        )

    df = pd.DataFrame({"t": [f"text {i}" for i in range(250)]})
    df.loc[120, "t"] = "bad"
    async with _client(handler) as client:
        out = await client.dataframes.embed(
            df,
            prompt="{t}",
            model="gemini-embedding-001",
            config={"output_dimensionality": 2},
            checkpoint=None,
            progress=False,
        )
    sizes = sorted(len(b["requests"]) for b in bodies)
    assert sizes.count(100) == 2 and sizes.count(50) == 1 and sizes.count(1) == 100
    assert bodies[0]["requests"][0]["outputDimensionality"] == 2
    assert bodies[0]["requests"][0]["model"] == "models/gemini-embedding-001"
    assert out.loc[0, "embedding"].tolist() == [6.0, 1.0]
    assert out.loc[120, "embedding"] is None and "empty text" in out.loc[120, "error"]
    assert out["error"].isna().sum() == 249


def _lookup(city: str) -> str:
    """The weather in a city."""
    return "sunny"


@pytest.mark.parametrize(
    ("kw", "says"),
    [
        ({"engine": "fast"}, "engine must be"),
        ({"prompt": "{nope}"}, "not a column"),
        ({"concurrency": 0}, "concurrency must be"),
        ({"rpm": -1}, "rpm must be"),
        ({"checkpoint": 3}, "checkpoint must be"),
        ({"data": 42}, "data must be a DataFrame"),
        ({"data": "missing.parquet"}, "No such file"),
        ({"config": {"tools": [_lookup]}, "engine": "batch"}, "cannot run Python functions"),
    ],
)
async def test_mistakes_are_caught_before_sending(kw: dict[str, Any], says: str) -> None:
    server = EchoServer()
    df = pd.DataFrame({"body": ["a"], "item": ["b"]})
    args = {
        "data": df,
        "prompt": "{item}",
        "model": MODEL,
        "checkpoint": None,
        "progress": False,
        **kw,
    }
    data = args.pop("data")
    async with _client(server) as client:
        with pytest.raises(g.InvalidInputError, match=says):
            await client.dataframes.generate(data, **args)
    assert server.prompts == []


async def test_result_columns_must_not_overwrite_input(tmp_path: Path) -> None:
    server = EchoServer()
    df = pd.DataFrame({"text": ["a", "b"]})
    async with _client(server) as client:
        with pytest.raises(g.InvalidInputError, match="prefix="):
            await client.dataframes.generate(df, prompt="{text}", model=MODEL, checkpoint=None)
        out = await client.dataframes.generate(
            df, prompt="{text}", model=MODEL, checkpoint=None, prefix="g_", progress=False
        )
        assert list(out.columns)[:3] == ["text", "g_text", "g_finish_reason"]
        only = await client.dataframes.generate(
            df, prompt="{text}", model=MODEL, checkpoint=None, keep_input=False, progress=False
        )
        assert "text" in only.columns and only["text"].tolist() == ["echo: a", "echo: b"]
        # A file in, Parquet files out: the folder is required.
        path = tmp_path / "in.csv"
        df.to_csv(path, index=False)
        with pytest.raises(g.InvalidInputError, match="output="):
            await client.dataframes.generate(path, prompt="{text}", model=MODEL, prefix="g_")


async def test_the_auto_checkpoint_lives_under_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    server = EchoServer()
    async with _client(server) as client:
        out = await client.dataframes.generate(
            _frame(6), prompt="{item}", model=MODEL, progress=False
        )
        path = Path(out.attrs["gemini_nb"]["checkpoint"])
        assert path.parent == Path(".gemini_nb/checkpoints") and path.exists()
        await client.dataframes.generate(_frame(6), prompt="{item}", model=MODEL, progress=False)
    assert len(server.prompts) == 6


def test_estimate_counts_locally_and_halves_for_batch(tmp_path: Path) -> None:
    import io

    spm = pytest.importorskip("sentencepiece")
    from gemini_nb.tokens import LocalTokenizer, TokenizerFile

    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(["Classify this review: great product"] * 50),
        model_writer=model,
        vocab_size=300,
        model_type="bpe",
        byte_fallback=True,
        minloglevel=2,
        hard_vocab_limit=False,
    )
    path = tmp_path / "tiny.model"
    path.write_bytes(model.getvalue())
    tok = LocalTokenizer(
        MODEL,
        tokenizer=TokenizerFile(
            name="tiny", kind="sentencepiece", url=None, sha256=None, filename="tiny.model"
        ),
        path=path,
    )
    client = g.Client(base_url=BASE, api_key=KEY)
    df = pd.DataFrame({"review": [f"great product {i}" for i in range(25_000)]})
    online = client.dataframes.estimate(
        df,
        prompt="Classify this review: {review}",
        model=MODEL,
        output_tokens=10,
        tokenizer=tok,
        config={"system_instruction": "Be terse."},
    )
    batch = client.dataframes.estimate(
        df,
        prompt="Classify this review: {review}",
        model=MODEL,
        output_tokens=10,
        tokenizer=tok,
        engine="batch",
        config={"system_instruction": "Be terse."},
    )
    expected = sum(
        tok.count_texts([f"Classify this review: great product {i}" for i in range(25_000)])
    )
    extra = tok.count_texts(["Be terse."])[0]
    assert online.rows == 25_000 and online.input_tokens == expected + extra * 25_000
    assert online.output_tokens == 250_000 and online.total is not None
    assert batch.batch and batch.total == pytest.approx(online.total / 2)


def test_batch_answers_in_any_order_are_aligned_by_key(tmp_path: Path) -> None:
    from gemini_nb.dataframes._batch import _assemble, _record, _Spill

    df = _frame(23)
    opts = _Options(**_defaults(engine="batch", checkpoint=None, partition_rows=5))
    job = _job("generate", df, "{item}", MODEL, None, opts)
    spill = _Spill(str(tmp_path), [0, 5, 10, 15, 20])
    lines = [{"key": str(i), "response": _answer(f"answer {i}")} for i in range(23) if i != 17]
    lines[3] = {"key": "3", "error": {"code": 400, "message": "Invalid request."}}
    lines.append({"key": "4", "response": _answer("a second answer for row 4")})
    random.Random(5).shuffle(lines)
    for line in lines:
        spill.add(int(line["key"]), _record(line, embed=False))
    spill.close()
    _assemble(job, spill, progress=False)
    out = job.result()
    assert list(out.index) == list(df.index) and list(out["item"]) == list(df["item"])
    texts = out["text"].tolist()
    assert texts[0] == "answer 0" and texts[22] == "answer 22"
    assert texts[4] in ("answer 4", "a second answer for row 4")  # one row, never two
    assert len(out) == 23
    assert out["error"].tolist()[3] == "400: Invalid request."
    assert out["error"].tolist()[17] == "no answer for this row in the job's responses file"
    assert out.attrs["gemini_nb"]["errors"] == 2
