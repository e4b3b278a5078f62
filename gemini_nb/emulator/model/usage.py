"""UsageMetadata in the server's shape: zero counts omitted, keys in the server's order."""

from __future__ import annotations

from typing import Any

__all__ = ["usage_json"]


def usage_json(
    *,
    prompt: int,
    prompt_details: list[dict[str, Any]],
    candidates: int,
    thoughts: int,
    tool_use: int = 0,
    candidates_details: list[dict[str, Any]] | None = None,
    cached: int = 0,
    cached_details: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """``prompt`` includes ``cached``, as the API counts it."""
    out: dict[str, Any] = {}
    if prompt:
        out["promptTokenCount"] = prompt
    if candidates:
        out["candidatesTokenCount"] = candidates
    out["totalTokenCount"] = prompt + candidates + thoughts + tool_use
    if cached:
        out["cachedContentTokenCount"] = cached
    if prompt_details:
        out["promptTokensDetails"] = prompt_details
    if cached and cached_details:
        out["cacheTokensDetails"] = cached_details
    if candidates_details:
        out["candidatesTokensDetails"] = candidates_details
    if tool_use:
        out["toolUsePromptTokenCount"] = tool_use
        out["toolUsePromptTokensDetails"] = [{"modality": "TEXT", "tokenCount": tool_use}]
    if thoughts:
        out["thoughtsTokenCount"] = thoughts
    out["serviceTier"] = "standard"
    return out
