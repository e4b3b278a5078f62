"""client.files against the emulator over loopback, on both clients: resumable upload (and a
cut upload resumed from the committed offset), get, list, delete, download, files in prompts,
and waiting for processing."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

import gemini_nb as g
from gemini_nb.types import File
from tests.conftest import TEST_KEY

from ._run import Run, open_run

MIB = 1024 * 1024
# The API answers the start of an upload with X-Goog-Upload-Chunk-Granularity 8388608 (as
# recorded), and the emulator too: chunks are 8 MiB, so a file of several chunks is > 8 MiB.
CHUNK = 8 * MIB


@pytest.fixture(scope="module")
def emulator() -> Iterator[Any]:
    """An emulator of this module's own, whose clock runs 10 times as fast: a video is
    PROCESSING for 3 s on its clock, a third of a second here."""
    from gemini_nb.emulator import EmulatorOptions, EmulatorServer

    with EmulatorServer(options=EmulatorOptions(clock_speed=10.0)) as server:
        yield server


@pytest.fixture(params=["sync", "async"])
async def run(request: pytest.FixtureRequest, emulator: Any) -> AsyncIterator[Run]:
    async with open_run(request.param, emulator.url) as r:
        yield r


def payload(n: int) -> bytes:
    return (bytes(range(251)) * (n // 251 + 1))[:n]


def sha256_field(data: bytes) -> str:
    # The API's sha256Hash is the base64 of the hex digest (as recorded).
    return base64.b64encode(hashlib.sha256(data).hexdigest().encode()).decode()


def upload_stats(emulator: Any) -> dict[str, Any]:
    from gemini_nb.emulator.wire.upload import stats

    result: dict[str, Any] = stats(emulator.app.store)
    return result


async def test_upload_get_list_delete(run: Run, tmp_path: Path) -> None:
    src = tmp_path / "notes.pdf"
    data = b"%PDF-1.4\n" + payload(2 * CHUNK + 1234)
    src.write_bytes(data)
    sent: list[tuple[int, int]] = []
    f = await run(lambda c: c.files.upload(file=src, progress=lambda s, t: sent.append((s, t))))
    assert isinstance(f, File) and f.name and f.name.startswith("files/")
    assert (
        f.state == "ACTIVE" and f.mime_type == "application/pdf" and f.display_name == "notes.pdf"
    )
    assert f.size_bytes == len(data) and f.sha256_hash == sha256_field(data)
    assert f.uri and f.uri.endswith(f"/v1beta/{f.name}") and f.source == "UPLOADED"
    assert [s for s, _ in sent] == [0, CHUNK, 2 * CHUNK, len(data)]

    got = await run(lambda c: c.files.get(name=f.name))
    assert got.name == f.name and got.size_bytes == len(data) and got.expiration_time
    assert (await run(lambda c: c.files.get(name=f.uri))).name == f.name

    others = [
        await run(lambda c, i=i: c.files.upload(file=f"text {i}".encode(), mime_type="text/plain"))
        for i in range(3)
    ]
    pager = await run(lambda c: c.files.list(page_size=2))
    names = [x.name for x in await run.items(pager)]
    assert {f.name, *(o.name for o in others)} <= set(names)
    df = await run(lambda c: pager.to_pandas())
    assert list(df.columns) == [
        "name",
        "display_name",
        "mime_type",
        "size_bytes",
        "state",
        "create_time",
        "expiration_time",
        "uri",
    ]
    assert f.name in set(df["name"])

    for file in (f, *others):
        await run(lambda c, file=file: c.files.delete(name=file))
    # The API answers 403 for a file that is gone (or not yours).
    with pytest.raises(g.PermissionDeniedError, match="may not exist"):
        await run(lambda c: c.files.get(name=f.name))


async def test_cut_upload_resumes_from_the_committed_offset(run: Run, emulator: Any) -> None:
    data = payload(2 * CHUNK + 5000)
    cut_at = CHUNK + 100_000  # in the middle of the second chunk
    emulator.app.faults.clear()
    emulator.app.faults.add({"cut_upload_at": cut_at, "count": 1, "path": "upload"})
    emulator.app.requests.clear()
    before = upload_stats(emulator)
    try:
        f = await run(lambda c: c.files.upload(file=data, mime_type="application/octet-stream"))
    finally:
        emulator.app.faults.clear()
    after = upload_stats(emulator)
    assert f.size_bytes == len(data) and f.sha256_hash == sha256_field(data)
    chunks = [
        (r["headers"]["x-goog-upload-command"], r["headers"].get("x-goog-upload-offset"))
        for r in emulator.app.requests
        if "upload_id" in r["query"]
    ]
    assert chunks == [
        ("upload", "0"),
        ("upload", str(CHUNK)),  # cut after 100,000 bytes of it
        ("query", None),
        ("upload, finalize", str(cut_at)),  # from the committed offset, not from 0
    ]
    # Nothing the server had kept was sent again.
    assert after["resentBytes"] - before["resentBytes"] == 0


async def test_processing_video_is_waited_for(run: Run) -> None:
    video = b"\x00\x00\x00\x18ftypmp42" + payload(50_000)
    f = await run(lambda c: c.files.upload(file=video, display_name="clip"))
    assert f.mime_type == "video/mp4" and f.state == "ACTIVE"
    quick = await run(lambda c: c.files.upload(file=video, mime_type="video/mp4", wait=False))
    assert quick.state == "PROCESSING"
    active = await run(lambda c: c.files.wait(name=quick))
    assert active.state == "ACTIVE" and active.name == quick.name


async def test_failed_processing_is_a_typed_error(run: Run) -> None:
    with pytest.raises(g.FileProcessingError, match="could not be processed") as info:
        await run(lambda c: c.files.upload(file=payload(10_000), mime_type="video/mp2t"))
    assert info.value.file.state == "FAILED" and info.value.code == 3


async def test_download_generated_files(run: Run, emulator: Any, tmp_path: Path) -> None:
    from gemini_nb.emulator.backends.files import add_generated_file

    data = payload(700_000)
    stored = add_generated_file(emulator.app.store, data, "video/mp4", display_name="out")
    name = f"files/{stored.id}"
    got = await run(lambda c: c.files.download(file=name))
    assert got == data
    path = await run(lambda c: c.files.download(file=name, path=tmp_path / "out.mp4"))
    assert path == tmp_path / "out.mp4" and path.read_bytes() == data
    assert [p.name for p in tmp_path.iterdir()] == ["out.mp4"]


async def test_uploaded_files_cannot_be_downloaded(run: Run) -> None:
    f = await run(lambda c: c.files.upload(file=b"hello", mime_type="text/plain"))
    with pytest.raises(g.BadRequestError):
        await run(lambda c: c.files.download(file=f))


async def test_a_file_in_a_prompt(run: Run) -> None:
    f = await run(
        lambda c: c.files.upload(file=b"The harvest was recorded by Ada.", mime_type="text/plain")
    )
    r = await run(
        lambda c: c.models.generate_content(
            model="gemini-2.5-flash", contents=[f, "Who recorded it?"]
        )
    )
    assert r.text
    pending = await run(
        lambda c: c.files.upload(
            file=b"\x00\x00\x00\x18ftypmp42" + payload(1000), mime_type="video/mp4", wait=False
        )
    )
    with pytest.raises(g.BadRequestError, match="not in an ACTIVE state"):
        await run(
            lambda c: c.models.generate_content(
                model="gemini-2.5-flash", contents=[pending, "What is it?"]
            )
        )


async def test_checks_before_sending(run: Run, tmp_path: Path, emulator: Any) -> None:
    emulator.app.requests.clear()
    with pytest.raises(g.InvalidInputError, match="No such file"):
        await run(lambda c: c.files.upload(file=tmp_path / "missing.pdf"))
    with pytest.raises(g.InvalidInputError, match="is a directory"):
        await run(lambda c: c.files.upload(file=tmp_path))
    (tmp_path / "blob.zzz").write_bytes(b"\x01\x02\x03")
    with pytest.raises(g.InvalidInputError, match="MIME type"):
        await run(lambda c: c.files.upload(file=tmp_path / "blob.zzz"))
    assert not list(emulator.app.requests)


async def test_the_key_goes_to_the_start_only(keyed_emulator: Any) -> None:
    # The session URL is the upload's credential: chunks carry no key, as with the official SDK.
    keyed_emulator.app.requests.clear()
    with g.Client(base_url=keyed_emulator.url, api_key=TEST_KEY) as client:
        f = client.files.upload(file=b"hello", mime_type="text/plain")
        assert client.files.get(name=f.name).state == "ACTIVE"
    log = [r for r in keyed_emulator.app.requests if "upload" in r["path"]]
    assert [("x-goog-api-key" in r["headers"]) for r in log] == [True, False]
