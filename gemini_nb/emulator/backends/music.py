"""Live music (``BidiGenerateMusic``, Lyria RealTime): a deterministic synthesizer over WebSocket.

The session speaks the real protocol: ``{"setup": {"model": "models/lyria-realtime-exp"}}`` then
``{"setupComplete": {}}``; the client sends ``clientContent.weightedPrompts``,
``musicGenerationConfig`` and ``playbackControl`` (PLAY, PAUSE, STOP, RESET_CONTEXT); while
playing, the server sends ``serverContent.audioChunks`` of 48 kHz stereo PCM16, two seconds
each: two ahead at once, then at the pace they play (``EmulatorOptions.live_pace``).

The music follows what was asked, audibly and measurably:

* tempo: a kick drum on every beat at ``bpm`` (default 120; "slow" or "ambient" prompts 80,
  "fast", "techno" or "drum and bass" 140), hi-hats between beats;
* key: ``scale`` sets the tonic (C for ``C_MAJOR_A_MINOR``, ...; unset: from the prompts);
* ``density`` sets how many melody notes a beat holds (1 to 4), ``brightness`` how many
  harmonics they have (and so how bright they sound);
* ``muteBass`` / ``muteDrums`` leave the bass line / the drums out, ``onlyBassAndDrums`` the
  melody; weighted prompts pick the melody's timbre (the heaviest prompt wins) and ``seed``
  its pattern.

Prompts naming a few blocked words are answered with ``filteredPrompt`` and left out, as the
real service reports filtered prompts. The Live API's ``close_code`` fault (see ``live``)
closes music sessions too.
"""

from __future__ import annotations

import array
import asyncio
import base64
import contextlib
import json
import math
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from starlette.websockets import WebSocket, WebSocketDisconnect

from ..model.hashing import digest
from ..wire.websocket import serves_socket
from . import catalogue as _catalogue
from .live import LiveFaults, live_faults

if TYPE_CHECKING:
    from ..wire.app import EmulatorApp

__all__ = ["MusicState", "synthesize"]

RATE = 48_000
CHANNELS = 2
CHUNK_SECONDS = 2.0
LEAD_CHUNKS = 2
MIME = f"audio/l16;rate={RATE};channels={CHANNELS}"
SCALES = {
    "C_MAJOR_A_MINOR": 0,
    "D_FLAT_MAJOR_B_FLAT_MINOR": 1,
    "D_MAJOR_B_MINOR": 2,
    "E_FLAT_MAJOR_C_MINOR": 3,
    "E_MAJOR_D_FLAT_MINOR": 4,
    "F_MAJOR_D_MINOR": 5,
    "G_FLAT_MAJOR_E_FLAT_MINOR": 6,
    "G_MAJOR_E_MINOR": 7,
    "A_FLAT_MAJOR_F_MINOR": 8,
    "A_MAJOR_G_FLAT_MINOR": 9,
    "B_FLAT_MAJOR_G_MINOR": 10,
    "B_MAJOR_A_FLAT_MINOR": 11,
}
MODES = ("MUSIC_GENERATION_MODE_UNSPECIFIED", "QUALITY", "DIVERSITY", "VOCALIZATION")
# name -> (type, low, high): the documented ranges.
CONFIG_FIELDS: dict[str, tuple[type, float | None, float | None]] = {
    "temperature": (float, 0.0, 3.0),
    "topK": (int, 1, 1000),
    "seed": (int, None, None),
    "guidance": (float, 0.0, 6.0),
    "bpm": (int, 60, 200),
    "density": (float, 0.0, 1.0),
    "brightness": (float, 0.0, 1.0),
    "scale": (str, None, None),
    "muteBass": (bool, None, None),
    "muteDrums": (bool, None, None),
    "onlyBassAndDrums": (bool, None, None),
    "musicGenerationMode": (str, None, None),
}
BLOCKED = ("gore", "nsfw", "explicit lyrics", "hate")
MAJOR = (0, 2, 4, 5, 7, 9, 11)
_SINE = [math.sin(2 * math.pi * i / 4096) for i in range(4096)]


