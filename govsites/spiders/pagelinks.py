"""The links of a parsed page that the spider follows or checks, beyond those in its HTML."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from govsites.caps import path_key
from govsites.extract.links import Link, is_attachment, normalize_url, strip_session_id
from govsites.extract.listing import ListEntry


def canonical(link: Link) -> Link:
    """The link without a session id in its URL (one URL per page, however many sessions link it)."""
    url = strip_session_id(link.url)
    return link if url == link.url else Link(url, link.anchor, link.tag, link.kind)


def script_links(entries: Iterable[ListEntry], links: list[Link]) -> list[Link]:
    """List items that exist only in scripts (JSON-in-script arrays, Hanweb datastore records) are links of
    the page too: visitors reach them once the script runs, so their articles are crawled and checked."""
    seen = {link.url for link in links}
    extra: list[Link] = []
    for entry in entries:
        if not entry.url:
            continue
        url = strip_session_id(normalize_url(entry.url))
        if url not in seen and urlsplit(url).scheme in ("http", "https"):
            seen.add(url)
            # an anchor as the visitor sees it once the script has run (tag "a", as when the page is rendered)
            extra.append(Link(url, entry.title[:200], "a", "attachment" if is_attachment(url) else "page"))
    return extra


def listed_urls(
    entries: Iterable[ListEntry], next_pages: Iterable[str], sitemap_links: Iterable[Link]
) -> frozenset[str]:
    """URLs a visitor reaches through a list: its items, its pagination, a site map's links (articles such as
    ``show.asp?id=123`` are real pages, not a query-string trap)."""
    urls = {normalize_url(entry.url) for entry in entries if entry.url}
    urls.update(normalize_url(url) for url in next_pages)
    urls.update(link.url for link in sitemap_links)
    return frozenset(strip_session_id(url) for url in urls)


def list_pages(next_pages: Iterable[str], links: Iterable[Link]) -> frozenset[str]:
    """The further pages of a list: its next pages and the pager's other numbered pages (links to the same path
    as a next page: ``list.asp?page=3`` beside ``list.asp?page=2``)."""
    following = {normalize_url(url) for url in next_pages}
    paths = {path_key(url) for url in following}
    following.update(link.url for link in links if link.kind == "page" and path_key(link.url) in paths)
    return frozenset(strip_session_id(url) for url in following)
