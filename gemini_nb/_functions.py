"""Function declarations from Python callables, and validation of the model's call arguments.

Pure code, no I/O: the automatic-function-calling loop builds its ``functionDeclarations`` with
`declare_function` / `declare_model`, checks each ``functionCall.args`` with `bind_arguments`,
and turns results into ``functionResponse.response`` data with `to_jsonable`.

Unlike the official SDK (which sends the whole docstring as the description), the docstring is
parsed: its summary (and Returns text) describes the function and each ``Args:`` entry describes
its parameter. Schemas come from pydantic, without the auto-generated ``title`` noise.

Example::

    def get_weather(city: str, unit: Literal["C", "F"] = "C") -> float:
        '''Current temperature in a city.

        Args:
            city: City name, e.g. "Paris".
            unit: Temperature unit.
        '''

    declare_function(get_weather)
    # {"name": "get_weather", "description": "Current temperature in a city.",
    #  "parametersJsonSchema": {"type": "object", "properties": {
    #      "city": {"type": "string", "description": "City name, e.g. \\"Paris\\"."},
    #      "unit": {"enum": ["C", "F"], "type": "string", "description": "Temperature unit.",
    #               "default": "C"}},
    #   "required": ["city"]},
    #  "responseJsonSchema": {"type": "number"}}
    bind_arguments(get_weather, {"city": "Paris", "unit": "F"})  # {"city": "Paris", "unit": "F"}

Errors: `FunctionDeclarationError` (a ``TypeError``: the callable cannot be declared, a
programming error) and `ArgumentError` (a ``ValueError``: the model sent bad arguments; its
message is written to be sent back to the model as ``{"error": message}``).

``*args``, ``**kwargs`` and positional-only parameters are refused: the model passes named,
typed arguments only, and silently dropping them would declare a function that cannot work.
``responseJsonSchema`` describes the bare return value (as the official SDK does), and is left
out when the return type has no JSON Schema (e.g. a DataFrame) rather than failing the function.
Declarations are computed once per function object and cached weakly; callers get fresh copies.
"""

from __future__ import annotations

import base64
import contextlib
import copy
import dataclasses
import enum
import functools
import inspect
import json
import math
import re
import sys
import typing
import weakref
from collections.abc import Callable, Mapping, Sequence
from typing import Annotated, Any

import pydantic
import pydantic_core
from pydantic import BaseModel, TypeAdapter
from pydantic.fields import FieldInfo
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from ._exceptions import FunctionCallingError

__all__ = [
    "ArgumentError",
    "FunctionDeclarationError",
    "ParsedDocstring",
    "bind_arguments",
    "declare_function",
    "declare_model",
    "parse_docstring",
    "to_jsonable",
]

_NAME_RE = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_.:-]{0,63}$")
_NAME_RULE = (
    "names start with a letter or '_' and contain only letters, digits, '_', '.', ':' and '-', "
    "at most 64 characters"
)
_HOW_TO_FIX = (
    "annotate it with a JSON-compatible type (str, int, float, bool, list, dict, Literal, an Enum, "
    "a pydantic model, a dataclass or a TypedDict), or pass a FunctionDeclaration written by hand"
)


class FunctionDeclarationError(FunctionCallingError, TypeError):
    """A callable or annotation that cannot be turned into a function declaration."""


class ArgumentError(FunctionCallingError, ValueError):
    """Arguments from the model that do not fit the function; the message lists every problem."""


# --------------------------------------------------------------------------------------------
# Docstrings


@dataclasses.dataclass(frozen=True)
class ParsedDocstring:
    """A docstring split into its summary, per-parameter descriptions and Returns text.

    ``params`` holds the entries of Args/Parameters/Keyword Args/Other Parameters sections,
    then Attributes entries that no parameter entry already named (models document fields there).
    """

    summary: str
    params: dict[str, str]
    returns: str | None


