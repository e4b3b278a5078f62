"""Generate a JSON value that is valid against a schema, deterministically and plausibly.

Two schema dialects are understood:

* ``"openapi"``: the API's own ``Schema`` object (``responseSchema``, function ``parameters``):
  upper-case ``type`` names, ``nullable``, ``format``, ``enum``, ``items``, ``properties``,
  ``required``, ``anyOf``, ``minItems``/``maxItems`` (int64 strings), ``minimum``/``maximum``,
  ``minLength``/``maxLength``, ``pattern``, ``propertyOrdering``, ``example``...
* ``"jsonschema"``: JSON Schema as pydantic and other tools emit it (``responseJsonSchema``,
  ``parametersJsonSchema``): type lists, ``$ref``/``$defs``, ``anyOf``/``oneOf``/``allOf``,
  ``enum``, ``const``, ``prefixItems``, ``additionalProperties``, ``patternProperties``,
  ``propertyNames``, formats (date, date-time, time, email, uri, uuid, ipv4, ...), numeric
  bounds (inclusive and exclusive, draft 4 booleans too), ``multipleOf``, string and array
  lengths, ``uniqueItems``, ``contains``, ``examples``.

OpenAPI input is first converted to the JSON Schema form (:func:`openapi_to_jsonschema`); the
generator and any :class:`ValueSource` always see JSON Schema nodes.

Every object gets all its required properties and, in a fixed order (``propertyOrdering``
first, then declaration order), its optional ones too; nesting deeper than a few levels (as in
recursive models) falls back to required properties and minimal arrays so the value stays
finite. Values come from the field names ("city" -> a city, "email" -> an address, "age" ->
an adult age, "price" -> a sane amount), seeded by ``seed`` and the value's path, and every
value is checked against its schema before it is used.
"""

from __future__ import annotations

import contextlib
import copy
import math
from collections.abc import Mapping
from typing import Any, Final, Literal, Protocol

from ..hashing import canonical_json, choose, digest_int, unit
from ..vocab import FIRST_NAMES, NOUNS
from .conform import conforms, resolve_ref
from .plausible import plausible_bool, plausible_number_range, plausible_string, string_for_format
from .regex_sample import sample_matching

__all__ = ["MISSING", "ValueSource", "instance_for", "openapi_to_jsonschema"]

MISSING: Final = object()
"""Returned by a ValueSource to let the default generator choose."""


class ValueSource(Protocol):
    """Supplies values for particular places in the instance (e.g. taken from a prompt).

    ``path`` is ``$`` for the root, ``$.author.name`` for properties and ``$.tags[0]`` for array
    items; ``name`` is the property name (for array items, the array's name; "" at the root);
    ``schema`` is the JSON Schema node. A value that does not satisfy ``schema`` is ignored.

    A source may also define two optional hooks (looked up by name, so plain sources need not):

    * ``array_length(path, name, schema) -> int | None``: how many items an array should have
      ("four cities"); kept within minItems/maxItems.
    * ``record(path, name, schema) -> Mapping[str, Any] | None``: values for some properties of
      the object at ``path`` (a row of a table: a city's name, country and population). They are
      used where ``pick`` has nothing and the value is valid for the property.
    """

    def pick(self, path: str, name: str, schema: dict[str, Any]) -> Any: ...


_SOFT_DEPTH = 5  # deeper than this: only required properties, minimal arrays
_HARD_DEPTH = 40  # deeper than this: give up on structure
_MAX_NESTING = 120

_OPENAPI_TYPES = {
    "STRING": "string",
    "INTEGER": "integer",
    "NUMBER": "number",
    "BOOLEAN": "boolean",
    "ARRAY": "array",
    "OBJECT": "object",
    "NULL": "null",
}
_INT64_KEYS = ("minItems", "maxItems", "minLength", "maxLength", "minProperties", "maxProperties")
_SNAKE_KEYS = {
    "any_of": "anyOf",
    "property_ordering": "propertyOrdering",
    "min_items": "minItems",
    "max_items": "maxItems",
    "min_length": "minLength",
    "max_length": "maxLength",
    "min_properties": "minProperties",
    "max_properties": "maxProperties",
}
_DICT_KEY_HINTS: dict[str, tuple[str, ...]] = {
    "metadata": ("source", "version", "owner", "region"),
    "attributes": ("material", "size", "finish", "origin"),
    "settings": ("theme", "language", "timezone", "layout"),
    "config": ("mode", "retries", "timeout", "region"),
    "headers": ("accept", "user-agent", "cache-control", "x-request-id"),
    "translations": ("en", "fr", "de", "es"),
}


