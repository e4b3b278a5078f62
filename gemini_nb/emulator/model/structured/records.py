"""Rows from the built-in tables for structured output: cities, countries, books, films, recipes.

An object whose title, property name or fields say what it is ("City", ``cities``, a
``population`` next to a ``country``...) is filled from the matching table: the rows the
prompt names first ("Tokyo and Paris"), else the rows for the region or country it names
("in South America"), else the table's best-known rows. Property names are matched loosely
(``name``/``city``/``title``, ``population``/``inhabitants``, ``year``/``published``...).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from ..numbers import plural_counts, singular
from ..vocab import CAPITALS, CITIES
from .plausible import name_words
from .tables import (
    BOOKS,
    CITY_COUNTRY,
    COUNTRY_POPULATION,
    COUNTRY_REGION,
    LARGE_CITIES,
    MOVIES,
    RECIPES,
    cities_in,
    region_in,
)

__all__ = ["entity_kind", "map_row", "requested_length", "table_rows"]

_KIND_WORDS = {
    "city": "city",
    "town": "city",
    "metropolis": "city",
    "country": "country",
    "nation": "country",
    "book": "book",
    "novel": "book",
    "movie": "movie",
    "film": "movie",
    "author": "author",
    "writer": "author",
    "novelist": "author",
    "recipe": "recipe",
    "dish": "recipe",
    "meal": "recipe",
}
_POPULATION = {"population", "inhabitants", "residents", "pop", "people"}


def entity_kind(title: str, name: str, props: Iterable[str]) -> str | None:
    """What a schema object describes: "city", "country", "book", "movie", "author", "recipe"."""
    for source in (title, name):
        words = [singular(w) for w in name_words(source)]
        for word in reversed(words):  # "CityInfo" -> city, "BookAuthor" -> author
            if word in _KIND_WORDS:
                return _KIND_WORDS[word]
    fields = {" ".join(name_words(p)) for p in props}
    flat = {w for f in fields for w in f.split()}
    if flat & {"ingredient", "ingredients", "recipe", "dish"}:
        return "recipe"
    if "director" in flat:
        return "movie"
    if "author" in flat and ("title" in flat or "book" in flat):
        return "book"
    if flat & _POPULATION and ("city" in flat or ("name" in flat and "country" in flat)):
        return "city" if "capital" not in flat else "country"
    if "capital" in flat and ("name" in flat or "country" in flat):
        return "country"
    return None


def _mentions(text: str, names: Iterable[str]) -> list[str]:
    """Names that occur in the text, in order of appearance (longest first at one position)."""
    found: list[tuple[int, int, str]] = []
    for name in names:
        m = re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text)
        if m:
            found.append((m.start(), -len(name), name))
    found.sort()
    out: list[str] = []
    taken: list[tuple[int, int]] = []
    for start, neg_len, name in found:
        end = start - neg_len
        if any(s < end and start < e for s, e in taken):
            continue
        taken.append((start, end))
        out.append(name)
    return out


def _city_rows(text: str) -> tuple[list[dict[str, Any]], bool]:
    named = [c for c in _mentions(text, CITY_COUNTRY) if c not in CAPITALS]
    if named:
        sizes = {c.name: c.population for c in LARGE_CITIES}
        return [
            {
                "name": c,
                "country": CITY_COUNTRY[c],
                "population": sizes.get(c),
                "region": COUNTRY_REGION.get(CITY_COUNTRY[c]),
            }
            for c in named
        ], True
    rows = cities_in(text) or list(LARGE_CITIES)
    out: list[dict[str, Any]] = [
        {"name": c.name, "country": c.country, "population": c.population, "region": c.region}
        for c in rows
    ]
    # Past the table: smaller cities the model knows, in the same region, without populations.
    regions = {r["region"] for r in out}
    used = {r["name"] for r in out}
    for city in CITIES:
        country = CITY_COUNTRY.get(city, "")
        if city not in used and COUNTRY_REGION.get(country) in regions:
            out.append({"name": city, "country": country, "region": COUNTRY_REGION.get(country)})
    return out, False


def _country_rows(text: str) -> tuple[list[dict[str, Any]], bool]:
    named = _mentions(text, CAPITALS)
    regions = region_in(text)
    pool = named or sorted(
        (c for c in CAPITALS if not regions or COUNTRY_REGION.get(c) in regions),
        key=lambda c: (-COUNTRY_POPULATION.get(c, 0), c),
    )
    rows = [
        {
            "name": c,
            "capital": CAPITALS[c],
            "region": COUNTRY_REGION.get(c),
            "population": COUNTRY_POPULATION.get(c),
        }
        for c in pool
    ]
    return rows, bool(named)


def _genre_filter(text: str, genres: Iterable[str]) -> str | None:
    low = text.lower()
    return next((g for g in sorted(set(genres), key=len, reverse=True) if g in low), None)


def table_rows(kind: str, text: str) -> tuple[list[dict[str, Any]], bool]:
    """(rows for the kind, whether the text named them)."""
    if kind == "city":
        return _city_rows(text)
    if kind == "country":
        return _country_rows(text)
    if kind in ("book", "author"):
        named = [b for b in BOOKS if b.title in text or b.author in text]
        genre = _genre_filter(text, (b.genre for b in BOOKS))
        # The genre's books first, then the rest of the table rather than invented titles.
        books = named or sorted(BOOKS, key=lambda b: genre is not None and b.genre != genre)
        rows = [
            {"title": b.title, "author": b.author, "year": b.year, "genre": b.genre}
            if kind == "book"
            else {"name": b.author, "book": b.title, "year": b.year}
            for b in books
        ]
        return rows, bool(named)
    if kind == "movie":
        named_m = [m for m in MOVIES if m.title in text or m.director in text]
        genre = _genre_filter(text, (m.genre for m in MOVIES))
        movies = named_m or sorted(MOVIES, key=lambda m: genre is not None and m.genre != genre)
        return [
            {"title": m.title, "director": m.director, "year": m.year, "genre": m.genre}
            for m in movies
        ], bool(named_m)
    if kind == "recipe":
        low = text.lower()
        words = {singular(w) for w in re.findall(r"[a-z]{4,}", low)}
        matching = [
            r
            for r in RECIPES
            if words & {singular(w) for w in re.findall(r"[a-z]{4,}", r.name.lower())}
            or r.cuisine.lower() in low
        ]
        recipes = matching or list(RECIPES)
        return [
            {
                "name": r.name,
                "cuisine": r.cuisine,
                "minutes": r.minutes,
                "servings": r.servings,
                "ingredients": list(r.ingredients),
                "steps": list(r.steps),
            }
            for r in recipes
        ], bool(matching)
    return [], False


# property words -> row field, per kind (first match wins)
_FIELDS: dict[str, tuple[tuple[tuple[str, ...], str], ...]] = {
    "city": (
        (tuple(_POPULATION), "population"),
        (("country", "nation"), "country"),
        (("continent", "region"), "region"),
        (("name", "city", "title"), "name"),
    ),
    "country": (
        (tuple(_POPULATION), "population"),
        (("capital",), "capital"),
        (("continent", "region"), "region"),
        (("name", "country", "nation"), "name"),
    ),
    "book": (
        (("author", "writer", "by"), "author"),
        (("year", "published", "publication"), "year"),
        (("genre", "category"), "genre"),
        (("title", "name", "book"), "title"),
    ),
    "movie": (
        (("director", "directed"), "director"),
        (("year", "released", "release"), "year"),
        (("genre", "category"), "genre"),
        (("title", "name", "movie", "film"), "title"),
    ),
    "author": (
        (("book", "work", "title", "novel", "known"), "book"),
        (("year",), "year"),
        (("name", "author", "writer"), "name"),
    ),
    "recipe": (
        (("ingredient", "ingredients"), "ingredients"),
        (("step", "steps", "instruction", "instructions", "method", "directions"), "steps"),
        (("minute", "minutes", "time", "duration"), "minutes"),
        (("serving", "servings", "serves", "portions", "yield"), "servings"),
        (("cuisine", "origin"), "cuisine"),
        (("name", "title", "recipe", "dish"), "name"),
    ),
}


def _types(schema: Mapping[str, Any]) -> list[str]:
    t = schema.get("type")
    return [str(x).lower() for x in t] if isinstance(t, list) else ([str(t).lower()] if t else [])


def _shaped(value: Any, field: str, words: list[str], schema: Mapping[str, Any]) -> Any:
    types = _types(schema)
    if isinstance(value, list) and "string" in types and "array" not in types:
        return ", ".join(str(v) for v in value)
    if field == "population" and isinstance(value, int):
        if "million" in words or "millions" in words:
            return round(value / 1_000_000, 1)
        if "string" in types and not ({"integer", "number"} & set(types)):
            return f"about {value / 1_000_000:.1f} million"
    if field == "minutes" and "string" in types and not ({"integer", "number"} & set(types)):
        return f"{value} minutes"
    if field == "minutes" and ("hour" in words or "hours" in words) and isinstance(value, int):
        return round(value / 60, 1)
    return value


def map_row(kind: str, row: Mapping[str, Any], props: Mapping[str, Any]) -> dict[str, Any]:
    """The row's values under the schema's property names (only the properties that match)."""
    out: dict[str, Any] = {}
    for prop, sub in props.items():
        words = name_words(prop)
        wordset = set(words) | {singular(w) for w in words}
        for aliases, field in _FIELDS.get(kind, ()):
            if wordset & set(aliases):
                value = row.get(field)
                if value is not None:
                    out[prop] = _shaped(
                        value, field, words, sub if isinstance(sub, Mapping) else {}
                    )
                break
    return out


def requested_length(prompt: str, path: str, name: str, title: str) -> int | None:
    """The item count the prompt asks for ("four cities"), for the main array or a named one."""
    counts = plural_counts(prompt)
    if not counts:
        return None
    if path == "$":
        return counts[0][0]
    nouns = {singular(w) for w in name_words(name)} | {singular(w) for w in name_words(title)}
    for n, noun in counts:
        if noun in nouns:
            return n
    return None
