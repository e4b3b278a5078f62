"""File search stores (``fileSearchStores``) and their documents, really ingested.

What the real API does (recorded exchanges in ``DelphiGemini`` and ``pydantic-ai``, the
Discovery document, the file search guide), and so this backend:

* ``create`` answers the store at once: ``name`` is ``fileSearchStores/`` and an id made from
  the display name (lower case, spaces as dashes, other characters dropped, at most 27
  characters: "test-file-search-grounding-stream" gives ``testfilesearchgroundingstre``), a
  dash and 12 random-looking lower-case letters and digits (without a display name, 12 more
  in its place), drawn from the store's sequence so that the same steps give the same names; ``embeddingModel`` is ``models/gemini-embedding-001`` unless
  another embedding model is named; the counts and ``sizeBytes`` are int64 strings left out
  while zero.
* ``media.uploadToFileSearchStore`` (the resumable protocol of :mod:`..wire.upload`) and
  ``importFile`` (a Files API file) make a document, named like a store from its display name,
  ``STATE_PENDING`` for a while on the clock (1 s plus 1 s per 4 MB) and then
  ``STATE_ACTIVE``, or ``STATE_FAILED`` when its text cannot be read. The upload's last chunk
  answers its operation ``fileSearchStores/{store}/upload/operations/{document}`` with the
  response (``UploadToFileSearchStoreResponse``: parent, documentName, mimeType, sizeBytes)
  and without ``done``, as recorded; polling it, or
  ``fileSearchStores/{store}/operations/{document}`` (answered with an
  ``ImportFileResponse`` of bare ids, as recorded), gives ``done: true`` once the document is
  processed. An import's operation is ``fileSearchStores/{store}/operations/{document}``.
* Ingestion does the work: the text is extracted (:mod:`..model.extract`: text, Markdown,
  HTML, PDF through pypdf, Office files, RTF), cut into whitespace chunks as
  ``chunkingConfig.whiteSpaceConfig`` says (``maxTokensPerChunk`` 21 to 512, default 200;
  ``maxOverlapTokens`` below it, default 20) and each chunk embedded deterministically
  (:mod:`..model.embedding`). The file search tool retrieves from these chunks
  (:mod:`..model.tools.file_search`).
* Limits: a document is at most 100 MB (Discovery ``mediaUpload.maxSize``); at most 20
  ``customMetadata`` entries with unique keys and one value each; display names at most 512
  characters; MIME types: text, PDF, Office, JSON, XML, code (others, images or audio,
  ``400 INVALID_ARGUMENT`` and nothing is made); the stores of a project hold at most 1 GB
  (the free tier), past which an upload gets ``429 RESOURCE_EXHAUSTED``.
* ``list`` pages 10 stores (or documents) by default, 20 at most, oldest first, ``{}`` when
  there are none. ``delete`` answers ``{}``; a store that has documents, or a document that
  has chunks, is refused with ``400 FAILED_PRECONDITION`` unless ``force`` is true (the
  Discovery document's words). An unknown store or document gets ``403 PERMISSION_DENIED``,
  worded as the Files API words it.
"""

from __future__ import annotations

import math
import mimetypes
import operator
import re
from array import array
from dataclasses import dataclass, field
from typing import Any

from ..model import extract as _extract
from ..model.embedding import embed_text
from ..model.hashing import digest
from ..model.metadata_filter import FilterSyntaxError, compile_filter
from ..model.prompt import content_words
from ..model.tools import file_search as _tool
from ..wire import routing
from ..wire.errors import EmulatorError
from ..wire.routing import Ctx, paged, serves
from ..wire.upload import Upload, on_upload
from . import operations as _operations
from .catalogue import lookup
from .files import find_file
from .state import Store, format_time

__all__ = ["StoredDocument", "StoredStore", "search"]

