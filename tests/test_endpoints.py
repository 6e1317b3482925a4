"""Data endpoints of script-filled lists (govsites.extract.endpoints), and a real crawl that reads them.

The crawl (``python -m govsites crawl`` into a real SQLite store, Debian's Chromium through scrapy-playwright) runs
over :class:`tests.webs.unbuilt.EndpointWeb`: one host names its endpoint literally in each column's script, the
other builds it from the page's own address; the web counts who asked its endpoints (the browser or a plain
request), so the test sees how many lists the browser rendered.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from govsites.extract.endpoints import EndpointRule, endpoints_for, json_entries, learn, script_literals
from govsites.registry import write_sites
from tests.helpers import NO_RENDER_REUSE, crawl_command, run
from tests.webs.unbuilt import AS_OF, EndpointWeb

HOST = "http://www.example.gov.cn"


def test_a_literal_in_the_script_with_what_the_script_adds() -> None:
    scripts = ["var url = '/api/list?col=tzgg'; fetch(url + '&page=1')"]
    fetched = [f"{HOST}/api/list?col=tzgg&page=1&_=1733300000000"]
    rules = learn(f"{HOST}/tzgg/", scripts, fetched)
    assert rules == [EndpointRule("script", path=f"{HOST}/api/list", keys=("col",), extra=(("page", "1"),), own=True)]
    other = ["var url = '/api/list?col=gzdt'; fetch(url + '&page=1')"]
    assert [e.url for _, e in endpoints_for(rules, f"{HOST}/gzdt/", other)] == [f"{HOST}/api/list?col=gzdt&page=1"]


def test_an_endpoint_built_from_the_page_address() -> None:
    scripts = ["var col = location.pathname.split('/')[2]; fetch('/data/list?channel=' + col + '&size=20')"]
    rules = learn(f"{HOST}/xxgk/tzgg/index.html", scripts, [f"{HOST}/data/list?channel=tzgg&size=20"])
    assert rules == [EndpointRule("url", template=f"{HOST}/data/list?channel={{s1}}&size=20", own=True)]
    named = endpoints_for(rules, f"{HOST}/xxgk/gzdt/index.html", scripts)
    assert [e.url for _, e in named] == [f"{HOST}/data/list?channel=gzdt&size=20"]


def test_query_string_pages_and_path_endpoints() -> None:
    rules = learn(f"{HOST}/list.asp?classid=12", [], [f"{HOST}/ajax/12/items.ashx?page=1"])
    assert [e.url for _, e in endpoints_for(rules, f"{HOST}/list.asp?classid=478", [])] == [
        f"{HOST}/ajax/478/items.ashx?page=1"
    ]
    assert endpoints_for(rules, f"{HOST}/list.asp", []) == []  # nothing to fill the placeholder with


def test_what_is_never_a_rule() -> None:
    page = f"{HOST}/xxgk/tzgg/index.html"
    fetched = [
        f"{HOST}/api/weather",  # the same on every page: a widget's data
        f"{HOST}/js/list.js",  # a script
        "http://other.example.com/api/list?channel=tzgg",  # another host
        page,  # the page itself
    ]
    assert learn(page, [], fetched) == []


def test_rules_naming_the_page_come_first() -> None:
    scripts = ["fetch('/api/weather'); fetch('/api/list?col=tzgg')"]
    rules = learn(f"{HOST}/tzgg/", scripts, [f"{HOST}/api/weather", f"{HOST}/api/list?col=tzgg"])
    assert [rule.path for rule in rules] == [f"{HOST}/api/list", f"{HOST}/api/weather"]


def test_script_literals_resolve_against_the_page() -> None:
    scripts = ["$.getJSON(\"../data/list.json?id=3\", cb); var s = 'not a url'; x = 'a/b'"]
    assert script_literals(scripts, f"{HOST}/xxgk/tzgg/") == [
        f"{HOST}/xxgk/data/list.json?id=3",
        f"{HOST}/xxgk/tzgg/a/b",
    ]


def test_json_entries_resolve_against_the_page_that_shows_them() -> None:
    body = '{"total": 2, "data": [{"title": "关于开展检查的通知", "url": "art1.html", "pubDate": "2026-11-20"},' + (
        '{"title": "工作动态第二期", "url": "/gzdt/art2.html", "pubDate": "2026-11-02"}]}'
    )
    entries = json_entries(body, f"{HOST}/tzgg/", date(2026, 12, 1))
    assert [(e.url, e.date) for e in entries] == [
        (f"{HOST}/tzgg/art1.html", date(2026, 11, 20)),
        (f"{HOST}/gzdt/art2.html", date(2026, 11, 2)),
    ]
    assert json_entries('{"city": "某某", "temp": "12"}', f"{HOST}/tzgg/", date(2026, 12, 1)) == []
    assert json_entries("<html>not json</html>", f"{HOST}/tzgg/", date(2026, 12, 1)) == []


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[EndpointWeb, sqlite3.Connection, str]]:
    tmp = tmp_path_factory.mktemp("endpoints")
    with EndpointWeb() as web:
        registry = write_sites(tmp / "sites.csv", web.registry_rows())
        db = tmp / "store.sqlite"
        result = run(
            crawl_command(registry, db, "endpoints", AS_OF, "--allow-private"),
            GOVSITES_STATS_DUMP="1",
            **NO_RENDER_REUSE,
        )
    assert result.returncode == 0, result.stderr[-3000:]
    connection = sqlite3.connect(db)
    yield web, connection, result.stderr
    connection.close()


def test_every_script_filled_list_is_read(crawled: tuple[EndpointWeb, sqlite3.Connection, str]) -> None:
    web, db, _log = crawled
    found = {
        (site, url.split("/", 3)[3]): (items, newest)
        for site, url, items, newest in db.execute("SELECT site_id, url, items, newest_date FROM columns")
    }
    for (site, path), truth in web.expected().items():
        assert found.get((site, path.lstrip("/"))) == truth, (site, path)


def test_one_render_teaches_the_rest(crawled: tuple[EndpointWeb, sqlite3.Connection, str]) -> None:
    web, db, log = crawled
    columns = len(web.COLUMNS)
    rendered = dict(db.execute("SELECT site_id, COUNT(*) FROM pages WHERE rendered = 1 GROUP BY site_id"))
    # the literal host: one render (its page fetched its list and the weather widget's data); the other lists
    # read from their endpoints with plain requests, and the rendered list's endpoint asked once more plainly
    # (does its answer name further pages?)
    assert rendered["literal"] == 1
    assert (web.hits[("literal", "browser")], web.hits[("literal", "plain")]) == (2, columns)
    # the derived host: the odd column's script asks another endpoint than the others, so whichever of the two
    # kinds the site's first render shows, the other kind is rendered once too; every other list is read plainly
    assert rendered["derived"] == 2
    assert web.hits[("derived", "browser")] == 2 * 2
    assert web.hits[("derived", "plain")] >= columns - 2
    assert "'govsites/endpoints/read': 9" in log


def test_lists_read_from_endpoints_are_crawled(crawled: tuple[EndpointWeb, sqlite3.Connection, str]) -> None:
    web, db, _log = crawled
    for (site, path), (items, _newest) in web.expected().items():
        folder = path.rsplit("/", 1)[0]
        listed = db.execute(
            "SELECT COUNT(*) FROM list_items WHERE site_id = ? AND column_url LIKE ?", (site, f"%{path}")
        ).fetchone()[0]
        read = db.execute(
            "SELECT COUNT(*) FROM pages WHERE site_id = ? AND url LIKE ? AND status = '200'", (site, f"%{folder}/art%")
        ).fetchone()[0]
        assert (listed, read) == (items, items), (site, path)


def test_endpoints_can_be_switched_off(tmp_path: Path) -> None:
    with EndpointWeb() as web:
        registry = write_sites(tmp_path / "sites.csv", web.registry_rows()[:1])
        db = tmp_path / "store.sqlite"
        result = run(
            crawl_command(registry, db, "off", AS_OF, "--allow-private", "-s", "GOVSITES_ENDPOINTS_ENABLED=0"),
            **NO_RENDER_REUSE,
        )
    assert result.returncode == 0, result.stderr[-3000:]
    assert web.hits[("literal", "plain")] == 0
    assert web.hits[("literal", "browser")] == 2 * len(web.COLUMNS)
