"""Browsers for your files and caches: a table to sort, filter and select, with actions.

>>> from gemini_nb.notebook.widgets import CachesBrowser, FilesBrowser   # doctest: +SKIP
>>> files = FilesBrowser()          # the Files API's list, as a table   # doctest: +SKIP
>>> files                                                                  # doctest: +SKIP
>>> files.df                        # the same list as a pandas DataFrame  # doctest: +SKIP
>>> files.selected_items            # the File objects ticked in the table # doctest: +SKIP

Each browser is backed by the DataFrame of its list (``client.files.list().to_pandas()``,
``client.caches.list().to_pandas()``). The table is sorted (click a header), filtered (the
search box) and selected (the check boxes) in the browser; the selection is synced back as
``selected`` (names). The actions work on the selected rows and refresh the table in place:
Delete (both), "Use in prompt" (files: puts the File objects in a variable of the notebook,
``gemini_files`` by default, for ``%%gemini -f gemini_files``) and "Keep for" (caches: a new
TTL from now). Each is a method too: :meth:`delete`, :meth:`FilesBrowser.use`,
:meth:`CachesBrowser.extend`, :meth:`refresh`.

The protocol between ``widgets/browser.js`` and these classes:

* synced traits: ``kind`` (``"files"`` or ``"caches"``), ``columns`` (``key``, ``label``,
  ``type``: ``text``, ``bytes``, ``number`` or ``time``), ``rows`` (one dict per item, keyed by
  ``name``; times as ``YYYY-MM-DD HH:MM:SS`` UTC), ``selected`` (names; set by the browser),
  ``busy``, ``status`` (what the last action did) and ``error``.
* browser → kernel: ``{"type": "action", "action": "refresh" | "delete" | "use" | "extend",
  "names": [...], "ttl": seconds}``: the names are the rows selected when the button was
  pressed. The action runs on the widget's worker thread, so the kernel stays free.

Nothing here puts the API key in a trait or a message: the client stays in Python.
"""

from __future__ import annotations

import html
import math
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar

try:
    import anywidget
    import traitlets
except ImportError as exc:
    from ..._optional import missing_dependency

    raise missing_dependency("FilesBrowser", exc.name or "anywidget", "notebook") from None

from .._session import session
from . import static_path
from .chat import describe_error

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["CachesBrowser", "FilesBrowser"]

#: "Keep for" choices of the caches browser, in seconds.
TTL_CHOICES = (600, 3600, 6 * 3600, 24 * 3600)
MAX_NAMES = 1000


def _cell(value: Any) -> Any:
    """A DataFrame cell as JSON: times as UTC text, NaN/NaT as None, numpy scalars as Python."""
    if value is None:
        return None
    if isinstance(value, datetime):  # pandas Timestamps (and NaT) are datetimes
        if value != value:  # NaT
            return None
        if value.tzinfo is not None:
            value = value.astimezone(UTC)
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if hasattr(value, "item") and callable(value.item):  # numpy scalar
        return _cell(value.item())
    if isinstance(value, (str, int, bool)):
        return value
    return str(value)


def frame_rows(df: pd.DataFrame) -> list[dict[str, Any]]:
    """The DataFrame's rows as JSON-ready dicts (what the table shows)."""
    columns = list(df.columns)
    return [
        {str(col): _cell(value) for col, value in zip(columns, values, strict=True)}
        for values in df.itertuples(index=False, name=None)
    ]


