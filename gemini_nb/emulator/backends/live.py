"""The Live API (``BidiGenerateContent``): a real-time session over one WebSocket.

What a session does, in the order the real server does it:

* The handshake carries the key (``x-goog-api-key`` or ``key``); the ``Constrained`` variant takes
  an ephemeral token instead (``Authorization: Token auth_tokens/...``, see ``auth_tokens.py``).
  The first frame must be ``{"setup": BidiGenerateContentSetup}``, validated against the
  Discovery document; a bad one closes the socket with 1007 and the real message, a model
  without ``bidiGenerateContent`` with 1008. Then ``{"setupComplete": {}}``.
* ``clientContent`` turns are added to the conversation; ``turnComplete`` asks for an answer.
  ``realtimeInput.text`` is a user turn. ``realtimeInput.audio`` (PCM16 at the rate its MIME type
  says) goes through voice activity detection: energy per 20 ms frame against a threshold set by
  the start sensitivity, speech ending after ``silenceDurationMs`` of quiet (or at
  ``audioStreamEnd``, or between ``activityStart`` / ``activityEnd`` when automatic detection is
  off). The utterance becomes a user turn (the audio itself: the model acknowledges its length),
  with ``inputTranscription`` when asked for. The emulator recognises no words: the transcription
  says how long the speech was.
* The answer comes from the same deterministic model as ``generateContent`` (scripted answers
  apply): text as ``modelTurn`` text parts, or with ``responseModalities: ["AUDIO"]`` speech-like
  PCM at 24 kHz in 100 ms chunks sent at the pace they play (``live_pace``), with
  ``outputTranscription`` pieces when asked for; then ``generationComplete``, then ``turnComplete``
  with ``usageMetadata``. A function call becomes a ``toolCall``; the answer continues after the
  matching ``toolResponse``.
* Speech from the user while an answer is being sent stops it: ``{"serverContent": {"interrupted": true}}``.
* With ``sessionResumption`` in the setup, every completed turn is followed by a
  ``sessionResumptionUpdate`` with a new handle; a later setup with that handle resumes the
  conversation. Faults (``/_emulator/faults`` with ``{"live": {"close_code": 1011,
  "close_after_ms": 2000}}`` or ``{"live": {"go_away_every_ms": 30000}}``) close the socket or
  send ``goAway`` on schedule.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import math
import re
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from starlette.websockets import WebSocket, WebSocketDisconnect

from ..model import generate as _model
from ..model.hashing import digest
from ..model.media import pcm_speech
from ..model.tokens import token_count
from ..wire import schema as _schema
from ..wire.errors import EmulatorError
from ..wire.websocket import serves_socket
from . import catalogue as _catalogue

if TYPE_CHECKING:
    from ..wire.app import EmulatorApp

__all__ = ["LiveFaults", "live_faults"]

OUTPUT_RATE = 24_000
CHUNK_SECONDS = 0.1
FRAME_SECONDS = 0.02
# RMS thresholds (PCM16 units) for the start of speech, by start sensitivity.
THRESHOLDS = {"START_SENSITIVITY_HIGH": 400.0, "START_SENSITIVITY_LOW": 1500.0}
DEFAULT_THRESHOLD = 700.0
DEFAULT_SILENCE_MS = 600
MAX_UTTERANCE_SECONDS = 60.0
AUDIO_INPUT_TOKENS_PER_SECOND = 25
HANDLES = "liveHandles"
# WebSocket close reasons are at most 123 bytes.
_REASON_BYTES = 123


@dataclass
class LiveFaults:
    """Faults for Live sessions: close with a code after a delay, or goAway on a schedule."""

    close_code: int | None = None
    close_after_ms: float | None = None
    go_away_every_ms: float | None = None


def live_faults(app: EmulatorApp) -> LiveFaults:
    """The live faults in force (the ``live`` entry of the newest fault spec that has one)."""
    found = LiveFaults()
    for spec in app.faults.list():
        live = spec.get("live") if isinstance(spec, dict) else None
        if isinstance(live, dict):
            found = LiveFaults(
                close_code=live.get("close_code"),
                close_after_ms=live.get("close_after_ms"),
                go_away_every_ms=live.get("go_away_every_ms"),
            )
    return found


class _Close(Exception):
    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


def _reason(text: str) -> str:
    raw = text.encode("utf-8")[:_REASON_BYTES]
    return raw.decode("utf-8", "ignore")


@dataclass
class _Vad:
    """Energy-based voice activity detection over PCM16 frames."""

    threshold: float
    silence_ms: float
    enabled: bool = True
    speaking: bool = False
    quiet_ms: float = 0.0
    loud_frames: int = 0
    buffer: bytearray = field(default_factory=bytearray)
    rate: int = 16_000
    finished: list[bytes] = field(default_factory=list)

    def feed(self, pcm: bytes, rate: int) -> list[str]:
        """Events ("start", "end") that this audio causes, in order."""
        self.rate = rate
        events: list[str] = []
        frame_bytes = max(2, int(rate * FRAME_SECONDS) * 2)
        for offset in range(0, len(pcm) - len(pcm) % 2, frame_bytes):
            frame = pcm[offset : offset + frame_bytes]
            n = len(frame) // 2
            if n == 0:
                continue
            samples = struct.unpack(f"<{n}h", frame[: n * 2])
            rms = math.sqrt(sum(s * s for s in samples) / n)
            frame_ms = 1000.0 * n / rate
            if self.speaking:
                self.buffer += frame
                if not self.enabled:
                    continue  # the client marks where speech ends (activityEnd)
                if rms < self.threshold:
                    self.quiet_ms += frame_ms
                    if self.quiet_ms >= self.silence_ms:
                        self.end()
                        events.append("end")
                else:
                    self.quiet_ms = 0.0
            elif self.enabled and rms >= self.threshold:
                self.loud_frames += 1
                self.buffer += frame
                if self.loud_frames >= 2:  # two loud frames in a row: not a click
                    self.speaking = True
                    self.quiet_ms = 0.0
                    events.append("start")
            else:
                self.loud_frames = 0
                self.buffer.clear()
        return events

    def end(self) -> None:
        """The utterance is over: keep its audio for :meth:`take`."""
        self.speaking = False
        # The quiet that ended the utterance is not part of it.
        trailing = int(self.rate * self.quiet_ms / 1000) * 2 if self.enabled else 0
        speech = self.buffer[: len(self.buffer) - trailing] if trailing else self.buffer
        self.finished.append(bytes(speech[: int(self.rate * 2 * MAX_UTTERANCE_SECONDS)]))
        self.quiet_ms = 0.0
        self.buffer.clear()
        self.loud_frames = 0

    def take(self) -> bytes:
        return self.finished.pop(0) if self.finished else b""


class Session:
    def __init__(self, app: EmulatorApp, ws: WebSocket, version: str) -> None:
        self.app = app
        self.ws = ws
        self.version = version
        self.setup: dict[str, Any] = {}
        self.model: _catalogue.ModelInfo | None = None
        self.history: list[dict[str, Any]] = []
        self.answering: asyncio.Task[None] | None = None
        self.pending_calls: dict[str, str] = {}
        self.send_lock = asyncio.Lock()
        self.vad = _Vad(DEFAULT_THRESHOLD, DEFAULT_SILENCE_MS)
        self.manual_activity = False
        self.turns = 0
        self.audio_out = False

    # ------------------------------------------------------------------ plumbing

    async def send(self, message: dict[str, Any]) -> None:
        async with self.send_lock:
            await self.ws.send_text(json.dumps(message, separators=(",", ":")))

    async def run(self, lock: Callable[[dict[str, Any]], dict[str, Any]] | None = None) -> None:
        timers: list[asyncio.Task[None]] = []
        try:
            # The faults in force are read before setupComplete goes out (in _setup), so a test
            # that clears them once connected cannot race the server.
            faults = await self._setup(lock)
            if faults.close_code is not None:
                timers.append(asyncio.create_task(self._close_later(faults)))
            if faults.go_away_every_ms:
                timers.append(asyncio.create_task(self._go_away(faults.go_away_every_ms)))
            while True:
                message = await self._receive()
                await self._handle(message)
        except _Close as close:
            with contextlib.suppress(Exception):
                await self.ws.close(code=close.code, reason=_reason(close.reason))
        except (WebSocketDisconnect, RuntimeError):
            pass
        finally:
            for task in [*timers, self.answering]:
                if task is not None:
                    task.cancel()

    async def _receive(self) -> dict[str, Any]:
        frame = await self.ws.receive()
        if frame["type"] == "websocket.disconnect":
            raise WebSocketDisconnect(frame.get("code", 1000))
        text = frame.get("text")
        if text is None and frame.get("bytes") is not None:
            text = frame["bytes"].decode("utf-8", "replace")
        try:
            message = json.loads(text or "")
        except (ValueError, RecursionError):
            raise _Close(1007, "Invalid JSON payload received.") from None
        if not isinstance(message, dict) or len(message) != 1:
            raise _Close(
                1007,
                "A client message has exactly one of setup, clientContent, "
                "realtimeInput, toolResponse.",
            )
        return message

    async def _close_later(self, faults: LiveFaults) -> None:
        await asyncio.sleep((faults.close_after_ms or 0) / 1000)
        with contextlib.suppress(Exception):
            await self.ws.close(
                code=faults.close_code or 1011, reason="Internal error encountered."
            )

    async def _go_away(self, every_ms: float) -> None:
        while True:
            await asyncio.sleep(every_ms / 1000)
            await self.send({"goAway": {"timeLeft": "10s"}})

    # ------------------------------------------------------------------ setup

    async def _setup(self, lock: Callable[[dict[str, Any]], dict[str, Any]] | None) -> LiveFaults:
        first = await self._receive()
        key, setup = next(iter(first.items()))
        if key != "setup":
            raise _Close(1007, "The first message must be a setup message.")
        if lock is not None and isinstance(setup, dict):
            try:
                setup = lock(setup)
            except EmulatorError as err:
                raise _Close(1008, err.message) from None
        try:
            self.setup = _schema.validate("BidiGenerateContentSetup", setup)
        except EmulatorError as err:
            raise _Close(1007, err.message) from None
        name = str(self.setup["model"]).removeprefix("models/")
        info = _catalogue.lookup(name)
        if info is None or not info.supports("bidiGenerateContent"):
            raise _Close(
                1008,
                f"models/{name} is not found for API version {self.version}, or is not "
                "supported for bidiGenerateContent.",
            )
        self.model = info
        config = self.setup.get("generationConfig") or {}
        self.audio_out = "AUDIO" in (config.get("responseModalities") or ["TEXT"])
        realtime = self.setup.get("realtimeInputConfig") or {}
        detection = realtime.get("automaticActivityDetection") or {}
        self.manual_activity = bool(detection.get("disabled"))
        self.vad = _Vad(
            THRESHOLDS.get(str(detection.get("startOfSpeechSensitivity")), DEFAULT_THRESHOLD),
            float(detection.get("silenceDurationMs") or DEFAULT_SILENCE_MS),
            enabled=not self.manual_activity,
        )
        resumption = self.setup.get("sessionResumption")
        handle = resumption.get("handle") if isinstance(resumption, dict) else None
        if handle:
            with self.app.store.lock:
                saved = self.app.store.collection(HANDLES).get(handle)
            if saved is None:
                raise _Close(1008, "Session resumption handle is invalid or has expired.")
            self.history = json.loads(json.dumps(saved))
        faults = live_faults(self.app)
        await self.send({"setupComplete": {}})
        return faults

    # ------------------------------------------------------------------ client messages

    async def _handle(self, message: dict[str, Any]) -> None:
        key, value = next(iter(message.items()))
        if not isinstance(value, dict):
            raise _Close(1007, f"Invalid value for {key}.")
        if key in ("clientContent", "client_content"):
            turns = value.get("turns") or []
            for turn in turns:
                if not isinstance(turn, dict):
                    raise _Close(1007, "clientContent.turns holds Content objects.")
                self.history.append(
                    {"role": turn.get("role") or "user", "parts": list(turn.get("parts") or [])}
                )
            if value.get("turnComplete", value.get("turn_complete")):
                await self._interrupt()
                self._answer()
        elif key in ("realtimeInput", "realtime_input"):
            await self._realtime(value)
        elif key in ("toolResponse", "tool_response"):
            responses = value.get("functionResponses") or value.get("function_responses") or []
            parts = []
            for r in responses:
                if not isinstance(r, dict) or r.get("id") not in self.pending_calls:
                    raise _Close(1007, "A function response names no pending function call id.")
                self.pending_calls.pop(r["id"])
                parts.append(
                    {
                        "functionResponse": {
                            "name": r.get("name"),
                            "id": r["id"],
                            "response": r.get("response") or {},
                        }
                    }
                )
            self.history.append({"role": "user", "parts": parts})
            if not self.pending_calls:
                self._answer()
        elif key == "setup":
            raise _Close(1007, "setup may only be sent once, as the first message.")
        else:
            raise _Close(
                1007, f'Invalid JSON payload received. Unknown name "{key}": Cannot find field.'
            )

    async def _realtime(self, value: dict[str, Any]) -> None:
        blob = value.get("audio") or None
        chunks = value.get("mediaChunks") or value.get("media_chunks") or []
        if blob is not None:
            chunks = [blob]
        for chunk in chunks:
            mime = str(chunk.get("mimeType") or chunk.get("mime_type") or "")
            if mime.startswith("image/"):
                continue  # video frames are taken and not looked at
            if not mime.startswith("audio/pcm"):
                raise _Close(
                    1007, f"Unsupported audio format {mime or '(none)'}: send audio/pcm;rate=16000."
                )
            rate_match = re.search(r"rate=(\d+)", mime)
            rate = int(rate_match.group(1)) if rate_match else 16_000
            try:
                pcm = base64.b64decode(str(chunk.get("data") or ""), validate=False)
            except ValueError:
                raise _Close(1007, "Audio data is not base64.") from None
            for event in self.vad.feed(pcm, rate):
                await self._activity(event)
        if value.get("video"):
            return
        if "text" in value:
            await self._interrupt()
            self.history.append({"role": "user", "parts": [{"text": str(value["text"])}]})
            self._answer()
        if value.get("activityStart") is not None or value.get("activity_start") is not None:
            self.vad.speaking = True
            await self._activity("start")
        if value.get("activityEnd") is not None or value.get("activity_end") is not None:
            self.vad.end()
            await self._activity("end")
        if value.get("audioStreamEnd") or value.get("audio_stream_end"):
            if self.vad.speaking:
                self.vad.end()
                await self._activity("end")

    async def _activity(self, event: str) -> None:
        if event == "start":
            await self._interrupt()
            return
        audio = self.vad.take()
        seconds = len(audio) / 2 / self.vad.rate
        if seconds <= 0:
            return
        if self.setup.get("inputAudioTranscription") is not None:
            await self.send(
                {"serverContent": {"inputTranscription": {"text": f"[speech, {seconds:.1f} s]"}}}
            )
        self.history.append(
            {
                "role": "user",
                "parts": [
                    {
                        "inlineData": {
                            "mimeType": f"audio/pcm;rate={self.vad.rate}",
                            "data": base64.b64encode(audio).decode("ascii"),
                        }
                    }
                ],
            }
        )
        self._answer()

    async def _interrupt(self) -> None:
        task = self.answering
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            await self.send({"serverContent": {"interrupted": True}})
        self.answering = None

    # ------------------------------------------------------------------ answers

    def _answer(self) -> None:
        self.answering = asyncio.create_task(self._reply())

    def _request(self) -> dict[str, Any]:
        config = dict(self.setup.get("generationConfig") or {})
        config.pop("responseModalities", None)
        config.pop("speechConfig", None)
        config["thinkingConfig"] = {"thinkingBudget": 0}
        request: dict[str, Any] = {"contents": self.history, "generationConfig": config}
        for k in ("systemInstruction", "tools"):
            if self.setup.get(k):
                request[k] = self.setup[k]
        return request

    async def _reply(self) -> None:
        assert self.model is not None
        request = self._request()
        text_model = _catalogue.lookup("gemini-2.5-flash")
        assert text_model is not None
        scripted = self.app.answers.match(request, self.model.name)
        answer = _model.generate(request, text_model, scripted=scripted)
        parts = [
            p
            for p in answer["candidates"][0].get("content", {}).get("parts", [])
            if not p.get("thought")
        ]
        calls = [p["functionCall"] for p in parts if "functionCall" in p]
        prompt_tokens = token_count(
            self.history, self.setup.get("systemInstruction"), self.setup.get("tools")
        )
        if calls:
            out = []
            for i, call in enumerate(calls):
                call_id = "function-call-" + str(
                    int.from_bytes(
                        digest(self.turns, i, json.dumps(call, sort_keys=True))[:8], "big"
                    )
                )
                self.pending_calls[call_id] = call["name"]
                out.append({"name": call["name"], "args": call.get("args") or {}, "id": call_id})
            self.history.append({"role": "model", "parts": [{"functionCall": c} for c in calls]})
            await self.send({"toolCall": {"functionCalls": out}})
            return
        text = "".join(p.get("text", "") for p in parts).strip() or "Okay."
        self.history.append({"role": "model", "parts": [{"text": text}]})
        if self.audio_out:
            response_tokens, modality = await self._speak(text)
        else:
            response_tokens, modality = await self._write(text)
        await self.send({"serverContent": {"generationComplete": True}})
        self.turns += 1
        usage = {
            "promptTokenCount": prompt_tokens,
            "responseTokenCount": response_tokens,
            "totalTokenCount": prompt_tokens + response_tokens,
            "promptTokensDetails": [{"modality": "TEXT", "tokenCount": prompt_tokens}],
            "responseTokensDetails": [{"modality": modality, "tokenCount": response_tokens}],
        }
        await self.send({"serverContent": {"turnComplete": True}, "usageMetadata": usage})
        if self.setup.get("sessionResumption") is not None:
            handle = "-".join(digest(id(self), self.turns).hex()[i : i + 8] for i in (0, 8, 16, 24))
            with self.app.store.lock:
                self.app.store.collection(HANDLES)[handle] = json.loads(json.dumps(self.history))
            await self.send({"sessionResumptionUpdate": {"newHandle": handle, "resumable": True}})

    async def _write(self, text: str) -> tuple[int, str]:
        words = re.findall(r"\S+\s*", text)
        for i in range(0, len(words), 8):
            piece = "".join(words[i : i + 8])
            await self.send({"serverContent": {"modelTurn": {"parts": [{"text": piece}]}}})
            await asyncio.sleep(0)
        return token_count([{"parts": [{"text": text}]}]), "TEXT"

    async def _speak(self, text: str) -> tuple[int, str]:
        pcm = pcm_speech(text, digest(text, self.turns), rate=OUTPUT_RATE, max_seconds=30.0)
        step = int(OUTPUT_RATE * CHUNK_SECONDS) * 2
        words = re.findall(r"\S+\s*", text)
        chunks = max(1, math.ceil(len(pcm) / step))
        transcribe = self.setup.get("outputAudioTranscription") is not None
        pace = self.app.options.live_pace
        sent_words = 0
        start = asyncio.get_running_loop().time()
        for index in range(chunks):
            data = pcm[index * step : (index + 1) * step]
            content: dict[str, Any] = {
                "modelTurn": {
                    "parts": [
                        {
                            "inlineData": {
                                "mimeType": f"audio/pcm;rate={OUTPUT_RATE}",
                                "data": base64.b64encode(data).decode("ascii"),
                            }
                        }
                    ]
                }
            }
            due = math.ceil(len(words) * (index + 1) / chunks)
            if transcribe and due > sent_words:
                content["outputTranscription"] = {"text": "".join(words[sent_words:due])}
                sent_words = due
            await self.send({"serverContent": content})
            # Sent at the pace it plays, so that the user can talk over it; paced against the
            # clock, so that sending time does not add up into gaps at the listener's end.
            due_at = start + (index + 1) * CHUNK_SECONDS * pace
            await asyncio.sleep(max(0.0, due_at - asyncio.get_running_loop().time()))
        seconds = len(pcm) / 2 / OUTPUT_RATE
        return max(1, math.ceil(seconds * _model.AUDIO_OUTPUT_TOKENS_PER_SECOND)), "AUDIO"


def _check_key(app: EmulatorApp, ws: WebSocket) -> str | None:
    expected = app.options.api_key
    if expected is None:
        return None
    given = ws.headers.get("x-goog-api-key") or ws.query_params.get("key")
    if not given:
        return "Method doesn't allow unregistered callers. Please use API Key."
    if given != expected:
        return "API key not valid. Please pass a valid API key."
    return None


@serves_socket("BidiGenerateContent")
async def bidi_generate_content(app: EmulatorApp, ws: WebSocket, version: str) -> None:
    await ws.accept()
    refused = _check_key(app, ws)
    if refused is not None:
        await ws.close(code=1008, reason=_reason(refused))
        return
    await Session(app, ws, version).run()


@serves_socket("BidiGenerateContentConstrained")
async def bidi_generate_content_constrained(app: EmulatorApp, ws: WebSocket, version: str) -> None:
    from .auth_tokens import redeem

    await ws.accept()
    auth = ws.headers.get("authorization", "")
    token = (
        auth[len("Token ") :] if auth.startswith("Token ") else ws.query_params.get("access_token")
    )
    try:
        locked = redeem(app.store, token or "")
    except EmulatorError as err:
        await ws.close(code=1008, reason=_reason(err.message))
        return
    await Session(app, ws, version).run(lock=locked)
