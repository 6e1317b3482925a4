"""The monitoring window: its schedule, resuming after a kill, late steps counted once, and a real short window
on the demo web (two 'days' of one second, everything into one run)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from govsites.demo import AS_OF, DemoWeb
from govsites.monitor import MonitorState, Step, load_state, run_window, state_path
from tests.helpers import needs_chromium, run


class Clock:
    """A clock the window reads and sleeps on (time is an input here, never the machine's)."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def window(tmp: Path, started: float = 1000.0) -> tuple[MonitorState, Path]:
    state = MonitorState(run="w", started=started, days=3, probes_per_day=4, day_seconds=100.0)
    return state, tmp / "s.sqlite.monitor.json"


def test_the_schedule_is_a_crawl_then_even_probe_rounds_each_day(tmp_path: Path) -> None:
    state, _ = window(tmp_path)
    steps = state.schedule()
    assert [s.kind for s in steps if s.day == 0] == ["crawl", "probe", "probe", "probe", "probe"]
    assert [s.due for s in steps if s.day == 1] == [100.0, 112.5, 137.5, 162.5, 187.5]
    assert len(steps) == 3 * 5
    assert state_path("data/x.sqlite") == Path("data/x.sqlite.monitor.json")


def test_a_killed_window_resumes_and_does_each_step_once(tmp_path: Path) -> None:
    state, path = window(tmp_path)
    clock, done = Clock(1000.0), []

    def killed_after_six(step: Step) -> int:
        if len(done) == 6:
            raise KeyboardInterrupt
        done.append(step)
        return 0

    with pytest.raises(KeyboardInterrupt):
        run_window(state, path, killed_after_six, clock=clock, sleep=clock.sleep, say=lambda _: None)
    resumed = load_state(path)
    assert resumed is not None
    assert len(resumed.done) == 6
    clock.now += 250  # down for a while: the steps missed meanwhile run once, late
    lines: list[str] = []
    code = run_window(resumed, path, lambda s: done.append(s) or 0, clock=clock, sleep=clock.sleep, say=lines.append)
    assert code == 0
    assert sorted(done, key=lambda s: (s.due, s.kind)) == sorted(state.schedule(), key=lambda s: (s.due, s.kind))
    assert resumed.late > 0
    assert "已抓取 3/3 次，已探测 12/12 轮" in lines[-1]
    assert json.loads(path.read_text(encoding="utf-8"))["done"] == list(range(15))


def test_a_failed_step_is_reported_not_fatal(tmp_path: Path) -> None:
    state, path = window(tmp_path)
    clock = Clock(1000.0)
    code = run_window(
        state, path, lambda s: 1 if s.kind == "crawl" else 0, clock=clock, sleep=clock.sleep, say=lambda _: None
    )
    assert code == 1
    assert len(state.done) == 15
    assert len(state.failed) == 3


@needs_chromium
def test_a_short_window_on_the_demo_web_writes_one_run(tmp_path: Path) -> None:
    with DemoWeb(port=0) as web:
        registry = web.write_registry(tmp_path / "sites.csv")
        db = tmp_path / "store.sqlite"
        args = [
            "-m",
            "govsites",
            "monitor",
            "--sites",
            str(registry),
            "--db",
            str(db),
            "--run",
            "week",
            "--as-of",
            AS_OF.isoformat(),
            "--allow-private",
            "--days",
            "2",
            "--probes-per-day",
            "2",
            "--day-seconds",
            "1",
        ]
        done = run(args)
        assert done.returncode == 0, done.stderr[-3000:]
        assert "已抓取 2/2 次，已探测 4/4 轮" in done.stdout
        cron = run([*args, "--cron"])
    con = sqlite3.connect(db)
    try:
        assert [r[0] for r in con.execute("SELECT label FROM runs")] == ["week"]
        sites = con.execute("SELECT COUNT(DISTINCT site_id) FROM run_sites").fetchone()[0]
        rounds = con.execute("SELECT COUNT(*) FROM probes WHERE source = 'probe'").fetchone()[0]
    finally:
        con.close()
    assert rounds == 4 * sites
    assert cron.returncode == 0
    assert "make probe" in cron.stdout
    assert "make crawl" in cron.stdout
