"""Crawl policy components, in process: the per-site caps and the in-flight / site-done accounting.

Built the way Scrapy builds them (``scrapy.utils.test.get_crawler``, ``from_crawler``) around a real
:class:`~govsites.spiders.site.SiteSpider` over a registry file; Scrapy's own spider-middleware manager and scraper
carry a failing callback's output so that its error is seen where Scrapy reports it.
"""

from __future__ import annotations

import asyncio
import logging
import pickle
import threading
from collections.abc import AsyncIterator, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request, signals
from scrapy.core.scraper import Scraper
from scrapy.http import HtmlResponse
from scrapy.utils.request import request_from_dict
from scrapy.utils.test import get_crawler

from bench.localservers import missing_reason, redis_server
from govsites.caps import (
    ALL_CAPS,
    CAPS,
    LISTED,
    NO_CAP,
    NOT_HELD_STAT,
    PAGE_CAP_ONLY,
    CrawlCapsMiddleware,
    RequestCodec,
)
from govsites.config import GovsitesConfig
from govsites.distributed import Coordinator
from govsites.extract.columns import CategoryTable, ColumnLink
from govsites.extract.entries import ListPage
from govsites.inflight import InflightMiddleware, SiteAccounting
from govsites.items import LinkCheckItem, ProbeItem, SiteDoneItem
from govsites.lifecycle import LocalStrategy, RunContext, run_opened
from govsites.sitestate import state_lookup
from govsites.spiderloader import SiteSpiderLoader
from govsites.spiders.columns import column_item, names_columns, register_columns
from govsites.spiders.probe import ProbeSpider
from govsites.spiders.requests import https_slot
from govsites.spiders.site import SiteSpider
from govsites.writebehind import redis_client

HOME = "http://127.0.0.9:8341/"
SITE = "s1"


def registry_settings(tmp_path: Path) -> dict[str, Any]:
    """Settings naming a registry of one site."""
    registry = tmp_path / "sites.csv"
    registry.write_text(f"site_id,name,group,county,home_url\n{SITE},测试站,county,测试县,{HOME}\n", encoding="utf-8")
    return {"GOVSITES_SITES": str(registry), "GOVSITES_COLUMNS": str(tmp_path / "none.csv")}


#: Settings of the crawlers here: small caps, no pipelines, the policy middlewares alone.
CAPPED: dict[str, Any] = {
    "GOVSITES_MAX_PAGES": 4,
    "GOVSITES_MAX_DEPTH": 2,
    "GOVSITES_MAX_QUERY_VARIANTS": 2,
    "GOVSITES_PROBES": 0,
    "GOVSITES_STABLE_CAPS": False,  # decided as they come (stable caps: test_stable_caps_decide_by_depth_then_url)
    "ITEM_PIPELINES": {},
    "SPIDER_MIDDLEWARES": {"govsites.inflight.InflightMiddleware": 40, "govsites.caps.CrawlCapsMiddleware": 850},
}


@pytest.fixture
def crawler(tmp_path: Path) -> Any:
    """A crawler whose spider crawls one registered site; small caps."""
    crawler = get_crawler(SiteSpider, {**CAPPED, **registry_settings(tmp_path)})
    crawler.spider = SiteSpider.from_crawler(crawler)
    return crawler


def collect(output: AsyncIterator[Any]) -> list[Any]:
    async def gather() -> list[Any]:
        return [x async for x in output]

    return asyncio.run(gather())


async def stream(*values: Any) -> AsyncIterator[Any]:
    for value in values:
        yield value


def home_response() -> HtmlResponse:
    request = Request(HOME, meta={"site_id": SITE, "role": "home", "gdepth": 0})
    return HtmlResponse(HOME, body=b"<html></html>", request=request)


def link(path: str, caps: str = ALL_CAPS, depth: int = 1) -> Request:
    return Request(HOME + path, meta={"site_id": SITE, "role": "page", "gdepth": depth, CAPS: caps})


