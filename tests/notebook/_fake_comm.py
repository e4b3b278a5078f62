"""A comm that records what a widget sends to the browser, a way to play the browser, and a wait
for what the widget does next."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any

import comm
import pytest
from comm.base_comm import BaseComm


class RecordingComm(BaseComm):
    """A comm whose messages to the front end are kept in ``sent``."""

    def __init__(self, **kwargs: Any) -> None:
        self.sent: list[tuple[str, dict[str, Any], list[Any]]] = []
        super().__init__(**kwargs)

    def publish_msg(
        self,
        msg_type: str,
        data: Any = None,
        metadata: Any = None,
        buffers: Any = None,
        **keys: Any,
    ) -> None:
        self.sent.append((msg_type, data or {}, list(buffers or [])))

    def custom(self) -> list[dict[str, Any]]:
        return [
            d["content"]
            for t, d, _ in list(self.sent)
            if t == "comm_msg" and d.get("method") == "custom"
        ]


@pytest.fixture
def comms(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[RecordingComm]]:
    made: list[RecordingComm] = []

    def create_comm(**kwargs: Any) -> RecordingComm:
        c = RecordingComm(**kwargs)
        made.append(c)
        return c

    monkeypatch.setattr(comm, "create_comm", create_comm)
    yield made


def from_browser(widget: Any, content: dict[str, Any], buffers: list[Any] | None = None) -> None:
    """Deliver a custom message from the front end, as ipykernel does."""
    widget._handle_msg(
        {"content": {"data": {"method": "custom", "content": content}}, "buffers": buffers or []}
    )


def comm_of(widget: Any) -> RecordingComm:
    assert isinstance(widget.comm, RecordingComm)
    return widget.comm


async def until(check: Callable[[], Any], timeout: float = 10, what: str = "") -> Any:
    """``check()`` once it is true, polled every 10 ms for up to ``timeout`` seconds."""
    for _ in range(int(timeout / 0.01)):
        value = check()
        if value:
            return value
        await asyncio.sleep(0.01)
    raise AssertionError(f"waited {timeout} s for {what or check}")
