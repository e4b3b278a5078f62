"""Everyday advice the emulated model can give: topic tips and pet names.

Written for this project; common-sense content, not facts about the world.
"""

from __future__ import annotations

import re

__all__ = ["PET_NAMES", "names_for", "tips_for"]

# (pattern matched against the topic, ((headline, explanation), ...))
_TIPS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    (
        r"\b(?:clear|clean|readable|good|better|maintainable)\b.*\bcode\b|\bcod(?:e|ing)\b.*\b(?:clear|clean|readable)|\bwriting code\b|\bprogramming\b",
        (
            (
                "Use descriptive names",
                "a name like `unpaid_invoices` tells the reader what `data2` never will.",
            ),
            (
                "Keep functions small and focused",
                "each function should do one thing, and its name should say what that is.",
            ),
            (
                "Comment the why, not the what",
                "the code already shows what happens; comments should explain the reasons behind it.",
            ),
            (
                "Be consistent",
                "pick one style for naming and formatting and let a formatter or linter enforce it.",
            ),
            (
                "Avoid deep nesting",
                "early returns and small helper functions keep the main path easy to follow.",
            ),
            (
                "Write tests",
                "they document how the code is meant to behave and make refactoring safer.",
            ),
        ),
    ),
    (
        r"\bsleep",
        (
            ("Keep a regular schedule", "go to bed and get up at about the same time every day."),
            ("Wind down without screens", "put phones and laptops away for the last half hour."),
            ("Make your bedroom cool, dark and quiet", "it's easier to fall and stay asleep."),
            ("Watch the caffeine", "avoid coffee and strong tea in the afternoon and evening."),
            ("Get daylight and exercise", "both during the day help you feel sleepy at night."),
        ),
    ),
    (
        r"\b(?:learn(?:ing)?|study(?:ing)?|speak(?:ing)?)\b.*\b(?:language|spanish|french|german|italian|japanese|portuguese|english|chinese)\b",
        (
            ("Practise a little every day", "fifteen minutes daily beats two hours once a week."),
            (
                "Learn the most common words first",
                "a few hundred words cover most everyday speech.",
            ),
            ("Speak from the start", "talking early, mistakes and all, builds confidence fast."),
            ("Immerse yourself", "films, podcasts and music in the language train your ear."),
            ("Find a conversation partner", "a tutor or language exchange keeps you motivated."),
        ),
    ),
    (
        r"\bstud(?:y|ying)\b|\bexams?\b|\bmemori[sz]|\brevis(?:e|ing|ion)\b",
        (
            (
                "Test yourself",
                "active recall, like flashcards or practice questions, beats rereading.",
            ),
            ("Space it out", "reviewing material over several days makes it stick."),
            ("Take regular breaks", "short breaks every 25 to 50 minutes keep your focus sharp."),
            (
                "Teach it to someone",
                "explaining a topic shows you what you haven't understood yet.",
            ),
            ("Remove distractions", "put your phone in another room while you work."),
        ),
    ),
    (
        r"\bproductiv|\bfocus|\bprocrastinat|\btime management\b",
        (
            ("Pick your top three tasks", "decide each morning what really has to get done."),
            ("Block time on your calendar", "protect focused time like you would a meeting."),
            ("Turn off notifications", "each interruption costs more focus than it seems."),
            ("Batch small tasks", "answer emails and messages in one or two sessions a day."),
            (
                "Start with the hardest thing",
                "momentum from an early win carries the rest of the day.",
            ),
        ),
    ),
    (
        r"\bpublic speaking\b|\bpresentations?\b|\bspeech(?:es)?\b",
        (
            ("Know your opening", "memorise the first minute so you start with confidence."),
            ("Practise out loud", "rehearsing aloud reveals the parts that don't flow."),
            ("Slow down", "pauses feel long to you but help the audience follow."),
            ("Focus on one key message", "everything else should support it."),
            ("Make eye contact", "talk to individual people rather than the room."),
        ),
    ),
    (
        r"\bsav(?:e|ing) money\b|\bbudget|\bfinances?\b|\bspending\b",
        (
            ("Make a simple budget", "know what comes in and what goes out each month."),
            ("Automate your savings", "move a fixed amount to savings on payday."),
            ("Track your spending", "a month of tracking shows where the money really goes."),
            ("Cook at home more often", "eating out is one of the easiest costs to cut."),
            ("Wait before big purchases", "a 24-hour pause filters out impulse buys."),
        ),
    ),
    (
        r"\bwriting\b|\bwrite\b|\bessays?\b",
        (
            ("Know your reader", "decide who you're writing for and what they need."),
            ("Prefer short sentences", "one idea per sentence is easier to follow."),
            (
                "Use the active voice",
                '"the team shipped the release" beats "the release was shipped".',
            ),
            ("Cut ruthlessly", "remove every word that doesn't earn its place."),
            ("Read it aloud", "your ear catches clumsy phrasing your eye misses."),
        ),
    ),
    (
        r"\bexercis|\bfitness\b|\bworkouts?\b|\brunning\b|\bget fit\b",
        (
            ("Start small", "a short, regular routine is better than an ambitious one you drop."),
            ("Mix cardio and strength", "both matter for long-term health."),
            ("Warm up first", "a few minutes of easy movement helps prevent injuries."),
            ("Schedule rest days", "muscles get stronger while they recover."),
            ("Track your progress", "seeing improvement keeps you motivated."),
        ),
    ),
)


