"""Function declarations, docstring parsing, argument binding and result conversion."""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
import enum
import functools
import gc
import json
import math
import pathlib
import typing
import uuid
import weakref
from collections.abc import Callable
from typing import Annotated, Any, Literal, NotRequired, Optional

import jsonschema
import pydantic
import pytest
from pydantic import BaseModel, Field, TypeAdapter
from typing_extensions import TypedDict  # pydantic needs it on Python < 3.12

from gemini_nb import _functions
from gemini_nb._functions import (
    ArgumentError,
    FunctionDeclarationError,
    ParsedDocstring,
    bind_arguments,
    declare_function,
    declare_model,
    parse_docstring,
    to_jsonable,
)

# --------------------------------------------------------------------------------------------
# Types used in annotations. They live at module level because this module uses
# `from __future__ import annotations`: annotations are resolved in the module's namespace.


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Size(enum.IntEnum):
    S = 1
    L = 3


class Point(BaseModel):
    """A point in the plane.

    Attributes:
        x: Horizontal coordinate.
        y: Vertical coordinate.
    """

    x: int
    y: int = 0


class Shape(BaseModel):
    name: str = Field(description="Display name.")
    corners: list[Point]
    color: Color = Color.RED


class Tree(BaseModel):
    label: str
    children: list[Tree] = []


@dataclasses.dataclass
class Box:
    """A box.

    Args:
        width: Width in cm.
    """

    width: float
    tags: list[str] = dataclasses.field(default_factory=list)


class Filter(TypedDict):
    """Row filter."""

    column: str
    value: int | str
    negate: NotRequired[bool]


class Page(BaseModel):
    """One page of results."""

    model_config = pydantic.ConfigDict(extra="forbid")
    cursor: str | None = None
    size: int = Field(10, ge=1, le=100, title="Page size")


class Plain:
    pass


# --------------------------------------------------------------------------------------------
# A wide set of signatures: each schema must be valid JSON Schema, accept the JSON arguments a
# model would send, and bind_arguments must accept them too.


def f_empty() -> None:
    """Do nothing."""


def f_primitives(s: str, i: int, f: float, b: bool) -> str:
    return ""


def f_optional(a: int | None, b: Optional[str] = None, c: float | None = 1.5) -> None: ...  # noqa: UP045


def f_union(x: int | str, y: list[int] | dict[str, int]) -> None: ...


def f_literal(mode: Literal["fast", "slow"] = "fast", level: Literal[1, 2, 3] = 1) -> None: ...


def f_enums(color: Color, size: Size = Size.S) -> None: ...


def f_collections(
    xs: list[int], pair: tuple[int, str], tags: set[str], vals: tuple[float, ...]
) -> None: ...


def f_dict(weights: dict[str, float], nested: dict[str, list[Point]]) -> None: ...


def f_models(shape: Shape, points: list[Point], tree: Tree | None = None) -> Shape:
    return shape


def f_dataclass(box: Box) -> Box:
    return box


def f_typeddict(where: Filter, filters: list[Filter] = []) -> None: ...  # noqa: B006


def f_dates(when: dt.datetime, day: dt.date, at: dt.time, span: dt.timedelta) -> dt.date:
    return day


def f_annotated(
    n: Annotated[int, Field(ge=1, le=10, description="How many.")],
    name: Annotated[str, Field(min_length=2, pattern=r"^[a-z]+$")] = "ab",
) -> None: ...


def f_field_default(
    n: int = Field(3, ge=0, description="Count."),
    tags: list[str] = Field(default_factory=list),  # noqa: B008
) -> None: ...


DEFAULT_PAGE = Page()


def f_misc(
    anything: Any, ident: uuid.UUID, amount: decimal.Decimal, page: Page = DEFAULT_PAGE
) -> dict[str, Any]:
    return {}


async def f_async(query: str, limit: int = 10) -> list[str]:
    return []


class Service:
    def method(self, city: str) -> str:
        """Look up a city."""
        return city

    @classmethod
    def klass(cls, n: int) -> int:
        return n

    @staticmethod
    def static(n: int) -> int:
        return n


