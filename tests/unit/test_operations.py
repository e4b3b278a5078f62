"""Long-running operations: get, refresh, wait with a growing poll interval, timeouts and
errors, on both clients, against a scripted server and a fake clock."""

from __future__ import annotations

import itertools
import pickle
from typing import Any

import httpx
import pytest

import gemini_nb as g
from gemini_nb._operations import poll_delays
from gemini_nb.types import AsyncOperation, Operation, WireModel

from ._fakes import Shell

NAME = "fileSearchStores/s1/operations/op7"


class ImportFileResponse(WireModel):
    parent: str | None = None
    document_name: str | None = None


def scripted(*states: dict[str, Any]) -> tuple[Any, list[httpx.Request]]:
    """A server answering GET {NAME} with each state in turn (the last one repeats)."""
    seen: list[httpx.Request] = []
    it = itertools.chain(states, itertools.repeat(states[-1]))

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path != f"/v1beta/{NAME}":
            return httpx.Response(
                404, json={"error": {"code": 404, "message": "no", "status": "NOT_FOUND"}}
            )
        return httpx.Response(200, json={"name": NAME, **next(it)})

    return handler, seen


RUNNING = {"done": False, "metadata": {"@type": "x.ImportFileMetadata", "progress": 10}}
DONE = {
    "done": True,
    "response": {
        "@type": "type.googleapis.com/google.ai.generativelanguage.v1main.ImportFileResponse",
        "parent": "s1",
        "documentName": "doc-9",
    },
}
FAILED = {
    "done": True,
    "error": {"code": 3, "message": "The file is not a PDF.", "details": [{"@type": "x"}]},
}


def test_poll_delays_grow_and_are_capped() -> None:
    delays = list(itertools.islice(poll_delays(), 12))
    assert delays[:4] == [1.0, 1.5, 2.25, 3.375]
    assert delays == sorted(delays) and max(delays) == 30.0 and delays[-1] == 30.0


async def test_get_and_wait(kind: str, fake_time: Any) -> None:
    handler, seen = scripted(RUNNING, RUNNING, RUNNING, DONE)
    shell = Shell(kind, handler)
    op = await shell(lambda c: c.operations.get(NAME))
    assert isinstance(op, AsyncOperation if kind == "async" else Operation)
    assert op.name == NAME and not op.done and op.metadata["progress"] == 10 and op.result is None
    progress: list[bool] = []
    result = await shell(lambda c: op.wait(progress=lambda o: progress.append(o.done)))
    assert result == DONE["response"]  # a plain Operation keeps the dict
    assert op.done and op.result == result  # updated in place
    assert progress == [False, False, True]
    assert fake_time.sleeps == [1.0, 1.5, 2.25]
    assert all(r.method == "GET" and r.url.path == f"/v1beta/{NAME}" for r in seen)


async def test_typed_result(kind: str, fake_time: Any) -> None:
    handler, _ = scripted(RUNNING, DONE)
    shell = Shell(kind, handler)
    cls = (AsyncOperation if kind == "async" else Operation)[ImportFileResponse]
    typed = cls(name=NAME)
    op = await shell(lambda c: c.operations.get(typed))
    assert type(op) is cls
    result = await shell(lambda c: op.wait())
    assert isinstance(result, ImportFileResponse) and result.document_name == "doc-9"
    assert result.model_extra == {"@type": DONE["response"]["@type"]}  # unknown fields kept


async def test_refresh(kind: str) -> None:
    handler, _ = scripted(RUNNING, DONE)
    shell = Shell(kind, handler)
    op = await shell(lambda c: c.operations.get(NAME))
    same = await shell(lambda c: op.refresh())
    assert same is op and op.done and op.http.status_code == 200


async def test_already_done_does_not_poll(kind: str, fake_time: Any) -> None:
    handler, seen = scripted(DONE)
    shell = Shell(kind, handler)
    op = await shell(lambda c: c.operations.get(NAME))
    await shell(lambda c: op.wait(timeout=0))
    assert len(seen) == 1 and not fake_time.sleeps


async def test_error_is_raised_typed(kind: str, fake_time: Any) -> None:
    handler, _ = scripted(RUNNING, FAILED)
    shell = Shell(kind, handler)
    op = await shell(lambda c: c.operations.get(NAME))
    with pytest.raises(g.OperationError) as info:
        await shell(lambda c: op.wait())
    err = info.value
    assert isinstance(err, g.APIError) and err.code == 3 and err.name == NAME
    assert err.details == [{"@type": "x"}]
    assert str(err) == f"Operation {NAME} failed: INVALID_ARGUMENT: The file is not a PDF."
    assert op.error is not None and op.error.code_name == "INVALID_ARGUMENT" and op.result is None
    again = pickle.loads(pickle.dumps(err))
    assert type(again) is g.OperationError and again.code == 3 and str(again) == str(err)


async def test_wait_times_out(kind: str, fake_time: Any) -> None:
    handler, seen = scripted(RUNNING)
    shell = Shell(kind, handler)
    op = await shell(lambda c: c.operations.get(NAME))
    with pytest.raises(g.WaitTimeoutError) as info:
        await shell(lambda c: op.wait(timeout=10))
    # 1 + 1.5 + 2.25 + 3.375 = 8.125, then only the 1.875 s left before the deadline.
    assert fake_time.sleeps == [1.0, 1.5, 2.25, 3.375, pytest.approx(1.875)]
    assert len(seen) == 1 + 5
    assert info.value.last is op and isinstance(info.value, TimeoutError)
    assert "goes on on the server" in str(info.value)


async def test_bad_timeouts_and_names(kind: str) -> None:
    handler, seen = scripted(RUNNING)
    shell = Shell(kind, handler)
    op = await shell(lambda c: c.operations.get(NAME))
    for bad in (-1, "10", float("nan")):
        with pytest.raises(g.InvalidInputError, match="timeout"):
            await shell(lambda c, bad=bad: op.wait(timeout=bad))
    for name in ("", "/abs/operations/x", "https://h/v1beta/ops/x", "a/../b", None):
        with pytest.raises(g.InvalidInputError, match="operation"):
            await shell(lambda c, name=name: c.operations.get(name))
    assert len(seen) == 1


async def test_unbound_operation_says_how_to_poll(kind: str) -> None:
    op = (AsyncOperation if kind == "async" else Operation)(name=NAME)
    with pytest.raises(g.InvalidInputError, match=r"client.operations.get"):
        r = op.wait()
        if kind == "async":
            await r


async def test_http_options_on_get(kind: str) -> None:
    handler, seen = scripted(DONE)
    shell = Shell(kind, handler)
    await shell(
        lambda c: c.operations.get(NAME, config={"http_options": {"headers": {"x-trace": "1"}}})
    )
    assert seen[0].headers["x-trace"] == "1"
