"""``client.tunings``: supervised tuning of a model on your examples (google-genai's names).

>>> job = client.tunings.tune(
...     base_model="models/gemini-1.5-flash-001-tuning",
...     training_dataset=df,                      # or [(input, output), ...] or "train.jsonl"
...     config={"epoch_count": 5, "tuned_model_display_name": "number helper"},
... )                                                                     # doctest: +SKIP
>>> job.wait()                                                            # doctest: +SKIP
>>> client.models.generate_content(model=job.tuned_model.model, contents="1")  # doctest: +SKIP

``training_dataset`` is a DataFrame (``input_column``/``output_column`` of the config, or its
first two columns), a list of ``(input, output)`` pairs or of dicts (``text_input``/``input``
and ``output``), a :class:`~gemini_nb.types.TuningDataset`, or the path of a JSONL file of such
dicts. google-genai never sends the examples to the Developer API (WIRE.md §3.9); this sends
them as ``tuningTask.trainingData.examples.examples[{textInput, output}]``.

Every method is a flow written once; ``Tunings`` and ``AsyncTunings`` only hand it to their
client. The API has no method to cancel a tuning job: ``cancel`` tries the SDK's
``POST {name}:cancel`` and, when the server does not serve it, says so and points to
``delete``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from .._convert import model_path
from .._exceptions import InvalidInputError, NotFoundError, ServerError
from .._operations import wait_in_place
from .._options import coerce_config_as, http_options_of
from .._pager import AsyncPager, Pager, list_args, list_flow
from .._transport import Call, Reply
from ..types import HttpOptions
from ..types.tunings import (
    AsyncTuningJob,
    CreateTuningJobConfig,
    TuningDataset,
    TuningJob,
    _TuningJobData,
)

if TYPE_CHECKING:
    from .._client import AsyncClient, Client
    from .._transport import Flow

__all__ = [
    "AsyncTunings",
    "TuningBar",
    "Tunings",
    "cancel_flow",
    "delete_flow",
    "get_flow",
    "training_examples",
    "tune_flow",
    "tuning_name",
    "wait_flow",
]

J = TypeVar("J", bound=_TuningJobData)


def bind(job: J, client: Any) -> J:
    job._client = client
    return job


def tuning_name(job: Any) -> str:
    """``tunedModels/{id}`` from an id, a name, or a TuningJob."""
    name = getattr(job, "name", job) if not isinstance(job, str) else job
    if not isinstance(name, str) or not name.strip():
        raise InvalidInputError(
            "Pass a TuningJob or its name ('tunedModels/abc123'); client.tunings.list() shows them."
        )
    bare = name.strip().removeprefix("tunedModels/")
    if not bare or any(bad in bare for bad in ("/", "?", "#", ":", "..", " ")):
        raise InvalidInputError(
            f"{name!r} is not a tuning job name; expected 'tunedModels/{{id}}'."
        )
    return f"tunedModels/{bare}"


# ------------------------------------------------------------------ training data


def _text(value: Any, what: str, position: int) -> str:
    if value is None or (isinstance(value, float) and value != value):
        raise InvalidInputError(f"Training example {position} has no {what}.")
    text = value if isinstance(value, str) else str(value)
    if not text.strip():
        raise InvalidInputError(f"Training example {position} has an empty {what}.")
    return text


def _example(item: Any, position: int) -> dict[str, str]:
    if isinstance(item, Mapping):
        inp = next((item[k] for k in ("text_input", "textInput", "input") if k in item), None)
        out = item.get("output")
        unknown = set(item) - {"text_input", "textInput", "input", "output"}
        if unknown:
            raise InvalidInputError(
                f"Training example {position} has unknown key(s) {sorted(unknown)}; an "
                "example is {'text_input': ..., 'output': ...}."
            )
    elif hasattr(item, "text_input") and hasattr(item, "output"):  # TuningExample, the SDK's
        inp, out = item.text_input, item.output
    elif isinstance(item, Sequence) and not isinstance(item, (str, bytes)) and len(item) == 2:
        inp, out = item
    else:
        raise InvalidInputError(
            f"Training example {position} must be an (input, output) pair or a dict with "
            f"text_input and output, not {type(item).__name__}."
        )
    return {"textInput": _text(inp, "input", position), "output": _text(out, "output", position)}


def _frame_examples(frame: Any, cfg: CreateTuningJobConfig) -> list[dict[str, str]]:
    columns = [str(c) for c in frame.columns]
    if cfg.input_column is None and cfg.output_column is None and len(columns) < 2:
        raise InvalidInputError("The DataFrame needs two columns: the inputs and the outputs.")
    inp = cfg.input_column if cfg.input_column is not None else columns[0]
    out = cfg.output_column if cfg.output_column is not None else columns[1]
    for col in (inp, out):
        if col not in columns:
            raise InvalidInputError(f"The DataFrame has no column {col!r}; it has {columns}.")
    return [
        _example((a, b), i) for i, (a, b) in enumerate(zip(frame[inp], frame[out], strict=True))
    ]


def _jsonl_examples(path: str | os.PathLike[str]) -> list[dict[str, str]]:
    if not os.path.isfile(path):
        raise InvalidInputError(
            f"training_dataset {os.fspath(path)!r} is not a file; pass a JSONL path, a "
            "DataFrame or a list of (input, output) pairs."
        )
    out: list[dict[str, str]] = []
    with open(path, encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except ValueError:
                raise InvalidInputError(
                    f"Line {number} of {os.fspath(path)} is not JSON."
                ) from None
            out.append(_example(item, len(out)))
    return out


def training_examples(dataset: Any, cfg: CreateTuningJobConfig) -> list[dict[str, str]]:
    """``[{textInput, output}, ...]`` from any form of training set the module takes."""
    if type(dataset).__module__.startswith("pandas") and hasattr(dataset, "columns"):
        examples = _frame_examples(dataset, cfg)
    elif isinstance(dataset, (str, os.PathLike)):
        examples = _jsonl_examples(dataset)
    elif isinstance(dataset, (TuningDataset, Mapping)) or hasattr(dataset, "examples"):
        if isinstance(dataset, Mapping):
            dataset = dict(dataset)
            items, rest = dataset.pop("examples", None), dataset
        else:
            items = dataset.examples
            rest = {k: getattr(dataset, k, None) for k in ("gcs_uri", "vertex_dataset_resource")}
        if any(v is not None for v in rest.values()):
            raise InvalidInputError(
                f"{sorted(k for k, v in rest.items() if v is not None)} are for Vertex AI; "
                "the Gemini API takes the examples themselves (training_dataset={'examples': "
                "[...]}, a DataFrame, a list of pairs or a JSONL path)."
            )
        examples = [_example(item, i) for i, item in enumerate(items or [])]
    elif isinstance(dataset, Sequence) and not isinstance(dataset, bytes):
        examples = [_example(item, i) for i, item in enumerate(dataset)]
    else:
        raise InvalidInputError(
            "training_dataset must be a DataFrame, a list of (input, output) pairs or dicts, "
            f"a TuningDataset or a JSONL path, not {type(dataset).__name__}."
        )
    if not examples:
        raise InvalidInputError("training_dataset holds no examples; tuning needs at least one.")
    return examples


def _hyperparameters(cfg: CreateTuningJobConfig) -> dict[str, Any]:
    if cfg.learning_rate is not None and cfg.learning_rate_multiplier is not None:
        raise InvalidInputError("Set learning_rate or learning_rate_multiplier, not both.")
    for field in ("epoch_count", "batch_size"):
        value = getattr(cfg, field)
        if value is not None and value < 1:
            raise InvalidInputError(f"{field} must be a positive whole number, not {value}.")
    out: dict[str, Any] = {}
    for field, wire in (
        ("epoch_count", "epochCount"),
        ("batch_size", "batchSize"),
        ("learning_rate", "learningRate"),
        ("learning_rate_multiplier", "learningRateMultiplier"),
    ):
        value = getattr(cfg, field)
        if value is not None:
            out[wire] = value
    return out


# ------------------------------------------------------------------ flows


def get_flow(name: str, cls: type[J], options: HttpOptions | None) -> Flow[J]:
    reply: Reply = yield Call("GET", name, options=options)
    return reply.model(cls)


def tune_flow(base_model: str, training_dataset: Any, config: Any, cls: type[J]) -> Flow[J]:
    """``POST tunedModels``, then the new tuned model as a job (its steps from the metadata)."""
    cfg = coerce_config_as(CreateTuningJobConfig, config)
    if cfg.description is not None:
        raise InvalidInputError("description is for Vertex AI tuning; the Gemini API refuses it.")
    body: dict[str, Any] = {
        "baseModel": model_path(base_model),
        "tuningTask": {
            "hyperparameters": _hyperparameters(cfg),
            "trainingData": {"examples": {"examples": training_examples(training_dataset, cfg)}},
        },
    }
    if cfg.tuned_model_display_name:
        body["displayName"] = cfg.tuned_model_display_name
    params = {"tunedModelId": cfg.tuned_model_id} if cfg.tuned_model_id else None
    reply: Reply = yield Call(
        "POST", "tunedModels", body=body, params=params, options=cfg.http_options
    )
    operation = reply.json()
    meta = operation.get("metadata") or {}
    name = meta.get("tunedModel") or str(operation.get("name", "")).split("/operations/")[0]
    job = yield from get_flow(tuning_name(name), cls, cfg.http_options)
    if isinstance(meta.get("totalSteps"), (int, str)):
        object.__setattr__(job, "total_steps", int(meta["totalSteps"]))
    return job


def cancel_flow(name: str, options: HttpOptions | None) -> Flow[None]:
    try:
        yield Call("POST", f"{name}:cancel", options=options)
    except (NotFoundError, ServerError) as exc:
        if isinstance(exc, ServerError) and exc.status_code != 501:
            raise
        raise type(exc)(
            f"The server has no method to cancel a tuning job (POST {name}:cancel answered "
            f"{exc.status_code}: {exc.message}). To stop it and drop the model, delete it: "
            f"client.tunings.delete(name={name!r}).",
            status_code=exc.status_code,
            status=exc.status,
            details=exc.details,
            request_id=exc.request_id,
            body=exc.body,
        ) from None
    return None


def delete_flow(name: str, options: HttpOptions | None) -> Flow[None]:
    yield Call("DELETE", name, options=options)
    return None


class TuningBar:
    """A progress bar for a tuning job: steps done of all, epoch, loss and state."""

    def __init__(self, first: _TuningJobData, *, enabled: bool = True) -> None:
        from .._progress import make_bar

        short = (first.name or "tuning").removeprefix("tunedModels/")[:24]
        self._bar = make_bar(
            total=first.total_steps, desc=f"tuning {short}", unit="step", enabled=enabled
        )
        self(first)

    def __call__(self, job: _TuningJobData) -> None:
        epochs = job.hyperparameters.epoch_count if job.hyperparameters else None
        parts = []
        if job.snapshots:
            last = job.snapshots[-1]
            parts.append(f"epoch {last.epoch}" + (f"/{epochs}" if epochs else ""))
            if last.mean_loss is not None:
                parts.append(f"loss {last.mean_loss:.4f}")
        parts.append((job.state or "?").removeprefix("JOB_STATE_"))
        if job.done and job.snapshots:
            self._bar.set_total(job.snapshots[-1].step)
        self._bar.set_postfix(", ".join(parts))
        self._bar.set_count(job.latest_step or 0)
        if job.done:
            self.close()

    def close(self) -> None:
        self._bar.close()


def wait_flow(
    job: J, timeout: float | None, progress: bool | Callable[[Any], Any] | None
) -> Flow[J]:
    """Poll ``job`` (updated in place) until it has ended; the job."""
    name = tuning_name(job)

    def refetch() -> Flow[J]:
        fresh = yield from get_flow(name, type(job), None)
        job._update(fresh)
        return job

    yield from wait_in_place(
        job,
        refetch,
        timeout=timeout,
        progress=progress,
        make_bar=TuningBar,
        what=f"Tuning job {name}",
        noun="job",
    )
    return job


def _fetch(cls: type[J], client: Any, args: Any) -> Callable[[str | None], Flow[Any]]:
    def fetch(token: str | None) -> Flow[Any]:
        page = yield from list_flow("tunedModels", cls, "tunedModels", args, token)
        for job in page.items:
            bind(job, client)
        return page

    return fetch


# ------------------------------------------------------------------ shells


class Tunings:
    """Tune a model on examples, follow the job, list, cancel and delete tuned models."""

    def __init__(self, client: Client) -> None:
        self._client = client

    def tune(
        self,
        *,
        base_model: str,
        training_dataset: Any,
        config: CreateTuningJobConfig | dict[str, Any] | None = None,
    ) -> TuningJob:
        """Start tuning ``base_model`` on ``training_dataset``; the running job."""
        job = self._client._run(tune_flow(base_model, training_dataset, config, TuningJob))
        return bind(job, self._client)

    def get(self, *, name: str | TuningJob, config: Any = None) -> TuningJob:
        job = self._client._run(get_flow(tuning_name(name), TuningJob, http_options_of(config)))
        return bind(job, self._client)

    def list(
        self, *, config: Any = None, page_size: int | None = None, page_token: str | None = None
    ) -> Pager[TuningJob]:
        """Your tuning jobs (tuned models), page by page (``.to_pandas()`` for a table)."""
        args = list_args(config, page_size=page_size, page_token=page_token)
        return Pager(self._client, _fetch(TuningJob, self._client, args), TuningJob)

    def cancel(self, *, name: str | TuningJob, config: Any = None) -> None:
        """Ask the server to cancel the job (see the module docstring)."""
        self._client._run(cancel_flow(tuning_name(name), http_options_of(config)))

    def delete(self, *, name: str | TuningJob, config: Any = None) -> None:
        """Delete the tuned model (and so its job)."""
        self._client._run(delete_flow(tuning_name(name), http_options_of(config)))


class AsyncTunings:
    """The async twin of :class:`Tunings`."""

    def __init__(self, client: AsyncClient) -> None:
        self._client = client

    async def tune(
        self,
        *,
        base_model: str,
        training_dataset: Any,
        config: CreateTuningJobConfig | dict[str, Any] | None = None,
    ) -> AsyncTuningJob:
        job = await self._client._run(
            tune_flow(base_model, training_dataset, config, AsyncTuningJob)
        )
        return bind(job, self._client)

    async def get(self, *, name: str | AsyncTuningJob, config: Any = None) -> AsyncTuningJob:
        job = await self._client._run(
            get_flow(tuning_name(name), AsyncTuningJob, http_options_of(config))
        )
        return bind(job, self._client)

    async def list(
        self, *, config: Any = None, page_size: int | None = None, page_token: str | None = None
    ) -> AsyncPager[AsyncTuningJob]:
        args = list_args(config, page_size=page_size, page_token=page_token)
        pager = AsyncPager(self._client, _fetch(AsyncTuningJob, self._client, args), AsyncTuningJob)
        return await pager._start()

    async def cancel(self, *, name: str | AsyncTuningJob, config: Any = None) -> None:
        await self._client._run(cancel_flow(tuning_name(name), http_options_of(config)))

    async def delete(self, *, name: str | AsyncTuningJob, config: Any = None) -> None:
        await self._client._run(delete_flow(tuning_name(name), http_options_of(config)))
