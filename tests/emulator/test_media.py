"""The emulator's pictures, videos and speech over loopback: Imagen (:predict), Veo
(:predictLongRunning, an operation on the clock, a downloaded MP4), Gemini image output and
edits, TTS voices; their errors; and google-genai's calls where its Developer API mode allows
them."""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator
from typing import Any

import httpx
import numpy as np
import pytest
from PIL import Image

av = pytest.importorskip("av")

IMAGEN = "imagen-4.0-generate-001"
VEO = "veo-3.1-fast-generate-preview"
FLASH_IMAGE = "gemini-2.5-flash-image"
PRO_IMAGE = "gemini-3-pro-image-preview"
TTS = "gemini-2.5-flash-preview-tts"
RATE = 24_000


@pytest.fixture(scope="module")
def emulator() -> Iterator[Any]:
    """An emulator of this module's own: tests move its clock to finish video operations."""
    from gemini_nb.emulator import EmulatorServer

    with EmulatorServer() as server:
        yield server


@pytest.fixture(scope="module")
def http(emulator: Any) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"{emulator.url}/v1beta/", timeout=120) as client:
        yield client


def predict(http: httpx.Client, prompt: str, model: str = IMAGEN, **params: Any) -> httpx.Response:
    return http.post(
        f"models/{model}:predict", json={"instances": [{"prompt": prompt}], "parameters": params}
    )


def picture(data: bytes | str) -> Image.Image:
    raw = base64.b64decode(data) if isinstance(data, str) else data
    return Image.open(io.BytesIO(raw)).convert("RGB")


def share(img: Image.Image, colour: tuple[int, int, int], tol: int = 30) -> float:
    """The fraction of pixels within ``tol`` of ``colour``."""
    a = np.asarray(img).astype(int)
    near = np.all(np.abs(a - np.array(colour)) <= tol, axis=2)
    return float(near.mean())


RED = (220, 50, 47)
BLUE = (40, 100, 220)


# ----------------------------------------------------------------------------------- Imagen


def test_imagen_makes_the_requested_pictures(http: httpx.Client) -> None:
    r = predict(http, "three red circles", sampleCount=3, aspectRatio="16:9")
    assert r.status_code == 200
    predictions = r.json()["predictions"]
    assert len(predictions) == 3
    sizes = {picture(p["bytesBase64Encoded"]).size for p in predictions}
    assert sizes == {(1408, 768)} and {p["mimeType"] for p in predictions} == {"image/png"}
    # The prompt's colour is drawn; the three pictures differ; the same request repeats.
    assert all(share(picture(p["bytesBase64Encoded"]), RED) > 0.05 for p in predictions)
    assert len({p["bytesBase64Encoded"] for p in predictions}) == 3
    again = predict(http, "three red circles", sampleCount=3, aspectRatio="16:9").json()
    assert again == r.json()


def test_imagen_default_count_jpeg_and_2k(http: httpx.Client) -> None:
    r = predict(
        http,
        "a blue house",
        sampleImageSize="2K",
        outputOptions={"mimeType": "image/jpeg", "compressionQuality": 80},
    ).json()
    assert len(r["predictions"]) == 4  # the documented default
    first = r["predictions"][0]
    assert first["mimeType"] == "image/jpeg"
    assert base64.b64decode(first["bytesBase64Encoded"])[:3] == b"\xff\xd8\xff"
    assert picture(first["bytesBase64Encoded"]).size == (2048, 2048)
    assert share(picture(first["bytesBase64Encoded"]), BLUE, tol=40) > 0.02


def test_imagen_negative_prompt_leaves_out_what_it_names(http: httpx.Client) -> None:
    both = predict(http, "a red circle and a blue square", sampleCount=1).json()["predictions"][0]
    without = predict(
        http, "a red circle and a blue square", sampleCount=1, negativePrompt="red"
    ).json()["predictions"][0]
    assert share(picture(both["bytesBase64Encoded"]), RED) > 0.02
    assert share(picture(without["bytesBase64Encoded"]), RED) < 0.001


