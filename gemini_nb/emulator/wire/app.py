"""The emulator's ASGI application: checks, faults, Discovery dispatch, the control API.

A plain ASGI callable (Starlette's Request and Response classes, no middleware stack) so
that fault injection can reach the connection itself to drop it. What each method does lives in
``backends/``; this module only decides who answers.
"""

from __future__ import annotations

import asyncio
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from ..backends.state import Clock, Store
from ..model.scripted import ScriptedAnswers
from ..model.tokens import TEXT_COUNTER
from . import routing
from . import schema as _schema
from .control import RequestLog, control
from .errors import EmulatorError
from .faults import Fault, FaultSet
from .framing import error_response, json_response
from .upload import UploadCut, is_session_request

__all__ = ["EmulatorApp", "EmulatorOptions"]


VERSIONS = ("v1beta", "v1", "v1alpha")
CONTROL = "/_emulator"

MISSING_KEY = (
    "Method doesn't allow unregistered callers (callers without established identity). "
    "Please use API Key or other form of API consumer identity to call this API."
)
INVALID_KEY = "API key not valid. Please pass a valid API key."

_VERSIONED = re.compile(
    r"^/(?:(?:upload|resumable/upload|download)/)?(?P<version>v1beta|v1alpha|v1)/"
)
_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})


@dataclass
class EmulatorOptions:
    """How an emulator behaves.

    ``api_key``: when set, requests must carry exactly this key (else any key, or none).
    ``chunk_delay``: seconds between stream events (0 for tests; a little for demos).
    ``page_size``: default models.list page size, as the real API (50).
    ``clock_speed``: the emulator's clock runs this many times faster than the wall clock.
    ``answers``: a JSON file of scripted answers (see :mod:`gemini_nb.emulator.model.scripted`).
    ``control_token``: the token the control API wants (default: a random one per process).
    ``log_size`` / ``log_bytes``: the request log keeps at most this many requests and bytes.
    ``max_body_bytes``: the largest JSON request body taken (the API's own limit).
    ``body_timeout``: seconds a client may pause while sending a request body.
    ``header_timeout``: seconds a connection may take to send a request's headers.
    ``live_pace``: Live audio answers are sent this many times slower than they play
    (1: at the pace they play, so a user can talk over them; 0: as fast as possible).
    ``blob_dir`` / ``blob_limit``: where uploaded bytes are kept, and how many at most.
    ``tokenizer``: how text tokens are counted. ``"auto"``: with the Gemma 3 tokenizer file
    when it is at hand (in the cache of ``gemini_nb.tokens``, or where
    ``GEMINI_NB_TOKENIZER_GEMMA3`` points; never downloaded), so that counts agree with
    ``count_tokens(local=True)``; else the emulator's own rule. ``"words"``: always its own
    rule. A path: that tokenizer file.
    """

    api_key: str | None = None
    chunk_delay: float = 0.0
    page_size: int = 50
    log_size: int = 500
    log_bytes: int = 16 * 1024 * 1024
    faults: list[dict[str, Any]] = field(default_factory=list)
    seed: int = 0
    clock_speed: float = 1.0
    answers: str | None = None
    control_token: str | None = None
    max_body_bytes: int = routing.MAX_BODY_BYTES
    body_timeout: float = 30.0
    header_timeout: float = 10.0
    live_pace: float = 1.0
    tokenizer: str = "auto"
    blob_dir: str | None = None
    blob_limit: int | None = None