CASES: list[tuple[Callable[..., Any], dict[str, Any]]] = [
    (f_empty, {}),
    (f_primitives, {"s": "a", "i": 1, "f": 1.5, "b": True}),
    (f_optional, {"a": None, "b": "x"}),
    (f_union, {"x": "a", "y": {"k": 1}}),
    (f_literal, {"mode": "slow", "level": 3}),
    (f_enums, {"color": "blue", "size": 3}),
    (f_collections, {"xs": [1, 2], "pair": [1, "a"], "tags": ["a", "b"], "vals": [1.0, 2.5]}),
    (f_dict, {"weights": {"a": 0.5}, "nested": {"k": [{"x": 1}]}}),
    (
        f_models,
        {
            "shape": {"name": "tri", "corners": [{"x": 0}, {"x": 1, "y": 1}], "color": "blue"},
            "points": [{"x": 3}],
            "tree": {"label": "root", "children": [{"label": "leaf"}]},
        },
    ),
    (f_dataclass, {"box": {"width": 2.5, "tags": ["a"]}}),
    (
        f_typeddict,
        {
            "where": {"column": "a", "value": 3},
            "filters": [{"column": "b", "value": "x", "negate": True}],
        },
    ),
    (
        f_dates,
        {"when": "2024-05-01T12:00:00Z", "day": "2024-05-01", "at": "12:30:00", "span": "PT1H"},
    ),
    (f_annotated, {"n": 5, "name": "abc"}),
    (f_field_default, {"n": 4}),
    (
        f_misc,
        {
            "anything": [1, "x"],
            "ident": "12345678-1234-5678-1234-567812345678",
            "amount": "1.25",
            "page": {"size": 5},
        },
    ),
    (f_async, {"query": "q"}),
    (Service().method, {"city": "Paris"}),
    (Service.klass, {"n": 1}),
    (Service.static, {"n": 1}),
]
IDS = [getattr(fn, "__name__", "?") for fn, _ in CASES]


def _hints(fn: Callable[..., Any]) -> dict[str, Any]:
    target = fn.__func__ if hasattr(fn, "__func__") else fn
    return typing.get_type_hints(target, include_extras=True)


@pytest.mark.parametrize(("fn", "args"), CASES, ids=IDS)
def test_parameters_schema_is_valid_json_schema(
    fn: Callable[..., Any], args: dict[str, Any]
) -> None:
    decl = declare_function(fn)
    schema = decl["parametersJsonSchema"]
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["type"] == "object"
    assert set(schema) <= {"type", "properties", "required", "$defs"}
    assert list(schema["properties"]) == [n for n in _hints(fn) if n != "return"]
    if "required" in schema:
        assert schema["required"]  # never an empty list
    if "responseJsonSchema" in decl:
        jsonschema.Draft202012Validator.check_schema(decl["responseJsonSchema"])


@pytest.mark.parametrize(("fn", "args"), CASES, ids=IDS)
def test_model_arguments_validate_and_bind(fn: Callable[..., Any], args: dict[str, Any]) -> None:
    schema = declare_function(fn)["parametersJsonSchema"]
    jsonschema.validate(args, schema, cls=jsonschema.Draft202012Validator)
    bound = bind_arguments(fn, args)
    assert set(bound) == set(schema["properties"])  # defaults filled in
    # What pydantic builds from the arguments, dumped back to JSON, fits the schema too.
    hints = _hints(fn)
    dumped = {n: TypeAdapter(hints[n]).dump_python(v, mode="json") for n, v in bound.items()}
    jsonschema.validate(dumped, schema, cls=jsonschema.Draft202012Validator)


