"""Notebook widgets (anywidget): their Python classes and where their front-end files live.

>>> from gemini_nb.notebook.widgets import ChatWidget    # doctest: +SKIP
>>> ChatWidget(model="gemini-2.5-flash")                 # doctest: +SKIP

Importing this package is cheap; ``anywidget`` is imported with the first widget class.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .browser import CachesBrowser, FilesBrowser
    from .chat import ChatWidget
    from .gallery import GalleryWidget
    from .jobs import BatchMonitor, TuningMonitor
    from .music import MusicWidget
    from .stores import StoresBrowser
    from .upload import UploadWidget
    from .voice import VoiceWidget

__all__ = [
    "BatchMonitor",
    "CachesBrowser",
    "ChatWidget",
    "FilesBrowser",
    "GalleryWidget",
    "MusicWidget",
    "StoresBrowser",
    "TuningMonitor",
    "UploadWidget",
    "VoiceWidget",
    "static_path",
]

# Each widget class is imported (with anywidget) only when it is first asked for.
_LAZY = {
    "ChatWidget": ".chat",
    "UploadWidget": ".upload",
    "FilesBrowser": ".browser",
    "CachesBrowser": ".browser",
    "GalleryWidget": ".gallery",
    "StoresBrowser": ".stores",
    "VoiceWidget": ".voice",
    "MusicWidget": ".music",
    "BatchMonitor": ".jobs",
    "TuningMonitor": ".jobs",
}

_NOTEBOOK_DIR = Path(__file__).resolve().parents[1]


def static_path(name: str) -> Path:
    """The front-end file ``name`` (e.g. ``"chat.js"``).

    A wheel carries the repository's ``widgets/`` folder as ``gemini_nb/notebook/static/``;
    an editable install only has the repository's own ``widgets/`` folder.
    """
    candidates = (_NOTEBOOK_DIR / "static" / name, _NOTEBOOK_DIR.parents[1] / "widgets" / name)
    for path in candidates:
        if path.is_file():
            return path
    looked = ", ".join(str(p) for p in candidates)
    raise FileNotFoundError(f"The widget file {name!r} is missing (looked in {looked}).")


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module, __name__), name)
