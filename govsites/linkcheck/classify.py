"""Pure judges for link checking: download failure -> reason, soft 404, WAF challenge, is_broken.

Twisted and Scrapy exception classes are imported only to recognise them (isinstance).
Scrapy 2.19 wraps Twisted errors in its own exceptions (``raise DownloadFailedError(...) from e``),
and Twisted wraps the real cause of a failed HTTP exchange in ``ResponseFailed.reasons``, so
`classify_failure` walks the whole chain (``__cause__``, ``__context__``, ``reasons``) and keeps
the most specific reason found.
"""

from __future__ import annotations

import functools
import hashlib
import re
import socket
import ssl
import unicodedata
from collections.abc import Iterator, Mapping

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
    UnsupportedURLSchemeError,
)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import defer
from twisted.internet import error as txerror
from twisted.python.failure import Failure
from twisted.web._newclient import (
    RequestGenerationFailed,
    RequestTransmissionFailed,
    ResponseFailed,
)
from twisted.web.error import SchemeNotSupported
from twisted.web.http import PotentialDataLoss, _DataLoss

try:  # pyOpenSSL is a Scrapy dependency; stay importable without it
    from OpenSSL.SSL import Error as OpenSSLError
except ImportError:  # pragma: no cover
    OpenSSLError = ssl.SSLError  # type: ignore[misc,assignment]

BROKEN_REASONS = frozenset(
    {"dns", "refused", "reset", "timeout", "tls", "redirect_loop", "too_many_redirects", "soft_404", "error"}
)
NOT_BROKEN = frozenset({"blocked", "blocked_by_policy", "skipped"})
#: Link statuses that say the link was not verified at all (scoring counts them in ``links_unchecked``).
NOT_VERIFIED = frozenset({"blocked_by_policy", "skipped"})

# When several causes are found in one failure, the most telling one wins
# (a TLS handshake failure is usually followed by a "connection lost").
_PRIORITY = (
    "blocked_by_policy",
    "blocked",
    "tls",
    "timeout",
    "dns",
    "refused",
    "redirect_loop",
    "too_many_redirects",
    "reset",
    "skipped",  # cancellation is also how timeouts are implemented: weakest
)

_TIMEOUT_TYPES: tuple[type[BaseException], ...] = (
    txerror.TimeoutError,
    txerror.TCPTimedOutError,
    defer.TimeoutError,
    DownloadTimeoutError,
    TimeoutError,  # builtin (socket.timeout is an alias)
)
_DNS_TYPES: tuple[type[BaseException], ...] = (
    txerror.DNSLookupError,
    txerror.UnknownHostError,
    CannotResolveHostError,
    socket.gaierror,
)
_REFUSED_TYPES: tuple[type[BaseException], ...] = (
    txerror.ConnectionRefusedError,
    DownloadConnectionRefusedError,
    ConnectionRefusedError,  # builtin
)
_RESET_TYPES: tuple[type[BaseException], ...] = (
    txerror.ConnectionLost,  # includes ConnectionAborted
    txerror.ConnectionDone,
    txerror.ConnectionClosed,
    PotentialDataLoss,
    _DataLoss,
    ResponseDataLossError,
    ConnectionResetError,  # builtin; http.client.RemoteDisconnected is a subclass
    ConnectionAbortedError,
    BrokenPipeError,
)
_TLS_TYPES: tuple[type[BaseException], ...] = (
    txerror.SSLError,
    txerror.CertificateError,
    txerror.VerifyError,
    OpenSSLError,
    ssl.SSLError,  # includes ssl.SSLCertVerificationError
)
_WRAPPER_TYPES: tuple[type[BaseException], ...] = (
    ResponseFailed,  # includes ResponseNeverReceived
    RequestGenerationFailed,
    RequestTransmissionFailed,
)
_CANCELLED_TYPES: tuple[type[BaseException], ...] = (DownloadCancelledError, defer.CancelledError)

_MAX_DETAIL = 300


def _children(exc: BaseException) -> Iterator[BaseException]:
    reasons = getattr(exc, "reasons", None)
    if isinstance(reasons, list | tuple):
        for reason in reasons:
            if isinstance(reason, Failure) and reason.value is not None:
                yield reason.value
            elif isinstance(reason, BaseException):
                yield reason
    sub = getattr(exc, "subFailure", None)  # defer.FirstError
    if isinstance(sub, Failure) and sub.value is not None:
        yield sub.value
    if exc.__cause__ is not None:
        yield exc.__cause__
    elif exc.__context__ is not None and not exc.__suppress_context__:
        yield exc.__context__
    if isinstance(exc, BaseExceptionGroup):
        yield from exc.exceptions


