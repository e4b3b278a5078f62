"""The emulator's tuned models over loopback: the job on the clock, its snapshots, the tuned
model answering by name, the recorded operation's shape, and the checks."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from gemini_nb.emulator import EmulatorServer
from tests._shared import RECORDED

EXAMPLES = [{"textInput": str(n), "output": str(n + 1)} for n in range(1, 16)]


@pytest.fixture
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer() as s:
        yield s


@pytest.fixture
def api(server: EmulatorServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url + "/v1beta/") as c:
        yield c


def create(api: httpx.Client, **extra: Any) -> dict[str, Any]:
    body = {
        "displayName": "number generator model",
        "baseModel": "models/gemini-1.5-flash-001-tuning",
        "tuningTask": {
            "hyperparameters": {"batchSize": 2, "learningRate": 0.001, "epochCount": 5},
            "trainingData": {"examples": {"examples": EXAMPLES}},
        },
        **extra,
    }
    r = api.post("tunedModels", json=body)
    assert r.status_code == 200, r.text
    data: dict[str, Any] = r.json()
    return data


def test_job_runs_on_the_clock_with_falling_loss(api: httpx.Client, server: EmulatorServer) -> None:
    op = create(api)
    model_name = op["metadata"]["tunedModel"]
    assert op["name"].startswith(model_name + "/operations/")
    assert model_name.startswith("tunedModels/number-generator-model-")
    assert op["metadata"]["totalSteps"] == 38  # ⌈15 × 5 ÷ 2⌉, as recorded
    assert api.get(model_name).json()["state"] == "CREATING"
    server.app.clock.advance(38 * 0.2 / 2)
    half = api.get(op["name"]).json()
    assert "done" not in half and 15 <= half["metadata"]["completedSteps"] <= 20
    losses = [s["meanLoss"] for s in half["metadata"]["snapshots"]]
    assert losses[-1] < losses[0]
    server.app.clock.advance(10)
    done = api.get(op["name"]).json()
    assert done["done"] is True and done["response"]["state"] == "ACTIVE"
    model = api.get(model_name).json()
    assert model["state"] == "ACTIVE" and len(model["tuningTask"]["snapshots"]) == 38
    assert {s["epoch"] for s in model["tuningTask"]["snapshots"]} == {1, 2, 3, 4, 5}


def test_the_tuned_model_answers_by_name(api: httpx.Client, server: EmulatorServer) -> None:
    name = create(api)["metadata"]["tunedModel"]
    early = api.post(f"{name}:generateContent", json={"contents": [{"parts": [{"text": "7"}]}]})
    assert early.status_code == 400
    server.app.clock.advance(60)
    r = api.post(f"{name}:generateContent", json={"contents": [{"parts": [{"text": "7"}]}]}).json()
    assert r["candidates"][0]["content"]["parts"][0]["text"] == "8"
    other = api.post(f"{name}:generateContent", json={"contents": [{"parts": [{"text": "hello"}]}]})
    assert other.status_code == 200 and other.json()["candidates"][0]["content"]["parts"]
    streamed = api.post(
        f"{name}:streamGenerateContent",
        params={"alt": "sse"},
        json={"contents": [{"parts": [{"text": "3"}]}]},
    )
    events = [
        json.loads(line[5:]) for line in streamed.text.splitlines() if line.startswith("data:")
    ]
    assert "".join(p["text"] for e in events for p in e["candidates"][0]["content"]["parts"]) == "4"


def test_list_patch_delete(api: httpx.Client, server: EmulatorServer) -> None:
    name = create(api, description="adds one")["metadata"]["tunedModel"]
    assert [m["name"] for m in api.get("tunedModels").json()["tunedModels"]] == [name]
    patched = api.patch(
        name, params={"updateMask": "displayName"}, json={"displayName": "plus one"}
    )
    assert patched.json()["displayName"] == "plus one"
    assert api.patch(name, params={"updateMask": "baseModel"}, json={}).status_code == 400
    assert api.delete(name).json() == {}
    assert api.get(name).status_code == 404


def test_checks(api: httpx.Client) -> None:
    bad_base = api.post(
        "tunedModels",
        json={
            "baseModel": "models/gemini-2.5-pro",
            "tuningTask": {"trainingData": {"examples": {"examples": EXAMPLES}}},
        },
    )
    assert (
        bad_base.status_code == 400
        and "does not support tuning" in bad_base.json()["error"]["message"]
    )
    no_examples = api.post(
        "tunedModels",
        json={
            "baseModel": "models/gemini-1.5-flash-001-tuning",
            "tuningTask": {"trainingData": {}},
        },
    )
    assert no_examples.status_code == 400
    chosen = api.post(
        "tunedModels",
        params={"tunedModelId": "my-adder"},
        json={
            "baseModel": "models/gemini-1.5-flash-001-tuning",
            "tuningTask": {"trainingData": {"examples": {"examples": EXAMPLES}}},
        },
    )
    assert chosen.json()["metadata"]["tunedModel"] == "tunedModels/my-adder"
    again = api.post(
        "tunedModels",
        params={"tunedModelId": "my-adder"},
        json={
            "baseModel": "models/gemini-1.5-flash-001-tuning",
            "tuningTask": {"trainingData": {"examples": {"examples": EXAMPLES}}},
        },
    )
    assert again.status_code == 409


def test_shape_matches_the_recorded_create(api: httpx.Client) -> None:
    path = RECORDED / "generative-ai-docs" / "model_tuning_rest_2024_04_23_321157e8_cell19__0.json"
    if not path.exists():
        pytest.skip(f"the recorded exchanges are not at {RECORDED}")
    recorded = json.loads(path.read_text())
    body = recorded["request"]["json"]
    body["base_model"] = "models/gemini-1.5-flash-001-tuning"  # the recorded 1.0 model is retired
    ours = api.post("tunedModels", json=body).json()
    want = recorded["response"]["json"]
    assert list(ours) == list(want) and list(ours["metadata"]) == list(want["metadata"])
    assert ours["metadata"]["totalSteps"] == want["metadata"]["totalSteps"]
