"""A crawl's run: which run it writes into, which sites it crawls, how it is closed.

:class:`govsites.extensions.RunLifecycle` runs the lifecycle when the spider opens and publishes the outcome as a
:class:`RunContext` (immutable) with the :data:`run_opened` signal; the spider, the pipelines and the other
extensions read it from there. What differs between one process and the workers of a distributed crawl is chosen
once, as a strategy (:func:`choose_strategy`): :class:`LocalStrategy` or :class:`DistributedStrategy`, with the
same methods.

- one process: the store lock (one crawl per store), the run resolved from ``GOVSITES_RUN`` / ``GOVSITES_AS_OF``
  (:func:`govsites.store.resolve_run`), an interrupted run resumed with the sites it had not finished, the
  chosen sites reset in the store; at the end, the sites left are marked done only when the crawl finished
  normally, so an interrupted run is never scored as complete;
- distributed (:mod:`govsites.distributed`): no store lock (the workers share the store on purpose); the seeding
  worker resolves and resets the run and publishes its sites, the others wait for it and join; a site is marked
  done by the worker that saw its last request finish; a closing worker marks no other site done; the worker that
  finishes the run's last site lets the run's Redis keys expire.

No Scrapy import here (the extension raises Scrapy's exceptions).
"""

from __future__ import annotations

import hashlib
import logging
from abc import ABC, abstractmethod
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from govsites.config import GovsitesConfig
from govsites.distributed import Coordinator
from govsites.registry import PinnedColumn, Site
from govsites.sitechecks.policy import PolicyPages
from govsites.sitestate import SiteState
from govsites.store import Store, StoreLock, parse_as_of, resolve_run
from govsites.writebehind import next_turn

#: ``run_sites.status`` of a site whose crawl is over: read, or blocked by an anti-bot challenge (govsites.antibot).
FINISHED_SITE = frozenset({"done", "blocked"})

logger = logging.getLogger(__name__)

#: Signal sent once the run is open, before the spider's first request: ``run`` (:class:`RunContext`) and
#: ``strategy`` (:class:`RunStrategy`). Handlers: ``def run_opened(self, run, strategy)``.
run_opened = object()

MODES = ("crawl", "probe")


@dataclass(frozen=True)
class RunContext:
    """The run this crawl writes into and the sites it crawls (published by the run lifecycle)."""

    run_id: int
    label: str
    as_of: date
    mode: str  # crawl | probe (a round of home-page probes, `make probe`)
    sites: tuple[Site, ...]
    #: This process pushes the sites' first requests and probes: every single-process crawl, and the one worker
    #: of a distributed crawl that seeded the run.
    seeder: bool = True

    @property
    def site_ids(self) -> frozenset[str]:
        return frozenset(site.site_id for site in self.sites)


