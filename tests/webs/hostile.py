"""The hostile web: a fault-injection web server on loopback for the reliability and link-health tests.

Standard library only (threads), no Scrapy. ``HostileWeb(port=0).start()`` (or ``with HostileWeb() as web``)
binds several loopback addresses:

- the *site* address (``127.0.0.61``): the registered hostile site (home ``/``), its hostile pages (``/h/…``),
  attachments, traps, security links, and the slowed site used by the kill/rerun tests (``/slow/``);
- the *ext* address (``127.0.0.62``): a small clean site (home ``/``, registered ``clean``) that also serves the
  link-health endpoints under ``/ext/…`` (linked only from the hostile site, so they are external links there);
- the *js* address (``127.0.0.64``): the site ``jsheavy`` whose two pinned columns need a browser (a list that
  never settles, a page that hangs the tab);
- the *reserved* address (``127.0.0.63``): a bound socket that never listens (connections are refused), the
  registered site ``down``;
- the *other* listener (``127.0.0.1``, its own port) and a *side door* (the site address on another port):
  nothing should ever reach them; any request there is a scope-guard failure.

Every request is counted in ``hits`` ((method, path) with the path percent-decoded, query kept) and, per role, in
``role_hits``; body bytes written are counted per path in ``bytes_sent``.
"""

from __future__ import annotations

import contextlib
import csv
import gzip
import json
import os
import random
import socket
import struct
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from govsites.demo.loopback import LoopbackServers
from govsites.demo.model import AS_OF
from govsites.registry import SITE_FIELDS

__all__ = ["AS_OF", "ENDPOINTS", "HostileWeb"]

REGISTRY_FIELDS = SITE_FIELDS
COLUMN_FIELDS = ("site_id", "column", "url", "category", "render")

SITE_HOST, EXT_HOST, RESERVED_HOST, JS_HOST, OTHER_HOST = (
    "127.0.0.61",
    "127.0.0.62",
    "127.0.0.63",
    "127.0.0.64",
    ("127.0.0.1"),
)

#: Formula-looking texts a crawled page may carry (they must never become spreadsheet formulas).
FORMULA_COLUMN = '=HYPERLINK("http://evil","x")'
FORMULA_ANCHORS = {"/evil/plus.html": "+1", "/evil/minus.html": "-1", "/evil/at.html": "@SUM(A1)"}
FORMULA_TYPO_LINE = "=1+2中华人名共和国国务院"

HUGE_ATTACHMENT_SIZE = 50 * 1024 * 1024  # /files/huge.pdf
HUGE_PAGE_SIZE = 40 * 1024 * 1024  # /h/huge.html, streamed without Content-Length (over DOWNLOAD_MAXSIZE)
MANY_LINKS = 10_000
SLOW_ITEMS = 45  # per column of the slowed site: 1 home + 2 lists + 90 articles + 1 broken link
DRIP_SECONDS = 120

