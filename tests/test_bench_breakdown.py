"""`make bench`'s account of the crawl's wall time, read from a real store: the ramp of the sites behind a JS
challenge (their first page waits for a browser pass) is told apart from the others'."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bench.__main__ import print_breakdown, wall_breakdown
from bench.hostuse import busiest_host, host_use_line
from govsites.store import Store
from tests.helpers import page_row

START = "2015-12-31T08:00:00+00:00"


def _at(seconds: int) -> str:
    return f"2015-12-31T08:{seconds // 60:02d}:{seconds % 60:02d}+00:00"


def _store(db: Path) -> None:
    """Three sites started together: a's first page after 2 s, b's after 5 s, c's (a challenged site) after 40 s."""
    with Store(db) as store:
        run = store.begin_run("bench", "2015-12-31")
        store.start_sites(
            run.id,
            [
                {"site_id": sid, "name": sid, "group": "", "county": "", "home_url": f"http://127.0.0.1/{sid}/"}
                for sid in "abc"
            ],
        )
        store.insert(
            run.id,
            "pages",
            [
                page_row("a", "http://127.0.0.1/a/", fetched_at=_at(2)),
                page_row("a", "http://127.0.0.1/a/1.html", fetched_at=_at(30)),
                page_row("b", "http://127.0.0.1/b/", fetched_at=_at(5)),
                page_row("c", "http://127.0.0.1/c/", fetched_at=_at(40)),
            ],
        )
        run_id = run.id
    con = sqlite3.connect(db)
    with con:
        for sid, done in (("a", 50), ("b", 60), ("c", 100)):
            con.execute(
                "UPDATE run_sites SET started_at = ?, finished_at = ?, status = 'done'"
                " WHERE run_id = ? AND site_id = ?",
                (START, _at(done), run_id, sid),
            )
    con.close()


def test_the_challenged_sites_ramp_is_told_apart(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "bench.sqlite"
    _store(db)
    apart = wall_breakdown(db, 15.0, challenged=frozenset({"c", "not-in-this-run"}))
    assert (apart["ramp_median"], apart["ramp_max"], apart["ramp_max_open"]) == (5.0, 40.0, 5.0)
    assert apart["challenged"] == 1.0  # only the run's own sites count
    assert apart["span"] == 100.0
    print_breakdown(apart, 101.0)
    out = capsys.readouterr().out
    assert "最长 40.0 s（1 个站点须先由浏览器通过 JS 验证，其余站点最长 5.0 s）" in out
    assert "尾部：" in out

    together = wall_breakdown(db, 15.0)
    assert (together["ramp_max"], together["ramp_max_open"], together["challenged"]) == (40.0, 40.0, 0.0)
    print_breakdown(together, 101.0)
    out = capsys.readouterr().out
    assert "最长 40.0 s；尾部：" in out
    assert "JS 验证" not in out


def test_each_site_s_longest_silence_is_found_and_the_longest_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A site with no answer between two of its pages, or between its last page and its end, was left idle there:
    a's answers at 2 and 30 s and its end at 50 s (28 s silent), b's answer at 5 s and end at 60 s (55 s), c's at
    40 s and 100 s (60 s); a link checked inside a silence splits it."""
    db = tmp_path / "bench.sqlite"
    _store(db)
    figures = wall_breakdown(db, 15.0)
    assert (figures["silence_median"], figures["silence_site"]) == (55.0, "c")
    assert (figures["silence_from"], figures["silence_to"]) == (40.0, 100.0)
    print_breakdown(figures, 101.0)
    out = capsys.readouterr().out
    assert "各站最长无应答间隔（首个应答到完成之间，该站没有任何页面或链接应答）中位 55.0 s，" in out
    assert "最长 60.0 s（c，开始后 40–100 s）" in out

    con = sqlite3.connect(db)
    with con:
        (run_id,) = con.execute("SELECT id FROM runs").fetchone()
        con.execute(
            "INSERT INTO link_checks (run_id, site_id, url, status, reason, broken, final_url, checked_at)"
            " VALUES (?, 'c', 'http://127.0.0.1/c/x.html', '200', '', 0, 'http://127.0.0.1/c/x.html', ?)",
            (run_id, _at(70)),
        )
    con.close()
    split = wall_breakdown(db, 15.0)
    assert (split["silence_site"], split["silence_from"], split["silence_to"]) == ("b", 5.0, 60.0)
    assert split["silence_median"] == 30.0  # a 28, c 30 (70 → 100), b 55


def test_the_busiest_host_is_named_with_its_idle_connections(tmp_path: Path) -> None:
    """Two sites on one host (x) and one on another (y): x's pages held its connections 2 × 40 + 10 = 90 s in all,
    y's 60 s; a rendered page and a page with no timing are not counted. With 2 connections x needed 45 s and
    took 50 s (its first request at 10 s, its last answer at 60 s): both connections held in its first 10 s and
    in the middle, one free in its last 10 s."""
    db = tmp_path / "bench.sqlite"
    with Store(db) as store:
        run = store.begin_run("bench", "2015-12-31")
        store.start_sites(
            run.id,
            [
                {"site_id": sid, "name": sid, "group": "", "county": "", "home_url": f"http://{host}/{sid}/"}
                for sid, host in (("a", "x"), ("b", "x"), ("c", "y"))
            ],
        )
        store.insert(
            run.id,
            "pages",
            [
                page_row("a", "http://x/a/1.html", fetched_at=_at(50), elapsed_ms=40_000),  # 10 → 50 s
                page_row("b", "http://x/b/1.html", fetched_at=_at(60), elapsed_ms=40_000),  # 20 → 60 s
                page_row("b", "http://x/b/2.html", fetched_at=_at(20), elapsed_ms=10_000),  # 10 → 20 s
                page_row("a", "http://x/a/r.html", fetched_at=_at(55), elapsed_ms=50_000, rendered=1),
                page_row("a", "http://x/a/e.html", fetched_at=_at(55), elapsed_ms=0),
                page_row("c", "http://y/c/1.html", fetched_at=_at(70), elapsed_ms=60_000),
            ],
        )
        run_id = run.id
    con = sqlite3.connect(db)
    with con:
        con.execute("UPDATE run_sites SET started_at = ? WHERE run_id = ?", (START, run_id))
    con.close()
    use = busiest_host(db, per_host=2, edge=10.0)
    assert use is not None
    assert (use.host, use.sites, use.pages) == ("x", ("a", "b"), 3)
    assert (use.busy, use.full, use.first, use.span) == (90.0, 45.0, 10.0, 50.0)
    # first 10 s (10-20): a/1 and b/2 held; middle (20-50): a/1 and b/1; last 10 s (50-60): b/1 alone
    assert (use.idle_start, use.idle_middle, use.idle_end) == (0.0, 0.0, 10.0)
    assert (use.start_window, use.end_window) == (10.0, 10.0)
    out = host_use_line(use)
    assert "最忙主机 x（a、b；普通页面 3 个" in out
    assert "2 个连接始终占满只需 45.0 s；实际从首个请求（开始后 10.0 s）到最后应答 50.0 s" in out
    assert "最后 10 s 10（折合全部连接 5.0 s）" in out
    assert busiest_host(db, per_host=2, run="no-such-run") is None
    short = busiest_host(db, per_host=2, edge=30.0)  # a span shorter than two windows: no middle
    assert short is not None
    assert (short.start_window, short.end_window, short.idle_middle) == (30.0, 20.0, 0.0)
    assert (short.idle_start, short.idle_end) == (0.0, 10.0)
