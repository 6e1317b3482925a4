"""A render given the document the plain crawl already read, instead of fetching it again.

The dark-link check renders a site's home page to see the links its scripts write, and compares the rendered copy
with the raw page the crawl read (:mod:`govsites.spiders.contentsecurity`). Fetched again by the browser, the
document was a second request to the host, and it may not be the same document: a home page regenerated on every
request (a visit counter, a rotating news block, a page the CMS was rewriting) gave the two checks two different
pages. Given the crawl's answer, the browser reads exactly the raw page and runs its scripts; its scripts, frames
and data requests are fetched as before.

Measured on the bench web's 65 home pages (16 at a time, hosts answering in 50-2000 ms, docs/benchmarks.md):
Chromium used 10.3 and 8.3 CPU-s with the document given against 11.8 and 11.2 fetching it, and each render
waited one answer of its host less.

- :meth:`GivenDocument.of` keeps what the browser needs of an answer: its URL, status, the headers that decide how
  the page is read and run (``Content-Type``, a ``Content-Security-Policy``, ``Refresh``), and its body compressed
  (it waits in the render queue with its request: in memory, on disk with ``JOBDIR``, in Redis when distributed).
- :func:`give_document`, called on the request's page before it navigates (:func:`govsites.browserpages
  .prepare_page`): the page's first request for that URL, its navigation, is answered with it. Routes added later
  take precedence in Playwright, so scrapy-playwright's own route (added before the page's init callback) never
  sees it. The request's meta then holds :data:`GIVEN`; a render whose navigation was not that request (a URL the
  browser spelled otherwise) fetched its document itself, and the spider counts both.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Any

from scrapy import Request
from scrapy.http import Response

#: ``request.meta`` key of a browser request's :class:`GivenDocument`.
DOCUMENT = "govsites_document"

#: ``request.meta`` key set (True) once the browser was given the document.
GIVEN = "govsites_document_given"

#: The answer headers the browser is given with the document: how it decodes the page, which scripts a policy
#: lets run, a refresh it would follow. Cookies are not: the crawl's own cookies are not the browser's.
KEPT_HEADERS = ("content-type", "content-security-policy", "refresh")

#: The page attribute holding the route :func:`give_document` added (removed before the page's next render).
LEFT_ROUTE = "_govsites_document_route"


def _bare(url: str) -> str:
    """``url`` without its fragment and trailing slashes (a browser writes ``http://host`` as ``http://host/``)."""
    return url.split("#", 1)[0].rstrip("/")


@dataclass(frozen=True)
class GivenDocument:
    """A document a render is given: the answer's final URL, status, kept headers and zlib-compressed body."""

    url: str
    status: int
    headers: tuple[tuple[str, str], ...]
    packed: bytes

    @classmethod
    def of(cls, response: Response) -> GivenDocument:
        headers = tuple(
            (name, value.decode("latin-1"))
            for name in KEPT_HEADERS
            if (value := response.headers.get(name)) is not None
        )
        return cls(response.url, response.status, headers, zlib.compress(response.body, 1))

    @property
    def body(self) -> bytes:
        return zlib.decompress(self.packed)

    def answers(self, url: str) -> bool:
        return _bare(url) == _bare(self.url)


async def give_document(page: Any, request: Request) -> None:
    """Answer ``page``'s navigation to the document of ``request.meta[DOCUMENT]`` (if any) with it, once.

    A reused page (:class:`govsites.browserpages.PagePool`) first loses the route an earlier render left unused."""
    left = getattr(page, LEFT_ROUTE, None)
    if left is not None:
        setattr(page, LEFT_ROUTE, None)
        await page.unroute(*left)
    document = request.meta.get(DOCUMENT)
    if not isinstance(document, GivenDocument):
        return

    async def answer(route: Any, browser_request: Any) -> None:
        if browser_request.is_navigation_request() and browser_request.frame == page.main_frame:
            await route.fulfill(status=document.status, headers=dict(document.headers), body=document.body)
            request.meta[GIVEN] = True
        else:
            await route.fallback()

    def matches(url: str) -> bool:  # a plain function: Playwright keeps attributes on what it is given
        return document.answers(url)

    setattr(page, LEFT_ROUTE, (matches, answer))
    await page.route(matches, answer, times=1)
