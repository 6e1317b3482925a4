"""End to end: the bundled demo web on loopback → crawl (real Chromium for the JS site) → store → scoring.

The crawl and the scoring run as subprocesses, the way ``make crawl score`` runs them; the outputs are
compared with the demo web's own expected results (``govsites/demo/expected.json``).
"""

from __future__ import annotations

import csv
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from govsites.demo import AS_OF, DemoWeb
from govsites.demo.expected import load_expected
from tests.helpers import ROOT, crawl_command, needs_chromium, read_csv, run, score_command

EXPECTED = load_expected()
METRIC_FIELDS = (
    "home_available",
    "columns_total",
    "blank_columns",
    "stale_columns",
    "broken_links",
    "broken_links_home",
    "serious_typos",
)
pytestmark = needs_chromium


def crawl(registry: Path, db: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return run(crawl_command(registry, db, "e2e", AS_OF.isoformat(), "--allow-private", *extra))


def score(registry: Path, db: Path, out: Path) -> subprocess.CompletedProcess[str]:
    return run(score_command(registry, db, out, "e2e"))


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    tmp = tmp_path_factory.mktemp("e2e")
    with DemoWeb(port=0) as web:
        registry = web.write_registry(tmp / "sites.csv")
        db, out = tmp / "store.sqlite", tmp / "output"
        crawled = crawl(registry, db)
        assert crawled.returncode == 0, crawled.stderr[-3000:]
        scored = score(registry, db, out)
        assert scored.returncode == 0, scored.stderr[-3000:]
        yield {"web": web, "registry": registry, "db": db, "out": out, "crawl_log": crawled.stderr}


def by_site(rows: list[dict[str, str]]) -> dict[str, list[dict[str, str]]]:
    grouped: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        grouped.setdefault(row["site_id"], []).append(row)
    return grouped


def test_outputs_exist_with_contract_columns(demo) -> None:  # type: ignore[no-untyped-def]
    out = demo["out"]
    contract = {
        "metrics.csv": [
            "site_id",
            "name",
            "group",
            "county",
            "home_available",
            "home_probes",
            "home_failures",
            "columns_total",
            "blank_columns",
            "stale_columns",
            "broken_links",
            "broken_links_home",
            "serious_typos",
            "score",
            "verdict",
            "veto_reasons",
        ],
        "columns.csv": ["site_id", "column", "url", "category", "newest_date", "items", "status"],
        "links.csv": ["site_id", "url", "source_url", "anchor", "status", "reason", "broken"],
        "typos.csv": ["site_id", "url", "wrong", "right", "context", "severity"],
    }
    for name, columns in contract.items():
        with (out / name).open(encoding="utf-8") as f:
            header = next(csv.reader(f))
        assert header[: len(columns)] == columns, name
    assert (out / "scores.xlsx").stat().st_size > 0


def test_metrics_match_expected(demo) -> None:  # type: ignore[no-untyped-def]
    metrics = {row["site_id"]: row for row in read_csv(demo["out"] / "metrics.csv")}
    assert set(metrics) == set(EXPECTED["sites"])
    for site_id, expected in EXPECTED["sites"].items():
        row = metrics[site_id]
        for name in METRIC_FIELDS:
            want = expected[name]
            want_text = ("true" if want else "false") if isinstance(want, bool) else str(want)
            assert row[name] == want_text, f"{site_id}.{name}: {row[name]} != {want_text}"
        assert (row["verdict"] == "不合格") == expected["vetoed"], site_id
        assert row["home_probes"] == "3"


def test_columns_match_expected(demo) -> None:  # type: ignore[no-untyped-def]
    columns = by_site(read_csv(demo["out"] / "columns.csv"))
    for site_id, expected in EXPECTED["sites"].items():
        found = {urlsplit(c["url"]).path: c for c in columns.get(site_id, [])}
        want = {c["path"]: c for c in expected["columns"]}
        assert set(found) == set(want), f"{site_id}: columns differ"
        for path, col in want.items():
            got = found[path]
            assert (got["status"], got["newest_date"], got["category"], int(got["items"])) == (
                col["status"],
                col["newest_date"],
                col["category"],
                col["items"],
            ), f"{site_id} {path}"


def test_broken_links_and_typos_match_expected(demo) -> None:  # type: ignore[no-untyped-def]
    links = by_site(read_csv(demo["out"] / "links.csv"))
    typos = by_site(read_csv(demo["out"] / "typos.csv"))
    hosts = {row["site_id"]: urlsplit(row["home_url"]).netloc for row in read_csv(demo["registry"])}
    for site_id, expected in EXPECTED["sites"].items():
        broken = {row["url"] for row in links.get(site_id, []) if row["broken"] == "true"}
        want = {
            b.replace("{host}", hosts[site_id]) if "://" in b else f"http://{hosts[site_id]}{b}"
            for b in expected["broken"]
        }
        assert {_norm(u) for u in broken} == {_norm(u) for u in want}, site_id
        found = {(t["wrong"], t["right"]) for t in typos.get(site_id, []) if t["severity"] == "serious"}
        assert found == {(t["wrong"], t["right"]) for t in expected["typos"]}, site_id


def _norm(url: str) -> str:
    from govsites.extract.links import normalize_url

    return normalize_url(url)


def test_every_link_occurrence_has_a_source_and_a_verdict(demo) -> None:  # type: ignore[no-untyped-def]
    rows = read_csv(demo["out"] / "links.csv")
    assert rows
    assert all(r["source_url"].startswith("http") and r["url"].startswith("http") for r in rows)
    assert all(r["broken"] in ("true", "false") for r in rows)
    assert not [r for r in rows if r["status"] == "unchecked"]
    con = sqlite3.connect(demo["db"])
    # each distinct URL checked once per site and run
    dupes = con.execute(
        "SELECT COUNT(*) FROM (SELECT site_id, url FROM link_checks GROUP BY run_id, site_id, url HAVING COUNT(*) > 1)"
    ).fetchone()[0]
    assert dupes == 0


def test_js_site_was_rendered_with_chromium(demo) -> None:  # type: ignore[no-untyped-def]
    con = sqlite3.connect(demo["db"])
    rendered = con.execute("SELECT COUNT(*) FROM columns WHERE site_id = 'gtj' AND rendered = 1").fetchone()[0]
    assert rendered >= 1
    others = con.execute("SELECT COUNT(*) FROM pages WHERE site_id != 'gtj' AND rendered = 1").fetchone()[0]
    assert others == 0, "plain-HTML sites must not go through the browser"


def test_workbook_has_group_ranking_and_tables(demo) -> None:  # type: ignore[no-untyped-def]
    from openpyxl import load_workbook

    wb = load_workbook(demo["out"] / "scores.xlsx")
    assert {"总览", "分组排名", "指标明细", "栏目明细", "链接明细", "错别字明细"} <= set(wb.sheetnames)
    ranking = wb["分组排名"]
    assert ranking.freeze_panes is not None
    names = {str(c.value) for row in ranking.iter_rows() for c in row if c.value}
    assert "旬阳县人民政府" in names


def test_scrapy_list_shows_one_spider_per_site(demo) -> None:  # type: ignore[no-untyped-def]
    scrapy = Path(sys.executable).with_name("scrapy")
    result = subprocess.run(
        [str(scrapy), "list"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "GOVSITES_SITES": str(demo["registry"])},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == sorted(EXPECTED["sites"]) or sorted(result.stdout.split()) == sorted(
        EXPECTED["sites"]
    )


def test_one_county_rerun_replaces_only_that_county(demo) -> None:  # type: ignore[no-untyped-def]
    db = demo["db"]
    con = sqlite3.connect(db)
    tables = ("pages", "columns", "link_checks", "link_refs", "list_items", "typos")

    def counts() -> dict[tuple[str, str], int]:
        result = {}
        for table in tables:
            for site_id, n in con.execute(f"SELECT site_id, COUNT(*) FROM {table} GROUP BY site_id"):
                result[table, site_id] = n
        return result

    before = counts()
    rerun = crawl(demo["registry"], db, "--county", "宁陕县")
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    after = counts()
    assert after == before  # same rows for 宁陕县 (replaced, not duplicated), others untouched
    sites = dict(con.execute("SELECT site_id, status FROM run_sites"))
    assert set(sites.values()) == {"done"}
    assert con.execute("SELECT COUNT(*) FROM runs").fetchone()[0] == 1
    assert con.execute("SELECT status FROM runs").fetchone()[0] == "finished"
    rescored = score(demo["registry"], db, demo["out"])
    assert rescored.returncode == 0, rescored.stderr[-2000:]


def test_malformed_registry_stops_before_crawling(tmp_path: Path) -> None:
    registry = tmp_path / "sites.csv"
    registry.write_text(
        "site_id,name,group,county,home_url\n"
        "xunyang,旬阳县人民政府,county,旬阳县,http://127.0.0.11:8341/\n"
        "bad,某局,city,市直,http://127.0.0.12:8341/\n",
        encoding="utf-8",
    )
    db = tmp_path / "store.sqlite"
    result = run(["-m", "govsites", "crawl", "--sites", str(registry), "--db", str(db)])
    assert result.returncode == 2
    assert f"{registry}:3" in result.stderr
    assert "group" in result.stderr
    assert not db.exists()


def test_letters_guides_and_key_areas_match_expected(demo) -> None:  # type: ignore[no-untyped-def]
    out = demo["out"]
    letters = by_site(read_csv(out / "interaction.csv"))
    guides = by_site(read_csv(out / "services.csv"))
    areas = {(r["site_id"], r["label"]): r["status"] for r in read_csv(out / "key_areas.csv")}
    metrics = {row["site_id"]: row for row in read_csv(out / "metrics.csv")}
    for site_id, expected in EXPECTED["sites"].items():
        got = {
            (urlsplit(r["url"]).path, r["submitted_date"], r["answered"], r["reply_date"])
            for r in letters.get(site_id, [])
        }
        want = {
            (le["path"], le["submitted_date"], "true" if le["answered"] else "false", le["reply_date"] or "")
            for le in expected.get("letters", [])
        }
        assert got == want, f"{site_id}: letters differ"
        got_guides = {(urlsplit(r["url"]).path, r["missing"]) for r in guides.get(site_id, [])}
        want_guides = {(g["path"], "|".join(g["missing"])) for g in expected.get("guides", [])}
        assert got_guides == want_guides, f"{site_id}: guides differ"
        for area, status in expected.get("key_areas", {}).items():
            assert areas[site_id, area] == status, f"{site_id} {area}"
        for name in ("letters_12m", "answered_12m", "unanswered_90d"):
            assert metrics[site_id][name] == str(expected[name]), f"{site_id}.{name}"
        vetoed_for_letters = "互动回应差" in metrics[site_id]["veto_reasons"]
        assert vetoed_for_letters == ("interaction" in expected["veto"]), site_id


def test_two_worker_processes_give_the_same_results(demo, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """`crawl --workers 2`: two processes share the sites and the store; the outputs equal one process's."""
    db, out = tmp_path / "workers.sqlite", tmp_path / "output"
    crawled = crawl(demo["registry"], db, "--workers", "2")
    assert crawled.returncode == 0, crawled.stderr[-3000:]
    assert "分给 2 个抓取进程" in crawled.stderr
    scored = score(demo["registry"], db, out)
    assert scored.returncode == 0, scored.stderr[-2000:]
    keep = (
        "site_id",
        "url",
        "status",
        "newest_date",
        "items",
        "wrong",
        "right",
        "score",
        "verdict",
        "veto_reasons",
        "broken_links",
        "blank_columns",
        "stale_columns",
    )

    def rows(path: Path) -> set[tuple[str, ...]]:
        return {tuple(r.get(k, "") for k in keep) for r in read_csv(path)}

    for name in ("metrics.csv", "columns.csv", "typos.csv", "links.csv"):
        assert rows(out / name) == rows(demo["out"] / name), name
    con = sqlite3.connect(db)
    assert con.execute("SELECT status FROM runs").fetchone()[0] == "finished"
    assert {s for (s,) in con.execute("SELECT status FROM run_sites")} == {"done"}


def test_console_speaks_to_the_analyst(demo) -> None:  # type: ignore[no-untyped-def]
    """At INFO the crawl's console carries govsites' own Chinese lines, not Scrapy's English start-up inventory,
    and Scrapy's remote-control server (it runs code sent over HTTP) is not started."""
    log = demo["crawl_log"]
    assert "运行 e2e（评估基准日" in log
    for english in (
        "[scrapy.core.engine] INFO",
        "Overridden settings",
        "Enabled downloader middlewares",
        "found no scrapy.spidermiddlewares.referer.RefererMiddleware",
        "Remote control",
    ):
        assert english not in log, english
