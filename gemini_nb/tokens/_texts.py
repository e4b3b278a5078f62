"""The texts a local tokenizer counts in a request, chosen as the official SDK chooses them.

The request is the wire body gemini-nb would send (camelCase), so anything the client accepts
(strings, parts, Contents, Python functions as tools, pydantic classes as schemas) is counted
the same way it is sent. What counts, as in google-genai's ``LocalTokenizer``:

* each part's ``text``; a function call's name and its arguments; a function response's name
  and its response (dict keys and string values, recursively; numbers and booleans are not
  text and add nothing);
* the system instruction's parts;
* function declarations: name, description, and their parameter and response schemas;
* the response schema;
* in a schema: ``format``, ``description``, each ``enum`` and ``required`` string, each
  property name, ``items`` and nested schemas, and ``example`` values. Types, titles and
  defaults are not counted.

Beyond the SDK, the JSON Schema forms (``parametersJsonSchema``, ``responseJsonSchema``, with
``anyOf`` and ``$defs``) are walked the same way, and executable code and code results count
as their text. Inline data and file references (images, audio, video, PDFs) cannot be counted
by a text tokenizer: they are collected in ``media`` for the caller to report.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["RequestTexts", "request_texts"]


@dataclass
class RequestTexts:
    """The countable texts of one request, and the parts that are not text."""

    texts: list[str] = field(default_factory=list)
    media: list[str] = field(default_factory=list)
    # The number of texts that come from each content, in order (for compute_tokens' roles).
    roles: list[tuple[str | None, int]] = field(default_factory=list)

    def _add(self, value: Any) -> None:
        if isinstance(value, str):
            self.texts.append(value)

    def add_value(self, value: Any) -> None:
        """Dict keys and string values, recursively (function arguments, examples)."""
        if isinstance(value, str):
            self.texts.append(value)
        elif isinstance(value, Mapping):
            self.texts.extend(str(k) for k in value)
            for v in value.values():
                self.add_value(v)
        elif isinstance(value, (list, tuple)):
            for v in value:
                self.add_value(v)

    def add_part(self, part: Mapping[str, Any]) -> None:
        if "inlineData" in part or "fileData" in part:
            blob = part.get("inlineData") or part.get("fileData") or {}
            mime = blob.get("mimeType") if isinstance(blob, Mapping) else None
            uri = blob.get("fileUri") if isinstance(blob, Mapping) else None
            self.media.append(str(mime or uri or "media"))
            return
        if "text" in part:
            self._add(part["text"])
        call = part.get("functionCall")
        if isinstance(call, Mapping):
            self._add(call.get("name"))
            self.add_value(call.get("args") or {})
        response = part.get("functionResponse")
        if isinstance(response, Mapping):
            self._add(response.get("name"))
            self.add_value(response.get("response") or {})
        code = part.get("executableCode")
        if isinstance(code, Mapping):
            self._add(code.get("code"))
        result = part.get("codeExecutionResult")
        if isinstance(result, Mapping):
            self._add(result.get("output"))

    def add_content(self, content: Mapping[str, Any]) -> None:
        before = len(self.texts)
        for part in content.get("parts") or ():
            if isinstance(part, Mapping):
                self.add_part(part)
        self.roles.append((content.get("role"), len(self.texts) - before))

    def add_schema(self, schema: Any) -> None:
        if not isinstance(schema, Mapping):
            return
        for key in ("format", "description"):
            self._add(schema.get(key))
        for key in ("enum", "required"):
            values = schema.get(key)
            if isinstance(values, list):
                for v in values:
                    self._add(v)
        props = schema.get("properties")
        if isinstance(props, Mapping):
            for name, sub in props.items():
                self.texts.append(str(name))
                self.add_schema(sub)
        for key in ("items", "additionalProperties", "not"):
            self.add_schema(schema.get(key))
        for key in ("anyOf", "oneOf", "allOf", "prefixItems"):
            subs = schema.get(key)
            if isinstance(subs, list):
                for sub in subs:
                    self.add_schema(sub)
        for key in ("$defs", "definitions"):
            defs = schema.get(key)
            if isinstance(defs, Mapping):
                for sub in defs.values():
                    self.add_schema(sub)
        if "example" in schema:
            self.add_value(schema["example"])
        if isinstance(schema.get("examples"), list):
            self.add_value(schema["examples"])

    def add_tools(self, tools: Iterable[Any]) -> None:
        for tool in tools:
            if not isinstance(tool, Mapping):
                continue
            for decl in tool.get("functionDeclarations") or ():
                if not isinstance(decl, Mapping):
                    continue
                self._add(decl.get("name"))
                self._add(decl.get("description"))
                for key in ("parameters", "parametersJsonSchema", "response", "responseJsonSchema"):
                    self.add_schema(decl.get(key))


def request_texts(body: Mapping[str, Any]) -> RequestTexts:
    """The texts of a generateContent request body (``contents``, ``systemInstruction``,
    ``tools``, ``generationConfig``)."""
    out = RequestTexts()
    for content in body.get("contents") or ():
        if isinstance(content, Mapping):
            out.add_content(content)
    out.add_tools(body.get("tools") or ())
    gen = body.get("generationConfig") or {}
    out.add_schema(gen.get("responseSchema"))
    out.add_schema(gen.get("responseJsonSchema"))
    system = body.get("systemInstruction")
    if isinstance(system, Mapping):
        out.add_content({**system, "role": system.get("role") or "system"})
    return out
