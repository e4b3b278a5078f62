"""Turn what callers pass (strings, parts, images, dicts, pydantic classes) into wire JSON.

Every function here is pure and shared by the sync and async clients. Bad input raises
:class:`InvalidInputError` with a message that says what to pass instead.
"""

from __future__ import annotations

import enum
import io
import mimetypes
import os
import re
import typing
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from ._exceptions import InvalidInputError
from .types import (
    Content,
    File,
    FileData,
    GenerateContentConfig,
    GenerationConfig,
    Part,
    Schema,
    Tool,
    to_wire,
)

__all__ = [
    "InvalidInputError",
    "StructuredOutput",
    "build_generate_request",
    "cache_name",
    "coerce_config",
    "invalid_body",
    "model_path",
    "to_content",
    "to_contents",
    "to_part",
]

# The API limits a whole request to 20 MB; inline files larger than this belong in the Files API.
INLINE_LIMIT = 20 * 1024 * 1024


# Every model id the API lists (and every one in the recorded exchanges) fits this; anything
# else would change the URL: "/" and ".." its path, ":" its method, "?" and "#" its query.
_MODEL_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_MODEL_PREFIXES = ("models/", "tunedModels/")


def model_path(model: str) -> str:
    """``gemini-2.5-flash`` -> ``models/gemini-2.5-flash``; ``models/…``, ``tunedModels/…`` kept."""
    if not isinstance(model, str) or not model.strip():
        raise InvalidInputError("model must be a model name such as 'gemini-2.5-flash'.")
    name = model.strip()
    prefix = next((p for p in _MODEL_PREFIXES if name.startswith(p)), "")
    model_id = name[len(prefix) :]
    if _MODEL_ID.fullmatch(model_id) and ".." not in model_id:
        return (prefix or "models/") + model_id
    raise InvalidInputError(
        f"{name!r} is not a model name: {_model_id_problem(model_id, prefix)}. Use a name such "
        "as 'gemini-2.5-flash' or 'models/gemini-2.5-flash' (client.models.list() shows them)."
    )


def _model_id_problem(model_id: str, prefix: str) -> str:
    if not model_id:
        return f"nothing follows {prefix!r}"
    odd = next((ch for ch in model_id if not ch.isprintable() or ch.isspace()), None)
    if odd is not None:
        return f"it contains {odd!r}, a control character or space"
    if "/" in model_id:
        if prefix:
            return f"a model id has no '/' after {prefix!r}"
        return "expected 'gemini-…', 'models/…' or 'tunedModels/…'"
    if ":" in model_id:
        return "':' would name an API method in the URL; pass the model alone"
    if ".." in model_id:
        return "'..' would change the URL's path"
    return "a model id is made of letters, digits, '.', '-' and '_'"


# --------------------------------------------------------------------------- contents

_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
    (b"ID3", "audio/mpeg"),
    (b"OggS", "audio/ogg"),
    (b"fLaC", "audio/flac"),
)


def sniff_mime_type(data: bytes) -> str | None:
    """Recognise common media by their first bytes (so raw bytes need no mime type)."""
    for sig, mime in _SIGNATURES:
        if data.startswith(sig):
            return mime
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return "audio/wav"
    if data[4:8] == b"ftyp":
        return "video/mp4"
    return None


def _image_part(image: Any) -> dict[str, Any]:
    """A PIL image as inline data, keeping its format when it has one (JPEG stays JPEG)."""
    fmt = (getattr(image, "format", None) or "PNG").upper()
    if fmt not in {"PNG", "JPEG", "WEBP", "GIF"}:
        fmt = "PNG"
    buf = io.BytesIO()
    img = image.convert("RGB") if fmt == "JPEG" and image.mode not in ("RGB", "L") else image
    img.save(buf, format=fmt)
    return {"inlineData": {"mimeType": f"image/{fmt.lower()}", "data": _b64(buf.getvalue())}}


def _b64(data: bytes) -> str:
    import base64

    return base64.b64encode(data).decode("ascii")


