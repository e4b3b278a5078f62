"""The emulator's own prose as a :class:`~..model.responder.Responder`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..model.responder import Conversation, Voice
from .analysis import Analysis, analyse
from .example_json import example_answer, example_value
from .text import compose_answer, compose_thoughts, free_json, pick_enum
from .values import PromptValues

__all__ = ["ProseReply", "ProseResponder"]


@dataclass(frozen=True)
class ProseReply:
    """The prose's answers to one analysed request."""

    analysis: Analysis

    @property
    def task(self) -> str:
        return self.analysis.intent.kind

    def text(self, voice: Voice) -> str:
        return example_answer(self.analysis, voice) or compose_answer(self.analysis, voice)

    def thoughts(self, detailed: bool) -> str:
        return compose_thoughts(self.analysis, detailed=detailed)

    def caption(self, voice: Voice) -> str:
        topic = self.analysis.topic
        return voice.pick(
            (
                f"Here is an image of {topic} for you!",
                f"Here's {topic}, as requested:",
                f"I've created an image of {topic}.",
                f"Here's my take on {topic}:",
            ),
            "image",
        )

    def json(self, voice: Voice) -> Any:
        return example_value(self.analysis, voice) or free_json(self.analysis, voice)

    def enum(self, options: Sequence[Any], voice: Voice) -> Any:
        return pick_enum(options, self.analysis.prompt, voice)

    def values(self, voice: Voice) -> PromptValues:
        return PromptValues(self.analysis, voice)


class ProseResponder:
    """Reads the conversation once per request (:func:`.analysis.analyse`), then words it."""

    def read(self, conversation: Conversation) -> ProseReply:
        return ProseReply(analyse(conversation))