def _walk(node: Any, path: tuple[Any, ...] = ()) -> typing.Iterator[tuple[tuple[Any, ...], Any]]:
    yield path, node
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _walk(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _walk(v, (*path, i))


@pytest.mark.parametrize(("fn", "args"), CASES, ids=IDS)
def test_no_auto_generated_titles(fn: Callable[..., Any], args: dict[str, Any]) -> None:
    decl = declare_function(fn)
    for part in ("parametersJsonSchema", "responseJsonSchema"):
        for path, node in _walk(decl.get(part, {})):
            if isinstance(node, dict) and "title" in node and path[-2:-1] != ("properties",):
                assert node["title"] == "Page size", path  # the only explicit title in the cases


def test_declaration_shape() -> None:
    def get_weather(city: str, unit: Literal["C", "F"] = "C") -> float:
        """Current temperature in a city.

        Args:
            city: City name, e.g. "Paris".
            unit: Temperature unit.

        Returns:
            float: Degrees in the chosen unit.
        """
        return 0.0

    assert declare_function(get_weather) == {
        "name": "get_weather",
        "description": "Current temperature in a city.\n\nReturns: Degrees in the chosen unit.",
        "parametersJsonSchema": {
            "type": "object",
            "properties": {
                "city": {"type": "string", "description": 'City name, e.g. "Paris".'},
                "unit": {
                    "enum": ["C", "F"],
                    "type": "string",
                    "description": "Temperature unit.",
                    "default": "C",
                },
            },
            "required": ["city"],
        },
        "responseJsonSchema": {"type": "number"},
    }


def test_no_parameters_and_no_docstring() -> None:
    def ping() -> None: ...

    assert declare_function(ping) == {
        "name": "ping",
        "description": "",
        "parametersJsonSchema": {"type": "object", "properties": {}},
    }


def test_name_and_description_overrides() -> None:
    decl = declare_function(f_empty, name="ns.tool:v1-final", description="Custom.")
    assert decl["name"] == "ns.tool:v1-final"
    assert decl["description"] == "Custom."


def test_models_go_to_top_level_defs() -> None:
    schema = declare_function(f_models)["parametersJsonSchema"]
    assert set(schema["$defs"]) == {"Shape", "Point", "Color", "Tree"}
    assert schema["properties"]["shape"] == {"$ref": "#/$defs/Shape"}
    assert schema["properties"]["points"] == {"items": {"$ref": "#/$defs/Point"}, "type": "array"}
    assert schema["$defs"]["Tree"]["properties"]["children"]["items"] == {"$ref": "#/$defs/Tree"}
    # Nested class docstrings are parsed like function docstrings.
    point = schema["$defs"]["Point"]
    assert point["description"] == "A point in the plane."
    assert point["properties"]["x"] == {"description": "Horizontal coordinate.", "type": "integer"}
    assert schema["$defs"]["Shape"]["properties"]["name"]["description"] == "Display name."
    assert "title" not in schema["$defs"]["Color"]


def test_dataclass_and_typeddict_descriptions() -> None:
    box = declare_function(f_dataclass)["parametersJsonSchema"]["$defs"]["Box"]
    assert box["description"] == "A box."
    assert box["properties"]["width"]["description"] == "Width in cm."
    assert box["required"] == ["width"]

    @dataclasses.dataclass
    class NoDoc:
        a: int

    assert "description" not in TypeAdapter(NoDoc).json_schema(
        schema_generator=_functions._SchemaGenerator
    )
    flt = declare_function(f_typeddict)["parametersJsonSchema"]["$defs"]["Filter"]
    assert flt["description"] == "Row filter."
    assert flt["required"] == ["column", "value"]


def test_annotated_field_description_wins_over_docstring() -> None:
    def f(n: Annotated[int, Field(description="From Field.")], m: int) -> None:
        """F.

        Args:
            n: From docstring.
            m: Only docstring.
        """

    props = declare_function(f)["parametersJsonSchema"]["properties"]
    assert props["n"]["description"] == "From Field."
    assert props["m"]["description"] == "Only docstring."


def test_parameter_description_beside_ref() -> None:
    def f(p: Point) -> None:
        """F.

        Args:
            p: Where to go.
        """

    assert declare_function(f)["parametersJsonSchema"]["properties"]["p"] == {
        "$ref": "#/$defs/Point",
        "description": "Where to go.",
    }


def test_defaults_and_field_defaults() -> None:
    props = declare_function(f_field_default)["parametersJsonSchema"]
    assert props["properties"]["n"] == {
        "default": 3,
        "description": "Count.",
        "minimum": 0,
        "type": "integer",
    }
    assert "required" not in props
    assert declare_function(f_enums)["parametersJsonSchema"]["properties"]["size"]["default"] == 1
    assert declare_function(f_misc)["parametersJsonSchema"]["properties"]["page"]["default"] == {
        "cursor": None,
        "size": 10,
    }


def test_default_without_json_form_is_omitted_but_applied() -> None:
    sentinel = object()

    def f(x: Any = sentinel) -> None: ...

    decl = declare_function(f)["parametersJsonSchema"]
    assert "default" not in decl["properties"]["x"]
    assert "required" not in decl
    assert bind_arguments(f, {})["x"] is sentinel


def test_optional_without_default_is_required() -> None:
    schema = declare_function(f_optional)["parametersJsonSchema"]
    assert schema["required"] == ["a"]
    assert schema["properties"]["a"] == {"anyOf": [{"type": "integer"}, {"type": "null"}]}


def test_response_schema() -> None:
    assert declare_function(f_dates)["responseJsonSchema"] == {"type": "string", "format": "date"}
    assert declare_function(f_async)["responseJsonSchema"] == {
        "items": {"type": "string"},
        "type": "array",
    }
    resp = declare_function(f_models)["responseJsonSchema"]
    assert resp["type"] == "object" and "title" not in resp
    assert set(resp["$defs"]) == {"Point", "Color"}
    for fn in (f_empty, f_optional):  # -> None
        assert "responseJsonSchema" not in declare_function(fn)

    def untyped(x: int):  # type: ignore[no-untyped-def]
        return x

    def anything(x: int) -> Any:
        return x

    def frame(x: int) -> Plain:  # an undeclarable return type costs only responseJsonSchema
        return Plain()

    for fn in (untyped, anything, frame):
        assert "responseJsonSchema" not in declare_function(fn)


def test_async_declared_like_sync() -> None:
    def f_sync(query: str, limit: int = 10) -> list[str]:
        return []

    a, s = declare_function(f_async), declare_function(f_sync)
    assert a == {**s, "name": "f_async"}


def test_methods_skip_self_and_cls() -> None:
    decl = declare_function(Service().method)
    assert decl["name"] == "method"
    assert decl["description"] == "Look up a city."
    assert list(decl["parametersJsonSchema"]["properties"]) == ["city"]
    assert list(declare_function(Service.klass)["parametersJsonSchema"]["properties"]) == ["n"]
    assert bind_arguments(Service().method, {"city": "Oslo"}) == {"city": "Oslo"}


def test_decorated_function_uses_wrapped_signature_and_doc() -> None:
    def deco(fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            return fn(*args, **kwargs)

        return wrapper

    @deco
    def search(query: str) -> str:
        """Search.

        Args:
            query: What to look for.
        """
        return query

    decl = declare_function(search)
    assert decl["parametersJsonSchema"]["properties"]["query"]["description"] == "What to look for."


def test_partial_and_callable_instances() -> None:
    def scale(x: float, factor: float) -> float:
        """Scale x."""
        return x * factor

    double = functools.partial(scale, factor=2.0)
    with pytest.raises(FunctionDeclarationError, match=r"no __name__.*name="):
        declare_function(double)
    decl = declare_function(double, name="double")
    assert decl["description"] == "Scale x."
    assert decl["parametersJsonSchema"]["required"] == ["x"]

    class Adder:
        """Adds a constant."""

        __hash__ = None  # type: ignore[assignment]  # unhashable: the cache must cope

        def __call__(self, x: int) -> int:
            return x + 1

    decl = declare_function(Adder(), name="add_one")
    assert decl["description"] == "Adds a constant."
    assert bind_arguments(Adder(), {"x": "2"}) == {"x": 2}


def test_string_annotations_without_future_import() -> None:
    ns: dict[str, Any] = {"Point": Point}
    exec("def f(p: 'Point', n: 'list[int]') -> 'int':\n    return 1\n", ns)
    schema = declare_function(ns["f"])["parametersJsonSchema"]
    assert schema["properties"]["p"] == {"$ref": "#/$defs/Point"}
    assert bind_arguments(ns["f"], {"p": {"x": 1}, "n": ["2"]}) == {"p": Point(x=1), "n": [2]}


# --------------------------------------------------------------------------------------------
# declare_model


def test_declare_model() -> None:
    assert declare_model(Point) == {
        "name": "Point",
        "description": "A point in the plane.",
        "parametersJsonSchema": {
            "type": "object",
            "properties": {
                "x": {"description": "Horizontal coordinate.", "type": "integer"},
                "y": {"default": 0, "description": "Vertical coordinate.", "type": "integer"},
            },
            "required": ["x"],
        },
    }


def test_declare_model_nested_and_overrides() -> None:
    decl = declare_model(Shape, name="draw_shape", description="Draw it.")
    assert decl["name"] == "draw_shape" and decl["description"] == "Draw it."
    schema = decl["parametersJsonSchema"]
    jsonschema.Draft202012Validator.check_schema(schema)
    assert set(schema["$defs"]) == {"Point", "Color"}
    assert schema["properties"]["name"] == {"description": "Display name.", "type": "string"}
    jsonschema.validate({"name": "sq", "corners": [{"x": 1}]}, schema)
    page = declare_model(Page)["parametersJsonSchema"]
    assert page["additionalProperties"] is False
    assert page["properties"]["size"]["title"] == "Page size"  # explicit titles are kept
    assert declare_model(Page)["description"] == "One page of results."


def test_declare_model_errors() -> None:
    with pytest.raises(FunctionDeclarationError, match="pydantic model class"):
        declare_model(Box)  # type: ignore[arg-type]
    with pytest.raises(FunctionDeclarationError, match="not an object"):
        declare_model(pydantic.RootModel[list[int]])
    with pytest.raises(FunctionDeclarationError, match=r"not a valid function name.*name="):
        declare_model(pydantic.create_model("Bad Name", x=(int, ...)))

    class Holder(BaseModel):
        model_config = pydantic.ConfigDict(arbitrary_types_allowed=True)
        thing: Plain

    with pytest.raises(FunctionDeclarationError, match=r"Holder: field 'thing' has type .*Plain"):
        declare_model(Holder)


# --------------------------------------------------------------------------------------------
# Declaration errors


def _error(fn: Callable[..., Any], **kwargs: Any) -> str:
    with pytest.raises(FunctionDeclarationError) as info:
        declare_function(fn, **kwargs)
    assert isinstance(info.value, TypeError)
    return str(info.value)


def test_unannotated_parameter() -> None:
    def f(city, n: int) -> None:  # type: ignore[no-untyped-def]
        ...

    msg = _error(f)
    assert "f: parameter 'city' has no type annotation" in msg
    assert "annotate it with a JSON-compatible type" in msg
    assert "FunctionDeclaration written by hand" in msg


def test_unbound_method_hint() -> None:
    assert "unbound method: pass instance.method instead" in _error(Service.method)


@pytest.mark.parametrize(
    ("annotation", "type_text", "reason"),
    [
        (Plain, "Plain", "Unable to generate pydantic-core schema"),
        (Callable[[int], int], "Callable", "Cannot generate a JsonSchema"),
        (typing.TextIO, "TextIO", "Unable to generate"),
        (typing.TypedDict("Old", {"a": int}), "Old", "typing_extensions.TypedDict"),
    ],
    ids=["plain-class", "callable", "file-handle", "typing-typeddict"],
)
def test_undeclarable_types(annotation: Any, type_text: str, reason: str) -> None:
    def f(x: int, thing: Any) -> None: ...

    f.__annotations__ = {"x": int, "thing": annotation}
    msg = _error(f)
    assert "parameter 'thing' has type" in msg and type_text in msg
    assert reason in msg
    assert "annotate it with a JSON-compatible type" in msg


@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        ("def f(*args: int) -> None: ...", "takes *args"),
        ("def f(x: int, **kwargs: int) -> None: ...", "takes **kwargs"),
        ("def f(x: int, /) -> None: ...", "'x' is positional-only"),
    ],
)
def test_refused_parameter_kinds(source: str, fragment: str) -> None:
    ns: dict[str, Any] = {}
    exec(source, ns)
    msg = _error(ns["f"])
    assert fragment in msg


