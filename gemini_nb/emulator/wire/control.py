"""The control API (``/_emulator/*``) and the request log: for whoever started the emulator.

Every control call needs the emulator's token, a random value made per process (the CLI prints
it, an embedded emulator keeps it) and sent as ``X-Emulator-Token``. Without it anyone on the
machine could read every prompt from the request log or plant an answer whose function call a
victim's automatic function calling would then run. Cross-site requests are refused as well:
a browser page may not drive the control API even if it guessed the token.

::

    GET    /_emulator/health                          {"ok": true, ...}
    GET    /_emulator/requests   DELETE clears        the request log (API keys masked)
    GET    /_emulator/faults     POST adds, DELETE clears   (see wire/faults.py)
    GET    /_emulator/answers    POST adds, DELETE clears   (see model/scripted.py)
    GET    /_emulator/clock      POST {"advance": "3600s"}  the emulator's clock
    GET    /_emulator/uploads                         bytes received and re-sent, per upload
"""

from __future__ import annotations

import json
import re
import secrets
from collections import deque
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response

from .errors import EmulatorError
from .framing import error_response, json_response

if TYPE_CHECKING:
    from .app import EmulatorApp

__all__ = ["TOKEN_HEADER", "RequestLog", "control"]

TOKEN_HEADER = "x-emulator-token"
# Bodies larger than this are logged by size only.
_LOGGED_BODY = 256 * 1024
_SECRET_HEADERS = ("x-goog-api-key", "authorization", TOKEN_HEADER)


class RequestLog:
    """The requests received, newest last, bounded by count and by bytes."""

    def __init__(self, max_count: int, max_bytes: int) -> None:
        self._entries: deque[tuple[dict[str, Any], int]] = deque()
        self.max_count = max_count
        self.max_bytes = max_bytes
        self._bytes = 0

    def add(self, request: Request, path: str, body: bytes | None) -> None:
        entry = _entry(request, path)
        parsed: Any = None
        if body:
            if len(body) > _LOGGED_BODY:
                parsed = {"$raw_bytes": len(body)}
            else:
                try:
                    parsed = json.loads(body)
                    # NaN / Infinity parse but cannot be answered as JSON later.
                    json.dumps(parsed, allow_nan=False)
                except (ValueError, RecursionError):
                    parsed = {"$raw_bytes": len(body)}
        entry["json"] = parsed
        self._append(entry, len(body or b"") + 200)

    def add_meta(self, request: Request, path: str) -> None:
        """A request whose body streams past the log (uploads): headers only."""
        entry = _entry(request, path)
        entry["json"] = None
        self._append(entry, 200)

    def _append(self, entry: dict[str, Any], size: int) -> None:
        self._entries.append((entry, size))
        self._bytes += size
        while self._entries and (
            len(self._entries) > self.max_count or self._bytes > self.max_bytes
        ):
            _, old = self._entries.popleft()
            self._bytes -= old

    def clear(self) -> None:
        self._entries.clear()
        self._bytes = 0

    def __iter__(self) -> Any:
        return iter([e for e, _ in self._entries])

    def __len__(self) -> int:
        return len(self._entries)

    def __getitem__(self, index: int) -> dict[str, Any]:
        return self._entries[index][0]


def _entry(request: Request, path: str) -> dict[str, Any]:
    headers = {k: ("<present>" if k in _SECRET_HEADERS else v) for k, v in request.headers.items()}
    query = {k: ("<present>" if k == "key" else v) for k, v in request.query_params.items()}
    return {
        "method": request.method,
        "path": path,
        "query": query,
        "headers": headers,
        "key_in_query": "key" in request.query_params,
    }


def _refusal(status: int, message: str) -> Response:
    return error_response(EmulatorError(status, message))


def _authorised(app: EmulatorApp, request: Request) -> Response | None:
    origin = request.headers.get("origin")
    if origin is not None and not _loopback_origin(origin):
        return _refusal(403, "Cross-site requests to the emulator's control API are refused.")
    if request.headers.get("sec-fetch-site") in ("cross-site", "same-site"):
        return _refusal(403, "Cross-site requests to the emulator's control API are refused.")
    given = request.headers.get(TOKEN_HEADER)
    if not given:
        return _refusal(
            401,
            "The control API needs the emulator's token in the X-Emulator-Token header (printed "
            "by `python -m gemini_nb.emulator`, or EmulatorServer.token).",
        )
    if not secrets.compare_digest(given.encode(), app.control_token.encode()):
        return _refusal(403, "Wrong emulator token.")
    return None


def _loopback_origin(origin: str) -> bool:
    from urllib.parse import urlsplit

    try:
        host = urlsplit(origin).hostname
    except ValueError:
        return False
    return host in ("127.0.0.1", "localhost", "::1")


async def _json_body(request: Request) -> Any:
    raw = await request.body()
    if len(raw) > 1024 * 1024:
        raise EmulatorError(400, "Control requests are at most 1 MiB.")
    try:
        return json.loads(raw or b"{}")
    except (ValueError, RecursionError):
        raise EmulatorError(400, "The control request body is not valid JSON.") from None


async def control(app: EmulatorApp, request: Request, sub: str) -> Response:
    refused = _authorised(app, request)
    if refused is not None:
        return refused
    try:
        return await _dispatch(app, request, sub.rstrip("/"))
    except EmulatorError as err:
        return error_response(err)
    except (ValueError, TypeError, re.error) as exc:
        return error_response(EmulatorError(400, str(exc)))


async def _dispatch(app: EmulatorApp, request: Request, sub: str) -> Response:
    method = request.method
    if sub in ("", "/health") and method == "GET":
        return json_response({"ok": True, "emulator": "gemini-nb"})
    if sub == "/faults":
        if method == "GET":
            return json_response({"faults": app.faults.list()})
        if method == "DELETE":
            app.faults.clear()
            return json_response({"faults": []})
        if method == "POST":
            spec = await _json_body(request)
            specs = spec if isinstance(spec, list) else [spec]
            added = [app.faults.add(s).to_json() for s in specs]
            return json_response(added if isinstance(spec, list) else added[0])
    if sub == "/requests":
        if method == "DELETE":
            app.requests.clear()
        if method in ("GET", "DELETE"):
            return json_response({"requests": list(app.requests)})
    if sub == "/answers":
        if method == "GET":
            return json_response({"answers": app.answers.rules()})
        if method == "DELETE":
            app.answers.clear()
            return json_response({"answers": []})
        if method == "POST":
            rules = app.answers.add(await _json_body(request))
            return json_response({"added": len(rules), "answers": app.answers.rules()})
    if sub == "/clock":
        if method == "POST":
            spec = await _json_body(request)
            advance = spec.get("advance") if isinstance(spec, dict) else None
            if isinstance(advance, str):
                from ..backends.state import parse_duration

                advance = parse_duration(advance)
            if not isinstance(advance, int | float) or advance < 0:
                raise EmulatorError(400, 'POST /_emulator/clock takes {"advance": seconds}')
            app.clock.advance(float(advance))
        if method in ("GET", "POST"):
            from ..backends.state import format_time

            now = app.clock.time()
            return json_response({"now": format_time(now), "speed": app.clock.speed})
    if sub == "/uploads" and method == "GET":
        from .upload import stats

        return json_response(stats(app.store))
    return error_response(EmulatorError(404, f"No control endpoint {method} /_emulator{sub}."))
