"""English drafts for comparisons, creative writing, yes/no questions and social turns."""

from __future__ import annotations

import re

from ..model.hashing import digest_int
from ..model.responder import Voice
from .analysis import Analysis
from .drafting import Draft, article, bullets, cap, closing_line, join, sentence_case
from .phrases import EN
from .prose import topic_paragraphs

__all__ = ["compare_draft", "creative_draft", "social_draft", "yesno_draft"]


def compare_draft(a: Analysis, v: Voice) -> Draft:
    x, y = a.intent.subject, a.intent.extra[0]
    lead = sentence_case(v.pick(EN["compare_lead"], "lead").format(a=x, b=y))
    strengths = (
        "a gentle learning curve",
        "quick results",
        "flexibility",
        "a large community",
        "simplicity",
    )
    others = (
        "fine-grained control",
        "raw performance",
        "long-term maintainability",
        "specialised use cases",
        "scale",
    )
    p, q = v.pick(strengths, "p"), v.pick(others, "q")
    block = (
        f"| | {x} | {y} |\n|---|---|---|\n| **Strength** | {cap(p)} | {cap(q)} |\n"
        f"| **Best for** | Getting started quickly | Demanding, specialised work |\n"
        f"| **Trade-off** | Less control | More to learn |"
    )
    return Draft(lead, [block], closer=closing_line(v))


def creative_draft(a: Analysis, v: Voice) -> Draft:
    kind = a.intent.extra[0]
    t = a.intent.subject or a.topic
    if kind == "haiku":
        verses = (
            (
                f"{cap(t)} in soft light,",
                "a quiet breath moves through the trees,",
                "the day settles down.",
            ),
            (
                f"Morning over {t},",
                "small voices wake and drift along,",
                "the world turns to gold.",
            ),
            (f"Slow {t} drifting,", "each moment folds into the next,", "stillness has its say."),
            (
                f"Evening and {t},",
                "the last light lingers on the hills,",
                "night hums a soft tune.",
            ),
            (f"Listen: {t} speaks,", "in a language made of small things,", "we nod and agree."),
            (f"Winter holds {t}", "close to its chest like a secret,", "spring will let it go."),
            (f"{cap(t)}, then silence;", "a single cloud drifts overhead,", "the kettle whistles."),
            ("Between breath and breath,", f"{t} waits patiently for us,", "like an open door."),
        )
        lines = verses[v.number("verse", len(verses))]
        return Draft("\n".join(lines), key=lines[0], personal=False)
    if kind == "joke":
        jokes = (
            f"Why did the {t} bring a ladder to the party? Because it heard the conversation was on another level!",
            f"I tried to explain {t} to a friend, but it went right over their head. Now I keep my explanations grounded.",
            f"What do you call {article(t)} that tells jokes? A pun-damental part of any conversation!",
            f"Why did the {t} sit in the corner? It wanted a better point of view!",
            f"My friend asked if I knew any jokes about {t}. I said I had a few, but they were still in beta.",
            f"Why don't secrets last long around {t}? Because everything eventually comes out in the wash!",
            f"I'd tell you a joke about {t}, but I'm still working on the punchline. It's going to be great.",
            f'What did one {t} say to the other? "Let\'s stick together, we make a great team!"',
        )
        text = v.pick(jokes, "joke")
        return Draft(text, key=text, personal=False)
    hero = v.pick(("Mira", "Theo", "Juno", "Felix", "Ada", "Oskar", "Lena", "Rafi"), "hero")
    title = f"**{hero} and the {cap(re.sub(r'^(?:an?|the) ', '', t, flags=re.IGNORECASE))}**"
    p1 = (
        f"{hero} had always been curious about {t}. One rainy afternoon, a small discovery changed everything: "
        "a note, tucked inside an old book, that seemed to have been written just for them."
    )
    p2 = (
        f"Following the clues, {hero} learned that {t} was never really about finding answers. It was about asking "
        f"better questions, and about the people you meet along the way. By the time the sun came out again, {hero} knew exactly what to do next."
    )
    return Draft(title, [p1, p2], key=p1, personal=False)


