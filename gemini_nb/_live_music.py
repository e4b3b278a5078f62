"""Live music (Lyria RealTime) without the I/O: the frames a session sends, the checks made
before sending, the state a reconnect sends again, and the recorder that keeps the audio.

Everything here is pure and shared by the async music session and its sync facade
(``resources/live_music.py``), and tested without a server.

The protocol (``BidiGenerateMusic``): ``{"setup": {"model": "models/lyria-realtime-exp"}}``,
answered by ``{"setupComplete": {}}``; then, in any order, ``clientContent.weightedPrompts``,
``musicGenerationConfig`` (which replaces the previous config) and ``playbackControl``
(``PLAY``, ``PAUSE``, ``STOP``, ``RESET_CONTEXT``). While playing, the server sends
``serverContent.audioChunks`` of PCM16 at 48 kHz, stereo; a prompt its filters refuse comes
back as ``filteredPrompt``.

There are no resumption handles: what a session is (its prompts, its config, whether it
plays) is small, so a reconnect sends it again (:class:`MusicReplay`) and the music goes on
from a fresh context.
"""

from __future__ import annotations

import difflib
import json
import math
import re
import tempfile
import threading
import wave
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import IO, Any

from pydantic import BaseModel

from ._exceptions import InvalidInputError, LiveConnectionClosed, LiveSetupError
from ._live import RECOVERABLE_CLOSE_CODES, parse_frame
from .types.live_music import (
    AudioChunk,
    LiveMusicGenerationConfig,
    LiveMusicPlaybackControl,
    LiveMusicServerMessage,
    MusicGenerationMode,
    Scale,
    WeightedPrompt,
)

__all__ = [
    "BYTES_PER_SECOND",
    "CHANNELS",
    "DEFAULT_MODEL",
    "MODES",
    "PLAY_FRAME",
    "RATE",
    "SCALES",
    "MusicRecorder",
    "MusicReplay",
    "coerce_music_config",
    "coerce_prompts",
    "config_frame",
    "control_frame",
    "music_close_error",
    "parse_music_message",
    "pcm_layout",
    "prompts_frame",
    "setup_frame",
]

DEFAULT_MODEL = "models/lyria-realtime-exp"
RATE = 48_000
CHANNELS = 2
SAMPLE_WIDTH = 2
BYTES_PER_SECOND = RATE * CHANNELS * SAMPLE_WIDTH

SCALES = tuple(v for k, v in vars(Scale).items() if k.isupper())
MODES = tuple(v for k, v in vars(MusicGenerationMode).items() if k.isupper())
CONTROLS = ("PLAY", "PAUSE", "STOP", "RESET_CONTEXT")
# The documented ranges, inclusive.
RANGES: dict[str, tuple[float, float]] = {
    "temperature": (0.0, 3.0),
    "top_k": (1, 1000),
    "guidance": (0.0, 6.0),
    "bpm": (60, 200),
    "density": (0.0, 1.0),
    "brightness": (0.0, 1.0),
    "seed": (-(2**31), 2**31 - 1),  # int32 on the wire
}
_NUMBERS = ("temperature", "top_k", "seed", "guidance", "bpm", "density", "brightness")
_FLAGS = ("mute_bass", "mute_drums", "only_bass_and_drums")


