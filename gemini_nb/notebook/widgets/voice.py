"""A voice session widget: talk with a Gemini Live model through the browser's microphone.

>>> from gemini_nb import VoiceWidget                                   # doctest: +SKIP
>>> def get_weather(city: str) -> str:
...     '''The weather in a city.'''
...     return f"Foggy in {city}."
>>> voice = VoiceWidget(system_instruction="Be brief.", tools=[get_weather])  # doctest: +SKIP
>>> voice                                                               # doctest: +SKIP

Start opens the microphone; the conversation's transcript (both sides), the tool calls as they
run, and level meters for the microphone and the speaker show as it goes. Mute stops sending
audio (the server is told the stream paused); End closes the session. Where the browser gives
no microphone (permission denied, no device, a page that is not a secure context) the widget
says so, and the text box still works: typed turns get spoken answers.

The audio path: an AudioWorklet (``widgets/voice-worklet.js``) resamples the microphone from
the audio context's rate to 16 kHz PCM16 and the page sends it here in 40 ms binary messages;
this class relays them to the Live session (``client.aio.live.connect``) and relays the
model's 24 kHz PCM16 back, which a second worklet plays from a queue, back to back. When the
server says ``interrupted`` (the user talked over the model), the browser drops the queued
audio at once.

The session runs as an asyncio task on the kernel's main event loop (the one the widget was
made on): the kernel stays free, and cells run while the conversation goes on. JupyterLab 4.6
delivers widget messages on a kernel *subshell* thread; they are handed over to the main loop
(as in :mod:`.chat`), so a cell that blocks the main thread (``time.sleep``) holds the audio
up until it ends. Tool functions run as they are called: ``async def`` ones on the loop, plain
ones in a worker thread, each shown in the transcript as running, done or failed (the error
goes back to the model as ``{"error": ...}``); the widget runs them itself (the session's own
automatic function calling is turned off) to show each call as it runs. When the server moves
the session to a new connection (``goAway``, a dropped socket), the client resumes it by itself
and the widget says so; an answer cut by the move is dropped from the speaker, as it is given
again from its start. A setup the server refuses or a session that cannot go on ends with its
reason in words on the error line.

The protocol between ``widgets/voice.js`` and this class:

* synced traits: ``model``, ``state`` (``idle``, ``connecting``, ``live``, ``ended``,
  ``error``), ``muted`` (the browser's Mute button sets it), ``transcript`` (one dict per
  entry: ``role`` ``user``/``model``/``tool``/``note``, ``text``, ``state`` ``live``/``done``/
  ``interrupted`` and, for tools, ``running``/``done``/``error``/``cancelled`` with ``name``,
  ``args``, ``result`` or ``error``), ``error`` and ``notice`` (sentences for people),
  ``usage`` (token totals), ``active_view`` (the view that owns the microphone and speaker),
  ``chunk_ms`` and ``prebuffer_ms`` (audio framing and playback jitter buffer), and
  ``_worklet`` (the worklet module's source: an ES module cannot import a sibling file).
* browser → kernel: ``{"type": "start", "view"}``, ``{"type": "audio", "seq"}`` with one
  buffer (PCM16 little-endian, 16 kHz, mono), ``{"type": "text", "text"}``, ``{"type": "end"}``,
  ``{"type": "mic", "view", "ok", "reason"}`` (whether the view got a microphone).
* kernel → browser: ``{"type": "audio"}`` with one buffer (PCM16, 24 kHz, mono),
  ``{"type": "interrupted"}``, ``{"type": "turn_complete"}``, and
  ``{"type": "line", "index", "text"}`` (a live transcript entry's text so far, at most ~15 a
  second; the ``transcript`` trait gets the final text when the entry ends).

Nothing here puts the API key in a trait, a message or an error: the client stays in Python.
"""

from __future__ import annotations

import asyncio
import collections
import html
import inspect
import json
from collections.abc import Callable
from typing import Any

try:
    import anywidget
    import traitlets
except ImportError as exc:
    from ..._optional import missing_dependency

    raise missing_dependency("VoiceWidget", exc.name or "anywidget", "notebook") from None

from ..._functions import bind_arguments, to_jsonable
from .._session import session
from . import static_path
from ._audio import AudioKernelSide, until_either_ends
from .chat import _kernel_loop, _running_loop, describe_error

__all__ = ["INPUT_MIME", "VoiceWidget", "describe_live_error", "static_html"]

