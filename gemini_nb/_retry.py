"""When to retry and how long to wait: pure functions, shared by the sync and async clients."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

__all__ = ["RETRYABLE_STATUS", "RetryPolicy"]

RETRYABLE_STATUS = frozenset({408, 429, 500, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    """Retries on by default: 2 retries, jittered exponential backoff, capped.

    The wait before retry ``n`` (1-based) is ``min(initial * 2**(n-1), max_delay)`` scaled by a
    random factor in ``[1 - jitter, 1]``. A delay the server asks for (``Retry-After`` or
    ``RetryInfo.retryDelay``) replaces the computed one when it is at most ``max_server_delay``;
    a longer server delay (a daily quota, say) is not waited out: the error is raised at once.
    """

    max_retries: int = 2
    initial_delay: float = 0.5
    max_delay: float = 8.0
    jitter: float = 0.25
    max_server_delay: float = 60.0
    statuses: frozenset[int] = field(default=RETRYABLE_STATUS)

    def should_retry_status(self, status_code: int, attempt: int) -> bool:
        """``attempt`` counts retries already made."""
        return attempt < self.max_retries and status_code in self.statuses

    def can_retry(self, attempt: int) -> bool:
        return attempt < self.max_retries

    def delay(
        self, attempt: int, server_delay: float | None = None, *, rand: float | None = None
    ) -> float | None:
        """Seconds to wait before retry number ``attempt + 1``; None means do not retry."""
        if server_delay is not None and server_delay >= 0:
            return server_delay if server_delay <= self.max_server_delay else None
        base: float = min(self.initial_delay * (2.0**attempt), self.max_delay)
        r = random.random() if rand is None else rand
        return base * (1 - self.jitter * r)

    def with_retries(self, max_retries: int) -> RetryPolicy:
        return RetryPolicy(
            max_retries=max_retries,
            initial_delay=self.initial_delay,
            max_delay=self.max_delay,
            jitter=self.jitter,
            max_server_delay=self.max_server_delay,
            statuses=self.statuses,
        )


def parse_retry_after(value: str | None) -> float | None:
    """The ``Retry-After`` header in seconds (delta-seconds form; HTTP dates are ignored)."""
    if not value:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    return seconds if seconds >= 0 else None
