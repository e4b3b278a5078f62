"""How to generate: the request-side configuration of generateContent."""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict, Field

from ._base import WireModel
from .caches import CachedContent
from .content import Content, Part
from .http import HttpOptions
from .tools import Schema, ToolConfig

__all__ = [
    "AutomaticFunctionCallingConfig",
    "GenerateContentConfig",
    "GenerationConfig",
    "HttpOptions",
    "ImageConfig",
    "MultiSpeakerVoiceConfig",
    "PrebuiltVoiceConfig",
    "SafetySetting",
    "SpeakerVoiceConfig",
    "SpeechConfig",
    "ThinkingConfig",
    "VoiceConfig",
]


class ThinkingConfig(WireModel):
    """``include_thoughts`` returns thought summaries; budget 0 turns thinking off where allowed."""

    include_thoughts: bool | None = None
    thinking_budget: int | None = None
    thinking_level: str | None = None


class PrebuiltVoiceConfig(WireModel):
    voice_name: str


class VoiceConfig(WireModel):
    prebuilt_voice_config: PrebuiltVoiceConfig | None = None


class SpeakerVoiceConfig(WireModel):
    speaker: str
    voice_config: VoiceConfig


class MultiSpeakerVoiceConfig(WireModel):
    speaker_voice_configs: list[SpeakerVoiceConfig]


class SpeechConfig(WireModel):
    voice_config: VoiceConfig | None = None
    multi_speaker_voice_config: MultiSpeakerVoiceConfig | None = None
    language_code: str | None = None


class ImageConfig(WireModel):
    aspect_ratio: str | None = None
    image_size: str | None = None


class SafetySetting(WireModel):
    category: str
    threshold: str


class GenerationConfig(WireModel):
    """The wire ``generationConfig`` object."""

    temperature: float | None = None
    top_p: float | None = None
    top_k: int | None = None
    candidate_count: int | None = None
    max_output_tokens: int | None = None
    stop_sequences: list[str] | None = None
    presence_penalty: float | None = None
    frequency_penalty: float | None = None
    seed: int | None = None
    response_logprobs: bool | None = None
    logprobs: int | None = None
    response_mime_type: str | None = None
    response_schema: Schema | None = None
    response_json_schema: Any = None
    response_modalities: list[str] | None = None
    media_resolution: str | None = None
    speech_config: SpeechConfig | None = None
    thinking_config: ThinkingConfig | None = None
    image_config: ImageConfig | None = None
    enable_affective_dialog: bool | None = None
    enable_enhanced_civic_answers: bool | None = None


class AutomaticFunctionCallingConfig(WireModel):
    """Automatic function calling, per call: on when Python callables are given as tools.

    ``maximum_remote_calls`` bounds the model calls of one request (default 10); on the last
    allowed call the model's function calls are returned to you instead of being run.
    """

    disable: bool = False
    maximum_remote_calls: int = Field(default=10, ge=0)
    timeout: float | None = Field(default=60.0, gt=0)


class GenerateContentConfig(WireModel):
    """Everything optional about a generateContent call, flat, as one object or a dict.

    >>> GenerateContentConfig(temperature=0.2, system_instruction="Be brief.")  # doctest: +SKIP
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    system_instruction: str | Content | list[Part | str] | None = None
    temperature: float | None = None
    top_p: float | None = None
    top_k: int | None = None
    candidate_count: int | None = None
    max_output_tokens: int | None = None
    stop_sequences: list[str] | None = None
    presence_penalty: float | None = None
    frequency_penalty: float | None = None
    seed: int | None = None
    response_logprobs: bool | None = None
    logprobs: int | None = None
    response_mime_type: str | None = None
    response_schema: Any = None
    response_json_schema: Any = None
    response_modalities: list[str] | None = None
    media_resolution: str | None = None
    speech_config: str | SpeechConfig | None = None
    thinking_config: ThinkingConfig | None = None
    image_config: ImageConfig | None = None
    safety_settings: list[SafetySetting] | None = None
    tools: list[Any] | None = None
    tool_config: ToolConfig | None = None
    cached_content: str | CachedContent | None = None
    labels: dict[str, str] | None = None
    service_tier: str | None = None
    automatic_function_calling: AutomaticFunctionCallingConfig | None = None
    http_options: HttpOptions | None = None
