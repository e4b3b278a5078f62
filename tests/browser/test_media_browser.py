"""Pictures, videos and sound in JupyterLab, in headless Chromium: the gallery's thumbnails
decode, a click opens a picture whole (sent by the kernel) and Save writes it; a video plays
(its currentTime advances), embedded and from its file beyond the size bound; speech plays.
Screenshots of both themes are saved in ``test-artifacts/``."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ._notebooks import write_notebook
from .jupyter import ARTIFACTS, Lab

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

VISIBLE = ".jp-NotebookPanel:not(.lm-mod-hidden)"
CELLS = f"{VISIBLE} .jp-CodeCell"
GALLERY = f"{VISIBLE} .gnb-gallery"
OUR_MODULE = re.compile(r"anywidget|gnb-gallery|gallery\.js|GalleryWidget", re.IGNORECASE)


@pytest.fixture(scope="module")
def emulator() -> Iterator[Any]:
    """The clock runs 20 times as fast: a video's operation ends in a fraction of a second."""
    from gemini_nb.emulator import EmulatorOptions, EmulatorServer

    with EmulatorServer(options=EmulatorOptions(clock_speed=20.0)) as server:
        yield server


def media_notebook(tmp_path: Path, url: str) -> Path:
    return write_notebook(
        tmp_path / "media_browser.ipynb",
        # The server scrubs keys and URLs from the kernel: answers come from our emulator.
        f"import os\nos.environ['GOOGLE_GEMINI_BASE_URL'] = {url!r}\n%load_ext gemini_nb",
        "import gemini_nb\n\nclient = gemini_nb.Client()\n"
        "kites = client.models.generate_images(model='imagen-4.0-generate-001', "
        "prompt='Four kites over a red house', config={'number_of_images': 4})\n"
        "gemini_nb.GalleryWidget(kites)",
        "%%gemini --video --seconds 4 -o clip\nWaves rolling onto a beach at sunset",
        "%%gemini --speech --voice Puck\nSay: the harbour light is on, and the boats are home.",
        "from gemini_nb.notebook.display import media_settings\n\n"
        "media_settings.inline_limit = 20_000  # beyond it: a file and a poster frame\n"
        "clip.videos[0]",
    )


def plays(lab: Lab, selector: str, *, muted: bool = True) -> float:
    """Start the media element ``selector`` and return its currentTime once it moved."""
    page = lab.page
    page.mouse.click(5, 5)  # a user gesture: Chromium's autoplay rules then let it play
    page.evaluate(
        """([sel, muted]) => { const m = document.querySelector(sel);
            m.muted = muted; m.currentTime = 0; return m.play(); }""",
        [selector, muted],
    )
    page.wait_for_function(
        "sel => { const m = document.querySelector(sel); return m && m.currentTime > 0.5; }",
        arg=selector,
        timeout=30_000,
    )
    moved: float = page.evaluate(
        "sel => { const m = document.querySelector(sel); m.pause(); return m.currentTime; }",
        selector,
    )
    return moved


def set_theme(lab: Lab, name: str) -> None:
    page = lab.page
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Settings$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Theme$")).hover()
    page.locator("li[data-command='apputils:change-theme']", has_text=name).first.click()
    page.wait_for_function(
        "dark => (document.body.dataset.jpThemeLight === 'false') === dark",
        arg="Dark" in name,
        timeout=30_000,
    )
    time.sleep(1.0)  # the theme's stylesheet applies


