"""Per-kernel state shared by the magics and widgets: clients, named chats, token usage.

The clients are created on first use, after the extension has decided where answers come
from (a key, a base URL, or the embedded emulator).
"""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .._client import AsyncClient, Client
    from ..resources.chats import AsyncChat, Chat
    from ..types import UsageMetadata

__all__ = ["Session", "session"]


@dataclass
class ModelUsage:
    calls: int = 0
    prompt: int = 0
    output: int = 0
    thoughts: int = 0
    cached: int = 0
    total: int = 0
    cost: float = 0.0  # USD, from the price table (gemini_nb.tokens)
    unpriced: int = 0  # calls whose cost is unknown: no price for the model


@dataclass
class Session:
    """What one kernel remembers between cells."""

    _client: Client | None = None
    _async_client: AsyncClient | None = None
    chats: dict[str, Chat | AsyncChat] = field(default_factory=dict)
    usage: dict[str, ModelUsage] = field(default_factory=lambda: defaultdict(ModelUsage))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def client(self) -> Client:
        with self._lock:
            if self._client is None:
                from .._client import Client
                from ._embedded import check_backend

                check_backend()
                self._client = Client()
            return self._client

    def async_client(self) -> AsyncClient:
        with self._lock:
            if self._async_client is None:
                from .._client import AsyncClient
                from ._embedded import check_backend

                check_backend()
                self._async_client = AsyncClient()
            return self._async_client

    def record(self, model: str, usage: UsageMetadata | None) -> None:
        """Add one answer's token counts to the session totals (``%gemini usage``)."""
        with self._lock:
            u = self.usage[model]
            u.calls += 1
            if usage is None:
                return
            u.prompt += usage.prompt_token_count or 0
            u.output += usage.candidates_token_count or 0
            u.thoughts += usage.thoughts_token_count or 0
            u.cached += usage.cached_content_token_count or 0
            u.total += usage.total_token_count or 0
            from ..tokens._pricing import cost_of_usage

            cost = cost_of_usage(model, usage)
            if cost.total is None:
                u.unpriced += 1
            else:
                u.cost += cost.total

    def usage_rows(self) -> list[dict[str, Any]]:
        with self._lock:
            return [
                {
                    "model": m,
                    "calls": u.calls,
                    "prompt_tokens": u.prompt,
                    "output_tokens": u.output,
                    "thinking_tokens": u.thoughts,
                    "cached_tokens": u.cached,
                    "total_tokens": u.total,
                    "cost_usd": None if u.unpriced else round(u.cost, 10),
                }
                for m, u in sorted(self.usage.items())
            ]

    def reset_clients(self) -> None:
        """Forget the clients (after the key or base URL changed)."""
        with self._lock:
            if self._client is not None:
                self._client.close()
            self._client = None
            self._async_client = None


session = Session()
