"""The crawl's stats collector (govsites.stats.PlainStats): Scrapy's in-memory stats, the same values, without the
per-access shim; the project's crawls use it."""

from __future__ import annotations

import warnings

from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.project import get_project_settings
from scrapy.utils.test import get_crawler

from govsites.stats import PlainStats


def exercise(stats: MemoryStatsCollector) -> dict[str, object]:
    stats.open_spider()
    stats.inc_value("govsites/a")
    stats.inc_value("govsites/a", 2)
    stats.inc_value("govsites/b", start=10)
    stats.set_value("govsites/c", "x")
    stats.max_value("govsites/d", 3)
    stats.max_value("govsites/d", 1)
    stats.min_value("govsites/e", 3)
    stats.min_value("govsites/e", 1)
    return dict(stats.get_stats())


def test_plain_stats_keep_what_scrapys_stats_keep() -> None:
    crawler = get_crawler()
    plain = exercise(PlainStats(crawler))
    assert plain == exercise(MemoryStatsCollector(crawler))
    assert plain == {"govsites/a": 3, "govsites/b": 11, "govsites/c": "x", "govsites/d": 3, "govsites/e": 1}


def test_a_stats_method_is_the_class_own_not_a_wrapper_made_per_access() -> None:
    stats = PlainStats(get_crawler())
    assert stats.inc_value.__func__ is MemoryStatsCollector.inc_value  # type: ignore[attr-defined]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        stats.inc_value("govsites/a", spider=None)  # accepted and ignored, as Scrapy ignores it
    assert stats.get_value("govsites/a") == 1


def test_the_project_crawls_with_plain_stats() -> None:
    assert get_project_settings()["STATS_CLASS"] == "govsites.stats.PlainStats"
