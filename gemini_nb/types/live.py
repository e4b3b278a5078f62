"""The Live API's messages: the session's configuration, what the server sends, and the
events a session adds of its own.

Field names are google-genai's (``LiveConnectConfig``, ``LiveServerMessage``, …); on the wire
they are the camelCase of ``BidiGenerateContentSetup`` and ``BidiGenerateContentServerMessage``.
What you build is checked strictly (an unknown field is an error before anything is sent); what
the server sends is read tolerantly (unknown fields and message types are kept, never fatal).

>>> config = LiveConnectConfig(response_modalities=["AUDIO"], output_audio_transcription={})
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BeforeValidator, ConfigDict

from ._base import WireModel
from .content import Content, FunctionCall, FunctionResponse, Part
from .generation import (
    AutomaticFunctionCallingConfig,
    GenerationConfig,
    SafetySetting,
    SpeechConfig,
    ThinkingConfig,
)
from .http import HttpOptions
from .responses import GroundingMetadata, ModalityTokenCount, UrlContextMetadata

__all__ = [
    "AudioTranscriptionConfig",
    "AutomaticActivityDetection",
    "ContextWindowCompressionConfig",
    "HistoryConfig",
    "LiveConnectConfig",
    "LiveReconnect",
    "LiveServerContent",
    "LiveServerGoAway",
    "LiveServerMessage",
    "LiveServerSessionResumptionUpdate",
    "LiveServerSetupComplete",
    "LiveServerToolCall",
    "LiveServerToolCallCancellation",
    "LiveUsageMetadata",
    "ProactivityConfig",
    "RealtimeInputConfig",
    "SessionResumptionConfig",
    "SlidingWindow",
    "Transcription",
    "VoiceActivity",
    "VoiceActivityDetectionSignal",
]


# ------------------------------------------------------------------ the session's setup


class SessionResumptionConfig(WireModel):
    """``handle``: resume the session a ``session_resumption_update`` named (None: a new one)."""

    handle: str | None = None


class AutomaticActivityDetection(WireModel):
    """Server-side voice activity detection; ``disabled=True`` means you send
    ``activity_start`` / ``activity_end`` yourself."""

    disabled: bool | None = None
    start_of_speech_sensitivity: str | None = None  # START_SENSITIVITY_HIGH / _LOW
    end_of_speech_sensitivity: str | None = None  # END_SENSITIVITY_HIGH / _LOW
    prefix_padding_ms: int | None = None
    silence_duration_ms: int | None = None


class RealtimeInputConfig(WireModel):
    automatic_activity_detection: AutomaticActivityDetection | None = None
    activity_handling: str | None = None  # START_OF_ACTIVITY_INTERRUPTS / NO_INTERRUPTION
    turn_coverage: str | None = None  # TURN_INCLUDES_ONLY_ACTIVITY / TURN_INCLUDES_ALL_INPUT


class SlidingWindow(WireModel):
    target_tokens: int | None = None


class ContextWindowCompressionConfig(WireModel):
    """Drop the oldest turns once the context reaches ``trigger_tokens`` (keeps sessions long)."""

    trigger_tokens: int | None = None
    sliding_window: SlidingWindow | None = None


class AudioTranscriptionConfig(WireModel):
    """Transcribe the audio in (``input_audio_transcription``) or out; ``{}`` turns it on."""

    language_codes: list[str] | None = None
    language_auto: Any = None
    language_hints: Any = None
    custom_vocabulary: list[str] | None = None
    adaptation_phrases: list[str] | None = None
    word_timestamp: bool | None = None
    diarization: bool | None = None
    mode: str | None = None


class ProactivityConfig(WireModel):
    proactive_audio: bool | None = None


class HistoryConfig(WireModel):
    initial_history_in_client_content: bool | None = None


def _upper_modalities(value: Any) -> Any:
    if isinstance(value, list):
        return [v.upper() if isinstance(v, str) else v for v in value]
    return value


class LiveConnectConfig(WireModel):
    """Everything optional about a Live session, flat, as one object or a dict.

    The generation settings (``response_modalities``, ``temperature``, ``speech_config``, …) go
    into the setup's ``generationConfig``. ``speech_config`` may be a voice name (``"Kore"``).
    ``tools`` takes Python functions (run automatically when the model calls them), declarations
    and built-in tool names, as in ``generate_content``; ``automatic_function_calling`` sets the
    per-call ``timeout`` or ``disable``\\ s the automatic runs.

    ``session_resumption`` is on unless you set it to ``False``: the setup asks for resumption
    handles, and the session reconnects by itself with the latest one when the server says
    ``goAway`` or the connection drops. A :class:`SessionResumptionConfig` with a ``handle``
    resumes an earlier session.

    >>> LiveConnectConfig(response_modalities=["TEXT"], system_instruction="Be brief.")  # doctest: +SKIP
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    http_options: HttpOptions | None = None
    generation_config: GenerationConfig | None = None
    response_modalities: Annotated[list[str] | None, BeforeValidator(_upper_modalities)] = None
    temperature: float | None = None
    top_p: float | None = None
    top_k: float | None = None
    max_output_tokens: int | None = None
    media_resolution: str | None = None
    seed: int | None = None
    speech_config: str | SpeechConfig | None = None
    thinking_config: ThinkingConfig | None = None
    enable_affective_dialog: bool | None = None
    system_instruction: str | Content | list[Part | str] | None = None
    tools: list[Any] | None = None
    session_resumption: SessionResumptionConfig | bool | None = None
    input_audio_transcription: AudioTranscriptionConfig | None = None
    output_audio_transcription: AudioTranscriptionConfig | None = None
    realtime_input_config: RealtimeInputConfig | None = None
    context_window_compression: ContextWindowCompressionConfig | None = None
    proactivity: ProactivityConfig | None = None
    history_config: HistoryConfig | None = None
    avatar_config: dict[str, Any] | None = None
    safety_settings: list[SafetySetting] | None = None
    translation_config: dict[str, Any] | None = None
    labels: dict[str, str] | None = None
    automatic_function_calling: AutomaticFunctionCallingConfig | None = None


