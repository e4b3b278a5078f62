"""The music widget in JupyterLab, in headless Chromium, against the live music emulator
started in the kernel (music paced in real time).

What plays is measured in the page, never assumed from what arrived: the worklet counts the
samples it sends to the output, an AnalyserNode after it gives the output's level, and the
worklet's 10 ms envelope of what it played (``root.gnbMusicEnvelope()``) gives the tempo, by
the same autocorrelation as the emulator's tests. So "the bpm slider reaches the emulator and
changes the music" is checked where a listener would hear it. Screenshots of the widget in the
light and the dark theme are saved in ``test-artifacts/`` on every run.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .jupyter import ARTIFACTS, Lab
from .test_first_minutes_browser import (
    _CONTRAST_JS,
    VISIBLE,
    cell_outputs,
    set_theme,
    write_notebook,
)

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

WIDGET = f"{VISIBLE} .gnb-music"
OUR_MODULE = re.compile(r"anywidget|gnb-music|music\.js|MusicWidget|worklet", re.IGNORECASE)

CELLS = [
    # No key in the kernel's environment: the extension starts the emulator in the kernel.
    "%load_ext gemini_nb",
    # Drums only: a kick on every beat, whose tempo the envelope shows plainly.
    "from gemini_nb import MusicWidget\n"
    "music = MusicWidget({'minimal techno': 1.0},\n"
    "                    config={'bpm': 120, 'only_bass_and_drums': True, 'mute_bass': True})\n"
    "music",
    "s = music.session\n"
    "print('prompts:', s and [(p.text, p.weight) for p in s.prompts])\n"
    "print('config:', s and s.config)\n"
    "print('state:', music.state, 'recorded:', music.recorded_seconds > 0)",
]

TEXTS = [
    f"{WIDGET} .gnb-music-status",
    f"{WIDGET} .gnb-music-play",
    f"{WIDGET} .gnb-music-pause",
    f"{WIDGET} .gnb-music-head",
    f"{WIDGET} .gnb-music-prompt-text",
    f"{WIDGET} .gnb-music-weight-value",
    f"{WIDGET} .gnb-music-label",
    f"{WIDGET} .gnb-music-value",
    f"{WIDGET} .gnb-music-scale",
    f"{WIDGET} .gnb-music-flag",
    f"{WIDGET} .gnb-music-footer",
    f"{WIDGET} .gnb-music-notice",
    f"{WIDGET} .gnb-music-filtered",
]


def bpm_of(envelope: list[float]) -> float:
    """Tempo from a 10 ms envelope's autocorrelation (as tests/emulator/test_music.py)."""
    mean = sum(envelope) / len(envelope)
    centred = [e - mean for e in envelope]
    scores = {}
    for lag in range(30, 101):  # 60 to 200 bpm
        total = sum(centred[i] * centred[i + lag] for i in range(len(centred) - lag))
        scores[lag] = total / (len(centred) - lag)
    best = max(scores.values())
    lag = min(k for k, v in scores.items() if v >= 0.8 * best)
    return 6000 / lag


def stats(lab: Lab) -> dict[str, Any]:
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


def played_tempo(lab: Lab, seconds: float = 4.0) -> float:
    envelope: list[float] = lab.page.evaluate(
        "sel => document.querySelector(sel).gnbMusicEnvelope()", WIDGET
    )
    return bpm_of(envelope[-int(seconds * 100) :])


def tempo_becomes(lab: Lab, bpm: float, timeout: float = 40) -> float:
    """Wait until the last four seconds played are at ``bpm`` (within 4)."""
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        tempo = played_tempo(lab)
        seen.append(round(tempo, 1))
        if abs(tempo - bpm) <= 4:
            return tempo
        time.sleep(1.0)
    raise AssertionError(f"the music did not reach {bpm} bpm; measured {seen}")


def kernel_says(lab: Lab, text: str = "", timeout: float = 15) -> str:
    """What the kernel's session holds (cell 2's output), once it contains ``text``."""
    deadline = time.monotonic() + timeout
    while True:
        lab.run_cell(2)
        said = "\n".join(o["text"] for o in cell_outputs(lab, 2))
        if text in said or time.monotonic() > deadline:
            return said
        time.sleep(0.5)


def check_console(lab: Lab) -> None:
    ours = [line for line in lab.console_errors() if OUR_MODULE.search(line)]
    assert not ours, "\n".join(ours)
    assert not lab.page_errors, "\n".join(lab.page_errors)


@pytest.fixture
def light_again(lab: Lab) -> Iterator[None]:
    # The theme is a user setting of the shared server: later tests expect the light one.
    yield
    if lab.page.evaluate("() => document.body.dataset.jpThemeLight") == "false":
        set_theme(lab, "JupyterLab Light")