class _ResourceBrowser(anywidget.AnyWidget):
    """What the two browsers share: the list, its DataFrame, selection, refresh and delete."""

    _esm = static_path("browser.js")
    _css = static_path("browser.css")

    kind = traitlets.Unicode("").tag(sync=True)
    columns = traitlets.List(traitlets.Dict()).tag(sync=True)
    rows = traitlets.List(traitlets.Dict()).tag(sync=True)
    selected = traitlets.List(traitlets.Unicode()).tag(sync=True)
    busy = traitlets.Bool(False).tag(sync=True)
    status = traitlets.Unicode("").tag(sync=True)
    error = traitlets.Unicode("").tag(sync=True)

    _kind: ClassVar[str] = ""
    _noun: ClassVar[tuple[str, str]] = ("item", "items")
    _column_types: ClassVar[dict[str, str]] = {}
    _labels: ClassVar[dict[str, str]] = {}

    def __init__(self, *, client: Any = None, **kwargs: Any) -> None:
        # The client (and its key) live only in Python attributes, never in traits.
        self._client = client
        self._lock = threading.RLock()
        self._executor: ThreadPoolExecutor | None = None
        self._items: dict[str, Any] = {}
        self._df: pd.DataFrame | None = None
        self._job: Future[Any] | None = None  # the last action from the browser
        self._owns_layout = "layout" not in kwargs
        super().__init__(kind=self._kind, **kwargs)
        self.on_msg(self._on_frontend_msg)
        self.refresh()

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self._kind}={len(self.rows)}, selected={len(self.selected)})"
        )

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        # Renderers without a widget manager (nbconvert, GitHub) fall back to text/html.
        bundle = super()._repr_mimebundle_(**kwargs)
        if bundle is None:
            return None
        data, metadata = bundle
        return {**data, "text/html": static_html(self._kind, self.columns, self.rows)}, metadata

    # -- public API ------------------------------------------------------------------------------

    @property
    def df(self) -> pd.DataFrame:
        """The list as a DataFrame (the last refresh), as ``%gemini files`` / ``caches`` give it."""
        if self._df is None:
            self.refresh()
        assert self._df is not None
        return self._df.copy()

    @property
    def items(self) -> list[Any]:
        """The listed objects (:class:`~gemini_nb.File` or :class:`~gemini_nb.CachedContent`)."""
        with self._lock:
            return list(self._items.values())

    @property
    def selected_items(self) -> list[Any]:
        """The objects of the selected rows, in table order."""
        with self._lock:
            chosen = set(self.selected)
            return [item for name, item in self._items.items() if name in chosen]

    def refresh(self) -> pd.DataFrame:
        """List again and redraw the table in place; the selection keeps the rows still there."""
        items = list(self._list())
        df = self._frame(items)
        with self._lock:
            self._items = {item.name: item for item in items if item.name}
            self._df = df
            columns = [
                {
                    "key": str(c),
                    "label": self._labels.get(str(c), str(c).replace("_", " ")),
                    "type": self._column_types.get(str(c), "text"),
                }
                for c in df.columns
            ]
            rows = frame_rows(df)
            with self.hold_sync():
                self.columns = columns
                self.rows = rows
                self.selected = [n for n in self.selected if n in self._items]
        return df.copy()

    def delete(self, names: Iterable[str] | None = None) -> list[str]:
        """Delete the given (by default the selected) items; the names deleted."""
        targets = self._targets(names)
        done, failures = self._each(targets, self._delete_one)
        singular, plural = self._noun
        self._report(f"Deleted {len(done)} {singular if len(done) == 1 else plural}.", failures)
        return done

    # -- helpers for subclasses ------------------------------------------------------------------

    def client(self) -> Any:
        return self._client if self._client is not None else session.client()

    def _list(self) -> Iterable[Any]:
        raise NotImplementedError

    def _frame(self, items: list[Any]) -> pd.DataFrame:
        from ..._pager import _frame

        return _frame(items, self._item_type())

    def _item_type(self) -> Any:
        raise NotImplementedError

    def _delete_one(self, name: str) -> None:
        raise NotImplementedError

    def _targets(self, names: Iterable[str] | None) -> list[str]:
        chosen = list(self.selected if names is None else names)
        if isinstance(names, str):
            chosen = [names]
        if not chosen:
            raise ValueError(f"Select one or more {self._noun[1]} first (or pass names=[...]).")
        return chosen

    def _each(self, names: list[str], action: Callable[[str], Any]) -> tuple[list[str], list[str]]:
        done, failures = [], []
        for name in names:
            try:
                action(name)
            except Exception as exc:  # reported in the widget; the other names go on
                failures.append(f"{name}: {describe_error(exc)}")
            else:
                done.append(name)
        return done, failures

    def _report(self, status: str, failures: list[str]) -> None:
        try:
            self.refresh()
        except Exception as exc:
            failures = [*failures, f"refresh: {describe_error(exc)}"]
        with self.hold_sync():
            self.status = status
            self.error = "; ".join(failures)

    # -- messages from the browser ---------------------------------------------------------------

    def _on_frontend_msg(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if not isinstance(content, dict) or content.get("type") != "action":
            return
        action = content.get("action")
        names = content.get("names")
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            names = []
        names = names[:MAX_NAMES]
        handler = self._handlers().get(action) if isinstance(action, str) else None
        if handler is None:
            return
        self._in_background(lambda: handler(names, content))

    def _handlers(self) -> dict[str, Callable[[list[str], dict[str, Any]], Any]]:
        return {
            "refresh": lambda names, msg: self._refresh_and_clear(),
            "delete": lambda names, msg: self.delete(names),
        }

    def _refresh_and_clear(self) -> None:
        self.refresh()
        with self.hold_sync():
            self.status = ""
            self.error = ""

    def _in_background(self, work: Callable[[], Any]) -> Future[Any]:
        def run() -> None:
            try:
                work()
            except Exception as exc:  # shown in the widget, not raised into a cell
                self.error = describe_error(exc) if not isinstance(exc, ValueError) else str(exc)
            finally:
                self.busy = False

        with self._lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(
                    max_workers=1, thread_name_prefix=f"gemini-nb-{self._kind}"
                )
            self.busy = True
            self._job = self._executor.submit(run)
            return self._job

    def close(self) -> None:
        # Also called by __del__ of a widget whose __init__ failed half-way.
        executor = getattr(self, "_executor", None)
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)
        if getattr(self, "_owns_layout", False) and self.layout is not None:
            self.layout.close()
        super().close()


