"""The emulator's answers to the tour notebook's prompts read like a model's answers.

One test per tour prompt (format instructions, personas, plans in an example's JSON shape,
tables behind structured output, names, counting, tips, descriptions), plus the general rules
behind them (number words set counts, format instructions leave the topic and are honoured).
"""

from __future__ import annotations

import json
import re
from typing import Any

import jsonschema
import pytest
from pydantic import BaseModel, TypeAdapter

from gemini_nb.emulator.model.generate import generate, stream_chunks
from gemini_nb.emulator.model.responder import read_conversation
from gemini_nb.emulator.model.structured.tables import LARGE_CITIES
from gemini_nb.emulator.prose.advice import PET_NAMES
from gemini_nb.emulator.prose.analysis import Analysis, analyse, wants_code

from .test_model import FLASH, PRO, answer, m, req, run


def analysed(text: str, **kw: Any) -> Analysis:
    return analyse(read_conversation(req(text, **kw)))


def say(text: str, model: str = FLASH, **kw: Any) -> str:
    return answer(run(text, model, **kw))


def paragraphs(text: str) -> list[str]:
    return [p for p in text.split("\n\n") if p.strip()]


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z])", text.strip()) if s]


class City(BaseModel):
    name: str
    country: str
    population: int


# --- 1. "Explain in three short paragraphs why the sky is blue." ---------------------------------


def test_format_instruction_leaves_the_topic_and_shapes_the_answer() -> None:
    prompt = "Explain in three short paragraphs why the sky is blue."
    a = analysed(prompt)
    assert a.topic == "why the sky is blue"
    assert a.shape is not None and (a.shape.unit, a.shape.count) == ("paragraph", 3)
    text = say(prompt)
    assert len(paragraphs(text)) == 3
    assert "paragraphs" not in text and "in three" not in text
    assert "Rayleigh scattering" in text and "sunset" in text
    assert not re.search(r"^\s*[*-] ", text, re.MULTILINE)  # prose, not bullets


@pytest.mark.parametrize(
    ("prompt", "unit", "count", "topic"),
    [
        ("Write three sentences about the moon.", "sentence", 3, "the moon"),
        ("In two paragraphs, explain gravity.", "paragraph", 2, "gravity"),
        ("Describe the sea in 40 words or less.", "word", 40, "the sea"),
        ("Explain how volcanoes work in 3 bullet points.", "bullet", 3, "how volcanoes work"),
        (
            "Explain in four short paragraphs what machine learning is.",
            "paragraph",
            4,
            "machine learning",
        ),
    ],
)
def test_format_instructions_are_honoured(prompt: str, unit: str, count: int, topic: str) -> None:
    a = analysed(prompt)
    assert a.shape is not None and (a.shape.unit, a.shape.count) == (unit, count)
    assert a.topic == topic
    text = say(prompt)
    if unit == "paragraph":
        assert len(paragraphs(text)) == count
    elif unit == "sentence":
        assert len(paragraphs(text)) == 1 and len(sentences(text)) == count
    elif unit == "word":
        assert len(text.split()) <= count and text.endswith(".")
    else:
        lines = text.splitlines()
        assert len(lines) == count and all(line.startswith("* ") for line in lines)


def test_briefly_is_a_brevity_rule_not_part_of_the_topic() -> None:
    a = analysed("Explain briefly how tides work")
    assert a.rules.brief and a.topic == "how tides work"
    text = say("Explain briefly how tides work")
    assert "\n" not in text and len(sentences(text)) == 1 and "Moon" in text
    # A lone interjection is never the whole brief answer.
    assert len(say("Describe Seattle briefly").split()) > 3


# --- 2. a ship's captain describing the sea at night -------------------------------------------------


def test_ships_captain_persona_and_a_descriptive_answer() -> None:
    text = say(
        "Describe the sea at night.", PRO, system="Answer like a ship's captain.", temperature=0.3
    )
    assert text.startswith("Ahoy") and "Fair winds" in text
    assert "a topic with a few key pieces" not in text
    assert "moon" in text and ("black" in text or "dark" in text) and "waves" in text
    for system in ("You are a sailor.", "You are an old sea captain.", "Talk like a skipper."):
        assert analysed("hi", system=system).rules.style == "captain", system
    assert analysed("hi", system="You are a pirate captain.").rules.style == "pirate"
    teacher = analysed("hi", system="Answer like a friendly teacher.")
    assert teacher.rules.persona == "friendly teacher" and teacher.rules.style is None


# --- 3. a plan in the shape of the prompt's JSON example -----------------------------------------------

PLAN = (
    "Plan one day in Lisbon for 120 euros.\n"
    'Reply with the same structure as this example: {"morning": "...", "afternoon": "..."}'
)


def test_plan_answers_in_the_example_json_structure() -> None:
    assert analysed(PLAN).intent.kind == "plan"
    text = say(PLAN)
    fenced = re.fullmatch(r"```json\n(.*)\n```", text, flags=re.DOTALL)
    assert fenced, text
    value = json.loads(fenced.group(1))
    assert list(value) == ["morning", "afternoon"]
    assert all(isinstance(v, str) and len(v.split()) >= 6 for v in value.values())
    assert "Belém" in value["afternoon"] or "Alfama" in value["morning"]
    budgets = [int(x) for x in re.findall(r"about (\d+) euros", " ".join(value.values()))]
    assert len(budgets) == 2 and sum(budgets) <= 120


