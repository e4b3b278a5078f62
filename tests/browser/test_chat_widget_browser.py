"""The chat widget in JupyterLab, in headless Chromium: type, Send, streamed reply, Enter,
Stop, and the kernel's view of the conversation."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest

import gemini_nb
from gemini_nb.notebook.display import markdown_to_html

from .conftest import NOTEBOOKS
from .jupyter import Lab

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]

MODEL = "gemini-2.5-flash"  # as in the notebook
FIRST = "Hello! Is <b>bold</b> shown as text here?"
SECOND = "Tell me more about that, please."
THIRD = "Explain in detail, with several paragraphs, how volcanoes form in Iceland."

WIDGET = ".gnb-chat"
INPUT = f"{WIDGET} textarea.gnb-chat-input"
SEND = f"{WIDGET} button.gnb-chat-send"
STOP = f"{WIDGET} button.gnb-chat-stop"
MODEL_BUBBLES = f"{WIDGET} .gnb-chat-model"
OUR_MODULE = re.compile(r"anywidget|gnb-chat|chat\.js|ChatWidget", re.IGNORECASE)


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def shown_text(markdown: str) -> str:
    """What the browser shows for a reply: the text of our sanitized HTML, spaces collapsed."""
    parser = _Text()
    parser.feed(markdown_to_html(markdown))
    return " ".join("".join(parser.parts).split())


def expected_replies(emulator: Any) -> list[str]:
    # The emulator is deterministic: the same conversation gets the same answers.
    with gemini_nb.Client(base_url=emulator.url) as client:
        chat = client.chats.create(model=MODEL)
        return [chat.send_message(p).text for p in (FIRST, SECOND)]


def test_chat_widget_in_jupyterlab(lab: Lab, emulator: Any) -> None:
    first, second = expected_replies(emulator)
    lab.open_notebook(NOTEBOOKS / "chat_widget.ipynb")
    lab.run_all()
    page = lab.page
    page.locator(INPUT).wait_for(timeout=30_000)
    # A short message list, so that three turns overflow it and autoscroll is exercised.
    page.add_style_tag(content=".gnb-chat .gnb-chat-list { max-height: 160px !important; }")
    assert page.locator(SEND).is_disabled()  # nothing typed yet
    assert page.locator(STOP).is_disabled()

    # Shift+Enter is a new line in the box, not JupyterLab's "run cell".
    prompts = lab.notebook_state()["prompts"]
    page.locator(INPUT).fill("line one")
    page.locator(INPUT).press("Shift+Enter")
    page.locator(INPUT).press_sequentially("line two")
    assert page.locator(INPUT).input_value() == "line one\nline two"
    assert lab.notebook_state()["prompts"] == prompts
    assert page.locator(f"{WIDGET} .gnb-chat-msg").count() == 0

    # 1st turn: type, click Send, the streamed reply appears; the user's HTML stays text.
    page.locator(INPUT).fill(FIRST)
    page.locator(SEND).click()
    lab.wait_for_text(MODEL_BUBBLES, shown_text(first), timeout=30)
    page.locator(f"{MODEL_BUBBLES}[data-state='done']").first.wait_for()
    user = page.locator(f"{WIDGET} .gnb-chat-user").first
    assert user.text_content() == FIRST
    assert page.locator(INPUT).input_value() == ""
    usage = page.locator(f"{MODEL_BUBBLES} .gnb-chat-meta").first.text_content() or ""
    assert re.fullmatch(r"\d+ in · \d+ out tokens( · \d+ thinking)?", usage), usage

    # 2nd turn with the Enter key.
    page.locator(INPUT).fill(SECOND)
    page.locator(INPUT).press("Enter")
    page.locator(f"{MODEL_BUBBLES}[data-state='done']").nth(1).wait_for()
    lab.wait_for_text(f"{MODEL_BUBBLES}:nth-child(4)", shown_text(second), timeout=30)
    assert page.locator(f"{WIDGET} .gnb-chat-msg").count() == 4

    # 3rd turn, stopped while it streams: the partial reply stays, marked stopped.
    page.locator(INPUT).fill(THIRD)
    page.locator(INPUT).press("Enter")
    streaming = page.locator(f"{MODEL_BUBBLES}[data-state='streaming'] .gnb-chat-body")
    page.wait_for_function(
        "sel => (document.querySelector(sel)?.textContent || '').trim().length > 0",
        arg=f"{MODEL_BUBBLES}[data-state='streaming'] .gnb-chat-body",
        timeout=30_000,
    )
    assert streaming.count() == 1
    page.locator(INPUT).fill("typed while busy")  # Send stays disabled while busy
    assert page.locator(SEND).is_disabled() and page.locator(STOP).is_enabled()
    page.locator(STOP).click()
    stopped = page.locator(f"{MODEL_BUBBLES}[data-state='stopped']")
    stopped.wait_for(timeout=30_000)
    assert (stopped.text_content() or "").strip()
    assert page.locator(STOP).is_disabled() and page.locator(SEND).is_enabled()
    assert page.locator(INPUT).input_value() == "typed while busy"
    # Autoscroll: the list (taller than its box by now) shows its end.
    assert page.evaluate(
        """sel => { const l = document.querySelector(sel);
                   return l.scrollHeight > l.clientHeight
                       && l.scrollHeight - l.scrollTop - l.clientHeight < 2; }""",
        f"{WIDGET} .gnb-chat-list",
    )
    assert page.locator(f"{WIDGET} b").count() == 0  # no markup from anyone's "<b>"

    # Read back in the kernel: the chat holds the two finished turns, not the stopped one.
    lab.run_cell(2)
    lab.wait_for_text(".jp-OutputArea-output", "turns: 4", timeout=30)

    ours = [line for line in lab.console_errors() if OUR_MODULE.search(line)]
    assert not ours, "\n".join(ours)
    assert not lab.page_errors, "\n".join(lab.page_errors)
