"""File search stores in a notebook: a store built from a folder with one progress bar, the
DataFrames, the StoresBrowser (open a store, documents, chunks, ask, delete) with a recording
comm standing in for the browser, and ``%gemini stores`` / ``%%gemini --store``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import gemini_nb
from gemini_nb.notebook.stores import build_store, documents_frame, resolve_store, stores_frame
from gemini_nb.notebook.widgets import StoresBrowser

from ._fake_comm import RecordingComm, comm_of, comms, from_browser

__all__ = ["comms"]  # the fixture, imported for pytest

FILES = {
    "leave.md": "# Leave\n\nEmployees receive 27 days of paid annual leave each year.\n",
    "security.txt": "Passwords are rotated every 90 days. Laptops use full-disk encryption.\n",
    "canteen.html": "<html><body><p>The canteen serves lasagne on Thursdays.</p></body></html>",
    "logo.png": "\x89PNG",
}


@pytest.fixture
def server() -> Iterator[Any]:
    from gemini_nb.emulator import EmulatorOptions, EmulatorServer

    with EmulatorServer(options=EmulatorOptions(clock_speed=20)) as s:
        yield s


@pytest.fixture
def client(server: Any) -> Iterator[gemini_nb.Client]:
    with gemini_nb.Client(base_url=server.url) as c:
        yield c


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    for name, text in FILES.items():
        (tmp_path / name).write_text(text)
    return tmp_path


def act(widget: Any, action: str, names: list[str], **extra: Any) -> None:
    from_browser(widget, {"type": "action", "action": action, "names": names, **extra})
    assert widget._job is not None
    widget._job.result(timeout=60)
    assert not widget.busy


def test_build_store_from_a_folder_with_one_bar(
    client: gemini_nb.Client, folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = build_store(folder, display_name="Handbook", client=client)
    assert sorted(d.display_name or "" for d in result.documents) == [
        "canteen.html",
        "leave.md",
        "security.txt",
    ]
    assert result.skipped == [("logo.png", "file search does not take image/png")]
    # One bar for the whole folder (tqdm, or the plain line without it), ending at 100%.
    err = capsys.readouterr().err
    assert err.count("store ") >= 1 and "100" in err
    frame = stores_frame(client)
    row = frame[frame["name"] == result.store].iloc[0]
    assert row["display_name"] == "Handbook" and row["active_documents_count"] == 3
    docs = documents_frame(result.store, client)
    assert set(docs["display_name"]) == {"canteen.html", "leave.md", "security.txt"}
    assert resolve_store("Handbook", client) == result.store
    assert resolve_store(result.store.removeprefix("fileSearchStores/"), client) == result.store
    with pytest.raises(gemini_nb.InvalidInputError, match="No file search store"):
        resolve_store("Nope", client)
    with pytest.raises(gemini_nb.InvalidInputError, match="not a folder"):
        build_store(folder / "missing", client=client)


def test_browser_opens_a_store_shows_chunks_answers_and_deletes(
    comms: list[RecordingComm], client: gemini_nb.Client, folder: Path
) -> None:
    result = build_store(folder, display_name="Handbook", client=client, progress=False)
    other = client.file_search_stores.create(display_name="Empty")
    w = StoresBrowser(client=client)
    assert {r["name"] for r in w.rows} == {result.store, other.name}
    types = {c["key"]: c["type"] for c in w.columns}
    assert types["size_bytes"] == "bytes" and types["active_documents_count"] == "number"

    act(w, "open", [result.store])
    assert w.store == result.store and len(w.doc_rows) == 3
    leave = next(r for r in w.doc_rows if r["display_name"] == "leave.md")
    assert leave["state"] == "STATE_ACTIVE"

    act(w, "chunks", [leave["name"]])
    assert w.chunks["title"] == "leave.md" and w.chunks["items"]
    assert "27 days" in w.chunks["items"][0]["text"]

    act(w, "ask", [], question="How often are passwords rotated?")
    assert "90 days" in w.answer["text"]
    assert [c["title"] for c in w.answer["citations"]] == ["security.txt"]
    assert "90 days" in w.answer["citations"][0]["passage"]
    assert w.question == "How often are passwords rotated?"

    act(w, "delete_documents", [leave["name"]])
    assert len(w.doc_rows) == 2 and "Deleted 1 document" in w.status
    act(w, "delete", [result.store])
    assert w.store == "" and {r["name"] for r in w.rows} == {other.name}
    act(w, "ask", [], question="anything")
    assert "Open a store first" in w.error

    # Nothing in the widget's state or messages carries the API key or a client.
    state = json.dumps(comm_of(w).sent, default=str)
    assert "AIza" not in state and "api_key" not in state
    w.close()


def test_answer_and_chunk_text_stay_text(
    comms: list[RecordingComm], client: gemini_nb.Client, tmp_path: Path
) -> None:
    (tmp_path / "x.md").write_text(
        "The <script>alert(1)</script> tag is an old trick of attackers."
    )
    result = build_store(tmp_path, client=client, progress=False)
    w = StoresBrowser(client=client)
    w.open_store(result.store)
    w.ask("What is an old trick of attackers?")
    # Sent as plain strings; stores.js inserts them with textContent only.
    assert "<script>" in w.answer["citations"][0]["passage"]
    js = Path(gemini_nb.notebook.widgets.static_path("stores.js")).read_text()
    assert "innerHTML" not in js and "insertAdjacentHTML" not in js
    w.close()


@pytest.fixture
def shell(server: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    from IPython.core.interactiveshell import InteractiveShell

    from gemini_nb.notebook._session import session

    monkeypatch.setenv("GOOGLE_GEMINI_BASE_URL", server.url)
    session.reset_clients()
    ip = InteractiveShell.instance()
    ip.run_line_magic("load_ext", "gemini_nb")
    yield ip
    ip.run_line_magic("unload_ext", "gemini_nb")
    session.reset_clients()


def test_magics_list_stores_and_answer_from_one(shell: Any, folder: Path) -> None:
    from IPython.core.error import UsageError
    from IPython.utils.capture import capture_output

    from gemini_nb.notebook._session import session

    result = build_store(folder, display_name="Handbook", client=session.client(), progress=False)
    frame = shell.run_line_magic("gemini", "stores")
    assert result.store in list(frame["name"])
    docs = shell.run_line_magic("gemini", "stores Handbook")
    assert len(docs) == 3
    with capture_output():
        shell.run_cell_magic(
            "gemini", "--store Handbook --no-stream -o reply", "How often are passwords rotated?"
        )
    reply = shell.user_ns["reply"]
    assert "90 days" in reply.text
    assert reply.citations()[0].sources[0].retrieved_context.title == "security.txt"
    with capture_output():
        shell.run_cell_magic(
            "gemini",
            "--store Handbook --metadata-filter 'kind = \"x\"' --no-stream -o none",
            "How often are passwords rotated?",
        )
    assert "couldn't find" in shell.user_ns["none"].text
    with pytest.raises(UsageError, match="No file search store"):
        shell.run_cell_magic("gemini", "--store Nope", "question")
    with pytest.raises(UsageError, match="needs --store"):
        shell.run_cell_magic("gemini", "--metadata-filter 'a = 1'", "question")