def test_page_cap_turns_the_rest_into_body_checks(crawler: Any) -> None:
    caps = CrawlCapsMiddleware.from_crawler(crawler)
    out = collect(caps.process_spider_output(home_response(), stream(*(link(f"p{i}.html") for i in range(6)))))
    assert [r.url for r in out if r.meta.get(CAPS)] == [HOME + f"p{i}.html" for i in range(4)]  # let through
    checks = [r for r in out if r.callback == crawler.spider.check_done]
    assert [(r.url, r.method, r.meta["role"]) for r in checks] == [
        (HOME + "p4.html", "GET", "check_page"),
        (HOME + "p5.html", "GET", "check_page"),
    ]
    assert crawler.spider.states[SITE].page_count() == 4
    assert crawler.spider.states[SITE].capped_count() == 2  # SiteDoneItem.pages_capped
    assert crawler.stats.get_value("govsites/capped/pages") == 2
    assert crawler.stats.get_value(f"govsites/capped/pages/{SITE}") == 2


def test_stable_caps_decide_by_depth_then_url(crawler: Any) -> None:
    caps = CrawlCapsMiddleware.from_crawler(crawler)
    caps.stable = True
    accounting = SiteAccounting(state_lookup(crawler.spider))
    state = crawler.spider.states[SITE]
    home = home_response()
    check = Request(HOME + "logo.png", meta={"site_id": SITE, "role": "check"})
    accounting.sent(home.request)
    accounting.sent(check)  # a link check in flight does not hold the pages up
    # found in an order no crawl repeats; z.html is linked again, less deep, before the site is quiet
    found = [link("p5.html"), link("z.html", depth=2), link("p1.html"), link("p9.html"), link("p3.html")]
    assert collect(caps.process_spider_output(home, stream(*found))) == []  # held, not decided
    state.note_routes([(HOME + "z.html", 1, False)])
    released = list(accounting.finished(home.request))  # the site's last page is parsed
    pages = [r.url.rsplit("/", 1)[1] for r in released if r.meta.get(CAPS)]
    checks = [r.url.rsplit("/", 1)[1] for r in released if r.callback == crawler.spider.check_done]
    assert pages == ["p1.html", "p3.html", "p5.html", "p9.html"]  # depth then URL, within GOVSITES_MAX_PAGES
    assert checks == ["z.html"]
    assert state.inflight == 1 + len(released)  # the check and the released requests keep the site open
    for request in [check, *released[:-1]]:
        assert list(accounting.finished(request)) == []
    assert [type(x) for x in accounting.finished(released[-1])] == [SiteDoneItem]


def test_workers_decide_held_pages_by_their_best_route(tmp_path: Path) -> None:
    """Stable caps in a distributed crawl: worker A holds three query variants of one path (two fit the cap), found
    through related-article links; worker B then reads a list naming the third, and, seeing the site quiet,
    decides them all with the routes both saw — the listed article is read. Decided on arrival (as distributed
    crawls did), A refused it and B found it claimed already: which articles a site showed depended on timing."""
    reason = missing_reason(postgres=False)
    if reason:
        pytest.skip(reason)
    article = "content.jsp?contentid={}"
    with redis_server() as url:
        workers = []
        for _ in range(2):
            crawler = get_crawler(SiteSpider, {**CAPPED, **registry_settings(tmp_path), "GOVSITES_STABLE_CAPS": True})
            spider = crawler.spider = SiteSpider.from_crawler(crawler)
            spider.states = {SITE: Coordinator(url, "t", client=redis_client(url)).site_state(spider.sites[0], [])}
            caps = CrawlCapsMiddleware(
                max_depth=2,
                max_pages=10,
                max_query_variants=2,
                site_budget=600,
                states=state_lookup(spider),
                beyond_caps=spider.beyond_caps,
                stable=True,
                codec=RequestCodec(spider),
            )
            spider.states[SITE].on_quiet = caps.release  # as run_opened does in every worker
            workers.append((spider, caps, SiteAccounting(state_lookup(spider))))
        (spider_a, caps_a, accounting_a), (spider_b, _, accounting_b) = workers
        home = home_response()
        accounting_a.sent(home.request)
        found = [link(article.format(i)) for i in (3, 1, 2)]
        spider_a.states[SITE].claim_many(r.url for r in found)
        assert collect(caps_a.process_spider_output(home, stream(*found))) == []  # held in Redis
        spider_a.states[SITE].r.flush()  # A's reactor turn ends (a worker's own client: govsites.writebehind)
        spider_b.states[SITE].note_routes([(HOME + article.format(3), 1, True)])  # B's list names it, claimed
        released = list(accounting_b.finished(home.request))  # B sees the site quiet
        assert [r.url.rsplit("=", 1)[1] for r in released] == ["1", "2", "3"]
        assert [r.meta["role"] for r in released] == ["page"] * 3  # read as pages, none only checked
        assert released[2].meta[CAPS] == LISTED
        assert spider_b.states[SITE].capped_count() == 0


