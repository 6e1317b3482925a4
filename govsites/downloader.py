"""Scrapy's downloader, with its per-host concurrency kept when requests are dequeued in a burst.

Scrapy 2.19's ``Downloader._process_queue`` dequeues a slot's requests while ``slot.free_transfer_slots() > 0``
and starts each download as a task; a download is counted in ``slot.transferring`` only when its task first runs.
With ``DOWNLOAD_DELAY = 0`` one pass of that loop therefore starts every queued request of the host at once:
``CONCURRENT_REQUESTS_PER_DOMAIN = 1`` let five requests reach one host at the same time (measured on the
consolidated-platform test web, ``tests/test_consolidated_sites.py``), which matters most where several registry
sites share one host (集约化平台). :class:`PoliteDownloader` counts a download as transferring the moment it is
dequeued (``DOWNLOADER``, set by :mod:`govsites.addon`); Scrapy's own ``_download`` adds and removes the same request.

A slot's queue is also first in, first out in Scrapy, whatever the requests' priorities: the scheduler hands the
downloader up to ``CONCURRENT_REQUESTS`` requests at once, so a request that arrives later waits behind every
request already queued for its slot. In the browser's slot (:data:`govsites.rendering.RENDER_SLOT`) the 65 home
pages' renders for the dark-link check filled the queue in the crawl's first seconds, and the browser's pass of
a JS cookie challenge (a site's home page, which the whole site waits for) and the renders of script-filled
lists (column discovery) waited behind them: five challenged sites of the 65-site bench web got their first page
35-51 s after the start. Here every slot's queue is taken in priority order (:class:`PriorityOrder`; ties first
in, first out), so a site's home and column pages go before its article pages and link checks in its host's
slot too.

The browser's slot holds the renders of every site, ``GOVSITES_RENDER_PAGES`` at a time; without more, one site's
renders could take them all, and a county's small server got up to 16 browser page loads (each with its scripts and
data) besides its ``GOVSITES_PER_HOST`` plain requests. Here that slot's queue gives out at most
``GOVSITES_RENDER_PER_HOST`` loads per host at a time: a render whose host has that many under way stays queued
(counted once as ``govsites/render/host_waits``) while renders of other hosts go ahead, and is asked for again
when one of its host's loads ends. A render's deadline starts when its load does, not while it waits here.

In a distributed crawl (``GOVSITES_DISTRIBUTED``) every worker takes requests of every host from the shared queue,
so there a request of a host's own slot also needs one of its host's leases, shared by all workers
(:class:`DistributedDownloader`, :mod:`govsites.hostleases`, :func:`leased_host`): a host sees at most
``GOVSITES_PER_HOST`` such requests at a time from the whole crawl, as it does from one process. A slot whose next
request finds every lease of its host held waits (``govsites/hosts/lease_waits``) and asks again after
:data:`~govsites.hostleases.LEASE_POLL` seconds (doubled while it is refused), or at once when this worker gives one
of that host's leases back. Leases are not handed out in turn: a worker that gives one back takes it again for its
next request of the host, so the host stays at its limit, and a worker waiting for it is served when the other's
queue of that host runs dry.

A browser page load there also takes one of its host's render leases (``GOVSITES_RENDER_PER_HOST`` of them, shared
by all workers; :data:`~govsites.hostleases.RENDER_POOL`): a render whose host has them all taken is passed over as
one whose host is at its bound in this process (counted once as ``govsites/render/host_waits``, each refusal as
``govsites/render/lease_waits``), and the browser's slot asks again on the same timer, or at once when this worker
gives a render lease back.
"""

from __future__ import annotations

import heapq
import itertools
import logging
from collections import Counter
from collections.abc import Callable, Coroutine, Iterator
from time import monotonic
from typing import Any

from scrapy import Request
from scrapy.core.downloader import Downloader, Slot
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.utils.asyncio import CallLaterResult, call_later
from scrapy.utils.defer import deferred_from_coro
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

from govsites.config import GovsitesConfig
from govsites.distributed import run_prefix
from govsites.hostleases import RENDER_POOL, HostLeases, lease_seconds, poll_delay
from govsites.rendering import RENDER_SLOT
from govsites.writebehind import next_turn

