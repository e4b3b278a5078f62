"""Automatic function calling: run the model's function calls and send the results back.

On when Python callables are passed as tools (declarations alone are never run). The loop is
a flow (see ``_transport``), written once for both clients:

1. ask the model (at most ``maximum_remote_calls`` times, default 10);
2. if it answers with function calls and calls remain, run them — every call's result goes
   back as ``{"result": value}``, every failure (unknown function, arguments that fail
   validation, an exception, a timeout) as ``{"error": message}``, so the model can recover;
   a failing tool never raises into your code;
3. on the last allowed model call the function calls are returned to you, not run; so are
   calls to functions you declared without a Python callable (mixing declarations and
   callables), which are yours to answer.

``response.automatic_function_calling_history`` holds the contents sent first, then each
model turn with its calls and the user turn with their results. A budget of 0 turns the loop
off (one request; calls returned unrun), as in the official SDK. Nothing is logged per call,
and nothing of a call's configuration outlives it.

The sync client runs the tools of one turn one after another, each in a worker thread so the
timeout can be enforced (a timed-out thread cannot be killed: it finishes in the background);
async tools run in that thread's own event loop, so they work even from a notebook whose loop
is busy. The async client runs the calls of one turn concurrently.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import inspect
from collections.abc import Callable, Mapping
from typing import Any

from ._functions import ArgumentError, bind_arguments, declare_function, to_jsonable
from ._streaming import ChunkMerger
from ._transport import Call, Flow, Reply, RunTools
from .types import (
    AutomaticFunctionCallingConfig,
    Content,
    FunctionCall,
    GenerateContentConfig,
    GenerateContentResponse,
)

__all__ = ["afc_generate", "afc_stream", "run_tools_async", "run_tools_sync"]


def _settings(cfg: GenerateContentConfig | None) -> AutomaticFunctionCallingConfig:
    if cfg is not None and cfg.automatic_function_calling is not None:
        return cfg.automatic_function_calling
    return AutomaticFunctionCallingConfig()


def _table(functions: list[Any]) -> dict[str, Any]:
    return {declare_function(fn)["name"]: fn for fn in functions}


def _declared_only(body: dict[str, Any], table: Mapping[str, Any]) -> set[str]:
    names = {
        d["name"] for tool in body.get("tools", []) for d in tool.get("functionDeclarations", [])
    }
    return names - set(table)


def _stop(calls: list[FunctionCall], call_number: int, budget: int, manual: set[str]) -> bool:
    """End the loop: no calls, budget spent, or a call the caller must answer."""
    return not calls or call_number >= budget or any(c.name in manual for c in calls)


def _response_part(call: FunctionCall, response: dict[str, Any]) -> dict[str, Any]:
    fr: dict[str, Any] = {"name": call.name, "response": response}
    if call.id:
        fr["id"] = call.id
    return {"functionResponse": fr}


def _next_turns(
    response: GenerateContentResponse, results: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    assert response.candidates and response.candidates[0].content is not None
    model_turn = response.candidates[0].content.model_dump(mode="json", exclude_none=True)
    model_turn.setdefault("role", "model")
    parts = [_response_part(c, r) for c, r in zip(response.function_calls, results, strict=True)]
    return [model_turn, {"role": "user", "parts": parts}]


def _history(contents: list[dict[str, Any]]) -> list[Content]:
    return [Content.model_validate(c, extra="allow") for c in contents]


Ask = Callable[[str, dict[str, Any], Any], Flow[GenerateContentResponse]]


def _ask_once(path: str, body: dict[str, Any], options: Any) -> Flow[GenerateContentResponse]:
    reply: Reply = yield Call("POST", f"{path}:generateContent", body=body, options=options)
    return reply.model(GenerateContentResponse)


def _ask_streamed(path: str, body: dict[str, Any], options: Any) -> Flow[GenerateContentResponse]:
    from .resources.models import stream_request_op

    return (yield from stream_request_op(path, body, options, ChunkMerger()))


def _loop(
    ask: Ask,
    path: str,
    body: dict[str, Any],
    cfg: GenerateContentConfig | None,
    functions: list[Any],
) -> Flow[GenerateContentResponse]:
    afc = _settings(cfg)
    options = cfg.http_options if cfg is not None else None
    table = _table(functions)
    manual = _declared_only(body, table)
    contents = list(body["contents"])
    # A budget of 0 means "off": one request, calls returned unrun (as the official SDK).
    budget = max(afc.maximum_remote_calls, 1)
    ran = False
    call_number = 0
    while True:
        call_number += 1
        response = yield from ask(path, {**body, "contents": contents}, options)
        calls = response.function_calls
        if _stop(calls, call_number, budget, manual):
            break
        results = yield RunTools(calls, table, afc.timeout)
        contents.extend(_next_turns(response, results))
        ran = True
    response._afc_history = _history(contents) if ran else []
    return response


def afc_generate(
    path: str, body: dict[str, Any], cfg: GenerateContentConfig | None, functions: list[Any]
) -> Flow[GenerateContentResponse]:
    return (yield from _loop(_ask_once, path, body, cfg, functions))


def afc_stream(
    path: str, body: dict[str, Any], cfg: GenerateContentConfig | None, functions: list[Any]
) -> Flow[GenerateContentResponse]:
    """Like afc_generate, streaming every round: the chunks of all rounds are emitted."""
    return (yield from _loop(_ask_streamed, path, body, cfg, functions))


# ---------------------------------------------------------------- running tools


def _prepare(call: FunctionCall, functions: Mapping[str, Any]) -> tuple[Any, dict[str, Any]]:
    """The function and its validated arguments, or an ``{"error"}`` response to send back."""
    fn = functions.get(call.name)
    if fn is None:
        raise _ToolFailure(
            f"Unknown function {call.name!r}; the available functions are {sorted(functions)}."
        )
    try:
        return fn, bind_arguments(fn, call.args or {})
    except ArgumentError as exc:
        raise _ToolFailure(str(exc)) from None


class _ToolFailure(Exception):
    """A call that cannot be made; its message goes back to the model."""


def _error(exc: BaseException) -> dict[str, Any]:
    if isinstance(exc, _ToolFailure):
        return {"error": str(exc)}
    return {"error": f"{type(exc).__name__}: {exc}"}


def _timeout_error(name: str, timeout: float | None) -> dict[str, Any]:
    return {"error": f"The function {name} did not finish within {timeout} seconds."}


def _invoke_blocking(fn: Any, args: dict[str, Any]) -> Any:
    result = fn(**args)
    if inspect.isawaitable(result):
        # Runs in a worker thread, which has no event loop of its own yet.
        result = asyncio.run(_await(result))
    return result


async def _await(awaitable: Any) -> Any:
    return await awaitable


def run_tools_sync(effect: RunTools) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = []
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="gemini-nb-tool")
    try:
        for call in effect.calls:
            try:
                fn, args = _prepare(call, effect.functions)
            except _ToolFailure as exc:
                results.append(_error(exc))
                continue
            future = pool.submit(_invoke_blocking, fn, args)
            try:
                results.append({"result": to_jsonable(future.result(timeout=effect.timeout))})
            except concurrent.futures.TimeoutError:
                results.append(_timeout_error(call.name, effect.timeout))
                # The stuck thread keeps the pool busy; continue in a fresh one.
                pool.shutdown(wait=False)
                pool = concurrent.futures.ThreadPoolExecutor(
                    max_workers=1, thread_name_prefix="gemini-nb-tool"
                )
            except Exception as exc:
                results.append(_error(exc))
    finally:
        pool.shutdown(wait=False)
    return results


async def _run_one(
    call: FunctionCall, functions: Mapping[str, Any], timeout: float | None
) -> dict[str, Any]:
    try:
        fn, args = _prepare(call, functions)
    except _ToolFailure as exc:
        return _error(exc)
    try:
        if inspect.iscoroutinefunction(fn):
            value = await asyncio.wait_for(fn(**args), timeout)
        else:
            value = await asyncio.wait_for(asyncio.to_thread(_invoke_blocking, fn, args), timeout)
        return {"result": to_jsonable(value)}
    except TimeoutError:
        return _timeout_error(call.name, timeout)
    except Exception as exc:
        return _error(exc)


async def run_tools_async(effect: RunTools) -> list[dict[str, Any]]:
    return list(
        await asyncio.gather(*(_run_one(c, effect.functions, effect.timeout) for c in effect.calls))
    )
