"""One download per address and crawl process (:mod:`govsites.sharedanswers`): the middleware as Scrapy's
middleware manager calls it, with Scrapy's own request fingerprints and stats. The whole crawl is in
``tests/test_pinned_year.py`` (the web counts each article's requests)."""

from __future__ import annotations

import asyncio

import pytest
from scrapy import Request
from scrapy.exceptions import NotConfigured
from scrapy.http import HtmlResponse, Response

from govsites.sharedanswers import FRESH, SharedAnswers
from tests.helpers import component_crawler

URL = "http://127.0.0.1:9/tzgg/art0.html"


def _middleware(**bounds: int) -> tuple[SharedAnswers, object]:
    crawler = component_crawler(project=True)
    middleware = SharedAnswers(crawler.request_fingerprinter.fingerprint, crawler.stats, **bounds)
    return middleware, crawler


async def _first_and_repeat(
    middleware: SharedAnswers, repeat: Request | None = None
) -> tuple[Request, asyncio.Task[Response | None]]:
    """The first request of ``URL`` on its way to the download, and a repeat (``repeat``) waiting for it."""
    first = Request(URL, meta={"role": "page"})
    assert await middleware.process_request(first) is None
    waiting = asyncio.ensure_future(middleware.process_request(repeat or Request(URL)))
    await asyncio.sleep(0)
    assert not waiting.done()  # in flight: it waits instead of a second download
    return first, waiting


def _answer(request: Request, status: int = 200, body: bytes = b"<html><body>art</body></html>") -> HtmlResponse:
    return HtmlResponse(request.url, status=status, body=body, request=request)


def test_a_repeat_waits_for_the_first_download_then_a_later_one_reuses_it() -> None:
    middleware, crawler = _middleware()

    async def scenario() -> None:
        repeat = Request(URL, meta={"role": "article_date"})
        first, waiting = await _first_and_repeat(middleware, repeat)
        answer = _answer(first)
        assert middleware.process_response(first, answer) is answer
        given = await waiting
        assert given is not None
        assert given is not answer
        assert (given.body, given.status, given.request) == (answer.body, 200, repeat)
        assert "shared" in given.flags
        later = Request(URL, meta={"role": "check"})
        again = await middleware.process_request(later)
        assert again is not None
        assert (again.request, again.body) == (later, answer.body)

    asyncio.run(scenario())
    stats = crawler.stats.get_stats()  # type: ignore[attr-defined]
    assert (stats["govsites/shared/waited"], stats["govsites/shared/reused"]) == (1, 1)
    assert middleware.shared == 2


def test_requests_that_must_reach_the_server_are_never_given_another_answer() -> None:
    middleware, _crawler = _middleware()

    async def scenario() -> None:
        first = Request(URL)
        assert await middleware.process_request(first) is None
        middleware.process_response(first, _answer(first))
        for meta in ({FRESH: True}, {"retry_times": 1}, {"playwright": True}):
            assert await middleware.process_request(Request(URL, meta=meta)) is None, meta
        assert await middleware.process_request(Request(URL, method="POST", body=b"q=1")) is None
        # HEAD is shared with HEAD only (the fingerprint holds the method)
        assert await middleware.process_request(Request(URL, method="HEAD")) is None

    asyncio.run(scenario())
    assert middleware.shared == 0


@pytest.mark.parametrize("status", [503, 429, 521, 412])
def test_an_answer_a_retry_or_challenge_pass_would_ask_again_is_not_shared(status: int) -> None:
    middleware, _crawler = _middleware()

    async def scenario() -> None:
        first, waiting = await _first_and_repeat(middleware)
        middleware.process_response(first, _answer(first, status))
        assert await waiting is None  # downloaded itself
        assert await middleware.process_request(Request(URL)) is None  # nothing kept either

    asyncio.run(scenario())
    assert middleware.shared == 0


def test_an_answer_stopped_after_its_headers_is_not_given_to_a_request_that_needs_the_body() -> None:
    """A host that refuses HEAD has its links checked by GET, stopped once the headers are in: a page request of
    the same address waiting for that check must not get its empty body."""
    middleware, _crawler = _middleware()

    async def scenario() -> None:
        check = Request(URL, meta={"role": "check", "headers_only": True})
        assert await middleware.process_request(check) is None
        page = asyncio.ensure_future(middleware.process_request(Request(URL, meta={"role": "page"})))
        await asyncio.sleep(0)
        assert not page.done()
        stopped = HtmlResponse(URL, status=200, body=b"", request=check, flags=["download_stopped"])
        middleware.process_response(check, stopped)
        assert await page is None  # downloaded itself, body and all
        assert await middleware.process_request(Request(URL)) is None  # and the stopped answer was not kept

    asyncio.run(scenario())
    assert middleware.shared == 0


def test_a_failed_first_download_lets_the_waiting_requests_download_themselves() -> None:
    middleware, _crawler = _middleware()

    async def scenario() -> None:
        first, waiting = await _first_and_repeat(middleware)
        middleware.process_exception(first, TimeoutError("timed out"))
        assert await waiting is None

    asyncio.run(scenario())


def test_recent_answers_are_bounded_by_count_and_bytes() -> None:
    middleware, _crawler = _middleware(recent_answers=3, recent_bytes=250)

    async def scenario() -> None:
        for i in range(5):
            request = Request(f"{URL}?id={i}")
            await middleware.process_request(request)
            middleware.process_response(request, _answer(request, body=b"x" * 100))
        assert (len(middleware.recent), middleware.size) == (2, 200)  # 250 bytes hold two answers of 100
        big = Request(f"{URL}?id=big")
        await middleware.process_request(big)
        middleware.process_response(big, _answer(big, body=b"x" * 300))  # larger than the bound: not kept
        assert (len(middleware.recent), middleware.size) == (2, 200)
        assert await middleware.process_request(Request(f"{URL}?id=4")) is not None
        assert await middleware.process_request(Request(f"{URL}?id=0")) is None

    asyncio.run(scenario())


def test_the_switch_turns_it_off() -> None:
    crawler = component_crawler({"GOVSITES_SHARED_ANSWERS_ENABLED": False}, project=True)
    with pytest.raises(NotConfigured):
        SharedAnswers.from_crawler(crawler)
    assert isinstance(SharedAnswers.from_crawler(component_crawler(project=True)), SharedAnswers)
