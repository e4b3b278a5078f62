"""Descriptive and explanatory prose, shaped as the prompt asks ("in three short paragraphs").

Paragraphs come from the topic notes (``_topics``) when the topic matches one, otherwise from
general sentences about the topic that claim nothing specific. :func:`shape_paragraphs` turns
them into N paragraphs, N sentences, N bullet points or at most N words.
"""

from __future__ import annotations

import re

from ..model.responder import Voice
from .analysis import Analysis
from .drafting import Draft, cap, closing_line, first_sentence
from .shape import Shape
from .topics import notes_for

__all__ = [
    "describe_draft",
    "generic_paragraphs",
    "missing_attachment",
    "notes_draft",
    "shape_paragraphs",
    "topic_paragraphs",
]

_OPENERS = (
    "Sure!",
    "Great question!",
    "Of course!",
    "Happy to help!",
    "Good question!",
    "Here's an overview.",
    "Let's take a look.",
    "Glad you asked!",
)
_DESCRIBE_OPENERS = (
    "Sure!",
    "Of course!",
    "Happy to!",
    "Gladly!",
    "With pleasure!",
    "Certainly!",
    "Here goes.",
    "Let's take a look.",
)
_DESCRIBE_LEADS = (
    "Here's a general picture of **{t}**.",
    "**{T}** can be described from a few different angles.",
    "Sure! Here's an overview of **{t}**.",
    "Happy to describe **{t}**.",
    "Let's paint a picture of **{t}**.",
    "Here's how I'd describe **{t}**.",
    "**{T}** is worth looking at from a few angles.",
    "Of course! Here's a short description of **{t}**.",
)
_DESCRIBE_CLOSERS = (
    "Would you like to know more about any part of it?",
    "Is there a part you'd like me to expand on?",
    "Happy to go into more detail if you like.",
    "Want to know more about any of this?",
)
_NIGHT_RE = re.compile(r"\bnight\b|\bafter dark\b|\bmoonlit\b|\bnocturnal\b", re.IGNORECASE)


def topic_paragraphs(topic: str, *, why: bool = False) -> list[str]:
    """Paragraphs from the topic notes; [] when no notes match (or none answer the why)."""
    notes = notes_for(topic)
    if not notes:
        return []
    first = notes[0]
    paragraphs = first.paragraphs
    if why:
        answer = next(
            (paras for pattern, paras in first.why if re.search(pattern, topic, re.IGNORECASE)),
            None,
        )
        paragraphs = answer or first.paragraphs
    elif _NIGHT_RE.search(topic) and "night" in first.variants:
        paragraphs = first.variants["night"]
    if len(notes) > 1 and not why:
        # "volcanoes in Iceland": one paragraph on the general topic, then the specific one.
        return [paragraphs[0], *notes[1].paragraphs]
    return list(paragraphs)


def generic_paragraphs(topic: str, *, describe: bool = False) -> list[str]:
    """General prose about any topic: true of nearly anything, specific about nothing."""
    t = topic.strip() or "this topic"
    if describe:
        return [
            f"{cap(t)} makes the strongest impression through its details: how it looks, sounds "
            "and feels up close, and the small things that give it its character.",
            "It also changes with time and circumstance, so the same subject can feel quite "
            "different from one day, season or setting to the next.",
            f"The best way to capture {t} is to pick one moment or angle and describe it "
            "closely, rather than trying to cover everything at once.",
            f"People who know {t} well often talk about what it means to them as much as what it "
            "is, and that is part of what makes it worth describing.",
        ]
    if t.lower().startswith("why "):
        clause = t[4:]
        return [
            f"There's a clear explanation for why {clause}, and it starts with the basic "
            "mechanism behind it. Once that's in view, the rest follows fairly naturally.",
            "Most of the explanation comes down to how the underlying parts interact: small "
            "effects that add up, repeated over and over, produce what we notice.",
            "It also helps to look at the exceptions, the cases where it doesn't hold, because "
            "they show which factors really matter. Working through one concrete example step by "
            "step is the best way to make it stick.",
        ]
    T = cap(t)
    return [
        f"{T} is easiest to understand if you start from the basics and build up. Before "
        f"getting into the details, it helps to be clear about what {t} is and what it isn't.",
        f"At its core, {t} comes down to a small set of ideas that show up again and again. "
        "Once those are clear, most of the details follow from them.",
        f"In practice, {t} looks a little different depending on the context, so concrete "
        "examples are the quickest way to see how it plays out.",
        f"A common misconception is that {t} is more complicated than it really is. Most of "
        "the difficulty comes from unfamiliar terms rather than from the ideas themselves.",
        f"{T} also connects to many neighbouring subjects, so understanding it makes related "
        "questions easier to answer.",
        f"If you want to go further, a good introduction to {t} is a great next step, and "
        "working through a few examples on your own will make it stick.",
    ]


