"""A spider for ``tests/test_browserpages.py``: a browser page creation cancelled half-way through, then one more
browser page, through :class:`govsites.browserpages.BoundedPlaywrightHandler` (``scrapy runspider`` in a child
process, settings from :mod:`tests.deadline_spider`, one page permit: ``PLAYWRIGHT_MAX_PAGES_PER_CONTEXT=1``).

A render past its deadline is cancelled wherever it is; scrapy-playwright takes a page permit before it asks the
browser for the page, and a cancellation while the browser made it lost the permit for good and left the page
open. Here the first page starts the browser; its callback starts a page creation, cancels
it once the permit is taken (the browser is making the page), and yields what came back; the last page must
still render. Items go to ``-o``."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import scrapy
from twisted.python.failure import Failure

from govsites.browserpages import browser_meta

#: Seconds to wait for the permit to come back after the cancellation.
SETTLE = 15.0


class CancelSpider(scrapy.Spider):
    name = "cancel"

    def __init__(self, url: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.url = url

    def browser_request(self, step: str) -> scrapy.Request:
        return scrapy.Request(
            f"{self.url}?step={step}",
            meta={"playwright": True, **browser_meta()},
            callback=self.parse,
            errback=self.failed,
            cb_kwargs={"step": step},
            dont_filter=True,
        )

    async def start(self) -> AsyncIterator[scrapy.Request]:
        yield self.browser_request("first")

    async def parse(self, response: scrapy.http.Response, step: str) -> AsyncIterator[Any]:
        yield {"step": step, "outcome": "answered"}
        if step == "first":
            yield {"step": "cancelled", **await self.cancel_a_page_creation()}
            yield self.browser_request("last")

    async def cancel_a_page_creation(self) -> dict[str, Any]:
        assert self.crawler.engine is not None
        # the handler under test (Scrapy builds it once for the scheme)
        handler: Any = self.crawler.engine.downloader.handlers._handlers["http"]
        wrapper = handler.context_wrappers["default"]
        making = asyncio.ensure_future(handler._create_page(scrapy.Request(self.url), self))
        while wrapper.semaphore._value:  # until the permit is taken: the browser is making the page
            await asyncio.sleep(0)
        making.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await making
        waited = 0.0
        while (wrapper.semaphore._value < 1 or wrapper.context.pages) and waited < SETTLE:
            await asyncio.sleep(0.1)
            waited += 0.1
        return {"permits": wrapper.semaphore._value, "open_pages": len(wrapper.context.pages)}

    def failed(self, failure: Failure) -> Any:
        request: Any = getattr(failure, "request", None)
        yield {"step": request.cb_kwargs.get("step", "") if request else "", "outcome": type(failure.value).__name__}