@pytest.mark.parametrize(
    ("params", "model", "message"),
    [
        (
            {"aspectRatio": "2:1"},
            IMAGEN,
            "Aspect ratio 2:1 is not supported by this model; "
            "supported values are: 1:1, 3:4, 4:3, 9:16, 16:9.",
        ),
        ({"sampleCount": 5}, IMAGEN, "sampleCount must be between 1 and 4"),
        ({"sampleCount": 2}, "imagen-4.0-ultra-generate-001", "between 1 and 1"),
        ({"sampleImageSize": "2K"}, "imagen-4.0-fast-generate-001", "Image size 2K"),
        ({"personGeneration": "everyone"}, IMAGEN, "personGeneration everyone"),
        ({"safetySetting": "block_most"}, IMAGEN, "safetySetting block_most"),
    ],
)
def test_imagen_refuses_what_the_model_does_not_take(
    http: httpx.Client, params: dict[str, Any], model: str, message: str
) -> None:
    r = predict(http, "a kite", model, **params)
    assert r.status_code == 400
    assert r.json()["error"]["status"] == "INVALID_ARGUMENT"
    assert message in r.json()["error"]["message"]


def test_imagen_filters_and_says_why(http: httpx.Client) -> None:
    r = predict(http, "[emulator:safety] a storm", sampleCount=4, includeRaiReason=True).json()
    reasons = [p.get("raiFilteredReason") for p in r["predictions"]]
    assert sum(1 for x in reasons if x) == 2 and all("Responsible AI" in x for x in reasons if x)
    # Without includeRaiReason the filtered pictures are left out; block_only_high keeps them.
    assert len(predict(http, "[emulator:safety] a storm", sampleCount=4).json()["predictions"]) == 2
    kept = predict(
        http, "[emulator:safety] a storm", sampleCount=4, safetySetting="block_only_high"
    ).json()
    assert len(kept["predictions"]) == 4
    # People with person generation off: nothing left, an empty answer.
    assert predict(http, "a woman with a kite", personGeneration="dont_allow").json() == {}
    blocked = predict(http, "[emulator:block] a kite")
    assert blocked.status_code == 400
    assert "violate Google's Responsible AI practices" in blocked.json()["error"]["message"]


def test_imagen_safety_attributes_rate_the_prompt_last(http: httpx.Client) -> None:
    r = predict(http, "a kite", sampleCount=2, includeSafetyAttributes=True).json()["predictions"]
    assert len(r) == 3 and r[-1]["contentType"] == "Positive Prompt"
    attrs = r[0]["safetyAttributes"]
    assert len(attrs["categories"]) == len(attrs["scores"]) >= 1


# ----------------------------------------------------------------------------------- Gemini


def generate(
    http: httpx.Client, model: str, contents: list[dict[str, Any]], **config: Any
) -> httpx.Response:
    return http.post(
        f"models/{model}:generateContent", json={"contents": contents, "generationConfig": config}
    )


def user(*parts: Any) -> dict[str, Any]:
    return {"role": "user", "parts": [p if isinstance(p, dict) else {"text": p} for p in parts]}


def inline(data: bytes, mime: str = "image/png") -> dict[str, Any]:
    return {"inlineData": {"mimeType": mime, "data": base64.b64encode(data).decode()}}


def image_part(response: dict[str, Any]) -> dict[str, Any]:
    parts = response["candidates"][0]["content"]["parts"]
    return next(p["inlineData"] for p in parts if "inlineData" in p)


@pytest.mark.parametrize(
    ("model", "config", "size", "mime"),
    [
        (FLASH_IMAGE, {}, (1024, 1024), "image/png"),
        (FLASH_IMAGE, {"aspectRatio": "16:9"}, (1344, 768), "image/png"),
        (FLASH_IMAGE, {"aspectRatio": "9:16"}, (768, 1344), "image/png"),
        (PRO_IMAGE, {"aspectRatio": "4:3", "imageSize": "2K"}, (2400, 1792), "image/jpeg"),
    ],
)
def test_gemini_image_output_size(
    http: httpx.Client, model: str, config: dict[str, Any], size: tuple[int, int], mime: str
) -> None:
    r = generate(
        http,
        model,
        [user("a yellow star over the sea")],
        responseModalities=["TEXT", "IMAGE"],
        imageConfig=config,
    )
    assert r.status_code == 200, r.text
    blob = image_part(r.json())
    assert blob["mimeType"] == mime and picture(blob["data"]).size == size
    usage = r.json()["usageMetadata"]
    assert {"modality": "IMAGE", "tokenCount": 1290} in usage["candidatesTokensDetails"]


