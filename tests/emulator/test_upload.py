"""The resumable upload protocol over loopback, as the real upload server speaks it.

Raw httpx against an emulator of this module's own (its clock, faults and quota are changed
here), checked against the recorded exchanges in ``ruby_llm`` (start and finalize headers,
the ``{"file": …}`` answer) and the official SDK's expectations (``x-goog-upload-url``,
``x-goog-upload-status``).
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
import tracemalloc
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from gemini_nb.emulator import EmulatorOptions, EmulatorServer
from gemini_nb.emulator.wire.upload import CHUNK_GRANULARITY, SESSION_LIFETIME, TERMINATED, stats

from .._shared import RECORDED, needs_recorded

START = "/upload/v1beta/files"
KEY = "AIzaUPLOADTESTKEY-0123456789abcdefghijk"


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer() as s:
        yield s


@pytest.fixture
def http(server: EmulatorServer) -> Iterator[httpx.Client]:
    server.app.faults.clear()
    with httpx.Client(base_url=server.url, timeout=30) as c:
        yield c
    server.app.faults.clear()


def start(
    client: httpx.Client,
    *,
    size: int | None = None,
    mime: str | None = "application/octet-stream",
    metadata: Any = None,
    path: str = START,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    h = {"x-goog-upload-protocol": "resumable", "x-goog-upload-command": "start"}
    if size is not None:
        h["x-goog-upload-header-content-length"] = str(size)
    if mime is not None:
        h["x-goog-upload-header-content-type"] = mime
    h.update(headers or {})
    body = metadata if isinstance(metadata, bytes) else json.dumps(metadata or {}).encode()
    return client.post(path, headers={**h, "content-type": "application/json"}, content=body)


def send(
    client: httpx.Client, url: str, data: bytes, offset: int, *, finalize: bool = False
) -> httpx.Response:
    command = "upload, finalize" if finalize else "upload"
    return client.post(
        url,
        headers={"x-goog-upload-command": command, "x-goog-upload-offset": str(offset)},
        content=data,
    )


def command(client: httpx.Client, url: str, name: str) -> httpx.Response:
    return client.post(url, headers={"x-goog-upload-command": name})


def session(server: EmulatorServer, url: str) -> dict[str, Any]:
    upload_id = httpx.URL(url).params["upload_id"]
    found = [u for u in stats(server.app.store)["uploads"] if u["uploadId"] == upload_id]
    assert found, "the session is not in the store"
    return found[0]


def sha_field(data: bytes) -> str:
    # The real encoding: base64 of the hex digest (recorded in ruby_llm and the cookbook).
    return base64.b64encode(hashlib.sha256(data).hexdigest().encode()).decode()


def resuming_upload(
    client: httpx.Client, url: str, data: bytes, chunk: int
) -> tuple[httpx.Response, int]:
    """A client that, when a chunk's connection is lost, asks and resumes where the server is."""
    offset, cuts = 0, 0
    while True:
        piece = data[offset : offset + chunk]
        last = offset + len(piece) >= len(data)
        try:
            r = send(client, url, piece, offset, finalize=last)
        except httpx.TransportError:
            cuts += 1
            q = command(client, url, "query")
            assert q.headers["x-goog-upload-status"] == "active"
            offset = int(q.headers["x-goog-upload-size-received"])
            continue
        assert r.status_code == 200, r.text
        if last:
            return r, cuts
        assert r.headers["x-goog-upload-status"] == "active"
        offset += len(piece)


# ------------------------------------------------------------------------------ start


@needs_recorded
def test_start_answers_like_the_recording(http: httpx.Client, server: EmulatorServer) -> None:
    recorded = json.loads(
        (
            RECORDED
            / "ruby_llm/uploadedfile_live_uploads_gemini_uploads_a_pdf_through_the_files_api__0.json"
        ).read_text()
    )["response"]
    r = start(http, size=10, metadata={"file": {"display_name": "sample.pdf"}})
    assert r.status_code == recorded["status"] == 200
    assert r.content == b""
    assert r.headers["content-type"] == recorded["headers"]["content-type"]
    assert r.headers["x-goog-upload-status"] == "active"
    assert (
        r.headers["x-goog-upload-chunk-granularity"]
        == str(CHUNK_GRANULARITY)
        == (recorded["headers"]["x-goog-upload-chunk-granularity"])
    )
    url = httpx.URL(r.headers["x-goog-upload-url"])
    assert r.headers["x-goog-upload-control-url"] == str(url)
    assert str(url).startswith(f"{server.url}/upload/v1beta/files?upload_id=")
    assert url.params["upload_protocol"] == "resumable"
    assert len(url.params["upload_id"]) >= 64  # the URL is the chunks' only credential


