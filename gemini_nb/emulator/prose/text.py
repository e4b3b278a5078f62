"""Compose the emulated model's answers, thought summaries and free-form JSON.

The answer is Markdown: a lead sentence, sometimes a short list or table, a closing line. What
it says follows the analysed request (see ``_analysis``); which of several phrasings it uses is
picked by a :class:`Voice`, a hash of the prompt and the sampling settings. English drafts are
built in ``_drafts``; this module adds the other languages and applies the style rules.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Sequence
from typing import Any

from ..model.hashing import digest_int
from ..model.responder import Voice
from .analysis import LANGUAGE_NAMES, Analysis, wants_code
from .categories import CATEGORY_POOLS
from .code import snippet_for
from .drafts import (
    Draft,
    article,
    bullets,
    english_draft,
    first_sentence,
    function_result_draft,
    join,
    list_draft,
    media_ack,
    strip_markdown,
)
from .drafts_more import count_values, name_ideas, plan_slots
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
    L = LOCALIZED[lang]
    kind, name, t = a.intent.kind, a.facts.get("name"), a.topic

    def p(key: str) -> str:
        return v.pick(L[key], key)

    if kind in ("greeting", "introduce"):
        if name:
            return Draft(p("greeting_name").format(name=name), personal=False)
        if kind == "introduce":
            return Draft(
                " ".join(L["fact"][0].format(key=k, value=a.facts[k]) for k in a.intent.extra),
                personal=False,
            )
        return Draft(p("greeting"), personal=False)
    if kind == "self":
        r = a.rules
        return Draft(
            p("self_name").format(name=r.assistant_name) if r.assistant_name else p("self"),
            personal=False,
        )
    if kind == "recall":
        value = a.facts.get(a.intent.subject)
        if value is None:
            return Draft(p("recall_missing"), personal=False)
        key = "recall_name" if a.intent.subject == "name" else "recall"
        return Draft(p(key).format(key=a.intent.subject, value=value), key=value, personal=False)
    if kind == "say":
        return Draft(a.intent.subject, key=a.intent.subject, personal=False)
    if kind == "count":
        text = ", ".join(str(x) for x in count_values(a))
        return Draft(text, key=text, personal=False)
    if kind == "arithmetic":
        return Draft(
            p("arithmetic").format(expr=a.intent.subject, result=a.intent.extra[0]),
            key=a.intent.extra[0],
        )
    if kind == "capital":
        return Draft(
            p("capital").format(country=a.intent.subject, capital=a.intent.extra[0]),
            key=a.intent.extra[0],
        )
    if kind == "code":
        snip = snippet_for(a.prompt, a.keywords, t, name)
        code_block = f"```python\n{snip.code}\n```"
        return Draft(
            p("code"),
            [code_block, f"{p('output')}\n\n```\n{snip.output}\n```"],
            key=code_block,
            brief_blocks=[code_block],
        )
    if kind == "list":
        _noun, category, _all = a.intent.extra
        items = list(CATEGORY_POOLS[category]) if category else list(L["list_items"])
        items = items[: min(a.intent.count or 5, len(items))]
        return Draft(
            p("list_lead").format(n=len(items), topic=t),
            [bullets(items, numbered=True)],
            closer=p("closer"),
            key=", ".join(items),
        )
    if kind == "yesno":
        verdict = ("yes", "no", "depends")[digest_int(a.prompt.lower(), "verdict") % 3]
        return Draft(
            p(verdict),
            [p("explain").format(topic=t, keywords=", ".join(a.keywords[:3]) or t)],
            closer=p("closer"),
        )
    if kind == "function_result":
        draft = function_result_draft(a)
        names = [str(fr.get("name") or "tool") for fr in a.function_responses] or ["tool"]
        return Draft(p("function").format(name=names[0]), draft.blocks)
    if kind in ("media", "describe_media"):
        kinds = L["kinds"]
        index = {"IMAGE": 0, "AUDIO": 1, "VIDEO": 2, "DOCUMENT": 3, "TEXT": 4}
        what = ", ".join(f"{kinds[index[m.modality]]} ({m.mime_type})" for m in a.media)
        return Draft(p("media").format(what=what), personal=False)
    if kind == "empty":
        return Draft(p("empty"), personal=False)
    if kind in ("thanks", "bye"):
        return Draft(p("closer"), personal=False)
    if kind == "summarize":
        return Draft(p("summary").format(lead=first_sentence(a.intent.subject or a.prompt)))
    return Draft(
        p("explain").format(topic=t, keywords=", ".join(a.keywords[:3]) or t), closer=p("closer")
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
        snip = snippet_for(a.prompt, a.keywords, a.topic, a.facts.get("name"))
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
    if rules.plain:
        text = strip_markdown(text)
    if rules.uppercase:
        text = _transform_prose(text, str.upper)
    if rules.ending and not text.rstrip().endswith(rules.ending):
        text = f"{text}{' ' if rules.brief or rules.terse else chr(10) * 2}{rules.ending}"
    return text


# --- thoughts ---------------------------------------------------------------------------------

_THOUGHT_TITLES = {
    "greeting": "Responding to a Greeting",
    "introduce": "Noting the Details",
    "self": "Introducing Myself",
    "recall": "Checking the Conversation",
    "quote": "Checking the Conversation",
    "say": "Following the Instruction",
    "arithmetic": "Calculating the Answer",
    "capital": "Recalling the Capital",
    "code": "Drafting the Code",
    "list": "Compiling the List",
    "compare": "Weighing the Options",
    "creative": "Crafting the Piece",
    "summarize": "Condensing the Text",
    "translate": "Finding the Translation",
    "yesno": "Weighing the Question",
    "function_result": "Reading the Tool Result",
    "media": "Examining the Attachment",
    "describe_media": "Examining the Attachment",
    "explain": "Unpacking the Topic",
    "empty": "Handling an Empty Message",
    "generic": "Understanding the Request",
    "thanks": "Acknowledging Thanks",
    "bye": "Saying Goodbye",
    "feeling": "Responding with Care",
    "email": "Drafting the Email",
    "person": "Recalling a Person",
    "place": "Describing a Place",
    "describe": "Painting the Picture",
    "count": "Counting It Out",
    "names": "Brainstorming Names",
    "plan": "Drafting the Plan",
}


def compose_thoughts(a: Analysis, detailed: bool) -> str:
    """A thought summary in the style the API returns for includeThoughts."""
    kind = a.intent.kind
    t = a.topic
    wants = {
        "arithmetic": f"the user wants me to evaluate {a.intent.subject}. Working through the operations in order gives {a.intent.extra[0] if a.intent.extra else 'the result'}",
        "capital": f"the user is asking for the capital of {a.intent.subject}. That's {a.intent.extra[0] if a.intent.extra else 'a well-known fact'}, so a direct answer is best",
        "code": f"the user is asking for code about {t}. A small, self-contained Python example with a print statement will be easiest to run",
        "recall": f"the user wants me to recall their {a.intent.subject} from earlier in our conversation, so I'm scanning the previous turns",
        "greeting": "the user is greeting me, so a friendly, short reply that invites a question is the right move",
        "introduce": "the user is sharing some details about themselves, which I should acknowledge and remember",
        "list": f"the user wants a list about {t}. I'll keep each item short and useful",
        "compare": f"the user wants a comparison of {t}. Contrasting their strengths side by side should make the trade-offs clear",
        "creative": f"the user wants a short creative piece about {t}, so I'll aim for vivid but simple language",
        "function_result": "a tool has returned data, and I need to relay the relevant parts clearly",
        "describe": f"the user wants a description of {t}. I'll focus on what it's like and what makes it distinctive",
        "count": "the user wants me to count through a range, so I'll list every number in order",
        "names": f"the user wants name ideas for {t}. Short, friendly names that are easy to say work best",
        "plan": f"the user wants a plan for {t}. I'll organise it by time of day and keep an eye on the budget",
    }.get(
        kind,
        f"the user is asking about {t}. I'll start with a clear overview and keep the structure easy to scan",
    )
    notes = []
    r = a.rules
    if r.language:
        notes.append(
            f"The system instruction asks for answers in {LANGUAGE_NAMES.get(r.language, r.language)}, so I'll respond in that language."
        )
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
    if kind == "capital":
        return {"country": a.intent.subject, "capital": a.intent.extra[0]}
    if kind == "recall":
        return {a.intent.subject: a.facts.get(a.intent.subject)}
    if kind == "list":
        draft = list_draft(a, v)
        return {"items": (draft.key or "").split(", ")}
    if kind == "code":
        snip = snippet_for(a.prompt, a.keywords, a.topic, a.facts.get("name"))
        return {"language": "python", "code": snip.code, "output": snip.output}
    if kind == "count":
        return {"numbers": count_values(a)}
    if kind == "names":
        return {"names": [name for name, _ in name_ideas(a, v)]}
    if kind == "plan" and a.intent.extra[0]:
        return {"destination": a.intent.extra[0], "plan": plan_slots(a)}
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
    neu = next((o for k, o in labels.items() if k.startswith(("neu", "mix"))), None)
    if pos is not None and neg is not None:
        p, n = len(_POSITIVE.findall(text)), len(_NEGATIVE.findall(text))
        if p != n or neu is None:
            return pos if p >= n else neg
        return neu
    return options[v.number("enum", len(options))]
