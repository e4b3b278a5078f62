"""Files (``files``): uploaded bytes kept in the store's blob area, expiring on the clock.

What the real API does (recorded exchanges in ``ruby_llm``, ``gemini-cookbook``, ``DelphiGemini``;
``file.proto``), and so this backend:

* An upload (``media.upload``, see :mod:`gemini_nb.emulator.wire.upload`) answers
  ``{"file": File}``. ``name`` is ``files/`` and 12 lower-case letters and digits unless the
  request names one (up to 40 of them and dashes); ``sizeBytes`` is an int64 string;
  ``sha256Hash`` is the base64 of the *hex* digest (as recorded: ``MjI5ZGVm…`` is
  ``base64("229def…")``); ``uri`` is ``{base}/{version}/files/{id}``; ``source`` UPLOADED;
  ``expirationTime`` is 48 hours after the upload started, with nanoseconds; fields appear in
  ``file.proto``'s number order, and empty ones are left out.
* The MIME type is the one declared (the request's ``file.mimeType``, else
  ``X-Goog-Upload-Header-Content-Type`` or the media part's type), else the one the bytes
  announce (a PDF uploaded with only a display name is ``application/pdf``), else the one the
  file name suggests, else ``text/plain`` for UTF-8 text, else ``application/octet-stream``.
* States: video is PROCESSING for a while on the clock (3 s plus 1 s per 10 MB; the recorded
  64 MB video took 8 s) and then ACTIVE with ``videoMetadata.videoDuration``; audio or video
  of a type the models do not take (``video/mp2t``…) is PROCESSING, then FAILED with
  ``error: {"code": 3, "message": "The file failed to be processed."}``; everything else is
  ACTIVE at once, as recorded for PDFs and audio. ``updateTime`` moves when the state does.
* ``files.list`` pages 10 files by default, 100 at most, newest first, and answers ``{}`` when
  there are none. ``files.delete`` answers ``{}``. An unknown (deleted, expired) file gets
  ``403 PERMISSION_DENIED: You do not have permission to access the File <id> or it may not
  exist.``
* ``files.register`` needs OAuth credentials for Cloud Storage: with an API key it gets
  Google's ``401 UNAUTHENTICATED`` (``CREDENTIALS_MISSING``); with a bearer token the
  ``gs://`` URIs become REGISTERED files (the emulator reads no bucket).
* Downloads: ``GET /v1beta/files/{id}:download?alt=media`` answers ``302`` to
  ``/download/v1beta/files/{id}:download?alt=media`` (with the recorded ``{"error": {"code":
  302, "message": "Unknown Error."}}`` body), which streams the bytes from disk. Only
  GENERATED files (:func:`add_generated_file`, for backends that produce files) have a
  ``downloadUri`` and can be downloaded; an uploaded one is refused with ``400`` (the official
  SDK refuses it before sending). Without ``alt=media`` the answer is the empty
  ``DownloadFileResponse``, ``{}``.
* A ``fileData`` part whose URI is one of this emulator's files is resolved to the stored
  file's type, size and content; an unknown one gets the 403 above, one not yet ACTIVE
  ``400 FAILED_PRECONDITION: The File <id> is not in an ACTIVE state and usage is not allowed.``
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import mimetypes
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any, Literal

from starlette.responses import Response, StreamingResponse

from ..model import media as _media
from ..wire import routing
from ..wire.errors import EmulatorError
from ..wire.framing import json_bytes
from ..wire.routing import Ctx, extra_route, paged, serves
from ..wire.upload import Upload, on_upload
from .state import Store, format_time

__all__ = ["StoredFile", "add_generated_file", "find_file"]

NOUN = "files"
TTL = 48 * 3600.0
DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 100
MAX_SIZE = 2 * 1024**3  # Discovery: media.upload mediaUpload.maxSize
MAX_DISPLAY_NAME = 512
FAILED_PROCESSING = {"code": 3, "message": "The file failed to be processed."}

_ID = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$")
_FILE_URI = re.compile(
    r"^https?://(?P<host>[^/?#]+)/(?P<version>v1beta|v1alpha|v1)/files/(?P<id>[a-z0-9-]+)$"
)
_OWN_HOSTS = frozenset({"generativelanguage.googleapis.com", "127.0.0.1", "localhost", "[::1]"})

# The video and audio types the models take (the Gemini API's video and audio guides, plus the
# aliases clients send); other audio or video fails processing.
_VIDEO = frozenset(
    [
        "video/mp4",
        "video/mpeg",
        "video/mov",
        "video/quicktime",
        "video/avi",
        "video/x-msvideo",
        "video/x-flv",
        "video/mpg",
        "video/webm",
        "video/wmv",
        "video/x-ms-wmv",
        "video/3gpp",
    ]
)
_AUDIO = frozenset(
    [
        "audio/wav",
        "audio/x-wav",
        "audio/wave",
        "audio/mp3",
        "audio/mpeg",
        "audio/aiff",
        "audio/x-aiff",
        "audio/aac",
        "audio/ogg",
        "audio/flac",
        "audio/x-flac",
        "audio/mp4",
        "audio/m4a",
        "audio/x-m4a",
        "audio/webm",
        "audio/l16",
        "audio/pcm",
    ]
)

Source = Literal["UPLOADED", "GENERATED", "REGISTERED"]


@dataclass
class StoredFile:
    id: str
    display_name: str
    mime_type: str
    size: int
    sha256_hex: str
    create_time: float
    expire_time: float | None
    ready_time: float  # when processing ends
    outcome: Literal["ACTIVE", "FAILED"]
    source: Source
    version: str
    blob_key: str | None
    reserved: int = 0
    info: _media.MediaInfo | None = None
    gcs_uri: str | None = None

    @property
    def name(self) -> str:
        return f"{NOUN}/{self.id}"

    def state(self, now: float) -> str:
        return "PROCESSING" if now < self.ready_time else self.outcome

    def to_json(self, now: float, base: str) -> dict[str, Any]:
        state = self.state(now)
        out: dict[str, Any] = {"name": self.name}
        if self.display_name:
            out["displayName"] = self.display_name
        out["mimeType"] = self.mime_type
        if self.size:
            out["sizeBytes"] = str(self.size)
        out["createTime"] = format_time(self.create_time)
        updated = self.ready_time if state != "PROCESSING" else self.create_time
        out["updateTime"] = format_time(max(self.create_time, updated))
        if self.expire_time is not None:
            out["expirationTime"] = _nanos_time(self.expire_time)
        if self.sha256_hex:
            out["sha256Hash"] = base64.b64encode(self.sha256_hex.encode()).decode()
        out["uri"] = f"{base}/{self.version}/{self.name}"
        out["state"] = state
        if state == "FAILED":
            out["error"] = dict(FAILED_PROCESSING)
        if state == "ACTIVE" and self.mime_type in _VIDEO and self.info is not None:
            seconds = round(self.info.duration_s or 0)
            out["videoMetadata"] = {"videoDuration": f"{seconds}s"}
        out["source"] = self.source
        if self.source == "GENERATED":
            out["downloadUri"] = f"{base}/{self.version}/{self.name}:download?alt=media"
        return out


def _nanos_time(t: float) -> str:
    # expirationTime is written to the nanosecond (recorded: "…T14:34:13.503405945Z").
    whole = int(t)
    nanos = min(999_999_999, round((t - whole) * 1e9))
    stamp = dt.datetime.fromtimestamp(whole, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return f"{stamp}.{nanos:09d}Z"


def _base(ctx: Ctx) -> str:
    return str(ctx.request.base_url).rstrip("/")


# ----------------------------------------------------------------------------- the collection


def _live(store: Store) -> dict[str, StoredFile]:
    """The files, with those past their expiry dropped and their bytes freed."""
    for gone in store.expire(
        NOUN, lambda f, now: f.expire_time is not None and f.expire_time <= now
    ):
        _free(store, gone)
    coll: dict[str, StoredFile] = store.collection(NOUN)
    return coll


def _free(store: Store, file: StoredFile) -> None:
    if file.reserved:
        store.release(file.reserved)
        file.reserved = 0
    if file.blob_key is not None:
        store.blob_path(file.blob_key).unlink(missing_ok=True)
        file.blob_key = None


def _not_found(file_id: str) -> EmulatorError:
    return EmulatorError(
        403, f"You do not have permission to access the File {file_id} or it may not exist."
    )


def find_file(store: Store, name: str) -> StoredFile:
    """The file named ``files/<id>`` (or ``<id>``), or the real 403."""
    file_id = name.removeprefix(f"{NOUN}/")
    with store.lock:
        found = _live(store).get(f"{NOUN}/{file_id}")
    if found is None:
        raise _not_found(file_id)
    return found


def _add(store: Store, file: StoredFile) -> None:
    with store.lock:
        files = _live(store)
        if file.name in files:
            raise EmulatorError(409, f"File {file.name} already exists.")
        files[file.name] = file


# ----------------------------------------------------------------------------- uploads


def _requested(upload: Upload) -> dict[str, Any]:
    meta = upload.metadata.get("file")
    return meta if isinstance(meta, dict) else {}


def _check(ctx: Ctx, upload: Upload) -> None:
    meta = _requested(upload)
    name = str(meta.get("name") or "")
    if name:
        file_id = name.removeprefix(f"{NOUN}/")
        if not name.startswith(f"{NOUN}/") or not _ID.match(file_id):
            raise EmulatorError(
                400,
                f"Invalid File name {name!r}: it is files/ and an id of up to 40 lower-case "
                "letters, digits or dashes, not starting or ending with a dash.",
            )
        with ctx.store.lock:
            if name in _live(ctx.store):
                raise EmulatorError(409, f"File {name} already exists.")
    display = str(meta.get("displayName") or "")
    if len(display) > MAX_DISPLAY_NAME:
        raise EmulatorError(
            400,
            f"The display name of a File must be no more than {MAX_DISPLAY_NAME} characters; "
            f"this one has {len(display)}.",
        )


@on_upload("media.upload", max_size=MAX_SIZE, check=_check)
async def _complete(ctx: Ctx, upload: Upload) -> dict[str, Any]:
    meta = _requested(upload)
    store = ctx.store
    path = upload.blob_path
    with path.open("rb") as f:
        head = f.read(4096)
    display = str(meta.get("displayName") or "")
    mime = _mime_type(meta.get("mimeType"), upload, head, display)
    name = str(meta.get("name") or "")
    file_id = name.removeprefix(f"{NOUN}/") if name else store.new_id(12)
    now = ctx.now
    outcome: Literal["ACTIVE", "FAILED"] = "ACTIVE"
    ready = now
    major = mime.split("/", 1)[0]
    if major in ("video", "audio"):
        known = _VIDEO if major == "video" else _AUDIO
        if _bare(mime) not in known:
            outcome = "FAILED"
        if major == "video" or outcome == "FAILED":
            ready = now + processing_seconds(upload.committed)
    blob_key, reserved = upload.adopt()
    file = StoredFile(
        id=file_id,
        display_name=display,
        mime_type=mime,
        size=upload.committed,
        sha256_hex=upload.sha256_hex,
        create_time=now,
        expire_time=upload.started + TTL,
        ready_time=ready,
        outcome=outcome,
        source="UPLOADED",
        version=upload.version,
        blob_key=blob_key,
        reserved=reserved,
    )
    file.info = _media.inspect_stored(
        path,
        mime,
        file.size,
        uri=f"{_base(ctx)}/{file.version}/{file.name}",
        display_name=display or None,
    )
    try:
        _add(store, file)
    except EmulatorError:
        _free(store, file)
        raise
    return {"file": file.to_json(now, _base(ctx))}


def processing_seconds(size: int) -> float:
    """How long the emulator's clock takes to process a video of ``size`` bytes."""
    return 3.0 + size / (10 * 1024 * 1024)


