"""client.batches against a scripted server, on both clients: what create sends (inline,
file, embeddings), how the operation is read (recorded answers), wait with a progress
callback on a fake clock, results (inline and from a responses file), cancel, delete, list,
and the mistakes caught before anything is sent."""

from __future__ import annotations

import itertools
import json
from typing import Any

import httpx
import pytest

import gemini_nb as g
from gemini_nb.types import (
    AsyncBatchJob,
    BatchJob,
    InlinedEmbedContentResponse,
    InlinedRequest,
    InlinedResponse,
    JobState,
)
from tests._shared import RECORDED, needs_recorded

from ._fakes import Shell

NAME = "batches/b1"
PREFIX = "type.googleapis.com/google.ai.generativelanguage.v1main."


def _recorded(path: str) -> dict[str, Any]:
    return json.loads((RECORDED / path).read_text())["response"]["json"]  # type: ignore[no-any-return]


def operation(state: str, **meta: Any) -> dict[str, Any]:
    kind = meta.pop("kind", "GenerateContentBatch")
    body: dict[str, Any] = {
        "name": NAME,
        "metadata": {
            "@type": PREFIX + kind,
            "model": "models/gemini-2.5-flash",
            "displayName": "t",
            "createTime": "2026-01-06T11:09:11.943530657Z",
            "updateTime": "2026-01-06T11:09:11.943530657Z",
            "state": f"BATCH_STATE_{state}",
            "name": NAME,
            **meta,
        },
    }
    if state in ("SUCCEEDED", "FAILED", "CANCELLED", "EXPIRED"):
        body["done"] = True
    return body


class Server:
    """Answers the batch routes; GET {NAME} walks through ``states`` (the last repeats)."""

    def __init__(self, *states: dict[str, Any], files: dict[str, bytes] | None = None) -> None:
        self.requests: list[httpx.Request] = []
        self.bodies: list[Any] = []
        self._states = itertools.chain(states, itertools.repeat(states[-1])) if states else None
        self.files = files or {}

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        self.bodies.append(json.loads(request.content) if request.content else None)
        path = request.url.path.removeprefix("/v1beta/")
        if path.endswith((":batchGenerateContent", ":asyncBatchEmbedContent")):
            kind = "EmbedContentBatch" if "Embed" in path else "GenerateContentBatch"
            n = len(self.bodies[-1]["batch"]["inputConfig"].get("requests", {}).get("requests", []))
            return httpx.Response(
                200,
                json=operation("PENDING", kind=kind, batchStats={"requestCount": str(n or 2)}),
            )
        if path == NAME and request.method == "GET":
            assert self._states is not None
            return httpx.Response(200, json=next(self._states))
        if path == f"{NAME}:cancel" or (path == NAME and request.method == "DELETE"):
            return httpx.Response(200, json={})
        if path == "batches":
            token = request.url.params.get("pageToken")
            if token is None:
                return httpx.Response(
                    200, json={"operations": [operation("RUNNING")], "nextPageToken": "p2"}
                )
            return httpx.Response(200, json={"operations": [operation("SUCCEEDED")]})
        if path.endswith(":download") and path.removesuffix(":download") in self.files:
            return httpx.Response(200, content=self.files[path.removesuffix(":download")])
        return httpx.Response(
            404, json={"error": {"code": 404, "message": f"no {path}", "status": "NOT_FOUND"}}
        )


# ------------------------------------------------------------------ reading jobs


@needs_recorded
def test_a_recorded_inline_job_reads_as_the_sdk_reads_it() -> None:
    job = BatchJob.model_validate(
        _recorded(
            "ruby_llm/batch_with_gemini_gemini_2_5_flash_answers_staged_chats_and_appends_the_"
            "answers_to_their_conversations__26.json"
        )
    )
    assert job.name == "batches/31u18uq6dr4ods3957z38i1mbfa581k01xcq"
    assert job.state == JobState.JOB_STATE_SUCCEEDED and job.done and job.succeeded
    assert (
        job.display_name == "ruby_llm_bf7406835d85c375" and job.model == "models/gemini-2.5-flash"
    )
    assert job.end_time is not None and job.create_time is not None
    assert job.batch_stats is not None and job.batch_stats.request_count == 2
    assert job.batch_stats.successful_request_count == 2 and job.batch_stats.finished == 2
    assert job.dest is not None and job.dest.file_name is None
    answers = job.dest.inlined_responses or []
    assert [a.response.text for a in answers if a.response] == ["4", "Jupiter"]
    assert [a.metadata for a in answers] == [{"custom_id": "0"}, {"custom_id": "1"}]
    assert answers[0].response is not None and answers[0].response.usage_metadata is not None
    assert answers[0].response.usage_metadata.thoughts_token_count == 43
    assert "31u18uq6" in repr(job) and "2/2 requests done" in repr(job)


