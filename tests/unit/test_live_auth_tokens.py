"""Ephemeral tokens: the request google-genai's CreateAuthTokenConfig becomes (field masks
included), sent to v1alpha by both clients."""

from __future__ import annotations

import inspect
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

import gemini_nb as g
from gemini_nb.resources.auth_tokens import auth_token_body, field_mask

MODEL = "gemini-2.5-flash-native-audio-latest"
CONSTRAINTS = {"model": MODEL, "config": {"response_modalities": ["AUDIO"], "temperature": 0.7}}


def test_times_uses_and_the_locked_setup() -> None:
    later = datetime.now(UTC) + timedelta(minutes=30)
    body, _ = auth_token_body(
        {
            "uses": 1,
            "expire_time": later,
            "new_session_expire_time": later.isoformat(),
            "live_connect_constraints": CONSTRAINTS,
        }
    )
    assert body["uses"] == 1
    assert body["expireTime"].endswith("Z") and body["expireTime"] == body["newSessionExpireTime"]
    assert body["bidiGenerateContentSetup"] == {
        "model": f"models/{MODEL}",
        "generationConfig": {"responseModalities": ["AUDIO"], "temperature": 0.7},
        "sessionResumption": {},
    }
    assert "fieldMask" not in body  # None: the whole setup is locked


@pytest.mark.parametrize(
    ("lock", "mask"),
    [
        (None, None),
        (
            [],
            "model,generationConfig.responseModalities,generationConfig.temperature,sessionResumption",
        ),
        (
            ["temperature", "system_instruction"],
            "model,generationConfig.responseModalities,generationConfig.temperature,sessionResumption,"
            "generationConfig.temperature,systemInstruction",
        ),
    ],
)
def test_field_masks_follow_the_official_sdk(lock: list[str] | None, mask: str | None) -> None:
    body, _ = auth_token_body(
        {"live_connect_constraints": CONSTRAINTS, "lock_additional_fields": lock}
    )
    assert body.get("fieldMask") == mask


def test_field_mask_goes_one_level_down_and_camel_cases_names() -> None:
    setup = {
        "model": "m",
        "generationConfig": {"temperature": 1},
        "tools": [],
        "sessionResumption": {},
    }
    assert field_mask(setup, []) == "model,generationConfig.temperature,tools,sessionResumption"
    assert field_mask({"model": "m"}, ["response_modalities", "realtime_input_config"]) == (
        "model,generationConfig.responseModalities,realtimeInputConfig"
    )


@pytest.mark.parametrize(
    ("config", "words"),
    [
        ({"expire_time": datetime(2001, 1, 1, tzinfo=UTC)}, "not in the future"),
        ({"new_session_expire_time": "tomorrow"}, "ISO 8601"),
        ({"uses": -1}, "uses"),
        ({"live_connect_constraints": {"config": {"temperature": 1}}}, "needs the model"),
        ({"lock_additional_fields": ["temperature"]}, "needs live_connect_constraints"),
        ({"live_connect_constraints": {"model": MODEL, "config": {"bogus": 1}}}, "bogus"),
    ],
)
def test_bad_token_configs_are_refused(config: dict[str, Any], words: str) -> None:
    with pytest.raises(g.InvalidInputError) as info:
        auth_token_body(config)
    assert words in str(info.value)


async def test_both_clients_post_to_v1alpha_with_the_key(kind: str) -> None:
    seen: list[httpx.Request] = []
    keys: list[str | None] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        keys.append(request.headers.get("x-goog-api-key"))
        return httpx.Response(
            200,
            json={
                "name": "auth_tokens/abc",
                "expireTime": "2030-01-01T00:00:00Z",
                "newSessionExpireTime": "2030-01-01T00:00:00Z",
                "somethingNew": 1,
            },
        )

    key = "AIzaKEY-0123456789abcdefghijklm"
    transport = httpx.MockTransport(handler)
    client: Any
    if kind == "sync":
        client = g.Client(
            api_key=key, base_url="http://t.test", http_client=httpx.Client(transport=transport)
        )
    else:
        client = g.AsyncClient(
            api_key=key,
            base_url="http://t.test",
            http_client=httpx.AsyncClient(transport=transport),
        )
    token = client.auth_tokens.create(
        config={"uses": 2, "live_connect_constraints": {"model": MODEL}}
    )
    if inspect.isawaitable(token):
        token = await token
    assert isinstance(token, g.types.AuthToken) and token.name == "auth_tokens/abc"
    assert token.model_extra == {"somethingNew": 1}
    [request] = seen
    assert request.method == "POST" and str(request.url) == "http://t.test/v1alpha/auth_tokens"
    assert keys == [key]
    assert json.loads(request.content) == {
        "uses": 2,
        "bidiGenerateContentSetup": {"model": f"models/{MODEL}", "sessionResumption": {}},
    }
