"""Downloader middlewares: the scope guard."""

from __future__ import annotations

import functools
import logging
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.exceptions import IgnoreRequest, NotConfigured

from govsites.config import GovsitesConfig
from govsites.netpolicy import DEFAULT_PORTS, ScopePolicy, resolve_host
from govsites.registry import load_sites

logger = logging.getLogger(__name__)


def registered_netloc(url: str) -> str:
    """``host:port`` of a registered site (default port filled in)."""
    parts = urlsplit(url)
    return f"{(parts.hostname or '').lower()}:{parts.port or DEFAULT_PORTS.get(parts.scheme, 80)}"


@functools.lru_cache(maxsize=8192)
def _resolve_cached(host: str) -> tuple[str, ...]:
    return tuple(resolve_host(host))


def _cached_resolve(host: str) -> list[str]:
    """The resolver, remembered per host for the process (the guard runs on every request)."""
    return list(_resolve_cached(host))


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
        config = GovsitesConfig.from_settings(crawler.settings)
        if not config.guard_enabled:
            raise NotConfigured
        registry = load_sites(config.sites)
        hosts = frozenset(registered_netloc(site.home_url) for site in registry.sites)
        policy = ScopePolicy(allowed_hosts=hosts, allow_private=config.allow_private)
        return cls(policy, crawler.stats)

    def process_request(self, request: Request) -> None:
        reason = self.policy.check(request.url, resolve=_cached_resolve)
        if reason is not None:
            if self.stats is not None:
                self.stats.inc_value(f"govsites/blocked_by_policy/{reason}")
            logger.debug("Refused by scope guard (%s): %s", reason, request.url)
            raise IgnoreRequest(f"blocked_by_policy: {reason}")
