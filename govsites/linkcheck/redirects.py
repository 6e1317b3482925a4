"""Redirects: followed up to ``REDIRECT_MAX_TIMES``, with loops told apart from long chains, and not followed
into a page of the site read already.

Government sites link their own articles through redirecting addresses (``/go/ok_123`` → ``/go/ok2_123`` →
the article; 上一篇/下一篇, counters, old URLs kept alive), next to the article's own address. Followed each
time, the article is fetched and read again for every such link. When the spider says the target is a page of
the request's site read already (its ``redirect_target_read(request, url)``), the redirect answer itself goes to
the request's callback with ``request.meta[READ_TARGET]`` set to the target: the link's verdict is the page's,
and the page is not fetched again. Counted as ``govsites/redirects/to_page_read``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from scrapy import Request
from scrapy.downloadermiddlewares.redirect import RedirectMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response

#: A URL may come back once in a chain (a cookie-setting self-redirect is common); twice is a loop.
LOOP_REPEATS = 2
#: ``request.meta`` key: the page of the site, read already, that this request's redirect leads to (not followed).
READ_TARGET = "redirect_target_read"


class LoopAwareRedirectMiddleware(RedirectMiddleware):
    """Scrapy's redirect middleware, raising ``redirect loop`` when a chain revisits a URL, and handing a redirect
    into a page read already to the callback (see the module docstring).

    The failure reaches the request's errback, which records the link as ``redirect_loop`` (and a chain
    longer than the limit as ``too_many_redirects``).
    """

    def _redirect(self, redirected: Request, request: Request, reason: Any) -> Request:
        chain = [*request.meta.get("redirect_urls", []), request.url]
        if chain.count(redirected.url) >= LOOP_REPEATS - 1 and redirected.url in chain[:-1]:
            raise IgnoreRequest(f"redirect loop: {redirected.url}")
        return super()._redirect(redirected, request, reason)

    def process_response(self, request: Request, response: Response) -> Request | Response:  # type: ignore[override]
        result = super().process_response(request, response)
        if not isinstance(result, Request) or result is request:
            return result
        target_read: Callable[[Request, str], bool] | None = getattr(self.crawler.spider, "redirect_target_read", None)
        if target_read is None or not target_read(request, result.url):
            return result
        request.meta[READ_TARGET] = result.url
        # the redirect answer reaches the callback, which judges the link by the page read already
        request.meta["handle_httpstatus_list"] = [*request.meta.get("handle_httpstatus_list", []), response.status]
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value("govsites/redirects/to_page_read")
        return response
