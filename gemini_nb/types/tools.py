"""Tools the model may use: your functions, code execution, search, URLs, maps, file search."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from ._base import WireModel

__all__ = [
    "CodeExecution",
    "DynamicRetrievalConfig",
    "FileSearch",
    "FunctionCallingConfig",
    "FunctionDeclaration",
    "GoogleMaps",
    "GoogleSearch",
    "GoogleSearchRetrieval",
    "LatLng",
    "RetrievalConfig",
    "Schema",
    "Tool",
    "ToolConfig",
    "UrlContext",
]


class Schema(WireModel):
    """The API's own (OpenAPI 3.0 subset) schema object, used by ``response_schema``."""

    type: str | None = None
    format: str | None = None
    title: str | None = None
    description: str | None = None
    nullable: bool | None = None
    enum: list[str] | None = None
    items: Schema | None = None
    properties: dict[str, Schema] | None = None
    required: list[str] | None = None
    property_ordering: list[str] | None = None
    any_of: list[Schema] | None = None
    min_items: int | None = None
    max_items: int | None = None
    min_length: int | None = None
    max_length: int | None = None
    min_properties: int | None = None
    max_properties: int | None = None
    minimum: float | None = None
    maximum: float | None = None
    pattern: str | None = None
    default: Any = None
    example: Any = None


class FunctionDeclaration(WireModel):
    """A function the model may call. Build one from a callable with ``from_callable``."""

    name: str
    description: str | None = None
    parameters: Schema | None = None
    parameters_json_schema: dict[str, Any] | None = None
    response: Schema | None = None
    response_json_schema: dict[str, Any] | None = None
    behavior: str | None = None

    @classmethod
    def from_callable(cls, fn: Any, *, name: str | None = None) -> FunctionDeclaration:
        """Declare ``fn`` from its signature, type hints and docstring."""
        from .._functions import declare_function

        return cls.model_validate(declare_function(fn, name=name))


class CodeExecution(WireModel):
    """Let the model write and run Python in Google's sandbox."""


class GoogleSearch(WireModel):
    """Ground answers in Google Search results."""

    time_range_filter: dict[str, Any] | None = None
    search_types: dict[str, Any] | None = None


class DynamicRetrievalConfig(WireModel):
    mode: str | None = None
    dynamic_threshold: float | None = None


class GoogleSearchRetrieval(WireModel):
    dynamic_retrieval_config: DynamicRetrievalConfig | None = None


class UrlContext(WireModel):
    """Let the model read the URLs mentioned in the prompt."""


class GoogleMaps(WireModel):
    enable_widget: bool | None = None


class FileSearch(WireModel):
    """Retrieve from your file search stores."""

    file_search_store_names: list[str] = Field(default_factory=list)
    metadata_filter: str | None = None
    top_k: int | None = None


class Tool(WireModel):
    """One tool entry of a request; set exactly one field."""

    function_declarations: list[FunctionDeclaration] | None = None
    code_execution: CodeExecution | None = None
    google_search: GoogleSearch | None = None
    google_search_retrieval: GoogleSearchRetrieval | None = None
    url_context: UrlContext | None = None
    google_maps: GoogleMaps | None = None
    file_search: FileSearch | None = None
    computer_use: dict[str, Any] | None = None
    mcp_servers: list[dict[str, Any]] | None = None


class FunctionCallingConfig(WireModel):
    """``mode``: AUTO (default), ANY (must call), NONE (never call) or VALIDATED."""

    mode: str | None = None
    allowed_function_names: list[str] | None = None


class LatLng(WireModel):
    latitude: float
    longitude: float


class RetrievalConfig(WireModel):
    lat_lng: LatLng | None = None
    language_code: str | None = None


class ToolConfig(WireModel):
    function_calling_config: FunctionCallingConfig | None = None
    retrieval_config: RetrievalConfig | None = None
    include_server_side_tool_invocations: bool | None = None