def _bytes_part(data: bytes, mime_type: str | None, what: str) -> dict[str, Any]:
    mime = mime_type or sniff_mime_type(data)
    if mime is None:
        raise InvalidInputError(
            f"Cannot tell the media type of {what}; pass "
            "Part.from_bytes(data, mime_type='image/png') (or the right type)."
        )
    if len(data) > INLINE_LIMIT:
        raise InvalidInputError(
            f"{what} is {len(data) / 1e6:.1f} MB; requests are limited to 20 MB. "
            "Upload large files with the Files API and pass the file instead."
        )
    return {"inlineData": {"mimeType": mime, "data": _b64(data)}}


def _path_part(path: os.PathLike[str]) -> dict[str, Any]:
    p = os.fspath(path)
    if not os.path.isfile(p):
        raise InvalidInputError(f"No such file: {p!r}.")
    with open(p, "rb") as fh:
        data = fh.read()
    mime = mimetypes.guess_type(p)[0] or sniff_mime_type(data)
    if mime is not None and (mime.startswith("text/") or mime in _TEXTUAL):
        try:
            return {"text": data.decode("utf-8")}
        except UnicodeDecodeError:
            pass
    return _bytes_part(data, mime, f"file {os.path.basename(p)!r}")


_TEXTUAL = frozenset({"application/json", "application/xml", "application/x-python-code"})


def _file_part(file: File) -> dict[str, Any]:
    """An uploaded file as a ``fileData`` part: its URI and MIME type."""
    if not file.uri:
        what = repr(file.name) if file.name else "This File"
        raise InvalidInputError(
            f"{what} has no uri; pass the File returned by client.files.upload or client.files.get."
        )
    data: dict[str, Any] = {"fileUri": file.uri}
    if file.mime_type:
        data["mimeType"] = file.mime_type
    return {"fileData": data}


def _is_pil_image(obj: Any) -> bool:
    # Duck-typed so that importing gemini_nb never imports PIL.
    return type(obj).__module__.startswith("PIL.") and hasattr(obj, "save") and hasattr(obj, "mode")


def to_part(obj: Any) -> dict[str, Any]:
    """One wire part from a string, Part, dict, bytes, PIL image, path or uploaded File."""
    if isinstance(obj, str):
        return {"text": obj}
    if isinstance(obj, Part):
        return to_wire(obj)
    if isinstance(obj, File):
        return _file_part(obj)
    if isinstance(obj, FileData):
        return {"fileData": to_wire(obj)}
    if isinstance(obj, Mapping):
        try:
            return to_wire(Part.model_validate(obj))
        except ValidationError as exc:
            raise InvalidInputError(f"Not a valid part: {_first_error(exc)}") from None
    if isinstance(obj, (bytes, bytearray, memoryview)):
        return _bytes_part(bytes(obj), None, "these bytes")
    if isinstance(obj, os.PathLike):
        return _path_part(obj)
    if _is_pil_image(obj):
        return _image_part(obj)
    if hasattr(obj, "image_bytes") or hasattr(obj, "video_bytes"):
        # An Image or Video (ours or google-genai's): checked, then sent inline.
        from ._media import media_part

        return media_part(obj)
    if isinstance(obj, Content):
        raise InvalidInputError("A Content cannot be a part; pass a list of Contents instead.")
    raise InvalidInputError(
        f"Cannot send a {type(obj).__name__} to the model; pass text, a Part, bytes, "
        "a PIL image, an Image, a pathlib.Path, an uploaded File, or a Content."
    )


def _is_content_like(obj: Any) -> bool:
    return isinstance(obj, Content) or (
        isinstance(obj, Mapping) and ("parts" in obj or "role" in obj)
    )


def to_content(obj: Any, *, role: str = "user") -> dict[str, Any]:
    """One wire Content from a Content, content dict, or anything :func:`to_part` takes."""
    if isinstance(obj, Content):
        return to_wire(obj)
    if isinstance(obj, Mapping) and ("parts" in obj or "role" in obj):
        try:
            return to_wire(Content.model_validate(obj))
        except ValidationError as exc:
            raise InvalidInputError(f"Not a valid content: {_first_error(exc)}") from None
    if isinstance(obj, list):
        return {"role": role, "parts": [to_part(p) for p in obj]}
    return {"role": role, "parts": [to_part(obj)]}


