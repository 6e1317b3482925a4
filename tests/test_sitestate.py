"""Per-site state: the pages still to read for a letter or a guide are typed values, in memory and in Redis.

The Redis-backed state runs against a real redis-server (skipped with the reason when it is not installed).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bench.localservers import missing_reason, redis_server
from govsites.distributed import Coordinator
from govsites.extract.columns import ColumnLink
from govsites.extract.endpoints import EndpointRule
from govsites.items import LetterItem
from govsites.lifecycle import ArticleNotes
from govsites.registry import Site
from govsites.sitechecks.markup import SitePage
from govsites.sitechecks.policy import PolicyPages
from govsites.sitestate import CapCounts, GuideDetail, LetterDetail, RedisSiteState, SiteState
from govsites.writebehind import redis_client

SITE = Site(site_id="s1", name="测试站", group="county", county="测试县", home_url="http://127.0.0.9:8341/")
LISTED = LetterItem(
    site_id="s1",
    column_url="http://127.0.0.9:8341/xx/",
    column="书记信箱",
    url="http://127.0.0.9:8341/xx/1.html",
    title="关于道路维修",
    submitted_date="2015-11-02",
    status="",
    answered="",
    reply_date="",
)


@pytest.fixture(params=["memory", "redis"])
def state(request: pytest.FixtureRequest) -> Iterator[SiteState]:
    if request.param == "memory":
        yield SiteState(site=SITE, hosts={SITE.host})
        return
    reason = missing_reason(postgres=False)
    if reason:
        pytest.skip(reason)
    with redis_server() as url:
        yield Coordinator(url, "t", client=redis_client(url)).site_state(SITE, [])


def test_pending_details_come_back_typed_once(state: SiteState) -> None:
    letter_url, guide_url = LISTED.url, "http://127.0.0.9:8341/bszn/2.html"
    state.add_detail(letter_url, LetterDetail(listed=LISTED))
    state.add_detail(guide_url, GuideDetail(column_url="http://127.0.0.9:8341/bszn/"))
    assert state.has_detail(letter_url)
    assert state.pop_detail(letter_url) == LetterDetail(listed=LISTED)
    assert state.pop_detail(guide_url) == GuideDetail(column_url="http://127.0.0.9:8341/bszn/")
    assert state.pop_detail(letter_url) is None  # popped once: the page's row is written once
    assert not state.has_detail(guide_url)


def test_site_finishes_once_when_its_requests_are_done(state: SiteState) -> None:
    state.add_inflight(2)
    assert [state.finish_one(), state.finish_one()] == [False, True]
    assert [state.mark_done(), state.mark_done()] == [True, False]
    assert not state.finish_one()  # done: a late answer does not finish it again


def test_a_requests_end_tells_both_counts_at_once(state: SiteState) -> None:
    state.add_inflight(3)
    state.start_discovering()
    state.start_discovering()
    assert state.finish_request(discovering=True) == (False, False)  # a page and a link check still in flight
    assert state.finish_request(discovering=True) == (True, False)  # no page left: the held pages are decided
    assert state.finish_request(discovering=False) == (False, True)  # the link check was the site's last
    assert state.mark_done()
    state.add_inflight(1)
    assert state.finish_request(discovering=False) == (False, False)  # a late answer of a done site


def test_a_rounds_cap_counts_are_read_together(state: SiteState) -> None:
    state.add_pages(3)
    state.add_variant("/list.jsp")
    state.add_variant("/list.jsp")
    counts = state.cap_counts(["/list.jsp", "/show.jsp", "/list.jsp"])
    assert counts == CapCounts(3, {"/list.jsp": 2, "/show.jsp": 0})
    counts.admitted("/show.jsp")  # the round counts its own admissions on
    assert counts == CapCounts(4, {"/list.jsp": 2, "/show.jsp": 1})
    assert state.cap_counts([]) == CapCounts(3, {})


def test_a_parsed_page_reads_its_column_detail_and_fingerprint_at_once(state: SiteState) -> None:
    column = ColumnLink("通知公告", "http://127.0.0.9:8341/tzgg/", "nav")
    state.set_column(column)
    state.mark_column_done(column.url)
    state.add_detail(LISTED.url, LetterDetail(listed=LISTED))
    reading = state.read_page(column.url, "fp-list")
    assert (reading.column, reading.column_done, reading.has_detail, reading.notfound) == (column, True, False, False)
    state.set_notfound_fp("fp-404")
    letter = state.read_page(LISTED.url, "fp-404")  # a letter page that reads as the site's not-found page
    assert (letter.column, letter.column_done, letter.has_detail, letter.notfound) == (None, False, True, True)
    assert state.page_fp(LISTED.url) == "fp-404"
    assert not state.read_page("http://127.0.0.9:8341/x.html", None).notfound  # not a 200 page: no fingerprint
    assert state.page_fp("http://127.0.0.9:8341/x.html") is None


def test_columns_are_looked_up_together(state: SiteState) -> None:
    menu = ColumnLink("通知公告", "http://127.0.0.9:8341/tzgg/", "nav")
    state.set_column(menu)
    assert state.columns_of([]) == []
    assert state.columns_of(["http://127.0.0.9:8341/zwdt/", menu.url]) == [None, menu]


def release_in_order(state: SiteState) -> list[tuple[str, tuple[int, bool]]]:
    return sorted((kept.decode(), route) for kept, route in state.take_held())


def test_held_pages_come_back_with_their_best_route_once(state: SiteState) -> None:
    """What the caps decide on when the site is quiet (govsites.caps): a route noted before the page was held
    counts too in Redis (another worker claimed the page and had not held it yet)."""
    base = "http://127.0.0.9:8341/content.jsp?contentid="
    state.note_routes([(base + "2", 1, True)])
    state.hold(base + "1", (base + "1").encode(), (3, False), lambda s: [])
    state.hold(base + "2", (base + "2").encode(), (4, False), lambda s: [])
    state.note_routes([(base + "1", 2, False), (base + "1", 5, True), ("http://elsewhere.example/", 0, True)])
    assert state.has_held()
    expected_2 = (1, True) if isinstance(state, RedisSiteState) else (4, False)
    assert release_in_order(state) == [(base + "1", (2, True)), (base + "2", expected_2)]
    assert not state.has_held()
    assert state.take_held() == []


def test_a_worker_that_held_nothing_decides_a_quiet_site() -> None:
    reason = missing_reason(postgres=False)
    if reason:
        pytest.skip(reason)
    with redis_server() as url:
        # two workers: a client (a connection) each, as two processes have
        holder, other = (Coordinator(url, "t", client=redis_client(url)).site_state(SITE, []) for _ in range(2))
        other.start_discovering()  # a page of the site in flight on the other worker: counted, then pushed to the
        other.r.flush()  # shared queue, which sends the count first (govsites.writebehind)
        holder.start_discovering()
        holder.hold(SITE.home_url + "a.html", (SITE.home_url + "a.html").encode(), (1, False), lambda s: [])
        assert not holder.add_discovering(-1)  # the page that named it is done; the other's is not
        decided: list[list[tuple[str, tuple[int, bool]]]] = []
        other.on_quiet = lambda s: decided.append(release_in_order(s)) or []
        assert other.add_discovering(-1)
        other.quiet()
        assert decided == [[(SITE.home_url + "a.html", (1, False))]]
        assert not holder.has_held()


def test_a_read_page_fingerprint_is_found_and_a_later_notfound_page_names_it(state: SiteState) -> None:
    """What a redirect into a page read already is judged by (govsites.linkcheck.redirects), in both states."""
    page, permalink = "http://127.0.0.9:8341/tzgg/1.html", "http://127.0.0.9:8341/go/1"
    assert state.page_fp(page) is None
    assert not state.record_page_fp(page, "fp-a")
    assert state.page_fp(page) == "fp-a"
    assert not state.record_page_fp(permalink, state.page_fp(page) or "")
    assert state.set_notfound_fp("fp-a") == {page: "fp-a", permalink: "fp-a"}  # both corrected together


@pytest.fixture(params=["memory", "redis"])
def notes(request: pytest.FixtureRequest) -> Iterator[ArticleNotes | Coordinator]:
    """Where the whole-site checks note pages: this process, or Redis for the workers of a distributed crawl."""
    if request.param == "memory":
        yield ArticleNotes()
        return
    reason = missing_reason(postgres=False)
    if reason:
        pytest.skip(reason)
    with redis_server() as url:
        yield Coordinator(url, "t", client=redis_client(url))


def test_pages_noted_by_two_workers_judge_the_site_as_one(notes: ArticleNotes | Coordinator) -> None:
    def page(path: str, title: str, body: str) -> SitePage:
        return SitePage(
            f"<html><head><title>{title}</title></head><body><h1>{title}</h1>{body}</body></html>", SITE.home_url + path
        )

    first, second = PolicyPages(), PolicyPages()  # what two workers saw
    first.add_article(page("zcjd/1.html", "《办法》解读", '<p>政策原文：<a href="/zcwj/1.html">办法</a></p>'))
    second.add_article(page("zcwj/1.html", "办法", '<p>相关解读：<a href="/zcjd/1.html">《办法》解读</a></p>'))
    notes.note_policy("s1", first)
    notes.note_policy("s1", second)
    notes.note_article("s1", SITE.home_url + "zcwj/1.html", "PubDate")
    notes.note_article("s1", SITE.home_url + "zcjd/1.html", "")
    assert notes.policy_pages("s1").result().status == "ok"  # paired across the two workers' pages
    assert notes.article_notes("s1") == {SITE.home_url + "zcwj/1.html": "PubDate", SITE.home_url + "zcjd/1.html": ""}


def test_endpoint_rules_learned_by_one_worker_serve_another() -> None:
    """A rule taught by a render on worker A reads worker B's lists (which worker renders is the shared queue's
    choice); misses count across workers, and an endpoint read for one page is not another page's list."""
    reason = missing_reason(postgres=False)
    if reason:
        pytest.skip(reason)
    rule = EndpointRule("script", path="http://127.0.0.9:8341/api/list", keys=("col",), own=True)
    with redis_server() as url:
        a, b = (Coordinator(url, "t", client=redis_client(url)).site_state(SITE, []) for _ in range(2))
        assert b.live_endpoint_rules() == []
        assert a.add_endpoint_rules([rule]) == [rule]
        assert b.add_endpoint_rules([rule]) == []  # known already: not "learned" twice
        assert b.live_endpoint_rules() == [rule]
        a.endpoint_result(rule.key, False)
        b.endpoint_result(rule.key, False)
        assert a.live_endpoint_rules() == [rule]  # b's miss waits for b's next command (govsites.writebehind)
        b.r.flush()  # b's reactor turn ends
        assert a.live_endpoint_rules() == []  # two misses, never a list: dropped for both
        endpoint = "http://127.0.0.9:8341/api/list?col=tzgg"
        assert a.claim_endpoint(endpoint, SITE.home_url + "tzgg/")
        assert a.claim_endpoint(endpoint, SITE.home_url + "tzgg/")  # the same page again
        assert not b.claim_endpoint(endpoint, SITE.home_url + "zwdt/")
