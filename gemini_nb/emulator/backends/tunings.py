"""Tuned models (``tunedModels``): supervised tuning jobs on the emulator's clock.

What the real API does, and so this backend:

* ``tunedModels.create`` takes a ``TunedModel``: a base model that supports
  ``createTunedModel``, a display name, and a tuning task with hyperparameters (epoch count,
  batch size, learning rate or multiplier) and training examples
  (``tuningTask.trainingData.examples.examples[]``, each ``{textInput, output}``). The id is the
  display name as a slug plus a random suffix (``number-generator-model-dzlmi0gswwqb``), or
  ``tunedModelId`` when given. The answer is the Operation
  ``tunedModels/<id>/operations/<op>`` with ``CreateTunedModelMetadata`` (``totalSteps`` =
  ⌈examples × epochs ÷ batch size⌉, ``tunedModel``); while it runs the metadata grows
  ``completedSteps``, ``completedPercent`` and ``snapshots`` (step, epoch, a mean loss that falls,
  compute time).
* The tuned model is ``CREATING`` while the job runs (0.2 s a step on the clock), then
  ``ACTIVE``; it then answers ``generateContent`` and ``streamGenerateContent`` by its name:
  a prompt equal to a training input gets that example's output, anything else the base model's
  answer. No examples, or a base model that cannot be tuned, is a 400. (The real service wants
  more examples than a demo has time for; the emulator takes any number from one.)
* ``get`` / ``list`` / ``patch`` (displayName, description, temperature, topP, topK) /
  ``delete``; the job's operation is polled through ``tunedModels.operations.get``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from starlette.responses import Response

from ..model import generate as _model
from ..model.hashing import digest
from ..wire.errors import EmulatorError
from ..wire.framing import stream_response
from ..wire.routing import Ctx, paged, serves
from . import catalogue as _catalogue
from . import operations as _operations
from .state import format_time

__all__ = ["TunedModel"]

NOUN = "tunedModels"
SECONDS_PER_STEP = 0.2
DEFAULTS = {"epochCount": 5, "batchSize": 4, "learningRate": 0.001}
METADATA_TYPE = "type.googleapis.com/google.ai.generativelanguage.v1beta.CreateTunedModelMetadata"


@dataclass
class TunedModel:
    name: str
    base_model: str
    display_name: str
    description: str
    create_time: float
    hyperparameters: dict[str, Any]
    examples: list[dict[str, str]] = field(repr=False)
    total_steps: int
    update_time: float = 0.0
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def end_time(self) -> float:
        return self.create_time + self.total_steps * SECONDS_PER_STEP

    def state(self, now: float) -> str:
        return "ACTIVE" if now >= self.end_time else "CREATING"

    def snapshots(self, now: float) -> list[dict[str, Any]]:
        done = min(self.total_steps, int((now - self.create_time) / SECONDS_PER_STEP))
        steps_per_epoch = max(1, math.ceil(len(self.examples) / self.hyperparameters["batchSize"]))
        seed = digest("loss", self.name)
        out = []
        for step in range(1, done + 1):
            # A loss that falls like a real run's, with a little deterministic noise.
            noise = (seed[step % len(seed)] - 128) / 2560
            loss = 8.0 * math.exp(-3.0 * step / self.total_steps) + 0.15 + noise
            out.append(
                {
                    "step": step,
                    "epoch": (step - 1) // steps_per_epoch + 1,
                    "meanLoss": round(max(0.01, loss), 6),
                    "computeTime": format_time(self.create_time + step * SECONDS_PER_STEP),
                }
            )
        return out

    def to_json(self, now: float) -> dict[str, Any]:
        state = self.state(now)
        task: dict[str, Any] = {"startTime": format_time(self.create_time)}
        if state == "ACTIVE":
            task["completeTime"] = format_time(self.end_time)
        task["snapshots"] = self.snapshots(now)
        task["hyperparameters"] = dict(self.hyperparameters)
        out: dict[str, Any] = {
            "name": self.name,
            "baseModel": self.base_model,
            "displayName": self.display_name,
        }
        if self.description:
            out["description"] = self.description
        out["state"] = state
        out["createTime"] = format_time(self.create_time)
        out["updateTime"] = format_time(max(self.update_time, min(now, self.end_time)))
        out["tuningTask"] = task
        out.update(self.settings)
        return out

    def answer(self, request: dict[str, Any]) -> list[dict[str, Any]] | None:
        """The trained output for a prompt equal to a training input, else None."""
        contents = request.get("contents") or []
        if not contents:
            return None
        text = "".join(p.get("text", "") for p in contents[-1].get("parts") or []).strip()
        for example in self.examples:
            if example.get("textInput", "").strip() == text:
                return [{"text": example["output"]}]
        return None


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "model"


def _live(ctx: Ctx) -> dict[str, TunedModel]:
    coll: dict[str, TunedModel] = ctx.store.collection(NOUN)
    return coll


def find(ctx: Ctx, name: str) -> TunedModel:
    with ctx.store.lock:
        found = _live(ctx).get(name)
    if found is None:
        raise EmulatorError(
            404, f"Tuned model {name} does not exist or you do not have permission to access it."
        )
    return found


@serves("tunedModels.create")
async def create(ctx: Ctx) -> dict[str, Any]:
    body = await ctx.body()
    base = str(body.get("baseModel") or "")
    info = _catalogue.lookup(base.removeprefix("models/"))
    if info is None or not info.supports("createTunedModel"):
        raise EmulatorError(
            400, f"Base model {base or '(none)'} does not support tuning (createTunedModel)."
        )
    task = body.get("tuningTask") or {}
    examples = ((task.get("trainingData") or {}).get("examples") or {}).get("examples") or []
    if not examples:
        raise EmulatorError(
            400, "tuning_task.training_data.examples must hold at least one example."
        )
    hyper = {**DEFAULTS, **(task.get("hyperparameters") or {})}
    if "learningRateMultiplier" in hyper and "learningRate" in (task.get("hyperparameters") or {}):
        raise EmulatorError(400, "Set learning_rate or learning_rate_multiplier, not both.")
    if int(hyper["epochCount"]) < 1 or int(hyper["batchSize"]) < 1:
        raise EmulatorError(400, "epoch_count and batch_size must be positive.")
    total = math.ceil(len(examples) * int(hyper["epochCount"]) / int(hyper["batchSize"]))
    display = str(body.get("displayName") or "")
    wanted = ctx.query.get("tunedModelId")
    if wanted and not re.fullmatch(r"[a-z]([a-z0-9-]{0,38}[a-z0-9])?", wanted):
        raise EmulatorError(400, "tunedModelId must be 1-40 lower-case letters, digits or dashes.")
    name = f"{NOUN}/{wanted or _slug(display) + '-' + ctx.store.new_id(12)}"
    now = ctx.now
    with ctx.store.lock:
        if name in _live(ctx):
            raise EmulatorError(409, f"Tuned model {name} already exists.")
        model = TunedModel(
            name,
            f"models/{info.name}",
            display,
            str(body.get("description") or ""),
            now,
            hyper,
            list(examples),
            total,
            update_time=now,
        )
        _live(ctx)[name] = model

    def progress(fraction: float) -> dict[str, Any]:
        clock = model.create_time + fraction * (model.end_time - model.create_time)
        snaps = model.snapshots(clock)
        out: dict[str, Any] = {}
        if snaps:
            out["completedSteps"] = len(snaps)
            out["completedPercent"] = round(100 * len(snaps) / total, 2)
            out["snapshots"] = snaps
        return out

    op = _operations.start(
        ctx.store,
        f"{name}/operations/{ctx.store.new_id(12)}",
        seconds=total * SECONDS_PER_STEP,
        finish=lambda: {
            "@type": "type.googleapis.com/google.ai.generativelanguage.v1beta.TunedModel",
            **model.to_json(model.end_time),
        },
        metadata={"@type": METADATA_TYPE, "totalSteps": total, "tunedModel": name},
        progress_metadata=progress,
    )
    return op.to_json(now)


@serves("tunedModels.get")
async def get(ctx: Ctx) -> dict[str, Any]:
    return find(ctx, ctx.params["name"]).to_json(ctx.now)


@serves("tunedModels.list")
async def list_models(ctx: Ctx) -> dict[str, Any]:
    offset, size = ctx.page(10, 1000)
    now = ctx.now
    with ctx.store.lock:
        models = [m.to_json(now) for m in _live(ctx).values()]
    return paged(models, "tunedModels", offset, size)


_PATCHABLE = {"displayName", "description", "temperature", "topP", "topK"}


@serves("tunedModels.patch")
async def patch(ctx: Ctx) -> dict[str, Any]:
    model = find(ctx, ctx.params["name"])
    body = await ctx.body()
    mask = [p.strip() for p in (ctx.query.get("updateMask") or "").split(",") if p.strip()]
    fields = [re.sub(r"_([a-z])", lambda m: m.group(1).upper(), p) for p in mask] or [
        k for k in body if k in _PATCHABLE
    ]
    bad = [f for f in fields if f not in _PATCHABLE]
    if bad:
        raise EmulatorError(400, f"Cannot update {', '.join(bad)} of a tuned model.")
    for f in fields:
        if f == "displayName":
            model.display_name = str(body.get(f) or "")
        elif f == "description":
            model.description = str(body.get(f) or "")
        elif f in body:
            model.settings[f] = body[f]
    model.update_time = ctx.now
    return model.to_json(ctx.now)


@serves("tunedModels.delete")
async def delete(ctx: Ctx) -> dict[str, Any]:
    model = find(ctx, ctx.params["name"])
    with ctx.store.lock:
        _live(ctx).pop(model.name, None)
    return {}


def _ready(ctx: Ctx) -> tuple[TunedModel, _catalogue.ModelInfo]:
    model = find(ctx, ctx.params["model"])
    if model.state(ctx.now) != "ACTIVE":
        raise EmulatorError(
            400,
            f"Tuned model {model.name} is still being created.",
            rpc_status="FAILED_PRECONDITION",
        )
    info = _catalogue.lookup(model.base_model.removeprefix("models/"))
    assert info is not None
    return model, info


def _generate(
    ctx: Ctx, model: TunedModel, info: _catalogue.ModelInfo, body: dict[str, Any]
) -> dict[str, Any]:
    config = dict(body.get("generationConfig") or {})
    for key, value in model.settings.items():
        config.setdefault(key, value)
    body = {**body, "generationConfig": config}
    scripted = ctx.app.answers.match(body, model.name) or model.answer(body)
    answer = _model.generate(body, info, scripted=scripted)
    answer["modelVersion"] = model.name.removeprefix(f"{NOUN}/")
    return answer


@serves("tunedModels.generateContent")
async def generate(ctx: Ctx) -> dict[str, Any]:
    model, info = _ready(ctx)
    return _generate(ctx, model, info, await ctx.body())


@serves("tunedModels.streamGenerateContent")
async def stream(ctx: Ctx) -> Response:
    model, info = _ready(ctx)
    events = _model.stream_chunks(_generate(ctx, model, info, await ctx.body()))
    return stream_response(
        events,
        sse=ctx.query.get("alt") == "sse",
        fault=ctx.fault,
        delay=ctx.app.options.chunk_delay,
    )
