"""Pictures, videos and sound: Imagen and Veo requests and results, and the media objects.

Names and shapes are the official SDK's: ``client.models.generate_images(...)`` answers a
:class:`GenerateImagesResponse` whose ``generated_images[i].image.image_bytes`` are the
picture; ``client.models.generate_videos(...)`` answers a :class:`GenerateVideosOperation`
whose result's ``generated_videos[i].video`` is fetched with ``client.files.download``.

>>> r = client.models.generate_images(model="imagen-4.0-generate-001", prompt="A red kite")  # doctest: +SKIP
>>> r.generated_images[0].image.save("kite.png")  # doctest: +SKIP

:class:`Image`, :class:`Video` and :class:`Audio` save themselves (``.save(path)``), show
themselves in a notebook (a picture, a player), and an Image becomes a PIL image on request
(``.to_pil()``). :class:`Audio` turns the raw PCM the speech models send
(``audio/L16;codec=pcm;rate=24000``) into a WAV file.
"""

from __future__ import annotations

import mimetypes
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import model_validator

from ._base import Base64Bytes, ResponseModel, WireModel
from .http import HttpOptions
from .operations import AsyncOperation, Operation

if TYPE_CHECKING:
    from PIL import Image as PILImage

__all__ = [
    "AsyncGenerateVideosOperation",
    "Audio",
    "GenerateImagesConfig",
    "GenerateImagesResponse",
    "GenerateVideosConfig",
    "GenerateVideosOperation",
    "GenerateVideosResponse",
    "GenerateVideosSource",
    "GeneratedImage",
    "GeneratedVideo",
    "Image",
    "SafetyAttributes",
    "Video",
    "VideoGenerationReferenceImage",
]


def _bundle(obj: Any, include: Any, maker: str, arg: Any) -> dict[str, str]:
    """A media object's mimebundle; only its text when HTML is not wanted (a terminal), so no
    thumbnail is made and nothing is written to the media folder."""
    if include is not None and "text/html" not in include:
        return {"text/plain": repr(obj)}
    from ..notebook import _render_media

    bundle: dict[str, str] = getattr(_render_media, maker)(arg)
    return bundle


