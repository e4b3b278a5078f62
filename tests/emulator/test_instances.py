"""The schema instance generator: every value must validate, look plausible and be stable."""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import json
import random
import uuid
from typing import Annotated, Any, Literal, Optional, Union

import jsonschema
import pytest
from pydantic import AnyUrl, BaseModel, Field, conint, conlist, constr

from gemini_nb.emulator.model.structured.instances import MISSING, instance_for
from gemini_nb.emulator.model.vocab import CITIES, FIRST_NAMES

FORMATS = jsonschema.FormatChecker()


def check_jsonschema(value: Any, schema: dict[str, Any]) -> None:
    validator_cls = jsonschema.validators.validator_for(
        schema, default=jsonschema.Draft202012Validator
    )
    validator_cls(schema, format_checker=FORMATS).validate(value)


# --- pydantic-shaped JSON Schemas --------------------------------------------------------------


class Color(str, enum.Enum):  # noqa: UP042 - the shape many pydantic models still use
    RED = "red"
    GREEN = "green"
    BLUE = "blue"


class Priority(enum.IntEnum):
    LOW = 1
    MEDIUM = 2
    HIGH = 3


class Address(BaseModel):
    street: str
    city: str
    postal_code: constr(pattern=r"^\d{5}$")  # type: ignore[valid-type]
    country: str = "Portugal"


class Person(BaseModel):
    first_name: str
    last_name: str
    age: conint(ge=0, le=130)  # type: ignore[valid-type]
    email: str = Field(json_schema_extra={"format": "email"})
    address: Address | None = None
    tags: list[str] = []


class Cat(BaseModel):
    pet_type: Literal["cat"] = "cat"
    meow_volume: int


class Dog(BaseModel):
    pet_type: Literal["dog"] = "dog"
    bark_volume: int


class PetOwner(BaseModel):
    pet: Union[Cat, Dog] = Field(discriminator="pet_type")  # noqa: UP007


class PlainUnion(BaseModel):
    value: Union[int, str, list[float]]  # noqa: UP007


class TreeNode(BaseModel):
    name: str
    children: list[TreeNode] = []


class Everything(BaseModel):
    title: Annotated[str, Field(min_length=3, max_length=40)]
    color: Color
    priority: Priority
    kind: Literal["novel", "essay", "poem"]
    rating: Annotated[int, Field(ge=1, le=10)]
    price: Annotated[float, Field(gt=0, lt=1000, multiple_of=0.25)]
    ratio: Annotated[float, Field(gt=0, lt=1)]
    published: dt.date
    updated_at: dt.datetime
    start_time: dt.time
    id: uuid.UUID
    homepage: AnyUrl
    amount: decimal.Decimal
    scores: dict[str, int]
    matrix: list[list[int]]
    pair: tuple[str, int]
    unique_tags: set[str]
    maybe: Optional[str] = None  # noqa: UP045
    nested: Person
    items: conlist(int, min_length=2, max_length=4)  # type: ignore[valid-type]
    flags: dict[str, bool] = {}


class WithExamples(BaseModel):
    city: str = Field(examples=["Kyoto", "Oslo"])
    count: int = Field(default=3, ge=0)


PYDANTIC_MODELS: list[type[BaseModel]] = [
    Address,
    Person,
    PetOwner,
    PlainUnion,
    TreeNode,
    Everything,
    WithExamples,
]


@pytest.mark.parametrize("model", PYDANTIC_MODELS, ids=lambda m: m.__name__)
@pytest.mark.parametrize("seed", ["", "alpha", "What's the weather in Lisbon?"])
def test_pydantic_schemas_validate(model: type[BaseModel], seed: str) -> None:
    schema = model.model_json_schema()
    value = instance_for(schema, dialect="jsonschema", seed=seed)
    check_jsonschema(value, schema)
    model.model_validate(value)  # and pydantic itself accepts it


# --- hand-written JSON Schemas ------------------------------------------------------------------

