"""Item and group finding: the generic list detector every list and block extractor builds on.

Every title link climbs to the largest ancestor that holds no other title link: that ancestor is the
link's *item* (`Item`). Items that share a parent element form a *group* (`Group`). Tables whose header row
names a date column (发布日期) are read by `table_groups`, one group per table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from lxml import etree

from govsites.extract.dates import date_from_url, find_dates, find_dates_at, year_guessed
from govsites.extract.dom import (
    MORE_TEXT,
    PAGER_TEXT,
    absolute,
    in_side_region,
    is_element,
    is_hidden,
    nearest,
    title_of,
)
from govsites.extract.entries import ListEntry
from govsites.extract.text import collapse, element_text

#: a link to a column index page (/, index.html, index_2.html, default.htm, Hanweb /col/col123/)
_COLUMN_INDEX = re.compile(r"(?:/|/index(?:_\d+)?\.s?html?|/default\.s?html?|/col/col\d+/?)(?:[?#].*)?$", re.I)
_PINNED = re.compile(r"置顶|\[顶\]|【顶】|^顶[:：\s]")


class Item:
    """One list item: its element, title link, title, URL and dates.

    ``text_date`` is the date shown in the item's text (outside the title, or date-only children of the
    link), ``url_date`` the date in its URL (TRS ``t20151201_1.html``, Hanweb ``/art/2015/12/1/``); dates
    after ``as_of`` are dropped.

    ``pinned=None`` leaves the 置顶 test (which may also trim the title) to the first read of ``title`` or
    ``pinned``: column discovery reads the groups of every menu on a page and asks neither. The item's
    tree must not change in between (the trees `collect_groups` reads are not changed afterwards).
    """

    __slots__ = ("_pinned", "_title", "anchor", "el", "text_date", "url", "url_date")

    def __init__(
        self,
        el: etree._Element,
        anchor: etree._Element,
        title: str,
        url: str,
        text_date: date | None,
        url_date: date | None,
        pinned: bool | None,
    ) -> None:
        self.el = el
        self.anchor = anchor
        self._title = title
        self.url = url
        self.text_date = text_date
        self.url_date = url_date
        self._pinned = pinned

    @property
    def title(self) -> str:
        if self._pinned is None:
            self._settle_pinned()
        return self._title

    @property
    def pinned(self) -> bool:
        if self._pinned is None:
            self._settle_pinned()
        return bool(self._pinned)

    def _settle_pinned(self) -> None:
        item_el, title = self.el, self._title
        item_text = element_text(item_el)
        pinned = (
            bool(_PINNED.search(item_text.replace(title, "")))
            or any(
                "top" in (img.get("src") or "").lower() or "zhiding" in (img.get("src") or "").lower()
                for img in item_el.iter("img")
            )
            or bool(re.search(r"(?:^|\s)(?:top|zhiding|zd)(?:$|\s)", item_el.get("class") or ""))
        )
        if pinned and _PINNED.match(title):
            title = _PINNED.sub("", title, count=1).strip(" :：-")
        self._title, self._pinned = title, pinned

    def entry(self) -> ListEntry:
        """The item as a list entry: the text date first ("list"), else the URL date ("url")."""
        if self.text_date is not None:
            guessed = year_guessed(element_text(self.el), self.text_date)
            return ListEntry(self.title, self.url, self.text_date, "list", self.pinned, year_guessed=guessed)
        if self.url_date is not None:
            return ListEntry(self.title, self.url, self.url_date, "url", self.pinned)
        return ListEntry(self.title, self.url, None, "", self.pinned)


@dataclass
class Group:
    """Items that share a parent element: a candidate list.

    Acceptance (`accepted`): a group is a dated list when at least half of its items show a date in
    their text (and at least one does), or, failing that, when at least 2 items and 60 % of them carry a
    date in their URL. Navigation menus, footers and link boxes have no dates and are not accepted.

    Score (`score`): the number of text-dated items, or 0.9 per URL-dated item when that is more (a date
    the visitor sees beats one only the URL holds); a group in a side region (nav, footer, aside, a
    related/hot/links box) counts 0.3 of that, so a full side box loses to a shorter main list. The list
    extractor also weighs a table read through its 发布日期 header 1.2 times.

    Undated lists (`undated_list`): with no accepted group a page may still list articles without dates:
    at least 2 items, outside side regions and visible, titles 8 characters long on average, and fewer
    than half of the links leading to column index pages (what navigation menus link to).
    """

    parent: etree._Element
    items: list[Item] = field(default_factory=list)
    header: bool = False  # a table read through its 发布日期 header column

    @property
    def text_dated(self) -> int:
        return sum(1 for item in self.items if item.text_date is not None)

    @property
    def url_dated(self) -> int:
        return sum(1 for item in self.items if item.url_date is not None)

    def accepted(self) -> bool:
        n = len(self.items)
        if n == 0:
            return False
        if self.text_dated >= 1 and self.text_dated * 2 >= n:
            return True
        return self.url_dated >= 2 and self.url_dated * 10 >= 6 * n

    def score(self) -> float:
        base = max(self.text_dated, 0.9 * self.url_dated)
        return base * (0.3 if in_side_region(self.parent) else 1.0)

    def undated_list(self, min_items: int = 2) -> bool:
        """A list with no dates anywhere: title-like links to leaf pages in the main content area.

        Navigation menus also repeat links, so they are told apart by short names and links to column
        index pages; side boxes (related, hot, friendly links) are left out. ``min_items=1``: a part of a list
        split over containers (its last part may hold one item).
        """
        n = len(self.items)
        if n < max(1, min_items) or in_side_region(self.parent) or is_hidden(self.parent):
            return False
        titles = [len(item.title) for item in self.items]
        if sum(titles) / n < 8:
            return False
        indexes = sum(1 for item in self.items if _COLUMN_INDEX.search(item.url))
        return indexes * 2 < n


#: a per-item "details" link whose own text is no title (the title is plain text in the item)
_DETAIL_TEXT = re.compile(
    r"^[\[【(（<]?\s*(?:详细|详情|查看详情|查看全文|详细内容|详细信息|阅读全文|全文|点击查看|查看|more|MORE|More)"
    r"\s*(?:[>》»＞]+)?\s*[\]】)）>]?$"
)


def _title_anchors(root: etree._Element, base: str) -> list[tuple[etree._Element, str, str]]:
    """(anchor, url, title) of the links that may be list items; a 详细/more link has the title ''."""
    out: list[tuple[etree._Element, str, str]] = []
    for anchor in root.iter("a"):
        url = absolute(anchor.get("href") or "", base)
        if url is None:
            continue
        title = title_of(anchor)
        if _DETAIL_TEXT.match(title):
            out.append((anchor, url, ""))
            continue
        if len(title) < 2 or PAGER_TEXT.match(title) or MORE_TEXT.match(title):
            continue
        out.append((anchor, url, title))
    return out


def _detail_title(item_el: etree._Element, anchor: etree._Element, as_of: date) -> str:
    """The title of an item whose only link says 详细/more: the item's other text without dates."""
    for head in item_el.iter("h1", "h2", "h3", "h4", "h5", "h6", "strong", "b"):
        text = element_text(head)
        if 6 <= len(text) <= 120 and not find_dates(text, as_of):
            return text
    text = element_text(item_el).replace(element_text(anchor), " ")
    for start, end, _value in reversed(find_dates_at(text, as_of)):
        text = text[:start] + " " + text[end:]
    text = re.sub(r"(?:发布|更新|截止|结束|公示|成文)?(?:日期|时间)\s*[:：]|[\[【(（]\s*[\]】)）]", " ", text)
    text = collapse(text).strip(" ·•-—|")
    return text if 6 <= len(text) <= 120 else ""


