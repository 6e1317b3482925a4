"""Renders reused on later crawls: a page is not rendered in Chromium again while nothing it was made from changed.

A browser render is the costliest thing a crawl does (about 0.35 CPU-s a page: the browser, a renderer process,
the driver), and revalidation (:mod:`govsites.revalidate`) never keeps one: a rendered page is not one HTTP
answer. On a monitoring week an unchanged web would still be rendered again every day.

What a render shows is made from the page's own answer and the answers it loaded: its scripts and what they
fetched (XHR, ``fetch``, frames). :class:`RenderReuse`, a downloader middleware nearest the download handler,
therefore keeps each completed render of a home page (the dark-link check) or a list page with the addresses of
those inputs and a digest of each answer (its status and body, or the name of its failure), asked for in the
background once the render is done. The next time the same page is to be rendered, the page and every input are
asked for again with plain requests (through revalidation: an unchanged answer is a ``304`` of a few hundred
bytes); only when every digest is the same is the kept render returned instead of opening the browser, with the
results of the render's page methods (what the page fetched, for :mod:`govsites.extract.endpoints`). Any
difference: the page is rendered afresh (and kept again). Never kept: a render that sent a request other than GET
(its answer cannot be asked for again), one that loaded more than :data:`MAX_INPUTS` inputs, and one whose page
may hold a personal number in full (:func:`govsites.security.privacy.may_hold_number`).

What is not an input is not seen: a script that writes different links by the clock or at random writes
them as it did the last time the page was rendered (``GOVSITES_RENDER_REUSE_ENABLED=0`` renders every time).

Kept in ``<HTTPCACHE_DIR>/renders.sqlite`` (one row per spider and page address), beside the kept answers.
Counted as ``govsites/render_reuse/reused``, ``…/changed`` (rendered again: an input differs),
``…/inputs_failed`` (an input that could not be had: its failure is its answer), ``…/kept`` and
``…/not_kept/<why>``; the crawl's last log lines say how many renders were reused.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import sqlite3
import zlib
from pathlib import Path
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.exceptions import NotConfigured
from scrapy.http import Headers, Response, TextResponse
from scrapy.responsetypes import responsetypes

from govsites.browserpages import RESOURCE_TIMING_BUFFER, method_result
from govsites.config import GovsitesConfig
from govsites.givendocument import DOCUMENT, GivenDocument
from govsites.security.privacy import may_hold_number

logger = logging.getLogger(__name__)

#: ``request.meta["role"]`` of the renders that are kept: a list page's and the home page's (dark links).
REUSE_ROLES = frozenset({"page", "home_render"})
#: ``request.meta["role"]`` of the plain requests that ask for a render's inputs again.
INPUT_ROLE = "render_input"
#: A render that loaded more inputs than this is not kept (asking for them all again would cost more than it saves).
MAX_INPUTS = 40
#: ``flags`` of a response that is a kept render.
REUSED_FLAG = "render-reused"

#: Read after the render's other page methods: the addresses the page loaded that could change what it shows
#: (scripts, XHR and ``fetch`` answers, frames: resource timing entries), how many entries there were (the page's
#: init script enlarges their buffer, :data:`govsites.browserpages.TRACK_REQUESTS`; a page that fills it is not
#: kept) and how many of its fetch/XHR requests were not GETs (``window.__govsitesOtherMethods``).
INPUTS_SCRIPT = """() => {
  const kinds = ["script", "xmlhttprequest", "fetch", "iframe", "frame", "embed", "object", "other"];
  const entries = performance.getEntriesByType("resource");
  return {
    inputs: entries.filter(e => kinds.includes(e.initiatorType)).map(e => e.name),
    entries: entries.length,
    otherMethods: window.__govsitesOtherMethods || 0,
  };
}"""


def digest(status: int, body: bytes) -> str:
    """What is compared of an input's answer: its status and its body."""
    return hashlib.sha1(b"%d\n" % status + body, usedforsecurity=False).hexdigest()


def _method_key(methods: list[Any]) -> list[str]:
    """The render's page methods by name and arguments (a kept render is reused only for the same methods)."""
    return [f"{getattr(m, 'method', '')}:{json.dumps(getattr(m, 'args', ()), ensure_ascii=False)}" for m in methods]


