"""The emulator's model behaviour: deterministic, prompt-aware, and shaped like the real API."""

from __future__ import annotations

import ast
import base64
import contextlib
import io
import json
import math
import re
import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from pydantic import BaseModel

from gemini_nb.emulator.backends.catalogue import ModelInfo, all_models, lookup, not_supported_error
from gemini_nb.emulator.model.generate import (
    count_tokens,
    embed,
    generate,
    stream_chunks,
    token_count,
)
from gemini_nb.emulator.model.responder import Conversation, Voice
from gemini_nb.emulator.model.tools import turn as _tools
from gemini_nb.emulator.model.tools.turn import ToolTurn
from gemini_nb.emulator.wire.errors import EmulatorError
from gemini_nb.emulator.wire.schema import validate

from .._shared import RECORDED

FLASH = "gemini-2.5-flash"
PRO = "gemini-2.5-pro"
LITE = "gemini-2.5-flash-lite"
OLD = "gemini-2.0-flash"
G3 = "gemini-3-pro-preview"
G3F = "gemini-3-flash-preview"


def m(name: str) -> ModelInfo:
    info = lookup(name)
    assert info is not None, name
    return info


def user(text: str, *extra_parts: dict[str, Any]) -> dict[str, Any]:
    return {"role": "user", "parts": [{"text": text}, *extra_parts]}


def req(
    text: str, *, system: str | None = None, history: list[tuple[str, str]] = (), **config: Any
) -> dict[str, Any]:  # type: ignore[assignment]
    contents = [{"role": role, "parts": [{"text": t}]} for role, t in history] + [user(text)]
    body: dict[str, Any] = {"contents": contents}
    if system:
        body["systemInstruction"] = {"parts": [{"text": system}], "role": "user"}
    if config:
        body["generationConfig"] = config
    return body


def run(text: str, model: str = FLASH, **kw: Any) -> dict[str, Any]:
    response = generate(req(text, **kw), m(model))
    validate("GenerateContentResponse", response, direction="response")
    return response


def answer(response: dict[str, Any], index: int = 0) -> str:
    parts = response["candidates"][index]["content"].get("parts", [])
    return "".join(p.get("text", "") for p in parts if not p.get("thought"))


def python_blocks(text: str) -> list[str]:
    return re.findall(r"```python\n(.*?)\n```", text, flags=re.DOTALL)


# --- catalogue --------------------------------------------------------------------------------


def test_catalogue_has_the_names_users_type() -> None:
    names = {x.name for x in all_models()}
    for name in (
        FLASH,
        PRO,
        LITE,
        OLD,
        "gemini-2.0-flash-lite",
        G3,
        G3F,
        "gemini-flash-latest",
        "gemini-pro-latest",
        "gemini-2.5-flash-image",
        "gemini-2.5-flash-preview-tts",
        "gemini-live-2.5-flash-preview",
        "text-embedding-004",
        "gemini-embedding-001",
    ):
        assert name in names
    assert len(names) == len(all_models()) >= 24
    assert [x.name for x in all_models()] == [x.name for x in all_models()]  # stable order
    assert lookup("models/gemini-2.5-flash") is m(FLASH)
    assert lookup("gemini-9-ultra") is None


def test_model_resource_json() -> None:
    j = m(FLASH).to_json()
    assert list(j) == [
        "name",
        "version",
        "displayName",
        "description",
        "inputTokenLimit",
        "outputTokenLimit",
        "supportedGenerationMethods",
        "temperature",
        "topP",
        "topK",
        "maxTemperature",
        "thinking",
    ]
    assert (
        j["name"] == "models/gemini-2.5-flash"
        and j["outputTokenLimit"] == 65536
        and j["thinking"] is True
    )
    emb = m("text-embedding-004").to_json()
    assert emb["supportedGenerationMethods"] == ["embedContent"] and "temperature" not in emb
    for model in all_models():
        validate("Model", model.to_json(), direction="response")


def test_supports_and_dimensions() -> None:
    assert m(FLASH).supports("streamGenerateContent") and m(FLASH).supports("createCachedContent")
    assert not m(FLASH).supports("embedContent")
    assert m("text-embedding-004").supports("batchEmbedContents")
    assert m("text-embedding-004").embedding_dimensions == 768
    assert m("gemini-embedding-001").embedding_dimensions == 3072
    assert m("gemini-live-2.5-flash-preview").supports("bidiGenerateContent")
    assert not m("gemini-live-2.5-flash-preview").supports("generateContent")
    assert m(PRO).thinking and not m(OLD).thinking


# --- determinism and shape --------------------------------------------------------------------


def test_same_request_same_bytes_and_key_order_does_not_matter() -> None:
    body = req("Tell me about the moon", system="Be helpful.", temperature=0.7, seed=3)
    a = generate(body, m(FLASH))
    reordered = json.loads(json.dumps(body, sort_keys=True))
    reordered = dict(reversed(list(reordered.items())))
    b = generate(reordered, m(FLASH))
    assert json.dumps(a) == json.dumps(b)
    assert re.fullmatch(r"[A-Za-z0-9_-]{23}", a["responseId"])
    assert a["modelVersion"] == FLASH
    assert generate(req("Tell me about the sun"), m(FLASH))["responseId"] != a["responseId"]