_PARAM_SECTIONS = {
    "args", "arguments", "parameters", "params", "keyword args", "keyword arguments", "kwargs",
    "other parameters", "other params", "attributes",
}  # fmt: skip
_RETURN_SECTIONS = {"returns", "return", "yields", "yield"}
_OTHER_SECTIONS = {
    "raises", "raise", "exceptions", "except", "warns", "warnings", "warning", "example",
    "examples", "note", "notes", "see also", "todo", "references", "methods", "receives",
}  # fmt: skip
_ALL_SECTIONS = _PARAM_SECTIONS | _RETURN_SECTIONS | _OTHER_SECTIONS
_GOOGLE_HEADER = re.compile(r"^([A-Za-z][A-Za-z ]*?)\s*:\s*(.*)$")
_NUMPY_RULE = re.compile(r"^\s*-{3,}\s*$")
_SPHINX_FIELD = re.compile(r"^:(\w+)((?:\s+[^:]+?)?)\s*:\s*(.*)$")
_SPHINX_PARAM_KINDS = {"param", "parameter", "arg", "argument", "key", "keyword"}
_SPHINX_ATTRIBUTE_KINDS = {"ivar", "var", "cvar"}
_NAMES = r"\*{0,2}\w+(?:\s*,\s*\*{0,2}\w+)*"
_GOOGLE_ENTRY = re.compile(rf"^({_NAMES})\s*(?:\((.*?)\))?\s*:(?:\s+(.*))?$")
_NUMPY_ENTRY = re.compile(rf"^({_NAMES})\s*(?::\s*(.*))?$")
# "dict[str, int]: the counts" -> the type is dropped; "The weather: sunny" has a space, so it stays.
_RETURN_TYPE = re.compile(r"^[A-Za-z_][\w.]*(?:\[.*\])?(?:\s*\|\s*[A-Za-z_][\w.]*(?:\[.*\])?)*:\s+")
_BULLET = re.compile(r"^(?:[-*+\u2022]|\d+[.)])\s")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _unwrap(lines: list[str]) -> str:
    """Join hard-wrapped lines into paragraphs; bullet items keep their own line."""
    paragraphs: list[list[str]] = [[]]
    for raw in lines:
        line = raw.strip()
        if not line:
            if paragraphs[-1]:
                paragraphs.append([])
        elif _BULLET.match(line) and paragraphs[-1]:
            paragraphs[-1].append("\n" + line)
        else:
            paragraphs[-1].append(line)
    return "\n\n".join(" ".join(p).replace(" \n", "\n") for p in paragraphs if p)


def _entries(
    body: list[str], entry: re.Pattern[str], base: int | None = None
) -> list[tuple[list[str], list[str]]]:
    """Group a section body into (names, description lines) entries found at the base indent."""
    indents = [_indent(line) for line in body if line.strip()]
    if base is None:
        base = min(indents, default=0)
    out: list[tuple[list[str], list[str]]] = []
    for line in body:
        m = entry.match(line[base:]) if line.strip() and _indent(line) == base else None
        if m:
            first = m.group(3) if entry is _GOOGLE_ENTRY else None
            names = [n.strip().lstrip("*") for n in m.group(1).split(",")]
            out.append((names, [first] if first else []))
        elif out:
            out[-1][1].append(line)
    return out