def test_gallery_video_and_speech_in_jupyterlab(lab: Lab, emulator: Any, tmp_path: Path) -> None:
    lab.open_notebook(media_notebook(tmp_path, emulator.url))
    lab.run_all(timeout=180)
    page = lab.page

    # The gallery: four thumbnails, decoded.
    thumbs = f"{GALLERY} .gnb-gallery-thumb"
    page.wait_for_function(
        "sel => { const t = [...document.querySelectorAll(sel)];"
        " return t.length === 4 && t.every(i => i.complete && i.naturalWidth > 0); }",
        arg=thumbs,
        timeout=30_000,
    )
    widths = page.evaluate(
        f"() => [...document.querySelectorAll('{thumbs}')]"
        ".map(i => [i.naturalWidth, i.naturalHeight])"
    )
    assert widths == [[320, 320]] * 4  # thumbnails, not the 1024-pixel pictures
    assert page.locator(f"{GALLERY} .gnb-gallery-footer").text_content() == (
        "4 pictures · click one to enlarge"
    )
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.locator(GALLERY).scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "media-gallery-light.png"))

    # Click to enlarge: the kernel sends the whole picture; Save writes it beside the notebook.
    page.locator(f"{GALLERY} .gnb-gallery-open").nth(1).click()
    full = f"{GALLERY} .gnb-gallery-full"
    page.wait_for_function(
        "sel => { const i = document.querySelector(sel);"
        " return i && !i.hidden && i.complete && i.naturalWidth === 1024; }",
        arg=full,
        timeout=30_000,
    )
    info = page.locator(f"{GALLERY} .gnb-gallery-info").text_content() or ""
    assert re.fullmatch(r"1024×1024 · \d+ kB", info), info
    assert page.locator(f"{GALLERY} .gnb-gallery-download").get_attribute("href", timeout=5000)
    page.screenshot(path=str(ARTIFACTS / "media-gallery-open-light.png"))
    page.locator(f"{GALLERY} .gnb-gallery-save").click()
    lab.wait_for_text(f"{GALLERY} .gnb-gallery-footer", "Saved gemini_media/image-")
    footer = page.locator(f"{GALLERY} .gnb-gallery-footer").text_content() or ""
    saved = lab.server.root_dir / footer.removeprefix("Saved ")
    assert saved.is_file() and saved.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "sel => document.querySelector(sel).naturalWidth === 1024", arg=full, timeout=30_000
    )
    page.keyboard.press("Escape")
    assert page.locator(f"{GALLERY} .gnb-gallery-overlay").is_hidden()

    # The video answer, embedded in the output, plays.
    video = f"{CELLS}:nth-of-type(3) video.gnb-video"
    assert page.locator(video).count() == 1
    assert (page.locator(video).get_attribute("src") or "").startswith("data:video/mp4;base64,")
    assert plays(lab, video) > 0.5
    # Speech plays.
    audio = f"{CELLS}:nth-of-type(4) audio.gnb-audio"
    assert (page.locator(audio).get_attribute("src") or "").startswith("data:audio/wav;base64,")
    assert plays(lab, audio, muted=False) > 0.5
    # Beyond the size bound the video plays from its file (JupyterLab serves it), with a poster.
    from_file = f"{CELLS}:nth-of-type(5) video.gnb-video"
    src = page.evaluate("sel => document.querySelector(sel).src", from_file)
    assert re.search(r"/files/gemini_media/[0-9a-f]{16}\.mp4", src), src
    assert (page.locator(from_file).get_attribute("poster") or "").startswith(
        "data:image/jpeg;base64,"
    )
    page.locator(from_file).scroll_into_view_if_needed()
    page.wait_for_function(  # the poster frame shows until it plays
        "sel => document.querySelector(sel).readyState >= 1", arg=from_file, timeout=30_000
    )
    page.screenshot(path=str(ARTIFACTS / "media-video-file-light.png"))
    assert plays(lab, from_file) > 0.5
    page.locator(f"{CELLS}:nth-of-type(3)").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "media-video-light.png"))

    set_theme(lab, "JupyterLab Dark")
    try:
        page.locator(GALLERY).scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "media-gallery-dark.png"))
        page.locator(f"{GALLERY} .gnb-gallery-open").first.click()
        page.wait_for_function(
            "sel => document.querySelector(sel).naturalWidth === 1024", arg=full, timeout=30_000
        )
        page.screenshot(path=str(ARTIFACTS / "media-gallery-open-dark.png"))
        page.keyboard.press("Escape")
        page.locator(f"{CELLS}:nth-of-type(4)").scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "media-video-dark.png"))
    finally:
        set_theme(lab, "JupyterLab Light")

    ours = [line for line in lab.console_errors() if OUR_MODULE.search(line)]
    assert not ours, "\n".join(ours)
    assert not lab.page_errors, "\n".join(lab.page_errors)
