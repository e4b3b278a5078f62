"""What a Live session sends: client content, realtime input (audio checked before sending),
tool responses. Pure code, no server."""

from __future__ import annotations

import base64
import io
import json
import math
import struct
from typing import Any

import pytest

from gemini_nb import InvalidInputError
from gemini_nb._live import (
    audio_blob,
    client_content_frame,
    realtime_input_frame,
    tool_response_frame,
)
from gemini_nb.types import Blob, Content, FunctionResponse, Part


def tone(seconds: float = 0.1, rate: int = 16_000) -> bytes:
    n = int(seconds * rate)
    return struct.pack(
        f"<{n}h", *(int(8000 * math.sin(2 * math.pi * 220 * i / rate)) for i in range(n))
    )


def frame(text: str) -> Any:
    return json.loads(text)


def test_client_content_takes_text_contents_and_nothing() -> None:
    assert frame(client_content_frame("Hello", True)) == {
        "clientContent": {
            "turns": [{"role": "user", "parts": [{"text": "Hello"}]}],
            "turnComplete": True,
        }
    }
    history = [
        Content(role="user", parts=[Part(text="Hi")]),
        {"role": "model", "parts": [{"text": "Hey"}]},
    ]
    assert frame(client_content_frame(history, False)) == {
        "clientContent": {
            "turns": [
                {"role": "user", "parts": [{"text": "Hi"}]},
                {"role": "model", "parts": [{"text": "Hey"}]},
            ],
            "turnComplete": False,
        }
    }
    assert frame(client_content_frame(None, True)) == {"clientContent": {"turnComplete": True}}
    from google.genai import types as sdk

    turn = sdk.Content(
        role="user",
        parts=[
            sdk.Part(text="Hi"),
            sdk.Part.from_bytes(data=b"\x89PNG\r\n\x1a\n", mime_type="image/png"),
        ],
    )
    assert frame(client_content_frame([turn], True))["clientContent"]["turns"] == [
        {
            "role": "user",
            "parts": [
                {"text": "Hi"},
                {
                    "inlineData": {
                        "mimeType": "image/png",
                        "data": base64.b64encode(b"\x89PNG\r\n\x1a\n").decode(),
                    }
                },
            ],
        }
    ]


def test_audio_as_blob_dict_or_sdk_blob() -> None:
    pcm = tone()
    expected = {
        "realtimeInput": {
            "audio": {"mimeType": "audio/pcm;rate=16000", "data": base64.b64encode(pcm).decode()}
        }
    }
    assert (
        frame(realtime_input_frame(audio=Blob(data=pcm, mime_type="audio/pcm;rate=16000")))
        == expected
    )
    assert (
        frame(realtime_input_frame(audio={"data": pcm, "mime_type": "audio/pcm; rate=16000"}))
        == expected
    )
    assert (
        frame(
            realtime_input_frame(
                audio={"data": base64.b64encode(pcm).decode(), "mimeType": "AUDIO/PCM;RATE=16000"}
            )
        )
        == expected
    )
    from google.genai import types as sdk

    assert (
        frame(realtime_input_frame(audio=sdk.Blob(data=pcm, mime_type="audio/pcm;rate=16000")))
        == expected
    )


