"""A page's reading kept beside its kept answer (govsites.extract.kept): a 304 gives the first crawl's reading back
without parsing the page again; a changed body, other extraction code or another evaluation date reads afresh.

The crawl itself (two crawls of the demo web, then one after a page changed) is in ``tests/test_revalidate.py``."""

from __future__ import annotations

import asyncio
import pickle
import zlib
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from scrapy.http import HtmlResponse, Request

from govsites.extract.columns import discover_columns, sitemap_urls
from govsites.extract.kept import MEMO, PageMemo, body_crc
from govsites.extract.listing import extract_blocks, extract_list
from govsites.extract.page import Page
from govsites.extract.text import decode_body
from govsites.items import PageItem
from govsites.linkcheck.classify import looks_like_not_found, page_fingerprint
from govsites.paths import data_path
from govsites.pipelines import SiteChecksPipeline, TypoPipeline, typo_version
from govsites.registry import Site
from govsites.sitechecks.policy import url_key
from govsites.sitestate import SiteState
from govsites.spiders.responses import page_memo
from govsites.spiders.soft404 import VERDICT, judge, text_fingerprint
from tests.helpers import kept_answers

REAL_PAGES = sorted((Path(__file__).parent / "realpages").rglob("*.htm*"))
AS_OF = date(2025, 6, 30)
URL = "http://www.example.gov.cn/zwgk/index.html?id=3"


def reading(page: Page) -> tuple[Any, ...]:
    """Everything the spider's page callback reads from a page."""
    return (
        page.title,
        page.text,
        page.links,
        extract_list(page),
        extract_blocks(page),
        discover_columns(page),
        sitemap_urls(page),
    )


SITE = Site(site_id="s1", name="测试站", group="agency", county="市直", home_url="http://www.example.gov.cn/")


def verdict(html: str, page: Page, *, notfound: str | None = None, status: int = 200) -> tuple[str, str]:
    """The page verdict's status and the page's fingerprint, as the spider judges a page (``notfound``: the site's
    not-found page's fingerprint, when known)."""
    state = SiteState(site=SITE, hosts={"www.example.gov.cn"})
    if notfound is not None:
        state.set_notfound_fp(notfound)
    response = HtmlResponse(URL, status=status, body=html.encode(), encoding="utf-8", request=Request(URL))
    item = judge(state, response, html, page.title, page.text, page)
    return item.status, text_fingerprint(page.text, page)


def kept_memo(html: str, body: bytes) -> PageMemo:
    """The memo a first crawl writes for a page: read, done, kept, read back."""
    memo = PageMemo(body_crc(body))
    reading(Page(html, URL, AS_OF, memo=memo))
    memo.finish()
    assert memo.worth_writing
    loaded = PageMemo.loads(memo.dumps())
    assert loaded is not None
    return loaded


@pytest.mark.parametrize("path", REAL_PAGES, ids=lambda p: p.name)
def test_a_kept_reading_is_the_reading_of_the_page(path: Path) -> None:
    """Golden: on every vendored real page, the reading that comes back from the memo is the one the extractors
    give, and it comes back without the page being parsed (the memo answers even for another html)."""
    body = path.read_bytes()
    html, _encoding = decode_body(body, None)
    fresh = reading(Page(html, URL, AS_OF))
    memo = kept_memo(html, body)
    assert reading(Page(html, URL, AS_OF, memo=memo)) == fresh
    assert reading(Page("<html><title>另一页</title><body>无</body></html>", URL, AS_OF, memo=memo)) == fresh
    assert not memo.changed  # nothing was computed again, so nothing is written again


def test_a_reading_depends_on_the_url_and_what_depends_on_the_date_on_the_date() -> None:
    body = REAL_PAGES[0].read_bytes()
    html, _encoding = decode_body(body, None)
    memo = kept_memo(html, body)
    other = "http://www.example.gov.cn/other/list.html"
    assert Page(html, other, AS_OF, memo=memo).links == Page(html, other, AS_OF).links
    later = date(2026, 1, 5)
    assert extract_list(Page(html, URL, later, memo=memo)) == extract_list(Page(html, URL, later))
    assert memo.changed
    memo.finish()
    again = PageMemo.loads(memo.dumps())
    assert again is not None
    assert {when for _, _, when in again.values} == {None, later}  # the latest date's reading only


def test_a_memo_of_other_extraction_code_or_damaged_is_none() -> None:
    other = zlib.compress(pickle.dumps(("0123456789abcdef", 7, {("links", URL, None): ()})))
    assert PageMemo.loads(other) is None
    assert PageMemo.loads(b"not a memo") is None
    assert PageMemo.loads(zlib.compress(b"not a pickle")) is None


def test_a_page_read_on_another_date_does_not_write_into_the_memo() -> None:
    """``Page.on`` (the column finder reads every date) keeps nothing under the page's own date."""
    memo = PageMemo(1)
    html = "<html><body><ul><li><a href='/a.html'>通知</a> 2025-01-02</li></ul></body></html>"
    page = Page(html, URL, AS_OF, memo=memo)
    assert page.on(date(9000, 1, 1)).memo is None
    assert page.at("http://www.example.gov.cn/b.html").memo is memo


