"""Downloader middlewares: the scope guard."""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Request
from scrapy.exceptions import IgnoreRequest, NotConfigured

from govsites.netpolicy import ScopePolicy
from govsites.registry import load_sites

logger = logging.getLogger(__name__)


class ScopeGuardMiddleware:
    """Refuse non-http(s) URLs and private, loopback, link-local and metadata addresses.

    Registered sites' hosts are always allowed (a registry may name an intranet site); ``ALLOW_PRIVATE=1``
    (``GOVSITES_ALLOW_PRIVATE``) lifts the address rule for local test webs. Redirects pass through here
    again, so a redirect to a private address is refused too. Refusals surface as ``blocked_by_policy``.
    """

    def __init__(self, policy: ScopePolicy, stats: Any = None) -> None:
        self.policy = policy
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Any) -> ScopeGuardMiddleware:
        settings = crawler.settings
        if not settings.getbool("GOVSITES_GUARD_ENABLED", True):
            raise NotConfigured
        registry = load_sites(settings.get("GOVSITES_SITES"))
        hosts = frozenset(site.host for site in registry.sites)
        policy = ScopePolicy(allowed_hosts=hosts, allow_private=settings.getbool("GOVSITES_ALLOW_PRIVATE"))
        return cls(policy, crawler.stats)

    def process_request(self, request: Request) -> None:
        reason = self.policy.check(request.url)
        if reason is not None:
            if self.stats is not None:
                self.stats.inc_value(f"govsites/blocked_by_policy/{reason}")
            logger.debug("Refused by scope guard (%s): %s", reason, request.url)
            raise IgnoreRequest(f"blocked_by_policy: {reason}")
