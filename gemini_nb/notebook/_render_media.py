"""Pictures, videos and sound in notebook outputs, with a size bound that keeps notebooks small.

The bound (:data:`media_settings`)
    An output embeds at most ``inline_limit`` bytes of one picture, video or sound (256 kB by
    default, about 340 kB once base64-encoded in the notebook file). Anything larger is
    written to a file in ``directory`` (``gemini_media/`` beside the notebook: the kernel's
    working folder), named by its content's hash, and the output shows a thumbnail (a JPEG of
    at most ``thumbnail`` pixels a side, made with Pillow) or a video's poster frame, linked to
    that file; a video or sound too large to embed plays from the file. So twenty 1.5 MB
    pictures make a notebook of about 1 MB (twenty thumbnails), not 30 MB, and their full
    files sit beside it. ``media_settings.directory = None`` writes no files (outputs then say
    to use ``.save(path)``).

Every output has a ``text/plain`` line (``[image/png, 1024×1024, 1.2 MB]``) for terminals.
Sound is played as WAV (the API's raw PCM is wrapped, see :class:`~gemini_nb.types.Audio`).
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..types.media import (
        Audio,
        GeneratedImage,
        GenerateVideosResponse,
        Image,
        Video,
    )

__all__ = [
    "MediaSettings",
    "audio_bundle",
    "audio_html",
    "image_bundle",
    "image_html",
    "images_bundle",
    "media_settings",
    "stored_path",
    "thumbnail",
    "video_bundle",
    "video_html",
    "videos_bundle",
]


@dataclass
class MediaSettings:
    """The size bound of media in outputs (see the module docstring)."""

    inline_limit: int = 256_000
    directory: str | None = "gemini_media"
    thumbnail: int = 512


media_settings = MediaSettings()

_EXTENSIONS = {
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/webp": ".webp",
    "image/gif": ".gif",
    "video/mp4": ".mp4",
    "video/webm": ".webm",
    "audio/wav": ".wav",
    "audio/mpeg": ".mp3",
}
_CSS = (
    ".gnb-media{margin:.3em 0}.gnb-media img{max-width:100%;height:auto;border-radius:4px}"
    ".gnb-media video{max-width:100%;max-height:480px;border-radius:4px;background:#000}"
    ".gnb-media-caption{font-size:.85em;opacity:.75;margin-top:.15em}"
    ".gnb-media-grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(160px,1fr));"
    "gap:8px}.gnb-media-grid img{width:100%;aspect-ratio:1/1;object-fit:cover}"
    ".gnb-media-note{font-size:.9em;border-left:3px solid #d9822b;padding:.2em .6em;"
    "margin:.3em 0}"
)


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def size_text(n: int) -> str:
    if n < 1000:
        return f"{n} B"
    if n < 1_000_000:
        return f"{n / 1000:.0f} kB"
    return f"{n / 1_000_000:.1f} MB"


def _uri(data: bytes, mime: str) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def wrap(body: str) -> str:
    """One output's HTML, scoped like the answers' (``gemini-nb-response``)."""
    return f'<div class="gemini-nb-response gnb"><style>{_CSS}</style>{body}</div>'


def stored_path(data: bytes, mime: str) -> str | None:
    """Write ``data`` to the media folder (once; named by its hash); the path to show, relative
    to the working folder, or None when no folder is set or it cannot be written."""
    folder = media_settings.directory
    if folder is None:
        return None
    name = hashlib.sha256(data).hexdigest()[:16] + _EXTENSIONS.get(mime.split(";")[0], ".bin")
    target = Path(folder) / name
    try:
        if not target.is_file() or target.stat().st_size != len(data):
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_suffix(target.suffix + ".part")
            tmp.write_bytes(data)
            os.replace(tmp, target)
    except OSError:
        return None
    return target.as_posix()


def thumbnail(data: bytes, side: int | None = None, *, quality: int = 80) -> bytes | None:
    """A JPEG of the picture at most ``side`` pixels a side; None without Pillow or for bytes
    Pillow cannot read."""
    try:
        from PIL import Image as PILImage
    except ImportError:
        return None
    limit = side or media_settings.thumbnail
    try:
        opened = PILImage.open(io.BytesIO(data))
        opened.draft("RGB", (limit, limit))
        picture = opened.convert("RGB")
        picture.thumbnail((limit, limit))
        out = io.BytesIO()
        picture.save(out, format="JPEG", quality=quality)
    except Exception:
        return None
    return out.getvalue()


def poster(video: bytes) -> bytes | None:
    """A JPEG of a video's first frame (needs PyAV and Pillow), or None."""
    try:
        import av
    except ImportError:
        return None
    try:
        with av.open(io.BytesIO(video), mode="r") as container:
            for frame in container.decode(video=0):
                out = io.BytesIO()
                frame.to_image().save(out, format="PNG")
                return thumbnail(out.getvalue())
    except Exception:
        return None
    return None


