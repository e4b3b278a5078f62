"""Media bytes on the client: WAV from the PCM the API speaks, saving to files, PIL images,
and checking that bytes handed over as an image are one.

Nothing here imports Pillow until a PIL image is asked for (``to_pil``) or a picture must be
converted to the format a file name asks for; ``import gemini_nb`` stays light.
"""

from __future__ import annotations

import os
import re
import struct
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._exceptions import InvalidInputError

if TYPE_CHECKING:
    from PIL import Image as PILImage

__all__ = [
    "PcmFormat",
    "check_image_bytes",
    "image_dimensions",
    "image_format",
    "media_part",
    "pcm_format",
    "pcm_to_wav",
    "save_bytes",
    "save_image",
    "to_pil",
    "wav_duration",
]

_IMAGE_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)
_SUFFIX_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
    ".gif": "image/gif",
}
_PIL_FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG", "image/webp": "WEBP", "image/gif": "GIF"}


def image_format(data: bytes) -> str | None:
    """The image type the bytes announce (``image/png``…), or None."""
    for signature, mime in _IMAGE_SIGNATURES:
        if data.startswith(signature):
            return mime
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1"):
        return "image/heic"
    return None


def image_dimensions(data: bytes) -> tuple[int, int] | None:
    """(width, height) from a PNG, GIF, JPEG or WebP header; None if unknown."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        w, h = struct.unpack(">II", data[16:24])
        return int(w), int(h)
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        w, h = struct.unpack("<HH", data[6:10])
        return int(w), int(h)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP" and len(data) >= 30:
        kind = data[12:16]
        if kind == b"VP8X":
            return (
                int.from_bytes(data[24:27], "little") + 1,
                int.from_bytes(data[27:30], "little") + 1,
            )
        if kind == b"VP8 ":
            w, h = struct.unpack("<HH", data[26:30])
            return int(w) & 0x3FFF, int(h) & 0x3FFF
        if kind == b"VP8L":
            bits = int.from_bytes(data[21:25], "little")
            return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
        return None
    if data.startswith(b"\xff\xd8"):
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                i += 1
                continue
            marker = data[i + 1]
            if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
                i += 2
                continue
            length = struct.unpack(">H", data[i + 2 : i + 4])[0]
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                h, w = struct.unpack(">HH", data[i + 5 : i + 9])
                return int(w), int(h)
            i += 2 + length
    return None


def check_image_bytes(data: bytes | None, mime_type: str | None, what: str = "The image") -> str:
    """The image's MIME type, after checking that ``data`` is an image of a type the API
    reads; :class:`InvalidInputError` saying what is wrong otherwise."""
    if not data:
        raise InvalidInputError(
            f"{what} has no bytes; load one with Image.from_file(path) or pass image_bytes=."
        )
    found = image_format(data)
    if found is None:
        head = data[:8]
        raise InvalidInputError(
            f"{what} is not an image: its {len(data)} bytes start {head!r}, which is no PNG, "
            "JPEG, WebP, HEIC or GIF. Pass the picture's own bytes (Image.from_file(path))."
        )
    if (
        mime_type
        and mime_type.split(";")[0].strip().lower() != found
        and not (found == "image/heic" and mime_type.lower() == "image/heif")
    ):
        raise InvalidInputError(
            f"{what} says it is {mime_type} but its bytes are {found}; pass "
            f"mime_type={found!r} (or leave it out)."
        )
    return mime_type or found


def media_part(obj: Any) -> dict[str, Any]:
    """An :class:`~gemini_nb.types.Image` or :class:`~gemini_nb.types.Video` (ours or the
    official SDK's) as an inline-data part of a prompt."""
    import base64

    image_bytes = getattr(obj, "image_bytes", None)
    if hasattr(obj, "image_bytes"):
        if image_bytes is None and getattr(obj, "gcs_uri", None):
            raise InvalidInputError(
                "Images on Cloud Storage (gcs_uri) cannot be sent to the "
                "Gemini API; load the bytes with Image.from_file."
            )
        mime = check_image_bytes(image_bytes, getattr(obj, "mime_type", None))
        data = image_bytes
    else:
        data = getattr(obj, "video_bytes", None)
        mime = getattr(obj, "mime_type", None) or "video/mp4"
        if not data:
            uri = getattr(obj, "uri", None)
            if uri:
                return {"fileData": {"fileUri": uri, "mimeType": mime}}
            raise InvalidInputError("The video has neither bytes nor a uri.")
    assert data is not None
    return {"inlineData": {"mimeType": mime, "data": base64.b64encode(data).decode("ascii")}}


# ------------------------------------------------------------------------------- audio


class PcmFormat:
    """Raw PCM's layout: rate (Hz), channels, bytes per sample."""

    __slots__ = ("channels", "rate", "width")

    def __init__(self, rate: int = 24_000, channels: int = 1, width: int = 2) -> None:
        self.rate, self.channels, self.width = rate, channels, width

    @property
    def byte_rate(self) -> int:
        return self.rate * self.channels * self.width


def pcm_format(mime_type: str) -> PcmFormat | None:
    """The layout of raw PCM announced as ``audio/L16;codec=pcm;rate=24000`` or
    ``audio/pcm;rate=16000``; None for containers (WAV, MP3…)."""
    base = mime_type.split(";", 1)[0].strip().lower()
    if base not in ("audio/l16", "audio/pcm", "audio/raw"):
        return None
    rate = re.search(r"rate=(\d+)", mime_type)
    channels = re.search(r"channels=(\d+)", mime_type)
    return PcmFormat(
        int(rate.group(1)) if rate else 24_000, int(channels.group(1)) if channels else 1
    )


def pcm_to_wav(pcm: bytes, fmt: PcmFormat) -> bytes:
    """A WAV file (RIFF, 16-bit little-endian PCM) holding ``pcm``."""
    header = struct.pack(
        "<4sI4s4sIHHIIHH4sI",
        b"RIFF",
        36 + len(pcm),
        b"WAVE",
        b"fmt ",
        16,
        1,
        fmt.channels,
        fmt.rate,
        fmt.byte_rate,
        fmt.channels * fmt.width,
        8 * fmt.width,
        b"data",
        len(pcm),
    )
    return header + pcm


def wav_duration(wav: bytes) -> float | None:
    """Seconds of sound in a WAV file, from its header; None if it is not one."""
    if wav[:4] != b"RIFF" or wav[8:12] != b"WAVE":
        return None
    i, byte_rate = 12, 0
    while i + 8 <= len(wav):
        chunk, size = wav[i : i + 4], struct.unpack("<I", wav[i + 4 : i + 8])[0]
        if chunk == b"fmt " and i + 20 <= len(wav):
            byte_rate = struct.unpack("<I", wav[i + 16 : i + 20])[0]
        elif chunk == b"data" and byte_rate:
            return float(min(size, len(wav) - i - 8)) / float(byte_rate)
        i += 8 + size + (size & 1)
    return None


# ------------------------------------------------------------------------------- files


def _target(path: str | os.PathLike[str], what: str) -> Path:
    if not isinstance(path, (str, os.PathLike)) or not str(path).strip():
        raise InvalidInputError(f"Give {what} a file path, such as 'out/picture.png'.")
    target = Path(path).expanduser()
    if target.is_dir():
        raise InvalidInputError(
            f"{str(target)!r} is a folder; give a file name in it, such as "
            f"{str(target / 'picture.png')!r}."
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    return target


def save_bytes(data: bytes, path: str | os.PathLike[str], what: str = "the file") -> Path:
    """Write ``data`` to ``path`` (folders made as needed); the Path written."""
    target = _target(path, what)
    target.write_bytes(data)
    return target


def save_image(data: bytes, mime_type: str | None, path: str | os.PathLike[str]) -> Path:
    """Write an image to ``path``, converted when the file name asks for another format
    (``.jpg`` for a PNG: this needs Pillow)."""
    target = _target(path, "the image")
    have = image_format(data) or mime_type
    want = _SUFFIX_TYPES.get(target.suffix.lower())
    if want is None or want == have:
        target.write_bytes(data)
        return target
    picture = to_pil(data, feature="Saving an image in another format")
    if want == "image/jpeg" and picture.mode not in ("RGB", "L"):
        picture = picture.convert("RGB")
    picture.save(target, format=_PIL_FORMATS[want])
    return target


def to_pil(data: bytes, *, feature: str = "Image.to_pil()") -> PILImage.Image:
    """The bytes as a PIL image (loaded), or an error naming the extra that brings Pillow."""
    import io

    try:
        from PIL import Image, UnidentifiedImageError
    except ImportError:
        from ._optional import missing_dependency

        raise missing_dependency(feature, "Pillow", "notebook") from None
    try:
        picture = Image.open(io.BytesIO(data))
        picture.load()
    except (UnidentifiedImageError, OSError) as exc:
        raise InvalidInputError(
            f"These {len(data)} bytes are not an image Pillow can read ({exc})."
        ) from None
    return picture
