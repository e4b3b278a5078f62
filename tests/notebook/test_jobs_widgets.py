"""BatchMonitor and TuningMonitor against an emulator of their own, with a recording comm standing
in for the browser: rows appear, progress moves as the emulator's clock advances, Cancel and
Delete act from the browser, the loss curve grows and the final state shows; polling stops."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import ipywidgets
import pytest

import gemini_nb
from gemini_nb.notebook.widgets import BatchMonitor, TuningMonitor, static_path
from gemini_nb.notebook.widgets.jobs import format_elapsed

from ._fake_comm import RecordingComm, comm_of, comms, from_browser, until

__all__ = ["comms"]  # the fixture, imported for pytest

MODEL = "gemini-2.5-flash"
BASE = "models/gemini-1.5-flash-001-tuning"
FAST = 0.05  # seconds between polls in these tests


@pytest.fixture
def emulator() -> Iterator[Any]:
    from gemini_nb.emulator import EmulatorServer

    with EmulatorServer() as server:
        yield server


@pytest.fixture
def client(emulator: Any) -> Iterator[gemini_nb.Client]:
    with gemini_nb.Client(base_url=emulator.url) as c:
        yield c


def act(widget: Any, action: str, name: str) -> None:
    from_browser(widget, {"type": "action", "action": action, "name": name})
    assert widget._job is not None
    widget._job.result(timeout=30)
    assert not widget.busy


def row(widget: BatchMonitor, name: str) -> dict[str, Any]:
    return next(r for r in widget.rows if r["name"] == name)


async def test_rows_appear_and_progress_moves_with_the_clock(
    comms: list[RecordingComm], client: gemini_nb.Client, emulator: Any
) -> None:
    small = client.batches.create(model=MODEL, src=["Hi", "Bye"], config={"display_name": "small"})
    big = client.batches.create(model=MODEL, src=[f"Count to {i}" for i in range(20)])
    w = BatchMonitor(client=client, interval=FAST)
    assert {r["name"] for r in w.rows} == {small.name, big.name}
    first = row(w, big.name or "")
    assert first["state"] == "PENDING" and first["requests"] == 20 and first["finished"] == 0
    assert row(w, small.name or "")["display_name"] == "small"
    assert w.polling and repr(w) == "BatchMonitor(jobs=2, running=2)"

    emulator.app.clock.advance(5 + 1.0)  # pending 5 s, then 2 s + 0.1 s a request
    moved = await until(lambda: 0 < row(w, big.name or "")["finished"] < 20, what="progress")
    assert moved and row(w, big.name or "")["state"] == "RUNNING"

    emulator.app.clock.advance(3600)
    await until(lambda: not w.polling, what="polling to stop")
    assert all(r["state"] == "SUCCEEDED" and r["finished"] == r["requests"] for r in w.rows)
    assert row(w, big.name or "")["elapsed"] == format_elapsed(5 + 2 + 2.0)
    # The rows reached the browser as state updates on the widget's comm.
    updates = [d for t, d, _ in comm_of(w).sent if d.get("method") == "update"]
    assert any(u["state"].get("rows") == w.rows for u in updates)
    sent = len(comm_of(w).sent)
    await asyncio.sleep(0.3)
    assert len(comm_of(w).sent) == sent  # stopped: nothing more is sent
    w.close()


async def test_cancel_and_delete_from_the_browser(
    comms: list[RecordingComm], client: gemini_nb.Client, emulator: Any
) -> None:
    one = client.batches.create(model=MODEL, src=["a", "b", "c"])
    two = client.batches.create(model=MODEL, src=["d"])
    w = BatchMonitor(client=client, jobs=[one, two.name], interval=FAST)
    assert [r["name"] for r in w.rows] == [one.name, two.name]

    act(w, "cancel", one.name or "")
    assert row(w, one.name or "")["state"] == "CANCELLED" and row(w, one.name or "")["done"]
    assert w.status == f"Cancelled {one.name}." and row(w, one.name or "")["error"] == ""
    assert client.batches.get(name=one.name or "").state == "JOB_STATE_CANCELLED"

    act(w, "delete", two.name or "")
    assert [r["name"] for r in w.rows] == [one.name]
    assert w.status == f"Deleted {two.name}."
    with pytest.raises(gemini_nb.NotFoundError):
        client.batches.get(name=two.name or "")
    await until(lambda: not w.polling, what="polling to stop once nothing runs")

    # A job deleted behind the widget's back: the failure is written in its row, in words.
    client.batches.delete(name=one.name or "")
    act(w, "cancel", one.name or "")
    message = row(w, one.name or "")["error"]
    assert message.startswith("Could not cancel: 404") or message.startswith("404")
    assert w.status == ""
    w.close()


async def test_the_default_list_and_a_failed_refresh(
    comms: list[RecordingComm], client: gemini_nb.Client, emulator: Any
) -> None:
    w = BatchMonitor(client=client, interval=FAST)
    assert w.rows == [] and not w.polling
    job = client.batches.create(model=MODEL, src=["late"])
    act(w, "refresh", "")
    assert [r["name"] for r in w.rows] == [job.name] and w.polling
    for content in (
        {"type": "action", "action": "format-disk", "name": "x"},
        {"type": "nonsense"},
        {"type": "action", "action": "cancel", "name": 5},
    ):
        from_browser(w, content)
    w._job.result(timeout=30)  # the last one ran with no name: said in words
    assert "Pass a BatchJob or its name" in w.error
    emulator.app.clock.advance(3600)
    await until(lambda: not w.polling)
    w.close()


async def test_tuning_curve_grows_until_the_job_ends(
    comms: list[RecordingComm], client: gemini_nb.Client, emulator: Any
) -> None:
    job = client.tunings.tune(
        base_model=BASE,
        training_dataset=[(str(i), str(i + 1)) for i in range(10)],
        config={"epoch_count": 3, "batch_size": 2, "tuned_model_display_name": "Counting"},
    )
    w = TuningMonitor(job, interval=FAST)
    assert w.job["state"] == "RUNNING" and w.job["total_steps"] == 15 and w.job["epochs"] == 3
    assert w.job["display_name"] == "Counting" and w.polling

    emulator.app.clock.advance(0.2 * 4 + 0.05)
    await until(lambda: len(w.points) >= 4, what="4 points")
    seen = len(w.points)
    emulator.app.clock.advance(0.2 * 5)
    await until(lambda: len(w.points) > seen, what="more points")
    assert [p[0] for p in w.points] == list(range(1, len(w.points) + 1))
    assert w.job["step"] == len(w.points) and w.job["loss"] == w.points[-1][1]

    emulator.app.clock.advance(60)
    await until(lambda: w.job["state"] == "SUCCEEDED" and not w.polling, what="the end")
    assert len(w.points) == 15 and w.points[-1][1] < w.points[0][1]
    assert w.job["step"] == 15 and w.job["epoch"] == 3 and w.job["done"]
    assert w.tuning_job.has_succeeded
    assert repr(w).startswith(f"TuningMonitor(name={job.name!r}, state='SUCCEEDED', step=15")

    bundle, _ = w._repr_mimebundle_()
    page = bundle["text/html"]
    assert "Counting: SUCCEEDED, epoch 3/3, step 15 of 15" in page
    assert page.count("<tr><td>") == 15 and f"{w.points[-1][1]:.4f}" in page
    w.close()


async def test_tuning_by_name_and_a_missing_job(
    comms: list[RecordingComm], client: gemini_nb.Client, emulator: Any
) -> None:
    job = client.tunings.tune(
        base_model=BASE, training_dataset=[("a", "b")], config={"epoch_count": 1}
    )
    emulator.app.clock.advance(60)
    w = TuningMonitor(job.name, client=client, interval=FAST)
    assert w.job["state"] == "SUCCEEDED" and w.job["total_steps"] == 1 and not w.polling
    w.close()
    with pytest.raises(gemini_nb.NotFoundError):
        TuningMonitor("tunedModels/nope", client=client)


def test_saved_view_escapes_and_no_key(comms: list[RecordingComm], keyed_emulator: Any) -> None:
    from tests.conftest import TEST_KEY

    with gemini_nb.Client(api_key=TEST_KEY, base_url=keyed_emulator.url) as c:
        job = c.batches.create(
            model=MODEL, src=["x"], config={"display_name": "<img src=x onerror=alert(1)>"}
        )
        w = BatchMonitor(client=c, jobs=[job], interval=60)
        opened = comm_of(w).sent[0]
        ours = {k for k in opened[1]["state"] if not k.startswith("_")} - set(
            ipywidgets.DOMWidget.class_trait_names(sync=True)
        )
        assert ours == {"kind", "rows", "polling", "busy", "status", "error"}
        assert "export default" in opened[1]["state"]["_esm"]
        bundle, _ = w._repr_mimebundle_()
        assert "<img" not in bundle["text/html"] and "&lt;img src=x" in bundle["text/html"]
        assert bundle["text/plain"] == "BatchMonitor(jobs=1, running=1)"
        act(w, "cancel", job.name or "")
        state = w.get_state()
        w.close()
    published = json.dumps([(t, d) for x in comms for t, d, _ in x.sent], default=str)
    everything = published + json.dumps(state, default=str) + repr(w)
    assert TEST_KEY not in everything and "AIza" not in everything


def test_front_end_files_are_shipped() -> None:
    js, css = static_path("jobs.js"), static_path("jobs.css")
    assert js.read_text().rstrip().endswith("export default { render };")
    assert "polyline" in js.read_text() and ".gnb-jobs-loss" in css.read_text()
    assert gemini_nb.BatchMonitor is BatchMonitor and gemini_nb.TuningMonitor is TuningMonitor
