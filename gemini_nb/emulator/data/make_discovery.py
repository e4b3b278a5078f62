"""Generate ``discovery.json``: the part of the Gemini API Discovery document the emulator validates.

Usage::

    python -m gemini_nb.emulator.data.make_discovery [reference_path] [output_path]

``reference_path`` defaults to the 20260831 Discovery document in ``../shared/reference``;
``output_path`` defaults to ``discovery.json`` next to this file.

What is kept:

* every method of the document (the emulator routes every request through this table: a
  method is served by a backend or answered as not implemented) with its HTTP verb, path
  template, flat path, path/query parameters, media-upload paths and request/response schema
  names;
* every schema those methods reference, transitively, reduced to what validation needs:
  ``type``, ``format``, ``enum``, ``$ref``, ``items``, ``additionalProperties`` and a
  ``required`` marker for fields whose description starts with "Required." (Discovery has no
  structural required list; the "Required." prefix is the rendering of
  ``google.api.field_behavior = REQUIRED``);
* the proto names the real server's error messages use, which Discovery does not carry: each
  field's proto (snake_case) name, each schema's full proto message name and each enum's full
  proto enum name. They come from the ``.proto`` files next to the Discovery document
  (``protos/google/ai/generativelanguage/v1beta``) where those know the field, else from a
  naming rule (see ``_fallback_*``). The protos are older than the Discovery revision, hence
  the fallbacks.

The output is deterministic (sorted keys, fixed layout) so a test can regenerate it and compare.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

__all__ = ["DEFAULT_REFERENCE", "build", "main", "render"]

# The shared reference folder sits beside the project root (…/shared next to …/main).
DEFAULT_REFERENCE = (
    Path(__file__).resolve().parents[3].parent
    / "shared/reference/generativelanguage.v1beta.rev20260831.discovery.json"
)
DEFAULT_OUTPUT = Path(__file__).with_name("discovery.json")
PROTO_SUBDIR = Path("protos/google/ai/generativelanguage/v1beta")
PROTO_PACKAGE = "google.ai.generativelanguage.v1beta"


# Discovery names of types that live outside the generativelanguage package.
_FOREIGN_TYPES: dict[str, str] = {
    "Operation": "google.longrunning.Operation",
    "ListOperationsResponse": "google.longrunning.ListOperationsResponse",
    "Status": "google.rpc.Status",
    "Empty": "google.protobuf.Empty",
}

_DISCOVERY_PREFIX = "GoogleAiGenerativelanguageV1beta"

# Fields the real server accepts that the document does not list (the recorded exchanges show
# them accepted): schema -> field -> reduced field spec.
BEYOND_DOCUMENT: dict[str, dict[str, dict[str, Any]]] = {
    # Gemini 3 tools return uploaded files in function responses.
    "FunctionResponsePart": {
        "fileData": {"$ref": "FileData", "oneof": "data", "proto": "file_data"},
    },
}


# --------------------------------------------------------------------------------------------
# .proto reading: just enough of the grammar to get messages, fields and enums with nesting.


class _Protos:
    """Messages (full name -> {field: (type, json name, oneof)}) and enums (name -> numbers)."""

    def __init__(self) -> None:
        self.messages: dict[str, dict[str, tuple[str, str, str | None]]] = {}
        self.enums: dict[str, dict[str, int]] = {}
        self.digest = ""

    def resolve(self, type_name: str, scope: str) -> str | None:
        """Resolve a type reference the way protoc does: innermost scope outwards."""
        if type_name.startswith("."):
            return type_name[1:]
        parts = scope.split(".")
        while parts:
            candidate = ".".join([*parts, type_name])
            if candidate in self.messages or candidate in self.enums:
                return candidate
            parts.pop()
        if type_name.startswith("google."):
            return type_name
        return None


_TOKEN = re.compile(r'//[^\n]*|/\*.*?\*/|"(?:[^"\\]|\\.)*"|[A-Za-z_][\w.]*|\d+|\S', re.S)


def _json_name(proto_name: str) -> str:
    # protoc's default json_name: drop underscores, upper-case the letter after each one.
    out: list[str] = []
    upper = False
    for ch in proto_name:
        if ch == "_":
            upper = True
        elif upper:
            out.append(ch.upper())
            upper = False
        else:
            out.append(ch)
    return "".join(out)


def _skip_statement(tokens: list[str], i: int) -> int:
    depth = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok == "{":
            depth += 1
        elif tok == "}":
            depth -= 1
        elif tok == ";" and depth == 0:
            return i + 1
        i += 1
    return i


def _skip_block(tokens: list[str], i: int) -> int:
    depth = 0
    while i < len(tokens):
        if tokens[i] == "{":
            depth += 1
        elif tokens[i] == "}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return i


def _read_proto(text: str, protos: _Protos) -> None:
    tokens = [t for t in _TOKEN.findall(text) if not t.startswith(("//", "/*"))]
    package = ""
    # (kind, full name of the enclosing message, oneof name when kind is "oneof")
    scopes: list[tuple[str, str, str | None]] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        if tok == "package":
            package = nxt
            i = _skip_statement(tokens, i)
        elif tok in ("syntax", "import", "option", "reserved", "extensions"):
            i = _skip_statement(tokens, i)
        elif tok == "service":
            i = _skip_block(tokens, i)
        elif tok in ("message", "enum") and i + 2 < len(tokens) and tokens[i + 2] == "{":
            parent = scopes[-1][1] if scopes else package
            full = f"{parent}.{nxt}"
            if tok == "message":
                protos.messages[full] = {}
                scopes.append(("message", full, None))
                i += 3
            else:
                end = _skip_block(tokens, i)
                protos.enums[full] = _enum_numbers(tokens[i + 3 : end - 1])
                i = end
        elif tok == "oneof" and i + 2 < len(tokens) and tokens[i + 2] == "{":
            scopes.append(("oneof", scopes[-1][1], nxt))
            i += 3
        elif tok == "}":
            if scopes:
                scopes.pop()
            i += 1
        elif scopes:
            i = _read_field(tokens, i, scopes[-1][1], scopes[-1][2], protos)
        else:
            i += 1


def _enum_numbers(body: list[str]) -> dict[str, int]:
    numbers: dict[str, int] = {}
    for k in range(len(body) - 2):
        if body[k + 1] == "=" and re.fullmatch(r"[A-Z_][A-Z0-9_]*", body[k]):
            sign = -1 if body[k + 2] == "-" else 1
            digits = body[k + 3] if sign < 0 else body[k + 2]
            if digits.isdigit() and (k == 0 or body[k - 1] in (";", "{")):
                numbers[body[k]] = sign * int(digits)
    return numbers


def _read_field(tokens: list[str], i: int, message: str, oneof: str | None, protos: _Protos) -> int:
    end = _skip_statement(tokens, i)
    stmt = tokens[i:end]
    if stmt and stmt[0] in ("repeated", "optional", "required"):
        stmt = stmt[1:]
    if len(stmt) >= 3 and stmt[0] == "map" and stmt[1] == "<":
        # map<K, V> name = N;  V is what matters for our purposes.
        close = stmt.index(">")
        type_name, rest = stmt[close - 1], stmt[close + 1 :]
    else:
        type_name, rest = (stmt[0], stmt[1:]) if stmt else ("", [])
    if len(rest) >= 2 and rest[1] == "=" and re.fullmatch(r"[A-Za-z_]\w*", rest[0]):
        name = rest[0]
        json_name = _json_name(name)
        if "json_name" in rest:
            json_name = rest[rest.index("json_name") + 2].strip('"')
        protos.messages[message][name] = (type_name, json_name, oneof)
    return end


def load_protos(directory: Path) -> _Protos:
    protos = _Protos()
    files = sorted(directory.glob("*.proto")) if directory.is_dir() else []
    digest = hashlib.sha256()
    for path in files:
        data = path.read_bytes()
        digest.update(path.name.encode() + b"\0" + data)
        _read_proto(data.decode("utf-8"), protos)
    protos.digest = digest.hexdigest() if files else ""
    return protos


# --------------------------------------------------------------------------------------------
# Discovery walking.


def _iter_methods(resources: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for name in sorted(resources):
        resource = resources[name]
        for method_name in sorted(resource.get("methods", {})):
            yield f"{prefix}{name}.{method_name}", resource["methods"][method_name]
        yield from _iter_methods(resource.get("resources", {}), f"{prefix}{name}.")


def _refs(spec: dict[str, Any]) -> Iterator[str]:
    if "$ref" in spec:
        yield spec["$ref"]
    for key in ("items", "additionalProperties"):
        if key in spec:
            yield from _refs(spec[key])


def _closure(schemas: dict[str, Any], roots: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        for prop in schemas[name].get("properties", {}).values():
            todo.extend(_refs(prop))
    return sorted(seen)


def _is_required(prop: dict[str, Any]) -> bool:
    # Every "Required." marker in this document opens the description; "Optional. Required
    # properties of ..." (Schema.required) is a different sentence and must not match.
    return str(prop.get("description", "")).startswith("Required.")


def _fallback_proto_name(json_name: str) -> str:
    return re.sub(r"[A-Z]", lambda m: "_" + m.group(0).lower(), json_name.lstrip("_"))


def _fallback_message(schema_name: str) -> str:
    if schema_name in _FOREIGN_TYPES:
        return _FOREIGN_TYPES[schema_name]
    return f"{PROTO_PACKAGE}.{schema_name.removeprefix(_DISCOVERY_PREFIX)}"


def _fallback_enum(message: str, json_name: str) -> str:
    # The newer enums follow <Message>.<FieldInPascalCase> (ThinkingConfig.ThinkingLevel,
    # TextResponseFormat.MimeType), which is what the server names in its errors.
    return f"{message}.{json_name[:1].upper()}{json_name[1:]}"


def _match_messages(
    schemas: dict[str, Any], names: list[str], roots: Iterable[str], protos: _Protos
) -> dict[str, str]:
    """Pair Discovery schemas with proto messages by walking both from the method types."""
    matched: dict[str, str] = {}
    todo = [(name, f"{PROTO_PACKAGE}.{name}") for name in roots]
    while todo:
        name, proto = todo.pop()
        if name in matched or proto not in protos.messages:
            continue
        matched[name] = proto
        by_json = {json: (f, typ) for f, (typ, json, _) in protos.messages[proto].items()}
        for json_name, prop in schemas[name].get("properties", {}).items():
            refs = list(_refs(prop))
            if not refs or json_name not in by_json:
                continue
            resolved = protos.resolve(by_json[json_name][1], proto)
            if resolved:
                todo.append((refs[0], resolved))
    # Whatever the walk did not reach: a unique simple-name match, else the naming rule.
    by_simple: dict[str, list[str]] = {}
    for full in protos.messages:
        by_simple.setdefault(full.rsplit(".", 1)[1], []).append(full)
    for name in names:
        if name in matched:
            continue
        candidates = by_simple.get(name.removeprefix(_DISCOVERY_PREFIX), [])
        matched[name] = candidates[0] if len(candidates) == 1 else _fallback_message(name)
    return matched


def _reduce(
    spec: dict[str, Any], *, message: str, json_name: str, proto_type: str | None, protos: _Protos
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in ("type", "format", "$ref"):
        if key in spec:
            out[key] = spec[key]
    if "enum" in spec:
        out["enum"] = list(spec["enum"])
        resolved = protos.resolve(proto_type, message) if proto_type else None
        if resolved in protos.enums:
            out["enumType"] = resolved
            # Proto numbers (null for values newer than the .proto files); without them the
            # validator can only use list positions, which drift where numbers have gaps.
            numbers = protos.enums[resolved]
            out["enumNumbers"] = [numbers.get(v) for v in spec["enum"]]
        else:
            out["enumType"] = _fallback_enum(message, json_name)
    for key in ("items", "additionalProperties"):
        if key in spec:
            out[key] = _reduce(
                spec[key],
                message=message,
                json_name=json_name,
                proto_type=proto_type,
                protos=protos,
            )
    return out


def build(reference: Path, protos_dir: Path | None = None) -> dict[str, Any]:
    raw = reference.read_bytes()
    doc = json.loads(raw)
    schemas: dict[str, Any] = doc["schemas"]
    protos = load_protos(protos_dir if protos_dir is not None else reference.parent / PROTO_SUBDIR)

    methods: dict[str, Any] = {}
    roots: list[str] = []
    for method_id, method in _iter_methods(doc["resources"]):
        entry: dict[str, Any] = {
            "httpMethod": method["httpMethod"],
            "path": method["path"],
            "flatPath": method.get("flatPath", method["path"]),
            "request": method.get("request", {}).get("$ref"),
            "response": method.get("response", {}).get("$ref"),
            "pathParams": {},
            "queryParams": {},
        }
        for param_name, param in method.get("parameters", {}).items():
            if param.get("location") == "path":
                entry["pathParams"][param_name] = param.get("pattern", "^[^/]+$")
            else:
                entry["queryParams"][param_name] = {
                    k: param[k] for k in ("type", "format") if k in param
                }
        if method.get("supportsMediaUpload"):
            protocols = method.get("mediaUpload", {}).get("protocols", {})
            entry["uploadPaths"] = {k: v["path"] for k, v in protocols.items()}
        methods[method_id] = entry
        roots.extend(r for r in (entry["request"], entry["response"]) if r)

    names = _closure(schemas, roots)
    messages = _match_messages(schemas, names, roots, protos)
    out_schemas: dict[str, Any] = {}
    for name in names:
        proto = messages[name]
        proto_fields = {
            json: (f, t, o) for f, (t, json, o) in protos.messages.get(proto, {}).items()
        }
        fields: dict[str, Any] = {}
        for json_name, prop in schemas[name].get("properties", {}).items():
            proto_name, proto_type, oneof = proto_fields.get(json_name, (None, None, None))
            field = _reduce(
                prop, message=proto, json_name=json_name, proto_type=proto_type, protos=protos
            )
            field["proto"] = proto_name or _fallback_proto_name(json_name)
            if oneof:
                field["oneof"] = oneof
            if _is_required(prop):
                field["required"] = True
            fields[json_name] = field
        fields.update(BEYOND_DOCUMENT.get(name, {}))
        out_schemas[name] = {"proto": proto, "fields": fields}

    return {
        "format": 1,
        "source": {
            "file": reference.name,
            "id": doc.get("id"),
            "revision": doc.get("revision"),
            "sha256": hashlib.sha256(raw).hexdigest(),
            "protos": {"dir": PROTO_SUBDIR.as_posix(), "sha256": protos.digest},
        },
        "methods": methods,
        "schemas": out_schemas,
    }


def render(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    reference = Path(args[0]) if args else DEFAULT_REFERENCE
    output = Path(args[1]) if len(args) > 1 else DEFAULT_OUTPUT
    data = build(reference)
    output.write_text(render(data), encoding="utf-8")
    print(f"{output}: {len(data['methods'])} methods, {len(data['schemas'])} schemas")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
