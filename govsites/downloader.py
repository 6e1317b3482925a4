"""Scrapy's downloader, with its per-host concurrency kept when requests are dequeued in a burst.

Scrapy 2.19's ``Downloader._process_queue`` dequeues a slot's requests while ``slot.free_transfer_slots() > 0``
and starts each download as a task; a download is counted in ``slot.transferring`` only when its task first runs.
With ``DOWNLOAD_DELAY = 0`` one pass of that loop therefore starts every queued request of the host at once:
``CONCURRENT_REQUESTS_PER_DOMAIN = 1`` let five requests reach one host at the same time (measured on the
consolidated-platform test web, ``tests/test_consolidated_sites.py``), which matters most where several registry
sites share one host (集约化平台). :class:`PoliteDownloader` counts a download as transferring the moment it is
dequeued (``DOWNLOADER`` in :mod:`govsites.settings`); Scrapy's own ``_download`` adds and removes the same request.

A slot's queue is also first in, first out in Scrapy, whatever the requests' priorities: the scheduler hands the
downloader up to ``CONCURRENT_REQUESTS`` requests at once, so a request that arrives later waits behind every
request already queued for its slot. In the browser's slot (:data:`govsites.rendering.RENDER_SLOT`) the 65 home
pages' renders for the dark-link check filled the queue in the crawl's first seconds, and the browser's pass of
a JS cookie challenge (a site's home page, which the whole site waits for) and the renders of script-filled
lists (column discovery) waited behind them: five challenged sites of the 65-site bench web got their first page
35-51 s after the start. Here every slot's queue is taken in priority order (:class:`PriorityOrder`; ties first
in, first out), so a site's home and column pages go before its article pages and link checks in its host's
slot too.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Coroutine, Iterator
from typing import Any

from scrapy import Request
from scrapy.core.downloader import Downloader, Slot
from scrapy.http import Response
from twisted.internet.defer import Deferred

#: What a slot's queue holds: a request and the Deferred its download fires.
Queued = tuple[Request, Deferred[Response]]


class PriorityOrder:
    """A downloader slot's queue (the ``deque`` methods Scrapy's downloader uses) that gives back the request of
    highest priority first, and of equal priorities the one queued first."""

    def __init__(self, queued: Iterator[Queued] | None = None) -> None:
        self._heap: list[tuple[int, int, Queued]] = []
        self._order = itertools.count()
        for item in queued or ():
            self.append(item)

    def append(self, item: Queued) -> None:
        heapq.heappush(self._heap, (-item[0].priority, next(self._order), item))

    def popleft(self) -> Queued:
        return heapq.heappop(self._heap)[2]

    def __len__(self) -> int:
        return len(self._heap)

    def __iter__(self) -> Iterator[Queued]:
        return (entry[2] for entry in sorted(self._heap))


class PoliteDownloader(Downloader):
    """``DOWNLOADER``: a dequeued request holds its host's slot at once, and a slot's queue is taken in priority
    order (see the module docstring)."""

    def _get_slot(self, request: Request, spider: Any = None) -> tuple[str, Slot]:
        key, slot = super()._get_slot(request)
        if not isinstance(slot.queue, PriorityOrder):
            slot.queue = PriorityOrder(iter(slot.queue))  # type: ignore[assignment]
        return key, slot

    def _wait_for_download(
        self, slot: Slot, request: Request, queue_dfd: Deferred[Response]
    ) -> Coroutine[Any, Any, None]:
        slot.transferring.add(request)
        return super()._wait_for_download(slot, request, queue_dfd)
