"""Item pipelines: typo detection on page text, the site checks of the 2019 indicators, then the store writer."""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from importlib.metadata import version
from operator import attrgetter
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.threads import deferToThread

from govsites.config import GovsitesConfig
from govsites.extract.kept import kept_reading, sources_digest
from govsites.items import ContentItem, PageItem, ProbeItem, SiteCheckItem, SiteDoneItem, TypoItem
from govsites.lifecycle import ArticleNotes, RunContext, RunStrategy, SeenLines, run_opened
from govsites.registry import Registry, load_site_codes, load_sites
from govsites.schema import TABLE_COLUMNS
from govsites.sitechecks.identifiers import HOME_CHECKS, absent_tags, home_checks, page_tags_of
from govsites.sitechecks.ipv6 import ipv6_record
from govsites.sitechecks.maintenance import MaintenanceCalendar, load_maintenance
from govsites.sitechecks.markup import SitePage
from govsites.sitechecks.policy import (
    INTERPRETATION_HEADING,
    INTERPRETATION_LINK,
    ArticleReading,
    PolicyPages,
    plain_article,
    read_article,
)
from govsites.sitechecks.result import CheckResult
from govsites.sitechecks.tls import verify_certificate
from govsites.store import Store, open_store

logger = logging.getLogger(__name__)
T = TypeVar("T")

#: An item's row of its table: the values of the table's columns, in order (items are dataclasses whose field
#: names are the column names; see :mod:`govsites.items` and :mod:`govsites.schema`).
_ROW_OF: dict[str, Callable[[Any], tuple[Any, ...]]] = {
    table: attrgetter(*columns) for table, columns in TABLE_COLUMNS.items()
}

#: The key prefix of the site checks' readings of a page kept in its memo (a 304 reuses them,
#: :mod:`govsites.extract.kept`): named with the digest of the checks' sources, so changed checks read afresh.
SITECHECKS_READING = "sitechecks/" + sources_digest(sorted((Path(__file__).parent / "sitechecks").glob("*.py")))


def typo_version(extra_terms: Iterable[tuple[str, str]], terms_dir: Path) -> str:
    """The key prefix of a page's typo findings kept in its memo: the digest of the detector's sources, its
    dictionary's files, jieba's version and the registry's extra terms (any change reads every page afresh)."""
    digest = hashlib.sha256()
    digest.update(sources_digest(sorted((Path(__file__).parent / "typos").glob("*.py"))).encode())
    digest.update(sources_digest(sorted(p for p in terms_dir.rglob("*") if p.is_file())).encode())
    digest.update(version("jieba").encode())
    for term, kind in sorted(set(extra_terms)):
        digest.update(f"{term}\t{kind}\n".encode())
    return "typos/" + digest.hexdigest()[:16]