def _size(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 1_000_000 else f"{n / 1000:.0f} kB"


class Image(WireModel):
    """A picture: its bytes and MIME type (or, on Vertex only, a Cloud Storage URI).

    >>> Image.from_file(location="cat.png").save("copy.jpg")  # doctest: +SKIP
    """

    gcs_uri: str | None = None
    image_bytes: Base64Bytes | None = None
    mime_type: str | None = None

    @classmethod
    def from_file(cls, *, location: str | os.PathLike[str], mime_type: str | None = None) -> Image:
        """An Image from a local file (its type from the bytes or the name)."""
        from .._exceptions import InvalidInputError
        from .._media import image_format

        path = Path(location).expanduser()
        if not path.is_file():
            raise InvalidInputError(f"No such image file: {str(path)!r}.")
        data = path.read_bytes()
        return cls(
            image_bytes=data,
            mime_type=mime_type or image_format(data) or mimetypes.guess_type(path)[0],
        )

    @property
    def size(self) -> tuple[int, int] | None:
        """(width, height) in pixels, read from the file header; None if unknown."""
        from .._media import image_dimensions

        return image_dimensions(self.image_bytes) if self.image_bytes else None

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the picture to ``path`` (converted if the suffix names another format:
        ``.jpg``, ``.png``, ``.webp``); returns the Path."""
        from .._exceptions import InvalidInputError
        from .._media import save_image

        if not self.image_bytes:
            raise InvalidInputError(
                "This Image has no bytes to save"
                + (f" (it is at {self.gcs_uri})." if self.gcs_uri else ".")
            )
        return save_image(self.image_bytes, self.mime_type, path)

    def to_pil(self) -> PILImage.Image:
        """The picture as a PIL image (needs Pillow, in the ``notebook`` extra)."""
        from .._exceptions import InvalidInputError
        from .._media import to_pil

        if not self.image_bytes:
            raise InvalidInputError("This Image has no bytes.")
        return to_pil(self.image_bytes)

    def show(self) -> None:
        """Display the picture in a notebook."""
        from IPython.display import display

        display(self)  # type: ignore[no-untyped-call]

    def __repr__(self) -> str:
        if self.image_bytes is None:
            return f"Image(gcs_uri={self.gcs_uri!r})"
        dims = self.size
        shown = f", {dims[0]}×{dims[1]}" if dims else ""
        return f"Image({self.mime_type or 'image'}{shown}, {_size(len(self.image_bytes))})"

    __str__ = __repr__

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        return _bundle(self, include, "image_bundle", self)


class SafetyAttributes(WireModel):
    """Imagen's safety scores of a picture or of the prompt (``content_type``)."""

    categories: list[str] | None = None
    scores: list[float] | None = None
    content_type: str | None = None


class GeneratedImage(WireModel):
    """One picture Imagen made, or why it was filtered out (``rai_filtered_reason``)."""

    image: Image | None = None
    rai_filtered_reason: str | None = None
    safety_attributes: SafetyAttributes | None = None
    enhanced_prompt: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_prediction(cls, data: Any) -> Any:
        # A prediction on the wire: {"bytesBase64Encoded", "mimeType", "raiFilteredReason",
        # "safetyAttributes", "prompt"}.
        if not isinstance(data, dict) or not (
            {"bytesBase64Encoded", "raiFilteredReason", "contentType"} & data.keys()
        ):
            return data
        out: dict[str, Any] = {}
        if data.get("bytesBase64Encoded"):
            out["image"] = {
                "imageBytes": data["bytesBase64Encoded"],
                "mimeType": data.get("mimeType"),
            }
        if data.get("raiFilteredReason"):
            out["raiFilteredReason"] = data["raiFilteredReason"]
        if data.get("safetyAttributes") or data.get("contentType"):
            out["safetyAttributes"] = {
                **(data.get("safetyAttributes") or {}),
                "contentType": data.get("contentType"),
            }
        if data.get("prompt"):
            out["enhancedPrompt"] = data["prompt"]
        return out

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        return _bundle(self, include, "images_bundle", [self])


class GenerateImagesConfig(WireModel):
    """Options of ``generate_images`` (Imagen), as google-genai's ``GenerateImagesConfig``.

    ``number_of_images`` 1 to 4; ``aspect_ratio`` ``"1:1"``, ``"3:4"``, ``"4:3"``,
    ``"9:16"``, ``"16:9"``; ``image_size`` ``"1K"`` or ``"2K"``; ``person_generation``
    ``"DONT_ALLOW"``, ``"ALLOW_ADULT"``, ``"ALLOW_ALL"``; ``safety_filter_level``
    ``"BLOCK_LOW_AND_ABOVE"`` … ``"BLOCK_NONE"``; ``include_rai_reason`` says why a picture
    was filtered out.
    """

    number_of_images: int | None = None
    aspect_ratio: str | None = None
    image_size: str | None = None
    negative_prompt: str | None = None
    person_generation: str | None = None
    safety_filter_level: str | None = None
    include_rai_reason: bool | None = None
    include_safety_attributes: bool | None = None
    output_mime_type: str | None = None
    output_compression_quality: int | None = None
    language: str | None = None
    seed: int | None = None
    guidance_scale: float | None = None
    add_watermark: bool | None = None
    enhance_prompt: bool | None = None
    output_gcs_uri: str | None = None
    labels: dict[str, str] | None = None
    http_options: HttpOptions | None = None


class GenerateImagesResponse(ResponseModel):
    """Imagen's answer: the pictures (``generated_images``), filtered ones with their reason.

    >>> r.images[0].save("first.png")  # doctest: +SKIP
    >>> r.filtered_reasons             # why pictures were left out  # doctest: +SKIP
    """

    generated_images: list[GeneratedImage] = []
    positive_prompt_safety_attributes: SafetyAttributes | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_predictions(cls, data: Any) -> Any:
        if not isinstance(data, dict) or ("predictions" not in data and data):
            return data
        images: list[Any] = []
        prompt_attributes = None
        for item in data.get("predictions") or []:
            if isinstance(item, dict) and item.get("contentType") == "Positive Prompt":
                prompt_attributes = {
                    **(item.get("safetyAttributes") or {}),
                    "contentType": "Positive Prompt",
                }
            else:
                images.append(item)
        out: dict[str, Any] = {"generatedImages": images}
        if prompt_attributes is not None:
            out["positivePromptSafetyAttributes"] = prompt_attributes
        return out

    @property
    def images(self) -> list[Image]:
        """The pictures that were not filtered out."""
        return [g.image for g in self.generated_images if g.image is not None]

    @property
    def filtered_reasons(self) -> list[str]:
        """Why pictures were filtered out (with ``include_rai_reason=True``)."""
        return [g.rai_filtered_reason for g in self.generated_images if g.rai_filtered_reason]

    def __repr__(self) -> str:
        extra = f", {len(self.filtered_reasons)} filtered" if self.filtered_reasons else ""
        return f"GenerateImagesResponse({len(self.images)} images{extra})"

    __str__ = __repr__

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        return _bundle(self, include, "images_bundle", self.generated_images)


class Video(WireModel):
    """A video: its URI (a generated file's download URL), its bytes once downloaded, its type.

    ``client.files.download(file=video)`` fetches the bytes into ``video_bytes``.
    """

    uri: str | None = None
    video_bytes: Base64Bytes | None = None
    mime_type: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_wire(cls, data: Any) -> Any:
        # Veo answers {"uri"} or {"encodedVideo", "encoding"}.
        if isinstance(data, dict) and ("encodedVideo" in data or "encoding" in data):
            data = dict(data)
            if "encodedVideo" in data:
                data["videoBytes"] = data.pop("encodedVideo")
            if "encoding" in data:
                data["mimeType"] = data.pop("encoding")
        return data

    @classmethod
    def from_file(cls, *, location: str | os.PathLike[str], mime_type: str | None = None) -> Video:
        from .._exceptions import InvalidInputError

        path = Path(location).expanduser()
        if not path.is_file():
            raise InvalidInputError(f"No such video file: {str(path)!r}.")
        return cls(
            video_bytes=path.read_bytes(),
            mime_type=mime_type or mimetypes.guess_type(path)[0] or "video/mp4",
        )

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the video to ``path``; it must have been downloaded first."""
        from .._exceptions import InvalidInputError
        from .._media import save_bytes

        if not self.video_bytes:
            raise InvalidInputError(
                "This video has not been downloaded yet: call client.files.download(file=video) "
                "first (it fills video_bytes), then save."
            )
        return save_bytes(self.video_bytes, path, "the video")

    def show(self) -> None:
        from IPython.display import display

        display(self)  # type: ignore[no-untyped-call]

    def __repr__(self) -> str:
        if self.video_bytes:
            return f"Video({self.mime_type or 'video/mp4'}, {_size(len(self.video_bytes))})"
        return f"Video(uri={self.uri!r}, not downloaded)"

    __str__ = __repr__

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        return _bundle(self, include, "video_bundle", self)


class GeneratedVideo(WireModel):
    video: Video | None = None


class VideoGenerationReferenceImage(WireModel):
    """A picture Veo keeps the look of (``reference_type`` ``"ASSET"`` or ``"STYLE"``)."""

    image: Image | None = None
    reference_type: str | None = None


class GenerateVideosSource(WireModel):
    """What a video starts from: a prompt, an image (its first frame), or a video to extend."""

    prompt: str | None = None
    image: Image | None = None
    video: Video | None = None


class GenerateVideosConfig(WireModel):
    """Options of ``generate_videos`` (Veo), as google-genai's ``GenerateVideosConfig``.

    ``aspect_ratio`` ``"16:9"`` or ``"9:16"``; ``duration_seconds`` 4, 6 or 8 (Veo 2: 5-8);
    ``resolution`` ``"720p"`` or ``"1080p"`` (8-second videos); ``person_generation``
    ``"allow_all"`` (text to video) or ``"allow_adult"`` (image to video);
    ``number_of_videos`` (Veo 2: up to 2); ``last_frame`` and ``reference_images`` (Veo 3.1).
    """

    number_of_videos: int | None = None
    duration_seconds: int | None = None
    aspect_ratio: str | None = None
    resolution: str | None = None
    person_generation: str | None = None
    negative_prompt: str | None = None
    seed: int | None = None
    enhance_prompt: bool | None = None
    last_frame: Image | None = None
    reference_images: list[VideoGenerationReferenceImage] | None = None
    generate_audio: bool | None = None
    fps: int | None = None
    output_gcs_uri: str | None = None
    pubsub_topic: str | None = None
    compression_quality: str | None = None
    labels: dict[str, str] | None = None
    http_options: HttpOptions | None = None


class GenerateVideosResponse(WireModel):
    """Veo's result: the videos (``generated_videos``), or how many were filtered and why."""

    generated_videos: list[GeneratedVideo] = []
    rai_media_filtered_count: int | None = None
    rai_media_filtered_reasons: list[str] | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_wire(cls, data: Any) -> Any:
        # The operation's response: {"@type", "generateVideoResponse": {"generatedSamples"…}}.
        if not isinstance(data, dict):
            return data
        inner = data.get("generateVideoResponse", data)
        if not isinstance(inner, dict):
            return data
        out = {k: v for k, v in inner.items() if k != "generatedSamples"}
        if "generatedSamples" in inner:
            out["generatedVideos"] = inner["generatedSamples"]
        out.pop("@type", None)
        return out

    @property
    def videos(self) -> list[Video]:
        return [g.video for g in self.generated_videos if g.video is not None]

    def __repr__(self) -> str:
        filtered = (
            f", {self.rai_media_filtered_count} filtered" if self.rai_media_filtered_count else ""
        )
        return f"GenerateVideosResponse({len(self.videos)} videos{filtered})"

    __str__ = __repr__

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        return _bundle(self, include, "videos_bundle", self)


class GenerateVideosOperation(Operation[GenerateVideosResponse]):
    """A Veo job: ``wait()`` returns the :class:`GenerateVideosResponse` (``.result`` too)."""


class AsyncGenerateVideosOperation(AsyncOperation[GenerateVideosResponse]):
    """The async twin of :class:`GenerateVideosOperation`."""


class Audio:
    """Sound from the API: raw PCM with its layout in the MIME type, or a container (WAV…).

    >>> r.audio.save("answer.wav"); r.audio.duration  # doctest: +SKIP
    """

    __slots__ = ("data", "mime_type")

    def __init__(self, data: bytes, mime_type: str) -> None:
        self.data = bytes(data)
        self.mime_type = mime_type

    @property
    def is_pcm(self) -> bool:
        from .._media import pcm_format

        return pcm_format(self.mime_type) is not None

    @property
    def sample_rate(self) -> int | None:
        from .._media import pcm_format

        fmt = pcm_format(self.mime_type)
        return fmt.rate if fmt is not None else None

    @property
    def wav(self) -> bytes:
        """The sound as a WAV file's bytes (PCM is wrapped; WAV is returned as it is)."""
        from .._exceptions import InvalidInputError
        from .._media import pcm_format, pcm_to_wav

        fmt = pcm_format(self.mime_type)
        if fmt is not None:
            return pcm_to_wav(self.data, fmt)
        if self.data[:4] == b"RIFF":
            return self.data
        raise InvalidInputError(
            f"{self.mime_type} audio cannot be turned into WAV here; save it with its own suffix."
        )

    @property
    def duration(self) -> float | None:
        """Seconds of sound (None when the format does not tell)."""
        from .._media import pcm_format, wav_duration

        fmt = pcm_format(self.mime_type)
        if fmt is not None:
            return len(self.data) / fmt.byte_rate
        return wav_duration(self.data)

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the sound: ``.wav`` as a WAV file, ``.pcm``/``.raw`` as the raw samples."""
        from .._exceptions import InvalidInputError
        from .._media import save_bytes

        suffix = Path(path).suffix.lower()
        if suffix in (".pcm", ".raw") and self.is_pcm:
            return save_bytes(self.data, path, "the audio")
        if suffix == ".wav" or (not suffix and self.is_pcm):
            return save_bytes(self.wav, path, "the audio")
        if not self.is_pcm:
            return save_bytes(self.data, path, "the audio")
        raise InvalidInputError(
            f"Save speech as .wav (or .pcm for the raw samples), not {suffix!r}."
        )

    def __repr__(self) -> str:
        seconds = self.duration
        shown = f", {seconds:.1f} s" if seconds is not None else ""
        return f"Audio({self.mime_type}{shown})"

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        return _bundle(self, include, "audio_bundle", self)
