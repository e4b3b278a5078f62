"""A deliberately minimal HTTP/1.1 server with canned Gemini answers, for the benchmark only.

It validates nothing and generates nothing: every body is built once at start-up, so an answer
costs a header parse, a dict lookup and one write. It runs in its own process
(:class:`ServerProcess`) so that its work never competes with the measured client for a GIL.

Routes (any API version prefix):

* ``POST …/models/{m}:generateContent`` → a ~1 KB GenerateContentResponse.
* ``POST …/models/{m}:streamGenerateContent?alt=sse`` → N SSE events, chunked, in big writes.
  N comes from the model name: ``gemini-2.5-flash-n5000`` streams 5,000 events (default 20),
  because a model name is the one thing every client under test passes through unchanged.
* ``GET …/models?pageSize=&pageToken=`` → pages of a 1,000-model catalogue.

Run it by hand with ``python bench/server.py --port 8123``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

__all__ = ["MODEL_COUNT", "ServerProcess", "stream_model"]

MODEL_COUNT = 1000
DEFAULT_EVENTS = 20
WRITE_SLICE = 256 * 1024  # bytes per write() of a long stream, then drain()
CHUNK_SLICE = 64 * 1024  # bytes per HTTP chunk (events get split across chunks, as in life)
_EVENTS_IN_NAME = re.compile(r"-n(\d+)$")


def stream_model(events: int, base: str = "gemini-2.5-flash") -> str:
    """The model name that makes this server stream ``events`` events."""
    return f"{base}-n{events}"


# --------------------------------------------------------------------------- canned bodies

_ANSWER = (
    "Retrieval-augmented generation keeps a model's answers grounded: the application first "
    "searches its own documents for passages related to the question, then places the best "
    "matches in the prompt next to the question itself. The model answers from that context "
    "instead of from memory alone, which cuts down on invented facts and lets the answer cite "
    "its sources. The quality of the retrieval step matters as much as the model: chunk the "
    "documents sensibly, embed them with the same model you query with, and re-rank the top "
    "results before building the prompt."
)

_DELTAS = (
    "Retrieval-augmented generation keeps a model's answers grounded in ",
    "documents the application searches first; the best passages go into the ",
    "prompt next to the question, so the model answers from that context ",
    "rather than from memory, which reduces invented facts and allows citations. ",
)


def _usage(prompt: int, candidates: int, thoughts: int) -> dict[str, Any]:
    return {
        "promptTokenCount": prompt,
        "candidatesTokenCount": candidates,
        "totalTokenCount": prompt + candidates + thoughts,
        "promptTokensDetails": [{"modality": "TEXT", "tokenCount": prompt}],
        "thoughtsTokenCount": thoughts,
    }


def generate_body() -> bytes:
    body = {
        "candidates": [
            {
                "content": {"parts": [{"text": _ANSWER}], "role": "model"},
                "finishReason": "STOP",
                "index": 0,
            }
        ],
        "usageMetadata": _usage(12, 96, 231),
        "modelVersion": "gemini-2.5-flash",
        "responseId": "3q9fZ8GkKe2Wz7IPq-bA0Ag",
    }
    return json.dumps(body, separators=(",", ":")).encode()


def _event(i: int, n: int) -> bytes:
    candidate: dict[str, Any] = {
        "content": {"parts": [{"text": _DELTAS[i % len(_DELTAS)]}], "role": "model"},
        "index": 0,
    }
    if i == n - 1:
        candidate["finishReason"] = "STOP"
    chunk = {
        "candidates": [candidate],
        "usageMetadata": _usage(12, 14 * (i + 1), 231),
        "modelVersion": "gemini-2.5-flash",
        "responseId": "3q9fZ8GkKe2Wz7IPq-bA0Ag",
    }
    return b"data: " + json.dumps(chunk, separators=(",", ":")).encode() + b"\r\n\r\n"


def sse_body(n: int) -> bytes:
    """The chunked-encoded body of an n-event stream, terminator included."""
    payload = b"".join(_event(i, n) for i in range(n))
    framed = bytearray()
    for start in range(0, len(payload), CHUNK_SLICE):
        piece = payload[start : start + CHUNK_SLICE]
        framed += b"%x\r\n" % len(piece) + piece + b"\r\n"
    framed += b"0\r\n\r\n"
    return bytes(framed)


_FAMILIES = (
    ("gemini-2.5-flash", "Gemini 2.5 Flash", 1048576, 65536, True),
    ("gemini-2.5-pro", "Gemini 2.5 Pro", 1048576, 65536, True),
    ("gemini-2.5-flash-lite", "Gemini 2.5 Flash-Lite", 1048576, 65536, True),
    ("gemini-2.0-flash", "Gemini 2.0 Flash", 1048576, 8192, False),
    ("gemma-3-27b-it", "Gemma 3 27B", 131072, 8192, False),
)
_METHODS = ["generateContent", "countTokens", "createCachedContent", "batchGenerateContent"]


def model_entry(i: int) -> dict[str, Any]:
    base, display, input_limit, output_limit, thinking = _FAMILIES[i % len(_FAMILIES)]
    variant = f"{base}-preview-{i:04d}"
    entry: dict[str, Any] = {
        "name": f"models/{variant}",
        "version": f"{base.split('-')[1]}-{i:04d}",
        "displayName": f"{display} Preview {i:04d}",
        "description": (
            f"Preview release {i} of {display}, a multimodal model that understands text, "
            "images, audio and video and supports up to 1 million tokens of context."
        ),
        "inputTokenLimit": input_limit,
        "outputTokenLimit": output_limit,
        "supportedGenerationMethods": _METHODS,
        "temperature": 1,
        "topP": 0.95,
        "topK": 64,
        "maxTemperature": 2,
    }
    if thinking:
        entry["thinking"] = True
    return entry


class Catalogue:
    """Pages of the model list, each serialized once and then served from a cache."""

    def __init__(self, count: int = MODEL_COUNT) -> None:
        self.models = [model_entry(i) for i in range(count)]
        self._pages: dict[tuple[int, int], bytes] = {}

    @staticmethod
    def token(offset: int) -> str:
        # Opaque-looking like the real service's tokens, cheap to decode for us.
        return f"Cg{offset:06d}QmVuY2hQYWdlVG9rZW4"

    @staticmethod
    def offset(token: str) -> int:
        try:
            return int(token[2:8]) if token else 0
        except ValueError:
            return 0

    def page(self, size: int, token: str) -> bytes:
        size = 50 if size <= 0 else min(size, 1000)  # the real API's default and maximum
        start = self.offset(token)
        body = self._pages.get((size, start))
        if body is None:
            end = start + size
            page: dict[str, Any] = {"models": self.models[start:end]}
            if end < len(self.models):
                page["nextPageToken"] = self.token(end)
            body = self._pages[(size, start)] = json.dumps(page, separators=(",", ":")).encode()
        return body


# --------------------------------------------------------------------------- HTTP

_JSON_HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=UTF-8\r\n"
_SSE_HEAD = (
    b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
)


def _json_response(body: bytes, status: bytes = b"200 OK") -> bytes:
    head = (
        _JSON_HEAD
        if status == b"200 OK"
        else (b"HTTP/1.1 " + status + b"\r\nContent-Type: application/json; charset=UTF-8\r\n")
    )
    return head + b"Content-Length: %d\r\n\r\n" % len(body) + body


class CannedServer:
    def __init__(self, events_cached: tuple[int, ...] = (1, DEFAULT_EVENTS, 5000)) -> None:
        self.generate = _json_response(generate_body())
        self.catalogue = Catalogue()
        for size in (50, 1000):
            for start in range(0, MODEL_COUNT, size):
                self.catalogue.page(size, Catalogue.token(start) if start else "")
        self._streams = {n: sse_body(n) for n in events_cached}
        self.not_found = _json_response(
            b'{"error":{"code":404,"message":"not found","status":"NOT_FOUND"}}', b"404 Not Found"
        )

    def stream(self, n: int) -> bytes:
        body = self._streams.get(n)
        if body is None:
            body = self._streams[n] = sse_body(n)
        return body

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.split(b"\r\n")
                method, target, _ = lines[0].split(b" ", 2)
                length = 0
                close = False
                for line in lines[1:]:
                    name, _, value = line.partition(b":")
                    name = name.strip().lower()
                    if name == b"content-length":
                        length = int(value)
                    elif name == b"connection" and value.strip().lower() == b"close":
                        close = True
                if length:
                    await reader.readexactly(length)  # canned answers do not depend on it
                await self._answer(method, target.decode("latin-1"), writer)
                if close:
                    break
        except (
            asyncio.IncompleteReadError,
            asyncio.LimitOverrunError,
            ConnectionError,
            ValueError,
        ):
            pass
        finally:
            writer.close()

    async def _answer(self, method: bytes, target: str, writer: asyncio.StreamWriter) -> None:
        path, _, query = target.partition("?")
        if method == b"POST" and path.endswith(":generateContent"):
            writer.write(self.generate)
        elif method == b"POST" and path.endswith(":streamGenerateContent"):
            model = path.rsplit("/", 1)[-1].split(":", 1)[0]
            found = _EVENTS_IN_NAME.search(model)
            body = self.stream(int(found.group(1)) if found else DEFAULT_EVENTS)
            view = memoryview(_SSE_HEAD + body)
            for start in range(0, len(view), WRITE_SLICE):
                writer.write(view[start : start + WRITE_SLICE])
                await writer.drain()
            return
        elif method == b"GET" and path.endswith("/models"):
            params = parse_qs(query)
            size = int(params.get("pageSize", ["0"])[0])
            token = params.get("pageToken", [""])[0]
            writer.write(_json_response(self.catalogue.page(size, token)))
        else:
            writer.write(self.not_found)
        await writer.drain()


async def serve(host: str, port: int, ready: Any) -> None:
    app = CannedServer()
    server = await asyncio.start_server(app.handle, host, port, backlog=1024)
    ready(server.sockets[0].getsockname()[1])
    async with server:
        await server.serve_forever()


# --------------------------------------------------------------------------- process


class ServerProcess:
    """The server in a child process: ``with ServerProcess() as s: s.url``.

    ``cpu`` pins the child to one CPU (and the caller should keep off it), so that client and
    server never queue behind each other on a 2-core machine.
    """

    def __init__(self, cpu: int | None = None) -> None:
        self.cpu = cpu
        self.port = 0
        self._proc: subprocess.Popen[str] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self._proc is not None
        return self._proc.pid

    def __enter__(self) -> ServerProcess:
        cmd = [sys.executable, str(Path(__file__).resolve()), "--port", "0", "--orphan-exit"]
        if self.cpu is not None:
            cmd += ["--cpu", str(self.cpu)]
        self._proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self._proc.stdout is not None
        line = self._proc.stdout.readline()
        if not line.startswith("READY "):
            self.__exit__()
            raise RuntimeError(f"bench server did not start (said {line!r})")
        self.port = int(line.split()[1])
        return self

    def __exit__(self, *exc: object) -> None:
        if self._proc is not None and self._proc.poll() is None:
            if self._proc.stdin is not None:
                self._proc.stdin.close()
            self._proc.terminate()
            try:
                self._proc.wait(5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        self._proc = None


def _exit_on_eof() -> None:
    sys.stdin.read()
    os._exit(0)


def main() -> None:
    parser = argparse.ArgumentParser(description="Canned Gemini answers for benchmarks.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--cpu", type=int, default=None, help="pin the server to this CPU")
    parser.add_argument(
        "--orphan-exit",
        action="store_true",
        help="exit when stdin closes (the parent died without stopping us)",
    )
    args = parser.parse_args()
    if args.orphan_exit:
        threading.Thread(target=_exit_on_eof, daemon=True).start()
    if args.cpu is not None and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {args.cpu})

    def ready(port: int) -> None:
        print(f"READY {port}", flush=True)

    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C when run by hand
        asyncio.run(serve(args.host, args.port, ready))


if __name__ == "__main__":
    main()
