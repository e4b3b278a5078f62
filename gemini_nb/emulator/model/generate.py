"""What the local emulator's models say: deterministic, prompt-aware Gemini behaviour.

The emulator answers real Gemini REST requests (already validated, camelCase JSON) with real
response shapes, without a network or an API key. Its "model" is a deterministic program: it
reads the conversation, picks a kind of answer, and phrases it. This page describes exactly
what it does, so a notebook reader knows what to expect.

Who words the answers
    Everything below about the shape of a response is decided here; the words of free-text
    answers, thought summaries and unschematised JSON come from a ``Responder``
    (``responder.py``). The default is the emulator's own frozen prose (``prose/``), which
    the rest of this page describes; ``generate(..., responder=...)`` puts another in its
    place, and scripted answers (``scripted=``) replace a turn's parts outright.

Determinism
    The same request gives the same response, byte for byte: no clock, no randomness, no
    dependence on dict key order. Every choice is a SHA-256 hash of the request; ``responseId``
    is one too (23 URL-safe characters, like the real ones). ``modelVersion`` is the model id
    (aliases such as ``gemini-flash-latest`` report the model they point to).

What the answer depends on (the default Responder, ``prose/``)
    * The last user turn: its key words are restated in **bold**, and its shape picks the kind of
      answer: greetings get a greeting; "What is 2 + 2?" is calculated exactly ("2 + 2 = **4**",
      with + - * / and words like "times"); "What is the capital of France?" is answered from a
      built-in table of ~60 countries; "Say "hello"" / "Say exactly: ..." is echoed; "List 5
      fruits" / "List all U.S. states" use built-in lists (fruits, planets, colours, countries,
      U.S. states, days); "Give me 3 tips for X", "How do I X?" give numbered tips or steps
      (topic-specific advice on clear code and sleep, ``prose/advice``); "What are the benefits
      of X?" and "Recommend some X" give numbered benefits or suggestions; "Suggest a name for a
      cat" / "What should I call my goldfish?" suggest names (a small table of names for cats,
      dogs and fish, coined names otherwise); "Count from one to five in words" counts ("One, two, three, four, five.";
      digits, "by twos", "one per line"); "Plan one day in Lisbon for 120 euros" gives a
      morning / lunch / afternoon / evening plan within the budget (well-known sights in Lisbon
      and Rome, general suggestions elsewhere), other "Plan X" prompts a short checklist;
      "Explain X" / "What is X?" / "Why is X Y?" give a short overview; "Describe X" / "Tell me
      about X" give descriptive paragraphs; for a few topics (the Moon, the Sun, the sea, the
      sky's colour, tides, volcanoes, Iceland, photosynthesis, gravity, rainbows, black holes,
      forests) both draw on short textbook notes (``prose/topics``); "Tell me about Paris" /
      "Who was Ada Lovelace?" describe a capital from the table or a person in general terms;
      "Compare A and B" gives a small table; "Write a haiku / story / joke about X"; "Write an
      email to my boss asking for X" drafts an email; "Summarize: ..." quotes the lead sentence;
      "Translate 'thank you' into Spanish" knows a tiny phrasebook; yes/no questions get a
      verdict; thanks and "I'm feeling sad" get fitting replies. The model has no world
      knowledge beyond these tables: open questions get plausible but general prose about their
      topic, never invented specifics. "Describe this image" with nothing attached says so.
      Anything a demo needs beyond this is scripted (``scripted=``), not worded here.
    * Format instructions in the prompt are taken out of the topic and followed: "in three
      short paragraphs" gives exactly three paragraphs, "in two sentences" one paragraph of two
      sentences, "in 3 bullet points" three bullets, "in 50 words" at most 50 words; "Write
      three sentences about X" works the same way; "briefly" / "in one sentence" keep the first
      sentence. Number words and digits ("two tips", "four cities", "a few ideas") set counts.
    * A JSON example in the prompt ("Reply with the same structure as this example:
      {"morning": "...", "afternoon": "..."}") makes the answer a fenced ```json object with
      the same keys, filled from the request (a plan's time slots and budget, values the prompt
      names) and plausible values elsewhere.
    * The conversation: facts the user stated earlier ("My name is Ada", "my favourite colour is
      teal", "I live in Lisbon", "I'm 30 years old") are remembered; "What is my name?" answers
      "Your name is **Ada**."; "What did I just say?" quotes the previous user message; a name
      given in the turn itself is used in the greeting.
    * The system instruction: "answer in French" (also in the prompt) switches to French; "be
      brief" / "one sentence" keeps the first sentence; "answer in one word" gives only the key
      value ("Tokyo"); "You are a pirate" (or a cat) wraps the answer in that voice ("Arr,
      matey! ..."); "You are a sailor" / "Answer like a ship's captain" (captain, skipper,
      mariner) use a nautical voice ("Ahoy there! ... Fair winds and following seas!"); any
      other persona ("You are a travel guide", "Answer like a friendly teacher") prefixes "As a
      travel guide, here's my take."; "You are Max" / "Your name is Max" names the assistant for
      "Who are you?"; "use bullet points", "all caps" and "always end with X" are followed.
    * Code: a prompt that asks for code ("write a function", "show me some code", "a Python
      snippet", "a script that...", or names Python) gets one fenced ```python block of
      runnable, standard-library-only code related to the prompt (the word "code" alone, as in
      "tips for writing clear code", is not a request for code) (Fibonacci, primes, sorting,
      reversing a string, CSV, JSON, or a small helper named after the topic) plus the output it
      prints.
    * Media: inlineData / fileData parts are acknowledged with their type and size (image
      dimensions from PNG/JPEG/GIF/WebP headers, audio and video length, PDF pages); an
      attachment with no text still gets an answer. The emulator does not look at pixels or
      sounds and says so when asked to describe them.
    * Function calling and other tools: when ``tools`` are declared, ``tools/turn.tool_turn`` decides
      the turn first (function calls, code execution, grounding); its parts become the candidate
      and are counted like any other output. When it declines, the model answers in text; a turn
      made only of functionResponse parts gets a summary of the returned fields.

generationConfig
    * ``temperature`` / ``seed`` / ``topP`` / ``topK`` select among equivalent phrasings. At
      temperature 0 the phrasing ignores ``seed``.
    * ``candidateCount`` N returns N candidates (index 0..N-1) with different phrasings, up to
      the model's limit (8; 1 for Gemini 3 previews, image, TTS and Gemma models).
    * ``maxOutputTokens`` cuts the answer after that many tokens and sets finishReason
      ``MAX_TOKENS``. On thinking models thoughts count against the same allowance, as on the
      real API; the emulator keeps at least half of it for the answer. A cut that leaves no
      answer text returns a content without parts.
    * ``stopSequences`` end the answer just before the first occurrence of any of them;
      finishReason stays ``STOP`` and the stop sequence is not included.
    * ``responseMimeType: application/json`` with ``responseSchema`` (OpenAPI dialect) or
      ``responseJsonSchema`` (JSON Schema dialect) returns JSON valid against the schema, with
      values taken from the conversation where field names match (city, country, name, title,
      author, rating, operands and results of a sum, enum values the prompt mentions...) and
      plausible, prompt-seeded values elsewhere. Objects that describe a city, country, book,
      film, author or recipe (by title such as ``City`` or a ``$ref`` to ``#/$defs/City``, by
      property name such as ``cities``, or by their fields) are filled from the built-in tables:
      the rows the prompt names ("Tokyo and Paris"), else those of the region or country it
      names ("in South America"), else the best-known rows. "four cities" / "3 recipes" set the
      length of the main array (within minItems / maxItems). Gemini 3 models indent the JSON; 2.x models
      write it compact. Without a schema the JSON is a small object about the prompt; a schema
      without a JSON MIME type is still answered in JSON.
      ``text/x.enum`` with an enum schema returns one of the values (the one the prompt
      mentions, or the one its sentiment points to, e.g. positive/negative).
    * ``responseModalities``: image models (``gemini-2.5-flash-image``, ``gemini-3-pro-image-
      preview``) return a line of text plus a picture drawn from the prompt's words, at the
      ``imageConfig`` aspect ratio and size, editing the newest image of the conversation when
      there is one (``images.py``); TTS models return 24 kHz 16-bit PCM
      (``audio/L16;codec=pcm;rate=24000``) that says the prompt in the ``speechConfig`` voice,
      one voice per speaker (``speech.py``).
    * ``thinkingConfig``: thinking models spend thinking tokens according to the task, the
      prompt's length, the model (Pro thinks more, Flash-Lite less) and ``thinkingLevel``
      (MINIMAL < LOW < MEDIUM < HIGH) or ``thinkingBudget`` (a cap; -1 is dynamic; 0 disables
      thinking where the model allows it). They are reported as ``thoughtsTokenCount``.
      ``includeThoughts: true`` adds a thought summary part (``{"text": ..., "thought": true}``)
      before the answer. Gemini 3 models attach a ``thoughtSignature`` (base64 bytes) to the
      first answer part; 2.5 models do when thoughts are included or the answer is a function
      call. Gemini 2.5 Flash-Lite does not think unless given a budget.

Usage accounting
    ``promptTokenCount`` is exactly what ``countTokens`` reports for the same contents plus the
    system instruction and tools (``token_count``), with ``promptTokensDetails`` per modality.
    ``candidatesTokenCount`` counts the answer parts (not thoughts, not code results), summed
    over candidates; code execution results are ``toolUsePromptTokenCount``; ``totalTokenCount``
    is prompt + candidates + thoughts + tool use. Text is tokenized by words (up to 7 letters
    one token, longer words in ~6-letter chunks), every digit and punctuation mark, newline runs
    and CJK characters; media cost 258 tokens per image, 32 per second of audio, 263 per second
    of video, 258 per PDF page (fileData, whose bytes the model does not see, counts as one
    image, page, or 10 seconds). Thought parts in the history are not counted.
    ``generate``/``count_tokens`` accept the CachedContent resource a request refers to
    (``cached_content=``): the model sees its contents first and usage reports them as
    ``cachedContentTokenCount`` (included in ``promptTokenCount``) with ``cacheTokensDetails``.

Streaming
    ``stream_chunks`` splits a response into the events streamGenerateContent sends: text in
    pieces of a few words, thoughts one section per event, function calls / code / media whole,
    running usage on every event, finishReason and metadata on the last.

Embeddings
    Deterministic, L2-normalised vectors (768 values for text-embedding-004, 3072 for
    gemini-embedding-001) built by feature hashing of word stems, bigrams and character
    trigrams: texts that share words are close (cosine), unrelated texts are near 0.
    ``outputDimensionality`` truncates and renormalises; ``taskType`` and ``title`` shift the
    vector slightly.

Errors the model layer raises (the real server's wording)
    * 404 ``models/X is not found for API version v1beta, or is not supported for
      generateContent. Call ListModels ...`` for a method the model lacks (e.g. generateContent
      on an embedding model, embedContent on a chat model, countTokens where unsupported).
    * 400 for ``candidateCount`` above the model's limit, ``maxOutputTokens`` above its
      outputTokenLimit, input over its inputTokenLimit, thinkingConfig on a model that does not
      think (``thinking_config is not supported.``), ``thinkingBudget: 0`` on models that always
      think, budgets out of range, ``thinkingLevel`` on 2.5 models or a level the model lacks,
      both a level and a budget, an OBJECT ``responseSchema`` without properties or with
      ``required`` names it does not define, and response modalities the model cannot produce.

Test triggers (put them anywhere in the last user message; they are not echoed)
    * ``[emulator:block]``: the prompt is blocked: ``promptFeedback.blockReason: SAFETY`` (rated
      HIGH for dangerous content), no candidates. A safetySettings entry for
      HARM_CATEGORY_DANGEROUS_CONTENT with BLOCK_NONE or OFF lets it through.
    * ``[emulator:safety]``: the candidate stops with finishReason ``SAFETY`` and safetyRatings
      (dangerous content MEDIUM, blocked). BLOCK_ONLY_HIGH, BLOCK_NONE or OFF for that category
      let it through; an unset threshold counts as BLOCK_MEDIUM_AND_ABOVE.
    * ``[emulator:recitation]``: the candidate stops after its first sentence with finishReason
      ``RECITATION``.
"""

