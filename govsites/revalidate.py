"""Conditional requests for later crawls of the same registry (a monitoring week costs little).

Scrapy's own HTTP cache (``HttpCacheMiddleware`` with the filesystem storage, one file per request, safe for
several worker processes) keeps every answer that carries a validator (``ETag`` or ``Last-Modified``).
:class:`RevalidatePolicy` never serves a kept answer unasked: every request for a kept URL is sent again with
``If-None-Match`` / ``If-Modified-Since``, and only a ``304 Not Modified`` reuses the kept answer (the page is then
extracted again from the same bytes, so its findings are identical). Anything else — a new body, a 404, a 5xx, a
timeout — is the answer of this crawl: an outage or a broken link is never hidden by the cache. Rendered requests
(the browser) are never kept. ``GOVSITES_REVALIDATE_ENABLED`` switches it (the add-on sets ``HTTPCACHE_*``);
``GOVSITES_HTTPCACHE_DIR`` says where answers are kept (default: beside a SQLite store, ``<store>.httpcache``).
"""

from __future__ import annotations

from pathlib import Path

from scrapy import Request
from scrapy.extensions.httpcache import RFC2616Policy
from scrapy.http import Response

#: The Scrapy settings of revalidation (the cache folder is added by the add-on).
HTTPCACHE_SETTINGS = {
    "HTTPCACHE_ENABLED": True,
    "HTTPCACHE_POLICY": "govsites.revalidate.RevalidatePolicy",
    "HTTPCACHE_STORAGE": "scrapy.extensions.httpcache.FilesystemCacheStorage",
    "HTTPCACHE_GZIP": True,
    "HTTPCACHE_EXPIRATION_SECS": 0,
    "HTTPCACHE_ALWAYS_STORE": False,
}


def cache_dir(configured: str, db: str) -> str:
    """The folder of kept answers: the configured one, else ``<store>.httpcache`` beside a SQLite file, else
    ``data/httpcache`` (a PostgreSQL store: each machine keeps its own). Always absolute (Scrapy would otherwise
    put it under ``.scrapy/``)."""
    if configured:
        return str(Path(configured).resolve())
    if "://" in db and not db.startswith("sqlite:///"):
        return str(Path("data/httpcache").resolve())
    path = Path(db.removeprefix("sqlite:///"))
    return str(path.with_name(path.name + ".httpcache").resolve())


class RevalidatePolicy(RFC2616Policy):
    """Keep answers with a validator; always revalidate; reuse only on 304."""

    def should_cache_request(self, request: Request) -> bool:
        if request.meta.get("playwright"):
            return False  # a rendered page is the browser's, not one HTTP answer
        return super().should_cache_request(request)

    def should_cache_response(self, response: Response, request: Request) -> bool:
        has_validator = b"ETag" in response.headers or b"Last-Modified" in response.headers
        return response.status == 200 and has_validator and super().should_cache_response(response, request)

    def is_cached_response_fresh(self, cachedresponse: Response, request: Request) -> bool:
        """Never fresh: ask the server, with the kept answer's validators."""
        if b"Last-Modified" in cachedresponse.headers:
            request.headers[b"If-Modified-Since"] = cachedresponse.headers[b"Last-Modified"]
        if b"ETag" in cachedresponse.headers:
            request.headers[b"If-None-Match"] = cachedresponse.headers[b"ETag"]
        return False

    def is_cached_response_valid(self, cachedresponse: Response, response: Response, request: Request) -> bool:
        """Only the server's 304 (never a 5xx: an outage must be seen)."""
        return response.status == 304
