"""The Files API: uploaded files, their states, and the configs of ``client.files``."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from ._base import ResponseModel, WireModel
from .http import HttpOptions
from .operations import Status

__all__ = [
    "DownloadFileConfig",
    "File",
    "FileState",
    "ListFilesConfig",
    "UploadFileConfig",
    "VideoFileMetadata",
]


class FileState:
    """The values of ``File.state`` (plain strings on the wire and in Python)."""

    STATE_UNSPECIFIED = "STATE_UNSPECIFIED"
    PROCESSING = "PROCESSING"
    ACTIVE = "ACTIVE"
    FAILED = "FAILED"


class VideoFileMetadata(WireModel):
    video_duration: str | None = None


class File(ResponseModel):
    """A file uploaded with ``client.files.upload``; pass it in ``contents`` to use it.

    ``state`` is ``PROCESSING`` until the file can be used, then ``ACTIVE`` (or ``FAILED``,
    with ``error``). Files are deleted by the service at ``expiration_time`` (48 hours).
    """

    _table_columns: ClassVar[tuple[str, ...]] = (
        "name",
        "display_name",
        "mime_type",
        "size_bytes",
        "state",
        "create_time",
        "expiration_time",
        "uri",
    )

    name: str | None = None
    display_name: str | None = None
    mime_type: str | None = None
    size_bytes: int | None = None
    create_time: datetime | None = None
    expiration_time: datetime | None = None
    update_time: datetime | None = None
    sha256_hash: str | None = None
    uri: str | None = None
    download_uri: str | None = None
    state: str | None = None
    source: str | None = None
    video_metadata: VideoFileMetadata | None = None
    error: Status | None = None

    @property
    def id(self) -> str | None:
        """The name without its ``files/`` prefix."""
        return self.name.split("/", 1)[1] if self.name and "/" in self.name else self.name


class UploadFileConfig(WireModel):
    """Options of ``files.upload`` (google-genai's names): all optional.

    ``name`` chooses the id (``files/my-id``); ``mime_type`` is guessed from the file's name
    or first bytes when not given; ``display_name`` defaults to the file's base name.
    """

    http_options: HttpOptions | None = None
    name: str | None = None
    mime_type: str | None = None
    display_name: str | None = None


class ListFilesConfig(WireModel):
    http_options: HttpOptions | None = None
    page_size: int | None = None
    page_token: str | None = None


class DownloadFileConfig(WireModel):
    http_options: HttpOptions | None = None


class FileEnvelope(ResponseModel):
    """The answer of a finished upload: ``{"file": {...}}`` (not exported)."""

    file: File | None = None