class TypoPipeline:
    """Find serious typos in the visible text of every internal page.

    Text lines already checked on the same site (navigation, footer, boilerplate repeated on every page)
    are checked once per site, which is also what keeps the detector off the hot path; the run's strategy
    remembers them (in a distributed crawl, for every worker). Each new line is checked on its own, so a finding's
    context (and whether a context-gated pair counts) is the same whichever page showed the line first.
    """

    def __init__(self, extra_terms: list[tuple[str, str]], stats: Any = None) -> None:
        self.extra_terms, self.stats = extra_terms, stats
        self.lines: SeenLines | RunStrategy = SeenLines()
        #: per site, the findings of each line that had any (by the line's hash): repeated on later pages
        self.line_findings: dict[str, dict[int, tuple[Any, ...]]] = defaultdict(dict)
        #: a distributed crawl (the run's lines are shared): the lines this worker checked itself, per site
        self.shared = False
        self.checked_here: dict[str, set[int]] = defaultdict(set)
        self.detector: Any = None
        self.version = ""  # the memo key of a page's findings (typo_version), once the detector is loaded

    @classmethod
    def from_crawler(cls, crawler: Any) -> TypoPipeline:
        config = GovsitesConfig.from_settings(crawler.settings)
        if not config.typos_enabled:
            raise NotConfigured
        registry = load_sites(config.sites)
        pipeline = cls([(site.name, "unit") for site in registry.sites], crawler.stats)
        crawler.signals.connect(pipeline.run_opened, signal=run_opened)
        return pipeline

    def run_opened(self, run: RunContext, strategy: RunStrategy) -> None:
        self.lines = strategy
        self.shared = strategy.shared_queue

    def open_spider(self) -> None:
        from govsites.typos.detector import default_detector
        from govsites.typos.dictionary import DEFAULT_TERMS_DIR

        self.detector = default_detector(self.extra_terms)
        self.version = typo_version(self.extra_terms, DEFAULT_TERMS_DIR)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, PageItem) or not item.text or item.kind == "error":
            return item
        # A page answered 304 has its findings from its first reading (the same, line by line, as a new reading).
        found = kept_reading(
            item.memo, (self.version, "", None), lambda: self._findings(item), self.stats, "govsites/typos/pages_reused"
        )
        if found:
            item.typos = [
                TypoItem(
                    site_id=item.site_id,
                    url=item.url,
                    wrong=f.wrong,
                    right=f.right,
                    context=" ".join(f.context.split()),
                    severity=f.severity,
                    kind=f.kind,
                )
                for f in found
            ]
        return item

    def _findings(self, item: PageItem) -> tuple[Any, ...]:
        """The findings of every line of the page's text, in order."""
        # Each line is checked on its own: a finding and its context never depend on which other lines of the page
        # were new here, i.e. on which page of the site was parsed first. A line seen before on the site is not
        # checked again, but its findings are reported on this page too: scoring keeps one finding per line and
        # shows it on its first page by depth then URL, with the number of pages it is on (never the page that
        # happened to be parsed first).
        lines = item.text.splitlines()
        known = self.line_findings[item.site_id]
        here = self.checked_here[item.site_id]
        found: list[Any] = []
        for line, new in zip(lines, self.lines.new_lines(item.site_id, lines), strict=True):
            key = hash(line)
            if new or (self.shared and key not in here):  # distributed: another worker may have checked it first
                findings = tuple(self.detector.find(line))
                if findings:
                    known[key] = findings
                if self.shared:
                    here.add(key)
            else:
                findings = known.get(key, ())
            found.extend(findings)
        return tuple(found)


def _head_end(html: str) -> int:
    end = html.lower().find("</head>")
    return len(html) if end < 0 else end + len("</head>")


def parent_domains(registry: Registry) -> dict[str, str]:
    """The government domain each department's site should sit under (the 2017 指引): the host of the portal
    (group ``county``) of the same county in the registry, without ``www.``; departments of a county without a
    registered portal get none (only the ``.gov.cn`` suffix is checked)."""
    portals = {s.county: s.host.removeprefix("www.") for s in registry.sites if s.group == "county" and s.host}
    return {s.site_id: portals.get(s.county, "") for s in registry.sites if s.group == "agency"}


