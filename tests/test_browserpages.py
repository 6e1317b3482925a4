"""Browser pages that always close and browser downloads that always end (:mod:`govsites.browserpages`), with
Debian's Chromium on loopback webs.

A page whose script reloads it every 50 ms (a challenge that never lets the browser in) made ``page.close()``
hang about one time in three while a route handler like scrapy-playwright's was installed, and with it the whole
crawl (CI, 2026-12-04: the anti-bot crawl killed after 600 s). The pages here close every time; a browser page
that never finishes is given up at ``GOVSITES_RENDER_DEADLINE`` as an ordinary download timeout.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from playwright.async_api import Route, async_playwright
from scrapy import Request
from scrapy.exceptions import DownloadTimeoutError

from govsites.browserpages import LATER_CLOSES, RenderDeadlineError, prepare_page
from govsites.config import GovsitesConfig
from tests.helpers import crawl_stat, needs_chromium, run
from tests.webs.rerender import DEAD_COUNTER, SCRIPTED, RerenderWeb
from tests.webs.unbuilt import ChallengeWeb

#: Pages opened and closed on the self-reloading challenge: each hung one time in three before.
ROUNDS = 12


async def open_and_close(url: str, rounds: int) -> list[bool]:
    """Open ``url`` ``rounds`` times with a route handler installed (as scrapy-playwright does), let its script
    reload it, close it through :func:`prepare_page`; whether each page ended closed: at once, or, on a loaded
    machine where a close took longer than its bound, by the background tries (:data:`LATER_CLOSES`)."""
    pages: list[Any] = []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=GovsitesConfig().chromium_binary())
        context = await browser.new_context()
        for _ in range(rounds):
            page = await context.new_page()

            async def forward(route: Route, _request: Any) -> None:
                await route.continue_()

            await page.route("**", forward)
            await prepare_page(page, Request(url))
            await page.goto(url)
            await asyncio.sleep(0.3)  # a few reloads in flight
            # Guard only: close_page bounds each step at 10 s, so this never fires unless the fix is gone.
            await asyncio.wait_for(page.close(), 60)
            pages.append(page)
        waited = 0.0
        while not all(page.is_closed() for page in pages) and waited < sum(LATER_CLOSES) + 30:
            await asyncio.sleep(0.5)
            waited += 0.5
        closed = [page.is_closed() for page in pages]
        await browser.close()
    return closed


@needs_chromium
def test_a_page_that_reloads_itself_forever_closes() -> None:
    with ChallengeWeb() as web:
        closed = asyncio.run(open_and_close(web.url("wall"), ROUNDS))
        assert web.hits[("wall", "challenge")] > ROUNDS  # the pages did reload themselves
    assert closed == [True] * ROUNDS


@needs_chromium
def test_a_browser_page_that_never_finishes_ends_as_a_timeout(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    with ChallengeWeb() as web:
        result = run(
            [
                "-m",
                "scrapy",
                "runspider",
                "tests/deadline_spider.py",
                "-a",
                f"url={web.url('slow', '/tzgg/')}",
                "-o",
                f"{out}:json",
            ],
            timeout=300,
            GOVSITES_RENDER_DEADLINE="3",
            SCRAPY_SETTINGS_MODULE="tests.deadline_spider",
        )
    assert result.returncode == 0, result.stderr[-3000:]
    # a timeout to Scrapy's retry and the errback, told apart as the render deadline's (its column: unrendered)
    assert json.loads(out.read_text(encoding="utf-8")) == [{"outcome": "RenderDeadlineError"}]
    assert issubclass(RenderDeadlineError, DownloadTimeoutError)
    assert "'govsites/render/deadline': 1" in result.stderr
    assert "超过 3 秒仍未完成，已放弃并关闭页面" in result.stderr


@needs_chromium
def test_a_page_creation_cancelled_half_way_gives_its_permit_back(tmp_path: Path) -> None:
    """With one page permit, a page creation cancelled while the browser makes the page (a render past its
    deadline) used to keep the permit, and every later render waited out its deadline (tests/cancel_spider.py)."""
    out = tmp_path / "out.json"
    with ChallengeWeb() as web:
        result = run(
            [
                *("-m", "scrapy", "runspider", "tests/cancel_spider.py"),
                *("-a", f"url={web.url('slow', '/tzgg/')}", "-o", f"{out}:json"),
                *("-s", "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT=1"),
            ],
            timeout=300,
            GOVSITES_RENDER_DEADLINE="20",
            GOVSITES_RENDER_PAGE_REUSE="0",  # the first page is closed, not kept (a kept page would be reused)
            SCRAPY_SETTINGS_MODULE="tests.deadline_spider",
        )
    assert result.returncode == 0, result.stderr[-3000:]
    assert json.loads(out.read_text(encoding="utf-8")) == [
        {"step": "first", "outcome": "answered"},
        {"step": "cancelled", "permits": 1, "open_pages": 0},
        {"step": "last", "outcome": "answered"},
    ]
    assert "'govsites/render/orphan_pages': 1" in result.stderr


@needs_chromium
def test_a_completed_render_page_serves_the_next_render_and_a_failed_one_is_closed(tmp_path: Path) -> None:
    """Five renders in a row: a script-filled list, the home page (a script writes its friend links), an address
    where nothing listens, a plain list, the script-filled list again. Each shows only its own page and what
    it fetched itself; the failed render's page is closed, never reused."""
    out = tmp_path / "out.json"
    with RerenderWeb() as web:
        urls = [web.url(SCRIPTED[0]), web.url("/"), DEAD_COUNTER, web.url("/tjsj/"), web.url(SCRIPTED[0])]
        result = run(
            [
                *("-m", "scrapy", "runspider", "tests/pool_spider.py"),
                *("-a", f"urls={' '.join(urls)}", "-o", f"{out}:json"),
            ],
            timeout=300,
            SCRAPY_SETTINGS_MODULE="tests.deadline_spider",
        )
    assert result.returncode == 0, result.stderr[-3000:]
    items = {item["index"]: item for item in json.loads(out.read_text(encoding="utf-8"))}
    notices = sorted(title for _url, title, _date in web.notices)
    assert [items[i]["outcome"] for i in range(5)] == ["answered", "answered", "Error", "answered", "answered"]
    assert set(notices) <= set(items[0]["links"])
    assert items[0]["fetched"] == ["notices.json"]
    # the home page: its own friend links, none of the list before it, nothing fetched
    assert "国家统计局" in items[1]["links"]
    assert not set(notices) & set(items[1]["links"])
    assert items[1]["fetched"] == []
    assert not set(notices) & set(items[3]["links"])
    assert items[3]["fetched"] == []
    assert set(notices) <= set(items[4]["links"])
    assert items[4]["fetched"] == ["notices.json"]
    # pages made: the first, and one after the failed render's page was closed; the other three reused, each
    # parked on a blank document before (the last completed render's page parks as the crawl closes: maybe counted)
    assert "'govsites/render/pages_reused': 3" in result.stderr
    assert crawl_stat(result.stderr, "govsites/render/pages_parked") in {3, 4}
    assert "govsites/render/pages_unparked" not in result.stderr
    assert "'playwright/page_count': 2" in result.stderr