def test_a_page_that_cannot_be_kept_in_redis_is_decided_as_it_arrives(crawler: Any) -> None:
    """Held pages of a distributed crawl are kept as bytes (Scrapy's dict of the request, pickled); one that will
    not pickle is not lost: decided at once, as before stable caps, and counted."""
    caps = CrawlCapsMiddleware.from_crawler(crawler)
    caps.stable, caps.codec = True, RequestCodec(crawler.spider)
    kept = link("kept.html")
    kept = kept.replace(callback=crawler.spider.parse_page, cb_kwargs={"list_page": True})
    odd = link("odd.html")
    odd.meta["lock"] = threading.Lock()
    assert collect(caps.process_spider_output(home_response(), stream(kept, odd))) == [odd]
    assert crawler.stats.get_value(NOT_HELD_STAT) == 1
    released = caps.release(crawler.spider.states[SITE])
    assert [(r.url, r.callback, r.cb_kwargs) for r in released] == [
        (kept.url, crawler.spider.parse_page, {"list_page": True})
    ]


def test_every_state_of_the_run_decides_its_held_pages(tmp_path: Path) -> None:
    """Once the run is open, each site's state knows who decides its held pages, whether or not this process held
    any (in a distributed crawl, the worker that sees a site quiet may have held none of its pages)."""
    crawler = get_crawler(SiteSpider, {**CAPPED, **registry_settings(tmp_path), "GOVSITES_STABLE_CAPS": True})
    crawler.spider = SiteSpider.from_crawler(crawler)
    caps = CrawlCapsMiddleware.from_crawler(crawler)  # built after the spider, as Scrapy builds them
    run = RunContext(run_id=1, label="t", as_of=date(2016, 1, 1), mode="crawl", sites=tuple(crawler.spider.sites))
    crawler.signals.send_catch_log(run_opened, run=run, strategy=LocalStrategy(GovsitesConfig()))
    state = crawler.spider.states[SITE]
    assert state is not None
    assert state.on_quiet == caps.release  # the run's new states, not the ones the spider was built with


def test_depth_cap_spares_known_columns(crawler: Any) -> None:
    caps = CrawlCapsMiddleware.from_crawler(crawler)
    deep, column = link("deep.html", depth=3), link("column.html", caps=PAGE_CAP_ONLY, depth=3)
    out = collect(caps.process_spider_output(home_response(), stream(deep, column)))
    assert out[0].callback == crawler.spider.check_done  # replaced
    assert out[1] is column
    assert crawler.stats.get_value(f"govsites/capped/depth/{SITE}") == 1


