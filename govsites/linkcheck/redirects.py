"""Redirects: followed up to ``REDIRECT_MAX_TIMES``, with loops told apart from long chains."""

from __future__ import annotations

from typing import Any

from scrapy import Request
from scrapy.downloadermiddlewares.redirect import RedirectMiddleware
from scrapy.exceptions import IgnoreRequest

#: A URL may come back once in a chain (a cookie-setting self-redirect is common); twice is a loop.
LOOP_REPEATS = 2


class LoopAwareRedirectMiddleware(RedirectMiddleware):
    """Scrapy's redirect middleware, raising ``redirect loop`` when a chain revisits a URL.

    The failure reaches the request's errback, which records the link as ``redirect_loop`` (and a chain
    longer than the limit as ``too_many_redirects``).
    """

    def _redirect(self, redirected: Request, request: Request, reason: Any) -> Request:
        chain = [*request.meta.get("redirect_urls", []), request.url]
        if chain.count(redirected.url) >= LOOP_REPEATS - 1 and redirected.url in chain[:-1]:
            raise IgnoreRequest(f"redirect loop: {redirected.url}")
        return super()._redirect(redirected, request, reason)