def test_gemini_image_config_errors_are_the_apis(http: httpx.Client) -> None:
    r = generate(http, FLASH_IMAGE, [user("a kite")], imageConfig={"aspectRatio": "7:3"})
    assert r.status_code == 400
    assert r.json()["error"]["message"] == (
        "* GenerateContentRequest.generation_config.image_config.aspect_ratio: aspect_ratio "
        "must be one of '1:1', '2:3', '3:2', '3:4', '4:3', '4:5', '5:4', '9:16', '16:9', or "
        "'21:9'.\n"
    )
    r = generate(http, FLASH_IMAGE, [user("a kite")], imageConfig={"imageSize": "4K"})
    assert r.status_code == 400 and "image_size must be one of '1K'" in r.text


def test_an_edit_changes_the_input_picture_as_asked(http: httpx.Client) -> None:
    source = Image.new("RGB", (600, 400), (200, 40, 40))
    buf = io.BytesIO()
    source.save(buf, format="PNG")
    r = generate(http, FLASH_IMAGE, [user(inline(buf.getvalue()), "make it black and white")])
    edited = picture(image_part(r.json())["data"])
    assert edited.size == (1248, 832)  # the input's 3:2, at the model's size
    a = np.asarray(edited).astype(int)
    assert (a[..., 0] == a[..., 1]).all() and (a[..., 1] == a[..., 2]).all()  # grey
    # A request naming a thing adds it; one naming nothing still changes the picture.
    star = picture(
        image_part(
            generate(http, FLASH_IMAGE, [user(inline(buf.getvalue()), "add a blue star")]).json()
        )["data"]
    )
    assert share(star, BLUE, tol=40) > 0.01
    plain = picture(
        image_part(
            generate(http, FLASH_IMAGE, [user(inline(buf.getvalue()), "make it nicer")]).json()
        )["data"]
    )
    assert share(plain, (200, 40, 40), tol=10) < 0.95


def test_multi_turn_edits_work_on_the_models_last_picture(http: httpx.Client) -> None:
    first = generate(http, FLASH_IMAGE, [user("a red circle")]).json()
    turn = first["candidates"][0]["content"]
    second = generate(http, FLASH_IMAGE, [user("a red circle"), turn, user("invert it")]).json()
    before = np.asarray(picture(image_part(first)["data"])).astype(int)
    after = np.asarray(picture(image_part(second)["data"])).astype(int)
    assert before.shape == after.shape
    assert np.abs((255 - before) - after).mean() < 2  # the same picture, inverted


def test_an_image_that_is_not_an_image_is_refused(http: httpx.Client) -> None:
    r = generate(http, FLASH_IMAGE, [user(inline(b"\x89PNG\r\n\x1a\nnot really"), "edit this")])
    assert r.status_code == 400
    error = r.json()["error"]
    assert error["message"] == "Request contains an invalid argument."
    assert "Source image 0" in error["details"][0]["detail"]


# ----------------------------------------------------------------------------------- Veo


def start_video(
    http: httpx.Client, instance: dict[str, Any], model: str = VEO, **params: Any
) -> httpx.Response:
    return http.post(
        f"models/{model}:predictLongRunning", json={"instances": [instance], "parameters": params}
    )


def finish(http: httpx.Client, emulator: Any, name: str) -> dict[str, Any]:
    op = http.get(name).json()
    assert op == {"name": name}  # still running, as recorded
    emulator.app.clock.advance(60)
    op = http.get(name).json()
    assert op["done"] is True
    return op


def video_facts(data: bytes) -> dict[str, Any]:
    with av.open(io.BytesIO(data)) as container:
        stream = container.streams.video[0]
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
        return {
            "codec": stream.codec_context.name,
            "size": (stream.width, stream.height),
            "seconds": float(container.duration or 0) / 1e6,
            "frames": len(frames),
            "audio": bool(container.streams.audio),
            "first": frames[0],
            "last": frames[-1],
        }


def download(http: httpx.Client, uri: str) -> httpx.Response:
    return http.get(uri, follow_redirects=True)


