"""The site spider: one class serves every registered site.

Callbacks only route: a response goes to the pure functions in :mod:`govsites.extract` and
:mod:`govsites.linkcheck.classify`, and what comes back becomes items and further requests. Per-site state
(caps, column candidates, URLs already checked, requests in flight) lives in a
:class:`~govsites.sitestate.SiteState` (in memory), or a :class:`~govsites.sitestate.RedisSiteState` shared by
the workers of a distributed crawl (``GOVSITES_DISTRIBUTED``, :mod:`govsites.distributed`).

Every request carries its ``site_id``; every callback and errback is wrapped by :func:`tracked`, which keeps
the count of the site's requests in flight and yields a :class:`~govsites.items.SiteDoneItem` when it drops
to zero, so each site is stored as complete the moment it is (an interrupted run resumes with the rest).
"""

from __future__ import annotations

import functools
import logging
import re
import secrets
import time
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure

from govsites.extract.columns import (
    CategoryTable,
    ColumnLink,
    article_date,
    discover_columns,
    sitemap_urls,
)
from govsites.extract.guides import GUIDE_ELEMENTS, guide_elements, guide_forms, is_guide_page
from govsites.extract.links import Link, extract_links, is_attachment, normalize_url, strip_session_id
from govsites.extract.listing import HomeBlock, ListEntry, ListPage, extract_blocks, extract_list
from govsites.extract.mailbox import Letter, extract_letters, is_excluded_column, letter_detail
from govsites.extract.page import Page
from govsites.extract.text import decode_body, title_and_text, visible_text
from govsites.items import (
    ColumnItem,
    GuideItem,
    LetterItem,
    LinkCheckItem,
    LinkRefItem,
    ListEntryItem,
    PageItem,
    ProbeItem,
    SiteDoneItem,
)
from govsites.linkcheck.classify import (
    classify_failure,
    is_broken,
    is_waf_challenge,
    looks_like_not_found,
    page_fingerprint,
)
from govsites.registry import Site, load_columns, load_sites
from govsites.rendering import RENDER_SLOT
from govsites.sitestate import SiteState
from govsites.store import now_iso

logger = logging.getLogger(__name__)

#: Every 4xx/5xx response reaches the callbacks (redirects are still followed, unlike handle_httpstatus_all).
ALL_ERROR_CODES = list(range(400, 600))
#: HEAD answers that are not trusted: the link is checked again with GET (headers only).
HEAD_RETRY_WITH_GET = frozenset(ALL_ERROR_CODES)

#: Link texts of site maps (网站地图): their pages are read for columns wherever they are linked.
SITEMAP_ANCHORS = frozenset({"网站地图", "站点地图", "网站导航", "sitemap", "Sitemap", "SiteMap"})

#: Where a column link was found that makes its page a column even when the page fails.
STRONG_COLUMN_LINKS = frozenset({"nav", "more", "tab", "sitemap", "pinned"})

#: Resolves once the page's DOM has stopped changing for 750 ms, or after 10 s: a list that polls forever
#: is still read (waiting for "network idle" would time out on it), and the wait itself never fails.
SETTLE_SCRIPT = """() => new Promise(resolve => {
  const size = () => (document.body ? document.body.innerHTML.length : 0);
  let last = size(), quiet = 0;
  const started = Date.now();
  const timer = setInterval(() => {
    const now = size();
    if (now === last) { quiet += 250; } else { quiet = 0; last = now; }
    if (quiet >= 750 || Date.now() - started > 10000) { clearInterval(timer); resolve(true); }
  }, 250);
})"""

PRIORITY_PROBE, PRIORITY_HOME, PRIORITY_COLUMN, PRIORITY_PAGE, PRIORITY_CHECK = 1000, 100, 50, 0, -10


