"""English answer drafts: one builder per kind of request, each returning a ``Draft``.

A draft holds the answer's lead sentence, extra blocks (lists, tables, code), a closing line
and the bare key value, so the renderer in ``text`` can apply brevity, persona and format rules.
"""

from __future__ import annotations

import json
import re

from ..model.responder import Voice
from .advice import tips_for
from .analysis import LANGUAGE_NAMES, Analysis, keywords_of
from .categories import CATEGORY_POOLS
from .code import snippet_for
from .drafting import (
    Draft,
    article,
    bullets,
    cap,
    closing_line,
    first_sentence,
    join,
    media_ack,
    sentence_case,
    strip_markdown,
)
from .drafts_misc import compare_draft, creative_draft, social_draft, yesno_draft
from .drafts_more import count_draft, names_draft, plan_draft
from .phrases import EN
from .prose import (
    describe_draft,
    generic_paragraphs,
    notes_draft,
    topic_paragraphs,
)

__all__ = [
    "Draft",
    "article",
    "bullets",
    "english_draft",
    "first_sentence",
    "function_result_draft",
    "join",
    "list_draft",
    "media_ack",
    "strip_markdown",
]


_TRANSLATIONS: dict[str, dict[str, str]] = {"thank you": {"fr": "Merci", "es": "Gracias"}}
_LIST_ITEMS: dict[str, tuple[tuple[str, str], ...]] = {
    "tips": (
        ("Start with the basics", "get comfortable with the core ideas of {t} before moving on."),
        ("Set a clear goal", "decide what success with {t} looks like for you."),
        ("Practice a little every day", "short, regular sessions beat occasional marathons."),
        ("Learn from good examples", "see how others approach {t} and borrow what works."),
        ("Keep it simple", "focus on one thing at a time instead of everything at once."),
        ("Ask for feedback", "a second pair of eyes spots what you miss."),
        ("Track your progress", "notes or a simple checklist show how far you've come."),
        ("Build something small", "a tiny project turns theory about {t} into experience."),
        ("Review and refine", "revisit what you did and improve one detail each time."),
        ("Share what you learn", "explaining {t} to someone else deepens your understanding."),
    ),
    "steps": (
        ("Gather what you need", "collect the tools, materials or information before you start."),
        ("Plan the approach", "break the task into a few clear stages."),
        ("Start with a small test", "try the first stage on a small scale to check it works."),
        ("Work through it step by step", "finish each stage before moving on to the next."),
        ("Check the result", "compare what you have with what you expected."),
        ("Adjust and repeat", "fix anything that's off and refine the process."),
        ("Keep notes", "write down what worked so it's easier next time."),
    ),
    "ideas": (
        ("Start small", "a simple first version of {t} you can finish in an afternoon."),
        ("Make it collaborative", "invite friends or colleagues to shape {t} with you."),
        ("Add a theme", "a clear theme gives {t} a memorable identity."),
        ("Go seasonal", "tie {t} to the time of year for extra relevance."),
        ("Take it outdoors", "a change of scenery makes {t} feel fresh."),
        ("Keep a journal", "record what works so the next round of {t} is even better."),
        ("Mix in something new", "combine {t} with a hobby you already enjoy."),
        ("Set a mini challenge", "a friendly goal or deadline keeps {t} fun."),
    ),
    "drawbacks": (
        ("It takes time", "getting good results from {t} rarely happens overnight."),
        ("There's a learning curve", "the first steps with {t} can feel slow."),
        ("It isn't one-size-fits-all", "what works for one person or team may not suit another."),
        ("It needs upkeep", "{t} works best with regular attention."),
        (
            "Costs can add up",
            "time, tools or money invested in {t} should be weighed against the payoff.",
        ),
    ),
    "suggestions": (
        (
            "Start with a well-reviewed introduction",
            "look for a widely recommended starting point on {t}.",
        ),
        ("Try a classic", "the best-known works on {t} are popular for a reason."),
        ("Look for something recent", "newer options on {t} often reflect the latest thinking."),
        ("Go hands-on", "a practical, example-driven option makes {t} stick."),
        (
            "Pick a different perspective",
            "an option from another culture or field can surprise you.",
        ),
        ("Ask a community", "forums and local groups around {t} share great recommendations."),
    ),
    "reasons": (
        ("It saves time", "a little effort up front pays off later."),
        ("It builds confidence", "each small success with {t} makes the next step easier."),
        ("It's flexible", "{t} adapts to different goals and situations."),
        ("It's easy to start", "you don't need special tools to begin."),
        ("It encourages consistency", "regular habits form around it naturally."),
        ("It opens doors", "skills around {t} transfer to many other areas."),
        ("It's social", "it's a great way to connect with people who share the interest."),
        ("It's rewarding", "progress is visible, which keeps motivation high."),
    ),
}
_PLURALS = {"state": "U.S. states"}


