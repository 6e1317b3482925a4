"""Anti-bot challenges (加速乐, 瑞数 and the like): a 412 or 521 answer whose small page runs a script that sets a
cookie and reloads. A browser passes it; a plain HTTP client never does.

:class:`AntibotMiddleware`, a downloader middleware, sees every answer. The first challenge a host gives sends
that request through Chromium once (scrapy-playwright, the render slot of :mod:`govsites.rendering`); the browser
runs the challenge until the page it reloads into is no longer the challenge (at most ``GOVSITES_ANTIBOT_WAIT``
seconds; a pass that fails is tried once more in a new page, :data:`PASS_ATTEMPTS`), and the cookies it earned
are handed to Scrapy's cookie jar with the same request, asked again plainly. Every later request of the host
carries those cookies; requests challenged while the browser is at work wait for it and are asked again with its
cookies.

A host whose challenge the browser does not pass (or when the browser is off) is *blocked*: its challenged answers
reach the spider with ``request.meta["antibot"] == "blocked"``, and a site whose home page is blocked is stored as
``status = 'blocked'`` with the reason 反爬拦截 — scoring reads it as 未评估, never as a site that is down or one
with zero problems.

A link check that stops at the headers (HEAD, or GET without the body) and gets a challenge status is asked again
with its body read, so that the challenge is recognised and passed like any other (the verdict on a link to a
challenged host must not depend on whether this crawl process happened to pass that host already). Counted in the
stats as ``govsites/antibot/challenged``, ``…/body_asked``, ``…/browser_passes`` (one per host), ``…/pass_retried``
(a host's pass tried again: :data:`PASS_ATTEMPTS`), ``…/pass_reloading`` (the challenge reloaded the page while it
was read: the pass goes on with it), ``…/passed``, ``…/blocked`` (and ``…/blocked/<host>``).
"""

from __future__ import annotations

import asyncio
import logging
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

from govsites.browserpages import RenderSkipped, browser_meta, close_page, on_browser_loop
from govsites.config import GovsitesConfig
from govsites.rendering import RENDER_SLOT

logger = logging.getLogger(__name__)

#: ``request.meta`` key: "browser" on the browser's pass, "retried" on the plain request asked again with the
#: earned cookies, "blocked" on an answer that is still a challenge.
ANTIBOT = "antibot"
BLOCKED = "blocked"
#: The reason a blocked site is stored with (``run_sites.error``); scoring shows it as the 未评估 reason.
BLOCKED_REASON = "反爬拦截：站点要求浏览器验证（JS 挑战），未能通过，网站内容无法读取"
#: Why a render of a blocked host is not opened (the reason of its column, ``unrendered``: scoring shows it).
RENDER_SKIPPED_CAUSE = "反爬拦截：该主机的 JS 验证浏览器未能通过，不再用浏览器打开"
#: Statuses challenge pages answer with (加速乐 521, 瑞数 412).
CHALLENGE_STATUSES = frozenset({412, 521})
#: A challenge page is a small script page; a big 412/521 page is the site's own error page.
MAX_CHALLENGE_BODY = 30_000
#: Seconds between two looks at the browser's page while the challenge runs.
POLL_SECONDS = 0.25
#: Browser passes tried on a host before it is reported blocked: a whole site left unevaluated must not hang on one
#: pass lost to a slow browser start or to a challenge that wants a second round (瑞数-style).
PASS_ATTEMPTS = 2
#: Playwright's error when a page is read while it navigates (scrapy-playwright reads it once more, at once).
NAVIGATING = "page is navigating and changing the content"


def is_challenge(status: int, body: bytes | str) -> bool:
    """A 412/521 answer with a small page that runs a script: a JS cookie challenge."""
    if status not in CHALLENGE_STATUSES:
        return False
    text = body.decode("latin-1") if isinstance(body, bytes) else body
    return len(text) <= MAX_CHALLENGE_BODY and "<script" in text.lower()


def unread_challenge(request: Request, response: Response) -> bool:
    """A challenge status whose body was not read (a HEAD, or a GET stopped at its headers)."""
    unread = request.method == "HEAD" or bool(request.meta.get("headers_only"))
    return response.status in CHALLENGE_STATUSES and unread and not response.body