class SiteChecksPipeline:
    """Site-wide checks of the 2019 indicators (:mod:`govsites.sitechecks`) on the crawled pages.

    The home page's identifiers and entries (网站标识码 compared with the registry's optional ``site_code``, ICP
    and 公安 records, conac mark, 找错 entry, viewport, 无障碍 entry, domain rule) travel with its page item as
    ``site_checks`` rows. Every article page's missing metadata tags are noted with the run's strategy (shared by
    the workers of a distributed crawl); when the site is done, ``page_tags`` is judged on the
    ``GOVSITES_SITECHECKS_ARTICLE_PAGES`` first of them by URL — the same sample whatever order the pages came in,
    or which worker read them. Pages beyond the sample are counted
    (``govsites/sitechecks/article_pages_beyond_sample``).
    """

    def __init__(
        self,
        codes: dict[str, str],
        groups: dict[str, str],
        parents: dict[str, str],
        article_pages: int,
        stats: Any,
        calendar: MaintenanceCalendar | None = None,
        tls_timeout: float = 10.0,
        tls_ca_file: str = "",
    ) -> None:
        self.codes, self.groups, self.parents = codes, groups, parents
        self.tls_timeout, self.tls_ca_file = tls_timeout, tls_ca_file
        self.calendar = calendar or MaintenanceCalendar("")
        self.article_pages = article_pages
        self.stats = stats
        self.notes: ArticleNotes | RunStrategy = ArticleNotes()  # the run's strategy once the run is open
        self.page_tag_results: dict[str, CheckResult] = {}
        self.policy_results: dict[str, CheckResult] = {}
        self.home_checked: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Any) -> SiteChecksPipeline:
        config = GovsitesConfig.from_settings(crawler.settings)
        if not config.sitechecks_enabled:
            raise NotConfigured
        registry = load_sites(config.sites)
        pipeline = cls(
            load_site_codes(config.sites),
            {s.site_id: s.group for s in registry.sites},
            parent_domains(registry),
            max(0, config.sitechecks_article_pages),
            crawler.stats,
            load_maintenance(config.maintenance, [s.site_id for s in (*registry.sites, *registry.skipped)]),
            tls_timeout=config.link_timeout,
            tls_ca_file=config.tls_ca_file,
        )
        crawler.signals.connect(pipeline.run_opened, signal=run_opened)
        return pipeline

    def _count(self, key: str, count: int = 1) -> None:
        if self.stats is not None:
            self.stats.inc_value(f"govsites/sitechecks/{key}", count)

    async def process_item(self, item: Any) -> Any:
        if isinstance(item, SiteDoneItem):
            site_id = item.site_id  # a site may be done more than once (probes end after its pages): same rows
            home_read = item.home_read or site_id in self.home_checked  # by this worker or another one
            results = [self._page_tags(site_id)]
            if home_read:
                results.append(self._policy_result(site_id))
            item.site_checks = [SiteCheckItem(site_id, r.check, r.status, r.detail) for r in results]
            if not home_read:  # the home page never came: nothing on it could be checked
                item.site_checks += [
                    SiteCheckItem(site_id, check, "error", "首页无法访问，未能检查")
                    for check in (*HOME_CHECKS, "search", "annual_report", "https", "ipv6", "policy_interpretation")
                ]
                self._count("home_unchecked")
            self._count("checks", len(item.site_checks))
            return item
        if isinstance(item, SiteCheckItem) and item.check_name == "https" and item.url:
            return await self._with_certificate(item)
        if isinstance(item, ProbeItem):
            window = self.calendar.approved_window_at(item.site_id, item.probed_at)
            if window is not None:  # stored as measured; scoring leaves it out of availability
                logger.info(
                    "站点 %s 的首页探测处于已批准的维护时段（%s 第 %d 行），不计入可访问性",
                    item.site_id,
                    self.calendar.path,
                    window.line,
                )
                self._count("probes_in_maintenance")
            return item
        if not isinstance(item, PageItem):
            return item
        seen = PolicyPages()
        seen.read(item.url)
        if item.final_url:
            seen.read(item.final_url)
        if item.html and item.kind == "other" and item.depth >= 1:
            self._read_policy(seen, item)
        self.notes.note_policy(item.site_id, seen)
        if not item.html or item.kind == "error":
            return item
        site_id = item.site_id
        if item.kind == "home" and not item.rendered:
            page = SitePage(item.html, item.final_url or item.url, item.encoding or "utf-8")
            results = home_checks(
                page, self.codes.get(site_id, ""), self.groups.get(site_id, ""), self.parents.get(site_id, "")
            )
            item.site_checks = [SiteCheckItem(site_id, r.check, r.status, r.detail) for r in results]
            self.home_checked.add(site_id)
            self._count("sites")
            self._count("checks", len(results))
            self._count("failed", sum(1 for r in results if not r.passed))
            item.html = ""
            # The AAAA lookup may wait on DNS: in a thread, the item goes on when it is answered.
            lookup = deferToThread(ipv6_record, urlsplit(page.url).hostname or "")
            return self._with_check(await maybe_deferred_to_future(lookup), item)
        if item.kind == "list":
            self.notes.note_list_page(site_id, item.url)
        elif item.kind == "other" and item.depth >= 1:
            self.notes.note_article(site_id, item.url, self._absent_tags(item))
        item.html = ""  # read: the page's text is not kept any longer than needed
        return item

    def _absent_tags(self, item: PageItem) -> str:
        """The metadata tags missing from an article page's head, "|"-joined (kept for a 304)."""
        url = item.final_url or item.url

        def read() -> str:
            head = item.html[: _head_end(item.html)]  # the metadata tags are in the head: read only it
            return "|".join(sorted(absent_tags(SitePage(head, url, item.encoding or "utf-8"))))

        return self._kept(item, "absent_tags", read)

    def _kept(self, item: PageItem, name: str, read: Callable[[], T]) -> T:
        """``read()``, or the page's reading ``name`` kept for a 304 (counted:
        ``govsites/sitechecks/readings_reused``)."""
        key = (f"{SITECHECKS_READING}/{name}", item.final_url or item.url, None)
        return kept_reading(item.memo, key, read, self.stats, "govsites/sitechecks/readings_reused")

    def run_opened(self, run: RunContext, strategy: RunStrategy) -> None:
        self.notes = strategy

    def _page_tags(self, site_id: str) -> CheckResult:
        """``page_tags`` on the site's first article pages by URL (deterministic; every worker's pages); judged
        once per site (a site may be done again when its probes end)."""
        if site_id not in self.page_tag_results:
            self.page_tag_results[site_id] = self._judge_page_tags(site_id)
        return self.page_tag_results[site_id]

    def _judge_page_tags(self, site_id: str) -> CheckResult:
        notes = self.notes.article_notes(site_id)
        sample = sorted(notes)[: self.article_pages]
        self._count("article_pages", len(sample))
        if len(notes) > len(sample):
            self._count("article_pages_beyond_sample", len(notes) - len(sample))
        return page_tags_of([frozenset(filter(None, notes[url].split("|"))) for url in sample])

    async def _with_certificate(self, item: SiteCheckItem) -> SiteCheckItem:
        """The ``https`` row of an HTTPS answer, with its certificate verified (in a thread: one handshake);
        an invalid certificate makes it ``wrong``."""
        parts = urlsplit(item.url)
        lookup = deferToThread(
            verify_certificate, parts.hostname or "", parts.port or 443, self.tls_timeout, self.tls_ca_file
        )
        certificate = await maybe_deferred_to_future(lookup)
        self._count("certificates")
        if not certificate.valid:
            self._count("certificates_invalid")
        status = item.status if certificate.valid else "wrong"
        return SiteCheckItem(
            site_id=item.site_id,
            check_name=item.check_name,
            status=status,
            detail=f"{item.detail}；{certificate.detail}",
        )

    def _read_policy(self, seen: PolicyPages, item: PageItem) -> None:
        """An article for the ``policy_interpretation`` check: parsed only when it mentions an interpretation
        (else it is a page that links to none, which is all the check needs to know of it). Kept for a 304."""
        url = item.final_url or item.url

        def read() -> ArticleReading:
            if INTERPRETATION_LINK.search(item.html) or INTERPRETATION_HEADING.search(item.html):
                return read_article(SitePage(item.html, url, item.encoding or "utf-8"))
            return plain_article(url)

        seen.add_reading(self._kept(item, "policy", read))
        self._count("policy_pages")

    def _policy_result(self, site_id: str) -> CheckResult:
        """``policy_interpretation`` over every worker's pages of the site; judged once per site."""
        if site_id not in self.policy_results:
            self.policy_results[site_id] = self.notes.policy_pages(site_id).result()
        return self.policy_results[site_id]

    def _with_check(self, result: CheckResult, item: PageItem) -> PageItem:
        item.site_checks.append(SiteCheckItem(item.site_id, result.check, result.status, result.detail))
        self._count("checks")
        return item


