"""One per-host limit for all the workers of a distributed crawl (``govsites.hostleases``, ``DistributedDownloader``).

Two distributed workers share a real redis-server and write one PostgreSQL store while crawling a bench web whose
hosts answer slowly (so that requests overlap) and count the requests they are answering at once. With
``GOVSITES_PER_HOST=2`` no host may ever answer more than two at a time, whichever workers sent them. Without the
leases each worker keeps its own limit and a host sees up to four (measured on this web: four at every host).

The leases themselves are tested against the same kind of server: the limit, a release, and a lease of a worker
that died lapsing after its time.

Needs ``redis-server`` and the PostgreSQL server binaries (Debian packages redis-server, postgresql); skipped
with the reason otherwise.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from bench.localservers import missing_reason, postgres_server, redis_server
from bench.web.model import WebConfig, host
from bench.web.server import BenchWeb
from govsites.hostleases import HostLeases, poll_delay
from govsites.writebehind import redis_client
from tests.helpers import WORKER_ENV, crawl_stat, crawl_workers

REASON = missing_reason()
pytestmark = pytest.mark.skipif(bool(REASON), reason=REASON or "servers available")

PER_HOST = 2
#: Three sites on three hosts, each page answered after 0.2-0.6 s: a worker always has more of a host's requests
#: queued than its own limit lets through, so both workers press on every host at once, and a site takes about
#: 20 s at two requests at a time: far longer than the second worker may start after the first.
WEB = WebConfig(
    seed=11,
    sites=3,
    pages=50,
    js_share=0.0,
    down_share=0.0,
    challenge_share=0.0,
    subsite_share=0.0,
    latency_min_ms=400,
    latency_max_ms=400,
)
ENV = {
    **WORKER_ENV,
    "GOVSITES_PER_HOST": str(PER_HOST),
    # below the three hosts' six leases: a worker alone cannot take every request (it stops taking more from the
    # shared queue at four under way), so both workers always crawl; with its default a worker that took the
    # queue first could take it all (one run in a few, measured)
    "GOVSITES_CONCURRENT_REQUESTS": "4",
    "GOVSITES_RENDER_ENABLED": "0",
}


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("hostleases")
    with redis_server() as redis_url, postgres_server() as pg_url, BenchWeb(WEB) as web:
        registry = web.write_registry(tmp / "sites.csv")
        logs = crawl_workers(registry, pg_url, redis_url, "d", WEB.as_of.isoformat(), tmp, **ENV)
        leases = HostLeases(redis_client(redis_url), "govsites:d:", PER_HOST, 60)
        yield {
            "peak": dict(web.peak),
            "logs": logs,
            "held": {host(i): leases.held(host(i)) for i in range(WEB.sites)},
        }


def test_no_host_answers_more_than_its_limit_to_all_workers_together(crawl: dict[str, Any]) -> None:
    peak = crawl["peak"]
    assert set(peak) == {host(i) for i in range(WEB.sites)}, peak
    assert max(peak.values()) <= PER_HOST, peak
    assert max(peak.values()) == PER_HOST, peak  # the limit is used, not starved


def test_both_workers_crawled_the_same_hosts(crawl: dict[str, Any]) -> None:
    """Both workers took requests of the hosts from the shared queue (each one's own downloader lets two of a host
    through: without the leases the hosts answered four at a time on this web), and one of them had to wait for a
    lease the other held (a worker alone never waits: its own downloader slot keeps it within the limit). How
    the leases are shared between the workers depends on timing (a worker that gives one back takes it again for
    its own next request of the host), so only that both crawled is asserted."""
    logs = crawl["logs"]
    assert all(crawl_stat(log, "downloader/response_count") > 0 for log in logs), [log[-1500:] for log in logs]
    assert sum(crawl_stat(log, "downloader/response_count") for log in logs) > 3 * WEB.pages
    assert sum(crawl_stat(log, "govsites/hosts/lease_waits") for log in logs) > 0
    # a worker's next request of a host mostly keeps the lease of its last one (no round trip to Redis for it)
    assert sum(crawl_stat(log, "govsites/hosts/leases_kept") for log in logs) > WEB.pages
    assert not any(crawl_stat(log, "govsites/hosts/lease_errors") for log in logs)


def test_every_lease_is_given_back(crawl: dict[str, Any]) -> None:
    assert crawl["held"] == {host(i): 0 for i in range(WEB.sites)}


@pytest.fixture
def redis_url() -> Iterator[str]:
    with redis_server() as url:
        yield url


def test_a_refused_slot_asks_less_and_less_often() -> None:
    assert [poll_delay(n) for n in range(1, 7)] == [0.1, 0.2, 0.4, 0.8, 1.6, 1.6]


def test_leases_are_limited_released_and_lapse(redis_url: str) -> None:
    client = redis_client(redis_url)
    first = HostLeases(client, "govsites:t:", 2, 2.0, worker="a")  # long enough for the asserts before it lapses
    second = HostLeases(client, "govsites:t:", 2, 60, worker="b")
    one, two = first.acquire("gov.example"), second.acquire("gov.example")
    assert one
    assert two
    assert second.acquire("gov.example") is None  # the limit is for both together
    assert second.acquire("other.example")  # per host
    second.release("gov.example", two)
    three = second.acquire("gov.example")
    assert three
    assert second.acquire("gov.example") is None
    time.sleep(2.3)  # worker "a" died holding its lease: it lapses
    assert second.acquire("gov.example")
    assert second.held("gov.example") == 2


def test_a_lease_kept_for_the_next_request_starts_its_time_again(redis_url: str) -> None:
    client = redis_client(redis_url)
    worker = HostLeases(client, "govsites:k:", 1, 4.0, worker="a")
    other = HostLeases(client, "govsites:k:", 1, 60, worker="b")
    token = worker.acquire("gov.example")
    assert token
    time.sleep(3.0)
    worker.renew("gov.example", token)  # waits in the worker's client: its next command sends it
    assert worker.held("gov.example") == 1
    time.sleep(2.0)  # 5 s after it was taken (lapsed, had it not been renewed); 2 s at most since its renewal
    assert other.acquire("gov.example") is None
    worker.release("gov.example", token)
    assert worker.held("gov.example") == 0
    assert other.acquire("gov.example")


def test_a_lapsed_lease_is_not_taken_again_by_its_renewal(redis_url: str) -> None:
    client = redis_client(redis_url)
    worker = HostLeases(client, "govsites:l:", 1, 1.0, worker="a")
    other = HostLeases(client, "govsites:l:", 1, 60, worker="b")
    token = worker.acquire("gov.example")
    time.sleep(1.2)
    assert other.acquire("gov.example")  # the lapsed lease was dropped, the other worker's is the one held
    worker.renew("gov.example", token)
    assert worker.held("gov.example") == 1


def test_without_redis_a_request_goes_without_a_lease_and_it_is_said_once(caplog: pytest.LogCaptureFixture) -> None:
    """Redis unreachable (a port nothing listens on): each request gets the empty token (no lease, the worker's
    own limit still holds), the failures are counted, and the log says so once, not per request."""
    from bench.localservers import free_port

    leases = HostLeases(redis_client(f"redis://127.0.0.1:{free_port()}/0"), "govsites:t:", 2, 60, worker="a")
    with caplog.at_level("ERROR", logger="govsites.hostleases"):
        assert [leases.acquire("gov.example") for _ in range(3)] == ["", "", ""]
    assert leases.failures == 3
    assert len(caplog.records) == 1
    leases.release("gov.example", "")  # nothing to give back
