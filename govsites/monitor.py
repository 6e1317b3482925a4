"""A monitoring week (普查的监测周期): home-page probes at the census cadence and one crawl a day, into one run.

``make monitor DAYS=7`` (``python -m govsites monitor --days 7``) keeps one evaluation window — one run label —
for ``days`` days: a crawl of the whole registry at the start of each day (the first one fetches everything, the
later ones revalidate: :mod:`govsites.revalidate`, a fraction of the bytes) and ``probes_per_day`` home-page probe
rounds spread evenly over each day (the census asks for 20 or more a day, each answer within 15 s:
``GOVSITES_PROBE_TIMEOUT``). Scoring the run afterwards counts every probe of the window.

What is done is written to ``<store>.monitor.json`` after each step, so a killed or rebooted monitor resumes where
it stopped (``make monitor`` again): steps whose time has passed while it was down run once, late, and are
counted as late. A status line says what the week has seen so far. ``--cron`` prints the crontab lines that do
the same with cron instead of a long-running process.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

DAY_SECONDS = 86_400
CENSUS_PROBES_PER_DAY = 24


@dataclass(frozen=True)
class Step:
    """One thing to do at ``due`` seconds after the window's start: a crawl or a probe round."""

    due: float
    kind: str  # crawl | probe
    day: int


@dataclass
class MonitorState:
    """What the window has done (kept in ``<store>.monitor.json``)."""

    run: str
    started: float
    days: int
    probes_per_day: int
    day_seconds: float
    done: list[int] = field(default_factory=list)  # indexes into schedule()
    late: int = 0
    failed: list[str] = field(default_factory=list)

    def schedule(self) -> list[Step]:
        """Every step of the window in time order: each day a crawl, then its probe rounds."""
        steps = []
        for day in range(self.days):
            start = day * self.day_seconds
            steps.append(Step(start, "crawl", day))
            gap = self.day_seconds / max(1, self.probes_per_day)
            steps += [Step(start + (k + 0.5) * gap, "probe", day) for k in range(self.probes_per_day)]
        return sorted(steps, key=lambda s: (s.due, s.kind != "crawl"))

    def status(self, now: float) -> str:
        steps = self.schedule()
        crawls = sum(1 for i in self.done if steps[i].kind == "crawl")
        probes = sum(1 for i in self.done if steps[i].kind == "probe")
        day = min(self.days, int((now - self.started) // self.day_seconds) + 1)
        line = (
            f"监测窗口 {self.run}：第 {max(day, 1)}/{self.days} 天，已抓取 {crawls}/{self.days} 次，"
            f"已探测 {probes}/{self.days * self.probes_per_day} 轮"
        )
        if self.late:
            line += f"，补做 {self.late} 项"
        if self.failed:
            line += f"，失败 {len(self.failed)} 项（{self.failed[-1]}）"
        return line


def state_path(db: str) -> Path:
    """``<store>.monitor.json`` beside a SQLite store; ``data/monitor.json`` for a PostgreSQL one."""
    if "://" in db and not db.startswith("sqlite:///"):
        return Path("data/monitor.json")
    store = Path(db.removeprefix("sqlite:///"))
    return store.with_name(store.name + ".monitor.json")


def load_state(path: Path) -> MonitorState | None:
    if not path.is_file():
        return None
    return MonitorState(**json.loads(path.read_text(encoding="utf-8")))


def save_state(path: Path, state: MonitorState) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(asdict(state), ensure_ascii=False, indent=1), encoding="utf-8")
    tmp.replace(path)


def run_window(
    state: MonitorState,
    path: Path,
    do: Callable[[Step], int],
    *,
    clock: Callable[[], float] = time.time,
    sleep: Callable[[float], None] = time.sleep,
    say: Callable[[str], None] = print,
) -> int:
    """Do every step not done yet at its time (a step already due runs at once, counted late); 0 when all
    succeeded."""
    steps = state.schedule()
    for index, step in enumerate(steps):
        if index in state.done:
            continue
        due = state.started + step.due
        wait = due - clock()
        if wait > 0:
            sleep(wait)
        elif wait < -state.day_seconds / max(1, state.probes_per_day):
            state.late += 1  # missed while the monitor was down: done now, once
        code = do(step)
        if code != 0:
            state.failed.append(f"第{step.day + 1}天{'抓取' if step.kind == 'crawl' else '探测'}（退出码 {code}）")
        state.done.append(index)
        save_state(path, state)
        say(state.status(clock()))
    return 1 if state.failed else 0


def cron_lines(common: Sequence[str], probes_per_day: int, make: str = "make") -> list[str]:
    """The crontab lines doing the same: a crawl each day at 01:00, probe rounds spread over the day."""
    minutes = max(1, (24 * 60) // max(1, probes_per_day))
    args = " ".join(common)
    probe = f"*/{minutes} * * * *" if minutes < 60 else f"0 */{minutes // 60} * * *"
    return [f"0 1 * * * cd <项目目录> && {make} crawl {args}", f"{probe} cd <项目目录> && {make} probe {args}"]


def subprocess_step(common: Sequence[str]) -> Callable[[Step], int]:
    """A step as ``python -m govsites crawl|probe <common>`` (the same arguments as ``make crawl``)."""

    def do(step: Step) -> int:
        return subprocess.call([sys.executable, "-m", "govsites", step.kind, *common])  # noqa: S603

    return do
