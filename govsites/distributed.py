"""Distributed crawling: many worker processes share one Redis (scrapy-redis scheduler + per-site state).

``python -m govsites crawl --distributed redis://host:6379/0 --db postgresql://… --run LABEL`` on any number
of machines runs workers of one crawl (docs/scaling.md):

- the Scrapy scheduler is scrapy-redis' (one priority queue per run, ``govsites:<run>:requests``);
- each site's state (URLs claimed, pages, requests in flight, columns …) is a
  :class:`govsites.sitestate.RedisSiteState`;
- one worker, the one that wins ``SET govsites:<run>:seeder NX``, resolves the run in the store, resets the
  chosen sites there and pushes the home pages and probes; the others wait until it says ``ready``;
- a worker stays open while ``govsites:<run>:sites_left`` is above zero; the worker that finishes the run's
  last site lets the run's keys expire (:data:`DONE_TTL`), after which the same label can be crawled again.

No Scrapy imports here.
"""

from __future__ import annotations

import hashlib
import json
import pickle
import time
from collections.abc import Iterable
from typing import Any

from govsites.hostleases import worker_id
from govsites.registry import PinnedColumn, Site
from govsites.sitechecks.policy import LinkedPage, PolicyPages
from govsites.sitestate import RedisSiteState
from govsites.writebehind import shared_client, write_behind

#: What serializing a request for Redis raises when it cannot be (``request.to_dict`` raises ValueError for a
#: callback that is not a spider method; pickle the others).
UNSERIALIZABLE = (ValueError, TypeError, AttributeError, pickle.PicklingError)

#: Request meta key: a request the worker that made it crawls itself, not put into the shared queue (the learning
#: render of a site's script-filled lists and the check of a new endpoint rule: the lists that wait for their
#: answer wait in this worker, see ``SiteSpider._script_list_request``).
LOCAL = "glocal"

#: Seconds the keys of a finished run are kept (late workers see the run done and exit instead of reseeding).
DONE_TTL = 600


def run_prefix(label: str) -> str:
    return f"govsites:{label}:"


def scrapy_settings(redis_url: str, label: str) -> dict[str, Any]:
    """The Scrapy settings of a distributed worker (scrapy-redis scheduler and dupefilter, keyed by run)."""
    prefix = run_prefix(label)
    return {
        "GOVSITES_DISTRIBUTED": redis_url,
        "GOVSITES_RUN": label,
        "SCHEDULER": "govsites.sharedscheduler.SharedScheduler",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_QUEUE_CLASS": "govsites.sharedscheduler.SharedQueue",
        "SCHEDULER_PERSIST": True,  # a worker that closes must not flush the queue the others still use
        "SCHEDULER_FLUSH_ON_START": False,
        "SCHEDULER_QUEUE_KEY": prefix + "requests",
        "SCHEDULER_DUPEFILTER_KEY": prefix + "dupefilter",
        "REDIS_URL": redis_url,
        "JOBDIR": None,  # the queue lives in Redis
    }


