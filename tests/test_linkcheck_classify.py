"""Tests for govsites.linkcheck.classify: failure reasons, is_broken, soft 404, WAF pages."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from OpenSSL import SSL
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.http import Request, Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import defer
from twisted.internet import error as txerror
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseFailed, ResponseNeverReceived
from twisted.web.http import PotentialDataLoss, _DataLoss

from govsites.linkcheck.classify import (
    BROKEN_REASONS,
    NOT_BROKEN,
    classify_failure,
    is_broken,
    is_waf_challenge,
    looks_like_not_found,
    page_fingerprint,
)

ROOT = Path(__file__).resolve().parents[1]


def raised_from(outer: BaseException, inner: BaseException) -> BaseException:
    """`outer` raised with ``from inner``, as Scrapy 2.19's download handlers do."""
    try:
        try:
            raise inner
        except BaseException as cause:
            raise outer from cause
    except BaseException as wrapped:
        return wrapped
    raise AssertionError("unreachable")


# --- classify_failure with the real exception classes --------------------------------------------


@pytest.mark.parametrize(
    ("exc", "status"),
    [
        (txerror.DNSLookupError("no such host"), "dns"),
        (txerror.UnknownHostError(), "dns"),
        (CannotResolveHostError("DNS lookup failed"), "dns"),
        (socket.gaierror(-2, "Name or service not known"), "dns"),
        (txerror.ConnectionRefusedError(), "refused"),
        (DownloadConnectionRefusedError("refused"), "refused"),
        (ConnectionRefusedError(111, "Connection refused"), "refused"),
        (txerror.ConnectionLost(), "reset"),
        (txerror.ConnectionDone(), "reset"),
        (txerror.ConnectionAborted(), "reset"),
        (ConnectionResetError(104, "Connection reset by peer"), "reset"),
        (PotentialDataLoss(), "reset"),
        (_DataLoss(), "reset"),
        (ResponseDataLossError(), "reset"),
        (txerror.TimeoutError(), "timeout"),
        (txerror.TCPTimedOutError(), "timeout"),
        (defer.TimeoutError(), "timeout"),
        (DownloadTimeoutError("Getting x took longer than 10 seconds."), "timeout"),
        (TimeoutError(), "timeout"),
        (txerror.SSLError(), "tls"),
        (SSL.Error([("SSL routines", "", "wrong version number")]), "tls"),
        (txerror.CertificateError(), "tls"),
        (IgnoreRequest("blocked_by_policy: private"), "blocked_by_policy"),
        (IgnoreRequest("max redirections reached"), "too_many_redirects"),
        (IgnoreRequest("Forbidden by robots.txt"), "blocked"),
        (IgnoreRequest("Filtered offsite request to 'x.cn'"), "skipped"),
        (IgnoreRequest("something else"), "error"),
        (ValueError("odd"), "error"),
        (DownloadCancelledError("response larger than download max size"), "skipped"),
    ],
)
def test_classify_single_exceptions(exc: BaseException, status: str) -> None:
    got, detail = classify_failure(exc)
    assert got == status
    assert type(exc).__name__ in detail
    assert len(detail) <= 300


@pytest.mark.parametrize(
    ("reasons", "status"),
    [
        ([Failure(txerror.ConnectionLost())], "reset"),
        ([Failure(txerror.ConnectionDone())], "reset"),
        ([Failure(defer.TimeoutError())], "timeout"),
        ([Failure(txerror.TimeoutError())], "timeout"),
        # TLS handshake failure followed by the connection dropping: the TLS error is the cause.
        ([Failure(SSL.Error([("SSL routines", "", "certificate verify failed")])),
          Failure(txerror.ConnectionLost())], "tls"),
        ([], "reset"),
    ],
)  # fmt: skip
def test_response_never_received_is_classified_by_its_reasons(reasons: list[Failure], status: str) -> None:
    assert classify_failure(ResponseNeverReceived(reasons))[0] == status
    assert classify_failure(ResponseFailed(reasons))[0] == status


