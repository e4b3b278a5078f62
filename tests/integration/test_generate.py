"""Both clients against the emulator over loopback: generation, streaming, tokens, embeddings,
models, chats."""

from __future__ import annotations

import enum
import math
from typing import Any

import pytest
from pydantic import BaseModel

import gemini_nb as g
from gemini_nb.types import GenerateContentConfig

MODEL = "gemini-2.5-flash"


async def test_generate_depends_on_prompt_and_is_deterministic(api: Any) -> None:
    a1 = await api.generate(model=MODEL, contents="Tell me about volcanoes in Iceland.")
    a2 = await api.generate(model=MODEL, contents="Tell me about volcanoes in Iceland.")
    b = await api.generate(model=MODEL, contents="How do I bake sourdough bread?")
    assert a1.text and b.text and a1.text != b.text
    assert a1.text == a2.text and a1.response_id == a2.response_id
    assert "volcano" in a1.text.lower() or "iceland" in a1.text.lower()
    assert a1.finish_reason == "STOP"
    assert a1.http.status_code == 200 and a1.http.retries == 0


async def test_usage_matches_count_tokens(api: Any) -> None:
    contents = "Count these words, please: alpha beta gamma."
    r = await api.generate(
        model=MODEL, contents=contents, config={"thinking_config": {"thinking_budget": 0}}
    )
    counted = await api.count(model=MODEL, contents=contents)
    usage = r.usage_metadata
    assert usage is not None and usage.prompt_token_count == counted.total_tokens > 0
    assert usage.total_token_count == usage.prompt_token_count + (
        usage.candidates_token_count or 0
    ) + (usage.thoughts_token_count or 0)


async def test_count_tokens_includes_system_instruction(api: Any) -> None:
    plain = await api.count(model=MODEL, contents="hello there")
    with_system = await api.count(
        model=MODEL,
        contents="hello there",
        config={"system_instruction": "You are a pirate captain."},
    )
    assert with_system.total_tokens > plain.total_tokens


async def test_system_instruction_changes_the_answer(api: Any) -> None:
    plain = await api.generate(model=MODEL, contents="Describe the sea.")
    styled = await api.generate(
        model=MODEL,
        contents="Describe the sea.",
        config={"system_instruction": "Answer like a pirate."},
    )
    assert plain.text != styled.text


async def test_max_output_tokens(api: Any) -> None:
    r = await api.generate(
        model=MODEL,
        contents="Write a long essay about the history of mathematics.",
        config=GenerateContentConfig(max_output_tokens=5, thinking_config={"thinking_budget": 0}),
    )
    assert r.finish_reason == "MAX_TOKENS"
    assert r.usage_metadata is not None and r.usage_metadata.candidates_token_count <= 5


async def test_stop_sequences(api: Any) -> None:
    full = await api.generate(model=MODEL, contents="Explain photosynthesis.")
    words = full.text.split()
    stop = words[len(words) // 2]
    cut = await api.generate(
        model=MODEL, contents="Explain photosynthesis.", config={"stop_sequences": [stop]}
    )
    assert stop not in cut.text and full.text.startswith(cut.text.rstrip()[:10])
    assert len(cut.text) < len(full.text)


async def test_candidate_count(api: Any) -> None:
    r = await api.generate(model=MODEL, contents="Name a colour.", config={"candidate_count": 3})
    assert r.candidates is not None and len(r.candidates) == 3
    assert [c.index for c in r.candidates] == [0, 1, 2]
    assert len({c.text for c in r.candidates}) == 3
    assert r.text == r.candidates[0].text


class City(BaseModel):
    name: str
    country: str
    population: int


class Mood(enum.Enum):
    HAPPY = "happy"
    SAD = "sad"


async def test_structured_output_pydantic(api: Any) -> None:
    r = await api.generate(
        model=MODEL, contents="List three cities in Japan.", config={"response_schema": list[City]}
    )
    assert r.parse_error is None, r.parse_error
    assert isinstance(r.parsed, list) and r.parsed and all(isinstance(c, City) for c in r.parsed)


async def test_structured_output_enum(api: Any) -> None:
    r = await api.generate(
        model=MODEL, contents="How does sunshine make you feel?", config={"response_schema": Mood}
    )
    assert isinstance(r.parsed, Mood)


async def test_thinking(api: Any) -> None:
    r = await api.generate(
        model="gemini-2.5-pro",
        contents="Why is the sky blue?",
        config={"thinking_config": {"include_thoughts": True}},
    )
    assert r.thoughts and r.text and r.thoughts not in r.text
    assert r.usage_metadata is not None and (r.usage_metadata.thoughts_token_count or 0) > 0


async def test_stream_matches_unary(api: Any) -> None:
    prompt = "Write three sentences about the moon."
    unary = await api.generate(model=MODEL, contents=prompt)
    chunks, final = await api.stream(model=MODEL, contents=prompt)
    assert len(chunks) > 1
    assert "".join(c.text for c in chunks) == final.text == unary.text
    assert final.finish_reason == "STOP"
    assert final.usage_metadata is not None
    assert final.usage_metadata.total_token_count == unary.usage_metadata.total_token_count


async def test_text_stream_deltas(api: Any) -> None:
    texts = await api.stream_texts(model=MODEL, contents="Say hello to the world.")
    assert len(texts) > 1 and all(texts)


async def test_stream_thoughts_merge(api: Any) -> None:
    _, final = await api.stream(
        model="gemini-2.5-flash",
        contents="Plan a picnic.",
        config={"thinking_config": {"include_thoughts": True}},
    )
    kinds = [p.kind for p in final.parts]
    assert kinds[0] == "thought" and "text" in kinds
    assert kinds.count("thought") == 1  # consecutive thought pieces merged


def _cos(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True)) / math.sqrt(
        sum(x * x for x in a) * sum(y * y for y in b)
    )