def to_contents(contents: Any) -> list[dict[str, Any]]:
    """The ``contents`` list of a request.

    A string, a part, or a list of parts is one user turn; a list of Contents (or content
    dicts) is a conversation; parts between Contents are grouped into user turns.
    """
    if isinstance(contents, str):
        if not contents:
            raise InvalidInputError("contents is empty; pass the prompt text.")
        return [{"role": "user", "parts": [{"text": contents}]}]
    if contents is None:
        raise InvalidInputError("contents is required; pass the prompt text or a list of parts.")
    if not isinstance(contents, (list, tuple)):
        return [to_content(contents)]
    if not contents:
        raise InvalidInputError("contents is an empty list; pass at least one part.")
    out: list[dict[str, Any]] = []
    pending: list[dict[str, Any]] = []
    for item in contents:
        if _is_content_like(item):
            if pending:
                out.append({"role": "user", "parts": pending})
                pending = []
            out.append(to_content(item))
        else:
            pending.append(to_part(item))
    if pending:
        out.append({"role": "user", "parts": pending})
    return out


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    loc = ".".join(str(x) for x in err["loc"])
    return f"{loc}: {err['msg']}" if loc else err["msg"]


# --------------------------------------------------------------------------- config

_GEN_FIELDS = frozenset(GenerationConfig.model_fields) - {"response_schema", "response_json_schema"}


def coerce_config(config: Any) -> GenerateContentConfig | None:
    """A GenerateContentConfig from None, a dict (snake_case or camelCase) or the object."""
    if config is None or isinstance(config, GenerateContentConfig):
        return config
    if isinstance(config, Mapping):
        try:
            return GenerateContentConfig.model_validate(config)
        except ValidationError as exc:
            raise InvalidInputError(f"Invalid config: {_first_error(exc)}") from None
    raise InvalidInputError(
        f"config must be a GenerateContentConfig or a dict, not {type(config).__name__}."
    )


class StructuredOutput:
    """How to turn the answer's text into ``response.parsed``."""

    __slots__ = ("parse",)

    def __init__(self, parse: Callable[[str], Any]) -> None:
        self.parse = parse


def _parse_json(text: str) -> Any:
    import json

    return json.loads(text)


def _is_type_schema(schema: Any) -> bool:
    """True for classes and typing constructs (``list[Item]``, ``Literal[...]``), not dicts."""
    if isinstance(schema, type):
        return True
    return typing.get_origin(schema) is not None


def _json_schema_for(tp: Any) -> tuple[dict[str, Any], TypeAdapter[Any]]:
    try:
        adapter: TypeAdapter[Any] = TypeAdapter(tp)
        schema = adapter.json_schema()
    except Exception as exc:  # pydantic raises several types here; all mean "cannot express"
        name = getattr(tp, "__name__", repr(tp))
        raise InvalidInputError(
            f"response_schema: pydantic cannot express {name} as JSON Schema ({exc}). "
            "Use a pydantic model, a dataclass, a TypedDict, an Enum, or list/dict of those."
        ) from None
    return schema, adapter


