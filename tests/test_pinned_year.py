"""A pinned (置顶) item whose list date lacks its year is dated by its article when it would be the column's
newest (`govsites.extract.entries.ListPage.unsure_pinned`): last year's pinned notice no longer hides a stale column,
and this year's pinned notice still counts. Crawled for real on :class:`PinnedYearWeb`."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import crawl_rows, query, read_csv, run, score_command
from tests.webs.unbuilt import AS_OF, PinnedYearWeb


def test_a_pinned_items_guessed_year_is_read_from_its_article(tmp_path: Path) -> None:
    with PinnedYearWeb() as web:
        result, db = crawl_rows(web.registry_rows(), tmp_path, "pinned", AS_OF, GOVSITES_RENDER_ENABLED="0")
        scored = run(score_command(tmp_path / "sites.csv", db, tmp_path / "out", "pinned"))
        base = web.url("site", "")
        hits = dict(web.hits)
    assert result.returncode == 0, result.stderr[-3000:]
    rows = query(db, "SELECT url, newest_date, date_source, status, items FROM columns")
    columns = {r["url"].removeprefix(base): (r["newest_date"], r["date_source"], r["status"], r["items"]) for r in rows}
    assert columns == {
        # [11-28] read as 2026-11-28 would have made it fresh; its article says 2025: the list's own newest stands
        "/tzgg/": ("2026-09-26", "list", "ok", 4),
        # a notice of this year, pinned: its article confirms it
        "/gzdt/": ("2026-11-27", "article", "ok", 4),
        # [03-01] is older than the items below it whatever its year: not asked
        "/zcjd/": ("2026-09-26", "list", "ok", 4),
        # its article gives no date: the list's date stands, its year a guess (counted and logged)
        "/tjsj/": ("2026-11-29", "list", "ok", 4),
    }
    assert "'govsites/columns/pinned_year_asked': 3" in result.stderr
    assert "'govsites/columns/pinned_year_guessed': 1" in result.stderr
    assert "置顶信息的日期未写年份，其文章也未给出日期" in result.stderr
    # every article is downloaded once: 政策解读's pinned item is read as a page only; the others asked for their
    # dates are also the site's pages, and the second request gets the first's answer (govsites.sharedanswers)
    assert {path: n for (method, path), n in hits.items() if path.endswith("/art0.html")} == {
        "/tzgg/art0.html": 1,
        "/gzdt/art0.html": 1,
        "/zcjd/art0.html": 1,
        "/tjsj/art0.html": 1,
        "/tpxw/art0.html": 1,
    }
    assert "'govsites/shared/" in result.stderr
    # the list's rows carry the article's dates; the home page's copy of the pinned item takes it too, so the home
    # page's newest item is 2026-09-26 (its window of two weeks missed), not the guessed 2026-11-28
    items = query(db, "SELECT column_url, url, date, date_source FROM list_items WHERE url LIKE '%/art0.html'")
    rows = {
        (r["column_url"].removeprefix(base), r["url"].removeprefix(base)): (r["date"], r["date_source"]) for r in items
    }
    assert rows[("/tzgg/", "/tzgg/art0.html")] == ("2025-11-28", "article")
    assert rows[("/gzdt/", "/gzdt/art0.html")] == ("2026-11-27", "article")
    assert rows[("/tjsj/", "/tjsj/art0.html")] == ("2026-11-29", "list")
    # the home page's newest items rested on guessed years: their articles were opened, newest first, until one
    # confirmed its date (图片新闻's [11-30] is last year's; 通知公告's pinned [11-28] too; its [09-26] stands)
    home = query(db, "SELECT url, date, date_source FROM list_items WHERE column_url = ?", (base + "/",))
    assert {r["url"].removeprefix(base): (r["date"], r["date_source"]) for r in home} == {
        "/tzgg/art0.html": ("2025-11-28", "article"),
        "/tzgg/art1.html": ("2026-09-26", "list"),
        "/tpxw/art0.html": ("2025-11-30", "article"),
        "/tpxw/art1.html": ("2026-09-20", "list"),
    }
    assert "'govsites/home/year_asked': 1" in result.stderr
    assert scored.returncode == 0, scored.stderr[-3000:]
    (metrics,) = read_csv(tmp_path / "out" / "metrics.csv")
    assert (metrics["home_newest"], metrics["home_update_source"], metrics["home_updated"]) == (
        "2026-09-26",
        "首页",
        "false",
    )
