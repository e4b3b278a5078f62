"""Media uploads, for every media-upload method of the Discovery document.

A backend registers what becomes of the bytes once they have all arrived::

    @on_upload("media.upload", max_size=2 * 1024**3)
    async def create_file(ctx: Ctx, upload: Upload) -> dict[str, Any]:
        ...  # upload.adopt() takes the blob; the answer is {"file": File}

and this module speaks the upload protocols on the method's upload paths
(``/upload/v1beta/files``, ``/resumable/upload/v1beta/files``, and the same under v1 / v1alpha).

**Resumable** (``X-Goog-Upload-Protocol: resumable``), as the real upload server speaks it
(recorded exchanges in ``ruby_llm`` and ``pydantic-ai``; the official SDK's ``_upload_fd``):

* ``start``: ``X-Goog-Upload-Command: start``, optional ``X-Goog-Upload-Header-Content-Length``
  (the declared total, then enforced), ``X-Goog-Upload-Header-Content-Type`` and
  ``X-Goog-Upload-File-Name``, the method's request JSON as body. Answer: 200, an empty
  ``text/plain`` body, ``X-Goog-Upload-Status: active``, ``X-Goog-Upload-URL`` and
  ``X-Goog-Upload-Control-URL`` (the start URL plus ``?upload_id=…&upload_protocol=resumable``)
  and ``X-Goog-Upload-Chunk-Granularity: 8388608``. The session lives a week on the clock.
* chunks: ``POST`` to the upload URL (no API key: the URL is the credential) with
  ``X-Goog-Upload-Command: upload`` or ``upload, finalize`` (or ``finalize`` alone) and
  ``X-Goog-Upload-Offset``. A chunk is answered ``active`` (empty body) or, on finalize,
  ``final`` with the method's answer (``{"file": File}``).
* ``query`` answers ``active`` with ``X-Goog-Upload-Size-Received`` (the committed size) and the
  granularity; on a finished upload it repeats the final answer. ``cancel`` answers
  ``cancelled`` and frees the bytes; every later command on it answers ``cancelled`` again.

Bytes go to a file in the store's blob area as they arrive (never held whole in memory), the
SHA-256 is computed as they pass, and a connection lost mid-chunk keeps what arrived: the client
queries and resumes from ``X-Goog-Upload-Size-Received``. A chunk starting below the committed
size is accepted and its overlap dropped; those re-sent bytes are counted per upload and in
total (:func:`stats`), so a test can prove a client never re-sends committed bytes.

Where no recording shows the real answer, the emulator answers like this (protocol errors are
plain text, as the upload server's are; errors of the API behind it are Google's JSON):

* a chunk whose offset is past the committed size: 400, ``active`` (query and resume);
* bytes beyond the declared total: 400, ``active``, nothing past the total kept; a finalize
  short of it: 400, ``active``;
* an unknown, expired or finished session: 400 ``Upload has already been terminated.``
  (the real text, e.g. for an expired session) with ``final``;
* a file over the method's ``maxSize`` (2 GB for ``media.upload``) or past the storage quota:
  Google's JSON error; during a chunk it ends the session (``final``).

**One request** (``X-Goog-Upload-Protocol: multipart`` / ``raw``, ``uploadType=multipart`` /
``media``, as Discovery clients send them): a ``multipart/related`` body (the request JSON, then
the media) or the raw media, parsed as it streams, answered with the method's answer.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response

from . import schema as _schema
from .errors import EmulatorError
from .framing import json_bytes
from .routing import Ctx, serves

if TYPE_CHECKING:
    from ..backends.state import Store

__all__ = [
    "CHUNK_GRANULARITY",
    "SESSION_LIFETIME",
    "Upload",
    "UploadCut",
    "is_session_request",
    "on_upload",
    "stats",
]

CHUNK_GRANULARITY = 8 * 1024 * 1024
SESSION_LIFETIME = 7 * 24 * 3600.0
# The Files API's storage per project (the Files API guide).
PROJECT_QUOTA = 20 * 1024**3
TERMINATED = "Upload has already been terminated."
_TEXT = "text/plain; charset=utf-8"
_JSON = "application/json; charset=UTF-8"
_MAX_METADATA = 1024 * 1024
# Sessions kept (a finished one answers queries for its week); past this the oldest finished
# ones, then the oldest of all, are forgotten.
MAX_SESSIONS = 10_000
_MAX_PART_HEADERS = 16 * 1024
_SESSION_PATH = re.compile(r"^/(?:resumable/)?upload/")

Completion = Callable[[Ctx, "Upload"], Awaitable[dict[str, Any]]]
Check = Callable[[Ctx, "Upload"], None]


class UploadCut(Exception):
    """Raised by a chunk handler to make the app drop the connection (an injected cut)."""


@dataclass(frozen=True)
class _Method:
    complete: Completion
    max_size: int
    check: Check | None


_METHODS: dict[str, _Method] = {}


def on_upload(
    method_id: str, *, max_size: int, check: Check | None = None
) -> Callable[[Completion], Completion]:
    """Serve ``method_id``'s upload paths; ``complete`` turns the finished upload into the answer.

    ``max_size`` is the method's Discovery ``mediaUpload.maxSize``. ``check`` runs on the
    metadata when an upload starts (and before completion), to refuse early what the method
    would refuse at the end.
    """

    def register(fn: Completion) -> Completion:
        _METHODS[method_id] = _Method(fn, max_size, check)
        serves(method_id)(_handle)
        return fn

    return register


@dataclass
class Upload:
    """One upload: its metadata, its bytes on disk, and where the protocol stands."""

    id: str
    method_id: str
    path: str  # the URL path uploads are sent to
    version: str
    params: dict[str, str]
    metadata: dict[str, Any]
    declared_size: int | None
    declared_type: str | None  # X-Goog-Upload-Header-Content-Type, or the media part's type
    file_name: str | None  # X-Goog-Upload-File-Name
    blob_key: str
    blob_path: Path
    started: float
    expires: float
    max_size: int
    committed: int = 0
    received: int = 0  # every byte of every chunk body, re-sent ones included
    resent: int = 0  # bytes that arrived again below the committed size
    reserved: int = 0  # bytes counted against the store for this upload
    status: str = "active"  # active / final / cancelled
    owns_blob: bool = True
    final: tuple[int, bytes, str] | None = field(default=None, repr=False)
    _hash: Any = field(default_factory=hashlib.sha256, repr=False)
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock, repr=False)

    @property
    def sha256_hex(self) -> str:
        return str(self._hash.hexdigest())

    def adopt(self) -> tuple[str, int]:
        """Hand the blob and its reservation to the caller: ``(blob_key, reserved bytes)``."""
        self.owns_blob = False
        reserved, self.reserved = self.reserved, 0
        return self.blob_key, reserved

    def to_json(self) -> dict[str, Any]:
        return {
            "uploadId": self.id,
            "method": self.method_id,
            "status": self.status,
            "sizeReceived": self.committed,
            "declaredSize": self.declared_size,
            "receivedBytes": self.received,
            "resentBytes": self.resent,
        }


class _Registry:
    """The store's upload sessions and the running totals."""

    def __init__(self) -> None:
        self.sessions: dict[str, Upload] = {}
        self.received = 0
        self.resent = 0


