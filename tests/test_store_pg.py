"""The store's API on PostgreSQL: runs, start_sites, insert/replace, finish, probes kept across reruns, lock.

A throwaway PostgreSQL cluster is started on loopback (bench/localservers.py); skipped when the server
binaries are not installed.
"""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest

from bench.localservers import missing_reason, postgres_server
from govsites.store import Store, StoreLock, resolve_run
from tests.helpers import column_row as column

pytestmark = pytest.mark.skipif(bool(missing_reason(redis=False)), reason=missing_reason(redis=False) or "ok")

SITE = {"site_id": "a", "name": "甲县人民政府", "group": "county", "county": "甲县", "home_url": "http://a.example/"}
SITE_B = {**SITE, "site_id": "b", "home_url": "http://b.example/"}


def page(url: str, title: str, site: str = "a") -> dict[str, object]:
    return {
        "site_id": site,
        "url": url,
        "final_url": url,
        "status": "200",
        "kind": "other",
        "depth": 1,
        "rendered": False,
        "title": title,
        "encoding": "utf-8",
        "fetched_at": "x",
    }


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


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    with postgres_server() as url:
        yield url


@pytest.fixture
def store(pg_url: str) -> Iterator[Store]:
    with Store(pg_url) as s:
        for table in (
            "runs",
            "run_sites",
            "pages",
            "columns",
            "list_items",
            "link_refs",
            "link_checks",
            "typos",
            "probes",
            "letters",
            "guides",
        ):
            s.conn.execute(f"TRUNCATE {table}")
        yield s


def test_runs_and_sites_lifecycle(store: Store) -> None:
    run = store.begin_run("r1", "2015-12-31")
    assert (run.label, run.as_of, run.status) == ("r1", "2015-12-31", "running")
    assert store.begin_run("r1", "2016-01-01").id == run.id  # reopened, keeps its AS_OF
    store.start_sites(run.id, [SITE, SITE_B])
    assert [(r["site_id"], r["status"], r["grp"]) for r in store.run_sites(run.id)] == [
        ("a", "running", "county"),
        ("b", "running", "county"),
    ]
    store.finish_site(run.id, "a", "done", 7)
    store.finish_run(run.id)
    assert store.get_run("r1").status == "running"  # type: ignore[union-attr]
    store.finish_site(run.id, "b", "done", 3)
    store.finish_run(run.id)
    finished = store.get_run("r1")
    assert finished is not None
    assert finished.status == "finished"
    assert finished.finished_at
    assert {r["site_id"]: r["pages"] for r in store.run_sites(run.id)} == {"a": 7, "b": 3}
    second = store.begin_run("r2", "2016-06-30")
    assert second.id != run.id
    assert [r.label for r in store.runs()] == ["r1", "r2"]
    assert store.latest_run().label == "r2"  # type: ignore[union-attr]
    assert resolve_run(store, "", "", subset=True) == ("r2", "2016-06-30")


def test_insert_replaces_rows_with_the_same_key(store: Store) -> None:
    run = store.begin_run("r", "2015-12-31")
    store.start_sites(run.id, [SITE])
    assert store.insert(run.id, "pages", [page("http://a.example/1", "one"), page("http://a.example/2", "two")]) == 2
    store.insert(run.id, "pages", [page("http://a.example/1", "one again"), page("http://a.example/1", "last")])
    rows = store.query("SELECT url, title, rendered FROM pages WHERE run_id = ? ORDER BY url", (run.id,))
    assert rows == [
        {"url": "http://a.example/1", "title": "last", "rendered": 0},
        {"url": "http://a.example/2", "title": "two", "rendered": 0},
    ]
    store.insert(
        run.id,
        "typos",
        [{"site_id": "a", "url": "u", "wrong": "w", "right": "r", "context": "c", "severity": "serious", "kind": "k"}],
    )
    store.insert(
        run.id,
        "letters",
        [
            {
                "site_id": "a",
                "column_url": "c",
                "column": "信箱",
                "url": "u",
                "title": "t",
                "submitted_date": "",
                "status": "",
                "answered": "",
                "reply_date": "",
                "excluded": True,
            }
        ],
    )
    assert store.query('SELECT "right", "column", excluded FROM typos, letters') == [
        {"right": "r", "column": "信箱", "excluded": 1}
    ]