def test_unresolvable_annotation_names_parameter() -> None:
    class Local(BaseModel):  # under `from __future__ import annotations` this is unreachable
        a: int

    def f(x: int, item: Local) -> None: ...

    msg = _error(f)
    assert "parameter 'item'" in msg and "Local" in msg and "module level" in msg


def test_unresolvable_return_only_drops_response_schema() -> None:
    ns: dict[str, Any] = {}
    exec("def f(x: 'int') -> 'pd.DataFrame': ...", ns)
    decl = declare_function(ns["f"])
    assert "responseJsonSchema" not in decl
    assert decl["parametersJsonSchema"]["properties"]["x"] == {"type": "integer"}


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({}, "its name '<lambda>' is not a valid function name"),
        ({"name": "get weather"}, "name='get weather' is not a valid function name"),
        ({"name": "x" * 65}, "at most 64 characters"),
        ({"name": "1abc"}, "start with a letter or '_'"),
        ({"name": ""}, "name=''"),
    ],
)
def test_invalid_names(kwargs: dict[str, Any], fragment: str) -> None:
    msg = _error(lambda x: x, **kwargs) if not kwargs else _error(f_empty, **kwargs)
    assert fragment in msg
    assert "pass name='...'" in msg


@pytest.mark.parametrize(
    "name", ["a", "_x", "get_weather", "ns.tool", "tool:v2", "my-tool", "A" * 64]
)
def test_valid_names(name: str) -> None:
    assert declare_function(f_empty, name=name)["name"] == name


