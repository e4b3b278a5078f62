"""VoiceWidget's kernel side against the emulator's Live API, with a recording comm standing in
for the browser: audio in as binary custom messages, audio, transcripts and interruptions out,
tool calls, mute, errors in words, threads, and what is (not) in the widget's state. A widget
is made in a notebook cell, on the kernel's running event loop: so are the widgets here."""

from __future__ import annotations

import asyncio
import json
import math
import struct
from collections.abc import AsyncIterator, Iterator
from typing import Any

import comm
import ipywidgets
import pytest

import gemini_nb
from gemini_nb.emulator import EmulatorOptions, EmulatorServer
from gemini_nb.notebook.widgets import VoiceWidget, static_path
from gemini_nb.notebook.widgets.voice import INPUT_MIME, describe_live_error, static_html
from tests.conftest import TEST_KEY

from ._fake_comm import RecordingComm, comm_of, comms, from_browser, until

__all__ = ["comms"]  # the fixture, imported for the tests here

RATE = 16_000
FRAME = RATE * 2 * 40 // 1000  # the browser's 40 ms frames, in bytes


def tone(seconds: float, amplitude: int = 8000) -> bytes:
    n = int(seconds * RATE)
    return struct.pack(
        f"<{n}h", *(int(amplitude * math.sin(2 * math.pi * 220 * i / RATE)) for i in range(n))
    )


def silence(seconds: float) -> bytes:
    return b"\x00\x00" * int(seconds * RATE)


def weather(city: str) -> str:
    """The weather in a city."""
    return f"Foggy in {city}, 12 C."


def broken_weather(city: str) -> str:
    """The weather in a city."""
    raise ValueError(f"no weather station in {city}")


@pytest.fixture(scope="module")
def fast() -> Iterator[EmulatorServer]:
    """Answers sent as fast as possible."""
    with EmulatorServer(options=EmulatorOptions(live_pace=0)) as server:
        yield server


@pytest.fixture(scope="module")
def paced() -> Iterator[EmulatorServer]:
    """Answers sent at the pace they play, so that they can be talked over."""
    with EmulatorServer(options=EmulatorOptions(live_pace=1)) as server:
        yield server


@pytest.fixture
async def client(fast: EmulatorServer) -> AsyncIterator[gemini_nb.AsyncClient]:
    async with gemini_nb.AsyncClient(base_url=fast.url) as c:
        yield c


def custom(w: VoiceWidget, kind: str) -> list[tuple[dict[str, Any], list[Any]]]:
    """The custom messages of one kind sent to the browser, with their buffers."""
    return [
        (d["content"], b)
        for t, d, b in list(comm_of(w).sent)
        if t == "comm_msg" and d.get("method") == "custom" and d["content"]["type"] == kind
    ]


async def speak(w: VoiceWidget, pcm: bytes) -> None:
    """Send ``pcm`` as the browser does: 40 ms binary frames, each a memoryview of its message."""
    for seq, i in enumerate(range(0, len(pcm), FRAME)):
        from_browser(w, {"type": "audio", "seq": seq}, [memoryview(pcm[i : i + FRAME])])
        await asyncio.sleep(0)


async def started(w: VoiceWidget) -> None:
    from_browser(w, {"type": "start", "view": "view-1"})
    await until(lambda: w.state != "connecting", what="the session to open")
    assert w.state == "live", w.error


def roles(w: VoiceWidget) -> list[tuple[str, str]]:
    return [(e["role"], e["state"]) for e in w.transcript]


