"""Command line: ``python -m bench.web serve --sites 65 --seed 1 --port 0 --registry PATH --truth PATH``.

Serves the synthetic web until SIGTERM/SIGINT and prints ``ready`` once every address listens (after the
registry and the truth files are written).
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

from bench.web.model import WebConfig
from bench.web.server import BenchWeb
from bench.web.truth import build_truth, write_truth


def config_args(parser: argparse.ArgumentParser) -> None:
    d = WebConfig()
    parser.add_argument("--sites", type=int, default=d.sites)
    parser.add_argument("--seed", type=int, default=d.seed)
    parser.add_argument("--pages", type=int, default=d.pages, help="pages per site (approximately)")
    parser.add_argument("--links", type=int, default=d.links, help="related-article links per article")
    parser.add_argument("--js-share", type=float, default=d.js_share)
    parser.add_argument("--broken-share", type=float, default=d.broken_share)
    parser.add_argument("--typo-share", type=float, default=d.typo_share)
    parser.add_argument("--down-share", type=float, default=d.down_share)
    parser.add_argument("--blank-share", type=float, default=d.blank_share)
    parser.add_argument("--stale-share", type=float, default=d.stale_share)
    parser.add_argument("--latency-min-ms", type=int, default=d.latency_min_ms, help="hosts' fastest answer")
    parser.add_argument("--latency-max-ms", type=int, default=d.latency_max_ms, help="hosts' slowest (0: at once)")


def config_from(args: argparse.Namespace) -> WebConfig:
    return WebConfig(
        seed=args.seed,
        sites=args.sites,
        pages=args.pages,
        links=args.links,
        js_share=args.js_share,
        broken_share=args.broken_share,
        typo_share=args.typo_share,
        down_share=args.down_share,
        blank_share=args.blank_share,
        stale_share=args.stale_share,
        latency_min_ms=args.latency_min_ms,
        latency_max_ms=args.latency_max_ms,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.web", description="合成政府网站群 / bench web")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve the web until SIGTERM/SIGINT")
    config_args(serve)
    serve.add_argument("--port", type=int, default=8342, help="port for every site (0 = a free port)")
    serve.add_argument("--registry", type=Path, help="write the registry CSV here")
    serve.add_argument("--truth", type=Path, help="write the truth JSON here")
    serve.add_argument(
        "--linkchecker-header",
        action="store_true",
        help="send a LinkChecker header (lifts LinkChecker's per-host pause)",
    )
    truth = sub.add_parser("truth", help="write the truth JSON for a port")
    config_args(truth)
    truth.add_argument("--port", type=int, required=True)
    truth.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    config = config_from(args)
    if args.command == "truth":
        write_truth(build_truth(config, args.port), args.out)
        return 0

    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    web = BenchWeb(config, port=args.port, linkchecker_header=args.linkchecker_header).start()
    try:
        if args.registry:
            web.write_registry(args.registry)
        if args.truth:
            write_truth(build_truth(config, web.port), args.truth)
        sys.stdout.write("ready\n")
        sys.stdout.flush()
        while not stop.wait(0.5):
            pass
    finally:
        sys.stdout.write(f"requests {web.requests}\n")
        sys.stdout.write(f"bytes {web.body_bytes}\n")
        sys.stdout.flush()
        web.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
