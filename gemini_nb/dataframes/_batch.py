"""The batch engine: the rows as Batch API jobs, at the batch price.

1. The requests are written to JSONL files as a stream (``{"key": "<row>", "request": ...}``),
   a new file whenever one would pass a job's limits (see ``_jsonl``).
2. Each file is uploaded (resumable, from disk) and becomes one job; the checkpoint records the
   job against the file's SHA-256, so a rerun of the same rows finds its jobs again instead of
   paying for new ones (unless they failed, were cancelled or expired).
3. The jobs are polled together (1 s, growing to 30 s apart) under one progress bar.
4. Each responses file is streamed to disk and read line by line; every answer goes, by its
   key, to a spill file of its partition, so answers may come in any order and memory holds
   one partition at a time. Partitions are then assembled in input order.

Written as one flow, so the sync and async clients both run it.
"""

from __future__ import annotations

import bisect
import contextlib
import json
import os
import shutil
import tempfile
from typing import IO, TYPE_CHECKING, Any

from .._exceptions import APIError, NotFoundError, WaitTimeoutError
from .._operations import _clock, check_timeout, poll_delays
from .._progress import make_bar
from .._transport import Sleep
from .._upload import open_source, upload_flow
from ..resources.batches import (
    create_embeddings_flow,
    create_flow,
    default_display_name,
    get_flow,
)
from ..resources.files import delete_flow as delete_file_flow
from ..types.batches import BatchJob
from ._jsonl import JobFile, JsonlWriter
from ._records import embed_record, generate_record, status_message

if TYPE_CHECKING:
    from .._transport import Flow
    from ._job import Job

__all__ = ["BatchOptions", "batch_flow"]

_RETRY_STATES = frozenset({"JOB_STATE_FAILED", "JOB_STATE_CANCELLED", "JOB_STATE_EXPIRED"})


class BatchOptions:
    def __init__(
        self,
        *,
        max_job_requests: int,
        max_job_bytes: int,
        timeout: float | None,
        display_name: str | None,
        workdir: str | None,
        progress: bool,
    ) -> None:
        self.max_job_requests = max_job_requests
        self.max_job_bytes = max_job_bytes
        self.timeout = check_timeout(timeout)
        self.display_name = display_name
        self.workdir = workdir
        self.progress = progress


def _job_key(f: JobFile) -> str:
    return f"job#{f.first}#{f.count}#{f.sha256}"