def test_lambda_with_name_is_fine() -> None:
    fn: Callable[[int], int] = lambda x: x  # noqa: E731
    fn.__annotations__ = {"x": int}
    assert declare_function(fn, name="ident")["name"] == "ident"


# --------------------------------------------------------------------------------------------
# bind_arguments


def test_bind_lax_conversions() -> None:
    bound = bind_arguments(f_primitives, {"s": "a", "i": "3", "f": 2, "b": "true"})
    assert bound == {"s": "a", "i": 3, "f": 2.0, "b": True}
    assert type(bound["f"]) is float
    assert bind_arguments(f_primitives, {"s": "a", "i": 3.0, "f": 1, "b": 0})["i"] == 3


def test_bind_structured_types() -> None:
    bound = bind_arguments(
        f_models, {"shape": {"name": "t", "corners": [{"x": "1"}]}, "points": [{"x": 2}]}
    )
    assert bound["shape"] == Shape(name="t", corners=[Point(x=1)])
    assert bound["points"] == [Point(x=2)]
    assert bound["tree"] is None
    assert bind_arguments(f_dataclass, {"box": {"width": 1}})["box"] == Box(width=1.0)
    assert bind_arguments(f_typeddict, {"where": {"column": "a", "value": "3"}})["where"] == {
        "column": "a",
        "value": "3",
    }
    assert bind_arguments(f_enums, {"color": "red"}) == {"color": Color.RED, "size": Size.S}
    assert bind_arguments(f_literal, {"level": 2}) == {"mode": "fast", "level": 2}
    bound = bind_arguments(
        f_collections, {"xs": ["1"], "pair": [1, "a"], "tags": ["a", "a"], "vals": [1]}
    )
    assert bound == {"xs": [1], "pair": (1, "a"), "tags": {"a"}, "vals": (1.0,)}
    when = bind_arguments(
        f_dates, {"when": "2024-05-01T12:00:00Z", "day": "2024-05-01", "at": "12:30", "span": 60}
    )
    assert when["when"] == dt.datetime(2024, 5, 1, 12, tzinfo=dt.UTC)
    assert when["span"] == dt.timedelta(minutes=1)


