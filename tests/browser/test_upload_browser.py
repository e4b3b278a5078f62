"""The upload widget in JupyterLab, in headless Chromium: real files chosen through the file
input travel to the kernel in chunks and on to the Files API of an emulator in this test
process, one of them 200 MB, without the kernel ever holding a whole file."""

from __future__ import annotations

import base64
import hashlib
import os
import re
from pathlib import Path
from typing import Any

import pytest

import gemini_nb

from ._notebooks import write_notebook
from .jupyter import Lab

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

WIDGET = ".gnb-upload"
INPUT = f"{WIDGET} input.gnb-upload-input"
ROWS = f"{WIDGET} .gnb-upload-row"
OUR_MODULE = re.compile(r"anywidget|gnb-upload|upload\.js|UploadWidget", re.IGNORECASE)
MiB = 1024 * 1024

# The kernel's peak resident memory (VmHWM) can be reset by writing 5 to clear_refs.
MEMORY = """
import re
def memory():
    status = open("/proc/self/status").read()
    return {k: int(v) * 1024 for k, v in re.findall(r"(VmHWM|VmRSS):\\s+(\\d+) kB", status)}
"""


def upload_notebook(tmp_path: Path, url: str, name: str, **options: Any) -> Path:
    args = ", ".join(f"{k}={v!r}" for k, v in options.items())
    return write_notebook(
        tmp_path / name,
        # The server scrubs keys and URLs from the kernel: answers come from our emulator.
        f"import os\nos.environ['GOOGLE_GEMINI_BASE_URL'] = {url!r}\n{MEMORY}",
        f"from gemini_nb.notebook.widgets import UploadWidget\n\nup = UploadWidget({args})\nup",
        # The client and what it imports are made before the measure starts.
        "from gemini_nb.notebook._session import session\n\nsession.client().files.list()\n"
        "open('/proc/self/clear_refs', 'w').write('5')\nbefore = memory()['VmRSS']\n"
        "print('reset', before > 0)",
        "files = up.wait(timeout=120)\npeak = memory()['VmHWM'] - before\n"
        "print('files:', [(f.display_name, f.size_bytes, f.state) for f in files])\n"
        "print(f'peak growth: {peak} bytes')",
    )


def by_name(emulator: Any) -> dict[str, gemini_nb.File]:
    with gemini_nb.Client(base_url=emulator.url) as client:
        return {f.display_name or "": f for f in client.files.list()}


def digest_of(file: gemini_nb.File) -> str:
    return base64.b64decode(file.sha256_hash or "").decode()


def cell_text(lab: Lab, index: int) -> str:
    cell = lab.page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell").nth(index)
    return cell.locator(".jp-OutputArea-output").all_text_contents()[-1]


def check_console(lab: Lab) -> None:
    ours = [line for line in lab.console_errors() if OUR_MODULE.search(line)]
    assert not ours, "\n".join(ours)
    assert not lab.page_errors, "\n".join(lab.page_errors)


