"""``client.files``: upload, look up, list, delete and download files (the Files API).

>>> f = client.files.upload(file="report.pdf")                  # doctest: +SKIP
>>> client.models.generate_content(model="gemini-2.5-flash",
...                                contents=[f, "Summarize this."])  # doctest: +SKIP

Uploads are resumable and streamed from disk (see ``_upload``); ``upload`` waits until the file
is ``ACTIVE`` (``wait=False`` returns at once). Every method is a flow written once; ``Files``
and ``AsyncFiles`` only hand it to their client.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

from .._exceptions import InvalidInputError
from .._operations import poll_flow
from .._options import coerce_config_as, http_options_of
from .._pager import AsyncPager, Pager, list_args, list_flow
from .._transport import Call, Reply
from .._upload import (
    DEFAULT_CHUNK_SIZE,
    Progress,
    check_chunk_size,
    check_destination,
    check_mime_type,
    check_not_failed,
    download_flow,
    download_to_path_flow,
    guess_mime_type,
    open_source,
    processing_done,
    upload_flow,
)
from ..types import File, HttpOptions, UploadFileConfig

if TYPE_CHECKING:
    from .._client import AsyncClient, Client
    from .._transport import Flow
    from ..types.media import GeneratedVideo, Video

__all__ = ["AsyncFiles", "Files", "file_name"]


def file_name(file: Any) -> str:
    """``files/{id}`` from an id, a name, a File, or a URI such as
    ``https://…/v1beta/files/{id}`` or ``…/files/{id}:download?alt=media``."""
    if not isinstance(file, str) and not hasattr(file, "name"):
        # A generated Video (or GeneratedVideo) is named by its download URI.
        file = getattr(getattr(file, "video", None), "uri", None) or getattr(file, "uri", file)
    name = getattr(file, "name", file) if not isinstance(file, str) else file
    if not isinstance(name, str) or not name.strip():
        raise InvalidInputError(
            "Pass a File, its name ('files/abc123') or its URI; "
            "client.files.list() shows your files."
        )
    text = name.strip()
    if text.startswith(("http://", "https://")):
        path = text.split("?", 1)[0]
        marker = path.rfind("/files/")
        if marker < 0:
            raise InvalidInputError(f"{text!r} is not a file URI (expected …/files/{{id}}).")
        text = path[marker + 1 :].split(":", 1)[0]
    bare = text.removeprefix("files/")
    if not bare or any(bad in bare for bad in ("/", "?", "#", ":", "..", " ")):
        raise InvalidInputError(f"{name!r} is not a file name; expected 'files/{{id}}'.")
    return f"files/{bare}"


def _keep_video_bytes(file: Any, data: bytes) -> bytes:
    """A downloaded Video keeps its bytes (``video.save(path)``, display), as google-genai's."""
    video = getattr(file, "video", file)
    if hasattr(video, "video_bytes") and hasattr(video, "uri"):
        video.video_bytes = data
        if not getattr(video, "mime_type", None):
            video.mime_type = "video/mp4"
    return data


def _upload_name(name: str | None) -> str | None:
    return file_name(name) if name is not None else None


# ------------------------------------------------------------------ flows


def get_flow(name: str, options: HttpOptions | None = None) -> Flow[File]:
    reply: Reply = yield Call("GET", name, options=options)
    return reply.model(File)


def delete_flow(name: str, options: HttpOptions | None) -> Flow[None]:
    yield Call("DELETE", name, options=options)
    return None


def wait_active_flow(file: File, timeout: float | None) -> Flow[File]:
    """Poll a PROCESSING file until it is ACTIVE; FileProcessingError if it FAILED."""
    check_not_failed(file)
    if not file.name:
        return file
    name = file.name
    done = yield from poll_flow(
        file,
        lambda: get_flow(name),
        processing_done,
        timeout=timeout,
        progress=None,
        what=f"Processing of {name}",
    )
    return check_not_failed(done)


