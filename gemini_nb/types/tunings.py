"""Tuning jobs (supervised tuning of a model on your examples), read as google-genai reads them.

On the Gemini Developer API a tuning job *is* its tuned model (``tunedModels/{id}``): the
server answers ``tunedModels.create`` with an operation and the tuned model carries the job's
progress (``tuningTask.snapshots``). :class:`TuningJob` is that tuned model with the SDK's
field names: ``name``, ``state`` (a :class:`~gemini_nb.types.JobState` name: ``CREATING`` reads
``JOB_STATE_RUNNING``, ``ACTIVE`` ``JOB_STATE_SUCCEEDED``, ``FAILED`` ``JOB_STATE_FAILED``),
``base_model``, ``tuned_model`` (``.model``, the name to generate with),
``tuned_model_display_name``, ``create_time``/``start_time``/``end_time``/``update_time``,
``hyperparameters``; ours: ``snapshots`` (step, epoch, mean loss: the SDK drops them) and
``total_steps`` (from the create operation's metadata).

>>> job = client.tunings.tune(base_model="models/gemini-1.5-flash-001-tuning",
...                           training_dataset=[("1", "2"), ("2", "3")])   # doctest: +SKIP
>>> job.wait()                  # a progress bar: epoch, step, loss   # doctest: +SKIP
>>> job.loss_frame().plot(x="step", y="mean_loss")                    # doctest: +SKIP
>>> client.models.generate_content(model=job.tuned_model.model, contents="1")  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import model_validator

from ._base import ResponseModel, WireModel
from .batches import JobState
from .http import HttpOptions
from .operations import Status

if TYPE_CHECKING:
    import pandas as pd

    from .._client import AsyncClient, Client

__all__ = [
    "AsyncTuningJob",
    "CreateTuningJobConfig",
    "ListTuningJobsConfig",
    "TunedModel",
    "TuningDataset",
    "TuningExample",
    "TuningHyperparameters",
    "TuningJob",
    "TuningSnapshot",
]


# --------------------------------------------------------------------------- requests


class TuningExample(WireModel):
    """One training example: a prompt (``text_input``) and the answer to learn (``output``)."""

    text_input: str
    output: str


class TuningDataset(WireModel):
    """The SDK's training set: ``examples`` (``gcs_uri`` and Vertex datasets are Vertex only)."""

    examples: list[TuningExample] | None = None
    gcs_uri: str | None = None
    vertex_dataset_resource: str | None = None