class _Close(Exception):
    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code, self.reason = code, reason


def _camel(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(w.title() for w in rest)


@dataclass
class MusicState:
    prompts: list[dict[str, Any]] = field(default_factory=list)
    config: dict[str, Any] = field(default_factory=dict)
    position: float = 0.0  # seconds generated since the context began

    @property
    def bpm(self) -> int:
        if self.config.get("bpm"):
            return int(self.config["bpm"])
        text = " ".join(p["text"].lower() for p in self.prompts)
        if any(w in text for w in ("slow", "ambient", "lofi", "lo-fi")):
            return 80
        if any(w in text for w in ("fast", "techno", "drum and bass", "dnb")):
            return 140
        return 120

    @property
    def tonic(self) -> int:
        scale = self.config.get("scale")
        if scale in SCALES:
            return SCALES[scale]
        return digest("tonic", *(p["text"] for p in self.prompts))[0] % 12

    def timbre(self) -> int:
        if not self.prompts:
            return 1
        top = max(self.prompts, key=lambda p: p["weight"])
        return 1 + digest("timbre", top["text"])[0] % 3


def synthesize(state: MusicState, seconds: float) -> bytes:
    """``seconds`` of 48 kHz stereo PCM16 continuing from ``state.position``."""
    cfg = state.config
    bpm, tonic = state.bpm, state.tonic
    beat = 60.0 / bpm
    drums = not cfg.get("muteDrums")
    bass = not cfg.get("muteBass")
    melody = not cfg.get("onlyBassAndDrums")
    density = float(cfg.get("density", 0.5))
    notes_per_beat = 1 + round(density * 3)
    harmonics = 1 + round(float(cfg.get("brightness", 0.5)) * 3)
    timbre = state.timbre()
    seed = digest("pattern", cfg.get("seed", 0), *(p["text"] for p in state.prompts))
    n = int(seconds * RATE)
    out = array.array("h", bytes(n * CHANNELS * 2))
    start = state.position
    noise = int.from_bytes(seed[:4], "big") | 1
    for i in range(n):
        t = start + i / RATE
        beat_index, in_beat = divmod(t, beat)
        left = right = 0.0
        if drums:
            if in_beat < 0.12:  # kick: a falling low tone
                env = math.exp(-in_beat * 30)
                freq = 50 + 60 * math.exp(-in_beat * 40)
                left += _sine(freq * in_beat) * env * 0.9
            off = (in_beat - beat / 2) % beat
            if off < 0.03:  # hi-hat: short noise between beats
                noise = (noise * 1103515245 + 12345) & 0x7FFFFFFF
                hat = ((noise >> 8) % 2000 - 1000) / 1000 * math.exp(-off * 150) * 0.25
                left += hat
        right = left
        if bass and int(beat_index) % 2 == 0 and in_beat < beat * 0.8:
            freq = 55.0 * 2 ** (tonic / 12)
            value = _sine(freq * t) * 0.35 * math.exp(-in_beat * 2)
            left += value
            right += value
        if melody:
            step = beat / notes_per_beat
            note_index = int(t / step)
            in_note = t - note_index * step
            degree = seed[note_index % len(seed)] % 7
            freq = 261.63 * 2 ** ((tonic + MAJOR[degree]) / 12)
            env = math.exp(-in_note * (6 if timbre == 1 else 2))
            value = sum(_sine(freq * h * t) / h for h in range(1, harmonics + 1)) * 0.2 * env
            left += value * 0.8
            right += value * 1.2
        out[2 * i] = max(-32767, min(32767, int(left * 12000)))
        out[2 * i + 1] = max(-32767, min(32767, int(right * 12000)))
    state.position += seconds
    return out.tobytes()


def _sine(cycles: float) -> float:
    return _SINE[int(cycles * 4096) & 4095]


class MusicSession:
    def __init__(self, app: EmulatorApp, ws: WebSocket) -> None:
        self.app = app
        self.ws = ws
        self.state = MusicState()
        self.playing = False
        self.epoch = 0  # bumped when the context starts afresh
        self.player: asyncio.Task[None] | None = None
        self.closer: asyncio.Task[None] | None = None

    async def send(self, message: dict[str, Any]) -> None:
        await self.ws.send_text(json.dumps(message, separators=(",", ":")))

    async def receive(self) -> dict[str, Any]:
        frame = await self.ws.receive()
        if frame["type"] == "websocket.disconnect":
            raise WebSocketDisconnect(frame.get("code", 1000))
        try:
            message = json.loads(frame.get("text") or (frame.get("bytes") or b"").decode())
        except (ValueError, UnicodeDecodeError):
            raise _Close(1007, "Invalid JSON payload received.") from None
        if not isinstance(message, dict) or len(message) != 1:
            raise _Close(
                1007,
                "A client message has exactly one of setup, clientContent, "
                "musicGenerationConfig, playbackControl.",
            )
        return message

    async def run(self) -> None:
        try:
            first = await self.receive()
            setup = first.get("setup")
            if not isinstance(setup, dict):
                raise _Close(1007, "The first message must be a setup message.")
            unknown = set(setup) - {"model"}
            if unknown:
                raise _Close(
                    1007,
                    f'Invalid JSON payload received. Unknown name "{sorted(unknown)[0]}" '
                    "at 'setup': Cannot find field.",
                )
            name = str(setup.get("model", "")).removeprefix("models/")
            info = _catalogue.lookup(name)
            if info is None or not info.supports("bidiGenerateMusic"):
                raise _Close(
                    1008, f"models/{name} is not found or is not supported for bidiGenerateMusic."
                )
            # The faults in force are read before the client hears the session is set up, so a
            # test that clears them once connected cannot race the server.
            faults = live_faults(self.app)
            await self.send({"setupComplete": {}})
            if faults.close_code is not None:
                self.closer = asyncio.create_task(self._close_later(faults))
            while True:
                await self.handle(await self.receive())
        except _Close as close:
            with contextlib.suppress(Exception):
                await self.ws.close(code=close.code, reason=close.reason[:123])
        except (WebSocketDisconnect, RuntimeError):
            pass
        finally:
            for task in (self.player, self.closer):
                if task is not None:
                    task.cancel()

    async def _close_later(self, faults: LiveFaults) -> None:
        await asyncio.sleep((faults.close_after_ms or 0) / 1000)
        with contextlib.suppress(Exception):
            await self.ws.close(
                code=faults.close_code or 1011, reason="Internal error encountered."
            )

    async def handle(self, message: dict[str, Any]) -> None:
        key, value = next(iter(message.items()))
        key = _camel(key)
        if key == "clientContent":
            prompts = (value or {}).get("weightedPrompts") or (value or {}).get("weighted_prompts")
            if not isinstance(prompts, list) or not prompts:
                raise _Close(1007, "clientContent needs at least one weighted prompt.")
            kept = []
            for p in prompts:
                text = p.get("text") if isinstance(p, dict) else None
                weight = p.get("weight", 1.0) if isinstance(p, dict) else None
                if not isinstance(text, str) or not text.strip():
                    raise _Close(1007, "A weighted prompt needs a text.")
                if not isinstance(weight, int | float) or isinstance(weight, bool) or weight == 0:
                    raise _Close(1007, "A weighted prompt's weight must be a non-zero number.")
                if any(b in text.lower() for b in BLOCKED):
                    await self.send(
                        {
                            "filteredPrompt": {
                                "text": text,
                                "filteredReason": "The prompt was filtered by safety filters.",
                            }
                        }
                    )
                    continue
                kept.append({"text": text, "weight": float(weight)})
            if kept:
                self.state.prompts = kept
        elif key == "musicGenerationConfig":
            self.state.config = self._config(value)
        elif key == "playbackControl":
            await self._control(value)
        elif key == "setup":
            raise _Close(1007, "setup may only be sent once, as the first message.")
        else:
            raise _Close(
                1007, f'Invalid JSON payload received. Unknown name "{key}": Cannot find field.'
            )

    def _config(self, value: Any) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise _Close(1007, "musicGenerationConfig is an object.")
        config: dict[str, Any] = {}
        for raw_key, item in value.items():
            key = _camel(raw_key)
            spec = CONFIG_FIELDS.get(key)
            if spec is None:
                raise _Close(
                    1007,
                    f'Invalid JSON payload received. Unknown name "{raw_key}" at '
                    "'music_generation_config': Cannot find field.",
                )
            kind, low, high = spec
            if kind is bool and not isinstance(item, bool):
                raise _Close(1007, f"{key} is true or false.")
            if kind in (int, float) and (
                isinstance(item, bool) or not isinstance(item, int | float)
            ):
                raise _Close(1007, f"{key} is a number.")
            if low is not None and high is not None and not low <= item <= high:
                raise _Close(1007, f"{key} must be in [{low}, {high}], got {item}.")
            if key == "scale" and item not in SCALES and item != "SCALE_UNSPECIFIED":
                raise _Close(1007, f"Invalid value for scale: {item}.")
            if key == "musicGenerationMode" and item not in MODES:
                raise _Close(1007, f"Invalid value for music_generation_mode: {item}.")
            config[key] = item
        return config

    async def _control(self, value: Any) -> None:
        if value == "PLAY":
            if not self.playing:
                self.playing = True
                self.player = asyncio.create_task(self._play())
        elif value in ("PAUSE", "STOP"):
            self.playing = False
            if self.player is not None:
                self.player.cancel()
                self.player = None
            if value == "STOP":
                self.state.position = 0.0
                self.epoch += 1
        elif value == "RESET_CONTEXT":
            self.state.position = 0.0
            self.epoch += 1
        else:
            raise _Close(1007, f"Invalid value for playback_control: {value}.")

    async def _play(self) -> None:
        loop = asyncio.get_running_loop()
        # The first chunks go out as fast as they are made, so the listener holds a lead of
        # LEAD_CHUNKS chunks; then one chunk per chunk's length, as a real-time stream keeps it.
        lead = LEAD_CHUNKS * CHUNK_SECONDS * self.app.options.live_pace
        due = loop.time() - lead
        while self.playing:
            if not self.state.prompts:
                await asyncio.sleep(0.05)  # nothing to play until prompts arrive
                due = loop.time() - lead
                continue
            source = {"clientContent": {"weightedPrompts": self.state.prompts}}
            if self.state.config:
                source["musicGenerationConfig"] = self.state.config
            # Made from a copy: a STOP or RESET_CONTEXT while it is made starts the next chunk
            # from the top of a fresh context, not after this one.
            epoch, draft = self.epoch, replace(self.state)
            pcm = await asyncio.to_thread(synthesize, draft, CHUNK_SECONDS)
            if epoch == self.epoch:
                self.state.position = draft.position
            await self.send(
                {
                    "serverContent": {
                        "audioChunks": [
                            {
                                "data": base64.b64encode(pcm).decode("ascii"),
                                "mimeType": MIME,
                                "sourceMetadata": source,
                            }
                        ]
                    }
                }
            )
            # Paced against the clock, so that the time spent synthesizing does not add up
            # into gaps at the listener's end.
            due += CHUNK_SECONDS * self.app.options.live_pace
            await asyncio.sleep(max(0.0, due - loop.time()))


@serves_socket("BidiGenerateMusic")
async def bidi_generate_music(app: EmulatorApp, ws: WebSocket, version: str) -> None:
    await ws.accept()
    from .live import _check_key

    refused = _check_key(app, ws)
    if refused is not None:
        await ws.close(code=1008, reason=refused[:123])
        return
    await MusicSession(app, ws).run()
