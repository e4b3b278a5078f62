"""The emulator's Live API over a real WebSocket on loopback, and the official SDK against it."""

from __future__ import annotations

import asyncio
import base64
import json
import math
import struct
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
import websockets

from gemini_nb.emulator import EmulatorOptions, EmulatorServer

PATH = "/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent"
CONSTRAINED = (
    "/ws/google.ai.generativelanguage.v1alpha.GenerativeService.BidiGenerateContentConstrained"
)
MODEL = "models/gemini-2.5-flash-native-audio-latest"


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer(options=EmulatorOptions(live_pace=0)) as s:
        yield s


def ws_url(server: EmulatorServer, path: str = PATH) -> str:
    return server.url.replace("http://", "ws://") + path


def tone(seconds: float, rate: int = 16_000, amplitude: int = 8000) -> bytes:
    n = int(seconds * rate)
    return struct.pack(
        f"<{n}h", *(int(amplitude * math.sin(2 * math.pi * 220 * i / rate)) for i in range(n))
    )


def silence(seconds: float, rate: int = 16_000) -> bytes:
    return b"\x00\x00" * int(seconds * rate)


def audio_message(pcm: bytes, rate: int = 16_000) -> str:
    return json.dumps(
        {
            "realtimeInput": {
                "audio": {
                    "mimeType": f"audio/pcm;rate={rate}",
                    "data": base64.b64encode(pcm).decode(),
                }
            }
        }
    )


async def until(ws: Any, key: str, limit: int = 500) -> list[dict[str, Any]]:
    """Messages up to and including the first that has ``key`` (top level or in serverContent)."""
    seen = []
    for _ in range(limit):
        message = json.loads(await asyncio.wait_for(ws.recv(), 10))
        seen.append(message)
        if key in message or key in message.get("serverContent", {}):
            return seen
    raise AssertionError(f"no {key} in {limit} messages")


async def connect(server: EmulatorServer, setup: dict[str, Any], **kw: Any) -> Any:
    ws = await websockets.connect(ws_url(server, kw.pop("path", PATH)), **kw)
    await ws.send(json.dumps({"setup": {"model": MODEL, **setup}}))
    return ws


async def test_text_turn_in_text(server: EmulatorServer) -> None:
    async with await connect(server, {"generationConfig": {"responseModalities": ["TEXT"]}}) as ws:
        assert json.loads(await ws.recv()) == {"setupComplete": {}}
        await ws.send(
            json.dumps(
                {
                    "clientContent": {
                        "turns": [{"role": "user", "parts": [{"text": "Say a short greeting."}]}],
                        "turnComplete": True,
                    }
                }
            )
        )
        messages = await until(ws, "turnComplete")
        text = "".join(
            p.get("text", "")
            for m in messages
            for p in m.get("serverContent", {}).get("modelTurn", {}).get("parts", [])
        )
        assert text.strip()
        assert messages[-2] == {"serverContent": {"generationComplete": True}}
        usage = messages[-1]["usageMetadata"]
        assert usage["totalTokenCount"] == usage["promptTokenCount"] + usage["responseTokenCount"]
        assert usage["responseTokensDetails"] == [
            {"modality": "TEXT", "tokenCount": usage["responseTokenCount"]}
        ]


async def test_audio_turn_with_transcriptions(server: EmulatorServer) -> None:
    setup = {
        "generationConfig": {"responseModalities": ["AUDIO"]},
        "inputAudioTranscription": {},
        "outputAudioTranscription": {},
    }
    async with await connect(server, setup) as ws:
        await ws.recv()
        await ws.send(audio_message(silence(0.3) + tone(0.8) + silence(1.0)))
        messages = await until(ws, "turnComplete")
        heard = [
            m["serverContent"]["inputTranscription"]["text"]
            for m in messages
            if "inputTranscription" in m.get("serverContent", {})
        ]
        assert heard == ["[speech, 0.8 s]"]
        chunks = [
            base64.b64decode(p["inlineData"]["data"])
            for m in messages
            for p in m.get("serverContent", {}).get("modelTurn", {}).get("parts", [])
        ]
        assert chunks and all(len(c) <= 4800 for c in chunks)
        assert {
            p["inlineData"]["mimeType"]
            for m in messages
            for p in m.get("serverContent", {}).get("modelTurn", {}).get("parts", [])
        } == {"audio/pcm;rate=24000"}
        said = "".join(
            m["serverContent"]["outputTranscription"]["text"]
            for m in messages
            if "outputTranscription" in m.get("serverContent", {})
        )
        assert said.strip()
        seconds = sum(len(c) for c in chunks) / 2 / 24_000
        assert messages[-1]["usageMetadata"]["responseTokensDetails"][0]["modality"] == "AUDIO"
        assert messages[-1]["usageMetadata"]["responseTokenCount"] == math.ceil(seconds * 25)


