"""The file search tool's ``metadataFilter``: AIP-160 filter expressions over a document's
custom metadata.

Grammar (the subset of https://google.aip.dev/160 that metadata needs)::

    expression  := sequence { ["AND"] sequence }   # juxtaposition is AND too
    sequence    := factor { "OR" factor }
    factor      := ["NOT" | "-"] ( "(" expression ")" | comparison )
    comparison  := key op value | key ":" value | key ":" "*"
    op          := "=" | "!=" | "<" | "<=" | ">" | ">="
    value       := "quoted string" | 'quoted string' | number | bare words

AIP-160 gives ``OR`` precedence over ``AND`` (``a AND b OR c`` is ``a AND (b OR c)``); this
parser does the same. Keys may be written bare (``year``) or with a prefix
(``custom_metadata.year``, ``document.custom_metadata.year``, ``chunk.custom_metadata.year``).
A bare value runs over several words (``author = Robert Graves``, as the file search guide
writes it) until ``AND``, ``OR``, a parenthesis or the next comparison.

Matching: ``=`` / ``!=`` compare strings exactly and numbers numerically (a string metadata
value that reads as a number compares as one); on a string list ``=`` and ``:`` mean "has this
value"; ``<``, ``<=``, ``>``, ``>=`` compare numbers (or strings with strings); ``key:*`` is
"has the key". A comparison on a key the document lacks is false (``NOT`` makes it true).
A malformed expression raises :class:`FilterSyntaxError` with the position.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["FilterSyntaxError", "Metadata", "compile_filter"]

Metadata = Mapping[str, "str | float | list[str]"]
Predicate = Callable[[Metadata], bool]

MAX_FILTER_CHARS = 4096

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
      | (?P<op><=|>=|!=|=|<|>|:)
      | (?P<paren>[()])
      | (?P<word>[^\s()<>=!:"']+)
      | (?P<bad>\S)
    )""",
    re.VERBOSE,
)
_NUMBER = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")
_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-]*(?:\.[A-Za-z_][A-Za-z0-9_\-]*)*$")
_PREFIXES = ("document.custom_metadata.", "chunk.custom_metadata.", "custom_metadata.")


class FilterSyntaxError(ValueError):
    def __init__(self, message: str, position: int) -> None:
        super().__init__(message)
        self.position = position


@dataclass(frozen=True)
class _Tok:
    kind: str  # string, op, paren, word, end
    text: str
    pos: int


def _tokens(text: str) -> list[_Tok]:
    out: list[_Tok] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            break
        kind = m.lastgroup or "bad"
        value = m.group(kind)
        start = m.start(kind)
        if kind == "bad":
            raise FilterSyntaxError(f"unexpected character {value!r}", start)
        if kind == "string" and len(value) < 2:
            raise FilterSyntaxError("unterminated string", start)
        out.append(_Tok(kind, value, start))
        pos = m.end()
    if text[pos:].strip():
        raise FilterSyntaxError("unterminated string", pos)
    out.append(_Tok("end", "", len(text)))
    return out


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text[1:-1])


