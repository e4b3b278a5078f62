"""Function calling, automatic function calling and built-in tools against the emulator."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any, Literal

import pytest
from pydantic import BaseModel

import gemini_nb as g
from gemini_nb.types import FunctionDeclaration, Part

MODEL = "gemini-2.5-flash"
WEATHER: dict[str, dict[str, Any]] = {
    "Paris": {"temperature_c": 18, "sky": "sunny"},
    "London": {"temperature_c": 12, "sky": "rainy"},
}


def get_weather(city: str, unit: Literal["C", "F"] = "C") -> dict[str, Any]:
    """Current weather in a city.

    Args:
        city: The city's name, e.g. "Paris".
        unit: Temperature unit.
    """
    return {"city": city, **WEATHER.get(city, {"temperature_c": 20, "sky": "clear"})}


async def get_weather_async(city: str) -> dict[str, Any]:
    """Current weather in a city, fetched asynchronously.

    Args:
        city: The city's name.
    """
    await asyncio.sleep(0.3)
    return {"city": city, **WEATHER.get(city, {})}


async def test_callables_run_automatically(api: Any, sent: Any) -> None:
    r = await api.generate(
        model=MODEL, contents="What's the weather in Paris?", config={"tools": [get_weather]}
    )
    assert r.function_calls == []
    assert "Paris" in r.text and "18" in r.text
    history = r.automatic_function_calling_history
    assert [c.role for c in history] == ["user", "model", "user"]
    assert history[1].parts[0].function_call.name == "get_weather"
    assert history[2].parts[0].function_response.response == {
        "result": {"city": "Paris", **WEATHER["Paris"]}
    }
    # Both requests declared the function with per-parameter descriptions.
    decl = sent[0]["json"]["tools"][0]["functionDeclarations"][0]
    assert decl["parametersJsonSchema"]["properties"]["city"]["description"].startswith(
        "The city's name"
    )
    assert len([r for r in sent if r["path"].endswith(":generateContent")]) == 2


async def test_parallel_calls(api: Any) -> None:
    seen: list[str] = []

    def get_weather(city: str) -> dict[str, Any]:
        """Current weather in a city.

        Args:
            city: The city.
        """
        seen.append(city)
        return {"city": city, **WEATHER[city]}

    r = await api.generate(
        model=MODEL,
        contents="What's the weather in Paris and London?",
        config={"tools": [get_weather]},
    )
    assert sorted(seen) == ["London", "Paris"]
    assert "Paris" in r.text and "London" in r.text


async def test_async_tools_run_concurrently_under_async_client(make_api: Any) -> None:
    # Each call records when it starts and ends; under the async client the two calls of one
    # turn overlap (the second starts before the first ends).
    spans: list[tuple[str, str]] = []

    async def get_weather_async(city: str) -> dict[str, Any]:
        """Current weather in a city, fetched asynchronously.

        Args:
            city: The city's name.
        """
        spans.append(("start", city))
        await asyncio.sleep(0.05)
        spans.append(("end", city))
        return {"city": city, **WEATHER.get(city, {})}

    api = make_api()
    try:
        r = await api.generate(
            model=MODEL,
            contents="What's the weather in Paris and London?",
            config={"tools": [get_weather_async]},
        )
    finally:
        await api.close()
    assert "Paris" in r.text and "London" in r.text
    kinds = [kind for kind, _ in spans]
    if api.kind == "async":
        assert kinds == ["start", "start", "end", "end"], spans
    else:
        assert sorted(spans) == [
            ("end", "London"),
            ("end", "Paris"),
            ("start", "London"),
            ("start", "Paris"),
        ]


def test_sync_client_runs_async_tools_inside_a_running_loop(emulator: Any) -> None:
    # A notebook cell runs inside the kernel's event loop; the sync client must still cope.
    async def cell() -> str:
        client = g.Client(base_url=emulator.url)
        r = client.models.generate_content(
            model=MODEL,
            contents="What's the weather in Paris?",
            config={"tools": [get_weather_async]},
        )
        return r.text

    assert "18" in asyncio.run(cell())


async def test_declarations_are_not_run(api: Any) -> None:
    decl = FunctionDeclaration.from_callable(get_weather)
    r = await api.generate(
        model=MODEL,
        contents="What's the weather in Paris?",
        config={"tools": [g.types.Tool(function_declarations=[decl])]},
    )
    [call] = r.function_calls
    assert (call.name, call.args["city"]) == ("get_weather", "Paris")
    assert r.automatic_function_calling_history is None


class BookFlight(BaseModel):
    """Book a flight.

    Attributes:
        origin: Departure city.
        destination: Arrival city.
    """

    origin: str
    destination: str


async def test_pydantic_class_is_a_declaration(api: Any) -> None:
    r = await api.generate(
        model=MODEL,
        contents="Book a flight from Paris to London.",
        config={"tools": [BookFlight], "tool_config": {"function_calling_config": {"mode": "ANY"}}},
    )
    [call] = r.function_calls
    booking = BookFlight.model_validate(call.args)
    assert (booking.origin, booking.destination) == ("Paris", "London")


async def test_manual_loop_with_ids(api: Any) -> None:
    tool = g.types.Tool(function_declarations=[FunctionDeclaration.from_callable(get_weather)])
    first = await api.generate(
        model=MODEL, contents="What's the weather in Paris?", config={"tools": [tool]}
    )
    [call] = first.function_calls
    contents = [
        {"role": "user", "parts": [{"text": "What's the weather in Paris?"}]},
        first.candidates[0].content,
        {
            "role": "user",
            "parts": [
                Part.from_function_response(
                    call.name, {"result": get_weather(**call.args)}, id=call.id
                )
            ],
        },
    ]
    final = await api.generate(model=MODEL, contents=contents, config={"tools": [tool]})
    assert "18" in final.text


@pytest.mark.parametrize("mode", ["AUTO", "ANY", "NONE", "VALIDATED"])
async def test_tool_config_modes(api: Any, mode: str) -> None:
    tool = g.types.Tool(function_declarations=[FunctionDeclaration.from_callable(get_weather)])
    r = await api.generate(
        model=MODEL,
        contents="Tell me a joke.",
        config={"tools": [tool], "tool_config": {"function_calling_config": {"mode": mode}}},
    )
    if mode == "ANY":
        assert [c.name for c in r.function_calls] == ["get_weather"]
    else:
        assert r.function_calls == [] and r.text


async def test_allowed_function_names(api: Any) -> None:
    def get_time(city: str) -> str:
        """Local time in a city.

        Args:
            city: The city.
        """
        return "12:00"

    tool = g.types.Tool(
        function_declarations=[
            FunctionDeclaration.from_callable(f) for f in (get_weather, get_time)
        ]
    )
    r = await api.generate(
        model=MODEL,
        contents="Paris please.",
        config={
            "tools": [tool],
            "tool_config": {
                "function_calling_config": {"mode": "ANY", "allowed_function_names": ["get_time"]}
            },
        },
    )
    assert [c.name for c in r.function_calls] == ["get_time"]


async def test_budget_last_call_returns_calls(api: Any, sent: Any) -> None:
    ran: list[str] = []

    def get_weather(city: str) -> str:
        """Weather.

        Args:
            city: The city.
        """
        ran.append(city)
        return "sunny"

    r = await api.generate(
        model=MODEL,
        contents="What's the weather in Paris?",
        config={"tools": [get_weather], "automatic_function_calling": {"maximum_remote_calls": 1}},
    )
    assert ran == [] and [c.name for c in r.function_calls] == ["get_weather"]
    assert len(sent) == 1


async def test_budget_zero_turns_the_loop_off(api: Any) -> None:
    r = await api.generate(
        model=MODEL,
        contents="What's the weather in Paris?",
        config={"tools": [get_weather], "automatic_function_calling": {"maximum_remote_calls": 0}},
    )
    assert [c.name for c in r.function_calls] == ["get_weather"]


async def test_disable(api: Any) -> None:
    r = await api.generate(
        model=MODEL,
        contents="What's the weather in Paris?",
        config={"tools": [get_weather], "automatic_function_calling": {"disable": True}},
    )
    assert [c.name for c in r.function_calls] == ["get_weather"]


async def test_config_does_not_leak_between_calls(api: Any) -> None:
    limited = await api.generate(
        model=MODEL,
        contents="What's the weather in Paris?",
        config={"tools": [get_weather], "automatic_function_calling": {"maximum_remote_calls": 1}},
    )
    normal = await api.generate(
        model=MODEL, contents="What's the weather in Paris?", config={"tools": [get_weather]}
    )
    assert limited.function_calls and not normal.function_calls


async def test_tool_that_raises_goes_back_to_the_model(api: Any) -> None:
    def get_weather(city: str) -> str:
        """Weather.

        Args:
            city: The city.
        """
        raise ConnectionError("weather service down")

    r = await api.generate(
        model=MODEL, contents="What's the weather in Paris?", config={"tools": [get_weather]}
    )
    response = r.automatic_function_calling_history[-1].parts[0].function_response.response
    assert response == {"error": "ConnectionError: weather service down"}
    assert r.text  # the model answered from the error


async def test_tool_that_hangs_is_bounded(api: Any) -> None:
    def get_weather(city: str) -> str:
        """Weather.

        Args:
            city: The city.
        """
        time.sleep(3)
        return "late"

    start = time.monotonic()
    r = await api.generate(
        model=MODEL,
        contents="What's the weather in Paris?",
        config={"tools": [get_weather], "automatic_function_calling": {"timeout": 0.3}},
    )
    assert time.monotonic() - start < 2.5
    response = r.automatic_function_calling_history[-1].parts[0].function_response.response
    assert "did not finish within 0.3 seconds" in response["error"]


async def test_no_log_lines(api: Any, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG, logger="gemini_nb"):
        await api.generate(
            model=MODEL, contents="What's the weather in Paris?", config={"tools": [get_weather]}
        )
    assert [r for r in caplog.records if r.name.startswith("gemini_nb")] == []


async def test_streaming_with_afc(api: Any) -> None:
    chunks, final = await api.stream(
        model=MODEL, contents="What's the weather in Paris?", config={"tools": [get_weather]}
    )
    assert any(c.function_calls for c in chunks)  # the first round's call is streamed too
    assert "18" in final.text and final.automatic_function_calling_history


async def test_chat_with_afc(api: Any) -> None:
    chat = api.chat(model=MODEL, config={"tools": [get_weather]})
    r = await api.send(chat, "What's the weather in Paris?")
    assert "18" in r.text
    roles = [c.role for c in chat.history]
    assert roles == ["user", "model", "user", "model"]
    assert chat.history[1].parts[0].function_call is not None
    assert chat.history[2].parts[0].function_response is not None
    r2 = await api.send(chat, "What is the weather in London?")
    assert "12" in r2.text


async def test_undeclarable_function_is_a_clear_error(api: Any, sent: Any) -> None:
    class Opaque:
        pass

    def lookup(thing: Opaque) -> str:
        """Look a thing up."""
        return ""

    with pytest.raises(g.FunctionCallingError, match="lookup"):
        await api.generate(model=MODEL, contents="lookup please", config={"tools": [lookup]})
    assert not sent


async def test_code_execution(api: Any) -> None:
    r = await api.generate(
        model=MODEL,
        contents="What is the sum of the first 50 prime numbers?",
        config={"tools": ["code_execution"]},
    )
    [code] = r.executable_code
    [result] = r.code_execution_results
    assert result.outcome == "OUTCOME_OK" and "5117" in (result.output or "")
    assert "def " in code.code or "print" in code.code


async def test_search_grounding_and_citations(api: Any) -> None:
    r = await api.generate(
        model=MODEL,
        contents="When was the first Moon landing?",
        config={"tools": ["google_search"]},
    )
    meta = r.candidates[0].grounding_metadata
    assert meta is not None and meta.web_search_queries and meta.grounding_chunks
    citations = r.citations()
    assert citations
    for c in citations:
        assert r.text[c.start : c.end] == c.text
        assert c.uris and all(u.startswith("https://") for u in c.uris)


async def test_url_context(api: Any) -> None:
    r = await api.generate(
        model=MODEL,
        contents="Summarise https://example.org/unknown-page and nothing else.",
        config={"tools": ["url_context"]},
    )
    meta = r.candidates[0].url_context_metadata
    assert meta is not None and meta.url_metadata
    assert meta.url_metadata[0].retrieved_url == "https://example.org/unknown-page"
