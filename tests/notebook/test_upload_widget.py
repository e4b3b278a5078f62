"""UploadWidget's chunk protocol, driven from Python: a recording comm stands in for the
browser (its messages are injected, with binary buffers), and a small Files stand-in (or the
emulator) receives the uploads."""

from __future__ import annotations

import hashlib
import json
import os
import threading
import tracemalloc
from concurrent.futures import CancelledError
from pathlib import Path
from typing import Any

import comm
import ipywidgets
import pytest

import gemini_nb
from gemini_nb._exceptions import BadRequestError, InvalidInputError
from gemini_nb.notebook.widgets import UploadWidget, static_path
from gemini_nb.notebook.widgets.upload import accepts, format_size, static_html
from gemini_nb.types import File

from ._fake_comm import RecordingComm, comm_of, comms, from_browser

__all__ = ["comms"]  # the fixture, imported for pytest

MiB = 1024 * 1024


class FakeFiles:
    """``client.files`` as the widget uses it: reads the file as the real upload does (in
    pieces, calling ``progress``), and keeps the SHA-256 of what it read."""

    def __init__(self) -> None:
        self.uploads: list[dict[str, Any]] = []
        self.deleted: list[str] = []
        self.fail: dict[str, Exception] = {}
        self.gate: threading.Event | None = None  # when set, each piece waits for it
        self.started = threading.Event()

    def upload(
        self,
        *,
        file: Any,
        mime_type: str | None = None,
        display_name: str | None = None,
        progress: Any = None,
        **_: Any,
    ) -> File:
        path = Path(file)
        total = path.stat().st_size
        digest, sent = hashlib.sha256(), 0
        if progress is not None:
            progress(0, total)
        self.started.set()
        with path.open("rb") as fh:
            while piece := fh.read(MiB):
                if self.gate is not None:
                    assert self.gate.wait(10)
                digest.update(piece)
                sent += len(piece)
                if progress is not None:
                    progress(sent, total)
        if display_name in self.fail:
            raise self.fail[display_name]
        n = len(self.uploads)
        self.uploads.append(
            {
                "path": path,
                "mime_type": mime_type,
                "display_name": display_name,
                "sha256": digest.hexdigest(),
                "size": sent,
            }
        )
        return File(
            name=f"files/fake{n}",
            uri=f"https://example.test/v1beta/files/fake{n}",
            mime_type=mime_type,
            size_bytes=total,
            state="ACTIVE",
            display_name=display_name,
        )

    def delete(self, *, name: Any) -> None:
        self.deleted.append(getattr(name, "name", name))


class FakeClient:
    def __init__(self) -> None:
        self.files = FakeFiles()


@pytest.fixture
def fake() -> FakeClient:
    return FakeClient()


def replies(w: UploadWidget, kind: str) -> list[dict[str, Any]]:
    return [m for m in comm_of(w).custom() if m.get("type") == kind]


def add(w: UploadWidget, *files: dict[str, Any]) -> dict[str, Any]:
    from_browser(w, {"type": "add", "files": list(files)})
    return replies(w, "added")[-1]


def send_file(w: UploadWidget, row_id: str, data: bytes, chunk: int) -> list[int]:
    """Play the browser: one chunk, wait for its ack, the next; the acknowledged counts."""
    view = memoryview(data)
    acked: list[int] = []
    offset = 0
    while offset < len(data):
        from_browser(
            w, {"type": "chunk", "id": row_id, "offset": offset}, [view[offset : offset + chunk]]
        )
        answer = [m for m in comm_of(w).custom() if m.get("id") == row_id][-1]
        assert answer["type"] == "ack", answer
        acked.append(answer["received"])
        offset = answer["received"]
    return acked


def row(w: UploadWidget, row_id: str) -> dict[str, Any]:
    return next(r for r in w.rows if r["id"] == row_id)


def temp_parts(w: UploadWidget) -> list[str]:
    return [] if w._tmp is None else os.listdir(w._tmp.name)


def test_a_file_arrives_in_chunks_and_is_uploaded(
    comms: list[RecordingComm], fake: FakeClient
) -> None:
    data = os.urandom(5 * MiB + 123)
    w = UploadWidget(client=fake)
    added = add(w, {"id": "a1", "name": "report.pdf", "size": len(data), "type": "application/pdf"})
    assert added == {"type": "added", "accepted": ["a1"], "rejected": []}
    assert row(w, "a1")["state"] == "receiving" and len(temp_parts(w)) == 1

    acked = send_file(w, "a1", data, MiB)
    assert acked == [min((i + 1) * MiB, len(data)) for i in range(6)]
    files = w.wait(timeout=10)

    assert [f.name for f in files] == ["files/fake0"] and w.value == files == w.files
    upload = fake.files.uploads[0]
    assert upload["sha256"] == hashlib.sha256(data).hexdigest() and upload["size"] == len(data)
    assert upload["mime_type"] == "application/pdf" and upload["display_name"] == "report.pdf"
    r = row(w, "a1")
    assert r["state"] == "done" and r["error"] == ""
    assert r["received"] == r["sent"] == r["size"] == len(data)
    assert r["file"] == {
        "name": "files/fake0",
        "uri": "https://example.test/v1beta/files/fake0",
        "mime_type": "application/pdf",
        "state": "ACTIVE",
    }
    # The temporary file is gone once uploaded.
    assert not upload["path"].exists() and temp_parts(w) == []
    assert repr(w) == "UploadWidget(files=1)"
    w.close()