def _registry(store: Store) -> _Registry:
    with store.lock:
        coll = store.collection("uploads")
        found = coll.get("registry")
        if not isinstance(found, _Registry):
            found = coll["registry"] = _Registry()
        return found


def stats(store: Store) -> dict[str, Any]:
    """Bytes received and re-sent, in total and per live upload session."""
    reg = _registry(store)
    with store.lock:
        return {
            "receivedBytes": reg.received,
            "resentBytes": reg.resent,
            "uploads": [u.to_json() for u in reg.sessions.values()],
        }


def is_session_request(request: Request, path: str) -> bool:
    """A request to an upload session's URL (which carries its own credential)."""
    return "upload_id" in request.query_params and _SESSION_PATH.match(path) is not None


# ----------------------------------------------------------------------------- dispatch


async def _handle(ctx: Ctx) -> Response:
    method = _METHODS[ctx.method.id if ctx.method else ""]
    if ctx.upload is None:
        raise EmulatorError(
            400,
            f"{ctx.method.id if ctx.method else 'This method'} takes media: send it to "
            f"/upload{ctx.path} with the resumable, multipart or raw upload protocol.",
        )
    upload_id = ctx.query.get("upload_id")
    if upload_id is not None:
        return await _session_command(ctx, upload_id)
    protocol = (ctx.request.headers.get("x-goog-upload-protocol") or "").strip().lower()
    upload_type = (ctx.query.get("uploadType") or "").strip().lower()
    if protocol == "resumable":
        command = _commands(ctx.request)
        if command != {"start"}:
            return _text(400, "A resumable upload starts with X-Goog-Upload-Command: start.")
        return await _start(ctx, method)
    if protocol in ("multipart", "raw") or upload_type in ("multipart", "media"):
        multipart = protocol == "multipart" or (not protocol and upload_type == "multipart")
        return await _one_request(ctx, method, multipart=multipart, goog=bool(protocol))
    if upload_type == "resumable":
        raise EmulatorError(
            501,
            "uploadType=resumable (Location / Content-Range sessions) is not implemented by the "
            "gemini-nb emulator; use X-Goog-Upload-Protocol: resumable.",
        )
    return _text(
        400,
        "Missing upload protocol: set X-Goog-Upload-Protocol (resumable, multipart or raw) or "
        "uploadType.",
    )


