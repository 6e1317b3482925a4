"""The hostile web itself (tests.webs.hostile): each fault is served as documented, counters count."""

from __future__ import annotations

import gzip
import http.client
import socket
import time
import zlib
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from govsites.registry import load_columns, load_sites
from tests.webs.hostile import DRIP_SECONDS, ENDPOINTS, HUGE_ATTACHMENT_SIZE, HostileWeb


@pytest.fixture(scope="module")
def web() -> Iterator[HostileWeb]:
    with HostileWeb(port=0, slow_delay=0.3) as hostile:
        yield hostile


def fetch(
    web: HostileWeb, path: str, method: str = "GET", role: str = "site", timeout: float = 10
) -> tuple[int, dict[str, str], bytes]:
    host, port = web.netloc(role).split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=timeout)
    try:
        conn.request(method, quote(path, safe="/?=&;"))
        response = conn.getresponse()
        body = response.read() if method != "HEAD" else b""
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body
    finally:
        conn.close()


def test_registry_and_columns_are_valid(web: HostileWeb, tmp_path: Path) -> None:
    registry = load_sites(web.write_registry(tmp_path / "sites.csv", bom=True, blank_lines=True))
    assert [s.site_id for s in registry.sites] == ["hostile", "clean", "jsheavy", "down"]
    pinned = load_columns(web.write_columns(tmp_path / "columns.csv"), registry)
    assert [p.render for p in pinned["jsheavy"]] == ["js", "js"]
    slow = load_sites(web.write_registry(tmp_path / "slow.csv", web.slow_registry_rows()))
    assert slow.sites[0].home_url.endswith("/slow/")
    assert len(ENDPOINTS) > 40


def test_home_links_every_case(web: HostileWeb) -> None:
    _status, _headers, body = fetch(web, "/")
    html = body.decode()
    for path in (
        "/ext/loop/a",
        "/h/drip.html",
        "/files/huge.pdf",
        "/calendar?month=1",
        "/sec/to-other",
        "169.254.169.254",
        "admin.localhost",
        "/附件/缺失.pdf",
    ):
        assert path in html, path


def test_link_health_endpoints(web: HostileWeb) -> None:
    assert fetch(web, "/ext/head405.html", "HEAD", "ext")[0] == 405
    assert fetch(web, "/ext/head405.html", "GET", "ext")[0] == 200
    assert fetch(web, "/ext/head404.html", "HEAD", "ext")[0] == 404
    statuses = [fetch(web, "/ext/retry503.html", "HEAD", "ext")[0] for _ in range(3)]
    assert statuses == [503, 503, 200]
    first = fetch(web, "/ext/retry429.html", "GET", "ext")
    assert (first[0], first[1]["retry-after"]) == (429, "1")
    assert fetch(web, "/ext/retry429.html", "GET", "ext")[0] == 200
    assert fetch(web, "/ext/down503.html", "GET", "ext")[0] == 503
    chain = fetch(web, "/ext/chain/1", "GET", "ext")
    assert (chain[0], chain[1]["location"]) == (302, "/ext/chain/2")
    assert fetch(web, "/ext/loop/b", "GET", "ext")[1]["location"] == "/ext/loop/a"
    assert fetch(web, "/ext/hops/11", "GET", "ext")[1]["location"] == "/ext/hops/12"
    assert fetch(web, "/ext/hops/12", "GET", "ext")[0] == 200
    assert fetch(web, "/ext/to-metadata", "GET", "ext")[1]["location"].startswith("http://169.254.169.254/")
    waf = fetch(web, "/ext/waf.html", "GET", "ext")
    assert waf[0] == 403
    assert "安全狗" in waf[2].decode()
    assert b"__jsl_clearance" in fetch(web, "/ext/waf-js.html", "GET", "ext")[2]
    started = time.monotonic()
    assert fetch(web, "/ext/slow.html", "HEAD", "ext")[0] == 200
    assert time.monotonic() - started >= 1.9


def test_site_paths(web: HostileWeb) -> None:
    soft = fetch(web, "/no-such-page.html")
    assert soft[0] == 200
    assert "您访问的页面不存在" in soft[2].decode()
    assert fetch(web, "/附件/申请表.doc")[0] == 200
    assert fetch(web, "/附件/缺失.pdf")[0] == 404
    assert fetch(web, "/img/missing.png")[0] == 404
    assert fetch(web, "/ext/missing.html", role="ext")[0] == 404
    assert fetch(web, "/unknown", role="ext")[0] == 404  # the clean site has real 404s
    assert web.hits[("GET", "/附件/缺失.pdf")] == 1
    calendar = fetch(web, "/calendar?month=7")[2].decode()
    assert "/calendar?month=8" in calendar
    one, two = fetch(web, "/sid/index.jsp")[2], fetch(web, "/sid/index.jsp")[2]
    assert b";jsessionid=" in one
    assert one != two


def test_huge_attachment_head_sends_no_body(web: HostileWeb) -> None:
    status, headers, _ = fetch(web, "/files/huge.pdf", "HEAD")
    assert (status, int(headers["content-length"])) == (200, HUGE_ATTACHMENT_SIZE)
    assert web.bytes_sent["/files/huge.pdf"] == 0


def test_encoding_faults(web: HostileWeb) -> None:
    truncated = fetch(web, "/h/gzip-truncated.html")
    assert truncated[1]["content-encoding"] == "gzip"
    with pytest.raises((EOFError, OSError, zlib.error)):
        gzip.decompress(truncated[2])
    lying = fetch(web, "/h/gzip-lying.html")
    assert lying[2].startswith(b"<!DOCTYPE")
    gbk = fetch(web, "/h/gbk-as-utf8.html")
    assert "utf-8" in gbk[1]["content-type"]
    assert "编码测试页面甲" in gbk[2].decode("gbk")
    assert b"\0" in fetch(web, "/h/binary.html")[2]


def _raw_get(web: HostileWeb, path: str, seconds: float) -> bytes:
    """Whatever arrives within ``seconds`` (a per-read timeout would never fire on a drip)."""
    host, port = web.netloc("site").split(":")
    received = b""
    with socket.create_connection((host, int(port)), timeout=0.5) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                chunk = sock.recv(65536)
            except TimeoutError:
                continue
            if not chunk:
                break
            received += chunk
    return received


def test_reset_and_drip(web: HostileWeb) -> None:
    with pytest.raises((http.client.IncompleteRead, ConnectionError)):
        fetch(web, "/h/reset.html", timeout=5)
    dripped = _raw_get(web, "/h/drip.html", 5)
    head, _, body = dripped.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200")
    assert 1 <= len(body) < DRIP_SECONDS  # dripping: some bytes, never the whole body at once


def test_refused_and_unreached_listeners(web: HostileWeb) -> None:
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.63", web.ports["reserved"]), timeout=2)
    assert web.role_total("other") == 0
    assert web.role_total("side") == 0


def test_slow_site_delays_and_has_its_pages(web: HostileWeb) -> None:
    started = time.monotonic()
    status, _h, body = fetch(web, "/slow/news/")
    assert status == 200
    assert time.monotonic() - started >= 0.25
    assert body.decode().count("/slow/news/a") == 45
    assert fetch(web, "/slow/gone.html")[0] == 404


def test_js_pages(web: HostileWeb) -> None:
    never = fetch(web, "/js/never/", role="js")[2].decode()
    assert "setInterval" in never
    assert "while(true){}" in fetch(web, "/js/crash/", role="js")[2].decode()