def test_receiving_holds_one_chunk_at_a_time(comms: list[RecordingComm], fake: FakeClient) -> None:
    data = os.urandom(48 * MiB)
    w = UploadWidget(client=fake)
    add(w, {"id": "big", "name": "big.bin", "size": len(data), "type": ""})
    fake.files.gate = threading.Event()  # the upload waits until the file is all here
    tracemalloc.start()
    try:
        send_file(w, "big", data, 2 * MiB)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    fake.files.gate.set()
    w.wait(timeout=30)
    # 48 MiB went through the kernel; it never held more than a small part of it.
    assert peak < 4 * MiB, format_size(peak)
    assert fake.files.uploads[0]["sha256"] == hashlib.sha256(data).hexdigest()
    assert row(w, "big")["state"] == "done"
    w.close()


def test_refused_files_show_why_and_the_others_go_on(
    comms: list[RecordingComm], fake: FakeClient
) -> None:
    w = UploadWidget(client=fake, accept=".txt,.csv,image/*", max_size=1000)
    added = add(
        w,
        {"id": "big", "name": "big.txt", "size": 5000, "type": "text/plain"},
        {"id": "empty", "name": "empty.txt", "size": 0, "type": "text/plain"},
        {"id": "blob", "name": "blob", "size": 10, "type": ""},
        {"id": "pdf", "name": "paper.pdf", "size": 10, "type": "application/pdf"},
        {"id": "ok", "name": "notes.txt", "size": 11, "type": ""},
        {"id": "pic", "name": "pic.PNG", "size": 4, "type": "image/png"},
    )
    assert added["accepted"] == ["ok", "pic"]
    assert added["rejected"] == ["big", "empty", "blob", "pdf"]
    errors = {r["id"]: r["error"] for r in w.rows if r["state"] == "error"}
    assert errors["big"] == "too big: 5.0 KB (the limit is 1.0 KB)"
    assert errors["empty"] == "the file is empty"
    assert errors["blob"].startswith("unknown type")
    assert (
        errors["pdf"] == "not accepted here (application/pdf; this widget takes .txt,.csv,image/*)"
    )
    assert row(w, "ok")["mime"] == "text/plain"  # told by the name when the browser did not

    send_file(w, "ok", b"hello world", 1024)
    send_file(w, "pic", b"\x89PNG", 1024)
    assert [f.display_name for f in w.wait(timeout=10)] == ["notes.txt", "pic.PNG"]
    # A chunk for a refused file is answered "stop".
    from_browser(w, {"type": "chunk", "id": "big", "offset": 0}, [b"x" * 10])
    assert replies(w, "stop")[-1] == {"type": "stop", "id": "big"}
    assert [r["state"] for r in w.rows] == ["error"] * 4 + ["done"] * 2
    w.close()


def test_an_api_error_stays_on_its_row(comms: list[RecordingComm], fake: FakeClient) -> None:
    fake.files.fail["bad.txt"] = BadRequestError(
        "Unsupported MIME type.", status_code=400, status="INVALID_ARGUMENT"
    )
    w = UploadWidget(client=fake)
    add(
        w,
        {"id": "1", "name": "good.txt", "size": 3, "type": "text/plain"},
        {"id": "2", "name": "bad.txt", "size": 3, "type": "text/plain"},
        {"id": "3", "name": "also-good.txt", "size": 3, "type": "text/plain"},
    )
    for row_id in ("1", "2", "3"):
        send_file(w, row_id, b"abc", 1024)
    files = w.wait(timeout=10)
    assert sorted(f.display_name or "" for f in files) == ["also-good.txt", "good.txt"]
    bad = row(w, "2")
    assert (
        bad["state"] == "error" and bad["error"] == "400 INVALID_ARGUMENT: Unsupported MIME type."
    )
    assert bad["file"] is None and temp_parts(w) == []
    w.close()


