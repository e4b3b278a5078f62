"""Answers shaped like a JSON example in the prompt ("Reply with this structure: {...}").

When the prompt shows a JSON object and talks about JSON, a structure, a format, a schema or a
template, the model answers with an object of the same shape: the same keys (and nesting),
filled from the request (a plan's morning and afternoon with their share of the budget,
values the prompt names) and with plausible strings and whole numbers elsewhere.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ..model.responder import Voice
from ..model.structured.instances import instance_for
from .analysis import Analysis
from .drafts_more import plan_slots
from .values import PromptValues

__all__ = ["example_answer", "example_structure", "example_value"]

_TRIGGER_RE = re.compile(r"\b(?:json|structure|format|schema|template|keys)\b", re.IGNORECASE)
_SLOT_ALIASES = {
    "morning": "morning",
    "breakfast": "morning",
    "lunch": "lunch",
    "midday": "lunch",
    "noon": "lunch",
    "afternoon": "afternoon",
    "evening": "evening",
    "dinner": "evening",
    "night": "evening",
}


def example_structure(prompt: str) -> dict[str, Any] | None:
    """The first JSON object in a prompt that asks for JSON / a structure / a format."""
    if not _TRIGGER_RE.search(prompt):
        return None
    decoder = json.JSONDecoder()
    for m in re.finditer(r"\{", prompt):
        try:
            value, _end = decoder.raw_decode(prompt, m.start())
        except ValueError:
            continue
        if isinstance(value, dict) and value and all(isinstance(k, str) for k in value):
            return value
    return None


def _schema_of(value: Any, depth: int = 0) -> dict[str, Any]:
    if depth > 8:
        return {}
    if isinstance(value, int):
        return {"type": "integer"}
    if isinstance(value, dict):
        return {
            "type": "object",
            "properties": {k: _schema_of(v, depth + 1) for k, v in value.items()},
            "required": list(value),
            "additionalProperties": False,
        }
    return {"type": "string"}


class _ExampleValues(PromptValues):
    """PromptValues plus a plan's time slots and budget for top-level keys."""

    def __init__(self, analysis: Analysis, voice: Voice, keys: list[str]) -> None:
        super().__init__(analysis, voice)
        self.slots: dict[str, str] = {}
        if analysis.intent.kind == "plan" and len(analysis.intent.extra) == 4:
            canonical = [_SLOT_ALIASES[k.lower()] for k in keys if k.lower() in _SLOT_ALIASES]
            if canonical:
                self.slots = plan_slots(analysis, list(dict.fromkeys(canonical)))

    def pick(self, path: str, name: str, schema: dict[str, Any]) -> Any:
        if path == f"$.{name}" and self.slots:
            slot = _SLOT_ALIASES.get(name.lower())
            if slot in self.slots:
                return self.slots[slot]
        return super().pick(path, name, schema)


def example_value(a: Analysis, v: Voice) -> dict[str, Any] | None:
    """A value shaped like the prompt's JSON example, or None when there is none."""
    if a.intent.kind in ("code", "say", "translate"):
        return None
    example = example_structure(a.prompt)
    if example is None:
        return None
    value = instance_for(
        _schema_of(example),
        dialect="jsonschema",
        values=_ExampleValues(a, v, list(example)),
        seed=f"example|{a.prompt}|{v.candidate}|{v.key.hex()}",
    )
    return value if isinstance(value, dict) else None


def example_answer(a: Analysis, v: Voice) -> str | None:
    """The example-shaped answer as a fenced JSON block, or None."""
    value = example_value(a, v)
    if value is None:
        return None
    return "```json\n" + json.dumps(value, ensure_ascii=False, indent=2) + "\n```"