from __future__ import annotations

import base64
import copy
import json
import math
from dataclasses import dataclass, field
from typing import Any, Literal

from ..backends.catalogue import ModelInfo, not_supported_error
from ..wire.errors import EmulatorError
from ..wire.streaming import stream_chunks
from .embedding import embed_text
from .hashing import digest, response_id
from .images import answer_picture
from .logprobs import check_logprobs_config, logprobs_fields
from .responder import Conversation, Reply, Responder, Voice, prose_responder, read_conversation
from .speech import speak
from .structured.instances import instance_for
from .thinking import ThinkingPlan, plan_thought_tokens, resolve_thinking, thought_signature
from .tokens import (
    count_text,
    modality_details,
    part_tokens,
    prompt_breakdown,
    token_count,
    truncate_text,
)
from .tools import turn as _tools
from .usage import usage_json

__all__ = ["count_tokens", "embed", "generate", "stream_chunks", "token_count"]

IMAGE_OUTPUT_TOKENS = 1290
AUDIO_OUTPUT_TOKENS_PER_SECOND = 25
_THRESHOLD_RANK = {
    "BLOCK_LOW_AND_ABOVE": 1,
    "BLOCK_MEDIUM_AND_ABOVE": 2,
    "BLOCK_ONLY_HIGH": 3,
    "BLOCK_NONE": 99,
    "OFF": 99,
}
_PROBABILITY_RANK = {"NEGLIGIBLE": 0, "LOW": 1, "MEDIUM": 2, "HIGH": 3}


