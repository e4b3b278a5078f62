"""What a DataFrame job sends: one request per row, built once from the config, keyed for
the checkpoint, and the columns its answers become."""

from __future__ import annotations

import contextlib
import hashlib
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .._convert import (
    build_generate_request,
    coerce_config,
    model_path,
    split_tools,
    to_contents,
)
from .._exceptions import InvalidInputError
from ..types import EmbedContentConfig, GenerateContentConfig
from ._records import Output
from ._template import Prompt, PromptTemplate

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Plan", "embed_plan", "generate_plan", "row_label"]


def _user_text(text: str) -> list[dict[str, Any]]:
    return [{"role": "user", "parts": [{"text": text}]}]


def _hash(obj: Any) -> str:
    data = json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(data.encode()).hexdigest()[:24]


def row_label(label: Any) -> str:
    """An index label as text for the checkpoint (numpy scalars as Python values)."""
    item = getattr(label, "item", None)
    if callable(item) and not isinstance(label, (str, bytes)):
        with contextlib.suppress(TypeError, ValueError):
            label = item()
    return json.dumps(label, sort_keys=True, separators=(",", ":"), default=str)


@dataclass
class Plan:
    """``kind`` is "generate" or "embed"; ``base`` is every request's body but its content."""

    kind: str
    model: str  # models/…
    template: PromptTemplate
    base: dict[str, Any]
    output: Output
    config: GenerateContentConfig | None = None
    functions: list[Any] = field(default_factory=list)
    system_instruction: str | None = None

    def requests(self, frame: pd.DataFrame) -> list[dict[str, Any]]:
        """One request body per row (the model is in the URL, or the batch's)."""
        out = []
        base = self.base
        for contents in self.template.fill(frame):
            converted = _user_text(contents) if isinstance(contents, str) else to_contents(contents)
            if self.kind == "embed":
                if len(converted) != 1:
                    raise InvalidInputError(
                        "An embedding's prompt must be one content (a text or a list of parts), "
                        "not a conversation."
                    )
                out.append({"content": converted[0], **base})
            else:
                out.append({"contents": converted, **base})
        return out

    def key(self, label: str, request: dict[str, Any]) -> str:
        return f"{label}#{_hash([self.model, request])}"

    def fingerprint(self) -> str:
        """The same for every run of the same job: names the default checkpoint."""
        source = self.template.source
        what = source if isinstance(source, str) else getattr(source, "__qualname__", "fn")
        return _hash([self.kind, self.model, self.base, what])

    def prompt_texts(self, frame: pd.DataFrame) -> list[str]:
        """Each row's prompt as text, for cost estimates."""
        return [c if isinstance(c, str) else str(c) for c in self.template.fill(frame)]


def generate_plan(model: str, prompt: Prompt, config: Any, prefix: str) -> Plan:
    path = model_path(model)
    cfg = coerce_config(config)
    tools, functions = split_tools(cfg.tools if cfg is not None else None)
    body, fmt = build_generate_request("x", cfg, tools=tools)
    body.pop("contents")
    schema = None
    if cfg is not None:
        schema = cfg.response_schema
    system = cfg.system_instruction if cfg is not None else None
    return Plan(
        kind="generate",
        model=path,
        template=PromptTemplate(prompt),
        base=body,
        output=Output("generate", schema=schema, fmt=fmt, prefix=prefix),
        config=cfg,
        functions=functions,
        system_instruction=system if isinstance(system, str) else None,
    )


def embed_plan(model: str, prompt: Prompt, config: Any, prefix: str) -> Plan:
    path = model_path(model)
    if config is None:
        cfg = EmbedContentConfig()
    elif isinstance(config, EmbedContentConfig):
        cfg = config
    else:
        try:
            cfg = EmbedContentConfig.model_validate(config)
        except Exception as exc:
            raise InvalidInputError(f"Invalid embed config: {exc}") from None
    extra = cfg.model_dump(mode="json", exclude_none=True, exclude={"http_options"})
    return Plan(
        kind="embed",
        model=path,
        template=PromptTemplate(prompt),
        base=extra,
        output=Output("embed", prefix=prefix),
    )
