"""What ``client.file_search_stores`` checks before sending: store and document names, the
MIME types file search takes, custom metadata (also as a plain dict) and chunking configs.

Every check fails with an :class:`~gemini_nb.InvalidInputError` that says what to do, so that
nothing is sent (and nothing half-made) for input the API would refuse.
"""

from __future__ import annotations

import mimetypes
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .._exceptions import InvalidInputError
from .._options import coerce_config_as
from ..types import to_wire
from ..types.file_search import CustomMetadata

__all__ = [
    "MAX_CHUNK_TOKENS",
    "MAX_DOCUMENT_BYTES",
    "MAX_METADATA",
    "MIN_CHUNK_TOKENS",
    "PREFIX",
    "MetadataArg",
    "document_name",
    "ingest_body",
    "ingest_config",
    "is_supported_type",
    "store_name",
    "type_of_path",
]

PREFIX = "fileSearchStores/"
MAX_METADATA = 20
MIN_CHUNK_TOKENS, MAX_CHUNK_TOKENS = 21, 512
MAX_DOCUMENT_BYTES = 100 * 1024 * 1024  # Discovery: uploadToFileSearchStore mediaUpload.maxSize

# Besides text/*: the document types file search takes (PDF, Office, data and code files).
_APPLICATION_TYPES = frozenset(
    {
        "application/pdf",
        "application/json",
        "application/xml",
        "application/rtf",
        "application/sql",
        "application/x-sh",
        "application/x-python",
        "application/x-python-code",
        "application/javascript",
        "application/x-javascript",
        "application/typescript",
        "application/x-yaml",
        "application/yaml",
        "application/x-tex",
        "application/x-latex",
        "application/msword",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.ms-excel",
        "application/vnd.ms-powerpoint",
        "application/vnd.oasis.opendocument.text",
        "application/x-ipynb+json",
    }
)
# Extensions mimetypes does not know everywhere, read as what file search takes them for.
_EXTRA_TYPES = {
    ".md": "text/markdown",
    ".markdown": "text/markdown",
    ".rst": "text/x-rst",
    ".ipynb": "application/x-ipynb+json",
    ".yaml": "application/x-yaml",
    ".yml": "application/x-yaml",
    ".toml": "text/x-toml",
    ".ts": "application/typescript",
    ".go": "text/x-go",
    ".rs": "text/x-rust",
    ".sql": "application/sql",
}


def is_supported_type(mime_type: str) -> bool:
    """Whether file search takes documents of this MIME type (text, PDF, Office, data)."""
    bare = mime_type.split(";", 1)[0].strip().lower()
    return bare.startswith("text/") or bare in _APPLICATION_TYPES


def type_of_path(path: str | os.PathLike[str]) -> str | None:
    suffix = Path(path).suffix.lower()
    return _EXTRA_TYPES.get(suffix) or mimetypes.guess_type(os.fspath(path))[0]


MetadataArg = list[CustomMetadata] | Mapping[str, Any] | None
"""A list of CustomMetadata, or a dict such as ``{"year": 2024, "tags": ["a", "b"]}``."""

# ------------------------------------------------------------------ names


def store_name(store: Any) -> str:
    """``fileSearchStores/{id}`` from an id, a name or a FileSearchStore."""
    name = getattr(store, "name", store)
    if not isinstance(name, str) or not name.strip():
        raise InvalidInputError(
            "Pass a FileSearchStore or its name ('fileSearchStores/my-store-123abc'); "
            "client.file_search_stores.list() shows your stores."
        )
    bare = name.strip().removeprefix(PREFIX)
    if not bare or any(bad in bare for bad in ("/", "?", "#", ":", "..", " ")):
        raise InvalidInputError(
            f"{name!r} is not a file search store name; expected 'fileSearchStores/{{id}}'."
        )
    return PREFIX + bare


