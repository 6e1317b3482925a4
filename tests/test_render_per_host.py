"""A host gets at most ``GOVSITES_RENDER_PER_HOST`` browser page loads at a time (:mod:`govsites.downloader`).

The browser's slot holds every site's renders, ``GOVSITES_RENDER_PAGES`` (16) at a time; before, one site whose
lists all needed the browser got up to 16 page loads at once on its server, besides its plain requests. The crawls
here (``python -m govsites crawl``, Debian's Chromium) read :class:`tests.webs.unbuilt.BusyRenderWeb`: six
script-filled lists on one host, their endpoint not learned (``GOVSITES_ENDPOINTS_ENABLED=0``), so each list is
rendered (the home page runs no script); every browser navigation takes 2 s, so that loads let through at once
overlap on a busy machine too, and the server records the most it had at once.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy import Request

from govsites.downloader import PriorityOrder
from tests.helpers import crawl_rows, crawl_stat, needs_chromium
from tests.webs.unbuilt import AS_OF, BusyRenderWeb

#: Every list rendered (no endpoint learned), no render kept from a crawl before.
ALL_RENDERED = {"GOVSITES_ENDPOINTS_ENABLED": "0", "GOVSITES_RENDER_REUSE_ENABLED": "0"}


def crawl(tmp: Path, **env: str) -> tuple[BusyRenderWeb, str]:
    with BusyRenderWeb() as web:
        done, _db = crawl_rows(web.registry_rows(), tmp, "busy", AS_OF, **ALL_RENDERED, **env)
    assert done.returncode == 0, done.stderr[-3000:]
    return web, done.stderr


@needs_chromium
def test_a_host_gets_at_most_two_browser_page_loads_at_a_time(tmp_path: Path) -> None:
    web, log = crawl(tmp_path)
    assert web.navigations >= len(web.COLUMNS)  # every list was rendered (the home page runs no script)
    assert 1 <= web.most_navigating <= 2  # never more than two at a time
    assert crawl_stat(log, "govsites/render/host_waits") >= 1  # the renders held back were counted


@needs_chromium
def test_without_the_bound_the_host_got_more(tmp_path: Path) -> None:
    """The measure above can see more than two: with the bound lifted to the browser's pages it does."""
    web, log = crawl(tmp_path, GOVSITES_RENDER_PER_HOST="16")
    assert web.most_navigating > 2, web.most_navigating
    assert crawl_stat(log, "govsites/render/host_waits") == 0


def queued(url: str, priority: int = 0) -> tuple[Request, object]:
    return Request(url, priority=priority), object()


def test_take_gives_the_first_allowed_entry_in_priority_order_and_names_those_passed_over() -> None:
    queue = PriorityOrder(
        iter([queued("http://a/1", 5), queued("http://a/2", 5), queued("http://b/1", 1), queued("http://c/1", 9)])
    )
    entry, passed = queue.take(lambda request: not request.url.startswith("http://c/"))
    assert entry is not None
    assert entry[0].url == "http://a/1"
    assert [request.url for request in passed] == ["http://c/1"]
    entry, passed = queue.take(lambda request: request.url.startswith("http://b/"))
    assert entry is not None
    assert entry[0].url == "http://b/1"
    assert [request.url for request in passed] == ["http://c/1", "http://a/2"]
    assert [request.url for request, _ in queue] == ["http://c/1", "http://a/2"]  # the rest, still in order
    entry, passed = queue.take(lambda request: False)
    assert entry is None
    assert len(passed) == len(queue) == 2


@pytest.mark.parametrize("hosts", [1, 3])
def test_take_never_loses_an_entry(hosts: int) -> None:
    queue = PriorityOrder(iter([queued(f"http://h{i % hosts}/{i}", i % 4) for i in range(40)]))
    taken = []
    while queue:
        entry, _ = queue.take(lambda request: True)
        assert entry is not None
        taken.append(entry[0])
    assert sorted(request.url for request in taken) == sorted(f"http://h{i % hosts}/{i}" for i in range(40))
    assert [request.priority for request in taken] == sorted((request.priority for request in taken), reverse=True)
