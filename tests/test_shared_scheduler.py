"""A distributed crawl's scheduler (``govsites.sharedscheduler``) against a real redis-server.

A request that pickles goes into the shared queue, as with scrapy-redis' own scheduler. One that does not (here a
lock in its meta) used to make scrapy-redis raise after the shared dupefilter had marked it seen: lost for every
worker, with nothing in the log. Now the worker keeps and crawls it itself, counted and logged. A request marked
``LOCAL`` (a site's learning render: the lists it releases wait in that worker) is kept by its worker too.

Needs ``redis-server`` (Debian package redis-server); skipped with the reason otherwise.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator

import pytest
from scrapy import Request

from bench.localservers import missing_reason, redis_server
from govsites.distributed import LOCAL, scrapy_settings
from govsites.sharedscheduler import DRY_SECONDS, DRY_STAT, LOCAL_STAT, STAT, SharedQueue, SharedScheduler
from govsites.writebehind import WriteBehind, redis_client
from tests.helpers import CrawlerFactory

REASON = missing_reason(postgres=False)
pytestmark = pytest.mark.skipif(bool(REASON), reason=REASON or "redis-server available")


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    with redis_server() as url:
        yield url


class Clock:
    """The time a scheduler reads (how long it waits after an empty pop), moved on by the test: no assert depends on
    how fast the machine is."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def open_scheduler(
    crawler_for: CrawlerFactory, redis_url: str, label: str, own_client: bool = False, clock: Clock | None = None
) -> SharedScheduler:
    """A worker's scheduler; ``own_client``: on a connection of its own, as another process's is (the schedulers
    of one process share the process's client)."""
    crawler = crawler_for(scrapy_settings(redis_url, label))
    scheduler = SharedScheduler.from_crawler(crawler)
    if own_client:
        scheduler.server = WriteBehind(redis_client(redis_url))
    if clock is not None:
        scheduler.clock = clock
    scheduler.open(crawler.spider)
    return scheduler


