"""``client.file_search_stores``: stores of your documents that the ``file_search`` tool
retrieves from, their documents, uploads and imports into them.

>>> store = client.file_search_stores.create(config={"display_name": "handbook"})   # doctest: +SKIP
>>> op = client.file_search_stores.upload_to_file_search_store(
...     file_search_store_name=store.name, file="leave.md",
...     config={"custom_metadata": {"team": "hr", "year": 2024}})                    # doctest: +SKIP
>>> op.wait(timeout=300)                                                          # doctest: +SKIP
>>> client.models.generate_content(model="gemini-2.5-flash", contents="How many leave days?",
...     config={"tools": [{"file_search": {"file_search_store_names": [store.name]}}]})  # doctest: +SKIP

Uploads use the same resumable protocol as the Files API (``_upload``); every method is a flow
written once, which ``FileSearchStores`` and ``AsyncFileSearchStores`` hand to their client.
``upload_folder`` uploads every supported file of a folder with one progress callback.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._exceptions import APIError, InvalidInputError
from .._operations import bind, check_timeout, poll_flow
from .._options import coerce_config_as, http_options_of
from .._pager import AsyncPager, Page, Pager, list_args, list_flow
from .._transport import Call, Reply
from .._upload import (
    DEFAULT_CHUNK_SIZE,
    Progress,
    check_chunk_size,
    check_mime_type,
    guess_mime_type,
    open_source,
    upload_flow,
)
from ..types import HttpOptions
from ..types.file_search import (
    CreateFileSearchStoreConfig,
    DeleteDocumentConfig,
    DeleteFileSearchStoreConfig,
    Document,
    FileSearchStore,
    ImportFileConfig,
    ImportFileResponse,
    UploadToFileSearchStoreConfig,
    UploadToFileSearchStoreResponse,
)
from ..types.operations import AsyncOperation, Operation, _OperationData
from ._file_search_input import (
    MAX_DOCUMENT_BYTES,
    PREFIX,
    MetadataArg,
    document_name,
    ingest_body,
    ingest_config,
    is_supported_type,
    store_name,
    type_of_path,
)

if TYPE_CHECKING:
    from .._client import AsyncClient, Client
    from .._transport import Flow

__all__ = [
    "AsyncDocuments",
    "AsyncFileSearchStores",
    "Documents",
    "FileSearchStores",
    "FolderProgress",
    "FolderUpload",
    "document_name",
    "is_supported_type",
    "store_name",
]

# ------------------------------------------------------------------ flows

UploadOp = _OperationData[UploadToFileSearchStoreResponse]
ImportOp = _OperationData[ImportFileResponse]


def create_flow(cfg: CreateFileSearchStoreConfig) -> Flow[FileSearchStore]:
    body: dict[str, Any] = {}
    if cfg.display_name is not None:
        if len(cfg.display_name) > 512:
            raise InvalidInputError(
                f"display_name must be at most 512 characters; it has {len(cfg.display_name)}."
            )
        body["displayName"] = cfg.display_name
    if cfg.embedding_model is not None:
        model = cfg.embedding_model.strip()
        body["embeddingModel"] = model if model.startswith("models/") else f"models/{model}"
    reply: Reply = yield Call("POST", "fileSearchStores", body=body, options=cfg.http_options)
    return reply.model(FileSearchStore)


def get_flow(name: str, options: HttpOptions | None) -> Flow[FileSearchStore]:
    reply: Reply = yield Call("GET", name, options=options)
    return reply.model(FileSearchStore)


def delete_flow(name: str, force: bool | None, options: HttpOptions | None) -> Flow[None]:
    # google-genai sends the Python text of the bool ("True"); the API takes either spelling.
    params = {"force": "true"} if force else None
    yield Call("DELETE", name, params=params, options=options)
    return None


def get_document_flow(name: str, options: HttpOptions | None) -> Flow[Document]:
    reply: Reply = yield Call("GET", name, options=options)
    return reply.model(Document)


def upload_document_flow(
    store: str,
    file: Any,
    cfg: UploadToFileSearchStoreConfig,
    op_type: type[_OperationData[Any]],
    *,
    progress: Progress | None,
    chunk_size: int,
    max_recoveries: int,
) -> Flow[Any]:
    """The resumable upload of one document; its operation (often not done yet)."""
    if progress is not None and not callable(progress):
        raise InvalidInputError("progress must be a function called with (bytes_sent, total).")
    source = open_source(file)
    try:
        mime = cfg.mime_type or guess_mime_type(source)
        if source.name and not cfg.mime_type:
            mime = type_of_path(source.name) or mime
        if mime is None:
            what = repr(source.name) if source.name else "these bytes"
            raise InvalidInputError(
                f"Cannot tell the MIME type of {what}; pass mime_type='text/plain' "
                "(or the right type)."
            )
        mime = check_mime_type(mime)
        if not is_supported_type(mime):
            raise InvalidInputError(
                f"File search does not take {mime} documents: upload text, Markdown, HTML, "
                "PDF, Office documents, JSON or code files."
            )
        if source.size > MAX_DOCUMENT_BYTES:
            raise InvalidInputError(
                f"The file is {source.size} bytes; a file search document is at most "
                f"{MAX_DOCUMENT_BYTES} bytes (100 MB). Split it into smaller files."
            )
    except BaseException:
        source.close()
        raise
    body = ingest_body(cfg)
    body["mimeType"] = mime
    display = cfg.display_name or source.name
    if display:
        body["displayName"] = display
    options = cfg.http_options
    if options is not None and options.max_retries is not None:
        max_recoveries = options.max_retries

    def final(reply: Reply) -> Any:
        op = reply.model(op_type)
        op._http = reply.info
        return op

    op = yield from upload_flow(
        source,
        mime_type=mime,
        chunk_size=chunk_size,
        progress=progress,
        options=options,
        max_recoveries=max_recoveries,
        path=f"{store}:uploadToFileSearchStore",
        body=body,
        final=final,
    )
    return op


def import_flow(
    store: str, file_name: str, cfg: ImportFileConfig, op_type: type[_OperationData[Any]]
) -> Flow[Any]:
    from .files import file_name as normalise_file

    body = {"fileName": normalise_file(file_name), **ingest_body(cfg)}
    reply: Reply = yield Call("POST", f"{store}:importFile", body=body, options=cfg.http_options)
    return reply.model(op_type)


# ------------------------------------------------------------------ folders


@dataclass
class FolderProgress:
    """Where a folder upload stands, passed to ``upload_folder``'s ``progress`` callback.

    Bytes cover the whole folder; ``documents_ready`` counts documents that finished
    processing (ACTIVE or FAILED). ``current`` is the file being uploaded, if any.
    """

    files_total: int
    bytes_total: int
    bytes_sent: int = 0
    files_uploaded: int = 0
    documents_ready: int = 0
    current: str | None = None

    @property
    def fraction(self) -> float:
        """0 to 1: uploading counts for 80%, processing for the rest."""
        if not self.files_total:
            return 1.0
        sent = self.bytes_sent / self.bytes_total if self.bytes_total else 1.0
        return 0.8 * sent + 0.2 * self.documents_ready / self.files_total


@dataclass
class FolderUpload:
    """What ``upload_folder`` did: the documents made, and the files it left out or that
    failed, each with the reason."""

    store: str
    documents: list[Document] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)

    def __repr__(self) -> str:
        return (
            f"FolderUpload(store={self.store!r}, documents={len(self.documents)}, "
            f"skipped={len(self.skipped)}, failed={len(self.failed)})"
        )


def scan_folder(folder: Any, recursive: bool) -> tuple[Path, list[Path], list[tuple[str, str]]]:
    """The files of ``folder`` file search takes, and those it does not (with why)."""
    if not isinstance(folder, (str, os.PathLike)):
        raise InvalidInputError(f"folder must be a path, not {type(folder).__name__}.")
    root = Path(folder).expanduser()
    if not root.is_dir():
        raise InvalidInputError(
            f"{os.fspath(folder)!r} is not a folder (relative paths start at {os.getcwd()!r})."
        )
    candidates = sorted(root.rglob("*") if recursive else root.iterdir())
    take: list[Path] = []
    skipped: list[tuple[str, str]] = []
    for path in candidates:
        rel = path.relative_to(root)
        if any(part.startswith(".") for part in rel.parts) or not path.is_file():
            continue
        mime = type_of_path(path)
        if mime is None or not is_supported_type(mime):
            skipped.append((str(rel), f"file search does not take {mime or 'this type'}"))
        elif path.stat().st_size > MAX_DOCUMENT_BYTES:
            skipped.append((str(rel), "larger than 100 MB"))
        elif path.stat().st_size == 0:
            skipped.append((str(rel), "empty"))
        else:
            take.append(path)
    return root, take, skipped


def upload_folder_flow(
    store: str,
    root: Path,
    files: list[Path],
    result: FolderUpload,
    *,
    metadata: Callable[[Path], Any] | Mapping[str, Any] | None,
    chunking_config: Any,
    progress: Callable[[FolderProgress], Any] | None,
    wait: bool,
    timeout: float | None,
    max_recoveries: int,
) -> Flow[FolderUpload]:
    sizes = [p.stat().st_size for p in files]
    state = FolderProgress(files_total=len(files), bytes_total=sum(sizes))
    done_bytes = 0
    pending: list[tuple[str, UploadOp]] = []

    def report() -> None:
        if progress is not None:
            progress(state)

    report()
    for path, size in zip(files, sizes, strict=True):
        rel = str(path.relative_to(root))
        state.current = rel

        def on_bytes(sent: int, total: int, base: int = done_bytes) -> None:
            state.bytes_sent = base + sent
            report()

        meta = metadata(path) if callable(metadata) else metadata
        cfg = ingest_config(
            UploadToFileSearchStoreConfig,
            None,
            display_name=rel,
            mime_type=type_of_path(path),
            custom_metadata=meta,
            chunking_config=chunking_config,
        )
        try:
            op = yield from upload_document_flow(
                store,
                path,
                cfg,
                _OperationData[UploadToFileSearchStoreResponse],
                progress=on_bytes,
                chunk_size=DEFAULT_CHUNK_SIZE,
                max_recoveries=max_recoveries,
            )
        except APIError as err:
            result.failed.append((rel, str(err)))
        else:
            pending.append((rel, op))
        done_bytes += size
        state.bytes_sent = done_bytes
        state.files_uploaded += 1
        report()
    state.current = None
    limit = check_timeout(timeout)
    for rel, op in pending:
        if wait:
            op = yield from poll_flow(
                op,
                functools.partial(_refetch_op, op),
                lambda o: bool(o.done),
                timeout=limit,
                progress=None,
                what=f"Processing of {rel}",
            )
        doc_name = op.response.document_name if op.response is not None else None
        if op.error is not None:
            result.failed.append((rel, op.error.describe()))
        elif doc_name:
            doc = yield from get_document_flow(doc_name, None)
            if doc.state == "STATE_FAILED":
                result.failed.append((rel, "the document failed processing"))
            else:
                result.documents.append(doc)
        state.documents_ready += 1
        report()
    return result


def _refetch_op(op: UploadOp) -> Flow[UploadOp]:
    reply: Reply = yield Call("GET", op.name)
    return reply.model(type(op))


# ------------------------------------------------------------------ arguments
# What a shell does before any I/O, written once: each returns what the shell hands its client.


def _documents_pages(
    parent: Any, config: Any, page_size: int | None, page_token: str | None
) -> Callable[[str | None], Flow[Page[Document]]]:
    args = list_args(config, page_size=page_size, page_token=page_token)
    path = f"{store_name(parent)}/documents"
    return lambda t: list_flow(path, Document, "documents", args, t)


def _stores_pages(
    config: Any, page_size: int | None, page_token: str | None
) -> Callable[[str | None], Flow[Page[FileSearchStore]]]:
    args = list_args(config, page_size=page_size, page_token=page_token)
    return lambda t: list_flow(PREFIX.rstrip("/"), FileSearchStore, "fileSearchStores", args, t)


def _delete_document(name: Any, config: Any, force: bool | None) -> Flow[None]:
    cfg = coerce_config_as(DeleteDocumentConfig, config, force=force)
    return delete_flow(document_name(name), cfg.force, cfg.http_options)


def _delete_store(name: Any, config: Any, force: bool | None) -> Flow[None]:
    cfg = coerce_config_as(DeleteFileSearchStoreConfig, config, force=force)
    return delete_flow(store_name(name), cfg.force, cfg.http_options)


def _create(
    config: Any, display_name: str | None, embedding_model: str | None
) -> Flow[FileSearchStore]:
    cfg = coerce_config_as(
        CreateFileSearchStoreConfig,
        config,
        display_name=display_name,
        embedding_model=embedding_model,
    )
    return create_flow(cfg)


def _upload(
    op_type: type[_OperationData[Any]], max_recoveries: int, a: dict[str, Any]
) -> Flow[Any]:
    """``upload_to_file_search_store`` of either client, from its ``locals()``."""
    cfg = ingest_config(
        UploadToFileSearchStoreConfig,
        a["config"],
        mime_type=a["mime_type"],
        display_name=a["display_name"],
        custom_metadata=a["custom_metadata"],
        chunking_config=a["chunking_config"],
    )
    chunk_size = a["chunk_size"]
    size = check_chunk_size(chunk_size if chunk_size is not None else DEFAULT_CHUNK_SIZE)
    return upload_document_flow(
        store_name(a["file_search_store_name"]),
        a["file"],
        cfg,
        op_type,
        progress=a["progress"],
        chunk_size=size,
        max_recoveries=max_recoveries,
    )


def _import(op_type: type[_OperationData[Any]], a: dict[str, Any]) -> Flow[Any]:
    """``import_file`` of either client, from its ``locals()``."""
    cfg = ingest_config(
        ImportFileConfig,
        a["config"],
        custom_metadata=a["custom_metadata"],
        chunking_config=a["chunking_config"],
    )
    return import_flow(store_name(a["file_search_store_name"]), a["file_name"], cfg, op_type)


def _folder(max_recoveries: int, a: dict[str, Any]) -> Flow[FolderUpload]:
    """``upload_folder`` of either client, from its ``locals()``: the folder is read now."""
    store = store_name(a["file_search_store_name"])
    root, files, skipped = scan_folder(a["folder"], a["recursive"])
    result = FolderUpload(store, skipped=skipped)
    return upload_folder_flow(
        store,
        root,
        files,
        result,
        metadata=a["custom_metadata"],
        chunking_config=a["chunking_config"],
        progress=a["progress"],
        wait=a["wait"],
        timeout=a["timeout"],
        max_recoveries=max_recoveries,
    )


# ------------------------------------------------------------------ shells


class Documents:
    """The documents of a store: list, get, delete."""

    def __init__(self, client: Client) -> None:
        self._client = client

    def list(
        self,
        *,
        parent: str | FileSearchStore,
        config: Any = None,
        page_size: int | None = None,
        page_token: str | None = None,
    ) -> Pager[Document]:
        """A store's documents, page by page (``.to_pandas()`` for a table)."""
        pages = _documents_pages(parent, config, page_size, page_token)
        return Pager(self._client, pages, Document)

    def get(self, *, name: str | Document, config: Any = None) -> Document:
        return self._client._run(get_document_flow(document_name(name), http_options_of(config)))

    def delete(
        self,
        *,
        name: str | Document,
        config: DeleteDocumentConfig | dict[str, Any] | None = None,
        force: bool | None = None,
    ) -> None:
        """Delete a document; ``force=True`` deletes its chunks with it (the API refuses a
        document that has chunks otherwise)."""
        self._client._run(_delete_document(name, config, force))