def _invalid(message: str) -> EmulatorError:
    return EmulatorError(400, message)


# --- request checks ---------------------------------------------------------------------------


def _candidate_count(config: dict[str, Any], model: ModelInfo) -> int:
    count = int(config.get("candidateCount") or 1)
    if count <= 1:
        return 1
    if model.max_candidates == 1:
        raise _invalid("Multiple candidates is not enabled for this model")
    if count > model.max_candidates:
        raise _invalid(
            f"Unable to submit request because it has a candidateCount value of {count} but the "
            f"supported range is from 1 (inclusive) to {model.max_candidates + 1} (exclusive). "
            "Update the value and try again."
        )
    return count


def _max_output(config: dict[str, Any], model: ModelInfo) -> int | None:
    value = config.get("maxOutputTokens")
    if value is None:
        return None
    value = int(value)
    if value > model.output_token_limit:
        raise _invalid(
            f"Unable to submit request because it has a maxOutputTokens value of {value} but the "
            f"supported range is from 1 (inclusive) to {model.output_token_limit + 1} (exclusive). "
            "Update the value and try again."
        )
    return value if value > 0 else None


def _schema_problems(schema: Any, path: str) -> list[str]:
    """The checks the API applies to an OpenAPI responseSchema before generating."""
    if not isinstance(schema, dict):
        return []
    problems: list[str] = []
    props = schema.get("properties") or {}
    if str(schema.get("type", "")).upper() == "OBJECT" and not props:
        problems.append(f"{path}.properties: should be non-empty for OBJECT type")
    for i, name in enumerate(schema.get("required") or []):
        if name not in props:
            problems.append(f"{path}.required[{i}]: property is not defined")
    for name, sub in props.items():
        problems += _schema_problems(sub, f'{path}.properties["{name}"]')
    if isinstance(schema.get("items"), dict):
        problems += _schema_problems(schema["items"], f"{path}.items")
    for i, sub in enumerate(schema.get("anyOf") or []):
        problems += _schema_problems(sub, f"{path}.any_of[{i}]")
    return problems