@needs_recorded
def test_a_recorded_file_job_names_its_input_and_responses_file() -> None:
    pending = BatchJob.model_validate(_recorded("DelphiGemini/further-batch_00__0.json"))
    assert pending.state == "JOB_STATE_PENDING" and not pending.done
    assert pending.src is not None and pending.src.file_name == "files/frh6ua11nk3o"
    assert pending.dest is None and pending.batch_stats.pending_request_count == 2  # type: ignore[union-attr]
    done = BatchJob.model_validate(_recorded("DelphiGemini/further-batch_01__0.json"))
    assert done.dest is not None
    assert done.dest.file_name == "files/batch-leg9wy9p5df66syjxke2eq4xfjqcwp47ejv3"
    assert done.dest.inlined_responses is None


def test_embedding_answers_and_unknown_fields() -> None:
    body = operation(
        "SUCCEEDED",
        kind="EmbedContentBatch",
        output={
            "inlinedResponses": {
                "inlinedResponses": [
                    {"response": {"embedding": {"values": [0.5, 0.25]}}, "metadata": {"key": "a"}},
                    {"error": {"code": 3, "message": "empty"}},
                ]
            }
        },
        newField={"x": 1},
    )
    job = BatchJob.model_validate(body, extra="allow")
    assert job.kind == "embeddings" and job.dest is not None
    items = job.dest.inlined_embed_content_responses or []
    assert isinstance(items[0], InlinedEmbedContentResponse) and items[0].key == "a"
    assert items[0].response is not None and items[0].response.embedding is not None
    assert items[0].response.embedding.values == [0.5, 0.25]
    assert not items[1].ok and items[1].error is not None and items[1].error.code == 3
    assert job.model_extra == {"newField": {"x": 1}}


def test_every_server_state_has_the_sdk_name() -> None:
    for state in ("PENDING", "RUNNING", "SUCCEEDED", "FAILED", "CANCELLED", "EXPIRED"):
        job = BatchJob.model_validate(operation(state))
        assert job.state == f"JOB_STATE_{state}"
        assert job.done == (state not in ("PENDING", "RUNNING"))


# ------------------------------------------------------------------ create


async def test_create_inline_sends_the_recorded_shape(kind: str) -> None:
    server = Server()
    shell = Shell(kind, server)
    job = await shell(
        lambda c: c.batches.create(
            model="gemini-2.5-flash",
            src=[
                "What is 2 + 2?",
                {"contents": "Name a planet.", "metadata": {"custom_id": "1"}},
                InlinedRequest(
                    contents=[{"role": "user", "parts": [{"text": "Hi"}]}],
                    config={"system_instruction": "Be brief.", "temperature": 0.2},
                    model="gemini-2.5-flash",
                ),
            ],
            config={"display_name": "my batch"},
        )
    )
    assert isinstance(job, AsyncBatchJob if kind == "async" else BatchJob)
    assert job.state == "JOB_STATE_PENDING" and job.name == NAME
    request = server.requests[0]
    assert request.method == "POST"
    assert request.url.path == "/v1beta/models/gemini-2.5-flash:batchGenerateContent"
    batch = server.bodies[0]["batch"]
    assert batch["displayName"] == "my batch"
    items = batch["inputConfig"]["requests"]["requests"]
    assert items[0] == {
        "request": {"contents": [{"role": "user", "parts": [{"text": "What is 2 + 2?"}]}]}
    }
    assert items[1]["metadata"] == {"custom_id": "1"}
    third = items[2]["request"]
    assert third["model"] == "models/gemini-2.5-flash"
    assert third["systemInstruction"] == {"parts": [{"text": "Be brief."}]}
    assert third["generationConfig"] == {"temperature": 0.2}


