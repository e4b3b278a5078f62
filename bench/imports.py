"""Import wall time, each statement in a fresh interpreter, timed inside it."""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from .harness import Stats, Target

__all__ = ["IMPORT_ROWS", "ImportResult", "ModuleTime", "measure_imports"]

ROOT = Path(__file__).resolve().parent.parent
BASELINE = "import httpx"
# Row key -> statement. `import gemini_nb` is lazy on purpose; the realistic first line of a
# user's script is `from gemini_nb import Client`, which pulls httpx and pydantic in.
IMPORT_ROWS = {
    "import_httpx": "import httpx",
    "import_gemini_nb": "import gemini_nb",
    "import_client": "from gemini_nb import Client",
    "import_genai": "from google import genai",
    "load_ext": "%load_ext gemini_nb",
}
TARGETS = {
    "import_gemini_nb": Target(1.3, "max", "import"),
    "import_client": Target(1.3, "max", "import (same bound, realistic)"),
    "load_ext": Target(150, "max", "%load_ext on top of IPython", unit="ms"),
}
# What runs untimed before a row's statement, and the Python the statement stands for.
_SETUP = {
    "load_ext": (
        "import os\n"
        "for k in ('GEMINI_API_KEY', 'GOOGLE_API_KEY', 'GOOGLE_GEMINI_BASE_URL'):\n"
        "    os.environ.pop(k, None)  # no key: loading also starts the embedded emulator\n"
        "from IPython.core.interactiveshell import InteractiveShell\n"
        "ip = InteractiveShell.instance()\n"
    ),
}
_CODE = {"load_ext": "ip.run_line_magic('load_ext', 'gemini_nb')"}
_PROBE = "{setup}import time\nt0 = time.perf_counter()\n{stmt}\nprint(time.perf_counter() - t0)\n"


@dataclass(frozen=True)
class ModuleTime:
    name: str
    self_ms: float
    cumulative_ms: float
    top_level: bool  # imported directly by the statement, not by another module


@dataclass
class ImportResult:
    stats: dict[str, Stats]  # row key -> seconds per run
    ours: list[ModuleTime]  # -X importtime of `from gemini_nb import Client`
    httpx: list[ModuleTime]  # -X importtime of `import httpx`

    def ratio(self, key: str) -> float:
        return self.stats[key].median / self.stats["import_httpx"].median

    @property
    def total_ms(self) -> float:
        return sum(m.cumulative_ms for m in self.ours if m.top_level)

    def added_by_package(self) -> list[tuple[str, float]]:
        """Self time of the modules our import loads and `import httpx` does not, per package."""
        known = {m.name for m in self.httpx}
        per: dict[str, float] = {}
        for m in self.ours:
            if m.name not in known:
                top = m.name.split(".")[0]
                per[top] = per.get(top, 0.0) + m.self_ms
        return sorted(per.items(), key=lambda kv: -kv[1])


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # cached bytecode, as in a normal install
    return env


def _time_once(key: str, env: dict[str, str]) -> float:
    code = _PROBE.format(setup=_SETUP.get(key, ""), stmt=_CODE.get(key, IMPORT_ROWS[key]))
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return float(out.stdout.strip().splitlines()[-1])


_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")


def _importtime(stmt: str, env: dict[str, str], runs: int) -> list[ModuleTime]:
    """Median self/cumulative ms of each module under `-X importtime`, biggest first."""
    seen: dict[str, list[tuple[float, float]]] = {}
    top_level: set[str] = set()
    for _ in range(runs):
        err = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", stmt],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stderr
        for m in _LINE.finditer(err):
            seen.setdefault(m.group(4), []).append((int(m.group(1)) / 1e3, int(m.group(2)) / 1e3))
            if len(m.group(3)) == 1:  # one space of indent: imported by the statement itself
                top_level.add(m.group(4))
    rows = [
        ModuleTime(
            name,
            statistics.median(s for s, _ in v),
            statistics.median(c for _, c in v),
            name in top_level,
        )
        for name, v in seen.items()
    ]
    return sorted(rows, key=lambda r: -r.cumulative_ms)


def measure_imports(runs: int, importtime_runs: int) -> ImportResult:
    env = _env()
    for key in IMPORT_ROWS:  # write bytecode caches and warm the page cache
        _time_once(key, env)
    samples: dict[str, list[float]] = {k: [] for k in IMPORT_ROWS}
    for r in range(runs):
        keys = list(IMPORT_ROWS)
        k = r % len(keys)
        for key in keys[k:] + keys[:k]:
            samples[key].append(_time_once(key, env))
    return ImportResult(
        {k: Stats(tuple(v)) for k, v in samples.items()},
        _importtime(IMPORT_ROWS["import_client"], env, importtime_runs),
        _importtime(BASELINE, env, importtime_runs),
    )
