"""Requests the real server accepted go out through our client unchanged.

Function responses are where the Discovery document and the server disagree: it lists only
``inlineData`` in a function response's parts and marks ``response`` required, while the real
server accepted ``fileData`` parts (Gemini 3 tools returning uploaded files) and, as the
``willContinue`` description says, an empty response. Our types follow the server.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

import gemini_nb as g
from gemini_nb.types import Content, FunctionResponse, Part, to_wire
from tests._shared import needs_recorded
from tests.recorded._recorded import index, load

pytestmark = needs_recorded


def _function_responses(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, dict):
        found = [v for k, v in value.items() if k in ("functionResponse", "function_response")]
        return found + [fr for v in value.values() for fr in _function_responses(v)]
    if isinstance(value, list):
        return [fr for v in value for fr in _function_responses(v)]
    return []


def _accepted_with_function_responses() -> list[dict[str, Any]]:
    out = []
    for entry in index():
        if entry["kind"] != "http" or entry["status"] != 200 or entry["method"] != "POST":
            continue
        if not entry["path"].endswith(":generateContent"):
            continue
        request = load(entry)["request"].get("json") or {}
        if _function_responses(request.get("contents")):
            out.append(entry)
    return out


CASES = _accepted_with_function_responses()


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(w[:1].upper() + w[1:] for w in rest)


def _wire(value: Any, free: bool = False) -> Any:
    """The canonical camelCase form; the caller's own data (call args, responses) is kept."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            key = k if free else _camel(k)
            out[key] = _wire(v, free or key in ("args", "response"))
        return out
    if isinstance(value, list):
        return [_wire(v, free) for v in value]
    return value


def test_the_set_has_media_in_function_responses() -> None:
    parts = [
        p
        for e in CASES
        for fr in _function_responses(load(e)["request"]["json"]["contents"])
        for p in fr.get("parts", [])
    ]
    assert len(CASES) >= 10
    assert any("file_data" in p or "fileData" in p for p in parts)
    assert any("inline_data" in p or "inlineData" in p for p in parts)


@pytest.mark.parametrize("entry", CASES, ids=lambda e: e["file"])
def test_recorded_contents_are_sent_as_recorded(entry: dict[str, Any]) -> None:
    exchange = load(entry)
    contents = exchange["request"]["json"]["contents"]
    sent: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(json.loads(request.content))
        return httpx.Response(200, json=exchange["response"]["json"])

    http = httpx.Client(transport=httpx.MockTransport(handler))
    with g.Client(base_url="http://recorded.test", http_client=http) as client:
        # As a caller holding typed history would pass it: Content objects.
        history = [Content.model_validate(c) for c in contents]
        client.models.generate_content(model=entry["model"] or "gemini-2.5-flash", contents=history)
    assert sent[0]["contents"] == _wire(contents)


def test_function_response_without_response_or_with_file_parts() -> None:
    done = FunctionResponse(name="watch", id="c1", will_continue=False)
    assert to_wire(Part(function_response=done)) == {
        "functionResponse": {"name": "watch", "id": "c1", "willContinue": False}
    }
    part = Part.model_validate(
        {
            "functionResponse": {
                "name": "get_file",
                "response": {},
                "parts": [
                    {
                        "fileData": {
                            "fileUri": "https://generativelanguage.googleapis.com/v1beta/files/k8",
                            "mimeType": "application/pdf",
                        }
                    }
                ],
            }
        }
    )
    assert part.function_response is not None and part.function_response.parts is not None
    file_data = part.function_response.parts[0].file_data
    assert file_data is not None and file_data.mime_type == "application/pdf"
