"""Live music's pure parts: the frames as sent, the checks made before sending, the state a
reconnect sends again, close errors, tolerant reading, and the recorder's bounds and files."""

from __future__ import annotations

import json
import math
import wave
from pathlib import Path
from typing import Any

import pytest

from gemini_nb import InvalidInputError, LiveConnectionClosed, LiveSetupError
from gemini_nb._live_music import (
    MusicRecorder,
    MusicReplay,
    config_frame,
    control_frame,
    music_close_error,
    parse_music_message,
    pcm_layout,
    prompts_frame,
    setup_frame,
)
from gemini_nb.types import AudioChunk, LiveMusicGenerationConfig, Scale, WeightedPrompt

SECOND = 48_000 * 4  # bytes of one second, 48 kHz stereo PCM16


def wire(frame: str) -> Any:
    return json.loads(frame)


def test_setup_frame() -> None:
    assert setup_frame("lyria-realtime-exp") == (
        "models/lyria-realtime-exp",
        '{"setup":{"model":"models/lyria-realtime-exp"}}',
    )


@pytest.mark.parametrize(
    "prompts",
    [
        [WeightedPrompt(text="jazz", weight=2), {"text": "piano", "weight": 0.5}],
        [("jazz", 2), ("piano", 0.5)],
        {"jazz": 2, "piano": 0.5},
    ],
)
def test_prompts_in_every_form_make_the_same_frame(prompts: Any) -> None:
    frame, kept = prompts_frame(prompts)
    assert wire(frame) == {
        "clientContent": {
            "weightedPrompts": [{"text": "jazz", "weight": 2.0}, {"text": "piano", "weight": 0.5}]
        }
    }
    assert kept == [
        WeightedPrompt(text="jazz", weight=2.0),
        WeightedPrompt(text="piano", weight=0.5),
    ]


def test_one_prompt_alone() -> None:
    for one in ("jazz", ("jazz", 1), {"text": "jazz"}, WeightedPrompt(text="jazz")):
        assert wire(prompts_frame(one)[0])["clientContent"]["weightedPrompts"] == [
            {"text": "jazz", "weight": 1.0}
        ]


def test_google_genai_prompts_are_taken() -> None:
    genai = pytest.importorskip("google.genai")
    frame, _ = prompts_frame([genai.types.WeightedPrompt(text="lofi", weight=0.7)])
    assert wire(frame)["clientContent"]["weightedPrompts"] == [{"text": "lofi", "weight": 0.7}]


@pytest.mark.parametrize(
    ("prompts", "words"),
    [
        ([], "at least one"),
        ({}, "at least one"),
        ([{"text": ""}], "needs a text"),
        ([("x", 0)], "not 0"),
        ([("x", math.inf)], "finite"),
        ([("x", math.nan)], "finite"),
        ([("x", True)], "must be a number"),
        ([("x", "1")], "must be a number"),
        ([{"text": "x", "wieght": 1}], "'wieght'"),
        ([3], "got int"),
    ],
)
def test_bad_prompts_are_refused(prompts: Any, words: str) -> None:
    with pytest.raises(InvalidInputError, match=words):
        prompts_frame(prompts)


def test_config_frame_is_camel_case_and_complete() -> None:
    frame, cfg = config_frame(
        temperature=1.1,
        top_k=40,
        seed=3,
        guidance=4.0,
        bpm=120,
        density=0.5,
        brightness=0.7,
        scale="c_major_a_minor",
        mute_bass=False,
        mute_drums=True,
        only_bass_and_drums=False,
        music_generation_mode="diversity",
    )
    assert wire(frame) == {
        "musicGenerationConfig": {
            "temperature": 1.1,
            "topK": 40,
            "seed": 3,
            "guidance": 4.0,
            "bpm": 120,
            "density": 0.5,
            "brightness": 0.7,
            "scale": "C_MAJOR_A_MINOR",
            "muteBass": False,
            "muteDrums": True,
            "onlyBassAndDrums": False,
            "musicGenerationMode": "DIVERSITY",
        }
    }
    assert repr(cfg).startswith("LiveMusicGenerationConfig(temperature=1.1, top_k=40")
    assert "None" not in repr(LiveMusicGenerationConfig(bpm=90))