def upload_and_wait_flow(
    file: Any,
    config: Any,
    *,
    mime_type: str | None,
    display_name: str | None,
    name: str | None,
    wait: bool,
    wait_timeout: float | None,
    progress: Progress | None,
    chunk_size: int | None,
    max_recoveries: int,
) -> Flow[File]:
    cfg = coerce_config_as(
        UploadFileConfig, config, mime_type=mime_type, display_name=display_name, name=name
    )
    size = check_chunk_size(chunk_size if chunk_size is not None else DEFAULT_CHUNK_SIZE)
    if progress is not None and not callable(progress):
        raise InvalidInputError("progress must be a function called with (bytes_sent, total).")
    upload_id = _upload_name(cfg.name)
    source = open_source(file)
    try:
        mime = cfg.mime_type or guess_mime_type(source)
        if mime is None:
            what = repr(source.name) if source.name else "these bytes"
            raise InvalidInputError(
                f"Cannot tell the MIME type of {what}; pass mime_type='application/pdf' "
                "(or the right type)."
            )
        mime = check_mime_type(mime)
    except BaseException:
        source.close()
        raise
    options = cfg.http_options
    if options is not None and options.max_retries is not None:
        max_recoveries = options.max_retries
    uploaded = yield from upload_flow(
        source,
        mime_type=mime,
        display_name=cfg.display_name or source.name,
        name=upload_id,
        chunk_size=size,
        progress=progress,
        options=options,
        max_recoveries=max_recoveries,
    )
    if not wait:
        return check_not_failed(uploaded)
    return (yield from wait_active_flow(uploaded, wait_timeout))


def download_bytes_flow(file: Any, options: HttpOptions | None) -> Flow[bytes]:
    name = file_name(file)
    buffer = bytearray()
    yield from download_flow(name, buffer.extend, options)
    return bytes(buffer)


def download_path_flow(file: Any, path: Any, options: HttpOptions | None) -> Flow[Path]:
    name = file_name(file)
    target = check_destination(path)
    yield from download_to_path_flow(name, target, options)
    return Path(target)


# ------------------------------------------------------------------ shells


class Files:
    """Upload files once and use them in many requests (kept 48 hours, up to 2 GB each).

    >>> f = client.files.upload(file="talk.mp3", display_name="Talk")  # doctest: +SKIP
    >>> client.files.list().to_pandas()                                # doctest: +SKIP
    """

    def __init__(self, client: Client) -> None:
        self._client = client

    def upload(
        self,
        *,
        file: str | os.PathLike[str] | bytes | Any,
        config: UploadFileConfig | dict[str, Any] | None = None,
        mime_type: str | None = None,
        display_name: str | None = None,
        name: str | None = None,
        wait: bool = True,
        wait_timeout: float | None = None,
        progress: Progress | None = None,
        chunk_size: int | None = None,
    ) -> File:
        """Upload a path, bytes or binary file object; the File, ACTIVE unless ``wait=False``.

        ``config`` takes google-genai's ``UploadFileConfig`` (``mime_type``, ``display_name``,
        ``name``, ``http_options``), or pass them as keywords. ``progress(sent, total)`` is
        called as chunks are acknowledged (``chunk_size``: 8 MiB unless given; the server may
        ask for larger pieces); ``wait_timeout`` bounds the wait for processing
        (:class:`~gemini_nb.WaitTimeoutError`); a file whose processing fails raises
        :class:`~gemini_nb.FileProcessingError`.
        """
        return self._client._run(
            upload_and_wait_flow(
                file,
                config,
                mime_type=mime_type,
                display_name=display_name,
                name=name,
                wait=wait,
                wait_timeout=wait_timeout,
                progress=progress,
                chunk_size=chunk_size,
                max_recoveries=self._client.settings.retry.max_retries,
            )
        )

    def get(self, *, name: str | File, config: Any = None) -> File:
        """A file's current metadata (``state``, ``uri``, …)."""
        return self._client._run(get_flow(file_name(name), http_options_of(config)))

    def list(
        self, *, config: Any = None, page_size: int | None = None, page_token: str | None = None
    ) -> Pager[File]:
        """Your files, newest first, page by page (``.to_pandas()`` for a table)."""
        args = list_args(config, page_size=page_size, page_token=page_token)
        return Pager(self._client, lambda t: list_flow("files", File, "files", args, t), File)

    def delete(self, *, name: str | File, config: Any = None) -> None:
        self._client._run(delete_flow(file_name(name), http_options_of(config)))

    @overload
    def download(
        self, *, file: str | File | Video | GeneratedVideo, path: None = None, config: Any = None
    ) -> bytes: ...
    @overload
    def download(
        self,
        *,
        file: str | File | Video | GeneratedVideo,
        path: str | os.PathLike[str],
        config: Any = None,
    ) -> Path: ...
    def download(
        self,
        *,
        file: str | File | Video | GeneratedVideo,
        path: str | os.PathLike[str] | None = None,
        config: Any = None,
    ) -> bytes | Path:
        """A file's bytes, or (with ``path``) written to that path, streamed; returns the Path.

        ``file`` may be a generated :class:`~gemini_nb.types.Video` (from ``generate_videos``):
        its bytes are also kept in ``video.video_bytes``."""
        options = http_options_of(config)
        if path is None:
            return _keep_video_bytes(file, self._client._run(download_bytes_flow(file, options)))
        return self._client._run(download_path_flow(file, path, options))

    def wait(self, *, name: str | File, timeout: float | None = None) -> File:
        """Wait until a file uploaded with ``wait=False`` is ACTIVE (or raise if it FAILED)."""
        current = name if isinstance(name, File) else self.get(name=name)
        return self._client._run(wait_active_flow(current, timeout))