def _trailing_date(text: str, as_of: date) -> tuple[date, int] | None:
    """A date at the very end of a link text (``标题 2015-12-01``, ``标题[2015-12-01]``): (date, start)."""
    spans = find_dates_at(text, as_of)
    if not spans:
        return None
    start, end, value = spans[-1]
    if start < 4 or len(text[end:].strip(" ]】)）")) > 0:
        return None
    return value, start


def _item_date(item_el: etree._Element, anchor: etree._Element, as_of: date) -> date | None:
    """Dates in the item's visible text outside the title link (last one), else date-only children
    inside the link."""
    parts: list[str] = []
    # the nodes inside the title link (the link lies inside the item)
    inner: set[etree._Element] = set(anchor.iterdescendants()) if len(anchor) else set()
    for node in item_el.iter():
        if node is item_el:
            if node.text:
                parts.append(node.text)
            continue
        inside = node in inner
        if node is anchor:
            parts.append(" \u0000 ")
        elif is_element(node) and not inside and node.text:
            parts.append(node.text)
        if node.tail and not (inside and node is not anchor):
            parts.append(" " + node.tail)
        elif node.tail and inside:
            pass
    text = collapse(" ".join(parts)).replace("\u0000", " ")
    chosen = pick_publish_date(text, as_of)
    if chosen is not None:
        return chosen
    for child in anchor.iter():
        if child is anchor or not is_element(child) or len(child):
            continue
        own = collapse(child.text or "")
        if own and len(own) <= 22:
            found = find_dates(own, as_of)
            if found:
                return found[-1]
    return None