logger = logging.getLogger(__name__)

#: Meta flag of a render counted once as held back for its host (``govsites/render/host_waits``).
HELD_BACK = "govsites_render_held_back"

#: What a slot's queue holds: a request and the Deferred its download fires.
Queued = tuple[Request, Deferred[Response]]
#: What a waiting browser slot waits for: a render lease of any host.
ANY_HOST = "*"


def leased_host(request: Request) -> str:
    """The host whose lease a request needs in a distributed crawl: a request of the host's own downloader slot
    (pages, link checks, probes), the requests ``GOVSITES_PER_HOST`` limits in one process. Requests in slots of
    their own (the browser's, a host's HTTPS check) are outside that limit in one process and here too (a render
    takes a render lease instead, without holding up the browser's queue: :meth:`DistributedDownloader.
    _render_allowed`). ``""``: no lease. (Scrapy names every
    request's slot in its meta once the request reaches the downloader: the host's own slot is named by the host.)"""
    host = urlparse_cached(request).hostname or ""
    return host if request.meta.get("download_slot", host) == host else ""


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

    def take(self, allowed: Callable[[Request], bool]) -> tuple[Queued | None, list[Request]]:
        """The entry of highest priority whose request is ``allowed`` (taken out of the queue; ``None``: no such
        entry), and the requests of higher priority passed over for it."""
        if self._heap and allowed(self._heap[0][2][0]):
            return heapq.heappop(self._heap)[2], []  # the usual case: the first is allowed
        passed: list[Request] = []
        for entry in sorted(self._heap):
            request = entry[2][0]
            if allowed(request):
                self._heap.remove(entry)
                heapq.heapify(self._heap)
                return entry[2], passed
            passed.append(request)
        return None, passed

    def peek(self) -> Queued:
        """The entry :meth:`popleft` would give back, left in the queue."""
        return self._heap[0][2]

    def __len__(self) -> int:
        return len(self._heap)

    def __iter__(self) -> Iterator[Queued]:
        return (entry[2] for entry in sorted(self._heap))


class PoliteDownloader(Downloader):
    """``DOWNLOADER`` (:mod:`govsites.addon`): a dequeued request holds its host's slot at once, a slot's queue is
    taken in priority order, and the browser's slot gives each host at most ``GOVSITES_RENDER_PER_HOST`` page loads
    at a time (see the module docstring)."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.render_per_host = GovsitesConfig.from_settings(crawler.settings).render_per_host

    def _process_queue(self, slot: Slot) -> None:
        if self.slots.get(RENDER_SLOT) is slot:
            self._process_renders(slot)
        else:
            self._process_host_queue(slot)

    def _process_host_queue(self, slot: Slot) -> None:
        """A host's own slot (or any slot but the browser's): Scrapy's loop."""
        super()._process_queue(slot)

    def _host_has_room(self, slot: Slot) -> Callable[[Request], bool]:
        """Whether a request's host has fewer than ``render_per_host`` of the slot's loads under way."""
        loading = Counter(urlparse_cached(request).hostname for request in slot.transferring)
        return lambda request: loading[urlparse_cached(request).hostname] < self.render_per_host

    def _process_renders(self, slot: Slot) -> None:
        """Scrapy's loop (the delay, then requests while the slot has room), each request of a host with fewer than
        ``render_per_host`` loads under way; when every queued request's host has its loads, the end of one of
        them asks again (Scrapy calls this after each download leaves the slot)."""
        now = monotonic()
        if slot.latercall or self._held_by_delay(slot, now):
            return
        queue: PriorityOrder = slot.queue  # type: ignore[assignment]
        while queue and slot.free_transfer_slots() > 0:
            entry, passed = queue.take(self._render_allowed(slot))
            for request in passed:
                if not request.meta.get(HELD_BACK):
                    request.meta[HELD_BACK] = True
                    self.crawler.stats.inc_value("govsites/render/host_waits")
                    host, most = urlparse_cached(request).hostname, self.render_per_host
                    logger.debug("主机 %s 已有 %d 个浏览器页面在加载，%s 稍后渲染", host, most, request.url)
            if entry is None or not self._start(slot, *entry, now):
                return

    def _render_allowed(self, slot: Slot) -> Callable[[Request], bool]:
        """Whether a queued render may start now: its host has room (:meth:`_host_has_room`)."""
        return self._host_has_room(slot)

    def _held_by_delay(self, slot: Slot, now: float) -> bool:
        """Scrapy's download delay: whether the slot must wait first (then a later call is set)."""
        delay = slot.download_delay()
        if delay and (penalty := delay - now + slot.lastseen) > 0:
            slot.latercall = call_later(penalty, self._latercall, slot)
            return True
        return False

    def _start(self, slot: Slot, request: Request, queue_dfd: Deferred[Response], now: float) -> bool:
        """Start a dequeued request's download; whether the loop may take another (not under a download delay,
        where Scrapy lets one request go at a time)."""
        slot.lastseen = now
        deferred_from_coro(self._wait_for_download(slot, request, queue_dfd))
        if slot.download_delay():
            self._process_queue(slot)
            return False
        return True

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