# ------------------------------------------------------------------------------ pictures


def _dims(data: bytes) -> str:
    from .._media import image_dimensions

    dims = image_dimensions(data)
    return f"{dims[0]}×{dims[1]}, " if dims else ""


def image_label(data: bytes, mime: str) -> str:
    return f"{mime}, {_dims(data)}{size_text(len(data))}"


def image_html(data: bytes, mime: str, *, caption: str = "") -> str:
    """A picture within the bound: itself, or a linked thumbnail of the file it went to."""
    label = image_label(data, mime)
    extra = f'<div class="gnb-media-caption">{_esc(caption)}</div>' if caption else ""
    if len(data) <= media_settings.inline_limit:
        return (
            f'<div class="gnb-media"><img class="gnb-image" src="{_uri(data, mime)}" '
            f'alt="{_esc(label)}">{extra}</div>'
        )
    path = stored_path(data, mime)
    small = thumbnail(data)
    side = media_settings.thumbnail
    while small is not None and len(small) > media_settings.inline_limit and side > 64:
        side //= 2  # a thumbnail keeps to the bound too (a noisy picture compresses badly)
        small = thumbnail(data, side, quality=60)
    shown = (
        f'<img class="gnb-image gnb-thumbnail" src="{_uri(small, "image/jpeg")}" '
        f'alt="{_esc(label)}">'
        if small is not None
        else ""
    )
    if path is not None:
        shown = f'<a href="{_esc(path)}" target="_blank">{shown}</a>' if shown else ""
        note = f'full size: <a href="{_esc(path)}" target="_blank">{_esc(path)}</a> ({_esc(label)})'
    else:
        note = f"{_esc(label)}; thumbnail only: .save(path) keeps the full picture"
    return f'<div class="gnb-media">{shown}<div class="gnb-media-caption">{note}</div>{extra}</div>'


def image_bundle(image: Image) -> dict[str, str]:
    data = image.image_bytes or b""
    mime = image.mime_type or "image/png"
    if not data:
        text = f"[image at {image.gcs_uri}]" if image.gcs_uri else "[image without bytes]"
        return {"text/plain": text, "text/html": wrap(f"<div>{_esc(text)}</div>")}
    return {"text/plain": f"[{image_label(data, mime)}]", "text/html": wrap(image_html(data, mime))}


def _note(text: str) -> str:
    return f'<div class="gnb-media-note">{_esc(text)}</div>'


def images_bundle(generated: Sequence[GeneratedImage]) -> dict[str, str]:
    """Several pictures (Imagen's answer): a grid, then why any were filtered out."""
    pictures = [g.image for g in generated if g.image is not None and g.image.image_bytes]
    reasons = [g.rai_filtered_reason for g in generated if g.rai_filtered_reason]
    plain = [f"[{image_label(p.image_bytes or b'', p.mime_type or 'image/png')}]" for p in pictures]
    plain += [f"! filtered out: {r}" for r in reasons]
    if len(pictures) == 1:
        body = image_html(pictures[0].image_bytes or b"", pictures[0].mime_type or "image/png")
    elif pictures:
        cells = "".join(
            image_html(p.image_bytes or b"", p.mime_type or "image/png") for p in pictures
        )
        body = f'<div class="gnb-media-grid">{cells}</div>'
    else:
        body = ""
    body += "".join(_note(f"Filtered out: {r}") for r in reasons)
    if not pictures and not reasons:
        body = _note(
            "No pictures: every picture was filtered out (pass include_rai_reason=True "
            "to learn why)."
        )
        plain.append("! no pictures: all were filtered out")
    return {"text/plain": "\n".join(plain), "text/html": wrap(body)}


# ------------------------------------------------------------------------------ video


