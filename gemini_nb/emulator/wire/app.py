"""The emulator's HTTP layer: routing, auth, validation, faults, JSON / SSE framing.

A plain ASGI callable (Starlette's Request and Response classes, no middleware stack) so
that fault injection can reach the connection itself to drop it.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.types import Receive, Scope, Send

from ..backends import models as _catalogue
from ..model import generate as _model
from . import schema as _schema
from .errors import EmulatorError
from .faults import Fault, FaultSet

__all__ = ["EmulatorApp", "EmulatorOptions"]


VERSIONS = ("v1beta", "v1", "v1alpha")
CONTROL = "/_emulator"

MISSING_KEY = (
    "Method doesn't allow unregistered callers (callers without established identity). "
    "Please use API Key or other form of API consumer identity to call this API."
)
INVALID_KEY = "API key not valid. Please pass a valid API key."


@dataclass
class EmulatorOptions:
    """``api_key``: when set, requests must carry exactly this key (else any key, or none).
    ``chunk_delay``: seconds between stream events (0 for tests; a little for demos).
    ``page_size``: default models.list page size, as the real API (50)."""

    api_key: str | None = None
    chunk_delay: float = 0.0
    page_size: int = 50
    log_size: int = 500
    faults: list[dict[str, Any]] = field(default_factory=list)
    seed: int = 0


def _json_bytes(data: Any, *, pretty: bool = True) -> bytes:
    if pretty:
        return json.dumps(data, indent=2, ensure_ascii=False).encode("utf-8")
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        _json_bytes(data),
        status_code=status,
        media_type="application/json; charset=UTF-8",
        headers=headers,
    )


def _error(err: EmulatorError, headers: dict[str, str] | None = None) -> Response:
    return _json(err.to_json(), err.status, headers)


_ROUTE = re.compile(r"^/(?P<version>v1beta|v1alpha|v1)/(?P<rest>.+)$")


class EmulatorApp:
    """The ASGI application. One instance holds the faults and the request log."""

    def __init__(self, options: EmulatorOptions | None = None) -> None:
        self.options = options or EmulatorOptions()
        self.faults = FaultSet(seed=self.options.seed)
        for spec in self.options.faults:
            self.faults.add(spec)
        self.requests: deque[dict[str, Any]] = deque(maxlen=self.options.log_size)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            return  # WebSocket routes arrive with the Live API.
        request = Request(scope, receive)
        path: str = scope["path"]
        if path.startswith(CONTROL):
            response = await self._control(request, path[len(CONTROL) :])
            await response(scope, receive, send)
            return
        decision = self.faults.decide(request.method, path)
        if decision.latency_ms:
            await asyncio.sleep(decision.latency_ms / 1000)
        fault = decision.fault
        if fault is not None and fault.drop:
            _abort(send)
            return
        try:
            response = await self._api(request, path, fault)
        except EmulatorError as err:
            response = _error(err)
        await response(scope, receive, send)

    # ------------------------------------------------------------------ API

    async def _api(self, request: Request, path: str, fault: Fault | None) -> Response:
        body = await request.body()
        self._log(request, path, body)
        self._check_key(request)
        if fault is not None and fault.status is not None:
            return _fault_response(fault)
        if fault is not None and fault.body is not None:
            return Response(fault.body, media_type="text/html")
        match = _ROUTE.match(path)
        if match is None:
            raise EmulatorError(404, f"Method not found: {request.method} {path}")
        version, rest = match["version"], match["rest"]
        method = request.method
        if rest == "models" and method == "GET":
            return self._list_models(request)
        if rest.startswith("models/"):
            name, _, verb = rest[len("models/") :].partition(":")
            if "/" in name:
                raise EmulatorError(404, f"Method not found: {method} {path}")
            if not verb and method == "GET":
                return _json(_model_info(name, version).to_json())
            handler = _VERBS.get((method, verb))
            if handler is not None:
                payload = _parse_body(body)
                return await handler(self, request, version, name, payload, fault)
        raise EmulatorError(404, f"Method not found: {method} {path}")

    def _check_key(self, request: Request) -> None:
        expected = self.options.api_key
        if expected is None:
            return
        given = request.headers.get("x-goog-api-key") or request.query_params.get("key")
        if not given:
            bearer = request.headers.get("authorization", "")
            if bearer.lower().startswith("bearer "):
                raise EmulatorError(
                    401,
                    "Request had invalid authentication credentials. Expected OAuth 2 access "
                    "token, login cookie or other valid authentication credential.",
                )
            raise EmulatorError(403, MISSING_KEY)
        if given != expected:
            raise EmulatorError(
                400,
                INVALID_KEY,
                details=[
                    {
                        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                        "reason": "API_KEY_INVALID",
                        "domain": "googleapis.com",
                        "metadata": {"service": "generativelanguage.googleapis.com"},
                    },
                    {
                        "@type": "type.googleapis.com/google.rpc.LocalizedMessage",
                        "locale": "en-US",
                        "message": INVALID_KEY,
                    },
                ],
            )

    def _log(self, request: Request, path: str, body: bytes) -> None:
        headers = {
            k: ("<present>" if k in ("x-goog-api-key", "authorization") else v)
            for k, v in request.headers.items()
        }
        try:
            parsed: Any = json.loads(body) if body else None
        except ValueError:
            parsed = {"$raw_bytes": len(body)}
        self.requests.append(
            {
                "method": request.method,
                "path": path,
                "query": dict(request.query_params),
                "headers": headers,
                "key_in_query": "key" in request.query_params,
                "json": parsed,
            }
        )

    def _list_models(self, request: Request) -> Response:
        params = request.query_params
        try:
            size = int(params.get("pageSize") or self.options.page_size)
        except ValueError:
            raise EmulatorError(400, "Invalid value at 'page_size' (TYPE_INT32)") from None
        size = max(1, min(size, 1000))
        start = _decode_token(params.get("pageToken"))
        models = _catalogue.all_models()
        page = models[start : start + size]
        data: dict[str, Any] = {"models": [m.to_json() for m in page]}
        if start + size < len(models):
            data["nextPageToken"] = _encode_token(start + size)
        return _json(data)

    async def _generate(
        self, request: Request, version: str, name: str, payload: Any, fault: Fault | None
    ) -> Response:
        info = _model_info(name, version, "generateContent")
        body = _schema.validate("GenerateContentRequest", payload, skip_required=("model",))
        return _json(_model.generate(body, info))

    async def _stream(
        self, request: Request, version: str, name: str, payload: Any, fault: Fault | None
    ) -> Response:
        info = _model_info(name, version, "generateContent")
        body = _schema.validate("GenerateContentRequest", payload, skip_required=("model",))
        events = _model.stream_chunks(_model.generate(body, info))
        sse = request.query_params.get("alt") == "sse"
        gen = self._events(events, sse=sse, fault=fault)
        media = "text/event-stream" if sse else "application/json; charset=UTF-8"
        return StreamingResponse(gen, media_type=media)

    async def _events(self, events: list[dict[str, Any]], *, sse: bool, fault: Fault | None) -> Any:
        cut = fault.cut_stream_after if fault is not None else None
        err_after = fault.error_in_stream_after if fault is not None else None
        delay = self.options.chunk_delay
        if not sse:
            yield b"["
        for i, event in enumerate(events):
            if cut is not None and i >= cut:
                # An exception after the response started makes the server drop the
                # connection mid-body, as a network cut would.
                raise _StreamCut()
            if err_after is not None and i >= err_after:
                event = EmulatorError(500, fault.message if fault and fault.message else
                                      "An internal error has occurred. Please retry or report in "
                                      "https://developers.generativeai.google/guide/troubleshooting"
                                      ).to_json()
            if delay and i:
                await asyncio.sleep(delay)
            if sse:
                yield b"data: " + _json_bytes(event, pretty=False) + b"\r\n\r\n"
            else:
                yield (b"," if i else b"") + b"\n" + _json_bytes(event)
            if err_after is not None and i >= err_after:
                break
        if not sse:
            yield b"\n]"

    async def _count_tokens(
        self, request: Request, version: str, name: str, payload: Any, fault: Fault | None
    ) -> Response:
        info = _model_info(name, version, "countTokens")
        body = _schema.validate("CountTokensRequest", payload)
        return _json(_model.count_tokens(body, info))

    async def _embed(
        self, request: Request, version: str, name: str, payload: Any, fault: Fault | None
    ) -> Response:
        info = _model_info(name, version, "embedContent")
        body = _schema.validate("EmbedContentRequest", payload, skip_required=("model",))
        return _json(_model.embed(body, info))

    async def _batch_embed(
        self, request: Request, version: str, name: str, payload: Any, fault: Fault | None
    ) -> Response:
        info = _model_info(name, version, "embedContent")
        body = _schema.validate("BatchEmbedContentsRequest", payload)
        requests = body.get("requests", [])
        if len(requests) > 100:
            raise EmulatorError(
                400, "* BatchEmbedContentsRequest.requests: at most 100 requests can be in one batch"
            )
        embeddings = []
        for i, item in enumerate(requests):
            target = item.get("model", "")
            if target != f"models/{name}":
                raise EmulatorError(
                    400,
                    f"Model names in requests[{i}] must match the batch: expected "
                    f"models/{name}, got {target or 'nothing'}",
                )
            embeddings.append(_model.embed(item, info)["embedding"])
        return _json({"embeddings": embeddings})

    # ------------------------------------------------------------------ control

    async def _control(self, request: Request, sub: str) -> Response:
        method = request.method
        if sub in ("", "/", "/health"):
            return JSONResponse({"ok": True, "emulator": "gemini-nb"})
        if sub == "/faults":
            if method == "GET":
                return JSONResponse({"faults": self.faults.list()})
            if method == "DELETE":
                self.faults.clear()
                return JSONResponse({"faults": []})
            if method == "POST":
                try:
                    spec = json.loads(await request.body() or b"{}")
                    specs = spec if isinstance(spec, list) else [spec]
                    added = [self.faults.add(s).to_json() for s in specs]
                except (ValueError, TypeError) as exc:
                    return JSONResponse({"error": str(exc)}, status_code=400)
                return JSONResponse(added if isinstance(spec, list) else added[0])
        if sub == "/requests":
            if method == "DELETE":
                self.requests.clear()
            return JSONResponse({"requests": list(self.requests)})
        return JSONResponse({"error": f"no control endpoint {sub}"}, status_code=404)


_VERBS: dict[tuple[str, str], Callable[..., Awaitable[Response]]] = {
    ("POST", "generateContent"): EmulatorApp._generate,
    ("POST", "streamGenerateContent"): EmulatorApp._stream,
    ("POST", "countTokens"): EmulatorApp._count_tokens,
    ("POST", "embedContent"): EmulatorApp._embed,
    ("POST", "batchEmbedContents"): EmulatorApp._batch_embed,
}


class _StreamCut(Exception):
    """Raised inside a streaming body to make the server drop the connection."""


def _model_info(name: str, version: str, method: str | None = None) -> _catalogue.ModelInfo:
    info = _catalogue.lookup(name)
    if info is None or (method is not None and not info.supports(method)):
        raise _catalogue.not_supported_error(name, method or "get", version)
    return info


def _parse_body(body: bytes) -> Any:
    return _schema.parse_json_body(body) if body.strip() else {}


def _encode_token(offset: int) -> str:
    import base64

    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()


def _decode_token(token: str | None) -> int:
    if not token:
        return 0
    import base64

    try:
        text = base64.urlsafe_b64decode(token.encode()).decode()
        prefix, _, value = text.partition(":")
        if prefix != "offset":
            raise ValueError
        return max(0, int(value))
    except ValueError:
        raise EmulatorError(400, "Invalid page token.") from None


def _fault_response(fault: Fault) -> Response:
    status = fault.status or 500
    headers: dict[str, str] = {}
    details: list[dict[str, Any]] = []
    if status == 429:
        message = fault.message or (
            "You exceeded your current quota, please check your plan and billing details."
        )
        delay = fault.retry_delay or "1s"
        details.append({"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": delay})
        headers["retry-after"] = str(max(0, round(float(delay[:-1]))))
    elif status >= 500:
        message = fault.message or (
            "The model is overloaded. Please try again later."
            if status == 503
            else "An internal error has occurred. Please retry or report in "
            "https://developers.generativeai.google/guide/troubleshooting"
        )
    else:
        message = fault.message or "Injected fault."
    return _error(EmulatorError(status, message, details=details), headers)


def _abort(send: Send) -> None:
    """Close the client connection without an answer (needs the server's transport)."""
    transport = getattr(getattr(send, "__self__", None), "transport", None)
    if transport is None:
        raise RuntimeError("cannot drop the connection: the ASGI server hides its transport")
    transport.abort()


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