#: path -> what it does, for the report and the tests (paths on the site address unless marked "ext").
ENDPOINTS: dict[str, str] = {
    "/": "hostile home page: links to every case below",
    "/col/news/": "column 新闻动态 (dated list, 3 items)",
    "/col/evil/": f"column named {FORMULA_COLUMN} (dated list)",
    "/evil.html": f"page titled {FORMULA_COLUMN}, anchors +1 / -1 / @SUM(A1), typo line {FORMULA_TYPO_LINE}",
    "/ws/clean.html": "target of an href with whitespace and newlines inside",
    "/base.html": "<base href=/basedir/> page; relative link page.html -> /basedir/page.html",
    "/images.html": "img 404 (/img/missing.png), srcset with a 404 candidate (/img/missing-2x.png)",
    "/附件/申请表.doc": "Chinese file name, exists (200)",
    "/附件/缺失.pdf": "Chinese file name, missing (404)",
    "/files/report.xls": "attachment (200)",
    "/files/huge.pdf": "50 MB attachment (streamed slowly on GET; bytes counted)",
    "/files/bundle.zip": "zip attachment (must only be checked, never downloaded or unpacked)",
    "/no-such-page.html": "unknown path: 200 with the site's 您访问的页面不存在 page (soft 404)",
    "/h/reset.html": "connection reset mid-body",
    "/h/drip.html": "one byte a second (must time out)",
    "/h/burst/N.html": "N=0..4: 502/503/504 twice, then 200",
    "/h/gzip-truncated.html": "Content-Encoding gzip, body cut in half",
    "/h/gzip-lying.html": "Content-Encoding gzip, body is plain HTML",
    "/h/huge.html": "40 MB text/html without Content-Length (over DOWNLOAD_MAXSIZE)",
    "/h/links10k.html": "10,000 distinct internal links (/h/many/N.html)",
    "/calendar?month=N": "infinite calendar: links to month N+1 forever",
    "/sid/index.jsp": "session ids: every link carries a fresh ;jsessionid= and ?sid=",
    "/h/binary.html": "binary bytes (with NULs) served as text/html",
    "/h/gbk-as-utf8.html": "GBK bytes declared utf-8 (title 编码测试页面甲)",
    "/h/utf8-as-gbk.html": "UTF-8 bytes declared gbk (title 编码测试页面乙)",
    "/h/waf-jsl.html": "200 __jsl_clearance cookie challenge (an internal page: status blocked)",
    "/h/malformed.html": "unclosed tags, NUL bytes; still links to /h/malformed-target.html",
    "/sec/to-other": "302 to http://127.0.0.1:<other port>/redirected (unregistered)",
    "/sec/to-side": "302 to http://127.0.0.61:<side port>/admin (registered host, other port)",
    "/sec/to-metadata": "302 to http://169.254.169.254/latest/meta-data/",
    "/slow/": "slowed site (every answer after slow_delay s): 2 columns x 45 articles, 1 broken link",
    "ext /slow/": "the same slowed site on the ext address (a twin on another host)",
    "ext /": "clean site home: columns /news/ and /notice/ (3 dated items each)",
    "ext /ext/slow.html": "answers after 2 s (fine)",
    "ext /ext/head405.html": "HEAD 405, GET 200",
    "ext /ext/head404.html": "HEAD 404, GET 200 (unreliable HEAD)",
    "ext /ext/retry503.html": "503 with Retry-After: 1 twice, then 200",
    "ext /ext/retry429.html": "429 with Retry-After: 1 once, then 200",
    "ext /ext/down503.html": "always 503",
    "ext /ext/missing.html": "404",
    "ext /ext/chain/1": "redirect chain 1 -> 2 -> 3 -> /ext/chain/end (200)",
    "ext /ext/loop/a": "redirect loop a -> b -> a",
    "ext /ext/hops/0": "12 redirect hops, then 200",
    "ext /ext/to-metadata": "302 to http://169.254.169.254/latest/meta-data/",
    "ext /ext/to-private": "302 to http://10.0.0.1/admin",
    "ext /ext/waf.html": "403 安全狗 block page",
    "ext /ext/waf-js.html": "200 __jsl_clearance cookie challenge script",
    "ext /ext/proto.html": "target of a protocol-relative link",
    "js /js/": "home of jsheavy: columns /js/never/ and /js/crash/ (pinned render=js)",
    "js /js/never/": "list drawn by script, then setInterval(fetch) forever (networkidle never comes)",
    "js /js/crash/": "while(true){} before the load event (hangs the tab)",
    "other *": "the other listener: must never be requested",
    "side *": "the site address on another port: must never be requested",
}


# -- HTML helpers ------------------------------------------------------------------------------------


def _html(title: str, body: str, charset: str = "utf-8") -> str:
    return (
        f'<!DOCTYPE html>\n<html><head><meta charset="{charset}"><title>{title}</title></head>\n'
        f"<body>\n{body}\n</body></html>\n"
    )


def _nav(columns: Iterable[tuple[str, str]]) -> str:
    items = "".join(f'<li><a href="{url}">{name}</a></li>' for url, name in columns)
    return f'<div class="nav"><ul>{items}</ul></div>'


def _list(items: Iterable[tuple[str, str, date]]) -> str:
    rows = "".join(
        f'<li><a href="{url}" title="{title}">{title}</a><span class="date">{day.isoformat()}</span></li>'
        for url, title, day in items
    )
    return f'<div class="list"><ul>{rows}</ul></div>'


def _article(title: str, day: date, text: str = "") -> str:
    body = (
        f'<div class="article"><h1>{title}</h1><div class="info">发布日期：{day.isoformat()}</div>'
        f"<p>{text or title + '。本文为测试内容，介绍有关工作情况。'}</p></div>"
    )
    return _html(title, body)


NOT_FOUND_PAGE = _html(
    "提示信息",
    '<div class="error"><p>抱歉，您访问的页面不存在或已被删除！</p><p>您访问的页面不存在</p>'
    '<p><a href="/">返回首页</a></p></div>',
)

