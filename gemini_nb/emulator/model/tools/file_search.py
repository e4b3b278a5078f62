"""The file search tool: retrieval from your file search stores, and an answer built from it.

A generate call whose tools hold ``fileSearch`` retrieves from the named stores' documents
(the backend in :mod:`gemini_nb.emulator.backends.file_search` registers the search with
:func:`register_search`): the prompt (the last user turn that has text) is embedded like the
chunks were, and chunks of ACTIVE documents that pass ``metadataFilter`` are ranked by
similarity, with a lift for the prompt's words they contain. Up to ``topK`` chunks (default 5,
at most 20) are kept, and of those the ones that score at least half as well as the best.

The answer is written from the retrieved passages: their sentences are scored by the
prompt's words they contain (rarer words count more); the best sentence, and up to two more
that score at least half as well and cover words of the prompt it does not, become the answer, each a ``groundingSupports`` entry whose segment (UTF-8 byte offsets into
the text part, ``startIndex`` left out when 0) cites the chunk it came from, so a question
whose answer lies in one document cites that document. ``groundingChunks`` are
``{"retrievedContext": {"uri", "title", "text", "fileSearchStore", "customMetadata",
"pageNumber"}}``: ``uri`` is the document's resource name, ``title`` its display name (both
left out when empty), ``pageNumber`` the PDF page the chunk starts on.

Nothing relevant (no chunk, or only weak ones): a short answer that says so, no grounding.
An unknown store is the store's ``403``; a malformed filter ``400 INVALID_ARGUMENT``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...wire.errors import EmulatorError
from ..prompt import content_words
from ..tool_parts import make_id, thinking_enabled, thought_signature

if TYPE_CHECKING:
    from .turn import ToolTurn

__all__ = ["Hit", "file_search_turn", "register_search"]

DEFAULT_TOP_K = 5
MAX_TOP_K = 20
# Below this similarity a chunk is not about the question at all.
MIN_SCORE = 0.12


@dataclass(frozen=True)
class Hit:
    store: str
    document: str
    title: str
    text: str
    page: int | None
    custom_metadata: list[dict[str, Any]]
    score: float


Search = Callable[[list[str], str, "str | None", int], list[Hit]]
_SEARCH: list[Search] = []


def register_search(fn: Search) -> None:
    """The backend's retrieval (one, registered when the backend loads)."""
    _SEARCH[:] = [fn]


# ----------------------------------------------------------------------------- sentences

_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+[\"')\]]*|(?=\n)|$)")
_MARKUP = re.compile(r"^\s*(?:#{1,6}\s+|[-*+>]\s+|\d+[.)]\s+)")


def _sentences(text: str) -> list[str]:
    out = []
    for m in _SENTENCE.finditer(text):
        sentence = _MARKUP.sub("", " ".join(m.group(0).split()))
        if len(sentence.split()) >= 3:
            out.append(sentence)
    return out


@dataclass
class _Answer:
    text: str = ""
    supports: list[dict[str, Any]] | None = None

    def add(self, sentence: str, chunk: int) -> None:
        if self.text:
            self.text += " "
        start = len(self.text.encode("utf-8"))
        self.text += sentence
        segment: dict[str, Any] = {}
        if start:
            segment["startIndex"] = start
        segment["endIndex"] = len(self.text.encode("utf-8"))
        segment["text"] = sentence
        if self.supports is None:
            self.supports = []
        self.supports.append({"groundingChunkIndices": [chunk], "segment": segment})


def _pick(hits: list[Hit], query: str) -> list[tuple[int, int, str]]:
    """Up to three (chunk index, position, sentence), in the order they are told."""
    terms = set(content_words(query))
    candidates: list[tuple[int, int, str, set[str]]] = []
    for index, hit in enumerate(hits):
        for position, sentence in enumerate(_sentences(hit.text)):
            candidates.append((index, position, sentence, set(content_words(sentence))))
    if not candidates:
        return []
    df: dict[str, int] = {}
    for *_, words in candidates:
        for word in words & terms:
            df[word] = df.get(word, 0) + 1
    n = len(candidates)

    def score(item: tuple[int, int, str, set[str]]) -> float:
        index, _, _, words = item
        lexical = sum(math.log(1 + n / df[w]) for w in words & terms)
        return lexical * (1.0 - 0.05 * index)

    ranked = sorted(candidates, key=lambda c: (-score(c), c[0], c[1]))
    best = score(ranked[0])
    if best <= 0:
        first = next(c for c in candidates if c[0] == 0)
        return [(first[0], first[1], first[2])]
    # The best sentence, then others only for what it leaves unanswered: a sentence joins when
    # it scores at least half as well and brings a word of the question not covered yet.
    chosen = [ranked[0]]
    covered = ranked[0][3] & terms
    for candidate in ranked[1:]:
        if len(chosen) == 3 or score(candidate) < 0.5 * best:
            break
        new = (candidate[3] & terms) - covered
        if new:
            chosen.append(candidate)
            covered |= new
    chosen.sort(key=lambda c: (c[0], c[1]))
    return [(c[0], c[1], c[2]) for c in chosen]


