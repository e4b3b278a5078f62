"""The emulated model's built-in tools: code execution and grounding (search, URLs, maps, files)."""

from __future__ import annotations

import base64
import io
import struct
import zlib
from typing import Any

import pytest

from gemini_nb.emulator.model.tools.corpus import DOCUMENTS, PLACES, document_at
from gemini_nb.emulator.model.tools.grounding import REDIRECT_PREFIX, resolve_redirect
from gemini_nb.emulator.model.tools.turn import tool_turn
from tests.emulator.tool_helpers import (
    FLASH,
    GEMINI3,
    OLD,
    assert_supports_exact,
    check_wire_shape,
    request,
    run_program,
    text_of,
)

# --- code execution -----------------------------------------------------------------------------

CODE_PROMPTS = [
    "What is the sum of the first 10 prime numbers?",
    "List the first 100 primes",
    "Is 97 prime?",
    "Is 91 a prime number?",
    "What is the 100th prime?",
    "Find all primes below 50",
    "primes up to 20000",
    "Print the first 15 Fibonacci numbers",
    "What is the 50th Fibonacci number?",
    "Sum of the first ten fibonacci numbers",
    "Compute 20 factorial",
    "What is 12!?",
    "gcd of 48 and 180",
    "lcm of 4, 6 and 10",
    "What is the sum of all numbers from 1 to 100?",
    "sum of even numbers from 1 to 10",
    "sum of the squares of integers from 1 to 10",
    "What's the average of 3, 5 and 10?",
    "mean, median and standard deviation of 2, 4, 4, 4, 5, 5, 7, 9",
    "variance and product of 1.5, 2 and 4",
    "What are the max and min of 3, -7.5, 12 and 0?",
    "Sort these numbers: 5, 3, 9, 1",
    "sort in descending order: 5, 3.5, 9, 1",
    "Sort the words 'pear', 'Apple', 'banana' alphabetically",
    "How many r's are in strawberry?",
    "How many times does the letter 'r' appear in 'strawberry'?",
    "count the vowels in 'Programming is fun'",
    "Count the words in 'the quick brown fox jumps'",
    "how many characters in 'héllo wörld'",
    "Reverse the string 'hello world'",
    "reverse the words in 'one two three'",
    "Reverse the list of numbers 1, 2, 3",
    "Is 'A man, a plan, a canal: Panama' a palindrome?",
    "Calculate 2 + 3 * 4",
    "What is 17 times 23?",
    "compute (5+3)^2 / 4",
    "what is the square root of 144 plus 1",
    "calculate 15% of 80",
    "What is 7.5 - 10.25?",
    "Calculate 2 ** 10000",
    "run some code for me please",
    "Write a python program about \"quotes\" and 'apostrophes' \\ backslashes",
    "Plot a bar chart of 3, 7, 2, 9",
    "Plot sin(x)",
    "Graph x^2",
    "plot the exponential function",
]


@pytest.mark.parametrize("prompt", CODE_PROMPTS)
def test_code_output_is_exactly_what_the_program_prints(prompt: str) -> None:
    turn = tool_turn(request(prompt, [{"codeExecution": {}}]), FLASH)
    assert turn is not None
    kinds = [next(iter(p)) for p in turn.parts]
    assert kinds[:3] == ["text", "executableCode", "codeExecutionResult"] and kinds[-1] == "text"
    code = turn.parts[1]["executableCode"]
    result = turn.parts[2]["codeExecutionResult"]
    assert code["language"] == "PYTHON" and result["outcome"] == "OUTCOME_OK"
    stdout, error = run_program(code["code"])
    assert error is None
    assert stdout == result["output"]
    check_wire_shape(turn)


