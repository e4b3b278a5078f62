"""The Live setup from a LiveConnectConfig (google-genai's field names), the URL and the
handshake headers: pure code, no server."""

from __future__ import annotations

from typing import Any

import pytest

from gemini_nb import InvalidInputError
from gemini_nb._config import Secret, resolve_settings
from gemini_nb._live import build_setup, connect_headers, live_url
from gemini_nb.types import (
    FunctionDeclaration,
    LiveConnectConfig,
    SessionResumptionConfig,
    SpeechConfig,
)

MODEL = "gemini-2.5-flash-native-audio-latest"


def setup_of(config: Any, handle: str | None = None) -> dict[str, Any]:
    return build_setup(MODEL, config).setup_dict(handle)


def test_minimal_setup_asks_for_resumption() -> None:
    assert setup_of(None) == {"model": f"models/{MODEL}", "sessionResumption": {}}


def get_weather(city: str) -> str:
    """The weather in a city.

    Args:
        city: The city's name.
    """
    return f"Foggy in {city}"


def test_every_sdk_field_lands_where_the_sdk_puts_it() -> None:
    config = {
        "response_modalities": ["audio"],
        "temperature": 0.2,
        "top_p": 0.9,
        "top_k": 20,
        "max_output_tokens": 100,
        "media_resolution": "MEDIA_RESOLUTION_LOW",
        "seed": 7,
        "speech_config": "Kore",
        "thinking_config": {"thinking_budget": 0},
        "enable_affective_dialog": True,
        "translation_config": {"targetLanguageCode": "fr"},
        "system_instruction": "Be brief.",
        "tools": [get_weather, "google_search"],
        "input_audio_transcription": {},
        "output_audio_transcription": {"language_codes": ["en-US"]},
        "realtime_input_config": {
            "automatic_activity_detection": {
                "disabled": False,
                "start_of_speech_sensitivity": "START_SENSITIVITY_LOW",
                "silence_duration_ms": 500,
            },
            "activity_handling": "NO_INTERRUPTION",
        },
        "context_window_compression": {
            "trigger_tokens": 25600,
            "sliding_window": {"target_tokens": 12800},
        },
        "proactivity": {"proactive_audio": True},
        "history_config": {"initial_history_in_client_content": True},
        "safety_settings": [{"category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_NONE"}],
        "labels": {"team": "a"},
    }
    setup = setup_of(config)
    assert setup["generationConfig"] == {
        "responseModalities": ["AUDIO"],
        "temperature": 0.2,
        "topP": 0.9,
        "topK": 20,
        "maxOutputTokens": 100,
        "mediaResolution": "MEDIA_RESOLUTION_LOW",
        "seed": 7,
        "thinkingConfig": {"thinkingBudget": 0},
        "enableAffectiveDialog": True,
        "translationConfig": {"targetLanguageCode": "fr"},
        "speechConfig": {"voiceConfig": {"prebuiltVoiceConfig": {"voiceName": "Kore"}}},
    }
    assert setup["systemInstruction"] == {"parts": [{"text": "Be brief."}]}
    [declarations, search] = setup["tools"]
    assert search == {"googleSearch": {}}
    [weather] = declarations["functionDeclarations"]
    assert weather["name"] == "get_weather" and weather["description"] == "The weather in a city."
    assert (
        weather["parametersJsonSchema"]["properties"]["city"]["description"] == "The city's name."
    )
    assert setup["inputAudioTranscription"] == {}
    assert setup["outputAudioTranscription"] == {"languageCodes": ["en-US"]}
    assert setup["realtimeInputConfig"] == {
        "automaticActivityDetection": {
            "disabled": False,
            "startOfSpeechSensitivity": "START_SENSITIVITY_LOW",
            "silenceDurationMs": 500,
        },
        "activityHandling": "NO_INTERRUPTION",
    }
    assert setup["contextWindowCompression"] == {
        "triggerTokens": 25600,
        "slidingWindow": {"targetTokens": 12800},
    }
    assert setup["proactivity"] == {"proactiveAudio": True}
    assert setup["historyConfig"] == {"initialHistoryInClientContent": True}
    assert setup["safetySettings"] == [
        {"category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_NONE"}
    ]
    assert setup["labels"] == {"team": "a"}
    assert setup["sessionResumption"] == {}


def test_python_tools_are_run_and_declarations_are_not() -> None:
    declared = FunctionDeclaration(name="turn_on_lights", description="Lights on.")
    live = build_setup(MODEL, {"tools": [get_weather, declared]})
    assert set(live.functions) == {"get_weather"} and live.tool_timeout == 60.0
    names = [d["name"] for d in live.setup["tools"][0]["functionDeclarations"]]
    assert names == ["get_weather", "turn_on_lights"]
    off = build_setup(
        MODEL, {"tools": [get_weather], "automatic_function_calling": {"disable": True}}
    )
    # Turned off: still declared, but the calls come to you.
    assert off.functions == {}
    assert off.setup["tools"][0]["functionDeclarations"][0]["name"] == "get_weather"
    timed = build_setup(
        MODEL, {"tools": [get_weather], "automatic_function_calling": {"timeout": 5}}
    )
    assert timed.tool_timeout == 5