def openapi_to_jsonschema(schema: Any) -> dict[str, Any]:
    """Convert an OpenAPI-style ``Schema`` (the API's dialect) to the JSON Schema form."""
    if not isinstance(schema, Mapping):
        return {}
    node = {_SNAKE_KEYS.get(k, k): v for k, v in schema.items()}
    out: dict[str, Any] = {}
    raw_type = node.get("type")
    json_type = _OPENAPI_TYPES.get(str(raw_type).upper()) if isinstance(raw_type, str) else None
    nullable = node.get("nullable") is True
    if json_type is not None:
        out["type"] = [json_type, "null"] if nullable and json_type != "null" else json_type
    for key in ("title", "description", "pattern", "minimum", "maximum", "default"):
        if key in node:
            out[key] = node[key]
    if isinstance(node.get("format"), str) and node["format"] != "enum":
        out["format"] = node["format"]
    if "enum" in node:
        out["enum"] = list(node["enum"]) + ([None] if nullable else [])
    if "example" in node:
        out["examples"] = [node["example"]]
    for key in _INT64_KEYS:
        if key in node:
            with contextlib.suppress(TypeError, ValueError):
                out[key] = int(node[key])
    if isinstance(node.get("items"), Mapping):
        out["items"] = openapi_to_jsonschema(node["items"])
    if isinstance(node.get("properties"), Mapping):
        out["properties"] = {k: openapi_to_jsonschema(v) for k, v in node["properties"].items()}
    if isinstance(node.get("required"), list):
        out["required"] = list(node["required"])
    if isinstance(node.get("propertyOrdering"), list):
        out["propertyOrdering"] = list(node["propertyOrdering"])
    if isinstance(node.get("anyOf"), list):
        branches = [openapi_to_jsonschema(b) for b in node["anyOf"]]
        if nullable and json_type is None:
            branches.append({"type": "null"})
        out["anyOf"] = branches
    return out


def instance_for(
    schema: dict[str, Any],
    *,
    dialect: Literal["openapi", "jsonschema"],
    values: ValueSource | None = None,
    seed: str = "",
) -> Any:
    """A value valid against ``schema``; the same inputs always give the same value."""
    root = openapi_to_jsonschema(schema) if dialect == "openapi" else schema
    return _Generator(root, values, seed).generate(root, "$", "", 0)


# --- schema algebra -----------------------------------------------------------------------------


def _types_of(node: Mapping[str, Any]) -> list[str] | None:
    t = node.get("type")
    if t is None:
        return None
    # Lower-case so an OpenAPI-style "OBJECT" slipped into a JSON Schema still works.
    return [str(x).lower() for x in t] if isinstance(t, list) else [str(t).lower()]


def _merge(a: Mapping[str, Any], b: Mapping[str, Any]) -> dict[str, Any]:
    """A node requiring both ``a`` and ``b`` (used for allOf, $ref siblings, union parents)."""
    out = dict(a)
    for key, value in b.items():
        if key not in out:
            out[key] = value
            continue
        mine = out[key]
        if key == "type":
            ta, tb = _types_of(out) or [], _types_of(b) or []
            both = [t for t in ta if t in tb or (t == "number" and "integer" in tb)]
            both += [t for t in tb if t == "integer" and "number" in ta and t not in both]
            out[key] = both if len(both) > 1 else (both[0] if both else value)
        elif key == "properties":
            props = dict(mine)
            for name, sub in value.items():
                props[name] = {"allOf": [props[name], sub]} if name in props else sub
            out[key] = props
        elif key == "required":
            out[key] = list(dict.fromkeys([*mine, *value]))
        elif key in ("minimum", "minLength", "minItems", "minProperties"):
            out[key] = max(mine, value)
        elif key in ("maximum", "maxLength", "maxItems", "maxProperties"):
            out[key] = min(mine, value)
        elif key == "enum":
            kept = [e for e in mine if any(canonical_json(e) == canonical_json(v) for v in value)]
            out[key] = kept or value
        elif key == "additionalProperties":
            out[key] = (
                False if False in (mine, value) else (value if isinstance(value, Mapping) else mine)
            )
        elif key in ("anyOf", "oneOf"):
            # Two unions on one node: generation honours the first; the value is still checked
            # against both where it matters (the caller vets results with ``conforms``).
            continue
        else:
            out[key] = value
    return out