async def test_audio_in_transcripts_and_audio_out(
    comms: list[RecordingComm], client: gemini_nb.AsyncClient
) -> None:
    w = VoiceWidget(client=client)
    assert w.state == "idle" and w.transcript == []
    await started(w)
    assert w.active_view == "view-1" and w.session is not None
    await speak(w, silence(0.3) + tone(0.8) + silence(1.0))
    await until(lambda: custom(w, "turn_complete"), what="the answer")

    # The emulator heard 0.8 s of speech, and said something back, in 24 kHz PCM16.
    assert w.transcript[0] == {"role": "user", "text": "[speech, 0.8 s]", "state": "done"}
    said = w.transcript[1]
    assert said["role"] == "model" and said["state"] == "done" and said["text"].strip()
    audio = [b for _, bs in custom(w, "audio") for b in bs]
    assert audio and all(len(bytes(b)) % 2 == 0 for b in audio)
    seconds = sum(len(bytes(b)) for b in audio) / 2 / 24_000
    assert seconds > 1.0
    # Every audio message came before the end of the turn, and the usage was counted.
    kinds = [
        d["content"]["type"]
        for t, d, _ in comm_of(w).sent
        if t == "comm_msg" and d.get("method") == "custom"
    ]
    assert kinds.index("turn_complete") > max(i for i, k in enumerate(kinds) if k == "audio")
    assert w.usage["output"] == math.ceil(seconds * 25) and w.usage["total"] > w.usage["output"]
    w.end()
    await until(lambda: w.state == "ended")
    assert w.transcript[-1] == {"role": "note", "text": "Session ended.", "state": "done"}
    assert w.session is None and w.error == ""
    w.close()


async def test_live_lines_are_throttled_and_the_trait_gets_the_final_text(
    comms: list[RecordingComm], paced: EmulatorServer
) -> None:
    async with gemini_nb.AsyncClient(base_url=paced.url) as client:
        w = VoiceWidget(client=client)
        await started(w)
        from_browser(w, {"type": "text", "text": "Say a short greeting."})
        await until(lambda: custom(w, "turn_complete"), timeout=30, what="the answer")
        model = next(i for i, e in enumerate(w.transcript) if e["role"] == "model")
        lines = [c for c, _ in custom(w, "line") if c["index"] == model]
        final = w.transcript[model]["text"]
        assert lines and all(final.startswith(c["text"]) for c in lines)
        # Each update carries the whole entry so far, and they grow.
        texts = [c["text"] for c in lines]
        assert texts == sorted(texts, key=len)
        w.close()


async def test_talking_over_the_answer_interrupts_it(
    comms: list[RecordingComm], paced: EmulatorServer
) -> None:
    async with gemini_nb.AsyncClient(base_url=paced.url) as client:
        w = VoiceWidget(client=client)
        await started(w)
        from_browser(w, {"type": "text", "text": "Tell me about the sea in three paragraphs."})
        await until(lambda: len(custom(w, "audio")) >= 3, what="the answer to play")
        await speak(w, tone(0.3))
        await until(lambda: custom(w, "interrupted"), what="the interruption")
        assert not custom(w, "turn_complete")
        assert roles(w) == [("user", "done"), ("model", "interrupted")]
        assert w.transcript[0]["typed"] is True
        # The words said over the answer are the next turn, which the model starts answering.
        await speak(w, silence(1.0))
        await until(lambda: len(w.transcript) >= 4, what="the next answer")
        assert roles(w)[2:] == [("user", "done"), ("model", "live")]
        assert w.transcript[2]["text"] == "[speech, 0.3 s]"
        w.close()


async def test_mute_ends_the_utterance_and_stops_sending(
    comms: list[RecordingComm], client: gemini_nb.AsyncClient
) -> None:
    w = VoiceWidget(client=client)
    await started(w)
    await speak(w, tone(0.6))  # speech, and no silence after it
    await asyncio.sleep(0.2)
    assert w.transcript == []  # the server still waits for the end of the utterance
    w.set_state({"muted": True})  # the browser's Mute button
    # audioStreamEnd tells the server the stream paused: the utterance ends where it was cut.
    await until(lambda: w.transcript, what="the utterance to end")
    assert w.transcript[0]["text"] == "[speech, 0.6 s]"
    await until(lambda: custom(w, "turn_complete"))
    # Audio racing the mute is dropped, not sent.
    await speak(w, tone(0.6) + silence(1.0))
    await asyncio.sleep(0.3)
    assert sum(e["role"] == "user" for e in w.transcript) == 1 and not w._outbox
    w.close()


