"""``python -m gemini_nb.emulator``: serve the emulator on loopback.

The first line printed is the base URL, so scripts can read it (``--port 0`` picks a free port);
the second is ``token: ...``, the control API's token (``X-Emulator-Token``).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from .wire.faults import parse_fault_flag


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m gemini_nb.emulator",
        description="A local Gemini API with deterministic answers, for demos and tests.",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default: loopback)")
    p.add_argument("--port", type=int, default=8765, help="port (0: pick a free one)")
    p.add_argument("--api-key", default=None, help="only accept this API key (default: any)")
    p.add_argument("--chunk-delay-ms", type=float, default=0.0, help="delay between stream events")
    p.add_argument("--log-level", default="warning")
    p.add_argument(
        "--clock-speed",
        type=float,
        default=1.0,
        metavar="N",
        help="run the emulator's clock N times faster (long jobs in demos)",
    )
    p.add_argument(
        "--answers",
        default=None,
        metavar="FILE",
        help="scripted answers: a JSON list of {pattern, reply | parts | functionCalls}",
    )
    p.add_argument(
        "--tls",
        action="store_true",
        help="serve HTTPS and WSS on a self-signed certificate (its path is printed)",
    )
    p.add_argument(
        "--token",
        default=None,
        help="the control API's token (default: a random one, printed at start)",
    )
    faults = p.add_argument_group("fault injection (also at POST /_emulator/faults)")
    faults.add_argument(
        "--fail",
        action="append",
        default=[],
        metavar="STATUS[:COUNT]",
        help="answer with this error status (COUNT times, else always)",
    )
    faults.add_argument(
        "--retry-delay",
        default=None,
        metavar="DURATION",
        help='RetryInfo delay for --fail 429, e.g. "2s"',
    )
    faults.add_argument(
        "--fail-fraction",
        type=float,
        default=None,
        help="apply --fail to this fraction of requests",
    )
    faults.add_argument("--latency-ms", action="append", default=[], metavar="MS[:COUNT]")
    faults.add_argument(
        "--cut-stream-after",
        action="append",
        default=[],
        metavar="K[:COUNT]",
        help="drop streams after K events",
    )
    faults.add_argument(
        "--drop-connections",
        action="append",
        default=[],
        metavar="N",
        help="drop the next N connections without answering",
    )
    faults.add_argument(
        "--cut-upload-at",
        action="append",
        default=[],
        metavar="N[:COUNT]",
        help="drop a resumable upload's connection at byte offset N",
    )
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from .._optional import MissingDependencyError, require

    try:
        require("The emulator", ("starlette", "uvicorn"), "emulator")
    except MissingDependencyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    specs: list[dict[str, Any]] = []
    try:
        for kind in ("fail", "latency-ms", "cut-stream-after", "drop-connections", "cut-upload-at"):
            for value in getattr(args, kind.replace("-", "_")):
                spec = parse_fault_flag(kind, value)
                if kind == "fail":
                    if args.retry_delay:
                        spec["retry_delay"] = args.retry_delay
                    if args.fail_fraction is not None:
                        spec["fraction"] = args.fail_fraction
                specs.append(spec)
    except ValueError as exc:
        print(f"error: bad fault flag: {exc}", file=sys.stderr)
        return 2
    from .wire.app import EmulatorOptions
    from .wire.server import EmulatorServer

    if args.clock_speed <= 0:
        print("error: --clock-speed must be positive", file=sys.stderr)
        return 2
    options = EmulatorOptions(
        api_key=args.api_key,
        chunk_delay=args.chunk_delay_ms / 1000,
        faults=specs,
        clock_speed=args.clock_speed,
        answers=args.answers,
        control_token=args.token,
    )
    try:
        server = EmulatorServer(
            args.host, args.port, options=options, log_level=args.log_level, tls=args.tls
        )
        url = server.start()
    except (OSError, RuntimeError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(url, flush=True)
    print(f"token: {server.token}", flush=True)
    if server.certificate:
        print(f"certificate: {server.certificate}", flush=True)
    print(
        f"gemini-nb emulator: simulated answers. In another shell: "
        f"export GOOGLE_GEMINI_BASE_URL={url}",
        file=sys.stderr,
        flush=True,
    )
    try:
        while server.running:
            server._thread.join(0.5)  # type: ignore[union-attr]
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
