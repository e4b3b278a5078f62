"""Long-running operations over loopback: client.operations.get and wait/refresh, against
operations the emulator runs on its clock (started here in its store, as a backend would)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

import gemini_nb as g
from gemini_nb.types import AsyncOperation, Operation, WireModel

from ._run import Run, open_run


@pytest.fixture(params=["sync", "async"])
async def run(request: pytest.FixtureRequest, emulator: Any) -> AsyncIterator[Run]:
    async with open_run(request.param, emulator.url) as r:
        yield r


@pytest.fixture(scope="module")
def emulator() -> Iterator[Any]:
    """An emulator whose clock runs 10 times as fast, so work of a few seconds ends quickly."""
    from gemini_nb.emulator import EmulatorOptions, EmulatorServer

    with EmulatorServer(options=EmulatorOptions(clock_speed=10.0)) as server:
        yield server


class ImportFileResponse(WireModel):
    parent: str | None = None
    document_name: str | None = None


def start(emulator: Any, op_id: str, seconds: float, *, fail: bool = False) -> str:
    from gemini_nb.emulator.backends.operations import start as start_operation
    from gemini_nb.emulator.wire.errors import EmulatorError

    name = f"fileSearchStores/store-1/operations/{op_id}"

    def finish() -> dict[str, Any]:
        if fail:
            raise EmulatorError(400, "The file is not a document this store can index.")
        return {
            "@type": "type.googleapis.com/google.ai.generativelanguage.v1beta.ImportFileResponse",
            "parent": "fileSearchStores/store-1",
            "documentName": "fileSearchStores/store-1/documents/doc-1",
        }

    start_operation(
        emulator.app.store,
        name,
        seconds=seconds,
        finish=finish,
        metadata={"@type": "x.ImportFileMetadata"},
        progress_metadata=lambda p: {"progress": round(p, 2)},
    )
    return name


async def test_get_then_wait_for_the_typed_result(run: Run, emulator: Any) -> None:
    name = start(emulator, f"ok-{run.kind}", seconds=5)  # half a second of wall time
    cls = (AsyncOperation if run.kind == "async" else Operation)[ImportFileResponse]
    op = await run(lambda c: c.operations.get(cls(name=name)))
    assert type(op) is cls and op.name == name and not op.done
    assert op.metadata["@type"] == "x.ImportFileMetadata" and 0 <= op.metadata["progress"] < 1
    seen: list[Any] = []
    result = await run(lambda c: op.wait(timeout=60, progress=lambda o: seen.append(o.done)))
    assert isinstance(result, ImportFileResponse)
    assert result.document_name == "fileSearchStores/store-1/documents/doc-1"
    assert op.done and op.result is result and seen[-1] is True


async def test_failed_operation_raises(run: Run, emulator: Any) -> None:
    name = start(emulator, f"bad-{run.kind}", seconds=0, fail=True)
    op = await run(lambda c: c.operations.get(name))
    assert op.done and op.error is not None and op.error.code == 400
    with pytest.raises(g.OperationError, match="not a document this store can index") as info:
        await run(lambda c: op.wait())
    assert info.value.name == name and info.value.code == 400


async def test_wait_times_out_and_refresh_sees_the_end(run: Run, emulator: Any) -> None:
    name = start(emulator, f"slow-{run.kind}", seconds=3600)
    op = await run(lambda c: c.operations.get(name))
    with pytest.raises(g.WaitTimeoutError):
        await run(lambda c: op.wait(timeout=0.2))
    emulator.app.clock.advance(3600)
    await run(lambda c: op.refresh())
    assert op.done and op.result["documentName"].endswith("doc-1")


async def test_unknown_operation_is_not_found(run: Run) -> None:
    with pytest.raises(g.NotFoundError):
        await run(lambda c: c.operations.get("fileSearchStores/store-1/operations/nope"))
