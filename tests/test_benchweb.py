"""The synthetic government web: deterministic, its truth agrees with what the server really sends."""

from __future__ import annotations

import json
import re
import socket
import urllib.error
import urllib.request
from html import unescape
from urllib.parse import urljoin, urlsplit

import pytest

from bench.web import BenchWeb, WebConfig, build_truth, host, make_site
from bench.web.model import QUERY_VARIANT_CAP, REQUIRED_PATTERNS, coverage, mount
from bench.web.render import CLEARANCE, POST_API, BenchApp, route_key
from govsites.antibot import is_challenge

SMALL = WebConfig(seed=8, sites=12, pages=60, down_share=0.1, js_share=0.2, typo_share=0.5, broken_share=0.08)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


def get(url: str, method: str = "GET", follow: bool = True, passed: bool = True) -> tuple[int, dict[str, str], bytes]:
    """Status (0 = connection refused), headers and body of a real HTTP request; ``passed``: with the clearance
    cookie of the challenge sites (as a browser that ran their script)."""
    opener = urllib.request.build_opener() if follow else urllib.request.build_opener(_NoRedirect)
    cookie = {"Cookie": f"{CLEARANCE}=passed"} if passed else {}
    request = urllib.request.Request(url, method=method, headers=cookie)
    try:
        with opener.open(request, timeout=10) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()
    except urllib.error.URLError as err:
        if not isinstance(err.reason, ConnectionRefusedError):
            raise
        return 0, {}, b""


@pytest.fixture(scope="module")
def web():  # type: ignore[no-untyped-def]
    with BenchWeb(SMALL) as served:
        yield served, build_truth(SMALL, served.port)


def test_generator_is_deterministic_and_lazy() -> None:
    fresh = make_site.__wrapped__  # type: ignore[attr-defined]
    for index in (0, 5, 11):
        a, b = BenchApp(fresh(SMALL, index), "127.0.0.1:1"), BenchApp(fresh(SMALL, index), "127.0.0.1:1")
        assert a.pages() == b.pages()
        for path in a.pages()[:40]:
            assert a.handle(path).body == b.handle(path).body, path
    other = BenchApp(fresh(WebConfig(seed=9, sites=12, pages=60), 0), "127.0.0.1:1")
    assert other.handle("/").body != BenchApp(fresh(SMALL, 0), "127.0.0.1:1").handle("/").body
    big = WebConfig(sites=2000)
    assert make_site(big, 1999).site.site_id == "s2000"  # any site, without building the others
    assert host(1999) == "127.0.17.250"
    assert len({host(i) for i in range(2000)}) == 2000


def test_small_web_covers_every_pattern() -> None:
    assert REQUIRED_PATTERNS - coverage(SMALL) == set()


def test_server_serves_sites_on_distinct_loopback_addresses(web) -> None:  # type: ignore[no-untyped-def]
    _served, truth = web
    live = [s for s in truth["sites"].values() if s["home_available"]]
    own_hosts = [urlsplit(s["home_url"]).hostname for s in live if urlsplit(s["home_url"]).path == "/"]
    assert len(set(own_hosts)) == len(own_hosts) >= 10  # the others are subsites in a folder of a county's host
    for site in live:
        status, _headers, body = get(site["home_url"])
        assert status == 200, site["home_url"]
        assert site["name"].encode("gb18030") in body or site["name"].encode() in body
    down = [s for s in truth["sites"].values() if not s["home_available"]]
    assert down
    assert get(down[0]["home_url"])[0] == 0  # refused


def test_home_pages_scroll_a_news_box_as_county_home_pages_do(web) -> None:  # type: ignore[no-untyped-def]
    """Every live home page holds its first block's list in one scrolling box, and the script it loads moves the
    box (what keeps a browser page busy while it stays open on it)."""
    _served, truth = web
    for site in (s for s in truth["sites"].values() if s["home_available"]):
        body = get(site["home_url"])[2].decode("gb18030", "replace")
        assert body.count('id="gdxw"') == 1, site["home_url"]
        assert re.search(r'<div id="gdxw" style="[^"]*overflow:hidden"><ul class="block-list"><li>', body)
        source = re.search(r'<script src="([^"]*/js/common\.js)"></script>', body)
        assert source, site["home_url"]
        script = get(urljoin(site["home_url"], source.group(1)))[2].decode()
        assert "getElementById('gdxw')" in script
        assert "setInterval" in script


