"""Rich display of answers and errors in notebooks, and progressive display of streams.

Every answer is shown three ways (a mimebundle): ``text/plain`` for terminals, ``text/html``
(sanitized, one ``<div class="gemini-nb-response">``) and ``text/markdown`` (safe even where
raw HTML in Markdown is rendered). ``GenerateContentResponse`` and ``Stream`` use these
functions for their ``_repr_mimebundle_``, so a response as a cell's last expression just
displays.

>>> from gemini_nb.notebook.display import display_stream
>>> answer = display_stream(client.models.generate_content_stream(model=m, contents="Hi"))  # doctest: +SKIP

Without the optional nh3 and markdown-it-py packages the HTML is the plain text in a
``<pre>``: nothing unsanitized is ever emitted.
"""

from __future__ import annotations

import contextvars
import html
import json
import math
import threading
import time
from collections.abc import AsyncIterable, Callable, Iterable
from typing import TYPE_CHECKING, Any, Protocol

from . import _render_response
from ._render_code import COPY_SCRIPT, highlight
from ._render_markdown import fence, have_renderers, markdown_to_html
from ._render_media import MediaSettings, media_settings
from ._render_notes import error_info
from ._render_response import Block, cost_text, md_text, note_block, plain_text, response_blocks
from ._render_safe_markdown import safe_markdown
from ._render_style import CSS

if TYPE_CHECKING:
    from ..types import GenerateContentResponse, UsageMetadata

__all__ = [
    "MediaSettings",
    "adisplay_stream",
    "display_stream",
    "error_bundle",
    "footer_bundle",
    "json_bundle",
    "markdown_to_html",
    "media_settings",
    "response_bundle",
    "safe_markdown",
    "stream_bundle",
    "waiting_bundle",
]

# At most this many display updates per second while a stream arrives.
UPDATES_PER_SECOND = 15
# A waiting line appears when nothing has arrived after this many seconds and counts the
# seconds until the answer replaces it. A quick answer does not flash one, and stored
# notebooks stay reproducible: nbval compares a cell's first display (it ignores updates), so a
# waiting line may only show where an answer takes longer than the emulator's ever do.
WAIT_AFTER = 1.0
WAIT_TICK = 1.0
_clock: Callable[[], float] = time.monotonic


class _Merger(Protocol):
    def add(self, chunk: GenerateContentResponse) -> None: ...

    def result(self) -> GenerateContentResponse: ...


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _wrap_html(body: str, extra_class: str = "") -> str:
    # "gnb" is the short class the stylesheet is scoped with (see _render_style).
    cls = "gemini-nb-response gnb" + (f" {extra_class}" if extra_class else "")
    script = COPY_SCRIPT if "<pre><code" in body else ""
    return f'<div class="{cls}"><style>{CSS}</style>{body}{script}</div>'


def _join_plain(blocks: list[Block]) -> str:
    out: list[str] = []
    prev: Block | None = None
    for b in blocks:
        if not b.plain:
            continue
        if prev is not None:
            out.append("\n" if b.line and prev.line else "\n\n")
        out.append(b.plain)
        prev = b
    return "".join(out)


def _footer(
    response: GenerateContentResponse | None,
    model: str | None,
    streaming: bool,
    status: str | None = None,
) -> Block | None:
    items: list[str] = []
    name = model or (response.model_version if response is not None else None)
    if name:
        items.append(str(name))
    usage = response.usage_metadata if response is not None else None
    items += _usage_items(usage)
    cost = cost_text(str(name) if name else None, usage)
    if cost:
        items.append(cost)
    if streaming:
        items.append("…")
    if status:
        items.append(status)
    if not items:
        return None
    text = " · ".join(items)
    return Block(
        plain=plain_text(text),
        md=f"*{md_text(text)}*",
        html=f'<div class="gnb-footer">{_esc(text)}</div>',
    )


def _usage_items(usage: UsageMetadata | None) -> list[str]:
    if usage is None:
        return []
    fields = (
        (usage.prompt_token_count, "in"),
        (usage.candidates_token_count, "out"),
        (usage.cached_content_token_count, "cached"),
        (usage.thoughts_token_count, "thinking"),
        (usage.tool_use_prompt_token_count, "tool"),
    )
    return [f"{n:,} {label}" for n, label in fields if isinstance(n, int) and n > 0]


