"""The Live API without the I/O: the setup, the client frames, input checks, server messages,
and the bookkeeping that lets a session reconnect without losing a turn.

Everything here is pure and shared by the async session and its sync facade
(``resources/live.py``), and tested without a server.

Resumption, in short: the setup asks for handles (an empty ``sessionResumption``); each
``sessionResumptionUpdate`` with a new handle acknowledges what the client had sent: up to
``lastConsumedClientMessageIndex`` when the server says, else what was sent before the model's
last ``turnComplete`` or ``toolCall`` (what its answer demonstrably followed; a message sent
after it may or may not be in the handle's state, and is kept, since sending a message twice
is better than losing it). The client keeps what was not acknowledged in a bounded
:class:`ResendQueue`; a reconnect resumes with the latest handle and sends the queue again. A
queue that overflowed cannot be replayed faithfully, so the session raises instead of
reconnecting. Tool responses are never re-sent: the calls they answer came after the handle,
and the resumed model calls again.
"""

from __future__ import annotations

import base64
import json
import re
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from ._config import Secret, Settings
from ._exceptions import (
    APIResponseError,
    InvalidInputError,
    LiveConnectionClosed,
    LiveSetupError,
)
from ._transport import USER_AGENT, merge_body
from .types import Blob, FunctionResponse, HttpOptions, parse_response, to_wire
from .types._base import WireModel
from .types.live import (
    LiveConnectConfig,
    LiveServerMessage,
    LiveServerSessionResumptionUpdate,
    SessionResumptionConfig,
)

__all__ = [
    "NORMAL_CLOSE_CODES",
    "RECOVERABLE_CLOSE_CODES",
    "LiveSetup",
    "ResendQueue",
    "audio_blob",
    "build_setup",
    "client_content_frame",
    "close_error",
    "coerce_live_config",
    "connect_headers",
    "go_away_deadline",
    "live_url",
    "parse_frame",
    "parse_message",
    "realtime_input_frame",
    "tool_response_frame",
]

M = TypeVar("M", bound=WireModel)

# Closes that end a session as planned: iteration stops, nothing is raised. 1005 is a close
# frame without a code.
NORMAL_CLOSE_CODES = frozenset({1000, 1005})
# Closes after which the same session can go on: going away, no close frame (the connection
# dropped), internal error, service restart, try again later.
RECOVERABLE_CLOSE_CODES = frozenset({1001, 1006, 1011, 1012, 1013})

# The resend queue's default bound, in messages, and its bound in bytes (whatever the count).
RESEND_LIMIT = 1000
RESEND_MAX_BYTES = 64 * 1024 * 1024

# Input audio: raw PCM16, little-endian, mono, at the rate its MIME type says. The API
# resamples what it gets; these are the rates it takes.
MIN_AUDIO_RATE = 8_000
MAX_AUDIO_RATE = 48_000
_PCM_MIME = re.compile(r"audio/pcm\s*;\s*rate\s*=\s*(\d+)\s*", re.IGNORECASE)
_NOT_RAW_PCM: tuple[tuple[bytes, str], ...] = (
    (b"RIFF", "a WAV file (send its PCM frames without the header, e.g. from wave.readframes)"),
    (b"ID3", "an MP3 file"),
    (b"\xff\xfb", "an MP3 file"),
    (b"OggS", "an Ogg file"),
    (b"fLaC", "a FLAC file"),
)


# ------------------------------------------------------------------ URL and handshake


def live_url(base_url: str, version: str, method: str) -> str:
    """``ws://`` or ``wss://`` as the base URL is ``http://`` or ``https://``."""
    base = base_url.rstrip("/")
    if base.startswith("https://"):
        base = "wss://" + base[len("https://") :]
    elif base.startswith("http://"):
        base = "ws://" + base[len("http://") :]
    return f"{base}/ws/google.ai.generativelanguage.{version}.GenerativeService.{method}"


def is_ephemeral(key: str | None) -> bool:
    return bool(key) and str(key).startswith("auth_tokens/")


def connect_headers(
    settings: Settings, token: Secret | None, extra: Mapping[str, str] | None
) -> dict[str, str]:
    """The handshake's headers: the key in ``x-goog-api-key``, or an ephemeral token in
    ``Authorization: Token …``. Built just before connecting and dropped after."""
    headers = {"x-goog-api-client": USER_AGENT, **settings.headers, **(extra or {})}
    if token is not None:
        headers["authorization"] = f"Token {token.reveal()}"
    elif settings.api_key is not None:
        headers["x-goog-api-key"] = settings.api_key.reveal()
    return headers


