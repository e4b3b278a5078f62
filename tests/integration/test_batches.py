"""client.batches against the emulator over loopback, on both clients: inline and JSONL-file
batches, per-request errors kept beside the answers, embeddings batches, wait with its
progress bar, cancel, delete and list; the job's clock is moved forward instead of waited on."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

import gemini_nb as g
from gemini_nb.types import AsyncBatchJob, BatchJob, InlinedEmbedContentResponse, InlinedResponse

from ._run import Run, open_run

MODEL = "gemini-2.5-flash"


@pytest.fixture(scope="module")
def emulator() -> Iterator[Any]:
    """An emulator of this module's own: the tests move its clock."""
    from gemini_nb.emulator import EmulatorServer

    with EmulatorServer() as server:
        yield server


@pytest.fixture(params=["sync", "async"])
async def run(request: pytest.FixtureRequest, emulator: Any) -> AsyncIterator[Run]:
    async with open_run(request.param, emulator.url) as r:
        yield r


async def _finish(run: Run, emulator: Any, job: Any) -> Any:
    """Move the emulator's clock past the job's end, then fetch it."""
    emulator.app.clock.advance(3600)
    return await run(lambda c: job.refresh())


async def test_inline_batch_keeps_per_request_errors(run: Run, emulator: Any) -> None:
    job = await run(
        lambda c: c.batches.create(
            model=MODEL,
            src=[
                {"contents": "What is 2 + 2?", "metadata": {"key": "sum"}},
                # Another model than the batch's: this request fails alone.
                {"contents": "Hi", "model": "gemini-2.5-pro", "metadata": {"key": "other"}},
                {"contents": "Name a planet.", "config": {"system_instruction": "One word."}},
            ],
            config={"display_name": "inline test"},
        )
    )
    assert isinstance(job, AsyncBatchJob if run.kind == "async" else BatchJob)
    assert job.state == "JOB_STATE_PENDING" and job.display_name == "inline test"
    assert job.model == f"models/{MODEL}" and job.batch_stats.request_count == 3
    with pytest.raises(g.OperationError, match="PENDING"):
        await run(lambda c: job.results())

    await _finish(run, emulator, job)
    assert job.state == "JOB_STATE_SUCCEEDED" and job.done and job.end_time is not None
    assert job.batch_stats.successful_request_count == 2
    assert job.batch_stats.failed_request_count == 1
    results = await run(lambda c: job.results())
    assert all(isinstance(r, InlinedResponse) for r in results)
    assert [r.key for r in results] == ["sum", "other", None]
    assert results[0].ok and results[0].response.text
    assert results[0].response.usage_metadata.total_token_count > 0
    assert not results[1].ok and "must be the batch's" in results[1].error.message
    assert results[2].ok and results[2].response.candidates[0].finish_reason == "STOP"

    got = await run(lambda c: c.batches.get(name=job.name))
    assert got.state == "JOB_STATE_SUCCEEDED" and got.dest.inlined_responses is not None


async def test_file_batch_reads_the_responses_file(run: Run, emulator: Any) -> None:
    lines = [
        {"key": f"row-{i}", "request": {"contents": [{"parts": [{"text": f"Say {i}."}]}]}}
        for i in range(5)
    ]
    lines[3]["request"]["model"] = "models/gemini-2.5-pro"
    data = "".join(json.dumps(x) + "\n" for x in lines).encode()
    uploaded = await run(lambda c: c.files.upload(file=data, mime_type="application/jsonl"))
    job = await run(lambda c: c.batches.create(model=MODEL, src=uploaded.name))
    assert job.src.file_name == uploaded.name
    await _finish(run, emulator, job)
    assert job.dest.file_name and job.dest.file_name.startswith("files/")
    results = await run(lambda c: job.results())
    assert [r.key for r in results] == [f"row-{i}" for i in range(5)]
    assert [r.ok for r in results] == [True, True, True, False, True]
    assert results[3].error.code == 400
    # The responses file is a file like any other.
    raw = await run(lambda c: c.files.download(file=job.dest.file_name))
    assert len(raw.splitlines()) == 5


async def test_a_file_that_is_not_jsonl_fails_the_job(run: Run, emulator: Any) -> None:
    uploaded = await run(
        lambda c: c.files.upload(file=b"not json\n", mime_type="application/jsonl")
    )
    job = await run(lambda c: c.batches.create(model=MODEL, src={"file_name": uploaded.name}))
    await _finish(run, emulator, job)
    assert job.state == "JOB_STATE_FAILED" and "not JSON" in job.error.message
    with pytest.raises(g.OperationError, match="FAILED"):
        await run(lambda c: job.results())


async def test_embeddings_batch_inline_and_file(run: Run, emulator: Any) -> None:
    job = await run(
        lambda c: c.batches.create_embeddings(
            model="gemini-embedding-001",
            src={
                "inlined_requests": {
                    "contents": ["red", "green", "blue"],
                    "config": {"output_dimensionality": 16},
                }
            },
        )
    )
    assert job.kind == "embeddings"
    await _finish(run, emulator, job)
    results = await run(lambda c: job.results())
    assert all(isinstance(r, InlinedEmbedContentResponse) for r in results)
    vectors = [r.response.embedding.values for r in results]
    assert [len(v) for v in vectors] == [16, 16, 16] and vectors[0] != vectors[1]

    line = {
        "key": "k",
        "request": {"content": {"parts": [{"text": "red"}]}, "outputDimensionality": 16},
    }
    uploaded = await run(
        lambda c: c.files.upload(
            file=(json.dumps(line) + "\n").encode(), mime_type="application/jsonl"
        )
    )
    from_file = await run(
        lambda c: c.batches.create_embeddings(model="gemini-embedding-001", src=uploaded.name)
    )
    await _finish(run, emulator, from_file)
    (only,) = await run(lambda c: from_file.results())
    assert only.key == "k" and only.response.embedding.values == vectors[0]


async def test_cancel_delete_and_list(run: Run, emulator: Any) -> None:
    job = await run(lambda c: c.batches.create(model=MODEL, src=["One", "Two"]))
    await run(lambda c: c.batches.cancel(name=job))
    await run(lambda c: job.refresh())
    assert job.state == "JOB_STATE_CANCELLED" and job.done
    with pytest.raises(g.OperationError, match="CANCELLED"):
        await run(lambda c: job.results())

    pager = await run(lambda c: c.batches.list(page_size=2))
    jobs = await run.items(pager)
    assert job.name in [j.name for j in jobs]
    frame = await run(lambda c: pager.to_pandas())
    row = frame[frame["name"] == job.name].iloc[0]
    assert row["state"] == "JOB_STATE_CANCELLED" and row["request_count"] == 2

    await run(lambda c: c.batches.delete(name=job.name))
    with pytest.raises(g.NotFoundError):
        await run(lambda c: c.batches.get(name=job.name))


async def test_wait_polls_the_emulator_until_done(
    run: Run, emulator: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    job = await run(lambda c: c.batches.create(model=MODEL, src=["Hello"]))
    emulator.app.clock.advance(3600)  # ends before the first poll (1 s later)
    done = await run(lambda c: job.wait(timeout=30))
    assert done is job and job.state == "JOB_STATE_SUCCEEDED"
    err = capsys.readouterr().err
    assert "1/1" in err and "SUCCEEDED" in err