def test_query_variants_of_one_path_are_capped(crawler: Any) -> None:
    caps = CrawlCapsMiddleware.from_crawler(crawler)
    variants = [link(f"cal.html?d={i}") for i in range(3)]
    out = collect(caps.process_spider_output(home_response(), stream(*variants, link("other.html?d=9"))))
    assert out[:2] == variants[:2]
    assert out[2].callback == crawler.spider.check_done
    assert out[3].url == HOME + "other.html?d=9"
    assert crawler.stats.get_value("govsites/capped/query_variants") == 1


def test_budget_counts_from_the_home_page(crawler: Any) -> None:
    spider = crawler.spider
    caps = CrawlCapsMiddleware(
        max_depth=9,
        max_pages=99,
        max_query_variants=99,
        site_budget=-1.0,
        states=state_lookup(spider),
        stats=crawler.stats,
    )  # no fallback: dropped
    early = collect(
        caps.process_spider_output(  # not the home page: the budget has not started
            HtmlResponse(HOME + "x.html", body=b"", request=link("x.html")), stream(link("a.html"))
        )
    )
    assert len(early) == 1
    late = collect(caps.process_spider_output(home_response(), stream(link("b.html"), link("c.html", NO_CAP))))
    assert [r.url for r in late] == [HOME + "c.html"]  # the site map / seed is never refused
    assert crawler.stats.get_value(f"govsites/capped/budget/{SITE}") == 1
    assert spider.states[SITE].page_count() == 2


def test_requests_without_caps_and_items_pass_untouched(crawler: Any) -> None:
    caps = CrawlCapsMiddleware.from_crawler(crawler)
    item = LinkCheckItem(site_id=SITE, url=HOME, status="200", reason="OK", broken=False)
    plain = Request(HOME + "again.html", meta={"site_id": SITE})
    assert collect(caps.process_spider_output(home_response(), stream(item, plain))) == [item, plain]
    assert crawler.spider.states[SITE].page_count() == 0


def test_each_cap_is_logged_once_per_site(crawler: Any, caplog: pytest.LogCaptureFixture) -> None:
    caps = CrawlCapsMiddleware.from_crawler(crawler)
    with caplog.at_level(logging.INFO, logger="govsites.caps"):
        collect(caps.process_spider_output(home_response(), stream(*(link(f"d{i}.html", depth=5) for i in range(3)))))
    assert [r.getMessage() for r in caplog.records] == [f"站点 {SITE} 达到链接深度上限：超出的页面只检查链接，不再抓取"]
    assert crawler.stats.get_value("govsites/capped/depth") == 3


def test_site_is_done_when_its_last_request_is_answered(crawler: Any) -> None:
    inflight = InflightMiddleware.from_crawler(crawler)
    state = crawler.spider.states[SITE]
    started = collect(inflight.process_start(stream(Request(HOME, meta={"site_id": SITE}))))
    assert len(started) == 1
    assert state.inflight == 1
    child = Request(HOME + "a.html", meta={"site_id": SITE})
    out = collect(inflight.process_spider_output(home_response(), stream(child)))
    assert out == [child]
    assert state.inflight == 1
    answer = HtmlResponse(child.url, body=b"", request=child)
    out = collect(inflight.process_spider_output(answer, stream()))
    assert out == [SiteDoneItem(site_id=SITE, pages=0)]


def failing_callback(response: HtmlResponse) -> Iterator[Any]:
    yield LinkCheckItem(site_id=SITE, url=response.url, status="200", reason="OK", broken=False)
    raise RuntimeError("odd page")


