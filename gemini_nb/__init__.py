"""gemini-nb: the Gemini API from a notebook.

>>> from gemini_nb import Client
>>> client = Client()  # GEMINI_API_KEY, or GOOGLE_GEMINI_BASE_URL for the local emulator
>>> client.models.generate_content(model="gemini-2.5-flash", contents="Hi").text  # doctest: +SKIP

In IPython: ``%load_ext gemini_nb`` for the ``%%gemini`` magics.

Importing this package loads nothing heavy: the client, types, notebook layer and emulator are
imported when first used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._version import __version__

if TYPE_CHECKING:
    from . import types
    from ._client import AsyncClient, Client
    from ._exceptions import (
        APIConnectionError,
        APIError,
        APIResponseError,
        APIStatusError,
        APITimeoutError,
        AuthenticationError,
        BadRequestError,
        ConfigurationError,
        ConflictError,
        FileProcessingError,
        FunctionCallingError,
        GeminiError,
        InvalidInputError,
        LiveConnectionClosed,
        LiveResumptionError,
        LiveSessionClosedError,
        LiveSetupError,
        NotFoundError,
        OperationError,
        PermissionDeniedError,
        RateLimitError,
        ServerError,
        WaitTimeoutError,
    )
    from ._pager import AsyncPager, Pager
    from ._streaming import AsyncStream, Stream
    from .notebook.widgets.browser import CachesBrowser, FilesBrowser
    from .notebook.widgets.chat import ChatWidget
    from .notebook.widgets.gallery import GalleryWidget
    from .notebook.widgets.jobs import BatchMonitor, TuningMonitor
    from .notebook.widgets.music import MusicWidget
    from .notebook.widgets.stores import StoresBrowser
    from .notebook.widgets.upload import UploadWidget
    from .notebook.widgets.voice import VoiceWidget
    from .resources.chats import AsyncChat, Chat
    from .tokens import LocalTokenizer, TokenizerError, estimate_cost
    from .types import AsyncBatchJob, AsyncOperation, BatchJob, CachedContent, File, Operation

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIResponseError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncBatchJob",
    "AsyncChat",
    "AsyncClient",
    "AsyncOperation",
    "AsyncPager",
    "AsyncStream",
    "AuthenticationError",
    "BadRequestError",
    "BatchJob",
    "BatchMonitor",
    "CachedContent",
    "CachesBrowser",
    "Chat",
    "ChatWidget",
    "Client",
    "ConfigurationError",
    "ConflictError",
    "File",
    "FileProcessingError",
    "FilesBrowser",
    "FunctionCallingError",
    "GalleryWidget",
    "GeminiError",
    "InvalidInputError",
    "LiveConnectionClosed",
    "LiveResumptionError",
    "LiveSessionClosedError",
    "LiveSetupError",
    "LocalTokenizer",
    "MusicWidget",
    "NotFoundError",
    "Operation",
    "OperationError",
    "Pager",
    "PermissionDeniedError",
    "RateLimitError",
    "ServerError",
    "StoresBrowser",
    "Stream",
    "TokenizerError",
    "TuningMonitor",
    "UploadWidget",
    "VoiceWidget",
    "WaitTimeoutError",
    "__version__",
    "estimate_cost",
    "load_ipython_extension",
    "types",
    "unload_ipython_extension",
]

_LAZY = {
    "Client": "._client",
    "AsyncClient": "._client",
    "ChatWidget": ".notebook.widgets.chat",
    "UploadWidget": ".notebook.widgets.upload",
    "FilesBrowser": ".notebook.widgets.browser",
    "GalleryWidget": ".notebook.widgets.gallery",
    "CachesBrowser": ".notebook.widgets.browser",
    "StoresBrowser": ".notebook.widgets.stores",
    "VoiceWidget": ".notebook.widgets.voice",
    "MusicWidget": ".notebook.widgets.music",
    "BatchMonitor": ".notebook.widgets.jobs",
    "TuningMonitor": ".notebook.widgets.jobs",
    **dict.fromkeys(("LocalTokenizer", "TokenizerError", "estimate_cost"), ".tokens"),
    "types": ".types",
    "Pager": "._pager",
    "AsyncPager": "._pager",
    "Stream": "._streaming",
    "AsyncStream": "._streaming",
    "Chat": ".resources.chats",
    "AsyncChat": ".resources.chats",
    **{
        name: ".types"
        for name in (
            "AsyncBatchJob",
            "AsyncOperation",
            "BatchJob",
            "CachedContent",
            "File",
            "Operation",
        )
    },
    **{
        name: "._exceptions"
        for name in (
            "APIConnectionError",
            "APIError",
            "APIResponseError",
            "APIStatusError",
            "APITimeoutError",
            "AuthenticationError",
            "BadRequestError",
            "ConfigurationError",
            "ConflictError",
            "FileProcessingError",
            "FunctionCallingError",
            "GeminiError",
            "InvalidInputError",
            "LiveConnectionClosed",
            "LiveResumptionError",
            "LiveSessionClosedError",
            "LiveSetupError",
            "NotFoundError",
            "OperationError",
            "PermissionDeniedError",
            "RateLimitError",
            "ServerError",
            "WaitTimeoutError",
        )
    },
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'gemini_nb' has no attribute {name!r}")
    import importlib

    mod = importlib.import_module(module, __name__)
    value = mod if name == "types" else getattr(mod, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext gemini_nb``: register the ``%gemini`` / ``%%gemini`` magics."""
    from .notebook import load_ipython_extension as load

    load(ipython)


def unload_ipython_extension(ipython: Any) -> None:
    from .notebook import unload_ipython_extension as unload

    unload(ipython)
