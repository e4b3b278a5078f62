"""The Files API over loopback: File fields as recorded, states on the clock, paging, delete,
expiry, downloads through the recorded redirect, and fileData parts in generate calls."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import struct
import zlib
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from gemini_nb.emulator import EmulatorServer
from gemini_nb.emulator.backends.files import add_generated_file, processing_seconds
from gemini_nb.emulator.backends.state import parse_time

from .._shared import RECORDED, needs_recorded

MODEL = "/v1beta/models/gemini-2.5-flash"


@pytest.fixture
def server() -> Iterator[EmulatorServer]:
    # Each test its own emulator: these tests list everything, and move the clock.
    with EmulatorServer() as s:
        yield s


@pytest.fixture
def http(server: EmulatorServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as c:
        yield c


def upload(
    client: httpx.Client,
    data: bytes,
    *,
    file: dict[str, Any] | None = None,
    mime: str | None = None,
    version: str = "v1beta",
) -> dict[str, Any]:
    headers = {
        "x-goog-upload-protocol": "resumable",
        "x-goog-upload-command": "start",
        "x-goog-upload-header-content-length": str(len(data)),
    }
    if mime:
        headers["x-goog-upload-header-content-type"] = mime
    r = client.post(f"/upload/{version}/files", headers=headers, json={"file": file or {}})
    assert r.status_code == 200, r.text
    done = client.post(
        r.headers["x-goog-upload-url"],
        headers={"x-goog-upload-command": "upload, finalize", "x-goog-upload-offset": "0"},
        content=data,
    )
    assert done.status_code == 200, done.text
    found: dict[str, Any] = done.json()["file"]
    return found


def png(width: int = 40, height: int = 30) -> bytes:
    def chunk(tag: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + tag + body + struct.pack(">I", zlib.crc32(tag + body))

    rows = b"".join(b"\x00" + b"\x7f" * 3 * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


PDF = b"%PDF-1.4\n" + b"1 0 obj << /Type /Page >> endobj\n" * 3 + b"%%EOF\n"
MP4 = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 2_000_000


# ------------------------------------------------------------------------------ fields


@needs_recorded
def test_a_pdf_uploaded_with_only_a_display_name(
    http: httpx.Client, server: EmulatorServer
) -> None:
    recorded = json.loads(
        (
            RECORDED
            / "ruby_llm/uploadedfile_live_uploads_gemini_uploads_a_pdf_through_the_files_api__1.json"
        ).read_text()
    )["response"]["json"]["file"]
    file = upload(http, PDF, file={"display_name": "sample.pdf"})
    assert list(file) == list(recorded)  # the same fields, in the same order
    assert file["name"].startswith("files/")
    assert len(file["name"]) == len(recorded["name"])
    assert file["name"][6:].isalnum() and file["name"][6:].islower()
    assert (file["displayName"], file["mimeType"]) == ("sample.pdf", "application/pdf")
    assert file["sizeBytes"] == str(len(PDF))
    assert base64.b64decode(file["sha256Hash"]).decode() == hashlib.sha256(PDF).hexdigest()
    assert file["uri"] == f"{server.url}/v1beta/{file['name']}"
    assert (file["state"], file["source"]) == ("ACTIVE", "UPLOADED")
    assert file["createTime"] == file["updateTime"]
    # 48 hours after the upload started, written to the nanosecond as recorded.
    assert len(file["expirationTime"].split(".")[1]) == len(
        recorded["expirationTime"].split(".")[1]
    )
    lifetime = parse_time(file["expirationTime"]) - parse_time(file["createTime"])
    assert 48 * 3600 - 5 < lifetime <= 48 * 3600


def test_get_answers_the_file_without_the_wrapper(http: httpx.Client) -> None:
    file = upload(http, b"hello there", file={"displayName": "note"})
    got = http.get(f"/v1beta/{file['name']}")
    assert got.status_code == 200
    assert got.json() == file
    assert file["mimeType"] == "text/plain"


def test_the_declared_type_wins_and_names_can_be_chosen(http: httpx.Client) -> None:
    file = upload(http, b"{}", file={"name": "files/my-notes-1", "mimeType": "application/json"})
    assert (file["name"], file["mimeType"]) == ("files/my-notes-1", "application/json")
    file = upload(http, b"a,b\n1,2\n", mime="text/csv; charset=utf-8")
    assert file["mimeType"] == "text/csv"
    file = upload(http, b"\x00\x01binary", file={"displayName": "data.bin"})
    assert file["mimeType"] == "application/octet-stream"
    file = upload(http, b"\x00\x01", file={"displayName": "clip.mp3"})
    assert file["mimeType"] == "audio/mpeg"


@pytest.mark.parametrize(
    ("name", "status"),
    [("files/-bad", 400), ("files/UPPER", 400), ("files/" + "a" * 41, 400), ("blob/x", 400)],
)
def test_invalid_names(http: httpx.Client, name: str, status: int) -> None:
    r = http.post(
        "/upload/v1beta/files",
        headers={"x-goog-upload-protocol": "resumable", "x-goog-upload-command": "start"},
        json={"file": {"name": name}},
    )
    assert r.status_code == status
    assert r.json()["error"]["status"] == "INVALID_ARGUMENT"


def test_a_taken_name_is_refused(http: httpx.Client) -> None:
    upload(http, b"one", file={"name": "files/taken"})
    r = http.post(
        "/upload/v1beta/files",
        headers={"x-goog-upload-protocol": "resumable", "x-goog-upload-command": "start"},
        json={"file": {"name": "files/taken"}},
    )
    assert (r.status_code, r.json()["error"]["status"]) == (409, "ALREADY_EXISTS")


def test_a_long_display_name_is_refused(http: httpx.Client) -> None:
    r = http.post(
        "/upload/v1beta/files",
        headers={"x-goog-upload-protocol": "resumable", "x-goog-upload-command": "start"},
        json={"file": {"displayName": "x" * 513}},
    )
    assert r.status_code == 400
    assert "512" in r.json()["error"]["message"]


def test_the_uri_follows_the_upload_version(http: httpx.Client, server: EmulatorServer) -> None:
    file = upload(http, b"v1 bytes", version="v1")
    assert file["uri"] == f"{server.url}/v1/{file['name']}"
    assert http.get(f"/v1/{file['name']}").json() == file


# ------------------------------------------------------------------------------ states


def test_video_processes_on_the_clock(http: httpx.Client, server: EmulatorServer) -> None:
    file = upload(http, MP4, file={"displayName": "clip"})
    assert (file["mimeType"], file["state"]) == ("video/mp4", "PROCESSING")
    assert "videoMetadata" not in file
    server.app.clock.advance(processing_seconds(len(MP4)) - 1)
    assert http.get(f"/v1beta/{file['name']}").json()["state"] == "PROCESSING"
    server.app.clock.advance(2)
    ready = http.get(f"/v1beta/{file['name']}").json()
    assert ready["state"] == "ACTIVE"
    assert ready["updateTime"] > ready["createTime"]
    assert ready["videoMetadata"] == {"videoDuration": "16s"}  # 2 MB at 1 Mbit/s
    assert list(ready)[-2:] == ["videoMetadata", "source"]


def test_media_the_models_do_not_take_fails_processing(
    http: httpx.Client, server: EmulatorServer
) -> None:
    file = upload(http, b"\x47" * 1880, mime="video/mp2t")
    assert file["state"] == "PROCESSING"
    server.app.clock.advance(processing_seconds(1880))
    failed = http.get(f"/v1beta/{file['name']}").json()
    assert failed["state"] == "FAILED"
    assert failed["error"] == {"code": 3, "message": "The file failed to be processed."}
    r = http.post(
        f"{MODEL}:generateContent",
        json={"contents": [{"parts": [{"fileData": {"fileUri": file["uri"]}}]}]},
    )
    assert r.status_code == 400
    assert r.json()["error"]["status"] == "FAILED_PRECONDITION"


def test_files_expire_after_48_hours(http: httpx.Client, server: EmulatorServer) -> None:
    file = upload(http, b"short-lived")
    assert server.app.store.blob_bytes == len(b"short-lived")
    server.app.clock.advance(48 * 3600 + 1)
    r = http.get(f"/v1beta/{file['name']}")
    assert r.status_code == 403
    assert http.get("/v1beta/files").json() == {}
    assert server.app.store.blob_bytes == 0


# ------------------------------------------------------------------------------ list, delete


def test_list_is_empty_as_proto3_json(http: httpx.Client) -> None:
    r = http.get("/v1beta/files")
    assert (r.status_code, r.json()) == (200, {})


def test_list_pages(http: httpx.Client, server: EmulatorServer) -> None:
    names = []
    for i in range(23):
        names.append(upload(http, f"file {i}".encode())["name"])
        server.app.clock.advance(1)  # distinct creation times
    newest_first = names[::-1]
    first = http.get("/v1beta/files").json()
    assert [f["name"] for f in first["files"]] == newest_first[:10]  # 10 by default
    second = http.get("/v1beta/files", params={"pageToken": first["nextPageToken"]}).json()
    assert [f["name"] for f in second["files"]] == newest_first[10:20]
    seen, token = [], None
    while True:
        params: dict[str, Any] = {"pageSize": 7}
        if token:
            params["pageToken"] = token
        page = http.get("/v1beta/files", params=params).json()
        seen += [f["name"] for f in page["files"]]
        token = page.get("nextPageToken")
        if not token:
            break
    assert seen == newest_first
    everything = http.get("/v1beta/files", params={"pageSize": 1000}).json()
    assert len(everything["files"]) == 23 and "nextPageToken" not in everything
    assert http.get("/v1beta/files", params={"pageSize": -1}).status_code == 400


def test_list_caps_a_page_at_100(http: httpx.Client, server: EmulatorServer) -> None:
    for i in range(101):
        add_generated_file(server.app.store, f"{i}".encode(), "text/plain")
    page = http.get("/v1beta/files", params={"pageSize": 500}).json()
    assert len(page["files"]) == 100
    assert "nextPageToken" in page


def test_delete(http: httpx.Client, server: EmulatorServer) -> None:
    file = upload(http, b"to be deleted")
    r = http.delete(f"/v1beta/{file['name']}")
    assert (r.status_code, r.json()) == (200, {})
    assert server.app.store.blob_bytes == 0
    for again in (http.get(f"/v1beta/{file['name']}"), http.delete(f"/v1beta/{file['name']}")):
        assert again.status_code == 403
        file_id = file["name"].removeprefix("files/")
        assert again.json()["error"] == {
            "code": 403,
            "message": f"You do not have permission to access the File {file_id} or it may "
            "not exist.",
            "status": "PERMISSION_DENIED",
        }


def test_register_needs_oauth(http: httpx.Client) -> None:
    r = http.post("/v1beta/files:register", json={"uris": ["gs://bucket/a.pdf"]})
    assert r.status_code == 401
    err = r.json()["error"]
    assert err["status"] == "UNAUTHENTICATED"
    assert err["message"].startswith("API keys are not supported by this API.")
    assert err["details"][0]["reason"] == "CREDENTIALS_MISSING"
    r = http.post(
        "/v1beta/files:register",
        headers={"authorization": "Bearer ya29.token"},
        json={"uris": ["gs://bucket/a.pdf", "gs://bucket/b.png"]},
    )
    assert r.status_code == 200
    made = r.json()["files"]
    assert [(f["mimeType"], f["source"], f["state"]) for f in made] == [
        ("application/pdf", "REGISTERED", "ACTIVE"),
        ("image/png", "REGISTERED", "ACTIVE"),
    ]
    bad = http.post(
        "/v1beta/files:register",
        headers={"authorization": "Bearer ya29.token"},
        json={"uris": ["https://example.com/a.pdf"]},
    )
    assert bad.status_code == 400


# ------------------------------------------------------------------------------ downloads


@needs_recorded
def test_a_generated_file_downloads_through_the_recorded_redirect(
    http: httpx.Client, server: EmulatorServer
) -> None:
    step1, step2 = (
        json.loads(
            (
                RECORDED
                / f"ruby_llm/video_basic_functionality_gemini_veo_3_1_lite_generate_preview_can_animate_videos__{i}.json"
            ).read_text()
        )["response"]
        for i in (6, 7)
    )
    data = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 1000
    file = add_generated_file(server.app.store, data, "video/mp4", display_name="veo")
    meta = http.get(f"/v1beta/{file.name}").json()
    assert meta["source"] == "GENERATED"
    assert meta["downloadUri"] == f"{server.url}/v1beta/{file.name}:download?alt=media"
    r = http.get(f"/v1beta/{file.name}:download", params={"alt": "media"})
    assert r.status_code == step1["status"] == 302
    assert r.headers["location"] == f"{server.url}/download/v1beta/{file.name}:download?alt=media"
    assert r.json() == step1["json"]
    assert r.headers["content-type"] == step1["headers"]["content-type"]
    got = http.get(r.headers["location"])
    assert got.status_code == step2["status"] == 200
    assert got.headers["content-type"] == step2["headers"]["content-type"] == "video/mp4"
    assert got.content == data
    # Without alt=media the method answers its empty DownloadFileResponse.
    assert http.get(f"/v1beta/{file.name}:download").json() == {}


def test_an_uploaded_file_cannot_be_downloaded(http: httpx.Client) -> None:
    file = upload(http, b"mine")
    r = http.get(f"/v1beta/{file['name']}:download", params={"alt": "media"})
    assert r.status_code == 400
    assert "only generated files can be downloaded" in r.json()["error"]["message"]
    r = http.get(f"/download/v1beta/{file['name']}:download", params={"alt": "media"})
    assert r.status_code == 400
    r = http.get("/v1beta/files/nosuchfile:download", params={"alt": "media"})
    assert r.status_code == 403


# ------------------------------------------------------------------------------ fileData


def _ask(http: httpx.Client, part: dict[str, Any], verb: str = "generateContent") -> httpx.Response:
    return http.post(
        f"{MODEL}:{verb}",
        json={"contents": [{"role": "user", "parts": [{"text": "What is this?"}, part]}]},
    )


def test_file_data_sees_the_stored_file(http: httpx.Client) -> None:
    image = png(40, 30)
    file = upload(http, image, file={"displayName": "tiny"})
    inline = {"inlineData": {"mimeType": "image/png", "data": base64.b64encode(image).decode()}}
    by_file = _ask(http, {"fileData": {"fileUri": file["uri"]}})
    assert by_file.status_code == 200, by_file.text
    assert "40×30" in by_file.text or "40x30" in by_file.text
    usage = by_file.json()["usageMetadata"]
    assert (
        usage["promptTokenCount"] == _ask(http, inline).json()["usageMetadata"]["promptTokenCount"]
    )
    # A text file is read, and counted as the same text sent inline.
    text = "The quick brown fox jumps over the lazy dog. " * 20
    note = upload(http, text.encode(), mime="text/plain")
    counted = _ask(http, {"fileData": {"fileUri": note["uri"]}}, "countTokens").json()
    inline_text = {
        "inlineData": {"mimeType": "text/plain", "data": base64.b64encode(text.encode()).decode()}
    }
    assert counted == _ask(http, inline_text, "countTokens").json()


def test_file_data_takes_the_stored_type(http: httpx.Client) -> None:
    file = upload(http, PDF)
    r = _ask(http, {"fileData": {"fileUri": file["uri"]}}, "countTokens")
    details = {d["modality"]: d["tokenCount"] for d in r.json()["promptTokensDetails"]}
    assert details["DOCUMENT"] == 3 * 258  # three pages


def test_file_data_errors(http: httpx.Client, server: EmulatorServer) -> None:
    r = _ask(http, {"fileData": {"fileUri": f"{server.url}/v1beta/files/nosuchfile"}})
    assert r.status_code == 403
    assert r.json()["error"]["message"] == (
        "You do not have permission to access the File nosuchfile or it may not exist."
    )
    video = upload(http, MP4)
    r = _ask(http, {"fileData": {"fileUri": video["uri"], "mimeType": "video/mp4"}})
    assert r.status_code == 400
    video_id = video["name"].removeprefix("files/")
    assert r.json()["error"] == {
        "code": 400,
        "message": f"The File {video_id} is not in an ACTIVE state and usage is not allowed.",
        "status": "FAILED_PRECONDITION",
    }
    # The API's own host names a file of this emulator too; other hosts are other services.
    file = upload(http, b"hi")
    google = file["uri"].replace(server.url, "https://generativelanguage.googleapis.com")
    assert _ask(http, {"fileData": {"fileUri": google}}).status_code == 200
    elsewhere = {
        "fileData": {"fileUri": "https://example.com/v1beta/files/x", "mimeType": "image/png"}
    }
    assert _ask(http, elsewhere).status_code == 200


def test_expiry_dates_are_on_the_emulator_clock(http: httpx.Client, server: EmulatorServer) -> None:
    server.app.clock.advance(10 * 24 * 3600)
    file = upload(http, b"later")
    created = dt.datetime.fromisoformat(file["createTime"].replace("Z", "+00:00"))
    assert created - dt.datetime.now(dt.UTC) > dt.timedelta(days=9)
