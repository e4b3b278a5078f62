"""An upload holds about one chunk at a time, even when the cyclic GC does not run."""

from __future__ import annotations

import gc
import os
import tracemalloc
from pathlib import Path
from typing import Any

from gemini_nb import Client

CHUNK = 8 * 1024 * 1024


def test_a_chunk_is_let_go_once_sent(emulator: Any, tmp_path: Path) -> None:
    path = tmp_path / "big.bin"
    with path.open("wb") as f:
        block = os.urandom(1024 * 1024)
        for _ in range(48):  # six chunks
            f.write(block)
    client = Client(base_url=emulator.url)
    gc.collect()
    gc.disable()  # httpx's response/stream cycles would otherwise hide a leak until a GC ran
    tracemalloc.start()
    try:
        file = client.files.upload(file=path, mime_type="application/octet-stream")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        gc.enable()
        client.close()
    assert file.size_bytes == 48 * 1024 * 1024
    # The chunk read from disk, h11's framed copy of it, and slack for the in-process emulator:
    # well under the six chunks a leak would keep.
    assert peak < 3 * CHUNK, f"{peak / 2**20:.1f} MiB traced at the peak"
