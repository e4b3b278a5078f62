"""Live music (Lyria RealTime): weighted prompts, the generation config, and what the server
sends (audio chunks, filtered prompts).

Names are google-genai's (``WeightedPrompt``, ``LiveMusicGenerationConfig``,
``LiveMusicServerMessage``, …); on the wire they are the camelCase of ``BidiGenerateMusic``'s
messages. What you build is checked strictly (an unknown field is an error); the ranges and
names the API takes (``bpm`` 60 to 200, a known ``scale``, …) are checked before anything is
sent, by the session. What the server sends is read tolerantly.

>>> LiveMusicGenerationConfig(bpm=90, scale=Scale.D_MAJOR_B_MINOR, mute_drums=True)  # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._base import Base64Bytes, WireModel

if TYPE_CHECKING:
    from .live import LiveReconnect

__all__ = [
    "AudioChunk",
    "LiveMusicClientContent",
    "LiveMusicFilteredPrompt",
    "LiveMusicGenerationConfig",
    "LiveMusicPlaybackControl",
    "LiveMusicServerContent",
    "LiveMusicServerMessage",
    "LiveMusicServerSetupComplete",
    "LiveMusicSourceMetadata",
    "MusicGenerationMode",
    "Scale",
    "WeightedPrompt",
]


class Scale:
    """The values of ``LiveMusicGenerationConfig.scale`` (plain strings): a key, named by its
    major and relative minor."""

    SCALE_UNSPECIFIED = "SCALE_UNSPECIFIED"
    C_MAJOR_A_MINOR = "C_MAJOR_A_MINOR"
    D_FLAT_MAJOR_B_FLAT_MINOR = "D_FLAT_MAJOR_B_FLAT_MINOR"
    D_MAJOR_B_MINOR = "D_MAJOR_B_MINOR"
    E_FLAT_MAJOR_C_MINOR = "E_FLAT_MAJOR_C_MINOR"
    E_MAJOR_D_FLAT_MINOR = "E_MAJOR_D_FLAT_MINOR"
    F_MAJOR_D_MINOR = "F_MAJOR_D_MINOR"
    G_FLAT_MAJOR_E_FLAT_MINOR = "G_FLAT_MAJOR_E_FLAT_MINOR"
    G_MAJOR_E_MINOR = "G_MAJOR_E_MINOR"
    A_FLAT_MAJOR_F_MINOR = "A_FLAT_MAJOR_F_MINOR"
    A_MAJOR_G_FLAT_MINOR = "A_MAJOR_G_FLAT_MINOR"
    B_FLAT_MAJOR_G_MINOR = "B_FLAT_MAJOR_G_MINOR"
    B_MAJOR_A_FLAT_MINOR = "B_MAJOR_A_FLAT_MINOR"


class MusicGenerationMode:
    """The values of ``LiveMusicGenerationConfig.music_generation_mode`` (plain strings)."""

    MUSIC_GENERATION_MODE_UNSPECIFIED = "MUSIC_GENERATION_MODE_UNSPECIFIED"
    QUALITY = "QUALITY"
    DIVERSITY = "DIVERSITY"
    VOCALIZATION = "VOCALIZATION"


class LiveMusicPlaybackControl:
    """What ``play``, ``pause``, ``stop`` and ``reset_context`` send (plain strings)."""

    PLAYBACK_CONTROL_UNSPECIFIED = "PLAYBACK_CONTROL_UNSPECIFIED"
    PLAY = "PLAY"
    PAUSE = "PAUSE"
    STOP = "STOP"
    RESET_CONTEXT = "RESET_CONTEXT"


# ------------------------------------------------------------------ what you send


class WeightedPrompt(WireModel):
    """A text that steers the music, with its relative weight (not 0; the API normalizes the
    weights of one ``set_weighted_prompts`` call)."""

    text: str
    weight: float = 1.0


class LiveMusicClientContent(WireModel):
    weighted_prompts: list[WeightedPrompt] | None = None


class LiveMusicGenerationConfig(WireModel):
    """How the music is made. Every field is optional; unset fields keep the server's default.

    ``bpm`` 60 to 200; ``density`` and ``brightness`` 0 to 1; ``guidance`` 0 to 6 (how closely
    the prompts are followed; higher makes transitions more abrupt); ``temperature`` 0 to 3;
    ``top_k`` 1 to 1000; ``seed`` any integer; ``scale`` a :class:`Scale` name;
    ``mute_bass``, ``mute_drums``, ``only_bass_and_drums``; ``music_generation_mode`` a
    :class:`MusicGenerationMode` name. Google's documentation says a new ``bpm`` or ``scale``
    takes effect after ``reset_context()``.
    """

    temperature: float | None = None
    top_k: int | None = None
    seed: int | None = None
    guidance: float | None = None
    bpm: int | None = None
    density: float | None = None
    brightness: float | None = None
    scale: str | None = None
    mute_bass: bool | None = None
    mute_drums: bool | None = None
    only_bass_and_drums: bool | None = None
    music_generation_mode: str | None = None

    def __repr_args__(self) -> Any:
        return [(k, v) for k, v in super().__repr_args__() if v is not None]


# ------------------------------------------------------------------ what the server sends


class _Message(WireModel):
    def __repr_args__(self) -> Any:
        # Show only what is set.
        return [(k, v) for k, v in super().__repr_args__() if v is not None]


class LiveMusicServerSetupComplete(_Message):
    pass


class LiveMusicSourceMetadata(_Message):
    """The prompts and config an audio chunk was made from."""

    client_content: LiveMusicClientContent | None = None
    music_generation_config: LiveMusicGenerationConfig | None = None


class AudioChunk(_Message):
    """Two seconds or so of music: raw PCM16 (little-endian), 48 kHz, stereo, interleaved, as
    ``mime_type`` says (``audio/l16;rate=48000;channels=2``)."""

    data: Base64Bytes | None = None
    mime_type: str | None = None
    source_metadata: LiveMusicSourceMetadata | None = None

    def __repr_args__(self) -> Any:
        # Audio bytes are long: their size, not their content.
        for key, value in super().__repr_args__():
            yield (key, f"<{len(value)} bytes>") if key == "data" else (key, value)


class LiveMusicServerContent(_Message):
    """Audio the model made (made ahead of playback; play it at its own pace)."""

    audio_chunks: list[AudioChunk] | None = None


class LiveMusicFilteredPrompt(_Message):
    """A prompt the service left out, and why (safety filters)."""

    text: str | None = None
    filtered_reason: str | None = None


class LiveMusicServerMessage(_Message):
    """One message of a live music session: ``server_content`` (audio), ``filtered_prompt``,
    or ``setup_complete``.

    ``audio`` joins the message's audio bytes. ``reconnect`` is set (and nothing else) on the
    message-like event the session adds when it reconnected by itself.
    """

    __slots__ = ("_reconnect",)
    if TYPE_CHECKING:
        _reconnect: LiveReconnect | None

    setup_complete: LiveMusicServerSetupComplete | None = None
    server_content: LiveMusicServerContent | None = None
    filtered_prompt: LiveMusicFilteredPrompt | None = None

    @property
    def audio_chunks(self) -> list[AudioChunk]:
        content = self.server_content
        return list(content.audio_chunks or []) if content is not None else []

    @property
    def audio(self) -> bytes | None:
        """The message's PCM16 audio (48 kHz stereo), or None when it has none."""
        data = [c.data for c in self.audio_chunks if c.data]
        return b"".join(data) if data else None

    @property
    def reconnect(self) -> LiveReconnect | None:
        """Set on the event a reconnect adds to the session's messages."""
        return getattr(self, "_reconnect", None)

    def __repr_args__(self) -> Any:
        args = list(super().__repr_args__())
        if self.reconnect is not None:
            args.append(("reconnect", self.reconnect))
        return args
