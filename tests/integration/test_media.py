"""Pictures, videos and speech over loopback on both clients: generate_images, generate_videos
(the operation, wait, files.download), image output and edits (also in a chat), speech as WAV,
``.save``/``.to_pil``, and the typed errors of bad input."""

from __future__ import annotations

import io
import wave
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image as PILImage

import gemini_nb as g
from gemini_nb.types import (
    AsyncGenerateVideosOperation,
    Audio,
    GenerateImagesResponse,
    GenerateVideosOperation,
    GenerateVideosResponse,
    Image,
    Video,
)

from ._run import Run, open_run

pytest.importorskip("av")


@pytest.fixture(scope="module")
def emulator() -> Iterator[Any]:
    """The clock runs 20 times as fast: a 4-second video's operation ends in a third of a
    second."""
    from gemini_nb.emulator import EmulatorOptions, EmulatorServer

    with EmulatorServer(options=EmulatorOptions(clock_speed=20.0)) as server:
        yield server


@pytest.fixture(params=["sync", "async"])
async def run(request: pytest.FixtureRequest, emulator: Any) -> AsyncIterator[Run]:
    async with open_run(request.param, emulator.url) as r:
        yield r


def png(size: tuple[int, int] = (300, 200), colour: tuple[int, int, int] = (10, 120, 200)) -> bytes:
    buf = io.BytesIO()
    PILImage.new("RGB", size, colour).save(buf, format="PNG")
    return buf.getvalue()


def grey_everywhere(picture: PILImage.Image) -> bool:
    from PIL import ImageChops

    r, g_, b = picture.convert("RGB").split()
    return (
        ImageChops.difference(r, g_).getbbox() is None
        and ImageChops.difference(g_, b).getbbox() is None
    )


async def test_generate_images(run: Run, tmp_path: Path) -> None:
    r = await run(
        lambda c: c.models.generate_images(
            model="imagen-4.0-generate-001",
            prompt="two green triangles",
            config={"number_of_images": 2, "aspect_ratio": "3:4", "output_mime_type": "image/jpeg"},
        )
    )
    assert isinstance(r, GenerateImagesResponse) and len(r.generated_images) == 2
    image = r.generated_images[0].image
    assert isinstance(image, Image) and image.mime_type == "image/jpeg"
    assert image.image_bytes[:3] == b"\xff\xd8\xff" and image.size == (896, 1280)
    assert r.images == [x.image for x in r.generated_images] and r.http.status_code == 200
    saved = image.save(tmp_path / "kite.jpg")
    assert saved.read_bytes() == image.image_bytes
    converted = image.save(tmp_path / "out" / "kite.png")  # folders made, format converted
    assert converted.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    pil = image.to_pil()
    assert pil.size == (896, 1280)
    assert repr(image) == f"Image(image/jpeg, 896×1280, {len(image.image_bytes) / 1000:.0f} kB)"


async def test_filtered_images_keep_their_reason(run: Run) -> None:
    from google.genai import types as sdk_types

    # google-genai's own config and enums are taken as they are.
    config = sdk_types.GenerateImagesConfig(
        number_of_images=4,
        include_rai_reason=True,
        safety_filter_level=sdk_types.SafetyFilterLevel.BLOCK_MEDIUM_AND_ABOVE,
        person_generation=sdk_types.PersonGeneration.ALLOW_ADULT,
    )
    r = await run(
        lambda c: c.models.generate_images(
            model="imagen-4.0-generate-001", prompt="[emulator:safety] a storm", config=config
        )
    )
    assert len(r.images) == 2 and len(r.filtered_reasons) == 2
    assert [g.rai_filtered_reason is not None for g in r.generated_images] == [
        True,
        False,
        True,
        False,
    ]
    assert repr(r) == "GenerateImagesResponse(2 images, 2 filtered)"


async def test_imagen_errors_are_typed(run: Run) -> None:
    with pytest.raises(g.BadRequestError, match="Aspect ratio 2:1 is not supported") as info:
        await run(
            lambda c: c.models.generate_images(
                model="imagen-4.0-generate-001", prompt="a kite", config={"aspect_ratio": "2:1"}
            )
        )
    assert info.value.status_code == 400 and "16:9" in info.value.message
    with pytest.raises(g.BadRequestError, match="Responsible AI"):
        await run(
            lambda c: c.models.generate_images(
                model="imagen-4.0-generate-001", prompt="[emulator:block] a kite"
            )
        )
    with pytest.raises(g.InvalidInputError, match="non-empty text"):
        await run(lambda c: c.models.generate_images(model="imagen-4.0-generate-001", prompt=""))
    with pytest.raises(g.InvalidInputError, match="output_gcs_uri is only supported on Vertex"):
        await run(
            lambda c: c.models.generate_images(
                model="imagen-4.0-generate-001", prompt="x", config={"output_gcs_uri": "gs://b/x"}
            )
        )
    with pytest.raises(g.InvalidInputError, match="number_of_pics: Extra inputs are not permitted"):
        await run(
            lambda c: c.models.generate_images(
                model="imagen-4.0-generate-001", prompt="x", config={"number_of_pics": 2}
            )
        )


