"""Imagen (``models.predict``) and Veo (``models.predictLongRunning``): pictures and videos.

What the real API does (the Imagen and Veo guides; recorded exchanges in ``ruby_llm``), and so
this backend:

Imagen, ``POST /v1beta/models/imagen-…:predict``
    Body ``{"instances": [{"prompt"}], "parameters": {...}}``; the answer is ``{"predictions":
    [{"mimeType", "bytesBase64Encoded"}, ...]}``, one per image. Parameters: ``sampleCount``
    (1 to 4, default 4; Imagen 4 Ultra makes one), ``aspectRatio`` (``1:1``, ``3:4``, ``4:3``,
    ``9:16``, ``16:9``), ``sampleImageSize`` / ``imageSize`` (``1K``; ``2K`` on Imagen 4 and
    Ultra), ``personGeneration`` (``dont_allow``, ``allow_adult`` (default), ``allow_all``),
    ``safetySetting`` (``block_low_and_above``, ``block_medium_and_above`` (default),
    ``block_only_high``, ``block_none``), ``negativePrompt`` (its words are left out of the
    picture), ``outputOptions.mimeType`` (``image/png`` or ``image/jpeg``) and
    ``compressionQuality``, ``includeRaiReason`` and ``includeSafetyAttributes``; ``seed``,
    ``language``, ``enhancePrompt``, ``addWatermark`` and ``guidanceScale`` are taken. Images
    are drawn from the prompt (:mod:`..model.images`) at the aspect ratio's size.

    Filtering: ``[emulator:safety]`` in the prompt has every other image filtered unless the
    safety setting is ``block_only_high`` or ``block_none``; a prompt about people with
    ``personGeneration: dont_allow`` has all filtered. A filtered image is left out, or with
    ``includeRaiReason`` answered as ``{"raiFilteredReason": "..."}``; when nothing is left the
    answer is ``{}``. ``[emulator:block]`` has the prompt itself refused with the API's 400.
    ``includeSafetyAttributes`` adds ``safetyAttributes`` to each image and a last prediction
    with ``contentType: "Positive Prompt"`` rating the prompt.

Veo, ``POST /v1beta/models/veo-…:predictLongRunning``
    Body ``{"instances": [{"prompt", "image": {"bytesBase64Encoded", "mimeType"}, "lastFrame",
    "referenceImages", "video": {"uri"}}], "parameters": {...}}``; the answer is an operation,
    ``{"name": "models/{model}/operations/{id}"}``, polled with ``GET`` on its name (the
    operations backend). It runs 4 s plus half a second per second of video on the emulator's
    clock (``--clock-speed`` makes it quicker), answering ``{"name"}`` until then (as recorded)
    and at the end ``{"name", "done": true, "response": {"@type": "….PredictLongRunningResponse",
    "generateVideoResponse": {"generatedSamples": [{"video": {"uri": "…/files/{id}:download?alt=
    media"}}]}}}``: each video is a GENERATED file (kept 2 days, as on the API), downloaded
    through the files backend's 302. Parameters: ``aspectRatio`` (``16:9`` default, ``9:16``),
    ``durationSeconds`` (4, 6 or 8; Veo 2: 5 to 8; default 8), ``resolution`` (``720p``
    default, ``1080p`` for 8-second videos; Veo 2: 720p), ``personGeneration`` (Veo 3: text to
    video ``allow_all``, image to video ``allow_adult``; Veo 2: ``dont_allow`` or
    ``allow_adult``), ``negativePrompt``, ``sampleCount`` / ``numberOfVideos`` (Veo 2: up to 2),
    ``seed``, ``enhancePrompt``. An ``image`` is the first frame; ``video.uri`` naming a video
    this emulator made continues it from its last frame. Videos are drawn by
    :mod:`..model.video`: real H.264 MP4, 24 frames a second, sound on Veo 3 models.

    ``[emulator:fail]`` in the prompt ends the operation with an ``error`` (code 13);
    ``[emulator:block]`` ends it with ``raiMediaFilteredCount`` and ``raiMediaFilteredReasons``
    and no video.

Bad parameter values get 400 INVALID_ARGUMENT naming the accepted values; an image that is not
an image gets the API's ``Request contains an invalid argument.``
"""

from __future__ import annotations

import asyncio
import base64
import re
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from ..model import images as _images
from ..model.hashing import digest
from ..model.media import decode_base64
from ..wire.errors import EmulatorError
from ..wire.routing import Ctx, serves
from . import catalogue as _catalogue
from .files import add_generated_file, find_file
from .models import model_info
from .operations import start as start_operation

__all__ = ["video_seconds"]