CLEAN_COLUMNS = (("/news/", "工作动态", "动态"), ("/notice/", "通知公告", "通知"))
HOSTILE_NEWS = tuple((f"/col/news/a{i}.html", f"本县召开第{i}次工作会议", AS_OF - timedelta(days=i)) for i in (1, 2, 3))
EVIL_NEWS = ((f"/col/evil/a{i}.html", f"专项工作进展情况通报{i}", AS_OF - timedelta(days=i + 3)) for i in (1, 2))
EVIL_ITEMS = tuple(EVIL_NEWS)


def clean_items(column: str) -> tuple[tuple[str, str, date], ...]:
    """The three dated items of a clean-site column (``/news/`` or ``/notice/``)."""
    label = {c[0]: c[2] for c in CLEAN_COLUMNS}[column]
    return tuple(
        (f"{column}a{i}.html", f"关于做好第{i}项{label}工作的情况", AS_OF - timedelta(days=2 * i)) for i in (1, 2, 3)
    )


def slow_items(column: str) -> tuple[tuple[str, str, date], ...]:
    label = "要闻" if column == "/slow/news/" else "公告"
    return tuple(
        (f"{column}a{i}.html", f"全市第{i}期{label}工作简报", AS_OF - timedelta(days=i))
        for i in range(1, SLOW_ITEMS + 1)
    )


@dataclass
class Reply:
    """A plain answer: status, body, headers. ``delay`` seconds pass before it is sent."""

    status: int = 200
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    headers: tuple[tuple[str, str], ...] = ()
    delay: float = 0.0
    head_status: int | None = None  # HEAD answers with this status instead


def _reply(html: str, status: int = 200, *, delay: float = 0.0, head_status: int | None = None) -> Reply:
    return Reply(status, html.encode("utf-8"), delay=delay, head_status=head_status)


def _redirect(location: str, status: int = 302) -> Reply:
    return Reply(status, b"", headers=(("Location", location),))


# -- the server --------------------------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def handle_error(self, request: object, client_address: object) -> None:
        return  # resets and broken pipes are the point here


