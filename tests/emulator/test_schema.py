"""Tests for the emulator's Discovery-driven body validator (gemini_nb.emulator.wire.schema)."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from gemini_nb.emulator.data import make_discovery
from gemini_nb.emulator.wire import schema as schema
from gemini_nb.emulator.wire.schema import RequestInvalid, validate

REFERENCE = make_discovery.DEFAULT_REFERENCE
from tests._shared import RECORDED  # noqa: E402

DATA_FILE = Path(make_discovery.__file__).with_name("discovery.json")

needs_reference = pytest.mark.skipif(
    not REFERENCE.is_file(), reason="Discovery reference document not available"
)
needs_recordings = pytest.mark.skipif(
    not (RECORDED / "index.json").is_file(), reason="recorded exchanges not available"
)


def gen(body: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    return validate("GenerateContentRequest", body, skip_required=("model",), **kwargs)


def rejection(schema_name: str, body: Any, **kwargs: Any) -> RequestInvalid:
    with pytest.raises(RequestInvalid) as info:
        validate(schema_name, body, **kwargs)
    assert info.value.status == 400
    assert info.value.rpc_status == "INVALID_ARGUMENT"
    return info.value


def gen_rejection(body: dict[str, Any]) -> RequestInvalid:
    return rejection("GenerateContentRequest", body, skip_required=("model",))


def single_violation(err: RequestInvalid, field: str | None, description: str) -> None:
    """The message is the description and the details carry exactly that one violation."""
    assert err.message == description
    violation: dict[str, str] = {"description": description}
    if field:
        violation["field"] = field
    assert err.details == [
        {"@type": "type.googleapis.com/google.rpc.BadRequest", "fieldViolations": [violation]}
    ]


HELLO = [{"role": "user", "parts": [{"text": "hi"}]}]


# --------------------------------------------------------------------------------------------
# The generated subset.


@needs_reference
def test_subset_regenerates_identically_from_reference() -> None:
    regenerated = make_discovery.render(make_discovery.build(REFERENCE))
    assert regenerated == DATA_FILE.read_text(encoding="utf-8")


@needs_reference
def test_subset_records_revision_and_checksum() -> None:
    source = schema.source_info()
    assert source["revision"] == "20260831"
    assert source["id"] == "generativelanguage:v1beta"
    assert source["sha256"] == hashlib.sha256(REFERENCE.read_bytes()).hexdigest()


def test_table_holds_every_method_and_stays_small() -> None:
    ids = {m.id for m in schema.method_table()}
    for wanted in (
        "models.generateContent",
        "models.streamGenerateContent",
        "models.countTokens",
        "models.embedContent",
        "models.batchEmbedContents",
        "models.batchGenerateContent",
        "models.asyncBatchEmbedContent",
        "models.get",
        "models.list",
        "models.predict",
        "models.predictLongRunning",
        "models.operations.get",
        "cachedContents.create",
        "cachedContents.patch",
        "files.get",
        "files.register",
        "media.upload",
        "media.uploadToFileSearchStore",
        "fileSearchStores.create",
        "fileSearchStores.importFile",
        "fileSearchStores.documents.list",
        "fileSearchStores.operations.get",
        "fileSearchStores.upload.operations.get",
        "batches.get",
        "batches.cancel",
        "batches.updateGenerateContentBatch",
        "tunedModels.create",
        "tunedModels.permissions.patch",
    ):
        assert wanted in ids
    # Every method of the document is in the table: the emulator routes by it and answers the
    # methods no backend serves (legacy PaLM, corpora, environments) as not implemented.
    assert len(ids) == 85
    assert {"corpora.create", "environments.create", "models.generateText"} <= ids
    assert DATA_FILE.stat().st_size < 200_000
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    assert "Part" in data["schemas"] and "GdataMedia" not in data["schemas"]
    assert data["schemas"]["GenerateContentRequest"]["fields"]["contents"]["required"] is True


def test_generator_reads_required_and_proto_names() -> None:
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    fields = data["schemas"]["Schema"]["fields"]
    # "Optional. Required properties of Type.OBJECT." is not a Required marker.
    assert "required" not in fields["required"]
    gc = data["schemas"]["GenerationConfig"]["fields"]
    # json_name options in generative_service.proto, which Discovery cannot show.
    assert gc["_responseJsonSchema"]["proto"] == "response_json_schema"
    assert gc["responseJsonSchema"]["proto"] == "response_json_schema_ordered"
    assert gc["responseModalities"]["items"]["enumType"] == (
        "google.ai.generativelanguage.v1beta.GenerationConfig.Modality"
    )


# --------------------------------------------------------------------------------------------
# Spellings and normalisation.


def test_camel_and_snake_are_both_accepted_and_normalised() -> None:
    body = {
        "contents": [
            {
                "role": "user",
                "parts": [
                    {"text": "look"},
                    {"inline_data": {"mime_type": "image/png", "data": "_9g="}},
                    {"fileData": {"file_uri": "https://x/files/a", "mimeType": "video/mp4"}},
                ],
            }
        ],
        "system_instruction": {"parts": [{"text": "be brief"}]},
        "generationConfig": {
            "thinking_config": {"thinking_budget": 128, "include_thoughts": True},
            "speech_config": {"voice_config": {"prebuilt_voice_config": {"voice_name": "Kore"}}},
            "maxOutputTokens": 10,
        },
        "tools": [{"file_search": {"file_search_store_names": ["fileSearchStores/a"]}}],
        "safetySettings": [{"category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_NONE"}],
    }
    assert gen(body) == {
        "contents": [
            {
                "role": "user",
                "parts": [
                    {"text": "look"},
                    {"inlineData": {"mimeType": "image/png", "data": "/9g="}},
                    {"fileData": {"fileUri": "https://x/files/a", "mimeType": "video/mp4"}},
                ],
            }
        ],
        "systemInstruction": {"parts": [{"text": "be brief"}]},
        "generationConfig": {
            "thinkingConfig": {"thinkingBudget": 128, "includeThoughts": True},
            "speechConfig": {"voiceConfig": {"prebuiltVoiceConfig": {"voiceName": "Kore"}}},
            "maxOutputTokens": 10,
        },
        "tools": [{"fileSearch": {"fileSearchStoreNames": ["fileSearchStores/a"]}}],
        "safetySettings": [{"category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_NONE"}],
    }


def test_result_is_a_new_object() -> None:
    body: dict[str, Any] = {"contents": HELLO, "tools": [{"functionDeclarations": [{"name": "f"}]}]}
    out = gen(body)
    assert out == body
    assert out is not body and out["contents"] is not body["contents"]
    out["contents"][0]["parts"][0]["text"] = "changed"
    assert body["contents"][0]["parts"][0]["text"] == "hi"


def test_snake_response_json_schema_is_the_underscore_field() -> None:
    # proto field response_json_schema carries json_name "_responseJsonSchema"; the public
    # responseJsonSchema is proto field response_json_schema_ordered.
    out = gen({"contents": HELLO, "generation_config": {"response_json_schema": {"type": "x"}}})
    assert out["generationConfig"] == {"_responseJsonSchema": {"type": "x"}}
    out = gen({"contents": HELLO, "generationConfig": {"responseJsonSchema": {"type": "x"}}})
    assert out["generationConfig"] == {"responseJsonSchema": {"type": "x"}}
    out = gen({"contents": HELLO, "generationConfig": {"response_json_schema_ordered": {}}})
    assert out["generationConfig"] == {"responseJsonSchema": {}}


def test_map_struct_and_any_keys_are_kept_verbatim() -> None:
    schema_value = {"type": "object", "properties": {"snake_key": {"type": "string"}}}
    body = {
        "contents": [
            {
                "role": "model",
                "parts": [
                    {"function_call": {"name": "f", "args": {"city_name": "Paris", "x": None}}}
                ],
            },
            {
                "role": "user",
                "parts": [
                    {
                        "functionResponse": {
                            "name": "f",
                            "response": {"temp_c": 21, "nested": {"a_b": [1, {"c_d": None}]}},
                        }
                    }
                ],
            },
        ],
        "generationConfig": {"responseJsonSchema": schema_value, "responseMimeType": "a/json"},
        "tools": [
            {
                "function_declarations": [
                    {
                        "name": "f",
                        "parameters_json_schema": schema_value,
                        # Schema.properties is a map<string, Schema>: the keys are data, the
                        # values are messages whose own field names are normalised.
                        "parameters": {
                            "type": "OBJECT",
                            "properties": {
                                "max_items": {"type": "integer", "max_items": "3"},
                                "propertyOrdering": {"type": "STRING"},
                            },
                            "property_ordering": ["max_items", "propertyOrdering"],
                        },
                    }
                ]
            },
            {
                "mcp_servers": [
                    {
                        "name": "m",
                        "streamable_http_transport": {
                            "url": "https://m",
                            "headers": {"x_api_key": "k", "Content-Type": "a"},
                        },
                    }
                ]
            },
        ],
    }
    out = gen(body)
    parts = out["contents"]
    assert parts[0]["parts"][0]["functionCall"]["args"] == {"city_name": "Paris", "x": None}
    assert parts[1]["parts"][0]["functionResponse"]["response"] == {
        "temp_c": 21,
        "nested": {"a_b": [1, {"c_d": None}]},
    }
    assert out["generationConfig"]["responseJsonSchema"] == schema_value
    decl = out["tools"][0]["functionDeclarations"][0]
    assert decl["parametersJsonSchema"] == schema_value
    assert decl["parameters"] == {
        "type": "OBJECT",
        "properties": {
            "max_items": {"type": "INTEGER", "maxItems": "3"},
            "propertyOrdering": {"type": "STRING"},
        },
        "propertyOrdering": ["max_items", "propertyOrdering"],
    }
    transport = out["tools"][1]["mcpServers"][0]["streamableHttpTransport"]
    assert transport["headers"] == {"x_api_key": "k", "Content-Type": "a"}


def test_batch_request_metadata_struct_is_verbatim() -> None:
    body = {
        "batch": {
            "display_name": "b",
            "input_config": {
                "requests": {
                    "requests": [
                        {"request": {"contents": HELLO}, "metadata": {"my_key": "r1"}},
                    ]
                }
            },
        }
    }
    spec = schema.find_method("POST", "/v1beta/models/gemini-2.5-flash:batchGenerateContent")
    assert spec is not None
    out = validate("BatchGenerateContentRequest", body, skip_required=spec.method.skip_required)
    inlined = out["batch"]["inputConfig"]["requests"]["requests"][0]
    assert inlined == {"request": {"contents": HELLO}, "metadata": {"my_key": "r1"}}


def test_null_means_absent() -> None:
    out = gen(
        {
            "contents": HELLO,
            "generationConfig": None,
            "tools": None,
            "system_instruction": {"parts": [{"text": "x", "thought": None}], "role": None},
        }
    )
    assert out == {"contents": HELLO, "systemInstruction": {"parts": [{"text": "x"}]}}


def test_null_array_elements_are_rejected_except_for_values() -> None:
    err = gen_rejection({"contents": [HELLO[0], None]})
    single_violation(
        err,
        "contents[1]",
        "Invalid value at 'contents[1]' "
        "(type.googleapis.com/google.ai.generativelanguage.v1beta.Content), null",
    )
    err = gen_rejection({"contents": HELLO, "generationConfig": {"stopSequences": ["a", None]}})
    single_violation(
        err,
        "generation_config.stop_sequences[1]",
        "Invalid value at 'generation_config.stop_sequences[1]' (TYPE_STRING), null",
    )
    out = validate(
        "PredictRequest", {"instances": [{"prompt": "p"}, None]}, skip_required=["model"]
    )
    assert out == {"instances": [{"prompt": "p"}, None]}


def test_single_value_for_repeated_field_is_a_one_element_list() -> None:
    # Verbatim body of the Gemini cookbook's System_instructions_REST notebook, answered 200.
    body = {
        "system_instruction": {"parts": {"text": "You are Neko the cat respond like one"}},
        "contents": {"parts": {"text": "Hello there"}},
    }
    assert gen(body) == {
        "systemInstruction": {"parts": [{"text": "You are Neko the cat respond like one"}]},
        "contents": [{"parts": [{"text": "Hello there"}]}],
    }
    err = gen_rejection({"contents": {"parts": {"text": 5}}})
    single_violation(
        err, "contents.parts.text", "Invalid value at 'contents.parts.text' (TYPE_STRING), 5"
    )


# --------------------------------------------------------------------------------------------
# Error kinds, with the real server's wording.


def test_unknown_field_nested_matches_recorded_message() -> None:
    # Same shape as the recorded pydantic-ai 400 (whose field has since become valid).
    body = {"contents": [{"role": "user", "parts": [{"text": "a"}, {"text": "b", "detail": "x"}]}]}
    text = (
        'Invalid JSON payload received. Unknown name "detail" at '
        "'contents[0].parts[1]': Cannot find field."
    )
    single_violation(gen_rejection(body), "contents[0].parts[1]", text)


def test_unknown_field_at_top_level_has_no_location() -> None:
    text = 'Invalid JSON payload received. Unknown name "prompt": Cannot find field.'
    single_violation(gen_rejection({"contents": HELLO, "prompt": "x"}), None, text)


def test_bad_enum_value() -> None:
    err = gen_rejection({"contents": HELLO, "generationConfig": {"responseModalities": ["FOO"]}})
    single_violation(
        err,
        "generation_config.response_modalities[0]",
        "Invalid value at 'generation_config.response_modalities[0]' "
        "(type.googleapis.com/google.ai.generativelanguage.v1beta.GenerationConfig.Modality), "
        '"FOO"',
    )


@pytest.mark.parametrize(
    ("config", "path", "label", "shown"),
    [
        ({"temperature": "hot"}, "generation_config.temperature", "TYPE_FLOAT", '"hot"'),
        ({"temperature": True}, "generation_config.temperature", "TYPE_FLOAT", "true"),
        ({"temperature": 1e39}, "generation_config.temperature", "TYPE_FLOAT", "1e+39"),
        ({"seed": 3812238859}, "generation_config.seed", "TYPE_INT32", "3812238859"),
        ({"topK": 1.5}, "generation_config.top_k", "TYPE_INT32", "1.5"),
        ({"candidateCount": "two"}, "generation_config.candidate_count", "TYPE_INT32", '"two"'),
        ({"responseMimeType": 7}, "generation_config.response_mime_type", "TYPE_STRING", "7"),
        (
            {"responseLogprobs": "true"},
            "generation_config.response_logprobs",
            "TYPE_BOOL",
            '"true"',
        ),
        ({"responseLogprobs": 1}, "generation_config.response_logprobs", "TYPE_BOOL", "1"),
        ({"stopSequences": [1]}, "generation_config.stop_sequences[0]", "TYPE_STRING", "1"),
    ],
)
def test_wrong_scalar_types(config: dict[str, Any], path: str, label: str, shown: str) -> None:
    err = gen_rejection({"contents": HELLO, "generationConfig": config})
    single_violation(err, path, f"Invalid value at '{path}' ({label}), {shown}")


def test_wrong_int64_bytes_and_double_types() -> None:
    err = rejection("CachedContent", {"model": "m", "usageMetadata": {"totalTokenCount": "x"}})
    single_violation(
        err,
        "usage_metadata.total_token_count",
        "Invalid value at 'usage_metadata.total_token_count' (TYPE_INT32), \"x\"",
    )
    err = rejection("File", {"sizeBytes": "12a"})
    single_violation(err, "size_bytes", "Invalid value at 'size_bytes' (TYPE_INT64), \"12a\"")
    err = gen_rejection({"contents": [{"parts": [{"inlineData": {"data": "a*b="}}]}]})
    single_violation(
        err,
        "contents[0].parts[0].inline_data.data",
        "Invalid value at 'contents[0].parts[0].inline_data.data' (TYPE_BYTES), "
        'Base64 decoding failed for "a*b="',
    )
    err = rejection(
        "GenerateContentResponse",
        {"candidates": [{"avgLogprobs": "low"}]},
        direction="response",
    )
    single_violation(
        err,
        "candidates[0].avg_logprobs",
        "Invalid value at 'candidates[0].avg_logprobs' (TYPE_DOUBLE), \"low\"",
    )


def test_message_field_given_a_scalar() -> None:
    err = gen_rejection({"contents": HELLO, "systemInstruction": "You are a cat"})
    single_violation(
        err,
        "system_instruction",
        "Invalid value at 'system_instruction' "
        '(type.googleapis.com/google.ai.generativelanguage.v1beta.Content), "You are a cat"',
    )
    err = gen_rejection(
        {"contents": [{"parts": [{"functionResponse": {"name": "f", "response": "ok"}}]}]}
    )
    single_violation(
        err,
        "contents[0].parts[0].function_response.response",
        "Invalid value at 'contents[0].parts[0].function_response.response' "
        '(type.googleapis.com/google.protobuf.Struct), "ok"',
    )


def test_map_value_errors_use_entry_index_paths() -> None:
    params = {"type": "OBJECT", "properties": {"a": {"type": "STRING"}, "b": "string"}}
    err = gen_rejection(
        {
            "contents": HELLO,
            "tools": [{"functionDeclarations": [{"name": "f", "parameters": params}]}],
        }
    )
    path = "tools[0].function_declarations[0].parameters.properties[1].value"
    single_violation(
        err,
        path,
        f"Invalid value at '{path}' "
        '(type.googleapis.com/google.ai.generativelanguage.v1beta.Schema), "string"',
    )


def test_object_on_scalar_list_on_singular_and_list_on_map() -> None:
    err = gen_rejection({"contents": [{"parts": [{"text": {"value": "x"}}]}]})
    single_violation(
        err,
        "contents[0].parts[0]",
        "Invalid value at 'contents[0].parts[0]' (text), Starting an object on a scalar field",
    )
    err = gen_rejection({"contents": HELLO, "generationConfig": [{"temperature": 1}]})
    single_violation(
        err,
        None,
        'Invalid JSON payload received. Unknown name "generationConfig": '
        "Proto field is not repeating, cannot start list.",
    )
    params = {"type": "OBJECT", "properties": {"x": {"type": ["string", "null"]}}}
    err = gen_rejection(
        {
            "contents": HELLO,
            "tools": [{"functionDeclarations": [{"name": "f", "parameters": params}]}],
        }
    )
    path = "tools[0].function_declarations[0].parameters.properties[0].value"
    single_violation(
        err,
        path,
        f"Invalid JSON payload received. Unknown name \"type\" at '{path}': "
        "Proto field is not repeating, cannot start list.",
    )
    err = gen_rejection(
        {
            "contents": HELLO,
            "tools": [{"functionDeclarations": [{"name": "f", "parameters": {"properties": []}}]}],
        }
    )
    path = "tools[0].function_declarations[0].parameters"
    single_violation(
        err,
        path,
        f"Invalid value at '{path}' (Map), Cannot bind a list to map for field 'properties'.",
    )


def test_oneof_members_are_exclusive() -> None:
    err = gen_rejection({"contents": [{"parts": [{"text": "a", "functionCall": {"name": "f"}}]}]})
    single_violation(
        err,
        "contents[0].parts[0]",
        "Invalid value at 'contents[0].parts[0]' (oneof), "
        "oneof field 'data' is already set. Cannot set 'functionCall'",
    )
    # Fields outside the oneof, and null members, do not count.
    gen({"contents": [{"parts": [{"text": "a", "thought": True, "thoughtSignature": "AA=="}]}]})
    gen({"contents": [{"parts": [{"text": "a", "inlineData": None}]}]})


def test_well_known_type_errors() -> None:
    err = rejection("CachedContent", {"model": "models/m", "ttl": "300"})
    single_violation(
        err,
        "ttl",
        "Invalid value at 'ttl' (type.googleapis.com/google.protobuf.Duration), "
        "Field 'ttl', Illegal duration format; duration must end with 's'",
    )
    err = rejection("CachedContent", {"model": "models/m", "expire_time": "tomorrow"})
    single_violation(
        err,
        "expire_time",
        "Invalid value at 'expire_time' (type.googleapis.com/google.protobuf.Timestamp), "
        "Field 'expire_time', Invalid time format: tomorrow",
    )


def test_all_violations_are_collected() -> None:
    err = gen_rejection(
        {
            "contents": [{"parts": [{"txt": "a"}]}],
            "generationConfig": {"temperature": "hot", "responseModalities": ["FOO"]},
            "extra": 1,
        }
    )
    descriptions = [
        "Invalid JSON payload received. Unknown name \"txt\" at 'contents[0].parts[0]': "
        "Cannot find field.",
        "Invalid value at 'generation_config.temperature' (TYPE_FLOAT), \"hot\"",
        "Invalid value at 'generation_config.response_modalities[0]' "
        "(type.googleapis.com/google.ai.generativelanguage.v1beta.GenerationConfig.Modality), "
        '"FOO"',
        'Invalid JSON payload received. Unknown name "extra": Cannot find field.',
    ]
    assert err.message == "\n".join(descriptions)
    assert err.details[0]["fieldViolations"] == [
        {"field": "contents[0].parts[0]", "description": descriptions[0]},
        {"field": "generation_config.temperature", "description": descriptions[1]},
        {"field": "generation_config.response_modalities[0]", "description": descriptions[2]},
        {"description": descriptions[3]},
    ]
    assert err.to_json()["error"]["code"] == 400


def test_root_must_be_an_object() -> None:
    text = 'Invalid JSON payload received. Unknown name "": Root element must be a message.'
    single_violation(rejection("GenerateContentRequest", [HELLO]), None, text)


# --------------------------------------------------------------------------------------------
# Required fields.


def test_missing_and_empty_contents() -> None:
    bodies: list[dict[str, Any]] = [{}, {"contents": []}, {"contents": None}]
    for body in bodies:
        err = gen_rejection(body)
        assert err.message == "* GenerateContentRequest.contents: contents is not specified\n"
        assert err.details == []
        assert err.violations == [
            ("contents", "* GenerateContentRequest.contents: contents is not specified")
        ]


def test_skip_required_and_url_fields() -> None:
    err = rejection("GenerateContentRequest", {"contents": HELLO})
    assert err.message == "* GenerateContentRequest.model: model is not specified\n"
    assert validate("GenerateContentRequest", {"contents": HELLO, "model": "models/x"})
    assert validate("GenerateContentRequest", {"contents": HELLO}, skip_required={"model"})


def test_nested_required_fields_use_proto_paths() -> None:
    err = gen_rejection(
        {
            "contents": [
                {"parts": [{"functionCall": {"args": {}}}]},
                {"parts": [{"functionResponse": {"name": "f"}}]},
            ],
            "safetySettings": [{"category": "HARM_CATEGORY_HATE_SPEECH"}],
        }
    )
    assert err.message == (
        "* GenerateContentRequest.contents[0].parts[0].function_call.name: name is not specified\n"
        "* GenerateContentRequest.contents[1].parts[0].function_response.response: "
        "response is not specified\n"
        "* GenerateContentRequest.safety_settings[0].threshold: threshold is not specified\n"
    )


def test_parse_errors_come_before_required_checks() -> None:
    err = gen_rejection({"bogus": 1})
    assert err.message == 'Invalid JSON payload received. Unknown name "bogus": Cannot find field.'


def test_unenforced_markers_and_method_skips() -> None:
    # Schema.type is "Required." but anyOf-only schemas were accepted (recorded 200s);
    # FunctionDeclaration.description is "Required." but SDKs omit it.
    gen(
        {
            "contents": HELLO,
            "tools": [{"functionDeclarations": [{"name": "f", "parameters": {"anyOf": []}}]}],
        }
    )
    patch = schema.find_method("PATCH", "/v1beta/cachedContents/abc")
    assert patch is not None and patch.method.id == "cachedContents.patch"
    assert validate("CachedContent", {"ttl": "300s"}, skip_required=patch.method.skip_required)
    err = rejection("CachedContent", {"ttl": "300s"})
    assert err.message == "* CachedContent.model: model is not specified\n"
    batch = schema.find_method("POST", "/v1beta/models/m:batchGenerateContent")
    assert batch is not None and "batch.model" in batch.method.skip_required
    err = rejection(
        "BatchGenerateContentRequest",
        {"batch": {"displayName": "b"}},
        skip_required=batch.method.skip_required,
    )
    assert err.message == (
        "* BatchGenerateContentRequest.batch.input_config: input_config is not specified\n"
    )


def test_response_direction_ignores_required_but_not_unknown_fields() -> None:
    assert validate("Model", {}, direction="response") == {}
    err = rejection("Model", {"name": "models/x", "shiny": True}, direction="response")
    assert err.message == 'Invalid JSON payload received. Unknown name "shiny": Cannot find field.'


# --------------------------------------------------------------------------------------------
# Formats.


def test_integers() -> None:
    out = gen({"contents": HELLO, "generationConfig": {"maxOutputTokens": "64", "topK": 3.0}})
    assert out["generationConfig"] == {"maxOutputTokens": 64, "topK": 3}
    out = validate("File", {"sizeBytes": 12}, direction="response")
    assert out == {"sizeBytes": "12"}
    out = validate("File", {"sizeBytes": "-0012"}, direction="response")
    assert out == {"sizeBytes": "-12"}
    err = rejection("File", {"sizeBytes": str(2**63)}, direction="response")
    assert err.message == f"Invalid value at 'size_bytes' (TYPE_INT64), \"{2**63}\""
    err = gen_rejection({"contents": HELLO, "generationConfig": {"seed": "2147483648"}})
    assert err.message == "Invalid value at 'generation_config.seed' (TYPE_INT32), \"2147483648\""


def test_floats_accept_numbers_strings_and_non_finite_names() -> None:
    for raw, expected in [(1, 1.0), ("0.5", 0.5), ("NaN", "NaN"), ("-Infinity", "-Infinity")]:
        out = gen({"contents": HELLO, "generationConfig": {"temperature": raw}})
        assert out["generationConfig"]["temperature"] == expected
    err = gen_rejection({"contents": HELLO, "generationConfig": {"temperature": "nan"}})
    assert err.message == "Invalid value at 'generation_config.temperature' (TYPE_FLOAT), \"nan\""


def test_enums() -> None:
    config = {"responseModalities": ["text", "Image", 3], "mediaResolution": 1}
    out = gen({"contents": HELLO, "generationConfig": config})
    assert out["generationConfig"] == {
        "responseModalities": ["TEXT", "IMAGE", "AUDIO"],
        "mediaResolution": "MEDIA_RESOLUTION_LOW",
    }
    # Lower-case Schema types work, as every JSON-Schema-minded client relies on.
    params = {"type": "object", "properties": {"n": {"type": "integer"}}}
    out = gen(
        {
            "contents": HELLO,
            "tools": [{"functionDeclarations": [{"name": "f", "parameters": params}]}],
        }
    )
    assert out["tools"][0]["functionDeclarations"][0]["parameters"]["type"] == "OBJECT"
    # Enum integers are proto numbers where the .proto says so: File.State FAILED is 10.
    assert validate("File", {"state": 10}, direction="response") == {"state": "FAILED"}
    err = rejection("File", {"state": 3}, direction="response")
    assert err.message == (
        "Invalid value at 'state' (type.googleapis.com/google.ai.generativelanguage.v1beta."
        "File.State), 3"
    )
    # Candidate.FinishReason numbers come from the .proto, where OTHER is 5 and LANGUAGE 6
    # although Discovery lists LANGUAGE first; ESCALATION is newer than the .proto files.
    finish = [{"finishReason": n} for n in (5, 6, 1)]
    out = validate("GenerateContentResponse", {"candidates": finish}, direction="response")
    assert [c["finishReason"] for c in out["candidates"]] == ["OTHER", "LANGUAGE", "STOP"]
    candidate = {"candidates": [{"finishReason": "ESCALATION"}]}
    assert validate("GenerateContentResponse", candidate, direction="response") == candidate
    # serviceTier values are lower case in Discovery; upper case does not match.
    assert gen({"contents": HELLO, "serviceTier": "flex"})["serviceTier"] == "flex"
    err = gen_rejection({"contents": HELLO, "serviceTier": "FLEX"})
    assert err.message.startswith("Invalid value at 'service_tier' (type.googleapis.com/")


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("/9g=", "/9g="),
        ("_9g=", "/9g="),
        ("_9g", "/9g="),
        ("aGVsbG8", "aGVsbG8="),
        ("aGVsbG8h", "aGVsbG8h"),
        ("", ""),
        (
            base64.urlsafe_b64encode(bytes(range(256))).decode(),
            base64.b64encode(bytes(range(256))).decode(),
        ),
    ],
)
def test_bytes_accepted(raw: str, normalised: str) -> None:
    out = gen({"contents": [{"parts": [{"text": "a", "thoughtSignature": raw}]}]})
    assert out["contents"][0]["parts"][0]["thoughtSignature"] == normalised


@pytest.mark.parametrize(
    "raw", ["abcde", "ab=", "QR==", "QUJ", "a b=", "ab==cd==", "+_==", "YQ==="]
)
def test_bytes_rejected(raw: str) -> None:
    err = gen_rejection({"contents": [{"parts": [{"text": "a", "thoughtSignature": raw}]}]})
    assert err.message == (
        "Invalid value at 'contents[0].parts[0].thought_signature' (TYPE_BYTES), "
        f'Base64 decoding failed for "{raw}"'
    )


@pytest.mark.parametrize("ttl", ["300s", "0s", "-1.5s", "1.000000001s", "315576000000s"])
def test_durations_accepted(ttl: str) -> None:
    assert validate("CachedContent", {"model": "m", "ttl": ttl})["ttl"] == ttl


@pytest.mark.parametrize(
    ("ttl", "reason"),
    [
        ("300", "Illegal duration format; duration must end with 's'"),
        ("5ms", "Invalid duration format, failed to parse seconds"),
        ("1.5.5s", "Invalid duration format, failed to parse nano seconds"),
        ("1.0000000001s", "Invalid duration format, failed to parse nano seconds"),
        ("315576000001s", "Duration value exceeds limits"),
        (300, "Invalid data type for duration, value is 300"),
    ],
)
def test_durations_rejected(ttl: Any, reason: str) -> None:
    err = rejection("CachedContent", {"model": "m", "ttl": ttl})
    assert err.message == (
        "Invalid value at 'ttl' (type.googleapis.com/google.protobuf.Duration), "
        f"Field 'ttl', {reason}"
    )


@pytest.mark.parametrize(
    "stamp",
    ["2030-01-01T00:00:00Z", "2030-01-01T00:00:00.123456789Z", "2030-01-01T00:00:00+00:00"],
)
def test_timestamps_accepted(stamp: str) -> None:
    assert validate("CachedContent", {"model": "m", "expireTime": stamp})["expireTime"] == stamp


@pytest.mark.parametrize(
    "stamp", ["2030-01-01", "2030-13-01T00:00:00Z", "2030-02-30T00:00:00Z", "2030-01-01 00:00:00Z"]
)
def test_timestamps_rejected(stamp: str) -> None:
    err = rejection("CachedContent", {"model": "m", "expireTime": stamp})
    assert err.message == (
        "Invalid value at 'expire_time' (type.googleapis.com/google.protobuf.Timestamp), "
        f"Field 'expireTime', Invalid time format: {stamp}"
    )


def test_booleans_are_json_booleans_only() -> None:
    out = validate("ListOperationsResponse", {"operations": [{"done": True}]}, direction="response")
    assert out == {"operations": [{"done": True}]}
    err = rejection(
        "ListOperationsResponse", {"operations": [{"done": "yes"}]}, direction="response"
    )
    assert err.message == "Invalid value at 'operations[0].done' (TYPE_BOOL), \"yes\""


# --------------------------------------------------------------------------------------------
# JSON text.


@pytest.mark.parametrize(
    ("text", "reason", "segment", "caret"),
    [
        ('{"a": NaN}', "Unexpected token.", '{"a": NaN}', 6),
        ("not json", "Unexpected token.", "not json", 0),
        ('{"a" 1}', "Expected : between key:value pair.", '{"a" 1}', 5),
        ('{"a": 1 "b": 2}', "Expected , or } after key:value pair.", '{"a": 1 "b": 2}', 8),
        ("[1 2]", "Expected , or ] after array value.", "[1 2]", 3),
        ('{"a": "x', "Closing quote expected in string.", '{"a": "x', 8),
        ('{"a": 1} x', "Parsing terminated before end of input.", '{"a": 1} x', 9),
        ('{"a": 1e999}', "Number exceeds the range of double.", '{"a": 1e999}', 6),
        ('{"a": ', "Unexpected end of string. Expected a value.", '{"a": ', 6),
        ("{'a': 1}", "Unexpected token.", "{'a': 1}", 1),
    ],
)
def test_json_syntax_errors(text: str, reason: str, segment: str, caret: int) -> None:
    with pytest.raises(RequestInvalid) as info:
        schema.parse_json_body(text.encode())
    expected = f"Invalid JSON payload received. {reason}\n{segment}\n{' ' * caret}^"
    single_violation(info.value, None, expected)


def test_json_error_context_is_twenty_characters_each_side() -> None:
    # Real answer quoted for a tool result carrying NaN: 20 characters before and after.
    text = '{"rows": [{"date": "2026-07-28", "close": NaN, "volume": 47342}]}'
    with pytest.raises(RequestInvalid) as info:
        schema.parse_json_body(text)
    assert info.value.message == (
        "Invalid JSON payload received. Unexpected token.\n"
        '26-07-28", "close": NaN, "volume": 47342\n'
        "                    ^"
    )


def test_json_decode_error_helper_and_lenient_inputs() -> None:
    try:
        json.loads('{"a": }')
    except json.JSONDecodeError as exc:
        err = schema.json_decode_error(exc)
    assert err.message == 'Invalid JSON payload received. Unexpected token.\n{"a": }\n      ^'
    assert schema.parse_json_body(b"") == {}
    assert schema.parse_json_body(b'{"text": "tab\there"}') == {"text": "tab\there"}


# --------------------------------------------------------------------------------------------
# Methods.


def test_find_method() -> None:
    cases = {
        ("POST", "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse"): (
            "models.streamGenerateContent",
            {"model": "models/gemini-2.5-flash"},
            None,
        ),
        ("GET", "/v1beta/models/gemini-2.5-flash"): (
            "models.get",
            {"name": "models/gemini-2.5-flash"},
            None,
        ),
        ("GET", "/v1beta/batches"): ("batches.list", {"name": "batches"}, None),
        ("POST", "/upload/v1beta/files"): ("media.upload", {}, "simple"),
        ("POST", "/resumable/upload/v1beta/files"): ("media.upload", {}, "resumable"),
        ("POST", "/v1beta/files"): ("media.upload", {}, None),
        ("POST", "/upload/v1beta/fileSearchStores/s1:uploadToFileSearchStore"): (
            "media.uploadToFileSearchStore",
            {"fileSearchStoreName": "fileSearchStores/s1"},
            "simple",
        ),
        ("GET", "/v1beta/fileSearchStores/s1/upload/operations/o1"): (
            "fileSearchStores.upload.operations.get",
            {"name": "fileSearchStores/s1/upload/operations/o1"},
            None,
        ),
        ("DELETE", "/v1beta/files/abc"): ("files.delete", {"name": "files/abc"}, None),
    }
    for (verb, url), (method_id, params, upload) in cases.items():
        found = schema.find_method(verb, url)
        assert found is not None, url
        assert (found.method.id, found.params, found.upload) == (method_id, params, upload)
    assert schema.find_method("GET", "/v1beta/models/x:generateContent") is None
    assert schema.find_method("POST", "/v1beta/interactions") is None
    spec = schema.find_method("POST", "/v1beta/models/m:generateContent")
    assert spec is not None
    assert spec.method.request == "GenerateContentRequest"
    assert spec.method.response == "GenerateContentResponse"
    assert spec.method.flat_path == "v1beta/models/{modelsId}:generateContent"
    assert spec.method.skip_required == ("model",)
    listing = schema.find_method("GET", "/v1beta/files")
    assert listing is not None and listing.method.query_params["pageSize"] == {
        "type": "integer",
        "format": "int32",
    }


def test_every_method_schema_is_known() -> None:
    names = schema.schema_names()
    for spec in schema.method_table():
        assert spec.response in names
        assert spec.request is None or spec.request in names


def test_validation_is_fast_enough() -> None:
    part = {"text": "x" * 200, "thoughtSignature": base64.b64encode(b"s" * 300).decode()}
    call = {"functionCall": {"name": "f", "args": {"a": [1, 2, {"b": "c"}]}}}
    body = {
        "contents": [{"role": "user", "parts": [part, call]} for _ in range(100)],
        "generationConfig": {"temperature": 0.2, "thinkingConfig": {"thinkingBudget": 10}},
        "tools": [
            {
                "functionDeclarations": [
                    {"name": f"f{i}", "parameters": {"type": "object"}} for i in range(20)
                ]
            }
        ],
    }
    start = time.perf_counter()
    for _ in range(20):
        gen(body)
    assert (time.perf_counter() - start) / 20 < 0.05


# --------------------------------------------------------------------------------------------
# Recorded exchanges with the real API.

# Every recorded successful request validates. FunctionResponsePart has only inlineData in every
# Discovery revision and in the protos, yet the real server accepted file_data parts inside
# function responses (pydantic-ai, Gemini 3 multimodal tool returns): the emulator accepts them
# too (make_discovery.BEYOND_DOCUMENT).
KNOWN_REQUEST_EXCEPTIONS: dict[str, str] = {}

# Real responses carrying fields the 20260831 revision lacks, counted per unknown name:
# PromptFeedback.blockReasonMessage (two vertexai-sdk-test-data fixtures), Model.modelStage (the
# cookbook's models.list output, on 28 of the listed models), VideoFileMetadata.videoThumbnailBytes
# (the cookbook's files.get of a video), and "tokenID" for tokenId in a generative-ai-js
# logprobs fixture (twice).
KNOWN_RESPONSE_EXCEPTIONS = Counter(
    {"modelStage": 28, "blockReasonMessage": 2, "tokenID": 2, "videoThumbnailBytes": 1}
)


def _unelide(value: Any) -> Any:
    # The recording set replaces base64 blobs over 4 KB by a digest object; put valid base64 back.
    if isinstance(value, dict):
        if "$elided_base64_bytes" in value:
            return "AAAA"
        return {k: _unelide(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unelide(v) for v in value]
    return value


def _recorded() -> list[tuple[dict[str, Any], dict[str, Any]]]:
    index = json.loads((RECORDED / "index.json").read_text(encoding="utf-8"))
    out = []
    for entry in index:
        if entry["kind"] == "http":
            exchange = json.loads((RECORDED / entry["file"]).read_text(encoding="utf-8"))
            out.append((entry, exchange))
    return out


@needs_recordings
def test_recorded_successful_requests_validate() -> None:
    checked, unknown_endpoints, exceptions = 0, Counter[str](), {}
    for entry, exchange in _recorded():
        if entry["status"] != 200 or exchange["request"].get("json") is None:
            continue
        found = schema.find_method(entry["method"], entry["url"])
        if found is None:
            unknown_endpoints[entry["path"].split("/")[2]] += 1
            continue
        assert found.method.request, entry["file"]
        body = _unelide(exchange["request"]["json"])
        try:
            validate(found.method.request, body, skip_required=found.method.skip_required)
        except RequestInvalid as err:
            exceptions[entry["file"]] = err.message
            continue
        checked += 1
    print(f"recorded 200 requests validated: {checked}")
    assert exceptions == KNOWN_REQUEST_EXCEPTIONS
    # Only the OpenAI-compatible endpoint is outside the table (the Interactions call has no
    # recorded request body).
    assert unknown_endpoints == Counter({"openai": 2})
    assert checked >= 895


@needs_recordings
def test_recorded_unknown_name_rejections_are_reproduced() -> None:
    # Every recorded "Unknown name" 400 so far is pydantic-ai's Part.mediaResolution, sent before
    # the field existed; revision 20260831 has Part.mediaResolution (V1mainMediaResolution), so
    # those bodies are now valid. Any other recorded unknown name must give the same message.
    now_valid = {"mediaResolution"}
    seen = Counter[str]()
    for entry, exchange in _recorded():
        error = (exchange["response"].get("json") or {}).get("error", {})
        if entry["status"] != 400 or "Unknown name" not in error.get("message", ""):
            continue
        found = schema.find_method(entry["method"], entry["url"])
        assert found is not None and exchange["request"].get("json") is not None
        name = re.search(r'Unknown name "([^"]+)"', error["message"])
        assert name is not None
        seen[name.group(1)] += 1
        body = _unelide(exchange["request"]["json"])
        if name.group(1) in now_valid:
            validate(found.method.request or "", body, skip_required=found.method.skip_required)
            continue
        with pytest.raises(RequestInvalid) as info:
            validate(found.method.request or "", body, skip_required=found.method.skip_required)
        assert info.value.message == error["message"]
        assert info.value.details == error["details"]
    assert seen == Counter({"mediaResolution": 4})


@needs_recordings
def test_recorded_successful_responses_validate() -> None:
    checked, unknown = 0, Counter[str]()
    for entry, exchange in _recorded():
        if entry["status"] != 200:
            continue
        found = schema.find_method(entry["method"], entry["url"])
        if found is None or found.method.response is None:
            continue
        response = exchange["response"]
        bodies = response.get("sse") or response.get("json_array_stream") or []
        if response.get("json") is not None:
            bodies = [response["json"]]
        for body in bodies:
            checked += 1
            try:
                validate(found.method.response, _unelide(body), direction="response")
            except RequestInvalid as err:
                for line in err.message.split("\n"):
                    match = re.fullmatch(
                        r'Invalid JSON payload received\. Unknown name "(\w+)".*', line
                    )
                    assert match, line  # nothing but unknown fields may fail
                    unknown[match.group(1)] += 1
    print(f"recorded 200 response bodies/events validated: {checked}")
    assert unknown == KNOWN_RESPONSE_EXCEPTIONS
    assert checked >= 1270