_TRIGGERS = re.compile(r"\[emulator:(block|safety|fail)\]", re.IGNORECASE)
_PEOPLE = frozenset(
    {
        "person",
        "people",
        "man",
        "men",
        "woman",
        "women",
        "child",
        "children",
        "kid",
        "kids",
        "boy",
        "boys",
        "girl",
        "girls",
        "crowd",
        "family",
        "baby",
        "babies",
        "face",
        "faces",
        "portrait",
        "teenager",
        "adult",
        "adults",
    }
)
_SAFETY_LEVELS = ("block_low_and_above", "block_medium_and_above", "block_only_high", "block_none")
_IMAGE_TYPES = ("image/png", "image/jpeg")
_RESPONSE_TYPE = (
    "type.googleapis.com/google.ai.generativelanguage.v1beta.PredictLongRunningResponse"
)

# The wording of the API's Responsible AI messages.
PROMPT_BLOCKED = (
    "Image generation failed with the following error: The prompt could not be submitted. "
    "This prompt contains sensitive words that violate Google's Responsible AI practices. Try "
    "rephrasing the prompt. If you think this was an error, send feedback. Support codes: "
    "42876398"
)
IMAGE_FILTERED = (
    "Unable to show generated images. All images were filtered out because they violated "
    "Google's Responsible AI practices. You will not be charged for blocked images. Try "
    "rephrasing the prompt. If you think this was an error, send feedback. Support codes: "
    "39322892"
)
PEOPLE_FILTERED = (
    "Unable to show generated images. All images were filtered out because they contained "
    "people, which your person generation setting (dont_allow) does not allow. You will not be "
    "charged for blocked images. Try rephrasing the prompt or change the setting. Support "
    "codes: 58061214"
)
VIDEO_FILTERED = (
    "Unable to generate videos because the prompt violates Google's Responsible AI practices. "
    "You have not been charged. Try rephrasing the prompt. Support codes: 29310472"
)
VIDEO_FAILED = (
    "Video generation failed because of an internal error. You have not been charged. Try "
    "again later."
)

_WORKERS = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gemini-nb-veo")
_WORKERS_LOCK = threading.Lock()


def _bad(message: str) -> EmulatorError:
    return EmulatorError(400, message)


def _one_of(name: str, value: Any, allowed: tuple[Any, ...]) -> EmulatorError:
    shown = ", ".join(str(a) for a in allowed)
    return _bad(f"{name} {value} is not supported by this model; supported values are: {shown}.")


def _instance(body: dict[str, Any]) -> dict[str, Any]:
    instances = body.get("instances")
    if not isinstance(instances, list) or not instances:
        raise _bad("* PredictRequest.instances: instances is required and must not be empty.\n")
    if len(instances) > 1:
        raise _bad(f"Only one instance is supported per request, got {len(instances)}.")
    first = instances[0]
    if not isinstance(first, dict):
        raise _bad("Each instance must be an object with a prompt.")
    return first


def _parameters(body: dict[str, Any]) -> dict[str, Any]:
    params = body.get("parameters")
    if params is None:
        return {}
    if not isinstance(params, dict):
        raise _bad("parameters must be an object.")
    return params


def _int(name: str, value: Any) -> int:
    try:
        number = int(str(value))
    except ValueError:
        raise _bad(f"{name} must be a whole number, got {value!r}.") from None
    return number


def _spec(info: _catalogue.ModelInfo) -> _catalogue.MediaSpec:
    assert info.media is not None
    return info.media


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z]+", text.lower()))


# ----------------------------------------------------------------------------------- Imagen