def test_response_shape_matches_real_server() -> None:
    r = run("What is the capital of France?")
    assert list(r) == ["candidates", "usageMetadata", "modelVersion", "responseId"]
    assert list(r["candidates"][0]) == ["content", "finishReason", "index"]
    assert r["candidates"][0]["content"]["role"] == "model"
    usage = r["usageMetadata"]
    assert list(usage)[:4] == [
        "promptTokenCount",
        "candidatesTokenCount",
        "totalTokenCount",
        "promptTokensDetails",
    ]
    assert (
        usage["totalTokenCount"]
        == usage["promptTokenCount"] + usage["candidatesTokenCount"] + usage["thoughtsTokenCount"]
    )


@pytest.mark.skipif(
    not (RECORDED / "index.json").exists(), reason="recorded exchanges not available"
)
def test_keys_are_a_subset_of_what_real_responses_use() -> None:
    index = json.loads((RECORDED / "index.json").read_text())
    real_top: set[str] = set()
    real_usage: set[str] = set()
    for entry in index:
        if (
            entry["status"] == 200
            and entry["response_body"] == "json"
            and "generateContent" in entry["features"]
        ):
            body = json.loads((RECORDED / entry["file"]).read_text())["response"]["json"]
            if isinstance(body, dict):
                real_top |= set(body)
                real_usage |= set(body.get("usageMetadata", {}))
    for response in (
        run("Hello"),
        run("Hi", model=OLD),
        run("Hello", model=G3, thinkingConfig={"includeThoughts": True}),
    ):
        assert set(response) <= real_top
        assert set(response["usageMetadata"]) <= real_usage


def _sdk_parse(response: dict[str, Any]) -> Any:
    """Parse a response the way google-genai does after an HTTP call."""
    genai_models = pytest.importorskip("google.genai.models")
    from google.genai import types

    converted = genai_models._GenerateContentResponse_from_mldev(json.loads(json.dumps(response)))
    return types.GenerateContentResponse._from_response(response=converted, kwargs={})


def test_sdk_parses_responses() -> None:
    r = run("What is 6 times 7?", thinkingConfig={"includeThoughts": True})
    parsed = _sdk_parse(r)
    assert parsed.text == answer(r)
    assert parsed.usage_metadata.thoughts_token_count == r["usageMetadata"]["thoughtsTokenCount"]
    assert parsed.response_id == r["responseId"]
    assert "".join(_sdk_parse(e).text or "" for e in stream_chunks(r)) == answer(r)
    schema = {
        "type": "OBJECT",
        "properties": {"answer": {"type": "INTEGER"}},
        "required": ["answer"],
    }
    structured = run(
        "What is 6 times 7?", responseMimeType="application/json", responseSchema=schema
    )
    assert json.loads(_sdk_parse(structured).text) == {"answer": 42}


# --- the answer follows the prompt ------------------------------------------------------------


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ("What is the capital of France?", "Paris"),
        ("What is 2 + 2?", "**4**"),
        ("What is 12 times 12?", "144"),
        ("Explain photosynthesis", "photosynthesis"),
        ("Write a haiku about autumn leaves", "autumn leaves"),
        ("List 5 fruits", "1. "),
        ("Compare Python and JavaScript", "JavaScript"),
        ('Say exactly: "Hello"', "Hello"),
        ("Give me 3 tips for learning guitar", "learning guitar"),
        ("Translate 'thank you' into Spanish", "Gracias"),
        ("Hello", "help"),
        ("Tell me about Paris", "France"),
        ("Who was Ada Lovelace?", "Ada Lovelace"),
        ("What are the benefits of meditation?", "meditation"),
        ("Write an email to my boss asking for a day off", "**Subject:** Request for a day off"),
        ("How can I improve my sleep?", "improve your sleep"),
        ("I'm feeling sad today", "sorry"),
    ],
)
def test_answer_depends_on_the_prompt(prompt: str, expected: str) -> None:
    assert expected.lower() in answer(run(prompt)).lower()


def test_list_all_states() -> None:
    text = answer(run("List all U.S. states."))
    assert "50." in text and "Wyoming" in text and "Alabama" in text


def test_different_prompts_different_answers() -> None:
    texts = {answer(run(p)) for p in ("Explain gravity", "Explain tides", "Explain rainbows")}
    assert len(texts) == 3


def test_conversation_memory() -> None:
    history = [("user", "Hi! My name is Ada."), ("model", "Nice to meet you, Ada!")]
    assert "Ada" in answer(run("What is my name?", history=history))
    history2 = [("user", "My favourite colour is teal."), ("model", "Got it!")]
    assert "teal" in answer(run("What is my favorite color?", history=history2))
    assert "Ada" not in answer(run("What is my name?"))
    quote = answer(
        run("What did I just say?", history=[("user", "Bananas are berries."), ("model", "True!")])
    )
    assert "Bananas are berries." in quote


def test_system_instruction_rules() -> None:
    q = "What is the meaning of life?"
    plain = answer(run(q))
    french = answer(run(q, system="Always answer in French."))
    assert french != plain and "Voici" in french
    brief = answer(run("Explain photosynthesis", system="Be brief."))
    assert "\n" not in brief and brief.count(". ") == 0
    assert answer(run("What is the capital of Japan?", system="Answer in one word.")) == "Tokyo"
    brief_list = answer(run("List 3 planets", system="Be brief."))
    assert "\n" not in brief_list and brief_list.count(",") == 2
    pirate = answer(run(q, system="You are a pirate."))
    assert pirate.startswith("Arr")
    guide = answer(run(q, system="You are a friendly travel guide."))
    assert guide.startswith("As a friendly travel guide")
    assert "Max" in answer(run("Who are you?", system="Your name is Max."))
    assert answer(run("Explain tides", system="Answer in all caps.")).isupper()
    assert answer(run("Explain tides", system="End every answer with 'Cheers!'")).endswith(
        "Cheers!"
    )