def test_scrapy_wrapped_twisted_errors_are_unwrapped() -> None:
    never = ResponseNeverReceived([Failure(txerror.ConnectionLost())])
    lost = raised_from(DownloadFailedError(str(never)), never)
    status, detail = classify_failure(lost)
    assert status == "reset"
    assert "DownloadFailedError" in detail
    assert "ConnectionLost" in detail
    assert "twisted.python.failure.Failure" not in detail

    handshake = ResponseNeverReceived([Failure(SSL.Error([("a", "b", "c")]))])
    tls = raised_from(DownloadFailedError("x"), handshake)
    assert classify_failure(tls)[0] == "tls"
    # A timeout implemented by cancelling: the timeout wins over the cancellation.
    assert classify_failure(raised_from(DownloadTimeoutError("slow"), defer.CancelledError()))[0] == "timeout"


def test_bare_download_failed_error_uses_its_message() -> None:
    assert classify_failure(DownloadFailedError("SSL handshake failed"))[0] == "tls"
    assert classify_failure(DownloadFailedError("Connection reset by peer"))[0] == "reset"
    assert classify_failure(DownloadFailedError("something odd"))[0] == "error"


def test_failure_object_is_accepted_too() -> None:
    assert classify_failure(Failure(txerror.DNSLookupError("x")))[0] == "dns"  # type: ignore[arg-type]


def test_http_error_gives_the_status_code() -> None:
    response = Response("http://a.gov.cn/missing.html", status=404, request=Request("http://a.gov.cn/missing.html"))
    status, _detail = classify_failure(HttpError(response, "Ignoring non-200 response"))
    assert status == "404"
    assert is_broken(status)


def test_classify_survives_cycles_and_broken_str() -> None:
    class WeirdError(Exception):
        def __str__(self) -> str:
            raise RuntimeError("no")

    a, b = WeirdError(), WeirdError()
    a.__cause__, b.__cause__ = b, a
    status, detail = classify_failure(a)
    assert status == "error"
    assert detail.startswith("WeirdError")


def test_every_status_is_known_to_is_broken() -> None:
    samples = [
        txerror.DNSLookupError(), txerror.ConnectionRefusedError(), txerror.ConnectionLost(),
        txerror.TimeoutError(), txerror.SSLError(), IgnoreRequest("blocked_by_policy: scheme"), ValueError(),
        IgnoreRequest("max redirections reached"), DownloadCancelledError(),
    ]  # fmt: skip
    for exc in samples:
        status, _ = classify_failure(exc)
        assert status in BROKEN_REASONS | NOT_BROKEN


# --- a real loopback exchange through Scrapy's own download handler ------------------------------

_PROBE = textwrap.dedent(
    """
    import json, socket, struct, threading
    import scrapy
    from scrapy.crawler import CrawlerProcess
    from govsites.linkcheck.classify import classify_failure

    def server(mode):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        s.listen(8)
        held = []
        def run():
            while True:
                conn, _ = s.accept()
                if mode == "hang":
                    held.append(conn)
                    continue
                conn.recv(4096)
                if mode == "rst":
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                elif mode == "http":
                    conn.sendall(b"HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\n\\r\\nok")
                conn.close()
        threading.Thread(target=run, daemon=True).start()
        return s.getsockname()[1]

    free = socket.socket()
    free.bind(("127.0.0.1", 0))
    free_port = free.getsockname()[1]
    free.close()
    urls = {
        "refused": f"http://127.0.0.1:{free_port}/",
        "close": f"http://127.0.0.1:{server('close')}/",
        "rst": f"http://127.0.0.1:{server('rst')}/",
        "hang": f"http://127.0.0.1:{server('hang')}/",
        "tls": f"https://127.0.0.1:{server('http')}/",
    }
    out = {}

    class Probe(scrapy.Spider):
        name = "probe"

        async def start(self):
            for key, url in urls.items():
                yield scrapy.Request(url, meta={"k": key, "download_timeout": 0.5}, errback=self.failed,
                                     dont_filter=True)

        def parse(self, response):
            out[response.meta["k"]] = ["ok", str(response.status)]

        def failed(self, failure):
            out[failure.request.meta["k"]] = list(classify_failure(failure.value))

    process = CrawlerProcess({"RETRY_ENABLED": False, "LOG_LEVEL": "ERROR", "TELNETCONSOLE_ENABLED": False,
                              "ROBOTSTXT_OBEY": False})
    process.crawl(Probe)
    process.start()
    print(json.dumps(out))
    """
)


