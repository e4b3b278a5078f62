"""A client-side rate limiter: requests per minute, tokens per minute, and the server's 429s.

Two token buckets, refilled continuously. Each holds one second's worth of its limit and refills
at the rest of the minute's, so that no window of 60 seconds carries more than the limit, yet
requests are spread over the minute instead of sent in one burst. A request estimated at more
tokens than the bucket holds goes when the bucket is full and leaves it in debt. After a 429
nothing goes until the server's ``RetryInfo`` delay (or the backoff) has passed, and the buckets
restart empty.

Pure: every method takes ``now`` (seconds on any monotonic clock), so tests run it on a fake
clock.
"""

from __future__ import annotations

import math

from .._exceptions import InvalidInputError

__all__ = ["RateLimiter"]


class _Bucket:
    __slots__ = ("capacity", "level", "rate", "updated")

    def __init__(self, per_minute: float, burst_seconds: float, now: float) -> None:
        self.capacity = max(1.0, per_minute * burst_seconds / 60.0)
        # Refill at the rest of the minute's allowance: capacity + 60 s of refill == the limit.
        self.rate = max(per_minute - self.capacity, 0.0) / 60.0 or per_minute / 60.0
        self.level = self.capacity
        self.updated = now

    def refill(self, now: float) -> None:
        if now > self.updated:
            self.level = min(self.capacity, self.level + (now - self.updated) * self.rate)
            self.updated = now

    def wait_for(self, amount: float) -> float:
        need = min(amount, self.capacity)
        # A hair of tolerance: a refill computed from a wait must not come out a rounding
        # error short (the caller would wait again for nothing, forever).
        if self.level >= need - 1e-9 * max(1.0, need):
            return 0.0
        return max((need - self.level) / self.rate, 1e-6)


def _limit(name: str, value: float | None) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise InvalidInputError(f"{name} must be a positive number (per minute), not {value!r}.")
    if math.isinf(value):
        return None
    return float(value)


class RateLimiter:
    """Paces requests to ``rpm`` requests and ``tpm`` input tokens per minute (None: no
    limit), and holds everything back after a 429.

    >>> limiter = RateLimiter(rpm=60)
    >>> limiter.reserve(100, now=0.0)   # 0.0: go now (and the request was counted)
    0.0
    >>> limiter.reserve(100, now=0.0) > 0   # seconds to wait before trying again
    True
    """

    def __init__(
        self,
        rpm: float | None = None,
        tpm: float | None = None,
        *,
        burst_seconds: float = 1.0,
        now: float = 0.0,
    ) -> None:
        self.rpm = _limit("rpm", rpm)
        self.tpm = _limit("tpm", tpm)
        self._requests = _Bucket(self.rpm, burst_seconds, now) if self.rpm else None
        self._tokens = _Bucket(self.tpm, burst_seconds, now) if self.tpm else None
        self.paused_until = -math.inf
        self.pauses = 0

    def reserve(self, tokens: int, now: float) -> float:
        """0.0 if a request of ``tokens`` input tokens may go now (its share is taken), else
        the seconds to wait before asking again."""
        if now < self.paused_until:
            return self.paused_until - now
        wait = 0.0
        if self._requests is not None:
            self._requests.refill(now)
            wait = self._requests.wait_for(1)
        if self._tokens is not None:
            self._tokens.refill(now)
            wait = max(wait, self._tokens.wait_for(tokens))
        if wait > 0:
            return wait
        if self._requests is not None:
            self._requests.level -= 1
        if self._tokens is not None:
            self._tokens.level -= tokens
        return 0.0

    def settle(self, estimated: int, actual: int) -> None:
        """Correct the tokens taken for a request once its real count is known."""
        if self._tokens is not None and actual != estimated:
            self._tokens.level = min(self._tokens.capacity, self._tokens.level + estimated - actual)

    def pause(self, seconds: float, now: float) -> None:
        """After a 429: nothing goes for ``seconds``, then the buckets start empty."""
        until = now + max(0.0, seconds)
        if until > self.paused_until:
            self.paused_until = until
            self.pauses += 1
        for bucket in (self._requests, self._tokens):
            if bucket is not None:
                bucket.level = min(bucket.level, 0.0)
                bucket.updated = max(bucket.updated, until)
