"""Consolidated sites (集约化, 子站): several registry sites on one host each get only their own pages.

A real crawl (``python -m govsites crawl``) of :class:`tests.webs.unbuilt.SharedHostWeb` into a real SQLite store:
the portal at ``/``, a department scoped by its home URL's folder, another by a registry ``scope`` of two
folders. The shared host is still one host for politeness (``GOVSITES_PER_HOST=1``: never two requests at once).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from govsites.registry import RegistryError, load_sites, write_sites
from govsites.scope import nested_scopes
from tests.helpers import crawl_command, run
from tests.webs.unbuilt import AS_OF, SharedHostWeb


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SharedHostWeb, sqlite3.Connection]]:
    tmp = tmp_path_factory.mktemp("consolidated")
    with SharedHostWeb() as web:
        registry = write_sites(tmp / "sites.csv", web.registry_rows())
        db = tmp / "store.sqlite"
        result = run(crawl_command(registry, db, "shared", AS_OF, "--allow-private", "-s", "GOVSITES_PER_HOST=1"))
    assert result.returncode == 0, result.stderr[-3000:]
    connection = sqlite3.connect(db)
    yield web, connection
    connection.close()


def pages_of(db: sqlite3.Connection, site_id: str) -> set[str]:
    rows = db.execute("SELECT url FROM pages WHERE site_id = ? AND status = '200'", (site_id,))
    return {url.split("/", 3)[3] for (url,) in rows}


def broken_of(db: sqlite3.Connection, site_id: str) -> set[str]:
    rows = db.execute("SELECT url FROM link_checks WHERE site_id = ? AND broken = 1", (site_id,))
    return {url.split("/", 3)[3] for (url,) in rows}


def test_each_site_crawls_only_its_own_folder(crawled: tuple[SharedHostWeb, sqlite3.Connection]) -> None:
    _web, db = crawled
    portal, fgj, jyj = pages_of(db, "portal"), pages_of(db, "fgj"), pages_of(db, "jyj")
    assert {"", "zwgk/", "zwgk/art1.html"} <= portal
    assert not any(p.startswith(("bm/", "ztzl/")) for p in portal)  # the subsites are not the portal's pages
    assert {"bm/fgj/index.html", "bm/fgj/tzgg/", "bm/fgj/tzgg/art2.html"} <= fgj
    assert all(p.startswith("bm/fgj/") for p in fgj)
    assert {"bm/jyj/", "bm/jyj/gzdt/", "ztzl/jyj/"} <= jyj  # its registry scope names the topic folder too
    assert all(p.startswith(("bm/jyj/", "ztzl/jyj/")) for p in jyj)


def test_each_site_gets_its_own_broken_links_and_columns(crawled: tuple[SharedHostWeb, sqlite3.Connection]) -> None:
    _web, db = crawled
    assert broken_of(db, "portal") == {"zwgk/missing.html"}
    assert broken_of(db, "fgj") == {"bm/fgj/gone.html"}
    assert broken_of(db, "jyj") == {"bm/jyj/gone.html", "ztzl/jyj/lost.html"}
    columns = {(s, u.split("/", 3)[3]) for s, u in db.execute("SELECT site_id, url FROM columns WHERE items > 0")}
    assert ("fgj", "bm/fgj/tzgg/") in columns
    assert ("jyj", "bm/jyj/gzdt/") in columns
    assert not any(site == "portal" and url.startswith("bm/") for site, url in columns)


def test_a_page_redirected_out_of_the_scope_is_not_the_sites(crawled: tuple[SharedHostWeb, sqlite3.Connection]) -> None:
    _web, db = crawled
    # fgj's old.html answers with a redirect to the portal's 政务公开: a working link of fgj, not a page of fgj
    rows = db.execute("SELECT url, final_url FROM pages WHERE site_id = 'fgj' AND url LIKE '%old.html'").fetchall()
    assert rows == []
    moved = db.execute("SELECT broken FROM link_checks WHERE site_id = 'fgj' AND url LIKE '%/bm/fgj/old.html'")
    assert [broken for (broken,) in moved] == [0]
    fgj_columns = [u for (u,) in db.execute("SELECT url FROM columns WHERE site_id = 'fgj'")]
    assert not any("/zwgk/" in u for u in fgj_columns)  # the portal's column is the portal's
    assert "zwgk/missing.html" not in broken_of(db, "fgj")


def test_links_out_of_scope_are_checked_not_crawled(crawled: tuple[SharedHostWeb, sqlite3.Connection]) -> None:
    _web, db = crawled
    # fgj's pages link to the portal and to the 教育局: checked as links (they answer), never fgj's pages
    checked = {
        url.split("/", 3)[3]: (status, broken)
        for url, status, broken in db.execute("SELECT url, status, broken FROM link_checks WHERE site_id = 'fgj'")
    }
    assert checked.get("bm/jyj/") == ("200", 0)
    assert checked.get("") == ("200", 0) or checked.get("zwgk/") == ("200", 0)


def test_the_shared_host_is_one_host_for_politeness(crawled: tuple[SharedHostWeb, sqlite3.Connection]) -> None:
    web, _db = crawled
    assert web.most_open == 1  # three sites, one host, GOVSITES_PER_HOST=1
    assert web.hits[("platform", "/bm/fgj/tzgg/art1.html")] == 1  # crawled once, by its own site only


def test_scope_rules_and_registry_errors(tmp_path: Path) -> None:
    scopes = nested_scopes(
        [
            ("portal", "http://www.x.gov.cn/", ()),
            ("fgj", "http://x.gov.cn/bm/fgj/index.html", ()),
            ("topic", "http://x.gov.cn/zt/", ("http://x.gov.cn/zt/a/", "http://x.gov.cn/zt/b/")),
        ]
    )
    assert not scopes["portal"].holds("http://x.gov.cn/bm/fgj/1.html")
    assert scopes["portal"].holds("http://x.gov.cn/bm/other/1.html")
    assert scopes["fgj"].holds("http://www.x.gov.cn/bm/fgj")  # www. and the folder's own URL
    assert not scopes["fgj"].holds("http://x.gov.cn/bm/fgjx/")
    assert scopes["fgj"].holds("https://x.gov.cn:443/bm/fgj/2.html")  # http and https of a host are one host
    assert scopes["fgj"].holds("http://fgj.x.gov.cn/2.html")  # a host the home page redirected to: all its own
    assert scopes["topic"].holds("http://x.gov.cn/zt/b/1.html")
    assert not scopes["topic"].holds("http://x.gov.cn/zt/c/")
    bad = tmp_path / "sites.csv"
    bad.write_text(
        "site_id,name,group,county,home_url,scope\na,甲,agency,市直,http://x.gov.cn/a/,http://x.gov.cn/a/|ftp://x\n",
        encoding="utf-8",
    )
    with pytest.raises(RegistryError) as error:
        load_sites(bad)
    assert error.value.line == 2
    assert error.value.field == "scope"
