"""Error mapping: one class per status, Google's body parsed, picklable, no key in messages."""

from __future__ import annotations

import pickle

import pytest

import gemini_nb as g
from gemini_nb._exceptions import error_for_status


def body(code: int, status: str, message: str = "m", details: list | None = None) -> dict:
    err = {"code": code, "status": status, "message": message}
    if details is not None:
        err["details"] = details
    return {"error": err}


@pytest.mark.parametrize(
    ("code", "status", "cls"),
    [
        (400, "INVALID_ARGUMENT", g.BadRequestError),
        (400, "FAILED_PRECONDITION", g.BadRequestError),
        (401, "UNAUTHENTICATED", g.AuthenticationError),
        (403, "PERMISSION_DENIED", g.PermissionDeniedError),
        (404, "NOT_FOUND", g.NotFoundError),
        (409, "ALREADY_EXISTS", g.ConflictError),
        (429, "RESOURCE_EXHAUSTED", g.RateLimitError),
        (500, "INTERNAL", g.ServerError),
        (503, "UNAVAILABLE", g.ServerError),
        (504, "DEADLINE_EXCEEDED", g.ServerError),
        (418, "UNKNOWN", g.APIStatusError),
    ],
)
def test_class_per_status(code: int, status: str, cls: type) -> None:
    err = error_for_status(code, body(code, status, "bad thing"), request_id="r1")
    assert type(err) is cls
    assert isinstance(err, g.APIStatusError) and isinstance(err, g.APIError)
    assert (err.status_code, err.status, err.message, err.request_id) == (
        code,
        status,
        "bad thing",
        "r1",
    )
    assert str(err) == f"{code} {status}: bad thing"


def test_invalid_key_400_is_authentication_error() -> None:
    details = [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID"}]
    err = error_for_status(400, body(400, "INVALID_ARGUMENT", "API key not valid.", details))
    assert isinstance(err, g.AuthenticationError)
    assert err.status_code == 400
    assert err.details == details


def test_non_json_body() -> None:
    err = error_for_status(502, "<html>Bad gateway</html>")
    assert isinstance(err, g.ServerError)
    assert err.status is None and "Bad gateway" in err.message


def test_empty_body() -> None:
    err = error_for_status(500, "")
    assert "without an error message" in err.message


def test_pickle_round_trip() -> None:
    err = error_for_status(
        429,
        body(
            429,
            "RESOURCE_EXHAUSTED",
            "slow down",
            [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "2s"}],
        ),
    )
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is g.RateLimitError
    assert (back.status_code, back.message, back.retry_delay) == (429, "slow down", 2.0)


def test_hint_says_what_to_do() -> None:
    assert "models.list" in error_for_status(404, body(404, "NOT_FOUND")).hint
    assert "retry" in error_for_status(503, body(503, "UNAVAILABLE")).hint.lower()


def test_tree() -> None:
    assert issubclass(g.APITimeoutError, g.APIConnectionError)
    assert issubclass(g.ConfigurationError, ValueError)
    assert issubclass(g.InvalidInputError, ValueError)
    for cls in (g.APIError, g.ConfigurationError, g.InvalidInputError, g.FunctionCallingError):
        assert issubclass(cls, g.GeminiError)
