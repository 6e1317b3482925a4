"""Data endpoints asked with POST (govsites.extract.endpoints, govsites.extract.endpointpages), and a real crawl
that reads them without the browser.

The crawl (``python -m govsites crawl`` into a real SQLite store, Debian's Chromium through scrapy-playwright) runs
over :class:`tests.webs.unbuilt.PostEndpointWeb`: one host's lists come from an XHR that posts a form whose column
id the page's inline script assigns (three pages each, the page number in the body), the other's from ``fetch``
posting JSON built from the page's address, beside a visit counter's POST; one of its columns posts a ``FormData``,
which no plain request can repeat. The web counts each list request by sender, column and page.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator

import pytest

from govsites.extract.datarequest import Endpoint
from govsites.extract.endpointpages import next_endpoint_requests
from govsites.extract.endpoints import assigned_name, assigned_value, endpoints_for, learn
from tests.helpers import NO_RENDER_REUSE, crawl_stat, crawled_store, needs_chromium
from tests.webs.unbuilt import AS_OF, PostEndpointWeb

HOST = "http://www.example.gov.cn"
FORM = "application/x-www-form-urlencoded; charset=UTF-8"
WEBNAME = "webname=%E6%9F%90%E6%9F%90%E5%8E%BF"  # 某某县, as encodeURIComponent writes it


def form_script(column: str) -> str:
    return (
        f'var columnid = "{column}"; var unitid = "88";'
        "xhr.send('columnid=' + columnid + '&unitid=' + unitid + '&pageNo=' + pageNo + '&pageSize=4');"
    )


def test_a_form_whose_column_id_the_page_script_assigns() -> None:
    sent = Endpoint(
        f"{HOST}/module/web/list.do", "POST", f"columnid=1231&unitid=88&{WEBNAME}&pageNo=1&pageSize=4", FORM
    )
    rules = learn(f"{HOST}/col/col1231/index.html", [form_script("1231")], [sent])
    assert [(rule.method, rule.body) for rule in rules] == [
        ("POST", f"columnid={{v:columnid}}&unitid={{v:unitid}}&{WEBNAME}&pageNo=1&pageSize=4")
    ]
    named = endpoints_for(rules, f"{HOST}/col/col1232/index.html", [form_script("1232")])
    assert [endpoint for _, endpoint in named] == [
        Endpoint(sent.url, "POST", f"columnid=1232&unitid=88&{WEBNAME}&pageNo=1&pageSize=4", FORM)
    ]
    # a page whose scripts assign no column id names no endpoint (it is rendered)
    assert endpoints_for(rules, f"{HOST}/col/col1234/index.html", ["var other = 1;"]) == []


def test_json_filled_from_the_page_address() -> None:
    body = '{"channelId": "tzgg", "pageNum": 1, "pageSize": 20, "order": ["date"]}'
    sent = Endpoint(f"{HOST}/api/list", "POST", body, "application/json")
    scripts = ["fetch('/api/list', {method: 'POST', body: JSON.stringify(q)})"]
    rules = learn(f"{HOST}/xxgk/tzgg/", scripts, [sent])
    assert [rule.own for rule in rules] == [True]
    (_, endpoint), *_ = endpoints_for(rules, f"{HOST}/xxgk/gzdt/", scripts)
    assert (endpoint.method, endpoint.content_type) == ("POST", "application/json")
    assert json.loads(endpoint.body) == {"channelId": "gzdt", "pageNum": 1, "pageSize": 20, "order": ["date"]}
    assert endpoint.headers()["Content-Type"] == "application/json"


def test_a_json_number_stays_a_number() -> None:
    sent = Endpoint(f"{HOST}/api/list", "POST", '{"columnId": 1234, "page": 1}', "application/json")
    rules = learn(f"{HOST}/list.jsp?id=1234", [], [sent])
    (_, endpoint), *_ = endpoints_for(rules, f"{HOST}/list.jsp?id=5678", [])
    assert json.loads(endpoint.body) == {"columnId": 5678, "page": 1}
    assert endpoints_for(rules, f"{HOST}/list.jsp?id=abc", []) == []  # not a number: no such request


def test_what_a_post_never_teaches() -> None:
    page = f"{HOST}/xxgk/tzgg/"
    sent = [
        Endpoint(f"{HOST}/api/list", "POST", opaque=True),  # a FormData: cannot be sent again
        Endpoint(f"{HOST}/api/list?col=tzgg", "PUT", '{"a": 1}'),  # not a GET or a POST
        Endpoint("http://other.example.com/api/list", "POST", "col=tzgg"),  # another host
        Endpoint(f"{HOST}/api/visit", "POST", "site=main"),  # the same on every page: no value of the page's
    ]
    assert learn(page, [], sent) == []


def test_widget_data_the_script_names_comes_after_the_page_own_list() -> None:
    scripts = ["var site = 'fgw'; post('/api/visit', 'site=' + site)"]
    sent = [Endpoint(f"{HOST}/api/visit", "POST", "site=fgw", FORM), Endpoint(f"{HOST}/api/list", "POST", "col=tzgg")]
    rules = learn(f"{HOST}/xxgk/tzgg/", scripts, sent)
    assert [rule.body for rule in rules] == ["col={s1}", "site={v:site}"]
    assert [rule.own for rule in rules] == [True, False]


def test_assignments_a_script_makes() -> None:
    scripts = ['var columnid = "1231"; opts = {"unitId": 88, siteCode: \'ab-1\'}; url = "/list?catid=77&x=1"']
    assert assigned_name("1231", scripts) == "columnid"
    assert assigned_name("88", scripts) == "unitId"
    assert assigned_name("77", scripts) == "catid"
    assert assigned_name("某某县", scripts) is None  # not an id a script assigns
    assert assigned_value("siteCode", scripts) == "ab-1"
    assert assigned_value("nothing", scripts) is None
    assert assigned_value("columnid", ["if (columnid == '3') {}"]) is None  # a comparison is not an assignment


@pytest.mark.parametrize(
    ("sent", "expected"),
    [
        pytest.param(
            Endpoint(f"{HOST}/list.do", "POST", "columnid=1231&pageNo=1&pageSize=4", FORM),
            [(n, f"columnid=1231&pageNo={n}&pageSize=4") for n in (2, 3)],
            id="form",
        ),
        pytest.param(
            Endpoint(f"{HOST}/api/list", "POST", '{"channelId": "tzgg", "pageNum": 1, "pageSize": 4}'),
            [(n, f'{{"channelId":"tzgg","pageNum":{n},"pageSize":4}}') for n in (2, 3)],
            id="json",
        ),
        pytest.param(
            Endpoint(f"{HOST}/api/list", "POST", '{"channelId": "tzgg", "current": "1", "size": "4"}'),
            [(n, f'{{"channelId":"tzgg","current":"{n}","size":"4"}}') for n in (2, 3)],
            id="json-strings",
        ),
        pytest.param(
            Endpoint(f"{HOST}/api/list", "POST", '{"channelId": "tzgg", "start": 0, "limit": 4}'),
            [(n, f'{{"channelId":"tzgg","start":{4 * (n - 1)},"limit":4}}') for n in (2, 3)],
            id="json-offset",
        ),
    ],
)
def test_further_pages_of_a_post(sent: Endpoint, expected: list[tuple[int, str]]) -> None:
    pages = next_endpoint_requests(sent, '{"total": 12, "data": []}', read=4).requests
    assert [(n, endpoint.body) for n, endpoint in pages] == expected
    assert all((endpoint.url, endpoint.method) == (sent.url, "POST") for _, endpoint in pages)


def test_the_page_in_the_query_wins_over_the_body() -> None:
    sent = Endpoint(f"{HOST}/list.do?page=1", "POST", "columnid=1231&pageNo=7", FORM)
    (n, endpoint), *_ = next_endpoint_requests(sent, '{"pageCount": 3}', read=4).requests
    assert (n, endpoint.url, endpoint.body) == (2, f"{HOST}/list.do?page=2", sent.body)


def test_one_endpoint_per_body() -> None:
    first, second = (Endpoint(f"{HOST}/list.do", "POST", f"pageNo={n}") for n in (1, 2))
    assert first.key != second.key
    assert Endpoint(f"{HOST}/list.do?a=1").key == f"{HOST}/list.do?a=1"


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[PostEndpointWeb, sqlite3.Connection, str]]:
    with PostEndpointWeb() as web:
        rows, tmp = web.registry_rows(), tmp_path_factory.mktemp("post")
        for connection, log in crawled_store(rows, tmp, "post", AS_OF, **NO_RENDER_REUSE):
            yield web, connection, log


def asked(web: PostEndpointWeb, role: str, sender: str, page: int) -> dict[str, int]:
    return {key: n for (r, s, key, p), n in web.asked.items() if (r, s, p) == (role, sender, page)}


@needs_chromium
def test_every_posted_list_is_read(crawled: tuple[PostEndpointWeb, sqlite3.Connection, str]) -> None:
    web, db, _log = crawled
    found = {
        (site, "/" + url.split("/", 3)[3]): (items, newest)
        for site, url, items, newest in db.execute("SELECT site_id, url, items, newest_date FROM columns")
    }
    for key, truth in web.expected().items():
        assert found.get(key) == truth, key


@needs_chromium
def test_one_render_per_site_teaches_the_posts(crawled: tuple[PostEndpointWeb, sqlite3.Connection, str]) -> None:
    web, db, log = crawled
    rendered = dict(db.execute("SELECT site_id, COUNT(*) FROM pages WHERE rendered = 1 GROUP BY site_id"))
    # the form host: one column rendered; the others posted their forms with plain requests, then their next
    # pages; the rendered column's form posted once more plainly, for the further pages its answer names
    rendered_form = asked(web, "form", "browser", 1)
    assert (rendered["form"], len(rendered_form)) == (1, 1)
    plain = asked(web, "form", "plain", 1)
    assert plain == dict.fromkeys(web.FORM_COLUMNS, 1)
    for page in range(2, web.PAGES + 1):
        assert asked(web, "form", "plain", page) == plain, page
    assert not asked(web, "form", "plain", web.PAGES + 1)
    # the json host: the FormData column and one other rendered, the rest posted their JSON plainly (the rendered
    # one's once more: its answer names no further page)
    assert rendered["json"] == 2
    browser = asked(web, "json", "browser", 0)
    assert web.ODD in browser
    assert list(browser.values()) == [1, 1]
    assert asked(web, "json", "plain", 0) == dict.fromkeys(set(web.JSON_COLUMNS) - {web.ODD}, 1)
    assert crawl_stat(log, "govsites/endpoints/opaque_bodies") == 1
    # a rendered list's endpoint asked once more: the two learning renders' (their answers hold the rendered
    # lists), and perhaps the FormData column's visit counter (the one request of that page a rule names, unless
    # another page claimed it first: the order of pages decides), whose answer holds no list
    asked_again = crawl_stat(log, "govsites/endpoints/rendered_asked")
    assert crawl_stat(log, "govsites/endpoints/rendered_paged") == 2
    assert asked_again - 2 == crawl_stat(log, "govsites/endpoints/rendered_other") <= 1
    assert crawl_stat(log, "govsites/endpoints/requested_post") == crawl_stat(log, "govsites/endpoints/requested")
    assert crawl_stat(log, "govsites/endpoints/pages_read") == len(plain) * (web.PAGES - 1)


@needs_chromium
def test_items_of_posted_pages_are_crawled(crawled: tuple[PostEndpointWeb, sqlite3.Connection, str]) -> None:
    web, db, _log = crawled
    home = web.url("form").rstrip("/")
    for column in asked(web, "form", "plain", 1):
        items = web.items("form", column)
        read = {url for (url,) in db.execute("SELECT url FROM pages WHERE site_id = 'form' AND status = '200'")}
        assert {home + item["url"] for item in items} <= read, column
