"""Text the emulated model writes about function calls: answers built from function responses,
and the note it gives when function calling is switched off."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from ..prompt import name_words

if TYPE_CHECKING:
    from .function_calls import Declaration

__all__ = ["describe_call", "render_value", "summarize_responses"]

_WRAPPERS = ("result", "output", "content", "response", "data", "value", "return", "results")
_TEMPERATURE_KEYS: tuple[str, ...] = (
    "temperature",
    "temp",
    "temp_c",
    "temp_f",
    "temperature_c",
    "temperature_f",
)
_TEMPERATURE_KEYS += ("temperatureCelsius", "temperatureFahrenheit", "degrees")
_CONDITION_KEYS = (
    "condition",
    "conditions",
    "description",
    "weather",
    "summary",
    "forecast",
    "sky",
)
_PLACE_KEYS = ("location", "city", "place", "town", "region", "country", "name")


def render_value(value: Any, limit: int = 80) -> str:
    """A short human rendering of a JSON value."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, (int, float)):
        return str(value)
    if value is None:
        return "nothing"
    if isinstance(value, str):
        return value if len(value) <= limit else value[: limit - 1] + "…"
    if isinstance(value, list) and all(not isinstance(v, (dict, list)) for v in value):
        shown = [render_value(v, 40) for v in value[:10]]
        more = f" and {len(value) - 10} more" if len(value) > 10 else ""
        return _join(shown) + more if shown else "an empty list"
    if isinstance(value, list) and all(isinstance(v, dict) for v in value):
        rows = [
            ", ".join(f"{_label(k)} {render_value(v, 40)}" for k, v in row.items())
            for row in value[:10]
        ]
        text = "; ".join(rows) + (f"; and {len(value) - 10} more" if len(value) > 10 else "")
        return text if len(text) <= limit * 3 else text[: limit * 3 - 1] + "…"
    text = json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _label(key: str) -> str:
    return " ".join(name_words(key)) or key


def _unwrap(body: Any) -> Any:
    while isinstance(body, dict) and len(body) == 1 and next(iter(body)) in _WRAPPERS:
        body = next(iter(body.values()))
    return body


def _first(body: dict[str, Any], keys: tuple[str, ...]) -> tuple[str, Any] | None:
    lowered = {k.lower(): k for k in body}
    for key in keys:
        if key.lower() in lowered:
            real = lowered[key.lower()]
            if not isinstance(body[real], (dict, list)) and body[real] is not None:
                return real, body[real]
    return None


def _unit(body: dict[str, Any], key: str) -> str:
    unit = _first(body, ("unit", "units", "temperature_unit", "temperatureUnit", "scale"))
    hint = str(unit[1]).lower() if unit else key.lower()
    if hint.startswith(("c", "metric")) or hint.endswith(("_c", "celsius")):
        return " °C"
    if hint.startswith(("f", "imperial")) or hint.endswith(("_f", "fahrenheit")):
        return " °F"
    return "°"


def _place(body: dict[str, Any], args: dict[str, Any]) -> str | None:
    for source in (args, body):
        found = _first(source, _PLACE_KEYS)
        if found and isinstance(found[1], str):
            return found[1]
    return None


def _weather_sentence(body: dict[str, Any], args: dict[str, Any]) -> str | None:
    temperature = _first(body, _TEMPERATURE_KEYS)
    condition = _first(body, _CONDITION_KEYS)
    if temperature is None or (condition is None and not isinstance(temperature[1], (int, float))):
        return None
    place = _place(body, args)
    reading = render_value(temperature[1])
    if isinstance(temperature[1], (int, float)):
        reading += _unit(body, temperature[0])
    where = f" in {place}" if place else ""
    tail = f" and {str(condition[1]).lower()}" if condition else ""
    return f"The weather{where} is {reading}{tail}."


def _call_label(name: str, args: dict[str, Any]) -> str:
    if not args:
        return f"`{name}`"
    shown = ", ".join(f"{k}={render_value(v, 40)}" for k, v in list(args.items())[:4])
    return f"`{name}` ({shown})"


def _error_sentence(name: str, error: Any) -> str:
    if isinstance(error, dict):
        error = error.get("message") or error.get("detail") or json.dumps(error, ensure_ascii=False)
    message = str(error).strip().rstrip(".") or "an unspecified error"
    return f"The call to `{name}` failed with an error: {message}."


def _response_sentence(name: str, body: Any, args: dict[str, Any]) -> str:
    body = _unwrap(body)
    label = _call_label(name, args)
    if isinstance(body, dict):
        if not body:
            return f"{label} completed without returning any data."
        weather = _weather_sentence(body, args)
        if weather:
            return weather
        facts = [
            f"{_label(k)} {'are' if isinstance(v, list) and len(v) != 1 else 'is'} {render_value(v)}"
            for k, v in list(body.items())[:8]
        ]
        more = f" (plus {len(body) - 8} more fields)" if len(body) > 8 else ""
        return f"{label} returned: {_join(facts)}{more}."
    if isinstance(body, list):
        count = f"{len(body)} item" + ("" if len(body) == 1 else "s")
        return (
            f"{label} returned {count}: {render_value(body, 160)}."
            if body
            else f"{label} returned no items."
        )
    return f"{label} returned {render_value(body, 160)}."


def _match_calls(
    replies: list[dict[str, Any]], calls: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The args of the call each response answers: by id when both carry one, else by name in order."""
    by_id = {c.get("id"): c for c in calls if c.get("id")}
    pending = list(calls)
    matched: list[dict[str, Any]] = []
    for reply in replies:
        call = by_id.get(reply.get("id")) if reply.get("id") else None
        if call is None:
            call = next((c for c in pending if c.get("name") == reply.get("name")), None)
        if call is not None and call in pending:
            pending.remove(call)
        args = call.get("args") if call else None
        matched.append(args if isinstance(args, dict) else {})
    return matched


def summarize_responses(replies: list[dict[str, Any]], calls: list[dict[str, Any]]) -> str:
    """The answer after the client sent function results back: one sentence per result."""
    arguments = _match_calls(replies, calls)
    sentences: list[str] = []
    failures = 0
    for reply, args in zip(replies, arguments, strict=True):
        name = str(reply.get("name") or "the function")
        body = reply.get("response")
        if isinstance(body, dict) and "error" in body:
            failures += 1
            sentences.append(_error_sentence(name, body["error"]))
        else:
            sentences.append(_response_sentence(name, body, args))
    if failures == len(replies) and replies:
        sentences.append("I couldn't complete the request; please check the input and try again.")
    text = " ".join(sentences) if len(sentences) <= 2 else "\n".join(f"- {s}" for s in sentences)
    return re.sub(r"\.\.$", ".", text)


def describe_call(calls: list[tuple[Declaration, dict[str, Any]]]) -> str:
    """What mode NONE answers when the prompt names a function it may not call."""
    rendered = [
        f"{decl.name}({', '.join(f'{k}={json.dumps(v, ensure_ascii=False)}' for k, v in args.items())})"
        for decl, args in calls
    ]
    names = _join([f"`{decl.name}`" for decl, _ in calls])
    return (
        f"Function calling is turned off for this request (mode NONE), so I can't call {names}. "
        f"With function calling enabled I would call: {'; '.join(rendered)}."
    )
