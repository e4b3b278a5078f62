"""The first minutes in JupyterLab, in headless Chromium: the Stop button on a streaming cell,
the waiting line, code blocks (highlighted, styled, copyable) and the chat widget's colours,
model picker and code buttons, in the light and the dark theme.

Screenshots of both themes are saved in ``test-artifacts/`` on every run.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from .jupyter import ARTIFACTS, Lab

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

VISIBLE = ".jp-NotebookPanel:not(.lm-mod-hidden)"
CELLS = f"{VISIBLE} .jp-CodeCell"
MODEL = "gemini-2.5-flash"
STORY = "Tell me a long story about dragons, in detail, with several chapters."
CODE_PROMPT = "Write a python function that adds two numbers."


def emulator_cell(chunk_delay: float) -> str:
    # The test server scrubs any key from the kernel's environment: answers come from an
    # emulator started in the kernel, whose stream events come chunk_delay seconds apart.
    return (
        "import os\n"
        "from gemini_nb.emulator import EmulatorOptions, EmulatorServer\n"
        f"srv = EmulatorServer(options=EmulatorOptions(chunk_delay={chunk_delay})).__enter__()\n"
        "os.environ['GOOGLE_GEMINI_BASE_URL'] = srv.url\n"
        "%load_ext gemini_nb"
    )


def write_notebook(path: Path, sources: list[str]) -> Path:
    nb = new_notebook(cells=[new_code_cell(s) for s in sources])
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, path)
    return path


def cell_outputs(lab: Lab, index: int) -> list[dict[str, str]]:
    return (
        lab.page.locator(CELLS)
        .nth(index)
        .evaluate(
            """cell => [...cell.querySelectorAll('.jp-OutputArea-output')].map(o => ({
               mime: o.getAttribute('data-mime-type') || '', text: o.innerText }))"""
        )
    )


# --------------------------------------------------------------------------------------------
# The Stop button


def test_stop_button_on_a_streaming_cell_and_the_waiting_line(lab: Lab, tmp_path: Path) -> None:
    path = write_notebook(
        tmp_path / "stop.ipynb",
        [
            emulator_cell(0.15),
            f"%%gemini -o story\n{STORY}",
            "print('the next cell ran')",
            "print(len(story.text), story.candidates[0].finish_reason)",
            "fault = srv.app.faults.add({'latency_ms': 2600, 'count': 1})  # a slow first token",
            "%%gemini --no-stream\nWhat is the tallest mountain?",
        ],
    )
    lab.open_notebook(path)
    page = lab.page
    # Run All, then press Stop while the answer streams: the partial answer stays, the cell
    # ends with one line (no traceback), and the cells queued after it do not run.
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    page.locator("li[data-command='runmenu:run-all']").click()
    answer = page.locator(CELLS).nth(1).locator(".gemini-nb-response")
    page.wait_for_function(
        """el => el && el.innerText.trim().length > 80""",
        arg=answer.element_handle(timeout=60_000),
        timeout=60_000,
    )
    page.locator(f"{VISIBLE} .jp-Toolbar [data-jp-item-name='interrupt'] button").click()
    lab.wait_for_kernel_idle(60)
    time.sleep(0.5)

    outputs = cell_outputs(lab, 1)
    text = "\n".join(o["text"] for o in outputs)
    assert "Traceback" not in text and "KeyboardInterrupt" not in text and "httpx" not in text
    errors = [o for o in outputs if o["mime"] == "application/vnd.jupyter.stderr"]
    assert len(errors) == 1, outputs
    (line,) = errors[0]["text"].strip().splitlines()
    assert re.fullmatch(
        r"Stopped after \d+\.\d s: the answer above is incomplete\. "
        r"It is also in story\.",
        line,
    ), line
    shown = [o["text"] for o in outputs if o["mime"] == "text/html"]
    assert len(shown) == 1 and len(shown[0]) > 80 and "stopped after" in shown[0]
    assert cell_outputs(lab, 2) == []  # the queued cell did not run

    lab.run_cell(3)
    assert cell_outputs(lab, 3)[0]["text"].split()[1] == "None"  # no finish reason: partial
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.locator(CELLS).nth(1).scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "first-minutes-stopped.png"))

    # Waiting: a line counts the seconds, then the answer takes its place (one output).
    lab.run_cell(4)
    waiting = page.locator(CELLS).nth(5)
    waiting.locator(".jp-InputPrompt").click()
    page.keyboard.press("Control+Enter")
    lab.wait_for_text(f"{VISIBLE} .gnb-waiting", f"Waiting for {MODEL}… 1 s", timeout=30)
    page.screenshot(path=str(ARTIFACTS / "first-minutes-waiting.png"))
    lab.wait_for_kernel_idle(60)
    outputs = cell_outputs(lab, 5)
    assert len(outputs) == 1 and "Waiting" not in outputs[0]["text"]
    assert re.search(rf"{MODEL} · \d+ in", outputs[0]["text"])
    assert not lab.page_errors, "\n".join(lab.page_errors)


# --------------------------------------------------------------------------------------------
# Answers with code, and the chat widget, in both themes

_CONTRAST_JS = """
(selectors) => {
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = 1;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  // Any CSS colour (rgb(), color(srgb …), color-mix results) as [r, g, b, a] through a canvas.
  const rgba = (css) => {
    ctx.clearRect(0, 0, 1, 1);
    ctx.fillStyle = 'rgba(0, 0, 0, 0)';
    ctx.fillStyle = css;
    ctx.fillRect(0, 0, 1, 1);
    const d = ctx.getImageData(0, 0, 1, 1).data;
    return [d[0], d[1], d[2], d[3] / 255];
  };
  const over = (top, bottom) => {
    const a = top[3];
    return [0, 1, 2].map(i => top[i] * a + bottom[i] * (1 - a)).concat([1]);
  };
  // The colour behind an element: its own and its ancestors' backgrounds, composited.
  const background = (el) => {
    const layers = [];
    for (let n = el; n; n = n.parentElement) {
      const c = rgba(getComputedStyle(n).backgroundColor);
      if (c[3] > 0) layers.push(c);
      if (c[3] >= 1) break;
    }
    let colour = [255, 255, 255, 1];
    for (const layer of layers.reverse()) colour = over(layer, colour);
    return colour;
  };
  const luminance = (c) => {
    const lin = c.slice(0, 3).map(v => {
      v /= 255;
      return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2];
  };
  const out = {};
  for (const sel of selectors) {
    const el = document.querySelector(sel);
    if (!el) { out[sel] = null; continue; }
    const bg = background(el);
    const fg = over(rgba(getComputedStyle(el).color), bg);
    const [hi, lo] = [luminance(fg), luminance(bg)].sort((a, b) => b - a);
    out[sel] = Math.round(((hi + 0.05) / (lo + 0.05)) * 100) / 100;
  }
  return out;
}
"""

CHAT = f"{VISIBLE} .gnb-chat"
CHAT_TEXTS = [
    f"{CHAT} .gnb-chat-user .gnb-chat-body",
    f"{CHAT} .gnb-chat-model .gnb-chat-body p",
    f"{CHAT} .gnb-chat-model .gnb-chat-meta",
    f"{CHAT} .gnb-chat-header",
    f"{CHAT} .gnb-chat-picker",
    f"{CHAT} .gnb-chat-input",
    f"{CHAT} .gnb-chat-send",
    f"{CHAT} .gnb-chat-code-bar button",
    f"{CHAT} .gnb-chat-body pre",
]
ANSWER = f"{CELLS} .gemini-nb-response"  # the first one: the answer with code


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


@pytest.fixture
def light_again(lab: Lab) -> Iterator[None]:
    # The theme is a user setting of the shared server: later tests expect the light one.
    yield
    if lab.page.evaluate("() => document.body.dataset.jpThemeLight") == "false":
        set_theme(lab, "JupyterLab Light")


def code_style(lab: Lab) -> dict[str, Any]:
    return lab.page.evaluate(
        """sel => {
            const pre = document.querySelector(sel + ' pre');
            const s = getComputedStyle(pre), out = getComputedStyle(
                pre.closest('.jp-OutputArea-output'));
            const kw = pre.querySelector('.hl-k');
            return { bg: s.backgroundColor, page: out.backgroundColor, pad: s.paddingLeft,
                     wordBreak: s.wordBreak, whiteSpace: s.whiteSpace,
                     text: s.color, keyword: kw && getComputedStyle(kw).color,
                     scrolls: pre.scrollWidth > pre.clientWidth || s.overflowX === 'auto' };
        }""",
        ANSWER,
    )


def test_code_answers_and_the_chat_widget_in_light_and_dark(
    lab: Lab, tmp_path: Path, light_again: None
) -> None:
    path = write_notebook(
        tmp_path / "first_minutes.ipynb",
        [
            emulator_cell(0.02),
            f"%%gemini\n{CODE_PROMPT}",
            "%%gemini --json\nGive me a JSON object describing a cat.",
            f"import gemini_nb\nw = gemini_nb.ChatWidget(model='{MODEL}')\nw",
            f"await w.send('{CODE_PROMPT}')\nNone",
            "print('model:', w.model)",
        ],
    )
    page = lab.page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=lab.server.url)
    lab.open_notebook(path)
    lab.run_all(timeout=180)
    page.locator(f"{CHAT} .gnb-chat-model[data-state='done'] .gnb-chat-code").first.wait_for()

    # The answer's code: highlighted, on its own background, padded, not broken in words.
    style = code_style(lab)
    assert style["bg"] != style["page"] and style["pad"] != "0px"
    assert style["wordBreak"] == "normal" and style["whiteSpace"] == "pre"
    assert style["keyword"] and style["keyword"] != style["text"]
    # The JSON answer is highlighted JSON with the footer, not a Python dict repr.
    json_out = page.locator(CELLS).nth(2).locator(".gemini-nb-response")
    assert json_out.locator(".hl-nt").count() > 0
    assert re.search(rf"{MODEL} · \d+ in", json_out.inner_text())
    assert "{'topic'" not in page.locator(CELLS).nth(2).inner_text()

    # Copy buttons: the answer's (from its script) and the chat's copy the code exactly.
    code = page.locator(f"{ANSWER} pre code").first.text_content() or ""
    assert "def " in code
    page.locator(f"{ANSWER} .gnb-copy").first.click()
    page.wait_for_function("() => navigator.clipboard.readText().then(t => t.length > 0)")
    assert page.evaluate("() => navigator.clipboard.readText()") == code
    page.locator(f"{ANSWER} .gnb-copy", has_text="Copied").first.wait_for()
    chat_code = page.locator(f"{CHAT} .gnb-chat-code pre code").first.text_content() or ""
    page.evaluate("() => navigator.clipboard.writeText('')")
    page.locator(f"{CHAT} .gnb-chat-copy").first.click()
    page.wait_for_function("() => navigator.clipboard.readText().then(t => t.length > 0)")
    assert page.evaluate("() => navigator.clipboard.readText()") == chat_code

    # The chat's model picker offers the models from the kernel and sets the model.
    picker = page.locator(f"{CHAT} .gnb-chat-picker")
    page.wait_for_function(
        "sel => document.querySelector(sel).options.length > 5", arg=f"{CHAT} .gnb-chat-picker"
    )
    options = picker.locator("option").all_text_contents()
    assert options[0] == MODEL and "gemini-2.5-pro" in options
    picker.select_option("gemini-2.5-pro")
    lab.run_cell(5)
    assert cell_outputs(lab, 5)[0]["text"].strip() == "model: gemini-2.5-pro"

    # Insert: the chat's code goes into a new cell right below the widget's cell.
    cells_before = page.locator(CELLS).count()
    page.locator(f"{CHAT} .gnb-chat-insert").first.click()
    page.wait_for_function(
        "([sel, n]) => document.querySelectorAll(sel).length > n",
        arg=[CELLS, cells_before],
        timeout=15_000,
    )
    new_cell = page.locator(CELLS).nth(4)
    page.wait_for_function(
        "el => el.querySelectorAll('.cm-line').length > 2", arg=new_cell.element_handle()
    )
    inserted = new_cell.evaluate(
        "c => [...c.querySelectorAll('.cm-line')].map(l => l.textContent).join('\\n')"
    )
    assert inserted.strip() == chat_code.strip()
    assert "await w.send" in (page.locator(CELLS).nth(5).text_content() or "")

    for theme in ("light", "dark"):
        if theme == "dark":
            set_theme(lab, "JupyterLab Dark")
        page.locator(f"{CHAT} .gnb-chat-input").fill("typed, so that Send is enabled")
        ratios = page.evaluate(_CONTRAST_JS, CHAT_TEXTS)
        low = {sel: r for sel, r in ratios.items() if r is None or r < 4.5}
        assert not low, f"{theme}: contrast under 4.5:1 (None: element missing): {low}"
        style = code_style(lab)
        assert style["bg"] != style["page"], theme  # the code block stands out in this theme
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.locator(f"{VISIBLE} .jp-CodeCell").nth(1).scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / f"first-minutes-{theme}.png"))
        page.locator(CHAT).scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / f"first-minutes-chat-{theme}.png"))

    assert not lab.page_errors, "\n".join(lab.page_errors)