def test_temperature_and_seed_select_phrasings() -> None:
    prompt = "Explain how volcanoes work"
    by_seed = {answer(run(prompt, temperature=1.0, seed=s)) for s in range(6)}
    assert len(by_seed) > 1
    greedy = {answer(run(prompt, temperature=0, seed=s)) for s in range(4)}
    assert len(greedy) == 1


def test_code_answers_contain_runnable_python() -> None:
    for prompt in (
        "Write a python function to compute fibonacci numbers",
        "Show me some code to reverse a string",
        "Write a script that counts words",
        "Give me a snippet about learning guitar chords",
        "Is Python good for beginners?",
    ):
        text = answer(run(prompt))
        blocks = python_blocks(text)
        assert len(blocks) == 1, prompt
        compiled = compile(blocks[0], "<answer>", "exec")
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compiled, {"__name__": "__main__"})  # the emulator's own template code
        printed = re.search(r"Running it prints:\n\n```\n(.*?)\n```", text, flags=re.DOTALL)
        if printed:
            assert out.getvalue().rstrip("\n") == printed.group(1)


def test_function_history_without_tool_turn_is_answered_in_text(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_tools, "tool_turn", lambda request, model: None)
    body = {
        "contents": [
            user("What's the weather in Paris?"),
            {
                "role": "model",
                "parts": [{"functionCall": {"name": "get_weather", "args": {"city": "Paris"}}}],
            },
            {
                "role": "user",
                "parts": [
                    {
                        "functionResponse": {
                            "name": "get_weather",
                            "response": {"temperature": 21, "sky": "sunny"},
                        }
                    }
                ],
            },
        ],
        "tools": [{"functionDeclarations": [{"name": "get_weather", "description": "Weather"}]}],
    }
    text = answer(generate(body, m(FLASH)))
    assert "get_weather" in text and "sunny" in text


# --- who words the answers --------------------------------------------------------------------


@dataclass(frozen=True)
class _EchoReply:
    prompt: str
    task: str = "say"

    def text(self, voice: Voice) -> str:
        return f"You said: {self.prompt}"

    def thoughts(self, detailed: bool) -> str:
        return "**Echoing**\n\nI repeat the prompt."

    def caption(self, voice: Voice) -> str:
        return "An echo:"

    def json(self, voice: Voice) -> Any:
        return {"echo": self.prompt}

    def enum(self, options: Sequence[Any], voice: Voice) -> Any:
        return options[-1]

    def values(self, voice: Voice) -> None:
        return None


class _Echo:
    """A Responder that repeats the prompt."""

    def read(self, conversation: Conversation) -> _EchoReply:
        return _EchoReply(conversation.prompt)


def test_a_responder_replaces_the_prose() -> None:
    echo = _Echo()

    def said(text: str, model: str = FLASH, **config: Any) -> dict[str, Any]:
        response = generate(req(text, **config), m(model), responder=echo)
        validate("GenerateContentResponse", response, direction="response")
        return response

    r = said("The Moon. It has phases. [emulator:recitation]")
    assert answer(r) == "You said: The Moon"
    assert r["candidates"][0]["finishReason"] == "RECITATION"
    shown = said("Hi", thinkingConfig={"includeThoughts": True})["candidates"][0]["content"]
    assert shown["parts"][0] == {"text": "**Echoing**\n\nI repeat the prompt.", "thought": True}
    assert json.loads(answer(said("Hi", responseMimeType="application/json"))) == {"echo": "Hi"}
    enum = {"type": "STRING", "format": "enum", "enum": ["yes", "no"]}
    assert answer(said("Hi", responseMimeType="text/x.enum", responseSchema=enum)) == "no"
    schema = {"type": "OBJECT", "properties": {"n": {"type": "INTEGER"}}, "required": ["n"]}
    assert isinstance(json.loads(answer(said("Hi", responseSchema=schema)))["n"], int)
    image = said("A cat", "gemini-2.5-flash-image")["candidates"][0]["content"]["parts"]
    assert image[0] == {"text": "An echo:"} and "inlineData" in image[1]


def _imports(tree: ast.AST, package: list[str], where: str = "<module>") -> list[tuple[str, str]]:
    """(imported module, enclosing function or class) for every import in the tree."""
    found: list[tuple[str, str]] = []
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            found.append((".".join([*base, *([node.module] if node.module else [])]), where))
        elif isinstance(node, ast.Import):
            found += [(alias.name, where) for alias in node.names]
        inner = node.name if isinstance(node, (ast.FunctionDef, ast.ClassDef)) else where
        found += _imports(node, package, inner)
    return found


def test_the_model_reaches_prose_only_through_the_responder() -> None:
    """model/ imports nothing from prose/ except where the default Responder is made."""
    import gemini_nb.emulator.model as model_package

    root = Path(model_package.__file__).parent
    reaches = set()
    for path in sorted(root.rglob("*.py")):
        parts = ["gemini_nb", "emulator", *path.relative_to(root.parent).with_suffix("").parts]
        for target, where in _imports(ast.parse(path.read_text(encoding="utf-8")), parts[:-1]):
            if target.startswith("gemini_nb.emulator.prose"):
                reaches.add((".".join(parts), where))
    assert reaches == {("gemini_nb.emulator.model.responder", "prose_responder")}


