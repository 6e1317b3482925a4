"""Browser pages that always close, and browser downloads that always end.

Measured on Playwright 1.65 with Debian's Chromium: a page whose script reloads it every few milliseconds (the
challenge of a host that never lets a browser in, :mod:`govsites.antibot`) makes ``page.close()`` hang for good
about one time in three while scrapy-playwright's route handler is installed on it; removing the routes first
(``page.unroute_all(behavior="ignoreErrors")``) closed it 30 times out of 30. One such page kept a whole crawl
from ending (the page reloaded the site's home page 600 times a minute until the crawl was killed).

Measured again under load (three busy processes beside the browser): with the routes removed, 1 close in 40
still hung; with the page's scripts disabled and its loading stopped through Chromium's DevTools protocol as
well, none of 120 did.

Measured on a 2,000-site crawl (two processes and their browsers on two cores): 30 pages did not close within
10 s, and each kept one of scrapy-playwright's page permits (given back only as a page closes) until one
process rendered one page at a time and stopped finishing sites. A page that does not close is now closed later
in the background, and the permits leave room for such pages (:data:`govsites.rendering.STUCK_PAGE_ROOM`).

Its parts:

- :func:`prepare_page`, scrapy-playwright's ``playwright_page_init_callback`` on every browser request (see
  :func:`browser_meta`): the page's ``close`` is :func:`close_page`.
- :class:`BoundedPlaywrightHandler`, the download handler: scrapy-playwright's, with a deadline on the whole
  browser download (navigation, page methods, reading the content), ``GOVSITES_RENDER_DEADLINE`` seconds. A
  download past its deadline closes its page,
  is counted as ``govsites/render/deadline`` and fails with :class:`RenderDeadlineError`, a
  :class:`scrapy.exceptions.DownloadTimeoutError` (so Scrapy's retry and the spider's errback see an ordinary
  timeout). The page is remembered for its request as
  soon as it is made, so that a download that overruns can close it, and its creation is safe to cancel: a
  download cancelled while the browser makes its page no longer keeps the permit and leaves the page open.
  One handler serves both schemes of a crawl (:meth:`BoundedPlaywrightHandler.from_crawler`): Scrapy builds one
  per scheme, and each started its own Playwright driver (and, with an https page to render, its own browser).
  The crawl spider launches the browser before its crawl starts (``PLAYWRIGHT_CONTEXTS`` in
  :class:`govsites.spiders.site.SiteSpider`): launched at the first render, on a crawl process busy with 30 sites'
  pages, the browser took 12 s to start and its context 15 s more, while the first challenged sites waited.
- :func:`close_page`, every close of a browser page: bounded, and retried in the background when it fails.
- :class:`PagePool`, the pages of completed renders, kept open for the next render (``GOVSITES_RENDER_PAGE_REUSE``;
  a JS challenge's pass always gets a new page), each parked on a blank document meanwhile (:func:`park_page`).
- :class:`RenderFailures`, a downloader middleware below the retries: a list's render that ended without a page
  (past its deadline on its last try, :class:`RenderDeadlineError`; not opened, :class:`RenderSkipped`; failed in
  the browser) is counted (``govsites/render/unrendered/<code>``), logged, and noted with its reason
  (:class:`govsites.rendering.RenderFailure`) in its site's state, where the spider's errback finds it: the column
  is stored as ``unrendered`` with that reason, never as unreachable or read (:mod:`govsites.spiders.columns`).
"""

from __future__ import annotations

import asyncio
import collections
import concurrent.futures
import logging
import weakref
from collections.abc import Coroutine
from typing import Any, TypeVar

from scrapy import Request
from scrapy.exceptions import DownloadTimeoutError, IgnoreRequest
from scrapy.http import Response
from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler

from govsites.config import GovsitesConfig
from govsites.extract.datarequest import Endpoint
from govsites.givendocument import give_document
from govsites.rendering import RENDER_DEADLINE, RENDER_FAILED, RENDER_SKIPPED, RenderFailure
from govsites.sitestate import state_lookup

logger = logging.getLogger(__name__)
T = TypeVar("T")

#: Seconds each step of a page's close may take before the close is tried again later (in the background: the
#: download that closed it goes on).
CLOSE_TIMEOUT = 10.0

