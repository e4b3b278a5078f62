"""``client.batches``: the Batch API (many requests, run asynchronously at half price).

>>> job = client.batches.create(model="gemini-2.5-flash", src=["Hi", "Bye"])  # doctest: +SKIP
>>> job.wait()                                                                # doctest: +SKIP
>>> [r.response.text for r in job.results()]                                  # doctest: +SKIP
>>> client.batches.list().to_pandas()                                         # doctest: +SKIP

``create`` takes google-genai's ``src``: a list of inline requests (``InlinedRequest``, dicts
of its fields, or plain prompts), the name of an uploaded JSONL file (``"files/…"``, each line
``{"key": ..., "request": {...}}``) or a ``BatchJobSource``; ``create_embeddings`` an
``EmbeddingsBatchJobSource``. Every method is a flow written once; ``Batches`` and
``AsyncBatches`` only hand it to their client.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel, ValidationError

from .._convert import build_generate_request, coerce_config, model_path, split_tools
from .._exceptions import InvalidInputError, OperationError
from .._operations import wait_in_place
from .._options import coerce_config_as, http_options_of
from .._pager import AsyncPager, Pager, list_args, list_flow
from .._transport import Call, Reply
from .._upload import download_to_path_flow
from ..types import EmbedContentConfig, File, HttpOptions
from ..types.batches import (
    AsyncBatchJob,
    BatchJob,
    BatchJobSource,
    BatchResults,
    CreateBatchJobConfig,
    CreateEmbeddingsBatchJobConfig,
    EmbedContentBatch,
    EmbeddingsBatchJobSource,
    InlinedEmbedContentResponse,
    InlinedRequest,
    InlinedResponse,
    _BatchJobData,
)

if TYPE_CHECKING:
    from .._client import AsyncClient, Client
    from .._transport import Flow

__all__ = [
    "MAX_INLINE_BYTES",
    "AsyncBatches",
    "Batches",
    "JobBar",
    "batch_name",
    "bind",
    "create_embeddings_flow",
    "create_flow",
    "get_flow",
    "results_flow",
    "wait_flow",
]

J = TypeVar("J", bound=_BatchJobData)

# The API takes at most 20 MB of inline requests; more goes through a JSONL file.
MAX_INLINE_BYTES = 20 * 1024 * 1024


def bind(job: J, client: Any) -> J:
    """Attach ``job`` to the client that polls it (``refresh``/``wait``/``results``)."""
    job._client = client
    return job


def batch_name(job: Any) -> str:
    """``batches/{id}`` from an id, a name, or a BatchJob."""
    name = getattr(job, "name", job) if not isinstance(job, str) else job
    if not isinstance(name, str) or not name.strip():
        raise InvalidInputError(
            "Pass a BatchJob or its name ('batches/abc123'); client.batches.list() shows them."
        )
    bare = name.strip().removeprefix("batches/")
    if not bare or any(bad in bare for bad in ("/", "?", "#", ":", "..", " ")):
        raise InvalidInputError(f"{name!r} is not a batch name; expected 'batches/{{id}}'.")
    return f"batches/{bare}"


# ------------------------------------------------------------------ sources


def _invalid(what: str, exc: ValidationError) -> InvalidInputError:
    err = exc.errors()[0]
    loc = ".".join(str(x) for x in err["loc"])
    return InvalidInputError(f"Invalid {what}: {loc + ': ' if loc else ''}{err['msg']}")


def _inline_request(item: Any, position: int) -> dict[str, Any]:
    if isinstance(item, InlinedRequest):
        req = item
    elif isinstance(item, Mapping):
        try:
            req = InlinedRequest.model_validate(dict(item))
        except ValidationError as exc:
            raise _invalid(f"inline request {position}", exc) from None
    elif isinstance(item, BaseModel) and type(item).__name__ == "InlinedRequest":
        # google-genai's InlinedRequest: the same fields.
        req = InlinedRequest.model_validate(
            {k: getattr(item, k) for k in ("model", "contents", "metadata", "config")}
        )
    else:
        req = InlinedRequest(contents=item)
    if req.contents is None:
        raise InvalidInputError(f"Inline request {position} has no contents.")
    cfg = coerce_config(req.config)
    tools, _ = split_tools(cfg.tools if cfg is not None else None)
    body, _ = build_generate_request(req.contents, cfg, tools=tools)
    if req.model:
        body["model"] = model_path(req.model)
    out: dict[str, Any] = {"request": body}
    if req.metadata:
        out["metadata"] = {str(k): str(v) for k, v in req.metadata.items()}
    return out


def _file_source(value: Any) -> str | None:
    if isinstance(value, File):
        return value.name
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("files/") and len(text) > len("files/"):
            return text
        raise InvalidInputError(
            f"src {value!r} is not the name of an uploaded file ('files/…'). Upload the JSONL "
            "with client.files.upload(file=path, mime_type='application/jsonl') and pass its "
            "name, or pass a list of requests."
        )
    return None


def _generate_input(src: Any) -> dict[str, Any]:
    """``batch.inputConfig`` for ``batchGenerateContent``."""
    file_name = _file_source(src)
    if file_name is not None:
        return {"fileName": file_name}
    if isinstance(src, (Mapping, BatchJobSource)):
        try:
            source = (
                src if isinstance(src, BatchJobSource) else BatchJobSource.model_validate(dict(src))
            )
        except ValidationError as exc:
            raise _invalid("src", exc) from None
        if (source.file_name is None) == (source.inlined_requests is None):
            raise InvalidInputError("src needs exactly one of file_name and inlined_requests.")
        if source.file_name is not None:
            return {"fileName": _file_source(source.file_name)}
        items: Sequence[Any] = source.inlined_requests or []
    elif isinstance(src, Sequence) and not isinstance(src, (str, bytes)):
        items = src
    else:
        raise InvalidInputError(
            f"src must be a list of requests, a 'files/…' name or a BatchJobSource, "
            f"not {type(src).__name__}."
        )
    if not items:
        raise InvalidInputError("src is an empty list; a batch needs at least one request.")
    requests = [_inline_request(item, i) for i, item in enumerate(items)]
    return {"requests": {"requests": requests}}


def _embed_config(config: Any) -> dict[str, Any]:
    if config is None:
        return {}
    try:
        cfg = (
            config
            if isinstance(config, EmbedContentConfig)
            else EmbedContentConfig.model_validate(config)
        )
    except ValidationError as exc:
        raise _invalid("embed config", exc) from None
    return cfg.model_dump(mode="json", exclude_none=True, exclude={"http_options"})


def _embeddings_input(src: Any) -> dict[str, Any]:
    """``batch.inputConfig`` for ``asyncBatchEmbedContent``."""
    file_name = _file_source(src) if isinstance(src, (str, File)) else None
    if file_name is not None:
        return {"fileName": file_name}
    if isinstance(src, Sequence) and not isinstance(src, (str, bytes)):
        src = EmbeddingsBatchJobSource(inlined_requests=EmbedContentBatch(contents=list(src)))
    try:
        source = (
            src
            if isinstance(src, EmbeddingsBatchJobSource)
            else EmbeddingsBatchJobSource.model_validate(
                dict(src) if isinstance(src, Mapping) else src
            )
        )
    except ValidationError as exc:
        raise _invalid("src", exc) from None
    if (source.file_name is None) == (source.inlined_requests is None):
        raise InvalidInputError("src needs exactly one of file_name and inlined_requests.")
    if source.file_name is not None:
        return {"fileName": _file_source(source.file_name)}
    batch = source.inlined_requests
    assert batch is not None
    from .models import _embed_inputs

    extra = _embed_config(batch.config)
    requests = [{"request": {"content": c, **extra}} for c in _embed_inputs(batch.contents)]
    return {"requests": {"requests": requests}}


def _check_inline_size(body: dict[str, Any]) -> None:
    size = len(json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode())
    if size > MAX_INLINE_BYTES:
        raise InvalidInputError(
            f"The inline requests come to {size / 1e6:.1f} MB; the API takes at most 20 MB "
            "inline. Write them to a JSONL file, upload it (client.files.upload(file=path, "
            "mime_type='application/jsonl')) and pass its name as src, or use "
            "client.dataframes.generate(..., engine='batch'), which does that for you."
        )


def _webhook(value: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, item in value.items():
        head, *rest = str(key).split("_")
        out[head + "".join(w.title() for w in rest)] = item
    return out


# ------------------------------------------------------------------ flows


def default_display_name() -> str:
    """The API requires a display name; google-genai leaves it to you (a 400 without one)."""
    from datetime import datetime

    return f"gemini-nb batch {datetime.now().astimezone():%Y-%m-%d %H:%M:%S}"


def create_flow(model: str, src: Any, config: Any, cls: type[J]) -> Flow[J]:
    cfg = coerce_config_as(CreateBatchJobConfig, config)
    if cfg.dest is not None:
        raise InvalidInputError(
            "dest is for Vertex AI; on the Gemini API the answers come back inline or in a "
            "responses file (job.dest once the job has succeeded)."
        )
    path = model_path(model)
    batch: dict[str, Any] = {"inputConfig": _generate_input(src)}
    batch["displayName"] = cfg.display_name or default_display_name()
    if cfg.webhook_config:
        batch["webhookConfig"] = _webhook(cfg.webhook_config)
    body = {"batch": batch}
    if "requests" in batch["inputConfig"]:
        _check_inline_size(body)
    reply: Reply = yield Call(
        "POST", f"{path}:batchGenerateContent", body=body, options=cfg.http_options
    )
    return reply.model(cls)


def create_embeddings_flow(model: str, src: Any, config: Any, cls: type[J]) -> Flow[J]:
    cfg = coerce_config_as(CreateEmbeddingsBatchJobConfig, config)
    path = model_path(model)
    batch: dict[str, Any] = {"inputConfig": _embeddings_input(src)}
    batch["displayName"] = cfg.display_name or default_display_name()
    body = {"batch": batch}
    if "requests" in batch["inputConfig"]:
        _check_inline_size(body)
    reply: Reply = yield Call(
        "POST", f"{path}:asyncBatchEmbedContent", body=body, options=cfg.http_options
    )
    return reply.model(cls)


def get_flow(name: str, cls: type[J], options: HttpOptions | None) -> Flow[J]:
    reply: Reply = yield Call("GET", name, options=options)
    return reply.model(cls)


def cancel_flow(name: str, options: HttpOptions | None) -> Flow[None]:
    yield Call("POST", f"{name}:cancel", options=options)
    return None


def delete_flow(name: str, options: HttpOptions | None) -> Flow[None]:
    yield Call("DELETE", name, options=options)
    return None


class JobBar:
    """A progress bar for a batch job: its state, requests done of all, elapsed time."""

    def __init__(self, first: _BatchJobData, *, enabled: bool = True) -> None:
        from .._progress import make_bar

        stats = first.batch_stats
        short = (first.name or "batch").removeprefix("batches/")[:12]
        self._bar = make_bar(
            total=stats.request_count if stats is not None else None,
            desc=f"batch {short}",
            unit="req",
            initial=stats.finished if stats is not None else 0,
            enabled=enabled,
        )
        self(first)

    def __call__(self, job: _BatchJobData) -> None:
        stats = job.batch_stats
        if stats is not None:
            self._bar.set_total(stats.request_count)
            failed = f", {stats.failed_request_count} failed" if stats.failed_request_count else ""
            self._bar.set_postfix(f"{(job.state or '?').removeprefix('JOB_STATE_')}{failed}")
            self._bar.set_count(stats.finished)
        if job.done:
            self.close()

    def close(self) -> None:
        self._bar.close()


def wait_flow(
    job: J, timeout: float | None, progress: bool | Callable[[Any], Any] | None
) -> Flow[J]:
    """Poll ``job`` (updated in place) until it has ended; the job."""
    name = batch_name(job)

    def refetch() -> Flow[J]:
        fresh = yield from get_flow(name, type(job), None)
        job._update(fresh)
        return job

    yield from wait_in_place(
        job,
        refetch,
        timeout=timeout,
        progress=progress,
        make_bar=JobBar,
        what=f"Batch {name}",
        noun="job",
    )
    return job


def job_failure(job: _BatchJobData) -> OperationError:
    why = job.error.describe() if job.error is not None else "no reason given"
    state = (job.state or "an unknown state").removeprefix("JOB_STATE_")
    hint = (
        " Wait for it first (job.wait())."
        if not job.done
        else " Create it again to retry the requests."
    )
    return OperationError(
        f"Batch {job.name} has no results: it is {state} ({why}).{hint}",
        name=job.name,
        code=job.error.code if job.error is not None else None,
        details=job.error.details if job.error is not None else None,
    )


def parse_result_line(
    line: bytes | str, embeddings: bool
) -> InlinedResponse | InlinedEmbedContentResponse:
    cls = InlinedEmbedContentResponse if embeddings else InlinedResponse
    return cls.model_validate_json(line, extra="allow")


def results_flow(job: _BatchJobData, options: HttpOptions | None) -> Flow[BatchResults]:
    """The job's answers in input order, reading the responses file if there is one."""
    if not job.succeeded:
        raise job_failure(job)
    dest = job.dest
    embeddings = job.kind == "embeddings"
    if dest is None or (
        dest.file_name is None
        and dest.inlined_responses is None
        and dest.inlined_embed_content_responses is None
    ):
        raise OperationError(
            f"Batch {job.name} succeeded but names no output; fetch it again "
            "(client.batches.get(name=...)).",
            name=job.name,
        )
    if dest.file_name is None:
        if embeddings:
            return list(dest.inlined_embed_content_responses or [])
        return list(dest.inlined_responses or [])
    fd, tmp = tempfile.mkstemp(prefix="gemini-nb-batch-", suffix=".jsonl")
    os.close(fd)
    try:
        yield from download_to_path_flow(dest.file_name, tmp, options)
        out: list[Any] = []
        with open(tmp, "rb") as fh:
            for raw in fh:
                if raw.strip():
                    out.append(parse_result_line(raw, embeddings))
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
    return out


