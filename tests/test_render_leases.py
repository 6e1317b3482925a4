"""One bound of browser page loads per host for all the workers of a distributed crawl (render leases,
``govsites.hostleases.RENDER_POOL``, ``DistributedDownloader._render_allowed``).

In one process the browser's slot gives a host at most ``GOVSITES_RENDER_PER_HOST`` loads at a time
(``tests/test_render_per_host.py``). Distributed workers take renders from one shared queue, so each worker's own
bound let a host get that many from every worker. Here two workers share a real redis-server and write one
PostgreSQL store while crawling :class:`tests.webs.unbuilt.BusyRenderWeb` (six script-filled lists on one host,
each rendered, every browser navigation 2 s, the server counting those under way): the host never has more than
two, and the workers waited for each other's leases.

Needs ``redis-server``, the PostgreSQL server binaries and Debian's Chromium; skipped with the reason otherwise.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bench.localservers import missing_reason, postgres_server, redis_server
from govsites.hostleases import RENDER_POOL, HostLeases
from govsites.registry import write_sites
from govsites.writebehind import redis_client
from tests.helpers import WORKER_ENV, crawl_stat, crawl_workers, needs_chromium
from tests.webs.unbuilt import AS_OF, BusyRenderWeb

REASON = missing_reason()
pytestmark = [pytest.mark.skipif(bool(REASON), reason=REASON or "servers available"), needs_chromium]

ENV = {
    **WORKER_ENV,
    "GOVSITES_ENDPOINTS_ENABLED": "0",  # every list rendered
    "GOVSITES_RENDER_REUSE_ENABLED": "0",
    "GOVSITES_RENDER_PER_HOST": "2",
    # a worker holds at most three requests from the shared queue, so the other one takes renders too
    "GOVSITES_CONCURRENT_REQUESTS": "3",
}


class StartedTogetherWeb(BusyRenderWeb):
    """The site's first page waits a while: under load one worker may start seconds after the other, and the
    renders, about 6 s of them, could then all go to the first (seen once in a loaded CI run); the waiting worker
    shows the leases are shared only if both take renders."""

    FIRST_HOME_DELAY = 8.0


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    tmp: Path = tmp_path_factory.mktemp("renderleases")
    with redis_server() as redis_url, postgres_server() as pg_url, StartedTogetherWeb() as web:
        registry = write_sites(tmp / "sites.csv", web.registry_rows())
        logs = crawl_workers(registry, pg_url, redis_url, "r", AS_OF, tmp, **ENV)
        leases = HostLeases(redis_client(redis_url), "govsites:r:", 2, 60, pool=RENDER_POOL)
        yield {"web": web, "logs": logs, "held": leases.held("127.0.0.78")}


def test_the_host_gets_at_most_two_browser_page_loads_from_all_workers(crawl: dict[str, Any]) -> None:
    web = crawl["web"]
    assert web.navigations >= len(web.COLUMNS)  # every list was rendered
    assert 1 <= web.most_navigating <= 2, web.most_navigating


def test_the_workers_waited_for_each_others_render_leases_and_gave_them_all_back(crawl: dict[str, Any]) -> None:
    logs = crawl["logs"]
    rendered = [crawl_stat(log, "playwright/page_count") for log in logs]
    assert all(rendered), ([log[-2000:] for log in logs], rendered)  # both workers rendered
    assert sum(crawl_stat(log, "govsites/render/lease_waits") for log in logs) > 0
    assert not any(crawl_stat(log, "govsites/hosts/lease_errors") for log in logs)
    assert crawl["held"] == 0
