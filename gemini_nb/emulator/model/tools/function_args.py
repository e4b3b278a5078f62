"""Function-call arguments read out of the prompt, checked against the declared schema.

`PromptValues` is the `ValueSource` handed to `_instances.instance_for`: for each parameter it
offers a value found in the prompt (or in earlier function responses), and says MISSING when it
has nothing that satisfies the parameter's schema, so the instance generator's default is used.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from ..prompt import STOPWORDS, Candidate, PromptFacts, name_words, stem, word_set, words
from ..structured.conform import conforms, resolve_ref
from ..structured.instances import MISSING, openapi_to_jsonschema

__all__ = [
    "Dialect",
    "PromptValues",
    "as_written",
    "fits",
    "json_schema",
    "resolve",
    "schema_kind",
    "top_properties",
]

Dialect = Literal["openapi", "jsonschema"]

_LOCATION = word_set(
    """location city place country region address town state area venue airport where destination
    origin departure arrival source target station zone timezone tz"""
)
_ORIGIN = {"origin", "from", "source", "departure", "start"}
_DESTINATION = {"destination", "to", "target", "arrival", "end", "recipient"}
_PERSON = word_set(
    """name person user username author recipient contact customer who artist player owner assignee
    attendee guest employee"""
)
_FREE_TEXT = word_set(
    """query q search text prompt question topic keyword keywords term terms message content body
    subject input description title note comment instruction instructions request summary
    expression formula statement sentence phrase task"""
)
_IDENTIFIER = word_set(
    """id code number isbn sku ref reference key token password symbol ticker handle slug
    identifier serial pin"""
)
_NEGATIONS = word_set("""no not without don't dont exclude excluding skip never disable""")
_ARITHMETIC_RE = re.compile(
    r"[-(]*\s*\d+(?:\.\d+)?(?:\s*(?:\*\*|[-+*/^%×÷x])\s*[-(]*\s*\d+(?:\.\d+)?\s*\)*)+"
)
_LEADING_REQUEST_RE = re.compile(
    r"^(?:(?:please|kindly|hey|hi|ok|okay)[,\s]+)*(?:(?:can|could|would|will)\s+you\s+)?"
    r"(?:please\s+)?(?:(?:use|call|run)\s+(?:the\s+|your\s+)?[\w-]+(?:\s+(?:tool|function))?\s+(?:to\s+)?)?"
    r"(?:search(?:\s+the\s+web)?\s+for|look\s+up|find(?:\s+out)?|tell\s+me|show\s+me|get|fetch|give\s+me|"
    r"check|search)?\s*",
    re.IGNORECASE,
)


def resolve(schema: Any, root: dict[str, Any] | None) -> dict[str, Any]:
    """Follow local `$ref`s ("#/$defs/X"); anything unresolvable becomes {}."""
    seen = 0
    while isinstance(schema, dict) and isinstance(schema.get("$ref"), str) and seen < 16:
        schema = resolve_ref(schema["$ref"], root)
        seen += 1
    return schema if isinstance(schema, dict) else {}


def json_schema(schema: dict[str, Any] | None, dialect: Dialect) -> dict[str, Any] | None:
    """The parameter schema in JSON Schema form (the API's OpenAPI dialect is converted)."""
    if not isinstance(schema, dict):
        return None
    return openapi_to_jsonschema(schema) if dialect == "openapi" else schema


def _types(schema: dict[str, Any]) -> list[str]:
    raw = schema.get("type")
    if isinstance(raw, str):
        return [raw.lower()]
    if isinstance(raw, list):
        return [str(t).lower() for t in raw]
    return []


def schema_kind(schema: dict[str, Any], root: dict[str, Any] | None = None) -> str:
    """The value kind a JSON Schema node asks for: string, integer, number, boolean, array, object or ''."""
    schema = resolve(schema, root)
    kinds = [t for t in _types(schema) if t != "null"]
    if kinds:
        return kinds[0]
    if schema.get("enum"):
        first = schema["enum"][0]
        return (
            "string"
            if isinstance(first, str)
            else "number"
            if isinstance(first, (int, float))
            else ""
        )
    if "properties" in schema:
        return "object"
    if "items" in schema or "prefixItems" in schema:
        return "array"
    for key in ("anyOf", "oneOf", "allOf"):
        for option in schema.get(key) or []:
            kind = schema_kind(option, root)
            if kind:
                return kind
    return ""


