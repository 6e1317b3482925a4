"""Crawl coverage on a local web of an older county site: query-string article URLs reached through a column's
paginated list are all crawled (their links checked, their typos found); a calendar trap is still capped.

The web is a real HTTP server on loopback started by the test; the crawl runs as ``python -m govsites crawl``
into a real SQLite store that the test reads back.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.helpers import crawl_command, run

ARTICLES, PER_PAGE = 80, 10
AS_OF = "2026-12-01"


def page(title: str, body: str) -> str:
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title></head><body>'
        f'<div class="nav"><a href="/index.asp">首页</a> <a href="/list.asp?page=1">通知公告</a></div>'
        f'<div class="side"><a href="/calendar.asp?d=1">活动日历</a></div>{body}'
        f'<div class="footer">某某县人民政府办公室 主办</div></body></html>'
    )


def list_page(number: int) -> str:
    first = (number - 1) * PER_PAGE + 1
    items = "".join(
        f'<li><a href="/show.asp?id={i}">关于做好第{i}项工作的通知</a><span>2026-11-{1 + i % 28:02d}</span></li>'
        for i in range(first, first + PER_PAGE)
    )
    pages = ARTICLES // PER_PAGE
    pager = "".join(f'<a href="/list.asp?page={n}">{n}</a> ' for n in range(1, pages + 1) if n != number)
    following = f'<a href="/list.asp?page={number + 1}">下一页</a>' if number < pages else ""
    return page(
        "通知公告",
        f'<h2>通知公告</h2><ul class="list">{items}</ul><div class="pager">共{pages}页 {pager}{following}</div>',
    )


def article(number: int) -> str:
    return page(
        f"关于做好第{number}项工作的通知",
        f"<h1>关于做好第{number}项工作的通知</h1>"
        f"<p>发布日期：2026-11-{1 + number % 28:02d}</p><p>各乡镇：为贯彻落实中华人民共合国有关法律，"
        f'现将第{number}项工作通知如下。</p><p><a href="/files/missing{number}.html">附件{number}</a></p>',
    )


class CountySite(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        body: str | None = None
        if parts.path in ("/", "/index.asp"):
            body = page("某某县人民政府", '<h2>通知公告</h2><a href="/list.asp?page=1">更多</a>')
        elif parts.path == "/list.asp" and 1 <= int(query.get("page", "0")) <= ARTICLES // PER_PAGE:
            body = list_page(int(query["page"]))
        elif parts.path == "/show.asp" and 1 <= int(query.get("id", "0")) <= ARTICLES:
            body = article(int(query["id"]))
        elif parts.path == "/calendar.asp":
            day = int(query.get("d", "1"))
            body = page("活动日历", f'<p>第{day}天</p><a href="/calendar.asp?d={day + 1}">后一天</a>')
        data = (body or "<html><body>404 Not Found</body></html>").encode()
        self.send_response(200 if body is not None else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the http.server API
        pass


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, sqlite3.Connection]]:
    tmp = tmp_path_factory.mktemp("coverage")
    server = ThreadingHTTPServer(("127.0.0.7", 0), CountySite)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    home = f"http://127.0.0.7:{server.server_address[1]}/"
    registry = tmp / "sites.csv"
    registry.write_text(
        f"site_id,name,group,county,home_url\nold,某某县人民政府,county,某某县,{home}\n", encoding="utf-8"
    )
    db = tmp / "store.sqlite"
    try:
        result = run(
            crawl_command(registry, db, "cov", AS_OF, "--allow-private", "-s", "GOVSITES_MAX_QUERY_VARIANTS=2")
        )
    finally:
        server.shutdown()
        server.server_close()
    assert result.returncode == 0, result.stderr[-3000:]
    connection = sqlite3.connect(db)
    yield result.stderr, connection
    connection.close()


def test_every_listed_query_string_article_is_crawled(crawled: tuple[str, sqlite3.Connection]) -> None:
    _log, db = crawled
    parsed = {url for (url,) in db.execute("SELECT url FROM pages WHERE status = '200'")}
    articles = {url for url in parsed if "/show.asp?id=" in url}
    assert len(articles) == ARTICLES
    checked = {url for (url,) in db.execute("SELECT url FROM link_checks WHERE broken = 1")}
    assert sum("/files/missing" in url for url in checked) == ARTICLES
    typo_pages = {url for (url, wrong) in db.execute("SELECT url, wrong FROM typos") if wrong == "中华人民共合国"}
    assert len({url for url in typo_pages if "/show.asp?id=" in url}) == ARTICLES


def test_calendar_trap_is_still_capped_and_counted(crawled: tuple[str, sqlite3.Connection]) -> None:
    log, db = crawled
    days = {url for (url,) in db.execute("SELECT url FROM pages WHERE url LIKE '%calendar.asp%'")}
    assert len(days) == 2  # GOVSITES_MAX_QUERY_VARIANTS: beyond them, pages are only read for their verdict
    checked = {url for (url,) in db.execute("SELECT url FROM link_checks WHERE url LIKE '%calendar.asp%'")}
    assert checked - days
    assert "同一路径的查询参数变体上限" in log
    ((capped,),) = db.execute("SELECT pages_capped FROM run_sites WHERE site_id = 'old'")
    assert capped == len(checked - days)  # the partial evaluation reaches the store (and metrics.csv)
