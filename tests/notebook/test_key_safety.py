"""The API key never shows: every notebook runs with a key, then we search everything for it."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell

from tests.conftest import TEST_KEY

pytestmark = pytest.mark.notebook
NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))

# Cells that try hard to make a key show up: verbose tracebacks, debug logging, failures of
# every kind, reprs of the objects that hold it.
PROBES = [
    "%xmode Verbose",
    "import logging, sys\nlogging.basicConfig(level=logging.DEBUG, stream=sys.__stderr__, force=True)",
    "import gemini_nb\nclient = gemini_nb.Client()\nclient, client.settings, vars(client)",
    'client.models.generate_content(model="gemini-0-none", contents="x")',
    'gemini_nb.Client(base_url="http://127.0.0.1:9", max_retries=0).models.generate_content(model="m", contents="x")',
    'gemini_nb.Client(api_key="AIzaWRONGWRONGWRONG").models.generate_content(model="gemini-2.5-flash", contents="x")',
    "%%gemini -m gemini-0-none --no-stream\nhi",
    "%%gemini --no-stream\nhello {missing}",
    "%gemini config",
    "w = gemini_nb.ChatWidget(model='gemini-0-none')\nawait w.send('hi')\nw.messages, w.error",
    "import os\nsorted(k for k in os.environ if 'KEY' in k)",
    "%tb",
]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_key_never_appears(
    path: Path,
    keyed_emulator: Any,
    capfd: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("GEMINI_API_KEY", TEST_KEY)
    monkeypatch.setenv("GOOGLE_GEMINI_BASE_URL", keyed_emulator.url)
    nb = nbformat.read(path, as_version=4)
    original = len(nb.cells)
    nb.cells.extend(new_code_cell(src) for src in PROBES)
    NotebookClient(
        nb,
        timeout=120,
        allow_errors=True,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    ).execute()
    out, err = capfd.readouterr()

    # The notebook itself ran cleanly with the key (answers came through the keyed emulator).
    errors = [
        o
        for c in nb.cells[:original]
        if c.cell_type == "code"
        for o in c.outputs
        if o.output_type == "error"
    ]
    assert errors == [], errors
    # And the probes did fail as intended.
    probe_errors = [
        o["ename"] for c in nb.cells[original:] for o in c.outputs if o.output_type == "error"
    ]
    assert {"NotFoundError", "APIConnectionError", "AuthenticationError"} <= set(probe_errors)
    # IPython reports UsageError as a one-line stderr stream, not as an error output.
    assert any("UsageError" in o.get("text", "") for c in nb.cells[original:] for o in c.outputs)

    saved = tmp_path / "executed.ipynb"
    nbformat.write(nb, saved)
    haystacks = {
        "saved notebook (outputs and widget state)": saved.read_text(),
        "kernel stdout": out,
        "kernel stderr and logs": err,
        "emulator request log": json.dumps(list(keyed_emulator.app.requests)),
    }
    assert "gemini_nb" in err or "DEBUG" in err  # the logs were really captured
    for where, text in haystacks.items():
        assert TEST_KEY not in text, f"the API key appears in the {where}"
        assert TEST_KEY[8:] not in text, f"part of the API key appears in the {where}"
    assert nb.metadata.get("widgets") is not None or "ChatWidget" not in path.read_text()
    assert os.environ["GEMINI_API_KEY"] == TEST_KEY