class DistributedDownloader(PoliteDownloader):
    """``DOWNLOADER`` of a distributed worker (:mod:`govsites.addon`): a request of a host's own slot also holds one
    of the host's leases, shared by all workers (see the module docstring)."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        config = GovsitesConfig.from_settings(crawler.settings)
        seconds = lease_seconds(config.link_timeout, config.probe_timeout, config.render_deadline)
        self.leases = HostLeases.connect(config.distributed, run_prefix(config.run), config.per_host, seconds)
        self.leases.r.soon = next_turn  # a lease given back and not followed by an acquire goes at the next turn
        self.render_leases = self.leases.of_pool(RENDER_POOL, config.render_per_host)
        # id(slot) -> {request: (leases, host, token)}: the leases of the slot's requests, until they are given back
        self._held: dict[int, dict[Request, tuple[HostLeases, str, str]]] = {}
        self._waiting: dict[int, tuple[str, Slot, CallLaterResult]] = {}  # id(slot) -> (host, slot, next ask)
        self._refusals: dict[int, int] = {}  # id(slot) -> lease refusals in a row
        self._refused_hosts: set[str] = set()  # hosts whose render lease was refused in the browser slot's pass

    def _process_host_queue(self, slot: Slot) -> None:
        """Scrapy's loop (the delay, then requests while the slot has room), each request with its host's lease. The
        lease of a request that is done goes to the slot's next request of its host (renewed, counted as
        ``govsites/hosts/leases_kept``) instead of back to Redis; those left over are given back."""
        finished = self._finished(slot)
        if finished and (waiting := self._waiting.pop(id(slot), None)) is not None:
            waiting[2].cancel()  # a lease it waits for may be one just given back
        try:
            self._send_leased(slot, finished)
        finally:
            for lease in finished:
                self._release(*lease, asking=slot)

    def _send_leased(self, slot: Slot, finished: list[tuple[HostLeases, str, str]]) -> None:
        leases = self.leases
        now = monotonic()
        if slot.latercall or id(slot) in self._waiting or self._held_by_delay(slot, now):
            return  # a delay, or a wait for a lease, will call again
        queue: PriorityOrder = slot.queue  # type: ignore[assignment]
        while queue and slot.free_transfer_slots() > 0:
            request, queue_dfd = queue.peek()
            host = leased_host(request)
            if host:
                token = self._keep(finished, host)
                if token is None:
                    token = leases.acquire(host)
                if token is None:
                    refusals = self._refusals[id(slot)] = self._refusals.get(id(slot), 0) + 1
                    self._wait_for_lease(slot, host, poll_delay(refusals))
                    return
                self._refusals.pop(id(slot), None)
                if not token:
                    self.crawler.stats.inc_value("govsites/hosts/lease_errors")
                self._held.setdefault(id(slot), {})[request] = (leases, host, token)
            queue.popleft()
            if not self._start(slot, request, queue_dfd, now):
                return

    def _keep(self, finished: list[tuple[HostLeases, str, str]], host: str) -> str | None:
        """The token of a finished request's lease of ``host`` in this worker's own pool, renewed for the next
        request (taken out of ``finished``); None when there is none."""
        for index, (leases, lease_host, token) in enumerate(finished):
            if leases is self.leases and lease_host == host and token:
                del finished[index]
                leases.renew(host, token)
                self.crawler.stats.inc_value("govsites/hosts/leases_kept")
                return token
        return None

    def _process_renders(self, slot: Slot) -> None:
        """The browser's slot: :meth:`PoliteDownloader._process_renders`, each load with its host's render lease;
        when a lease refused held every render back, the slot asks again on the lease timer."""
        if self._give_back_finished(slot) and (waiting := self._waiting.pop(id(slot), None)) is not None:
            waiting[2].cancel()  # a render lease it waits for may be one just given back
        if id(slot) in self._waiting:
            return
        refused: set[str] = set()
        self._refused_hosts = refused
        super()._process_renders(slot)
        if not refused:
            self._refusals.pop(id(slot), None)
        elif slot.queue and slot.free_transfer_slots() > 0 and not slot.latercall:
            refusals = self._refusals[id(slot)] = self._refusals.get(id(slot), 0) + 1
            self._waiting[id(slot)] = (ANY_HOST, slot, call_later(poll_delay(refusals), self._lease_ready, slot))

    def _render_allowed(self, slot: Slot) -> Callable[[Request], bool]:
        """A render's host has room here and a render lease for it is free (asked once per host and pass)."""
        room = super()._render_allowed(slot)
        refused = self._refused_hosts

        def allowed(request: Request) -> bool:
            host = urlparse_cached(request).hostname or ""
            if host in refused or not room(request):
                return False
            token = self.render_leases.acquire(host)
            if token is None:
                refused.add(host)
                self.crawler.stats.inc_value("govsites/render/lease_waits")
                logger.debug("主机 %s 的浏览器页面加载已满（所有工作进程合计），稍后渲染", host)
                return False
            if not token:
                self.crawler.stats.inc_value("govsites/hosts/lease_errors")
            self._held.setdefault(id(slot), {})[request] = (self.render_leases, host, token)
            return True

        return allowed

    def _wait_for_lease(self, slot: Slot, host: str, poll: float) -> None:
        self.crawler.stats.inc_value("govsites/hosts/lease_waits")
        logger.debug("主机 %s 的并发已满（所有工作进程合计），稍后再发", host)
        self._waiting[id(slot)] = (host, slot, call_later(poll, self._lease_ready, slot))

    def _lease_ready(self, slot: Slot) -> None:
        waiting = self._waiting.pop(id(slot), None)
        if waiting is not None:
            waiting[2].cancel()
        self._process_queue(slot)

    def _finished(self, slot: Slot) -> list[tuple[HostLeases, str, str]]:
        """The leases of the slot's requests that are done, no longer theirs. Scrapy asks a slot for its next
        requests right after a download leaves it, before the download's own ``finally`` below: the lease it held
        is free for the next request of its host."""
        held = self._held.get(id(slot), {})
        return [held.pop(request) for request in [r for r in held if r not in slot.transferring]]

    def _give_back_finished(self, slot: Slot) -> bool:
        """Give back the leases of the slot's requests that are done (see :meth:`_finished`)."""
        finished = self._finished(slot)
        for lease in finished:
            self._release(*lease, asking=slot)
        return bool(finished)

    async def _download(self, slot: Slot, request: Request) -> Response:
        try:
            return await super()._download(slot, request)
        finally:
            held = self._held.get(id(slot), {})
            if request in held:
                self._release(*held.pop(request))
            if not held:
                self._held.pop(id(slot), None)

    def _release(self, leases: HostLeases, host: str, token: str, asking: Slot | None = None) -> None:
        """Give a lease back; this worker's other slots waiting for it ask again at once (those waiting for that
        host's lease, or the browser's slot for a render lease)."""
        leases.release(host, token)
        wakes = ANY_HOST if leases is self.render_leases else host
        for key, (waiting_host, slot, _) in list(self._waiting.items()):
            if waiting_host == wakes and slot is not asking and key in self._waiting:
                self._lease_ready(slot)

    def close(self) -> None:
        for _, _, later in self._waiting.values():
            later.cancel()
        self._waiting.clear()
        self._refusals.clear()
        super().close()
