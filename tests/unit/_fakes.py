"""Scripted servers for unit tests (httpx.MockTransport), and one driver for both shells.

``FakeFilesServer`` speaks the resumable upload protocol and the Files API closely enough to
test what the client sends: sessions, offsets, query, finalize, a file that is PROCESSING for
a few polls, downloads that redirect. Faults are scheduled per chunk.
"""

from __future__ import annotations

import hashlib
import inspect
import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

import gemini_nb as g

BASE = "http://fake.test"
KEY = "AIzaFAKEKEY-0123456789abcdefghijklmnop"


@dataclass
class Fault:
    """What goes wrong with one chunk request: keep ``commit`` bytes of it, then either
    drop the connection or answer ``status``."""

    commit: int = 0
    drop: bool = False
    status: int = 503


@dataclass
class Session:
    size: int
    mime_type: str
    metadata: dict[str, Any]
    data: bytearray = field(default_factory=bytearray)
    file: dict[str, Any] | None = None


class FakeFilesServer:
    def __init__(
        self,
        *,
        processing_polls: int = 0,
        fail_processing: bool = False,
        granularity: int | None = None,
    ) -> None:
        self.requests: list[httpx.Request] = []
        # Headers as sent (the client takes the key off its request objects afterwards).
        self.sent_headers: list[httpx.Headers] = []
        self.sessions: dict[str, Session] = {}
        self.files: dict[str, dict[str, Any]] = {}
        self.contents: dict[str, bytes] = {}
        self.polls: dict[str, int] = {}
        self.faults: dict[int, Fault] = {}  # by chunk request number (0-based, not queries)
        self.query_faults: list[int] = []  # statuses for the next queries
        self.processing_polls = processing_polls
        self.fail_processing = fail_processing
        self.granularity = granularity
        self.chunk_requests = 0
        self.redirect_to: str | None = None  # Location of the download's 302
        self.cut_download_after: int | None = None  # bytes sent before the connection drops
        self._ids = itertools.count(1)

    # ------------------------------------------------------------ routing

    def __call__(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        self.sent_headers.append(httpx.Headers(request.headers))
        path = request.url.path
        if "upload_id" in request.url.params:
            return self._session(request)
        if path == "/upload/v1beta/files":
            return self._start(request)
        if path.startswith("/v1beta/files/") and path.endswith(":download"):
            return self._download_redirect(request)
        if path.startswith("/download/v1beta/files/"):
            return self._download(request)
        if path.startswith("/v1beta/files/") and request.method == "GET":
            return self._get(path.removeprefix("/v1beta/"))
        if path.startswith("/v1beta/files/") and request.method == "DELETE":
            name = path.removeprefix("/v1beta/")
            if self.files.pop(name, None) is None:
                return _error(404, "NOT_FOUND", f"File {name} not found.")
            return httpx.Response(200, json={})
        if path == "/v1beta/files":
            return self._list(request)
        return _error(404, "NOT_FOUND", f"no route {request.method} {path}")

    # ------------------------------------------------------------ uploads

    def _start(self, request: httpx.Request) -> httpx.Response:
        h = request.headers
        assert h["x-goog-upload-protocol"] == "resumable"
        assert h["x-goog-upload-command"] == "start"
        sid = f"s{next(self._ids)}"
        meta = json.loads(request.content)["file"]
        self.sessions[sid] = Session(
            int(h["x-goog-upload-header-content-length"]),
            h["x-goog-upload-header-content-type"],
            meta,
        )
        headers = {
            "x-goog-upload-status": "active",
            "x-goog-upload-url": f"{BASE}/upload/v1beta/files?upload_id={sid}&upload_protocol=resumable",
        }
        if self.granularity:
            headers["x-goog-upload-chunk-granularity"] = str(self.granularity)
        return httpx.Response(200, headers=headers)

    def _session(self, request: httpx.Request) -> httpx.Response:
        s = self.sessions[request.url.params["upload_id"]]
        command = request.headers["x-goog-upload-command"]
        if command == "query":
            if self.query_faults:
                return _error(self.query_faults.pop(0), "UNAVAILABLE", "try again")
            status = "final" if s.file is not None else "active"
            headers = {
                "x-goog-upload-status": status,
                "x-goog-upload-size-received": str(len(s.data)),
            }
            body = {"file": s.file} if s.file is not None else None
            return httpx.Response(200, headers=headers, json=body)
        number = self.chunk_requests
        self.chunk_requests += 1
        offset = int(request.headers["x-goog-upload-offset"])
        if offset != len(s.data):
            return _error(400, "INVALID_ARGUMENT", f"offset {offset} != committed {len(s.data)}")
        fault = self.faults.get(number)
        s.data += request.content[: fault.commit] if fault is not None else request.content
        if "finalize" in command and len(s.data) == s.size:
            answer = self._finalize(s)
        else:
            answer = httpx.Response(200, headers={"x-goog-upload-status": "active"})
        if fault is not None:
            if fault.drop:
                raise httpx.RemoteProtocolError("Server disconnected without sending a response.")
            return _error(fault.status, "UNAVAILABLE", "The service is unavailable.")
        return answer

    def _finalize(self, s: Session) -> httpx.Response:
        fid = s.metadata.get("name") or f"files/f{next(self._ids)}"
        s.file = {
            "name": fid,
            "displayName": s.metadata.get("displayName"),
            "mimeType": s.mime_type,
            "sizeBytes": str(s.size),
            "createTime": "2026-01-01T00:00:00.123456789Z",
            "expirationTime": "2026-01-03T00:00:00Z",
            "sha256Hash": hashlib.sha256(s.data).hexdigest(),
            "uri": f"{BASE}/v1beta/{fid}",
            "state": "PROCESSING" if self.processing_polls else "ACTIVE",
            "source": "UPLOADED",
        }
        self.files[fid] = s.file
        self.contents[fid] = bytes(s.data)
        self.polls[fid] = 0
        return httpx.Response(200, headers={"x-goog-upload-status": "final"}, json={"file": s.file})

    # ------------------------------------------------------------ files

    def _get(self, name: str) -> httpx.Response:
        f = self.files.get(name)
        if f is None:
            return _error(404, "NOT_FOUND", f"File {name} not found.")
        self.polls[name] = self.polls.get(name, 0) + 1
        if f["state"] == "PROCESSING" and self.polls[name] >= self.processing_polls:
            f["state"] = "FAILED" if self.fail_processing else "ACTIVE"
            if self.fail_processing:
                f["error"] = {"code": 3, "message": "The video could not be decoded."}
        return httpx.Response(200, json=f)

    def _list(self, request: httpx.Request) -> httpx.Response:
        names = sorted(self.files)
        size = int(request.url.params.get("pageSize", 10))
        start = int(request.url.params.get("pageToken", "0") or 0)
        page = names[start : start + size]
        body: dict[str, Any] = {"files": [self.files[n] for n in page]}
        if start + size < len(names):
            body["nextPageToken"] = str(start + size)
        return httpx.Response(200, json=body)

    def _download_redirect(self, request: httpx.Request) -> httpx.Response:
        name = request.url.path.removeprefix("/v1beta/").removesuffix(":download")
        if name not in self.contents:
            return _error(404, "NOT_FOUND", f"File {name} not found.")
        location = self.redirect_to or f"{BASE}/download/v1beta/{name}:download?alt=media"
        return httpx.Response(
            302,
            headers={"location": location},
            json={"error": {"code": 302, "message": "Unknown Error.", "status": "UNKNOWN"}},
        )

    def _download(self, request: httpx.Request) -> httpx.Response:
        name = request.url.path.removeprefix("/download/v1beta/").removesuffix(":download")
        data = self.contents[name]
        # Several network reads, as a real body would arrive.
        return httpx.Response(
            200,
            headers={"content-type": "application/octet-stream"},
            stream=_Chunks(data, 100_000, self.cut_download_after),
        )

    # ------------------------------------------------------------ what was sent

    def chunk_offsets(self) -> list[tuple[str, int | None, int]]:
        """(command, offset, bytes) of every request to an upload session, in order."""
        out = []
        for r in self.requests:
            if "upload_id" in r.url.params:
                off = r.headers.get("x-goog-upload-offset")
                out.append(
                    (r.headers["x-goog-upload-command"], int(off) if off else None, len(r.content))
                )
        return out


class _Chunks(httpx.SyncByteStream, httpx.AsyncByteStream):
    def __init__(self, data: bytes, size: int, cut: int | None) -> None:
        self._data, self._size, self._cut = data, size, cut

    def _pieces(self) -> list[bytes]:
        return [self._data[i : i + self._size] for i in range(0, len(self._data), self._size)]

    def __iter__(self):  # type: ignore[no-untyped-def]
        sent = 0
        for piece in self._pieces():
            if self._cut is not None and sent >= self._cut:
                raise httpx.ReadError("Connection reset by peer")
            sent += len(piece)
            yield piece

    async def __aiter__(self):  # type: ignore[no-untyped-def]
        for piece in self.__iter__():
            yield piece


def _error(status: int, reason: str, message: str) -> httpx.Response:
    return httpx.Response(
        status, json={"error": {"code": status, "message": message, "status": reason}}
    )


# --------------------------------------------------------------------------- both shells


class Shell:
    """A sync or async client over a MockTransport; ``await shell(fn)`` runs ``fn(client)``
    and awaits the result when the client is async."""

    def __init__(self, kind: str, handler: Callable[[httpx.Request], httpx.Response], **kw: Any):
        self.kind = kind
        transport = httpx.MockTransport(handler)
        kw.setdefault("base_url", BASE)
        kw.setdefault("api_key", KEY)
        if kind == "sync":
            self.client: Any = g.Client(http_client=httpx.Client(transport=transport), **kw)
        else:
            self.client = g.AsyncClient(http_client=httpx.AsyncClient(transport=transport), **kw)

    async def __call__(self, fn: Callable[[Any], Any]) -> Any:
        result = fn(self.client)
        if inspect.isawaitable(result):
            result = await result
        return result

    async def items(self, pager: Any) -> list[Any]:
        if self.kind == "sync":
            return list(pager)
        return [x async for x in pager]


class FakeTime:
    """A clock that moves only when the client sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    async def async_sleep(self, seconds: float) -> None:
        self.sleep(seconds)
