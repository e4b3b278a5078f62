"""``client.models``: generate (plain and streamed), count tokens, embed, get and list models,
and pictures and videos (Imagen, Veo: their flows are in ``media``).

Each method is one flow (a generator of effects, see ``_transport``) written once; the
``Models`` and ``AsyncModels`` classes only hand it to their client.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .._convert import (
    InvalidInputError,
    StructuredOutput,
    build_generate_request,
    coerce_config,
    model_path,
    split_tools,
    to_content,
    to_contents,
)
from .._options import http_options_of
from .._pager import AsyncPager, Pager, list_args, list_flow
from .._streaming import AsyncStream, ChunkMerger, FinalResponse, Stream, decode_events
from .._transport import Call, Emit, Flow, Next, Reply
from ..types import (
    Content,
    CountTokensResponse,
    EmbedContentConfig,
    EmbedContentResponse,
    GenerateContentConfig,
    GenerateContentResponse,
    HttpOptions,
    Model,
)

if TYPE_CHECKING:
    from .._client import AsyncClient, Client
    from ..types.media import (
        AsyncGenerateVideosOperation,
        GenerateImagesConfig,
        GenerateImagesResponse,
        GenerateVideosConfig,
        GenerateVideosOperation,
        GenerateVideosSource,
    )

__all__ = ["AsyncModels", "Models"]

# batchEmbedContents takes at most 100 requests; larger inputs are sent in several calls.
EMBED_BATCH = 100


# ------------------------------------------------------------------ flows


def _attach_parsed(response: GenerateContentResponse, fmt: StructuredOutput | None) -> None:
    if fmt is None:
        return
    text = response.text
    if not text:
        return
    try:
        response._parsed = fmt.parse(text)
    except Exception as exc:  # invalid JSON or failed validation: kept for the caller to see
        response._parse_error = exc


def _prepare(
    model: str, contents: Any, config: Any
) -> tuple[str, dict[str, Any], StructuredOutput | None, GenerateContentConfig | None, list[Any]]:
    path = model_path(model)
    cfg = coerce_config(config)
    tools, functions = split_tools(cfg.tools if cfg is not None else None)
    body, fmt = build_generate_request(contents, cfg, tools=tools)
    return path, body, fmt, cfg, functions


def _options(cfg: GenerateContentConfig | None) -> HttpOptions | None:
    return cfg.http_options if cfg is not None else None


def _afc_enabled(cfg: GenerateContentConfig | None, functions: list[Any]) -> bool:
    afc = cfg.automatic_function_calling if cfg is not None else None
    return bool(functions) and not (afc is not None and afc.disable)


def generate_op(model: str, contents: Any, config: Any) -> Flow[GenerateContentResponse]:
    path, body, fmt, cfg, functions = _prepare(model, contents, config)
    if _afc_enabled(cfg, functions):
        from .._afc import afc_generate

        response = yield from afc_generate(path, body, cfg, functions)
    else:
        reply: Reply = yield Call(
            "POST", f"{path}:generateContent", body=body, options=_options(cfg)
        )
        response = reply.model(GenerateContentResponse)
    _attach_parsed(response, fmt)
    return response


def stream_request_op(
    path: str, body: dict[str, Any], options: HttpOptions | None, merger: ChunkMerger
) -> Flow[GenerateContentResponse]:
    """One streamed request: emits each chunk, returns the merged response."""
    handle = yield Call(
        "POST",
        f"{path}:streamGenerateContent",
        params={"alt": "sse"},
        body=body,
        options=options,
        stream=True,
    )
    while True:
        texts: list[str] | None = yield Next(handle)
        if texts is None:
            break
        # Every event that has arrived is decoded and handed on in one step; an error event
        # is raised after the chunks before it.
        chunks, failure = decode_events(texts)
        for chunk in chunks:
            merger.add(chunk)
        if chunks:
            yield Emit(chunks)
        if failure is not None:
            raise failure
    return merger.result()


def open_stream(model: str, contents: Any, config: Any) -> tuple[Flow[None], ChunkMerger | None]:
    """The flow of a streamed call, and the merger it fills (None: the stream merges)."""
    path, body, fmt, cfg, functions = _prepare(model, contents, config)
    if _afc_enabled(cfg, functions):
        return _stream_op(path, body, fmt, cfg, functions, None), None
    merger = ChunkMerger()
    return _stream_op(path, body, fmt, cfg, functions, merger), merger


def _stream_op(
    path: str,
    body: dict[str, Any],
    fmt: StructuredOutput | None,
    cfg: GenerateContentConfig | None,
    functions: list[Any],
    merger: ChunkMerger | None,
) -> Flow[None]:
    """Emits every chunk, then a :class:`FinalResponse` with the merged answer."""
    if merger is None:
        from .._afc import afc_stream

        final = yield from afc_stream(path, body, cfg, functions)
    else:
        final = yield from stream_request_op(path, body, _options(cfg), merger)
    _attach_parsed(final, fmt)
    yield Emit([FinalResponse(final)])
    return None


def count_tokens_op(model: str, contents: Any, config: Any) -> Flow[CountTokensResponse]:
    path = model_path(model)
    cfg = coerce_config(config)
    body: dict[str, Any]
    if cfg is not None and (cfg.system_instruction is not None or cfg.tools or cfg.cached_content):
        # Only the generateContentRequest form counts a system instruction, tools and a cache.
        tools, _ = split_tools(cfg.tools)
        request, _ = build_generate_request(contents, cfg, tools=tools)
        request.pop("generationConfig", None)
        body = {"generateContentRequest": {"model": path, **request}}
    else:
        body = {"contents": to_contents(contents)}
    reply: Reply = yield Call("POST", f"{path}:countTokens", body=body, options=_options(cfg))
    return reply.model(CountTokensResponse)


def _embed_inputs(contents: Any) -> list[dict[str, Any]]:
    """For embeddings a list means *many texts*, each embedded on its own."""
    if isinstance(contents, (str, Content)) or not isinstance(contents, Sequence):
        items: Sequence[Any] = [contents]
    else:
        items = contents
    if not items:
        raise InvalidInputError("contents is empty; pass a text or a list of texts to embed.")
    return [to_content(item) for item in items]


def embed_op(model: str, contents: Any, config: Any) -> Flow[EmbedContentResponse]:
    path = model_path(model)
    if config is None:
        cfg = EmbedContentConfig()
    elif isinstance(config, EmbedContentConfig):
        cfg = config
    else:
        try:
            cfg = EmbedContentConfig.model_validate(config)
        except Exception as exc:
            raise InvalidInputError(f"Invalid embed config: {exc}") from None
    extra = cfg.model_dump(mode="json", exclude_none=True, exclude={"http_options"})
    requests = [{"model": path, "content": c, **extra} for c in _embed_inputs(contents)]
    embeddings: list[Any] = []
    info = None
    for start in range(0, len(requests), EMBED_BATCH):
        batch = requests[start : start + EMBED_BATCH]
        reply: Reply = yield Call(
            "POST", f"{path}:batchEmbedContents", body={"requests": batch}, options=cfg.http_options
        )
        part = reply.model(EmbedContentResponse)
        embeddings.extend(part.embeddings)
        info = reply.info
    response = EmbedContentResponse(embeddings=embeddings)
    response._http = info
    return response


def get_op(model: str, config: Any = None) -> Flow[Model]:
    reply: Reply = yield Call("GET", model_path(model), options=http_options_of(config))
    return reply.model(Model)


# ------------------------------------------------------------------ shells


class Models:
    """Generate content, count tokens, embed, and look up models.

    >>> r = client.models.generate_content(model="gemini-2.5-flash", contents="Hello")  # doctest: +SKIP
    >>> r.text  # doctest: +SKIP
    """

    def __init__(self, client: Client) -> None:
        self._client = client

    def generate_content(
        self,
        *,
        model: str,
        contents: Any,
        config: GenerateContentConfig | dict[str, Any] | None = None,
    ) -> GenerateContentResponse:
        """One answer. ``contents``: text, parts, images, or a list of Contents (a conversation)."""
        return self._client._run(generate_op(model, contents, config))

    def generate_content_stream(
        self,
        *,
        model: str,
        contents: Any,
        config: GenerateContentConfig | dict[str, Any] | None = None,
    ) -> Stream:
        """The answer as it is generated (server-sent events). Use ``with`` to close it."""
        return Stream(self._client, *open_stream(model, contents, config))

    def count_tokens(
        self,
        *,
        model: str,
        contents: Any,
        config: GenerateContentConfig | dict[str, Any] | None = None,
        local: bool = False,
    ) -> CountTokensResponse:
        """The request's tokens. ``local=True`` counts text on this machine with the model's
        tokenizer (no API call; see :class:`gemini_nb.tokens.LocalTokenizer`)."""
        if local:
            from ..tokens._tokenizer import local_count_tokens

            return local_count_tokens(model, contents, config)
        return self._client._run(count_tokens_op(model, contents, config))

    def embed_content(
        self,
        *,
        model: str,
        contents: Any,
        config: EmbedContentConfig | dict[str, Any] | None = None,
    ) -> EmbedContentResponse:
        """Embeddings, one per input: a text, or a list of texts."""
        return self._client._run(embed_op(model, contents, config))

    def get(self, *, model: str, config: Any = None) -> Model:
        """One model's description; ``config`` may carry ``http_options``."""
        return self._client._run(get_op(model, config))

    def list(
        self, *, config: Any = None, page_size: int | None = None, page_token: str | None = None
    ) -> Pager[Model]:
        """Every model, page by page (``config`` as google-genai's ``ListModelsConfig``)."""
        args = list_args(config, page_size=page_size, page_token=page_token)
        return Pager(self._client, lambda t: list_flow("models", Model, "models", args, t), Model)

    def generate_images(
        self,
        *,
        model: str,
        prompt: str,
        config: GenerateImagesConfig | dict[str, Any] | None = None,
    ) -> GenerateImagesResponse:
        """Pictures from Imagen: ``r.generated_images[i].image`` (``.save(path)``,
        ``.to_pil()``); filtered ones carry ``rai_filtered_reason``.

        >>> r = client.models.generate_images(model="imagen-4.0-generate-001",
        ...     prompt="A lighthouse at dawn", config={"number_of_images": 2})  # doctest: +SKIP
        """
        from .media import generate_images_op

        return self._client._run(generate_images_op(model, prompt, config))

    def generate_videos(
        self,
        *,
        model: str,
        prompt: str | None = None,
        image: Any = None,
        video: Any = None,
        source: GenerateVideosSource | dict[str, Any] | None = None,
        config: GenerateVideosConfig | dict[str, Any] | None = None,
    ) -> GenerateVideosOperation:
        """Start a Veo video; the operation's ``wait()`` gives ``generated_videos[i].video``,
        which ``client.files.download(file=video)`` fetches.

        ``image`` (or ``source.image``) is the first frame; ``video`` a Veo video to extend.

        >>> op = client.models.generate_videos(model="veo-3.1-fast-generate-preview",
        ...                                    prompt="Waves at sunset")  # doctest: +SKIP
        >>> video = op.wait(timeout=600).generated_videos[0].video  # doctest: +SKIP
        >>> client.files.download(file=video); video.save("waves.mp4")  # doctest: +SKIP
        """
        from ..types.media import GenerateVideosOperation
        from .media import generate_videos_op

        op: GenerateVideosOperation = self._client._run(
            generate_videos_op(
                model, prompt, image, video, source, config, GenerateVideosOperation, self._client
            )
        )
        return op


