"""Batches: generate-content and embed-content jobs that run on the emulator's clock.

What the real Batch API does, and so this backend:

* ``models.batchGenerateContent`` / ``models.asyncBatchEmbedContent`` take a ``batch`` with a
  display name and an input: inline requests (``inputConfig.requests.requests[]``, each a request
  and optional metadata; at most 20 MB in all) or a JSONL file from the Files API
  (``inputConfig.fileName``; each line ``{"key": ..., "request": {...}}``). The answer is an
  Operation named ``batches/<id>`` whose ``metadata`` is the ``GenerateContentBatch`` (or
  ``EmbedContentBatch``): model, displayName, create/update/end times, ``batchStats`` (counts as
  int64 strings) and ``state``.
* The state machine: ``BATCH_STATE_PENDING`` for a few seconds, ``BATCH_STATE_RUNNING`` while the
  requests are worked through (pending counts fall, successful and failed ones rise), then
  ``BATCH_STATE_SUCCEEDED`` with ``done: true`` and the output: ``inlinedResponses`` for inline
  input, a ``responsesFile`` (a generated JSONL file, one line per request with its key and its
  response or error) for file input. ``batches.cancel`` ends an unfinished job as
  ``BATCH_STATE_CANCELLED``; a job still unfinished 48 hours after it was created is
  ``BATCH_STATE_EXPIRED``; an input file that is not JSONL fails the job (``BATCH_STATE_FAILED``).
* A request that is invalid, or names another model, fails alone: its entry carries an
  ``error`` (a google.rpc.Status) and the job still succeeds.
* ``batches.list`` pages the jobs (``operations``), ``batches.delete`` forgets one.

Durations are on the clock (``--clock-speed`` or ``POST /_emulator/clock`` makes them pass
faster): 5 s pending, then 2 s plus 0.1 s per request running.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

from ..model import generate as _model
from ..wire import schema as _schema
from ..wire.errors import EmulatorError
from ..wire.routing import Ctx, paged, serves
from . import catalogue as _catalogue
from . import files as _files
from .state import Store, format_time

__all__ = ["Batch"]

NOUN = "batches"
PENDING_SECONDS = 5.0
RUN_BASE_SECONDS = 2.0
RUN_PER_REQUEST = 0.1
EXPIRY_SECONDS = 48 * 3600.0
MAX_INLINE_BYTES = 20 * 1024 * 1024
TYPE_PREFIX = "type.googleapis.com/google.ai.generativelanguage.v1main."

Kind = Literal["generate", "embed"]


@dataclass
class Batch:
    name: str
    kind: Kind
    model: str
    display_name: str
    create_time: float
    requests: list[tuple[dict[str, Any], dict[str, Any] | None]]  # (request, metadata or key)
    file_input: str | None = None
    priority: str | None = None
    update_time: float = 0.0
    cancelled_at: float | None = None
    failure: str | None = None
    results: list[dict[str, Any]] | None = field(default=None, repr=False)
    responses_file: str | None = None

    @property
    def start_time(self) -> float:
        return self.create_time + PENDING_SECONDS

    @property
    def end_time(self) -> float:
        return self.start_time + RUN_BASE_SECONDS + RUN_PER_REQUEST * len(self.requests)

    def state(self, now: float) -> str:
        if self.cancelled_at is not None:
            return "BATCH_STATE_CANCELLED"
        if self.failure is not None and now >= self.start_time:
            return "BATCH_STATE_FAILED"
        if now >= self.end_time:
            return "BATCH_STATE_SUCCEEDED"
        if now >= self.create_time + EXPIRY_SECONDS:
            return "BATCH_STATE_EXPIRED"
        return "BATCH_STATE_RUNNING" if now >= self.start_time else "BATCH_STATE_PENDING"

    def done_fraction(self, now: float) -> float:
        if now < self.start_time:
            return 0.0
        span = self.end_time - self.start_time
        return min(1.0, (now - self.start_time) / span)


def _type(batch: Batch, suffix: str = "") -> str:
    base = "GenerateContentBatch" if batch.kind == "generate" else "EmbedContentBatch"
    return TYPE_PREFIX + base + suffix


def _run(store: Store, batch: Batch) -> list[dict[str, Any]]:
    """Every request's answer (``response`` or ``error``), computed once."""
    if batch.results is not None:
        return batch.results
    info = _catalogue.lookup(batch.model.removeprefix("models/"))
    results = []
    for request, meta in batch.requests:
        entry: dict[str, Any] = {}
        try:
            if info is None:
                raise _catalogue.not_supported_error(batch.model, "batchGenerateContent", "v1beta")
            target = request.get("model")
            if target and str(target).removeprefix("models/") != info.name:
                raise EmulatorError(
                    400, f"The model of a request ({target}) must be the batch's ({batch.model})."
                )
            if batch.kind == "generate":
                body = _schema.validate("GenerateContentRequest", request, skip_required=("model",))
                entry["response"] = _model.generate(body, info)
            else:
                body = _schema.validate("EmbedContentRequest", request, skip_required=("model",))
                entry["response"] = _model.embed(body, info)
        except EmulatorError as err:
            error = err.to_json()["error"]
            error.pop("status", None)
            entry["error"] = error
        if meta is not None:
            entry["metadata" if batch.file_input is None else "key"] = meta
        results.append(entry)
    batch.results = results
    if batch.file_input is not None:
        lines = []
        for entry in results:
            line = {"key": entry.get("key")}
            line.update({k: v for k, v in entry.items() if k != "key"})
            lines.append(json.dumps(line, separators=(",", ":")))
        data = ("\n".join(lines) + "\n").encode()
        generated = _files.add_generated_file(
            store, data, "application/jsonl", display_name=f"{batch.name} responses"
        )
        batch.responses_file = generated.name
    return results