# ----------------------------------------------------------------------------- the turn


def _grounding_chunk(hit: Hit) -> dict[str, Any]:
    context: dict[str, Any] = {"uri": hit.document}
    if hit.title:
        context["title"] = hit.title
    context["text"] = hit.text
    context["fileSearchStore"] = hit.store
    if hit.custom_metadata:
        context["customMetadata"] = [dict(m) for m in hit.custom_metadata]
    if hit.page is not None:
        context["pageNumber"] = hit.page
    return {"retrievedContext": context}


def _tool_parts(request: dict[str, Any], model: str) -> list[dict[str, Any]]:
    """toolCall/toolResponse parts, when toolConfig.includeServerSideToolInvocations is set."""
    if not (request.get("toolConfig") or {}).get("includeServerSideToolInvocations"):
        return []
    ident = make_id(request.get("contents"), model, "FILE_SEARCH")
    parts: list[dict[str, Any]] = [
        {"toolCall": {"id": ident, "toolType": "FILE_SEARCH"}},
        {"toolResponse": {"id": ident, "toolType": "FILE_SEARCH"}},
    ]
    if thinking_enabled(model, request):
        for index, part in enumerate(parts):
            part["thoughtSignature"] = thought_signature(
                request.get("contents"), model, "FILE_SEARCH", index
            )
    return parts


def _settings(tool: dict[str, Any]) -> tuple[list[str], str | None, int]:
    names = tool.get("fileSearchStoreNames", tool.get("file_search_store_names")) or []
    if not names:
        raise EmulatorError(400, "FileSearch.file_search_store_names must name at least one store.")
    stores = [str(n) for n in names]
    for name in stores:
        if not re.fullmatch(r"fileSearchStores/[^/]+", name):
            raise EmulatorError(
                400,
                f"Invalid file search store name {name!r}: expected fileSearchStores/{{id}}.",
            )
    flt = tool.get("metadataFilter", tool.get("metadata_filter"))
    top_k = tool.get("topK", tool.get("top_k"))
    if top_k is None:
        k = DEFAULT_TOP_K
    elif isinstance(top_k, int) and not isinstance(top_k, bool) and top_k > 0:
        k = min(top_k, MAX_TOP_K)
    else:
        raise EmulatorError(400, f"FileSearch.top_k must be a positive number, not {top_k!r}.")
    return stores, str(flt) if flt is not None else None, k


def file_search_turn(
    request: dict[str, Any], model: str, prompt: str, tool: dict[str, Any]
) -> ToolTurn:
    from .turn import ToolTurn

    stores, metadata_filter, top_k = _settings(tool)
    found = _SEARCH[0](stores, prompt, metadata_filter, top_k) if _SEARCH else []
    best = found[0].score if found else 0.0
    hits = [h for h in found if h.score >= MIN_SCORE and h.score >= 0.5 * best]
    answer = _Answer()
    metadata: dict[str, Any] | None = None
    if hits:
        for index, _, sentence in _pick(hits, prompt):
            answer.add(sentence, index)
        metadata = {"groundingChunks": [_grounding_chunk(h) for h in hits]}
        if answer.supports:
            metadata["groundingSupports"] = answer.supports
    else:
        where = ", ".join(stores)
        answer.text = f"I couldn't find anything about that in the documents of {where}" + (
            " that match the metadata filter." if metadata_filter else "."
        )
    parts = _tool_parts(request, model)
    parts.append({"text": answer.text})
    return ToolTurn(
        parts=parts,
        grounding_metadata=metadata,
        tool_use_prompt="\n\n".join(h.text for h in hits) or prompt,
    )
