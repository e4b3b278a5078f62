"""ChunkMerger: streamed chunks merge into the answer a non-streamed call gives."""

from __future__ import annotations

from typing import Any

from gemini_nb._streaming import ChunkMerger
from gemini_nb.types import GenerateContentResponse, parse_response


def merged(*chunks: dict[str, Any]) -> dict[str, Any]:
    m = ChunkMerger()
    for c in chunks:
        m.add(parse_response(GenerateContentResponse, c))
    assert len(m) == len(chunks)
    return m.result().model_dump(mode="json", exclude_none=True)


def cand(*parts: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"candidates": [{"content": {"role": "model", "parts": list(parts)}, **extra}]}


def test_text_deltas_join_and_latest_metadata_wins() -> None:
    out = merged(
        {
            **cand({"text": "Hel"}, index=0),
            "usageMetadata": {"totalTokenCount": 3},
            "modelVersion": "m1",
            "responseId": "r",
        },
        {**cand({"text": "lo"}, index=0), "usageMetadata": {"totalTokenCount": 5}},
        {**cand({"text": "!"}, index=0, finishReason="STOP")},
    )
    assert out == {
        "candidates": [
            {
                "content": {"role": "model", "parts": [{"text": "Hello!"}]},
                "finishReason": "STOP",
                "index": 0,
            }
        ],
        "usageMetadata": {"totalTokenCount": 5},
        "modelVersion": "m1",
        "responseId": "r",
    }


def test_thoughts_calls_and_signatures_keep_their_own_parts() -> None:
    out = merged(
        cand({"text": "think ", "thought": True}),
        cand({"text": "more", "thought": True, "thoughtSignature": "c2ln"}),
        cand({"text": "after the signature", "thought": True}),
        cand({"text": "Answer"}),
        cand({"functionCall": {"name": "f", "args": {"x": 1}}}),
        cand({"text": "tail"}),
    )
    assert out["candidates"][0]["content"]["parts"] == [
        {"text": "think more", "thought": True, "thoughtSignature": "c2ln"},
        {"text": "after the signature", "thought": True},
        {"text": "Answer"},
        {"functionCall": {"name": "f", "args": {"x": 1}}},
        {"text": "tail"},
    ]


def test_citations_accumulate_candidates_by_index_and_unknown_fields_are_kept() -> None:
    source = {"startIndex": 0, "endIndex": 2, "uri": "https://a.example"}
    out = merged(
        {
            "candidates": [
                {"index": 1, "content": {"parts": [{"text": "B"}]}},
                {
                    "index": 0,
                    "content": {"parts": [{"text": "A"}]},
                    "citationMetadata": {"citationSources": [source]},
                },
            ],
            "futureTopLevel": 1,
        },
        {
            "candidates": [
                {
                    "index": 0,
                    "content": {"parts": [{"text": "a"}]},
                    "citationMetadata": {"citationSources": [{**source, "startIndex": 1}]},
                    "futureField": {"x": 1},
                }
            ]
        },
    )
    first, second = out["candidates"]
    assert first["content"]["parts"] == [{"text": "Aa"}]
    assert [s["startIndex"] for s in first["citationMetadata"]["citationSources"]] == [0, 1]
    assert first["futureField"] == {"x": 1}
    assert second["index"] == 1 and second["content"]["parts"] == [{"text": "B"}]
    assert out["futureTopLevel"] == 1


def test_result_is_repeatable_and_later_chunks_still_merge() -> None:
    m = ChunkMerger()
    m.add(parse_response(GenerateContentResponse, cand({"text": "a"})))
    assert m.result().text == "a"
    m.add(parse_response(GenerateContentResponse, cand({"text": "b"})))
    assert m.result().text == "ab"
    assert m.result().text == "ab"


def test_decode_events_keeps_the_chunks_before_a_bad_event() -> None:
    import json

    import pytest

    from gemini_nb._exceptions import ServerError
    from gemini_nb._streaming import decode_events

    good = [json.dumps(cand({"text": t})) for t in ("a", "b", "c")]
    chunks, failure = decode_events(good)
    assert [c.text for c in chunks] == ["a", "b", "c"] and failure is None

    body = {"error": {"code": 500, "message": "boom", "status": "INTERNAL"}}
    for error in (json.dumps(body), json.dumps(body, indent=2), json.dumps([body])):
        chunks, failure = decode_events([good[0], good[1], error, good[2]])
        assert [c.text for c in chunks] == ["a", "b"]
        assert isinstance(failure, ServerError) and "boom" in str(failure)

    chunks, failure = decode_events([good[0], "{not json", good[1]])
    assert [c.text for c in chunks] == ["a"]
    with pytest.raises(Exception, match="not a valid GenerateContentResponse"):
        raise failure  # type: ignore[misc]