def test_failing_callback_finishes_its_request_and_reaches_scrapy_stats(crawler: Any) -> None:
    """Through Scrapy's scraper: the item before the error and the site's done item are scraped, and the error
    is Scrapy's to report (``spider_exceptions/*``), not swallowed."""
    crawler.spider.states[SITE].add_inflight(1)
    scraped: list[Any] = []

    def item_scraped(item: Any, **_: Any) -> None:
        scraped.append(item)

    crawler.signals.connect(item_scraped, signal=signals.item_scraped)
    request = Request(HOME, callback=failing_callback, meta={"site_id": SITE, "role": "page"})
    response = HtmlResponse(HOME, body=b"<html></html>", request=request)

    async def scrape() -> None:
        scraper = Scraper(crawler)
        await scraper.open_spider_async()
        output = await scraper.spidermw.scrape_response_async(scraper.call_spider_async, response, request)
        await scraper.handle_spider_output_async(output, request, response)

    asyncio.run(scrape())
    assert [type(item).__name__ for item in scraped] == ["LinkCheckItem", "SiteDoneItem"]
    assert crawler.stats.get_value("spider_exceptions/RuntimeError") == 1


def test_failing_errback_finishes_its_request(crawler: Any) -> None:
    """Errback output bypasses the spider middlewares; the spider's errbacks settle their request themselves."""
    from twisted.python.failure import Failure

    spider = crawler.spider
    spider.states[SITE].add_inflight(1)
    request = Request(HOME + "gone.html", meta={"site_id": SITE, "role": "check"}, cb_kwargs={"shared": False})
    failure = Failure(ConnectionRefusedError("refused"))
    failure.request = request  # type: ignore[attr-defined]  # as Scrapy's scraper sets it
    out = collect(spider.check_failed(failure))
    assert [type(x).__name__ for x in out] == ["LinkCheckItem", "SiteDoneItem"]
    assert out[0].url == HOME + "gone.html"
    assert out[0].broken


def test_probe_spider_crawls_nothing_and_answers_probes(tmp_path: Path) -> None:
    settings = registry_settings(tmp_path)
    assert SiteSpiderLoader(get_crawler(settings_dict=settings).settings).load("govsites-probe") is ProbeSpider
    spider = ProbeSpider.from_crawler(get_crawler(ProbeSpider, settings))
    assert collect(spider.start()) == []
    assert list(spider.states) == [SITE]
    probe = {"probe_url": HOME, "probed_at": "2015-12-01T08:00:00", "probe_started": 0.0}
    request = Request(HOME, meta={"site_id": SITE, "download_latency": 0.25}, cb_kwargs=probe)
    answer = HtmlResponse(HOME, status=503, body=b"", request=request)
    assert list(spider.probe_done(answer, **probe)) == [
        ProbeItem(
            site_id=SITE,
            url=HOME,
            probed_at="2015-12-01T08:00:00",
            ok=False,
            status="503",
            elapsed_ms=250,
            source="probe",
        )
    ]


def test_requests_survive_a_persisted_queue(crawler: Any) -> None:
    """JOBDIR and scrapy-redis pickle requests: callbacks and errbacks are found again on the spider by name, and
    the callback arguments in ``cb_kwargs`` come back equal."""
    spider = crawler.spider
    state = spider.states[SITE]
    typed = {"column": ColumnLink("通知公告", HOME + "tzgg/", "nav"), "found": [date(2015, 11, 2)]}
    dated = spider.site_request(
        state,
        HOME + "a.html",
        spider.article_dated,
        spider.article_date_failed,
        role="article_date",
        priority=50,
        cb_kwargs=typed,
    )
    for request in (dated, spider.check_request(state, HOME + "x.pdf", shared=True), spider.beyond_caps(link("p"))):
        back = request_from_dict(pickle.loads(pickle.dumps(request.to_dict(spider=spider))), spider=spider)
        assert (back.callback, back.errback, back.cb_kwargs, back.meta) == (
            request.callback,
            request.errback,
            request.cb_kwargs,
            request.meta,
        )


def test_start_requests_count_as_pages(crawler: Any) -> None:
    spider = crawler.spider
    caps = CrawlCapsMiddleware.from_crawler(crawler)
    started = collect(caps.process_start(spider.start()))
    assert [r.url for r in started] == [HOME]
    assert spider.states[SITE].page_count() == 1  # the home page counts against the page cap


