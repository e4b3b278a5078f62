"""The voice widget's relay: the latency it adds between the browser and the Live server.

A real IPython kernel (``jupyter_client``, as Jupyter Server starts one) holds a
:class:`~gemini_nb.VoiceWidget` connected through ``client.aio.live.connect`` to an echo Live
server in its own process, which answers each ``realtimeInput`` audio chunk at once with the
same bytes as model audio. This process plays the browser: it sends 40 ms PCM16 frames (each
numbered in its first four bytes) as widget custom messages with one binary buffer, on a kernel
subshell as JupyterLab 4.6 does (the main shell when the kernel has none), one every 40 ms as a
microphone does, and times each frame until its echo comes back as the widget's audio message.

That round trip is browser → kernel → server → kernel → browser minus the browser itself and
Jupyter Server's websocket forwarding. The same frames sent straight to the echo server over
one WebSocket, framed as the client frames them, give the floor: what a browser talking to the
server directly would see on this machine. The relay's added latency is the round trip minus
that floor's median; its p50 and p99 are held to 30 ms and 80 ms.

``python -m bench.voice serve`` runs the echo server alone (it prints its URL).
"""

from __future__ import annotations

import asyncio
import base64
import json
import math
import os
import queue
import statistics
import struct
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["VOICE_ROWS", "VoiceConfig", "VoiceResult", "print_voice", "run_voice", "voice_json"]

ROOT = Path(__file__).resolve().parents[1]
VOICE_ROWS = ("voice_relay",)
MODEL = "gemini-2.5-flash-native-audio-latest"
RATE = 16_000
FRAME_MS = 40
FRAME_BYTES = RATE * 2 * FRAME_MS // 1000
GOAL_P50_MS = 30.0
GOAL_P99_MS = 80.0


@dataclass(frozen=True)
class VoiceConfig:
    frames: int  # timed frames through the relay (and as many straight to the server)
    warmup: int

    @classmethod
    def full(cls) -> VoiceConfig:
        return cls(frames=150, warmup=10)  # six seconds of speech, each way

    @classmethod
    def quick(cls) -> VoiceConfig:
        return cls(frames=10, warmup=2)


