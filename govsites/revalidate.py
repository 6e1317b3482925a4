"""Conditional requests for later crawls of the same registry (a monitoring week costs little).

Scrapy's own HTTP cache (``HttpCacheMiddleware``) with a storage of our own, :class:`KeptAnswers` (one file per
request, written whole or not at all, safe for several worker processes), keeps every answer that carries a
validator (``ETag`` or ``Last-Modified``).
:class:`RevalidatePolicy` never serves a kept answer unasked: every request for a kept URL is sent again with
``If-None-Match`` / ``If-Modified-Since``, and only a ``304 Not Modified`` reuses the kept answer (the page is then
extracted again from the same bytes, so its findings are identical). Anything else — a new body, a 404, a 5xx, a
timeout — is the answer of this crawl: an outage or a broken link is never hidden by the cache. Rendered requests
(the browser) are never kept. ``GOVSITES_REVALIDATE_ENABLED`` switches it (the add-on sets ``HTTPCACHE_*``);
``GOVSITES_HTTPCACHE_DIR`` says where answers are kept (default: beside a SQLite store, ``<store>.httpcache``).
"""

from __future__ import annotations

import json
import os
import struct
import time
import zlib
from pathlib import Path
from typing import Any

from scrapy import Request, Spider
from scrapy.extensions.httpcache import RFC2616Policy
from scrapy.http import Headers, Response
from scrapy.responsetypes import responsetypes
from scrapy.settings import BaseSettings

#: The Scrapy settings of revalidation (the cache folder is added by the add-on).
HTTPCACHE_SETTINGS = {
    "HTTPCACHE_ENABLED": True,
    "HTTPCACHE_POLICY": "govsites.revalidate.RevalidatePolicy",
    "HTTPCACHE_STORAGE": "govsites.revalidate.KeptAnswers",
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


class KeptAnswers:
    """``HTTPCACHE_STORAGE``: each kept answer in one file, ``<HTTPCACHE_DIR>/<spider>/<fp[:2]>/<fp>``.

    Scrapy's ``FilesystemCacheStorage`` writes seven files per answer, each through gzip at level 9: on a crawl of
    15,000 pages that was an eighth of the crawl process's busy time (docs/benchmarks.md). Here one file holds a
    length-prefixed JSON head (URLs, status, headers) and the body compressed at zlib level 1; it is written to a
    temporary file and renamed into place, so a reader (another worker, a killed crawl's successor) sees a whole
    answer or none. A file that cannot be read is a cache miss.
    """

    def __init__(self, settings: BaseSettings) -> None:
        self.cachedir = str(settings["HTTPCACHE_DIR"])
        self.fingerprinter: Any = None
        self.folders: set[Path] = set()

    def open_spider(self, spider: Spider) -> None:
        self.fingerprinter = spider.crawler.request_fingerprinter

    def close_spider(self, spider: Spider) -> None:
        """Nothing is held open between answers."""

    def _path(self, spider: Spider, request: Request) -> Path:
        key = self.fingerprinter.fingerprint(request).hex()
        return Path(self.cachedir, spider.name, key[:2], key)

    def retrieve_response(self, spider: Spider, request: Request) -> Response | None:
        try:
            data = self._path(spider, request).read_bytes()
            (size,) = struct.unpack_from(">I", data)
            head = json.loads(data[4 : 4 + size])
            body = zlib.decompress(data[4 + size :])
        except (OSError, ValueError, struct.error, zlib.error):
            return None  # not kept, or not readable: asked for afresh
        headers = Headers(
            {name.encode("latin-1"): [v.encode("latin-1") for v in values] for name, values in head["headers"]}
        )
        request.meta["cache_timestamp"] = head["timestamp"]
        cls = responsetypes.from_args(headers=headers, url=head["response_url"], body=body)
        return cls(url=head["response_url"], status=head["status"], headers=headers, body=body)

    def store_response(self, spider: Spider, request: Request, response: Response) -> None:
        path = self._path(spider, request)
        head = {
            "url": request.url,
            "response_url": response.url,
            "status": response.status,
            "timestamp": time.time(),
            "headers": [
                [name.decode("latin-1"), [v.decode("latin-1") for v in values]]
                for name, values in response.headers.items()
            ],
        }
        encoded = json.dumps(head, ensure_ascii=False).encode("utf-8")
        if path.parent not in self.folders:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.folders.add(path.parent)
        # this process's own temporary name (tempfile's random names cost more than the write itself)
        temporary = path.with_name(f".part-{os.getpid()}-{path.name}")
        try:
            temporary.write_bytes(struct.pack(">I", len(encoded)) + encoded + zlib.compress(response.body, 1))
            temporary.replace(path)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