def _coerce(value: Any, node: Mapping[str, Any]) -> Any:
    """Nudge a picked value towards the node's type ("42" for an integer field -> 42)."""
    types = _types_of(node) or []
    if isinstance(value, str):
        text = value.strip()
        if "integer" in types:
            try:
                return int(text)
            except ValueError:
                pass
        if "number" in types:
            try:
                return float(text)
            except ValueError:
                pass
        if "boolean" in types and text.lower() in ("true", "false", "yes", "no"):
            return text.lower() in ("true", "yes")
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        if "string" in types and not ({"integer", "number"} & set(types)):
            return str(value)
        if "integer" in types and isinstance(value, float) and value.is_integer():
            return int(value)
    return value


class _Generator:
    def __init__(self, root: Any, values: ValueSource | None, seed: str) -> None:
        self.root = root
        self.values = values
        self.seed = seed
        self.ref_stack: list[str] = []  # $refs being expanded, to spot recursive models
        self.nesting = 0  # generate() calls in progress; unions can re-enter without a $ref
        self.hints: dict[str, Any] = {}  # path -> value offered by the source's record hook

    def _hook(self, hook: str, path: str, name: str, node: Mapping[str, Any]) -> Any:
        """Call an optional ValueSource hook; None when the source doesn't have it."""
        method = getattr(self.values, hook, None)
        return method(path, name, dict(node)) if callable(method) else None

    def _seed(self, path: str) -> str:
        return f"{self.seed}|{path}"

    def _ok(self, value: Any, node: Mapping[str, Any]) -> bool:
        return conforms(value, node, self.root)

    def prepare(self, node: Any, _seen: frozenset[str] = frozenset()) -> dict[str, Any]:
        """Inline $ref and allOf so the generator sees one flat node.

        ``_seen`` holds the refs already inlined on this path: a ref that points back into
        itself (directly or through allOf) is dropped instead of expanded forever.
        """
        if node is True or node is None:
            return {}
        if node is False or not isinstance(node, Mapping):
            return {"not": {}}
        flat = dict(node)
        while "$ref" in flat:
            ref = str(flat.pop("$ref"))
            target = resolve_ref(ref, self.root)
            if ref in _seen or not isinstance(target, Mapping):
                continue
            flat = _merge(self.prepare(target, _seen | {ref}), flat)
        while "allOf" in flat:
            parts = flat.pop("allOf")
            for part in parts or []:
                flat = _merge(flat, self.prepare(part, _seen))
        return flat

    # --- dispatch ---------------------------------------------------------------------------

    def generate(self, node: Any, path: str, name: str, depth: int) -> Any:
        if self.nesting > _MAX_NESTING:
            return None  # a schema that only refers to itself: nothing finite to build
        self.nesting += 1
        try:
            return self._generate_ref(node, path, name, depth)
        finally:
            self.nesting -= 1

    def _generate_ref(self, node: Any, path: str, name: str, depth: int) -> Any:
        ref = node.get("$ref") if isinstance(node, Mapping) else None
        if isinstance(ref, str):
            if ref in self.ref_stack:
                # A model that contains itself: keep the nested copy minimal so it ends.
                depth = max(depth, _SOFT_DEPTH)
            self.ref_stack.append(ref)
            try:
                return self._generate(node, path, name, depth)
            finally:
                self.ref_stack.pop()
        return self._generate(node, path, name, depth)

    def _generate(self, node: Any, path: str, name: str, depth: int) -> Any:
        flat = self.prepare(node)
        if self.values is not None:
            picked = self.values.pick(path, name, flat)
            if picked is not MISSING:
                picked = _coerce(picked, flat)
                if self._ok(picked, flat):
                    return picked
        hinted = self.hints.pop(path, MISSING)
        if hinted is not MISSING:
            hinted = _coerce(hinted, flat)
            if self._ok(hinted, flat):
                return copy.deepcopy(hinted)
        if "const" in flat:
            return copy.deepcopy(flat["const"])
        for union in ("oneOf", "anyOf"):
            if flat.get(union):
                return self._union(flat, union, path, name, depth)
        examples = [e for e in flat.get("examples") or [] if e is not None and self._ok(e, flat)]
        if examples:
            return copy.deepcopy(choose(examples, "example", self._seed(path)))
        if "enum" in flat:
            return self._enum(flat, path)
        kind = self._kind(flat, depth)
        if depth > _HARD_DEPTH:
            return {
                "object": {},
                "array": [],
                "string": "",
                "integer": 0,
                "number": 0,
                "boolean": False,
            }.get(kind)
        if kind == "object":
            return self._object(flat, path, name, depth)
        if kind == "array":
            return self._array(flat, path, name, depth)
        if kind in ("integer", "number"):
            return self._number(flat, path, name, integer=kind == "integer")
        if kind == "boolean":
            return plausible_bool(name, self._seed(path))
        if kind == "null":
            return None
        return self._string(flat, path, name)

    def _kind(self, node: Mapping[str, Any], depth: int) -> str:
        types = _types_of(node)
        if types:
            concrete = [t for t in types if t != "null"]
            if not concrete or (depth >= _SOFT_DEPTH and "null" in types):
                return "null"
            return concrete[0]
        if any(
            k in node
            for k in (
                "properties",
                "additionalProperties",
                "required",
                "patternProperties",
                "propertyNames",
                "minProperties",
            )
        ):
            return "object"
        if any(k in node for k in ("items", "prefixItems", "minItems", "maxItems", "contains")):
            return "array"
        if any(
            k in node
            for k in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")
        ):
            return "number"
        return "string"

    def _enum(self, node: Mapping[str, Any], path: str) -> Any:
        options = list(node.get("enum") or [])
        valid = [o for o in options if self._ok(o, node)] or options
        non_null = [o for o in valid if o is not None] or valid
        if not non_null:
            return None
        return copy.deepcopy(choose(non_null, "enum", self._seed(path)))

    def _union(self, node: Mapping[str, Any], key: str, path: str, name: str, depth: int) -> Any:
        parent = {k: v for k, v in node.items() if k != key}
        branches = [_merge(parent, self.prepare(b)) for b in node[key]]

        def is_null(b: Mapping[str, Any]) -> bool:
            return _types_of(b) == ["null"] or b.get("const", MISSING) is None

        concrete = [i for i, b in enumerate(branches) if not is_null(b)]
        nulls = [i for i, b in enumerate(branches) if is_null(b)]
        # Authors list the preferred branch first (Decimal: number before its string form).
        order = (nulls + concrete) if depth >= _SOFT_DEPTH else (concrete + nulls)
        first: Any = MISSING
        for index in order:
            value = self.generate(branches[index], path, name, depth)
            if first is MISSING:
                first = value
            if key == "anyOf" and self._ok(value, branches[index]):
                return value
            if key == "oneOf" and sum(1 for b in branches if self._ok(value, b)) == 1:
                return value
        return None if first is MISSING else first

    # --- objects ----------------------------------------------------------------------------

    def _object(self, node: Mapping[str, Any], path: str, name: str, depth: int) -> dict[str, Any]:
        props: Mapping[str, Any] = node.get("properties") or {}
        required = [r for r in node.get("required") or [] if isinstance(r, str)]
        ordering = [k for k in node.get("propertyOrdering") or [] if k in props]
        keys = ordering + [k for k in props if k not in ordering]
        minimal = depth >= _SOFT_DEPTH
        chosen = [k for k in keys if k in required or not minimal]
        chosen += [r for r in required if r not in chosen]
        max_props = node.get("maxProperties")
        if isinstance(max_props, int) and len(chosen) > max_props:
            room = max(0, max_props - len([k for k in chosen if k in required]))
            optional = [k for k in chosen if k not in required][:room]
            chosen = [k for k in chosen if k in required or k in optional]
        extra = node.get("additionalProperties", True)
        record = self._hook("record", path, name, node) if props else None
        if isinstance(record, Mapping):
            for key in chosen:
                if key in record and record[key] is not None:
                    self.hints[f"{path}.{key}"] = record[key]
        out: dict[str, Any] = {}
        for key in chosen:
            sub = props[key] if key in props else self._extra_schema(node, key)
            out[key] = self.generate(sub, f"{path}.{key}", key, depth + 1)
        dict_like = not props and (
            isinstance(extra, Mapping)
            or node.get("patternProperties")
            or node.get("propertyNames")
            or (extra is True and "additionalProperties" in node)
            or _types_of(node) == ["object"]
        )
        min_props = int(node.get("minProperties") or 0)
        target = max(min_props, 0 if minimal or not dict_like else 2)
        if isinstance(max_props, int):
            target = min(target, max_props)
        attempt = 0
        can_add = extra is not False or bool(node.get("patternProperties"))
        while len(out) < target and attempt < target * 4 and can_add:
            key, schema = self._extra_entry(node, path, name, attempt)
            attempt += 1
            if key is None or key in out:
                continue
            out[key] = self.generate(schema, f"{path}.{key}", key, depth + 1)
        return out

    def _extra_schema(self, node: Mapping[str, Any], key: str) -> Any:
        for pattern, sub in (node.get("patternProperties") or {}).items():
            if sample_matching(pattern, preferred=key) == key:
                return sub
        extra = node.get("additionalProperties", True)
        return extra if isinstance(extra, Mapping) else {"type": "string"}

    def _extra_entry(
        self, node: Mapping[str, Any], path: str, name: str, attempt: int
    ) -> tuple[str | None, Any]:
        seed = f"{self._seed(path)}#{attempt}"
        names_schema = self.prepare(node.get("propertyNames")) if "propertyNames" in node else {}
        patterns = node.get("patternProperties") or {}
        if patterns:
            pattern, sub = list(patterns.items())[attempt % len(patterns)]
            key = sample_matching(pattern, seed)
            return key, sub
        extra = node.get("additionalProperties", True)
        schema = extra if isinstance(extra, Mapping) else {}
        if names_schema.get("enum"):
            options = [str(o) for o in names_schema["enum"]]
            return options[attempt % len(options)], schema
        hints = next((v for k, v in _DICT_KEY_HINTS.items() if k in name.lower()), None)
        pool = hints or (
            tuple(n.lower() for n in FIRST_NAMES) if "score" in name.lower() else NOUNS
        )
        key = choose(pool, "dict-key", seed)
        if names_schema and not self._ok(key, names_schema):
            pattern = names_schema.get("pattern")
            key = sample_matching(str(pattern), seed) if pattern else None
        return key, schema

    # --- arrays -----------------------------------------------------------------------------

    def _array(self, node: Mapping[str, Any], path: str, name: str, depth: int) -> list[Any]:
        prefix = node.get("prefixItems")
        items = node.get("items")
        if isinstance(items, list):  # draft 4-7 tuple validation
            prefix, items = items, node.get("additionalItems", True)
        prefix = list(prefix or [])
        min_items = int(node.get("minItems") or 0)
        max_items = node.get("maxItems")
        minimal = depth >= _SOFT_DEPTH
        count = (
            min_items
            if minimal
            else max(min_items, len(prefix), 2 + digest_int("len", self._seed(path)) % 2)
        )
        wanted = None if minimal else self._hook("array_length", path, name, node)
        if isinstance(wanted, int) and not isinstance(wanted, bool) and wanted > 0:
            count = max(min_items, len(prefix), min(wanted, 100))
        if items is False:
            count = min(count, len(prefix))
        if isinstance(max_items, int):
            count = min(count, max_items)
        count = max(count, min(min_items, len(prefix) if items is False else min_items))
        unique = bool(node.get("uniqueItems"))
        out: list[Any] = []
        seen: set[str] = set()
        index = 0
        while len(out) < count and index < count * 6 + 4:
            slot = len(out)
            sub = (
                prefix[slot]
                if slot < len(prefix)
                else (items if isinstance(items, Mapping) else {})
            )
            item_path = f"{path}[{slot}]" if index == slot else f"{path}[{slot}]#{index}"
            value = self.generate(sub, item_path, name, depth + 1)
            index += 1
            key = canonical_json(value)
            if unique and key in seen:
                continue
            seen.add(key)
            out.append(value)
        contains = node.get("contains")
        if contains is not None and not any(self._ok(v, contains) for v in out):
            extra_item = self.generate(contains, f"{path}[{len(out)}]", name, depth + 1)
            if isinstance(max_items, int) and len(out) >= max_items and out:
                out[-1] = extra_item
            else:
                out.append(extra_item)
        return out

    # --- scalars ----------------------------------------------------------------------------

    def _string(self, node: Mapping[str, Any], path: str, name: str) -> str:
        seed = self._seed(path)
        candidates: list[str] = []
        fmt = node.get("format")
        if isinstance(fmt, str):
            formatted = string_for_format(fmt, seed, name)
            if formatted is not None:
                candidates.append(formatted)
        candidates.append(plausible_string(name, seed))
        min_len = int(node.get("minLength") or 0)
        max_len = node.get("maxLength")
        fitted = [
            _fit_length(c, min_len, max_len if isinstance(max_len, int) else None, seed)
            for c in candidates
        ]
        for value in [*candidates, *fitted]:
            if self._ok(value, node):
                return value
        pattern = node.get("pattern")
        if isinstance(pattern, str):
            for attempt in range(6):
                sampled = sample_matching(pattern, f"{seed}#{attempt}")
                if sampled is not None and self._ok(sampled, node):
                    return sampled
        return fitted[0]

    def _number(
        self, node: Mapping[str, Any], path: str, name: str, *, integer: bool
    ) -> int | float:
        seed = self._seed(path)
        lo, hi, lo_open, hi_open = _bounds(node)
        plo, phi = plausible_number_range(name)
        # Prefer the plausible range, but only where it overlaps the schema's bounds.
        a = max(plo, lo) if lo is not None else plo
        b = min(phi, hi) if hi is not None else phi
        if a > b:
            a = lo if lo is not None else (hi - (phi - plo) if hi is not None else plo)
            b = hi if hi is not None else a + (phi - plo)
        step = node.get("multipleOf")
        u = unit("number", seed)
        candidates: list[int | float] = []
        if isinstance(step, (int, float)) and not isinstance(step, bool) and step > 0:
            k_lo, k_hi = math.ceil(a / step), math.floor(b / step)
            if k_hi < k_lo:
                k_lo = k_hi = math.ceil(a / step)
            for k in (k_lo + int(u * (k_hi - k_lo + 1)), k_lo, k_hi, k_lo + 1, k_hi - 1):
                value = k * step
                if isinstance(step, float):
                    value = round(value, 10)
                if integer and float(value).is_integer():
                    value = int(value)
                candidates.append(value)
        elif integer:
            ia, ib = math.ceil(a), math.floor(b)
            if ib < ia:
                ia = ib = math.ceil(a)
            pick = ia + int(u * (ib - ia + 1))
            candidates += [min(pick, ib), ia + 1 if lo_open else ia, ib - 1 if hi_open else ib]
        else:
            raw = a + (b - a) * u
            span = b - a
            decimals = (
                2 if span >= 1 else max(2, 2 - math.floor(math.log10(span)) if span > 0 else 4)
            )
            candidates += [round(raw, decimals), round((a + b) / 2, decimals + 2), (a + b) / 2]
            if span == 0:
                candidates.append(float(a))
        for value in candidates:
            if integer and isinstance(value, float):
                if not value.is_integer():
                    continue
                value = int(value)
            if self._ok(value, node):
                return value
        fallback = candidates[0] if candidates else 0
        return int(fallback) if integer else fallback


