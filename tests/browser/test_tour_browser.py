"""The tour notebook in JupyterLab, in headless Chromium, and hostile model output in the page."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

import gemini_nb
from gemini_nb.notebook._render_code import COPY_SCRIPT

from .jupyter import Lab
from .test_chat_widget_browser import MODEL_BUBBLES, OUR_MODULE, SEND, WIDGET, shown_text

VISIBLE = ".jp-NotebookPanel:not(.lm-mod-hidden)"

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

TOUR = Path(__file__).resolve().parents[2] / "notebooks" / "00_tour.ipynb"
MESSAGE = "What should I call my goldfish?"


def expected_reply(emulator: Any) -> str:
    # The tour's widget: this system instruction, then one turn sent from Python.
    with gemini_nb.Client(base_url=emulator.url) as client:
        chat = client.chats.create(
            model="gemini-2.5-flash", config={"system_instruction": "Be friendly and brief."}
        )
        chat.send_message("Suggest a name for a cat.")
        return chat.send_message(MESSAGE).text


def test_tour_runs_and_its_chat_widget_answers(lab: Lab, emulator: Any) -> None:
    lab.open_notebook(TOUR)
    lab.run_all(timeout=180)
    page = lab.page
    lab.wait_for_text(".jp-OutputArea-output", "local emulator", timeout=30)
    # The streamed %%gemini cell ended as one rendered Markdown/HTML output with its footer.
    page.locator(".gemini-nb-response").first.wait_for(timeout=30_000)
    assert page.locator(".gemini-nb-response").count() >= 5
    # The widget rendered with the turn the notebook sent from Python.
    page.locator(f"{WIDGET} textarea").wait_for(timeout=30_000)
    page.locator(f"{MODEL_BUBBLES}[data-state='done']").first.wait_for(timeout=30_000)
    assert page.locator(f"{WIDGET} .gnb-chat-msg").count() == 2

    page.locator(f"{WIDGET} textarea").fill(MESSAGE)
    page.locator(SEND).click()
    page.locator(f"{MODEL_BUBBLES}[data-state='done']").nth(1).wait_for(timeout=30_000)
    lab.wait_for_text(MODEL_BUBBLES, shown_text(expected_reply(emulator)), timeout=30)
    assert page.locator(f"{WIDGET} .gnb-chat-msg").count() == 4

    ours = [line for line in lab.console_errors() if OUR_MODULE.search(line)]
    assert not ours, "\n".join(ours)
    assert not lab.page_errors, "\n".join(lab.page_errors)


HOSTILE = (
    'Hello <img src=x onerror="window.__xss=1"> <script>window.__xss=2</script>\n\n'
    '[click](javascript:window.__xss=3) <a href="javascript:window.__xss=4">a</a>\n\n'
    '<svg onload="window.__xss=5"></svg> ![i](javascript:window.__xss=6)\n\n'
    '```"><script>window.__xss=7</script>\n```\n'
)


def test_hostile_model_output_is_inert(lab: Lab, tmp_path: Path) -> None:
    response = {
        "candidates": [
            {
                "content": {"role": "model", "parts": [{"text": HOSTILE}]},
                "groundingMetadata": {
                    "groundingChunks": [
                        {
                            "web": {
                                "uri": "javascript:window.__xss=8",
                                "title": "<b onmouseover=x>t</b>",
                            }
                        }
                    ],
                    "groundingSupports": [
                        {"segment": {"endIndex": 5, "text": "Hello"}, "groundingChunkIndices": [0]}
                    ],
                },
            }
        ],
    }
    nb = new_notebook(
        cells=[
            new_code_cell(
                "from gemini_nb.types import GenerateContentResponse, parse_response\n"
                f"r = parse_response(GenerateContentResponse, {json.dumps(response)!r})\nr"
            ),
            new_code_cell(
                "from IPython.display import Markdown\nMarkdown(r._repr_mimebundle_()['text/markdown'])"
            ),
        ]
    )
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    path = tmp_path / "hostile.ipynb"
    nbformat.write(nb, path)
    lab.open_notebook(path)
    lab.run_all()
    page = lab.page
    page.locator(".gemini-nb-response").first.wait_for(state="attached")
    page.mouse.move(10, 10)
    assert page.evaluate("() => window.__xss") is None
    # Hostile text is shown as text: no script but our own copy-button script (the answer has
    # a code block), no handler attribute, no javascript: URL in any element of the outputs
    # (the escaped text itself may of course mention them).
    found = page.evaluate(
        """ours => [...document.querySelectorAll('.jp-OutputArea-output *')].flatMap(el => [
              ...(el.tagName === 'SCRIPT' && el.textContent !== ours ? ['script element'] : []),
              ...[...el.attributes].filter(a => /^on/i.test(a.name)
                    || /^\\s*javascript:/i.test(a.value)).map(a => `${el.tagName} ${a.name}`)])""",
        COPY_SCRIPT.removeprefix("<script>").removesuffix("</script>"),
    )
    assert found == []
    assert "Hello" in (page.locator(VISIBLE + " .jp-OutputArea-output").first.text_content() or "")
