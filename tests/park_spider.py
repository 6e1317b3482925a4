"""A spider for ``tests/test_browserpages.py``: one render through
:class:`govsites.browserpages.BoundedPlaywrightHandler` (``scrapy runspider`` in a child process, settings from
:mod:`tests.deadline_spider`) of a page whose script posts a beacon every 100 ms, then, once the render's page is
kept and parked, two reads of the web's beacon count a second apart.

``-a url=`` is the page rendered; ``-a ticks=`` the address that answers the beacon count. Items (``-o``): the
kept page's address once parked, and the two counts."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import scrapy

from govsites.browserpages import BoundedPlaywrightHandler
from govsites.spiders.requests import render_meta

#: Seconds between the two reads of the beacon count.
PAUSE = 1.0


class ParkSpider(scrapy.Spider):
    name = "park"

    def __init__(self, url: str = "", ticks: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.url, self.ticks = url, ticks

    async def start(self) -> AsyncIterator[scrapy.Request]:
        yield scrapy.Request(self.url, meta=render_meta(), callback=self.rendered, dont_filter=True)

    async def rendered(self, response: scrapy.http.Response) -> AsyncIterator[Any]:
        handler = BoundedPlaywrightHandler.from_crawler(self.crawler)
        page, parking = handler.pool.idle[0]
        parked = await asyncio.wrap_future(parking)
        yield {"step": "kept", "parked": parked, "url": page.url}
        yield scrapy.Request(self.ticks, callback=self.counted, cb_kwargs={"read": 1}, dont_filter=True)

    async def counted(self, response: scrapy.http.Response, read: int) -> AsyncIterator[Any]:
        yield {"step": "count", "read": read, "beacons": int(response.text)}
        if read == 1:
            await asyncio.sleep(PAUSE)
            yield scrapy.Request(self.ticks, callback=self.counted, cb_kwargs={"read": 2}, dont_filter=True)
