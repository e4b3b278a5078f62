"""File search stores from a notebook: build one from a folder with one progress bar, see
stores and documents as DataFrames, and find the store ``%%gemini --store NAME`` means.

>>> from gemini_nb.notebook.stores import build_store, stores_frame   # doctest: +SKIP
>>> result = build_store("handbook/", display_name="Handbook")       # doctest: +SKIP
>>> stores_frame()                                                  # doctest: +SKIP

The work is the core's (``client.file_search_stores.upload_folder``); this module only shows
it: one bar for the whole folder (uploading counts for 80 %, processing for the rest) with the
file being sent, then a line that says what was made, left out and failed.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from .._exceptions import InvalidInputError
from ._session import session

if TYPE_CHECKING:
    import pandas as pd

    from ..resources.file_search_stores import FolderProgress, FolderUpload
    from ..types import FileSearchStore

__all__ = ["FolderBar", "build_store", "documents_frame", "resolve_store", "stores_frame"]


def stores_frame(client: Any = None) -> pd.DataFrame:
    """Your file search stores, one row each (name, counts, size, times)."""
    c = client if client is not None else session.client()
    return c.file_search_stores.list().to_pandas()


def documents_frame(store: Any, client: Any = None) -> pd.DataFrame:
    """A store's documents, one row each (name, state, type, size, metadata, times)."""
    c = client if client is not None else session.client()
    return c.file_search_stores.documents.list(parent=store).to_pandas()


class FolderBar:
    """The one progress bar of a folder upload: a percentage, the file being sent, counts."""

    def __init__(self, label: str, *, enabled: bool = True) -> None:
        from .._progress import make_bar

        self._bar = make_bar(total=100, desc=label, unit="%", enabled=enabled)

    def __call__(self, state: FolderProgress) -> None:
        if state.current is not None:
            text = f"{state.files_uploaded}/{state.files_total} files · {state.current}"
        else:
            text = f"processing · {state.documents_ready}/{state.files_total} ready"
        self._bar.set_postfix(text)
        self._bar.set_count(int(state.fraction * 100))

    def close(self) -> None:
        self._bar.close()


def build_store(
    folder: str | os.PathLike[str],
    *,
    display_name: str | None = None,
    store: str | FileSearchStore | None = None,
    custom_metadata: Callable[[Any], Any] | Mapping[str, Any] | None = None,
    chunking_config: Any = None,
    recursive: bool = True,
    progress: bool = True,
    client: Any = None,
) -> FolderUpload:
    """Upload every file of ``folder`` that file search takes into ``store`` (a new store named
    ``display_name``, by default the folder's name, when none is given), with one progress
    bar; waits until the documents are ready and returns what was made and left out.
    """
    c = client if client is not None else session.client()
    if not isinstance(folder, (str, os.PathLike)) or not os.path.isdir(folder):
        raise InvalidInputError(
            f"{folder!r} is not a folder (relative paths start at {os.getcwd()!r})."
        )
    if store is None:
        name = display_name or os.path.basename(os.path.abspath(folder)) or "documents"
        store = c.file_search_stores.create(display_name=name)
    bar = FolderBar(f"store {os.path.basename(os.path.abspath(folder))}", enabled=progress)
    try:
        result: FolderUpload = c.file_search_stores.upload_folder(
            file_search_store_name=store,
            folder=folder,
            recursive=recursive,
            custom_metadata=custom_metadata,
            chunking_config=chunking_config,
            progress=bar,
        )
    finally:
        bar.close()
    return result


def resolve_store(spec: str, client: Any = None) -> str:
    """The store ``--store`` names: a full name, an id, or a display name (unique)."""
    text = spec.strip()
    if text.startswith("fileSearchStores/"):
        return text
    c = client if client is not None else session.client()
    stores = list(c.file_search_stores.list())
    by_id = [s for s in stores if s.name == f"fileSearchStores/{text}"]
    if by_id:
        return str(by_id[0].name)
    named = [s for s in stores if s.display_name == text]
    if len(named) == 1:
        return str(named[0].name)
    if len(named) > 1:
        raise InvalidInputError(
            f"{len(named)} stores are called {text!r}; pass the name of one "
            f"({', '.join(str(s.name) for s in named)})."
        )
    known = ", ".join(repr(s.display_name or s.name) for s in stores[:8]) or "none yet"
    raise InvalidInputError(
        f"No file search store is called {text!r} (yours: {known}); %gemini stores lists them."
    )