def _bounds(node: Mapping[str, Any]) -> tuple[float | None, float | None, bool, bool]:
    lo, hi = node.get("minimum"), node.get("maximum")
    lo_open = node.get("exclusiveMinimum") is True
    hi_open = node.get("exclusiveMaximum") is True
    ex_min, ex_max = node.get("exclusiveMinimum"), node.get("exclusiveMaximum")
    if (
        isinstance(ex_min, (int, float))
        and not isinstance(ex_min, bool)
        and (lo is None or ex_min >= lo)
    ):
        lo, lo_open = ex_min, True
    if (
        isinstance(ex_max, (int, float))
        and not isinstance(ex_max, bool)
        and (hi is None or ex_max <= hi)
    ):
        hi, hi_open = ex_max, True
    if lo is not None and lo_open:
        lo = lo + (1e-6 if isinstance(lo, float) or abs(lo) < 1 else 1e-6 * abs(lo))
    if hi is not None and hi_open:
        hi = hi - (1e-6 if isinstance(hi, float) or abs(hi) < 1 else 1e-6 * abs(hi))
    return lo, hi, lo_open, hi_open


def _fit_length(value: str, min_len: int, max_len: int | None, seed: str) -> str:
    out = value
    filler = 0
    while len(out) < min_len:
        out += " " + choose(NOUNS, "pad", seed, filler)
        filler += 1
    if max_len is not None and len(out) > max_len:
        out = out[:max_len]
        stripped = out.rstrip()
        if len(stripped) >= min_len:
            out = stripped
    return out