class AsyncDocuments:
    """The async twin of :class:`Documents`."""

    def __init__(self, client: AsyncClient) -> None:
        self._client = client

    async def list(
        self,
        *,
        parent: str | FileSearchStore,
        config: Any = None,
        page_size: int | None = None,
        page_token: str | None = None,
    ) -> AsyncPager[Document]:
        pages = _documents_pages(parent, config, page_size, page_token)
        return await AsyncPager(self._client, pages, Document)._start()

    async def get(self, *, name: str | Document, config: Any = None) -> Document:
        return await self._client._run(
            get_document_flow(document_name(name), http_options_of(config))
        )

    async def delete(
        self,
        *,
        name: str | Document,
        config: DeleteDocumentConfig | dict[str, Any] | None = None,
        force: bool | None = None,
    ) -> None:
        await self._client._run(_delete_document(name, config, force))


class FileSearchStores:
    """Create stores, put documents in them (upload or import), list, get and delete.

    >>> store = client.file_search_stores.create(display_name="notes")     # doctest: +SKIP
    >>> client.file_search_stores.upload_folder(
    ...     file_search_store_name=store.name, folder="docs/")               # doctest: +SKIP
    """

    def __init__(self, client: Client) -> None:
        self._client = client

    @property
    def documents(self) -> Documents:
        return self._client._resource("file_search_stores.documents", Documents)  # type: ignore[no-any-return]

    def create(
        self,
        *,
        config: CreateFileSearchStoreConfig | dict[str, Any] | None = None,
        display_name: str | None = None,
        embedding_model: str | None = None,
    ) -> FileSearchStore:
        """An empty store; its name is made from ``display_name`` and a random suffix."""
        return self._client._run(_create(config, display_name, embedding_model))

    def get(self, *, name: str | FileSearchStore, config: Any = None) -> FileSearchStore:
        return self._client._run(get_flow(store_name(name), http_options_of(config)))

    def list(
        self, *, config: Any = None, page_size: int | None = None, page_token: str | None = None
    ) -> Pager[FileSearchStore]:
        """Your stores, page by page (``.to_pandas()`` for a table)."""
        pages = _stores_pages(config, page_size, page_token)
        return Pager(self._client, pages, FileSearchStore)

    def delete(
        self,
        *,
        name: str | FileSearchStore,
        config: DeleteFileSearchStoreConfig | dict[str, Any] | None = None,
        force: bool | None = None,
    ) -> None:
        """Delete a store; one that still has documents needs ``force=True``."""
        self._client._run(_delete_store(name, config, force))

    def upload_to_file_search_store(
        self,
        *,
        file_search_store_name: str | FileSearchStore,
        file: str | os.PathLike[str] | bytes | Any,
        config: UploadToFileSearchStoreConfig | dict[str, Any] | None = None,
        mime_type: str | None = None,
        display_name: str | None = None,
        custom_metadata: MetadataArg = None,
        chunking_config: Any = None,
        progress: Progress | None = None,
        chunk_size: int | None = None,
    ) -> Operation[UploadToFileSearchStoreResponse]:
        """Upload a path, bytes or binary file object as a new document of the store.

        Returns the operation (``op.wait(progress=...)`` until the document is ready; its
        result's ``document_name`` names it). ``custom_metadata`` may be a dict
        (``{"year": 2024, "tags": ["a"]}``); ``progress(sent, total)`` follows the bytes.
        """
        retries = self._client.settings.retry.max_retries
        flow = _upload(Operation[UploadToFileSearchStoreResponse], retries, locals())
        return bind(self._client._run(flow), self._client)

    def import_file(
        self,
        *,
        file_search_store_name: str | FileSearchStore,
        file_name: Any,
        config: ImportFileConfig | dict[str, Any] | None = None,
        custom_metadata: MetadataArg = None,
        chunking_config: Any = None,
    ) -> Operation[ImportFileResponse]:
        """Import a Files API file (``files/abc`` or a File) as a new document of the store."""
        flow = _import(Operation[ImportFileResponse], locals())
        return bind(self._client._run(flow), self._client)

    def upload_folder(
        self,
        *,
        file_search_store_name: str | FileSearchStore,
        folder: str | os.PathLike[str],
        recursive: bool = True,
        custom_metadata: Callable[[Path], Any] | Mapping[str, Any] | None = None,
        chunking_config: Any = None,
        progress: Callable[[FolderProgress], Any] | None = None,
        wait: bool = True,
        timeout: float | None = None,
    ) -> FolderUpload:
        """Upload every file of ``folder`` that file search takes, one document each (named
        by its path in the folder); hidden files are left out.

        ``custom_metadata`` is one dict for all, or a function of the path; ``progress`` gets
        a :class:`FolderProgress` as bytes go and documents become ready. With ``wait`` the
        call returns once every document is ACTIVE or FAILED.
        """
        flow = _folder(self._client.settings.retry.max_retries, locals())
        return self._client._run(flow)