def host_key(url: str) -> str:
    """Cookies and challenges are per host (and port)."""
    return urlsplit(url).netloc.lower()


def _cookie_dicts(cookies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Playwright's cookies as Scrapy's ``Request(cookies=[...])`` takes them (for the request's own host)."""
    return [
        {k: c[k] for k in ("name", "value", "path") if c.get(k) not in (None, "")} for c in cookies if c.get("name")
    ]


def header_cookies(response: Response) -> dict[str | bytes, str | bytes | bool | float | int]:
    """Cookies a challenge answer sets in its headers (加速乐's ``__jsluid``): the browser gets them too."""
    found: dict[str | bytes, str | bytes | bool | float | int] = {}
    for raw in response.headers.getlist("Set-Cookie"):
        jar: SimpleCookie = SimpleCookie()
        jar.load(raw.decode("latin-1"))
        found.update({m.key: m.value for m in jar.values()})
    return found


class AntibotMiddleware:
    """Downloader middleware passing JS cookie challenges once per host (see the module docstring)."""

    def __init__(self, *, crawler: Any, wait: float, browser: bool, stats: Any = None) -> None:
        self.crawler = crawler
        self.wait = wait
        self.browser = browser
        self.stats = stats
        self.passes: dict[str, asyncio.Future[list[dict[str, Any]] | None]] = {}

    @classmethod
    def from_crawler(cls, crawler: Any) -> AntibotMiddleware:
        config = GovsitesConfig.from_settings(crawler.settings)
        if not config.antibot_enabled:
            raise NotConfigured
        return cls(crawler=crawler, wait=config.antibot_wait, browser=config.render_enabled, stats=crawler.stats)

    def _count(self, name: str) -> None:
        if self.stats is not None:
            self.stats.inc_value(f"govsites/antibot/{name}")

    async def process_request(self, request: Request) -> None:
        """A browser render of a host whose challenge the browser did not pass is not opened: the page would run
        the challenge until its timeout. Counted as ``govsites/antibot/render_skipped``; the render fails with
        :class:`~govsites.browserpages.RenderSkipped` naming the cause (its column is stored as ``unrendered``)."""
        if not request.meta.get("playwright") or request.meta.get(ANTIBOT) == "browser":
            return
        earned = self.passes.get(host_key(request.url))
        if earned is not None and await earned is None:
            self._count("render_skipped")
            raise RenderSkipped(f"{request.url}: 反爬拦截，不再用浏览器打开", cause=RENDER_SKIPPED_CAUSE)

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        step = request.meta.get(ANTIBOT)
        if step is None and unread_challenge(request, response):
            # A link check (HEAD, or GET stopped at the headers) answered with a challenge status: only the body
            # tells a challenge from the host's own error page, so it is asked again with the body read. Without
            # this, a link to a challenged host was judged by whether this process had passed that host already.
            self._count("body_asked")
            meta = {**request.meta, "headers_only": False, ANTIBOT: "body"}
            return request.replace(method="GET", meta=meta, dont_filter=True)
        if step == "browser" or not is_challenge(response.status, response.body):
            if step == "retried":
                self._count("passed")
            return response
        host = host_key(request.url)
        self._count("challenged")
        if step == "retried":
            return self._blocked(request, response, host)
        earned = self.passes.get(host)
        if earned is None:
            earned = asyncio.get_running_loop().create_future()
            self.passes[host] = earned
            if not self.browser:
                logger.warning(
                    "站点 %s 要求浏览器验证，但浏览器渲染已关闭（GOVSITES_RENDER_ENABLED=0），按“反爬拦截”报告", host
                )
            earned.set_result(await self._browser_pass(request, response) if self.browser else None)
        cookies = await earned
        if cookies is None:
            return self._blocked(request, response, host)
        return request.replace(cookies=cookies, meta={**request.meta, ANTIBOT: "retried"}, dont_filter=True)

    def _blocked(self, request: Request, response: Response, host: str) -> Response:
        request.meta[ANTIBOT] = BLOCKED
        self._count("blocked")
        self._count(f"blocked/{host}")
        if (blocked := self.passes.get(host)) is not None and blocked.done() and blocked.result() is not None:
            # The cookies did not help: later challenges of the host are not asked again.
            self.passes[host] = _known(None)
            logger.warning("站点 %s 的反爬验证未通过（浏览器取得的 Cookie 无效），按“反爬拦截”报告", host)
        return response

    async def _browser_pass(self, request: Request, challenge: Response) -> list[dict[str, Any]] | None:
        """Run the challenge in Chromium, up to :data:`PASS_ATTEMPTS` times; the cookies it earned, or None when
        it never let the browser in. Each failed attempt is logged with its cause."""
        self._count("browser_passes")
        host = host_key(request.url)
        for attempt in range(1, PASS_ATTEMPTS + 1):
            cookies, cause = await self._attempt(request, challenge)
            if cookies is not None:
                logger.info("站点 %s 的反爬验证已由浏览器通过，之后的请求带上其 Cookie", host)
                return cookies
            logger.warning("站点 %s 的反爬验证第 %d 次未通过：%s", host, attempt, cause)
            if attempt < PASS_ATTEMPTS:
                self._count("pass_retried")
        return None

    async def _attempt(self, request: Request, challenge: Response) -> tuple[list[dict[str, Any]] | None, str]:
        """One browser pass: the cookies it earned, or None and why not."""
        meta = {
            "site_id": request.meta.get("site_id", ""),
            "playwright": True,
            "playwright_include_page": True,
            "download_slot": RENDER_SLOT,
            "handle_httpstatus_all": True,
            "download_timeout": request.meta.get("download_timeout", 30),
            ANTIBOT: "browser",
            **browser_meta(),
        }
        browser_request = Request(
            request.url, meta=meta, cookies=header_cookies(challenge), dont_filter=True, priority=request.priority
        )
        try:
            answer = await self.crawler.engine.download_async(browser_request)
        except Exception as exc:
            opened = browser_request.meta.get("playwright_page")
            if opened is not None and NAVIGATING in str(exc):
                # The challenge reloaded the page while scrapy-playwright read it (a 50 ms timer does): the
                # challenge is running, which is what the pass waits for (seen in tests/test_antibot.py's web).
                self._count("pass_reloading")
                page = opened
            else:  # any other failure of the browser: the challenge is not passed
                if opened is not None:
                    await on_browser_loop(close_page(opened))
                return None, f"浏览器无法打开 {request.url}（{exc}）"
        else:
            page = answer.meta.get("playwright_page")
            if page is None:
                return None, f"浏览器未交回 {request.url} 的页面（状态 {answer.status}）"
        try:
            passed = await on_browser_loop(self._settle(page))
            cookies = _cookie_dicts(await on_browser_loop(page.context.cookies([request.url])))
        finally:
            await on_browser_loop(close_page(page))
        if not passed:
            return None, f"浏览器等待 {self.wait:.0f} 秒仍停在验证页"
        return cookies, ""

    async def _settle(self, page: Any) -> bool:
        """Wait until the browser's page is no longer the challenge (it reloaded into the site), up to
        ``self.wait`` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.wait
        while loop.time() < deadline:
            try:
                ready = await page.evaluate("document.readyState") == "complete"
                html = await page.content()
            except Exception:  # the page is navigating: look again
                ready, html = False, ""
            if ready and html and not is_challenge_page(html):
                return True
            await asyncio.sleep(POLL_SECONDS)
        return False


def is_challenge_page(html: str) -> bool:
    """What the browser shows is still a challenge: a small page that runs a script and links nowhere."""
    lowered = html.lower()
    return len(lowered) <= MAX_CHALLENGE_BODY and "<script" in lowered and "<a " not in lowered


def _known(value: list[dict[str, Any]] | None) -> asyncio.Future[list[dict[str, Any]] | None]:
    future: asyncio.Future[list[dict[str, Any]] | None] = asyncio.get_running_loop().create_future()
    future.set_result(value)
    return future