DEFAULT_MODEL = "gemini-2.5-flash-native-audio-latest"
INPUT_RATE = 16_000
OUTPUT_RATE = 24_000
INPUT_MIME = f"audio/pcm;rate={INPUT_RATE}"
#: Microphone audio held while the session connects or the socket is slow; older audio is
#: dropped beyond this (speech from five seconds ago is no use to a live conversation).
MAX_QUEUED_SECONDS = 5.0
#: Consecutive queued audio frames are sent together up to this size (catching up after a
#: stall), so that a backlog costs one message rather than dozens.
MAX_SEND_BYTES = INPUT_RATE * 2  # one second
STATES = ("idle", "connecting", "live", "ended", "error")


class VoiceWidget(AudioKernelSide, anywidget.AnyWidget):
    """A voice conversation with a Live model: Start, Mute, End, transcript and meters.

    ``model`` is a Live model (``bidiGenerateContent``); ``system_instruction``, ``voice`` (a
    prebuilt voice name such as ``"Kore"``) and ``tools`` (Python functions, run when the
    model calls them) shape the session; ``config`` adds or overrides Live connect settings
    (``LiveConnectConfig`` fields). ``client`` is a :class:`~gemini_nb.Client` or
    :class:`~gemini_nb.AsyncClient` (by default the notebook's).

    From Python: ``start()`` begins a session without the microphone (the browser's Start
    button opens it), ``send_text(text)`` says something by text, ``end()`` ends the session,
    ``transcript`` is the conversation as shown and ``session`` the live session while live.
    """

    _esm = static_path("voice.js")
    _css = static_path("voice.css")
    _worklet = traitlets.Unicode(static_path("voice-worklet.js").read_text("utf-8")).tag(sync=True)

    model = traitlets.Unicode(DEFAULT_MODEL).tag(sync=True)
    state = traitlets.Enum(STATES, default_value="idle").tag(sync=True)
    muted = traitlets.Bool(False).tag(sync=True)
    transcript = traitlets.List(traitlets.Dict()).tag(sync=True)
    error = traitlets.Unicode("").tag(sync=True)
    notice = traitlets.Unicode("").tag(sync=True)
    usage = traitlets.Dict().tag(sync=True)
    active_view = traitlets.Unicode("").tag(sync=True)
    chunk_ms = traitlets.Int(40).tag(sync=True)
    prebuffer_ms = traitlets.Int(120).tag(sync=True)

    #: Seconds between two live transcript updates sent to the browser.
    line_interval: float = 1 / 15
    #: Seconds a tool function may run before the model is told it timed out.
    tool_timeout: float = 60.0

    def __init__(
        self,
        model: str = DEFAULT_MODEL,
        *,
        system_instruction: Any = None,
        voice: str | None = None,
        tools: list[Any] | None = None,
        config: dict[str, Any] | None = None,
        client: Any = None,
        **kwargs: Any,
    ) -> None:
        # The client (and its key) live only in Python attributes, never in traits.
        self._client = client
        self._functions: dict[str, Callable[..., Any]] = {}
        other_tools: list[Any] = []
        for tool in tools or []:
            if callable(tool) and not isinstance(tool, type):
                self._functions[getattr(tool, "__name__", repr(tool))] = tool
            else:
                other_tools.append(tool)
        self._config = _connect_config(
            system_instruction, voice, [*self._functions.values(), *other_tools], config
        )
        self._loop = _kernel_loop()
        self._task: asyncio.Task[None] | None = None
        self._ending = False
        self.session: Any = None
        self._outbox: collections.deque[tuple[str, Any]] = collections.deque()
        self._outbox_audio = 0  # bytes of audio in the outbox
        self._wake = asyncio.Event()
        self._entries: list[dict[str, Any]] = []
        self._open: dict[str, int] = {}  # role -> this turn's entry being transcribed
        self._tool_tasks: dict[str, asyncio.Task[None]] = {}
        self._pending_lines: dict[int, str] = {}
        self._line_handle: asyncio.TimerHandle | None = None
        self._last_line = float("-inf")
        self._owns_layout = "layout" not in kwargs
        #: Audio frames dropped because the outbox was full (the session could not keep up).
        self.dropped_audio = 0
        super().__init__(model=model, **kwargs)
        self.on_msg(self._on_frontend_msg)

    def __repr__(self) -> str:
        # Stable text (no memory address), so nbval can compare the text/plain output.
        turns = sum(1 for e in self.transcript if e.get("role") in ("user", "model"))
        return f"{type(self).__name__}(model={self.model!r}, state={self.state!r}, turns={turns})"

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        # Renderers without a widget manager (nbconvert, GitHub) fall back to text/html.
        bundle = super()._repr_mimebundle_(**kwargs)
        if bundle is None:
            return None
        data, metadata = bundle
        page = static_html(self.model, self.transcript, self.error)
        return {**data, "text/html": page}, metadata

    # -- public API ------------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        """Whether a session is connecting or live."""
        task = getattr(self, "_task", None)  # None too in a widget whose __init__ failed
        return task is not None and not task.done()

    def start(self) -> asyncio.Task[None]:
        """Open a Live session (without the microphone, which a browser view opens).

        Returns the session's task, which ends with the session. Call it on the loop the
        widget was made on (a notebook cell).
        """
        if _running_loop() not in (None, self._loop):
            raise RuntimeError("Call start() from the event loop the widget was created on.")
        if self.running:
            assert self._task is not None
            return self._task
        self._ending = False
        self._outbox.clear()
        self._outbox_audio = 0
        with self.hold_sync():
            self.error = ""
            self.notice = ""
            self.state = "connecting"
        self._task = self._loop.create_task(self._run())
        return self._task

    def send_text(self, text: str) -> None:
        """Say ``text`` to the model as a typed turn (starting a session if none is live)."""
        if not text.strip():
            raise ValueError("Nothing to send: the text is empty.")
        if not self.running:
            self.start()
        # A new turn: words heard before it stay in their entry; the model's answer so far goes
        # on until the server says it was interrupted.
        self._end_turn("done", roles=("user",))
        self._new_entry({"role": "user", "text": text, "state": "done", "typed": True})
        self._post("text", text)

    def end(self) -> None:
        """End the session, if any (what was said stays in the transcript)."""
        if self.running:
            assert self._task is not None
            self._ending = True
            self._task.cancel()

    def close(self) -> None:
        """End any session and close the widget's comms (its own and its default layout's)."""
        self.end()
        if hasattr(self, "_pending_lines"):
            self._cancel_lines()
        if getattr(self, "_owns_layout", False) and self.layout is not None:
            self.layout.close()
        super().close()

    @property
    def tool_calls(self) -> list[dict[str, Any]]:
        """The tool calls of the transcript, in order (a copy)."""
        return [dict(e) for e in self.transcript if e.get("role") == "tool"]

    # -- the session -----------------------------------------------------------------------------

    def _live(self) -> Any:
        client = self._client if self._client is not None else session.async_client()
        # A sync Client has its async twin at .aio; an AsyncClient has .live itself.
        aio = getattr(client, "aio", None)
        return (aio if aio is not None else client).live

    async def _run(self) -> None:
        phase = "setup"
        reason = ""
        try:
            async with self._live().connect(model=self.model, config=self._config) as live:
                phase = "live"
                self.session = live
                self.state = "live"
                if self.muted:
                    self._post("audio_end", None)
                await until_either_ends(self._pump(live), self._receive(live))
                reason = "The server ended the session."
        except asyncio.CancelledError:
            if not self._ending:
                self._finish("ended", "", "The session was stopped.")
                raise  # cancelled by someone else (kernel shutdown): let it propagate
            current = asyncio.current_task()
            if current is not None:
                current.uncancel()
            self._finish("ended", "", "Session ended.")
            return
        except Exception as exc:  # shown in the widget, in words, not raised into a cell
            # The error line says what happened; the transcript keeps that it happened here.
            self._finish("error", describe_live_error(exc, phase), "Session stopped by an error.")
            return
        self._finish("ended", "", reason)

    def _finish(self, state: str, error: str, note: str) -> None:
        for task in list(self._tool_tasks.values()):
            task.cancel()
        self.session = None
        self._end_turn("done")
        if note:
            self._new_entry({"role": "note", "text": note, "state": "done"})
        self._flush_lines()
        with self.hold_sync():
            self.error = error
            self.state = state

    async def _pump(self, live: Any) -> None:
        """The one writer to the session: audio, typed turns and tool responses, in order."""
        while True:
            while not self._outbox:
                self._wake.clear()
                await self._wake.wait()
            kind, value = self._outbox.popleft()
            if kind == "audio":
                self._outbox_audio -= len(value)
                chunks = [value]
                size = len(value)
                while self._outbox and self._outbox[0][0] == "audio" and size < MAX_SEND_BYTES:
                    more = self._outbox.popleft()[1]
                    self._outbox_audio -= len(more)
                    chunks.append(more)
                    size += len(more)
                data = value if len(chunks) == 1 else b"".join(chunks)
                await live.send_realtime_input(audio={"data": data, "mime_type": INPUT_MIME})
            elif kind == "audio_end":
                await live.send_realtime_input(audio_stream_end=True)
            elif kind == "text":
                await live.send_client_content(
                    turns=[{"role": "user", "parts": [{"text": value}]}], turn_complete=True
                )
            elif kind == "tool_response":
                await live.send_tool_response(function_responses=value)

    def _post(self, kind: str, value: Any) -> None:
        if kind == "audio":
            self._outbox_audio += len(value)
            limit = MAX_QUEUED_SECONDS * INPUT_RATE * 2
            while self._outbox_audio > limit:
                # Drop the oldest audio (never a typed turn or a tool response).
                for i, (k, v) in enumerate(self._outbox):
                    if k == "audio":
                        del self._outbox[i]
                        self._outbox_audio -= len(v)
                        self.dropped_audio += 1
                        break
                else:
                    break
        self._outbox.append((kind, value))
        self._wake.set()

    async def _receive(self, live: Any) -> None:
        async for message in live:
            self._on_server_message(message)

    def _on_server_message(self, message: Any) -> None:
        content = getattr(message, "server_content", None)
        if content is not None:
            if getattr(content, "interrupted", None):
                self._to_browser({"type": "interrupted"})
                self._end_turn("interrupted")
            heard = getattr(content, "input_transcription", None)
            if heard is not None and getattr(heard, "text", None):
                self._append("user", heard.text)
            data = getattr(message, "data", None)
            if data:
                self._to_browser({"type": "audio"}, [data])
            turn = getattr(content, "model_turn", None)
            for part in getattr(turn, "parts", None) or []:
                text = getattr(part, "text", None)
                if text and not getattr(part, "thought", None):
                    self._append("model", text)
            said = getattr(content, "output_transcription", None)
            if said is not None and getattr(said, "text", None):
                self._append("model", said.text)
            if getattr(content, "turn_complete", None):
                self._end_turn("done")
                self._to_browser({"type": "turn_complete"})
        call = getattr(message, "tool_call", None)
        if call is not None:
            for fc in getattr(call, "function_calls", None) or []:
                self._start_tool(fc)
        cancelled = getattr(message, "tool_call_cancellation", None)
        if cancelled is not None:
            for call_id in getattr(cancelled, "ids", None) or []:
                task = self._tool_tasks.get(call_id)
                if task is not None:
                    task.cancel()
        usage = getattr(message, "usage_metadata", None)
        if usage is not None:
            self._add_usage(usage)
        reconnect = getattr(message, "reconnect", None)
        if reconnect is not None:
            self._reconnected(reconnect)

    def _reconnected(self, reconnect: Any) -> None:
        """The client resumed the session on a new connection (after goAway or a drop)."""
        if "model" in self._open:
            # The answer under way is given again from its start: what was queued of it goes.
            self._to_browser({"type": "interrupted"})
            self._end_turn("interrupted")
        code = getattr(reconnect, "close_code", None)
        why = (
            "the server asked to move to a new connection"
            if getattr(reconnect, "reason", "") == "go_away"
            else f"the connection closed ({code})"
            if code
            else "the connection was lost"
        )
        self.notice = f"Reconnected: {why}; the conversation goes on."

    def _add_usage(self, usage: Any) -> None:
        def count(*names: str) -> int:
            for name in names:
                value = getattr(usage, name, None)
                if isinstance(value, int):
                    return value
            return 0

        totals = dict(self.usage)
        for key, names in (
            ("input", ("prompt_token_count",)),
            ("output", ("response_token_count", "candidates_token_count")),
            ("total", ("total_token_count",)),
        ):
            totals[key] = int(totals.get(key, 0)) + count(*names)
        self.usage = totals

    # -- tools -----------------------------------------------------------------------------------

    def _start_tool(self, call: Any) -> None:
        call_id = str(getattr(call, "id", "") or "")
        name = str(getattr(call, "name", "") or "")
        args = dict(getattr(call, "args", None) or {})
        # What the model says after the call is a new entry, below the call's.
        self._end_turn("done", roles=("model",))
        index = self._new_entry(
            {
                "role": "tool",
                "id": call_id,
                "name": name,
                "args": args,
                "text": "",
                "state": "running",
            }
        )
        task = self._loop.create_task(self._run_tool(index, call_id, name, args))
        self._tool_tasks[call_id] = task
        task.add_done_callback(lambda _t: self._tool_tasks.pop(call_id, None))

    async def _run_tool(self, index: int, call_id: str, name: str, args: dict[str, Any]) -> None:
        fn = self._functions.get(name)
        try:
            if fn is None:
                raise LookupError(
                    f"there is no Python function named {name!r} in this widget's tools"
                )
            bound = bind_arguments(fn, args)
            try:
                value = await asyncio.wait_for(_call(fn, bound), self.tool_timeout)
            except TimeoutError:
                raise TimeoutError(
                    f"{name} did not finish within {self.tool_timeout:g} seconds"
                ) from None
            result = to_jsonable(value)
            response: dict[str, Any] = {"result": result}
            self._update_entry(index, state="done", result=_short(result))
        except asyncio.CancelledError:
            self._update_entry(index, state="cancelled")
            raise
        except Exception as exc:  # shown on the entry, and sent back to the model
            error = describe_error(exc)
            response = {"error": error}
            self._update_entry(index, state="error", error=error)
        self._post("tool_response", [{"id": call_id, "name": name, "response": response}])

    # -- transcript ------------------------------------------------------------------------------

    def _new_entry(self, entry: dict[str, Any]) -> int:
        self._entries.append(entry)
        self._sync_entries()
        return len(self._entries) - 1

    def _update_entry(self, index: int, **fields: Any) -> None:
        self._entries[index].update(fields)
        self._sync_entries()

    def _sync_entries(self) -> None:
        self._pending_lines.clear()
        self.transcript = [dict(e) for e in self._entries]

    def _append(self, role: str, text: str) -> None:
        """Transcribed text of this turn's user or model speech, added to its entry."""
        index = self._open.get(role)
        if index is None:
            self._open[role] = self._new_entry({"role": role, "text": text, "state": "live"})
            user = self._open.get("user")
            if role == "model" and user is not None and self._entries[user]["state"] == "live":
                # The model answers: the user's words are heard (late pieces still join them).
                self._update_entry(user, state="done")
            return
        entry = self._entries[index]
        entry["text"] += text
        self._queue_line(index, entry["text"])

    def _end_turn(self, model_state: str, roles: tuple[str, ...] = ("user", "model")) -> None:
        """Close this turn's open entries: the model's as ``model_state``, the user's as done."""
        changed = False
        for role in roles:
            index = self._open.pop(role, None)
            if index is not None:
                self._entries[index]["state"] = model_state if role == "model" else "done"
                changed = True
        if changed:
            self._sync_entries()

    def _queue_line(self, index: int, text: str) -> None:
        self._pending_lines[index] = text
        if self._line_handle is not None:
            return
        delay = self._last_line + self.line_interval - self._loop.time()
        if delay <= 0:
            self._flush_lines()
        else:
            self._line_handle = self._loop.call_later(delay, self._flush_lines)

    def _flush_lines(self) -> None:
        self._line_handle = None
        self._last_line = self._loop.time()
        pending, self._pending_lines = self._pending_lines, {}
        for index, text in pending.items():
            self._to_browser({"type": "line", "index": index, "text": text})

    def _cancel_lines(self) -> None:
        if self._line_handle is not None:
            self._line_handle.cancel()
            self._line_handle = None
        self._pending_lines.clear()

    # -- the browser -----------------------------------------------------------------------------

    def _on_frontend_msg(self, _widget: Any, content: Any, buffers: Any) -> None:
        if not isinstance(content, dict):
            return
        kind = content.get("type")
        if kind == "audio":
            if buffers:
                # The buffer is a view of the kernel's message frame: copied before it moves
                # to the main loop's thread.
                self._on_widget_loop(self._audio_from_browser, bytes(buffers[0]))
        elif kind == "start":
            view = content.get("view")
            self._on_widget_loop(self._start_from_browser, view if isinstance(view, str) else "")
        elif kind == "text":
            text = content.get("text")
            if isinstance(text, str) and text.strip():
                self._on_widget_loop(self.send_text, text)
        elif kind == "end":
            self._on_widget_loop(self.end)
        elif kind == "mic":
            reason = content.get("reason")
            notice = "" if content.get("ok") else str(reason or "No microphone.")[:300]
            self._on_widget_loop(setattr, self, "notice", notice)

    def _start_from_browser(self, view: str) -> None:
        self.active_view = view[:64]
        self.start()

    def _audio_from_browser(self, pcm: bytes) -> None:
        # Audio racing the end of a session (or arriving while muted) is dropped.
        if self.running and not self.muted and len(pcm) % 2 == 0:
            self._post("audio", pcm)

    @traitlets.observe("muted")
    def _muted_changed(self, change: dict[str, Any]) -> None:
        if change["new"] and self.running and self.session is not None:
            # Tell the server the stream paused, so that it ends an utterance cut short.
            self._on_widget_loop(self._post, "audio_end", None)


