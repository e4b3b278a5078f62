"""Turning what callers pass into request JSON."""

from __future__ import annotations

import enum
import io
from pathlib import Path
from typing import Literal

import pytest
from pydantic import BaseModel

from gemini_nb._convert import (
    InvalidInputError,
    build_generate_request,
    coerce_config,
    model_path,
    to_contents,
)
from gemini_nb.types import Content, GenerateContentConfig, Part, Schema

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 20


@pytest.mark.parametrize(
    ("given", "path"),
    [
        ("gemini-2.5-flash", "models/gemini-2.5-flash"),
        ("models/gemini-2.5-flash", "models/gemini-2.5-flash"),
        ("tunedModels/my-tune", "tunedModels/my-tune"),
        (" gemini-2.5-pro ", "models/gemini-2.5-pro"),
    ],
)
def test_model_path(given: str, path: str) -> None:
    assert model_path(given) == path


@pytest.mark.parametrize(
    "bad", ["", "   ", "../etc", "gemini?x=1", "a&b", "a/b", "gemini 2.5", None]
)
def test_bad_model_names(bad: object) -> None:
    with pytest.raises(InvalidInputError):
        model_path(bad)  # type: ignore[arg-type]


def test_string_is_one_user_turn() -> None:
    assert to_contents("hi") == [{"role": "user", "parts": [{"text": "hi"}]}]


def test_list_of_parts_is_one_turn() -> None:
    out = to_contents(["look:", PNG, Part(text="thanks")])
    assert len(out) == 1 and out[0]["role"] == "user"
    assert out[0]["parts"][1]["inlineData"]["mimeType"] == "image/png"


def test_conversation_and_grouping() -> None:
    out = to_contents(
        [
            Content(role="user", parts=[Part(text="a")]),
            {"role": "model", "parts": [{"text": "b"}]},
            "c",
            "d",
        ]
    )
    assert [c["role"] for c in out] == ["user", "model", "user"]
    assert out[2]["parts"] == [{"text": "c"}, {"text": "d"}]


def test_pil_image_keeps_format() -> None:
    from PIL import Image

    img = Image.new("RGB", (4, 4), "red")
    png = to_contents([img])[0]["parts"][0]["inlineData"]
    assert png["mimeType"] == "image/png"
    buf = io.BytesIO()
    img.save(buf, format="JPEG")
    jpeg = Image.open(io.BytesIO(buf.getvalue()))
    assert to_contents([jpeg])[0]["parts"][0]["inlineData"]["mimeType"] == "image/jpeg"


def test_path_text_and_binary(tmp_path: Path) -> None:
    (tmp_path / "notes.md").write_text("# Notes\nhello")
    (tmp_path / "pic.png").write_bytes(PNG)
    parts = to_contents([tmp_path / "notes.md", tmp_path / "pic.png"])[0]["parts"]
    assert parts[0] == {"text": "# Notes\nhello"}
    assert parts[1]["inlineData"]["mimeType"] == "image/png"


@pytest.mark.parametrize(
    ("value", "match"),
    [
        (None, "required"),
        ("", "empty"),
        ([], "empty"),
        (b"\x01\x02\x03", "media type"),
        (object(), "Cannot send"),
        ([{"text": "x", "bogus": 1}], "Not a valid part"),
        (Path("/no/such/file.png"), "No such file"),
    ],
)
def test_bad_contents(value: object, match: str) -> None:
    with pytest.raises(InvalidInputError, match=match):
        to_contents(value)


def test_config_dict_either_spelling_and_typos() -> None:
    assert coerce_config({"maxOutputTokens": 5}) == coerce_config({"max_output_tokens": 5})
    with pytest.raises(InvalidInputError, match="temprature"):
        coerce_config({"temprature": 1})
    with pytest.raises(InvalidInputError):
        coerce_config(42)


def test_generation_fields_and_system_instruction() -> None:
    cfg = GenerateContentConfig(
        system_instruction="Be brief.",
        temperature=0.0,
        max_output_tokens=10,
        stop_sequences=["END"],
        speech_config="Kore",
        cached_content="abc",
    )
    body, fmt = build_generate_request("hi", cfg, tools=None)
    assert fmt is None
    assert body["systemInstruction"] == {"parts": [{"text": "Be brief."}]}
    assert body["generationConfig"] == {
        "temperature": 0.0,
        "maxOutputTokens": 10,
        "stopSequences": ["END"],
        "speechConfig": {"voiceConfig": {"prebuiltVoiceConfig": {"voiceName": "Kore"}}},
    }
    assert body["cachedContent"] == "cachedContents/abc"


class Recipe(BaseModel):
    name: str
    minutes: int
    diet: Literal["vegan", "any"] = "any"


class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


def test_pydantic_schema_goes_as_json_schema_and_parses() -> None:
    body, fmt = build_generate_request(
        "x", GenerateContentConfig(response_schema=list[Recipe]), tools=None
    )
    gen = body["generationConfig"]
    assert gen["responseMimeType"] == "application/json"
    assert gen["responseJsonSchema"]["type"] == "array"
    assert fmt is not None
    parsed = fmt.parse('[{"name": "soup", "minutes": 20}]')
    assert parsed == [Recipe(name="soup", minutes=20)]


def test_enum_schema() -> None:
    body, fmt = build_generate_request(
        "x", GenerateContentConfig(response_schema=Colour), tools=None
    )
    assert body["generationConfig"]["responseMimeType"] == "text/x.enum"
    assert body["generationConfig"]["responseSchema"]["enum"] == ["red", "blue"]
    assert fmt is not None and fmt.parse("blue") is Colour.BLUE


def test_api_schema_object_and_dict() -> None:
    s = Schema(type="OBJECT", properties={"a": Schema(type="STRING")})
    body, _ = build_generate_request("x", GenerateContentConfig(response_schema=s), tools=None)
    assert body["generationConfig"]["responseSchema"] == {
        "type": "OBJECT",
        "properties": {"a": {"type": "STRING"}},
    }
    with pytest.raises(InvalidInputError, match="response_json_schema"):
        build_generate_request(
            "x", GenerateContentConfig(response_schema={"$defs": {}}), tools=None
        )


def test_schema_pydantic_cannot_express() -> None:
    class Opaque:
        pass

    with pytest.raises(InvalidInputError, match="pydantic cannot express Opaque"):
        build_generate_request("x", GenerateContentConfig(response_schema=Opaque), tools=None)