@dataclass(frozen=True)
class _Output:
    """What kind of answer the request asks for."""

    kind: str  # text | json | enum | image | audio
    schema: Any = None
    dialect: Literal["openapi", "jsonschema"] = "openapi"
    with_text: bool = True  # image answers: whether a line of text comes with the picture


def _output_mode(config: dict[str, Any], model: ModelInfo) -> _Output:
    modalities = [str(m).upper() for m in config.get("responseModalities") or []]
    unsupported = [m for m in modalities if m not in model.output_modalities]
    if unsupported:
        raise _invalid(
            "Model does not support the requested response modalities: "
            + ", ".join(m.lower() for m in unsupported)
        )
    if model.output_modalities == ("AUDIO",):
        return _Output("audio")
    if "IMAGE" in model.output_modalities and (not modalities or "IMAGE" in modalities):
        return _Output("image", with_text=not modalities or "TEXT" in modalities)
    schema = config.get("responseSchema")
    dialect: Literal["openapi", "jsonschema"] = "openapi"
    if schema is None:
        schema = config.get("responseJsonSchema", config.get("_responseJsonSchema"))
        dialect = "jsonschema"
    if dialect == "openapi" and schema is not None:
        problems = _schema_problems(
            schema, "GenerateContentRequest.generation_config.response_schema"
        )
        if problems:
            raise _invalid("".join(f"* {p}\n" for p in problems))
    mime = str(config.get("responseMimeType") or "").lower()
    if mime == "text/x.enum" and isinstance(schema, dict) and schema.get("enum"):
        return _Output("enum", schema, dialect)
    if mime == "application/json" or schema is not None:
        return _Output("json", schema, dialect)
    return _Output("text")