async def test_generate_videos_wait_and_download(run: Run, tmp_path: Path) -> None:
    op = await run(
        lambda c: c.models.generate_videos(
            model="veo-3.1-fast-generate-preview",
            prompt="a calm sea at night",
            config={"duration_seconds": 4, "aspect_ratio": "9:16"},
        )
    )
    cls = AsyncGenerateVideosOperation if run.kind == "async" else GenerateVideosOperation
    assert type(op) is cls and op.name.startswith("models/veo-3.1-fast-generate-preview/")
    assert not op.done
    seen: list[bool] = []
    result = await run(lambda c: op.wait(timeout=60, progress=lambda o: seen.append(o.done)))
    assert isinstance(result, GenerateVideosResponse) and op.result is result and seen[-1]
    video = result.generated_videos[0].video
    assert isinstance(video, Video) and video.uri and video.video_bytes is None
    assert "not downloaded" in repr(video)
    with pytest.raises(g.InvalidInputError, match=r"client\.files\.download\(file=video\)"):
        video.save(tmp_path / "early.mp4")
    data = await run(lambda c: c.files.download(file=video))
    assert data[4:8] == b"ftyp" and video.video_bytes == data
    assert video.save(tmp_path / "sea.mp4").read_bytes() == data
    import av

    with av.open(io.BytesIO(data)) as container:
        stream = container.streams.video[0]
        assert (stream.width, stream.height) == (720, 1280)
        assert abs(float(container.duration or 0) / 1e6 - 4) < 0.2
    # The operation can be looked up again by name and keeps its type.
    again = await run(lambda c: c.operations.get(op))
    assert type(again) is cls and again.done and again.result is not None


async def test_image_to_video_from_an_image(run: Run) -> None:
    start = Image(image_bytes=png(), mime_type="image/png")
    op = await run(
        lambda c: c.models.generate_videos(
            model="veo-3.0-generate-001",
            source={"prompt": "it ripples", "image": start},
            config={"duration_seconds": 4},
        )
    )
    result = await run(lambda c: op.wait(timeout=60))
    assert len(result.videos) == 1


async def test_video_failures_are_typed(run: Run) -> None:
    op = await run(
        lambda c: c.models.generate_videos(
            model="veo-3.1-fast-generate-preview",
            prompt="[emulator:fail] a storm",
            config={"duration_seconds": 4},
        )
    )
    with pytest.raises(g.OperationError, match="internal error") as info:
        await run(lambda c: op.wait(timeout=60))
    assert info.value.code == 13 and info.value.name == op.name
    blocked = await run(
        lambda c: c.models.generate_videos(
            model="veo-3.1-fast-generate-preview", prompt="[emulator:block] a storm"
        )
    )
    result = await run(lambda c: blocked.wait(timeout=60))
    assert result.videos == [] and result.rai_media_filtered_count == 1
    assert "Responsible AI" in (result.rai_media_filtered_reasons or [""])[0]
    with pytest.raises(g.BadRequestError, match="durationSeconds 5 is not supported"):
        await run(
            lambda c: c.models.generate_videos(
                model="veo-3.1-fast-generate-preview", prompt="x", config={"duration_seconds": 5}
            )
        )
    with pytest.raises(g.InvalidInputError, match="generate_audio is only supported on Vertex"):
        await run(
            lambda c: c.models.generate_videos(
                model="veo-3.1-fast-generate-preview", prompt="x", config={"generate_audio": True}
            )
        )
    with pytest.raises(g.InvalidInputError, match=r"source= or prompt=/image=/video=, not both"):
        await run(
            lambda c: c.models.generate_videos(
                model="veo-3.1-fast-generate-preview", prompt="x", source={"prompt": "y"}
            )
        )


async def test_a_download_of_an_expired_video(run: Run, emulator: Any) -> None:
    op = await run(
        lambda c: c.models.generate_videos(
            model="veo-3.1-fast-generate-preview", prompt="a kite", config={"duration_seconds": 4}
        )
    )
    video = (await run(lambda c: op.wait(timeout=60))).videos[0]
    emulator.app.clock.advance(48 * 3600 + 1)
    with pytest.raises(g.PermissionDeniedError, match="may not exist"):
        await run(lambda c: c.files.download(file=video))