NOUN = "fileSearchStores"
PREFIX = f"{NOUN}/"
DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 20
MAX_DOCUMENT_BYTES = 100 * 1024 * 1024
PROJECT_LIMIT = 1024**3
MAX_METADATA = 20
MAX_DISPLAY_NAME = 512
MIN_CHUNK_TOKENS, MAX_CHUNK_TOKENS = 21, 512
DEFAULT_EMBEDDING_MODEL = "models/gemini-embedding-001"
# Chunk vectors are kept at this size: nobody sees them, and similarity needs no more.
VECTOR_DIMS = 256
_UPLOAD_TYPE = (
    "type.googleapis.com/google.ai.generativelanguage.v1main.UploadToFileSearchStoreResponse"
)
_IMPORT_TYPE = "type.googleapis.com/google.ai.generativelanguage.v1main.ImportFileResponse"
_FAILED = {"code": 3, "message": "The document failed to be processed."}


# ----------------------------------------------------------------------------- records


@dataclass
class Chunk:
    text: str
    page: int | None
    vector: array[float]
    terms: frozenset[str]


@dataclass
class StoredDocument:
    store_id: str
    id: str
    display_name: str
    mime_type: str
    size: int
    create_time: float
    ready_time: float
    custom_metadata: list[dict[str, Any]]
    chunks: list[Chunk] = field(default_factory=list, repr=False)
    error: str | None = None

    @property
    def name(self) -> str:
        return f"{PREFIX}{self.store_id}/documents/{self.id}"

    def state(self, now: float) -> str:
        if now < self.ready_time:
            return "STATE_PENDING"
        return "STATE_FAILED" if self.error is not None else "STATE_ACTIVE"

    def metadata(self) -> dict[str, str | float | list[str]]:
        out: dict[str, str | float | list[str]] = {}
        for item in self.custom_metadata:
            if "stringListValue" in item:
                out[item["key"]] = list(item["stringListValue"].get("values") or [])
            elif "numericValue" in item:
                out[item["key"]] = float(item["numericValue"])
            else:
                out[item["key"]] = str(item.get("stringValue", ""))
        return out

    def to_json(self, now: float) -> dict[str, Any]:
        state = self.state(now)
        out: dict[str, Any] = {"name": self.name}
        if self.display_name:
            out["displayName"] = self.display_name
        if self.custom_metadata:
            out["customMetadata"] = [dict(m) for m in self.custom_metadata]
        updated = self.ready_time if state != "STATE_PENDING" else self.create_time
        out["updateTime"] = format_time(updated)
        out["createTime"] = format_time(self.create_time)
        out["state"] = state
        if self.size:
            out["sizeBytes"] = str(self.size)
        out["mimeType"] = self.mime_type
        return out


@dataclass
class StoredStore:
    id: str
    display_name: str
    embedding_model: str
    create_time: float
    update_time: float
    documents: dict[str, StoredDocument] = field(default_factory=dict, repr=False)

    @property
    def name(self) -> str:
        return PREFIX + self.id

    def to_json(self, now: float) -> dict[str, Any]:
        counts = {"STATE_ACTIVE": 0, "STATE_PENDING": 0, "STATE_FAILED": 0}
        size = 0
        updated = self.update_time
        for doc in self.documents.values():
            state = doc.state(now)
            counts[state] += 1
            if state == "STATE_ACTIVE":
                size += doc.size
            if state != "STATE_PENDING":
                updated = max(updated, doc.ready_time)
        out: dict[str, Any] = {"name": self.name}
        if self.display_name:
            out["displayName"] = self.display_name
        out["createTime"] = format_time(self.create_time)
        out["updateTime"] = format_time(updated)
        for key, state in (
            ("activeDocumentsCount", "STATE_ACTIVE"),
            ("pendingDocumentsCount", "STATE_PENDING"),
            ("failedDocumentsCount", "STATE_FAILED"),
        ):
            if counts[state]:
                out[key] = str(counts[state])
        if size:
            out["sizeBytes"] = str(size)
        out["embeddingModel"] = self.embedding_model
        return out


def _stores(store: Store) -> dict[str, StoredStore]:
    coll: dict[str, StoredStore] = store.collection(NOUN)
    return coll


def _denied(kind: str, name: str) -> EmulatorError:
    return EmulatorError(
        403, f"You do not have permission to access the {kind} {name} or it may not exist."
    )


def find_store(store: Store, name: str) -> StoredStore:
    store_id = name.removeprefix(PREFIX)
    with store.lock:
        found = _stores(store).get(PREFIX + store_id)
    if found is None:
        raise _denied("FileSearchStore", store_id)
    return found


