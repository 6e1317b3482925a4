"""The site spider: one class serves every registered site.

Callbacks only route: a response goes to the pure functions in :mod:`govsites.extract` and
:mod:`govsites.linkcheck.classify`, and what comes back becomes items and further requests. The crawl's policy
is not decided here: the per-site caps are :class:`govsites.caps.CrawlCapsMiddleware`'s (a page it refuses comes
back to :meth:`~govsites.spiders.linkchecks.LinkCheckSpider.beyond_caps`), and the requests in flight and "site
done" are :class:`govsites.inflight.InflightMiddleware`'s. The spider's layers: :mod:`.sites` (the registered
sites, their state, every request's common meta, probe answers) < :mod:`.linkchecks` (link checks and their
verdicts) < this module (pages, columns, letters, guides). Helpers beside them: :mod:`.columns` (column
registration and items), :mod:`.letters`, :mod:`.soft404`, :mod:`.pagelinks`, :mod:`.requests`, :mod:`.responses`.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure

from govsites.antibot import BLOCKED_REASON
from govsites.browserpages import fetched_requests
from govsites.caps import ALL_CAPS, CAPS, LISTED, NO_CAP, PAGE_CAP_ONLY, path_key
from govsites.distributed import LOCAL
from govsites.extract.columns import CategoryTable, ColumnLink, article_date, discover_columns, sitemap_urls
from govsites.extract.datarequest import Endpoint
from govsites.extract.endpointpages import next_endpoint_requests, paging
from govsites.extract.endpoints import endpoints_for, json_entries, learn
from govsites.extract.entries import unsure_newest
from govsites.extract.guides import GUIDE_ELEMENTS, guide_elements, guide_forms, is_guide_page
from govsites.extract.links import Link, is_attachment, normalize_url, strip_session_id
from govsites.extract.listing import ListEntry, ListPage, extract_blocks, extract_list
from govsites.extract.mailbox import extract_letters, is_excluded_column, letter_detail
from govsites.extract.page import Page
from govsites.extract.text import visible_text
from govsites.inflight import finishes_request
from govsites.items import ColumnItem, GuideItem, LinkCheckItem, LinkRefItem, ListEntryItem, PageItem
from govsites.lifecycle import RunContext, RunStrategy
from govsites.linkcheck.redirects import READ_TARGET
from govsites.rendering import RENDER_SKIPPED, RenderFailure
from govsites.sitechecks.markup import SitePage
from govsites.sitestate import GuideDetail, LetterDetail, ScriptList, SiteState
from govsites.spiders import columns
from govsites.spiders.contentsecurity import ContentSecuritySpider
from govsites.spiders.letters import incomplete, letter_item, merge_letter
from govsites.spiders.linkchecks import failure_verdict, unfetchable
from govsites.spiders.pagelinks import canonical, list_pages, listed_urls, script_links
from govsites.spiders.requests import PRIORITY_COLUMN, PRIORITY_HOME, PRIORITY_PAGE, render_meta
from govsites.spiders.responses import decode_response, is_rendered, origin_url, page_memo
from govsites.spiders.sitechecks import SiteCheckRequests
from govsites.spiders.soft404 import (
    judge,
    late_soft_404,
    learn_notfound,
    notfound_url,
    read_target_verdict,
    text_fingerprint,
)
from govsites.store import now_iso

logger = logging.getLogger(__name__)

#: Why a script-filled list was not rendered when the browser is switched off (``columns.render_detail``).
RENDER_OFF = "浏览器渲染已关闭（GOVSITES_RENDER_ENABLED=0）"

#: Endpoints tried for one script-filled list before it is rendered.
MAX_ENDPOINTS = 3
#: ``request.meta`` flag of a site's learning render (:meth:`SiteSpider._script_list_request`).
LEARNER = "glearner"


class SiteSpider(SiteCheckRequests, ContentSecuritySpider):
    """Crawl registered government sites: columns and their newest dates, link health, page text."""

    name = "govsites"
    distributable: ClassVar[bool] = True
    #: The browser and its context are launched before the crawl starts (govsites.browserpages), not at the
    #: first render: a crawl renders home pages and lists from its first seconds.
    custom_settings = {"PLAYWRIGHT_CONTEXTS": {"default": {}}}  # noqa: RUF012 - Scrapy reads it as a class attribute
    guide_elements: tuple[str, ...] = GUIDE_ELEMENTS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.categories = CategoryTable.default()
        self.home_dates_asked: set[str] = set()  # sites whose home page's unsure newest items were asked
        self.capped_endpoint_lists: set[tuple[str, str]] = set()  # (site, list page): its cap logged

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> SiteSpider:
        spider: SiteSpider = super().from_crawler(crawler, *args, **kwargs)
        categories = Path(spider.config.categories)
        if categories.exists():
            spider.categories = CategoryTable.load(categories)
        return spider

    # -- start --------------------------------------------------------------------------------------
    def run_opened(self, run: RunContext, strategy: RunStrategy) -> None:
        super().run_opened(run, strategy)
        if not run.seeder:
            return  # another worker pushes the run's sites (govsites.distributed)
        # Every site's probes (govsites.extensions.HomeProbes, sent for all sites when the run opens) and one hold
        # are counted now, before the first probe leaves: this handler runs before HomeProbes' (the spider is built
        # before the extensions). Counted later, in start(), a probe answered first (in a distributed crawl, by
        # another worker, while this one had not begun its start requests) finished its site with no page.
        for state in self.states.values():
            state.add_inflight(max(0, self.config.probes) + 1)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        if not self.seeder:
            return  # another worker pushes the run's sites (govsites.distributed)
        for state in self.states.values():
            state.claim(state.site.home_url)
            yield self._page_request(
                state, state.site.home_url, depth=0, role="home", priority=PRIORITY_HOME, caps=NO_CAP
            )
            for pin in state.pinned:
                state.set_column(ColumnLink(pin.name, pin.url, "pinned"))
                state.claim(pin.url)
                yield self._page_request(
                    state, pin.url, depth=1, priority=PRIORITY_COLUMN, caps=NO_CAP, render=pin.render == "js"
                )
            state.finish_one()  # the hold: the home request is counted in flight by now (govsites.inflight)

    def _page_request(
        self,
        state: SiteState,
        url: str,
        *,
        depth: int,
        priority: int,
        role: str = "page",
        render: bool = False,
        sitemap: bool = False,
        caps: str = "",
        list_page: bool = False,
        learner: bool = False,
    ) -> scrapy.Request:
        """A page to parse; ``caps``: a new page of the site, subject to :mod:`govsites.caps`; ``list_page``:
        a further page of a column's list (its items are listed articles too); ``learner``: a render the site's
        other script-filled lists wait for (:meth:`_script_list_request`)."""
        meta: dict[str, Any] = {"gdepth": depth, **({CAPS: caps} if caps else {}), **(render_meta() if render else {})}
        if learner:
            meta[LEARNER] = True
            meta[LOCAL] = True  # the lists it releases wait in this process (a distributed worker's own)
        return self.site_request(
            state,
            url,
            self.parse_page,
            self.page_failed,
            role=role,
            priority=priority,
            meta=meta,
            cb_kwargs={**({"sitemap": True} if sitemap else {}), **({"list_page": True} if list_page else {})} or None,
        )

    def _follow(
        self,
        state: SiteState,
        links: Iterable[Link],
        depth: int,
        listed: frozenset[str] = frozenset(),
        pagination: frozenset[str] = frozenset(),
    ) -> Iterator[Any]:
        """Each distinct URL once per site: internal pages are crawled (within the caps), the rest checked;
        ``listed``: URLs a visitor reaches through a list, its pagination or a site map (see :data:`LISTED`);
        ``pagination``: the further pages of a list."""
        links = list(links)
        known: list[tuple[str, int, bool]] = []
        fresh: list[tuple[Link, str]] = []
        for link, new in zip(links, state.claim_many(link.url for link in links), strict=True):
            if new:
                fresh.append((link, urlsplit(link.url).scheme))
            else:
                # a page the caps still hold (govsites.caps) is decided by its best route, whoever found it first
                known.append((link.url, depth - 1 if link.url in pagination else depth, link.url in listed))
        pages = [
            link.url
            for link, scheme in fresh
            if scheme in ("http", "https") and link.kind == "page" and not is_attachment(link.url)
            if state.internal(link.url)
        ]
        beyond_depth = dict(zip(pages, state.read_beyond_depth(pages), strict=True))  # one look-up for the page
        for link, scheme in fresh:
            if scheme not in ("http", "https"):
                yield unfetchable(state.site.site_id, link.url, scheme)
            elif link.url in beyond_depth:
                is_column = beyond_depth[link.url]
                further = link.url in pagination  # a list's next page is no deeper than the list
                yield self._page_request(
                    state,
                    link.url,
                    depth=depth - 1 if further else depth,
                    priority=PRIORITY_COLUMN if is_column else PRIORITY_PAGE - depth,
                    caps=PAGE_CAP_ONLY if is_column else LISTED if link.url in listed else ALL_CAPS,
                    # however deep it is linked, a site map names columns
                    sitemap=link.anchor.strip() in columns.SITEMAP_ANCHORS,
                    list_page=further,
                )
            elif not state.internal(link.url):
                yield from self.shared_check(state, link.url)
            else:
                yield self.check_request(state, link.url)
        state.note_routes(known)

    # -- pages --------------------------------------------------------------------------------------
    def redirect_target_read(self, request: scrapy.Request, url: str) -> bool:
        """Whether ``request``'s redirect to ``url`` leads to a 200 page of its site read already, which is then
        not fetched again (:mod:`govsites.linkcheck.redirects`). Never for a column, a further page of a list, a
        site map or a letter's or guide's page: those are read for more than the page's verdict."""
        role = request.meta.get("role")
        state = self.states.get(request.meta.get("site_id", ""))
        if state is None or role not in ("page", "check", "check_page") or request.meta.get("playwright"):
            return False
        origin = origin_url(request)
        if role == "page" and (
            state.column(origin) is not None
            or state.has_detail(origin)
            or request.cb_kwargs.get("list_page")
            or request.cb_kwargs.get("sitemap")
        ):
            return False
        return state.page_fp(strip_session_id(url)) is not None

    def parse_page(self, response: Response, sitemap: bool = False, list_page: bool = False) -> Iterator[Any]:
        state = self.state_of(response)
        meta = response.meta
        depth, role, rendered = meta["gdepth"], meta["role"], is_rendered(response.request)
        request_url = origin_url(response.request) if response.request else response.url
        site_id = state.site.site_id
        if (target := meta.get(READ_TARGET)) is not None:
            # redirected to a page of the site read already (redirect_target_read): a link to that page
            yield read_target_verdict(state, request_url, target)
            return
        if role == "home":
            state.set_home(response.url, (urlsplit(response.url).hostname or "").lower())
            if self.config.soft404_probe:
                yield self.site_request(
                    state,
                    notfound_url(state),
                    self.notfound_done,
                    self.notfound_failed,
                    role="notfound",
                    priority=PRIORITY_HOME,
                )
        html, encoding = decode_response(response)
        memo = page_memo(response)
        if memo is not None and memo.loaded:
            self.count("extraction/reused")  # a 304: the page's first reading is reused (govsites.extract.kept)
        page = Page(html, response.url, self.today, memo=memo)
        if role == "home" and html:
            yield from self.home_content(state, response, page)
        if rendered:
            yield from self._learn_endpoints(state, response, page)
        title, text = (page.title, page.text) if html else ("", "")
        verdict = judge(state, response, html, title, text, page)
        checks = [] if rendered else [verdict]  # the page's own verdict travels with its page item
        if (
            role != "home"
            and not verdict.broken
            and not state.internal(response.url)
            and ((named := state.column(request_url)) is None or named.found_by == "link")
        ):
            # An address of the site redirected out of its scope (the portal, another subsite, another host): a
            # working link of the site, not one of its pages (its links and text are not the site's). A column the
            # site's menus or blocks name, whose address leads to a shared column (集约化: the portal's 政策文件),
            # is still its column.
            self.count("scope/redirected_out")
            logger.debug(
                "站点 %s 的 %s 跳转到范围之外的 %s，按链接检查，不作为本站页面", site_id, request_url, response.url
            )
            yield from checks
            return
        if role == "home" and verdict.status == "blocked":
            # An anti-bot challenge the browser did not pass (govsites.antibot) or a WAF block page: the site
            # cannot be read, which is reported (反爬拦截), never scored as a site without problems.
            state.set_blocked(BLOCKED_REASON)
            logger.warning("站点 %s 首页被反爬验证拦截，本次不评估：%s", site_id, response.url)
        if verdict.broken or verdict.status == "blocked" or not html:
            if verdict.broken:
                yield PageItem(
                    site_id=site_id,
                    url=request_url,
                    final_url=response.url,
                    status=verdict.status,
                    kind="error",
                    depth=depth,
                    rendered=rendered,
                    fetched_at=now_iso(),
                    checks=checks,
                )
                yield from self._unreachable_column(state, request_url)
            else:
                yield from checks
            return
        state.mark_parsed(request_url)
        reading = state.read_page(request_url, text_fingerprint(text, page) if response.status == 200 else None)
        if reading.notfound and verdict.status != "soft_404":
            # The site's not-found page became known (on another worker) while this page was judged.
            yield late_soft_404(state, request_url)
        named = reading.column if role != "home" else None
        links = [canonical(link) for link in page.links]
        kind = role if role == "home" else "other"
        entries: list[ListEntry] = []
        stored: list[ListEntryItem] = []
        listing: ListPage | None = None
        if role == "home":
            blocks = extract_blocks(page)
            entries = [entry for block in blocks for entry in block.entries]
            stored = [columns.entry_item(site_id, state.site.home_url, entry) for entry in entries]
            columns.register_home_blocks(state, blocks)
            if not rendered:
                yield from self.site_check_requests(state, SitePage(html, response.url, encoding or "utf-8"), entries)
                yield from self.https_check(state, request_url, response.url)
        if not state.pinned and columns.names_columns(named, depth, sitemap):
            # A column's own query variants (its pages, a calendar's next day) are not further columns.
            found = [
                c
                for c in discover_columns(page)
                if (depth == 0 or path_key(c.url) != path_key(request_url)) and state.internal(c.url)
            ]
            yield from self._register_columns(state, found, sitemap_urls(page), depth)
        # (a page never registers itself: the columns it names exclude its own path)
        column = named or (state.column(response.url) if role != "home" and response.url != request_url else None)
        if column is not None and not (reading.column_done if column is named else state.column_is_done(column.url)):
            listing = extract_list(page)
            entries = listing.entries
            outcome = list(self._column(state, column, listing, response, page, depth))
            # a list page: its list read, asked for (rendered, its endpoint, its articles' dates) or waiting for
            # the site's learning render (a script-filled list parked: nothing is asked for yet)
            if listing.needs_render or any(isinstance(o, (ColumnItem, scrapy.Request)) for o in outcome):
                kind = "list"
            if state.column_is_done(column.url):
                stored = [columns.entry_item(site_id, column.url, entry) for entry in entries]
            yield from outcome
        links += script_links(entries, links)
        if listing is None and list_page:
            listing = extract_list(page)  # a further page of a column's list: its items are listed too
            links += script_links(listing.entries, links)
        pagination = list_pages(listing.next_pages if listing is not None else [], links)
        listed = listed_urls(
            [*entries, *(listing.entries if listing is not None else [])], pagination, links if sitemap else []
        )
        if reading.has_detail:
            yield from self._detail_items(state, request_url, page)
        # A page's link occurrences and list entries travel with it: one item per page, not one per link.
        refs = [
            LinkRefItem(site_id=site_id, url=link.url, source_url=response.url, anchor=link.anchor, tag=link.tag)
            for link in links
        ]
        # the memo goes with the page item: the pipelines keep their readings in it, the store pipeline finishes it
        yield PageItem(
            site_id=site_id,
            url=request_url,
            final_url=response.url,
            status=str(response.status),
            kind=kind,
            depth=depth,
            rendered=rendered,
            title=title,
            encoding=encoding,
            fetched_at=now_iso(),
            text=text,
            refs=refs,
            entries=stored,
            checks=checks,
            html=html,
            elapsed_ms=int(1000 * float(response.meta.get("download_latency") or 0)),
            memo=memo,
        )
        if role == "home":
            yield from self._home_dates(state, entries)
        yield from self.security_requests(state, links, response.url)
        yield from self._follow(state, links, depth + 1, listed, pagination)

    # -- the home page's newest date, when its year was guessed (govsites.extract.entries.unsure_newest) -----------
    def _home_dates(self, state: SiteState, entries: list[ListEntry]) -> Iterator[scrapy.Request]:
        """The home page's newest items whose year-less date took a guessed year: their articles are opened
        (newest first, at most ``GOVSITES_ARTICLE_DATE_PAGES``) until one confirms its date. Once per site (the
        raw page's blocks, else the rendered page's)."""
        unsure = unsure_newest(entries)
        pages = self.config.article_date_pages
        if not unsure or pages <= 0 or state.site.site_id in self.home_dates_asked:
            return
        self.home_dates_asked.add(state.site.site_id)
        self.count("home/year_asked")
        yield self._home_date_request(state, unsure, pages)

    def _home_date_request(self, state: SiteState, targets: list[ListEntry], left: int) -> scrapy.Request:
        return self.site_request(
            state,
            targets[0].url,
            self.home_article_dated,
            self.home_article_failed,
            role="article_date",
            priority=PRIORITY_COLUMN,
            cb_kwargs={"targets": targets, "left": left - 1},
        )

    def home_article_dated(self, response: Response, targets: list[ListEntry], left: int) -> Iterator[Any]:
        yield from self._home_dated(self.state_of(response), targets, left, self._article_date_of(response))

    @finishes_request
    def home_article_failed(self, failure: Failure) -> Iterator[Any]:
        kwargs = failure.request.cb_kwargs  # type: ignore[attr-defined]
        yield from self._home_dated(self.state_of(failure), kwargs["targets"], kwargs["left"], None)

    def _home_dated(self, state: SiteState, targets: list[ListEntry], left: int, when: date | None) -> Iterator[Any]:
        """``targets[0]``'s article gave ``when``: the home page's row of the item is written again with it (same
        key: the row is replaced; scoring's home-update check reads it); the next item is asked while the newest
        date may still rest on a guessed year."""
        entry, rest = targets[0], targets[1:]
        site_id = state.site.site_id
        if when is None:
            self._home_year_guessed(state)
            return
        if when != entry.date:
            redated = dataclasses.replace(entry, date=when, date_source="article", year_guessed=False)
            yield columns.entry_item(site_id, state.site.home_url, redated)
        still = [e for e in rest if e.date is not None and e.date > when]
        if not still:
            return
        if left <= 0:
            self._home_year_guessed(state)
            return
        yield self._home_date_request(state, still, left)

    def _home_year_guessed(self, state: SiteState) -> None:
        self.count("home/year_guessed")
        logger.info(
            "站点 %s 首页：最新信息的日期未写年份，其文章也未给出日期（或已达 GOVSITES_ARTICLE_DATE_PAGES），"
            "按不晚于评估日期的最近一年计",
            state.site.site_id,
        )

    def notfound_done(self, response: Response) -> Iterator[LinkCheckItem]:
        state = self.state_of(response)
        found = isinstance(response, TextResponse) and response.status == 200
        yield from learn_notfound(state, visible_text(decode_response(response)[0]) if found else None)

    @finishes_request
    def notfound_failed(self, failure: Failure) -> Iterator[LinkCheckItem]:
        yield from learn_notfound(self.state_of(failure), None)

    def _register_columns(
        self, state: SiteState, found: list[ColumnLink], sitemaps: list[str], depth: int
    ) -> Iterator[scrapy.Request | ColumnItem]:
        again, renamed, kept = columns.register_columns(state, found, depth, self.categories)
        for candidate in again:
            # Parsed before anything named it a column: fetch it again for its list.
            yield self._page_request(state, candidate.url, depth=depth + 1, priority=PRIORITY_COLUMN)
        for _candidate in kept:
            self.count("columns/link_named_parsed")  # a bare link names a page read already: not fetched again
        yield from renamed
        for sitemap in sitemaps:
            if state.internal(sitemap) and state.claim(sitemap):
                yield self._page_request(
                    state, sitemap, depth=depth + 1, priority=PRIORITY_COLUMN, sitemap=True, caps=NO_CAP
                )

    def _column(
        self, state: SiteState, column: ColumnLink, listing: ListPage, response: Response, page: Page, depth: int
    ) -> Iterator[Any]:
        rendered = is_rendered(response.request)
        pin = columns.pinned_column(state, column.url)
        if not listing.entries and not listing.empty:
            wants_render = listing.needs_render or (pin is not None and pin.render == "js")
            if wants_render and not rendered and self.config.render_enabled:
                pending = ScriptList(column, response.url, depth, listing.column_name, page.scripts)
                yield from self._script_list_request(state, pending)
                return
            if wants_render and not rendered:  # the browser switched off: the list is never read, which is said
                self.count(f"render/unrendered/{RENDER_SKIPPED}")
                logger.warning("浏览器渲染已关闭，%s 的列表由脚本填充，未读取；该栏目标为“未能渲染”", column.url)
                yield from self._unreachable_column(state, column.url, RenderFailure(RENDER_SKIPPED, RENDER_OFF))
                return
            if pin is None and not rendered:
                return  # not a list page: a content page is not a column
        yield from self._listed_column(state, column, listing, page, rendered)
        if rendered and listing.entries:
            yield from self._rendered_list_pages(state, column, listing, response, page, depth)

    def _listed_column(
        self, state: SiteState, column: ColumnLink, listing: ListPage, page: Page | None, rendered: bool
    ) -> Iterator[Any]:
        """A column's list as read (``page``: the page it was read on; None for a list read from its data
        endpoint, which is never an interaction column's: their letters are read from the page)."""
        if not state.mark_column_done(column.url):
            return  # another worker read this column's list at the same time
        column = state.column(column.url) or column  # as the best source named it by now
        category = columns.column_category(state, self.categories, column, listing)
        # The column's own item goes first, before its letters: items of one answer reach the store in parallel
        # with later answers', and a later answer may write this item again under a better source (found_by).
        letters = (
            list(self._letters(state, column, listing, page)) if category == "interaction" and page is not None else []
        )
        if category == "guide":
            yield from self._register_guides(state, column, listing)
        dated = [e for e in listing.entries if e.date is not None]
        unsure = listing.unsure_pinned() if dated else []
        pages = self.config.article_date_pages
        if listing.entries and not dated and pages > 0:
            targets = [e.url for e in listing.entries[:pages]]
            yield self._article_date_request(state, column, listing, rendered, targets, {})
        elif unsure and pages > 0:
            # a pinned item's year-less date would make the column look updated: its article says which year
            self.count("columns/pinned_year_asked")
            targets = [e.url for e in unsure[:pages]]
            yield self._article_date_request(state, column, listing, rendered, targets, {}, redate=True)
        else:
            yield columns.column_item(state, category, column, listing, rendered)
        yield from letters

    # -- script-filled lists: their data endpoints (govsites.extract.endpoints) or the browser ----------------
    def _script_list_request(self, state: SiteState, pending: ScriptList) -> Iterator[Any]:
        """A script-filled list: read from the endpoint the site's rules name for it, else rendered.

        While the site's endpoints are being learned (a render that shows what the page fetched) or checked (the
        first list read through a new rule), the site's other such lists wait (parked); once a rule has given a
        list, they are read through it. At most :data:`govsites.sitestate.LEARNING_RENDERS` renders learn. In a
        distributed crawl each worker parks its own lists: the learning render and the check are crawled by the
        worker that sent them (:data:`govsites.distributed.LOCAL`), and the rules any worker learned serve every
        worker (kept in Redis)."""
        if not self.config.endpoints_enabled:
            yield self._render_request(state, pending)
            return
        if state.park(pending):
            self.count("endpoints/parked")
            return
        named = endpoints_for(state.live_endpoint_rules(), pending.url, list(pending.scripts))
        checking = not state.endpoints_verified
        request = self._endpoint_request(state, pending, [(rule.key, endpoint) for rule, endpoint in named], checking)
        if request is not None:
            state.learning = checking
            yield request
        elif state.start_learning():
            yield self._render_request(state, pending, learner=True)
        else:
            yield self._render_request(state, pending)

    def _render_request(self, state: SiteState, pending: ScriptList, learner: bool = False) -> scrapy.Request:
        return self._page_request(
            state, pending.url, depth=pending.depth, priority=PRIORITY_COLUMN, render=True, learner=learner
        )

    def _endpoint_request(
        self, state: SiteState, pending: ScriptList, candidates: list[tuple[str, Endpoint]], checking: bool
    ) -> scrapy.Request | None:
        """A request for the first of ``candidates`` (rule key, endpoint) no other page's list was read from (at
        most :data:`MAX_ENDPOINTS` per page); None when none is left. ``checking``: the first list read through
        the site's rules (the others wait for its answer)."""
        for index, (rule_key, endpoint) in enumerate(candidates[:MAX_ENDPOINTS]):
            if not state.claim_endpoint(endpoint.key, pending.url):
                continue
            self.count("endpoints/requested")
            if endpoint.method != "GET":
                self.count(f"endpoints/requested_{endpoint.method.lower()}")
            rest = candidates[index + 1 : MAX_ENDPOINTS]
            return self._data_request(
                state,
                endpoint,
                self.endpoint_list,
                self.endpoint_failed,
                priority=PRIORITY_COLUMN,
                meta={"gdepth": pending.depth, **({LOCAL: True} if checking else {})},
                cb_kwargs={
                    "pending": pending,
                    "rule_key": rule_key,
                    "rest": rest,
                    "checking": checking,
                    "endpoint": endpoint,
                },
            )
        return None

    def _data_request(
        self,
        state: SiteState,
        endpoint: Endpoint,
        callback: Callable[..., Any],
        errback: Callable[..., Any],
        *,
        priority: int,
        meta: dict[str, Any],
        cb_kwargs: dict[str, Any],
    ) -> scrapy.Request:
        """A plain request for a list's data: ``endpoint``'s address, method, body and the body's type."""
        return self.site_request(
            state,
            endpoint.url,
            callback,
            errback,
            role="endpoint",
            priority=priority,
            method=endpoint.method,
            body=endpoint.body,
            headers=endpoint.headers(),
            meta=meta,
            cb_kwargs=cb_kwargs,
        )

    def _learn_endpoints(self, state: SiteState, response: Response, page: Page) -> Iterator[Any]:
        """A rendered page: what its scripts fetched teaches the site's endpoint rules; when it was the site's
        learning render, the lists that waited for it go on."""
        if self.config.endpoints_enabled and page.html:
            fetched = fetched_requests(response.request)
            opaque = sum(1 for sent in fetched if sent.opaque)
            if opaque:
                # a body that is not text (FormData, a Blob) cannot be sent again: that list stays the browser's
                self.count("endpoints/opaque_bodies", opaque)
                logger.info(
                    "页面 %s 的脚本以非文本请求体读取数据（%d 个），无法直接读取，仍需浏览器渲染", page.url, opaque
                )
            for rule in state.add_endpoint_rules(learn(page.url, list(page.scripts), fetched)):
                self.count("endpoints/learned")
                logger.debug("站点 %s 的脚本列表数据地址规则：%s（其他栏目按此直接读取）", state.site.site_id, rule.key)
        if response.meta.get(LEARNER):
            yield from self._release_parked(state)

    def _release_parked(self, state: SiteState) -> Iterator[Any]:
        """The learning or checking request is over: the lists that waited go on (the first of them may be the
        next check, and the rest wait again)."""
        state.learning = False
        for pending in state.take_parked():
            yield from self._script_list_request(state, pending)

    def endpoint_list(
        self,
        response: Response,
        pending: ScriptList,
        rule_key: str,
        rest: list[tuple[str, Endpoint]],
        checking: bool,
        endpoint: Endpoint,
    ) -> Iterator[Any]:
        """A list's data endpoint answered: its items are the column's list (as the browser would have shown
        them); an answer without a list tries the page's next endpoint, then the browser, as does an
        interaction column's (its letters are read from the page)."""
        state = self.state_of(response)
        readable = isinstance(response, TextResponse) and response.status == 200
        entries = json_entries(response.text, pending.url, self.today) if readable else []
        state.endpoint_result(rule_key, bool(entries))
        if not entries:
            yield from self._endpoint_missed(state, pending, rest, checking)
            return
        if checking:
            state.endpoints_verified = True
            yield from self._release_parked(state)
        listing = ListPage(entries, False, [], True, False, pending.column_name)
        if columns.column_category(state, self.categories, pending.column, listing) == "interaction":
            self.count("endpoints/interaction")
            yield self._render_request(state, pending)
            return
        self.count("endpoints/read")
        site_id = state.site.site_id
        yield from self._listed_column(state, pending.column, listing, None, rendered=True)
        if state.column_is_done(pending.column.url):
            for entry in entries:
                yield columns.entry_item(site_id, pending.column.url, entry)
        links = script_links(entries, [])
        for link in links:
            yield LinkRefItem(site_id=site_id, url=link.url, source_url=pending.url, anchor=link.anchor, tag=link.tag)
        yield from self._follow(state, links, pending.depth + 1, listed_urls(entries, [], []))
        yield from self._endpoint_pages(state, pending, endpoint, response.text, entries, 1, frozenset())

    def _endpoint_pages(
        self,
        state: SiteState,
        pending: ScriptList,
        endpoint: Endpoint,
        answer: str,
        entries: list[ListEntry],
        page: int,
        seen: frozenset[str],
    ) -> Iterator[scrapy.Request]:
        """The next pages of a list's data endpoint that its answer (page ``page``) names
        (:mod:`govsites.extract.endpointpages`), asked as an HTML list's further pages are: at the list's depth,
        within every crawl cap but the query-variant one (:data:`LISTED`), each once per site. A page number guessed
        in the address's path is checked on each next page's answer (``NextPages.base``)."""
        seen = seen | {normalize_url(entry.url) for entry in entries}
        following_pages = next_endpoint_requests(endpoint, answer, len(entries), page)
        if following_pages.unaddressed:
            self.count("endpoints/pages_unaddressed")
            logger.info(
                "栏目 %s 的数据接口应答还有后续页，但其请求中没有可翻动的页码或偏移，后续页未读取：%s",
                pending.url,
                endpoint.url,
            )
        for number, following in following_pages.requests:
            if state.claim(following.key):
                yield self._data_request(
                    state,
                    following,
                    self.endpoint_page,
                    self.endpoint_page_failed,
                    priority=PRIORITY_PAGE - pending.depth - 1,
                    meta={"gdepth": pending.depth, CAPS: LISTED},
                    cb_kwargs={
                        "pending": pending,
                        "page": number,
                        "seen": seen,
                        "endpoint": following,
                        "base": following_pages.base,
                    },
                )

    def endpoint_page(
        self,
        response: Response,
        pending: ScriptList,
        page: int,
        seen: frozenset[str],
        endpoint: Endpoint,
        base: int | None = None,
    ) -> Iterator[Any]:
        """A further page of a list's data endpoint: its items are listed articles of the column page, as a further
        page of an HTML list's are (crawled and checked; the column's figures are its first page's); its own next
        pages follow while it holds items the list's earlier pages did not. When its page was guessed in the path,
        an answer that says it is another page than the one asked for (the number moved was not the page: an id)
        is not this list's."""
        state = self.state_of(response)
        readable = isinstance(response, TextResponse) and response.status == 200
        said = paging(response.text).current if readable and base is not None else None
        if said is not None and base is not None and said != page + base:
            self.count("endpoints/pages_mismatched")
            logger.info(
                "栏目 %s 的数据接口第 %d 页应答自称第 %d 页，不是该列表的后续页，不再翻页：%s",
                pending.url,
                page,
                said - base,
                response.url,
            )
            return
        entries = json_entries(response.text, pending.url, self.today) if readable else []
        fresh = [entry for entry in entries if normalize_url(entry.url) not in seen]
        if not fresh:
            self.count("endpoints/pages_spent")
            logger.debug("栏目 %s 的数据接口第 %d 页没有新条目，不再翻页：%s", pending.url, page, response.url)
            return
        self.count("endpoints/pages_read")
        site_id = state.site.site_id
        links = script_links(fresh, [])
        for link in links:
            yield LinkRefItem(site_id=site_id, url=link.url, source_url=pending.url, anchor=link.anchor, tag=link.tag)
        yield from self._follow(state, links, pending.depth + 1, listed_urls(fresh, [], []))
        yield from self._endpoint_pages(state, pending, endpoint, response.text, entries, page, seen)

    def _rendered_list_pages(
        self, state: SiteState, column: ColumnLink, listing: ListPage, response: Response, page: Page, depth: int
    ) -> Iterator[scrapy.Request]:
        """A rendered list filled from a data endpoint the site's rules name (its learning render, or any render
        in a distributed crawl): the browser showed its first page only, so that endpoint is asked once more with
        a plain request, whose answer names the further pages as a list read from its endpoint does (at most one
        request per rendered list, for the first endpoint the page really sent, its own lists' rules first)."""
        if not self.config.endpoints_enabled:
            return
        sent = {asked.key for asked in fetched_requests(response.request)}
        for _rule, endpoint in endpoints_for(state.live_endpoint_rules(), page.url, list(page.scripts)):
            if endpoint.key in sent and state.claim_endpoint(endpoint.key, page.url) and state.claim(endpoint.key):
                self.count("endpoints/rendered_asked")
                pending = ScriptList(column, page.url, depth, listing.column_name, page.scripts)
                yield self._data_request(
                    state,
                    endpoint,
                    self.rendered_list_answer,
                    self.endpoint_page_failed,
                    priority=PRIORITY_PAGE - depth - 1,
                    meta={"gdepth": depth},
                    cb_kwargs={
                        "pending": pending,
                        "endpoint": endpoint,
                        "seen": frozenset(normalize_url(entry.url) for entry in listing.entries),
                    },
                )
                return

    def rendered_list_answer(
        self, response: Response, pending: ScriptList, endpoint: Endpoint, seen: frozenset[str]
    ) -> Iterator[Any]:
        """The first page of a rendered list's data endpoint, asked plainly: only the further pages it names
        are asked (its items are the rendered list's); an answer whose list is not the rendered one (a widget's
        data) names none."""
        state = self.state_of(response)
        readable = isinstance(response, TextResponse) and response.status == 200
        if not readable:
            # whether further pages follow is unknown: said, as a further page that fails is
            self.count("endpoints/rendered_unread")
            logger.info("渲染列表 %s 的数据接口再次读取失败（%s），其后续页未读取", pending.url, response.status)
            return
        entries = json_entries(response.text, pending.url, self.today)
        if not any(normalize_url(entry.url) in seen for entry in entries):
            self.count("endpoints/rendered_other")
            return
        self.count("endpoints/rendered_paged")
        yield from self._endpoint_pages(state, pending, endpoint, response.text, entries, 1, seen)

    @finishes_request
    def endpoint_page_failed(self, failure: Failure) -> Iterator[Any]:
        self.count("endpoints/pages_failed")
        # its articles are not listed from it (the column's figures are its first page's): said, not silent
        logger.info("数据接口后续页读取失败，其条目未读取 %s：%s", failure.request.url, failure.value)  # type: ignore[attr-defined]
        return iter(())

    def beyond_caps(self, request: scrapy.Request) -> scrapy.Request | None:
        """A page beyond the crawl's caps (:mod:`govsites.caps`); a further page of a list's data endpoint is not
        asked at all (it is data, not a link of the site to check): counted, and logged once per list."""
        if request.meta.get("role") != "endpoint":
            return super().beyond_caps(request)
        self.count("endpoints/pages_capped")
        site_id, pending = request.meta["site_id"], request.cb_kwargs["pending"]
        if (site_id, pending.url) not in self.capped_endpoint_lists:
            self.capped_endpoint_lists.add((site_id, pending.url))
            logger.info(
                "站点 %s 栏目 %s 的数据接口翻页达到抓取上限，第 %d 页起不再读取",
                site_id,
                pending.url,
                request.cb_kwargs["page"],
            )
        return None

    @finishes_request
    def endpoint_failed(self, failure: Failure) -> Iterator[Any]:
        kwargs = failure.request.cb_kwargs  # type: ignore[attr-defined]
        state = self.state_of(failure)
        state.endpoint_result(kwargs["rule_key"], False)
        yield from self._endpoint_missed(state, kwargs["pending"], kwargs["rest"], kwargs["checking"])

    def _endpoint_missed(
        self, state: SiteState, pending: ScriptList, rest: list[tuple[str, Endpoint]], checking: bool
    ) -> Iterator[Any]:
        """No list from that endpoint: the page's next one, else the browser (a learning render when the site's
        rules were being checked: what it fetched may teach a better rule)."""
        self.count("endpoints/missed")
        request = self._endpoint_request(state, pending, rest, checking)
        if request is not None:
            yield request
            return
        if checking:
            state.learning = False
            if state.start_learning():
                yield self._render_request(state, pending, learner=True)
                return
            yield self._render_request(state, pending)
            yield from self._release_parked(state)
            return
        yield self._render_request(state, pending)

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
            if letter.url and incomplete(letter):
                state.add_detail(url, LetterDetail(listed=item))
                if state.was_parsed(url):
                    yield self._page_request(state, url, depth=self.config.max_depth, priority=PRIORITY_PAGE)

    def _register_guides(self, state: SiteState, column: ColumnLink, listing: ListPage) -> Iterator[Any]:
        """A guide column's entries are judged as guides whenever their pages are parsed."""
        for entry in listing.entries[: self.config.guide_pages]:
            url = normalize_url(entry.url)
            state.add_detail(url, GuideDetail(column_url=column.url))
            if state.was_parsed(url):
                yield self._page_request(state, url, depth=self.config.max_depth, priority=PRIORITY_PAGE)

    def _detail_items(self, state: SiteState, url: str, page: Page) -> Iterator[Any]:
        detail = state.pop_detail(url)
        if detail is None:
            return
        page = page.at(url)  # a detail is known by the URL it was asked for
        if isinstance(detail, LetterDetail):
            letter = letter_detail(page)
            if letter is not None:
                yield merge_letter(detail.listed, letter)
        elif isinstance(detail, GuideDetail) and is_guide_page(page):
            present, missing = guide_elements(page, self.guide_elements)
            yield GuideItem(
                site_id=state.site.site_id,
                column_url=detail.column_url,
                url=url,
                title=page.title,
                present="|".join(present),
                missing="|".join(missing),
                forms=len(guide_forms(page)),
            )

    def _article_date_request(
        self,
        state: SiteState,
        column: ColumnLink,
        listing: ListPage,
        rendered: bool,
        targets: list[str],
        found: dict[str, date],
        redate: bool = False,
    ) -> scrapy.Request:
        """The next article of ``targets`` asked for its date (``found``: the dates read so far, by article URL).
        ``redate``: the targets are pinned entries whose list date lacked its year (`ListPage.unsure_pinned`),
        dated by their articles; otherwise the list is undated and its newest articles' dates stand for it."""
        cb_kwargs = {
            "column": column,
            "listing": listing,
            "rendered_list": rendered,
            "targets": targets[1:],
            "found": found,
            "redate": redate,
        }
        return self.site_request(
            state,
            targets[0],
            self.article_dated,
            self.article_date_failed,
            role="article_date",
            priority=PRIORITY_COLUMN,
            cb_kwargs=cb_kwargs,
        )

    def article_dated(
        self,
        response: Response,
        column: ColumnLink,
        listing: ListPage,
        rendered_list: bool,
        targets: list[str],
        found: dict[str, date],
        redate: bool = False,
    ) -> Iterator[Any]:
        """One of an undated list's newest articles (or an unsure pinned one): its date; the column's item after
        the last one."""
        found = dict(found)
        when = self._article_date_of(response)
        if when is not None:
            found[origin_url(response.request) if response.request else response.url] = when
        state = self.state_of(response)
        yield from self._next_article_date(state, column, listing, rendered_list, targets, found, redate)

    def _article_date_of(self, response: Response) -> date | None:
        """An article's own date (``article_date``), None for an answer that is no page."""
        if not (isinstance(response, TextResponse) and response.status < 400):
            return None
        when, _source = article_date(Page(decode_response(response)[0], response.url, self.today))
        return when

    @finishes_request
    def article_date_failed(self, failure: Failure) -> Iterator[Any]:
        kwargs = failure.request.cb_kwargs  # type: ignore[attr-defined]
        yield from self._next_article_date(
            self.state_of(failure),
            kwargs["column"],
            kwargs["listing"],
            kwargs["rendered_list"],
            kwargs["targets"],
            dict(kwargs["found"]),
            kwargs.get("redate", False),
        )

    def _next_article_date(
        self,
        state: SiteState,
        column: ColumnLink,
        listing: ListPage,
        rendered: bool,
        targets: list[str],
        found: dict[str, date],
        redate: bool = False,
    ) -> Iterator[Any]:
        if targets:
            yield self._article_date_request(state, column, listing, rendered, targets, found, redate)
            return
        column = state.column(column.url) or column  # a better source may have named it while its articles were read
        category = columns.column_category(state, self.categories, column, listing)
        if redate:
            # an article that gave no date (or was not asked: article_date_pages) leaves its entry's list date,
            # whose year then stays a guess (counted per column)
            if any(e.url not in found for e in listing.unsure_pinned()):
                self.count("columns/pinned_year_guessed")
                logger.info(
                    "站点 %s 栏目 %s：置顶信息的日期未写年份，其文章也未给出日期，按不晚于评估日期的最近一年计",
                    state.site.site_id,
                    column.url,
                )
            redated = listing.redated(found)
            yield columns.column_item(state, category, column, redated, rendered)
            # the list's rows written with the guessed year are written again with the article's date (same key:
            # the row is replaced); scoring gives the home page's copy of such an item the same date
            for entry in redated.entries:
                if entry.url in found:
                    yield columns.entry_item(state.site.site_id, column.url, entry)
            return
        article = max(found.values()) if found else None
        yield columns.column_item(state, category, column, listing, rendered, article=article)

    def _unreachable_column(
        self, state: SiteState, url: str, failure: RenderFailure | None = None
    ) -> Iterator[ColumnItem]:
        item = columns.unreachable_column(state, self.categories, url, failure)
        if item is not None:
            yield item

    @finishes_request
    def page_failed(self, failure: Failure) -> Iterator[Any]:
        state = self.state_of(failure)
        request = failure.request  # type: ignore[attr-defined]
        verdict = failure_verdict(state.site.site_id, request, failure)
        if is_rendered(request):
            logger.warning("渲染失败 %s：%s", verdict.url, verdict.reason)
            yield from self._unreachable_column(state, verdict.url)
            if request.meta.get(LEARNER):
                yield from self._release_parked(state)
            return
        yield PageItem(
            site_id=state.site.site_id,
            url=verdict.url,
            final_url=request.url,
            status=verdict.status,
            kind="error",
            depth=request.meta["gdepth"],
            fetched_at=now_iso(),
        )
        if request.meta["role"] == "home":
            # Not a link on any page: the site is unreachable, which the probes and the veto report.
            logger.warning("站点 %s 首页无法访问：%s %s", state.site.site_id, verdict.status, verdict.reason)
            return
        yield verdict
        yield from self._unreachable_column(state, verdict.url)