class Coordinator:
    """The run-level keys of a distributed crawl, and the factory of its per-site states."""

    def __init__(self, redis_url: str, label: str, client: Any = None) -> None:
        # one client per process, its answerless writes sent with its next command (govsites.writebehind)
        self.r = write_behind(client) if client is not None else shared_client(redis_url)
        self.url = redis_url
        self.label = label
        self.prefix = run_prefix(label)
        self.worker = worker_id()
        self.seeder = False
        self._serial = 0

    def k(self, name: str) -> str:
        return self.prefix + name

    def ping(self) -> None:
        self.r.ping()

    # -- seeding ---------------------------------------------------------------------------------------
    def claim_seeder(self) -> bool:
        """True for exactly one worker of the run: the one that resets the store and pushes the sites."""
        self.seeder = bool(self.r.set(self.k("seeder"), self.worker, nx=True))
        return self.seeder

    def publish_ready(self, run_id: int, site_ids: Iterable[str]) -> None:
        ids = list(site_ids)
        pipe = self.r.pipeline()
        pipe.set(self.k("sites_left"), len(ids))
        if ids:
            pipe.sadd(self.k("sites"), *ids)
        pipe.set(self.k("ready"), str(run_id))
        pipe.execute()

    def wait_ready(self, timeout: float) -> int | None:
        """The run id once the seeding worker is ready (None after ``timeout`` seconds)."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.r.get(self.k("ready"))
            if value is not None:
                return int(value)
            if time.monotonic() > deadline:
                return None
            time.sleep(0.2)

    def seeded_sites(self) -> set[str]:
        return {s.decode() for s in self.r.smembers(self.k("sites"))}

    def sites_left(self) -> int:
        return int(self.r.get(self.k("sites_left")) or 0)

    def expire_run(self) -> None:
        """Let the finished run's keys go after :data:`DONE_TTL` seconds."""
        pipe = self.r.pipeline(transaction=False)
        for key in self.r.scan_iter(match=self.prefix + "*", count=1000):
            pipe.expire(key, DONE_TTL)
        pipe.execute()

    def reset(self) -> int:
        """Delete every key of the run (an interrupted distributed run is then seeded anew; see scaling.md)."""
        keys = list(self.r.scan_iter(match=self.prefix + "*", count=1000))
        return int(self.r.delete(*keys)) if keys else 0

    # -- per-site state ---------------------------------------------------------------------------------
    def site_state(self, site: Site, pinned: list[PinnedColumn]) -> RedisSiteState:
        return RedisSiteState(self.r, self.prefix, site, pinned, self.k("sites_left"))

    def request_tag(self) -> str:
        """Unique per request: scrapy-redis' priority queue is a sorted set, whose members are the pickled
        requests, so two identical requests would collapse into one (and a site would never finish)."""
        self._serial += 1
        return f"{self.worker}:{self._serial}"

    # -- pipelines ---------------------------------------------------------------------------------------
    def new_lines(self, site_id: str, lines: list[str]) -> list[bool]:
        """For each text line: True the first time any worker sees it on this site (typo detection)."""
        if not lines:
            return []
        pipe = self.r.pipeline(transaction=False)
        key = self.k(f"s:{site_id}:lines")
        for line in lines:
            pipe.sadd(key, hashlib.blake2b(line.encode("utf-8"), digest_size=8).digest())
        return [bool(n) for n in pipe.execute()]

    def note_article(self, site_id: str, url: str, absent: str) -> None:
        """An article page of the site and the metadata tags it lacks (``page_tags``), shared by the workers."""
        self.r.writes().hset(self.k(f"s:{site_id}:articles"), url, absent)

    def note_list_page(self, site_id: str, url: str) -> None:
        """A list page of the site (never one of its articles), shared by the workers."""
        self.r.writes().sadd(self.k(f"s:{site_id}:lists"), url)

    def article_notes(self, site_id: str) -> dict[str, str]:
        raw = self.r.hgetall(self.k(f"s:{site_id}:articles"))
        lists = {url.decode() for url in self.r.smembers(self.k(f"s:{site_id}:lists"))}
        return {url.decode(): absent.decode() for url, absent in raw.items() if url.decode() not in lists}

    def note_policy(self, site_id: str, pages: PolicyPages) -> None:
        """What a page showed for ``policy_interpretation``, shared by the workers (sets and hashes of the site)."""
        pipe = self.r.writes()
        base = f"s:{site_id}:policy"
        if pages.crawled:
            pipe.sadd(self.k(f"{base}:crawled"), *pages.crawled)
        for key, page in pages.articles.items():
            pipe.hset(self.k(f"{base}:articles"), key, json.dumps([page.url, sorted(page.links)]))
        for page in pages.interpretations:
            pipe.hset(self.k(f"{base}:interpretations"), page.url, json.dumps(sorted(page.links)))

    def policy_pages(self, site_id: str) -> PolicyPages:
        base = f"s:{site_id}:policy"
        articles = {
            key.decode(): LinkedPage(url, frozenset(links))
            for key, value in self.r.hgetall(self.k(f"{base}:articles")).items()
            for url, links in [json.loads(value)]
        }
        interpretations = [
            LinkedPage(url.decode(), frozenset(json.loads(links)))
            for url, links in sorted(self.r.hgetall(self.k(f"{base}:interpretations")).items())
        ]
        crawled = {key.decode() for key in self.r.smembers(self.k(f"{base}:crawled"))}
        return PolicyPages(interpretations=interpretations, articles=articles, crawled=crawled)

    def count_page(self, site_id: str, key: bytes) -> None:
        """A page of the site stored by any worker (``key``: :func:`govsites.lifecycle.page_key` of its URL)."""
        self.r.writes().sadd(self.k(f"s:{site_id}:stored"), key)

    def stored_pages(self, site_id: str) -> int:
        return int(self.r.scard(self.k(f"s:{site_id}:stored")))
