"""The official SDK (google-genai) against the emulator: what a real client expects works."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel

genai = pytest.importorskip("google.genai")
from google.genai import types  # noqa: E402

pytestmark = pytest.mark.sdk
MODEL = "gemini-2.5-flash"


@pytest.fixture(params=["v1", "v1beta"])
def client(request: pytest.FixtureRequest, emulator: Any) -> Any:
    c = genai.Client(
        api_key="AIzaEMULATORKEY",
        http_options={"base_url": emulator.url, "api_version": request.param},
    )
    yield c
    c.close()


def test_generate(client: Any) -> None:
    r = client.models.generate_content(
        model=MODEL,
        contents="Tell me about lighthouses.",
        config=types.GenerateContentConfig(
            system_instruction="Be concise.", temperature=0.3, max_output_tokens=200,
            thinking_config=types.ThinkingConfig(thinking_budget=0),
        ),
    )
    assert r.text and r.candidates[0].finish_reason == types.FinishReason.STOP
    assert r.usage_metadata.prompt_token_count > 0


def test_stream(client: Any) -> None:
    chunks = list(client.models.generate_content_stream(model=MODEL, contents="Describe a forest."))
    assert len(chunks) > 1
    whole = client.models.generate_content(model=MODEL, contents="Describe a forest.")
    assert "".join(c.text or "" for c in chunks) == whole.text


async def test_async_stream(client: Any) -> None:
    stream = await client.aio.models.generate_content_stream(model=MODEL, contents="Describe a forest.")
    texts = [c.text async for c in stream]
    assert len(texts) > 1


def test_snake_case_nested_fields_accepted(client: Any) -> None:
    # The SDK sends inlineData.mime_type, thinkingConfig.include_thoughts... in snake_case.
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    r = client.models.generate_content(
        model=MODEL,
        contents=[types.Part.from_bytes(data=png, mime_type="image/png"), "What is this?"],
        config=types.GenerateContentConfig(thinking_config=types.ThinkingConfig(include_thoughts=True)),
    )
    assert r.text


class Pet(BaseModel):
    name: str
    species: str


def test_structured_output(client: Any) -> None:
    r = client.models.generate_content(
        model=MODEL, contents="Invent a pet.",
        config={"response_mime_type": "application/json", "response_schema": Pet},
    )
    assert isinstance(r.parsed, Pet)


def test_count_tokens(client: Any) -> None:
    r = client.models.count_tokens(model=MODEL, contents="How many tokens is this?")
    assert r.total_tokens > 0


def test_embed(client: Any) -> None:
    r = client.models.embed_content(
        model="gemini-embedding-001", contents=["first text", "second text"],
        config=types.EmbedContentConfig(output_dimensionality=64, task_type="RETRIEVAL_DOCUMENT"),
    )
    assert [len(e.values) for e in r.embeddings] == [64, 64]


def test_models_list_and_get(client: Any) -> None:
    names = [m.name for m in client.models.list(config={"page_size": 5})]
    assert len(names) > 10 and "models/gemini-2.5-flash" in names
    m = client.models.get(model=MODEL)
    assert m.input_token_limit and m.display_name


def test_chat(client: Any) -> None:
    chat = client.chats.create(model=MODEL)
    chat.send_message("Hi, my name is Ada.")
    r = chat.send_message("What is my name?")
    assert "Ada" in r.text
    assert len(chat.get_history()) == 4


def test_errors_map_to_sdk_errors(client: Any) -> None:
    from google.genai import errors

    with pytest.raises(errors.ClientError) as info:
        client.models.generate_content(model="gemini-0-missing", contents="hi")
    assert info.value.code == 404 and info.value.status == "NOT_FOUND"


def test_automatic_function_calling(client: Any) -> None:
    calls: list[str] = []

    def get_weather(city: str) -> dict[str, Any]:
        """Current weather in a city.

        Args:
            city: The city name.
        """
        calls.append(city)
        return {"city": city, "temperature_c": 18, "sky": "sunny"}

    r = client.models.generate_content(
        model=MODEL, contents="What's the weather in Paris?",
        config=types.GenerateContentConfig(tools=[get_weather]),
    )
    assert calls == ["Paris"]
    assert "Paris" in r.text and "18" in r.text
    assert len(r.automatic_function_calling_history) >= 3