class EmulatorApp:
    """The ASGI application. One instance holds the state, faults, answers and request log."""

    def __init__(self, options: EmulatorOptions | None = None) -> None:
        self.options = options or EmulatorOptions()
        self.faults = FaultSet(seed=self.options.seed)
        for spec in self.options.faults:
            self.faults.add(spec)
        self.requests = RequestLog(self.options.log_size, self.options.log_bytes)
        self.answers = ScriptedAnswers()
        if self.options.answers:
            self.answers.load(self.options.answers)
        store_kw: dict[str, Any] = {}
        if self.options.blob_dir:
            store_kw["blob_dir"] = Path(self.options.blob_dir)
        if self.options.blob_limit is not None:
            store_kw["blob_limit"] = self.options.blob_limit
        self.store = Store(Clock(self.options.clock_speed), **store_kw)
        # Whoever started the emulator holds this; nobody else can read prompts or plant answers.
        self.control_token = self.options.control_token or secrets.token_urlsafe(24)
        self.text_counter = _text_counter(self.options.tokenizer)
        routing.load_backends()

    @property
    def clock(self) -> Clock:
        return self.store.clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] == "websocket":
            from .websocket import serve_socket

            if not _host_allowed(Headers(scope=scope), scope):
                await send({"type": "websocket.close", "code": 1008})
                return
            TEXT_COUNTER.set(self.text_counter)
            await serve_socket(self, scope, receive, send)
            return
        if scope["type"] != "http":
            return
        request = Request(scope, _timed(receive, self.options.body_timeout))
        path: str = scope["path"]
        if not _host_allowed(request.headers, scope):
            await error_response(
                EmulatorError(403, "This emulator only answers requests addressed to loopback.")
            )(scope, receive, send)
            return
        if path.startswith(CONTROL):
            response = await control(self, request, path[len(CONTROL) :])
            await response(scope, receive, send)
            return
        decision = self.faults.decide(request.method, path)
        if decision.latency_ms:
            await asyncio.sleep(decision.latency_ms / 1000)
        fault = decision.fault
        if fault is not None and fault.drop:
            _abort(send)
            return
        sse = request.query_params.get("alt") == "sse"
        try:
            response = await self._api(request, path, fault)
        except UploadCut:
            _abort(send)  # an injected network cut in the middle of an upload
            return
        except EmulatorError as err:
            response = error_response(err, sse=sse)
        except RecursionError:
            response = error_response(
                EmulatorError(400, "Invalid JSON payload received. Too deeply nested."), sse=sse
            )
        await response(scope, receive, send)

    # ------------------------------------------------------------------ API

    async def _api(self, request: Request, path: str, fault: Fault | None) -> Response:
        if not is_session_request(request, path):
            # An upload session's URL is its own credential: chunks carry no key.
            self._check_key(request)
        ctx = routing.Ctx(self, request, path, _version(path), {}, fault=fault)
        routing.enter(ctx)
        TEXT_COUNTER.set(self.text_counter)
        if fault is not None and fault.status is not None:
            await self._log(ctx)
            return _fault_response(fault)
        if fault is not None and fault.body is not None:
            await self._log(ctx)
            return Response(fault.body, media_type="text/html")
        handler, params, spec, upload = self._route(request.method, path)
        ctx.params, ctx.method, ctx.upload = params, spec, upload
        if upload is None and not getattr(handler, "streams_body", False):
            # Log (and bound) the body before the handler runs, so even a refused call is seen.
            await self._log(ctx)
        else:
            self.requests.add_meta(request, path)
        result = await handler(ctx)
        if isinstance(result, Response):
            return result
        return json_response(result)

    def _route(
        self, http_method: str, path: str
    ) -> tuple[routing.Handler, dict[str, str], _schema.MethodSpec | None, str | None]:
        extra = routing.find_extra(http_method, path)
        if extra is not None:
            return extra[0], extra[1], None, None
        m = _VERSIONED.match(path)
        # The document describes v1beta; v1 and v1alpha share its paths.
        canonical = path[: m.start("version")] + "v1beta" + path[m.end("version") :] if m else path
        match = _schema.find_method(http_method, canonical) if m else None
        if match is None:
            raise EmulatorError(404, f"Method not found: {http_method} {path}")
        spec = match.method
        handler = routing.handler_for(spec.id)
        if handler is None:
            raise EmulatorError(
                501,
                f"Method generativelanguage.{m['version'] if m else 'v1beta'}.{spec.id} is not "
                "implemented by the gemini-nb emulator.",
            )
        return handler, match.params, spec, match.upload

    async def _log(self, ctx: routing.Ctx) -> None:
        body = await ctx.raw(self.options.max_body_bytes)
        self.requests.add(ctx.request, ctx.path, body)

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
        if not secrets.compare_digest(given.encode(), expected.encode()):
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


def _version(path: str) -> str:
    m = _VERSIONED.match(path)
    return m["version"] if m else "v1beta"


def _host_allowed(headers: Headers, scope: Scope) -> bool:
    """Refuse requests whose Host is not this server's (DNS rebinding from a web page)."""
    host = headers.get("host", "")
    name = host.rsplit(":", 1)[0] if not host.startswith("[") else host.split("]")[0] + "]"
    if name in _LOOPBACK_HOSTS:
        return True
    server = scope.get("server")
    return server is not None and name == str(server[0])


def _timed(receive: Receive, timeout: float) -> Receive:
    """``receive`` that gives up on a client that stops sending in the middle of a body."""

    async def wrapped() -> Any:
        try:
            return await asyncio.wait_for(receive(), timeout)
        except TimeoutError:
            raise EmulatorError(
                408, f"The request body did not arrive within {timeout:g} seconds."
            ) from None

    return wrapped


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
        if fault.retry_delay:
            # An overloaded front end may say when to come back, as a header.
            headers["retry-after"] = str(max(0, round(float(fault.retry_delay[:-1]))))
    else:
        message = fault.message or "Injected fault."
    return error_response(EmulatorError(status, message, details=details), headers)


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


def _text_counter(setting: str) -> Callable[[str], int] | None:
    """The Gemma tokenizer's counter, or None for the emulator's own rule (see ``tokenizer``)."""
    if setting == "words":
        return None
    try:
        from ...tokens import LocalTokenizer, TokenizerError, TokenizerFile
    except ImportError:
        return None
    try:
        if setting == "auto":
            tokenizer = LocalTokenizer("gemini-2.5-flash", download=False)
        else:
            # A file the emulator's owner chose: used as it is, whatever its hash.
            path = Path(setting).expanduser()
            kind: Literal["sentencepiece", "tokenizer.json"] = (
                "tokenizer.json" if path.suffix == ".json" else "sentencepiece"
            )
            spec = TokenizerFile(
                name="custom", kind=kind, url=None, sha256=None, filename=path.name
            )
            tokenizer = LocalTokenizer("gemini-2.5-flash", tokenizer=spec, path=path)
    except (TokenizerError, ImportError, OSError) as exc:
        if setting != "auto":
            raise ValueError(f"the tokenizer file {setting} cannot be used: {exc}") from None
        return None
    return lambda text: tokenizer.count_texts([text])[0] if text else 0
