#!/usr/bin/env python3
"""Developer tasks for gemini-nb. Needs only Python 3.11+; makes its own virtualenv in .venv.

python3 tasks.py demo              JupyterLab on the tour notebook, answered by the emulator
python3 tasks.py demo --port 9999 --no-browser
                                   other options go on to JupyterLab (as root: --allow-root)
python3 tasks.py demo --headless   run the tour without a browser; writes notebooks/_build/00_tour.html
python3 tasks.py test              the whole test suite (installs Chromium for browser tests)
python3 tasks.py lint              ruff check, ruff format --check and mypy --strict (CI runs it)
python3 tasks.py lint PATH...      the same three checks on these files only
python3 tasks.py bench             the benchmark against raw httpx and google-genai
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
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
    """Create .venv and install the package with ``extras`` (comma-separated), unless what is
    installed for this pyproject.toml already covers them (``dev`` covers ``lab``, and so on)."""
    if sys.version_info < (3, 11):  # noqa: UP036 - tasks.py runs on whatever python3 is
        sys.exit("gemini-nb needs Python 3.11 or newer.")
    if not PY.exists():
        say(f"creating {VENV}")
        venv.EnvBuilder(with_pip=True).create(VENV)
    pyproject = (ROOT / "pyproject.toml").read_bytes()
    digest = hashlib.sha256(pyproject).hexdigest()
    wanted = set(extras.split(","))
    installed: set[str] = set()
    try:
        stamp = json.loads(STAMP.read_text())
        if stamp["pyproject"] == digest:
            installed = set(stamp["extras"])
    except (OSError, ValueError, KeyError, TypeError):
        pass  # no stamp, or one from an older tasks.py
    if wanted <= extras_closure(installed, pyproject):
        return
    # pip warns against running as root; containers and CI do, on purpose.
    pip_env = {**os.environ, "PIP_ROOT_USER_ACTION": "ignore", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    run(PY, "-m", "pip", "install", "--quiet", "--upgrade", "pip", env=pip_env)
    run(PY, "-m", "pip", "install", "--quiet", "-e", f".[{','.join(sorted(wanted))}]", env=pip_env)
    STAMP.write_text(json.dumps({"pyproject": digest, "extras": sorted(installed | wanted)}))


def extras_closure(extras: set[str], pyproject: bytes) -> set[str]:
    """The extras that installing ``extras`` brings, following ``gemini-nb[...]`` references."""
    import tomllib

    table = tomllib.loads(pyproject.decode())["project"]["optional-dependencies"]
    seen: set[str] = set()
    todo = list(extras)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        for requirement in table.get(name, []):
            m = re.fullmatch(r"gemini-nb\[([^\]]+)\]", requirement.replace(" ", ""))
            if m:
                todo.extend(m.group(1).split(","))
    return seen


def clean_env() -> dict[str, str]:
    """The environment for demos and tests: no API key, so the emulator answers."""
    env = dict(os.environ)
    for name in ("GEMINI_API_KEY", "GOOGLE_API_KEY", "GOOGLE_GEMINI_BASE_URL"):
        env.pop(name, None)
    env["PYTHONPATH"] = str(ROOT)
    return env


def find_chromium() -> str | None:
    for candidate in (
        os.environ.get("CHROMIUM"),
        "/usr/lib/chromium/chromium",
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
    ):
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
        "-m",
        "pytest",
        "tests",
        "notebooks",
        "-p",
        "no:cacheprovider",
        # The demo notebooks run in a real kernel and their outputs are compared (nbval).
        "--nbval",
        "--nbval-current-env",
        "--nbval-cell-timeout=120",
        "--nbval-sanitize-with",
        "notebooks/nbval_sanitize.cfg",
        "--ignore=tests/browser/notebooks",
    ]
    if args.no_browser:
        pytest_args += ["-m", "not browser"]
    else:
        env["CHROMIUM"] = ensure_chromium()
    pytest_args += args.pytest_args
    return run(PY, *pytest_args, env=env, check=False)


# nbconvert's order, but a widget's text/html ahead of its live view (see cmd_demo).
STATIC_PRIORITY = [
    "text/html",
    "application/vnd.jupyter.widget-view+json",
    "application/javascript",
    "text/markdown",
    "image/svg+xml",
    "text/latex",
    "image/png",
    "image/jpeg",
    "text/plain",
]


def cmd_demo(args: argparse.Namespace) -> int:
    env = clean_env()
    tour = ROOT / "notebooks" / "00_tour.ipynb"
    if args.headless:
        ensure_env("export")
        out = ROOT / "notebooks" / "_build"
        out.mkdir(exist_ok=True)
        return run(
            BIN / "jupyter",
            "nbconvert",
            "--to",
            "html",
            "--execute",
            "--ExecutePreprocessor.timeout=300",
            # A static page has no kernel and may have no network for the widget
            # manager's scripts: widgets show their own text/html fallback instead.
            f"--NbConvertBase.display_data_priority={json.dumps(STATIC_PRIORITY)}",
            # ... showing the conversation as it ended, not as it was when displayed.
            '--HTMLExporter.preprocessors=["gemini_nb.notebook._export.WidgetFallbacks"]',
            "--output-dir",
            out,
            *args.extra,
            tour,
            env=env,
            check=False,
        )
    ensure_env("lab")
    lab_args = list(args.extra)
    if hasattr(os, "geteuid") and os.geteuid() == 0 and "--allow-root" not in lab_args:
        # JupyterLab refuses to run as root without it; containers and cloud boxes often do.
        say("running as root, so JupyterLab gets --allow-root")
        lab_args.append("--allow-root")
    say("answers come from the local emulator (no API key set); Ctrl-C to stop")
    return run(BIN / "jupyter", "lab", str(tour.relative_to(ROOT)), *lab_args, env=env, check=False)


def format_paths() -> list[str]:
    """The files ``ruff format --check`` covers: ``[tool.gemini-nb] format-check``."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    paths = config.get("tool", {}).get("gemini-nb", {}).get("format-check", [])
    if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
        sys.exit("pyproject.toml: [tool.gemini-nb] format-check must be a list of paths.")
    return paths


