"""Per-site crawl caps as a spider middleware: pages, link depth, query variants of one path, time budget.

The spider marks each request for a new page of a site with ``request.meta[CAPS]`` (which caps apply) and
``request.meta["gdepth"]`` (its link depth); :class:`CrawlCapsMiddleware` counts the pages it lets through and
refuses the ones beyond a cap:

* :data:`ALL_CAPS` — a link found on a page: at most ``GOVSITES_MAX_PAGES`` pages per site, links at most
  ``GOVSITES_MAX_DEPTH`` deep, at most ``GOVSITES_MAX_QUERY_VARIANTS`` pages per path (calendar traps), and none
  once the site's ``GOVSITES_SITE_BUDGET`` seconds (counted from its home page's answer) are spent;
* :data:`LISTED` — a link a visitor follows from a column's list items, its pagination or a site map (an
  article such as ``show.asp?id=123``): every cap but the query-variant one, which guards only against traps
  (calendars, sort/filter permutations, endlessly growing queries) found elsewhere on pages;
* :data:`PAGE_CAP_ONLY` — a link to a known column, letter or guide page: only the page cap applies;
* :data:`NO_CAP` — the home page, pinned columns and site maps: counted as pages, never refused.

Stable caps (``GOVSITES_STABLE_CAPS``, on by default): which pages a cap lets through must not depend on which
answer came first (two crawls of an unchanged web at different concurrency or delay, or by one process and by
several workers, give the same findings). New pages subject to a cap are therefore *held* until the site has no
page in flight (the site is quiet: every page found so far has been parsed); then the held pages are decided
together, in order of link depth then URL, each with its best route (the least depth any page linked it at, and
listed when any list named it), and the admitted ones are crawled — a round at a time, a deterministic
breadth-first crawl. Pages not subject to a cap (home page, pinned columns, site maps) and link checks are never
held. The time budget is the one cap that is a matter of timing by its nature.

In a distributed crawl (:mod:`govsites.distributed`) the held pages and their routes live in the site's Redis
state, as Scrapy's dicts of the requests (:class:`RequestCodec`): any worker holds, and the worker that sees the
site quiet decides, with the same counts every worker reads. Without this a page was decided by the first route
any worker found: an article first reached through a related-article link could be refused by the query-variant
cap and then, when a list named it, was claimed already — the workers' timing decided which articles were read.

A refused page is not simply lost: the spider's ``beyond_caps(request)`` gives what replaces it (the spider
reads such a page once for its verdict, as only its body tells a soft 404) or None to drop it. Each refusal is
counted in the stats as ``govsites/capped/<reason>`` and ``govsites/capped/<reason>/<site_id>``, and logged
once per site and reason.
"""

from __future__ import annotations

import logging
import pickle
from collections.abc import AsyncIterator, Callable
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.http import Response
from scrapy.utils.request import request_from_dict

from govsites.config import GovsitesConfig
from govsites.distributed import UNSERIALIZABLE
from govsites.lifecycle import RunContext, RunStrategy, run_opened
from govsites.requestdicts import request_dict
from govsites.sitestate import CapCounts, SiteState, state_lookup

logger = logging.getLogger(__name__)

CAPS = "caps"
#: ``request.meta`` flag of a page the caps decided on when its site was quiet: passed on as is.
DECIDED = "caps_decided"
ALL_CAPS = "all"
PAGE_CAP_ONLY = "pages"
LISTED = "listed"
NO_CAP = "none"

#: Pages of a distributed crawl decided as they arrived: they could not be kept in Redis until their site was quiet.
NOT_HELD_STAT = "govsites/capped/not_held"

#: Why a page was refused (the stats' ``<reason>``), as the log says it.
REASONS = {
    "pages": "每站页面数上限",
    "depth": "链接深度上限",
    "budget": "每站抓取时间预算",
    "query_variants": "同一路径的查询参数变体上限",
}


def with_route(request: Request, depth: int, listed: bool) -> Request:
    """``request`` by its best route: the least depth it was linked at; listed when any list named it."""
    caps = LISTED if listed and request.meta[CAPS] == ALL_CAPS else request.meta[CAPS]
    if depth == request.meta.get("gdepth") and caps == request.meta[CAPS]:
        return request
    return request.replace(meta={**request.meta, "gdepth": depth, CAPS: caps})


