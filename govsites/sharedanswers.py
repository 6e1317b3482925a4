"""One download per address and crawl process: a request for an address being fetched, or fetched a moment ago,
gets that answer instead of a second download.

Several parts of a crawl ask for the same address on their own: an undated list's newest articles are opened for
their dates (and again as the site's pages), a pinned item's article for its year, a list page by the column
inventory and by the render-reuse check, an attachment as a link and as a page. Counted on the 65-site bench web
(each request the web answered, logged by the web; docs/benchmarks.md): 18,448 requests for 17,711 addresses,
the repeats our spider's and the browser's; on 12 of its sites, 82 repeated page requests of the spider, 17 with
this middleware (those left are the browser's, which cannot share a download with the plain crawl).

:class:`SharedAnswers`, a downloader middleware just above the kept answers (``HttpCacheMiddleware``), gives
such a request the answer of the first:

- **in flight**: while the first is being downloaded, the others wait for its answer
  (``govsites/shared/waited``);
- **recent**: an answer of the last :data:`RECENT_ANSWERS` (at most :data:`RECENT_BYTES` of bodies, in memory
  only, never on disk) is given again (``govsites/shared/reused``).

The shared answer goes up through every other middleware as a downloaded one would (redirects, decompression,
cookies), so each request sees what the first saw. Never shared:

- a request that must reach the server: a home-page probe (availability is what it measures), one whose answer
  depends on its headers (an external target asked for with a search engine's ``Referer``), marked with
  :data:`FRESH` in its meta; a retry; a rendered request (the browser's);
- an answer that a retry or a challenge pass would ask for again: 408, 429, 5xx, and the anti-bot statuses
  (403, 412, 521), and any download that failed (the waiting requests are then downloaded themselves);
- an answer whose download was stopped after its headers (Scrapy's ``download_stopped`` flag: a link check by GET
  that reads no body, an attachment over its reader's cap, a page that is not a document): a page request of the
  same address needs the body.

Keyed by Scrapy's request fingerprint (method, canonical address, body). ``GOVSITES_SHARED_ANSWERS_ENABLED``
switches it.
"""

from __future__ import annotations

import asyncio
import collections
import logging
from typing import Any

from scrapy import Request, signals
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

from govsites.config import GovsitesConfig

logger = logging.getLogger(__name__)

#: ``request.meta`` key: the request must reach the server (never given another request's answer).
FRESH = "govsites_fresh"

#: The most recent answers kept in memory for repeats (the repeats measured came within seconds of the first).
RECENT_ANSWERS = 2000
#: ... and at most this many body bytes of them.
RECENT_BYTES = 32 * 1024 * 1024

#: Statuses never given to another request: a retry or a challenge pass would ask again.
UNSHARED_STATUSES = frozenset({403, 408, 412, 429, 521}) | frozenset(range(500, 600))


#: Scrapy's flag of an answer whose download was stopped once its headers were in (its body is not all there).
STOPPED = "download_stopped"


def shareable(request: Request) -> bool:
    """Whether ``request`` may get (and give) another request's answer (see the module docstring)."""
    meta = request.meta
    return not (
        meta.get(FRESH) or meta.get("retry_times") or meta.get("playwright") or request.method not in ("GET", "HEAD")
    )


class SharedAnswers:
    """Downloader middleware: one download per address and crawl process (module docstring).

    ``fingerprint`` maps a request to its key; ``stats``: the crawl's (optional)."""

    def __init__(
        self,
        fingerprint: Any,
        stats: Any = None,
        recent_answers: int = RECENT_ANSWERS,
        recent_bytes: int = RECENT_BYTES,
    ) -> None:
        self.fingerprint = fingerprint
        self.stats = stats
        self.recent_answers = recent_answers
        self.recent_bytes = recent_bytes
        self.recent: collections.OrderedDict[bytes, Response] = collections.OrderedDict()
        self.size = 0  # body bytes of self.recent
        self.inflight: dict[bytes, list[asyncio.Future[Response | None]]] = {}
        self.shared = 0

    @classmethod
    def from_crawler(cls, crawler: Any) -> SharedAnswers:
        config = GovsitesConfig.from_settings(crawler.settings)
        if not config.shared_answers_enabled:
            raise NotConfigured
        middleware = cls(crawler.request_fingerprinter.fingerprint, crawler.stats)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def _count(self, key: str) -> None:
        self.shared += 1
        if self.stats is not None:
            self.stats.inc_value(f"govsites/shared/{key}")

    async def process_request(self, request: Request) -> Response | None:
        if not shareable(request):
            return None
        key = bytes(self.fingerprint(request))
        answer = self.recent.get(key)
        if answer is not None:
            self.recent.move_to_end(key)
            self._count("reused")
            return _given(answer, request)
        waiting = self.inflight.get(key)
        if waiting is None:
            self.inflight[key] = []  # this request is the first: the others wait for its answer
            request.meta["_govsites_shared_key"] = key
            return None
        future: asyncio.Future[Response | None] = asyncio.get_running_loop().create_future()
        waiting.append(future)
        try:
            # bounded: a first request that ends without an answer reaching this middleware leaves none to wait for
            answer = await asyncio.wait_for(future, _wait_limit(request))
        except TimeoutError:
            answer = None
        if answer is None:
            return None  # the first one failed: this one is downloaded itself
        self._count("waited")
        return _given(answer, request)

    def process_response(self, request: Request, response: Response) -> Response:
        key = request.meta.pop("_govsites_shared_key", None)
        if key is None:
            return response
        whole = response.status not in UNSHARED_STATUSES and STOPPED not in response.flags
        shared = response if whole else None
        self._release(key, shared)
        if shared is not None:
            self._remember(key, shared)
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        key = request.meta.pop("_govsites_shared_key", None)
        if key is not None:
            self._release(key, None)

    def _release(self, key: bytes, answer: Response | None) -> None:
        for future in self.inflight.pop(key, []):
            if not future.done():
                future.set_result(answer)

    def _remember(self, key: bytes, response: Response) -> None:
        size = len(response.body)
        if size > self.recent_bytes:
            return
        old = self.recent.pop(key, None)
        if old is not None:
            self.size -= len(old.body)
        self.recent[key] = response
        self.size += size
        while self.recent and (len(self.recent) > self.recent_answers or self.size > self.recent_bytes):
            _key, dropped = self.recent.popitem(last=False)
            self.size -= len(dropped.body)

    def spider_closed(self) -> None:
        if self.shared:
            logger.info("同一网址在本进程中只下载一次：%d 个请求沿用了正在下载或刚下载的应答", self.shared)
        self.recent.clear()
        self.size = 0


def _wait_limit(request: Request) -> float:
    """Seconds a repeat waits for the first download: twice its own timeout (the first may be past a redirect)."""
    return 2.0 * float(request.meta.get("download_timeout") or 180.0) + 5.0


def _given(answer: Response, request: Request) -> Response:
    """The first request's answer as this request's (a copy: the engine sets each answer's ``request``)."""
    return answer.replace(request=request, flags=[*answer.flags, "shared"])
