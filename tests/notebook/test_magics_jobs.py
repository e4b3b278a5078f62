"""``%gemini batches`` and ``%gemini tunings``: the jobs as DataFrames, in a real IPython shell
answered by the emulator."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell

import gemini_nb as g
from gemini_nb.notebook._session import session


@pytest.fixture
def ip(emulator: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[InteractiveShell]:
    monkeypatch.setenv("GOOGLE_GEMINI_BASE_URL", emulator.url)
    session.reset_clients()
    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "gemini_nb")
    yield shell
    shell.run_line_magic("unload_ext", "gemini_nb")
    session.reset_clients()


@pytest.fixture
def client(emulator: Any) -> Iterator[g.Client]:
    with g.Client(base_url=emulator.url) as c:
        yield c


def test_batches_and_tunings_subcommands_give_dataframes(
    ip: InteractiveShell, client: g.Client
) -> None:
    batch = client.batches.create(
        model="gemini-2.5-flash", src=["Hi"], config={"display_name": "magic batch"}
    )
    tuning = client.tunings.tune(
        base_model="models/gemini-1.5-flash-001-tuning",
        training_dataset=[("a", "b")],
        config={"tuned_model_display_name": "magic tuning"},
    )
    batches = ip.run_line_magic("gemini", "batches")
    assert list(batches.columns) == list(client.batches.list().to_pandas().columns)
    assert batch.name in set(batches["name"])
    tunings = ip.run_line_magic("gemini", "tunings")
    assert list(tunings.columns) == list(client.tunings.list().to_pandas().columns)
    row = tunings.set_index("name").loc[tuning.name]
    assert row["tuned_model_display_name"] == "magic tuning"
    assert row["state"] in {"JOB_STATE_RUNNING", "JOB_STATE_SUCCEEDED"}
    for word in ("batches", "tunings"):
        with pytest.raises(UsageError, match=f"%gemini {word} takes no argument"):
            ip.run_line_magic("gemini", f"{word} all")
    client.batches.delete(name=batch)
    client.tunings.delete(name=tuning)


def test_help_lists_them() -> None:
    from gemini_nb.notebook.magics import help_text

    text = help_text()
    assert "batches" in text and "tunings" in text
