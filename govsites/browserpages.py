"""Browser pages that always close, and browser downloads that always end.

Measured on Playwright 1.65 with Debian's Chromium: a page whose script reloads it every few milliseconds (the
challenge of a host that never lets a browser in, :mod:`govsites.antibot`) makes ``page.close()`` hang for good
about one time in three while scrapy-playwright's route handler is installed on it; removing the routes first
(``page.unroute_all(behavior="ignoreErrors")``) closed it 30 times out of 30. One such page kept a whole crawl
from ending (the page reloaded the site's home page 600 times a minute until the crawl was killed).

Measured again under load (three busy processes beside the browser): with the routes removed, 1 close in 40
still hung; with the page's scripts disabled and its loading stopped through Chromium's DevTools protocol as
well, none of 120 did.

Two parts:

- :func:`prepare_page`, scrapy-playwright's ``playwright_page_init_callback`` on every browser request (see
  :func:`browser_meta`): the page's ``close`` is :func:`close_page`, and the page is remembered for its
  request so that a download that overruns can close it.
- :class:`BoundedPlaywrightHandler`, the download handler: scrapy-playwright's, with a deadline on the whole
  browser download (navigation, page methods, reading the content), ``GOVSITES_RENDER_DEADLINE`` seconds. A
  download past its deadline closes its page,
  is counted as ``govsites/render/deadline`` and fails with :class:`scrapy.exceptions.DownloadTimeoutError` (so
  Scrapy's retry and the spider's errback see an ordinary timeout).
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from typing import Any

from scrapy import Request
from scrapy.exceptions import DownloadTimeoutError
from scrapy.http import Response
from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler

from govsites.config import GovsitesConfig

logger = logging.getLogger(__name__)

#: Seconds a page may take to close before it is given up on (logged; its browser context still closes it at
#: the end of the crawl).
CLOSE_TIMEOUT = 10.0

#: The open page of each browser request, and the loop it lives on (Playwright may run on a loop of its own).
_PAGES: weakref.WeakKeyDictionary[Request, tuple[Any, asyncio.AbstractEventLoop]] = weakref.WeakKeyDictionary()


async def close_page(page: Any, timeout: float = CLOSE_TIMEOUT) -> bool:
    """Close a Playwright page without hanging: its routes are removed and its scripts and loads stopped first
    (Chromium's DevTools protocol), and every step is bounded; a close that still hangs is asked of Chromium
    directly. True when the page is closed."""
    if page.is_closed():
        return True
    session = None
    try:
        await asyncio.wait_for(page.unroute_all(behavior="ignoreErrors"), timeout)
        session = await asyncio.wait_for(_quieted(page), timeout)
        await asyncio.wait_for(_original_close(page)(), timeout)
    except TimeoutError:
        if session is not None and await _forced_close(session, page, timeout):
            return True
        logger.warning("浏览器页面 %s 在 %.0f 秒内未能关闭，留待抓取结束时随浏览器关闭", page.url, timeout)
        return False
    except Exception as exc:  # the page or the browser is gone already: nothing left to close
        logger.debug("closing page %s: %s", page.url, exc)
    return True


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


#: Counts the page's fetch/XHR requests still waiting for an answer (``window.__govsitesPending``) and notes the
#: addresses of its GET requests (``window.__govsitesFetched``, the first 50: :data:`FETCHED_SCRIPT` reads them
#: for :mod:`govsites.extract.endpoints`), installed before the page's own scripts run: the settle wait of a
#: rendered list reads the count.
TRACK_REQUESTS = """(() => {
  window.__govsitesPending = 0;
  window.__govsitesFetched = [];
  const done = () => { window.__govsitesPending = Math.max(0, window.__govsitesPending - 1); };
  const note = (method, target) => {
    try {
      if (String(method || "GET").toUpperCase() === "GET" && window.__govsitesFetched.length < 50) {
        const url = target && typeof target === "object" && "url" in target ? target.url : String(target);
        window.__govsitesFetched.push(new URL(url, location.href).href);
      }
    } catch (e) { /* an address the page cannot resolve is not noted */ }
  };
  if (window.fetch) {
    const fetch = window.fetch;
    window.fetch = function (...args) {
      window.__govsitesPending += 1;
      const init = args[1] || {};
      const target = args[0];
      note(init.method || (target && typeof target === "object" && target.method) || "GET", target);
      return fetch.apply(this, args).finally(done);
    };
  }
  const open = XMLHttpRequest.prototype.open;
  XMLHttpRequest.prototype.open = function (method, url, ...rest) {
    this.__govsitesTarget = [method, url];
    return open.call(this, method, url, ...rest);
  };
  const send = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.send = function (...args) {
    window.__govsitesPending += 1;
    if (this.__govsitesTarget) { note(this.__govsitesTarget[0], this.__govsitesTarget[1]); }
    this.addEventListener("loadend", done, {once: true});
    return send.apply(this, args);
  };
})();"""

#: Read after the settle wait: the GET addresses the page fetched (see :data:`TRACK_REQUESTS`).
FETCHED_SCRIPT = "() => (window.__govsitesFetched || []).slice(0, 50)"


def fetched_urls(request: Request | None) -> list[str]:
    """The GET addresses a rendered page fetched, as :data:`FETCHED_SCRIPT` read them ([] if not read)."""
    methods = request.meta.get("playwright_page_methods", []) if request is not None else []
    for method in methods:
        if getattr(method, "args", ()) == (FETCHED_SCRIPT,):
            result = getattr(method, "result", None)
            return [str(url) for url in result] if isinstance(result, list) else []
    return []


async def prepare_page(page: Any, request: Request) -> None:
    """``playwright_page_init_callback``: the page closes through :func:`close_page` (scrapy-playwright's own
    ``page.close()`` included), counts its pending fetch/XHR requests (:data:`TRACK_REQUESTS`), and is remembered
    for its request."""
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
    _PAGES[request] = (page, asyncio.get_running_loop())


#: :func:`prepare_page` by its import path: a request's meta stays serializable for the crawl's disk queue.
PREPARE_PAGE = f"{__name__}.prepare_page"


def browser_meta() -> dict[str, Any]:
    """The meta every browser request carries besides ``playwright``: the page init callback above."""
    return {"playwright_page_init_callback": PREPARE_PAGE}


class BoundedPlaywrightHandler(ScrapyPlaywrightDownloadHandler):
    """scrapy-playwright's download handler with a deadline on every browser download (module docstring)."""

    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler)
        #: ``GOVSITES_RENDER_DEADLINE``: longer than the navigation timeout (20 s) plus the settle wait of
        #: :data:`govsites.spiders.requests.SETTLE_SCRIPT` (10 s at most) plus reading the page.
        self.deadline = GovsitesConfig.from_settings(crawler.settings).render_deadline
        self.crawler_stats = crawler.stats

    async def download_request(self, request: Request, *args: Any) -> Response:
        if not request.meta.get("playwright"):
            return await super().download_request(request, *args)
        try:
            return await asyncio.wait_for(super().download_request(request, *args), self.deadline)
        except TimeoutError as timeout:
            self.crawler_stats.inc_value("govsites/render/deadline")
            logger.warning("浏览器打开 %s 超过 %.0f 秒仍未完成，已放弃并关闭页面", request.url, self.deadline)
            await close_request_page(request)
            raise DownloadTimeoutError(
                f"browser download of {request.url} took longer than {self.deadline:.0f} s"
            ) from timeout


async def close_request_page(request: Request) -> None:
    """Close the page a browser request opened (on the loop the page lives on)."""
    found = _PAGES.pop(request, None)
    if found is None:
        return
    page, loop = found
    if loop is asyncio.get_running_loop():
        await close_page(page)
    else:
        await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(close_page(page), loop))
