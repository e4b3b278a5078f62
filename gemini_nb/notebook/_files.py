"""Files and caches for the magics: ``%gemini files`` / ``%gemini caches`` as DataFrames,
``--cache NAME`` resolved to a cache, ``-f`` values that name attributes (``-f up.files``),
and attachments too large to send inline, uploaded through the Files API with a progress bar.

A request body is limited to 100 MB by the API, and the client refuses a single inline part
above :data:`UPLOAD_THRESHOLD` (20 MiB, ``gemini_nb._convert.INLINE_LIMIT``). So ``-f`` with
a larger file (or a larger ``bytes`` variable) uploads it first (``client.files.upload``,
resumable, 8 MiB at a time) and puts the File in the prompt; files up to the threshold are
sent inline, as before. An uploaded file stays in your Files list for 48 hours
(``%gemini files``).
"""

from __future__ import annotations

import html
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._convert import INLINE_LIMIT

if TYPE_CHECKING:
    import pandas as pd

    from ..types import CachedContent, File

__all__ = [
    "MISSING",
    "UPLOAD_THRESHOLD",
    "CacheLookupError",
    "UploadProgress",
    "caches_frame",
    "dotted_value",
    "files_frame",
    "format_size",
    "resolve_cache",
    "upload_if_large",
]

#: ``-f`` attachments larger than this (bytes) go through the Files API.
UPLOAD_THRESHOLD = INLINE_LIMIT
MISSING = object()


class CacheLookupError(ValueError):
    """``--cache NAME`` names no cache you have; the magic shows it as a UsageError."""


def files_frame(client: Any) -> pd.DataFrame:
    """Your files, newest first (``client.files.list().to_pandas()``)."""
    return client.files.list().to_pandas()


def caches_frame(client: Any) -> pd.DataFrame:
    """Your caches (``client.caches.list().to_pandas()``)."""
    return client.caches.list().to_pandas()


def dotted_value(spec: str, ns: dict[str, Any]) -> Any:
    """``up.files`` -> ``ns["up"].files``; ``MISSING`` when ``spec`` is no such name."""
    head, *attrs = spec.split(".")
    if not attrs or not all(part.isidentifier() for part in (head, *attrs)) or head not in ns:
        return MISSING
    value = ns[head]
    for attr in attrs:
        value = getattr(value, attr, MISSING)
        if value is MISSING:
            return MISSING
    return value


def resolve_cache(spec: str, ns: dict[str, Any], client: Any) -> CachedContent:
    """The cache ``--cache`` names: a variable holding a CachedContent (or its name), or a
    cache's name (``cachedContents/abc``) or id. A name is looked up, which also tells its
    model; an unknown or expired one is a :class:`CacheLookupError`."""
    from .._convert import cache_name
    from .._exceptions import InvalidInputError, NotFoundError, PermissionDeniedError
    from ..types import CachedContent

    value = ns.get(spec, MISSING) if spec.isidentifier() else dotted_value(spec, ns)
    if isinstance(value, CachedContent) and value.name and value.model:
        return value
    target = value if value is not MISSING else spec
    try:
        name = cache_name(target)
    except InvalidInputError as exc:
        raise CacheLookupError(f"--cache {spec}: {exc}") from None
    try:
        found: CachedContent = client.caches.get(name=name)
    except (PermissionDeniedError, NotFoundError):
        raise CacheLookupError(
            f"--cache {spec}: there is no cache {name} (it may have expired); "
            "%gemini caches lists yours."
        ) from None
    return found


def format_size(n: int) -> str:
    """``1536`` -> ``"1.5 KB"`` (powers of 1000, as file browsers show them)."""
    size = float(n)
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{int(size)} bytes" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1000
    raise AssertionError("unreachable")


def bare_model(name: str | None) -> str:
    return (name or "").removeprefix("models/")


# ------------------------------------------------------------------ large attachments


def _size_of(part: Any) -> int | None:
    if isinstance(part, (bytes, bytearray, memoryview)):
        return memoryview(part).nbytes
    if isinstance(part, os.PathLike):
        try:
            return os.path.getsize(part)
        except OSError:
            return None
    return None


def upload_if_large(
    label: str, part: Any, client: Any, *, show: Callable[[Any], Any] | None = None
) -> Any:
    """``part`` itself, or (a path or bytes above :data:`UPLOAD_THRESHOLD`) the File it was
    uploaded as, with a progress bar shown while it goes."""
    size = _size_of(part)
    if size is None or size <= UPLOAD_THRESHOLD:
        return part
    name = Path(os.fspath(part)).name if isinstance(part, os.PathLike) else label
    progress = UploadProgress(name, size, show=show)
    try:
        file = client.files.upload(
            file=part if isinstance(part, os.PathLike) else bytes(part),
            display_name=name,
            progress=progress.update,
        )
    except BaseException as exc:
        progress.fail(exc)
        raise
    progress.done(file)
    return file


class UploadProgress:
    """A progress bar in the cell's output while ``-f`` uploads a large file, then one line
    saying what it became (``Uploaded big.pdf (48.2 MB) as files/abc123.``)."""

    interval = 0.2  # seconds between two redraws

    def __init__(self, name: str, size: int, *, show: Callable[[Any], Any] | None = None) -> None:
        self.name, self.size = name, size
        self.sent = 0
        self.text = ""
        self._last = 0.0
        if show is None:
            from IPython.display import display

            self._handle = display(self, display_id=True)
            self._update: Callable[[Any], Any] = (
                self._handle.update if self._handle else (lambda obj: None)
            )
        else:
            self._handle = None
            self._update = show
            show(self)

    def _status(self) -> str:
        percent = int(100 * self.sent / self.size) if self.size else 100
        return (
            self.text
            or f"Uploading {self.name} ({format_size(self.size)}) to the Files API: {percent}%"
        )

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        status = self._status()
        bar = (
            ""
            if self.text
            else (
                f'<progress max="{self.size}" value="{self.sent}" style="width:16em;'
                'vertical-align:middle;margin-right:8px"></progress>'
            )
        )
        return {
            "text/plain": status,
            "text/html": f'<div class="gnb-upload-progress">{bar}{html.escape(status)}</div>',
        }

    def update(self, sent: int, total: int) -> None:
        self.sent, self.size = sent, total or self.size
        now = time.monotonic()
        if now - self._last >= self.interval or sent >= total:
            self._last = now
            self._update(self)

    def done(self, file: File) -> None:
        self.text = f"Uploaded {self.name} ({format_size(self.size)}) as {file.name}."
        self._update(self)

    def fail(self, exc: BaseException) -> None:
        what = "stopped" if isinstance(exc, KeyboardInterrupt) else "failed"
        self.text = (
            f"Upload of {self.name} ({format_size(self.size)}) {what} after "
            f"{format_size(self.sent)}."
        )
        self._update(self)
