"""A distributed worker's Redis client whose writes that nobody reads the answer of travel with its next command.

A worker of a distributed crawl talks to Redis synchronously, in the reactor: every command is a round trip the
worker waits for. Profiled (py-spy, ``make bench``'s distributed section, two workers), a third of the main
thread's time was spent waiting on Redis, and about a quarter of that on writes whose answer no one reads (a page
counted, marked parsed, its routes noted, its policy links shared, an item's article noted, a page held for the
caps).

:class:`WriteBehind` wraps the client. Those writes go to :meth:`WriteBehind.writes` (a pipeline that is not
sent); the next command the worker sends (any read, a pipeline, a script, the shared queue's push or pop, when the
scheduler uses this client too) sends them first, in the same round trip. Redis runs one connection's commands in
the order sent, so the worker's own order is kept exactly: a write is in Redis before any later read or write of
the same worker, and before a request it pushes afterwards reaches another worker. What changes is only when
other workers can see a write that this worker has not yet followed with any command: until its next command,
usually within the same callback, and at the latest at the reactor's next turn (:attr:`WriteBehind.soon`, set by
the crawl), when a flush sends what no command took along. The orderings :mod:`govsites.sitestate` relies on
(each side writes, then reads the other's key) are of that form and hold.

No Scrapy imports here.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

logger = logging.getLogger(__name__)

#: Methods of the client that are not single commands (or whose result is a client-side iterator): the writes
#: waiting are sent first, then the client's own method runs.
NOT_QUEUED = frozenset({"scan_iter", "hscan_iter", "sscan_iter", "zscan_iter", "register_script"})


class WriteBehind:
    """A Redis client whose :meth:`writes` are sent with its next command (see the module docstring).

    ``soon``: called with :meth:`flush` when a write starts waiting (the crawl passes the reactor's next turn), so
    a write no command takes along is not kept longer; None: only the next command sends them."""

    def __init__(self, client: Any, soon: Callable[[Callable[[], None]], Any] | None = None) -> None:
        from redis.commands import CoreCommands

        self.client = client
        self.soon = soon
        self._waiting = client.pipeline(transaction=False)
        self._commands = CoreCommands
        self._flush_asked = False
        self._scripts: dict[str, Any] = {}
        self._loaded: set[str] = set()  # digests of scripts loaded by later_script
        self.round_trips = 0  # every command and pipeline sent through this client
        self.sent_later = 0  # writes that waited, sent with a later command (or by a flush)
        self.carriers = 0  # round trips that carried them
        self.unsent = 0  # writes that waited and were in a round trip that failed
        self.flushes = 0  # carriers that carried nothing else (no command came in time)
        self._last_unsent = 0

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self.client, name)
        if name == "execute_command" or (hasattr(self._commands, name) and name not in NOT_QUEUED):
            return functools.partial(self._command, name)
        if callable(attr):
            self.flush()
        return attr

    def writes(self) -> Any:
        """The pipeline of writes waiting: queue a command on it (its answer is never read)."""
        if self.soon is not None and not self._flush_asked:
            self._flush_asked = True
            self.soon(self._soon_flush)
        return self._waiting

    def _soon_flush(self) -> None:
        self._flush_asked = False
        self.flush_or_log()

    def flush_or_log(self) -> None:
        """:meth:`flush` where no caller can be told (the reactor's next turn, the worker's end): a Redis that
        cannot be reached is logged and counted (:attr:`unsent`), not raised."""
        from redis.exceptions import RedisError

        try:
            self.flush()
        except RedisError as error:
            logger.error("%d 条写入未能发送到 Redis（累计 %d 条）：%s", self._last_unsent, self.unsent, error)

    def _command(self, name: str, *args: Any, **kwargs: Any) -> Any:
        if not len(self._waiting):
            self.round_trips += 1
            return getattr(self.client, name)(*args, **kwargs)
        waiting = len(self._waiting)
        getattr(self._waiting, name)(*args, **kwargs)
        return self._send(waiting)[-1]

    def _send(self, waiting: int) -> list[Any]:
        try:
            results: list[Any] = self._waiting.execute()
        except Exception:
            self.failed(waiting)
            raise
        finally:
            self._waiting.reset()
        self.carried(waiting)
        return results

    def failed(self, waiting: int) -> None:
        """A round trip carrying ``waiting`` writes that waited failed: they may not have reached Redis (counted;
        its caller is told)."""
        self._last_unsent = waiting
        self.unsent += waiting

    def carried(self, waiting: int) -> None:
        """One round trip sent, carrying ``waiting`` writes that waited."""
        self.round_trips += 1
        if waiting:
            self.sent_later += waiting
            self.carriers += 1

    def flush(self) -> None:
        """Send the writes waiting (the worker is about to stop, or another client must see them)."""
        if len(self._waiting):
            self.flushes += 1
            self._send(len(self._waiting))

    def pipeline(self, transaction: bool = True) -> Any:
        """A pipeline of the client that sends the writes waiting first, in its own round trip (inside its
        MULTI/EXEC when it is a transaction: they are writes of this worker's, atomic with it or not alike);
        :meth:`Joined.execute` gives the answers of its own commands only."""
        pipe = self.client.pipeline(transaction=transaction)
        waiting = len(self._waiting)
        pipe.command_stack.extend(self._waiting.command_stack)
        self._waiting.reset()
        return Joined(pipe, waiting, self)

    def register_script(self, script: str) -> Any:
        """A script called through this client (its writes waiting go first), one per client and text; loaded
        on the server when :meth:`later_script` first queues it by its digest."""
        from redis.commands.core import Script

        bound = self._scripts.get(script)
        if bound is None:
            bound = self._scripts[script] = Script(self, script)  # type: ignore[arg-type]  # the client's commands
        return bound

    def later_script(self, script: Any, keys: list[Any], args: list[Any]) -> None:
        """Run a script registered here as one of the writes waiting (its answer is not read)."""
        if script.sha not in self._loaded:
            self.flush()
            script.sha = self.client.script_load(script.script)
            self.round_trips += 1
            self._loaded.add(script.sha)
        self.writes().evalsha(script.sha, len(keys), *keys, *args)


class Joined:
    """A pipeline of :meth:`WriteBehind.pipeline`: the writes that waited, then its own commands."""

    def __init__(self, pipe: Any, waiting: int, owner: WriteBehind) -> None:
        self.pipe = pipe
        self.waiting = waiting
        self.owner = owner

    def __getattr__(self, name: str) -> Any:
        return getattr(self.pipe, name)

    def multi(self) -> None:
        """A transaction pipeline already wraps its commands in MULTI/EXEC (redis-py refuses an explicit MULTI
        after the writes that waited)."""
        if not self.pipe.transaction:
            self.pipe.multi()

    def execute(self) -> list[Any]:
        try:
            results: list[Any] = self.pipe.execute()
        except Exception:
            self.owner.failed(self.waiting)
            raise
        finally:
            self.pipe.reset()
        self.owner.carried(self.waiting)
        return results[self.waiting :]


def redis_client(redis_url: str) -> Any:
    """A plain Redis client of a distributed worker (generous timeouts: a busy Redis is waited for, not given up
    on)."""
    import redis

    return redis.Redis.from_url(redis_url, socket_timeout=60, socket_connect_timeout=30, health_check_interval=30)


@functools.cache
def shared_client(redis_url: str) -> WriteBehind:
    """This process's client of ``redis_url``: the worker's site states, the run's keys and the shared queue use one
    connection, so that the queue's push is sent after the writes that came before it."""
    return WriteBehind(redis_client(redis_url))


def write_behind(client: Any) -> WriteBehind:
    """``client`` as a :class:`WriteBehind` (itself when it is one)."""
    return client if isinstance(client, WriteBehind) else WriteBehind(client)


def next_turn(call: Callable[[], None]) -> None:
    """Run ``call`` at the reactor's next turn (:attr:`WriteBehind.soon` of a crawl)."""
    from twisted.internet import reactor

    reactor.callLater(0, call)  # type: ignore[attr-defined,arg-type,unused-ignore]
