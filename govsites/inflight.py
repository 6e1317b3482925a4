"""Requests in flight per site and "site done", as a spider middleware.

Every request of a site (``request.meta["site_id"]``) is counted when it leaves the spider, and counted finished
once the callback that got its answer has yielded all it had. When a site has no request left, a
:class:`~govsites.items.SiteDoneItem` follows that callback's output: each site is stored as complete the moment
it is, and an interrupted run resumes with the rest.

A callback that raises still finishes its request (the site can complete); the exception then goes on to Scrapy,
which logs it and counts it in ``spider_exceptions/*``.

Scrapy 2.19 hands an errback's output to the engine without the spider middlewares (``Scraper._scrape``), so the
spider's errbacks are decorated with :func:`finishes_request`, which runs the same accounting (:func:`settle`).
Requests that never pass the spider (the home-page probes of :class:`govsites.extensions.HomeProbes`) are counted
by whoever schedules them (:meth:`govsites.spiders.sites.RegisteredSitesSpider.count_probes`).
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from typing import Any

from scrapy import Request
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
        if released:
            yield from released
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
                state.add_discovering(1)

    def finished(self, request: Request | None) -> Iterator[SiteDoneItem | Request]:
        """``request`` has been answered and its output handled; the pages the caps held if it was the site's
        last page in flight (counted as sent), the site's done item if it was the site's last request."""
        state = self._state(request)
        if state is None:
            return
        assert request is not None
        if request.meta.get("role") in DISCOVERING_ROLES and state.add_discovering(-1):
            for out in state.quiet():
                self.sent(out)
                yield out
        for out in site_finished(state):
            if isinstance(out, Request):
                self.sent(out)
            yield out


async def settle(accounting: SiteAccounting, request: Request | None, output: AsyncIterator[Any]) -> AsyncIterator[Any]:
    """Pass ``output`` on, counting its requests; then count ``request`` finished, also when ``output`` raises
    (the done item comes first, then the exception)."""
    try:
        async for result in output:
            if isinstance(result, Request):
                accounting.sent(result)
            yield result
    except Exception:
        for done in accounting.finished(request):
            yield done
        raise
    for done in accounting.finished(request):
        yield done


class InflightMiddleware:
    """Spider middleware: start requests and callback output are counted per site; see the module docstring."""

    def __init__(self, states: StateLookup) -> None:
        self.accounting = SiteAccounting(states)

    @classmethod
    def from_crawler(cls, crawler: Any) -> InflightMiddleware:
        return cls(state_lookup(crawler.spider))

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        async for result in start:
            if isinstance(result, Request):
                self.accounting.sent(result)
            yield result

    async def process_spider_output(self, response: Response, result: AsyncIterator[Any]) -> AsyncIterator[Any]:
        async for out in settle(self.accounting, response.request, result):
            yield out


def finishes_request(errback: Callable[[Any, Failure], Iterable[Any]]) -> Callable[[Any, Failure], AsyncIterator[Any]]:
    """Decorate a spider errback: its output is accounted for as :class:`InflightMiddleware` does for callbacks
    (errback output does not pass the spider middlewares). Exceptions are not caught: Scrapy reports them."""

    @functools.wraps(errback)
    def wrapper(spider: Any, failure: Failure) -> AsyncIterator[Any]:
        request = getattr(failure, "request", None)
        return settle(SiteAccounting(state_lookup(spider)), request, _lazy(errback, spider, failure))

    return wrapper


async def _lazy(errback: Callable[[Any, Failure], Iterable[Any]], spider: Any, failure: Failure) -> AsyncIterator[Any]:
    """The errback's output, run only when iterated (an errback that raises at once is settled like the rest)."""
    async for result in as_async_generator(errback(spider, failure)):
        yield result
