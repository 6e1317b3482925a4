"""Command line: ``python -m govsites.demo serve [--port 8341] [--registry PATH]`` and
``python -m govsites.demo expected [--write]``.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

from govsites.demo.expected import EXPECTED_PATH, write_expected
from govsites.demo.web import DemoWeb


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m govsites.demo", description="政府网站演示站点 / the demo web")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve the demo sites until SIGTERM/SIGINT")
    serve.add_argument("--port", type=int, default=8341, help="port for every site (0 = a free port)")
    serve.add_argument("--first-host", type=int, default=11, help="last octet of the first site's 127.0.0.x")
    serve.add_argument("--registry", type=Path, help="write the registry CSV with the real URLs here")
    exp = sub.add_parser("expected", help="print the path of expected.json")
    exp.add_argument("--write", action="store_true", help="regenerate expected.json from the site data")
    args = parser.parse_args(argv)

    if args.command == "expected":
        print(write_expected() if args.write else EXPECTED_PATH)
        return 0

    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    web = DemoWeb(port=args.port, first_host=args.first_host).start()
    try:
        if args.registry:
            web.write_registry(args.registry)
        print("ready", flush=True)
        while not stop.wait(0.5):
            pass
    finally:
        web.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