def test_chunks_out_of_order_or_too_long_fail_the_file(
    comms: list[RecordingComm], fake: FakeClient
) -> None:
    w = UploadWidget(client=fake)
    add(
        w,
        {"id": "a", "name": "a.txt", "size": 10, "type": "text/plain"},
        {"id": "b", "name": "b.txt", "size": 4, "type": "text/plain"},
    )
    from_browser(w, {"type": "chunk", "id": "a", "offset": 0}, [b"12345"])
    from_browser(w, {"type": "chunk", "id": "a", "offset": 3}, [b"45678"])  # a gap
    assert replies(w, "stop")[-1] == {"type": "stop", "id": "a"}
    assert row(w, "a")["state"] == "error" and "out of order" in row(w, "a")["error"]
    from_browser(w, {"type": "chunk", "id": "b", "offset": 0}, [b"123456"])  # longer than said
    assert row(w, "b")["state"] == "error"
    from_browser(w, {"type": "chunk", "id": "nobody", "offset": 0}, [b"1"])
    assert replies(w, "stop")[-1] == {"type": "stop", "id": "nobody"}
    assert temp_parts(w) == [] and fake.files.uploads == []
    w.close()


def test_cancel_while_receiving_and_while_uploading(
    comms: list[RecordingComm], fake: FakeClient
) -> None:
    w = UploadWidget(client=fake)
    add(
        w,
        {"id": "r", "name": "r.txt", "size": 10, "type": "text/plain"},
        {"id": "u", "name": "u.txt", "size": 3 * MiB, "type": "text/plain"},
        {"id": "x", "name": "x.txt", "size": 10, "type": "text/plain"},
    )
    from_browser(w, {"type": "chunk", "id": "r", "offset": 0}, [b"12345"])
    from_browser(w, {"type": "cancel", "id": "r"})
    assert row(w, "r")["state"] == "cancelled" and len(temp_parts(w)) == 2
    from_browser(w, {"type": "chunk", "id": "r", "offset": 5}, [b"67890"])  # in flight
    assert replies(w, "stop")[-1] == {"type": "stop", "id": "r"}

    fake.files.gate = threading.Event()
    send_file(w, "u", os.urandom(3 * MiB), MiB)
    assert fake.files.started.wait(10)
    future = w._items["u"].future
    assert future is not None and row(w, "u")["state"] in ("uploading", "processing")
    from_browser(w, {"type": "cancel", "id": "u"})
    fake.files.gate.set()
    with pytest.raises(CancelledError):
        future.result(timeout=10)
    assert row(w, "u")["state"] == "cancelled" and w.files == []

    # The browser could not read a file (changed on disk): its reason is the row's error.
    from_browser(
        w,
        {
            "type": "cancel",
            "id": "x",
            "error": "the browser could not read the file (NotReadableError)",
        },
    )
    assert row(w, "x")["state"] == "error" and "NotReadableError" in row(w, "x")["error"]
    assert temp_parts(w) == []
    w.close()


def test_chunks_from_a_subshell_thread(comms: list[RecordingComm], fake: FakeClient) -> None:
    # JupyterLab 4.6 sends widget messages to a kernel subshell: another thread.
    data = os.urandom(3 * MiB)
    w = UploadWidget(client=fake)
    add(w, {"id": "t", "name": "t.bin", "size": len(data), "type": "application/octet-stream"})
    result: list[Any] = []
    worker = threading.Thread(target=lambda: result.append(send_file(w, "t", data, MiB)))
    worker.start()
    worker.join(10)
    assert result == [[MiB, 2 * MiB, 3 * MiB]]
    assert [f.size_bytes for f in w.wait(timeout=10)] == [len(data)]
    w.close()


def test_upload_from_the_kernel(
    comms: list[RecordingComm], fake: FakeClient, tmp_path: Path
) -> None:
    path = tmp_path / "notes.md"
    path.write_text("# Notes\n")
    w = UploadWidget(client=fake)
    file = w.upload(path).result(timeout=10)
    assert file.display_name == "notes.md" and w.files == [file]
    assert path.exists()  # the user's own file is never removed
    assert w.rows[0]["state"] == "done" and w.rows[0]["mime"] == "text/markdown"
    with pytest.raises(FileNotFoundError):
        w.upload(tmp_path / "missing.txt")
    (tmp_path / "blob").write_bytes(b"1234")
    with pytest.raises(InvalidInputError, match="unknown type"):
        w.upload(tmp_path / "blob").result(timeout=10)
    assert w.rows[-1]["state"] == "error"
    w.close()


def test_close_removes_parts_and_leaves_no_comms(
    comms: list[RecordingComm], fake: FakeClient
) -> None:
    before = set(comm.get_comm_manager().comms)
    w = UploadWidget(client=fake)
    add(w, {"id": "a", "name": "a.txt", "size": 10, "type": "text/plain"})
    from_browser(w, {"type": "chunk", "id": "a", "offset": 0}, [b"12345"])
    folder = w._tmp.name if w._tmp is not None else ""
    assert os.listdir(folder)
    w.close()
    assert not os.path.exists(folder)
    assert w.comm is None and set(comm.get_comm_manager().comms) == before
    assert all(c._closed for c in comms)


