"""File search stores: stores of your documents, the documents, and the configs of
``client.file_search_stores`` (google-genai's names).

A :class:`FileSearchStore` holds :class:`Document` s, each chunked and embedded when it is
uploaded (``upload_to_file_search_store``) or imported from the Files API (``import_file``);
both answer a long-running operation whose result names the new document. The
``file_search`` tool of a generate call retrieves from the stores it names.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from pydantic import Field, model_validator

from ._base import ResponseModel, WireModel
from .http import HttpOptions

__all__ = [
    "ChunkingConfig",
    "CreateFileSearchStoreConfig",
    "CustomMetadata",
    "DeleteDocumentConfig",
    "DeleteFileSearchStoreConfig",
    "Document",
    "DocumentState",
    "FileSearchStore",
    "ImportFileConfig",
    "ImportFileResponse",
    "ListDocumentsConfig",
    "ListFileSearchStoresConfig",
    "StringList",
    "UploadToFileSearchStoreConfig",
    "UploadToFileSearchStoreResponse",
    "WhiteSpaceConfig",
]


class DocumentState:
    """The values of ``Document.state`` (plain strings on the wire and in Python)."""

    STATE_UNSPECIFIED = "STATE_UNSPECIFIED"
    STATE_PENDING = "STATE_PENDING"
    STATE_ACTIVE = "STATE_ACTIVE"
    STATE_FAILED = "STATE_FAILED"


class StringList(WireModel):
    values: list[str] = Field(default_factory=list)


class CustomMetadata(WireModel):
    """One key of a document's metadata, with exactly one value: a string, a number or a
    list of strings (at most 20 per document). ``metadata_filter`` selects on them."""

    key: str
    string_value: str | None = None
    numeric_value: float | None = None
    string_list_value: StringList | None = None

    @model_validator(mode="after")
    def _one_value(self) -> CustomMetadata:
        given = [
            v
            for v in (self.string_value, self.numeric_value, self.string_list_value)
            if v is not None
        ]
        if len(given) != 1:
            raise ValueError(
                f"custom metadata {self.key!r} needs exactly one of string_value, numeric_value "
                f"or string_list_value (it has {len(given)})"
            )
        return self

    @property
    def value(self) -> str | float | list[str] | None:
        if self.string_list_value is not None:
            return list(self.string_list_value.values)
        return self.string_value if self.string_value is not None else self.numeric_value


class WhiteSpaceConfig(WireModel):
    """Chunks of at most ``max_tokens_per_chunk`` whitespace-separated words (the API takes
    21 to 512), overlapping by at most ``max_overlap_tokens``."""

    max_tokens_per_chunk: int | None = None
    max_overlap_tokens: int | None = None


class ChunkingConfig(WireModel):
    white_space_config: WhiteSpaceConfig | None = None


class FileSearchStore(ResponseModel):
    """A store of documents that the ``file_search`` tool retrieves from.

    The counts and ``size_bytes`` are kept by the service as documents come and go.
    """

    _table_columns: ClassVar[tuple[str, ...]] = (
        "name",
        "display_name",
        "active_documents_count",
        "pending_documents_count",
        "failed_documents_count",
        "size_bytes",
        "embedding_model",
        "create_time",
        "update_time",
    )

    name: str | None = None
    display_name: str | None = None
    create_time: datetime | None = None
    update_time: datetime | None = None
    active_documents_count: int | None = None
    pending_documents_count: int | None = None
    failed_documents_count: int | None = None
    size_bytes: int | None = None
    embedding_model: str | None = None

    @property
    def id(self) -> str | None:
        """The name without its ``fileSearchStores/`` prefix."""
        return self.name.split("/", 1)[1] if self.name and "/" in self.name else self.name


class Document(ResponseModel):
    """A document of a store: ``STATE_PENDING`` while it is chunked and embedded, then
    ``STATE_ACTIVE`` (or ``STATE_FAILED``)."""

    _table_columns: ClassVar[tuple[str, ...]] = (
        "name",
        "display_name",
        "state",
        "mime_type",
        "size_bytes",
        "metadata",
        "create_time",
        "update_time",
    )

    name: str | None = None
    display_name: str | None = None
    state: str | None = None
    size_bytes: int | None = None
    mime_type: str | None = None
    create_time: datetime | None = None
    update_time: datetime | None = None
    custom_metadata: list[CustomMetadata] | None = None

    @property
    def metadata(self) -> dict[str, Any]:
        """The custom metadata as a plain dict (``{"year": 2021.0, "tags": ["a", "b"]}``)."""
        return {m.key: m.value for m in self.custom_metadata or []}

    @property
    def store_name(self) -> str | None:
        """``fileSearchStores/{id}``: the store this document belongs to."""
        if not self.name or "/documents/" not in self.name:
            return None
        return self.name.split("/documents/", 1)[0]


class ImportFileResponse(WireModel):
    """The result of an import: the store (``parent``) and the new document, as the API
    gives them (bare ids: ``document`` is the full document name)."""

    parent: str | None = None
    document_name: str | None = None

    @property
    def document(self) -> str | None:
        """``fileSearchStores/{store}/documents/{id}``, the name ``documents.get`` takes."""
        if not self.document_name or "/" in self.document_name:
            return self.document_name
        store = (self.parent or "").removeprefix("fileSearchStores/")
        return f"fileSearchStores/{store}/documents/{self.document_name}" if store else None


class UploadToFileSearchStoreResponse(WireModel):
    """The result of an upload: the store (``parent``) and the new document."""

    parent: str | None = None
    document_name: str | None = None
    mime_type: str | None = None
    size_bytes: int | None = None


class CreateFileSearchStoreConfig(WireModel):
    http_options: HttpOptions | None = None
    display_name: str | None = None
    embedding_model: str | None = None


class DeleteFileSearchStoreConfig(WireModel):
    """``force=True`` deletes the store's documents too; without it a store that still has
    documents is refused (``FAILED_PRECONDITION``)."""

    http_options: HttpOptions | None = None
    force: bool | None = None


class ListFileSearchStoresConfig(WireModel):
    http_options: HttpOptions | None = None
    page_size: int | None = None
    page_token: str | None = None


class UploadToFileSearchStoreConfig(WireModel):
    """Options of ``upload_to_file_search_store`` (google-genai's names): all optional.

    ``mime_type`` is guessed from the file's name or first bytes when not given;
    ``display_name`` (shown in citations) defaults to the file's base name.
    """

    http_options: HttpOptions | None = None
    mime_type: str | None = None
    display_name: str | None = None
    custom_metadata: list[CustomMetadata] | None = None
    chunking_config: ChunkingConfig | None = None


class ImportFileConfig(WireModel):
    http_options: HttpOptions | None = None
    custom_metadata: list[CustomMetadata] | None = None
    chunking_config: ChunkingConfig | None = None


class ListDocumentsConfig(WireModel):
    http_options: HttpOptions | None = None
    page_size: int | None = None
    page_token: str | None = None


class DeleteDocumentConfig(WireModel):
    """``force=True`` deletes the document's chunks with it (the API refuses otherwise)."""

    http_options: HttpOptions | None = None
    force: bool | None = None
