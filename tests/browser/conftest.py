"""Fixtures for the real-browser tests: one JupyterLab server and one Chromium per session,
a fresh page per test, and a screenshot plus console log in ``test-artifacts/`` when a test
fails."""

from __future__ import annotations

import contextlib
import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .jupyter import CHROMIUM_ARGS, INSTALL_HINT, JupyterServer, Lab, artifact_stem, find_chromium

NOTEBOOKS = Path(__file__).parent / "notebooks"


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    # Keep each phase's report on the item, so the page fixture knows whether the test failed.
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = find_chromium()
    if path is None:
        pytest.fail(INSTALL_HINT, pytrace=False)
    return path


@pytest.fixture(scope="session")
def jupyter_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[JupyterServer]:
    server = JupyterServer(tmp_path_factory.mktemp("lab-root"))
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def browser(chromium_path: str) -> Iterator[Any]:
    # Playwright's sync API keeps an asyncio loop running in this thread while it is open, so
    # it must close with the browser tests' module: later modules call asyncio.run().
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def lab(
    browser: Any, jupyter_server: JupyterServer, request: pytest.FixtureRequest
) -> Iterator[Lab]:
    """A new browser context and JupyterLab page; artifacts are saved if the test fails."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(30_000)
    lab_page = Lab(context.new_page(), jupyter_server)
    try:
        yield lab_page
    finally:
        node = request.node
        failed = any(
            getattr(getattr(node, f"report_{when}", None), "failed", False)
            for when in ("setup", "call")
        )
        try:
            if failed:
                saved = lab_page.save_artifacts(artifact_stem(node.name))
                print("saved " + ", ".join(str(p) for p in saved))
        finally:
            # Shut the notebook's kernels down with the page, so tests do not share one.
            _shutdown_kernels(jupyter_server)
            context.close()


def _shutdown_kernels(server: JupyterServer) -> None:
    with contextlib.suppress(OSError, ValueError):
        with urllib.request.urlopen(f"{server.url}/api/sessions", timeout=5) as r:
            sessions = json.load(r)
        for s in sessions:
            req = urllib.request.Request(f"{server.url}/api/sessions/{s['id']}", method="DELETE")
            urllib.request.urlopen(req, timeout=10).close()
