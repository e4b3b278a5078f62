"""AFC cases the emulator never produces, with a scripted server (httpx.MockTransport)."""

from __future__ import annotations

import json
from typing import Any

import httpx

import gemini_nb as g
from gemini_nb.types import FunctionDeclaration, Tool


def scripted(*answers: dict[str, Any]) -> tuple[g.Client, list[dict[str, Any]]]:
    sent: list[dict[str, Any]] = []
    queue = list(answers)

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(json.loads(request.content))
        return httpx.Response(200, json=queue.pop(0))

    http = httpx.Client(transport=httpx.MockTransport(handler))
    return g.Client(base_url="http://scripted.test", http_client=http), sent


def calls(*parts: dict[str, Any]) -> dict[str, Any]:
    return {
        "candidates": [{"content": {"role": "model", "parts": list(parts)}, "finishReason": "STOP"}]
    }


def text(t: str) -> dict[str, Any]:
    return calls({"text": t})


def add(a: int, b: int) -> int:
    """Add two numbers.

    Args:
        a: First.
        b: Second.
    """
    return a + b


def responses(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [p["functionResponse"] for p in body["contents"][-1]["parts"]]


def test_unknown_function_is_answered_with_an_error() -> None:
    client, sent = scripted(
        calls({"functionCall": {"name": "subtract", "args": {"a": 1}}}), text("sorry")
    )
    r = client.models.generate_content(model="m", contents="x", config={"tools": [add]})
    assert r.text == "sorry"
    [resp] = responses(sent[1])
    assert resp["name"] == "subtract" and "Unknown function 'subtract'" in resp["response"]["error"]
    assert "['add']" in resp["response"]["error"]


def test_invalid_arguments_go_back_as_errors() -> None:
    client, sent = scripted(
        calls({"functionCall": {"name": "add", "args": {"a": "three", "c": 1}, "id": "call-1"}}),
        text("fixed"),
    )
    client.models.generate_content(model="m", contents="x", config={"tools": [add]})
    [resp] = responses(sent[1])
    assert resp["id"] == "call-1"  # the call's id is echoed
    error = resp["response"]["error"]
    assert (
        "a:" in error
        and "b: missing required argument" in error
        and "c: unexpected argument" in error
    )


def test_arguments_are_converted() -> None:
    client, sent = scripted(
        calls({"functionCall": {"name": "add", "args": {"a": 2.0, "b": "3"}}}), text("5")
    )
    client.models.generate_content(model="m", contents="x", config={"tools": [add]})
    assert responses(sent[1])[0]["response"] == {"result": 5}


def test_declared_only_function_is_returned_to_the_caller() -> None:
    manual = Tool(
        function_declarations=[FunctionDeclaration(name="ask_user", description="Ask the user.")]
    )
    client, sent = scripted(calls({"functionCall": {"name": "ask_user", "args": {}}}))
    r = client.models.generate_content(model="m", contents="x", config={"tools": [add, manual]})
    assert [c.name for c in r.function_calls] == ["ask_user"] and len(sent) == 1
    names = [d["name"] for d in sent[0]["tools"][0]["functionDeclarations"]]
    assert names == ["add", "ask_user"]  # merged into one functionDeclarations tool


def test_parallel_results_in_one_turn_in_call_order() -> None:
    client, sent = scripted(
        calls(
            {"functionCall": {"name": "add", "args": {"a": 1, "b": 2}}},
            {"functionCall": {"name": "add", "args": {"a": 10, "b": 20}}},
        ),
        text("3 and 30"),
    )
    client.models.generate_content(model="m", contents="x", config={"tools": [add]})
    assert [r["response"] for r in responses(sent[1])] == [{"result": 3}, {"result": 30}]
    assert sent[1]["contents"][-2]["role"] == "model"


def test_budget_counts_model_calls() -> None:
    loop = calls({"functionCall": {"name": "add", "args": {"a": 1, "b": 1}}})
    client, sent = scripted(loop, loop, loop)
    r = client.models.generate_content(
        model="m",
        contents="x",
        config={"tools": [add], "automatic_function_calling": {"maximum_remote_calls": 3}},
    )
    assert len(sent) == 3 and r.function_calls  # the third call's request is returned unrun
    assert len(r.automatic_function_calling_history) == 1 + 2 * 2


def test_duplicate_tool_names_rejected() -> None:
    def add2(a: int) -> int:
        """x"""
        return a

    add2.__name__ = "add"
    client, _ = scripted()
    try:
        client.models.generate_content(model="m", contents="x", config={"tools": [add, add2]})
    except g.InvalidInputError as exc:
        assert "unique" in str(exc)
    else:
        raise AssertionError("expected InvalidInputError")