async def test_manual_activity_and_audio_stream_end(server: EmulatorServer) -> None:
    setup = {
        "realtimeInputConfig": {"automaticActivityDetection": {"disabled": True}},
        "inputAudioTranscription": {},
    }
    async with await connect(server, setup) as ws:
        await ws.recv()
        await ws.send(json.dumps({"realtimeInput": {"activityStart": {}}}))
        await ws.send(
            audio_message(tone(0.5, amplitude=300))
        )  # quiet, but the client says it is speech
        await ws.send(json.dumps({"realtimeInput": {"activityEnd": {}}}))
        messages = await until(ws, "turnComplete")
        assert messages[0]["serverContent"]["inputTranscription"]["text"] == "[speech, 0.5 s]"


async def test_tool_round_trip(server: EmulatorServer) -> None:
    tools = [
        {
            "functionDeclarations": [
                {
                    "name": "get_weather",
                    "description": "Weather in a city",
                    "parameters": {
                        "type": "OBJECT",
                        "properties": {"city": {"type": "STRING"}},
                        "required": ["city"],
                    },
                }
            ]
        }
    ]
    async with await connect(server, {"tools": tools}) as ws:
        await ws.recv()
        await ws.send(
            json.dumps(
                {
                    "clientContent": {
                        "turns": [
                            {"role": "user", "parts": [{"text": "What is the weather in London?"}]}
                        ],
                        "turnComplete": True,
                    }
                }
            )
        )
        [call_message] = await until(ws, "toolCall")
        [call] = call_message["toolCall"]["functionCalls"]
        assert call["name"] == "get_weather" and call["id"].startswith("function-call-")
        await ws.send(
            json.dumps(
                {
                    "toolResponse": {
                        "functionResponses": [
                            {
                                "id": call["id"],
                                "name": "get_weather",
                                "response": {"output": "Foggy, 12 C."},
                            }
                        ]
                    }
                }
            )
        )
        assert "usageMetadata" in (await until(ws, "turnComplete"))[-1]
        await ws.send(
            json.dumps(
                {
                    "toolResponse": {
                        "functionResponses": [{"id": "nope", "name": "get_weather", "response": {}}]
                    }
                }
            )
        )
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 5)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1007


async def test_speech_interrupts_an_answer() -> None:
    with EmulatorServer(options=EmulatorOptions(live_pace=1)) as paced:
        setup = {"generationConfig": {"responseModalities": ["AUDIO"]}}
        async with await connect(paced, setup) as ws:
            await ws.recv()
            await ws.send(
                json.dumps(
                    {
                        "clientContent": {
                            "turns": [
                                {
                                    "role": "user",
                                    "parts": [
                                        {"text": "Tell me about the sea in three paragraphs."}
                                    ],
                                }
                            ],
                            "turnComplete": True,
                        }
                    }
                )
            )
            await until(ws, "modelTurn")
            await ws.send(audio_message(tone(0.3)))
            messages = await until(ws, "interrupted")
            assert messages[-1] == {"serverContent": {"interrupted": True}}
            assert not any("turnComplete" in m.get("serverContent", {}) for m in messages)


async def test_resumption_restores_the_conversation(server: EmulatorServer) -> None:
    async with await connect(server, {"sessionResumption": {}}) as ws:
        await ws.recv()
        await ws.send(
            json.dumps(
                {
                    "clientContent": {
                        "turns": [{"role": "user", "parts": [{"text": "My name is Ada."}]}],
                        "turnComplete": True,
                    }
                }
            )
        )
        update = (await until(ws, "sessionResumptionUpdate"))[-1]["sessionResumptionUpdate"]
        assert update["resumable"] is True and update["newHandle"]
    async with await connect(
        server,
        {
            "sessionResumption": {"handle": update["newHandle"]},
            "generationConfig": {"responseModalities": ["TEXT"]},
        },
    ) as ws:
        assert json.loads(await ws.recv()) == {"setupComplete": {}}
        await ws.send(
            json.dumps(
                {
                    "clientContent": {
                        "turns": [{"role": "user", "parts": [{"text": "What is my name?"}]}],
                        "turnComplete": True,
                    }
                }
            )
        )
        text = "".join(
            p.get("text", "")
            for m in await until(ws, "turnComplete")
            for p in m.get("serverContent", {}).get("modelTurn", {}).get("parts", [])
        )
        assert "Ada" in text
    async with await connect(server, {"sessionResumption": {"handle": "no-such-handle"}}) as ws:
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await ws.recv()
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008