def test_a_column_is_named_by_its_best_source_whatever_page_comes_first(crawler: Any) -> None:
    state = crawler.spider.states[SITE]
    url = HOME + "zcjd/index.htm"
    categories = CategoryTable.default()
    register_columns(state, [ColumnLink("政策解读", url, "sitemap")], 2, categories)
    register_columns(state, [ColumnLink("政策解读", url, "nav")], 1, categories)
    register_columns(state, [ColumnLink("解读", url, "link")], 1, categories)
    column = state.column(url)
    assert column is not None
    assert (column.name, column.found_by) == ("政策解读", "nav")


def test_a_written_column_is_written_again_when_a_better_source_names_it(crawler: Any) -> None:
    """Its list was read before the menu naming it was parsed: the item is written again, named by the menu."""
    state = crawler.spider.states[SITE]
    url = HOME + "zcjd/index.htm"
    categories = CategoryTable.default()
    register_columns(state, [ColumnLink("解读", url, "sitemap")], 2, categories)
    column = state.column(url)
    assert column is not None
    assert state.mark_column_done(url)
    written = column_item(state, "other", column, ListPage([], False, [], False, False, ""), rendered=False)
    again, renamed, kept = register_columns(state, [ColumnLink("政策解读", url, "nav")], 1, categories)
    assert again == kept == []
    assert [(i.name, i.found_by, i.category, i.status) for i in renamed] == [
        ("政策解读", "nav", categories.categorize("政策解读"), written.status)
    ]
    assert register_columns(state, [ColumnLink("解读", url, "link")], 1, categories) == ([], [], [])


def test_a_page_read_already_is_read_again_as_a_column_only_when_a_menu_names_it(crawler: Any) -> None:
    """A bare link (an article's title in a related box) does not fetch a page read already; a menu does."""
    state = crawler.spider.states[SITE]
    url = HOME + "gzdt/19002.htm"
    categories = CategoryTable.default()
    state.mark_parsed(url)
    linked = ColumnLink("安全生产监督管理局部署重点工作", url, "link")
    assert register_columns(state, [linked], 2, categories) == ([], [], [linked])
    assert register_columns(state, [linked], 2, categories) == ([], [], [])  # named once
    named = ColumnLink("工作动态", url, "nav")
    assert register_columns(state, [named], 1, categories) == ([named], [], [])


def test_a_page_only_a_bare_link_names_a_column_names_no_further_columns(crawler: Any) -> None:
    """Otherwise every article named so names its related articles in turn (a cascade over the column)."""
    state = crawler.spider.states[SITE]
    article, directory = HOME + "gzdt/19002.htm", HOME + "xxgk/index.htm"
    state.set_column(ColumnLink("安全生产监督管理局部署重点工作", article, "link"))
    state.set_column(ColumnLink("信息公开", directory, "nav"))
    assert not names_columns(state.column(article), 2, sitemap=False)
    assert names_columns(state.column(article), 1, sitemap=False)  # one click from the home page
    assert names_columns(state.column(directory), 2, sitemap=False)  # a column a menu names: its secondary menu
    assert names_columns(state.column(HOME + "sitemap.htm"), 3, sitemap=True)
    assert not names_columns(state.column(HOME + "gzdt/19003.htm"), 2, sitemap=False)  # no column at all


def test_the_https_check_holds_none_of_the_hosts_connections(crawler: Any) -> None:
    """The HTTPS home page is asked for once, in a downloader slot of its own: a host that never answers a TLS
    hello (15 s) holds none of the 8 connections its site's pages use (``download_slot`` unset = the host's)."""
    state = crawler.spider.states[SITE]
    [check] = list(crawler.spider.https_check(state, HOME, HOME))
    assert check.url == "https://127.0.0.9:8341/"
    assert check.meta["dont_retry"] is True
    assert check.meta["download_slot"] == https_slot("127.0.0.9") != "127.0.0.9"
