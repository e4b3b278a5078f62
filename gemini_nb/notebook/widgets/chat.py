"""A chat widget: a conversation with a Gemini model, streamed into a notebook output.

>>> from gemini_nb.notebook.widgets import ChatWidget         # doctest: +SKIP
>>> chat = ChatWidget(model="gemini-2.5-flash", system_instruction="Be brief.")
>>> chat                                                       # doctest: +SKIP

The reply streams as an asyncio task on the kernel's main event loop (the one the widget was
made on), so the kernel stays free for other cells (and for the Stop button) while a model
answers. JupyterLab 4.6 sends widget messages to a kernel *subshell*, which runs in another
thread with its own event loop; those messages are handed over to the main loop, so that every
turn uses the one HTTP client on the one loop it is bound to. A cell that blocks the main
thread (``time.sleep``) therefore pauses a streaming reply until it ends. Model Markdown is turned into
sanitized HTML here, in Python (:func:`gemini_nb.notebook.display.markdown_to_html`); the
browser only inserts that HTML, and inserts the user's own text as text.

The protocol between ``widgets/chat.js`` and this class:

* synced traits: ``model`` (the browser's model picker sets it), ``models`` (the IDs the
  picker offers), ``messages`` (the conversation as shown: one dict per bubble with ``role``,
  ``text``, ``html``, ``usage``, ``state``, and ``error`` for a failed turn), ``busy`` and
  ``error``. They hold the final state of every finished turn, so a saved notebook re-renders
  the conversation without a kernel.
* browser → kernel custom messages: ``{"type": "send", "text": ...}``, ``{"type": "stop"}``,
  and ``{"type": "models"}`` (a view wants the model list: fetched once, into ``models``).
* kernel → browser custom messages while a reply streams, at most ~15 a second:
  ``{"type": "delta", "index": i, "html": ...}``, the whole reply so far as HTML, for
  ``messages[i]``.

Nothing here puts the API key in a trait or a message: the client stays in Python.
"""

from __future__ import annotations

import asyncio
import html
import warnings
from typing import TYPE_CHECKING, Any

try:
    import anywidget
    import ipywidgets
    import traitlets
except ImportError as exc:
    from ..._optional import missing_dependency

    raise missing_dependency("ChatWidget", exc.name or "anywidget", "notebook") from None

from ..._convert import coerce_config
from ..._exceptions import APIStatusError
from ...types import Content, GenerateContentConfig
from .._session import session
from . import static_path

if TYPE_CHECKING:
    from ...resources.chats import AsyncChat
    from ...types import UsageMetadata

__all__ = ["ChatWidget"]

_DEFAULT_MODEL = "gemini-2.5-flash"