def parse_docstring(doc: str | None) -> ParsedDocstring:
    """Parse a Google, NumPy or Sphinx style docstring.

    >>> parse_docstring("Add.\\n\\nArgs:\\n    a (int): first\\n        operand.\\n").params
    {'a': 'first operand.'}
    """
    lines = inspect.cleandoc(doc).splitlines() if doc else []
    summary: list[str] = []
    # (style, section name, inline text, body lines)
    sections: list[tuple[str, str, str, list[str]]] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.strip() and _indent(line) == 0:
            key = line.strip().lower()
            google = _GOOGLE_HEADER.match(line)
            sphinx = _SPHINX_FIELD.match(line)
            if key in _ALL_SECTIONS and i + 1 < len(lines) and _NUMPY_RULE.match(lines[i + 1]):
                sections.append(("numpy", key, "", []))
                i += 2
                continue
            if (
                google
                and google.group(1).lower() in _ALL_SECTIONS
                and (not google.group(2) or google.group(1).lower() in _RETURN_SECTIONS)
            ):
                sections.append(("google", google.group(1).lower(), google.group(2), []))
                i += 1
                continue
            if sphinx:
                sections.append(("sphinx", sphinx.group(1).lower(), line, []))
                i += 1
                continue
            if sections and sections[-1][0] != "numpy":
                # Unindented text ends a Google section or Sphinx field; it is not summary.
                sections.append(("google", "trailing", "", []))
        if sections:
            sections[-1][3].append(line)
        else:
            summary.append(line)
        i += 1

    params: dict[str, str] = {}
    attributes: dict[str, str] = {}
    returns: list[str] = []
    for style, name, inline, body in sections:
        if style == "sphinx":
            m = _SPHINX_FIELD.match(inline)
            assert m is not None
            text = _unwrap([m.group(3), *body])
            words = m.group(2).split()
            if name in _SPHINX_PARAM_KINDS | _SPHINX_ATTRIBUTE_KINDS and words and text:
                target = attributes if name in _SPHINX_ATTRIBUTE_KINDS else params
                target.setdefault(words[-1].lstrip("*"), text)
            elif name in {"returns", "return"} and text:
                returns.append(text)
            continue
        if name in _PARAM_SECTIONS:
            target = attributes if name == "attributes" else params
            pattern = _GOOGLE_ENTRY if style == "google" else _NUMPY_ENTRY
            for names, desc in _entries(body, pattern, 0 if style == "numpy" else None):
                text = _unwrap(desc)
                for n in names:
                    if text:
                        target.setdefault(n, text)
        elif name in _RETURN_SECTIONS:
            if style == "numpy":
                for names, desc in _entries(body, _NUMPY_ENTRY, 0):
                    returns.append(_unwrap(desc) or ", ".join(names))
            else:
                text = _unwrap([inline, *body])
                returns.append(_RETURN_TYPE.sub("", text, count=1))
    for key, value in attributes.items():
        params.setdefault(key, value)
    summary_text = "\n".join(line.rstrip() for line in summary).strip()
    return ParsedDocstring(
        summary=re.sub(r"\n{3,}", "\n\n", summary_text),
        params=params,
        returns="\n".join(r for r in returns if r) or None,
    )


# --------------------------------------------------------------------------------------------
# Schemas


def _class_doc(cls: type[Any]) -> str | None:
    doc = cls.__dict__.get("__doc__")
    # dataclasses invent "Name(field: type, ...)" as the docstring; it describes nothing.
    if not isinstance(doc, str) or (
        dataclasses.is_dataclass(cls) and doc.startswith(f"{cls.__name__}(")
    ):
        return None
    return doc


def _describe_class(json_schema: JsonSchemaValue, cls: type[Any]) -> None:
    """Replace a class's raw docstring by its summary and document its fields from it."""
    if json_schema.get("title") == cls.__name__:
        del json_schema["title"]  # the $defs key already names the class
    doc = _class_doc(cls)
    if not doc:
        return
    parsed = parse_docstring(doc)
    if json_schema.get("description") in (inspect.cleandoc(doc), None):
        json_schema.pop("description", None)
        if parsed.summary:
            json_schema["description"] = parsed.summary
    for field, prop in json_schema.get("properties", {}).items():
        if field in parsed.params and isinstance(prop, dict) and "description" not in prop:
            prop["description"] = parsed.params[field]


class _SchemaGenerator(GenerateJsonSchema):
    """pydantic's generator minus auto-generated titles, plus docstring-parsed descriptions."""

    def field_title_should_be_set(self, schema: Any) -> bool:
        return False  # "City Name" for city_name costs tokens and says nothing new

    def model_schema(self, schema: core_schema.ModelSchema) -> JsonSchemaValue:
        out = super().model_schema(schema)
        _describe_class(out, schema["cls"])
        return out

    def dataclass_schema(self, schema: core_schema.DataclassSchema) -> JsonSchemaValue:
        out = super().dataclass_schema(schema)
        _describe_class(out, schema["cls"])
        return out

    def typed_dict_schema(self, schema: core_schema.TypedDictSchema) -> JsonSchemaValue:
        out = super().typed_dict_schema(schema)
        if "cls" in schema:
            _describe_class(out, schema["cls"])
        return out


def _tidy(schema: JsonSchemaValue) -> JsonSchemaValue:
    """Drop titles that merely repeat a $defs key (pydantic adds enum titles after generation)."""
    for key, definition in schema.get("$defs", {}).items():
        title = definition.get("title") if isinstance(definition, dict) else None
        if isinstance(title, str) and re.sub(r"[\W_]", "", key).endswith(
            re.sub(r"[\W_]", "", title)
        ):
            del definition["title"]
    return schema


def _first_sentence(exc: BaseException) -> str:
    text = str(exc).strip().split("\n", 1)[0]
    return text.split(". ", 1)[0].rstrip(".")


