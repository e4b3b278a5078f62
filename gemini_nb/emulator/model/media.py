"""Media the emulator receives (inlineData / fileData parts) and media it produces.

Inspection reads only headers: image dimensions, WAV byte rates, PDF page markers. Anything it
cannot read is estimated from the byte size with a fixed, documented rate, so the same bytes
always give the same numbers.

A fileData part naming a file uploaded to this emulator is resolved by the Files backend (a
resolver it registers with :func:`register_file_resolver`) to the stored file's type, size and
content, inspected once from disk by :func:`inspect_stored`; other URIs (YouTube, Cloud
Storage) get a nominal length.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

from .hashing import digest

__all__ = [
    "FileResolver",
    "MediaInfo",
    "decode_base64",
    "human_size",
    "inspect_part",
    "inspect_stored",
    "pcm_speech",
    "png_image",
    "register_file_resolver",
    "sniff_mime",
]

Modality = Literal["TEXT", "IMAGE", "AUDIO", "VIDEO", "DOCUMENT"]

# Byte rates used when a container cannot be parsed: 128 kbit/s audio, 1 Mbit/s video.
AUDIO_BYTES_PER_SECOND = 16_000
VIDEO_BYTES_PER_SECOND = 125_000
# fileData parts carry no bytes, so they get a nominal length.
NOMINAL_FILE_SECONDS = 10.0
# How much of a stored file is read to inspect it: headers, the text the model "reads", and
# the span scanned for PDF page markers (beyond it pages are estimated from the size).
_HEAD_BYTES = 64 * 1024
_TEXT_BYTES = 1024 * 1024
_PDF_SCAN_BYTES = 64 * 1024 * 1024

_TEXTUAL_APPLICATION = {
    "application/json",
    "application/xml",
    "application/x-python",
    "application/javascript",
    "application/x-javascript",
    "application/x-typescript",
    "application/sql",
    "application/rtf",
    "application/x-yaml",
    "application/yaml",
}


@dataclass(frozen=True)
class MediaInfo:
    """What the emulator knows about one media part."""

    mime_type: str
    source: Literal["inline", "file"]
    size: int | None = None
    uri: str | None = None
    display_name: str | None = None
    width: int | None = None
    height: int | None = None
    duration_s: float | None = None
    pages: int | None = None
    text: str | None = None  # decoded content of text-like inline data

    @property
    def modality(self) -> Modality:
        major = self.mime_type.split("/", 1)[0]
        if major == "image":
            return "IMAGE"
        if major == "audio":
            return "AUDIO"
        if major == "video":
            return "VIDEO"
        if self.is_textual:
            return "TEXT"
        return "DOCUMENT"

    @property
    def is_textual(self) -> bool:
        return self.mime_type.startswith("text/") or self.mime_type in _TEXTUAL_APPLICATION

    @property
    def kind_label(self) -> str:
        """A human phrase: "a PNG image", "an audio clip", "a PDF document"..."""
        subtype = self.mime_type.split("/", 1)[-1].split(";", 1)[0].upper()
        subtype = {"JPG": "JPEG", "X-WAV": "WAV", "MPEG": "MP3", "QUICKTIME": "MOV"}.get(
            subtype, subtype
        )
        if self.modality == "IMAGE":
            return f"{_article(subtype)} {subtype} image"
        if self.modality == "AUDIO":
            return f"{_article(subtype)} {subtype} audio clip"
        if self.modality == "VIDEO":
            return (
                "a YouTube video"
                if self.uri and _is_youtube(self.uri)
                else f"{_article(subtype)} {subtype} video"
            )
        if self.mime_type == "application/pdf":
            return "a PDF document"
        if self.is_textual:
            return "a text file"
        return "a document"


def _article(word: str) -> str:
    return "an" if word[:1] in "AEIOU" or word[:2] in ("MP", "MK", "MO", "X-") else "a"


def _is_youtube(uri: str) -> bool:
    return "youtube.com/" in uri or "youtu.be/" in uri


def decode_base64(data: str) -> bytes:
    """Decode standard or URL-safe base64, with or without padding; b"" if it is not base64."""
    cleaned = re.sub(r"\s+", "", data)
    cleaned += "=" * (-len(cleaned) % 4)
    try:
        if "-" in cleaned or "_" in cleaned:
            return base64.urlsafe_b64decode(cleaned)
        return base64.b64decode(cleaned)
    except (binascii.Error, ValueError):
        return b""


def human_size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


FileResolver = Callable[[str], "MediaInfo | None"]
_RESOLVERS: list[FileResolver] = []


def register_file_resolver(resolver: FileResolver) -> None:
    """Let ``resolver`` turn a fileData URI into what is stored behind it.

    It returns None for a URI it does not own and raises the API's error for one it owns but
    cannot serve (unknown, not yet ACTIVE).
    """
    if resolver not in _RESOLVERS:
        _RESOLVERS.append(resolver)


def inspect_part(part: dict[str, Any]) -> MediaInfo | None:
    """MediaInfo for an inlineData or fileData part; None for any other part."""
    if "inlineData" in part:
        blob = part["inlineData"] or {}
        mime = str(blob.get("mimeType") or "application/octet-stream").lower()
        data = decode_base64(str(blob.get("data") or ""))
        return _inspect_bytes(mime, data, blob.get("displayName"), part.get("videoMetadata"))
    if "fileData" in part:
        ref = part["fileData"] or {}
        uri = str(ref.get("fileUri") or "")
        for resolve in _RESOLVERS:
            stored = resolve(uri)
            if stored is not None:
                clip = _offsets_duration(part.get("videoMetadata"))
                if clip is not None and stored.modality in ("AUDIO", "VIDEO"):
                    stored = replace(stored, duration_s=clip)
                if ref.get("displayName"):
                    stored = replace(stored, display_name=str(ref["displayName"]))
                return stored
        mime = str(
            ref.get("mimeType") or ("video/mp4" if _is_youtube(uri) else "application/octet-stream")
        ).lower()
        duration = _offsets_duration(part.get("videoMetadata"))
        if duration is None and mime.split("/")[0] in ("audio", "video"):
            duration = NOMINAL_FILE_SECONDS
        return MediaInfo(
            mime_type=mime,
            source="file",
            uri=uri,
            display_name=ref.get("displayName"),
            duration_s=duration,
            pages=1 if mime == "application/pdf" else None,
        )
    return None


def _inspect_bytes(
    mime: str, data: bytes, display_name: str | None, video_metadata: dict[str, Any] | None
) -> MediaInfo:
    width = height = pages = None
    duration: float | None = None
    text: str | None = None
    major = mime.split("/", 1)[0]
    if major == "image":
        width, height = _image_size(data) or (None, None)
    elif major == "audio":
        duration = _audio_duration(mime, data)
    elif major == "video":
        duration = _offsets_duration(video_metadata)
        if duration is None:
            duration = max(1.0, len(data) / VIDEO_BYTES_PER_SECOND)
    elif mime == "application/pdf":
        pages = max(1, len(re.findall(rb"/Type\s*/Page(?![s\w])", data)))
    probe = MediaInfo(mime_type=mime, source="inline")
    if probe.is_textual:
        text = data.decode("utf-8", errors="replace")
    return MediaInfo(
        mime_type=mime,
        source="inline",
        size=len(data),
        display_name=display_name,
        width=width,
        height=height,
        duration_s=duration,
        pages=pages,
        text=text,
    )


def inspect_stored(
    path: Path, mime: str, size: int, *, uri: str, display_name: str | None = None
) -> MediaInfo:
    """MediaInfo for a file kept on disk, reading only what inspection needs."""
    major = mime.split("/", 1)[0]
    width = height = pages = None
    duration: float | None = None
    text: str | None = None
    with path.open("rb") as f:
        head = f.read(_HEAD_BYTES)
        if major == "image":
            width, height = _image_size(head) or (None, None)
        elif major == "audio":
            duration = _stored_audio_duration(mime, head, size)
        elif major == "video":
            duration = max(1.0, size / VIDEO_BYTES_PER_SECOND)
        elif mime == "application/pdf":
            pages = _pdf_pages(f, head, size)
        elif MediaInfo(mime_type=mime, source="file").is_textual:
            text = (head + f.read(max(0, _TEXT_BYTES - len(head)))).decode("utf-8", "replace")
    return MediaInfo(
        mime_type=mime,
        source="file",
        size=size,
        uri=uri,
        display_name=display_name,
        width=width,
        height=height,
        duration_s=duration,
        pages=pages,
        text=text,
    )


def _stored_audio_duration(mime: str, head: bytes, size: int) -> float:
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        # The data chunk's length is in its header; the bytes after the head are not needed.
        i, byte_rate = 12, 0
        while i + 8 <= len(head):
            chunk_id = head[i : i + 4]
            length = struct.unpack("<I", head[i + 4 : i + 8])[0]
            if chunk_id == b"fmt " and i + 20 <= len(head):
                byte_rate = struct.unpack("<I", head[i + 16 : i + 20])[0]
            elif chunk_id == b"data" and byte_rate:
                return float(min(length, size - i - 8)) / float(byte_rate)
            i += 8 + length + (length & 1)
    return _rate_duration(mime, size)


def _pdf_pages(f: Any, head: bytes, size: int) -> int:
    marker = re.compile(rb"/Type\s*/Page(?![s\w])")
    count, scanned, carry = 0, 0, b""
    block = head
    while block:
        data = carry + block
        # A marker starting in the last bytes is counted with the next read, which sees it
        # whole (and the character after it).
        keep = max(0, len(data) - 32)
        count += sum(1 for m in marker.finditer(data) if m.start() < keep)
        carry = data[keep:]
        scanned += len(block)
        if scanned >= _PDF_SCAN_BYTES:
            # Past the scanned span, pages are assumed to go on at the same density.
            return max(1, round(count * size / scanned))
        block = f.read(_HEAD_BYTES)
    count += len(marker.findall(carry))
    return max(1, count)


def sniff_mime(head: bytes) -> str | None:
    """The MIME type the first bytes of a file announce, if they announce one."""
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return "audio/wav"
    if head.startswith(b"RIFF") and head[8:12] == b"AVI ":
        return "video/avi"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"heic", b"heix", b"hevc", b"heim", b"heis"):
            return "image/heic"
        if brand in (b"mif1", b"msf1"):
            return "image/heif"
        if brand.startswith(b"M4A"):
            return "audio/mp4"
        if brand == b"qt  ":
            return "video/quicktime"
        if brand.startswith(b"3g"):
            return "video/3gpp"
        return "video/mp4"
    if head.startswith(b"ID3") or head[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"):
        return "audio/mp3"
    if head.startswith(b"fLaC"):
        return "audio/flac"
    if head.startswith(b"OggS"):
        return "audio/ogg"
    if head.startswith(b"FORM") and head[8:12] in (b"AIFF", b"AIFC"):
        return "audio/aiff"
    if head.startswith(b"\x1aE\xdf\xa3"):
        return "video/webm"
    if head[:2] in (b"\xff\xf1", b"\xff\xf9"):
        return "audio/aac"
    return None


def _image_size(data: bytes) -> tuple[int, int] | None:
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        w, h = struct.unpack(">II", data[16:24])
        return int(w), int(h)
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        w, h = struct.unpack("<HH", data[6:10])
        return int(w), int(h)
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return _webp_size(data)
    if data.startswith(b"\xff\xd8"):
        return _jpeg_size(data)
    if data.startswith(b"BM") and len(data) >= 26:
        w, h = struct.unpack("<ii", data[18:26])
        return abs(int(w)), abs(int(h))
    return None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
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


def _webp_size(data: bytes) -> tuple[int, int] | None:
    chunk = data[12:16]
    if chunk == b"VP8X" and len(data) >= 30:
        w = int.from_bytes(data[24:27], "little") + 1
        h = int.from_bytes(data[27:30], "little") + 1
        return w, h
    if chunk == b"VP8 " and len(data) >= 30:
        w, h = struct.unpack("<HH", data[26:30])
        return int(w) & 0x3FFF, int(h) & 0x3FFF
    if chunk == b"VP8L" and len(data) >= 25:
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    return None


def _audio_duration(mime: str, data: bytes) -> float:
    if data.startswith(b"RIFF") and data[8:12] == b"WAVE":
        parsed = _wav_duration(data)
        if parsed is not None:
            return parsed
    return _rate_duration(mime, len(data))


def _rate_duration(mime: str, size: int) -> float:
    rate_match = re.search(r"rate=(\d+)", mime)
    if rate_match and ("l16" in mime or "pcm" in mime):
        # Raw 16-bit mono PCM, as the Live API and TTS models use.
        return size / (int(rate_match.group(1)) * 2)
    return size / AUDIO_BYTES_PER_SECOND


def _wav_duration(data: bytes) -> float | None:
    byte_rate: int | None = None
    i = 12
    while i + 8 <= len(data):
        chunk_id = data[i : i + 4]
        size = struct.unpack("<I", data[i + 4 : i + 8])[0]
        if chunk_id == b"fmt " and i + 20 <= len(data):
            byte_rate = struct.unpack("<I", data[i + 16 : i + 20])[0]
        elif chunk_id == b"data" and byte_rate:
            return float(min(size, len(data) - i - 8)) / float(byte_rate)
        i += 8 + size + (size & 1)
    return None


def _offsets_duration(video_metadata: dict[str, Any] | None) -> float | None:
    if not video_metadata:
        return None
    start = _seconds(video_metadata.get("startOffset")) or 0.0
    end = _seconds(video_metadata.get("endOffset"))
    if end is None or end <= start:
        return None
    return end - start


def _seconds(value: Any) -> float | None:
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str) and value.endswith("s"):
        try:
            return float(value[:-1])
        except ValueError:
            return None
    if isinstance(value, dict):  # proto Duration as {"seconds": ..., "nanos": ...}
        return float(value.get("seconds", 0)) + float(value.get("nanos", 0)) / 1e9
    return None


# --- produced media ---------------------------------------------------------------------------


def png_image(seed: object, width: int = 256, height: int = 256) -> bytes:
    """A small, deterministic PNG: a soft two-colour gradient with a disc, colours from the seed."""
    h = digest("png", seed)
    c1 = (h[0], h[1], h[2])
    c2 = (h[3], h[4], h[5])
    disc = (255 - h[6] // 2, 255 - h[7] // 2, 255 - h[8] // 2)
    cx, cy = width * (0.3 + h[9] / 640), height * (0.3 + h[10] / 640)
    radius = min(width, height) * (0.18 + h[11] / 1280)
    rows = bytearray()
    for y in range(height):
        rows.append(0)  # filter type: none
        t = y / max(1, height - 1)
        base = [round(a + (b - a) * t) for a, b in zip(c1, c2, strict=True)]
        for x in range(width):
            if (x - cx) ** 2 + (y - cy) ** 2 <= radius * radius:
                rows += bytes(disc)
            else:
                rows += bytes(base)

    def chunk(tag: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + tag + body + struct.pack(">I", zlib.crc32(tag + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + chunk(b"IEND", b"")
    )


def pcm_speech(text: str, seed: object, rate: int = 24_000, max_seconds: float = 6.0) -> bytes:
    """16-bit mono PCM that "speaks" the text as soft syllable tones, one burst per word."""
    words = re.findall(r"\w+", text) or ["hm"]
    h = digest("voice", seed)
    base_freq = 140 + h[0] % 90
    samples: list[int] = []
    limit = int(rate * max_seconds)
    for index, word in enumerate(words):
        burst = int(rate * min(0.35, 0.08 + 0.03 * len(word)))
        freq = base_freq * (1 + ((h[(index + 1) % len(h)] % 7) - 3) / 24)
        for n in range(burst):
            envelope = math.sin(math.pi * n / burst)
            value = envelope * (
                0.6 * math.sin(2 * math.pi * freq * n / rate)
                + 0.25 * math.sin(4 * math.pi * freq * n / rate)
            )
            samples.append(int(9000 * value))
        samples.extend([0] * int(rate * 0.06))
        if len(samples) >= limit:
            break
    samples = samples[:limit]
    return struct.pack(f"<{len(samples)}h", *samples)
