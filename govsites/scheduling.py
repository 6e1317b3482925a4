"""The scheduler's choice of the next request: a host with room for it, and the browser never idle.

Scrapy 2.19's ``DownloaderAwarePriorityQueue`` keeps one priority queue per downloader slot and hands out the
request of the slot with the fewest active downloads. Measured on 300 small sites on slow hosts (50–2000 ms,
docs/scaling.md), two of its habits set the crawl's pace:

* **The browser waits last.** Every render goes to one slot (:data:`govsites.rendering.RENDER_SLOT`, at most
  ``CONCURRENT_REQUESTS_PER_DOMAIN`` pages at once). As soon as one render runs, any host with fewer downloads
  wins, so renders ran one or two at a time while hosts were crawled and the home-page renders of all 300 sites
  were left to the end, where each site waited for its own (a median 35 s after its last page).
* **A full slot takes requests while others have room.** The slot with the fewest active downloads can be a
  full one (the render slot with its 8 pages busy, when the hosts had more); its requests then wait in the
  slot's own queue and count against ``CONCURRENT_REQUESTS``: at the end 248 of 256 requests were renders queued
  behind eight browser pages, and the pages of other hosts could not start.

:class:`RoomyPriorityQueue` (``SCHEDULER_PRIORITY_QUEUE``) hands out a request only to a slot that has room for
it (fewer active downloads than its concurrency) before any full one: the render slot first while it has room,
then the slot with the fewest active downloads, rotating among equals as Scrapy does. When every slot with work
is full it still hands out the least busy one's request, as Scrapy does: holding requests back stalled a crawl
of 2,000 sites (the engine asks again only when a download ends or on its 5 s heartbeat). Priorities within a
slot, persistence (``JOBDIR``) and everything else are Scrapy's.
"""

from __future__ import annotations

from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING

from scrapy.pqueues import DownloaderAwarePriorityQueue

from govsites.rendering import RENDER_SLOT

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from scrapy import Request
    from scrapy.core.downloader import Downloader


def choose_slot(slots: Iterable[str], load: Callable[[str], tuple[int, int]], last: str | None) -> str | None:
    """The slot whose request goes next, ``load`` giving a slot's (busy downloads, concurrency): the render slot
    if it has room; else the slot with the most room, then the fewest busy downloads (the first after ``last``
    among equals, so equals take turns); when none has room, the least busy one, as Scrapy chooses (a request
    is never held back: the engine only asks again when a download ends, and a slot's count can lag). None only
    when there are no slots."""
    best: tuple[bool, int, bool, str] | None = None
    for slot in slots:
        busy, concurrency = load(slot)
        full = busy >= concurrency
        if slot == RENDER_SLOT and not full:
            return slot
        key = (full, busy, last is not None and slot <= last, slot)
        if best is None or key < best:
            best = key
    return best[3] if best is not None else None


class RoomyPriorityQueue(DownloaderAwarePriorityQueue):
    """``SCHEDULER_PRIORITY_QUEUE``: a request only for a slot with room for it, the browser's first (module
    docstring)."""

    _govsites_last_slot: str | None = None
    #: Requests handed out that their downloader slot has not counted yet: a slot counts a request only once the
    #: downloader middlewares have passed it (they may wait), and the engine takes several requests in one go.
    _govsites_handed: dict[str, set[Request]] | None = None

    def _downloader(self) -> Downloader:
        engine = self.crawler.engine
        assert engine is not None  # the scheduler is opened by the engine
        return engine.downloader

    def _load(self, slot: str) -> tuple[int, int]:
        """Downloads of ``slot`` under way or on their way to it, and its concurrency."""
        downloader = self._downloader()
        state = downloader.slots.get(slot)
        counted = state.active if state is not None else ()
        handed = self._govsites_handed.get(slot) if self._govsites_handed else None
        if handed:
            # forget the requests the slot counts now, and those that ended (answered, failed, or dropped by a
            # middleware) without reaching it: a slot may also be gone (Scrapy drops idle slots)
            handed.difference_update([r for r in handed if r in counted or r not in downloader.active])
        busy = len(counted) + len(handed or ())
        if state is None:
            return busy, self.crawler.settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN")
        return busy, state.concurrency

    def _choose(self) -> str | None:
        return choose_slot(self.pqueues, self._load, self._govsites_last_slot)

    def pop(self) -> Request | None:
        slot = self._choose()
        if slot is None:
            return None
        self._govsites_last_slot = slot
        queue = self.pqueues[slot]
        request = queue.pop()
        if request is not None:
            if self._govsites_handed is None:
                self._govsites_handed = {}
            self._govsites_handed.setdefault(slot, set()).add(request)
        if len(queue) == 0:
            del self.pqueues[slot]
            queue.close()
            if self.key:
                with suppress(OSError):  # as Scrapy: the slot's folder goes when its queues left no files
                    Path(queue.key).rmdir()
        return request

    def peek(self) -> Request | None:
        slot = self._choose()
        return self.pqueues[slot].peek() if slot is not None else None