def test_insert_values_writes_several_tables_in_one_transaction(store: Store) -> None:
    run = store.begin_run("r", "2015-12-31")
    home = "http://a.example/"
    refs = [("a", f"{home}2", home, "二", "a"), ("a", f"{home}1", home, "一", "a"), ("a", f"{home}1", home, "一", "a")]
    checks = [("a", f"{home}1", "404", "Not Found", True, "", "t"), ("a", f"{home}1", "200", "", False, "", "t")]
    assert store.insert_values(run.id, {"link_refs": refs, "link_checks": checks}) == 5
    assert store.query("SELECT url FROM link_refs ORDER BY url") == [{"url": f"{home}1"}, {"url": f"{home}2"}]
    assert store.query("SELECT status, broken FROM link_checks") == [{"status": "200", "broken": 0}]  # the last wins
    # A bad row of one table: no row of any table is written.
    with pytest.raises(psycopg.ProgrammingError, match="placeholders"):
        store.insert_values(run.id, {"link_refs": [("a", f"{home}3", home, "三", "a")], "pages": [("a", home)]})
    assert store.query("SELECT COUNT(*) AS n FROM link_refs") == [{"n": 2}]


def test_schema_has_no_sqlite_only_syntax(store: Store) -> None:
    """``WITHOUT ROWID`` (SQLite) is stripped: every keyed table exists with its primary key."""
    rows = store.query(
        "SELECT table_name FROM information_schema.table_constraints"
        " WHERE constraint_type = 'PRIMARY KEY' AND table_schema = current_schema()"
    )
    assert {"pages", "link_refs", "list_items", "typos", "run_sites"} <= {r["table_name"] for r in rows}


def test_rerun_replaces_site_rows_but_keeps_probe_rounds(store: Store) -> None:
    run = store.begin_run("r", "2015-12-31")
    store.start_sites(run.id, [SITE, SITE_B])
    store.insert(
        run.id,
        "probes",
        [
            probe("crawl", "2015-12-01T00:00:00"),
            probe("probe", "2015-12-02T00:00:00"),
            probe("probe", "2015-12-02T00:00:00"),
        ],
    )
    store.insert(run.id, "pages", [page("http://a.example/", "t"), page("http://b.example/", "t", site="b")])
    store.finish_site(run.id, "a", "done", 1)
    store.start_sites(run.id, [SITE])  # site a is crawled again
    assert store.query("SELECT source FROM probes") == [{"source": "probe"}, {"source": "probe"}]
    assert store.query("SELECT site_id FROM pages") == [{"site_id": "b"}]
    assert {r["site_id"]: r["status"] for r in store.run_sites(run.id)} == {"a": "running", "b": "running"}


def test_a_store_of_the_previous_version_gains_the_render_columns(store: Store) -> None:
    """A store created before ``columns.render_error``/``render_detail`` (why a list could not be rendered): opened
    again, it gains them (empty for its rows), and takes rows with and without them."""
    run = store.begin_run("r", "2015-12-31")
    store.start_sites(run.id, [SITE])
    for name in ("render_error", "render_detail"):
        store.conn.execute(f"ALTER TABLE columns DROP COLUMN {name}")
    store.conn.execute(
        "INSERT INTO columns (run_id, site_id, url, name, category, newest_date, items, status, date_source,"
        " found_by, rendered, on_home) VALUES (%s, 'a', 'http://a.example/old/', '旧栏目', 'news', '', 0, 'blank',"
        " '', 'nav', 0, 1)",
        (run.id,),
    )
    with Store(store.url) as again:
        again.insert(run.id, "columns", [column("http://a.example/tzgg/", "ok")])
        again.insert(
            run.id,
            "columns",
            [column("http://a.example/zcwj/", "unrendered", render_error="deadline", render_detail="超时")],
        )
        rows = again.query("SELECT url, status, render_error, render_detail FROM columns ORDER BY url")
    assert rows == [
        {"url": "http://a.example/old/", "status": "blank", "render_error": "", "render_detail": ""},
        {"url": "http://a.example/tzgg/", "status": "ok", "render_error": "", "render_detail": ""},
        {"url": "http://a.example/zcwj/", "status": "unrendered", "render_error": "deadline", "render_detail": "超时"},
    ]


def test_store_lock_is_an_advisory_lock(pg_url: str) -> None:
    first, second = StoreLock(pg_url), StoreLock(pg_url)
    assert first.acquire()
    assert not second.acquire()
    assert first.holder().isdigit()
    first.release()
    assert second.acquire()
    second.release()


def test_scoring_reads_the_postgresql_store(store: Store, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from scoring.load import load_run

    run = store.begin_run("s", "2015-12-31")
    store.start_sites(run.id, [SITE])
    store.insert(run.id, "pages", [page("http://a.example/", "home")])
    store.finish_site(run.id, "a", "done", 1)
    store.finish_run(run.id)
    registry = tmp_path / "sites.csv"
    registry.write_text(
        "site_id,name,group,county,home_url\na,甲县人民政府,county,甲县,http://a.example/\n", encoding="utf-8"
    )
    data = load_run(store.url, registry, "s")
    assert data.run.label == "s"
    assert list(data["pages"]["title"]) == ["home"]
    assert list(data.sites["crawl_status"]) == ["done"]
