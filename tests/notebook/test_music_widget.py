"""MusicWidget's kernel side against the emulator's live music, with a recording comm standing
in for the browser: Play from the browser, audio out as binary custom messages, prompts and
config set as the browser sets traits (reaching the session while it plays), pause, stop and
reset, recording and saving, filtered prompts, errors in words, threads, and what is (not) in
the widget's state. A widget is made in a notebook cell, on the kernel's running event loop:
so are the widgets here."""

from __future__ import annotations

import asyncio
import json
import threading
import wave
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import comm
import ipywidgets
import pytest

import gemini_nb
from gemini_nb.emulator import EmulatorOptions, EmulatorServer
from gemini_nb.notebook.widgets import MusicWidget, static_path
from gemini_nb.notebook.widgets.music import static_html
from tests.conftest import TEST_KEY
from tests.emulator.test_music import measured_bpm

from ._fake_comm import RecordingComm, comm_of, comms, from_browser
from ._fake_comm import until as wait_until

__all__ = ["comms"]  # the fixture, imported for the tests here

CHUNK = 48_000 * 4 * 2  # two seconds of 48 kHz stereo PCM16
DRUMS = {"only_bass_and_drums": True, "mute_bass": True}


@pytest.fixture(scope="module")
def paced() -> Iterator[EmulatorServer]:
    """Music four times faster than it plays: quick tests, and still a stream over time."""
    with EmulatorServer(options=EmulatorOptions(live_pace=0.25)) as server:
        yield server


@pytest.fixture
async def client(paced: EmulatorServer) -> AsyncIterator[gemini_nb.AsyncClient]:
    async with gemini_nb.AsyncClient(base_url=paced.url) as c:
        yield c


async def until(check: Callable[[], Any], timeout: float = 15, what: str = "") -> Any:
    return await wait_until(check, timeout, what)  # music takes longer than the default


def custom(w: MusicWidget, kind: str) -> list[dict[str, Any]]:
    return [m for m in comm_of(w).custom() if m.get("type") == kind]


def audio_out(w: MusicWidget) -> list[bytes]:
    """The audio buffers sent to the browser, in order."""
    return [
        bytes(b[0])
        for t, d, b in list(comm_of(w).sent)
        if t == "comm_msg" and d.get("method") == "custom" and d["content"].get("type") == "audio"
    ]


def browser_sets(w: MusicWidget, **state: Any) -> None:
    """A trait change from the front end, as ipykernel delivers it."""
    w._handle_msg(
        {
            "content": {"data": {"method": "update", "state": state, "buffer_paths": []}},
            "buffers": [],
        }
    )


async def test_play_from_the_browser_streams_audio_out(
    comms: list[RecordingComm], client: gemini_nb.AsyncClient
) -> None:
    w = MusicWidget({"minimal techno": 1.0}, config={"bpm": 90, **DRUMS}, client=client)
    assert w.state == "idle" and repr(w) == (
        "MusicWidget(model='models/lyria-realtime-exp', state='idle', prompts=1)"
    )
    from_browser(w, {"type": "play", "view": "view-1"})
    assert w.active_view == "view-1" and w.state == "connecting"
    await until(lambda: w.state == "playing")
    session = w.session
    assert [(p.text, p.weight) for p in session.prompts] == [("minimal techno", 1.0)]
    assert session.config.bpm == 90 and session.playing
    await until(lambda: len(audio_out(w)) >= 2)
    chunks = audio_out(w)
    assert all(len(c) == CHUNK for c in chunks)
    assert [m["seq"] for m in custom(w, "audio")][:2] == [1, 2]
    assert abs(measured_bpm(b"".join(chunks[:2])) - 90) <= 3
    assert w.received_seconds >= 4.0
    from_browser(w, {"type": "end"})
    await until(lambda: w.state == "ended")
    assert w.session is None and session.closed and custom(w, "flush")
    w.close()