@serves("models.predict")
async def predict(ctx: Ctx) -> dict[str, Any]:
    info = model_info(ctx, "predict")
    spec = _spec(info)
    body = await ctx.body()
    instance = _instance(body)
    raw_prompt = instance.get("prompt")
    if not isinstance(raw_prompt, str) or not raw_prompt.strip():
        raise _bad("A prompt is required: instances[0].prompt is empty.")
    triggers = {t.lower() for t in _TRIGGERS.findall(raw_prompt)}
    prompt = _TRIGGERS.sub("", raw_prompt).strip()
    params = _parameters(body)
    count = _int("sampleCount", params.get("sampleCount", spec.default_count))
    if not 1 <= count <= spec.max_count:
        raise _bad(
            f"sampleCount must be between 1 and {spec.max_count} for {info.name}, got {count}."
        )
    aspect = str(params.get("aspectRatio", spec.default_aspect))
    if aspect not in spec.aspect_ratios:
        raise _one_of("Aspect ratio", aspect, spec.aspect_ratios)
    size = str(params.get("sampleImageSize") or params.get("imageSize") or spec.default_size)
    if size not in spec.sizes:
        raise _one_of("Image size", size, spec.sizes)
    person = str(params.get("personGeneration", "allow_adult")).lower()
    if person not in spec.person_generation:
        raise _one_of("personGeneration", person, spec.person_generation)
    safety = str(params.get("safetySetting", "block_medium_and_above")).lower()
    if safety not in _SAFETY_LEVELS:
        raise _one_of("safetySetting", safety, _SAFETY_LEVELS)
    output = params.get("outputOptions") or {}
    mime = str(output.get("mimeType") or params.get("mimeType") or "image/png")
    if mime not in _IMAGE_TYPES:
        raise _one_of("outputOptions.mimeType", mime, _IMAGE_TYPES)
    quality = _int("compressionQuality", output.get("compressionQuality", 75))
    if "block" in triggers:
        raise _bad(PROMPT_BLOCKED)
    negative = str(params.get("negativePrompt") or "")
    width, height = spec.dimensions(aspect, size)
    seed = params.get("seed", "")

    def draw_all() -> list[bytes]:
        return [
            _images.encode(
                _images.draw(
                    _images.scene_for(prompt, (seed, i), negative=negative), width, height
                ),
                mime,
                quality,
            )
            for i in range(count)
        ]

    pictures = await asyncio.to_thread(draw_all)
    filtered: dict[int, str] = {}
    if person == "dont_allow" and _words(prompt) & _PEOPLE:
        filtered = dict.fromkeys(range(count), PEOPLE_FILTERED)
    elif "safety" in triggers and safety not in ("block_only_high", "block_none"):
        filtered = {i: IMAGE_FILTERED for i in range(count) if i % 2 == 0}
    predictions: list[dict[str, Any]] = []
    include_reason = bool(params.get("includeRaiReason"))
    include_safety = bool(params.get("includeSafetyAttributes"))
    for i, data in enumerate(pictures):
        if i in filtered:
            if include_reason:
                predictions.append({"raiFilteredReason": filtered[i]})
            continue
        item: dict[str, Any] = {
            "mimeType": mime,
            "bytesBase64Encoded": base64.b64encode(data).decode("ascii"),
        }
        if include_safety:
            item["safetyAttributes"] = _safety_attributes(prompt, i)
        predictions.append(item)
    if include_safety and predictions:
        predictions.append(
            {"contentType": "Positive Prompt", "safetyAttributes": _safety_attributes(prompt, -1)}
        )
    return {"predictions": predictions} if predictions else {}


_SAFETY_CATEGORIES = (
    "Death, Harm & Tragedy",
    "Firearms & Weapons",
    "Hate",
    "Health",
    "Illicit Drugs",
    "Politics",
    "Porn",
    "Religion & Belief",
    "Toxic",
    "Violence",
    "Vulgarity",
    "War & Conflict",
)


def _safety_attributes(prompt: str, index: int) -> dict[str, Any]:
    h = digest("imagen-safety", prompt, index)
    picked = sorted({h[i] % len(_SAFETY_CATEGORIES) for i in range(3)})
    return {
        "categories": [_SAFETY_CATEGORIES[p] for p in picked],
        "scores": [round(h[10 + n] / 255 * 0.2, 2) for n in range(len(picked))],
    }


# ----------------------------------------------------------------------------------- Veo


def video_seconds(duration: int, count: int = 1) -> float:
    """How long a Veo operation runs on the emulator's clock."""
    return 4.0 + 0.5 * duration * count


def _image_of(value: Any, what: str) -> tuple[bytes, str]:
    if not isinstance(value, dict):
        raise _bad(f"{what} must be an object with bytesBase64Encoded and mimeType.")
    encoded = value.get("bytesBase64Encoded") or value.get("imageBytes")
    if not encoded:
        raise _bad(f"{what}.bytesBase64Encoded is required (the image's bytes, base64).")
    return decode_base64(str(encoded)), str(value.get("mimeType") or "")


def _picture(value: Any, what: str, index: int) -> Any:
    data, _mime = _image_of(value, what)
    picture = _images.decode_image(data)
    if picture is None:
        raise _images.unreadable_image(index)
    return picture