#: Seconds to wait before each later try at closing a page that would not close, and each try's step bound. Under
#: load (two crawl processes and their browsers on two cores, 2,000 sites) 30 browser pages took longer than
#: 10 s to close; left open for good, each held one of the browser's page permits until one process rendered one
#: page at a time.
LATER_CLOSES = (30.0, 60.0, 120.0)

#: Closes running in the background (kept referenced until done: the loop holds tasks only weakly); the handler
#: cancels the ones left when the browser closes.
_CLOSING: set[asyncio.Future[Any]] = set()

#: The open page of each browser request, and the loop it lives on (Playwright may run on a loop of its own).
_PAGES: weakref.WeakKeyDictionary[Request, tuple[Any, asyncio.AbstractEventLoop]] = weakref.WeakKeyDictionary()


async def close_page(page: Any, timeout: float = CLOSE_TIMEOUT) -> bool:
    """Close a Playwright page without hanging: its routes are removed and its scripts and loads stopped first
    (Chromium's DevTools protocol), and every step is bounded; a close that still hangs is asked of Chromium
    directly. True when the page is closed; otherwise it is counted (``govsites/render/pages_unclosed``) and
    tried again in the background (:data:`LATER_CLOSES`, ``govsites/render/pages_closed_late``)."""
    if await _closed(page, timeout):
        return True
    _count(page, "govsites/render/pages_unclosed")
    logger.warning("浏览器页面 %s 在 %.0f 秒内未能关闭，稍后在后台再试", page.url, timeout)
    _in_background(_close_later(page))
    return False


async def _closed(page: Any, timeout: float) -> bool:
    """One bounded try at closing ``page`` (:func:`close_page`); whether it is closed."""
    if page.is_closed():
        return True
    session = None
    try:
        await asyncio.wait_for(page.unroute_all(behavior="ignoreErrors"), timeout)
        session = await asyncio.wait_for(_quieted(page), timeout)
        await asyncio.wait_for(_original_close(page)(), timeout)
    except TimeoutError:
        return session is not None and await _forced_close(session, page, timeout)
    except Exception as exc:  # the page or the browser is gone already: nothing left to close
        logger.debug("closing page %s: %s", page.url, exc)
    return True


async def _close_later(page: Any) -> None:
    for pause in LATER_CLOSES:
        await asyncio.sleep(pause)
        if await _closed(page, pause):
            _count(page, "govsites/render/pages_closed_late")
            logger.info("浏览器页面 %s 已在后台关闭", page.url)
            return
    logger.warning("浏览器页面 %s 多次仍未能关闭，留待抓取结束时随浏览器关闭", page.url)


def _in_background(work: Any) -> None:
    """Run ``work`` (a coroutine) as a task of its own, referenced until it ends."""
    task = asyncio.ensure_future(work)
    _CLOSING.add(task)
    task.add_done_callback(_CLOSING.discard)


def _count(page: Any, key: str) -> None:
    stats = getattr(page, "_govsites_stats", None)
    if stats is not None:
        stats.inc_value(key)


async def _quieted(page: Any) -> Any:
    """The page with its scripts disabled and its loading stopped (a challenge that reloads itself every few
    milliseconds stops); its DevTools session, or None where there is none (not Chromium, a page gone)."""
    try:
        session = await page.context.new_cdp_session(page)
        await session.send("Emulation.setScriptExecutionDisabled", {"value": True})
        await session.send("Page.stopLoading")
    except Exception as exc:  # a browser without the protocol, or the page closed meanwhile
        logger.debug("quieting page %s: %s", page.url, exc)
        return None
    return session


async def _forced_close(session: Any, page: Any, timeout: float) -> bool:
    """Ask Chromium itself to close the page (DevTools ``Page.close``); whether it closed."""
    try:
        await asyncio.wait_for(session.send("Page.close"), timeout)
        await asyncio.sleep(0.5)
    except Exception as exc:  # any failure: the page stays for the browser's own close
        logger.debug("forcing page %s closed: %s", page.url, exc)
    return bool(page.is_closed())


def _original_close(page: Any) -> Any:
    return getattr(page, "_govsites_close", page.close)


#: Entries the page's resource timing buffer holds (:data:`govsites.renderreuse.INPUTS_SCRIPT` reads them).
RESOURCE_TIMING_BUFFER = 2000

#: The longest request body noted as text (a longer one is opaque: see :data:`TRACK_REQUESTS`).
MAX_BODY = 4096