def test_every_truth_column_is_linked_from_a_menu_and_answers(web) -> None:  # type: ignore[no-untyped-def]
    _served, truth = web
    for site in truth["sites"].values():
        if not site["home_available"]:
            continue
        home_url = site["home_url"]
        charset = "gb18030" if site["encoding"] == "gbk" else "utf-8"
        linked: set[str] = set()
        for page in ("", "wzdt/index.html"):
            html = get(home_url + page)[2].decode(charset)
            linked |= {unescape(h) for h in re.findall(r'href="([^"]+)"', html)}
        for col in site["columns"]:
            parts = urlsplit(col["url"])
            path = parts.path + (f"?{parts.query}" if parts.query else "")  # query-string lists: list.asp?classid=5
            assert path in linked, (site["site_id"], path)
            status = get(col["url"])[0]
            assert (status == 500) == (col["status"] == "unreachable"), (col["url"], status)


def test_every_truth_broken_link_is_broken_over_http(web) -> None:  # type: ignore[no-untyped-def]
    _served, truth = web
    broken = [(s["site_id"], u) for s in truth["sites"].values() for u in s["broken"]]
    assert len(broken) >= 20
    for _sid, url in broken:
        status, _headers, body = get(url)
        if "/html/removed_" in url:
            assert status == 200
            assert "页面不存在".encode() in body  # soft 404
        else:
            assert status == 0 or status >= 400, url


def test_http_quirks(web) -> None:  # type: ignore[no-untyped-def]
    served, truth = web
    sites = [make_site(SMALL, i) for i in range(SMALL.sites)]
    head405 = next(s for s in sites if s.head_405 and not s.site.down)
    home = served.home_url(head405.index)
    assert get(home, "HEAD")[0] == 405
    assert get(home)[0] == 200
    flaky = next(s for s in sites if s.flaky and not s.site.down)
    path = sorted(served.app(flaky.index).flaky)[0]
    url = f"http://{host(flaky.index)}:{served.port}{path}"
    assert [get(url)[0], get(url)[0]] == [503, 200]  # recovers on retry
    redirect = next(u for s in truth["sites"].values() for u in s["broken"] if "/go/bad_" in u)
    status, headers, _ = get(redirect, follow=False)
    assert status == 302
    assert headers["Location"].startswith("/go/gone_")


def test_gbk_sites_send_real_gbk_bytes(web) -> None:  # type: ignore[no-untyped-def]
    _served, truth = web
    gbk = [s for s in truth["sites"].values() if s["encoding"] == "gbk" and s["home_available"]]
    assert gbk
    for site in gbk:
        _status, headers, body = get(site["home_url"])
        assert "charset=GBK" in headers["Content-Type"]
        text = body.decode("gb18030")
        assert '<meta charset="gbk">' in text
        assert site["name"] in text
        with pytest.raises(UnicodeDecodeError):
            body.decode("utf-8")


def test_truth_typos_are_on_served_pages(web) -> None:  # type: ignore[no-untyped-def]
    _served, truth = web
    typos = [(s, t) for s in truth["sites"].values() for t in s["typos"]]
    assert typos
    for site, typo in typos:
        charset = "gb18030" if site["encoding"] == "gbk" else "utf-8"
        assert typo["wrong"] in get(typo["url"])[2].decode(charset)


def test_many_sites_fit_one_loop() -> None:
    config = WebConfig(seed=2, sites=300, pages=20, down_share=0.0)
    with BenchWeb(config) as served:
        for index in (0, 149, 299):
            assert get(served.home_url(index))[0] == 200
        with socket.create_connection((host(299), served.port), timeout=5):
            pass


LINKCHECKER_CSV = """# created by LinkChecker at 2026-11-27 18:56:06+000
# Read the documentation at https://linkchecker.github.io/linkchecker/
urlname;parentname;base;result;warningstring;infostring;valid;url;line;column;name;dltime;size;checktime;cached;level;modified
/images/ad/0.gif;http://127.0.10.1:8342/;;404 Not Found;;;False;http://127.0.10.1:8342/images/ad/0.gif;16;60;图片;-1;222;3.6;0;1;
/go/ok_1010.html;http://127.0.10.1:8342/a.html;;200 OK;"Redirected to `http://127.0.10.1:8342/go/ok2_1010.html'.
Redirected to `http://127.0.10.1:8342/zcwj/content_1010.html'.";;True;http://127.0.10.1:8342/zcwj/content_1010.html;21;290;上一篇;0;2915;2.6;0;2;
/go/bad_7.html;http://127.0.10.1:8342/a.html;;404 Not Found;;;False;http://127.0.10.1:8342/go/gone_7.html;3;1;x;-1;1;0.1;0;2;
uploads/文件.doc;http://127.0.10.1:8342/xxgk/a.html;http://127.0.10.1:8342/;404 Not Found;;;False;http://x/;3;1;x;-1;1;0.1;0;2;
# Stopped checking at 2026-11-27 18:56:18+000 (11 seconds)
"""


