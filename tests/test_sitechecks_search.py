"""The site search check against a real local HTTP server (stdlib ``http.server`` on 127.0.0.1, port 0):
the home page's form is found, the request for an article title is built and sent with ``urllib.request``,
and the results page is judged. Forms modelled on TRS (POST ``searchword``), Hanweb (GET ``q``), a
script-submitted search box (gov.cn style) and a GBK page whose query must be sent in GBK."""

from __future__ import annotations

import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from govsites.sitechecks.markup import SitePage
from govsites.sitechecks.search import (
    SearchForm,
    build_search_request,
    find_search_form,
    judge_results,
    judge_search,
)

ARTICLES = ("关于印发2019年政务公开工作要点的通知", "安康市召开网站建设工作推进会", "旬阳县2018年政府网站工作年度报表")

HOMES = {
    "/trs/": """<form id="schform" method="post" name="schform" action="/was5/web/search" accept-charset="utf-8">
        <input type="hidden" name="channelid" value="258715">
        <input type="text" placeholder="本站检索" id="keyword" name="searchword"><input type="submit" value="搜索">
        </form><form action="/login" method="post"><input name="user"><input type="password" name="pw"></form>""",
    "/hanweb/": """<form id="search-form" action="/jsearch/search.do?appid=1&stale=1" target="_blank" method="get">
        <input type="hidden" name="websiteid" value="610900000000000"><input type="hidden" name="tpl" value="492">
        <input type="text" name="q" class="search-text"><input type="image" src="/s.png" alt="搜索"></form>""",
    "/script/": """<form><input class="header_search_txt" name="headSearchword" type="text"
        onkeydown="listenerKeyUpEventFn()"></form>
        <script>function goSearch(){ var s = document.querySelector('[name=headSearchword]').value;
        // url = '/old/search.jsp?kw=' + s;
        window.open('/sousuo/search.shtml?code=17da70961a7&dataTypeId=107&searchWord=' + encodeURIComponent(s)); }
        </script>""",
    "/gbk/": """<form action="/gbksearch" method="get"><input type="text" name="keyword" title="请输入关键字">
        <select name="scope"><option value="all" selected>全站</option><option value="xxgk">信息公开</option></select>
        <input type="submit" value="检索"></form>""",
    "/broken/": """<form action="/broken/search" method="get"><input type="text" name="q">
        <input type="submit" value="搜索"></form>""",
    "/none/": """<form action="/letters" method="post"><input name="name"><textarea name="content"></textarea>
        </form>""",
}


def results_page(query: str, charset: str = "utf-8") -> str:
    found = [title for title in ARTICLES if query and query in title]
    if not found:
        return f"<html><body><p>您搜索的“{query}”共找到 0 条结果，请更换关键词。</p></body></html>"
    items = "".join(
        f'<li><a href="/art/{n}.html">{title.replace(query, "<em>" + query + "</em>")}</a><span>2019-03-01</span></li>'
        for n, title in enumerate(found)
    )
    head = f"<html><head><meta charset='{charset}'></head>"
    return f"{head}<body><p>共找到 {len(found)} 条</p><ul>{items}</ul></body></html>"


class Handler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the stdlib's signature
        return

    def send(self, status: int, html: str, charset: str = "utf-8") -> None:
        body = html.encode(charset)
        self.send_response(status)
        self.send_header("Content-Type", f"text/html; charset={charset}")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        if parts.path == "/gbk/":
            html = (
                "<html><head><meta http-equiv='Content-Type' content='text/html; charset=gbk'></head><body>"
                f"{HOMES['/gbk/']}</body></html>"
            )
            self.send(200, html, "gbk")
        elif parts.path in HOMES:
            self.send(200, f"<html><head><meta charset='utf-8'></head><body>{HOMES[parts.path]}</body></html>")
        elif parts.path == "/jsearch/search.do":
            params = parse_qs(parts.query)
            if "appid" in params or params.get("websiteid") != ["610900000000000"]:
                self.send(400, "<p>参数错误</p>")  # a browser drops the action's own query on a GET form
            else:
                self.send(200, results_page(params.get("q", [""])[0]))
        elif parts.path == "/sousuo/search.shtml":
            params = parse_qs(parts.query)
            ok = params.get("code") == ["17da70961a7"] and params.get("dataTypeId") == ["107"]
            self.send(200 if ok else 400, results_page(params.get("searchWord", [""])[0]) if ok else "<p>bad</p>")
        elif parts.path == "/gbksearch":
            params = parse_qs(parts.query, encoding="gbk")
            ok = params.get("scope") == ["all"]
            self.send(200 if ok else 400, results_page(params.get("keyword", [""])[0], "gbk"), "gbk")
        elif parts.path == "/broken/search":
            self.send(500, "<html><body><h1>Internal Server Error</h1></body></html>")
        else:
            self.send(404, "<p>404</p>")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        params = parse_qs(self.rfile.read(length).decode("utf-8"))
        if self.path == "/was5/web/search" and params.get("channelid") == ["258715"]:
            self.send(200, results_page(params.get("searchword", [""])[0]))
        else:
            self.send(400, "<p>bad</p>")


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


def fetch(
    url: str, data: bytes | None = None, method: str = "GET", headers: tuple[tuple[str, str], ...] = ()
) -> tuple[int, SitePage]:
    request = urllib.request.Request(url, data=data, method=method, headers=dict(headers))
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, SitePage.from_bytes(response.read(), url, response.headers.get_content_charset())
    except urllib.error.HTTPError as exc:
        return exc.code, SitePage.from_bytes(exc.read(), url, exc.headers.get_content_charset())


