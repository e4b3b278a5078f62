"""An upload widget: files picked or dropped in the browser go to the Files API.

>>> from gemini_nb.notebook.widgets import UploadWidget    # doctest: +SKIP
>>> up = UploadWidget(accept=".pdf,.txt,image/*")           # doctest: +SKIP
>>> up                                                      # doctest: +SKIP
>>> up.files                  # the uploaded Files, in order   # doctest: +SKIP

and then ``%%gemini -f up.files`` to ask about them.

ipywidgets' ``FileUpload`` keeps every file whole in widget state: in the browser, in the
kernel, and in the saved notebook. Here a file travels in chunks instead. The browser reads it
one ``chunk_size`` piece at a time (``File.slice``) and sends each piece as a custom message
with one binary buffer, then waits for the kernel's acknowledgement before reading the next, so
at most one chunk is in flight and memory stays bounded on both sides whatever the file's size.
The kernel appends each piece to a temporary file. Once a file is whole, a worker thread
uploads it with ``client.files.upload`` (resumable, 8 MiB at a time, also bounded) while the
browser goes on with the next file; the temporary file is removed when that upload ends,
whatever the outcome.

The protocol between ``widgets/upload.js`` and this class:

* synced traits: ``rows`` (one dict per file, the list as shown: ``id``, ``name``, ``size``,
  ``mime``, ``state``, ``received``, ``sent``, ``error``, and ``file`` (``name``, ``uri``,
  ``mime_type``) once uploaded), and the settings ``accept``, ``max_size``, ``chunk_size``,
  ``multiple``, ``disabled``. A row's ``state`` is ``receiving`` (bytes coming to the kernel),
  ``uploading`` (bytes going to the API), ``processing`` (the API prepares the file),
  ``done``, ``error`` or ``cancelled``.
* browser → kernel: ``{"type": "add", "files": [{"id", "name", "size", "type"}, ...]}``,
  then for each accepted file ``{"type": "chunk", "id", "offset"}`` with one buffer, and
  ``{"type": "cancel", "id"}``.
* kernel → browser: ``{"type": "added", "accepted": [ids], "rejected": [ids]}``,
  ``{"type": "ack", "id", "received"}`` after each chunk, and ``{"type": "stop", "id"}`` when the
  browser should stop sending a file (it failed or was cancelled).

A file that is too big, of a type that cannot be told or is not accepted, or that the API
refuses, shows its error on its own row; the other files go on.

Threads: with JupyterLab 4.6 widget messages arrive on a kernel subshell thread, so chunks are
received (and acknowledged) even while a cell runs; uploads run on the widget's worker threads.
``value`` (and its observers) therefore changes on a worker thread. Nothing here puts the API
key in a row, a message or a repr: the client stays in Python.
"""

from __future__ import annotations

import contextlib
import html
import mimetypes
import os
import shutil
import tempfile
import threading
import time
import uuid
from concurrent.futures import CancelledError, Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

try:
    import anywidget
    import ipywidgets
    import traitlets
except ImportError as exc:
    from ..._optional import missing_dependency

    raise missing_dependency("UploadWidget", exc.name or "anywidget", "notebook") from None

from ..._exceptions import InvalidInputError
from ...types import File
from .._files import format_size
from .._session import session
from . import static_path
from .chat import describe_error

__all__ = ["UploadWidget", "accepts", "format_size"]

MiB = 1024 * 1024
#: The Files API's limit for one file.
API_MAX_SIZE = 2 * 1024 * MiB
DEFAULT_CHUNK_SIZE = 2 * MiB
# Jupyter's websocket takes messages up to 10 MiB; a chunk stays well below.
MAX_CHUNK_SIZE = 8 * MiB
MIN_CHUNK_SIZE = 64 * 1024
# Seconds between two progress updates of the rows (the browser redraws the list each time).
PROGRESS_INTERVAL = 0.2

ACTIVE_STATES = frozenset({"receiving", "uploading", "processing"})


