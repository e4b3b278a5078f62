#!/usr/bin/env python3
"""Developer tasks for gemini-nb. Needs only Python 3.11+; makes its own virtualenv in .venv.

    python3 tasks.py demo              JupyterLab on the tour notebook, answered by the emulator
    python3 tasks.py demo --headless   run the tour without a browser; writes notebooks/_build/00_tour.html
    python3 tasks.py test              the whole test suite (installs Chromium for browser tests)
    python3 tasks.py bench             the benchmark against raw httpx and google-genai
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / "python"
STAMP = VENV / ".installed"


def say(msg: str) -> None:
    print(f"[tasks] {msg}", flush=True)


def run(*cmd: str | Path, env: dict[str, str] | None = None, check: bool = True) -> int:
    say(" ".join(str(c) for c in cmd))
    return subprocess.run([str(c) for c in cmd], cwd=ROOT, env=env, check=check).returncode


def ensure_env(extras: str) -> None:
    """Create .venv and install the package with ``extras``, once per pyproject change."""
    if sys.version_info < (3, 11):  # noqa: UP036 - tasks.py runs on whatever python3 is
        sys.exit("gemini-nb needs Python 3.11 or newer.")
    if not PY.exists():
        say(f"creating {VENV}")
        venv.EnvBuilder(with_pip=True).create(VENV)
    want = f"{extras}:{(ROOT / 'pyproject.toml').stat().st_mtime_ns}"
    if STAMP.exists() and STAMP.read_text() == want:
        return
    run(PY, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    run(PY, "-m", "pip", "install", "--quiet", "-e", f".[{extras}]")
    STAMP.write_text(want)


def clean_env() -> dict[str, str]:
    """The environment for demos and tests: no API key, so the emulator answers."""
    env = dict(os.environ)
    for name in ("GEMINI_API_KEY", "GOOGLE_API_KEY", "GOOGLE_GEMINI_BASE_URL"):
        env.pop(name, None)
    env["PYTHONPATH"] = str(ROOT)
    return env


def find_chromium() -> str | None:
    for candidate in (os.environ.get("CHROMIUM"), "/usr/lib/chromium/chromium",
                      shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def ensure_chromium() -> str:
    found = find_chromium()
    if found:
        return found
    if shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0:
        say("installing Debian's chromium for the browser tests")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        run("apt-get", "update", "-qq", env=env)
        run("apt-get", "install", "-y", "-qq", "--no-install-recommends", "chromium", env=env)
        found = find_chromium()
        if found:
            return found
    sys.exit(
        "Chromium is needed for the browser tests: install it (Debian: apt-get install "
        "chromium) or set CHROMIUM=/path/to/chromium, or pass --no-browser to skip them."
    )


def cmd_test(args: argparse.Namespace) -> int:
    ensure_env("dev")
    env = clean_env()
    pytest_args = [
        "-m", "pytest", "tests", "notebooks", "-p", "no:cacheprovider",
        # The demo notebooks run in a real kernel and their outputs are compared (nbval).
        "--nbval", "--nbval-current-env", "--nbval-cell-timeout=120",
        "--nbval-sanitize-with", "notebooks/nbval_sanitize.cfg",
        "--ignore=tests/browser/notebooks",
    ]
    if args.no_browser:
        pytest_args += ["-m", "not browser"]
    else:
        env["CHROMIUM"] = ensure_chromium()
    pytest_args += args.pytest_args
    return run(PY, *pytest_args, env=env, check=False)


def cmd_demo(args: argparse.Namespace) -> int:
    ensure_env("all,dev" if args.headless else "all")
    env = clean_env()
    tour = ROOT / "notebooks" / "00_tour.ipynb"
    if args.headless:
        out = ROOT / "notebooks" / "_build"
        out.mkdir(exist_ok=True)
        return run(BIN / "jupyter", "nbconvert", "--to", "html", "--execute",
                   "--ExecutePreprocessor.timeout=300", "--output-dir", out, tour, env=env,
                   check=False)
    if not (BIN / "jupyter-lab").exists():
        run(PY, "-m", "pip", "install", "--quiet", "jupyterlab>=4.2")
    say("answers come from the local emulator (no API key set); Ctrl-C to stop")
    return run(BIN / "jupyter", "lab", str(tour.relative_to(ROOT)), env=env, check=False)


def cmd_bench(args: argparse.Namespace) -> int:
    ensure_env("dev")
    return run(PY, "-m", "bench", *args.bench_args, env=clean_env(), check=False)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    sub = parser.add_subparsers(dest="task", required=True)
    t = sub.add_parser("test", help="run the whole test suite")
    t.add_argument("--no-browser", action="store_true", help="skip the headless-Chromium tests")
    t.add_argument("pytest_args", nargs=argparse.REMAINDER, help="extra pytest arguments")
    d = sub.add_parser("demo", help="JupyterLab on the tour, against the emulator")
    d.add_argument("--headless", action="store_true", help="execute the tour to HTML instead")
    b = sub.add_parser("bench", help="benchmark against raw httpx and google-genai")
    b.add_argument("bench_args", nargs=argparse.REMAINDER)
    # Options this parser does not know go on to pytest or the benchmark as they are
    # (`tasks.py test -k sse`, `tasks.py bench --quick`).
    args, extra = parser.parse_known_args()
    if extra and args.task == "demo":
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    if args.task == "test":
        args.pytest_args = [*extra, *args.pytest_args]
    elif args.task == "bench":
        args.bench_args = [*extra, *args.bench_args]
    return {"test": cmd_test, "demo": cmd_demo, "bench": cmd_bench}[args.task](args)


if __name__ == "__main__":
    sys.exit(main())
