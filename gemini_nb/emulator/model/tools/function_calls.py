"""Function calling: which declared functions the prompt names, in what order, with what args.

The rules are documented for users in `_tools.py`; this module implements them.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..prompt import (
    STOPWORDS,
    PromptFacts,
    content_words,
    conversation_text,
    last_user_content,
    name_words,
    read_prompt,
    stem,
    word_set,
    words,
)
from ..structured.conform import conforms
from ..tool_parts import (
    make_id,
    reports_function_calls,
    thinking_enabled,
    thought_signature,
    uses_part_ids,
)
from .function_args import (
    Dialect,
    PromptValues,
    as_written,
    fits,
    json_schema,
    resolve,
    schema_kind,
    top_properties,
)

if TYPE_CHECKING:
    from .turn import ToolTurn

__all__ = [
    "Declaration",
    "MalformedCall",
    "calling_config",
    "declarations",
    "function_turn",
    "malformed_turn",
    "rank",
]

# Words that say little about which function is meant: they count, but never name one alone.
_GENERIC = word_set(
    """get set fetch list find lookup look search retrieve create update delete remove make do run
    call tool function current info information data detail details new all my api query check
    compute calculate return returns given specified provide provides value values result
    results item items thing object record records handle process perform execute request
    response by for of the a an to from with and or is in on at"""
)
# A few everyday synonyms so that "how hot is it" can reach a temperature function.
_SYNONYMS: dict[str, frozenset[str]] = {
    "weather": frozenset(
        {"temperature", "forecast", "rain", "sunny", "climate", "hot", "cold", "warm"}
    ),
    "temperature": frozenset({"weather", "hot", "cold", "warm", "degree"}),
    "time": frozenset({"clock", "hour"}),
    "price": frozenset({"cost", "quote"}),
    "email": frozenset({"mail", "e-mail"}),
    "stock": frozenset({"share", "ticker"}),
    "translate": frozenset({"translation"}),
}
_SEQUENCE_RE = re.compile(
    r"\b(?:and\s+then|then|after\s+that|afterwards|next|followed\s+by|once\s+you\s+(?:have|know|get)"
    r"|when\s+you\s+have|using\s+(?:that|this|it|the\s+result)|use\s+(?:that|this|it|the\s+result)\s+to)\b",
    re.IGNORECASE,
)
_MAX_CALLS = 8
FUNCTION_CALL_MESSAGE = "Model generated function call(s)."


class MalformedCall(ValueError):
    """No arguments satisfying the declared schema could be produced."""


@dataclass(frozen=True)
class Declaration:
    """A declared function, with its parameter schema in whichever dialect it came."""

    name: str
    description: str
    schema: dict[str, Any] | None
    dialect: Dialect

    @property
    def root(self) -> dict[str, Any] | None:
        """The parameter schema in JSON Schema form."""
        return json_schema(self.schema, self.dialect)


@dataclass
class Mention:
    """How strongly, and where, a prompt refers to one declared function."""

    decl: Declaration
    order: int
    score: float = 0.0
    named: bool = False
    hits: dict[str, list[int]] = field(default_factory=dict)  # matched word -> offsets
    verbatim: list[int] = field(default_factory=list)
    position: int = 1 << 30

    def places(self, only: set[str] | None = None) -> list[int]:
        spots = list(self.verbatim)
        for word, offsets in self.hits.items():
            if only is None or word in only:
                spots += offsets
        return sorted(spots)


def declarations(request: dict[str, Any]) -> list[Declaration]:
    found: list[Declaration] = []
    for tool in request.get("tools") or []:
        for decl in tool.get("functionDeclarations") or []:
            if "parametersJsonSchema" in decl:
                schema, dialect = decl.get("parametersJsonSchema"), "jsonschema"
            else:
                schema, dialect = decl.get("parameters"), "openapi"
            found.append(
                Declaration(
                    name=str(decl.get("name", "")),
                    description=str(decl.get("description") or ""),
                    schema=schema if isinstance(schema, dict) else None,
                    dialect=dialect,  # type: ignore[arg-type]
                )
            )
    return found


def calling_config(request: dict[str, Any]) -> tuple[str, list[str]]:
    config = (request.get("toolConfig") or {}).get("functionCallingConfig") or {}
    mode = str(config.get("mode") or "AUTO").upper()
    if mode == "MODE_UNSPECIFIED":
        mode = "AUTO"
    return mode, [str(n) for n in config.get("allowedFunctionNames") or []]


def rank(decls: list[Declaration], text: str) -> list[Mention]:
    """Score every declaration against the prompt; best first, declaration order breaks ties."""
    prompt = [(stem(w), pos) for w, pos in words(text) if w not in STOPWORDS]
    where: dict[str, list[int]] = {}
    for word, pos in prompt:
        where.setdefault(word, []).append(pos)
    mentions: list[Mention] = []
    for order, decl in enumerate(decls):
        mention = Mention(decl=decl, order=order)
        if decl.name:
            pattern = rf"(?<![\w-]){re.escape(decl.name)}(?![\w-])"
            mention.verbatim = [m.start() for m in re.finditer(pattern, text, re.IGNORECASE)]
        if mention.verbatim:
            mention.score += 10
            mention.named = True
        own = [stem(w) for w in name_words(decl.name) if w not in STOPWORDS]
        for word in dict.fromkeys(own):
            generic = word in _GENERIC
            if word in where:
                mention.hits[word] = where[word]
                mention.score += 1 if generic else 3
                mention.named |= not generic
                continue
            for alias in _SYNONYMS.get(word, frozenset()):
                if stem(alias) in where and not generic:
                    mention.hits[stem(alias)] = where[stem(alias)]
                    mention.score += 2
                    mention.named = True
        described = 0
        for word in dict.fromkeys(content_words(decl.description)):
            if word in own or word in _GENERIC or len(word) < 3:
                continue
            if word in where:
                mention.hits.setdefault(word, where[word])
                described += 1
        mention.score += described
        mention.named |= described >= 2
        spots = mention.places()
        mention.position = spots[0] if spots else 1 << 30
        mentions.append(mention)
    return sorted(mentions, key=lambda m: (-m.score, m.order))


def _exclusive_places(named: list[Mention]) -> dict[int, list[int]]:
    """Where each named function is mentioned: its verbatim name, else the words only it matched."""
    counts: dict[str, int] = {}
    for mention in named:
        for word in mention.hits:
            counts[word] = counts.get(word, 0) + 1
    places: dict[int, list[int]] = {}
    for mention in named:
        exclusive = {w for w in mention.hits if counts[w] == 1}
        spots = sorted(mention.verbatim) or mention.places(exclusive or None)
        places[id(mention)] = spots
        if spots:
            mention.position = spots[0]
    return places


def _steps(text: str, named: list[Mention]) -> list[list[Mention]]:
    """Group named functions into sequential steps when the prompt says "then", "after that"..."""
    places = _exclusive_places(named)
    cuts = [m.start() for m in _SEQUENCE_RE.finditer(text)]
    if not cuts or len(named) < 2:
        return [sorted(named, key=lambda m: m.position)]
    bounds = [0, *cuts, len(text) + 1]
    clauses = list(itertools.pairwise(bounds))
    placed: dict[int, list[Mention]] = {}
    for mention in named:
        spots = places[id(mention)]
        best, best_hits = 0, -1
        for index, (lo, hi) in enumerate(clauses):
            hits = sum(1 for s in spots if lo <= s < hi)
            if hits > best_hits:
                best, best_hits = index, hits
        inside = [s for s in spots if clauses[best][0] <= s < clauses[best][1]]
        if inside:
            mention.position = inside[0]
        placed.setdefault(best, []).append(mention)
    return [sorted(placed[k], key=lambda m: m.position) for k in sorted(placed)]


def _windows(mentions: list[Mention], length: int) -> list[tuple[int, int]]:
    """The stretch of prompt that belongs to each called function (up to the next one)."""
    ordered = sorted(range(len(mentions)), key=lambda i: mentions[i].position)
    spans: list[tuple[int, int]] = [(0, length)] * len(mentions)
    for rank_index, i in enumerate(ordered):
        start = 0 if rank_index == 0 else min(mentions[i].position, length)
        nxt = ordered[rank_index + 1] if rank_index + 1 < len(ordered) else None
        end = length if nxt is None else min(mentions[nxt].position, length)
        spans[i] = (start, max(end, start + 1))
    return spans


def _fan_out(
    decl: Declaration, facts: PromptFacts, window: tuple[int, int]
) -> tuple[str, list[Any]] | None:
    """One call per listed value when a one-slot parameter meets a list: "Paris and London"."""
    root = decl.root or {}
    props = top_properties(root)
    free = [
        n
        for n, s in props.items()
        if schema_kind(s, root) == "string" and not s.get("enum") and not s.get("format")
    ]
    numeric = [n for n, s in props.items() if schema_kind(s, root) in ("integer", "number")]
    lo, hi = window
    lists = sorted(facts.lists, key=lambda g: (not any(lo <= c.start < hi for c in g), g[0].start))
    for group in lists:
        numbers = all(c.kind == "number" for c in group)
        if numbers and len(numeric) == 1:
            target, values = numeric[0], [c.value for c in group]
            if schema_kind(props[target], root) == "integer":
                values = [int(v) for v in values if not isinstance(v, float) or v.is_integer()]
        elif not numbers and len(free) == 1:
            target, values = free[0], [str(as_written(free[0], c).value) for c in group]
        else:
            continue
        values = [v for v in dict.fromkeys(values) if fits(v, props[target], root)]
        if len(values) > 1:
            return target, values[:_MAX_CALLS]
    return None


def _build_args(
    decl: Declaration,
    facts: PromptFacts,
    window: tuple[int, int],
    fixed: dict[str, Any],
    previous: dict[str, Any],
    seed: str,
) -> dict[str, Any]:
    root = decl.root
    if not decl.schema or root is None:
        return {}
    from ..structured.instances import instance_for

    source = PromptValues(facts=facts, root=root, window=window, fixed=fixed, previous=previous)
    value = instance_for(decl.schema, dialect=decl.dialect, values=source, seed=seed)
    if not isinstance(value, dict) or not conforms(value, root, root):
        raise MalformedCall(decl.name)
    # Like a real model, leave out optional parameters the prompt gave no value for.
    required = set(resolve(root, root).get("required") or [])
    pruned = {k: v for k, v in value.items() if k in required or k in source.supplied}
    return pruned if conforms(pruned, root, root) else value


def _call_parts(
    calls: list[tuple[Declaration, dict[str, Any]]],
    model: str,
    request: dict[str, Any],
    with_ids: bool,
) -> list[dict[str, Any]]:
    taken = _ids_in(request)
    parts: list[dict[str, Any]] = []
    for index, (decl, args) in enumerate(calls):
        call: dict[str, Any] = {"name": decl.name, "args": args}
        if with_ids:
            salt = 0
            while (new_id := make_id(request.get("contents"), model, index, salt)) in taken:
                salt += 1
            taken.add(new_id)
            call["id"] = new_id
        part: dict[str, Any] = {"functionCall": call}
        if index == 0 and thinking_enabled(model, request):
            part["thoughtSignature"] = thought_signature(request.get("contents"), model, "call")
        parts.append(part)
    return parts


def _ids_in(request: dict[str, Any]) -> set[str]:
    ids: set[str] = set()
    for content in request.get("contents") or []:
        for part in content.get("parts") or []:
            for key in ("functionCall", "functionResponse"):
                if isinstance(part.get(key), dict) and part[key].get("id"):
                    ids.add(str(part[key]["id"]))
    return ids


def _make_calls(
    mentions: list[Mention],
    facts: PromptFacts,
    previous: dict[str, Any],
    request: dict[str, Any],
    model: str,
) -> list[tuple[Declaration, dict[str, Any]]]:
    windows = _windows(mentions, len(facts.text))
    calls: list[tuple[Declaration, dict[str, Any]]] = []
    for mention, window in zip(mentions, windows, strict=True):
        decl = mention.decl
        spread = None if previous else _fan_out(decl, facts, window)
        pinned = [{spread[0]: v} for v in spread[1]] if spread else [{}]
        for number, fixed in enumerate(pinned):
            seed = f"{decl.name}:{len(calls)}:{number}:{facts.text}"
            calls.append((decl, _build_args(decl, facts, window, fixed, previous, seed)))
            if len(calls) >= _MAX_CALLS:
                return calls
    return calls


def _history(request: dict[str, Any]) -> tuple[int, list[dict[str, Any]], list[dict[str, Any]]]:
    """(index of the prompt turn, calls made since, responses received since)."""
    contents = request.get("contents") or []
    start = 0
    for index in range(len(contents) - 1, -1, -1):
        content = contents[index]
        if content.get("role", "user") != "model" and any(
            isinstance(p.get("text"), str) and p["text"].strip() for p in content.get("parts") or []
        ):
            start = index
            break
    calls: list[dict[str, Any]] = []
    responses: list[dict[str, Any]] = []
    for content in contents[start:]:
        for part in content.get("parts") or []:
            if isinstance(part.get("functionCall"), dict):
                calls.append(part["functionCall"])
            if isinstance(part.get("functionResponse"), dict):
                responses.append(part["functionResponse"])
    return start, calls, responses


def _flatten(responses: list[dict[str, Any]]) -> dict[str, Any]:
    """Keys of earlier function results (one level into result/output wrappers), latest wins."""
    values: dict[str, Any] = {}
    for response in responses:
        body = response.get("response")
        stack = [body] if isinstance(body, dict) else []
        while stack:
            current = stack.pop(0)
            for key, value in current.items():
                if key == "error":
                    continue
                if isinstance(value, dict) and key in (
                    "result",
                    "output",
                    "data",
                    "content",
                    "response",
                ):
                    stack.append(value)
                elif not isinstance(value, (dict, list)) or key not in values:
                    values[key] = value
    return values


def function_turn(request: dict[str, Any], model: str) -> ToolTurn | None:
    """The model turn when function declarations are present; None for an ordinary text answer."""
    from .function_answers import describe_call, summarize_responses
    from .turn import ToolTurn

    decls = declarations(request)
    if not decls:
        return None
    mode, allowed = calling_config(request)
    if allowed and mode != "NONE":
        decls = [d for d in decls if d.name in allowed] or decls
    last = last_user_content(request) or {}
    answering = any(isinstance(p.get("functionResponse"), dict) for p in last.get("parts") or [])
    prompt = conversation_text(request)
    facts = read_prompt(prompt)
    mentions = rank(decls, prompt)
    named = [m for m in mentions if m.named]
    with_ids = uses_part_ids(model) or bool(_ids_in(request))

    if answering:
        _, made, responses = _history(request)
        called = {c.get("name") for c in made}
        todo: list[Mention] = []
        if mode != "NONE":
            for step in _steps(prompt, named):
                todo = [m for m in step if m.decl.name not in called]
                if todo:
                    break
            if not todo and mode == "ANY":
                fresh = [m for m in mentions if m.decl.name not in called]
                todo = [(fresh or mentions)[0]]
        if todo:
            calls = _make_calls(todo, facts, _flatten(responses), request, model)
            return _calls_turn(calls, model, request, with_ids)
        replies = [
            p["functionResponse"]
            for p in last.get("parts") or []
            if isinstance(p.get("functionResponse"), dict)
        ]
        return ToolTurn(parts=[{"text": summarize_responses(replies, made)}])

    if mode == "NONE":
        if not named:
            return None
        calls = _make_calls(_steps(prompt, named)[0], facts, {}, request, model)
        return ToolTurn(parts=[{"text": describe_call(calls)}])
    if not named:
        if mode != "ANY":
            return None
        named = [mentions[0]]
    calls = _make_calls(_steps(prompt, named)[0], facts, {}, request, model)
    return _calls_turn(calls, model, request, with_ids)


def _calls_turn(
    calls: list[tuple[Declaration, dict[str, Any]]],
    model: str,
    request: dict[str, Any],
    with_ids: bool,
) -> ToolTurn:
    from .turn import ToolTurn

    return ToolTurn(
        parts=_call_parts(calls, model, request, with_ids),
        finish_message=FUNCTION_CALL_MESSAGE if reports_function_calls(model) else None,
    )


def malformed_turn(model: str) -> ToolTurn:
    """The turn for a declaration whose schema admits no value: no content, MALFORMED_FUNCTION_CALL."""
    from .turn import ToolTurn

    return ToolTurn(
        parts=[],
        finish_reason="MALFORMED_FUNCTION_CALL",
        finish_message="Malformed function call: no arguments satisfy the declared parameter schema.",
    )
