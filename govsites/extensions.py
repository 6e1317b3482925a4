"""Extensions: the run lifecycle, home-page probes, header-only downloads, progress lines, per-site summaries."""

from __future__ import annotations

import logging
import re
import time
from collections import Counter
from typing import Any

from scrapy import Request, signals
from scrapy.exceptions import CloseSpider, DontCloseSpider, NotConfigured, StopDownload
from scrapy.http import Response
from twisted.internet import reactor, task
from twisted.python.failure import Failure

from govsites.config import GovsitesConfig
from govsites.items import ColumnItem, LinkCheckItem, PageItem, ProbeItem, SiteDoneItem
from govsites.lifecycle import RunContext, RunStartError, RunStrategy, choose_strategy, run_opened
from govsites.linkcheck.classify import NOT_VERIFIED
from govsites.progress import Snapshot, progress_line, totals_line, write_snapshot
from govsites.registry import load_sites
from govsites.rendering import RENDER_FAILURE_LABELS
from govsites.sharedanswers import FRESH
from govsites.store import Store, now_iso, open_store

logger = logging.getLogger(__name__)

#: how the end of a crawl is named to the analyst (Scrapy's finish reasons)
REASONS = {"finished": "已完成", "shutdown": "已中断", "cancelled": "已取消", "closespider_timeout": "超时"}
#: Content types a page request reads the body of; anything else (zip, pdf, images …) is judged by status.
DOCUMENT_TYPES = re.compile(rb"^(?:text/|application/(?:xhtml\+xml|xml|json|javascript|x-javascript)$)")


