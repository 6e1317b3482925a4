"""One per-host connection limit for all the workers of a distributed crawl (Redis leases).

Each crawl process keeps ``GOVSITES_PER_HOST`` requests at a time per host in its own downloader. On one machine
that is the host's limit, because the sites of a host always go to the same process (:mod:`govsites.workshare`).
Distributed workers take their requests from one shared queue, so every worker can hold requests of the same
host: with N workers a host could see N times the limit. A worker therefore takes a *lease* from Redis before a
request of the host's own downloader slot leaves its downloader and gives it back when the download ends
(:class:`govsites.downloader.PoliteDownloader`, :func:`govsites.downloader.leased_host`).

The browser's page loads of a host have leases of their own (``GOVSITES_RENDER_PER_HOST`` of them, pool
:data:`RENDER_POOL`): in one process the browser's slot gives a host at most that many loads at a time, and a
distributed worker takes one of these leases for each load, so the bound holds for all workers together.

A host's leases are one sorted set, ``govsites:<run>:host:<host>`` (``…:render:<host>`` for the browser's): each
member is a worker's token, its score
the time (Redis' own clock) after which the lease lapses. A lease is taken by one Lua script (drop the lapsed,
count, add), so two workers never both take the last one. A worker that dies holding leases does not block the
host for good: they lapse after ``lease_seconds``, longer than any download may take (the link timeout, the
browser's deadline). No Scrapy imports here, and redis only once leases are made (a crawl process that is not a
distributed worker never imports it).
"""

from __future__ import annotations

import itertools
import logging
import os
import socket
from typing import Any

from govsites.writebehind import redis_client, write_behind

logger = logging.getLogger(__name__)

#: Take one lease of ``KEYS[1]`` if fewer than ``ARGV[1]`` are held: 1 if taken (as ``ARGV[3]``, lapsing after
#: ``ARGV[2]`` ms), 0 if not. Lapsed leases (of a dead worker) are dropped first.
ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
"""

#: Extend the lease ``ARGV[2]`` of ``KEYS[1]`` to ``ARGV[1]`` ms from now, if it is still held (``XX``): a lease a
#: worker keeps for its next request of the host (:meth:`HostLeases.renew`).
RENEW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[1]), ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 0
"""

#: Seconds a slot waits before it asks again for a lease another worker holds, doubled on each refusal up to
#: :data:`LEASE_POLL_MAX` (a lease released by this worker wakes its waiting slots at once). In a census each
#: host's requests are spread over every worker, and most of those slots wait: the backoff keeps their asking
#: below one Redis command a second each once the wait is long.
LEASE_POLL = 0.1
LEASE_POLL_MAX = 1.6
#: Seconds a lease outlives the longest download it may cover (the link timeout, the browser's deadline).
LEASE_MARGIN = 60.0
#: The pools of leases: a host's own requests (``GOVSITES_PER_HOST``) and its browser page loads.
HOST_POOL = "host"
RENDER_POOL = "render"


def worker_id() -> str:
    """A name for this worker process, unique across machines and restarts (host, process, random)."""
    return f"{socket.gethostname()}:{os.getpid()}:{os.urandom(3).hex()}"


def poll_delay(refusals: int) -> float:
    """Seconds before a slot refused ``refusals`` times in a row asks again."""
    return float(min(LEASE_POLL * 2 ** max(refusals - 1, 0), LEASE_POLL_MAX))


def lease_seconds(*download_limits: float) -> float:
    """How long a lease lasts: the longest a download may take, plus :data:`LEASE_MARGIN`."""
    return max(download_limits, default=0.0) + LEASE_MARGIN


class HostLeases:
    """The leases of one run's hosts in Redis: at most ``limit`` held at a time per host, by all workers together."""

    def __init__(
        self, client: Any, prefix: str, limit: int, seconds: float, worker: str = "", pool: str = HOST_POOL
    ) -> None:
        self.r = write_behind(client)  # a lease given back goes with the next command (the next acquire)
        self.prefix = prefix
        self.pool = pool
        self.limit = limit
        self.lease_ms = int(seconds * 1000)
        self.worker = worker or worker_id()
        self._serial = itertools.count(1)
        self._acquire = self.r.register_script(ACQUIRE)
        self._renew = self.r.register_script(RENEW)
        from redis.exceptions import RedisError

        self._errors = (RedisError,)
        self.failures = 0  # Redis calls that failed (each request then went without a lease)

    @classmethod
    def connect(cls, redis_url: str, prefix: str, limit: int, seconds: float) -> HostLeases:
        return cls(redis_client(redis_url), prefix, limit, seconds)

    def of_pool(self, pool: str, limit: int) -> HostLeases:
        """The leases of another pool of the same run, on the same Redis connection and worker name."""
        seconds = self.lease_ms / 1000
        return type(self)(self.r, self.prefix, limit, seconds, worker=self.worker, pool=pool)

    def key(self, host: str) -> str:
        return f"{self.prefix}{self.pool}:{host}"

    def acquire(self, host: str) -> str | None:
        """A lease of ``host`` (its token), or None when ``limit`` are held already. When Redis cannot be asked,
        the request goes without a lease (an empty token, logged): this worker's own per-host limit still holds,
        and a crawl whose state lives in Redis reports the outage itself."""
        token = f"{self.worker}:{next(self._serial)}"
        try:
            taken = self._acquire(keys=[self.key(host)], args=[self.limit, self.lease_ms, token])
        except self._errors as error:
            self.failures += 1
            if self.failures == 1:  # then counted (govsites/hosts/lease_errors), not logged per request
                logger.error(
                    "无法从 Redis 取得主机 %s 的并发许可，此类请求只受本进程的每主机并发限制（之后计入 "
                    "govsites/hosts/lease_errors）：%s",
                    host,
                    error,
                )
            return ""
        return token if int(taken) else None

    def release(self, host: str, token: str) -> None:
        """Give a lease back: sent with this client's next command, usually the acquire that follows, at the latest
        at the reactor's next turn (:class:`govsites.writebehind.WriteBehind`; a lease Redis cannot take back
        lapses by itself)."""
        if token:
            self.r.writes().zrem(self.key(host), token)

    def renew(self, host: str, token: str) -> None:
        """Keep the lease ``token`` for another request of ``host``: its time starts again. A write whose answer is
        not read, sent with this client's next command: what a release followed by an acquire in the same round
        trip would do (no other worker can take the lease between the two), without the round trip. A lease that
        lapsed meanwhile (a download longer than the lease, which the lease's length rules out) is not taken
        again."""
        if token:
            self.r.later_script(self._renew, [self.key(host)], [self.lease_ms, token])

    def held(self, host: str) -> int:
        """Leases of ``host`` held now, lapsed ones included until the next acquire drops them (for tests)."""
        return int(self.r.zcard(self.key(host)))