async def test_create_from_a_file_and_default_display_name(kind: str) -> None:
    server = Server()
    shell = Shell(kind, server)
    await shell(lambda c: c.batches.create(model="gemini-2.5-flash", src="files/abc"))
    await shell(
        lambda c: c.batches.create(model="models/gemini-2.5-flash", src={"file_name": "files/def"})
    )
    first, second = (b["batch"] for b in server.bodies)
    assert first["inputConfig"] == {"fileName": "files/abc"}
    assert second["inputConfig"] == {"fileName": "files/def"}
    # The API requires a display name; one is made when none is given.
    assert first["displayName"].startswith("gemini-nb batch ")


async def test_create_embeddings_sends_content_per_request(kind: str) -> None:
    server = Server()
    shell = Shell(kind, server)
    job = await shell(
        lambda c: c.batches.create_embeddings(
            model="gemini-embedding-001",
            src={
                "inlined_requests": {
                    "contents": ["a", "b"],
                    "config": {"task_type": "RETRIEVAL_DOCUMENT", "output_dimensionality": 8},
                }
            },
            config={"display_name": "emb"},
        )
    )
    assert job.kind == "embeddings"
    assert (
        server.requests[0].url.path == "/v1beta/models/gemini-embedding-001:asyncBatchEmbedContent"
    )
    items = server.bodies[0]["batch"]["inputConfig"]["requests"]["requests"]
    assert items == [
        {
            "request": {
                "content": {"role": "user", "parts": [{"text": t}]},
                "taskType": "RETRIEVAL_DOCUMENT",
                "outputDimensionality": 8,
            }
        }
        for t in ("a", "b")
    ]
    await shell(lambda c: c.batches.create_embeddings(model="gemini-embedding-001", src="files/x"))
    assert server.bodies[1]["batch"]["inputConfig"] == {"fileName": "files/x"}


@pytest.mark.parametrize(
    ("src", "config", "says"),
    [
        ([], None, "empty list"),
        ("report.jsonl", None, "not the name of an uploaded file"),
        (42, None, "must be a list of requests"),
        ({"file_name": "files/a", "inlined_requests": [{"contents": "x"}]}, None, "exactly one"),
        ([{"contents": "x", "bogus": 1}], None, "inline request 0"),
        ([{"metadata": {"k": "v"}}], None, "has no contents"),
        (["x"], {"dest": "gs://bucket/out"}, "Vertex AI"),
        (["x"], {"display_nam": "typo"}, "display_nam"),
        (["x" * (21 * 1024 * 1024)], None, "at most 20 MB inline"),
    ],
)
async def test_bad_input_is_caught_before_sending(
    kind: str, src: Any, config: Any, says: str
) -> None:
    server = Server()
    shell = Shell(kind, server)
    with pytest.raises(g.InvalidInputError, match=says):
        await shell(lambda c: c.batches.create(model="gemini-2.5-flash", src=src, config=config))
    assert server.requests == []


@pytest.mark.parametrize("name", ["", "batches/", "batches/a/b", "files/x?y", None])
async def test_bad_names_are_refused(kind: str, name: Any) -> None:
    server = Server()
    shell = Shell(kind, server)
    with pytest.raises(g.InvalidInputError):
        await shell(lambda c: c.batches.get(name=name))
    assert server.requests == []


# ------------------------------------------------------------------ wait, results


async def test_wait_polls_until_done_with_progress(kind: str, fake_time: Any) -> None:
    stats = {"requestCount": "2"}
    server = Server(
        operation("PENDING", batchStats={**stats, "pendingRequestCount": "2"}),
        operation(
            "RUNNING",
            batchStats={**stats, "successfulRequestCount": "1", "pendingRequestCount": "1"},
        ),
        operation(
            "SUCCEEDED",
            batchStats={**stats, "successfulRequestCount": "1", "failedRequestCount": "1"},
            output={
                "inlinedResponses": {
                    "inlinedResponses": [
                        {
                            "response": {
                                "candidates": [
                                    {"content": {"parts": [{"text": "4"}]}, "finishReason": "STOP"}
                                ]
                            }
                        },
                        {"error": {"code": 400, "message": "bad request"}},
                    ]
                }
            },
        ),
    )
    shell = Shell(kind, server)
    job = await shell(lambda c: c.batches.get(name="b1"))
    seen: list[tuple[str, int]] = []
    same = await shell(
        lambda c: job.wait(progress=lambda j: seen.append((j.state, j.batch_stats.finished)))
    )
    assert same is job and job.state == "JOB_STATE_SUCCEEDED"
    assert seen == [("JOB_STATE_RUNNING", 1), ("JOB_STATE_SUCCEEDED", 2)]
    assert fake_time.sleeps == [1.0, 1.5]
    results = await shell(lambda c: job.results())
    assert [type(r) for r in results] == [InlinedResponse, InlinedResponse]
    assert results[0].ok and results[0].response.text == "4"
    assert not results[1].ok and results[1].error.message == "bad request"


