"""Shared helpers for the emulator tool-behaviour tests (requests, checks, running code)."""

from __future__ import annotations

import contextlib
import io
import sys
import types
from typing import Any

import jsonschema

from gemini_nb.emulator.model.tools.turn import ToolTurn
from gemini_nb.emulator.wire.schema import validate

FLASH = "gemini-2.5-flash"
GEMINI3 = "gemini-3-flash-preview"
OLD = "gemini-2.0-flash"


def request(
    prompt: str | None,
    tools: list[dict[str, Any]],
    *,
    config: dict[str, Any] | None = None,
    contents: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "contents": contents
        if contents is not None
        else [{"role": "user", "parts": [{"text": prompt}]}],
        "tools": tools,
    }
    if config:
        body["toolConfig"] = config
    return body


def functions(*decls: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"functionDeclarations": list(decls)}]


def mode(name: str, allowed: list[str] | None = None) -> dict[str, Any]:
    config: dict[str, Any] = {"mode": name}
    if allowed:
        config["allowedFunctionNames"] = allowed
    return {"functionCallingConfig": config}


def calls(turn: ToolTurn | None) -> list[dict[str, Any]]:
    assert turn is not None
    return [p["functionCall"] for p in turn.parts if "functionCall" in p]


def text_of(turn: ToolTurn) -> str:
    return "".join(p["text"] for p in turn.parts if "text" in p)


def candidate(turn: ToolTurn) -> dict[str, Any]:
    cand: dict[str, Any] = {
        "content": {"role": "model", "parts": turn.parts},
        "finishReason": turn.finish_reason,
    }
    if turn.finish_message:
        cand["finishMessage"] = turn.finish_message
    if turn.grounding_metadata is not None:
        cand["groundingMetadata"] = turn.grounding_metadata
    if turn.url_context_metadata is not None:
        cand["urlContextMetadata"] = turn.url_context_metadata
    return cand


def check_wire_shape(turn: ToolTurn) -> None:
    """Every part and metadata dict uses only Discovery field names (the validator refuses others)."""
    validate("Candidate", candidate(turn), direction="response")
    for part in turn.parts:
        validate("Part", part, direction="response")
    if turn.grounding_metadata is not None:
        validate("GroundingMetadata", turn.grounding_metadata, direction="response")
    if turn.url_context_metadata is not None:
        validate("UrlContextMetadata", turn.url_context_metadata, direction="response")


def openapi_to_jsonschema(node: dict[str, Any]) -> dict[str, Any]:
    """The test's own reading of the API's OpenAPI-style Schema, for checking with jsonschema."""
    out: dict[str, Any] = {}
    kind = node.get("type")
    if kind:
        out["type"] = kind.lower() if not node.get("nullable") else [kind.lower(), "null"]
    for key in ("enum", "pattern", "minimum", "maximum", "required", "format"):
        if key in node and not (key == "format" and node[key] == "enum"):
            out[key] = node[key]
    for key in ("minLength", "maxLength", "minItems", "maxItems"):
        if key in node:
            out[key] = int(node[key])
    if "properties" in node:
        out["properties"] = {k: openapi_to_jsonschema(v) for k, v in node["properties"].items()}
    if "items" in node:
        out["items"] = openapi_to_jsonschema(node["items"])
    if "anyOf" in node:
        out["anyOf"] = [openapi_to_jsonschema(v) for v in node["anyOf"]]
    return out


def assert_args_valid(decl: dict[str, Any], args: dict[str, Any]) -> None:
    if "parametersJsonSchema" in decl:
        schema = decl["parametersJsonSchema"]
    elif "parameters" in decl:
        schema = openapi_to_jsonschema(decl["parameters"])
    else:
        assert args == {}
        return
    jsonschema.validate(args, schema, format_checker=jsonschema.FormatChecker())


class _AnyAttribute(types.ModuleType):
    def __getattr__(self, name: str) -> Any:
        return lambda *args, **kwargs: None


def run_program(code: str) -> tuple[str, BaseException | None]:
    """Run generated code here in the test (never in the emulator), with a stand-in matplotlib."""
    pyplot = _AnyAttribute("matplotlib.pyplot")
    matplotlib = types.ModuleType("matplotlib")
    matplotlib.pyplot = pyplot  # type: ignore[attr-defined]
    saved = {k: sys.modules.get(k) for k in ("matplotlib", "matplotlib.pyplot")}
    sys.modules["matplotlib"], sys.modules["matplotlib.pyplot"] = matplotlib, pyplot
    out = io.StringIO()
    error: BaseException | None = None
    try:
        with contextlib.redirect_stdout(out):
            exec(compile(code, "<string>", "exec"), {"__name__": "__main__"})
    except Exception as exc:
        error = exc
    finally:
        for key, value in saved.items():
            if value is None:
                sys.modules.pop(key, None)
            else:
                sys.modules[key] = value
    return out.getvalue(), error


def segment_text(text: str, support: dict[str, Any]) -> str:
    seg = support["segment"]
    return text.encode("utf-8")[seg.get("startIndex", 0) : seg["endIndex"]].decode("utf-8")


def assert_supports_exact(turn: ToolTurn) -> None:
    metadata = turn.grounding_metadata or {}
    text = text_of(turn)
    chunks = metadata.get("groundingChunks", [])
    for support in metadata.get("groundingSupports", []):
        assert segment_text(text, support) == support["segment"]["text"]
        assert "startIndex" not in support["segment"] or support["segment"]["startIndex"] > 0
        assert support["groundingChunkIndices"]
        assert all(0 <= i < len(chunks) for i in support["groundingChunkIndices"])
        if "confidenceScores" in support:
            assert len(support["confidenceScores"]) == len(support["groundingChunkIndices"])
            assert all(0 <= s <= 1 for s in support["confidenceScores"])
