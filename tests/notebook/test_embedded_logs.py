"""The in-kernel emulator's server errors go to a logger, never to the kernel's stderr (where
they showed up under whichever unrelated cell was running)."""

from __future__ import annotations

import os
import queue
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jupyter_client.manager import KernelManager

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.notebook

# A stream the emulator cuts after its first event: the app raises mid-body, which uvicorn
# reports as "Exception in ASGI application" with a traceback.
CUT_STREAM = """
import logging, os, httpx
from gemini_nb.notebook import _embedded

records = []

class Keep(logging.Handler):
    def emit(self, record):
        records.append((record.name, record.getMessage()))

logging.getLogger("gemini_nb.notebook.emulator").addHandler(Keep())
_embedded.check_backend()  # waits until the server is up
# Another server made in this kernel configures uvicorn's logging again, to this stderr.
from gemini_nb.emulator import EmulatorServer
EmulatorServer()
_embedded._server.config.app.faults.add({"cut_stream_after": 1})
url = os.environ["GOOGLE_GEMINI_BASE_URL"]
body = {"contents": [{"parts": [{"text": "Tell me a long story about the sea."}]}]}
try:
    with httpx.stream("POST", f"{url}/v1beta/models/gemini-2.5-flash:streamGenerateContent",
                      params={"alt": "sse"}, json=body, timeout=30) as r:
        for _ in r.iter_bytes():
            pass
except httpx.HTTPError:
    pass
"""

UNRELATED = """
import time
deadline = time.monotonic() + 10
while not records and time.monotonic() < deadline:
    time.sleep(0.05)
print("unrelated cell")
print("LOGGED", [(name, message.splitlines()[0]) for name, message in records])
"""


@pytest.fixture
def kernel() -> Iterator[Any]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("GEMINI_API_KEY", "GOOGLE_API_KEY", "GOOGLE_GEMINI_BASE_URL")
    }
    env["PYTHONPATH"] = str(ROOT)
    km = KernelManager(kernel_name="python3")
    km.start_kernel(env=env, cwd=str(ROOT))
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=60)
        yield kc
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def _execute(kc: Any, code: str) -> list[dict[str, Any]]:
    """Run a cell; return every iopub message seen until the kernel is idle again."""
    msg_id = kc.execute(code)
    seen = []
    while True:
        try:
            msg = kc.get_iopub_msg(timeout=60)
        except queue.Empty:
            raise AssertionError(f"no answer from the kernel; so far: {seen}") from None
        seen.append(msg)
        if (
            msg["msg_type"] == "status"
            and msg["parent_header"].get("msg_id") == msg_id
            and msg["content"]["execution_state"] == "idle"
        ):
            return seen


def _stream(messages: list[dict[str, Any]], name: str) -> str:
    return "".join(
        m["content"]["text"]
        for m in messages
        if m["msg_type"] == "stream" and m["content"]["name"] == name
    )


def test_server_errors_reach_the_logger_and_not_the_kernels_stderr(kernel: Any) -> None:
    messages = _execute(kernel, "%load_ext gemini_nb")
    messages += _execute(kernel, CUT_STREAM)
    unrelated = _execute(kernel, UNRELATED)
    messages += unrelated
    errors = [m for m in messages if m["msg_type"] == "error"]
    assert not errors, errors[0]["content"]["traceback"]
    assert _stream(messages, "stderr") == ""
    out = _stream(unrelated, "stdout")
    assert "unrelated cell" in out
    assert "('uvicorn.error', 'Exception in ASGI application')" in out