def test_upload_url_keeps_the_start_path(http: httpx.Client) -> None:
    for path in ("/upload/v1/files", "/resumable/upload/v1beta/files"):
        r = start(http, size=1, path=path)
        assert httpx.URL(r.headers["x-goog-upload-url"]).path == path
        done = send(http, r.headers["x-goog-upload-url"], b"x", 0, finalize=True)
        assert done.json()["file"]["sizeBytes"] == "1"


def test_start_validates_the_metadata(http: httpx.Client) -> None:
    r = start(http, metadata={"file": {"displayName": 7}})
    assert r.status_code == 400
    assert r.json()["error"]["status"] == "INVALID_ARGUMENT"
    assert "display_name" in r.json()["error"]["message"]
    r = start(http, metadata=b'{"file": {')
    assert r.status_code == 400
    assert r.json()["error"]["message"].startswith("Invalid JSON payload received.")


def test_start_takes_the_single_quoted_sample_of_the_files_guide(http: httpx.Client) -> None:
    r = start(http, size=2, metadata=b"{'file': {'display_name': 'VIDEO \"one\"'}}")
    assert r.status_code == 200, r.text
    done = send(http, r.headers["x-goog-upload-url"], b"hi", 0, finalize=True)
    assert done.json()["file"]["displayName"] == 'VIDEO "one"'


def test_a_protocol_without_start_is_refused(http: httpx.Client) -> None:
    r = http.post(START, headers={"x-goog-upload-protocol": "resumable"}, content=b"{}")
    assert r.status_code == 400
    assert "X-Goog-Upload-Command: start" in r.text
    r = http.post(START, content=b"{}")
    assert r.status_code == 400
    assert "X-Goog-Upload-Protocol" in r.text


def test_the_method_path_without_media_is_refused(http: httpx.Client) -> None:
    r = http.post("/v1beta/files", json={"file": {}})
    assert r.status_code == 400
    assert "/upload/v1beta/files" in r.json()["error"]["message"]


# ------------------------------------------------------------------------------ chunks


def test_chunks_query_and_finalize(http: httpx.Client, server: EmulatorServer) -> None:
    data = random.Random(1).randbytes(300_000)
    url = start(http, size=len(data), metadata={"file": {"displayName": "blob"}}).headers[
        "x-goog-upload-url"
    ]
    for offset in (0, 100_000):
        r = send(http, url, data[offset : offset + 100_000], offset)
        assert (r.status_code, r.content) == (200, b"")
        assert r.headers["x-goog-upload-status"] == "active"
        q = command(http, url, "query")
        assert q.headers["x-goog-upload-status"] == "active"
        assert q.headers["x-goog-upload-size-received"] == str(offset + 100_000)
        assert q.headers["x-goog-upload-chunk-granularity"] == str(CHUNK_GRANULARITY)
    r = send(http, url, data[200_000:], 200_000, finalize=True)
    assert r.status_code == 200
    assert r.headers["x-goog-upload-status"] == "final"
    assert r.headers["content-type"] == "application/json; charset=UTF-8"
    file = r.json()["file"]
    assert file["sizeBytes"] == str(len(data))
    assert file["sha256Hash"] == sha_field(data)
    assert file["displayName"] == "blob"
    assert session(server, url)["resentBytes"] == 0
    # A finished session answers a query with its final answer again, and takes no more bytes.
    again = command(http, url, "query")
    assert (again.status_code, again.json()) == (200, r.json())
    assert again.headers["x-goog-upload-status"] == "final"
    late = send(http, url, b"more", len(data))
    assert (late.status_code, late.text) == (400, TERMINATED)


def test_finalize_alone_after_the_last_chunk(http: httpx.Client) -> None:
    url = start(http, size=4).headers["x-goog-upload-url"]
    assert send(http, url, b"abcd", 0).headers["x-goog-upload-status"] == "active"
    r = command(http, url, "finalize")
    assert r.headers["x-goog-upload-status"] == "final"
    assert r.json()["file"]["sha256Hash"] == sha_field(b"abcd")


