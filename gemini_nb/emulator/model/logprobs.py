"""Log probabilities of the answer's tokens (``responseLogprobs`` / ``logprobs``).

With ``generationConfig.responseLogprobs: true`` a candidate carries ``avgLogprobs`` (the mean
log probability of its tokens) and ``logprobsResult``: ``chosenCandidates`` (one entry per token
of the answer text: the token as the text spells it, with its leading space, a token id and a
log probability) and, when ``logprobs`` is N, ``topCandidates`` (per token, the N most likely
tokens, the chosen one first), plus ``logProbabilitySum``. Tokens are the emulator's own (see
``tokens.tokenize``); the numbers are deterministic, never above 0, and higher for short, common
tokens. ``logprobs`` outside 0..20, or without ``responseLogprobs``, is a 400.
"""

from __future__ import annotations

from typing import Any

from ..wire.errors import EmulatorError
from .hashing import digest
from .tokens import tokenize

__all__ = ["check_logprobs_config", "logprobs_fields"]

MAX_TOP = 20
VOCABULARY = 262_144


def check_logprobs_config(config: dict[str, Any]) -> None:
    top = config.get("logprobs")
    if top is None:
        return
    if not config.get("responseLogprobs"):
        raise EmulatorError(400, "logprobs can only be set when response_logprobs is true.")
    if not 0 <= int(top) <= MAX_TOP:
        raise EmulatorError(400, f"logprobs must be between 0 and {MAX_TOP}, got {top}.")


def _logprob(key: bytes, token: str) -> float:
    h = digest(key, token)
    return round(-(h[0] / 255) * (0.6 if len(token.strip()) <= 3 else 1.8) - h[1] / 2048, 6)


def _below(chosen: float, key: bytes, token: str, rank: int) -> float:
    # An alternative is always less likely than the chosen token, and than the ones before it.
    return round(chosen - 0.5 - 0.7 * rank - digest(key, token, rank)[0] / 1024, 6)


def _token_id(token: str) -> int:
    return int.from_bytes(digest("token-id", token)[:4], "big") % VOCABULARY


def _alternatives(token: str, count: int) -> list[str]:
    word = token.strip() or token
    lead = token[: len(token) - len(token.lstrip())]
    variants = [
        word.lower(),
        word.capitalize(),
        word.upper(),
        word + "s",
        word[:-1] or word,
        "the",
        "a",
        ",",
        ".",
        "and",
        "of",
        "to",
        "in",
        "is",
        "it",
        "that",
        "for",
        "on",
        "with",
        "as",
        "at",
    ]
    out: list[str] = []
    for v in variants:
        candidate = lead + v
        if candidate != token and candidate not in out:
            out.append(candidate)
        if len(out) == count:
            break
    return out


def logprobs_fields(
    parts: list[dict[str, Any]], config: dict[str, Any], key: bytes
) -> dict[str, Any]:
    """``{"avgLogprobs", "logprobsResult"}`` for a candidate's parts, or ``{}`` when not asked."""
    if not config.get("responseLogprobs"):
        return {}
    top = int(config.get("logprobs") or 0)
    text = "".join(str(p.get("text", "")) for p in parts if not p.get("thought"))
    chosen: list[dict[str, Any]] = []
    tops: list[dict[str, Any]] = []
    previous = 0
    for _start, end in tokenize(text):
        token = text[previous:end]  # the token with the space before it, as tokenizers spell it
        previous = end
        value = _logprob(key, token)
        chosen.append({"token": token, "tokenId": _token_id(token), "logProbability": value})
        if top:
            others = [
                {
                    "token": alt,
                    "tokenId": _token_id(alt),
                    "logProbability": _below(value, key, alt, i),
                }
                for i, alt in enumerate(_alternatives(token, top - 1))
            ]
            tops.append({"candidates": [chosen[-1], *others]})
    total = sum(c["logProbability"] for c in chosen)
    result: dict[str, Any] = {}
    if tops:
        result["topCandidates"] = tops
    result["chosenCandidates"] = chosen
    result["logProbabilitySum"] = round(total, 6)
    return {
        "avgLogprobs": round(total / len(chosen), 6) if chosen else 0.0,
        "logprobsResult": result,
    }
