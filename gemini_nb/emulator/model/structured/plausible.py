"""Plausible scalar values for a field, judged by its name: "city" gets a city, "age" a small age.

Every choice is seeded, so one seed (the prompt) always gives the same values and another seed
gives different ones.
"""

from __future__ import annotations

import base64
import re
import uuid

from ..hashing import choose, digest, digest_int
from ..vocab import (
    ADJECTIVES,
    ANIMALS,
    CAPITALS,
    CITIES,
    COLORS,
    COMPANIES,
    FIRST_NAMES,
    LANGUAGES,
    LAST_NAMES,
    NOUNS,
    STREETS,
)

__all__ = [
    "name_words",
    "plausible_bool",
    "plausible_number_range",
    "plausible_string",
    "string_for_format",
]

_COUNTRIES = tuple(sorted(CAPITALS))


def name_words(name: str) -> list[str]:
    """ "firstName" / "first_name" / "First Name" -> ["first", "name"]."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name)
    return [w for w in re.split(r"[^A-Za-z0-9]+", spaced.lower()) if w]


def _has(words: list[str], *options: str) -> bool:
    # "tags" should read like "tag": compare singular forms too.
    singular = {w[:-1] for w in words if len(w) > 3 and w.endswith("s")}
    return any(o in words or o in singular for o in options)


def string_for_format(fmt: str, seed: str, name: str = "") -> str | None:
    """A value for a JSON Schema / OpenAPI string format, or None for unknown formats."""
    n = digest_int("format", fmt, seed, name)
    year, month, day = 2020 + n % 6, 1 + (n >> 8) % 12, 1 + (n >> 16) % 28
    hour, minute = 8 + (n >> 24) % 10, ((n >> 32) % 4) * 15
    fmt = fmt.lower()
    if fmt == "date":
        return f"{year:04d}-{month:02d}-{day:02d}"
    if fmt in ("date-time", "datetime"):
        return f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:00Z"
    if fmt == "time":
        return f"{hour:02d}:{minute:02d}:00"
    if fmt == "duration":
        return f"P{1 + n % 9}D"
    if fmt in ("email", "idn-email"):
        first = choose(FIRST_NAMES, "email-first", seed, name).lower()
        last = re.sub(r"[^a-z]", "", choose(LAST_NAMES, "email-last", seed, name).lower())
        return f"{first}.{last}@example.com"
    if fmt in ("uri", "url", "iri", "uri-reference", "iri-reference"):
        return f"https://example.com/{choose(NOUNS, 'uri', seed, name)}/{n % 1000}"
    if fmt == "uuid":
        return str(uuid.UUID(bytes=digest("uuid", seed, name)[:16], version=4))
    if fmt in ("hostname", "idn-hostname"):
        return f"{choose(NOUNS, 'host', seed, name)}.example.com"
    if fmt == "ipv4":
        return f"192.0.2.{1 + n % 254}"
    if fmt == "ipv6":
        return f"2001:db8::{1 + n % 0xFFFF:x}"
    if fmt == "byte":
        return base64.b64encode(digest("byte", seed, name)[:9]).decode("ascii")
    if fmt == "json-pointer":
        return f"/{choose(NOUNS, 'ptr', seed, name)}/0"
    if fmt == "regex":
        return "^[a-z]+$"
    return None


def _person(seed: str, name: str) -> tuple[str, str]:
    return choose(FIRST_NAMES, "first", seed, name), choose(LAST_NAMES, "last", seed, name)


def _phrase(seed: str, name: str) -> str:
    return f"{choose(ADJECTIVES, 'adj', seed, name)} {choose(NOUNS, 'noun', seed, name)}"


_SENTENCE_OPENERS = (
    "A short note about the {p}.",
    "Covers the essentials of the {p} in plain terms.",
    "Highlights what matters most about the {p}.",
    "A brief, practical summary of the {p}.",
)


def plausible_string(name: str, seed: str) -> str:
    """A natural-looking string for a field called ``name``."""
    w = name_words(name)
    first, last = _person(seed, name)
    n = digest_int("str", seed, name)
    if _has(w, "first", "given", "forename") and _has(w, "name"):
        return first
    if _has(w, "last", "surname", "family") and (_has(w, "name") or _has(w, "surname")):
        return last
    if _has(w, "username", "handle", "login", "nickname"):
        return f"{first.lower()}_{last[0].lower()}{n % 100}"
    if _has(w, "email", "mail"):
        return string_for_format("email", seed, name) or "user@example.com"
    if _has(w, "url", "uri", "website", "link", "homepage", "href"):
        return string_for_format("uri", seed, name) or "https://example.com"
    if _has(w, "city", "town", "capital", "destination", "hometown"):
        return choose(CITIES, "city", seed, name)
    if _has(w, "country", "nation", "nationality"):
        return choose(_COUNTRIES, "country", seed, name)
    if _has(w, "language", "lang", "locale"):
        return choose(LANGUAGES, "lang", seed, name)
    if _has(w, "color", "colour"):
        return choose(COLORS, "color", seed, name)
    if _has(w, "animal", "pet", "species", "breed"):
        return choose(ANIMALS, "animal", seed, name)
    if _has(w, "company", "organization", "organisation", "employer", "brand", "publisher", "team"):
        return choose(COMPANIES, "company", seed, name)
    if _has(w, "address", "street"):
        return f"{1 + n % 98} {choose(STREETS, 'street', seed, name)}"
    if _has(w, "zip", "postal", "postcode"):
        return f"{10000 + n % 89999}"
    if _has(w, "phone", "mobile", "tel", "telephone"):
        return f"+1-555-01{n % 100:02d}"
    if _has(w, "date", "day", "birthday", "dob", "deadline"):
        return string_for_format("date", seed, name) or "2024-01-01"
    if _has(w, "time", "timestamp", "created", "updated", "at"):
        return string_for_format("date-time", seed, name) or "2024-01-01T09:00:00Z"
    if _has(w, "currency"):
        return choose(("EUR", "USD", "GBP", "JPY", "CHF"), "cur", seed, name)
    if _has(w, "id", "uuid", "guid"):
        return f"{choose(NOUNS, 'id', seed, name)[:3]}-{n % 0xFFFFFF:06x}"
    if _has(w, "sku", "code", "isbn", "reference", "ref"):
        return f"{choose(NOUNS, 'sku', seed, name)[:3].upper()}-{1000 + n % 9000}"
    if _has(w, "status", "state"):
        return choose(("active", "pending", "completed", "on hold"), "status", seed, name)
    if _has(w, "sentiment", "mood", "tone"):
        return choose(("positive", "neutral", "mixed"), "sent", seed, name)
    if _has(w, "category", "type", "kind", "genre", "class", "tag", "label", "topic", "subject"):
        return choose(NOUNS, "cat", seed, name)
    if _has(w, "unit", "units"):
        return choose(("kg", "cm", "minutes", "litres"), "unit", seed, name)
    if _has(w, "title", "headline", "heading"):
        return f"The {_phrase(seed, name).title()}"
    if _has(
        w,
        "author",
        "name",
        "person",
        "owner",
        "user",
        "customer",
        "contact",
        "director",
        "artist",
        "character",
        "speaker",
        "manager",
        "employee",
        "student",
        "teacher",
    ):
        return f"{first} {last}"
    if _has(
        w,
        "description",
        "summary",
        "explanation",
        "reason",
        "reasoning",
        "notes",
        "note",
        "comment",
        "comments",
        "text",
        "content",
        "body",
        "message",
        "details",
        "bio",
        "feedback",
        "review",
        "answer",
        "response",
        "justification",
        "rationale",
    ):
        return choose(_SENTENCE_OPENERS, "sentence", seed, name).format(p=_phrase(seed, name))
    if _has(w, "question", "query", "prompt"):
        return f"What makes the {_phrase(seed, name)} work?"
    if _has(w, "word", "keyword", "term", "keywords"):
        return choose(NOUNS, "word", seed, name)
    if _has(w, "ingredient", "ingredients", "food", "dish", "recipe"):
        return choose(
            ("flour", "olive oil", "garlic", "basil", "lemon", "rice", "tomatoes"),
            "food",
            seed,
            name,
        )
    return _phrase(seed, name)


def plausible_number_range(name: str) -> tuple[float, float]:
    """The range a human would expect for a field called ``name``."""
    w = name_words(name)
    if _has(w, "age"):
        return 18, 72
    if _has(w, "year", "yr"):
        return 1990, 2024
    if _has(w, "month"):
        return 1, 12
    if _has(w, "day"):
        return 1, 28
    if _has(w, "hour", "hours"):
        return 1, 12
    if _has(w, "minute", "minutes", "min", "mins"):
        return 5, 55
    if _has(w, "rating", "stars", "priority", "level", "score") and not _has(w, "percent"):
        return 1, 5 if _has(w, "stars", "priority", "level") else 9
    if _has(w, "percent", "percentage", "pct", "probability", "confidence"):
        return 10, 95
    if _has(w, "latitude", "lat"):
        return 35, 60
    if _has(w, "longitude", "lon", "lng"):
        return -10, 30
    if _has(w, "price", "cost", "amount", "total", "salary", "budget", "fee", "balance"):
        return 5, 250
    if _has(w, "temperature", "temp", "celsius"):
        return 12, 31
    if _has(w, "weight", "kg", "mass"):
        return 2, 80
    if _has(w, "height", "width", "length", "size", "distance", "cm"):
        return 10, 180
    if _has(w, "id", "number", "num", "no") and not _has(w, "count"):
        return 100, 9999
    if _has(w, "page", "pages"):
        return 12, 420
    if _has(w, "population"):
        return 50_000, 9_000_000
    return 1, 12  # counts, quantities and unknown numbers stay small


def plausible_bool(name: str, seed: str) -> bool:
    w = name_words(name)
    if w and w[0] in ("is", "has", "can", "should", "enabled", "active", "valid", "available"):
        return (
            digest_int("bool", seed, name) % 4 != 0
        )  # mostly true: flags usually describe the subject
    return digest_int("bool", seed, name) % 2 == 0