def test_the_spider_uses_a_memo_only_for_its_own_body() -> None:
    body = b"<html><body>kept</body></html>"
    request = Request(URL, meta={MEMO: PageMemo(body_crc(body))})
    assert page_memo(HtmlResponse(URL, body=body, request=request)) is request.meta[MEMO]
    # a retry or a redirect's hop carries the meta of another answer; a changed page has another body
    assert page_memo(HtmlResponse(URL, body=b"<html><body>changed</body></html>", request=request)) is None
    rendered = Request(URL, meta={MEMO: PageMemo(body_crc(body)), "playwright": True})
    assert page_memo(HtmlResponse(URL, body=body, request=rendered)) is None


def test_the_kept_answers_keep_a_read_memo_and_hand_it_back(tmp_path: Path) -> None:
    body = REAL_PAGES[0].read_bytes()
    html, _encoding = decode_body(body, None)
    storage, spider = kept_answers(tmp_path)
    first = Request(URL)
    storage.store_response(spider, first, HtmlResponse(URL, headers={"ETag": '"a"'}, body=body))
    unread = Request("http://www.example.gov.cn/unread.html")
    storage.store_response(spider, unread, HtmlResponse(unread.url, headers={"ETag": '"b"'}, body=body))
    memo = first.meta[MEMO]
    fresh = reading(Page(html, URL, AS_OF, memo=memo))
    assert not storage.memos  # a memo not finished is held by its request only (one never read goes with it)
    memo.finish()  # the spider read the first page; the second answer was never read as a page
    assert list(storage.memos.values()) == [memo]
    storage.close_spider(spider)
    assert spider.crawler.stats.get_value("govsites/extraction/kept") == 1

    again, spider = kept_answers(tmp_path)
    assert again.db is not None
    asked = Request(URL)
    assert again.retrieve_response(spider, asked) is not None
    kept = asked.meta[MEMO]
    assert kept.loaded
    assert kept.fits(body)
    assert reading(Page(html, URL, AS_OF, memo=kept)) == fresh
    other = Request(unread.url)
    assert again.retrieve_response(spider, other) is not None
    assert not other.meta[MEMO].loaded  # none was kept: an empty one, to be filled this time
    kept.finish()
    writes: list[str] = []
    again.db.set_trace_callback(lambda sql: writes.append(sql) if "extractions" in sql else None)
    again.close_spider(spider)
    assert not any(sql.lstrip().startswith("INSERT") for sql in writes)  # nothing new in it: not written again


def test_a_request_with_a_memo_can_be_queued_and_comes_back_without_it() -> None:
    """A retry of a request whose memo was handed out goes back to the scheduler: its disk queue (a resumable
    crawl) and scrapy-redis' queue (a distributed crawl) pickle it. The memo's sink cannot be pickled; before, the
    request was lost from a distributed crawl (scrapy-redis raised) and kept only in memory in one process."""
    from scrapy.utils.request import request_from_dict

    body = b"<html><body>kept</body></html>"
    memo = PageMemo(body_crc(body), sink=lambda _memo: None)
    request = Request(URL, meta={MEMO: memo})
    again = request_from_dict(pickle.loads(pickle.dumps(request.to_dict(), protocol=pickle.HIGHEST_PROTOCOL)))
    assert isinstance(again.meta[MEMO], PageMemo)
    assert not again.meta[MEMO].fits(body)
    assert page_memo(HtmlResponse(URL, body=body, request=again)) is None


@pytest.mark.parametrize("path", REAL_PAGES[:6], ids=lambda p: p.name)
def test_a_kept_verdict_is_the_verdict_of_the_page(path: Path) -> None:
    """Golden: what a page's verdict reads from its body (a challenge page, words saying not found, its
    fingerprint) comes back from the memo as computed, whatever the site's not-found page is by then."""
    html, _encoding = decode_body(path.read_bytes(), None)
    memo = PageMemo(body_crc(path.read_bytes()))
    first = verdict(html, Page(html, URL, AS_OF, memo=memo))
    assert first == verdict(html, Page(html, URL, AS_OF))
    memo.finish()
    loaded = PageMemo.loads(memo.dumps())
    assert loaded is not None
    assert verdict(html, Page(html, URL, AS_OF, memo=loaded)) == first
    # the site's not-found page learnt since: the page that looks like it is judged a soft 404 from its kept
    # fingerprint, and the comparison itself is made again
    assert verdict(html, Page(html, URL, AS_OF, memo=loaded), notfound=first[1])[0] == "soft_404"
    assert verdict(html, Page(html, URL, AS_OF, memo=loaded), notfound="0" * 32)[0] == first[0]
    assert not loaded.changed