def _stats(batch: Batch, now: float, state: str) -> dict[str, str]:
    total = len(batch.requests)
    stats = {"requestCount": str(total)}
    if state == "BATCH_STATE_SUCCEEDED":
        results = batch.results or []
        failed = sum(1 for r in results if "error" in r)
        if total - failed:
            stats["successfulRequestCount"] = str(total - failed)
        if failed:
            stats["failedRequestCount"] = str(failed)
        return stats
    if state in ("BATCH_STATE_PENDING", "BATCH_STATE_RUNNING"):
        finished = int(total * batch.done_fraction(now))
        if finished:
            stats["successfulRequestCount"] = str(finished)
        if total - finished:
            stats["pendingRequestCount"] = str(total - finished)
        return stats
    stats["pendingRequestCount"] = str(total)
    return stats


def _operation(store: Store, batch: Batch, now: float) -> dict[str, Any]:
    state = batch.state(now)
    terminal = state not in ("BATCH_STATE_PENDING", "BATCH_STATE_RUNNING")
    if state == "BATCH_STATE_SUCCEEDED":
        _run(store, batch)
    updated = batch.update_time
    if terminal:
        updated = max(
            updated, min(now, batch.end_time) if batch.cancelled_at is None else batch.cancelled_at
        )
    elif state == "BATCH_STATE_RUNNING":
        updated = max(updated, batch.start_time)
    metadata: dict[str, Any] = {
        "@type": _type(batch),
        "model": batch.model,
        "displayName": batch.display_name,
    }
    if batch.file_input is not None:
        metadata["inputConfig"] = {"fileName": batch.file_input}
    output: dict[str, Any] | None = None
    if state == "BATCH_STATE_SUCCEEDED":
        if batch.responses_file is not None:
            output = {"responsesFile": batch.responses_file}
        else:
            output = {"inlinedResponses": {"inlinedResponses": batch.results}}
        metadata["output"] = output
    metadata["createTime"] = format_time(batch.create_time)
    if terminal:
        metadata["endTime"] = format_time(updated)
    metadata["updateTime"] = format_time(max(updated, batch.create_time))
    metadata["batchStats"] = _stats(batch, now, state)
    metadata["state"] = state
    if batch.priority:
        metadata["priority"] = batch.priority
    metadata["name"] = batch.name
    out: dict[str, Any] = {"name": batch.name, "metadata": metadata}
    if terminal:
        out["done"] = True
        if state == "BATCH_STATE_SUCCEEDED" and output is not None:
            out["response"] = {"@type": _type(batch, "Output"), **output}
        elif state == "BATCH_STATE_FAILED":
            out["error"] = {"code": 3, "message": batch.failure}
        elif state == "BATCH_STATE_CANCELLED":
            out["error"] = {"code": 1, "message": "The batch was cancelled."}
        elif state == "BATCH_STATE_EXPIRED":
            out["error"] = {"code": 4, "message": "The batch expired before it finished."}
    return out


def _read_file_requests(
    store: Store, name: str
) -> tuple[list[tuple[dict[str, Any], Any]], str | None]:
    """The requests of a JSONL input file, and why the job must fail (or None)."""
    stored = _files.find_file(store, name)
    if stored.blob_key is None:
        raise EmulatorError(400, f"The File {stored.id} has no content to read.")
    requests: list[tuple[dict[str, Any], Any]] = []
    with store.blob_path(stored.blob_key).open("rb") as fh:
        for number, raw in enumerate(fh, 1):
            if not raw.strip():
                continue
            try:
                line = json.loads(raw)
            except ValueError:
                return [], f"Line {number} of {name} is not JSON."
            if not isinstance(line, dict) or not isinstance(line.get("request"), dict):
                return [], f'Line {number} of {name} has no "request" object.'
            requests.append((line["request"], line.get("key")))
    return requests, None


