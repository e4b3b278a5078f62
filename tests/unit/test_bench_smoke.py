"""The benchmark still runs end to end (``python -m bench --quick``) and prints every row.

No timing is asserted: quick-mode numbers mean nothing. This only guards against the bench
rotting as the client changes.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.timeout(300)
def test_quick_bench_prints_every_row(tmp_path: Path) -> None:
    pytest.importorskip("google.genai")
    from bench import ROWS

    out_json = tmp_path / "bench.json"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--json", str(out_json)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=280,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    data = json.loads(out_json.read_text())
    assert set(data["rows"]) == set(ROWS)
    for key, row in data["rows"].items():
        assert row["label"] in proc.stdout, f"row {key} ({row['label']!r}) not printed"
        if row.get("verdict") is not None:
            assert row["verdict"] in ("PASS", "MISS")
        for who, value in row["values"].items():
            number = value["median"] if "median" in value else value["rss"]
            assert math.isfinite(number) and number >= 0, (key, who, value)
    assert proc.stdout.count("PASS") + proc.stdout.count("MISS") >= 11