class RunStartError(Exception):
    """The run cannot start (the store is locked, a distributed run was never seeded): ``reason`` closes the
    spider; the message has been logged for the analyst."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def remaining_sites(store: Store, label: str, chosen: Sequence[Site]) -> list[Site]:
    """Resume an interrupted run: the same command again crawls only the sites it had not finished.

    Applies when the run is unfinished and some of the chosen sites are still marked running there; a
    deliberate rerun of finished sites (all chosen sites done) crawls them anew.
    """
    run = store.get_run(label)
    if run is None or run.status != "running":
        return list(chosen)
    status = {row["site_id"]: row["status"] for row in store.run_sites(run.id)}
    ids = {site.site_id for site in chosen}
    done = {sid for sid in ids if status.get(sid) in FINISHED_SITE}
    if not done or done == ids:
        return list(chosen)
    logger.info("继续未完成的运行 %s：%d 个网站已完成，本次检测其余 %d 个", label, len(done), len(ids - done))
    return [site for site in chosen if site.site_id not in done]


def _begin(store: Store, label: str, as_of: str, sites: Sequence[Site]) -> Any:
    """Open the run and reset the sites to crawl in it (their earlier rows of this run are forgotten)."""
    run = store.begin_run(label, as_of)
    store.start_sites(run.id, [site.as_row() for site in sites])
    return run


class SeenLines:
    """Text lines already seen per site, in this process (the typo pipeline checks a line once per site)."""

    def __init__(self) -> None:
        self.seen: dict[str, set[int]] = defaultdict(set)

    def new_lines(self, site_id: str, lines: list[str]) -> list[bool]:
        seen = self.seen[site_id]
        fresh = []
        for line in lines:
            key = hash(line)
            fresh.append(key not in seen)
            seen.add(key)
        return fresh


class ArticleNotes:
    """Per site, in this process, what the whole-site checks need of its pages: the metadata tags each article
    page lacks (``page_tags``: URL -> the absent tags joined with ``|``, "" when none is absent) and the pages of
    the ``policy_interpretation`` check (:class:`govsites.sitechecks.policy.PolicyPages`)."""

    def __init__(self) -> None:
        self.notes: dict[str, dict[str, str]] = defaultdict(dict)
        self.lists: dict[str, set[str]] = defaultdict(set)
        self.policy: dict[str, PolicyPages] = defaultdict(PolicyPages)

    def note_policy(self, site_id: str, pages: PolicyPages) -> None:
        self.policy[site_id].merge(pages)

    def policy_pages(self, site_id: str) -> PolicyPages:
        """The site's policy pages, forgotten here (the site is done)."""
        return self.policy.pop(site_id, PolicyPages())

    def note_article(self, site_id: str, url: str, absent: str) -> None:
        self.notes[site_id][url] = absent

    def note_list_page(self, site_id: str, url: str) -> None:
        self.lists[site_id].add(url)

    def article_notes(self, site_id: str) -> dict[str, str]:
        """The site's notes bar its list pages, forgotten here (the site is done)."""
        lists = self.lists.pop(site_id, set())
        return {url: absent for url, absent in self.notes.pop(site_id, {}).items() if url not in lists}


class RunStrategy(ABC):
    """What one process and a distributed worker do differently, behind one set of methods."""

    #: The requests go through a queue shared with other processes: any process may answer one of this one's
    #: requests (so this one cannot wait for the answers of what it sent, nor share link checks between sites).
    shared_queue: bool = False
    #: Seconds between polls of the shared queue by an idle process; None: no polling.
    poll_interval: float | None = None

    @abstractmethod
    def acquire(self, mode: str) -> None:
        """Take what the run needs before the store is opened (the store lock). Raises :class:`RunStartError`."""

    @abstractmethod
    def open_run(self, store: Store, chosen: Sequence[Site], mode: str, subset: bool) -> RunContext:
        """Resolve and open the run; the sites this process crawls. Raises :class:`RunStartError`."""

    @abstractmethod
    def site_state(self, site: Site, pinned: list[PinnedColumn]) -> SiteState:
        """The per-site state the spider keeps."""

    @abstractmethod
    def request_tag(self) -> str | None:
        """A tag that keeps identical requests apart in a shared queue (None: not needed)."""

    @abstractmethod
    def new_lines(self, site_id: str, lines: list[str]) -> list[bool]:
        """For each text line: True the first time it is seen on this site."""

    @abstractmethod
    def note_article(self, site_id: str, url: str, absent: str) -> None:
        """The metadata tags an article page of the site lacks (``|``-joined; "" for none), for ``page_tags``."""

    @abstractmethod
    def note_list_page(self, site_id: str, url: str) -> None:
        """A page of the site read as a column's list: never one of its articles, whenever it was noted as one
        (a page parsed before any page named it a column is noted as an article first)."""

    @abstractmethod
    def article_notes(self, site_id: str) -> dict[str, str]:
        """Every article noted for the site (by any worker) that is not a list page: URL -> its absent tags."""

    @abstractmethod
    def note_policy(self, site_id: str, pages: PolicyPages) -> None:
        """Pages of the site for ``policy_interpretation`` (what one page showed)."""

    @abstractmethod
    def policy_pages(self, site_id: str) -> PolicyPages:
        """Everything noted for the site's ``policy_interpretation`` (by any worker)."""

    @abstractmethod
    def add_page(self, site_id: str, url: str) -> None:
        """A page of the site stored (a page stored again, raw then rendered or fetched again as a column once
        named one, is still one page)."""

    @abstractmethod
    def pages(self, site_id: str) -> int:
        """Distinct pages of the site stored in this run."""

    @abstractmethod
    def keep_open(self, run: RunContext) -> bool:
        """Whether an idle spider must stay open (other processes still crawl the run's sites)."""

    @abstractmethod
    def close_run(self, store: Store, run: RunContext, reason: str) -> None:
        """Close the run in the store when the spider closes (``reason``: Scrapy's finish reason)."""

    @abstractmethod
    def release(self) -> None:
        """Let go of what :meth:`acquire` took."""


