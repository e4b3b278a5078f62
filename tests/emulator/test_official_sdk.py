"""The official SDK (google-genai) against the emulator: what a real client expects works."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel

genai = pytest.importorskip("google.genai")
from google.genai import types  # noqa: E402

pytestmark = pytest.mark.sdk
MODEL = "gemini-2.5-flash"


@pytest.fixture(params=["v1", "v1beta"])
def client(request: pytest.FixtureRequest, emulator: Any) -> Any:
    c = genai.Client(
        api_key="AIzaEMULATORKEY",
        http_options={"base_url": emulator.url, "api_version": request.param},
    )
    yield c
    c.close()


def test_generate(client: Any) -> None:
    r = client.models.generate_content(
        model=MODEL,
        contents="Tell me about lighthouses.",
        config=types.GenerateContentConfig(
            system_instruction="Be concise.",
            temperature=0.3,
            max_output_tokens=200,
            thinking_config=types.ThinkingConfig(thinking_budget=0),
        ),
    )
    assert r.text and r.candidates[0].finish_reason == types.FinishReason.STOP
    assert r.usage_metadata.prompt_token_count > 0


def test_stream(client: Any) -> None:
    chunks = list(client.models.generate_content_stream(model=MODEL, contents="Describe a forest."))
    assert len(chunks) > 1
    whole = client.models.generate_content(model=MODEL, contents="Describe a forest.")
    assert "".join(c.text or "" for c in chunks) == whole.text


async def test_async_stream(client: Any) -> None:
    stream = await client.aio.models.generate_content_stream(
        model=MODEL, contents="Describe a forest."
    )
    texts = [c.text async for c in stream]
    assert len(texts) > 1


def test_snake_case_nested_fields_accepted(client: Any) -> None:
    # The SDK sends inlineData.mime_type, thinkingConfig.include_thoughts... in snake_case.
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    r = client.models.generate_content(
        model=MODEL,
        contents=[types.Part.from_bytes(data=png, mime_type="image/png"), "What is this?"],
        config=types.GenerateContentConfig(
            thinking_config=types.ThinkingConfig(include_thoughts=True)
        ),
    )
    assert r.text


class Pet(BaseModel):
    name: str
    species: str


def test_structured_output(client: Any) -> None:
    r = client.models.generate_content(
        model=MODEL,
        contents="Invent a pet.",
        config={"response_mime_type": "application/json", "response_schema": Pet},
    )
    assert isinstance(r.parsed, Pet)


def test_count_tokens(client: Any) -> None:
    r = client.models.count_tokens(model=MODEL, contents="How many tokens is this?")
    assert r.total_tokens > 0


def test_embed(client: Any) -> None:
    r = client.models.embed_content(
        model="gemini-embedding-001",
        contents=["first text", "second text"],
        config=types.EmbedContentConfig(output_dimensionality=64, task_type="RETRIEVAL_DOCUMENT"),
    )
    assert [len(e.values) for e in r.embeddings] == [64, 64]


def test_models_list_and_get(client: Any) -> None:
    names = [m.name for m in client.models.list(config={"page_size": 5})]
    assert len(names) > 10 and "models/gemini-2.5-flash" in names
    m = client.models.get(model=MODEL)
    assert m.input_token_limit and m.display_name


def test_chat(client: Any) -> None:
    chat = client.chats.create(model=MODEL)
    chat.send_message("Hi, my name is Ada.")
    r = chat.send_message("What is my name?")
    assert "Ada" in r.text
    assert len(chat.get_history()) == 4


def test_errors_map_to_sdk_errors(client: Any) -> None:
    from google.genai import errors

    with pytest.raises(errors.ClientError) as info:
        client.models.generate_content(model="gemini-0-missing", contents="hi")
    assert info.value.code == 404 and info.value.status == "NOT_FOUND"


def test_automatic_function_calling(client: Any) -> None:
    calls: list[str] = []

    def get_weather(city: str) -> dict[str, Any]:
        """Current weather in a city.

        Args:
            city: The city name.
        """
        calls.append(city)
        return {"city": city, "temperature_c": 18, "sky": "sunny"}

    r = client.models.generate_content(
        model=MODEL,
        contents="What's the weather in Paris?",
        config=types.GenerateContentConfig(tools=[get_weather]),
    )
    assert calls == ["Paris"]
    assert "Paris" in r.text and "18" in r.text
    assert len(r.automatic_function_calling_history) >= 3


# ------------------------------------------------------------------------------ files


def _sha_field(data: bytes) -> str:
    import base64
    import hashlib

    return base64.b64encode(hashlib.sha256(data).hexdigest().encode()).decode()


def test_files_upload_get_list_delete(client: Any, emulator: Any, tmp_path: Any) -> None:
    from google.genai import errors

    data = b"%PDF-1.4\n1 0 obj << /Type /Page >> endobj\n%%EOF\n"
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    f = client.files.upload(file=path, config={"display_name": "Quarterly report"})
    assert f.name.startswith("files/") and f.display_name == "Quarterly report"
    assert (f.mime_type, f.size_bytes, f.sha256_hash) == (
        "application/pdf",
        len(data),
        _sha_field(data),
    )
    assert f.state == types.FileState.ACTIVE and f.source == types.FileSource.UPLOADED
    assert f.uri.startswith(emulator.url) and f.download_uri is None
    assert f.expiration_time > f.create_time
    assert client.files.get(name=f.name) == f
    assert f.name in [x.name for x in client.files.list(config={"page_size": 100})]
    client.files.delete(name=f.name)
    with pytest.raises(errors.ClientError) as info:
        client.files.get(name=f.name)
    assert info.value.code == 403 and info.value.status == "PERMISSION_DENIED"


def test_files_upload_in_chunks(client: Any, emulator: Any, sent: Any) -> None:
    import io
    import random

    from gemini_nb.emulator.wire.upload import stats

    data = random.Random(7).randbytes(9 * 1024 * 1024)  # two of the SDK's 8 MiB chunks
    f = client.files.upload(file=io.BytesIO(data), config={"mime_type": "application/octet-stream"})
    assert (f.size_bytes, f.sha256_hash) == (len(data), _sha_field(data))
    chunks = [r for r in sent if r["headers"].get("x-goog-upload-command", "").startswith("upload")]
    assert [r["headers"]["x-goog-upload-offset"] for r in chunks] == ["0", str(8 * 1024 * 1024)]
    assert "x-goog-api-key" not in chunks[0]["headers"]  # the session URL is the credential
    mine = [u for u in stats(emulator.app.store)["uploads"] if u["sizeReceived"] == len(data)]
    assert mine and mine[-1]["resentBytes"] == 0
    client.files.delete(name=f.name)


def test_files_in_a_prompt(client: Any) -> None:
    import struct
    import zlib

    def chunk(tag: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + tag + body + struct.pack(">I", zlib.crc32(tag + body))

    image = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 8, 6, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(b"".join(b"\x00" + b"\x10" * 24 for _ in range(6))))
        + chunk(b"IEND", b"")
    )
    import io

    f = client.files.upload(file=io.BytesIO(image), config={"mime_type": "image/png"})
    r = client.models.generate_content(model=MODEL, contents=[f, "Describe this image."])
    assert "PNG" in r.text and "8×6" in r.text
    assert {d.modality: d.token_count for d in r.usage_metadata.prompt_tokens_details}[
        types.MediaModality.IMAGE
    ] == 258
    client.files.delete(name=f.name)


def test_files_download(client: Any, emulator: Any, tmp_path: Any) -> None:
    import io

    from google.genai import errors

    from gemini_nb.emulator.backends.files import add_generated_file

    uploaded = client.files.upload(file=io.BytesIO(b"mine"), config={"mime_type": "text/plain"})
    with pytest.raises(ValueError, match="Only generated files can be downloaded"):
        client.files.download(file=uploaded)  # refused by the SDK itself
    with pytest.raises(errors.ClientError) as info:
        client.files.download(file=uploaded.name)  # and by the emulator, as sent by name
    assert info.value.code == 400
    data = bytes(range(256)) * 4096
    generated = add_generated_file(emulator.app.store, data, "video/mp4")
    meta = client.files.get(name=generated.name)
    assert meta.source == types.FileSource.GENERATED and meta.download_uri
    assert client.files.download(file=meta) == data  # the SDK follows the 302
    # The SDK reads a file id only out of https URIs, such as the real service's.
    real_uri = meta.download_uri.replace(emulator.url, "https://generativelanguage.googleapis.com")
    video = types.Video(uri=real_uri)
    assert client.files.download(file=video) == data and video.video_bytes == data
    target = tmp_path / "out.mp4"
    client.files.download(file=generated.name, destination=str(target))
    assert target.read_bytes() == data


async def test_files_async(client: Any) -> None:
    import io

    f = await client.aio.files.upload(
        file=io.BytesIO(b"async bytes"), config={"mime_type": "text/plain"}
    )
    assert (await client.aio.files.get(name=f.name)).sha256_hash == _sha_field(b"async bytes")
    pager = await client.aio.files.list(config={"page_size": 100})
    names = [x.name async for x in pager]
    assert f.name in names
    await client.aio.files.delete(name=f.name)