# --- helpers ----------------------------------------------------------------------------------


def _phrasing_key(request: dict[str, Any], conversation: Conversation) -> bytes:
    config = request.get("generationConfig") or {}
    temperature = config.get("temperature")
    sampling = (
        {}
        if temperature == 0
        else {k: config.get(k) for k in ("temperature", "seed", "topP", "topK")}
    )
    history = [[r, t] for r, t in conversation.history]
    return digest("phrasing", conversation.prompt, history, conversation.system_text, sampling)


def _thresholds(request: dict[str, Any]) -> dict[str, int]:
    out: dict[str, int] = {}
    for setting in request.get("safetySettings") or []:
        out[str(setting.get("category"))] = _THRESHOLD_RANK.get(str(setting.get("threshold")), 2)
    return out


def _ratings(dangerous: str, *, blocked: bool) -> list[dict[str, Any]]:
    ratings: list[dict[str, Any]] = []
    for category in (
        "HARM_CATEGORY_HATE_SPEECH",
        "HARM_CATEGORY_DANGEROUS_CONTENT",
        "HARM_CATEGORY_HARASSMENT",
        "HARM_CATEGORY_SEXUALLY_EXPLICIT",
    ):
        rating: dict[str, Any] = {"category": category, "probability": "NEGLIGIBLE"}
        if category == "HARM_CATEGORY_DANGEROUS_CONTENT":
            rating["probability"] = dangerous
            if blocked:
                rating["blocked"] = True
        ratings.append(rating)
    return ratings


def _is_blocked(request: dict[str, Any], probability: str) -> bool:
    threshold = _thresholds(request).get("HARM_CATEGORY_DANGEROUS_CONTENT", 2)
    return _PROBABILITY_RANK[probability] >= threshold


def _cut(text: str, stops: list[str], allowance: int | None) -> tuple[str, str]:
    """Apply stopSequences then maxOutputTokens; returns (text, finishReason)."""
    positions = [text.find(s) for s in stops if s and s in text]
    if positions:
        text = text[: min(positions)]
    if allowance is not None and count_text(text) > allowance:
        return truncate_text(text, allowance), "MAX_TOKENS"
    return text, "STOP"


def _tool_use_tokens(parts: list[dict[str, Any]]) -> tuple[int, int]:
    """(answer tokens, tool-use prompt tokens) of a tool turn's parts."""
    answer = tool_use = 0
    for part in parts:
        if part.get("thought") is True:
            continue
        _modality, tokens = part_tokens(part)
        if "codeExecutionResult" in part:
            tool_use += tokens
        else:
            answer += tokens
    return answer, tool_use


def _signs(model: ModelInfo, plan: ThinkingPlan, first_part: dict[str, Any]) -> bool:
    if not plan.enabled:
        return False
    return model.signs_every_turn or plan.include_thoughts or "functionCall" in first_part


# --- generateContent --------------------------------------------------------------------------


@dataclass
class _Job:
    """Everything the candidates of one request share, plus their running token counts."""

    conversation: Conversation
    reply: Reply
    model: ModelInfo
    request: dict[str, Any]
    plan: ThinkingPlan
    output: _Output
    max_output: int | None
    prompt_tokens: int
    turn: _tools.ToolTurn | None
    key: bytes
    stops: list[str]
    answer_tokens: list[int] = field(default_factory=list)
    thought_tokens: list[int] = field(default_factory=list)
    tool_tokens: list[int] = field(default_factory=list)
    media_details: dict[str, int] = field(default_factory=dict)