async def _call(fn: Callable[..., Any], kwargs: dict[str, Any]) -> Any:
    # async functions run on the loop; plain ones in a worker thread, so the kernel stays free.
    if inspect.iscoroutinefunction(fn):
        return await fn(**kwargs)
    value = await asyncio.to_thread(fn, **kwargs)
    return await value if inspect.isawaitable(value) else value


def _connect_config(
    system_instruction: Any, voice: str | None, tools: list[Any], config: dict[str, Any] | None
) -> dict[str, Any]:
    cfg: dict[str, Any] = {
        "response_modalities": ["AUDIO"],
        "input_audio_transcription": {},
        "output_audio_transcription": {},
    }
    if system_instruction is not None:
        cfg["system_instruction"] = system_instruction
    if voice:
        cfg["speech_config"] = {"voice_config": {"prebuilt_voice_config": {"voice_name": voice}}}
    if tools:
        cfg["tools"] = tools
        # The widget runs the Python functions itself, to show each call as it runs.
        cfg["automatic_function_calling"] = {"disable": True}
    cfg.update(config or {})
    return cfg


def describe_live_error(exc: BaseException, phase: str) -> str:
    """A sentence for the widget about why a session failed.

    ``phase`` is ``"setup"`` while connecting and ``"live"`` after: a close during setup is the
    server refusing the session, later it is the session dropping.
    """
    code = getattr(exc, "code", None)
    reason = str(getattr(exc, "reason", "") or "").strip()
    if isinstance(code, int) and 1000 <= code < 5000:
        what = "The server refused the session" if phase == "setup" else "The session dropped"
        return f"{what} (close code {code})" + (f": {reason}" if reason else ".")
    if phase == "setup":
        return f"Could not open the session: {describe_error(exc)}"
    return f"The session failed: {describe_error(exc)}"


