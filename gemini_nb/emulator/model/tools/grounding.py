"""Emulated grounding: Google Search, URL context and Google Maps over the built-in corpus,
with grounding metadata shaped like the real API's (file search is in :mod:`.file_search`).

Segment offsets count UTF-8 bytes of the answer's text part, as the real API does (the
Segment schema says "measured in bytes", and the recorded responses agree).
"""

from __future__ import annotations

import base64
import html
import math
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import quote_plus, urlsplit

from ...wire.errors import EmulatorError
from ..hashing import digest, digest_int
from ..prompt import content_words, read_prompt, stem, word_set, words
from ..tool_parts import make_id, thinking_enabled, thought_signature, uses_confidence_scores
from .corpus import CITIES, DOCUMENTS, PLACES, Document, Place, document_at

if TYPE_CHECKING:
    from .turn import ToolTurn

__all__ = [
    "REDIRECT_PREFIX",
    "maps_turn",
    "resolve_redirect",
    "retrieve",
    "search_queries",
    "search_turn",
    "url_context_turn",
    "wants_places",
]

REDIRECT_PREFIX = "https://vertexaisearch.emulator.example/grounding-api-redirect/"
# The URL context tool reads at most this many URLs per request.
URL_LIMIT = 20
_SEARCH_PAGE = "https://search.emulator.example/search?q="
# Request talk and everyday words: they never decide which page answers a question.
_NOISE_WORDS = word_set(
    """search web google tool use find look tell know information info latest current today recent
    please answer question results result grounding ground source sources cite explain describe
    summary summarize summarise about page website site url link best way good great thing
    things make made many much time year day people new old first last big small long high part
    also well really right wrong help want need like give show get fix"""
)
_NOISE = frozenset(stem(w) for w in _NOISE_WORDS)
_REQUEST_PREFIX_RE = re.compile(
    r"^(?:(?:please|ok|okay|hey|hi)[,\s]+)*(?:(?:can|could|would|will)\s+you\s+)?(?:please\s+)?"
    r"(?:use\s+(?:the\s+)?(?:google\s+|web\s+)?search(?:\s+tool)?(?:\s+to\s+|\s*[:,-]\s*)|"
    r"search\s+(?:the\s+web\s+|google\s+|online\s+)?for\s+|look\s+up\s+|google\s+|find\s+out\s+|find\s+|"
    r"tell\s+me\s+(?:about\s+)?|check\s+)?",
    re.IGNORECASE,
)
_STYLE = (
    "<style>\n.container{align-items:center;border-radius:8px;display:flex;font-family:sans-serif;"
    "font-size:14px;line-height:20px;padding:8px 12px;background-color:#fafafa;box-shadow:0 0 0 1px #0000000f}\n"
    ".headline{margin-right:8px;color:#1f1f1f;font-weight:500}\n.carousel{overflow:auto;white-space:nowrap}\n"
    ".chip{display:inline-block;border:solid 1px #d2d2d2;border-radius:16px;padding:5px 16px;margin:0 4px;"
    "background-color:#fff;color:#5e5e5e;text-decoration:none}\n</style>\n"
)


# --- retrieval ------------------------------------------------------------------------------


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z0-9\"“])", text.strip()) if s]


_DOC_TERMS: list[set[str]] = [set(content_words(d.title + " " + d.text)) for d in DOCUMENTS]
_TITLE_TERMS: list[set[str]] = [set(content_words(d.title)) for d in DOCUMENTS]
_DF: dict[str, int] = {}
for _page_terms in _DOC_TERMS:
    for _term in _page_terms:
        _DF[_term] = _DF.get(_term, 0) + 1
_IDF: dict[str, float] = {t: math.log((len(DOCUMENTS) + 1) / (df + 0.5)) for t, df in _DF.items()}
_MIN_SCORE = 1.5


def _terms(text: str) -> list[str]:
    return [t for t in dict.fromkeys(content_words(text)) if t not in _NOISE]


def retrieve(text: str, limit: int = 3) -> list[tuple[Document, float]]:
    """Corpus pages sharing informative words with `text`, best first (ties: corpus order)."""
    terms = _terms(text)
    scored: list[tuple[float, int]] = []
    for index, doc_terms in enumerate(_DOC_TERMS):
        matched = [t for t in terms if t in doc_terms]
        score = sum(_IDF[t] * (1.5 if t in _TITLE_TERMS[index] else 1.0) for t in matched)
        # A page must share a fair part of the question, not one stray word of a long one.
        if score >= _MIN_SCORE and len(matched) * 3 >= len(terms):
            scored.append((score, index))
    scored.sort(key=lambda item: (-item[0], item[1]))
    if not scored:
        return []
    best = scored[0][0]
    return [(DOCUMENTS[i], s) for s, i in scored[:limit] if s >= best * 0.5]


