"""Speech the emulator's TTS models say: speech-like 16-bit PCM at 24 kHz, one voice per speaker.

What is spoken
    The prompt's text, less an instruction before a colon ("Say cheerfully: Have a nice day!"
    says "Have a nice day!"). With ``multiSpeakerVoiceConfig`` the lines that start with a
    configured speaker's name ("Joe: How's it going?") are spoken in that speaker's voice and
    everything else (the "TTS the following conversation…" preamble) is not.

How it sounds
    Each word is one to four syllables (its vowel groups); each syllable is a short voiced
    sound, a few harmonics of the voice's pitch shaped by the vowel, after a soft consonant
    hiss. Sentences fall in pitch towards their end (questions rise); commas and full stops
    pause. A voice is one of the API's 30 prebuilt voices, each with its own pitch (from 95
    to 230 Hz) and brightness, so two speakers sound different and the same voice sounds the
    same in every answer. Without a speechConfig the voice is Kore, as on the API.

How long
    About five syllables a second plus the pauses: the length follows the text (at most
    :data:`MAX_SECONDS`).

Errors (400 INVALID_ARGUMENT): a voice name the API does not have, a multi-speaker config that
does not have exactly two speakers, both ``voiceConfig`` and ``multiSpeakerVoiceConfig``.
"""

from __future__ import annotations

import array
import math
import re
from dataclasses import dataclass
from typing import Any

from ..wire.errors import EmulatorError
from .hashing import digest

__all__ = ["DEFAULT_VOICE", "MAX_SECONDS", "RATE", "VOICES", "Turn", "speak", "spoken_turns"]

RATE = 24_000
MAX_SECONDS = 300.0
DEFAULT_VOICE = "Kore"

# The prebuilt voices of the speech-generation guide.
VOICES = (
    "Zephyr",
    "Puck",
    "Charon",
    "Kore",
    "Fenrir",
    "Leda",
    "Orus",
    "Aoede",
    "Callirrhoe",
    "Autonoe",
    "Enceladus",
    "Iapetus",
    "Umbriel",
    "Algieba",
    "Despina",
    "Erinome",
    "Algenib",
    "Rasalgethi",
    "Laomedeia",
    "Achernar",
    "Alnilam",
    "Schedar",
    "Gacrux",
    "Pulcherrima",
    "Achird",
    "Zubenelgenubi",
    "Vindemiatrix",
    "Sadachbia",
    "Sadaltager",
    "Sulafat",
)
_BY_LOWER = {v.lower(): v for v in VOICES}

SYLLABLE = 0.17  # seconds of voiced sound per syllable
CONSONANT = 0.035
WORD_GAP = 0.045
COMMA_PAUSE = 0.16
SENTENCE_PAUSE = 0.32
TURN_PAUSE = 0.45
_TABLE = 2048
_AMPLITUDE = 9000

# Harmonic weights per vowel: rough formant shapes (a open, i bright, u dark...).
_VOWELS = {
    "a": (1.0, 0.8, 0.6, 0.35, 0.2, 0.1),
    "e": (1.0, 0.5, 0.55, 0.5, 0.3, 0.15),
    "i": (1.0, 0.25, 0.2, 0.45, 0.4, 0.25),
    "o": (1.0, 0.85, 0.35, 0.15, 0.08, 0.04),
    "u": (1.0, 0.5, 0.15, 0.06, 0.03, 0.02),
    "y": (1.0, 0.3, 0.3, 0.4, 0.3, 0.2),
}


@dataclass(frozen=True)
class Voice:
    name: str
    pitch: float  # Hz
    brightness: float  # how strong the upper harmonics are, 0.6-1.4


@dataclass(frozen=True)
class Turn:
    """Who says what: one speaker's stretch of text, in a voice."""

    speaker: str
    voice: str
    text: str


def voice(name: str) -> Voice:
    """The prebuilt voice ``name`` (any case), with its pitch and brightness."""
    canonical = _BY_LOWER.get(name.strip().lower())
    if canonical is None:
        raise EmulatorError(
            400,
            f"Voice name {name} is not supported. Allowed voice names are: "
            + ", ".join(v.lower() for v in VOICES)
            + ".",
        )
    h = digest("voice-timbre", canonical)
    # Neighbours in the list get pitches far apart (11 is prime to 30).
    step = (VOICES.index(canonical) * 11) % len(VOICES)
    return Voice(canonical, 95.0 + step * 135.0 / (len(VOICES) - 1), 0.6 + h[0] / 255 * 0.8)


def _voice_name(config: dict[str, Any] | None) -> str:
    prebuilt = (config or {}).get("prebuiltVoiceConfig") or {}
    return str(prebuilt.get("voiceName") or DEFAULT_VOICE)


_SAY = re.compile(
    r"^\s*(?:say|read|speak|tts)\b[^:\n]{0,80}:\s*(?P<text>\S.*)$", re.IGNORECASE | re.DOTALL
)


