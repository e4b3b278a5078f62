"""A browser for your file search stores: the stores, the documents of the one you open,
the chunks retrieval finds in a document, and a question asked over the store.

>>> from gemini_nb.notebook.widgets import StoresBrowser   # doctest: +SKIP
>>> stores = StoresBrowser()                               # doctest: +SKIP
>>> stores.open_store("fileSearchStores/handbook-123abc")  # doctest: +SKIP
>>> stores.ask("How many days of leave do we get?")        # doctest: +SKIP

It is the files and caches browser (:mod:`.browser`) for stores: a table to sort, filter and
select, Refresh and Delete (with the store's documents: ``force``). Opening a store (click
its row, or :meth:`StoresBrowser.open_store`) lists its documents below; they can be deleted, or
looked into: :meth:`StoresBrowser.chunks` shows the passages of a document that file search
retrieves for the document's own name (the API has no call that lists a document's chunks,
so this is what retrieval sees of it). :meth:`StoresBrowser.ask` asks the model with the
``file_search`` tool over the open store and shows the answer with its citations: the
document and the passage behind each.

The protocol with ``widgets/stores.js``, besides the browser's (``columns``, ``rows``,
``selected``, ``busy``, ``status``, ``error``, the ``refresh`` and ``delete`` actions):

* synced traits: ``store`` (the open store's name), ``doc_columns``, ``doc_rows``,
  ``doc_selected`` (set by the browser), ``chunks`` (``{"document", "title", "items": [{"page",
  "text"}]}``), ``question``, ``answer`` (``{"text", "citations": [{"n", "title", "page",
  "passage"}]}``), ``model``.
* browser → kernel: ``{"type": "action", "action": "open" | "delete_documents" | "chunks" |
  "ask", "names": [...], "question": "..."}``.

Model output is sent as text and shown as text; no key is in a trait or a message.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import traitlets

from . import static_path
from .browser import _ResourceBrowser, frame_rows

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["StoresBrowser"]

MAX_QUESTION = 4000
CHUNKS_TOP_K = 20
_DOC_TYPES = {"size_bytes": "bytes", "create_time": "time", "update_time": "time"}
_DOC_LABELS = {
    "display_name": "document",
    "mime_type": "type",
    "size_bytes": "size",
    "create_time": "created",
    "update_time": "updated",
}


def _css() -> str:
    return static_path("browser.css").read_text() + static_path("stores.css").read_text()


class StoresBrowser(_ResourceBrowser):
    """Your file search stores: open one to see its documents, look into a document's chunks,
    ask a question over it, delete stores or documents."""

    _esm = static_path("stores.js")
    _css = _css()  # type: ignore[assignment]  # both style sheets, as one string

    _kind = "stores"
    _noun = ("store", "stores")
    _column_types = {
        "active_documents_count": "number",
        "pending_documents_count": "number",
        "failed_documents_count": "number",
        "size_bytes": "bytes",
        "create_time": "time",
        "update_time": "time",
    }
    _labels = {
        "display_name": "display name",
        "active_documents_count": "active",
        "pending_documents_count": "pending",
        "failed_documents_count": "failed",
        "size_bytes": "size",
        "embedding_model": "embedding model",
        "create_time": "created",
        "update_time": "updated",
    }

    store = traitlets.Unicode("").tag(sync=True)
    doc_columns = traitlets.List(traitlets.Dict()).tag(sync=True)
    doc_rows = traitlets.List(traitlets.Dict()).tag(sync=True)
    doc_selected = traitlets.List(traitlets.Unicode()).tag(sync=True)
    chunks = traitlets.Dict().tag(sync=True)
    question = traitlets.Unicode("").tag(sync=True)
    answer = traitlets.Dict().tag(sync=True)
    model = traitlets.Unicode("gemini-2.5-flash").tag(sync=True)

    def __init__(
        self, *, client: Any = None, model: str = "gemini-2.5-flash", **kwargs: Any
    ) -> None:
        self._documents: dict[str, Any] = {}
        super().__init__(client=client, model=model, **kwargs)

    def __repr__(self) -> str:
        open_ = f", open={self.store!r}" if self.store else ""
        return f"StoresBrowser(stores={len(self.rows)}, selected={len(self.selected)}{open_})"

    # -- the stores ------------------------------------------------------------------------------

    def _list(self) -> Iterable[Any]:
        return self.client().file_search_stores.list()

    def _item_type(self) -> Any:
        from ...types import FileSearchStore

        return FileSearchStore

    def _delete_one(self, name: str) -> None:
        self.client().file_search_stores.delete(name=name, force=True)

    def refresh(self) -> pd.DataFrame:
        df = super().refresh()
        store = getattr(self, "store", "")
        if store:
            if store in self._items:
                self._load_documents(store)
            else:  # deleted: close it
                with self.hold_sync():
                    self.store = ""
                    self.doc_rows = []
                    self.doc_selected = []
                    self.chunks = {}
                    self.answer = {}
        return df

    # -- the open store --------------------------------------------------------------------------

    @property
    def documents(self) -> pd.DataFrame:
        """The open store's documents as a DataFrame."""
        if not self.store:
            raise ValueError("Open a store first (click its row, or .open_store(name)).")
        return self._load_documents(self.store)

    def open_store(self, name: str) -> pd.DataFrame:
        """Show the documents of store ``name``; their DataFrame."""
        from ...resources.file_search_stores import store_name

        full = store_name(name)
        df = self._load_documents(full)
        with self.hold_sync():
            self.store = full
            self.chunks = {}
            self.answer = {}
            self.status = ""
            self.error = ""
        return df

    def _load_documents(self, name: str) -> pd.DataFrame:
        from ..._pager import _frame
        from ...types import Document

        docs = list(self.client().file_search_stores.documents.list(parent=name))
        df = _frame(docs, Document)
        # Rows are keyed by the document's name; the table shows its display name instead of
        # the long resource name.
        columns = [
            {
                "key": str(c),
                "label": _DOC_LABELS.get(str(c), str(c).replace("_", " ")),
                "type": _DOC_TYPES.get(str(c), "text"),
            }
            for c in df.columns
            if c != "name"
        ]
        rows = frame_rows(df)
        for row, doc in zip(rows, docs, strict=True):
            row["metadata"] = ", ".join(
                f"{k}={', '.join(v) if isinstance(v, list) else _number(v)}"
                for k, v in doc.metadata.items()
            )
        with self._lock:
            self._documents = {d.name: d for d in docs if d.name}
        with self.hold_sync():
            self.doc_columns = columns
            self.doc_rows = rows
            self.doc_selected = [n for n in self.doc_selected if n in self._documents]
        return df.copy()

    def delete_documents(self, names: Iterable[str] | None = None) -> list[str]:
        """Delete the given (by default the selected) documents of the open store."""
        chosen = list(self.doc_selected if names is None else names)
        if not chosen:
            raise ValueError("Select one or more documents first (or pass names=[...]).")
        done, failures = self._each(
            chosen, lambda n: self.client().file_search_stores.documents.delete(name=n, force=True)
        )
        word = "document" if len(done) == 1 else "documents"
        self._report(f"Deleted {len(done)} {word}.", failures)
        return done

    def chunks_of(self, document: str) -> list[dict[str, Any]]:
        """The passages of ``document`` that file search retrieves for its name (up to 20)."""
        doc = self._documents.get(document)
        if doc is None or not self.store:
            raise ValueError(f"{document!r} is not a document of the open store.")
        title = doc.display_name or document.rsplit("/", 1)[-1]
        response = self.client().models.generate_content(
            model=self.model,
            contents=title,
            config={
                "tools": [
                    {
                        "file_search": {
                            "file_search_store_names": [self.store],
                            "top_k": CHUNKS_TOP_K,
                        }
                    }
                ]
            },
        )
        items = []
        for chunk in _grounding_chunks(response):
            ctx = chunk.retrieved_context
            if ctx is None or not (ctx.uri == document or (ctx.uri is None and ctx.title == title)):
                continue
            items.append({"page": ctx.page_number, "text": ctx.text or ""})
        self.chunks = {"document": document, "title": title, "items": items}
        self.status = (
            f"{len(items)} chunk{'' if len(items) == 1 else 's'} of {title} retrieved for its name."
        )
        self.error = ""
        return items

    def ask(self, question: str) -> Any:
        """Ask ``question`` with file search over the open store; the response (also shown)."""
        text = question.strip()
        if not text:
            raise ValueError("Write a question first.")
        if len(text) > MAX_QUESTION:
            raise ValueError(f"The question is longer than {MAX_QUESTION} characters.")
        if not self.store:
            raise ValueError("Open a store first (click its row, or .open_store(name)).")
        response = self.client().models.generate_content(
            model=self.model,
            contents=text,
            config={"tools": [{"file_search": {"file_search_store_names": [self.store]}}]},
        )
        from .._session import session

        session.record(self.model, response.usage_metadata)
        citations = []
        numbers: dict[Any, int] = {}
        chunks = _grounding_chunks(response)
        for cite in response.citations():
            for chunk in cite.sources:
                ctx = chunk.retrieved_context
                if ctx is None:
                    continue
                key = (ctx.uri, ctx.text)
                if key not in numbers:
                    numbers[key] = len(numbers) + 1
                    citations.append(
                        {
                            "n": numbers[key],
                            "title": ctx.title or ctx.uri or "",
                            "page": ctx.page_number,
                            "passage": ctx.text or "",
                            "sentence": cite.text,
                        }
                    )
        with self.hold_sync():
            self.question = text
            self.answer = {
                "text": response.text or "",
                "citations": citations,
                "retrieved": len(chunks),
            }
            self.status = ""
            self.error = ""
        return response

    def _handlers(self) -> dict[str, Callable[[list[str], dict[str, Any]], Any]]:
        def open_store(names: list[str], msg: dict[str, Any]) -> Any:
            if names:
                return self.open_store(names[0])
            return None

        def ask(names: list[str], msg: dict[str, Any]) -> Any:
            question = msg.get("question")
            return self.ask(question if isinstance(question, str) else "")

        def chunks(names: list[str], msg: dict[str, Any]) -> Any:
            if not names:
                raise ValueError("Choose a document first.")
            return self.chunks_of(names[0])

        return {
            **super()._handlers(),
            "open": open_store,
            "ask": ask,
            "chunks": chunks,
            "delete_documents": lambda names, msg: self.delete_documents(names),
        }


def _number(value: Any) -> str:
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    return str(value)


def _grounding_chunks(response: Any) -> list[Any]:
    cands = response.candidates or []
    meta = cands[0].grounding_metadata if cands else None
    return list(meta.grounding_chunks or []) if meta is not None else []