@dataclass
class VoiceResult:
    relay_ms: list[float]
    direct_ms: list[float]
    path: str  # "subshell" or "main shell"
    notes: list[str] = field(default_factory=list)

    @property
    def floor(self) -> float:
        return statistics.median(self.direct_ms)

    def added(self, q: float) -> float:
        return max(0.0, percentile(self.relay_ms, q) - self.floor)

    def verdict(self) -> str:
        ok = self.added(50) <= GOAL_P50_MS and self.added(99) <= GOAL_P99_MS
        return "PASS" if ok else "MISS"


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile, nearest rank (p99 of 250 samples is the 248th smallest)."""
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def frame(seq: int) -> bytes:
    """40 ms of a 220 Hz tone, numbered in its first four bytes."""
    n = FRAME_BYTES // 2
    pcm = struct.pack(
        f"<{n}h",
        *(int(6000 * math.sin(2 * math.pi * 220 * (seq * n + i) / RATE)) for i in range(n)),
    )
    return struct.pack("<I", seq) + pcm[4:]


def seqs_of(data: bytes) -> list[int]:
    """The frame numbers in an echo (the relay may send queued frames together)."""
    return [struct.unpack_from("<I", data, i)[0] for i in range(0, len(data), FRAME_BYTES)]


# ------------------------------------------------------------------ the echo server


async def _echo(ws: Any) -> None:
    async for raw in ws:
        message = json.loads(raw)
        if "setup" in message:
            await ws.send('{"setupComplete":{}}')
            continue
        audio = (message.get("realtimeInput") or {}).get("audio")
        if audio:
            await ws.send(
                json.dumps(
                    {
                        "serverContent": {
                            "modelTurn": {
                                "role": "model",
                                "parts": [
                                    {
                                        "inlineData": {
                                            "mimeType": "audio/pcm;rate=24000",
                                            "data": audio["data"],
                                        }
                                    }
                                ],
                            }
                        }
                    }
                )
            )


async def _serve() -> None:
    from websockets.asyncio.server import serve

    async with serve(_echo, "127.0.0.1", 0, max_size=None, compression=None) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        print(f"http://127.0.0.1:{port}", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)  # until EOF


class EchoServer:
    """The echo Live server in its own process (so that it does not share our GIL)."""

    def __enter__(self) -> str:
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "bench.voice", "serve"],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        assert self._proc.stdout is not None
        url = self._proc.stdout.readline().strip()
        if not url.startswith("http://127.0.0.1:"):
            self._proc.kill()
            raise RuntimeError(f"the echo server did not start (printed {url!r})")
        return url

    def __exit__(self, *exc: object) -> None:
        assert self._proc.stdin is not None
        self._proc.stdin.close()
        try:
            self._proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._proc.kill()


# ------------------------------------------------------------------ the two paths


def _direct(url: str, cfg: VoiceConfig) -> list[float]:
    """Round trips straight to the echo server, framed as the Live client frames audio."""
    from websockets.sync.client import connect

    times: list[float] = []
    ws_url = url.replace("http://", "ws://") + "/ws/direct"
    with connect(ws_url, max_size=None, compression=None) as ws:
        ws.send(json.dumps({"setup": {"model": f"models/{MODEL}"}}))
        ws.recv()
        for seq in range(cfg.warmup + cfg.frames):
            data = base64.b64encode(frame(seq)).decode()
            t0 = time.perf_counter()
            ws.send(
                json.dumps(
                    {
                        "realtimeInput": {
                            "audio": {"data": data, "mimeType": "audio/pcm;rate=16000"}
                        }
                    },
                    separators=(",", ":"),
                )
            )
            ws.recv()
            if seq >= cfg.warmup:
                times.append((time.perf_counter() - t0) * 1000)
            _pace(t0)
    return times


def _pace(t0: float) -> None:
    left = FRAME_MS / 1000 - (time.perf_counter() - t0)
    if left > 0:
        time.sleep(left)


_KERNEL_CODE = """
import gemini_nb
from gemini_nb.notebook.widgets import VoiceWidget
_bench_client = gemini_nb.AsyncClient(api_key="bench-key", base_url={url!r}, max_retries=0)
_bench_widget = VoiceWidget(model={model!r}, client=_bench_client)
print("COMM", _bench_widget.comm.comm_id)
"""


class _Kernel:
    """A kernel, and this process as its front end."""

    def __init__(self) -> None:
        from jupyter_client.manager import KernelManager

        self.km = KernelManager(kernel_name="python3")
        self.km.start_kernel(
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            extra_arguments=["--HistoryManager.enabled=False"],
            stderr=subprocess.DEVNULL,
        )
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=60)
        self.subshell: str | None = None

    def execute(self, code: str) -> str:
        out: list[str] = []
        reply = self.kc.execute_interactive(
            code, timeout=60, output_hook=lambda m: out.append(m["content"].get("text", ""))
        )
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"the kernel failed: {reply['content'].get('evalue')}")
        return "".join(out)

    def open_subshell(self) -> bool:
        info = self.kc.kernel_info(reply=True, timeout=10)
        if "kernel subshells" not in info["content"].get("supported_features", []):
            return False
        msg = self.kc.session.msg("create_subshell_request", {})
        self.kc.control_channel.send(msg)
        reply = self.kc.control_channel.get_msg(timeout=10)
        self.subshell = reply["content"]["subshell_id"]
        return True

    def to_widget(self, comm_id: str, content: dict[str, Any], buffers: list[bytes]) -> None:
        msg = self.kc.session.msg(
            "comm_msg", {"comm_id": comm_id, "data": {"method": "custom", "content": content}}
        )
        if self.subshell is not None:
            msg["header"]["subshell_id"] = self.subshell
        self.kc.session.send(self.kc.shell_channel.socket, msg, buffers=buffers)

    def from_widget(self, comm_id: str, timeout: float) -> tuple[dict[str, Any], list[bytes]]:
        """The widget's next message (custom or state update), skipping everything else."""
        deadline = time.perf_counter() + timeout
        while True:
            left = deadline - time.perf_counter()
            if left <= 0:
                raise TimeoutError("no message from the widget")
            try:
                msg = self.kc.get_iopub_msg(timeout=left)
            except queue.Empty:
                continue
            content = msg["content"]
            if msg["msg_type"] == "comm_msg" and content.get("comm_id") == comm_id:
                return content["data"], [bytes(b) for b in msg.get("buffers") or []]

    def close(self) -> None:
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=True)