def test_play_steer_record_in_light_and_dark(lab: Lab, tmp_path: Path, light_again: None) -> None:
    page = lab.page
    lab.open_notebook(write_notebook(tmp_path / "music_widget.ipynb", CELLS))
    lab.run_all()
    page.locator(f"{WIDGET} .gnb-music-play").wait_for(timeout=30_000)
    idle = stats(lab)
    assert idle["state"] == "idle" and idle["audio"] == "off"
    assert page.locator(f"{WIDGET} .gnb-music-pause").is_disabled()
    assert page.locator(f"{WIDGET} .gnb-music-prompt-text").input_value() == "minimal techno"
    assert page.locator(f"{WIDGET} [data-key='bpm'] .gnb-music-value").text_content() == "120"
    assert page.locator(f"{WIDGET} [data-key='density'] .gnb-music-value").text_content() == "auto"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.locator(WIDGET).screenshot(path=str(ARTIFACTS / "music-widget-idle.png"))

    # Play: the audio path opens in the click, the music arrives and is heard.
    page.locator(f"{WIDGET} .gnb-music-play").click()
    wait_stats(lab, "d.state === 'playing' && d.audio === 'on'")
    playing = wait_stats(lab, "d.played > 5 && d.level > 0.01", timeout=40)
    assert playing["peak"] > 0.02 and playing["received"] >= playing["played"]
    assert page.locator(f"{WIDGET} .gnb-music-status").text_content() == "Playing"
    assert abs(played_tempo(lab) - 120) <= 4

    # The bpm slider: it reaches the emulator (the kernel's session says so) and the music
    # that plays changes tempo.
    page.locator(f"{WIDGET} [data-key='bpm'] .gnb-music-slider").fill("90")
    assert page.locator(f"{WIDGET} [data-key='bpm'] .gnb-music-value").text_content() == "90"
    said = kernel_says(lab, "bpm=90")
    assert "bpm=90" in said, said
    tempo_becomes(lab, 90)

    # Prompts: one added (typed, then Enter), its weight slid, another removed; each reaches
    # the session while the music plays.
    page.locator(f"{WIDGET} .gnb-music-add").click()
    new = page.locator(f"{WIDGET} .gnb-music-prompt").nth(1)
    # First a prompt the service filters out: the widget says so.
    new.locator(".gnb-music-prompt-text").fill("gore")
    new.locator(".gnb-music-prompt-text").press("Enter")
    lab.wait_for_text(
        f"{WIDGET} .gnb-music-filtered",
        "Filtered out: “gore” — The prompt was filtered by safety filters.",
        timeout=15,
    )
    new.locator(".gnb-music-prompt-text").fill("warm pads")
    new.locator(".gnb-music-prompt-text").press("Enter")
    new.locator(".gnb-music-weight").fill("0.4")
    said = kernel_says(lab, "('warm pads', 0.4)")
    assert "prompts: [('minimal techno', 1.0), ('warm pads', 0.4)]" in said, said
    page.locator(f"{WIDGET} .gnb-music-prompt").nth(0).locator(".gnb-music-remove").click()
    page.wait_for_function(
        "sel => document.querySelectorAll(sel).length === 1", arg=f"{WIDGET} .gnb-music-prompt"
    )
    said = kernel_says(lab, "prompts: [('warm pads', 0.4)]")
    assert "prompts: [('warm pads', 0.4)]" in said, said

    # Record: the audio is kept in the kernel, and Save writes it next to the notebook.
    page.locator(f"{WIDGET} .gnb-music-record").click()
    lab.wait_for_text(f"{WIDGET} .gnb-music-record", "Recording 0:0", timeout=10)
    page.wait_for_function(
        "sel => /Recording 0:0[2-9]/.test(document.querySelector(sel).textContent)",
        arg=f"{WIDGET} .gnb-music-record",
        timeout=20_000,
    )
    page.locator(f"{WIDGET} .gnb-music-record").click()
    assert page.locator(f"{WIDGET} .gnb-music-record").get_attribute("aria-pressed") == "false"
    page.locator(f"{WIDGET} .gnb-music-save").click()
    lab.wait_for_text(f"{WIDGET} .gnb-music-notice", "Saved gemini_music/music-", timeout=15)
    saved = list((lab.server.root_dir / "gemini_music").glob("music-*.wav"))
    assert len(saved) == 1 and saved[0].stat().st_size > 2 * 192_000

    # Pause holds the queue (nothing more plays); Play resumes it.
    page.locator(f"{WIDGET} .gnb-music-pause").click()
    held = wait_stats(lab, "d.state === 'paused' && d.held === 'true'", timeout=10)
    time.sleep(1.0)
    assert stats(lab)["played"] - held["played"] < 0.05
    assert stats(lab)["level"] < 0.001
    page.locator(f"{WIDGET} .gnb-music-play").click()
    wait_stats(lab, f"d.state === 'playing' && d.played > {held['played'] + 1}", timeout=20)

    # Gapless: the queue never ran dry while the music played.
    assert stats(lab)["underruns"] == 0, stats(lab)

    for theme in ("light", "dark"):
        if theme == "dark":
            set_theme(lab, "JupyterLab Dark")
        ratios = page.evaluate(_CONTRAST_JS, TEXTS)
        low = {sel: r for sel, r in ratios.items() if r is None or r < 4.5}
        assert not low, f"{theme}: contrast under 4.5:1 (None: element missing): {low}"
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.locator(WIDGET).scroll_into_view_if_needed()
        time.sleep(0.5)  # a few waveform frames in the new theme's colours
        page.locator(WIDGET).screenshot(path=str(ARTIFACTS / f"music-widget-{theme}.png"))

    # Stop drops what is queued, at once.
    page.locator(f"{WIDGET} .gnb-music-stop").click()
    stopped = wait_stats(lab, "d.state === 'stopped' && d.queued === 0", timeout=10)
    time.sleep(1.0)
    assert stats(lab)["played"] - stopped["played"] < 0.05
    said = kernel_says(lab, "state: stopped")
    assert "state: stopped recorded: True" in said, said
    check_console(lab)