class FilesBrowser(_ResourceBrowser):
    """Your uploaded files: sort, filter, select; delete them or use them in the next prompt.

    ``use()`` (the "Use in prompt" button) puts the selected File objects in the notebook
    variable ``variable`` (``gemini_files``), for ``%%gemini -f gemini_files``.
    """

    _kind = "files"
    _noun = ("file", "files")
    _column_types = {"size_bytes": "bytes", "create_time": "time", "expiration_time": "time"}
    _labels = {
        "size_bytes": "size",
        "mime_type": "type",
        "expiration_time": "expires",
        "create_time": "created",
        "display_name": "display name",
    }

    variable = traitlets.Unicode("gemini_files").tag(sync=True)

    def __init__(
        self, *, client: Any = None, variable: str = "gemini_files", **kwargs: Any
    ) -> None:
        if not variable.isidentifier():
            raise ValueError(f"variable must be a Python name, not {variable!r}.")
        super().__init__(client=client, variable=variable, **kwargs)

    def _list(self) -> Iterable[Any]:
        return self.client().files.list()

    def _item_type(self) -> Any:
        from ...types import File

        return File

    def _delete_one(self, name: str) -> None:
        self.client().files.delete(name=name)

    def use(
        self, names: Iterable[str] | None = None, *, namespace: dict[str, Any] | None = None
    ) -> list[Any]:
        """Put the given (by default the selected) files in the notebook variable ``variable``."""
        targets = self._targets(names)
        with self._lock:
            missing = [n for n in targets if n not in self._items]
            files = [self._items[n] for n in targets if n in self._items]
        if missing:
            raise ValueError(f"Not in the list (deleted or expired?): {', '.join(missing)}.")
        ns = namespace if namespace is not None else _user_namespace()
        ns[self.variable] = files
        count = f"{len(files)} file{'' if len(files) == 1 else 's'}"
        with self.hold_sync():
            self.status = (
                f"{count} in the variable {self.variable}: "
                f"%%gemini -f {self.variable} to ask about them."
            )
            self.error = ""
        return files

    def _handlers(self) -> dict[str, Callable[[list[str], dict[str, Any]], Any]]:
        return {**super()._handlers(), "use": lambda names, msg: self.use(names)}