_END_LABEL = re.compile(r"截止|截至|结束|到期|有效期|止$|至|到|~|～|—|－{1,2}$|-{1,2}\s*$")
_START_LABEL = re.compile(r"发布|公布|发文|公开|印发|成文|更新|公示日期|日期|时间")


def pick_publish_date(text: str, as_of: date) -> date | None:
    """The publication date among the dates of one list item: not a deadline (截止日期：…, the end of a
    range 2015-12-01至2015-12-10), not after ``as_of``; a 发布日期/时间-labelled date first, else the first."""
    spans = find_dates_at(text, as_of)
    if not spans:
        return None
    kept: list[tuple[date, bool]] = []
    previous_end = 0
    for index, (start, end, value) in enumerate(spans):
        label = text[max(previous_end, start - 8) : start].strip()
        previous_end = end
        if value > as_of:
            continue
        if index > 0 and _END_LABEL.search(label) and not _START_LABEL.search(label):
            continue
        if _END_LABEL.search(label) and re.search(r"截止|截至|结束|到期|有效期", label):
            continue
        kept.append((value, bool(_START_LABEL.search(label)) and not re.search(r"截止|截至|结束", label)))
    if not kept:
        return None
    labelled = [value for value, is_start in kept if is_start]
    return labelled[0] if labelled else kept[0][0]


_ITEM_TAGS = frozenset({"li", "tr", "dd", "dt"})
_NOT_ITEM = frozenset({"body", "html", "ul", "ol", "table", "tbody", "thead", "dl", "form"})


#: `collect_groups`: an element whose title links lead to more than one URL
_SEVERAL = "\x00several"


def _one_url(hrefs: dict[etree._Element, str], node: etree._Element) -> bool:
    known = hrefs.get(node)
    return known is not None and known is not _SEVERAL


