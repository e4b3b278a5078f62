"""Server messages: every frame of the recorded Live sessions parses, unknown fields and
message types are kept, and the text/data helpers join what they should."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from gemini_nb import APIResponseError
from gemini_nb._live import parse_message
from gemini_nb.types import LiveReconnect, LiveServerMessage
from tests._shared import RECORDED, needs_recorded


def _recorded_frames() -> list[dict[str, Any]]:
    index = RECORDED / "index.json"
    sessions = [
        json.loads((RECORDED / e["file"]).read_text())
        for e in json.loads(index.read_text())
        if e["kind"] == "websocket"
    ]
    assert len(sessions) == 6
    return [m["json"] for s in sessions for m in s["websocket"]["messages"] if m["dir"] == "recv"]


@needs_recorded
def test_every_recorded_frame_parses_and_round_trips() -> None:
    frames = _recorded_frames()
    kinds: set[str] = set()
    for data in frames:
        message = parse_message(json.dumps(data).encode())
        kinds |= {k for k, v in message if v is not None}
        # Nothing is lost: what came in goes out again (unknown fields included).
        assert message.model_dump(mode="json", exclude_none=True) == data
    assert {
        "setup_complete",
        "server_content",
        "tool_call",
        "usage_metadata",
        "session_resumption_update",
    } <= kinds


@needs_recorded
def test_recorded_audio_text_tool_call_and_usage() -> None:
    frames = [parse_message(json.dumps(f)) for f in _recorded_frames()]
    audio = next(m for m in frames if m.data)
    part = audio.server_content.model_turn.parts[0]  # type: ignore[union-attr]
    assert part.inline_data.mime_type == "audio/pcm;rate=24000"  # type: ignore[union-attr]
    assert audio.text is None
    calls = [c for m in frames if m.tool_call for c in m.tool_call.function_calls or []]
    assert {c.name for c in calls} >= {"get_weather"} and all(c.id for c in calls)
    assert next(c for c in calls if c.name == "get_weather").args == {"city": "London"}
    usage = next(m for m in frames if m.usage_metadata)
    u = usage.usage_metadata
    assert u is not None and u.total_token_count and u.response_token_count
    assert usage.turn_complete


def test_text_and_data_join_the_model_turn() -> None:
    pcm = b"\x01\x00\x02\x00"
    message = parse_message(
        json.dumps(
            {
                "serverContent": {
                    "modelTurn": {
                        "parts": [
                            {"text": "Hel"},
                            {"text": "thinking…", "thought": True},
                            {"text": "lo"},
                            {
                                "inlineData": {
                                    "mimeType": "audio/pcm;rate=24000",
                                    "data": base64.b64encode(pcm).decode(),
                                }
                            },
                            {
                                "inlineData": {
                                    "mimeType": "audio/pcm;rate=24000",
                                    "data": base64.b64encode(pcm).decode(),
                                }
                            },
                        ]
                    }
                }
            }
        )
    )
    assert message.text == "Hello" and message.data == pcm * 2
    empty = parse_message(b'{"serverContent": {"turnComplete": true}}')
    assert empty.text is None and empty.data is None and empty.turn_complete


def test_unknown_fields_and_message_types_are_kept() -> None:
    message = parse_message(
        json.dumps(
            {
                "serverContent": {"turnComplete": True, "brandNew": {"x": 1}},
                "somethingNew": {"y": 2},
                "goAway": {"timeLeft": "12.5s"},
            }
        )
    )
    assert message.model_extra == {"somethingNew": {"y": 2}}
    assert message.server_content is not None
    assert message.server_content.model_extra == {"brandNew": {"x": 1}}
    assert message.go_away is not None and message.go_away.seconds_left == 12.5


@pytest.mark.parametrize(
    "raw", [b"not json", b"[1, 2]", b'{"serverContent": {"turnComplete": "maybe"}}']
)
def test_frames_that_are_not_messages_are_typed_errors(raw: bytes) -> None:
    with pytest.raises(APIResponseError):
        parse_message(raw)


def test_repr_shows_what_is_set_and_the_session_facts() -> None:
    message = parse_message(b'{"goAway": {"timeLeft": "10s"}}')
    assert repr(message) == "LiveServerMessage(go_away=LiveServerGoAway(time_left='10s'))"
    event = LiveServerMessage()
    event._reconnect = LiveReconnect(reason="go_away", count=1, handle="h")
    assert event.reconnect is not None and "reconnect=LiveReconnect(reason='go_away'" in repr(event)
    assert not event.handled and event.function_responses is None