@pytest.mark.parametrize(
    ("prompt", "error"),
    [
        ("Calculate 5 / 0", "ZeroDivisionError: division by zero"),
        ("compute sqrt(-1)", "ValueError: math domain error"),
        ("calculate 10 mod 0", "ZeroDivisionError: integer modulo by zero"),
    ],
)
def test_failing_code_reports_the_same_error(prompt: str, error: str) -> None:
    turn = tool_turn(request(prompt, [{"codeExecution": {}}]), FLASH)
    assert turn is not None
    result = turn.parts[2]["codeExecutionResult"]
    assert result["outcome"] == "OUTCOME_FAILED"
    assert result["output"].startswith("Traceback") and result["output"].rstrip().endswith(error)
    _, raised = run_program(turn.parts[1]["executableCode"]["code"])
    assert raised is not None and f"{type(raised).__name__}: {raised}" == error


def read_png(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, size, raw = 8, (0, 0), b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert crc == zlib.crc32(kind + body) & 0xFFFFFFFF
        if kind == b"IHDR":
            size = struct.unpack(">II", body[:8])
        if kind == b"IDAT":
            raw += body
        pos += 12 + length
    assert len(zlib.decompress(raw)) == size[1] * (1 + 3 * size[0])
    return size


@pytest.mark.parametrize("prompt", ["Plot a bar chart of 3, 7, 2, 9", "plot sin(x) please"])
def test_plots_come_with_a_png_image(prompt: str) -> None:
    turn = tool_turn(request(prompt, [{"codeExecution": {}}]), FLASH)
    assert turn is not None
    images = [p["inlineData"] for p in turn.parts if "inlineData" in p]
    assert len(images) == 1 and images[0]["mimeType"] == "image/png"
    assert [next(iter(p)) for p in turn.parts].index("inlineData") == 3
    assert read_png(base64.b64decode(images[0]["data"])) == (320, 200)
    pil = pytest.importorskip("PIL.Image")
    assert pil.open(io.BytesIO(base64.b64decode(images[0]["data"]))).size == (320, 200)


def test_code_execution_only_when_asked() -> None:
    assert (
        tool_turn(request("Tell me a story about a dragon", [{"codeExecution": {}}]), FLASH) is None
    )
    assert (
        tool_turn(request("Who is the prime minister of Canada?", [{"codeExecution": {}}]), FLASH)
        is None
    )


def test_gemini_3_code_parts_carry_matching_ids_and_a_signature() -> None:
    turn = tool_turn(request("What is 6 times 7?", [{"codeExecution": {}}]), GEMINI3)
    assert turn is not None
    code, result = turn.parts[1], turn.parts[2]
    assert code["executableCode"]["id"] == result["codeExecutionResult"]["id"]
    assert "thoughtSignature" in code
    flash = tool_turn(request("What is 6 times 7?", [{"codeExecution": {}}]), FLASH)
    assert flash is not None and "id" not in flash.parts[1]["executableCode"]
    check_wire_shape(turn)


# --- grounding: Google Search ---------------------------------------------------------------------

SEARCH_PROMPTS = [
    "Who won the most FIFA World Cups?",
    "What is photosynthesis?",
    "How tall is the Eiffel Tower and when was it completed?",
    "Tell me about Côte d'Ivoire chocolate",
    "Use web search: what's the history of the printing press?",
    "How fast is light and how long does sunlight take to reach Earth?",
]


@pytest.mark.parametrize("model", [FLASH, OLD, GEMINI3])
@pytest.mark.parametrize("prompt", SEARCH_PROMPTS)
def test_search_grounding_supports_point_at_exact_byte_spans(prompt: str, model: str) -> None:
    turn = tool_turn(request(prompt, [{"googleSearch": {}}]), model)
    assert turn is not None
    metadata = turn.grounding_metadata
    assert metadata is not None
    assert metadata["webSearchQueries"] and all(q for q in metadata["webSearchQueries"])
    assert metadata["searchEntryPoint"]["renderedContent"].count("<a ") == len(
        metadata["webSearchQueries"]
    )
    supports = metadata["groundingSupports"]
    assert 2 <= len(supports) <= 4
    assert_supports_exact(turn)
    legacy = model == OLD
    assert all(("confidenceScores" in s) is legacy for s in supports)
    assert ("retrievalMetadata" in metadata) is legacy
    for chunk in metadata["groundingChunks"]:
        web = chunk["web"]
        assert web["uri"].startswith(REDIRECT_PREFIX)
        page = document_at(resolve_redirect(web["uri"]) or "")
        assert page is not None and web["title"] == page.domain
    check_wire_shape(turn)


def test_search_answer_sentences_come_from_cited_pages() -> None:
    turn = tool_turn(request("When did Apollo 11 land on the Moon?", [{"googleSearch": {}}]), FLASH)
    assert turn is not None and turn.grounding_metadata is not None
    pages = [
        document_at(resolve_redirect(c["web"]["uri"]) or "")
        for c in turn.grounding_metadata["groundingChunks"]
    ]
    for support in turn.grounding_metadata["groundingSupports"]:
        assert support["segment"]["text"] in pages[support["groundingChunkIndices"][0]].text  # type: ignore[union-attr]
    assert "20 July 1969" in text_of(turn)


def test_search_with_no_matching_page() -> None:
    turn = tool_turn(
        request("What's the best way to fix my bike chain?", [{"googleSearch": {}}]), FLASH
    )
    assert turn is not None and turn.grounding_metadata is not None
    assert "nothing relevant" in text_of(turn)
    assert set(turn.grounding_metadata) == {"searchEntryPoint", "webSearchQueries"}
    check_wire_shape(turn)


def test_legacy_search_retrieval_dynamic_threshold() -> None:
    tool = [
        {
            "googleSearchRetrieval": {
                "dynamicRetrievalConfig": {"mode": "MODE_DYNAMIC", "dynamicThreshold": 0.5}
            }
        }
    ]
    assert tool_turn(request("What's the price of a unicorn?", tool), "gemini-1.5-flash") is None
    turn = tool_turn(request("When did Apollo 11 land on the Moon?", tool), "gemini-1.5-flash")
    assert turn is not None and turn.grounding_metadata is not None
    assert turn.grounding_metadata["retrievalMetadata"]["googleSearchDynamicRetrievalScore"] >= 0.5
    assert_supports_exact(turn)
    check_wire_shape(turn)


def test_entry_point_html_is_escaped() -> None:
    turn = tool_turn(
        request('Search for <script>alert("x")</script> volcano eruptions', [{"googleSearch": {}}]),
        FLASH,
    )
    assert turn is not None and turn.grounding_metadata is not None
    html = turn.grounding_metadata["searchEntryPoint"]["renderedContent"]
    assert "<script>" not in html and "&lt;script&gt;" in html


# --- grounding: URL context, Maps, file search -----------------------------------------------------


def test_url_context_statuses_and_grounding() -> None:
    prompt = (
        "Summarize https://atlas.example.net/iceland, https://news.invalid/story, "
        "https://paywall.example.com/a and https://unsafe.example.net/b"
    )
    turn = tool_turn(request(prompt, [{"urlContext": {}}]), FLASH)
    assert turn is not None and turn.url_context_metadata is not None
    statuses = {
        m["retrievedUrl"]: m["urlRetrievalStatus"] for m in turn.url_context_metadata["urlMetadata"]
    }
    assert statuses == {
        "https://atlas.example.net/iceland": "URL_RETRIEVAL_STATUS_SUCCESS",
        "https://news.invalid/story": "URL_RETRIEVAL_STATUS_ERROR",
        "https://paywall.example.com/a": "URL_RETRIEVAL_STATUS_PAYWALL",
        "https://unsafe.example.net/b": "URL_RETRIEVAL_STATUS_UNSAFE",
    }
    assert turn.grounding_metadata is not None
    assert turn.grounding_metadata["groundingChunks"] == [
        {"web": {"uri": "https://atlas.example.net/iceland", "title": "Iceland"}}
    ]
    assert_supports_exact(turn)
    assert "couldn't read https://news.invalid/story" in text_of(turn)
    check_wire_shape(turn)


def test_url_context_first_sentence_and_no_urls() -> None:
    prompt = "What is the first sentence on the page https://devnotes.example.com/python? Reply with only the sentence."
    turn = tool_turn(request(prompt, [{"urlContext": {}}]), FLASH)
    assert turn is not None
    assert (
        text_of(turn)
        == DOCUMENTS[
            [d.url for d in DOCUMENTS].index("https://devnotes.example.com/python")
        ].text.split(". ")[0]
        + "."
    )
    assert tool_turn(request("No links here", [{"urlContext": {}}]), FLASH) is None
    both = tool_turn(
        request("When did Apollo 11 land on the Moon?", [{"urlContext": {}}, {"googleSearch": {}}]),
        FLASH,
    )
    assert both is not None and both.url_context_metadata is None and both.grounding_metadata


def test_maps_places_in_the_named_city() -> None:
    turn = tool_turn(
        request("What are some highly rated coffee shops in San Francisco?", [{"googleMaps": {}}]),
        FLASH,
    )
    assert turn is not None and turn.grounding_metadata is not None
    chunks = turn.grounding_metadata["groundingChunks"]
    names = {p.name for p in PLACES if p.city == "San Francisco" and "coffee" in p.categories}
    assert {c["maps"]["title"] for c in chunks} == names
    assert all(
        c["maps"]["placeId"].startswith("places/")
        and c["maps"]["uri"].startswith("https://maps.emulator.example/")
        for c in chunks
    )
    assert len(turn.grounding_metadata["groundingSupports"]) == len(chunks)
    assert turn.grounding_metadata["webSearchQueries"] == ["coffee shops in San Francisco"]
    assert_supports_exact(turn)
    check_wire_shape(turn)


def test_maps_uses_the_location_and_widget_token() -> None:
    config = {"retrievalConfig": {"latLng": {"latitude": 51.5, "longitude": -0.12}}}
    turn = tool_turn(
        request(
            "Find me a good pizza place near here.",
            [{"googleMaps": {"enableWidget": True}}],
            config=config,
        ),
        FLASH,
    )
    assert turn is not None and turn.grounding_metadata is not None
    assert [c["maps"]["title"] for c in turn.grounding_metadata["groundingChunks"]] == [
        "Camden Stone Pizza"
    ]
    assert "near you" in text_of(turn)
    assert turn.grounding_metadata["googleMapsWidgetContextToken"].startswith("widgetcontent/")
    check_wire_shape(turn)
    nothing = tool_turn(request("Any skate parks near Reykjavik?", [{"googleMaps": {}}]), FLASH)
    assert nothing is not None and nothing.grounding_metadata is not None
    assert "groundingChunks" not in nothing.grounding_metadata and "couldn't find" in text_of(
        nothing
    )


@pytest.mark.parametrize(
    ("tool", "kind"),
    [
        ({"googleSearch": {}}, "GOOGLE_SEARCH_WEB"),
        ({"urlContext": {}}, "URL_CONTEXT"),
        ({"googleMaps": {}}, "GOOGLE_MAPS"),
        ({"fileSearch": {"fileSearchStoreNames": ["fileSearchStores/s"]}}, "FILE_SEARCH"),
    ],
)
def test_server_side_tool_invocations_are_shown_when_asked(tool: dict[str, Any], kind: str) -> None:
    prompt = "Coffee near the Eiffel Tower in Paris? See https://atlas.example.net/france/paris"
    config = {"includeServerSideToolInvocations": True}
    turn = tool_turn(request(prompt, [tool], config=config), GEMINI3)
    assert turn is not None
    call, reply = turn.parts[0]["toolCall"], turn.parts[1]["toolResponse"]
    assert call["toolType"] == reply["toolType"] == kind and call["id"] == reply["id"]
    check_wire_shape(turn)
    plain = tool_turn(request(prompt, [tool]), GEMINI3)
    assert plain is not None and all("toolCall" not in p for p in plain.parts)


def test_corpus_is_emulated_and_well_formed() -> None:
    assert len({d.url for d in DOCUMENTS}) == len(DOCUMENTS) >= 30
    for doc in DOCUMENTS:
        assert doc.domain.rsplit(".", 2)[-2] == "example" or doc.domain.endswith(".example")
        assert 3 <= doc.text.count(". ") + 1 <= 6
    assert len({(p.name, p.city) for p in PLACES}) == len(PLACES)