def test_linkchecker_csv_is_parsed_by_the_linked_url(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from bench.linkchecker import linked_url, read_linkchecker_csv

    path = tmp_path / "s0001.csv"
    path.write_text(LINKCHECKER_CSV, encoding="utf-8")
    rows = read_linkchecker_csv(path)
    assert [r["valid"] for r in rows] == ["False", "True", "False", "False"]
    broken = [linked_url(r) for r in rows if r["valid"] == "False"]
    assert broken == [
        "http://127.0.10.1:8342/images/ad/0.gif",
        "http://127.0.10.1:8342/go/bad_7.html",
        "http://127.0.10.1:8342/uploads/%E6%96%87%E4%BB%B6.doc",
    ]  # as linked, <base href> applied
    assert read_linkchecker_csv(tmp_path / "missing.csv") == []


def test_search_form_target_answers(web) -> None:  # type: ignore[no-untyped-def]
    served, _truth = web
    status, _headers, _body = get(f"http://{host(0)}:{served.port}/search/search.jsp?q=x")
    assert status == 200


def test_hosts_answer_with_a_spread_of_latencies_and_the_rest_of_the_web_is_the_same() -> None:
    slow = WebConfig(seed=8, sites=12, pages=60, latency_min_ms=50, latency_max_ms=2000)
    latencies = [make_site(slow, i).latency_ms for i in range(slow.sites)]
    assert all(50 <= ms <= 2000 for ms in latencies)
    assert max(latencies) > 4 * min(latencies)  # spread, not one speed
    assert make_site(slow, 3).delay("/a.html") == make_site(slow, 3).delay("/a.html")  # the same path, the same
    assert 0.5 * latencies[3] / 1000 <= make_site(slow, 3).delay("/a.html") <= 1.5 * latencies[3] / 1000
    plain = WebConfig(seed=8, sites=12, pages=60)
    assert make_site(plain, 3).site == make_site(slow, 3).site  # latency draws do not change the pages
    assert make_site(plain, 3).delay("/a.html") == 0.0


def test_pages_carry_an_etag_and_a_matching_request_gets_304() -> None:
    with BenchWeb(WebConfig(seed=8, sites=2, pages=60)) as web:
        url = web.home_url(0)
        status, headers, body = get(url)
        assert status == 200
        assert body
        tag = headers["ETag"]
        request = urllib.request.Request(url, headers={"If-None-Match": tag})
        with pytest.raises(urllib.error.HTTPError) as answer:  # urllib reports a 304 as an error
            urllib.request.urlopen(request, timeout=10)
        assert answer.value.code == 304
        assert answer.value.read() == b""


def _text(app: BenchApp, path: str, query: str = "") -> str:
    return app.handle(path, query).body.decode("gb18030" if app.site.encoding == "gbk" else "utf-8")


def test_webs_less_like_our_own_code() -> None:
    """Query-string URLs past the crawl's per-path variant cap, regenerated metas later than the visible date,
    and lists split over sibling containers: served as the records say."""
    sites = [make_site(SMALL, i) for i in range(SMALL.sites)]
    query = next(b for b in sites if b.site.family == "query")
    app = BenchApp(query, "127.0.0.1:1")
    articles = [p for p in app.pages() if p.startswith(("/show.asp?", "/content.jsp?", "/view.aspx?"))]
    assert len({p.split("?")[0] for p in articles}) == 1
    assert len(articles) > QUERY_VARIANT_CAP
    col = next(c for c in query.site.columns if c.status == 200 and c.items)
    path, _, params = app.list_paths()[col.key].partition("?")
    reordered = "&".join(reversed(params.split("&")))
    assert route_key(path, params) == route_key(path, reordered)
    assert app.article_path(col.items[0].ident).replace("&", "&amp;") in _text(app, path, reordered)
    assert app.handle(path, params + "0").status == 404
    php = make_site(WebConfig(seed=13, sites=14, pages=60), 10)  # an unreachable column on list URLs of 4 params
    app = BenchApp(php, "127.0.0.1:1")
    col = next(c for c in php.site.columns if c.status != 200)
    path, _, params = app.list_paths()[col.key].partition("?")
    assert php.list_url == "php"
    assert app.handle(path, "&".join(reversed(params.split("&")))).status == 500

    regen = next(b for b in sites if b.regenerated is not None and not b.site.down)
    assert any(c.date_style == "none" and c.items for c in regen.site.columns)  # newest dates from articles
    app = BenchApp(regen, "127.0.0.1:1")
    item = min((it for c in regen.site.columns for it in c.items if it.status == 200 and it.day), key=lambda i: i.day)
    assert item.day is not None
    assert regen.regenerated is not None
    assert item.day < regen.regenerated
    html = _text(app, app.article_path(item.ident))
    metas = re.findall(r'<meta name="(?:PubDate|publishdate)" content="(\d{4})-?(\d{2})-?(\d{2})', html)
    assert metas
    assert all(m == tuple(f"{regen.regenerated:%Y %m %d}".split()) for m in metas)
    assert f"{item.day:%Y-%m-%d}" in html or f"{item.day.year}年{item.day.month:02d}月" in html  # visible date

    split = [(b, c) for b in sites for c in b.site.columns if b.style(c).split and len(c.items) > 2 and c.status == 200]
    bench, col = split[0]
    app = BenchApp(bench, "127.0.0.1:1")
    html = _text(app, app.list_paths()[col.key])
    assert html.count('<div class="list-part"><ul class="list">') == -(-len(col.items) // bench.style(col).split)


def test_subsite_is_served_in_a_folder_of_its_county_host(web) -> None:  # type: ignore[no-untyped-def]
    served, truth = web
    index = next(i for i in range(SMALL.sites) if mount(SMALL, i) is not None)
    county, folder = mount(SMALL, index) or (0, "")
    site = truth["sites"][make_site(SMALL, index).site_id]
    assert site["home_url"] == f"http://{host(county)}:{served.port}{folder}"
    status, _headers, body = get(site["home_url"])
    assert status == 200
    html = body.decode("gb18030" if site["encoding"] == "gbk" else "utf-8")
    assert make_site(SMALL, index).site.name in html
    rooted = re.findall(r'(?:href|src|action)="(/[^"]*)"', html)
    assert rooted
    assert all(h.startswith(folder) for h in rooted), rooted
    assert all(c["url"].startswith(site["home_url"]) for c in site["columns"])
    county_home = get(served.home_url(county))[2].decode("gb18030", errors="replace")
    assert folder not in county_home  # reached through the registry only, as the crawl scopes it
    assert get(f"http://{host(county)}:{served.port}{folder}no_such_page.html")[0] == 404


def test_challenge_site_answers_a_script_until_the_cookie_is_set(web) -> None:  # type: ignore[no-untyped-def]
    served, truth = web
    index = next(i for i in range(SMALL.sites) if make_site(SMALL, i).challenge and not make_site(SMALL, i).site.down)
    # the truth names the challenged sites (make bench tells their ramp apart)
    assert (
        {sid for sid, site in truth["sites"].items() if site["challenge"]}
        == {make_site(SMALL, i).site.site_id for i in range(SMALL.sites) if make_site(SMALL, i).challenge}
        != set()
    )
    url = served.home_url(index)
    status, _headers, body = get(url, passed=False)
    assert is_challenge(status, body)
    assert CLEARANCE in body.decode()
    status, _headers, body = get(url)
    assert status == 200
    assert "<a " in body.decode("gb18030", errors="replace")


def test_post_list_sites_answer_the_form_their_script_posts(web) -> None:  # type: ignore[no-untyped-def]
    """A ``post_lists`` script site: its list page's script posts ``columnid=…&pageNo=1`` to ``POST_API``, and only
    that form (not the same fields in a query) gets the column's list, the answer of the GET endpoint."""
    served, _truth = web
    index = next(i for i in range(SMALL.sites) if make_site(SMALL, i).post_lists)
    bench = make_site(SMALL, index)
    app = BenchApp(bench, "127.0.0.1:1")
    col = next(c for c in bench.site.columns if c.render == "fetch" and c.status == 200 and c.items)
    html = _text(app, app.list_paths()[col.key])
    column_id = re.search(r'var columnid = "(\d+)";', html)
    assert column_id
    assert f"xhr.open('POST', '{POST_API}')" in html
    assert "fetch(" not in html
    api = f"http://{host(index)}:{served.port}{POST_API}"
    form = f"columnid={column_id.group(1)}&pageNo=1".encode()
    request = urllib.request.Request(api, data=form, method="POST", headers={"Cookie": f"{CLEARANCE}=passed"})
    with urllib.request.urlopen(request, timeout=10) as resp:
        answer = json.loads(resp.read())
    assert [item["title"] for item in answer["items"]] == [it.title for it in col.items]
    assert get(f"{api}?columnid={column_id.group(1)}&pageNo=1")[0] == 404
    assert not any(
        make_site(SMALL, i).post_lists for i in range(SMALL.sites) if make_site(SMALL, i).site.family != "script"
    )