class StorePipeline:
    """Write every item of the run into the store in batched transactions.

    The run is the one published by the run lifecycle (:class:`govsites.extensions.RunLifecycle`,
    :data:`govsites.lifecycle.run_opened`): the pipeline opens the store then, buffers the rows, writes them, marks
    a site done when its :class:`~govsites.items.SiteDoneItem` comes (after writing its rows), and closes the store
    when the spider closes. Before a run is open (none when the run could not start) items pass untouched.

    Rows are buffered as tuples and written ``GOVSITES_STORE_BATCH`` rows (default 5,000) at a time, every table
    in one transaction, and whenever a site is done. Bigger batches are cheaper (a batch's rows share the index
    pages they rewrite); rows still buffered when a crawl is killed belong to sites not yet marked done, which
    a resumed run crawls again.
    """

    def __init__(self, db: str, batch_size: int = 5000, stats: Any = None) -> None:
        self.db, self.batch_size, self.stats = db, batch_size, stats
        self.store: Store | None = None
        self.run: RunContext | None = None
        self.strategy: RunStrategy | None = None
        self.buffer: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
        self.buffered = 0

    @classmethod
    def from_crawler(cls, crawler: Any) -> StorePipeline:
        config = GovsitesConfig.from_settings(crawler.settings)
        pipeline = cls(config.db, config.store_batch, crawler.stats)
        crawler.signals.connect(pipeline.run_opened, signal=run_opened)
        return pipeline

    def run_opened(self, run: RunContext, strategy: RunStrategy) -> None:
        self.run, self.strategy = run, strategy
        self.store = open_store(self.db)

    def process_item(self, item: Any) -> Any:
        run, strategy = self.run, self.strategy
        if run is None or strategy is None:
            return item
        if isinstance(item, SiteDoneItem):
            if run.mode != "probe":
                for check in item.site_checks:
                    self._add_item(check)
                self.flush()
                assert self.store is not None
                self.store.finish_site(
                    run.run_id,
                    item.site_id,
                    item.status,
                    strategy.pages(item.site_id),
                    error=item.error,
                    pages_capped=item.pages_capped,
                )
                self._count("govsites/store/sites_done")
            return item
        if isinstance(item, ContentItem):  # fetched for the security checks: only its findings are stored
            for child in (*item.risks, *item.snapshot):
                self._add_item(child)
        else:
            self._add_item(item)
        if isinstance(item, PageItem):
            if item.memo is not None:
                item.memo.finish()  # every reading of the page is in it: it may be kept (govsites.revalidate)
                item.memo = None
            strategy.add_page(item.site_id, item.url)
            buffer = self.buffer
            children_lists = (item.checks, item.typos, item.refs, item.entries, item.risks, item.site_checks)
            for children in children_lists:  # _add_item, inlined: hot
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
            written = self.store.insert_values(self.run.run_id, self.buffer)
            self._count("govsites/store/rows", written)
            self._count("govsites/store/batches")
        self.buffer.clear()
        self.buffered = 0

    def _count(self, key: str, count: int = 1) -> None:
        if self.stats is not None:
            self.stats.inc_value(key, count)

    def close_spider(self) -> None:
        """Write what is buffered and close the store (the run lifecycle closes the run afterwards)."""
        if self.store is None:
            return
        if self.run is not None:
            self.flush()
        self.store.close()
        self.store = None
