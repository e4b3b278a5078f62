"""Compose the emulated model's answers, thought summaries and free-form JSON.

The answer is Markdown: a lead sentence, sometimes a short list or table, a closing line. What
it says follows the analysed request (see ``analysis``); which of several phrasings it uses is
picked by a :class:`Voice`, a hash of the prompt and the sampling settings. English drafts are
built in ``drafts``; this module adds French and applies the style rules.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Sequence
from typing import Any

from ..model.responder import Voice
from .analysis import Analysis, wants_code
from .code import snippet_for
from .drafts import (
    Draft,
    article,
    english_draft,
    first_sentence,
    join,
    list_draft,
    media_ack,
    strip_markdown,
)
from .phrases import LOCALIZED, STYLE_WRAP

__all__ = [
    "compose_answer",
    "compose_thoughts",
    "free_json",
    "pick_enum",
    "strip_markdown",
]


# --- other languages --------------------------------------------------------------------------


def _localized(a: Analysis, v: Voice, lang: str) -> Draft:
    """An overview of the topic in another language (a demo that needs more scripts it)."""
    L, t = LOCALIZED[lang], a.topic
    return Draft(
        v.pick(L["explain"], "explain").format(topic=t, keywords=", ".join(a.keywords[:3]) or t),
        closer=v.pick(L["closer"], "closer"),
    )


# --- rendering --------------------------------------------------------------------------------


def _transform_prose(text: str, fn: Any) -> str:
    """Apply ``fn`` outside fenced code blocks only."""
    parts = re.split(r"(```.*?```)", text, flags=re.DOTALL)
    return "".join(part if part.startswith("```") else fn(part) for part in parts)


_INTERJECTION = re.compile(
    r"(?:sure|of course|great question|good question|happy to(?: help| explain)?|glad you asked|"
    r"okay|ok|got it|noted|interesting|good point|certainly|absolutely|gladly|with pleasure|"
    r"here goes|let's take a look|here's an overview)[!.]",
    re.IGNORECASE,
)


def _brief_sentence(lead: str) -> str:
    """The lead's first sentence that says something ("Sure!" alone doesn't)."""
    rest = lead.strip()
    while True:
        sentence = first_sentence(rest)
        remainder = rest[len(sentence) :].strip()
        if not _INTERJECTION.fullmatch(sentence.strip()) or not remainder:
            return sentence
        rest = remainder


def compose_answer(a: Analysis, v: Voice) -> str:
    """The full Markdown answer for the analysed request."""
    lang = a.rules.language
    draft = _localized(a, v, lang) if lang in LOCALIZED else english_draft(a, v)
    if a.media and a.intent.kind not in ("media", "describe_media"):
        draft.lead = f"{media_ack(a)} {draft.lead}" if lang is None else draft.lead
    if wants_code(a.prompt) and a.intent.kind not in ("code", "say") and lang is None:
        snip = snippet_for(a.prompt, a.keywords, a.topic)
        draft.blocks.append(
            f"Here's a small Python example to go with it:\n\n```python\n{snip.code}\n```"
        )
    rules = a.rules
    if rules.terse and draft.key:
        text = draft.key
    elif rules.brief and draft.lead.endswith(":") and draft.key and not draft.brief_blocks:
        # A brief list still names its items, inline.
        text = f"{draft.lead[:-1]}: {draft.key}."
    elif rules.brief:
        text = "\n\n".join([_brief_sentence(draft.lead), *draft.brief_blocks])
    else:
        lead = f"{draft.opener}{draft.lead}" if lang is None else draft.lead
        text = "\n\n".join([lead, *draft.blocks, *([draft.closer] if draft.closer else [])])
    if rules.persona and not rules.style and draft.personal and not rules.terse:
        text = f"As {article(rules.persona)}, here's my take. {text}"
    if rules.style in STYLE_WRAP:
        pre, post = STYLE_WRAP[rules.style]
        text = f"{pre}{text}{post}"
    if rules.uppercase:
        text = _transform_prose(text, str.upper)
    if rules.ending and not text.rstrip().endswith(rules.ending):
        text = f"{text}{' ' if rules.brief or rules.terse else chr(10) * 2}{rules.ending}"
    return text


# --- thoughts ---------------------------------------------------------------------------------

_THOUGHT_TITLES = {
    "greeting": "Responding to a Greeting",
    "arithmetic": "Calculating the Answer",
    "code": "Drafting the Code",
    "list": "Compiling the List",
    "function_result": "Reading the Tool Result",
    "explain": "Unpacking the Topic",
    "plan": "Drafting the Plan",
}


def compose_thoughts(a: Analysis, detailed: bool) -> str:
    """A thought summary in the style the API returns for includeThoughts."""
    kind = a.intent.kind
    t = a.topic
    wants = {
        "arithmetic": f"the user wants me to evaluate {a.intent.subject}. Working through the operations in order gives {a.intent.extra[0] if a.intent.extra else 'the result'}",
        "code": f"the user is asking for code about {t}. A small, self-contained Python example with a print statement will be easiest to run",
        "greeting": "the user is greeting me, so a friendly, short reply that invites a question is the right move",
        "list": f"the user wants a list about {t}. I'll keep each item short and useful",
        "function_result": "a tool has returned data, and I need to relay the relevant parts clearly",
        "plan": f"the user wants a plan for {t}. I'll organise it by time of day and keep an eye on the budget",
    }.get(
        kind,
        f"the user is asking about {t}. I'll start with a clear overview and keep the structure easy to scan",
    )
    notes = []
    r = a.rules
    if r.style or r.persona:
        notes.append(
            f"I also need to stay in character as {article(r.persona or r.style or 'character')}."
        )
    if r.brief:
        notes.append("They want it brief, so I'll keep it to a single sentence.")
    if a.media:
        notes.append(
            f"There's an attachment to account for: {join([m.kind_label for m in a.media])}."
        )
    text = (
        f"**{_THOUGHT_TITLES.get(kind, 'Understanding the Request')}**\n\nI see that {wants}. {' '.join(notes)}".rstrip()
        + "\n\n"
    )
    if detailed:
        text += (
            "**Structuring the Response**\n\nI'm now organizing the answer: a direct opening, then the supporting details, "
            f"then a short closing line. I've double-checked that everything stays focused on {t}.\n\n"
        )
    return text


# --- structured output ------------------------------------------------------------------------


def free_json(a: Analysis, v: Voice) -> Any:
    """A JSON value for responseMimeType application/json without a schema."""
    kind = a.intent.kind
    if kind == "arithmetic":
        result = a.intent.extra[0]
        number: Any = result
        with contextlib.suppress(ValueError):
            number = int(result) if re.fullmatch(r"-?\d+", result) else float(result)
        return {"expression": a.intent.subject, "result": number}
    if kind == "list":
        draft = list_draft(a, v)
        return {"items": (draft.key or "").split(", ")}
    answer = strip_markdown(first_sentence(english_draft(a, v).lead))
    return {"topic": a.topic, "answer": answer, "keywords": list(a.keywords)}


_POSITIVE = re.compile(
    r"\b(?:love|loved|great|excellent|amazing|good|happy|wonderful|fantastic|best|enjoy(?:ed)?|awesome|perfect|delighted)\b",
    re.IGNORECASE,
)
_NEGATIVE = re.compile(
    r"\b(?:hate|hated|terrible|awful|bad|worst|poor|disappoint\w*|broken|sad|angry|horrible|useless|annoy\w*)\b",
    re.IGNORECASE,
)


def pick_enum(options: Sequence[Any], text: str, v: Voice) -> Any:
    """The enum value the prompt points at: one it mentions, a sentiment it expresses, else a seeded pick."""
    if not options:
        return None
    low = text.lower()
    mentioned = [
        (m.start(), o)
        for o in options
        if isinstance(o, str) and (m := re.search(rf"\b{re.escape(o.lower())}\b", low))
    ]
    if mentioned:
        return min(mentioned, key=lambda pair: pair[0])[1]
    labels = {str(o).lower(): o for o in options}
    pos = next((o for k, o in labels.items() if k.startswith("pos")), None)
    neg = next((o for k, o in labels.items() if k.startswith("neg")), None)
    if pos is not None and neg is not None:
        p, n = len(_POSITIVE.findall(text)), len(_NEGATIVE.findall(text))
        return pos if p >= n else neg
    return options[v.number("enum", len(options))]
