"""Column list pages and home-page blocks: html -> dated entries.

Pure functions (lxml only, no Scrapy). The generic idea: every title link climbs to the largest
ancestor that holds no other title link (the *item*); items that share a parent form a *group*;
the group with the most dated items is the page's main list. Table lists with a 发布日期 header,
Hanweb ``<datastore>`` records and JSON-in-script arrays are read by dedicated paths.
"""

from __future__ import annotations

import functools
import json
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import lxml.html
from lxml import etree

from govsites.extract.dates import date_from_url, find_dates, find_dates_at
from govsites.extract.links import URL_CACHE_SIZE, memo_base
from govsites.extract.text import (
    TreeMemo,
    collapse,
    element_text,
    page_title_from_tree,
    parse_html,
    shared_tree,
    text_lines,
)

MAX_NEXT_PAGES = 5

EMPTY_PHRASES = re.compile(
    r"暂无(?:相关)?(?:信息|数据|内容|记录|文章|新闻|公告|文件|资料|结果)|没有(?:相关)?(?:记录|信息|数据|内容|文章)"
    r"|无相关(?:信息|内容|数据|记录)|(?:该|本)栏目(?:下)?(?:暂无|没有)|尚无(?:信息|内容|数据)|未找到相关"
    r"|没有(?:找到|查询到|检索到)(?:任何)?(?:相关|符合条件的)?(?:信息|记录|内容|数据|文章|结果)"
    r"|共\s*0\s*(?:条|篇)"
)
#: wording of an empty or unfinished column that is only trusted on a short line of its own
#: (建设中 or 正在更新 inside a sentence of prose is not a statement about the column)
EMPTY_LINE = re.compile(
    r"^[\s\W]*(?:(?:该|本|此)?(?:栏目|页面|信息|内容|网页)?\s*(?:正在|尚在|正)?(?:建设|完善|更新|维护|整理|录入)中"
    r"|暂无|无记录|无数据|无内容|敬请期待|查询结果为空|记录数\s*[:：]?\s*0)",
)
MORE_TEXT = re.compile(
    r"^(?:\+|＋)?\s*(?:更多|查看更多|更多信息|更多内容|more|MORE|More)?\s*(?:[>》»＞+]+)?$"
)
PAGER_TEXT = re.compile(
    r"^(?:\d{1,4}|首页|尾页|末页|上一页|下一页|上页|下页|前一页|后一页|跳转|GO|go|确定|\.\.\.|…|<<|>>|«|»|<|>|"
    r"第一页|最后一页|next|prev|previous|first|last)$",
    re.IGNORECASE,
)
_NEXT_TEXT = re.compile(r"^(?:下一页|下页|后一页|next|>|»|>>)$", re.IGNORECASE)
_SIDE_HINT = re.compile(
    r"(?:^|[\s_\-])(?:foot|footer|bottom|copyright|nav|navbar|menu|daohang|dh|related|relate|xgxx|xglj|xgwz|"
    r"hot|rank|paihang|phb|side|sidebar|aside|friend|yqlj|link|links|breadcrumb|crumb)(?:$|[\s_\-\d])",
    re.IGNORECASE,
)
_COLUMN_INDEX = re.compile(r"(?:/|/index(?:_\d+)?\.s?html?|/default\.s?html?|/col/col\d+/?)(?:[?#].*)?$", re.I)
_PINNED = re.compile(r"置顶|\[顶\]|【顶】|^顶[:：\s]")
_RENDER_HINT = re.compile(
    r"\bfetch\s*\(|XMLHttpRequest|\$\.ajax|\$\.get\s*\(|\$\.post\s*\(|getJSON|\baxios\b|\.load\s*\(\s*['\"]"
    r"|ng-repeat|v-for=|\{\{\s*[\w.]+\s*\}\}|laytpl|template\.render|art-template|jsrender|Handlebars|\.ajax\s*\("
    r"|jpage|dataproxy\.jsp|new\s+Vue\s*\(|ReactDOM|angular\.module",
)
_BOILERPLATE_SCRIPT = re.compile(
    r"conac\.cn|_ideConac|jiucuo|hm\.baidu|cnzz|51\.la|google-analytics|googletagmanager|allow-copy|"
    r"allow_copy|_trs_|ta\.trs\.cn|wza|aria\.js|slh\.js|jquery[\w.\-]*\.js",
    re.IGNORECASE,
)
_TITLE_KEYS = ("title", "tit", "at", "name", "biaoti", "doctitle", "articletitle", "subject", "bt", "t")
_URL_KEYS = ("url", "link", "href", "au", "docpuburl", "path", "linkurl", "puburl", "u")


@dataclass(frozen=True)
class ListEntry:
    title: str
    url: str
    date: date | None
    date_source: str  # "list" | "url" | ""
    pinned: bool = False


@dataclass
class ListPage:
    entries: list[ListEntry]
    empty: bool
    next_pages: list[str]
    has_scripts: bool
    needs_render: bool
    column_name: str

    @property
    def newest(self) -> date | None:
        """The newest entry date (a pinned old item never hides newer ones)."""
        dates = [entry.date for entry in self.entries if entry.date is not None]
        return max(dates) if dates else None


@dataclass
class HomeBlock:
    name: str
    more_url: str | None
    entries: list[ListEntry]
    hidden: bool


# ---------------------------------------------------------------------------------------------
# small helpers


def _cls(el: etree._Element) -> str:
    return f"{el.get('class') or ''} {el.get('id') or ''}".strip()


def _is_el(node: object) -> bool:
    return isinstance(node, etree._Element) and isinstance(node.tag, str)


def base_url(root: etree._Element, url: str) -> str:
    for base in root.iter("base"):
        href = (base.get("href") or "").strip()
        if href:
            try:
                return urljoin(url, href)
            except ValueError:
                return url
    return url