def batch_flow(job: Job, options: BatchOptions) -> Flow[None]:
    tmp = tempfile.mkdtemp(prefix="gemini-nb-batch-", dir=options.workdir)
    try:
        yield from _run(job, options, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _run(job: Job, options: BatchOptions, tmp: str) -> Flow[None]:
    plan = job.plan
    source = job.source
    # 1. Requests to JSONL, as a stream; remember where each partition starts.
    starts: list[int] = []
    writer = JsonlWriter(
        tmp, max_requests=options.max_job_requests, max_bytes=options.max_job_bytes
    )
    with make_bar(
        total=source.total, desc="writing requests", unit="row", enabled=options.progress
    ) as bar:
        for start, frame in source.partitions(job.partition_rows):
            starts.append(start)
            for offset, request in enumerate(plan.requests(frame)):
                writer.add(start + offset, request)
            bar.update(len(frame))
    files = writer.close()
    total = sum(f.count for f in files)

    # 2. One job per file (found again in the checkpoint, or uploaded and created).
    names: list[str] = []
    inputs: list[str | None] = []
    cp = job.checkpoint
    name = options.display_name or default_display_name()
    with make_bar(
        total=sum(f.size for f in files),
        desc="uploading",
        unit="B",
        enabled=options.progress and bool(files),
    ) as bar:
        done_bytes = 0
        for n, f in enumerate(files):
            found = yield from _known_job(cp.get(_job_key(f)) if cp is not None else None)
            if found is not None:
                names.append(found)
                inputs.append(None)
                job.summary.resumed += f.count
                done_bytes += f.size
                bar.set_count(done_bytes)
                continue
            label = f"{name} ({n + 1}/{len(files)})" if len(files) > 1 else name

            def sent(count: int, _total: int, base: int = done_bytes) -> None:
                bar.set_count(base + count)

            uploaded = yield from upload_flow(
                open_source(f.path),
                mime_type="application/jsonl",
                display_name=f"{label} input",
                progress=sent,
            )
            assert uploaded.name is not None
            create = create_embeddings_flow if plan.kind == "embed" else create_flow
            created = yield from create(
                plan.model, uploaded.name, {"display_name": label}, BatchJob
            )
            assert created.name is not None
            if cp is not None:
                cp.add(_job_key(f), {"name": created.name, "file": uploaded.name})
            names.append(created.name)
            inputs.append(uploaded.name)
            job.summary.sent += f.count
            done_bytes += f.size
            with contextlib.suppress(OSError):
                os.unlink(f.path)
    job.summary.jobs = list(names)

    # 3. Wait for every job.
    jobs = yield from _wait(names, total, options)

    # 4. Answers to spill files by partition, then partitions in input order.
    spill = _Spill(tmp, starts)
    try:
        for f, done, input_name in zip(files, jobs, inputs, strict=True):
            yield from _collect(job, f, done, spill, tmp)
            if input_name is not None:
                with contextlib.suppress(APIError):
                    yield from delete_file_flow(input_name, None)
    finally:
        spill.close()
    _assemble(job, spill, options.progress)


def _known_job(record: dict[str, Any] | None) -> Flow[str | None]:
    """The job a previous run created for the same file, if it is still worth waiting for."""
    if not record or not isinstance(record.get("name"), str):
        return None
    try:
        found = yield from get_flow(record["name"], BatchJob, None)
    except NotFoundError:
        return None
    if found.state in _RETRY_STATES:
        return None
    return found.name


def _wait(names: list[str], total: int, options: BatchOptions) -> Flow[list[BatchJob]]:
    jobs: list[BatchJob] = []
    for name in names:
        jobs.append((yield from get_flow(name, BatchJob, None)))
    deadline = None if options.timeout is None else _clock() + options.timeout
    delays = poll_delays()
    with make_bar(total=total, desc="batch", unit="row", enabled=options.progress) as bar:
        while True:
            finished = sum(j.batch_stats.finished for j in jobs if j.batch_stats is not None)
            states: dict[str, int] = {}
            for j in jobs:
                state = (j.state or "?").removeprefix("JOB_STATE_")
                states[state] = states.get(state, 0) + 1
            bar.set_postfix(
                ", ".join(f"{k} {v}" if len(jobs) > 1 else k for k, v in states.items())
            )
            bar.set_count(finished)
            if all(j.done for j in jobs):
                return jobs
            delay = next(delays)
            if deadline is not None:
                left = deadline - _clock()
                if left <= 0:
                    raise WaitTimeoutError(
                        f"The batch job(s) {', '.join(names)} had not ended after "
                        f"{options.timeout:g} s; they go on on the server. Run the same call "
                        "again (with the same checkpoint) to wait for them without paying again.",
                        last=jobs,
                    )
                delay = min(delay, left)
            yield Sleep(delay)
            for k, j in enumerate(jobs):
                if not j.done:
                    assert j.name is not None
                    jobs[k] = yield from get_flow(j.name, BatchJob, None)


class _Spill:
    """Records parked on disk by partition until the partition is assembled."""

    def __init__(self, folder: str, starts: list[int]) -> None:
        self.folder = os.path.join(folder, "spill")
        os.makedirs(self.folder, exist_ok=True)
        self.starts = starts
        self._open: dict[int, IO[str]] = {}

    def path(self, partition: int) -> str:
        return os.path.join(self.folder, f"{partition:06d}.jsonl")

    def add(self, position: int, record: dict[str, Any]) -> None:
        partition = bisect.bisect_right(self.starts, position) - 1
        fh = self._open.get(partition)
        if fh is None:
            if len(self._open) >= 64:
                self.close()
            fh = self._open[partition] = open(self.path(partition), "a", encoding="utf-8")  # noqa: SIM115
        fh.write(json.dumps({"i": position, "r": record}, ensure_ascii=False) + "\n")

    def close(self) -> None:
        for fh in self._open.values():
            fh.close()
        self._open.clear()

    def records(self, partition: int) -> list[tuple[int, dict[str, Any]]]:
        path = self.path(partition)
        if not os.path.exists(path):
            return []
        with open(path, encoding="utf-8") as fh:
            return [(d["i"], d["r"]) for d in map(json.loads, fh)]


def _collect(job: Job, f: JobFile, done: BatchJob, spill: _Spill, tmp: str) -> Flow[None]:
    """Every row of ``f``'s job to the spill files: its answer, or why there is none."""
    first, end = f.first, f.first + f.count
    state = (done.state or "?").removeprefix("JOB_STATE_")
    file_name = done.dest.file_name if done.dest is not None else None
    if not done.succeeded or file_name is None:
        why = done.error.describe() if done.error is not None else "no responses file"
        message = f"batch {done.name} ended {state}: {why}"
        for position in range(first, end):
            spill.add(position, {"error": message})
        return None
    from .._upload import download_to_path_flow

    path = os.path.join(tmp, "responses.jsonl")
    yield from download_to_path_flow(file_name, path, None)
    embed = job.plan.kind == "embed"
    with open(path, "rb") as fh:
        for raw in fh:
            if not raw.strip():
                continue
            line = json.loads(raw)
            try:
                position = int(line.get("key"))
            except (TypeError, ValueError):
                continue
            if not first <= position < end:
                continue
            record = _record(line, embed)
            if not record.get("error") and not embed:
                job.summary.add_usage(record, batch=True)
            spill.add(position, record)
    os.unlink(path)
    return None


def _record(line: dict[str, Any], embed: bool) -> dict[str, Any]:
    if line.get("error") is not None:
        return {"error": status_message(line["error"])}
    response = line.get("response")
    if not isinstance(response, dict):
        return {"error": "the responses file has no answer for this row"}
    if embed:
        values = (response.get("embedding") or {}).get("values")
        if values is None:
            return {"error": "the answer has no embedding"}
        return embed_record(values)
    return generate_record(response)


def _assemble(job: Job, spill: _Spill, progress: bool) -> None:
    with make_bar(total=job.source.total, desc="results", unit="row", enabled=progress) as bar:
        for n, (start, frame) in enumerate(job.source.partitions(job.partition_rows)):
            _assemble_part(job, spill, n, start, frame)
            bar.update(len(frame))


def _assemble_part(job: Job, spill: _Spill, n: int, start: int, frame: Any) -> None:
    from ._job import Part

    part = Part(start, frame)
    for position, record in spill.records(n):
        i = position - start
        if 0 <= i < len(frame) and part.records[i] is None:  # the first answer wins
            part.done(i, record)
    for i in range(len(frame)):
        if part.records[i] is None:
            part.done(i, {"error": "no answer for this row in the job's responses file"})
    job.summary.rows += len(frame)
    job.write(part)
