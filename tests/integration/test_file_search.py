"""client.file_search_stores against the emulator over loopback, on both clients: stores,
uploads and imports as operations with wait, documents, folders with one progress callback,
the file_search tool with citations, and bad input refused before anything is sent."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

import gemini_nb as g
from gemini_nb.types import Document, FileSearchStore, ImportFileResponse

from ._run import Run, open_run

MODEL = "gemini-2.5-flash"
FILES = {
    "leave.md": "# Leave\n\nEmployees receive 27 days of paid annual leave each year.\n",
    "security.txt": "Passwords are rotated every 90 days. Laptops use full-disk encryption.\n",
    "canteen.html": "<html><body><h1>Canteen</h1><p>The canteen serves lasagne on Thursdays.</p>"
    "</body></html>",
    "notes/parking.md": "The bicycle shed behind building C has 140 racks.\n",
    "photo.png": "\x89PNG not a document",
    ".hidden.txt": "never uploaded",
}


@pytest.fixture(scope="module")
def emulator() -> Iterator[Any]:
    """An emulator of this module's own, on a fast clock (documents are ready sooner)."""
    from gemini_nb.emulator import EmulatorOptions, EmulatorServer

    with EmulatorServer(options=EmulatorOptions(clock_speed=20)) as server:
        yield server


@pytest.fixture(params=["sync", "async"])
async def run(request: pytest.FixtureRequest, emulator: Any) -> AsyncIterator[Run]:
    async with open_run(request.param, emulator.url) as r:
        yield r


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    for name, text in FILES.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


async def test_store_lifecycle(run: Run) -> None:
    store = await run(lambda c: c.file_search_stores.create(display_name="Team handbook"))
    assert isinstance(store, FileSearchStore)
    assert (store.name or "").startswith("fileSearchStores/team-handbook-") and store.id
    assert store.embedding_model == "models/gemini-embedding-001"
    got = await run(lambda c: c.file_search_stores.get(name=store.id))
    assert got.name == store.name and got.active_documents_count is None
    pager = await run(lambda c: c.file_search_stores.list(page_size=1))
    assert store.name in [s.name for s in await run.items(pager)]
    frame = await run(lambda c: pager.to_pandas())
    assert {"name", "display_name", "active_documents_count", "size_bytes"} <= set(frame.columns)
    await run(lambda c: c.file_search_stores.delete(name=store))
    with pytest.raises(g.PermissionDeniedError):
        await run(lambda c: c.file_search_stores.get(name=store.name))


async def test_upload_wait_documents_and_ask(run: Run, tmp_path: Path) -> None:
    store = await run(lambda c: c.file_search_stores.create(config={"display_name": "docs"}))
    path = tmp_path / "leave.md"
    path.write_text(FILES["leave.md"])
    sent: list[tuple[int, int]] = []
    op = await run(
        lambda c: c.file_search_stores.upload_to_file_search_store(
            file_search_store_name=store,
            file=path,
            custom_metadata={"team": "hr", "year": 2024, "tags": ["policy", "leave"]},
            chunking_config={"white_space_config": {"max_tokens_per_chunk": 50}},
            progress=lambda s, t: sent.append((s, t)),
        )
    )
    assert sent[-1] == (path.stat().st_size, path.stat().st_size)
    assert op.response is not None and op.response.document_name.startswith(store.name)
    polls: list[bool] = []
    result = await run(lambda c: op.wait(timeout=60, progress=lambda o: polls.append(o.done)))
    assert op.done and polls[-1] is True and result.document_name == op.response.document_name

    doc = await run(lambda c: c.file_search_stores.documents.get(name=result.document_name))
    assert isinstance(doc, Document) and doc.state == "STATE_ACTIVE"
    assert doc.display_name == "leave.md" and doc.mime_type == "text/markdown"
    assert doc.metadata == {"team": "hr", "year": 2024.0, "tags": ["policy", "leave"]}
    assert doc.store_name == store.name
    docs = await run(lambda c: c.file_search_stores.documents.list(parent=store.name))
    frame = await run(lambda c: docs.to_pandas())
    assert list(frame["display_name"]) == ["leave.md"] and "metadata" in frame.columns

    r = await run(
        lambda c: c.models.generate_content(
            model=MODEL,
            contents="How many days of annual leave do employees receive?",
            config={
                "tools": [
                    {
                        "file_search": {
                            "file_search_store_names": [store.name],
                            "metadata_filter": 'team = "hr" AND year >= 2024',
                        }
                    }
                ]
            },
        )
    )
    assert "27 days" in r.text
    cites = r.citations()
    assert cites and cites[0].text in r.text
    source = cites[0].sources[0].retrieved_context
    assert source.title == "leave.md" and source.uri == doc.name and "27 days" in source.text

    with pytest.raises(g.BadRequestError, match=r"FAILED_PRECONDITION|force"):
        await run(lambda c: c.file_search_stores.delete(name=store))
    await run(lambda c: c.file_search_stores.documents.delete(name=doc, force=True))
    await run(lambda c: c.file_search_stores.delete(name=store))