class CachesBrowser(_ResourceBrowser):
    """Your context caches: sort, filter, select; delete them or keep them longer.

    ``extend(ttl)`` (the "Keep for" button) gives the selected caches a new TTL from now:
    seconds, a ``timedelta`` or ``"3600s"``.
    """

    _kind = "caches"
    _noun = ("cache", "caches")
    _column_types = {"total_token_count": "number", "create_time": "time", "expire_time": "time"}
    _labels = {
        "total_token_count": "tokens",
        "expire_time": "expires",
        "create_time": "created",
        "display_name": "display name",
    }

    ttl_choices = traitlets.List(traitlets.Int(), list(TTL_CHOICES)).tag(sync=True)

    def _list(self) -> Iterable[Any]:
        return self.client().caches.list()

    def _item_type(self) -> Any:
        from ...types import CachedContent

        return CachedContent

    def _delete_one(self, name: str) -> None:
        self.client().caches.delete(name=name)

    def extend(self, ttl: Any, names: Iterable[str] | None = None) -> list[str]:
        """A new TTL from now for the given (by default the selected) caches; the names done."""
        from ...resources.caches import format_ttl

        wire = format_ttl(ttl)  # a bad ttl fails here, before any call
        targets = self._targets(names)
        done, failures = self._each(
            targets, lambda name: self.client().caches.update(name=name, ttl=wire)
        )
        count = f"{len(done)} cache{'' if len(done) == 1 else 's'}"
        self._report(f"{count} kept for {_duration(wire)} from now.", failures)
        return done

    def _handlers(self) -> dict[str, Callable[[list[str], dict[str, Any]], Any]]:
        def extend(names: list[str], msg: dict[str, Any]) -> Any:
            ttl = msg.get("ttl")
            if isinstance(ttl, bool) or not isinstance(ttl, (int, float)) or ttl <= 0:
                raise ValueError("Choose how long to keep the caches.")
            return self.extend(ttl, names)

        return {**super()._handlers(), "extend": extend}


def _duration(wire: str) -> str:
    seconds = float(wire.rstrip("s"))
    for size, unit in ((86400, "day"), (3600, "hour"), (60, "minute")):
        if seconds >= size and seconds % size == 0:
            n = int(seconds // size)
            return f"{n} {unit}{'' if n == 1 else 's'}"
    return f"{seconds:g} seconds"


def _user_namespace() -> dict[str, Any]:
    from IPython import get_ipython

    shell = get_ipython()
    if shell is None:
        raise RuntimeError("There is no IPython shell to put the files in; use .selected_items.")
    ns: dict[str, Any] = shell.user_ns
    return ns


def static_html(kind: str, columns: list[dict[str, Any]], rows: list[dict[str, Any]]) -> str:
    """The table as it stands, as escaped HTML: the widget's view without a widget manager."""
    head = "".join(f"<th>{html.escape(str(c.get('label', '')))}</th>" for c in columns)
    body = "".join(
        "<tr>"
        + "".join(
            f"<td>{html.escape('' if r.get(c['key']) is None else str(r.get(c['key'])))}</td>"
            for c in columns
        )
        + "</tr>"
        for r in rows
    )
    count = f"{len(rows)} {kind}" if rows else f"no {kind}"
    return (
        '<div class="gnb-browser-static" style="max-width:100%;overflow-x:auto">'
        f'<div style="color:#666;font-size:90%">Your {html.escape(kind)}: {count} '
        "(a saved view: the actions need a running kernel)</div>"
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
    )
