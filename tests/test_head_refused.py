"""A host that refuses HEAD (405) is asked with GET at once for its later link checks: the same verdicts, one
request per link instead of two. Crawled for real on :class:`HeadRefusingWeb`."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import crawl_rows, query
from tests.webs.unbuilt import AS_OF, HeadRefusingWeb


def test_a_host_that_refused_head_is_checked_with_get(tmp_path: Path) -> None:
    with HeadRefusingWeb() as web:
        result, db = crawl_rows(web.registry_rows(), tmp_path, "nohead", AS_OF, GOVSITES_RENDER_ENABLED="0")
        base = web.url("site", "")
        hits = dict(web.hits)
    assert result.returncode == 0, result.stderr[-3000:]
    rows = query(db, "SELECT url, status FROM link_checks WHERE url LIKE '%/images/%'")
    verdicts = {row["url"].removeprefix(base): row["status"] for row in rows}
    numbers = range(1, HeadRefusingWeb.ARTICLES + 1)
    assert verdicts == {
        "/images/logo.gif": "200",
        **{f"/images/{n}.gif": "200" for n in numbers},
        **{f"/images/gone{n}.gif": "404" for n in numbers},
    }
    # the home page's image was asked HEAD first (and refused); the articles' ones, found later, were not
    assert hits[("HEAD", "/images/logo.gif")] == 1
    assert not [path for (method, path) in hits if method == "HEAD" and path != "/images/logo.gif"]
    assert all(hits[("GET", path)] == 1 for path in verdicts)
    assert f"'govsites/checks/head_skipped': {2 * HeadRefusingWeb.ARTICLES}" in result.stderr
