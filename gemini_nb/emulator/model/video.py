"""Videos the emulator makes: the prompt's scene (:mod:`.images`) in motion, as real MP4 files.

A video is ``seconds`` long at 24 frames a second, ``width`` × ``height`` pixels (the requested
aspect ratio and resolution), H.264 (yuv420p, the "moov" atom first so a player starts at
once) in an MP4 container: what Chromium, Firefox and Safari play. Its shapes drift on their
paths and stars turn; given a first frame (image to video) the video starts on that picture,
zooms slowly into it and lets the prompt's shapes drift in over it. With ``audio`` (Veo 3
models make sound) an AAC track carries a soft chord whose notes follow the prompt.

The same request gives the same bytes. PyAV (``av``, which ships its own FFmpeg with x264) is
imported on first use; the ``emulator`` extra installs it.
"""

from __future__ import annotations

import math
import os
import tempfile
from typing import TYPE_CHECKING, Any

from . import images as _images
from .hashing import digest

if TYPE_CHECKING:
    from PIL import Image as PILImage

__all__ = ["FPS", "last_frame", "render_video", "require_av"]

FPS = 24
AUDIO_RATE = 48_000
_CRF = "30"


def require_av() -> Any:
    """The ``av`` module, or the emulator's error naming the extra to install."""
    try:
        import av
    except ImportError:
        from ..wire.errors import EmulatorError

        raise EmulatorError(
            500,
            "The emulator encodes videos with PyAV, which is not installed: "
            'pip install "gemini-nb[emulator]"',
            rpc_status="INTERNAL",
        ) from None
    return av


def render_video(
    scene: _images.Scene,
    width: int,
    height: int,
    seconds: float,
    *,
    first_frame: PILImage.Image | None = None,
    audio: bool = False,
    fps: int = FPS,
) -> bytes:
    """The MP4 bytes of ``scene`` moving for ``seconds``."""
    av = require_av()
    _images.require_pillow()
    frames = max(1, round(seconds * fps))
    # FFmpeg moves the index to the front by reading the file again by name: a temporary file.
    with tempfile.TemporaryDirectory(prefix="gnb-video-") as folder:
        path = os.path.join(folder, "video.mp4")
        _write(av, path, scene, width, height, seconds, first_frame, audio, fps, frames)
        with open(path, "rb") as f:
            return f.read()


def _write(
    av: Any,
    path: str,
    scene: _images.Scene,
    width: int,
    height: int,
    seconds: float,
    first_frame: PILImage.Image | None,
    audio: bool,
    fps: int,
    frames: int,
) -> None:
    container = av.open(path, mode="w", format="mp4", options={"movflags": "+faststart"})
    try:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height = width, height
        stream.pix_fmt = "yuv420p"
        # One thread: x264's output then depends only on its input (and the emulator runs
        # beside other work).
        stream.options = {"preset": "veryfast", "crf": _CRF, "threads": "1"}
        sound = container.add_stream("aac", rate=AUDIO_RATE, layout="mono") if audio else None
        base = _fitted(first_frame, width, height) if first_frame is not None else None
        for i in range(frames):
            t = i / fps
            picture = _frame(scene, width, height, t, seconds, base)
            frame = av.VideoFrame.from_image(picture)
            frame.pts = i
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
        if sound is not None:
            _encode_audio(av, container, sound, scene, seconds)
    finally:
        container.close()


def _fitted(image: PILImage.Image, width: int, height: int) -> PILImage.Image:
    from PIL import ImageOps

    return ImageOps.fit(image.convert("RGB"), (width, height))


def _frame(
    scene: _images.Scene,
    width: int,
    height: int,
    t: float,
    seconds: float,
    base: PILImage.Image | None,
) -> PILImage.Image:
    if base is None:
        return _images.draw(scene, width, height, t)
    from PIL import Image

    # A slow zoom into the first frame (up to 12 %), the prompt's shapes fading in over it.
    zoom = 1 + 0.12 * (t / max(seconds, 1e-6))
    w, h = width / zoom, height / zoom
    left, top = (width - w) / 2, (height - h) / 2
    picture = (
        base.resize((width, height), Image.Resampling.BILINEAR, box=(left, top, left + w, top + h))
        if t > 0
        else base.copy()
    )
    if t > 0:
        over = _images.draw(scene, width, height, t)
        alpha = min(1.0, t / max(seconds / 2, 1e-6))
        mask_rgb = Image.new("RGB", (width, height), (0, 0, 0))
        white = _images.Scene(
            (0, 0, 0), (0, 0, 0), False, tuple(_white(s) for s in scene.shapes), scene.key
        )
        _images._draw_shapes(mask_rgb, white, t)
        mask = mask_rgb.convert("L").point(lambda v: round(v * alpha))
        picture.paste(over, (0, 0), mask)
    return picture


def _white(shape: _images.Shape) -> _images.Shape:
    from dataclasses import replace

    return replace(shape, colour=(255, 255, 255))


def _encode_audio(
    av: Any, container: Any, stream: Any, scene: _images.Scene, seconds: float
) -> None:
    """A soft chord (three notes from the scene's key), fading in and out."""
    import array

    key = digest("soundtrack", scene.key)
    # Whole-hertz notes repeat every second: one second is computed and played over.
    root = round(196.0 * 2 ** ((key[0] % 12) / 12))
    notes = [root, round(root * 2 ** ((4 if key[1] % 2 else 3) / 12)), round(root * 1.5)]
    second = [
        sum(math.sin(2 * math.pi * f * k / AUDIO_RATE) for f in notes) / 3
        for k in range(AUDIO_RATE)
    ]
    total = round(seconds * AUDIO_RATE)
    fade = AUDIO_RATE // 2
    block = 1024
    pts = 0
    while pts < total:
        n = min(block, total - pts)
        samples = array.array(
            "h",
            (
                int(6000 * min(1.0, k / fade, (total - k) / fade) * second[k % AUDIO_RATE])
                for k in range(pts, pts + n)
            ),
        )
        frame = av.AudioFrame(format="s16", layout="mono", samples=n)
        frame.planes[0].update(samples.tobytes())
        frame.sample_rate = AUDIO_RATE
        frame.pts = pts
        for packet in stream.encode(frame):
            container.mux(packet)
        pts += n
    for packet in stream.encode():
        container.mux(packet)


def last_frame(mp4: bytes) -> PILImage.Image:
    """The last picture of a video (to continue it)."""
    import io

    av = require_av()
    picture = None
    with av.open(io.BytesIO(mp4)) as container:
        for decoded in container.decode(video=0):
            picture = decoded
    if picture is None:
        from ..wire.errors import EmulatorError

        raise EmulatorError(400, "The video to continue has no frames.")
    image: PILImage.Image = picture.to_image()
    return image
