"""Build a string that matches a regular expression (for JSON Schema ``pattern``).

Walks the pattern's parse tree (the stdlib's own regex parser) and emits characters, choosing
branches and repeat counts from a seed. The result is checked with ``re.search``; a few seeds
are tried before giving up, since lookarounds and back-references are not generated, only
verified.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from typing import Any

from ..hashing import digest_int

# The stdlib's regex parser is private (re._parser since 3.11); load it without static imports.
sre_parse: Any = importlib.import_module("re._parser")
sre_constants: Any = importlib.import_module("re._constants")


__all__ = ["sample_matching"]

_MAX_EXTRA_REPEAT = 3
_ATTEMPTS = 16
# Characters tried, in order, when a class must be satisfied or avoided.
_POOL = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -_.@:/+"


class _Builder:
    def __init__(self, seed: str) -> None:
        self.seed = seed
        self.counter = 0
        self.groups: dict[int, str] = {}

    def roll(self, n: int) -> int:
        """A seeded integer in [0, n)."""
        self.counter += 1
        return digest_int("regex", self.seed, self.counter) % max(1, n)

    def emit(self, items: Any) -> str:
        return "".join(self.emit_item(op, av) for op, av in items)

    def emit_item(self, op: Any, av: Any) -> str:
        c = sre_constants
        if op is c.LITERAL:
            return chr(av)
        if op is c.NOT_LITERAL:
            return next(ch for ch in _POOL if ord(ch) != av)
        if op is c.ANY:
            return "x"
        if op is c.AT:
            return ""
        if op is c.IN:
            return self.emit_class(av)
        if op is c.BRANCH:
            branches = av[1]
            return self.emit(branches[self.roll(len(branches))])
        if op is c.SUBPATTERN:
            group, _add, _del, sub = av
            text = self.emit(sub)
            if group is not None:
                self.groups[group] = text
            return text
        if op in (c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", None)):
            low, high, sub = av
            high_cap = low + _MAX_EXTRA_REPEAT if high == c.MAXREPEAT else high
            count = low if high_cap <= low else low + self.roll(high_cap - low + 1)
            return "".join(self.emit(sub) for _ in range(count))
        if op is c.GROUPREF:
            return self.groups.get(av, "")
        if op is c.CATEGORY:
            return _category_char(av, self.roll)
        # Lookarounds, conditionals, atomic groups: emit nothing, let verification decide.
        return ""

    def emit_class(self, items: Any) -> str:
        c = sre_constants
        negate = any(op is c.NEGATE for op, _ in items)
        members = [(op, av) for op, av in items if op is not c.NEGATE]
        if negate:
            for ch in _POOL:
                if not any(_class_contains(op, av, ch) for op, av in members):
                    return ch
            return "~"
        candidates: list[str] = []
        for op, av in members:
            if op is c.LITERAL:
                candidates.append(chr(av))
            elif op is c.RANGE:
                lo, hi = av
                span = hi - lo + 1
                candidates.append(chr(lo + self.roll(min(span, 26))))
            elif op is c.CATEGORY:
                candidates.append(_category_char(av, self.roll))
        return candidates[self.roll(len(candidates))] if candidates else "a"


def _category_char(category: Any, roll: Callable[[int], int]) -> str:
    c = sre_constants
    if category is c.CATEGORY_DIGIT:
        return str(roll(10))
    if category in (c.CATEGORY_WORD, c.CATEGORY_NOT_DIGIT, c.CATEGORY_NOT_SPACE):
        return "abcdefghijklmnopqrstuvwxyz"[roll(26)]
    return {c.CATEGORY_SPACE: " ", c.CATEGORY_NOT_WORD: "-"}.get(category, "a")


def _class_contains(op: Any, av: Any, ch: str) -> bool:
    c = sre_constants
    if op is c.LITERAL:
        return bool(ord(ch) == av)
    if op is c.RANGE:
        return bool(av[0] <= ord(ch) <= av[1])
    if op is c.CATEGORY:
        probe = {
            c.CATEGORY_DIGIT: r"\d",
            c.CATEGORY_NOT_DIGIT: r"\D",
            c.CATEGORY_SPACE: r"\s",
            c.CATEGORY_NOT_SPACE: r"\S",
            c.CATEGORY_WORD: r"\w",
            c.CATEGORY_NOT_WORD: r"\W",
        }.get(av)
        return bool(probe and re.fullmatch(probe, ch))
    return False


def sample_matching(pattern: str, seed: str = "", preferred: str | None = None) -> str | None:
    """A string ``re.search``-matching ``pattern`` (JSON Schema semantics), or None.

    ``preferred`` is returned as is when it already matches, so plausible values survive.
    """
    try:
        compiled = re.compile(pattern)
        parsed = sre_parse.parse(pattern)
    except (re.error, RecursionError, OverflowError):
        return None
    if preferred is not None and compiled.search(preferred):
        return preferred
    for attempt in range(_ATTEMPTS):
        builder = _Builder(f"{seed}/{attempt}")
        try:
            text = builder.emit(list(parsed))
        except (RecursionError, StopIteration, ValueError, OverflowError):
            continue
        if compiled.search(text):
            return text
    return None