def _walk(exc: BaseException) -> list[BaseException]:
    """The exception and everything it wraps, outermost first, each once."""
    seen: set[int] = set()
    out: list[BaseException] = []
    stack = [exc]
    while stack and len(out) < 64:
        current = stack.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        out.append(current)
        stack.extend(_children(current))
    return out


def _message(exc: BaseException) -> str:
    try:
        return str(exc)
    except Exception:  # a broken __str__ must not break the classifier
        return ""


def _own_status(exc: BaseException) -> str | None:
    """The reason one exception stands for by itself (None for a mere wrapper)."""
    if isinstance(exc, HttpError):
        response = getattr(exc, "response", None)
        status = getattr(response, "status", None)
        return str(status) if isinstance(status, int) else "error"
    if isinstance(exc, IgnoreRequest):
        text = _message(exc).lower()
        if "blocked_by_policy" in text:
            return "blocked_by_policy"
        if "redirect loop" in text or "redirect_loop" in text:
            return "redirect_loop"
        if "max redirections" in text or "too many redirects" in text or "too_many_redirects" in text:
            return "too_many_redirects"
        if "robots.txt" in text:
            return "blocked"
        if "offsite" in text:
            return "skipped"
        return None
    if isinstance(exc, _TLS_TYPES):
        return "tls"
    if isinstance(exc, _TIMEOUT_TYPES):
        return "timeout"
    if isinstance(exc, _DNS_TYPES):
        return "dns"
    if isinstance(exc, _REFUSED_TYPES):
        return "refused"
    if isinstance(exc, _RESET_TYPES):
        return "reset"
    if isinstance(exc, _CANCELLED_TYPES):
        # Scrapy cancels a download that exceeds DOWNLOAD_MAXSIZE: the target exists.
        return "skipped"
    return None


def _fallback_status(exc: BaseException) -> str:
    """The reason for an exception whose chain holds nothing more specific."""
    if isinstance(exc, _WRAPPER_TYPES):
        return "reset"  # the server went away without a (complete) response
    text = _message(exc).lower()
    if isinstance(exc, DownloadFailedError | OSError):
        if "ssl" in text or "certificate" in text or "tls" in text:
            return "tls"
        if "timed out" in text or "timeout" in text:
            return "timeout"
        if "reset" in text or "connection lost" in text or "disconnected" in text:
            return "reset"
        if "refused" in text:
            return "refused"
        if "name or service not known" in text or "nodename nor servname" in text or "dns" in text:
            return "dns"
    return "error"


def _detail(exc: BaseException, chain: list[BaseException], chosen: BaseException | None) -> str:
    parts = []
    for item in [exc] if chosen is None or chosen is exc else [exc, chosen]:
        message = _message(item).strip()
        if isinstance(item, _WRAPPER_TYPES) or "twisted.python.failure.Failure" in message:
            message = ""  # a list of Failure reprs: the chosen cause is named next
        parts.append(f"{type(item).__name__}: {message}" if message else type(item).__name__)
    detail = " <- ".join(parts)
    if len(chain) > 1 and chosen is None:
        detail += f" <- {type(chain[-1]).__name__}"
    return re.sub(r"\s+", " ", detail)[:_MAX_DETAIL]


def classify_failure(exc: BaseException) -> tuple[str, str]:
    """Map a download exception (Twisted, Scrapy or builtin) to (status, detail).

    status is one of BROKEN_REASONS, NOT_BROKEN or an HTTP status code string (for Scrapy's
    HttpError); detail names the exception types and messages, at most 300 characters.
    """
    if isinstance(exc, Failure) and exc.value is not None:  # tolerate a twisted Failure
        exc = exc.value
    chain = _walk(exc)
    found: list[tuple[str, BaseException]] = []
    for item in chain:
        status = _own_status(item)
        if status is not None:
            found.append((status, item))
    if found:

        def rank(entry: tuple[str, BaseException]) -> int:
            status = entry[0]
            return _PRIORITY.index(status) if status in _PRIORITY else -1

        status, chosen = min(found, key=rank)
        return status, _detail(exc, chain, chosen)
    if isinstance(exc, UnsupportedURLSchemeError | SchemeNotSupported):
        return "error", _detail(exc, chain, None)
    status = "error"
    for item in chain:
        status = _fallback_status(item)
        if status != "error":
            break
    return status, _detail(exc, chain, None)


