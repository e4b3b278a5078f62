"""The SSE decoder, fed the same stream split at every byte boundary."""

from __future__ import annotations

import json

import pytest

from gemini_nb._sse import SSEDecoder

EVENTS = [
    {"candidates": [{"content": {"parts": [{"text": "Hello\u2028wörld 🌍"}], "role": "model"}}]},
    {"candidates": [{"content": {"parts": [{"text": ' {braces} "quoted" '}]}}]},
    {"usageMetadata": {"promptTokenCount": 3, "totalTokenCount": 9}},
]


def frame(events: list[dict], sep: bytes) -> bytes:
    return b"".join(
        b"data: " + json.dumps(e, ensure_ascii=False).encode() + sep + sep for e in events
    )


def decode(chunks: list[bytes]) -> list[dict]:
    d = SSEDecoder()
    out: list[str] = []
    for c in chunks:
        out.extend(d.feed(c))
    out.extend(d.close())
    return [json.loads(e) for e in out]


@pytest.mark.parametrize("sep", [b"\n", b"\r\n", b"\r"], ids=["LF", "CRLF", "CR"])
def test_joined(sep: bytes) -> None:
    assert decode([frame(EVENTS, sep)]) == EVENTS


@pytest.mark.parametrize("sep", [b"\n", b"\r\n", b"\r"], ids=["LF", "CRLF", "CR"])
def test_split_at_every_boundary(sep: bytes) -> None:
    data = frame(EVENTS, sep)
    for cut in range(1, len(data)):
        assert decode([data[:cut], data[cut:]]) == EVENTS, cut


def test_one_byte_at_a_time() -> None:
    data = frame(EVENTS, b"\r\n")
    assert decode([data[i : i + 1] for i in range(len(data))]) == EVENTS


def test_multiline_data_and_other_fields() -> None:
    stream = b'event: message\nid: 7\n: a comment\ndata: {"a":\ndata: 1}\n\nretry: 10\n\n'
    assert decode([stream]) == [{"a": 1}]


def test_data_without_space() -> None:
    assert decode([b'data:{"x":2}\n\n']) == [{"x": 2}]


def test_final_event_without_blank_line() -> None:
    assert decode([b'data: {"x":1}\n\ndata: {"y":2}']) == [{"x": 1}, {"y": 2}]


def test_unframed_json_error_body() -> None:
    body = b'{\n  "error": {\n    "code": 500,\n    "message": "a } in a string"\n  }\n}\n'
    assert decode([body[:7], body[7:]]) == [{"error": {"code": 500, "message": "a } in a string"}}]


def test_u2028_is_not_a_line_break() -> None:
    # httpx.iter_lines splits on U+2028; SSE must not (the official SDK hit this).
    text = "a\u2028b\u2029c\x85d"
    assert decode([frame([{"t": text}], b"\n")]) == [{"t": text}]


def test_huge_event_in_tiny_pieces_is_linear() -> None:
    import time

    event = {"data": "A" * 2_000_000}
    data = frame([event], b"\r\n")
    start = time.perf_counter()
    assert decode([data[i : i + 7] for i in range(0, len(data), 7)]) == [event]
    assert time.perf_counter() - start < 2.0


MIXED = (
    b'data: {"a": 1}\r\n\r\n'
    b'data: {"b":\n'
    b"data: 2}\n\n"
    b": a comment\r\n"
    b'event: x\r\ndata: {"c": 3}\r\n\r\n'
    b'{"error": {"code": 500,\n "message": "{not a brace}"}}\n\n'
    b'data: {"d": "\xe2\x80\xa8"}\r\r'
    b'data:{"e": 5}\n\n'
)


def test_whole_event_fast_path_agrees_with_line_by_line() -> None:
    # Fed whole, most events are cut out in one pass; fed a byte at a time, every line goes
    # through the line-by-line path. Both must see the same events, wherever the cuts fall.
    one_by_one = decode([MIXED[i : i + 1] for i in range(len(MIXED))])
    assert [list(e) for e in one_by_one] == [["a"], ["b"], ["c"], ["error"], ["d"], ["e"]]
    assert decode([MIXED]) == one_by_one
    for cut in range(1, len(MIXED)):
        assert decode([MIXED[:cut], MIXED[cut:]]) == one_by_one, cut
