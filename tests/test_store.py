"""The store: runs, site reruns, probes kept across reruns, migration of older stores, the lock."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from govsites.store import Store, StoreLock, resolve_run

SITE = {"site_id": "a", "name": "甲县人民政府", "group": "county", "county": "甲县", "home_url": "http://a.example/"}


def probe(source: str, at: str) -> dict[str, object]:
    return {"site_id": "a", "url": "http://a.example/", "probed_at": at, "ok": True, "status": "200",
            "elapsed_ms": 5, "source": source}


def test_rerun_replaces_site_rows_but_keeps_probe_rounds(tmp_path: Path) -> None:
    with Store(tmp_path / "s.sqlite") as store:
        run = store.begin_run("r", "2015-12-31")
        store.start_sites(run.id, [SITE])
        store.insert(run.id, "probes", [probe("crawl", "2015-12-01T00:00:00"), probe("probe", "2015-12-02T00:00:00")])
        store.insert(run.id, "pages", [{"site_id": "a", "url": "http://a.example/", "final_url": "http://a.example/",
                                        "status": "200", "kind": "home", "depth": 0, "rendered": False, "title": "t",
                                        "encoding": "utf-8", "fetched_at": "x"}])
        store.start_sites(run.id, [SITE])  # the site is crawled again
        assert store.query("SELECT source FROM probes") == [{"source": "probe"}]
        assert store.query("SELECT COUNT(*) AS n FROM pages") == [{"n": 0}]


def test_older_store_gains_new_columns(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE probes (run_id INTEGER, site_id TEXT NOT NULL, url TEXT NOT NULL,"
                " probed_at TEXT NOT NULL,"
                " ok INTEGER NOT NULL, status TEXT NOT NULL, elapsed_ms INTEGER NOT NULL)")
    con.execute("INSERT INTO probes VALUES (1, 'a', 'u', 't', 1, '200', 3)")
    con.commit()
    con.close()
    with Store(path) as store:
        assert store.query("SELECT source FROM probes") == [{"source": "crawl"}]


def test_resolve_run_subset_goes_to_latest_run(tmp_path: Path) -> None:
    with Store(tmp_path / "s.sqlite") as store:
        assert resolve_run(store, "", "2015-12-31", subset=True) == ("2015-12-31", "2015-12-31")
        store.begin_run("2015-06", "2015-06-30")
        assert resolve_run(store, "", "", subset=True) == ("2015-06", "2015-06-30")
        assert resolve_run(store, "2015-06", "2016-01-01", subset=False) == ("2015-06", "2015-06-30")


def test_store_lock_is_exclusive(tmp_path: Path) -> None:
    first, second = StoreLock(tmp_path / "s.sqlite"), StoreLock(tmp_path / "s.sqlite")
    assert first.acquire()
    assert not second.acquire()
    first.release()
    assert second.acquire()
    second.release()