SECRET_HEADERS = frozenset({"x-goog-api-key", "authorization"})


# ------------------------------------------------------------------ the setup


def coerce_live_config(config: Any) -> LiveConnectConfig:
    from ._options import coerce_config_as

    return coerce_config_as(LiveConnectConfig, config)


@dataclass
class LiveSetup:
    """A session's setup, and what the client does with it."""

    model: str
    setup: dict[str, Any]  # without sessionResumption
    functions: dict[str, Any] = field(default_factory=dict)  # name -> Python callable
    tool_timeout: float | None = 60.0
    resumption: bool = True
    handle: str | None = None  # the handle to start from
    http_options: HttpOptions | None = None

    def setup_dict(self, handle: str | None) -> dict[str, Any]:
        """The setup, resuming ``handle`` (when resumption is on)."""
        setup = dict(self.setup)
        if self.resumption:
            setup["sessionResumption"] = {"handle": handle} if handle else {}
        return setup

    def message(self, handle: str | None) -> str:
        """The ``{"setup": …}`` frame."""
        return _dumps({"setup": self.setup_dict(handle)})


_GENERATION_FIELDS = (
    "response_modalities", "temperature", "top_p", "top_k", "max_output_tokens",
    "media_resolution", "seed", "thinking_config", "enable_affective_dialog",
    "translation_config",
)  # fmt: skip
_SETUP_FIELDS = (
    "input_audio_transcription", "output_audio_transcription", "realtime_input_config",
    "context_window_compression", "proactivity", "history_config", "avatar_config", "labels",
)  # fmt: skip


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(w.title() for w in rest)


