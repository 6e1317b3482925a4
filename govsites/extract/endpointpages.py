"""The further pages of a list's data endpoint (:mod:`govsites.extract.endpoints`).

An endpoint that serves a list a page at a time says so in its answer and takes the page in its query:

- **the answer** states a page count (``pageCount``, ``totalPage``, ``totalPages``, ``pages``), a total of items
  (``total``, ``totalCount``, ``totalElements``, ``recordsTotal``, ``count``) with a page size (``pageSize``,
  ``size``, ``rows``, ``limit``; else the size the query asked for, else the items this answer holds), or a flag
  (``hasNext``, ``hasNextPage``, ``hasMore``; ``isLastPage``, ``lastPage``, ``last``): at its top or in an object
  nested in it (``data``, ``page``, ``pageInfo``), never inside the list itself. Numbers written as strings count;
- **the query** holds the page: a page number (``page``, ``pageNo``, ``pageNum``, ``pageIndex``, ``current``,
  ``curPage``, ``pn``, ``p``), incremented, or a record offset (``start``, ``offset``, ``skip``, ``from``), advanced
  by the page size. Every other byte of the address is kept. A POST's body holds them when its query does not:
  a form's field or a JSON object's top-level member (a number stays a number, a string a string). When neither
  does, **a path segment** may (``/api/list/tzgg/1``, ``/news/12/page/1.json``): the last number segment that
  equals the page the answer says it is (``pageNum``, ``current``, ``number`` …), with nothing but numbers (a page
  size) after it, else a number segment that follows a segment named like a page (``/page/1``, ``/p/1``). A bare
  number is not taken for the page on its own: it may be the column's or the site's id (``/api/site/1/list``), and
  its "next pages" would be other lists.

As from an HTML list's pager (:func:`govsites.extract.pagination.next_pages`, ``dataproxy_next``), at most
:data:`~govsites.extract.pagination.MAX_NEXT_PAGES` next pages are named from one answer, none past the end it
states; a flag alone names the one next page; an answer that states nothing, or holds no items, names none.
Pages are counted from 1 whatever the query's own numbering (``pageIndex=0`` is page 1).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from urllib.parse import unquote_plus, urlsplit, urlunsplit

from govsites.extract.datarequest import OFFSET_KEYS, PAGE_KEYS, SIZE_QUERY_KEYS, Endpoint
from govsites.extract.pagination import MAX_NEXT_PAGES
from govsites.extract.scriptdata import lenient_json

#: Answer keys (lower case), each kind in the order it is preferred.
_PAGES = ("pagecount", "totalpage", "totalpages", "total_page", "total_pages", "pagetotal", "totalpagecount", "pages")
_TOTAL = (
    "total",
    "totalcount",
    "total_count",
    "totalelements",
    "recordstotal",
    "totalrecord",
    "totalrecords",
    "totalnum",
    "totalsize",
    "totalrow",
    "totalrows",
    "rowcount",
    "recordcount",
    "count",
)
_SIZE = ("pagesize", "page_size", "size", "limit", "rows", "perpage", "per_page", "numperpage")
_MORE = ("hasnext", "hasnextpage", "has_next", "hasmore", "has_more")
#: The page an answer says it is (Spring's ``number`` counts from 0).
_CURRENT = ("pagenum", "pageno", "pageindex", "pagenumber", "currentpage", "curpage", "current", "page", "number")
_LAST = ("islastpage", "is_last_page", "lastpage", "last", "islast", "is_last")

_JSONP = re.compile(r"^\s*[\w$.]+\s*\(\s*(.*?)\s*\)\s*;?\s*$", re.DOTALL)
#: Objects of an answer searched for what it says about its pages (its top, then nested objects, breadth first).
_MAX_OBJECTS = 32
_MAX_DEPTH = 3


@dataclass(frozen=True)
class Paging:
    """What an endpoint's answer states about its pages; None where it states nothing."""

    pages: int | None = None
    total: int | None = None
    size: int | None = None
    more: bool | None = None  # a flag: True, more pages follow; False, this is the last
    current: int | None = None  # the page the answer says it is, as it numbers its pages

    def last_page(self, size: int | None) -> int | None:
        """The number of the list's last page: the page count, else the total over the page size (``size`` when
        the answer states none)."""
        if self.pages is not None:
            return self.pages
        size = self.size or size
        if self.total is not None and size:
            return math.ceil(self.total / size)
        return None