def test_an_offset_past_the_committed_size_is_refused(
    http: httpx.Client, server: EmulatorServer
) -> None:
    url = start(http, size=30).headers["x-goog-upload-url"]
    send(http, url, b"a" * 10, 0)
    r = send(http, url, b"c" * 10, 20)
    assert r.status_code == 400
    assert r.headers["x-goog-upload-status"] == "active"  # still resumable
    assert "X-Goog-Upload-Size-Received" in r.text
    assert command(http, url, "query").headers["x-goog-upload-size-received"] == "10"
    bad = http.post(url, headers={"x-goog-upload-command": "upload", "x-goog-upload-offset": "x"})
    assert bad.status_code == 400
    assert session(server, url)["sizeReceived"] == 10


def test_bytes_sent_again_below_the_committed_size_are_dropped_and_counted(
    http: httpx.Client, server: EmulatorServer
) -> None:
    data = bytes(range(256)) * 4
    url = start(http, size=len(data)).headers["x-goog-upload-url"]
    send(http, url, data[:600], 0)
    before = stats(server.app.store)["resentBytes"]
    r = send(http, url, data[500:], 500, finalize=True)  # 100 bytes again
    assert r.json()["file"]["sha256Hash"] == sha_field(data)
    assert session(server, url)["resentBytes"] == 100
    assert session(server, url)["receivedBytes"] == 600 + len(data) - 500
    assert stats(server.app.store)["resentBytes"] == before + 100


def test_the_declared_total_is_enforced(http: httpx.Client, server: EmulatorServer) -> None:
    url = start(http, size=8).headers["x-goog-upload-url"]
    r = send(http, url, b"0123456789", 0)
    assert r.status_code == 400
    assert r.headers["x-goog-upload-status"] == "active"
    assert "declared" in r.text
    assert command(http, url, "query").headers["x-goog-upload-size-received"] == "8"
    url = start(http, size=8).headers["x-goog-upload-url"]
    short = send(http, url, b"0123", 0, finalize=True)
    assert short.status_code == 400
    assert short.headers["x-goog-upload-status"] == "active"
    assert "does not match" in short.text
    done = send(http, url, b"4567", 4, finalize=True)
    assert done.json()["file"]["sha256Hash"] == sha_field(b"01234567")


def test_an_unknown_command_or_session(http: httpx.Client) -> None:
    url = start(http, size=1).headers["x-goog-upload-url"]
    r = command(http, url, "rewind")
    assert r.status_code == 400
    assert "rewind" in r.text
    r = send(http, f"{START}?upload_id=nosuchsession&upload_protocol=resumable", b"x", 0)
    assert (r.status_code, r.text) == (400, TERMINATED)
    assert r.headers["x-goog-upload-status"] == "final"


def test_cancel(http: httpx.Client, server: EmulatorServer) -> None:
    store = server.app.store
    before = store.blob_bytes
    url = start(http, size=1000).headers["x-goog-upload-url"]
    send(http, url, b"z" * 400, 0)
    assert store.blob_bytes == before + 1000  # the declared total is held for the upload
    r = command(http, url, "cancel")
    assert (r.status_code, r.content) == (200, b"")
    assert r.headers["x-goog-upload-status"] == "cancelled"
    assert store.blob_bytes == before
    assert command(http, url, "query").headers["x-goog-upload-status"] == "cancelled"
    assert send(http, url, b"z", 400).headers["x-goog-upload-status"] == "cancelled"


# ------------------------------------------------------------------------------ cuts


def test_resume_after_cuts_at_random_offsets(http: httpx.Client, server: EmulatorServer) -> None:
    rng = random.Random(20260904)
    data = rng.randbytes(3 * 1024 * 1024 + 12345)
    cuts = sorted(rng.sample(range(1, len(data)), 3))
    for at in cuts:
        server.app.faults.add({"cut_upload_at": at, "count": 1})
    url = start(http, size=len(data), metadata={"file": {"displayName": "cut"}}).headers[
        "x-goog-upload-url"
    ]
    final, seen = resuming_upload(http, url, data, chunk=1024 * 1024)
    assert seen == 3
    assert final.json()["file"]["sha256Hash"] == sha_field(data)
    assert final.json()["file"]["sizeBytes"] == str(len(data))
    assert session(server, url)["resentBytes"] == 0
    assert server.app.faults.list() == []


