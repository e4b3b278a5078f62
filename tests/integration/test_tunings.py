"""client.tunings against the emulator over loopback, on both clients: a job tuned from pairs,
dicts, a DataFrame or a JSONL file, followed to the end with its snapshots and loss frame, the
tuned model answering by name, list as a DataFrame, cancel's clear error, delete; the
emulator's clock is moved forward instead of waited on."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

import gemini_nb as g
from gemini_nb.types import AsyncTuningJob, JobState, TuningJob

from ._run import Run, open_run

BASE = "models/gemini-1.5-flash-001-tuning"
PAIRS = [("one", "1"), ("two", "2"), ("three", "3"), ("four", "4")]


@pytest.fixture(scope="module")
def emulator() -> Iterator[Any]:
    from gemini_nb.emulator import EmulatorServer

    with EmulatorServer() as server:
        yield server


@pytest.fixture(params=["sync", "async"])
async def run(request: pytest.FixtureRequest, emulator: Any) -> AsyncIterator[Run]:
    async with open_run(request.param, emulator.url) as r:
        yield r


async def test_tune_wait_and_generate_with_the_tuned_model(run: Run, emulator: Any) -> None:
    job = await run(
        lambda c: c.tunings.tune(
            base_model=BASE,
            training_dataset=PAIRS,
            config={
                "epoch_count": 2,
                "batch_size": 2,
                "learning_rate": 0.01,
                "tuned_model_display_name": "Number words",
            },
        )
    )
    assert isinstance(job, AsyncTuningJob if run.kind == "async" else TuningJob)
    assert job.name.startswith("tunedModels/number-words-")
    assert job.state == JobState.JOB_STATE_RUNNING and not job.done
    assert job.base_model == BASE and job.tuned_model.model == job.name
    assert job.total_steps == 4 and job.tuned_model_display_name == "Number words"
    assert job.hyperparameters.epoch_count == 2 and job.hyperparameters.learning_rate == 0.01

    seen: list[Any] = []
    emulator.app.clock.advance(60)
    await run(lambda c: job.wait(progress=lambda j: seen.append(j.state), timeout=30))
    assert job.has_succeeded and job.end_time is not None
    assert [s.step for s in job.snapshots] == [1, 2, 3, 4]
    assert [s.epoch for s in job.snapshots] == [1, 1, 2, 2]
    losses = [s.mean_loss for s in job.snapshots]
    assert losses[-1] < losses[0]
    frame = job.loss_frame()
    assert list(frame.columns) == ["step", "epoch", "mean_loss", "compute_time"]
    assert frame["mean_loss"].tolist() == losses
    assert "step 4/4" in repr(job)

    answer = await run(
        lambda c: c.models.generate_content(model=job.tuned_model.model, contents="three")
    )
    assert answer.text == "3"
    again = await run(lambda c: c.tunings.get(name=job.name.removeprefix("tunedModels/")))
    assert again.name == job.name and again.has_succeeded

    listed = await run.items(await run(lambda c: c.tunings.list(page_size=1)))
    assert job.name in [j.name for j in listed]
    await run(lambda c: c.tunings.delete(name=job))
    with pytest.raises(g.NotFoundError):
        await run(lambda c: c.tunings.get(name=job.name))


async def test_wait_shows_a_bar_with_epoch_step_and_loss(
    run: Run, emulator: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    job = await run(
        lambda c: c.tunings.tune(
            base_model=BASE, training_dataset=PAIRS[:2], config={"epoch_count": 1, "batch_size": 1}
        )
    )
    emulator.app.clock.advance(60)
    await run(lambda c: job.wait())
    err = capsys.readouterr().err
    assert "step" in err and "epoch 1/1" in err and "loss" in err and "SUCCEEDED" in err


async def test_training_sets_from_a_dataframe_dicts_and_jsonl(
    run: Run, emulator: Any, tmp_path: Path
) -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"id": [1, 2], "q": ["hello", "bye"], "a": ["hi!", "ciao!"]})
    job = await run(
        lambda c: c.tunings.tune(
            base_model=BASE,
            training_dataset=frame,
            config={
                "input_column": "q",
                "output_column": "a",
                "epoch_count": 1,
                "tuned_model_id": f"frame-{run.kind}",
            },
        )
    )
    assert job.name == f"tunedModels/frame-{run.kind}"
    path = tmp_path / "train.jsonl"
    lines = [{"text_input": "sky", "output": "blue"}, {"textInput": "grass", "output": "green"}]
    path.write_text("\n".join(json.dumps(d) for d in lines) + "\n\n")
    from_file = await run(
        lambda c: c.tunings.tune(base_model=BASE, training_dataset=path, config={"epoch_count": 1})
    )
    from_dicts = await run(
        lambda c: c.tunings.tune(
            base_model=BASE,
            training_dataset={"examples": [{"text_input": "x", "output": "y"}]},
            config={"epoch_count": 1},
        )
    )
    emulator.app.clock.advance(60)
    for name, prompt, want in [
        (job.name, "bye", "ciao!"),
        (from_file.name, "grass", "green"),
        (from_dicts.name, "x", "y"),
    ]:
        answer = await run(
            lambda c, n=name, p=prompt: c.models.generate_content(model=n, contents=p)
        )
        assert answer.text == want


async def test_cancel_says_the_server_cannot(run: Run) -> None:
    job = await run(lambda c: c.tunings.tune(base_model=BASE, training_dataset=PAIRS))
    with pytest.raises(g.APIStatusError, match=r"no method to cancel.*client.tunings.delete"):
        await run(lambda c: c.tunings.cancel(name=job))
    await run(lambda c: c.tunings.delete(name=job.name))


@pytest.mark.parametrize(
    ("dataset", "config", "message"),
    [
        ([], None, "no examples"),
        ([("a",)], None, "pair"),
        ([("a", None)], None, "no output"),
        ([{"text_input": "a", "output": "b", "extra": 1}], None, "unknown key"),
        ("/no/such/file.jsonl", None, "is not a file"),
        ({"gcs_uri": "gs://b/x.jsonl"}, None, "Vertex"),
        (PAIRS, {"learning_rate": 0.1, "learning_rate_multiplier": 2}, "not both"),
        (PAIRS, {"epoch_count": 0}, "positive"),
        (PAIRS, {"unknown": 1}, "unknown"),
    ],
)
async def test_bad_input_is_refused_before_sending(
    run: Run, dataset: Any, config: Any, message: str
) -> None:
    with pytest.raises(g.InvalidInputError, match=f"(?i){message}"):
        await run(
            lambda c: c.tunings.tune(base_model=BASE, training_dataset=dataset, config=config)
        )


async def test_a_base_model_that_cannot_be_tuned_is_the_servers_400(run: Run) -> None:
    with pytest.raises(g.BadRequestError, match="does not support tuning"):
        await run(lambda c: c.tunings.tune(base_model="gemini-2.5-flash", training_dataset=PAIRS))
