"""client.files get/list/delete/download and Files in contents, on both clients, against a
scripted server (downloads answer 302 to /download/…, as the API does)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

import gemini_nb as g
from gemini_nb._convert import to_contents, to_part
from gemini_nb.resources.files import file_name
from gemini_nb.types import File, FileData

from ._fakes import BASE, KEY, FakeFilesServer, Shell


async def _uploaded(shell: Shell, data: bytes, **kw: Any) -> File:
    kw.setdefault("mime_type", "application/octet-stream")
    return await shell(lambda c: c.files.upload(file=data, **kw))  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("given", "name"),
    [
        ("abc123", "files/abc123"),
        ("files/abc123", "files/abc123"),
        (" files/my-file ", "files/my-file"),
        ("https://generativelanguage.googleapis.com/v1beta/files/abc123", "files/abc123"),
        (
            "https://generativelanguage.googleapis.com/v1beta/files/zq12:download?alt=media",
            "files/zq12",
        ),
        (File(name="files/x9", uri="https://h/v1beta/files/x9"), "files/x9"),
    ],
)
def test_file_names(given: Any, name: str) -> None:
    assert file_name(given) == name


@pytest.mark.parametrize(
    "bad", ["", "files/", "files/a/b", "../x", "https://h/v1beta/models/m", None, 3]
)
def test_bad_file_names(bad: Any) -> None:
    with pytest.raises(g.InvalidInputError):
        file_name(bad)


async def test_get_list_delete(kind: str) -> None:
    server = FakeFilesServer()
    shell = Shell(kind, server)
    made = [await _uploaded(shell, bytes([i]) * (i + 1), display_name=f"f{i}") for i in range(5)]
    got = await shell(lambda c: c.files.get(name=made[0].name))
    assert got.name == made[0].name and got.size_bytes == 1 and got.create_time is not None
    assert got.create_time.microsecond == 123456  # nanoseconds on the wire, read tolerantly
    pager = await shell(lambda c: c.files.list(page_size=2))
    assert sorted(f.name for f in await shell.items(pager)) == sorted(f.name for f in made)
    list_calls = [r for r in server.requests if r.url.path == "/v1beta/files"]
    assert [r.url.params.get("pageToken") for r in list_calls] == [None, "2", "4"]
    assert {r.url.params["pageSize"] for r in list_calls} == {"2"}
    # google-genai's config form, and an explicit first page token.
    pager2 = await shell(lambda c: c.files.list(config={"page_size": 4, "page_token": "2"}))
    assert len(await shell.items(pager2)) == 3
    await shell(lambda c: c.files.delete(name=made[0]))
    with pytest.raises(g.NotFoundError):
        await shell(lambda c: c.files.get(name=made[0].name))


async def test_files_to_pandas(kind: str) -> None:
    server = FakeFilesServer()
    shell = Shell(kind, server)
    await _uploaded(shell, b"abc", display_name="one")
    pager = await shell(lambda c: c.files.list())
    df = await shell(lambda c: pager.to_pandas())
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
    assert df.loc[0, "display_name"] == "one" and df.loc[0, "size_bytes"] == 3
    assert str(df["create_time"].dtype).startswith("datetime64")
    empty = await shell(lambda c: c.files.list(page_token="999"))
    assert list((await shell(lambda c: empty.to_pandas())).columns)[:2] == ["name", "display_name"]


async def test_download_follows_the_redirect_with_the_key_on_the_same_host(kind: str) -> None:
    server = FakeFilesServer()
    shell = Shell(kind, server)
    data = bytes(range(256)) * 1000
    f = await _uploaded(shell, data)
    got = await shell(lambda c: c.files.download(file=f))
    assert got == data
    first, second = [i for i, r in enumerate(server.requests) if "download" in r.url.path]
    assert server.requests[first].url.path == f"/v1beta/{f.name}:download"
    assert server.requests[first].url.params["alt"] == "media"
    assert server.requests[second].url.path == f"/download/v1beta/{f.name}:download"
    assert server.sent_headers[second]["x-goog-api-key"] == KEY


async def test_download_never_sends_the_key_to_another_host(kind: str) -> None:
    server = FakeFilesServer()
    shell = Shell(kind, server)
    f = await _uploaded(shell, b"secret bytes")
    server.redirect_to = f"http://storage.elsewhere.test/download/v1beta/{f.name}:download?sig=1"
    assert await shell(lambda c: c.files.download(file=f.name)) == b"secret bytes"
    assert server.requests[-1].url.host == "storage.elsewhere.test"
    assert "x-goog-api-key" not in server.sent_headers[-1]
    # A relative Location is resolved against the API's URL.
    server.redirect_to = f"/download/v1beta/{f.name}:download?alt=media"
    assert await shell(lambda c: c.files.download(file=f.uri)) == b"secret bytes"
    assert str(server.requests[-1].url).startswith(BASE)


async def test_download_to_a_path(kind: str, tmp_path: Path) -> None:
    server = FakeFilesServer()
    shell = Shell(kind, server)
    data = b"0123456789" * 50_000
    f = await _uploaded(shell, data)
    out = await shell(lambda c: c.files.download(file=f, path=tmp_path / "copy.bin"))
    assert out == tmp_path / "copy.bin" and out.read_bytes() == data
    assert [p.name for p in tmp_path.iterdir()] == ["copy.bin"]  # no temporary file left


async def test_cut_download_leaves_no_partial_file(kind: str, tmp_path: Path) -> None:
    server = FakeFilesServer()
    shell = Shell(kind, server)
    f = await _uploaded(shell, b"x" * 500_000)
    target = tmp_path / "copy.bin"
    target.write_bytes(b"old")
    server.cut_download_after = 200_000
    with pytest.raises(g.APIConnectionError, match=r"middle of the download .* after 200000 byte"):
        await shell(lambda c: c.files.download(file=f, path=target))
    assert target.read_bytes() == b"old" and [p.name for p in tmp_path.iterdir()] == ["copy.bin"]
    with pytest.raises(g.APIConnectionError):
        await shell(lambda c: c.files.download(file=f))


async def test_download_destination_checks(kind: str, tmp_path: Path) -> None:
    server = FakeFilesServer()
    shell = Shell(kind, server)
    with pytest.raises(g.InvalidInputError, match="is a directory"):
        await shell(lambda c: c.files.download(file="files/a", path=tmp_path))
    with pytest.raises(g.InvalidInputError, match="does not exist"):
        await shell(lambda c: c.files.download(file="files/a", path=tmp_path / "no" / "x.bin"))
    assert not server.requests


async def test_missing_file_download_is_not_found(kind: str) -> None:
    shell = Shell(kind, FakeFilesServer())
    with pytest.raises(g.NotFoundError):
        await shell(lambda c: c.files.download(file="files/nothing"))


# --------------------------------------------------------------------------- files in contents


def test_a_file_becomes_a_file_data_part() -> None:
    f = File(name="files/a1", uri="https://h/v1beta/files/a1", mime_type="application/pdf")
    assert to_part(f) == {
        "fileData": {"fileUri": "https://h/v1beta/files/a1", "mimeType": "application/pdf"}
    }
    assert to_contents([f, "Summarize."]) == [
        {
            "role": "user",
            "parts": [
                {
                    "fileData": {
                        "fileUri": "https://h/v1beta/files/a1",
                        "mimeType": "application/pdf",
                    }
                },
                {"text": "Summarize."},
            ],
        }
    ]
    assert to_part(FileData(file_uri="gs://b/x", mime_type="video/mp4")) == {
        "fileData": {"fileUri": "gs://b/x", "mimeType": "video/mp4"}
    }
    with pytest.raises(g.InvalidInputError, match="has no uri"):
        to_part(File(name="files/a1"))


async def test_uploaded_file_goes_into_a_prompt(kind: str) -> None:
    files = FakeFilesServer()
    sent: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith(":generateContent"):
            sent.append(json.loads(request.read()))
            return httpx.Response(
                200,
                json={"candidates": [{"content": {"role": "model", "parts": [{"text": "ok"}]}}]},
            )
        return files(request)

    shell = Shell(kind, handler)
    f = await shell(lambda c: c.files.upload(file=b"%PDF-1.4 ...", display_name="doc"))
    await shell(
        lambda c: c.models.generate_content(model="gemini-2.5-flash", contents=[f, "What is it?"])
    )
    assert sent[0]["contents"][0]["parts"][0] == {
        "fileData": {"fileUri": f.uri, "mimeType": "application/pdf"}
    }
