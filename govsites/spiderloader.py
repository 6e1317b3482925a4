"""A spider loader that makes one spider per registry row.

``scrapy list`` prints every ``site_id`` of the registry (``GOVSITES_SITES``); ``scrapy crawl <site_id>``
crawls that site alone. The spider named ``govsites`` crawls all of them (or the subset chosen with
``GOVSITES_SITE_IDS`` / ``GOVSITES_COUNTIES``) in one process; ``govsites-probe`` only probes their home pages.
"""

from __future__ import annotations

import builtins
from typing import Any

from scrapy.settings import BaseSettings

from govsites.registry import Registry, load_sites
from govsites.spiders.probe import ProbeSpider
from govsites.spiders.site import SiteSpider
from govsites.spiders.sites import RegisteredSitesSpider


class SiteSpiderLoader:
    def __init__(self, settings: BaseSettings) -> None:
        self.registry: Registry = load_sites(settings.get("GOVSITES_SITES"))

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> SiteSpiderLoader:
        return cls(settings)

    def list(self) -> list[str]:
        return [site.site_id for site in self.registry.sites]

    def load(self, spider_name: str) -> type[RegisteredSitesSpider]:
        if spider_name == SiteSpider.name:
            return SiteSpider
        if spider_name == ProbeSpider.name:
            return ProbeSpider
        if spider_name not in self.list():
            raise KeyError(f"Spider not found: {spider_name}")
        attrs: dict[str, Any] = {"name": spider_name, "fixed_site_ids": (spider_name,)}
        return type(f"SiteSpider_{spider_name}", (SiteSpider,), attrs)

    def find_by_request(self, request: Any) -> builtins.list[str]:
        return []
