"""The file search stores browser in JupyterLab, in headless Chromium: open a store, its
documents, a document's chunks, a question answered with its sources, deletes with their
confirmation, and a --store answer whose sources show the passages; light and dark themes,
with screenshots of both in ``test-artifacts/`` on every run."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import gemini_nb

from ._notebooks import write_notebook
from .jupyter import ARTIFACTS, Lab

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

WIDGET = ".gnb-stores"
STORE_ROWS = f"{WIDGET} > .gnb-browser-scroll tbody tr"
DOC_ROWS = f"{WIDGET} .gnb-stores-section tbody tr"
OUR_MODULE = re.compile(r"anywidget|gnb-stores|gnb-browser|stores\.js|StoresBrowser", re.I)
DOCS = {
    "leave.md": "# Leave\n\nEmployees receive 27 days of paid annual leave each year. "
    "Unused days may be carried over until the end of March.\n",
    "security.txt": "Passwords are rotated every 90 days. Laptops use full-disk encryption.\n",
    "canteen.html": "<html><body><p>The canteen serves <b>vegetarian lasagne</b> on "
    "Thursdays.</p><script>alert('x')</script></body></html>",
}


@pytest.fixture
def own_emulator() -> Iterator[Any]:
    from gemini_nb.emulator import EmulatorOptions, EmulatorServer

    with EmulatorServer(options=EmulatorOptions(clock_speed=50)) as server:
        yield server


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


def contrast(lab: Lab, selector: str) -> tuple[str, str]:
    """(text colour, the colour behind it) of the first element matching ``selector``."""
    result: tuple[str, str] = lab.page.evaluate(
        """sel => {
            const node = document.querySelector(sel);
            let back = node, bg = 'rgba(0, 0, 0, 0)';
            while (back && (bg === 'rgba(0, 0, 0, 0)' || bg === 'transparent')) {
                bg = getComputedStyle(back).backgroundColor;
                back = back.parentElement;
            }
            return [getComputedStyle(node).color, bg];
        }""",
        selector,
    )
    return result


def test_stores_browser_in_light_and_dark(
    lab: Lab, own_emulator: Any, tmp_path: Path, light_again: None
) -> None:
    with gemini_nb.Client(base_url=own_emulator.url) as client:
        store = client.file_search_stores.create(display_name="Handbook")
        for name, text in DOCS.items():
            op = client.file_search_stores.upload_to_file_search_store(
                file_search_store_name=store,
                file=text.encode(),
                display_name=name,
                mime_type="text/html" if name.endswith(".html") else "text/plain",
                custom_metadata={"team": "hr" if name == "leave.md" else "it", "year": 2025},
            )
            op.wait(timeout=60)
        client.file_search_stores.create(display_name="Empty")
    notebook = write_notebook(
        tmp_path / "stores_browser.ipynb",
        f"import os\nos.environ['GOOGLE_GEMINI_BASE_URL'] = {own_emulator.url!r}\n"
        "%load_ext gemini_nb",
        "from gemini_nb.notebook.widgets import StoresBrowser\n\nstores = StoresBrowser()\nstores",
        "%%gemini --store Handbook --no-stream\nHow many days of paid annual leave do we get?",
        "print('state:', stores.store, len(stores.doc_rows))",
    )
    lab.open_notebook(notebook)
    lab.run_all(timeout=180)
    page = lab.page
    page.locator(STORE_ROWS).nth(1).wait_for()
    assert page.locator(f"{WIDGET} .gnb-browser-title").first.text_content() == (
        "File search stores · 2"
    )
    assert page.locator(f"{WIDGET} .gnb-stores-section").is_hidden()

    # Open the store: its documents appear below, with their state and metadata.
    page.locator(f"{STORE_ROWS}[data-name='{store.name}'] .gnb-stores-link").click()
    page.locator(DOC_ROWS).nth(2).wait_for()
    assert page.locator(f"{WIDGET} .gnb-stores-doc-title").text_content() == (
        "Documents of Handbook · 3"
    )
    leave = page.locator(DOC_ROWS, has_text="leave.md")
    assert leave.locator("td[data-key='state']").text_content() == "active"
    assert leave.locator("td[data-key='metadata']").text_content() == "team=hr, year=2025"

    # Chunks: one document selected, its passages listed.
    chunks = page.locator(f"{WIDGET} .gnb-stores-chunks")
    assert chunks.is_disabled()
    leave.locator("input[type=checkbox]").check()
    chunks.click()
    lab.wait_for_text(f"{WIDGET} .gnb-stores-chunks-panel", "Chunks of leave.md")
    assert "27 days" in (page.locator(f"{WIDGET} .gnb-stores-chunk").first.text_content() or "")

    # A question over the store: the answer, and its sources with the passage behind each.
    page.locator(f"{WIDGET} .gnb-stores-question").fill("How often are passwords rotated?")
    page.locator(f"{WIDGET} .gnb-stores-ask-button").click()
    lab.wait_for_text(f"{WIDGET} .gnb-stores-answer-text", "Passwords are rotated every 90 days.")
    assert page.locator(f"{WIDGET} .gnb-stores-source-title").all_text_contents() == [
        "security.txt"
    ]
    assert "90 days" in (
        page.locator(f"{WIDGET} .gnb-stores-source .gnb-stores-passage").text_content() or ""
    )

    # The --store answer lists its source with the passage under the document's name.
    sources = page.locator(".jp-CodeCell").nth(2).locator(".gnb-sources")
    assert "leave.md" in (sources.text_content() or "")
    assert "27 days" in (sources.locator(".gnb-passage").text_content() or "")

    for theme in ("light", "dark"):
        if theme == "dark":
            set_theme(lab, "JupyterLab Dark")
        color, back = contrast(lab, f"{WIDGET} .gnb-stores-answer-text")
        assert color != back
        color, back = contrast(lab, f"{WIDGET} .gnb-stores-passage")
        assert color != back
        page.locator(WIDGET).screenshot(path=str(ARTIFACTS / f"stores-browser-{theme}.png"))
        page.locator(".jp-CodeCell").nth(2).screenshot(
            path=str(ARTIFACTS / f"stores-answer-{theme}.png")
        )

    # Deleting asks first; a document, then the other store.
    page.locator(f"{WIDGET} .gnb-stores-section .gnb-browser-delete").click()
    assert (
        page.locator(f"{WIDGET} .gnb-stores-section .gnb-browser-confirm-text").text_content()
        == "Delete 1 document and what is in them?"
    )
    page.locator(f"{WIDGET} .gnb-stores-section .gnb-browser-confirm-yes").click()
    lab.wait_for_text(f"{WIDGET} .gnb-browser-status", "Deleted 1 document.")
    assert page.locator(DOC_ROWS).count() == 2
    lab.run_cell(3)
    lab.wait_for_text(".jp-OutputArea-output", f"state: {store.name} 2")

    ours = [line for line in lab.console_errors() if OUR_MODULE.search(line)]
    assert not ours, "\n".join(ours)
    assert not lab.page_errors, "\n".join(lab.page_errors)