async def test_embeddings(api: Any) -> None:
    r = await api.embed(
        model="gemini-embedding-001",
        contents=[
            "The cat sat on the mat.",
            "A cat sat on a mat today.",
            "Quarterly revenue grew.",
        ],
        config={"output_dimensionality": 256, "task_type": "SEMANTIC_SIMILARITY"},
    )
    a, b, c = r.values
    assert len(a) == 256
    assert _cos(a, b) > _cos(a, c)
    single = await api.embed(model="text-embedding-004", contents="hello")
    assert len(single.values) == 1 and len(single.values[0]) == 768


async def test_embed_more_than_one_batch(api: Any) -> None:
    texts = [f"sentence number {i}" for i in range(230)]
    r = await api.embed(model="text-embedding-004", contents=texts)
    assert len(r.embeddings) == 230


async def test_models_get_and_list(api: Any) -> None:
    m = await api.get(model=MODEL)
    assert m.name == f"models/{MODEL}" and m.id == MODEL
    assert m.input_token_limit and "generateContent" in (m.supported_generation_methods or [])
    everything = await api.list(page_size=5)
    names = [x.name for x in everything]
    assert len(names) == len(set(names)) > 10
    assert f"models/{MODEL}" in names and "models/text-embedding-004" in names
    assert names == [x.name for x in await api.list()]


async def test_models_to_pandas(api: Any) -> None:
    pager = await api.pager(page_size=7)
    df = await pager.to_pandas() if api.kind == "async" else pager.to_pandas()
    assert {"name", "display_name", "input_token_limit"} <= set(df.columns)
    assert len(df) > 10


async def test_chat_history_and_memory(api: Any) -> None:
    chat = api.chat(model=MODEL, config={"system_instruction": "Be friendly."})
    await api.send(chat, "Hello, my name is Ada.")
    r = await api.send(chat, "What is my name?")
    assert "Ada" in r.text
    assert [c.role for c in chat.history] == ["user", "model", "user", "model"]
    assert chat.curated_history == chat.history
    chunks, final = await api.send_stream(chat, "Thanks!")
    assert chunks and len(chat.history) == 6
    assert chat.history[-1].text == final.text


async def test_chat_curated_drops_failed_turns(api: Any) -> None:
    chat = api.chat(model=MODEL)
    await api.send(chat, "first question")
    await api.send(chat, "[emulator:block] please")
    await api.send(chat, "third question")
    assert len(chat.history) == 6
    assert len(chat.curated_history) == 4
    assert chat.history[3].parts == []


async def test_chat_from_history(api: Any) -> None:
    chat = api.chat(
        model=MODEL,
        history=[
            {"role": "user", "parts": [{"text": "My name is Grace."}]},
            {"role": "model", "parts": [{"text": "Hello Grace!"}]},
        ],
    )
    r = await api.send(chat, "What's my name?")
    assert "Grace" in r.text


async def test_v1_path(make_api: Any) -> None:
    api = make_api(api_version="v1")
    try:
        r = await api.generate(model=MODEL, contents="hi")
        assert r.text
    finally:
        await api.close()


async def test_unknown_model(api: Any) -> None:
    with pytest.raises(g.NotFoundError) as info:
        await api.generate(model="gemini-9-ultra", contents="hi")
    assert info.value.status == "NOT_FOUND" and "gemini-9-ultra" in info.value.message
    with pytest.raises(g.NotFoundError):
        await api.generate(model="text-embedding-004", contents="hi")  # not a generation model


async def test_bad_input_fails_before_sending(api: Any, sent: Any) -> None:
    with pytest.raises(g.InvalidInputError):
        await api.generate(model=MODEL, contents=[])
    with pytest.raises(g.InvalidInputError):
        await api.generate(model=MODEL, contents="x", config={"temprature": 2})
    assert not sent