class HomeProbes:
    """Probe every site's home page ``GOVSITES_PROBES`` times, ``GOVSITES_PROBE_INTERVAL`` seconds apart.

    A probe is one GET with a hard time limit (15 s by default, the census rule) and no retries; it fails on
    any error or a 4xx/5xx answer. The spider stays open until every probe has answered.

    The probes start when the run is open (:data:`govsites.lifecycle.run_opened`), for the run's sites. In a
    distributed crawl only the seeding worker schedules probes; any worker may answer them (the shared queue), so
    this worker waits only until each probe is sent: the sites' in-flight counts, which include the probes, keep
    every worker open until they are answered (:class:`RunLifecycle`).
    """

    def __init__(self, crawler: Any, probes: int, interval: float, timeout: int) -> None:
        self.crawler = crawler
        self.probes = probes
        self.interval = interval
        self.timeout = timeout
        self.pending = 0
        self.calls: list[Any] = []
        self.distributed = False

    @classmethod
    def from_crawler(cls, crawler: Any) -> HomeProbes:
        config = GovsitesConfig.from_settings(crawler.settings)
        if config.probes <= 0:
            raise NotConfigured
        ext = cls(crawler, config.probes, config.probe_interval, config.probe_timeout)
        crawler.signals.connect(ext.run_opened, signal=run_opened)
        crawler.signals.connect(ext.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(ext.item_scraped, signal=signals.item_dropped)
        return ext

    def run_opened(self, run: RunContext, strategy: RunStrategy) -> None:
        self.distributed = strategy.shared_queue
        if not run.seeder:
            return
        spider = self.crawler.spider
        for site in run.sites:
            for i in range(self.probes):
                self.pending += 1
                call = reactor.callLater(i * self.interval, self._probe, spider, site)  # type: ignore[attr-defined,arg-type,unused-ignore]
                self.calls.append(call)

    def _probe(self, spider: Any, site: Any) -> None:
        meta = {
            "site_id": site.site_id,
            "dont_retry": True,
            "download_timeout": self.timeout,
            "handle_httpstatus_list": list(range(300, 600)),
            "dont_redirect": False,
            "role": "probe",
            FRESH: True,  # availability is what a probe measures: never another request's answer
        }
        cb_kwargs = {"probe_url": site.home_url, "probed_at": now_iso(), "probe_started": time.monotonic()}
        request = Request(
            site.home_url,
            callback=spider.probe_done,
            errback=spider.probe_failed,
            meta=meta,
            cb_kwargs=cb_kwargs,
            dont_filter=True,
            priority=1000,
        )
        self.crawler.engine.crawl(request)
        if self.distributed:
            self.pending -= 1

    def item_scraped(self, item: Any, **_: Any) -> None:
        if isinstance(item, ProbeItem) and not self.distributed:
            self.pending -= 1

    def spider_idle(self, spider: Any) -> None:
        if self.pending > 0:
            raise DontCloseSpider

    def spider_closed(self, spider: Any) -> None:
        for call in self.calls:
            if call.active():
                call.cancel()


class HeadersOnly:
    """Stop a download once the headers are in: link checks by GET (``headers_only``), and pages whose answer
    is not a document (an attachment behind an extension-less URL): their status is all that is judged."""

    @classmethod
    def from_crawler(cls, crawler: Any) -> HeadersOnly:
        ext = cls()
        crawler.signals.connect(ext.headers_received, signal=signals.headers_received)
        return ext

    def headers_received(self, headers: Any, body_length: int, request: Request, spider: Any) -> None:
        if request.meta.get("headers_only"):
            raise StopDownload(fail=False)
        if 0 <= request.meta.get("body_cap", -1) < body_length:
            # Declared larger than the reader's cap (an attachment of the security checks): the status is judged,
            # the body is not read (the callback sees the declared length in Content-Length).
            raise StopDownload(fail=False)
        if request.meta.get("role") in ("page", "home", "check_page") and not request.meta.get("playwright"):
            content_type = (headers.get(b"Content-Type") or b"").split(b";")[0].strip().lower()
            if content_type and not DOCUMENT_TYPES.match(content_type):
                raise StopDownload(fail=False)


class Progress:
    """Progress while crawling and a per-site summary at the end (Chinese, for the analyst).

    Every ``GOVSITES_PROGRESS_INTERVAL`` seconds the counts of this process (a :class:`govsites.progress.Snapshot`)
    are logged as one line, or, in a worker of ``crawl --workers N`` (``GOVSITES_PROGRESS_FILE`` set), written to
    that file for the parent to add up (:class:`govsites.progress.ProgressBoard`); the last snapshot is written
    when the spider closes, with the totals line.
    """

    PROBLEM_STATUSES = frozenset({"blank", "undated", "unreachable"})

    def __init__(self, crawler: Any, interval: float, path: str = "") -> None:
        self.crawler = crawler
        self.interval = interval
        self.path = path
        self.counts: Counter[tuple[str, str]] = Counter()
        self.outstanding: Counter[str] = Counter()
        self.done: set[str] = set()
        self.task: task.LoopingCall | None = None
        self.started = time.monotonic()

    @classmethod
    def from_crawler(cls, crawler: Any) -> Progress:
        config = GovsitesConfig.from_settings(crawler.settings)
        if config.progress_interval <= 0 and not config.progress_file:
            raise NotConfigured
        ext = cls(crawler, config.progress_interval, config.progress_file)
        crawler.signals.connect(ext.request_scheduled, signal=signals.request_scheduled)
        crawler.signals.connect(ext.request_finished, signal=signals.request_left_downloader)
        crawler.signals.connect(ext.request_finished, signal=signals.request_dropped)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.item_scraped, signal=signals.item_scraped)
        return ext

    def item_scraped(self, item: Any, response: Response | None = None, **_: Any) -> None:
        site = getattr(item, "site_id", "")
        keys: list[str] = []
        if isinstance(item, PageItem):
            keys = ["pages", f"pages_{item.kind}"] + (["rendered"] if item.rendered else [])
            keys += [key for check in item.checks for key in (["links", "broken"] if check.broken else ["links"])]
        elif isinstance(item, LinkCheckItem):
            keys = ["unchecked"] if item.status in NOT_VERIFIED else ["links", "broken"] if item.broken else ["links"]
        elif isinstance(item, ColumnItem):
            keys = ["columns", item.status] + ([f"unrendered/{item.render_error}"] if item.render_error else [])
        elif isinstance(item, ProbeItem):
            keys = ["probes"] if item.ok else ["probes", "probe_failures"]
        for key in keys:
            self.counts[site, key] += 1
            self.crawler.stats.inc_value(f"govsites/{key}")
        if isinstance(item, SiteDoneItem):
            self.done.add(item.site_id)
            site_counts = {key: self.counts[item.site_id, key] for key in UNRENDERED_KEYS}
            unrendered = site_counts["unrendered"]
            rendering = f"，浏览器未能渲染栏目 {unrendered}{unrendered_reasons(site_counts)}" if unrendered else ""
            logger.info("网站 %s 检测完成（页面 %d%s）", item.site_id, item.pages, rendering)
        for typo in getattr(item, "typos", ()):
            self.counts[site, "typos"] += 1
            if typo.severity == "serious":
                self.counts[site, "serious_typos"] += 1
            self.crawler.stats.inc_value(f"govsites/typos/{typo.severity}")

    def request_scheduled(self, request: Request, **_: Any) -> None:
        site = request.meta.get("site_id")
        if site:
            self.outstanding[site] += 1

    def request_finished(self, request: Request, **_: Any) -> None:
        site = request.meta.get("site_id")
        if site and self.outstanding[site] > 0:
            self.outstanding[site] -= 1

    def _total(self, *keys: str) -> int:
        return sum(n for (_, k), n in self.counts.items() if k in keys)

    def unreachable(self) -> int:
        """Sites whose every home-page probe so far failed."""
        probed = {s: n for (s, k), n in self.counts.items() if k == "probes"}
        return sum(1 for s, n in probed.items() if n and self.counts[s, "probe_failures"] == n)

    def snapshot(self, spider: Any, finished: bool = False) -> Snapshot:
        states = getattr(spider, "states", {})
        return Snapshot(
            sites_total=len(states),
            sites_done=len(self.done & set(states)) if states else len(self.done),
            pages=self._total("pages"),
            links=self._total("links"),
            broken=self._total("broken"),
            problems=self._total("broken", "serious_typos", *self.PROBLEM_STATUSES),
            unreachable=self.unreachable(),
            unchecked=self._total("unchecked"),
            elapsed=time.monotonic() - self.started,
            finished=finished,
        )

    def spider_opened(self, spider: Any) -> None:
        self.started = time.monotonic()
        logger.info("开始检测 %d 个网站", len(getattr(spider, "states", {})))
        if self.interval > 0:
            self.task = task.LoopingCall(self.log_progress, spider)
            self.task.start(self.interval, now=False)

    def log_progress(self, spider: Any) -> None:
        snap = self.snapshot(spider)
        if self.path:
            self._write(snap)
        else:
            logger.info("%s", progress_line(snap))

    def _write(self, snap: Snapshot) -> None:
        try:
            write_snapshot(self.path, snap)
        except OSError as exc:
            logger.warning("无法写入进度文件 %s：%s", self.path, exc.strerror)
            self.crawler.stats.inc_value("govsites/progress/unwritten")

    def spider_closed(self, spider: Any, reason: str) -> None:
        if self.task is not None and self.task.running:
            self.task.stop()
        for site_id in getattr(spider, "states", {}):
            c = {k: n for (s, k), n in self.counts.items() if s == site_id}
            logger.info(
                "站点 %s：页面 %d，栏目 %d（空白 %d，无日期 %d，无法访问 %d，浏览器未能渲染 %d%s），"
                "链接 %d（失效 %d，未能检测 %d），首页探测 %d 次失败 %d 次，错别字 %d",
                site_id,
                c.get("pages", 0),
                c.get("columns", 0),
                c.get("blank", 0),
                c.get("undated", 0),
                c.get("unreachable", 0),
                c.get("unrendered", 0),
                unrendered_reasons(c),
                c.get("links", 0),
                c.get("broken", 0),
                c.get("unchecked", 0),
                c.get("probes", 0),
                c.get("probe_failures", 0),
                c.get("typos", 0),
            )
        snap = self.snapshot(spider, finished=True)
        if self.path:
            self._write(snap)
        else:
            logger.info("%s", totals_line(snap))
        logger.info("检测结束（%s），用时 %.0f 秒", REASONS.get(reason, reason), time.monotonic() - self.started)


