"""Input that cannot become a valid request is an InvalidInputError saying what is wrong, raised
before anything is sent (for both clients), never a raw UnicodeEncodeError, InvalidURL or an
invalid JSON body. A half-built client's repr does not raise."""

from __future__ import annotations

import datetime
import math
from typing import Any

import httpx
import pytest

import gemini_nb as g
from gemini_nb._convert import invalid_body, model_path


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        ("gemini-2.5-flash", "models/gemini-2.5-flash"),
        (" models/gemini-2.5-flash ", "models/gemini-2.5-flash"),
        ("tunedModels/my-model-abc_1", "tunedModels/my-model-abc_1"),
        ("gemini-1.5-flash-001", "models/gemini-1.5-flash-001"),
    ],
)
def test_model_names(model: str, expected: str) -> None:
    assert model_path(model) == expected


@pytest.mark.parametrize(
    ("model", "says"),
    [
        ("models/gemini\x00", "control character"),
        ("gemini\x00", "control character"),
        ("gemini\u200b-flash", "control character"),
        ("models/gemini/../files", "no '/'"),
        ("models/a/b", "no '/'"),
        ("publishers/google/gemini", "expected 'gemini-…'"),
        ("gemini..flash", "'..'"),
        ("models/..", "'..'"),
        ("gemini-2.5-flash:generateContent", "':'"),
        ("models/gemini:streamGenerateContent", "':'"),
        ("models/", "nothing follows"),
        ("gemini?alt=sse", "letters, digits"),
        ("gemini#x", "letters, digits"),
        ("gemini 2.5", "control character or space"),
        ("", "model name such as"),
    ],
)
def test_bad_model_names(model: str, says: str) -> None:
    with pytest.raises(g.InvalidInputError, match="model") as info:
        model_path(model)
    assert says in str(info.value)


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"generationConfig": {"temperature": math.nan}}, "generationConfig.temperature is nan"),
        ({"generationConfig": {"topP": math.inf}}, "generationConfig.topP is inf"),
        (
            {"contents": [{"parts": [{"text": "ok"}, {"text": "bad \ud800 text"}]}]},
            "contents[0].parts[1].text has a lone surrogate '\\ud800' at character 4",
        ),
        ({"x": {"caf\udce9": 1}}, "x.caf\udce9 has a lone surrogate"),
        ({"args": {"when": datetime.date(2024, 1, 1)}}, "args.when is a date, which JSON cannot"),
        ({"args": {1: "a"}}, "args.1 has a key of type int"),
    ],
)
def test_invalid_body_says_where(body: dict[str, Any], says: str) -> None:
    assert says in str(invalid_body(body))


def _never_called(request: httpx.Request) -> httpx.Response:
    raise AssertionError(f"nothing should be sent, got {request.url}")


CASES = [
    ({"model": "gemini-2.5-flash", "contents": "lone \udc80 surrogate"}, "lone surrogate"),
    (
        {"model": "gemini-2.5-flash", "contents": "hi", "config": {"temperature": math.nan}},
        "temperature is nan; numbers sent to the API must be finite",
    ),
    (
        {
            "model": "gemini-2.5-flash",
            "contents": "hi",
            "config": {"max_output_tokens": 5, "top_p": -math.inf},
        },
        "topP is -inf",
    ),
    ({"model": "models/gemini\x00", "contents": "hi"}, "control character"),
    ({"model": "models/../../v1/files", "contents": "hi"}, "no '/'"),
    ({"model": "gemini-2.5-flash:countTokens", "contents": "hi"}, "':'"),
]


@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize(("kw", "says"), CASES)
async def test_nothing_is_sent(kind: str, kw: dict[str, Any], says: str) -> None:
    transport = httpx.MockTransport(_never_called)
    if kind == "sync":
        with g.Client(base_url="http://h.test", http_client=httpx.Client(transport=transport)) as c:
            with pytest.raises(g.InvalidInputError) as info:
                c.models.generate_content(**kw)
            with pytest.raises(g.InvalidInputError):
                list(c.models.generate_content_stream(**kw))
    else:
        async with g.AsyncClient(
            base_url="http://h.test", http_client=httpx.AsyncClient(transport=transport)
        ) as ac:
            with pytest.raises(g.InvalidInputError) as info:
                await ac.models.generate_content(**kw)
    assert says in str(info.value)


SECRET = "AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY"


# ------------------------------------------------------------------ repr of a half-built client


@pytest.mark.parametrize("cls", [g.Client, g.AsyncClient])
def test_repr_of_a_half_built_client(cls: type[g.Client] | type[g.AsyncClient]) -> None:
    bare = cls.__new__(cls)
    assert repr(bare) == f"{cls.__name__}(<not initialised>)"
    half = cls.__new__(cls)
    with pytest.raises(TypeError, match="http_client"):
        half.__init__(api_key=SECRET, base_url="http://h.test", http_client="not a client")  # type: ignore[misc]
    assert repr(half) == f"{cls.__name__}(base_url='http://h.test', api_key=<set>)"
    assert SECRET not in repr(half)
