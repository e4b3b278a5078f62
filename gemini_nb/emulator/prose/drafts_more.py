"""English drafts for counting, naming and planning."""

from __future__ import annotations

from dataclasses import dataclass, replace

from ..model.hashing import choose
from ..model.numbers import number_words
from ..model.responder import Voice
from ..model.vocab import ADJECTIVES, NOUNS
from .advice import names_for
from .analysis import Analysis
from .drafting import Draft, bullets, cap

__all__ = ["count_draft", "names_draft", "plan_draft", "plan_slots"]


# --- counting ---------------------------------------------------------------------------------


def count_values(a: Analysis) -> list[int]:
    """The numbers a counting request asks for ("1..5", by twos...)."""
    start_s, end_s = a.intent.subject.split("..")
    start, end = int(start_s), int(end_s)
    form = (a.intent.extra[0] if a.intent.extra else "digits").replace("/lines", "")
    step = int(form.split(":")[1]) if ":" in form else 1
    if step > 1 and start == 1 and end > start:
        start = step  # "count to 20 by twos" starts at 2
    direction = 1 if end >= start else -1
    return list(range(start, end + direction, step * direction))


def count_draft(a: Analysis) -> Draft:
    values = count_values(a)
    form = a.intent.extra[0] if a.intent.extra else "digits"
    words = form.startswith("words") and all(abs(x) < 1000 for x in values)
    items = [number_words(x) for x in values] if words else [str(x) for x in values]
    if "/lines" in form:
        text = "\n".join(cap(i) for i in items)
    elif words:
        text = cap(", ".join(items)) + "."
    else:
        text = ", ".join(items)
    return Draft(text, key=text, personal=False)


# --- names ------------------------------------------------------------------------------------

_NAME_LEADS = (
    "How about **{n}**?",
    "I'd suggest **{n}**.",
    "What about **{n}**?",
    "**{n}** would be a lovely choice.",
    "My pick would be **{n}**.",
    "Try **{n}**!",
    "**{n}** has a nice ring to it.",
    "**{n}** could be just right.",
)


def name_ideas(a: Analysis, v: Voice) -> list[tuple[str, str]]:
    """(name, reason) pairs for a naming request: pet names from the table, else coined names."""
    what = a.intent.subject
    pool = names_for(what)
    n = max(1, a.intent.count or 1)
    if pool:
        start = v.number("names", len(pool))
        return [pool[(start + i) % len(pool)] for i in range(min(n, len(pool)))]
    reasons = (
        "short and memorable",
        "easy to say and spell",
        "friendly and confident",
        "easy to use as a logo or a domain",
        "fresh without trying too hard",
        "easy to remember",
    )
    out: list[tuple[str, str]] = []
    for i in range(min(n, 12)):
        adjective = choose(ADJECTIVES, "name-adj", v.key, v.candidate, i)
        noun = NOUNS[(v.number("name-noun", len(NOUNS)) + i * 5) % len(NOUNS)]
        name = f"{adjective.title()} {noun.title()}"
        if all(name != x for x, _ in out):
            out.append((name, reasons[i % len(reasons)]))
    return out


def names_draft(a: Analysis, v: Voice) -> Draft:
    ideas = name_ideas(a, v)
    subject = a.intent.subject
    if (a.intent.count or 1) == 1:
        name, reason = ideas[0]
        others = name_ideas(
            replace(a, intent=replace(a.intent, count=4)), Voice(v.key, v.candidate + 1)
        )
        more = [n for n, _ in others if n != name][:3]
        lead = v.pick(_NAME_LEADS, "name-lead").format(n=name) + f" It's {reason}."
        blocks = []
        if more:
            blocks.append(
                f"If that doesn't feel right, {', '.join(more[:-1])} or {more[-1]} could work too."
            )
        return Draft(lead, blocks, key=name)
    lines = [f"**{name}**: {reason}" for name, reason in ideas]
    lead = f"Here are {len(ideas)} name ideas for {subject}:"
    return Draft(
        lead,
        [bullets(lines, numbered=True)],
        closer="Saying them out loud a few times is a good way to find the one that fits.",
        key=", ".join(n for n, _ in ideas),
    )


# --- plans ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sights:
    """Well-known things to do in a city, by time of day, for trip plans."""

    morning: tuple[str, ...]
    afternoon: tuple[str, ...]
    evening: tuple[str, ...]
    food: tuple[str, ...]


CITY_SIGHTS: dict[str, Sights] = {
    "Lisbon": Sights(
        (
            "Wander up through the Alfama district to São Jorge Castle for views over the city",
            "Ride historic Tram 28 through Graça and Alfama",
        ),
        (
            "Head to Belém for Jerónimos Monastery and Belém Tower",
            "Explore the Baixa and Chiado neighbourhoods and the riverside Praça do Comércio",
        ),
        (
            "Catch the sunset from a miradouro such as Senhora do Monte",
            "Listen to fado in Alfama or Bairro Alto",
        ),
        (
            "grilled sardines or a bifana, with a pastel de nata for dessert",
            "a bowl of caldo verde",
        ),
    ),
    "Rome": Sights(
        (
            "Start at the Colosseum and the Roman Forum",
            "Visit the Vatican Museums and St Peter's Basilica",
        ),
        ("See the Pantheon and toss a coin in the Trevi Fountain", "Wander around Piazza Navona"),
        ("Have dinner in Trastevere", "Watch the sunset from the Pincio terrace"),
        ("pizza al taglio", "cacio e pepe at a trattoria"),
    ),
}


