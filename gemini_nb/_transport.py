"""One transport for both clients.

API methods are written once, as *flows* (:data:`Flow`): generators that yield effects (an
HTTP :class:`Call`, reading the :class:`Next` event of a stream, a :class:`Sleep`, running
tools) and receive their results. The sync and async clients only differ in how they perform an
effect; everything else here (URLs, headers, error mapping, retry decisions) is pure and
shared.
"""

from __future__ import annotations

import json
import platform
from collections import deque
from collections.abc import Generator, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from ._config import Secret, Settings
from ._exceptions import (
    APIConnectionError,
    APIError,
    APIResponseError,
    APIStatusError,
    APITimeoutError,
    RateLimitError,
    error_for_status,
)
from ._retry import RetryPolicy, parse_retry_after
from ._sse import SSEDecoder
from ._version import __version__
from .types import HttpInfo, HttpOptions, ResponseModel

M = TypeVar("M", bound=BaseModel)

__all__ = [
    "Call",
    "Emit",
    "Flow",
    "Next",
    "Read",
    "Reply",
    "RunTools",
    "Sleep",
    "Transport",
]

T = TypeVar("T")

USER_AGENT = f"gemini-nb/{__version__} python/{platform.python_version()}"


@dataclass(slots=True)
class Call:
    """One HTTP request a flow wants made."""

    method: str
    path: str
    params: Mapping[str, Any] | None = None
    body: Any = None
    content: bytes | None = None
    headers: Mapping[str, str] | None = None
    stream: bool = False
    options: HttpOptions | None = None
    upload: bool = False  # under /upload/{version}/ (resumable uploads)
    url: str | None = None  # absolute URL (an upload session's URL)
    raw: bool = False  # answer bytes instead of JSON (downloads)
    send_key: bool = True
    redirect: bool = False  # a 3xx answer is a Reply (the flow follows it), not an error


@dataclass(slots=True)
class Reply:
    """A successful answer: its body, headers and transport facts; parsed on demand."""

    body: bytes
    info: HttpInfo
    headers: httpx.Headers = field(default_factory=httpx.Headers)
    call: Call | None = None
    url: httpx.URL | None = None  # where the request went (to resolve a relative Location)

    def json(self) -> Any:
        if not self.body.strip():
            return {}
        try:
            return json.loads(self.body)
        except ValueError:
            raise self._not_json() from None

    def model(self, cls: type[M]) -> M:
        """The body parsed tolerantly into ``cls``, with ``.http`` filled in."""
        try:
            obj = cls.model_validate_json(self.body or b"{}", extra="allow")
        except ValidationError as exc:
            if any(e["type"] == "json_invalid" for e in exc.errors()):
                raise self._not_json() from None
            raise APIResponseError(
                f"The answer to {_where(self.call)} does not have the expected shape "
                f"({cls.__name__}): {exc.errors()[0]['msg']} at "
                f"{'.'.join(str(x) for x in exc.errors()[0]['loc'])}",
                body=self.body[:2000].decode("utf-8", "replace"),
                status_code=self.info.status_code,
            ) from None
        if isinstance(obj, ResponseModel):
            obj._http = self.info
        return obj

    def _not_json(self) -> APIResponseError:
        return APIResponseError(
            f"The answer to {_where(self.call)} is not JSON (status {self.info.status_code}, "
            f"{len(self.body)} bytes, starting {self.body[:60].decode('utf-8', 'replace')!r}). "
            "Is the base URL a Gemini API endpoint?",
            body=self.body[:2000].decode("utf-8", "replace"),
            status_code=self.info.status_code,
        )


@dataclass(slots=True)
class Next:
    """Read the next events of an open stream: the result is the JSON texts of one or more
    events already received and not yet read, or None at the end."""

    handle: Any


@dataclass(slots=True)
class Read:
    """Read the next bytes of an open raw stream (a download): the result is a chunk of
    bytes, or None at the end."""

    handle: Any


@dataclass(slots=True)
class Sleep:
    seconds: float


@dataclass(slots=True)
class Emit:
    """Hand values, in order, to whoever iterates the flow (stream chunks)."""

    values: list[Any]


@dataclass(slots=True)
class RunTools:
    """Run Python tools for the model's function calls; the result is one response per call."""

    calls: list[Any]
    functions: Mapping[str, Any]
    timeout: float | None


Effect = Call | Next | Read | Sleep | Emit | RunTools
Flow = Generator[Effect, Any, T]