def test_plan_in_text_mentions_the_place_and_budget() -> None:
    text = say("Plan one day in Lisbon for 120 euros.")
    assert "Lisbon" in text and "120 euros" in text
    assert all(slot in text for slot in ("Morning", "Lunch", "Afternoon", "Evening"))
    costs = [int(x) for x in re.findall(r"\(about (\d+) euros\)", text)]
    assert len(costs) == 4 and sum(costs) <= 120
    three = say("Plan a 3-day trip to Rome for 500 euros")
    assert all(f"**Day {d}**" in three for d in (1, 2, 3)) and "Colosseum" in three
    generic = say("Plan a picnic.")
    assert "picnic" in generic and "1. " in generic


def test_json_examples_also_shape_json_mode_without_a_schema() -> None:
    value = json.loads(answer(run(PLAN, responseMimeType="application/json")))
    assert list(value) == ["morning", "afternoon"]
    nested = say('Tell me about Lisbon. Keep this JSON: {"a": {"b": 1}}')
    inner = json.loads(nested.removeprefix("```json\n").removesuffix("\n```"))
    assert list(inner) == ["a"] and isinstance(inner["a"]["b"], int)


# --- 4. structured output from the tables --------------------------------------------------------------


def _structured(prompt: str, schema: dict[str, Any], model: str = FLASH) -> Any:
    text = say(prompt, model, responseMimeType="application/json", responseJsonSchema=schema)
    value = json.loads(text)
    jsonschema.validate(value, schema)
    return value


def test_list_of_cities_uses_the_count_and_the_city_table() -> None:
    schema = TypeAdapter(list[City]).json_schema()
    assert schema["items"] == {"$ref": "#/$defs/City"}
    value = _structured("List four large cities in South America with their populations.", schema)
    assert len(value) == 4
    known = {c.name: c for c in LARGE_CITIES}
    for item in value:
        city = known[item["name"]]
        assert city.region == "South America"
        assert item["country"] == city.country and item["population"] == city.population
    assert value[0]["name"] == "São Paulo"
    japan = _structured("List 3 cities in Japan.", schema)
    assert [c["name"] for c in japan] == ["Tokyo", "Osaka", "Nagoya"]
    named = _structured("Compare Tokyo, Paris and Lagos.", schema)
    assert [c["country"] for c in named] == ["Japan", "France", "Nigeria"]


@pytest.mark.parametrize(("word", "n"), [("two", 2), ("5", 5), ("six", 6), ("a couple of", 2)])
def test_number_words_set_the_array_length(word: str, n: int) -> None:
    schema = TypeAdapter(list[City]).json_schema()
    assert len(_structured(f"Give me {word} big cities in Asia.", schema)) == n


def test_array_length_stays_within_min_and_max_items() -> None:
    schema = {
        "type": "object",
        "properties": {"cities": {"type": "array", "items": {"type": "string"}, "maxItems": 3}},
        "required": ["cities"],
    }
    assert len(_structured("Name ten cities I should visit.", schema)["cities"]) == 3
    schema["properties"]["cities"] = {"type": "array", "items": {"type": "string"}, "minItems": 4}
    assert len(_structured("Name two cities I should visit.", schema)["cities"]) == 4


def test_other_record_kinds_come_from_tables() -> None:
    class Country(BaseModel):
        name: str
        capital: str

    class Book(BaseModel):
        title: str
        author: str
        year: int

    class Movie(BaseModel):
        title: str
        director: str

    class Recipe(BaseModel):
        name: str
        ingredients: list[str]
        minutes: int

    countries = _structured(
        "List three countries in South America.", TypeAdapter(list[Country]).json_schema()
    )
    assert [c["name"] for c in countries] == ["Brazil", "Colombia", "Argentina"]
    assert countries[0]["capital"] == "Brasília"
    books = _structured(
        "Recommend two science fiction books.", TypeAdapter(list[Book]).json_schema()
    )
    assert {b["author"] for b in books} == {"Frank Herbert", "Ursula K. Le Guin"}
    movie = _structured("Suggest a classic movie.", TypeAdapter(list[Movie]).json_schema())[0]
    assert movie == {"title": "Casablanca", "director": "Michael Curtiz"}
    recipe = _structured("Give me a recipe for cookies.", Recipe.model_json_schema())
    assert "cookie" in recipe["name"].lower() and "flour" in recipe["ingredients"]
    # A lone object keeps what the prompt says over any table row.
    review = _structured('Review "The Overstory" by Richard Powers', Book.model_json_schema())
    assert review["title"] == "The Overstory" and review["author"] == "Richard Powers"


def test_structured_output_is_deterministic() -> None:
    schema = TypeAdapter(list[City]).json_schema()
    body = req(
        "List four large cities in South America with their populations.",
        responseMimeType="application/json",
        responseJsonSchema=schema,
    )
    assert json.dumps(generate(body, m(FLASH))) == json.dumps(generate(body, m(FLASH)))


