"""A request for a list's data (:mod:`govsites.extract.endpoints`, :mod:`govsites.extract.endpointpages`): its
address, method and body, and the names of the fields that page through a list."""

from __future__ import annotations

from dataclasses import dataclass

#: Field names of a page number, in the order they are preferred (lower case).
PAGE_KEYS = (
    "pageno",
    "pagenum",
    "pageindex",
    "pagenumber",
    "page_no",
    "page_num",
    "page_index",
    "currentpage",
    "curpage",
    "cur_page",
    "page",
    "current",
    "pn",
    "p",
)
#: Field names of a record offset (lower case).
OFFSET_KEYS = ("start", "offset", "skip", "from")
#: Field names of a page size (lower case).
SIZE_QUERY_KEYS = ("pagesize", "page_size", "size", "rows", "limit", "length", "perpage", "per_page", "ps")
#: Every field that pages through a list: the same on every column's first page.
PAGING_KEYS = frozenset(PAGE_KEYS + OFFSET_KEYS + SIZE_QUERY_KEYS + ("startrecord", "endrecord"))


@dataclass(frozen=True)
class Endpoint:
    """One request for a list's data: what a rendered page's script sent, or what a rule names for a raw page.

    ``body``: a POST's text (a form's ``k=v&…`` or JSON); ``content_type`` as the script declared it (a form's
    when it declared none); ``opaque``: the page sent a body that is not text (``FormData``, a ``Blob``), which
    cannot be sent again.
    """

    url: str
    method: str = "GET"
    body: str = ""
    content_type: str = ""
    opaque: bool = False

    @property
    def key(self) -> str:
        """One name per endpoint (claimed once per site; logs)."""
        return self.url if self.method == "GET" else f"{self.method} {self.url} {self.body}"

    @property
    def is_json(self) -> bool:
        """The body is a JSON document (declared so, or written as an object or array)."""
        return "json" in self.content_type.lower() or self.body.lstrip().startswith(("{", "["))

    def headers(self) -> dict[str, str]:
        """The headers a plain request sends with the body (its type, as the page declared it)."""
        if self.method == "GET":
            return {}
        kind = self.content_type or (
            "application/json" if self.is_json else "application/x-www-form-urlencoded; charset=UTF-8"
        )
        return {"Content-Type": kind, "X-Requested-With": "XMLHttpRequest"}


def as_endpoint(fetched: Endpoint | str) -> Endpoint:
    return fetched if isinstance(fetched, Endpoint) else Endpoint(fetched)