def _find_document(store: Store, name: str) -> tuple[StoredStore, StoredDocument]:
    m = re.fullmatch(rf"{PREFIX}([^/]+)/documents/([^/]+)", name)
    if m is None:
        raise EmulatorError(400, f"Invalid document name {name!r}.")
    parent = find_store(store, m.group(1))
    with store.lock:
        doc = parent.documents.get(name)
    if doc is None:
        raise _denied("Document", m.group(2))
    return parent, doc


_ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"


def derived_id(store: Store, display_name: str) -> str:
    """An id from a display name as the API makes them: ``first VectorStore`` gives
    ``first-vectorstore-`` and 12 random characters."""
    # Dashes and other marks are dropped, spaces become dashes (as recorded).
    kept = "".join(c for c in display_name.lower() if (c.isascii() and c.isalnum()) or c.isspace())
    slug = re.sub(r"\s+", "-", kept.strip())[:27].strip("-")
    return f"{slug or _token(store, 'prefix')}-{_token(store, 'suffix', display_name)}"


def _token(store: Store, *parts: object) -> str:
    # Random-looking like the real ids, but the same in every run of the same steps (a
    # notebook's outputs do not change): drawn from the store's sequence number.
    raw = digest("fileSearchStores", store.sequence(), *parts)
    return "".join(_ID_ALPHABET[b % len(_ID_ALPHABET)] for b in raw[:12])


# ----------------------------------------------------------------------------- stores


@serves("fileSearchStores.create")
async def create_store(ctx: Ctx) -> dict[str, Any]:
    body = await ctx.body()
    display = str(body.get("displayName") or "")
    _check_display_name(display, "FileSearchStore")
    model = str(body.get("embeddingModel") or DEFAULT_EMBEDDING_MODEL)
    info = lookup(model.removeprefix("models/"))
    if info is None or not info.is_embedding:
        raise EmulatorError(
            400,
            f"embedding_model {model!r} is not an embedding model; use "
            f"{DEFAULT_EMBEDDING_MODEL} (or leave it out).",
        )
    now = ctx.now
    record = StoredStore(
        id=_store_id(ctx.store, display),
        display_name=display,
        embedding_model=f"models/{info.name}" if not info.name.startswith("models/") else info.name,
        create_time=now,
        update_time=now,
    )
    with ctx.store.lock:
        _stores(ctx.store)[record.name] = record
    return record.to_json(now)


def _store_id(store: Store, display: str) -> str:
    with store.lock:
        while True:
            candidate = derived_id(store, display)
            if PREFIX + candidate not in _stores(store):
                return candidate


def _check_display_name(display: str, kind: str) -> None:
    if len(display) > MAX_DISPLAY_NAME:
        raise EmulatorError(
            400,
            f"The display name of a {kind} must be no more than {MAX_DISPLAY_NAME} characters "
            f"in length, including spaces; this one has {len(display)}.",
        )


@serves("fileSearchStores.get")
async def get_store(ctx: Ctx) -> dict[str, Any]:
    return find_store(ctx.store, ctx.params["name"]).to_json(ctx.now)