def test_bind_defaults_and_factories() -> None:
    first = bind_arguments(f_field_default, {})
    second = bind_arguments(f_field_default, {})
    assert first == {"n": 3, "tags": []}
    assert first["tags"] is not second["tags"]  # default_factory runs per call
    assert bind_arguments(f_optional, {"a": None}) == {"a": None, "b": None, "c": 1.5}


def test_bind_errors_list_every_problem() -> None:
    with pytest.raises(ArgumentError) as info:
        bind_arguments(
            f_models,
            {"shape": {"name": 3, "corners": [{"y": 1.5}]}, "colour": "red", "extra": 1},
        )
    assert isinstance(info.value, ValueError)
    lines = str(info.value).splitlines()
    assert lines[0] == "Invalid arguments for f_models:"
    assert "- shape.name: Input should be a valid string (got 3)" in lines
    assert "- shape.corners.0.x: Field required" in lines
    assert any(line.startswith("- shape.corners.0.y: ") and "(got 1.5)" in line for line in lines)
    assert "- points: missing required argument" in lines
    assert "- colour: unexpected argument (expected: shape, points, tree)" in lines
    assert "- extra: unexpected argument (expected: shape, points, tree)" in lines


def test_bind_error_messages_for_scalars() -> None:
    with pytest.raises(ArgumentError) as info:
        bind_arguments(f_annotated, {"n": 11, "name": "A"})
    msg = str(info.value)
    assert "- n: Input should be less than or equal to 10 (got 11)" in msg
    assert "- name: String should have at least 2 characters" in msg
    with pytest.raises(ArgumentError, match=r"- i: .*fractional part \(got 3.5\)"):
        bind_arguments(f_primitives, {"s": "", "i": 3.5, "f": 1, "b": True})
    with pytest.raises(
        ArgumentError, match=r"- color: Input should be 'red' or 'blue' \(got \"green\"\)"
    ):
        bind_arguments(f_enums, {"color": "green"})
    with pytest.raises(ArgumentError, match=r"- x: unexpected argument \(expected: no arguments\)"):
        bind_arguments(f_empty, {"x": 1})


def test_bind_error_truncates_long_inputs() -> None:
    with pytest.raises(ArgumentError) as info:
        bind_arguments(f_primitives, {"s": "a", "i": "x" * 500, "f": 1, "b": True})
    assert len(str(info.value)) < 300


def test_bind_undeclarable_function_raises_declaration_error() -> None:
    def f(x) -> None:  # type: ignore[no-untyped-def]
        ...

    with pytest.raises(FunctionDeclarationError):
        bind_arguments(f, {"x": 1})


def test_bind_lambda_without_name_is_allowed() -> None:
    fn: Callable[[int], int] = lambda x: x  # noqa: E731
    fn.__annotations__ = {"x": int}
    assert bind_arguments(fn, {"x": "4"}) == {"x": 4}
    with pytest.raises(ArgumentError, match="Invalid arguments for "):
        bind_arguments(fn, {})


# --------------------------------------------------------------------------------------------
# Caching


