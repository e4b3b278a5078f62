"""The kernel side that the audio widgets (voice, music) share: a hand-off to the kernel's main
event loop, custom messages with binary buffers to the browser, and one session's two tasks
(sending and receiving) run until either ends."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

import ipywidgets

from .chat import _running_loop

__all__ = ["AudioKernelSide", "until_either_ends"]


class AudioKernelSide:
    """Mixed into an anywidget class whose ``_loop`` is the kernel's main event loop."""

    _loop: asyncio.AbstractEventLoop

    def _to_browser(self, content: dict[str, Any], buffers: list[bytes] | None = None) -> None:
        widget: Any = self
        if widget.comm is None:
            return
        # Widget.send: a custom message to the browser.
        ipywidgets.Widget.send(widget, content, buffers)

    def _on_widget_loop(self, fn: Callable[..., Any], *args: Any) -> None:
        if _running_loop() is self._loop:
            fn(*args)
        else:  # a subshell thread
            self._loop.call_soon_threadsafe(fn, *args)


async def until_either_ends(
    pump: Coroutine[Any, Any, None], receive: Coroutine[Any, Any, None]
) -> None:
    """Run a session's sending and receiving until one of them ends; then cancel the other
    and raise what the first one raised, if anything."""
    tasks = {asyncio.create_task(pump), asyncio.create_task(receive)}
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    for task in done:
        failure = task.exception()
        if failure is not None:
            raise failure