def spoken_turns(prompt: str, speech_config: dict[str, Any] | None) -> list[Turn]:
    """What is said, by whom, in which voice (see the module docstring)."""
    config = speech_config or {}
    multi = config.get("multiSpeakerVoiceConfig")
    if multi is not None and config.get("voiceConfig") is not None:
        raise EmulatorError(
            400, "speech_config can not have both voice_config and multi_speaker_voice_config."
        )
    if multi is None:
        name = voice(_voice_name(config.get("voiceConfig"))).name
        m = _SAY.match(prompt)
        text = m.group("text") if m else prompt
        return [Turn("", name, text.strip() or "Hello.")]
    speakers = multi.get("speakerVoiceConfigs") or []
    if len(speakers) != 2:
        raise EmulatorError(
            400,
            "multi_speaker_voice_config must have exactly 2 speaker_voice_configs, "
            f"got {len(speakers)}.",
        )
    voices: dict[str, str] = {}
    for item in speakers:
        speaker = str(item.get("speaker") or "").strip()
        if not speaker:
            raise EmulatorError(400, "Each speaker_voice_config needs a speaker name.")
        voices[speaker.lower()] = voice(_voice_name(item.get("voiceConfig"))).name
    turns: list[Turn] = []
    line_re = re.compile(r"^\s*([^:\n]{1,60}?)\s*:\s*(.+)$")
    for line in prompt.splitlines():
        m = line_re.match(line)
        if m and m.group(1).strip().lower() in voices:
            who = m.group(1).strip()
            turns.append(Turn(who, voices[who.lower()], m.group(2).strip()))
    if not turns:
        # No line names a speaker: the first speaker reads it all.
        first = str(speakers[0].get("speaker"))
        turns.append(Turn(first, voices[first.lower()], prompt.strip() or "Hello."))
    return turns


def speak(
    prompt: str, speech_config: dict[str, Any] | None, *, max_seconds: float = MAX_SECONDS
) -> bytes:
    """Little-endian 16-bit mono PCM at :data:`RATE` saying ``prompt``."""
    out = array.array("h")
    limit = int(max_seconds * RATE)
    tables: dict[tuple[str, str], list[float]] = {}
    for n, turn in enumerate(spoken_turns(prompt, speech_config)):
        if n:
            _silence(out, TURN_PAUSE)
        _say(out, turn.text, voice(turn.voice), tables, limit)
        if len(out) >= limit:
            break
    del out[limit:]
    if not out:
        out.extend([0] * (RATE // 10))
    return out.tobytes()


_TOKEN = re.compile(r"[A-Za-z\u00C0-\u024F']+|\d+|[.!?;:]+|,")


def _syllables(word: str) -> list[str]:
    """The vowels of a word's syllables ("banana" -> ["a", "a", "a"]), one to four."""
    groups = re.findall(r"[aeiouy]+", word.lower())
    if word.isdigit():
        groups = ["e", "i"][: min(2, len(word))] or ["e"]
    if not groups:
        groups = ["e"]
    return [g[0] for g in groups[:4]]


def _say(
    out: array.array[int],
    text: str,
    v: Voice,
    tables: dict[tuple[str, str], list[float]],
    limit: int,
) -> None:
    sentences = re.split(r"(?<=[.!?])\s+", text.strip())
    for sentence in sentences:
        tokens = _TOKEN.findall(sentence)
        words = [t for t in tokens if t[0].isalnum() or t[0] == "'"]
        total = sum(len(_syllables(w)) for w in words) or 1
        question = sentence.rstrip().endswith("?")
        said = 0
        for token in tokens:
            if len(out) >= limit:
                return
            if token == ",":
                _silence(out, COMMA_PAUSE)
                continue
            if not (token[0].isalnum() or token[0] == "'"):
                continue
            for vowel in _syllables(token):
                progress = said / total
                # Declarative sentences fall about 15 %; questions rise at the end.
                contour = (
                    1.0 - 0.15 * progress
                    if not question
                    else (
                        1.0 - 0.08 * progress if progress < 0.7 else 1.0 + 0.35 * (progress - 0.7)
                    )
                )
                wobble = 1 + ((digest("syllable", token, said)[0] % 9) - 4) / 100
                _syllable(out, v, vowel, v.pitch * contour * wobble, tables)
                said += 1
            _silence(out, WORD_GAP)
        _silence(out, SENTENCE_PAUSE)


def _silence(out: array.array[int], seconds: float) -> None:
    out.extend(array.array("h", bytes(2 * int(seconds * RATE))))


def _table(v: Voice, vowel: str, tables: dict[tuple[str, str], list[float]]) -> list[float]:
    key = (v.name, vowel)
    table = tables.get(key)
    if table is None:
        weights = [w * (v.brightness**i) for i, w in enumerate(_VOWELS.get(vowel, _VOWELS["e"]))]
        norm = sum(weights)
        table = [
            sum(w * math.sin(2 * math.pi * (h + 1) * k / _TABLE) for h, w in enumerate(weights))
            / norm
            for k in range(_TABLE)
        ]
        tables[key] = table
    return table


def _syllable(
    out: array.array[int],
    v: Voice,
    vowel: str,
    pitch: float,
    tables: dict[tuple[str, str], list[float]],
) -> None:
    # A soft consonant: deterministic noise, quiet.
    noise = digest("consonant", v.name, vowel, round(pitch))
    hiss = int(CONSONANT * RATE)
    out.extend(array.array("h", ((noise[k % 32] - 128) * 6 for k in range(hiss))))
    table = _table(v, vowel, tables)
    n = int(SYLLABLE * RATE)
    step = pitch * _TABLE / RATE
    attack, release = n // 8, n // 3
    out.extend(
        array.array(
            "h",
            (
                int(
                    _AMPLITUDE
                    * min(1.0, k / attack, (n - k) / release)
                    * table[int(k * step) % _TABLE]
                )
                for k in range(n)
            ),
        )
    )
