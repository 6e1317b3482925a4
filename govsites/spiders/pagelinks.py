"""The links of a parsed page that the spider follows or checks, beyond those in its HTML."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

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
            extra.append(Link(url, entry.title[:200], "script", "attachment" if is_attachment(url) else "page"))
    return extra
