"""The errors gemini-nb raises, as one tree.

::

    GeminiError
    ├── ConfigurationError          no API key and no base URL, or a bad setting
    ├── InvalidInputError           arguments that cannot become a request (nothing was sent):
    │                               a missing or unreadable file, an unknown MIME type, a TTL
    │                               that is not positive, an expiry time in the past, …
    ├── FunctionCallingError        a tool could not be declared or run (see _functions)
    ├── WaitTimeoutError            waiting for an operation or a file took longer than asked
    │                               (the work goes on server-side; wait again or check later)
    ├── LiveSessionClosedError      a Live session used after it closed (open a new one)
    └── APIError                    anything that went wrong talking to the API
        ├── APIConnectionError      could not connect, or the connection dropped
        │   ├── APITimeoutError     connect or read timeout
        │   └── LiveConnectionClosed    a Live session's WebSocket closed with an error code
        │       │                       (``code``, ``reason``, ``resumable``, ``handle``); a
        │       │                       normal close (1000) is not an error
        │       ├── LiveSetupError      the server refused the session's setup, at ``connect``
        │       └── LiveResumptionError the session could not reconnect faithfully (the
        │                               resend queue overflowed, or reconnecting failed)
        ├── APIResponseError        the server answered something that is not valid JSON
        ├── OperationError          a long-running operation finished with an error
        │   └── FileProcessingError an uploaded file's processing FAILED
        └── APIStatusError          the server answered an error status (or an in-stream error)
            ├── BadRequestError         400 INVALID_ARGUMENT / FAILED_PRECONDITION
            ├── AuthenticationError     401, and 400 API_KEY_INVALID
            ├── PermissionDeniedError   403
            ├── NotFoundError           404
            ├── ConflictError           409
            ├── RateLimitError          429 (``retry_delay`` parsed from RetryInfo/Retry-After)
            └── ServerError             5xx

A status error carries ``status_code``, ``status`` (e.g. ``"INVALID_ARGUMENT"``),
``message``, ``details`` (the ``error.details`` list), ``request_id`` and ``retry_after`` (the
``Retry-After`` header, in seconds) when the server sent them. No error message ever contains
the API key.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIResponseError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "ConflictError",
    "FileProcessingError",
    "FunctionCallingError",
    "GeminiError",
    "InvalidInputError",
    "LiveConnectionClosed",
    "LiveResumptionError",
    "LiveSessionClosedError",
    "LiveSetupError",
    "NotFoundError",
    "OperationError",
    "PermissionDeniedError",
    "RateLimitError",
    "ServerError",
    "WaitTimeoutError",
    "error_for_status",
    "parse_duration",
]


class GeminiError(Exception):
    """Base class of every error gemini-nb raises."""


class ConfigurationError(GeminiError, ValueError):
    """A setting is missing or invalid (for example no API key and no emulator URL)."""


class InvalidInputError(GeminiError, ValueError):
    """The arguments cannot be turned into a request (caught before anything is sent)."""


class FunctionCallingError(GeminiError):
    """A Python tool could not be declared or called."""


class WaitTimeoutError(GeminiError, TimeoutError):
    """``wait(timeout=...)`` ran out before the operation (or file) was done.

    Nothing failed: the work goes on on the server. ``last`` is what the last poll saw
    (an :class:`~gemini_nb.types.Operation` or :class:`~gemini_nb.types.File`).
    """

    def __init__(self, message: str, *, last: Any = None) -> None:
        super().__init__(message)
        self.last = last

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (type(self), str(self), self.__dict__))


class APIError(GeminiError):
    """A failure while talking to the API."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class APIConnectionError(APIError):
    """The request did not get an answer: connection refused, reset or dropped mid-stream.

    ``request_sent`` is False when the request certainly never reached the server (the
    connection could not be opened), so sending it again cannot repeat any work.
    """

    def __init__(self, message: str, *, request_sent: bool = True) -> None:
        super().__init__(message)
        self.request_sent = request_sent


class APITimeoutError(APIConnectionError):
    """The connect or read timeout expired."""


class LiveConnectionClosed(APIConnectionError):
    """A Live session's WebSocket closed with a code that ends the session.

    ``code`` and ``reason`` are the close frame's (1006 when the connection dropped without
    one); ``resumable`` says whether a new session can resume this one from ``handle`` (the
    latest resumption handle), which the session does by itself when it can.
    """

    def __init__(
        self,
        message: str,
        *,
        code: int,
        reason: str = "",
        resumable: bool = False,
        handle: str | None = None,
    ) -> None:
        super().__init__(message, request_sent=True)
        self.code = code
        self.reason = reason
        self.resumable = resumable
        self.handle = handle

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (type(self), self.message, self.__dict__))


class LiveSetupError(LiveConnectionClosed):
    """The server closed the socket in answer to the setup: 1007 for a field it does not
    take, 1008 for a model without the Live API, a key or token it refuses, or an expired
    resumption handle."""


class LiveResumptionError(LiveConnectionClosed):
    """The connection ended and the session could not go on faithfully: more was sent since
    the latest resumption handle than the resend queue holds, or reconnecting failed. The
    ``__cause__`` says why; ``handle`` may still resume the conversation in a new session."""


class LiveSessionClosedError(GeminiError, RuntimeError):
    """A Live session was used after it closed (by you, by the server, or after an error).

    Open a new one with ``client.aio.live.connect(...)``; the ``__cause__`` is the error that
    closed it, if one did.
    """