async def test_image_output_edits_and_a_chat_of_edits(run: Run, tmp_path: Path) -> None:
    r = await run(
        lambda c: c.models.generate_content(
            model="gemini-2.5-flash-image",
            contents="a red star",
            config={
                "response_modalities": ["TEXT", "IMAGE"],
                "image_config": {"aspect_ratio": "16:9"},
            },
        )
    )
    assert r.text and len(r.images) == 1 and r.images[0].size == (1344, 768)
    assert r.parts[-1].as_image() == r.images[0] and r.parts[0].as_image() is None
    # An Image goes back in as an edit; a PIL image too.
    edited = await run(
        lambda c: c.models.generate_content(
            model="gemini-2.5-flash-image", contents=["make it black and white", r.images[0]]
        )
    )
    pil = edited.images[0].to_pil()
    assert pil.size == (1344, 768) and grey_everywhere(pil)
    pil_edit = await run(
        lambda c: c.models.generate_content(
            model="gemini-2.5-flash-image", contents=["invert it", pil]
        )
    )
    assert pil_edit.images[0].size == (1344, 768)
    # In a chat every turn edits the last picture.
    chat = run.client.chats.create(model="gemini-2.5-flash-image")
    first = await run(lambda c: chat.send_message("a blue circle"))
    second = await run(lambda c: chat.send_message("make it black and white"))
    assert first.images and second.images and first.images[0] != second.images[0]
    grey = second.images[0].to_pil()
    assert grey_everywhere(grey)
    assert len(chat.history) == 4


async def test_an_image_that_is_not_an_image(run: Run, tmp_path: Path) -> None:
    fake = Image(image_bytes=b"GIF89a but not really", mime_type="image/png")
    with pytest.raises(g.InvalidInputError, match="says it is image/png but its bytes are"):
        await run(
            lambda c: c.models.generate_content(
                model="gemini-2.5-flash-image", contents=["edit", fake]
            )
        )
    junk = Image(image_bytes=b"hello world", mime_type="image/png")
    with pytest.raises(g.InvalidInputError, match="is not an image"):
        await run(
            lambda c: c.models.generate_videos(
                model="veo-3.1-fast-generate-preview", prompt="x", image=junk
            )
        )
    path = tmp_path / "notes.png"
    path.write_text("not a picture")
    with pytest.raises(g.InvalidInputError, match="is not an image"):
        await run(
            lambda c: c.models.generate_videos(
                model="veo-3.1-fast-generate-preview", prompt="x", image=path
            )
        )
    # Bytes sent as a raw Part reach the server, which refuses them as the API does.
    from gemini_nb.types import Part

    with pytest.raises(g.BadRequestError, match="Request contains an invalid argument"):
        await run(
            lambda c: c.models.generate_content(
                model="gemini-2.5-flash-image",
                contents=[
                    Part.from_bytes(b"\x89PNG\r\n\x1a\nbroken", mime_type="image/png"),
                    "edit",
                ],
            )
        )
    with pytest.raises(g.InvalidInputError, match="is a folder"):
        Image(image_bytes=png(), mime_type="image/png").save(tmp_path)


async def test_speech_as_wav(run: Run, tmp_path: Path) -> None:
    r = await run(
        lambda c: c.models.generate_content(
            model="gemini-2.5-flash-preview-tts",
            contents="Say calmly: the tide is turning.",
            config={"response_modalities": ["AUDIO"], "speech_config": "Puck"},
        )
    )
    audio = r.audio
    assert isinstance(audio, Audio) and audio.sample_rate == 24_000 and audio.is_pcm
    assert audio.duration is not None and 1.0 < audio.duration < 5.0
    path = audio.save(tmp_path / "tide.wav")
    with wave.open(str(path)) as w:
        assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (24_000, 1, 2)
        assert abs(w.getnframes() / 24_000 - audio.duration) < 1e-6
    assert audio.save(tmp_path / "tide.pcm").read_bytes() == audio.data
    with pytest.raises(g.InvalidInputError, match=r"\.wav"):
        audio.save(tmp_path / "tide.mp3")
    two = await run(
        lambda c: c.models.generate_content(
            model="gemini-2.5-pro-preview-tts",
            contents="Ann: Hi Bob.\nBob: Hi Ann.",
            config={
                "response_modalities": ["AUDIO"],
                "speech_config": {
                    "multi_speaker_voice_config": {
                        "speaker_voice_configs": [
                            {
                                "speaker": "Ann",
                                "voice_config": {"prebuilt_voice_config": {"voice_name": "Kore"}},
                            },
                            {
                                "speaker": "Bob",
                                "voice_config": {"prebuilt_voice_config": {"voice_name": "Orus"}},
                            },
                        ]
                    }
                },
            },
        )
    )
    assert two.audio is not None and two.audio.duration and two.audio.duration > 1.0
    with pytest.raises(g.BadRequestError, match="Voice name Nobody is not supported"):
        await run(
            lambda c: c.models.generate_content(
                model="gemini-2.5-flash-preview-tts",
                contents="Hi",
                config={"response_modalities": ["AUDIO"], "speech_config": "Nobody"},
            )
        )
