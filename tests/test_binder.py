"""Binder: repo2docker reads binder/ (checked without Docker), and start launches the emulator."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[1]
BINDER = ROOT / "binder"


def test_repo2docker_uses_the_binder_folder() -> None:
    exe = shutil.which("repo2docker", path=str(Path(sys.executable).parent)) or shutil.which(
        "repo2docker"
    )
    assert exe, "jupyter-repo2docker is a dev dependency"
    out = subprocess.run(
        [exe, "--no-build", "--debug", str(ROOT)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    dockerfile = out.stdout + out.stderr
    assert 'pip install --no-cache-dir -r "binder/requirements.txt"' in dockerfile
    assert 'R2D_ENTRYPOINT="${REPO_DIR}/binder/start"' in dockerfile
    assert "python=3.11" in dockerfile or "python-3.11" in dockerfile or "3.11" in dockerfile


def test_requirements_install_this_package_with_notebook_and_emulator() -> None:
    lines = [
        line.strip()
        for line in (BINDER / "requirements.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert lines == [".[notebook,emulator]"]
    assert (BINDER / "runtime.txt").read_text().strip() == "python-3.11"


def test_start_script_is_valid_and_ends_with_exec() -> None:
    start = BINDER / "start"
    assert os.access(start, os.X_OK)
    subprocess.run(["bash", "-n", str(start)], check=True)
    assert start.read_text().rstrip().endswith('exec "$@"')


def _run_start(env: dict[str, str]) -> list[str]:
    probe = (
        "import os; print(os.environ.get('GOOGLE_GEMINI_BASE_URL', '-')); "
        "print(os.environ.get('GEMINI_NB_EMULATOR', '-')); print(os.environ.get('GEMINI_NB_EMULATOR_PID', '-'))"
    )
    out = subprocess.run(
        [str(BINDER / "start"), sys.executable, "-c", probe],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return out.stdout.split()


def test_start_launches_the_emulator_without_a_key() -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("GEMINI_API_KEY", "GOOGLE_API_KEY", "GOOGLE_GEMINI_BASE_URL")
    }
    env["PATH"] = f"{Path(sys.executable).parent}:{env['PATH']}"
    url, flag, pid = _run_start(env)
    try:
        assert url.startswith("http://127.0.0.1:") and flag == "1"
        r = httpx.post(
            f"{url}/v1beta/models/gemini-2.5-flash:generateContent",
            json={"contents": [{"parts": [{"text": "hi"}]}]},
            timeout=10,
        )
        assert r.status_code == 200 and r.json()["candidates"]
    finally:
        os.kill(int(pid), signal.SIGTERM)


@pytest.mark.parametrize("var", ["GEMINI_API_KEY", "GOOGLE_GEMINI_BASE_URL"])
def test_start_leaves_a_configured_environment_alone(var: str) -> None:
    env = {**os.environ, var: "http://127.0.0.1:9" if "URL" in var else "AIzaSOMEKEY"}
    _url, flag, pid = _run_start(env)
    assert flag == "-" and pid == "-"