async def test_import_file(run: Run, tmp_path: Path) -> None:
    store = await run(lambda c: c.file_search_stores.create(display_name="imports"))
    file = await run(
        lambda c: c.files.upload(file=b"The dome opens at dusk.", mime_type="text/plain")
    )
    op = await run(
        lambda c: c.file_search_stores.import_file(
            file_search_store_name=store.name, file_name=file, custom_metadata={"src": "files"}
        )
    )
    assert op.name.startswith(f"{store.name}/operations/")
    result = await run(lambda c: op.wait(timeout=60))
    assert isinstance(result, ImportFileResponse) and result.document
    doc = await run(lambda c: c.file_search_stores.documents.get(name=result.document))
    assert doc.metadata == {"src": "files"} and doc.state == "STATE_ACTIVE"
    again = await run(lambda c: c.operations.get(op))  # keeps the typed result
    assert again.done
    # A done operation waits no more; progress=True draws a bar that ends at once.
    assert (await run(lambda c: again.wait(progress=True))).document_name == result.document_name
    with pytest.raises(g.InvalidInputError, match="progress must be"):
        await run(lambda c: again.wait(progress="yes"))
    await run(lambda c: c.file_search_stores.delete(name=store, force=True))


async def test_upload_folder_with_one_progress(run: Run, folder: Path) -> None:
    store = await run(lambda c: c.file_search_stores.create(display_name="folder"))
    seen: list[tuple[int, int, int, float]] = []

    def progress(p: Any) -> None:
        seen.append((p.bytes_sent, p.files_uploaded, p.documents_ready, p.fraction))

    result = await run(
        lambda c: c.file_search_stores.upload_folder(
            file_search_store_name=store,
            folder=folder,
            custom_metadata=lambda path: {"kind": path.suffix.lstrip(".")},
            progress=progress,
            timeout=60,
        )
    )
    names = sorted(d.display_name for d in result.documents)
    assert names == ["canteen.html", "leave.md", "notes/parking.md", "security.txt"]
    assert [s for s, _ in result.skipped] == ["photo.png"] and not result.failed
    assert seen[0][3] == 0.0 and seen[-1][3] == 1.0
    assert [f for _, f, _, _ in seen] == sorted(f for _, f, _, _ in seen)
    fetched = await run(lambda c: c.file_search_stores.get(name=store))
    assert fetched.active_documents_count == 4 and fetched.size_bytes
    r = await run(
        lambda c: c.models.generate_content(
            model=MODEL,
            contents="How many bicycle racks are in the shed?",
            config={"tools": [{"file_search": {"file_search_store_names": [store.name]}}]},
        )
    )
    assert {c.sources[0].retrieved_context.title for c in r.citations()} == {"notes/parking.md"}
    await run(lambda c: c.file_search_stores.delete(name=store, force=True))


async def test_bad_input_is_refused_before_sending(run: Run, emulator: Any, tmp_path: Any) -> None:
    emulator.app.requests.clear()
    png = tmp_path / "photo.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n")
    cases: list[tuple[Any, str]] = [
        (lambda c: c.file_search_stores.upload_to_file_search_store(
            file_search_store_name="fileSearchStores/s-1", file=png), "does not take image/png"),
        (lambda c: c.file_search_stores.upload_to_file_search_store(
            file_search_store_name="s-1", file=b"x", mime_type="text/plain",
            custom_metadata={f"k{i}": i for i in range(21)}), "at most 20"),
        (lambda c: c.file_search_stores.upload_to_file_search_store(
            file_search_store_name="s-1", file=b"x", mime_type="text/plain",
            chunking_config={"white_space_config": {"max_tokens_per_chunk": 5}}), "between 21"),
        (lambda c: c.file_search_stores.upload_to_file_search_store(
            file_search_store_name="s-1", file=b"x", mime_type="text/plain",
            custom_metadata={"ok": True}), "boolean"),
        (lambda c: c.file_search_stores.get(name="fileSearchStores/a/b"), "not a file search store"),
        (lambda c: c.file_search_stores.documents.get(name="fileSearchStores/a"), "not a document"),
        (lambda c: c.file_search_stores.upload_folder(
            file_search_store_name="s-1", folder=tmp_path / "nope"), "not a folder"),
    ]  # fmt: skip
    for call, message in cases:
        with pytest.raises(g.InvalidInputError, match=message):
            await run(call)
    assert len(emulator.app.requests) == 0


async def test_api_errors_keep_their_types(run: Run) -> None:
    with pytest.raises(g.PermissionDeniedError):
        await run(lambda c: c.file_search_stores.documents.list(parent="fileSearchStores/nope-1"))
    store = await run(lambda c: c.file_search_stores.create())
    with pytest.raises(g.BadRequestError, match="metadata_filter"):
        await run(
            lambda c: c.models.generate_content(
                model=MODEL,
                contents="anything",
                config={
                    "tools": [
                        {
                            "file_search": {
                                "file_search_store_names": [store.name],
                                "metadata_filter": "year >",
                            }
                        }
                    ]
                },
            )
        )
    await run(lambda c: c.file_search_stores.delete(name=store))
