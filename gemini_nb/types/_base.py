"""Base classes of every wire type: snake_case in Python, camelCase on the wire.

Strict on what you build, tolerant on what you read:

* constructing a model (``Part(text="hi")``, ``GenerationConfig.model_validate(d)``) forbids
  unknown fields, so a typo fails here instead of as a 400 from the server;
* parsing a server answer goes through :func:`parse_response`, which keeps unknown fields
  (``model.model_extra``) instead of failing when Google adds one, and sends them back
  unchanged if the object is re-used in a later request (chat history).
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    PlainSerializer,
    SerializerFunctionWrapHandler,
    model_serializer,
)
from pydantic.alias_generators import to_camel

__all__ = ["Base64Bytes", "HttpInfo", "ResponseModel", "WireModel", "parse_response", "to_wire"]

M = TypeVar("M", bound="WireModel")


class WireModel(BaseModel):
    """A message of the Gemini API."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
        extra="forbid",
        use_enum_values=True,
        protected_namespaces=(),
        ser_json_inf_nan="strings",
        defer_build=True,
    )

    @model_serializer(mode="wrap")
    def _keep_unknown(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # Fields the server sent that this version does not know go back out as they came.
        data: dict[str, Any] = handler(self)
        extra = self.__pydantic_extra__
        if extra:
            data.update(extra)
        return data


@dataclass
class HttpInfo:
    """Transport facts about the exchange that produced a response."""

    status_code: int = 200
    request_id: str | None = None
    retries: int = 0
    headers: dict[str, str] = field(default_factory=dict)


class ResponseModel(WireModel):
    """A top-level answer of the API; ``.http`` tells how it arrived (status, retries)."""

    # Client-side facts live in plain slots, not pydantic private attributes: those run Python
    # code for every instance, and a stream builds one response per chunk. Unset slots read
    # as None through the properties.
    __slots__ = ("_http",)
    if TYPE_CHECKING:
        _http: HttpInfo | None

    @property
    def http(self) -> HttpInfo:
        info: HttpInfo | None = getattr(self, "_http", None)
        return info if info is not None else HttpInfo()


def parse_response(cls: type[M], data: bytes | str | dict[str, Any]) -> M:
    """Parse a server answer tolerantly (unknown fields kept, not rejected)."""
    if isinstance(data, dict):
        return cls.model_validate(data, extra="allow")
    return cls.model_validate_json(data, extra="allow")


def to_wire(model: BaseModel) -> dict[str, Any]:
    """The camelCase JSON-ready dict of a model, without unset/None fields."""
    return model.model_dump(mode="json", exclude_none=True)


def _decode_bytes(value: Any) -> Any:
    # Raw bytes come from Python callers; strings come from JSON, where proto3 writes
    # bytes as base64 (standard or URL-safe alphabet, padding optional).
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    if isinstance(value, str):
        padded = value + "=" * (-len(value) % 4)
        try:
            if "-" in value or "_" in value:
                return base64.urlsafe_b64decode(padded)
            return base64.b64decode(padded, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValueError("expected raw bytes or a base64 string") from exc
    return value


Base64Bytes = Annotated[
    bytes,
    BeforeValidator(_decode_bytes),
    PlainSerializer(
        lambda b: base64.b64encode(b).decode("ascii"), return_type=str, when_used="json"
    ),
]
"""Bytes in Python, standard base64 with padding on the wire."""