#: Counts the page's fetch/XHR requests still waiting for an answer (``window.__govsitesPending``) and notes its
#: GET and POST requests (``window.__govsitesFetched``, the first 50: address, method, a text body and its type:
#: :data:`FETCHED_SCRIPT` reads them for :mod:`govsites.extract.endpoints`), installed before the page's own
#: scripts run: the settle wait of a rendered list reads the count. A body that is not text (``FormData``, a
#: ``Blob``, a ``Request`` object's), or longer than :data:`MAX_BODY`, is noted as opaque; requests that are not
#: GETs are counted (``window.__govsitesOtherMethods``: :mod:`govsites.renderreuse`).
TRACK_REQUESTS = """(() => {
  window.__govsitesPending = 0;
  window.__govsitesFetched = [];
  try { performance.setResourceTimingBufferSize(__BUFFER__); } catch (e) { /* the default buffer then */ }
  const done = () => { window.__govsitesPending = Math.max(0, window.__govsitesPending - 1); };
  const FORM = "application/x-www-form-urlencoded;charset=UTF-8";
  const TEXT = "text/plain;charset=UTF-8";
  const bodyOf = (body, type) => {
    if (body === undefined || body === null) { return {body: "", type: type || "", opaque: false}; }
    if (typeof body === "string") {
      const long = body.length > __MAX_BODY__;
      return {body: long ? "" : body, type: type || TEXT, opaque: long};
    }
    if (typeof URLSearchParams !== "undefined" && body instanceof URLSearchParams) {
      return {body: body.toString(), type: type || FORM, opaque: false};
    }
    return {body: "", type: type || "", opaque: true};
  };
  const headerOf = (headers, name) => {
    try {
      if (!headers) { return ""; }
      if (typeof Headers !== "undefined" && headers instanceof Headers) { return headers.get(name) || ""; }
      const pairs = Array.isArray(headers) ? headers : Object.entries(headers);
      const found = pairs.find((pair) => String(pair[0]).toLowerCase() === name);
      return found ? String(found[1]) : "";
    } catch (e) { return ""; }
  };
  const note = (method, target, body, type) => {
    try {
      method = String(method || "GET").toUpperCase();
      if (method !== "GET") {
        window.__govsitesOtherMethods = (window.__govsitesOtherMethods || 0) + 1;
      }
      if ((method === "GET" || method === "POST") && window.__govsitesFetched.length < 50) {
        const url = target && typeof target === "object" && "url" in target ? target.url : String(target);
        const sent = method === "GET" ? {body: "", type: "", opaque: false} : bodyOf(body, type);
        sent.url = new URL(url, location.href).href;
        sent.method = method;
        window.__govsitesFetched.push(sent);
      }
    } catch (e) { /* an address the page cannot resolve is not noted */ }
  };
  if (window.fetch) {
    const fetch = window.fetch;
    window.fetch = function (...args) {
      window.__govsitesPending += 1;
      const init = args[1] || {};
      const target = args[0];
      const request = target && typeof target === "object" && "method" in target ? target : null;
      const method = init.method || (request ? request.method : "GET");
      const headers = init.headers || (request ? request.headers : null);
      const body = "body" in init ? init.body : (request && request.body ? {} : undefined);
      note(method, target, body, headerOf(headers, "content-type"));
      return fetch.apply(this, args).finally(done);
    };
  }
  const open = XMLHttpRequest.prototype.open;
  XMLHttpRequest.prototype.open = function (method, url, ...rest) {
    this.__govsitesTarget = [method, url];
    this.__govsitesType = "";
    return open.call(this, method, url, ...rest);
  };
  const setRequestHeader = XMLHttpRequest.prototype.setRequestHeader;
  XMLHttpRequest.prototype.setRequestHeader = function (name, value) {
    if (String(name).toLowerCase() === "content-type") { this.__govsitesType = String(value); }
    return setRequestHeader.call(this, name, value);
  };
  const send = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.send = function (...args) {
    window.__govsitesPending += 1;
    if (this.__govsitesTarget) {
      note(this.__govsitesTarget[0], this.__govsitesTarget[1], args[0], this.__govsitesType);
    }
    this.addEventListener("loadend", done, {once: true});
    return send.apply(this, args);
  };
})();""".replace("__BUFFER__", str(RESOURCE_TIMING_BUFFER)).replace("__MAX_BODY__", str(MAX_BODY))

#: Read after the settle wait: the requests the page sent (see :data:`TRACK_REQUESTS`).
FETCHED_SCRIPT = "() => (window.__govsitesFetched || []).slice(0, 50)"