def test_a_cut_after_a_whole_chunk_was_stored(http: httpx.Client, server: EmulatorServer) -> None:
    # The chunk arrives whole but the answer is lost: a client that resends it blindly re-sends
    # committed bytes; one that queries does not.
    data = random.Random(2).randbytes(200_000)
    server.app.faults.add({"cut_upload_at": 100_000, "count": 1})
    url = start(http, size=len(data)).headers["x-goog-upload-url"]
    with pytest.raises(httpx.TransportError):
        send(http, url, data[:100_000], 0)
    assert command(http, url, "query").headers["x-goog-upload-size-received"] == "100000"
    send(http, url, data[:100_000], 0)  # the blind resend
    assert session(server, url)["resentBytes"] == 100_000
    r = send(http, url, data[100_000:], 100_000, finalize=True)
    assert r.json()["file"]["sha256Hash"] == sha_field(data)


def test_the_cut_fault_from_the_control_api(http: httpx.Client, server: EmulatorServer) -> None:
    token = {"x-emulator-token": server.token}
    added = http.post("/_emulator/faults", headers=token, json={"cut_upload_at": 5, "count": 1})
    assert added.status_code == 200
    assert added.json()["cut_upload_at"] == 5
    bad = http.post("/_emulator/faults", headers=token, json={"cut_upload_at": 0})
    assert bad.status_code == 400
    url = start(http, size=10).headers["x-goog-upload-url"]
    final, seen = resuming_upload(http, url, b"0123456789", chunk=10)
    assert seen == 1
    assert final.json()["file"]["sha256Hash"] == sha_field(b"0123456789")
    # Other requests never see an upload cut.
    server.app.faults.add({"cut_upload_at": 1})
    assert http.get("/v1beta/models/gemini-2.5-flash").status_code == 200


# ------------------------------------------------------------------------------ limits


def test_a_declared_size_over_two_gigabytes_is_refused(http: httpx.Client) -> None:
    r = start(http, size=2 * 1024**3 + 1)
    assert r.status_code == 400
    err = r.json()["error"]
    assert err["status"] == "INVALID_ARGUMENT"
    assert "2147483648" in err["message"]
    assert start(http, size=2 * 1024**3).status_code == 200  # the limit itself is allowed


def test_the_storage_quota() -> None:
    with (
        EmulatorServer(options=EmulatorOptions(blob_limit=1000)) as s,
        httpx.Client(base_url=s.url) as c,
    ):
        r = start(c, size=1001)
        assert r.status_code == 429
        assert r.json()["error"]["status"] == "RESOURCE_EXHAUSTED"
        # Without a declared total the bytes are counted as they come, and the upload ends.
        url = start(c, size=None).headers["x-goog-upload-url"]
        assert send(c, url, b"a" * 600, 0).status_code == 200
        r = send(c, url, b"b" * 600, 600)
        assert r.status_code == 429
        assert r.headers["x-goog-upload-status"] == "final"
        assert s.app.store.blob_bytes == 0
        assert command(c, url, "query").status_code == 429  # the final answer, again
        ok = start(c, size=1000).headers["x-goog-upload-url"]
        assert send(c, ok, b"c" * 1000, 0, finalize=True).status_code == 200


def test_a_session_lives_a_week_on_the_clock() -> None:
    with EmulatorServer() as s, httpx.Client(base_url=s.url) as c:
        url = start(c, size=4).headers["x-goog-upload-url"]
        send(c, url, b"ab", 0)
        s.app.clock.advance(SESSION_LIFETIME - 60)
        assert command(c, url, "query").headers["x-goog-upload-size-received"] == "2"
        s.app.clock.advance(120)
        r = send(c, url, b"cd", 2, finalize=True)
        assert (r.status_code, r.text) == (400, TERMINATED)
        assert s.app.store.blob_bytes == 0


