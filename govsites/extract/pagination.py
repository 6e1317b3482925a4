"""Pagination: the next pages of a list (TRS ``createPageHTML`` / ``countPage`` scripts, pager links,
Hanweb ``dataproxy.jsp`` record ranges) and whether a page shows a pager at all."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from lxml import etree

from govsites.extract.dom import absolute, classes, in_side_region
from govsites.extract.text import collapse, element_text, text_lines

#: at most this many next pages are followed from one list page
MAX_NEXT_PAGES = 5

_NEXT_TEXT = re.compile(r"^(?:下一页|下页|后一页|next|>|»|>>)$", re.IGNORECASE)
_CREATE_PAGE = re.compile(
    r"createPageHTML\(\s*['\"]?(\d+)['\"]?\s*,\s*['\"]?(\d+)['\"]?\s*,\s*['\"]([\w\-.]+)['\"]\s*,\s*['\"](\w+)['\"]"
)
_COUNT_PAGE = re.compile(r"\bvar\s+countPage\s*=\s*['\"]?(\d+)")
_CURRENT_PAGE = re.compile(r"\bvar\s+currentPage\s*=\s*['\"]?(\d+)")
_PAGE_PARAM = re.compile(
    r"[?&](?:page|pageno|pagenum|pageindex|cur_page|curpage|p|pn|pageNo|pageNum)=(\d+)", re.IGNORECASE
)
_PAGE_FILE = re.compile(r"(?:_|-)(\d{1,4})\.s?html?$")
_PAGER_CLASS = re.compile(r"page|pager|pagination|fenye|pagebar|turn|pg", re.IGNORECASE)
_PAGER_WORDS = re.compile(
    r"共\s*\d+\s*(?:页|条|篇)|第?\s*\d+\s*/\s*\d+\s*页|首页.{0,40}(?:尾页|末页)|上一页.{0,30}下一页"
)


def _trs_pages(count: int, current: int, name: str, ext: str, base: str) -> list[str]:
    out = []
    for k in range(current + 1, min(count, current + 1 + MAX_NEXT_PAGES)):
        link = absolute(f"{name}_{k}.{ext}", base)
        if link:
            out.append(link)
    return out


def next_pages(raw: str, root: etree._Element, base: str, url: str) -> list[str]:
    """The next pages of a list page: from a TRS pager script in ``raw`` (the page's html), else from
    numbered / 下一页 links of ``root``; at most `MAX_NEXT_PAGES`, in page order."""
    for match in _CREATE_PAGE.finditer(raw):
        count, current, name, ext = int(match.group(1)), int(match.group(2)), match.group(3), match.group(4)
        return _trs_pages(count, current, name, ext, base)
    count_match = _COUNT_PAGE.search(raw)
    if count_match:
        current_match = _CURRENT_PAGE.search(raw)
        current = int(current_match.group(1)) if current_match else 0
        name_match = re.search(r"""["'](\w+)["']\s*\+\s*["']_["']""", raw)
        ext_match = re.search(r"""\+\s*["']\.?["']\s*\+\s*["'](s?html?)\\?["']""", raw)
        return _trs_pages(
            int(count_match.group(1)),
            current,
            name_match.group(1) if name_match else "index",
            ext_match.group(1) if ext_match else "html",
            base,
        )
    found: list[tuple[int, str]] = []
    here = url.split("#", maxsplit=1)[0]
    for anchor in root.iter("a"):
        link = absolute(anchor.get("href") or "", base)
        if link is None or link == here:
            continue
        text = collapse(anchor.text_content())
        number: int | None = None
        param = _PAGE_PARAM.search(link)
        page_file = _PAGE_FILE.search(urlsplit(link).path)
        if text.isdigit() and len(text) <= 4 and (param or page_file or _in_pager(anchor)):
            number = int(text)
        elif _NEXT_TEXT.match(text):
            number = 10_000
        elif param and _in_pager(anchor):
            number = int(param.group(1))
        if number is None or number == 1:
            continue
        if all(link != existing for _, existing in found):
            found.append((number, link))
    found.sort(key=lambda pair: pair[0])
    return [link for _, link in found][:MAX_NEXT_PAGES]


def _in_pager(anchor: etree._Element) -> bool:
    node = anchor.getparent()
    for _ in range(4):
        if node is None:
            return False
        if re.search(r"page|pager|pagination|fenye|fy|pagebar|turn", classes(node), re.IGNORECASE):
            return True
        node = node.getparent()
    return False


def dataproxy_next(url: str, total: int) -> list[str]:
    """The next record ranges of a Hanweb ``dataproxy.jsp?startrecord=…&endrecord=…`` URL, up to ``total``."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return []
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    try:
        start, end = int(query["startrecord"]), int(query["endrecord"])
    except (KeyError, ValueError):
        return []
    span = end - start + 1
    out: list[str] = []
    while end < total and span > 0 and len(out) < MAX_NEXT_PAGES:
        start, end = end + 1, min(end + span, total)
        query.update(startrecord=str(start), endrecord=str(end))
        out.append(urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), "")))
    return out


def has_pager(root: etree._Element) -> bool:
    """A pagination bar (class page/pager/fenye, or 共N页 / 首页…尾页 wording): the page is a list page."""
    for el in root.iter("div", "p", "td", "span", "ul", "center", "form"):
        if _PAGER_CLASS.search(classes(el)) and len(element_text(el)) <= 200 and not in_side_region(el):
            return True
    body = root.find("body")
    lines = text_lines(body if body is not None else root)
    return any(len(line) <= 120 and _PAGER_WORDS.search(line) for line in lines)