def _wire(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return to_wire(value)
    if isinstance(value, list):
        return [_wire(v) for v in value]
    return value


def _speech_config(value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        return {"voiceConfig": {"prebuiltVoiceConfig": {"voiceName": value}}}
    wire: dict[str, Any] = to_wire(value)
    if "multiSpeakerVoiceConfig" in wire:
        raise InvalidInputError(
            "speech_config: the Live API speaks with one voice; pass a voice name such as "
            "'Kore' or a SpeechConfig with voice_config, not multi_speaker_voice_config."
        )
    return wire


def build_setup(model: str, config: Any) -> LiveSetup:
    """The ``BidiGenerateContentSetup`` for ``model`` and a :class:`LiveConnectConfig` (or a
    dict of its fields), with the Python tools to run and how."""
    from ._convert import _system_instruction, model_path, split_tools

    cfg = coerce_live_config(config)
    setup: dict[str, Any] = {"model": model_path(model)}
    gen: dict[str, Any] = to_wire(cfg.generation_config) if cfg.generation_config else {}
    for name in _GENERATION_FIELDS:
        value = getattr(cfg, name)
        if value is not None:
            gen[_camel(name)] = _wire(value)
    if cfg.speech_config is not None:
        gen["speechConfig"] = _speech_config(cfg.speech_config)
    if gen:
        setup["generationConfig"] = gen
    if cfg.system_instruction is not None:
        setup["systemInstruction"] = _system_instruction(cfg.system_instruction)
    tools, callables = split_tools(cfg.tools)
    if tools:
        setup["tools"] = tools
    for name in _SETUP_FIELDS:
        value = getattr(cfg, name)
        if value is not None:
            setup[_camel(name)] = _wire(value)
    if cfg.safety_settings:
        setup["safetySettings"] = [to_wire(s) for s in cfg.safety_settings]
    options = cfg.http_options
    if options is not None and options.extra_body:
        setup = merge_body(setup, options.extra_body)
    resumption = cfg.session_resumption
    afc = cfg.automatic_function_calling
    functions: dict[str, Any] = {}
    if callables and not (afc is not None and afc.disable):
        from ._functions import declare_function

        functions = {declare_function(fn)["name"]: fn for fn in callables}
    return LiveSetup(
        model=setup["model"],
        setup=setup,
        functions=functions,
        tool_timeout=afc.timeout if afc is not None else 60.0,
        resumption=resumption is not False,
        handle=resumption.handle if isinstance(resumption, SessionResumptionConfig) else None,
        http_options=options,
    )


# ------------------------------------------------------------------ client frames


def _dumps(message: dict[str, Any]) -> str:
    try:
        return json.dumps(message, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError):
        from ._convert import invalid_body

        raise invalid_body(message) from None


def client_content_frame(turns: Any, turn_complete: bool) -> str:
    """``{"clientContent": {"turns": [...], "turnComplete": …}}``: turns are Contents, dicts,
    or what ``generate_content`` takes (a string is one user turn)."""
    from ._convert import to_contents

    body: dict[str, Any] = {}
    if turns is not None:
        body["turns"] = to_contents(_foreign_to_dicts(turns))
    body["turnComplete"] = bool(turn_complete)
    return _dumps({"clientContent": body})


def _foreign_to_dicts(value: Any) -> Any:
    """Another library's pydantic objects (google-genai's Content, say) as plain dicts."""
    if isinstance(value, BaseModel) and not isinstance(value, WireModel):
        return value.model_dump(exclude_none=True)
    if isinstance(value, (list, tuple)):
        return [_foreign_to_dicts(v) for v in value]
    return value


def _blob_fields(value: Any, what: str) -> tuple[bytes, str | None]:
    """The bytes and MIME type of a Blob, a dict, google-genai's Blob, or bare bytes."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value), None
    if isinstance(value, Mapping):
        data = value.get("data")
        mime = value.get("mime_type", value.get("mimeType"))
    else:
        data = getattr(value, "data", None)
        mime = getattr(value, "mime_type", None)
    if isinstance(data, str):
        try:
            data = Blob(data=data, mime_type="x/x").data  # base64 text, as on the wire
        except ValidationError:
            raise InvalidInputError(f"{what}: data is text but not base64; pass bytes.") from None
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise InvalidInputError(
            f"{what} must be a Blob (types.Blob(data=..., mime_type=...)), a dict with data "
            f"and mime_type, or bytes; got {type(value).__name__}."
        )
    if mime is not None and not isinstance(mime, str):
        raise InvalidInputError(f"{what}: mime_type must be a string.")
    return bytes(data), mime


def audio_blob(value: Any) -> dict[str, str]:
    """A checked audio Blob for ``realtimeInput.audio``: raw PCM16 with ``audio/pcm;rate=N``.

    Refused before sending (:class:`InvalidInputError`): no MIME type, another format (WAV,
    MP3, …), a rate the API does not take, or bytes that are not whole 16-bit samples.
    """
    data, mime = _blob_fields(value, "audio")
    if mime is None:
        raise InvalidInputError(
            "audio needs its MIME type: pass types.Blob(data=pcm, "
            "mime_type='audio/pcm;rate=16000') (raw 16-bit little-endian PCM, mono)."
        )
    match = _PCM_MIME.fullmatch(mime.strip())
    if match is None:
        raise InvalidInputError(
            f"audio mime_type {mime!r} is not one the Live API takes: send raw 16-bit PCM "
            "(little-endian, mono) as 'audio/pcm;rate=16000' (any rate from 8000 to 48000)."
        )
    rate = int(match.group(1))
    if not MIN_AUDIO_RATE <= rate <= MAX_AUDIO_RATE:
        raise InvalidInputError(
            f"audio at {rate} Hz: the Live API takes PCM at {MIN_AUDIO_RATE} to "
            f"{MAX_AUDIO_RATE} Hz (16000 is its native rate); resample it first."
        )
    for signature, kind in _NOT_RAW_PCM:
        if data.startswith(signature):
            raise InvalidInputError(f"audio: these bytes are {kind}, not raw PCM16.")
    if not data:
        raise InvalidInputError("audio is empty; send at least one 16-bit sample.")
    if len(data) % 2:
        raise InvalidInputError(
            f"audio is {len(data)} bytes, an odd number: PCM16 samples are 2 bytes each. Is it "
            "8-bit or float audio? Convert it to 16-bit integers first."
        )
    return {"mimeType": f"audio/pcm;rate={rate}", "data": base64.b64encode(data).decode("ascii")}


def video_blob(value: Any) -> dict[str, str]:
    """A video frame for ``realtimeInput.video``: an image (a Blob, bytes or a PIL image)."""
    from ._convert import _is_pil_image, sniff_mime_type

    mime: str | None
    if _is_pil_image(value):
        import io

        buf = io.BytesIO()
        image = value.convert("RGB") if value.mode not in ("RGB", "L") else value
        image.save(buf, format="JPEG")
        data, mime = buf.getvalue(), "image/jpeg"
    else:
        data, mime = _blob_fields(value, "video")
        mime = mime or sniff_mime_type(data)
    if not mime or not mime.startswith("image/"):
        raise InvalidInputError(
            f"video frames are images (image/jpeg, image/png, …), not {mime or 'unknown bytes'}; "
            "send one frame at a time, e.g. a PIL image or types.Blob(data=jpeg, "
            "mime_type='image/jpeg')."
        )
    return {"mimeType": mime, "data": base64.b64encode(data).decode("ascii")}


def _activity(value: Any, name: str) -> dict[str, Any]:
    if value is True or value == {} or type(value).__name__ in ("ActivityStart", "ActivityEnd"):
        return {}
    raise InvalidInputError(f"{name} takes True (or {{}}), not {value!r}.")


def realtime_input_frame(**kwargs: Any) -> str:
    """``{"realtimeInput": {...}}`` with exactly one of the SDK's arguments set."""
    given = {k: v for k, v in kwargs.items() if v is not None}
    if len(given) != 1:
        names = ", ".join(sorted(given)) or "none"
        raise InvalidInputError(
            "send_realtime_input takes exactly one of media, audio, audio_stream_end, video, "
            f"text, activity_start, activity_end per call (got {names})."
        )
    [(name, value)] = given.items()
    body: dict[str, Any]
    if name == "media":  # the SDK's older argument: audio or a video frame, by MIME type
        mime = None if _is_image(value) else _blob_fields(value, "media")[1]
        if mime is not None and mime.startswith("audio/"):
            body = {"audio": audio_blob(value)}
        else:
            body = {"video": video_blob(value)}
    elif name == "audio":
        body = {"audio": audio_blob(value)}
    elif name == "video":
        body = {"video": video_blob(value)}
    elif name == "text":
        if not isinstance(value, str) or not value:
            raise InvalidInputError("text must be a non-empty string.")
        body = {"text": value}
    elif name == "audio_stream_end":
        if value is not True:
            raise InvalidInputError("audio_stream_end takes True (the microphone was turned off).")
        body = {"audioStreamEnd": True}
    elif name == "activity_start":
        body = {"activityStart": _activity(value, name)}
    else:
        body = {"activityEnd": _activity(value, name)}
    return _dumps({"realtimeInput": body})


def _is_image(value: Any) -> bool:
    from ._convert import _is_pil_image

    return _is_pil_image(value)


def tool_response_frame(function_responses: Any) -> tuple[str, list[FunctionResponse]]:
    """``{"toolResponse": {"functionResponses": [...]}}``; every response names its call's id."""
    items: Sequence[Any]
    if isinstance(function_responses, (list, tuple)):
        items = function_responses
    else:
        items = [function_responses]
    if not items:
        raise InvalidInputError("function_responses is empty; answer at least one call.")
    responses: list[FunctionResponse] = []
    for item in items:
        if isinstance(item, FunctionResponse):
            response = item
        else:
            data = item.model_dump(exclude_none=True) if isinstance(item, BaseModel) else item
            try:
                response = FunctionResponse.model_validate(data)
            except ValidationError as exc:
                from ._convert import _first_error

                raise InvalidInputError(f"Not a function response: {_first_error(exc)}") from None
        if not response.id:
            raise InvalidInputError(
                f"The response to {response.name!r} has no id: the Live API matches answers to "
                "calls by id. Pass id=call.id from message.tool_call.function_calls."
            )
        responses.append(response)
    frame = _dumps({"toolResponse": {"functionResponses": [to_wire(r) for r in responses]}})
    return frame, responses


# ------------------------------------------------------------------ server messages


def parse_message(raw: bytes | str) -> LiveServerMessage:
    """One server frame (text or binary JSON), read tolerantly."""
    return parse_frame(raw, LiveServerMessage)


def parse_frame(raw: bytes | str, cls: type[M]) -> M:
    """One server frame as ``cls`` (the Live API's messages, or live music's)."""
    try:
        data = json.loads(raw)
    except ValueError:
        shown = raw[:80] if isinstance(raw, str) else raw[:80].decode("utf-8", "replace")
        raise APIResponseError(
            f"The Live server sent a frame that is not JSON ({len(raw)} bytes, starting {shown!r})."
        ) from None
    if not isinstance(data, dict):
        raise APIResponseError(f"The Live server sent {type(data).__name__} JSON, not an object.")
    try:
        return parse_response(cls, data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(x) for x in err["loc"])
        raise APIResponseError(
            f"A Live server message does not have the expected shape: {err['msg']} at {where}.",
            body=json.dumps(data)[:2000],
        ) from None


# ------------------------------------------------------------------ resumption bookkeeping


class ResendQueue:
    """What was sent and not acknowledged by a resumption handle, bounded.

    Frames are numbered per connection, as the server counts them
    (``lastConsumedClientMessageIndex``). :meth:`answered` marks what the model's latest answer
    followed; a handle without an index acknowledges up to that mark. When more than ``limit``
    frames (or ``max_bytes``) wait for acknowledgement, the oldest can no longer be replayed:
    the queue is marked ``overflowed`` until a handle acknowledges the newest frame lost.
    """

    def __init__(self, limit: int = RESEND_LIMIT, max_bytes: int = RESEND_MAX_BYTES) -> None:
        if limit < 1:
            raise InvalidInputError("resend_limit must be at least 1.")
        self.limit = limit
        self.max_bytes = max_bytes
        self.handle: str | None = None
        self._items: deque[tuple[int, str]] = deque()
        self._bytes = 0
        self._next_index = 0
        self._lost_through: int | None = None
        self._mark: int | None = None
        self.sent_total = 0

    def __len__(self) -> int:
        return len(self._items)

    @property
    def overflowed(self) -> bool:
        return self._lost_through is not None

    def sent(self, frame: str, *, keep: bool = True) -> None:
        """Record a frame sent on the current connection (``keep``: replay it if needed)."""
        index = self._next_index
        self._next_index += 1
        self.sent_total += 1
        if not keep:
            return
        self._items.append((index, frame))
        self._bytes += len(frame)
        if len(self._items) > self.limit or self._bytes > self.max_bytes:
            self._lost_through = index
            self._items.clear()
            self._bytes = 0

    def answered(self) -> None:
        """The model finished a turn (or called a function): what was sent so far is in the
        conversation it answered."""
        self._mark = self._next_index - 1

    def acknowledge(self, update: LiveServerSessionResumptionUpdate) -> bool:
        """Take a resumption update into account; True if it brought a new handle."""
        if not update.new_handle or update.resumable is False:
            return False
        self.handle = update.new_handle
        last = update.last_consumed_client_message_index
        if last is None:
            last, self._mark = self._mark, None
            if last is None:
                return True
        while self._items and self._items[0][0] <= last:
            self._bytes -= len(self._items.popleft()[1])
        if self._lost_through is not None and last >= self._lost_through:
            self._lost_through = None
        return True

    def idle(self) -> bool:
        """Nothing waits for acknowledgement: a reconnect now loses nothing."""
        return not self._items and not self.overflowed

    def take_for_resend(self) -> list[str]:
        """The frames to send again on a new connection, in order (numbering restarts; each
        is recorded again with :meth:`sent` as it goes out)."""
        frames = [frame for _, frame in self._items]
        self._items.clear()
        self._bytes = 0
        self._next_index = 0
        self._mark = None
        return frames


def go_away_deadline(now: float, seconds_left: float | None) -> float:
    """When to reconnect at the latest after a ``goAway``: a little before the time left
    (a quarter of it, at most 2 s), so the new connection is up before the old one ends."""
    if seconds_left is None or seconds_left <= 0:
        return now
    return now + seconds_left - min(2.0, seconds_left / 4)


# ------------------------------------------------------------------ close errors


def close_error(
    code: int,
    reason: str,
    *,
    during_setup: bool,
    handle: str | None,
    redact: Callable[[str], str] = lambda s: s,
) -> LiveConnectionClosed:
    """The typed error for a close that ends the session."""
    reason = redact(reason)
    said = f"{code}: {reason}" if reason else str(code)
    resumable = code in RECOVERABLE_CLOSE_CODES and handle is not None
    if during_setup:
        if code == 1007:
            hint = "Check the config: the reason names the field the API did not take."
        elif code == 1008:
            hint = (
                "The model may not support the Live API (bidiGenerateContent), the key or token "
                "may not be valid, or a resumption handle may have expired."
            )
        else:
            hint = "Try connecting again."
        return LiveSetupError(
            f"The server refused the Live session's setup ({said}). {hint}",
            code=code,
            reason=reason,
            resumable=False,
            handle=handle,
        )
    if resumable:
        hint = (
            " It can be resumed: connect again with config={'session_resumption': "
            "{'handle': session.resumption_handle}}."
        )
    elif code in RECOVERABLE_CLOSE_CODES:
        hint = " No resumption handle had arrived, so the conversation cannot be resumed."
    else:
        hint = ""
    return LiveConnectionClosed(
        f"The Live session's connection closed ({said}).{hint}",
        code=code,
        reason=reason,
        resumable=resumable,
        handle=handle,
    )


def closed_by(exc: BaseException) -> tuple[int, str]:
    """The close code and reason of a websockets ``ConnectionClosed`` (1006 when no close
    frame came: the connection dropped)."""
    rcvd = getattr(exc, "rcvd", None)
    if rcvd is not None:
        return int(rcvd.code), str(rcvd.reason or "")
    sent = getattr(exc, "sent", None)
    if sent is not None:
        # We closed it: on purpose (1000), or because the peer is gone (a keepalive ping that
        # got no answer is 1011).
        return int(sent.code), str(sent.reason or "")
    return 1006, "the connection dropped without a close frame"
