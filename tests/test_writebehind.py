"""A distributed worker's Redis client (``govsites.writebehind``) against a real redis-server: writes whose answer
is not read wait, and go with the worker's next command in the same round trip, in the order sent.

Needs ``redis-server`` (Debian package redis-server); skipped with the reason otherwise.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from bench.localservers import missing_reason, redis_server
from govsites.writebehind import WriteBehind, redis_client, write_behind

REASON = missing_reason(postgres=False)
pytestmark = pytest.mark.skipif(bool(REASON), reason=REASON or "redis-server available")

INCR = "return redis.call('INCRBY', KEYS[1], ARGV[1])"


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    with redis_server() as url:
        yield url


@pytest.fixture
def clients(redis_url: str) -> tuple[WriteBehind, Any]:
    """A worker's client and another worker's plain one, on an empty database."""
    other = redis_client(redis_url)
    other.flushdb()
    return WriteBehind(redis_client(redis_url)), other


def test_a_write_waits_for_the_next_command_and_goes_with_it(clients: tuple[WriteBehind, Any]) -> None:
    worker, other = clients
    worker.writes().incrby("pages", 2)
    worker.writes().sadd("parsed", "http://a/1")
    assert other.get("pages") is None  # not sent yet
    assert worker.get("pages") == b"2"  # sent before the read, in its round trip, and read after it
    assert (worker.round_trips, worker.sent_later, worker.carriers) == (1, 2, 1)
    assert other.sismember("parsed", "http://a/1")
    assert worker.get("pages") == b"2"  # nothing waiting: a plain command
    assert (worker.round_trips, worker.carriers) == (2, 1)


def test_the_answers_are_the_commands_own(clients: tuple[WriteBehind, Any]) -> None:
    worker, other = clients
    worker.writes().hset("columns", "http://a/", "x")
    assert worker.set("done", "1", nx=True) is True
    worker.writes().incr("n")
    assert worker.set("done", "1", nx=True) is None  # redis-py's answer of a SET NX that did not set
    worker.writes().sadd("s", "a", "b")
    assert worker.smembers("s") == {b"a", b"b"}
    worker.writes().incr("n")
    assert worker.execute_command("ZADD", "queue", 1, b"r") == 1  # scrapy-redis' push
    assert other.get("n") == b"2"


def test_pipelines_send_the_writes_first_and_answer_for_their_own(clients: tuple[WriteBehind, Any]) -> None:
    worker, other = clients
    other.zadd("queue", {b"first": 1, b"second": 2})
    worker.writes().incr("inflight")
    # scrapy-redis' pop: an explicit MULTI on a transaction pipeline
    pipe = worker.pipeline()
    pipe.multi()
    pipe.zrange("queue", 0, 0).zremrangebyrank("queue", 0, 0)
    results, count = pipe.execute()
    assert (results, count) == ([b"first"], 1)
    assert other.get("inflight") == b"1"
    worker.writes().incr("inflight")
    pipe = worker.pipeline(transaction=False)
    pipe.sadd("checked", "u1")
    pipe.sadd("checked", "u1")
    assert pipe.execute() == [1, 0]
    assert other.get("inflight") == b"2"
    assert (worker.round_trips, worker.sent_later, worker.carriers) == (2, 2, 2)
    pipe = worker.pipeline(transaction=False)  # nothing waiting
    pipe.get("inflight")
    assert pipe.execute() == [b"2"]
    assert (worker.round_trips, worker.carriers) == (3, 2)


def test_scripts_run_as_writes_waiting_or_as_commands(clients: tuple[WriteBehind, Any]) -> None:
    worker, other = clients
    script = worker.register_script(INCR)
    worker.later_script(script, ["held"], [5])
    worker.later_script(script, ["held"], [1])
    assert other.get("held") is None
    assert script(keys=["held"], args=[10]) == 16  # the two waiting ran first, in their order
    assert (worker.round_trips, worker.sent_later, worker.carriers) == (2, 2, 1)  # its load, then the call
    assert other.get("held") == b"16"
    worker.later_script(script, ["held"], [1])
    assert script(keys=["held"], args=[1]) == 18
    assert worker.round_trips == 3  # loaded once


def test_a_write_no_command_takes_along_is_sent_when_the_crawl_says(clients: tuple[WriteBehind, Any]) -> None:
    worker, other = clients
    asked: list[Callable[[], None]] = []
    worker.soon = asked.append
    worker.writes().incr("n")
    worker.writes().incr("n")
    assert len(asked) == 1  # once per batch
    asked.pop()()
    assert other.get("n") == b"2"
    worker.writes().incr("n")
    assert len(asked) == 1  # a new batch asks again
    assert worker.get("n") == b"3"  # taken along by a command first
    asked.pop()()  # then nothing is left to send
    assert (worker.round_trips, worker.sent_later, worker.carriers, worker.flushes) == (2, 3, 2, 1)
    worker.flush()
    assert worker.round_trips == 2


def test_helpers_that_are_not_single_commands_send_the_writes_first(clients: tuple[WriteBehind, Any]) -> None:
    worker, other = clients
    worker.writes().set("govsites:r:a", "1")
    assert list(worker.scan_iter(match="govsites:r:*")) == [b"govsites:r:a"]
    assert write_behind(worker) is worker
    assert other.get("govsites:r:a") == b"1"


def test_a_script_is_loaded_once_per_client(clients: tuple[WriteBehind, Any]) -> None:
    worker, other = clients
    other.script_flush()
    first = worker.register_script(INCR)
    assert worker.register_script(INCR) is first
    assert worker.round_trips == 0  # not loaded until used (a worker may start while Redis is away)
    worker.later_script(first, ["n"], [3])
    assert other.script_exists(first.sha) == [True]  # loaded: the waiting call names it by its digest
    worker.flush()
    assert other.get("n") == b"3"


def test_writes_that_cannot_be_sent_are_counted_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    """Redis gone (a port nothing listens on): the reactor's flush logs and counts what it could not send; the
    next command raises to its caller, as a plain client's would."""
    import redis

    from bench.localservers import free_port

    worker = WriteBehind(redis_client(f"redis://127.0.0.1:{free_port()}/0"))
    worker.writes().incr("n")
    worker.writes().incr("n")
    with caplog.at_level("ERROR", logger="govsites.writebehind"):
        worker.flush_or_log()
    assert worker.unsent == 2
    assert "2 条写入未能发送到 Redis" in caplog.records[0].getMessage()
    worker.writes().incr("n")
    with pytest.raises(redis.exceptions.ConnectionError):
        worker.get("n")
    assert worker.unsent == 3
    worker.flush_or_log()  # nothing waits any more
    assert len(caplog.records) == 1
    worker.writes().incr("n")
    pipe = worker.pipeline(transaction=False)  # the writes that waited travel in a pipeline that fails
    pipe.get("n")
    with pytest.raises(redis.exceptions.ConnectionError):
        pipe.execute()
    assert worker.unsent == 4
