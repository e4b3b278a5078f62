"""Progress bars for long jobs (batch waits, DataFrame runs), in every front end.

tqdm's auto bars are used when tqdm is installed (the ``notebook`` extra brings it): a widget
bar in JupyterLab, Notebook 7 and VS Code, a text bar in a terminal. Without tqdm a plain line
is written to stderr at most once a second, with the same facts (count, rate, time left).
"""

from __future__ import annotations

import importlib
import sys
import time
from typing import Any

__all__ = ["Bar", "make_bar"]


class Bar:
    """The few bar operations the jobs use; ``update`` and ``set_postfix`` are cheap."""

    def update(self, n: int = 1) -> None:
        raise NotImplementedError

    def set_postfix(self, text: str) -> None:
        raise NotImplementedError

    def set_description(self, text: str) -> None:
        raise NotImplementedError

    def set_total(self, total: int | None) -> None:
        raise NotImplementedError

    def set_count(self, n: int) -> None:
        """Move the bar to ``n`` (for counts that come from the server)."""
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Bar:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Quiet(Bar):
    def update(self, n: int = 1) -> None:
        pass

    def set_postfix(self, text: str) -> None:
        pass

    def set_description(self, text: str) -> None:
        pass

    def set_total(self, total: int | None) -> None:
        pass

    def set_count(self, n: int) -> None:
        pass

    def close(self) -> None:
        pass


class _Tqdm(Bar):
    def __init__(self, bar: Any) -> None:
        self._bar = bar
        self._postfix = ""

    def update(self, n: int = 1) -> None:
        self._bar.update(n)

    def set_postfix(self, text: str) -> None:
        if text != self._postfix:
            self._postfix = text
            self._bar.set_postfix_str(text, refresh=False)

    def set_description(self, text: str) -> None:
        self._bar.set_description_str(text, refresh=False)

    def set_total(self, total: int | None) -> None:
        if self._bar.total != total:
            self._bar.total = total
            self._bar.refresh()

    def set_count(self, n: int) -> None:
        if n != self._bar.n:
            self._bar.update(n - self._bar.n)
        else:
            self._bar.refresh()

    def close(self) -> None:
        self._bar.close()


class _Text(Bar):
    """A line on stderr, at most once a second (and once at the end)."""

    def __init__(self, total: int | None, desc: str, unit: str, initial: int) -> None:
        self.total, self.desc, self.unit, self.n = total, desc, unit, initial
        self._initial = initial
        self._postfix = ""
        self._start = self._last = time.monotonic()
        self._closed = False

    def _line(self) -> str:
        elapsed = time.monotonic() - self._start
        rate = (self.n - self._initial) / elapsed if elapsed > 0 else 0.0
        head = f"{self.desc}: {self.n:,}" + (f"/{self.total:,}" if self.total else "")
        left = ""
        if self.total and rate > 0:
            left = f", {max(0.0, (self.total - self.n) / rate):.0f}s left"
        tail = f" [{elapsed:.0f}s, {rate:.1f} {self.unit}/s{left}]"
        return head + f" {self.unit}" + tail + (f" {self._postfix}" if self._postfix else "")

    def _maybe_print(self, force: bool = False) -> None:
        now = time.monotonic()
        if force or now - self._last >= 1.0:
            self._last = now
            print(self._line(), file=sys.stderr, flush=True)

    def update(self, n: int = 1) -> None:
        self.n += n
        self._maybe_print()

    def set_postfix(self, text: str) -> None:
        self._postfix = text

    def set_description(self, text: str) -> None:
        self.desc = text

    def set_total(self, total: int | None) -> None:
        self.total = total

    def set_count(self, n: int) -> None:
        self.n = n
        self._maybe_print()

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._maybe_print(force=True)


def make_bar(
    *,
    total: int | None,
    desc: str,
    unit: str = "it",
    initial: int = 0,
    enabled: bool = True,
) -> Bar:
    """A bar counting ``unit`` up to ``total`` (None: unknown), starting at ``initial``."""
    if not enabled:
        return _Quiet()
    try:
        # Through importlib: tqdm ships no type information.
        tqdm = importlib.import_module("tqdm.auto").tqdm
    except ImportError:
        return _Text(total, desc, unit, initial)
    return _Tqdm(
        tqdm(
            total=total,
            desc=desc,
            unit=unit,
            initial=initial,
            dynamic_ncols=True,
            smoothing=0.1,
            mininterval=0.2,
        )
    )