class CreateTuningJobConfig(WireModel):
    """Options of ``tunings.tune`` (google-genai's names, plus ours).

    ``tuned_model_display_name`` (or ``display_name``), ``epoch_count``, ``batch_size``,
    ``learning_rate`` or ``learning_rate_multiplier`` (not both), ``tuned_model_id`` (the id
    in ``tunedModels/{id}``; the server makes one from the display name otherwise), and for a
    DataFrame ``input_column`` / ``output_column`` (the first two columns otherwise).
    """

    http_options: HttpOptions | None = None
    tuned_model_display_name: str | None = None
    description: str | None = None
    epoch_count: int | None = None
    batch_size: int | None = None
    learning_rate: float | None = None
    learning_rate_multiplier: float | None = None
    tuned_model_id: str | None = None
    input_column: str | None = None
    output_column: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _display_name(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for key in ("display_name", "displayName"):
                if key in data:
                    data = dict(data)
                    value = data.pop(key)
                    data.setdefault("tuned_model_display_name", value)
        return data


class ListTuningJobsConfig(WireModel):
    http_options: HttpOptions | None = None
    page_size: int | None = None
    page_token: str | None = None


# --------------------------------------------------------------------------- answers


class TuningSnapshot(WireModel):
    """The loss after one step of training."""

    step: int | None = None
    epoch: int | None = None
    mean_loss: float | None = None
    compute_time: datetime | None = None


class TuningHyperparameters(WireModel):
    epoch_count: int | None = None
    batch_size: int | None = None
    learning_rate: float | None = None
    learning_rate_multiplier: float | None = None


class TunedModel(WireModel):
    """Where the tuned model answers: on the Developer API ``model`` and ``endpoint`` are both
    its name (``tunedModels/{id}``), usable as ``generate_content(model=...)``."""

    model: str | None = None
    endpoint: str | None = None


_STATES = {
    "STATE_UNSPECIFIED": JobState.JOB_STATE_UNSPECIFIED,
    "CREATING": JobState.JOB_STATE_RUNNING,
    "ACTIVE": JobState.JOB_STATE_SUCCEEDED,
    "FAILED": JobState.JOB_STATE_FAILED,
}

_MOVED = {
    "baseModel": "base_model",
    "displayName": "tuned_model_display_name",
    "description": "description",
    "createTime": "create_time",
    "updateTime": "update_time",
}


def _from_tuned_model(data: dict[str, Any]) -> dict[str, Any]:
    """A ``TunedModel`` answer as google-genai's ``TuningJob``."""
    if "tuningTask" not in data and "baseModel" not in data:
        return data
    out: dict[str, Any] = {"name": data.get("name")}
    for wire, field in _MOVED.items():
        if wire in data:
            out[field] = data[wire]
    state = data.get("state")
    if isinstance(state, str):
        out["state"] = _STATES.get(state, state)
    task = data.get("tuningTask") or {}
    if task.get("startTime"):
        out["start_time"] = task["startTime"]
    if task.get("completeTime"):
        out["end_time"] = task["completeTime"]
    if task.get("hyperparameters"):
        out["hyperparameters"] = task["hyperparameters"]
    out["snapshots"] = task.get("snapshots") or []
    if data.get("name"):
        out["tuned_model"] = {"model": data["name"], "endpoint": data["name"]}
    for key, value in data.items():
        if key not in _MOVED and key not in {"name", "state", "tuningTask"}:
            out.setdefault(key, value)
    return out


class _TuningJobData(ResponseModel):
    """The fields of a tuning job (see the module docstring)."""

    __slots__ = ("_client",)
    if TYPE_CHECKING:
        _client: Any

    _table_columns: ClassVar[tuple[str, ...]] = (
        "name",
        "tuned_model_display_name",
        "state",
        "base_model",
        "hyperparameters.epoch_count",
        "latest_step",
        "latest_loss",
        "create_time",
        "end_time",
    )

    name: str | None = None
    state: str | None = None
    base_model: str | None = None
    tuned_model: TunedModel | None = None
    tuned_model_display_name: str | None = None
    description: str | None = None
    error: Status | None = None
    create_time: datetime | None = None
    start_time: datetime | None = None
    end_time: datetime | None = None
    update_time: datetime | None = None
    hyperparameters: TuningHyperparameters | None = None
    snapshots: list[TuningSnapshot] = []
    total_steps: int | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_wire(cls, data: Any) -> Any:
        return _from_tuned_model(data) if isinstance(data, dict) else data

    @property
    def done(self) -> bool:
        """True once the job has ended (succeeded, failed or cancelled)."""
        return self.state in JobState.ENDED

    @property
    def has_succeeded(self) -> bool:
        return self.state == JobState.JOB_STATE_SUCCEEDED

    @property
    def latest_step(self) -> int | None:
        return self.snapshots[-1].step if self.snapshots else None

    @property
    def latest_loss(self) -> float | None:
        return self.snapshots[-1].mean_loss if self.snapshots else None

    def loss_frame(self) -> pd.DataFrame:
        """The snapshots as a DataFrame: ``step``, ``epoch``, ``mean_loss``, ``compute_time``."""
        try:
            import pandas as pd
        except ImportError:
            from .._optional import missing_dependency

            raise missing_dependency("loss_frame()", "pandas", "notebook") from None
        columns = ["step", "epoch", "mean_loss", "compute_time"]
        rows = [[getattr(s, c) for c in columns] for s in self.snapshots]
        return pd.DataFrame(rows, columns=columns)

    def _bound(self) -> Any:
        client = getattr(self, "_client", None)
        if client is None:
            from .._exceptions import InvalidInputError

            raise InvalidInputError(
                f"Tuning job {self.name!r} is not attached to a client; "
                "use client.tunings.get(name=...) to fetch it."
            )
        return client

    def _update(self, fresh: _TuningJobData) -> None:
        total = self.total_steps
        for field in type(self).model_fields:
            object.__setattr__(self, field, getattr(fresh, field))
        if self.total_steps is None:
            object.__setattr__(self, "total_steps", total)
        object.__setattr__(self, "__pydantic_extra__", fresh.__pydantic_extra__)
        self._http = getattr(fresh, "_http", None)

    def __repr__(self) -> str:
        progress = ""
        if self.snapshots:
            last = self.snapshots[-1]
            of = f"/{self.total_steps}" if self.total_steps else ""
            progress = f", step {last.step}{of}, epoch {last.epoch}, loss {last.mean_loss:.4g}"
        return f"{type(self).__name__}(name={self.name!r}, state={self.state!r}{progress})"


class TuningJob(_TuningJobData):
    """A tuning job, bound to the synchronous client that fetched it.

    ``wait()`` polls until the job has ended, with a progress bar (epoch, step, loss) unless
    ``progress=False`` (or pass a function, called with the job after every poll);
    ``loss_frame()`` is the loss curve as a DataFrame.
    """

    if TYPE_CHECKING:
        _client: Client

    def refresh(self) -> TuningJob:
        """Fetch the current state (in place) and return self."""
        from ..resources.tunings import get_flow

        assert self.name is not None
        self._update(self._bound()._run(get_flow(self.name, TuningJob, None)))
        return self

    def wait(
        self,
        *,
        timeout: float | None = None,
        progress: bool | Callable[[TuningJob], Any] | None = True,
    ) -> TuningJob:
        """Poll until the job has ended; the job (check ``state``). ``timeout`` in seconds
        raises :class:`~gemini_nb.WaitTimeoutError` (the job goes on on the server)."""
        from ..resources.tunings import wait_flow

        return self._bound()._run(wait_flow(self, timeout, progress))  # type: ignore[no-any-return]

    def cancel(self) -> None:
        self._bound().tunings.cancel(name=self)


class AsyncTuningJob(_TuningJobData):
    """The async twin of :class:`TuningJob`: ``await job.wait()``."""

    if TYPE_CHECKING:
        _client: AsyncClient

    async def refresh(self) -> AsyncTuningJob:
        from ..resources.tunings import get_flow

        assert self.name is not None
        self._update(await self._bound()._run(get_flow(self.name, AsyncTuningJob, None)))
        return self

    async def wait(
        self,
        *,
        timeout: float | None = None,
        progress: bool | Callable[[AsyncTuningJob], Any] | None = True,
    ) -> AsyncTuningJob:
        from ..resources.tunings import wait_flow

        return await self._bound()._run(wait_flow(self, timeout, progress))  # type: ignore[no-any-return]

    async def cancel(self) -> None:
        await self._bound().tunings.cancel(name=self)
