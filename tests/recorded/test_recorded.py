"""Every recorded real exchange parses, and what we extract equals what the server sent."""

from __future__ import annotations

import base64
import json
from collections import Counter
from typing import Any

import httpx
import pytest

import gemini_nb as g
from gemini_nb._exceptions import error_for_status
from gemini_nb._pager import _page_model
from gemini_nb.types import (
    CountTokensResponse,
    EmbedContentResponse,
    GenerateContentResponse,
    Model,
    parse_response,
)
from tests._shared import RECORDED, needs_recorded

pytestmark = needs_recorded


def _index() -> list[dict[str, Any]]:
    if not (RECORDED / "index.json").exists():
        return []
    return json.loads((RECORDED / "index.json").read_text())


INDEX = _index()


def _load(entry: dict[str, Any]) -> dict[str, Any]:
    return _unelide(json.loads((RECORDED / entry["file"]).read_text()))


def _unelide(value: Any) -> Any:
    """Put bytes of the recorded size back where the recorder elided a large base64 blob."""
    if isinstance(value, dict):
        if "$elided_base64_bytes" in value:
            return base64.b64encode(bytes(value["$elided_base64_bytes"])).decode()
        return {k: _unelide(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unelide(v) for v in value]
    return value


def _select(*features: str, body: str, status: int = 200) -> list[dict[str, Any]]:
    return [
        e
        for e in INDEX
        if e["kind"] == "http"
        and e["status"] == status
        and e["response_body"] == body
        and any(f in e["features"] for f in features)
        and "interactions" not in e["features"]
        and "openaiCompat" not in e["features"]
    ]


GENERATE = _select("generateContent", body="json")
STREAMS = _select("streamGenerateContent", body="sse")


def _expected_text(raw: dict[str, Any]) -> str:
    cands = raw.get("candidates") or []
    parts = ((cands[0].get("content") or {}).get("parts") or []) if cands else []
    return "".join(p["text"] for p in parts if "text" in p and not p.get("thought"))


def _norm(value: Any) -> Any:
    return _strip_nulls(json.loads(json.dumps(value)))


def test_the_set_is_large_enough() -> None:
    assert len(GENERATE) > 500 and len(STREAMS) > 100


@pytest.mark.parametrize("entry", GENERATE, ids=lambda e: e["file"])
def test_generate_content_response(entry: dict[str, Any]) -> None:
    raw = _load(entry)["response"]["json"]
    r = parse_response(GenerateContentResponse, json.dumps(raw))
    assert r.text == _expected_text(raw)
    cand0 = (raw.get("candidates") or [{}])[0]
    assert r.finish_reason == cand0.get("finishReason")
    usage = raw.get("usageMetadata") or {}
    got = r.usage_metadata
    assert (got.prompt_token_count if got else None) == usage.get("promptTokenCount")
    assert (got.total_token_count if got else None) == usage.get("totalTokenCount")
    assert (got.thoughts_token_count if got else None) == usage.get("thoughtsTokenCount")
    assert r.model_version == raw.get("modelVersion")
    raw_calls = [
        p["functionCall"]
        for p in (cand0.get("content") or {}).get("parts", [])
        if "functionCall" in p
    ]
    assert [(c.name, c.args) for c in r.function_calls] == [
        (c["name"], c.get("args", {})) for c in raw_calls
    ]
    # Nothing is lost: the model serialises back to the same JSON, unknown fields included.
    assert _norm(r.model_dump(mode="json", exclude_none=True)) == _strip_nulls(raw)


def _strip_nulls(value: Any) -> Any:
    # proto3: null, [] and {} all mean "not set".
    if isinstance(value, dict):
        out = {k: _strip_nulls(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if v is not None and v != [] and v != {}}
    if isinstance(value, list):
        return [_strip_nulls(v) for v in value]
    return value


def _sse_bytes(events: list[dict[str, Any]]) -> bytes:
    return b"".join(b"data: " + json.dumps(e).encode() + b"\r\n\r\n" for e in events)


@pytest.mark.parametrize("entry", STREAMS, ids=lambda e: e["file"])
def test_sse_stream_through_the_client(entry: dict[str, Any]) -> None:
    events = _load(entry)["response"]["sse"]
    payload = _sse_bytes(events)

    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.params["alt"] == "sse"
        # Deliver the body in awkward 7-byte pieces.
        return httpx.Response(
            200, stream=_Pieces(payload, 7), headers={"content-type": "text/event-stream"}
        )

    client = g.Client(
        base_url="http://recorded.test",
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
    )
    errors = [e for e in events if "error" in e]
    with client.models.generate_content_stream(model="gemini-2.5-flash", contents="x") as stream:
        if errors:
            with pytest.raises(g.APIStatusError):
                list(stream)
            return
        chunks = list(stream)
        final = stream.get_final_response()
    assert len(chunks) == len(events)
    assert "".join(c.text for c in chunks) == "".join(_expected_text(e) for e in events)
    assert final.text == "".join(_expected_text(e) for e in events)
    last_reason = [
        c.get("finishReason")
        for e in events
        for c in e.get("candidates", [])
        if c.get("finishReason")
    ]
    assert final.finish_reason == (last_reason[-1] if last_reason else None)
    usages = [e["usageMetadata"] for e in events if "usageMetadata" in e]
    if usages:
        assert final.usage_metadata is not None
        assert final.usage_metadata.total_token_count == usages[-1].get("totalTokenCount")


class _Pieces(httpx.SyncByteStream):
    def __init__(self, data: bytes, size: int) -> None:
        self.data, self.size = data, size

    def __iter__(self) -> Any:
        for i in range(0, len(self.data), self.size):
            yield self.data[i : i + self.size]


@pytest.mark.parametrize("entry", _select("countTokens", body="json"), ids=lambda e: e["file"])
def test_count_tokens(entry: dict[str, Any]) -> None:
    raw = _load(entry)["response"]["json"]
    r = parse_response(CountTokensResponse, raw)
    assert r.total_tokens == raw["totalTokens"]
    details = raw.get("promptTokensDetails")
    if details:
        assert [(d.modality, d.token_count) for d in r.prompt_tokens_details or []] == [
            (d.get("modality"), d.get("tokenCount")) for d in details
        ]


@pytest.mark.parametrize(
    "entry", _select("batchEmbedContents", body="json"), ids=lambda e: e["file"]
)
def test_batch_embeddings(entry: dict[str, Any]) -> None:
    raw = _load(entry)["response"]["json"]
    r = parse_response(EmbedContentResponse, raw)
    assert r.values == [e["values"] for e in raw["embeddings"]]


@pytest.mark.parametrize("entry", _select("models.list", body="json"), ids=lambda e: e["file"])
def test_models_list(entry: dict[str, Any]) -> None:
    raw = _load(entry)["response"]["json"]
    page: Any = parse_response(_page_model(Model, "models"), raw)
    assert [m.name for m in page.models] == [m["name"] for m in raw["models"]]
    assert [m.input_token_limit for m in page.models] == [
        m.get("inputTokenLimit") for m in raw["models"]
    ]
    assert page.next_page_token == raw.get("nextPageToken")
    assert page.models[0].model_extra == {
        k: v for k, v in raw["models"][0].items() if k == "modelStage"
    }


ERRORS = [
    e
    for e in INDEX
    if e["kind"] == "http" and (e["status"] or 0) >= 400 and e["response_body"] == "json"
]
CLASSES = {
    400: g.BadRequestError,
    403: g.PermissionDeniedError,
    404: g.NotFoundError,
    429: g.RateLimitError,
}


@pytest.mark.parametrize("entry", ERRORS, ids=lambda e: e["file"])
def test_error_bodies(entry: dict[str, Any]) -> None:
    raw = _load(entry)["response"]["json"]
    err = error_for_status(entry["status"], raw)
    expected = CLASSES[entry["status"]]
    reasons = [d.get("reason") for d in raw["error"].get("details", [])]
    if "API_KEY_INVALID" in reasons:
        expected = g.AuthenticationError
    assert type(err) is expected
    assert (err.status_code, err.status, err.message) == (
        raw["error"]["code"],
        raw["error"]["status"],
        raw["error"]["message"],
    )
    assert err.details == raw["error"].get("details", [])


def test_coverage_of_the_set() -> None:
    kinds = Counter(f for e in GENERATE + STREAMS for f in e["features"])
    for feature in (
        "functionCall",
        "thinking",
        "groundingMetadata",
        "codeExecution",
        "structuredOutput",
    ):
        assert kinds[feature] > 0, feature