def test_text_to_video_through_an_operation_and_a_download(
    http: httpx.Client, emulator: Any
) -> None:
    r = start_video(http, {"prompt": "two birds over the sea at sunset"}, durationSeconds=4)
    assert r.status_code == 200
    name = r.json()["name"]
    assert name.startswith(f"models/{VEO}/operations/") and set(r.json()) == {"name"}
    op = finish(http, emulator, name)
    assert op["response"]["@type"].endswith("PredictLongRunningResponse")
    samples = op["response"]["generateVideoResponse"]["generatedSamples"]
    uri = samples[0]["video"]["uri"]
    assert uri.startswith(emulator.url) and uri.endswith(":download?alt=media")
    got = download(http, uri)
    assert got.status_code == 200 and got.headers["content-type"] == "video/mp4"
    facts = video_facts(got.content)
    assert facts["codec"] == "h264" and facts["size"] == (1280, 720)
    assert abs(facts["seconds"] - 4) < 0.2 and facts["frames"] == 96 and facts["audio"]
    assert not np.array_equal(facts["first"], facts["last"])  # it moves


def test_portrait_1080p_and_a_veo_2_video_without_sound(http: httpx.Client, emulator: Any) -> None:
    tall = start_video(http, {"prompt": "a tree"}, aspectRatio="9:16", resolution="1080p")
    old = start_video(http, {"prompt": "a tree"}, "veo-2.0-generate-001", durationSeconds=5)
    emulator.app.clock.advance(60)
    facts = []
    for r in (tall, old):
        op = http.get(r.json()["name"]).json()
        uri = op["response"]["generateVideoResponse"]["generatedSamples"][0]["video"]["uri"]
        facts.append(video_facts(download(http, uri).content))
    assert facts[0]["size"] == (1080, 1920) and abs(facts[0]["seconds"] - 8) < 0.2
    assert facts[1]["size"] == (1280, 720) and not facts[1]["audio"]


def test_image_to_video_starts_on_the_image(http: httpx.Client, emulator: Any) -> None:
    start = Image.new("RGB", (640, 360), (30, 160, 60))
    buf = io.BytesIO()
    start.save(buf, format="PNG")
    image = {
        "bytesBase64Encoded": base64.b64encode(buf.getvalue()).decode(),
        "mimeType": "image/png",
    }
    r = start_video(http, {"prompt": "the field sways", "image": image}, durationSeconds=4)
    op = finish(http, emulator, r.json()["name"])
    uri = op["response"]["generateVideoResponse"]["generatedSamples"][0]["video"]["uri"]
    first = video_facts(download(http, uri).content)["first"]
    assert np.abs(first.reshape(-1, 3).mean(axis=0) - (30, 160, 60)).max() < 8


def test_a_video_extended_from_its_last_frame(http: httpx.Client, emulator: Any) -> None:
    first = finish(
        http,
        emulator,
        start_video(http, {"prompt": "three red balloons"}, durationSeconds=4).json()["name"],
    )
    uri = first["response"]["generateVideoResponse"]["generatedSamples"][0]["video"]["uri"]
    before = video_facts(download(http, uri).content)["last"]
    longer = finish(
        http,
        emulator,
        start_video(
            http, {"prompt": "they drift away", "video": {"uri": uri}}, durationSeconds=4
        ).json()["name"],
    )
    next_uri = longer["response"]["generateVideoResponse"]["generatedSamples"][0]["video"]["uri"]
    after = video_facts(download(http, next_uri).content)["first"]
    # The continuation starts where the video ended (up to the codec's losses).
    assert np.abs(before.astype(int) - after.astype(int)).mean() < 6
    missing = start_video(http, {"prompt": "x", "video": {"uri": "https://example.com/v.mp4"}})
    assert missing.status_code == 400 and "a video Veo generated" in missing.text


@pytest.mark.parametrize(
    ("instance", "params", "message"),
    [
        ({"prompt": "x"}, {"durationSeconds": 5}, "durationSeconds 5 is not supported"),
        ({"prompt": "x"}, {"aspectRatio": "1:1"}, "Aspect ratio 1:1 is not supported"),
        ({"prompt": "x"}, {"resolution": "1080p", "durationSeconds": 4}, "only supported with"),
        ({"prompt": "x"}, {"personGeneration": "dont_allow"}, "personGeneration dont_allow"),
        ({}, {}, "A prompt or an image is required"),
        (
            {
                "prompt": "x",
                "image": {"bytesBase64Encoded": "bm90IGFuIGltYWdl", "mimeType": "image/png"},
            },
            {},
            "invalid argument",
        ),
    ],
)
def test_video_requests_it_refuses(
    http: httpx.Client, instance: dict[str, Any], params: dict[str, Any], message: str
) -> None:
    r = start_video(http, instance, **params)
    assert r.status_code == 400 and message in r.json()["error"]["message"]