class APIResponseError(APIError):
    """The server's answer could not be decoded (not JSON, truncated, wrong shape)."""

    def __init__(self, message: str, *, body: str | None = None, status_code: int | None = None):
        super().__init__(message)
        self.body = body
        self.status_code = status_code


class OperationError(APIError):
    """A long-running operation finished with an error (its ``error``, a ``google.rpc.Status``).

    ``code`` is the ``google.rpc.Code`` number (3 INVALID_ARGUMENT, 13 INTERNAL, …), ``details``
    the status's details, ``name`` the operation's (or file's) resource name.
    """

    def __init__(
        self,
        message: str,
        *,
        name: str | None = None,
        code: int | None = None,
        details: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(message)
        self.name = name
        self.code = code
        self.details: list[dict[str, Any]] = details or []

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (type(self), self.message, self.__dict__))


class FileProcessingError(OperationError):
    """An uploaded file ended in state ``FAILED`` (``file`` is the File as last seen)."""

    def __init__(self, message: str, *, file: Any = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.file = file


_HINTS = {
    400: "Check the request: the message above names the field.",
    401: "Check your API key (GEMINI_API_KEY).",
    403: "The key is not allowed to do this; check the key's project and the API's settings.",
    404: "Check the name; `client.models.list()` shows the models you can use.",
    429: "You are over a rate limit or quota; wait and retry, or check your quota.",
}


class APIStatusError(APIError):
    """The API answered with an error status."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        status: str | None = None,
        details: list[dict[str, Any]] | None = None,
        request_id: str | None = None,
        body: Any = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.status = status
        self.details: list[dict[str, Any]] = details or []
        self.request_id = request_id
        self.body = body
        # The Retry-After header in seconds, on any status (503 sends it too).
        self.retry_after = retry_after

    def __str__(self) -> str:
        head = f"{self.status_code} {self.status}" if self.status else str(self.status_code)
        return f"{head}: {self.message}"

    @property
    def hint(self) -> str:
        """One line on what to do about it, for notebook display."""
        if self.status_code >= 500:
            return "The service had a problem; retrying later usually works."
        return _HINTS.get(self.status_code, "")

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only constructor: make the error picklable (multiprocessing, joblib).
        return (_rebuild, (type(self), self.message, self.__dict__))


def _rebuild(cls: type[GeminiError], message: str, state: dict[str, Any]) -> GeminiError:
    err = cls.__new__(cls)
    Exception.__init__(err, message)
    err.__dict__.update(state)
    return err


class BadRequestError(APIStatusError):
    """400: the request is invalid (unknown field, bad value, unsupported combination)."""


class AuthenticationError(APIStatusError):
    """401, or 400 with reason API_KEY_INVALID: the key is missing or not valid."""


class PermissionDeniedError(APIStatusError):
    """403: the key may not use this API or resource."""


class NotFoundError(APIStatusError):
    """404: no such model, file, cache or other resource."""


class ConflictError(APIStatusError):
    """409: the resource already exists or changed concurrently."""


class RateLimitError(APIStatusError):
    """429: rate limit or quota. ``retry_delay`` is the server's advice, in seconds."""

    def __init__(self, message: str, *, retry_delay: float | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.retry_delay = retry_delay


class ServerError(APIStatusError):
    """5xx: the service failed; usually worth retrying."""


_BY_STATUS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    429: RateLimitError,
}

_DURATION = re.compile(r"^\s*(-?\d+(?:\.\d+)?)s\s*$")


def parse_duration(value: Any) -> float | None:
    """A protobuf Duration string (``"17s"``, ``"0.5s"``) in seconds, or None."""
    if not isinstance(value, str):
        return None
    m = _DURATION.match(value)
    return float(m.group(1)) if m else None


def retry_info_delay(details: list[dict[str, Any]]) -> float | None:
    """The ``google.rpc.RetryInfo.retryDelay`` in an error's details, in seconds."""
    for d in details:
        if isinstance(d, dict) and str(d.get("@type", "")).endswith("google.rpc.RetryInfo"):
            return parse_duration(d.get("retryDelay"))
    return None


def _is_invalid_key(details: list[dict[str, Any]]) -> bool:
    return any(isinstance(d, dict) and d.get("reason") == "API_KEY_INVALID" for d in details)


def error_for_status(
    status_code: int,
    body: Any,
    *,
    request_id: str | None = None,
    retry_after: float | None = None,
) -> APIStatusError:
    """Build the typed error for an HTTP status and Google's JSON error body (or raw text)."""
    err = body.get("error") if isinstance(body, dict) else None
    if isinstance(err, dict):
        message = str(err.get("message") or "")
        status = err.get("status")
        raw_details = err.get("details")
        details = (
            [d for d in raw_details if isinstance(d, dict)] if isinstance(raw_details, list) else []
        )
    else:
        text = body if isinstance(body, str) else ""
        message = text.strip()[:500] or "the server answered without an error message"
        status, details = None, []
    if 500 <= status_code < 600:
        cls: type[APIStatusError] = ServerError
    elif status_code == 400 and _is_invalid_key(details):
        cls = AuthenticationError
    else:
        cls = _BY_STATUS.get(status_code, APIStatusError)
    kw: dict[str, Any] = {
        "status_code": status_code,
        "status": status,
        "details": details,
        "request_id": request_id,
        "body": body,
        "retry_after": retry_after,
    }
    if cls is RateLimitError:
        delay = retry_info_delay(details)
        return RateLimitError(
            message, retry_delay=delay if delay is not None else retry_after, **kw
        )
    return cls(message, **kw)
