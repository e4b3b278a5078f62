"""A ValueSource that fills structured output from the conversation where field names match.

"Extract the city from: I live in Lisbon" fills ``city`` with "Lisbon"; ``rating`` picks up
"7/10"; enum fields take the value the prompt mentions. Objects that describe cities,
countries, books, films, authors or recipes are filled from the built-in tables
(``model/structured/records``), and "List four cities" makes the main array four items long.
Everything else is left to the default generator (it returns MISSING).
"""

from __future__ import annotations

import re
from typing import Any

from ..model.responder import Voice
from ..model.structured.instances import MISSING
from ..model.structured.plausible import name_words
from ..model.structured.records import entity_kind, map_row, requested_length, table_rows
from ..model.structured.tables import CITY_COUNTRY
from ..model.vocab import CAPITALS, CITIES
from .analysis import Analysis
from .text import pick_enum

__all__ = ["PromptValues"]

# Longest first so "Buenos Aires" wins over a shorter name inside it; ties by name, never by set order.
_KNOWN_CITIES = sorted(
    set(CITIES) | set(CAPITALS.values()) | set(CITY_COUNTRY), key=lambda c: (-len(c), c)
)


def _types(schema: dict[str, Any]) -> list[str]:
    t = schema.get("type")
    return [str(x) for x in t] if isinstance(t, list) else ([str(t)] if t else [])


class PromptValues:
    """Values taken from the conversation (implements the ``ValueSource`` protocol)."""

    def __init__(self, analysis: Analysis, voice: Voice) -> None:
        self.a = analysis
        self.voice = voice
        user_text = [t for role, t in analysis.history if role != "model"] + [analysis.prompt]
        self.text = "\n".join(user_text + [m.text or "" for m in analysis.media])
        self.records: dict[str, dict[str, Any]] = {}  # object path -> values from a table row

    # --- optional ValueSource hooks (see _instances.ValueSource) -----------------------------

    def array_length(self, path: str, name: str, schema: dict[str, Any]) -> int | None:
        items = schema.get("items")
        items = items if isinstance(items, dict) else {}
        title = str(items.get("title") or "") or str(items.get("$ref") or "").rsplit("/", 1)[-1]
        asked = requested_length(self.a.prompt, path, name, title)
        if asked is not None:
            return asked
        # "Compare Tokyo, Paris and Lagos" as a list of cities: one item per city named.
        props = items.get("properties")
        kind = entity_kind(title, name, props if isinstance(props, dict) else {})
        if kind is None:
            return None
        rows, named = table_rows(kind, self.text)
        return min(len(rows), 20) if named and len(rows) >= 2 else None

    def record(self, path: str, name: str, schema: dict[str, Any]) -> dict[str, Any] | None:
        props = schema.get("properties")
        if not isinstance(props, dict):
            return None
        kind = entity_kind(str(schema.get("title") or ""), name, props)
        if kind is None:
            return None
        rows, named = table_rows(kind, self.text)
        index_m = re.search(r"\[(\d+)\]$", path)
        in_array = index_m is not None
        index = int(index_m.group(1)) if index_m else 0
        # A lone object only takes a row the prompt names; a list may take the table's rows.
        if index >= len(rows) or (not in_array and not named):
            return None
        values = map_row(kind, rows[index], props)
        if in_array:
            self.records[path] = values
        return values

    # --- values -------------------------------------------------------------------------------

    def _find(self, pattern: str) -> str | None:
        m = re.search(pattern, self.text, re.IGNORECASE)
        return m.group(1).strip() if m else None

    def pick(self, path: str, name: str, schema: dict[str, Any]) -> Any:
        parent, _, field = path.rpartition(".")
        if field in self.records.get(parent, {}):
            return MISSING  # a list item from a table row: keep the row consistent
        types = _types(schema)
        if "enum" in schema:
            options = [o for o in schema["enum"] if o is not None]
            mentioned = pick_enum(options, self.text, self.voice)
            in_text = isinstance(mentioned, str) and re.search(
                rf"\b{re.escape(mentioned)}\b", self.text, re.IGNORECASE
            )
            return mentioned if in_text else MISSING
        words = name_words(name)
        key = " ".join(words)
        index_m = re.search(r"\[(\d+)\]$", path)
        if (
            index_m
            and "string" in types
            and any(
                w in words
                for w in ("tags", "tag", "keywords", "keyword", "topics", "labels", "terms")
            )
        ):
            i = int(index_m.group(1))
            return self.a.keywords[i] if i < len(self.a.keywords) else MISSING
        if index_m:
            return MISSING
        if "string" in types:
            return self._string(words, key)
        if {"integer", "number"} & set(types):
            return self._number(words, key)
        return MISSING

    def _string(self, words: list[str], key: str) -> Any:
        a = self.a
        if "city" in words or "capital" in words:
            found = next(
                (c for c in _KNOWN_CITIES if re.search(rf"\b{re.escape(c)}\b", self.text)), None
            )
            if found:
                return found
            country = next(
                (c for c in CAPITALS if re.search(rf"\b{re.escape(c)}\b", self.text)), None
            )
            return CAPITALS[country] if country else MISSING
        if "country" in words:
            country = next(
                (c for c in CAPITALS if re.search(rf"\b{re.escape(c)}\b", self.text)), None
            )
            if country:
                return country
            known = next(
                (c for c in _KNOWN_CITIES if re.search(rf"\b{re.escape(c)}\b", self.text)), None
            )
            return CITY_COUNTRY.get(known, MISSING) if known else MISSING
        if "title" in words:
            quoted = self._find(r"[\"“]([^\"”]{2,80})[\"”]")
            if quoted:
                return quoted
        if "author" in words:
            author = re.search(r"\bby ([A-Z][\w.'-]+(?: [A-Z][\w.'-]+)+)", self.text)
            if author:
                return author.group(1)
        if "operation" in words and re.search(r"\bsum\b|\badd", self.text, re.IGNORECASE):
            return "addition"
        if key in ("topic", "subject", "theme"):
            return a.topic
        if words and words[-1] in (
            "explanation",
            "summary",
            "description",
            "reason",
            "reasoning",
            "answer",
        ):
            statement = a.prompt.strip()
            if statement and "?" not in statement and len(statement.split()) <= 30:
                return statement
        explicit = self._find(
            rf"\b{re.escape(key)}\s*(?:is|:|=|was|are)\s*[\"“']?([^,.;\n\"”']{{1,60}})"
        )
        return explicit if explicit else MISSING

    def _number(self, words: list[str], key: str) -> Any:
        a = self.a
        if any(w in words for w in ("rating", "score", "stars")):
            rated = self._find(r"(\d+(?:\.\d+)?)\s*(?:/|out of)\s*(?:5|10)\b") or self._find(
                r"\b(?:rating|score) of (\d+(?:\.\d+)?)"
            )
            if rated:
                return rated
        if a.intent.kind == "arithmetic" and any(
            w in words for w in ("answer", "result", "sum", "total", "value", "product")
        ):
            return a.intent.extra[0]
        if a.intent.kind == "arithmetic" and a.intent.subject:
            operands = re.findall(r"-?\d+(?:\.\d+)?", a.intent.subject)
            slot = next((i for i, w in enumerate(("a", "b", "c")) if w in words), None)
            if slot is not None and slot < len(operands):
                return operands[slot]
        explicit = self._find(rf"\b{re.escape(key)}\s*(?:is|:|=|of|was)\s*(-?\d+(?:\.\d+)?)")
        if explicit:
            return explicit
        return MISSING
