"""Killed, repeated and concurrent runs of a real crawl of the slowed site (every answer after 0.3 s)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from govsites.registry import write_sites
from tests.helpers import ROOT, child_env, query, read_csv, run, start
from tests.reliability.helpers import SlowSite, crawl_args, output_sets, score_args

NO_RENDER = {"GOVSITES_RENDER_ENABLED": "0"}


def _wait_for_hits(site: SlowSite, at_least: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while site.web.requests_under("/slow/") < at_least:
        assert time.monotonic() < deadline, "the crawl never reached the slowed site"
        time.sleep(0.05)


def _integrity(db: Path) -> str:
    con = sqlite3.connect(db)
    try:
        return str(con.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        con.close()


def _no_duplicates(out: Path) -> None:
    for name in ("metrics.csv", "columns.csv", "links.csv"):
        rows = [tuple(r.items()) for r in read_csv(out / name)]
        assert len(rows) == len(set(rows)), f"duplicate rows in {name}"


def test_reference_run_is_complete(slow_reference: dict[str, Any]) -> None:
    outputs = slow_reference["outputs"]
    assert len(outputs["metrics.csv"]) == 1
    assert len(outputs["columns.csv"]) == 2
    links = read_csv(slow_reference["out"] / "links.csv")
    assert any(r["url"].endswith("/slow/gone.html") and r["broken"] == "true" for r in links)
    pages = query(slow_reference["db"], "SELECT COUNT(*) AS n FROM pages")[0]["n"]
    assert pages == 94  # home, 2 lists, 90 articles and the broken internal link (an error page row)
    _no_duplicates(slow_reference["out"])


def test_killed_run_is_refused_then_rerun_completes_identically(
    slow_site: SlowSite, slow_reference: dict[str, Any], tmp_path: Path
) -> None:
    db, out = tmp_path / "store.sqlite", tmp_path / "output"
    args = crawl_args(slow_site.registry, db)
    before = slow_site.web.requests_under("/slow/")
    proc = start(args, **NO_RENDER)
    try:
        _wait_for_hits(slow_site, before + 25)
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL

    refused = run(score_args(slow_site.registry, db, out))
    assert refused.returncode != 0
    assert "未完成" in refused.stderr, refused.stderr
    assert "Traceback" not in refused.stderr
    assert not (out / "metrics.csv").exists()

    again = run(args, **NO_RENDER)
    assert again.returncode == 0, again.stderr[-3000:]
    scored = run(score_args(slow_site.registry, db, out))
    assert scored.returncode == 0, scored.stderr[-3000:]
    assert output_sets(out) == slow_reference["outputs"]
    _no_duplicates(out)
    assert _integrity(db) == "ok"
    assert [r["status"] for r in query(db, "SELECT status FROM runs")] == ["finished"]
    probes = query(db, "SELECT COUNT(*) AS n FROM probes WHERE site_id = 'slow'")[0]["n"]
    assert probes == 3, "probes of the killed attempt must not be counted again"


ACCEPTABLE_REFUSAL = ("另一", "正在", "锁", "占用", "lock", "in use", "already running")


def test_two_crawls_at_once_on_one_store(slow_site: SlowSite, slow_reference: dict[str, Any], tmp_path: Path) -> None:
    db, out = tmp_path / "store.sqlite", tmp_path / "output"
    args = crawl_args(slow_site.registry, db)
    before = slow_site.web.requests_under("/slow/")
    first = start(args, **NO_RENDER)
    try:
        _wait_for_hits(slow_site, before + 5)
        second = start(args, **NO_RENDER)
        out2, err2 = second.communicate(timeout=240)
    finally:
        out1, err1 = first.communicate(timeout=240)
    assert _integrity(db) == "ok"
    codes = (first.returncode, second.returncode)
    if codes == (0, 0):
        # both worked: the store holds one complete, finished run equal to an uninterrupted one
        scored = run(score_args(slow_site.registry, db, out))
        assert scored.returncode == 0, scored.stderr[-3000:]
        assert output_sets(out) == slow_reference["outputs"]
        _no_duplicates(out)
    else:
        assert sorted(codes)[0] == 0, (codes, err1[-2000:], err2[-2000:])
        assert sorted(codes)[1] != 0, codes
        loser = err2 if second.returncode else err1
        assert "Traceback" not in loser, loser[-3000:]
        assert any(word in loser.lower() for word in ACCEPTABLE_REFUSAL), loser[-3000:]
        scored = run(score_args(slow_site.registry, db, out))
        assert scored.returncode == 0, scored.stderr[-3000:]
        assert output_sets(out) == slow_reference["outputs"]
    del out1, out2


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc to find the child crawls")
def test_killed_workers_parent_takes_its_children_along(slow_site: SlowSite, tmp_path: Path) -> None:
    """`crawl --workers 2` killed with SIGKILL: its child crawls die with it (no orphan keeps writing after the
    store lock is gone), and the same command then completes the run."""
    rows = [*slow_site.web.slow_registry_rows()]
    twin = {**slow_site.web.slow_twin_row(), "name": rows[0]["name"] + "（二）"}  # another host: another child
    registry = write_sites(tmp_path / "sites.csv", [*rows, twin])
    db = tmp_path / "store.sqlite"
    args = crawl_args(registry, db, "--workers", "2")
    before = slow_site.web.requests_under("/slow/")
    # no pipes: reading them to the end would wait for the children
    proc = subprocess.Popen(
        [sys.executable, *args],
        cwd=ROOT,
        env=child_env(**NO_RENDER),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for_hits(slow_site, before + 20)
        children = _children(proc.pid)
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    assert len(children) == 2, children
    deadline = time.monotonic() + 2  # the slowed site keeps an orphan busy for longer than this
    while any(_alive(child) for child in children) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(child) for child in children), "child crawls outlived their killed parent"
    assert _integrity(db) == "ok"

    again = run(args, **NO_RENDER)
    assert again.returncode == 0, again.stderr[-3000:]
    assert [r["status"] for r in query(db, "SELECT status FROM runs")] == ["finished"]
    done = {r["site_id"] for r in query(db, "SELECT site_id FROM run_sites WHERE status = 'done'")}
    assert done == {rows[0]["site_id"], "slow2"}


def test_workers_keep_the_sites_of_one_host_in_one_process(slow_site: SlowSite, tmp_path: Path) -> None:
    """`crawl --workers 3` over three sites, two of them on one host: two processes (two on one host would each
    open the per-host limit's connections to it), and every site crawled."""
    rows = [*slow_site.web.slow_registry_rows()]
    same_host = {**rows[0], "site_id": "slow3", "name": rows[0]["name"] + "（三）"}
    registry = write_sites(tmp_path / "sites.csv", [*rows, slow_site.web.slow_twin_row(), same_host])
    db = tmp_path / "store.sqlite"
    done = run(crawl_args(registry, db, "--workers", "3"), **NO_RENDER)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "3 个网站分给 2 个抓取进程" in done.stderr
    statuses = {r["site_id"]: r["status"] for r in query(db, "SELECT site_id, status FROM run_sites")}
    assert statuses == {"slow": "done", "slow2": "done", "slow3": "done"}