# ------------------------------------------------------------------ what the server sends


class _Message(WireModel):
    def __repr_args__(self) -> Any:
        # Show only what is set: a message has a dozen fields and usually one is used.
        return [(k, v) for k, v in super().__repr_args__() if v is not None]


class Transcription(_Message):
    text: str | None = None
    finished: bool | None = None
    language_code: str | None = None


class LiveServerContent(_Message):
    """The model's output: parts of its turn, and where the turn stands."""

    model_turn: Content | None = None
    turn_complete: bool | None = None
    interrupted: bool | None = None
    generation_complete: bool | None = None
    grounding_metadata: GroundingMetadata | None = None
    input_transcription: Transcription | None = None
    output_transcription: Transcription | None = None
    interim_input_transcription: Transcription | None = None
    url_context_metadata: UrlContextMetadata | None = None
    turn_complete_reason: str | None = None
    waiting_for_input: bool | None = None
    interaction_status: str | None = None


class LiveServerToolCall(_Message):
    """Functions the model wants called; answer each by its ``id``."""

    function_calls: list[FunctionCall] | None = None


class LiveServerToolCallCancellation(_Message):
    ids: list[str] | None = None


class LiveServerGoAway(_Message):
    """The server will close this connection in ``time_left`` (a duration such as ``"10s"``)."""

    time_left: str | None = None

    @property
    def seconds_left(self) -> float | None:
        from .._exceptions import parse_duration

        return parse_duration(self.time_left)


class LiveServerSessionResumptionUpdate(_Message):
    """A handle that resumes the session as it is now (empty while it cannot be resumed)."""

    new_handle: str | None = None
    resumable: bool | None = None
    last_consumed_client_message_index: int | None = None


class LiveServerSetupComplete(_Message):
    session_id: str | None = None