def _candidate(job: _Job, index: int) -> dict[str, Any]:
    """One candidate: thoughts, then the tool turn's parts or the composed answer."""
    voice = Voice(job.key, index)
    cand_key = digest(job.key, "candidate", index)
    thoughts = plan_thought_tokens(
        "tool" if job.turn else job.reply.task,
        job.model,
        job.plan,
        job.prompt_tokens,
        cand_key,
        structured=job.output.kind == "json",
        max_output_tokens=job.max_output,
    )
    thought_parts: list[dict[str, Any]] = []
    if thoughts and job.plan.include_thoughts:
        summary = job.reply.thoughts(detailed=thoughts >= 150)
        thought_parts.append({"text": truncate_text(summary, thoughts), "thought": True})
    extra: dict[str, Any] = {}
    tool_use = 0
    if job.turn is not None:
        parts = copy.deepcopy(job.turn.parts)
        answer, tool_use = _tool_use_tokens(parts)
        if job.turn.tool_use_prompt:
            # What a built-in tool fed back to the model (pages read, program output) counts too.
            tool_use += token_count([{"parts": [{"text": job.turn.tool_use_prompt}]}])
        finish = job.turn.finish_reason
        if job.turn.finish_message:
            extra["finishMessage"] = job.turn.finish_message
        for name, value in (
            ("groundingMetadata", job.turn.grounding_metadata),
            ("urlContextMetadata", job.turn.url_context_metadata),
        ):
            if value:
                extra[name] = value
    else:
        allowance = None if job.max_output is None else job.max_output - thoughts
        parts, answer, finish = _answer_parts(
            job.conversation,
            job.reply,
            voice,
            job.output,
            job.model,
            job.request,
            job.stops,
            allowance,
            job.media_details,
        )
    if (
        parts
        and _signs(job.model, job.plan, parts[0])
        and not any("thoughtSignature" in p for p in parts)
    ):
        parts[0] = {**parts[0], "thoughtSignature": thought_signature(cand_key, thoughts)}
    all_parts = thought_parts + parts
    content: dict[str, Any] = (
        {"parts": all_parts, "role": "model"} if all_parts else {"role": "model"}
    )
    candidate: dict[str, Any] = {
        "content": {} if finish == "SAFETY" else content,
        "finishReason": finish,
    }
    if finish == "SAFETY":
        candidate["safetyRatings"] = _ratings("MEDIUM", blocked=True)
    candidate["index"] = index
    candidate.update(extra)
    candidate.update(logprobs_fields(parts, job.request.get("generationConfig") or {}, cand_key))
    job.answer_tokens.append(answer)
    job.thought_tokens.append(thoughts)
    job.tool_tokens.append(tool_use)
    return candidate


def _with_cache(
    request: dict[str, Any], cached_content: dict[str, Any] | None
) -> tuple[dict[str, Any], dict[str, int]]:
    """The request as the model sees it (cache first) and the cache's token breakdown."""
    if not cached_content:
        return request, {}
    merged = dict(request)
    merged["contents"] = [*(cached_content.get("contents") or []), *(request.get("contents") or [])]
    if cached_content.get("systemInstruction") and not request.get("systemInstruction"):
        merged["systemInstruction"] = cached_content["systemInstruction"]
    if cached_content.get("tools"):
        merged["tools"] = [*cached_content["tools"], *(request.get("tools") or [])]
    cached = prompt_breakdown(
        cached_content.get("contents"),
        cached_content.get("systemInstruction"),
        cached_content.get("tools"),
    )
    return merged, cached