@pytest.mark.parametrize(
    ("setup", "code", "words"),
    [
        ({"model": MODEL, "bogus": 1}, 1007, "bogus"),
        ({"model": "models/gemini-2.5-flash"}, 1008, "bidiGenerateContent"),
        ({"model": MODEL, "generationConfig": {"temperature": "hot"}}, 1007, "temperature"),
    ],
)
async def test_bad_setups_close_with_the_real_codes(
    server: EmulatorServer, setup: dict[str, Any], code: int, words: str
) -> None:
    async with websockets.connect(ws_url(server)) as ws:
        await ws.send(json.dumps({"setup": setup}))
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await ws.recv()
        assert closed.value.rcvd is not None and closed.value.rcvd.code == code
        assert words in closed.value.rcvd.reason


async def test_first_message_must_be_setup(server: EmulatorServer) -> None:
    async with websockets.connect(ws_url(server)) as ws:
        await ws.send(json.dumps({"clientContent": {"turnComplete": True}}))
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await ws.recv()
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1007


async def test_wrong_key_is_refused() -> None:
    with EmulatorServer(options=EmulatorOptions(api_key="AIzaRIGHT")) as keyed:
        async with websockets.connect(
            ws_url(keyed), additional_headers={"x-goog-api-key": "AIzaWRONG"}
        ) as ws:
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await ws.recv()
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008
            assert "API key not valid" in closed.value.rcvd.reason


async def test_faults_go_away_then_close_1011(server: EmulatorServer) -> None:
    fault = server.app.faults.add(
        {"live": {"go_away_every_ms": 100, "close_code": 1011, "close_after_ms": 450}}
    )
    try:
        async with await connect(server, {}) as ws:
            await ws.recv()
            go_aways = 0
            with pytest.raises(websockets.ConnectionClosed) as closed:
                while True:
                    message = json.loads(await asyncio.wait_for(ws.recv(), 5))
                    go_aways += "goAway" in message
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 1011
            assert go_aways >= 3
    finally:
        server.app.faults.clear()
    assert fault.live is not None


async def test_ephemeral_token_locks_setup_and_counts_uses(server: EmulatorServer) -> None:
    async with httpx.AsyncClient(base_url=server.url) as http:
        r = await http.post(
            "/v1alpha/auth_tokens",
            json={
                "uses": 1,
                "bidiGenerateContentSetup": {
                    "model": MODEL,
                    "generationConfig": {"responseModalities": ["TEXT"]},
                },
            },
        )
        token = r.json()["name"]
    assert token.startswith("auth_tokens/")
    headers = {"authorization": f"Token {token}"}
    async with await connect(
        server,
        {"generationConfig": {"responseModalities": ["AUDIO"]}},
        path=CONSTRAINED,
        additional_headers=headers,
    ) as ws:
        assert json.loads(await ws.recv()) == {"setupComplete": {}}
        await ws.send(json.dumps({"realtimeInput": {"text": "Hello"}}))
        messages = await until(ws, "turnComplete")
        # The token's locked setup wins: text, not the audio the connection asked for.
        assert any(
            "text" in p
            for m in messages
            for p in m.get("serverContent", {}).get("modelTurn", {}).get("parts", [])
        )
    # Spent: a new session is refused when its setup arrives.
    async with await connect(server, {}, path=CONSTRAINED, additional_headers=headers) as ws:
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await ws.recv()
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008
        assert "no uses left" in closed.value.rcvd.reason


async def test_a_resumed_session_is_not_a_new_use_of_a_token(server: EmulatorServer) -> None:
    async with httpx.AsyncClient(base_url=server.url) as http:
        r = await http.post(
            "/v1alpha/auth_tokens",
            json={
                "uses": 1,
                "bidiGenerateContentSetup": {
                    "model": MODEL,
                    "generationConfig": {"responseModalities": ["TEXT"]},
                    "sessionResumption": {},
                },
            },
        )
    headers = {"authorization": f"Token {r.json()['name']}"}
    async with await connect(server, {}, path=CONSTRAINED, additional_headers=headers) as ws:
        await ws.recv()
        await ws.send(
            json.dumps(
                {
                    "clientContent": {
                        "turns": [{"role": "user", "parts": [{"text": "My name is Ada."}]}],
                        "turnComplete": True,
                    }
                }
            )
        )
        handle = (await until(ws, "sessionResumptionUpdate"))[-1]["sessionResumptionUpdate"][
            "newHandle"
        ]
    resume = {"sessionResumption": {"handle": handle}}
    async with await connect(server, resume, path=CONSTRAINED, additional_headers=headers) as ws:
        assert json.loads(await ws.recv()) == {"setupComplete": {}}
        await ws.send(
            json.dumps(
                {
                    "clientContent": {
                        "turns": [{"role": "user", "parts": [{"text": "What is my name?"}]}],
                        "turnComplete": True,
                    }
                }
            )
        )
        text = "".join(
            p.get("text", "")
            for m in await until(ws, "turnComplete")
            for p in m.get("serverContent", {}).get("modelTurn", {}).get("parts", [])
        )
        assert "Ada" in text