async def test_tools_run_and_show_as_they_go(
    comms: list[RecordingComm], client: gemini_nb.AsyncClient
) -> None:
    started_at: list[float] = []
    release = asyncio.Event()

    async def get_weather(city: str) -> str:
        """The weather in a city."""
        started_at.append(asyncio.get_running_loop().time())
        await release.wait()
        return f"Foggy in {city}."

    w = VoiceWidget(client=client, tools=[get_weather])
    await started(w)
    w.send_text("What is the weather in London?")
    running = await until(lambda: [e for e in w.transcript if e["role"] == "tool"])
    assert running[0]["state"] == "running" and running[0]["name"] == "get_weather"
    assert running[0]["args"] == {"city": "London"} and running[0]["id"]
    release.set()
    await until(lambda: custom(w, "turn_complete"))
    tool = w.tool_calls[0]
    assert tool["state"] == "done" and tool["result"] == "Foggy in London."
    assert "Foggy in London" in w.transcript[-1]["text"] and w.transcript[-1]["role"] == "model"
    w.close()


async def test_a_tool_that_raises_is_shown_and_told(
    comms: list[RecordingComm], client: gemini_nb.AsyncClient
) -> None:
    w = VoiceWidget(client=client, tools=[broken_weather])
    await started(w)
    w.send_text("What is the weather in Atlantis?")
    await until(lambda: custom(w, "turn_complete"))
    [tool] = w.tool_calls
    assert tool["state"] == "error"
    assert tool["error"] == "ValueError: no weather station in Atlantis"
    # The session goes on: the model was sent the error, and answered.
    assert w.state == "live" and w.error == ""
    assert w.transcript[-1]["role"] == "model" and w.transcript[-1]["state"] == "done"
    w.close()


async def test_a_refused_setup_is_said_in_words(
    comms: list[RecordingComm], client: gemini_nb.AsyncClient
) -> None:
    w = VoiceWidget(model="gemini-2.5-flash", client=client)
    from_browser(w, {"type": "start", "view": "v"})
    await until(lambda: w.state == "error", what="the refusal")
    assert w.error.startswith("The server refused the session (close code 1008): ")
    assert "bidiGenerateContent" in w.error
    assert w.transcript == [
        {"role": "note", "text": "Session stopped by an error.", "state": "done"}
    ]
    bundle, _ = w._repr_mimebundle_()
    assert "bidiGenerateContent" in bundle["text/html"]  # the saved view says why too
    # Start again with a good model: the error goes.
    w.model = "gemini-2.5-flash-native-audio-latest"
    await started(w)
    assert w.error == ""
    w.close()


async def test_a_dropped_session_is_said_in_words(
    comms: list[RecordingComm], fast: EmulatorServer
) -> None:
    fast.app.faults.add({"live": {"close_code": 1011, "close_after_ms": 300}})
    try:
        async with gemini_nb.AsyncClient(base_url=fast.url) as client:
            w = VoiceWidget(client=client)
            await started(w)
            await until(lambda: w.state == "error", what="the drop")
    finally:
        fast.app.faults.clear()
    assert w.error.startswith("The session dropped (close code 1011)"), w.error
    assert "Internal error" in w.error
    w.close()


async def test_a_reconnect_is_said_and_the_session_goes_on(
    comms: list[RecordingComm], fast: EmulatorServer
) -> None:
    fast.app.faults.add({"live": {"go_away_every_ms": 400}})
    try:
        async with gemini_nb.AsyncClient(base_url=fast.url) as client:
            w = VoiceWidget(client=client, config={"response_modalities": ["TEXT"]})
            w.send_text("My name is Ada.")
            await until(lambda: w.notice, what="a reconnect")
            assert w.notice == (
                "Reconnected: the server asked to move to a new connection; "
                "the conversation goes on."
            )
            assert w.state == "live" and w.error == ""
            # The resumed session remembers the conversation.
            w.send_text("What is my name?")
            await until(
                lambda: (
                    len([e for e in w.transcript if e["role"] == "model" and e["state"] == "done"])
                    == 2
                ),
                what="the second answer",
            )
            assert "Ada" in w.transcript[-1]["text"]
            w.close()
    finally:
        fast.app.faults.clear()


