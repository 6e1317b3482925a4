"""A one-request spider for ``tests/test_browserpages.py``: a browser page whose page method never finishes, through
:class:`govsites.browserpages.BoundedPlaywrightHandler` (``scrapy runspider`` in a child process).

The module is also the child's settings module (``SCRAPY_SETTINGS_MODULE=tests.deadline_spider``): Scrapy's
defaults plus the browser handler, not the govsites project. The page it opens is ``-a url=...``; the errback yields
the failure's class name as an item (``-o``)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import scrapy
from scrapy_playwright.page import PageMethod
from twisted.python.failure import Failure

from govsites.addon import PLAYWRIGHT_HANDLERS
from govsites.browserpages import browser_meta
from govsites.config import GovsitesConfig

#: A page method that never resolves: the download ends only by the handler's deadline.
NEVER = "() => new Promise(() => {})"


DOWNLOAD_HANDLERS = PLAYWRIGHT_HANDLERS
PLAYWRIGHT_LAUNCH_OPTIONS = {"executable_path": GovsitesConfig().chromium_binary()}
RETRY_ENABLED = False
LOG_LEVEL = "INFO"


class DeadlineSpider(scrapy.Spider):
    name = "deadline"

    def __init__(self, url: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.url = url

    async def start(self) -> AsyncIterator[scrapy.Request]:
        meta = {"playwright": True, "playwright_page_methods": [PageMethod("evaluate", NEVER)], **browser_meta()}
        yield scrapy.Request(self.url, meta=meta, callback=self.parse, errback=self.failed)

    def parse(self, response: scrapy.http.Response) -> Iterator[dict[str, str]]:
        yield {"outcome": "answered", "status": str(response.status)}

    def failed(self, failure: Failure) -> Iterator[dict[str, str]]:
        yield {"outcome": type(failure.value).__name__}