# --- generationConfig -------------------------------------------------------------------------


def test_max_output_tokens_truncates() -> None:
    r = run(
        "Explain photosynthesis in detail", thinkingConfig={"thinkingBudget": 0}, maxOutputTokens=7
    )
    c, usage = r["candidates"][0], r["usageMetadata"]
    assert c["finishReason"] == "MAX_TOKENS"
    assert usage["candidatesTokenCount"] == 7 and "thoughtsTokenCount" not in usage
    full = answer(run("Explain photosynthesis in detail", thinkingConfig={"thinkingBudget": 0}))
    assert full.startswith(answer(r)) and len(answer(r)) < len(full)
    thinking = run("Explain photosynthesis in detail", maxOutputTokens=40)
    u = thinking["usageMetadata"]
    assert u["candidatesTokenCount"] + u["thoughtsTokenCount"] <= 40
    assert thinking["candidates"][0]["finishReason"] == "MAX_TOKENS"


def test_stop_sequences_cut_before_the_stop() -> None:
    full = answer(run("Explain photosynthesis", temperature=0))
    word = "photosynthesis"
    r = run("Explain photosynthesis", temperature=0, stopSequences=["zzz", word])
    text = answer(r)
    assert word not in text and full.startswith(text)
    assert r["candidates"][0]["finishReason"] == "STOP"


def test_candidate_count_gives_distinct_candidates() -> None:
    r = run("Tell me about octopuses", candidateCount=4, temperature=1.0)
    assert [c["index"] for c in r["candidates"]] == [0, 1, 2, 3]
    assert len({answer(r, i) for i in range(4)}) == 4
    assert r["usageMetadata"]["candidatesTokenCount"] == sum(
        token_count([{"parts": [{"text": answer(r, i)}]}]) for i in range(4)
    )


def test_json_with_openapi_schema() -> None:
    schema = {
        "type": "ARRAY",
        "items": {
            "type": "OBJECT",
            "properties": {
                "recipe_name": {"type": "STRING"},
                "minutes": {"type": "INTEGER", "minimum": 5, "maximum": 90},
            },
            "required": ["recipe_name", "minutes"],
            "propertyOrdering": ["recipe_name", "minutes"],
        },
    }
    r = run(
        "List a few popular cookie recipes",
        responseMimeType="application/json",
        responseSchema=schema,
    )
    value = json.loads(answer(r))
    assert isinstance(value, list) and value and list(value[0]) == ["recipe_name", "minutes"]
    assert all(5 <= item["minutes"] <= 90 for item in value)
    assert answer(r).startswith("[{")  # 2.x models write compact JSON
    pretty = answer(
        run(
            "List a few popular cookie recipes",
            model=G3,
            responseMimeType="application/json",
            responseSchema=schema,
        )
    )
    assert "\n  " in pretty


def test_json_with_pydantic_schema_uses_the_prompt() -> None:
    class CityLocation(BaseModel):
        city: str
        country: str

    schema = CityLocation.model_json_schema()
    r = run(
        "Where were the 2012 Olympics? They were held in London, United Kingdom.",
        responseMimeType="application/json",
        responseJsonSchema=schema,
    )
    value = json.loads(answer(r))
    jsonschema.validate(value, schema)
    assert value == {"city": "London", "country": "United Kingdom"}
    other = json.loads(
        answer(
            run(
                "The summit took place in Kyoto.",
                responseMimeType="application/json",
                responseJsonSchema=schema,
            )
        )
    )
    assert other["city"] == "Kyoto"


def test_json_schema_output_validates_for_many_models() -> None:
    class Book(BaseModel):
        title: str
        author: str
        rating: int
        tags: list[str]

    schema = Book.model_json_schema()
    value = json.loads(
        answer(
            run(
                'Review "Dune" by Frank Herbert, 9/10, about deserts and politics',
                responseMimeType="application/json",
                responseJsonSchema=schema,
            )
        )
    )
    Book.model_validate(value)
    assert value["title"] == "Dune" and value["author"] == "Frank Herbert" and value["rating"] == 9


def test_json_without_schema_and_enum_mode() -> None:
    value = json.loads(answer(run("What is 3 + 4?", responseMimeType="application/json")))
    assert value["result"] == 7
    enum_schema = {"type": "STRING", "format": "enum", "enum": ["positive", "negative", "neutral"]}
    assert (
        answer(
            run(
                "I love this phone, it's great!",
                responseMimeType="text/x.enum",
                responseSchema=enum_schema,
            )
        )
        == "positive"
    )
    assert (
        answer(
            run(
                "Terrible battery, awful screen.",
                responseMimeType="text/x.enum",
                responseSchema=enum_schema,
            )
        )
        == "negative"
    )
    instruments = {"type": "STRING", "format": "enum", "enum": ["Percussion", "String", "Woodwind"]}
    assert (
        answer(
            run(
                "What family is the violin in? String or percussion?",
                responseMimeType="text/x.enum",
                responseSchema=instruments,
            )
        )
        == "String"
    )


# --- thinking ---------------------------------------------------------------------------------


