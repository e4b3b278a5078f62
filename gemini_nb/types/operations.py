"""Long-running operations (``google.longrunning.Operation``) and the ``google.rpc.Status``.

An :class:`Operation` is what the API answers for work that takes a while (imports into a
file search store, tuning, video generation, batches): ``name``, ``done``, ``metadata``
(progress), and when done either ``error`` or ``response``. The object returned by the client
is bound to it, so it can poll itself:

>>> op = client.operations.get("fileSearchStores/s1/operations/abc")  # doctest: +SKIP
>>> result = op.wait(timeout=600, progress=lambda op: print(op.metadata))  # doctest: +SKIP

``Operation[R]`` parses ``response`` into ``R`` (a wire type); a plain ``Operation`` keeps it
as the dict the server sent. :class:`AsyncOperation` is the same for ``AsyncClient``, with
``await op.wait()`` and ``await op.refresh()``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from ._base import ResponseModel, WireModel

if TYPE_CHECKING:
    from .._client import AsyncClient, Client

__all__ = ["AsyncOperation", "Operation", "Status"]

R = TypeVar("R")

# google.rpc.Code numbers, for messages (``code`` stays the number).
_CODES = {
    1: "CANCELLED",
    2: "UNKNOWN",
    3: "INVALID_ARGUMENT",
    4: "DEADLINE_EXCEEDED",
    5: "NOT_FOUND",
    6: "ALREADY_EXISTS",
    7: "PERMISSION_DENIED",
    8: "RESOURCE_EXHAUSTED",
    9: "FAILED_PRECONDITION",
    10: "ABORTED",
    11: "OUT_OF_RANGE",
    12: "UNIMPLEMENTED",
    13: "INTERNAL",
    14: "UNAVAILABLE",
    15: "DATA_LOSS",
    16: "UNAUTHENTICATED",
}


class Status(WireModel):
    """A ``google.rpc.Status``: why an operation or a file failed."""

    code: int | None = None
    message: str | None = None
    details: list[dict[str, Any]] | None = None

    @property
    def code_name(self) -> str | None:
        """``"INVALID_ARGUMENT"`` for code 3, and so on."""
        return _CODES.get(self.code) if self.code is not None else None

    def describe(self) -> str:
        head = self.code_name or (f"code {self.code}" if self.code is not None else "")
        text = self.message or "no message"
        return f"{head}: {text}" if head else text


class _OperationData(ResponseModel, Generic[R]):
    """The fields of a long-running operation, as the server sends them."""

    __slots__ = ("_client",)
    if TYPE_CHECKING:
        _client: Any

    _table_columns: ClassVar[tuple[str, ...]] = ("name", "done", "error.message")

    name: str
    done: bool = False
    metadata: dict[str, Any] | None = None
    error: Status | None = None
    response: R | None = None

    @property
    def result(self) -> R | None:
        """The typed response once the operation is done without error (else None)."""
        return self.response if self.done and self.error is None else None

    def _bound(self) -> Any:
        client = getattr(self, "_client", None)
        if client is None:
            from .._exceptions import InvalidInputError

            raise InvalidInputError(
                f"Operation {self.name!r} is not attached to a client; "
                "use client.operations.get(operation) to poll it."
            )
        return client

    def _update(self, fresh: _OperationData[R]) -> None:
        # In place, so every reference the caller holds sees the new state.
        for field in type(self).model_fields:
            object.__setattr__(self, field, getattr(fresh, field))
        object.__setattr__(self, "__pydantic_extra__", fresh.__pydantic_extra__)
        object.__setattr__(self, "__pydantic_fields_set__", set(fresh.__pydantic_fields_set__))
        self._http = getattr(fresh, "_http", None)


class Operation(_OperationData[R], Generic[R]):
    """A long-running operation, polled with the synchronous client.

    ``wait()`` polls (1 s, growing by half each time, at most 30 s apart) until ``done``; it
    returns the typed result or raises :class:`~gemini_nb.OperationError`. ``timeout`` is in
    seconds (None: no limit) and raises :class:`~gemini_nb.WaitTimeoutError` when it runs
    out; ``progress`` is called with the operation after every poll (``progress=True``: a
    progress bar).
    """

    if TYPE_CHECKING:
        _client: Client

    def refresh(self) -> Operation[R]:
        """Fetch the current state (in place) and return self."""
        from .._operations import get_flow

        self._update(self._bound()._run(get_flow(self.name, type(self), None)))
        return self

    def wait(
        self,
        *,
        timeout: float | None = None,
        progress: bool | Callable[[Operation[R]], Any] | None = None,
    ) -> R:
        """Poll until done; the result, or :class:`~gemini_nb.OperationError`."""
        from .._operations import wait_flow

        return self._bound()._run(wait_flow(self, timeout, progress))  # type: ignore[no-any-return]


class AsyncOperation(_OperationData[R], Generic[R]):
    """The async twin of :class:`Operation`: ``await op.wait()``, ``await op.refresh()``."""

    if TYPE_CHECKING:
        _client: AsyncClient

    async def refresh(self) -> AsyncOperation[R]:
        from .._operations import get_flow

        self._update(await self._bound()._run(get_flow(self.name, type(self), None)))
        return self

    async def wait(
        self,
        *,
        timeout: float | None = None,
        progress: bool | Callable[[AsyncOperation[R]], Any] | None = None,
    ) -> R:
        from .._operations import wait_flow

        return await self._bound()._run(wait_flow(self, timeout, progress))  # type: ignore[no-any-return]
