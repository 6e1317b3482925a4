"""What the spider's requests carry besides their URL: priorities and the browser's settle script.

Callback arguments travel in ``cb_kwargs``; ``meta`` keeps what middlewares, extensions and download handlers
read: ``site_id``, ``role`` (:class:`govsites.extensions.HeadersOnly`), ``gdepth`` and ``caps``
(:mod:`govsites.caps`), ``headers_only``, ``download_timeout``, ``handle_httpstatus_list``, the scrapy-playwright
keys and ``download_slot`` (:func:`render_meta`, :func:`https_slot`), and ``gtag``
(:meth:`govsites.distributed.Coordinator.request_tag`).
"""

from __future__ import annotations

from typing import Any

from govsites.rendering import RENDER_SLOT

#: Every 4xx/5xx response reaches the callbacks (redirects are still followed, unlike handle_httpstatus_all).
ALL_ERROR_CODES = list(range(400, 600))

PRIORITY_PROBE, PRIORITY_HOME, PRIORITY_COLUMN, PRIORITY_PAGE, PRIORITY_CHECK = 1000, 100, 50, 0, -10

#: Stops a page's scripts from doing anything more on their own: every timer and animation frame it asked for
#: (their ids count up from 1; the last 100,000 of each are cleared), its CSS and Web
#: animations, its ``<marquee>`` elements. Events (an answer arriving) may still run a handler.
STOP_SCRIPTS = """() => {
  const limit = 100000;
  const timer = setTimeout(() => {}, 0);
  for (let id = timer, n = 0; id > 0 && n < limit; id--, n++) { clearTimeout(id); clearInterval(id); }
  const frame = requestAnimationFrame(() => {});
  for (let id = frame, n = 0; id > 0 && n < limit; id--, n++) { cancelAnimationFrame(id); }
  if (document.getAnimations) { document.getAnimations().forEach(a => { try { a.pause(); } catch (e) {} }); }
  document.querySelectorAll('marquee').forEach(m => { try { m.stop(); } catch (e) {} });
}"""

#: Resolves once the page's DOM has stopped changing for 750 ms with none of its fetch/XHR requests still
#: waiting for an answer (counted by :data:`govsites.browserpages.TRACK_REQUESTS`: a list whose data comes from a
#: host answering in 2 s is not read while the DOM merely waits), or after 10 s: a list that polls forever is
#: still read (waiting for "network idle" would time out on it), and the wait itself never fails.
#:
#: Once settled, the page's own timers, animation frames and animations are stopped (:data:`STOP_SCRIPTS`): what
#: the render reads afterwards (the DOM, the requests it noted, its resource timings) is already there, and a
#: home page's scrolling news box or banner would otherwise keep the browser busy until the page is parked,
#: seconds later on a busy crawl process (docs/benchmarks.md, run Z).
SETTLE_SCRIPT = """() => new Promise(resolve => {
  const size = () => (document.body ? document.body.innerHTML.length : 0);
  const waiting = () => window.__govsitesPending || 0;
  let last = size(), quiet = 0;
  const started = Date.now();
  const timer = setInterval(() => {
    const now = size();
    if (now === last && !waiting()) { quiet += 250; } else { quiet = 0; last = now; }
    if (quiet >= 750 || Date.now() - started > 10000) {
      clearInterval(timer);
      (__STOP_SCRIPTS__)();
      resolve(true);
    }
  }, 250);
})""".replace("__STOP_SCRIPTS__", STOP_SCRIPTS)


def https_slot(host: str) -> str:
    """Downloader slot of a host's HTTPS check (one request per site): apart from the host's own slot, so that a
    check waiting for a TLS answer that never comes holds none of the connections the site's pages use."""
    return f"{host} https-check"


def render_meta() -> dict[str, Any]:
    """Meta of a request rendered in Chromium: scrapy-playwright, the settle wait, the reads of what the page
    fetched (:func:`govsites.browserpages.fetched_requests`) and of what it loaded (:mod:`govsites.renderreuse`), the
    browser's own slot."""
    from scrapy_playwright.page import PageMethod

    from govsites.browserpages import FETCHED_SCRIPT, browser_meta
    from govsites.renderreuse import INPUTS_SCRIPT

    return {
        "playwright": True,
        "playwright_page_methods": [
            PageMethod("evaluate", SETTLE_SCRIPT),
            PageMethod("evaluate", FETCHED_SCRIPT),
            PageMethod("evaluate", INPUTS_SCRIPT),
        ],
        "download_slot": RENDER_SLOT,
        **browser_meta(),
    }
