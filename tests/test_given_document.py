"""A render is given the document the crawl read (:mod:`govsites.givendocument`).

The browser tests open Debian's Chromium with the crawl's launch options on a loopback host whose home page is
regenerated on every request (:mod:`tests.webs.regenerated`: it says how many times it was made, and its script
writes a hidden link carrying that number, as a page a CMS rewrites or a rotating block would): given the crawl's
copy, the browser shows that copy and its script's link, and asks the host only for the script. A kept render
(:mod:`govsites.renderreuse`) is checked against the given document instead of asking the page again. The
crawl-level counts (the home page never asked by the browser, ``govsites/security/home_render_given``) are in
``tests/test_render_reuse.py``.
"""

from __future__ import annotations

import asyncio
import pickle
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import async_playwright
from scrapy import Request, Spider
from scrapy.http import HtmlResponse

from govsites.givendocument import DOCUMENT, GIVEN, LEFT_ROUTE, GivenDocument, give_document
from govsites.renderreuse import REUSED_FLAG, RenderReuse, digest
from tests.helpers import crawl_launch_options, needs_chromium
from tests.webs.regenerated import DARK_HOST, RegeneratedHomeWeb


@pytest.fixture
def web() -> Iterator[RegeneratedHomeWeb]:
    with RegeneratedHomeWeb() as served:
        yield served


def crawl_copy(web: RegeneratedHomeWeb) -> HtmlResponse:
    """The home page as the crawl read it (one request to the host)."""
    with urllib.request.urlopen(web.url, timeout=10) as answer:
        body, kind = answer.read(), answer.headers["Content-Type"]
    return HtmlResponse(web.url, body=body, headers={"Content-Type": kind})


async def render(web: RegeneratedHomeWeb, requests: list[Request]) -> list[dict[str, Any]]:
    """Render each request's URL on one browser page, in turn (as a reused page): what each showed."""
    shown = []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(**crawl_launch_options())
        try:
            page = await browser.new_page()
            for request in requests:
                await give_document(page, request)
                await page.goto(request.url)
                await page.wait_for_selector("#dark", state="attached")
                shown.append(
                    {
                        "made": await page.inner_text("#made"),
                        "dark": await page.get_attribute("#dark", "href"),
                        "left": getattr(page, LEFT_ROUTE, None) is not None,
                    }
                )
        finally:
            await browser.close()
    return shown


def test_a_document_keeps_only_what_decides_how_the_page_is_read() -> None:
    response = HtmlResponse(
        "http://a.example/",
        body="<p>首页</p>".encode(),
        headers={"Content-Type": "text/html; charset=utf-8", "Set-Cookie": "sid=1", "Refresh": "30"},
    )
    document = GivenDocument.of(response)
    assert document.headers == (("content-type", "text/html; charset=utf-8"), ("refresh", "30"))
    assert document.body == response.body
    assert document.answers("http://a.example")
    assert document.answers("http://a.example/#top")
    assert not document.answers("http://a.example/index.html")
    # it travels with its request: Scrapy's disk queues and scrapy-redis pickle the meta
    assert pickle.loads(pickle.dumps(document)) == document


@needs_chromium
def test_the_browser_renders_the_copy_the_crawl_read(web: RegeneratedHomeWeb) -> None:
    copy = crawl_copy(web)
    given = Request(web.url, meta={DOCUMENT: GivenDocument.of(copy)})
    [shown] = asyncio.run(render(web, [given]))
    assert shown["made"] == "第1次生成"  # the crawl's copy, not a second one
    assert shown["dark"] == f"{DARK_HOST}1"  # the script ran on it
    assert (web.hits["/"], web.hits["/js/app.js"]) == (1, 1)  # the browser asked for the script only
    assert given.meta[GIVEN] is True


@needs_chromium
def test_a_reused_page_fetches_a_document_it_was_not_given(web: RegeneratedHomeWeb) -> None:
    copy = crawl_copy(web)  # made 1
    # a render whose navigation is not the given document's address (the browser fetches it: made 2) leaves its
    # route unused on the page; the page's next render, of that address and with no document, must not get it
    unmatched = Request(web.url + "?from=menu", meta={DOCUMENT: GivenDocument.of(copy)})
    plain = Request(web.url)
    first, second = asyncio.run(render(web, [unmatched, plain]))
    assert (first["made"], first["left"]) == ("第2次生成", True)
    assert (second["made"], second["dark"], second["left"]) == ("第3次生成", f"{DARK_HOST}3", False)
    assert web.hits["/"] == 3
    assert GIVEN not in unmatched.meta
    assert GIVEN not in plain.meta


def test_render_reuse_takes_the_pages_digest_from_its_given_document(tmp_path: Path) -> None:
    """A kept home render is checked against its inputs: the page itself is the document the crawl just read, so
    only what the page loaded is asked for again."""
    page, script = "http://a.example/", "http://a.example/js/a.js"
    asked: list[str] = []

    async def fetch(request: Request) -> HtmlResponse:
        asked.append(request.url)
        return HtmlResponse(request.url, body=b"var a = 1;")

    reuse = RenderReuse(tmp_path / "renders.sqlite", fetch)
    reuse.spider_opened(Spider(name="site"))
    home = "<p>首页</p>".encode()
    kept = {"url": page, "status": 200, "headers": [["Content-Type", ["text/html; charset=utf-8"]]], "methods": []}
    inputs = {"inputs": [page, script], "digests": [digest(200, home), digest(200, b"var a = 1;")]}
    assert reuse.store is not None
    reuse.store.put("site", page, {**kept, **inputs, "results": []}, b"<p>rendered</p>")
    copy = HtmlResponse(page, body=home, headers={"Content-Type": "text/html; charset=utf-8"})
    request = Request(page, meta={"playwright": True, "role": "home_render", DOCUMENT: GivenDocument.of(copy)})
    reused = asyncio.run(reuse.process_request(request))
    assert reused is not None
    assert REUSED_FLAG in reused.flags
    assert asked == [script]
    # the page changed since: the given document says so without asking
    changed = HtmlResponse(page, body="<p>首页（新）</p>".encode(), headers={"Content-Type": "text/html"})
    request = Request(page, meta={"playwright": True, "role": "home_render", DOCUMENT: GivenDocument.of(changed)})
    assert asyncio.run(reuse.process_request(request)) is None
    assert asked == [script, script]