@pytest.mark.parametrize(
    ("resumption", "handle", "expected"),
    [
        (None, None, {}),
        (True, None, {}),
        ({}, "later", {"handle": "later"}),
        (SessionResumptionConfig(handle="h1"), None, {"handle": "h1"}),
    ],
)
def test_session_resumption_is_on_unless_turned_off(
    resumption: Any, handle: str | None, expected: dict[str, Any]
) -> None:
    live = build_setup(MODEL, LiveConnectConfig(session_resumption=resumption))
    assert live.resumption
    assert live.setup_dict(handle or live.handle)["sessionResumption"] == expected


def test_session_resumption_false_leaves_it_out() -> None:
    live = build_setup(MODEL, {"session_resumption": False})
    assert not live.resumption and "sessionResumption" not in live.setup_dict("ignored")


def test_deprecated_generation_config_and_camel_case_dicts() -> None:
    setup = setup_of(
        {
            "generationConfig": {"temperature": 0.5},
            "responseModalities": ["TEXT"],
            "speech_config": SpeechConfig(language_code="en-US"),
        }
    )
    assert setup["generationConfig"] == {
        "temperature": 0.5,
        "responseModalities": ["TEXT"],
        "speechConfig": {"languageCode": "en-US"},
    }


def test_extra_body_reaches_the_setup() -> None:
    setup = setup_of(
        {"http_options": {"extra_body": {"generationConfig": {"newKnob": 1}}}, "temperature": 0.1}
    )
    assert setup["generationConfig"] == {"temperature": 0.1, "newKnob": 1}


def test_google_genai_config_objects_are_taken() -> None:
    from google.genai import types as sdk

    config = sdk.LiveConnectConfig(
        response_modalities=[sdk.Modality.AUDIO],
        speech_config=sdk.SpeechConfig(
            voice_config=sdk.VoiceConfig(
                prebuilt_voice_config=sdk.PrebuiltVoiceConfig(voice_name="Puck")
            )
        ),
        session_resumption=sdk.SessionResumptionConfig(handle="abc"),
        input_audio_transcription=sdk.AudioTranscriptionConfig(),
    )
    live = build_setup(MODEL, config)
    assert live.setup["generationConfig"] == {
        "responseModalities": ["AUDIO"],
        "speechConfig": {"voiceConfig": {"prebuiltVoiceConfig": {"voiceName": "Puck"}}},
    }
    assert live.handle == "abc" and live.setup["inputAudioTranscription"] == {}


@pytest.mark.parametrize(
    ("config", "words"),
    [
        ({"temprature": 0.2}, "temprature"),
        ({"explicit_vad_signal": True}, "explicit_vad_signal"),
        ({"temperature": "hot"}, "temperature"),
        (
            {"speech_config": {"multi_speaker_voice_config": {"speaker_voice_configs": []}}},
            "one voice",
        ),
        ({"tools": [42]}, "tool"),
        ({"session_resumption": {"handle": "h", "transparent": True}}, "transparent"),
        ("audio", "LiveConnectConfig"),
    ],
)
def test_bad_configs_are_refused_before_connecting(config: Any, words: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        build_setup(MODEL, config)
    assert words in str(info.value)


def test_bad_model_names_are_refused() -> None:
    with pytest.raises(InvalidInputError, match="not a model name"):
        build_setup("models/../x", None)


@pytest.mark.parametrize(
    ("base", "url"),
    [
        (
            "http://127.0.0.1:8000",
            "ws://127.0.0.1:8000/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent",
        ),
        (
            "https://generativelanguage.googleapis.com/",
            "wss://generativelanguage.googleapis.com/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent",
        ),
        (
            "https://proxy.example/gemini",
            "wss://proxy.example/gemini/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent",
        ),
    ],
)
def test_url_scheme_follows_the_base_url(base: str, url: str) -> None:
    assert live_url(base, "v1beta", "BidiGenerateContent") == url


def test_handshake_headers_carry_the_key_or_the_token_never_both() -> None:
    settings = resolve_settings(api_key="AIzaKEY-0123456789abcdefghij", headers={"x-extra": "1"})
    headers = connect_headers(settings, None, {"x-call": "2"})
    assert headers["x-goog-api-key"] == "AIzaKEY-0123456789abcdefghij"
    assert headers["x-extra"] == "1" and headers["x-call"] == "2"
    assert "authorization" not in headers and headers["x-goog-api-client"].startswith("gemini-nb/")
    token = connect_headers(settings, Secret("auth_tokens/abc"), None)
    assert token["authorization"] == "Token auth_tokens/abc" and "x-goog-api-key" not in token
    keyless = connect_headers(resolve_settings(base_url="http://127.0.0.1:9"), None, None)
    assert "x-goog-api-key" not in keyless and "authorization" not in keyless
