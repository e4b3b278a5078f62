"""Shared fixtures: a scrubbed environment, one emulator per session, sync/async adapters."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

KEY_VARS = ("GEMINI_API_KEY", "GOOGLE_API_KEY", "GOOGLE_GEMINI_BASE_URL")
TEST_KEY = "AIzaTESTKEY-0123456789abcdefghijklmnopq"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    # No real key (or emulator URL from the developer's shell) may reach a test.
    for name in KEY_VARS:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def emulator() -> Iterator[Any]:
    from gemini_nb.emulator import EmulatorServer

    with EmulatorServer() as server:
        yield server


@pytest.fixture(scope="session")
def keyed_emulator() -> Iterator[Any]:
    """An emulator that only accepts TEST_KEY."""
    from gemini_nb.emulator import EmulatorOptions, EmulatorServer

    with EmulatorServer(options=EmulatorOptions(api_key=TEST_KEY)) as server:
        yield server


@pytest.fixture
def faults(emulator: Any) -> Iterator[Any]:
    """The emulator's fault set, cleared after the test."""
    emulator.app.faults.clear()
    yield emulator.app.faults
    emulator.app.faults.clear()


@pytest.fixture
def sent(emulator: Any) -> Iterator[list[dict[str, Any]]]:
    """The requests the emulator receives during the test."""
    emulator.app.requests.clear()
    yield emulator.app.requests  # type: ignore[misc]


def pytest_report_header(config: pytest.Config) -> str:
    return f"gemini-nb tests; CHROMIUM={os.environ.get('CHROMIUM', '(auto)')}"
