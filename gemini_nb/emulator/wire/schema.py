"""Validate and normalise request/response bodies against the Gemini API Discovery document.

The emulator must refuse what the real server refuses, in the same words, and accept what it
accepts. The server turns JSON into protobuf with Google's JSON->proto converter; these rules are
that converter's behaviour as seen in recorded exchanges, in error messages quoted from the real
API, and in the open-source converter it descends from.

Field names: a field may be spelled with its lowerCamelCase JSON name or its proto (snake_case)
name; ``validate`` returns the JSON name. ``response_json_schema`` is the proto name of
``_responseJsonSchema`` (``responseJsonSchema`` is ``response_json_schema_ordered``; json_name
options in generative_service.proto). Keys inside map, ``Struct`` and ``Value`` values
(``functionCall.args``, ``functionResponse.response``, ``responseJsonSchema``...) are kept verbatim.

Values:
* ``null`` means "not set" and the key is dropped (``Value`` fields too, where proto3 would store
  NULL_VALUE). Arrays reject ``null`` elements, except arrays of ``Value``.
* A non-list value for a repeated field is a one-element list, as in the converter (the Gemini
  cookbook sends ``"parts": {"text": ...}``); its error paths carry no index.
* int32/uint32: integers, integer strings or integral floats, range-checked. int64/uint64: numbers
  or strings, normalised to strings. float/double: numbers, numeric strings, "NaN", "Infinity",
  "-Infinity". bool: true/false only. string: strings only.
* enums: the declared name, or the name after upper-casing and ``-`` -> ``_`` (the converter is
  case-insensitive, which is why ``"type": "object"`` works in a Schema); normalised to the
  declared name. Integers: the proto number where the generator read it from the .proto files
  (values newer than those take no integer), else the Discovery list position, which is an
  approximation (proto numbers can have gaps and another order).
* bytes: standard or URL-safe base64, padded or not, canonical trailing bits (the server refuses
  a signature whose last character carries stray bits); normalised to padded standard base64.
* Duration ``-?\\d+(\\.\\d{1,9})?s`` within 315576000000 s; Timestamp RFC 3339 with upper-case T/Z;
  FieldMask any string; all kept as sent.
* Members of a oneof the .proto files declare (``Part.data``: text, inlineData, ...) exclude
  each other.

Errors: parse-level violations are all collected into one 400 whose message joins them with
"\\n" and whose details hold one ``google.rpc.BadRequest`` field violation each. Paths use proto
names, ``[i]`` for list items and ``name[i].value`` for the i-th map entry; the top level has no
``at '...'``. Only a body that parses gets its required fields checked, reported in the backend's
format ``* GenerateContentRequest.contents: contents is not specified\\n`` without details.
``direction="response"`` refuses unknown fields alike and skips required fields (responses omit
defaults).
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal

from gemini_nb.emulator.wire.errors import EmulatorError

__all__ = [
    "MethodMatch",
    "MethodSpec",
    "RequestInvalid",
    "find_method",
    "json_decode_error",
    "method_table",
    "parse_json_body",
    "schema_names",
    "source_info",
    "validate",
]

_DATA_FILE: Final = Path(__file__).parents[1] / "data" / "discovery.json"
_TYPE_URL: Final = "type.googleapis.com/"
_BAD_REQUEST: Final = "type.googleapis.com/google.rpc.BadRequest"


class RequestInvalid(EmulatorError):
    """A body the real server would refuse: always HTTP 400 INVALID_ARGUMENT.

    ``violations`` holds (field path, description) pairs; they become a ``google.rpc.BadRequest``
    detail unless ``with_details`` is false (backend checks such as missing required fields are
    answered with the message alone) or explicit ``details`` are given.
    """

    def __init__(
        self,
        message: str,
        violations: list[tuple[str, str]] | None = None,
        *,
        with_details: bool = True,
        details: list[dict[str, Any]] | None = None,
    ) -> None:
        self.violations: list[tuple[str, str]] = list(violations or [])
        if details is None and with_details and self.violations:
            # proto3 JSON leaves out an empty string field, so a top-level violation has no "field".
            found = [
                {"field": p, "description": d} if p else {"description": d}
                for p, d in self.violations
            ]
            details = [{"@type": _BAD_REQUEST, "fieldViolations": found}]
        super().__init__(400, message, details=details)


# --------------------------------------------------------------------------------------------
# Lookup tables, built once at import from data/discovery.json.

_MESSAGE, _STRUCT, _VALUE, _MAP, _STRING, _BOOL, _ENUM, _BYTES = range(8)
_INT32, _UINT32, _INT64, _UINT64, _FLOAT, _DOUBLE = range(8, 14)
_DURATION, _TIMESTAMP, _FIELDMASK = range(14, 17)

_SCALAR_KINDS: Final = {
    "int32": (_INT32, "TYPE_INT32"),
    "uint32": (_UINT32, "TYPE_UINT32"),
    "int64": (_INT64, "TYPE_INT64"),
    "uint64": (_UINT64, "TYPE_UINT64"),
    "float": (_FLOAT, "TYPE_FLOAT"),
    "double": (_DOUBLE, "TYPE_DOUBLE"),
    "byte": (_BYTES, "TYPE_BYTES"),
    "google-duration": (_DURATION, _TYPE_URL + "google.protobuf.Duration"),
    "google-datetime": (_TIMESTAMP, _TYPE_URL + "google.protobuf.Timestamp"),
    "google-fieldmask": (_FIELDMASK, _TYPE_URL + "google.protobuf.FieldMask"),
}
_INT_RANGES: Final = {
    _INT32: (-(2**31), 2**31 - 1),
    _UINT32: (0, 2**32 - 1),
    _INT64: (-(2**63), 2**63 - 1),
    _UINT64: (0, 2**64 - 1),
}
_FLOAT_MAX: Final = 3.4028234663852886e38


@dataclass(slots=True)
class _Type:
    kind: int
    label: str  # what the server prints in "(...)" after the path
    ref: str = ""  # message schema name
    values: tuple[str, ...] = ()
    names: dict[str, str] = field(default_factory=dict)  # declared enum value names
    numbers: dict[int, str] = field(default_factory=dict)
    value_type: _Type | None = None  # map values


@dataclass(slots=True)
class _Field:
    json: str
    proto: str
    type: _Type
    repeated: bool
    required: bool
    oneof: str | None


@dataclass(slots=True)
class _Message:
    name: str
    proto: str
    by_key: dict[str, _Field]  # both spellings
    fields: tuple[_Field, ...]
    required: tuple[_Field, ...]  # checked on the top-level message
    required_nested: tuple[_Field, ...]  # checked anywhere below it


def _make_type(spec: Mapping[str, Any], message_proto: str, json_name: str) -> _Type:
    if "$ref" in spec:
        return _Type(_MESSAGE, "", ref=spec["$ref"])  # label filled in once all messages exist
    kind, fmt = spec.get("type"), spec.get("format")
    if kind == "object":
        values = spec.get("additionalProperties", {"type": "any"})
        if values.get("type") == "any":
            return _Type(_STRUCT, _TYPE_URL + "google.protobuf.Struct")
        entry = f"{message_proto}.{json_name[:1].upper()}{json_name[1:].lstrip('_')}Entry"
        value_type = _make_type(values, message_proto, json_name)
        return _Type(_MAP, _TYPE_URL + entry, value_type=value_type)
    if kind == "any":
        return _Type(_VALUE, _TYPE_URL + "google.protobuf.Value")
    if kind == "boolean":
        return _Type(_BOOL, "TYPE_BOOL")
    if "enum" in spec:
        values = tuple(spec["enum"])
        names = {v: v for v in values}
        pairs = zip(spec.get("enumNumbers", range(len(values))), values, strict=True)
        numbers = {number: name for number, name in pairs if number is not None}
        return _Type(
            _ENUM, _TYPE_URL + spec["enumType"], values=values, names=names, numbers=numbers
        )
    if fmt in _SCALAR_KINDS:
        scalar, label = _SCALAR_KINDS[fmt]
        return _Type(scalar, label)
    if kind == "number":
        return _Type(_DOUBLE, "TYPE_DOUBLE")
    if kind == "integer":
        return _Type(_INT32, "TYPE_INT32")
    return _Type(_STRING, "TYPE_STRING")


def _load() -> tuple[dict[str, Any], dict[str, _Message]]:
    data = json.loads(_DATA_FILE.read_text(encoding="utf-8"))
    messages: dict[str, _Message] = {}
    for name, schema in data["schemas"].items():
        fields: list[_Field] = []
        for json_name, spec in schema["fields"].items():
            repeated = spec.get("type") == "array"
            ftype = _make_type(spec["items"] if repeated else spec, schema["proto"], json_name)
            marked = bool(spec.get("required"))
            fields.append(
                _Field(json_name, spec["proto"], ftype, repeated, marked, spec.get("oneof"))
            )
        by_key = {f.json: f for f in fields}
        for f in fields:
            # A proto name never shadows another field's JSON name (not the case in this API,
            # but the converter gives JSON names priority too).
            by_key.setdefault(f.proto, f)
        required = tuple(f for f in fields if f.required and (name, f.json) not in _UNENFORCED)
        nested = tuple(f for f in required if (name, f.json) not in _UNENFORCED_NESTED)
        messages[name] = _Message(name, schema["proto"], by_key, tuple(fields), required, nested)
    for message in messages.values():
        for f in message.fields:
            t = f.type.value_type if f.type.kind == _MAP and f.type.value_type else f.type
            if t.kind == _MESSAGE:
                t.label = _TYPE_URL + messages[t.ref].proto
    return data, messages


# "Required." markers the server does not enforce, and why.
_UNENFORCED: Final[dict[tuple[str, str], str]] = {
    # 237 recorded 200s (pydantic-ai) declare functions without a description.
    ("FunctionDeclaration", "description"): "omitted by SDKs, accepted",
    # Recorded 200s (pydantic-ai *_native_output_multiple) send {"anyOf": [...]} with no type.
    ("Schema", "type"): "anyOf-only schemas accepted",
}
# Markers enforced only on the top-level message: a GenerateContentRequest inside a batch
# inherits the batch's model, and the batch documentation shows inlined requests without one.
_UNENFORCED_NESTED: Final[frozenset[tuple[str, str]]] = frozenset(
    {("GenerateContentRequest", "model")}
)

_DATA, _MESSAGES = _load()


def schema_names() -> frozenset[str]:
    """Every schema name ``validate`` knows."""
    return frozenset(_MESSAGES)


def source_info() -> dict[str, Any]:
    """Where the tables come from: Discovery file name, revision, sha256, protos digest."""
    return dict(_DATA["source"])


# --------------------------------------------------------------------------------------------
# Value rendering as the converter prints it in "Invalid value" messages.


def _dtoa(value: float) -> str:
    # The converter's SimpleDtoa: %.15g, or %.17g when that does not round-trip.
    text = f"{value:.15g}"
    if float(text) != value:
        text = f"{value:.17g}"
    return text


def _render(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _dtoa(value) if math.isfinite(value) else str(value)
    if value is None:
        return "null"
    return json.dumps(value, separators=(",", ":"))


# --------------------------------------------------------------------------------------------
# Scalars. Each returns the normalised value, or raises _Bad(reason) where reason is the text
# after the "(type), " part of the message.


class _Bad(Exception):
    pass


_INT_STRING: Final = re.compile(r"-?\d+")
_NUMBER_STRING: Final = re.compile(r"-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_B64_STD: Final = re.compile(r"[A-Za-z0-9+/]*")
_B64_URL: Final = re.compile(r"[A-Za-z0-9_-]*")
_B64_ALPHABET: Final = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_URL_TO_STD: Final = str.maketrans("-_", "+/")
_DURATION_RE: Final = re.compile(r"-?(\d+)(\.\d{1,9})?s")
_TIMESTAMP_RE: Final = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})"
)
_MAX_DURATION_SECONDS: Final = 315_576_000_000


def _integer(kind: int, value: Any) -> int | str:
    if isinstance(value, bool):
        raise _Bad(_render(value))
    if isinstance(value, int):
        number = value
    elif (isinstance(value, float) and value.is_integer()) or (
        isinstance(value, str) and _INT_STRING.fullmatch(value)
    ):
        number = int(value)
    else:
        raise _Bad(_render(value))
    low, high = _INT_RANGES[kind]
    if not low <= number <= high:
        raise _Bad(_render(value))
    return str(number) if kind in (_INT64, _UINT64) else number


def _floating(kind: int, value: Any) -> float | str:
    if isinstance(value, bool):
        raise _Bad(_render(value))
    if isinstance(value, (int, float)):
        number = float(value)
    elif value in ("NaN", "Infinity", "-Infinity"):
        return str(value)  # canonical proto3 JSON spells non-finite numbers as strings
    elif isinstance(value, str) and _NUMBER_STRING.fullmatch(value):
        number = float(value)
    else:
        raise _Bad(_render(value))
    if kind == _FLOAT and math.isfinite(number) and abs(number) > _FLOAT_MAX:
        raise _Bad(_render(value))
    return number


def _bytes(value: Any) -> str:
    if not isinstance(value, str):
        raise _Bad(_render(value))
    body = value.rstrip("=")
    padding = len(value) - len(body)
    if _B64_STD.fullmatch(body):
        std = body
    elif _B64_URL.fullmatch(body):
        std = body.translate(_URL_TO_STD)
    else:
        raise _Bad(f'Base64 decoding failed for "{value}"')
    rest = len(std) % 4
    # A lone trailing sextet cannot encode a byte; stray low bits in the last character mean the
    # text was not produced by an encoder (the server refuses such thought signatures).
    if (
        rest == 1
        or (padding and (rest == 0 or padding != 4 - rest))
        or (rest == 2 and _B64_ALPHABET.index(std[-1]) & 0x0F)
        or (rest == 3 and _B64_ALPHABET.index(std[-1]) & 0x03)
    ):
        raise _Bad(f'Base64 decoding failed for "{value}"')
    return std + "=" * ((4 - rest) % 4)


def _duration(value: Any) -> str:
    if not isinstance(value, str):
        raise _Bad(f"Invalid data type for duration, value is {_render(value)}")
    if not value.endswith("s"):
        raise _Bad("Illegal duration format; duration must end with 's'")
    match = _DURATION_RE.fullmatch(value)
    if not match:
        seconds = value[:-1].lstrip("-").split(".", 1)[0]
        if not seconds.isdigit():
            raise _Bad("Invalid duration format, failed to parse seconds")
        raise _Bad("Invalid duration format, failed to parse nano seconds")
    if int(match.group(1)) > _MAX_DURATION_SECONDS:
        raise _Bad("Duration value exceeds limits")
    return value


def _timestamp(value: Any) -> str:
    if not isinstance(value, str):
        raise _Bad(f"Invalid data type for timestamp, value is {_render(value)}")
    match = _TIMESTAMP_RE.fullmatch(value)
    try:
        if not match:
            raise ValueError(value)
        year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
        _dt.datetime(year, month, day, hour, minute, second)
        if year < 1:
            raise ValueError(value)
    except ValueError:
        raise _Bad(f"Invalid time format: {value}") from None
    return value


# --------------------------------------------------------------------------------------------
# The walk.


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


class _Walk:
    __slots__ = ("missing", "response", "skip", "violations")

    def __init__(self, response: bool, skip: frozenset[str]) -> None:
        self.response = response
        self.skip = skip
        self.violations: list[tuple[str, str]] = []
        self.missing: list[str] = []  # proto paths of absent required fields

    def invalid(self, path: str, label: str, reason: str) -> None:
        prefix = f"Invalid value at '{path}'" if path else "Invalid value"
        self.violations.append((path, f"{prefix} ({label}), {reason}"))

    def unknown(self, path: str, key: str, reason: str) -> None:
        at = f" at '{path}'" if path else ""
        text = f'Invalid JSON payload received. Unknown name "{key}"{at}: {reason}'
        self.violations.append((path, text))

    def message(self, msg: _Message, obj: dict[str, Any], path: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        oneofs: dict[str, str] = {}
        for key, value in obj.items():
            f = msg.by_key.get(key)
            if f is None:
                self.unknown(path, key, "Cannot find field.")
                continue
            if value is None:
                continue
            if f.oneof is not None:
                if f.oneof in oneofs:
                    self.invalid(
                        path,
                        "oneof",
                        f"oneof field '{f.oneof}' is already set. Cannot set '{key}'",
                    )
                    continue
                oneofs[f.oneof] = key
            fpath = _join(path, f.proto)
            if f.repeated:
                result = self.repeated(f, value, path, fpath, key)
            elif isinstance(value, list) and f.type.kind != _VALUE:
                self.list_on_singular(f, path, key)
                continue
            else:
                result = self.single(f.type, value, path, fpath, key)
            if result is not _SKIP:
                out[f.json] = result
        if not self.response:
            for f in msg.required_nested if path else msg.required:
                if f.json not in out or _is_default(f, out[f.json]):
                    fpath = _join(path, f.proto)
                    # A skipped path names a field in every element of the lists on its way.
                    if _INDEX.sub("", fpath) not in self.skip:
                        self.missing.append(fpath)
        return out

    def list_on_singular(self, f: _Field, path: str, key: str) -> None:
        if f.type.kind == _MAP:
            self.invalid(path, "Map", f"Cannot bind a list to map for field '{key}'.")
        else:
            self.unknown(path, key, "Proto field is not repeating, cannot start list.")

    def repeated(self, f: _Field, value: Any, path: str, fpath: str, key: str) -> Any:
        if not isinstance(value, list):
            # One value for a repeated field is a one-element list, reported without an index.
            item = self.single(f.type, value, path, fpath, key)
            return _SKIP if item is _SKIP else [item]
        items: list[Any] = []
        for i, item in enumerate(value):
            ipath = f"{fpath}[{i}]"
            if item is None:
                if f.type.kind == _VALUE:
                    items.append(None)
                else:
                    self.invalid(ipath, f.type.label, "null")
                continue
            if isinstance(item, list) and f.type.kind != _VALUE:
                self.unknown(fpath, key, "Proto field is not repeating, cannot start list.")
                continue
            result = self.single(f.type, item, path, ipath, key)
            if result is not _SKIP:
                items.append(result)
        return items

    def single(self, t: _Type, value: Any, parent: str, path: str, key: str) -> Any:
        kind = t.kind
        if kind == _MESSAGE:
            if isinstance(value, dict):
                return self.message(_MESSAGES[t.ref], value, path)
            self.invalid(path, t.label, _render(value))
            return _SKIP
        if kind == _VALUE:
            return _copy(value)
        if kind == _STRUCT:
            if isinstance(value, dict):
                return _copy(value)
            self.invalid(path, t.label, _render(value))
            return _SKIP
        if kind == _MAP:
            return self.map(t, value, path, key)
        if isinstance(value, dict):
            # The converter reports this at the enclosing message, naming the proto field.
            proto = path.rsplit(".", 1)[-1].split("[", 1)[0]
            self.invalid(parent, proto, "Starting an object on a scalar field")
            return _SKIP
        try:
            return self.scalar(t, value)
        except _Bad as bad:
            reason = str(bad)
            if kind in (_DURATION, _TIMESTAMP, _FIELDMASK):
                reason = f"Field '{key}', {reason}"
            self.invalid(path, t.label, reason)
            return _SKIP

    def map(self, t: _Type, value: Any, path: str, key: str) -> Any:
        if not isinstance(value, dict):
            self.invalid(path, t.label, _render(value))
            return _SKIP
        assert t.value_type is not None
        out: dict[str, Any] = {}
        for i, (name, item) in enumerate(value.items()):
            if item is None:
                continue  # the converter drops null map values
            vpath = f"{path}[{i}].value"
            if isinstance(item, list) and t.value_type.kind != _VALUE:
                self.invalid(path, "Map", f"Cannot have repeated items ('{name}') within a map.")
                continue
            result = self.single(t.value_type, item, f"{path}[{i}]", vpath, name)
            if result is not _SKIP:
                out[name] = result
        return out

    @staticmethod
    def scalar(t: _Type, value: Any) -> Any:
        kind = t.kind
        if kind == _ENUM:
            if isinstance(value, str):
                name = t.names.get(value) or t.names.get(value.upper().replace("-", "_"))
                if name is not None:
                    return name
            elif isinstance(value, int) and not isinstance(value, bool) and value in t.numbers:
                return t.numbers[value]
            raise _Bad(_render(value))
        if kind in (_STRING, _BOOL):
            if isinstance(value, str if kind == _STRING else bool):
                return value
            raise _Bad(_render(value))
        if kind in _INT_RANGES:
            return _integer(kind, value)
        if kind in (_FLOAT, _DOUBLE):
            return _floating(kind, value)
        return _FORMATTED[kind](value)


def _field_mask(value: Any) -> str:
    if isinstance(value, str):
        return value
    raise _Bad(f"Invalid data type for field mask, value is {_render(value)}")


_FORMATTED: Final = {
    _BYTES: _bytes,
    _DURATION: _duration,
    _TIMESTAMP: _timestamp,
    _FIELDMASK: _field_mask,
}
_SKIP: Final = object()


def _is_default(f: _Field, value: Any) -> bool:
    # proto3 cannot tell a default scalar from an absent one, so neither counts as "specified";
    # a message that is present (even empty) does.
    if f.repeated or f.type.kind == _MAP:
        return not value
    if f.type.kind == _ENUM:
        return bool(value == f.type.values[0])
    if f.type.kind in (_MESSAGE, _STRUCT, _VALUE):
        return False
    return value in ("", 0, False, "0")


_INDEX: Final = re.compile(r"\[\d+\]")


def _skip_paths(msg: _Message, names: Collection[str]) -> frozenset[str]:
    """Turn dotted JSON (or proto) names such as ``batch.model`` into proto paths."""
    out: set[str] = set()
    for dotted in names:
        current: _Message | None = msg
        parts: list[str] = []
        for part in dotted.split("."):
            f = current.by_key.get(part) if current else None
            parts.append(f.proto if f else part)
            current = _MESSAGES.get(f.type.ref) if f and f.type.kind == _MESSAGE else None
        out.add(".".join(parts))
    return frozenset(out)


def validate(
    schema: str,
    body: Any,
    *,
    skip_required: Collection[str] = (),
    direction: Literal["request", "response"] = "request",
) -> dict[str, Any]:
    """Check ``body`` against Discovery schema ``schema``; return it as canonical proto3 JSON.

    Raises ``RequestInvalid`` (400) with the real server's wording. ``skip_required`` names
    fields the URL supplies (``model`` for generateContent); dotted names reach nested fields
    (``batch.model``). ``direction="response"`` also refuses unknown fields but ignores
    required markers. ``KeyError`` for an unknown schema name is a programming error.
    """
    msg = _MESSAGES[schema]
    if body is None:
        body = {}
    if not isinstance(body, dict):
        text = 'Invalid JSON payload received. Unknown name "": Root element must be a message.'
        raise RequestInvalid(text, [("", text)])
    walk = _Walk(direction == "response", _skip_paths(msg, skip_required))
    result = walk.message(msg, body, "")
    if walk.violations:
        raise RequestInvalid("\n".join(d for _, d in walk.violations), walk.violations)
    if walk.missing:
        root = msg.proto.rsplit(".", 1)[-1]
        lines = [f"* {root}.{p}: {p.rsplit('.', 1)[-1]} is not specified" for p in walk.missing]
        raise RequestInvalid(
            "".join(line + "\n" for line in lines),
            [(p, line) for p, line in zip(walk.missing, lines, strict=True)],
            with_details=False,
        )
    return result


# --------------------------------------------------------------------------------------------
# JSON text -> Python, with the converter's syntax error messages.


class _Constant(Exception):
    pass


def _reject_constant(name: str) -> Any:
    raise _Constant(name)


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _Constant(text)
    return value


_STRINGS_OR_BARE: Final = re.compile(
    r'"(?:[^"\\]|\\.)*"|(-?Infinity|NaN|-?\d+(?:\.\d*)?[eE][+-]?\d+)', re.S
)


def parse_json_body(raw: bytes | str) -> Any:
    """Parse a request body the way the server does; raise ``RequestInvalid`` if it cannot.

    An empty body is an empty message. Raw control characters inside strings are accepted (the
    server's parser copies them through); ``NaN``/``Infinity`` and numbers beyond double range
    are not JSON and are refused.
    """
    if isinstance(raw, bytes):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            snippet = raw.decode("utf-8", "replace")
            raise _syntax_error(snippet, exc.start, "Encountered non UTF-8 code points.") from None
    else:
        text = raw
    if not text.strip():
        return {}
    try:
        return json.loads(
            text, strict=False, parse_constant=_reject_constant, parse_float=_finite_float
        )
    except _Constant:
        for match in _STRINGS_OR_BARE.finditer(text):
            token = match.group(1)
            if not token or (token[-1].isdigit() and math.isfinite(float(token))):
                continue
            if token[-1].isdigit():
                reason = "Number exceeds the range of double."
            elif token.startswith("-"):
                reason = "Unable to parse number."  # "-" starts a number that never comes
            else:
                reason = "Unexpected token."
            raise _syntax_error(text, match.start(), reason) from None
        raise _syntax_error(text, 0, "Unexpected token.") from None
    except json.JSONDecodeError as exc:
        raise json_decode_error(exc, text) from None


# Python json messages -> the converter's.
_PY_JSON_REASONS: Final = (
    ("Expecting property name", "Expected an object key or }."),
    ("Expecting ':'", "Expected : between key:value pair."),
    ("Expecting ','", "Expected , or } after key:value pair."),
    ("Unterminated string", "Closing quote expected in string."),
    ("Invalid", "Invalid escape sequence."),
    ("Extra data", "Parsing terminated before end of input."),
)


def json_decode_error(exc: json.JSONDecodeError, text: str | None = None) -> RequestInvalid:
    """The 400 the server gives for a body Python's ``json`` module could not parse."""
    text = exc.doc if text is None else text
    pos = exc.pos
    at_end = not text[pos:].strip()
    char = text[pos] if pos < len(text) else ""
    reason = next((r for p, r in _PY_JSON_REASONS if exc.msg.startswith(p)), "Unexpected token.")
    if char == "'":
        # Single quotes are not JSON; the server stops on them as on any stray token.
        reason = "Unexpected token."
    elif exc.msg.startswith("Expecting value"):
        # Letters and structural characters are tokens the parser knows but not here; anything
        # else is not a token at all.
        known = char.isalpha() or (char != "" and char in "}],:_$")
        reason = "Unexpected token." if known else "Expected a value."
    elif exc.msg.startswith("Expecting ','") and _innermost_open(text, pos) == "[":
        reason = "Expected , or ] after array value."
    elif exc.msg.startswith("Unterminated string"):
        pos, at_end = len(text), False
    if at_end and reason.startswith("Expected"):
        reason = f"Unexpected end of string. {reason}"
        pos = len(text)
    return _syntax_error(text, pos, reason)


def _innermost_open(text: str, pos: int) -> str:
    stack: list[str] = []
    for match in re.finditer(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', text[:pos], re.S):
        token = match.group(0)
        if token in "[{":
            stack.append(token)
        elif token in "]}" and stack:
            stack.pop()
    return stack[-1] if stack else ""


def _syntax_error(text: str, pos: int, reason: str) -> RequestInvalid:
    # The parser quotes up to 20 characters either side and puts a caret under the position.
    begin = max(pos - 20, 0)
    segment = text[begin : pos + 20]
    message = f"Invalid JSON payload received. {reason}\n{segment}\n{' ' * (pos - begin)}^"
    return RequestInvalid(message, [("", message)])


# --------------------------------------------------------------------------------------------
# Methods.

# The HTTP rules bind `{batch.model=models/*}` for the batch-creating methods; Discovery shows the
# path parameter as a bare `model`, which is no field of the request.
_NESTED_PATH_BINDINGS: Final[dict[str, tuple[str, ...]]] = {
    "models.batchGenerateContent": ("batch.model",),
    # Each inline request's model is the batch's when left out (the official SDK leaves it out).
    "models.asyncBatchEmbedContent": (
        "batch.model",
        "batch.inputConfig.requests.requests.request.model",
    ),
    "tunedModels.batchGenerateContent": ("batch.model",),
    "tunedModels.asyncBatchEmbedContent": (
        "batch.model",
        "batch.inputConfig.requests.requests.request.model",
    ),
}


@dataclass(frozen=True, slots=True)
class MethodSpec:
    """One Discovery method: ``id`` is e.g. ``models.generateContent``."""

    id: str
    http_method: str
    path: str  # template, e.g. "v1beta/{+model}:generateContent"
    flat_path: str
    request: str | None
    response: str | None
    path_params: Mapping[str, str]  # name -> Discovery regex
    query_params: Mapping[str, Mapping[str, str]]
    upload_paths: Mapping[str, str]  # "simple"/"resumable" -> template, for media uploads
    skip_required: tuple[str, ...]  # request fields the URL or an update mask provides
    pattern: re.Pattern[str] = field(repr=False, compare=False)
    upload_patterns: Mapping[str, re.Pattern[str]] = field(repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class MethodMatch:
    method: MethodSpec
    params: dict[str, str]  # path parameter values, e.g. {"model": "models/gemini-2.5-flash"}
    upload: str | None  # "simple"/"resumable" when the URL was a media-upload path


def _template_regex(template: str, params: Mapping[str, str]) -> re.Pattern[str]:
    out: list[str] = []
    pos = 0
    for match in re.finditer(r"\{\+?(\w+)\}", template):
        out.append(re.escape(template[pos : match.start()]))
        name = match.group(1)
        # Custom verbs (":generateContent") are not part of a resource id.
        body = params.get(name, "^[^/]+$").strip("^$").replace("[^/]+", "[^/:]+")
        out.append(f"(?P<{name}>{body})")
        pos = match.end()
    out.append(re.escape(template[pos:]))
    return re.compile("/?" + "".join(out).lstrip("/"))


def _build_methods() -> tuple[MethodSpec, ...]:
    specs: list[MethodSpec] = []
    for method_id, m in sorted(_DATA["methods"].items()):
        request = m["request"]
        skip: list[str] = list(_NESTED_PATH_BINDINGS.get(method_id, ()))
        if request:
            msg = _MESSAGES[request]
            skip += [p for p in m["pathParams"] if p in msg.by_key]
            if m["httpMethod"] == "PATCH":
                # An update carries only the fields its updateMask names.
                skip += [f.json for f in msg.required if f.json not in skip]
        uploads = m.get("uploadPaths", {})
        specs.append(
            MethodSpec(
                id=method_id,
                http_method=m["httpMethod"],
                path=m["path"],
                flat_path=m["flatPath"],
                request=request,
                response=m["response"],
                path_params=dict(m["pathParams"]),
                query_params={k: dict(v) for k, v in m["queryParams"].items()},
                upload_paths=dict(uploads),
                skip_required=tuple(skip),
                pattern=_template_regex(m["path"], m["pathParams"]),
                upload_patterns={
                    k: _template_regex(v, m["pathParams"]) for k, v in uploads.items()
                },
            )
        )
    return tuple(specs)


_METHODS: Final = _build_methods()


def method_table() -> tuple[MethodSpec, ...]:
    """Every method the emulator serves, sorted by id."""
    return _METHODS


def find_method(http_method: str, url_path: str) -> MethodMatch | None:
    """The method for ``POST /v1beta/models/x:generateContent`` (query string ignored)."""
    path = url_path.split("?", 1)[0]
    verb = http_method.upper()
    for spec in _METHODS:
        if spec.http_method != verb:
            continue
        match = spec.pattern.fullmatch(path)
        if match:
            return MethodMatch(spec, match.groupdict(), None)
        for kind, pattern in spec.upload_patterns.items():
            match = pattern.fullmatch(path)
            if match:
                return MethodMatch(spec, match.groupdict(), kind)
    return None
