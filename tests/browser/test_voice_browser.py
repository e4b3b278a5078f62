"""The voice widget in JupyterLab, in headless Chromium with a fake microphone.

Chromium's fake capture device plays ``data/speech.wav`` (espeak-ng saying "Hello, please tell
me about the sea") once, from the moment the widget opens the microphone. The audio goes
through the capture worklet and the kernel to the Live emulator started in the kernel, which
hears it (an input transcription arrives) and answers with speech that the playback worklet
plays: what is played is measured in the page (the worklet's count of samples sent to the
output, and an AnalyserNode on the output path), never assumed from what arrived.

Talking over the reply needs speech at a moment the test chooses (once the reply is heard
playing), which a fake device playing one file from a fixed start cannot give: when the reply
starts depends on the kernel and the server. So the page's ``getUserMedia`` is wrapped (an init
script, before JupyterLab loads) to return the fake device's stream mixed, through Web Audio,
with a source the test can start: the first utterance still comes from Chromium's fake device,
and ``window.__gnbSpeak`` adds the same words to the microphone on demand. The widget's code is
the same as in production; only what the microphone hears is staged.

A second browser, launched with ``--deny-permission-prompts`` instead of the fake prompt,
refuses the microphone as a user would: the widget says so, and a typed message still gets a
spoken answer.

The worklet's resampler is also checked on its own in Chromium's JavaScript engine: unity gain
and the right pitch in the speech band, and nothing above the 16 kHz Nyquist folded back.

The WAV was made with ``espeak-ng -v en-us -s 160 -w raw.wav "Hello, please tell me about the
sea"`` and ``sox raw.wav -r 16000 -c 1 -b 16 speech.wav pad 0.5 0.3``.
"""

from __future__ import annotations

import base64
import json
import re
import time
import wave
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import _shutdown_kernels
from .jupyter import CHROMIUM_ARGS, JupyterServer, Lab, artifact_stem, fake_media_args

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

SPEECH = Path(__file__).parent / "data" / "speech.wav"
WIDGET = ".gnb-voice"
ENTRIES = f"{WIDGET} .gnb-voice-entry"
OUR_MODULE = re.compile(r"anywidget|gnb-voice|voice\.js|VoiceWidget|worklet", re.IGNORECASE)

CELLS = [
    # No key in the kernel's environment: the extension starts the emulator in the kernel.
    "%load_ext gemini_nb",
    '''from gemini_nb import VoiceWidget


def get_weather(city: str) -> str:
    """The weather in a city."""
    return f"Foggy in {city}, 12 C."


voice = VoiceWidget(system_instruction="Be brief.", tools=[get_weather])
voice''',
    'print("entries:", [(e["role"], e["state"]) for e in voice.transcript])',
]

# Wraps getUserMedia: the fake device's stream mixed with a source the test starts on demand.
SPEAK_ON_DEMAND = """
(() => {
  const devices = navigator.mediaDevices;
  if (!devices || !devices.getUserMedia) return;
  const original = devices.getUserMedia.bind(devices);
  devices.getUserMedia = async (constraints) => {
    const stream = await original(constraints);
    if (!constraints || !constraints.audio) return stream;
    const ctx = new AudioContext();
    const out = ctx.createMediaStreamDestination();
    ctx.createMediaStreamSource(stream).connect(out);
    window.__gnbSpeak = (b64, rate) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const pcm = new Int16Array(bytes.buffer);
      const buffer = ctx.createBuffer(1, pcm.length, rate);
      const channel = buffer.getChannelData(0);
      for (let i = 0; i < pcm.length; i++) channel[i] = pcm[i] / 32768;
      const source = ctx.createBufferSource();
      source.buffer = buffer;
      source.connect(out);
      source.start();
      return buffer.duration;
    };
    const [track] = out.stream.getAudioTracks();
    const stop = track.stop.bind(track);
    track.stop = () => {
      stop();
      for (const t of stream.getTracks()) t.stop();
      ctx.close();
    };
    return out.stream;
  };
})();
"""


def speech_pcm() -> tuple[str, int]:
    with wave.open(str(SPEECH), "rb") as wav:
        assert (wav.getnchannels(), wav.getsampwidth()) == (1, 2)
        return base64.b64encode(wav.readframes(wav.getnframes())).decode(), wav.getframerate()


