"""The emulator's Batch API over loopback: the state machine on the clock, inline and file input,
per-request errors, cancel, delete, embeddings, the recorded shapes, and the official SDK."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from gemini_nb.emulator import EmulatorServer
from tests._shared import RECORDED

GEN = "models/gemini-2.5-flash:batchGenerateContent"


@pytest.fixture
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer() as s:
        yield s


@pytest.fixture
def api(server: EmulatorServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url + "/v1beta/") as c:
        yield c


def inline(*texts: str, **extra: Any) -> dict[str, Any]:
    return {
        "batch": {
            "displayName": "nightly",
            "inputConfig": {
                "requests": {
                    "requests": [
                        {
                            "request": {"contents": [{"role": "user", "parts": [{"text": t}]}]},
                            "metadata": {"key": str(i)},
                        }
                        for i, t in enumerate(texts)
                    ]
                }
            },
            **extra,
        }
    }


def upload(api: httpx.Client, server: EmulatorServer, data: bytes) -> str:
    start = httpx.post(
        server.url + "/upload/v1beta/files",
        json={"file": {"displayName": "in.jsonl"}},
        headers={
            "x-goog-upload-protocol": "resumable",
            "x-goog-upload-command": "start",
            "x-goog-upload-header-content-length": str(len(data)),
            "x-goog-upload-header-content-type": "application/jsonl",
        },
    )
    done = httpx.post(
        start.headers["x-goog-upload-url"],
        content=data,
        headers={"x-goog-upload-command": "upload, finalize", "x-goog-upload-offset": "0"},
    )
    name: str = done.json()["file"]["name"]
    return name


def test_lifecycle_on_the_clock(api: httpx.Client, server: EmulatorServer) -> None:
    texts = [f"What is {i} + {i}?" for i in range(10)]
    created = api.post(GEN, json=inline(*texts)).json()
    name, meta = created["name"], created["metadata"]
    assert name.startswith("batches/") and "done" not in created
    assert meta["state"] == "BATCH_STATE_PENDING" and meta["name"] == name
    assert meta["batchStats"] == {"requestCount": "10", "pendingRequestCount": "10"}
    server.app.clock.advance(5 + 1.5)  # running, half-way through its 3 s of work
    running = api.get(name).json()["metadata"]
    assert running["state"] == "BATCH_STATE_RUNNING"
    assert running["batchStats"] == {
        "requestCount": "10",
        "successfulRequestCount": "5",
        "pendingRequestCount": "5",
    }
    server.app.clock.advance(2)
    done = api.get(name).json()
    assert done["done"] is True and done["metadata"]["state"] == "BATCH_STATE_SUCCEEDED"
    assert done["metadata"]["batchStats"] == {"requestCount": "10", "successfulRequestCount": "10"}
    answers = done["response"]["inlinedResponses"]["inlinedResponses"]
    assert [a["metadata"]["key"] for a in answers] == [str(i) for i in range(10)]
    assert "**0**" in answers[0]["response"]["candidates"][0]["content"]["parts"][0]["text"]
    assert done["metadata"]["output"] == {k: v for k, v in done["response"].items() if k != "@type"}
    assert done["metadata"]["endTime"] >= done["metadata"]["createTime"]


def test_a_bad_request_fails_alone(api: httpx.Client, server: EmulatorServer) -> None:
    body = inline("Hello")
    body["batch"]["inputConfig"]["requests"]["requests"].append(
        {"request": {"model": "models/gemini-2.5-pro", "contents": [{"parts": [{"text": "x"}]}]}}
    )
    name = api.post(GEN, json=body).json()["name"]
    server.app.clock.advance(60)
    done = api.get(name).json()
    assert done["metadata"]["batchStats"] == {
        "requestCount": "2",
        "successfulRequestCount": "1",
        "failedRequestCount": "1",
    }
    failed = done["response"]["inlinedResponses"]["inlinedResponses"][1]
    assert failed["error"]["code"] == 400 and "must be the batch's" in failed["error"]["message"]


def test_file_input_gives_a_responses_file(api: httpx.Client, server: EmulatorServer) -> None:
    lines = [
        {"key": f"row-{i}", "request": {"contents": [{"parts": [{"text": f"Say {i}"}]}]}}
        for i in range(3)
    ]
    file = upload(api, server, "\n".join(json.dumps(x) for x in lines).encode())
    created = api.post(
        GEN, json={"batch": {"displayName": "f", "inputConfig": {"fileName": file}}}
    ).json()
    assert created["metadata"]["inputConfig"] == {"fileName": file}
    server.app.clock.advance(60)
    done = api.get(created["name"]).json()
    out = done["response"]["responsesFile"]
    assert out.startswith("files/") and done["metadata"]["output"] == {"responsesFile": out}
    got = httpx.get(
        server.url + f"/v1beta/{out}:download", params={"alt": "media"}, follow_redirects=True
    )
    rows = [json.loads(line) for line in got.text.splitlines()]
    assert [r["key"] for r in rows] == ["row-0", "row-1", "row-2"]
    assert all("candidates" in r["response"] for r in rows)


def test_a_file_that_is_not_jsonl_fails_the_job(api: httpx.Client, server: EmulatorServer) -> None:
    file = upload(api, server, b'{"key": "a", "request": {}}\nnot json\n')
    name = api.post(
        GEN, json={"batch": {"displayName": "f", "inputConfig": {"fileName": file}}}
    ).json()["name"]
    server.app.clock.advance(6)
    failed = api.get(name).json()
    assert failed["metadata"]["state"] == "BATCH_STATE_FAILED" and failed["done"] is True
    assert "Line 2" in failed["error"]["message"]


def test_cancel_delete_and_list(api: httpx.Client, server: EmulatorServer) -> None:
    first = api.post(GEN, json=inline("a")).json()["name"]
    second = api.post(GEN, json=inline("b")).json()["name"]
    assert api.post(f"{first}:cancel").json() == {}
    cancelled = api.get(first).json()
    assert cancelled["metadata"]["state"] == "BATCH_STATE_CANCELLED" and cancelled["done"] is True
    listed = api.get("batches", params={"pageSize": 1}).json()
    assert [o["name"] for o in listed["operations"]] == [second]
    rest = api.get("batches", params={"pageSize": 1, "pageToken": listed["nextPageToken"]}).json()
    assert [o["name"] for o in rest["operations"]] == [first]
    assert api.delete(first).json() == {}
    assert api.get(first).status_code == 404


def test_input_checks(api: httpx.Client) -> None:
    both = inline("a")
    both["batch"]["inputConfig"]["fileName"] = "files/x"
    assert api.post(GEN, json=both).status_code == 400
    huge = inline("x" * (21 * 1024 * 1024))
    r = api.post(GEN, json=huge)
    assert r.status_code == 400 and "JSONL file" in r.json()["error"]["message"]
    assert (
        api.post("models/no-such-model:batchGenerateContent", json=inline("a")).status_code == 404
    )


def test_embeddings_batch(api: httpx.Client, server: EmulatorServer) -> None:
    body = {
        "batch": {
            "displayName": "e",
            "inputConfig": {
                "requests": {
                    "requests": [
                        {"request": {"content": {"parts": [{"text": t}]}}} for t in ("cat", "dog")
                    ]
                }
            },
        }
    }
    created = api.post("models/gemini-embedding-001:asyncBatchEmbedContent", json=body).json()
    assert created["metadata"]["@type"].endswith("EmbedContentBatch")
    server.app.clock.advance(60)
    done = api.get(created["name"]).json()
    vectors = [
        r["response"]["embedding"]["values"]
        for r in done["response"]["inlinedResponses"]["inlinedResponses"]
    ]
    assert len(vectors) == 2 and len(vectors[0]) == 3072 and vectors[0] != vectors[1]


def test_shapes_match_the_recorded_batches(api: httpx.Client, server: EmulatorServer) -> None:
    path = RECORDED / "ruby_llm"
    if not path.exists():
        pytest.skip(f"the recorded exchanges are not at {RECORDED}")
    stem = "batch_with_gemini_gemini_2_5_flash_answers_staged_chats_and_appends_the_answers_to_their_conversations"
    recorded = [json.loads((path / f"{stem}__{n}.json").read_text()) for n in (0, 26)]
    created = api.post(GEN, json=recorded[0]["request"]["json"]).json()
    assert list(created["metadata"]) == list(recorded[0]["response"]["json"]["metadata"])
    server.app.clock.advance(60)
    done = api.get(created["name"]).json()
    want = recorded[1]["response"]["json"]
    assert list(done) == list(want)
    assert list(done["metadata"]) == list(want["metadata"])
    assert list(done["metadata"]["batchStats"]) == list(want["metadata"]["batchStats"])


def test_official_sdk_batches(server: EmulatorServer) -> None:
    genai = pytest.importorskip("google.genai")
    from google.genai import types

    client = genai.Client(api_key="AIzaEMULATORKEY", http_options={"base_url": server.url})
    try:
        job = client.batches.create(
            model="gemini-2.5-flash",
            src=[types.InlinedRequest(contents="What is 3 + 4?", metadata={"key": "k1"})],
            config=types.CreateBatchJobConfig(display_name="sdk"),
        )
        assert job.state == types.JobState.JOB_STATE_PENDING and job.display_name == "sdk"
        server.app.clock.advance(60)
        got = client.batches.get(name=job.name)
        assert got.state == types.JobState.JOB_STATE_SUCCEEDED
        assert "7" in got.dest.inlined_responses[0].response.text
        assert [b.name for b in client.batches.list()] == [job.name]
        other = client.batches.create(
            model="gemini-2.5-flash",
            src=[types.InlinedRequest(contents="x")],
            config=types.CreateBatchJobConfig(display_name="other"),
        )
        client.batches.cancel(name=other.name)
        assert client.batches.get(name=other.name).state == types.JobState.JOB_STATE_CANCELLED
        client.batches.delete(name=other.name)
        emb = client.batches.create_embeddings(
            model="gemini-embedding-001",
            src=types.EmbeddingsBatchJobSource(
                inlined_requests=types.EmbedContentBatch(contents=["one", "two"])
            ),
            config=types.CreateEmbeddingsBatchJobConfig(display_name="emb"),
        )
        server.app.clock.advance(60)
        assert client.batches.get(name=emb.name).state == types.JobState.JOB_STATE_SUCCEEDED
    finally:
        client.close()
