"""A loopback web whose script-filled column lists never finish loading (the browser cannot render them).

One site, 某某市水利局, on ``127.0.0.73``: its home page names three columns in its menu. 工作动态 is a plain HTML
list (three dated articles). 通知公告 and 财政预决算 are filled by a script that fetches ``/api/list?col=…``, an
address that never answers while the web runs (it is released when the web stops): the page opens, its script
waits for good, and a browser render of it can only end at the crawl's render deadline. Their lists are
therefore never read, which is what the crawl must say (``unrendered``, with the reason), never an unreachable
column and never one read and found fine. With ``stalled`` false (an earlier crawl), the same two columns are
plain HTML lists last updated in January 2025: stale. With ``stalled_home`` the home page's own script waits on
the same address (the browser's render of the home page, for the dark-link check, cannot end either). Requests
are counted per path.

Standard library only, on the shared loopback lifecycle (:class:`govsites.demo.loopback.LoopbackServers`).
"""

from __future__ import annotations

import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from govsites.demo.loopback import LoopbackServers
from tests.webs.unbuilt import NOT_FOUND, article_page, column_page, page, row

HOST = "127.0.0.73"
AS_OF = "2026-11-20"
NAME = "某某市水利局"
#: The columns a script fills from an address that never answers: path → name.
STALLED = {"/tzgg/": "通知公告", "/czyjs/": "财政预决算"}
#: The plain HTML column: path, name, its articles (dated 2026-11-11 … 2026-11-13).
PLAIN = ("/gzdt/", "工作动态", 3)


def script_list(name: str, slug: str) -> str:
    """A column page whose list a script fills from ``/api/list?col=<slug>`` (which never answers)."""
    fill = (
        "function(d){var ul=document.getElementById('list');d.data.forEach(function(it){"
        "var li=document.createElement('li');li.innerHTML='<a href=\"'+it.url+'\">'+it.title+'</a>"
        "<span>'+it.pubDate+'</span>';ul.appendChild(li);});}"
    )
    script = f"<script>fetch('/api/list?col={slug}').then(function(r){{return r.json();}}).then({fill});</script>"
    return f'<h2>{name}</h2><ul id="list" class="list"></ul>{script}'


def old_list(name: str, folder: str) -> str:
    """A plain HTML list of two articles of January 2025."""
    items = "".join(
        f'<li><a href="{folder}old{i}.html">{name}第{i}号</a><span>2025-01-{10 + i:02d}</span></li>' for i in (1, 2)
    )
    return f'<h2>{name}</h2><ul class="list">{items}</ul>'


class StalledListWeb(LoopbackServers):
    """The web of the module docstring; ``hits`` counts requests per path."""

    def __init__(self) -> None:
        super().__init__()
        self.stalled = True  # False: the two columns are plain lists, stale
        self.stalled_home = False  # True: the home page's own script waits for good too (its render cannot end)
        self.port = 0
        self.hits: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.released = threading.Event()  # set when the web stops: the waiting answers end

    def bind(self) -> None:
        web = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                web.respond(self)

            def do_HEAD(self) -> None:
                web.respond(self, head=True)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the http.server API
                pass

        self.released.clear()
        self.port = int(self.add_server(ThreadingHTTPServer((HOST, 0), Handler)).server_address[1])

    def shutdown(self) -> None:
        self.released.set()
        super().shutdown()

    def url(self, path: str = "/") -> str:
        return f"http://{HOST}:{self.port}{path}"

    def registry_rows(self) -> list[dict[str, str]]:
        return [row("stalled", NAME, "agency", "市直", self.url())]

    def nav(self) -> str:
        menu = {PLAIN[0]: PLAIN[1], **STALLED}
        return " ".join(f'<a href="{path}">{name}</a>' for path, name in menu.items())

    def respond(self, handler: BaseHTTPRequestHandler, head: bool = False) -> None:
        path = urlsplit(handler.path).path
        with self.lock:
            self.hits[path] += 1
        if path == "/api/list":
            self.released.wait(120)  # never answers while the web runs: the script waits for good
            status, body = 503, ""
        else:
            status, body, _headers = self.answer(path)
        data = body.encode()
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", "text/html; charset=utf-8")
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            if not head:
                handler.wfile.write(data)
        except OSError:  # the browser gave up on the answer (its page was closed)
            pass

    def answer(self, path: str) -> tuple[int, str, list[tuple[str, str]]]:
        nav = self.nav()
        folder, name, count = PLAIN
        if path == "/":
            block = (
                f'<div class="block"><h2>{name}</h2><a href="{folder}">更多</a>'
                f'<ul><li><a href="{folder}art1.html">{name}第1期工作动态</a><span>2026-11-11</span></li></ul></div>'
            )
            if self.stalled_home:
                block += "<script>fetch('/api/list?col=home').then(function(r){return r.json();});</script>"
            return 200, page(NAME, block, nav), []
        if path == folder:
            return 200, page(name, column_page(name, folder, count), nav), []
        if path in STALLED:
            name = STALLED[path]
            body = script_list(name, path.strip("/")) if self.stalled else old_list(name, path)
            return 200, page(name, body, nav), []
        if any(path.startswith(stalled + "old") for stalled in STALLED):
            return 200, article_page(path, "<p>旧通知正文。</p>", nav), []
        if path.startswith(folder + "art") and path.endswith(".html"):
            number = path.removeprefix(folder + "art").removesuffix(".html")
            return 200, article_page(f"{name}第{number}期", f"<p>第{number}期：本月水利工作安排。</p>", nav), []
        return NOT_FOUND