def cmd_lint(args: argparse.Namespace) -> int:
    ensure_env("dev")
    paths = args.paths
    formatted = paths or format_paths()
    checks: list[tuple[str, list[str | Path]]] = [
        ("ruff check", [BIN / "ruff", "check", *(paths or ["."])]),
        ("ruff format --check", [BIN / "ruff", "format", "--check", *formatted]),
        # With no paths, mypy checks the packages named in [tool.mypy].
        ("mypy --strict", [BIN / "mypy", "--strict", *paths]),
    ]
    if not formatted:
        say("ruff format --check: skipped, [tool.gemini-nb] format-check lists no files")
        del checks[1]
    failed = [name for name, cmd in checks if run(*cmd, check=False) != 0]
    say(f"lint failed: {', '.join(failed)}" if failed else "lint passed")
    return 1 if failed else 0


def cmd_bench(args: argparse.Namespace) -> int:
    ensure_env("dev")
    return run(PY, "-m", "bench", *args.bench_args, env=clean_env(), check=False)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    sub = parser.add_subparsers(dest="task", required=True)
    t = sub.add_parser("test", help="run the whole test suite")
    t.add_argument("--no-browser", action="store_true", help="skip the headless-Chromium tests")
    t.add_argument("pytest_args", nargs=argparse.REMAINDER, help="extra pytest arguments")
    d = sub.add_parser(
        "demo",
        help="JupyterLab on the tour, against the emulator; other "
        "options go on to JupyterLab (or to nbconvert with --headless)",
    )
    d.add_argument("--headless", action="store_true", help="execute the tour to HTML instead")
    li = sub.add_parser("lint", help="ruff check, ruff format --check, mypy --strict")
    li.add_argument("paths", nargs="*", help="check these files only (default: the project)")
    b = sub.add_parser("bench", help="benchmark against raw httpx and google-genai")
    b.add_argument("bench_args", nargs=argparse.REMAINDER)
    # Options this parser does not know go on as they are: to pytest or the benchmark
    # (`tasks.py test -k sse`, `tasks.py bench --quick`), to JupyterLab
    # (`tasks.py demo --port 9999 --no-browser`).
    args, extra = parser.parse_known_args()
    if extra and args.task == "lint":
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    if args.task == "test":
        args.pytest_args = [*extra, *args.pytest_args]
    elif args.task == "bench":
        args.bench_args = [*extra, *args.bench_args]
    elif args.task == "demo":
        args.extra = extra
    tasks = {"test": cmd_test, "demo": cmd_demo, "lint": cmd_lint, "bench": cmd_bench}
    return tasks[args.task](args)


if __name__ == "__main__":
    sys.exit(main())
