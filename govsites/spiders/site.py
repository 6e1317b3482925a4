"""The site spider: one class serves every registered site.

Callbacks only route: a response goes to the pure functions in :mod:`govsites.extract`, and what comes back
becomes items and further requests. Per-site state (caps, column candidates, URLs already checked) lives in
:class:`SiteState`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import scrapy
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure

from govsites.extract.columns import CategoryTable, ColumnLink, article_date, discover_columns, sitemap_urls
from govsites.extract.links import Link, extract_links, is_attachment, same_site
from govsites.extract.listing import ListEntry, ListPage, extract_blocks, extract_list
from govsites.extract.text import page_title, visible_text
from govsites.items import ColumnItem, LinkCheckItem, LinkRefItem, ListEntryItem, PageItem, ProbeItem
from govsites.linkcheck.classify import classify_failure, is_broken
from govsites.registry import PinnedColumn, Site, load_columns, load_sites
from govsites.store import now_iso

logger = logging.getLogger(__name__)

#: Every 4xx/5xx response reaches the callbacks (redirects are still followed, unlike handle_httpstatus_all).
ALL_ERROR_CODES = list(range(400, 600))
#: HEAD answers that are not trusted: the link is checked again with GET (headers only).
HEAD_RETRY_WITH_GET = frozenset(ALL_ERROR_CODES)

#: Where a column link was found that makes its page a column even when the page fails.
STRONG_COLUMN_LINKS = frozenset({"nav", "more", "tab", "sitemap", "pinned"})

PRIORITY_PROBE, PRIORITY_HOME, PRIORITY_COLUMN, PRIORITY_PAGE, PRIORITY_CHECK = 1000, 100, 50, 0, -10


@dataclass(frozen=True)
class CrawlConfig:
    max_depth: int = 3
    max_pages: int = 5000
    site_budget: float = 1800.0
    link_timeout: int = 15
    article_date_pages: int = 3
    render: bool = True


@dataclass
class SiteState:
    site: Site
    deadline: float
    pinned: list[PinnedColumn] = field(default_factory=list)
    pages: int = 0
    checked: set[str] = field(default_factory=set)
    parsed: set[str] = field(default_factory=set)
    columns: dict[str, ColumnLink] = field(default_factory=dict)
    column_done: set[str] = field(default_factory=set)
    hosts: set[str] = field(default_factory=set)
    home_final: str = ""
    home_columns: set[str] = field(default_factory=set)

    def internal(self, url: str) -> bool:
        return same_site(url, self.site.home_url) or any(same_site(url, f"http://{h}/") for h in self.hosts)


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


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
        self.config = CrawlConfig()
        self.categories: CategoryTable | None = None

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
        )
        categories = Path(settings.get("GOVSITES_CATEGORIES"))
        spider.categories = CategoryTable.load(categories) if categories.exists() else CategoryTable.default()
        deadline = time.monotonic() + spider.config.site_budget
        spider.states = {
            s.site_id: SiteState(site=s, deadline=deadline, pinned=pinned.get(s.site_id, []), hosts={s.host})
            for s in spider.sites
        }
        return spider

    # -- start --------------------------------------------------------------------------------------
    async def start(self) -> AsyncIterator[scrapy.Request]:
        if self.mode == "probe":
            return
        for state in self.states.values():
            state.checked.add(state.site.home_url)
            state.pages += 1
            yield self._page_request(state, state.site.home_url, depth=0, role="home", priority=PRIORITY_HOME)
            for pin in state.pinned:
                link = ColumnLink(pin.name, pin.url, "pinned")
                state.columns[pin.url] = link
                state.checked.add(pin.url)
                state.pages += 1
                yield self._page_request(state, pin.url, depth=1, role="page", priority=PRIORITY_COLUMN,
                                         render=pin.render == "js")

    @property
    def today(self) -> date:
        return self.as_of or date.today()  # noqa: DTZ011 - evaluation dates are local calendar dates

    # -- requests -----------------------------------------------------------------------------------
    def _page_request(self, state: SiteState, url: str, *, depth: int, role: str, priority: int,
                      render: bool = False) -> scrapy.Request:
        meta: dict[str, Any] = {
            "site_id": state.site.site_id, "gdepth": depth, "role": role, "rendered": render,
            "handle_httpstatus_list": ALL_ERROR_CODES, "download_timeout": self.config.link_timeout,
        }
        if render:
            meta.update(self._render_meta())
        return scrapy.Request(url, callback=self.parse_page, errback=self.page_failed, meta=meta,
                              priority=priority, dont_filter=render)

    def _render_meta(self) -> dict[str, Any]:
        from scrapy_playwright.page import PageMethod

        return {
            "playwright": True,
            "playwright_page_methods": [PageMethod("wait_for_load_state", "networkidle", timeout=15_000)],
        }

    def _check_request(self, state: SiteState, url: str, *, method: str = "HEAD") -> scrapy.Request:
        meta = {"site_id": state.site.site_id, "role": "check", "handle_httpstatus_list": ALL_ERROR_CODES,
                "download_timeout": self.config.link_timeout, "headers_only": method == "GET"}
        return scrapy.Request(url, method=method, callback=self.check_done, errback=self.check_failed, meta=meta,
                              priority=PRIORITY_CHECK, dont_filter=True)

    def _state(self, response_or_failure: Response | Failure) -> SiteState:
        # a Failure given to an errback carries its request too
        request = response_or_failure.request  # type: ignore[union-attr]
        assert request is not None
        return self.states[request.meta["site_id"]]

    def _can_crawl(self, state: SiteState, depth: int) -> bool:
        return (depth <= self.config.max_depth and state.pages < self.config.max_pages
                and time.monotonic() < state.deadline)

    def _follow(self, state: SiteState, links: Iterable[Link], depth: int) -> Iterator[scrapy.Request]:
        """Each distinct URL once per site: internal pages are crawled, everything else is checked."""
        for link in links:
            if link.url in state.checked:
                continue
            state.checked.add(link.url)
            crawlable = link.kind == "page" and not is_attachment(link.url) and state.internal(link.url)
            is_column = link.url in state.columns
            if crawlable and (self._can_crawl(state, depth) or (is_column and state.pages < self.config.max_pages)):
                state.pages += 1
                priority = PRIORITY_COLUMN if is_column else PRIORITY_PAGE - depth
                yield self._page_request(state, link.url, depth=depth, role="page", priority=priority)
            else:
                yield self._check_request(state, link.url)

    # -- pages --------------------------------------------------------------------------------------
    def parse_page(self, response: Response) -> Iterator[Any]:
        state = self._state(response)
        meta = response.meta
        depth, role = meta["gdepth"], meta["role"]
        request_url = response.request.url if response.request else response.url
        site_id = state.site.site_id
        if not meta.get("rendered"):
            yield self._check_item(site_id, request_url, response)
        if role == "home":
            state.home_final = response.url
            state.hosts.add(response.url.split("/")[2].split(":")[0].lower())
        if response.status >= 400 or not isinstance(response, TextResponse):
            if response.status >= 400:
                yield PageItem(site_id, request_url, response.url, str(response.status), "error", depth,
                               bool(meta.get("rendered")), fetched_at=now_iso())
                yield from self._unreachable_column(state, request_url)
            return
        html = response.text
        state.parsed.add(request_url)
        links = extract_links(html, response.url)
        kind = role if role == "home" else "other"

        if role == "home":
            yield from self._home_blocks(state, html, response.url)
        if not state.pinned:
            yield from self._register_columns(state, html, response.url, depth)
        column = state.columns.get(request_url) or state.columns.get(response.url)
        if column is not None and role != "home" and column.url not in state.column_done:
            listing = extract_list(html, response.url, self.today)
            outcome = list(self._column(state, column, listing, response))
            if any(isinstance(o, ColumnItem) for o in outcome) or any(
                isinstance(o, scrapy.Request) for o in outcome
            ):
                kind = "list"
            yield from outcome
        yield PageItem(site_id, request_url, response.url, str(response.status), kind, depth,
                       bool(meta.get("rendered")), title=page_title(html), encoding=response.encoding,
                       fetched_at=now_iso(), text=visible_text(html))
        for link in links:
            yield LinkRefItem(site_id, link.url, response.url, link.anchor, link.tag)
        yield from self._follow(state, links, depth + 1)

    def _home_blocks(self, state: SiteState, html: str, url: str) -> Iterator[Any]:
        for block in extract_blocks(html, url, self.today):
            for entry in block.entries:
                yield self._entry_item(state, state.site.home_url, entry)
            if block.more_url and not state.pinned and state.internal(block.more_url):
                state.columns.setdefault(block.more_url, ColumnLink(block.name, block.more_url, "more"))
                state.home_columns.add(block.more_url)

    def _register_columns(self, state: SiteState, html: str, url: str, depth: int) -> Iterator[scrapy.Request]:
        found = [c for c in discover_columns(html, url) if c.url not in state.columns]
        for candidate in found:
            state.columns[candidate.url] = candidate
            if depth == 0:
                state.home_columns.add(candidate.url)
            if candidate.url in state.parsed and candidate.url not in state.column_done:
                # Parsed before anything named it a column: fetch it again for its list.
                yield self._page_request(state, candidate.url, depth=depth + 1, role="page",
                                         priority=PRIORITY_COLUMN, render=False).replace(dont_filter=True)
        for sitemap in sitemap_urls(html, url):
            if sitemap not in state.checked and state.internal(sitemap):
                state.checked.add(sitemap)
                state.pages += 1
                yield self._page_request(state, sitemap, depth=depth + 1, role="page", priority=PRIORITY_COLUMN)

    def _column(self, state: SiteState, column: ColumnLink, listing: ListPage, response: Response) -> Iterator[Any]:
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
        state.column_done.add(column.url)
        for entry in listing.entries:
            yield self._entry_item(state, column.url, entry)
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
        pin = next((p for p in state.pinned if p.url == column.url), None)
        name = column.name or listing.column_name
        category = (pin.category if pin and pin.category else None) or self._categorize(name)
        return ColumnItem(state.site.site_id, column.url, name, category, newest.isoformat() if newest else "",
                          len(listing.entries), status, source, column.found_by, rendered,
                          on_home=column.url in state.home_columns)

    def _categorize(self, name: str) -> str:
        assert self.categories is not None
        return self.categories.categorize(name)

    def _article_date_request(self, state: SiteState, column: ColumnLink, listing: ListPage, rendered: bool,
                              targets: list[str], found: list[date]) -> scrapy.Request:
        meta = {"site_id": state.site.site_id, "role": "article_date", "column": column, "listing": listing,
                "rendered_list": rendered, "targets": targets[1:], "found": found,
                "download_timeout": self.config.link_timeout, "handle_httpstatus_list": ALL_ERROR_CODES}
        return scrapy.Request(targets[0], callback=self.article_dated, errback=self.article_dated, meta=meta,
                              priority=PRIORITY_COLUMN, dont_filter=True)

    def article_dated(self, result: Response | Failure) -> Iterator[Any]:
        request = result.request  # type: ignore[union-attr]
        assert request is not None
        meta = request.meta
        state = self.states[meta["site_id"]]
        found: list[date] = list(meta["found"])
        if isinstance(result, TextResponse) and result.status < 400:
            when, _source = article_date(result.text, self.today)
            if when is not None:
                found.append(when)
        if meta["targets"]:
            yield self._article_date_request(state, meta["column"], meta["listing"], meta["rendered_list"],
                                             meta["targets"], found)
            return
        yield self._column_item(state, meta["column"], meta["listing"], meta["rendered_list"],
                                article=max(found) if found else None)

    def _unreachable_column(self, state: SiteState, url: str) -> Iterator[ColumnItem]:
        column = state.columns.get(url)
        if column is None or column.url in state.column_done or column.found_by not in STRONG_COLUMN_LINKS:
            return  # a plain link to a failing page is a broken link, not a column
        state.column_done.add(column.url)
        yield ColumnItem(state.site.site_id, column.url, column.name, self._categorize(column.name), "", 0,
                         "unreachable", "", column.found_by, on_home=column.url in state.home_columns)

    def _entry_item(self, state: SiteState, column_url: str, entry: ListEntry) -> ListEntryItem:
        return ListEntryItem(state.site.site_id, column_url, entry.url, entry.title,
                             entry.date.isoformat() if entry.date else "", entry.date_source, entry.pinned)

    def page_failed(self, failure: Failure) -> Iterator[Any]:
        state = self._state(failure)
        request = failure.request  # type: ignore[attr-defined]
        status, reason = classify_failure(failure.value or Exception())
        if request.meta.get("rendered"):
            logger.warning("渲染失败 %s：%s", request.url, reason)
            yield from self._unreachable_column(state, request.url)
            return
        yield PageItem(state.site.site_id, request.url, request.url, status, "error", request.meta["gdepth"],
                       fetched_at=now_iso())
        if request.meta["role"] == "home":
            # Not a link on any page: the site is unreachable, which the probes and the veto report.
            logger.warning("站点 %s 首页无法访问：%s %s", state.site.site_id, status, reason)
            return
        yield LinkCheckItem(state.site.site_id, request.url, status, reason, is_broken(status),
                            checked_at=now_iso())
        yield from self._unreachable_column(state, request.url)

    # -- link checks --------------------------------------------------------------------------------
    def _check_item(self, site_id: str, url: str, response: Response) -> LinkCheckItem:
        status = str(response.status)
        return LinkCheckItem(site_id, url, status, response_reason(response), is_broken(status),
                             final_url=response.url, checked_at=now_iso())

    def check_done(self, response: Response) -> Iterator[Any]:
        request = response.request
        assert request is not None
        state = self._state(response)
        if request.method == "HEAD" and response.status in HEAD_RETRY_WITH_GET:
            yield self._check_request(state, request.url, method="GET")
            return
        yield self._check_item(state.site.site_id, request.url, response)

    def check_failed(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        status, reason = classify_failure(failure.value or Exception())
        yield LinkCheckItem(request.meta["site_id"], request.url, status, reason, is_broken(status),
                            checked_at=now_iso())

    # -- home-page probes (scheduled by govsites.extensions.HomeProbes) -----------------------------
    def probe_done(self, response: Response) -> Iterator[ProbeItem]:
        meta = response.meta
        ok = response.status < 400
        yield ProbeItem(meta["site_id"], meta["probe_url"], meta["probed_at"], ok, str(response.status),
                        int(1000 * float(meta.get("download_latency", 0.0))))

    def probe_failed(self, failure: Failure) -> Iterator[ProbeItem]:
        meta = failure.request.meta  # type: ignore[attr-defined]
        status, _reason = classify_failure(failure.value or Exception())
        elapsed = int(1000 * (time.monotonic() - meta["probe_started"]))
        yield ProbeItem(meta["site_id"], meta["probe_url"], meta["probed_at"], False, status, elapsed)


def response_reason(response: Response) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(response.status).phrase
    except ValueError:
        return ""
