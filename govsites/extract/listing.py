"""Column list pages and home-page blocks: a `Page` -> dated entries.

The list extractor picks the page's main list among the item groups (`govsites.extract.groups`): the
accepted group with the best score, with its like-classed sibling groups; Hanweb ``<datastore>`` records
and JSON-in-script arrays are read by `govsites.extract.scriptdata`. A dated box beside an empty list
(热点, 最新, 相关 ...) is not the column's list. Pure functions (lxml only, no Scrapy).
"""

from __future__ import annotations

import re

from lxml import etree

from govsites.extract.blocks import heading_for, inner_heading
from govsites.extract.dates import find_dates
from govsites.extract.dom import (
    ancestor_class,
    classes,
    column_name_from_tree,
    contains,
    doc_index,
    in_side_region,
    is_element,
    is_hidden,
)
from govsites.extract.entries import HomeBlock, ListEntry, ListPage
from govsites.extract.groups import Group, table_groups
from govsites.extract.links import is_article_url
from govsites.extract.page import Page
from govsites.extract.pagination import has_pager, next_pages
from govsites.extract.scriptdata import DATASTORE, attr_render_hints, json_lists, parse_datastore_xml, script_texts
from govsites.extract.text import NEIGHBOUR_LINKS, SOURCE_LABEL, collapse, element_text, page_title_from_tree

__all__ = [
    "EMPTY_LINE",
    "EMPTY_PHRASES",
    "HomeBlock",
    "ListEntry",
    "ListPage",
    "extract_blocks",
    "extract_list",
]

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
_LIST_HINT = re.compile(r"list|lb|news|xxgk|article|content|con|main|info|item|data", re.IGNORECASE)


def _group_heading(group: Group, containers: set[etree._Element], base: str) -> str:
    panel = group.parent
    for _ in range(3):
        parent = panel.getparent()
        if parent is None or sum(1 for c in parent if is_element(c)) != 1:
            break
        panel = parent
    name, _more = heading_for(panel, containers - {group.parent}, base)
    if not name:
        name = inner_heading(group, base)[0]
    return name


def _side_group(group: Group, containers: set[etree._Element], base: str, page_names: str) -> bool:
    """A side box (related, hot, newest, ranking): by tag/class, or by a 热点/最新/推荐 heading that is
    not the page's own column name."""
    if in_side_region(group.parent) or ancestor_class(group.parent, _SIDE_BOX):
        return True
    heading = _group_heading(group, containers, base)
    return bool(heading and _SIDE_HEADING.search(heading) and not _own_heading(heading, page_names))


def _own_heading(heading: str, page_names: str) -> bool:
    """The heading names the page's own column: equal to it, its breadcrumb (当前位置：首页 > 专题专栏), or
    containing the column name (a 专题专栏 column's list is its main list, whatever the word 专题 suggests)."""
    last = re.split(r"[>»＞/]", heading)[-1].strip()
    names = [n for n in page_names.split() if len(n) >= 2]
    return heading in page_names or bool(last and last in page_names) or any(n in heading for n in names)


def _looks_article(page: Page, best: Group | None) -> bool:
    root = page.raw
    metas = {(m.get("name") or "").strip().lower() for m in root.iter("meta")}
    if "articletitle" in metas or is_article_url(page.url):
        return True
    prose = sum(len(t) for t in (element_text(p) for p in root.iter("p")) if len(t) >= 40)
    dated = best.text_dated if best is not None else 0
    if (prose >= 300 and dated < 5) or (prose >= 1500 and dated < 10):
        return True
    # a short article: one info line (a date and 来源：) under its title, or links to the previous and next
    # articles, whatever the prose length; a side box of the column's latest items does not make it a list
    text = page.text
    if dated < 10 and NEIGHBOUR_LINKS.search(text):
        return True
    info_lines = [
        line for line in text.split("\n") if len(line) <= 100 and SOURCE_LABEL.search(line) and find_dates(line)
    ]
    return len(info_lines) == 1 and dated < 5 and root.find(".//h1") is not None


def _empty_containers(root: etree._Element) -> list[etree._Element]:
    """List containers left empty: an empty ul/ol/tbody (or a list-classed div) in the main region,
    a ul whose class or parent's class says it holds the list."""
    out: list[etree._Element] = []
    for el in root.iter("ul", "ol", "tbody", "div", "table", "dl"):
        if in_side_region(el):
            continue
        hinted = bool(_LIST_HINT.search(classes(el)))
        parent = el.getparent()
        if not hinted and el.tag in {"ul", "ol", "tbody", "dl", "table"} and parent is not None:
            hinted = bool(re.search(r"list|lb|news|article|item|data", classes(parent), re.IGNORECASE))
        if not hinted:
            continue
        bare_list = el.tag in {"ul", "ol", "dl"} and not any(is_element(c) for c in el)
        bare_div = el.tag == "div" and len(el) == 0 and bool(re.search(r"list", classes(el), re.IGNORECASE))
        if ((bare_list or bare_div) and not collapse(el.text_content())) or _header_only(el):
            out.append(el)
    return out


def _header_only(el: etree._Element) -> bool:
    """A list table (or its tbody) with its header row and no row under it (序号 标题 发布日期, then nothing):
    an information-disclosure list left empty."""
    if el.tag not in {"table", "tbody"}:
        return False
    heads = list(el.iter("th"))
    return bool(heads) and not any(collapse(cell.text_content()) for cell in el.iter("td"))


_DIGITS = re.compile(r"\d+")


