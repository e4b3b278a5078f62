"""The flows of ``models.generate_images`` (Imagen, ``:predict``) and ``models.generate_videos``
(Veo, ``:predictLongRunning``), written once for both clients (see ``_transport``).

The request shapes are the Gemini API's (WIRE.md §3.12): ``{"instances": [{"prompt", "image",
…}], "parameters": {"sampleCount", "aspectRatio", …}}``; images go as standard base64 in
``bytesBase64Encoded``. Options only Vertex AI has are refused before sending, naming them.
"""

from __future__ import annotations

import base64
import os
from typing import TYPE_CHECKING, Any

from .._convert import model_path
from .._exceptions import InvalidInputError
from .._media import check_image_bytes, image_format
from .._operations import bind
from .._options import coerce_config_as
from .._transport import Call, Reply
from ..types.media import (
    GenerateImagesConfig,
    GenerateImagesResponse,
    GenerateVideosConfig,
    GenerateVideosSource,
)

if TYPE_CHECKING:
    from .._transport import Flow
    from ..types.operations import _OperationData

__all__ = ["generate_images_op", "generate_videos_op", "image_value"]

# Options of the official SDK's configs that only Vertex AI takes.
_VERTEX_ONLY_IMAGES = ("output_gcs_uri", "labels")
_VERTEX_ONLY_VIDEOS = (
    "fps",
    "output_gcs_uri",
    "pubsub_topic",
    "compression_quality",
    "labels",
    "generate_audio",
)


def _enum(value: Any) -> str:
    # google-genai passes enum members (PersonGeneration.ALLOW_ADULT); the API takes the
    # lower-case value ("allow_adult").
    return str(getattr(value, "value", value)).lower()


def _refuse(cfg: Any, names: tuple[str, ...], method: str) -> None:
    used = [n for n in names if getattr(cfg, n, None) is not None]
    if used:
        raise InvalidInputError(
            f"{method}: {', '.join(used)} {'is' if len(used) == 1 else 'are'} only supported on "
            "Vertex AI, not on the Gemini API; leave it out."
        )


def _prompt(prompt: Any, *, required: bool) -> str | None:
    if prompt is None and not required:
        return None
    if not isinstance(prompt, str) or not prompt.strip():
        raise InvalidInputError(
            "prompt must be a non-empty text describing the picture, such as "
            "'a lighthouse at dawn'."
        )
    return prompt


def image_value(image: Any, what: str = "image") -> dict[str, Any]:
    """An image for Imagen/Veo: ``{"bytesBase64Encoded", "mimeType"}``, from an
    :class:`~gemini_nb.types.Image` (or google-genai's), a PIL image, bytes or a Path."""
    import io

    if hasattr(image, "image_bytes"):
        data, mime = image.image_bytes, getattr(image, "mime_type", None)
    elif type(image).__module__.startswith("PIL.") and hasattr(image, "save"):
        buf = io.BytesIO()
        image.save(buf, format="PNG")
        data, mime = buf.getvalue(), "image/png"
    elif isinstance(image, (bytes, bytearray, memoryview)):
        data, mime = bytes(image), None
    elif isinstance(image, os.PathLike):
        from ..types.media import Image

        loaded = Image.from_file(location=image)
        data, mime = loaded.image_bytes, loaded.mime_type
    else:
        raise InvalidInputError(
            f"{what} must be an Image (gemini_nb.types.Image.from_file(path)), a PIL image, "
            f"bytes or a pathlib.Path, not {type(image).__name__}."
        )
    mime = check_image_bytes(data, mime, f"The {what}")
    assert data is not None
    return {
        "bytesBase64Encoded": base64.b64encode(data).decode("ascii"),
        "mimeType": mime or image_format(data),
    }


# ----------------------------------------------------------------------------- Imagen


