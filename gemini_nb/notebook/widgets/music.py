"""A live music widget: steer Lyria RealTime from a notebook and hear it in the browser.

>>> from gemini_nb import MusicWidget                                           # doctest: +SKIP
>>> music = MusicWidget({"minimal techno": 1.0, "warm pads": 0.4}, config={"bpm": 124})
>>> music                                                                       # doctest: +SKIP

Play, Pause, Stop and Reset drive the session; prompts with weight sliders (added, removed and
changed while it plays) and the config controls (bpm, density, brightness, scale, guidance,
temperature, top-k, seed, mute bass, mute drums, only bass and drums) steer it; a scrolling
waveform shows what plays. Record keeps the audio in the kernel (a bounded
:class:`~gemini_nb.types.MusicRecorder`): ``music.save("jam.wav")`` writes it, and so does
the widget's Save button (into ``gemini_music/``).

The same from Python: ``play()``, ``pause()``, ``stop()``, ``reset_context()``, ``end()``,
``set_prompts(...)``, ``add_prompt(text, weight)``, ``remove_prompt(text)``,
``set_config(**fields)``, ``record()``, ``stop_recording()``, ``save(path)``; ``session`` is
the live music session while one is open.

The audio path: the session (``client.aio.live.music``) runs as an asyncio task on the
kernel's main event loop, so cells run while the music plays; each chunk (48 kHz stereo
PCM16, about two seconds) goes to the browser as a binary message, where an AudioWorklet
(``widgets/music-worklet.js``) plays the chunks back to back after a jitter buffer
(``prebuffer_ms``). Pause holds what is queued and Play resumes it where it was, as the server
resumes generating where it was; Stop drops it. JupyterLab 4.6 delivers widget messages on a
kernel subshell thread; they are handed to the main loop, as in :mod:`.chat`.

Google's documentation says a new bpm or scale takes effect after ``reset_context``: when
either changes, the widget sends a reset after the config (``reset_on_bpm_or_scale``).

The protocol between ``widgets/music.js`` and this class:

* synced traits: ``model``, ``state`` (``idle``, ``connecting``, ``playing``, ``paused``,
  ``stopped``, ``ended``, ``error``), ``prompts`` (``[{"id", "text", "weight"}]``; a prompt
  with no text or weight 0 is not sent), ``config`` (the set fields of
  ``LiveMusicGenerationConfig``, snake_case; a field left out is the server's default),
  ``recording``, ``recorded_seconds``, ``received_seconds``, ``filtered`` (``[{"text",
  "reason"}]``), ``error`` and ``notice`` (sentences for people), ``active_view`` (the view
  that plays the audio), ``prebuffer_ms``, ``_worklet`` (the worklet module's source).
* browser → kernel: ``{"type": "play", "view"}``, ``{"type": "pause"}``, ``{"type":
  "stop"}``, ``{"type": "reset"}``, ``{"type": "end"}``, ``{"type": "save"}``, ``{"type":
  "claim", "view"}`` (a view that can play takes the audio of a session started from Python);
  ``prompts``, ``config`` and ``recording`` are set as traits.
* kernel → browser: ``{"type": "audio", "seq"}`` with one buffer (PCM16 little-endian,
  48 kHz, stereo, interleaved) and ``{"type": "flush"}`` (drop what is queued: Stop).

Nothing here puts the API key in a trait, a message or an error: the client stays in Python.
"""

from __future__ import annotations

import asyncio
import collections
import html
import itertools
import time
from pathlib import Path
from typing import Any

try:
    import anywidget
    import traitlets
except ImportError as exc:
    from ..._optional import missing_dependency

    raise missing_dependency("MusicWidget", exc.name or "anywidget", "notebook") from None

from ..._exceptions import InvalidInputError
from ..._live_music import (
    BYTES_PER_SECOND,
    DEFAULT_MODEL,
    MusicRecorder,
    coerce_prompts,
    config_frame,
)
from .._session import session
from . import static_path
from ._audio import AudioKernelSide, until_either_ends
from .chat import _kernel_loop, _running_loop, describe_error

__all__ = ["MusicWidget", "static_html"]

STATES = ("idle", "connecting", "playing", "paused", "stopped", "ended", "error")
CONTROL_STATES = {"PLAY": "playing", "PAUSE": "paused", "STOP": "stopped"}
_ids = itertools.count(1)