def _same_list(other: etree._Element, container: etree._Element) -> bool:
    """``other`` continues the list in ``container``: a sibling, or a list in a sibling wrapper of the same tag and
    class (digits aside: box1, box2): eight ``ul`` of five items in sibling ``div``s are one list of forty."""
    parent = container.getparent()
    wrapper = other.getparent()
    if wrapper is parent:
        return True
    if wrapper is None or parent is None or wrapper.getparent() is not parent.getparent() or wrapper.tag != parent.tag:
        return False
    return _DIGITS.sub("", classes(wrapper)) == _DIGITS.sub("", classes(parent)) and len(wrapper) == len(parent) == 1


def _placeholder(container: etree._Element, best: Group) -> bool:
    """An empty container that says nothing about the column's main list: a hidden one (a second tab, a
    template slot), or another slot of the dated box's own widget (same tag and class as the box's list or one of
    its three nearest ancestors: he.news.cn's six empty div.xpage-content-list beside the filled one)."""
    if is_hidden(container) or any(is_hidden(a) for a in container.iterancestors()):
        return True
    widget = [best.parent, *list(best.parent.iterancestors())[:3]]
    name = classes(container)
    return bool(name) and any(el.tag == container.tag and classes(el) == name for el in widget)


def _empty_statements(root: etree._Element) -> list[etree._Element]:
    """Small elements that say the column is empty (暂无信息, 没有找到相关记录, 栏目建设中, 共0条)."""
    out: list[etree._Element] = []
    for el in root.iter():
        if not is_element(el) or el.tag in {"html", "body", "a", "option"}:
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


def extract_list(page: Page) -> ListPage:
    """The main article list of a column page (not navigation, footer lists, link selects or related
    boxes). Articles give ``entries == []`` and ``empty == False``."""
    return page.reuse("list", lambda: _read_list(page), dated=True)


def _read_list(page: Page) -> ListPage:
    html, url, as_of = page.html, page.url, page.as_of
    raw_root = page.raw
    base = page.base
    name = column_name_from_tree(raw_root)
    scripts, has_scripts, render_hint = script_texts(raw_root)
    render_hint = render_hint or attr_render_hints(html)

    # 1. Hanweb inline datastore (first page inside <script type="text/xml">)
    store_match = DATASTORE.search(html)
    if store_match:
        store = parse_datastore_xml(store_match.group(0), base, as_of)
        if store.entries or store.empty:
            return ListPage(store.entries, not store.entries, store.next_pages, True, False, name)

    root = page.stripped
    all_groups = list(page.groups)
    groups = [g for g in all_groups if g.accepted()]
    groups += [g for g in table_groups(root, base, as_of) if g.accepted()]
    best = max(
        groups,
        key=lambda g: (g.score() * (1.2 if g.parent.tag == "table" else 1.0), g.header),
        default=None,
    )
    if best is None:
        undated = [g for g in all_groups if g.undated_list()]
        best = max(undated, key=lambda g: len(g.items), default=None)
        # its sibling parts (a list split over containers; the last part may hold one item) join it below
        groups = [g for g in all_groups if g.undated_list(min_items=1)]
    if _looks_article(page, best):
        return ListPage([], False, [], has_scripts, False, name)

    entries: list[ListEntry] = []
    if best is not None:
        chosen = [best]
        parent = best.parent.getparent()
        if parent is not None and best.parent.tag != "table":
            for group in groups:
                if group is best or not _same_list(group.parent, best.parent):
                    continue
                if (
                    group.parent.tag == best.parent.tag
                    and group.parent.get("class") == best.parent.get("class")
                    and not is_hidden(group.parent)
                    and not is_hidden(best.parent)
                ):
                    chosen.append(group)
        chosen.sort(key=lambda g: doc_index(root, g.parent))
        for group in chosen:
            entries.extend(item.entry() for item in group.items)

    if not entries:
        found = json_lists(scripts, base, as_of)
        if found:
            entries = max(found, key=len)

    visible = element_text(root.find("body") if root.find("body") is not None else root)
    statements = _empty_statements(root)
    says_empty = bool(EMPTY_PHRASES.search(visible)) or bool(statements)
    if entries and best is not None and best.parent.tag != "table":
        containers = {g.parent for g in all_groups if g.accepted()}
        page_names = f"{name} {page_title_from_tree(raw_root)}"
        side = _side_group(best, containers, base, page_names)
        heading = _group_heading(best, containers, base)
        placed_aside = ancestor_class(best.parent, _SIDE_POSITION) and not (
            heading and _own_heading(heading, page_names)
        )
        if side or placed_aside:
            # the dated box is beside the list: the list itself says it is empty, or is an empty container
            # (a 暂无 inside another side box says nothing about the column)
            evidence = [
                e
                for e in statements + [c for c in _empty_containers(root) if not _placeholder(c, best)]
                if not contains(best.parent, e) and not in_side_region(e) and not ancestor_class(e, _SIDE_BOX)
            ]
            if evidence or (side and says_empty):
                entries = []
                says_empty = True
            elif side and not any(g is not best and g.accepted() for g in groups):
                entries = []  # only a side box is dated: the page has no list of its own
    following = next_pages(html, root, base, url) if entries or not says_empty else []
    if entries:
        return ListPage(entries, False, following, has_scripts, False, name)
    if says_empty:
        return ListPage([], True, [], has_scripts, False, name)
    needs_render = has_scripts and render_hint
    if needs_render:
        return ListPage([], False, following, has_scripts, True, name)
    empty = bool(_empty_containers(root)) or has_pager(root)
    return ListPage([], empty, [] if empty else following, has_scripts, False, name)


def extract_blocks(page: Page) -> list[HomeBlock]:
    """The dated item blocks of a home (portal) page: block name, 更多 link, entries, hidden tab."""
    return list(page.blocks)
