"""``client.operations``: look up a long-running operation by name and poll it.

>>> op = client.operations.get("fileSearchStores/s1/operations/abc")  # doctest: +SKIP
>>> op.done, op.metadata                                              # doctest: +SKIP
>>> result = op.wait(timeout=600)                                     # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar, overload

from .._operations import bind, get_flow, operation_name
from .._options import http_options_of
from ..types import AsyncOperation, Operation

if TYPE_CHECKING:
    from .._client import AsyncClient, Client

__all__ = ["AsyncOperations", "Operations"]

R = TypeVar("R")


class Operations:
    """Long-running operations (``GET {name}``), as :class:`~gemini_nb.types.Operation`."""

    def __init__(self, client: Client) -> None:
        self._client = client

    @overload
    def get(self, operation: Operation[R], *, config: Any = None) -> Operation[R]: ...
    @overload
    def get(
        self, operation: str | AsyncOperation[Any], *, config: Any = None
    ) -> Operation[Any]: ...
    def get(self, operation: Any, *, config: Any = None) -> Operation[Any]:
        """The operation's current state; given an Operation, its result keeps its type."""
        cls = type(operation) if isinstance(operation, Operation) else Operation
        name = operation_name(operation)
        op = self._client._run(get_flow(name, cls, http_options_of(config)))
        return bind(op, self._client)


class AsyncOperations:
    """The async twin of :class:`Operations`, giving :class:`~gemini_nb.types.AsyncOperation`."""

    def __init__(self, client: AsyncClient) -> None:
        self._client = client

    @overload
    async def get(
        self, operation: AsyncOperation[R], *, config: Any = None
    ) -> AsyncOperation[R]: ...
    @overload
    async def get(
        self, operation: str | Operation[Any], *, config: Any = None
    ) -> AsyncOperation[Any]: ...
    async def get(self, operation: Any, *, config: Any = None) -> AsyncOperation[Any]:
        cls = type(operation) if isinstance(operation, AsyncOperation) else AsyncOperation
        name = operation_name(operation)
        op = await self._client._run(get_flow(name, cls, http_options_of(config)))
        return bind(op, self._client)