def test_settings_are_checked(comms: list[RecordingComm]) -> None:
    with pytest.raises(Exception, match="max_size"):
        UploadWidget(max_size=3 * 1024**3)
    with pytest.raises(Exception, match="chunk_size"):
        UploadWidget(chunk_size=100 * MiB)


def test_synced_traits_are_the_documented_ones(
    comms: list[RecordingComm], fake: FakeClient
) -> None:
    w = UploadWidget(client=fake, accept=".pdf")
    opened = comm_of(w).sent[0]
    assert opened[0] == "comm_open"
    ours = {k for k in opened[1]["state"] if not k.startswith("_")} - set(
        ipywidgets.DOMWidget.class_trait_names(sync=True)
    )
    assert ours == {"rows", "accept", "max_size", "chunk_size", "multiple", "disabled"}
    assert opened[1]["state"]["accept"] == ".pdf"
    assert "export default" in opened[1]["state"]["_esm"]
    w.close()


def test_names_stay_text(comms: list[RecordingComm], fake: FakeClient) -> None:
    w = UploadWidget(client=fake)
    add(w, {"id": "h", "name": "<img src=x onerror=alert(1)>.txt", "size": 3, "type": ""})
    send_file(w, "h", b"abc", 10)
    w.wait(timeout=10)
    page = static_html(w.rows)
    assert "<img" not in page and "&lt;img src=x onerror=alert(1)&gt;.txt" in page
    bundle, _ = w._repr_mimebundle_()
    assert bundle["text/html"] == page and bundle["text/plain"] == "UploadWidget(files=1)"
    w.close()


def test_no_api_key_in_rows_or_messages(
    comms: list[RecordingComm], keyed_emulator: Any, tmp_path: Path
) -> None:
    from tests.conftest import TEST_KEY

    wrong = "AIzaWRONGKEY-0123456789abcdefghijklmnop"
    with gemini_nb.Client(api_key=wrong, base_url=keyed_emulator.url, max_retries=0) as client:
        w = UploadWidget(client=client)
        add(w, {"id": "k", "name": "k.txt", "size": 5, "type": "text/plain"})
        send_file(w, "k", b"hello", 10)
        w.wait(timeout=30)
        assert row(w, "k")["state"] == "error" and row(w, "k")["error"]
        state = w.get_state()
        w.close()
    published = json.dumps([(t, d) for c in comms for t, d, _ in c.sent], default=str)
    everything = published + json.dumps(state, default=str) + repr(w)
    assert wrong not in everything and TEST_KEY not in everything and "AIza" not in everything


def test_accept_lists() -> None:
    assert accepts("", "x.bin", None)
    assert accepts(".PDF, image/*", "a.pdf", "application/pdf")
    assert accepts("image/*", "a", "image/png") and not accepts("image/*", "a.txt", "text/plain")
    assert accepts("text/csv", "d.csv", "text/csv") and not accepts("text/csv", "d.tsv", None)
    assert [format_size(n) for n in (0, 999, 1000, 1_500_000, 2 * 1024**3)] == [
        "0 bytes",
        "999 bytes",
        "1.0 KB",
        "1.5 MB",
        "2.1 GB",
    ]


def test_front_end_files_are_shipped() -> None:
    js, css = static_path("upload.js"), static_path("upload.css")
    assert js.read_text().rstrip().endswith("export default { render };")
    assert ".gnb-upload-row" in css.read_text()


def test_upload_to_the_emulator(comms: list[RecordingComm], emulator: Any) -> None:
    # The real client and the emulator's resumable uploads: what arrives is what was sent.
    import base64

    data = os.urandom(9 * MiB + 7)  # more than one 8 MiB upload chunk
    with gemini_nb.Client(base_url=emulator.url) as client:
        w = UploadWidget(client=client)
        add(w, {"id": "e", "name": "sample.bin", "size": len(data), "type": ""})
        send_file(w, "e", data, 2 * MiB)
        (file,) = w.wait(timeout=60)
        stored = client.files.get(name=file.name or "")
        assert stored.state == "ACTIVE" and stored.size_bytes == len(data)
        assert stored.display_name == "sample.bin"
        assert (
            base64.b64decode(stored.sha256_hash or "").decode() == hashlib.sha256(data).hexdigest()
        )
        assert row(w, "e")["file"]["uri"] == stored.uri and row(w, "e")["sent"] == len(data)
        assert temp_parts(w) == []
        w.close()
