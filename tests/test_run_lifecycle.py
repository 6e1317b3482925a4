"""The run lifecycle and the store pipeline, in process: a crawler built as Scrapy builds it (``get_crawler`` with
the project's settings, so the real ``RunLifecycle`` extension), the real spider and pipelines, a real SQLite
store read back with ``sqlite3``; no engine and no network."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider, DontCloseSpider
from scrapy.utils.test import get_crawler

from bench.localservers import missing_reason, redis_server
from govsites.config import declared_names
from govsites.extensions import RunLifecycle
from govsites.items import LinkCheckItem, LinkRefItem, ListEntryItem, PageItem, ProbeItem, SiteDoneItem, TypoItem
from govsites.lifecycle import DistributedStrategy, LocalStrategy, RunContext, run_opened
from govsites.pipelines import StorePipeline, TypoPipeline
from govsites.spiders.probe import ProbeSpider
from govsites.spiders.site import SiteSpider
from govsites.spiders.sites import RegisteredSitesSpider
from govsites.store import StoreLock, open_store
from tests.helpers import project_settings

PROJECT = project_settings()
REGISTRY = (
    "site_id,name,group,county,home_url\n"
    "a,甲县人民政府,county,甲县,http://127.0.0.11:8341/\n"
    "b,乙县人民政府,county,乙县,http://127.0.0.12:8341/\n"
)
HOME = "http://127.0.0.11:8341/"


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in declared_names():
        monkeypatch.delenv(name, raising=False)


class Crawl:
    """A crawler with the spider, the run lifecycle and the store pipeline, driven by hand."""

    def __init__(self, tmp_path: Path, spidercls: type[RegisteredSitesSpider] = SiteSpider, **settings: Any) -> None:
        registry = tmp_path / "sites.csv"
        registry.write_text(REGISTRY, encoding="utf-8")
        self.db = tmp_path / "store.sqlite"
        values = {
            "GOVSITES_SITES": str(registry),
            "GOVSITES_COLUMNS": str(tmp_path / "none.csv"),
            "GOVSITES_DB": str(self.db),
            "GOVSITES_RUN": "r",
            "GOVSITES_AS_OF": "2015-12-31",
            "GOVSITES_PROBES": 0,
            "GOVSITES_PROGRESS_INTERVAL": 0,
            "GOVSITES_STORE_BATCH": 3,
            **settings,
        }
        self.crawler: Crawler = get_crawler(spidercls, {**PROJECT, **values})
        self.spider = spidercls.from_crawler(self.crawler)
        self.crawler.spider = self.spider
        lifecycle = self.crawler.get_extension(RunLifecycle)
        assert lifecycle is not None  # enabled by the project's settings
        self.lifecycle = lifecycle
        self.pipeline = StorePipeline.from_crawler(self.crawler)
        self.published: list[RunContext] = []
        self.crawler.signals.connect(self._published, signal=run_opened)

    def _published(self, run: RunContext, **_: Any) -> None:
        self.published.append(run)

    def open(self) -> None:
        self.lifecycle.spider_opened(self.spider)  # the pipeline opens its store when the run is published

    def close(self, reason: str = "finished") -> None:
        self.pipeline.close_spider()
        self.lifecycle.spider_closed(self.spider, reason)

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        con = sqlite3.connect(self.db)
        try:
            return list(con.execute(sql))
        finally:
            con.close()


def page(site_id: str = "a", url: str = HOME, **children: Any) -> PageItem:
    return PageItem(
        site_id=site_id,
        url=url,
        final_url=url,
        status="200",
        kind="home",
        rendered=True,
        title="首页",
        text="正文",
        **children,
    )


def test_run_is_published_and_the_spider_reads_it(tmp_path: Path) -> None:
    crawl = Crawl(tmp_path)
    crawl.open()
    [run] = crawl.published
    assert (run.label, run.as_of, run.mode, run.seeder) == ("r", date(2015, 12, 31), "crawl", True)
    assert [s.site_id for s in run.sites] == ["a", "b"]
    assert crawl.lifecycle.run == run
    assert isinstance(crawl.lifecycle.strategy, LocalStrategy)
    assert crawl.spider.today == date(2015, 12, 31)
    assert sorted(crawl.spider.states) == ["a", "b"]
    assert crawl.crawler.stats is not None
    assert crawl.crawler.stats.get_value("govsites/run/sites") == 2
    assert crawl.rows("SELECT label, as_of, status FROM runs") == [("r", "2015-12-31", "running")]
    assert crawl.rows("SELECT site_id, status FROM run_sites ORDER BY 1") == [("a", "running"), ("b", "running")]
    crawl.close()


def test_pipeline_writes_items_and_the_run_closes(tmp_path: Path) -> None:
    crawl = Crawl(tmp_path)
    crawl.open()
    item = page(
        refs=[
            LinkRefItem(site_id="a", url=f"{HOME}{i}", source_url=HOME, anchor=f"链接{i}", tag="a") for i in range(5)
        ],
        entries=[
            ListEntryItem(
                site_id="a",
                column_url=HOME,
                url=f"{HOME}1",
                title="标题",
                date="2015-12-01",
                date_source="list",
                pinned=True,
            )
        ],
        checks=[LinkCheckItem(site_id="a", url=HOME, status="200", reason="", broken=False)],
        typos=[
            TypoItem(
                site_id="a", url=HOME, wrong="错", right="对", context="上下文", severity="serious", kind="known_pair"
            )
        ],
    )
    assert crawl.pipeline.process_item(item) is item
    assert crawl.pipeline.buffered == 0  # more rows than GOVSITES_STORE_BATCH: written at once
    crawl.pipeline.process_item(
        LinkCheckItem(site_id="a", url=f"{HOME}1", status="404", reason="Not Found", broken=True)
    )
    assert crawl.pipeline.buffered == 1
    crawl.pipeline.process_item(SiteDoneItem("a", 1))  # a finished site's rows are written before it is done
    assert crawl.rows("SELECT site_id, status, pages FROM run_sites ORDER BY 1") == [
        ("a", "done", 1),
        ("b", "running", 0),
    ]
    assert crawl.rows("SELECT title, rendered FROM pages") == [("首页", 1)]
    assert crawl.rows("SELECT COUNT(*) FROM link_refs") == [(5,)]
    assert crawl.rows("SELECT pinned FROM list_items") == [(1,)]
    assert crawl.rows("SELECT url, broken FROM link_checks ORDER BY url") == [(HOME, 0), (f"{HOME}1", 1)]
    assert crawl.rows('SELECT wrong, "right" FROM typos') == [("错", "对")]
    stats = crawl.crawler.stats
    assert stats is not None
    assert stats.get_value("govsites/store/rows") == 10  # page, 5 refs, entry, 2 checks, typo
    assert stats.get_value("govsites/store/batches") == 2
    assert stats.get_value("govsites/store/sites_done") == 1
    crawl.pipeline.process_item(page("b", "http://127.0.0.12:8341/"))
    crawl.close("finished")  # b never reported done: a crawl that finished normally marks it done
    assert crawl.rows("SELECT site_id, status, pages FROM run_sites ORDER BY 1") == [("a", "done", 1), ("b", "done", 1)]
    assert crawl.rows("SELECT status FROM runs") == [("finished",)]
    assert crawl.rows("SELECT COUNT(*) FROM pages WHERE site_id = 'b'") == [(1,)]  # flushed at close


def test_interrupted_run_stays_unfinished_and_resumes_with_the_rest(tmp_path: Path) -> None:
    crawl = Crawl(tmp_path)
    crawl.open()
    crawl.pipeline.process_item(page())
    crawl.pipeline.process_item(SiteDoneItem("a", 1))
    crawl.close("shutdown")
    assert crawl.rows("SELECT site_id, status FROM run_sites ORDER BY 1") == [("a", "done"), ("b", "running")]
    assert crawl.rows("SELECT status FROM runs") == [("running",)]
    again = Crawl(tmp_path)  # the same command again
    again.open()
    assert [s.site_id for s in again.published[0].sites] == ["b"]
    assert list(again.spider.states) == ["b"]
    assert again.rows("SELECT COUNT(*) FROM pages WHERE site_id = 'a'") == [(1,)]  # a's rows are kept
    again.close()
    assert again.rows("SELECT status FROM runs") == [("finished",)]


def test_locked_store_closes_the_spider_before_anything_is_written(tmp_path: Path) -> None:
    crawl = Crawl(tmp_path)
    lock = StoreLock(crawl.db)
    assert lock.acquire()
    try:
        with pytest.raises(CloseSpider) as closed:
            crawl.open()
    finally:
        lock.release()
    assert closed.value.reason == "store_locked"
    assert crawl.published == []
    assert crawl.pipeline.process_item(page()) is not None  # items pass untouched
    crawl.close("store_locked")
    assert not crawl.db.exists()  # the store was not even opened


def test_component_that_cannot_take_the_run_closes_the_spider(tmp_path: Path) -> None:
    crawl = Crawl(tmp_path)

    def broken(**_: Any) -> None:
        raise OSError("disk full")

    crawl.crawler.signals.connect(broken, signal=run_opened)
    with pytest.raises(CloseSpider) as closed:
        crawl.open()
    assert closed.value.reason == "run_not_opened"
    crawl.close("run_not_opened")
    assert crawl.rows("SELECT status FROM runs") == [("running",)]  # not scored as complete


def test_probe_round_joins_the_latest_run_and_marks_no_site(tmp_path: Path) -> None:
    first = Crawl(tmp_path)
    first.open()
    first.close()
    probe = Crawl(tmp_path, ProbeSpider, GOVSITES_RUN="")
    lock = StoreLock(probe.db)
    assert lock.acquire()  # a probe round takes no store lock
    try:
        probe.open()
    finally:
        lock.release()
    assert probe.published[0].label == "r"
    probe.pipeline.process_item(
        ProbeItem(
            site_id="a", url=HOME, probed_at="2015-12-31T00:00:00", ok=True, status="200", elapsed_ms=5, source="probe"
        )
    )
    probe.pipeline.process_item(SiteDoneItem("a", 0))
    probe.close()
    assert probe.rows("SELECT site_id, source FROM probes") == [("a", "probe")]
    assert probe.rows("SELECT pages FROM run_sites ORDER BY site_id") == [(0,), (0,)]


def test_typo_pipeline_checks_a_line_once_per_site(tmp_path: Path) -> None:
    crawl = Crawl(tmp_path)
    typos = TypoPipeline.from_crawler(crawl.crawler)
    crawl.open()
    assert typos.lines is crawl.lifecycle.strategy  # the run's strategy remembers the lines
    typos.open_spider()
    footer = "本网站依据中华人民共合国法律法规运行"

    def page(site_id: str, number: int, body: str) -> PageItem:
        url = f"http://{site_id}.gov.cn/{number}.html"
        return PageItem(site_id=site_id, url=url, final_url=url, status="200", kind="other", text=f"{footer}\n{body}")

    found = [typos.process_item(page(*args)) for args in (("a", 1, "正文一"), ("a", 2, "正文二"), ("b", 1, "正文"))]
    # the footer's typo is reported on every page that shows it (scoring keeps one, on its first page by depth
    # and URL), with the same context; the line was checked once per site
    assert [[(t.url, t.wrong) for t in item.typos] for item in found] == [
        [("http://a.gov.cn/1.html", "中华人民共合国")],
        [("http://a.gov.cn/2.html", "中华人民共合国")],
        [("http://b.gov.cn/1.html", "中华人民共合国")],
    ]
    assert len({t.context for item in found for t in item.typos}) == 1
    assert {site: len(lines) for site, lines in typos.line_findings.items()} == {"a": 1, "b": 1}
    crawl.close()


def test_store_is_readable_after_the_crawl(tmp_path: Path) -> None:
    crawl = Crawl(tmp_path)
    crawl.open()
    crawl.pipeline.process_item(page())
    crawl.close()
    with open_store(crawl.db) as store:
        run = store.get_run("r")
        assert run is not None
        assert run.status == "finished"
        assert [row["pages"] for row in store.run_sites(run.id)] == [1, 0]


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    reason = missing_reason(postgres=False)
    if reason:
        pytest.skip(reason)
    with redis_server() as url:
        yield url


def test_distributed_workers_seed_join_and_share_the_run(tmp_path: Path, redis_url: str) -> None:
    settings = {"GOVSITES_DISTRIBUTED": redis_url, "GOVSITES_RUN": "shared", "GOVSITES_DISTRIBUTED_WAIT": 5}
    seeder, joiner = Crawl(tmp_path, **settings), Crawl(tmp_path, **settings)
    seeder.open()
    joiner.open()
    first, second = seeder.published[0], joiner.published[0]
    assert (first.seeder, second.seeder) == (True, False)  # one worker pushes the sites; the other joins
    # the seeder counted each site's hold (and its probes: none here) when the run opened, before any probe could
    # be answered by another worker: no site can finish before its home page is sent
    assert [int(state.r.get(state.k("inflight"))) for state in joiner.spider.states.values()] == [1, 1]
    assert first.run_id == second.run_id
    assert [s.site_id for s in second.sites] == ["a", "b"]
    assert isinstance(seeder.lifecycle.strategy, DistributedStrategy)
    assert seeder.crawler.settings.get("SCHEDULER") == "govsites.sharedscheduler.SharedScheduler"
    with pytest.raises(DontCloseSpider):  # sites are left: an idle worker stays open
        joiner.lifecycle.spider_idle(joiner.spider)
    seeder.pipeline.process_item(page())  # pages are counted over the workers ...
    joiner.pipeline.process_item(SiteDoneItem("a", 0))  # ... so the worker that finishes the site stores them
    assert joiner.rows("SELECT site_id, status, pages FROM run_sites ORDER BY 1") == [
        ("a", "done", 1),
        ("b", "running", 0),
    ]
    for state in joiner.spider.states.values():  # the sites' holds finish (states shared in Redis) ...
        assert state.finish_one()
        assert state.mark_done()  # nothing held by the caps: the site is done
    seeder.lifecycle.spider_idle(seeder.spider)  # ... so no site is left: an idle worker may close
    joiner.pipeline.process_item(SiteDoneItem("b", 0))
    seeder.close()
    joiner.close()
    assert joiner.rows("SELECT status FROM runs") == [("finished",)]
