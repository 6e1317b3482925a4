"""A second crawl of an unchanged web: conditional requests, 304s reuse the kept answers and the first crawl's
reading of them, a fraction of the bytes, identical outputs (the demo web on loopback answers with ETags, as real
servers do); a third crawl after a page changed reads the new page."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
from scrapy.http import HtmlResponse, Request

from govsites.demo import AS_OF, DemoWeb
from govsites.revalidate import KeptAnswers, RevalidatePolicy, cache_dir
from tests.helpers import crawl_command, crawl_stat, kept_answers, needs_chromium, read_csv, run, score_command

pytestmark = needs_chromium
COMPARED = ("metrics.csv", "columns.csv", "links.csv", "typos.csv", "interaction.csv", "services.csv")
#: The page changed before the third crawl: an article of 旬阳县, given a serious typo.
CHANGED = ("xunyang", "/xwzx/zwyw/201512/t20151228_4412.html")
TYPO = "中华人民共合国"


@pytest.fixture(scope="module")
def two_crawls(tmp_path_factory: pytest.TempPathFactory) -> Any:
    tmp = tmp_path_factory.mktemp("revalidate")
    with DemoWeb(port=0) as web:
        registry = web.write_registry(tmp / "sites.csv")
        db = tmp / "store.sqlite"
        sent, logs = [], []
        for label in ("r1", "r2", "r3"):
            if label == "r3":
                site, path = CHANGED
                app = web.apps[site]
                old = app.pages[path]
                html = old.body.decode(app.site.encoding).replace("</body>", f"<p>{TYPO}成立以来</p></body>")
                app.pages[path] = dataclasses.replace(old, body=html.encode(app.site.encoding))
            before = web.bytes_sent
            crawl = crawl_command(registry, db, label, AS_OF.isoformat(), "--allow-private")
            crawled = run(crawl, GOVSITES_STATS_DUMP="1")
            assert crawled.returncode == 0, crawled.stderr[-3000:]
            sent.append(web.bytes_sent - before)
            logs.append(crawled.stderr)
            scored = run(score_command(registry, db, tmp / label, label))
            assert scored.returncode == 0, scored.stderr[-3000:]
        yield {"tmp": tmp, "db": db, "sent": sent, "logs": logs}


def test_the_second_crawl_transfers_at_most_a_quarter_of_the_bytes(two_crawls: Any) -> None:
    first, second, _third = two_crawls["sent"]
    assert first > 0
    assert second <= 0.25 * first, (first, second)
    assert Path(cache_dir("", str(two_crawls["db"]))).is_dir()


#: How a column was found (发现方式) is not a finding: when a column's page is parsed before the menu that names
#: it better (nav over sitemap), the first source stays: it depends on which answer came first (a known gap).
NOT_COMPARED = ("found_by",)


def test_the_second_crawl_gives_identical_outputs(two_crawls: Any) -> None:
    tmp = two_crawls["tmp"]
    for name in COMPARED:
        before, after = (
            [{k: v for k, v in row.items() if k not in NOT_COMPARED} for row in read_csv(tmp / run / name)]
            for run in ("r1", "r2")
        )
        assert before == after, name


def test_the_second_crawl_reuses_the_first_crawls_reading(two_crawls: Any) -> None:
    """The first crawl kept its reading of the pages it kept; the second reused it instead of parsing them."""
    first, second, _third = two_crawls["logs"]
    kept = crawl_stat(first, "govsites/extraction/kept")
    reused = crawl_stat(second, "govsites/extraction/reused")
    assert kept > 20, first[-3000:]
    assert reused >= kept // 2, (kept, reused)
    assert crawl_stat(second, "govsites/extraction/kept") < kept // 4  # little new to keep on an unchanged web
    # the pipelines' readings too: the typo findings of every page, the site checks' reading of every article
    assert crawl_stat(second, "govsites/typos/pages_reused") >= reused // 2, (reused, second[-3000:])
    assert crawl_stat(second, "govsites/sitechecks/readings_reused") >= 10


def test_a_changed_page_is_read_afresh(two_crawls: Any) -> None:
    """After one article changed, the third crawl reads its new body (a typo appears on it) and keeps the rest."""
    tmp = two_crawls["tmp"]
    site, path = CHANGED

    def typos_on_page(label: str) -> list[dict[str, str]]:
        return [
            row
            for row in read_csv(tmp / label / "typos.csv")
            if row["site_id"] == site and TYPO in row["context"] and row["url"].endswith(path)
        ]

    assert not typos_on_page("r2")
    assert typos_on_page("r3"), [row for row in read_csv(tmp / "r3" / "typos.csv") if row["site_id"] == site]
    assert crawl_stat(two_crawls["logs"][2], "govsites/extraction/reused") > 20


def test_only_a_304_reuses_a_kept_answer() -> None:
    policy = RevalidatePolicy.__new__(RevalidatePolicy)
    kept = HtmlResponse("http://a.example/", status=200, headers={"ETag": '"x"'}, body=b"<p>ok</p>")
    request = Request("http://a.example/")
    assert not policy.is_cached_response_fresh(kept, request)  # always asked again …
    assert request.headers[b"If-None-Match"] == b'"x"'  # … with the validator
    for status, reused in ((304, True), (200, False), (404, False), (500, False), (503, False)):
        answer = HtmlResponse("http://a.example/", status=status, body=b"")
        assert policy.is_cached_response_valid(kept, answer, request) is reused, status


@pytest.mark.parametrize(
    ("body", "kept"),
    [
        ("<p>通知公告 2024-05-13 第12号</p>", True),
        ("<p>电话：0915-3268888 传真：0915-3268889 邮编：725000</p>", True),
        ("<p>联系人身份证号：610902199001011234</p>", False),
        ("<p>手机：138 1234 5678</p>", False),
        ("<p>卡号 6222-0212-3456-7890-123</p>", False),
    ],
)
def test_a_page_that_may_hold_a_personal_number_is_never_kept(body: str, kept: bool) -> None:
    from scrapy.settings import Settings

    policy = RevalidatePolicy(Settings())
    answer = HtmlResponse("http://a.example/", status=200, headers={"ETag": '"x"'}, body=body.encode("gb18030"))
    assert policy.should_cache_response(answer, Request("http://a.example/")) is kept


def test_an_answer_stopped_after_its_headers_is_never_kept() -> None:
    """A link check by GET (or a capped attachment) stops once the headers are in: kept, its empty body would be
    what a later page request of the address gets on a 304 (the page then lost from the crawl)."""
    from scrapy.settings import Settings

    from govsites.sharedanswers import STOPPED

    policy = RevalidatePolicy(Settings())
    whole = HtmlResponse("http://a.example/a.html", headers={"ETag": '"x"'}, body=b"<p>ok</p>")
    stopped = HtmlResponse("http://a.example/a.html", headers={"ETag": '"x"'}, body=b"", flags=[STOPPED])
    assert policy.should_cache_response(whole, Request(whole.url))
    assert not policy.should_cache_response(stopped, Request(stopped.url))


def test_the_pre_check_gives_the_answer_of_the_whole_body_search() -> None:
    """:func:`may_hold_number` tries only long digit runs: on any body it answers as searching the whole body
    for the number shapes does (random bodies of digits, separators, X and other bytes; edges of runs)."""
    import random

    from govsites.security.privacy import NUMBER_BYTES, may_hold_number

    rng = random.Random(20261205)
    separators = b" -Xx.a=\xe4"
    bodies = [
        b"13812345678",
        b"a13812345678",
        b"013812345678",
        b"138123456789",
        b"610902199001011234",
        b"61090219900101123X",
        b"61090219900101123X5",
        b"138 1234 5678",
        b"138-1234-5678 ",
        b"6222-0212-3456-7890",
    ]
    for _ in range(20000):
        size = rng.randint(8, 40)
        bodies.append(
            bytes(rng.choice(separators) if rng.random() < 0.3 else rng.choice(b"0123456789") for _ in range(size))
        )
    for body in bodies:
        assert may_hold_number(body) is (NUMBER_BYTES.search(body) is not None), body


def test_a_kept_answer_comes_back_whole(tmp_path: Path) -> None:
    storage, spider = kept_answers(tmp_path)
    request = Request("http://127.0.0.1/zwgk/index.html?id=3")
    body = "<html><body>政务公开 列表</body></html>".encode("gb18030")
    headers = {"Content-Type": "text/html; charset=gb18030", "ETag": '"abc"', "Set-Cookie": ["a=1", "b=2"]}
    answer = HtmlResponse(request.url + "&x=1", status=200, headers=headers, body=body)
    assert storage.retrieve_response(spider, request) is None
    storage.store_response(spider, request, answer)
    kept = storage.retrieve_response(spider, request)
    assert kept is not None
    assert isinstance(kept, HtmlResponse)
    assert (kept.url, kept.status, kept.body) == (answer.url, 200, body)
    assert kept.headers.getlist("Set-Cookie") == [b"a=1", b"b=2"]
    assert kept.text == answer.text
    assert "cache_timestamp" in request.meta
    storage.close_spider(spider)
    again, spider = kept_answers(tmp_path)  # another crawl process, or the next crawl, reads it
    kept = again.retrieve_response(spider, request)
    assert kept is not None
    assert kept.body == body


def test_answers_written_in_batches_all_come_back(tmp_path: Path) -> None:
    """Answers are written a batch at a time: those not yet written are read from memory, all are on disk
    once the crawl closes, and another process reads them there."""
    storage, spider = kept_answers(tmp_path)
    requests = [Request(f"http://127.0.0.1/a{i}.html") for i in range(KeptAnswers.BATCH + 7)]
    for i, request in enumerate(requests):
        storage.store_response(spider, request, HtmlResponse(request.url, body=f"<html>{i}</html>".encode()))
    assert storage.pending  # the last ones are not written yet …
    kept = storage.retrieve_response(spider, requests[-1])
    assert kept is not None  # … and still come back
    assert kept.body == f"<html>{len(requests) - 1}</html>".encode()
    storage.close_spider(spider)
    again, spider = kept_answers(tmp_path)
    bodies = [again.retrieve_response(spider, request) for request in requests]
    assert [b.body if b is not None else None for b in bodies] == [
        f"<html>{i}</html>".encode() for i in range(len(requests))
    ]


def test_a_damaged_kept_answer_is_a_miss(tmp_path: Path) -> None:
    storage, spider = kept_answers(tmp_path)
    request = Request("http://127.0.0.1/a.html")
    storage.store_response(spider, request, HtmlResponse(request.url, body=b"<html>ok</html>"))
    storage.flush()  # answers are written in batches
    assert storage.db is not None
    storage.db.execute("UPDATE answers SET body = ?", (b"not zlib",))
    assert storage.retrieve_response(spider, request) is None


def test_a_request_never_kept_costs_no_query(tmp_path: Path) -> None:
    storage, spider = kept_answers(tmp_path)
    kept = Request("http://127.0.0.1/kept.html")
    storage.store_response(spider, kept, HtmlResponse(kept.url, body=b"<html>kept</html>"))
    storage.close_spider(spider)
    again, spider = kept_answers(tmp_path)
    assert again.db is not None
    queries: list[str] = []
    again.db.set_trace_callback(queries.append)
    assert again.retrieve_response(spider, Request("http://127.0.0.1/new.html")) is None
    assert queries == []
    answer = again.retrieve_response(spider, kept)
    assert answer is not None
    assert answer.body == b"<html>kept</html>"
    assert len(queries) == 1


def test_a_kept_answer_a_304_confirmed_is_neither_scanned_nor_written_again(tmp_path: Path) -> None:
    """Scrapy's cache middleware offers a kept answer that a 304 confirmed to be kept again (with the 304's headers):
    its body is the kept one, so nothing is written and the answer still comes back whole afterwards."""
    from scrapy.downloadermiddlewares.httpcache import HttpCacheMiddleware
    from scrapy.utils.test import get_crawler

    from govsites.revalidate import HTTPCACHE_SETTINGS

    storage, spider = kept_answers(tmp_path)
    request = Request("http://127.0.0.1/zwgk/index.html")
    body = b"<html><body>kept</body></html>"
    storage.store_response(spider, request, HtmlResponse(request.url, headers={"ETag": '"k"'}, body=body))
    storage.close_spider(spider)

    crawler = get_crawler(settings_dict={**HTTPCACHE_SETTINGS, "HTTPCACHE_DIR": str(tmp_path)})
    crawler.spider = spider
    middleware = HttpCacheMiddleware.from_crawler(crawler)
    middleware.spider_opened(spider)
    storage = middleware.storage
    assert storage.db is not None
    writes: list[str] = []
    storage.db.set_trace_callback(lambda sql: writes.append(sql) if sql.lstrip().startswith("INSERT") else None)
    asked = Request(request.url)
    assert middleware.process_request(asked) is None  # asked again, with the kept answer's validator
    assert asked.headers[b"If-None-Match"] == b'"k"'
    reused = middleware.process_response(asked, HtmlResponse(request.url, status=304, body=b""))
    assert isinstance(reused, HtmlResponse)
    assert (reused.status, reused.body) == (200, body)
    assert not storage.pending
    middleware.spider_closed(spider)
    assert writes == []
    again, spider = kept_answers(tmp_path)
    kept = again.retrieve_response(spider, Request(request.url))
    assert kept is not None
    assert kept.body == body
