"""Uploads and downloads, written once for both clients.

Uploads use Google's resumable protocol:

1. ``POST /upload/{version}/files`` with ``X-Goog-Upload-Protocol: resumable``,
   ``X-Goog-Upload-Command: start``, the size and type in ``X-Goog-Upload-Header-Content-*``
   and ``{"file": {"displayName": ...}}``; the answer's ``X-Goog-Upload-URL`` names the session.
2. The bytes, in chunks of 8 MiB (a multiple of 256 KiB, as the protocol wants), each posted
   to that URL with ``X-Goog-Upload-Offset`` and ``X-Goog-Upload-Command: upload`` (the last
   one ``upload, finalize``, whose answer is ``{"file": {...}}``).
3. If a chunk fails (the connection dropped, or a 5xx/429), ``X-Goog-Upload-Command: query``
   asks how much the server has (``X-Goog-Upload-Size-Received``) and the upload goes on from
   there, never from 0.

The chunk plan (:func:`next_chunk`, :func:`plan_chunks`) is pure; the file is read one chunk
at a time, so memory stays bounded by the chunk size whatever the file's size.

Downloads (``GET …/files/{id}:download?alt=media``) are streamed, into a path or into bytes.
The API answers with a redirect to ``/download/…``, which is followed here (the HTTP clients
do not follow redirects) and never with the key to another host (see ``Transport.build``).
"""

from __future__ import annotations

import contextlib
import io
import mimetypes
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

from ._exceptions import (
    APIConnectionError,
    APIError,
    APIResponseError,
    APIStatusError,
    FileProcessingError,
    InvalidInputError,
    ServerError,
)
from ._retry import RetryPolicy
from ._transport import Call, Read, Reply, Sleep, StreamHandle
from .types import File, HttpOptions
from .types.files import FileEnvelope

if TYPE_CHECKING:
    from ._transport import Flow

__all__ = [
    "CHUNK_GRANULARITY",
    "DEFAULT_CHUNK_SIZE",
    "Chunk",
    "UploadSource",
    "download_flow",
    "download_to_path_flow",
    "guess_mime_type",
    "next_chunk",
    "open_source",
    "plan_chunks",
    "upload_flow",
]

CHUNK_GRANULARITY = 256 * 1024
DEFAULT_CHUNK_SIZE = 8 * 1024 * 1024
MAX_REDIRECTS = 5

Progress = Callable[[int, int], Any]

# --------------------------------------------------------------------------- the chunk plan


@dataclass(frozen=True, slots=True)
class Chunk:
    """One request of an upload: ``size`` bytes from ``offset``; ``final`` finalizes it."""

    offset: int
    size: int
    final: bool

    @property
    def end(self) -> int:
        return self.offset + self.size

    @property
    def command(self) -> str:
        return "upload, finalize" if self.final else "upload"


def next_chunk(offset: int, total: int, chunk_size: int) -> Chunk:
    """The chunk that starts at ``offset`` of a ``total``-byte upload."""
    if not 0 <= offset <= total:
        raise ValueError(f"offset {offset} outside 0..{total}")
    size = min(chunk_size, total - offset)
    return Chunk(offset, size, offset + size >= total)


def plan_chunks(
    total: int, chunk_size: int = DEFAULT_CHUNK_SIZE, start: int = 0
) -> Iterator[Chunk]:
    """Every chunk from ``start`` to the end; an empty upload is one empty final chunk."""
    offset = start
    while True:
        chunk = next_chunk(offset, total, chunk_size)
        yield chunk
        if chunk.final:
            return
        offset = chunk.end


def check_chunk_size(chunk_size: int, granularity: int = CHUNK_GRANULARITY) -> int:
    if (
        isinstance(chunk_size, bool)
        or not isinstance(chunk_size, int)
        or chunk_size <= 0
        or chunk_size % granularity
    ):
        raise InvalidInputError(
            f"chunk_size must be a positive multiple of {granularity} bytes (256 KiB), "
            f"not {chunk_size!r}; the default is {DEFAULT_CHUNK_SIZE} (8 MiB)."
        )
    return chunk_size