@dataclass
class _Incoming:
    """One file of the list: its row, and while it arrives, its temporary file."""

    row: dict[str, Any]
    path: Path | None = None
    handle: IO[bytes] | None = None
    owned: bool = True  # the temporary file is ours to remove (not a path the user gave)
    cancelled: threading.Event = field(default_factory=threading.Event)
    future: Future[File] | None = None
    file: File | None = None  # once uploaded
    last_push: float = 0.0


def accepts(accept: str, name: str, mime: str | None) -> bool:
    """Whether a file matches an HTML ``accept`` list such as ``".pdf,image/*,text/csv"``."""
    tokens = [t.strip().lower() for t in accept.split(",") if t.strip()]
    if not tokens:
        return True
    lower, kind = name.lower(), (mime or "").lower()
    for token in tokens:
        if token.startswith("."):
            if lower.endswith(token):
                return True
        elif token.endswith("/*"):
            if kind.startswith(token[:-1]):
                return True
        elif token == kind:
            return True
    return False


def _mime_of(name: str, browser_type: Any) -> str | None:
    guessed = mimetypes.guess_type(name)[0]
    if guessed:
        return guessed
    if isinstance(browser_type, str) and "/" in browser_type.strip("/"):
        return browser_type.strip()
    return None


def _file_summary(file: File) -> dict[str, Any]:
    return {"name": file.name, "uri": file.uri, "mime_type": file.mime_type, "state": file.state}


