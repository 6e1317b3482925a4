"""Fixtures every test module may use, and the rule that skips ``shared`` tests in a user's clone.

Plain helpers (running ``python -m govsites``, reading CSVs and the store, building a crawler) are in
``tests/helpers.py``; import from there, never from a conftest.

In-process component tests (middlewares, extensions, pipelines) build a real, unstarted Scrapy ``Crawler`` with
``crawler_for`` (Scrapy's own ``scrapy.utils.test.get_crawler``), then the component with its ``from_crawler``,
and assert on what it returns and on ``crawler.stats``::

    def test_guard_counts(crawler_for: CrawlerFactory) -> None:
        crawler = crawler_for({"GOVSITES_SITES": str(registry)})
        guard = ScopeGuardMiddleware.from_crawler(crawler)
        ...
        assert crawler.stats.get_value("govsites/blocked_by_policy/private") == 1
"""

from __future__ import annotations

import pytest

from tests.helpers import SHARED, CrawlerFactory, component_crawler


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked ``shared`` read ``../shared/`` (real pages, the seed notice): skipped where it is absent."""
    if SHARED.is_dir():
        return
    skip = pytest.mark.skip(reason="../shared/ is not beside the repository (a user's clone): real-data test skipped")
    for item in items:
        if item.get_closest_marker("shared"):
            item.add_marker(skip)


@pytest.fixture
def crawler_for() -> CrawlerFactory:
    """``crawler_for(settings=None, spidercls=ComponentSpider, *, project=False, **spider_kwargs) -> Crawler``:
    see :func:`tests.helpers.component_crawler`."""
    return component_crawler
