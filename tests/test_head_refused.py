"""A host that refuses HEAD (405) is asked with GET at once for its later link checks: the same verdicts, one
request per link instead of two. Crawled for real on :class:`HeadRefusingWeb`."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from govsites.registry import write_sites
from tests.helpers import crawl_command, run
from tests.webs.unbuilt import AS_OF, HeadRefusingWeb


def test_a_host_that_refused_head_is_checked_with_get(tmp_path: Path) -> None:
    with HeadRefusingWeb() as web:
        registry = write_sites(tmp_path / "sites.csv", web.registry_rows())
        db = tmp_path / "store.sqlite"
        result = run(
            crawl_command(registry, db, "nohead", AS_OF, "--allow-private"),
            GOVSITES_RENDER_ENABLED="0",
            GOVSITES_STATS_DUMP="1",
        )
        base = web.url("site", "")
        hits = dict(web.hits)
    assert result.returncode == 0, result.stderr[-3000:]
    connection = sqlite3.connect(db)
    try:
        rows = connection.execute("SELECT url, status FROM link_checks WHERE url LIKE '%/images/%'")
        verdicts = {url.removeprefix(base): status for url, status in rows}
    finally:
        connection.close()
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