class _Parser:
    def __init__(self, text: str) -> None:
        self.toks = _tokens(text)
        self.i = 0

    def peek(self, ahead: int = 0) -> _Tok:
        return self.toks[min(self.i + ahead, len(self.toks) - 1)]

    def take(self) -> _Tok:
        tok = self.peek()
        self.i += 1
        return tok

    def keyword(self, word: str) -> bool:
        tok = self.peek()
        return tok.kind == "word" and tok.text == word

    def parse(self) -> Predicate:
        if self.peek().kind == "end":
            raise FilterSyntaxError("the filter is empty", 0)
        pred = self.conjunction()
        tok = self.peek()
        if tok.kind != "end":
            raise FilterSyntaxError(f"unexpected {tok.text!r}", tok.pos)
        return pred

    def conjunction(self) -> Predicate:
        parts = [self.disjunction()]
        while True:
            tok = self.peek()
            if tok.kind == "end" or (tok.kind == "paren" and tok.text == ")"):
                break
            if self.keyword("AND"):
                self.take()
                if self.peek().kind == "end":
                    raise FilterSyntaxError("AND needs an expression after it", self.peek().pos)
            parts.append(self.disjunction())
        if len(parts) == 1:
            return parts[0]
        return lambda md: all(p(md) for p in parts)

    def disjunction(self) -> Predicate:
        parts = [self.factor()]
        while self.keyword("OR"):
            self.take()
            parts.append(self.factor())
        if len(parts) == 1:
            return parts[0]
        return lambda md: any(p(md) for p in parts)

    def factor(self) -> Predicate:
        tok = self.peek()
        if self.keyword("NOT") or (tok.kind == "word" and tok.text == "-"):
            self.take()
            inner = self.factor()
            return lambda md: not inner(md)
        if tok.kind == "paren" and tok.text == "(":
            self.take()
            if self.peek().kind == "paren" and self.peek().text == ")":
                raise FilterSyntaxError("empty parentheses", self.peek().pos)
            inner = self.conjunction()
            close = self.take()
            if close.kind != "paren" or close.text != ")":
                raise FilterSyntaxError("missing ')'", close.pos)
            return inner
        return self.comparison()

    def comparison(self) -> Predicate:
        key_tok = self.take()
        if key_tok.kind == "end":
            raise FilterSyntaxError("expected a comparison", key_tok.pos)
        if key_tok.kind != "word" or key_tok.text in ("AND", "OR", "NOT"):
            raise FilterSyntaxError(f"expected a metadata key, found {key_tok.text!r}", key_tok.pos)
        if not _KEY.match(key_tok.text):
            raise FilterSyntaxError(f"{key_tok.text!r} is not a metadata key", key_tok.pos)
        op_tok = self.take()
        if op_tok.kind != "op":
            raise FilterSyntaxError(
                f"expected an operator (=, !=, <, <=, >, >=, :) after {key_tok.text!r}",
                op_tok.pos,
            )
        key = key_tok.text
        for prefix in _PREFIXES:
            if key.startswith(prefix):
                key = key[len(prefix) :]
                break
        value = self.value(op_tok)
        return _compare(key, op_tok.text, value)

    def value(self, op_tok: _Tok) -> str | float | None:
        tok = self.take()
        if tok.kind == "string":
            return _unquote(tok.text)
        if tok.kind != "word" or tok.text in ("AND", "OR", "NOT"):
            raise FilterSyntaxError(f"expected a value after {op_tok.text!r}", tok.pos)
        if tok.text == "*" and op_tok.text == ":":
            return None
        if _NUMBER.match(tok.text):
            return float(tok.text)
        words = [tok.text]
        # A bare value goes on over plain words that do not start the next comparison.
        while (
            self.peek().kind == "word"
            and self.peek().text not in ("AND", "OR", "NOT")
            and self.peek(1).kind != "op"
        ):
            words.append(self.take().text)
        return " ".join(words)


def _as_number(value: Any) -> float | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str) and _NUMBER.match(value.strip()):
        return float(value)
    return None


def _compare(key: str, op: str, want: str | float | None) -> Predicate:
    def test(md: Metadata) -> bool:
        if key not in md:
            return False
        have = md[key]
        if want is None:  # key:*
            return True
        if isinstance(have, list):
            if op in ("=", ":"):
                return str(want if not isinstance(want, float) else _fmt(want)) in have
            if op == "!=":
                return str(want if not isinstance(want, float) else _fmt(want)) not in have
            return False
        if isinstance(want, float) or op in ("<", "<=", ">", ">="):
            a, b = _as_number(have), _as_number(want)
            if a is None or b is None:
                if isinstance(have, str) and isinstance(want, str):
                    return _order(have, op, want)
                return op == "!=" and a is None and isinstance(want, float)
            return _order(a, op, b)
        text = str(have) if not isinstance(have, float) else _fmt(have)
        if op == ":":
            return want.lower() in text.lower()
        return (text == want) == (op != "!=")

    return test


def _fmt(number: float) -> str:
    return str(int(number)) if number == int(number) else repr(number)


def _order(a: Any, op: str, b: Any) -> bool:
    if op in ("=", ":"):
        return bool(a == b)
    if op == "!=":
        return bool(a != b)
    if op == "<":
        return bool(a < b)
    if op == "<=":
        return bool(a <= b)
    if op == ">":
        return bool(a > b)
    return bool(a >= b)


def compile_filter(text: str) -> Predicate:
    """A predicate over a document's metadata, or FilterSyntaxError."""
    if len(text) > MAX_FILTER_CHARS:
        raise FilterSyntaxError(f"the filter is longer than {MAX_FILTER_CHARS} characters", 0)
    return _Parser(text).parse()
