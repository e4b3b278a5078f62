"""A missing optional package is one message naming the extra to install, never a raw
ModuleNotFoundError or a network error. Each case runs in a subprocess where the package is
made unimportable (``sys.modules[name] = None``)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from gemini_nb import ConfigurationError
from gemini_nb._config import NO_KEY_MESSAGE, resolve_settings

ROOT = Path(__file__).resolve().parents[2]
KEY_VARS = ("GEMINI_API_KEY", "GOOGLE_API_KEY", "GOOGLE_GEMINI_BASE_URL")
NOTEBOOK = 'pip install "gemini-nb[notebook]"'
EMULATOR = 'pip install "gemini-nb[emulator]"'

SHELL = """
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output
ip = InteractiveShell.instance()

def run(code):
    with capture_output() as out:
        result = ip.run_cell(code)
    shown = [o.data.get("text/plain", "") for o in out.outputs]
    print("\\n".join([*shown, out.stdout, out.stderr]))
    return result
"""


def _python(
    code: str, blocked: tuple[str, ...], timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    prelude = f"import sys\nfor _name in {blocked!r}:\n    sys.modules[_name] = None\n"
    env = {k: v for k, v in os.environ.items() if k not in KEY_VARS}
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, "-c", prelude + code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def _assert_one_clear_message(out: str, message: str) -> None:
    assert out.count(message) == 1, out
    for noise in ("Traceback", "ModuleNotFoundError", "could not reach", "network"):
        assert noise not in out, out


@pytest.mark.parametrize(
    ("blocked", "missing"),
    [
        (("starlette",), "starlette, which is"),
        (("starlette", "uvicorn"), "starlette and uvicorn, which are"),
    ],
)
def test_emulator_command_names_the_emulator_extra(blocked: tuple[str, ...], missing: str) -> None:
    r = _python("from gemini_nb._cli import emulator\nsys.exit(emulator(['--port', '0']))", blocked)
    assert r.returncode == 1
    assert r.stdout == ""
    assert (
        r.stderr == f"gemini-nb-emulator: The emulator needs {missing} not installed: {EMULATOR}\n"
    )


def test_emulator_module_and_server_name_the_emulator_extra() -> None:
    r = _python(
        "from gemini_nb.emulator.__main__ import main\nsys.exit(main(['--port', '0']))",
        ("uvicorn",),
    )
    assert r.returncode == 1 and r.stdout == ""
    assert r.stderr == f"error: The emulator needs uvicorn, which is not installed: {EMULATOR}\n"
    r = _python(
        "from gemini_nb.emulator import EmulatorServer\n"
        "try:\n    EmulatorServer()\nexcept ImportError as exc:\n    print(exc)",
        ("starlette",),
    )
    assert r.stdout == f"The emulator needs starlette, which is not installed: {EMULATOR}\n"


def test_models_subcommand_without_pandas_names_the_notebook_extra() -> None:
    code = SHELL + (
        "run('%load_ext gemini_nb')\n"
        "result = run('%gemini models')\n"
        "print('ERROR', type(result.error_in_exec).__name__)\n"
    )
    r = _python(code, ("pandas",))
    assert r.returncode == 0, r.stderr
    _assert_one_clear_message(
        r.stdout + r.stderr, f"%gemini models needs pandas, which is not installed: {NOTEBOOK}"
    )
    assert "ERROR MissingDependencyError" in r.stdout


def test_chat_widget_without_anywidget_names_the_notebook_extra() -> None:
    code = SHELL + (
        "import gemini_nb\n"
        "try:\n"
        "    gemini_nb.ChatWidget\n"
        "except ImportError as exc:\n"
        "    print('RAISED', type(exc).__name__, exc.name)\n"
        "result = run('import gemini_nb\\ngemini_nb.ChatWidget()')\n"
    )
    r = _python(code, ("anywidget",))
    assert r.returncode == 0, r.stderr
    assert "RAISED MissingDependencyError anywidget" in r.stdout
    _assert_one_clear_message(
        r.stdout.split("RAISED", 1)[1],
        f"ChatWidget needs anywidget, which is not installed: {NOTEBOOK}",
    )


def test_load_ext_without_the_emulator_packages_says_what_to_install_once_per_call() -> None:
    # Before: the emulator banner, a traceback from a background thread, then "could not
    # reach ..." on every call.
    code = SHELL + (
        "import os, threading, time\n"
        "run('%load_ext gemini_nb')\n"
        "print('URL', os.environ.get('GOOGLE_GEMINI_BASE_URL', '-'))\n"
        "print('-----')\n"
        "result = run('%%gemini\\nWhy is the sky blue?')\n"
        "print('ERROR', type(result.error_in_exec).__name__)\n"
        "time.sleep(0.3)\n"
        "print('THREADS', sorted(t.name for t in threading.enumerate()))\n"
    )
    r = _python(code, ("uvicorn",))
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""  # nothing from a background thread
    load, call = r.stdout.split("-----")
    wanted = "the local emulator that answers without one needs uvicorn, which is not installed"
    _assert_one_clear_message(load, wanted)
    assert f"{NOTEBOOK}, then restart the kernel" in load
    assert "URL -" in load and "simulated" not in load
    _assert_one_clear_message(call, wanted)
    assert "ERROR MissingDependencyError" in call
    assert "gemini-nb-emulator" not in r.stdout.split("THREADS")[1]


def test_no_key_message_points_at_a_command_that_exists() -> None:
    with pytest.raises(ConfigurationError) as info:
        resolve_settings(environ={})
    message = str(info.value)
    assert message == NO_KEY_MESSAGE
    assert EMULATOR in message and "gemini-nb-emulator --port 0" in message
    assert "%load_ext gemini_nb" in message
    # The command it names starts the emulator (here, where its packages are installed).
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys\nfrom gemini_nb._cli import emulator\nsys.exit(emulator())",
            "--port",
            "0",
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().startswith("http://127.0.0.1:")
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=20)