def _commands(request: Request) -> set[str]:
    raw = request.headers.get("x-goog-upload-command") or ""
    return {c.strip().lower() for c in raw.split(",") if c.strip()}


def _text(status: int, body: str = "", headers: dict[str, str] | None = None) -> Response:
    return Response(body, status_code=status, media_type=_TEXT, headers=headers)


def _status_headers(upload: Upload, status: str | None = None) -> dict[str, str]:
    return {"x-goog-upload-status": status or upload.status, "x-guploader-uploadid": upload.id}


def _terminated() -> Response:
    return _text(400, TERMINATED, {"x-goog-upload-status": "final"})


# ----------------------------------------------------------------------------- start


async def _start(ctx: Ctx, method: _Method) -> Response:
    store = ctx.store
    _purge(store)
    headers = ctx.request.headers
    declared = _declared_size(headers.get("x-goog-upload-header-content-length"))
    if declared is not None and declared > method.max_size:
        raise _too_large(declared, method.max_size)
    metadata = await _metadata(ctx, await ctx.raw(_MAX_METADATA))
    now = ctx.now
    upload = _new_upload(ctx, method, metadata, declared, headers, now)
    if method.check is not None:
        method.check(ctx, upload)
    if declared:
        _reserve(store, declared)
        upload.reserved = declared
    upload.blob_path.touch()
    reg = _registry(store)
    with store.lock:
        evicted = _evictable(reg)
        for old in evicted:
            del reg.sessions[old.id]
        reg.sessions[upload.id] = upload
    for old in evicted:
        _discard(store, old)
    url = f"{str(ctx.request.base_url).rstrip('/')}{ctx.path}?upload_id={upload.id}"
    url += "&upload_protocol=resumable"
    return _text(
        200,
        "",
        {
            "x-goog-upload-status": "active",
            "x-goog-upload-url": url,
            "x-goog-upload-control-url": url,
            "x-goog-upload-chunk-granularity": str(CHUNK_GRANULARITY),
            "x-guploader-uploadid": upload.id,
        },
    )


