"""Conditional requests for later crawls of the same registry (a monitoring week costs little).

Scrapy's own HTTP cache (``HttpCacheMiddleware``) with a storage of our own, :class:`KeptAnswers` (one SQLite
file shared by the crawl processes), keeps every answer that carries a validator (``ETag`` or ``Last-Modified``).
:class:`RevalidatePolicy` never serves a kept answer unasked: every request for a kept URL is sent again with
``If-None-Match`` / ``If-Modified-Since``, and only a ``304 Not Modified`` reuses the kept answer, together with
what the spider read from it the first time (its text, links, list, columns: :mod:`govsites.extract.kept`), so the
page is not parsed again and its findings are identical. Anything else — a new body, a 404, a 5xx, a timeout — is
the answer of this crawl: an outage or a broken link is never hidden by the cache. Rendered requests (the browser)
are never kept, nor is a page whose body may hold a personal number in full
(:func:`govsites.security.privacy.may_hold_number`: no leaked number is copied to disk).
``GOVSITES_REVALIDATE_ENABLED`` switches it (the add-on sets ``HTTPCACHE_*``);
``GOVSITES_HTTPCACHE_DIR`` says where answers are kept (default: beside a SQLite store, ``<store>.httpcache``).
"""

from __future__ import annotations

import json
import sqlite3
import time
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from scrapy import Request, Spider
from scrapy.extensions.httpcache import RFC2616Policy
from scrapy.http import Headers, Response
from scrapy.responsetypes import responsetypes
from scrapy.settings import BaseSettings

from govsites.extract.kept import MEMO, PageMemo, body_crc
from govsites.security.privacy import may_hold_number
from govsites.sharedanswers import STOPPED

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
        """An answer with a validator, unless its body may hold a personal number in full: such a page is never
        kept on disk (it is fetched whole on every crawl, which also checks again whether the leak is gone).

        A kept answer that a 304 confirmed (flagged ``cached``) is offered again by Scrapy with the 304's headers
        (RFC 7234's freshening): its body was checked when it was kept and is the same, so it is not scanned again
        (:meth:`KeptAnswers.store_response` does not write it again either)."""
        if "cached" in response.flags:
            return True
        if STOPPED in response.flags:
            # stopped once its headers were in (a link check by GET, a capped attachment, a non-document): its
            # body is not the page's, and a later page request revalidated against it would get an empty page
            return False
        has_validator = b"ETag" in response.headers or b"Last-Modified" in response.headers
        return (
            response.status == 200
            and has_validator
            and not may_hold_number(response.body)
            and super().should_cache_response(response, request)
        )

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


def _prefix(key: bytes) -> int:
    """The first 8 bytes of a request fingerprint, as the in-memory index of kept answers holds them."""
    return int.from_bytes(key[:8], "big")