class LiveUsageMetadata(_Message):
    """Token counts of the session so far (the Live API counts ``response`` tokens)."""

    prompt_token_count: int | None = None
    cached_content_token_count: int | None = None
    response_token_count: int | None = None
    tool_use_prompt_token_count: int | None = None
    thoughts_token_count: int | None = None
    total_token_count: int | None = None
    prompt_tokens_details: list[ModalityTokenCount] | None = None
    cache_tokens_details: list[ModalityTokenCount] | None = None
    response_tokens_details: list[ModalityTokenCount] | None = None
    tool_use_prompt_tokens_details: list[ModalityTokenCount] | None = None
    traffic_type: str | None = None


class VoiceActivityDetectionSignal(_Message):
    vad_signal_type: str | None = None


class VoiceActivity(_Message):
    voice_activity_type: str | None = None
    audio_offset: str | None = None


@dataclass(frozen=True)
class LiveReconnect:
    """The session reconnected by itself (not a server message: the session adds it).

    ``reason`` is ``"go_away"`` (the server announced the end of the connection) or
    ``"connection_closed"`` (it closed with ``close_code`` / ``close_reason``); ``handle`` is the
    resumption handle used (None: nothing had been acknowledged yet); ``resent`` counts the
    messages sent again because the server had not acknowledged them; ``count`` is the session's
    number of reconnects so far. A model turn that was under way when the connection went is
    answered again from its start.
    """

    reason: str
    count: int
    handle: str | None = None
    resent: int = 0
    close_code: int | None = None
    close_reason: str = ""


class LiveServerMessage(_Message):
    """One message of a Live session.

    Exactly one of its fields is usually set (``usage_metadata`` comes with others). ``text``
    and ``data`` join the text and the audio bytes of ``server_content.model_turn``.

    Two facts are the session's, not the server's: ``handled`` is True on a ``tool_call`` whose
    functions the session runs for you (their answers are in ``function_responses`` once sent),
    and ``reconnect`` is set (and nothing else) on the message-like event a reconnect adds.
    """

    __slots__ = ("_function_responses", "_handled", "_reconnect")
    if TYPE_CHECKING:
        _handled: bool
        _reconnect: LiveReconnect | None
        _function_responses: list[FunctionResponse] | None

    setup_complete: LiveServerSetupComplete | None = None
    server_content: LiveServerContent | None = None
    tool_call: LiveServerToolCall | None = None
    tool_call_cancellation: LiveServerToolCallCancellation | None = None
    usage_metadata: LiveUsageMetadata | None = None
    go_away: LiveServerGoAway | None = None
    session_resumption_update: LiveServerSessionResumptionUpdate | None = None
    voice_activity_detection_signal: VoiceActivityDetectionSignal | None = None
    voice_activity: VoiceActivity | None = None

    @property
    def text(self) -> str | None:
        """The model turn's text (thoughts left out), or None when it has none."""
        parts = self._parts()
        texts = [p.text for p in parts if p.text is not None and not p.thought]
        return "".join(texts) if texts else None

    @property
    def data(self) -> bytes | None:
        """The model turn's inline bytes (audio: PCM16 at 24 kHz) joined, or None."""
        blobs = [p.inline_data.data for p in self._parts() if p.inline_data is not None]
        return b"".join(blobs) if blobs else None

    @property
    def turn_complete(self) -> bool:
        return bool(self.server_content is not None and self.server_content.turn_complete)

    @property
    def handled(self) -> bool:
        """True when the session runs this tool call's functions and answers it for you."""
        return getattr(self, "_handled", False)

    @property
    def function_responses(self) -> list[FunctionResponse] | None:
        """The answers the session sent for this tool call (None until sent)."""
        return getattr(self, "_function_responses", None)

    @property
    def reconnect(self) -> LiveReconnect | None:
        """Set on the event a reconnect adds to the session's messages."""
        return getattr(self, "_reconnect", None)

    def _parts(self) -> list[Part]:
        content = self.server_content
        if content is None or content.model_turn is None:
            return []
        return content.model_turn.parts

    def __repr_args__(self) -> Any:
        args = list(super().__repr_args__())
        if self.reconnect is not None:
            args.append(("reconnect", self.reconnect))
        if self.handled:
            args.append(("handled", True))
        return args
