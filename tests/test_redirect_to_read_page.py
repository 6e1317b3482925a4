"""A redirect into a page of the site read already is not followed: the link gets the page's verdict, the page is
fetched once (:mod:`govsites.linkcheck.redirects`). Crawled for real on :class:`RedirectBackWeb`, where articles
link their own two-hop permalinks."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import crawl_rows, query
from tests.webs.unbuilt import AS_OF, RedirectBackWeb


def test_permalinks_to_pages_read_are_judged_without_fetching_them_again(tmp_path: Path) -> None:
    with RedirectBackWeb() as web:
        result, db = crawl_rows(web.registry_rows(), tmp_path, "perma", AS_OF, GOVSITES_RENDER_ENABLED="0")
        base = web.url("site", "")
        hits = dict(web.hits)
    assert result.returncode == 0, result.stderr[-3000:]
    rows = query(db, "SELECT url, status, broken, final_url FROM link_checks WHERE url LIKE '%/go/%'")
    checks = {r["url"].removeprefix(base): (r["status"], r["broken"], r["final_url"].removeprefix(base)) for r in rows}
    pages = [r["url"].removeprefix(base) for r in query(db, "SELECT url FROM pages")]
    # each article and the list fetched once, however many permalinks lead to them
    for path in ("/tzgg/art1.html", "/tzgg/art2.html", "/tzgg/art3.html", "/tzgg/"):
        assert hits[("GET", path)] == 1, (path, hits)
    assert checks == {
        "/go/2": ("200", 0, "/tzgg/art2.html"),
        "/go/3": ("200", 0, "/tzgg/art3.html"),
        "/go/8": ("200", 0, "/tzgg/"),
        "/go/9": ("404", 1, "/tzgg/gone.html"),  # a page not read: followed, and found gone
    }
    # a permalink to a page read is a link to it, not that page again; the one followed to a gone page is a page
    # that could not be read, as before
    assert [p for p in pages if p.startswith("/go/")] == ["/go/9"]
    assert "'govsites/redirects/to_page_read': 3" in result.stderr
