"""The in-process component scaffolding of tests/conftest.py (``crawler_for``) on a real govsites component:
the scope guard built by its own ``from_crawler``, refusing requests and counting them in ``crawler.stats``."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest

from govsites.middlewares import ScopeGuardMiddleware
from govsites.registry import write_sites
from tests.helpers import ComponentSpider, CrawlerFactory


def registry(tmp_path: Path) -> Path:
    row = {
        "site_id": "intranet",
        "name": "内网县人民政府",
        "group": "county",
        "county": "内网县",
        "home_url": "http://10.1.2.3/",
    }
    return write_sites(tmp_path / "sites.csv", [row])


def test_crawler_has_settings_stats_and_spider(crawler_for: CrawlerFactory, tmp_path: Path) -> None:
    crawler = crawler_for({"GOVSITES_SITES": str(registry(tmp_path))})
    assert crawler.settings.get("GOVSITES_SITES") == str(tmp_path / "sites.csv")
    assert isinstance(crawler.spider, ComponentSpider)
    assert crawler.spider.crawler is crawler
    assert crawler.stats is not None
    crawler.stats.inc_value("govsites/test")
    assert crawler.stats.get_value("govsites/test") == 1


def test_project_settings_underlie_the_given_ones(crawler_for: CrawlerFactory) -> None:
    crawler = crawler_for({"GOVSITES_MAX_DEPTH": 1}, project=True)
    assert crawler.settings.get("BOT_NAME") == "govsites"
    assert crawler.settings.getint("GOVSITES_MAX_DEPTH") == 1
    assert crawler_for().settings.get("BOT_NAME") == "scrapybot"  # Scrapy's defaults without project=True


def test_scope_guard_refuses_and_counts(crawler_for: CrawlerFactory, tmp_path: Path) -> None:
    crawler = crawler_for({"GOVSITES_SITES": str(registry(tmp_path)), "GOVSITES_ALLOW_PRIVATE": False})
    guard = ScopeGuardMiddleware.from_crawler(crawler)
    assert guard.process_request(Request("http://10.1.2.3/news/")) is None  # a registered intranet site
    with pytest.raises(IgnoreRequest):
        guard.process_request(Request("http://192.168.0.1/admin/"))
    with pytest.raises(IgnoreRequest):
        guard.process_request(Request("ftp://10.1.2.3/file"))
    blocked = {k: v for k, v in crawler.stats.get_stats().items() if k.startswith("govsites/blocked_by_policy/")}
    assert sum(blocked.values()) == 2, blocked
    assert blocked.get("govsites/blocked_by_policy/private") == 1, blocked