def english_draft(a: Analysis, v: Voice) -> Draft:
    kind = a.intent.kind
    t = a.topic
    name = a.facts.get("name")
    if kind in ("greeting", "introduce") and name and (a.new_name or kind == "introduce"):
        return Draft(v.pick(EN["greeting_new_name"], "greet").format(name=name), personal=False)
    if kind == "greeting":
        return Draft(v.pick(EN["greeting"], "greet"), personal=False)
    if kind == "self":
        r = a.rules
        if r.assistant_name:
            role = f", {article(r.persona)}" if r.persona else ""
            return Draft(
                f"I'm {r.assistant_name}{role}. How can I help you today?",
                key=r.assistant_name,
                personal=False,
            )
        if r.persona:
            return Draft(f"I'm {article(r.persona)}. How can I help you today?", personal=False)
    if kind == "recall":
        return _recall(a, v)
    if kind in ("thanks", "feeling", "email", "person", "place"):
        return social_draft(a, v)
    if kind == "quote":
        said = [text for role, text in a.history if role != "model" and text]
        if not said:
            return Draft(
                "This is the first message you've sent me in this conversation.", personal=False
            )
        text = said[0] if "first" in a.prompt.lower() else said[-1]
        return Draft(f"You said: “{text}”", key=text, personal=False)
    if kind == "say":
        text = a.intent.subject
        if "exactly" not in a.prompt.lower() and len(text.split()) <= 3 and text[-1:].isalnum():
            text = cap(text) + "!"
        return Draft(text, key=text, personal=False)
    if kind == "arithmetic":
        expr, result = a.intent.subject, a.intent.extra[0]
        blocks = []
        if re.search(r"\bstep|\bshow (?:your|the) work|\bexplain", a.prompt.lower()):
            blocks.append(
                "Multiplication and division come first, then addition and subtraction from left to right."
            )
        return Draft(
            v.pick(EN["arithmetic"], "arith").format(expr=expr, result=result), blocks, key=result
        )
    if kind == "capital":
        country, capital = a.intent.subject, a.intent.extra[0]
        return Draft(
            v.pick(EN["capital"], "capital").format(country=country, capital=capital), key=capital
        )
    if kind == "code":
        return _code(a, v)
    if kind == "count":
        return count_draft(a)
    if kind == "names":
        return names_draft(a, v)
    if kind == "plan":
        return plan_draft(a, v)
    if kind == "describe":
        return describe_draft(a, v)
    if kind == "list":
        return list_draft(a, v)
    if kind == "compare":
        return compare_draft(a, v)
    if kind == "creative":
        return creative_draft(a, v)
    if kind == "summarize":
        attached = "\n".join(m.text or "" for m in a.media).strip()
        source = (
            a.intent.subject if len(a.intent.subject.split()) >= 5 or not attached else attached
        )
        source = source or a.prompt
        lead_sentence = first_sentence(source.strip())
        words = lead_sentence.split()
        lead_sentence = " ".join(words[:30]) + ("..." if len(words) > 30 else "")
        terms = keywords_of(source, 4)
        label = v.pick(("**Summary:**", "**In short:**", "**TL;DR:**", "**The gist:**"), "summary")
        blocks = [f"Key terms: {join(list(terms))}."] if len(terms) >= 2 else []
        return Draft(f"{label} {lead_sentence}", blocks, key=lead_sentence)
    if kind == "translate":
        lang = LANGUAGE_NAMES[a.intent.extra[0]]
        phrase = a.intent.subject.strip(" .!?\"'“”")
        known = _TRANSLATIONS.get(phrase.lower(), {}).get(a.intent.extra[0])
        if known:
            return Draft(f"“{phrase}” in {lang} is **{known}**.", key=known)
        return Draft(
            f"I can translate common words and short phrases such as “hello” or “thank you” into {lang}, "
            f"but “{phrase}” is beyond my phrasebook here."
        )
    if kind == "yesno":
        return yesno_draft(a, v)
    if kind == "function_result":
        return function_result_draft(a)
    if kind in ("media", "describe_media"):
        blocks = [v.pick(EN["media_note"], "media")]
        tail = "What would you like to know about it?" if kind == "media" else None
        return Draft(media_ack(a), blocks, closer=tail, personal=False)
    if kind == "empty":
        return Draft(
            "It looks like your message was empty. What would you like to talk about?",
            personal=False,
        )
    if kind == "explain":
        return _explain(a, v)
    kws = [k for k in a.keywords if k.lower() not in t.lower()] or list(a.keywords)
    lead = sentence_case(v.pick(EN["generic_lead"], "generic").format(topic=t))
    body = (
        (f"The key ideas here seem to be {join(kws[:3])}. " if len(kws) >= 2 else "")
        + "If you tell me a bit more about what you need (an explanation, a summary or some examples), I can go into more depth."
    )
    return Draft(cap(lead), [body], closer=None)