# ------------------------------------------------------------------ shells


class Batches:
    """Create, inspect, wait for, cancel and delete batch jobs (google-genai's names).

    >>> job = client.batches.create(model="gemini-2.5-flash",
    ...                             src=[{"contents": "Hi", "metadata": {"key": "a"}}])  # doctest: +SKIP
    >>> job.wait().results()[0].response.text                                           # doctest: +SKIP
    """

    def __init__(self, client: Client) -> None:
        self._client = client

    def create(
        self,
        *,
        model: str,
        src: Any,
        config: CreateBatchJobConfig | dict[str, Any] | None = None,
    ) -> BatchJob:
        """A batch of generate requests: ``src`` a list of requests or a ``files/…`` JSONL."""
        job = self._client._run(create_flow(model, src, config, BatchJob))
        return bind(job, self._client)

    def create_embeddings(
        self,
        *,
        model: str,
        src: EmbeddingsBatchJobSource | dict[str, Any] | Sequence[Any] | str,
        config: CreateEmbeddingsBatchJobConfig | dict[str, Any] | None = None,
    ) -> BatchJob:
        """A batch of embeddings: ``src={"inlined_requests": {"contents": [...], "config":
        {...}}}`` or ``{"file_name": "files/…"}`` (a list of texts is also taken)."""
        job = self._client._run(create_embeddings_flow(model, src, config, BatchJob))
        return bind(job, self._client)

    def get(self, *, name: str | BatchJob, config: Any = None) -> BatchJob:
        job = self._client._run(get_flow(batch_name(name), BatchJob, http_options_of(config)))
        return bind(job, self._client)

    def list(
        self, *, config: Any = None, page_size: int | None = None, page_token: str | None = None
    ) -> Pager[BatchJob]:
        """Your batch jobs, newest first, page by page (``.to_pandas()`` for a table)."""
        args = list_args(config, page_size=page_size, page_token=page_token)
        client = self._client

        def fetch(token: str | None) -> Flow[Any]:
            page = yield from list_flow("batches", BatchJob, "operations", args, token)
            for job in page.items:
                bind(job, client)
            return page

        return Pager(client, fetch, BatchJob)

    def cancel(self, *, name: str | BatchJob, config: Any = None) -> None:
        """Cancel a job that has not ended (it ends as JOB_STATE_CANCELLED)."""
        self._client._run(cancel_flow(batch_name(name), http_options_of(config)))

    def delete(self, *, name: str | BatchJob, config: Any = None) -> None:
        self._client._run(delete_flow(batch_name(name), http_options_of(config)))


