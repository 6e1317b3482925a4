"""The requests the site checks need (:mod:`govsites.sitechecks`), as a layer of the site spider.

From the home page: the site search submitted with the title of a recent article of the home page (``search``),
and the previous year's 政府网站工作年度报表 linked from it, fetched for its publication date
(``annual_report``). Each answer becomes a :class:`~govsites.items.SiteCheckItem`; every request goes through
:meth:`~govsites.spiders.sites.RegisteredSitesSpider.site_request` (counted in flight, within the crawl's
timeouts) and is counted in ``govsites/sitechecks/...``. The judging is the pure code's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import date
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import scrapy
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure

from govsites.extract.listing import ListEntry
from govsites.inflight import finishes_request
from govsites.items import SiteCheckItem
from govsites.sitechecks.annual_report import (
    ReportLink,
    deadline_for,
    disclosure_links,
    judge_annual_report,
    report_for_year,
)
from govsites.sitechecks.annual_report import report_published as published_on
from govsites.sitechecks.markup import SitePage
from govsites.sitechecks.result import CheckResult
from govsites.sitechecks.search import SearchForm, build_search_request, find_search_form, judge_search
from govsites.sitestate import SiteState
from govsites.spiders.linkchecks import failure_verdict
from govsites.spiders.requests import PRIORITY_COLUMN, https_slot
from govsites.spiders.responses import decode_response

#: 信息公开 pages of the home page opened to look for the annual report when the home page does not link it.
DISCLOSURE_PAGES = 2


def check_item(site_id: str, result: CheckResult) -> SiteCheckItem:
    return SiteCheckItem(site_id=site_id, check_name=result.check, status=result.status, detail=result.detail)


def https_item(site_id: str, result: CheckResult, url: str) -> SiteCheckItem:
    """The ``https`` row of an HTTPS answer: its certificate is verified on the way to the store."""
    return SiteCheckItem(site_id=site_id, check_name=result.check, status=result.status, detail=result.detail, url=url)


def recent_title(entries: Sequence[ListEntry]) -> str:
    """The title of the newest dated entry of the home page (the first entry when none is dated)."""
    dated = [e for e in entries if e.date is not None and e.title.strip()]
    if dated:
        return max(dated, key=lambda e: e.date or date.min).title.strip()
    return next((e.title.strip() for e in entries if e.title.strip()), "")


class SiteCheckRequests:
    """Callbacks and requests of the search and annual-report checks (mixed into the site spider)."""

    # provided by the spider (govsites.spiders.sites.RegisteredSitesSpider): annotations only, no attributes
    config: Any
    today: date
    crawler: Any
    site_request: Callable[..., scrapy.Request]
    state_of: Callable[[Any], SiteState]
    count: Callable[..., None]

    def _sitecheck_count(self, key: str) -> None:
        self.count(f"sitechecks/{key}")

    def site_check_requests(self, state: SiteState, page: SitePage, entries: Sequence[ListEntry]) -> Iterator[Any]:
        """The search and annual-report checks of a site's home page: a request each, or the result now."""
        if not self.config.sitechecks_enabled:
            return
        site_id = state.site.site_id
        form = find_search_form(page)
        title = recent_title(entries)
        if form is None or not title:
            yield check_item(site_id, judge_search(form, title))
        else:
            yield self._search_request(state, form, title)
        yield from self._report_or_next(state, page, disclosure_links(page)[:DISCLOSURE_PAGES])

    def _report_or_next(self, state: SiteState, page: SitePage, pending: Sequence[str]) -> Iterator[Any]:
        """The report linked from ``page``; else the next 信息公开 page to look at; else the report is missing."""
        year, _deadline = deadline_for(self.today)
        link = report_for_year(page, year)
        if link is not None:
            self._sitecheck_count("report_requests")
            yield self.site_request(
                state,
                link.url,
                self.report_done,
                self.report_failed,
                role="sitecheck",
                priority=PRIORITY_COLUMN,
                cb_kwargs={"link": link},
            )
        elif pending:
            self._sitecheck_count("disclosure_requests")
            yield self.site_request(
                state,
                pending[0],
                self.disclosure_done,
                self.disclosure_failed,
                role="sitecheck",
                priority=PRIORITY_COLUMN,
                cb_kwargs={"pending": list(pending[1:])},
            )
        else:
            yield check_item(state.site.site_id, judge_annual_report(self.today, None, None))

    def disclosure_done(self, response: Response, pending: list[str]) -> Iterator[Any]:
        """A 信息公开 page of the home page: the report may be linked there."""
        state = self.state_of(response)
        text, encoding = decode_response(response) if response.status < 400 else ("", "")
        yield from self._report_or_next(state, SitePage(text, response.url, encoding or "utf-8"), pending)

    @finishes_request
    def disclosure_failed(self, failure: Failure) -> Iterator[Any]:
        state = self.state_of(failure)
        request = failure.request  # type: ignore[attr-defined]
        yield from self._report_or_next(state, SitePage("", request.url), request.cb_kwargs["pending"])

    def https_check(self, state: SiteState, home_url: str, final_url: str) -> Iterator[Any]:
        """``https`` (informational): ``ok`` when the home page ends on HTTPS; otherwise the HTTPS home page is
        asked for (``wrong`` when it answers: HTTP is not redirected to it; ``missing`` when it does not).
        The certificate of the answer is verified by :class:`govsites.pipelines.SiteChecksPipeline` (``url``)."""
        if not self.config.sitechecks_enabled:
            return
        site_id = state.site.site_id
        if urlsplit(final_url).scheme == "https":
            moved = urlsplit(home_url).scheme == "http"
            detail = "HTTP 访问跳转至 HTTPS" if moved else "首页使用 HTTPS"
            yield https_item(site_id, CheckResult("https", "ok", detail), final_url)
            return
        self._sitecheck_count("https_requests")
        parts = urlsplit(final_url)
        yield self.site_request(
            state,
            urlunsplit(("https", parts.netloc, parts.path or "/", parts.query, "")),
            self.https_done,
            self.https_failed,
            role="sitecheck",
            priority=PRIORITY_COLUMN,
            # One attempt: a host without HTTPS often drops port 443 silently, and retried timeouts would hold
            # a request slot for minutes while the site's own pages wait (measured: 300 small sites, docs/scaling.md).
            # A downloader slot of its own: the answer that never comes (15 s) holds none of the host's connections
            # for its pages (measured: 64 of 65 checks held one for 15-19 s at the start of each site's crawl).
            meta={"dont_retry": True, "download_slot": https_slot(parts.hostname or "")},
        )

    def https_done(self, response: Response) -> Iterator[SiteCheckItem]:
        state = self.state_of(response)
        detail = f"HTTPS 可访问（HTTP {response.status}），但 HTTP 访问未跳转至 HTTPS"
        yield https_item(state.site.site_id, CheckResult("https", "wrong", detail), response.url)

    @finishes_request
    def https_failed(self, failure: Failure) -> Iterator[SiteCheckItem]:
        state = self.state_of(failure)
        detail = f"未启用 HTTPS：{failure.getErrorMessage()[:120]}"
        yield check_item(state.site.site_id, CheckResult("https", "missing", detail))

    def _search_request(self, state: SiteState, form: SearchForm, title: str) -> scrapy.Request:
        built = build_search_request(form, title)
        self._sitecheck_count("search_requests")
        request = self.site_request(
            state,
            built.url,
            self.search_done,
            self.search_failed,
            role="sitecheck",
            priority=PRIORITY_COLUMN,
            method=built.method,
            cb_kwargs={"form": form, "title": title},
        )
        return request.replace(body=built.body, headers=dict(built.headers)) if built.method == "POST" else request

    def search_done(self, response: Response, form: SearchForm, title: str) -> Iterator[SiteCheckItem]:
        state = self.state_of(response)
        text, encoding = decode_response(response)
        results = SitePage(text, response.url, encoding or "utf-8") if isinstance(response, TextResponse) else None
        result = judge_search(form, title, results, response.status)
        if not result.passed:
            self._sitecheck_count("search_failed")
        yield check_item(state.site.site_id, result)

    @finishes_request
    def search_failed(self, failure: Failure) -> Iterator[SiteCheckItem]:
        state = self.state_of(failure)
        request = failure.request  # type: ignore[attr-defined]
        verdict = failure_verdict(state.site.site_id, request, failure)
        self._sitecheck_count("search_failed")
        kwargs = request.cb_kwargs
        result = judge_search(kwargs["form"], kwargs["title"], failure=f"{verdict.status} {verdict.reason}")
        yield check_item(state.site.site_id, result)

    def report_done(self, response: Response, link: ReportLink) -> Iterator[SiteCheckItem]:
        state = self.state_of(response)
        if response.status >= 400:
            detail = f"《{link.title}》链接失效（HTTP {response.status}）"
            yield check_item(state.site.site_id, CheckResult("annual_report", "missing", detail))
            return
        text, encoding = decode_response(response)
        published = published_on(SitePage(text, response.url, encoding or "utf-8"), self.today)
        yield check_item(state.site.site_id, judge_annual_report(self.today, link, published))

    @finishes_request
    def report_failed(self, failure: Failure) -> Iterator[SiteCheckItem]:
        state = self.state_of(failure)
        link = failure.request.cb_kwargs["link"]  # type: ignore[attr-defined]
        detail = f"《{link.title}》无法打开：{failure.getErrorMessage()}"
        yield check_item(state.site.site_id, CheckResult("annual_report", "error", detail))
