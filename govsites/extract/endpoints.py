"""Data endpoints of script-filled lists: learned from one rendered page, read with plain requests elsewhere.

A list that a script fills from a JSON endpoint costs a browser render. A site builds such lists from one
template, so once a rendered page shows which endpoint its script fetched, the site's other column pages name
theirs the same way:

- **in their script source** (``fetch('/api/list?col=tzgg')``, ``url: "/common/list.json?channelId=123"``): a
  literal with the endpoint's path and query keys; what the script adds to it (``&page=1``) is added too, bar
  cache busters (``_=1733300000000``);
- **through their own address** (``/xxgk/tzgg/index.html`` fetches ``/api/list?col=tzgg&size=20``): the
  endpoint's path segments and query values that repeat a segment or query value of the page's URL are filled
  from the new page's URL, the rest kept.

:func:`learn` turns what a rendered page fetched into :class:`EndpointRule` s, `endpoints_for` applies them
to a raw page, and :func:`json_entries` reads an endpoint's answer with the same reader as lists written into
scripts (:func:`govsites.extract.scriptdata.json_lists`). A rule can be wrong (the endpoint filled a widget,
not the list): the spider renders the page when the answer holds no list, and drops a rule that keeps failing.
An answer that says further pages follow names them (:mod:`govsites.extract.endpointpages`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from urllib.parse import parse_qsl, urldefrag, urlencode, urlsplit, urlunsplit

from govsites.extract.dom import absolute
from govsites.extract.entries import ListEntry
from govsites.extract.scriptdata import json_lists

#: A quoted string in a script that may be an address: no spaces or quotes, with a slash or a query.
_LITERAL = re.compile(r"""(['"])((?:https?://|/|\./|\.\./)?[\w\-.~%/]*(?:/|\?)[^'"\s<>()]*)\1""")
#: Paths that are never a list's data (scripts, styles, pictures, fonts).
_STATIC = re.compile(r"\.(?:js|css|png|jpe?g|gif|svg|ico|woff2?|ttf|eot|map)$", re.IGNORECASE)
#: Query values a script makes up per request (jQuery's ``_=`` cache buster, timestamps, random numbers).
_VOLATILE_KEYS = frozenset({"_", "t", "ts", "timestamp", "rnd", "random", "r", "v", "callback", "jsoncallback"})
_VOLATILE_VALUE = re.compile(r"^(?:\d{10,}|0\.\d{6,})$")
#: A page URL's placeholder: ``{sN}``, the N-th path segment from the end; ``{q:key}``, a query value.
_PLACEHOLDER = re.compile(r"\{(s\d+|q:[^}]+)\}")


@dataclass(frozen=True)
class EndpointRule:
    """How one site's column pages name their list's endpoint.

    ``source`` "script": a literal in the page's scripts with path ``path`` and query keys ``keys``, to which
    ``extra`` (query pairs the script adds) is appended. ``source`` "url": ``template``, an absolute URL with
    placeholders filled from the page's own URL (see :data:`_PLACEHOLDER`). ``own``: the endpoint it was learned
    from repeated a value of its page's address (the page's own list, not a widget's data); such rules are tried
    first.
    """

    source: str
    path: str = ""
    keys: tuple[str, ...] = ()
    extra: tuple[tuple[str, str], ...] = ()
    template: str = ""
    own: bool = False

    @property
    def key(self) -> str:
        """One name per rule (stats, logs and the spider's success counts)."""
        if self.source == "script":
            return f"script {self.path}" + (f"?{'&'.join(self.keys)}" if self.keys else "")
        return f"url {self.template}"


def _segments(url: str) -> list[str]:
    """The path segments of a page URL, its file name left out (``/xxgk/tzgg/index.html`` → xxgk, tzgg)."""
    parts = [p for p in urlsplit(url).path.split("/") if p]
    if parts and "." in parts[-1]:
        parts.pop()
    return parts


def _stable_query(query: str) -> list[tuple[str, str]]:
    return [
        (k, v)
        for k, v in parse_qsl(query, keep_blank_values=True)
        if k.lower() not in _VOLATILE_KEYS and not _VOLATILE_VALUE.match(v)
    ]


def script_literals(scripts: list[str], page_url: str) -> list[str]:
    """Absolute addresses written as string literals in the page's scripts, in order, each once."""
    found: dict[str, None] = {}
    for script in scripts:
        for match in _LITERAL.finditer(script):
            url = absolute(match.group(2), page_url)
            if url is not None and url.startswith(("http://", "https://")):
                found.setdefault(url, None)
    return list(found)


def _endpoint_candidate(url: str, page_url: str) -> bool:
    parts, page = urlsplit(url), urlsplit(page_url)
    return (
        parts.scheme in ("http", "https")
        and parts.netloc.lower() == page.netloc.lower()
        and not _STATIC.search(parts.path)
        and urldefrag(url).url != urldefrag(page_url).url
    )


def _script_rule(url: str, page_url: str, literals: list[str]) -> EndpointRule | None:
    parts = urlsplit(url)
    fetched = _stable_query(parts.query)
    for literal in literals:
        lit = urlsplit(literal)
        if (lit.scheme, lit.netloc.lower(), lit.path) != (parts.scheme, parts.netloc.lower(), parts.path):
            continue
        written = parse_qsl(lit.query, keep_blank_values=True)
        if not set(written) <= set(fetched) and written:
            continue
        extra = tuple(pair for pair in fetched if pair not in written)
        path = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
        keys = tuple(sorted({k for k, _ in written}))
        return EndpointRule("script", path=path, keys=keys, extra=extra, own=_names_page(url, page_url))
    return None


def _url_rule(url: str, page_url: str) -> EndpointRule | None:
    parts = urlsplit(url)
    page = urlsplit(page_url)
    segments = _segments(page_url)
    from_end = {seg: f"{{s{len(segments) - i}}}" for i, seg in enumerate(segments) if len(seg) >= 2}
    page_query = {v: f"{{q:{k}}}" for k, v in parse_qsl(page.query) if len(v) >= 2}

    def fill(value: str) -> str:
        return from_end.get(value) or page_query.get(value) or value

    path = "/".join(fill(seg) for seg in parts.path.split("/"))
    query = "&".join(f"{k}={fill(v)}" for k, v in _stable_query(parts.query))
    template = urlunsplit((parts.scheme, parts.netloc, path, query, ""))
    if not _PLACEHOLDER.search(template):
        return None  # the same address on every page: a widget's data, not a column's own list
    return EndpointRule("url", template=template, own=True)


def _names_page(url: str, page_url: str) -> bool:
    """The endpoint repeats a segment or query value of the page's address (it is the page's own list)."""
    tokens = {seg for seg in _segments(page_url) if len(seg) >= 2}
    tokens |= {v for _, v in parse_qsl(urlsplit(page_url).query) if len(v) >= 2}
    parts = urlsplit(url)
    return bool(tokens & ({seg for seg in parts.path.split("/") if seg} | {v for _, v in parse_qsl(parts.query)}))


def learn(page_url: str, scripts: list[str], fetched: list[str]) -> list[EndpointRule]:
    """Rules from the same-site addresses a rendered page fetched, in the order :func:`endpoints_for` tries them."""
    literals = script_literals(scripts, page_url)
    rules: dict[str, EndpointRule] = {}
    for url in fetched:
        if not _endpoint_candidate(url, page_url):
            continue
        rule = _script_rule(url, page_url, literals) or _url_rule(url, page_url)
        if rule is not None:
            rules.setdefault(rule.key, rule)
    return sorted(rules.values(), key=_order)


def _order(rule: EndpointRule) -> tuple[bool, bool]:
    """The page's own lists first (a widget's data last), then literals in the page's scripts."""
    return (not rule.own, rule.source != "script")


def _from_script(rule: EndpointRule, literals: list[str]) -> str | None:
    for literal in literals:
        parts = urlsplit(literal)
        if urlunsplit((parts.scheme, parts.netloc, parts.path, "", "")) != rule.path:
            continue
        written = parse_qsl(parts.query, keep_blank_values=True)
        if tuple(sorted({k for k, _ in written})) != rule.keys:
            continue
        pairs = written + [pair for pair in rule.extra if pair[0] not in {k for k, _ in written}]
        return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(pairs), ""))
    return None