async def test_messages_from_a_subshell_thread_run_on_the_widget_loop(
    comms: list[RecordingComm], client: gemini_nb.AsyncClient
) -> None:
    # JupyterLab 4.6 sends widget messages to a kernel subshell: another thread. The session
    # and everything it sends stay on the widget's loop.
    w = VoiceWidget(client=client)
    await asyncio.to_thread(from_browser, w, {"type": "start", "view": "v"})
    await until(lambda: w.state == "live")
    assert w._task is not None and w._task.get_loop() is asyncio.get_running_loop()
    pcm = silence(0.2) + tone(0.5) + silence(1.0)

    def browser() -> None:
        for i in range(0, len(pcm), FRAME):
            from_browser(w, {"type": "audio"}, [memoryview(pcm[i : i + FRAME])])

    await asyncio.to_thread(browser)
    await until(lambda: custom(w, "turn_complete"))
    assert w.transcript[0]["text"] == "[speech, 0.5 s]"
    await asyncio.to_thread(from_browser, w, {"type": "end"})
    await until(lambda: w.state == "ended")
    w.close()


async def test_text_only_session_from_python(
    comms: list[RecordingComm], client: gemini_nb.AsyncClient
) -> None:
    w = VoiceWidget(client=client, config={"response_modalities": ["TEXT"]})
    w.send_text("Say a short greeting.")  # starts the session
    assert w.state == "connecting"
    await until(lambda: custom(w, "turn_complete"))
    assert roles(w) == [("user", "done"), ("model", "done")]
    assert w.transcript[1]["text"].strip() and not custom(w, "audio")
    assert (
        repr(w)
        == "VoiceWidget(model='gemini-2.5-flash-native-audio-latest', state='live', turns=2)"
    )
    task = w._task
    w.end()
    assert task is not None
    await task
    assert w.state == "ended"
    w.close()


async def test_a_server_close_ends_quietly(
    comms: list[RecordingComm], fast: EmulatorServer
) -> None:
    fast.app.faults.add({"live": {"close_code": 1000, "close_after_ms": 200}})
    try:
        async with gemini_nb.AsyncClient(base_url=fast.url) as client:
            w = VoiceWidget(client=client)
            await started(w)
            await until(lambda: w.state != "live", what="the close")
    finally:
        fast.app.faults.clear()
    assert w.state == "ended" and w.error == ""
    assert w.transcript[-1]["text"] == "The server ended the session."
    w.close()


async def test_old_audio_is_dropped_when_the_session_falls_behind(
    comms: list[RecordingComm],
) -> None:
    w = VoiceWidget(client=object())
    frame = bytes(FRAME)
    for _ in range(200):  # 8 s of audio that could not be sent
        w._post("audio", frame)
    w._post("text", "hello")
    w._post("audio", frame)
    audio = [v for k, v in w._outbox if k == "audio"]
    assert len(audio) * FRAME <= 5 * RATE * 2 and w.dropped_audio == 200 + 1 - len(audio)
    assert ("text", "hello") in w._outbox  # a typed turn is never dropped
    w.close()


async def test_config_and_tools(comms: list[RecordingComm]) -> None:
    w = VoiceWidget(
        system_instruction="Be brief.",
        voice="Kore",
        tools=[weather],
        config={"temperature": 0.5},
        client=object(),
    )
    assert w._config == {
        "response_modalities": ["AUDIO"],
        "input_audio_transcription": {},
        "output_audio_transcription": {},
        "system_instruction": "Be brief.",
        "speech_config": {"voice_config": {"prebuilt_voice_config": {"voice_name": "Kore"}}},
        "tools": [weather],
        # The widget runs the functions itself, to show them as they run.
        "automatic_function_calling": {"disable": True},
        "temperature": 0.5,
    }
    assert w._functions == {"weather": weather}
    w.close()


async def test_synced_traits_are_the_documented_ones(comms: list[RecordingComm]) -> None:
    w = VoiceWidget(client=object())
    opened = comm_of(w).sent[0]
    assert opened[0] == "comm_open"
    ours = {k for k in opened[1]["state"] if not k.startswith("_")} - set(
        ipywidgets.DOMWidget.class_trait_names(sync=True)
    )
    assert ours == {
        "model",
        "state",
        "muted",
        "transcript",
        "error",
        "notice",
        "usage",
        "active_view",
        "chunk_ms",
        "prebuffer_ms",
    }
    state = opened[1]["state"]
    assert "export default" in state["_esm"]
    assert 'registerProcessor("gnb-capture"' in state["_worklet"]
    assert 'registerProcessor("gnb-playback"' in state["_worklet"]
    w.close()


