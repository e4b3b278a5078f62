"""The files browser in JupyterLab, in headless Chromium: sort, filter, select, delete (with
its confirmation) and "Use in prompt", against an emulator of this test's own."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import gemini_nb

from ._notebooks import write_notebook
from .jupyter import Lab

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]

WIDGET = ".gnb-browser"
ROWS = f"{WIDGET} tbody tr"
OUR_MODULE = re.compile(r"anywidget|gnb-browser|browser\.js|FilesBrowser", re.IGNORECASE)


@pytest.fixture
def own_emulator() -> Iterator[Any]:
    from gemini_nb.emulator import EmulatorServer

    with EmulatorServer() as server:
        yield server


def shown_names(lab: Lab) -> list[str]:
    return lab.page.locator(f"{ROWS} td[data-key='display_name']").all_text_contents()


def test_delete_and_use_from_the_files_browser(lab: Lab, own_emulator: Any, tmp_path: Path) -> None:
    with gemini_nb.Client(base_url=own_emulator.url) as client:
        made = {
            name: client.files.upload(file=text.encode(), mime_type="text/plain", display_name=name)
            for name, text in (
                ("b-tides.txt", "high tide at 6"),
                ("a-log.txt", "fog"),
                ("c-notes.txt", "the lamp was lit at dusk"),
            )
        }
    notebook = write_notebook(
        tmp_path / "files_browser.ipynb",
        f"import os\nos.environ['GOOGLE_GEMINI_BASE_URL'] = {own_emulator.url!r}",
        "from gemini_nb.notebook.widgets import FilesBrowser\n\nbrowser = FilesBrowser()\nbrowser",
        "print('left:', sorted(f.display_name for f in browser.items), browser.selected)",
        "print('picked:', [f.display_name for f in globals().get('gemini_files', [])])",
    )
    lab.open_notebook(notebook)
    lab.run_all()
    page = lab.page
    page.locator(ROWS).nth(2).wait_for()
    assert page.locator(f"{WIDGET} .gnb-browser-title").text_content() == "Files · 3"

    # Sort by display name, both ways; the header says which.
    header = page.locator(f"{WIDGET} th[data-key='display_name']")
    header.click()
    assert shown_names(lab) == ["a-log.txt", "b-tides.txt", "c-notes.txt"]
    assert header.get_attribute("aria-sort") == "ascending"
    header.click()
    assert shown_names(lab) == ["c-notes.txt", "b-tides.txt", "a-log.txt"]
    sizes = page.locator(f"{ROWS} td[data-key='size_bytes']").all_text_contents()
    assert sizes == ["24 bytes", "14 bytes", "3 bytes"]

    # Filter, and select what is shown.
    page.locator(f"{WIDGET} .gnb-browser-filter").fill("tides")
    assert shown_names(lab) == ["b-tides.txt"]
    page.locator(f"{WIDGET} .gnb-browser-filter").fill("")
    assert len(shown_names(lab)) == 3
    delete = page.locator(f"{WIDGET} .gnb-browser-delete")
    assert delete.is_disabled()
    for name in ("a-log.txt", "c-notes.txt"):
        page.locator(f"{ROWS}[data-name='{made[name].name}'] input[type=checkbox]").check()
    assert page.locator(f"{WIDGET} .gnb-browser-title").text_content() == "Files · 3 · 2 selected"

    # Delete asks first; "No" changes nothing, "Yes" deletes and refreshes the table in place.
    delete.click()
    assert page.locator(f"{WIDGET} .gnb-browser-confirm-text").text_content() == "Delete 2 files?"
    page.locator(f"{WIDGET} .gnb-browser-confirm-no").click()
    assert len(shown_names(lab)) == 3
    delete.click()
    page.locator(f"{WIDGET} .gnb-browser-confirm-yes").click()
    lab.wait_for_text(f"{WIDGET} .gnb-browser-status", "Deleted 2 files.")
    assert shown_names(lab) == ["b-tides.txt"]
    assert page.locator(f"{WIDGET} .gnb-browser-title").text_content() == "Files · 1"
    assert header.get_attribute("aria-sort") == "descending"  # the view kept its sort
    with gemini_nb.Client(base_url=own_emulator.url) as client:
        assert [f.display_name for f in client.files.list()] == ["b-tides.txt"]
    lab.run_cell(2)
    lab.wait_for_text(".jp-OutputArea-output", "left: ['b-tides.txt'] []")

    # "Use in prompt" puts the selected File objects in a variable of the notebook.
    page.locator(f"{ROWS} input[type=checkbox]").check()
    page.locator(f"{WIDGET} .gnb-browser-use").click()
    lab.wait_for_text(
        f"{WIDGET} .gnb-browser-status",
        "1 file in the variable gemini_files: %%gemini -f gemini_files",
    )
    lab.run_cell(3)
    lab.wait_for_text(".jp-OutputArea-output", "picked: ['b-tides.txt']")

    ours = [line for line in lab.console_errors() if OUR_MODULE.search(line)]
    assert not ours, "\n".join(ours)
    assert not lab.page_errors, "\n".join(lab.page_errors)