def method_result(request: Request | None, script: str) -> Any:
    """What the page method evaluating ``script`` returned in a browser download of ``request`` (None if not run)."""
    methods = request.meta.get("playwright_page_methods", []) if request is not None else []
    for method in methods:
        if getattr(method, "args", ()) == (script,):
            return getattr(method, "result", None)
    return None


def fetched_requests(request: Request | None) -> list[Endpoint]:
    """The GET and POST requests a rendered page sent, as :data:`FETCHED_SCRIPT` read them ([] if not read)."""
    result = method_result(request, FETCHED_SCRIPT)
    if not isinstance(result, list):
        return []
    found = []
    for sent in result:
        if isinstance(sent, str):
            found.append(Endpoint(sent))
        elif isinstance(sent, dict) and isinstance(sent.get("url"), str):
            found.append(
                Endpoint(
                    sent["url"],
                    str(sent.get("method") or "GET"),
                    str(sent.get("body") or ""),
                    str(sent.get("type") or ""),
                    bool(sent.get("opaque")),
                )
            )
    return found


async def prepare_page(page: Any, request: Request) -> None:
    """``playwright_page_init_callback``: the page closes through :func:`close_page` (scrapy-playwright's own
    ``page.close()`` included), counts its pending fetch/XHR requests (:data:`TRACK_REQUESTS`) and, when the
    request carries one, is given its document (:mod:`govsites.givendocument`)."""
    if not hasattr(page, "_govsites_close"):
        await page.add_init_script(TRACK_REQUESTS)
        original = page.close

        async def bounded_close(**kwargs: Any) -> None:
            if kwargs:
                await original(**kwargs)
                return
            await close_page(page)

        page._govsites_close = original
        page.close = bounded_close
    await give_document(page, request)


#: :func:`prepare_page` by its import path: a request's meta stays serializable for the crawl's disk queue.
PREPARE_PAGE = f"{__name__}.prepare_page"


def browser_meta() -> dict[str, Any]:
    """The meta every browser request carries besides ``playwright``: the page init callback above."""
    return {"playwright_page_init_callback": PREPARE_PAGE}


class RenderDeadlineError(DownloadTimeoutError):
    """A browser download past ``GOVSITES_RENDER_DEADLINE`` (``seconds``): an ordinary timeout to Scrapy's retry and
    to the spider's errback, told apart by :class:`RenderFailures`."""

    def __init__(self, message: str = "", *, seconds: float = 0.0) -> None:
        super().__init__(message)
        self.seconds = seconds


class RenderSkipped(IgnoreRequest):
    """A browser render that is not opened at all; ``cause`` (Chinese) says why (see :mod:`govsites.antibot`)."""

    def __init__(self, message: str = "", *, cause: str = "") -> None:
        super().__init__(message)
        self.cause = cause


#: ``request.meta["role"]`` of the renders whose failure leaves a column unread (a list page's render; the home
#: page's render for the dark-link check is the security checks', ``govsites/security/home_render_failed``).
LIST_RENDER_ROLES = frozenset({"page"})


def render_failure(exception: BaseException, attempts: int = 1) -> RenderFailure:
    """Why a browser render ended without a page (``attempts``: how often it was tried, retries included)."""
    if isinstance(exception, RenderDeadlineError):
        tries = f"，共试 {attempts} 次" if attempts > 1 else ""
        detail = f"浏览器打开该页超过渲染时限 {exception.seconds:g} 秒仍未完成{tries}（GOVSITES_RENDER_DEADLINE）"
        return RenderFailure(RENDER_DEADLINE, detail)
    if isinstance(exception, RenderSkipped) and exception.cause:
        return RenderFailure(RENDER_SKIPPED, exception.cause)
    message = " ".join(str(exception).split())[:200]
    if isinstance(exception, IgnoreRequest):
        return RenderFailure(RENDER_SKIPPED, f"未用浏览器打开：{message or type(exception).__name__}")
    return RenderFailure(RENDER_FAILED, f"浏览器打开失败：{type(exception).__name__}: {message}".rstrip(": "))


