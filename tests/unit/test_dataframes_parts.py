"""The pure pieces of DataFrame jobs: prompt templates, the rate limiter on a fake clock, the
checkpoint file, the streaming JSONL writer, and how records become typed columns."""

from __future__ import annotations

import enum
import itertools
import json
import math
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import pytest
from pydantic import BaseModel

import gemini_nb as g
from gemini_nb.dataframes import Checkpoint, JsonlWriter, PromptTemplate, RateLimiter
from gemini_nb.dataframes._records import Output, embed_record, generate_record

# ------------------------------------------------------------------ templates


def test_template_fills_columns_in_row_order() -> None:
    df = pd.DataFrame(
        {"title": ["A", "B", None], "body": ["x", float("nan"), "z"], "n": [1, 2, 3]},
        index=[10, 5, 7],
    )
    t = PromptTemplate("{title}: {body} ({n}) {{literal}}")
    assert t.columns == ["title", "body", "n"]
    assert t.fill(df) == ["A: x (1) {literal}", "B:  (2) {literal}", ": z (3) {literal}"]


def test_template_attribute_and_index_access() -> None:
    df = pd.DataFrame({"tags": [["red", "blue"], ["green"]], "n": [1.5, 2.25]})
    assert PromptTemplate("{tags[0]} {n:.1f}").fill(df) == ["red 1.5", "green 2.2"]


def test_a_function_gets_the_row() -> None:
    df = pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})
    t = PromptTemplate(lambda row: f"{row['b']}{row['a'] * 10}")
    assert t.fill(df) == ["x10", "y20"]


@pytest.mark.parametrize(
    ("prompt", "says"),
    [
        ("{}", "positional field"),
        ("{0}", "positional field"),
        ("no fields at all", "names no column"),
        ("{title", "not a valid template"),
        (42, "must be a template string"),
    ],
)
def test_template_mistakes(prompt: Any, says: str) -> None:
    with pytest.raises(g.InvalidInputError, match=says):
        PromptTemplate(prompt)


def test_an_unknown_column_lists_the_columns() -> None:
    t = PromptTemplate("{titel}: {body}")
    with pytest.raises(g.InvalidInputError, match=r"\{titel\}, which is not a column.*'title'"):
        t.check(["title", "body"])


# ------------------------------------------------------------------ rate limiter


def _run_limiter(limiter: RateLimiter, seconds: float, tokens: int = 1) -> list[float]:
    """Ask as often as allowed on a fake clock; the times requests went."""
    now, sent = 0.0, []
    while now < seconds:
        wait = limiter.reserve(tokens, now)
        if wait == 0:
            sent.append(now)
        else:
            now += wait
    return sent


def test_rpm_never_exceeded_in_any_minute_and_spread_out() -> None:
    sent = _run_limiter(RateLimiter(rpm=120), 300)
    for i, t in enumerate(sent):
        in_window = sum(1 for u in sent[i:] if u < t + 60)
        assert in_window <= 120
    assert len(sent) >= 0.98 * 120 * 5  # and the limit is used
    gaps = [b - a for a, b in itertools.pairwise(sent[2:])]
    assert min(gaps) == pytest.approx(60 / 118, rel=0.01)  # paced, not a burst per minute


def test_tpm_paces_by_tokens_and_settles_to_the_real_count() -> None:
    limiter = RateLimiter(tpm=6000)
    sent = _run_limiter(limiter, 120, tokens=500)
    for i, t in enumerate(sent):
        assert sum(500 for u in sent[i:] if u < t + 60) <= 6000
    limiter = RateLimiter(tpm=6000)
    assert limiter.reserve(100, 0.0) == 0.0
    limiter.settle(estimated=100, actual=100 + 5000)  # it was much longer than thought
    assert limiter.reserve(100, 0.0) > 40  # the debt is paid off first


def test_a_request_larger_than_the_bucket_goes_when_it_is_full() -> None:
    limiter = RateLimiter(tpm=600)  # 10 tokens a second, 10 in the bucket
    assert limiter.reserve(1000, 0.0) == 0.0
    wait = limiter.reserve(5, 0.0)
    assert wait == pytest.approx(100 + 0.5, rel=0.05)