def _bundle(blocks: list[Block], *, extra_class: str = "") -> dict[str, str]:
    plain = _join_plain(blocks)
    if not have_renderers():
        return {
            "text/plain": plain,
            "text/html": _wrap_html(f'<pre class="gnb-plain">{_esc(plain)}</pre>', extra_class),
        }
    return {
        "text/plain": plain,
        "text/markdown": "\n\n".join(b.md for b in blocks if b.md),
        "text/html": _wrap_html("".join(b.html for b in blocks), extra_class),
    }


def _error_block(err: BaseException) -> Block:
    info = error_info(err)
    details = [info.hint, f"request id: {info.request_id}" if info.request_id else ""]
    return note_block(
        info.title, info.message or "(no message)", details=details, css="gnb-note gnb-error"
    )


def _render(
    response: GenerateContentResponse | None,
    *,
    model: str | None,
    streaming: bool,
    error: BaseException | None = None,
    status: str | None = None,
) -> dict[str, str]:
    try:
        unfinished = streaming or error is not None or status is not None
        blocks = response_blocks(response, streaming=unfinished) if response is not None else []
        if error is not None:
            blocks.append(_error_block(error))
        footer = _footer(response, model, streaming, status)
        if footer is not None:
            blocks.append(footer)
        return _bundle(blocks)
    except Exception:
        if _render_response.STRICT:
            raise
        # Last resort: never let a display fail the cell that produced the answer.
        text = (response.text if response is not None else "") or "(response could not be shown)"
        return {
            "text/plain": plain_text(text),
            "text/html": _wrap_html(f'<pre class="gnb-plain">{_esc(text)}</pre>'),
        }


def response_bundle(
    response: GenerateContentResponse, *, model: str | None = None, streaming: bool = False
) -> dict[str, str]:
    """The mimebundle for an answer: text/plain, text/markdown and text/html.

    ``model`` names the model in the footer (else ``response.model_version``);
    ``streaming=True`` adds a "…" marker that more is coming. Never raises.

    >>> from IPython.display import display  # doctest: +SKIP
    >>> display(response_bundle(answer, model="gemini-2.5-flash"), raw=True)  # doctest: +SKIP
    """
    return _render(response, model=model, streaming=streaming)


def error_bundle(err: BaseException) -> dict[str, str]:
    """A failed call as a short note: class, status, server message, hint, request id.

    No traceback, and nothing that looks like an API key.
    """
    try:
        block = _error_block(err)
    except Exception:
        block = Block(
            plain=type(err).__name__, md="", html=f"<div>{_esc(type(err).__name__)}</div>"
        )
    return {"text/plain": block.plain, "text/html": _wrap_html(block.html, "gemini-nb-error")}


def stream_bundle(
    final: GenerateContentResponse | None, *, asynchronous: bool = False, model: str | None = None
) -> dict[str, str]:
    """The mimebundle of a stream object: its answer once consumed, else a one-line hint."""
    if final is not None:
        return response_bundle(final, model=model)
    if asynchronous:
        text = (
            "<AsyncStream: not consumed yet; `await adisplay_stream(stream)` shows it as "
            "it arrives, or `await stream.get_final_response()`>"
        )
    else:
        text = (
            "<Stream: not consumed yet; display it (last expression of a cell), iterate it, "
            "or call .get_final_response()>"
        )
    return {"text/plain": text, "text/html": f"<code>{_esc(text)}</code>"}


def waiting_bundle(model: str | None, seconds: float) -> dict[str, str]:
    """The line shown until the first part of an answer arrives, with the seconds waited."""
    waited = int(seconds)
    text = f"Waiting for {model or 'the model'}…" + (f" {waited} s" if waited else "")
    return {
        "text/plain": text,
        "text/html": _wrap_html(f'<div class="gnb-waiting">{_esc(text)}</div>'),
    }


def status_bundle(model: str | None, status: str) -> dict[str, str]:
    """One quiet line where an answer would have been (``gemini-2.5-flash · stopped …``)."""
    text = " · ".join(x for x in (model, status) if x)
    return {
        "text/plain": text,
        "text/html": _wrap_html(f'<div class="gnb-footer">{_esc(text)}</div>'),
    }


def footer_bundle(
    response: GenerateContentResponse | None, *, model: str | None = None
) -> dict[str, str]:
    """Only the answer's footer (model, tokens): for an answer shown another way."""
    footer = _footer(response, model, streaming=False)
    return _bundle([footer]) if footer is not None else {"text/plain": ""}


