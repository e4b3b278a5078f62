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
from collections.abc import AsyncGenerator, AsyncIterator, Generator, Iterator, Mapping
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
    retry_info_delay,
)
from ._retry import RetryPolicy, is_idempotent, parse_retry_after
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
    """Puts the key header on a request only while it is being sent.

    The header is added at the last moment and taken off again as soon as the answer's head
    arrives or sending fails (httpx closes the auth flow either way), so no request object
    kept afterwards (``response.request``, the request of an httpx exception) holds the key.
    The connection layer (httpcore) keeps its own copy of the headers, reachable from the
    response's byte stream: the answer's stream lets go of it once closed.
    """

    def __init__(self, key: Secret) -> None:
        self._key = key

    def sync_auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        if not request.extensions.get("gemini_nb_send_key", True):
            yield request
            return
        request.headers[KEY_HEADER] = self._key.reveal()
        try:
            response = yield request
        finally:
            _drop_key(request)
        if isinstance(response.stream, httpx.SyncByteStream):
            response.stream = _ReleasingSyncStream(response.stream)

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        if not request.extensions.get("gemini_nb_send_key", True):
            yield request
            return
        request.headers[KEY_HEADER] = self._key.reveal()
        try:
            response = yield request
        finally:
            _drop_key(request)
        if isinstance(response.stream, httpx.AsyncByteStream):
            response.stream = _ReleasingAsyncStream(response.stream)

    def __repr__(self) -> str:
        return "_KeyAuth(<hidden>)"


KEY_HEADER = "x-goog-api-key"
_RELEASED = httpx.ByteStream(b"")


def _drop_key(request: httpx.Request) -> None:
    if KEY_HEADER in request.headers:
        del request.headers[KEY_HEADER]


class _ReleasingSyncStream(httpx.SyncByteStream):
    """A response's byte stream that drops the connection layer's objects (and the request
    headers they hold) when closed, so a response kept afterwards holds no key."""

    __slots__ = ("_inner",)

    def __init__(self, inner: httpx.SyncByteStream) -> None:
        self._inner = inner

    def __iter__(self) -> Iterator[bytes]:
        return iter(self._inner)

    def close(self) -> None:
        inner, self._inner = self._inner, _RELEASED
        inner.close()


class _ReleasingAsyncStream(httpx.AsyncByteStream):
    """The async twin of :class:`_ReleasingSyncStream`."""

    __slots__ = ("_inner",)

    def __init__(self, inner: httpx.AsyncByteStream) -> None:
        self._inner = inner

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._inner.__aiter__()

    async def aclose(self) -> None:
        inner, self._inner = self._inner, _RELEASED
        await inner.aclose()


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
        # The key stays in its Secret; redact() reveals it only for the time of a search.
        self._key = settings.api_key

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
        reply = Reply(body, info, response.headers, call, response.request.url)
        if call.content is not None:
            # Sent and answered: let an upload chunk's bytes go now. httpx ties a response and
            # its stream in a reference cycle that keeps the request (and so the bytes) alive
            # until the cyclic GC runs (a 1 GiB upload held a dozen 8 MiB chunks at once), and
            # the call itself lives on in the flow while the next chunk is read.
            response.stream = httpx.ByteStream(b"")
            call.content = None
        return reply

    def retry_delay(
        self, err: APIError, policy: RetryPolicy, attempt: int, call: Call
    ) -> float | None:
        """Seconds to wait before retrying ``call`` after ``err``, or None to raise it.

        What is safe to retry is decided in :mod:`gemini_nb._retry` (see its docstring).
        """
        if isinstance(err, APIStatusError):
            if not policy.should_retry_status(err.status_code, attempt):
                return None
            return policy.delay(attempt, _server_delay(err))
        if isinstance(err, APIConnectionError) and policy.should_retry_connection(
            attempt, sent=err.request_sent, idempotent=is_idempotent(call.method, call.path)
        ):
            return policy.delay(attempt)
        return None

    def connection_error(self, exc: Exception, call: Call) -> APIConnectionError:
        """The one place where transport exceptions become ours."""
        scrub_exception(exc)
        where = _where(call)
        sent = not isinstance(exc, _NOT_SENT)
        # Said when the failure will not be retried for this reason (see _retry).
        maybe_done = (
            " The request had been sent, so the server may have done (and billed) the work;"
            " it is not retried automatically. Send it again if you need the answer."
            if sent and not is_idempotent(call.method, call.path)
            else ""
        )
        if isinstance(exc, httpx.TimeoutException):
            kind = type(exc).__name__.replace("Timeout", " timeout").lower()
            return APITimeoutError(
                f"{where}: {kind} after {self._describe_timeout(call)}; "
                f"pass http_options={{'timeout': seconds}} to wait longer.{maybe_done}",
                request_sent=sent,
            )
        if sent:
            what = f"the connection to {self.settings.base_url} failed before an answer"
        else:
            what = f"could not reach {self.settings.base_url}"
        return self.redact(
            APIConnectionError(
                f"{where}: {what} ({type(exc).__name__}: {str(exc).rstrip('.')}).{maybe_done}",
                request_sent=sent,
            )
        )

    def stream_cut(self, call: Call, events: int, exc: Exception | None) -> APIConnectionError:
        """The error for a stream that stopped before its end (never retried: its chunks have
        been handed on already)."""
        if exc is not None:
            scrub_exception(exc)
        if isinstance(exc, httpx.TimeoutException):
            read = self.timeout_for(call).read
            return APITimeoutError(
                f"The stream of {_short(call)} sent nothing for {read}s after {events} "
                "event(s) (read timeout). Pass http_options={'timeout': seconds} (or "
                "Client(timeout=...)) to wait longer, or stream again; the chunks received "
                "so far are kept on the stream."
            )
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
        """Remove the key from an error's message and body, wherever the server echoed it.

        Only the key itself is replaced: a short key (the emulator's ``x``) inside a word or a
        model name is left alone, so messages stay readable (see :func:`redact_text`).
        """
        if self._key is None:
            return err
        secret = self._key.reveal()
        err.message = redact_text(err.message, secret)
        err.args = tuple(_scrub(a, secret) for a in err.args)
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
        return redact_text(value, secret)
    if isinstance(value, list):
        return [_scrub(v, secret) for v in value]
    if isinstance(value, dict):
        return {_scrub(k, secret): _scrub(v, secret) for k, v in value.items()}
    return value


