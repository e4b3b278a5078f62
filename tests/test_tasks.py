"""tasks.py: the demo serves JupyterLab (as root too), the headless demo needs no dev tools, and
the lint step fails on lint, format and type errors."""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

import tasks

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_demo_serves_jupyterlab_with_options_passed_on(tmp_path: Path) -> None:
    # As root (CI, containers) JupyterLab refuses to start unless tasks.py adds --allow-root.
    port = _free_port()
    env = {
        **os.environ,
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
        "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "workspaces"),
    }
    log = tmp_path / "demo.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "tasks.py",
                "demo",
                "--no-browser",
                "--port",
                str(port),
                "--IdentityProvider.token=gnb-demo-test",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 120
        answer = None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/lab?token=gnb-demo-test", timeout=5)
                break
            except httpx.TransportError:
                time.sleep(0.5)
        output = log.read_text(errors="replace")
        assert answer is not None, f"the demo did not serve on port {port}:\n{output[-3000:]}"
        assert answer.status_code == 200 and "JupyterLab" in answer.text
        if os.geteuid() == 0:
            assert "--allow-root" in output
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)


def _requirement_names(extras: set[str]) -> set[str]:
    import re
    import tomllib

    pyproject = (ROOT / "pyproject.toml").read_bytes()
    table = tomllib.loads(pyproject.decode())["project"]["optional-dependencies"]
    names = set()
    for extra in tasks.extras_closure(extras, pyproject):
        for req in table[extra]:
            name = re.match(r"[A-Za-z0-9_.\-]+", req)
            assert name is not None
            if name.group() != "gemini-nb":
                names.add(name.group().lower())
    return names


def test_headless_demo_installs_only_what_it_uses(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[Any] = []
    monkeypatch.setattr(tasks, "ensure_env", lambda extras: calls.append(("env", extras)))
    monkeypatch.setattr(tasks, "run", lambda *cmd, **kw: calls.append(cmd) or 0)
    tasks.cmd_demo(argparse.Namespace(headless=True, extra=[]))
    assert calls[0] == ("env", "export")
    assert [str(c) for c in calls[1][:3]] == [str(tasks.BIN / "jupyter"), "nbconvert", "--to"]
    needs = _requirement_names({"export"})
    assert {"nbconvert", "nbclient", "ipykernel", "starlette", "uvicorn"} <= needs
    dev_only = {
        "jupyterlab",
        "playwright",
        "mypy",
        "ruff",
        "google-genai",
        "pytest",
        "jupyter-repo2docker",
    }
    assert not needs & dev_only


def test_extras_closure_follows_references() -> None:
    pyproject = (ROOT / "pyproject.toml").read_bytes()
    assert tasks.extras_closure({"dev"}, pyproject) >= {
        "dev",
        "all",
        "notebook",
        "emulator",
        "live",
        "lab",
        "export",
    }
    assert tasks.extras_closure({"notebook"}, pyproject) == {"notebook"}


def test_notebook_extra_has_what_the_embedded_emulator_needs() -> None:
    assert {"starlette", "uvicorn", "ipykernel", "anywidget", "pandas"} <= _requirement_names(
        {"notebook"}
    )


GOOD = '''"""A module."""

from __future__ import annotations


def double(x: int) -> int:
    return 2 * x
'''

# An unused import (ruff check), a badly formatted call (ruff format), a wrong type (mypy).
BAD = '''"""A module."""

from __future__ import annotations

import os


def double(x: int) -> int:
    return str( 2*x )
'''


def _lint(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "tasks.py", "lint", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_lint_passes_a_clean_file_and_fails_on_each_kind_of_error(tmp_path: Path) -> None:
    # The copy of pyproject.toml gives ruff the project's settings for the temporary files.
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / "good.py").write_text(GOOD)
    (tmp_path / "bad.py").write_text(BAD)
    good = _lint(tmp_path / "good.py")
    assert good.returncode == 0, good.stdout + good.stderr
    assert "[tasks] lint passed" in good.stdout
    bad = _lint(tmp_path / "bad.py")
    out = bad.stdout + bad.stderr
    assert bad.returncode == 1, out
    assert "F401" in out  # ruff check
    assert "would be reformatted" in out  # ruff format --check
    assert 'Incompatible return value type (got "str", expected "int")' in out  # mypy
    assert "[tasks] lint failed: ruff check, ruff format --check, mypy --strict" in out


def test_lint_checks_the_format_of_the_files_pyproject_lists(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[list[str]] = []
    monkeypatch.setattr(tasks, "ensure_env", lambda extras: None)
    monkeypatch.setattr(tasks, "run", lambda *cmd, **kw: calls.append([str(c) for c in cmd]) or 0)
    assert tasks.cmd_lint(argparse.Namespace(paths=[])) == 0
    ruff, mypy = str(tasks.BIN / "ruff"), str(tasks.BIN / "mypy")
    listed = tasks.format_paths()
    assert listed and all((ROOT / p).exists() for p in listed)
    assert calls == [[ruff, "check", "."], [ruff, "format", "--check", *listed], [mypy, "--strict"]]
    ci = (ROOT / ".ci" / "run").read_text()
    assert "python3 tasks.py lint" in ci and "python3 tasks.py test" in ci
