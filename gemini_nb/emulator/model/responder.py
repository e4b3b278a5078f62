"""Who words the answers: the one interface between the model and its prose.

:func:`~gemini_nb.emulator.model.generate.generate` decides everything a response is made of
(candidates, thoughts and their token counts, tool turns, schemas, media, finish reasons and
usage). Only the words come from a :class:`Responder`: given the :class:`Conversation` (the
prompt, the turns before it, the system instruction), it returns a :class:`Reply` whose
methods give the answer text, the thought summary, the line that comes with a generated
image, a JSON value when no schema is given, an enum pick and the values that fill a response
schema. A :class:`Voice` (a hash of the request and its sampling settings, shifted per
candidate) chooses among equivalent wordings, so the same request always reads the same.

The default is the emulator's own frozen prose (:func:`prose_responder`, the only place the
model reaches into ``prose/``); a test or a demo passes ``responder=`` to ``generate`` to get
exactly the words it wants::

    class Echo:  # a Responder
        def read(self, conversation: Conversation) -> EchoReply:
            return EchoReply(conversation.prompt)  # a Reply: .text(voice), .thoughts(...)...

    generate(request, model, responder=Echo())
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from .hashing import digest_int

if TYPE_CHECKING:
    from .structured.instances import ValueSource

__all__ = ["Conversation", "Reply", "Responder", "Voice", "prose_responder", "read_conversation"]

_TRIGGER_RE = re.compile(r"\[emulator:(block|safety|recitation)\]", re.IGNORECASE)


@dataclass(frozen=True)
class Voice:
    """Deterministic wording choices; ``candidate`` shifts every choice so candidates differ."""

    key: bytes
    candidate: int = 0

    def pick(self, options: Sequence[str], slot: str) -> str:
        return options[(digest_int(self.key, slot) + self.candidate) % len(options)]

    def number(self, slot: str, n: int) -> int:
        return (digest_int(self.key, slot) + self.candidate) % max(1, n)


@dataclass(frozen=True)
class Conversation:
    """A GenerateContentRequest as the model reads it."""

    prompt: str  # the last user turn's text, test triggers taken out
    parts: tuple[dict[str, Any], ...]  # that turn's parts (media, function responses...)
    history: tuple[tuple[str, str], ...]  # earlier (role, text) turns
    system_text: str
    triggers: frozenset[str]  # "block", "safety", "recitation" (see generate's docstring)


def _text_of(content: dict[str, Any]) -> str:
    return "\n".join(
        str(p.get("text") or "")
        for p in content.get("parts") or []
        if "text" in p and p.get("thought") is not True
    ).strip()


def read_conversation(request: dict[str, Any]) -> Conversation:
    """The last user turn (role missing counts as user), the turns before it, the system text."""
    contents = [c for c in request.get("contents") or [] if isinstance(c, dict)]
    last_user = next(
        (i for i in range(len(contents) - 1, -1, -1) if contents[i].get("role", "user") != "model"),
        None,
    )
    last = contents[last_user] if last_user is not None else {"parts": []}
    raw_prompt = _text_of(last)
    history = tuple(
        (str(c.get("role", "user")), _text_of(c))
        for i, c in enumerate(contents)
        if last_user is None or i < last_user
    )
    system = request.get("systemInstruction") or {}
    return Conversation(
        prompt=_TRIGGER_RE.sub("", raw_prompt).strip(),
        parts=tuple(last.get("parts") or ()),
        history=history,
        system_text=_text_of(system) if isinstance(system, dict) else "",
        triggers=frozenset(t.lower() for t in _TRIGGER_RE.findall(raw_prompt)),
    )


class Reply(Protocol):
    """What a Responder says to one request; the Voice picks the wording per candidate."""

    @property
    def task(self) -> str:
        """The kind of request ("greeting", "code", "list"...): how long a thinking model thinks."""
        ...

    def text(self, voice: Voice) -> str:
        """The answer, in Markdown."""
        ...

    def thoughts(self, detailed: bool) -> str:
        """A thought summary (``includeThoughts``); ``detailed`` when the model thought longer."""
        ...

    def caption(self, voice: Voice) -> str:
        """The line of text that comes with a generated image."""
        ...

    def json(self, voice: Voice) -> Any:
        """A JSON value for ``application/json`` without a schema."""
        ...

    def enum(self, options: Sequence[Any], voice: Voice) -> Any:
        """One of ``options`` (``text/x.enum``)."""
        ...

    def values(self, voice: Voice) -> ValueSource | None:
        """Values for a response schema's fields (None: plausible values throughout)."""
        ...


class Responder(Protocol):
    """Words the model's free-text answers."""

    def read(self, conversation: Conversation) -> Reply: ...


@functools.cache
def prose_responder() -> Responder:
    """The emulator's own prose (frozen): the default Responder."""
    from ..prose import ProseResponder  # the model's only import from prose/

    return ProseResponder()