def _sentence_score(sentence: str, terms: list[str]) -> float:
    present = set(content_words(sentence))
    return sum(_IDF.get(t, 0.0) for t in terms if t in present)


def _pick_sentences(
    doc: Document, terms: list[str], count: int, minimum: int = 1, lead: bool = False
) -> list[tuple[str, float]]:
    """Up to `count` relevant sentences of a page (at least `minimum`), kept in page order.

    With `lead`, the page's opening sentence comes first so the answer does not start mid-thought.
    """
    sentences = _sentences(doc.text)
    ranked = sorted(range(len(sentences)), key=lambda i: (-_sentence_score(sentences[i], terms), i))
    if lead and count > 1:
        ranked = [0] + [i for i in ranked if i != 0]
    relevant = [
        i for i in ranked[:count] if _sentence_score(sentences[i], terms) > 0 or (lead and i == 0)
    ]
    chosen = sorted(relevant if len(relevant) >= minimum else ranked[:minimum])
    return [(sentences[i], _sentence_score(sentences[i], terms)) for i in chosen]


# --- answer text with byte-exact segments -------------------------------------------------


@dataclass
class _Answer:
    text: str = ""
    supports: list[dict[str, Any]] = field(default_factory=list)

    def add(
        self,
        sentence: str,
        chunks: list[int] | None = None,
        scores: list[float] | None = None,
        separator: str = " ",
    ) -> None:
        if self.text:
            self.text += separator
        start = len(self.text.encode("utf-8"))
        self.text += sentence
        if chunks is None:
            return
        segment: dict[str, Any] = {}
        if start:
            segment["startIndex"] = start  # proto3 JSON leaves zero out, as the real API does
        segment["endIndex"] = len(self.text.encode("utf-8"))
        segment["text"] = sentence
        support: dict[str, Any] = {"segment": segment, "groundingChunkIndices": chunks}
        if scores is not None:
            support["confidenceScores"] = scores
        self.supports.append(support)


def _confidence(score: float, best: float) -> float:
    return round(0.55 + 0.44 * min(1.0, score / best if best else 0.0), 8)


def search_queries(text: str) -> list[str]:
    """What the emulated model "searches for": the prompt's questions, minus request phrasing."""
    queries: list[str] = []
    for sentence in re.split(r"(?<=[?!.])\s+|\n+", text):
        cleaned = _REQUEST_PREFIX_RE.sub("", sentence.strip()).strip(" ?!.,;:")
        cleaned = re.sub(
            r"\s+(?:using|with|via)\s+(?:the\s+)?(?:web\s+|google\s+)?search(?:\s+tool)?$",
            "",
            cleaned,
            flags=re.I,
        )
        if not _terms(cleaned):
            continue
        queries.append(" ".join(cleaned.split()[:14]))
        if len(queries) == 2:
            break
    return queries


def _entry_point(queries: list[str]) -> dict[str, Any]:
    chips = "".join(
        f'    <a class="chip" href="{html.escape(_SEARCH_PAGE + quote_plus(q))}">{html.escape(q)}</a>\n'
        for q in queries
    )
    rendered = (
        f'{_STYLE}<div class="container">\n  <div class="headline">Search suggestions (emulated)</div>\n'
        f'  <div class="carousel">\n{chips}  </div>\n</div>\n'
    )
    return {"renderedContent": rendered}


def redirect_uri(url: str) -> str:
    """An emulated grounding redirect for `url`; `resolve_redirect` turns it back."""
    token = base64.urlsafe_b64encode(url.encode("utf-8")).decode("ascii").rstrip("=")
    return REDIRECT_PREFIX + token


def resolve_redirect(uri: str) -> str | None:
    """The page an emulated grounding redirect points at, or None if it is not one."""
    if not uri.startswith(REDIRECT_PREFIX):
        return None
    token = uri[len(REDIRECT_PREFIX) :]
    try:
        return base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None


