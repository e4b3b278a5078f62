"""``client.dataframes``: a DataFrame in, a DataFrame out (the shells of both clients)."""

from __future__ import annotations

import asyncio
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._exceptions import InvalidInputError
from .._progress import make_bar
from ._batch import BatchOptions, batch_flow
from ._checkpoint import Checkpoint
from ._io import FrameSink, ParquetSink, open_source
from ._job import Job, Summary
from ._jsonl import MAX_JOB_BYTES, MAX_JOB_REQUESTS
from ._limiter import RateLimiter
from ._online import OnlineRunner
from ._plan import Plan, embed_plan, generate_plan

if TYPE_CHECKING:
    import pandas as pd

    from .._client import AsyncClient, Client
    from ..tokens import CostEstimate, LocalTokenizer
    from ._template import Prompt

__all__ = ["AsyncDataFrames", "DataFrames"]

ENGINES = ("online", "batch")
DEFAULT_PARTITION_ROWS = 5_000
CHECKPOINT_FOLDER = Path(".gemini_nb") / "checkpoints"


def _positive(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidInputError(f"{name} must be a whole number of at least 1, not {value!r}.")
    return value


class _Options:
    """Every keyword of generate/embed, checked once."""

    def __init__(self, **kw: Any) -> None:
        engine = kw["engine"]
        if engine not in ENGINES:
            raise InvalidInputError(f"engine must be 'online' or 'batch', not {engine!r}.")
        self.engine: str = engine
        self.output = kw["output"]
        self.checkpoint = kw["checkpoint"]
        self.concurrency = _positive("concurrency", kw["concurrency"])
        self.limiter = RateLimiter(kw["rpm"], kw["tpm"])
        self.max_attempts = _positive("max_attempts", kw["max_attempts"])
        self.partition_rows = _positive("partition_rows", kw["partition_rows"])
        self.keep_input = bool(kw["keep_input"])
        self.prefix = kw["prefix"] or ""
        if not isinstance(self.prefix, str):
            raise InvalidInputError("prefix must be a string such as 'gemini_'.")
        self.progress = bool(kw["progress"])
        self.batch = BatchOptions(
            max_job_requests=_positive("max_job_requests", kw["max_job_requests"]),
            max_job_bytes=_positive("max_job_bytes", kw["max_job_bytes"]),
            timeout=kw["timeout"],
            display_name=kw["display_name"],
            workdir=kw["workdir"],
            progress=self.progress,
        )
        self.read_csv = kw["read_csv"]


def _checkpoint(value: Any, plan: Plan, engine: str) -> Checkpoint | None:
    if value is None or value is False:
        return None
    if value == "auto":
        model = plan.model.rsplit("/", 1)[-1]
        path: Any = CHECKPOINT_FOLDER / f"{plan.kind}-{engine}-{model}-{plan.fingerprint()}.jsonl"
    elif isinstance(value, (str, os.PathLike)):
        path = value
    else:
        raise InvalidInputError(
            "checkpoint must be 'auto', a file path, or None (no checkpoint), "
            f"not {type(value).__name__}."
        )
    return Checkpoint(path, {"kind": plan.kind, "engine": engine, "model": plan.model})


def _job(kind: str, data: Any, prompt: Any, model: str, config: Any, opts: _Options) -> Job:
    make = embed_plan if kind == "embed" else generate_plan
    plan = make(model, prompt, config, opts.prefix)
    if plan.functions and opts.engine == "batch":
        raise InvalidInputError(
            "The batch engine cannot run Python functions (tools=[...]): the model's calls "
            "would come back unanswered. Use engine='online', or pass FunctionDeclarations."
        )
    source = open_source(data, opts.read_csv)
    plan.template.check(source.columns)
    if opts.keep_input:
        plan.output.check_input(source.columns)
    if opts.output is None:
        if not source.in_memory:
            raise InvalidInputError(
                "Rows read from a file are written as Parquet files too: pass output='results/' "
                "(a folder), so that neither the input nor the results need to fit in memory."
            )
        sink: FrameSink | ParquetSink = FrameSink()
    else:
        sink = ParquetSink(opts.output)
    checkpoint = _checkpoint(opts.checkpoint, plan, opts.engine)
    summary = Summary(opts.engine, plan.model)
    summary.checkpoint = checkpoint.path if checkpoint is not None else None
    # The batch engine shows its own bars, one per step.
    bar = make_bar(
        total=source.total,
        desc=plan.model.rsplit("/", 1)[-1],
        unit="row",
        enabled=opts.progress and opts.engine == "online",
    )
    return Job(
        plan,
        source,
        sink,
        checkpoint=checkpoint,
        keep_input=opts.keep_input,
        partition_rows=opts.partition_rows,
        summary=summary,
        bar=bar,
    )


def _prepare(kind: str, values: dict[str, Any]) -> tuple[Job, _Options]:
    """The job and options of a ``generate`` or ``embed`` call, from its ``locals()``."""
    opts = _Options(**_locals(values))
    job = _job(kind, values["data"], values["prompt"], values["model"], values["config"], opts)
    return job, opts


def _runner(clients: list[AsyncClient], job: Job, opts: _Options) -> OnlineRunner:
    return OnlineRunner(
        clients,
        job,
        concurrency=opts.concurrency,
        limiter=opts.limiter,
        max_attempts=opts.max_attempts,
    )


# Connections per pool: httpcore's bookkeeping grows with the connections of a pool.
POOL_SIZE = 8


def _pools(concurrency: int) -> int:
    return max(1, -(-concurrency // POOL_SIZE))


def _close(job: Job) -> None:
    job.bar.close()
    if job.checkpoint is not None:
        job.checkpoint.close()


def _run_online_in_thread(client: Client, job: Job, opts: _Options) -> None:
    """The async engine on its own event loop, in a thread: a notebook's kernel already runs a
    loop in the main thread. Ctrl-C (the Stop button) cancels it; finished rows stay in the
    checkpoint."""
    from .._client import AsyncClient

    state: dict[str, Any] = {}

    async def main() -> None:
        state["loop"] = asyncio.get_running_loop()
        state["task"] = asyncio.current_task()
        clients = [AsyncClient(_settings=client.settings) for _ in range(_pools(opts.concurrency))]
        try:
            await _runner(clients, job, opts).run()
        finally:
            for c in clients:
                await c.close()

    def target() -> None:
        try:
            asyncio.run(main())
        except BaseException as exc:
            state["error"] = exc

    thread = threading.Thread(target=target, name="gemini-nb-dataframes", daemon=True)
    thread.start()
    try:
        while thread.is_alive():
            thread.join(0.2)
    except KeyboardInterrupt:
        loop, task = state.get("loop"), state.get("task")
        if loop is not None and task is not None:
            loop.call_soon_threadsafe(task.cancel)
        thread.join()
        raise
    error = state.get("error")
    if error is not None:
        raise error


def _combine(parts: list[CostEstimate]) -> CostEstimate:
    from dataclasses import replace

    first = parts[0]
    if len(parts) == 1:
        return first

    def total(name: str) -> Any:
        values = [getattr(p, name) for p in parts]
        return None if any(v is None for v in values) else sum(values)

    notes: list[str] = []
    for p in parts:
        notes += [n for n in p.notes if n not in notes]
    return replace(
        first,
        rows=sum(p.rows for p in parts),
        input_tokens=sum(p.input_tokens for p in parts),
        max_input_tokens=max(p.max_input_tokens for p in parts),
        output_tokens=total("output_tokens"),
        thinking_tokens=total("thinking_tokens"),
        input_cost=total("input_cost"),
        output_cost=total("output_cost"),
        notes=notes,
    )


def _estimate(
    kind: str,
    data: Any,
    prompt: Any,
    model: str,
    config: Any,
    engine: str,
    output_tokens: int | None,
    thinking_tokens: int | None,
    tokenizer: LocalTokenizer | None,
    partition_rows: int,
    read_csv: dict[str, Any] | None,
) -> CostEstimate:
    from ..tokens import LocalTokenizer, estimate_cost

    if engine not in ENGINES:
        raise InvalidInputError(f"engine must be 'online' or 'batch', not {engine!r}.")
    make = embed_plan if kind == "embed" else generate_plan
    plan = make(model, prompt, config, "")
    source = open_source(data, read_csv)
    plan.template.check(source.columns)
    tok = tokenizer if tokenizer is not None else LocalTokenizer(model)
    parts = [
        estimate_cost(
            plan.prompt_texts(frame),
            model=model,
            system_instruction=plan.system_instruction,
            output_tokens=0 if kind == "embed" else output_tokens,
            thinking_tokens=None if kind == "embed" else thinking_tokens,
            batch=engine == "batch",
            tokenizer=tok,
        )
        for _, frame in source.partitions(partition_rows)
    ]
    if not parts:
        return estimate_cost([], model=model, output_tokens=0, tokenizer=tok)
    return _combine(parts)


def _estimate_from(values: dict[str, Any]) -> CostEstimate:
    """``estimate`` of either client, from its ``locals()``."""
    return _estimate(
        "embed" if values["embed"] else "generate",
        values["data"],
        values["prompt"],
        values["model"],
        values["config"],
        values["engine"],
        values["output_tokens"],
        values["thinking_tokens"],
        values["tokenizer"],
        DEFAULT_PARTITION_ROWS,
        values["read_csv"],
    )


_DOC_OPTIONS = """
        ``engine``: ``"online"`` (one request per row, ``concurrency`` in flight, paced by
        ``rpm``/``tpm`` per minute and by the server's 429s, a row retried up to
        ``max_attempts`` times) or ``"batch"`` (the Batch API at half price: JSONL files
        written as a stream, uploaded, one job per ``max_job_requests`` rows or
        ``max_job_bytes``, waited on for up to ``timeout`` seconds).

        ``checkpoint``: finished rows (online) or created jobs (batch) are appended to this
        file as they happen, so a rerun after a crash or a restarted kernel pays for nothing
        twice. ``"auto"`` keeps it under ``.gemini_nb/checkpoints/``; None turns it off.

        ``data`` may be the path of a Parquet file (or a folder of them) or a CSV file: it is
        read ``partition_rows`` at a time and the results are written as Parquet files into
        the folder ``output`` (returned as a Path). A DataFrame gives a DataFrame, with the
        input's index and columns (``keep_input=False`` for the results alone; ``prefix``
        renames the result columns). The run's summary (rows, tokens, cost, jobs, checkpoint)
        is in ``result.attrs["gemini_nb"]``.
"""


class DataFrames:
    """Run a prompt over every row of a DataFrame (or a Parquet or CSV file).

    >>> out = client.dataframes.generate(df, prompt="Classify: {review}",
    ...                                  model="gemini-2.5-flash",
    ...                                  config={"response_schema": Verdict})  # doctest: +SKIP
    >>> client.dataframes.estimate(df, prompt="Classify: {review}", model="gemini-2.5-flash",
    ...                            engine="batch", output_tokens=20)          # doctest: +SKIP
    """

    def __init__(self, client: Client) -> None:
        self._client = client

    def generate(
        self,
        data: pd.DataFrame | str | os.PathLike[str],
        *,
        prompt: Prompt,
        model: str,
        config: Any = None,
        engine: str = "online",
        output: str | os.PathLike[str] | None = None,
        checkpoint: str | os.PathLike[str] | None = "auto",
        concurrency: int = 16,
        rpm: float | None = None,
        tpm: float | None = None,
        max_attempts: int = 5,
        partition_rows: int = DEFAULT_PARTITION_ROWS,
        keep_input: bool = True,
        prefix: str = "",
        progress: bool = True,
        timeout: float | None = None,
        max_job_requests: int = MAX_JOB_REQUESTS,
        max_job_bytes: int = MAX_JOB_BYTES,
        display_name: str | None = None,
        workdir: str | None = None,
        read_csv: dict[str, Any] | None = None,
    ) -> Any:
        """One answer per row: the text, finish reason, token counts and error of each, and
        with ``config={"response_schema": Model}`` one typed column per field of ``Model``.

        ``prompt``: a template over the columns (``"{title}: {body}"``) or a function of the
        row (a dict) returning the contents. ``config``: a GenerateContentConfig or dict
        (system instruction, schema, tools, …).
        """
        return self._run(*_prepare("generate", locals()))

    def embed(
        self,
        data: pd.DataFrame | str | os.PathLike[str],
        *,
        prompt: Prompt,
        model: str,
        config: Any = None,
        engine: str = "online",
        output: str | os.PathLike[str] | None = None,
        checkpoint: str | os.PathLike[str] | None = "auto",
        concurrency: int = 4,
        rpm: float | None = None,
        tpm: float | None = None,
        max_attempts: int = 5,
        partition_rows: int = DEFAULT_PARTITION_ROWS,
        keep_input: bool = True,
        prefix: str = "",
        progress: bool = True,
        timeout: float | None = None,
        max_job_requests: int = MAX_JOB_REQUESTS,
        max_job_bytes: int = MAX_JOB_BYTES,
        display_name: str | None = None,
        workdir: str | None = None,
        read_csv: dict[str, Any] | None = None,
    ) -> Any:
        """One embedding per row, as a float32 vector in the ``embedding`` column (and an
        ``error`` column). ``config``: an EmbedContentConfig or dict (``task_type``,
        ``output_dimensionality``). Online, 100 rows go in one call."""
        return self._run(*_prepare("embed", locals()))

    def estimate(
        self,
        data: pd.DataFrame | str | os.PathLike[str],
        *,
        prompt: Prompt,
        model: str,
        config: Any = None,
        engine: str = "online",
        output_tokens: int | None = None,
        thinking_tokens: int | None = None,
        tokenizer: LocalTokenizer | None = None,
        embed: bool = False,
        read_csv: dict[str, Any] | None = None,
    ) -> CostEstimate:
        """What ``generate`` (or ``embed=True``: ``embed``) would cost, counted locally
        before anything is sent; ``engine="batch"`` at the batch discount. ``output_tokens``
        and ``thinking_tokens`` are your guess per row (unknown output: no output cost)."""
        return _estimate_from(locals())

    def _run(self, job: Job, opts: _Options) -> Any:
        try:
            if opts.engine == "online":
                _run_online_in_thread(self._client, job, opts)
            else:
                self._client._run(batch_flow(job, opts.batch))
        finally:
            _close(job)
        return job.result()


class AsyncDataFrames:
    """The async twin of :class:`DataFrames`: ``await client.dataframes.generate(...)``."""

    def __init__(self, client: AsyncClient) -> None:
        self._client = client

    async def generate(
        self,
        data: pd.DataFrame | str | os.PathLike[str],
        *,
        prompt: Prompt,
        model: str,
        config: Any = None,
        engine: str = "online",
        output: str | os.PathLike[str] | None = None,
        checkpoint: str | os.PathLike[str] | None = "auto",
        concurrency: int = 16,
        rpm: float | None = None,
        tpm: float | None = None,
        max_attempts: int = 5,
        partition_rows: int = DEFAULT_PARTITION_ROWS,
        keep_input: bool = True,
        prefix: str = "",
        progress: bool = True,
        timeout: float | None = None,
        max_job_requests: int = MAX_JOB_REQUESTS,
        max_job_bytes: int = MAX_JOB_BYTES,
        display_name: str | None = None,
        workdir: str | None = None,
        read_csv: dict[str, Any] | None = None,
    ) -> Any:
        return await self._run(*_prepare("generate", locals()))

    async def embed(
        self,
        data: pd.DataFrame | str | os.PathLike[str],
        *,
        prompt: Prompt,
        model: str,
        config: Any = None,
        engine: str = "online",
        output: str | os.PathLike[str] | None = None,
        checkpoint: str | os.PathLike[str] | None = "auto",
        concurrency: int = 4,
        rpm: float | None = None,
        tpm: float | None = None,
        max_attempts: int = 5,
        partition_rows: int = DEFAULT_PARTITION_ROWS,
        keep_input: bool = True,
        prefix: str = "",
        progress: bool = True,
        timeout: float | None = None,
        max_job_requests: int = MAX_JOB_REQUESTS,
        max_job_bytes: int = MAX_JOB_BYTES,
        display_name: str | None = None,
        workdir: str | None = None,
        read_csv: dict[str, Any] | None = None,
    ) -> Any:
        return await self._run(*_prepare("embed", locals()))

    async def estimate(
        self,
        data: pd.DataFrame | str | os.PathLike[str],
        *,
        prompt: Prompt,
        model: str,
        config: Any = None,
        engine: str = "online",
        output_tokens: int | None = None,
        thinking_tokens: int | None = None,
        tokenizer: LocalTokenizer | None = None,
        embed: bool = False,
        read_csv: dict[str, Any] | None = None,
    ) -> CostEstimate:
        # In a thread: the first use may download the tokenizer file.
        return await asyncio.to_thread(_estimate_from, locals())

    async def _run(self, job: Job, opts: _Options) -> Any:
        try:
            if opts.engine == "online":
                # More pools only when the client's connections are its own to copy (a client
                # given an http_client keeps using that one alone).
                extra = _pools(opts.concurrency) - 1 if self._client._owns_http else 0
                from .._client import AsyncClient

                siblings = [AsyncClient(_settings=self._client.settings) for _ in range(extra)]
                try:
                    await _runner([self._client, *siblings], job, opts).run()
                finally:
                    for sibling in siblings:
                        await sibling.close()
            else:
                await self._client._run(batch_flow(job, opts.batch))
        finally:
            _close(job)
        return job.result()


DataFrames.generate.__doc__ = (DataFrames.generate.__doc__ or "") + _DOC_OPTIONS
DataFrames.embed.__doc__ = (DataFrames.embed.__doc__ or "") + _DOC_OPTIONS


def _locals(values: dict[str, Any]) -> dict[str, Any]:
    drop = {"self", "data", "prompt", "model", "config"}
    return {k: v for k, v in values.items() if k not in drop}