def _sentences(paragraphs: list[str]) -> list[str]:
    out: list[str] = []
    for para in paragraphs:
        out += [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z“\"(])", para.strip()) if s]
    return out


def shape_paragraphs(paragraphs: list[str], shape: Shape, filler: list[str], v: Voice) -> list[str]:
    """The paragraphs reshaped: N paragraphs, one paragraph of N sentences, N bullets, <= N words."""
    n = max(1, shape.count)
    pool = paragraphs + [p for p in filler if p not in paragraphs]
    if shape.unit == "paragraph":
        return pool[: min(n, 10)]
    sentences = _sentences(paragraphs) or _sentences(filler)
    if len(sentences) < n:
        sentences += [s for s in _sentences(filler) if s not in sentences]
    if shape.unit == "word":
        kept: list[str] = []
        for s in sentences:
            if len(" ".join([*kept, s]).split()) > n:
                break
            kept.append(s)
        if not kept:
            words = sentences[0].split()[:n]
            kept = [" ".join(words).rstrip(",;:.") + "."]
        return [" ".join(kept)]
    # Keep the opening sentence; the voice picks which run of the others follows it.
    count = min(n, len(sentences))
    rest = sentences[1:]
    span = len(rest) - (count - 1)
    start = v.number("sentences", span) if span > 1 else 0
    chosen = [sentences[0], *rest[start : start + count - 1]]
    if shape.unit == "bullet":
        return ["\n".join(f"* {s}" for s in chosen)]
    return [" ".join(chosen)]


def _opener(a: Analysis, v: Voice, *, describe: bool = False) -> str:
    if a.rules.style or a.rules.persona or (a.shape and a.shape.unit != "paragraph"):
        return ""
    return v.pick(_DESCRIBE_OPENERS if describe else _OPENERS, "opener") + " "


def notes_draft(a: Analysis, v: Voice, paragraphs: list[str], *, describe: bool) -> Draft:
    """A draft built from paragraphs (topic notes or general prose), shaped if asked."""
    t = a.topic
    if a.shape:
        filler = generic_paragraphs(t, describe=describe)
        out = shape_paragraphs(paragraphs, a.shape, filler, v)
        return Draft(
            out[0], out[1:], key=first_sentence(out[0]), opener=_opener(a, v, describe=describe)
        )
    closer = (
        v.pick(_DESCRIBE_CLOSERS, "closer")
        if describe and not a.facts.get("name")
        else closing_line(v)
    )
    return Draft(
        paragraphs[0],
        paragraphs[1:3],
        closer=closer,
        key=first_sentence(paragraphs[0]),
        opener=_opener(a, v, describe=describe),
    )


def missing_attachment(a: Analysis) -> Draft | None:
    """ "Describe this image" with nothing attached: say so instead of describing nothing."""
    if a.media:
        return None
    attachment = re.search(
        r"\b(?:this|these|attached|the following|my)\b.*?\b(image|picture|photo|audio|video|file|document|pdf|clip|recording|screenshot|chart)s?\b",
        a.topic,
        re.IGNORECASE,
    )
    if not attachment:
        return None
    what = attachment.group(1).lower()
    what = {"audio": "audio file", "pdf": "PDF"}.get(what, what)
    article = "an" if what[0] in "aeiou" else "a"
    return Draft(
        f"I don't see {article} {what} attached to your message. Could you try attaching it again?",
        personal=False,
    )


def describe_draft(a: Analysis, v: Voice) -> Draft:
    """ "Describe X" / "Tell me about X": notes when the topic has them, else general prose."""
    missing = missing_attachment(a)
    if missing:
        return missing
    paragraphs = topic_paragraphs(a.topic)
    if paragraphs or a.shape:
        return notes_draft(a, v, paragraphs, describe=True)
    t = a.topic
    lead = v.pick(_DESCRIBE_LEADS, "lead").format(t=t, T=cap(t))
    body = (
        f"A good description of {t} covers the first impression, the details that give the "
        "subject its character, and how things change with time, place and circumstance. Those "
        "details vary a lot from one case to another, so it helps to know what you have in mind."
    )
    closer = f"Tell me which side of {t} interests you most (history, how things work, practical tips...) and I'll focus on that."
    return Draft(lead, [body], closer=closer, key=first_sentence(body))