def _bad_type(
    label: str, param: str, tp: Any, exc: BaseException, what: str = "parameter"
) -> FunctionDeclarationError:
    type_name = tp.__qualname__ if isinstance(tp, type) else repr(tp)
    return FunctionDeclarationError(
        f"cannot declare {label}: {what} {param!r} has type {type_name}, which has no "
        f"JSON Schema ({_first_sentence(exc)}); {_HOW_TO_FIX}"
    )


_SCHEMA_ERRORS = (pydantic.PydanticUserError, TypeError, ValueError, NameError)


@dataclasses.dataclass(frozen=True)
class _Param:
    annotation: Any
    adapter: TypeAdapter[Any]
    default: Callable[[], Any] | None  # None: required


@dataclasses.dataclass(frozen=True)
class _Plan:
    label: str  # how error messages name the callable
    name: str | None
    parsed: ParsedDocstring
    parameters: JsonSchemaValue
    response: JsonSchemaValue | None
    params: dict[str, _Param]


def _label(fn: Any) -> str:
    name = getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None)
    return str(name) if name else repr(fn)


def _hint_target(fn: Any) -> Any:
    """The object whose annotations and docstring describe the call signature of fn."""
    if inspect.ismethod(fn):
        return _hint_target(fn.__func__)
    if isinstance(fn, functools.partial):
        return _hint_target(fn.func)
    if inspect.isclass(fn):
        return fn.__init__
    if not (inspect.isfunction(fn) or inspect.isbuiltin(fn)) and callable(fn):
        return inspect.unwrap(type(fn).__call__)
    return inspect.unwrap(fn)


def _resolve_hints(target: Any, label: str, sig: inspect.Signature) -> dict[str, Any]:
    try:
        return typing.get_type_hints(target, include_extras=True)
    except TypeError:
        return {}  # not something get_type_hints understands; the signature's annotations serve
    except (NameError, SyntaxError):
        pass
    # Resolve one annotation at a time to tell which failed: an unresolvable return type only
    # costs the optional responseJsonSchema, an unresolvable parameter type is named in the error.
    module = sys.modules.get(getattr(target, "__module__", None) or "")
    globalns = getattr(target, "__globals__", None) or getattr(module, "__dict__", {})
    annotations = {p.name: p.annotation for p in sig.parameters.values()}
    hints: dict[str, Any] = {}
    for key, raw in [*annotations.items(), ("return", sig.return_annotation)]:
        shim = type("_Shim", (), {"__annotations__": {key: raw}})
        try:
            hints.update(typing.get_type_hints(shim, globalns=globalns, include_extras=True))
        except (NameError, SyntaxError) as exc:
            if key != "return":
                raise FunctionDeclarationError(
                    f"cannot declare {label}: the type of parameter {key!r} cannot be resolved "
                    f"({exc}); string annotations (and `from __future__ import annotations`) are "
                    "looked up in the function's module, so define the type at module level, not "
                    "inside a function or under `if TYPE_CHECKING:`"
                ) from None
    return hints


def _constant(value: Any) -> Callable[[], Any]:
    return lambda: value  # the very default object, as a plain call would get


def _parameter(p: inspect.Parameter, tp: Any, label: str, first: bool) -> _Param:
    if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
        star = "*" if p.kind is p.VAR_POSITIONAL else "**"
        raise FunctionDeclarationError(
            f"cannot declare {label}: it takes {star}{p.name}, but the model can only pass named, "
            "typed arguments; list the parameters explicitly (or wrap the function in one that "
            "does), or pass a FunctionDeclaration written by hand"
        )
    if p.kind is p.POSITIONAL_ONLY:
        raise FunctionDeclarationError(
            f"cannot declare {label}: parameter {p.name!r} is positional-only, but the model "
            "passes arguments by name; drop the '/' or wrap the function"
        )
    if tp is p.empty or isinstance(tp, str):
        unbound = first and p.name in ("self", "cls")
        hint = "; it looks like an unbound method: pass instance.method instead" if unbound else ""
        raise FunctionDeclarationError(
            f"cannot declare {label}: parameter {p.name!r} has no type annotation{hint}; {_HOW_TO_FIX}"
        )
    default: Callable[[], Any] | None = None
    if isinstance(p.default, FieldInfo):
        # `x: int = Field(3, description=...)`, as pydantic's validate_call allows.
        tp = Annotated[tp, p.default]
        if not p.default.is_required():
            default = functools.partial(
                p.default.get_default, call_default_factory=True, validated_data={}
            )
    elif p.default is not p.empty:
        default = _constant(p.default)
    try:
        return _Param(tp, TypeAdapter(tp), default)
    except _SCHEMA_ERRORS as exc:
        raise _bad_type(label, p.name, tp, exc) from None