def _new_upload(
    ctx: Ctx,
    method: _Method,
    metadata: dict[str, Any],
    declared: int | None,
    headers: Any,
    now: float,
) -> Upload:
    key = f"upload-{ctx.store.new_id(24)}"
    return Upload(
        id=_session_id(),
        method_id=ctx.method.id if ctx.method else "",
        path=ctx.path,
        version=ctx.version,
        params=dict(ctx.params),
        metadata=metadata,
        declared_size=declared,
        declared_type=_clean_type(headers.get("x-goog-upload-header-content-type")),
        file_name=headers.get("x-goog-upload-file-name") or None,
        blob_key=key,
        blob_path=ctx.store.blob_path(key),
        started=now,
        expires=now + SESSION_LIFETIME,
        max_size=method.max_size,
    )


def _session_id() -> str:
    # Unguessable, since the URL alone authorises the chunks; the real ids are ~100 characters.
    return "AE" + secrets.token_urlsafe(72)


def _declared_size(text: str | None) -> int | None:
    if text is None or not text.strip():
        return None
    value = text.strip()
    if not value.isdigit():
        raise EmulatorError(
            400, f"Invalid X-Goog-Upload-Header-Content-Length: {value!r} is not a byte count."
        )
    return int(value)


def _clean_type(text: str | None) -> str | None:
    if not text:
        return None
    return text.split(";", 1)[0].strip().lower() or None


async def _metadata(ctx: Ctx, raw: bytes) -> dict[str, Any]:
    """The request JSON of the upload, validated against the method's request schema."""
    payload = _parse_metadata(raw)
    name = ctx.method.request if ctx.method else None
    if name is None:
        return payload if isinstance(payload, dict) else {}
    skip = ctx.method.skip_required if ctx.method else ()
    return _schema.validate(name, payload, skip_required=skip)


def _parse_metadata(raw: bytes) -> Any:
    try:
        return _schema.parse_json_body(raw)
    except _schema.RequestInvalid:
        # The Files guide's curl sample sends {'file': {'display_name': ...}}: the upload
        # server's parser takes single-quoted strings.
        if b"'" not in raw:
            raise
        try:
            return _schema.parse_json_body(_double_quoted(raw.decode("utf-8", "replace")))
        except _schema.RequestInvalid:
            pass
        raise


_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"|\'((?:[^\'\\]|\\.)*)\'', re.S)


def _double_quoted(text: str) -> str:
    def swap(m: re.Match[str]) -> str:
        inner = m.group(1)
        if inner is None:
            return m.group(0)
        return json.dumps(re.sub(r"\\(.)", r"\1", inner))

    return _QUOTED.sub(swap, text)


# ----------------------------------------------------------------------------- session


def _purge(store: Store) -> None:
    """Forget sessions past their lifetime, with whatever bytes they still hold."""
    reg = _registry(store)
    now = store.clock.time()
    with store.lock:
        gone = [u for u in reg.sessions.values() if u.expires <= now]
        for u in gone:
            del reg.sessions[u.id]
    for u in gone:
        _discard(store, u)


def _evictable(reg: _Registry) -> list[Upload]:
    excess = len(reg.sessions) + 1 - MAX_SESSIONS
    if excess <= 0:
        return []
    ordered = sorted(reg.sessions.values(), key=lambda u: (u.status == "active", u.started))
    return ordered[:excess]


def _discard(store: Store, upload: Upload) -> None:
    if upload.reserved:
        store.release(upload.reserved)
        upload.reserved = 0
    if upload.owns_blob:
        upload.owns_blob = False
        upload.blob_path.unlink(missing_ok=True)