def test_chunks_need_no_api_key_but_the_start_does() -> None:
    with (
        EmulatorServer(options=EmulatorOptions(api_key=KEY)) as s,
        httpx.Client(base_url=s.url) as c,
    ):
        assert start(c, size=2).status_code == 403
        url = start(c, size=2, headers={"x-goog-api-key": KEY}).headers["x-goog-upload-url"]
        r = send(c, url, b"ok", 0, finalize=True)
        assert r.status_code == 200
        assert r.json()["file"]["sizeBytes"] == "2"
        # A made-up session id is no way in.
        r = send(c, f"{START}?upload_id=guess", b"x", 0)
        assert (r.status_code, r.text) == (400, TERMINATED)


def test_twenty_megabytes_stream_to_disk(http: httpx.Client, server: EmulatorServer) -> None:
    size, block = 20 * 1024 * 1024, 64 * 1024
    digest = hashlib.sha256()

    def body() -> Iterator[bytes]:
        for i in range(size // block):
            piece = random.Random(i).randbytes(block)
            digest.update(piece)
            yield piece

    url = start(http, size=size).headers["x-goog-upload-url"]
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base, _ = tracemalloc.get_traced_memory()
        r = http.post(
            url,
            headers={"x-goog-upload-command": "upload, finalize", "x-goog-upload-offset": "0"},
            content=body(),
        )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert r.status_code == 200, r.text
    expected = base64.b64encode(digest.hexdigest().encode()).decode()
    assert r.json()["file"]["sha256Hash"] == expected
    # Client and server together: a few blocks in flight, never the 20 MB.
    assert peak - base < 4 * 1024 * 1024, f"peak grew by {(peak - base) / 1e6:.1f} MB"


# ------------------------------------------------------------------------------ one request


def test_multipart_upload(http: httpx.Client) -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + (64).to_bytes(4, "big") * 2 + b"\x08" * 40
    boundary = "===gemini-nb-boundary==="
    body = (
        f"--{boundary}\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n".encode()
        + json.dumps({"file": {"displayName": "pixel"}}).encode()
        + f"\r\n--{boundary}\r\nContent-Type: image/png\r\n\r\n".encode()
        + png
        + f"\r\n--{boundary}--\r\n".encode()
    )
    r = http.post(
        f"{START}?uploadType=multipart",
        headers={"content-type": f'multipart/related; boundary="{boundary}"'},
        content=body,
    )
    assert r.status_code == 200, r.text
    file = r.json()["file"]
    assert (file["displayName"], file["mimeType"]) == ("pixel", "image/png")
    assert file["sha256Hash"] == sha_field(png)
    # The same with the X-Goog protocol header, in small network reads.
    r = http.post(
        START,
        headers={
            "x-goog-upload-protocol": "multipart",
            "content-type": f"multipart/related; boundary={boundary}",
        },
        content=(body[i : i + 7] for i in range(0, len(body), 7)),
    )
    assert r.status_code == 200, r.text
    assert r.headers["x-goog-upload-status"] == "final"
    assert r.json()["file"]["sha256Hash"] == sha_field(png)


def test_multipart_without_media_is_refused(http: httpx.Client) -> None:
    body = b"--b\r\nContent-Type: application/json\r\n\r\n{}\r\n--b--\r\n"
    r = http.post(
        f"{START}?uploadType=multipart",
        headers={"content-type": "multipart/related; boundary=b"},
        content=body,
    )
    assert r.status_code == 400
    assert "no media part" in r.json()["error"]["message"]


def test_raw_upload(http: httpx.Client) -> None:
    r = http.post(
        START,
        headers={"x-goog-upload-protocol": "raw", "content-type": "text/plain"},
        content=b"plain words",
    )
    assert r.status_code == 200, r.text
    file = r.json()["file"]
    assert (file["mimeType"], file["sizeBytes"]) == ("text/plain", "11")
    assert file["sha256Hash"] == sha_field(b"plain words")


def test_sessions_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    from gemini_nb.emulator.wire import upload as _upload

    monkeypatch.setattr(_upload, "MAX_SESSIONS", 2)
    with EmulatorServer() as s, httpx.Client(base_url=s.url) as c:
        done = start(c, size=1).headers["x-goog-upload-url"]
        send(c, done, b"x", 0, finalize=True)
        active = start(c, size=1).headers["x-goog-upload-url"]
        start(c, size=1)  # one too many: the oldest finished session goes first
        assert command(c, done, "query").text == TERMINATED
        assert command(c, active, "query").headers["x-goog-upload-status"] == "active"
        assert len(stats(s.app.store)["uploads"]) == 2
