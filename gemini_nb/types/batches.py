"""Batch jobs (the Batch API): many requests run asynchronously at half price.

The server answers with an Operation (``{name, metadata: GenerateContentBatch, done,
response}``); :class:`BatchJob` is that operation read the way google-genai reads it: ``name``,
``display_name``, ``state`` (a :class:`JobState` name such as ``JOB_STATE_SUCCEEDED``),
``create_time``/``update_time``/``end_time``, ``model``, ``src`` (the input file, if any) and
``dest`` (``file_name`` of the responses file, or ``inlined_responses``); ``batch_stats`` (the
request counts) is ours, since the SDK drops it.

A job returned by ``client.batches`` is bound to its client:

>>> job = client.batches.create(model="gemini-2.5-flash", src=["Hi", "Bye"])  # doctest: +SKIP
>>> job.wait()                   # a progress bar: state, requests done, elapsed  # doctest: +SKIP
>>> [r.response.text for r in job.results()]                                  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import ConfigDict, model_validator

from ._base import ResponseModel, WireModel
from .http import HttpOptions
from .operations import Status
from .responses import GenerateContentResponse
from .tokens import ContentEmbedding, EmbedContentConfig

if TYPE_CHECKING:
    from .._client import AsyncClient, Client

__all__ = [
    "AsyncBatchJob",
    "BatchJob",
    "BatchJobDestination",
    "BatchJobSource",
    "BatchStats",
    "CreateBatchJobConfig",
    "CreateEmbeddingsBatchJobConfig",
    "EmbedContentBatch",
    "EmbeddingsBatchJobSource",
    "InlinedEmbedContentResponse",
    "InlinedRequest",
    "InlinedResponse",
    "JobState",
    "ListBatchJobsConfig",
    "SingleEmbedContentResponse",
]


class JobState:
    """The values of ``BatchJob.state``: google-genai's ``JobState`` names (plain strings).

    The server says ``BATCH_STATE_RUNNING``; the job says ``JOB_STATE_RUNNING``, as in the SDK.
    """

    JOB_STATE_UNSPECIFIED = "JOB_STATE_UNSPECIFIED"
    JOB_STATE_PENDING = "JOB_STATE_PENDING"
    JOB_STATE_RUNNING = "JOB_STATE_RUNNING"
    JOB_STATE_SUCCEEDED = "JOB_STATE_SUCCEEDED"
    JOB_STATE_FAILED = "JOB_STATE_FAILED"
    JOB_STATE_CANCELLED = "JOB_STATE_CANCELLED"
    JOB_STATE_EXPIRED = "JOB_STATE_EXPIRED"

    ENDED: ClassVar[frozenset[str]] = frozenset(
        {JOB_STATE_SUCCEEDED, JOB_STATE_FAILED, JOB_STATE_CANCELLED, JOB_STATE_EXPIRED}
    )

    @staticmethod
    def from_wire(state: str) -> str:
        """``BATCH_STATE_X`` -> ``JOB_STATE_X``; anything else unchanged."""
        return "JOB_STATE_" + state[12:] if state.startswith("BATCH_STATE_") else state


# --------------------------------------------------------------------------- requests


class InlinedRequest(WireModel):
    """One request of an inline batch (google-genai's names): ``contents`` as for
    ``generate_content``, an optional ``config`` (GenerateContentConfig or dict), ``metadata``
    (strings, given back with the answer) and ``model`` (must be the batch's)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    model: str | None = None
    contents: Any = None
    metadata: dict[str, str] | None = None
    config: Any = None


class BatchJobSource(WireModel):
    """Where a batch's requests come from: ``inlined_requests`` or an uploaded JSONL
    ``file_name`` (``files/…``, each line ``{"key": ..., "request": {...}}``), not both."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    file_name: str | None = None
    inlined_requests: list[InlinedRequest] | None = None


class EmbedContentBatch(WireModel):
    """The inline input of an embeddings batch: one embedding per item of ``contents``."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    contents: Any = None
    config: EmbedContentConfig | None = None


class EmbeddingsBatchJobSource(WireModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    file_name: str | None = None
    inlined_requests: EmbedContentBatch | None = None


class CreateBatchJobConfig(WireModel):
    """Options of ``batches.create``: ``display_name``; ``webhook_config`` (``{"uris": [...],
    "user_metadata": {...}}``) is sent as given."""

    http_options: HttpOptions | None = None
    display_name: str | None = None
    webhook_config: dict[str, Any] | None = None
    dest: Any = None  # Vertex AI only: refused with a clear error


class CreateEmbeddingsBatchJobConfig(WireModel):
    http_options: HttpOptions | None = None
    display_name: str | None = None


class ListBatchJobsConfig(WireModel):
    http_options: HttpOptions | None = None
    page_size: int | None = None
    page_token: str | None = None


# --------------------------------------------------------------------------- answers


class _Keyed(ResponseModel):
    """An answer of a batch: ``key`` (its request's key, from a JSONL line or from
    ``metadata["key"]``), ``metadata``, and ``error`` when this request failed alone."""

    key: str | None = None
    metadata: dict[str, Any] | None = None
    error: Status | None = None

    @model_validator(mode="before")
    @classmethod
    def _key_from_metadata(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("key") is None:
            meta = data.get("metadata")
            if isinstance(meta, dict) and meta.get("key") is not None:
                data = {**data, "key": str(meta["key"])}
        return data

    @property
    def ok(self) -> bool:
        return self.error is None


class InlinedResponse(_Keyed):
    """One answer of a generate batch: ``response`` (a GenerateContentResponse) or ``error``."""

    response: GenerateContentResponse | None = None


class SingleEmbedContentResponse(ResponseModel):
    embedding: ContentEmbedding | None = None
    token_count: int | None = None


class InlinedEmbedContentResponse(_Keyed):
    """One answer of an embeddings batch: ``response.embedding.values`` or ``error``."""

    response: SingleEmbedContentResponse | None = None


class BatchJobDestination(WireModel):
    """Where the answers are: ``file_name`` (a JSONL responses file, for file input) or
    ``inlined_responses`` / ``inlined_embed_content_responses`` (inline input)."""

    file_name: str | None = None
    inlined_responses: list[InlinedResponse] | None = None
    inlined_embed_content_responses: list[InlinedEmbedContentResponse] | None = None


class BatchStats(WireModel):
    """Request counts (int64 strings on the wire, numbers here)."""

    request_count: int | None = None
    successful_request_count: int | None = None
    failed_request_count: int | None = None
    pending_request_count: int | None = None

    @property
    def finished(self) -> int:
        return (self.successful_request_count or 0) + (self.failed_request_count or 0)


_META_FIELDS = {
    "displayName": "display_name",
    "state": "state",
    "createTime": "create_time",
    "updateTime": "update_time",
    "endTime": "end_time",
    "startTime": "start_time",
    "model": "model",
    "batchStats": "batch_stats",
    "priority": "priority",
}


_CONSUMED = frozenset({"@type", "name", "inputConfig", "output"})


def _flatten(data: dict[str, Any]) -> dict[str, Any]:
    """The operation's fields where google-genai puts them (``metadata.*`` up a level)."""
    meta = data.get("metadata")
    if not isinstance(meta, dict):
        return data
    out: dict[str, Any] = {"name": data.get("name") or meta.get("name")}
    kind = str(meta.get("@type") or "")
    out["kind"] = "embeddings" if kind.endswith("EmbedContentBatch") else "generate"
    for wire, field in _META_FIELDS.items():
        if wire in meta:
            out[field] = meta[wire]
    if isinstance(out.get("state"), str):
        out["state"] = JobState.from_wire(out["state"])
    source = meta.get("inputConfig")
    if isinstance(source, dict) and source.get("fileName"):
        out["src"] = {"file_name": source["fileName"]}
    output = meta.get("output")
    if not isinstance(output, dict) and isinstance(data.get("response"), dict):
        output = data["response"]
    if isinstance(output, dict):
        dest: dict[str, Any] = {}
        if output.get("responsesFile"):
            dest["file_name"] = output["responsesFile"]
        inlined = output.get("inlinedResponses")
        items = inlined.get("inlinedResponses") if isinstance(inlined, dict) else None
        if items is None:  # google-genai's spelling for embeddings
            embedded = output.get("inlinedEmbedContentResponses")
            items = embedded.get("inlinedResponses") if isinstance(embedded, dict) else None
            if items is not None:
                out["kind"] = "embeddings"
        if items is not None:
            if out["kind"] == "embeddings" or any(
                isinstance(i, dict) and "embedding" in (i.get("response") or {}) for i in items
            ):
                out["kind"] = "embeddings"
                dest["inlined_embed_content_responses"] = items
            else:
                dest["inlined_responses"] = items
        out["dest"] = dest
    if isinstance(data.get("error"), dict):
        out["error"] = data["error"]
    # Fields this version does not know stay on the job (model_extra), as for every answer.
    for key, value in meta.items():
        if key not in _META_FIELDS and key not in _CONSUMED:
            out.setdefault(key, value)
    return out


class _BatchJobData(ResponseModel):
    """The fields of a batch job (see the module docstring)."""

    __slots__ = ("_client",)
    if TYPE_CHECKING:
        _client: Any

    _table_columns: ClassVar[tuple[str, ...]] = (
        "name",
        "display_name",
        "state",
        "model",
        "batch_stats.request_count",
        "batch_stats.successful_request_count",
        "batch_stats.failed_request_count",
        "batch_stats.pending_request_count",
        "create_time",
        "end_time",
    )

    name: str | None = None
    display_name: str | None = None
    state: str | None = None
    error: Status | None = None
    create_time: datetime | None = None
    start_time: datetime | None = None
    end_time: datetime | None = None
    update_time: datetime | None = None
    model: str | None = None
    src: BatchJobSource | None = None
    dest: BatchJobDestination | None = None
    batch_stats: BatchStats | None = None
    priority: int | None = None
    kind: str = "generate"  # "generate" or "embeddings" (from the metadata's @type)

    @model_validator(mode="before")
    @classmethod
    def _from_operation(cls, data: Any) -> Any:
        return _flatten(data) if isinstance(data, dict) else data

    @property
    def done(self) -> bool:
        """True once the job has ended (succeeded, failed, cancelled or expired)."""
        return self.state in JobState.ENDED

    @property
    def succeeded(self) -> bool:
        return self.state == JobState.JOB_STATE_SUCCEEDED

    def _bound(self) -> Any:
        client = getattr(self, "_client", None)
        if client is None:
            from .._exceptions import InvalidInputError

            raise InvalidInputError(
                f"Batch job {self.name!r} is not attached to a client; "
                "use client.batches.get(name=...) to fetch it."
            )
        return client

    def _update(self, fresh: _BatchJobData) -> None:
        for field in type(self).model_fields:
            object.__setattr__(self, field, getattr(fresh, field))
        object.__setattr__(self, "__pydantic_extra__", fresh.__pydantic_extra__)
        object.__setattr__(self, "__pydantic_fields_set__", set(fresh.__pydantic_fields_set__))
        self._http = getattr(fresh, "_http", None)

    def __repr__(self) -> str:
        stats = self.batch_stats
        counts = ""
        if stats is not None and stats.request_count is not None:
            counts = f", {stats.finished}/{stats.request_count} requests done"
            if stats.failed_request_count:
                counts += f" ({stats.failed_request_count} failed)"
        return f"{type(self).__name__}(name={self.name!r}, state={self.state!r}{counts})"


BatchResults = list[InlinedResponse] | list[InlinedEmbedContentResponse]


class BatchJob(_BatchJobData):
    """A batch job, bound to the synchronous client that fetched it.

    ``wait()`` polls (1 s, growing by half each time, at most 30 s apart) until the job has
    ended and returns it, showing a progress bar unless ``progress=False`` (or pass a function,
    called with the job after every poll). ``results()`` gives the typed answers in input order,
    downloading the responses file when there is one.
    """

    if TYPE_CHECKING:
        _client: Client

    def refresh(self) -> BatchJob:
        """Fetch the current state (in place) and return self."""
        from ..resources.batches import get_flow

        assert self.name is not None
        self._update(self._bound()._run(get_flow(self.name, BatchJob, None)))
        return self

    def wait(
        self,
        *,
        timeout: float | None = None,
        progress: bool | Callable[[BatchJob], Any] | None = True,
    ) -> BatchJob:
        """Poll until the job has ended; the job (check ``state``). ``timeout`` in seconds
        raises :class:`~gemini_nb.WaitTimeoutError` (the job goes on on the server)."""
        from ..resources.batches import wait_flow

        return self._bound()._run(wait_flow(self, timeout, progress))  # type: ignore[no-any-return]

    def results(self) -> BatchResults:
        """The answers, one per request, in input order; a failed request has ``error``.

        Raises :class:`~gemini_nb.OperationError` if the job did not succeed.
        """
        from ..resources.batches import results_flow

        return self._bound()._run(results_flow(self, None))  # type: ignore[no-any-return]

    def cancel(self) -> None:
        """Cancel the job (if it has not ended yet)."""
        self._bound().batches.cancel(name=self)


class AsyncBatchJob(_BatchJobData):
    """The async twin of :class:`BatchJob`: ``await job.wait()``, ``await job.results()``."""

    if TYPE_CHECKING:
        _client: AsyncClient

    async def refresh(self) -> AsyncBatchJob:
        from ..resources.batches import get_flow

        assert self.name is not None
        self._update(await self._bound()._run(get_flow(self.name, AsyncBatchJob, None)))
        return self

    async def wait(
        self,
        *,
        timeout: float | None = None,
        progress: bool | Callable[[AsyncBatchJob], Any] | None = True,
    ) -> AsyncBatchJob:
        from ..resources.batches import wait_flow

        return await self._bound()._run(wait_flow(self, timeout, progress))  # type: ignore[no-any-return]

    async def results(self) -> BatchResults:
        from ..resources.batches import results_flow

        return await self._bound()._run(results_flow(self, None))  # type: ignore[no-any-return]

    async def cancel(self) -> None:
        await self._bound().batches.cancel(name=self)
