"""What every govsites spider shares: the registered sites it works on, their state, home-page probe answers.

The sites are the registry's (``GOVSITES_SITES``), or the subset chosen by ``GOVSITES_SITE_IDS`` /
``GOVSITES_COUNTIES`` (or the ``sites`` / ``counties`` spider arguments). Per-site state lives in a
:class:`~govsites.sitestate.SiteState` (in memory), or a :class:`~govsites.sitestate.RedisSiteState` shared by
the workers of a distributed crawl (``GOVSITES_DISTRIBUTED``, :mod:`govsites.distributed`). Which of the chosen
sites this crawl takes, their state and the evaluation date come from the run the run lifecycle publishes
(:class:`govsites.extensions.RunLifecycle`, :data:`govsites.lifecycle.run_opened`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any, ClassVar

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from govsites.config import GovsitesConfig, split_list
from govsites.inflight import finishes_request
from govsites.items import ProbeItem
from govsites.lifecycle import LocalStrategy, RunContext, RunStrategy, run_opened
from govsites.linkcheck.classify import classify_failure
from govsites.registry import PinnedColumn, Site, load_columns, load_sites
from govsites.sitestate import SiteState
from govsites.spiders.requests import ALL_ERROR_CODES

logger = logging.getLogger(__name__)


class RegisteredSitesSpider(scrapy.Spider):
    """Base of :class:`~govsites.spiders.site.SiteSpider` and :class:`~govsites.spiders.probe.ProbeSpider`."""

    #: ``crawl`` or ``probe``: read by the store pipeline and the extensions.
    mode: ClassVar[str] = "crawl"
    #: Written into each probe's row: a crawl's probes, or a probe round's (`make probe`).
    probe_source: ClassVar[str] = "crawl"
    #: Whether ``GOVSITES_DISTRIBUTED`` shares the site state through Redis.
    distributable: ClassVar[bool] = False
    fixed_site_ids: tuple[str, ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sites: list[Site] = []
        self.states: dict[str, SiteState] = {}
        self.as_of: date | None = None
        self.run_label = ""
        self.config = GovsitesConfig()
        self.pinned: dict[str, list[PinnedColumn]] = {}
        self.seeder = True  # this process pushes the sites' first requests (see govsites.lifecycle.RunContext)
        self.strategy: RunStrategy = LocalStrategy(self.config)  # the run's, once it is open

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> Any:
        spider = super().from_crawler(crawler, *args, **kwargs)
        config = GovsitesConfig.from_settings(crawler.settings)
        spider.config = config
        registry = load_sites(config.sites)
        site_ids = list(cls.fixed_site_ids) or split_list(kwargs.get("sites", "") or config.site_ids)
        counties = split_list(kwargs.get("counties", "") or config.counties)
        spider.sites = registry.select(site_ids, counties)
        for skipped in registry.skipped:
            logger.warning("登记表第 %d 行 %s（%s）没有首页网址，已跳过", skipped.line, skipped.site_id, skipped.name)
        spider.pinned = load_columns(config.columns, registry)
        spider.strategy = LocalStrategy(config)
        spider.states = {
            s.site_id: spider.strategy.site_state(s, spider.pinned.get(s.site_id, [])) for s in spider.sites
        }
        # The run lifecycle (govsites.extensions.RunLifecycle) says which of the chosen sites this crawl takes, and
        # their state (in memory, or shared by the workers of a distributed crawl).
        crawler.signals.connect(spider.run_opened, signal=run_opened)
        return spider

    def run_opened(self, run: RunContext, strategy: RunStrategy) -> None:
        """The run is open: its evaluation date, and the sites to crawl with their state."""
        self.as_of, self.run_label, self.seeder, self.strategy = run.as_of, run.label, run.seeder, strategy
        self.sites = [site for site in self.sites if site.site_id in run.site_ids]
        self.states = {s.site_id: strategy.site_state(s, self.pinned.get(s.site_id, [])) for s in self.sites}

    @property
    def today(self) -> date:
        return self.as_of or date.today()  # noqa: DTZ011 - evaluation dates are local calendar dates

    def state_of(self, result: Response | Failure) -> SiteState:
        """The state of the site a response or failure belongs to."""
        request = result.request  # type: ignore[union-attr]
        assert request is not None
        return self.states[request.meta["site_id"]]

    def count(self, key: str, n: int = 1) -> None:
        """Add ``n`` to the crawl's stat ``govsites/<key>``."""
        if self.crawler is not None and self.crawler.stats is not None:
            self.crawler.stats.inc_value(f"govsites/{key}", n)

    def site_request(
        self,
        state: SiteState,
        url: str,
        callback: Callable[..., Any],
        errback: Callable[..., Any],
        *,
        role: str,
        priority: int,
        method: str = "GET",
        body: str = "",
        headers: dict[str, str] | None = None,
        meta: dict[str, Any] | None = None,
        cb_kwargs: dict[str, Any] | None = None,
    ) -> scrapy.Request:
        """Every request of a site is built here (meta: see :mod:`govsites.spiders.requests`); none is dropped by
        the dupefilter. Parts of the spider may ask for one address each (a page, its date, its link check): the
        download is shared (:mod:`govsites.sharedanswers`)."""
        meta = {
            "site_id": state.site.site_id,
            "role": role,
            "handle_httpstatus_list": ALL_ERROR_CODES,
            "download_timeout": self.config.link_timeout,
            **(meta or {}),
        }
        tag = self.strategy.request_tag()
        if tag is not None:
            meta["gtag"] = tag
        return scrapy.Request(
            url,
            method=method,
            body=body,
            headers=headers,
            callback=callback,
            errback=errback,
            meta=meta,
            cb_kwargs=cb_kwargs or {},
            priority=priority,
            dont_filter=True,
        )

    # -- home-page probes (scheduled by govsites.extensions.HomeProbes) -----------------------------
    def probe_done(
        self, response: Response, probe_url: str, probed_at: str, probe_started: float
    ) -> Iterator[ProbeItem]:
        yield ProbeItem(
            site_id=response.meta["site_id"],
            url=probe_url,
            probed_at=probed_at,
            ok=response.status < 400,
            status=str(response.status),
            elapsed_ms=int(1000 * float(response.meta.get("download_latency", 0.0))),
            source=self.probe_source,
        )

    @finishes_request
    def probe_failed(self, failure: Failure) -> Iterator[ProbeItem]:
        request = failure.request  # type: ignore[attr-defined]
        status, _reason = classify_failure(failure.value or Exception())
        elapsed = int(1000 * (time.monotonic() - request.cb_kwargs["probe_started"]))
        yield ProbeItem(
            site_id=request.meta["site_id"],
            url=request.cb_kwargs["probe_url"],
            probed_at=request.cb_kwargs["probed_at"],
            ok=False,
            status=status,
            elapsed_ms=elapsed,
            source=self.probe_source,
        )