def generate(
    request: dict[str, Any],
    model: ModelInfo,
    *,
    api_version: str = "v1beta",
    cached_content: dict[str, Any] | None = None,
    scripted: list[dict[str, Any]] | None = None,
    responder: Responder | None = None,
) -> dict[str, Any]:
    """A full GenerateContentResponse for a validated GenerateContentRequest.

    ``cached_content`` is the CachedContent resource the request's ``cachedContent`` names (the
    caller looks it up): its contents, system instruction and tools are seen by the model before
    the request's own, and usage reports them as ``cachedContentTokenCount``.

    ``scripted``: the parts of a scripted answer (``--answers``): they replace what the model
    would have said or called, and are counted like any other output.

    ``responder``: who words the answers (see :mod:`.responder`); the emulator's own prose by
    default.
    """
    if not model.supports("generateContent"):
        raise not_supported_error(model.name, "generateContent", api_version)
    request, cached = _with_cache(request, cached_content)
    config = request.get("generationConfig") or {}
    check_logprobs_config(config)
    count = _candidate_count(config, model)
    max_output = _max_output(config, model)
    plan = resolve_thinking(config, model)
    output = _output_mode(config, model)
    breakdown = prompt_breakdown(
        request.get("contents"), request.get("systemInstruction"), request.get("tools")
    )
    prompt_tokens = sum(breakdown.values())
    if prompt_tokens > model.input_token_limit:
        raise _invalid(
            f"The input token count ({prompt_tokens}) exceeds the maximum number of tokens allowed ({model.input_token_limit})."
        )
    conversation = read_conversation(request)
    reply = (responder or prose_responder()).read(conversation)
    rid = response_id(request, model.name)
    prompt_details = modality_details(breakdown)
    tail = {"modelVersion": model.reported_version, "responseId": rid}

    if "block" in conversation.triggers and _is_blocked(request, "HIGH"):
        return {
            "promptFeedback": {
                "blockReason": "SAFETY",
                "safetyRatings": _ratings("HIGH", blocked=False),
            },
            "usageMetadata": usage_json(
                prompt=prompt_tokens,
                prompt_details=prompt_details,
                candidates=0,
                thoughts=0,
                cached=sum(cached.values()),
                cached_details=modality_details(cached),
            ),
            **tail,
        }

    if scripted is not None:
        calls = any("functionCall" in p for p in scripted)
        turn: _tools.ToolTurn | None = _tools.ToolTurn(
            parts=scripted,
            finish_message="Model generated function call(s)." if calls else None,
        )
    else:
        turn = _tools.tool_turn(request, model.name) if request.get("tools") else None
    job = _Job(
        conversation,
        reply,
        model,
        request,
        plan,
        output,
        max_output,
        prompt_tokens,
        turn,
        key=_phrasing_key(request, conversation),
        stops=[str(s) for s in config.get("stopSequences") or []],
    )
    candidates = [_candidate(job, index) for index in range(count)]
    answer_total = sum(job.answer_tokens)
    thoughts_total = sum(job.thought_tokens)
    tool_total = sum(job.tool_tokens)
    media_details = job.media_details
    details = None
    if media_details:
        details = [{"modality": m, "tokenCount": t} for m, t in media_details.items()]
    elif not model.thinking and answer_total:
        details = [{"modality": "TEXT", "tokenCount": answer_total}]
    usage = usage_json(
        prompt=prompt_tokens,
        prompt_details=prompt_details,
        candidates=answer_total,
        thoughts=thoughts_total,
        tool_use=tool_total,
        candidates_details=details,
        cached=sum(cached.values()),
        cached_details=modality_details(cached),
    )
    return {"candidates": candidates, "usageMetadata": usage, **tail}