def page_key(url: str) -> bytes:
    """A page's URL as 8 bytes, to count distinct pages without keeping their URLs."""
    return hashlib.blake2b(url.encode("utf-8"), digest_size=8).digest()


class LocalStrategy(RunStrategy):
    """One crawl process (or one child of ``crawl --workers N``, whose parent holds the lock and closes the run)."""

    def __init__(self, config: GovsitesConfig) -> None:
        self.config = config
        self.lock: StoreLock | None = None
        self.lines = SeenLines()
        self.articles = ArticleNotes()
        self.page_keys: defaultdict[str, set[bytes]] = defaultdict(set)

    def open_run(self, store: Store, chosen: Sequence[Site], mode: str, subset: bool) -> RunContext:
        label, as_of = resolve_run(store, self.config.run, self.config.as_of, subset or mode == "probe")
        if mode == "probe":
            run = store.get_run(label) or store.begin_run(label, as_of)
            sites = list(chosen)
        else:
            sites = remaining_sites(store, label, chosen)
            run = _begin(store, label, as_of, sites)
        logger.info("运行 %s（评估基准日 %s）：%d 个网站，存储 %s", run.label, run.as_of, len(sites), self.config.db)
        return RunContext(run.id, run.label, date.fromisoformat(run.as_of), mode, tuple(sites))

    def acquire(self, mode: str) -> None:
        """The store lock, one crawl per store (a probe round and the children of ``crawl --workers N`` take
        none)."""
        if mode == "probe" or self.config.store_lock_held:
            return
        lock = StoreLock(self.config.db)
        if not lock.acquire():
            logger.error(
                "存储 %s 正被另一个检测进程（PID %s）使用，本次检测未开始；请等其结束后再运行",
                self.config.db,
                lock.holder(),
            )
            raise RunStartError("store_locked")
        self.lock = lock

    def site_state(self, site: Site, pinned: list[PinnedColumn]) -> SiteState:
        return SiteState(site=site, pinned=pinned, hosts={site.host})

    def request_tag(self) -> str | None:
        return None

    def new_lines(self, site_id: str, lines: list[str]) -> list[bool]:
        return self.lines.new_lines(site_id, lines)

    def note_article(self, site_id: str, url: str, absent: str) -> None:
        self.articles.note_article(site_id, url, absent)

    def note_list_page(self, site_id: str, url: str) -> None:
        self.articles.note_list_page(site_id, url)

    def article_notes(self, site_id: str) -> dict[str, str]:
        return self.articles.article_notes(site_id)

    def note_policy(self, site_id: str, pages: PolicyPages) -> None:
        self.articles.note_policy(site_id, pages)

    def policy_pages(self, site_id: str) -> PolicyPages:
        return self.articles.policy_pages(site_id)

    def add_page(self, site_id: str, url: str) -> None:
        self.page_keys[site_id].add(page_key(url))

    def pages(self, site_id: str) -> int:
        return len(self.page_keys[site_id])

    def keep_open(self, run: RunContext) -> bool:
        return False

    def close_run(self, store: Store, run: RunContext, reason: str) -> None:
        if run.mode != "probe":
            if reason == "finished":
                status = {row["site_id"]: row["status"] for row in store.run_sites(run.run_id)}
                for site in run.sites:
                    if status.get(site.site_id) not in FINISHED_SITE:
                        store.finish_site(run.run_id, site.site_id, "done", self.pages(site.site_id))
            else:
                logger.warning("检测被中断（%s）：运行 %s 未完成，重新执行同一命令即可继续", reason, run.label)
        if not self.config.store_lock_held:
            # (a child of `crawl --workers N` leaves this to its parent, which waits for every share)
            store.finish_run(run.run_id)

    def release(self) -> None:
        if self.lock is not None:
            self.lock.release()
            self.lock = None


