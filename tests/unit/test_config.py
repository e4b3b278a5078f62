"""Settings precedence: argument, then environment, then default; the key never shows."""

from __future__ import annotations

import logging
import pickle

import pytest

import gemini_nb._config as config
from gemini_nb import Client, ConfigurationError
from gemini_nb._config import DEFAULT_BASE_URL, Secret, resolve_settings

KEY = "AIzaSECRETSECRETSECRETSECRET0000000000"


def test_argument_beats_environment() -> None:
    s = resolve_settings(api_key=KEY, environ={"GEMINI_API_KEY": "other"})
    assert s.api_key == Secret(KEY) and s.key_source == "argument"


@pytest.mark.parametrize("var", ["GEMINI_API_KEY", "GOOGLE_API_KEY"])
def test_key_from_either_variable(var: str) -> None:
    s = resolve_settings(environ={var: f"  {KEY}\n"})
    assert s.api_key is not None and s.api_key.reveal() == KEY
    assert s.key_source == var


def test_both_set_google_wins_and_is_said_once(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(config, "_warned_both_keys", False)
    env = {"GEMINI_API_KEY": "gemini-key", "GOOGLE_API_KEY": "google-key"}
    with caplog.at_level(logging.WARNING, logger="gemini_nb"):
        s1 = resolve_settings(environ=env)
        s2 = resolve_settings(environ=env)
    assert s1.api_key.reveal() == s2.api_key.reveal() == "google-key"  # type: ignore[union-attr]
    msgs = [r.getMessage() for r in caplog.records]
    assert len(msgs) == 1 and "using GOOGLE_API_KEY" in msgs[0]
    assert "google-key" not in msgs[0] and "gemini-key" not in msgs[0]


def test_no_key_no_base_url_says_what_to_do() -> None:
    with pytest.raises(ConfigurationError) as info:
        resolve_settings(environ={})
    msg = str(info.value)
    assert "GEMINI_API_KEY" in msg and "gemini-nb-emulator --port 0" in msg
    assert 'pip install "gemini-nb[emulator]"' in msg  # the command needs the extra
    assert "GOOGLE_GEMINI_BASE_URL" in msg


def test_base_url_without_key_is_fine() -> None:
    s = resolve_settings(environ={"GOOGLE_GEMINI_BASE_URL": "http://127.0.0.1:9/"})
    assert s.api_key is None and s.base_url == "http://127.0.0.1:9"


def test_base_url_precedence() -> None:
    env = {"GOOGLE_GEMINI_BASE_URL": "http://env:1", "GEMINI_API_KEY": KEY}
    assert resolve_settings(environ=env).base_url == "http://env:1"
    assert resolve_settings(base_url="http://arg:2", environ=env).base_url == "http://arg:2"
    assert resolve_settings(environ={"GEMINI_API_KEY": KEY}).base_url == DEFAULT_BASE_URL


def test_api_version_default_and_override() -> None:
    assert resolve_settings(api_key=KEY).api_version == "v1beta"
    assert resolve_settings(api_key=KEY, api_version="v1").api_version == "v1"


@pytest.mark.parametrize("bad", ["", "   ", "AIza with space"])
def test_bad_keys(bad: str) -> None:
    with pytest.raises(ConfigurationError):
        resolve_settings(api_key=bad, environ={})


def test_bad_base_url() -> None:
    with pytest.raises(ConfigurationError, match="http"):
        resolve_settings(api_key=KEY, base_url="localhost:8765")


def test_secret_never_shows() -> None:
    s = Secret(KEY)
    assert KEY not in repr(s) and KEY not in str(s) and KEY not in f"{s}"
    with pytest.raises(TypeError):
        pickle.dumps(s)
    settings = resolve_settings(api_key=KEY)
    assert KEY not in repr(settings)
    client = Client(api_key=KEY)
    assert KEY not in repr(client) and KEY not in repr(vars(client))
    client.close()


def test_client_reads_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GEMINI_API_KEY", KEY)
    monkeypatch.setenv("GOOGLE_GEMINI_BASE_URL", "http://127.0.0.1:1")
    with Client() as c:
        assert c.base_url == "http://127.0.0.1:1"
        assert c.settings.api_key == Secret(KEY)