def test_a_request_that_cannot_be_pickled_is_kept_by_the_worker(
    crawler_for: CrawlerFactory, redis_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    scheduler = open_scheduler(crawler_for, redis_url, "unpicklable")
    shared = Request("http://127.0.0.1:1/a")
    held = Request("http://127.0.0.1:1/b", meta={"lock": threading.Lock()})
    other = Request("http://127.0.0.1:1/c", meta={"lock": threading.Lock()})
    with caplog.at_level(logging.DEBUG, logger="govsites.sharedscheduler"):
        assert scheduler.enqueue_request(shared)
        assert scheduler.enqueue_request(held)
        assert scheduler.enqueue_request(other)
    assert len(scheduler.queue) == 1  # the pickled one is in Redis, for every worker
    assert len(scheduler) == 3
    assert scheduler.has_pending_requests()
    stats = scheduler.stats
    assert stats.get_value(STAT) == 2
    assert stats.get_value("scheduler/enqueued/redis") == 1
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1  # once per kind of error; the second at debug level
    assert "http://127.0.0.1:1/b" in warnings[0].getMessage()
    assert "TypeError" in warnings[0].getMessage()
    # the worker's own come first, in their order, and then the shared queue's
    assert [scheduler.next_request().url for _ in range(3)] == [held.url, other.url, shared.url]
    assert not scheduler.has_pending_requests()
    # still seen by the shared dupefilter: no worker crawls it twice
    assert not scheduler.enqueue_request(Request("http://127.0.0.1:1/b"))


def test_a_second_worker_takes_what_the_first_shared(crawler_for: CrawlerFactory, redis_url: str) -> None:
    first = open_scheduler(crawler_for, redis_url, "two")
    second = open_scheduler(crawler_for, redis_url, "two")
    assert first.enqueue_request(Request("http://127.0.0.1:1/x", meta={"gtag": "1"}))
    assert not second.enqueue_request(Request("http://127.0.0.1:1/x"))  # the dupefilter is shared
    taken = second.next_request()
    assert taken is not None
    assert (taken.url, taken.meta["gtag"]) == ("http://127.0.0.1:1/x", "1")
    assert second.stats.get_value(STAT) is None


def test_a_local_request_stays_with_its_worker(crawler_for: CrawlerFactory, redis_url: str) -> None:
    first = open_scheduler(crawler_for, redis_url, "local")
    second = open_scheduler(crawler_for, redis_url, "local")
    learner = Request("http://127.0.0.1:1/list", meta={LOCAL: True, "gtag": "1"})
    assert first.enqueue_request(learner)
    assert first.enqueue_request(Request("http://127.0.0.1:1/shared", meta={"gtag": "2"}))
    # the other worker sees only the shared one: the learning render is never answered where no list waits on it
    taken = second.next_request()
    assert taken is not None
    assert taken.url == "http://127.0.0.1:1/shared"
    assert second.next_request() is None
    assert first.next_request() is learner
    assert first.stats.get_value(LOCAL_STAT) == 1
    assert first.stats.get_value(STAT) is None  # kept on purpose, not as a request that would not pickle
    assert first.stats.get_value("scheduler/enqueued/redis") == 1


def test_a_push_goes_with_the_workers_next_command(crawler_for: CrawlerFactory, redis_url: str) -> None:
    clock = Clock()
    first = open_scheduler(crawler_for, redis_url, "behind", own_client=True)
    second = open_scheduler(crawler_for, redis_url, "behind", own_client=True, clock=clock)
    assert isinstance(first.queue, SharedQueue)
    client = first.server
    trips = client.round_trips
    assert first.enqueue_request(Request("http://127.0.0.1:1/low", priority=1))
    assert first.enqueue_request(Request("http://127.0.0.1:1/high", priority=5))
    assert client.round_trips == trips  # the pushes wait in the worker's client
    assert second.next_request() is None  # another worker cannot take them yet
    assert len(first) == 2  # the worker's own next command sends them first, and sees them
    assert client.round_trips == trips + 1
    assert client.sent_later == 2
    clock.now += DRY_SECONDS  # the other found the queue empty a moment ago: it asks again after a while
    # now every worker takes them, in the queue's order of priority
    assert [second.next_request().url for _ in range(2)] == ["http://127.0.0.1:1/high", "http://127.0.0.1:1/low"]


def test_a_push_waiting_goes_at_the_flush(crawler_for: CrawlerFactory, redis_url: str) -> None:
    first = open_scheduler(crawler_for, redis_url, "flush", own_client=True)
    second = open_scheduler(crawler_for, redis_url, "flush", own_client=True)
    assert first.enqueue_request(Request("http://127.0.0.1:1/only"))
    first.server.flush()  # as the reactor's next turn does in a crawl
    taken = second.next_request()
    assert taken is not None
    assert taken.url == "http://127.0.0.1:1/only"


def test_a_worker_that_found_the_queue_empty_asks_again_a_moment_later(
    crawler_for: CrawlerFactory, redis_url: str
) -> None:
    """The engine asks at every turn until it gets nothing: after an empty pop the worker waits DRY_SECONDS before
    it asks Redis again, unless it pushed a request itself."""
    clock = Clock()
    first = open_scheduler(crawler_for, redis_url, "dry", own_client=True)
    second = open_scheduler(crawler_for, redis_url, "dry", own_client=True, clock=clock)
    assert second.next_request() is None  # empty: asked once
    trips = second.server.round_trips
    assert first.enqueue_request(Request("http://127.0.0.1:1/other"))
    first.server.flush()
    assert second.next_request() is None  # not asked: it found the queue empty a moment ago
    assert second.server.round_trips == trips
    assert second.stats.get_value(DRY_STAT) == 1
    clock.now += DRY_SECONDS / 2
    assert second.next_request() is None  # still within its wait
    assert second.stats.get_value(DRY_STAT) == 2
    clock.now += DRY_SECONDS  # past its wait
    taken = second.next_request()
    assert taken is not None
    assert taken.url == "http://127.0.0.1:1/other"
    # its own push: asked at once
    assert second.next_request() is None
    assert second.enqueue_request(Request("http://127.0.0.1:1/own"))
    own = second.next_request()
    assert own is not None
    assert own.url == "http://127.0.0.1:1/own"
