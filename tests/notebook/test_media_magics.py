"""Pictures, videos and speech in a real IPython shell: ``%%gemini --image/--video/--speech``
answered by the emulator; the gallery widget's protocol driven from Python; and the size
bound that keeps outputs small (thumbnails and files beyond it)."""

from __future__ import annotations

import base64
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output
from PIL import Image as PILImage

import gemini_nb as g
from gemini_nb.notebook import _render_media
from gemini_nb.notebook._session import session
from gemini_nb.types import GenerateImagesResponse, GenerateVideosResponse, Image

from ._fake_comm import comm_of, comms, from_browser

__all__ = ["comms"]  # the fixture, imported for pytest

pytest.importorskip("av")


@pytest.fixture(scope="module")
def emulator() -> Iterator[Any]:
    from gemini_nb.emulator import EmulatorOptions, EmulatorServer

    with EmulatorServer(options=EmulatorOptions(clock_speed=50.0)) as server:
        yield server


@pytest.fixture
def ip(
    emulator: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[InteractiveShell]:
    monkeypatch.setenv("GOOGLE_GEMINI_BASE_URL", emulator.url)
    monkeypatch.chdir(tmp_path)  # where media beyond the bound are written
    session.reset_clients()
    session.chats.clear()
    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "gemini_nb")
    shell.user_ns.pop("_gemini_error", None)
    yield shell
    shell.run_line_magic("unload_ext", "gemini_nb")
    session.reset_clients()


def cell(ip: InteractiveShell, line: str, body: str) -> tuple[Any, Any]:
    with capture_output() as out:
        result = ip.run_cell_magic("gemini", line, body)
    return result, out


def last_html(out: Any) -> str:
    return [o.data["text/html"] for o in out.outputs if "text/html" in o.data][-1]


def png(size: tuple[int, int], colour: tuple[int, int, int] = (200, 60, 60)) -> bytes:
    buf = io.BytesIO()
    PILImage.new("RGB", size, colour).save(buf, format="PNG")
    return buf.getvalue()


def noise_png(size: tuple[int, int]) -> bytes:
    """A picture that does not compress: larger than the inline bound."""
    import os

    buf = io.BytesIO()
    PILImage.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3)).save(buf, format="PNG")
    return buf.getvalue()


# ----------------------------------------------------------------------------------- magics


def test_image_answer_shows_the_picture_and_keeps_the_response(ip: InteractiveShell) -> None:
    _, out = cell(ip, "--image --aspect 16:9 -o pic", "A red star over the sea")
    response = ip.user_ns["pic"]
    assert isinstance(response, g.types.GenerateContentResponse)
    assert response.images[0].size == (1344, 768)
    page = last_html(out)
    assert '<img class="gnb-image" src="data:image/png;base64,' in page and response.text in page
    # -f attaches a picture to edit; a chat edits its last picture turn after turn.
    ip.user_ns["start"] = PILImage.new("RGB", (400, 400), (20, 90, 200))
    cell(ip, "--image -f start -o edited", "make it black and white")
    assert ip.user_ns["edited"].images[0].size == (1024, 1024)
    cell(ip, "--image -c art -o one", "a yellow circle")
    cell(ip, "--image -c art -o two", "invert it")
    assert len(session.chats["art"].history) == 4
    assert ip.user_ns["one"].images[0] != ip.user_ns["two"].images[0]


def test_imagen_pictures_come_in_a_gallery(ip: InteractiveShell) -> None:
    _, out = cell(ip, "--image -m imagen-4.0-generate-001 -n 3 -o pics", "three kites")
    response = ip.user_ns["pics"]
    assert isinstance(response, GenerateImagesResponse) and len(response.images) == 3
    widgets = [o for o in out.outputs if "application/vnd.jupyter.widget-view+json" in o.data]
    assert len(widgets) == 1 and widgets[0].data["text/plain"] == "GalleryWidget(3 images)"
    _, out = cell(ip, "--image -m imagen-4.0-generate-001 -n 1", "one kite")
    assert "<img" in last_html(out)


def test_video_answer_plays_in_the_output(ip: InteractiveShell) -> None:
    _, out = cell(ip, "--video --seconds 4 --aspect 9:16 -o clip", "a calm sea")
    result = ip.user_ns["clip"]
    assert isinstance(result, GenerateVideosResponse)
    video = result.videos[0]
    assert video.video_bytes and video.video_bytes[4:8] == b"ftyp"
    page = last_html(out)
    assert '<video class="gnb-video" controls' in page
    # An emulator video (~70 kB) is within the bound: it is embedded; with a smaller bound it
    # plays from its file, with a poster frame.
    _render_media.media_settings.inline_limit, old = 1000, _render_media.media_settings.inline_limit
    try:
        html = _render_media.video_html(video.video_bytes)
    finally:
        _render_media.media_settings.inline_limit = old
    path = re.search(r'src="(gemini_media/[0-9a-f]{16}\.mp4)"', html)
    assert path and Path(path.group(1)).read_bytes() == video.video_bytes
    assert 'poster="data:image/jpeg;base64,' in html


