"""What generateContent answers: candidates, usage, feedback, grounding and citations."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ._base import ResponseModel, WireModel
from .content import CodeExecutionResult, Content, ExecutableCode, FunctionCall, Part

if TYPE_CHECKING:
    from .media import Audio, Image

__all__ = [
    "Candidate",
    "Citation",
    "CitationMetadata",
    "CitationSource",
    "GenerateContentResponse",
    "GroundingChunk",
    "GroundingMetadata",
    "GroundingSupport",
    "ModalityTokenCount",
    "PromptFeedback",
    "SafetyRating",
    "SearchEntryPoint",
    "Segment",
    "UrlContextMetadata",
    "UrlMetadata",
    "UsageMetadata",
]


class ModalityTokenCount(WireModel):
    modality: str | None = None
    token_count: int | None = None


class UsageMetadata(WireModel):
    prompt_token_count: int | None = None
    candidates_token_count: int | None = None
    total_token_count: int | None = None
    cached_content_token_count: int | None = None
    thoughts_token_count: int | None = None
    tool_use_prompt_token_count: int | None = None
    prompt_tokens_details: list[ModalityTokenCount] | None = None
    candidates_tokens_details: list[ModalityTokenCount] | None = None
    cache_tokens_details: list[ModalityTokenCount] | None = None
    tool_use_prompt_tokens_details: list[ModalityTokenCount] | None = None
    service_tier: str | None = None


class SafetyRating(WireModel):
    category: str | None = None
    probability: str | None = None
    blocked: bool | None = None


class PromptFeedback(WireModel):
    block_reason: str | None = None
    safety_ratings: list[SafetyRating] | None = None


class CitationSource(WireModel):
    start_index: int | None = None
    end_index: int | None = None
    uri: str | None = None
    license: str | None = None


class CitationMetadata(WireModel):
    citation_sources: list[CitationSource] | None = None


class Web(WireModel):
    uri: str | None = None
    title: str | None = None


class RetrievedContext(WireModel):
    """A passage the file search tool retrieved: its text, the document's ``title`` and
    ``uri``, the store, and the PDF page it starts on."""

    uri: str | None = None
    title: str | None = None
    text: str | None = None
    file_search_store: str | None = None
    page_number: int | None = None
    media_id: str | None = None
    custom_metadata: list[dict[str, Any]] | None = None


class Maps(WireModel):
    uri: str | None = None
    title: str | None = None
    text: str | None = None
    place_id: str | None = None


class GroundingChunk(WireModel):
    web: Web | None = None
    retrieved_context: RetrievedContext | None = None
    maps: Maps | None = None

    @property
    def source(self) -> Web | RetrievedContext | Maps | None:
        return self.web or self.retrieved_context or self.maps


class Segment(WireModel):
    part_index: int | None = None
    start_index: int | None = None
    end_index: int | None = None
    text: str | None = None


class GroundingSupport(WireModel):
    segment: Segment | None = None
    grounding_chunk_indices: list[int] | None = None
    confidence_scores: list[float] | None = None


class SearchEntryPoint(WireModel):
    rendered_content: str | None = None
    sdk_blob: str | None = None


class GroundingMetadata(WireModel):
    grounding_chunks: list[GroundingChunk] | None = None
    grounding_supports: list[GroundingSupport] | None = None
    web_search_queries: list[str] | None = None
    image_search_queries: list[str] | None = None
    search_entry_point: SearchEntryPoint | None = None
    retrieval_metadata: dict[str, Any] | None = None
    google_maps_widget_context_token: str | None = None


class UrlMetadata(WireModel):
    retrieved_url: str | None = None
    url_retrieval_status: str | None = None


class UrlContextMetadata(WireModel):
    url_metadata: list[UrlMetadata] | None = None


class Candidate(WireModel):
    content: Content | None = None
    finish_reason: str | None = None
    finish_message: str | None = None
    index: int | None = None
    safety_ratings: list[SafetyRating] | None = None
    citation_metadata: CitationMetadata | None = None
    token_count: int | None = None
    grounding_metadata: GroundingMetadata | None = None
    grounding_attributions: list[dict[str, Any]] | None = None
    url_context_metadata: UrlContextMetadata | None = None
    avg_logprobs: float | None = None
    logprobs_result: dict[str, Any] | None = None

    @property
    def text(self) -> str:
        return self.content.text if self.content is not None else ""


@dataclass(frozen=True)
class Citation:
    """A span of the answer text and the sources that support it."""

    start: int
    end: int
    text: str
    sources: tuple[GroundingChunk, ...]
    confidence: tuple[float, ...] = ()

    @property
    def uris(self) -> list[str]:
        return [s.source.uri for s in self.sources if s.source is not None and s.source.uri]


# Finish reasons that mean "the answer is complete"; anything else deserves the user's attention.
NORMAL_FINISH = frozenset({"STOP", "FINISH_REASON_UNSPECIFIED"})


class GenerateContentResponse(ResponseModel):
    """The model's answer. ``.text`` is the first candidate's non-thought text ("" if none)."""

    candidates: list[Candidate] | None = None
    prompt_feedback: PromptFeedback | None = None
    usage_metadata: UsageMetadata | None = None
    model_version: str | None = None
    response_id: str | None = None
    model_status: dict[str, Any] | None = None

    __slots__ = ("_afc_history", "_parse_error", "_parsed")
    if TYPE_CHECKING:
        _parsed: Any
        _parse_error: Exception | None
        _afc_history: list[Content] | None

    # Accessors never raise or warn: a notebook calls them on every kind of answer.
    @property
    def parts(self) -> list[Part]:
        if not self.candidates:
            return []
        content = self.candidates[0].content
        return list(content.parts) if content is not None else []

    @property
    def text(self) -> str:
        return "".join(p.text for p in self.parts if p.text is not None and not p.thought)

    @property
    def thoughts(self) -> str:
        """The thought summaries of the first candidate (``include_thoughts=True``)."""
        return "".join(p.text for p in self.parts if p.text is not None and p.thought)

    @property
    def function_calls(self) -> list[FunctionCall]:
        return [p.function_call for p in self.parts if p.function_call is not None]

    @property
    def executable_code(self) -> list[ExecutableCode]:
        return [p.executable_code for p in self.parts if p.executable_code is not None]

    @property
    def code_execution_results(self) -> list[CodeExecutionResult]:
        return [p.code_execution_result for p in self.parts if p.code_execution_result is not None]

    @property
    def images(self) -> list[Image]:
        """The pictures of the first candidate (image models), each with ``.save(path)``."""
        found = (p.as_image() for p in self.parts if not p.thought)
        return [image for image in found if image is not None]

    @property
    def audio(self) -> Audio | None:
        """The first candidate's sound (speech models: PCM, saved and played as WAV); pieces
        of a streamed answer in the same format are joined."""
        from .media import Audio

        blobs = [
            p.inline_data
            for p in self.parts
            if p.inline_data is not None
            and (p.inline_data.mime_type or "").lower().startswith("audio/")
        ]
        if not blobs:
            return None
        mime = blobs[0].mime_type
        return Audio(b"".join(b.data for b in blobs if b.mime_type == mime), mime)

    @property
    def finish_reason(self) -> str | None:
        return self.candidates[0].finish_reason if self.candidates else None

    @property
    def blocked(self) -> bool:
        """True when the prompt was blocked or the answer stopped for a safety-type reason."""
        if self.prompt_feedback is not None and self.prompt_feedback.block_reason:
            return True
        reason = self.finish_reason
        return reason is not None and reason not in NORMAL_FINISH and reason != "MAX_TOKENS"

    @property
    def parsed(self) -> Any:
        """The validated object for structured output (``response_schema``), else None."""
        return getattr(self, "_parsed", None)

    @property
    def parse_error(self) -> Exception | None:
        """Why ``parsed`` is None although a schema was given (invalid JSON, failed validation)."""
        return getattr(self, "_parse_error", None)

    @property
    def automatic_function_calling_history(self) -> list[Content] | None:
        """The contents exchanged by automatic function calling (None if it did not run)."""
        return getattr(self, "_afc_history", None)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        # Imported here: the types must not pull in the notebook layer (nh3, markdown-it).
        from ..notebook.display import response_bundle

        return response_bundle(self)

    def json_text(self) -> Any:
        """``.text`` decoded as JSON, or None when it is not JSON."""
        try:
            return json.loads(self.text)
        except ValueError:
            return None

    def citations(self) -> list[Citation]:
        """Answer spans with their grounding sources (search, URL context, maps, file search).

        Segment indices from the API count UTF-8 bytes of the part's text; the spans returned
        here are character offsets into ``.text``, ready for slicing.
        """
        if not self.candidates or self.candidates[0].grounding_metadata is None:
            return []
        meta = self.candidates[0].grounding_metadata
        chunks = meta.grounding_chunks or []
        parts = self.parts
        out: list[Citation] = []
        for support in meta.grounding_supports or []:
            seg = support.segment
            if seg is None:
                continue
            start, end = _char_span(parts, seg)
            sources = tuple(
                chunks[i] for i in support.grounding_chunk_indices or [] if 0 <= i < len(chunks)
            )
            text = self.text
            out.append(
                Citation(
                    start=start,
                    end=end,
                    text=seg.text if seg.text is not None else text[start:end],
                    sources=sources,
                    confidence=tuple(support.confidence_scores or ()),
                )
            )
        return out


def _char_span(parts: list[Part], seg: Segment) -> tuple[int, int]:
    """Turn a segment's byte offsets within one part into character offsets within ``.text``."""
    index = seg.part_index or 0
    offset = sum(len(p.text) for p in parts[:index] if p.text is not None and not p.thought)
    part_text = (parts[index].text or "") if 0 <= index < len(parts) else ""
    data = part_text.encode("utf-8")
    start_b = seg.start_index or 0
    end_b = seg.end_index if seg.end_index is not None else len(data)
    start = len(data[:start_b].decode("utf-8", errors="ignore"))
    end = len(data[:end_b].decode("utf-8", errors="ignore"))
    return offset + start, offset + end
