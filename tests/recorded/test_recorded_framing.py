"""Recorded real streams, delivered in the JSON-array framing (streamGenerateContent without
alt=sse, as Google and gateways send it), decode to the same chunks as their SSE form.

The recorded set holds the SSE form of every real stream (its ``json_array_stream`` field is
described in its README but no exchange uses it), so each stream's own events are framed as
Google frames an array: indented objects separated by ``,\\r\\n``.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

import gemini_nb as g
from tests._shared import needs_recorded
from tests.recorded._recorded import Pieces, expected_text, load, streams

pytestmark = needs_recorded


def _array_bytes(events: list[dict[str, Any]]) -> bytes:
    inner = ",\r\n".join(json.dumps(e, indent=2, ensure_ascii=False) for e in events)
    return ("[" + inner + "]").encode()


# Exchanges recorded in the array framing are used as they are (none exists yet).
CASES = streams("sse") + streams("json_array_stream")


@pytest.mark.parametrize("entry", CASES, ids=lambda e: e["file"])
def test_recorded_stream_in_json_array_framing(entry: dict[str, Any]) -> None:
    response = load(entry)["response"]
    events = response.get("json_array_stream") or response["sse"]
    payload = _array_bytes(events)
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(
            200,
            stream=Pieces(payload, 7),
            headers={"content-type": "application/json; charset=UTF-8"},
        )

    http = httpx.Client(transport=httpx.MockTransport(handler))
    client = g.Client(base_url="http://recorded.test", http_client=http)
    errors = [e for e in events if "error" in e]
    with client.models.generate_content_stream(model="gemini-2.5-flash", contents="x") as stream:
        if errors:
            with pytest.raises(g.APIStatusError) as info:
                list(stream)
            assert info.value.message == errors[0]["error"]["message"]
            assert stream.chunks_received == events.index(errors[0])
            return
        chunks = list(stream)
        final = stream.get_final_response()
    assert len(sent) == 1
    assert len(chunks) == len(events)
    assert [c.text for c in chunks] == [expected_text(e) for e in events]
    assert final.text == "".join(expected_text(e) for e in events)
    usages = [e["usageMetadata"] for e in events if "usageMetadata" in e]
    if usages:
        assert final.usage_metadata is not None
        assert final.usage_metadata.total_token_count == usages[-1].get("totalTokenCount")