# --- 5. "Suggest a name for a cat." ----------------------------------------------------------------------


def test_suggest_a_name_suggests_names() -> None:
    cat_names = {name for name, _ in PET_NAMES["cat"]}
    text = say("Suggest a name for a cat.")
    bold = re.findall(r"\*\*(\w+)\*\*", text)
    assert bold and bold[0] in cat_names
    assert "starting points" not in text and "perspective" not in text
    brief = say("Suggest a name for a cat.", system="Be friendly and brief.")
    assert "\n" not in brief and re.search(r"\*\*(\w+)\*\*", brief)
    assert re.findall(r"\*\*(\w+)\*\*", brief)[0] in cat_names
    five = say("Give me five names for a dog")
    dog_names = {name for name, _ in PET_NAMES["dog"]}
    assert len(re.findall(r"^\d\. \*\*(\w+)\*\*", five, re.MULTILINE)) == 5
    assert set(re.findall(r"^\d\. \*\*(\w+)\*\*", five, re.MULTILINE)) <= dog_names
    assert analysed("What should I call my goldfish?").intent.kind == "names"


# --- 6. counting ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ("Count from one to five in words.", "One, two, three, four, five."),
        ("Count from 1 to 10", "1, 2, 3, 4, 5, 6, 7, 8, 9, 10"),
        ("Count to three", "One, two, three."),
        ("Count from 1 to 3 in words", "One, two, three."),
        ("Count down from 5", "5, 4, 3, 2, 1"),
        ("Count to 10 by twos", "2, 4, 6, 8, 10"),
        ("Count from 1 to 3, one number per line", "1\n2\n3"),
        ("Count from eighteen to twenty-one in words.", "Eighteen, nineteen, twenty, twenty-one."),
    ],
)
def test_counting(prompt: str, expected: str) -> None:
    assert say(prompt) == expected


def test_counting_streams_the_same_text() -> None:
    r = run("Count from one to five in words.")
    events = stream_chunks(r)
    streamed = "".join(
        p.get("text", "")
        for e in events
        for p in e["candidates"][0].get("content", {}).get("parts", [])
        if not p.get("thought")
    )
    assert streamed == "One, two, three, four, five."


# --- 7. "Give me two tips for writing clear code." ----------------------------------------------------


def test_tips_about_code_are_tips_not_code() -> None:
    text = say("Give me two tips for writing clear code.", temperature=0.2)
    assert "```" not in text
    items = re.findall(r"^\d\. \*\*(.+?):\*\*", text, re.MULTILINE)
    assert len(items) == 2 and "names" in items[0].lower()
    assert len(re.findall(r"^\d\. ", say("Give me 4 tips for better sleep"), re.MULTILINE)) == 4


@pytest.mark.parametrize(
    ("prompt", "code"),
    [
        ("Give me two tips for writing clear code.", False),
        ("What makes code readable?", False),
        ("How does the heart function?", False),
        ("Tips for learning programming", False),
        ("Read our code of conduct", False),
        ("Write a function that reverses a string", True),
        ("Show me some code to parse JSON", True),
        ("Give me a Python snippet for reading a CSV", True),
        ("Write a script that renames files", True),
        ("Is Python good for beginners?", True),
    ],
)
def test_code_blocks_only_when_code_is_asked_for(prompt: str, code: bool) -> None:
    assert wants_code(prompt) is code
    assert ("```python" in say(prompt)) is code


# --- 8. descriptions --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prompt", "facts"),
    [
        ("Tell me about the moon.", ("natural satellite", "phases", "tides")),
        ("Describe the sea.", ("71%", "salty", "currents")),
        (
            "Tell me about volcanoes in Iceland.",
            ("magma", "Mid-Atlantic Ridge", "Eyjafjallajökull"),
        ),
        ("Describe a forest at night.", ("night", "owls")),
    ],
)
def test_descriptions_are_prose_about_the_topic(prompt: str, facts: tuple[str, ...]) -> None:
    a = analysed(prompt)
    assert a.intent.kind == "describe"
    text = say(prompt)
    assert all(f in text for f in facts), text
    assert len(paragraphs(text)) >= 2
    for mechanical in ("a topic with a few key pieces", "rests on", "The core idea"):
        assert mechanical not in text


def test_unknown_topics_get_general_prose_without_invented_facts() -> None:
    text = say("Tell me about octopuses")
    assert "octopuses" in text and not re.search(r"\d", text)
    assert say("Describe this image.").startswith("I don't see an image attached")


def test_new_answers_are_deterministic_and_candidates_differ() -> None:
    for prompt in (
        "Explain in three short paragraphs why the sky is blue.",
        PLAN,
        "Tell me about the moon.",
    ):
        body = req(prompt, temperature=0.7)
        assert json.dumps(generate(body, m(FLASH))) == json.dumps(generate(body, m(FLASH)))
    r = run("Tell me about the moon.", candidateCount=3, temperature=1.0)
    assert len({answer(r, i) for i in range(3)}) == 3