async def test_the_browser_says_why_there_is_no_microphone(comms: list[RecordingComm]) -> None:
    w = VoiceWidget(client=object())
    reason = "No microphone: permission was denied. Type below instead."
    from_browser(w, {"type": "mic", "view": "v", "ok": False, "reason": reason})
    assert w.notice == reason
    from_browser(w, {"type": "mic", "view": "v", "ok": True})
    assert w.notice == ""
    w.close()


async def test_closing_a_live_widget_ends_its_session(
    comms: list[RecordingComm], client: gemini_nb.AsyncClient
) -> None:
    w = VoiceWidget(client=client)
    await started(w)
    task = w._task
    w.close()
    assert task is not None
    await task  # ends quietly, not with an error raised into the loop
    assert w.state == "ended" and w.comm is None and w.session is None


async def test_close_leaves_no_comms(comms: list[RecordingComm]) -> None:
    before = set(comm.get_comm_manager().comms)
    w = VoiceWidget(client=object())
    w.close()
    assert w.comm is None and set(comm.get_comm_manager().comms) == before
    assert all(c._closed for c in comms)


def test_transcript_stays_text_in_the_static_view() -> None:
    page = static_html(
        "m",
        [
            {"role": "user", "text": "<img src=x onerror=alert(1)>", "state": "done"},
            {"role": "model", "text": "Hi <b>there</b>", "state": "interrupted"},
            {
                "role": "tool",
                "name": "f",
                "args": {"q": "<i>"},
                "state": "error",
                "error": "ValueError: <no>",
            },
        ],
    )
    assert "<img" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "Hi &lt;b&gt;there&lt;/b&gt; <i>(interrupted)</i>" in page
    assert "f(q=&quot;&lt;i&gt;&quot;)" in page and "ValueError: &lt;no&gt;" in page


def test_errors_in_words() -> None:
    class Closed(Exception):
        code = 1007
        reason = "Invalid value for generation_config.temperature"

    assert describe_live_error(Closed(), "setup") == (
        "The server refused the session (close code 1007): "
        "Invalid value for generation_config.temperature"
    )
    assert describe_live_error(Closed(), "live").startswith("The session dropped (close code 1007)")
    assert describe_live_error(OSError("connection refused"), "setup") == (
        "Could not open the session: OSError: connection refused"
    )


async def test_no_api_key_in_state_messages_or_errors(
    comms: list[RecordingComm], keyed_emulator: Any
) -> None:
    wrong = "AIzaWRONGKEY-0123456789abcdefghijklmnop"
    async with gemini_nb.AsyncClient(
        api_key=wrong, base_url=keyed_emulator.url, max_retries=0
    ) as client:
        w = VoiceWidget(client=client)
        from_browser(w, {"type": "start", "view": "v"})
        await until(lambda: w.state == "error")
        assert w.error
        state = w.get_state()
    async with gemini_nb.AsyncClient(api_key=TEST_KEY, base_url=keyed_emulator.url) as client:
        ok = VoiceWidget(client=client)
        await started(ok)
        ok.send_text("Hello")
        await until(lambda: custom(ok, "turn_complete"))
        state_ok = ok.get_state()
    published = json.dumps([(t, d) for c in comms for t, d, _ in c.sent], default=str)
    everything = published + json.dumps([state, state_ok], default=str) + repr(w) + repr(ok)
    assert wrong not in everything and TEST_KEY not in everything and "AIza" not in everything
    w.close()
    ok.close()


def test_input_mime_and_front_end_files() -> None:
    assert INPUT_MIME == "audio/pcm;rate=16000"
    js = static_path("voice.js").read_text()
    assert js.rstrip().endswith("export default { render };")
    assert ".gnb-voice-entry" in static_path("voice.css").read_text()
