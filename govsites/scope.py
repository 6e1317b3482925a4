"""Which pages belong to a site: consolidated sites (集约化平台, 子站) share one host and are told apart by path.

A registry ``home_url`` with a path (``http://www.xxx.gov.cn/bm/fgj/`` or ``…/bm/fgj/index.html``) scopes its site
to that folder of the shared host; the optional registry column ``scope`` (URL prefixes joined with ``|``)
replaces that folder. A home URL at the root of its host (``/``, ``/index.html``) and no ``scope``: the whole host.
When several registry sites share a host, the folders of the others that lie inside a site's scope are not that
site's pages (the portal at ``/`` does not crawl ``/bm/fgj/`` as its own): :func:`nested_scopes`.

Pages outside a site's scope are not crawled as its pages; links to them are still checked as links. Hosts are
compared as the crawler compares them (a leading ``www.`` ignored; http and https on their default ports are one
host); a host the home page redirected to, not named by the prefixes, is the site's whole. Pure: no Scrapy.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

#: The separator of the registry's ``scope`` column.
SCOPE_SEPARATOR = "|"

_DEFAULT_PORTS = {"http": 80, "https": 443}


def _host_port(url: str) -> tuple[str, int] | None:
    """Host (``www.`` dropped) and port, 0 for a scheme's default port: http and https of a host are one host."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    host = (parts.hostname or "").lower().removeprefix("www.")
    if not host:
        return None
    return host, 0 if port is None or port == _DEFAULT_PORTS.get(parts.scheme.lower()) else port


@dataclass(frozen=True)
class Prefix:
    """A folder of a host: the host (``www.`` dropped), its port, and the path, ending in ``/``."""

    host: str
    port: int
    path: str

    def holds(self, url: str) -> bool:
        """Whether ``url`` lies in this folder (the folder's own URL without its final ``/`` included)."""
        where = _host_port(url)
        if where != (self.host, self.port):
            return False
        path = urlsplit(url.strip()).path or "/"
        return path.startswith(self.path) or path == self.path.rstrip("/")

    def within(self, other: Prefix) -> bool:
        """Whether this folder lies inside ``other`` (and is not ``other`` itself)."""
        return (self.host, self.port) == (other.host, other.port) and (
            self.path != other.path and self.path.startswith(other.path)
        )


def folder(url: str) -> Prefix | None:
    """The folder a URL names: its path up to the last ``/`` (``/bm/fgj/index.html`` → ``/bm/fgj/``); a last
    segment without a dot is a folder too (``/bm/fgj`` → ``/bm/fgj/``)."""
    where = _host_port(url)
    if where is None:
        return None
    path = urlsplit(url.strip()).path or "/"
    last = posixpath.basename(path)
    if last and "." not in last:
        path += "/"
    return Prefix(where[0], where[1], path[: path.rindex("/") + 1])


def parse_scope(text: str) -> tuple[str, ...]:
    """The prefixes of a registry ``scope`` value (``|``-separated URLs), blanks dropped."""
    return tuple(part.strip() for part in text.split(SCOPE_SEPARATOR) if part.strip())


def site_prefixes(home_url: str, scope: Sequence[str] = ()) -> tuple[Prefix, ...]:
    """A site's folders: those of ``scope`` when given, else its home URL's folder; () when that is the host's
    root (the site is the whole host)."""
    if scope:
        return tuple(p for p in (folder(u) for u in scope) if p is not None)
    home = folder(home_url)
    return () if home is None or home.path == "/" else (home,)


@dataclass(frozen=True)
class SiteScope:
    """The pages of one site: its home host (and the hosts its home redirects to, checked by the caller), limited
    to ``prefixes`` when there are any, less the ``excluded`` folders of other registry sites."""

    prefixes: tuple[Prefix, ...] = ()
    excluded: tuple[Prefix, ...] = ()

    @property
    def whole_host(self) -> bool:
        return not self.prefixes and not self.excluded

    def holds(self, url: str) -> bool:
        """Whether ``url`` (on one of the site's hosts) is a page of the site. The prefixes restrict the hosts they
        name: on another host of the site (its home page redirected there) every page is the site's."""
        where = _host_port(url)
        restricted = any((p.host, p.port) == where for p in self.prefixes)
        if restricted and not any(p.holds(url) for p in self.prefixes):
            return False
        return not any(e.holds(url) for e in self.excluded)


def nested_scopes(sites: Iterable[tuple[str, str, tuple[str, ...]]]) -> dict[str, SiteScope]:
    """Each site's scope (``sites``: site id, home URL, ``scope`` prefixes), the folders of the other sites of
    the same host that lie inside it excluded."""
    rows = list(sites)
    own = {sid: site_prefixes(home, scope) for sid, home, scope in rows}
    hosts = {sid: _host_port(home) for sid, home, _scope in rows}
    scopes: dict[str, SiteScope] = {}
    for sid, _home, _scope in rows:
        mine = own[sid]
        excluded: list[Prefix] = []
        for other, theirs in own.items():
            if other == sid:
                continue
            for prefix in theirs:
                inside = any(prefix.within(p) for p in mine) if mine else (prefix.host, prefix.port) == hosts[sid]
                if inside and prefix not in excluded:
                    excluded.append(prefix)
        scopes[sid] = SiteScope(mine, tuple(excluded))
    return scopes