def _recall(a: Analysis, v: Voice) -> Draft:
    attr = a.intent.subject
    aliases = {
        "location": ("location",),
        "city": ("location",),
        "home": ("location",),
        "hometown": ("location",),
    }
    value = a.facts.get(attr) or next(
        (a.facts[k] for k in aliases.get(attr, ()) if k in a.facts), None
    )
    if value is None:
        return Draft(f"I don't think you've told me your {attr} yet. What is it?", personal=False)
    if attr == "name":
        lead = v.pick(
            (
                "Your name is **{v}**.",
                "You told me your name is **{v}**.",
                "You're **{v}**! You mentioned it earlier.",
                "Your name is **{v}**, as you told me.",
                "You introduced yourself as **{v}**.",
                "It's **{v}**.",
                "You said your name is **{v}**.",
                "I believe your name is **{v}**.",
            ),
            "recall",
        ).format(v=value)
    else:
        lead = v.pick(
            (
                "You told me your {a} is **{v}**.",
                "Your {a} is **{v}**, as you mentioned earlier.",
                "Earlier you said your {a} is **{v}**.",
                "You mentioned that your {a} is **{v}**.",
            ),
            "recall",
        ).format(a=attr, v=value)
    return Draft(lead, key=value, personal=False)


def _code(a: Analysis, v: Voice) -> Draft:
    snip = snippet_for(a.prompt, a.keywords, a.topic)
    code_block = f"```python\n{snip.code}\n```"
    blocks = [code_block]
    if snip.notes:
        blocks.append(bullets(snip.notes))
    blocks.append(f"Running it prints:\n\n```\n{snip.output}\n```")
    return Draft(
        v.pick(EN["code_lead"], "code").format(does=snip.does),
        blocks,
        closer=closing_line(v),
        key=code_block,
        brief_blocks=[code_block],
    )


def _explain(a: Analysis, v: Voice) -> Draft:
    t = a.topic
    paragraphs = topic_paragraphs(t, why=t.lower().startswith("why "))
    if paragraphs:
        return notes_draft(a, v, paragraphs, describe=False)
    if a.shape and not (a.shape.unit == "sentence" and a.shape.count == 1):
        return notes_draft(a, v, generic_paragraphs(t), describe=False)
    focus = v.pick(
        (
            "the underlying principle",
            "a few key ideas",
            "the core mechanism",
            "the basic idea behind it",
        ),
        "focus",
    )
    lead = sentence_case(v.pick(EN["explain_lead"], "lead").format(topic=t))
    blocks = [sentence_case(v.pick(EN["explain_body"], "body").format(topic=t, focus=focus))]
    if a.rules.bullets or v.number("bullets", 2) == 0:
        blocks.append(
            bullets(
                (
                    f"**The core idea:** {t} rests on {focus}.",
                    "**How it plays out:** the same principle shows up again and again in practice.",
                    f"**Why it matters:** once {t} makes sense, related topics become much easier to follow.",
                )
            )
        )
    return Draft(lead, blocks, closer=closing_line(v), key=first_sentence(blocks[0]))