def _parameters_schema(
    params: dict[str, _Param], parsed: ParsedDocstring, label: str
) -> JsonSchemaValue:
    try:
        # One call for all parameters, so that models they share land once in one $defs.
        by_key, top = TypeAdapter.json_schemas(
            [(n, "validation", param.adapter) for n, param in params.items()],
            schema_generator=_SchemaGenerator,
        )
    except _SCHEMA_ERRORS as exc:
        for n, param in params.items():  # find the parameter pydantic choked on
            try:
                param.adapter.json_schema(schema_generator=_SchemaGenerator)
            except _SCHEMA_ERRORS as param_exc:
                raise _bad_type(label, n, param.annotation, param_exc) from None
        raise FunctionDeclarationError(
            f"cannot declare {label}: pydantic cannot produce the JSON Schema of its parameters "
            f"({_first_sentence(exc)}); pass a FunctionDeclaration written by hand"
        ) from exc
    properties: dict[str, JsonSchemaValue] = {}
    required: list[str] = []
    for n, param in params.items():
        prop = properties[n] = dict(by_key[(n, "validation")])
        if n in parsed.params and "description" not in prop:
            prop["description"] = parsed.params[n]
        if param.default is None:
            required.append(n)
        elif "default" not in prop:
            # A default without a JSON form is still applied; the schema just cannot show it.
            with contextlib.suppress(
                pydantic_core.PydanticSerializationError, ValueError, TypeError
            ):
                prop["default"] = param.adapter.dump_python(
                    param.default(), mode="json", warnings=False
                )
    schema: JsonSchemaValue = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    if top.get("$defs"):
        schema["$defs"] = _tidy(top)["$defs"]
    return schema


def _build_plan(fn: Any) -> _Plan:
    label = _label(fn)
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError) as exc:
        raise FunctionDeclarationError(
            f"cannot declare {label}: its signature cannot be read ({exc}); wrap it in a function "
            "with annotated parameters, or pass a FunctionDeclaration written by hand"
        ) from None
    target = _hint_target(fn)
    hints = _resolve_hints(target, label, sig)
    parsed = parse_docstring(inspect.getdoc(target if isinstance(fn, functools.partial) else fn))
    params = {
        p.name: _parameter(p, hints.get(p.name, p.annotation), label, i == 0)
        for i, p in enumerate(sig.parameters.values())
    }
    return _Plan(
        label=label,
        name=getattr(fn, "__name__", None),
        parsed=parsed,
        parameters=_parameters_schema(params, parsed, label),
        response=_response_schema(hints.get("return", sig.return_annotation)),
        params=params,
    )


def _response_schema(tp: Any) -> JsonSchemaValue | None:
    if tp in (inspect.Signature.empty, None, type(None), Any, object) or isinstance(tp, str):
        return None
    try:
        return _tidy(
            TypeAdapter(tp).json_schema(mode="serialization", schema_generator=_SchemaGenerator)
        )
    except _SCHEMA_ERRORS:
        # e.g. -> pd.DataFrame: still callable, to_jsonable converts the value; just undeclared.
        return None


# Plans are keyed weakly by the function object so that a redefined notebook function does not
# keep its stale plan (or itself) alive. Bound methods are new objects on every attribute access,
# so they are keyed by their underlying function (all bindings share one signature without self).
_plans: weakref.WeakKeyDictionary[Any, dict[bool, _Plan]] = weakref.WeakKeyDictionary()


def _plan(fn: Callable[..., Any]) -> _Plan:
    bound = inspect.ismethod(fn)
    key: Any = fn.__func__ if inspect.ismethod(fn) else fn
    try:
        cached = _plans.get(key)
    except TypeError:  # unhashable, or no weak references: build every time
        return _build_plan(fn)
    if cached is not None and bound in cached:
        return cached[bound]
    plan = _build_plan(fn)
    with contextlib.suppress(TypeError):
        _plans.setdefault(key, {})[bound] = plan
    return plan


