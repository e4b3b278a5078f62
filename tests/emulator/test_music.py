"""The emulator's live music (Lyria RealTime) over WebSocket: the protocol, and music that
audibly follows its prompts and config (tempo measured, parts muted), and the official SDK."""

from __future__ import annotations

import array
import asyncio
import base64
import json
import math
from collections.abc import Iterator
from typing import Any

import pytest
import websockets

from gemini_nb.emulator import EmulatorOptions, EmulatorServer
from gemini_nb.emulator.backends.music import MusicState, synthesize

PATH = "/ws/google.ai.generativelanguage.v1alpha.GenerativeService.BidiGenerateMusic"
SETUP = {"setup": {"model": "models/lyria-realtime-exp"}}


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer(options=EmulatorOptions(live_pace=0)) as s:
        yield s


def url(server: EmulatorServer) -> str:
    return server.url.replace("http://", "ws://") + PATH


def mono(pcm: bytes) -> list[float]:
    samples = array.array("h", pcm)
    return [(samples[i] + samples[i + 1]) / 2 for i in range(0, len(samples), 2)]


def measured_bpm(pcm: bytes, rate: int = 48_000) -> float:
    """Tempo from the low-frequency energy's autocorrelation (the kick on every beat)."""
    signal = mono(pcm)
    window = rate // 100  # 10 ms
    # A crude low-pass: the mean of each window keeps the kick and drops the hi-hat's noise.
    envelope = []
    for i in range(0, len(signal) - window, window):
        chunk = signal[i : i + window]
        envelope.append(sum(abs(x) for x in chunk) / window)
    mean = sum(envelope) / len(envelope)
    centred = [e - mean for e in envelope]
    scores = {}
    for lag in range(30, 101):  # 60 to 200 bpm at 10 ms steps
        total = sum(centred[i] * centred[i + lag] for i in range(len(centred) - lag))
        scores[lag] = total / (len(centred) - lag)
    best = max(scores.values())
    # Two beats correlate as well as one: the shortest lag near the best is the beat.
    lag = min(k for k, v in scores.items() if v >= 0.8 * best)
    return 6000 / lag


def energy(pcm: bytes) -> float:
    s = mono(pcm)
    return math.sqrt(sum(x * x for x in s) / len(s))


@pytest.mark.parametrize("bpm", [90, 150])
def test_tempo_follows_bpm(bpm: int) -> None:
    state = MusicState(
        prompts=[{"text": "minimal techno", "weight": 1.0}],
        config={"bpm": bpm, "muteBass": True, "onlyBassAndDrums": True},
    )
    assert abs(measured_bpm(synthesize(state, 4.0)) - bpm) <= 3


def test_muted_parts_are_absent() -> None:
    prompts = [{"text": "piano ballad", "weight": 1.0}]
    full = synthesize(MusicState(prompts=prompts, config={}), 2.0)
    silent = synthesize(
        MusicState(
            prompts=prompts, config={"muteDrums": True, "muteBass": True, "onlyBassAndDrums": True}
        ),
        2.0,
    )
    no_drums = synthesize(MusicState(prompts=prompts, config={"muteDrums": True}), 2.0)
    assert energy(silent) == 0 < energy(no_drums) < energy(full)


def test_scale_sets_the_key() -> None:
    def pitch(scale: str) -> bytes:
        return synthesize(
            MusicState(
                prompts=[{"text": "flute", "weight": 1.0}],
                config={"scale": scale, "muteDrums": True, "muteBass": True, "brightness": 0.0},
            ),
            1.0,
        )

    assert pitch("C_MAJOR_A_MINOR") != pitch("G_MAJOR_E_MINOR")


async def test_session_plays_pauses_and_reports_sources(server: EmulatorServer) -> None:
    async with websockets.connect(url(server)) as ws:
        await ws.send(json.dumps(SETUP))
        assert json.loads(await ws.recv()) == {"setupComplete": {}}
        await ws.send(
            json.dumps(
                {
                    "clientContent": {
                        "weightedPrompts": [
                            {"text": "warm jazz trio", "weight": 1.0},
                            {"text": "gore", "weight": 0.5},
                        ]
                    }
                }
            )
        )
        filtered = json.loads(await ws.recv())
        assert filtered["filteredPrompt"]["text"] == "gore"
        await ws.send(json.dumps({"musicGenerationConfig": {"bpm": 100, "density": 0.2}}))
        await ws.send(json.dumps({"playbackControl": "PLAY"}))
        chunk = json.loads(await asyncio.wait_for(ws.recv(), 10))["serverContent"]["audioChunks"][0]
        assert chunk["mimeType"] == "audio/l16;rate=48000;channels=2"
        assert len(base64.b64decode(chunk["data"])) == 48_000 * 2 * 2 * 2
        assert chunk["sourceMetadata"]["clientContent"]["weightedPrompts"] == [
            {"text": "warm jazz trio", "weight": 1.0}
        ]
        assert chunk["sourceMetadata"]["musicGenerationConfig"]["bpm"] == 100
        await ws.send(json.dumps({"playbackControl": "PAUSE"}))
        # After a pause at most the chunk already on its way arrives.
        arrived = 0
        with pytest.raises(asyncio.TimeoutError):
            while True:
                await asyncio.wait_for(ws.recv(), 1.5)
                arrived += 1
        assert arrived <= 1


@pytest.mark.parametrize(
    ("message", "words"),
    [
        ({"musicGenerationConfig": {"bpm": 500}}, "bpm"),
        ({"musicGenerationConfig": {"tempo": 100}}, "tempo"),
        ({"clientContent": {"weightedPrompts": [{"text": "x", "weight": 0}]}}, "weight"),
        ({"playbackControl": "REWIND"}, "playback_control"),
        ({"unknownThing": {}}, "unknownThing"),
    ],
)
async def test_bad_messages_close_1007(
    server: EmulatorServer, message: dict[str, Any], words: str
) -> None:
    async with websockets.connect(url(server)) as ws:
        await ws.send(json.dumps(SETUP))
        await ws.recv()
        await ws.send(json.dumps(message))
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await ws.recv()
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1007
        assert words in closed.value.rcvd.reason


async def test_official_sdk_live_music(monkeypatch: pytest.MonkeyPatch) -> None:
    genai = pytest.importorskip("google.genai")
    from google.genai import types

    with EmulatorServer(options=EmulatorOptions(live_pace=0), tls=True) as tls:
        assert tls.certificate is not None
        monkeypatch.setenv("SSL_CERT_FILE", tls.certificate)
        client = genai.Client(
            api_key="AIzaEMULATORKEY", http_options={"base_url": tls.url, "api_version": "v1alpha"}
        )
        async with client.aio.live.music.connect(model="models/lyria-realtime-exp") as session:
            await session.set_weighted_prompts(
                prompts=[types.WeightedPrompt(text="lofi beats", weight=1.0)]
            )
            await session.set_music_generation_config(
                config=types.LiveMusicGenerationConfig(bpm=80)
            )
            await session.play()
            audio = b""
            async for message in session.receive():
                if message.server_content and message.server_content.audio_chunks:
                    audio += message.server_content.audio_chunks[0].data
                if len(audio) >= 48_000 * 4 * 4:
                    break
            await session.stop()
        assert abs(measured_bpm(audio) - 80) <= 3