_CODE = re.compile(r"^\d{3}$")


def is_broken(status: str) -> bool:
    """True for 4xx/5xx status codes (as strings) and BROKEN_REASONS.

    False for 1xx/2xx/3xx codes, NOT_BROKEN and any other (unknown) reason.
    """
    text = str(status).strip().lower()
    if _CODE.match(text):
        return 400 <= int(text) <= 599
    return text in BROKEN_REASONS


# ---------------------------------------------------------------------------------------------
# soft 404
# ---------------------------------------------------------------------------------------------

# Phrases that only an error page says: they fire anywhere in the title or the text.
_STRONG_NOT_FOUND = (
    "您访问的页面不存在",
    "您要访问的页面不存在",
    "您所访问的页面不存在",
    "您请求的页面不存在",
    "您访问的页面已删除",
    "页面不存在或已被删除",
    "页面不存在或已删除",
    "页面已被删除",
    "页面已删除",
    "该页面不存在",
    "抱歉，页面不存在",
    "抱歉，您访问的页面",
    "抱歉！您访问的页面",
    "对不起，您访问的页面",
    "您访问的页面找不到",
    "您访问的信息不存在",
    "您访问的文章不存在",
    "该信息已被删除",
    "该信息不存在",
    "信息已删除",
    "文章不存在",
    "文章已删除",
    "页面未找到",
    "页面找不到了",
    "找不到该页面",
    "找不到您要的页面",
    "无法找到该页",
    "无法找到该网页",
    "页面无法访问",
    "the page you requested",
    "page not found",
    "the requested url was not found",
    "file or directory not found",
)
# Weaker signals: fire in the title, or in a short body (an error page has little text).
_WEAK_NOT_FOUND = (
    "页面不存在",
    "网页不存在",
    "不存在",
    "找不到",
    "已删除",
    "not found",
    "错误页面",
)
_SHORT_BODY = 400  # characters of collapsed visible text


_SPACES = re.compile(r"\s+")
# The status code as an error page shows it: "404" on its own, not a part of a longer number (a 公安备案号
# 61090402040445, a date), not a document number or a count (〔2024〕404号, 404次, 404人) and not a value after a
# count's label (访问量：404, 浏览次数 404). Matched in folded text (full-width digits and colons are ASCII there).
_STATUS_404 = re.compile(r"(?<![\d.,〔\[(])404(?![\d.,])(?!\s*[号次人条件篇个家户元万亿期])")
_COUNT_LABEL = re.compile(r"(访问|浏览|点击|阅读|次数|人次|访客|计数|总量|量|文号|字|第|编号|备案)\s*[:：]?\s*$")


