"""The floor spider of ``make bench`` requests exactly the URLs of a crawl's store, pages with GET and checked
links with HEAD, once each, the sites of one host in one process as the crawl keeps them (functional: what it
requests and where, never how fast)."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from bench.floor import requested_urls, run_floor
from govsites.demo.loopback import LoopbackServers
from govsites.store import Store
from tests.helpers import child_env, page_row


class Recorder(LoopbackServers):
    """Servers on 127.0.0.1 and 127.0.0.2 that answer 200 (404 under /gone) and record (method, path)."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[str, str]] = []
        self.lock = threading.Lock()
        self.port = 0
        self.port2 = 0

    def bind(self) -> None:
        web = self

        class Handler(BaseHTTPRequestHandler):
            def answer(self) -> None:
                with web.lock:
                    web.seen.append((self.command, self.path))
                self.send_response(404 if self.path.startswith("/gone") else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_GET(self) -> None:
                self.answer()

            def do_HEAD(self) -> None:
                self.answer()

            def log_message(self, *args: object) -> None:
                pass

        self.port = self.add_server(ThreadingHTTPServer(("127.0.0.1", 0), Handler)).server_address[1]
        self.port2 = self.add_server(ThreadingHTTPServer(("127.0.0.2", 0), Handler)).server_address[1]


def test_floor_requests_the_stores_urls_once_with_get_and_head(tmp_path: Path) -> None:
    with Recorder() as web:
        base = f"http://127.0.0.1:{web.port}"
        other = f"http://127.0.0.2:{web.port2}"
        db = tmp_path / "store.sqlite"
        with Store(db) as store:
            run = store.begin_run("r", "2015-12-31")
            store.insert(
                run.id,
                "pages",
                [
                    page_row("a", f"{base}/a/"),
                    page_row("a", f"{base}/a/list?page=2"),
                    page_row("b", f"{base}/b/"),
                    page_row("c", f"{other}/"),
                ],
            )
            check = {"status": "200", "reason": "", "broken": 0, "final_url": "", "checked_at": "t"}
            store.insert(
                run.id,
                "link_checks",
                [
                    {**check, "site_id": "a", "url": f"{base}/gone.html"},
                    {**check, "site_id": "b", "url": f"{base}/doc.pdf"},
                    {**check, "site_id": "b", "url": "mailto:x@example.gov.cn"},  # not fetched by anyone
                    {**check, "site_id": "b", "url": f"{base}/b/"},  # checked by its page's own GET
                ],
            )
        assert sum(len(v) for v in requested_urls(db).values()) == 6
        figures = run_floor(db, tmp_path, workers=3, env=child_env())
    assert figures["requests"] == 6
    assert figures["processes"] == 2  # a and b share their host's process, c has one of its own
    assert sorted(web.seen) == sorted(
        [
            ("GET", "/a/"),
            ("GET", "/a/list?page=2"),
            ("GET", "/b/"),
            ("GET", "/"),
            ("HEAD", "/gone.html"),
            ("HEAD", "/doc.pdf"),
        ]
    )