@pytest.mark.parametrize(
    ("audio", "words"),
    [
        (tone(), "needs its MIME type"),
        ({"data": tone(), "mime_type": "audio/pcm"}, "audio/pcm;rate=16000"),
        ({"data": tone(), "mime_type": "audio/wav"}, "not one the Live API takes"),
        ({"data": tone(), "mime_type": "audio/L16;rate=16000"}, "not one the Live API takes"),
        ({"data": tone(), "mime_type": "audio/pcm;rate=4000"}, "4000 Hz"),
        ({"data": tone(), "mime_type": "audio/pcm;rate=96000"}, "96000 Hz"),
        ({"data": tone() + b"\x01", "mime_type": "audio/pcm;rate=16000"}, "odd number"),
        ({"data": b"", "mime_type": "audio/pcm;rate=16000"}, "empty"),
        (
            {"data": b"RIFF\x24\x00\x00\x00WAVEfmt " + tone(), "mime_type": "audio/pcm;rate=16000"},
            "WAV",
        ),
        ({"data": b"ID3\x04" + tone(), "mime_type": "audio/pcm;rate=16000"}, "MP3"),
        ({"data": "not base64!", "mime_type": "audio/pcm;rate=16000"}, "not base64"),
        (3.5, "must be a Blob"),
    ],
)
def test_audio_the_api_does_not_take_is_refused(audio: Any, words: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        realtime_input_frame(audio=audio)
    assert words in str(info.value)


def test_every_rate_from_8_to_48_khz_is_taken() -> None:
    for rate in (8000, 11025, 16000, 22050, 24000, 44100, 48000):
        assert audio_blob({"data": b"\0\0", "mime_type": f"audio/pcm;rate={rate}"})["mimeType"] == (
            f"audio/pcm;rate={rate}"
        )


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"text": "Hi"}, {"text": "Hi"}),
        ({"audio_stream_end": True}, {"audioStreamEnd": True}),
        ({"activity_start": True}, {"activityStart": {}}),
        ({"activity_end": {}}, {"activityEnd": {}}),
    ],
)
def test_other_realtime_inputs(kwargs: dict[str, Any], expected: dict[str, Any]) -> None:
    assert frame(realtime_input_frame(**kwargs)) == {"realtimeInput": expected}


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({}, "got none"),
        ({"text": "a", "audio_stream_end": True}, "audio_stream_end, text"),
        ({"text": ""}, "non-empty"),
        ({"audio_stream_end": False}, "takes True"),
        ({"activity_start": "now"}, "takes True"),
    ],
)
def test_realtime_input_takes_exactly_one_valid_argument(
    kwargs: dict[str, Any], words: str
) -> None:
    with pytest.raises(InvalidInputError) as info:
        realtime_input_frame(**kwargs)
    assert words in str(info.value)


def test_video_frames_are_images() -> None:
    from PIL import Image

    image = Image.new("RGBA", (8, 8), (255, 0, 0, 128))
    video = frame(realtime_input_frame(video=image))["realtimeInput"]["video"]
    assert video["mimeType"] == "image/jpeg"
    assert Image.open(io.BytesIO(base64.b64decode(video["data"]))).format == "JPEG"
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    png = frame(realtime_input_frame(video=buf.getvalue()))["realtimeInput"]["video"]
    assert png["mimeType"] == "image/png"
    with pytest.raises(InvalidInputError, match="video frames are images"):
        realtime_input_frame(video=Blob(data=tone(), mime_type="audio/pcm;rate=16000"))


def test_media_goes_to_audio_or_video_by_mime_type() -> None:
    audio = frame(realtime_input_frame(media=Blob(data=tone(), mime_type="audio/pcm;rate=24000")))
    assert audio["realtimeInput"]["audio"]["mimeType"] == "audio/pcm;rate=24000"
    jpeg = frame(
        realtime_input_frame(media={"data": b"\xff\xd8\xff\xe0", "mime_type": "image/jpeg"})
    )
    assert jpeg["realtimeInput"]["video"]["mimeType"] == "image/jpeg"
    with pytest.raises(InvalidInputError, match="audio/pcm;rate=16000"):
        realtime_input_frame(media=Blob(data=tone(), mime_type="audio/mpeg"))


def test_tool_responses_need_the_call_id() -> None:
    text, responses = tool_response_frame(
        [
            FunctionResponse(id="c1", name="f", response={"result": 1}),
            {"id": "c2", "name": "g", "response": {"error": "boom"}},
        ]
    )
    assert frame(text) == {
        "toolResponse": {
            "functionResponses": [
                {"id": "c1", "name": "f", "response": {"result": 1}},
                {"id": "c2", "name": "g", "response": {"error": "boom"}},
            ]
        }
    }
    assert [r.id for r in responses] == ["c1", "c2"]
    with pytest.raises(InvalidInputError, match="has no id"):
        tool_response_frame(FunctionResponse(name="f", response={}))
    with pytest.raises(InvalidInputError, match="Not a function response"):
        tool_response_frame({"id": "c1", "response": {}})
    with pytest.raises(InvalidInputError, match="empty"):
        tool_response_frame([])
    with pytest.raises(InvalidInputError, match="finite"):
        tool_response_frame({"id": "c1", "name": "f", "response": {"x": math.nan}})


def test_a_tool_result_json_cannot_carry_goes_back_as_an_error() -> None:
    from gemini_nb.resources.live import _sendable

    sent = _sendable(FunctionResponse(id="c1", name="f", response={"result": math.inf}))
    assert sent.id == "c1" and "cannot be sent" in sent.response["error"]  # type: ignore[index]
    fine = FunctionResponse(id="c2", name="f", response={"result": 1.5})
    assert _sendable(fine) is fine