@dataclass(frozen=True)
class CrawlConfig:
    max_depth: int = 3
    max_pages: int = 5000
    site_budget: float = 1800.0
    link_timeout: int = 15
    article_date_pages: int = 3
    render: bool = True
    probes: int = 0
    max_query_variants: int = 30
    soft404_probe: bool = True
    guide_pages: int = 30
    guide_elements: tuple[str, ...] = GUIDE_ELEMENTS


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def tracked(method: Callable[..., Iterable[Any]]) -> Callable[..., Iterator[Any]]:
    """Wrap a callback or errback: count the request as finished, report the site done when nothing is left.

    An exception inside the callback is logged and the crawl of the site goes on: one odd page must not
    keep a site from ever finishing.
    """

    @functools.wraps(method)
    def wrapper(self: SiteSpider, result: Response | Failure) -> Iterator[Any]:
        request = result.request  # type: ignore[union-attr]
        state = self.states.get(request.meta.get("site_id", "")) if request is not None else None
        try:
            yield from method(self, result)
        except Exception:
            logger.exception("处理 %s 时出错（已跳过该页）", getattr(request, "url", "?"))
        if state is not None:
            yield from self._finished_one(state)

    return wrapper


class SiteSpider(scrapy.Spider):
    """Crawl registered government sites: columns and their newest dates, link health, page text."""

    name = "govsites"
    fixed_site_ids: tuple[str, ...] = ()

    def __init__(self, *args: Any, mode: str = "crawl", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.mode = mode
        self.sites: list[Site] = []
        self.states: dict[str, SiteState] = {}
        self.as_of: date | None = None
        self.run_label = ""
        self.config = CrawlConfig()
        self.categories: CategoryTable | None = None
        # External URLs are checked once per run for all sites: a verdict, or the sites waiting for it.
        self.shared_checks: dict[str, LinkCheckItem | list[str]] = {}
        self.coordinator: Any = None  # govsites.distributed.Coordinator in distributed mode

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> SiteSpider:
        spider: SiteSpider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        registry = load_sites(settings.get("GOVSITES_SITES"))
        site_ids = list(cls.fixed_site_ids) or _split(kwargs.get("sites", "") or settings.get("GOVSITES_SITE_IDS"))
        counties = _split(kwargs.get("counties", "") or settings.get("GOVSITES_COUNTIES"))
        spider.sites = registry.select(site_ids, counties)
        for skipped in registry.skipped:
            logger.warning("登记表第 %d 行 %s（%s）没有首页网址，已跳过", skipped.line, skipped.site_id, skipped.name)
        pinned = load_columns(settings.get("GOVSITES_COLUMNS"), registry)
        spider.config = CrawlConfig(
            max_depth=settings.getint("GOVSITES_MAX_DEPTH"),
            max_pages=settings.getint("GOVSITES_MAX_PAGES"),
            site_budget=settings.getfloat("GOVSITES_SITE_BUDGET"),
            link_timeout=settings.getint("GOVSITES_LINK_TIMEOUT"),
            article_date_pages=settings.getint("GOVSITES_ARTICLE_DATE_PAGES"),
            render=settings.getbool("GOVSITES_RENDER_ENABLED"),
            probes=max(0, settings.getint("GOVSITES_PROBES")),
            max_query_variants=settings.getint("GOVSITES_MAX_QUERY_VARIANTS", 30),
            soft404_probe=settings.getbool("GOVSITES_SOFT404_PROBE", True),
            guide_pages=settings.getint("GOVSITES_GUIDE_PAGES", 30),
        )
        categories = Path(settings.get("GOVSITES_CATEGORIES"))
        spider.categories = CategoryTable.load(categories) if categories.exists() else CategoryTable.default()
        distributed = settings.get("GOVSITES_DISTRIBUTED") or ""
        if distributed and spider.mode == "crawl":
            from govsites.distributed import Coordinator
            from govsites.store import parse_as_of

            label = settings.get("GOVSITES_RUN") or parse_as_of(settings.get("GOVSITES_AS_OF") or "")
            spider.coordinator = Coordinator(distributed, label)
            spider.states = {s.site_id: spider.coordinator.site_state(s, pinned.get(s.site_id, []))
                             for s in spider.sites}
            return spider
        spider.states = {
            s.site_id: SiteState(site=s, pinned=pinned.get(s.site_id, []), hosts={s.host}) for s in spider.sites
        }
        return spider

    @property
    def today(self) -> date:
        return self.as_of or date.today()  # noqa: DTZ011 - evaluation dates are local calendar dates

    # -- start --------------------------------------------------------------------------------------
    async def start(self) -> AsyncIterator[scrapy.Request]:
        if self.mode == "probe":
            return
        if self.coordinator is not None and not self.coordinator.seeder:
            return  # another worker pushes the run's sites (govsites.distributed)
        for state in list(self.states.values()):
            state.add_inflight(self.config.probes)  # the probes (govsites.extensions.HomeProbes) count too
            state.claim(state.site.home_url)
            state.add_pages(1)
            yield self._page_request(state, state.site.home_url, depth=0, role="home", priority=PRIORITY_HOME)
            for pin in state.pinned:
                state.set_column(ColumnLink(pin.name, pin.url, "pinned"))
                state.claim(pin.url)
                state.add_pages(1)
                yield self._page_request(state, pin.url, depth=1, role="page", priority=PRIORITY_COLUMN,
                                         render=pin.render == "js")

    # -- requests -----------------------------------------------------------------------------------
    def _request(self, state: SiteState, url: str, callback: Callable[..., Any], errback: Callable[..., Any],
                 meta: dict[str, Any], priority: int, method: str = "GET") -> scrapy.Request:
        """Every request of a site goes through here: counted in flight, never dropped by the dupefilter
        (the spider itself checks each URL once per site)."""
        state.add_inflight(1)
        meta = {"site_id": state.site.site_id, "handle_httpstatus_list": ALL_ERROR_CODES,
                "download_timeout": self.config.link_timeout, **meta}
        if self.coordinator is not None:
            meta["gtag"] = self.coordinator.request_tag()
        return scrapy.Request(url, method=method, callback=callback, errback=errback, meta=meta,
                              priority=priority, dont_filter=True)

    def _page_request(self, state: SiteState, url: str, *, depth: int, role: str, priority: int,
                      render: bool = False, sitemap: bool = False) -> scrapy.Request:
        meta: dict[str, Any] = {"gdepth": depth, "role": role, "rendered": render, "sitemap": sitemap}
        if render:
            meta.update(self._render_meta())
        return self._request(state, url, self.parse_page, self.page_failed, meta, priority)

    def _render_meta(self) -> dict[str, Any]:
        from scrapy_playwright.page import PageMethod

        return {"playwright": True, "playwright_page_methods": [PageMethod("evaluate", SETTLE_SCRIPT)],
                "download_slot": RENDER_SLOT}

    def _check_request(self, state: SiteState, url: str, *, method: str = "HEAD",
                       shared: bool = False, read_body: bool = False) -> scrapy.Request:
        meta = {"role": "check_page" if read_body else "check", "headers_only": method == "GET" and not read_body,
                "shared": shared}
        return self._request(state, url, self.check_done, self.check_failed, meta, PRIORITY_CHECK, method)

    def _state(self, result: Response | Failure) -> SiteState:
        request = result.request  # type: ignore[union-attr]
        assert request is not None
        return self.states[request.meta["site_id"]]

    def _finished_one(self, state: SiteState) -> Iterator[SiteDoneItem]:
        if state.finish_one():
            yield SiteDoneItem(state.site.site_id, state.page_count())

    def _can_crawl(self, state: SiteState, depth: int, url: str) -> bool:
        if depth > self.config.max_depth or state.page_count() >= self.config.max_pages:
            return False
        if state.over_budget():
            return False
        parts = urlsplit(url)
        return state.variant_count(f"{parts.netloc}{parts.path}") < self.config.max_query_variants

    def _follow(self, state: SiteState, links: Iterable[Link], depth: int) -> Iterator[Any]:
        """Each distinct URL once per site: internal pages are crawled, everything else is checked."""
        links = list(links)
        for link, new in zip(links, state.claim_many(link.url for link in links), strict=True):
            if not new:
                continue
            scheme = urlsplit(link.url).scheme
            if scheme not in ("http", "https"):
                yield self._unfetchable(state, link.url, scheme)
                continue
            crawlable = link.kind == "page" and not is_attachment(link.url) and state.internal(link.url)
            is_column = crawlable and (state.is_column(link.url) or state.has_detail(link.url))  # beyond depth
            if crawlable and (self._can_crawl(state, depth, link.url)
                              or (is_column and state.page_count() < self.config.max_pages)):
                state.add_pages(1)
                parts = urlsplit(link.url)
                state.add_variant(f"{parts.netloc}{parts.path}")
                priority = PRIORITY_COLUMN if is_column else PRIORITY_PAGE - depth
                sitemap = link.anchor.strip() in SITEMAP_ANCHORS  # however deep it is linked, a site map names columns
                yield self._page_request(state, link.url, depth=depth, role="page", priority=priority,
                                         sitemap=sitemap)
            elif not state.internal(link.url):
                yield from self._shared_check(state, link.url)
            elif crawlable:
                # An internal page beyond the crawl's caps: only its body tells a soft 404 (a removed article
                # served as 200 "页面不存在"), so it is read — not crawled further — rather than asked for headers.
                yield self._check_request(state, link.url, method="GET", read_body=True)
            else:
                yield self._check_request(state, link.url)

    def _shared_check(self, state: SiteState, url: str) -> Iterator[Any]:
        """Check an external URL once per run; other sites linking to it get a copy of the verdict.

        Not in distributed mode: there each site checks the external URLs it links to itself (the verdicts
        are the same; only the number of requests to external hosts grows)."""
        if self.coordinator is not None:
            yield self._check_request(state, url)
            return
        shared = self.shared_checks.get(url)
        if shared is None:
            self.shared_checks[url] = []
            yield self._check_request(state, url, shared=True)
        elif isinstance(shared, LinkCheckItem):
            yield replace(shared, site_id=state.site.site_id)
        else:
            shared.append(state.site.site_id)
            state.add_inflight(1)  # waiting for another site's check of the same URL

    def _share_verdict(self, verdict: LinkCheckItem, request: scrapy.Request) -> Iterator[Any]:
        if not request.meta.get("shared"):
            return
        waiting = self.shared_checks.get(verdict.url)
        self.shared_checks[verdict.url] = verdict
        for site_id in waiting if isinstance(waiting, list) else []:
            other = self.states[site_id]
            yield replace(verdict, site_id=site_id)
            yield from self._finished_one(other)

    def _unfetchable(self, state: SiteState, url: str, scheme: str) -> LinkCheckItem:
        if scheme == "file":
            # A link into the editor's own disk (file:///C:/...): broken for every visitor.
            return LinkCheckItem(state.site.site_id, url, "error", "本地文件链接（file:），访问者无法打开", True,
                                 checked_at=now_iso())
        return LinkCheckItem(state.site.site_id, url, "skipped", f"未检查的协议 {scheme}:", False, checked_at=now_iso())

    # -- pages --------------------------------------------------------------------------------------
    @tracked
    def parse_page(self, response: Response) -> Iterator[Any]:
        state = self._state(response)
        meta = response.meta
        depth, role, rendered = meta["gdepth"], meta["role"], bool(meta.get("rendered"))
        request_url = origin_url(response.request) if response.request else response.url
        site_id = state.site.site_id
        if role == "home":
            state.set_home(response.url, (urlsplit(response.url).hostname or "").lower())
            state.start_budget(self.config.site_budget)
            if self.config.soft404_probe:
                yield self._notfound_request(state)
        html, encoding = decode_response(response)
        page = Page(html, response.url, self.today)
        title, text = (page.title, page.text) if html else ("", "")
        verdict = self._judge(state, response, html, title, text)
        checks = [] if rendered else [verdict]  # the page's own verdict travels with its page item
        if verdict.broken or verdict.status == "blocked" or not html:
            if verdict.broken:
                yield PageItem(site_id, request_url, response.url, verdict.status, "error", depth, rendered,
                               fetched_at=now_iso(), checks=checks)
                yield from self._unreachable_column(state, request_url)
            else:
                yield from checks
            return
        state.mark_parsed(request_url)
        if response.status == 200 and state.record_page_fp(request_url, page_fingerprint(text)) \
                and verdict.status != "soft_404":
            # The site's not-found page became known (on another worker) while this page was judged.
            yield self._late_soft_404(state, request_url)
        links = [self._canonical(link) for link in extract_links(html, response.url)]
        kind = role if role == "home" else "other"
        entries: list[ListEntry] = []
        stored: list[ListEntryItem] = []
        if role == "home":
            blocks = extract_blocks(page)
            entries = [entry for block in blocks for entry in block.entries]
            stored = [self._entry_item(state, state.site.home_url, entry) for entry in entries]
            self._home_blocks(state, blocks)
        if not state.pinned and self._names_columns(state, request_url, depth, response.meta):
            yield from self._register_columns(state, page, depth)
        column = state.column(request_url) or (state.column(response.url) if response.url != request_url else None)
        if column is not None and role != "home" and not state.column_is_done(column.url):
            listing = extract_list(page)
            entries = listing.entries
            outcome = list(self._column(state, column, listing, response, page))
            if any(isinstance(o, (ColumnItem, scrapy.Request)) for o in outcome):
                kind = "list"
            if state.column_is_done(column.url):
                stored = [self._entry_item(state, column.url, entry) for entry in entries]
            yield from outcome
        links += script_links(entries, links)
        yield from self._detail_items(state, request_url, page, links)
        # A page's link occurrences and list entries travel with it: one item per page, not one per link.
        refs = [LinkRefItem(site_id, link.url, response.url, link.anchor, link.tag) for link in links]
        yield PageItem(site_id, request_url, response.url, str(response.status), kind, depth, rendered,
                       title=title, encoding=encoding, fetched_at=now_iso(), text=text, refs=refs,
                       entries=stored, checks=checks,
                       elapsed_ms=int(1000 * float(response.meta.get("download_latency") or 0)))
        yield from self._follow(state, links, depth + 1)

    @staticmethod
    def _canonical(link: Link) -> Link:
        url = strip_session_id(link.url)
        return link if url == link.url else Link(url, link.anchor, link.tag, link.kind)

    def _judge(self, state: SiteState, response: Response, html: str, title: str = "",
               text: str = "") -> LinkCheckItem:
        """The verdict on a fetched page: its HTTP status, or blocked / soft_404 for what a status hides."""
        request = response.request
        url = origin_url(request) if request is not None else response.url
        status, reason = str(response.status), response_reason(response)
        headers = {k.decode("latin-1"): b", ".join(v).decode("latin-1") for k, v in response.headers.items()}
        if is_waf_challenge(response.status, headers, html):
            status, reason = "blocked", "防火墙/人机验证页面（未计为失效）"
        elif response.status == 200 and html and self._soft_404(state, title, text):
            status, reason = "soft_404", "页面显示“页面不存在”，但状态码为 200"
        return LinkCheckItem(state.site.site_id, url, status, reason, is_broken(status), final_url=response.url,
                             checked_at=now_iso())

    def _soft_404(self, state: SiteState, title: str, text: str) -> bool:
        if looks_like_not_found(title, text):
            return True
        known = state.notfound_fingerprint()
        return known is not None and page_fingerprint(text) == known

    def _notfound_request(self, state: SiteState) -> scrapy.Request:
        """Ask once per site for a path that cannot exist, to learn what its not-found page looks like."""
        parts = urlsplit(state.home_url_final() or state.site.home_url)
        url = f"{parts.scheme}://{parts.netloc}/govsites-{secrets.token_hex(6)}.html"
        return self._request(state, url, self.notfound_done, self.notfound_done, {"role": "notfound"},
                             PRIORITY_HOME)

    @tracked
    def notfound_done(self, result: Response | Failure) -> Iterator[Any]:
        state = self._state(result)
        if not isinstance(result, TextResponse) or result.status != 200:
            state.set_notfound_fp("")  # missing pages answer with an error status: HEAD checks suffice
            return
        notfound = page_fingerprint(visible_text(decode_response(result)[0]))
        for url, fingerprint in state.set_notfound_fp(notfound).items():
            if fingerprint == notfound:
                # Parsed before the site's not-found page was known: correct the verdict.
                yield self._late_soft_404(state, url)

    @staticmethod
    def _late_soft_404(state: SiteState, url: str) -> LinkCheckItem:
        return LinkCheckItem(state.site.site_id, url, "soft_404", "与本站“页面不存在”页面相同", True,
                             checked_at=now_iso())

    def _home_blocks(self, state: SiteState, blocks: list[HomeBlock]) -> None:
        """The home page's blocks name columns through their 更多 links."""
        for block in blocks:
            if block.more_url and not state.pinned and state.internal(block.more_url):
                state.add_column(ColumnLink(block.name, block.more_url, "more"))
                state.add_home_column(block.more_url)

    def _register_columns(self, state: SiteState, page: Page, depth: int) -> Iterator[scrapy.Request]:
        found = [c for c in discover_columns(page) if not state.is_column(c.url)]
        for candidate in found:
            state.set_column(candidate)
            if depth == 0:
                state.add_home_column(candidate.url)
            if state.was_parsed(candidate.url) and not state.column_is_done(candidate.url):
                # Parsed before anything named it a column: fetch it again for its list.
                yield self._page_request(state, candidate.url, depth=depth + 1, role="page",
                                         priority=PRIORITY_COLUMN)
        for sitemap in sitemap_urls(page):
            if state.internal(sitemap) and state.claim(sitemap):
                state.add_pages(1)
                yield self._page_request(state, sitemap, depth=depth + 1, role="page", priority=PRIORITY_COLUMN,
                                         sitemap=True)

    @staticmethod
    def _names_columns(state: SiteState, url: str, depth: int, meta: dict[str, Any]) -> bool:
        """Where columns are named: the home page and pages one click away (menus, 信息公开 directories),
        site maps, and column pages themselves (their secondary menus). Articles deeper in are not read for
        menus: they repeat the ones already read, and discovery is a fifth of a crawl's CPU."""
        return depth <= 1 or bool(meta.get("sitemap")) or state.is_column(url)

    def _column(self, state: SiteState, column: ColumnLink, listing: ListPage, response: Response,
                page: Page) -> Iterator[Any]:
        rendered = bool(response.meta.get("rendered"))
        pin = next((p for p in state.pinned if p.url == column.url), None)
        if not listing.entries and not listing.empty:
            wants_render = listing.needs_render or (pin is not None and pin.render == "js")
            if wants_render and not rendered and self.config.render:
                yield self._page_request(state, response.url, depth=response.meta["gdepth"], role="page",
                                         priority=PRIORITY_COLUMN, render=True)
                return
            if pin is None and not rendered:
                return  # not a list page: a content page is not a column
        if not state.mark_column_done(column.url):
            return  # another worker read this column's list at the same time
        category = self._column_category(state, column, listing)
        if category == "interaction":
            yield from self._letters(state, column, listing, page)
        elif category == "guide":
            yield from self._register_guides(state, column, listing)
        dated = [e for e in listing.entries if e.date is not None]
        if listing.entries and not dated and self.config.article_date_pages > 0:
            targets = [e.url for e in listing.entries[: self.config.article_date_pages]]
            yield self._article_date_request(state, column, listing, rendered, targets, [])
            return
        yield self._column_item(state, column, listing, rendered)

    def _column_item(self, state: SiteState, column: ColumnLink, listing: ListPage, rendered: bool,
                     article: date | None = None) -> ColumnItem:
        newest = listing.newest or article
        source = ""
        if listing.newest is not None:
            source = next(e.date_source for e in listing.entries if e.date == listing.newest)
        elif article is not None:
            source = "article"
        if not listing.entries:
            status = "blank"
        elif newest is None:
            status = "undated"
        else:
            status = "ok"
        name = column.name or listing.column_name
        category = self._column_category(state, column, listing)
        return ColumnItem(state.site.site_id, column.url, name, category, newest.isoformat() if newest else "",
                          len(listing.entries), status, source, column.found_by, rendered,
                          on_home=state.is_home_column(column.url))

    def _column_category(self, state: SiteState, column: ColumnLink, listing: ListPage) -> str:
        pin = next((p for p in state.pinned if p.url == column.url), None)
        if pin is not None and pin.category:
            return pin.category
        return self._categorize(column.name or listing.column_name)

    # -- interaction columns (letters) and service guides ---------------------------------------------
    def _letters(self, state: SiteState, column: ColumnLink, listing: ListPage, page: Page) -> Iterator[Any]:
        """Letters as the list shows them now; those without a status are refined from their detail page
        when it is parsed (the later row replaces the earlier one)."""
        name = column.name or listing.column_name
        excluded = is_excluded_column(name)
        for index, letter in enumerate(extract_letters(page)):
            url = normalize_url(letter.url) if letter.url else f"{column.url}#{index + 1}"
            item = letter_item(state.site.site_id, column.url, name, url, letter, excluded)
            yield item
            incomplete = letter.answered is None or letter.submitted is None or (
                letter.answered and letter.reply_date is None)
            if letter.url and incomplete:
                state.add_detail(url, "letter", item)
                if state.was_parsed(url):
                    yield self._page_request(state, url, depth=self.config.max_depth, role="page",
                                             priority=PRIORITY_PAGE)

    def _register_guides(self, state: SiteState, column: ColumnLink, listing: ListPage) -> Iterator[Any]:
        """A guide column's entries are judged as guides whenever their pages are parsed."""
        for entry in listing.entries[: self.config.guide_pages]:
            url = normalize_url(entry.url)
            state.add_detail(url, "guide", column.url)
            if state.was_parsed(url):
                yield self._page_request(state, url, depth=self.config.max_depth, role="page", priority=PRIORITY_PAGE)

    def _detail_items(self, state: SiteState, url: str, page: Page, links: list[Link]) -> Iterator[Any]:
        detail = state.pop_detail(url)
        if detail is None:
            return
        kind, data = detail
        page = page.at(url)  # a detail is known by the URL it was asked for
        if kind == "letter":
            listed: LetterItem = data  # type: ignore[assignment]
            letter = letter_detail(page)
            if letter is not None:
                yield merge_letter(listed, letter)
        elif is_guide_page(page):
            present, missing = guide_elements(page, self.config.guide_elements)
            forms = guide_forms(page)
            yield GuideItem(state.site.site_id, str(data), url, page.title, "|".join(present),
                            "|".join(missing), len(forms))

    def _categorize(self, name: str) -> str:
        assert self.categories is not None
        return self.categories.categorize(name)

    def _article_date_request(self, state: SiteState, column: ColumnLink, listing: ListPage, rendered: bool,
                              targets: list[str], found: list[date]) -> scrapy.Request:
        meta = {"role": "article_date", "column": column, "listing": listing, "rendered_list": rendered,
                "targets": targets[1:], "found": found}
        return self._request(state, targets[0], self.article_dated, self.article_dated, meta, PRIORITY_COLUMN)

    @tracked
    def article_dated(self, result: Response | Failure) -> Iterator[Any]:
        state = self._state(result)
        meta = result.request.meta  # type: ignore[union-attr]
        found: list[date] = list(meta["found"])
        if isinstance(result, TextResponse) and result.status < 400:
            when, _source = article_date(Page(decode_response(result)[0], result.url, self.today))
            if when is not None:
                found.append(when)
        if meta["targets"]:
            yield self._article_date_request(state, meta["column"], meta["listing"], meta["rendered_list"],
                                             meta["targets"], found)
            return
        yield self._column_item(state, meta["column"], meta["listing"], meta["rendered_list"],
                                article=max(found) if found else None)

    def _unreachable_column(self, state: SiteState, url: str) -> Iterator[ColumnItem]:
        column = state.column(url)
        if column is None or column.found_by not in STRONG_COLUMN_LINKS or not state.mark_column_done(column.url):
            return  # a plain link to a failing page is a broken link, not a column
        yield ColumnItem(state.site.site_id, column.url, column.name, self._categorize(column.name), "", 0,
                         "unreachable", "", column.found_by, on_home=state.is_home_column(column.url))

    def _entry_item(self, state: SiteState, column_url: str, entry: ListEntry) -> ListEntryItem:
        return ListEntryItem(state.site.site_id, column_url, entry.url, entry.title,
                             entry.date.isoformat() if entry.date else "", entry.date_source, entry.pinned)

    @tracked
    def page_failed(self, failure: Failure) -> Iterator[Any]:
        state = self._state(failure)
        request = failure.request  # type: ignore[attr-defined]
        status, reason = classify_failure(failure.value or Exception())
        url = origin_url(request)
        if request.meta.get("rendered"):
            logger.warning("渲染失败 %s：%s", url, reason)
            yield from self._unreachable_column(state, url)
            return
        yield PageItem(state.site.site_id, url, request.url, status, "error", request.meta["gdepth"],
                       fetched_at=now_iso())
        if request.meta["role"] == "home":
            # Not a link on any page: the site is unreachable, which the probes and the veto report.
            logger.warning("站点 %s 首页无法访问：%s %s", state.site.site_id, status, reason)
            return
        yield LinkCheckItem(state.site.site_id, url, status, reason, is_broken(status), final_url=request.url,
                            checked_at=now_iso())
        yield from self._unreachable_column(state, url)

    # -- link checks --------------------------------------------------------------------------------
    @tracked
    def check_done(self, response: Response) -> Iterator[Any]:
        request = response.request
        assert request is not None
        state = self._state(response)
        if request.method == "HEAD" and response.status in HEAD_RETRY_WITH_GET:
            yield self._check_request(state, origin_url(request), method="GET",
                                      shared=request.meta.get("shared", False))
            return
        html, _encoding = decode_response(response) if request.meta["role"] == "check_page" else ("", "")
        title, text = title_and_text(html) if html else ("", "")
        verdict = self._judge(state, response, html, title, text)
        yield verdict
        yield from self._share_verdict(verdict, request)

    @tracked
    def check_failed(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        status, reason = classify_failure(failure.value or Exception())
        verdict = LinkCheckItem(request.meta["site_id"], origin_url(request), status, reason, is_broken(status),
                                final_url=request.url, checked_at=now_iso())
        yield verdict
        yield from self._share_verdict(verdict, request)

    # -- home-page probes (scheduled by govsites.extensions.HomeProbes) -----------------------------
    @tracked
    def probe_done(self, response: Response) -> Iterator[ProbeItem]:
        meta = response.meta
        ok = response.status < 400
        yield ProbeItem(meta["site_id"], meta["probe_url"], meta["probed_at"], ok, str(response.status),
                        int(1000 * float(meta.get("download_latency", 0.0))), self._probe_source)

    @tracked
    def probe_failed(self, failure: Failure) -> Iterator[ProbeItem]:
        meta = failure.request.meta  # type: ignore[attr-defined]
        status, _reason = classify_failure(failure.value or Exception())
        elapsed = int(1000 * (time.monotonic() - meta["probe_started"]))
        yield ProbeItem(meta["site_id"], meta["probe_url"], meta["probed_at"], False, status, elapsed,
                        self._probe_source)

    @property
    def _probe_source(self) -> str:
        return "probe" if self.mode == "probe" else "crawl"


_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)


def decode_response(response: Response) -> tuple[str, str]:
    """A page's text and encoding. Raw pages are decoded by :func:`govsites.extract.text.decode_body`
    (header, then <meta>, then content; GBK family as GB18030; a declaration that fails falls back);
    pages rendered by the browser come back already decoded. Non-text answers give ``("", "")``."""
    if not isinstance(response, TextResponse):
        return "", ""
    if response.meta.get("rendered"):
        return response.text, response.encoding
    content_type = (response.headers.get("Content-Type") or b"").decode("latin-1")
    match = _CHARSET.search(content_type)
    return decode_body(response.body, match.group(1) if match else None)


def letter_item(site_id: str, column_url: str, column: str, url: str, letter: Letter,
                excluded: bool) -> LetterItem:
    answered = "" if letter.answered is None else ("true" if letter.answered else "false")
    return LetterItem(site_id, column_url, column, url, letter.title,
                      letter.submitted.isoformat() if letter.submitted else "", letter.status, answered,
                      letter.reply_date.isoformat() if letter.reply_date else "", excluded)


def merge_letter(listed: LetterItem, detail: Letter) -> LetterItem:
    """The list's row completed by what the detail page says (the detail page wins where it speaks)."""
    answered = listed.answered if detail.answered is None else ("true" if detail.answered else "false")
    return replace(
        listed,
        title=listed.title or detail.title,
        submitted_date=detail.submitted.isoformat() if detail.submitted else listed.submitted_date,
        status=detail.status or listed.status,
        answered=answered,
        reply_date=detail.reply_date.isoformat() if detail.reply_date else listed.reply_date,
    )


def script_links(entries: Iterable[ListEntry], links: list[Link]) -> list[Link]:
    """List items that exist only in scripts (JSON-in-script arrays, Hanweb datastore records) are links of
    the page too: visitors reach them once the script runs, so their articles are crawled and checked."""
    seen = {link.url for link in links}
    extra: list[Link] = []
    for entry in entries:
        if not entry.url:
            continue
        url = strip_session_id(normalize_url(entry.url))
        if url not in seen and urlsplit(url).scheme in ("http", "https"):
            seen.add(url)
            extra.append(Link(url, entry.title[:200], "script", "attachment" if is_attachment(url) else "page"))
    return extra


def origin_url(request: scrapy.Request) -> str:
    """The URL as the page linked it: the first of a redirect chain (verdicts belong to links, not hops)."""
    chain = request.meta.get("redirect_urls")
    return chain[0] if chain else request.url


def response_reason(response: Response) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(response.status).phrase
    except ValueError:
        return ""
