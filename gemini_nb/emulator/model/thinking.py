"""Thinking: which thinkingConfig a model accepts, how much it thinks, and its signatures."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from ..backends.catalogue import ModelInfo
from ..wire.errors import EmulatorError
from .hashing import stream_bytes, unit

__all__ = ["ThinkingPlan", "plan_thought_tokens", "resolve_thinking", "thought_signature"]

# Thinking tokens a Flash model spends on each kind of request before scaling.
_BASE_TOKENS = {
    "greeting": 24,
    "introduce": 36,
    "self": 30,
    "say": 18,
    "recall": 48,
    "quote": 40,
    "arithmetic": 70,
    "capital": 56,
    "yesno": 150,
    "explain": 260,
    "list": 220,
    "compare": 300,
    "creative": 340,
    "summarize": 190,
    "translate": 80,
    "code": 520,
    "function_result": 90,
    "media": 140,
    "describe_media": 160,
    "empty": 20,
    "generic": 180,
    "thanks": 16,
    "feeling": 120,
    "email": 240,
    "person": 160,
    "place": 140,
    "tool": 130,
    "describe": 240,
    "count": 40,
    "names": 90,
    "plan": 320,
}
_LEVEL_SCALE = {"MINIMAL": 0.1, "LOW": 0.45, "MEDIUM": 0.75, "HIGH": 1.0}


@dataclass(frozen=True)
class ThinkingPlan:
    enabled: bool
    budget: int | None = None  # a cap on thinking tokens; None means dynamic
    include_thoughts: bool = False
    level: str | None = None


def _invalid(message: str) -> EmulatorError:
    return EmulatorError(400, message)


def resolve_thinking(generation_config: dict[str, Any], model: ModelInfo) -> ThinkingPlan:
    """The thinking behaviour a request asks for, or the 400 the real API gives for it."""
    config = generation_config.get("thinkingConfig") or {}
    budget = config.get("thinkingBudget")
    level = config.get("thinkingLevel")
    if level == "THINKING_LEVEL_UNSPECIFIED":
        level = None
    include = config.get("includeThoughts") is True
    if not model.thinking:
        if budget is not None or level is not None or include:
            raise _invalid("thinking_config is not supported.")
        return ThinkingPlan(enabled=False)
    if level is not None:
        if model.thinking_control != "level":
            raise _invalid("Thinking level is not supported for this model.")
        if budget is not None:
            raise _invalid("You can only set one of thinking budget and thinking level.")
        if level not in model.thinking_levels:
            raise _invalid(f"Thinking level {level} is not supported for this model.")
    default_level = "HIGH" if model.thinking_control == "level" else None
    if budget is not None:
        budget = int(budget)
        if budget == 0:
            if not model.can_disable_thinking:
                raise _invalid("Budget 0 is invalid. This model only works in thinking mode.")
            return ThinkingPlan(enabled=False)
        if budget < -1:
            raise _invalid(f"The thinking budget ({budget}) is invalid.")
        if budget > 0:
            low, high = model.budget_range or (1, 24_576)
            if budget > high:
                raise _invalid(f"The thinking budget ({budget}) is invalid.")
            # Small budgets are raised to the model's minimum, as the service does.
            return ThinkingPlan(True, max(budget, low), include, level or default_level)
        return ThinkingPlan(True, None, include, level or default_level)
    if level is None and not model.thinks_by_default:
        return ThinkingPlan(enabled=False)
    return ThinkingPlan(True, None, include, level or default_level)


def plan_thought_tokens(
    kind: str,
    model: ModelInfo,
    plan: ThinkingPlan,
    prompt_tokens: int,
    key: bytes,
    *,
    structured: bool = False,
    max_output_tokens: int | None = None,
) -> int:
    """How many thinking tokens the model spends: by task, prompt length, model and level."""
    if not plan.enabled:
        return 0
    base = _BASE_TOKENS.get(kind, 180) + min(400, prompt_tokens // 3) + (60 if structured else 0)
    scale = model.thinking_scale * _LEVEL_SCALE.get(plan.level or "HIGH", 1.0)
    jitter = 0.8 + 0.4 * unit(key, "thoughts")
    tokens = max(1, round(base * scale * jitter))
    if plan.budget is not None:
        tokens = min(tokens, plan.budget)
    if max_output_tokens is not None:
        # Thoughts count against maxOutputTokens; the emulator keeps at least half for the answer.
        tokens = min(tokens, max_output_tokens // 2)
    return tokens


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def thought_signature(key: bytes, thought_tokens: int) -> str:
    """An opaque signature shaped like the real ones: a small protobuf envelope, base64."""
    size = min(1_400, 64 + 2 * thought_tokens)
    inner = b"\x01" + stream_bytes(size - 1, "signature", key)
    envelope = b"\x0a" + _varint(len(inner)) + inner
    return base64.b64encode(b"\x12" + _varint(len(envelope)) + envelope).decode("ascii")