def test_files_chosen_in_the_browser_are_uploaded(lab: Lab, emulator: Any, tmp_path: Path) -> None:
    files = tmp_path / "files"
    files.mkdir()
    notes = files / "notes.txt"
    notes.write_text("Lighthouse log: fog at dawn, clear by noon.\n" * 2000)  # 88 KB
    table = files / "tides.csv"
    table.write_text("hour,height\n" + "".join(f"{h},{h % 7}\n" for h in range(24)))
    blob = files / "blob"  # no extension: its type cannot be told
    blob.write_bytes(os.urandom(100))

    lab.open_notebook(
        upload_notebook(tmp_path, emulator.url, "upload_small.ipynb", chunk_size=64 * 1024)
    )
    lab.run_all()
    page = lab.page
    page.locator(INPUT).wait_for(state="attached")
    assert page.locator(ROWS).count() == 0
    page.locator(INPUT).set_input_files([str(notes), str(table), str(blob)])

    page.locator(f"{ROWS}[data-state='done']").nth(1).wait_for(timeout=60_000)
    error = page.locator(f"{ROWS}[data-state='error']")
    assert error.count() == 1
    assert error.locator(".gnb-upload-name").text_content() == "blob"
    assert (error.locator(".gnb-upload-status").text_content() or "").startswith(
        "failed: unknown type"
    )
    assert page.locator(f"{WIDGET} .gnb-upload-footer").text_content() == (
        "2 files uploaded · in Python: this widget's .files"
    )
    done = page.locator(f"{ROWS}[data-state='done']").first
    assert re.fullmatch(
        r"uploaded as files/[a-z0-9]+", done.locator(".gnb-upload-status").text_content() or ""
    )
    assert done.locator(".gnb-upload-size").text_content() == "88.0 KB"

    stored = by_name(emulator)
    for path in (notes, table):
        assert digest_of(stored[path.name]) == hashlib.sha256(path.read_bytes()).hexdigest()
    assert stored["notes.txt"].mime_type == "text/plain"
    assert stored["tides.csv"].mime_type == "text/csv"

    # A file dropped on the widget takes the same way.
    page.locator(f"{WIDGET} .gnb-upload-zone").evaluate(
        """zone => {
            const data = new DataTransfer();
            data.items.add(new File(["# Dropped\\nA note dropped here."], "dropped.md",
                                    {type: "text/markdown"}));
            for (const type of ["dragenter", "dragover", "drop"]) {
                zone.dispatchEvent(new DragEvent(type, {dataTransfer: data, bubbles: true,
                                                        cancelable: true}));
            }
        }"""
    )
    page.locator(f"{ROWS}[data-state='done']").nth(2).wait_for(timeout=60_000)
    assert by_name(emulator)["dropped.md"].size_bytes == len("# Dropped\nA note dropped here.")

    lab.run_cell(3)
    sizes = [p.stat().st_size for p in (notes, table)]
    lab.wait_for_text(
        ".jp-OutputArea-output",
        f"files: [('notes.txt', {sizes[0]}, 'ACTIVE'), "
        f"('tides.csv', {sizes[1]}, 'ACTIVE'), ('dropped.md', 30, 'ACTIVE')]",
    )
    check_console(lab)


def test_a_200_mb_file_goes_through_in_bounded_memory(
    lab: Lab, emulator: Any, tmp_path: Path
) -> None:
    big = tmp_path / "recording.bin"
    size = 200 * MiB
    with big.open("wb") as fh:  # written in pieces: this test does not hold it either
        for _ in range(size // MiB):
            fh.write(os.urandom(MiB))
    want = hashlib.sha256(big.read_bytes()).hexdigest()

    lab.open_notebook(upload_notebook(tmp_path, emulator.url, "upload_big.ipynb"))
    lab.run_all()
    page = lab.page
    lab.wait_for_text(".jp-OutputArea-output", "reset True")
    page.locator(INPUT).set_input_files(str(big))
    row = page.locator(ROWS).first
    # The bar moves while the bytes go to the kernel, then to the API.
    page.wait_for_function(
        """sel => { const s = document.querySelector(sel);
                   return s && /sending to the kernel · [1-9]\\d?%/.test(s.textContent); }""",
        arg=f"{ROWS} .gnb-upload-status",
        timeout=60_000,
    )
    row.and_(page.locator("[data-state='done']")).wait_for(timeout=180_000)
    assert row.locator(".gnb-upload-size").text_content() == "209.7 MB"

    stored = by_name(emulator)["recording.bin"]
    assert stored.size_bytes == size and digest_of(stored) == want

    lab.run_cell(3, timeout=180)
    lab.wait_for_text(".jp-OutputArea-output", f"files: [('recording.bin', {size}, 'ACTIVE')]")
    text = cell_text(lab, 3)
    peak = int(re.search(r"peak growth: (-?\d+) bytes", text).group(1))  # type: ignore[union-attr]
    # A kernel that held the file would have grown by 200 MB at least; receiving holds about
    # one 2 MiB chunk and uploading about three 8 MiB ones (each in its thread's own arena).
    assert peak < 48 * MiB, text
    check_console(lab)