class AsyncFileSearchStores:
    """The async twin of :class:`FileSearchStores`."""

    def __init__(self, client: AsyncClient) -> None:
        self._client = client

    @property
    def documents(self) -> AsyncDocuments:
        return self._client._resource("file_search_stores.documents", AsyncDocuments)  # type: ignore[no-any-return]

    async def create(
        self,
        *,
        config: CreateFileSearchStoreConfig | dict[str, Any] | None = None,
        display_name: str | None = None,
        embedding_model: str | None = None,
    ) -> FileSearchStore:
        return await self._client._run(_create(config, display_name, embedding_model))

    async def get(self, *, name: str | FileSearchStore, config: Any = None) -> FileSearchStore:
        return await self._client._run(get_flow(store_name(name), http_options_of(config)))

    async def list(
        self, *, config: Any = None, page_size: int | None = None, page_token: str | None = None
    ) -> AsyncPager[FileSearchStore]:
        pages = _stores_pages(config, page_size, page_token)
        return await AsyncPager(self._client, pages, FileSearchStore)._start()

    async def delete(
        self,
        *,
        name: str | FileSearchStore,
        config: DeleteFileSearchStoreConfig | dict[str, Any] | None = None,
        force: bool | None = None,
    ) -> None:
        await self._client._run(_delete_store(name, config, force))

    async def upload_to_file_search_store(
        self,
        *,
        file_search_store_name: str | FileSearchStore,
        file: str | os.PathLike[str] | bytes | Any,
        config: UploadToFileSearchStoreConfig | dict[str, Any] | None = None,
        mime_type: str | None = None,
        display_name: str | None = None,
        custom_metadata: MetadataArg = None,
        chunking_config: Any = None,
        progress: Progress | None = None,
        chunk_size: int | None = None,
    ) -> AsyncOperation[UploadToFileSearchStoreResponse]:
        retries = self._client.settings.retry.max_retries
        flow = _upload(AsyncOperation[UploadToFileSearchStoreResponse], retries, locals())
        return bind(await self._client._run(flow), self._client)

    async def import_file(
        self,
        *,
        file_search_store_name: str | FileSearchStore,
        file_name: Any,
        config: ImportFileConfig | dict[str, Any] | None = None,
        custom_metadata: MetadataArg = None,
        chunking_config: Any = None,
    ) -> AsyncOperation[ImportFileResponse]:
        flow = _import(AsyncOperation[ImportFileResponse], locals())
        return bind(await self._client._run(flow), self._client)

    async def upload_folder(
        self,
        *,
        file_search_store_name: str | FileSearchStore,
        folder: str | os.PathLike[str],
        recursive: bool = True,
        custom_metadata: Callable[[Path], Any] | Mapping[str, Any] | None = None,
        chunking_config: Any = None,
        progress: Callable[[FolderProgress], Any] | None = None,
        wait: bool = True,
        timeout: float | None = None,
    ) -> FolderUpload:
        flow = _folder(self._client.settings.retry.max_retries, locals())
        return await self._client._run(flow)
