"""The demo web server: one ``ThreadingHTTPServer`` per site, one loopback address per site.

Sites live at 127.0.0.<first_host + offset> on one shared port; the down site's address is reserved
(a bound socket that never listens), so connections to it are refused.
"""

from __future__ import annotations

import hashlib
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from govsites.demo.loopback import LoopbackServers
from govsites.demo.model import AS_OF
from govsites.demo.sites import SITES, SiteApp
from govsites.demo.templates import Page
from govsites.registry import write_sites

__all__ = ["AS_OF", "DemoWeb"]

_PORT_TRIES = 20


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def _handler(app: SiteApp, web: DemoWeb, host: str) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "Apache"
        sys_version = ""
        protocol_version = "HTTP/1.1"

        def _respond(self, method: str, form: str = "") -> None:
            web.count(host, method, self.path)
            page: Page = app.handle(self.path, form)
            # as the usual web servers do: a validator on every 200 answer, 304 when the client's still matches
            tag = '"' + hashlib.sha1(page.body, usedforsecurity=False).hexdigest()[:16] + '"'
            if page.status == 200 and method != "POST" and self.headers.get("If-None-Match") == tag:
                self.send_response(304)
                self.send_header("ETag", tag)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(page.status)
            self.send_header("Content-Type", page.content_type)
            self.send_header("Content-Length", str(len(page.body)))
            if page.status == 200:
                self.send_header("ETag", tag)
            self.end_headers()
            if method != "HEAD":
                self.wfile.write(page.body)
                web.sent(len(page.body))

        def do_GET(self) -> None:
            self._respond("GET")

        def do_HEAD(self) -> None:
            self._respond("HEAD")

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            form = self.rfile.read(length).decode("utf-8", errors="replace") if length else ""
            self._respond("POST", form)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
            return

    return Handler


class DemoWeb(LoopbackServers):
    """The bundled demo web: ``with DemoWeb(port=0) as web: web.registry_rows()``."""

    def __init__(self, port: int = 8341, first_host: int = 11) -> None:
        super().__init__()
        self.requested_port = port
        self.first_host = first_host
        self.hits: Counter[tuple[str, str, str]] = Counter()
        self.bytes_sent = 0
        self._lock = threading.Lock()
        self.ports: dict[str, int] = {}  # site_id -> port
        self.apps: dict[str, SiteApp] = {}

    # ---- lifecycle ---------------------------------------------------------------------------------
    def host(self, site_id: str) -> str:
        site = next(s for s in SITES if s.site_id == site_id)
        return f"127.0.0.{self.first_host + site.host_offset}"

    def count(self, host: str, method: str, path: str) -> None:
        with self._lock:
            self.hits[(host, method, path)] += 1

    def sent(self, size: int) -> None:
        """Body bytes sent (what a monitoring week pays for)."""
        with self._lock:
            self.bytes_sent += size

    def bind(self) -> None:
        if self.requested_port:
            self._bind_all(self.requested_port, shared=True)
            return
        for _ in range(_PORT_TRIES):
            try:
                self._bind_all(0, shared=True)
                return
            except OSError:
                self.release()
        self._bind_all(0, shared=False)

    def _bind_all(self, port: int, *, shared: bool) -> None:
        """Bind every live site (same port when ``shared``) and reserve the down sites' addresses."""
        chosen = port
        for site in SITES:
            host = self.host(site.site_id)
            if site.down:
                continue
            server = self.add_server(
                _Server((host, chosen if shared else port), BaseHTTPRequestHandler, bind_and_activate=True)
            )
            actual = server.server_address[1]
            if shared and not chosen:
                chosen = actual
            self.ports[site.site_id] = actual
            app = SiteApp(site, f"{host}:{actual}")
            self.apps[site.site_id] = app
            server.RequestHandlerClass = _handler(app, self, host)
        for site in SITES:
            if site.down:  # bound, never listening: connections are refused
                self.ports[site.site_id] = self.reserve(self.host(site.site_id), chosen if shared else 0)

    def release(self) -> None:
        super().release()
        self.ports, self.apps = {}, {}

    # ---- registry ----------------------------------------------------------------------------------
    def home_url(self, site_id: str) -> str:
        port = self.ports.get(site_id, self.requested_port)
        return f"http://{self.host(site_id)}:{port}/"

    def registry_rows(self) -> list[dict[str, str]]:
        return [
            {
                "site_id": s.site_id,
                "name": s.name,
                "group": s.group,
                "county": s.county,
                "home_url": self.home_url(s.site_id),
            }
            for s in SITES
        ]

    def write_registry(self, path: Path) -> Path:
        return write_sites(path, self.registry_rows())