def video_html(data: bytes, mime: str = "video/mp4") -> str:
    """A player: the video embedded within the bound, else playing from its file."""
    label = f"{mime}, {size_text(len(data))}"
    if len(data) <= media_settings.inline_limit:
        return (
            f'<div class="gnb-media"><video class="gnb-video" controls preload="metadata" '
            f'src="{_uri(data, mime)}"></video><div class="gnb-media-caption">'
            f"{_esc(label)}</div></div>"
        )
    path = stored_path(data, mime)
    frame = poster(data)
    poster_attr = f' poster="{_uri(frame, "image/jpeg")}"' if frame is not None else ""
    if path is None:
        shown = f'<img src="{_uri(frame, "image/jpeg")}" alt="{_esc(label)}">' if frame else ""
        return (
            f'<div class="gnb-media">{shown}<div class="gnb-media-caption">{_esc(label)}; '
            "not embedded: .save(path) keeps the video</div></div>"
        )
    return (
        f'<div class="gnb-media"><video class="gnb-video" controls preload="metadata" '
        f'src="{_esc(path)}"{poster_attr}></video><div class="gnb-media-caption">'
        f'<a href="{_esc(path)}" target="_blank">{_esc(path)}</a> ({_esc(label)})</div></div>'
    )


def video_bundle(video: Video) -> dict[str, str]:
    if not video.video_bytes:
        text = (
            f"[video {video.uri}, not downloaded: client.files.download(file=video)]"
            if video.uri
            else "[video without bytes]"
        )
        return {"text/plain": text, "text/html": wrap(_note(text))}
    mime = video.mime_type or "video/mp4"
    return {
        "text/plain": f"[{mime}, {size_text(len(video.video_bytes))}]",
        "text/html": wrap(video_html(video.video_bytes, mime)),
    }


def videos_bundle(response: GenerateVideosResponse) -> dict[str, str]:
    parts_plain: list[str] = []
    body = ""
    for video in response.videos:
        bundle = video_bundle(video)
        parts_plain.append(bundle["text/plain"])
        body += bundle["text/html"]
    for reason in response.rai_media_filtered_reasons or []:
        parts_plain.append(f"! filtered out: {reason}")
        body += wrap(_note(f"Filtered out: {reason}"))
    if not parts_plain:
        parts_plain.append("[no videos]")
        body = wrap(_note("No videos."))
    return {"text/plain": "\n".join(parts_plain), "text/html": body}


# ------------------------------------------------------------------------------ sound


def audio_html(wav: bytes, duration: float | None) -> str:
    """A player for a WAV file: embedded within the bound, else playing from its file."""
    label = (f"{duration:.1f} s, " if duration is not None else "") + size_text(len(wav))
    if len(wav) <= media_settings.inline_limit:
        src = _uri(wav, "audio/wav")
        where = ""
    else:
        path = stored_path(wav, "audio/wav")
        if path is None:
            return (
                f'<div class="gnb-media-caption">[audio, {_esc(label)}: not embedded; '
                ".save(path) keeps it]</div>"
            )
        src = path
        where = f' · <a href="{_esc(path)}" target="_blank">{_esc(path)}</a>'
    return (
        f'<div class="gnb-media"><audio class="gnb-audio" controls preload="metadata" '
        f'src="{_esc(src)}"></audio><div class="gnb-media-caption">audio, {_esc(label)}'
        f"{where}</div></div>"
    )


def audio_bundle(audio: Audio) -> dict[str, str]:
    try:
        wav = audio.wav
    except Exception:
        text = f"[{audio.mime_type}, {size_text(len(audio.data))}]"
        return {"text/plain": text, "text/html": wrap(f"<div>{_esc(text)}</div>")}
    duration = audio.duration
    seconds = f", {duration:.1f} s" if duration is not None else ""
    return {
        "text/plain": f"[audio {audio.mime_type}{seconds}]",
        "text/html": wrap(audio_html(wav, duration)),
    }


def media_html(mime: str, data: bytes) -> str | None:
    """The HTML of an inline-data part the answer display shows as media, or None."""
    base = mime.split(";", 1)[0].strip().lower()
    if base in ("image/png", "image/jpeg", "image/gif", "image/webp"):
        return image_html(data, base)
    if base.startswith("video/"):
        return video_html(data, base)
    if base.startswith("audio/"):
        from ..types.media import Audio

        sound = Audio(data, mime)
        try:
            return audio_html(sound.wav, sound.duration)
        except Exception:
            return None
    return None