async def _session_command(ctx: Ctx, upload_id: str) -> Response:
    store = ctx.store
    _purge(store)
    with store.lock:
        upload = _registry(store).sessions.get(upload_id)
    if upload is None or upload.path != ctx.path:
        return _terminated()
    commands = _commands(ctx.request)
    if upload.status == "cancelled":
        return _text(200, "", _status_headers(upload))
    if commands == {"query"}:
        return _query(upload)
    if commands == {"cancel"}:
        if upload.status == "final":
            return _text(400, TERMINATED, _status_headers(upload))
        upload.status = "cancelled"
        _discard(store, upload)
        return _text(200, "", _status_headers(upload))
    if not commands or not commands <= {"upload", "finalize"}:
        shown = ctx.request.headers.get("x-goog-upload-command") or "(none)"
        return _text(400, f"Unknown X-Goog-Upload-Command: {shown}.", _status_headers(upload))
    async with upload._lock:
        if upload.status != "active":
            return _text(400, TERMINATED, _status_headers(upload))
        return await _chunk(ctx, upload, "upload" in commands, "finalize" in commands)


def _query(upload: Upload) -> Response:
    if upload.status == "final" and upload.final is not None:
        status, body, media = upload.final
        return Response(body, status_code=status, media_type=media, headers=_status_headers(upload))
    headers = _status_headers(upload)
    headers["x-goog-upload-size-received"] = str(upload.committed)
    headers["x-goog-upload-chunk-granularity"] = str(CHUNK_GRANULARITY)
    return _text(200, "", headers)


async def _chunk(ctx: Ctx, upload: Upload, has_data: bool, finalize: bool) -> Response:
    offset_text = (ctx.request.headers.get("x-goog-upload-offset") or "").strip()
    if not offset_text and has_data:
        return _text(400, "Missing X-Goog-Upload-Offset header.", _status_headers(upload))
    offset = upload.committed
    if offset_text:
        if not offset_text.isdigit():
            return _text(
                400, f"Invalid X-Goog-Upload-Offset: {offset_text!r}.", _status_headers(upload)
            )
        offset = int(offset_text)
    if offset > upload.committed:
        return _text(
            400,
            f"Invalid X-Goog-Upload-Offset {offset}: the upload has {upload.committed} bytes; "
            "query it and resume from X-Goog-Upload-Size-Received.",
            _status_headers(upload),
        )
    if has_data:
        failure = await _receive(ctx, upload, offset)
        if failure is not None:
            return failure
    if not finalize:
        return _text(200, "", _status_headers(upload))
    if upload.declared_size is not None and upload.committed != upload.declared_size:
        return _text(
            400,
            f"Final upload size ({upload.committed} bytes) does not match the declared "
            f"X-Goog-Upload-Header-Content-Length ({upload.declared_size} bytes).",
            _status_headers(upload),
        )
    return await _finish(ctx, upload)


async def _receive(ctx: Ctx, upload: Upload, offset: int) -> Response | None:
    """Store one chunk's bytes from ``offset``; a Response if the chunk cannot be taken whole."""
    store = ctx.store
    reg = _registry(store)
    skip = upload.committed - offset
    fault = ctx.app.faults.upload_cut(ctx.request.method, ctx.path, upload.committed)
    limit = upload.declared_size if upload.declared_size is not None else upload.max_size
    with upload.blob_path.open("r+b") as out:
        out.seek(upload.committed)
        try:
            async for piece in ctx.request.stream():
                if upload.status != "active" or not upload.owns_blob:
                    # Cancelled, or expired, while this chunk was arriving.
                    return (
                        _terminated()
                        if upload.status == "active"
                        else _text(200, "", _status_headers(upload))
                    )
                received = len(piece)
                upload.received += received
                with store.lock:
                    reg.received += received
                if skip:
                    dropped = min(skip, received)
                    skip -= dropped
                    upload.resent += dropped
                    with store.lock:
                        reg.resent += dropped
                    piece = piece[dropped:]
                if not piece:
                    continue
                if upload.committed + len(piece) > limit:
                    _write(store, upload, out, piece[: limit - upload.committed])
                    return _over_limit(store, upload)
                if fault is not None and fault.cut_upload_at is not None:
                    cut = fault.cut_upload_at
                    if upload.committed + len(piece) >= cut:
                        _write(store, upload, out, piece[: cut - upload.committed])
                        out.flush()
                        ctx.app.faults.take(fault)
                        raise UploadCut()
                _write(store, upload, out, piece)
        except ClientDisconnect:
            # What arrived stays committed and the client, if it comes back, queries and
            # resumes; a finalize that lost its connection must not finish a partial file.
            return _text(499, "", _status_headers(upload))
        except EmulatorError as err:
            if err.status != 429:
                raise
            # The storage quota ran out mid-chunk: the session ends.
            upload.status = "final"
            _discard(store, upload)
            return _error(err, upload)
    return None