async def _create(ctx: Ctx, kind: Kind) -> dict[str, Any]:
    body = await ctx.body()
    batch_in = body["batch"]
    model = ctx.params["model"]
    info = _catalogue.lookup(model.removeprefix("models/"))
    method = "batchGenerateContent" if kind == "generate" else "asyncBatchEmbedContent"
    if info is None or not info.supports(method if kind == "generate" else "embedContent"):
        raise _catalogue.not_supported_error(model.removeprefix("models/"), method, ctx.version)
    given = str(batch_in.get("model") or "")
    if given and given.removeprefix("models/") != info.name:
        raise EmulatorError(400, f"batch.model ({given}) must match the URL's model ({model}).")
    source = batch_in.get("inputConfig") or {}
    file_name = source.get("fileName")
    inline = (source.get("requests") or {}).get("requests")
    if bool(file_name) == (inline is not None):
        raise EmulatorError(400, "batch.input_config needs exactly one of file_name and requests.")
    failure = None
    if file_name:
        requests, failure = _read_file_requests(ctx.store, str(file_name))
    else:
        size = len(json.dumps(inline))
        if size > MAX_INLINE_BYTES:
            raise EmulatorError(
                400,
                f"The inline requests are {size} bytes; at most {MAX_INLINE_BYTES} bytes can be "
                "sent inline. Upload a JSONL file with the Files API instead.",
            )
        if not inline:
            raise EmulatorError(400, "batch.input_config.requests.requests must not be empty.")
        requests = [(item["request"], item.get("metadata")) for item in inline]
    now = ctx.now
    batch = Batch(
        name=f"{NOUN}/{ctx.store.new_id(36)}",
        kind=kind,
        model=f"models/{info.name}",
        display_name=str(batch_in.get("displayName") or ""),
        create_time=now,
        requests=requests,
        file_input=str(file_name) if file_name else None,
        priority=batch_in.get("priority"),
        update_time=now,
        failure=failure,
    )
    with ctx.store.lock:
        ctx.store.collection(NOUN)[batch.name] = batch
    return _operation(ctx.store, batch, now)


@serves("models.batchGenerateContent")
async def batch_generate(ctx: Ctx) -> dict[str, Any]:
    return await _create(ctx, "generate")


@serves("models.asyncBatchEmbedContent")
async def batch_embed(ctx: Ctx) -> dict[str, Any]:
    return await _create(ctx, "embed")


def _find(ctx: Ctx) -> Batch:
    name = ctx.params["name"]
    with ctx.store.lock:
        batch: Batch | None = ctx.store.collection(NOUN).get(name)
    if batch is None:
        raise EmulatorError(404, f"Batch {name} not found.")
    return batch


@serves("batches.get")
async def get(ctx: Ctx) -> dict[str, Any]:
    return _operation(ctx.store, _find(ctx), ctx.now)


@serves("batches.list")
async def list_batches(ctx: Ctx) -> dict[str, Any]:
    offset, size = ctx.page(50, 1000)
    now = ctx.now
    with ctx.store.lock:
        batches = list(ctx.store.collection(NOUN).values())
    ops = [_operation(ctx.store, b, now) for b in reversed(batches)]
    return paged(ops, "operations", offset, size)


@serves("batches.cancel")
async def cancel(ctx: Ctx) -> dict[str, Any]:
    batch = _find(ctx)
    now = ctx.now
    if batch.state(now) in ("BATCH_STATE_PENDING", "BATCH_STATE_RUNNING"):
        batch.cancelled_at = now
        batch.update_time = now
    return {}


@serves("batches.delete")
async def delete(ctx: Ctx) -> dict[str, Any]:
    batch = _find(ctx)
    with ctx.store.lock:
        ctx.store.collection(NOUN).pop(batch.name, None)
    return {}


async def _update(ctx: Ctx, kind: Kind) -> dict[str, Any]:
    batch = _find(ctx)
    body = await ctx.body()
    mask = [p.strip() for p in (ctx.query.get("updateMask") or "").split(",") if p.strip()]
    allowed = {"displayName", "display_name", "priority"}
    bad = [p for p in mask if p not in allowed]
    if bad or not mask:
        raise EmulatorError(
            400, "Only display_name and priority can be updated; name them in updateMask."
        )
    if batch.kind != kind:
        raise EmulatorError(400, f"{batch.name} is not a {kind} batch.")
    for path in mask:
        if path in ("displayName", "display_name"):
            batch.display_name = str(body.get("displayName") or "")
        else:
            batch.priority = body.get("priority")
    batch.update_time = ctx.now
    metadata: dict[str, Any] = _operation(ctx.store, batch, ctx.now)["metadata"]
    metadata.pop("@type", None)
    return metadata


@serves("batches.updateGenerateContentBatch")
async def update_generate(ctx: Ctx) -> dict[str, Any]:
    return await _update(ctx, "generate")


@serves("batches.updateEmbedContentBatch")
async def update_embed(ctx: Ctx) -> dict[str, Any]:
    return await _update(ctx, "embed")