def test_a_304_reuses_the_verdict_without_reading_the_page_again() -> None:
    notfound = "<html><head><title>页面不存在</title></head><body>对不起，您访问的页面不存在或已被删除。</body></html>"
    assert looks_like_not_found("页面不存在", "对不起，您访问的页面不存在或已被删除。")
    memo = PageMemo(body_crc(notfound.encode()))
    assert verdict(notfound, Page(notfound, URL, AS_OF, memo=memo))[0] == "soft_404"
    kept = {key[0].removeprefix(VERDICT + "/") for key in memo.values if key[0].startswith("verdict/")}
    assert kept == {"waf/200", "not_found", "fingerprint"}
    memo.finish()
    loaded = PageMemo.loads(memo.dumps())
    assert loaded is not None
    # another html with the same memo: the kept reading answers (the page is not read again)
    other = "<html><head><title>通知公告</title></head><body>关于开展2025年度工作的通知</body></html>"
    status, fingerprint = verdict(other, Page(other, URL, AS_OF, memo=loaded))
    assert status == "soft_404"
    assert fingerprint == page_fingerprint(Page(notfound, URL, AS_OF).text)
    assert not loaded.changed


def test_a_verdict_kept_by_another_classification_is_not_used() -> None:
    """A kept verdict is named with the digest of the classification's sources: another digest's is not read."""
    html = "<html><head><title>通知公告</title></head><body>关于开展2025年度工作的通知</body></html>"
    memo = PageMemo(body_crc(html.encode()), {("verdict/0123456789abcdef/not_found", "", None): True}, loaded=True)
    assert verdict(html, Page(html, URL, AS_OF, memo=memo))[0] == "200"
    assert memo.changed  # read afresh, under this classification's name


def pipeline_readings(html: str, text: str, memo: PageMemo | None) -> tuple[Any, ...]:
    """What the typo and site-check pipelines read of an article page (its typos, its missing metadata tags, what
    the policy check gathers of it), each pipeline new, as in a new crawl process."""
    item = PageItem(
        site_id="s1",
        url=URL,
        final_url=URL,
        status="200",
        kind="other",
        depth=1,
        encoding="utf-8",
        text=text,
        html=html,
        memo=memo,
    )
    typos = TypoPipeline([("测试站", "unit")])
    typos.open_spider()
    typos.process_item(item)
    checks = SiteChecksPipeline({}, {}, {}, 10, None)
    asyncio.run(checks.process_item(item))
    policy = checks.notes.policy_pages("s1")
    found = [(t.wrong, t.right, t.context, t.severity, t.kind) for t in item.typos]
    return found, checks.notes.article_notes("s1"), policy.articles, policy.interpretations, policy.crawled


#: an article with a serious typo that links to its interpretation (the policy check reads it whole)
ARTICLE = (
    "<html><head><title>关于印发实施方案的通知</title></head><body><h1>关于印发实施方案的通知</h1>"
    "<p>中华人民共合国成立以来，各部门认真贯彻落实。</p>"
    '<p><a href="/zcjd/1.html">政策解读：关于印发实施方案的解读</a></p></body></html>'
)


@pytest.mark.parametrize("path", [*REAL_PAGES, None], ids=lambda p: p.name if p else "article-with-typo")
def test_the_pipelines_readings_come_back_from_the_memo(path: Path | None) -> None:
    """Golden: the typo findings and the site checks' reading of a page, kept in its memo with the spider's
    reading, come back as a new reading gives them (nothing is read again: the loaded memo gains nothing)."""
    body = path.read_bytes() if path is not None else ARTICLE.encode()
    html, _encoding = decode_body(body, None)
    text = Page(html, URL, AS_OF).text
    memo = PageMemo(body_crc(body))
    first = pipeline_readings(html, text, memo)
    assert first == pipeline_readings(html, text, None)
    memo.finish()
    loaded = PageMemo.loads(memo.dumps())
    assert loaded is not None
    assert pipeline_readings(html, text, loaded) == first
    assert not loaded.changed
    if path is None:
        assert [found[0] for found in first[0]] == ["中华人民共合国"]
        assert first[2][url_key(URL)].links == {url_key("http://www.example.gov.cn/zcjd/1.html")}


def test_a_304_reuses_the_pipelines_readings_without_reading_the_page_again() -> None:
    memo = PageMemo(body_crc(ARTICLE.encode()))
    first = pipeline_readings(ARTICLE, Page(ARTICLE, URL, AS_OF).text, memo)
    memo.finish()
    loaded = PageMemo.loads(memo.dumps())
    assert loaded is not None
    other = "<html><head><title>通知</title></head><body><p>没有错别字的另一页。</p></body></html>"
    assert pipeline_readings(other, Page(other, URL, AS_OF).text, loaded) == first


def test_readings_kept_by_other_typo_code_or_terms_are_not_used() -> None:
    """The typo findings are named with the digest of the detector's sources, its dictionary and the registry's
    extra terms: another registry's (or another detector's) kept findings are not read."""
    terms = data_path("terms")
    assert typo_version([("测试站", "unit")], terms) != typo_version([("另一站", "unit")], terms)
    key = (typo_version([("另一站", "unit")], terms), "", None)
    memo = PageMemo(body_crc(ARTICLE.encode()), {key: ()}, loaded=True)
    found = pipeline_readings(ARTICLE, Page(ARTICLE, URL, AS_OF).text, memo)[0]
    assert [f[0] for f in found] == ["中华人民共合国"]
    assert memo.changed