def _write(store: Store, upload: Upload, out: BinaryIO, data: bytes) -> None:
    if not data:
        return
    end = upload.committed + len(data)
    if end > upload.reserved:
        # Reserve as the bytes come when no total was declared (a declared total was reserved
        # at the start).
        _reserve(store, end - upload.reserved)
        upload.reserved = end
    out.write(data)
    upload._hash.update(data)
    upload.committed = end


def _over_limit(store: Store, upload: Upload) -> Response:
    if upload.declared_size is not None:
        return _text(
            400,
            f"The upload is longer than the declared X-Goog-Upload-Header-Content-Length "
            f"({upload.declared_size} bytes); the bytes past it were not kept.",
            _status_headers(upload),
        )
    upload.status = "final"
    _discard(store, upload)
    return _error(_too_large(upload.committed + 1, upload.max_size), upload)


def _error(err: EmulatorError, upload: Upload) -> Response:
    body = json_bytes(err.to_json())
    upload.final = (err.status, body, _JSON)
    return Response(
        body, status_code=err.status, media_type=_JSON, headers=_status_headers(upload, "final")
    )


async def _finish(ctx: Ctx, upload: Upload) -> Response:
    method = _METHODS[upload.method_id]
    try:
        if method.check is not None:
            method.check(ctx, upload)
        answer = await method.complete(ctx, upload)
    except EmulatorError as err:
        upload.status = "final"
        _discard(ctx.store, upload)
        return _error(err, upload)
    upload.status = "final"
    _discard(ctx.store, upload)  # frees only what the completion did not adopt
    body = json_bytes(answer)
    upload.final = (200, body, _JSON)
    return Response(body, status_code=200, media_type=_JSON, headers=_status_headers(upload))


def _reserve(store: Store, size: int) -> None:
    if store.blob_bytes + size > PROJECT_QUOTA:
        raise EmulatorError(
            429,
            "The Files API storage of this project is full (20 GB): delete files to make room.",
        )
    store.reserve(size)


def _too_large(size: int, limit: int) -> EmulatorError:
    return EmulatorError(
        400,
        f"The file is too large: {size} bytes. The largest upload this method takes is "
        f"{limit} bytes.",
    )


# ----------------------------------------------------------------------------- one request


async def _one_request(ctx: Ctx, method: _Method, *, multipart: bool, goog: bool) -> Response:
    store = ctx.store
    headers = ctx.request.headers
    now = ctx.now
    upload = _new_upload(ctx, method, {}, None, headers, now)
    upload.blob_path.touch()
    try:
        if multipart:
            boundary = _boundary(headers.get("content-type") or "")
            parts = _Parts(ctx.request.stream(), boundary)
            upload.metadata = await _metadata(ctx, await parts.metadata())
            upload.declared_type = await parts.media_headers() or upload.declared_type
            if method.check is not None:
                method.check(ctx, upload)
            with upload.blob_path.open("r+b") as out:
                async for piece in parts.media():
                    _take(store, upload, out, piece)
        else:
            upload.declared_type = _clean_type(headers.get("content-type"))
            if method.check is not None:
                method.check(ctx, upload)
            with upload.blob_path.open("r+b") as out:
                async for piece in ctx.request.stream():
                    _take(store, upload, out, piece)
        upload.declared_size = upload.committed
        answer = await method.complete(ctx, upload)
    finally:
        _discard(store, upload)
    extra = {"x-goog-upload-status": "final"} if goog else None
    return Response(json_bytes(answer), status_code=200, media_type=_JSON, headers=extra)