def _bare(mime: str) -> str:
    return mime.split(";", 1)[0].strip()


def _mime_type(declared: Any, upload: Upload, head: bytes, display: str) -> str:
    for candidate in (declared, upload.declared_type):
        text = _normalise_type(str(candidate or ""))
        if text and text != "application/octet-stream":
            return text
    sniffed = _media.sniff_mime(head)
    if sniffed:
        return sniffed
    for name in (display, upload.file_name or ""):
        guessed, _ = mimetypes.guess_type(name) if name else (None, None)
        if guessed:
            return guessed
    if head and b"\x00" not in head:
        try:
            head.decode("utf-8")
            return "text/plain"
        except UnicodeDecodeError as err:
            if err.start >= len(head) - 3:  # a character cut by the 4 KB read
                return "text/plain"
    return "application/octet-stream"


def _normalise_type(text: str) -> str:
    media, _, params = text.strip().lower().partition(";")
    media = media.strip()
    if not media or "/" not in media:
        return media
    # Raw PCM keeps its rate (the models need it); other parameters (charset) are dropped.
    rate = re.search(r"rate\s*=\s*(\d+)", params)
    if media.startswith("audio/") and rate:
        return f"{media};rate={rate.group(1)}"
    return media


# ----------------------------------------------------------------------------- methods