class ChatWidget(anywidget.AnyWidget):
    """A chat with one model: message list, input box, Send and Stop.

    ``widget.chat`` is the underlying :class:`~gemini_nb.resources.chats.AsyncChat`
    (``widget.chat.history`` is the conversation sent to the model); ``widget.send(text)``
    starts a turn from code and returns its task; ``widget.stop()`` stops the streaming reply,
    which stays on screen marked "stopped" but is not added to the history.
    """

    _esm = static_path("chat.js")
    _css = static_path("chat.css")

    model = traitlets.Unicode(_DEFAULT_MODEL).tag(sync=True)
    models = traitlets.List(traitlets.Unicode()).tag(sync=True)
    messages = traitlets.List(traitlets.Dict()).tag(sync=True)
    busy = traitlets.Bool(False).tag(sync=True)
    error = traitlets.Unicode("").tag(sync=True)

    #: Seconds between two streamed updates of the reply (the browser re-renders each one).
    delta_interval: float = 1 / 15

    def __init__(
        self,
        model: str = _DEFAULT_MODEL,
        system_instruction: Any = None,
        config: Any = None,
        client: Any = None,
        history: list[Any] | None = None,
        **kwargs: Any,
    ) -> None:
        # The client (and its key) live only in Python attributes, never in traits.
        self._client = client if client is not None else session.async_client()
        self.chat: AsyncChat = self._client.chats.create(
            model=model, config=_chat_config(config, system_instruction), history=history
        )
        self._loop = _kernel_loop()
        self._task: asyncio.Task[dict[str, Any]] | None = None
        self._stop_requested = False
        self._turn_started = False
        self._flush_handle: asyncio.TimerHandle | None = None
        self._last_flush = float("-inf")
        self._pending: tuple[int, list[str]] | None = None
        self._owns_layout = "layout" not in kwargs
        self._models_task: asyncio.Task[None] | None = None
        super().__init__(
            model=model,
            models=[model],
            messages=_messages_from_history(self.chat.history),
            **kwargs,
        )
        self.on_msg(self._on_frontend_msg)

    def __repr__(self) -> str:
        # Stable text (no memory address), so nbval can compare the text/plain output.
        return f"{type(self).__name__}(model={self.model!r}, turns={len(self.chat.history)})"

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        # Renderers without a widget manager (nbconvert, GitHub) fall back to text/html.
        bundle = super()._repr_mimebundle_(**kwargs)
        if bundle is None:
            return None
        data, metadata = bundle
        return {**data, "text/html": static_html(self.model, self.messages)}, metadata

    # -- public API ------------------------------------------------------------------------------

    def send(self, text: str) -> asyncio.Task[dict[str, Any]]:
        """Send ``text`` as the next user turn; the reply streams in the background.

        Returns the asyncio task, whose result is the reply's message dict. In a notebook
        ``await widget.send("Hi")`` waits for the reply; without ``await`` the cell finishes
        at once and the reply streams into the widget. Call it on the loop the widget was
        made on (a notebook cell).
        """
        if _running_loop() not in (None, self._loop):
            raise RuntimeError("Call send() from the event loop the widget was created on.")
        if self.busy:
            raise RuntimeError("A reply is still streaming; call stop() first.")
        if not text.strip():
            raise ValueError("Nothing to send: the message is empty.")
        index = self._begin_turn(text)
        task = self._loop.create_task(self._stream_reply(text, index))
        task.add_done_callback(lambda t: self._after_task(index))
        self._task = task
        return task

    def stop(self) -> None:
        """Stop the streaming reply, if any; what arrived so far stays, marked stopped."""
        if self._task is not None and not self._task.done():
            self._stop_requested = True
            # A task that has not started yet sees the flag and ends at once, so that awaiting
            # it gives the stopped reply either way rather than a CancelledError.
            if self._turn_started:
                self._task.cancel()

    def close(self) -> None:
        """Stop any reply and close the widget's comms (its own and its default layout's)."""
        self.stop()
        self._cancel_flush()
        if self._models_task is not None:
            self._models_task.cancel()
        if self._owns_layout and self.layout is not None:
            self.layout.close()
        super().close()

    # -- one turn --------------------------------------------------------------------------------

    def _on_frontend_msg(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if not isinstance(content, dict):
            return
        kind = content.get("type")
        if kind == "send":
            text = content.get("text")
            if isinstance(text, str) and text.strip():
                self._on_widget_loop(self._send_from_browser, text)
        elif kind == "stop":
            self._on_widget_loop(self.stop)
        elif kind == "models":
            self._on_widget_loop(self._load_models)

    def _load_models(self) -> None:
        # Once per widget: the models that generate content, for the browser's picker.
        if self._models_task is None:
            self._models_task = self._loop.create_task(self._fetch_models())

    async def _fetch_models(self) -> None:
        from .._complete import KNOWN_MODELS

        try:
            pager = await self._client.models.list(
                config={"http_options": {"timeout": 10, "max_retries": 0}}
            )
            ids = [
                m.id
                async for m in pager
                if "generateContent" in (m.supported_generation_methods or [])
            ]
        except Exception:
            ids = list(KNOWN_MODELS)  # the picker still offers the usual ones
        # The current model stays first even if the list does not have it (a tuned model).
        self.models = [self.model, *[i for i in ids if i != self.model]]

    def _on_widget_loop(self, fn: Any, *args: Any) -> None:
        if _running_loop() is self._loop:
            fn(*args)
        else:  # a subshell thread
            self._loop.call_soon_threadsafe(fn, *args)

    def _send_from_browser(self, text: str) -> None:
        # The browser disables Send while busy; a message racing that is dropped.
        if not self.busy:
            self.send(text)

    def _begin_turn(self, text: str) -> int:
        user = {
            "role": "user",
            "text": text,
            "html": _text_html(text),
            "usage": None,
            "state": "done",
        }
        reply = {"role": "model", "text": "", "html": "", "usage": None, "state": "streaming"}
        with self.hold_sync():
            self.error = ""
            self.messages = [*self.messages, user, reply]
            self.busy = True
        return len(self.messages) - 1

    async def _stream_reply(self, text: str, index: int) -> dict[str, Any]:
        chunks: list[str] = []
        usage: UsageMetadata | None = None
        state, error = "error", ""
        self._turn_started = True
        if self._stop_requested:
            return self._finish_turn(index, "", "stopped", None, "")
        try:
            stream = self.chat.send_message_stream(text)
            try:
                async for chunk in stream:
                    usage = chunk.usage_metadata or usage
                    if chunk.text:
                        chunks.append(chunk.text)
                        self._queue_delta(index, chunks)
                final = await stream.get_final_response()
            finally:
                await stream.close()
            usage = final.usage_metadata or usage
            session.record(self.chat.model, usage)
            state = "done"
        except asyncio.CancelledError:
            state = "stopped"
            if not self._stop_requested:
                raise  # cancelled by someone else (kernel shutdown): let it propagate
            task = asyncio.current_task()
            if task is not None:
                task.uncancel()
        except Exception as exc:  # the failure is shown in the widget, not raised into a cell
            error = describe_error(exc)
        finally:
            reply = self._finish_turn(index, "".join(chunks), state, usage, error)
        return reply

    def _after_task(self, index: int) -> None:
        # A task cancelled from outside before its first step never ran _stream_reply.
        if index < len(self.messages) and self.messages[index].get("state") == "streaming":
            self._finish_turn(index, "", "stopped", None, "")

    def _finish_turn(
        self, index: int, text: str, state: str, usage: UsageMetadata | None, error: str
    ) -> dict[str, Any]:
        self._cancel_flush()
        self._stop_requested = self._turn_started = False
        reply: dict[str, Any] = {
            "role": "model",
            "text": text,
            "html": _markdown_html(text),
            "usage": _usage_dict(usage),
            "state": state,
        }
        if error:
            reply["error"] = error
        messages = list(self.messages)
        messages[index] = reply
        with self.hold_sync():
            self.messages = messages
            self.error = error
            self.busy = False
        return reply

    # -- throttled streaming updates ---------------------------------------------------------------

    def _queue_delta(self, index: int, chunks: list[str]) -> None:
        self._pending = (index, chunks)
        if self._flush_handle is not None:
            return
        loop = asyncio.get_running_loop()
        delay = self._last_flush + self.delta_interval - loop.time()
        if delay <= 0:
            self._flush_delta(loop)  # the first text goes out at once
        else:
            self._flush_handle = loop.call_later(delay, self._flush_delta, loop)

    def _flush_delta(self, loop: asyncio.AbstractEventLoop) -> None:
        self._flush_handle = None
        if self._pending is None:
            return
        index, chunks = self._pending
        self._pending = None
        self._last_flush = loop.time()
        # Widget.send, not ours: a custom message to the browser.
        ipywidgets.Widget.send(
            self, {"type": "delta", "index": index, "html": _markdown_html("".join(chunks))}
        )

    def _cancel_flush(self) -> None:
        if self._flush_handle is not None:
            self._flush_handle.cancel()
            self._flush_handle = None
        self._pending = None

    @traitlets.observe("model")
    def _model_changed(self, change: dict[str, Any]) -> None:
        # Later turns go to the new model; the history carries over.
        chat = getattr(self, "chat", None)
        if chat is not None:
            chat.model = change["new"]


def describe_error(exc: BaseException) -> str:
    """One readable line for the widget, e.g. ``404 NOT_FOUND: models/x is not found…``."""
    if isinstance(exc, APIStatusError):
        return str(exc)
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def static_html(model: str, messages: list[dict[str, Any]]) -> str:
    """The conversation as it stands, as sanitized HTML: the widget's static fallback.

    Built again from each message's text (never from its ``html``, which the browser could
    have changed): the user's words escaped, the model's Markdown through the sanitizer.
    """
    turns = []
    for message in messages:
        text = str(message.get("text") or "")
        if message.get("role") == "user":
            who, body = "You", _text_html(text)
        else:
            who, body = html.escape(model), _markdown_html(text)
        notes = [html.escape(str(message["error"]))] if message.get("error") else []
        if message.get("state") == "stopped":
            notes.append("stopped")
        note = f'<div style="color:#a94442">{" · ".join(notes)}</div>' if notes else ""
        turns.append(
            f'<div class="gnb-chat-turn" style="margin:6px 0"><b>{who}</b>{body}{note}</div>'
        )
    n = len(messages)
    count = f"{n} message{'' if n == 1 else 's'}" if n else "no messages yet"
    return (
        '<div class="gnb-chat-static" style="border:1px solid #ccc;border-radius:6px;'
        'padding:4px 10px;max-width:48em">'
        f'<div style="color:#666;font-size:90%">Chat with {html.escape(model)} · {count} '
        "(a saved view: the chat box needs a running kernel)</div>"
        f"{''.join(turns)}</div>"
    )


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def _kernel_loop() -> asyncio.AbstractEventLoop:
    # In a kernel, cells run on its (running) main event loop.
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            return asyncio.get_event_loop()


def _chat_config(config: Any, system_instruction: Any) -> GenerateContentConfig | None:
    cfg = coerce_config(config)
    if system_instruction is None:
        return cfg
    fields = {} if cfg is None else {k: getattr(cfg, k) for k in cfg.model_fields_set}
    fields["system_instruction"] = system_instruction
    return GenerateContentConfig(**fields)


def _messages_from_history(history: list[Content]) -> list[dict[str, Any]]:
    out = []
    for content in history:
        text = content.text
        if not text:
            continue  # function calls and their results have no bubble
        role = "user" if content.role == "user" else "model"
        rendered = _text_html(text) if role == "user" else _markdown_html(text)
        out.append({"role": role, "text": text, "html": rendered, "usage": None, "state": "done"})
    return out


def _usage_dict(usage: UsageMetadata | None) -> dict[str, int] | None:
    if usage is None:
        return None
    return {
        "input": usage.prompt_token_count or 0,
        "output": usage.candidates_token_count or 0,
        "thoughts": usage.thoughts_token_count or 0,
        "total": usage.total_token_count or 0,
    }


def _text_html(text: str) -> str:
    # The user's words, escaped: for readers of ``messages``; the browser inserts them as text.
    return f"<p>{html.escape(text)}</p>"


def _markdown_html(text: str) -> str:
    from ..display import markdown_to_html

    return markdown_to_html(text) if text else ""