class _KeyAuth(httpx.Auth):
    """Adds the key header at the last moment, so no request built by us holds it earlier."""

    def __init__(self, key: Secret) -> None:
        self._key = key

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if request.extensions.get("gemini_nb_send_key", True):
            request.headers["x-goog-api-key"] = self._key.reveal()
        yield request

    def __repr__(self) -> str:
        return "_KeyAuth(<hidden>)"


class Transport:
    """The pure half of a client: builds requests and interprets answers."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.auth: httpx.Auth | None = _KeyAuth(settings.api_key) if settings.api_key else None
        base = settings.base_url.rstrip("/")
        self._prefix = f"{base}/{settings.api_version}/" if settings.api_version else f"{base}/"
        self._upload_prefix = f"{base}/upload/{settings.api_version}/"
        self._headers = {
            "user-agent": USER_AGENT,
            "x-goog-api-client": USER_AGENT,
            **settings.headers,
        }
        self._json_headers = {**self._headers, "content-type": "application/json"}
        self._timeout = _to_httpx_timeout(settings.timeout)
        self._secret = settings.api_key.reveal() if settings.api_key else None

    # ---------------------------------------------------------------- building

    def url(self, call: Call) -> str:
        if call.url is not None:
            return call.url
        return (self._upload_prefix if call.upload else self._prefix) + call.path.lstrip("/")

    def build(self, call: Call) -> httpx.Request:
        if call.content is not None:
            content: bytes | None = call.content
            headers = dict(self._headers)
        elif call.body is not None:
            body = call.body
            if call.options is not None and call.options.extra_body:
                body = merge_body(body, call.options.extra_body)
            try:
                content = json.dumps(
                    body, separators=(",", ":"), ensure_ascii=False, allow_nan=False
                ).encode()
            except (TypeError, ValueError):  # NaN, a lone surrogate, a non-JSON object
                from ._convert import invalid_body

                raise invalid_body(body) from None
            headers = dict(self._json_headers)
        else:
            content = None
            headers = dict(self._headers)
        if call.headers:
            headers.update(call.headers)
        if call.options is not None and call.options.headers:
            headers.update(call.options.headers)
        extensions: dict[str, Any] = {"timeout": self.timeout_for(call).as_dict()}
        # The key goes only to the configured host: not to an upload session or a redirect
        # target elsewhere.
        if not call.send_key or (call.url is not None and not self.same_origin(call.url)):
            extensions["gemini_nb_send_key"] = False
        return httpx.Request(
            call.method,
            self.url(call),
            params=call.params,
            content=content,
            headers=headers,
            extensions=extensions,
        )

    def timeout_for(self, call: Call) -> httpx.Timeout:
        opts = call.options
        if opts is not None and "timeout" in opts.model_fields_set:
            return _to_httpx_timeout(opts.timeout)
        return self._timeout

    def policy_for(self, call: Call) -> RetryPolicy:
        opts = call.options
        if opts is not None and opts.max_retries is not None:
            return self.settings.retry.with_retries(opts.max_retries)
        return self.settings.retry

    # ---------------------------------------------------------------- answers

    def status_error(self, response: httpx.Response, body: bytes) -> APIStatusError:
        text = body.decode("utf-8", errors="replace")
        try:
            parsed: Any = json.loads(text) if text.strip() else None
        except ValueError:
            parsed = text
        err = error_for_status(
            response.status_code,
            parsed if parsed is not None else text,
            request_id=_request_id(response.headers),
            retry_after=parse_retry_after(response.headers.get("retry-after")),
        )
        return self.redact(err)

    def reply(self, call: Call, response: httpx.Response, body: bytes, retries: int) -> Reply:
        info = HttpInfo(
            status_code=response.status_code,
            request_id=_request_id(response.headers),
            retries=retries,
        )
        return Reply(body, info, response.headers, call, response.request.url)

    def retry_delay(self, err: APIError, policy: RetryPolicy, attempt: int) -> float | None:
        """Seconds to wait before retrying after ``err``, or None to give up and raise it."""
        if isinstance(err, APIStatusError):
            if not policy.should_retry_status(err.status_code, attempt):
                return None
            server = err.retry_delay if isinstance(err, RateLimitError) else None
            return policy.delay(attempt, server)
        if isinstance(err, APIConnectionError) and policy.can_retry(attempt):
            return policy.delay(attempt)
        return None

    def connection_error(self, exc: Exception, call: Call) -> APIConnectionError:
        """The one place where transport exceptions become ours."""
        where = _where(call)
        if isinstance(exc, httpx.TimeoutException):
            kind = type(exc).__name__.replace("Timeout", " timeout").lower()
            return APITimeoutError(
                f"{where}: {kind} after {self._describe_timeout(call)}; "
                "pass http_options={'timeout': seconds} to wait longer."
            )
        return self.redact(
            APIConnectionError(
                f"{where}: could not reach {self.settings.base_url} ({type(exc).__name__}: {exc})"
            )
        )

    def stream_cut(self, call: Call, events: int, exc: Exception | None) -> APIConnectionError:
        why = f" ({type(exc).__name__}: {exc})" if exc is not None else ""
        return self.redact(
            APIConnectionError(
                f"The connection closed in the middle of the stream of {_short(call)} after "
                f"{events} event(s){why}. The chunks received so far are kept on the stream."
            )
        )

    def download_cut(self, call: Call, received: int, exc: Exception | None) -> APIConnectionError:
        why = f" ({type(exc).__name__}: {exc})" if exc is not None else ""
        return self.redact(
            APIConnectionError(
                f"The connection closed in the middle of the download of {_short(call)} after "
                f"{received} byte(s){why}; nothing was kept. Download again."
            )
        )

    def same_origin(self, url: str) -> bool:
        """True if ``url`` is on the configured API host (scheme, host and port)."""
        return _origin(url) == _origin(self.settings.base_url)

    def _describe_timeout(self, call: Call) -> str:
        t = self.timeout_for(call)
        return f"connect={t.connect}s, read={t.read}s"

    def redact(self, err: E) -> E:
        """Remove the key from an error's message and body, wherever the server echoed it."""
        secret = self._secret
        if not secret:
            return err
        if secret in err.message or secret in str(err.args):
            err.message = err.message.replace(secret, "***")
            err.args = tuple(
                a.replace(secret, "***") if isinstance(a, str) else a for a in err.args
            )
        if isinstance(err, APIStatusError):
            err.body = _scrub(err.body, secret)
            err.details = _scrub(err.details, secret)
        return err