@serves("files.get")
async def get_file(ctx: Ctx) -> dict[str, Any]:
    return find_file(ctx.store, ctx.params["name"]).to_json(ctx.now, _base(ctx))


@serves("files.list")
async def list_files(ctx: Ctx) -> dict[str, Any]:
    offset, size = ctx.page(DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
    now, base = ctx.now, _base(ctx)
    with ctx.store.lock:
        # Newest first; of files made at the same instant, the later made first.
        newest_first = sorted(reversed(_live(ctx.store).values()), key=lambda f: -f.create_time)
        items = [f.to_json(now, base) for f in newest_first]
    return paged(items, "files", offset, size)


@serves("files.delete")
async def delete_file(ctx: Ctx) -> dict[str, Any]:
    store = ctx.store
    with store.lock:
        file = find_file(store, ctx.params["name"])
        _live(store).pop(file.name, None)
        _free(store, file)
    return {}


@serves("files.register")
async def register_files(ctx: Ctx) -> dict[str, Any]:
    if not ctx.request.headers.get("authorization", "").lower().startswith("bearer "):
        raise EmulatorError(
            401,
            "API keys are not supported by this API. Expected OAuth2 access token or other "
            "authentication credentials that assert a principal. See "
            "https://cloud.google.com/docs/authentication",
            details=[
                {
                    "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                    "reason": "CREDENTIALS_MISSING",
                    "domain": "googleapis.com",
                    "metadata": {
                        "method": "google.ai.generativelanguage.v1beta.FileService.RegisterFiles",
                        "service": "generativelanguage.googleapis.com",
                    },
                }
            ],
        )
    body = await ctx.body()
    uris = [str(u) for u in body.get("uris") or []]
    bad = [u for u in uris if not re.fullmatch(r"gs://[^/]+/.+", u)]
    if bad:
        raise EmulatorError(400, f"Not a Google Cloud Storage object URI: {bad[0]}.")
    now, base = ctx.now, _base(ctx)
    made = []
    for uri in uris:
        guessed, _ = mimetypes.guess_type(uri)
        file = StoredFile(
            id=ctx.store.new_id(12),
            display_name="",
            mime_type=guessed or "application/octet-stream",
            size=0,
            sha256_hex="",
            create_time=now,
            expire_time=None,
            ready_time=now,
            outcome="ACTIVE",
            source="REGISTERED",
            version=ctx.version,
            blob_key=None,
            gcs_uri=uri,
        )
        _add(ctx.store, file)
        made.append(file.to_json(now, base))
    return {"files": made} if made else {}


def add_generated_file(
    store: Store, data: bytes, mime_type: str, *, display_name: str = "", version: str = "v1beta"
) -> StoredFile:
    """Keep ``data`` as a GENERATED file (a model's or a job's output), downloadable."""
    store.reserve(len(data))
    key = f"generated-{store.new_id(24)}"
    path = store.blob_path(key)
    path.write_bytes(data)
    now = store.clock.time()
    file = StoredFile(
        id=store.new_id(12),
        display_name=display_name,
        mime_type=mime_type,
        size=len(data),
        sha256_hex=hashlib.sha256(data).hexdigest(),
        create_time=now,
        expire_time=now + TTL,
        ready_time=now,
        outcome="ACTIVE",
        source="GENERATED",
        version=version,
        blob_key=key,
        reserved=len(data),
    )
    file.info = _media.inspect_stored(path, mime_type, len(data), uri="")
    _add(store, file)
    return file


# ----------------------------------------------------------------------------- downloads

_DOWNLOAD_CHUNK = 256 * 1024


def _downloadable(ctx: Ctx) -> StoredFile:
    file = find_file(ctx.store, ctx.params["id"])
    if file.source != "GENERATED" or file.blob_key is None:
        raise EmulatorError(
            400,
            f"File {file.id} can not be downloaded: only generated files can be downloaded, "
            f"and it was {file.source.lower()}.",
        )
    return file


@extra_route("GET", r"/(?P<version>v1beta|v1alpha|v1)/files/(?P<id>[^/:]+):download")
async def download(ctx: Ctx) -> Response:
    if ctx.query.get("alt") != "media":
        find_file(ctx.store, ctx.params["id"])
        return Response(json_bytes({}), media_type="application/json; charset=UTF-8")
    file = _downloadable(ctx)
    target = f"{_base(ctx)}/download/{ctx.params['version']}/{file.name}:download?alt=media"
    body = {"error": {"code": 302, "message": "Unknown Error.", "status": "UNKNOWN"}}
    return Response(
        json_bytes(body),
        status_code=302,
        media_type="application/json; charset=UTF-8",
        headers={"location": target},
    )


@extra_route("GET", r"/download/(?P<version>v1beta|v1alpha|v1)/files/(?P<id>[^/:]+):download")
async def download_bytes(ctx: Ctx) -> Response:
    if ctx.query.get("alt") != "media":
        raise EmulatorError(400, "A download needs alt=media.")
    file = _downloadable(ctx)
    assert file.blob_key is not None
    path = ctx.store.blob_path(file.blob_key)

    def chunks() -> Iterator[bytes]:
        with path.open("rb") as f:
            while block := f.read(_DOWNLOAD_CHUNK):
                yield block

    return StreamingResponse(
        chunks(),
        media_type=file.mime_type,
        headers={"content-length": str(file.size)},
    )


# ----------------------------------------------------------------------------- fileData


def _resolve(uri: str) -> _media.MediaInfo | None:
    ctx = routing.current()
    m = _FILE_URI.match(uri)
    if ctx is None or m is None:
        return None
    host = m["host"].lower()
    own = (ctx.request.headers.get("host") or "").lower()
    if host != own and host.rsplit(":", 1)[0] not in _OWN_HOSTS:
        return None
    file = find_file(ctx.store, m["id"])
    if file.state(ctx.now) != "ACTIVE":
        raise EmulatorError(
            400,
            f"The File {file.id} is not in an ACTIVE state and usage is not allowed.",
            rpc_status="FAILED_PRECONDITION",
        )
    if file.info is None:
        return _media.MediaInfo(mime_type=file.mime_type, source="file", uri=uri)
    return replace(file.info, uri=uri)


_media.register_file_resolver(_resolve)
