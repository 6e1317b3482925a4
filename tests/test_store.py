"""The store: runs, site reruns, probes kept across reruns, migration of older stores, the lock."""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from govsites.store import SCHEMA, TABLE_KEYS, Store, StoreLock, resolve_run
from tests.helpers import column_row as column

SITE = {"site_id": "a", "name": "甲县人民政府", "group": "county", "county": "甲县", "home_url": "http://a.example/"}


def probe(source: str, at: str) -> dict[str, object]:
    return {
        "site_id": "a",
        "url": "http://a.example/",
        "probed_at": at,
        "ok": True,
        "status": "200",
        "elapsed_ms": 5,
        "source": source,
    }


def test_rerun_replaces_site_rows_but_keeps_probe_rounds(tmp_path: Path) -> None:
    with Store(tmp_path / "s.sqlite") as store:
        run = store.begin_run("r", "2015-12-31")
        store.start_sites(run.id, [SITE])
        store.insert(run.id, "probes", [probe("crawl", "2015-12-01T00:00:00"), probe("probe", "2015-12-02T00:00:00")])
        store.insert(
            run.id,
            "pages",
            [
                {
                    "site_id": "a",
                    "url": "http://a.example/",
                    "final_url": "http://a.example/",
                    "status": "200",
                    "kind": "home",
                    "depth": 0,
                    "rendered": False,
                    "title": "t",
                    "encoding": "utf-8",
                    "fetched_at": "x",
                }
            ],
        )
        store.start_sites(run.id, [SITE])  # the site is crawled again
        assert store.query("SELECT source FROM probes") == [{"source": "probe"}]
        assert store.query("SELECT COUNT(*) AS n FROM pages") == [{"n": 0}]


