"""FilesBrowser and CachesBrowser against an emulator of their own, with a recording comm
standing in for the browser (selection updates and action messages are injected)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import ipywidgets
import pytest

import gemini_nb
from gemini_nb.notebook.widgets import CachesBrowser, FilesBrowser, static_path
from gemini_nb.notebook.widgets.browser import static_html
from gemini_nb.types import CachedContent, File

from ._fake_comm import RecordingComm, comm_of, comms, from_browser

__all__ = ["comms"]  # the fixture, imported for pytest

MODEL = "gemini-2.5-flash"
LONG_TEXT = "The lighthouse keeper wrote down the weather every hour. " * 200


@pytest.fixture
def client() -> Iterator[gemini_nb.Client]:
    # An emulator per test: the lists hold only what the test made.
    from gemini_nb.emulator import EmulatorServer

    with EmulatorServer() as server, gemini_nb.Client(base_url=server.url) as c:
        yield c


def select(widget: Any, names: list[str]) -> None:
    """What the browser does when boxes are ticked: a state update of ``selected``."""
    widget._handle_msg(
        {
            "content": {
                "data": {"method": "update", "state": {"selected": names}, "buffer_paths": []}
            },
            "buffers": [],
        }
    )


def act(widget: Any, action: str, names: list[str], **extra: Any) -> None:
    from_browser(widget, {"type": "action", "action": action, "names": names, **extra})
    assert widget._job is not None
    widget._job.result(timeout=30)
    assert not widget.busy


def upload(client: gemini_nb.Client, name: str, text: str = "hello") -> File:
    return client.files.upload(file=text.encode(), mime_type="text/plain", display_name=name)


def test_files_are_listed_as_the_dataframe_shows_them(
    comms: list[RecordingComm], client: gemini_nb.Client
) -> None:
    made = [upload(client, f"note-{i}.txt", "x" * (i + 1)) for i in range(3)]
    b = FilesBrowser(client=client)
    df = client.files.list().to_pandas()
    assert list(b.df.columns) == list(df.columns) and list(b.df["name"]) == list(df["name"])
    assert [c["key"] for c in b.columns] == list(df.columns)
    types = {c["key"]: c["type"] for c in b.columns}
    assert types["size_bytes"] == "bytes" and types["create_time"] == "time"
    assert {r["name"] for r in b.rows} == {f.name for f in made}
    first = next(r for r in b.rows if r["name"] == made[0].name)
    assert first["size_bytes"] == 1 and first["display_name"] == "note-0.txt"
    created = made[0].create_time
    assert created is not None
    assert first["create_time"] == created.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
    assert repr(b) == "FilesBrowser(files=3, selected=0)"
    b.close()


def test_delete_from_the_browser_refreshes_in_place(
    comms: list[RecordingComm], client: gemini_nb.Client
) -> None:
    a, b_, c = (upload(client, n) for n in ("a.txt", "b.txt", "c.txt"))
    w = FilesBrowser(client=client)
    select(w, [a.name or "", c.name or ""])
    assert w.selected == [a.name, c.name]
    assert {f.name for f in w.selected_items} == {a.name, c.name}
    sent_before = len(comm_of(w).sent)
    act(w, "delete", [a.name or "", c.name or ""])
    assert [r["name"] for r in w.rows] == [b_.name]
    assert w.selected == [] and w.status == "Deleted 2 files." and w.error == ""
    assert [f.name for f in client.files.list()] == [b_.name]
    # The refreshed rows went to the browser as a state update on the same comm.
    updates = [d for t, d, _ in comm_of(w).sent[sent_before:] if d.get("method") == "update"]
    assert any(u["state"].get("rows") == w.rows for u in updates)
    w.close()


def test_a_failed_delete_is_reported_and_the_others_go_on(
    comms: list[RecordingComm], client: gemini_nb.Client
) -> None:
    a, b_ = upload(client, "a.txt"), upload(client, "b.txt")
    w = FilesBrowser(client=client)
    client.files.delete(name=a)  # gone behind the widget's back
    act(w, "delete", [a.name or "", b_.name or ""])
    assert w.status == "Deleted 1 file."
    assert w.error.startswith(f"{a.name}: 403 PERMISSION_DENIED")
    assert w.rows == []
    # Nothing selected: the method says so, the browser action shows it.
    with pytest.raises(ValueError, match="Select one or more files"):
        w.delete()
    act(w, "delete", [])
    assert w.error.startswith("Select one or more files")
    act(w, "refresh", [])
    assert w.error == "" and w.status == ""
    w.close()


def test_use_puts_the_files_in_a_variable(
    comms: list[RecordingComm], client: gemini_nb.Client
) -> None:
    upload(client, "a.txt")
    b_ = upload(client, "b.txt")
    w = FilesBrowser(client=client, variable="picked")
    ns: dict[str, Any] = {}
    files = w.use([b_.name or ""], namespace=ns)
    assert ns["picked"] == files and [f.name for f in files] == [b_.name]
    assert isinstance(files[0], File) and files[0].uri == b_.uri
    assert w.status == "1 file in the variable picked: %%gemini -f picked to ask about them."
    with pytest.raises(ValueError, match="Not in the list"):
        w.use(["files/nope"], namespace=ns)
    with pytest.raises(ValueError, match="Python name"):
        FilesBrowser(client=client, variable="not a name")
    w.close()


def test_caches_extend_and_delete(comms: list[RecordingComm], client: gemini_nb.Client) -> None:
    one = client.caches.create(model=MODEL, contents=[LONG_TEXT], ttl=600, display_name="one")
    two = client.caches.create(model=MODEL, contents=[LONG_TEXT], ttl=600, display_name="two")
    w = CachesBrowser(client=client)
    assert [c["key"] for c in w.columns] == list(client.caches.list().to_pandas().columns)
    assert {c["key"]: c["type"] for c in w.columns}["total_token_count"] == "number"
    assert w.ttl_choices == [600, 3600, 21600, 86400]
    assert all(isinstance(i, CachedContent) for i in w.items)

    select(w, [one.name or ""])
    act(w, "extend", [one.name or ""], ttl=86400)
    assert w.status == "1 cache kept for 1 day from now." and w.error == ""
    expiry = client.caches.get(name=one.name or "").expire_time
    assert expiry is not None
    assert timedelta(hours=23) < expiry - datetime.now(UTC) <= timedelta(hours=24)
    row = next(r for r in w.rows if r["name"] == one.name)
    assert row["expire_time"] == expiry.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
    assert w.selected == [one.name]  # a refresh keeps the selection of rows still there

    act(w, "extend", [two.name or ""], ttl=-5)
    assert w.error == "Choose how long to keep the caches."
    assert w.extend("3600s", [two.name or ""]) == [two.name]
    assert w.status == "1 cache kept for 1 hour from now."

    act(w, "delete", [one.name or "", two.name or ""])
    assert w.rows == [] and w.status == "Deleted 2 caches."
    assert list(client.caches.list()) == []
    w.close()


def test_unknown_messages_are_ignored(comms: list[RecordingComm], client: gemini_nb.Client) -> None:
    w = CachesBrowser(client=client)
    for content in (
        {"type": "action", "action": "format-disk", "names": []},
        {"type": "nonsense"},
        {"type": "action", "action": "use", "names": []},
    ):
        from_browser(w, content)
    assert w._job is None and not w.busy
    w.close()


def test_names_stay_text_in_the_saved_view(
    comms: list[RecordingComm], client: gemini_nb.Client
) -> None:
    upload(client, "<img src=x onerror=alert(1)>.txt")
    w = FilesBrowser(client=client)
    page = static_html(w.kind, w.columns, w.rows)
    assert "<img" not in page and "&lt;img src=x onerror=alert(1)&gt;.txt" in page
    bundle, _ = w._repr_mimebundle_()
    assert (
        bundle["text/html"] == page and bundle["text/plain"] == "FilesBrowser(files=1, selected=0)"
    )
    w.close()


def test_synced_traits_and_no_key(comms: list[RecordingComm], keyed_emulator: Any) -> None:
    from tests.conftest import TEST_KEY

    with gemini_nb.Client(api_key=TEST_KEY, base_url=keyed_emulator.url) as c:
        upload(c, "k.txt")
        files, caches = FilesBrowser(client=c), CachesBrowser(client=c)
        opened = comm_of(files).sent[0]
        ours = {k for k in opened[1]["state"] if not k.startswith("_")} - set(
            ipywidgets.DOMWidget.class_trait_names(sync=True)
        )
        assert ours == {
            "kind",
            "columns",
            "rows",
            "selected",
            "busy",
            "status",
            "error",
            "variable",
        }
        assert "export default" in opened[1]["state"]["_esm"]
        act(files, "delete", ["files/does-not-exist"])
        states = [files.get_state(), caches.get_state()]
        files.close()
        caches.close()
    published = json.dumps([(t, d) for x in comms for t, d, _ in x.sent], default=str)
    everything = published + json.dumps(states, default=str) + repr(files) + repr(caches)
    assert TEST_KEY not in everything and "AIza" not in everything


def test_front_end_files_are_shipped() -> None:
    js, css = static_path("browser.js"), static_path("browser.css")
    assert js.read_text().rstrip().endswith("export default { render };")
    assert ".gnb-browser-table" in css.read_text()