def _short(value: Any, limit: int = 200) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def static_html(model: str, transcript: list[dict[str, Any]], error: str = "") -> str:
    """The transcript as it stands, as escaped HTML: the widget's view without a widget manager."""
    rows = []
    for entry in transcript:
        role = entry.get("role")
        state = str(entry.get("state") or "")
        if role == "tool":
            args = ", ".join(
                f"{k}={json.dumps(v, ensure_ascii=False)}"
                for k, v in (entry.get("args") or {}).items()
            )
            what = f"{entry.get('name', '')}({args})"
            outcome = entry.get("error") or entry.get("result") or state
            body = f"<code>{html.escape(what)}</code> → {html.escape(str(outcome))}"
            who = "tool"
        else:
            who = {"user": "You", "model": "Gemini"}.get(str(role), "")
            body = html.escape(str(entry.get("text") or ""))
            if state == "interrupted":
                body += " <i>(interrupted)</i>"
        label = f"<b>{who}</b> " if who else ""
        rows.append(f'<div style="margin:4px 0">{label}{body}</div>')
    count = f"{len(transcript)} entries" if transcript else "nothing said yet"
    failed = f'<div style="color:#a94442">{html.escape(error)}</div>' if error else ""
    return (
        '<div class="gnb-voice-static" style="border:1px solid #ccc;border-radius:6px;'
        'padding:4px 10px;max-width:48em">'
        f'<div style="color:#666;font-size:90%">Voice session with {html.escape(model)} · '
        f"{count} (a saved view: talking needs a running kernel)</div>"
        f"{''.join(rows)}{failed}</div>"
    )