def _from_url(rule: EndpointRule, page_url: str) -> str | None:
    segments = _segments(page_url)
    query = dict(parse_qsl(urlsplit(page_url).query))
    missing = False

    def value(match: re.Match[str]) -> str:
        nonlocal missing
        name = match.group(1)
        if name.startswith("q:"):
            found = query.get(name[2:])
        else:
            index = int(name[1:])
            found = segments[-index] if 0 < index <= len(segments) else None
        if not found:
            missing = True
            return ""
        return found

    url = _PLACEHOLDER.sub(value, rule.template)
    return None if missing else url


def endpoints_for(rules: list[EndpointRule], page_url: str, scripts: list[str]) -> list[tuple[EndpointRule, str]]:
    """The endpoints the rules name for this raw page, each once: the page's own lists first, literals first."""
    literals = script_literals(scripts, page_url)
    found: dict[str, EndpointRule] = {}
    for rule in sorted(rules, key=_order):
        url = _from_script(rule, literals) if rule.source == "script" else _from_url(rule, page_url)
        if url is not None and urldefrag(url).url != urldefrag(page_url).url:
            found.setdefault(url, rule)
    return [(rule, url) for url, rule in found.items()]


def json_entries(text: str, page_url: str, as_of: date) -> list[ListEntry]:
    """The longest dated list in an endpoint's answer; item addresses resolve against the page that shows them."""
    lists = json_lists([text], page_url, as_of)
    return max(lists, key=len) if lists else []