def list_draft(a: Analysis, v: Voice) -> Draft:
    noun, category, flag = a.intent.extra
    all_flag = flag == "all"
    t = a.topic
    if category:
        pool = CATEGORY_POOLS[category]
        # Small closed sets ("list the planets") are listed whole unless a number is asked for.
        whole = bool(all_flag) or (
            a.intent.count is None and category in ("planet", "day", "color", "state")
        )
        n = len(pool) if whole else min(a.intent.count or 5, len(pool))
        start = 0 if n == len(pool) else v.number("start", len(pool))
        items = [pool[(start + i) % len(pool)] for i in range(n)]
        plural = _PLURALS.get(category, category + "s")
        if n == len(pool):
            lead = f"Here are all {n} {plural}{', in alphabetical order' if category in ('state', 'country') else ''}:"
        else:
            lead = v.pick(EN["category_lead"], "lead").format(n=n, plural=plural)
        return Draft(lead, [bullets(items, numbered=True)], closer=None, key=", ".join(items))
    group = "reasons" if noun == "benefits" else noun if noun in _LIST_ITEMS else "ideas"
    pool2 = _LIST_ITEMS[group]
    topical = tips_for(t) if group == "tips" else None
    if topical:
        group, pool2 = "topical", topical
    n = max(1, min(a.intent.count or (5 if group == "steps" else 3 + v.number("n", 3)), len(pool2)))
    start = 0 if group in ("steps", "topical") else v.number("start", len(pool2))
    picked = [pool2[(start + i) % len(pool2)] for i in range(n)]
    # How-to goals read badly inside item text ("approach improve your sleep"), so say "it".
    item_topic = "it" if flag == "how" else t
    lines = [f"**{head}:** {cap(tail.format(t=item_topic))}" for head, tail in picked]
    if flag == "how" and group == "steps":
        lead = v.pick(
            (
                f"Here's how to {t} in {n} steps:",
                f"You can {t} in {n} steps:",
                f"To {t}, follow these {n} steps:",
                f"Here's a simple {n}-step way to {t}:",
            ),
            "lead",
        )
    elif flag == "how":
        lead = v.pick(
            (
                f"Here are {n} tips to {t}:",
                f"A few things that help you {t}:",
                f"Try these {n} ideas to {t}:",
                f"To {t}, these {n} habits make a real difference:",
            ),
            "lead",
        )
    elif noun in ("benefits", "drawbacks", "suggestions"):
        key = "reasons_lead" if noun == "benefits" else f"{noun}_lead"
        lead = sentence_case(v.pick(EN[key], "lead").format(n=n, topic=t))
    else:
        lead = v.pick(EN["list_lead"], "lead").format(n=n, noun=noun, topic=t)
    return Draft(
        lead,
        [bullets(lines, numbered=True)],
        closer=closing_line(v),
        key=", ".join(h for h, _ in picked),
    )


def function_result_draft(a: Analysis) -> Draft:
    blocks: list[str] = []
    leads: list[str] = []
    for fr in a.function_responses:
        name = str(fr.get("name") or "the tool")
        resp = fr.get("response")
        resp = resp if isinstance(resp, dict) else {"result": resp}
        leads.append(f"Here's what `{name}` returned:")
        lines = [
            f"**{k}:** {val if isinstance(val, (str, int, float)) else json.dumps(val, ensure_ascii=False)}"
            for k, val in list(resp.items())[:8]
        ]
        blocks.append(bullets(lines))
    return Draft(
        " ".join(leads[:1]),
        blocks + leads[1:],
        closer="Let me know if you'd like me to do anything else with this.",
    )
