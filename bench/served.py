"""What the bench's steps share: the synthetic web served by its own process, a child process's cost, and the
environment of the crawls it starts."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from bench.childcpu import BrowserCpu, ChildCpu
from bench.web.server import COUNTERS_PATH

ROOT = Path(__file__).resolve().parents[1]


def run_child(args: list[str], env: dict[str, str]) -> tuple[float, float, int, float]:
    """Wall seconds, CPU seconds (with the processes it left behind: Chromium's, `bench.childcpu`), peak RSS
    (KiB) and, of that CPU, about how much Chromium's processes used (`bench.childcpu.BrowserCpu`), of a child
    process."""
    usage, browser = ChildCpu(), BrowserCpu()
    started = time.perf_counter()
    try:
        subprocess.run([sys.executable, *args], env=env, check=True, capture_output=True)  # noqa: S603
    finally:
        browser_cpu, _processes = browser.stop()
    wall = time.perf_counter() - started
    spent = usage.stop()
    return wall, spent.cpu, spent.maxrss_kib, browser_cpu


class ServedWeb:
    """``python -m bench.web serve`` in its own process (its CPU is not the crawler's)."""

    def __init__(
        self,
        tmp: Path,
        sites: int,
        pages: int,
        seed: int = 1,
        truth: bool = True,
        port: int = 0,
        linkchecker_header: bool = False,
        latency: tuple[int, int] = (0, 0),
    ) -> None:
        self.registry, self.truth_path = tmp / "sites.csv", tmp / "truth.json"
        args = [
            "-m",
            "bench.web",
            "serve",
            "--sites",
            str(sites),
            "--pages",
            str(pages),
            "--seed",
            str(seed),
            "--port",
            str(port),
            "--registry",
            str(self.registry),
        ]
        if truth:
            args += ["--truth", str(self.truth_path)]
        if linkchecker_header:
            args.append("--linkchecker-header")
        args += ["--latency-min-ms", str(latency[0]), "--latency-max-ms", str(latency[1])]
        self.proc = subprocess.Popen(  # noqa: S603 - our own module
            [sys.executable, *args],
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().strip()
        if line != "ready":
            self.proc.kill()
            raise RuntimeError(f"bench web did not start: {line!r}")
        with self.registry.open(encoding="utf-8") as fh:
            self.port = int(next(csv.DictReader(fh))["home_url"].rsplit(":", 1)[1].strip("/"))

    def truth(self) -> dict[str, Any]:
        return json.loads(self.truth_path.read_text(encoding="utf-8"))

    def counters(self) -> dict[str, int]:
        """Requests answered, body bytes sent and the most requests one host answered at once, so far (the web's
        own counters)."""
        with urllib.request.urlopen(f"http://127.0.10.1:{self.port}{COUNTERS_PATH}", timeout=30) as answer:
            return {k: int(v) for k, v in json.loads(answer.read()).items()}

    def stop(self) -> int:
        self.proc.send_signal(signal.SIGTERM)
        out, _ = self.proc.communicate(timeout=30)
        said = dict(line.split(" ", 1) for line in out.splitlines() if " " in line)
        return int(said.get("requests", "0"))


def crawl_env() -> dict[str, str]:
    """The environment of the crawls the bench starts (one probe per site, no progress lines)."""
    return {
        **os.environ,
        "GOVSITES_PROBES": "1",
        "GOVSITES_PROBE_INTERVAL": "0.2",
        "GOVSITES_PROGRESS_INTERVAL": "0",
        "PYTHONPATH": str(ROOT),
    }
