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
    "pet": "cat",
}


def names_for(what: str) -> tuple[tuple[str, str], ...] | None:
    """Pet names for "cat", "puppy", "goldfish"...; None when it isn't a pet."""
    low = what.lower()
    for word, kind in _PET_KINDS.items():
        if re.search(rf"\b{word}s?\b", low):
            return PET_NAMES[kind]
    return None