class HostileWeb(LoopbackServers):
    """The hostile web. ``with HostileWeb(port=0) as web: web.write_registry(path)``."""

    def __init__(self, port: int = 0, slow_delay: float = 0.3) -> None:
        super().__init__()
        self.requested_port = port
        self.slow_delay = slow_delay
        self.hits: Counter[tuple[str, str]] = Counter()
        self.role_hits: Counter[tuple[str, str, str]] = Counter()
        self.bytes_sent: Counter[str] = Counter()
        self.state: Counter[str] = Counter()  # per-path request counts for the stateful endpoints
        self.ports: dict[str, int] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()

    # ---- lifecycle -----------------------------------------------------------------------------------
    def bind(self) -> None:
        for role, host in (
            ("site", SITE_HOST),
            ("ext", EXT_HOST),
            ("js", JS_HOST),
            ("other", OTHER_HOST),
            ("side", SITE_HOST),
        ):
            port = self.requested_port if role in ("site", "ext", "js") else 0
            server = self.add_server(_Server((host, port), self._handler(role)))
            self.ports[role] = server.server_address[1]
        self.ports["reserved"] = self.reserve(RESERVED_HOST, 0)  # bound, never listening: connections are refused

    def stop(self) -> None:
        self._stopping.set()  # endpoints that drip or hang stop first
        super().stop()

    # ---- addresses -----------------------------------------------------------------------------------
    def netloc(self, role: str) -> str:
        host = {
            "site": SITE_HOST,
            "ext": EXT_HOST,
            "js": JS_HOST,
            "other": OTHER_HOST,
            "side": SITE_HOST,
            "reserved": RESERVED_HOST,
        }[role]
        return f"{host}:{self.ports[role]}"

    def url(self, path: str, role: str = "site") -> str:
        """Absolute URL of ``path`` on one of the addresses (``site`` by default)."""
        return f"http://{self.netloc(role)}{path}"

    def registry_rows(self) -> list[dict[str, str]]:
        """The hostile site, the clean site, the browser-heavy site and the down site."""
        return [
            {
                "site_id": "hostile",
                "name": "恶意测试县人民政府",
                "group": "county",
                "county": "恶意县",
                "home_url": self.url("/"),
            },
            {
                "site_id": "clean",
                "name": "清净县人民政府",
                "group": "county",
                "county": "清净县",
                "home_url": self.url("/", "ext"),
            },
            {
                "site_id": "jsheavy",
                "name": "脚本测试局",
                "group": "agency",
                "county": "市直",
                "home_url": self.url("/js/", "js"),
            },
            {
                "site_id": "down",
                "name": "停机测试局",
                "group": "agency",
                "county": "市直",
                "home_url": self.url("/", "reserved"),
            },
        ]

    def slow_registry_rows(self) -> list[dict[str, str]]:
        """The slowed site alone (every answer after ``slow_delay`` seconds)."""
        return [
            {
                "site_id": "slow",
                "name": "慢速测试局",
                "group": "agency",
                "county": "市直",
                "home_url": self.url("/slow/"),
            }
        ]

    def slow_twin_row(self) -> dict[str, str]:
        """The slowed site again, on the ext address: a site of another host."""
        return {**self.slow_registry_rows()[0], "site_id": "slow2", "home_url": self.url("/slow/", "ext")}

    def column_rows(self) -> list[dict[str, str]]:
        """Pinned columns (columns.csv) that make the crawler render jsheavy's two columns."""
        return [
            {
                "site_id": "jsheavy",
                "column": "动态列表",
                "url": self.url("/js/never/", "js"),
                "category": "news",
                "render": "js",
            },
            {
                "site_id": "jsheavy",
                "column": "崩溃列表",
                "url": self.url("/js/crash/", "js"),
                "category": "notice",
                "render": "js",
            },
        ]

    @staticmethod
    def write_csv(
        path: Path, fields: tuple[str, ...], rows: list[dict[str, str]], *, bom: bool = False, blank_lines: bool = False
    ) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")
            writer.writeheader()
            for row in rows:
                writer.writerow(row)
                if blank_lines:
                    fh.write("\n")
        return path

    def write_registry(
        self, path: Path, rows: list[dict[str, str]] | None = None, *, bom: bool = False, blank_lines: bool = False
    ) -> Path:
        return self.write_csv(
            path, REGISTRY_FIELDS, self.registry_rows() if rows is None else rows, bom=bom, blank_lines=blank_lines
        )

    def write_columns(self, path: Path) -> Path:
        return self.write_csv(path, COLUMN_FIELDS, self.column_rows())

    # ---- counters --------------------------------------------------------------------------------------
    def count(self, role: str, method: str, path: str) -> int:
        with self._lock:
            self.hits[(method, path)] += 1
            self.role_hits[(role, method, path)] += 1
            self.state[f"{role} {path}"] += 1
            return self.state[f"{role} {path}"]

    def requests_to(self, path: str, role: str = "site") -> int:
        """How many requests (any method) reached ``path`` (query included when given) on ``role``."""
        with self._lock:
            return sum(n for (r, _m, p), n in self.role_hits.items() if r == role and p == path)

    def requests_under(self, prefix: str, role: str = "site") -> int:
        with self._lock:
            return sum(n for (r, _m, p), n in self.role_hits.items() if r == role and p.startswith(prefix))

    def role_total(self, role: str) -> int:
        with self._lock:
            return sum(n for (r, _m, _p), n in self.role_hits.items() if r == role)

    def _sent(self, path: str, n: int) -> None:
        with self._lock:
            self.bytes_sent[path] += n

    # ---- request handling ------------------------------------------------------------------------------
    def _handler(self, role: str) -> type[BaseHTTPRequestHandler]:
        web = self

        class Handler(BaseHTTPRequestHandler):
            server_version = "nginx"
            sys_version = ""
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                web._serve(self, role, "GET")

            def do_HEAD(self) -> None:
                web._serve(self, role, "HEAD")

            def finish(self) -> None:
                with contextlib.suppress(OSError, ValueError):
                    super().finish()

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
                return

        return Handler

    def _serve(self, h: BaseHTTPRequestHandler, role: str, method: str) -> None:
        parts = urlsplit(h.path)
        path = unquote(parts.path)
        full = path + ("?" + unquote(parts.query) if parts.query else "")
        n = self.count(role, method, full)
        special = self._special(role, path)
        try:
            if special is not None:
                special(h, method, full)
                return
            reply = self._route(role, path, parts.query, n)
            if reply.delay:
                self._stopping.wait(reply.delay)
            status = reply.head_status if method == "HEAD" and reply.head_status else reply.status
            h.send_response(status)
            h.send_header("Content-Type", reply.content_type)
            h.send_header("Content-Length", str(len(reply.body)))
            for name, value in reply.headers:
                h.send_header(name, value)
            h.end_headers()
            if method != "HEAD" and reply.body:
                h.wfile.write(reply.body)
                self._sent(full, len(reply.body))
        except OSError:
            h.close_connection = True

    # ---- streaming / misbehaving endpoints --------------------------------------------------------------
    def _special(self, role: str, path: str) -> Callable[[BaseHTTPRequestHandler, str, str], None] | None:
        if role == "site":
            return {
                "/h/reset.html": self._reset,
                "/h/drip.html": self._drip,
                "/h/huge.html": self._huge_page,
                "/files/huge.pdf": self._huge_attachment,
            }.get(path)
        return None

    def _reset(self, h: BaseHTTPRequestHandler, method: str, full: str) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/html; charset=utf-8")
        h.send_header("Content-Length", "20000")
        h.end_headers()
        if method != "HEAD":
            h.wfile.write(b"<html><head><title>reset</title></head><body>" + b"x" * 400)
            h.wfile.flush()
            self._sent(full, 446)
            time.sleep(0.05)
        # SO_LINGER 0: closing the descriptor sends RST instead of FIN (detach: rfile still holds the socket)
        h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        os.close(h.connection.detach())
        h.close_connection = True

    def _drip(self, h: BaseHTTPRequestHandler, method: str, full: str) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/html; charset=utf-8")
        h.send_header("Content-Length", str(DRIP_SECONDS))
        h.end_headers()
        h.close_connection = True
        if method == "HEAD":
            return
        for _ in range(DRIP_SECONDS):
            h.wfile.write(b" ")
            h.wfile.flush()
            self._sent(full, 1)
            if self._stopping.wait(1.0):
                return

    def _huge_page(self, h: BaseHTTPRequestHandler, method: str, full: str) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/html; charset=utf-8")
        h.send_header("Connection", "close")  # no Content-Length: the size is only known by reading
        h.end_headers()
        h.close_connection = True
        if method == "HEAD":
            return
        chunk = b"<p>" + "大量重复的文字内容。".encode() * 8000 + b"</p>\n"
        h.wfile.write(b"<html><head><title>huge</title></head><body>")
        sent = 0
        while sent < HUGE_PAGE_SIZE and not self._stopping.is_set():
            h.wfile.write(chunk)
            sent += len(chunk)
            self._sent(full, len(chunk))

    def _huge_attachment(self, h: BaseHTTPRequestHandler, method: str, full: str) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "application/pdf")
        h.send_header("Content-Length", str(HUGE_ATTACHMENT_SIZE))
        h.end_headers()
        h.close_connection = True
        if method == "HEAD":
            return
        chunk = b"%PDF-1.4\n" + b"0" * (64 * 1024 - 9)
        sent = 0
        time.sleep(0.2)
        while sent < HUGE_ATTACHMENT_SIZE and not self._stopping.is_set():
            h.wfile.write(chunk)
            sent += len(chunk)
            self._sent(full, len(chunk))
            time.sleep(0.01)  # ~6 MB/s: a full download would take seconds and show in the counter

    # ---- plain endpoints ---------------------------------------------------------------------------------
    def _route(self, role: str, path: str, query: str, n: int) -> Reply:
        if role == "site":
            return self._site(path, query, n)
        if role == "ext":
            return self._ext(path, n)
        if role == "js":
            return self._js(path)
        return _reply(_html("内部系统", "<p>internal secret</p>"))  # other / side: must never be reached

    def _site(self, path: str, query: str, n: int) -> Reply:
        if path.startswith("/slow/"):
            return self._slow(path)
        if path == "/":
            return _reply(self._hostile_home())
        pages = self._hostile_pages()
        if path in pages:
            return pages[path]
        if path.startswith("/h/burst/"):
            return (
                Reply(502 + n % 3, b"<html><body>Bad Gateway</body></html>")
                if n <= 2
                else _reply(_html("恢复正常", "<p>服务已恢复。</p>"))
            )
        if path.startswith("/h/many/"):
            return _reply(_html("批量页面", "<p>第 N 个批量页面。</p>"))
        if path == "/calendar":
            month = _int(parse_qs(query).get("month", ["0"])[0])
            body = f'<p>第 {month} 月的活动安排</p><a href="/calendar?month={month + 1}">下个月</a>'
            return _reply(_html(f"日历 {month}", body))
        if path.startswith("/sid/"):
            links = "".join(
                f'<li><a href="/sid/page{i}.jsp;jsessionid={uuid.uuid4().hex[:16]}?sid={uuid.uuid4().hex[:8]}">'
                f"会话页面{i}</a></li>"
                for i in range(5)
            )
            return _reply(_html("会话页面", f"<ul>{links}</ul>"))
        if path.startswith(("/img/", "/附件/", "/files/")):
            return Reply(404, b"Not Found", "text/plain")
        # every other path: the site's own not-found page, served with 200 (a soft 404)
        return _reply(NOT_FOUND_PAGE)

    def _hostile_home(self) -> str:
        ext, other = self.netloc("ext"), self.netloc("other")
        reserved = self.netloc("reserved")
        other_port = self.ports["other"]
        nav = _nav([("/col/news/", "新闻动态"), ("/col/evil/", FORMULA_COLUMN)])
        lh = [
            (f"http://{ext}/ext/slow.html", "慢速但正常"),
            (f"http://{ext}/ext/head405.html", "HEAD不允许"),
            (f"http://{ext}/ext/head404.html", "HEAD不可靠"),
            (f"http://{ext}/ext/retry503.html", "暂时不可用"),
            (f"http://{ext}/ext/retry429.html", "请求过多"),
            (f"http://{ext}/ext/down503.html", "长期不可用"),
            (f"http://{ext}/ext/missing.html", "外部失效"),
            (f"http://{ext}/ext/chain/1", "跳转链"),
            (f"http://{ext}/ext/loop/a", "跳转循环"),
            (f"http://{ext}/ext/hops/0", "跳转过多"),
            (f"http://{ext}/ext/to-metadata", "跳转到元数据"),
            (f"http://{ext}/ext/to-private", "跳转到内网"),
            (f"http://{ext}/ext/waf.html", "防火墙拦截"),
            (f"http://{ext}/ext/waf-js.html", "防火墙验证"),
            (f"//{ext}/ext/proto.html", "协议相对链接"),
            ("/附件/申请表.doc", "申请表"),
            ("/附件/缺失.pdf", "缺失的附件"),
            ("/files/report.xls", "统计报表"),
            ("/files/huge.pdf", "超大附件"),
            ("/files/bundle.zip", "压缩包"),
            ("/no-such-page.html", "无效链接示例"),
            ("/base.html", "基准地址页面"),
            ("/images.html", "图片页面"),
            ("/evil.html", "公式页面"),
        ]
        hostile = [
            ("/h/reset.html", "连接重置"),
            ("/h/drip.html", "滴灌"),
            ("/h/gzip-truncated.html", "截断压缩"),
            ("/h/gzip-lying.html", "虚假压缩"),
            ("/h/huge.html", "超大页面"),
            ("/h/links10k.html", "一万链接"),
            ("/calendar?month=1", "活动日历"),
            ("/sid/index.jsp", "会话页面"),
            ("/h/binary.html", "二进制页面"),
            ("/h/gbk-as-utf8.html", "编码甲"),
            ("/h/utf8-as-gbk.html", "编码乙"),
            ("/h/malformed.html", "畸形页面"),
            ("/h/waf-jsl.html", "站内防火墙验证"),
            *((f"/h/burst/{i}.html", f"突发错误{i}") for i in range(5)),
        ]
        security = [
            ("http://10.0.0.1/admin", "内网地址"),
            ("http://169.254.169.254/latest/meta-data/", "元数据地址"),
            (f"http://localhost:{other_port}/secret", "本机名称"),
            (f"http://admin.localhost:{other_port}/secret", "本机子域名"),
            (f"http://{other}/direct", "未登记端口"),
            ("/sec/to-other", "跳转到本机其他端口"),
            ("/sec/to-side", "跳转到本站其他端口"),
            ("/sec/to-metadata", "站内跳转到元数据"),
            (f"ftp://{other}/file.txt", "文件传输"),
            (f"gopher://{other}/1", "地鼠协议"),
            (f"http://{reserved}/page.html", "停机站点"),
        ]
        ws = '<li><a href="\n   /ws/\nclean.html \t">含空白的链接</a></li>'
        links = "".join(f'<li><a href="{u}">{t}</a></li>' for u, t in lh + hostile + security) + ws
        news = _list(HOSTILE_NEWS[:2])
        body = f'{nav}<div class="block"><h3>新闻动态</h3>{news}</div><div class="links"><ul>{links}</ul></div>'
        return _html("恶意测试县人民政府", body)

    def _hostile_pages(self) -> dict[str, Reply]:
        other, side = self.netloc("other"), self.netloc("side")
        evil_links = "".join(f'<li><a href="{u}">{t}</a></li>' for u, t in FORMULA_ANCHORS.items())
        pages: dict[str, Reply] = {
            "/col/news/": _reply(_html("新闻动态", _list(HOSTILE_NEWS))),
            "/col/evil/": _reply(_html("专项工作", _list(EVIL_ITEMS))),
            "/evil.html": _reply(_html(FORMULA_COLUMN, f"<p>{FORMULA_TYPO_LINE}</p><ul>{evil_links}</ul>")),
            "/ws/clean.html": _reply(_html("空白链接目标", "<p>链接中的空白字符应被去除。</p>")),
            "/base.html": _reply(
                '<html><head><base href="/basedir/"><title>基准地址</title></head>'
                '<body><a href="page.html">基准相对链接</a></body></html>'
            ),
            "/basedir/page.html": _reply(_html("基准目录页面", "<p>正常页面。</p>")),
            "/images.html": _reply(
                _html(
                    "图片页面",
                    '<img src="/img/missing.png" alt="缺失图片"><img src="/img/ok.png" '
                    'srcset="/img/ok.png 1x, /img/missing-2x.png 2x" alt="高清图片">',
                )
            ),
            "/img/ok.png": Reply(200, b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "image/png"),
            "/附件/申请表.doc": Reply(200, b"\xd0\xcf\x11\xe0" + b"\0" * 2000, "application/msword"),
            "/files/report.xls": Reply(200, b"\xd0\xcf\x11\xe0" + b"\0" * 2000, "application/vnd.ms-excel"),
            "/files/bundle.zip": Reply(200, _ZIP_BYTES, "application/zip"),
            "/h/burst-index.html": _reply(_html("突发", "")),
            "/h/gzip-truncated.html": Reply(
                200, _GZIP_PAGE[: len(_GZIP_PAGE) // 2], headers=(("Content-Encoding", "gzip"),)
            ),
            "/h/gzip-lying.html": Reply(
                200, _html("虚假压缩", "<p>这不是压缩数据。</p>").encode(), headers=(("Content-Encoding", "gzip"),)
            ),
            "/h/links10k.html": _reply(
                _html("一万链接", "".join(f'<a href="/h/many/{i}.html">链接{i}</a>\n' for i in range(MANY_LINKS)))
            ),
            "/h/binary.html": Reply(200, random.Random(7).randbytes(30_000) + b"\0\0\0", "text/html"),
            "/h/gbk-as-utf8.html": Reply(
                200,
                _html("编码测试页面甲", "<p>政府信息公开工作年度报告。</p>", "utf-8").encode("gbk"),
                "text/html; charset=utf-8",
            ),
            "/h/utf8-as-gbk.html": Reply(
                200,
                _html("编码测试页面乙", "<p>政府信息公开工作年度报告。</p>", "gbk").encode("utf-8"),
                "text/html; charset=gbk",
            ),
            "/h/malformed.html": Reply(
                200,
                (
                    "<html><head><title>畸形页面</title><body><div><p>未闭合的段落<table><tr><td>单元格"
                    "\0\0<a href='/h/malformed-target.html'>畸形链接目标<div><span>\0"
                ).encode(),
            ),
            "/h/waf-jsl.html": Reply(200, _JSL_CHALLENGE.encode()),
            "/h/malformed-target.html": _reply(_html("畸形链接目标", "<p>正常。</p>")),
            "/sec/to-other": _redirect(f"http://{other}/redirected"),
            "/sec/to-side": _redirect(f"http://{side}/admin"),
            "/sec/to-metadata": _redirect("http://169.254.169.254/latest/meta-data/"),
        }
        for url, title, day in HOSTILE_NEWS + EVIL_ITEMS:
            pages[url] = _reply(_article(title, day))
        for url in FORMULA_ANCHORS:
            pages[url] = _reply(_html("公式目标", "<p>正常页面。</p>"))
        return pages

    def _slow(self, path: str) -> Reply:
        reply = self._slow_page(path)
        reply.delay = self.slow_delay
        return reply

    def _slow_page(self, path: str) -> Reply:
        if path == "/slow/":
            nav = _nav([("/slow/news/", "工作要闻"), ("/slow/notice/", "通知公告")])
            extra = '<div class="links"><a href="/slow/gone.html">往年旧页面</a></div>'
            return _reply(_html("慢速测试局", nav + extra))
        for column in ("/slow/news/", "/slow/notice/"):
            items = slow_items(column)
            if path == column:
                return _reply(_html("工作要闻" if "news" in column else "通知公告", _list(items)))
            for url, title, day in items:
                if path == url:
                    return _reply(_article(title, day))
        return Reply(404, _html("404", "<p>404 Not Found</p>").encode())

    def _ext(self, path: str, n: int) -> Reply:
        if path.startswith("/slow/"):
            return self._slow(path)
        if path == "/":
            nav = _nav((c[0], c[1]) for c in CLEAN_COLUMNS)
            blocks = "".join(
                f'<div class="block"><h3>{name}</h3>{_list(clean_items(url)[:2])}</div>'
                for url, name, _ in CLEAN_COLUMNS
            )
            return _reply(_html("清净县人民政府", nav + blocks))
        for column, name, _label in CLEAN_COLUMNS:
            items = clean_items(column)
            if path == column:
                return _reply(_html(name, _list(items)))
            for url, title, day in items:
                if path == url:
                    return _reply(_article(title, day))
        ok = _reply(_html("外部页面", "<p>正常。</p>"))
        waf_html = (
            "<html><head><title>网站防火墙</title></head><body><div>您的访问请求可能对网站造成安全威胁，"
            "已被网站安全狗拦截。</div></body></html>"
        )
        if path.startswith("/ext/chain/"):
            step = path.rsplit("/", 1)[1]
            nxt = {"1": "2", "2": "3", "3": "end"}.get(step)
            return _redirect(f"/ext/chain/{nxt}") if nxt else ok
        if path.startswith("/ext/loop/"):
            return _redirect("/ext/loop/b" if path.endswith("/a") else "/ext/loop/a")
        if path.startswith("/ext/hops/"):
            hop = _int(path.rsplit("/", 1)[1])
            return _redirect(f"/ext/hops/{hop + 1}") if hop < 12 else ok
        table: dict[str, Reply] = {
            "/ext/slow.html": _reply(_html("慢速页面", "<p>正常。</p>"), delay=2.0),
            "/ext/head405.html": _reply(_html("外部页面", "<p>正常。</p>"), head_status=405),
            "/ext/head404.html": _reply(_html("外部页面", "<p>正常。</p>"), head_status=404),
            "/ext/retry503.html": ok if n > 2 else Reply(503, b"busy", "text/plain", (("Retry-After", "1"),)),
            "/ext/retry429.html": ok if n > 1 else Reply(429, b"slow down", "text/plain", (("Retry-After", "1"),)),
            "/ext/down503.html": Reply(503, b"Service Unavailable", "text/plain", (("Retry-After", "1"),)),
            "/ext/to-metadata": _redirect("http://169.254.169.254/latest/meta-data/"),
            "/ext/to-private": _redirect("http://10.0.0.1/admin"),
            "/ext/waf.html": Reply(403, waf_html.encode(), headers=(("Server", "Safedog"),)),
            "/ext/waf-js.html": Reply(200, _JSL_CHALLENGE.encode()),
            "/ext/proto.html": ok,
            "/ext/poll": Reply(200, b"{}", "application/json"),
        }
        return table.get(path, Reply(404, _html("404 Not Found", "<p>Not Found</p>").encode()))

    def _js(self, path: str) -> Reply:
        if path == "/js/":
            nav = _nav([("/js/never/", "动态列表"), ("/js/crash/", "崩溃列表")])
            return _reply(_html("脚本测试局", nav))
        items = [
            {
                "url": f"/js/a{i}.html",
                "title": f"脚本渲染的第{i}条信息",
                "date": (AS_OF - timedelta(days=i)).isoformat(),
            }
            for i in (1, 2, 3)
        ]
        if path == "/js/never/":
            script = (
                "<script>var items=" + json.dumps(items, ensure_ascii=False) + ";"
                "var ul=document.getElementById('list');"
                "items.forEach(function(it){var li=document.createElement('li');"
                "li.innerHTML='<a href=\"'+it.url+'\">'+it.title+'</a><span>'+it.date+'</span>';ul.appendChild(li);});"
                "setInterval(function(){fetch('/js/poll?t='+Date.now()).catch(function(){});},150);</script>"
            )
            return _reply(_html("动态列表", f'<div class="list"><ul id="list"></ul></div>{script}'))
        if path == "/js/crash/":
            return _reply(
                _html("崩溃列表", '<div class="list"><ul id="list"></ul></div><script>while(true){}</script>')
            )
        if path == "/js/poll":
            return Reply(200, b'{"ok":true}', "application/json")
        for item in items:
            if path == item["url"]:
                return _reply(_article(item["title"], date.fromisoformat(item["date"])))
        return Reply(404, b"Not Found", "text/plain")


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        return 0


def _zip_bytes() -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("../../escape.sh", "#!/bin/sh\ntouch /tmp/govsites-pwned\n")
        archive.writestr("readme.txt", "压缩包内容")
    return buffer.getvalue()


_ZIP_BYTES = _zip_bytes()
_JSL_CHALLENGE = (
    "<html><script>document.cookie=('__jsl_clearance=1563435214.15|0|'+(function(){return 'x'})())"
    ";location.href=location.pathname+location.search</script></html>"
)
_GZIP_PAGE = gzip.compress(_html("截断压缩", "<p>" + "压缩内容。" * 2000 + "</p>").encode(), mtime=0)
