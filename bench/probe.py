"""The server's floor: the same exchanges over a bare socket, with almost no client work.

If raw httpx took about as long as this, the server (not the client) would set the pace and
every ratio would be squeezed towards 1. The report prints both so the reader can see the gap.
"""

from __future__ import annotations

import json
import re
import socket
import time
from urllib.parse import urlsplit

from .clients import API_KEY, MODEL, REQUEST
from .harness import Stats
from .server import MODEL_COUNT, stream_model

__all__ = ["measure_floor"]

_TOKEN = re.compile(rb'"nextPageToken":"([^"]+)"')


class _Conn:
    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.host = f"{parts.hostname}:{parts.port}"
        self.sock = socket.create_connection((parts.hostname, parts.port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = bytearray()

    def request(self, method: str, target: str, body: bytes = b"") -> bytes:
        head = (
            f"{method} {target} HTTP/1.1\r\nHost: {self.host}\r\nx-goog-api-key: {API_KEY}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode()
        self.sock.sendall(head + body)
        return self._response()

    def _fill(self) -> None:
        data = self.sock.recv(1 << 18)
        if not data:
            raise ConnectionError("server closed the connection")
        self.buf += data

    def _take(self, n: int) -> bytes:
        while len(self.buf) < n:
            self._fill()
        out = bytes(self.buf[:n])
        del self.buf[:n]
        return out

    def _line(self) -> bytes:
        while (i := self.buf.find(b"\r\n")) < 0:
            self._fill()
        return self._take(i + 2)[:-2]

    def _response(self) -> bytes:
        while (i := self.buf.find(b"\r\n\r\n")) < 0:
            self._fill()
        head = self._take(i + 4).lower()
        if b"transfer-encoding: chunked" in head:
            body = bytearray()
            while size := int(self._line(), 16):
                body += self._take(size)
                self._take(2)
            self._take(2)
            return bytes(body)
        length = int(head.split(b"content-length:", 1)[1].split(b"\r\n", 1)[0])
        return self._take(length)

    def close(self) -> None:
        self.sock.close()


def measure_floor(url: str, rounds: int, calls: int, events: int) -> dict[str, Stats]:
    """Per round: µs per generateContent, chunks/s of an `events` stream, ms per listing."""
    conn = _Conn(url)
    body = json.dumps(REQUEST).encode()
    gen = f"/v1beta/models/{MODEL}:generateContent"
    sse = f"/v1beta/models/{stream_model(events)}:streamGenerateContent?alt=sse"
    out: dict[str, list[float]] = {"call_sync": [], "stream_sync": [], "list_50": []}
    try:
        conn.request("POST", gen, body)
        for _ in range(rounds):
            t0 = time.perf_counter()
            for _ in range(calls):
                conn.request("POST", gen, body)
            out["call_sync"].append((time.perf_counter() - t0) / calls * 1e6)

            t0 = time.perf_counter()
            payload = conn.request("POST", sse, body)
            out["stream_sync"].append(events / (time.perf_counter() - t0))
            if payload.count(b"data: ") != events:
                raise RuntimeError("floor probe: short stream")

            t0 = time.perf_counter()
            token, n = "", 0
            while True:
                q = f"?pageSize=50&pageToken={token}" if token else "?pageSize=50"
                page = conn.request("GET", "/v1beta/models" + q)
                n += page.count(b'"name":')  # no JSON parsing: this measures the server
                found = _TOKEN.search(page)
                token = found.group(1).decode() if found else ""
                if not token:
                    break
            if n != MODEL_COUNT:
                raise RuntimeError("floor probe: short listing")
            out["list_50"].append((time.perf_counter() - t0) * 1e3)
    finally:
        conn.close()
    return {k: Stats(tuple(v)) for k, v in out.items()}