async def test_wait_shows_a_bar_and_times_out(
    kind: str, fake_time: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    server = Server(
        operation("RUNNING", batchStats={"requestCount": "3", "successfulRequestCount": "1"})
    )
    shell = Shell(kind, server)
    job = await shell(lambda c: c.batches.get(name=NAME))
    with pytest.raises(g.WaitTimeoutError, match="goes on on the server") as info:
        await shell(lambda c: job.wait(timeout=5))
    assert info.value.last is job and sum(fake_time.sleeps) == pytest.approx(5)
    err = capsys.readouterr().err
    assert "1/3" in err and "RUNNING" in err


async def test_results_from_a_responses_file(kind: str) -> None:
    lines = [
        {"key": "r1", "response": {"candidates": [{"content": {"parts": [{"text": "one"}]}}]}},
        {"key": "r0", "error": {"code": 3, "message": "no"}},
    ]
    data = "".join(json.dumps(x) + "\n" for x in lines).encode()
    server = Server(
        operation("SUCCEEDED", output={"responsesFile": "files/out"}), files={"files/out": data}
    )
    shell = Shell(kind, server)
    job = await shell(lambda c: c.batches.get(name=NAME))
    results = await shell(lambda c: job.results())
    assert [r.key for r in results] == ["r1", "r0"]
    assert results[0].response.text == "one" and results[1].error.code == 3
    assert server.requests[-1].url.path == "/v1beta/files/out:download"


async def test_results_of_an_unfinished_or_failed_job_say_why(kind: str) -> None:
    server = Server(operation("RUNNING"))
    shell = Shell(kind, server)
    job = await shell(lambda c: c.batches.get(name=NAME))
    with pytest.raises(g.OperationError, match=r"RUNNING.*job\.wait"):
        await shell(lambda c: job.results())
    failed = BatchJob.model_validate(
        {**operation("FAILED"), "error": {"code": 3, "message": "Line 2 is not JSON."}}
    )
    failed._client = shell.client
    with pytest.raises(g.OperationError, match=r"FAILED.*Line 2 is not JSON") as info:
        failed.results() if kind == "sync" else await failed.results()  # type: ignore[misc]
    assert info.value.code == 3


async def test_cancel_delete_and_list(kind: str) -> None:
    server = Server(operation("RUNNING"))
    shell = Shell(kind, server)
    job = await shell(lambda c: c.batches.get(name=NAME))
    assert await shell(lambda c: c.batches.cancel(name=job)) is None
    assert await shell(lambda c: job.cancel()) is None
    assert await shell(lambda c: c.batches.delete(name="b1")) is None
    methods = [(r.method, r.url.path) for r in server.requests[1:]]
    assert methods == [
        ("POST", f"/v1beta/{NAME}:cancel"),
        ("POST", f"/v1beta/{NAME}:cancel"),
        ("DELETE", f"/v1beta/{NAME}"),
    ]
    pager = await shell(lambda c: c.batches.list(page_size=1))
    jobs = await shell.items(pager)
    assert [j.state for j in jobs] == ["JOB_STATE_RUNNING", "JOB_STATE_SUCCEEDED"]
    assert all(j._client is shell.client for j in jobs)
    assert server.requests[-1].url.params["pageToken"] == "p2"
    frame = await shell(lambda c: pager.to_pandas())
    assert list(frame.columns) == [
        "name",
        "display_name",
        "state",
        "model",
        "request_count",
        "successful_request_count",
        "failed_request_count",
        "pending_request_count",
        "create_time",
        "end_time",
    ]


def test_an_unbound_job_says_how_to_get_one() -> None:
    job = BatchJob.model_validate(operation("RUNNING"))
    with pytest.raises(g.InvalidInputError, match=r"client\.batches\.get"):
        job.wait()
