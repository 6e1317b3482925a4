"""What the browser loads when a JavaScript-filled list is rendered.

A rendered list needs the page's HTML, its scripts and the data they fetch (XHR/fetch, JSONP scripts); it does
not need pictures, fonts, media or style sheets. Skipping them saves the browser most of its work (measured in
docs/benchmarks.md) and changes nothing the extractors read: they read the DOM, not the layout.

A render that ends without a page is named, not lost: :class:`RenderFailure` says why (past its deadline, not
opened, failed), and the column whose list it was is stored as ``unrendered`` with that reason
(:class:`govsites.browserpages.RenderFailures`, :func:`govsites.spiders.columns.unreachable_column`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: Playwright resource types a rendered list never needs.
SKIPPED_RESOURCES = frozenset({"image", "media", "font", "stylesheet", "imageset", "texttrack"})


def skip_resource(request: Any) -> bool:
    """``PLAYWRIGHT_ABORT_REQUEST``: abort loads of resource types a list never needs (a Playwright request)."""
    return str(getattr(request, "resource_type", "")) in SKIPPED_RESOURCES


#: Downloader slot of rendered requests (``request.meta["download_slot"]``). Scrapy's scheduler keeps one queue per
#: slot, last in first out within a priority: in its site's queue, a render request (asked for when a column page's
#: list is empty) waits behind the site's newer requests until the site's plain crawl is done, and in the site's
#: downloader slot a render waiting for the browser would hold one of the site's connections. In a slot of its own,
#: at most ``GOVSITES_RENDER_PAGES`` renders run at a time over all sites (the slot's concurrency and the
#: browser's pages in its one context), and a site sees at most that many browser page loads besides its own
#: slot's requests.
RENDER_SLOT = "govsites-render"

#: scrapy-playwright's page permits per render (``PLAYWRIGHT_MAX_PAGES_PER_CONTEXT`` is ``GOVSITES_RENDER_PAGES``
#: times this). A permit comes back only when its page closes; a page that would not close under load is closed
#: later in the background (:mod:`govsites.browserpages`), and with exactly one permit per render each such page
#: took one render slot away (a 2,000-site crawl was left rendering one page at a time). Past this room, renders
#: wait for a permit within their deadline and fail as counted timeouts.
STUCK_PAGE_ROOM = 4


#: Why a list's browser render ended without a page (``columns.render_error``, the column's status then
#: ``unrendered``): its last try ran past ``GOVSITES_RENDER_DEADLINE``; it was not opened at all (the detail says
#: why, e.g. a host whose anti-bot challenge the browser did not pass); or the browser failed on it. Each with the
#: Chinese label the crawl's log and the workbook show.
RENDER_DEADLINE, RENDER_SKIPPED, RENDER_FAILED = "deadline", "skipped", "failed"
RENDER_FAILURE_LABELS = {RENDER_DEADLINE: "渲染超时", RENDER_SKIPPED: "未渲染（已跳过）", RENDER_FAILED: "渲染出错"}


@dataclass(frozen=True)
class RenderFailure:
    """Why a page that needed the browser was not rendered: a code of :data:`RENDER_FAILURE_LABELS` and a
    Chinese detail for the analyst (``columns.render_error``, ``columns.render_detail``)."""

    code: str
    detail: str

    @property
    def label(self) -> str:
        return RENDER_FAILURE_LABELS.get(self.code, self.code)
