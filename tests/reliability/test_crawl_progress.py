"""The progress line of a real crawl across worker processes, its totals, and Ctrl-C: the workers stop cleanly and
the printed command resumes the run (the slowed site: every answer after 0.3 s)."""

from __future__ import annotations

import os
import pty
import re
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from govsites.registry import write_sites
from tests.helpers import ROOT, child_env, query, run
from tests.reliability.helpers import SlowSite, crawl_args

NO_RENDER = {"GOVSITES_RENDER_ENABLED": "0"}
LINE = re.compile(
    r"^进度：网站 (\d+)/2，页面 (\d+)，已检查链接 (\d+)（失效 (\d+)），发现问题 (\d+)，无法访问网站 (\d+)，"
    r"用时 \S+，预计剩余 \S+$"
)


def two_sites(site: SlowSite, tmp: Path) -> Path:
    rows = [*site.web.slow_registry_rows()]
    twin = {**rows[0], "site_id": "slow2", "name": rows[0]["name"] + "（二）"}
    return write_sites(tmp / "sites.csv", [*rows, twin])


def wait_for_hits(site: SlowSite, at_least: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while site.web.requests_under("/slow/") < at_least:
        assert time.monotonic() < deadline, "the crawl never reached the slowed site"
        time.sleep(0.05)


def test_one_progress_line_for_all_workers_and_the_totals(slow_site: SlowSite, tmp_path: Path) -> None:
    registry = two_sites(slow_site, tmp_path)
    db = tmp_path / "store.sqlite"
    done = run(crawl_args(registry, db, "--workers", "2"), GOVSITES_PROGRESS_INTERVAL="0.5", **NO_RENDER)
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stderr.splitlines()
    progress = [m for m in (LINE.match(line) for line in lines) if m]
    assert progress, done.stderr[-3000:]  # not a terminal: one line per interval, from the parent alone
    pages = [int(m.group(2)) for m in progress]
    assert pages == sorted(pages)  # the sum over both workers only grows
    assert max(pages) > 0
    totals = [line for line in lines if line.startswith("合计：")]
    assert len(totals) == 1
    stored = query(db, "SELECT COUNT(*) AS n FROM pages")[0]["n"]
    assert totals[0].startswith(f"合计：网站 2/2 完成，页面 {stored}，")
    assert not any(line.startswith("进度：网站 ") and "/1，" in line for line in lines)  # no per-worker line


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_ctrl_c_stops_the_workers_and_says_how_to_resume(slow_site: SlowSite, tmp_path: Path, stop: int) -> None:
    registry = two_sites(slow_site, tmp_path)
    db = tmp_path / "store.sqlite"
    before = slow_site.web.requests_under("/slow/")
    proc = subprocess.Popen(
        [sys.executable, *crawl_args(registry, db, "--workers", "2")],
        cwd=ROOT,
        env=child_env(**NO_RENDER),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    delay = slow_site.web.slow_delay
    try:
        wait_for_hits(slow_site, before + 20)
        # the answers still to come are slowed further, so that the crawl is surely under way when the signal
        # arrives, however fast the machine got through the first 20
        slow_site.web.slow_delay = 3.0
        proc.send_signal(stop)  # Ctrl-C sends SIGINT to the foreground command; a service manager SIGTERM
        _, err = proc.communicate(timeout=120)
    finally:
        slow_site.web.slow_delay = delay
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err[-3000:]
    assert "Traceback" not in err
    hint = next(line for line in err.splitlines() if line.startswith("已中断："))
    assert "运行 rel 未完成" in hint
    assert f"make crawl RUN=rel SITES={registry} DB={db}" in hint
    assert [r["status"] for r in query(db, "SELECT status FROM runs")] != ["finished"]
    # the printed command, as printed, completes the run
    command = shlex.split(hint.rsplit("，或 ", 1)[1])
    assert command[:4] == ["python", "-m", "govsites", "crawl"]
    again = subprocess.run(
        [sys.executable, *command[1:]],
        cwd=ROOT,
        env=child_env(**NO_RENDER),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert again.returncode == 0, again.stderr[-3000:]
    assert [r["status"] for r in query(db, "SELECT status FROM runs")] == ["finished"]
    done = {r["site_id"] for r in query(db, "SELECT site_id FROM run_sites WHERE status = 'done'")}
    assert done == {"slow", "slow2"}


def _ignore_sigint() -> None:
    """What a shell does to a command it starts in the background from a script (``make crawl &``)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@pytest.mark.parametrize("background", [False, True], ids=["foreground", "background"])
def test_ctrl_c_of_a_single_process_crawl(slow_site: SlowSite, tmp_path: Path, background: bool) -> None:
    db = tmp_path / "store.sqlite"
    before = slow_site.web.requests_under("/slow/")
    proc = subprocess.Popen(
        [sys.executable, *crawl_args(slow_site.registry, db)],
        cwd=ROOT,
        env=child_env(**NO_RENDER),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_ignore_sigint if background else None,  # noqa: PLW1509 - no threads in the child yet
    )
    try:
        wait_for_hits(slow_site, before + 10)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err[-3000:]
    assert any(line.startswith("已中断：运行 rel 未完成") and "make crawl RUN=rel" in line for line in err.splitlines())


def test_on_a_terminal_the_line_is_redrawn_in_place(slow_site: SlowSite, tmp_path: Path) -> None:
    """A one-process crawl on a (pseudo) terminal: the line redrawn with a carriage return, the log lines above
    it, the totals at the end."""
    db = tmp_path / "store.sqlite"
    primary, secondary = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, *crawl_args(slow_site.registry, db)],
        cwd=ROOT,
        env=child_env(GOVSITES_PROGRESS_INTERVAL="0.5", **NO_RENDER),
        stdin=secondary,
        stdout=secondary,
        stderr=secondary,
    )
    os.close(secondary)
    chunks = []
    while True:
        try:
            chunk = os.read(primary, 65536)
        except OSError:  # the terminal closed with the last process on it
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(primary)
    assert proc.wait(timeout=600) == 0
    screen = b"".join(chunks).decode("utf-8", errors="replace")
    assert "\r\x1b[K进度：网站 " in screen
    assert "合计：网站 1/1 完成" in screen
    assert re.search(r"\r\x1b\[K[^\r\n]*网站 slow 检测完成", screen)  # a worker's log line, above the progress line