def json_bundle(
    value: Any, response: GenerateContentResponse | None = None, *, model: str | None = None
) -> dict[str, str]:
    """A parsed JSON answer: indented, highlighted, with the answer's usage footer.

    >>> json_bundle({"a": 1})["text/plain"]
    '{\\n  "a": 1\\n}'
    """
    try:
        text = json.dumps(value, indent=2, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        text = repr(value)
    blocks = [
        Block(
            plain=plain_text(text),
            md=fence(text, "json"),
            html=(
                '<div class="gnb-part gnb-json"><pre><code class="language-json">'
                f"{highlight(text, 'json') or _esc(text)}</code></pre></div>"
            ),
        )
    ]
    footer = _footer(response, model, streaming=False)
    if footer is not None:
        blocks.append(footer)
    return _bundle(blocks)


# --------------------------------------------------------------------------------------------
# Progressive display


def _mode() -> str:
    """ "live" in a Jupyter kernel (display updates work), "once" in terminal IPython (an update
    would print the whole answer again), "print" outside IPython."""
    try:
        from IPython import get_ipython
    except ImportError:
        return "print"
    ip = get_ipython()
    if ip is None:
        return "print"
    return "live" if getattr(ip, "kernel", None) is not None else "once"


class LiveDisplay:
    """One display output that follows one answer.

    ``wait()`` shows a waiting line once nothing has arrived for :data:`WAIT_AFTER` seconds and
    counts the seconds (from a background thread); ``chunk()`` shows the answer so far, at
    most :data:`UPDATES_PER_SECOND` times a second; ``finish()``/``show()`` leave the final
    state; ``fail()`` leaves what arrived. All of them update the same output in place. In
    terminal IPython only the final state is displayed, outside IPython it is printed.

    ``notes=False`` (the magics) keeps errors out of the display: the failed cell's own error
    output says what went wrong, and the display only says that the answer stopped.
    """

    def __init__(
        self, model: str | None, display_id: str | None = None, *, notes: bool = True
    ) -> None:
        self.model = model
        self.display_id = display_id
        self.notes = notes
        self.mode = _mode()
        self.handle: Any = None
        self.last = -math.inf
        self.started = time.monotonic()
        self._lock = threading.Lock()
        self._answered = threading.Event()  # set once the waiting line must not show again
        self._failed = False

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def wait(self) -> None:
        """Start the waiting line (in a Jupyter kernel only)."""
        if self.mode != "live" or self._answered.is_set():
            return
        # The thread's display messages must belong to this cell: run it in our context.
        context = contextvars.copy_context()
        threading.Thread(
            target=context.run, args=(self._tick,), daemon=True, name="gemini-nb-waiting"
        ).start()

    def _tick(self) -> None:
        delay = WAIT_AFTER
        while not self._answered.wait(delay):
            with self._lock:
                if self._answered.is_set():
                    return
                try:
                    self._put(waiting_bundle(self.model, self.elapsed))
                except Exception:
                    return  # a display that fails here must not kill anything else
            delay = WAIT_TICK - self.elapsed % WAIT_TICK

    def close(self) -> None:
        """Stop the waiting line (idempotent); what is shown stays."""
        self._answered.set()

    def chunk(self, partial: Callable[[], GenerateContentResponse]) -> None:
        if self.mode != "live":
            return
        now = _clock()
        if (
            self.handle is not None
            and self._answered.is_set()
            and now - self.last < 1.0 / UPDATES_PER_SECOND
        ):
            return
        self.last = now
        self._show(response_bundle(partial(), model=self.model, streaming=True))

    def finish(self, final: GenerateContentResponse | None) -> None:
        from ..types import GenerateContentResponse

        self._show(
            response_bundle(
                final if final is not None else GenerateContentResponse(), model=self.model
            )
        )

    def show(self, bundle: dict[str, str]) -> None:
        """Leave ``bundle`` as the final state (the JSON view of an answer, say)."""
        self._show(bundle)

    def fail(
        self, partial: Callable[[], GenerateContentResponse | None], err: BaseException
    ) -> None:
        # Called while an exception propagates: a problem here must not replace it. The first
        # call wins (an inner layer that saw the partial answer knows best).
        if self._failed:
            return
        self._failed = True
        try:
            got = partial()
            interrupted = isinstance(err, KeyboardInterrupt)
            if self.notes:
                if got is not None and got.candidates:
                    self._show(_render(got, model=self.model, streaming=False, error=err))
                else:
                    self._show(error_bundle(err))
                return
            status = f"{'stopped' if interrupted else 'failed'} after {self.elapsed:.1f} s"
            if got is not None and got.candidates:
                self._show(_render(got, model=self.model, streaming=False, status=status))
            elif self.handle is not None:
                self._show(status_bundle(self.model, f"no answer, {status}"))
            else:
                self.close()  # nothing was shown: the error output says it all
        except Exception:
            self.close()
            if _render_response.STRICT:
                raise

    def _show(self, bundle: dict[str, str]) -> None:
        self._answered.set()
        with self._lock:
            self._put(bundle)

    def _put(self, bundle: dict[str, str]) -> None:
        if self.mode == "print":
            print(bundle["text/plain"])
            return
        import IPython.display as ipd

        if self.handle is None:
            self.handle = ipd.display(bundle, raw=True, display_id=self.display_id or True)
        else:
            self.handle.update(bundle, raw=True)


# The former name, kept for code that imported it.
_LiveDisplay = LiveDisplay


def follow_stream(
    stream: Iterable[GenerateContentResponse], live: LiveDisplay, merger: _Merger | None = None
) -> GenerateContentResponse | None:
    """Iterate ``stream`` into ``live`` and return the merged answer (None if it was empty).

    On failure (an interrupt too) ``live.fail`` shows what arrived and the error propagates.
    """
    from .._streaming import ChunkMerger, Stream

    if isinstance(stream, Stream):
        try:
            for _ in stream:
                live.chunk(lambda: stream.partial)
            return stream.get_final_response()
        except BaseException as exc:
            live.fail(lambda: stream.partial, exc)
            raise
    m: _Merger = merger if merger is not None else ChunkMerger()
    got = 0
    try:
        for chunk in stream:
            m.add(chunk)
            got += 1
            live.chunk(m.result)
        return m.result() if got else None
    except BaseException as exc:
        live.fail(lambda: m.result() if got else None, exc)
        raise


def display_stream(
    stream: Iterable[GenerateContentResponse],
    *,
    model: str | None = None,
    merger: _Merger | None = None,
    display_id: str | None = None,
) -> GenerateContentResponse | None:
    """Show a streamed answer as it arrives and return the merged final response.

    A waiting line shows until the first chunk; then the display shows everything received
    so far (throttled). If the stream fails, the display keeps what arrived plus an error
    note, and the error is re-raised. ``display_id`` names the display output (default: a
    fresh id); ``merger`` replaces the :class:`~gemini_nb._streaming.ChunkMerger` used for
    plain iterables (a ``Stream`` merges for itself).

    >>> answer = display_stream(chat.send_message_stream("Hi"), model="gemini-2.5-flash")  # doctest: +SKIP
    """
    live = LiveDisplay(model, display_id)
    live.wait()
    try:
        final = follow_stream(stream, live, merger)
    finally:
        live.close()
    live.finish(final)
    return final


async def adisplay_stream(
    stream: AsyncIterable[GenerateContentResponse],
    *,
    model: str | None = None,
    merger: _Merger | None = None,
    display_id: str | None = None,
) -> GenerateContentResponse | None:
    """The async twin of :func:`display_stream` (for ``AsyncStream`` and async iterables).

    >>> answer = await adisplay_stream(await aclient.models.generate_content_stream(model=m, contents="Hi"))  # doctest: +SKIP
    """
    from .._streaming import AsyncStream, ChunkMerger

    live = LiveDisplay(model, display_id)
    live.wait()
    try:
        if isinstance(stream, AsyncStream):
            try:
                async for _ in stream:
                    live.chunk(lambda: stream.partial)
                final: GenerateContentResponse | None = await stream.get_final_response()
            except BaseException as exc:
                live.fail(lambda: stream.partial, exc)
                raise
        else:
            m: _Merger = merger if merger is not None else ChunkMerger()
            got = 0
            try:
                async for chunk in stream:
                    m.add(chunk)
                    got += 1
                    live.chunk(m.result)
                final = m.result() if got else None
            except BaseException as exc:
                live.fail(lambda: m.result() if got else None, exc)
                raise
    finally:
        live.close()
    live.finish(final)
    return final
