"""A loopback host whose home page is made anew on every request (for :mod:`govsites.givendocument`).

One host, ``127.0.0.106``. Its home page says how many times it was made (``第N次生成``, ``window.made``) and loads
``/js/app.js``, a script that writes a hidden link naming that number (as a hijacked script would) once the page
has loaded: a render shows which copy of the page it ran on. Requests are counted per path (query strings aside).

Standard library only, on the shared loopback lifecycle (:class:`govsites.demo.loopback.LoopbackServers`).
"""

from __future__ import annotations

import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from govsites.demo.loopback import LoopbackServers

HOST = "127.0.0.106"
#: Where the script's hidden link points; its path is the number of the copy the script ran on.
DARK_HOST = "http://127.0.0.95/"
SCRIPT = (
    "window.addEventListener('DOMContentLoaded',function(){var d=document.createElement('div');"
    f"d.style.display='none';d.innerHTML='<a id=\"dark\" href=\"{DARK_HOST}'+window.made+'\">博彩</a>';"
    "document.body.appendChild(d);});"
)


class RegeneratedHomeWeb(LoopbackServers):
    """The web of the module docstring."""

    def __init__(self) -> None:
        super().__init__()
        self.hits: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/"

    def answer(self, path: str) -> tuple[int, str, bytes]:
        """Status, content type and body of ``path`` (counted: the home page's number is its count)."""
        with self.lock:
            self.hits[path] += 1
            made = self.hits["/"]
        if path == "/":
            html = (
                f'<html><head><meta charset="utf-8"><script>window.made={made};</script>'
                '<script src="/js/app.js"></script><title>某县人民政府</title></head>'
                f'<body><p id="made">第{made}次生成</p></body></html>'
            )
            return 200, "text/html; charset=utf-8", html.encode()
        if path == "/js/app.js":
            return 200, "application/javascript", SCRIPT.encode()
        return 404, "text/plain", b"not found"

    def bind(self) -> None:
        web = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                status, kind, body = web.answer(self.path.split("?", 1)[0])
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the http.server API
                pass

        self.port = int(self.add_server(ThreadingHTTPServer((HOST, 0), Handler)).server_address[1])