def _image_parameters(cfg: GenerateImagesConfig) -> dict[str, Any]:
    params: dict[str, Any] = {}
    if cfg.number_of_images is not None:
        if isinstance(cfg.number_of_images, bool) or cfg.number_of_images < 1:
            raise InvalidInputError("number_of_images must be 1 or more (Imagen makes up to 4).")
        params["sampleCount"] = cfg.number_of_images
    simple = {
        "aspect_ratio": "aspectRatio",
        "negative_prompt": "negativePrompt",
        "include_rai_reason": "includeRaiReason",
        "include_safety_attributes": "includeSafetyAttributes",
        "language": "language",
        "seed": "seed",
        "guidance_scale": "guidanceScale",
        "add_watermark": "addWatermark",
        "enhance_prompt": "enhancePrompt",
        "image_size": "sampleImageSize",
    }
    for field, key in simple.items():
        value = getattr(cfg, field)
        if value is not None:
            params[key] = _enum(value) if field == "language" else value
    if cfg.person_generation is not None:
        params["personGeneration"] = _enum(cfg.person_generation)
    if cfg.safety_filter_level is not None:
        params["safetySetting"] = _enum(cfg.safety_filter_level)
    output: dict[str, Any] = {}
    if cfg.output_mime_type is not None:
        output["mimeType"] = cfg.output_mime_type
    if cfg.output_compression_quality is not None:
        output["compressionQuality"] = cfg.output_compression_quality
    if output:
        params["outputOptions"] = output
    return params


def generate_images_op(model: str, prompt: Any, config: Any) -> Flow[GenerateImagesResponse]:
    path = model_path(model)
    text = _prompt(prompt, required=True)
    cfg = coerce_config_as(GenerateImagesConfig, config)
    _refuse(cfg, _VERTEX_ONLY_IMAGES, "generate_images")
    body = {"instances": [{"prompt": text}], "parameters": _image_parameters(cfg)}
    reply: Reply = yield Call("POST", f"{path}:predict", body=body, options=cfg.http_options)
    return reply.model(GenerateImagesResponse)


# ----------------------------------------------------------------------------- Veo


def _video_value(video: Any) -> dict[str, Any]:
    uri = getattr(video, "uri", None)
    if uri:
        return {"uri": uri}
    raise InvalidInputError(
        "To extend a video, pass a video Veo made (its uri, from the operation's result); the "
        "Gemini API does not take video bytes here."
    )


def _source(prompt: Any, image: Any, video: Any, source: Any) -> GenerateVideosSource | None:
    if source is None:
        return None
    if prompt is not None or image is not None or video is not None:
        raise InvalidInputError("Pass source= or prompt=/image=/video=, not both.")
    if isinstance(source, GenerateVideosSource):
        return source
    return coerce_config_as(GenerateVideosSource, source)


def _video_request(
    prompt: Any, image: Any, video: Any, source: Any, config: Any
) -> tuple[dict[str, Any], GenerateVideosConfig]:
    src = _source(prompt, image, video, source)
    if src is not None:
        prompt = src.prompt
        image = src.image if src.image is not None else getattr(source, "image", None)
        video = src.video if src.video is not None else getattr(source, "video", None)
    text = _prompt(prompt, required=image is None and video is None)
    cfg = coerce_config_as(GenerateVideosConfig, config)
    _refuse(cfg, _VERTEX_ONLY_VIDEOS, "generate_videos")
    instance: dict[str, Any] = {}
    if text is not None:
        instance["prompt"] = text
    if image is not None:
        instance["image"] = image_value(image, "image")
    if video is not None:
        instance["video"] = _video_value(video)
    if cfg.last_frame is not None:
        instance["lastFrame"] = image_value(cfg.last_frame, "last_frame")
    if cfg.reference_images:
        instance["referenceImages"] = [
            {
                "image": image_value(ref.image, f"reference_images[{i}]"),
                **({"referenceType": _enum(ref.reference_type)} if ref.reference_type else {}),
            }
            for i, ref in enumerate(cfg.reference_images)
        ]
    params: dict[str, Any] = {}
    for field, key in (
        ("number_of_videos", "sampleCount"),
        ("duration_seconds", "durationSeconds"),
        ("aspect_ratio", "aspectRatio"),
        ("resolution", "resolution"),
        ("negative_prompt", "negativePrompt"),
        ("seed", "seed"),
        ("enhance_prompt", "enhancePrompt"),
    ):
        value = getattr(cfg, field)
        if value is not None:
            params[key] = value
    if cfg.person_generation is not None:
        params["personGeneration"] = _enum(cfg.person_generation)
    return {"instances": [instance], "parameters": params}, cfg


def generate_videos_op(
    model: str,
    prompt: Any,
    image: Any,
    video: Any,
    source: Any,
    config: Any,
    cls: type[_OperationData[Any]],
    client: Any,
) -> Flow[Any]:
    """Start a Veo job; the operation (of ``cls``, bound to ``client`` so it can wait)."""
    path = model_path(model)
    body, cfg = _video_request(prompt, image, video, source, config)
    reply: Reply = yield Call(
        "POST", f"{path}:predictLongRunning", body=body, options=cfg.http_options
    )
    return bind(reply.model(cls), client)