@serves("fileSearchStores.list")
async def list_stores(ctx: Ctx) -> dict[str, Any]:
    offset, size = ctx.page(DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
    now = ctx.now
    with ctx.store.lock:
        items = [s.to_json(now) for s in _stores(ctx.store).values()]
    return paged(items, "fileSearchStores", offset, size)


def _force(ctx: Ctx) -> bool:
    value = (ctx.query.get("force") or "").strip().lower()
    if value in ("", "false", "0"):
        return False
    if value in ("true", "1"):
        return True
    raise EmulatorError(400, f"Invalid value at 'force' (TYPE_BOOL), \"{ctx.query.get('force')}\"")


@serves("fileSearchStores.delete")
async def delete_store(ctx: Ctx) -> dict[str, Any]:
    force = _force(ctx)
    with ctx.store.lock:
        record = find_store(ctx.store, ctx.params["name"])
        if record.documents and not force:
            raise EmulatorError(
                400,
                f"Cannot delete FileSearchStore {record.name}: it has "
                f"{len(record.documents)} document(s). Delete them first, or set force=true "
                "to delete them with it.",
                rpc_status="FAILED_PRECONDITION",
            )
        _stores(ctx.store).pop(record.name, None)
        record.documents.clear()
    return {}


# ----------------------------------------------------------------------------- documents


@serves("fileSearchStores.documents.get")
async def get_document(ctx: Ctx) -> dict[str, Any]:
    _, doc = _find_document(ctx.store, ctx.params["name"])
    return doc.to_json(ctx.now)


@serves("fileSearchStores.documents.list")
async def list_documents(ctx: Ctx) -> dict[str, Any]:
    parent = find_store(ctx.store, ctx.params["parent"])
    offset, size = ctx.page(DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
    now = ctx.now
    with ctx.store.lock:
        items = [d.to_json(now) for d in parent.documents.values()]
    return paged(items, "documents", offset, size)


@serves("fileSearchStores.documents.delete")
async def delete_document(ctx: Ctx) -> dict[str, Any]:
    force = _force(ctx)
    with ctx.store.lock:
        parent, doc = _find_document(ctx.store, ctx.params["name"])
        if doc.chunks and not force:
            raise EmulatorError(
                400,
                f"Cannot delete Document {doc.name}: it has {len(doc.chunks)} chunk(s). "
                "Set force=true to delete the document with its chunks.",
                rpc_status="FAILED_PRECONDITION",
            )
        parent.documents.pop(doc.name, None)
        parent.update_time = ctx.now
    return {}


# ----------------------------------------------------------------------------- ingestion


def _check_ingest(body: dict[str, Any]) -> tuple[list[dict[str, Any]], int, int]:
    """Metadata and chunking of an upload or import, checked; (metadata, max, overlap)."""
    items = body.get("customMetadata") or []
    if len(items) > MAX_METADATA:
        raise EmulatorError(
            400,
            f"A Document can have a maximum of {MAX_METADATA} CustomMetadata; "
            f"{len(items)} were given.",
        )
    seen: set[str] = set()
    metadata: list[dict[str, Any]] = []
    for item in items:
        key = str(item.get("key") or "")
        if not key.strip():
            raise EmulatorError(400, "CustomMetadata.key is required.")
        if key in seen:
            raise EmulatorError(400, f"CustomMetadata keys must be unique; {key!r} is repeated.")
        seen.add(key)
        values = [k for k in ("stringValue", "numericValue", "stringListValue") if k in item]
        if len(values) != 1:
            raise EmulatorError(
                400,
                f"CustomMetadata {key!r} must have exactly one of string_value, numeric_value "
                "or string_list_value.",
            )
        clean: dict[str, Any] = {"key": key, values[0]: item[values[0]]}
        if values[0] == "numericValue":
            number = float(item["numericValue"])
            if not math.isfinite(number):
                raise EmulatorError(400, f"CustomMetadata {key!r} has a non-finite number.")
            clean["numericValue"] = int(number) if number == int(number) else number
        metadata.append(clean)
    ws = (body.get("chunkingConfig") or {}).get("whiteSpaceConfig") or {}
    size = int(ws.get("maxTokensPerChunk") or _extract.DEFAULT_MAX_TOKENS)
    if not MIN_CHUNK_TOKENS <= size <= MAX_CHUNK_TOKENS:
        raise EmulatorError(
            400,
            f"white_space_config.max_tokens_per_chunk must be between {MIN_CHUNK_TOKENS} and "
            f"{MAX_CHUNK_TOKENS}; it is {size}.",
        )
    default_overlap = min(_extract.DEFAULT_OVERLAP, size - 1)
    overlap = int(ws.get("maxOverlapTokens", default_overlap) or 0)
    if not 0 <= overlap < size:
        raise EmulatorError(
            400,
            "white_space_config.max_overlap_tokens must be at least 0 and less than "
            f"max_tokens_per_chunk ({size}); it is {overlap}.",
        )
    return metadata, size, overlap


def _check_type(mime: str) -> str:
    bare = mime.split(";", 1)[0].strip().lower()
    if not _extract.supported(bare):
        raise EmulatorError(
            400,
            f"Unsupported MIME type for file search: {bare}. File search takes text, PDF, "
            "Office documents, JSON, XML and code files.",
        )
    return bare


def _project_bytes(store: Store) -> int:
    with store.lock:
        return sum(d.size for s in _stores(store).values() for d in s.documents.values())


def _ingest(
    store: Store,
    parent: StoredStore,
    data: bytes,
    mime: str,
    display: str,
    body: dict[str, Any],
    now: float,
) -> StoredDocument:
    """Make the document: extracted, chunked and embedded now, ready on the clock later."""
    metadata, size, overlap = _check_ingest(body)
    if _project_bytes(store) + len(data) > PROJECT_LIMIT:
        raise EmulatorError(
            429,
            f"The file search stores of this project hold {PROJECT_LIMIT} bytes at most (1 GB, "
            "the free tier); delete documents or stores to make room.",
        )
    doc = StoredDocument(
        store_id=parent.id,
        id=derived_id(store, display),
        display_name=display,
        mime_type=mime,
        size=len(data),
        create_time=now,
        ready_time=now + 1.0 + len(data) / (4 * 1024 * 1024),
        custom_metadata=metadata,
    )
    try:
        extracted = _extract.extract_text(data, mime)
        pieces = _extract.chunk_text(extracted, size, overlap)
        if not pieces:
            raise _extract.ExtractionError("The document has no text.")
    except _extract.ExtractionError as err:
        doc.error = str(err)
    else:
        doc.chunks = [
            Chunk(
                p.text,
                p.page,
                # The display name is embedded with each chunk, as a document's title is.
                array("f", embed_text(p.text, VECTOR_DIMS, title=display or None)),
                frozenset(content_words(p.text)),
            )
            for p in pieces
        ]
    with store.lock:
        if parent.name not in _stores(store):
            raise _denied("FileSearchStore", parent.id)
        parent.documents[doc.name] = doc
        parent.update_time = now
    return doc


def _finish(doc: StoredDocument, response: dict[str, Any]) -> Any:
    def finish() -> dict[str, Any]:
        if doc.error is not None:
            raise EmulatorError(400, f"{_FAILED['message']} {doc.error}")
        return response

    return finish


def _start_ops(ctx: Ctx, doc: StoredDocument, *, upload: bool) -> dict[str, Any]:
    seconds = max(0.0, doc.ready_time - ctx.now)
    parent = PREFIX + doc.store_id
    imported = {"@type": _IMPORT_TYPE, "parent": doc.store_id, "documentName": doc.id}
    op = _operations.start(
        ctx.store,
        f"{parent}/operations/{doc.id}",
        seconds=seconds,
        finish=_finish(doc, imported),
    )
    if not upload:
        return op.to_json(ctx.now)
    uploaded = {
        "@type": _UPLOAD_TYPE,
        "parent": parent,
        "documentName": doc.name,
        "mimeType": doc.mime_type,
        "sizeBytes": str(doc.size),
    }
    up = _operations.start(
        ctx.store,
        f"{parent}/upload/operations/{doc.id}",
        seconds=seconds,
        finish=_finish(doc, uploaded),
    )
    answer = up.to_json(ctx.now)
    # The last chunk's answer names the document at once, done or not (as recorded).
    answer.setdefault("response", uploaded)
    return answer


def _upload_check(ctx: Ctx, upload: Upload) -> None:
    find_store(ctx.store, upload.params.get("fileSearchStoreName", ""))
    _check_ingest(upload.metadata)
    _check_display_name(str(upload.metadata.get("displayName") or ""), "Document")
    declared = upload.metadata.get("mimeType") or upload.declared_type
    if declared and declared != "application/octet-stream":
        _check_type(str(declared))


@on_upload("media.uploadToFileSearchStore", max_size=MAX_DOCUMENT_BYTES, check=_upload_check)
async def _uploaded(ctx: Ctx, upload: Upload) -> dict[str, Any]:
    parent = find_store(ctx.store, upload.params.get("fileSearchStoreName", ""))
    data = upload.blob_path.read_bytes()
    meta = upload.metadata
    mime = _check_type(
        _mime_type(
            meta.get("mimeType") or upload.declared_type,
            data,
            upload.file_name or str(meta.get("displayName") or ""),
        )
    )
    display = str(meta.get("displayName") or "")
    doc = _ingest(ctx.store, parent, data, mime, display, meta, ctx.now)
    return _start_ops(ctx, doc, upload=True)


def _mime_type(declared: Any, data: bytes, name: str) -> str:
    text = str(declared or "").split(";", 1)[0].strip().lower()
    if text and text != "application/octet-stream":
        return text
    head = data[:8]
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    guessed = mimetypes.guess_type(name)[0] if name else None
    if guessed:
        return guessed
    if data.lstrip()[:15].lower().startswith((b"<!doctype html", b"<html")):
        return "text/html"
    if b"\x00" not in data[:4096]:
        try:
            data[:4096].decode("utf-8")
            return "text/plain"
        except UnicodeDecodeError as err:
            if err.start >= min(len(data), 4096) - 3:
                return "text/plain"
    return "application/octet-stream"


@serves("fileSearchStores.importFile")
async def import_file(ctx: Ctx) -> dict[str, Any]:
    body = await ctx.body()
    parent = find_store(ctx.store, ctx.params["fileSearchStoreName"])
    _check_ingest(body)
    file = find_file(ctx.store, str(body.get("fileName") or ""))
    if file.state(ctx.now) != "ACTIVE":
        raise EmulatorError(
            400,
            f"The File {file.id} is not in an ACTIVE state and usage is not allowed.",
            rpc_status="FAILED_PRECONDITION",
        )
    mime = _check_type(file.mime_type)
    if file.size > MAX_DOCUMENT_BYTES:
        raise EmulatorError(
            400,
            f"The file is too large: {file.size} bytes. A file search document is at most "
            f"{MAX_DOCUMENT_BYTES} bytes.",
        )
    if file.blob_key is None:
        raise EmulatorError(400, f"The File {file.id} has no content the emulator can import.")
    data = ctx.store.blob_path(file.blob_key).read_bytes()
    doc = _ingest(ctx.store, parent, data, mime, file.display_name, body, ctx.now)
    return _start_ops(ctx, doc, upload=False)


# ----------------------------------------------------------------------------- retrieval


def _dot(a: array[float], b: array[float]) -> float:
    return float(sum(map(operator.mul, a, b)))


def search(
    store_names: list[str], query: str, metadata_filter: str | None, top_k: int
) -> list[_tool.Hit]:
    """The chunks of the named stores' ACTIVE documents most similar to ``query`` that pass
    the filter, best first (at most ``top_k``)."""
    ctx = routing.current()
    if ctx is None:
        return []
    store = ctx.store
    records = [find_store(store, name) for name in store_names]
    predicate = None
    if metadata_filter is not None and metadata_filter.strip():
        try:
            predicate = compile_filter(metadata_filter)
        except FilterSyntaxError as err:
            raise EmulatorError(
                400,
                f"Invalid metadata_filter {metadata_filter!r}: {err} (at character "
                f'{err.position + 1}). Write comparisons such as key = "value" or '
                "year > 2020, joined by AND, OR, NOT and parentheses.",
            ) from None
    query_vector = array("f", embed_text(query, VECTOR_DIMS))
    query_terms = frozenset(content_words(query))
    now = ctx.now
    scored: list[tuple[float, int, StoredStore, StoredDocument, Chunk]] = []
    order = 0
    with store.lock:
        for record in records:
            for doc in record.documents.values():
                if doc.state(now) != "STATE_ACTIVE":
                    continue
                if predicate is not None and not predicate(doc.metadata()):
                    continue
                for chunk in doc.chunks:
                    score = _dot(query_vector, chunk.vector)
                    if query_terms:
                        # Shared words lift a chunk, as a hybrid retriever's keyword side does.
                        score += 0.15 * len(query_terms & chunk.terms) / len(query_terms)
                    scored.append((score, order, record, doc, chunk))
                    order += 1
    scored.sort(key=lambda item: (-item[0], item[1]))
    hits = []
    for score, _, record, doc, chunk in scored[:top_k]:
        hits.append(
            _tool.Hit(
                store=record.name,
                document=doc.name,
                title=doc.display_name,
                text=chunk.text,
                page=chunk.page,
                custom_metadata=doc.custom_metadata,
                score=score,
            )
        )
    return hits


_tool.register_search(search)
