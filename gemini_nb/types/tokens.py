"""countTokens and embeddings: request configs and answers."""

from __future__ import annotations

from ._base import ResponseModel, WireModel
from .http import HttpOptions
from .responses import ModalityTokenCount

__all__ = [
    "ContentEmbedding",
    "CountTokensResponse",
    "EmbedContentConfig",
    "EmbedContentResponse",
]


class CountTokensResponse(ResponseModel):
    total_tokens: int = 0
    cached_content_token_count: int | None = None
    prompt_tokens_details: list[ModalityTokenCount] | None = None
    cache_tokens_details: list[ModalityTokenCount] | None = None


class EmbedContentConfig(WireModel):
    """``task_type`` e.g. RETRIEVAL_QUERY / RETRIEVAL_DOCUMENT / SEMANTIC_SIMILARITY."""

    task_type: str | None = None
    title: str | None = None
    output_dimensionality: int | None = None
    http_options: HttpOptions | None = None


class ContentEmbedding(WireModel):
    values: list[float]


class EmbedContentResponse(ResponseModel):
    """One embedding per input content, in order."""

    embeddings: list[ContentEmbedding] = []

    @property
    def values(self) -> list[list[float]]:
        return [e.values for e in self.embeddings]
