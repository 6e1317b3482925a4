"""One progress line for a whole crawl, across its worker processes (no Scrapy here).

Each crawl process counts what it did (:class:`Snapshot`: sites done of its share, pages, links checked, broken
links, problems found, sites whose home page could not be reached). A single-process crawl logs the line itself
(:class:`govsites.extensions.Progress`). In ``crawl --workers N`` every child writes its snapshot, every
``GOVSITES_PROGRESS_INTERVAL`` seconds and when it ends, to its own file (``GOVSITES_PROGRESS_FILE``, written
atomically), and the parent (:class:`ProgressBoard`) adds them up into one line: redrawn in place on a terminal,
printed every interval otherwise, and the totals at the end.

"Problems found" are the broken links, the blank, undated and unreachable columns and the serious typos seen so
far (stale columns are judged at scoring time, against AS_OF); "unreachable" are sites whose every home-page
probe so far failed.
"""

from __future__ import annotations

import json
import queue
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import IO, TextIO

#: the counters of a snapshot, in the order of the line
COUNTERS = ("sites_total", "sites_done", "pages", "links", "broken", "problems", "unreachable", "unchecked")


@dataclass(frozen=True)
class Snapshot:
    """What one crawl process has done so far (``elapsed``: its seconds since it opened)."""

    sites_total: int = 0
    sites_done: int = 0
    pages: int = 0
    links: int = 0
    broken: int = 0
    problems: int = 0
    unreachable: int = 0
    elapsed: float = 0.0
    finished: bool = False
    unchecked: int = 0  # links not verified: skipped by the address policy, cancelled, blocked by a firewall

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> Snapshot:
        data = json.loads(text)
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


def merged(snapshots: Iterable[Snapshot]) -> Snapshot:
    """The sum of the workers' counters (finished when every worker is)."""
    items = list(snapshots)
    totals = {name: sum(getattr(s, name) for s in items) for name in COUNTERS}
    elapsed = max((s.elapsed for s in items), default=0.0)
    return Snapshot(**totals, elapsed=elapsed, finished=bool(items) and all(s.finished for s in items))


def write_snapshot(path: str | Path, snapshot: Snapshot) -> None:
    """Replace the file atomically (the reader never sees half a snapshot)."""
    target = Path(path)
    partial = target.with_name(target.name + ".part")
    partial.write_text(snapshot.to_json(), encoding="utf-8")
    partial.replace(target)


def read_snapshots(paths: Iterable[Path]) -> list[Snapshot]:
    """The snapshots written so far (a worker that has not written yet counts as nothing)."""
    out = []
    for path in paths:
        try:
            out.append(Snapshot.from_json(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError):
            continue
    return out


# -- wording -------------------------------------------------------------------------------------------
def duration(seconds: float) -> str:
    """75 → "1分15秒", 3725 → "1小时2分", 9 → "9秒"."""
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}小时{minutes}分"
    if minutes:
        return f"{minutes}分{secs}秒"
    return f"{secs}秒"


def time_left(snapshot: Snapshot) -> str:
    """The estimate from the pace of the sites done so far ("估算中" before the first site is done)."""
    done, total = snapshot.sites_done, snapshot.sites_total
    if total and done >= total:
        return "0秒"
    if not done or not total:
        return "估算中"
    return duration(snapshot.elapsed / done * (total - done))


def progress_line(snapshot: Snapshot) -> str:
    s = snapshot
    return (
        f"进度：网站 {s.sites_done}/{s.sites_total}，页面 {s.pages}，已检查链接 {s.links}（失效 {s.broken}），"
        f"发现问题 {s.problems}，无法访问网站 {s.unreachable}，用时 {duration(s.elapsed)}，预计剩余 {time_left(s)}"
    )


def totals_line(snapshot: Snapshot) -> str:
    s = snapshot
    unchecked = f"，另有 {s.unchecked} 个链接未能检测（见 links.csv）" if s.unchecked else ""
    return (
        f"合计：网站 {s.sites_done}/{s.sites_total} 完成，页面 {s.pages}，已检查链接 {s.links}（失效 {s.broken}）"
        f"{unchecked}，发现问题 {s.problems}，无法访问网站 {s.unreachable}，用时 {duration(s.elapsed)}"
    )


# -- the parent's board --------------------------------------------------------------------------------
class ProgressBoard:
    """The parent of ``crawl --workers N``: one line from the workers' snapshot files.

    On a terminal the line is redrawn in place (``\\r`` and erase to the end of the line); otherwise it is printed
    every ``interval`` seconds. ``interval`` 0: no line while crawling, the totals still at the end.
    """

    def __init__(
        self,
        paths: list[Path],
        interval: float,
        total: int,
        stream: TextIO | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.paths = paths
        self.total = total
        self.interval = interval
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.clock = clock
        self.started = clock()
        self.last = float("-inf")
        self.drawn = False
        self.line = ""

    def current(self) -> Snapshot:
        snap = merged(read_snapshots(self.paths))
        # the parent knows every share from the start; a worker that has not written yet still counts in the total
        values = {**asdict(snap), "sites_total": max(self.total, snap.sites_total)}
        return Snapshot(**{**values, "elapsed": self.clock() - self.started})

    def tick(self) -> None:
        """Called often by the parent's wait loop: draws when the interval has passed (on a terminal, each
        second)."""
        if self.interval <= 0:
            return
        now = self.clock()
        if now - self.last < (min(self.interval, 1.0) if self.tty else self.interval):
            return
        self.last = now
        line = self.line = progress_line(self.current())
        if self.tty:
            self.stream.write(f"\r\033[K{line}")
            self.drawn = True
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def message(self, text: str) -> None:
        """A worker's log line: above the progress line on a terminal (which is then drawn again)."""
        if self.tty and self.drawn:
            self.stream.write(f"\r\033[K{text}\n{self.line}")
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def end(self) -> Snapshot:
        """Leave the drawn line and print the totals."""
        snap = self.current()
        if self.drawn:
            self.stream.write("\n")
        self.stream.write(totals_line(snap) + "\n")
        self.stream.flush()
        return snap


class LineRelay:
    """The workers' log lines (their stderr), read on a thread each and handed to the board between redraws, so
    a log line never runs into the progress line."""

    def __init__(self, streams: Iterable[IO[str]]) -> None:
        self.lines: queue.SimpleQueue[str] = queue.SimpleQueue()
        self.threads = [threading.Thread(target=self._read, args=(s,), daemon=True) for s in streams]
        for thread in self.threads:
            thread.start()

    def _read(self, stream: IO[str]) -> None:
        for line in stream:
            self.lines.put(line.rstrip("\n"))

    def pass_on(self, board: ProgressBoard) -> None:
        while not self.lines.empty():
            board.message(self.lines.get())

    def close(self, board: ProgressBoard) -> None:
        """After the workers ended: the rest of their lines."""
        for thread in self.threads:
            thread.join(timeout=10)
        self.pass_on(board)