def test_thinking_usage_and_thought_parts() -> None:
    plain = run("Explain black holes")
    assert plain["usageMetadata"]["thoughtsTokenCount"] > 0
    assert not any(p.get("thought") for p in plain["candidates"][0]["content"]["parts"])
    shown = run("Explain black holes", thinkingConfig={"includeThoughts": True})
    parts = shown["candidates"][0]["content"]["parts"]
    assert parts[0]["thought"] is True and parts[0]["text"].startswith("**")
    assert "thought" not in parts[1]
    off = run("Explain black holes", thinkingConfig={"thinkingBudget": 0})
    assert "thoughtsTokenCount" not in off["usageMetadata"]
    capped = run("Explain black holes in depth", thinkingConfig={"thinkingBudget": 10})
    assert capped["usageMetadata"]["thoughtsTokenCount"] <= 10
    assert "thoughtsTokenCount" not in run("Explain black holes", model=OLD)["usageMetadata"]
    assert "thoughtsTokenCount" not in run("Explain black holes", model=LITE)["usageMetadata"]
    assert (
        run("Explain black holes", model=LITE, thinkingConfig={"thinkingBudget": 1024})[
            "usageMetadata"
        ]["thoughtsTokenCount"]
        > 0
    )


def test_levels_and_models_scale_thinking() -> None:
    low = run(
        "Write a python function for primes", model=G3F, thinkingConfig={"thinkingLevel": "LOW"}
    )
    high = run(
        "Write a python function for primes", model=G3F, thinkingConfig={"thinkingLevel": "HIGH"}
    )
    assert low["usageMetadata"]["thoughtsTokenCount"] < high["usageMetadata"]["thoughtsTokenCount"]


def test_thought_signatures() -> None:
    g3 = run("Hello", model=G3)
    first = g3["candidates"][0]["content"]["parts"][0]
    raw = base64.b64decode(first["thoughtSignature"], validate=True)
    assert raw[0] == 0x12 and len(raw) > 60
    assert "thoughtSignature" not in run("Hello")["candidates"][0]["content"]["parts"][0]
    with_thoughts = run("Hello", thinkingConfig={"includeThoughts": True})["candidates"][0][
        "content"
    ]["parts"]
    assert "thoughtSignature" in with_thoughts[1] and "thoughtSignature" not in with_thoughts[0]


@pytest.mark.parametrize(
    ("model", "config", "message"),
    [
        (
            PRO,
            {"thinkingBudget": 0},
            "Budget 0 is invalid. This model only works in thinking mode.",
        ),
        (G3, {"thinkingBudget": 0}, "Budget 0 is invalid. This model only works in thinking mode."),
        (OLD, {"thinkingBudget": 100}, "thinking_config is not supported."),
        (FLASH, {"thinkingLevel": "LOW"}, "Thinking level is not supported for this model."),
        (G3, {"thinkingLevel": "MEDIUM"}, "Thinking level MEDIUM is not supported for this model."),
        (
            G3F,
            {"thinkingLevel": "LOW", "thinkingBudget": 100},
            "You can only set one of thinking budget and thinking level.",
        ),
        (FLASH, {"thinkingBudget": 50000}, "The thinking budget (50000) is invalid."),
    ],
)
def test_thinking_config_errors(model: str, config: dict[str, Any], message: str) -> None:
    with pytest.raises(EmulatorError) as info:
        generate(req("hi", thinkingConfig=config), m(model))
    assert info.value.status == 400 and info.value.message == message


# --- multimodal and tokens ----------------------------------------------------------------------