def absolute(href: str, base: str) -> str | None:
    """Resolve a link; None for javascript:, mailto:, tel:, '#', and unparsable values."""
    href = href or ""
    return _absolute(href, memo_base(href, base))


@functools.lru_cache(maxsize=URL_CACHE_SIZE)
def _absolute(href: str, base: str) -> str | None:
    """`absolute`, memoised: menus and footers repeat on every page of a site (see `memo_base`)."""
    href = (href or "").strip().replace("\\", "/")
    if not href or href.startswith("#"):
        return None
    low = href.lower()
    if low.startswith(("javascript:", "mailto:", "tel:", "data:", "vbscript:", "about:")):
        return None
    try:
        joined = urljoin(base, href)
        parts = urlsplit(joined)
    except ValueError:
        return None
    if parts.scheme not in {"http", "https"}:
        return None
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", parts.query, ""))


def is_hidden(el: etree._Element, stop: etree._Element | None = None) -> bool:
    """True when ``el`` or an ancestor (up to ``stop``) is display:none / hidden."""
    node: etree._Element | None = el
    while node is not None and node is not stop:
        style = (node.get("style") or "").replace(" ", "").lower()
        if "display:none" in style or "visibility:hidden" in style or node.get("hidden") is not None:
            return True
        node = node.getparent()
    return False


def title_of(anchor: etree._Element) -> str:
    """Anchor text without date-only children; @title when the text is cut (... / …) or empty."""
    if not len(anchor):  # no child node of any kind (most links): the text is the anchor's own
        return _pick_title(collapse(anchor.text or ""), anchor)
    parts: list[str] = []
    for child in anchor.iter():
        if child is anchor:
            if anchor.text:
                parts.append(anchor.text)
            continue
        if not _is_el(child):
            if child.tail:
                parts.append(child.tail)
            continue
        if child.tag in {"script", "style"}:
            if child.tail:
                parts.append(child.tail)
            continue
        own = collapse(child.text or "")
        date_only = bool(own) and len(own) <= 22 and len(child) == 0 and bool(find_dates(own))
        parts.append("" if date_only else child.text or "")
        if child.tail:
            parts.append(child.tail)
    return _pick_title(collapse("".join(parts)), anchor)


def _pick_title(text: str, anchor: etree._Element) -> str:
    """The anchor's collapsed text, or its @title when the text is cut (... / …) or empty."""
    title = collapse(anchor.get("title") or "")
    if title and (
        not text
        or text.endswith(("...", "…", "..", "……"))
        or (len(title) > len(text) and title.startswith(text[:4]))
    ):
        return title
    return text or title


# ---------------------------------------------------------------------------------------------
# generic item/group detection


class _Item:
    """One list item: its element, title link, title, URL and dates.

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
        if self.text_date is not None:
            return ListEntry(self.title, self.url, self.text_date, "list", self.pinned)
        if self.url_date is not None:
            return ListEntry(self.title, self.url, self.url_date, "url", self.pinned)
        return ListEntry(self.title, self.url, None, "", self.pinned)


@dataclass
class _Group:
    parent: etree._Element
    items: list[_Item] = field(default_factory=list)
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

    def undated_list(self) -> bool:
        """A list with no dates anywhere: title-like links to leaf pages in the main content area.

        Navigation menus also repeat links, so they are told apart by short names and links to column
        index pages; side boxes (related, hot, friendly links) are left out.
        """
        n = len(self.items)
        if n < 2 or in_side_region(self.parent) or is_hidden(self.parent):
            return False
        titles = [len(item.title) for item in self.items]
        if sum(titles) / n < 8:
            return False
        indexes = sum(1 for item in self.items if _COLUMN_INDEX.search(item.url))
        return indexes * 2 < n


def in_side_region(el: etree._Element) -> bool:
    node: etree._Element | None = el
    depth = 0
    while node is not None and depth < 12:
        if node.tag in {"nav", "footer", "aside", "select"}:
            return True
        if _SIDE_HINT.search(_cls(node)):
            return True
        node = node.getparent()
        depth += 1
    return False


#: side boxes named by their class: 热点/最新/推荐/排行 boxes and right-hand columns
_SIDE_BOX = re.compile(
    r"(?:^|[\s_\-])(?:hot\w*|\w*hotnews|rdxx|rdjj|rdgz|rdtj|zxxx|zxfb|zxgx|zxwz|rmxx|rmwz|rmtj|tjyd|tjxx|tjwz|"
    r"tuijian|recommend\w*|latest|newest|ranking|djph|ydph|djpm|side\w*|rbox|r_box|rightbox|right_box|"
    r"right-box|col-r|side-r|sider)(?:$|[\s_\-\d])",
    re.IGNORECASE,
)
#: a right-hand (or floated) column: a side box only when the page shows its main list is empty
_SIDE_POSITION = re.compile(
    r"(?:^|[\s_\-])(?:right\w*|\w*right|r|rt|fr|rside|rcon|rightcon|rd|you|r_con|rcol)(?:$|[\s_\-\d])",
    re.IGNORECASE,
)
#: headings of side boxes (热点信息, 最新信息, 推荐阅读, 点击排行 ...)
_SIDE_HEADING = re.compile(
    r"热点|热门|最新|推荐|排行|排名|点击|相关|图片新闻|专题|猜你喜欢|精彩|热文|阅读榜|浏览榜|关注"
)


def _ancestor_class(el: etree._Element, pattern: re.Pattern[str], depth: int = 12) -> bool:
    node: etree._Element | None = el
    while node is not None and depth > 0:
        if node.tag in {"body", "html"}:
            return False
        if pattern.search(_cls(node)):
            return True
        node = node.getparent()
        depth -= 1
    return False


def _group_heading(group: _Group, containers: set[etree._Element], base: str) -> str:
    panel = group.parent
    for _ in range(3):
        parent = panel.getparent()
        if parent is None or sum(1 for c in parent if _is_el(c)) != 1:
            break
        panel = parent
    name, _more = heading_for(panel, containers - {group.parent}, base)
    if not name:
        name = _inner_heading(group, base)[0]
    return name


def _side_group(group: _Group, containers: set[etree._Element], base: str, page_names: str) -> bool:
    """A side box (related, hot, newest, ranking): by tag/class, or by a 热点/最新/推荐 heading that is
    not the page's own column name."""
    if in_side_region(group.parent) or _ancestor_class(group.parent, _SIDE_BOX):
        return True
    heading = _group_heading(group, containers, base)
    return bool(heading and _SIDE_HEADING.search(heading) and not _own_heading(heading, page_names))


