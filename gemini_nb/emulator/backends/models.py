"""Models: the catalogue (get, list) and what a model does (generate, stream, count, embed).

The model behaviour itself lives in :mod:`gemini_nb.emulator.model`; this module is the API
noun: it resolves the model name, checks what the model supports, applies a cached content
named by the request, and frames the answer.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from ..model import generate as _model
from ..wire.errors import EmulatorError
from ..wire.framing import stream_response
from ..wire.routing import Ctx, paged, serves
from . import catalogue as _catalogue

__all__: list[str] = []

# The real API's default models.list page size.
DEFAULT_PAGE_SIZE = 50


def model_info(ctx: Ctx, method: str | None = None) -> _catalogue.ModelInfo:
    """The model named by the URL's ``model``/``name`` parameter, if it supports ``method``."""
    full = ctx.params.get("model") or ctx.params.get("name") or ""
    name = full.removeprefix("models/")
    info = _catalogue.lookup(name)
    if info is None or (method is not None and not info.supports(method)):
        raise _catalogue.not_supported_error(name, method or "get", ctx.version)
    return info


def cached_content(ctx: Ctx, request: dict[str, Any]) -> dict[str, Any] | None:
    """The CachedContent resource a GenerateContentRequest names, checked for this model."""
    name = request.get("cachedContent")
    if not name:
        return None
    from .caches import cache_for_request, check_request_against_cache

    check_request_against_cache(request)
    return cache_for_request(ctx, str(name), ctx.params.get("model", ""))


@serves("models.get")
async def get_model(ctx: Ctx) -> dict[str, Any]:
    return model_info(ctx).to_json()


@serves("models.list")
async def list_models(ctx: Ctx) -> dict[str, Any]:
    offset, size = ctx.page(ctx.app.options.page_size or DEFAULT_PAGE_SIZE)
    models = [m.to_json() for m in _catalogue.all_models()]
    return paged(models, "models", offset, size)


@serves("models.generateContent")
async def generate(ctx: Ctx) -> dict[str, Any]:
    info = model_info(ctx, "generateContent")
    return _answer(ctx, await ctx.body(), info)


@serves("models.streamGenerateContent")
async def stream(ctx: Ctx) -> Response:
    info = model_info(ctx, "generateContent")
    events = _model.stream_chunks(_answer(ctx, await ctx.body(), info))
    sse = ctx.query.get("alt") == "sse"
    return stream_response(events, sse=sse, fault=ctx.fault, delay=ctx.app.options.chunk_delay)


def _answer(ctx: Ctx, body: dict[str, Any], info: _catalogue.ModelInfo) -> dict[str, Any]:
    return _model.generate(
        body,
        info,
        api_version=ctx.version,
        cached_content=cached_content(ctx, body),
        scripted=ctx.app.answers.match(body, info.name),
    )


@serves("models.countTokens")
async def count_tokens(ctx: Ctx) -> dict[str, Any]:
    info = model_info(ctx, "countTokens")
    body = await ctx.body()
    inner = body.get("generateContentRequest")
    cache = cached_content(ctx, inner) if isinstance(inner, dict) else None
    return _model.count_tokens(body, info, api_version=ctx.version, cached_content=cache)


@serves("models.embedContent")
async def embed(ctx: Ctx) -> dict[str, Any]:
    info = model_info(ctx, "embedContent")
    return _model.embed(await ctx.body(), info)


@serves("models.batchEmbedContents")
async def batch_embed(ctx: Ctx) -> dict[str, Any]:
    info = model_info(ctx, "embedContent")
    body = await ctx.body()
    requests = body.get("requests", [])
    if len(requests) > 100:
        raise EmulatorError(
            400, "* BatchEmbedContentsRequest.requests: at most 100 requests can be in one batch"
        )
    name = ctx.params["model"]
    embeddings = []
    for i, item in enumerate(requests):
        target = item.get("model", "")
        if target != name:
            raise EmulatorError(
                400,
                f"Model names in requests[{i}] must match the batch: expected "
                f"{name}, got {target or 'nothing'}",
            )
        embeddings.append(_model.embed(item, info)["embedding"])
    return {"embeddings": embeddings}