def _take(store: Store, upload: Upload, out: BinaryIO, piece: bytes) -> None:
    upload.received += len(piece)
    if upload.committed + len(piece) > upload.max_size:
        raise _too_large(upload.committed + len(piece), upload.max_size)
    _write(store, upload, out, piece)


def _boundary(content_type: str) -> bytes:
    media, _, params = content_type.partition(";")
    if media.strip().lower() != "multipart/related":
        raise EmulatorError(
            400, f"A multipart upload needs Content-Type multipart/related, not {media.strip()!r}."
        )
    m = re.search(r'boundary\s*=\s*(?:"([^"]+)"|([^;\s]+))', params)
    if not m:
        raise EmulatorError(400, "The multipart/related Content-Type has no boundary.")
    return (m.group(1) or m.group(2)).encode("latin-1")


class _Parts:
    """A ``multipart/related`` body of two parts (JSON metadata, then media), read as it streams."""

    def __init__(self, stream: AsyncIterator[bytes], boundary: bytes) -> None:
        self._stream = stream
        self._delimiter = b"--" + boundary
        self._buf = bytearray()
        self._done = False

    async def _fill(self) -> bool:
        if self._done:
            return False
        try:
            self._buf += await self._stream.__anext__()
        except StopAsyncIteration:
            self._done = True
            return False
        return True

    async def _until(self, marker: bytes, limit: int, what: str) -> bytes:
        while True:
            at = self._buf.find(marker)
            if at >= 0:
                found = bytes(self._buf[:at])
                del self._buf[: at + len(marker)]
                return found
            if len(self._buf) > limit + len(marker):
                raise EmulatorError(400, f"The multipart body's {what} is too long.")
            if not await self._fill():
                raise EmulatorError(400, f"The multipart body ended inside its {what}.")

    async def _headers(self, what: str) -> dict[str, str]:
        await self._until(b"\r\n", _MAX_PART_HEADERS, f"{what} delimiter line")
        block = await self._until(b"\r\n\r\n", _MAX_PART_HEADERS, f"{what} headers")
        out: dict[str, str] = {}
        for line in block.decode("latin-1").split("\r\n"):
            name, sep, value = line.partition(":")
            if sep:
                out[name.strip().lower()] = value.strip()
        return out

    async def metadata(self) -> bytes:
        # The first part may be the body's very start (no CRLF before its delimiter).
        await self._until(self._delimiter, _MAX_PART_HEADERS, "preamble")
        await self._headers("metadata part")
        return await self._until(b"\r\n" + self._delimiter, _MAX_METADATA, "metadata part")

    async def media_headers(self) -> str | None:
        while len(self._buf) < 2 and await self._fill():
            pass
        if self._buf.startswith(b"--"):
            raise EmulatorError(400, "The multipart upload has no media part.")
        headers = await self._headers("media part")
        if headers.get("content-transfer-encoding", "binary").lower() not in (
            "binary",
            "8bit",
            "7bit",
        ):
            raise EmulatorError(400, "The media part must be sent as binary.")
        return _clean_type(headers.get("content-type"))

    async def media(self) -> AsyncIterator[bytes]:
        marker = b"\r\n" + self._delimiter
        keep = len(marker) - 1
        while True:
            at = self._buf.find(marker)
            if at >= 0:
                if at:
                    yield bytes(self._buf[:at])
                del self._buf[: at + len(marker)]
                break
            if len(self._buf) > keep:
                # Hold back what could be the start of the closing delimiter.
                cut = len(self._buf) - keep
                yield bytes(self._buf[:cut])
                del self._buf[:cut]
            if not await self._fill():
                raise EmulatorError(400, "The multipart body ended inside its media part.")
        while len(self._buf) < 2 and await self._fill():
            pass
        if not self._buf.startswith(b"--"):
            raise EmulatorError(400, "The multipart upload has more than two parts.")
        while await self._fill():  # the epilogue, if any
            self._buf.clear()
