"""``client.aio.live`` and ``client.live``: real-time sessions over one WebSocket (the Live API).

>>> async with client.aio.live.connect(model="gemini-2.5-flash-native-audio-latest",
...                                    config={"response_modalities": ["AUDIO"]}) as session:
...     await session.send_realtime_input(audio=types.Blob(data=pcm, mime_type="audio/pcm;rate=16000"))
...     async for message in session:       # every message, until the socket closes
...         play(message.data)              # doctest: +SKIP

``async for message in session`` runs until the session ends (a normal close ends it quietly);
``session.receive()`` stops after each model turn, as google-genai's does. The session
reconnects by itself when the server says ``goAway`` (at the next quiet moment, or before the
time it gave runs out) or the connection drops with 1001, 1006, 1011, 1012 or 1013: it resumes
with the latest handle, sends again what the server had not acknowledged, and yields a message
whose ``reconnect`` says why (``session.reconnects`` counts them). Python functions given as
tools run as the model calls them (the ``tool_call`` message is still yielded, ``handled``).

The async session needs no thread: it runs on the caller's event loop (a notebook kernel's
too). The sync :class:`LiveSession` drives the same async session on a private event loop
thread (``_live_sync``). See ``_live`` for the pure parts (setup, frames, input checks, the
resend queue).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import deque
from collections.abc import Callable, Generator
from typing import TYPE_CHECKING, Any, Generic, NoReturn, Protocol, TypeVar

from .._config import Secret, Settings
from .._exceptions import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    InvalidInputError,
    LiveConnectionClosed,
    LiveResumptionError,
    LiveSessionClosedError,
    error_for_status,
)
from .._live import (
    NORMAL_CLOSE_CODES,
    RECOVERABLE_CLOSE_CODES,
    RESEND_LIMIT,
    SECRET_HEADERS,
    LiveSetup,
    ResendQueue,
    build_setup,
    client_content_frame,
    close_error,
    closed_by,
    connect_headers,
    go_away_deadline,
    is_ephemeral,
    live_url,
    parse_message,
    realtime_input_frame,
    tool_response_frame,
)
from .._retry import RetryPolicy
from .._transport import USER_AGENT, redact_text
from ..types import FunctionCall, FunctionResponse
from ..types.live import LiveReconnect, LiveServerMessage, LiveServerSetupComplete

if TYPE_CHECKING:
    from .._client import AsyncClient, Client
    from ..types.auth_tokens import AuthToken
    from .live_music import AsyncLiveMusic

__all__ = ["AsyncLive", "AsyncLiveSession"]

E = TypeVar("E", bound=APIError)
M = TypeVar("M")
M_co = TypeVar("M_co", covariant=True)
S = TypeVar("S", bound="_Session[Any]")

# The largest frame taken from the server (websockets' default is 1 MiB).
MAX_FRAME = 16 * 1024 * 1024
CLOSE_TIMEOUT = 5.0
_log = logging.getLogger("gemini_nb.live")


def _websockets() -> Any:
    try:
        import websockets.asyncio.client
        import websockets.exceptions
    except ImportError:
        from .._optional import missing_dependency

        raise missing_dependency("The Live API", "websockets", "live") from None
    return websockets


def _turn_done(message: LiveServerMessage) -> bool:
    content = message.server_content
    if content is None:
        return False
    status = content.interaction_status
    if status and status != "INTERACTION_STATUS_UNSPECIFIED":
        return status == "IDLE"
    return bool(content.turn_complete)


class _RedactingLogger(logging.LoggerAdapter):  # type: ignore[type-arg]
    """websockets' logger, with the credential headers of the handshake shown as ``***``
    (at DEBUG it logs every header it sends)."""

    def log(self, level: int, msg: object, *args: object, **kwargs: Any) -> None:
        if len(args) == 2 and isinstance(args[0], str) and args[0].lower() in SECRET_HEADERS:
            args = (args[0], "***")
        super().log(level, msg, *args, **kwargs)


def _scrub_handshake(ws: Any) -> None:
    """Take the key (or token) off the handshake request websockets keeps."""
    request = getattr(ws, "request", None)
    headers = getattr(request, "headers", None)
    if headers is not None:
        for name in SECRET_HEADERS:
            with contextlib.suppress(KeyError):
                del headers[name]


# ------------------------------------------------------------------ the async session


class AsyncLiveSession:
    """A connected Live session. Send with the ``send_*`` methods (from any task), read with
    ``async for message in session`` (every message until it ends) or ``session.receive()``
    (one model turn). Close it with ``await session.close()`` or an ``async with`` block.

    ``resumption_handle`` is the latest handle, ``reconnects`` the number of reconnects,
    ``session_id`` the server's id (when it sends one).
    """

    def __init__(
        self,
        settings: Settings,
        setup: LiveSetup,
        *,
        token: Secret | None = None,
        reconnect: bool = True,
        resend_limit: int = RESEND_LIMIT,
        headers: dict[str, str] | None = None,
        timeout: float | None = None,
        policy: RetryPolicy | None = None,
    ) -> None:
        self._settings = settings
        self._setup = setup
        self._token = token
        self._auto_reconnect = reconnect and setup.resumption
        self._queue = ResendQueue(resend_limit)
        self._queue.handle = setup.handle
        self._headers = headers
        self._timeout = timeout
        self._policy = policy or settings.retry
        version = "v1alpha" if token is not None else settings.api_version
        method = "BidiGenerateContentConstrained" if token is not None else "BidiGenerateContent"
        self._url = live_url(settings.base_url, version, method)
        self._ws: Any = None
        self._gen = 0  # which connection: bumped by every reconnect
        self._send_lock = asyncio.Lock()
        self._reconnect_lock = asyncio.Lock()
        self._events: deque[LiveServerMessage] = deque()
        self._tools: dict[asyncio.Task[None], tuple[int, set[str]]] = {}
        self._go_away_at: float | None = None
        self._quiet_reconnects = 0  # reconnects in a row without a message in between
        self._reading = False
        self._closing = False
        self._closed = False
        self._drain = False  # closed normally by the server: frames it sent may be unread
        self._error: BaseException | None = None
        self._pending_error: BaseException | None = None
        self._ended = ""
        self.reconnects = 0
        self.model = setup.model
        self.session_id: str | None = None
        self.setup_complete: LiveServerSetupComplete | None = None

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open"
        return (
            f"AsyncLiveSession(model={self.model!r}, {state}, reconnects={self.reconnects}, "
            f"resumption_handle={self.resumption_handle!r})"
        )

    @property
    def resumption_handle(self) -> str | None:
        """The latest session resumption handle (None before the first)."""
        return self._queue.handle

    @property
    def closed(self) -> bool:
        return self._closed

    # -------------------------------------------------------------- sending

    async def send_client_content(self, *, turns: Any = None, turn_complete: bool = True) -> None:
        """Add turns to the conversation, in order; ``turn_complete`` asks for an answer.

        ``turns``: a Content, a content dict, a list of them, or text (one user turn).
        """
        self._check_open()
        await self._send(client_content_frame(turns, turn_complete), keep=True)

    async def send_realtime_input(
        self,
        *,
        media: Any = None,
        audio: Any = None,
        audio_stream_end: bool | None = None,
        video: Any = None,
        text: str | None = None,
        activity_start: Any = None,
        activity_end: Any = None,
    ) -> None:
        """Stream input, one kind per call: ``audio`` (a Blob of raw PCM16 with
        ``mime_type="audio/pcm;rate=16000"``), ``video`` (an image frame), ``text``,
        ``audio_stream_end=True``, or ``activity_start`` / ``activity_end`` (``True``) when
        automatic activity detection is off. Bad audio is refused before sending.
        """
        self._check_open()
        frame = realtime_input_frame(
            media=media,
            audio=audio,
            audio_stream_end=audio_stream_end,
            video=video,
            text=text,
            activity_start=activity_start,
            activity_end=activity_end,
        )
        await self._send(frame, keep=True)

    async def send_tool_response(self, *, function_responses: Any) -> None:
        """Answer the model's function calls (each response names its call's ``id``).

        Not needed for Python functions given as tools: the session answers those.
        """
        self._check_open()
        frame, _ = tool_response_frame(function_responses)
        await self._send(frame, keep=False)

    async def _send(self, frame: str, *, keep: bool, gen: int | None = None) -> None:
        ws_errors = _websockets().exceptions
        while True:
            async with self._send_lock:
                self._check_open()
                ws, current = self._ws, self._gen
                if gen is not None and gen != current:
                    return  # an answer for a connection that has been replaced
                try:
                    await ws.send(frame)
                except ws_errors.ConnectionClosed as exc:
                    lost = exc
                else:
                    self._queue.sent(frame, keep=keep)
                    return
            if gen is not None:
                return  # the reader sees the close and deals with it
            await self._connection_lost(lost, current)
            if not keep:
                # A tool response is never sent again: the resumed model calls again.
                return

    # -------------------------------------------------------------- reading

    def __aiter__(self) -> _Messages[LiveServerMessage]:
        self._check_readable()
        return _Messages(self)

    def receive(self) -> _Messages[LiveServerMessage]:
        """The messages of one model turn (up to ``turn_complete``), as google-genai's
        ``receive``; call it again for the next turn."""
        self._check_readable()
        return _Messages(self, until=_turn_done)

    def _check_readable(self) -> None:
        # After the server closed normally, what it sent before is still read.
        if not self._drain:
            self._check_open()

    async def _read_one(self) -> LiveServerMessage | None:
        if self._reading:
            raise RuntimeError(
                "Another task is already reading this Live session; read it from one task "
                "(async for message in session) and hand the messages on."
            )
        self._reading = True
        try:
            return await self._next()
        finally:
            self._reading = False

    async def _next(self) -> LiveServerMessage | None:
        """The next message, or None once the session has ended normally."""
        ws_errors = _websockets().exceptions
        loop = asyncio.get_running_loop()
        while True:
            if self._events:
                return self._events.popleft()
            if self._pending_error is not None:
                error, self._pending_error = self._pending_error, None
                raise error
            if self._closed:
                return await self._drained()
            if self._go_away_at is not None and (self._quiet() or loop.time() >= self._go_away_at):
                try:
                    await self._reconnect_for_go_away()
                except LiveConnectionClosed:
                    self._pending_error = None
                    raise
                continue
            ws, gen = self._ws, self._gen
            try:
                if self._go_away_at is None:
                    raw = await ws.recv(decode=False)
                else:
                    # recv() can be cancelled without losing a frame.
                    raw = await asyncio.wait_for(
                        ws.recv(decode=False), max(0.0, self._go_away_at - loop.time())
                    )
            except TimeoutError:
                continue
            except ws_errors.ConnectionClosed as exc:
                try:
                    await self._connection_lost(exc, gen)
                except LiveConnectionClosed:
                    self._pending_error = None
                    raise
                continue
            message = parse_message(raw)
            if gen == self._gen:
                self._observe(message, gen)
            return message

    async def _drained(self) -> LiveServerMessage | None:
        """What the server sent before it closed normally and nobody read yet, then None."""
        if not self._drain or self._ws is None:
            return None
        try:
            return parse_message(await self._ws.recv(decode=False))
        except _websockets().exceptions.ConnectionClosed:
            self._drain = False
            return None

    def _observe(self, message: LiveServerMessage, gen: int) -> None:
        self._quiet_reconnects = 0
        if message.turn_complete or message.tool_call is not None:
            self._queue.answered()
        update = message.session_resumption_update
        if update is not None:
            self._queue.acknowledge(update)
        if message.go_away is not None and self._auto_reconnect:
            deadline = go_away_deadline(
                asyncio.get_running_loop().time(), message.go_away.seconds_left
            )
            self._go_away_at = (
                deadline if self._go_away_at is None else min(self._go_away_at, deadline)
            )
        if message.tool_call is not None and message.tool_call.function_calls:
            self._start_tools(message, message.tool_call.function_calls, gen)
        cancelled = message.tool_call_cancellation
        if cancelled is not None and cancelled.ids:
            ids = set(cancelled.ids)
            for task, (_, task_ids) in list(self._tools.items()):
                if task_ids & ids:
                    task.cancel()

    def _quiet(self) -> bool:
        """Nothing sent waits for acknowledgement and no tool is running."""
        return self._queue.idle() and not any(not t.done() for t in self._tools)

    # -------------------------------------------------------------- tools

    def _start_tools(self, message: LiveServerMessage, calls: list[FunctionCall], gen: int) -> None:
        functions = self._setup.functions
        runnable = [c for c in calls if c.name in functions and c.id]
        if not runnable:
            return
        message._handled = len(runnable) == len(calls)
        task = asyncio.get_running_loop().create_task(self._run_tools(message, runnable, gen))
        self._tools[task] = (gen, {c.id for c in runnable if c.id})
        task.add_done_callback(self._tool_done)

    def _tool_done(self, task: asyncio.Task[None]) -> None:
        self._tools.pop(task, None)
        if not task.cancelled() and task.exception() is not None:  # pragma: no cover - defensive
            _log.debug("a Live tool task failed", exc_info=task.exception())

    async def _run_tools(
        self, message: LiveServerMessage, calls: list[FunctionCall], gen: int
    ) -> None:
        from .._afc import run_tools_async
        from .._transport import RunTools

        # Failures (unknown arguments, exceptions, timeouts) come back as {"error": ...},
        # which goes to the model, as in generate_content.
        results = await run_tools_async(
            RunTools(calls, self._setup.functions, self._setup.tool_timeout)
        )
        responses = [
            _sendable(FunctionResponse(name=c.name, id=c.id, response=r))
            for c, r in zip(calls, results, strict=True)
        ]
        if gen != self._gen or self._closed:
            return
        frame, _ = tool_response_frame(responses)
        message._function_responses = responses
        with contextlib.suppress(LiveSessionClosedError):
            await self._send(frame, keep=False, gen=gen)

    async def _stop_tools(self, gen: int | None = None) -> None:
        tasks = [t for t, (g, _) in self._tools.items() if gen is None or g == gen]
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)

    # -------------------------------------------------------------- connections

    async def _start(self) -> None:
        ws, first = await self._open(self._setup.handle)
        self._ws = ws
        self._took_first(first)

    def _took_first(self, first: LiveServerMessage) -> None:
        if first.setup_complete is not None:
            self.setup_complete = first.setup_complete
            self.session_id = first.setup_complete.session_id or self.session_id
        else:
            self._events.append(first)

    async def _open(self, handle: str | None) -> tuple[Any, LiveServerMessage]:
        """A new connection whose setup the server accepted, retried as HTTP calls are:
        failures to connect, retryable statuses, and setups closed with a transient code."""
        attempt = 0
        while True:
            try:
                return await self._handshake(handle)
            except (APIConnectionError, APIStatusError) as err:
                if not self._retryable(err, attempt):
                    raise
            delay = self._policy.delay(attempt)
            await asyncio.sleep(delay or 0.0)
            attempt += 1

    def _retryable(self, err: APIError, attempt: int) -> bool:
        if not self._policy.can_retry(attempt):
            return False
        if isinstance(err, LiveConnectionClosed):
            return err.code in RECOVERABLE_CLOSE_CODES
        if isinstance(err, APIStatusError):
            return self._policy.should_retry_status(err.status_code, attempt)
        return True  # could not connect, or timed out: no turn was sent

    async def _handshake(self, handle: str | None) -> tuple[Any, LiveServerMessage]:
        websockets = _websockets()
        errors = websockets.exceptions
        headers = connect_headers(self._settings, self._token, self._headers)
        try:
            ws = await websockets.asyncio.client.connect(
                self._url,
                additional_headers=headers,
                user_agent_header=USER_AGENT,
                open_timeout=self._timeout,
                close_timeout=CLOSE_TIMEOUT,
                max_size=MAX_FRAME,
                logger=_RedactingLogger(logging.getLogger("websockets.client"), {}),
            )
        except errors.InvalidStatus as exc:
            raise self._status_error(exc) from None
        except TimeoutError:
            raise APITimeoutError(
                f"Opening the Live session at {self._url} timed out after {self._timeout}s; "
                "pass config={'http_options': {'timeout': seconds}} to wait longer.",
                request_sent=False,
            ) from None
        except (OSError, errors.WebSocketException) as exc:
            raise self._redacted(
                APIConnectionError(
                    f"Could not open the Live session at {self._url} "
                    f"({type(exc).__name__}: {str(exc).rstrip('.')}).",
                    request_sent=False,
                )
            ) from None
        finally:
            headers.clear()
        _scrub_handshake(ws)
        try:
            await ws.send(self._setup.message(handle))
            raw = await asyncio.wait_for(ws.recv(decode=False), self._timeout)
            return ws, parse_message(raw)
        except errors.ConnectionClosed as exc:
            code, reason = closed_by(exc)
            raise close_error(
                code, reason, during_setup=True, handle=handle, redact=self._redact
            ) from None
        except TimeoutError:
            await ws.close()
            raise APITimeoutError(
                f"The Live server did not answer the setup within {self._timeout}s."
            ) from None
        except BaseException:
            await asyncio.shield(ws.close())
            raise

    def _status_error(self, exc: Any) -> APIStatusError:
        response = exc.response
        body: Any = bytes(response.body or b"").decode("utf-8", "replace")
        with contextlib.suppress(ValueError):
            body = json.loads(body) if body.strip() else body
        err = error_for_status(
            response.status_code, body, request_id=response.headers.get("x-request-id")
        )
        return self._redacted(err)

    def _secrets(self) -> list[str]:
        return [s.reveal() for s in (self._settings.api_key, self._token) if s is not None]

    def _redact(self, text: str) -> str:
        for secret in self._secrets():
            text = redact_text(text, secret)
        return text

    def _redacted(self, err: E) -> E:
        err.message = self._redact(err.message)
        err.args = tuple(self._redact(a) if isinstance(a, str) else a for a in err.args)
        return err

    # -------------------------------------------------------------- closes and reconnects

    async def _connection_lost(self, exc: BaseException, gen: int) -> None:
        """The connection ``gen`` closed: end the session, reconnect, or raise."""
        async with self._reconnect_lock:
            if gen != self._gen or self._closed:
                return  # already replaced, or closed
            code, reason = closed_by(exc)
            if self._closing or code in NORMAL_CLOSE_CODES:
                self._finish(
                    None, f"the server closed it normally ({code}{': ' + reason if reason else ''})"
                )
                self._drain = not self._closing
                return
            if code in RECOVERABLE_CLOSE_CODES and self._auto_reconnect:
                await self._reconnect("connection_closed", code, reason)
                return
            err = close_error(
                code, reason, during_setup=False, handle=self._queue.handle, redact=self._redact
            )
            self._finish(err, f"its connection closed ({code})")
            raise err

    async def _reconnect_for_go_away(self) -> None:
        async with self._reconnect_lock:
            if self._closed:
                return
            if self._queue.overflowed:
                # Not resumable faithfully: stay on this connection as long as it lasts.
                self._go_away_at = None
                return
            await self._reconnect("go_away", None, "")

    async def _reconnect(self, why: str, code: int | None, reason: str) -> None:
        """Resume on a new connection; called with the reconnect lock held. Sends wait
        meanwhile, so that nothing goes to a connection on its way out."""
        old, old_gen = self._ws, self._gen
        async with self._send_lock:
            ws, first, handle = await self._replacement(old, why, code, reason)
            if self._closed:  # closed by the user meanwhile
                await ws.close()
                return
            frames = self._queue.take_for_resend()
            self._ws, self._gen = ws, old_gen + 1
            self._go_away_at = None
            sent = 0
            try:
                for frame in frames:
                    await ws.send(frame)
                    self._queue.sent(frame)
                    sent += 1
            except _websockets().exceptions.ConnectionClosed:
                for frame in frames[sent:]:
                    self._queue.sent(frame)  # still owed: the next reconnect sends them
            self.reconnects += 1
            event = LiveServerMessage()
            event._reconnect = LiveReconnect(
                reason=why,
                count=self.reconnects,
                handle=handle,
                resent=len(frames),
                close_code=code,
                close_reason=reason,
            )
            self._events.append(event)
            self._took_first(first)
        await self._stop_tools(old_gen)
        if old is not None:
            with contextlib.suppress(Exception):
                await old.close()

    async def _replacement(
        self, old: Any, why: str, code: int | None, reason: str
    ) -> tuple[Any, LiveServerMessage, str | None]:
        """A new connection resuming from the latest handle, or the error that ends the session."""
        said = f"closed ({code}: {reason})" if code is not None else "was ending (goAway)"
        handle = self._queue.handle
        fail: dict[str, Any] = {
            "code": code or 1001,
            "reason": reason,
            "resumable": handle is not None,
            "handle": handle,
        }
        if self._queue.overflowed:
            await self._abandon(
                old,
                LiveResumptionError(
                    f"The Live connection {said} and the session cannot resume faithfully: more "
                    f"than resend_limit={self._queue.limit} messages (or "
                    f"{self._queue.max_bytes // 2**20} MiB) were sent since the latest resumption "
                    "handle. Pass a larger resend_limit to connect(), or start a new session from "
                    "session.resumption_handle (without those messages).",
                    **fail,
                ),
            )
        self._quiet_reconnects += 1
        if self._quiet_reconnects > self._policy.max_retries + 1:
            await self._abandon(
                old,
                LiveResumptionError(
                    f"The Live connection {said}, and the last {self._quiet_reconnects - 1} "
                    "reconnects ended before the server sent anything; giving up.",
                    **fail,
                ),
            )
        if self._quiet_reconnects > 1:
            await asyncio.sleep(self._policy.delay(self._quiet_reconnects - 2) or 0.0)
        try:
            ws, first = await self._open(handle)
        except APIError as exc:
            err = LiveResumptionError(
                f"The Live connection {said} and reconnecting failed: {exc}", **fail
            )
            err.__cause__ = exc
            await self._abandon(old, err)
        return ws, first, handle

    async def _abandon(self, old: Any, err: LiveConnectionClosed) -> NoReturn:
        self._finish(err, "it could not be resumed")
        if old is not None:
            with contextlib.suppress(Exception):
                await old.close()
        raise err

    def _finish(self, err: BaseException | None, why: str) -> None:
        if self._closed:
            return
        self._closed = True
        self._error = err
        self._pending_error = err
        self._ended = why
        self._go_away_at = None
        for task in self._tools:
            task.cancel()

    def _check_open(self) -> None:
        if self._closed:
            why = self._ended or "it was closed"
            raise LiveSessionClosedError(
                f"This Live session has ended ({why}); open a new one with "
                "client.aio.live.connect(...) (config={'session_resumption': {'handle': "
                "session.resumption_handle}} continues the conversation)."
            ) from self._error

    # -------------------------------------------------------------- closing

    async def close(self) -> None:
        """Close the connection (1000). Reading ends; sending raises afterwards."""
        self._closing = True
        self._finish(None, "it was closed")
        self._pending_error = None
        self._drain = False
        await self._stop_tools()
        ws = self._ws
        if ws is not None:
            with contextlib.suppress(Exception):
                await ws.close()

    aclose = close

    async def __aenter__(self) -> AsyncLiveSession:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


def _sendable(response: FunctionResponse) -> FunctionResponse:
    """The response, or an error the model can read if JSON cannot carry it (a NaN, say)."""
    try:
        tool_response_frame(response)
    except InvalidInputError as exc:
        return FunctionResponse(
            name=response.name,
            id=response.id,
            response={"error": f"The function's result cannot be sent: {exc}"},
        )
    return response


class _Session(Protocol[M_co]):
    """What :class:`_Messages` and :class:`_Connect` need of a session (a Live one or a
    live music one)."""

    async def _read_one(self) -> M_co | None: ...
    async def _start(self) -> None: ...
    async def close(self) -> None: ...


class _Messages(Generic[M]):
    """``async for`` over a session: every message until it ends, or up to the first one
    ``until`` says is the last (one turn's)."""

    def __init__(self, session: _Session[M], *, until: Callable[[M], bool] | None = None) -> None:
        self._session = session
        self._until = until
        self._done = False

    def __aiter__(self) -> _Messages[M]:
        return self

    async def __anext__(self) -> M:
        if self._done:
            raise StopAsyncIteration
        message = await self._session._read_one()
        if message is None:
            self._done = True
            raise StopAsyncIteration
        if self._until is not None and self._until(message):
            self._done = True
        return message


class _Connect(Generic[S]):
    """What ``connect`` returns: ``async with`` it, or ``await`` it for a session to close
    yourself."""

    def __init__(self, session: S) -> None:
        self._session = session

    async def _open(self) -> S:
        await self._session._start()
        return self._session

    def __await__(self) -> Generator[Any, None, S]:
        return self._open().__await__()

    async def __aenter__(self) -> S:
        return await self._open()

    async def __aexit__(self, *exc: object) -> None:
        await self._session.close()


def _session(
    settings: Settings,
    model: str,
    config: Any,
    auth_token: Any,
    reconnect: bool,
    resend_limit: int,
) -> AsyncLiveSession:
    """A session, not yet connected, with everything checked that can be before connecting."""
    _websockets()
    setup = build_setup(model, config)
    options = setup.http_options
    token: Secret | None = None
    if auth_token is not None:
        name = getattr(auth_token, "name", auth_token)
        if not isinstance(name, str) or not is_ephemeral(name):
            raise InvalidInputError(
                "auth_token must be an ephemeral token ('auth_tokens/…') or the AuthToken "
                "that client.auth_tokens.create returned."
            )
        token = Secret(name)
    elif settings.api_key is not None and is_ephemeral(settings.api_key.reveal()):
        token = settings.api_key
    timeout = settings.timeout
    connect_timeout = timeout[0] if isinstance(timeout, tuple) else timeout
    if options is not None and "timeout" in options.model_fields_set:
        connect_timeout = options.timeout
    policy = settings.retry
    if options is not None and options.max_retries is not None:
        policy = policy.with_retries(options.max_retries)
    return AsyncLiveSession(
        settings,
        setup,
        token=token,
        reconnect=reconnect,
        resend_limit=resend_limit,
        headers=dict(options.headers) if options is not None and options.headers else None,
        timeout=connect_timeout,
        policy=policy,
    )


class AsyncLive:
    """``client.aio.live``: open Live sessions (``.music``: live music)."""

    def __init__(self, client: AsyncClient | Client) -> None:
        self._settings = client._settings

    @property
    def music(self) -> AsyncLiveMusic:
        """Live music sessions (Lyria RealTime): ``client.aio.live.music.connect()``."""
        from .live_music import AsyncLiveMusic

        return AsyncLiveMusic(self._settings)

    def connect(
        self,
        *,
        model: str,
        config: Any = None,
        auth_token: str | AuthToken | None = None,
        reconnect: bool = True,
        resend_limit: int = RESEND_LIMIT,
    ) -> _Connect[AsyncLiveSession]:
        """A Live session: ``async with client.aio.live.connect(model=..., config=...) as s``
        (or ``s = await client.aio.live.connect(...)``, then ``await s.close()``).

        ``config``: a :class:`~gemini_nb.types.LiveConnectConfig` or a dict of its fields.
        ``auth_token``: connect with an ephemeral token instead of the client's key (a client
        whose ``api_key`` is a token uses it by itself). ``reconnect=False`` leaves reconnecting
        to you (``session.resumption_handle``); ``resend_limit`` bounds the messages kept to
        send again after a reconnect. A setup the server refuses raises
        :class:`~gemini_nb.LiveSetupError` here.
        """
        return _Connect(
            _session(self._settings, model, config, auth_token, reconnect, resend_limit)
        )