def _relay(url: str, cfg: VoiceConfig) -> tuple[list[float], str]:
    kernel = _Kernel()
    try:
        out = kernel.execute(_KERNEL_CODE.format(url=url, model=MODEL))
        comm_id = out.split("COMM", 1)[1].split()[0]
        path = "subshell" if kernel.open_subshell() else "main shell"
        kernel.to_widget(comm_id, {"type": "start", "view": "bench"}, [])
        while True:
            data, _ = kernel.from_widget(comm_id, timeout=30)
            state = (data.get("state") or {}).get("state")
            if state == "live":
                break
            if state == "error":
                raise RuntimeError(f"the widget could not connect: {data['state'].get('error')}")
        times: list[float] = []
        for seq in range(cfg.warmup + cfg.frames):
            t0 = time.perf_counter()
            kernel.to_widget(comm_id, {"type": "audio", "seq": seq}, [frame(seq)])
            while True:
                data, buffers = kernel.from_widget(comm_id, timeout=10)
                content = data.get("content") or {}
                if content.get("type") == "audio" and buffers and seq in seqs_of(buffers[0]):
                    break
            if seq >= cfg.warmup:
                times.append((time.perf_counter() - t0) * 1000)
            _pace(t0)
        kernel.to_widget(comm_id, {"type": "end"}, [])
        return times, path
    finally:
        kernel.close()


def run_voice(cfg: VoiceConfig) -> VoiceResult:
    # The kernel and the echo server get every CPU, whatever the wire workloads pinned us to
    # (their server is gone by now); they inherit this process's affinity.
    pinned = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
    if pinned is not None:
        os.sched_setaffinity(0, range(os.cpu_count() or 1))
    try:
        with EchoServer() as url:
            direct = _direct(url, cfg)
            relay, path = _relay(url, cfg)
    finally:
        if pinned is not None:
            os.sched_setaffinity(0, pinned)
    notes = (
        []
        if path == "subshell"
        else ["the kernel has no subshells: widget messages went through the main shell"]
    )
    return VoiceResult(relay_ms=relay, direct_ms=direct, path=path, notes=notes)


# ------------------------------------------------------------------ report

_LABEL = "voice relay: added latency, browser → kernel → Live server → browser"


def print_voice(res: VoiceResult) -> None:
    from .report import _table

    rows = [
        [
            "round trip through the kernel (relay)",
            f"{percentile(res.relay_ms, 50):.2f}",
            f"{percentile(res.relay_ms, 99):.2f}",
            "",
        ],
        [
            "round trip straight to the server (floor)",
            f"{percentile(res.direct_ms, 50):.2f}",
            f"{percentile(res.direct_ms, 99):.2f}",
            "",
        ],
        [
            "added by the relay",
            f"{res.added(50):.2f}",
            f"{res.added(99):.2f}",
            f"p50 ≤{GOAL_P50_MS:g}, p99 ≤{GOAL_P99_MS:g}: {res.verdict()}",
        ],
    ]
    print(
        f"\n{_LABEL}: {len(res.relay_ms)} frames of {FRAME_MS} ms (PCM16, 16 kHz), one every "
        f"{FRAME_MS} ms, widget messages on the kernel's {res.path}; echo Live server on "
        "loopback"
    )
    print(_table(["ms", "p50", "p99", "target"], rows, right={1, 2}))
    for note in res.notes:
        print(f"note: {note}")


def voice_json(res: VoiceResult) -> dict[str, dict[str, Any]]:
    def ms(values: list[float]) -> dict[str, Any]:
        return {"median": percentile(values, 50), "p99": percentile(values, 99), "samples": values}

    return {
        "voice_relay": {
            "label": _LABEL,
            "unit": "ms",
            "values": {
                "relay": ms(res.relay_ms),
                "direct": ms(res.direct_ms),
                "added_p50": {"median": res.added(50)},
                "added_p99": {"median": res.added(99)},
            },
            "verdict": res.verdict(),
            "path": res.path,
        }
    }


if __name__ == "__main__":
    if sys.argv[1:] == ["serve"]:
        asyncio.run(_serve())
    else:
        result = run_voice(VoiceConfig.quick() if "--quick" in sys.argv else VoiceConfig.full())
        print_voice(result)
