"""Requests in flight per site and "site done", as a spider middleware.

Every request of a site (``request.meta["site_id"]``) is counted when it leaves the spider, and counted finished
once the callback that got its answer has yielded all it had. When a site has no request left, a
:class:`~govsites.items.SiteDoneItem` follows that callback's output: each site is stored as complete the moment
it is, and an interrupted run resumes with the rest.

A callback that raises still finishes its request (the site can complete); the exception then goes on to Scrapy,
which logs it and counts it in ``spider_exceptions/*``.

A request counts finished only once the items its callback yielded have been through the item pipelines
(:class:`ItemsInPipeline`). Scrapy hands a callback's items to the pipelines in parallel with reading the rest of
its output, so without this wait the request could finish first: the site's done item would then be stored by a
pipeline that has not yet seen its last page. With several workers (:mod:`govsites.distributed`) another
worker's done item counted the site's stored pages one short; in one process a page held up in a pipeline (the
home page's AAAA lookup) could miss the site-wide checks.

Scrapy 2.19 hands an errback's output to the engine without the spider middlewares (``Scraper._scrape``), so the
spider's errbacks are decorated with :func:`finishes_request`, which runs the same accounting (:func:`settle`).
Requests that never pass the spider (the home-page probes of :class:`govsites.extensions.HomeProbes`) are counted
by whoever schedules them (:meth:`govsites.spiders.sites.RegisteredSitesSpider.count_probes`).
"""

from __future__ import annotations

import asyncio
import functools
import weakref
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from typing import Any

from scrapy import Request, signals
from scrapy.http import Response
from scrapy.utils.asyncgen import as_async_generator
from twisted.python.failure import Failure

from govsites.items import SiteDoneItem
from govsites.sitestate import SiteState, state_lookup

StateLookup = Callable[[str], SiteState | None]

#: Roles of requests whose answers may name new pages (``request.meta["role"]``; "endpoint": a list's data, see
#: :mod:`govsites.extract.endpoints`): when none of a site's is in flight,
#: the pages the crawl caps held are decided (:mod:`govsites.caps`, stable caps); link checks never hold them up.
DISCOVERING_ROLES = frozenset({"home", "page", "endpoint"})


def site_finished(state: SiteState) -> Iterator[SiteDoneItem | Request]:
    """One request (or wait) of the site is over; the site's done item if nothing of it is left — or, when the
    crawl caps held new pages until the site was quiet (:mod:`govsites.caps`), the requests they let through."""
    if state.finish_one():
        released = state.quiet()
        yield from released or site_done(state)


def site_done(state: SiteState) -> Iterator[SiteDoneItem]:
    """Nothing of the site is in flight or held: its done item (once, whichever worker sees it first)."""
    if not state.mark_done():
        return
    reason = state.blocked_reason()
    yield SiteDoneItem(
        site_id=state.site.site_id,
        pages=state.page_count(),
        pages_capped=state.capped_count(),
        status="blocked" if reason else "done",
        error=reason,
        home_read=state.was_parsed(state.site.home_url),
    )


class SiteAccounting:
    """Counts a site's requests in and out; says when the site is done."""

    def __init__(self, states: StateLookup) -> None:
        self.states = states

    def _state(self, request: Request | None) -> SiteState | None:
        return self.states(request.meta.get("site_id", "")) if request is not None else None

    def sent(self, request: Request) -> None:
        state = self._state(request)
        if state is not None:
            state.add_inflight(1)
            if request.meta.get("role") in DISCOVERING_ROLES:
                state.start_discovering()

    def finished(self, request: Request | None) -> Iterator[SiteDoneItem | Request]:
        """``request`` has been answered and its output handled; the pages the caps held if it was the site's
        last page in flight (counted as sent), the site's done item if it was the site's last request."""
        state = self._state(request)
        if state is None:
            return
        assert request is not None
        # both counts in one call (one round trip in Redis); the pages released are counted in flight before the
        # site could be finished, so a site whose last page released more is not done
        quiet, last = state.finish_request(request.meta.get("role") in DISCOVERING_ROLES)
        released = state.quiet() if quiet or last else []
        for out in released:
            self.sent(out)
            yield out
        if last and not released:
            yield from site_done(state)


