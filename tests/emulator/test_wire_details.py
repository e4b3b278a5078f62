"""Emulator behaviours checked against the real API's answers: log probabilities, the URL
context tool's limit, and the shape of the recorded logprobs answer."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from tests._shared import RECORDED

GEN = "/v1beta/models/gemini-2.5-flash:generateContent"


def ask(emulator: Any, text: str, **config: Any) -> httpx.Response:
    body = {
        "contents": [{"role": "user", "parts": [{"text": text}]}],
        "generationConfig": {"thinkingConfig": {"thinkingBudget": 0}, **config},
    }
    return httpx.post(emulator.url + GEN, json=body)


def test_logprobs_follow_the_answer(emulator: Any) -> None:
    cand = ask(emulator, "Say hello to Ada", responseLogprobs=True, logprobs=4).json()[
        "candidates"
    ][0]
    text = cand["content"]["parts"][0]["text"]
    result = cand["logprobsResult"]
    chosen = result["chosenCandidates"]
    assert "".join(c["token"] for c in chosen) == text
    assert all(c["logProbability"] <= 0 and isinstance(c["tokenId"], int) for c in chosen)
    assert cand["avgLogprobs"] == pytest.approx(
        sum(c["logProbability"] for c in chosen) / len(chosen), abs=1e-5
    )
    assert result["logProbabilitySum"] == pytest.approx(
        sum(c["logProbability"] for c in chosen), abs=1e-5
    )
    assert len(result["topCandidates"]) == len(chosen)
    for top, pick in zip(result["topCandidates"], chosen, strict=True):
        probs = [c["logProbability"] for c in top["candidates"]]
        assert (
            top["candidates"][0] == pick
            and len(probs) == 4
            and probs == sorted(probs, reverse=True)
        )
    again = ask(emulator, "Say hello to Ada", responseLogprobs=True, logprobs=4).json()[
        "candidates"
    ][0]
    assert again["logprobsResult"] == result  # deterministic


def test_logprobs_without_top_and_without_asking(emulator: Any) -> None:
    cand = ask(emulator, "Hi", responseLogprobs=True).json()["candidates"][0]
    assert (
        "topCandidates" not in cand["logprobsResult"] and cand["logprobsResult"]["chosenCandidates"]
    )
    assert "logprobsResult" not in ask(emulator, "Hi").json()["candidates"][0]


@pytest.mark.parametrize("config", [{"logprobs": 3}, {"responseLogprobs": True, "logprobs": 21}])
def test_bad_logprobs_settings_are_400s(emulator: Any, config: dict[str, Any]) -> None:
    r = ask(emulator, "Hi", **config)
    assert r.status_code == 400 and "logprobs" in r.json()["error"]["message"]


def test_url_context_takes_at_most_twenty_urls(emulator: Any) -> None:
    urls = " ".join(f"https://example.com/page-{i}" for i in range(21))
    body = {
        "contents": [{"role": "user", "parts": [{"text": f"Compare {urls}"}]}],
        "tools": [{"urlContext": {}}],
    }
    r = httpx.post(emulator.url + GEN, json=body)
    recorded = (
        RECORDED / "vertexai-sdk-test-data" / "unary-failure-url-context-url-limit-exceeded__0.json"
    )
    want = (
        json.loads(recorded.read_text())["response"]["json"]
        if recorded.exists()
        else {
            "error": {
                "code": 400,
                "status": "INVALID_ARGUMENT",
                "message": "Number of urls to lookup exceeds the limit (21 > 20). Please reduce the "
                "number of urls in the request.",
            }
        }
    )
    assert r.status_code == 400 and r.json() == want
    body["contents"][0]["parts"][0]["text"] = "Compare " + " ".join(urls.split()[:20])
    assert httpx.post(emulator.url + GEN, json=body).status_code == 200


def test_logprobs_answer_has_the_recorded_shape(emulator: Any) -> None:
    path = RECORDED / "generative-ai-js" / "unary-success-logprobs__0.json"
    if not path.exists():
        pytest.skip(f"the recorded exchanges are not at {RECORDED}")
    recorded = json.loads(path.read_text())["response"]["json"]["candidates"][0]
    ours = ask(
        emulator, "Tell me about quantum mechanics", responseLogprobs=True, logprobs=1
    ).json()
    cand = ours["candidates"][0]
    assert set(recorded["logprobsResult"]) <= set(cand["logprobsResult"])
    for key in ("token", "logProbability"):
        assert key in cand["logprobsResult"]["chosenCandidates"][0]
    assert isinstance(cand["avgLogprobs"], float)
