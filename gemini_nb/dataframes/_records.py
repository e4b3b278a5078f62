"""What each row's answer becomes: a small record on the way (checkpoint, spill files), typed
columns at the end.

A generate record keeps the answer's text, finish reason, token counts and error; an embed
record the vector (float32, base64) and error. Structured output is parsed only when the
columns are built, so the checkpoint holds exactly what the API said: a pydantic schema gives one
typed column per field, any other schema one ``parsed`` column.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as _dt
import enum
import types
import typing
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from .._exceptions import InvalidInputError

if TYPE_CHECKING:
    import pandas as pd

    from .._convert import StructuredOutput

__all__ = [
    "EMBED_COLUMNS",
    "GENERATE_COLUMNS",
    "Output",
    "embed_record",
    "generate_record",
]

GENERATE_COLUMNS = (
    "text",
    "finish_reason",
    "prompt_tokens",
    "output_tokens",
    "thinking_tokens",
    "total_tokens",
    "error",
)
EMBED_COLUMNS = ("embedding", "error")

_TOKENS = {
    "prompt_tokens": "promptTokenCount",
    "output_tokens": "candidatesTokenCount",
    "thinking_tokens": "thoughtsTokenCount",
    "total_tokens": "totalTokenCount",
}


def generate_record(response: dict[str, Any]) -> dict[str, Any]:
    """The record of one GenerateContentResponse (as JSON)."""
    candidates = response.get("candidates") or []
    first = candidates[0] if candidates else {}
    parts = (first.get("content") or {}).get("parts") or []
    text = "".join(
        p["text"] for p in parts if isinstance(p, dict) and "text" in p and not p.get("thought")
    )
    record: dict[str, Any] = {"text": text, "finish_reason": first.get("finishReason")}
    usage = response.get("usageMetadata") or {}
    for column, wire in _TOKENS.items():
        value = usage.get(wire)
        record[column] = int(value) if value is not None else None
    if not candidates:
        block = (response.get("promptFeedback") or {}).get("blockReason")
        record["error"] = f"prompt blocked: {block}" if block else "the answer has no candidates"
    elif first.get("finishReason") not in (None, "STOP", "MAX_TOKENS") and not text:
        record["error"] = f"no text: finish reason {first.get('finishReason')}"
    return record


def embed_record(values: Sequence[float]) -> dict[str, Any]:
    import numpy as np

    data = np.asarray(values, dtype=np.float32).tobytes()
    return {"embedding": base64.b64encode(data).decode("ascii")}


def status_message(error: dict[str, Any] | Any) -> str:
    """``"400 INVALID_ARGUMENT: message"`` from a google.rpc.Status (or an error's text)."""
    if isinstance(error, dict):
        code = error.get("code")
        status = error.get("status")
        head = " ".join(str(x) for x in (code, status) if x)
        message = str(error.get("message") or "no message")
        return f"{head}: {message}" if head else message
    return str(error)


# --------------------------------------------------------------------------- columns


def _unwrap(annotation: Any) -> Any:
    """``X | None`` -> ``X``."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return annotation


def _dtype(annotation: Any) -> str | None:
    tp = _unwrap(annotation)
    if tp is bool:
        return "boolean"
    if tp is int:
        return "Int64"
    if tp is float:
        return "Float64"
    if tp is str:
        return "string"
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return "string"
    if typing.get_origin(tp) is typing.Literal and all(
        isinstance(a, str) for a in typing.get_args(tp)
    ):
        return "string"
    if tp in (_dt.datetime, _dt.date):
        return "datetime64[ns]" if tp is _dt.datetime else None
    return None


def schema_fields(schema: Any) -> dict[str, Any] | None:
    """Field name -> annotation for a pydantic model or a dataclass; None for other schemas."""
    if isinstance(schema, type) and issubclass(schema, BaseModel):
        return {name: f.annotation for name, f in schema.model_fields.items()}
    if isinstance(schema, type) and dataclasses.is_dataclass(schema):
        hints = typing.get_type_hints(schema)
        return {f.name: hints.get(f.name, Any) for f in dataclasses.fields(schema)}
    return None


def _cell(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    return value


class Output:
    """The result columns of a job and how records become them."""

    def __init__(
        self,
        kind: str,
        *,
        schema: Any = None,
        fmt: StructuredOutput | None = None,
        prefix: str = "",
    ) -> None:
        self.kind = kind
        self.fmt = fmt
        self.prefix = prefix
        self.fields = schema_fields(schema) if fmt is not None else None
        self.schema_name = getattr(schema, "__name__", "the schema")
        base: list[str] = list(EMBED_COLUMNS if kind == "embed" else GENERATE_COLUMNS)
        parsed: list[str] = []
        if kind == "generate" and fmt is not None:
            parsed = list(self.fields) if self.fields is not None else ["parsed"]
        clash = set(parsed) & set(base)
        if clash:
            raise InvalidInputError(
                f"The schema's field(s) {sorted(clash)} have the names of result columns; "
                "rename them in the schema."
            )
        self.parsed = parsed
        self.names = [prefix + n for n in parsed + base]

    def check_input(self, columns: Sequence[Any]) -> None:
        clash = sorted({str(c) for c in columns} & set(self.names))
        if clash:
            raise InvalidInputError(
                f"The input already has column(s) {clash}, which the results would overwrite; "
                "pass prefix='gemini_' (or another) to name the result columns apart, or "
                "keep_input=False."
            )

    def frame(self, records: Sequence[dict[str, Any] | None], index: Any) -> pd.DataFrame:
        import pandas as pd

        if self.kind == "embed":
            return pd.DataFrame(
                {
                    self.prefix + "embedding": pd.Series(
                        [_vector(r.get("embedding")) if r else None for r in records],
                        dtype=object,
                        index=index,
                    ),
                    self.prefix + "error": pd.array(
                        [r.get("error") if r else "no answer" for r in records], dtype="string"
                    ),
                },
                index=index,
            )
        n = len(records)
        errors: list[Any] = [None] * n
        data: dict[str, Any] = {}
        for column in GENERATE_COLUMNS:
            values = [r.get(column) if r else None for r in records]
            if column == "error":
                errors = [
                    v if v is not None else (None if r else "no answer")
                    for v, r in zip(values, records, strict=True)
                ]
                continue
            data[column] = values
        parsed_columns: dict[str, list[Any]] = {c: [None] * n for c in self.parsed}
        if self.fmt is not None:
            for i, record in enumerate(records):
                text = record.get("text") if record else None
                if not text or (record and record.get("error")):
                    continue
                try:
                    value = self.fmt.parse(text)
                except Exception as exc:  # invalid JSON or failed validation: the row's error
                    errors[i] = f"the answer is not a valid {self.schema_name}: {_short(exc)}"
                    continue
                if self.fields is None:
                    parsed_columns["parsed"][i] = value
                else:
                    for name in self.fields:
                        parsed_columns[name][i] = _cell(getattr(value, name, None))
        out: dict[str, Any] = {}
        for name in self.parsed:
            dtype = _dtype(self.fields[name]) if self.fields is not None else None
            out[self.prefix + name] = _typed(parsed_columns[name], dtype)
        for column in GENERATE_COLUMNS:
            if column == "error":
                out[self.prefix + column] = pd.array(errors, dtype="string")
            elif column in _TOKENS:
                out[self.prefix + column] = pd.array(data[column], dtype="Int64")
            else:
                out[self.prefix + column] = pd.array(data[column], dtype="string")
        return pd.DataFrame(out, index=index)


def _short(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if len(text) == 1 else " ".join(line.strip() for line in text[:3])


def _typed(values: list[Any], dtype: str | None) -> Any:
    import pandas as pd

    if dtype is None:
        return pd.Series(values, dtype=object).array
    try:
        return pd.array(values, dtype=dtype)
    except (TypeError, ValueError):  # a value the dtype cannot hold: keep the objects
        return pd.Series(values, dtype=object).array


def _vector(data: str | None) -> Any:
    if data is None:
        return None
    import numpy as np

    return np.frombuffer(base64.b64decode(data), dtype=np.float32)
