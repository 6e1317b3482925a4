"""The requests of the content-security checks (issue 16), between the link checks and the site spider.

The spider fetches what only the security checks need and hands it to
:class:`govsites.securitypipeline.SecurityPipeline` as :class:`~govsites.items.ContentItem`\\ s:

- the home page rendered in Chromium (links written by scripts), once per site, from the answer the crawl read
  (:mod:`govsites.givendocument`: ``govsites/security/home_render_given``; ``…/home_render_fetched`` when the
  browser fetched it itself);
- the site's attachments (.xlsx, .docx, .pdf, .doc, .xls, .wps, .et, .txt, .csv) instead of a HEAD check: one
  GET per attachment URL and site, bounded by ``GOVSITES_SECURITY_MAX_BYTES`` (the download is cancelled beyond
  it) and ``GOVSITES_SECURITY_ATTACHMENTS`` per site (beyond it the attachment is only checked);
- the target page of each visible external link, once per run for all sites (once per worker in a distributed
  crawl), at most ``GOVSITES_SECURITY_TARGETS`` new ones per site.

Everything skipped or failed is counted under ``govsites/security/...``.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any

from scrapy.http import Response
from twisted.python.failure import Failure

from govsites.browserpages import render_failure
from govsites.extract.links import Link, url_host
from govsites.extract.page import Page
from govsites.givendocument import DOCUMENT, GIVEN, GivenDocument
from govsites.inflight import finishes_request
from govsites.items import ContentItem
from govsites.renderreuse import REUSED_FLAG
from govsites.security.attachments import SUPPORTED, extension
from govsites.security.darklinks import is_government_host, runs_scripts
from govsites.sharedanswers import FRESH
from govsites.sitestate import SiteState
from govsites.spiders.linkchecks import LinkCheckSpider, failure_verdict
from govsites.spiders.requests import PRIORITY_CHECK, PRIORITY_PAGE, render_meta
from govsites.spiders.responses import decode_response, origin_url
from govsites.spiders.soft404 import judge

logger = logging.getLogger(__name__)
#: the analyst's line when a site reaches a content-security cap (once per site)
CAP_WARNINGS = {
    "attachments": "站点 %s 的附件超过 %d 个（GOVSITES_SECURITY_ATTACHMENTS），其余附件只检查链接、不读取内容",
    "targets": "站点 %s 的外部链接超过 %d 个（GOVSITES_SECURITY_TARGETS），其余外部链接只检查可用性、不判断内容",
}
#: the Referer of target fetches: a visitor arriving from a search engine
SEARCH_REFERER = "https://www.baidu.com/link?url=govsites"
#: a target page is read up to this many bytes (a page, not a download)
TARGET_MAX_BYTES = 2 * 1024 * 1024


def declared_length(response: Response) -> int:
    """The Content-Length a response declared; -1 when it declared none or nonsense."""
    try:
        return int(response.headers.get(b"Content-Length") or b"-1")
    except ValueError:
        return -1


class ContentSecuritySpider(LinkCheckSpider):
    """Adds the content-security requests to a link-checking spider (see the module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.targets_asked: set[str] = set()
        self.crawled_hosts: frozenset[str] = frozenset()  # hosts of the sites this crawl takes (filled lazily)
        self.security_counts: Counter[tuple[str, str]] = Counter()  # (site_id, attachments|targets) -> asked

    def _security_stat(self, key: str) -> None:
        self.count(f"security/{key}")

    def _within_cap(self, state: SiteState, what: str, cap: int) -> bool:
        """Take one of the site's ``cap`` fetches of ``what``; False (counted) when none is left."""
        key = (state.site.site_id, what)
        if self.security_counts[key] >= cap:
            if self.security_counts[key] == cap:
                self.security_counts[key] += 1  # warn once per site
                logger.warning(CAP_WARNINGS[what], state.site.site_id, cap)
            self._security_stat(f"{what}_capped")
            self._security_stat(f"{what}_capped/{state.site.site_id}")
            return False
        self.security_counts[key] += 1
        self._security_stat(what)
        return True

    # -- the home page -------------------------------------------------------------------------------
    def home_content(self, state: SiteState, response: Response, page: Page) -> Iterator[Any]:
        """The raw home page for the dark-link and tampering checks, and its rendered copy (scripts' links) when
        it runs scripts: a page without any writes nothing a browser would add (counted, ``home_render_skipped``).
        With rendering off (``GOVSITES_RENDER_ENABLED`` or ``GOVSITES_SECURITY_HOME_RENDER``) a page that runs
        scripts is read raw only, and its site is told so as when its render fails (``home_render_off``)."""
        if not self.config.security_enabled:
            return
        site_id = state.site.site_id
        url = origin_url(response.request) if response.request is not None else response.url
        yield ContentItem(site_id=site_id, role="home", url=url, final_url=response.url, html=page.html)
        if not runs_scripts(page.raw):
            self._security_stat("home_render_skipped")
            return
        if not (self.config.render_enabled and self.config.security_home_render):
            self._security_stat("home_render_off")
            switch = "GOVSITES_SECURITY_HOME_RENDER" if self.config.render_enabled else "GOVSITES_RENDER_ENABLED"
            reason = f"浏览器渲染已关闭（{switch}=0）"
            yield ContentItem(site_id=site_id, role="home_rendered", url=url, final_url=response.url, reason=reason)
            return
        yield self.site_request(
            state,
            response.url,
            self.home_rendered,
            self.home_render_failed,
            role="home_render",
            priority=PRIORITY_PAGE,  # after the renders of lists, which the site's crawl waits for
            # the browser reads the page just read raw, not a second (perhaps regenerated) copy of it
            meta={**render_meta(), DOCUMENT: GivenDocument.of(response)},
        )

    def home_rendered(self, response: Response) -> Iterator[Any]:
        state = self.state_of(response)
        if REUSED_FLAG not in response.flags:  # a kept render (govsites.renderreuse) was not rendered now
            self._security_stat("home_render_given" if response.meta.get(GIVEN) else "home_render_fetched")
        html, _encoding = decode_response(response)
        yield ContentItem(
            site_id=state.site.site_id, role="home_rendered", url=response.url, final_url=response.url, html=html
        )

    @finishes_request
    def home_render_failed(self, failure: Failure) -> Iterator[Any]:
        """The home page's render did not complete: its dark-link check read the raw page only, which the analyst is
        told (a notice-level finding of the site, with the browser's reason)."""
        self._security_stat("home_render_failed")
        request = failure.request  # type: ignore[attr-defined]
        error = failure.value or Exception(failure.getErrorMessage())
        reason = render_failure(error, 1 + int(request.meta.get("retry_times", 0))).detail
        logger.warning("站点首页 %s 未能用浏览器渲染，暗链检查只读了原始页面：%s", request.url, reason)
        yield ContentItem(
            site_id=self.state_of(failure).site.site_id,
            role="home_rendered",
            url=request.url,
            final_url=request.url,
            reason=reason,
        )

    # -- attachments and link targets ----------------------------------------------------------------
    def security_requests(self, state: SiteState, links: Iterable[Link], source_url: str) -> Iterator[Any]:
        """Attachments of the site (claimed here: their GET is also their link check) and external targets."""
        if not self.config.security_enabled:
            return
        for link in links:
            if not link.url.startswith(("http://", "https://")):
                continue
            if state.internal(link.url):
                if extension(link.url) not in SUPPORTED or link.tag != "a":
                    continue
                if not state.claim(link.url):
                    continue  # already fetched or checked for this site
                if self._within_cap(state, "attachments", self.config.security_attachments):
                    yield self._attachment_request(state, link.url, source_url)
                else:
                    yield self.check_request(state, link.url)  # beyond the cap: checked, not read
            elif self._new_target(link) and self._within_cap(state, "targets", self.config.security_targets):
                self.targets_asked.add(link.url)
                # The first time the run meets the URL, its GET is also the run's link check of it (shared with
                # every site linking to it, see LinkCheckSpider.shared_check): the URL is fetched once.
                check = self._target_is_check(state, link.url)
                request = self.site_request(
                    state,
                    link.url,
                    self.target_fetched,
                    self.target_failed,
                    role="security_target",
                    priority=PRIORITY_CHECK,
                    meta={"download_maxsize": TARGET_MAX_BYTES, "download_warnsize": 0},
                    cb_kwargs={"check": check},
                )
                # A taken-over domain often shows its gambling page only to visitors coming from a search engine
                # (and a harmless page to the site's own editors): the target is asked for as such a visitor.
                request.headers["Referer"] = SEARCH_REFERER
                request.meta[FRESH] = True  # its answer depends on that header: never another request's
                yield request

    def _target_is_check(self, state: SiteState, url: str) -> bool:
        """Whether a target's GET is also the link check of ``url`` (claimed for the site, then not checked
        again): in a distributed crawl each site checks external URLs itself; otherwise the run checks each once,
        and a URL whose check is known or under way keeps it (the site then waits for it in ``_follow``)."""
        if self.strategy.shared_queue:
            return state.claim(url)
        if url in self.shared_checks.checks:
            return False
        return state.claim(url) and self.shared_checks.ask(state.site.site_id, url) is True

    def _new_target(self, link: Link) -> bool:
        """A visible external link not yet fetched in this run, neither to a government host nor to a site of
        this crawl (those are crawled themselves)."""
        if link.tag != "a" or link.url in self.targets_asked:
            return False
        host = url_host(link.url)
        if not self.crawled_hosts:
            self.crawled_hosts = frozenset(state.site.host for state in self.states.values())
        return not is_government_host(host) and host not in self.crawled_hosts

    def _attachment_request(self, state: SiteState, url: str, source_url: str) -> Any:
        return self.site_request(
            state,
            url,
            self.attachment_fetched,
            self.attachment_failed,
            role="attachment",
            priority=PRIORITY_CHECK,
            meta={
                "body_cap": self.config.security_max_bytes,  # govsites.extensions.HeadersOnly: declared too big
                "download_maxsize": self.config.security_max_bytes,  # streamed too big: cancelled
                "download_warnsize": 0,
            },
            cb_kwargs={"source_url": source_url},
        )

    def attachment_fetched(self, response: Response, source_url: str) -> Iterator[Any]:
        state = self.state_of(response)
        verdict = judge(state, response, "")
        yield verdict
        url = origin_url(response.request)  # type: ignore[arg-type]
        declared = declared_length(response)
        if response.status != 200:
            reason = f"附件无法读取：下载失败（HTTP {response.status}）"
        elif declared > self.config.security_max_bytes:
            reason = f"附件无法读取：文件大小 {declared // (1024 * 1024)} MB，超过 {self._megabytes()} MB 上限，未读取"
        else:
            reason = ""
        if reason:
            self._security_stat("attachments_failed")
        yield ContentItem(
            site_id=state.site.site_id,
            role="attachment",
            url=url,
            source_url=source_url,
            final_url=response.url,
            body=b"" if reason else response.body,
            reason=reason,
        )

    @finishes_request
    def attachment_failed(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        verdict = failure_verdict(request.meta["site_id"], request, failure)
        self._security_stat("attachments_failed")
        megabytes = self._megabytes()
        yield verdict
        yield ContentItem(
            site_id=verdict.site_id,
            role="attachment",
            url=verdict.url,
            source_url=request.cb_kwargs.get("source_url", ""),
            reason=f"附件无法读取：下载失败或超过 {megabytes} MB 上限（{verdict.reason}）",
        )

    def _megabytes(self) -> int:
        return self.config.security_max_bytes // (1024 * 1024)

    def target_fetched(self, response: Response, check: bool = False) -> Iterator[Any]:
        state = self.state_of(response)
        if check:
            verdict = judge(state, response, "")
            yield verdict
            yield from self.share_verdict(verdict, not self.strategy.shared_queue)
        html = decode_response(response)[0] if response.status < 400 else ""
        yield ContentItem(
            site_id=state.site.site_id,
            role="target",
            url=origin_url(response.request),  # type: ignore[arg-type]
            final_url=response.url,
            html=html,
        )

    @finishes_request
    def target_failed(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        self._security_stat("targets_failed")
        if request.cb_kwargs.get("check"):
            verdict = failure_verdict(request.meta["site_id"], request, failure)
            yield verdict
            yield from self.share_verdict(verdict, not self.strategy.shared_queue)
        yield ContentItem(site_id=request.meta["site_id"], role="target", url=origin_url(request), reason="failed")
