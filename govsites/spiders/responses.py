"""What the spider reads off a response or request: decoded text, the URL as linked, the status phrase."""

from __future__ import annotations

import re
from http import HTTPStatus

import scrapy
from scrapy.http import Response, TextResponse

from govsites.extract.kept import MEMO, PageMemo
from govsites.extract.text import decode_body

_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)


def is_rendered(request: scrapy.Request | None) -> bool:
    """True for a page fetched through the browser (scrapy-playwright's ``playwright`` meta key)."""
    return request is not None and bool(request.meta.get("playwright"))


def page_memo(response: Response) -> PageMemo | None:
    """The memo of this answer's reading that the kept answers' storage handed out (:mod:`govsites.revalidate`):
    the one kept from an earlier crawl when the server answered 304, else an empty one to fill. None for a
    rendered page, or when the memo belongs to another body (a retry, a redirect's hop, a changed page)."""
    memo = response.meta.get(MEMO)
    if not isinstance(memo, PageMemo) or is_rendered(response.request) or not memo.fits(response.body):
        return None
    return memo


def decode_response(response: Response) -> tuple[str, str]:
    """A page's text and encoding. Raw pages are decoded by :func:`govsites.extract.text.decode_body`
    (header, then <meta>, then content; GBK family as GB18030; a declaration that fails falls back);
    pages rendered by the browser come back already decoded. Non-text answers give ``("", "")``."""
    if not isinstance(response, TextResponse):
        return "", ""
    if is_rendered(response.request):
        return response.text, response.encoding
    content_type = (response.headers.get("Content-Type") or b"").decode("latin-1")
    match = _CHARSET.search(content_type)
    return decode_body(response.body, match.group(1) if match else None)


def origin_url(request: scrapy.Request) -> str:
    """The URL as the page linked it: the first of a redirect chain (verdicts belong to links, not hops)."""
    chain = request.meta.get("redirect_urls")
    return chain[0] if chain else request.url


def response_reason(response: Response) -> str:
    """The standard phrase of the response's status ("Not Found"), or "" for a non-standard code."""
    try:
        return HTTPStatus(response.status).phrase
    except ValueError:
        return ""