class AsyncFiles:
    """The async twin of :class:`Files`."""

    def __init__(self, client: AsyncClient) -> None:
        self._client = client

    async def upload(
        self,
        *,
        file: str | os.PathLike[str] | bytes | Any,
        config: UploadFileConfig | dict[str, Any] | None = None,
        mime_type: str | None = None,
        display_name: str | None = None,
        name: str | None = None,
        wait: bool = True,
        wait_timeout: float | None = None,
        progress: Progress | None = None,
        chunk_size: int | None = None,
    ) -> File:
        return await self._client._run(
            upload_and_wait_flow(
                file,
                config,
                mime_type=mime_type,
                display_name=display_name,
                name=name,
                wait=wait,
                wait_timeout=wait_timeout,
                progress=progress,
                chunk_size=chunk_size,
                max_recoveries=self._client.settings.retry.max_retries,
            )
        )

    async def get(self, *, name: str | File, config: Any = None) -> File:
        return await self._client._run(get_flow(file_name(name), http_options_of(config)))

    async def list(
        self, *, config: Any = None, page_size: int | None = None, page_token: str | None = None
    ) -> AsyncPager[File]:
        args = list_args(config, page_size=page_size, page_token=page_token)
        pager = AsyncPager(self._client, lambda t: list_flow("files", File, "files", args, t), File)
        return await pager._start()

    async def delete(self, *, name: str | File, config: Any = None) -> None:
        await self._client._run(delete_flow(file_name(name), http_options_of(config)))

    @overload
    async def download(
        self, *, file: str | File | Video | GeneratedVideo, path: None = None, config: Any = None
    ) -> bytes: ...
    @overload
    async def download(
        self,
        *,
        file: str | File | Video | GeneratedVideo,
        path: str | os.PathLike[str],
        config: Any = None,
    ) -> Path: ...
    async def download(
        self,
        *,
        file: str | File | Video | GeneratedVideo,
        path: str | os.PathLike[str] | None = None,
        config: Any = None,
    ) -> bytes | Path:
        options = http_options_of(config)
        if path is None:
            data = await self._client._run(download_bytes_flow(file, options))
            return _keep_video_bytes(file, data)
        return await self._client._run(download_path_flow(file, path, options))

    async def wait(self, *, name: str | File, timeout: float | None = None) -> File:
        current = name if isinstance(name, File) else await self.get(name=name)
        return await self._client._run(wait_active_flow(current, timeout))