def _check_name(name: str | None, label: str, given: bool) -> str:
    if name and _NAME_RE.match(name):
        return name
    if name is None:
        problem = "it has no __name__"
    else:
        problem = f"{'name=' if given else 'its name '}{name!r} is not a valid function name ({_NAME_RULE})"
    raise FunctionDeclarationError(
        f"cannot declare {label}: {problem}; pass name='...' to choose one"
    )


def _description(parsed: ParsedDocstring) -> str:
    # Returns text tells the model what a call yields, which helps it pick and chain tools;
    # Raises/Examples are for human readers and are left out.
    if parsed.returns:
        return f"{parsed.summary}\n\nReturns: {parsed.returns}".strip()
    return parsed.summary


def declare_function(
    fn: Callable[..., Any], *, name: str | None = None, description: str | None = None
) -> dict[str, Any]:
    """The wire ``FunctionDeclaration`` (camelCase dict) of a sync or async callable.

    >>> def add(a: int, b: int = 1) -> int:
    ...     '''Add two numbers.'''
    >>> declare_function(add)["parametersJsonSchema"]["required"]
    ['a']
    """
    # The name is checked first: a lambda's real problem is its name, whatever its annotations.
    checked = _check_name(
        name if name is not None else getattr(fn, "__name__", None), _label(fn), name is not None
    )
    plan = _plan(fn)
    decl: dict[str, Any] = {
        "name": checked,
        "description": description if description is not None else _description(plan.parsed),
        "parametersJsonSchema": copy.deepcopy(plan.parameters),
    }
    if plan.response is not None:
        decl["responseJsonSchema"] = copy.deepcopy(plan.response)
    return decl


_model_schemas: weakref.WeakKeyDictionary[type[BaseModel], tuple[JsonSchemaValue, str]] = (
    weakref.WeakKeyDictionary()
)


def declare_model(
    model: type[BaseModel], *, name: str | None = None, description: str | None = None
) -> dict[str, Any]:
    """A declaration whose parameters are the fields of a pydantic model.

    Field descriptions come from ``Field(description=...)``, then from the class docstring's
    Attributes/Args section; the docstring summary describes the declaration.
    """
    label = _label(model)
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        raise FunctionDeclarationError(
            f"cannot declare {label}: declare_model takes a pydantic model class"
        )
    if model not in _model_schemas:
        try:
            raw = _tidy(model.model_json_schema(schema_generator=_SchemaGenerator))
        except _SCHEMA_ERRORS as exc:
            for field_name, field in model.model_fields.items():  # name the culprit if we can
                tp: Any = field.annotation
                try:
                    TypeAdapter(tp).json_schema()
                except _SCHEMA_ERRORS as field_exc:
                    raise _bad_type(label, field_name, tp, field_exc, "field") from None
            raise FunctionDeclarationError(
                f"cannot declare {label}: pydantic cannot produce its JSON Schema "
                f"({_first_sentence(exc)}); pass a FunctionDeclaration written by hand"
            ) from None
        if raw.get("type") != "object":
            raise FunctionDeclarationError(
                f"cannot declare {label}: its JSON Schema is not an object with fields (a RootModel?);"
                " the parameters of a function must be named fields"
            )
        summary = raw.pop("description", "")
        # Same key order as declare_function; the rest (additionalProperties, $defs) follows.
        schema = {"type": "object", "properties": raw.pop("properties", {})}
        if "required" in raw:
            schema["required"] = raw.pop("required")
        schema.update((k, v) for k, v in raw.items() if k != "type")
        _model_schemas[model] = (schema, summary)
    schema, summary = _model_schemas[model]
    return {
        "name": _check_name(name if name is not None else model.__name__, label, name is not None),
        "description": description if description is not None else summary,
        "parametersJsonSchema": copy.deepcopy(schema),
    }


# --------------------------------------------------------------------------------------------
# Arguments and results


def _show(value: Any) -> str:
    text = json.dumps(to_jsonable(value), ensure_ascii=False)
    return text if len(text) <= 80 else text[:77] + "..."


