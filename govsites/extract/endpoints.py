"""Data endpoints of script-filled lists: learned from one rendered page, read with plain requests elsewhere.

A list that a script fills from a JSON endpoint costs a browser render. A site builds such lists from one
template, so once a rendered page shows which endpoint its script fetched, the site's other column pages name
theirs the same way:

- **in their script source** (``fetch('/api/list?col=tzgg')``, ``url: "/common/list.json?channelId=123"``): a
  literal with the endpoint's path and query keys; what the script adds to it (``&page=1``) is added too, bar
  cache busters (``_=1733300000000``);
- **through their own address** (``/xxgk/tzgg/index.html`` fetches ``/api/list?col=tzgg&size=20``): the
  endpoint's path segments and query values that repeat a segment or query value of the page's URL are filled
  from the new page's URL, the rest kept;
- **through a value their scripts assign** (``var channelId = "a1b2";`` or ``columnid: 1234`` beside a fetch of
  ``/api/list`` with ``channelId=a1b2``): filled from what the new page's inline scripts assign to the same name.

An endpoint asked with POST (jQuery's ``$.post``, axios, ``fetch`` with a body; Hanweb's ``dataproxy.jsp``) is
learned with its body: a form (``columnid=1234&pageNo=1``) or a JSON object (``{"channelId": "a1b2"}``), whose
values are filled as a query's are. A body the page sent that is not text (``FormData``, a ``Blob``) cannot be
sent again: such a request teaches nothing and is counted by the spider.

:func:`learn` turns what a rendered page fetched into :class:`EndpointRule` s, `endpoints_for` applies them
to a raw page, and :func:`json_entries` reads an endpoint's answer with the same reader as lists written into
scripts (:func:`govsites.extract.scriptdata.json_lists`). A rule can be wrong (the endpoint filled a widget,
not the list): the spider renders the page when the answer holds no list, and drops a rule that keeps failing.
An answer that says further pages follow names them (:mod:`govsites.extract.endpointpages`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from urllib.parse import parse_qsl, quote_plus, unquote, urldefrag, urlencode, urlsplit, urlunsplit

from govsites.extract.datarequest import PAGING_KEYS, Endpoint, as_endpoint
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
#: A placeholder: ``{sN}``, the N-th path segment from the end of the page's URL; ``{q:key}``, a query value of
#: the page's URL; ``{v:name}``, the value the page's inline scripts assign to ``name``.
_PLACEHOLDER = re.compile(r"\{(s\d+|[qv]:[^}]+)\}")
#: A value a script may assign that can name a list (an id or a code: no spaces, quotes or markup).
_SCRIPT_VALUE = r"[A-Za-z0-9_.\-]+"
#: Methods whose requests are learned (a GET's address, a POST's address and body).
LEARNED_METHODS = frozenset({"GET", "POST"})
#: A JSON number that a placeholder fills (marked while the template is written, unquoted after).
_NUMBER_MARK = "\x00n"


@dataclass(frozen=True)
class EndpointRule:
    """How one site's column pages name their list's endpoint.

    ``source`` "script": a literal in the page's scripts with path ``path`` and query keys ``keys``, to which
    ``extra`` (query pairs the script adds) is appended. ``source`` "url": ``template``, an absolute URL with
    placeholders (see :data:`_PLACEHOLDER`) filled from the page's own URL and scripts. ``method``, ``body`` (a
    template as ``template`` is) and ``content_type``: a POST's. ``own``: the endpoint it was learned from
    repeated a value of its page's address (the page's own list, not a widget's data); such rules are tried
    first.
    """

    source: str
    path: str = ""
    keys: tuple[str, ...] = ()
    extra: tuple[tuple[str, str], ...] = ()
    template: str = ""
    own: bool = False
    method: str = "GET"
    body: str = ""
    content_type: str = ""

    @property
    def key(self) -> str:
        """One name per rule (stats, logs and the spider's success counts)."""
        if self.source == "script":
            name = f"script {self.path}" + (f"?{'&'.join(self.keys)}" if self.keys else "")
        else:
            name = f"url {self.template}"
        return name if self.method == "GET" else f"{name} {self.method} {self.body}"


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


def _assignment(name: str, value: str = _SCRIPT_VALUE) -> re.Pattern[str]:
    """``name`` given ``value`` in a script: ``name = "v"``, ``name: v``, ``"name": "v"``, ``?name=v&``."""
    return re.compile(rf"""(?<![\w$.])(["']?)({name})\1\s*[:=]\s*["']?({value})(?![\w.\-])""")


_ANY_ASSIGNMENT = r"[A-Za-z_$][\w$]*"


def assigned_name(value: str, scripts: Iterable[str]) -> str | None:
    """The name the first inline script assigning ``value`` gives it (None when none does, or ``value`` is not
    an id or a code a script could assign)."""
    if len(value) < 2 or not re.fullmatch(_SCRIPT_VALUE, value):
        return None
    pattern = _assignment(_ANY_ASSIGNMENT, re.escape(value))
    for script in scripts:
        match = pattern.search(script)
        if match:
            return match.group(2)
    return None


def assigned_value(name: str, scripts: Iterable[str]) -> str | None:
    """What the first inline script assigning ``name`` gives it."""
    pattern = _assignment(re.escape(name))
    for script in scripts:
        match = pattern.search(script)
        if match:
            return match.group(3)
    return None


def _endpoint_candidate(fetched: Endpoint, page_url: str) -> bool:
    parts, page = urlsplit(fetched.url), urlsplit(page_url)
    return (
        fetched.method in LEARNED_METHODS
        and not fetched.opaque
        and parts.scheme in ("http", "https")
        and parts.netloc.lower() == page.netloc.lower()
        and not _STATIC.search(parts.path)
        and (fetched.method != "GET" or urldefrag(fetched.url).url != urldefrag(page_url).url)
    )


class _Filler:
    """Turns the values of an endpoint learned on one page into placeholders (:data:`_PLACEHOLDER`)."""

    def __init__(self, page_url: str, scripts: list[str]) -> None:
        segments = _segments(page_url)
        self.from_end = {seg: f"{{s{len(segments) - i}}}" for i, seg in enumerate(segments) if len(seg) >= 2}
        self.page_query = {v: f"{{q:{k}}}" for k, v in parse_qsl(urlsplit(page_url).query) if len(v) >= 2}
        self.scripts = scripts

    def from_address(self, value: str) -> str:
        return self.from_end.get(value) or self.page_query.get(value) or value

    def __call__(self, key: str, value: str) -> str:
        """The placeholder for ``key``'s ``value``: the page's address first, then its scripts; else ``value``
        itself, as for a page number or size (:data:`PAGING_KEYS`), which is the same on every page."""
        filled = self.from_address(value)
        if filled != value or key.lower() in PAGING_KEYS:
            return filled
        name = assigned_name(value, self.scripts)
        return f"{{v:{name}}}" if name else value


def _form_template(body: str, fill: Callable[[str, str], str]) -> str:
    return "&".join(
        f"{quote_plus(k)}={filled if (filled := fill(k, v)) != v else quote_plus(v)}" for k, v in _stable_query(body)
    )


def _json_template(body: str, fill: Callable[[str, str], str]) -> str:
    """A JSON object's top-level strings and numbers filled; anything else (or a body that is not an object) as
    the page sent it."""
    try:
        data = json.loads(body)
    except ValueError:
        return body
    if not isinstance(data, dict):
        return body
    out: dict[str, object] = {}
    for key, value in data.items():
        if isinstance(value, str):
            out[key] = fill(key, value)
        elif isinstance(value, int) and not isinstance(value, bool):
            filled = fill(key, str(value))
            out[key] = value if filled == str(value) else _NUMBER_MARK + filled
        else:
            out[key] = value
    text = json.dumps(out, ensure_ascii=False, separators=(",", ":"))
    return re.sub(r'"\\u0000n(\{[^}"]+\})"', r"\1", text)


def _body_template(fetched: Endpoint, fill: Callable[[str, str], str]) -> str:
    if fetched.method == "GET":
        return ""
    return _json_template(fetched.body, fill) if fetched.is_json else _form_template(fetched.body, fill)


def _script_rule(fetched: Endpoint, page_url: str, literals: list[str], fill: _Filler) -> EndpointRule | None:
    parts = urlsplit(fetched.url)
    asked = _stable_query(parts.query)
    for literal in literals:
        lit = urlsplit(literal)
        if (lit.scheme, lit.netloc.lower(), lit.path) != (parts.scheme, parts.netloc.lower(), parts.path):
            continue
        written = parse_qsl(lit.query, keep_blank_values=True)
        if not set(written) <= set(asked) and written:
            continue
        extra = tuple(pair for pair in asked if pair not in written)
        path = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
        keys = tuple(sorted({k for k, _ in written}))
        body = _body_template(fetched, fill)
        return EndpointRule(
            "script",
            path=path,
            keys=keys,
            extra=extra,
            own=_names_page(fetched, page_url),
            method=fetched.method,
            body=body,
            content_type=fetched.content_type,
        )
    return None


def _url_rule(fetched: Endpoint, page_url: str, fill: _Filler) -> EndpointRule | None:
    parts = urlsplit(fetched.url)
    path = "/".join(fill.from_address(seg) for seg in parts.path.split("/"))
    query = "&".join(f"{k}={fill(k, v)}" for k, v in _stable_query(parts.query))
    template = urlunsplit((parts.scheme, parts.netloc, path, query, ""))
    body = _body_template(fetched, fill)
    if not _PLACEHOLDER.search(template + body):
        return None  # the same request on every page: a widget's data, not a column's own list
    own = any(kind[0] in "sq" for kind in _PLACEHOLDER.findall(template + body))
    return EndpointRule(
        "url", template=template, own=own, method=fetched.method, body=body, content_type=fetched.content_type
    )


def _names_page(fetched: Endpoint, page_url: str) -> bool:
    """The endpoint repeats a segment or query value of the page's address (it is the page's own list)."""
    tokens = {seg for seg in _segments(page_url) if len(seg) >= 2}
    tokens |= {v for _, v in parse_qsl(urlsplit(page_url).query) if len(v) >= 2}
    parts = urlsplit(fetched.url)
    values = {seg for seg in parts.path.split("/") if seg} | {v for _, v in parse_qsl(parts.query)}
    if fetched.method != "GET":
        values |= {v for _, v in parse_qsl(fetched.body)} | set(_json_values(fetched.body))
    return bool(tokens & values)


def _json_values(body: str) -> list[str]:
    try:
        data = json.loads(body)
    except ValueError:
        return []
    if not isinstance(data, dict):
        return []
    return [str(v) for v in data.values() if isinstance(v, (str, int)) and not isinstance(v, bool)]


def learn(page_url: str, scripts: list[str], fetched: list[Endpoint] | list[str]) -> list[EndpointRule]:
    """Rules from the same-site requests a rendered page sent, in the order :func:`endpoints_for` tries them."""
    literals = script_literals(scripts, page_url)
    fill = _Filler(page_url, scripts)
    rules: dict[str, EndpointRule] = {}
    for one in fetched:
        asked = as_endpoint(one)
        if not _endpoint_candidate(asked, page_url):
            continue
        rule = _script_rule(asked, page_url, literals, fill) or _url_rule(asked, page_url, fill)
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


def _filled(template: str, page_url: str, scripts: list[str], json_body: bool = False) -> str | None:
    """``template`` with its placeholders filled from the page's address and scripts; None if one cannot be."""
    segments = _segments(page_url)
    query = dict(parse_qsl(urlsplit(page_url).query))
    missing = False

    def value(match: re.Match[str]) -> str:
        nonlocal missing
        name = match.group(1)
        if name.startswith("q:"):
            found = query.get(name[2:])
            if found and not json_body:
                found = quote_plus(found)
        elif name.startswith("v:"):
            found = assigned_value(name[2:], scripts)
        else:
            index = int(name[1:])
            found = segments[-index] if 0 < index <= len(segments) else None
            if found and json_body:
                found = unquote(found)
        if not found:
            missing = True
            return ""
        return json.dumps(found)[1:-1] if json_body else found

    text = _PLACEHOLDER.sub(value, template)
    if missing:
        return None
    if json_body:
        try:
            json.loads(text)
        except ValueError:
            return None  # a number's placeholder filled with what is not a number
    return text


def endpoints_for(rules: list[EndpointRule], page_url: str, scripts: list[str]) -> list[tuple[EndpointRule, Endpoint]]:
    """The endpoints the rules name for this raw page, each once: the page's own lists first, literals first."""
    literals = script_literals(scripts, page_url)
    found: dict[str, tuple[EndpointRule, Endpoint]] = {}
    for rule in sorted(rules, key=_order):
        url = _from_script(rule, literals) if rule.source == "script" else _filled(rule.template, page_url, scripts)
        if url is None:
            continue
        if rule.method == "GET":
            if urldefrag(url).url != urldefrag(page_url).url:
                found.setdefault(url, (rule, Endpoint(url)))
            continue
        as_json = Endpoint("", body=rule.body, content_type=rule.content_type).is_json
        body = _filled(rule.body, page_url, scripts, json_body=as_json)
        if body is not None:
            endpoint = Endpoint(url, rule.method, body, rule.content_type)
            found.setdefault(endpoint.key, (rule, endpoint))
    return list(found.values())


def json_entries(text: str, page_url: str, as_of: date) -> list[ListEntry]:
    """The longest dated list in an endpoint's answer; item addresses resolve against the page that shows them."""
    lists = json_lists([text], page_url, as_of)
    return max(lists, key=len) if lists else []
