"""A loopback web whose pages only a browser shows whole, served as real servers do: every answer carries an
``ETag`` and a request that names it gets ``304 Not Modified`` (for :mod:`govsites.renderreuse`).

One site, 某某县统计局, on ``127.0.0.98``. Its home page loads ``/js/site.js``, a script that writes a block of
friend links into the page once it has loaded (a browser's render shows them; the raw page does not), and a
visit counter from a host where nothing answers (``DEAD_COUNTER``). Its
menu names two columns: 统计数据 is a plain HTML list; 通知公告's list is filled by a script that fetches
``/api/notices.json`` (three notices of November 2026). ``hijacked`` swaps ``site.js`` for the kind of script
a hacked server carries: it also writes a hidden block of gambling links (a dark link a render must find).
``ticking`` (``timer`` or ``worker``, :data:`TICKERS`) adds to ``site.js`` a script that posts to ``/tick``
every 100 ms for as long as it runs (requests the settle wait does not count); ``/ticks`` answers how many came.
Requests are counted per path and sender: ``browser``
(Chromium's ``Sec-Fetch-Mode``) or ``plain``, and how many got a 304.

Standard library only, on the shared loopback lifecycle (:class:`govsites.demo.loopback.LoopbackServers`).
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from govsites.demo.loopback import LoopbackServers
from tests.webs.unbuilt import NOT_FOUND, article_page, column_page, home_page, page, row

HOST = "127.0.0.98"
AS_OF = "2026-12-01"
NAME = "某某县统计局"
PLAIN = ("/tjsj/", "统计数据", 3)
SCRIPTED = ("/tzgg/", "通知公告")
#: A visit counter on a host long gone (nothing listens there): common on real home pages, never loaded.
DEAD_COUNTER = f"http://{HOST}:9/count.js"
#: The dark link the hijacked script writes (its host is never asked for: the link is read, not followed).
DARK_LINK = "http://127.0.0.95/bet"

FRIEND_LINKS = (
    "function(){var d=document.createElement('div');d.className='links';"
    "d.innerHTML='<a href=\"http://www.stats.gov.cn/\">国家统计局</a>';document.body.appendChild(d);}"
)
HIDDEN_GAMBLING = (
    "function(){var h=document.createElement('div');h.style.display='none';"
    f"h.innerHTML='<a href=\"{DARK_LINK}\">博彩 娱乐城 注册送彩金</a>';document.body.appendChild(h);}}"
)
#: What ``ticking`` adds to ``site.js``: a page timer posting a beacon to ``/tick`` every 100 ms (``timer``), or a
#: dedicated worker (from a blob) posting to it as often (``worker``: its timer is the worker's own).
TICKERS = {
    "timer": "setInterval(function(){navigator.sendBeacon('/tick');},100);",
    "worker": (
        'new Worker(URL.createObjectURL(new Blob(["setInterval(function(){fetch(\'"+location.origin+"/tick\','
        "{method:'POST'});},100);\"],{type:'text/javascript'})));"
    ),
}
LIST_SCRIPT = (
    '<ul id="list" class="list"></ul><script>fetch(\'/api/notices.json\').then(function(r){return r.json();})'
    ".then(function(d){var ul=document.getElementById('list');d.data.forEach(function(it){"
    "var li=document.createElement('li');li.innerHTML='<a href=\"'+it.url+'\">'+it.title+'</a><span>'+it.date+"
    "'</span>';ul.appendChild(li);});});</script>"
)


class RerenderWeb(LoopbackServers):
    """The web of the module docstring."""

    def __init__(self) -> None:
        super().__init__()
        self.hijacked = False
        self.ticking = ""
        self.notices = [
            (f"/tzgg/n{i}.html", f"关于第{i}季度统计工作的通知", f"2026-11-{10 + i:02d}") for i in (1, 2, 3)
        ]
        self.port = 0
        self.hits: Counter[tuple[str, str]] = Counter()  # (sender, path) → requests
        self.not_modified = 0
        self.lock = threading.Lock()

    def bind(self) -> None:
        web = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                web.respond(self)

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                web.respond(self)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the http.server API
                pass

        self.port = int(self.add_server(ThreadingHTTPServer((HOST, 0), Handler)).server_address[1])

    def url(self, path: str = "/") -> str:
        return f"http://{HOST}:{self.port}{path}"

    def registry_rows(self) -> list[dict[str, str]]:
        return [row("rerender", NAME, "agency", "县直", self.url())]

    def browser_hits(self, path: str) -> int:
        return self.hits["browser", path]

    def script(self) -> str:
        writes = f"({FRIEND_LINKS})();" + (f"({HIDDEN_GAMBLING})();" if self.hijacked else "")
        ticks = TICKERS.get(self.ticking, "")
        return f"window.addEventListener('DOMContentLoaded',function(){{{writes}}});{ticks}"

    def answer(self, path: str) -> tuple[int, str, str]:
        """Status, content type and body of ``path``."""
        html = "text/html; charset=utf-8"
        nav = " ".join(f'<a href="{p}">{n}</a>' for p, n in (PLAIN[:2], SCRIPTED))
        folder, name, count = PLAIN
        if path == "/":
            scripts = f'<script src="/js/site.js"></script><script src="{DEAD_COUNTER}"></script>'
            return 200, html, home_page(NAME, folder, name, nav).replace("<title>", scripts + "<title>", 1)
        if path == "/tick":
            return 204, html, ""
        if path == "/ticks":
            return 200, "text/plain; charset=utf-8", str(self.hits["browser", "/tick"] + self.hits["plain", "/tick"])
        if path == "/js/site.js":
            return 200, "application/javascript; charset=utf-8", self.script()
        if path == "/api/notices.json":
            data = [{"url": u, "title": t, "date": d} for u, t, d in self.notices]
            return 200, "application/json; charset=utf-8", json.dumps({"data": data}, ensure_ascii=False)
        if path == folder:
            return 200, html, page(name, column_page(name, folder, count), nav)
        if path == SCRIPTED[0]:
            return 200, html, page(SCRIPTED[1], f"<h2>{SCRIPTED[1]}</h2>{LIST_SCRIPT}", nav)
        for url, title, _date in self.notices:
            if path == url:
                return 200, html, article_page(title, "<p>请各单位按时报送统计报表。</p>", nav)
        if path.startswith(folder + "art") and path.endswith(".html"):
            return 200, html, article_page(f"{name}{path}", "<p>本月主要经济指标运行平稳。</p>", nav)
        status, body, _headers = NOT_FOUND
        return status, html, body

    def respond(self, handler: BaseHTTPRequestHandler) -> None:
        path = urlsplit(handler.path).path
        sender = "browser" if handler.headers.get("Sec-Fetch-Mode") else "plain"
        status, kind, body = self.answer(path)
        data = body.encode()
        etag = '"' + hashlib.sha1(data, usedforsecurity=False).hexdigest()[:16] + '"'
        unchanged = status == 200 and handler.headers.get("If-None-Match") == etag
        with self.lock:
            self.hits[sender, path] += 1
            self.not_modified += unchanged
        try:
            handler.send_response(304 if unchanged else status)
            handler.send_header("ETag", etag)
            if unchanged:
                handler.end_headers()
                return
            handler.send_header("Content-Type", kind)
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            handler.wfile.write(data)
        except OSError:  # the browser gave up on the answer
            pass