async def test_prompts_and_config_from_the_browser_reach_the_session(
    comms: list[RecordingComm], client: gemini_nb.AsyncClient
) -> None:
    w = MusicWidget({"minimal techno": 1.0}, config={"bpm": 90, **DRUMS}, client=client)
    w.play()
    await until(lambda: w.state == "playing" and len(audio_out(w)) >= 1)
    session = w.session
    resets: list[int] = []
    real_reset = session.reset_context

    async def counted_reset() -> None:
        resets.append(1)
        await real_reset()

    session.reset_context = counted_reset
    # A weight slider moved, a prompt added, an empty one and a muted one (not sent).
    browser_sets(
        w,
        prompts=[
            {"id": "a", "text": "minimal techno", "weight": 0.6},
            {"id": "b", "text": "acid bass", "weight": 1.4},
            {"id": "c", "text": "", "weight": 1.0},
            {"id": "d", "text": "choir", "weight": 0},
        ],
    )
    await until(lambda: [p.text for p in session.prompts] == ["minimal techno", "acid bass"])
    assert [p.weight for p in session.prompts] == [0.6, 1.4]
    # The bpm slider: the config goes, then a reset (a new bpm takes effect after one).
    browser_sets(w, config={"bpm": 150, **DRUMS})
    await until(lambda: session.config.bpm == 150 and resets)
    mark = len(audio_out(w))
    await until(lambda: len(audio_out(w)) >= mark + 3)
    # The chunk on its way when the config went may be at the old tempo; the next ones not.
    assert abs(measured_bpm(b"".join(audio_out(w)[mark + 1 : mark + 3])) - 150) <= 3
    # Density changes: config again, no reset.
    browser_sets(w, config={"bpm": 150, "density": 0.2, **DRUMS})
    await until(lambda: session.config.density == 0.2)
    await asyncio.sleep(0.1)
    assert len(resets) == 1
    # From Python too.
    w.add_prompt("warm pads", 0.5)
    await until(lambda: [p.text for p in session.prompts][-1] == "warm pads")
    w.remove_prompt("acid bass")
    await until(lambda: "acid bass" not in [p.text for p in session.prompts])
    w.set_config(bpm=None, density=0.9)
    await until(lambda: session.config.bpm is None and session.config.density == 0.9)
    assert w.config == {"density": 0.9, **DRUMS}
    w.end()
    await until(lambda: w.state == "ended")
    w.close()


async def test_pause_stop_and_reset(
    comms: list[RecordingComm], client: gemini_nb.AsyncClient
) -> None:
    w = MusicWidget({"lofi hip hop": 1.0}, client=client)
    from_browser(w, {"type": "play", "view": "v"})
    await until(lambda: len(audio_out(w)) >= 1)
    from_browser(w, {"type": "pause"})
    await until(lambda: w.state == "paused" and not w.session.playing)
    await asyncio.sleep(0.8)  # what was on its way arrives
    held = len(audio_out(w))
    await asyncio.sleep(1.2)  # more than two chunks' time at this pace
    assert len(audio_out(w)) == held
    from_browser(w, {"type": "play", "view": "v"})
    await until(lambda: len(audio_out(w)) > held and w.state == "playing")
    flushes = len(custom(w, "flush"))
    from_browser(w, {"type": "stop"})
    assert len(custom(w, "flush")) == flushes + 1  # the browser drops its queue at once
    await until(lambda: w.state == "stopped")
    await asyncio.sleep(0.8)
    stopped = len(audio_out(w))
    await asyncio.sleep(1.0)
    assert len(audio_out(w)) == stopped  # nothing is relayed while stopped
    from_browser(w, {"type": "reset"})  # no effect on the state
    from_browser(w, {"type": "play", "view": "v"})
    await until(lambda: len(audio_out(w)) > stopped)
    # STOP cleared the context: the music starts again from its first bytes.
    assert audio_out(w)[stopped] == audio_out(w)[0]
    w.end()
    await until(lambda: w.state == "ended")
    # Controls without a session do nothing (Play opens one).
    w.pause()
    w.stop()
    w.reset_context()
    assert not w.running and w.state == "ended"
    w.close()