class RenderFailures:
    """Downloader middleware (below the retries, so it sees a render's last failure only): a list page's render
    that ends without a page is counted, logged and noted for its site (module docstring); the failure goes on to
    the spider's errback unchanged.

    The note is the site state's own in this process (also in a distributed crawl: a render's download and its
    errback run in the same process), keyed by the URL the page was asked for."""

    def __init__(self, crawler: Any) -> None:
        self.states = state_lookup(crawler.spider)
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Any) -> RenderFailures:
        return cls(crawler)

    def process_exception(self, request: Request, exception: Exception, spider: Any = None) -> None:
        if not request.meta.get("playwright") or request.meta.get("role") not in LIST_RENDER_ROLES:
            return
        failure = render_failure(exception, 1 + int(request.meta.get("retry_times", 0)))
        self.stats.inc_value(f"govsites/render/unrendered/{failure.code}")
        chain = request.meta.get("redirect_urls")
        url = chain[0] if chain else request.url  # as the page was asked for (the errback's verdict URL)
        logger.warning(
            "浏览器未能渲染 %s（%s）：%s；其列表未读取，该栏目标为“未能渲染”，不计入栏目评分",
            url,
            failure.label,
            failure.detail,
        )
        state = self.states(request.meta.get("site_id", ""))
        if state is not None:
            state.note_render_failure(url, failure)


#: ``request.meta`` key of a render whose page goes back to the :class:`PagePool` (set by the handler while the
#: render runs).
POOLED = "govsites_pooled_page"

#: The handler of each crawler (:meth:`BoundedPlaywrightHandler.from_crawler`).
_HANDLERS: weakref.WeakKeyDictionary[Any, BoundedPlaywrightHandler] = weakref.WeakKeyDictionary()


