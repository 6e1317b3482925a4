"""The scheduler of a distributed crawl: scrapy-redis' shared queue, and a request it cannot serialize kept, not lost.

scrapy-redis pickles each request into Redis. A request that will not pickle (something in its ``meta`` that holds a
lock or a callback, a callback that is not a spider method) made its ``push`` raise *after* the shared dupefilter
had marked it seen: no worker would ever take it again, and nothing in the crawl's log or stats said so (one cause
was fixed in 824949a; this keeps the next one from being silent).

Scrapy's own scheduler does the same with a request its disk queue refuses: it keeps it in memory
(``scheduler/unserializable``). Here the worker that made it keeps it and crawls it itself, before what it takes
from the shared queue. It is counted (``govsites/scheduler/unserializable``), logged at warning level with the
reason for the first of each kind, and, as for Scrapy's, a worker killed while holding one loses it: the crawl's
log said so.

A request marked :data:`~govsites.distributed.LOCAL` is kept the same way on purpose (counted as
``govsites/scheduler/local``): its answer releases work only this worker holds.

A request pushed is a write whose answer nobody reads (:class:`SharedQueue`): it goes with the worker's next Redis
command, at the latest at the reactor's next turn (:mod:`govsites.writebehind`), one round trip a request fewer.

Scrapy's engine asks the scheduler for requests at every turn of its loop until it gets none, so each turn ended
with a pop of an empty queue: about a third of a worker's pops. A worker that found the shared queue empty does not
ask again for :data:`DRY_SECONDS` unless it pushed a request itself meanwhile (counted as
``govsites/scheduler/dry_skips``); requests other workers push meanwhile are taken at the next turn after that, at
the latest at the worker's poll of the queue (every ``GOVSITES_DISTRIBUTED_POLL`` seconds).
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable
from time import monotonic
from typing import TYPE_CHECKING, Any

from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler

from govsites.distributed import LOCAL, UNSERIALIZABLE
from govsites.requestdicts import request_dict
from govsites.writebehind import shared_client

if TYPE_CHECKING:
    from scrapy import Request

logger = logging.getLogger(__name__)

STAT = "govsites/scheduler/unserializable"
LOCAL_STAT = "govsites/scheduler/local"
DRY_STAT = "govsites/scheduler/dry_skips"

#: Seconds a worker that found the shared queue empty waits before it asks again (see the module docstring).
DRY_SECONDS = 0.1


class SharedQueue(PriorityQueue):
    """scrapy-redis' priority queue whose push waits for the worker's next command (``server``: a
    :class:`~govsites.writebehind.WriteBehind`). A request that will not pickle still raises here, before anything
    is queued. Its own pop and length are commands of the same client: they see every push before them."""

    def push(self, request: Request) -> None:
        data = self._encode_request(request)
        self.server.writes().execute_command("ZADD", self.key, -request.priority, data)

    def _encode_request(self, request: Request) -> bytes:
        """scrapy-redis' encoding (Scrapy's dict of the request, pickled), its callbacks named quickly
        (:func:`govsites.requestdicts.request_dict`)."""
        data: bytes = self.serializer.dumps(request_dict(request, self.spider))
        return data


class SharedScheduler(Scheduler):
    """scrapy-redis' :class:`~scrapy_redis.scheduler.Scheduler` with requests that cannot go into Redis kept locally
    (see the module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.local: deque[Request] = deque()
        self.reasons_logged: set[str] = set()
        self.clock: Callable[[], float] = monotonic
        self.dry_until = 0.0  # time of the clock before which the shared queue is not asked again (found empty)

    @classmethod
    def from_settings(cls, settings: Any) -> SharedScheduler:
        """scrapy-redis' scheduler on this process's client (:func:`govsites.writebehind.shared_client`): a request
        pushed is sent after the site state's writes that came before it."""
        scheduler = super().from_settings(settings)
        scheduler.server = shared_client(settings["REDIS_URL"])
        return scheduler

    def enqueue_request(self, request: Request) -> bool:
        if not request.dont_filter and self.df.request_seen(request):
            self.df.log(request, self.spider)
            return False
        if request.meta.get(LOCAL):
            self.local.append(request)
            if self.stats:
                self.stats.inc_value(LOCAL_STAT)
            return True
        try:
            self.queue.push(request)
        except UNSERIALIZABLE as error:
            self.keep_locally(request, error)
            return True
        self.dry_until = 0.0  # the queue holds one now
        if self.stats:
            self.stats.inc_value("scheduler/enqueued/redis")
        return True

    def keep_locally(self, request: Request, error: Exception) -> None:
        """Keep ``request``, which could not be put into the shared queue, for this worker (counted, logged)."""
        self.local.append(request)
        if self.stats:
            self.stats.inc_value(STAT)
        kind = type(error).__name__
        if kind in self.reasons_logged:
            logger.debug("请求 %s 无法放入共享队列（%s），由本进程抓取", request.url, error)
            return
        self.reasons_logged.add(kind)
        logger.warning(
            "请求 %s 无法放入共享队列（%s: %s），由本进程抓取；本进程中断则该请求丢失（同类情况计入统计 %s）",
            request.url,
            kind,
            error,
            STAT,
        )

    def next_request(self) -> Request | None:
        if self.local:
            return self.local.popleft()
        now = self.clock()
        if now < self.dry_until:
            if self.stats:
                self.stats.inc_value(DRY_STAT)
            return None
        request: Request | None = super().next_request()
        if request is None:
            self.dry_until = now + DRY_SECONDS
        return request

    def __len__(self) -> int:
        return len(self.local) + int(super().__len__())