@pytest.mark.parametrize(
    ("field", "ok", "bad"),
    [
        ("bpm", [60, 200, 90.0], [59, 201, 90.5]),
        ("density", [0, 1.0], [-0.1, 1.01, math.nan]),
        ("brightness", [0.0, 1], [1.5]),
        ("guidance", [0, 6.0], [6.5]),
        ("temperature", [0, 3.0], [3.01, math.inf]),
        ("top_k", [1, 1000], [0, 1001]),
        ("seed", [0, -5, 2**31 - 1], [2**31]),
    ],
)
def test_config_ranges(field: str, ok: list[Any], bad: list[Any]) -> None:
    for value in ok:
        assert field in repr(config_frame(**{field: value})[1])
    for value in bad:
        with pytest.raises(InvalidInputError, match=field):
            config_frame(**{field: value})


@pytest.mark.parametrize(
    ("config", "words"),
    [
        ({"bpm": True}, "bpm must be a number"),
        ({"bpm": "90"}, "bpm must be a number"),
        ({"topK": "5"}, "top_k must be a number"),
        ({"scale": "C_MAJOR"}, "did you mean C_MAJOR_A_MINOR"),
        ({"music_generation_mode": "FAST"}, "MusicGenerationMode"),
        ({"tempo": 100}, "tempo"),
        ({"mute_drums": "yes"}, "mute_drums"),
    ],
)
def test_bad_configs_are_refused(config: dict[str, Any], words: str) -> None:
    with pytest.raises(InvalidInputError, match=words):
        config_frame(config)


def test_configs_from_models_and_google_genai() -> None:
    assert wire(
        config_frame(LiveMusicGenerationConfig(bpm=80, scale=Scale.G_MAJOR_E_MINOR))[0]
    ) == {"musicGenerationConfig": {"bpm": 80, "scale": "G_MAJOR_E_MINOR"}}
    # Keywords go on top of a config.
    assert wire(config_frame({"bpm": 80, "density": 0.2}, bpm=100)[0]) == {
        "musicGenerationConfig": {"bpm": 100, "density": 0.2}
    }
    genai = pytest.importorskip("google.genai")
    t = genai.types
    config = t.LiveMusicGenerationConfig(
        bpm=70, scale=t.Scale.D_MAJOR_B_MINOR, music_generation_mode=t.MusicGenerationMode.QUALITY
    )
    assert wire(config_frame(config)[0]) == {
        "musicGenerationConfig": {
            "bpm": 70,
            "scale": "D_MAJOR_B_MINOR",
            "musicGenerationMode": "QUALITY",
        }
    }


def test_playback_controls() -> None:
    assert control_frame("play") == '{"playbackControl":"PLAY"}'
    assert wire(control_frame("RESET_CONTEXT")) == {"playbackControl": "RESET_CONTEXT"}
    with pytest.raises(InvalidInputError, match="REWIND"):
        control_frame("REWIND")


def test_a_reconnect_sends_the_latest_state_again() -> None:
    replay = MusicReplay()
    assert replay.frames() == []
    replay.prompts = prompts_frame("jazz")[0]
    replay.control("PLAY")
    replay.control("RESET_CONTEXT")
    assert replay.frames() == [replay.prompts, '{"playbackControl":"PLAY"}']
    replay.config = config_frame(bpm=90)[0]
    replay.control("PAUSE")
    assert replay.frames() == [replay.prompts, replay.config]
    replay.control("PLAY")
    replay.control("STOP")
    assert not replay.playing


def test_close_errors_name_the_music_endpoint() -> None:
    setup = music_close_error(1008, "models/x is not found", during_setup=True)
    assert isinstance(setup, LiveSetupError) and setup.code == 1008 and not setup.resumable
    assert "bidiGenerateMusic" in str(setup) and "models/x is not found" in str(setup)
    late = music_close_error(1011, "Internal error", during_setup=False, reconnect=False)
    assert type(late) is LiveConnectionClosed and "send the prompts and config again" in str(late)
    bad = music_close_error(1007, "bpm must be in [60, 200]", during_setup=False)
    assert "did not take a message" in str(bad) and bad.reason == "bpm must be in [60, 200]"