class ItemsInPipeline:
    """Items of each callback's output still in the item pipelines, by the response (or failure) they came from.

    Scrapy's item signals (scraped, dropped, error) name that response; an item a pipeline replaces is still
    signalled with it. Every item of a callback's output reaches the pipelines: no spider middleware of the
    project filters items, only requests. Output read by anything but a running crawl (a crawler not crawling,
    as a test calling a callback) never reaches the pipelines, so nothing waits for it.
    """

    def __init__(self, crawler: Any = None) -> None:
        self.crawler = crawler
        self.pending: dict[int, int] = {}  # id(response or failure) -> items yielded and not yet through
        self.waiting: dict[int, asyncio.Future[None]] = {}

    @classmethod
    def of(cls, crawler: Any) -> ItemsInPipeline:
        """The crawler's tracker, connected to its item signals on first use."""
        found = _TRACKERS.get(crawler)
        if found is None:
            found = _TRACKERS[crawler] = cls(crawler)
            for signal in (signals.item_scraped, signals.item_dropped, signals.item_error):
                crawler.signals.connect(found.item_done, signal=signal)
        return found

    def yielded(self, source: object) -> None:
        key = id(source)
        self.pending[key] = self.pending.get(key, 0) + 1

    def item_done(self, response: object = None, **_: Any) -> None:
        """Signal handler: one item of ``response``'s output has been through the pipelines."""
        key = id(response)
        left = self.pending.get(key)
        if left is None:
            return  # not from a callback's output (a start item, a probe's)
        if left > 1:
            self.pending[key] = left - 1
            return
        del self.pending[key]
        waiter = self.waiting.pop(key, None)
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def drained(self, source: object) -> None:
        """Return once every item ``source``'s output yielded has been through the pipelines."""
        key = id(source)
        if key not in self.pending:
            return
        if not getattr(self.crawler, "crawling", False):
            self.pending.pop(key)  # not crawling: the items go nowhere (the class docstring)
            return
        waiter = self.waiting[key] = asyncio.get_running_loop().create_future()
        await waiter


_TRACKERS: weakref.WeakKeyDictionary[Any, ItemsInPipeline] = weakref.WeakKeyDictionary()


async def settle(
    accounting: SiteAccounting,
    request: Request | None,
    output: AsyncIterator[Any],
    items: ItemsInPipeline | None = None,
    source: object = None,
) -> AsyncIterator[Any]:
    """Pass ``output`` on, counting its requests; then, once its items (``source``'s, tracked by ``items``) have
    been through the pipelines, count ``request`` finished, also when ``output`` raises (the done item comes first,
    then the exception)."""
    try:
        async for result in output:
            if isinstance(result, Request):
                accounting.sent(result)
            elif items is not None:
                items.yielded(source)
            yield result
    except Exception:
        if items is not None:
            await items.drained(source)
        for done in accounting.finished(request):
            yield done
        raise
    if items is not None:
        await items.drained(source)
    for done in accounting.finished(request):
        yield done


class InflightMiddleware:
    """Spider middleware: start requests and callback output are counted per site; see the module docstring."""

    def __init__(self, states: StateLookup, items: ItemsInPipeline | None = None) -> None:
        self.accounting = SiteAccounting(states)
        self.items = items

    @classmethod
    def from_crawler(cls, crawler: Any) -> InflightMiddleware:
        return cls(state_lookup(crawler.spider), ItemsInPipeline.of(crawler))

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        async for result in start:
            if isinstance(result, Request):
                self.accounting.sent(result)
            yield result

    async def process_spider_output(self, response: Response, result: AsyncIterator[Any]) -> AsyncIterator[Any]:
        async for out in settle(self.accounting, response.request, result, self.items, response):
            yield out


def finishes_request(errback: Callable[[Any, Failure], Iterable[Any]]) -> Callable[[Any, Failure], AsyncIterator[Any]]:
    """Decorate a spider errback: its output is accounted for as :class:`InflightMiddleware` does for callbacks
    (errback output does not pass the spider middlewares). Exceptions are not caught: Scrapy reports them."""

    @functools.wraps(errback)
    def wrapper(spider: Any, failure: Failure) -> AsyncIterator[Any]:
        request = getattr(failure, "request", None)
        crawler = getattr(spider, "crawler", None)
        tracker = ItemsInPipeline.of(crawler) if crawler is not None else None
        return settle(SiteAccounting(state_lookup(spider)), request, _lazy(errback, spider, failure), tracker, failure)

    return wrapper


async def _lazy(errback: Callable[[Any, Failure], Iterable[Any]], spider: Any, failure: Failure) -> AsyncIterator[Any]:
    """The errback's output, run only when iterated (an errback that raises at once is settled like the rest)."""
    async for result in as_async_generator(errback(spider, failure)):
        yield result
