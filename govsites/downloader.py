"""Scrapy's downloader, with its per-host concurrency kept when requests are dequeued in a burst.

Scrapy 2.19's ``Downloader._process_queue`` dequeues a slot's requests while ``slot.free_transfer_slots() > 0``
and starts each download as a task; a download is counted in ``slot.transferring`` only when its task first runs.
With ``DOWNLOAD_DELAY = 0`` one pass of that loop therefore starts every queued request of the host at once:
``CONCURRENT_REQUESTS_PER_DOMAIN = 1`` let five requests reach one host at the same time (measured on the
consolidated-platform test web, ``tests/test_consolidated_sites.py``), which matters most where several registry
sites share one host (集约化平台). :class:`PoliteDownloader` counts a download as transferring the moment it is
dequeued (``DOWNLOADER`` in :mod:`govsites.settings`); Scrapy's own ``_download`` adds and removes the same request.
"""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any

from scrapy import Request
from scrapy.core.downloader import Downloader, Slot
from scrapy.http import Response
from twisted.internet.defer import Deferred


class PoliteDownloader(Downloader):
    """``DOWNLOADER``: a dequeued request holds its host's slot at once (see the module docstring)."""

    def _wait_for_download(
        self, slot: Slot, request: Request, queue_dfd: Deferred[Response]
    ) -> Coroutine[Any, Any, None]:
        slot.transferring.add(request)
        return super()._wait_for_download(slot, request, queue_dfd)