def _answer_parts(
    conversation: Conversation,
    reply: Reply,
    voice: Voice,
    output: _Output,
    model: ModelInfo,
    request: dict[str, Any],
    stops: list[str],
    allowance: int | None,
    media_details: dict[str, int],
) -> tuple[list[dict[str, Any]], int, str]:
    """(parts, answer tokens, finishReason) of an answer no tool decided."""
    index = voice.candidate
    if "safety" in conversation.triggers and _is_blocked(request, "MEDIUM"):
        return [], 0, "SAFETY"
    if output.kind == "audio":
        speech = speak(
            conversation.prompt or "Hello",
            (request.get("generationConfig") or {}).get("speechConfig"),
        )
        seconds = len(speech) / 48_000
        tokens = max(1, math.ceil(seconds * AUDIO_OUTPUT_TOKENS_PER_SECOND))
        media_details["AUDIO"] = media_details.get("AUDIO", 0) + tokens
        blob = {
            "mimeType": "audio/L16;codec=pcm;rate=24000",
            "data": base64.b64encode(speech).decode("ascii"),
        }
        return [{"inlineData": blob}], tokens, "STOP"
    if output.kind == "image":
        parts: list[dict[str, Any]] = []
        tokens = IMAGE_OUTPUT_TOKENS
        if output.with_text:
            line = reply.caption(voice)
            parts.append({"text": line})
            tokens += count_text(line)
        picture, mime = answer_picture(
            request, model, conversation.prompt, digest(voice.key, index)
        )
        parts.append(
            {"inlineData": {"mimeType": mime, "data": base64.b64encode(picture).decode("ascii")}}
        )
        media_details["IMAGE"] = media_details.get("IMAGE", 0) + IMAGE_OUTPUT_TOKENS
        return parts, tokens, "STOP"
    if output.kind == "json":
        if isinstance(output.schema, dict):
            value = instance_for(
                output.schema,
                dialect=output.dialect,
                values=reply.values(voice),
                seed=f"{conversation.prompt}|{index}|{voice.key.hex()}",
            )
        else:
            value = reply.json(voice)
        text = (
            json.dumps(value, ensure_ascii=False, indent=2)
            if model.pretty_json
            else json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        )
    elif output.kind == "enum":
        text = str(reply.enum([o for o in output.schema["enum"] if o is not None], voice))
    else:
        text = reply.text(voice)
    finish = "STOP"
    if "recitation" in conversation.triggers:
        text = text.split("\n\n")[0].split(". ")[0]
        finish = "RECITATION"
    text, cut_reason = _cut(text, stops, allowance)
    finish = cut_reason if cut_reason == "MAX_TOKENS" else finish
    parts = [{"text": text}] if text else []
    return parts, count_text(text), finish


# --- countTokens / embeddings -----------------------------------------------------------------


def count_tokens(
    request: dict[str, Any],
    model: ModelInfo,
    *,
    api_version: str = "v1beta",
    cached_content: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """CountTokensResponse for ``contents`` or a whole ``generateContentRequest``.

    ``cached_content``: the CachedContent a generateContentRequest refers to, counted in
    ``totalTokens`` and reported as ``cachedContentTokenCount``.
    """
    if not model.supports("countTokens"):
        raise not_supported_error(model.name, "countTokens", api_version)
    inner = request.get("generateContentRequest")
    if isinstance(inner, dict):
        merged, cached = _with_cache(inner, cached_content)
        breakdown = prompt_breakdown(
            merged.get("contents"), merged.get("systemInstruction"), merged.get("tools")
        )
    else:
        breakdown, cached = prompt_breakdown(request.get("contents")), {}
    out: dict[str, Any] = {"totalTokens": sum(breakdown.values())}
    if cached:
        out["cachedContentTokenCount"] = sum(cached.values())
    details = modality_details(breakdown)
    if details:
        out["promptTokensDetails"] = details
    if cached:
        out["cacheTokensDetails"] = modality_details(cached)
    return out


def embed(
    request: dict[str, Any], model: ModelInfo, *, api_version: str = "v1beta"
) -> dict[str, Any]:
    """EmbedContentResponse for one EmbedContentRequest: ``{"embedding": {"values": [...]}}``."""
    if not model.supports("embedContent") or not model.embedding_dimensions:
        raise not_supported_error(model.name, "embedContent", api_version)
    config = request.get("embedContentConfig") or {}
    content = request.get("content") or {}
    texts = []
    for part in content.get("parts") or []:
        if "text" in part:
            texts.append(str(part.get("text") or ""))
        elif "inlineData" in part or "fileData" in part:
            blob = part.get("inlineData") or part.get("fileData") or {}
            texts.append(f"media {blob.get('mimeType', '')}")
    values = embed_text(
        "\n".join(texts),
        model.embedding_dimensions,
        task_type=config.get("taskType") or request.get("taskType"),
        title=config.get("title") or request.get("title"),
        output_dimensionality=config.get("outputDimensionality")
        or request.get("outputDimensionality"),
    )
    return {"embedding": {"values": values}}