E = TypeVar("E", bound=APIError)


def merge_body(body: Any, extra: Mapping[str, Any]) -> Any:
    """``body`` with ``extra`` merged in: nested dicts key by key, anything else replaced."""
    if not isinstance(body, dict):
        return body
    out = dict(body)
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict):
            out[key] = merge_body(out[key], value)
        else:
            out[key] = value
    return out


def _origin(url: str) -> tuple[str, str, int | None]:
    u = httpx.URL(url)
    return u.scheme, u.host, u.port


def _scrub(value: Any, secret: str) -> Any:
    if isinstance(value, str):
        return value.replace(secret, "***")
    if isinstance(value, list):
        return [_scrub(v, secret) for v in value]
    if isinstance(value, dict):
        return {k: _scrub(v, secret) for k, v in value.items()}
    return value


def _short(call: Call) -> str:
    # Upload session URLs carry an upload id in their query; keep messages short.
    return call.url.split("?", 1)[0] if call.url else call.path


def _where(call: Call | None) -> str:
    return f"{call.method} {_short(call)}" if call is not None else "the request"


def _request_id(headers: httpx.Headers) -> str | None:
    value: str | None = headers.get("x-request-id") or headers.get("x-goog-request-id")
    return value


def _to_httpx_timeout(value: Any) -> httpx.Timeout:
    if value is None:
        return httpx.Timeout(None)
    if isinstance(value, httpx.Timeout):
        return value
    if isinstance(value, tuple):
        connect, read = value
        return httpx.Timeout(read, connect=connect)
    return httpx.Timeout(float(value))


_BATCH = 16


class StreamHandle:
    """An open streaming response: bytes in, SSE event texts out (raw bytes for downloads)."""

    __slots__ = (
        "call", "chunks", "closed", "decoder", "events", "pending", "received", "response",
    )

    def __init__(self, call: Call, response: httpx.Response, chunks: Any) -> None:
        self.call = call
        self.response = response
        self.chunks = chunks
        self.decoder = SSEDecoder()
        self.pending: deque[str] = deque()
        self.events = 0
        self.received = 0  # bytes handed out by Read (raw streams)
        self.closed = False

    def take(self) -> list[str] | None:
        # A few events at a time: decoded chunks then die young, before the cyclic GC
        # promotes them (a 256 KiB read holds hundreds of events).
        pending = self.pending
        if not pending:
            return None
        if len(pending) <= _BATCH:
            events = list(pending)
            pending.clear()
        else:
            events = [pending.popleft() for _ in range(_BATCH)]
        self.events += len(events)
        return events

    def feed(self, chunk: bytes) -> None:
        self.pending.extend(self.decoder.feed(chunk))

    def finish(self) -> None:
        self.pending.extend(self.decoder.close())
