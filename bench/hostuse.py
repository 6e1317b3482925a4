"""The busiest host's connections over a crawl, read from the store: where the crawl's end waits on one host.

Each page read with plain HTTP holds one of its host's connections from its request to its answer (``pages``:
``fetched_at``, to the second, and ``elapsed_ms``). Link checks keep no timing and are left out, and so are
rendered pages, which go through the browser's own slot. The host whose pages held its connections longest
bounds the crawl: with its ``GOVSITES_PER_HOST`` connections always busy it would have needed ``busy / per_host``
seconds. The rest of its span is connections its pages left free (its link checks used some of it), told apart
by when: its first ``edge`` seconds (its sites' home pages and first columns, one answer waiting for another),
the middle (between a site's rounds of the crawl caps, :mod:`govsites.caps`, or its requests waiting for the
crawl's CPU) and its last ``edge`` seconds (its last sites' last pages).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit


@dataclass(frozen=True)
class HostUse:
    """One host's page requests over a crawl (seconds; connection-seconds for ``busy`` and the idle parts)."""

    host: str
    sites: tuple[str, ...]
    pages: int
    per_host: int
    busy: float
    first: float  # from the run's first site start to the host's first request
    span: float  # the host's first request to its last answer
    idle_start: float
    idle_middle: float
    idle_end: float
    start_window: float  # seconds of the first window (``edge``, or the whole span when it is shorter)
    end_window: float  # seconds of the last window (``edge``, or what the first left of a short span)

    @property
    def full(self) -> float:
        """Seconds the host's pages needed with every connection busy all the time."""
        return self.busy / self.per_host


def stamp_seconds(stamp: str) -> float:
    """A store timestamp (ISO 8601, as ``fetched_at`` and ``finished_at`` are written) in epoch seconds."""
    return datetime.fromisoformat(stamp).timestamp()


def _held(spans: list[tuple[float, float]], lo: float, hi: float) -> float:
    """Connection-seconds the requests ``spans`` held within ``[lo, hi)``."""
    return sum(max(0.0, min(end, hi) - max(start, lo)) for start, end in spans)


def busiest_host(db: Path, per_host: int, run: str = "bench", edge: float = 20.0) -> HostUse | None:
    """The host of run ``run`` whose plain page requests held its connections longest, or None without any (or
    without that run)."""
    con = sqlite3.connect(db)
    try:
        found = con.execute("SELECT id FROM runs WHERE label = ?", (run,)).fetchone()
        if found is None:
            return None
        (rid,) = found
        (started,) = con.execute("SELECT MIN(started_at) FROM run_sites WHERE run_id = ?", (rid,)).fetchone()
        rows = con.execute(
            "SELECT site_id, url, fetched_at, elapsed_ms FROM pages WHERE run_id = ? AND rendered = 0"
            " AND elapsed_ms > 0",
            (rid,),
        ).fetchall()
    finally:
        con.close()
    spans: dict[str, list[tuple[float, float]]] = {}
    sites: dict[str, set[str]] = {}
    for site_id, url, fetched_at, elapsed_ms in rows:
        host = urlsplit(url).netloc
        end = stamp_seconds(fetched_at)
        spans.setdefault(host, []).append((end - elapsed_ms / 1000, end))
        sites.setdefault(host, set()).add(site_id)
    if not spans:
        return None
    host = max(spans, key=lambda h: (sum(end - start for start, end in spans[h]), h))
    held = spans[host]
    lo, hi = min(start for start, _ in held), max(end for _, end in held)
    cut_lo, cut_hi = min(lo + edge, hi), max(hi - edge, lo + edge)

    def idle(a: float, b: float) -> float:
        # answers are stamped to the second: a window may look busier than its connections allow
        return max(0.0, per_host * (b - a) - _held(held, a, b))

    return HostUse(
        host=host,
        sites=tuple(sorted(sites[host])),
        pages=len(held),
        per_host=per_host,
        busy=_held(held, lo, hi),
        first=lo - stamp_seconds(started) if started else 0.0,
        span=hi - lo,
        idle_start=idle(lo, cut_lo),
        idle_middle=idle(cut_lo, cut_hi) if cut_hi > cut_lo else 0.0,
        idle_end=idle(cut_hi, hi) if hi > cut_hi else 0.0,
        start_window=cut_lo - lo,
        end_window=hi - cut_hi,
    )


def host_use_line(use: HostUse) -> str:
    """The busiest host's account (:func:`busiest_host`) as ``make bench`` prints it."""
    return (
        f"最忙主机 {use.host}（{'、'.join(use.sites)}；普通页面 {use.pages} 个，不含链接检查和浏览器渲染）："
        f"页面占用连接合计 {use.busy:.0f} s，{use.per_host} 个连接始终占满只需 {use.full:.1f} s；"
        f"实际从首个请求（开始后 {use.first:.1f} s）到最后应答 {use.span:.1f} s。"
        f"其间未被页面占用的连接·秒（链接检查不记耗时，也在其中）：前 {use.start_window:.0f} s {use.idle_start:.0f}，"
        f"中段 {use.idle_middle:.0f}，最后 {use.end_window:.0f} s {use.idle_end:.0f}（折合全部连接 "
        f"{(use.idle_start + use.idle_middle + use.idle_end) / use.per_host:.1f} s）"
    )