class UploadWidget(anywidget.AnyWidget):
    """Pick or drop files; each one goes to the Files API with its own progress bar.

    ``files`` (also ``value``, a trait you can ``observe``) are the uploaded
    :class:`~gemini_nb.File` objects, in the list's order: pass them in ``contents``,
    or ``%%gemini -f up.files``. ``upload(path)`` adds a file from the kernel's disk to the
    same list. ``accept`` is an HTML accept list (``".pdf,image/*"``); ``max_size`` is in bytes
    (at most the API's 2 GB). ``client`` is a :class:`~gemini_nb.Client` (by default the
    notebook's).
    """

    _esm = static_path("upload.js")
    _css = static_path("upload.css")

    rows = traitlets.List(traitlets.Dict()).tag(sync=True)
    accept = traitlets.Unicode("").tag(sync=True)
    max_size = traitlets.Int(API_MAX_SIZE).tag(sync=True)
    chunk_size = traitlets.Int(DEFAULT_CHUNK_SIZE).tag(sync=True)
    multiple = traitlets.Bool(True).tag(sync=True)
    disabled = traitlets.Bool(False).tag(sync=True)
    value = traitlets.List(traitlets.Instance(File))

    def __init__(
        self,
        *,
        accept: str = "",
        max_size: int = API_MAX_SIZE,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        multiple: bool = True,
        client: Any = None,
        max_workers: int = 2,
        **kwargs: Any,
    ) -> None:
        # The client (and its key) live only in Python attributes, never in traits.
        self._client = client
        self._lock = threading.RLock()
        self._items: dict[str, _Incoming] = {}
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self._executor: ThreadPoolExecutor | None = None
        self._max_workers = max_workers
        self._closed = False
        self._owns_layout = "layout" not in kwargs
        super().__init__(
            accept=accept, max_size=max_size, chunk_size=chunk_size, multiple=multiple, **kwargs
        )
        self.on_msg(self._on_frontend_msg)

    @traitlets.validate("max_size")
    def _check_max_size(self, proposal: dict[str, Any]) -> int:
        value = int(proposal["value"])
        if not 0 < value <= API_MAX_SIZE:
            raise traitlets.TraitError(
                f"max_size must be between 1 byte and {format_size(API_MAX_SIZE)} "
                f"(the Files API's limit), not {value}."
            )
        return value

    @traitlets.validate("chunk_size")
    def _check_chunk_size(self, proposal: dict[str, Any]) -> int:
        value = int(proposal["value"])
        if not MIN_CHUNK_SIZE <= value <= MAX_CHUNK_SIZE:
            raise traitlets.TraitError(
                f"chunk_size must be between {MIN_CHUNK_SIZE} and {MAX_CHUNK_SIZE} bytes, "
                f"not {value}."
            )
        return value

    def __repr__(self) -> str:
        # Stable text (no memory address), so nbval can compare the text/plain output.
        return f"{type(self).__name__}(files={len(self.value)})"

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        # Renderers without a widget manager (nbconvert, GitHub) fall back to text/html.
        bundle = super()._repr_mimebundle_(**kwargs)
        if bundle is None:
            return None
        data, metadata = bundle
        return {**data, "text/html": static_html(self.rows)}, metadata

    # -- public API ------------------------------------------------------------------------------

    @property
    def files(self) -> list[File]:
        """The uploaded files, in the list's order (a copy: safe to keep)."""
        return list(self.value)

    def upload(
        self, path: str | os.PathLike[str], *, display_name: str | None = None
    ) -> Future[File]:
        """Upload a file from the kernel's disk through the same list; ``.result()`` is the File.

        Its row, progress and errors show like those of a file picked in the browser.
        """
        p = Path(path).expanduser()
        if not p.is_file():
            raise FileNotFoundError(f"No such file: {str(p)!r}.")
        name = display_name or p.name
        size = p.stat().st_size
        mime = _mime_of(p.name, None)
        row_id = f"py-{uuid.uuid4().hex[:12]}"
        error = self._refusal(name, size, mime)
        item = _Incoming(
            row=_new_row(row_id, name, size, mime, "uploading" if not error else "error", error),
            path=p,
            owned=False,
        )
        item.row["received"] = size
        with self._lock:
            self._items[row_id] = item
            self._push()
        if error:
            failed: Future[File] = Future()
            failed.set_exception(InvalidInputError(f"{name}: {error}."))
            return failed
        return self._start_upload(item)

    def cancel(self, row_id: str) -> None:
        """Cancel one file (by its row's ``id``): its transfer or upload stops."""
        self._cancel(row_id, "")

    def _cancel(self, row_id: str, error: str) -> None:
        with self._lock:
            item = self._items.get(row_id)
            if item is None or item.row["state"] not in ACTIVE_STATES:
                return
            item.cancelled.set()
            if item.row["state"] == "receiving" or item.future is None:
                self._end(item, "error" if error else "cancelled", error)

    def wait(self, timeout: float | None = None) -> list[File]:
        """Wait until the uploads now under way end; the uploaded files.

        Files still arriving from the browser are not waited for (their bytes come in on
        messages that a cell blocked here may be holding up).
        """
        with self._lock:
            futures = [i.future for i in self._items.values() if i.future is not None]
        deadline = None if timeout is None else time.monotonic() + timeout
        for future in futures:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            with contextlib.suppress(Exception):
                future.exception(timeout=left)
        return self.files

    def close(self) -> None:
        """Cancel what is under way, remove the temporary files and close the widget's comms."""
        with self._lock:
            self._closed = True
            for item in self._items.values():
                if item.row["state"] in ACTIVE_STATES:
                    item.cancelled.set()
                    if item.future is None:
                        self._discard(item)
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
        if self._tmp is not None:
            self._tmp.cleanup()
        if self._owns_layout and self.layout is not None:
            self.layout.close()
        super().close()

    # -- messages from the browser ---------------------------------------------------------------

    def _on_frontend_msg(self, _widget: Any, content: Any, buffers: Any) -> None:
        if not isinstance(content, dict):
            return
        kind = content.get("type")
        if kind == "add":
            self._on_add(content.get("files"))
        elif kind == "chunk":
            self._on_chunk(content.get("id"), content.get("offset"), buffers)
        elif kind == "cancel" and isinstance(content.get("id"), str):
            # The browser says why when it could not read the file.
            error = content.get("error")
            self._cancel(content["id"], str(error)[:300] if error else "")

    def _reply(self, content: dict[str, Any]) -> None:
        # Widget.send: a custom message to the browser.
        ipywidgets.Widget.send(self, content)

    def _on_add(self, files: Any) -> None:
        accepted: list[str] = []
        rejected: list[str] = []
        if not isinstance(files, list):
            return
        with self._lock:
            for spec in files:
                if not isinstance(spec, dict):
                    continue
                row_id, size = spec.get("id"), spec.get("size")
                if not (isinstance(row_id, str) and 0 < len(row_id) <= 64) or row_id in self._items:
                    continue
                if isinstance(size, bool) or not isinstance(size, int) or size < 0:
                    continue
                name = os.path.basename(str(spec.get("name") or "")).strip() or "unnamed"
                mime = _mime_of(name, spec.get("type"))
                error = self._refusal(name, size, mime)
                if self._closed:
                    error = "the widget was closed"
                item = _Incoming(
                    row=_new_row(row_id, name, size, mime, "error" if error else "receiving", error)
                )
                if not error:
                    try:
                        item.path, item.handle = self._temp_file(size)
                    except OSError as exc:
                        item.row.update(
                            state="error", error=f"cannot store it: {exc.strerror or exc}"
                        )
                self._items[row_id] = item
                (rejected if item.row["state"] == "error" else accepted).append(row_id)
            self._push()
        self._reply({"type": "added", "accepted": accepted, "rejected": rejected})

    def _refusal(self, name: str, size: int, mime: str | None) -> str:
        """Why a file cannot be taken, or ``""``."""
        if size == 0:
            return "the file is empty"
        if size > self.max_size:
            return f"too big: {format_size(size)} (the limit is {format_size(self.max_size)})"
        if mime is None:
            return (
                "unknown type: the name has no extension that tells it; rename the file "
                "(e.g. notes.txt, data.csv)"
            )
        if not accepts(self.accept, name, mime):
            return f"not accepted here ({mime}; this widget takes {self.accept})"
        return ""

    def _temp_file(self, size: int) -> tuple[Path, IO[bytes]]:
        if self._tmp is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="gemini-nb-upload-")
        folder = self._tmp.name
        free = shutil.disk_usage(folder).free
        if size > free:
            raise OSError(0, f"{format_size(size)} needed in {folder}, {format_size(free)} free")
        fd, name = tempfile.mkstemp(dir=folder, suffix=".part")
        return Path(name), os.fdopen(fd, "wb")

    def _on_chunk(self, row_id: Any, offset: Any, buffers: Any) -> None:
        with self._lock:
            item = self._items.get(row_id) if isinstance(row_id, str) else None
            if item is None or item.row["state"] != "receiving" or item.handle is None:
                if isinstance(row_id, str):
                    self._reply({"type": "stop", "id": row_id})
                return
            row = item.row
            data = buffers[0] if buffers else b""
            length = memoryview(data).nbytes
            if offset != row["received"] or length == 0 or row["received"] + length > row["size"]:
                self._end(
                    item,
                    "error",
                    f"the browser sent a chunk out of order (offset {offset}, "
                    f"expected {row['received']}); pick the file again",
                )
                self._reply({"type": "stop", "id": row_id})
                return
            try:
                item.handle.write(data)
            except OSError as exc:
                self._end(item, "error", f"cannot store it: {exc.strerror or exc}")
                self._reply({"type": "stop", "id": row_id})
                return
            del data
            row["received"] += length
            complete = row["received"] == row["size"]
            if complete:
                item.handle.close()
                item.handle = None
                row["state"] = "uploading"
                self._start_upload(item)
            else:
                self._push_progress(item)
            received = row["received"]
        self._reply({"type": "ack", "id": row_id, "received": received})

    # -- the upload ------------------------------------------------------------------------------

    def _start_upload(self, item: _Incoming) -> Future[File]:
        with self._lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(
                    max_workers=self._max_workers, thread_name_prefix="gemini-nb-upload"
                )
            item.future = self._executor.submit(self._upload, item)
            self._push()
            return item.future

    def _upload(self, item: _Incoming) -> File:
        row = item.row
        assert item.path is not None

        def progress(sent: int, total: int) -> None:
            if item.cancelled.is_set():
                raise CancelledError(f"{row['name']}: cancelled")
            with self._lock:
                row["sent"] = sent
                if sent >= total and row["state"] == "uploading":
                    row["state"] = "processing"
                    self._push()
                else:
                    self._push_progress(item)

        try:
            if item.cancelled.is_set():
                raise CancelledError(f"{row['name']}: cancelled")
            client = self._client if self._client is not None else session.client()
            file = client.files.upload(
                file=item.path, mime_type=row["mime"], display_name=row["name"], progress=progress
            )
        except CancelledError:
            self._end(item, "cancelled", "")
            raise
        except Exception as exc:  # shown on the row, and raised from the future
            self._end(item, "error", describe_error(exc))
            raise
        if item.cancelled.is_set():
            # Cancelled while the API was processing it: do not leave it behind.
            with contextlib.suppress(Exception):
                client.files.delete(name=file)
            self._end(item, "cancelled", "")
            raise CancelledError(f"{row['name']}: cancelled")
        with self._lock:
            row["file"] = _file_summary(file)
            row["sent"] = row["size"]
            item.file = file
            # In the list's order (the order they were picked), whichever finished first.
            self.value = [i.file for i in self._items.values() if i.file is not None]
            self._end(item, "done", "")
        return file

    # -- rows ------------------------------------------------------------------------------------

    def _end(self, item: _Incoming, state: str, error: str) -> None:
        with self._lock:
            item.row["state"] = state
            item.row["error"] = error
            self._discard(item)
            self._push()

    def _discard(self, item: _Incoming) -> None:
        if item.handle is not None:
            with contextlib.suppress(OSError):
                item.handle.close()
            item.handle = None
        if item.owned and item.path is not None:
            with contextlib.suppress(OSError):
                item.path.unlink()
            item.path = None

    def _push_progress(self, item: _Incoming) -> None:
        now = time.monotonic()
        if now - item.last_push >= PROGRESS_INTERVAL:
            item.last_push = now
            self._push()

    def _push(self) -> None:
        with self._lock:
            if self._closed and self.comm is None:
                return
            self.rows = [dict(i.row) for i in self._items.values()]


