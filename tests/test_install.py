"""A user's install, from this working tree into a fresh virtualenv: first plain, then with the
notebook extra, which must be enough for ``%load_ext gemini_nb`` and an answer with no key.

Packages come from PyPI through pip's own cache, so after the first run this is mostly
unpacking. It takes a minute or two and runs in CI.
"""

from __future__ import annotations

import os
import signal
import subprocess
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.timeout(900)

CELLS = """
import os, sys
from IPython.core.interactiveshell import InteractiveShell
ip = InteractiveShell.instance()
for cell in ("%load_ext gemini_nb", "%%gemini -o answer\\nWhy is the sky blue?"):
    result = ip.run_cell(cell)
    if not result.success:
        sys.exit(f"cell failed: {cell!r}: {result.error_in_exec!r}")
print("ANSWER", ip.user_ns["answer"].text[:60].replace("\\n", " "))
print("URL", os.environ["GOOGLE_GEMINI_BASE_URL"])
"""

NO_KEY = """
import gemini_nb
try:
    gemini_nb.Client()
except gemini_nb.ConfigurationError as exc:
    print(exc)
try:
    gemini_nb.ChatWidget
except ImportError as exc:
    print(type(exc).__name__, exc)
"""


def _env(tmp_path: Path) -> dict[str, str]:
    drop = ("GEMINI_API_KEY", "GOOGLE_API_KEY", "GOOGLE_GEMINI_BASE_URL", "PYTHONPATH")
    env = {k: v for k, v in os.environ.items() if k not in drop and not k.startswith("VIRTUAL")}
    env.update(PIP_ROOT_USER_ACTION="ignore", PIP_DISABLE_PIP_VERSION_CHECK="1")
    env["PATH"] = f"{tmp_path / 'venv' / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    return env


def _run(cmd: list[str | Path], env: dict[str, str], cwd: Path, timeout: float = 120) -> str:
    done = subprocess.run(
        [str(c) for c in cmd], env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, f"{cmd}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout + done.stderr


def test_plain_install_then_the_notebook_extra_answers_without_a_key(tmp_path: Path) -> None:
    venv.EnvBuilder(with_pip=True).create(tmp_path / "venv")
    bin_dir = tmp_path / "venv" / "bin"
    py = bin_dir / "python"
    env = _env(tmp_path)
    # Run from an empty folder, so that nothing is imported from the working tree itself.
    work = tmp_path / "work"
    work.mkdir()
    pip = [py, "-m", "pip", "install", "--quiet"]

    _run([*pip, ROOT], env, work, timeout=600)
    out = _run([py, "-c", NO_KEY], env, work)
    assert 'pip install "gemini-nb[emulator]", run gemini-nb-emulator --port 0' in out
    assert (
        "MissingDependencyError ChatWidget needs anywidget, which is not installed: "
        'pip install "gemini-nb[notebook]"'
    ) in out
    cli = subprocess.run(
        [bin_dir / "gemini-nb-emulator", "--port", "0"],
        env=env,
        cwd=work,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert cli.returncode == 1 and cli.stdout == ""
    assert cli.stderr == (
        "gemini-nb-emulator: The emulator needs starlette and uvicorn, which are not installed: "
        'pip install "gemini-nb[emulator]"\n'
    )

    _run([*pip, f"{ROOT}[notebook]"], env, work, timeout=600)
    done = subprocess.run(
        [py, "-c", CELLS], env=env, cwd=work, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "local emulator" in done.stdout  # the banner
    assert "Traceback" not in done.stdout + done.stderr and done.stderr == ""
    answer = next(line for line in done.stdout.splitlines() if line.startswith("ANSWER "))
    assert len(answer) > len("ANSWER ") + 10
    assert "URL http://127.0.0.1:" in done.stdout
    # The notebook extra carries the emulator's packages, so its command works too.
    server = subprocess.Popen(
        [bin_dir / "gemini-nb-emulator", "--port", "0"],
        env=env,
        cwd=work,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        assert server.stdout.readline().startswith("http://127.0.0.1:")
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=20)