def test_server_messages_are_read_tolerantly() -> None:
    message = parse_music_message(
        json.dumps(
            {
                "serverContent": {
                    "audioChunks": [
                        {
                            "data": "AAABAA==",
                            "mimeType": "audio/l16;rate=48000;channels=2",
                            "newField": 1,
                            "sourceMetadata": {
                                "clientContent": {"weightedPrompts": [{"text": "a", "weight": 1}]},
                                "musicGenerationConfig": {"bpm": 90, "scale": "A_NEW_SCALE"},
                            },
                        }
                    ]
                }
            }
        )
    )
    chunk = message.audio_chunks[0]
    assert message.audio == b"\x00\x00\x01\x00" and chunk.model_extra == {"newField": 1}
    source = chunk.source_metadata
    assert source is not None and source.music_generation_config is not None
    assert source.music_generation_config.scale == "A_NEW_SCALE"
    assert "<4 bytes>" in repr(chunk)
    assert parse_music_message(b'{"warning": "slow down"}').model_extra == {"warning": "slow down"}
    filtered = parse_music_message('{"filteredPrompt": {"text": "x"}}').filtered_prompt
    assert filtered is not None and filtered.text == "x"


def test_pcm_layout() -> None:
    assert pcm_layout("audio/l16;rate=48000;channels=2") == (48_000, 2)
    assert pcm_layout("audio/pcm; rate=24000") == (24_000, 2)
    assert pcm_layout(None) == (48_000, 2)


def chunk(
    seconds: float, value: int = 1, mime: str = "audio/l16;rate=48000;channels=2"
) -> AudioChunk:
    frames = int(seconds * 48_000)
    return AudioChunk(data=value.to_bytes(2, "little", signed=True) * 2 * frames, mime_type=mime)


def test_memory_recorder_keeps_the_first_max_seconds(tmp_path: Path) -> None:
    recorder = MusicRecorder(max_seconds=3)
    for i in range(3):
        recorder.add(chunk(2.0, value=i + 1))
    assert recorder.seconds == 3.0 and recorder.dropped_seconds == 3.0 and recorder.full
    assert repr(recorder) == "MusicRecorder(3.0 s, 48000 Hz stereo, in memory, 3.0 s not kept)"
    path = recorder.save(tmp_path / "x.wav")
    with wave.open(str(path), "rb") as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate(), w.getnframes()) == (
            2,
            2,
            48_000,
            3 * 48_000,
        )
        data = w.readframes(w.getnframes())
    assert data == (chunk(2.0, 1).data or b"") + (chunk(1.0, 2).data or b"")
    recorder.clear()
    assert recorder.seconds == 0 and not recorder.full and recorder.pcm() == b""


def test_disk_recorder_writes_as_it_goes(tmp_path: Path) -> None:
    with MusicRecorder(max_seconds=None, on_disk=True, directory=tmp_path) as recorder:
        for _ in range(5):
            recorder.add(chunk(2.0))
        assert recorder.seconds == 10.0 and not recorder.full
        assert len(recorder.pcm()) == 10 * SECOND
        raw = recorder.save(tmp_path / "x.raw")
        assert raw.stat().st_size == 10 * SECOND
        # An anonymous temporary file: nothing is left in the directory but what was saved.
        assert [p.name for p in tmp_path.iterdir()] == ["x.raw"]
    with pytest.raises(InvalidInputError, match="closed"):
        recorder.add(chunk(1.0))


def test_recorder_layout_and_refusals() -> None:
    mono = MusicRecorder()
    mono.add(AudioChunk(data=b"\x01\x00" * 24_000, mime_type="audio/l16;rate=24000;channels=1"))
    assert (mono.rate, mono.channels, mono.seconds) == (24_000, 1, 1.0)
    with pytest.raises(InvalidInputError, match="cannot join"):
        mono.add(chunk(1.0))
    stereo = MusicRecorder()
    with pytest.raises(InvalidInputError, match="whole PCM16 frames"):
        stereo.add(b"\x00" * 6)
    with pytest.raises(InvalidInputError, match="needs max_seconds"):
        MusicRecorder(max_seconds=None)
    with pytest.raises(InvalidInputError, match="positive"):
        MusicRecorder(max_seconds=0)
    with pytest.raises(InvalidInputError, match="not int"):
        stereo.add(3)
    stereo.add(b"")  # nothing to keep
    assert stereo.seconds == 0