async def test_record_in_the_kernel_and_save(
    comms: list[RecordingComm],
    client: gemini_nb.AsyncClient,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    w = MusicWidget({"bossa nova guitar": 1.0}, client=client, record_seconds=60)
    from_browser(w, {"type": "save"})
    assert "Nothing was recorded" in w.notice
    with pytest.raises(gemini_nb.InvalidInputError, match="Nothing was recorded"):
        w.save(tmp_path / "x.wav")
    browser_sets(w, recording=True)  # the Record button, before Play
    assert w.recorder is not None and w.recorder.max_seconds == 60
    w.play()
    await until(lambda: w.recorded_seconds >= 4.0)
    browser_sets(w, recording=False)
    await asyncio.sleep(0.1)
    kept = w.recorder.seconds
    assert w.recorded_seconds == kept
    await until(lambda: w.received_seconds >= kept + 4)
    assert w.recorder.seconds == kept  # no longer recording
    path = w.save(tmp_path / "bossa.wav")
    with wave.open(str(path), "rb") as wav:
        assert (wav.getframerate(), wav.getnchannels(), wav.getnframes()) == (
            48_000,
            2,
            int(kept * 48_000),
        )
        recorded = wav.readframes(wav.getnframes())
    assert recorded == b"".join(audio_out(w))[: len(recorded)]
    from_browser(w, {"type": "save"})
    await until(lambda: w.notice.startswith("Saved gemini_music/music-"))
    saved = list((tmp_path / "gemini_music").glob("music-*.wav"))
    assert len(saved) == 1 and saved[0].stat().st_size == path.stat().st_size
    # Recording goes on across sessions, into the same recorder.
    assert w.record() is w.recorder
    w.end()
    await until(lambda: w.state == "ended")
    w.play()
    recorder = w.recorder
    await until(lambda: recorder.seconds >= kept + 2)
    w.end()
    await until(lambda: w.state == "ended")
    w.close()


async def test_a_filtered_prompt_shows(
    comms: list[RecordingComm], client: gemini_nb.AsyncClient
) -> None:
    w = MusicWidget({"gentle piano": 1.0, "gore": 0.3}, client=client)
    w.play()
    await until(lambda: w.filtered)
    assert w.filtered == [{"text": "gore", "reason": "The prompt was filtered by safety filters."}]
    w.end()
    await until(lambda: w.state == "ended")
    w.close()


async def test_play_without_prompts_says_what_to_do(
    comms: list[RecordingComm], client: gemini_nb.AsyncClient
) -> None:
    w = MusicWidget(client=client)
    w.play()
    assert w.notice.startswith("Add a prompt")
    await until(lambda: w.state == "playing")
    await asyncio.sleep(0.5)
    assert audio_out(w) == []  # the server waits for prompts
    w.add_prompt("harp")
    await until(lambda: audio_out(w))
    assert w.notice == ""
    w.end()
    await until(lambda: w.state == "ended")
    w.close()


async def test_a_refused_session_is_said_in_words(
    comms: list[RecordingComm], client: gemini_nb.AsyncClient
) -> None:
    w = MusicWidget({"jazz": 1.0}, model="gemini-2.5-flash", client=client)
    w.play()
    await until(lambda: w.state == "error")
    assert w.error.startswith("The server refused the session (close code 1008)")
    assert "bidiGenerateMusic" in w.error
    w.close()


async def test_a_dropped_session_reconnects_and_says_so(
    comms: list[RecordingComm], paced: EmulatorServer, client: gemini_nb.AsyncClient
) -> None:
    paced.app.faults.add({"live": {"close_code": 1011, "close_after_ms": 700}})
    try:
        w = MusicWidget({"funk": 1.0}, client=client)
        w.play()
        await until(lambda: w.state == "playing")
        paced.app.faults.clear()
        await until(lambda: w.notice.startswith("The connection was renewed"))
        assert "1011" in w.notice and w.state == "playing"
        mark = len(audio_out(w))
        await until(lambda: len(audio_out(w)) >= mark + 2)
    finally:
        paced.app.faults.clear()
    w.end()
    await until(lambda: w.state == "ended")
    w.close()


async def test_messages_from_a_subshell_thread_run_on_the_widget_loop(
    comms: list[RecordingComm], client: gemini_nb.AsyncClient
) -> None:
    # JupyterLab 4.6 sends widget messages to a kernel subshell: another thread. The session
    # and everything it sends stay on the widget's loop.
    w = MusicWidget({"steel drums": 1.0}, client=client)
    await asyncio.to_thread(from_browser, w, {"type": "play", "view": "v"})
    await until(lambda: w.state == "playing")
    assert w._task is not None and w._task.get_loop() is asyncio.get_running_loop()
    seen: list[str] = []

    def browser() -> None:
        seen.append(threading.current_thread().name)
        browser_sets(w, config={"bpm": 70})
        browser_sets(w, recording=True)

    await asyncio.to_thread(browser)
    assert seen and seen[0] != threading.current_thread().name
    await until(lambda: w.session.config is not None and w.session.config.bpm == 70)
    await until(lambda: w.recorded_seconds > 0)
    await asyncio.to_thread(from_browser, w, {"type": "end"})
    await until(lambda: w.state == "ended")
    w.close()


async def test_claim_gives_a_python_started_session_to_one_view(
    comms: list[RecordingComm], client: gemini_nb.AsyncClient
) -> None:
    w = MusicWidget({"organ": 1.0}, client=client)
    w.play()
    from_browser(w, {"type": "claim", "view": "first"})
    from_browser(w, {"type": "claim", "view": "second"})
    assert w.active_view == "first"
    w.end()
    w.close()


async def test_bad_settings_are_refused_in_python(comms: list[RecordingComm]) -> None:
    with pytest.raises(gemini_nb.InvalidInputError, match="bpm=300"):
        MusicWidget({"jazz": 1.0}, config={"bpm": 300}, client=object())
    with pytest.raises(gemini_nb.InvalidInputError, match="not 0"):
        MusicWidget({"jazz": 0}, client=object())
    with pytest.raises(gemini_nb.InvalidInputError, match="needs max_seconds"):
        MusicWidget(client=object(), record_seconds=None)
    w = MusicWidget({"jazz": 1.0}, client=object())
    with pytest.raises(gemini_nb.InvalidInputError, match="scale"):
        w.set_config(scale="H_MAJOR")
    with pytest.raises(gemini_nb.InvalidInputError, match="no prompt 'blues'"):
        w.remove_prompt("blues")
    assert w.config == {}
    w.close()


async def test_synced_traits_are_the_documented_ones(comms: list[RecordingComm]) -> None:
    w = MusicWidget({"jazz": 1.0}, client=object())
    opened = comm_of(w).sent[0]
    assert opened[0] == "comm_open"
    ours = {k for k in opened[1]["state"] if not k.startswith("_")} - set(
        ipywidgets.DOMWidget.class_trait_names(sync=True)
    )
    assert ours == {
        "model",
        "state",
        "prompts",
        "config",
        "recording",
        "recorded_seconds",
        "received_seconds",
        "filtered",
        "error",
        "notice",
        "active_view",
        "prebuffer_ms",
    }
    state = opened[1]["state"]
    assert state["prompts"][0]["text"] == "jazz" and state["prompts"][0]["id"]
    assert "export default" in state["_esm"]
    assert 'registerProcessor("gnb-music-player"' in state["_worklet"]
    w.close()


async def test_close_leaves_no_comms(comms: list[RecordingComm]) -> None:
    before = set(comm.get_comm_manager().comms)
    w = MusicWidget(client=object())
    w.close()
    assert w.comm is None and set(comm.get_comm_manager().comms) == before
    assert all(c._closed for c in comms)


async def test_no_api_key_in_state_messages_or_errors(
    comms: list[RecordingComm], keyed_emulator: Any
) -> None:
    wrong = "AIzaWRONGKEY-0123456789abcdefghijklmnop"
    async with gemini_nb.AsyncClient(
        api_key=wrong, base_url=keyed_emulator.url, max_retries=0
    ) as client:
        w = MusicWidget({"jazz": 1.0}, client=client)
        w.play()
        await until(lambda: w.state == "error")
        assert w.error
        state = w.get_state()
    async with gemini_nb.AsyncClient(api_key=TEST_KEY, base_url=keyed_emulator.url) as client:
        ok = MusicWidget({"jazz": 1.0}, client=client)
        ok.record()
        ok.play()
        await until(lambda: ok.received_seconds > 0, timeout=20)
        state_ok = ok.get_state()
        ok.end()
        await until(lambda: ok.state == "ended")
    published = json.dumps([(t, d) for c in comms for t, d, _ in c.sent], default=str)
    everything = published + json.dumps([state, state_ok], default=str) + repr(w) + repr(ok)
    everything += repr(ok.recorder)
    assert wrong not in everything and TEST_KEY not in everything and "AIza" not in everything
    w.close()
    ok.close()


def test_the_static_view_is_escaped_text() -> None:
    page = static_html(
        "models/lyria-realtime-exp", [{"text": "<script>x</script>", "weight": 0.5}], {"bpm": 90}
    )
    assert "<script>" not in page and "&lt;script&gt;" in page and "bpm=90" in page
    assert "weight 0.5" in page


def test_front_end_files() -> None:
    js = static_path("music.js").read_text()
    assert js.rstrip().endswith("export default { render };")
    assert ".gnb-music-wave" in static_path("music.css").read_text()
    assert "innerHTML" not in js  # text goes in as text
