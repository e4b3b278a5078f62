"""Uploading a big file: our resumable upload against google-genai's and a raw streamed POST.

All three send the same file (1 GiB; 32 MiB with ``--quick``) to the same server: the emulator
in its own process, which speaks Google's resumable upload protocol, checks every offset, hashes
the bytes and writes them to disk (so its speed caps everyone's equally). Each upload runs in a
fresh interpreter that reports two numbers: MB/s (decimal megabytes per second, from the first
request to the final answer) and the growth of its peak RSS during the upload.

* ``ours``: ``Client.files.upload(file=path)`` (8 MiB chunks read from disk one at a time).
* ``genai``: google-genai's ``files.upload(file=path)`` (it also sends 8 MiB chunks).
* ``raw``: the start request, then the whole file in one streamed POST (``upload, finalize``),
  its body generated from the file 1 MiB at a time: the floor any client could reach.

Goal (the platform issue): at least google-genai's speed, at most +20 MiB of RSS.

Child usage: ``python -m bench.upload WHO URL PATH`` prints ``{"seconds", "rss"}``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .harness import Stats
from .memory import _rss_growth

__all__ = [
    "UPLOAD_ROWS",
    "UploadConfig",
    "UploadResult",
    "print_upload",
    "run_upload",
    "upload_json",
]

ROOT = Path(__file__).resolve().parent.parent
UPLOAD_ROWS = ("upload_speed", "upload_rss")
CONTENDERS = ("raw", "ours", "genai")
MIME = "application/octet-stream"
TARGET_RSS_MIB = 20


@dataclass(frozen=True)
class UploadConfig:
    size: int
    rounds: int

    @classmethod
    def full(cls, rounds: int | None = None) -> UploadConfig:
        return cls(1024**3, min(rounds or 3, 5))

    @classmethod
    def quick(cls, rounds: int | None = None) -> UploadConfig:
        return cls(32 * 1024**2, rounds or 1)


@dataclass
class UploadResult:
    size: int
    speed: dict[str, Stats] = field(default_factory=dict)  # MB/s
    rss: dict[str, Stats] = field(default_factory=dict)  # bytes


def _delete_all(url: str) -> None:
    import httpx

    with httpx.Client(base_url=url + "/v1beta/", headers={"x-goog-api-key": "bench"}) as http:
        for item in http.get("files", params={"pageSize": 100}).json().get("files", []):
            http.delete(item["name"])


def child(who: str, url: str, path: str) -> dict[str, float]:
    import time

    import httpx

    size = os.path.getsize(path)
    if who == "ours":
        from gemini_nb import Client

        client = Client(api_key="bench", base_url=url)

        def work() -> object:
            return client.files.upload(file=path, mime_type=MIME)
    elif who == "genai":
        from google import genai

        gclient = genai.Client(api_key="bench", http_options={"base_url": url})

        def work() -> object:
            return gclient.files.upload(file=path, config={"mime_type": MIME})
    else:
        http = httpx.Client(timeout=600)

        def body() -> Any:
            with open(path, "rb") as f:
                while chunk := f.read(1024 * 1024):
                    yield chunk

        def work() -> object:
            start = http.post(
                url + "/upload/v1beta/files",
                json={"file": {"displayName": "bench"}},
                headers={
                    "x-goog-api-key": "bench",
                    "x-goog-upload-protocol": "resumable",
                    "x-goog-upload-command": "start",
                    "x-goog-upload-header-content-length": str(size),
                    "x-goog-upload-header-content-type": MIME,
                },
            )
            done = http.post(
                start.headers["x-goog-upload-url"],
                content=body(),
                headers={
                    "x-goog-upload-command": "upload, finalize",
                    "x-goog-upload-offset": "0",
                    "content-length": str(size),
                },
            )
            done.raise_for_status()
            return done

    elapsed: list[float] = []

    def timed() -> object:
        t0 = time.perf_counter()
        result = work()
        elapsed.append(time.perf_counter() - t0)
        return result

    rss = _rss_growth(timed)
    return {"seconds": elapsed[0], "rss": rss}


def _make_file(size: int) -> Path:
    fd, name = tempfile.mkstemp(prefix="gemini-nb-bench-", suffix=".bin")
    block = os.urandom(1024 * 1024)
    with os.fdopen(fd, "wb") as f:
        for _ in range(size // len(block)):
            f.write(block)
        f.write(block[: size % len(block)])
    return Path(name)


def _emulator() -> tuple[subprocess.Popen[str], str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "gemini_nb.emulator", "--port", "0"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    url = proc.stdout.readline().strip()
    if not url.startswith("http"):
        proc.kill()
        raise RuntimeError("the emulator did not start")
    return proc, url


def run_upload(cfg: UploadConfig) -> UploadResult:
    from .harness import order_for

    res = UploadResult(cfg.size)
    path = _make_file(cfg.size)
    server, url = _emulator()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    speeds: dict[str, list[float]] = {w: [] for w in CONTENDERS}
    rss: dict[str, list[float]] = {w: [] for w in CONTENDERS}
    try:
        for round_no in range(cfg.rounds):
            for who in order_for(round_no, CONTENDERS):
                proc = subprocess.run(
                    [sys.executable, "-m", "bench.upload", who, url, str(path)],
                    cwd=ROOT,
                    env=env,
                    capture_output=True,
                    text=True,
                    timeout=900,
                )
                if proc.returncode != 0:
                    raise RuntimeError(f"upload child {who} failed:\n{proc.stderr[-2000:]}")
                out = json.loads(proc.stdout.strip().splitlines()[-1])
                speeds[who].append(cfg.size / out["seconds"] / 1e6)
                rss[who].append(float(out["rss"]))
                _delete_all(url)  # free the emulator's disk for the next round
    finally:
        server.terminate()
        server.wait(10)
        path.unlink(missing_ok=True)
    res.speed = {w: Stats(tuple(v)) for w, v in speeds.items()}
    res.rss = {w: Stats(tuple(v)) for w, v in rss.items()}
    return res


def _labels() -> dict[str, str]:
    return {"upload_speed": "upload, MB/s", "upload_rss": "upload, peak RSS growth"}


def print_upload(res: UploadResult) -> None:
    from .report import _cell, _table

    labels = _labels()
    ours, genai = res.speed["ours"].median, res.speed["genai"].median
    speed_ok = ours >= genai * 0.95  # within the noise of "at least as fast"
    rss_mib = res.rss["ours"].median / 1024**2
    rows = [
        [
            labels["upload_speed"],
            *(_cell(res.speed[w], 0) for w in CONTENDERS),
            f"ours/genai {ours / genai:.2f}× {'PASS' if speed_ok else 'MISS'}",
        ],
        [
            labels["upload_rss"],
            *(f"{res.rss[w].median / 1024**2:,.1f} MiB" for w in CONTENDERS),
            f"ours ≤ {TARGET_RSS_MIB} MiB {'PASS' if rss_mib <= TARGET_RSS_MIB else 'MISS'}",
        ],
    ]
    print(f"\nUpload of {res.size / 1024**2:,.0f} MiB to the emulator (its own process)")
    print(_table(["measurement", *CONTENDERS, "goal"], rows, right={1, 2, 3}))


def upload_json(res: UploadResult) -> dict[str, Any]:
    labels = _labels()
    ours, genai = res.speed["ours"].median, res.speed["genai"].median
    return {
        "upload_speed": {
            "label": labels["upload_speed"],
            "values": {
                w: {"median": s.median, "samples": list(s.samples)} for w, s in res.speed.items()
            },
            "verdict": "PASS" if ours >= genai * 0.95 else "MISS",
        },
        "upload_rss": {
            "label": labels["upload_rss"],
            "values": {w: {"rss": s.median} for w, s in res.rss.items()},
            "verdict": "PASS" if res.rss["ours"].median <= TARGET_RSS_MIB * 1024**2 else "MISS",
        },
    }


if __name__ == "__main__":
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, range(os.cpu_count() or 1))
    who_, url_, path_ = sys.argv[1:4]
    print(json.dumps(child(who_, url_, path_)))