class RequestCodec:
    """Held requests as a shared state keeps them (a distributed crawl: bytes in Redis): Scrapy's dicts of the
    requests, their callbacks named by the spider's methods, pickled, as scrapy-redis queues them."""

    def __init__(self, spider: Any) -> None:
        self.spider = spider

    def encode(self, request: Request) -> bytes:
        """Raises one of :data:`~govsites.distributed.UNSERIALIZABLE` for a request that cannot be kept so."""
        return pickle.dumps(request_dict(request, self.spider), protocol=pickle.HIGHEST_PROTOCOL)

    def decode(self, data: bytes) -> Request:
        return request_from_dict(pickle.loads(data), spider=self.spider)  # noqa: S301 - our own requests


def held_key(request: Request) -> str:
    """A held request's name: its address, and a POST's body (the pages of a list's data endpoint may differ in
    the body alone)."""
    if request.method == "GET":
        return request.url
    return f"{request.method} {request.url} {request.body.decode('utf-8', 'replace')}"


def path_key(url: str) -> str:
    """What query variants share: host and path."""
    parts = urlsplit(url)
    return f"{parts.netloc}{parts.path}"


class CrawlCapsMiddleware:
    """Spider middleware applying the per-site caps (see the module docstring)."""

    def __init__(
        self,
        *,
        max_depth: int,
        max_pages: int,
        max_query_variants: int,
        site_budget: float,
        states: Callable[[str], SiteState | None],
        beyond_caps: Callable[[Request], Request | None] | None = None,
        stats: Any = None,
        stable: bool = False,
        codec: RequestCodec | None = None,
    ) -> None:
        self.max_depth = max_depth
        self.max_pages = max_pages
        self.max_query_variants = max_query_variants
        self.site_budget = site_budget
        self.states = states
        self.beyond_caps = beyond_caps
        self.stats = stats
        self.stable = stable
        self.codec = codec
        self.logged: set[tuple[str, str]] = set()

    @classmethod
    def from_crawler(cls, crawler: Any) -> CrawlCapsMiddleware:
        config = GovsitesConfig.from_settings(crawler.settings)
        middleware = cls(
            max_depth=config.max_depth,
            max_pages=config.max_pages,
            max_query_variants=config.max_query_variants,
            site_budget=config.site_budget,
            states=state_lookup(crawler.spider),
            beyond_caps=getattr(crawler.spider, "beyond_caps", None),
            stats=crawler.stats,
            stable=config.stable_caps,
            codec=RequestCodec(crawler.spider) if config.distributed else None,
        )
        crawler.signals.connect(middleware.run_opened, signal=run_opened)
        return middleware

    def run_opened(self, run: RunContext, strategy: RunStrategy) -> None:
        """Every site's state decides its held pages here, also one this process held none of: in a distributed
        crawl the worker that sees a site quiet may not be one that held its pages. (The spider's own handler,
        connected when the spider was built, before its middlewares, has made the run's states by now.)"""
        del strategy
        if self.stable:
            for site_id in run.site_ids:
                state = self.states(site_id)
                if state is not None:
                    state.on_quiet = self.release

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        async for out in self._admitted(start):
            yield out

    async def process_spider_output(self, response: Response, result: AsyncIterator[Any]) -> AsyncIterator[Any]:
        if response.meta.get("role") == "home":
            state = self.states(response.meta.get("site_id", ""))
            if state is not None:
                state.start_budget(self.site_budget)
        async for out in self._admitted(result):
            yield out

    async def _admitted(self, results: AsyncIterator[Any]) -> AsyncIterator[Any]:
        async for out in results:
            capped = isinstance(out, Request) and out.meta.get(CAPS) and not out.meta.get(DECIDED)
            admitted = self.arrived(out) if capped else out
            if admitted is not None:
                yield admitted

    def arrived(self, request: Request) -> Request | None:
        """A new page the spider asks for: decided now, or held until its site is quiet (stable caps)."""
        state = self.states(request.meta.get("site_id", ""))
        if not self.stable or state is None or request.meta[CAPS] == NO_CAP:
            return self.admit(request)
        route = (int(request.meta.get("gdepth", 0)), request.meta[CAPS] == LISTED)
        kept: Any = request
        if self.codec is not None:
            try:
                kept = self.codec.encode(request)
            except UNSERIALIZABLE as error:
                self.not_held(request, error)
                return self.admit(request)
        state.hold(held_key(request), kept, route, self.release)
        return None

    def not_held(self, request: Request, error: Exception) -> None:
        """A page that cannot be kept in the shared state is decided as it arrives (counted, logged once)."""
        if self.stats is not None:
            self.stats.inc_value(NOT_HELD_STAT)
        if ("", NOT_HELD_STAT) not in self.logged:
            self.logged.add(("", NOT_HELD_STAT))
            logger.warning(
                "页面 %s 无法保存到共享状态（%s: %s），按到达顺序决定是否抓取（同类情况计入统计 %s）",
                request.url,
                type(error).__name__,
                error,
                NOT_HELD_STAT,
            )

    def release(self, state: SiteState) -> list[Request]:
        """The site is quiet: its held pages decided in order of depth then URL (see the module docstring)."""
        held = [with_route(self.unkept(kept), depth, listed) for kept, (depth, listed) in state.take_held()]
        held.sort(key=lambda r: (int(r.meta.get("gdepth", 0)), r.url))
        counts = state.cap_counts(path_key(r.url) for r in held)  # read once for the round (one round trip)
        released = [out for out in (self.admit(r, counts) for r in held) if out is not None]
        for out in released:
            out.meta[DECIDED] = True  # may leave in another site's output (a shared check's answer): not held again
        return released

    def unkept(self, kept: Any) -> Request:
        """A held request as the site's state gave it back."""
        return self.codec.decode(kept) if self.codec is not None else kept

    def admit(self, request: Request, counts: CapCounts | None = None) -> Request | None:
        """``request`` when it is within the caps (it is then counted), else what replaces it; ``counts``: the
        site's counts read for a round of decisions (None: read from the state)."""
        site_id = request.meta.get("site_id", "")
        state = self.states(site_id)
        if state is None:
            return request
        caps = request.meta[CAPS]
        if caps == NO_CAP:
            state.add_pages(1)
            return request
        key = path_key(request.url)
        depth = int(request.meta.get("gdepth", 0))
        reason = self.refusal(state, key, depth, caps == PAGE_CAP_ONLY, variants=caps != LISTED, counts=counts)
        if reason is None:
            state.add_pages(1)
            state.add_variant(key)
            if counts is not None:
                counts.admitted(key)
            return request
        state.add_capped()
        self.refused(site_id, reason)
        return self.beyond_caps(request) if self.beyond_caps is not None else None

    def refusal(
        self,
        state: SiteState,
        key: str,
        depth: int,
        page_cap_only: bool,
        *,
        variants: bool = True,
        counts: CapCounts | None = None,
    ) -> str | None:
        """The cap a new page would exceed (a key of :data:`REASONS`), or None when it is within them all;
        ``variants``: whether the query-variant cap applies (not to listed articles); ``counts``: as in
        :meth:`admit`."""
        pages = counts.pages if counts is not None else state.page_count()
        if pages >= self.max_pages:
            return "pages"
        if page_cap_only:
            return None
        if depth > self.max_depth:
            return "depth"
        if state.over_budget():
            return "budget"
        if not variants:
            return None
        of_key = counts.variants.get(key, 0) if counts is not None else state.variant_count(key)
        return "query_variants" if of_key >= self.max_query_variants else None

    def refused(self, site_id: str, reason: str) -> None:
        if self.stats is not None:
            self.stats.inc_value(f"govsites/capped/{reason}")
            self.stats.inc_value(f"govsites/capped/{reason}/{site_id}")
        if (site_id, reason) not in self.logged:
            self.logged.add((site_id, reason))
            logger.info("站点 %s 达到%s：超出的页面只检查链接，不再抓取", site_id, REASONS[reason])
