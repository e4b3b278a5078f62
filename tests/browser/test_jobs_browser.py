"""The job monitors in JupyterLab, in headless Chromium: batch jobs whose progress moves and
whose Cancel and Delete (with its question) act, and a tuning job whose loss curve (an SVG
polyline) grows until it ends; text contrast in light and dark themes, with screenshots of both
in ``test-artifacts/`` on every run."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

import gemini_nb

from ._notebooks import write_notebook
from .jupyter import ARTIFACTS, Lab
from .test_stores_browser import light_again, set_theme

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]
__all__ = ["light_again"]  # the fixture, imported for pytest

BATCHES = ".gnb-jobs:has(.gnb-jobs-table)"
TUNING = ".gnb-jobs:has(.gnb-jobs-chart)"
OUR_MODULE = re.compile(r"anywidget|gnb-jobs|jobs\.js|BatchMonitor|TuningMonitor", re.I)


@pytest.fixture
def own_emulator() -> Iterator[Any]:
    from gemini_nb.emulator import EmulatorServer

    with EmulatorServer() as server:
        yield server


def ratio(lab: Lab, selector: str) -> float:
    """The WCAG contrast ratio of the first ``selector``'s text on what is behind it, with
    translucent backgrounds (state badges, error rows) laid over the opaque one below."""
    result: float = lab.page.evaluate(
        """sel => {
            const probe = document.createElement('canvas').getContext('2d');
            const rgba = (css) => {  // any CSS colour as [r, g, b, a], 0..255 and 0..1
                probe.clearRect(0, 0, 1, 1);
                probe.fillStyle = '#000';
                probe.fillStyle = css;
                probe.fillRect(0, 0, 1, 1);
                const d = probe.getImageData(0, 0, 1, 1).data;
                return [d[0], d[1], d[2], d[3] / 255];
            };
            const over = (top, below) => top.slice(0, 3).map(
                (c, i) => c * top[3] + below[i] * (1 - top[3])).concat([1]);
            const node = document.querySelector(sel);
            const layers = [];
            for (let n = node; n; n = n.parentElement) {
                const bg = rgba(getComputedStyle(n).backgroundColor);
                if (bg[3] > 0) layers.push(bg);
                if (bg[3] === 1) break;
            }
            let back = [255, 255, 255, 1];
            for (const layer of layers.reverse()) back = over(layer, back);
            const text = over(rgba(getComputedStyle(node).color), back);
            const lum = ([r, g, b]) => {
                const lin = (c) => (c /= 255) <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
                return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
            };
            const [hi, lo] = [lum(text), lum(back)].sort((a, b) => b - a);
            return (hi + 0.05) / (lo + 0.05);
        }""",
        selector,
    )
    return result


def polyline_points(lab: Lab) -> int:
    points = lab.page.locator(f"{TUNING} polyline.gnb-jobs-loss").get_attribute("points") or ""
    return len(points.split())


def test_batch_and_tuning_monitors(
    lab: Lab, own_emulator: Any, tmp_path: Path, light_again: None
) -> None:
    notebook = write_notebook(
        tmp_path / "jobs.ipynb",
        f"import os\nos.environ['GOOGLE_GEMINI_BASE_URL'] = {own_emulator.url!r}\n"
        "import gemini_nb\nclient = gemini_nb.Client()",
        "long = client.batches.create(model='gemini-2.5-flash', src=[f'Say {i}' for i in "
        "range(400)], config={'display_name': 'long'})\n"
        "short = client.batches.create(model='gemini-2.5-flash', src=['a', 'b'], "
        "config={'display_name': 'short'})\n"
        "gone = client.batches.create(model='gemini-2.5-flash', src=['x'], "
        "config={'display_name': 'to delete'})\n"
        "from gemini_nb import BatchMonitor, TuningMonitor\n"
        "BatchMonitor(interval=0.5)",
        "job = client.tunings.tune(base_model='models/gemini-1.5-flash-001-tuning', "
        "training_dataset=[(str(i), str(i + 1)) for i in range(40)], "
        "config={'epoch_count': 3, 'batch_size': 2, 'tuned_model_display_name': 'Counting'})\n"
        "TuningMonitor(job, interval=0.5)",
    )
    lab.open_notebook(notebook)
    lab.run_all()
    page = lab.page
    rows = page.locator(f"{BATCHES} tbody tr[data-name]:not(.gnb-jobs-row-error)")
    rows.nth(2).wait_for()
    assert page.locator(f"{BATCHES} .gnb-jobs-title").text_content() == "Batch jobs · 3 · 3 running"

    def row(name: str) -> Any:
        return page.locator(
            f"{BATCHES} tbody tr:not(.gnb-jobs-row-error)",
            has=page.locator(".gnb-jobs-display", has_text=re.compile(f"^{name}$")),
        )

    # The short job ends on its own: its bar fills, its state says so.
    expect(row("short").locator(".gnb-jobs-state")).to_have_text("succeeded", timeout=60000)
    assert row("short").locator(".gnb-jobs-count").text_content() == "2/2"
    assert row("short").locator(".gnb-jobs-cancel").is_disabled()

    # The tuning curve grows while the job runs, then the final state shows.
    page.wait_for_function(
        "sel => { const p = document.querySelector(sel); "
        "return p && p.getAttribute('points').trim().split(/\\s+/).length >= 3; }",
        arg=f"{TUNING} polyline.gnb-jobs-loss",
        timeout=60_000,
    )
    growing = polyline_points(lab)
    lab.wait_for_text(f"{TUNING} .gnb-jobs-state", "succeeded", timeout=90)
    assert polyline_points(lab) == 60 > growing
    labels = page.locator(f"{TUNING} .gnb-jobs-axis-label").all_text_contents()
    assert labels == ["step", "mean loss"]
    facts = page.locator(f"{TUNING} .gnb-jobs-facts").text_content() or ""
    assert "Epoch3 of 3" in facts and "Step60 of 60" in facts

    # Cancel acts on the long job; Delete asks once, "No" keeps it, "Yes" drops the row.
    expect(row("long").locator(".gnb-jobs-state")).to_have_text("running", timeout=60000)
    row("long").locator(".gnb-jobs-cancel").click()
    lab.wait_for_text(f"{BATCHES} .gnb-jobs-status", "Cancelled")
    expect(row("long").locator(".gnb-jobs-state")).to_have_text("cancelled", timeout=30000)
    row("to delete").locator(".gnb-jobs-delete").click()
    assert page.locator(f"{BATCHES} .gnb-jobs-confirm-text").text_content() == "Delete this job?"
    page.locator(f"{BATCHES} .gnb-jobs-confirm-no").click()
    assert rows.count() == 3
    row("to delete").locator(".gnb-jobs-delete").click()
    page.locator(f"{BATCHES} .gnb-jobs-confirm-yes").click()
    lab.wait_for_text(f"{BATCHES} .gnb-jobs-status", "Deleted")
    page.wait_for_function(
        "sel => document.querySelectorAll(sel).length === 2",
        arg=f"{BATCHES} tbody tr[data-name]:not(.gnb-jobs-row-error)",
        timeout=30_000,
    )
    with gemini_nb.Client(base_url=own_emulator.url) as client:
        states = {j.display_name: j.state for j in client.batches.list()}
    assert states == {"long": "JOB_STATE_CANCELLED", "short": "JOB_STATE_SUCCEEDED"}

    for theme in ("light", "dark"):
        if theme == "dark":
            set_theme(lab, "JupyterLab Dark")
        for selector in (
            f"{BATCHES} .gnb-jobs-display",
            f"{BATCHES} .gnb-jobs-state",
            f"{BATCHES} .gnb-jobs-name",
            f"{TUNING} .gnb-jobs-fact-value",
            f"{BATCHES} .gnb-jobs-status",
        ):
            assert ratio(lab, selector) >= 4.5, (theme, selector)
        page.locator(BATCHES).screenshot(path=str(ARTIFACTS / f"batch-monitor-{theme}.png"))
        page.locator(TUNING).screenshot(path=str(ARTIFACTS / f"tuning-monitor-{theme}.png"))

    ours = [line for line in lab.console_errors() if OUR_MODULE.search(line)]
    assert not ours, "\n".join(ours)
    assert not lab.page_errors, "\n".join(lab.page_errors)
