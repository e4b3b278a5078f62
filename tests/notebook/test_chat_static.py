"""Static renderers (nbconvert, GitHub) have no widget manager: the chat widget carries its
transcript as sanitized text/html, and the demo notebooks mark nbval cells with tags, not
comments that readers see."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import AsyncIterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

import gemini_nb
from gemini_nb.notebook.widgets.chat import ChatWidget, static_html

ROOT = Path(__file__).resolve().parents[2]
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
HOSTILE_USER = "<img src=x onerror=alert(1)> hi"
HOSTILE_MODEL = "**Hello** [click](javascript:alert(1)) <script>alert(2)</script>"


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def _assert_inert(page: str) -> None:
    """No element that runs or loads anything, whatever text the page shows."""
    parser = _Tags()
    parser.feed(page)
    for tag, attrs in parser.tags:
        assert tag not in ("script", "img", "iframe", "object", "embed", "svg"), page
        for name, value in attrs:
            assert not name.startswith("on"), page
            assert not (value or "").strip().lower().startswith("javascript:"), page


@pytest.fixture
async def client(emulator: Any) -> AsyncIterator[gemini_nb.AsyncClient]:
    async with gemini_nb.AsyncClient(base_url=emulator.url) as c:
        yield c


async def test_bundle_carries_the_transcript_as_sanitized_html(
    client: gemini_nb.AsyncClient,
) -> None:
    history = [
        {"role": "user", "parts": [{"text": HOSTILE_USER}]},
        {"role": "model", "parts": [{"text": HOSTILE_MODEL}]},
    ]
    widget = ChatWidget(model="gemini-2.5-flash", client=client, history=history)
    try:
        data, _metadata = widget._repr_mimebundle_()
        assert data[WIDGET_VIEW]["model_id"] == widget.model_id
        assert data["text/plain"] == "ChatWidget(model='gemini-2.5-flash', turns=2)"
        page = data["text/html"]
        assert "&lt;img src=x onerror=alert(1)&gt; hi" in page
        assert "<strong>Hello</strong>" in page and "&lt;script&gt;alert(2)&lt;/script&gt;" in page
        assert "Chat with gemini-2.5-flash · 2 messages" in page
        assert 'class="gnb-chat-turn"' in page
        _assert_inert(page)

        reply = await widget.send("Suggest a name for a cat.")
        page = widget._repr_mimebundle_()[0]["text/html"]
        assert "Suggest a name for a cat." in page and "4 messages" in page
        first_word = re.findall(r"[A-Za-z]{3,}", reply["text"])[0]
        assert first_word in page
    finally:
        widget.close()


def test_fallback_is_rebuilt_from_text_not_from_the_synced_html() -> None:
    # ``messages`` is synced with the browser, which could put anything in "html".
    tampered = [
        {"role": "user", "text": "hello", "html": "<script>alert(1)</script>"},
        {"role": "model", "text": "*hi*", "html": "<img src=x onerror=alert(1)>", "state": "done"},
        {"role": "model", "text": "", "state": "stopped", "error": "<b>boom</b>"},
    ]
    page = static_html("gemini-2.5-flash", tampered)
    _assert_inert(page)
    assert "<p>hello</p>" in page and "<em>hi</em>" in page
    assert "&lt;b&gt;boom&lt;/b&gt; · stopped" in page
    assert "no messages yet" in static_html("m", []) and "1 message " in static_html(
        "m", tampered[:1]
    )


def _code_cells(path: Path) -> list[dict[str, Any]]:
    return [c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code"]


NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebooks_mark_nbval_cells_with_tags_and_store_widget_fallbacks(path: Path) -> None:
    notebook = json.loads(path.read_text())
    widgets = notebook["metadata"].get("widgets", {})
    saved = widgets.get("application/vnd.jupyter.widget-state+json", {}).get("state", {})
    for cell in _code_cells(path):
        source = "".join(cell["source"])
        assert "NBVAL_" not in source and "PYTEST_VALIDATE" not in source, source
        tags = cell["metadata"].get("tags", [])
        assert all(
            not t.startswith("nbval")
            or t
            in ("nbval-ignore-output", "nbval-skip", "nbval-check-output", "nbval-raises-exception")
            for t in tags
        ), tags
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if WIDGET_VIEW in data:
                # Our widgets carry a text/html fallback; a third-party one (tqdm's bar) is
                # drawn in static HTML from the widget state the notebook stores.
                stored = data[WIDGET_VIEW]["model_id"] in saved
                assert "text/html" in data or stored, (
                    f"a widget output without a static fallback or stored state: {source}"
                )
                assert "nbval-ignore-output" in tags  # a live view is not text to compare


def test_tour_widget_cell_is_tagged() -> None:
    cells = _code_cells(ROOT / "notebooks" / "00_tour.ipynb")
    widget_cells = [c for c in cells if "gemini_nb.ChatWidget(" in "".join(c["source"])]
    assert len(widget_cells) == 1
    assert widget_cells[0]["metadata"]["tags"] == ["nbval-ignore-output"]


def test_headless_demo_page_shows_the_chat_transcript_box() -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("GEMINI_API_KEY", "GOOGLE_API_KEY", "GOOGLE_GEMINI_BASE_URL")
    }
    run = subprocess.run(
        [sys.executable, "tasks.py", "demo", "--headless"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=400,
    )
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    page = (ROOT / "notebooks" / "_build" / "00_tour.html").read_text()
    assert page.count('class="gnb-chat-static"') == 1
    box = page.split('class="gnb-chat-static"', 1)[1]
    # The conversation as it ended, though the widget was displayed before it began.
    assert "Chat with gemini-2.5-flash · 2 messages" in box
    assert "<p>Suggest a name for a cat.</p>" in box
    assert "NBVAL" not in page


def test_export_refreshes_chat_fallbacks_from_the_final_widget_state() -> None:
    import nbformat

    from gemini_nb.notebook._export import CHAT_ID, WIDGET_STATE, WidgetFallbacks

    def output(model_id: str) -> Any:
        data = {WIDGET_VIEW: {"model_id": model_id}, "text/html": "old", "text/plain": "W"}
        return nbformat.v4.new_output("execute_result", data=data, execution_count=1)

    cell = nbformat.v4.new_code_cell("chat", outputs=[output("chat"), output("other")])
    nb = nbformat.v4.new_notebook(cells=[cell])
    messages = [
        {"role": "user", "text": "Hi <b>", "html": "<script>x</script>"},
        {"role": "model", "text": "**Hello**", "state": "done"},
    ]
    nb.metadata["widgets"] = {
        WIDGET_STATE: {
            "state": {
                "chat": {"state": {"_anywidget_id": CHAT_ID, "model": "m", "messages": messages}},
                "other": {"state": {"_anywidget_id": "x.Other", "model": "m", "messages": []}},
            }
        }
    }
    nb, _ = WidgetFallbacks().preprocess(nb, {})
    chat_html, other_html = (o["data"]["text/html"] for o in nb.cells[0].outputs)
    assert chat_html == static_html("m", messages)
    assert "<p>Hi &lt;b&gt;</p>" in chat_html and "<strong>Hello</strong>" in chat_html
    _assert_inert(chat_html)
    assert other_html == "old"
