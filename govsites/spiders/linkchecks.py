"""Link checks: verdicts on URLs that are not crawled, and external URLs checked once per run for all sites.

A link that is not crawled is checked: HEAD first (:data:`HEAD_RETRY_WITH_GET`: answers checked again with GET,
headers only; a host that refused a HEAD, :data:`HEAD_REFUSED`, is asked with GET at once afterwards), by GET with
the body for internal pages beyond the crawl's caps (only a body tells a soft 404).
:class:`LinkCheckSpider` builds these requests and judges their answers; :class:`~govsites.spiders.site.SiteSpider`
is one.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.http import Response
from twisted.python.failure import Failure

from govsites.extract.text import title_and_text
from govsites.inflight import finishes_request, site_finished
from govsites.items import LinkCheckItem
from govsites.linkcheck.classify import classify_failure, is_broken
from govsites.linkcheck.redirects import READ_TARGET
from govsites.sitestate import SiteState
from govsites.spiders.requests import ALL_ERROR_CODES, PRIORITY_CHECK
from govsites.spiders.responses import decode_response, origin_url
from govsites.spiders.sites import RegisteredSitesSpider
from govsites.spiders.soft404 import judge, read_target_verdict
from govsites.store import now_iso

#: HEAD answers that are not trusted: the link is checked again with GET (headers only).
HEAD_RETRY_WITH_GET = frozenset(ALL_ERROR_CODES)
#: HEAD answers that say the host does not take HEAD at all: its later links are checked with GET at once.
HEAD_REFUSED = frozenset({405, 501})


@dataclass
class SharedChecks:
    """External URLs checked once per run: the verdict, or the sites waiting for the check under way.

    Not in distributed mode: there each site checks the external URLs it links to itself (the verdicts are the
    same; only the number of requests to external hosts grows)."""

    checks: dict[str, LinkCheckItem | list[str]] = field(default_factory=dict)

    def ask(self, site_id: str, url: str) -> LinkCheckItem | bool:
        """The known verdict, as ``site_id``'s; True: check ``url`` (no one has yet); False: wait for the check
        under way (the verdict is copied to ``site_id`` by :meth:`answer`)."""
        known = self.checks.get(url)
        if known is None:
            self.checks[url] = []
            return True
        if isinstance(known, LinkCheckItem):
            return replace(known, site_id=site_id)
        known.append(site_id)
        return False

    def answer(self, verdict: LinkCheckItem) -> list[str]:
        """Remember ``verdict``; the sites that were waiting for it."""
        waiting = self.checks.get(verdict.url)
        self.checks[verdict.url] = verdict
        return waiting if isinstance(waiting, list) else []


def unfetchable(site_id: str, url: str, scheme: str) -> LinkCheckItem:
    """The verdict on a link with a scheme that is not fetched (mailto:, javascript:, file: ...)."""
    if scheme == "file":
        # A link into the editor's own disk (file:///C:/...): broken for every visitor.
        return LinkCheckItem(
            site_id=site_id,
            url=url,
            status="error",
            reason="本地文件链接（file:），访问者无法打开",
            broken=True,
            checked_at=now_iso(),
        )
    return LinkCheckItem(
        site_id=site_id, url=url, status="skipped", reason=f"未检查的协议 {scheme}:", broken=False, checked_at=now_iso()
    )


def failure_verdict(site_id: str, request: Request, failure: Failure) -> LinkCheckItem:
    """The verdict on a request that got no answer (DNS, refused, timeout, TLS, redirect loop ...)."""
    status, reason = classify_failure(failure.value or Exception())
    return LinkCheckItem(
        site_id=site_id,
        url=origin_url(request),
        status=status,
        reason=reason,
        broken=is_broken(status),
        final_url=request.url,
        checked_at=now_iso(),
    )


class LinkCheckSpider(RegisteredSitesSpider):
    """A spider that checks links: builds the check requests and turns their answers into verdicts."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.shared_checks = SharedChecks()
        #: hosts (with port) that answered a HEAD with 405/501: asking them HEAD first costs a request per link
        self.head_refused: set[str] = set()

    def check_request(
        self, state: SiteState, url: str, *, method: str = "HEAD", shared: bool = False, read_body: bool = False
    ) -> Request:
        """Check ``url`` for ``state``'s site (``shared``: the verdict is copied to the sites waiting for it). A
        host that refused a HEAD before is asked with GET at once (headers only; ``govsites/checks/head_skipped``)."""
        if method == "HEAD" and self.head_refused and urlsplit(url).netloc.lower() in self.head_refused:
            method = "GET"
            self.count("checks/head_skipped")
        return self.site_request(
            state,
            url,
            self.check_done,
            self.check_failed,
            role="check_page" if read_body else "check",
            priority=PRIORITY_CHECK,
            method=method,
            meta={"headers_only": method == "GET" and not read_body},
            cb_kwargs={"shared": True} if shared else None,
        )

    def beyond_caps(self, request: Request) -> Request | None:
        """An internal page beyond the crawl's caps (:mod:`govsites.caps`): only its body tells a soft 404 (a
        removed article served as 200 "页面不存在"), so it is read — not crawled further — rather than asked for
        headers."""
        return self.check_request(self.states[request.meta["site_id"]], request.url, method="GET", read_body=True)

    def shared_check(self, state: SiteState, url: str) -> Iterator[Any]:
        """An external URL: checked once per run (:class:`SharedChecks`), by each site in distributed mode."""
        if self.strategy.shared_queue:
            yield self.check_request(state, url)
            return
        asked = self.shared_checks.ask(state.site.site_id, url)
        if asked is True:
            yield self.check_request(state, url, shared=True)
        elif asked is False:
            state.add_inflight(1)  # waiting for another site's check of the same URL
        else:
            yield asked

    def share_verdict(self, verdict: LinkCheckItem, shared: bool) -> Iterator[Any]:
        """Copies of a shared check's verdict for the sites that waited for it (and their accounting)."""
        for site_id in self.shared_checks.answer(verdict) if shared else []:
            yield replace(verdict, site_id=site_id)
            yield from site_finished(self.states[site_id])

    def check_done(self, response: Response, shared: bool = False) -> Iterator[Any]:
        request = response.request
        assert request is not None
        state = self.state_of(response)
        if (target := request.meta.get(READ_TARGET)) is not None:
            # redirected to a page of the site read already: its verdict, the page not fetched again
            verdict = read_target_verdict(state, origin_url(request), target)
            yield verdict
            yield from self.share_verdict(verdict, shared)
            return
        if request.method == "HEAD" and response.status in HEAD_RETRY_WITH_GET:
            if response.status in HEAD_REFUSED:
                self.head_refused.add(urlsplit(request.url).netloc.lower())
            yield self.check_request(state, origin_url(request), method="GET", shared=shared)
            return
        html, _encoding = decode_response(response) if request.meta["role"] == "check_page" else ("", "")
        title, text = title_and_text(html) if html else ("", "")
        verdict = judge(state, response, html, title, text)
        yield verdict
        yield from self.share_verdict(verdict, shared)

    @finishes_request
    def check_failed(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        verdict = failure_verdict(request.meta["site_id"], request, failure)
        yield verdict
        yield from self.share_verdict(verdict, bool(request.cb_kwargs.get("shared")))