def _prompt_rows(prompts: Any) -> list[dict[str, Any]]:
    """Prompt rows for the ``prompts`` trait from what ``set_weighted_prompts`` takes."""
    if prompts is None:
        return []
    return [
        {"id": f"p{next(_ids)}", "text": p.text, "weight": p.weight}
        for p in coerce_prompts(prompts)
    ]


def _active(rows: list[dict[str, Any]]) -> list[tuple[str, float]]:
    """The prompts to send: those with a text and a weight other than 0."""
    out = []
    for row in rows:
        text = str(row.get("text") or "").strip()
        try:
            weight = float(row.get("weight", 1.0))
        except (TypeError, ValueError):
            continue
        if text and weight:
            out.append((text, weight))
    return out


class MusicWidget(AudioKernelSide, anywidget.AnyWidget):
    """Live music from Lyria RealTime: prompts with weights, config controls, Play / Pause /
    Stop / Reset, a scrolling waveform, and a recorder kept in the kernel.

    ``prompts`` is what ``set_weighted_prompts`` takes (``{"minimal techno": 1.0}``, a list of
    texts or ``(text, weight)`` pairs, …); ``config`` the fields of
    :class:`~gemini_nb.types.LiveMusicGenerationConfig` (``{"bpm": 124, "density": 0.6}``);
    ``model`` a live music model; ``client`` a :class:`~gemini_nb.Client` or
    :class:`~gemini_nb.AsyncClient` (by default the notebook's). ``record_seconds`` and
    ``record_on_disk`` bound the recorder (five minutes in memory by default).
    """

    _esm = static_path("music.js")
    _css = static_path("music.css")
    _worklet = traitlets.Unicode(static_path("music-worklet.js").read_text("utf-8")).tag(sync=True)

    model = traitlets.Unicode(DEFAULT_MODEL).tag(sync=True)
    state = traitlets.Enum(STATES, default_value="idle").tag(sync=True)
    prompts = traitlets.List(traitlets.Dict()).tag(sync=True)
    config = traitlets.Dict().tag(sync=True)
    recording = traitlets.Bool(False).tag(sync=True)
    recorded_seconds = traitlets.Float(0.0).tag(sync=True)
    received_seconds = traitlets.Float(0.0).tag(sync=True)
    filtered = traitlets.List(traitlets.Dict()).tag(sync=True)
    error = traitlets.Unicode("").tag(sync=True)
    notice = traitlets.Unicode("").tag(sync=True)
    active_view = traitlets.Unicode("").tag(sync=True)
    prebuffer_ms = traitlets.Int(1000).tag(sync=True)

    #: Send ``reset_context`` after a config whose bpm or scale changed (Google's advice).
    reset_on_bpm_or_scale: bool = True
    #: Where the Save button writes recordings.
    save_folder = Path("gemini_music")

    def __init__(
        self,
        prompts: Any = None,
        *,
        config: dict[str, Any] | None = None,
        model: str = DEFAULT_MODEL,
        client: Any = None,
        record_seconds: float | None = 300.0,
        record_on_disk: bool = False,
        **kwargs: Any,
    ) -> None:
        # Set first: a widget whose arguments are refused below is still closed when collected.
        self._task: asyncio.Task[None] | None = None
        self._owns_layout = "layout" not in kwargs
        # The client (and its key) live only in Python attributes, never in traits.
        self._client = client
        rows = _prompt_rows(prompts)
        cfg = dict(config or {})
        if cfg:
            config_frame(**cfg)  # refused here, before any session, if it is not one
        self._record_seconds = record_seconds
        self._record_on_disk = record_on_disk
        self._new_recorder().close()  # the options are checked now
        self._loop = _kernel_loop()
        self._ending = False
        self._outbox: collections.deque[tuple[str, Any]] = collections.deque()
        self._wake = asyncio.Event()
        self._sent_config: dict[str, Any] | None = None  # what this session was sent
        self._seq = 0
        self.session: Any = None
        #: The recorder the Record button (or ``record()``) fills; None before the first.
        self.recorder: MusicRecorder | None = None
        super().__init__(model=model, prompts=rows, config=cfg, **kwargs)
        self.on_msg(self._on_frontend_msg)

    def __repr__(self) -> str:
        # Stable text (no memory address), so nbval can compare the text/plain output.
        return (
            f"{type(self).__name__}(model={self.model!r}, state={self.state!r}, "
            f"prompts={len(_active(self.prompts))})"
        )

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        # Renderers without a widget manager (nbconvert, GitHub) fall back to text/html.
        bundle = super()._repr_mimebundle_(**kwargs)
        if bundle is None:
            return None
        data, metadata = bundle
        return {**data, "text/html": static_html(self.model, self.prompts, self.config)}, metadata

    # -- public API ------------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        """Whether a session is connecting or open."""
        return self._task is not None and not self._task.done()

    def play(self) -> asyncio.Task[None]:
        """Start the music (opening a session if none is open) or resume it.

        Returns the session's task, which ends with the session. Call it on the loop the
        widget was made on (a notebook cell).
        """
        if _running_loop() not in (None, self._loop):
            raise RuntimeError("Call play() from the event loop the widget was created on.")
        if not _active(self.prompts):
            self.notice = "Add a prompt (with a weight other than 0) to steer the music."
        self._post("control", "PLAY")
        return self._ensure_session()

    def pause(self) -> None:
        """Hold the music; ``play()`` resumes it where it was."""
        if self.running:
            self._post("control", "PAUSE")

    def stop(self) -> None:
        """Stop the music and start its context afresh (prompts and config are kept)."""
        if self.running:
            self._post("control", "STOP")
            self._to_browser({"type": "flush"})

    def reset_context(self) -> None:
        """Start the music's context afresh without stopping."""
        if self.running:
            self._post("control", "RESET_CONTEXT")

    def end(self) -> None:
        """Close the session, if any (the prompts, config and recording stay)."""
        if self.running:
            assert self._task is not None
            self._ending = True
            self._task.cancel()

    def close(self) -> None:
        """End any session and close the widget's comms (its own and its default layout's)."""
        self.end()
        if self._owns_layout and self.layout is not None:
            self.layout.close()
        super().close()

    def set_prompts(self, prompts: Any) -> None:
        """Replace the prompts (what ``set_weighted_prompts`` takes); sent while it plays."""
        self.prompts = _prompt_rows(prompts)

    def add_prompt(self, text: str, weight: float = 1.0) -> None:
        """Add one prompt."""
        self.prompts = [*self.prompts, *_prompt_rows([(text, weight)])]

    def remove_prompt(self, text: str) -> None:
        """Remove the prompts with this text."""
        kept = [p for p in self.prompts if p.get("text") != text]
        if len(kept) == len(self.prompts):
            raise InvalidInputError(f"There is no prompt {text!r}.")
        self.prompts = kept

    def set_config(self, **fields: Any) -> None:
        """Change config fields (``bpm=90``, ``scale="D_MAJOR_B_MINOR"``; ``None`` goes back to
        the default); checked here, sent while it plays."""
        config = {**self.config, **fields}
        config = {k: v for k, v in config.items() if v is not None}
        config_frame(**config)
        self.config = config

    def record(self) -> MusicRecorder:
        """Keep the audio from now on (in the widget's recorder, made on first use)."""
        self.recording = True
        assert self.recorder is not None
        return self.recorder

    def stop_recording(self) -> MusicRecorder | None:
        """Stop keeping audio; returns the recorder."""
        self.recording = False
        return self.recorder

    def save(self, path: str | Path) -> Path:
        """Write what was recorded as WAV (``.pcm``/``.raw``: raw samples)."""
        if self.recorder is None or not self.recorder.seconds:
            raise InvalidInputError("Nothing was recorded: press Record (or call record()) first.")
        return self.recorder.save(path)

    # -- steering --------------------------------------------------------------------------------

    @traitlets.observe("prompts")
    def _prompts_changed(self, change: dict[str, Any]) -> None:
        self._on_widget_loop(self._post, "prompts", None)

    @traitlets.observe("config")
    def _config_changed(self, change: dict[str, Any]) -> None:
        self._on_widget_loop(self._post, "config", None)

    @traitlets.observe("recording")
    def _recording_changed(self, change: dict[str, Any]) -> None:
        if change["new"]:
            if self.recorder is None:
                self.recorder = self._new_recorder()
            self._on_widget_loop(self._attach_recorder)
        else:
            self._on_widget_loop(self._detach_recorder)

    def _new_recorder(self) -> MusicRecorder:
        return MusicRecorder(max_seconds=self._record_seconds, on_disk=self._record_on_disk)

    def _attach_recorder(self) -> None:
        if self.session is not None and self.recorder is not None and self.recording:
            self.session.record(self.recorder)

    def _detach_recorder(self) -> None:
        if self.session is not None:
            self.session.stop_recording()
        if self.recorder is not None:
            self.recorded_seconds = self.recorder.seconds

    def _post(self, kind: str, value: Any, *, first: bool = False) -> None:
        """Queue a message for the session; prompts and config are sent as they are when their
        turn comes (an older queued one is dropped)."""
        if kind in ("prompts", "config"):
            for i, (k, _) in enumerate(self._outbox):
                if k == kind:
                    del self._outbox[i]
                    break
        if first:
            self._outbox.appendleft((kind, value))
        else:
            self._outbox.append((kind, value))
        self._wake.set()

    def _ensure_session(self) -> asyncio.Task[None]:
        if self.running:
            assert self._task is not None
            return self._task
        self._ending = False
        with self.hold_sync():
            self.error = ""
            self.state = "connecting"
        self._task = self._loop.create_task(self._run())
        return self._task

    # -- the session -----------------------------------------------------------------------------

    def _music(self) -> Any:
        client = self._client if self._client is not None else session.async_client()
        # A sync Client has its async twin at .aio; an AsyncClient has .live itself.
        aio = getattr(client, "aio", None)
        return (aio if aio is not None else client).live.music

    async def _run(self) -> None:
        phase = "setup"
        try:
            async with self._music().connect(model=self.model) as music:
                phase = "live"
                self.session = music
                self._sent_config = None
                # A new session starts from nothing: steer it as the widget is now.
                self._post("config", None, first=True)
                self._post("prompts", None, first=True)
                if self.recording:
                    self._attach_recorder()
                if not any(kind == "control" for kind, _ in self._outbox):
                    self.state = "stopped"
                await until_either_ends(self._pump(music), self._receive(music))
        except asyncio.CancelledError:
            if not self._ending:
                self._finish("ended", "")
                raise  # cancelled by someone else (kernel shutdown): let it propagate
            current = asyncio.current_task()
            if current is not None:
                current.uncancel()
            self._finish("ended", "")
            return
        except Exception as exc:  # shown in the widget, in words, not raised into a cell
            self._finish("error", _describe(exc, phase))
            return
        self._finish("ended", "The server ended the session.")

    def _finish(self, state: str, error: str) -> None:
        if self.session is not None and self.recorder is not None:
            self.session.stop_recording()
        self.session = None
        self._outbox.clear()
        self._to_browser({"type": "flush"})
        with self.hold_sync():
            if self.recorder is not None:
                self.recorded_seconds = self.recorder.seconds
            if error and state == "ended":
                self.notice = error
            self.error = error if state == "error" else ""
            self.state = state

    async def _pump(self, music: Any) -> None:
        """The one writer to the session, in order."""
        while True:
            while not self._outbox:
                self._wake.clear()
                await self._wake.wait()
            kind, value = self._outbox.popleft()
            if kind == "prompts":
                await self._send_prompts(music)
            elif kind == "config":
                await self._send_config(music)
            elif kind == "control":
                await {
                    "PLAY": music.play,
                    "PAUSE": music.pause,
                    "STOP": music.stop,
                    "RESET_CONTEXT": music.reset_context,
                }[value]()
                if value in CONTROL_STATES:
                    self.state = CONTROL_STATES[value]

    async def _send_prompts(self, music: Any) -> None:
        active = _active(self.prompts)
        if not active:
            return  # the server keeps the prompts it had (it needs one at least)
        try:
            await music.set_weighted_prompts(active)
        except InvalidInputError as exc:
            self.notice = f"Prompts not sent: {exc}"
            return
        if self.notice.startswith(("Add a prompt", "Prompts not sent")):
            self.notice = ""

    async def _send_config(self, music: Any) -> None:
        config = dict(self.config)
        before = self._sent_config
        if config == (before if before is not None else {}):
            return  # nothing new (a new session starts with the server's defaults)
        try:
            await music.set_music_generation_config(**config)
        except InvalidInputError as exc:
            self.notice = f"Config not sent: {exc}"
            return
        self._sent_config = config
        if self.notice.startswith("Config not sent"):
            self.notice = ""
        # While it plays (not the first steering of a session, sent before PLAY).
        prev = before or {}
        changed = any(config.get(k) != prev.get(k) for k in ("bpm", "scale"))
        if self.reset_on_bpm_or_scale and changed and music.playing:
            await music.reset_context()

    async def _receive(self, music: Any) -> None:
        async for message in music:
            self._on_server_message(message)

    def _on_server_message(self, message: Any) -> None:
        reconnect = message.reconnect
        if reconnect is not None:
            code = (
                f" after a close with code {reconnect.close_code}" if reconnect.close_code else ""
            )
            self.notice = f"The connection was renewed{code}; the music goes on."
            return
        filtered = message.filtered_prompt
        if filtered is not None:
            self.filtered = [
                *self.filtered,
                {"text": filtered.text or "", "reason": filtered.filtered_reason or ""},
            ][-20:]
        data = message.audio
        if data:
            with self.hold_sync():
                self.received_seconds = round(
                    self.received_seconds + len(data) / BYTES_PER_SECOND, 3
                )
                if self.recording and self.recorder is not None:
                    self.recorded_seconds = self.recorder.seconds
            if self.state != "stopped":  # audio on its way before a Stop is not played
                self._seq += 1
                self._to_browser({"type": "audio", "seq": self._seq}, [data])

    # -- the browser -----------------------------------------------------------------------------

    def _on_frontend_msg(self, _widget: Any, content: Any, buffers: Any) -> None:
        if not isinstance(content, dict):
            return
        kind = content.get("type")
        view = content.get("view")
        view = view[:64] if isinstance(view, str) else ""
        if kind == "play":
            self._on_widget_loop(self._play_from_browser, view)
        elif kind == "claim":
            self._on_widget_loop(self._claim, view)
        elif kind in ("pause", "stop", "reset", "end"):
            action = {
                "pause": self.pause,
                "stop": self.stop,
                "reset": self.reset_context,
                "end": self.end,
            }[kind]
            self._on_widget_loop(action)
        elif kind == "save":
            self._on_widget_loop(self._save_from_browser)

    def _play_from_browser(self, view: str) -> None:
        if view:
            self.active_view = view
        self.play()

    def _claim(self, view: str) -> None:
        if view and not self.active_view:
            self.active_view = view

    def _save_from_browser(self) -> None:
        recorder = self.recorder
        if recorder is None or not recorder.seconds:
            self.notice = "Nothing was recorded yet: press Record while the music plays."
            return
        stamp = time.strftime("%Y%m%d-%H%M%S")
        path = self.save_folder / f"music-{stamp}.wav"

        async def write() -> None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                saved = await asyncio.to_thread(recorder.save, path)
            except OSError as exc:
                self.notice = f"Could not save the recording: {exc}"
                return
            self.notice = (
                f"Saved {saved.as_posix()} ({recorder.seconds:.1f} s); in Python: "
                "widget.save(path) writes it anywhere."
            )

        self._loop.create_task(write())