def run_search(home_url: str, title: str) -> tuple[SearchForm | None, str, str]:
    """Home page -> form -> request -> results -> judgement, as the crawl will do it."""
    _status, home = fetch(home_url)
    form = find_search_form(home)
    if form is None:
        result = judge_search(None, title)
        return None, result.status, result.detail
    request = build_search_request(form, title)
    status, results = fetch(request.url, request.body or None, request.method, request.headers)
    result = judge_search(form, title, results, status)
    return form, result.status, result.detail


@pytest.mark.parametrize(
    ("home", "title", "method", "field", "status"),
    [
        ("/trs/", ARTICLES[0], "POST", "searchword", "ok"),
        ("/hanweb/", ARTICLES[1], "GET", "q", "ok"),
        ("/script/", ARTICLES[2], "GET", "searchWord", "ok"),
        ("/gbk/", ARTICLES[0], "GET", "keyword", "ok"),
        ("/trs/", "一篇不存在的文章标题", "POST", "searchword", "wrong"),
        ("/hanweb/", "一篇不存在的文章标题", "GET", "q", "wrong"),
        ("/broken/", ARTICLES[0], "GET", "q", "wrong"),
    ],
)
def test_search_through_a_live_server(server: str, home: str, title: str, method: str, field: str, status: str) -> None:
    form, seen, detail = run_search(server + home, title)
    assert form is not None
    assert (form.method, form.field) == (method, field)
    assert seen == status, detail


def test_gbk_query_is_sent_in_gbk(server: str) -> None:
    _status, home = fetch(server + "/gbk/")
    form = find_search_form(home)
    assert form is not None
    assert form.encoding == "gb18030"
    request = build_search_request(form, "政务公开")
    assert "keyword=%D5%FE%CE%F1%B9%AB%BF%AA" in request.url
    assert "scope=all" in request.url


def test_no_search_form_is_missing(server: str) -> None:
    form, status, detail = run_search(server + "/none/", ARTICLES[0])
    assert form is None
    assert status == "missing"
    assert "站内搜索" in detail


def test_failed_and_empty_results_say_why(server: str) -> None:
    _form, status, detail = run_search(server + "/broken/", ARTICLES[0])
    assert status == "wrong"
    assert "HTTP 500" in detail
    _form, status, detail = run_search(server + "/trs/", "不存在的标题")
    assert "无结果" in detail


@pytest.mark.parametrize(
    ("html", "status"),
    [
        ('<ul><li><a href="/1.html">关于印发2019年政务公开<font color=red>工作要点</font>的通知</a></li></ul>', "ok"),
        ('<ul><li><a href="/1.html">关于印发2019年政务公开工作要点...</a></li></ul>', "ok"),  # truncated title
        ("<p>您搜索的是：关于印发2019年政务公开工作要点的通知</p><p>共找到 0 条</p>", "wrong"),
        ("<p>您搜索的是：关于印发2019年政务公开工作要点的通知</p><ul><li><a href='/2'>其他文章</a></li></ul>", "wrong"),
        ("<p>系统繁忙，请稍后再试</p>", "wrong"),
    ],
)
def test_judge_results(html: str, status: str) -> None:
    result = judge_results(SitePage(f"<html><body>{html}</body></html>", "http://127.0.0.1/s"), ARTICLES[0])
    assert result.status == status, result.detail


def test_without_a_title_the_search_is_not_applicable() -> None:
    form = SearchForm("http://127.0.0.1/s", "GET", "q")
    assert judge_search(form, "  ").status == "not_applicable"
    assert judge_search(form, ARTICLES[0], failure="timed out").status == "wrong"


REAL = Path(__file__).resolve().parents[1].parent / "shared" / "real-pages"


@pytest.mark.shared
@pytest.mark.parametrize(
    ("name", "action", "method", "field", "source"),
    [
        (
            "kevin3691__renmin/hd_gov_cn_xxgk_index.jsp.html",
            "http://www.hd.gov.cn/was5/web/search",
            "POST",
            "searchword",
            "form",
        ),
        (
            "GeneralNewsExtractor__GeneralNewsExtractor/gzggw_1.html",
            "http://search.zj.gov.cn/jrobotfront/search.do",
            "GET",
            "q",
            "form",
        ),
        (
            "GeneralNewsExtractor__GeneralNewsExtractor/other_1.html",
            "http://sousuo.www.gov.cn/sousuo/search.shtml",
            "GET",
            "searchWord",
            "script",
        ),
        (
            "GeneralNewsExtractor__GeneralNewsExtractor/shanxi_1.html",
            "http://www.shanxi.gov.cn/search/sxgovsearch.jsp",
            "POST",
            "sword",
            "form",
        ),
        (
            "Yuhamixli__nfra.gov.cn/nfra_page_source_debug.html",
            "http://www.shanxi.gov.cn/cn/view/pages/index/jiansuo.html",
            "GET",
            "keyWords",
            "script",
        ),
    ],
)
def test_real_pages_search_forms(name: str, action: str, method: str, field: str, source: str) -> None:
    path = REAL / name
    if not path.exists():
        pytest.skip("../shared/ not present (a user's clone): real-page test skipped")
    form = find_search_form(SitePage.from_bytes(path.read_bytes(), "http://www.shanxi.gov.cn/"))
    assert form is not None
    assert (form.action, form.method, form.field, form.source) == (action, method, field, source)