def top_properties(root: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    """The declared parameters: the properties of the top-level object schema (JSON Schema form)."""
    if not root:
        return {}
    top = resolve(root, root)
    props = top.get("properties")
    return {k: resolve(v, root) for k, v in props.items()} if isinstance(props, dict) else {}


def fits(value: Any, schema: dict[str, Any], root: dict[str, Any] | None = None) -> bool:
    """Whether `value` satisfies the JSON Schema node `schema`."""
    return conforms(value, schema, root if root is not None else schema)


@dataclass
class PromptValues:
    """A `ValueSource` that offers values read from the prompt and from earlier tool results.

    `window` is the span of the prompt that talks about this function (values there come
    first); `fixed` pins top-level parameters (one call per listed value); `previous` maps
    keys of earlier function responses to their values, for chained calls.
    """

    facts: PromptFacts
    root: dict[str, Any]
    window: tuple[int, int] = (0, 1 << 30)
    fixed: dict[str, Any] = field(default_factory=dict)
    previous: dict[str, Any] = field(default_factory=dict)
    used: set[int] = field(default_factory=set)
    used_numbers: set[int] = field(default_factory=set)
    supplied: set[str] = field(default_factory=set)  # top-level parameters given a prompt value

    # --- the ValueSource protocol -------------------------------------------------------
    def pick(self, path: str, name: str, schema: dict[str, Any]) -> Any:
        value = self._offer(path, name, resolve(schema, self.root))
        if value is MISSING or value is None or not fits(value, schema, self.root):
            return MISSING
        top = re.match(r"\$\.([^.\[]+)", path)
        if top:
            self.supplied.add(top.group(1))
        return value

    # --- helpers ------------------------------------------------------------------------
    def _offer(self, path: str, name: str, schema: dict[str, Any]) -> Any:
        if _is_top(path, name) and name in self.fixed:
            return self.fixed[name]
        kind = schema_kind(schema, self.root)
        earlier = self._from_previous(name, schema)
        if earlier is not MISSING:
            return earlier
        if kind == "string" or (not kind and schema.get("enum")):
            return self._string(name, schema)
        if kind in ("integer", "number"):
            return self._number(name, schema, kind)
        if kind == "boolean":
            return self._boolean(name)
        if kind == "array":
            return self._array(name, schema)
        return MISSING

    def _from_previous(self, name: str, schema: dict[str, Any]) -> Any:
        if not self.previous:
            return MISSING
        wanted = name_words(name)
        for key, value in self.previous.items():
            key_words = name_words(key)
            same = key.lower() == name.lower() or key_words == wanted
            # "user_id" is served by an "id" found in the response of a user lookup.
            tail = len(wanted) > 1 and key_words == wanted[-1:]
            if (same or tail) and fits(value, schema, self.root):
                return value
            if (
                (same or tail)
                and isinstance(value, (int, float))
                and fits(str(value), schema, self.root)
            ):
                return str(value)
        return MISSING

    def _ordered(self, cands: Iterable[Candidate]) -> list[Candidate]:
        """Candidates inside this function's window first, then the rest, each in prompt order."""
        pool = [c for c in cands if c.start not in self.used]
        lo, hi = self.window
        inside = [c for c in pool if lo <= c.start < hi]
        return inside + [c for c in pool if not (lo <= c.start < hi)]

    def _take(self, cand: Candidate) -> Any:
        self.used.add(cand.start)
        return cand.value

    def _first_fitting(
        self, cands: Iterable[Candidate], schema: dict[str, Any], *, as_str: bool = True
    ) -> Any:
        for cand in self._ordered(cands):
            value = str(cand.value) if as_str else cand.value
            if fits(value, schema, self.root):
                self.used.add(cand.start)
                return value
        return MISSING

    def _adjacent(self, name: str) -> list[Candidate]:
        """Values written right after the parameter's name: "city Paris", "order_id: A-4417"."""
        parts = [w for w in name_words(name) if w not in STOPWORDS]
        variants = [parts] + ([parts[:-1]] if len(parts) > 1 and parts[-1] in _IDENTIFIER else [])
        found: list[Candidate] = []
        for variant in variants:
            if not variant:
                continue
            pattern = r"[\s_-]*".join(re.escape(p) for p in variant)
            for m in re.finditer(
                rf"\b{pattern}s?\b\s*(?:is|=|:|of|named|called|number|#|id)?\s*",
                self.facts.text,
                re.I,
            ):
                after = [c for c in self.facts.candidates if c.start == m.end()]
                if after:
                    found.extend(after)
                    continue
                word = re.match(r"[\w@.+-]+", self.facts.text[m.end() :])
                if word and word.group(0).lower() not in STOPWORDS:
                    text = word.group(0).rstrip(".")
                    found.append(Candidate("phrase", text, m.end(), m.end() + len(text), text))
        return found

    def _string(self, name: str, schema: dict[str, Any]) -> Any:
        enum = schema.get("enum")
        if enum:
            return self._enum(enum)
        fmt = schema.get("format")
        facts = self.facts
        nwords = set(name_words(name))
        if fmt in ("date", "date-time") or nwords & {"date", "day", "when", "birthday", "deadline"}:
            for cand in self._ordered(facts.of_kind("date")):
                value = (
                    cand.value
                    if fmt != "date-time" or "T" in cand.value
                    else f"{cand.value}T00:00:00Z"
                )
                if fits(value, schema, self.root):
                    return self._take(cand) if value == cand.value else value
        if fmt == "email" or "email" in nwords:
            got = self._first_fitting(facts.of_kind("email"), schema)
            if got is not MISSING:
                return got
        if fmt in ("uri", "url") or nwords & {"url", "uri", "link", "website", "page"}:
            got = self._first_fitting(facts.of_kind("url"), schema)
            if got is not MISSING:
                return got
        got = self._first_fitting(self._adjacent(name), schema)
        if got is not MISSING:
            return got
        for group in self._semantic_order(nwords):
            if nwords & (_LOCATION | _PERSON):
                # "weather in paris" -> "Paris": names are written capitalised.
                group = [_capitalised(c) for c in group]
            got = self._first_fitting(group, schema)
            if got is not MISSING:
                return got
        if nwords & _FREE_TEXT:
            text = self._free_text(nwords)
            if text and fits(text, schema, self.root):
                return text
        return MISSING

    def _semantic_order(self, nwords: set[str]) -> list[list[Candidate]]:
        """Which found values suit a parameter with these name words, best first."""
        facts = self.facts
        preps = facts.prepositional
        quoted, proper, codes = (
            facts.of_kind("quoted"),
            facts.of_kind("proper"),
            facts.of_kind("code"),
        )
        phrases = [c for _, c in preps if c.kind == "phrase"]
        order: list[list[Candidate]] = []
        if nwords & _ORIGIN:
            order.append([c for p, c in preps if p == "from"])
        if nwords & _DESTINATION:
            order.append([c for p, c in preps if p in ("to", "for")])
        if nwords & _LOCATION:
            order += [
                [
                    c
                    for p, c in preps
                    if p in ("in", "at", "near", "for", "to", "from", "of")
                    and c.kind in ("proper", "phrase")
                ],
                proper,
                quoted,
            ]
        elif nwords & _PERSON:
            order += [
                quoted,
                [
                    c
                    for p, c in preps
                    if p in ("called", "named", "for", "to", "with")
                    and c.kind in ("proper", "quoted")
                ],
                proper,
            ]
        elif nwords & _IDENTIFIER:
            order += [codes, quoted, facts.of_kind("number"), proper]
        elif nwords & _FREE_TEXT:
            order += [quoted]
            if nwords & {"expression", "formula"}:
                order.append(self._arithmetic())
            order.append(
                [c for p, c in preps if p in ("about", "on", "for") and c.kind != "number"]
            )
        else:
            order += [quoted, proper, codes, phrases]
        return order

    def _arithmetic(self) -> list[Candidate]:
        found = []
        for m in _ARITHMETIC_RE.finditer(self.facts.text):
            expr = m.group(0).strip()
            found.append(Candidate("phrase", expr, m.start(), m.end(), expr))
        return found

    def _free_text(self, nwords: set[str]) -> str:
        """A search-style rendering of the request: the prompt minus courtesy and tool talk."""
        text = self.facts.text.strip()
        lo, hi = self.window
        if hi - lo < len(text) and lo < len(text):
            text = text[lo:hi].strip(" ,.;")
        sentence = re.split(r"(?<=[.!?])\s+|\n", text)[0]
        sentence = _LEADING_REQUEST_RE.sub("", sentence).strip(" ?!.")
        sentence = re.sub(
            r"\s+(?:using|with|via)\s+(?:the\s+|your\s+)?\w+\s+(?:tool|function)\b.*$",
            "",
            sentence,
            flags=re.I,
        )
        sentence = re.sub(r"\b\w+_\w+(?:\([^)]*\))?", "", sentence).strip(" ,.;:?")
        return " ".join(sentence.split()[:16])

    def _enum(self, enum: list[Any]) -> Any:
        text = self.facts.text
        lo, hi = self.window
        best: tuple[int, int, Any] | None = None
        for value in enum:
            if not isinstance(value, str) or not value:
                continue
            options = {value, value.replace("_", " "), value.replace("-", " ")}
            options |= _UNIT_ALIASES.get(value.lower(), set())
            for option in options:
                for m in re.finditer(rf"(?<!\w){re.escape(option)}(?!\w)", text, re.I):
                    rank = (0 if lo <= m.start() < hi else 1, m.start(), value)
                    if best is None or rank[:2] < best[:2]:
                        best = rank
        return best[2] if best else MISSING

    def _number(self, name: str, schema: dict[str, Any], kind: str) -> Any:
        numbers = self.facts.of_kind("number")
        nwords = [w for w in name_words(name) if w not in STOPWORDS]
        stems = {stem(w) for w in nwords}
        # "3 items" / "items: 3" / "limit to 5": a number beside the parameter's own name.
        near: list[Candidate] = []
        tokens = words(self.facts.text)
        for index, (word, _) in enumerate(tokens):
            if stem(word) not in stems:
                continue
            for other in tokens[max(0, index - 2) : index + 4]:
                near += [c for c in numbers if c.start == other[1]]
        if "year" in nwords:
            near += [c for c in numbers if isinstance(c.value, int) and 1000 <= c.value <= 2999]
            near += [
                Candidate("number", int(c.value[:4]), c.start, c.end, c.text)
                for c in self.facts.of_kind("date")
            ]
        for cand in self._ordered_numbers(near) + self._ordered_numbers(numbers):
            value = cand.value
            if kind == "integer":
                if isinstance(value, float) and not value.is_integer():
                    continue
                value = int(value)
            if fits(value, schema, self.root):
                self.used_numbers.add(cand.start)
                return value
        return MISSING

    def _ordered_numbers(self, cands: list[Candidate]) -> list[Candidate]:
        pool = [c for c in cands if c.start not in self.used_numbers]
        lo, hi = self.window
        return [c for c in pool if lo <= c.start < hi] + [c for c in pool if not lo <= c.start < hi]

    def _boolean(self, name: str) -> Any:
        nwords = {
            stem(w)
            for w in name_words(name)
            if w not in STOPWORDS and w not in ("is", "has", "include", "use", "enable")
        }
        tokens = words(self.facts.text)
        for index, (word, _) in enumerate(tokens):
            if nwords and stem(word) in nwords:
                before = {w for w, _ in tokens[max(0, index - 3) : index]}
                return not (before & _NEGATIONS)
        flags = self.facts.booleans()
        lo, hi = self.window
        inside = [v for v, pos in flags if lo <= pos < hi]
        if inside:
            return inside[0]
        return flags[0][0] if flags else MISSING

    def _array(self, name: str, schema: dict[str, Any]) -> Any:
        items = resolve(schema.get("items") or {}, self.root)
        kind = schema_kind(items, self.root)
        if items.get("enum"):
            text = self.facts.text.lower()
            picked = [
                v
                for v in items["enum"]
                if isinstance(v, str) and v.lower().replace("_", " ") in text
            ]
            return picked or MISSING
        if kind in ("integer", "number"):
            values = [c.value for c in self.facts.of_kind("number")]
            if kind == "integer":
                values = [int(v) for v in values if not isinstance(v, float) or v.is_integer()]
            return values or MISSING
        if kind == "string":
            nwords = set(name_words(name))
            for group in self.facts.lists:
                if all(fits(str(c.value), items, self.root) for c in group):
                    return [str(c.value) for c in group]
            for group in self._semantic_order(nwords):
                values = [str(c.value) for c in group if fits(str(c.value), items, self.root)]
                if values:
                    return list(dict.fromkeys(values))
        return MISSING


_UNIT_ALIASES: dict[str, set[str]] = {
    "celsius": {"°C", "centigrade", "metric"},
    "c": {"°C", "celsius", "centigrade"},
    "metric": {"celsius", "°C", "kilometers", "km"},
    "fahrenheit": {"°F", "imperial"},
    "f": {"°F", "fahrenheit"},
    "imperial": {"fahrenheit", "°F", "miles"},
}


def as_written(name: str, cand: Candidate) -> Candidate:
    """The candidate as a parameter called `name` would hold it (place and people names capitalised)."""
    return _capitalised(cand) if set(name_words(name)) & (_LOCATION | _PERSON) else cand


def _capitalised(cand: Candidate) -> Candidate:
    if cand.kind != "phrase" or not isinstance(cand.value, str) or cand.value != cand.value.lower():
        return cand
    titled = " ".join(w if w in STOPWORDS else w[:1].upper() + w[1:] for w in cand.value.split())
    return Candidate(cand.kind, titled, cand.start, cand.end, cand.text)


def _is_top(path: str, name: str) -> bool:
    """Whether `path` ("$.city", "$.tags[0]", "$.address.city") is the top-level parameter `name`."""
    return path == f"$.{name}"