def write_notebook(path: Path, cells: list[str]) -> Path:
    notebook = {
        "cells": [
            {
                "cell_type": "code",
                "execution_count": None,
                "id": f"c{i}",
                "metadata": {},
                "outputs": [],
                "source": source,
            }
            for i, source in enumerate(cells)
        ],
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path.write_text(json.dumps(notebook, indent=1))
    return path


@pytest.fixture(scope="module")
def playwright() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def browser(playwright: Any, chromium_path: str) -> Iterator[Any]:
    """This module's Chromium: a fake microphone playing ``SPEECH``, granted without a prompt."""
    browser = playwright.chromium.launch(
        executable_path=chromium_path,
        headless=True,
        args=[*CHROMIUM_ARGS, *fake_media_args(SPEECH)],
    )
    try:
        yield browser
    finally:
        browser.close()


@pytest.fixture
def denied_lab(
    playwright: Any,
    chromium_path: str,
    jupyter_server: JupyterServer,
    request: pytest.FixtureRequest,
) -> Iterator[Lab]:
    """JupyterLab in a Chromium that refuses the microphone, as when a user clicks Block."""
    browser = playwright.chromium.launch(
        executable_path=chromium_path,
        headless=True,
        args=[
            *CHROMIUM_ARGS,
            "--use-fake-device-for-media-stream",
            "--deny-permission-prompts",
            "--autoplay-policy=no-user-gesture-required",
        ],
    )
    lab = Lab(
        browser.new_context(viewport={"width": 1400, "height": 1000}).new_page(), jupyter_server
    )
    try:
        yield lab
    finally:
        if getattr(getattr(request.node, "report_call", None), "failed", False):
            lab.save_artifacts(artifact_stem(request.node.name))
        _shutdown_kernels(jupyter_server)
        browser.close()


def stats(lab: Lab) -> dict[str, Any]:
    """What the widget's audio path did, from its root element's data attributes."""
    data: dict[str, str] = lab.page.evaluate(
        "sel => ({...document.querySelector(sel).dataset})", WIDGET
    )
    out: dict[str, Any] = dict(data)
    for key, value in data.items():
        if re.fullmatch(r"-?\d+(\.\d+)?", value):
            out[key] = float(value)
    return out


def wait_stats(lab: Lab, condition: str, timeout: float = 30) -> dict[str, Any]:
    """Wait until ``condition`` (JS over ``d``, the dataset with numbers) holds."""
    lab.page.wait_for_function(
        """([sel, cond]) => {
            const raw = document.querySelector(sel)?.dataset || {};
            const d = Object.fromEntries(Object.entries(raw).map(
                ([k, v]) => [k, /^-?\\d+(\\.\\d+)?$/.test(v) ? Number(v) : v]));
            return Function("d", `return (${cond});`)(d);
        }""",
        arg=[WIDGET, condition],
        timeout=timeout * 1000,
    )
    return stats(lab)


def entries(lab: Lab) -> list[dict[str, str]]:
    return lab.page.evaluate(
        """sel => [...document.querySelectorAll(sel)].map(n => ({
            cls: n.className, state: n.dataset.state, text: n.textContent }))""",
        ENTRIES,
    )


def check_console(lab: Lab) -> None:
    ours = [line for line in lab.console_errors() if OUR_MODULE.search(line)]
    assert not ours, "\n".join(ours)
    assert not lab.page_errors, "\n".join(lab.page_errors)


def open_widget(lab: Lab, tmp_path: Path) -> None:
    lab.open_notebook(write_notebook(tmp_path / "voice_widget.ipynb", CELLS))
    lab.run_all()
    lab.page.locator(f"{WIDGET} .gnb-voice-start").wait_for(timeout=30_000)


def test_talk_hear_and_interrupt(lab: Lab, tmp_path: Path) -> None:
    page = lab.page
    page.add_init_script(SPEAK_ON_DEMAND)
    open_widget(lab, tmp_path)
    assert stats(lab)["state"] == "idle" and stats(lab)["audio"] == "off"
    assert page.locator(f"{WIDGET} .gnb-voice-mute").is_hidden()

    # Start: the microphone opens and the fake device's words go to the kernel.
    page.locator(f"{WIDGET} .gnb-voice-start").click()
    wait_stats(lab, "d.state === 'live' && d.mic === 'on'")
    assert page.locator(f"{WIDGET} .gnb-voice-status").text_content() == "Live · listening"
    wait_stats(lab, "d.micLevel > 0.01", timeout=10)  # the microphone meter hears the words

    # The emulator heard them: its input transcription gives the utterance's length.
    lab.wait_for_text(f"{ENTRIES}.gnb-voice-user", "[speech,", timeout=30)
    heard = entries(lab)[0]["text"]
    seconds = float(re.search(r"\[speech, (\d+\.\d) s\]", heard).group(1))  # type: ignore[union-attr]
    assert 2.0 <= seconds <= 3.2, heard  # the WAV holds about 2.6 s of speech

    # The reply plays: counted where samples leave for the speakers, and heard by the analyser.
    playing = wait_stats(lab, "d.played > 1.5 && d.speakerLevel > 0.02", timeout=30)
    assert playing["speakerPeak"] > 0.05
    assert playing["received"] >= playing["played"]

    # Talk over it: the server says interrupted, and playback stops at once.
    pcm, rate = speech_pcm()
    before = stats(lab)
    assert before["flushes"] == 0
    page.evaluate("([b64, rate]) => window.__gnbSpeak(b64, rate)", [pcm, rate])
    flushed = wait_stats(lab, "d.flushes >= 1", timeout=10)
    assert flushed["flushed"] > 0  # queued audio was dropped, not played
    time.sleep(0.4)
    after = stats(lab)
    # Nothing more played after the flush (one render quantum of slack), and the output is
    # silent.
    assert after["played"] - flushed["played"] < 0.01, (flushed, after)
    assert after["speakerLevel"] < 0.001, after
    page.locator(f"{ENTRIES}.gnb-voice-model[data-state='interrupted']").wait_for(timeout=10_000)
    assert page.locator(f"{ENTRIES} .gnb-voice-mark").first.text_content() == "interrupted"

    # The words said over the reply are the next turn: heard, answered, played.
    page.wait_for_function(
        "sel => document.querySelectorAll(sel).length >= 2",
        arg=f"{ENTRIES}.gnb-voice-user",
        timeout=30_000,
    )
    wait_stats(lab, f"d.played > {after['played'] + 0.5}", timeout=30)

    # Mute: nothing more is sent; unmute: sending goes on.
    page.locator(f"{WIDGET} .gnb-voice-mute").click()
    muted = wait_stats(lab, "d.mic === 'muted'", timeout=10)
    assert page.locator(f"{WIDGET} .gnb-voice-mute").get_attribute("aria-pressed") == "true"
    time.sleep(0.5)
    assert stats(lab)["sent"] - muted["sent"] < 0.2  # at most a frame already on its way
    page.locator(f"{WIDGET} .gnb-voice-mute").click()
    unmuted = wait_stats(lab, "d.mic === 'on'", timeout=10)
    wait_stats(lab, f"d.sent > {unmuted['sent'] + 0.3}", timeout=10)

    # A typed question calls a tool, shown as it runs, then answered.
    page.locator(f"{WIDGET} .gnb-voice-input").fill("What is the weather in Paris?")
    page.locator(f"{WIDGET} .gnb-voice-input").press("Enter")
    tool = page.locator(f"{ENTRIES}.gnb-voice-tool[data-state='done']")
    tool.wait_for(timeout=30_000)
    text = tool.text_content() or ""
    assert 'get_weather(city="Paris")' in text and "Foggy in Paris, 12 C." in text, text
    assert (
        page.locator(f"{ENTRIES}.gnb-voice-user", has_text="What is the weather in Paris?").count()
        == 1
    )

    # Its spoken answer plays to the end: everything received was played or, talked over,
    # dropped (a few ms of resampler tail aside); none of it went missing.
    page.locator(f"{ENTRIES}.gnb-voice-model[data-state='done']").last.wait_for(timeout=30_000)
    done = wait_stats(lab, "d.queued === 0 && d.speakerLevel === 0", timeout=30)
    assert abs(done["received"] - done["played"] - done["flushed"]) < 0.05, done

    # End: the session closes, the microphone and the audio context are let go.
    page.locator(f"{WIDGET} .gnb-voice-end").click()
    wait_stats(lab, "d.state === 'ended' && d.audio === 'off' && d.mic === 'off'", timeout=15)
    lab.wait_for_text(f"{ENTRIES}.gnb-voice-note", "Session ended.", timeout=10)
    assert page.locator(f"{WIDGET} .gnb-voice-start").is_visible()

    # Start again: a new session, with the microphone open again.
    page.locator(f"{WIDGET} .gnb-voice-start").click()
    wait_stats(lab, "d.state === 'live' && d.audio === 'on' && d.mic === 'on'", timeout=15)
    page.locator(f"{WIDGET} .gnb-voice-end").click()
    wait_stats(lab, "d.state === 'ended' && d.audio === 'off'", timeout=15)

    # The kernel's view of the same conversation.
    lab.run_cell(2)
    lab.wait_for_text(".jp-OutputArea-output", "('model', 'interrupted')", timeout=30)
    lab.wait_for_text(".jp-OutputArea-output", "('tool', 'done')", timeout=5)
    check_console(lab)


def test_no_microphone_offers_text(denied_lab: Lab, tmp_path: Path) -> None:
    lab = denied_lab
    open_widget(lab, tmp_path)
    lab.page.locator(f"{WIDGET} .gnb-voice-start").click()
    wait_stats(lab, "d.state === 'live' && d.audio === 'on'")
    notice = lab.page.locator(f"{WIDGET} .gnb-voice-notice")
    notice.wait_for(timeout=10_000)
    assert "No microphone: permission was denied" in (notice.text_content() or "")
    assert "Type below instead" in (notice.text_content() or "")
    assert stats(lab)["mic"] == "off"
    assert lab.page.locator(f"{WIDGET} .gnb-voice-status").text_content() == "Live · text only"
    assert lab.page.locator(f"{WIDGET} .gnb-voice-mute").is_disabled()

    # Typing works, and the answer is spoken.
    lab.page.locator(f"{WIDGET} .gnb-voice-input").fill("Say a short greeting.")
    lab.page.locator(f"{WIDGET} .gnb-voice-send").click()
    wait_stats(lab, "d.played > 0.5 && d.speakerPeak > 0.02", timeout=30)
    assert lab.page.locator(f"{ENTRIES}.gnb-voice-model").count() >= 1
    assert stats(lab)["sent"] == 0
    check_console(lab)


RESAMPLE = """
([src, inRate, outRate, freq]) => {
  const Resampler = new Function("AudioWorkletProcessor", "registerProcessor", "sampleRate",
                                 src + "\\nreturn Resampler;")(class {}, () => {}, inRate);
  const r = new Resampler(inRate, outRate);
  const out = [];
  for (let i = 0; i < inRate; i += 128) {  // one second, in render quanta
    const block = new Float32Array(Math.min(128, inRate - i));
    for (let j = 0; j < block.length; j++) block[j] = 0.5 * Math.sin(2 * Math.PI * freq * (i + j) / inRate);
    out.push(...r.push(block));
  }
  const y = out.slice(200);  // past the filter's start
  let crossings = 0;
  for (let i = 1; i < y.length; i++) if ((y[i - 1] < 0) !== (y[i] < 0)) crossings++;
  const rms = Math.sqrt(y.reduce((s, v) => s + v * v, 0) / y.length);
  return { n: out.length, rms, freq: crossings / 2 / (y.length / outRate) };
}
"""


@pytest.mark.parametrize(
    ("in_rate", "out_rate", "freq", "passes"),
    [
        (48_000, 16_000, 1000, True),  # the microphone, at the usual context rates
        (44_100, 16_000, 440, True),
        (48_000, 16_000, 10_000, False),  # above 8 kHz: filtered out, not folded back
        (44_100, 16_000, 12_000, False),
        (24_000, 48_000, 1000, True),  # the model's speech, up to the context's rate
        (24_000, 44_100, 3000, True),
    ],
)
def test_worklet_resampler_in_chromium(
    browser: Any, in_rate: int, out_rate: int, freq: int, passes: bool
) -> None:
    source = (Path(__file__).parents[2] / "widgets" / "voice-worklet.js").read_text()
    page = browser.new_page()
    try:
        got = page.evaluate(RESAMPLE, [source, in_rate, out_rate, freq])
    finally:
        page.close()
    # One second in, one second out (but the filter's half-width, still held back).
    assert out_rate - 40 <= got["n"] <= out_rate
    if passes:
        assert got["rms"] == pytest.approx(0.5 / 2**0.5, rel=0.01)  # unity gain
        assert got["freq"] == pytest.approx(freq, rel=0.005)
    else:
        assert got["rms"] < 0.5 / 2**0.5 / 300  # at least 50 dB down