class BoundedPlaywrightHandler(ScrapyPlaywrightDownloadHandler):
    """scrapy-playwright's download handler with a deadline on every browser download (module docstring)."""

    @classmethod
    def from_crawler(cls, crawler: Any) -> BoundedPlaywrightHandler:
        """The crawler's one handler, for http and https alike: one Playwright driver and one browser a process."""
        handler = _HANDLERS.get(crawler)
        if handler is None:
            handler = _HANDLERS[crawler] = cls(crawler)
        return handler

    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler)
        self._closing: asyncio.Future[None] | None = None
        config = GovsitesConfig.from_settings(crawler.settings)
        #: ``GOVSITES_RENDER_DEADLINE``: longer than the navigation timeout (20 s) plus the settle wait of
        #: :data:`govsites.spiders.requests.SETTLE_SCRIPT` (10 s at most) plus reading the page.
        self.deadline = config.render_deadline
        self.crawler_stats = crawler.stats
        #: Pages of completed renders, open for the next render (:class:`PagePool`).
        self.pool = PagePool(config.render_pages if config.render_page_reuse else 0)
        #: ``GOVSITES_RENDER_PAGE_PARK``: kept pages wait on a blank document (:func:`park_page`).
        self.park = config.render_page_park

    async def _launch(self) -> None:
        """scrapy-playwright's start-up (its driver, then the browser and its context when the spider asks for them
        before the crawl). A browser that cannot start is one clear line, not a traceback: the crawl goes on, and
        each page that needs the browser fails on its own (counted, and told to the analyst as not rendered)."""
        try:
            await super()._launch()
        except Exception as exc:  # any failure to start: every render will report it
            logger.error(
                "浏览器无法启动（%s）：抓取继续，需要浏览器渲染的页面将标为“未能渲染”"
                "（检查 GOVSITES_CHROMIUM 或运行 make install）",
                " ".join(str(exc).split())[:300],
            )

    async def close(self) -> None:
        """Closed once, however many schemes Scrapy closes it for."""
        if self._closing is None:
            self._closing = asyncio.ensure_future(super().close())
        await asyncio.shield(self._closing)

    async def _create_page(self, request: Request, spider: Any) -> Any:
        """scrapy-playwright's page creation, safe to cancel (a download past its deadline is cancelled).

        scrapy-playwright takes one of the context's page permits (``PLAYWRIGHT_MAX_PAGES_PER_CONTEXT``) before
        it asks the browser for a page, and gives it back only when that page closes; a cancellation while the
        browser makes the page (slow under load) lost the permit for good and left the page open (the same
        loss as a page that would not close, the measured cause of a 2,000-site crawl's stall; see the module
        docstring). Here the page is made to the end whatever happens to the download, remembered
        for its request at once (:func:`close_request_page` closes it), and closed at once when nobody waits for
        it any more (``govsites/render/orphan_pages``)."""
        # Only a render whose page comes back to the pool takes one from it: a pass of a JS challenge (a page handed
        # over to its caller), which a whole site waits for and which is not retried, gets a page of its own.
        page: Any = await self._pooled_page() if request.meta.get(POOLED) else None
        if page is None:
            making = asyncio.ensure_future(super()._create_page(request, spider))
            try:
                page = await asyncio.shield(making)
            except asyncio.CancelledError:
                making.add_done_callback(self._close_orphan)
                raise
            page._govsites_stats = self.crawler_stats
            page.on("crash", lambda crashed: setattr(crashed, "_govsites_crashed", True))
        _PAGES[request] = (page, asyncio.get_running_loop())
        return page

    async def _pooled_page(self) -> Any:
        """A page of the pool, parked and unrouted for this render, or None (none kept, or it went meanwhile)."""
        kept = self.pool.take()
        if kept is None:
            return None
        page, parking = kept
        try:
            parked = await asyncio.shield(asyncio.wrap_future(parking))
            if parked:
                await page.unroute("**")  # scrapy-playwright routes it for this request (as for a page it passes on)
        except asyncio.CancelledError:
            _in_background(close_page(page))
            raise
        except Exception as exc:  # the page went meanwhile: a new one then
            logger.debug("reusing page %s: %s", page.url, exc)
            parked = False
        if not parked:
            self.crawler_stats.inc_value("govsites/render/pages_unparked")
            _in_background(close_page(page))
            return None
        self.crawler_stats.inc_value("govsites/render/pages_reused")
        return page

    async def _close(self) -> None:
        """The browser closes every page still open: later tries at closing one (:data:`LATER_CLOSES`) stop."""
        for closing in list(_CLOSING):
            closing.cancel()
        await super()._close()

    def _close_orphan(self, making: asyncio.Future[Any]) -> None:
        """Close a page made for a download that was cancelled meanwhile (its permit comes back as it closes)."""
        if making.cancelled() or making.exception() is not None:
            return
        self.crawler_stats.inc_value("govsites/render/orphan_pages")
        page = making.result()
        page._govsites_stats = self.crawler_stats
        _in_background(close_page(page))

    async def download_request(self, request: Request, *args: Any) -> Response:
        if not request.meta.get("playwright"):
            return await super().download_request(request, *args)
        # A page the download does not hand over is kept for the next render when the render completes
        # (scrapy-playwright then neither closes it nor, on a failure, leaves it open: closed here).
        pooled = self.pool.capacity > 0 and not request.meta.get("playwright_include_page")
        if pooled:
            request.meta.update({"playwright_include_page": True, POOLED: True})
        try:
            response = await asyncio.wait_for(super().download_request(request, *args), self.deadline)
        except TimeoutError as timeout:
            self.crawler_stats.inc_value("govsites/render/deadline")
            logger.warning("浏览器打开 %s 超过 %.0f 秒仍未完成，已放弃并关闭页面", request.url, self.deadline)
            await close_request_page(request)
            raise RenderDeadlineError(
                f"browser download of {request.url} took longer than {self.deadline:.0f} s", seconds=self.deadline
            ) from timeout
        except BaseException:
            if pooled:
                await close_request_page(request)
            raise
        finally:
            if pooled:
                request.meta.pop(POOLED, None)
                request.meta.pop("playwright_include_page", None)
                request.meta.pop("playwright_page", None)  # never in a request's meta (retries, disk queues)
        if pooled:
            self._keep_page(request)
        return response

    def _keep_page(self, request: Request) -> None:
        """The page of a completed render goes back to the pool, parked on a blank document (:func:`park_page`, on
        the page's loop, unless ``GOVSITES_RENDER_PAGE_PARK`` is off; the next render that takes it waits for that), or
        is closed when the pool is full."""
        found = _PAGES.pop(request, None)
        if found is None:
            return
        page, loop = found
        if not self.pool.has_room(page):
            loop.call_soon_threadsafe(_in_background, close_page(page))
            return
        if self.park:
            parking = asyncio.run_coroutine_threadsafe(park_page(page), loop)
        else:
            parking = concurrent.futures.Future()
            parking.set_result(True)
        self.pool.give_back(page, parking)