def _dumps(message: dict[str, Any]) -> str:
    return json.dumps(message, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def setup_frame(model: str) -> tuple[str, str]:
    """The model's path and the ``{"setup": …}`` frame."""
    from ._convert import model_path

    path = model_path(model)
    return path, _dumps({"setup": {"model": path}})


# ------------------------------------------------------------------ weighted prompts


def _enum_value(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


def _one_prompt(item: Any) -> WeightedPrompt:
    text: Any
    weight: Any
    if isinstance(item, WeightedPrompt):
        text, weight = item.text, item.weight
    elif isinstance(item, str):
        text, weight = item, 1.0
    elif isinstance(item, tuple) and len(item) == 2:
        text, weight = item
    elif isinstance(item, Mapping):
        unknown = set(item) - {"text", "weight"}
        if unknown:
            raise InvalidInputError(
                f"A weighted prompt has a text and a weight, not {sorted(unknown)[0]!r}."
            )
        text, weight = item.get("text"), item.get("weight", 1.0)
    elif isinstance(item, BaseModel) and hasattr(item, "text"):  # google-genai's WeightedPrompt
        text, weight = item.text, getattr(item, "weight", None)
        weight = 1.0 if weight is None else weight
    else:
        raise InvalidInputError(
            "A weighted prompt is a WeightedPrompt(text=..., weight=...), a dict with text and "
            f"weight, a (text, weight) pair or a text; got {type(item).__name__}."
        )
    if not isinstance(text, str) or not text.strip():
        raise InvalidInputError("A weighted prompt needs a text (it is empty).")
    if isinstance(weight, bool) or not isinstance(weight, (int, float)):
        raise InvalidInputError(f"The weight of {text!r} must be a number, not {weight!r}.")
    if weight == 0 or not math.isfinite(weight):
        raise InvalidInputError(
            f"The weight of {text!r} is {weight}: weights must be finite and not 0 (leave the "
            "prompt out instead of giving it 0)."
        )
    return WeightedPrompt(text=text, weight=float(weight))


def coerce_prompts(prompts: Any) -> list[WeightedPrompt]:
    """Checked prompts from a list of WeightedPrompts, dicts, ``(text, weight)`` pairs or
    texts, a ``{text: weight}`` dict, or one of them alone.

    Refused before sending (:class:`InvalidInputError`): no prompt, an empty text, a weight
    that is 0, not finite, or not a number.
    """
    items: Iterable[Any]
    if isinstance(prompts, Mapping) and "text" not in prompts:
        items = list(prompts.items())
    elif isinstance(prompts, (list, tuple)) and not (
        isinstance(prompts, tuple)
        and len(prompts) == 2
        and isinstance(prompts[0], str)
        and not isinstance(prompts[1], str)
    ):
        items = prompts
    else:
        items = [prompts]
    kept = [_one_prompt(item) for item in items]
    if not kept:
        raise InvalidInputError("set_weighted_prompts needs at least one prompt.")
    return kept


def prompts_frame(prompts: Any) -> tuple[str, list[WeightedPrompt]]:
    """``{"clientContent": {"weightedPrompts": [...]}}`` and the checked prompts."""
    kept = coerce_prompts(prompts)
    wire = [{"text": p.text, "weight": p.weight} for p in kept]
    return _dumps({"clientContent": {"weightedPrompts": wire}}), kept


# ------------------------------------------------------------------ the generation config


def _close_names(value: str, names: tuple[str, ...]) -> str:
    near = difflib.get_close_matches(value.upper(), names, n=2, cutoff=0.5)
    return f" (did you mean {' or '.join(near)}?)" if near else ""


def coerce_music_config(config: Any = None, **fields: Any) -> LiveMusicGenerationConfig:
    """A checked :class:`LiveMusicGenerationConfig` from one, a dict of its fields or
    google-genai's, with ``fields`` on top.

    Refused before sending (:class:`InvalidInputError`): an unknown field, a value outside its
    documented range (``bpm`` 60 to 200, ``density`` 0 to 1, …), a number that is not one, an
    unknown scale or mode.
    """
    from ._options import coerce_config_as

    if isinstance(config, BaseModel) and not isinstance(config, LiveMusicGenerationConfig):
        config = {k: _enum_value(v) for k, v in config.model_dump(exclude_none=True).items()}
    cfg = coerce_config_as(LiveMusicGenerationConfig, config, **fields)
    updates: dict[str, Any] = {}
    for name in _NUMBERS:
        raw = getattr(cfg, name)
        if raw is None:
            continue
        low, high = RANGES[name]
        if not low <= raw <= high:  # NaN fails too
            shown = f"{raw:g}" if isinstance(raw, float) else str(raw)
            raise InvalidInputError(
                f"{name}={shown} is outside the range the API takes ({low:g} to {high:g})."
            )
    for name, names, what in (
        ("scale", SCALES, "Scale"),
        ("music_generation_mode", MODES, "MusicGenerationMode"),
    ):
        value = _enum_value(getattr(cfg, name))
        if value is None:
            continue
        upper = str(value).strip().upper()
        if upper not in names:
            raise InvalidInputError(
                f"{name}={value!r} is not one the API takes{_close_names(str(value), names)}; "
                f"use a {what} name: {', '.join(names[1:5])}, …"
            )
        updates[name] = upper
    return cfg.model_copy(update=updates) if updates else cfg


def _strict_types(config: Any, fields: dict[str, Any]) -> None:
    # pydantic takes True as 1, "90" as 90 and "yes" as True; a config is numbers and flags.
    data = dict(config) if isinstance(config, Mapping) else {}
    data.update(fields)
    for key, value in data.items():
        name = re.sub(r"(?<!^)(?=[A-Z])", "_", key).lower()
        if value is None:
            continue
        if name in _NUMBERS and (isinstance(value, bool) or not isinstance(value, (int, float))):
            raise InvalidInputError(f"{name} must be a number, not {value!r}.")
        if name in _FLAGS and not isinstance(value, bool):
            raise InvalidInputError(f"{name} is True or False, not {value!r}.")


def config_frame(config: Any = None, **fields: Any) -> tuple[str, LiveMusicGenerationConfig]:
    """``{"musicGenerationConfig": {...}}`` and the checked config."""
    _strict_types(config, fields)
    cfg = coerce_music_config(config, **fields)
    wire = cfg.model_dump(mode="json", exclude_none=True)
    try:
        return _dumps({"musicGenerationConfig": wire}), cfg
    except ValueError:  # pragma: no cover - the ranges keep NaN out
        raise InvalidInputError("The music config holds a value that is not a number.") from None


def control_frame(control: str) -> str:
    """``{"playbackControl": "PLAY"}`` (or PAUSE, STOP, RESET_CONTEXT)."""
    value = str(_enum_value(control)).upper()
    if value not in CONTROLS:
        raise InvalidInputError(f"playback control {control!r}: use one of {', '.join(CONTROLS)}.")
    return _dumps({"playbackControl": value})


PLAY_FRAME = control_frame(LiveMusicPlaybackControl.PLAY)


# ------------------------------------------------------------------ server messages


def parse_music_message(raw: bytes | str) -> LiveMusicServerMessage:
    """One server frame, read tolerantly (unknown message types are kept, never fatal)."""
    return parse_frame(raw, LiveMusicServerMessage)


_RATE = re.compile(r"rate\s*=\s*(\d+)", re.IGNORECASE)
_CHANNELS = re.compile(r"channels\s*=\s*(\d+)", re.IGNORECASE)


def pcm_layout(mime_type: str | None) -> tuple[int, int]:
    """The sample rate and channel count a chunk's MIME type says (48 kHz stereo unless it
    says otherwise)."""
    text = mime_type or ""
    rate = _RATE.search(text)
    channels = _CHANNELS.search(text)
    return (int(rate.group(1)) if rate else RATE, int(channels.group(1)) if channels else CHANNELS)


# ------------------------------------------------------------------ reconnects


@dataclass
class MusicReplay:
    """What a session has asked for, sent again on a new connection: the latest prompts, the
    latest config, and PLAY if it was playing."""

    prompts: str | None = None
    config: str | None = None
    playing: bool = False

    def control(self, value: str) -> None:
        if value == "PLAY":
            self.playing = True
        elif value in ("PAUSE", "STOP"):
            self.playing = False

    def frames(self) -> list[str]:
        frames = [f for f in (self.prompts, self.config) if f is not None]
        if self.playing:
            frames.append(PLAY_FRAME)
        return frames


def music_close_error(
    code: int, reason: str, *, during_setup: bool, reconnect: bool = True
) -> LiveConnectionClosed:
    """The typed error for a close that ends a music session (``reason`` already redacted)."""
    said = f"{code}: {reason}" if reason else str(code)
    if during_setup:
        if code == 1008:
            hint = (
                " The model may not make live music (bidiGenerateMusic; "
                f"{DEFAULT_MODEL} does), or the key may not be valid."
            )
        elif code == 1007:
            hint = " The reason names what the server did not take."
        else:
            hint = " Try connecting again."
        return LiveSetupError(
            f"The server refused the live music session's setup ({said}).{hint}",
            code=code,
            reason=reason,
            resumable=False,
            handle=None,
        )
    if code == 1007:
        hint = " The server did not take a message: the reason names it."
    elif code in RECOVERABLE_CLOSE_CODES and not reconnect:
        hint = (
            " Connect again and send the prompts and config again (reconnect=True, the "
            "default, does that by itself)."
        )
    else:
        hint = ""
    return LiveConnectionClosed(
        f"The live music session's connection closed ({said}).{hint}",
        code=code,
        reason=reason,
        resumable=False,
        handle=None,
    )


# ------------------------------------------------------------------ the recorder


def _audio_of(item: Any) -> tuple[bytes, tuple[int, int] | None]:
    """The PCM bytes of a message, a chunk or bytes, and the layout their MIME type says."""
    if isinstance(item, (bytes, bytearray, memoryview)):
        return bytes(item), None
    if isinstance(item, LiveMusicServerMessage):
        chunks = item.audio_chunks
        if not chunks:
            return b"", None
        return b"".join(c.data or b"" for c in chunks), pcm_layout(chunks[0].mime_type)
    if isinstance(item, AudioChunk):
        return item.data or b"", pcm_layout(item.mime_type)
    raise InvalidInputError(
        f"A recorder takes audio bytes, an AudioChunk or a LiveMusicServerMessage, not "
        f"{type(item).__name__}."
    )


class MusicRecorder:
    """The audio of a live music session, kept for saving as WAV.

    ``session.record()`` makes one that every audio chunk the session reads goes into (or
    ``recorder.add(message)`` by hand). It keeps at most ``max_seconds`` of audio, the first
    ones (later audio is counted in ``dropped_seconds``, not kept): in memory by default (five
    minutes of 48 kHz stereo are 58 MB), or in an anonymous temporary file with
    ``on_disk=True`` (in ``directory``; ``max_seconds=None`` for no limit), deleted when the
    recorder is closed or collected.

    >>> recorder = session.record()          # doctest: +SKIP
    >>> ...                                  # doctest: +SKIP
    >>> recorder.save("jam.wav")             # doctest: +SKIP
    """

    def __init__(
        self,
        *,
        max_seconds: float | None = 300.0,
        on_disk: bool = False,
        directory: str | Path | None = None,
    ) -> None:
        if max_seconds is None and not on_disk:
            raise InvalidInputError(
                "An in-memory recording needs max_seconds; pass on_disk=True to record without "
                "a limit."
            )
        if max_seconds is not None and not (max_seconds > 0 and math.isfinite(max_seconds)):
            raise InvalidInputError(f"max_seconds must be a positive number, not {max_seconds!r}.")
        self.max_seconds = max_seconds
        self.on_disk = on_disk
        self.rate = RATE
        self.channels = CHANNELS
        self._lock = threading.Lock()
        self._chunks: deque[bytes] = deque()
        self._file: IO[bytes] | None = None
        if on_disk:
            # Owned by the recorder and closed by close(); deleted by the OS when closed.
            self._file = tempfile.TemporaryFile(prefix="gnb-music-", dir=directory)  # noqa: SIM115
        self._bytes = 0
        self._dropped = 0
        self._format_fixed = False
        self._closed = False

    # -------------------------------------------------------------- facts

    @property
    def frame_bytes(self) -> int:
        return self.channels * SAMPLE_WIDTH

    @property
    def seconds(self) -> float:
        """Seconds of audio kept."""
        return self._bytes / (self.rate * self.frame_bytes)

    @property
    def dropped_seconds(self) -> float:
        """Seconds of audio that came after ``max_seconds`` and were not kept."""
        return self._dropped / (self.rate * self.frame_bytes)

    @property
    def full(self) -> bool:
        return self._limit() is not None and self._bytes >= (self._limit() or 0)

    def _limit(self) -> int | None:
        if self.max_seconds is None:
            return None
        frames = int(self.max_seconds * self.rate)
        return frames * self.frame_bytes

    def __len__(self) -> int:
        return self._bytes

    def __repr__(self) -> str:
        where = "on disk" if self.on_disk else "in memory"
        layout = "stereo" if self.channels == 2 else f"{self.channels} channels"
        dropped = f", {self.dropped_seconds:.1f} s not kept" if self._dropped else ""
        return f"MusicRecorder({self.seconds:.1f} s, {self.rate} Hz {layout}, {where}{dropped})"

    # -------------------------------------------------------------- recording

    def add(self, audio: Any) -> None:
        """Keep the audio of a message, an :class:`AudioChunk`, or PCM16 bytes (in the
        layout of what was added first: 48 kHz stereo unless a MIME type said otherwise)."""
        data, layout = _audio_of(audio)
        if not data:
            return
        with self._lock:
            if self._closed:
                raise InvalidInputError("This recorder was closed; make a new one.")
            if layout is not None:
                if not self._format_fixed:
                    self.rate, self.channels = layout
                elif layout != (self.rate, self.channels):
                    raise InvalidInputError(
                        f"This recording is {self.rate} Hz with {self.channels} channels; audio at "
                        f"{layout[0]} Hz with {layout[1]} channels cannot join it."
                    )
            self._format_fixed = True
            if len(data) % self.frame_bytes:
                raise InvalidInputError(
                    f"{len(data)} bytes are not whole PCM16 frames of {self.channels} channels."
                )
            limit = self._limit()
            keep = len(data) if limit is None else max(0, min(len(data), limit - self._bytes))
            self._dropped += len(data) - keep
            if not keep:
                return
            piece = data[:keep]
            if self._file is not None:
                self._file.seek(0, 2)
                self._file.write(piece)
            else:
                self._chunks.append(piece)
            self._bytes += keep

    def clear(self) -> None:
        """Forget what was recorded (the recorder can go on)."""
        with self._lock:
            self._chunks.clear()
            if self._file is not None:
                self._file.seek(0)
                self._file.truncate()
            self._bytes = 0
            self._dropped = 0
            self._format_fixed = False

    def _blocks(self, size: int = 1 << 20) -> Iterable[bytes]:
        if self._file is None:
            yield from list(self._chunks)
            return
        self._file.flush()
        self._file.seek(0)
        left = self._bytes
        while left > 0:
            block = self._file.read(min(size, left))
            if not block:
                break
            left -= len(block)
            yield block

    def pcm(self) -> bytes:
        """Everything kept, as raw PCM16 (interleaved)."""
        with self._lock:
            return b"".join(self._blocks())

    def save(self, path: str | Path) -> Path:
        """Write what was kept as a WAV file (``.pcm`` or ``.raw``: the raw samples); returns
        the path. Writing reads the disk file in blocks: it never holds a long recording in
        memory twice."""
        target = Path(path).expanduser()
        raw = target.suffix.lower() in (".pcm", ".raw")
        with self._lock:
            if self._closed:
                raise InvalidInputError("This recorder was closed; nothing is left to save.")
            if raw:
                with target.open("wb") as out:
                    for block in self._blocks():
                        out.write(block)
            else:
                with wave.open(str(target), "wb") as out:
                    out.setnchannels(self.channels)
                    out.setsampwidth(SAMPLE_WIDTH)
                    out.setframerate(self.rate)
                    for block in self._blocks():
                        out.writeframesraw(block)
        return target

    def close(self) -> None:
        """Let the audio go (the temporary file is deleted)."""
        with self._lock:
            self._closed = True
            self._chunks.clear()
            if self._file is not None:
                self._file.close()
                self._file = None

    def __enter__(self) -> MusicRecorder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
