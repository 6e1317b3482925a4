"""CPU seconds of the processes a bench step starts, the descendants they leave behind included.

``getrusage(RUSAGE_CHILDREN)`` counts a process only once it has been waited for, and only up a chain of parents
that each waited. Chromium's processes (the browser, its zygote, every renderer) outlive Playwright's driver when a
crawl process exits: they are reparented to init, which reaps them, and their CPU never reached the bench. Measured
with eight script-heavy pages rendered: 2.6 CPU-s counted that way, 8.5 CPU-s with the orphans reaped here.

:class:`ChildCpu` makes the bench process the subreaper of its descendants (Linux ``PR_SET_CHILD_SUBREAPER``):
an orphan is reparented to it instead of init, and :meth:`ChildCpu.stop` waits for the orphans of the step (the
bench's children that were not there when it started: never the bench web's server) before it reads the counters.

:class:`BrowserCpu` tells the browser's share apart: it polls ``/proc`` for the step's Chromium processes and keeps
each one's last CPU reading. A process's CPU after its last poll (at most :data:`POLL_SECONDS`) is not seen, so the
figure is a little low; it is printed as "about".
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import resource
import threading
import time
from dataclasses import dataclass
from pathlib import Path

_PR_SET_CHILD_SUBREAPER = 36


def become_subreaper() -> bool:
    """Make this process the reaper of its orphaned descendants; False where the system does not allow it."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


def child_pids() -> set[int]:
    """The processes whose parent is this one, exited ones not yet waited for included (from ``/proc``)."""
    me, found = os.getpid(), set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == me:
                found.add(int(stat.parent.name))
    return found


@dataclass(frozen=True)
class Usage:
    """What a step cost: CPU seconds of its processes and their orphans, the orphans waited for, those still
    running after the grace period (not counted), and the peak RSS (KiB) of the largest process."""

    cpu: float
    orphans: int
    left_running: int
    maxrss_kib: int


class ChildCpu:
    """CPU of the child processes started between construction and :meth:`stop`, orphans included."""

    def __init__(self) -> None:
        self.subreaper = become_subreaper()
        self.known = child_pids()  # long-lived children (the bench web's server): never waited for here
        self.before = resource.getrusage(resource.RUSAGE_CHILDREN)

    def stop(self, grace: float = 15.0) -> Usage:
        """Wait up to ``grace`` seconds for the step's orphans to exit, then read the counters. Call it after the
        step's own children have been waited for."""
        reaped, deadline = 0, time.monotonic() + grace
        orphans = child_pids() - self.known
        while orphans:
            for pid in orphans:
                with contextlib.suppress(ChildProcessError):
                    done, _status = os.waitpid(pid, os.WNOHANG)
                    reaped += done == pid
            orphans = child_pids() - self.known
            if not orphans or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - self.before.ru_utime) + (after.ru_stime - self.before.ru_stime)
        return Usage(cpu=cpu, orphans=reaped, left_running=len(orphans), maxrss_kib=after.ru_maxrss)


#: Seconds between two readings of the browser's processes (:class:`BrowserCpu`).
POLL_SECONDS = 0.25

#: ``/proc/<pid>/stat`` command names of Chromium's processes (Debian's binary and its helpers).
BROWSER_NAMES = ("chromium", "chrome")


def _stat(pid: int) -> tuple[str, int, float] | None:
    """Command name, parent pid and CPU seconds (user + system) of ``pid``; None when it is gone."""
    try:
        head, tail = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)
    except (OSError, ValueError):
        return None
    fields = tail.split()
    ticks = os.sysconf("SC_CLK_TCK")
    return head.split("(", 1)[1], int(fields[1]), (int(fields[11]) + int(fields[12])) / ticks


class BrowserCpu:
    """CPU seconds of the Chromium processes descended from this one while it runs (module docstring): a thread
    reads them every :data:`POLL_SECONDS`; :meth:`stop` returns the sum of each process's last reading and how many
    processes were seen."""

    def __init__(self) -> None:
        self.me = os.getpid()
        self.seen: dict[int, float] = {}
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._poll, name="browser-cpu", daemon=True)
        self.thread.start()

    def _descends(self, pid: int, parents: dict[int, int]) -> bool:
        for _ in range(64):
            if pid == self.me:
                return True
            if pid not in parents:
                return False
            pid = parents[pid]
        return False

    def _read(self) -> None:
        stats: dict[int, tuple[str, int, float]] = {}
        for entry in Path("/proc").glob("[0-9]*"):
            found = _stat(int(entry.name))
            if found is not None:
                stats[int(entry.name)] = found
        parents = {pid: parent for pid, (_name, parent, _cpu) in stats.items()}
        for pid, (name, _parent, cpu) in stats.items():
            if name.startswith(BROWSER_NAMES) and self._descends(pid, parents):
                self.seen[pid] = max(cpu, self.seen.get(pid, 0.0))

    def _poll(self) -> None:
        while not self.done.wait(POLL_SECONDS):
            self._read()

    def stop(self) -> tuple[float, int]:
        self.done.set()
        self.thread.join()
        return sum(self.seen.values()), len(self.seen)
