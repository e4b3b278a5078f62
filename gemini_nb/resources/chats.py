"""``client.chats``: multi-turn conversations whose history is kept on the client side.

Each message posts the whole history plus the new user turn. The *comprehensive* history
keeps every turn; the *curated* one (what is sent) drops a user turn whose answer was empty or
blocked, so one failed turn does not poison the conversation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._convert import coerce_config, to_contents
from .._streaming import AsyncStream, Stream
from ..types import Content, GenerateContentConfig, GenerateContentResponse
from .models import generate_op, open_stream

if TYPE_CHECKING:
    from .._client import AsyncClient, Client

__all__ = ["AsyncChat", "AsyncChats", "Chat", "Chats"]


def _valid_answer(content: Content) -> bool:
    return bool(content.parts) and all(
        p.kind != "empty" or p.thought_signature for p in content.parts
    )


def curate(history: list[Content]) -> list[Content]:
    """Drop each user turn (with its answers) whose model answer is missing or empty."""
    out: list[Content] = []
    i = 0
    while i < len(history):
        if history[i].role != "user":
            out.append(history[i])
            i += 1
            continue
        j = i + 1
        while j < len(history) and history[j].role != "user":
            j += 1
        answers = history[i + 1 : j]
        # A user turn holding function responses belongs to the model turn before it.
        if answers and all(_valid_answer(c) for c in answers):
            out.extend(history[i:j])
        elif not answers and j == len(history) and _is_tool_reply(history[i]):
            out.append(history[i])
        i = j
    return out


def _is_tool_reply(content: Content) -> bool:
    return bool(content.parts) and all(p.function_response is not None for p in content.parts)


class _ChatState:
    """The history bookkeeping both chat shells share."""

    def __init__(self, model: str, config: Any, history: list[Any] | None) -> None:
        self.model = model
        self.config = coerce_config(config)
        self._history: list[Content] = [
            h if isinstance(h, Content) else Content.model_validate(h) for h in history or []
        ]

    @property
    def history(self) -> list[Content]:
        """Every turn so far (a copy)."""
        return list(self._history)

    @property
    def curated_history(self) -> list[Content]:
        """The turns sent with the next message: failed turns left out."""
        return curate(self._history)

    def get_history(self, curated: bool = False) -> list[Content]:
        return self.curated_history if curated else self.history

    def reset(self) -> None:
        self._history.clear()

    def _prepare(self, message: Any, config: Any) -> tuple[list[Content], list[Any], Any]:
        user_turns = [Content.model_validate(c) for c in to_contents(message)]
        contents = [*self.curated_history, *user_turns]
        return user_turns, contents, self._merged_config(config)

    def _merged_config(self, config: Any) -> GenerateContentConfig | None:
        override = coerce_config(config)
        if override is None:
            return self.config
        if self.config is None:
            return override
        fields = {k: getattr(self.config, k) for k in self.config.model_fields_set}
        fields.update({k: getattr(override, k) for k in override.model_fields_set})
        return GenerateContentConfig(**fields)

    def _record(
        self, user_turns: list[Content], sent: int, response: GenerateContentResponse
    ) -> None:
        self._history.extend(user_turns)
        afc = response.automatic_function_calling_history
        if afc:
            # The function calls and their results come after the contents that were sent.
            self._history.extend(afc[sent:])
        content = response.candidates[0].content if response.candidates else None
        self._history.append(content if content is not None else Content(role="model", parts=[]))

    def __repr__(self) -> str:
        return f"{type(self).__name__}(model={self.model!r}, turns={len(self._history)})"


class Chat(_ChatState):
    """A conversation. ``send_message`` returns the answer and records both turns."""

    def __init__(self, client: Client, model: str, config: Any, history: list[Any] | None):
        super().__init__(model, config, history)
        self._client = client

    def send_message(self, message: Any, config: Any = None) -> GenerateContentResponse:
        user_turns, contents, cfg = self._prepare(message, config)
        response = self._client._run(generate_op(self.model, contents, cfg))
        self._record(user_turns, len(contents), response)
        return response

    def send_message_stream(self, message: Any, config: Any = None) -> Stream:
        """Stream the answer; it is recorded in the history once the stream completes."""
        user_turns, contents, cfg = self._prepare(message, config)
        stream = Stream(self._client, *open_stream(self.model, contents, cfg))
        stream._on_final = lambda final: self._record(user_turns, len(contents), final)
        return stream


class AsyncChat(_ChatState):
    """The async twin of :class:`Chat`."""

    def __init__(self, client: AsyncClient, model: str, config: Any, history: list[Any] | None):
        super().__init__(model, config, history)
        self._client = client

    async def send_message(self, message: Any, config: Any = None) -> GenerateContentResponse:
        user_turns, contents, cfg = self._prepare(message, config)
        response = await self._client._run(generate_op(self.model, contents, cfg))
        self._record(user_turns, len(contents), response)
        return response

    def send_message_stream(self, message: Any, config: Any = None) -> AsyncStream:
        user_turns, contents, cfg = self._prepare(message, config)
        stream = AsyncStream(self._client, *open_stream(self.model, contents, cfg))
        stream._on_final = lambda final: self._record(user_turns, len(contents), final)
        return stream


class Chats:
    def __init__(self, client: Client) -> None:
        self._client = client

    def create(self, *, model: str, config: Any = None, history: list[Any] | None = None) -> Chat:
        """Start a conversation, optionally from an earlier ``history``."""
        return Chat(self._client, model, config, history)


class AsyncChats:
    def __init__(self, client: AsyncClient) -> None:
        self._client = client

    def create(
        self, *, model: str, config: Any = None, history: list[Any] | None = None
    ) -> AsyncChat:
        return AsyncChat(self._client, model, config, history)
