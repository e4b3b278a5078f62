"""The emulated model's tool behaviour: function calling, tool precedence and determinism.

Code execution and grounding are in test_tools_builtin.py; shared helpers in tool_helpers.py.
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from gemini_nb.emulator.model.tools import turn as _tools
from gemini_nb.emulator.model.tools.turn import ToolTurn, tool_turn
from tests.emulator.tool_helpers import (
    FLASH,
    GEMINI3,
    OLD,
    assert_args_valid,
    calls,
    candidate,
    check_wire_shape,
    functions,
    mode,
    request,
    text_of,
)

# --- declarations used throughout ------------------------------------------------------------

WEATHER_JSON = {
    "name": "get_weather",
    "description": "Get the current weather for a location",
    "parametersJsonSchema": {
        "type": "object",
        "properties": {
            "location": {"type": "string", "description": "The city name"},
            "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
        },
        "required": ["location"],
    },
}
WEATHER_OPENAPI = {
    "name": "get_weather",
    "description": "Get the current weather for a location",
    "parameters": {
        "type": "OBJECT",
        "properties": {
            "location": {"type": "STRING", "description": "The city name"},
            "unit": {"type": "STRING", "format": "enum", "enum": ["celsius", "fahrenheit"]},
        },
        "required": ["location"],
    },
}
ADD = {
    "name": "add_numbers",
    "description": "Add two numbers together and return the sum.",
    "parametersJsonSchema": {
        "type": "object",
        "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}},
        "required": ["a", "b"],
        "additionalProperties": False,
    },
}
FACTORIAL = {
    "name": "factorial",
    "description": "Compute n!",
    "parameters": {"type": "OBJECT", "properties": {"n": {"type": "INTEGER"}}, "required": ["n"]},
}
SECRET = {
    "name": "secret_retrieval_tool",
    "description": "A tool that requires a password to retrieve a secret.",
    "parameters": {
        "type": "OBJECT",
        "properties": {"password": {"type": "STRING"}},
        "required": ["password"],
    },
}
USER_ID = {
    "name": "get_user_id",
    "description": "Look up a user's id by name.",
    "parametersJsonSchema": {
        "type": "object",
        "properties": {"name": {"type": "string"}},
        "required": ["name"],
    },
}
ORDERS = {
    "name": "get_orders",
    "description": "Fetch the orders of a user.",
    "parametersJsonSchema": {
        "type": "object",
        "properties": {"user_id": {"type": "integer"}},
        "required": ["user_id"],
    },
}
FLIGHTS = {
    "name": "search_flights",
    "description": "Search flights between two airports",
    "parametersJsonSchema": {
        "type": "object",
        "properties": {
            "origin": {"type": "string"},
            "destination": {"type": "string"},
            "date": {"type": "string", "format": "date"},
            "passengers": {"type": "integer", "minimum": 1, "maximum": 9},
            "nonstop": {"type": "boolean"},
        },
        "required": ["origin", "destination", "date"],
    },
}
TIME = {
    "name": "get_time",
    "description": "Get the local time in a city",
    "parameters": {
        "type": "OBJECT",
        "properties": {"city": {"type": "STRING"}},
        "required": ["city"],
    },
}
NO_PARAMS = {"name": "generate_topic", "description": "Generate a random topic"}


# --- function calling: which function ----------------------------------------------------------


@pytest.mark.parametrize("decl", [WEATHER_JSON, WEATHER_OPENAPI], ids=["jsonschema", "openapi"])
def test_named_by_name_word_calls_with_prompt_values(decl: dict[str, Any]) -> None:
    turn = tool_turn(request("What's the weather in Paris?", functions(decl)), FLASH)
    assert calls(turn) == [{"name": "get_weather", "args": {"location": "Paris"}}]
    assert_args_valid(decl, calls(turn)[0]["args"])
    check_wire_shape(turn)


def test_named_verbatim_and_camel_case_split() -> None:
    decl = {
        "name": "lookupStockPrice",
        "description": "Quote",
        "parameters": {
            "type": "OBJECT",
            "properties": {"symbol": {"type": "STRING"}},
            "required": ["symbol"],
        },
    }
    assert (
        calls(tool_turn(request("Call lookupStockPrice for GOOG", functions(decl)), FLASH))[0][
            "name"
        ]
        == "lookupStockPrice"
    )
    turn = tool_turn(request("What is the stock price of ACME?", functions(decl)), FLASH)
    assert calls(turn) == [{"name": "lookupStockPrice", "args": {"symbol": "ACME"}}]


def test_named_by_description_key_words() -> None:
    decl = {
        "name": "fn_17",
        "description": "Converts an amount between currencies using daily exchange rates",
        "parametersJsonSchema": {"type": "object", "properties": {"amount": {"type": "number"}}},
    }
    turn = tool_turn(
        request("Convert 20 dollars to euros at today's exchange rates", functions(decl)), FLASH
    )
    assert calls(turn) == [{"name": "fn_17", "args": {"amount": 20}}]
    # One shared description word is not enough to name a function.
    assert tool_turn(request("What is the exchange of ideas?", functions(decl)), FLASH) is None


@pytest.mark.parametrize(
    "config", [None, mode("AUTO"), mode("MODE_UNSPECIFIED"), mode("VALIDATED")]
)
def test_auto_like_modes_answer_in_text_when_nothing_is_named(
    config: dict[str, Any] | None,
) -> None:
    assert (
        tool_turn(
            request("Tell me a joke about cats", functions(WEATHER_JSON), config=config), FLASH
        )
        is None
    )
    named = tool_turn(request("Weather in Oslo?", functions(WEATHER_JSON), config=config), FLASH)
    assert calls(named) == [{"name": "get_weather", "args": {"location": "Oslo"}}]


def test_any_mode_always_calls_best_or_first_function() -> None:
    turn = tool_turn(
        request("Tell me a joke", functions(WEATHER_JSON, TIME), config=mode("ANY")), FLASH
    )
    (call,) = calls(turn)
    assert call["name"] == "get_weather"
    assert_args_valid(WEATHER_JSON, call["args"])
    weak = tool_turn(
        request("What city is it now?", functions(WEATHER_JSON, TIME), config=mode("ANY")), FLASH
    )
    assert calls(weak)[0]["name"] == "get_time"


def test_allowed_function_names_restrict_any_mode() -> None:
    turn = tool_turn(
        request(
            "What's the weather in Rome?",
            functions(WEATHER_JSON, TIME),
            config=mode("ANY", ["get_time"]),
        ),
        FLASH,
    )
    assert calls(turn) == [{"name": "get_time", "args": {"city": "Rome"}}]


def test_none_mode_never_calls() -> None:
    turn = tool_turn(
        request("What's the weather in Paris?", functions(WEATHER_JSON), config=mode("NONE")), FLASH
    )
    assert turn is not None and not calls(turn)
    assert "mode NONE" in text_of(turn) and 'get_weather(location="Paris")' in text_of(turn)
    assert (
        tool_turn(request("Tell me a joke", functions(WEATHER_JSON), config=mode("NONE")), FLASH)
        is None
    )


# --- function calling: arguments --------------------------------------------------------------


def test_values_from_prepositions_dates_numbers_and_booleans() -> None:
    prompt = (
        "Find nonstop flights from New York to San Francisco on January 5, 2025 for 3 passengers"
    )
    (call,) = calls(tool_turn(request(prompt, functions(FLIGHTS)), FLASH))
    assert call["args"] == {
        "origin": "New York",
        "destination": "San Francisco",
        "date": "2025-01-05",
        "passengers": 3,
        "nonstop": True,
    }
    assert_args_valid(FLIGHTS, call["args"])
    (no_stop,) = calls(
        tool_turn(
            request("Flights from Paris to Rome on 2025-03-01 without nonstop", functions(FLIGHTS)),
            FLASH,
        )
    )
    assert no_stop["args"]["nonstop"] is False


def test_values_from_quotes_names_codes_enums_and_adjacent_names() -> None:
    decl = {
        "name": "create_ticket",
        "description": "Create a support ticket",
        "parametersJsonSchema": {
            "type": "object",
            "properties": {
                "title": {"type": "string"},
                "order_id": {"type": "string", "pattern": "^[A-Z]-\\d+$"},
                "priority": {"type": "string", "enum": ["LOW", "MEDIUM", "HIGH"]},
                "customer": {"type": "string"},
                "email": {"type": "string", "format": "email"},
                "items": {"type": "integer"},
            },
            "required": ["title", "order_id", "priority", "customer", "email", "items"],
        },
    }
    prompt = (
        'Create a ticket titled "Broken zipper" for order A-4417, priority high, customer Grace Hopper, '
        "email grace@example.org, 3 items"
    )
    (call,) = calls(tool_turn(request(prompt, functions(decl)), FLASH))
    assert call["args"] == {
        "title": "Broken zipper",
        "order_id": "A-4417",
        "priority": "HIGH",
        "customer": "Grace Hopper",
        "email": "grace@example.org",
        "items": 3,
    }
    assert_args_valid(decl, call["args"])


def test_param_name_adjacency_and_enum_alias() -> None:
    (call,) = calls(
        tool_turn(request("weather for city Lyon in °F", functions(WEATHER_JSON)), FLASH)
    )
    assert call["args"] == {"location": "Lyon", "unit": "fahrenheit"}


def test_numbers_in_order_of_appearance() -> None:
    turn = tool_turn(
        request("Calculate 15 + 27 using your add_numbers tool.", functions(ADD)), FLASH
    )
    assert calls(turn) == [{"name": "add_numbers", "args": {"a": 15, "b": 27}}]


def test_array_parameter_takes_listed_values() -> None:
    decl = {
        "name": "compare_cities",
        "description": "Compare cities",
        "parametersJsonSchema": {
            "type": "object",
            "properties": {"cities": {"type": "array", "items": {"type": "string"}, "minItems": 2}},
            "required": ["cities"],
        },
    }
    (call,) = calls(
        tool_turn(request("Compare cities Paris, Rome and Oslo", functions(decl)), FLASH)
    )
    assert call["args"] == {"cities": ["Paris", "Rome", "Oslo"]}


def test_optional_parameters_without_prompt_values_are_left_out() -> None:
    (call,) = calls(
        tool_turn(request("Weather in Lisbon please", functions(WEATHER_OPENAPI)), FLASH)
    )
    assert call["args"] == {"location": "Lisbon"}
    (both,) = calls(
        tool_turn(request("Weather in Lisbon in celsius", functions(WEATHER_OPENAPI)), FLASH)
    )
    assert both["args"] == {"location": "Lisbon", "unit": "celsius"}


def test_function_without_parameters_gets_empty_args() -> None:
    turn = tool_turn(request("Generate a topic", functions(NO_PARAMS)), FLASH)
    assert calls(turn) == [{"name": "generate_topic", "args": {}}]


CONSTRAINED = {
    "type": "object",
    "properties": {
        "city": {"type": "string", "minLength": 2, "maxLength": 12},
        "code": {"type": "string", "pattern": "^[0-9]{3}$"},
        "count": {"type": "integer", "minimum": 10, "maximum": 20},
        "ratio": {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
        "when": {"type": "string", "format": "date"},
        "tags": {
            "type": "array",
            "items": {"type": "string", "enum": ["a", "b", "c"]},
            "maxItems": 2,
        },
        "mode": {"anyOf": [{"type": "integer"}, {"type": "string", "enum": ["auto"]}]},
        "address": {"$ref": "#/$defs/Address"},
        "flag": {"type": ["boolean", "null"]},
    },
    "required": ["city", "code", "count", "ratio", "when", "tags", "mode", "address", "flag"],
    "additionalProperties": False,
    "$defs": {
        "Address": {
            "type": "object",
            "properties": {
                "street": {"type": "string"},
                "zip": {"type": "string", "pattern": "^\\d{5}$"},
            },
            "required": ["street", "zip"],
            "additionalProperties": False,
        }
    },
}
CONSTRAINED_OPENAPI = {
    "type": "OBJECT",
    "properties": {
        "city": {"type": "STRING", "minLength": "2", "maxLength": "12"},
        "code": {"type": "STRING", "pattern": "^[0-9]{3}$"},
        "count": {"type": "INTEGER", "minimum": 10, "maximum": 20},
        "level": {"type": "STRING", "format": "enum", "enum": ["low", "high"]},
        "when": {"type": "STRING", "format": "date"},
        "names": {"type": "ARRAY", "items": {"type": "STRING"}, "minItems": "1", "maxItems": "3"},
        "maybe": {"type": "NUMBER", "nullable": True},
        "nested": {
            "type": "OBJECT",
            "properties": {"x": {"type": "INTEGER", "minimum": 0}},
            "required": ["x"],
        },
    },
    "required": ["city", "code", "count", "level", "when", "names", "maybe", "nested"],
}


@pytest.mark.parametrize(
    "prompt",
    [
        "Use the constrained tool for San Francisco de Quito with 5 and 99999 on 31 February 2024",
        "constrained: city X, code 12, count 3, ratio 7, when tomorrow, names",
        'Run constrained with "Paris" "Oslo" 15 0.5 2025-12-01 yes',
        "constrained",
        "",
    ],
)
@pytest.mark.parametrize(
    "decl",
    [
        {"name": "constrained", "description": "x", "parametersJsonSchema": CONSTRAINED},
        {"name": "constrained", "description": "x", "parameters": CONSTRAINED_OPENAPI},
    ],
    ids=["jsonschema", "openapi"],
)
def test_args_always_satisfy_the_schema(prompt: str, decl: dict[str, Any]) -> None:
    turn = tool_turn(request(prompt, functions(decl), config=mode("ANY")), FLASH)
    (call,) = calls(turn)
    assert_args_valid(decl, call["args"])
    check_wire_shape(turn)


def test_unsatisfiable_schema_gives_malformed_function_call() -> None:
    decl = {
        "name": "impossible",
        "description": "x",
        "parametersJsonSchema": {
            "type": "object",
            "properties": {"x": {"type": "string", "minLength": 5, "maxLength": 2}},
            "required": ["x"],
        },
    }
    turn = tool_turn(request("call impossible", functions(decl)), FLASH)
    assert turn is not None and turn.parts == [] and turn.finish_reason == "MALFORMED_FUNCTION_CALL"
    assert turn.finish_message


# --- function calling: parallel calls ---------------------------------------------------------


def test_parallel_calls_for_listed_values() -> None:
    turn = tool_turn(
        request("What's the weather in Paris and London?", functions(WEATHER_JSON)), FLASH
    )
    assert [c["args"] for c in calls(turn)] == [{"location": "Paris"}, {"location": "London"}]
    lower = tool_turn(request("weather in paris, rome and oslo", functions(WEATHER_OPENAPI)), FLASH)
    assert [c["args"]["location"] for c in calls(lower)] == ["Paris", "Rome", "Oslo"]


def test_parallel_calls_from_a_colon_list_and_numbers() -> None:
    prompt = "Please retrieve the secrets associated with each of these passwords: mellon,radiance"
    assert [c["args"] for c in calls(tool_turn(request(prompt, functions(SECRET)), FLASH))] == [
        {"password": "mellon"},
        {"password": "radiance"},
    ]
    assert [
        c["args"]
        for c in calls(tool_turn(request("factorial of 5 and 7", functions(FACTORIAL)), FLASH))
    ] == [{"n": 5}, {"n": 7}]


def test_parallel_calls_to_several_named_functions() -> None:
    turn = tool_turn(
        request("What's the weather and the local time in Tokyo?", functions(WEATHER_JSON, TIME)),
        FLASH,
    )
    assert calls(turn) == [
        {"name": "get_weather", "args": {"location": "Tokyo"}},
        {"name": "get_time", "args": {"city": "Tokyo"}},
    ]


def test_each_function_reads_its_own_part_of_the_prompt() -> None:
    decls = [
        {
            "name": f"search_{n}",
            "description": f"Search #{n}",
            "parametersJsonSchema": {
                "type": "object",
                "properties": {"query": {"type": "string"}},
                "required": ["query"],
            },
        }
        for n in ("one", "two")
    ]
    prompt = (
        "1) search_one(query='OpenAI release notes'), 2) search_two(query='Gemini release notes')"
    )
    assert [
        c["args"]["query"] for c in calls(tool_turn(request(prompt, functions(*decls)), FLASH))
    ] == ["OpenAI release notes", "Gemini release notes"]


# --- function calling: responses and chains ---------------------------------------------------


def conversation(
    prompt: str, *turns: tuple[list[dict[str, Any]], list[dict[str, Any]]]
) -> list[dict[str, Any]]:
    contents: list[dict[str, Any]] = [{"role": "user", "parts": [{"text": prompt}]}]
    for made, answered in turns:
        contents.append({"role": "model", "parts": [{"functionCall": c} for c in made]})
        contents.append({"role": "user", "parts": [{"functionResponse": r} for r in answered]})
    return contents


def test_weather_like_response_is_answered_in_words() -> None:
    contents = conversation(
        "What's the weather in Paris?",
        (
            [{"name": "get_weather", "args": {"location": "Paris"}}],
            [
                {
                    "name": "get_weather",
                    "response": {"temperature": 18, "unit": "celsius", "condition": "Sunny"},
                }
            ],
        ),
    )
    turn = tool_turn(request(None, functions(WEATHER_JSON), contents=contents), FLASH)
    assert turn is not None and not calls(turn)
    assert text_of(turn) == "The weather in Paris is 18 °C and sunny."
    check_wire_shape(turn)


def test_generic_responses_mention_function_and_values() -> None:
    contents = conversation(
        "Add 15 and 27 with add_numbers, and get user 7",
        (
            [
                {"name": "add_numbers", "args": {"a": 15, "b": 27}},
                {"name": "get_user", "args": {"id": 7}},
            ],
            [
                {"name": "add_numbers", "response": {"result": 42}},
                {"name": "get_user", "response": {"name": "Ada", "roles": ["admin", "dev"]}},
            ],
        ),
    )
    user = {"name": "get_user", "description": "Get a user by id"}
    text = text_of(tool_turn(request(None, functions(ADD, user), contents=contents), FLASH))
    assert "`add_numbers` (a=15, b=27) returned 42." in text
    assert "`get_user` (id=7) returned: name is Ada and roles are admin and dev." in text


def test_error_responses_are_acknowledged() -> None:
    contents = conversation(
        "Weather in Paris and London",
        (
            [
                {"name": "get_weather", "args": {"location": "Paris"}},
                {"name": "get_weather", "args": {"location": "London"}},
            ],
            [
                {"name": "get_weather", "response": {"error": "Service unavailable"}},
                {"name": "get_weather", "response": {"temp_c": 12, "conditions": "Rain"}},
            ],
        ),
    )
    text = text_of(tool_turn(request(None, functions(WEATHER_JSON), contents=contents), FLASH))
    assert "The call to `get_weather` failed with an error: Service unavailable." in text
    assert "The weather in London is 12 °C and rain." in text
    only_errors = conversation(
        "Weather in Paris",
        (
            [{"name": "get_weather", "args": {"location": "Paris"}}],
            [{"name": "get_weather", "response": {"error": {"message": "quota exceeded"}}}],
        ),
    )
    text = text_of(tool_turn(request(None, functions(WEATHER_JSON), contents=only_errors), FLASH))
    assert "quota exceeded" in text and "couldn't complete" in text


def test_sequential_chain_calls_the_next_function_with_earlier_results() -> None:
    prompt = "Get the user id for Ada Lovelace, then fetch their orders"
    first = tool_turn(request(prompt, functions(USER_ID, ORDERS)), FLASH)
    assert calls(first) == [{"name": "get_user_id", "args": {"name": "Ada Lovelace"}}]
    step = (
        [{"name": "get_user_id", "args": {"name": "Ada Lovelace"}}],
        [{"name": "get_user_id", "response": {"result": {"user_id": 42}}}],
    )
    second = tool_turn(
        request(None, functions(USER_ID, ORDERS), contents=conversation(prompt, step)), FLASH
    )
    assert calls(second) == [{"name": "get_orders", "args": {"user_id": 42}}]
    done = (
        [{"name": "get_orders", "args": {"user_id": 42}}],
        [{"name": "get_orders", "response": {"result": [{"id": 1, "item": "book"}]}}],
    )
    final = tool_turn(
        request(None, functions(USER_ID, ORDERS), contents=conversation(prompt, step, done)), FLASH
    )
    assert (
        not calls(final)
        and text_of(final) == "`get_orders` (user_id=42) returned 1 item: id 1, item book."
    )


def test_chain_fills_user_id_from_a_plain_id() -> None:
    prompt = "Look up the user id of Grace, then get the orders"
    step = (
        [{"name": "get_user_id", "args": {"name": "Grace"}}],
        [{"name": "get_user_id", "response": {"id": 7}}],
    )
    turn = tool_turn(
        request(None, functions(USER_ID, ORDERS), contents=conversation(prompt, step)), FLASH
    )
    assert calls(turn) == [{"name": "get_orders", "args": {"user_id": 7}}]


def test_any_mode_keeps_calling_after_results() -> None:
    final = {
        "name": "final_result",
        "description": "The final answer",
        "parametersJsonSchema": {
            "type": "object",
            "properties": {"summary": {"type": "string"}},
            "required": ["summary"],
        },
    }
    contents = conversation(
        "What's the weather in Sydney?",
        (
            [{"name": "get_weather", "args": {"location": "Sydney"}}],
            [{"name": "get_weather", "response": {"temperature": 22, "condition": "sunny"}}],
        ),
    )
    turn = tool_turn(
        request(None, functions(WEATHER_JSON, final), config=mode("ANY"), contents=contents), FLASH
    )
    (call,) = calls(turn)
    assert call["name"] == "final_result"
    assert_args_valid(final, call["args"])
    none_mode = tool_turn(
        request(None, functions(WEATHER_JSON), config=mode("NONE"), contents=contents), FLASH
    )
    assert not calls(none_mode) and "22°" in text_of(none_mode)


# --- function calling: ids, signatures, finish message -----------------------------------------


def test_gemini_3_puts_unique_ids_on_calls() -> None:
    turn = tool_turn(request("Weather in Paris, Rome and Oslo", functions(WEATHER_JSON)), GEMINI3)
    ids = [c["id"] for c in calls(turn)]
    assert len(ids) == 3 and len(set(ids)) == 3 and all(len(i) == 8 and i.isalnum() for i in ids)
    assert (
        "id" not in calls(tool_turn(request("Weather in Paris", functions(WEATHER_JSON)), FLASH))[0]
    )


def test_ids_follow_the_conversation_and_match_responses() -> None:
    prompt = "Get the user id for Ada, then fetch their orders"
    contents = conversation(
        prompt,
        (
            [{"name": "get_user_id", "args": {"name": "Ada"}, "id": "call-1"}],
            [{"name": "get_user_id", "id": "call-1", "response": {"user_id": 5}}],
        ),
    )
    (call,) = calls(tool_turn(request(None, functions(USER_ID, ORDERS), contents=contents), FLASH))
    assert call["id"] != "call-1" and len(call["id"]) == 8
    by_id = conversation(
        "Weather in Paris and Rome",
        (
            [
                {"name": "get_weather", "args": {"location": "Paris"}, "id": "a"},
                {"name": "get_weather", "args": {"location": "Rome"}, "id": "b"},
            ],
            [
                {
                    "name": "get_weather",
                    "id": "b",
                    "response": {"temperature": 25, "condition": "clear"},
                },
                {
                    "name": "get_weather",
                    "id": "a",
                    "response": {"temperature": 15, "condition": "cloudy"},
                },
            ],
        ),
    )
    text = text_of(tool_turn(request(None, functions(WEATHER_JSON), contents=by_id), FLASH))
    assert text == "The weather in Rome is 25° and clear. The weather in Paris is 15° and cloudy."


@pytest.mark.parametrize(
    ("model", "budget", "signed"),
    [
        (FLASH, None, True),
        (GEMINI3, None, True),
        (OLD, None, False),
        (FLASH, 0, False),
    ],
)
def test_thought_signature_and_finish_message(model: str, budget: int | None, signed: bool) -> None:
    body = request("Weather in Paris and Rome", functions(WEATHER_JSON))
    if budget is not None:
        body["generationConfig"] = {"thinkingConfig": {"thinkingBudget": budget}}
    turn = tool_turn(body, model)
    assert turn is not None
    assert ("thoughtSignature" in turn.parts[0]) is signed
    assert all("thoughtSignature" not in p for p in turn.parts[1:])
    assert turn.finish_message == (None if model == OLD else "Model generated function call(s).")
    if signed:
        base64.b64decode(turn.parts[0]["thoughtSignature"], validate=True)
    check_wire_shape(turn)


# --- precedence between tools --------------------------------------------------------------------


def test_named_function_beats_built_in_tools() -> None:
    tools = [{"googleSearch": {}}, {"codeExecution": {}}, *functions(WEATHER_JSON)]
    assert calls(tool_turn(request("What's the weather in Paris?", tools), FLASH))
    search = tool_turn(request("When did Apollo 11 land on the Moon?", tools), FLASH)
    assert search is not None and search.grounding_metadata and not calls(search)
    none_mode = tool_turn(
        request("What's the weather in Paris?", tools, config=mode("NONE")), FLASH
    )
    assert none_mode is not None and none_mode.grounding_metadata is not None


def test_no_tools_applicable_returns_none() -> None:
    assert (
        tool_turn(request("Hello there", [{"codeExecution": {}}, {"urlContext": {}}]), FLASH)
        is None
    )
    assert tool_turn(request("Hello there", []), FLASH) is None


# --- determinism and documentation ----------------------------------------------------------------

DETERMINISM_CASES = [
    (request("What's the weather in Paris and London?", functions(WEATHER_JSON)), GEMINI3),
    (request("Tell me a joke", functions(WEATHER_JSON, ADD), config=mode("ANY")), FLASH),
    (request("Plot sin(x)", [{"codeExecution": {}}]), GEMINI3),
    (request("Who won the most FIFA World Cups?", [{"googleSearch": {}}]), OLD),
    (request("Coffee in Tokyo?", [{"googleMaps": {"enableWidget": True}}]), FLASH),
]


def dump(turn: ToolTurn | None) -> str:
    return json.dumps(None if turn is None else candidate(turn), sort_keys=True)


@pytest.mark.parametrize(("body", "model"), DETERMINISM_CASES)
def test_same_request_same_turn(body: dict[str, Any], model: str) -> None:
    assert dump(tool_turn(body, model)) == dump(tool_turn(json.loads(json.dumps(body)), model))


def test_same_turn_in_another_process() -> None:
    script = (
        "import json, sys\nfrom gemini_nb.emulator.model.tools.turn import tool_turn\n"
        "from tests.emulator.test_tools import DETERMINISM_CASES, dump\n"
        "print(json.dumps([dump(tool_turn(b, m)) for b, m in DETERMINISM_CASES]))\n"
    )
    env_out = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONHASHSEED": "12345", "PATH": ""},
        cwd=str(_repo_root()),
    )
    assert json.loads(env_out.stdout) == [dump(tool_turn(b, m)) for b, m in DETERMINISM_CASES]


def _repo_root() -> Path:
    return Path(__file__).resolve().parents[2]


def test_module_docstring_documents_the_behaviour() -> None:
    doc = _tools.__doc__ or ""
    for phrase in (
        "ANY",
        "NONE",
        "VALIDATED",
        "allowedFunctionNames",
        "Parallel calls",
        "Chains",
        "error",
        "OUTCOME_OK",
        "OUTCOME_FAILED",
        "image/png",
        "webSearchQueries",
        "searchEntryPoint",
        "URL_RETRIEVAL_STATUS_SUCCESS",
        "placeId",
        "retrievedContext",
        "bytes",
        "thoughtSignature",
    ):
        assert phrase in doc