def _response_format(cfg: GenerateContentConfig, gen: dict[str, Any]) -> StructuredOutput | None:
    schema = cfg.response_schema
    if schema is None and cfg.response_json_schema is None:
        # JSON mode without a schema: still hand back the decoded value as .parsed.
        return (
            StructuredOutput(_parse_json)
            if gen.get("responseMimeType") == "application/json"
            else None
        )
    if cfg.response_json_schema is not None:
        if not isinstance(cfg.response_json_schema, Mapping):
            raise InvalidInputError("response_json_schema must be a JSON Schema dict.")
        gen["responseJsonSchema"] = dict(cfg.response_json_schema)
        gen.setdefault("responseMimeType", "application/json")
        return StructuredOutput(_parse_json)
    if isinstance(schema, type) and issubclass(schema, enum.Enum):
        values = [str(m.value) for m in schema]
        gen["responseSchema"] = {"type": "STRING", "format": "enum", "enum": values}
        gen.setdefault("responseMimeType", "text/x.enum")
        return StructuredOutput(_enum_parser(schema))
    if isinstance(schema, Schema):
        gen["responseSchema"] = to_wire(schema)
        gen.setdefault("responseMimeType", "application/json")
        return StructuredOutput(_parse_json)
    if isinstance(schema, Mapping):
        try:
            gen["responseSchema"] = to_wire(Schema.model_validate(schema))
        except ValidationError as exc:
            raise InvalidInputError(
                f"response_schema dict is not an API Schema ({_first_error(exc)}); "
                "pass a JSON Schema as response_json_schema instead."
            ) from None
        gen.setdefault("responseMimeType", "application/json")
        return StructuredOutput(_parse_json)
    if _is_type_schema(schema):
        json_schema, adapter = _json_schema_for(schema)
        gen["responseJsonSchema"] = json_schema
        gen.setdefault("responseMimeType", "application/json")
        return StructuredOutput(adapter.validate_json)
    raise InvalidInputError(
        f"response_schema must be a pydantic class, a type, an Enum or a Schema, "
        f"not {type(schema).__name__}."
    )


def _enum_parser(enum_cls: type[enum.Enum]) -> Callable[[str], Any]:
    # text/x.enum answers are the bare value, sometimes JSON-quoted.
    return lambda text: enum_cls(text.strip().strip('"'))