@functools.lru_cache(maxsize=8)
def _fold(text: str) -> str:
    """NFKC, whitespace collapsed, lowercased. Cached: a page's text is folded by both the soft-404 test and its
    fingerprint (the cache holds the last few pages only)."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text or "")).strip().lower()


_STRONG_FOLDED = tuple(_fold(p) for p in _STRONG_NOT_FOUND)


def _says_404(folded: str) -> bool:
    """True when the folded text shows the status code 404 as an error page does (see _STATUS_404)."""
    return any(not _COUNT_LABEL.search(folded[max(0, m.start() - 8) : m.start()]) for m in _STATUS_404.finditer(folded))


def looks_like_not_found(title: str, text: str) -> bool:
    """True when a page served with 200 says it is a not-found / deleted page.

    The title is trusted more than the body: "404" or "页面不存在" in the title fires; in the body,
    weak signals ("404", "不存在", "找不到") fire only when the body is short. A normal article that
    mentions "404" in a long text does not fire, and neither do the digits 404 inside a 公安备案号, a visit
    count or a document number: "404" counts only as the status code on its own.
    """
    title_f = _fold(title)
    body = _fold(text)
    if any(p in title_f for p in _STRONG_NOT_FOUND) or any(p in title_f for p in _WEAK_NOT_FOUND):
        return True
    if _says_404(title_f):
        return True
    # Full-width punctuation became ASCII in NFKC: compare the phrases folded the same way.
    if any(p in body for p in _STRONG_FOLDED):
        return True
    return len(body) <= _SHORT_BODY and (any(p in body for p in _WEAK_NOT_FOUND) or _says_404(body))


_FINGERPRINT_DROP = re.compile(r"[\s\d]+")


@functools.lru_cache(maxsize=8)
def page_fingerprint(text: str) -> str:
    """A stable fingerprint of a page's visible text.

    NFKC-folded, lowercased, with digits and whitespace removed (so the request id, time or URL
    number a not-found page prints does not change it), then hashed (BLAKE2b, 32 hex chars).
    """
    core = _FINGERPRINT_DROP.sub("", _fold(text))  # dropping every space: the same as from the unfolded text
    return hashlib.blake2b(core.encode("utf-8", errors="surrogatepass"), digest_size=16).hexdigest()


# ---------------------------------------------------------------------------------------------
# WAF / anti-bot challenge pages
# ---------------------------------------------------------------------------------------------

_CHALLENGE_STATUSES = frozenset({200, 202, 403, 405, 412, 418, 429, 503, 521})

_WAF_TEXT_MARKERS = (
    "安全狗",
    "safedog",
    "云锁",
    "yunsuo",
    "创宇盾",
    "知道创宇",
    "加速乐",
    "jiasule",
    "360网站卫士",
    "360wzws",
    "wzws-waf",
    "百度云加速",
    "yunjiasu",
    "访问被拦截",
    "请求被拦截",
    "您的访问被阻断",
    "您的访问请求可能对网站造成安全威胁",
    "可能对网站造成安全威胁",
    "您的请求带有不合法参数",
    "网站防火墙",
    "web应用防火墙",
    "__jsl_clearance",
    "acw_sc__v2",
    "cf-browser-verification",
    "cf_chl_",
    "attention required! | cloudflare",
    "$_ts=window",
    "$_ts = window",
    "aliyun_waf",
    "errors.aliyun.com",
)
_WAF_TITLE = re.compile(r"<title>\s*(just a moment|attention required|访问被拦截|安全拦截)", re.IGNORECASE)
_WAF_HEADER_VALUES = ("safedog", "yunsuo", "jiasule", "yunjiasu", "360wzws", "wzws")
_WAF_COOKIES = ("__jsl_clearance", "acw_sc__v2", "safedog", "yunsuo_session")
# A 200 challenge page is small; a long 200 page that names a WAF (a footer badge) is the real page.
_MAX_CHALLENGE_BODY = 30_000


def is_waf_challenge(status: int, headers: Mapping[str, str], text: str) -> bool:
    """True when a response is a WAF / anti-bot challenge or block page rather than the real page.

    `text` is the response body (HTML, not only visible text: challenge pages are scripts that set a
    cookie). Needs a challenge-typical status (200, 202, 403, 405, 412, 418, 429, 503, 521) and a
    marker: a WAF name or block message in the body, a challenge cookie script (``__jsl_clearance``,
    ``acw_sc__v2``, 瑞数 ``$_ts``), a Cloudflare "Just a moment" / "Attention Required" title, or, on
    a non-2xx response, a WAF ``Server`` / ``X-Powered-By`` / ``Set-Cookie`` header.
    ``cf-mitigated: challenge`` alone is enough. For 200/202 the body must be short (< 30,000 chars).
    """
    if status not in _CHALLENGE_STATUSES:
        return False
    lowered = {str(k).lower(): str(v).lower() for k, v in (headers or {}).items()}
    if lowered.get("cf-mitigated") == "challenge":
        return True
    text = text or ""
    if status in (200, 202) and len(text) > _MAX_CHALLENGE_BODY:
        return False  # a whole page, not a challenge (most pages a crawl reads: no lowercased copy of them)
    body = text.lower()
    if _WAF_TITLE.search(body) or any(marker in body for marker in _WAF_TEXT_MARKERS):
        return True
    if status in (200, 202):
        return False
    server = lowered.get("server", "") + " " + lowered.get("x-powered-by", "")
    if any(value in server for value in _WAF_HEADER_VALUES):
        return True
    cookies = lowered.get("set-cookie", "")
    return any(cookie in cookies for cookie in _WAF_COOKIES)