def test_plan_is_cached_per_function(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[Any] = []
    real = _functions._build_plan

    def counting(fn: Any) -> Any:
        calls.append(fn)
        return real(fn)

    monkeypatch.setattr(_functions, "_build_plan", counting)

    def f(x: int) -> int:
        return x

    declare_function(f)
    declare_function(f, name="other")
    bind_arguments(f, {"x": 1})

    class Fresh:
        def method(self, city: str) -> str:
            return city

    a, b = Fresh(), Fresh()
    declare_function(a.method)
    declare_function(b.method)
    bind_arguments(a.method, {"city": "x"})
    assert len(calls) == 2  # once for f, once for all bindings of Fresh.method


def test_returned_declarations_are_independent_copies() -> None:
    first = declare_function(f_models)
    first["parametersJsonSchema"]["properties"].clear()
    first["parametersJsonSchema"]["$defs"]["Point"]["properties"].clear()
    second = declare_function(f_models)
    assert second["parametersJsonSchema"]["properties"]
    assert second["parametersJsonSchema"]["$defs"]["Point"]["properties"]
    decl = declare_model(Point)
    decl["parametersJsonSchema"]["properties"].clear()
    assert declare_model(Point)["parametersJsonSchema"]["properties"]


def test_cache_does_not_keep_functions_alive() -> None:
    def f(x: int) -> None: ...

    declare_function(f)
    ref = weakref.ref(f)
    del f
    gc.collect()
    assert ref() is None


# --------------------------------------------------------------------------------------------
# Docstrings


GOOGLE = """Fetch rows from a table.

    Reads the rows lazily.

    Second paragraph of the summary.

    Args:
        table (str): Name of the
            table to read.
        keys (list[str], optional): Primary keys. Defaults to all.
        limit (Callable[(int), int]): Odd type in parentheses.
        *columns: Columns to keep.
        **options: Reader options:

            - fast: skip checks
            - strict: fail early

    Keyword Args:
        timeout: Seconds.

    Returns:
        list[dict[str, Any]]: The rows,
            in key order.

    Raises:
        KeyError: If the table is missing.

    Examples:
        >>> fetch("t")
    """


def test_google_docstring() -> None:
    parsed = parse_docstring(GOOGLE)
    assert parsed == ParsedDocstring(
        summary="Fetch rows from a table.\n\nReads the rows lazily.\n\nSecond paragraph of the summary.",
        params={
            "table": "Name of the table to read.",
            "keys": "Primary keys. Defaults to all.",
            "limit": "Odd type in parentheses.",
            "columns": "Columns to keep.",
            "options": "Reader options:\n\n- fast: skip checks\n- strict: fail early",
            "timeout": "Seconds.",
        },
        returns="The rows, in key order.",
    )


@pytest.mark.parametrize("header", ["Args", "Arguments", "Parameters", "Params"])
def test_google_param_headers(header: str) -> None:
    parsed = parse_docstring(f"Do it.\n\n{header}:\n    x: The x.\n    y (int):\n        The y.\n")
    assert parsed.params == {"x": "The x.", "y": "The y."}
    assert parsed.summary == "Do it."


@pytest.mark.parametrize(
    ("returns", "expected"),
    [
        ("Returns:\n    int: The sum.", "The sum."),
        ("Returns:\n    dict[str, int] | None: Counts.", "Counts."),
        ("Returns:\n    The weather: sunny or rainy.", "The weather: sunny or rainy."),
        ("Returns: The total.", "The total."),
        ("Yields:\n    str: Lines.", "Lines."),
    ],
)
def test_google_returns(returns: str, expected: str) -> None:
    assert parse_docstring(f"Summary.\n\n{returns}\n").returns == expected


NUMPY = """
    Sum two numbers.

    More detail here.

    Parameters
    ----------
    a, b : int
        The numbers
        to add.
    scale : float, optional
        Multiplier.
    flag
        No type given.

    Returns
    -------
    int
        The scaled sum.

    See Also
    --------
    other : Another function.
    """


def test_numpy_docstring() -> None:
    assert parse_docstring(NUMPY) == ParsedDocstring(
        summary="Sum two numbers.\n\nMore detail here.",
        params={
            "a": "The numbers to add.",
            "b": "The numbers to add.",
            "scale": "Multiplier.",
            "flag": "No type given.",
        },
        returns="The scaled sum.",
    )


def test_numpy_named_return_without_description() -> None:
    assert parse_docstring("S.\n\nReturns\n-------\ntotal : int\n").returns == "total"


SPHINX = """Convert a value.

    Extra summary line.

    :param int value: The value
        to convert.
    :param unit: Target unit.
    :type unit: str
    :keyword strict: Fail on loss.
    :returns: The converted
        value.
    :rtype: float
    :raises ValueError: On bad units.
    """


def test_sphinx_docstring() -> None:
    assert parse_docstring(SPHINX) == ParsedDocstring(
        summary="Convert a value.\n\nExtra summary line.",
        params={
            "value": "The value to convert.",
            "unit": "Target unit.",
            "strict": "Fail on loss.",
        },
        returns="The converted value.",
    )


def test_attributes_section_fills_params() -> None:
    parsed = parse_docstring(
        "Model.\n\nArgs:\n    a: From args.\n\nAttributes:\n    a: Ignored.\n    b: From attributes.\n"
    )
    assert parsed.params == {"a": "From args.", "b": "From attributes."}


@pytest.mark.parametrize("doc", [None, "", "   \n  "])
def test_empty_docstrings(doc: str | None) -> None:
    assert parse_docstring(doc) == ParsedDocstring(summary="", params={}, returns=None)


def test_summary_only_and_colons_in_text() -> None:
    doc = "Note: this is prose.\n\nExample usage: call it.\n\n\n\nLast paragraph."
    parsed = parse_docstring(doc)
    assert parsed.summary == "Note: this is prose.\n\nExample usage: call it.\n\nLast paragraph."
    assert parsed.params == {} and parsed.returns is None


def test_function_descriptions_from_each_style() -> None:
    def google(a: int, b: int = 1) -> int:
        """Add.

        Args:
            a: First.
            b: Second.
        """
        return a + b

    def numpy(a: int, b: int = 1) -> int:
        """Add.

        Parameters
        ----------
        a : int
            First.
        b : int
            Second.
        """
        return a + b

    def sphinx(a: int, b: int = 1) -> int:
        """Add.

        :param a: First.
        :param b: Second.
        """
        return a + b

    for fn in (google, numpy, sphinx):
        decl = declare_function(fn)
        assert decl["description"] == "Add."
        props = decl["parametersJsonSchema"]["properties"]
        assert [props["a"]["description"], props["b"]["description"]] == ["First.", "Second."], fn


# --------------------------------------------------------------------------------------------
# to_jsonable


class Mood(enum.Enum):
    HAPPY = "happy"


@dataclasses.dataclass
class Result:
    when: dt.date
    mood: Mood
    extra: set[int]


def test_to_jsonable_standard_types() -> None:
    value = {
        "model": Shape(name="s", corners=[Point(x=1)]),
        "dc": Result(dt.date(2024, 1, 2), Mood.HAPPY, {3, 1, 2}),
        "dt": dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC),
        "tuple": (1, "a", None),
        "frozen": frozenset({"b", "a"}),
        "mixed_set": {1, "a"},
        "uuid": uuid.UUID(int=1),
        "decimal": decimal.Decimal("1.50"),
        "path": pathlib.PurePosixPath("/tmp/x"),
        "size": Size.L,
        1: "int key",
        Color.RED: "enum key",
    }
    out = to_jsonable(value)
    json.dumps(out, allow_nan=False)
    assert out["model"] == {"name": "s", "corners": [{"x": 1, "y": 0}], "color": "red"}
    assert out["dc"] == {"when": "2024-01-02", "mood": "happy", "extra": [1, 2, 3]}
    assert out["dt"] == "2024-01-02T03:04:05Z"
    assert out["tuple"] == [1, "a", None]
    assert out["frozen"] == ["a", "b"]
    assert sorted(out["mixed_set"], key=str) == [1, "a"]
    assert out["uuid"] == "00000000-0000-0000-0000-000000000001"
    assert out["decimal"] == "1.50"
    assert out["path"] == "/tmp/x"
    assert out["size"] == 3 and type(out["size"]) is int
    assert out["1"] == "int key" and out["red"] == "enum key"