def _server_tool_parts(
    request: dict[str, Any],
    model: str,
    tool_type: str,
    args: dict[str, Any] | None,
    response: dict[str, Any] | None,
) -> list[dict[str, Any]]:
    """toolCall/toolResponse parts, shown only when toolConfig.includeServerSideToolInvocations is set."""
    if not (request.get("toolConfig") or {}).get("includeServerSideToolInvocations"):
        return []
    ident = make_id(request.get("contents"), model, tool_type)
    call: dict[str, Any] = {"id": ident, "toolType": tool_type}
    if args:
        call["args"] = args
    reply: dict[str, Any] = {"id": ident, "toolType": tool_type}
    if response:
        reply["response"] = response
    parts: list[dict[str, Any]] = [{"toolCall": call}, {"toolResponse": reply}]
    if thinking_enabled(model, request):
        for index, part in enumerate(parts):
            part["thoughtSignature"] = thought_signature(
                request.get("contents"), model, tool_type, index
            )
    return parts


def _grounded(
    answer: _Answer,
    docs: list[tuple[Document, float]],
    terms: list[str],
    legacy: bool,
    chunk_of: list[int],
    per_doc: int,
    total: int,
) -> None:
    """Write 2-4 sentences drawn from the retrieved pages, each one a grounding support."""
    best = max((s for _, s in docs), default=1.0)
    budget = total
    for position, (doc, _) in enumerate(docs):
        take = min(per_doc if position == 0 else 1, budget)
        if position == 0 and len(docs) == 1:
            take = min(per_doc + 1, budget)
        # The answer has at least two sentences: the lead page supplies them if need be.
        minimum = 1 if position > 0 else (2 if len(docs) == 1 else 1)
        for sentence, score in _pick_sentences(doc, terms, take, minimum, lead=position == 0):
            scores = [_confidence(score, best)] if legacy else None
            answer.add(sentence, [chunk_of[position]], scores)
        budget -= take
        if budget <= 0:
            break


# --- Google Search ------------------------------------------------------------------------


def search_turn(
    request: dict[str, Any], model: str, text: str, *, legacy_tool: dict[str, Any] | None = None
) -> ToolTurn | None:
    """Grounding with Google Search (and the legacy googleSearchRetrieval tool)."""
    from .turn import ToolTurn

    queries = search_queries(text) or [" ".join(text.split()[:14]) or "search"]
    docs = retrieve(" ".join(queries))
    legacy_scores = uses_confidence_scores(model)
    metadata: dict[str, Any] = {"searchEntryPoint": _entry_point(queries)}
    if legacy_tool is not None:
        config = legacy_tool.get("dynamicRetrievalConfig") or {}
        confidence = round(min(0.99, 0.35 + 0.15 * len(docs)), 8) if docs else 0.05
        threshold = config.get("dynamicThreshold", 0.3)
        if (
            config.get("mode") == "MODE_DYNAMIC"
            and isinstance(threshold, (int, float))
            and confidence < threshold
        ):
            return None  # the model judged that search would not help: an ordinary answer
    answer = _Answer()
    if docs:
        metadata["groundingChunks"] = [
            {"web": {"uri": redirect_uri(d.url), "title": d.domain}} for d, _ in docs
        ]
        _grounded(
            answer,
            docs,
            _terms(" ".join(queries)),
            legacy_scores,
            list(range(len(docs))),
            per_doc=2,
            total=4,
        )
        metadata["groundingSupports"] = answer.supports
    else:
        answer.add(
            f'I searched for "{queries[0]}" but found nothing relevant in the emulator\'s reference pages, '
            "so I can't give a grounded answer."
        )
    if legacy_tool is not None:
        metadata["retrievalMetadata"] = {"googleSearchDynamicRetrievalScore": confidence}
    elif legacy_scores:
        metadata["retrievalMetadata"] = {}
    metadata["webSearchQueries"] = queries
    parts = _server_tool_parts(
        request,
        model,
        "GOOGLE_SEARCH_WEB",
        {"queries": queries},
        {"search_suggestions": metadata["searchEntryPoint"]["renderedContent"]},
    )
    parts.append({"text": answer.text})
    return ToolTurn(
        parts=parts,
        grounding_metadata=metadata,
        tool_use_prompt="\n\n".join(d.text for d, _ in docs) or queries[0],
    )


# --- URL context ----------------------------------------------------------------------------