def render_inputs(request: Request) -> dict[str, Any] | None:
    """What :data:`INPUTS_SCRIPT` read of a completed render (None when it was not read)."""
    result = method_result(request, INPUTS_SCRIPT)
    return result if isinstance(result, dict) else None


def input_urls(page_url: str, read: dict[str, Any]) -> list[str] | None:
    """The inputs of a render: the page itself, then each http(s) address it loaded once, in order; None when the
    render cannot be checked again later (a non-GET request, a full timing buffer, too many inputs)."""
    if int(read.get("otherMethods") or 0) or int(read.get("entries") or 0) >= RESOURCE_TIMING_BUFFER:
        return None
    urls = [page_url]
    for loaded in read.get("inputs") or []:
        url = str(loaded).split("#", 1)[0]
        if url.startswith(("http://", "https://")) and url not in urls:
            urls.append(url)
    return urls if len(urls) <= MAX_INPUTS + 1 else None


class RenderStore:
    """The kept renders: one SQLite file shared by the crawl processes (WAL; a row that cannot be read is a miss)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path, timeout=60, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=OFF")
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS renders (spider TEXT, url TEXT, head BLOB, body BLOB,"
            " PRIMARY KEY (spider, url)) WITHOUT ROWID"
        )

    def get(self, spider: str, url: str) -> tuple[dict[str, Any], bytes] | None:
        row = self.db.execute("SELECT head, body FROM renders WHERE spider = ? AND url = ?", (spider, url)).fetchone()
        if row is None:
            return None
        try:
            return json.loads(row[0]), zlib.decompress(row[1])
        except (ValueError, zlib.error):
            return None

    def put(self, spider: str, url: str, head: dict[str, Any], body: bytes) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO renders (spider, url, head, body) VALUES (?, ?, ?, ?)",
            (spider, url, json.dumps(head, ensure_ascii=False).encode("utf-8"), zlib.compress(body, 1)),
        )

    def close(self) -> None:
        self.db.close()


class RenderReuse:
    """Downloader middleware: reuse a kept render while its inputs are unchanged, keep each new one (module
    docstring). ``fetch`` asks for one input with a plain request and returns its answer."""

    def __init__(self, path: Path, fetch: Any, stats: Any = None, timeout: float = 15.0) -> None:
        self.path = path
        self.fetch = fetch
        self.stats = stats
        self.timeout = timeout
        self.store: RenderStore | None = None
        self.spider = ""  # the spider's name: renders are kept per spider
        self.keeping: set[asyncio.Future[None]] = set()  # renders being kept (their inputs asked for)
        self.reused = 0
        self.rendered = 0

    @classmethod
    def from_crawler(cls, crawler: Any) -> RenderReuse:
        config = GovsitesConfig.from_settings(crawler.settings)
        if not (config.render_reuse_enabled and config.render_enabled and config.revalidate_enabled):
            raise NotConfigured
        path = Path(str(crawler.settings["HTTPCACHE_DIR"]), "renders.sqlite")
        middleware = cls(
            path,
            lambda request: crawler.engine.download_async(request),  # noqa: PLW0108 - no engine yet when built
            crawler.stats,
            timeout=config.link_timeout,
        )
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def spider_opened(self, spider: Spider) -> None:
        self.store = RenderStore(self.path)
        self.spider = spider.name

    async def spider_closed(self, spider: Spider) -> None:
        """Renders still being kept are finished first (an idle crawl has no input request under way: they only
        wait for their turn of the loop)."""
        if self.keeping:
            await asyncio.gather(*self.keeping, return_exceptions=True)
        if self.reused or self.rendered:
            logger.info(
                "浏览器渲染：%d 个页面及其脚本、数据均未变化，沿用上次的渲染结果；%d 个重新渲染",
                self.reused,
                self.rendered,
            )
        if self.store is not None:
            self.store.close()
            self.store = None

    def _count(self, name: str) -> None:
        if self.stats is not None:
            self.stats.inc_value(f"govsites/render_reuse/{name}")

    @staticmethod
    def applies(request: Request) -> bool:
        meta = request.meta
        return (
            bool(meta.get("playwright")) and meta.get("role") in REUSE_ROLES and not meta.get("playwright_include_page")
        )

    async def _digests(self, request: Request, urls: list[str]) -> list[str]:
        """The digest of each input's answer now, asked for plainly (once, no retries). An input that cannot be
        had gives the name of its failure: a page whose dead counter script failed the same way both times was
        made from the same inputs (counted, ``…/inputs_failed``). The page itself, when the render is given the
        crawl's answer as its document (:mod:`govsites.givendocument`), is that answer: it is not asked again."""
        document = request.meta.get(DOCUMENT)

        async def one(url: str) -> str:
            if isinstance(document, GivenDocument) and document.answers(url):
                return digest(document.status, document.body)
            meta = {
                "site_id": request.meta.get("site_id", ""),
                "role": INPUT_ROLE,
                "handle_httpstatus_all": True,
                "allow_offsite": True,
                "dont_retry": True,
                "download_timeout": self.timeout,
            }
            try:
                answer = await self.fetch(Request(url, meta=meta, dont_filter=True, priority=request.priority))
            except Exception as exc:  # any failure is an answer of its own
                self._count("inputs_failed")
                logger.debug("渲染输入 %s 无法读取（%s）：%s", url, request.url, exc)
                return f"failed:{type(exc).__name__}"
            return digest(answer.status, answer.body)

        return list(await asyncio.gather(*(one(url) for url in urls)))

    async def process_request(self, request: Request) -> Response | None:
        if self.store is None or not self.applies(request):
            return None
        kept = self.store.get(self.spider, request.url)
        if kept is None:
            return None
        head, body = kept
        methods = request.meta.get("playwright_page_methods", [])
        if head.get("methods") != _method_key(methods):
            return None
        inputs = [str(url) for url in head.get("inputs", [])]
        if await self._digests(request, inputs) != head.get("digests"):
            self._count("changed")
            logger.debug("渲染输入已变化，重新渲染：%s", request.url)
            return None
        for method, result in zip(methods, head.get("results", []), strict=False):
            method.result = result
        self._count("reused")
        self.reused += 1
        headers = Headers({k.encode("latin-1"): [v.encode("latin-1") for v in vs] for k, vs in head["headers"]})
        cls = responsetypes.from_args(headers=headers, url=head["url"], body=body)
        kept_as: dict[str, Any] = {"encoding": head.get("encoding") or "utf-8"} if issubclass(cls, TextResponse) else {}
        return cls(
            url=head["url"],
            status=int(head["status"]),
            headers=headers,
            body=body,
            request=request,
            flags=[REUSED_FLAG],
            **kept_as,
        )

    def process_response(self, request: Request, response: Response) -> Response:
        """A completed render goes on at once; its inputs are asked for and it is kept in the background (a site's
        slow or dead script host does not hold up the page). Not a coroutine: it runs for every answer."""
        if (
            self.store is None
            or not self.applies(request)
            or REUSED_FLAG in response.flags
            or "playwright" not in response.flags
        ):
            return response
        self.rendered += 1
        keeping = asyncio.ensure_future(self._keep_counted(request, response))
        self.keeping.add(keeping)
        keeping.add_done_callback(self.keeping.discard)
        return response

    async def _keep_counted(self, request: Request, response: Response) -> None:
        why = await self._keep(request, response, self.spider)
        self._count("kept" if not why else f"not_kept/{why}")

    async def _keep(self, request: Request, response: Response, spider: str) -> str:
        """Keep a completed render with its inputs' digests; the reason it is not kept, or ""."""
        if response.status != 200:
            return "status"
        read = render_inputs(request)
        if read is None:
            return "inputs_unread"
        urls = input_urls(request.url, read)
        if urls is None:
            return "inputs_uncheckable"
        if may_hold_number(response.body):
            return "personal_number"
        digests = await self._digests(request, urls)
        methods = request.meta.get("playwright_page_methods", [])
        results = [getattr(m, "result", None) for m in methods]
        try:
            json.dumps(results)
        except (TypeError, ValueError):
            return "results"
        if self.store is None:
            return "closed"  # the crawl ended while the inputs were asked for
        head = {
            "url": response.url,
            "status": response.status,
            "encoding": getattr(response, "encoding", "utf-8"),
            "headers": [[k.decode("latin-1"), [v.decode("latin-1") for v in vs]] for k, vs in response.headers.items()],
            "methods": _method_key(methods),
            "results": results,
            "inputs": urls,
            "digests": digests,
        }
        self.store.put(spider, request.url, head, response.body)
        return ""
