"""The bench web server: one asyncio event loop, one listening socket per site address, one port for all.

Site ``i`` listens on ``127.0.(10 + i // 250).(1 + i % 250)``; a down site's address is bound but never
listens, so connections to it are refused. HTTP/1.1 with keep-alive, GET/HEAD/POST, no framework.
Pages are rendered on request (``BenchApp`` route tables are built per site on first use, LRU-cached).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import resource
import threading
import zlib
from collections import Counter, OrderedDict
from pathlib import Path
from urllib.parse import unquote, urlsplit

from bench.web.model import BenchSite, WebConfig, home_path, host, make_site, serving_host, site_at
from bench.web.render import CLEARANCE, BenchApp, Reply, challenge_page, route_key
from govsites.demo.loopback import LoopbackWeb
from govsites.registry import write_sites

_APP_CACHE = 256
#: Not a page: the counters make bench reads between two crawls (no crawler is given this URL).
COUNTERS_PATH = "/.bench/counters"
_REASONS = {
    200: "OK",
    304: "Not Modified",
    301: "Moved Permanently",
    302: "Found",
    404: "Not Found",
    405: "Method Not Allowed",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


def raise_fd_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


class BenchWeb(LoopbackWeb):
    """``with BenchWeb(WebConfig(sites=65)) as web: web.write_registry(path)`` serves the web in a thread."""

    def __init__(self, config: WebConfig, port: int = 0, *, linkchecker_header: bool = False) -> None:
        super().__init__()
        self.config = config
        self.port = port
        # A ``LinkChecker`` response header lifts LinkChecker's built-in 0.1-0.6 s pause between two requests
        # to one host (its documented switch for checking one's own server); off: it runs as on real sites.
        self.linkchecker_header = linkchecker_header
        self.requests = 0
        self.body_bytes = 0  # body bytes sent (what a second crawl should mostly save)
        self.hits: Counter[tuple[str, str]] = Counter()  # (host, path) -> GET/POST count (flaky pages)
        # requests each host is answering now (read, answered after its latency, written) and the most at once:
        # the politeness a host sees from all of a crawl's processes together
        self.busy: Counter[str] = Counter()
        self.peak: Counter[str] = Counter()
        self._apps: OrderedDict[int, BenchApp] = OrderedDict()
        self._index = {host(i): i for i in range(config.sites)}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._servers: list[asyncio.base_events.Server] = []
        self._ready = threading.Event()
        self._error: BaseException | None = None

    # ---- sites -----------------------------------------------------------------------------------------
    def site(self, index: int) -> BenchSite:
        return make_site(self.config, index)

    def app(self, index: int) -> BenchApp:
        app = self._apps.get(index)
        if app is None:
            netloc = f"{serving_host(self.config, index)}:{self.port}"
            app = BenchApp(self.site(index), netloc, home_path(self.config, index))
            self._apps[index] = app
            if len(self._apps) > _APP_CACHE:
                self._apps.popitem(last=False)
        else:
            self._apps.move_to_end(index)
        return app

    def home_url(self, index: int) -> str:
        return f"http://{serving_host(self.config, index)}:{self.port}{home_path(self.config, index)}"

    def registry_rows(self) -> list[dict[str, str]]:
        rows = []
        for i in range(self.config.sites):
            s = self.site(i).site
            rows.append(
                {
                    "site_id": s.site_id,
                    "name": s.name,
                    "group": s.group,
                    "county": s.county,
                    "home_url": self.home_url(i),
                }
            )
        return rows

    def write_registry(self, path: Path) -> Path:
        return write_sites(path, self.registry_rows())

    # ---- HTTP ------------------------------------------------------------------------------------------
    def respond(self, index: int, method: str, target: str, form: str = "", cookie: str = "") -> Reply:
        if target == COUNTERS_PATH:  # for make bench only: what the web has sent so far
            peak = max(self.peak.values(), default=0)  # the most requests one host answered at once so far
            body = json.dumps({"requests": self.requests, "bytes": self.body_bytes, "peak": peak}).encode()
            return Reply(200, "application/json", body)
        parts = urlsplit(target)
        path = unquote(parts.path or "/", encoding="utf-8", errors="replace")
        app = self.app(site_at(self.config, index, path))  # a subsite answers for its folder of the host
        if app.bench.challenge and f"{CLEARANCE}=" not in cookie:
            return Reply(521, "text/html; charset=utf-8", challenge_page(app.site.site_id))
        if method == "HEAD" and app.bench.head_405:
            return Reply(405, "text/html; charset=utf-8", b"<html><body>405 Method Not Allowed</body></html>")
        route = route_key(app.local(path) or path, parts.query)
        if route in app.flaky and method != "HEAD":
            key = (host(index), route)
            self.hits[key] += 1
            if self.hits[key] == 1:
                return Reply(503, "text/html; charset=utf-8", b"<html><body>503 Service Unavailable</body></html>")
        return app.handle(path, parts.query, form)

    async def _serve_conn(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, index: int) -> None:
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
                    return
                lines = head.decode("latin-1").split("\r\n")
                try:
                    method, target, version = lines[0].split(" ", 2)
                except ValueError:
                    return
                headers = {}
                for line in lines[1:]:
                    if ":" in line:
                        k, v = line.split(":", 1)
                        headers[k.strip().lower()] = v.strip()
                length = int(headers.get("content-length") or 0)
                form = (await reader.readexactly(length)).decode("utf-8", "replace") if length else ""
                self.requests += 1
                self.busy[host(index)] += 1
                self.peak[host(index)] = max(self.peak[host(index)], self.busy[host(index)])
                try:
                    await self._answer(writer, index, method, target, version, headers, form)
                finally:
                    self.busy[host(index)] -= 1
                if headers.get("connection", "").lower() == "close" or version != "HTTP/1.1":
                    return
        except (ConnectionError, asyncio.IncompleteReadError):
            return
        finally:
            with contextlib.suppress(Exception):
                writer.close()

    async def _answer(
        self,
        writer: asyncio.StreamWriter,
        index: int,
        method: str,
        target: str,
        version: str,
        headers: dict[str, str],
        form: str,
    ) -> None:
        """Answer one request on its connection, after the host's latency."""
        try:
            reply = self.respond(index, method.upper(), target, form, headers.get("cookie", ""))
        except Exception:  # a server bug must not kill the loop
            reply = Reply(500, "text/plain", b"internal error")
        delay = self.site(index).delay(target)
        if delay:
            await asyncio.sleep(delay)
        tag = f'"{zlib.crc32(reply.body):08x}"' if reply.status == 200 else ""
        if tag and headers.get("if-none-match") == tag and method.upper() != "POST":
            reply = Reply(304, reply.content_type, b"")
        keep = headers.get("connection", "").lower() != "close" and version == "HTTP/1.1"
        out = [
            f"HTTP/1.1 {reply.status} {_REASONS.get(reply.status, 'Status')}",
            "Server: Apache",
            f"Content-Type: {reply.content_type}",
            f"Content-Length: {len(reply.body)}",
            f"Connection: {'keep-alive' if keep else 'close'}",
        ]
        if reply.location:
            out.append(f"Location: {reply.location}")
        if tag:
            out.append(f"ETag: {tag}")
        if self.linkchecker_header:
            out.append("LinkChecker: unthrottled")
        writer.write(("\r\n".join(out) + "\r\n\r\n").encode("latin-1"))
        if method.upper() != "HEAD":
            writer.write(reply.body)
            self.body_bytes += len(reply.body)
        await writer.drain()

    async def _start(self) -> None:
        raise_fd_limit()
        port = self.port
        for i in range(self.config.sites):
            if self.site(i).site.down:
                continue

            def handler(r: asyncio.StreamReader, w: asyncio.StreamWriter, i: int = i) -> asyncio.Future[None]:
                return asyncio.ensure_future(self._serve_conn(r, w, i))

            server = await asyncio.start_server(handler, host(i), port, reuse_address=True, backlog=512)
            if not port:
                port = server.sockets[0].getsockname()[1]
            self._servers.append(server)
        self.port = port
        for i in range(self.config.sites):
            if self.site(i).site.down:
                self.reserve(host(i), port)  # bound, never listening: connections are refused

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._start())
        except BaseException as exc:  # reported to start()
            self._error = exc
            self._ready.set()
            return
        self._ready.set()
        loop.run_forever()
        for server in self._servers:
            server.close()
        loop.run_until_complete(asyncio.sleep(0))
        loop.close()

    def bind(self) -> None:
        """Start the event loop's thread; it binds every address before ``bind`` returns."""
        self._ready.clear()
        self._error = None
        self._thread = threading.Thread(target=self._run, name="bench-web", daemon=True)
        self._thread.start()
        self._ready.wait()
        if self._error is not None:
            raise self._error

    def serve(self) -> None:
        self._apps.clear()  # route tables were built before the port was known

    def shutdown(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)

    def release(self) -> None:
        super().release()
        self._thread, self._loop, self._servers = None, None, []