def test_a_429_pauses_everything_then_starts_empty() -> None:
    limiter = RateLimiter(rpm=60)
    assert limiter.reserve(1, 0.0) == 0.0
    limiter.pause(7.0, 1.0)
    assert limiter.reserve(1, 2.0) == pytest.approx(6.0)
    assert limiter.reserve(1, 8.0) > 0  # the bucket restarted empty at 8.0
    assert limiter.pauses == 1
    free = RateLimiter()
    assert free.reserve(10**9, 0.0) == 0.0
    free.pause(3.0, 0.0)
    assert free.reserve(1, 1.0) == pytest.approx(2.0)
    assert free.reserve(1, 3.0) == 0.0


@pytest.mark.parametrize("bad", [0, -5, "60", True, math.nan])
def test_limits_must_be_positive_numbers(bad: Any) -> None:
    with pytest.raises(g.InvalidInputError, match="rpm must be a positive number"):
        RateLimiter(rpm=bad)


# ------------------------------------------------------------------ checkpoint


def test_checkpoint_appends_and_reopens(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "job.jsonl"
    with Checkpoint(path, {"kind": "generate"}) as cp:
        cp.add("1#aa", {"text": "one"})
        cp.add("2#bb", {"text": "twø", "error": None})
        assert len(cp) == 2
    with Checkpoint(path, {"kind": "generate"}) as cp:
        assert sorted(cp.keys()) == ["1#aa", "2#bb"] and "1#aa" in cp and "3#cc" not in cp
        assert cp.get("1#aa") == {"text": "one"}
        assert cp.get("2#bb") == {"text": "twø", "error": None}
        cp.add("3#cc", {"text": "three"})
    lines = path.read_text().splitlines()
    assert json.loads(lines[0])["gemini_nb_checkpoint"] == 1 and len(lines) == 4


def test_a_line_cut_by_a_crash_is_dropped(tmp_path: Path) -> None:
    path = tmp_path / "job.jsonl"
    with Checkpoint(path, {}) as cp:
        cp.add("a", {"text": "kept"})
    with path.open("ab") as fh:
        fh.write(b'{"k":"b","r":{"text":"cut sh')
    with Checkpoint(path, {}) as cp:
        assert list(cp.keys()) == ["a"]
        cp.add("c", {"text": "after"})
    with Checkpoint(path, {}) as cp:
        assert sorted(cp.keys()) == ["a", "c"] and cp.get("c") == {"text": "after"}


def test_a_file_that_is_not_a_checkpoint_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "notes.jsonl"
    other.write_text('{"hello": 1}\n')
    with pytest.raises(g.InvalidInputError, match="not a gemini-nb checkpoint"):
        Checkpoint(other, {})
    assert other.read_text() == '{"hello": 1}\n'
    with pytest.raises(g.InvalidInputError, match="is a folder"):
        Checkpoint(tmp_path, {})


# ------------------------------------------------------------------ JSONL writer


def _requests(n: int) -> Iterator[dict[str, Any]]:
    for i in range(n):
        yield {"contents": [{"role": "user", "parts": [{"text": f"Review {i}: " + "word " * 40}]}]}


def test_the_writer_streams_to_disk(tmp_path: Path) -> None:
    writer = JsonlWriter(tmp_path)
    tracemalloc.start()
    try:
        for i, request in enumerate(_requests(20_000)):
            writer.add(i, request)
        files = writer.close()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    (only,) = files
    assert only.count == 20_000 and only.first == 0
    assert only.size == Path(only.path).stat().st_size > 4_000_000
    assert peak < 1_000_000  # the 4 MB file was never held in memory
    with open(only.path) as fh:
        for i, line in enumerate(fh):
            row = json.loads(line)
            assert row["key"] == str(i) and row["request"]["contents"][0]["parts"][0][
                "text"
            ].startswith(f"Review {i}:")


def test_the_writer_splits_at_the_job_limits(tmp_path: Path) -> None:
    writer = JsonlWriter(tmp_path, max_requests=4)
    for i, request in enumerate(_requests(10)):
        writer.add(i, request)
    assert [(f.first, f.count) for f in writer.close()] == [(0, 4), (4, 4), (8, 2)]

    line = len(json.dumps({"key": "0", "request": next(_requests(1))}, separators=(",", ":")))
    (tmp_path / "b").mkdir()
    writer = JsonlWriter(tmp_path / "b", max_bytes=line * 3 + 10)
    for i, request in enumerate(_requests(7)):
        writer.add(i, request)
    files = writer.close()
    assert [f.count for f in files] == [3, 3, 1]
    assert all(f.size <= line * 3 + 10 for f in files)
    assert len({f.sha256 for f in files}) == 3
    with pytest.raises(ValueError, match="in order"):
        JsonlWriter(tmp_path).add(1, {})


def test_a_row_too_big_for_any_file_says_so(tmp_path: Path) -> None:
    writer = JsonlWriter(tmp_path, max_bytes=100)
    with pytest.raises(g.InvalidInputError, match="row 0"):
        writer.add(0, {"contents": "x" * 200})


# ------------------------------------------------------------------ records and columns


class Sentiment(enum.Enum):
    POSITIVE = "positive"
    NEGATIVE = "negative"


class Verdict(BaseModel):
    label: Sentiment
    score: int
    confidence: float | None = None
    sarcastic: bool
    note: str
    kind: Literal["a", "b"] = "a"


def _answer(text: str, finish: str = "STOP") -> dict[str, Any]:
    return {
        "candidates": [
            {
                "content": {"parts": [{"text": "thinking…", "thought": True}, {"text": text}]},
                "finishReason": finish,
            }
        ],
        "usageMetadata": {
            "promptTokenCount": 5,
            "candidatesTokenCount": 7,
            "thoughtsTokenCount": 3,
            "totalTokenCount": 15,
        },
    }


def test_a_record_keeps_text_finish_tokens_and_errors() -> None:
    rec = generate_record(_answer("hello"))
    assert rec == {
        "text": "hello",
        "finish_reason": "STOP",
        "prompt_tokens": 5,
        "output_tokens": 7,
        "thinking_tokens": 3,
        "total_tokens": 15,
    }
    blocked = generate_record({"promptFeedback": {"blockReason": "SAFETY"}})
    assert blocked["error"] == "prompt blocked: SAFETY" and blocked["text"] == ""
    assert generate_record(_answer("", "SAFETY"))["error"] == "no text: finish reason SAFETY"


def test_schema_fields_become_typed_columns() -> None:
    from gemini_nb._convert import build_generate_request, coerce_config

    _, fmt = build_generate_request("x", coerce_config({"response_schema": Verdict}), tools=None)
    out = Output("generate", schema=Verdict, fmt=fmt, prefix="g_")
    good = json.dumps(
        {
            "label": "positive",
            "score": 4,
            "confidence": 0.9,
            "sarcastic": False,
            "note": "fine",
            "kind": "b",
        }
    )
    records = [
        generate_record(_answer(good)),
        generate_record(_answer('{"label": "meh"}')),
        {"error": "400 INVALID_ARGUMENT: bad"},
        None,
    ]
    frame = out.frame(records, pd.Index(["a", "b", "c", "d"]))
    assert list(frame.columns) == [
        "g_label",
        "g_score",
        "g_confidence",
        "g_sarcastic",
        "g_note",
        "g_kind",
        "g_text",
        "g_finish_reason",
        "g_prompt_tokens",
        "g_output_tokens",
        "g_thinking_tokens",
        "g_total_tokens",
        "g_error",
    ]
    assert str(frame["g_score"].dtype) == "Int64" and str(frame["g_confidence"].dtype) == "Float64"
    assert str(frame["g_sarcastic"].dtype) == "boolean" and str(frame["g_label"].dtype) == "string"
    assert frame.loc["a", "g_label"] == "positive" and frame.loc["a", "g_score"] == 4
    assert pd.isna(frame.loc["a", "g_error"])
    assert frame.loc["b", "g_error"].startswith("the answer is not a valid Verdict")
    assert pd.isna(frame.loc["b", "g_score"])
    assert frame.loc["c", "g_error"] == "400 INVALID_ARGUMENT: bad"
    assert frame.loc["d", "g_error"] == "no answer"
    with pytest.raises(g.InvalidInputError, match="prefix="):
        Output("generate", schema=Verdict, fmt=fmt).check_input(["score", "x"])


def test_embeddings_are_float32_vectors() -> None:
    out = Output("embed")
    frame = out.frame([embed_record([0.5, -1.25, 3.0]), {"error": "no"}], pd.RangeIndex(2))
    vector = frame["embedding"][0]
    assert vector.dtype == "float32" and vector.tolist() == [0.5, -1.25, 3.0]
    assert frame["embedding"][1] is None and frame["error"][1] == "no"