def _server_delay(err: APIStatusError) -> float | None:
    """The wait the server asked for: ``RetryInfo`` in the body, else ``Retry-After``."""
    if isinstance(err, RateLimitError):
        return err.retry_delay
    delay = retry_info_delay(err.details)
    return delay if delay is not None else err.retry_after


# A key this long cannot occur inside other text by chance: every occurrence is replaced.
# Shorter ones (test keys such as "x") are replaced only where they stand as a whole token.
_LONG_KEY = 16
_KEY_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")


def redact_text(text: str, secret: str) -> str:
    """``text`` with ``secret`` replaced by ``***`` (plain string search: no regex, whose
    cache would keep the key)."""
    if not secret or secret not in text:
        return text
    if len(secret) >= _LONG_KEY:
        return text.replace(secret, "***")
    out: list[str] = []
    start = 0
    n = len(secret)
    i = text.find(secret)
    while i != -1:
        j = i + n
        if (i == 0 or text[i - 1] not in _KEY_CHARS) and (
            j == len(text) or text[j] not in _KEY_CHARS
        ):
            out.append(text[start:i])
            out.append("***")
            start = j
            i = text.find(secret, j)
        else:
            i = text.find(secret, i + 1)
    out.append(text[start:])
    return "".join(out)


# Failures that happen before any byte of the request leaves: safe to retry for any method.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.ProxyError)


def scrub_exception(exc: BaseException) -> None:
    """Take the key off every request an exception and its chain (``__cause__``,
    ``__context__``) still reference, and clear the locals of the frames they unwound.

    Those frames (httpx's and httpcore's) held the request's headers, key included; an error
    reporter that records locals would otherwise find it there. The first frame of each
    traceback is skipped: it caught the exception and may still be running.
    """
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        e = todo.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        request = getattr(e, "_request", None)
        if isinstance(request, httpx.Request):
            _drop_key(request)
        response = getattr(e, "response", None) if isinstance(e, httpx.HTTPStatusError) else None
        if isinstance(response, httpx.Response):
            _drop_key(response.request)
        tb = e.__traceback__
        if tb is not None:
            import traceback

            traceback.clear_frames(tb.tb_next)
        todo += [e.__cause__, e.__context__]


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
        "call",
        "chunks",
        "closed",
        "decoder",
        "events",
        "pending",
        "received",
        "response",
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