def _kept_page_beacons(tmp_path: Path, park: str, ticking: str = "worker") -> tuple[dict[str, Any], list[int], str]:
    """Render :class:`RerenderWeb`'s home page with a ``ticking`` script (:data:`tests.webs.rerender.TICKERS`)
    with ``tests/park_spider.py``: the kept page's item, the beacon counts read a second apart once it was kept, and
    the crawl's log."""
    out = tmp_path / "out.json"
    with RerenderWeb() as web:
        web.ticking = ticking
        result = run(
            [
                *("-m", "scrapy", "runspider", "tests/park_spider.py"),
                *("-a", f"url={web.url('/')}", "-a", f"ticks={web.url('/ticks')}", "-o", f"{out}:json"),
            ],
            timeout=300,
            SCRAPY_SETTINGS_MODULE="tests.deadline_spider",
            GOVSITES_RENDER_PAGE_PARK=park,
        )
    assert result.returncode == 0, result.stderr[-3000:]
    items = json.loads(out.read_text(encoding="utf-8"))
    return items[0], [item["beacons"] for item in items[1:]], result.stderr


@needs_chromium
def test_a_rendered_page_s_timers_stop_once_it_settled(tmp_path: Path) -> None:
    """A home page whose timer posts a beacon every 100 ms (as a scrolling news box moves it): the render's settle
    wait stops the page's timers as it ends, so even a kept page left on its document
    (``GOVSITES_RENDER_PAGE_PARK=0``) sends none while it waits (a browser still delivers what a page queued: at
    most two here, against ten a second while it runs)."""
    _kept, counts, _log = _kept_page_beacons(tmp_path, "0", ticking="timer")
    assert counts[0] > 0, counts  # the timer ran while the page was rendered (the settle wait lasts 750 ms at least)
    assert counts[1] - counts[0] <= 2, counts


@needs_chromium
def test_a_kept_page_is_parked_and_its_scripts_stop(tmp_path: Path) -> None:
    """A rendered home page whose worker posts to the site every 100 ms (a script the settle's stop of the page's
    timers does not reach): once its page is kept for the next render, it is parked on a blank document, and
    nothing more comes while it waits (at most two requests sent before it left)."""
    kept, counts, log = _kept_page_beacons(tmp_path, "1")
    assert kept == {"step": "kept", "parked": True, "url": "about:blank"}
    assert counts[0] > 0, counts  # the script ran while the page was rendered (the settle wait lasts 750 ms at least)
    assert counts[1] - counts[0] <= 2, counts
    assert "'govsites/render/pages_parked': 1" in log


@needs_chromium
def test_a_kept_page_left_on_its_document_keeps_running_its_scripts(tmp_path: Path) -> None:
    """``GOVSITES_RENDER_PAGE_PARK=0``: the kept page stays on the page it rendered, whose worker goes on posting
    while it waits (what parking saves; the count a second later is higher)."""
    kept, counts, log = _kept_page_beacons(tmp_path, "0")
    assert kept["parked"] is True  # nothing to wait for: the page is kept as it is
    assert kept["url"].endswith("/")
    assert counts[1] > counts[0], counts
    assert "govsites/render/pages_parked" not in log