def test_to_jsonable_special_values() -> None:
    assert to_jsonable(b"hello") == "hello"
    assert to_jsonable(b"\xff\x00") == "/wA="
    assert to_jsonable(float("nan")) is None
    assert to_jsonable([float("inf"), -math.inf]) == ["Infinity", "-Infinity"]
    assert to_jsonable(Plain()).startswith("<")
    loop: list[Any] = [1]
    loop.append(loop)
    assert to_jsonable(loop) == [1, "<cycle>"]
    shared = [1]
    assert to_jsonable([shared, shared]) == [[1], [1]]  # repeats are not cycles


def test_to_jsonable_model_with_aliases_and_unserializable_fields() -> None:
    class Aliased(BaseModel):
        model_config = pydantic.ConfigDict(arbitrary_types_allowed=True)
        user_id: int = Field(alias="userId")
        thing: Plain

    out = to_jsonable(Aliased(userId=1, thing=Plain()))
    assert out["userId"] == 1 and isinstance(out["thing"], str)


def test_to_jsonable_numpy() -> None:
    np = pytest.importorskip("numpy")
    out = to_jsonable(
        {"i": np.int64(3), "f": np.float32(0.5), "b": np.bool_(True), "a": np.arange(3)}
    )
    assert out == {"i": 3, "f": 0.5, "b": True, "a": [0, 1, 2]}
    assert type(out["i"]) is int and type(out["b"]) is bool
    assert to_jsonable(np.array([[1.0, np.nan]])) == [[1.0, None]]


def test_to_jsonable_pandas() -> None:
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame(
        {"a": [1, 2], "b": ["x", None], "t": pd.to_datetime(["2024-01-01", "2024-01-02"])}
    )
    out = to_jsonable(df)
    json.dumps(out, allow_nan=False)
    assert out == [
        {"a": 1, "b": "x", "t": "2024-01-01T00:00:00"},
        {"a": 2, "b": None, "t": "2024-01-02T00:00:00"},
    ]
    grouped = pd.DataFrame({"k": ["a", "b"], "v": [1.5, float("nan")]}).set_index("k")
    assert to_jsonable(grouped) == [{"k": "a", "v": 1.5}, {"k": "b", "v": None}]
    assert to_jsonable(pd.Series([1, 2], index=["x", "y"])) == {"x": 1, "y": 2}