def _fit_granularity(chunk_size: int, granularity: int) -> int:
    # The server may ask for a coarser granularity than 256 KiB: round the chunk down to it.
    if granularity <= 0 or chunk_size % granularity == 0:
        return chunk_size
    return max(granularity, chunk_size - chunk_size % granularity)


# --------------------------------------------------------------------------- sources


class UploadSource:
    """What is uploaded: ``size`` bytes read a chunk at a time, and a name to show."""

    name: str | None = None

    def __init__(self, size: int) -> None:
        self.size = size

    def read(self, offset: int, size: int) -> bytes:
        raise NotImplementedError

    def close(self) -> None:
        """Release what the source opened (not what the caller passed)."""


class _BytesSource(UploadSource):
    def __init__(self, data: bytes | bytearray | memoryview) -> None:
        self._data = memoryview(data).cast("B")
        super().__init__(len(self._data))

    def read(self, offset: int, size: int) -> bytes:
        return bytes(self._data[offset : offset + size])


class _FileSource(UploadSource):
    """A seekable binary file: ours (opened from a path) or the caller's (left open)."""

    def __init__(self, fh: IO[bytes], *, owned: bool, name: str | None) -> None:
        self._fh = fh
        self._owned = owned
        self.name = name
        self._start = fh.tell()
        end = fh.seek(0, io.SEEK_END)
        fh.seek(self._start)
        super().__init__(end - self._start)

    def read(self, offset: int, size: int) -> bytes:
        self._fh.seek(self._start + offset)
        data = self._fh.read(size)
        if not isinstance(data, bytes):
            raise InvalidInputError("The file object gives text; open it in binary mode ('rb').")
        return data

    def close(self) -> None:
        if self._owned:
            self._fh.close()


def open_source(file: Any) -> UploadSource:
    """An upload source from a path, bytes or a binary file object; every check that can be
    made before anything is sent is made here, each failing with a clear InvalidInputError."""
    if isinstance(file, (bytes, bytearray, memoryview)):
        return _BytesSource(file)
    if isinstance(file, (str, os.PathLike)):
        path = os.fspath(file)
        if not isinstance(path, str):
            path = os.fsdecode(path)
        if not os.path.exists(path):
            raise InvalidInputError(
                f"No such file: {path!r} (relative paths start at {os.getcwd()!r}); "
                "check the path, or pass the bytes themselves."
            )
        if os.path.isdir(path):
            raise InvalidInputError(
                f"{path!r} is a directory; pass one file (to upload each file in it, loop "
                "over pathlib.Path(...).iterdir())."
            )
        try:
            fh = open(path, "rb")  # noqa: SIM115 - closed by the source when the upload ends
        except OSError as exc:
            raise InvalidInputError(
                f"Cannot read {path!r}: {exc.strerror or exc}; check its permissions."
            ) from None
        return _FileSource(fh, owned=True, name=os.path.basename(path))
    if isinstance(file, io.TextIOBase):
        raise InvalidInputError("The file is open in text mode; open it in binary mode ('rb').")
    if hasattr(file, "read"):
        try:
            seekable = bool(file.seekable())
        except (AttributeError, OSError, ValueError):
            seekable = False
        if not seekable:
            raise InvalidInputError(
                "The file object cannot seek, which a resumable upload needs; pass a file "
                "opened with open(path, 'rb'), a path, or the bytes."
            )
        name = getattr(file, "name", None)
        return _FileSource(
            file, owned=False, name=os.path.basename(name) if isinstance(name, str) else None
        )
    raise InvalidInputError(
        f"Cannot upload a {type(file).__name__}; pass a path, bytes, or a binary file object."
    )


def guess_mime_type(source: UploadSource) -> str | None:
    """The MIME type from the file's name, else from its first bytes; None if neither tells."""
    from ._convert import sniff_mime_type

    if source.name:
        guessed = mimetypes.guess_type(source.name)[0]
        if guessed:
            return guessed
    return sniff_mime_type(source.read(0, 64)) if source.size else None


def check_mime_type(mime_type: Any) -> str:
    if not isinstance(mime_type, str) or "/" not in mime_type.strip("/"):
        raise InvalidInputError(
            f"mime_type must look like 'type/subtype' (e.g. 'application/pdf'), not {mime_type!r}."
        )
    return mime_type.strip()


