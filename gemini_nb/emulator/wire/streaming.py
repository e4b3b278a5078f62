"""Split a complete GenerateContentResponse into the events streamGenerateContent sends.

Mirrors the real server: every event is a complete GenerateContentResponse with the same
responseId and modelVersion; text arrives in pieces of a few words (the first piece short);
a thought summary arrives whole, one section per event; function calls, executable code, code
results and inline media are never split; usageMetadata rides on every event with running
candidate counts and the final event carries exactly the full response's usage; finishReason
and candidate-level metadata (grounding, URL context, citations, safety ratings) come with a
candidate's last event. A thoughtSignature on a text answer is sent, as Gemini 3 does, on a
final empty text part.
"""

from __future__ import annotations

import copy
import re
from itertools import pairwise
from typing import Any

from ..model.hashing import digest_int
from ..model.tokens import part_tokens, tokenize

__all__ = ["stream_chunks"]

_TAIL_KEYS = (
    "finishReason",
    "finishMessage",
    "safetyRatings",
    "citationMetadata",
    "groundingMetadata",
    "urlContextMetadata",
    "avgLogprobs",
    "logprobsResult",
)


def _text_pieces(text: str, seed: str) -> list[str]:
    """Cut text at token boundaries: a short first piece, then pieces of 6 to 14 tokens."""
    spans = tokenize(text)
    if len(spans) <= 1:
        return [text]
    cuts: list[int] = []
    index = 0
    step = 0
    while True:
        size = 1 + digest_int(seed, step) % 3 if step == 0 else 6 + digest_int(seed, step) % 9
        index += size
        step += 1
        if index >= len(spans):
            break
        cuts.append(spans[index - 1][1])
    if not cuts:
        cuts.append(spans[len(spans) // 2 - 1][1] if len(spans) > 1 else len(text))
    bounds = [0, *cuts, len(text)]
    return [text[a:b] for a, b in pairwise(bounds) if b > a]


def _part_events(candidate: dict[str, Any], seed: str) -> list[tuple[dict[str, Any], int]]:
    """(part, answer tokens it adds) for each event of one candidate, in order."""
    parts = (candidate.get("content") or {}).get("parts") or []
    out: list[tuple[dict[str, Any], int]] = []
    trailing_signature: str | None = None
    for index, part in enumerate(parts):
        if "text" in part and part.get("thought") is True:
            sections = re.split(r"(?<=\n\n)(?=\*\*)", str(part["text"])) or [""]
            flags = {k: v for k, v in part.items() if k != "text"}
            for number, section in enumerate(sections):
                # A signature belongs to the part once, so only the first section carries it.
                own = (
                    flags
                    if number == 0
                    else {k: v for k, v in flags.items() if k != "thoughtSignature"}
                )
                out.append(({"text": section, **own}, 0))
        elif "text" in part:
            # A signed text answer that ends the turn sends its signature last, on an empty part;
            # a signed text followed by other parts keeps it on its first piece.
            last_part = index == len(parts) - 1
            extra = {
                k: v
                for k, v in part.items()
                if k != "text" and (k != "thoughtSignature" or not last_part)
            }
            if "thoughtSignature" in part and last_part:
                trailing_signature = str(part["thoughtSignature"])
            for number, piece in enumerate(_text_pieces(str(part["text"]), f"{seed}/{index}")):
                flags = (
                    extra
                    if number == 0
                    else {k: v for k, v in extra.items() if k != "thoughtSignature"}
                )
                out.append(({"text": piece, **flags}, len(tokenize(piece))))
        else:
            _modality, tokens = part_tokens(part)
            if "codeExecutionResult" in part:
                tokens = 0  # results are tool input, counted as toolUsePromptTokenCount
            out.append((copy.deepcopy(part), tokens))
    if trailing_signature is not None:
        out.append(({"text": "", "thoughtSignature": trailing_signature}, 0))
    return out


def _partial_usage(full: dict[str, Any], candidates_so_far: int) -> dict[str, Any]:
    prompt = int(full.get("promptTokenCount", 0))
    thoughts = int(full.get("thoughtsTokenCount", 0))
    cands = min(candidates_so_far, int(full.get("candidatesTokenCount", 0)))
    out: dict[str, Any] = {}
    if prompt:
        out["promptTokenCount"] = prompt
    if cands:
        out["candidatesTokenCount"] = cands
    out["totalTokenCount"] = prompt + cands + thoughts
    for key in ("cachedContentTokenCount", "promptTokensDetails", "cacheTokensDetails"):
        if key in full:
            out[key] = copy.deepcopy(full[key])
    if thoughts:
        out["thoughtsTokenCount"] = thoughts
    if "serviceTier" in full:
        out["serviceTier"] = full["serviceTier"]
    return out


def stream_chunks(response: dict[str, Any]) -> list[dict[str, Any]]:
    """The SSE events (each a GenerateContentResponse dict) a real server would send."""
    candidates = response.get("candidates") or []
    if not candidates:
        return [copy.deepcopy(response)]
    seed = str(response.get("responseId", ""))
    per_candidate: list[list[dict[str, Any]]] = []
    per_tokens: list[list[int]] = []
    for position, candidate in enumerate(candidates):
        index = candidate.get("index", position)
        events = _part_events(candidate, f"{seed}/{index}")
        shells: list[dict[str, Any]] = []
        tokens: list[int] = []
        if not events:
            shells.append(copy.deepcopy(candidate))
            tokens.append(0)
        for part, count in events:
            shell: dict[str, Any] = {"content": {"parts": [part], "role": "model"}}
            if "index" in candidate:
                shell["index"] = candidate["index"]
            shells.append(shell)
            tokens.append(count)
        last = shells[-1]
        if events:
            tail = {k: copy.deepcopy(candidate[k]) for k in _TAIL_KEYS if k in candidate}
            if tail:
                # finishReason sits between content and index, as on the wire.
                rebuilt: dict[str, Any] = {"content": last["content"]}
                if "finishReason" in tail:
                    rebuilt["finishReason"] = tail.pop("finishReason")
                if "index" in last:
                    rebuilt["index"] = last["index"]
                rebuilt.update(tail)
                shells[-1] = rebuilt
        per_candidate.append(shells)
        per_tokens.append(tokens)

    usage = response.get("usageMetadata")
    total_events = max(len(s) for s in per_candidate)
    out: list[dict[str, Any]] = []
    running = 0
    for step in range(total_events):
        event: dict[str, Any] = {"candidates": []}
        for shells, tokens in zip(per_candidate, per_tokens, strict=True):
            if step < len(shells):
                event["candidates"].append(shells[step])
                running += tokens[step]
        if step == 0 and "promptFeedback" in response:
            event["promptFeedback"] = copy.deepcopy(response["promptFeedback"])
        if usage is not None:
            final = step == total_events - 1
            event["usageMetadata"] = (
                copy.deepcopy(usage) if final else _partial_usage(usage, running)
            )
        for key in ("modelVersion", "responseId", "modelStatus"):
            if key in response:
                event[key] = response[key]
        out.append(event)
    return out
