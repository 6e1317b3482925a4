"""Script-filled lists in a distributed crawl: one render teaches a site's endpoints for every worker.

Two workers share a real redis-server and write one PostgreSQL store while crawling
:class:`tests.webs.unbuilt.EndpointWeb` (six script-filled lists per site, Debian's Chromium through
scrapy-playwright). In one process the first list is rendered while the others wait (parked), and the rest are
read from the endpoint that render showed (``tests/test_endpoints.py``: one render on one site, two on the other).
Workers used not to park (the learning render could be answered by the other worker, which held none of the
waiting lists), so every list that came before the first rule was rendered. Now each worker parks its own lists
and crawls its learning render and the check of a new rule itself (``govsites.distributed.LOCAL``); the rules are
shared in Redis. Each list must still be read with its items, and no site may have more renders than one per
worker for each render one process needs.

Needs ``redis-server``, the PostgreSQL server binaries and Debian's Chromium; skipped with the reason otherwise.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bench.localservers import missing_reason, postgres_server, redis_server
from govsites.registry import write_sites
from govsites.store import open_store
from tests.helpers import NO_RENDER_REUSE, WORKER_ENV, crawl_stat, crawl_workers, needs_chromium
from tests.webs.unbuilt import AS_OF, EndpointWeb

REASON = missing_reason()
pytestmark = [pytest.mark.skipif(bool(REASON), reason=REASON or "servers available"), needs_chromium]

WORKERS = 2
#: Renders one process needs per site (tests/test_endpoints.py: the derived host's odd column asks another
#: endpoint, so each of its two kinds is rendered once).
ONE_PROCESS_RENDERS = {"literal": 1, "derived": 2}


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    tmp: Path = tmp_path_factory.mktemp("distendpoints")
    with redis_server() as redis_url, postgres_server() as pg_url, EndpointWeb() as web:
        registry = write_sites(tmp / "sites.csv", web.registry_rows())
        logs = crawl_workers(registry, pg_url, redis_url, "e", AS_OF, tmp, WORKERS, **WORKER_ENV, **NO_RENDER_REUSE)
        with open_store(pg_url) as store:
            columns = store.query_tuples("SELECT site_id, url, items, newest_date FROM columns")
            rendered = store.query_tuples(
                "SELECT site_id, COUNT(*) FROM pages WHERE rendered = 1 GROUP BY site_id ORDER BY site_id"
            )
        yield {"web": web, "logs": logs, "columns": columns, "rendered": dict(rendered)}


def test_every_script_filled_list_is_read(crawl: dict[str, Any]) -> None:
    found = {(site, url.split("/", 3)[3]): (items, newest) for site, url, items, newest in crawl["columns"]}
    for (site, path), truth in crawl["web"].expected().items():
        assert found.get((site, path.lstrip("/"))) == truth, (site, path, crawl["columns"])


def test_the_other_lists_wait_for_the_render_that_teaches_them(crawl: dict[str, Any]) -> None:
    web, rendered, logs = crawl["web"], crawl["rendered"], crawl["logs"]
    for site, renders in ONE_PROCESS_RENDERS.items():
        assert 1 <= rendered.get(site, 0) <= WORKERS * renders, (site, rendered)
    columns = len(web.COLUMNS)
    # most lists of each site were read from their endpoints, not rendered
    assert sum(crawl_stat(log, "govsites/endpoints/read") for log in logs) >= 2 * columns - 6, rendered
    assert sum(crawl_stat(log, "govsites/scheduler/local") for log in logs) >= len(ONE_PROCESS_RENDERS)
    assert not any(crawl_stat(log, "govsites/scheduler/unserializable") for log in logs)