JSON_SCHEMAS: dict[str, dict[str, Any]] = {
    "const": {"const": "fixed"},
    "enum-mixed": {"enum": [1, "two", None, True]},
    "type-list": {"type": ["string", "null"]},
    "integer-exclusive": {"type": "integer", "exclusiveMinimum": 10, "exclusiveMaximum": 13},
    "number-tight": {"type": "number", "minimum": 0.5, "maximum": 0.5001},
    "number-multiple": {"type": "number", "minimum": 1, "maximum": 2, "multipleOf": 0.1},
    "integer-multiple": {"type": "integer", "minimum": 7, "multipleOf": 5},
    "negative-range": {"type": "integer", "minimum": -50, "maximum": -40},
    "huge-min": {"type": "number", "minimum": 1_000_000},
    "string-lengths": {"type": "string", "minLength": 30, "maxLength": 35},
    "string-short": {"type": "string", "maxLength": 2},
    "pattern": {"type": "string", "pattern": "^[A-Z]{3}-\\d{4}$"},
    "pattern-alternation": {"type": "string", "pattern": "^(red|green|blue)-[0-9]+$"},
    "formats": {
        "type": "object",
        "properties": {
            k: {"type": "string", "format": k}
            for k in (
                "date",
                "date-time",
                "time",
                "email",
                "uri",
                "uuid",
                "ipv4",
                "ipv6",
                "hostname",
            )
        },
        "required": ["date", "uuid"],
    },
    "all-of": {
        "allOf": [
            {"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["a"]},
            {"properties": {"b": {"type": "string"}}, "required": ["b"]},
        ]
    },
    "one-of-numbers": {"oneOf": [{"type": "integer"}, {"type": "number"}]},
    "any-of-objects": {
        "anyOf": [
            {"type": "object", "properties": {"x": {"type": "integer"}}, "required": ["x"]},
            {"type": "string"},
        ]
    },
    "additional-false": {
        "type": "object",
        "properties": {"name": {"type": "string"}},
        "required": ["name"],
        "additionalProperties": False,
    },
    "dict-of-lists": {
        "type": "object",
        "additionalProperties": {"type": "array", "items": {"type": "integer"}},
    },
    "pattern-properties": {
        "type": "object",
        "patternProperties": {"^x-[a-z]+$": {"type": "string"}},
        "additionalProperties": False,
        "minProperties": 1,
    },
    "property-names": {
        "type": "object",
        "propertyNames": {"enum": ["en", "fr"]},
        "additionalProperties": {"type": "string"},
        "minProperties": 2,
    },
    "min-properties": {"type": "object", "minProperties": 3},
    "max-properties": {
        "type": "object",
        "properties": {k: {"type": "string"} for k in "abcdef"},
        "required": ["a"],
        "maxProperties": 2,
    },
    "prefix-items": {
        "type": "array",
        "prefixItems": [{"type": "string"}, {"type": "integer"}],
        "items": False,
    },
    "unique-enum-items": {
        "type": "array",
        "items": {"enum": ["a", "b", "c"]},
        "uniqueItems": True,
        "minItems": 3,
    },
    "contains": {
        "type": "array",
        "items": {"type": "integer"},
        "contains": {"const": 42},
        "maxItems": 2,
    },
    "array-bounds": {"type": "array", "items": {"type": "boolean"}, "minItems": 5, "maxItems": 5},
    "empty-array": {"type": "array", "maxItems": 0},
    "ref-root-recursion": {
        "type": "object",
        "properties": {"name": {"type": "string"}, "next": {"$ref": "#"}},
        "required": ["name"],
    },
    "definitions-draft7": {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "definitions": {
            "Point": {"type": "object", "properties": {"x": {"type": "number"}}, "required": ["x"]}
        },
        "type": "array",
        "items": {"$ref": "#/definitions/Point"},
        "minItems": 1,
    },
    "draft4-exclusive": {
        "$schema": "http://json-schema.org/draft-04/schema#",
        "type": "integer",
        "minimum": 0,
        "exclusiveMinimum": True,
        "maximum": 3,
        "exclusiveMaximum": True,
    },
    "draft4-tuple": {
        "$schema": "http://json-schema.org/draft-04/schema#",
        "type": "array",
        "items": [{"type": "string"}, {"type": "number"}],
        "additionalItems": False,
    },
    "untyped": {},
    "boolean-true": True,  # type: ignore[dict-item]
}


@pytest.mark.parametrize("name", sorted(JSON_SCHEMAS))
def test_handwritten_jsonschemas_validate(name: str) -> None:
    schema = JSON_SCHEMAS[name]
    for seed in ("", "one", "two"):
        value = instance_for(schema, dialect="jsonschema", seed=seed)
        check_jsonschema(value, schema if isinstance(schema, dict) else {})


# --- OpenAPI dialect ----------------------------------------------------------------------------

_TYPE = {
    "STRING": "string",
    "INTEGER": "integer",
    "NUMBER": "number",
    "BOOLEAN": "boolean",
    "ARRAY": "array",
    "OBJECT": "object",
    "NULL": "null",
}


def openapi_as_jsonschema(node: dict[str, Any]) -> dict[str, Any]:
    """An independent translation of the API's Schema object, for validation in tests."""
    out: dict[str, Any] = {}
    if "type" in node:
        t = _TYPE[node["type"]]
        out["type"] = [t, "null"] if node.get("nullable") else t
    if "enum" in node:
        out["enum"] = [*node["enum"], *([None] if node.get("nullable") else [])]
    for key in ("minimum", "maximum", "pattern", "required"):
        if key in node:
            out[key] = node[key]
    for key in ("minItems", "maxItems", "minLength", "maxLength", "minProperties", "maxProperties"):
        if key in node:
            out[key] = int(node[key])
    if node.get("format") in ("date-time", "date", "email", "uuid"):
        out["format"] = node["format"]
    if "items" in node:
        out["items"] = openapi_as_jsonschema(node["items"])
    if "properties" in node:
        out["properties"] = {k: openapi_as_jsonschema(v) for k, v in node["properties"].items()}
    if "anyOf" in node:
        out["anyOf"] = [openapi_as_jsonschema(v) for v in node["anyOf"]]
    return out


OPENAPI_SCHEMAS: dict[str, dict[str, Any]] = {
    "book": {
        "type": "OBJECT",
        "properties": {
            "title": {"type": "STRING"},
            "author": {
                "type": "OBJECT",
                "properties": {"first_name": {"type": "STRING"}, "last_name": {"type": "STRING"}},
                "required": ["first_name", "last_name"],
                "propertyOrdering": ["first_name", "last_name"],
            },
            "rating": {"type": "INTEGER", "minimum": 1, "maximum": 10},
        },
        "required": ["title", "author", "rating"],
        "propertyOrdering": ["title", "author", "rating"],
    },
    "enum-format": {
        "type": "STRING",
        "format": "enum",
        "enum": ["positive", "negative", "neutral"],
    },
    "nullable-fields": {
        "type": "OBJECT",
        "properties": {
            "note": {"type": "STRING", "nullable": True},
            "count": {"type": "INTEGER", "nullable": True},
        },
        "required": ["note", "count"],
    },
    "array-int64-bounds": {
        "type": "ARRAY",
        "items": {"type": "STRING"},
        "minItems": "4",
        "maxItems": "6",
    },
    "string-int64-lengths": {"type": "STRING", "minLength": "12", "maxLength": "20"},
    "any-of": {"anyOf": [{"type": "INTEGER"}, {"type": "STRING", "format": "date"}]},
    "recipes": {
        "type": "ARRAY",
        "items": {
            "type": "OBJECT",
            "properties": {
                "recipe_name": {"type": "STRING"},
                "ingredients": {"type": "ARRAY", "items": {"type": "STRING"}},
                "minutes": {"type": "INTEGER", "minimum": 5, "maximum": 90},
            },
            "required": ["recipe_name"],
        },
    },
    "formats": {
        "type": "OBJECT",
        "properties": {
            "when": {"type": "STRING", "format": "date-time"},
            "day": {"type": "STRING", "format": "date"},
            "email": {"type": "STRING", "format": "email"},
        },
        "required": ["when", "day", "email"],
    },
    "number-bounds": {"type": "NUMBER", "minimum": -1.5, "maximum": -1.25},
    "boolean": {"type": "BOOLEAN"},
    "pattern": {"type": "STRING", "pattern": "^SKU-[0-9]{4}$"},
    "object-min-properties": {
        "type": "OBJECT",
        "properties": {"a": {"type": "STRING"}, "b": {"type": "STRING"}},
        "minProperties": "2",
        "maxProperties": "2",
    },
}


@pytest.mark.parametrize("name", sorted(OPENAPI_SCHEMAS))
def test_openapi_schemas_validate(name: str) -> None:
    schema = OPENAPI_SCHEMAS[name]
    for seed in ("", "seed-1", "List three recipes"):
        value = instance_for(schema, dialect="openapi", seed=seed)
        check_jsonschema(value, openapi_as_jsonschema(schema))


def test_property_ordering_is_followed() -> None:
    schema = {
        "type": "OBJECT",
        "properties": {k: {"type": "STRING"} for k in ("c", "a", "b")},
        "propertyOrdering": ["b", "c", "a"],
    }
    assert list(instance_for(schema, dialect="openapi")) == ["b", "c", "a"]
    js = {
        "type": "object",
        "properties": {k: {"type": "string"} for k in ("c", "a", "b")},
        "propertyOrdering": ["a"],
    }
    assert list(instance_for(js, dialect="jsonschema")) == ["a", "c", "b"]


def test_optional_properties_are_included_deterministically() -> None:
    schema = Person.model_json_schema()
    value = instance_for(schema, dialect="jsonschema", seed="x")
    assert set(value) == {"first_name", "last_name", "age", "email", "address", "tags"}
    assert value["address"] is not None  # Optional picks the concrete branch


def test_same_seed_same_value_and_seed_matters() -> None:
    schema = Everything.model_json_schema()
    a = instance_for(schema, dialect="jsonschema", seed="s1")
    b = instance_for(json.loads(json.dumps(schema)), dialect="jsonschema", seed="s1")
    c = instance_for(schema, dialect="jsonschema", seed="s2")
    assert json.dumps(a) == json.dumps(b)
    assert json.dumps(a) != json.dumps(c)


def test_values_look_plausible() -> None:
    schema = {
        "type": "object",
        "properties": {
            "city": {"type": "string"},
            "first_name": {"type": "string"},
            "email": {"type": "string"},
            "age": {"type": "integer"},
            "price": {"type": "number"},
            "name": {"type": "string"},
            "description": {"type": "string"},
            "year": {"type": "integer"},
        },
    }
    for seed in ("a", "b", "c"):
        v = instance_for(schema, dialect="jsonschema", seed=seed)
        assert v["city"] in CITIES
        assert v["first_name"] in FIRST_NAMES
        assert "@" in v["email"]
        assert 18 <= v["age"] <= 72
        assert 0 < v["price"] < 1000
        assert len(v["name"].split()) >= 2
        assert len(v["description"].split()) >= 4
        assert 1990 <= v["year"] <= 2024
        assert "string" not in json.dumps(v)


def test_recursive_models_stay_small() -> None:
    value = instance_for(TreeNode.model_json_schema(), dialect="jsonschema", seed="tree")
    assert len(json.dumps(value)) < 2_000


class _Source:
    def __init__(self, answers: dict[str, Any]) -> None:
        self.answers = answers
        self.seen: list[tuple[str, str]] = []

    def pick(self, path: str, name: str, schema: dict[str, Any]) -> Any:
        self.seen.append((path, name))
        return self.answers.get(path, MISSING)


def test_value_source_is_used_validated_and_coerced() -> None:
    schema = OPENAPI_SCHEMAS["book"]
    source = _Source({"$.title": "Dune", "$.rating": "7", "$.author.first_name": 42})
    value = instance_for(schema, dialect="openapi", values=source, seed="s")
    assert value["title"] == "Dune"
    assert value["rating"] == 7  # "7" coerced to the integer the schema wants
    assert value["author"]["first_name"] == "42"
    assert ("$.author.last_name", "last_name") in source.seen
    invalid = _Source({"$.rating": 99})  # outside 1..10: ignored
    assert 1 <= instance_for(schema, dialect="openapi", values=invalid)["rating"] <= 10


def test_value_source_sees_array_items_with_the_array_name() -> None:
    source = _Source({"$.tags[1]": "python"})
    schema = {
        "type": "object",
        "properties": {"tags": {"type": "array", "items": {"type": "string"}, "minItems": 2}},
    }
    value = instance_for(schema, dialect="jsonschema", values=source)
    assert value["tags"][1] == "python"
    assert ("$.tags[0]", "tags") in source.seen


# --- seeded fuzzing: many random, satisfiable schemas --------------------------------------------


def _random_schema(rng: random.Random, depth: int, defs: dict[str, Any]) -> dict[str, Any]:
    kinds = ["string", "integer", "number", "boolean", "enum", "const", "null"]
    if depth < 3:
        kinds += ["object", "object", "array", "array", "anyOf", "oneOf", "allOf", "ref"]
    kind = rng.choice(kinds)
    if kind == "string":
        s: dict[str, Any] = {"type": "string"}
        extra = rng.choice(["", "len", "format", "pattern"])
        if extra == "len":
            lo = rng.randint(0, 12)
            s.update(minLength=lo, maxLength=lo + rng.randint(0, 20))
        elif extra == "format":
            s["format"] = rng.choice(["date", "date-time", "email", "uri", "uuid", "ipv4", "time"])
        elif extra == "pattern":
            s["pattern"] = rng.choice(
                [
                    r"^[a-z]{2,5}$",
                    r"^\d{3}-\d{2}$",
                    r"^(yes|no)$",
                    r"^[A-Z][a-z]+ [A-Z][a-z]+$",
                    r"x",
                ]
            )
        return s
    if kind in ("integer", "number"):
        s = {"type": kind}
        if rng.random() < 0.6:
            lo = rng.randint(-100, 100)
            s["minimum"] = lo
            s["maximum"] = lo + rng.randint(2, 50)
        if rng.random() < 0.3:
            s["exclusiveMinimum"] = s.pop("minimum", -5)
        if rng.random() < 0.3:
            s["multipleOf"] = rng.choice([2, 5, 0.5, 0.25] if kind == "number" else [2, 3, 5])
            s.setdefault("maximum", 1000)
            s["maximum"] = max(s["maximum"], s.get("minimum", s.get("exclusiveMinimum", 0)) + 20)
        return s
    if kind == "boolean":
        return {"type": "boolean"}
    if kind == "null":
        return {"type": "null"}
    if kind == "enum":
        return {"enum": rng.sample(["a", "b", "c", 1, 2, 3.5, True, None], rng.randint(1, 4))}
    if kind == "const":
        return {"const": rng.choice(["x", 7, False, None, [1, 2], {"k": "v"}])}
    if kind == "object":
        props = {
            f"{rng.choice(['city', 'name', 'age', 'price', 'tags', 'id', 'note', 'count'])}_{i}": _random_schema(
                rng, depth + 1, defs
            )
            for i in range(rng.randint(0, 4))
        }
        s = {
            "type": "object",
            "properties": props,
            "required": [k for k in props if rng.random() < 0.6],
        }
        choice = rng.random()
        if choice < 0.3:
            s["additionalProperties"] = False
        elif choice < 0.5:
            s["additionalProperties"] = _random_schema(rng, depth + 1, defs)
        return s
    if kind == "array":
        s = {"type": "array", "items": _random_schema(rng, depth + 1, defs)}
        if rng.random() < 0.5:
            lo = rng.randint(0, 3)
            s.update(minItems=lo, maxItems=lo + rng.randint(0, 3))
        return s
    if kind in ("anyOf", "oneOf"):
        types = rng.sample(["string", "integer", "boolean", "null", "array"], rng.randint(2, 3))
        return {
            kind: [
                {"type": t} if t != "array" else {"type": "array", "items": {"type": "string"}}
                for t in types
            ]
        }
    if kind == "allOf":
        return {
            "allOf": [
                {
                    "type": "object",
                    "properties": {"a": {"type": "integer", "minimum": 0}},
                    "required": ["a"],
                },
                {"properties": {"b": _random_schema(rng, depth + 1, defs)}, "required": ["b"]},
            ]
        }
    name = f"D{len(defs)}"
    defs[name] = {}  # reserve the name before recursing, so nested refs get their own
    defs[name] = _random_schema(rng, depth + 1, defs)
    return {"$ref": f"#/$defs/{name}"}


@pytest.mark.parametrize("case", range(150))
def test_random_schemas_validate(case: int) -> None:
    rng = random.Random(case)
    defs: dict[str, Any] = {}
    schema = _random_schema(rng, 0, defs)
    if defs:
        schema = {"allOf": [schema], "$defs": defs}
    value = instance_for(schema, dialect="jsonschema", seed=f"case-{case}")
    check_jsonschema(value, schema)


@pytest.mark.parametrize(
    "schema",
    [
        {"$ref": "#"},
        {"allOf": [{"$ref": "#"}]},
        {"anyOf": [{"$ref": "#"}, {"$ref": "#"}]},
        {
            "$defs": {
                "A": {"$ref": "#/$defs/B"},
                "B": {"allOf": [{"$ref": "#/$defs/A"}, {"type": "integer"}]},
            },
            "$ref": "#/$defs/A",
        },
        {"type": "object", "properties": {"self": {"$ref": "#"}}, "required": ["self"]},
    ],
    ids=["root-ref", "allof-root", "anyof-root", "mutual", "required-self"],
)
def test_reference_cycles_terminate(schema: dict[str, Any]) -> None:
    first = instance_for(schema, dialect="jsonschema", seed="cycle")
    assert json.dumps(first) == json.dumps(instance_for(schema, dialect="jsonschema", seed="cycle"))
