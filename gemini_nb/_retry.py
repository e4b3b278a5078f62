"""When to retry and how long to wait: pure functions, shared by the sync and async clients.

Which failures are retried
--------------------------

A retry must not repeat work the server may already have done (and billed): a
``generateContent`` whose answer was lost on the way back has still run the model. So a
failure is retried only when the request certainly did not run, or running it twice is
harmless:

* **Nothing was sent** (the connection could not be opened: refused, DNS, connect timeout,
  no free connection in the pool): always retried, whatever the method.
* **The server answered a retryable status** (408, 429, 500, 502, 503, 504): always retried;
  the server says it did not do the work. A ``Retry-After`` header or a ``RetryInfo`` detail
  sets the wait, on any of these statuses, up to ``max_server_delay``.
* **The connection failed after the request was sent** (reset, closed without an answer, read
  timeout, or cut while the answer was arriving): retried only for idempotent methods, where a
  second run changes nothing: ``GET``, ``HEAD``, ``OPTIONS``, ``PUT``, ``DELETE``, and ``POST``
  methods that only read (``countTokens``). ``generateContent``, ``embedContent`` and every
  create are not retried; the error says the work may have been done.
* A stream cut after its first bytes is never retried: its chunks have been handed on already.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

__all__ = [
    "IDEMPOTENT_METHODS",
    "READ_ONLY_VERBS",
    "RETRYABLE_STATUS",
    "RetryPolicy",
    "is_idempotent",
]

RETRYABLE_STATUS = frozenset({408, 429, 500, 502, 503, 504})

# RFC 9110 section 9.2.2.
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})

# Custom POST methods (``models/m:countTokens``) that compute an answer without doing billed work
# or changing anything: running them twice is harmless.
READ_ONLY_VERBS = frozenset({"countTokens", "countMessageTokens", "countTextTokens"})


def is_idempotent(method: str, path: str) -> bool:
    """True when sending the request twice has the effect of sending it once."""
    if method.upper() in IDEMPOTENT_METHODS:
        return True
    last = path.split("?", 1)[0].rsplit("/", 1)[-1]
    return ":" in last and last.rsplit(":", 1)[1] in READ_ONLY_VERBS


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

    def should_retry_connection(self, attempt: int, *, sent: bool, idempotent: bool) -> bool:
        """A connection failure: retried if nothing was sent, or if sending again is harmless."""
        return attempt < self.max_retries and (not sent or idempotent)

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
