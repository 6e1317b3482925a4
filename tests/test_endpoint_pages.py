"""The further pages of a script-filled list's data endpoint (govsites.extract.endpointpages), and real crawls that
follow them.

The crawls (``python -m govsites crawl`` into a real SQLite store, Debian's Chromium through scrapy-playwright) run
over :class:`tests.webs.unbuilt.PagedEndpointWeb`, whose endpoint serves each column's list four items an answer
over three pages; the web counts each list request by sender (the browser or a plain request), column and page.
A list's further endpoint pages are followed as an HTML list's further pages are: their articles are crawled and
checked, within the same crawl caps, while the column's own figures stay its first page's.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from govsites.extract.datarequest import Endpoint
from govsites.extract.endpointpages import next_endpoint_requests, paging
from govsites.extract.pagination import MAX_NEXT_PAGES
from tests.helpers import NO_RENDER_REUSE, crawl_rows, crawl_stat, crawled_store, needs_chromium, query
from tests.webs.unbuilt import (
    AS_OF,
    BrowserOnlyEndpointWeb,
    IdPathEndpointWeb,
    PagedEndpointWeb,
    PathPagedEndpointWeb,
    UnpagedPathEndpointWeb,
)

API = "http://www.example.gov.cn/api/list"
ITEMS = [{"title": "关于开展检查的通知", "url": "/tzgg/art1.html", "pubDate": "2026-11-20"}] * 10


def named(url: str, answer: object, read: int = 10, page: int = 1) -> list[tuple[int, str]]:
    text = answer if isinstance(answer, str) else json.dumps(answer, ensure_ascii=False)
    return [(n, asked.url) for n, asked in next_endpoint_requests(Endpoint(url), text, read, page).requests]


@pytest.mark.parametrize(
    ("url", "answer", "expected"),
    [
        pytest.param(  # PageHelper: pageNum/pageSize, the figures nested under data, numbers written as strings
            f"{API}?channelId=12&pageNum=1&pageSize=10",
            {"code": 200, "data": {"pageNum": 1, "pageSize": 10, "total": "35", "pages": "4", "list": ITEMS}},
            [(n, f"{API}?channelId=12&pageNum={n}&pageSize=10") for n in (2, 3, 4)],
            id="pagehelper",
        ),
        pytest.param(  # MyBatis-Plus: current/size, records, total and size in the answer
            f"{API}?current=1&size=10",
            {"data": {"records": ITEMS, "total": 25, "size": 10, "current": 1}},
            [(2, f"{API}?current=2&size=10"), (3, f"{API}?current=3&size=10")],
            id="mybatis-plus",
        ),
        pytest.param(  # Spring Data: pages counted from 0 in the query, totalPages and last in the answer
            f"{API}?page=0&size=10",
            {"content": ITEMS, "totalPages": 3, "totalElements": 30, "number": 0, "last": False},
            [(2, f"{API}?page=1&size=10"), (3, f"{API}?page=2&size=10")],
            id="spring",
        ),
        pytest.param(  # layui table: page/limit, the total as count
            f"{API}?page=1&limit=10",
            {"code": 0, "msg": "", "count": 23, "data": ITEMS},
            [(2, f"{API}?page=2&limit=10"), (3, f"{API}?page=3&limit=10")],
            id="layui",
        ),
        pytest.param(  # bootstrap-table / easyui: rows is the page size in the query and the list in the answer
            f"{API}?rows=10&page=1",
            {"total": 12, "rows": ITEMS},
            [(2, f"{API}?rows=10&page=2")],
            id="easyui",
        ),
        pytest.param(  # DataTables: a record offset (start) advanced by the page size (length)
            f"{API}?draw=1&start=0&length=10",
            {"draw": 1, "recordsTotal": 25, "recordsFiltered": 25, "data": ITEMS},
            [(2, f"{API}?draw=1&start=10&length=10"), (3, f"{API}?draw=1&start=20&length=10")],
            id="datatables",
        ),
        pytest.param(  # JSONP, pageNo, a page count; every other byte of the address kept as written
            f"{API}?lm=%E9%80%9A%E7%9F%A5&pageNo=1&sort=desc",
            'jQuery1830({"totalPage": 2, "pageNo": 1, "list": []});',
            [(2, f"{API}?lm=%E9%80%9A%E7%9F%A5&pageNo=2&sort=desc")],
            id="jsonp",
        ),
        pytest.param(  # a flag alone names the one next page; the offset moves by the items read
            f"{API}?offset=0",
            {"hasMore": True, "items": ITEMS},
            [(2, f"{API}?offset=10")],
            id="has-more",
        ),
        pytest.param(
            f"{API}?pageIndex=1", {"isLastPage": "false", "list": ITEMS}, [(2, f"{API}?pageIndex=2")], id="flag"
        ),
        pytest.param(f"{API}?page=1", {"hasNextPage": False, "total": 100}, [], id="flag-says-last"),
        pytest.param(f"{API}?page=1", {"total": 10, "data": ITEMS}, [], id="one-page"),
        pytest.param(f"{API}?page=1", {"data": ITEMS}, [], id="nothing-stated"),
        pytest.param(f"{API}?col=tzgg", {"total": 100, "data": ITEMS}, [], id="no-page-in-query"),
        pytest.param(f"{API}?page=1", "<html>出错了</html>", [], id="not-json"),
        pytest.param(  # the page in the path's last segment, the answer saying which page it is
            f"{API}/tzgg/1",
            {"pageNum": 1, "total": 30, "pageSize": 10, "list": ITEMS},
            [(2, f"{API}/tzgg/2"), (3, f"{API}/tzgg/3")],
            id="path-page",
        ),
        pytest.param(  # channel, page and size in the path: the page is the segment the answer names
            f"{API}/1/1/10.json",
            {"current": 1, "total": 25, "size": 10, "records": ITEMS},
            [(2, f"{API}/1/2/10.json"), (3, f"{API}/1/3/10.json")],
            id="path-page-and-size",
        ),
        pytest.param(  # Spring: pages counted from 0, in the path
            f"{API}/zcwj/0?size=10",
            {"content": ITEMS, "totalPages": 2, "number": 0},
            [(2, f"{API}/zcwj/1?size=10")],
            id="path-page-from-0",
        ),
        pytest.param(  # a segment named like a page names the one after it
            "http://www.example.gov.cn/news/12/page/1.json",
            {"totalPage": 3, "list": ITEMS},
            [
                (2, "http://www.example.gov.cn/news/12/page/2.json"),
                (3, "http://www.example.gov.cn/news/12/page/3.json"),
            ],
            id="path-named-page",
        ),
        pytest.param(  # a bare number that the answer does not name as its page is the column's id, not a page
            f"{API}/1",
            {"total": 30, "pageSize": 10, "list": ITEMS},
            [],
            id="path-number-is-no-page",
        ),
        pytest.param(f"{API}/tzgg/1", {"pageNum": 2, "total": 30, "list": ITEMS}, [], id="path-other-page"),
        pytest.param(  # the site's id equals the page the answer says it is, but words follow it: not the page
            "http://www.example.gov.cn/api/site/1/list",
            {"pageNum": 1, "total": 30, "pageSize": 10, "list": ITEMS},
            [],
            id="path-site-id",
        ),
    ],
)
def test_the_next_pages_an_answer_names(url: str, answer: object, expected: list[tuple[int, str]]) -> None:
    assert named(url, answer) == expected


def test_at_most_the_cap_of_an_html_pager_and_never_past_the_stated_end() -> None:
    answer = {"pageCount": 40, "data": ITEMS}
    assert [n for n, _ in named(f"{API}?page=1", answer)] == list(range(2, 2 + MAX_NEXT_PAGES))
    assert [n for n, _ in named(f"{API}?page=39", answer, page=39)] == [40]
    assert named(f"{API}?page=40", answer, page=40) == []
    # the page the spider asked is counted from the first one the rule named, whatever the query's numbering
    assert named(f"{API}?pageIndex=4", answer, page=5) == [(n, f"{API}?pageIndex={n - 1}") for n in range(6, 11)]
    assert named(f"{API}?page=1", answer, read=0) == []  # an answer without items ends the list


def unaddressed(url: str, answer: object, read: int = 10, page: int = 1) -> bool:
    return next_endpoint_requests(Endpoint(url), json.dumps(answer), read, page).unaddressed


def test_further_pages_that_no_request_can_ask_are_known() -> None:
    # the answer states more pages than the one read, and the request holds no page: those pages are to be said
    assert unaddressed(f"{API}?col=tzgg", {"pageNum": 1, "total": 30, "list": ITEMS})
    assert unaddressed(f"{API}/tzgg", {"hasMore": True, "list": ITEMS})
    assert not unaddressed(f"{API}?col=tzgg&page=1", {"total": 30, "list": ITEMS})  # asked instead
    assert not unaddressed(f"{API}?col=tzgg", {"total": 10, "list": ITEMS})
    assert not unaddressed(f"{API}?col=tzgg", {"list": ITEMS})  # nothing stated
    assert not unaddressed(f"{API}?col=tzgg", {"pageCount": 3, "list": ITEMS}, page=3)
    assert not unaddressed(f"{API}?col=tzgg", {"pageCount": 3}, read=0)


def base(url: str, answer: object) -> int | None:
    return next_endpoint_requests(Endpoint(url), json.dumps(answer), 10).base


def test_a_page_guessed_in_the_path_is_checked_on_the_next_answers() -> None:
    # only a page found in the path is checked (its answer says page 1, Spring's 0): the query's page is written
    first = {"pageNum": 1, "total": 30, "list": ITEMS}
    assert base(f"{API}/tzgg/1", first) == 0
    assert base(f"{API}/zcwj/0", {"number": 0, "totalPages": 2}) == -1
    assert base(f"{API}?col=tzgg&page=1", first) is None
    assert base(f"{API}/tzgg", first) is None
    assert paging(json.dumps({"data": {"pageNum": "2", "list": ITEMS}})).current == 2
    assert paging(json.dumps({"list": ITEMS})).current is None


def test_what_an_answer_states() -> None:
    assert paging('{"data": {"pageInfo": {"totalCount": "57", "pageSize": 20}}}').last_page(None) == 3
    assert paging('{"total": 57}').last_page(20) == 3  # the page size the query asked for, or the items read
    assert paging('{"list": [{"total": 99, "pages": 9}], "lastPage": 4}') == paging("{}")  # list items say nothing
    assert paging('{"has_more": 1, "last": "no"}').more is None


@pytest.fixture(scope="module", params=[PagedEndpointWeb, PathPagedEndpointWeb], ids=["query", "path"])
def crawled(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[PagedEndpointWeb, sqlite3.Connection, str]]:
    """A crawl of a web whose endpoint takes the page in its query (``&page=N``) or in its path (``/tzgg/N``)."""
    with request.param() as web:
        rows, tmp = web.registry_rows(), tmp_path_factory.mktemp("pages")
        for connection, log in crawled_store(rows, tmp, "pages", AS_OF, **NO_RENDER_REUSE):
            yield web, connection, log


def read_plainly(web: PagedEndpointWeb) -> list[str]:
    """The columns whose endpoint was asked with plain requests: every one, the site's learning render's too (its
    first page asked again for the further pages its answer names)."""
    return [slug for slug in web.COLUMNS if web.asked[("plain", slug, 1)]]


def rendered(web: PagedEndpointWeb) -> list[str]:
    """The columns whose list the browser rendered (the site's learning render)."""
    return [slug for slug in web.COLUMNS if web.asked[("browser", slug, 1)]]


@needs_chromium
def test_further_pages_are_asked_with_plain_requests(crawled: tuple[PagedEndpointWeb, sqlite3.Connection, str]) -> None:
    web, db, log = crawled
    plain = read_plainly(web)
    assert len(rendered(web)) == 1  # one render taught the site's endpoint
    # every column's further pages are read, the rendered one's too: its endpoint's first page asked again plainly
    assert plain == list(web.COLUMNS)
    for slug in plain:
        assert [web.asked[("plain", slug, n)] for n in range(1, web.PAGES + 2)] == [1] * web.PAGES + [0], slug
    assert not [key for key in web.asked if key[0] == "browser" and key[2] > 1]
    assert db.execute("SELECT COUNT(*) FROM pages WHERE rendered = 1").fetchone()[0] == 1
    assert crawl_stat(log, "govsites/endpoints/pages_read") == len(plain) * (web.PAGES - 1)
    assert crawl_stat(log, "govsites/endpoints/rendered_asked") == 1
    assert crawl_stat(log, "govsites/endpoints/rendered_paged") == 1
    assert crawl_stat(log, "govsites/endpoints/pages_capped") == 0


@needs_chromium
def test_items_of_further_pages_are_listed_and_crawled(
    crawled: tuple[PagedEndpointWeb, sqlite3.Connection, str],
) -> None:
    web, db, _log = crawled
    home = web.url("literal")
    for slug in read_plainly(web):
        column = web.url("literal", web.column_path("literal", slug))
        further = {home.rstrip("/") + item["url"] for n in range(2, web.PAGES + 1) for item in web.page_items(slug, n)}
        assert len(further) == web.PER_PAGE * (web.PAGES - 1)
        refs = {url for (url,) in db.execute("SELECT url FROM link_refs WHERE source_url = ?", (column,))}
        assert further <= refs, slug  # the column page lists them, as a visitor paging through it sees them
        read = {
            url for (url,) in db.execute("SELECT url FROM pages WHERE status = '200' AND url LIKE ?", (column + "%",))
        }
        assert further <= read, slug
        # as with an HTML list's further pages, the column's own figures are its first page's
        first = [home.rstrip("/") + item["url"] for item in web.page_items(slug, 1)]
        figures = db.execute("SELECT items, newest_date FROM columns WHERE url = ?", (column,)).fetchone()
        assert figures == (web.PER_PAGE, "2026-11-28"), slug
        entries = [url for (url,) in db.execute("SELECT url FROM list_items WHERE column_url = ?", (column,))]
        assert sorted(entries) == sorted(first), slug


@needs_chromium
def test_the_page_cap_stops_further_pages_and_is_counted(tmp_path: Path) -> None:
    with PagedEndpointWeb() as web:
        # the home page and the pages its menu and block name: every further endpoint page is beyond the cap
        result, db = crawl_rows(
            web.registry_rows(), tmp_path, "capped", AS_OF, GOVSITES_MAX_PAGES="6", **NO_RENDER_REUSE
        )
    assert result.returncode == 0, result.stderr[-3000:]
    log = result.stderr
    plain = read_plainly(web)
    assert plain
    asked = sum(count for (sender, _slug, n), count in web.asked.items() if sender == "plain" and n > 1)
    capped = crawl_stat(log, "govsites/endpoints/pages_capped")
    assert capped >= 1
    assert asked + capped == len(plain) * (web.PAGES - 1)  # each page the answers named: asked or counted
    assert crawl_stat(log, "govsites/capped/pages") >= capped
    for slug in plain:
        column = web.url("literal", web.column_path("literal", slug))
        if not web.asked[("plain", slug, web.PAGES)]:
            assert f"栏目 {column} 的数据接口翻页达到抓取上限" in log, slug
    con = sqlite3.connect(db)
    try:
        # a refused endpoint page is data, not a link of the site: it is not checked instead
        assert con.execute("SELECT COUNT(*) FROM link_checks WHERE url LIKE '%/api/list%'").fetchone()[0] == 0
        assert con.execute("SELECT pages_capped FROM run_sites").fetchone()[0] >= capped
    finally:
        con.close()


def crawl_web(web: PagedEndpointWeb, tmp: Path) -> tuple[str, Path]:
    """A crawl of ``web`` (its log and store), checked to have finished."""
    result, db = crawl_rows(web.registry_rows(), tmp, "crawl", AS_OF, **NO_RENDER_REUSE)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stderr, db


def first_pages(web: PagedEndpointWeb, db: Path) -> dict[str, tuple[int, str]]:
    """Each column's figures in the store: (items, newest date)."""
    columns = {web.url("literal", web.column_path("literal", slug)): slug for slug in web.COLUMNS}
    rows = query(db, "SELECT url, items, newest_date FROM columns")
    return {columns[row["url"]]: (row["items"], row["newest_date"]) for row in rows if row["url"] in columns}


@needs_chromium
def test_an_endpoint_that_answers_the_browser_only(tmp_path: Path) -> None:
    # Every plain request for the list data gets 403: each list is the browser's, and what its first page does not
    # show (the further pages its endpoint would have named) is said to be unread, never taken for a list of one page.
    with BrowserOnlyEndpointWeb() as web:
        log, db = crawl_web(web, tmp_path)
    assert rendered(web) == list(web.COLUMNS)  # every list rendered
    assert not [key for key in web.asked if key[2] > 1]  # no further page asked by anyone
    unread = crawl_stat(log, "govsites/endpoints/rendered_unread")
    assert unread >= 1
    assert crawl_stat(log, "govsites/endpoints/rendered_asked") == unread  # each re-ask refused and counted
    assert crawl_stat(log, "govsites/endpoints/rendered_paged") == 0
    assert crawl_stat(log, "govsites/endpoints/rendered_other") == 0
    assert log.count("的数据接口再次读取失败（403），其后续页未读取") == unread
    assert first_pages(web, db) == dict.fromkeys(web.COLUMNS, (web.PER_PAGE, "2026-11-28"))  # read by the browser


@needs_chromium
def test_further_pages_no_request_can_ask_are_counted(tmp_path: Path) -> None:
    # The script asks /api/list/<column> alone; the answer says it is page 1 of 3, but nothing in the request moves
    # to page 2 (the path's last segment is the column): the further pages are not guessed at, and are said unread.
    with UnpagedPathEndpointWeb() as web:
        log, db = crawl_web(web, tmp_path)
    assert not [key for key in web.asked if key[2] > 1]
    assert crawl_stat(log, "govsites/endpoints/pages_unaddressed") == len(web.COLUMNS)
    assert log.count("后续页未读取：") >= len(web.COLUMNS)
    assert first_pages(web, db) == dict.fromkeys(web.COLUMNS, (web.PER_PAGE, "2026-11-28"))  # read all the same


@needs_chromium
def test_an_id_in_the_path_taken_for_a_page_is_found_out(tmp_path: Path) -> None:
    # Column 1's endpoint is /api/col/1 and its answer says "page 1 of 3": the 1 is taken for the page, and the
    # "further pages" /api/col/2 and /3 are asked. Their answers say they are page 1 too: they are other lists,
    # whose items are not column 1's (counted and logged, no further page asked from them).
    with IdPathEndpointWeb() as web:
        log, db = crawl_web(web, tmp_path)
    asked_hidden = sorted(slug for (sender, slug, _n) in web.asked if slug in web.HIDDEN and sender == "plain")
    assert crawl_stat(log, "govsites/endpoints/pages_mismatched") == len(asked_hidden) == 2
    assert log.count("应答自称第 1 页，不是该列表的后续页") == 2
    assert first_pages(web, db) == dict.fromkeys(web.COLUMNS, (web.PER_PAGE, "2026-11-28"))
    # nothing of the other channels is listed on column 1 or crawled
    assert not query(db, "SELECT url FROM link_refs WHERE url LIKE '%/2/art%' OR url LIKE '%/3/art%'")