def _own_heading(heading: str, page_names: str) -> bool:
    """The heading names the page's own column: equal to it, its breadcrumb (当前位置：首页 > 专题专栏), or
    containing the column name (a 专题专栏 column's list is its main list, whatever the word 专题 suggests)."""
    last = re.split(r"[>»＞/]", heading)[-1].strip()
    names = [n for n in page_names.split() if len(n) >= 2]
    return heading in page_names or bool(last and last in page_names) or any(n in heading for n in names)


def strip_noise(root: etree._Element) -> None:
    for bad in list(root.iter("script", "style", "noscript", "template", "select", "textarea")):
        parent = bad.getparent()
        if parent is not None:
            bad.drop_tree() if hasattr(bad, "drop_tree") else parent.remove(bad)
    for comment in list(root.iter(etree.Comment)):
        parent = comment.getparent()
        if parent is not None:
            tail = comment.tail
            prev = comment.getprevious()
            if tail:
                if prev is not None:
                    prev.tail = (prev.tail or "") + tail
                else:
                    parent.text = (parent.text or "") + tail
            parent.remove(comment)


def _stripped_parse(html: str) -> lxml.html.HtmlElement:
    # a parse of its own rather than a deepcopy of the shared tree: a copied root loses its siblings
    # (comments before <html>), and the copy would save only ~0.03 ms on the few pages that strip
    root = parse_html(html)
    strip_noise(root)
    return root


_STRIPPED_TREES = TreeMemo(_stripped_parse)


def shared_stripped_tree(html: str) -> lxml.html.HtmlElement:
    """`parse_html` of ``html`` after `strip_noise`, shared by the extractors of one page.

    **Read-only**, like `govsites.extract.text.shared_tree`: callers must not change it. A handful of
    trees are kept.
    """
    return _STRIPPED_TREES.get(html if isinstance(html, str) else "")


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
        elif _is_el(node) and not inside and node.text:
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
        if child is anchor or not _is_el(child) or len(child):
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


