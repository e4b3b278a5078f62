"""Scripted answers: a prompt pattern gives exactly the reply a demo or a test wants.

The emulator's own wording is frozen; when a notebook needs a particular answer it scripts it,
from a file (``python -m gemini_nb.emulator --answers answers.json``) or over the control API
(``POST /_emulator/answers``, with the control token). Each rule is a JSON object::

    {"pattern": "capital of France", "reply": "Paris."}
    {"pattern": "(?i)weather in (\\\\w+)", "functionCalls": [{"name": "get_weather", "args": {"city": "Lisbon"}}]}
    {"pattern": "draw", "parts": [{"text": "Here:"}, {"inlineData": {...}}], "model": "gemini-2.5-flash"}

``pattern`` is a regular expression searched in the text of the conversation's last user turn
(a function response turn has none, so a script never loops on its own tool results);
``model`` (optional) limits the rule to one model. Rules are tried in order; the first that
matches answers. A rule with a ``times`` count is used that many times, then dropped.
"""

from __future__ import annotations

import copy
import json
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["Rule", "ScriptedAnswers"]

_MAX_RULES = 1000


@dataclass
class Rule:
    pattern: re.Pattern[str]
    parts: list[dict[str, Any]]
    model: str | None = None
    times: int | None = None
    source: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, spec: Any) -> Rule:
        if not isinstance(spec, dict):
            raise ValueError("an answer rule is a JSON object with 'pattern' and a reply")
        unknown = set(spec) - {"pattern", "reply", "parts", "functionCalls", "model", "times"}
        if unknown:
            raise ValueError(f"unknown field(s) in an answer rule: {', '.join(sorted(unknown))}")
        pattern = spec.get("pattern")
        if not isinstance(pattern, str) or not pattern:
            raise ValueError("an answer rule needs a 'pattern' (a regular expression)")
        try:
            compiled = re.compile(pattern)
        except re.error as exc:
            raise ValueError(
                f"the pattern {pattern!r} is not a valid regular expression: {exc}"
            ) from None
        given = [k for k in ("reply", "parts", "functionCalls") if k in spec]
        if len(given) != 1:
            raise ValueError(
                "an answer rule needs exactly one of 'reply', 'parts', 'functionCalls'"
            )
        kind = given[0]
        value = spec[kind]
        if kind == "reply":
            if not isinstance(value, str):
                raise ValueError("'reply' is the answer's text")
            parts: list[dict[str, Any]] = [{"text": value}]
        elif kind == "parts":
            if not isinstance(value, list) or not all(isinstance(p, dict) for p in value):
                raise ValueError("'parts' is a list of Part objects")
            parts = [dict(p) for p in value]
        else:
            if not isinstance(value, list) or not all(
                isinstance(c, dict) and isinstance(c.get("name"), str) for c in value
            ):
                raise ValueError("'functionCalls' is a list of {name, args} objects")
            parts = [
                {"functionCall": {"name": c["name"], "args": dict(c.get("args") or {})}}
                for c in value
            ]
        times = spec.get("times")
        if times is not None and (not isinstance(times, int) or times < 1):
            raise ValueError("'times' is a positive whole number")
        model = spec.get("model")
        if model is not None and not isinstance(model, str):
            raise ValueError("'model' is a model id")
        return cls(compiled, parts, model and model.removeprefix("models/"), times, dict(spec))


class ScriptedAnswers:
    """The ordered rules; thread-safe (the control API and requests may race)."""

    def __init__(self) -> None:
        self._rules: list[Rule] = []
        self._lock = threading.Lock()

    def add(self, spec: Any) -> list[Rule]:
        specs = spec if isinstance(spec, list) else [spec]
        rules = [Rule.from_json(s) for s in specs]
        with self._lock:
            if len(self._rules) + len(rules) > _MAX_RULES:
                raise ValueError(f"at most {_MAX_RULES} answer rules")
            self._rules.extend(rules)
        return rules

    def load(self, path: str | Path) -> int:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except OSError as exc:
            raise ValueError(f"cannot read the answers file {path}: {exc.strerror}") from None
        except json.JSONDecodeError as exc:
            raise ValueError(f"the answers file {path} is not JSON: {exc}") from None
        if isinstance(data, dict) and "answers" in data:
            data = data["answers"]
        return len(self.add(data))

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def rules(self) -> list[dict[str, Any]]:
        with self._lock:
            return [r.source for r in self._rules]

    def match(self, request: dict[str, Any], model: str = "") -> list[dict[str, Any]] | None:
        """The parts of the first rule that matches the request's last user turn, or None."""
        if not self._rules:
            return None
        text = _last_user_text(request)
        if text is None:
            return None
        with self._lock:
            for i, rule in enumerate(self._rules):
                if rule.model and rule.model != model.removeprefix("models/"):
                    continue
                if rule.pattern.search(text):
                    if rule.times is not None:
                        rule.times -= 1
                        if rule.times == 0:
                            del self._rules[i]
                    return copy.deepcopy(rule.parts)
        return None


def _last_user_text(request: dict[str, Any]) -> str | None:
    contents = request.get("contents") or []
    if not contents:
        return None
    last = contents[-1]
    if not isinstance(last, dict) or last.get("role", "user") != "user":
        return None
    parts = last.get("parts") or []
    texts = [str(p["text"]) for p in parts if isinstance(p, dict) and "text" in p]
    if not texts:
        return None
    return "\n".join(texts)