class PagePool:
    """Browser pages of completed renders, kept open for the next render (at most ``capacity``; 0: none kept).

    A render on a new page costs Chromium a new tab and, under its default site isolation, a new renderer process;
    Playwright's page set-up and the bounded close (:func:`close_page`) cost the crawl process a dozen DevTools
    round trips more. Measured on the bench web's 65 home pages (8 at a time): 19.5-25.1 CPU-s in Chromium's
    processes with a new page each, 12.3-13.4 CPU-s with pages reused and renderer processes shared
    (``--renderer-process-limit``, :func:`govsites.addon.browser_launch`); docs/benchmarks.md.

    Only a page whose render completed comes back; a page that failed, crashed, ran past its deadline or ended
    on an error page is closed. A kept page is parked on a blank document as it comes back (:func:`park_page`):
    nothing of the previous site's document stays (a context's cookies are shared by every page anyway), and its
    scripts stop. Left on the rendered page, a county home page's scrolling news box (a script that moves it a
    pixel every 25-50 ms) or an animated banner kept the browser busy for as long as the page waited in the pool:
    on 24 sites whose home pages scroll such a box, a first crawl's Chromium used 8.6-12.0 CPU-s more (28.6-29.4
    against 17.3-20.0; ``make bench``'s parking section, docs/benchmarks.md). A park is one navigation, about
    25 ms of Chromium's CPU."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        #: Kept pages, each with the future of its parking (True once parked, False when it could not be).
        self.idle: collections.deque[tuple[Any, concurrent.futures.Future[bool]]] = collections.deque()

    @staticmethod
    def usable(page: Any) -> bool:
        url = str(getattr(page, "url", ""))
        return not (page.is_closed() or getattr(page, "_govsites_crashed", False) or url.startswith("chrome-error:"))

    def has_room(self, page: Any) -> bool:
        """Whether ``page`` would be kept (the pool is not full and the page is usable)."""
        return len(self.idle) < self.capacity and self.usable(page)

    def give_back(self, page: Any, parking: concurrent.futures.Future[bool]) -> None:
        """Keep ``page`` for the next render, with its parking (:meth:`has_room` said it is kept)."""
        self.idle.append((page, parking))

    def take(self) -> tuple[Any, concurrent.futures.Future[bool]] | None:
        """A kept page that is still usable, with its parking (the others are dropped: closed already or closed
        by the browser), or None."""
        while self.idle:
            page, parking = self.idle.popleft()
            if self.usable(page):
                return page, parking
            if not page.is_closed():
                _in_background(close_page(page))
        return None


#: Seconds a page's parking (:func:`park_page`) may take before the page is closed instead.
PARK_TIMEOUT = 10.0


async def park_page(page: Any, timeout: float = PARK_TIMEOUT) -> bool:
    """Navigate a kept page to ``about:blank``, so that its scripts, timers and animations stop while it waits
    for the next render; whether it got there (a page that did not is closed, not reused)."""
    try:
        await asyncio.wait_for(page.goto("about:blank"), timeout)
    except Exception as exc:  # the page or the browser went, or it hung: the taker closes it
        logger.debug("parking page %s: %s", page.url, exc)
        return False
    _count(page, "govsites/render/pages_parked")
    return True


async def close_request_page(request: Request) -> None:
    """Close the page a browser request opened (on the loop the page lives on)."""
    found = _PAGES.pop(request, None)
    if found is None:
        return
    page, loop = found
    await run_on(loop, close_page(page))


async def run_on(loop: asyncio.AbstractEventLoop | None, work: Coroutine[Any, Any, T]) -> T:
    """Await ``work`` run on ``loop`` (None or the running loop: here)."""
    if loop is None or loop is asyncio.get_running_loop():
        return await work
    return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(work, loop))


def browser_loop() -> asyncio.AbstractEventLoop | None:
    """The loop Playwright runs on when it is not the crawl's (``GOVSITES_RENDER_OWN_LOOP``): scrapy-playwright's
    loop in its own thread (``scrapy_playwright._loop``, checked against 0.0.48); None otherwise."""
    from scrapy_playwright._loop import _ThreadedLoopAdapter

    loop: asyncio.AbstractEventLoop | None = getattr(_ThreadedLoopAdapter, "_loop", None)
    return loop if loop is not None and loop.is_running() else None


async def on_browser_loop(work: Coroutine[Any, Any, T]) -> T:
    """Await ``work``, which drives a page a browser download handed over (``playwright_include_page``), on
    Playwright's loop: driven from the crawl's loop while Playwright ran on its own, such a page never answered
    (a site behind a JS cookie challenge waited for good and its crawl never ended)."""
    return await run_on(browser_loop(), work)
