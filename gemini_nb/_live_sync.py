"""``client.live``: the sync facade of the Live API, for scripts.

A :class:`LiveSession` drives an :class:`~gemini_nb.resources.live.AsyncLiveSession` on an
event loop of its own, on a daemon thread; every method hands a coroutine to that loop and
waits for it. Nothing about the session is written twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable, Coroutine, Iterator
from typing import TYPE_CHECKING, Any, Generic, Self, TypeVar

from ._live import RESEND_LIMIT
from .resources.live import AsyncLiveSession, _Messages, _Session, _session
from .types.live import LiveServerMessage, LiveServerSetupComplete

if TYPE_CHECKING:
    from ._client import Client
    from .resources.live_music import LiveMusic
    from .types.auth_tokens import AuthToken

__all__ = ["Live", "LiveSession"]

T = TypeVar("T")
M = TypeVar("M")
S = TypeVar("S", bound=_Session[Any])


class _LoopThread:
    """An event loop on a daemon thread, for the sync facade."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(
            target=self.loop.run_forever, name="gemini-nb-live", daemon=True
        )
        self.thread.start()

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        if threading.current_thread() is self.thread:
            coro.close()
            raise RuntimeError(
                "A sync Live session was used from its own event loop thread (inside a tool?); "
                "use client.aio.live there."
            )
        future = asyncio.run_coroutine_threadsafe(coro, self.loop)
        try:
            return future.result()
        except BaseException:
            future.cancel()
            raise

    def stop(self) -> None:
        if self.loop.is_closed():
            return
        # Tool threads that are done are let go; one still running is left to finish.
        done = asyncio.run_coroutine_threadsafe(self.loop.shutdown_default_executor(), self.loop)
        with contextlib.suppress(Exception):
            done.result(timeout=1)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=5)
        if not self.thread.is_alive():
            self.loop.close()


class _OnLoop(Generic[S]):
    """A sync facade over an async session ``S`` that runs on an event loop of its own, on a
    daemon thread (:class:`_LoopThread`): the plumbing both sync sessions share."""

    def __init__(self, runner: _LoopThread, session: S) -> None:
        self._runner = runner
        self._session = session

    @classmethod
    def _connect(cls, session: Callable[[], S]) -> Self:
        """A new loop thread, the session made and started on it, and the facade over both."""
        runner = _LoopThread()
        try:

            async def start() -> S:
                started = session()
                await started._start()
                return started

            return cls(runner, runner.run(start()))
        except BaseException:
            runner.stop()
            raise

    def __repr__(self) -> str:
        return repr(self._session).replace(type(self._session).__name__, type(self).__name__, 1)

    def close(self) -> None:
        if not self._runner.loop.is_closed():
            self._runner.run(self._session.close())
            self._runner.stop()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _SyncMessages(Generic[M]):
    """A session's ``async for`` (:class:`_Messages`), driven from the caller's thread."""

    def __init__(self, runner: _LoopThread, messages: _Messages[M]) -> None:
        self._runner = runner
        self._messages = messages

    def __iter__(self) -> _SyncMessages[M]:
        return self

    def __next__(self) -> M:
        try:
            return self._runner.run(self._messages.__anext__())
        except StopAsyncIteration:
            raise StopIteration from None


class LiveSession(_OnLoop[AsyncLiveSession]):
    """The sync facade of :class:`AsyncLiveSession`, for scripts::

        with client.live.connect(model="gemini-2.5-flash-native-audio-latest",
                                 config={"response_modalities": ["TEXT"]}) as session:
            session.send_client_content(turns="Hello")
            for message in session.receive():
                print(message.text or "", end="")

    It runs the async session on an event loop of its own, on a daemon thread; tools run
    there too (sync functions in worker threads).
    """

    @property
    def resumption_handle(self) -> str | None:
        return self._session.resumption_handle

    @property
    def reconnects(self) -> int:
        return self._session.reconnects

    @property
    def session_id(self) -> str | None:
        return self._session.session_id

    @property
    def setup_complete(self) -> LiveServerSetupComplete | None:
        return self._session.setup_complete

    @property
    def model(self) -> str:
        return self._session.model

    @property
    def closed(self) -> bool:
        return self._session.closed

    def send_client_content(self, *, turns: Any = None, turn_complete: bool = True) -> None:
        self._session._check_open()
        self._runner.run(
            self._session.send_client_content(turns=turns, turn_complete=turn_complete)
        )

    def send_realtime_input(
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
        """As :meth:`AsyncLiveSession.send_realtime_input` (one keyword per call)."""
        self._session._check_open()
        self._runner.run(
            self._session.send_realtime_input(
                media=media,
                audio=audio,
                audio_stream_end=audio_stream_end,
                video=video,
                text=text,
                activity_start=activity_start,
                activity_end=activity_end,
            )
        )

    def send_tool_response(self, *, function_responses: Any) -> None:
        self._session._check_open()
        self._runner.run(self._session.send_tool_response(function_responses=function_responses))

    def __iter__(self) -> Iterator[LiveServerMessage]:
        return _SyncMessages(self._runner, self._session.__aiter__())

    def receive(self) -> Iterator[LiveServerMessage]:
        """The messages of one model turn (up to ``turn_complete``)."""
        return _SyncMessages(self._runner, self._session.receive())


class Live:
    """``client.live``: Live sessions for sync code (see :class:`LiveSession`; ``.music``:
    live music)."""

    def __init__(self, client: Client) -> None:
        self._settings = client._settings

    @property
    def music(self) -> LiveMusic:
        """Live music sessions (Lyria RealTime) for sync code: ``client.live.music.connect()``."""
        from .resources.live_music import LiveMusic

        return LiveMusic(self._settings)

    def connect(
        self,
        *,
        model: str,
        config: Any = None,
        auth_token: str | AuthToken | None = None,
        reconnect: bool = True,
        resend_limit: int = RESEND_LIMIT,
    ) -> LiveSession:
        """A connected :class:`LiveSession`; use it in a ``with`` block (or ``close()`` it).
        Arguments as :meth:`AsyncLive.connect`."""
        return LiveSession._connect(
            lambda: _session(self._settings, model, config, auth_token, reconnect, resend_limit)
        )