def collect_groups(root: etree._Element, base: str, as_of: date) -> list[_Group]:
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
    groups: dict[etree._Element, _Group] = {}
    chosen: dict[etree._Element, tuple[etree._Element, str, str]] = {}
    for anchor, url, title in anchors:
        item_el = anchor
        node = anchor.getparent()
        while (
            node is not None
            and node.tag not in _NOT_ITEM
            and item_el.tag not in _ITEM_TAGS
            and _one_url(hrefs, node)
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
            while sibling is not None and _is_el(sibling) and sibling.tag == "dd":
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
        item = _Item(item_el, anchor, title, url, text_date, url_date, None)  # pinned: on first use
        groups.setdefault(parent, _Group(parent)).items.append(item)
    return list(groups.values())


_GROUP_MEMO: OrderedDict[tuple[int, str, date], tuple[etree._Element, list[_Group]]] = OrderedDict()
_GROUP_MEMO_SIZE = 4
_GROUP_LOCK = threading.Lock()


def shared_groups(root: etree._Element, base: str, as_of: date) -> list[_Group]:
    """`collect_groups` of a *shared, read-only* tree (`shared_stripped_tree`), memoised: column discovery
    and the home-block reader it calls read the same groups of the same page.

    Returns a new list; the groups and items themselves are shared and must not be changed.
    """
    key = (id(root), base, as_of)
    with _GROUP_LOCK:
        hit = _GROUP_MEMO.get(key)
        if hit is not None and hit[0] is root:
            _GROUP_MEMO.move_to_end(key)
            return list(hit[1])
    groups = collect_groups(root, base, as_of)
    with _GROUP_LOCK:
        _GROUP_MEMO[key] = (root, groups)  # the root is kept alive with its entry: its id cannot be reused
        if len(_GROUP_MEMO) > _GROUP_MEMO_SIZE:
            _GROUP_MEMO.popitem(last=False)
    return list(groups)


def _table_groups(root: etree._Element, base: str, as_of: date) -> list[_Group]:
    """Tables whose header row names a date column (发布日期 first)."""
    out: list[_Group] = []
    for table in root.iter("table"):
        rows = [row for row in table.iter("tr") if _nearest(row, "table") is table]
        if len(rows) < 2:
            continue
        header_idx, col = -1, -1
        for idx, row in enumerate(rows[:3]):
            cells = [c for c in row if _is_el(c) and c.tag in {"th", "td"}]
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
        group = _Group(
            rows[header_idx].getparent() if rows[header_idx].getparent() is not None else table, header=True
        )
        for row in rows[header_idx + 1 :]:
            cells = [c for c in row if _is_el(c) and c.tag in {"th", "td"}]
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
            group.items.append(_Item(row, anchor, title, url, text_date, url_date, False))
        if group.items:
            group.parent = table
            out.append(group)
    return out


def _nearest(el: etree._Element, tag: str) -> etree._Element | None:
    node = el.getparent()
    while node is not None:
        if node.tag == tag:
            return node
        node = node.getparent()
    return None


# ---------------------------------------------------------------------------------------------
# script-held lists: Hanweb datastore and JSON arrays

_DATASTORE = re.compile(r"<datastore\b.*?</datastore>", re.DOTALL | re.IGNORECASE)
_RECORD = re.compile(r"<record\b[^>]*>(.*?)</record>", re.DOTALL | re.IGNORECASE)
_CDATA = re.compile(r"<!\[CDATA\[(.*?)\]\]>", re.DOTALL)
_NEXTGROUP = re.compile(r"<nextgroup\b[^>]*>(.*?)</nextgroup>", re.DOTALL | re.IGNORECASE)
_TOTAL = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>", re.IGNORECASE)


def unwrap(fragment: str) -> str:
    inner = _CDATA.findall(fragment)
    if inner:
        return "".join(inner)
    return fragment.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")


def _entries_from_fragment(fragment: str, base: str, as_of: date) -> list[ListEntry]:
    root = parse_html(f"<html><body><div>{fragment}</div></body></html>")
    strip_noise(root)
    entries: list[ListEntry] = []
    for group in collect_groups(root, base, as_of):
        entries.extend(item.entry() for item in group.items)
    return entries


def parse_datastore_xml(xml_text: str, url: str, as_of: date) -> ListPage:
    """A Hanweb jpage ``dataproxy.jsp`` response (or an inline ``<datastore>`` block) -> ListPage."""
    xml_text = xml_text if isinstance(xml_text, str) else ""
    entries: list[ListEntry] = []
    records = _RECORD.findall(xml_text)
    for record in records:
        entries.extend(_entries_from_fragment(unwrap(record), url, as_of))
    next_pages: list[str] = []
    for group in _NEXTGROUP.findall(xml_text):
        for href in re.findall(r"""href\s*=\s*["']([^"']+)["']""", unwrap(group)):
            link = absolute(href.replace("&amp;", "&"), url)
            if link and link not in next_pages and link != url:
                next_pages.append(link)
    total = _TOTAL.search(xml_text)
    if total and not next_pages:
        next_pages = _dataproxy_next(url, int(total.group(1)))
    empty = not entries and (not records or (total is not None and total.group(1) == "0"))
    return ListPage(entries, empty, next_pages[:MAX_NEXT_PAGES], False, False, "")


def _dataproxy_next(url: str, total: int) -> list[str]:
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


def balanced_arrays(script: str) -> list[str]:
    """Substrings that are bracket-balanced JS array literals starting with ``[{``."""
    out: list[str] = []
    for match in re.finditer(r"\[\s*\{", script):
        start = match.start()
        depth, quote, i = 0, "", start
        while i < len(script):
            ch = script[i]
            if quote:
                if ch == "\\":
                    i += 2
                    continue
                if ch == quote:
                    quote = ""
            elif ch in "\"'":
                quote = ch
            elif ch in "[{":
                depth += 1
            elif ch in "]}":
                depth -= 1
                if depth == 0:
                    out.append(script[start : i + 1])
                    break
            i += 1
        if len(out) > 40:
            break
    return out


def lenient_json(literal: str) -> object | None:
    try:
        return json.loads(literal)
    except ValueError:
        pass
    fixed = re.sub(r"([{,]\s*)([A-Za-z_$][\w$]*)\s*:", r'\1"\2":', literal)
    fixed = re.sub(r"'((?:[^'\\]|\\.)*)'", lambda m: json.dumps(m.group(1).replace("\\'", "'")), fixed)
    fixed = re.sub(r",\s*([}\]])", r"\1", fixed)
    try:
        return json.loads(fixed)
    except ValueError:
        return None


def _looks_url(value: str) -> bool:
    value = value.strip()
    return (
        bool(value)
        and " " not in value
        and (
            value.startswith(("http://", "https://", "/", "./", "../"))
            or bool(re.search(r"\.(?:s?html?|jsp|aspx?|php)(?:$|\?)", value))
        )
    )


def _dict_entry(obj: dict[str, object], base: str, as_of: date) -> ListEntry | None:
    strings = {str(k): v for k, v in obj.items() if isinstance(v, str)}
    if not strings:
        return None
    lower = {k.lower(): k for k in strings}
    url_key = next((lower[k] for k in _URL_KEYS if k in lower and _looks_url(strings[lower[k]])), None)
    if url_key is None:
        url_key = next((k for k, v in strings.items() if _looks_url(v)), None)
    if url_key is None:
        return None
    date_value: date | None = None
    date_key = None
    for key, value in strings.items():
        if key == url_key or len(value) > 40:
            continue
        found = find_dates(value, as_of)
        if found:
            date_value, date_key = found[0], key
            break
    title_key = next(
        (
            lower[k]
            for k in _TITLE_KEYS
            if k in lower
            and lower[k] not in {url_key, date_key}
            and re.search(r"[\u4e00-\u9fff]|\w{3,}", strings[lower[k]])
        ),
        None,
    )
    if title_key is None:
        candidates = [
            k for k, v in strings.items() if k not in {url_key, date_key} and re.search(r"[\u4e00-\u9fff]", v)
        ]
        if not candidates:
            return None
        title_key = max(candidates, key=lambda k: len(strings[k]))
    link = absolute(strings[url_key], base)
    if link is None:
        return None
    title = collapse(re.sub(r"<[^>]+>", "", strings[title_key]))
    if date_value is not None:
        return ListEntry(title, link, date_value, "list")
    url_date = date_from_url(link)
    if url_date is not None and url_date <= as_of:
        return ListEntry(title, link, url_date, "url")
    return ListEntry(title, link, None, "")


def _json_lists(scripts: list[str], base: str, as_of: date) -> list[list[ListEntry]]:
    found: list[list[ListEntry]] = []

    def visit(node: object, depth: int) -> None:
        if depth > 6:
            return
        if isinstance(node, list):
            dicts = [x for x in node if isinstance(x, dict)]
            if dicts:
                entries = [e for e in (_dict_entry(d, base, as_of) for d in dicts) if e is not None]
                if entries and len(entries) * 2 >= len(dicts) and any(e.date for e in entries):
                    found.append(entries)
                    return
            for x in node:
                visit(x, depth + 1)
        elif isinstance(node, dict):
            for x in node.values():
                visit(x, depth + 1)

    for script in scripts:
        for literal in balanced_arrays(script):
            visit(lenient_json(literal), 0)
    return found


# ---------------------------------------------------------------------------------------------
# pagination

_CREATE_PAGE = re.compile(
    r"createPageHTML\(\s*['\"]?(\d+)['\"]?\s*,\s*['\"]?(\d+)['\"]?\s*,\s*['\"]([\w\-.]+)['\"]\s*,\s*['\"](\w+)['\"]"
)
_COUNT_PAGE = re.compile(r"\bvar\s+countPage\s*=\s*['\"]?(\d+)")
_CURRENT_PAGE = re.compile(r"\bvar\s+currentPage\s*=\s*['\"]?(\d+)")
_PAGE_PARAM = re.compile(
    r"[?&](?:page|pageno|pagenum|pageindex|cur_page|curpage|p|pn|pageNo|pageNum)=(\d+)", re.IGNORECASE
)
_PAGE_FILE = re.compile(r"(?:_|-)(\d{1,4})\.s?html?$")


def _trs_pages(count: int, current: int, name: str, ext: str, base: str) -> list[str]:
    out = []
    for k in range(current + 1, min(count, current + 1 + MAX_NEXT_PAGES)):
        link = absolute(f"{name}_{k}.{ext}", base)
        if link:
            out.append(link)
    return out


def _next_pages(raw: str, root: etree._Element, base: str, url: str) -> list[str]:
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
        if re.search(r"page|pager|pagination|fenye|fy|pagebar|turn", _cls(node), re.IGNORECASE):
            return True
        node = node.getparent()
    return False


# ---------------------------------------------------------------------------------------------
# column name (meta ColumnName, else breadcrumb)

_CRUMB_LABEL = re.compile(
    r"(?:当前位置|您的位置|你的位置|您现在的位置|你现在的位置|所在位置|当前页面|现在位置)\s*[:：]?"
)
_CRUMB_SEP = re.compile(r"\s*(?:>|＞|»|›|→|->|-&gt;|/|》|\\|>>)\s*")


def column_name_from_tree(root: etree._Element) -> str:
    for meta in root.iter("meta"):
        if (meta.get("name") or "").strip().lower() == "columnname":
            value = collapse(meta.get("content") or "")
            if value:
                return value
    curr = [collapse(a.text_content()) for a in root.iter("a") if "CurrChnlCls" in (a.get("class") or "")]
    curr = [c for c in curr if c]
    if curr:
        return curr[-1]
    for el in root.iter():
        if not _is_el(el) or el.tag in {"script", "style", "title", "head", "html", "body"}:
            continue
        own = collapse(el.text or "")
        crumb_class = re.search(r"crumb|position|location|weizhi|dqwz|mbx|lujing", _cls(el), re.IGNORECASE)
        if not (_CRUMB_LABEL.search(own) or crumb_class):
            continue
        container = el
        text = element_text(container)
        if _CRUMB_LABEL.search(own) and len(text) <= len(own) + 2 and container.getparent() is not None:
            container = container.getparent()
            text = element_text(container)
        if len(text) > 120:
            continue
        text = _CRUMB_LABEL.split(text)[-1]
        pieces = [p for p in _CRUMB_SEP.split(text) if p and p.strip()]
        if pieces:
            last = pieces[-1].strip()
            if last and last not in {"正文", "详情", "内容"}:
                return last[:40]
            if len(pieces) > 1:
                return pieces[-2].strip()[:40]
    return ""


# ---------------------------------------------------------------------------------------------
# public: extract_list


def _looks_article(root: etree._Element, url: str, best: _Group | None) -> bool:
    from govsites.extract.columns import is_article_url  # local import: columns imports this module

    metas = {(m.get("name") or "").strip().lower() for m in root.iter("meta")}
    if "articletitle" in metas or is_article_url(url):
        return True
    prose = sum(len(t) for t in (element_text(p) for p in root.iter("p")) if len(t) >= 40)
    dated = best.text_dated if best is not None else 0
    return (prose >= 300 and dated < 5) or (prose >= 1500 and dated < 10)


def _script_texts(root_raw: etree._Element) -> tuple[list[str], bool, bool]:
    """(inline script texts, has_scripts, render hints present)."""
    texts: list[str] = []
    has_scripts = False
    render = False
    for script in root_raw.iter("script"):
        kind = (script.get("type") or "").lower()
        src = script.get("src") or ""
        body = script.text or ""
        if kind in {"application/ld+json", "text/xml"}:
            continue
        if src and not _BOILERPLATE_SCRIPT.search(src):
            has_scripts = True
        if body.strip():
            texts.append(body)
            if not _BOILERPLATE_SCRIPT.search(body[:400]):
                has_scripts = True
            if _RENDER_HINT.search(body):
                render = True
        if kind in {"text/template", "text/html", "text/x-template", "text/x-handlebars-template"}:
            render = True
    return texts, has_scripts, render


def _attr_render_hints(raw: str) -> bool:
    return bool(re.search(r"\bng-repeat=|\bv-for=|\bng-app\b|\{\{\s*[\w.]+\s*\}\}|<template\b", raw))


_LIST_HINT = re.compile(r"list|lb|news|xxgk|article|content|con|main|info|item|data", re.IGNORECASE)
_PAGER_CLASS = re.compile(r"page|pager|pagination|fenye|pagebar|turn|pg", re.IGNORECASE)
_PAGER_WORDS = re.compile(
    r"共\s*\d+\s*(?:页|条|篇)|第?\s*\d+\s*/\s*\d+\s*页|首页.{0,40}(?:尾页|末页)|上一页.{0,30}下一页"
)


def _empty_containers(root: etree._Element) -> list[etree._Element]:
    """List containers left empty: an empty ul/ol/tbody (or a list-classed div) in the main region,
    a ul whose class or parent's class says it holds the list."""
    out: list[etree._Element] = []
    for el in root.iter("ul", "ol", "tbody", "div", "table", "dl"):
        if in_side_region(el):
            continue
        hinted = bool(_LIST_HINT.search(_cls(el)))
        parent = el.getparent()
        if not hinted and el.tag in {"ul", "ol", "tbody", "dl"} and parent is not None:
            hinted = bool(re.search(r"list|lb|news|article|item|data", _cls(parent), re.IGNORECASE))
        if not hinted:
            continue
        bare_list = el.tag in {"ul", "ol", "dl"} and not any(_is_el(c) for c in el)
        bare_div = el.tag == "div" and len(el) == 0 and bool(re.search(r"list", _cls(el), re.IGNORECASE))
        if (bare_list or bare_div) and not collapse(el.text_content()):
            out.append(el)
    return out


def _empty_container(root: etree._Element) -> bool:
    return bool(_empty_containers(root))


def _empty_statements(root: etree._Element) -> list[etree._Element]:
    """Small elements that say the column is empty (暂无信息, 没有找到相关记录, 栏目建设中, 共0条)."""
    out: list[etree._Element] = []
    for el in root.iter():
        if not _is_el(el) or el.tag in {"html", "body", "a", "option"}:
            continue
        raw = el.text_content()
        if len(raw) > 400:
            continue
        text = element_text(el)
        if not text or len(text) > 40:
            continue
        if not (EMPTY_PHRASES.search(text) or (len(text) <= 30 and EMPTY_LINE.search(text))):
            continue
        if any(out_el is el.getparent() for out_el in out[-1:]):
            out[-1] = el  # keep the innermost element
        else:
            out.append(el)
    return out


def _has_pager(root: etree._Element) -> bool:
    """A pagination bar (class page/pager/fenye, or 共N页 / 首页…尾页 wording): the page is a list page."""
    for el in root.iter("div", "p", "td", "span", "ul", "center", "form"):
        if _PAGER_CLASS.search(_cls(el)) and len(element_text(el)) <= 200 and not in_side_region(el):
            return True
    body = root.find("body")
    lines = text_lines(body if body is not None else root)
    return any(len(line) <= 120 and _PAGER_WORDS.search(line) for line in lines)


def extract_list(html: str, url: str, as_of: date) -> ListPage:
    """The main article list of a column page (not navigation, footer lists, link selects or related
    boxes). Articles give ``entries == []`` and ``empty == False``."""
    html = html if isinstance(html, str) else ""
    raw_root = shared_tree(html)
    base = base_url(raw_root, url)
    name = column_name_from_tree(raw_root)
    scripts, has_scripts, render_hint = _script_texts(raw_root)
    render_hint = render_hint or _attr_render_hints(html)

    # 1. Hanweb inline datastore (first page inside <script type="text/xml">)
    store_match = _DATASTORE.search(html)
    if store_match:
        page = parse_datastore_xml(store_match.group(0), base, as_of)
        if page.entries or page.empty:
            return ListPage(page.entries, not page.entries, page.next_pages, True, False, name)

    root = shared_stripped_tree(html)
    all_groups = shared_groups(root, base, as_of)
    groups = [g for g in all_groups if g.accepted()]
    groups += [g for g in _table_groups(root, base, as_of) if g.accepted()]
    best = max(
        groups,
        key=lambda g: (g.score() * (1.2 if g.parent.tag == "table" else 1.0), g.header),
        default=None,
    )
    if best is None:
        undated = [g for g in all_groups if g.undated_list()]
        best = max(undated, key=lambda g: len(g.items), default=None)
        groups = [best] if best is not None else []
    if _looks_article(raw_root, url, best):
        return ListPage([], False, [], has_scripts, False, name)

    entries: list[ListEntry] = []
    if best is not None:
        chosen = [best]
        parent = best.parent.getparent()
        if parent is not None and best.parent.tag != "table":
            for group in groups:
                if group is best or group.parent.getparent() is not parent:
                    continue
                if (
                    group.parent.tag == best.parent.tag
                    and group.parent.get("class") == best.parent.get("class")
                    and not is_hidden(group.parent)
                    and not is_hidden(best.parent)
                ):
                    chosen.append(group)
        chosen.sort(key=lambda g: _doc_index(root, g.parent))
        for group in chosen:
            entries.extend(item.entry() for item in group.items)

    if not entries:
        json_lists = _json_lists(scripts, base, as_of)
        if json_lists:
            entries = max(json_lists, key=len)

    visible = element_text(root.find("body") if root.find("body") is not None else root)
    statements = _empty_statements(root)
    says_empty = bool(EMPTY_PHRASES.search(visible)) or bool(statements)
    if entries and best is not None and best.parent.tag != "table":
        containers = {g.parent for g in all_groups if g.accepted()}
        page_names = f"{name} {page_title_from_tree(raw_root)}"
        side = _side_group(best, containers, base, page_names)
        heading = _group_heading(best, containers, base)
        placed_aside = _ancestor_class(best.parent, _SIDE_POSITION) and not (
            heading and _own_heading(heading, page_names))
        if side or placed_aside:
            # the dated box is beside the list: the list itself says it is empty, or is an empty container
            # (a 暂无 inside another side box says nothing about the column)
            evidence = [
                e
                for e in statements + _empty_containers(root)
                if not _contains(best.parent, e) and not in_side_region(e) and not _ancestor_class(e, _SIDE_BOX)
            ]
            if evidence or (side and says_empty):
                entries = []
                says_empty = True
            elif side and not any(g is not best and g.accepted() for g in groups):
                entries = []  # only a side box is dated: the page has no list of its own
    next_pages = _next_pages(html, root, base, url) if entries or not says_empty else []
    if entries:
        return ListPage(entries, False, next_pages, has_scripts, False, name)
    if says_empty:
        return ListPage([], True, [], has_scripts, False, name)
    needs_render = has_scripts and render_hint
    if needs_render:
        return ListPage([], False, next_pages, has_scripts, True, name)
    empty = _empty_container(root) or _has_pager(root)
    return ListPage([], empty, [] if empty else next_pages, has_scripts, False, name)


def _doc_index(root: etree._Element, el: etree._Element) -> int:
    for idx, node in enumerate(root.iter()):
        if node is el:
            return idx
    return 0


# ---------------------------------------------------------------------------------------------
# public: extract_blocks (home pages)


def is_more(anchor: etree._Element) -> bool:
    text = collapse(anchor.text_content())
    cls = _cls(anchor).lower()
    title = collapse(anchor.get("title") or "")
    if text and MORE_TEXT.match(text) and (re.search(r"更多|more|>|》|»|＞|\+", text, re.IGNORECASE)):
        return True
    if not text and ("more" in cls or title in {"更多", "more"}):
        return True
    if not text:
        for img in anchor.iter("img"):
            if re.search(r"more|gd", (img.get("src") or "") + (img.get("alt") or ""), re.IGNORECASE):
                return True
    return "more" in cls and len(text) <= 6


def _heading_text(el: etree._Element) -> str:
    for tag in ("h1", "h2", "h3", "h4", "h5", "h6", "strong", "b"):
        for head in el.iter(tag):
            text = collapse(head.text_content())
            if text and not MORE_TEXT.match(text):
                return _clean_heading(text)
    for node in el.iter():
        if _is_el(node) and re.search(r"tit|title|hd|head|bt|name|lm", _cls(node), re.IGNORECASE):
            text = _clean_heading(element_text(node))
            if text:
                return text
    return _clean_heading(element_text(el))


def _clean_heading(text: str) -> str:
    text = re.sub(
        r"(?:查看)?更多\s*[>》»＞+]*|more\s*[>》»＞+]*|[>》»＞]{2,}|\+$", " ", text, flags=re.IGNORECASE
    )
    text = collapse(text)
    return text if 0 < len(text) <= 24 else ""


def _more_in(el: etree._Element, base: str) -> str | None:
    for anchor in el.iter("a"):
        if is_more(anchor):
            link = absolute(anchor.get("href") or "", base)
            if link:
                return link
    return None


def heading_for(
    container: etree._Element, stop_nodes: set[etree._Element], base: str
) -> tuple[str, str | None]:
    """Name and 更多 link for a list container: preceding siblings, climbing a few levels."""
    node = container
    more: str | None = None
    for _ in range(4):
        prev = node.getprevious()
        while prev is not None:
            if _is_el(prev):
                if prev in stop_nodes or _contains_any(prev, stop_nodes):
                    break  # a block of its own: its heading is not ours
                if more is None:
                    more = _more_in(prev, base)
                text = _heading_text(prev)
                if text:
                    if more is None:
                        for anchor in prev.iter("a"):
                            link = absolute(anchor.get("href") or "", base)
                            if (
                                link
                                and collapse(anchor.text_content())
                                and text in collapse(anchor.text_content())
                            ):
                                more = link
                                break
                    return text, more
            prev = prev.getprevious()
        nxt = node.getnext()
        while more is None and nxt is not None:
            if _is_el(nxt) and nxt not in stop_nodes:
                more = _more_in(nxt, base) if len(element_text(nxt)) <= 12 else None
            nxt = nxt.getnext()
        parent = node.getparent()
        if parent is None or parent.tag in {"body", "html"}:
            break
        if any(s is not node and _contains_any(s, stop_nodes) for s in parent if _is_el(s)):
            # the parent holds other blocks too: only direct preceding siblings count
            return "", more
        node = parent
    return "", more


def _contains_any(el: etree._Element, nodes: set[etree._Element]) -> bool:
    return any(node in nodes for node in el.iter())


def tab_labels(
    panel: etree._Element, count: int, stop_nodes: set[etree._Element], base: str
) -> tuple[list[tuple[str, str | None]], str | None, etree._Element] | None:
    """Labels of a tab header with ``count`` tabs (and its shared 更多 link)."""
    node = panel
    for _ in range(3):
        prev = node.getprevious()
        candidates = []
        while prev is not None:
            if _is_el(prev) and prev not in stop_nodes:
                candidates.append(prev)
            prev = prev.getprevious()
        for header in candidates:
            more = _more_in(header, base)
            options: list[list[etree._Element]] = [
                [a for a in header.iter("a") if not is_more(a) and collapse(a.text_content())],
                [
                    li
                    for li in header.iter("li")
                    if (collapse(li.text_content()) and not all(is_more(a) for a in li.iter("a")))
                    or (collapse(li.text_content()) and not list(li.iter("a")))
                ],
                [s for s in header.iter("span", "h2", "h3", "h4", "em") if collapse(s.text_content())],
            ]
            for labels in options:
                if len(labels) == count and all(len(collapse(lb.text_content())) <= 24 for lb in labels):
                    out: list[tuple[str, str | None]] = []
                    for label in labels:
                        anchors = [label] if label.tag == "a" else list(label.iter("a"))
                        link = None
                        for anchor in anchors:
                            link = absolute(anchor.get("href") or "", base)
                            if link:
                                break
                        out.append((_clean_heading(collapse(label.text_content())), link))
                    return out, more, header
        parent = node.getparent()
        if parent is None or parent.tag in {"body", "html"}:
            break
        node = parent
    return None


def _inner_heading(group: _Group, base: str) -> tuple[str, str | None]:
    """A heading inside the list container itself, before its first item (``<dl><dt>通知公告 更多</dt><dd>…``,
    ``<ul><li class="title">…</li><li>…``, a table's first row)."""
    items = {item.el for item in group.items}
    for child in group.parent:
        if not _is_el(child):
            continue
        if child in items or any(_contains(child, i) for i in items):
            break
        text = _heading_text(child)
        if text:
            more = _more_in(child, base)
            if more is None:
                for anchor in child.iter("a"):
                    link = absolute(anchor.get("href") or "", base)
                    if link and text in collapse(anchor.text_content()):
                        more = link
                        break
            return text, more
    return "", None


def extract_blocks(html: str, url: str, as_of: date) -> list[HomeBlock]:
    """The dated item blocks of a home (portal) page: block name, 更多 link, entries, hidden tab."""
    html = html if isinstance(html, str) else ""
    base = base_url(shared_tree(html), url)
    root = shared_stripped_tree(html)
    groups = [g for g in shared_groups(root, base, as_of) if g.accepted() and not _in_footer(g.parent)]
    groups += [g for g in _table_groups(root, base, as_of) if g.accepted()]
    # a table group duplicates the generic group of its rows
    table_rows = {item.el for g in groups if g.parent.tag == "table" for item in g.items}
    groups = [g for g in groups if g.parent.tag == "table" or not any(i.el in table_rows for i in g.items)]
    groups.sort(key=lambda g: _doc_index(root, g.parent))
    containers = {g.parent for g in groups}

    blocks: list[HomeBlock] = []
    handled: set[etree._Element] = set()
    for group in groups:
        if group.parent in handled:
            continue
        panel = group.parent
        for _ in range(3):
            parent = panel.getparent()
            if parent is None or parent.tag in {"body", "html"}:
                break
            others = [c for c in parent if _is_el(c) and c is not panel]
            if not all(_only_more(c) for c in others):
                break
            panel = parent
        parent = panel.getparent()
        siblings = (
            [s for s in parent if _is_el(s) and s.tag == panel.tag and s.get("class") == panel.get("class")]
            if parent is not None
            else [panel]
        )
        tab_groups = [
            next((g for g in groups if g.parent is s or _contains(s, g.parent)), None) for s in siblings
        ]
        if len(siblings) >= 2:
            labels = tab_labels(siblings[0], len(siblings), containers, base)
            if labels is not None:
                names, shared_more, _header = labels
                visible_index = next((i for i, s in enumerate(siblings) if not is_hidden(s)), 0)
                for idx, (sibling, tab_group) in enumerate(zip(siblings, tab_groups, strict=True)):
                    if tab_group is None:
                        continue
                    handled.add(tab_group.parent)
                    tab_name, tab_link = names[idx]
                    own_more = _more_in(sibling, base) if sibling is not tab_group.parent else None
                    more = tab_link or own_more or (shared_more if idx == visible_index else None)
                    blocks.append(
                        HomeBlock(
                            tab_name,
                            more,
                            [i.entry() for i in tab_group.items],
                            is_hidden(sibling) or is_hidden(tab_group.parent),
                        )
                    )
                continue
        handled.add(group.parent)
        name, more = _inner_heading(group, base)
        if not name:
            name, more = heading_for(panel, containers - {group.parent}, base)
        blocks.append(HomeBlock(name, more, [i.entry() for i in group.items], is_hidden(group.parent)))
    return blocks


def _only_more(el: etree._Element) -> bool:
    """An element that holds nothing but a 更多 link (a tab panel's own more link beside its list)."""
    anchors = [el] if el.tag == "a" else list(el.iter("a"))
    if not anchors or not all(is_more(a) for a in anchors):
        return False
    rest = element_text(el)
    for anchor in anchors:
        rest = rest.replace(element_text(anchor), "", 1)
    return not rest.strip()


def _contains(outer: etree._Element, inner: etree._Element) -> bool:
    node: etree._Element | None = inner
    while node is not None:
        if node is outer:
            return True
        node = node.getparent()
    return False


def _in_footer(el: etree._Element) -> bool:
    node: etree._Element | None = el
    while node is not None:
        if node.tag == "footer" or re.search(
            r"(?:^|[\s_\-])(?:foot|footer|bottom|copyright)", _cls(node), re.IGNORECASE
        ):
            return True
        node = node.getparent()
    return False


def article_heading(root: etree._Element) -> str:
    """A detail page's heading: the ArticleTitle meta, else the first substantial h1–h3 outside side boxes,
    else the <title> up to its site-name separator."""
    for meta in root.iter("meta"):
        if (meta.get("name") or "").strip().lower() == "articletitle":
            value = collapse(meta.get("content") or "")
            if value:
                return value
    for tag in ("h1", "h2", "h3"):
        for head in root.iter(tag):
            if not in_side_region(head):
                value = element_text(head)
                if len(value) >= 4:
                    return value
    title = page_title_from_tree(root)
    return re.split(r"\s*[_|｜]\s*|\s+-\s+", title)[0] if title else ""