def test_speech_answer_plays_in_the_output(ip: InteractiveShell) -> None:
    _, out = cell(ip, "--speech --voice Puck -o said", "Say: the tide is turning.")
    audio = ip.user_ns["said"].audio
    assert audio is not None and audio.sample_rate == 24_000
    page = last_html(out)
    assert (
        '<audio class="gnb-audio" controls preload="metadata" src="data:audio/wav;base64,' in page
    )
    cell(ip, "--speakers Joe:Kore,Jane:Charon -o two", "Joe: Hi!\nJane: Hello, Joe.")
    assert ip.user_ns["two"].audio.duration > 1.0


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("--image --video", "use one of --image, --video"),
        ("--video -n 2 --seconds 3 --image", "use one of"),
        ("--seconds 4", "--seconds goes with --video"),
        ("--image --json", "--image does not combine with --json"),
        ("--speakers Joe", "two NAME:VOICE pairs"),
        ("--image -m imagen-4.0-generate-001 -c art", "Imagen makes new pictures"),
        ("--image -n 2", "-n makes several pictures with Imagen"),
    ],
)
def test_media_option_mistakes_are_one_line(ip: InteractiveShell, line: str, message: str) -> None:
    with pytest.raises(UsageError, match=re.escape(message)):
        cell(ip, line, "a kite")


def test_media_api_errors_are_kept(ip: InteractiveShell) -> None:
    with pytest.raises(g.BadRequestError):
        cell(ip, "--image --aspect 7:3", "a kite")
    assert isinstance(ip.user_ns["_gemini_error"], g.BadRequestError)
    with pytest.raises(g.OperationError):
        cell(ip, "--video --seconds 4", "[emulator:fail] a kite")
    ip.user_ns["junk"] = Image(image_bytes=b"not an image", mime_type="image/png")
    with pytest.raises(UsageError, match="is not an image"):
        cell(ip, "--video -f junk", "animate it")


# ----------------------------------------------------------------------------------- gallery


def test_gallery_protocol(comms: Any, tmp_path: Path) -> None:
    from gemini_nb.notebook.widgets.gallery import GalleryWidget
    from gemini_nb.types import GeneratedImage

    big = noise_png((600, 400))
    response = GenerateImagesResponse(
        generated_images=[
            GeneratedImage(image=Image(image_bytes=big, mime_type="image/png")),
            GeneratedImage(rai_filtered_reason="Filtered by the safety setting."),
            GeneratedImage(image=Image(image_bytes=png((64, 64)), mime_type="image/png")),
        ]
    )
    gallery = GalleryWidget(response, columns=3, save_dir=tmp_path / "saved")
    assert repr(gallery) == "GalleryWidget(2 images, 1 filtered)"
    items = gallery.items
    assert [i["filtered"] for i in items] == ["", "Filtered by the safety setting.", ""]
    assert items[0]["width"] == 600 and items[0]["size"] == len(big)
    # The synced state holds thumbnails only: bounded however large the picture.
    thumb = base64.b64decode(items[0]["thumb"].split(",", 1)[1])
    assert thumb[:3] == b"\xff\xd8\xff" and len(thumb) < 60_000 < len(big)
    assert PILImage.open(io.BytesIO(thumb)).size == (320, 213)
    # Opening a tile sends the whole picture as a binary buffer.
    sent = comm_of(gallery)
    from_browser(gallery, {"type": "open", "index": 0})
    message = [s for s in sent.sent if s[0] == "comm_msg" and s[2]][-1]
    assert message[1]["content"] == {"type": "image", "index": 0, "mime": "image/png"}
    assert bytes(message[2][0]) == big
    from_browser(gallery, {"type": "save", "index": 2})
    saved = list((tmp_path / "saved").iterdir())
    assert len(saved) == 1 and saved[0].read_bytes() == png((64, 64))
    assert gallery.status == f"Saved {saved[0].as_posix()}"
    from_browser(gallery, {"type": "save", "index": 1})
    assert gallery.error.startswith("Tile 1 was filtered out")
    # Without a widget manager the gallery is a grid of its thumbnails.
    data, _ = gallery._repr_mimebundle_()
    assert data["text/plain"] == "GalleryWidget(2 images, 1 filtered)"
    assert data["text/html"].count("<img") == 2 and "filtered out: Filtered" in data["text/html"]
    gallery.add([png((10, 10)), PILImage.new("RGB", (5, 5))], captions=["tiny", "tinier"])
    assert [i["caption"] for i in gallery.items[3:]] == ["tiny", "tinier"]
    assert len(gallery.images) == 4
    with pytest.raises(g.InvalidInputError, match="is not an image"):
        gallery.add(b"no picture here")
    gallery.close()


# ----------------------------------------------------------------------------------- bound


def test_outputs_stay_within_the_size_bound(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    small, large = png((64, 64)), noise_png((900, 700))
    limit = _render_media.media_settings.inline_limit
    assert len(small) < limit < len(large)
    inline = Image(image_bytes=small, mime_type="image/png")._repr_mimebundle_()
    assert base64.b64encode(small).decode() in inline["text/html"]
    bundle = Image(image_bytes=large, mime_type="image/png")._repr_mimebundle_()
    page = bundle["text/html"]
    # A thumbnail within the bound (base64 makes it a third larger), not the 1.9 MB picture.
    assert len(page) < limit * 4 // 3 + 4000
    stored = re.search(r'href="(gemini_media/[0-9a-f]{16}\.png)"', page)
    assert stored and Path(stored.group(1)).read_bytes() == large
    assert bundle["text/plain"] == f"[image/png, 900×700, {len(large) / 1e6:.1f} MB]"
    # Twenty large pictures in one notebook cost twenty thumbnails.
    total = sum(
        len(
            Image(image_bytes=noise_png((900, 700)), mime_type="image/png")._repr_mimebundle_()[
                "text/html"
            ]
        )
        for _ in range(20)
    )
    assert total < 20 * (limit * 4 // 3 + 4000) < 20 * len(large) // 4
    # No folder: the thumbnail and a note to save.
    monkeypatch.setattr(_render_media.media_settings, "directory", None)
    note = Image(image_bytes=large, mime_type="image/png")._repr_mimebundle_()["text/html"]
    assert "thumbnail only: .save(path) keeps the full picture" in note
