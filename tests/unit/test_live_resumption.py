"""What a reconnect sends again, when the session reconnects after goAway, and which closes
end a session, can be resumed, or are errors. Pure code, no server."""

from __future__ import annotations

import pickle
from types import SimpleNamespace

import pytest

import gemini_nb as g
from gemini_nb._live import (
    NORMAL_CLOSE_CODES,
    RECOVERABLE_CLOSE_CODES,
    ResendQueue,
    close_error,
    closed_by,
    go_away_deadline,
)
from gemini_nb.types import LiveServerSessionResumptionUpdate as Update


def test_a_handle_acknowledges_what_the_answer_followed() -> None:
    q = ResendQueue()
    q.sent("turn-1")
    q.sent("audio-1")
    q.answered()  # turnComplete
    q.sent("turn-2")  # sent before the handle arrived: maybe not in its state
    assert q.acknowledge(Update(new_handle="h1", resumable=True))
    assert q.handle == "h1" and len(q) == 1 and not q.idle()
    assert q.take_for_resend() == ["turn-2"]


def test_a_handle_without_an_answer_since_acknowledges_nothing() -> None:
    q = ResendQueue()
    q.sent("a")
    assert q.acknowledge(Update(new_handle="h1"))
    assert q.handle == "h1" and len(q) == 1


def test_the_server_index_wins_when_it_is_sent() -> None:
    q = ResendQueue()
    for name in "abcd":
        q.sent(name)
    q.acknowledge(Update(new_handle="h", last_consumed_client_message_index=1))
    assert q.take_for_resend() == ["c", "d"]


def test_updates_that_cannot_be_resumed_change_nothing() -> None:
    q = ResendQueue()
    q.sent("a")
    q.answered()
    assert not q.acknowledge(Update(new_handle="", resumable=False))
    assert not q.acknowledge(Update(resumable=True))
    assert q.handle is None and len(q) == 1


def test_tool_responses_are_counted_but_never_resent() -> None:
    q = ResendQueue()
    q.sent("turn")
    q.sent("tool-response", keep=False)
    q.sent("more")
    q.acknowledge(Update(new_handle="h", last_consumed_client_message_index=0))
    assert q.take_for_resend() == ["more"] and q.sent_total == 3


@pytest.mark.parametrize(("limit", "max_bytes", "frames"), [(3, 10**6, 4), (100, 10, 2)])
def test_overflow_makes_resuming_unfaithful_until_acknowledged(
    limit: int, max_bytes: int, frames: int
) -> None:
    q = ResendQueue(limit, max_bytes)
    for i in range(frames):
        q.sent(f"frame-{i}")
    assert q.overflowed and not q.idle()
    q.sent("after")  # still kept: needed once the lost ones are acknowledged
    q.answered()
    q.acknowledge(Update(new_handle="h"))
    assert not q.overflowed and q.idle()


def test_overflow_stays_until_the_index_covers_the_lost_frames() -> None:
    q = ResendQueue(2)
    for i in range(3):
        q.sent(f"f{i}")  # f2 overflows: f0..f2 are lost
    q.acknowledge(Update(new_handle="h", last_consumed_client_message_index=1))
    assert q.overflowed
    q.acknowledge(Update(new_handle="h2", last_consumed_client_message_index=2))
    assert not q.overflowed


def test_resend_renumbers_the_frames_on_the_new_connection() -> None:
    q = ResendQueue()
    q.sent("a")
    q.sent("b")
    frames = q.take_for_resend()
    for frame in frames:
        q.sent(frame)
    q.sent("c")
    q.acknowledge(Update(new_handle="h", last_consumed_client_message_index=1))
    assert q.take_for_resend() == ["c"]


def test_a_resend_limit_below_one_is_refused() -> None:
    with pytest.raises(g.InvalidInputError, match="resend_limit"):
        ResendQueue(0)


@pytest.mark.parametrize(
    ("left", "deadline"), [(None, 100.0), (0.0, 100.0), (10.0, 108.0), (2.0, 101.5), (60.0, 158.0)]
)
def test_go_away_reconnects_a_little_before_the_time_left(
    left: float | None, deadline: float
) -> None:
    assert go_away_deadline(100.0, left) == pytest.approx(deadline)


def _closed(rcvd: tuple[int, str] | None, sent: tuple[int, str] | None = None) -> Exception:
    exc = Exception("closed")
    exc.rcvd = SimpleNamespace(code=rcvd[0], reason=rcvd[1]) if rcvd else None  # type: ignore[attr-defined]
    exc.sent = SimpleNamespace(code=sent[0], reason=sent[1]) if sent else None  # type: ignore[attr-defined]
    return exc


def test_close_codes_from_websockets_exceptions() -> None:
    assert closed_by(_closed((1011, "Internal error encountered."))) == (
        1011,
        "Internal error encountered.",
    )
    assert closed_by(_closed(None, (1011, "keepalive ping timeout"))) == (
        1011,
        "keepalive ping timeout",
    )
    assert closed_by(_closed(None, (1000, ""))) == (1000, "")
    assert closed_by(_closed(None))[0] == 1006


def test_which_closes_are_normal_and_which_can_be_resumed() -> None:
    assert {1001, 1006, 1011, 1012, 1013} == RECOVERABLE_CLOSE_CODES
    assert 1000 in NORMAL_CLOSE_CODES
    assert not {1002, 1003, 1007, 1008, 1009, 1010} & (RECOVERABLE_CLOSE_CODES | NORMAL_CLOSE_CODES)


def test_close_errors_are_typed_and_say_what_to_do() -> None:
    err = close_error(1011, "Internal error encountered.", during_setup=False, handle="h1")
    assert type(err) is g.LiveConnectionClosed and isinstance(err, g.APIConnectionError)
    assert (err.code, err.reason, err.resumable, err.handle) == (
        1011,
        "Internal error encountered.",
        True,
        "h1",
    )
    assert "session_resumption" in str(err)
    no_handle = close_error(1011, "", during_setup=False, handle=None)
    assert not no_handle.resumable and "No resumption handle" in str(no_handle)
    policy = close_error(1008, "Quota exceeded.", during_setup=False, handle="h1")
    assert not policy.resumable
    setup = close_error(1007, 'Unknown name "bogus"', during_setup=True, handle=None)
    assert isinstance(setup, g.LiveSetupError) and setup.code == 1007 and "bogus" in str(setup)
    assert "the reason names the field" in str(setup)
    assert "bidiGenerateContent" in str(close_error(1008, "x", during_setup=True, handle=None))


def test_close_reasons_are_redacted() -> None:
    key = "AIzaSECRET-0123456789abcdefghijk"
    err = close_error(
        1008,
        f"API key not valid: {key}",
        during_setup=True,
        handle=None,
        redact=lambda s: s.replace(key, "***"),
    )
    assert key not in str(err) and key not in err.reason


def test_live_errors_pickle() -> None:
    err = close_error(1011, "boom", during_setup=False, handle="h")
    copy = pickle.loads(pickle.dumps(err))
    assert type(copy) is g.LiveConnectionClosed and copy.code == 1011 and copy.handle == "h"
    assert str(copy) == str(err)
    resumption = g.LiveResumptionError("gone", code=1011, resumable=True, handle="h")
    assert isinstance(resumption, g.LiveConnectionClosed)
    assert pickle.loads(pickle.dumps(resumption)).resumable
    assert issubclass(g.LiveSessionClosedError, g.GeminiError)
    assert not issubclass(g.LiveSessionClosedError, g.APIError)