def collect_groups(root: etree._Element, base: str, as_of: date) -> list[Group]:
    """Every group of items on the page, accepted or not, in no particular order.

    The tree must not change afterwards: items settle their 置顶 flag on first use.
    """
    anchors = _title_anchors(root, base)
    # the one URL an element's title links lead to, or _SEVERAL (no entry: none). Climbing stops where
    # nothing changes: an ancestor holds every URL of its descendants, so once an element already has
    # this URL (or several), so do all elements above it.
    hrefs: dict[etree._Element, str] = {}
    for anchor, url, _ in anchors:
        node = anchor.getparent()
        while node is not None:
            known = hrefs.get(node)
            if known is None:
                hrefs[node] = url
            elif known == url or known is _SEVERAL:
                break
            else:
                hrefs[node] = _SEVERAL
            node = node.getparent()
    groups: dict[etree._Element, Group] = {}
    chosen: dict[etree._Element, tuple[etree._Element, str, str]] = {}
    for anchor, url, title in anchors:
        item_el = anchor
        node = anchor.getparent()
        while (
            node is not None and node.tag not in _NOT_ITEM and item_el.tag not in _ITEM_TAGS and _one_url(hrefs, node)
        ):
            item_el = node
            node = node.getparent()
        if node is not None and item_el.tag not in _ITEM_TAGS and node.tag in _ITEM_TAGS:
            # an <li>/<tr> with several links (a [category] tag, a download icon): the longest title wins
            item_el = node
        if item_el.tag in {"dt", "dd"} and node is not None and node.tag == "dl" and _one_url(hrefs, node):
            item_el = node  # one <dl><dt>title</dt><dd>date</dd></dl> per item
        if not title:
            if item_el is anchor:
                continue
            title = _detail_title(item_el, anchor, as_of)  # noqa: PLW2901
            if not title:
                continue
        previous = chosen.get(item_el)
        if previous is None or len(title) > len(previous[2]):
            chosen[item_el] = (anchor, url, title)
    for item_el, (anchor, url, title) in chosen.items():
        parent = item_el.getparent()
        if parent is None:
            continue
        text_date = _item_date(item_el, anchor, as_of) if item_el is not anchor else None
        if item_el is anchor:
            # a bare link: the date may be its next sibling text (<a/>2015-12-01<br>)
            tail = collapse(anchor.tail or "")
            found = find_dates(tail, as_of) if tail and len(tail) <= 30 else []
            text_date = found[0] if found else None
            if text_date is None:
                sibling = anchor.getnext()
                if sibling is not None and sibling.tag not in {"a"}:
                    own = element_text(sibling)
                    if own and len(own) <= 30:
                        found = find_dates(own, as_of)
                        text_date = found[0] if found else None
        if text_date is None and item_el.tag == "dt":
            # <dl><dt><a>title</a></dt><dd>2015-12-01</dd>…: the date is in the dd that follows
            sibling = item_el.getnext()
            while sibling is not None and is_element(sibling) and sibling.tag == "dd":
                own = element_text(sibling)
                if own and len(own) <= 30 and not list(sibling.iter("a")):
                    text_date = pick_publish_date(own, as_of)
                    if text_date is not None:
                        break
                sibling = sibling.getnext()
        if text_date is None:
            trailing = _trailing_date(collapse(anchor.text_content()), as_of)
            if trailing is not None:
                text_date = trailing[0]
                cut = _trailing_date(title, as_of)
                if cut is not None:
                    title = title[: cut[1]].rstrip(" [【(（-—")  # noqa: PLW2901
        url_date = date_from_url(url)
        if url_date is not None and url_date > as_of:
            url_date = None
        item = Item(item_el, anchor, title, url, text_date, url_date, None)  # pinned: on first use
        groups.setdefault(parent, Group(parent)).items.append(item)
    return list(groups.values())


def table_groups(root: etree._Element, base: str, as_of: date) -> list[Group]:
    """Tables whose header row names a date column (发布日期 first): one group per table."""
    out: list[Group] = []
    for table in root.iter("table"):
        rows = [row for row in table.iter("tr") if nearest(row, "table") is table]
        if len(rows) < 2:
            continue
        header_idx, col = -1, -1
        for idx, row in enumerate(rows[:3]):
            cells = [c for c in row if is_element(c) and c.tag in {"th", "td"}]
            texts = [element_text(c).replace(" ", "") for c in cells]
            for wanted in ("发布日期", "发布时间", "公开日期", "发文日期", "日期", "时间"):
                hits = [
                    i
                    for i, t in enumerate(texts)
                    if (t == wanted or (wanted in t and len(t) <= 6)) and not re.search(r"截止|截至|结束|到期|有效", t)
                ]
                if hits:
                    header_idx, col = idx, hits[0]
                    break
            if col >= 0:
                break
        if col < 0:
            continue
        group = Group(rows[header_idx].getparent() if rows[header_idx].getparent() is not None else table, header=True)
        for row in rows[header_idx + 1 :]:
            cells = [c for c in row if is_element(c) and c.tag in {"th", "td"}]
            links = []
            for anchor in row.iter("a"):
                url = absolute(anchor.get("href") or "", base)
                title = title_of(anchor)
                if url and len(title) >= 2 and not PAGER_TEXT.match(title):
                    links.append((anchor, url, title))
            if not links:
                continue
            anchor, url, title = max(links, key=lambda t: len(t[2]))
            text_date = None
            if col < len(cells):
                found = find_dates(element_text(cells[col]), as_of)
                text_date = found[0] if found else None
            url_date = date_from_url(url)
            if url_date is not None and url_date > as_of:
                url_date = None
            group.items.append(Item(row, anchor, title, url, text_date, url_date, False))
        if group.items:
            group.parent = table
            out.append(group)
    return out