class DistributedStrategy(RunStrategy):
    """One worker of a distributed crawl (``GOVSITES_DISTRIBUTED``): the run's state is shared in Redis."""

    shared_queue = True

    def __init__(self, config: GovsitesConfig, coordinator: Coordinator) -> None:
        self.config = config
        self.coordinator = coordinator
        self.poll_interval = config.distributed_poll
        coordinator.r.soon = next_turn  # a write no command takes along is sent at the reactor's next turn

    def acquire(self, mode: str) -> None:
        """No store lock: the workers share the store on purpose."""

    def release(self) -> None:
        """Nothing held."""

    def open_run(self, store: Store, chosen: Sequence[Site], mode: str, subset: bool) -> RunContext:
        coordinator = self.coordinator
        label = coordinator.label
        if coordinator.claim_seeder():
            _, as_of = resolve_run(store, label, self.config.as_of, subset=False)
            sites = remaining_sites(store, label, chosen)
            run = _begin(store, label, as_of, sites)
            coordinator.publish_ready(run.id, [site.site_id for site in sites])
            logger.info("分布式运行 %s：本进程负责分发 %d 个网站（Redis %s）", label, len(sites), coordinator.url)
        else:
            wait = self.config.distributed_wait
            run_id = coordinator.wait_ready(wait)
            found = store.get_run(label)
            if run_id is None or found is None or found.id != run_id:
                logger.error("分布式运行 %s：等待分发进程超时（%.0f 秒），本工作进程退出", label, wait)
                raise RunStartError("distributed_not_ready")
            run = found
            seeded = coordinator.seeded_sites()
            sites = [site for site in chosen if site.site_id in seeded]
            logger.info("分布式运行 %s：加入工作（%d 个网站尚未完成）", label, coordinator.sites_left())
        return RunContext(
            run.id, run.label, date.fromisoformat(run.as_of), mode, tuple(sites), seeder=coordinator.seeder
        )

    def site_state(self, site: Site, pinned: list[PinnedColumn]) -> SiteState:
        return self.coordinator.site_state(site, pinned)

    def request_tag(self) -> str | None:
        return self.coordinator.request_tag()

    def new_lines(self, site_id: str, lines: list[str]) -> list[bool]:
        return self.coordinator.new_lines(site_id, lines)

    def note_article(self, site_id: str, url: str, absent: str) -> None:
        self.coordinator.note_article(site_id, url, absent)

    def note_list_page(self, site_id: str, url: str) -> None:
        self.coordinator.note_list_page(site_id, url)

    def article_notes(self, site_id: str) -> dict[str, str]:
        return self.coordinator.article_notes(site_id)

    def note_policy(self, site_id: str, pages: PolicyPages) -> None:
        self.coordinator.note_policy(site_id, pages)

    def policy_pages(self, site_id: str) -> PolicyPages:
        return self.coordinator.policy_pages(site_id)

    def add_page(self, site_id: str, url: str) -> None:
        self.coordinator.count_page(site_id, page_key(url))  # distinct pages stored per site, over the workers

    def pages(self, site_id: str) -> int:
        return self.coordinator.stored_pages(site_id)

    def keep_open(self, run: RunContext) -> bool:
        return bool(run.sites) and self.coordinator.sites_left() > 0

    def close_run(self, store: Store, run: RunContext, reason: str) -> None:
        client = self.coordinator.r
        client.flush_or_log()
        logger.info(
            "本工作进程与 Redis 往返 %d 次；%d 条写入随后续命令发送（共 %d 次往返携带，其中 %d 次只为发送它们）",
            client.round_trips,
            client.sent_later,
            client.carriers,
            client.flushes,
        )
        if client.unsent:
            logger.error("本工作进程有 %d 条写入未能发送到 Redis：本次运行的站点状态可能不完整", client.unsent)
        if reason == "finished" and run.sites and self.coordinator.sites_left() <= 0:
            self.coordinator.expire_run()
        if not self.config.store_lock_held:
            store.finish_run(run.run_id)


def choose_strategy(config: GovsitesConfig, distributable: bool) -> RunStrategy:
    """Distributed when ``GOVSITES_DISTRIBUTED`` is set and the spider can share its work (a crawl; a probe round is
    always local)."""
    if config.distributed and distributable:
        return DistributedStrategy(config, Coordinator(config.distributed, config.run or parse_as_of(config.as_of)))
    return LocalStrategy(config)