# --------------------------------------------------------------------------- upload


def _no_retry(options: HttpOptions | None) -> HttpOptions:
    # A failed chunk is not sent again blindly: the flow asks the server what it kept.
    if options is None:
        return HttpOptions(max_retries=0)
    return options.model_copy(update={"max_retries": 0})


def _recoverable(err: APIError) -> bool:
    if isinstance(err, (APIConnectionError, ServerError)):
        return True
    return isinstance(err, APIStatusError) and err.status_code in (408, 429)


def _final_file(reply: Reply) -> File:
    envelope = reply.model(FileEnvelope)
    if envelope.file is None:
        raise APIResponseError(
            'The upload finished but the answer has no file (expected {"file": {...}}).',
            body=reply.body[:2000].decode("utf-8", "replace"),
            status_code=reply.info.status_code,
        )
    file = envelope.file
    file._http = reply.info
    return file


def _query_flow(url: str, total: int, options: HttpOptions | None) -> Flow[tuple[int, Reply]]:
    """Ask the server how many bytes of the session it has; (that offset, its answer)."""
    reply: Reply = yield Call(
        "POST",
        "",
        url=url,
        headers={"X-Goog-Upload-Command": "query"},
        send_key=False,
        options=options,
    )
    status = reply.headers.get("x-goog-upload-status", "")
    if status == "final":
        return total, reply
    received = reply.headers.get("x-goog-upload-size-received")
    try:
        offset = int(received) if received is not None else -1
    except ValueError:
        offset = -1
    if not 0 <= offset <= total:
        raise APIResponseError(
            f"The upload session answered a query with X-Goog-Upload-Size-Received "
            f"{received!r} (status {status!r}); it cannot be resumed. Upload the file again.",
            status_code=reply.info.status_code,
        )
    return offset, reply


def upload_flow(
    source: UploadSource,
    *,
    mime_type: str,
    display_name: str | None = None,
    name: str | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    progress: Progress | None = None,
    options: HttpOptions | None = None,
    max_recoveries: int = 2,
    policy: RetryPolicy | None = None,
    path: str = "files",
    body: dict[str, Any] | None = None,
    final: Callable[[Reply], Any] | None = None,
) -> Flow[Any]:
    """Upload ``source`` (closed at the end) and return the File the server made.

    Another media-upload method (``fileSearchStores/{id}:uploadToFileSearchStore``) passes
    its ``path``, its start ``body`` and how to read the ``final`` answer.
    """
    backoff = policy or RetryPolicy()
    finish = final or _final_file
    try:
        total = source.size
        if body is None:
            metadata: dict[str, Any] = {}
            if name:
                metadata["name"] = name
            if display_name:
                metadata["displayName"] = display_name
            body = {"file": metadata}
        start: Reply = yield Call(
            "POST",
            path,
            upload=True,
            body=body,
            headers={
                "X-Goog-Upload-Protocol": "resumable",
                "X-Goog-Upload-Command": "start",
                "X-Goog-Upload-Header-Content-Length": str(total),
                "X-Goog-Upload-Header-Content-Type": mime_type,
            },
            options=options,
        )
        url = start.headers.get("x-goog-upload-url")
        if not url:
            raise APIResponseError(
                "The upload did not start: the answer has no X-Goog-Upload-URL header. "
                "Is the base URL a Gemini API endpoint?",
                status_code=start.info.status_code,
            )
        granularity = start.headers.get("x-goog-upload-chunk-granularity", "")
        if granularity.isdigit():
            chunk_size = _fit_granularity(chunk_size, int(granularity))
        chunk_options = _no_retry(options)
        offset, failures = 0, 0
        if progress is not None:
            progress(0, total)
        while True:
            chunk = next_chunk(offset, total, chunk_size)
            data = source.read(chunk.offset, chunk.size)
            if len(data) != chunk.size:
                raise InvalidInputError(
                    f"The file changed while it was uploaded (expected {chunk.size} bytes at "
                    f"offset {chunk.offset}, read {len(data)}); upload it again."
                )
            try:
                reply: Reply = yield Call(
                    "POST",
                    "",
                    url=url,
                    content=data,
                    headers={
                        "X-Goog-Upload-Command": chunk.command,
                        "X-Goog-Upload-Offset": str(chunk.offset),
                    },
                    send_key=False,
                    options=chunk_options,
                )
            except APIError as err:
                if not _recoverable(err) or failures >= max_recoveries:
                    raise
                delay = backoff.delay(failures)
                failures += 1
                yield Sleep(delay if delay is not None else backoff.max_delay)
                offset, answer = yield from _query_flow(url, total, options)
                if offset == total and answer.headers.get("x-goog-upload-status") == "final":
                    if progress is not None:
                        progress(total, total)
                    return finish(answer)
                if offset > chunk.offset:
                    failures = 0  # the server kept part of it: the link works, if slowly
                if progress is not None:
                    progress(offset, total)
                continue
            # Dropped before the next read, so that at most one chunk is held at a time.
            del data
            if reply.headers.get("x-goog-upload-status") == "final" or (
                chunk.final and reply.body.strip()
            ):
                if progress is not None:
                    progress(total, total)
                return finish(reply)
            if chunk.final:
                raise APIResponseError(
                    f"All {total} bytes were sent but the upload did not finish "
                    f"(X-Goog-Upload-Status {reply.headers.get('x-goog-upload-status')!r}).",
                    status_code=reply.info.status_code,
                )
            offset, failures = chunk.end, 0
            if progress is not None:
                progress(offset, total)
    finally:
        source.close()