#: The per-site counts of columns the browser could not render: in all, and by reason (govsites.rendering).
UNRENDERED_KEYS = ("unrendered", *(f"unrendered/{code}" for code in RENDER_FAILURE_LABELS))


def unrendered_reasons(counts: dict[str, int]) -> str:
    """Why a site's columns were not rendered, for its summary line (``：渲染超时 2、未渲染（已跳过） 1``; "" when
    all were)."""
    reasons = [(label, counts.get(f"unrendered/{code}", 0)) for code, label in RENDER_FAILURE_LABELS.items()]
    shown = "、".join(f"{label} {n}" for label, n in reasons if n)
    return f"：{shown}" if shown else ""


class RunLifecycle:
    """The run lifecycle (:mod:`govsites.lifecycle`): store lock, run resolution, resume of an interrupted run,
    distributed seeding, and closing the run.

    When the spider opens, the strategy chosen once for this crawl (one process, or a worker of a distributed
    crawl) opens the run for the spider's chosen sites (``spider.sites``; ``spider.mode`` ``crawl`` or ``probe``),
    and the outcome is published: an immutable :class:`~govsites.lifecycle.RunContext` and the strategy, sent
    with :data:`~govsites.lifecycle.run_opened` (also kept as ``run`` and ``strategy`` here). A run that cannot
    start closes the spider (``store_locked``, ``distributed_not_ready``), and so does a component that fails to
    take it (``run_not_opened``). When the spider closes (after the pipelines have written their rows), the run
    is closed.

    A worker of a distributed crawl stays open while the run has unfinished sites: the shared scheduler may be
    empty for a moment while another worker is still parsing a page that will add requests, so an idle worker
    keeps polling the queue (every ``GOVSITES_DISTRIBUTED_POLL`` seconds, instead of the engine's 5-second
    heartbeat) until the run's last site is done.
    """

    def __init__(self, crawler: Any, config: GovsitesConfig) -> None:
        self.crawler = crawler
        self.config = config
        self.strategy: RunStrategy | None = None
        self.run: RunContext | None = None
        self.store: Store | None = None
        self.task: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> RunLifecycle:
        ext = cls(crawler, GovsitesConfig.from_settings(crawler.settings))
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider: Any) -> None:
        mode = getattr(spider, "mode", "crawl")
        chosen = list(getattr(spider, "sites", ()))
        strategy = self.strategy = choose_strategy(self.config, bool(getattr(spider, "distributable", False)))
        try:
            strategy.acquire(mode)
            self.store = open_store(self.config.db)
            subset = len(chosen) < len(load_sites(self.config.sites).sites)
            self.run = strategy.open_run(self.store, chosen, mode, subset)
        except RunStartError as exc:
            self._release()
            raise CloseSpider(exc.reason) from exc
        self.crawler.stats.set_value("govsites/run/sites", len(self.run.sites))
        self.crawler.stats.set_value("govsites/run/label", self.run.label)
        results = self.crawler.signals.send_catch_log(run_opened, run=self.run, strategy=strategy)
        if any(isinstance(result, Failure) for _, result in results):  # logged by Scrapy already
            raise CloseSpider("run_not_opened")  # a component could not take the run: crawl nothing
        if strategy.poll_interval:
            self.task = task.LoopingCall(self._wake)
            self.task.start(strategy.poll_interval, now=False)

    def _wake(self) -> None:
        # ExecutionEngine has no public "look at the scheduler again" call; nextcall is what its heartbeat uses.
        slot = getattr(self.crawler.engine, "_slot", None)
        nextcall = getattr(slot, "nextcall", None)
        if nextcall is not None:
            nextcall.schedule()

    def spider_idle(self, spider: Any) -> None:
        if self.strategy is not None and self.run is not None and self.strategy.keep_open(self.run):
            raise DontCloseSpider

    def spider_closed(self, spider: Any, reason: str) -> None:
        if self.task is not None and self.task.running:
            self.task.stop()
        if self.strategy is not None and self.store is not None and self.run is not None:
            self.strategy.close_run(self.store, self.run, reason)
        self._release()

    def _release(self) -> None:
        if self.store is not None:
            self.store.close()
            self.store = None
        if self.strategy is not None:
            self.strategy.release()
