"""A fetched page's verdict, soft 404s included: pages that say "页面不存在" with a 200 status.

A page is a soft 404 when its words say so (:func:`govsites.linkcheck.classify.looks_like_not_found`) or when it
looks like the site's own not-found page, which the spider asks for once per site (:func:`notfound_url`, a path
that cannot exist). Pages parsed before that page's answer came are judged again when it comes
(:func:`learn_notfound`).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar
from urllib.parse import urlsplit

from scrapy.http import Response

from govsites.antibot import ANTIBOT, BLOCKED
from govsites.extract.kept import sources_digest
from govsites.items import LinkCheckItem
from govsites.linkcheck import classify
from govsites.linkcheck.classify import is_broken, is_waf_challenge, looks_like_not_found, page_fingerprint
from govsites.sitestate import SiteState
from govsites.spiders.responses import origin_url, response_reason
from govsites.store import now_iso

if TYPE_CHECKING:
    from govsites.extract.page import Page

T = TypeVar("T")

#: The key prefix of what a page's verdict reads from its body, kept in the page's memo (a 304 reuses it,
#: :mod:`govsites.extract.kept`): named with the digest of the classification's sources, so that a changed
#: classification reads every page afresh.
VERDICT = "verdict/" + sources_digest([Path(classify.__file__)])


def body_signal(page: Page | None, name: str, compute: Callable[[], T]) -> T:
    """``compute()``, a function of the page's body alone (its status and headers are those of the answer the body
    came with): kept in the page's memo, so a 304 reuses it; computed when there is no page object."""
    return compute() if page is None else page.reuse(f"{VERDICT}/{name}", compute, at_url=False)


def judge(
    state: SiteState, response: Response, html: str, title: str = "", text: str = "", page: Page | None = None
) -> LinkCheckItem:
    """The verdict on a fetched page: its HTTP status, or blocked / soft_404 for what a status hides. With the
    page object (``page``, of ``html``), what the verdict reads from the body is kept for a 304 (:func:`body_signal`);
    what depends on the site (its not-found page, the anti-bot state) is judged each time."""
    request = response.request
    url = origin_url(request) if request is not None else response.url
    status, reason = str(response.status), response_reason(response)

    def challenge() -> bool:
        headers = {k.decode("latin-1"): b", ".join(v).decode("latin-1") for k, v in response.headers.items()}
        return is_waf_challenge(response.status, headers, html)

    if body_signal(page, f"waf/{response.status}", challenge) or (
        request is not None and request.meta.get(ANTIBOT) == BLOCKED
    ):
        status, reason = "blocked", "防火墙/人机验证页面（未计为失效）"
    elif response.status == 200 and html and is_soft_404(state, title, text, page):
        status, reason = "soft_404", "页面显示“页面不存在”，但状态码为 200"
    return LinkCheckItem(
        site_id=state.site.site_id,
        url=url,
        status=status,
        reason=reason,
        broken=is_broken(status),
        final_url=response.url,
        checked_at=now_iso(),
    )


def is_soft_404(state: SiteState, title: str, text: str, page: Page | None = None) -> bool:
    if body_signal(page, "not_found", lambda: looks_like_not_found(title, text)):
        return True
    known = state.notfound_fingerprint()
    return known is not None and text_fingerprint(text, page) == known


def text_fingerprint(text: str, page: Page | None = None) -> str:
    """:func:`~govsites.linkcheck.classify.page_fingerprint` of a page's text (kept for a 304 with ``page``)."""
    return body_signal(page, "fingerprint", lambda: page_fingerprint(text))


def notfound_url(state: SiteState) -> str:
    """A path of the site that cannot exist: its answer shows what the site's not-found page looks like."""
    parts = urlsplit(state.home_url_final() or state.site.home_url)
    return f"{parts.scheme}://{parts.netloc}/govsites-{secrets.token_hex(6)}.html"


def learn_notfound(state: SiteState, text: str | None) -> list[LinkCheckItem]:
    """Remember the site's not-found page (``text``: its visible text; None when it answered with an error
    status, and HEAD checks suffice); the corrected verdicts of pages parsed before it was known."""
    if text is None:
        state.set_notfound_fp("")
        return []
    notfound = page_fingerprint(text)
    return [
        late_soft_404(state, url)
        for url, fingerprint in state.set_notfound_fp(notfound).items()
        if fingerprint == notfound
    ]


#: The reason of a page (or a link to one) found to be the site's not-found page by its fingerprint.
SAME_AS_NOTFOUND = "与本站“页面不存在”页面相同"


def read_target_verdict(state: SiteState, url: str, target: str) -> LinkCheckItem:
    """The verdict on ``url``, whose redirect leads to ``target``, a 200 page of the site read already
    (:mod:`govsites.linkcheck.redirects`): the page's own, 200, or soft_404 when it is the site's not-found page.
    ``url`` is remembered with the page's fingerprint, so a not-found page learnt later corrects both."""
    fingerprint = state.page_fp(target)  # known: the redirect was stopped because it is
    soft = fingerprint is not None and state.record_page_fp(url, fingerprint)
    status, reason = ("soft_404", SAME_AS_NOTFOUND) if soft else ("200", "OK")
    return LinkCheckItem(
        site_id=state.site.site_id,
        url=url,
        status=status,
        reason=reason,
        broken=soft,
        final_url=target,
        checked_at=now_iso(),
    )


def late_soft_404(state: SiteState, url: str) -> LinkCheckItem:
    """The verdict on a page found to equal the site's not-found page after it was judged."""
    return LinkCheckItem(
        site_id=state.site.site_id,
        url=url,
        status="soft_404",
        reason=SAME_AS_NOTFOUND,
        broken=True,
        checked_at=now_iso(),
    )