_GENERIC_SIGHTS = Sights(
    (
        "Start with a walk through the old town or historic centre",
        "Visit the best-known museum or landmark",
    ),
    (
        "Explore a local market and a neighbourhood off the main tourist track",
        "Relax in a park or by the water",
    ),
    ("Find a viewpoint for the sunset", "Have dinner at a small local restaurant"),
    ("a local speciality", "a simple lunch at a market or café"),
)
# Share of a day's budget per slot; the rest is left for transport and snacks.
_WEIGHTS = {"morning": 0.2, "lunch": 0.2, "afternoon": 0.25, "evening": 0.25}
_SPARE = 0.1


def _sights(place: str) -> Sights:
    for city, sights in CITY_SIGHTS.items():
        if city.lower() == place.lower():
            return sights
    return _GENERIC_SIGHTS


def _money(amount: float, currency: str) -> str:
    value = f"{amount:.0f}" if amount >= 10 or amount == int(amount) else f"{amount:.2f}"
    return f"{value} {currency}".strip()


_FREE_DAY = Sights(
    ("Revisit a favourite spot or explore a neighbourhood you haven't seen yet",),
    ("Browse local shops and cafés at a slower pace",),
    ("Enjoy a last dinner somewhere special",),
    ("your favourite local dish from the trip so far",),
)


def _day_activities(sights: Sights, day: int) -> dict[str, str]:
    if day >= len(sights.morning):
        sights = _FREE_DAY  # past the table's highlights: slower, open days

    def at(options: tuple[str, ...]) -> str:
        return options[day % len(options)]

    return {
        "morning": at(sights.morning),
        "lunch": cap(at(sights.food)),
        "afternoon": at(sights.afternoon),
        "evening": at(sights.evening),
    }


def plan_slots(a: Analysis, keys: list[str] | None = None) -> dict[str, str]:
    """Day-plan text per slot (morning, lunch, afternoon, evening), each with its budget share.

    ``keys``: only these slots (a slot left out folds into the next one: lunch into afternoon).
    """
    place, _days, amount_s, currency = (
        a.intent.extra if len(a.intent.extra) == 4 else ("", "", "", "")
    )
    activities = _day_activities(_sights(place), 0)
    wanted = [k for k in (keys or list(_WEIGHTS)) if k in _WEIGHTS] or list(_WEIGHTS)
    texts: dict[str, list[str]] = {k: [] for k in wanted}
    weights = dict.fromkeys(wanted, 0.0)
    pending: list[str] = []
    for slot in _WEIGHTS:
        pending.append(slot)
        if slot in wanted:
            for p in pending:
                text = activities[p]
                if p == "lunch" and p != slot:
                    text = f"Lunch on {text[0].lower()}{text[1:]}"
                texts[slot].append(text if not texts[slot] else text[0].lower() + text[1:])
                weights[slot] += _WEIGHTS[p]
            pending = []
    total_weight = sum(weights.values()) or 1.0
    amount = float(amount_s) if amount_s else 0.0
    out: dict[str, str] = {}
    for slot in wanted:
        text = ", then ".join(texts[slot]) if texts[slot] else activities[slot]
        if amount:
            share = amount * (1 - _SPARE) * weights[slot] / total_weight
            text += f" (budget: about {_money(share, currency)})"
        out[slot] = text + "."
    return out


_PLAN_STEPS = (
    ("Define the goal", "decide what success looks like for {t}."),
    ("Set the time frame", "decide when it starts, when it ends and what has to happen by then."),
    ("List what you need", "people, materials and anything to book or buy."),
    ("Break it into steps", "put them in order with a rough time for each."),
    ("Prepare a backup", "think about what could go wrong and how you'd handle it."),
    ("Check the details", "confirm everything a day before and prepare what you need."),
)


def plan_draft(a: Analysis, v: Voice) -> Draft:
    place, days_s, amount_s, currency = a.intent.extra
    if not (place or days_s or amount_s):
        t = a.intent.subject or a.topic
        lines = [f"**{h}:** {cap(x.format(t=t))}" for h, x in _PLAN_STEPS]
        return Draft(
            f"Here's a simple plan for **{t}**:",
            [bullets(lines, numbered=True)],
            closer="Tell me the date, budget or number of people and I can make it more specific.",
            key=", ".join(h for h, _ in _PLAN_STEPS),
        )
    days = max(1, int(days_s or 1))
    amount = float(amount_s) if amount_s else 0.0
    where = f"**{place}**" if place else "your destination"
    budget = f" on a budget of **{_money(amount, currency)}**" if amount else ""
    length = f"{number_words(days)}-day" if days <= 7 else f"{days}-day"
    lead = v.pick(
        (
            f"Here's a {length} plan for {where}{budget}:",
            f"Sure! Here's how I'd spend a {length} trip to {where}{budget}:",
            f"A {length} plan for {where}{budget}:",
            f"Here's a relaxed {length} itinerary for {where}{budget}:",
        ),
        "plan-lead",
    )
    sights = _sights(place)
    per_day = amount / days if amount else 0.0
    blocks: list[str] = []
    for day in range(days):
        activities = _day_activities(sights, day)
        lines = []
        for slot, weight in _WEIGHTS.items():
            cost = f" (about {_money(per_day * weight, currency)})" if per_day else ""
            lines.append(f"**{slot.capitalize()}{cost}:** {activities[slot]}.")
        block = bullets(lines)
        blocks.append(f"**Day {day + 1}**\n\n{block}" if days > 1 else block)
    notes = []
    if per_day:
        spare = per_day - sum(round(per_day * w) for w in _WEIGHTS.values())
        notes.append(
            f"That leaves about {_money(max(spare, 0), currency)}{' a day' if days > 1 else ''} for public transport and snacks."
        )
    notes.append("Prices and opening hours change, so check them before you go.")
    blocks.append(" ".join(notes))
    return Draft(lead, blocks, key=blocks[0])
