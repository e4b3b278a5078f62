"""A small JSON Schema checker for the values the emulator produces or is handed.

It covers the keywords the instance generator honours (types, enum/const, bounds, lengths,
patterns, common formats, array and object shape, anyOf/oneOf/allOf/not, local $ref), so the
generator can vet a value before using it without depending on the jsonschema package.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import re
from collections.abc import Mapping
from typing import Any

__all__ = ["conforms", "resolve_ref"]

_MAX_DEPTH = 64

_FORMAT_CHECKS: dict[str, re.Pattern[str]] = {
    "date-time": re.compile(
        r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})"
    ),
    "time": re.compile(r"\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})?"),
    "email": re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+"),
    "uri": re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:\S+"),
    "uuid": re.compile(
        r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
    ),
    "ipv4": re.compile(r"((25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(25[0-5]|2[0-4]\d|1?\d?\d)"),
}


def resolve_ref(ref: str, root: Any) -> Any:
    """Resolve a local reference ("#", "#/$defs/X", "#/definitions/X", any JSON pointer)."""
    if ref == "#":
        return root
    if not ref.startswith("#/"):
        return None
    node = root
    for raw in ref[2:].split("/"):
        key = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, Mapping) and key in node:
            node = node[key]
        elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
            node = node[int(key)]
        else:
            return None
    return node


def _type_ok(value: Any, type_name: str) -> bool:
    if type_name == "null":
        return value is None
    if type_name == "boolean":
        return isinstance(value, bool)
    if type_name == "integer":
        if isinstance(value, bool):
            return False
        return isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    if type_name == "number":
        return (
            isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
        )
    if type_name == "string":
        return isinstance(value, str)
    if type_name == "array":
        return isinstance(value, list)
    if type_name == "object":
        return isinstance(value, dict)
    return True


def _equal(a: Any, b: Any) -> bool:
    # JSON equality: 1 == 1.0 but True != 1.
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True) or (
        isinstance(a, (int, float)) and isinstance(b, (int, float)) and a == b
    )


def _format_ok(value: str, fmt: str) -> bool:
    if fmt == "date":
        try:
            _dt.date.fromisoformat(value)
        except ValueError:
            return False
        return bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", value))
    check = _FORMAT_CHECKS.get(fmt)
    return check is None or bool(check.fullmatch(value))


def _multiple_ok(value: float, step: float) -> bool:
    if step <= 0:
        return True
    if isinstance(step, float) or isinstance(value, float):
        quotient = value / step
        return math.isfinite(quotient) and int(quotient) == quotient
    return value % step == 0


def conforms(value: Any, schema: Any, root: Any = None) -> bool:
    """Whether ``value`` satisfies ``schema`` (JSON Schema form); ``root`` anchors $refs."""
    return _Checker(schema if root is None else root).check(value, schema, 0)


class _Checker:
    def __init__(self, root: Any) -> None:
        self.root = root
        # ($ref, id(value)) pairs being checked: a reference cycle that does not consume any
        # of the value (e.g. {"$ref": "#"} at the root) must not recurse forever.
        self.active: set[tuple[str, int]] = set()

    def check(self, value: Any, schema: Any, depth: int) -> bool:
        if depth > _MAX_DEPTH or schema is True or schema is None:
            return True
        if schema is False:
            return False
        if not isinstance(schema, Mapping):
            return True
        d = depth + 1
        if "$ref" in schema and not self._ref_ok(value, str(schema["$ref"]), d):
            return False
        types = schema.get("type")
        if types is not None:
            names = types if isinstance(types, list) else [types]
            if not any(_type_ok(value, str(t).lower()) for t in names):
                return False
        if "const" in schema and not _equal(value, schema["const"]):
            return False
        if "enum" in schema and not any(_equal(value, e) for e in schema["enum"] or []):
            return False
        if not _number_ok(value, schema):
            return False
        if isinstance(value, str) and not _string_ok(value, schema):
            return False
        if isinstance(value, list) and not self._array_ok(value, schema, d):
            return False
        if isinstance(value, dict) and not self._object_ok(value, schema, d):
            return False
        if not all(self.check(value, sub, d) for sub in schema.get("allOf") or []):
            return False
        if "anyOf" in schema and not any(self.check(value, sub, d) for sub in schema["anyOf"]):
            return False
        if (
            "oneOf" in schema
            and sum(1 for sub in schema["oneOf"] if self.check(value, sub, d)) != 1
        ):
            return False
        return not ("not" in schema and self.check(value, schema["not"], d))

    def _ref_ok(self, value: Any, ref: str, depth: int) -> bool:
        key = (ref, id(value))
        target = resolve_ref(ref, self.root)
        if target is None or key in self.active:
            return True
        self.active.add(key)
        try:
            return self.check(value, target, depth)
        finally:
            self.active.discard(key)

    def _array_ok(self, value: list[Any], s: Mapping[str, Any], d: int) -> bool:
        if "minItems" in s and len(value) < int(s["minItems"]):
            return False
        if "maxItems" in s and len(value) > int(s["maxItems"]):
            return False
        prefix = s.get("prefixItems")
        items = s.get("items")
        if isinstance(items, list):  # draft 4-7 tuple form
            prefix, items = items, s.get("additionalItems", True)
        prefix = prefix or []
        for item, sub in zip(value, prefix, strict=False):
            if not self.check(item, sub, d):
                return False
        if items is not None and not all(
            self.check(item, items, d) for item in value[len(prefix) :]
        ):
            return False
        if s.get("uniqueItems"):
            seen = [json.dumps(v, sort_keys=True) for v in value]
            if len(set(seen)) != len(seen):
                return False
        contains = s.get("contains")
        return contains is None or any(self.check(v, contains, d) for v in value)

    def _object_ok(self, value: dict[str, Any], s: Mapping[str, Any], d: int) -> bool:
        if any(name not in value for name in s.get("required") or []):
            return False
        if "minProperties" in s and len(value) < int(s["minProperties"]):
            return False
        if "maxProperties" in s and len(value) > int(s["maxProperties"]):
            return False
        props: Mapping[str, Any] = s.get("properties") or {}
        patterns: Mapping[str, Any] = s.get("patternProperties") or {}
        extra = s.get("additionalProperties", True)
        names_schema = s.get("propertyNames")
        for key, item in value.items():
            if names_schema is not None and not self.check(key, names_schema, d):
                return False
            matched = key in props
            if matched and not self.check(item, props[key], d):
                return False
            for pattern, sub in patterns.items():
                if re.search(pattern, key):
                    matched = True
                    if not self.check(item, sub, d):
                        return False
            if not matched and not self.check(item, extra, d):
                return False
        return True


def _number_ok(value: Any, s: Mapping[str, Any]) -> bool:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return True
    minimum, maximum = s.get("minimum"), s.get("maximum")
    ex_min, ex_max = s.get("exclusiveMinimum"), s.get("exclusiveMaximum")
    if minimum is not None and (value < minimum or (ex_min is True and value == minimum)):
        return False
    if maximum is not None and (value > maximum or (ex_max is True and value == maximum)):
        return False
    if isinstance(ex_min, (int, float)) and not isinstance(ex_min, bool) and value <= ex_min:
        return False
    if isinstance(ex_max, (int, float)) and not isinstance(ex_max, bool) and value >= ex_max:
        return False
    step = s.get("multipleOf")
    return not (isinstance(step, (int, float)) and not _multiple_ok(value, step))


def _string_ok(value: str, s: Mapping[str, Any]) -> bool:
    if "minLength" in s and len(value) < int(s["minLength"]):
        return False
    if "maxLength" in s and len(value) > int(s["maxLength"]):
        return False
    pattern = s.get("pattern")
    if pattern is not None:
        try:
            if not re.search(str(pattern), value):
                return False
        except re.error:
            return True
    fmt = s.get("format")
    return not (isinstance(fmt, str) and not _format_ok(value, fmt))