@pytest.fixture(scope="module")
def tls_server() -> Iterator[EmulatorServer]:
    with EmulatorServer(options=EmulatorOptions(live_pace=0), tls=True) as s:
        yield s


@pytest.fixture
def sdk(tls_server: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Any]:
    genai = pytest.importorskip("google.genai")
    assert tls_server.certificate is not None and tls_server.url.startswith("https://")
    # The official SDK always opens Live over wss:// when it has a key.
    monkeypatch.setenv("SSL_CERT_FILE", tls_server.certificate)
    return genai.Client(
        api_key="AIzaEMULATORKEY",
        http_options={"base_url": tls_server.url, "api_version": "v1beta"},
    )


async def test_official_sdk_live_text_audio_tool_and_resumption(sdk: Any) -> None:
    from google.genai import types

    def weather(city: str) -> str:
        """The weather in a city."""
        return f"Foggy in {city}."

    config = types.LiveConnectConfig(
        response_modalities=["AUDIO"],
        output_audio_transcription={},
        tools=[weather],
        session_resumption=types.SessionResumptionConfig(),
    )
    handle = None
    async with sdk.aio.live.connect(
        model="gemini-2.5-flash-native-audio-latest", config=config
    ) as session:
        await session.send_client_content(
            turns=types.Content(role="user", parts=[types.Part(text="Hello there")])
        )
        audio = b""
        async for message in session.receive():
            audio += message.data or b""
        assert len(audio) > 24_000  # more than half a second of speech
        await session.send_realtime_input(
            audio=types.Blob(
                data=silence(0.2) + tone(0.6) + silence(1.0), mime_type="audio/pcm;rate=16000"
            )
        )
        async for message in session.receive():
            if message.session_resumption_update and message.session_resumption_update.new_handle:
                handle = message.session_resumption_update.new_handle
        await session.send_client_content(
            turns=types.Content(
                role="user", parts=[types.Part(text="What is the weather in Paris?")]
            )
        )
        calls = []
        async for message in session.receive():
            if message.tool_call:
                calls.extend(message.tool_call.function_calls)
                break
        assert [c.name for c in calls] == ["weather"] and calls[0].args == {"city": "Paris"}
        await session.send_tool_response(
            function_responses=[
                types.FunctionResponse(
                    id=calls[0].id, name="weather", response={"result": weather("Paris")}
                )
            ]
        )
        done = [m async for m in session.receive()]
        assert done[-1].server_content and done[-1].server_content.turn_complete
    assert handle
    resumed = types.LiveConnectConfig(
        response_modalities=["TEXT"],
        session_resumption=types.SessionResumptionConfig(handle=handle),
    )
    async with sdk.aio.live.connect(
        model="gemini-2.5-flash-native-audio-latest", config=resumed
    ) as session:
        await session.send_client_content(
            turns=types.Content(role="user", parts=[types.Part(text="Hi again")])
        )
        texts = [m.text async for m in session.receive() if m.text]
        assert texts


def _shape(message: dict[str, Any]) -> tuple[str, ...]:
    """A frame's shape: its top-level keys and its serverContent's keys."""
    keys = sorted(message)
    inner = message.get("serverContent")
    if isinstance(inner, dict):
        keys += [f"serverContent.{k}" for k in sorted(inner)]
    return tuple(keys)


async def test_frames_have_the_shapes_of_the_recorded_sessions(server: EmulatorServer) -> None:
    from tests._shared import RECORDED

    index = RECORDED / "index.json"
    if not index.exists():
        pytest.skip(f"the recorded exchanges are not at {RECORDED}")
    sessions = [
        json.loads((RECORDED / e["file"]).read_text())
        for e in json.loads(index.read_text())
        if e["kind"] == "websocket"
    ]
    assert len(sessions) == 6
    recorded_shapes = {
        _shape(m["json"])
        for s in sessions
        for m in s["websocket"]["messages"]
        if m["dir"] == "recv"
    }
    recorded_usage = {
        k
        for s in sessions
        for m in s["websocket"]["messages"]
        if m["dir"] == "recv"
        for k in m["json"].get("usageMetadata", {})
    }
    for session in sessions:
        sent = [m["json"] for m in session["websocket"]["messages"] if m["dir"] == "send"]
        setup = sent[0]["setup"]
        setup = {k: v for k, v in setup.items() if k != "tools"}
        async with websockets.connect(ws_url(server)) as ws:
            await ws.send(json.dumps({"setup": setup}))
            ours = [json.loads(await ws.recv())]
            for message in sent[1:]:
                if "client_content" in message:
                    await ws.send(json.dumps(message))
                    if message["client_content"].get("turnComplete"):
                        ours += await until(ws, "turnComplete")
        for frame in ours:
            assert _shape(frame) in recorded_shapes, frame
            assert set(frame.get("usageMetadata", {})) <= recorded_usage
