"""Contents and their parts: what goes into a prompt and what comes back from the model."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BeforeValidator, Field

from ._base import Base64Bytes, WireModel

if TYPE_CHECKING:
    from .media import Image

__all__ = [
    "Blob",
    "CodeExecutionResult",
    "Content",
    "ExecutableCode",
    "FileData",
    "FunctionCall",
    "FunctionResponse",
    "FunctionResponseBlob",
    "FunctionResponsePart",
    "Part",
    "PartMediaResolution",
    "ToolCall",
    "ToolResponse",
    "VideoMetadata",
]


class Blob(WireModel):
    """Inline media bytes, e.g. ``Blob(data=png_bytes, mime_type="image/png")``."""

    mime_type: str
    data: Base64Bytes
    display_name: str | None = None

    def __repr__(self) -> str:
        # Megabytes of image data in a repr make notebooks unusable.
        return f"Blob(mime_type={self.mime_type!r}, data=<{len(self.data)} bytes>)"

    def as_image(self) -> Image | None:
        """The blob as an :class:`~gemini_nb.types.Image` (``.save``, ``.to_pil``), or None
        when it is not a picture."""
        if not self.data or not self.mime_type.lower().startswith("image/"):
            return None
        from .media import Image

        return Image(image_bytes=self.data, mime_type=self.mime_type)


class FileData(WireModel):
    """A reference to an uploaded file (``files/...`` URI) or another supported URI."""

    file_uri: str
    mime_type: str | None = None
    display_name: str | None = None


class VideoMetadata(WireModel):
    start_offset: str | None = None
    end_offset: str | None = None
    fps: float | None = None


class FunctionCall(WireModel):
    """A call the model asks the client to make."""

    name: str
    args: dict[str, Any] = Field(default_factory=dict)
    id: str | None = None


class FunctionResponseBlob(WireModel):
    mime_type: str
    data: Base64Bytes


class FunctionResponsePart(WireModel):
    """Media returned by a function: inline bytes, or an uploaded file (``file_data``).

    The Discovery document lists only ``inlineData``, but the API accepts ``fileData`` too
    (recorded Gemini 3 exchanges return uploaded files from tools).
    """

    inline_data: FunctionResponseBlob | None = None
    file_data: FileData | None = None


class FunctionResponse(WireModel):
    """The client's answer to a :class:`FunctionCall`; ``id`` echoes the call's id.

    ``response`` may be left out: a function that only returns media sends ``parts``, and a
    non-blocking call ends with ``will_continue=False`` and no response.
    """

    name: str
    response: dict[str, Any] | None = None
    id: str | None = None
    will_continue: bool | None = None
    scheduling: str | None = None
    parts: list[FunctionResponsePart] | None = None


class PartMediaResolution(WireModel):
    """How finely a part's image or video is tokenized (``Part.media_resolution``).

    ``level`` is one of ``MEDIA_RESOLUTION_LOW``, ``_MEDIUM``, ``_HIGH``, ``_ULTRA_HIGH``
    (``MEDIA_RESOLUTION_UNSPECIFIED``: the model's default).
    """

    level: str | None = None


def _level_shorthand(value: Any) -> Any:
    # Part.media_resolution was a plain enum string in earlier revisions; it is now an object.
    return {"level": value} if isinstance(value, str) else value


class ExecutableCode(WireModel):
    """Code the model wrote for the code-execution tool."""

    code: str
    language: str = "PYTHON"
    id: str | None = None


class CodeExecutionResult(WireModel):
    """What running :class:`ExecutableCode` printed, and whether it succeeded."""

    outcome: str
    output: str | None = None
    id: str | None = None


class ToolCall(WireModel):
    """A server-side tool invocation the model made (echoed back in later turns)."""

    id: str | None = None
    tool_type: str | None = None
    tool_name: str | None = None
    args: dict[str, Any] | None = None


class ToolResponse(WireModel):
    id: str | None = None
    tool_type: str | None = None
    response: dict[str, Any] | None = None


class Part(WireModel):
    """One piece of a :class:`Content`: exactly one of its data fields is set.

    >>> Part(text="hello")
    Part(text='hello')
    >>> Part.from_bytes(b"...", mime_type="image/png")  # doctest: +SKIP
    """

    text: str | None = None
    thought: bool | None = None
    thought_signature: str | None = None
    inline_data: Blob | None = None
    file_data: FileData | None = None
    function_call: FunctionCall | None = None
    function_response: FunctionResponse | None = None
    executable_code: ExecutableCode | None = None
    code_execution_result: CodeExecutionResult | None = None
    tool_call: ToolCall | None = None
    tool_response: ToolResponse | None = None
    video_metadata: VideoMetadata | None = None
    media_resolution: Annotated[PartMediaResolution | None, BeforeValidator(_level_shorthand)] = (
        None
    )
    media_processing: str | None = None
    part_metadata: dict[str, Any] | None = None

    def __repr_args__(self) -> Any:
        # Show only what is set: a Part has 15 fields and usually one is used.
        return [(k, v) for k, v in super().__repr_args__() if v is not None]

    @classmethod
    def from_text(cls, text: str) -> Part:
        return cls(text=text)

    @classmethod
    def from_bytes(cls, data: bytes, *, mime_type: str) -> Part:
        return cls(inline_data=Blob(data=data, mime_type=mime_type))

    @classmethod
    def from_uri(cls, file_uri: str, *, mime_type: str | None = None) -> Part:
        return cls(file_data=FileData(file_uri=file_uri, mime_type=mime_type))

    @classmethod
    def from_function_response(
        cls, name: str, response: dict[str, Any], *, id: str | None = None
    ) -> Part:
        return cls(function_response=FunctionResponse(name=name, response=response, id=id))

    def as_image(self) -> Image | None:
        """The part's picture as an :class:`~gemini_nb.types.Image`, or None."""
        return self.inline_data.as_image() if self.inline_data is not None else None

    @property
    def kind(self) -> str:
        """Which data field is set: ``"text"``, ``"thought"``, ``"inline_data"``, …"""
        if self.text is not None:
            return "thought" if self.thought else "text"
        for name in (
            "inline_data",
            "file_data",
            "function_call",
            "function_response",
            "executable_code",
            "code_execution_result",
            "tool_call",
            "tool_response",
        ):
            if getattr(self, name) is not None:
                return name
        return "empty"


class Content(WireModel):
    """A turn of a conversation: a role and its parts."""

    role: str | None = None
    parts: list[Part] = Field(default_factory=list)

    @property
    def text(self) -> str:
        """The concatenated non-thought text of the parts (empty if none)."""
        return "".join(p.text for p in self.parts if p.text is not None and not p.thought)