def _describe(exc: BaseException, phase: str) -> str:
    """A sentence for the widget about why a session failed."""
    code = getattr(exc, "code", None)
    reason = str(getattr(exc, "reason", "") or "").strip()
    if isinstance(code, int) and 1000 <= code < 5000:
        what = "The server refused the session" if phase == "setup" else "The session dropped"
        return f"{what} (close code {code})" + (f": {reason}" if reason else ".")
    if phase == "setup":
        return f"Could not open the session: {describe_error(exc)}"
    return f"The session failed: {describe_error(exc)}"


def static_html(model: str, prompts: list[dict[str, Any]], config: dict[str, Any]) -> str:
    """The prompts and config as escaped HTML: the widget's view without a widget manager."""
    rows = "".join(
        f"<li>{html.escape(str(p.get('text', '')))} · weight {float(p.get('weight', 1)):g}</li>"
        for p in prompts
    )
    settings = ", ".join(f"{html.escape(str(k))}={html.escape(str(v))}" for k, v in config.items())
    return (
        '<div class="gnb-music-static" style="border:1px solid #ccc;border-radius:6px;'
        'padding:4px 10px;max-width:48em">'
        f'<div style="color:#666;font-size:90%">Live music with {html.escape(model)} '
        "(a saved view: playing needs a running kernel)</div>"
        f'<ul style="margin:4px 0">{rows or "<li>no prompt yet</li>"}</ul>'
        f"<div>{settings or 'default config'}</div></div>"
    )