def yesno_draft(a: Analysis, v: Voice) -> Draft:
    verdict = ("yes", "no", "depends")[digest_int(a.prompt.lower(), "verdict") % 3]
    kws = list(a.keywords)
    opening = v.pick(EN[verdict], verdict)
    if verdict == "yes":
        body = "In most situations it works out well, though it's still worth checking against your own goals and constraints."
    elif verdict == "no":
        body = "It isn't a given: the details of your situation can change the picture, so it's worth checking them first."
    else:
        body = (
            f"The main factors are {join([f'**{k}**' for k in kws[:3]])}. " if len(kws) >= 2 else ""
        ) + "Think about what matters most to you, and the answer usually becomes clear."
    return Draft(
        opening,
        [body],
        closer=closing_line(v),
        key={"yes": "Yes.", "no": "No.", "depends": "It depends."}[verdict],
    )


def social_draft(a: Analysis, v: Voice) -> Draft:
    """Thanks, feelings, emails, people and places."""
    kind, t = a.intent.kind, a.intent.subject
    name = a.facts.get("name")
    if kind == "thanks":
        return Draft(v.pick(EN["thanks"], "thanks"), personal=False)
    if kind == "feeling":
        tips = bullets(
            (
                "**Take a short break:** a walk, some water or a few slow breaths can reset your mood.",
                "**Talk to someone:** a friend or family member can help more than you'd expect.",
                "**Be kind to yourself:** it's okay to have days like this.",
            )
        )
        return Draft(
            v.pick(EN["feeling"], "feel").format(feeling=t),
            [tips],
            closer="Would you like to talk about what's on your mind?",
            personal=False,
        )
    if kind == "email":
        recipient, what, topic = a.intent.extra
        purpose = t or "about a quick update"
        subject = ("Request for " if purpose.startswith(("to ask", "to request")) else "") + (
            topic or "Quick update"
        )
        subject = cap(subject)
        greeting = "Hi [Name]," if not recipient else f"Hi [{cap(recipient)}'s name],"
        body = (
            f"**Subject:** {subject}\n\n{greeting}\n\nI hope you're doing well. I'm writing {purpose}. "
            "Please let me know if you need any further details from me.\n\nThank you for your time and consideration.\n\n"
            f"Best regards,\n{name or '[Your name]'}"
        )
        return Draft(
            f"Here's a draft {what} you can adapt:",
            [body],
            closer="Feel free to adjust the tone or add details.",
            key=body,
            personal=False,
        )
    if kind == "place":
        country = a.intent.extra[0]  # t is its capital
        lead = v.pick(
            (
                f"**{t}** is the capital of **{country}**.",
                f"**{t}**, the capital of **{country}**, is a great place to learn about.",
                f"Sure! **{t}** is **{country}**'s capital city.",
                f"Happy to! **{t}** serves as the capital of **{country}**.",
            ),
            "place",
        )
        notes = topic_paragraphs(t)
        body = (
            notes[0]
            if notes
            else v.pick(
                (
                    "It's known for its history, culture and food, and it draws visitors from around the world.",
                    "Its history, culture and food draw visitors from all over the world.",
                    "People visit for its history and culture, and they often stay for the food.",
                    "It has a rich history, a lively culture and plenty to see.",
                ),
                "place-body",
            )
        )
        return Draft(
            lead,
            [body],
            closer=v.pick(
                (
                    "Would you like travel tips, history or some key facts?",
                    "Want to know more about its history or what to see?",
                ),
                "place-end",
            ),
            key=lead,
        )
    lead = v.pick(
        (
            "Here's a short profile of **{t}**.",
            "**{t}** is a name many people recognise.",
            "Sure! Here's an overview of **{t}**.",
            "**{t}** is well worth reading about.",
        ),
        "person",
    ).format(t=t)
    body = (
        f"{t} is best known for their work and influence in their field. For an accurate account of dates and "
        "achievements, a good biography or encyclopedia entry is the best source."
    )
    return Draft(lead, [body], closer=closing_line(v), key=lead)
