"""Unit-test fixtures: the kind of client (each test runs on both), and a fake clock."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace

import pytest

from ._fakes import FakeTime


@pytest.fixture(params=["sync", "async"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def fake_time(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeTime]:
    """Sleeps of both clients and the clock of waits, on a fake clock (no real waiting)."""
    import gemini_nb._client as client_module
    import gemini_nb._operations as operations_module

    clock = FakeTime()
    monkeypatch.setattr(client_module, "time", SimpleNamespace(sleep=clock.sleep))
    monkeypatch.setattr(client_module, "_async_sleep", clock.async_sleep)
    monkeypatch.setattr(operations_module, "_clock", clock.monotonic)
    yield clock