def test_a_failed_and_a_filtered_video_operation(http: httpx.Client, emulator: Any) -> None:
    failed = finish(
        http, emulator, start_video(http, {"prompt": "[emulator:fail] waves"}).json()["name"]
    )
    assert failed["error"]["code"] == 13 and "internal error" in failed["error"]["message"]
    assert "response" not in failed
    blocked = finish(
        http, emulator, start_video(http, {"prompt": "[emulator:block] waves"}).json()["name"]
    )
    result = blocked["response"]["generateVideoResponse"]
    assert result["raiMediaFilteredCount"] == 1 and "generatedSamples" not in result
    assert "Responsible AI" in result["raiMediaFilteredReasons"][0]


def test_generated_videos_expire_with_their_files(http: httpx.Client, emulator: Any) -> None:
    op = finish(
        http, emulator, start_video(http, {"prompt": "a star"}, durationSeconds=4).json()["name"]
    )
    uri = op["response"]["generateVideoResponse"]["generatedSamples"][0]["video"]["uri"]
    emulator.app.clock.advance(48 * 3600 + 1)
    gone = download(http, uri)
    assert gone.status_code == 403 and "may not exist" in gone.json()["error"]["message"]


# ----------------------------------------------------------------------------------- speech


def speech(http: httpx.Client, text: str, speech_config: dict[str, Any] | None = None) -> bytes:
    config: dict[str, Any] = {"responseModalities": ["AUDIO"]}
    if speech_config is not None:
        config["speechConfig"] = speech_config
    r = generate(http, TTS, [user(text)], **config)
    assert r.status_code == 200, r.text
    blob = r.json()["candidates"][0]["content"]["parts"][0]["inlineData"]
    assert blob["mimeType"] == "audio/L16;codec=pcm;rate=24000"
    return base64.b64decode(blob["data"])


def voice(name: str) -> dict[str, Any]:
    return {"voiceConfig": {"prebuiltVoiceConfig": {"voiceName": name}}}


def pitch(samples: np.ndarray) -> float:
    """The median fundamental frequency (70-300 Hz) of the voiced 40 ms frames."""
    size, lo, hi = RATE // 25, RATE // 300, RATE // 70
    found = []
    for start in range(0, len(samples) - size, size):
        x = samples[start : start + size].astype(float)
        if np.sqrt((x**2).mean()) < 2000:
            continue  # silence, a consonant or a syllable's edge
        x -= x.mean()
        corr = np.correlate(x, x, mode="full")[size - 1 :]
        found.append(RATE / (lo + int(np.argmax(corr[lo:hi]))))
    return float(np.median(found))


def near(measured: float, voice_pitch: float) -> bool:
    # Sentences fall by up to 15 % and syllables wobble by 4 %: the median sits a little low.
    return 0.8 * voice_pitch < measured < 1.06 * voice_pitch


def test_speech_length_follows_the_text(http: httpx.Client) -> None:
    short = speech(http, "The tide comes in at noon.")
    long = speech(http, "The tide comes in at noon. " * 4)
    assert 1.0 < len(short) / (2 * RATE) < 4.0
    assert 3.3 < len(long) / len(short) < 4.5


def test_each_voice_has_its_own_pitch_and_speakers_get_theirs(http: httpx.Client) -> None:
    from gemini_nb.emulator.model.speech import voice as voice_of

    low, high = voice_of("Kore").pitch, voice_of("Charon").pitch
    kore = np.frombuffer(speech(http, "Hello there, friend.", voice("Kore")), "<i2")
    charon = np.frombuffer(speech(http, "Hello there, friend.", voice("Charon")), "<i2")
    assert high - low > 50 and near(pitch(kore), low) and near(pitch(charon), high)
    # Multi-speaker: Joe's line in Kore's voice, then Jane's in Charon's; the preamble unsaid.
    dialogue = (
        "TTS the following conversation between Joe and Jane:\n"
        "Joe: How is the sea today?\nJane: Calm and blue, thank you."
    )
    both = np.frombuffer(
        speech(
            http,
            dialogue,
            {
                "multiSpeakerVoiceConfig": {
                    "speakerVoiceConfigs": [
                        {"speaker": "Joe", **voice("Kore")},
                        {"speaker": "Jane", **voice("Charon")},
                    ]
                }
            },
        ),
        "<i2",
    )
    joe = np.frombuffer(speech(http, "How is the sea today?", voice("Kore")), "<i2")
    first, second = both[: len(joe) - RATE // 3], both[len(joe) + RATE // 2 :]
    assert near(pitch(first), low) and near(pitch(second), high)


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (voice("Nobody"), "Voice name Nobody is not supported"),
        (
            {
                "multiSpeakerVoiceConfig": {
                    "speakerVoiceConfigs": [{"speaker": "A", **voice("Kore")}]
                }
            },
            "exactly 2 speaker_voice_configs",
        ),
    ],
)
def test_speech_config_errors(http: httpx.Client, config: dict[str, Any], message: str) -> None:
    r = generate(http, TTS, [user("Hi")], responseModalities=["AUDIO"], speechConfig=config)
    assert r.status_code == 400 and message in r.json()["error"]["message"]


