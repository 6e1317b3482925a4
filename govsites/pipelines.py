"""Item pipelines: typo detection on page text, then the store writer."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from datetime import date
from operator import attrgetter
from typing import Any

from scrapy import signals
from scrapy.exceptions import CloseSpider, NotConfigured

from govsites.items import PageItem, SiteDoneItem, TypoItem
from govsites.registry import load_sites
from govsites.store import TABLE_COLUMNS, Run, Store, StoreLock, resolve_run

logger = logging.getLogger(__name__)

#: An item's row of its table: the values of the table's columns, in order (items are dataclasses whose field
#: names are the column names; see :mod:`govsites.items`).
_ROW_OF: dict[str, Callable[[Any], tuple[Any, ...]]] = {
    table: attrgetter(*columns) for table, columns in TABLE_COLUMNS.items()
}


class TypoPipeline:
    """Find serious typos in the visible text of every internal page.

    Text lines already checked on the same site (navigation, footer, boilerplate repeated on every page)
    are checked once per site, which is also what keeps the detector off the hot path.
    """

    def __init__(self, extra_terms: list[tuple[str, str]]) -> None:
        self.extra_terms = extra_terms
        self.seen: dict[str, set[int]] = defaultdict(set)
        self.detector: Any = None
        self.crawler: Any = None
        self.coordinator: Any = None  # distributed mode: lines seen are shared in Redis

    @classmethod
    def from_crawler(cls, crawler: Any) -> TypoPipeline:
        settings = crawler.settings
        if not settings.getbool("GOVSITES_TYPOS_ENABLED"):
            raise NotConfigured
        registry = load_sites(settings.get("GOVSITES_SITES"))
        pipeline = cls([(site.name, "unit") for site in registry.sites])
        pipeline.crawler = crawler
        return pipeline

    def open_spider(self) -> None:
        from govsites.typos.detector import default_detector

        if self.crawler is not None:
            self.coordinator = getattr(self.crawler.spider, "coordinator", None)
        self.detector = default_detector(self.extra_terms)

    def new_text(self, site_id: str, text: str, coordinator: Any = None) -> str:
        if coordinator is not None:  # distributed: the lines already checked are shared by the workers
            lines = text.splitlines()
            return "\n".join(line for line, new in zip(lines, coordinator.new_lines(site_id, lines), strict=True)
                             if new)
        seen = self.seen[site_id]
        fresh = []
        for line in text.splitlines():
            key = hash(line)
            if key not in seen:
                seen.add(key)
                fresh.append(line)
        return "\n".join(fresh)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, PageItem) or not item.text or item.kind == "error":
            return item
        text = self.new_text(item.site_id, item.text, self.coordinator)
        if text:
            item.typos = [
                TypoItem(site_id=item.site_id, url=item.url, wrong=f.wrong, right=f.right,
                         context=" ".join(f.context.split()), severity=f.severity, kind=f.kind)
                for f in self.detector.find(text)
            ]
        return item


class StorePipeline:
    """Write every item into the store in batched transactions; open and close the run.

    The run is resolved when the spider opens (``GOVSITES_RUN``, ``GOVSITES_AS_OF``; see
    :func:`govsites.store.resolve_run`) and the spider learns its evaluation date from it. Sites are marked
    done only when the crawl finished normally, so an interrupted run is never scored as complete.

    Distributed mode (``spider.coordinator``, see :mod:`govsites.distributed`): no store lock (the workers share
    the store on purpose); the seeding worker resolves and resets the run, the others wait for it; a site is
    marked done by the worker that saw its last request finish; a closing worker marks no other site done.

    Rows are buffered as tuples and written ``GOVSITES_STORE_BATCH`` rows (default 5,000) at a time, every table
    in one transaction, and whenever a site is done. Bigger batches are cheaper (a batch's rows share the index
    pages they rewrite); rows still buffered when a crawl is killed belong to sites not yet marked done, which
    a resumed run crawls again.
    """

    def __init__(self, db: str, label: str, as_of: str, batch_size: int = 5000) -> None:
        self.db, self.label, self.as_of, self.batch_size = db, label, as_of, batch_size
        self.store: Store | None = None
        self.run: Run | None = None
        self.buffer: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
        self.buffered = 0
        self.pages: dict[str, int] = defaultdict(int)
        self.crawler: Any = None
        self.lock: StoreLock | None = None
        self.finished: set[str] = set()
        self.coordinator: Any = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> StorePipeline:
        settings = crawler.settings
        pipeline = cls(settings.get("GOVSITES_DB"), settings.get("GOVSITES_RUN"), settings.get("GOVSITES_AS_OF"),
                       settings.getint("GOVSITES_STORE_BATCH", 5000))
        pipeline.crawler = crawler
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def open_spider(self) -> None:
        spider = self.crawler.spider
        self.coordinator = getattr(spider, "coordinator", None)
        if self.coordinator is not None:
            self._open_distributed(spider)
            return
        if spider.mode != "probe" and not self.crawler.settings.getbool("GOVSITES_STORE_LOCK_HELD"):
            self.lock = StoreLock(self.db)
            if not self.lock.acquire():
                logger.error("存储 %s 正被另一个检测进程（PID %s）使用，本次检测未开始；请等其结束后再运行",
                             self.db, self.lock.holder())
                spider.sites, spider.states = [], {}
                self.lock = None
                raise CloseSpider("store_locked")
        self.store = Store(self.db)
        registry_size = len(load_sites(self.crawler.settings.get("GOVSITES_SITES")).sites)
        subset = len(spider.sites) < registry_size or spider.mode == "probe"
        label, as_of = resolve_run(self.store, self.label, self.as_of, subset)
        if spider.mode == "probe":
            self.run = self.store.get_run(label) or self.store.begin_run(label, as_of)
        else:
            self._skip_done_sites(spider, label)
            self.run = self.store.begin_run(label, as_of)
            self.store.start_sites(self.run.id, [s.as_row() for s in spider.sites])
        spider.as_of = date.fromisoformat(self.run.as_of)
        spider.run_label = self.run.label
        logger.info("运行 %s（评估基准日 %s）：%d 个网站，存储 %s", self.run.label, self.run.as_of,
                    len(spider.sites), self.db)

    def _open_distributed(self, spider: Any) -> None:
        coordinator = spider.coordinator
        self.store = Store(self.db)
        label = coordinator.label
        if coordinator.claim_seeder():
            _, as_of = resolve_run(self.store, label, self.as_of, subset=False)
            self._skip_done_sites(spider, label)
            self.run = self.store.begin_run(label, as_of)
            self.store.start_sites(self.run.id, [s.as_row() for s in spider.sites])
            coordinator.publish_ready(self.run.id, [s.site_id for s in spider.sites])
            logger.info("分布式运行 %s：本进程负责分发 %d 个网站（Redis %s）", label, len(spider.sites),
                        coordinator.url)
        else:
            wait = self.crawler.settings.getfloat("GOVSITES_DISTRIBUTED_WAIT", 600)
            run_id = coordinator.wait_ready(wait)
            run = self.store.get_run(label)
            if run_id is None or run is None or run.id != run_id:
                logger.error("分布式运行 %s：等待分发进程超时（%.0f 秒），本工作进程退出", label, wait)
                spider.sites, spider.states = [], {}
                self.run = None
                raise CloseSpider("distributed_not_ready")
            self.run = run
            seeded = coordinator.seeded_sites()
            spider.sites = [s for s in spider.sites if s.site_id in seeded]
            spider.states = {sid: st for sid, st in spider.states.items() if sid in seeded}
            logger.info("分布式运行 %s：加入工作（%d 个网站尚未完成）", label, coordinator.sites_left())
        spider.as_of = date.fromisoformat(self.run.as_of)
        spider.run_label = self.run.label

    def _skip_done_sites(self, spider: Any, label: str) -> None:
        """Resume an interrupted run: the same command again crawls only the sites it had not finished.

        Applies when the run is unfinished and some of the chosen sites are still marked running there; a
        deliberate rerun of finished sites (all chosen sites done) crawls them anew.
        """
        assert self.store is not None
        run = self.store.get_run(label)
        if run is None or run.status != "running":
            return
        status = {row["site_id"]: row["status"] for row in self.store.run_sites(run.id)}
        chosen = {site.site_id for site in spider.sites}
        done = {sid for sid in chosen if status.get(sid) == "done"}
        if not done or done == chosen:
            return
        logger.info("继续未完成的运行 %s：%d 个网站已完成，本次检测其余 %d 个", label, len(done), len(chosen - done))
        spider.sites = [site for site in spider.sites if site.site_id not in done]
        for sid in done:
            spider.states.pop(sid, None)

    def process_item(self, item: Any) -> Any:
        if self.run is None:
            return item
        if isinstance(item, SiteDoneItem):
            if self.crawler.spider.mode != "probe":
                self.flush()
                assert self.store is not None
                coordinator = self.coordinator
                pages = coordinator.stored_pages(item.site_id) if coordinator else self.pages[item.site_id]
                self.store.finish_site(self.run.id, item.site_id, "done", pages)
                self.finished.add(item.site_id)
            return item
        self._add_item(item)
        if isinstance(item, PageItem):
            self.pages[item.site_id] += 1
            if self.coordinator is not None:  # pages stored per site, summed over the workers
                self.coordinator.count_pages({item.site_id: 1})
            buffer = self.buffer
            for children in (item.checks, item.typos, item.refs, item.entries):  # _add_item, inlined: hot
                for child in children:
                    table = child.TABLE
                    buffer[table].append(_ROW_OF[table](child))
                self.buffered += len(children)
        if self.buffered >= self.batch_size:
            self.flush()
        return item

    def _add_item(self, item: Any) -> None:
        """Buffer an item as a row of its table (only the table's columns: nested lists stay out)."""
        table = item.TABLE
        self.buffer[table].append(_ROW_OF[table](item))
        self.buffered += 1

    def flush(self) -> None:
        """Write the buffered rows of every table in one transaction."""
        assert self.store is not None
        assert self.run is not None
        if self.buffered:
            self.store.insert_values(self.run.id, self.buffer)
        self.buffer.clear()
        self.buffered = 0

    def close_spider(self) -> None:
        if self.run is not None:
            self.flush()

    def spider_closed(self, spider: Any, reason: str) -> None:
        if self.store is None or self.run is None:
            return
        if spider.mode != "probe" and self.coordinator is None:
            if reason == "finished":
                for site in spider.sites:
                    if site.site_id not in self.finished:
                        self.store.finish_site(self.run.id, site.site_id, "done", self.pages[site.site_id])
            else:
                logger.warning("检测被中断（%s）：运行 %s 未完成，重新执行同一命令即可继续", reason, self.run.label)
        if not self.crawler.settings.getbool("GOVSITES_STORE_LOCK_HELD"):
            # (a child of `crawl --workers N` leaves this to its parent, which waits for every share)
            self.store.finish_run(self.run.id)
        self.store.close()
        if self.lock is not None:
            self.lock.release()