class KeptAnswers:
    """``HTTPCACHE_STORAGE``: the kept answers in one SQLite file, ``<HTTPCACHE_DIR>/answers.sqlite``.

    Scrapy's ``FilesystemCacheStorage`` writes seven files per answer, each through gzip at level 9: on a crawl of
    15,000 pages that was an eighth of the crawl process's busy time, and one file per answer still cost a
    twelfth (creating files; docs/benchmarks.md). Here each answer is one row (key: the request fingerprint and
    the spider; a JSON head with the URLs, status and headers; the body compressed at zlib level 1), written in
    WAL mode without waiting for the disk: the file is a cache, and an answer lost in a crash is fetched again.
    Several crawl processes share the file (SQLite's locking, with a generous busy timeout). A row that cannot
    be read is a cache miss.

    The keys kept when a process opens the file (and those it keeps itself) are held in memory as 8-byte
    prefixes, so a request never kept costs no query: on a first crawl that is every request. An answer another
    process keeps during the same crawl is not seen by this one (crawl processes read different sites).

    Beside each answer the spider's reading of it is kept (``extractions``: a :class:`PageMemo`). The storage hands
    a request its memo in ``request.meta`` (:data:`MEMO`): an empty one with an answer it keeps, the kept one with
    an answer it offers for revalidation. The spider and the item pipelines fill it as they read the page, and the
    store pipeline finishes it with the page's item; a finished memo with something new in it is written with the
    next batch (stat ``govsites/extraction/kept``). The storage holds no memo that is not finished: one whose answer
    was never read as a page goes with its request.
    """

    #: Answers written in one transaction instead of one each (py-spy on the 65-site bench web: storing answers
    #: went from 4.1 % to 2.9 % of the crawl's busy samples). A crawl killed meanwhile loses at most these, which
    #: its next crawl fetches whole: the store is a cache.
    BATCH = 200

    def __init__(self, settings: BaseSettings) -> None:
        self.cachedir = str(settings["HTTPCACHE_DIR"])
        self.fingerprinter: Any = None
        self.db: sqlite3.Connection | None = None
        self.pending: dict[tuple[str, bytes], tuple[bytes, bytes]] = {}  # (spider, key) -> (head, body), unwritten
        self.known: set[int] = set()  # prefixes of the keys kept (`_prefix`): a miss needs no query
        self.memos: dict[tuple[str, bytes], PageMemo] = {}  # finished with something new, not yet written
        self.stats: Any = None

    def open_spider(self, spider: Spider) -> None:
        self.fingerprinter = spider.crawler.request_fingerprinter
        self.stats = spider.crawler.stats
        Path(self.cachedir).mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(Path(self.cachedir, "answers.sqlite"), timeout=60, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=OFF")
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS answers (spider TEXT, key BLOB, head BLOB, body BLOB,"
            " PRIMARY KEY (spider, key)) WITHOUT ROWID"
        )
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS extractions (spider TEXT, key BLOB, memo BLOB,"
            " PRIMARY KEY (spider, key)) WITHOUT ROWID"
        )
        rows = self.db.execute("SELECT key FROM answers WHERE spider = ?", (spider.name,))
        self.known = {_prefix(bytes(key)) for (key,) in rows}

    def close_spider(self, spider: Spider) -> None:
        if self.db is not None:
            self.flush()
            self.db.close()
            self.db = None

    def flush(self) -> None:
        assert self.db is not None
        rows = [(spider, key, head, body) for (spider, key), (head, body) in self.pending.items()]
        self.pending.clear()
        memos = [(spider, key, memo.dumps()) for (spider, key), memo in self.memos.items()]
        self.memos.clear()
        if not rows and not memos:
            return
        self.db.execute("BEGIN")
        self.db.executemany("INSERT OR REPLACE INTO answers (spider, key, head, body) VALUES (?, ?, ?, ?)", rows)
        self.db.executemany("INSERT OR REPLACE INTO extractions (spider, key, memo) VALUES (?, ?, ?)", memos)
        self.db.execute("COMMIT")
        if memos and self.stats is not None:
            self.stats.inc_value("govsites/extraction/kept", len(memos))

    def _sink(self, spider: Spider, key: bytes) -> Callable[[PageMemo], None]:
        """What a memo handed out for ``key`` tells when its page was read: kept for the next batch if new."""

        def finished(memo: PageMemo) -> None:
            if memo.worth_writing:
                self.memos[(spider.name, key)] = memo
                if len(self.memos) >= self.BATCH:
                    self.flush()

        return finished

    def _key(self, request: Request) -> bytes:
        return bytes(self.fingerprinter.fingerprint(request))

    def retrieve_response(self, spider: Spider, request: Request) -> Response | None:
        assert self.db is not None
        key = self._key(request)
        if _prefix(key) not in self.known:
            return None  # never kept (a shared prefix only costs the query below)
        pending = self.pending.get((spider.name, key))
        row = (
            (*pending, None)
            if pending is not None
            else self.db.execute(
                "SELECT a.head, a.body, e.memo FROM answers a LEFT JOIN extractions e"
                " ON e.spider = a.spider AND e.key = a.key WHERE a.spider = ? AND a.key = ?",
                (spider.name, key),
            ).fetchone()
        )
        if row is None:
            return None  # not kept
        try:
            head = json.loads(row[0])
            body = zlib.decompress(row[1])
            headers = Headers(
                {name.encode("latin-1"): [v.encode("latin-1") for v in values] for name, values in head["headers"]}
            )
            url, status = head["response_url"], int(head["status"])
        except (ValueError, TypeError, KeyError, zlib.error):
            return None  # not readable: asked for afresh
        request.meta["cache_timestamp"] = head.get("timestamp", 0)
        # the kept reading of the page; none, or one by other extraction code: read afresh, and kept this time
        sink = self._sink(spider, key)
        memo = PageMemo.loads(row[2], sink) if row[2] is not None else None
        request.meta[MEMO] = memo or PageMemo(body_crc(body), sink=sink)
        cls = responsetypes.from_args(headers=headers, url=url, body=body)
        return cls(url=url, status=status, headers=headers, body=body)

    def store_response(self, spider: Spider, request: Request, response: Response) -> None:
        """Keep an answer; a kept answer a 304 confirmed (flagged ``cached``) is already kept with this body and
        the validators the server just matched, so nothing is written (scanning, compressing and writing it again
        cost 100-120 µs a page: 1.6-1.9 CPU-s per second crawl of the 65-site bench web, docs/benchmarks.md)."""
        if "cached" in response.flags:
            return
        assert self.db is not None
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
        key = self._key(request)
        request.meta[MEMO] = PageMemo(body_crc(response.body), sink=self._sink(spider, key))
        self.known.add(_prefix(key))
        self.pending[(spider.name, key)] = (
            json.dumps(head, ensure_ascii=False).encode("utf-8"),
            zlib.compress(response.body, 1),
        )
        if len(self.pending) >= self.BATCH:
            self.flush()
