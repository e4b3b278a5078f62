"""Deterministic tool behaviour of the emulated model (function calling, code execution, grounding).

Placeholder: `tool_turn` answers None (no tool applies) until the tools behaviour lands.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["ToolTurn", "tool_turn"]


@dataclass
class ToolTurn:
    """A model turn decided by tool behaviour.

    parts: the model Content's parts (camelCase JSON dicts).
    grounding_metadata / url_context_metadata: candidate-level metadata, or None.
    finish_reason: the candidate's finishReason.
    """

    parts: list[dict[str, Any]]
    grounding_metadata: dict[str, Any] | None = None
    url_context_metadata: dict[str, Any] | None = None
    finish_reason: str = "STOP"


def tool_turn(request: dict[str, Any], model: str) -> ToolTurn | None:
    """Decide the model turn for a request that declares tools; None when no tool applies."""
    return None