class AsyncModels:
    """The async twin of :class:`Models`."""

    def __init__(self, client: AsyncClient) -> None:
        self._client = client

    async def generate_content(
        self,
        *,
        model: str,
        contents: Any,
        config: GenerateContentConfig | dict[str, Any] | None = None,
    ) -> GenerateContentResponse:
        return await self._client._run(generate_op(model, contents, config))

    def generate_content_stream(
        self,
        *,
        model: str,
        contents: Any,
        config: GenerateContentConfig | dict[str, Any] | None = None,
    ) -> AsyncStream:
        """``async with``/``async for`` it directly (``await`` on it also works, returning it)."""
        return AsyncStream(self._client, *open_stream(model, contents, config))

    async def count_tokens(
        self,
        *,
        model: str,
        contents: Any,
        config: GenerateContentConfig | dict[str, Any] | None = None,
        local: bool = False,
    ) -> CountTokensResponse:
        if local:
            import asyncio

            from ..tokens._tokenizer import local_count_tokens

            # In a thread: the first use may download the tokenizer file.
            return await asyncio.to_thread(local_count_tokens, model, contents, config)
        return await self._client._run(count_tokens_op(model, contents, config))

    async def embed_content(
        self,
        *,
        model: str,
        contents: Any,
        config: EmbedContentConfig | dict[str, Any] | None = None,
    ) -> EmbedContentResponse:
        return await self._client._run(embed_op(model, contents, config))

    async def get(self, *, model: str, config: Any = None) -> Model:
        return await self._client._run(get_op(model, config))

    async def list(
        self, *, config: Any = None, page_size: int | None = None, page_token: str | None = None
    ) -> AsyncPager[Model]:
        args = list_args(config, page_size=page_size, page_token=page_token)
        pager = AsyncPager(
            self._client, lambda t: list_flow("models", Model, "models", args, t), Model
        )
        return await pager._start()

    async def generate_images(
        self,
        *,
        model: str,
        prompt: str,
        config: GenerateImagesConfig | dict[str, Any] | None = None,
    ) -> GenerateImagesResponse:
        from .media import generate_images_op

        return await self._client._run(generate_images_op(model, prompt, config))

    async def generate_videos(
        self,
        *,
        model: str,
        prompt: str | None = None,
        image: Any = None,
        video: Any = None,
        source: GenerateVideosSource | dict[str, Any] | None = None,
        config: GenerateVideosConfig | dict[str, Any] | None = None,
    ) -> AsyncGenerateVideosOperation:
        from ..types.media import AsyncGenerateVideosOperation
        from .media import generate_videos_op

        op: AsyncGenerateVideosOperation = await self._client._run(
            generate_videos_op(
                model,
                prompt,
                image,
                video,
                source,
                config,
                AsyncGenerateVideosOperation,
                self._client,
            )
        )
        return op
