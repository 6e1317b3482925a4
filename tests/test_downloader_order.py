"""A downloader slot's queue gives back the request of highest priority first (:mod:`govsites.downloader`).

Scrapy's slot queue is first in, first out: a browser pass of a JS cookie challenge queued behind every home
page's render for the dark-link check (the five challenged sites of the 65-site bench web started 35-51 s late).
"""

from __future__ import annotations

from scrapy import Request
from scrapy.core.downloader import Slot
from twisted.internet.defer import Deferred

from govsites.downloader import PoliteDownloader, PriorityOrder
from tests.helpers import component_crawler


def _queued(url: str, priority: int) -> tuple[Request, Deferred]:
    return Request(url, priority=priority), Deferred()


def test_the_highest_priority_leaves_first_and_ties_keep_their_order() -> None:
    queue = PriorityOrder()
    for name, priority in (("home-render-1", 0), ("home-render-2", 0), ("list-render", 50), ("check", -10)):
        queue.append(_queued(f"http://a.example/{name}", priority))
    queue.append(_queued("http://a.example/challenge-pass", 100))
    assert len(queue) == 5
    assert [request.url.rsplit("/", 1)[1] for request, _ in queue] == [
        "challenge-pass",
        "list-render",
        "home-render-1",
        "home-render-2",
        "check",
    ]
    taken = [queue.popleft()[0].url.rsplit("/", 1)[1] for _ in range(len(queue))]
    assert taken == ["challenge-pass", "list-render", "home-render-1", "home-render-2", "check"]
    assert not queue


def test_every_slot_of_the_crawl_downloader_takes_its_queue_in_priority_order() -> None:
    crawler = component_crawler(project=True)
    downloader = PoliteDownloader(crawler)
    try:
        for url in ("http://a.example/1", "http://b.example/1"):
            _key, slot = downloader._get_slot(Request(url))
            assert isinstance(slot, Slot)
            assert isinstance(slot.queue, PriorityOrder)
    finally:
        downloader.close()
