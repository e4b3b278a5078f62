"""Resumable uploads: the chunk plan, the protocol as sent, resuming from the committed offset
after a dropped connection or a 5xx, client-side checks, and waiting for processing; each
protocol test runs on both clients (``kind``) against a scripted server."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

import gemini_nb as g
from gemini_nb._upload import (
    CHUNK_GRANULARITY,
    DEFAULT_CHUNK_SIZE,
    Chunk,
    check_chunk_size,
    next_chunk,
    plan_chunks,
)

from ._fakes import KEY, FakeFilesServer, FakeTime, Fault, Shell

KIB = 1024
CHUNK = CHUNK_GRANULARITY  # the smallest chunk the protocol allows, to keep tests small


def payload(n: int) -> bytes:
    return bytes((i * 7 + i // 251) % 256 for i in range(n))


# --------------------------------------------------------------------------- the plan


@pytest.mark.parametrize(
    ("total", "size", "expected"),
    [
        (0, CHUNK, [(0, 0, True)]),
        (10, CHUNK, [(0, 10, True)]),
        (CHUNK, CHUNK, [(0, CHUNK, True)]),
        (CHUNK + 1, CHUNK, [(0, CHUNK, False), (CHUNK, 1, True)]),
        (3 * CHUNK, CHUNK, [(0, CHUNK, False), (CHUNK, CHUNK, False), (2 * CHUNK, CHUNK, True)]),
        # 20 MiB in the default 8 MiB chunks: the offsets google-genai sends.
        (
            20 * 1024 * KIB,
            DEFAULT_CHUNK_SIZE,
            [(0, 8388608, False), (8388608, 8388608, False), (16777216, 4194304, True)],
        ),
    ],
)
def test_chunk_plan(total: int, size: int, expected: list[tuple[int, int, bool]]) -> None:
    assert [(c.offset, c.size, c.final) for c in plan_chunks(total, size)] == expected


def test_plan_resumes_from_any_offset() -> None:
    # After a query the next chunk starts where the server stopped, even mid-chunk.
    assert list(plan_chunks(3 * CHUNK, CHUNK, start=CHUNK + 5)) == [
        Chunk(CHUNK + 5, CHUNK, False),
        Chunk(2 * CHUNK + 5, CHUNK - 5, True),
    ]
    assert next_chunk(3 * CHUNK, 3 * CHUNK, CHUNK) == Chunk(3 * CHUNK, 0, True)
    assert (
        Chunk(0, 1, True).command == "upload, finalize" and Chunk(0, 1, False).command == "upload"
    )
    with pytest.raises(ValueError):
        next_chunk(5, 4, CHUNK)


@pytest.mark.parametrize("bad", [0, -CHUNK, CHUNK + 1, 1000, 2.5, True])
def test_chunk_size_must_be_a_multiple_of_256_kib(bad: Any) -> None:
    with pytest.raises(g.InvalidInputError, match="multiple of 262144"):
        check_chunk_size(bad)
    assert check_chunk_size(4 * CHUNK) == 4 * CHUNK


# --------------------------------------------------------------------------- the protocol


async def test_upload_sends_the_resumable_protocol(kind: str, tmp_path: Path) -> None:
    server = FakeFilesServer()
    shell = Shell(kind, server)
    src = tmp_path / "report.pdf"
    data = b"%PDF-" + payload(2 * CHUNK + 1000)
    src.write_bytes(data)
    seen: list[tuple[int, int]] = []
    f = await shell(
        lambda c: c.files.upload(
            file=src, chunk_size=CHUNK, progress=lambda s, t: seen.append((s, t))
        )
    )
    assert isinstance(f, g.File) and f.state == "ACTIVE" and f.mime_type == "application/pdf"
    assert f.display_name == "report.pdf" and f.size_bytes == len(data)
    assert server.contents[f.name] == data
    start = server.requests[0]
    assert start.method == "POST" and start.url.path == "/upload/v1beta/files"
    assert start.headers["x-goog-upload-header-content-length"] == str(len(data))
    assert start.headers["x-goog-upload-header-content-type"] == "application/pdf"
    assert server.sent_headers[0]["x-goog-api-key"] == KEY
    assert b'"file":{"displayName":"report.pdf"}' in start.content
    assert server.chunk_offsets() == [
        ("upload", 0, CHUNK),
        ("upload", CHUNK, CHUNK),
        ("upload, finalize", 2 * CHUNK, 1005),
    ]
    # The session URL is the credential for chunks: the key is not sent with them.
    assert all("x-goog-api-key" not in h for h in server.sent_headers[1:])
    assert seen == [
        (0, len(data)),
        (CHUNK, len(data)),
        (2 * CHUNK, len(data)),
        (len(data), len(data)),
    ]


async def test_config_form_and_keywords(kind: str) -> None:
    server = FakeFilesServer()
    shell = Shell(kind, server)
    f = await shell(
        lambda c: c.files.upload(
            file=b"hello",
            config={"mime_type": "text/plain", "display_name": "greeting", "name": "my-id"},
        )
    )
    assert f.name == "files/my-id" and f.display_name == "greeting" and f.mime_type == "text/plain"
    f2 = await shell(
        lambda c: c.files.upload(
            file=io.BytesIO(b"x" * 10),
            config=g.types.UploadFileConfig(display_name="a"),
            display_name="b",
            mime_type="application/octet-stream",
        )
    )
    assert f2.display_name == "b"  # keywords win over config
    assert server.requests[0].content == b'{"file":{"name":"files/my-id","displayName":"greeting"}}'


async def test_empty_file_is_one_final_chunk(kind: str) -> None:
    server = FakeFilesServer()
    f = await Shell(kind, server)(lambda c: c.files.upload(file=b"", mime_type="text/plain"))
    assert f.size_bytes == 0 and server.chunk_offsets() == [("upload, finalize", 0, 0)]


async def test_binary_file_object_from_its_current_position(kind: str) -> None:
    server = FakeFilesServer()
    fh = io.BytesIO(b"HEADER" + payload(CHUNK + 3))
    fh.seek(6)
    f = await Shell(kind, server)(
        lambda c: c.files.upload(file=fh, mime_type="application/octet-stream", chunk_size=CHUNK)
    )
    assert server.contents[f.name] == payload(CHUNK + 3)
    assert not fh.closed  # the caller's file is left open


async def test_server_granularity_is_respected(kind: str) -> None:
    # A server that wants 512 KiB pieces gets them even when asked for 768 KiB chunks.
    server = FakeFilesServer(granularity=2 * CHUNK)
    await Shell(kind, server)(
        lambda c: c.files.upload(
            file=payload(5 * CHUNK), mime_type="application/octet-stream", chunk_size=3 * CHUNK
        )
    )
    assert [n for _, _, n in server.chunk_offsets()] == [2 * CHUNK, 2 * CHUNK, CHUNK]


async def test_file_is_read_a_chunk_at_a_time(
    kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Memory stays bounded by the chunk size: no read asks for more than one chunk.
    import gemini_nb._upload as up

    sizes: list[int] = []
    real = up._FileSource.read

    def spy(self: Any, offset: int, size: int) -> bytes:
        sizes.append(size)
        return real(self, offset, size)

    monkeypatch.setattr(up._FileSource, "read", spy)
    src = tmp_path / "big.bin"
    with open(src, "wb") as fh:
        for _ in range(8):
            fh.write(payload(CHUNK))
    server = FakeFilesServer()
    await Shell(kind, server)(
        lambda c: c.files.upload(file=src, mime_type="application/octet-stream", chunk_size=CHUNK)
    )
    assert max(sizes) == CHUNK and len(server.chunk_offsets()) == 8


# --------------------------------------------------------------------------- resuming


async def test_dropped_connection_resumes_from_committed_offset(
    kind: str, fake_time: FakeTime
) -> None:
    server = FakeFilesServer()
    server.faults[1] = Fault(commit=100_000, drop=True)  # half of the second chunk arrived
    data = payload(3 * CHUNK)
    f = await Shell(kind, server)(
        lambda c: c.files.upload(file=data, mime_type="application/octet-stream", chunk_size=CHUNK)
    )
    assert server.contents[f.name] == data
    assert server.chunk_offsets() == [
        ("upload", 0, CHUNK),
        ("upload", CHUNK, CHUNK),  # dropped after 100,000 bytes were committed
        ("query", None, 0),
        ("upload", CHUNK + 100_000, CHUNK),  # from the committed offset, never from 0
        ("upload, finalize", 2 * CHUNK + 100_000, CHUNK - 100_000),
    ]
    assert len(fake_time.sleeps) == 1  # one backoff before asking


async def test_server_error_on_a_chunk_is_recovered(kind: str, fake_time: FakeTime) -> None:
    server = FakeFilesServer()
    server.faults[0] = Fault(commit=0, status=503)
    server.faults[2] = Fault(commit=CHUNK, status=500)  # the last chunk was kept, the answer lost
    data = payload(2 * CHUNK)
    seen: list[int] = []
    f = await Shell(kind, server)(
        lambda c: c.files.upload(
            file=data,
            mime_type="application/octet-stream",
            chunk_size=CHUNK,
            progress=lambda s, t: seen.append(s),
        )
    )
    assert server.contents[f.name] == data
    assert server.chunk_offsets() == [
        ("upload", 0, CHUNK),
        ("query", None, 0),
        ("upload", 0, CHUNK),
        ("upload, finalize", CHUNK, CHUNK),
        ("query", None, 0),
    ]
    # The last query found the upload final: its answer is the file.
    assert seen[-1] == 2 * CHUNK and f.state == "ACTIVE"


async def test_query_is_retried_like_any_call(kind: str, fake_time: FakeTime) -> None:
    server = FakeFilesServer()
    server.faults[0] = Fault(commit=1000, drop=True)
    server.query_faults = [503]
    data = payload(CHUNK)
    f = await Shell(kind, server)(
        lambda c: c.files.upload(file=data, mime_type="application/octet-stream", chunk_size=CHUNK)
    )
    assert server.contents[f.name] == data
    assert [c for c, _, _ in server.chunk_offsets()] == [
        "upload, finalize",
        "query",
        "query",
        "upload, finalize",
    ]
    assert server.chunk_offsets()[-1][1] == 1000


async def test_gives_up_after_the_retry_budget(kind: str, fake_time: FakeTime) -> None:
    server = FakeFilesServer()
    server.faults = {i: Fault(status=503) for i in range(10)}
    shell = Shell(kind, server, max_retries=2)
    with pytest.raises(g.ServerError) as info:
        await shell(
            lambda c: c.files.upload(file=payload(CHUNK), mime_type="application/octet-stream")
        )
    assert [c for c, _, _ in server.chunk_offsets()].count("upload, finalize") == 3
    assert KEY not in str(info.value)
    server2 = FakeFilesServer()
    server2.faults[0] = Fault(status=503)
    with pytest.raises(g.ServerError):  # per call: no retries at all
        await Shell(kind, server2)(
            lambda c: c.files.upload(
                file=b"abc", mime_type="text/plain", config={"http_options": {"max_retries": 0}}
            )
        )
    assert len(server2.chunk_offsets()) == 1


async def test_client_errors_on_a_chunk_are_not_retried(kind: str, fake_time: FakeTime) -> None:
    server = FakeFilesServer()
    server.faults[0] = Fault(status=400)
    with pytest.raises(g.BadRequestError):
        await Shell(kind, server)(lambda c: c.files.upload(file=b"abc", mime_type="text/plain"))
    assert len(server.chunk_offsets()) == 1 and not fake_time.sleeps


# --------------------------------------------------------------------------- checks before sending


def _nothing_sent(server: FakeFilesServer) -> bool:
    return not server.requests


async def test_missing_path(kind: str, tmp_path: Path) -> None:
    server = FakeFilesServer()
    with pytest.raises(g.InvalidInputError, match=r"No such file: .*nope.pdf"):
        await Shell(kind, server)(lambda c: c.files.upload(file=tmp_path / "nope.pdf"))
    assert _nothing_sent(server)


async def test_directory(kind: str, tmp_path: Path) -> None:
    server = FakeFilesServer()
    with pytest.raises(g.InvalidInputError, match="is a directory"):
        await Shell(kind, server)(lambda c: c.files.upload(file=str(tmp_path)))
    assert _nothing_sent(server)


async def test_unreadable_file(kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Tests run as root here, who reads any file: opening is made to fail as it would for
    # a user without permission.
    import gemini_nb._upload as up

    def denied(path: str, mode: str = "r") -> Any:
        raise PermissionError(13, "Permission denied", path)

    monkeypatch.setattr(up, "open", denied, raising=False)
    src = tmp_path / "secret.txt"
    src.write_text("x")
    server = FakeFilesServer()
    with pytest.raises(
        g.InvalidInputError,
        match=r"Cannot read .*secret.txt.*Permission denied; check its permissions",
    ):
        await Shell(kind, server)(lambda c: c.files.upload(file=src))
    assert _nothing_sent(server)


async def test_unknown_mime_type(kind: str, tmp_path: Path) -> None:
    src = tmp_path / "data.unknownext"
    src.write_bytes(b"\x00\x01\x02 not a known format")
    server = FakeFilesServer()
    with pytest.raises(
        g.InvalidInputError, match=r"MIME type of 'data.unknownext'; pass mime_type="
    ):
        await Shell(kind, server)(lambda c: c.files.upload(file=src))
    with pytest.raises(g.InvalidInputError, match="MIME type of these bytes"):
        await Shell(kind, server)(lambda c: c.files.upload(file=b"\x00\x01"))
    assert _nothing_sent(server)
    # Guessed from the name, else from the first bytes.
    (tmp_path / "notes.md").write_text("# hi")
    (tmp_path / "picture").write_bytes(b"\x89PNG\r\n\x1a\n" + payload(50))
    f1 = await Shell(kind, server)(lambda c: c.files.upload(file=tmp_path / "notes.md"))
    f2 = await Shell(kind, server)(lambda c: c.files.upload(file=tmp_path / "picture"))
    assert f1.mime_type == "text/markdown" and f2.mime_type == "image/png"


async def test_bad_file_arguments(kind: str) -> None:
    server = FakeFilesServer()
    shell = Shell(kind, server)
    with pytest.raises(g.InvalidInputError, match="binary mode"):
        await shell(lambda c: c.files.upload(file=io.StringIO("text"), mime_type="text/plain"))
    with pytest.raises(g.InvalidInputError, match="cannot seek"):
        await shell(lambda c: c.files.upload(file=_Unseekable(), mime_type="text/plain"))
    with pytest.raises(g.InvalidInputError, match="Cannot upload a int"):
        await shell(lambda c: c.files.upload(file=42, mime_type="text/plain"))
    with pytest.raises(g.InvalidInputError, match="type/subtype"):
        await shell(lambda c: c.files.upload(file=b"x", mime_type="pdf"))
    with pytest.raises(g.InvalidInputError, match="UploadFileConfig"):
        await shell(lambda c: c.files.upload(file=b"x", config={"mimetype": "text/plain"}))
    assert _nothing_sent(server)


class _Unseekable(io.RawIOBase):
    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False


async def test_source_file_is_closed_after_a_failed_upload(
    kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gemini_nb._upload as up

    closed: list[bool] = []
    real = up._FileSource.close

    def spy(self: Any) -> None:
        real(self)
        closed.append(self._fh.closed)

    monkeypatch.setattr(up._FileSource, "close", spy)
    server = FakeFilesServer()
    server.faults[0] = Fault(status=400)
    src = tmp_path / "a.txt"
    src.write_text("hello")
    with pytest.raises(g.BadRequestError):
        await Shell(kind, server)(lambda c: c.files.upload(file=src))
    assert closed == [True]


# --------------------------------------------------------------------------- processing


async def test_upload_waits_until_active(kind: str, fake_time: FakeTime) -> None:
    server = FakeFilesServer(processing_polls=3)
    f = await Shell(kind, server)(lambda c: c.files.upload(file=b"x" * 10, mime_type="video/mp4"))
    assert f.state == "ACTIVE" and server.polls[f.name] == 3
    assert fake_time.sleeps == [1.0, 1.5, 2.25]  # the poll interval grows


async def test_wait_false_returns_the_processing_file(kind: str, fake_time: FakeTime) -> None:
    server = FakeFilesServer(processing_polls=2)
    shell = Shell(kind, server)
    f = await shell(lambda c: c.files.upload(file=b"x", mime_type="video/mp4", wait=False))
    assert f.state == "PROCESSING" and not fake_time.sleeps
    active = await shell(lambda c: c.files.wait(name=f.name))
    assert active.state == "ACTIVE"


async def test_failed_processing_raises(kind: str, fake_time: FakeTime) -> None:
    server = FakeFilesServer(processing_polls=1, fail_processing=True)
    with pytest.raises(g.FileProcessingError) as info:
        await Shell(kind, server)(lambda c: c.files.upload(file=b"x", mime_type="video/mp4"))
    err = info.value
    assert isinstance(err, g.OperationError) and err.code == 3 and err.file.state == "FAILED"
    assert "could not be decoded" in str(err) and "upload it again" in str(err)


async def test_processing_wait_times_out(kind: str, fake_time: FakeTime) -> None:
    server = FakeFilesServer(processing_polls=100)
    with pytest.raises(g.WaitTimeoutError) as info:
        await Shell(kind, server)(
            lambda c: c.files.upload(file=b"x", mime_type="video/mp4", wait_timeout=5)
        )
    assert info.value.last.state == "PROCESSING"
    assert sum(fake_time.sleeps) == pytest.approx(5.0)  # slept up to the deadline, no further


async def test_a_slow_link_that_keeps_making_progress_is_not_given_up(
    kind: str, fake_time: FakeTime
) -> None:
    # Every chunk is cut half-way, yet each cut leaves more on the server: the budget of
    # failures counts failures in a row without progress.
    server = FakeFilesServer()
    server.faults = {i: Fault(commit=CHUNK // 2, drop=True) for i in range(0, 8, 2)}
    data = payload(4 * CHUNK)
    f = await Shell(kind, server, max_retries=1)(
        lambda c: c.files.upload(file=data, mime_type="application/octet-stream", chunk_size=CHUNK)
    )
    assert server.contents[f.name] == data
    offsets = [o for cmd, o, _ in server.chunk_offsets() if cmd != "query"]
    assert offsets == sorted(offsets) and offsets[0] == 0  # never back, never from 0 again
