"""JupyterLab in headless Chromium, for tests that need a real browser.

:class:`JupyterServer` runs the virtualenv's ``jupyter lab`` on a free loopback port, in its own
process group, with an empty token, a throw-away root folder, settings and workspaces, and an
environment without any Gemini key or base URL (kernels inherit it, so a notebook answers from
an emulator it starts itself). :class:`Lab` wraps one Playwright page: open a notebook, run all
cells, wait for text. The pytest fixtures are in ``conftest.py``.

Chromium is Debian's (or ``$CHROMIUM``); Playwright's own browser download is never used.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.sync_api import ConsoleMessage, Page

__all__ = [
    "ARTIFACTS",
    "CHROMIUM_ARGS",
    "INSTALL_HINT",
    "JupyterServer",
    "Lab",
    "artifact_stem",
    "fake_media_args",
    "find_chromium",
]

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
SCRUBBED = ("GEMINI_API_KEY", "GOOGLE_API_KEY", "GOOGLE_GEMINI_BASE_URL")
# Headless and offline-friendly: no sandbox (root in containers), no GPU, no background
# traffic to Google services, no QUIC.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def fake_media_args(wav: Path | str, *, loop: bool = False) -> list[str]:
    """Chromium flags for a fake microphone that plays ``wav`` from when it opens (once, or in
    a loop), granted without a prompt, and audio that may play without a user gesture."""
    return [
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-audio-capture={wav}{'' if loop else '%noloop'}",
        "--autoplay-policy=no-user-gesture-required",
    ]


INSTALL_HINT = (
    "Chromium is needed for the browser tests. Install it (Debian: apt-get install -y "
    "chromium), set CHROMIUM=/path/to/chromium, or run `python3 tasks.py test` which installs "
    "it. Skip these tests with -m 'not browser'."
)
# Settings that keep JupyterLab from asking about news and updates (it is offline anyway).
_LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}


def find_chromium() -> str | None:
    """``$CHROMIUM``, else Debian's real binary (``/usr/bin/chromium`` is a shell wrapper),
    else ``chromium`` on the PATH."""
    for candidate in (
        os.environ.get("CHROMIUM"),
        "/usr/lib/chromium/chromium",
        shutil.which("chromium"),
    ):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


def artifact_stem(test_name: str) -> Path:
    """``test-artifacts/<test name>`` with characters unsafe in file names replaced."""
    return ARTIFACTS / re.sub(r"[^\w.-]+", "_", test_name).strip("_")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class JupyterServer:
    """``jupyter lab`` on loopback with no authentication, torn down with its kernels."""

    def __init__(self, root_dir: Path, *, startup_timeout: float = 60.0) -> None:
        self.root_dir = root_dir
        self.startup_timeout = startup_timeout
        self.port = 0
        self.url = ""
        self._proc: subprocess.Popen[bytes] | None = None
        self._state = Path(tempfile.mkdtemp(prefix="gnb-lab-"))
        self.log_path = self._state / "server.log"

    def environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in SCRUBBED}
        settings = self._state / "settings"
        for name, value in _LAB_SETTINGS.items():
            path = settings / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(value))
        env.update(
            JUPYTER_CONFIG_DIR=str(self._state / "config"),
            JUPYTER_RUNTIME_DIR=str(self._state / "runtime"),
            JUPYTERLAB_SETTINGS_DIR=str(settings),
            JUPYTERLAB_WORKSPACES_DIR=str(self._state / "workspaces"),
            IPYTHONDIR=str(self._state / "ipython"),
            PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p),
            PYTHONUNBUFFERED="1",
        )
        return env

    def start(self) -> str:
        self.port = _free_port()
        cmd = [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            "--allow-root",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0",
            "--IdentityProvider.token=",
            "--ServerApp.password=",
            "--ServerApp.disable_check_xsrf=True",
            f"--ServerApp.root_dir={self.root_dir}",
            "--LabApp.news_url=",
        ]
        with self.log_path.open("wb") as log:
            # A session of its own: stop() kills the server and its kernels as one group.
            self._proc = subprocess.Popen(
                cmd,
                cwd=self.root_dir,
                env=self.environment(),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        atexit.register(self.stop)
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise RuntimeError(f"jupyter lab exited at startup:\n{self.log_tail()}")
            with (
                contextlib.suppress(OSError),
                urllib.request.urlopen(f"{self.url}/api/status", timeout=2) as r,
            ):
                if r.status == 200:
                    return self.url
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(
            f"jupyter lab did not answer in {self.startup_timeout:.0f}s:\n{self.log_tail()}"
        )

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        for sig, wait in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 5.0)):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, sig)
            try:
                proc.wait(timeout=wait)
                break
            except subprocess.TimeoutExpired:
                continue
        # Kernels may outlive the server by a moment; they are in the same group.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        shutil.rmtree(self._state, ignore_errors=True)

    def log_tail(self, lines: int = 60) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no server log)"
        return "\n".join(text.splitlines()[-lines:])


_STATE_JS = """() => {
  const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  if (!panel) return null;
  const prompts = [...panel.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]
    .map(p => p.textContent.trim());
  const errors = [...panel.querySelectorAll(
    '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')]
    .map(e => e.textContent);
  const indicator = panel.querySelector('.jp-Notebook-ExecutionIndicator');
  const kernel = panel.querySelector('.jp-Toolbar-kernelName');
  return {
    prompts,
    errors,
    status: indicator ? indicator.getAttribute('data-status') : null,
    kernel: kernel ? kernel.textContent.trim() : '',
  };
}"""


class Lab:
    """One JupyterLab page. Timeouts are in seconds."""

    def __init__(self, page: Page, server: JupyterServer) -> None:
        self.page = page
        self.server = server
        self.console: list[str] = []
        self.page_errors: list[str] = []
        page.on("console", self._on_console)
        page.on("pageerror", lambda exc: self._on_page_error(str(exc)))

    def _on_console(self, msg: ConsoleMessage) -> None:
        where = msg.location or {}
        self.console.append(
            f"[{msg.type}] {msg.text}  ({where.get('url', '')}:{where.get('lineNumber', '')})"
        )

    def _on_page_error(self, text: str) -> None:
        self.page_errors.append(text)
        self.console.append(f"[pageerror] {text}")

    def console_errors(self) -> list[str]:
        return [line for line in self.console if line.startswith(("[error]", "[pageerror]"))]

    def open_notebook(self, path: Path | str, timeout: float = 60) -> None:
        """Copy ``path`` into the server's root, open it, and wait for an idle kernel."""
        src = Path(path)
        shutil.copy(src, self.server.root_dir / src.name)
        # ?reset: start from an empty workspace, not with the tabs an earlier test left open.
        self.page.goto(f"{self.server.url}/lab/tree/{src.name}?reset", timeout=timeout * 1000)
        self.page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook").wait_for(
            timeout=timeout * 1000
        )
        self.wait_for_kernel_idle(timeout)

    def notebook_state(self) -> dict[str, Any]:
        empty: dict[str, Any] = {"prompts": [], "errors": [], "status": None, "kernel": ""}
        return self.page.evaluate(_STATE_JS) or empty

    def wait_for_kernel_idle(self, timeout: float = 60) -> None:
        # The indicator says "idle" before any kernel exists, so the toolbar must also name a
        # kernel, and the state must hold for two polls.
        seen = [False]

        def idle(state: dict[str, Any]) -> bool:
            now = state["status"] == "idle" and state["kernel"] not in ("", "No Kernel")
            ready, seen[0] = now and seen[0], now
            return ready

        self._poll(idle, timeout, "the kernel to be idle", interval=0.25)

    def run_all(self, timeout: float = 120) -> None:
        """Run → Run All Cells, then wait until every code cell ran and the kernel is idle."""
        self.page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
        self.page.locator("li[data-command='runmenu:run-all']").click()

        def done(state: dict[str, Any]) -> bool:
            ran = bool(state["prompts"]) and all(
                re.fullmatch(r"\[\d+\]:?", p) for p in state["prompts"]
            )
            if state["status"] == "idle" and state["errors"] and not ran:
                raise AssertionError("a cell failed:\n" + "\n".join(state["errors"]))
            return ran and state["status"] == "idle"

        self._poll(done, timeout, "all cells to run")

    def run_cell(self, index: int, timeout: float = 60) -> None:
        """Run code cell ``index`` (0-based) again (Ctrl+Enter: run, stay, add no cell)."""
        cell = self.page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell").nth(index)
        before = cell.locator(".jp-InputPrompt").text_content() or ""
        cell.locator(".jp-InputPrompt").click()  # selects the cell, in command mode
        self.page.keyboard.press("Control+Enter")

        def ran(_: dict[str, Any]) -> bool:
            now = (cell.locator(".jp-InputPrompt").text_content() or "").strip()
            return bool(re.fullmatch(r"\[\d+\]:?", now)) and now != before.strip()

        self._poll(ran, timeout, f"cell {index} to run")
        self.wait_for_kernel_idle(timeout)

    def wait_for_text(self, selector: str, text: str, timeout: float = 30) -> None:
        """Wait until an element matching ``selector`` contains ``text`` (whitespace-insensitive)."""
        self.page.wait_for_function(
            """([sel, want]) => {
                const norm = s => s.replace(/\\s+/g, ' ').trim();
                return [...document.querySelectorAll(sel)]
                    .some(n => norm(n.textContent).includes(norm(want)));
            }""",
            arg=[selector, text],
            timeout=timeout * 1000,
        )

    def _poll(self, ok: Any, timeout: float, what: str, interval: float = 0.1) -> None:
        deadline = time.monotonic() + timeout
        state: dict[str, Any] = {}
        while time.monotonic() < deadline:
            state = self.notebook_state()
            if ok(state):
                return
            time.sleep(interval)
        raise TimeoutError(f"waited {timeout:.0f}s for {what}; notebook state: {state}")

    def save_artifacts(self, stem: Path) -> list[Path]:
        """A full-page screenshot and the console log (plus the server log's tail)."""
        stem.parent.mkdir(parents=True, exist_ok=True)
        png, log = stem.with_suffix(".png"), stem.with_suffix(".log")
        saved = []
        with contextlib.suppress(Exception):
            self.page.screenshot(path=str(png), full_page=True, timeout=10_000)
            saved.append(png)
        log.write_text(
            "\n".join(self.console)
            + f"\n\n---- jupyter server log (tail) ----\n{self.server.log_tail(200)}\n"
        )
        saved.append(log)
        return saved