def document_name(document: Any) -> str:
    """``fileSearchStores/{store}/documents/{id}`` from a name or a Document."""
    name = getattr(document, "name", document)
    if not isinstance(name, str) or not name.strip():
        raise InvalidInputError(
            "Pass a Document or its name ('fileSearchStores/{store}/documents/{id}'); "
            "client.file_search_stores.documents.list(parent=store) shows them."
        )
    text = name.strip()
    parts = text.split("/")
    if (
        len(parts) != 4
        or parts[0] != PREFIX.rstrip("/")
        or parts[2] != "documents"
        or not all(parts)
        or any(bad in text for bad in ("?", "#", ":", "..", " "))
    ):
        raise InvalidInputError(
            f"{text!r} is not a document name; expected "
            "'fileSearchStores/{store}/documents/{id}' (the name a Document or an upload's "
            "result gives)."
        )
    return text


# ------------------------------------------------------------------ config checks


def _metadata_list(value: Any) -> Any:
    """``{"year": 2024, "tags": ["a", "b"]}`` as the API's list of CustomMetadata."""
    if not isinstance(value, Mapping):
        return value
    out: list[dict[str, Any]] = []
    for key, item in value.items():
        if isinstance(item, bool):
            raise InvalidInputError(
                f"custom metadata {key!r}: a boolean is not a metadata value; use a string "
                "('yes'), a number (1) or a list of strings."
            )
        if isinstance(item, (int, float)):
            out.append({"key": key, "numeric_value": float(item)})
        elif isinstance(item, str):
            out.append({"key": key, "string_value": item})
        elif isinstance(item, (list, tuple)) and all(isinstance(v, str) for v in item):
            out.append({"key": key, "string_list_value": {"values": list(item)}})
        else:
            raise InvalidInputError(
                f"custom metadata {key!r} must be a string, a number or a list of strings, "
                f"not {type(item).__name__}."
            )
    return out


def _check_metadata(items: list[CustomMetadata] | None) -> None:
    if not items:
        return
    if len(items) > MAX_METADATA:
        raise InvalidInputError(
            f"A document takes at most {MAX_METADATA} custom metadata entries; "
            f"{len(items)} were given."
        )
    keys = [m.key for m in items]
    if any(not k.strip() for k in keys):
        raise InvalidInputError("Every custom metadata entry needs a non-empty key.")
    dupes = sorted({k for k in keys if keys.count(k) > 1})
    if dupes:
        raise InvalidInputError(f"Custom metadata keys must be unique; repeated: {dupes}.")


def _check_chunking(cfg: Any) -> None:
    ws = getattr(getattr(cfg, "chunking_config", None), "white_space_config", None)
    if ws is None:
        return
    size, overlap = ws.max_tokens_per_chunk, ws.max_overlap_tokens
    if size is not None and not MIN_CHUNK_TOKENS <= size <= MAX_CHUNK_TOKENS:
        raise InvalidInputError(
            f"max_tokens_per_chunk must be between {MIN_CHUNK_TOKENS} and {MAX_CHUNK_TOKENS} "
            f"words, not {size}."
        )
    limit = (size or MAX_CHUNK_TOKENS) - 1
    if overlap is not None and not 0 <= overlap <= limit:
        raise InvalidInputError(
            f"max_overlap_tokens must be between 0 and max_tokens_per_chunk - 1 ({limit}), "
            f"not {overlap}."
        )


def ingest_config(cls: type[Any], config: Any, **keywords: Any) -> Any:
    if isinstance(config, Mapping):
        config = dict(config)
        for key in ("custom_metadata", "customMetadata"):
            if key in config:
                config[key] = _metadata_list(config[key])
    if "custom_metadata" in keywords:
        keywords["custom_metadata"] = _metadata_list(keywords["custom_metadata"])
    cfg = coerce_config_as(cls, config, **keywords)
    _check_metadata(cfg.custom_metadata)
    _check_chunking(cfg)
    return cfg


def ingest_body(cfg: Any) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if cfg.custom_metadata:
        body["customMetadata"] = [to_wire(m) for m in cfg.custom_metadata]
    if cfg.chunking_config is not None:
        body["chunkingConfig"] = to_wire(cfg.chunking_config)
    return body
