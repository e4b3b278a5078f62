"""``python -m bench [--quick] [--only NAME,...] [--rounds N] [--json out.json]``."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from . import GROUPS
from .dataframes import (
    DataframesConfig,
    DataframesResult,
    dataframes_json,
    print_dataframes,
    run_dataframes,
)
from .file_search import (
    FileSearchConfig,
    FileSearchResult,
    file_search_json,
    print_file_search,
    run_file_search,
)
from .harness import Row, ServerMeter, Stats
from .imports import ImportResult, measure_imports
from .memory import measure_memory
from .probe import measure_floor
from .report import machine_info, print_floor, print_imports, print_memory, print_wire, to_json
from .server import ServerProcess
from .tokens import TokensConfig, TokensResult, print_tokens, run_tokens, tokens_json
from .upload import UploadConfig, UploadResult, print_upload, run_upload, upload_json
from .voice import VoiceConfig, VoiceResult, print_voice, run_voice, voice_json
from .workloads import Config, run_async, run_sync


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m bench",
        description="gemini-nb vs google-genai vs raw httpx, against one fast local server.",
    )
    p.add_argument("--quick", action="store_true", help="a few iterations each (smoke test)")
    p.add_argument("--only", default="", help=f"comma-separated subset of: {', '.join(GROUPS)}")
    p.add_argument("--rounds", type=int, default=None, help="rounds per measurement (default 11)")
    p.add_argument("--json", dest="json_out", default=None, help="also write results here")
    p.add_argument("--no-pin", action="store_true", help="do not pin client and server to CPUs")
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--"]:  # `tasks.py bench -- --quick` passes the separator through
        argv = argv[1:]
    args = p.parse_args(argv)
    groups = {g.strip() for g in args.only.split(",") if g.strip()} or set(GROUPS)
    unknown = groups - set(GROUPS)
    if unknown:
        p.error(
            f"unknown --only name(s): {', '.join(sorted(unknown))}; choose from {', '.join(GROUPS)}"
        )
    args.groups = groups
    return args


def _pin(no_pin: bool) -> tuple[int | None, str]:
    """One CPU for the server, the others for us, so neither waits for the other's slot."""
    if no_pin or not hasattr(os, "sched_getaffinity"):
        return None, "not pinned"
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2:
        return None, "not pinned (one CPU)"
    server_cpu = cpus[-1]
    os.sched_setaffinity(0, set(cpus[:-1]))
    return (
        server_cpu,
        f"server on CPU {server_cpu}, client on CPU(s) {','.join(map(str, cpus[:-1]))}",
    )


_T0 = time.perf_counter()


def _say(msg: str) -> None:
    print(f"[bench {time.perf_counter() - _T0:6.1f}s] {msg}", file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse(argv)
    cfg = Config.quick(args.rounds) if args.quick else Config.full(args.rounds)
    groups: set[str] = args.groups
    server_cpu, pinning = _pin(args.no_pin)
    info = machine_info()
    info["pinning"] = pinning
    print(
        f"gemini-nb benchmark, {info['date']}: Python {info['python']}, {info['cpu']} "
        f"({info['cpus']} CPUs, {pinning})"
    )
    print("versions: " + ", ".join(f"{k} {v}" for k, v in info["versions"].items()))
    if args.quick:
        print("QUICK MODE: few iterations, numbers are not meaningful")

    rows: list[Row] = []
    floor: dict[str, Stats] | None = None
    memory: dict[str, Any] | None = None
    imports: ImportResult | None = None
    frames: DataframesResult | None = None
    tokens: TokensResult | None = None
    upload: UploadResult | None = None
    file_search: FileSearchResult | None = None
    voice: VoiceResult | None = None
    with ServerProcess(cpu=server_cpu) as server:
        meter = ServerMeter(server.pid)
        if "floor" in groups:
            _say("server floor (bare socket)")
            floor = measure_floor(server.url, cfg.rounds, cfg.calls, cfg.events)
        sync_groups = groups & {"call", "stream", "ttfc", "list"}
        if sync_groups:
            _say(f"sync: {', '.join(sorted(sync_groups))}")
            rows += run_sync(cfg, server.url, meter, sync_groups)
        async_groups = groups & {"call", "concurrent", "stream", "ttfc"}
        if async_groups:
            _say(f"async: {', '.join(sorted(async_groups))}")
            rows += run_async(cfg, server.url, meter, async_groups)
        if "memory" in groups:
            _say("memory (one interpreter per cell)")
            memory = measure_memory(server.url, cfg.memory_events)
    if "import" in groups:
        _say("imports (one interpreter per run)")
        imports = measure_imports(cfg.import_runs, cfg.importtime_runs)
    if "tokens" in groups:
        _say("token counting: local tokenizer vs countTokens over the emulator")
        tcfg = TokensConfig.quick(args.rounds) if args.quick else TokensConfig.full(args.rounds)
        tokens = run_tokens(tcfg)
    if "upload" in groups:
        _say("upload: ours vs google-genai vs a raw streamed POST, to the emulator")
        ucfg = UploadConfig.quick(args.rounds) if args.quick else UploadConfig.full(args.rounds)
        upload = run_upload(ucfg)
    if "file_search" in groups:
        _say("file search: small documents into a store, then one question, ours vs google-genai")
        fcfg = (
            FileSearchConfig.quick(args.rounds)
            if args.quick
            else FileSearchConfig.full(args.rounds)
        )
        file_search = run_file_search(fcfg)
    if "voice" in groups:
        _say("voice relay: a kernel between a browser and an echo Live server")
        voice = run_voice(VoiceConfig.quick() if args.quick else VoiceConfig.full())

    if "dataframes" in groups:
        _say("DataFrame jobs: online engine vs google-genai gather, 100k rows, batch preparation")
        dcfg = (
            DataframesConfig.quick(args.rounds)
            if args.quick
            else DataframesConfig.full(args.rounds)
        )
        frames = run_dataframes(dcfg)

    print_wire(rows, cfg.rounds)
    if floor is not None:
        print_floor(floor, rows)
    if memory is not None:
        print_memory(memory, cfg.memory_events)
    if imports is not None:
        print_imports(imports, cfg.import_runs)
    if tokens is not None:
        print_tokens(tokens)
    if upload is not None:
        print_upload(upload)
    if file_search is not None:
        print_file_search(file_search)
    if voice is not None:
        print_voice(voice)
    if frames is not None:
        print_dataframes(frames)
    if args.json_out:
        data = to_json(info, asdict(cfg), rows, floor, imports, memory)
        if frames is not None:
            data["rows"].update(dataframes_json(frames))
        if tokens is not None:
            data["rows"].update(tokens_json(tokens))
        if upload is not None:
            data["rows"].update(upload_json(upload))
        if file_search is not None:
            data["rows"].update(file_search_json(file_search))
        if voice is not None:
            data["rows"].update(voice_json(voice))
        with open(args.json_out, "w") as f:
            json.dump(data, f, indent=2)
        _say(f"wrote {args.json_out}")
    _say("done")
    return 0


if __name__ == "__main__":
    sys.exit(main())