@serves("models.predictLongRunning")
async def predict_long_running(ctx: Ctx) -> dict[str, Any]:
    info = model_info(ctx, "predictLongRunning")
    spec = _spec(info)
    body = await ctx.body()
    instance = _instance(body)
    raw_prompt = str(instance.get("prompt") or "")
    triggers = {t.lower() for t in _TRIGGERS.findall(raw_prompt)}
    prompt = _TRIGGERS.sub("", raw_prompt).strip()
    first = _picture(instance["image"], "instances[0].image", 0) if instance.get("image") else None
    if instance.get("lastFrame"):
        _picture(instance["lastFrame"], "instances[0].lastFrame", 1)
    for n, ref in enumerate(instance.get("referenceImages") or []):
        _picture((ref or {}).get("image"), f"instances[0].referenceImages[{n}].image", n + 1)
    if instance.get("video"):
        first = _continued_from(ctx, instance["video"])
    if not prompt and first is None:
        raise _bad("A prompt or an image is required: instances[0] has neither.")
    params = _parameters(body)
    aspect = str(params.get("aspectRatio", spec.default_aspect))
    if aspect not in spec.aspect_ratios:
        raise _one_of("Aspect ratio", aspect, spec.aspect_ratios)
    duration = _int("durationSeconds", params.get("durationSeconds", spec.default_duration))
    if duration not in spec.durations:
        raise _one_of("durationSeconds", duration, spec.durations)
    resolution = str(params.get("resolution", spec.default_size)).lower()
    if resolution not in spec.sizes:
        raise _one_of("Resolution", resolution, spec.sizes)
    if resolution == "1080p" and duration != 8:
        raise _bad("Resolution 1080p is only supported with durationSeconds 8.")
    default_person = (
        "allow_adult"
        if first is not None or "dont_allow" in spec.person_generation
        else "allow_all"
    )
    person = str(params.get("personGeneration", default_person)).lower()
    allowed = (
        ("allow_adult",)
        if first is not None and "allow_all" in spec.person_generation
        else spec.person_generation
    )
    if person not in allowed:
        raise _one_of("personGeneration", person, allowed)
    count = _int("sampleCount", params.get("sampleCount", params.get("numberOfVideos", 1)))
    if not 1 <= count <= spec.max_count:
        raise _bad(
            f"sampleCount must be between 1 and {spec.max_count} for {info.name}, got {count}."
        )
    width, height = spec.dimensions(aspect, resolution)
    negative = str(params.get("negativePrompt") or "")
    seed = params.get("seed", "")
    base = str(ctx.request.base_url).rstrip("/")
    version = ctx.version
    store = ctx.store
    name = f"models/{info.name}/operations/{store.new_id(12)}"

    def render() -> list[bytes]:
        from ..model.video import render_video

        return [
            render_video(
                _images.scene_for(prompt, (seed, i), negative=negative),
                width,
                height,
                duration,
                first_frame=first,
                audio=spec.audio,
            )
            for i in range(count)
        ]

    job: Future[list[bytes]] | None = None
    if not triggers & {"fail", "block"}:
        with _WORKERS_LOCK:
            job = _WORKERS.submit(render)

    def finish() -> dict[str, Any]:
        if "fail" in triggers:
            # Operation errors carry a google.rpc code: 13 is INTERNAL.
            raise EmulatorError(13, VIDEO_FAILED, rpc_status="INTERNAL")
        if "block" in triggers:
            return {
                "@type": _RESPONSE_TYPE,
                "generateVideoResponse": {
                    "raiMediaFilteredCount": count,
                    "raiMediaFilteredReasons": [VIDEO_FILTERED],
                },
            }
        assert job is not None
        try:
            videos = job.result(timeout=600)
        except EmulatorError as err:
            raise EmulatorError(13, err.message, rpc_status="INTERNAL") from None
        samples = []
        for data in videos:
            stored = add_generated_file(store, data, "video/mp4", version=version)
            samples.append({"video": {"uri": f"{base}/{version}/{stored.name}:download?alt=media"}})
        return {"@type": _RESPONSE_TYPE, "generateVideoResponse": {"generatedSamples": samples}}

    start_operation(store, name, seconds=video_seconds(duration, count), finish=finish)
    return {"name": name}


_VIDEO_URI = re.compile(r"/files/(?P<id>[a-z0-9-]+)(?::download)?(?:\?.*)?$")


def _continued_from(ctx: Ctx, video: Any) -> Any:
    """The last frame of a video this emulator made (video extension), as a picture."""
    uri = str((video or {}).get("uri") or "") if isinstance(video, dict) else ""
    m = _VIDEO_URI.search(uri)
    if m is None:
        raise _bad(
            "instances[0].video.uri must be the uri of a video Veo generated "
            "(…/files/{id}:download?alt=media)."
        )
    stored = find_file(ctx.store, m["id"])
    if stored.blob_key is None or not stored.mime_type.startswith("video/"):
        raise _bad(f"File {stored.id} is not a generated video.")
    from ..model.video import last_frame

    return last_frame(ctx.store.blob_path(stored.blob_key).read_bytes())
