"""Waiting on server-side work, once for every noun: long-running operations and files that
are still processing.

:func:`poll_flow` polls with a growing interval (1 s, then half again each time, at most 30 s
apart) until the thing is done or the timeout runs out; :func:`wait_flow` is that for an
:class:`~gemini_nb.types.Operation`, ending in its typed result or an
:class:`~gemini_nb.OperationError`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

from ._exceptions import InvalidInputError, OperationError, WaitTimeoutError
from ._transport import Call, Reply, Sleep
from .types import HttpOptions
from .types.operations import _OperationData

if TYPE_CHECKING:
    from ._transport import Flow

__all__ = [
    "POLL_FACTOR",
    "POLL_INITIAL",
    "POLL_MAX",
    "bind",
    "get_flow",
    "operation_error",
    "operation_name",
    "poll_delays",
    "poll_flow",
    "wait_flow",
]

X = TypeVar("X")
OpT = TypeVar("OpT", bound=_OperationData[Any])

POLL_INITIAL = 1.0
POLL_FACTOR = 1.5
POLL_MAX = 30.0


def _clock() -> float:
    # One indirection so that tests can run waits on a fake clock.
    return time.monotonic()


def poll_delays(
    initial: float = POLL_INITIAL, factor: float = POLL_FACTOR, cap: float = POLL_MAX
) -> Iterator[float]:
    """Seconds between polls: ``initial``, then ``factor`` times longer each time, capped."""
    delay = initial
    while True:
        yield min(delay, cap)
        delay *= factor


def check_timeout(timeout: float | None) -> float | None:
    if timeout is None:
        return None
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or math.isnan(timeout):
        raise InvalidInputError(f"timeout must be a number of seconds or None, not {timeout!r}.")
    if timeout < 0:
        raise InvalidInputError(f"timeout must be zero or more seconds, not {timeout}.")
    return float(timeout)


def poll_flow(
    current: X,
    refetch: Callable[[], Flow[X]],
    done: Callable[[X], bool],
    *,
    timeout: float | None,
    progress: Callable[[X], Any] | None,
    what: str,
) -> Flow[X]:
    """Poll ``refetch()`` until ``done``; the last state. Sleeps first: ``current`` is fresh."""
    limit = check_timeout(timeout)
    deadline = None if limit is None else _clock() + limit
    delays = poll_delays()
    while not done(current):
        delay = next(delays)
        if deadline is not None:
            left = deadline - _clock()
            if left <= 0:
                raise WaitTimeoutError(
                    f"{what} was not done after {limit:g} s; it goes on on the server. "
                    "Wait again (with a longer timeout) or check later.",
                    last=current,
                )
            delay = min(delay, left)
        yield Sleep(delay)
        current = yield from refetch()
        if progress is not None:
            progress(current)
    return current


# --------------------------------------------------------------------------- operations


def operation_name(operation: Any) -> str:
    """The resource name of an operation, given the operation or its name."""
    name = getattr(operation, "name", operation)
    if not isinstance(name, str) or not name.strip():
        raise InvalidInputError(
            "operation must be an Operation or its name, such as "
            "'fileSearchStores/my-store/operations/abc'."
        )
    name = name.strip()
    if name.startswith(("/", "http:", "https:")) or any(
        bad in name for bad in ("..", "?", "#", " ")
    ):
        raise InvalidInputError(
            f"{name!r} is not an operation name; pass the name the API gave the operation "
            "(for example 'models/…/operations/…')."
        )
    return name


def get_flow(name: str, cls: type[OpT], options: HttpOptions | None) -> Flow[OpT]:
    """``GET {name}``: the operation's current state, parsed as ``cls``."""
    reply: Reply = yield Call("GET", name, options=options)
    return reply.model(cls)


def bind(op: OpT, client: Any) -> OpT:
    """Attach ``op`` to the client that polls it (``refresh``/``wait``)."""
    op._client = client
    return op


def operation_error(op: _OperationData[Any]) -> OperationError:
    status = op.error
    assert status is not None
    return OperationError(
        f"Operation {op.name} failed: {status.describe()}",
        name=op.name,
        code=status.code,
        details=status.details,
    )


class OperationBar:
    """A progress bar for an operation: done or not, and its metadata's progress if any."""

    def __init__(self, op: _OperationData[Any]) -> None:
        from ._progress import make_bar

        short = op.name.rsplit("/", 1)[-1][:24]
        self._bar = make_bar(total=100, desc=f"operation {short}", unit="%")
        self(op)

    def __call__(self, op: _OperationData[Any]) -> None:
        meta = op.metadata or {}
        shown = meta.get("progressPercent", meta.get("progress_percent"))
        if op.done:
            self._bar.set_postfix("failed" if op.error is not None else "done")
            self._bar.set_count(100)
            self._bar.close()
        elif isinstance(shown, (int, float)):
            self._bar.set_count(int(shown))
        else:
            self._bar.set_postfix("running")

    def close(self) -> None:
        self._bar.close()


def wait_in_place(
    current: X,
    refetch: Callable[[], Flow[X]],
    *,
    timeout: float | None,
    progress: bool | Callable[[X], Any] | None,
    make_bar: Callable[[X], Any],
    what: str,
    noun: str,
) -> Flow[X]:
    """Poll until ``current.done``, with the progress a caller chose: ``True`` a bar made by
    ``make_bar`` (closed however the wait ends), a function called with each fresh state, or
    nothing. The one wait of operations, batch jobs and tuning jobs."""
    bar: Any = None
    callback: Callable[[X], Any] | None
    if progress is True:
        bar = callback = make_bar(current)
    elif progress is None or progress is False:
        callback = None
    elif callable(progress):
        callback = progress
    else:
        raise InvalidInputError(
            f"progress must be True (a progress bar), False, or a function called with the {noun}."
        )
    try:
        return (
            yield from poll_flow(
                current,
                refetch,
                lambda x: bool(x.done),  # type: ignore[attr-defined]
                timeout=timeout,
                progress=callback,
                what=what,
            )
        )
    finally:
        if bar is not None:
            bar.close()


def wait_flow(
    op: OpT, timeout: float | None, progress: bool | Callable[[OpT], Any] | None
) -> Flow[Any]:
    """Poll ``op`` (updated in place) until done; its result, or its error raised.

    ``progress=True`` shows a progress bar (see ``_progress``); a function is called with
    the operation after every poll."""

    def refetch() -> Flow[OpT]:
        fresh = yield from get_flow(op.name, type(op), None)
        op._update(fresh)
        return op

    yield from wait_in_place(
        op,
        refetch,
        timeout=timeout,
        progress=progress,
        make_bar=OperationBar,
        what=f"Operation {op.name}",
        noun="operation",
    )
    if op.error is not None:
        raise operation_error(op)
    return op.response
