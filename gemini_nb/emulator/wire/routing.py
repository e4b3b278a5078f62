"""Discovery routing: every API request finds its method in the API's Discovery document.

A backend serves a method by its Discovery id::

    @serves("files.get")
    async def get_file(ctx: Ctx) -> dict[str, Any]:
        return files(ctx).get(ctx.params["name"]).to_json()

There is no hand-kept route table: the URL is matched against the document's path templates
(:func:`~gemini_nb.emulator.wire.schema.find_method`), the body is validated against the
method's request schema, and a method that no backend serves is answered ``501 UNIMPLEMENTED``
as Google's front end answers a method it does not implement. The few URLs the real server
answers that the document does not describe (a file download, an upload session) are
registered with :func:`extra_route`.

Adding an API noun means adding a module under ``backends/``; it is imported by
:func:`load_backends` and registers itself.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from starlette.datastructures import QueryParams
from starlette.requests import Request

from . import schema as _schema
from .errors import EmulatorError
from .faults import Fault

if TYPE_CHECKING:
    from ..backends.state import Store
    from .app import EmulatorApp

__all__ = [
    "Ctx",
    "Handler",
    "current",
    "enter",
    "extra_route",
    "find_extra",
    "handler_for",
    "load_backends",
    "serves",
]

Handler = Callable[["Ctx"], Awaitable[Any]]

_HANDLERS: dict[str, Handler] = {}
_EXTRA: list[tuple[str, re.Pattern[str], Handler]] = []
_LOADED = False

# The largest JSON request body the API takes (its inline-data limit, 100 MB since 2026-01).
MAX_BODY_BYTES = 100 * 1024 * 1024


def serves(method_id: str) -> Callable[[Handler], Handler]:
    """Register the handler of Discovery method ``method_id`` (e.g. ``"files.get"``)."""
    known = {m.id for m in _schema.method_table()}
    if method_id not in known:
        raise ValueError(f"{method_id!r} is not a method of the Discovery document")

    def register(fn: Handler) -> Handler:
        if method_id in _HANDLERS:
            raise ValueError(f"{method_id} is served twice")
        _HANDLERS[method_id] = fn
        return fn

    return register


def extra_route(http_method: str, pattern: str) -> Callable[[Handler], Handler]:
    """Register a handler for a URL the Discovery document does not describe.

    ``pattern`` is a regex over the whole path; its named groups become ``ctx.params``.
    """
    compiled = re.compile(pattern)

    def register(fn: Handler) -> Handler:
        _EXTRA.append((http_method.upper(), compiled, fn))
        return fn

    return register


def load_backends() -> None:
    """Import every backend module once, so that each registers what it serves."""
    global _LOADED
    if _LOADED:
        return
    from .. import backends

    for info in pkgutil.iter_modules(backends.__path__):
        importlib.import_module(f"{backends.__name__}.{info.name}")
    _LOADED = True


def handler_for(method_id: str) -> Handler | None:
    return _HANDLERS.get(method_id)


def served_methods() -> frozenset[str]:
    load_backends()
    return frozenset(_HANDLERS)


def find_extra(http_method: str, path: str) -> tuple[Handler, dict[str, str]] | None:
    for verb, pattern, fn in _EXTRA:
        if verb == http_method:
            m = pattern.fullmatch(path)
            if m:
                return fn, m.groupdict()
    return None


@dataclass
class Ctx:
    """What a handler gets: the request, its Discovery method and path parameters, the store."""

    app: EmulatorApp
    request: Request
    path: str
    version: str
    params: dict[str, str]
    method: _schema.MethodSpec | None = None
    upload: str | None = None  # "resumable" / "simple" on a media-upload path
    fault: Fault | None = None
    _raw: bytes | None = field(default=None, repr=False)

    @property
    def store(self) -> Store:
        return self.app.store

    @property
    def query(self) -> QueryParams:
        return self.request.query_params

    @property
    def now(self) -> float:
        return self.app.store.clock.time()

    async def raw(self, limit: int = MAX_BODY_BYTES) -> bytes:
        """The whole request body, refused past ``limit`` bytes without reading the rest."""
        if self._raw is None:
            declared = self.request.headers.get("content-length")
            if declared is not None and declared.isdigit() and int(declared) > limit:
                raise too_large(limit)
            chunks: list[bytes] = []
            size = 0
            async for chunk in self.request.stream():
                size += len(chunk)
                if size > limit:
                    raise too_large(limit)
                chunks.append(chunk)
            self._raw = b"".join(chunks)
        return self._raw

    async def json(self) -> Any:
        """The body parsed as the real server parses it (strict JSON, Google's syntax errors)."""
        body = await self.raw()
        return _schema.parse_json_body(body) if body.strip() else {}

    async def body(self, schema_name: str | None = None) -> dict[str, Any]:
        """The body validated against the method's request schema (or ``schema_name``)."""
        payload = await self.json()
        name = schema_name or (self.method.request if self.method else None)
        if name is None:
            return payload if isinstance(payload, dict) else {}
        skip = self.method.skip_required if self.method else ()
        return _schema.validate(name, payload, skip_required=skip)

    def page(self, default_size: int, max_size: int = 1000) -> tuple[int, int]:
        """``(offset, size)`` from ``pageSize`` / ``pageToken``, checked as the real API does."""
        text = self.query.get("pageSize")
        try:
            size = int(text) if text else default_size
        except ValueError:
            raise EmulatorError(
                400, f"Invalid value at 'page_size' (TYPE_INT32), \"{text}\""
            ) from None
        if size < 0:
            raise EmulatorError(400, "page_size must not be negative")
        size = min(size or default_size, max_size)
        return decode_page_token(self.query.get("pageToken")), size


# The request being answered, for code below the handler that needs the store without being
# handed it (the model resolving a fileData part to an uploaded file). Each request is its own
# task, so concurrent requests each see their own.
_CURRENT: ContextVar[Ctx | None] = ContextVar("gemini_nb_emulator_ctx", default=None)


def current() -> Ctx | None:
    """The :class:`Ctx` of the request being answered in this task, if any."""
    return _CURRENT.get()


def enter(ctx: Ctx) -> None:
    """Make ``ctx`` the request this task is answering."""
    _CURRENT.set(ctx)


def too_large(limit: int) -> EmulatorError:
    return EmulatorError(400, f"Request payload size exceeds the limit: {limit} bytes.")


def encode_page_token(offset: int) -> str:
    import base64

    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()


def decode_page_token(token: str | None) -> int:
    if not token:
        return 0
    import base64

    try:
        text = base64.urlsafe_b64decode(token.encode()).decode()
        prefix, _, value = text.partition(":")
        if prefix != "offset":
            raise ValueError
        return max(0, int(value))
    except ValueError:
        raise EmulatorError(400, "Invalid page token.") from None


def paged(items: list[Any], key: str, offset: int, size: int) -> dict[str, Any]:
    """One page of ``items`` (already JSON) under ``key``, with ``nextPageToken`` if more."""
    page = items[offset : offset + size]
    data: dict[str, Any] = {key: page} if page else {}
    if offset + size < len(items):
        data["nextPageToken"] = encode_page_token(offset + size)
    return data