def _number(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _flag(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return None


def _objects(answer: object) -> Iterator[dict[str, object]]:
    """The answer's objects, breadth first: its top, then the objects nested in it (not those in lists)."""
    level = [answer] if isinstance(answer, dict) else []
    seen = 0
    for _ in range(_MAX_DEPTH):
        nested: list[dict[str, object]] = []
        for obj in level:
            seen += 1
            if seen > _MAX_OBJECTS:
                return
            yield obj
            nested.extend(value for value in obj.values() if isinstance(value, dict))
        level = nested


def _parse(text: str) -> object | None:
    text = text.lstrip("\ufeff").strip()
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        pass
    wrapped = _JSONP.match(text)  # JSONP: callback({...});
    return lenient_json(wrapped.group(1) if wrapped else text)


def paging(text: str) -> Paging:
    """What an endpoint's answer (JSON or JSONP) states about its pages."""
    found: dict[str, object] = {}
    for obj in _objects(_parse(text)):
        for key, value in obj.items():
            found.setdefault(str(key).lower(), value)

    def number(keys: tuple[str, ...]) -> int | None:
        return next((n for n in (_number(found[k]) for k in keys if k in found) if n is not None), None)

    def flag(keys: tuple[str, ...]) -> bool | None:
        return next((f for f in (_flag(found[k]) for k in keys if k in found) if f is not None), None)

    more, last = flag(_MORE), flag(_LAST)
    size = number(_SIZE)
    return Paging(
        pages=number(_PAGES),
        total=number(_TOTAL),
        size=size or None,
        more=more if more is not None or last is None else not last,
        current=number(_CURRENT),
    )


@dataclass(frozen=True)
class _Field:
    where: str  # "query", "form" (a POST's form body), "json" (a POST's JSON object) or "path" (a segment)
    raw: str  # the name as written (a path segment: its index in the path's "/"-split)
    value: int
    text: bool = False  # a JSON member written as a string


def _query_key(query: str, keys: tuple[str, ...], where: str = "query") -> _Field | None:
    """The first of ``keys`` (by preference) that the query (or form) holds with a number."""
    held: dict[str, _Field] = {}
    for pair in query.split("&"):
        name, _eq, value = pair.partition("=")
        lowered = unquote_plus(name).lower()
        if lowered in keys and value.isdigit():
            held.setdefault(lowered, _Field(where, name, int(value)))
    return next((held[key] for key in keys if key in held), None)


def _json_object(body: str) -> dict[str, object] | None:
    try:
        data = json.loads(body)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _json_key(body: str, keys: tuple[str, ...]) -> _Field | None:
    data = _json_object(body)
    if data is None:
        return None
    held: dict[str, _Field] = {}
    for name, value in data.items():
        number = _number(value)
        if number is not None:
            held.setdefault(name.lower(), _Field("json", name, number, isinstance(value, str)))
    return next((held[key] for key in keys if key in held), None)


def _field(endpoint: Endpoint, keys: tuple[str, ...]) -> _Field | None:
    """Where ``endpoint`` holds the first of ``keys``: its query, else a POST's body."""
    found = _query_key(urlsplit(endpoint.url).query, keys)
    if found is not None or endpoint.method == "GET":
        return found
    return _json_key(endpoint.body, keys) if endpoint.is_json else _query_key(endpoint.body, keys, "form")


#: A path segment that is a number, maybe with an extension (``1``, ``1.json``).
_NUMBER_SEGMENT = re.compile(r"^(\d{1,6})(\.[a-z]{2,5})?$", re.IGNORECASE)
#: Path segments that name the page number after them (``/page/2``).
_PAGE_SEGMENTS = frozenset({*PAGE_KEYS, "pages"})


def _path_field(endpoint: Endpoint, stated: Paging) -> _Field | None:
    """The path segment that holds the page (module docstring), or None."""
    segments = urlsplit(endpoint.url).path.split("/")
    numbers = [(i, int(m.group(1))) for i, m in enumerate(map(_NUMBER_SEGMENT.match, segments)) if m]
    if stated.current is not None:
        tail = len(segments)  # where the path's trailing number segments begin
        while tail > 0 and _NUMBER_SEGMENT.match(segments[tail - 1]):
            tail -= 1
        found = [(i, n) for i, n in numbers if n == stated.current and i >= tail]
        if found:
            return _Field("path", str(found[-1][0]), found[-1][1])
    named = [(i, n) for i, n in numbers if i > 0 and segments[i - 1].lower() in _PAGE_SEGMENTS]
    return _Field("path", str(named[-1][0]), named[-1][1]) if named else None


def _replaced(query: str, key: str, value: int) -> str:
    return "&".join(f"{key}={value}" if pair.partition("=")[0] == key else pair for pair in query.split("&"))


def _with_value(endpoint: Endpoint, field: _Field, value: int) -> Endpoint:
    if field.where == "path":
        parts = urlsplit(endpoint.url)
        segments = parts.path.split("/")
        at = int(field.raw)
        segments[at] = _NUMBER_SEGMENT.sub(lambda m: f"{value}{m.group(2) or ''}", segments[at])
        return replace(endpoint, url=urlunsplit((parts.scheme, parts.netloc, "/".join(segments), parts.query, "")))
    if field.where == "query":
        parts = urlsplit(endpoint.url)
        url = urlunsplit((parts.scheme, parts.netloc, parts.path, _replaced(parts.query, field.raw, value), ""))
        return replace(endpoint, url=url)
    if field.where == "form":
        return replace(endpoint, body=_replaced(endpoint.body, field.raw, value))
    data = _json_object(endpoint.body) or {}
    data[field.raw] = str(value) if field.text else value
    return replace(endpoint, body=json.dumps(data, ensure_ascii=False, separators=(",", ":")))


@dataclass(frozen=True)
class NextPages:
    """What one answer of a list's data endpoint says of the list's next pages (:func:`next_endpoint_requests`)."""

    #: (page number from 1, request), in page order
    requests: list[tuple[int, Endpoint]] = field(default_factory=list)
    #: the answer states further pages, but the request holds no page number or offset to move: not read (to be said)
    unaddressed: bool = False
    #: the page was guessed in the path: how the answer numbers its pages against ours (the page it says it is,
    #: less ours), for each next page's answer to be checked against (a number moved that was an id, not a page)
    base: int | None = None


def next_endpoint_requests(endpoint: Endpoint, text: str, read: int, page: int = 1) -> NextPages:
    """The next pages of a list's data endpoint: ``endpoint`` was asked and answered ``text``, which held ``read``
    items of the list and was its page ``page`` (from 1).

    None when the answer holds no items or states no further page; none either, but ``unaddressed``, when the
    request holds no page number or record offset to move on; at most :data:`MAX_NEXT_PAGES`, none past the last
    page the answer states.
    """
    if read <= 0 or page < 1:
        return NextPages()
    stated = paging(text)
    numbered = _field(endpoint, PAGE_KEYS)
    offset = None if numbered is not None else _field(endpoint, OFFSET_KEYS)
    base = None
    if numbered is None and offset is None:
        numbered = _path_field(endpoint, stated)
        base = None if numbered is None or stated.current is None else stated.current - page
    if stated.more is False:
        return NextPages()
    asked = _field(endpoint, SIZE_QUERY_KEYS)
    size = stated.size or (asked.value if asked is not None and asked.value > 0 else None) or read
    last = stated.last_page(size)
    if last is not None:
        following = range(page + 1, min(last, page + MAX_NEXT_PAGES) + 1)
    elif stated.more:
        following = range(page + 1, page + 2)
    else:
        return NextPages()
    if numbered is not None:
        requests = [(n, _with_value(endpoint, numbered, numbered.value + n - page)) for n in following]
        return NextPages(requests, base=base)
    if offset is not None:
        return NextPages([(n, _with_value(endpoint, offset, offset.value + (n - page) * size)) for n in following])
    return NextPages(unaddressed=bool(following))