def test_real_loopback_failures_through_scrapy() -> None:
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "PYTHONPATH": path}
    proc = subprocess.run(
        [sys.executable, "-c", _PROBE],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        cwd=ROOT,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    results = json.loads(proc.stdout.strip().splitlines()[-1])
    assert results["refused"][0] == "refused"
    assert results["close"][0] == "reset"  # accepted, then closed without a response
    assert results["rst"][0] == "reset"  # accepted, then RST
    assert results["hang"][0] == "timeout"  # accepted, never answered
    assert results["tls"][0] == "tls"  # https to a plain-HTTP server
    assert all(is_broken(status) for status, _detail in results.values())


# --- is_broken ----------------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["404", "403", "400", "410", "500", "502", "503", "599", *sorted(BROKEN_REASONS)])
def test_is_broken_true(status: str) -> None:
    assert is_broken(status)


@pytest.mark.parametrize(
    "status", ["200", "204", "301", "302", "304", "100", *sorted(NOT_BROKEN), "", "private", "600"]
)
def test_is_broken_false(status: str) -> None:
    assert not is_broken(status)


def test_reason_sets_are_disjoint() -> None:
    assert not BROKEN_REASONS & NOT_BROKEN
    assert "soft_404" in BROKEN_REASONS


# --- soft 404 -----------------------------------------------------------------------------------

LONG_ARTICLE = (
    "安康市人民政府办公室关于印发2024年政务公开工作要点的通知。各县（市、区）人民政府，市政府各工作部门：" * 20
    + "文件编号安政办发〔2024〕404号，请认真贯彻执行。"
    + "推进政务公开标准化规范化建设，提升政府网站集约化水平。" * 20
)


@pytest.mark.parametrize(
    ("title", "text"),
    [
        ("404 Not Found", ""),
        ("页面不存在", "首页 政务公开 办事服务"),
        ("安康市人民政府", "抱歉，您访问的页面不存在或已被删除！ 返回首页"),
        ("错误提示", "您访问的页面不存在"),
        ("", "404 页面未找到 5秒后自动返回首页"),
        ("汉滨区人民政府", "文章不存在"),
        ("提示信息", "该信息已被删除"),
        ("Not Found", "The requested URL was not found on this server."),
        ("Error 404", "返回首页"),
        ("提示", "HTTP 404 返回首页"),
        ("", "错误代码：404 请检查网址"),
        ("信息公开", "首页 > 信息公开 " * 60 + "您访问的页面不存在，请检查网址。" + " 版权所有 " * 40),
    ],
)
def test_not_found_pages(title: str, text: str) -> None:
    assert looks_like_not_found(title, text)


@pytest.mark.parametrize(
    ("title", "text"),
    [
        ("安康市人民政府办公室关于印发2024年政务公开工作要点的通知", LONG_ARTICLE),
        ("就业服务", "部分群众反映找不到合适的岗位。" + "市人社局开展春风行动，提供岗位信息。" * 30),
        ("安康市人民政府", "首页 政务公开 办事服务 互动交流 走进安康"),
        ("", ""),
        # the digits 404 inside a footer's 公安备案号, a visit count or a document number: ordinary short pages
        ("旬阳市人民政府", "首页 政务公开 办事服务 陕公网安备 61090402040445号 陕ICP备05003429号"),
        ("旬阳市人民政府", "首页 政务公开 网站访问量：404 版权所有"),
        ("通知公告", "首页 通知公告 浏览次数: 404"),
        ("关于印发旬政办发〔2024〕404号文件的通知", "首页 通知公告 旬政办发〔2024〕404号"),
        ("市政府常务会议", "发布日期：2024-04-04 共404人参加"),
    ],
)
def test_normal_pages_are_not_not_found(title: str, text: str) -> None:
    assert not looks_like_not_found(title, text)


def test_page_fingerprint_ignores_digits_and_whitespace() -> None:
    a = page_fingerprint("您访问的页面不存在  请求编号 20240101-1234  \n 返回首页")
    b = page_fingerprint("您访问的页面不存在 请求编号 20250909-9876 返回首页")
    c = page_fingerprint("关于开展安全生产大检查的通知 返回首页")
    assert a == b
    assert a != c
    assert page_fingerprint("ＡＢＣ") == page_fingerprint("abc")  # NFKC + case folding
    assert len(a) == 32
    assert all(ch in "0123456789abcdef" for ch in a)


@given(st.text(max_size=200))
def test_page_fingerprint_is_stable_and_never_raises(text: str) -> None:
    assert page_fingerprint(text) == page_fingerprint(text)


@given(st.text(max_size=200), st.text(max_size=400))
def test_looks_like_not_found_never_raises(title: str, text: str) -> None:
    assert isinstance(looks_like_not_found(title, text), bool)


# --- WAF challenges -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "headers", "body"),
    [
        (403, {}, "<html><title>Just a moment...</title><body>Checking your browser</body></html>"),
        (503, {"Server": "cloudflare"}, "<title>Attention Required! | Cloudflare</title>"),
        (403, {"cf-mitigated": "challenge"}, ""),
        (200, {}, "<html>网站防火墙 您的访问请求可能对网站造成安全威胁 安全狗</html>"),
        (403, {}, "<html><body>当前访问疑似黑客攻击，已被网站管理员设置为拦截 云锁</body></html>"),
        (521, {}, "<script>document.cookie=('__jsl_clearance=1700000000.1|0|abc');location.href=x</script>"),
        (200, {}, "<html><script>var arg1='3A1B';document.cookie='acw_sc__v2='+x;</script></html>"),
        (412, {}, "<html><meta content='x'><script>$_ts=window['$_ts'];if(!$_ts)$_ts={};</script></html>"),
        (405, {}, "<title>访问被拦截</title>创宇盾"),
        (429, {"Server": "yunjiasu-nginx"}, "Too Many Requests"),
        (403, {"Set-Cookie": "safedog-flow-item=ABC; path=/"}, "Forbidden"),
        (403, {"X-Powered-By": "360wzws"}, ""),
    ],
)  # fmt: skip
def test_waf_challenges(status: int, headers: dict[str, str], body: str) -> None:
    assert is_waf_challenge(status, headers, body)


@pytest.mark.parametrize(
    ("status", "headers", "body"),
    [
        (404, {}, "<title>404 Not Found</title>"),
        (403, {}, "<html><body><h1>403 Forbidden</h1><hr>nginx</body></html>"),
        (503, {"Server": "nginx"}, "Service Temporarily Unavailable"),
        (521, {"Server": "cloudflare"}, "Web server is down"),  # Cloudflare origin down: really broken
        (200, {"Server": "cloudflare"}, "<html><title>安康市人民政府</title>政务公开</html>"),
        # a long real page with a footer badge
        (200, {}, "<html>" + "政务公开 " * 8000 + "技术支持：知道创宇</html>"),
        (500, {}, "安全狗"),  # not a challenge status
        (302, {"Set-Cookie": "__jsl_clearance=1"}, ""),
    ],
)
def test_not_waf_challenges(status: int, headers: dict[str, str], body: str) -> None:
    assert not is_waf_challenge(status, headers, body)
