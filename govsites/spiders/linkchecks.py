"""Link checks: verdicts on URLs that are not crawled, and external URLs checked once per run for all sites.

A link that is not crawled is checked: HEAD first (:data:`HEAD_RETRY_WITH_GET`: answers checked again with GET,
headers only), by GET with the body for internal pages beyond the crawl's caps (only a body tells a soft 404).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from scrapy import Request
from twisted.python.failure import Failure

from govsites.items import LinkCheckItem
from govsites.linkcheck.classify import classify_failure, is_broken
from govsites.spiders.responses import origin_url
from govsites.store import now_iso

#: Every 4xx/5xx response reaches the callbacks (redirects are still followed, unlike handle_httpstatus_all).
ALL_ERROR_CODES = list(range(400, 600))
#: HEAD answers that are not trusted: the link is checked again with GET (headers only).
HEAD_RETRY_WITH_GET = frozenset(ALL_ERROR_CODES)


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
        return LinkCheckItem(site_id=site_id, url=url, status="error", reason="本地文件链接（file:），访问者无法打开",
                             broken=True, checked_at=now_iso())
    return LinkCheckItem(site_id=site_id, url=url, status="skipped", reason=f"未检查的协议 {scheme}:", broken=False,
                         checked_at=now_iso())


def failure_verdict(site_id: str, request: Request, failure: Failure) -> LinkCheckItem:
    """The verdict on a request that got no answer (DNS, refused, timeout, TLS, redirect loop ...)."""
    status, reason = classify_failure(failure.value or Exception())
    return LinkCheckItem(site_id=site_id, url=origin_url(request), status=status, reason=reason,
                         broken=is_broken(status), final_url=request.url, checked_at=now_iso())