def _new_row(
    row_id: str, name: str, size: int, mime: str | None, state: str, error: str
) -> dict[str, Any]:
    return {
        "id": row_id,
        "name": name,
        "size": size,
        "mime": mime,
        "state": state,
        "received": 0,
        "sent": 0,
        "error": error,
        "file": None,
    }


_STATE_TEXT = {
    "receiving": "sending to the kernel",
    "uploading": "uploading",
    "processing": "processing",
    "done": "uploaded",
    "error": "failed",
    "cancelled": "cancelled",
}


def static_html(rows: list[dict[str, Any]]) -> str:
    """The list as it stands, as escaped HTML: the widget's view without a widget manager."""
    items = []
    for row in rows:
        state = str(row.get("state", ""))
        what = _STATE_TEXT.get(state, state)
        file = row.get("file") or {}
        if file.get("name"):
            what += f" as {file['name']}"
        if row.get("error"):
            what += f": {row['error']}"
        items.append(
            f"<li><b>{html.escape(str(row.get('name', '')))}</b> "
            f"({html.escape(format_size(int(row.get('size') or 0)))}) · {html.escape(what)}</li>"
        )
    body = f"<ul>{''.join(items)}</ul>" if items else "<div>no files yet</div>"
    return (
        '<div class="gnb-upload-static" style="border:1px solid #ccc;border-radius:6px;'
        'padding:4px 10px;max-width:48em"><div style="color:#666;font-size:90%">'
        "Upload to Gemini (a saved view: picking files needs a running kernel)</div>"
        f"{body}</div>"
    )
