"""Deterministic text embeddings with a real similarity structure.

Feature hashing: every lower-cased word stem, word bigram and (lightly) character trigram of the
text is hashed to a few dozen signed coordinates; a faint text-specific background fills the
remaining dimensions so vectors look dense like real ones. Texts that share words therefore
point in similar directions, unrelated texts are nearly orthogonal, and the same text always
gives the same vector. Stop words weigh little, so "What is X?" and "Tell me about X" stay close.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from functools import lru_cache
from itertools import pairwise

from .hashing import stream_bytes
from .vocab import STOPWORDS

__all__ = ["embed_text"]

_SLOTS_PER_FEATURE = 48
_BACKGROUND_SHARE = 0.12  # share of the vector's norm that is text-specific background
_SUFFIXES = (
    "ingly",
    "edly",
    "ings",
    "ing",
    "ied",
    "ies",
    "ness",
    "ment",
    "ers",
    "ed",
    "es",
    "ly",
    "s",
)


def _stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


@lru_cache(maxsize=65_536)
def _slots(feature: str, dims: int) -> tuple[tuple[int, float], ...]:
    raw = stream_bytes(_SLOTS_PER_FEATURE * 4, "feature", feature)
    out = []
    for i in range(_SLOTS_PER_FEATURE):
        chunk = raw[4 * i : 4 * i + 4]
        index = int.from_bytes(chunk[:3], "big") % dims
        magnitude = 0.5 + (chunk[3] & 0x7F) / 254
        out.append((index, magnitude if chunk[3] & 0x80 else -magnitude))
    return tuple(out)


def _features(text: str, weight: float) -> defaultdict[str, float]:
    words = re.findall(r"[^\W_]+", text.lower())
    feats: defaultdict[str, float] = defaultdict(float)
    content: list[str] = []
    for word in words:
        stem = _stem(word)
        if word in STOPWORDS:
            feats[f"w:{stem}"] += 0.2 * weight
            continue
        feats[f"w:{stem}"] += weight
        content.append(stem)
        padded = f"^{word}$"
        for i in range(len(padded) - 2):
            feats[f"c:{padded[i : i + 3]}"] += 0.08 * weight
    for a, b in pairwise(content):
        feats[f"b:{a}_{b}"] += 0.5 * weight
    return feats


def embed_text(
    text: str,
    dims: int,
    *,
    task_type: str | None = None,
    title: str | None = None,
    output_dimensionality: int | None = None,
) -> list[float]:
    """An L2-normalised vector of ``output_dimensionality`` (default ``dims``) values."""
    feats = _features(text, 1.0)
    if title:
        for feature, weight in _features(title, 0.35).items():
            feats[feature] += weight
    if task_type and task_type != "TASK_TYPE_UNSPECIFIED":
        feats[f"t:{task_type}"] += 0.3
    vec = [0.0] * dims
    for feature, raw_weight in feats.items():
        weight = (
            math.copysign(1 + math.log(abs(raw_weight)), raw_weight)
            if abs(raw_weight) >= 1
            else raw_weight
        )
        for index, signed in _slots(feature, dims):
            vec[index] += weight * signed
    norm = math.sqrt(sum(x * x for x in vec))
    noise = stream_bytes(dims, "background", text, title or "", task_type or "")
    scale = (norm or 1.0) * _BACKGROUND_SHARE / math.sqrt(dims / 3)
    vec = [x + scale * (b / 127.5 - 1.0) for x, b in zip(vec, noise, strict=True)]
    size = (
        dims
        if not output_dimensionality or output_dimensionality <= 0
        else min(dims, output_dimensionality)
    )
    vec = vec[:size]
    norm = math.sqrt(sum(x * x for x in vec)) or 1.0
    # Eight significant digits: the precision of the float32 values the real service returns.
    return [float(f"{x / norm:.8g}") for x in vec]
