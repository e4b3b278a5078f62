"""Long-running operations: one kind of record for every noun whose work takes time.

A backend starts one with :func:`start` (a name under its own resource, the metadata to show,
how long the work takes on the emulator's clock, and a function that makes the final
``response`` or raises an :class:`EmulatorError` for the final ``error``). Until the clock passes
its end, ``get`` answers ``{"name", "metadata"}`` (``done`` left out, as proto3 JSON does for
false); afterwards ``{"name", "metadata", "done": true, "response" | "error"}``. ``progress``
(0 to 1) lets a backend show partial progress in its metadata while it runs.

Every ``*.operations.get`` and ``*.operations.list`` method of the Discovery document is served
here, so a client polls any operation with ``GET /v1beta/{operation.name}``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..wire.errors import EmulatorError
from ..wire.routing import Ctx, paged, serves
from .state import Store

__all__ = ["Operation", "get_operation", "start"]

NOUN = "operations"


@dataclass
class Operation:
    name: str
    start_time: float
    end_time: float
    metadata: dict[str, Any]
    finish: Callable[[], dict[str, Any]] = field(repr=False)
    progress_metadata: Callable[[float], dict[str, Any]] | None = field(default=None, repr=False)
    response: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    done: bool = False
    cancelled: bool = False

    def settle(self, now: float) -> None:
        """Finish the work once the clock has passed its end (once)."""
        if self.done or now < self.end_time:
            return
        try:
            self.response = self.finish()
        except EmulatorError as err:
            self.error = err.to_json()["error"]
            self.error.pop("status", None)
        self.done = True

    def to_json(self, now: float) -> dict[str, Any]:
        self.settle(now)
        metadata = dict(self.metadata)
        if not self.done and self.progress_metadata is not None:
            span = max(self.end_time - self.start_time, 1e-9)
            metadata.update(self.progress_metadata(min(1.0, (now - self.start_time) / span)))
        out: dict[str, Any] = {"name": self.name}
        if metadata:
            out["metadata"] = metadata
        if self.done:
            out["done"] = True
            if self.error is not None:
                out["error"] = self.error
            elif self.response is not None:
                out["response"] = self.response
        return out


def start(
    store: Store,
    name: str,
    *,
    seconds: float,
    finish: Callable[[], dict[str, Any]],
    metadata: dict[str, Any] | None = None,
    progress_metadata: Callable[[float], dict[str, Any]] | None = None,
) -> Operation:
    """Record an operation that completes ``seconds`` from now on the store's clock."""
    now = store.clock.time()
    op = Operation(
        name, now, now + max(0.0, seconds), dict(metadata or {}), finish, progress_metadata
    )
    with store.lock:
        store.collection(NOUN)[name] = op
    op.settle(now)
    return op


def get_operation(store: Store, name: str) -> Operation | None:
    with store.lock:
        op: Operation | None = store.collection(NOUN).get(name)
    return op


def _not_found(name: str) -> EmulatorError:
    return EmulatorError(404, f"Operation {name} not found.")


async def _get(ctx: Ctx) -> dict[str, Any]:
    name = ctx.params["name"]
    op = get_operation(ctx.store, name)
    if op is None:
        raise _not_found(name)
    return op.to_json(ctx.now)


async def _list(ctx: Ctx) -> dict[str, Any]:
    parent = ctx.params["name"]  # e.g. "models/veo-3.0-generate-001" (the parent resource)
    offset, size = ctx.page(50)
    now = ctx.now
    with ctx.store.lock:
        ops = [
            op.to_json(now)
            for op in ctx.store.collection(NOUN).values()
            if op.name.startswith(parent.rstrip("/") + "/operations/")
        ]
    return paged(ops, "operations", offset, size)


for _method in (
    "models.operations.get",
    "tunedModels.operations.get",
    "fileSearchStores.operations.get",
    "fileSearchStores.upload.operations.get",
    "generatedFiles.operations.get",
    "corpora.operations.get",
):
    serves(_method)(_get)

for _method in ("models.operations.list", "tunedModels.operations.list"):
    serves(_method)(_list)
