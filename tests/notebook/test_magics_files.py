"""The magics' files and caches: ``%gemini files`` / ``%gemini caches``, ``--cache NAME``, and
``-f`` with files above the inline limit (uploaded first) or lists of Files, in a real IPython
shell answered by the emulator."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

import gemini_nb as g
from gemini_nb.notebook import _files
from gemini_nb.notebook._session import session

MODEL = "gemini-2.5-flash"
LONG_TEXT = "The lighthouse keeper wrote down the weather every hour of the night. " * 150


@pytest.fixture
def ip(emulator: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[InteractiveShell]:
    monkeypatch.setenv("GOOGLE_GEMINI_BASE_URL", emulator.url)
    session.reset_clients()
    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "gemini_nb")
    shell.user_ns.pop("_gemini_error", None)
    yield shell
    shell.run_line_magic("unload_ext", "gemini_nb")
    session.reset_clients()


@pytest.fixture
def client(emulator: Any) -> Iterator[g.Client]:
    with g.Client(base_url=emulator.url) as c:
        yield c


def cell(ip: InteractiveShell, line: str, body: str) -> tuple[Any, Any]:
    with capture_output() as out:
        result = ip.run_cell_magic("gemini", line, body)
    return result, out


def generate_requests(sent: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        r["json"]
        for r in sent
        if "generateContent" in r["path"] or "streamGenerateContent" in r["path"]
    ]


def test_files_and_caches_subcommands_give_dataframes(
    ip: InteractiveShell, client: g.Client
) -> None:
    f = client.files.upload(file=b"hello there", mime_type="text/plain", display_name="hi.txt")
    cache = client.caches.create(
        model=MODEL, contents=[LONG_TEXT], ttl=300, display_name="lighthouse"
    )
    files = ip.run_line_magic("gemini", "files")
    assert list(files.columns) == list(client.files.list().to_pandas().columns)
    assert f.name in set(files["name"])
    row = files.set_index("name").loc[f.name]
    assert row["display_name"] == "hi.txt" and row["size_bytes"] == 11
    caches = ip.run_line_magic("gemini", "caches")
    assert "total_token_count" in caches.columns and cache.name in set(caches["name"])
    with pytest.raises(UsageError, match="takes no argument"):
        ip.run_line_magic("gemini", "files everything")
    client.caches.delete(name=cache)
    client.files.delete(name=f)


def test_cache_option_uses_the_cache(
    ip: InteractiveShell, client: g.Client, sent: list[dict[str, Any]]
) -> None:
    cache = client.caches.create(model=MODEL, contents=[LONG_TEXT], ttl=300)
    ip.user_ns["cache"] = cache
    # Another default model and a default system instruction: the cache decides both.
    ip.run_line_magic("config", "GeminiMagics.model = 'gemini-2.5-pro'")
    ip.run_line_magic("config", "GeminiMagics.system_instruction = 'Be brief.'")
    try:
        _, out = cell(ip, "--cache cache --no-stream -o r", "What did the keeper write down?")
        r = ip.user_ns["r"]
        assert r.usage_metadata.cached_content_token_count == cache.usage_metadata.total_token_count
        body = generate_requests(sent)[-1]
        assert body["cachedContent"] == cache.name and "systemInstruction" not in body
        assert sent[-1]["path"].endswith(f"models/{MODEL}:generateContent")
        shown = "\n".join(o.data.get("text/plain", "") for o in out.outputs)
        assert f"{cache.usage_metadata.total_token_count:,} cached" in shown  # the usage footer

        # By name, by bare id, streamed, and as a variable holding the name.
        assert cache.name is not None
        ip.user_ns["cache_name"] = cache.name
        for spec in (cache.name, cache.name.removeprefix("cachedContents/"), "cache_name"):
            cell(ip, f"--cache {spec} -o r2", "And what else?")
            assert generate_requests(sent)[-1]["cachedContent"] == cache.name
            assert ip.user_ns["r2"].usage_metadata.cached_content_token_count
    finally:
        ip.run_line_magic("config", "GeminiMagics.model = 'gemini-2.5-flash'")
        ip.run_line_magic("config", "GeminiMagics.system_instruction = None")
        client.caches.delete(name=cache)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("--cache cachedContents/nope", "there is no cache cachedContents/nope"),
        ("--cache 'not a name'", "not a cache name"),
        ('--cache c -s "Be brief."', "does not combine with -s"),
        ("--cache c --search --tools f", "does not combine with --tools, --search"),
        ("--cache c -m gemini-2.5-pro", "was made for gemini-2.5-flash"),
    ],
)
def test_cache_mistakes_are_usage_errors(
    ip: InteractiveShell, client: g.Client, line: str, message: str
) -> None:
    cache = client.caches.create(model=MODEL, contents=[LONG_TEXT], ttl=300)
    ip.user_ns.update(c=cache, f=len)
    try:
        with pytest.raises(UsageError, match=message):
            cell(ip, line, "hi")
    finally:
        client.caches.delete(name=cache)


def test_a_large_file_is_uploaded_first(
    ip: InteractiveShell,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    sent: list[dict[str, Any]],
    client: g.Client,
) -> None:
    monkeypatch.setattr(_files, "UPLOAD_THRESHOLD", 4000)
    big, small = tmp_path / "big.txt", tmp_path / "small.txt"
    big.write_text("All about lighthouses. " * 300)  # 6,900 bytes
    small.write_text("A small note.")
    _, out = cell(ip, f"-f {big} -f {small} --no-stream -o r", "What are these files about?")

    parts = generate_requests(sent)[-1]["contents"][-1]["parts"]
    assert parts[0] == {"text": "What are these files about?"}
    uri = parts[1]["fileData"]["fileUri"]
    assert parts[1]["fileData"]["mimeType"] == "text/plain"
    assert parts[2] == {"text": "A small note."}  # below the threshold: inline, as before
    uploaded = client.files.get(name=uri)
    assert uploaded.display_name == "big.txt" and uploaded.size_bytes == big.stat().st_size
    # The progress display ends as one line naming the File.
    lines = [o.data.get("text/plain", "") for o in out.outputs]
    assert f"Uploaded big.txt (6.9 KB) as {uploaded.name}." in lines
    assert ip.user_ns["r"].text
    client.files.delete(name=uploaded)


def test_the_threshold_is_the_inline_limit(
    ip: InteractiveShell, tmp_path: Path, sent: list[dict[str, Any]], client: g.Client
) -> None:
    assert _files.UPLOAD_THRESHOLD == 20 * 1024 * 1024
    data = bytes(range(256)) * (_files.UPLOAD_THRESHOLD // 256) + b"!"  # one byte over
    ip.user_ns["blob"] = data
    # Bytes with no type to tell: the upload refuses them before anything is sent.
    with pytest.raises(UsageError, match="MIME type"):
        cell(ip, "-f blob --no-stream", "What is this?")
    path = tmp_path / "scan.pdf"
    path.write_bytes(b"%PDF-1.4\n" + data)
    cell(ip, f"-f {path} --no-stream", "Summarize the scan.")
    part = generate_requests(sent)[-1]["contents"][-1]["parts"][1]
    assert part["fileData"]["mimeType"] == "application/pdf"
    client.files.delete(name=part["fileData"]["fileUri"])


def test_file_lists_and_attributes(
    ip: InteractiveShell, client: g.Client, sent: list[dict[str, Any]]
) -> None:
    a = client.files.upload(file=b"first", mime_type="text/plain", display_name="a.txt")
    b = client.files.upload(file=b"second", mime_type="text/plain", display_name="b.txt")

    class Holder:
        files = [a, b]
        nothing: list[Any] = []

    ip.user_ns.update(up=Holder(), picked=[b], one=a)
    cell(ip, "-f up.files -f picked -f one --no-stream", "Compare them.")
    parts = generate_requests(sent)[-1]["contents"][-1]["parts"]
    assert [p["fileData"]["fileUri"] for p in parts[1:]] == [a.uri, b.uri, b.uri, a.uri]
    with pytest.raises(UsageError, match=r"up\.nothing is empty"):
        cell(ip, "-f up.nothing", "Compare them.")
    with pytest.raises(UsageError, match="no such file"):
        cell(ip, "-f up.missing", "Compare them.")
    client.files.delete(name=a)
    client.files.delete(name=b)


def test_a_failed_upload_is_a_short_api_error(
    ip: InteractiveShell, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, faults: Any
) -> None:
    monkeypatch.setattr(_files, "UPLOAD_THRESHOLD", 10)
    path = tmp_path / "notes.txt"
    path.write_text("Some notes that are long enough.")
    faults.add({"status": 403, "count": 1, "path": "upload", "message": "Uploads are off."})
    with capture_output() as out:
        result = ip.run_cell(f"%%gemini -f {path}\nSummarize.")
    err = ip.user_ns["_gemini_error"]
    assert isinstance(err, g.PermissionDeniedError) and result.error_in_exec is err
    assert "Traceback" not in out.stdout + out.stderr
    assert "Uploads are off." in out.stdout + out.stderr
    assert any(
        "Upload of notes.txt (32 bytes) failed after 0 bytes." in o.data.get("text/plain", "")
        for o in out.outputs
    )