class AsyncBatches:
    """The async twin of :class:`Batches`."""

    def __init__(self, client: AsyncClient) -> None:
        self._client = client

    async def create(
        self,
        *,
        model: str,
        src: Any,
        config: CreateBatchJobConfig | dict[str, Any] | None = None,
    ) -> AsyncBatchJob:
        job = await self._client._run(create_flow(model, src, config, AsyncBatchJob))
        return bind(job, self._client)

    async def create_embeddings(
        self,
        *,
        model: str,
        src: EmbeddingsBatchJobSource | dict[str, Any] | Sequence[Any] | str,
        config: CreateEmbeddingsBatchJobConfig | dict[str, Any] | None = None,
    ) -> AsyncBatchJob:
        job = await self._client._run(create_embeddings_flow(model, src, config, AsyncBatchJob))
        return bind(job, self._client)

    async def get(self, *, name: str | AsyncBatchJob, config: Any = None) -> AsyncBatchJob:
        job = await self._client._run(
            get_flow(batch_name(name), AsyncBatchJob, http_options_of(config))
        )
        return bind(job, self._client)

    async def list(
        self, *, config: Any = None, page_size: int | None = None, page_token: str | None = None
    ) -> AsyncPager[AsyncBatchJob]:
        args = list_args(config, page_size=page_size, page_token=page_token)
        client = self._client

        def fetch(token: str | None) -> Flow[Any]:
            page = yield from list_flow("batches", AsyncBatchJob, "operations", args, token)
            for job in page.items:
                bind(job, client)
            return page

        pager = AsyncPager(client, fetch, AsyncBatchJob)
        return await pager._start()

    async def cancel(self, *, name: str | AsyncBatchJob, config: Any = None) -> None:
        await self._client._run(cancel_flow(batch_name(name), http_options_of(config)))

    async def delete(self, *, name: str | AsyncBatchJob, config: Any = None) -> None:
        await self._client._run(delete_flow(batch_name(name), http_options_of(config)))
