"""Deterministic tool behaviour of the emulated model: function calling, code execution and grounding.

When a request declares ``tools``, the emulated model decides its turn by the fixed rules below,
reading the **last user turn that contains text** (the prompt). The same request always gives
the same answer, byte for byte. Nothing here touches the network, and the emulator never
executes model or user code.

Choosing a tool
---------------
1. **Function results coming back.** If the last user turn carries ``functionResponse`` parts
   and the request declares functions, the model answers them (see *Function calling* below),
   whatever other tools are declared.
2. **A named function.** If function declarations are present and the prompt names one of
   them (or the mode is ``ANY``), the model calls functions.
3. Otherwise the first built-in tool that fits, in this order:
   ``urlContext`` when the prompt contains URLs; ``codeExecution`` when the prompt asks for a
   computation (see *Code execution*); ``googleMaps`` when it asks about places (*near*,
   *nearby*, *restaurants*, *coffee*, *museums*...); ``fileSearch``; ``googleSearch`` /
   ``googleSearchRetrieval``.
4. Otherwise the ordinary text answer (``tool_turn`` returns None) — except in mode ``NONE``
   with a named function, where the model says what it would have called.

Function calling
----------------
*Which function.* A declared function is **named** by the prompt when its name appears
verbatim (``get_weather``), when a word of its name appears (names are split on ``_ - . :`` and
camelCase, and words are compared after light stemming: ``weather``, ``orders``), or when at
least two key words of its description appear. Very common words (``get``, ``list``, ``data``,
``current``...) help ranking but never name a function alone; a few everyday synonyms do
(``temperature``/``forecast`` reach ``weather``, ``cost`` reaches ``price``).

*Modes* (``toolConfig.functionCallingConfig.mode``):

* ``AUTO``, unspecified and ``VALIDATED``: call every named function; if none is named, answer
  in text.
* ``ANY``: always call. The named functions if any, else the best-scoring declaration, else the
  first one. After function results come back the model still must call: the next function of a
  chain, else a declared function not called yet (e.g. a ``final_result`` tool), else the best
  one again — as the real API does, an automatic-function-calling loop in ANY mode only stops at
  the client's call budget.
* ``NONE``: never call. If a function is named (and no built-in tool applies) the answer is a
  short text naming the call the model would have made; otherwise the ordinary text answer.

``allowedFunctionNames`` restricts the candidates (in ``ANY``, ``VALIDATED`` and ``AUTO``).

*Arguments* are always valid against the declared schema, in either dialect
(``parameters``, the API's OpenAPI-style Schema, or ``parametersJsonSchema``). Values come from
the prompt, each checked against the parameter's schema (type, enum, format, pattern, length
and range limits). A required parameter the prompt has no fitting value for is filled by the
schema-driven default generator; an optional one is left out, as a real model does:

* values written next to the parameter's name: ``city Paris``, ``order_id: A-4417``, ``3 items``;
* enum values mentioned in the prompt (case-insensitive; ``°C``/``celsius`` reach a
  ``celsius`` value);
* dates in ISO form (``2025-01-05``, ``January 5, 2025``, ``5 Jan 2025``) for date parameters;
  e-mail addresses and URLs for parameters of that kind;
* by parameter meaning: places (``location``, ``city``...) take the words after *in/at/near/for*
  or a capitalised name (written capitalised: "weather in paris" gives ``Paris``); ``origin``/``destination`` take the words after *from*/*to*; people
  take capitalised names; ids and codes take tokens such as ``A-4417`` or ``0-7653-1178-X``;
  free text (``query``, ``text``, ``message``...) takes a quoted string, else the words after
  *about/on/for*, else the request itself with the tool talk removed; ``expression`` takes an
  arithmetic expression;
* otherwise quoted strings, then capitalised words, then codes, then the words after a
  preposition; numbers in order of appearance for numeric parameters; booleans from
  *yes/no/true/false*, or from the parameter's own words (negated by *no/not/without*);
* arrays take a listed group of values (``Paris, Rome and Oslo``) or all numbers.

When several functions are called, each one reads first the part of the prompt that mentions it.

*Parallel calls.* All named functions are called in one turn, and a function is called once per
value when the prompt lists several values for its only free-text (or only numeric) parameter:
"weather in Paris and London" gives two ``get_weather`` calls; "passwords: mellon,radiance" two
calls. At most 8 calls per turn.

*Chains.* When the prompt orders the work ("get the user's id, **then** fetch their orders";
also *and then*, *after that*, *next*, *followed by*, *once you have*, *use the result to*),
only the first step's functions are called. When their results come back, the next step's
functions are called, taking parameter values from the earlier results where names match
(``user_id`` is filled from a result's ``user_id``, or from ``id``).

*Answering results.* When the last user turn carries ``functionResponse`` parts and no further
call is due, the model writes one sentence per result: weather-like results read "The weather in
Paris is 18 °C and sunny."; other objects read "`get_user` (user_id=42) returned: name is Ada and
age is 36."; lists and scalars are shown inline (``{"result": ...}`` wrappers are unwrapped). A
result with an ``error`` key is acknowledged as a failure ("The call to `x` failed with an error:
..."), and if every result failed the answer says the request could not be completed.

*Wire details* follow recorded Developer API traffic: Gemini 3 models put an 8-character ``id``
on each ``functionCall`` (as do all models once the conversation already uses ids); Gemini 2.x
models send none. Thinking models (2.5 and later) put a ``thoughtSignature`` on the first
function-call part (not when ``thinkingBudget: 0`` switches thinking off), and 2.5 and later
models give ``finishMessage: "Model generated function call(s)."``. A call of a
function without parameters has ``"args": {}``. If a schema admits no value at all, the turn
ends with ``MALFORMED_FUNCTION_CALL`` and no content instead of an invalid call.

Code execution
--------------
With the ``codeExecution`` tool, a prompt asking for a computation gets four parts: a text intro,
``executableCode`` (``language: PYTHON``, a short readable program), ``codeExecutionResult``
(``outcome: OUTCOME_OK`` and the program's exact stdout) and a text conclusion. The emulator does
not run the program: every task kind has its own bounded implementation that computes the same
output. Recognised tasks:

* primes: the first N (and their sum), the Nth prime, primes below/up to N, "is N prime";
* Fibonacci: the first N numbers (optionally their sum), the Nth number (F(0) = 0);
* factorials (``12!``, "factorial of 20"), gcd and lcm of listed numbers;
* sums over ranges ("sum of the even numbers from 1 to 100", squares, cubes);
* sum, mean, median, maximum, minimum, product, standard deviation and variance of listed
  numbers ("3, 5 and 10");
* sorting listed numbers or words (ascending, descending, alphabetical);
* counting a letter, vowels, words or characters; reversing text or a list; palindromes;
* arithmetic expressions, also in words ("17 times 23", "(5+3)^2 / 4", "15% of 80",
  "square root of 144"). Errors are reproduced: ``5 / 0`` gives ``OUTCOME_FAILED`` with the
  ``ZeroDivisionError`` traceback as output. Results too large to print (over about a
  thousand digits) are not computed;
* plots: "plot 3, 7, 2, 9" (bar chart) or "plot sin(x)" / "graph x^2" (line chart) produce a
  matplotlib program, its printed summary, and an ``inlineData`` ``image/png`` part (a small chart
  drawn by the emulator) after the result, as the real API returns matplotlib figures.

A prompt that says *calculate, compute, run, execute, code, python, program, script, evaluate* or
*solve* without a recognised task gets a small program that analyses the request text
(characters, words, longest word). Other prompts get no code. Gemini 3 models put matching
``id``s on the code and result parts and sign the code part.

Grounding
---------
Grounding draws on a built-in corpus of about forty short reference pages (science, geography,
history, programming, sports, food, space) hosted on reserved ``example.*`` domains, and a few
map places in San Francisco, New York, Paris, London and Tokyo (the businesses are fictional).
Pages are retrieved by word overlap weighted by rarity (a page must share a fair part of the
question). Answers are sentences taken from the pages; every sentence is a ``groundingSupports``
entry whose ``segment`` gives offsets measured in UTF-8 bytes (as the Segment schema says) into
the answer's text part, ``startIndex`` omitted when 0 as proto3 JSON does, so
``text.encode()[start:end].decode() == segment.text``. Gemini 2.0 and older also send
``confidenceScores`` (and ``retrievalMetadata``); 2.5 and later leave them out, like the real API.

* ``googleSearch``: ``webSearchQueries`` are the prompt's questions without request phrasing;
  ``searchEntryPoint.renderedContent`` is a small static HTML snippet of search chips;
  ``groundingChunks`` are ``{"web": {"uri", "title"}}`` where the uri is an emulated redirect
  (``https://vertexaisearch.emulator.example/grounding-api-redirect/...``, which
  ``_grounding.resolve_redirect`` turns back into the page URL) and the title is the page's domain,
  as in real responses. The answer has 2-4 sentences. No matching page: an answer saying nothing
  relevant was found, with queries and the entry point but no chunks or supports.
* ``googleSearchRetrieval`` (legacy): the same, plus ``retrievalMetadata.
  googleSearchDynamicRetrievalScore``; in ``MODE_DYNAMIC`` a score below ``dynamicThreshold``
  (default 0.3) gives the ordinary ungrounded answer.
* ``urlContext``: every URL in the prompt gets a ``urlContextMetadata.urlMetadata`` entry.
  Corpus pages are ``URL_RETRIEVAL_STATUS_SUCCESS``; hosts containing ``paywall`` give ``..._PAYWALL``,
  ``unsafe``/``malware`` give ``..._UNSAFE``, anything else ``..._ERROR``. The answer summarises the
  retrieved pages (the first sentence if the prompt asks for it), grounded with ``{"web": {"uri":
  <the URL>, "title": <page title>}}`` chunks, and says which URLs could not be read.
* ``googleMaps``: places matching the category (coffee, pizza, museum, park, bakery, bookstore,
  sushi, restaurant, landmark...) and the city named in the prompt, or the city nearest
  ``toolConfig.retrievalConfig.latLng``; a bulleted list with one support per bullet and
  ``{"maps": {"uri", "title", "placeId"}}`` chunks (emulated ids and ``maps.emulator.example``
  links), plus ``webSearchQueries``; ``enableWidget`` adds a ``googleMapsWidgetContextToken``.
* ``fileSearch``: retrieval from the named stores' documents (uploaded or imported into the
  emulator, chunked and embedded), with ``metadataFilter`` and ``topK``; the answer is built
  from the retrieved passages, each cited as a ``{"retrievedContext": {"uri", "title", "text",
  "fileSearchStore"}}`` chunk (see :mod:`.file_search`).

With ``toolConfig.includeServerSideToolInvocations`` the answer is preceded by ``toolCall`` and
``toolResponse`` parts for the built-in tool used (``GOOGLE_SEARCH_WEB``, ``URL_CONTEXT``,
``GOOGLE_MAPS``, ``FILE_SEARCH``), as Gemini 3 does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["ToolTurn", "tool_turn"]


@dataclass
class ToolTurn:
    """A model turn decided by tool behaviour.

    parts: the model Content's parts (camelCase JSON dicts).
    grounding_metadata / url_context_metadata: candidate-level metadata, or None.
    finish_reason: the candidate's finishReason.
    finish_message: the candidate's finishMessage, or None (real 2.5+ models say
        "Model generated function call(s)." after function calls).
    tool_use_prompt: text the built-in tool fed back to the model (retrieved pages, program and
        output), for usage accounting of ``toolUsePromptTokenCount``; None when no tool ran.
    """

    parts: list[dict[str, Any]]
    grounding_metadata: dict[str, Any] | None = None
    url_context_metadata: dict[str, Any] | None = None
    finish_reason: str = "STOP"
    finish_message: str | None = None
    tool_use_prompt: str | None = None


def _tool_entry(tools: list[dict[str, Any]], key: str) -> dict[str, Any] | None:
    for tool in tools:
        entry = tool.get(key)
        if isinstance(entry, dict):
            return entry
    return None


def tool_turn(request: dict[str, Any], model: str) -> ToolTurn | None:
    """Decide the model turn for a request that declares tools; None when no tool applies."""
    from ..prompt import conversation_text, last_user_content
    from .code_exec import code_turn
    from .file_search import file_search_turn
    from .function_calls import MalformedCall, function_turn, malformed_turn
    from .grounding import maps_turn, search_turn, url_context_turn, wants_places

    tools = [t for t in request.get("tools") or [] if isinstance(t, dict)]
    if not tools:
        return None
    prompt = conversation_text(request)
    last = last_user_content(request) or {}
    answering = any(isinstance(p.get("functionResponse"), dict) for p in last.get("parts") or [])

    deferred: ToolTurn | None = None
    if any(t.get("functionDeclarations") for t in tools):
        try:
            turn = function_turn(request, model)
        except MalformedCall:
            return malformed_turn(model)
        if turn is not None:
            if answering or any("functionCall" in p for p in turn.parts):
                return turn
            deferred = turn  # mode NONE's note: only if no built-in tool has something better
    if answering:
        return None

    url_tool = _tool_entry(tools, "urlContext")
    if url_tool is not None and (turn := url_context_turn(request, model, prompt)) is not None:
        return turn
    if (
        _tool_entry(tools, "codeExecution") is not None
        and (turn := code_turn(request, model, prompt)) is not None
    ):
        return turn
    maps_tool = _tool_entry(tools, "googleMaps")
    if maps_tool is not None and prompt.strip() and wants_places(prompt):
        return maps_turn(request, model, prompt, maps_tool)
    file_tool = _tool_entry(tools, "fileSearch")
    if file_tool is not None and prompt.strip():
        return file_search_turn(request, model, prompt, file_tool)
    if _tool_entry(tools, "googleSearch") is not None and prompt.strip():
        return search_turn(request, model, prompt)
    legacy = _tool_entry(tools, "googleSearchRetrieval")
    if (
        legacy is not None
        and prompt.strip()
        and (turn := search_turn(request, model, prompt, legacy_tool=legacy))
    ):
        return turn
    return deferred