def _png(width: int, height: int) -> bytes:
    def chunk(tag: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + tag + body + struct.pack(">I", zlib.crc32(tag + body))

    raw = b"".join(b"\x00" + b"\x80\x80\x80" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def _wav(seconds: float, rate: int = 16000) -> bytes:
    data = b"\x00\x00" * int(rate * seconds)
    fmt = struct.pack("<HHIIHH", 1, 1, rate, rate * 2, 2, 16)
    return (
        b"RIFF"
        + struct.pack("<I", 36 + len(data))
        + b"WAVE"
        + b"fmt "
        + struct.pack("<I", 16)
        + fmt
        + b"data"
        + struct.pack("<I", len(data))
        + data
    )


def inline(mime: str, data: bytes) -> dict[str, Any]:
    return {"inlineData": {"mimeType": mime, "data": base64.b64encode(data).decode()}}


def test_media_is_acknowledged_and_counted() -> None:
    png = _png(64, 48)
    body = {"contents": [user("Describe this image in one sentence.", inline("image/png", png))]}
    r = generate(body, m(FLASH))
    text = answer(r)
    assert "PNG" in text and "64×48" in text and "image/png" in text
    details = {d["modality"]: d["tokenCount"] for d in r["usageMetadata"]["promptTokensDetails"]}
    assert details["IMAGE"] == 258
    audio = {"contents": [{"role": "user", "parts": [inline("audio/wav", _wav(3.0))]}]}
    ra = generate(audio, m(FLASH))
    assert "about 3 seconds" in answer(ra)
    assert {d["modality"]: d["tokenCount"] for d in ra["usageMetadata"]["promptTokensDetails"]} == {
        "AUDIO": 96
    }
    video = {
        "contents": [
            user(
                "What happens here?",
                {
                    "fileData": {
                        "mimeType": "video/mp4",
                        "fileUri": "https://generativelanguage.googleapis.com/v1beta/files/abc",
                    }
                },
            )
        ]
    }
    assert count_tokens(video, m(FLASH))["promptTokensDetails"][1] == {
        "modality": "VIDEO",
        "tokenCount": 2630,
    }
    text_file = {
        "contents": [
            user("Summarize this file", inline("text/plain", b"Line one.\nLine two is here."))
        ]
    }
    assert "Line one." in answer(generate(text_file, m(FLASH)))


def test_prompt_tokens_match_count_tokens() -> None:
    tools = [
        {
            "functionDeclarations": [
                {
                    "name": "lookup",
                    "description": "Find things",
                    "parameters": {"type": "OBJECT", "properties": {"q": {"type": "STRING"}}},
                }
            ]
        }
    ]
    body = req(
        "Find the nearest library, please.",
        system="You are a librarian.",
        history=[("user", "Hi"), ("model", "Hello!")],
    )
    body["tools"] = tools
    body["contents"][-1]["parts"].append(inline("image/png", _png(8, 8)))
    r = generate(body, m(FLASH))
    counted = count_tokens(
        {"generateContentRequest": {**body, "model": "models/gemini-2.5-flash"}}, m(FLASH)
    )
    assert r["usageMetadata"]["promptTokenCount"] == counted["totalTokens"]
    assert counted["totalTokens"] == token_count(body["contents"], body["systemInstruction"], tools)
    assert (
        count_tokens({"contents": body["contents"]}, m(FLASH))["totalTokens"]
        < counted["totalTokens"]
    )
    simple = count_tokens(
        {"contents": [user("The quick brown fox jumps over the lazy dog.")]}, m(FLASH)
    )
    assert simple == {
        "totalTokens": 10,
        "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 10}],
    }
    validate("CountTokensResponse", simple, direction="response")


def test_image_and_speech_output() -> None:
    r = run("Generate an image of an axolotl", model="gemini-2.5-flash-image")
    parts = r["candidates"][0]["content"]["parts"]
    assert "axolotl" in parts[0]["text"]
    png = base64.b64decode(parts[1]["inlineData"]["data"])
    assert png.startswith(b"\x89PNG") and parts[1]["inlineData"]["mimeType"] == "image/png"
    assert r["usageMetadata"]["candidatesTokensDetails"] == [
        {"modality": "IMAGE", "tokenCount": 1290}
    ]
    tts = run(
        "Say cheerfully: have a wonderful day",
        model="gemini-2.5-flash-preview-tts",
        responseModalities=["AUDIO"],
    )
    blob = tts["candidates"][0]["content"]["parts"][0]["inlineData"]
    assert (
        blob["mimeType"] == "audio/L16;codec=pcm;rate=24000"
        and len(base64.b64decode(blob["data"])) > 10_000
    )
    with pytest.raises(EmulatorError):
        run("hi", model="gemini-2.5-flash-preview-tts", responseModalities=["TEXT"])


# --- streaming --------------------------------------------------------------------------------


def _events_text(events: list[dict[str, Any]], index: int = 0) -> str:
    out = ""
    for event in events:
        for c in event.get("candidates", []):
            if c.get("index", 0) == index:
                out += "".join(
                    p.get("text", "") for p in c["content"].get("parts", []) if not p.get("thought")
                )
    return out


def test_stream_chunks_split_text_like_the_server() -> None:
    r = run("Explain how rainbows form", thinkingConfig={"includeThoughts": True})
    events = stream_chunks(r)
    assert len(events) >= 4
    assert _events_text(events) == answer(r)
    assert {e["responseId"] for e in events} == {r["responseId"]}
    assert {e["modelVersion"] for e in events} == {FLASH}
    assert all("finishReason" not in c for e in events[:-1] for c in e["candidates"])
    assert events[-1]["candidates"][0]["finishReason"] == "STOP"
    assert events[-1]["usageMetadata"] == r["usageMetadata"]
    assert events[0]["candidates"][0]["content"]["parts"][0]["thought"] is True
    counts = [e["usageMetadata"].get("candidatesTokenCount", 0) for e in events]
    assert counts == sorted(counts)
    for event in events:
        validate("GenerateContentResponse", event, direction="response")


def test_stream_chunks_multi_candidate_and_signatures() -> None:
    r = run("Tell me about comets", candidateCount=2)
    events = stream_chunks(r)
    for i in range(2):
        assert _events_text(events, i) == answer(r, i)
    g3 = run("Tell me about comets", model=G3)
    last = stream_chunks(g3)[-1]["candidates"][0]
    assert last["content"]["parts"] == [
        {
            "text": "",
            "thoughtSignature": g3["candidates"][0]["content"]["parts"][0]["thoughtSignature"],
        }
    ]


def test_stream_chunks_keep_tool_parts_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    call = {"functionCall": {"name": "get_weather", "args": {"city": "Paris", "unit": "celsius"}}}
    code = {"executableCode": {"language": "PYTHON", "code": "print(6 * 7)\nprint('done')"}}
    result = {"codeExecutionResult": {"outcome": "OUTCOME_OK", "output": "42\ndone\n"}}
    monkeypatch.setattr(
        _tools,
        "tool_turn",
        lambda request, model: ToolTurn(
            parts=[{"text": "Let me check that for you."}, code, result, call]
        ),
    )
    body = req("What's the weather in Paris?")
    body["tools"] = [{"functionDeclarations": [{"name": "get_weather", "description": "Weather"}]}]
    r = generate(body, m(G3F))
    parts = r["candidates"][0]["content"]["parts"]
    assert parts[0]["text"] == "Let me check that for you." and "thoughtSignature" in parts[0]
    assert r["usageMetadata"]["toolUsePromptTokenCount"] > 0
    events = stream_chunks(r)
    whole = [
        p for e in events for c in e["candidates"] for p in c["content"]["parts"] if "text" not in p
    ]
    assert whole == [code, result, call]
    assert events[-1]["usageMetadata"] == r["usageMetadata"]


def test_stream_of_blocked_prompt_is_one_event() -> None:
    r = run("[emulator:block] How do I do something dangerous?")
    assert stream_chunks(r) == [r]


# --- errors -----------------------------------------------------------------------------------


def test_method_errors_use_the_real_wording() -> None:
    with pytest.raises(EmulatorError) as info:
        generate(req("hi"), m("text-embedding-004"))
    assert info.value.status == 404
    assert info.value.message == (
        "models/text-embedding-004 is not found for API version v1beta, or is not "
        "supported for generateContent. Call ListModels to see the list of available "
        "models and their supported methods."
    )
    with pytest.raises(EmulatorError) as info:
        generate(req("hi"), m("gemini-live-2.5-flash-preview"), api_version="v1")
    assert "for API version v1," in info.value.message
    with pytest.raises(EmulatorError) as info:
        embed({"content": {"parts": [{"text": "x"}]}}, m(FLASH))
    assert "not supported for embedContent" in info.value.message
    with pytest.raises(EmulatorError) as info:
        count_tokens({"contents": [user("x")]}, m("text-embedding-004"))
    assert "not supported for countTokens" in info.value.message
    assert (
        not_supported_error("nope", "generateContent").to_json()["error"]["status"] == "NOT_FOUND"
    )


@pytest.mark.parametrize(
    ("model", "config", "fragment"),
    [
        (FLASH, {"candidateCount": 9}, "candidateCount value of 9"),
        (G3, {"candidateCount": 2}, "Multiple candidates is not enabled for this model"),
        (OLD, {"maxOutputTokens": 9000}, "maxOutputTokens value of 9000"),
        (
            FLASH,
            {
                "responseMimeType": "application/json",
                "responseSchema": {"type": "OBJECT", "properties": {}},
            },
            "response_schema.properties: should be non-empty for OBJECT type",
        ),
        (
            FLASH,
            {
                "responseMimeType": "application/json",
                "responseSchema": {
                    "type": "OBJECT",
                    "properties": {"a": {"type": "STRING"}},
                    "required": ["b"],
                },
            },
            "response_schema.required[0]: property is not defined",
        ),
        (FLASH, {"responseModalities": ["IMAGE"]}, "response modalities: image"),
    ],
)
def test_config_errors(model: str, config: dict[str, Any], fragment: str) -> None:
    with pytest.raises(EmulatorError) as info:
        generate(req("hi", **config), m(model))
    assert info.value.status == 400 and fragment in info.value.message


def test_input_limit() -> None:
    tiny = lookup("text-embedding-004")
    assert tiny is not None
    long_text = "word " * (m("gemma-3-1b-it").input_token_limit + 1)
    with pytest.raises(EmulatorError) as info:
        generate(req(long_text), m("gemma-3-1b-it"))
    assert info.value.message.startswith(
        "The input token count (32769) exceeds the maximum number of tokens allowed (32768)."
    )


# --- safety triggers --------------------------------------------------------------------------


def test_block_trigger() -> None:
    r = run("[emulator:block] tell me a secret")
    assert "candidates" not in r and r["promptFeedback"]["blockReason"] == "SAFETY"
    assert r["usageMetadata"]["promptTokenCount"] > 0
    body = req("[emulator:block] tell me a secret")
    body["safetySettings"] = [
        {"category": "HARM_CATEGORY_DANGEROUS_CONTENT", "threshold": "BLOCK_NONE"}
    ]
    assert generate(body, m(FLASH))["candidates"][0]["finishReason"] == "STOP"


def test_safety_and_recitation_triggers() -> None:
    r = run("[emulator:safety] explain fireworks")
    c = r["candidates"][0]
    assert c["finishReason"] == "SAFETY" and c["content"] == {}
    assert any(rating.get("blocked") for rating in c["safetyRatings"])
    body = req("[emulator:safety] explain fireworks")
    body["safetySettings"] = [
        {"category": "HARM_CATEGORY_DANGEROUS_CONTENT", "threshold": "BLOCK_ONLY_HIGH"}
    ]
    ok = generate(body, m(FLASH))
    assert ok["candidates"][0]["finishReason"] == "STOP" and "emulator" not in answer(ok)
    rec = run("[emulator:recitation] Explain fireworks")
    assert rec["candidates"][0]["finishReason"] == "RECITATION" and answer(rec)


# --- embeddings -------------------------------------------------------------------------------


def _embed(text: str, model: str = "text-embedding-004", **extra: Any) -> list[float]:
    out = embed({"content": {"parts": [{"text": text}]}, **extra}, m(model))
    validate("EmbedContentResponse", out, direction="response")
    return list(out["embedding"]["values"])


def cos(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


def test_embeddings_dimensions_and_norm() -> None:
    v = _embed("Hello world")
    assert len(v) == 768 and math.isclose(sum(x * x for x in v), 1.0, rel_tol=1e-5)
    assert len(_embed("Hello world", "gemini-embedding-001")) == 3072
    small = _embed("Hello world", "gemini-embedding-001", outputDimensionality=7)
    assert len(small) == 7 and math.isclose(sum(x * x for x in small), 1.0, rel_tol=1e-5)
    nested = embed(
        {
            "content": {"parts": [{"text": "Hello world"}]},
            "embedContentConfig": {"outputDimensionality": 7},
        },
        m("gemini-embedding-001"),
    )
    assert nested["embedding"]["values"] == small
    assert _embed("Hello world") == v


def test_embeddings_similarity() -> None:
    a = _embed("How does the brain work?")
    b = _embed("The brain works through billions of neurons.")
    c = _embed("How much wood would a woodchuck chuck?")
    d = _embed("Best pizza toppings for a party")
    assert cos(a, b) > cos(a, c) + 0.2
    assert cos(a, b) > cos(a, d) + 0.2
    assert abs(cos(c, d)) < 0.15
    task = _embed("How does the brain work?", taskType="RETRIEVAL_QUERY")
    titled = _embed("How does the brain work?", taskType="RETRIEVAL_DOCUMENT", title="Neuroscience")
    assert 0.85 < cos(a, task) < 1.0 and 0.7 < cos(a, titled) < 1.0


def test_identical_across_processes_and_hash_seeds() -> None:
    import os
    import subprocess
    import sys

    script = (
        "import json; from gemini_nb.emulator.model.generate import generate, embed; from gemini_nb.emulator.backends.catalogue import lookup;"
        "b={'contents':[{'role':'user','parts':[{'text':'I live in Buenos Aires. Where do I live? Write python code too.'}]}],"
        "'generationConfig':{'candidateCount':2,'temperature':0.9,'thinkingConfig':{'includeThoughts':True}}};"
        "s={'type':'object','properties':{'city':{'type':'string'},'tags':{'type':'array','items':{'type':'string'}}}};"
        "j={'contents':b['contents'],'generationConfig':{'responseMimeType':'application/json','responseJsonSchema':s}};"
        "print(json.dumps([generate(b, lookup('gemini-2.5-flash')), generate(j, lookup('gemini-3-flash-preview')),"
        "embed({'content':{'parts':[{'text':'hello world'}]}}, lookup('text-embedding-004'))['embedding']['values'][:8]]))"
    )
    outputs = set()
    for hash_seed in ("0", "1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        done = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True
        )
        outputs.add(done.stdout)
    assert len(outputs) == 1


def test_cached_content_is_seen_and_counted() -> None:
    cache = {
        "name": "cachedContents/abc",
        "model": "models/gemini-2.5-flash",
        "contents": [
            user("My name is Grace. Here is a long document about lighthouses and ships.")
        ],
        "systemInstruction": {"parts": [{"text": "Be brief."}]},
    }
    body = req("What is my name?")
    body["cachedContent"] = "cachedContents/abc"
    r = generate(body, m(FLASH), cached_content=cache)
    validate("GenerateContentResponse", r, direction="response")
    assert "Grace" in answer(r)
    usage = r["usageMetadata"]
    cached = token_count(cache["contents"], cache["systemInstruction"])
    assert usage["cachedContentTokenCount"] == cached
    assert usage["promptTokenCount"] == cached + token_count(body["contents"])
    counted = count_tokens(
        {"generateContentRequest": {**body, "model": "models/gemini-2.5-flash"}},
        m(FLASH),
        cached_content=cache,
    )
    assert (
        counted["totalTokens"] == usage["promptTokenCount"]
        and counted["cachedContentTokenCount"] == cached
    )
    validate("CountTokensResponse", counted, direction="response")


@pytest.mark.skipif(
    not (RECORDED / "index.json").exists(), reason="recorded exchanges not available"
)
def test_recorded_real_requests_never_crash() -> None:
    """Every real request body in the recorded set gets a schema-valid answer or a clean API error."""
    from gemini_nb.emulator.wire.schema import RequestInvalid

    answered = 0
    for entry in json.loads((RECORDED / "index.json").read_text()):
        features = set(entry["features"])
        if (
            entry["kind"] != "http"
            or entry["method"] != "POST"
            or not features & {"generateContent", "streamGenerateContent"}
        ):
            continue
        body = json.loads((RECORDED / entry["file"]).read_text())["request"].get("json")
        if not isinstance(body, dict):
            continue
        try:
            body = validate("GenerateContentRequest", body, skip_required=("model",))
        except RequestInvalid:
            continue  # the request validator would have answered 400 already
        model = lookup(entry["model"] or "") or m(FLASH)
        try:
            response = generate(body, model)
        except EmulatorError as error:
            assert error.status in (400, 404)
            continue
        validate("GenerateContentResponse", response, direction="response")
        for event in stream_chunks(response):
            validate("GenerateContentResponse", event, direction="response")
        answered += 1
    assert answered > 500


def test_tool_turn_finish_message_and_tool_use_tokens() -> None:
    from gemini_nb.emulator.backends import catalogue as _catalogue
    from gemini_nb.emulator.model import generate as _model

    model = _catalogue.lookup("gemini-2.5-flash")
    assert model is not None
    call = _model.generate(
        {
            "contents": [{"role": "user", "parts": [{"text": "What's the weather in Paris?"}]}],
            "tools": [
                {
                    "functionDeclarations": [
                        {
                            "name": "get_weather",
                            "description": "Weather in a city",
                            "parametersJsonSchema": {
                                "type": "object",
                                "properties": {"city": {"type": "string"}},
                            },
                        }
                    ]
                }
            ],
        },
        model,
    )
    assert call["candidates"][0]["finishMessage"] == "Model generated function call(s)."
    search = _model.generate(
        {
            "contents": [{"role": "user", "parts": [{"text": "Who discovered penicillin?"}]}],
            "tools": [{"googleSearch": {}}],
        },
        model,
    )
    assert search["usageMetadata"].get("toolUsePromptTokenCount", 0) > 0
