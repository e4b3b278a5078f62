"""Retry decisions and delays, as a table."""

from __future__ import annotations

import pytest

from gemini_nb._exceptions import error_for_status
from gemini_nb._retry import RetryPolicy, parse_retry_after

P = RetryPolicy()


@pytest.mark.parametrize(
    ("attempt", "rand", "expected"),
    [
        (0, 0.0, 0.5),
        (1, 0.0, 1.0),
        (2, 0.0, 2.0),
        (3, 0.0, 4.0),
        (4, 0.0, 8.0),
        (5, 0.0, 8.0),  # capped
        (0, 1.0, 0.375),  # full jitter takes off 25%
        (4, 1.0, 6.0),
    ],
)
def test_backoff_table(attempt: int, rand: float, expected: float) -> None:
    assert P.delay(attempt, rand=rand) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("server", "expected"),
    [(0.0, 0.0), (2.0, 2.0), (17.0, 17.0), (60.0, 60.0), (61.0, None), (3600.0, None)],
)
def test_server_delay_honoured_up_to_cap(server: float, expected: float | None) -> None:
    assert P.delay(0, server, rand=0.0) == expected


@pytest.mark.parametrize(
    ("status", "attempt", "retry"),
    [
        (408, 0, True),
        (429, 0, True),
        (500, 0, True),
        (502, 1, True),
        (503, 1, True),
        (504, 0, True),
        (503, 2, False),  # default budget is 2 retries
        (400, 0, False),
        (401, 0, False),
        (403, 0, False),
        (404, 0, False),
        (409, 0, False),
    ],
)
def test_which_statuses_retry(status: int, attempt: int, retry: bool) -> None:
    assert P.should_retry_status(status, attempt) is retry


def test_zero_retries() -> None:
    assert not RetryPolicy(max_retries=0).should_retry_status(503, 0)
    assert not RetryPolicy().with_retries(0).can_retry(0)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("3", 3.0),
        (" 1.5 ", 1.5),
        ("-1", None),
        ("soon", None),
        (None, None),
        ("Wed, 21 Oct 2015 07:28:00 GMT", None),
    ],
)
def test_retry_after_header(header: str | None, expected: float | None) -> None:
    assert parse_retry_after(header) == expected


def test_retry_info_parsed_from_google_body() -> None:
    body = {
        "error": {
            "code": 429,
            "message": "Quota exceeded",
            "status": "RESOURCE_EXHAUSTED",
            "details": [
                {"@type": "type.googleapis.com/google.rpc.QuotaFailure", "violations": []},
                {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "17s"},
            ],
        }
    }
    err = error_for_status(429, body, retry_after=3.0)
    assert err.retry_delay == 17.0  # the body wins over the header
    assert error_for_status(429, {"error": {"code": 429}}, retry_after=3.0).retry_delay == 3.0