def test_older_store_gains_new_columns(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    con = sqlite3.connect(path)
    con.execute(
        "CREATE TABLE probes (run_id INTEGER, site_id TEXT NOT NULL, url TEXT NOT NULL,"
        " probed_at TEXT NOT NULL,"
        " ok INTEGER NOT NULL, status TEXT NOT NULL, elapsed_ms INTEGER NOT NULL)"
    )
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


def page(url: str, title: str, rendered: bool = False) -> dict[str, object]:
    return {
        "site_id": "a",
        "url": url,
        "final_url": url,
        "status": "200",
        "kind": "other",
        "depth": 1,
        "rendered": rendered,
        "title": title,
        "encoding": "utf-8",
        "fetched_at": "x",
    }


def ref(url: str, anchor: str) -> dict[str, object]:
    return {"site_id": "a", "url": url, "source_url": "http://a.example/", "anchor": anchor, "tag": "a"}


def without_rowid(con: sqlite3.Connection) -> set[str]:
    return {
        name
        for name, sql in con.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'")
        if sql.rstrip().endswith("WITHOUT ROWID")
    }


def test_new_store_keeps_composite_key_tables_without_rowid(tmp_path: Path) -> None:
    """Each row of a keyed table is written once (the key's b-tree), not twice (rowid table and key index)."""
    path = tmp_path / "s.sqlite"
    Store(path).close()
    con = sqlite3.connect(path)
    assert without_rowid(con) == set(TABLE_KEYS)
    assert not con.execute("SELECT name FROM sqlite_master WHERE name LIKE 'sqlite_autoindex_link_refs%'").fetchall()
    with pytest.raises(sqlite3.OperationalError):
        con.execute("SELECT rowid FROM link_refs")
    con.close()


def test_insert_replaces_rows_with_the_same_key(tmp_path: Path) -> None:
    with Store(tmp_path / "s.sqlite") as store:
        run = store.begin_run("r", "2015-12-31")
        store.start_sites(run.id, [SITE])
        pages = [page("http://a.example/1", "one"), page("http://a.example/2", "two")]
        assert store.insert(run.id, "pages", pages) == 2
        store.insert(
            run.id,
            "pages",
            [page("http://a.example/1", "again", rendered=True), page("http://a.example/1", "last", rendered=True)],
        )
        assert store.query("SELECT url, title, rendered, elapsed_ms FROM pages ORDER BY url") == [
            {"url": "http://a.example/1", "title": "last", "rendered": 1, "elapsed_ms": 0},
            {"url": "http://a.example/2", "title": "two", "rendered": 0, "elapsed_ms": 0},
        ]
        assert store.query("SELECT typeof(rendered) AS t FROM pages GROUP BY 1") == [{"t": "integer"}]
        refs = [ref("http://x/", "x"), ref("http://x/", "x"), ref("http://y/", "y")]
        assert store.insert(run.id, "link_refs", refs) == 3
        assert store.query("SELECT COUNT(*) AS n FROM link_refs WHERE run_id = ?", (run.id,)) == [{"n": 2}]
        with pytest.raises(KeyError):
            store.insert(run.id, "pages", [{"site_id": "a", "url": "u"}])  # a required column is missing


def test_insert_values_writes_several_tables_in_one_transaction(tmp_path: Path) -> None:
    with Store(tmp_path / "s.sqlite") as store:
        run = store.begin_run("r", "2015-12-31")
        refs = [("a", "http://x/", "http://a.example/", "x", "a")]
        bad = [("a", "http://a.example/", "only two values")]
        with pytest.raises(sqlite3.ProgrammingError):
            store.insert_values(run.id, {"link_refs": refs, "pages": bad})
        assert store.query("SELECT COUNT(*) AS n FROM link_refs") == [{"n": 0}]  # rolled back together
        assert store.insert_values(run.id, {"link_refs": refs, "typos": []}) == 1
        assert store.insert_values(run.id, {}) == 0
        with pytest.raises(KeyError):
            store.insert_values(run.id, {"nope": refs})


def old_schema() -> str:
    """The schema as the first releases created it: rowid tables, without the columns added since."""
    return (
        SCHEMA.replace(" WITHOUT ROWID", "")
        .replace(",\n    elapsed_ms INTEGER NOT NULL DEFAULT 0,\n    PRIMARY KEY", ",\n    PRIMARY KEY")
        .replace(",\n    source TEXT NOT NULL DEFAULT 'crawl'\n", "\n")
        .replace(",\n    render_error TEXT NOT NULL DEFAULT '',\n    render_detail TEXT NOT NULL DEFAULT '',", ",")
    )


def test_store_of_the_previous_layout_opens_migrates_and_takes_rows(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    schema = old_schema()
    assert "WITHOUT ROWID" not in schema
    assert "elapsed_ms INTEGER NOT NULL DEFAULT" not in schema
    assert "source TEXT NOT NULL DEFAULT" not in schema
    assert "render_error" not in schema
    con = sqlite3.connect(path)
    con.executescript(schema)
    con.execute("INSERT INTO runs (label, as_of, started_at) VALUES ('old', '2015-06-30', 't')")
    con.execute("INSERT INTO link_refs VALUES (1, 'a', 'http://x/', 'http://a.example/', 'x', 'a')")
    con.execute(
        "INSERT INTO pages VALUES (1, 'a', 'http://a.example/', 'http://a.example/', '200', 'home', 0, 0,"
        " 't', 'utf-8', 'x')"
    )
    con.commit()
    con.close()
    with Store(path) as store:
        run = store.get_run("old")
        assert run is not None
        assert store.query("SELECT elapsed_ms FROM pages") == [{"elapsed_ms": 0}]  # migrated
        store.insert(run.id, "link_refs", [ref("http://x/", "x"), ref("http://y/", "y")])
        store.insert(run.id, "pages", [page("http://a.example/", "home", rendered=True)])
        store.insert(run.id, "probes", [probe("crawl", "2015-12-01T00:00:00")])
        assert store.query("SELECT url FROM link_refs ORDER BY url") == [{"url": "http://x/"}, {"url": "http://y/"}]
        assert store.query("SELECT title, rendered FROM pages") == [{"title": "home", "rendered": 1}]
        assert store.query("SELECT source FROM probes") == [{"source": "crawl"}]
        store.insert(run.id, "columns", [column("http://a.example/tzgg/", "ok")])  # a writer of before
        store.insert(
            run.id,
            "columns",
            [column("http://a.example/zcwj/", "unrendered", render_error="deadline", render_detail="超时")],
        )
        assert store.query("SELECT url, status, render_error, render_detail FROM columns ORDER BY url") == [
            {"url": "http://a.example/tzgg/", "status": "ok", "render_error": "", "render_detail": ""},
            {
                "url": "http://a.example/zcwj/",
                "status": "unrendered",
                "render_error": "deadline",
                "render_detail": "超时",
            },
        ]
        store.start_sites(run.id, [SITE])  # a rerun of the site clears its rows
        assert store.query("SELECT COUNT(*) AS n FROM link_refs") == [{"n": 0}]
    con = sqlite3.connect(path)
    assert without_rowid(con) == set()  # an existing store keeps its layout
    con.close()


def _open_and_join(path: str, barrier: Any, results: Any) -> None:
    try:
        barrier.wait()
        with Store(path) as store:
            run = store.begin_run("shared", "2015-12-31")
            store.start_sites(
                run.id,
                [
                    {
                        "site_id": f"s{os.getpid()}",
                        "name": "局",
                        "group": "agency",
                        "county": "市直",
                        "home_url": "http://127.0.0.1:1/",
                    }
                ],
            )
        results.put("ok")
    except Exception as exc:  # reported to the parent process
        results.put(repr(exc))


def test_processes_opening_a_new_store_at_once(tmp_path: Path) -> None:
    """`crawl --workers N`: the children open one new store and join one run at the same moment. SQLite may
    answer "database is locked" without waiting while a new file switches to WAL; the store retries, and the run
    is created once."""
    context = multiprocessing.get_context("spawn")
    for attempt in range(6):
        path = str(tmp_path / f"store-{attempt}.sqlite")
        barrier, results = context.Barrier(3), context.Queue()
        children = [context.Process(target=_open_and_join, args=(path, barrier, results)) for _ in range(3)]
        for child in children:
            child.start()
        outcomes = [results.get(timeout=60) for _ in children]
        for child in children:
            child.join(timeout=60)
        assert outcomes == ["ok"] * 3, outcomes
        with Store(path) as store:
            assert [r["label"] for r in store.query("SELECT label FROM runs")] == ["shared"]
            assert len(store.run_sites(store.get_run("shared").id)) == 3  # type: ignore[union-attr]
