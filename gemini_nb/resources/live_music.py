"""``client.aio.live.music`` and ``client.live.music``: live music with Lyria RealTime.

>>> async with client.aio.live.music.connect(model="models/lyria-realtime-exp") as session:
...     await session.set_weighted_prompts({"minimal techno": 1.0, "warm pads": 0.5})
...     await session.set_music_generation_config(bpm=124, density=0.6)
...     await session.play()
...     recorder = session.record()
...     async for pcm in session.audio():      # 48 kHz stereo PCM16, about 2 s a chunk
...         if recorder.seconds >= 30:
...             break
...     recorder.save("techno.wav")            # doctest: +SKIP

The names are google-genai's (``set_weighted_prompts``, ``set_music_generation_config``,
``play``, ``pause``, ``stop``, ``reset_context``, ``receive``); a bad prompt or config (a bpm
outside 60 to 200, an unknown scale) is refused before anything is sent, with
:class:`~gemini_nb.InvalidInputError`. ``async for message in session`` (or
``session.receive()``) yields every message until the socket closes; ``session.audio()`` only
the audio. Prompts the service filters out are in ``session.filtered_prompts``, and logged at
INFO on ``gemini_nb.live.music`` rather than printed (a session read in a notebook's background
would print under whichever cell happens to run).

Connections open with the Live client's handshake (the key in a header, never in a log or an
error; failures to connect retried), and closes are the Live client's typed errors
(:class:`~gemini_nb.LiveConnectionClosed`, :class:`~gemini_nb.LiveSetupError`, …). A close
the Live API would recover from (1001, 1006, 1011, 1012, 1013) reconnects by itself: the new
connection gets the session's prompts, config and, if it was playing, PLAY, and the messages
carry an event whose ``reconnect`` says so. The sync :class:`MusicSession` drives the same
async session on a private event loop thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from .._exceptions import (
    APIError,
    InvalidInputError,
    LiveConnectionClosed,
    LiveResumptionError,
    LiveSessionClosedError,
    LiveSetupError,
)
from .._live import NORMAL_CLOSE_CODES, RECOVERABLE_CLOSE_CODES, LiveSetup, closed_by, live_url
from .._live_music import (
    BYTES_PER_SECOND,
    DEFAULT_MODEL,
    MusicRecorder,
    MusicReplay,
    config_frame,
    control_frame,
    music_close_error,
    parse_music_message,
    prompts_frame,
    setup_frame,
)
from .._live_sync import _OnLoop, _SyncMessages
from ..types.live import LiveReconnect
from ..types.live_music import (
    LiveMusicFilteredPrompt,
    LiveMusicGenerationConfig,
    LiveMusicServerMessage,
    WeightedPrompt,
)
from .live import AsyncLiveSession, _Connect, _Messages, _websockets

if TYPE_CHECKING:
    from .._config import Settings
    from ..types.live import LiveServerMessage

__all__ = ["AsyncLiveMusic", "AsyncMusicSession", "LiveMusic", "MusicSession"]

_log = logging.getLogger("gemini_nb.live.music")


class _Handshake(AsyncLiveSession):
    """Opens the music endpoint's connections with the Live session's own code: the handshake
    headers (the key never logged), retries of failed or transiently refused connects, typed
    and redacted errors. Only these connection methods of the Live session are used."""

    def __init__(self, settings: Settings, model: str) -> None:
        path, _ = setup_frame(model)
        timeout = settings.timeout
        super().__init__(
            settings,
            LiveSetup(model=path, setup={"model": path}, resumption=False),
            reconnect=False,
            timeout=timeout[0] if isinstance(timeout, tuple) else timeout,
        )
        self._url = live_url(settings.base_url, settings.api_version, "BidiGenerateMusic")

    async def connect(self) -> tuple[Any, LiveServerMessage]:
        try:
            return await self._open(None)
        except LiveSetupError as err:
            raise music_close_error(err.code, err.reason, during_setup=True) from None


class AsyncMusicSession:
    """A connected live music session. Steer it with ``set_weighted_prompts`` and
    ``set_music_generation_config``, drive it with ``play``, ``pause``, ``stop`` and
    ``reset_context`` (from any task), read it with ``async for message in session`` or
    ``session.audio()`` (one reader), and close it with ``await session.close()`` or an
    ``async with`` block.

    ``prompts`` and ``config`` are what was last sent, ``playing`` whether PLAY was the last
    word, ``filtered_prompts`` the prompts the service refused, ``received_seconds`` the audio
    read so far, ``reconnects`` how many times the session reconnected by itself.
    """

    def __init__(self, handshake: _Handshake, *, reconnect: bool = True) -> None:
        self._handshake = handshake
        self._auto_reconnect = reconnect
        self._policy = handshake._policy
        self._ws: Any = None
        self._gen = 0
        self._send_lock = asyncio.Lock()
        self._reconnect_lock = asyncio.Lock()
        self._events: deque[LiveMusicServerMessage] = deque()
        self._replay = MusicReplay()
        self._quiet_reconnects = 0
        self._reading = False
        self._closing = False
        self._closed = False
        self._error: BaseException | None = None
        self._pending_error: BaseException | None = None
        self._ended = ""
        self._recorder: MusicRecorder | None = None
        self.model = handshake.model
        self.reconnects = 0
        self.prompts: list[WeightedPrompt] | None = None
        self.config: LiveMusicGenerationConfig | None = None
        self.filtered_prompts: list[LiveMusicFilteredPrompt] = []
        self.received_seconds = 0.0

    def __repr__(self) -> str:
        state = "closed" if self._closed else ("playing" if self.playing else "open")
        return (
            f"{type(self).__name__}(model={self.model!r}, {state}, "
            f"received={self.received_seconds:.1f}s, reconnects={self.reconnects})"
        )

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def playing(self) -> bool:
        """Whether PLAY was the latest playback control sent (PAUSE and STOP end it)."""
        return self._replay.playing

    # -------------------------------------------------------------- steering

    async def set_weighted_prompts(self, prompts: Any) -> None:
        """Steer the music: ``[WeightedPrompt(text="minimal techno", weight=1.0), ...]``, dicts
        with ``text`` and ``weight``, ``(text, weight)`` pairs, texts (weight 1), or a
        ``{text: weight}`` dict. Weights are relative (the API normalizes them) and not 0.
        The new prompts replace the old ones; the music moves towards them smoothly."""
        self._check_open()
        frame, kept = prompts_frame(prompts)
        self._replay.prompts, self.prompts = frame, kept
        await self._send(frame)

    async def set_music_generation_config(self, config: Any = None, **fields: Any) -> None:
        """Set how the music is made: a :class:`~gemini_nb.types.LiveMusicGenerationConfig`, a
        dict of its fields, or the fields as keywords (``bpm=90, mute_drums=True``). It
        replaces the previous config (fields left out go back to their defaults). Google's
        documentation says a new ``bpm`` or ``scale`` takes effect after ``reset_context()``."""
        self._check_open()
        frame, cfg = config_frame(config, **fields)
        self._replay.config, self.config = frame, cfg
        await self._send(frame)

    async def play(self) -> None:
        """Start (or resume) the music; audio chunks follow."""
        await self._control("PLAY")

    async def pause(self) -> None:
        """Hold the music; ``play()`` resumes from where it was."""
        await self._control("PAUSE")

    async def stop(self) -> None:
        """Stop the music and clear its context (the prompts and config are kept)."""
        await self._control("STOP")

    async def reset_context(self) -> None:
        """Start the music's context afresh without stopping (prompts and config kept)."""
        await self._control("RESET_CONTEXT")

    async def _control(self, value: str) -> None:
        self._check_open()
        frame = control_frame(value)
        self._replay.control(value)
        await self._send(frame)

    async def _send(self, frame: str) -> None:
        ws_errors = _websockets().exceptions
        async with self._send_lock:
            self._check_open()
            ws, gen = self._ws, self._gen
            try:
                await ws.send(frame)
                return
            except ws_errors.ConnectionClosed as exc:
                lost = exc
        await self._connection_lost(lost, gen)
        # Reconnected: the new connection was sent the session's state, this frame's
        # change included. Closed: say so.
        self._check_open()

    # -------------------------------------------------------------- recording

    def record(self, recorder: MusicRecorder | None = None, **options: Any) -> MusicRecorder:
        """Keep the audio this session reads from now on, in ``recorder`` or a new
        :class:`~gemini_nb.types.MusicRecorder` made with ``options`` (``max_seconds``,
        ``on_disk``, ``directory``); ``recorder.save("music.wav")`` writes it."""
        if recorder is not None and options:
            raise InvalidInputError("Pass a recorder or the options of a new one, not both.")
        self._recorder = recorder if recorder is not None else MusicRecorder(**options)
        return self._recorder

    def stop_recording(self) -> MusicRecorder | None:
        """Stop keeping audio; returns the recorder (None if none was recording)."""
        recorder, self._recorder = self._recorder, None
        return recorder

    @property
    def recorder(self) -> MusicRecorder | None:
        """The recorder the audio goes into, if recording."""
        return self._recorder

    # -------------------------------------------------------------- reading

    def __aiter__(self) -> _Messages[LiveMusicServerMessage]:
        self._check_open()
        return _Messages(self)

    def receive(self) -> _Messages[LiveMusicServerMessage]:
        """Every message until the session ends (as google-genai's ``receive``, which does
        not stop by itself either)."""
        self._check_open()
        return _Messages(self)

    async def audio(self) -> AsyncIterator[bytes]:
        """The audio, chunk by chunk (PCM16, 48 kHz, stereo), until the session ends; other
        messages are taken in along the way (filtered prompts, reconnects)."""
        async for message in self.receive():
            data = message.audio
            if data:
                yield data

    async def _read_one(self) -> LiveMusicServerMessage | None:
        if self._reading:
            raise RuntimeError(
                "Another task is already reading this music session; read it from one task "
                "(async for message in session) and hand the audio on."
            )
        self._reading = True
        try:
            return await self._next()
        finally:
            self._reading = False

    async def _next(self) -> LiveMusicServerMessage | None:
        ws_errors = _websockets().exceptions
        while True:
            if self._events:
                return self._events.popleft()
            if self._pending_error is not None:
                error, self._pending_error = self._pending_error, None
                raise error
            if self._closed:
                return None
            ws, gen = self._ws, self._gen
            try:
                raw = await ws.recv(decode=False)
            except ws_errors.ConnectionClosed as exc:
                try:
                    await self._connection_lost(exc, gen)
                except LiveConnectionClosed:
                    self._pending_error = None
                    raise
                continue
            message = parse_music_message(raw)
            self._observe(message)
            return message

    def _observe(self, message: LiveMusicServerMessage) -> None:
        self._quiet_reconnects = 0
        filtered = message.filtered_prompt
        if filtered is not None:
            self.filtered_prompts.append(filtered)
            _log.info(
                "The live music prompt %r was filtered: %s",
                filtered.text,
                filtered.filtered_reason or "no reason given",
            )
        data = message.audio
        if data:
            self.received_seconds += len(data) / BYTES_PER_SECOND
            if self._recorder is not None:
                self._recorder.add(message)

    # -------------------------------------------------------------- connections

    async def _start(self) -> None:
        ws, first = await self._handshake.connect()
        self._ws = ws
        self._took_first(first)

    def _took_first(self, first: LiveServerMessage) -> None:
        if first.setup_complete is None:
            # Not the setupComplete expected first (read with the Live parser): keep it.
            raw = first.model_dump_json(by_alias=True, exclude_none=True)
            self._events.append(parse_music_message(raw))

    async def _connection_lost(self, exc: BaseException, gen: int) -> None:
        """The connection ``gen`` closed: end the session, reconnect, or raise."""
        async with self._reconnect_lock:
            if gen != self._gen or self._closed:
                return  # already replaced, or closed
            code, reason = closed_by(exc)
            reason = self._handshake._redact(reason)
            if self._closing or code in NORMAL_CLOSE_CODES:
                said = f"{code}: {reason}" if reason else str(code)
                self._finish(None, f"the server closed it normally ({said})")
                return
            if code in RECOVERABLE_CLOSE_CODES and self._auto_reconnect:
                await self._reconnect(code, reason)
                return
            err = music_close_error(
                code, reason, during_setup=False, reconnect=self._auto_reconnect
            )
            self._finish(err, f"its connection closed ({code})")
            raise err

    async def _reconnect(self, code: int, reason: str) -> None:
        """A new connection with the session's state; called with the reconnect lock held.
        Sends wait meanwhile, so that nothing goes to the connection on its way out."""
        old = self._ws
        said = f"{code}: {reason}" if reason else str(code)
        async with self._send_lock:
            self._quiet_reconnects += 1
            if self._quiet_reconnects > self._policy.max_retries + 1:
                await self._abandon(
                    old,
                    LiveResumptionError(
                        f"The live music connection closed ({said}), and the last "
                        f"{self._quiet_reconnects - 1} reconnects ended before the server sent "
                        "anything; giving up.",
                        code=code,
                        reason=reason,
                        resumable=False,
                        handle=None,
                    ),
                )
            if self._quiet_reconnects > 1:
                await asyncio.sleep(self._policy.delay(self._quiet_reconnects - 2) or 0.0)
            try:
                ws, first = await self._handshake.connect()
            except APIError as exc:
                err = LiveResumptionError(
                    f"The live music connection closed ({said}) and reconnecting failed: {exc}",
                    code=code,
                    reason=reason,
                    resumable=False,
                    handle=None,
                )
                err.__cause__ = exc
                await self._abandon(old, err)
            if self._closed:  # closed by the user meanwhile
                await ws.close()
                return
            frames = self._replay.frames()
            self._ws, self._gen = ws, self._gen + 1
            with contextlib.suppress(_websockets().exceptions.ConnectionClosed):
                for frame in frames:
                    await ws.send(frame)  # a close now is the reader's to see
            self.reconnects += 1
            event = LiveMusicServerMessage()
            event._reconnect = LiveReconnect(
                reason="connection_closed",
                count=self.reconnects,
                resent=len(frames),
                close_code=code,
                close_reason=reason,
            )
            self._events.append(event)
            self._took_first(first)
        if old is not None:
            with contextlib.suppress(Exception):
                await old.close()

    async def _abandon(self, old: Any, err: LiveConnectionClosed) -> NoReturn:
        self._finish(err, "it could not reconnect")
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

    def _check_open(self) -> None:
        if self._closed:
            why = self._ended or "it was closed"
            raise LiveSessionClosedError(
                f"This live music session has ended ({why}); open a new one with "
                "client.aio.live.music.connect(...)."
            ) from self._error

    async def close(self) -> None:
        """Close the connection (1000). Reading ends; sending raises afterwards."""
        self._closing = True
        self._finish(None, "it was closed")
        self._pending_error = None
        ws = self._ws
        if ws is not None:
            with contextlib.suppress(Exception):
                await ws.close()

    aclose = close

    async def __aenter__(self) -> AsyncMusicSession:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