def bind_arguments(fn: Callable[..., Any], args: Mapping[str, Any] | None) -> dict[str, Any]:
    """Validate the model's ``functionCall.args`` for fn and return keyword arguments for it.

    Lax pydantic validation converts JSON data to the annotated types ("3" -> 3, dicts -> models,
    "red" -> Color.RED); omitted optional parameters get their defaults. ``args`` may be None,
    as a ``functionCall`` without arguments has no ``args`` key.

    >>> def add(a: int, b: int = 1) -> int: ...
    >>> bind_arguments(add, {"a": "2"})
    {'a': 2, 'b': 1}
    """
    plan = _plan(fn)
    args = args or {}
    problems: list[str] = []
    bound: dict[str, Any] = {}
    for n, param in plan.params.items():
        if n not in args:
            if param.default is None:
                problems.append(f"- {n}: missing required argument")
            else:
                bound[n] = param.default()
            continue
        try:
            bound[n] = param.adapter.validate_python(args[n])
        except pydantic.ValidationError as exc:
            for err in exc.errors(include_url=False):
                where = ".".join(str(part) for part in (n, *err["loc"]))
                got = "" if err["type"] == "missing" else f" (got {_show(err['input'])})"
                problems.append(f"- {where}: {err['msg']}{got}")
    unknown = [k for k in args if k not in plan.params]
    expected = ", ".join(plan.params) or "no arguments"
    problems += [f"- {k}: unexpected argument (expected: {expected})" for k in unknown]
    if problems:
        who = plan.name if plan.name and _NAME_RE.match(plan.name) else plan.label
        raise ArgumentError(f"Invalid arguments for {who}:\n" + "\n".join(problems))
    return bound


def to_jsonable(value: Any) -> Any:
    """Convert a function's return value to JSON-compatible data for ``functionResponse``.

    Models, dataclasses and mappings become objects; sequences and sets become arrays; enums
    their value; dates ISO strings; numpy values Python numbers/lists; a pandas DataFrame a list
    of records (index kept unless it is the default range), a Series an index -> value object;
    bytes UTF-8 text or base64; NaN None; anything else ``str(value)``.
    """
    return _jsonable(value, set())


def _jsonable(value: Any, active: set[int]) -> Any:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, enum.Enum):
        return _jsonable(value.value, active)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        if math.isfinite(value):
            return float(value)
        # JSON has no NaN or Infinity; NaN usually means "missing" (pandas), infinity is a value.
        return None if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, str):
        return str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        data = bytes(value)
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return base64.b64encode(data).decode("ascii")
    if id(value) in active:
        return "<cycle>"
    active.add(id(value))
    try:
        return _container(value, active)
    finally:
        active.discard(id(value))


def _container(value: Any, active: set[int]) -> Any:
    if isinstance(value, BaseModel):
        try:
            return _jsonable(value.model_dump(mode="json", by_alias=True), active)
        except (pydantic_core.PydanticSerializationError, ValueError, TypeError):
            return _jsonable(value.model_dump(by_alias=True), active)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: _jsonable(getattr(value, f.name), active) for f in dataclasses.fields(value)
        }
    if isinstance(value, Mapping):
        return {_key(k): _jsonable(v, active) for k, v in value.items()}
    # Duck typing keeps numpy/pandas/polars optional and unimported.
    if callable(getattr(value, "to_dicts", None)):  # polars DataFrame
        return _jsonable(value.to_dicts(), active)
    if callable(getattr(value, "to_dict", None)) and hasattr(value, "index"):
        if hasattr(value, "columns"):  # pandas DataFrame
            if type(value.index).__name__ != "RangeIndex" and callable(
                getattr(value, "reset_index", None)
            ):
                value = value.reset_index()
            return _jsonable(value.to_dict(orient="records"), active)
        return _jsonable(value.to_dict(), active)  # pandas Series
    if callable(getattr(value, "tolist", None)) and hasattr(value, "dtype"):  # numpy
        return _jsonable(value.tolist(), active)
    if isinstance(value, (set, frozenset)):
        items = list(value)
        with contextlib.suppress(TypeError):  # sorted when possible, for stable output
            items.sort()
        return [_jsonable(v, active) for v in items]
    if isinstance(value, Sequence):  # list, tuple, deque, range (str and bytes are done)
        return [_jsonable(v, active) for v in value]
    try:
        return pydantic_core.to_jsonable_python(value)  # datetimes, UUID, Decimal, Path, ...
    except (pydantic_core.PydanticSerializationError, ValueError, TypeError):
        return str(value)


def _key(key: Any) -> str:
    if isinstance(key, str):
        return key
    converted = to_jsonable(key)
    return converted if isinstance(converted, str) else json.dumps(converted)