def processing_done(file: File) -> bool:
    return file.state != "PROCESSING"


def check_not_failed(file: File) -> File:
    if file.state == "FAILED":
        why = file.error.describe() if file.error is not None else "no reason given"
        raise FileProcessingError(
            f"File {file.name} could not be processed ({why}); check that it is a valid "
            f"{file.mime_type or 'file'}, then upload it again.",
            name=file.name,
            code=file.error.code if file.error is not None else None,
            details=file.error.details if file.error is not None else None,
            file=file,
        )
    return file


# --------------------------------------------------------------------------- download


def download_flow(
    name: str, sink: Callable[[bytes], Any], options: HttpOptions | None
) -> Flow[int]:
    """Stream ``{name}:download?alt=media`` into ``sink``, following redirects; the byte count."""
    call = Call(
        "GET",
        f"{name}:download",
        params={"alt": "media"},
        raw=True,
        stream=True,
        redirect=True,
        options=options,
    )
    for _ in range(MAX_REDIRECTS + 1):
        answer = yield call
        if isinstance(answer, StreamHandle):
            break
        location = answer.headers.get("location")
        if not location:
            raise APIResponseError(
                f"The download of {name} answered {answer.info.status_code} without a Location.",
                status_code=answer.info.status_code,
            )
        target = str(answer.url.join(location)) if answer.url is not None else location
        call = Call("GET", "", url=target, raw=True, stream=True, redirect=True, options=options)
    else:
        raise APIResponseError(
            f"The download of {name} was redirected more than {MAX_REDIRECTS} times."
        )
    received = 0
    while True:
        chunk: bytes | None = yield Read(answer)
        if chunk is None:
            return received
        if chunk:
            sink(chunk)
            received += len(chunk)


def check_destination(path: Any) -> str:
    if not isinstance(path, (str, os.PathLike)):
        raise InvalidInputError(f"path must be a str or pathlib.Path, not {type(path).__name__}.")
    target = os.fspath(path)
    if not isinstance(target, str):
        target = os.fsdecode(target)
    if os.path.isdir(target):
        raise InvalidInputError(f"{target!r} is a directory; pass the path of the file to write.")
    folder = os.path.dirname(os.path.abspath(target))
    if not os.path.isdir(folder):
        raise InvalidInputError(f"Cannot write {target!r}: the folder {folder!r} does not exist.")
    return target


def download_to_path_flow(name: str, path: str, options: HttpOptions | None) -> Flow[int]:
    """Download into ``path`` through a temporary file beside it, so that a download that
    fails half-way leaves no partial file (and an existing file untouched)."""
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".part", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            received = yield from download_flow(name, fh.write, options)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return received