def _system_instruction(value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        return {"parts": [{"text": value}]}
    content = to_content(value)
    content.pop("role", None)
    return content


def build_generate_request(
    contents: Any, config: GenerateContentConfig | None, *, tools: list[dict[str, Any]] | None
) -> tuple[dict[str, Any], StructuredOutput | None]:
    """The generateContent body and how to parse structured output from its answer.

    ``tools`` is the already-converted tools list (callables are declared by the caller).
    """
    body: dict[str, Any] = {"contents": to_contents(contents)}
    if config is None:
        if tools:
            body["tools"] = tools
        return body, None
    cfg = config
    gen: dict[str, Any] = {}
    for name in cfg.model_fields_set & _GEN_FIELDS:
        value = getattr(cfg, name)
        if value is None:
            continue
        if name == "speech_config" and isinstance(value, str):
            value = {"voiceConfig": {"prebuiltVoiceConfig": {"voiceName": value}}}
        elif isinstance(value, BaseModel):
            value = to_wire(value)
        gen[_camel(name)] = value
    fmt = _response_format(cfg, gen)
    if cfg.system_instruction is not None:
        body["systemInstruction"] = _system_instruction(cfg.system_instruction)
    if gen:
        body["generationConfig"] = gen
    if tools:
        body["tools"] = tools
    if cfg.tool_config is not None:
        body["toolConfig"] = to_wire(cfg.tool_config)
    if cfg.safety_settings:
        body["safetySettings"] = [to_wire(s) for s in cfg.safety_settings]
    if cfg.cached_content:
        body["cachedContent"] = cache_name(cfg.cached_content)
    if cfg.labels:
        body["labels"] = dict(cfg.labels)
    if cfg.service_tier:
        body["serviceTier"] = cfg.service_tier
    return body, fmt


def cache_name(cache: Any) -> str:
    """``cachedContents/{id}`` from an id, a full name, or a CachedContent."""
    name = getattr(cache, "name", cache)
    if not isinstance(name, str) or not name.strip():
        raise InvalidInputError(
            "cached_content must be a cache name such as 'cachedContents/abc' or the "
            "CachedContent that client.caches.create returned."
        )
    name = name.strip()
    bare = name.removeprefix("cachedContents/")
    if not bare or any(bad in bare for bad in ("/", "?", "#", "..", " ")):
        raise InvalidInputError(f"{name!r} is not a cache name; expected 'cachedContents/…'.")
    return f"cachedContents/{bare}"


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(w.title() for w in rest)


# --------------------------------------------------------------------------- tools

_TOOL_SHORTCUTS: dict[str, dict[str, Any]] = {
    "google_search": {"googleSearch": {}},
    "code_execution": {"codeExecution": {}},
    "url_context": {"urlContext": {}},
    "google_maps": {"googleMaps": {}},
}


def split_tools(tools: Iterable[Any] | None) -> tuple[list[dict[str, Any]], list[Any]]:
    """Wire tools, plus the Python callables among them (to run automatically).

    Callables and declarations are merged into one ``functionDeclarations`` tool, as the API
    expects; strings name built-in tools (``"google_search"``, ``"code_execution"``, …).
    """
    from ._functions import declare_function, declare_model

    wire: list[dict[str, Any]] = []
    declarations: list[dict[str, Any]] = []
    callables: list[Any] = []
    for tool in tools or ():
        if isinstance(tool, str):
            try:
                wire.append(dict(_TOOL_SHORTCUTS[tool]))
            except KeyError:
                raise InvalidInputError(
                    f"Unknown tool {tool!r}; built-in tools are {sorted(_TOOL_SHORTCUTS)}."
                ) from None
        elif isinstance(tool, (Tool, Mapping)):
            try:
                entry = to_wire(tool if isinstance(tool, Tool) else Tool.model_validate(tool))
            except ValidationError as exc:
                raise InvalidInputError(f"Not a valid tool: {_first_error(exc)}") from None
            # All declarations go into one functionDeclarations tool, as the API expects.
            declarations.extend(entry.pop("functionDeclarations", []))
            if entry:
                wire.append(entry)
        elif isinstance(tool, type) and issubclass(tool, BaseModel):
            declarations.append(declare_model(tool))
        elif callable(tool):
            declarations.append(declare_function(tool))
            callables.append(tool)
        else:
            from .types import FunctionDeclaration

            if isinstance(tool, FunctionDeclaration):
                declarations.append(to_wire(tool))
            else:
                raise InvalidInputError(
                    f"Cannot use a {type(tool).__name__} as a tool; pass a Python function, "
                    "a Tool, a FunctionDeclaration, or 'google_search' / 'code_execution'."
                )
    if declarations:
        names = [d["name"] for d in declarations]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise InvalidInputError(f"Two tools are named {dupes}; function names must be unique.")
        wire.insert(0, {"functionDeclarations": declarations})
    return wire, callables


# --------------------------------------------------------------------------- the JSON body


def invalid_body(body: Any) -> InvalidInputError:
    """Why ``body`` cannot be sent as JSON (called after encoding it failed): the first value
    that is not finite, not valid Unicode, or not a JSON type, and where it is."""
    found = _first_unsendable(body, "")
    if found is None:
        return InvalidInputError("The request cannot be encoded as JSON.")
    where, problem = found
    return InvalidInputError(f"{where or 'The request'} {problem}")


def _first_unsendable(value: Any, where: str) -> tuple[str, str] | None:
    if isinstance(value, str):
        return _bad_text(value, where)
    if isinstance(value, bool) or value is None or isinstance(value, int):
        return None
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return where, (
                f"is {value!r}; numbers sent to the API must be finite. Pass a real number "
                "(or leave the setting out to use the model's default)."
            )
        return None
    if isinstance(value, Mapping):
        for key, item in value.items():
            path = f"{where}.{key}" if where else str(key)
            if not isinstance(key, str):
                return path, f"has a key of type {type(key).__name__}; JSON keys are strings."
            found = _bad_text(key, path, "key") or _first_unsendable(item, path)
            if found:
                return found
        return None
    if isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            found = _first_unsendable(item, f"{where}[{i}]")
            if found:
                return found
        return None
    return where, (
        f"is a {type(value).__name__}, which JSON cannot carry; pass text, a number, a bool, "
        "None, a list or a dict."
    )


def _bad_text(text: str, where: str, what: str = "text") -> tuple[str, str] | None:
    if text.isascii():
        return None
    for i, ch in enumerate(text):
        if "\ud800" <= ch <= "\udfff":
            return where, (
                f"has a lone surrogate {ch!r} at character {i} of its {what}, which is not "
                "valid Unicode and cannot be sent. It usually comes from bytes decoded with "
                "errors='surrogateescape' or a cut emoji; clean it with "
                "text.encode('utf-8', 'replace').decode('utf-8')."
            )
    return None