def tips_for(topic: str) -> tuple[tuple[str, str], ...] | None:
    """Topic-specific tips, or None when the topic isn't one the model has advice for."""
    for pattern, tips in _TIPS:
        if re.search(pattern, topic, re.IGNORECASE):
            return tips
    return None


# Pet names with a short reason each.
PET_NAMES: dict[str, tuple[tuple[str, str], ...]] = {
    "cat": (
        ("Mochi", "soft, round and sweet, like the rice cake"),
        ("Luna", "a classic that means “moon”"),
        ("Pepper", "perfect for a grey or speckled coat"),
        ("Milo", "short, friendly and easy to call"),
        ("Cleo", "a little regal, as cats tend to be"),
        ("Jasper", "a handsome name for a calm cat"),
        ("Ziggy", "fun for a cat with bursts of energy"),
        ("Biscuit", "lovely for a cat with a warm, golden coat"),
        ("Willow", "gentle and graceful"),
        ("Pixel", "small, bright and a bit geeky"),
    ),
    "dog": (
        ("Max", "short, strong and easy to shout across a park"),
        ("Bella", "a friendly classic"),
        ("Scout", "perfect for a curious explorer"),
        ("Maple", "warm and sweet"),
        ("Cooper", "a loyal-sounding name"),
        ("Daisy", "cheerful and bright"),
        ("Biscuit", "great for a dog with a golden coat"),
        ("Bear", "just right for a big, fluffy dog"),
        ("Rosie", "sweet and gentle"),
        ("Ziggy", "fun for a dog who never stops moving"),
    ),
    "fish": (
        ("Bubbles", "a classic for a reason"),
        ("Finn", "short and fitting"),
        ("Nemo", "a nod to the famous clownfish"),
        ("Goldie", "a natural for a goldfish"),
        ("Splash", "fun and lively"),
        ("Coral", "pretty and ocean-themed"),
    ),
    "bird": (
        ("Kiwi", "bright and cheerful"),
        ("Sunny", "perfect for a yellow bird"),
        ("Pip", "small and chirpy"),
        ("Rio", "playful and colourful"),
        ("Skye", "lovely for a bird that loves to fly"),
        ("Mango", "great for a bird with warm colours"),
    ),
    "small": (
        ("Peanut", "tiny and sweet"),
        ("Nibbles", "perfect for an enthusiastic eater"),
        ("Hazel", "soft and warm"),
        ("Clover", "lucky and gentle"),
        ("Pip", "small and lively"),
        ("Oreo", "great for a black-and-white coat"),
    ),
}
_PET_KINDS = {
    "cat": "cat",
    "kitten": "cat",
    "kitty": "cat",
    "dog": "dog",
    "puppy": "dog",
    "pup": "dog",
    "fish": "fish",
    "goldfish": "fish",
    "bird": "bird",
    "parrot": "bird",
    "budgie": "bird",
    "rabbit": "small",
    "bunny": "small",
    "hamster": "small",
    "guinea pig": "small",
    "pig": "small",
    "mouse": "small",
    "rat": "small",
    "ferret": "small",
    "pet": "cat",
}


def names_for(what: str) -> tuple[tuple[str, str], ...] | None:
    """Pet names for "cat", "puppy", "goldfish"...; None when it isn't a pet."""
    low = what.lower()
    for word, kind in _PET_KINDS.items():
        if re.search(rf"\b{word}s?\b", low):
            return PET_NAMES[kind]
    return None