# ----------------------------------------------------------------------------------- the SDK

genai = pytest.importorskip("google.genai")


@pytest.fixture
def sdk(emulator: Any) -> Iterator[Any]:
    client = genai.Client(
        api_key="AIzaEMULATORKEY", http_options={"base_url": emulator.url, "api_version": "v1beta"}
    )
    yield client
    client.close()


@pytest.mark.sdk
def test_sdk_image_output_and_an_edit(sdk: Any) -> None:
    from google.genai import types

    r = sdk.models.generate_content(
        model=FLASH_IMAGE,
        contents="a red circle",
        config=types.GenerateContentConfig(
            response_modalities=["TEXT", "IMAGE"],
            image_config=types.ImageConfig(aspect_ratio="3:2"),
        ),
    )
    image = next(p.as_image() for p in r.parts if p.inline_data is not None)
    assert picture(image.image_bytes).size == (1248, 832)
    edited = sdk.models.generate_content(
        model=FLASH_IMAGE,
        contents=[
            types.Part.from_bytes(data=image.image_bytes, mime_type="image/png"),
            "make it black and white",
        ],
    )
    grey = np.asarray(picture(next(p.inline_data.data for p in edited.parts if p.inline_data)))
    assert (grey[..., 0] == grey[..., 2]).all()


@pytest.mark.sdk
def test_sdk_speech_with_two_speakers(sdk: Any) -> None:
    from google.genai import types

    config = types.GenerateContentConfig(
        response_modalities=["AUDIO"],
        speech_config=types.SpeechConfig(
            multi_speaker_voice_config=types.MultiSpeakerVoiceConfig(
                speaker_voice_configs=[
                    types.SpeakerVoiceConfig(
                        speaker=s,
                        voice_config=types.VoiceConfig(
                            prebuilt_voice_config=types.PrebuiltVoiceConfig(voice_name=v)
                        ),
                    )
                    for s, v in (("Joe", "Kore"), ("Jane", "Puck"))
                ]
            )
        ),
    )
    r = sdk.models.generate_content(
        model=TTS, contents="Joe: Hi!\nJane: Hello, Joe.", config=config
    )
    blob = r.candidates[0].content.parts[0].inline_data
    assert blob.mime_type.startswith("audio/L16") and len(blob.data) > RATE


@pytest.mark.sdk
@pytest.mark.filterwarnings("ignore:The generate_images method is deprecated")
def test_sdk_polls_and_downloads_a_veo_video(sdk: Any, http: httpx.Client, emulator: Any) -> None:
    from google.genai import types

    # google-genai 3 refuses generate_videos on the Developer API before sending anything
    # (Vertex only); the operation and the download are Developer API calls it makes.
    with pytest.raises(ValueError, match="only supported in Gemini Enterprise"):
        sdk.models.generate_videos(model=VEO, source=types.GenerateVideosSource(prompt="x"))
    with pytest.raises(ValueError, match="only supported in Gemini Enterprise"):
        sdk.models.generate_images(model=IMAGEN, prompt="x")
    name = start_video(http, {"prompt": "a kite"}, durationSeconds=4).json()["name"]
    op = sdk.operations.get(types.GenerateVideosOperation(name=name))
    assert not op.done
    emulator.app.clock.advance(60)
    op = sdk.operations.get(op)
    assert op.done and op.result is not None
    video = op.result.generated_videos[0].video
    # The SDK reads a file id only out of the real service's https URIs.
    video.uri = video.uri.replace(emulator.url, "https://generativelanguage.googleapis.com")
    data = sdk.files.download(file=video)
    assert data[4:8] == b"ftyp" and video.video_bytes == data
