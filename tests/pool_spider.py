"""A spider for ``tests/test_browserpages.py``: renders one after another through
:class:`govsites.browserpages.BoundedPlaywrightHandler` (``scrapy runspider`` in a child process, settings from
:mod:`tests.deadline_spider`), one of them a page that cannot be opened; each rendered page goes to ``-o`` with
what it showed and what it fetched, so that a reused browser page that kept anything of the page before it shows.

``-a urls=`` is the addresses, space-separated, rendered in that order (the next one is asked for once the one
before has answered or failed)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any, ClassVar

import scrapy
from scrapy_playwright.page import PageMethod
from twisted.python.failure import Failure

from govsites.browserpages import FETCHED_SCRIPT, browser_meta, fetched_requests
from govsites.spiders.requests import SETTLE_SCRIPT


class PoolSpider(scrapy.Spider):
    name = "pool"
    custom_settings: ClassVar[dict[str, Any]] = {"CONCURRENT_REQUESTS": 1}

    def __init__(self, urls: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.urls = urls.split()

    def render(self, index: int) -> scrapy.Request:
        methods = [PageMethod("evaluate", SETTLE_SCRIPT), PageMethod("evaluate", FETCHED_SCRIPT)]
        return scrapy.Request(
            self.urls[index],
            meta={"playwright": True, "playwright_page_methods": methods, **browser_meta()},
            callback=self.parse,
            errback=self.failed,
            cb_kwargs={"index": index},
            dont_filter=True,
        )

    async def start(self) -> AsyncIterator[scrapy.Request]:
        yield self.render(0)

    def next(self, index: int) -> Iterator[scrapy.Request]:
        if index + 1 < len(self.urls):
            yield self.render(index + 1)

    def parse(self, response: scrapy.http.Response, index: int) -> Iterator[Any]:
        links = sorted(set(response.css("a::text").getall()))
        fetched = [sent.url.rsplit("/", 1)[-1] for sent in fetched_requests(response.request)]
        yield {"index": index, "outcome": "answered", "links": links, "fetched": fetched}
        yield from self.next(index)

    def failed(self, failure: Failure) -> Iterator[Any]:
        request: Any = getattr(failure, "request", None)
        index = request.cb_kwargs["index"] if request is not None else -1
        yield {"index": index, "outcome": type(failure.value).__name__}
        yield from self.next(index)