def _url_status(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    if document_at(url) is not None:
        return "URL_RETRIEVAL_STATUS_SUCCESS"
    if "paywall" in host:
        return "URL_RETRIEVAL_STATUS_PAYWALL"
    if "unsafe" in host or "malware" in host:
        return "URL_RETRIEVAL_STATUS_UNSAFE"
    return "URL_RETRIEVAL_STATUS_ERROR"


_FAILURE_REASONS = {
    "URL_RETRIEVAL_STATUS_PAYWALL": "it is behind a paywall",
    "URL_RETRIEVAL_STATUS_UNSAFE": "it was flagged as unsafe",
    "URL_RETRIEVAL_STATUS_ERROR": "the page could not be fetched",
}


def prompt_urls(text: str) -> list[str]:
    return list(dict.fromkeys(str(c.value) for c in read_prompt(text).of_kind("url")))


def url_context_turn(request: dict[str, Any], model: str, text: str) -> ToolTurn | None:
    """Answer from the pages at the URLs in the prompt; None when the prompt has no URL."""
    from .turn import ToolTurn

    urls = prompt_urls(text)
    if not urls:
        return None
    if len(urls) > URL_LIMIT:
        # The real message (recorded: vertexai-sdk-test-data, url-limit-exceeded).
        raise EmulatorError(
            400,
            f"Number of urls to lookup exceeds the limit ({len(urls)} > {URL_LIMIT}). "
            "Please reduce the number of urls in the request.",
        )
    statuses = [(url, _url_status(url)) for url in urls]
    url_metadata = {
        "urlMetadata": [{"retrievedUrl": u, "urlRetrievalStatus": s} for u, s in statuses]
    }
    fetched = [
        (u, d) for u, s in statuses if (d := document_at(u)) is not None and s.endswith("SUCCESS")
    ]
    question = text
    for url in urls:
        question = question.replace(url, " ")
    terms = _terms(question)
    first_only = bool(re.search(r"\bfirst sentence\b", question, re.I))
    answer = _Answer()
    chunks: list[dict[str, Any]] = []
    legacy = uses_confidence_scores(model)
    for url, doc in fetched:
        chunks.append({"web": {"uri": url, "title": doc.title}})
        count = 1 if first_only else (3 if len(fetched) == 1 else 2)
        picked = (
            _sentences(doc.text)[:1]
            if first_only
            else [s for s, _ in _pick_sentences(doc, terms, count)]
        )
        if not terms and not first_only:
            picked = _sentences(doc.text)[:count]
        for sentence in picked:
            answer.add(sentence, [len(chunks) - 1], [0.9] if legacy else None)
    for url, status in statuses:
        if not status.endswith("SUCCESS"):
            answer.add(f"I couldn't read {url} because {_FAILURE_REASONS[status]}.")
    metadata = {"groundingChunks": chunks, "groundingSupports": answer.supports} if chunks else None
    parts = _server_tool_parts(request, model, "URL_CONTEXT", {"urls": urls}, None)
    parts.append({"text": answer.text})
    return ToolTurn(
        parts=parts,
        grounding_metadata=metadata,
        url_context_metadata=url_metadata,
        tool_use_prompt="\n\n".join(d.text for _, d in fetched) or " ".join(urls),
    )


# --- Google Maps ----------------------------------------------------------------------------

_CATEGORY_WORDS: dict[str, str] = {
    "coffee": "coffee",
    "cafe": "coffee",
    "café": "coffee",
    "espresso": "coffee",
    "latte": "coffee",
    "pizza": "pizza",
    "pizzeria": "pizza",
    "museum": "museum",
    "park": "park",
    "garden": "park",
    "bakery": "bakery",
    "bread": "bakery",
    "croissant": "bakery",
    "bagel": "bakery",
    "book": "bookstore",
    "bookstore": "bookstore",
    "bookshop": "bookstore",
    "sushi": "sushi",
    "restaurant": "restaurant",
    "food": "restaurant",
    "eat": "restaurant",
    "dinner": "restaurant",
    "lunch": "restaurant",
    "landmark": "landmark",
    "sight": "landmark",
    "sightseeing": "landmark",
    "attraction": "landmark",
    "temple": "temple",
}
_CATEGORY_LABELS = {
    "coffee": "coffee shops",
    "pizza": "pizza places",
    "museum": "museums",
    "park": "parks",
    "bakery": "bakeries",
    "bookstore": "bookstores",
    "sushi": "sushi restaurants",
    "restaurant": "restaurants",
    "landmark": "landmarks",
    "temple": "temples",
}
_CITY_ALIASES = {
    "sf": "San Francisco",
    "nyc": "New York",
    "manhattan": "New York",
    "new york city": "New York",
}
_PLACE_INTENT_RE = re.compile(
    r"\b(?:near|nearby|around|closest|nearest|where can i|directions|map|maps|places?|restaurants?|cafes?|"
    r"coffee shops?|museums?|parks?|bakeries|bakery|pizza places?|landmarks?|things to do|visit)\b",
    re.IGNORECASE,
)


def wants_places(text: str) -> bool:
    """Whether the prompt asks about places: "near", "restaurants", "coffee", "museums"..."""
    return bool(_PLACE_INTENT_RE.search(text)) or any(
        stem(w) in _CATEGORY_WORDS for w, _ in words(text)
    )


def _city(text: str, request: dict[str, Any]) -> tuple[str | None, bool]:
    """(city, from_location): a city named in the prompt, else the one nearest retrievalConfig.latLng."""
    lowered = text.lower()
    for alias, city in _CITY_ALIASES.items():
        if re.search(rf"\b{re.escape(alias)}\b", lowered):
            return city, False
    for city in CITIES:
        if city.lower() in lowered:
            return city, False
    for prep, cand in read_prompt(text).prepositional:
        if prep in ("in", "near", "at", "around") and cand.kind == "proper":
            return cand.value, False  # a place the emulator's map data does not cover
    retrieval = (request.get("toolConfig") or {}).get("retrievalConfig") or {}
    lat_lng = retrieval.get("latLng") or {}
    lat, lng = lat_lng.get("latitude"), lat_lng.get("longitude")
    if isinstance(lat, (int, float)) and isinstance(lng, (int, float)):

        def distance(city: str) -> float:
            c_lat, c_lng = CITIES[city]
            return (c_lat - lat) ** 2 + ((c_lng - lng) * math.cos(math.radians(lat))) ** 2

        return min(CITIES, key=distance), True
    return None, False


def _place_chunk(place: Place) -> dict[str, Any]:
    cid = digest_int("maps-cid", place.name, place.city) % 10**19
    token = base64.urlsafe_b64encode(digest("maps-place", place.name, place.city)[:18]).decode(
        "ascii"
    )
    return {
        "maps": {
            "uri": f"https://maps.emulator.example/?cid={cid}",
            "title": place.name,
            "placeId": f"places/EMU{token}",
        }
    }


def maps_turn(request: dict[str, Any], model: str, text: str, tool: dict[str, Any]) -> ToolTurn:
    """Grounding with Google Maps over the built-in places."""
    from .turn import ToolTurn

    city, located = _city(text, request)
    stems = [stem(w) for w, _ in words(text)]
    category = next((_CATEGORY_WORDS[s] for s in stems if s in _CATEGORY_WORDS), None)
    places = [
        p
        for p in PLACES
        if (city is None or p.city == city) and (category is None or category in p.categories)
    ]
    if city is None and category is None:
        places = []
    places = places[:5]
    label = _CATEGORY_LABELS.get(category or "", "places")
    where = "near you" if located else (f"in {city}" if city else "")
    query = f"{label} {'near me' if located or not city else 'in ' + city}"
    answer = _Answer()
    metadata: dict[str, Any] = {}
    if places:
        answer.add(f"Here are some {label} {where}:".replace("  ", " ").replace(" :", ":"))
        for index, place in enumerate(places):
            rating = (
                f", rated {place.rating} stars from {place.reviews} reviews"
                if place.rating is not None
                else ""
            )
            answer.add(
                f"*   **{place.name}** is {place.description}{rating}.",
                [index],
                separator="\n\n" if index == 0 else "\n",
            )
        metadata["groundingChunks"] = [_place_chunk(p) for p in places]
        metadata["groundingSupports"] = answer.supports
    else:
        answer.add(
            f"I couldn't find matching {label}{' ' + where if where else ''}. The emulator's map data only "
            "covers a few places in " + ", ".join(CITIES) + "."
        )
    metadata["webSearchQueries"] = [query]
    if tool.get("enableWidget"):
        token = base64.urlsafe_b64encode(
            digest("maps-widget", request.get("contents"))[:24]
        ).decode("ascii")
        metadata["googleMapsWidgetContextToken"] = f"widgetcontent/{token}"
    parts = _server_tool_parts(request, model, "GOOGLE_MAPS", {"query": query}, None)
    parts.append({"text": answer.text})
    return ToolTurn(
        parts=parts,
        grounding_metadata=metadata,
        tool_use_prompt="\n".join(f"{p.name}: {p.description}" for p in places) or query,
    )