def _session(settings: Settings, model: str, reconnect: bool) -> AsyncMusicSession:
    """A session, not yet connected, with everything checked that can be before connecting."""
    _websockets()
    return AsyncMusicSession(_Handshake(settings, model), reconnect=reconnect)


class AsyncLiveMusic:
    """``client.aio.live.music``: open live music sessions (Lyria RealTime)."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    def connect(
        self, *, model: str = DEFAULT_MODEL, reconnect: bool = True
    ) -> _Connect[AsyncMusicSession]:
        """A live music session: ``async with client.aio.live.music.connect() as session``
        (or ``session = await client.aio.live.music.connect()``, then ``await
        session.close()``).

        ``model`` is a music model (``models/lyria-realtime-exp``). ``reconnect=False`` makes
        a close the Live API would recover from an error instead of a reconnect. A setup the
        server refuses raises :class:`~gemini_nb.LiveSetupError` here.
        """
        return _Connect(_session(self._settings, model, reconnect))


# ------------------------------------------------------------------ the sync facade


class MusicSession(_OnLoop[AsyncMusicSession]):
    """The sync facade of :class:`AsyncMusicSession`, for scripts::

        with client.live.music.connect() as session:
            session.set_weighted_prompts({"lofi hip hop": 1.0})
            session.play()
            recorder = session.record()
            for pcm in session.audio():
                if recorder.seconds >= 10:
                    break
            recorder.save("lofi.wav")

    It runs the async session on an event loop of its own, on a daemon thread.
    """

    @property
    def model(self) -> str:
        return self._session.model

    @property
    def prompts(self) -> list[WeightedPrompt] | None:
        return self._session.prompts

    @property
    def config(self) -> LiveMusicGenerationConfig | None:
        return self._session.config

    @property
    def playing(self) -> bool:
        return self._session.playing

    @property
    def filtered_prompts(self) -> list[LiveMusicFilteredPrompt]:
        return self._session.filtered_prompts

    @property
    def received_seconds(self) -> float:
        return self._session.received_seconds

    @property
    def reconnects(self) -> int:
        return self._session.reconnects

    @property
    def closed(self) -> bool:
        return self._session.closed

    @property
    def recorder(self) -> MusicRecorder | None:
        return self._session.recorder

    def set_weighted_prompts(self, prompts: Any) -> None:
        self._session._check_open()
        prompts_frame(prompts)  # checked here, so a bad prompt is not the loop thread's error
        self._runner.run(self._session.set_weighted_prompts(prompts))

    def set_music_generation_config(self, config: Any = None, **fields: Any) -> None:
        self._session._check_open()
        config_frame(config, **fields)
        self._runner.run(self._session.set_music_generation_config(config, **fields))

    def play(self) -> None:
        self._runner.run(self._session.play())

    def pause(self) -> None:
        self._runner.run(self._session.pause())

    def stop(self) -> None:
        self._runner.run(self._session.stop())

    def reset_context(self) -> None:
        self._runner.run(self._session.reset_context())

    def record(self, recorder: MusicRecorder | None = None, **options: Any) -> MusicRecorder:
        return self._session.record(recorder, **options)

    def stop_recording(self) -> MusicRecorder | None:
        return self._session.stop_recording()

    def __iter__(self) -> Iterator[LiveMusicServerMessage]:
        return _SyncMessages(self._runner, self._session.receive())

    def receive(self) -> Iterator[LiveMusicServerMessage]:
        """Every message until the session ends."""
        return _SyncMessages(self._runner, self._session.receive())

    def audio(self) -> Iterator[bytes]:
        """The audio, chunk by chunk (PCM16, 48 kHz, stereo), until the session ends."""
        for message in self.receive():
            data = message.audio
            if data:
                yield data

    def save(self, path: str | Path) -> Path:
        """Save what the session's recorder kept (see :meth:`record`)."""
        recorder = self._session.recorder
        if recorder is None:
            raise RuntimeError("Nothing is being recorded: call session.record() first.")
        return recorder.save(path)


class LiveMusic:
    """``client.live.music``: live music sessions for sync code (see :class:`MusicSession`)."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    def connect(self, *, model: str = DEFAULT_MODEL, reconnect: bool = True) -> MusicSession:
        """A connected :class:`MusicSession`; use it in a ``with`` block (or ``close()`` it).
        Arguments as :meth:`AsyncLiveMusic.connect`."""
        return MusicSession._connect(lambda: _session(self._settings, model, reconnect))
