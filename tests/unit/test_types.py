"""Wire types: camelCase out, snake_case in, strict construction, tolerant parsing."""

from __future__ import annotations

import base64
import json

import pytest
from pydantic import ValidationError

from gemini_nb.types import (
    Blob,
    Content,
    GenerateContentConfig,
    GenerateContentResponse,
    GenerationConfig,
    Part,
    ThinkingConfig,
    parse_response,
    to_wire,
)


def test_camel_on_the_wire_snake_in_python() -> None:
    p = Part(inline_data=Blob(data=b"\xff\xd8", mime_type="image/jpeg"))
    assert to_wire(p) == {"inlineData": {"mimeType": "image/jpeg", "data": "/9g="}}
    assert p.inline_data is not None and p.inline_data.mime_type == "image/jpeg"
    g = GenerationConfig(max_output_tokens=5, thinking_config=ThinkingConfig(thinking_budget=0))
    assert to_wire(g) == {"maxOutputTokens": 5, "thinkingConfig": {"thinkingBudget": 0}}


def test_both_spellings_accepted_when_building() -> None:
    assert Part.model_validate(
        {"inlineData": {"mimeType": "a/b", "data": "AA=="}}
    ) == Part.model_validate({"inline_data": {"mime_type": "a/b", "data": b"\x00"}})


@pytest.mark.parametrize("encoded", ["_9g=", "/9g=", "/9g", "_9g"])
def test_bytes_accept_both_base64_alphabets(encoded: str) -> None:
    assert Blob.model_validate({"mimeType": "x/y", "data": encoded}).data == b"\xff\xd8"


def test_unknown_fields_rejected_when_building() -> None:
    with pytest.raises(ValidationError, match="txt"):
        Part(txt="typo")  # type: ignore[call-arg]
    with pytest.raises(ValidationError, match="temprature"):
        GenerateContentConfig.model_validate({"temprature": 0.3})
    with pytest.raises(ValidationError):
        Content.model_validate({"role": "user", "parts": [{"text": "x", "bogus": 1}]})


def test_unknown_fields_kept_when_reading_and_sent_back() -> None:
    raw = {
        "candidates": [
            {
                "content": {"role": "model", "parts": [{"text": "hi", "futureField": {"a": 1}}]},
                "finishReason": "NEW_REASON",
                "brandNew": True,
            }
        ],
        "somethingElse": [1, 2],
    }
    r = parse_response(GenerateContentResponse, json.dumps(raw))
    assert r.model_extra == {"somethingElse": [1, 2]}
    assert r.candidates and r.candidates[0].model_extra == {"brandNew": True}
    assert r.finish_reason == "NEW_REASON"
    content = r.candidates[0].content
    assert content is not None
    assert to_wire(content) == raw["candidates"][0]["content"]  # round trip keeps the new field


def test_text_accessor_skips_thoughts_and_never_raises() -> None:
    r = parse_response(
        GenerateContentResponse,
        {
            "candidates": [
                {
                    "content": {
                        "parts": [
                            {"text": "thinking...", "thought": True},
                            {"text": "Hello "},
                            {"functionCall": {"name": "f", "args": {}}},
                            {"text": "world"},
                        ]
                    }
                }
            ]
        },
    )
    assert r.text == "Hello world"
    assert r.thoughts == "thinking..."
    assert [c.name for c in r.function_calls] == ["f"]
    empty = parse_response(GenerateContentResponse, {})
    assert (empty.text, empty.thoughts, empty.function_calls, empty.parts) == ("", "", [], [])
    assert empty.finish_reason is None and empty.parsed is None and not empty.blocked
    no_content = parse_response(
        GenerateContentResponse, {"candidates": [{"finishReason": "SAFETY"}]}
    )
    assert no_content.text == "" and no_content.blocked


def test_blob_repr_is_short() -> None:
    b = Blob(data=b"x" * 10_000_000, mime_type="image/png")
    assert len(repr(b)) < 80 and "10000000 bytes" in repr(b)


def test_part_repr_shows_only_set_fields() -> None:
    assert repr(Part(text="hi")) == "Part(text='hi')"


def test_base64_standard_alphabet_out() -> None:
    data = bytes(range(256))
    assert to_wire(Blob(data=data, mime_type="a/b"))["data"] == base64.b64encode(data).decode()


def test_citations_map_byte_offsets_to_characters() -> None:
    text = "Café au lait. Ümlaut here."
    second = "Ümlaut here."
    start = len(text.encode()) - len(second.encode())
    r = parse_response(
        GenerateContentResponse,
        {
            "candidates": [
                {
                    "content": {"parts": [{"text": text}]},
                    "groundingMetadata": {
                        "groundingChunks": [{"web": {"uri": "https://a.example/x", "title": "A"}}],
                        "groundingSupports": [
                            {
                                "segment": {
                                    "startIndex": start,
                                    "endIndex": len(text.encode()),
                                    "text": second,
                                },
                                "groundingChunkIndices": [0, 5],
                            }
                        ],
                    },
                }
            ]
        },
    )
    [c] = r.citations()
    assert text[c.start : c.end] == second
    assert c.uris == ["https://a.example/x"]  # out-of-range chunk index 5 ignored
