"""Home-page blocks: the dated item groups of a portal page, named by their headings or tab labels, with
their 更多 (more) links; also the heading and tab readers column discovery uses."""

from __future__ import annotations

import dataclasses
import re
from datetime import date

from lxml import etree

from govsites.extract.dates import find_dates
from govsites.extract.dom import (
    MORE_TEXT,
    absolute,
    classes,
    contains,
    contains_any,
    doc_index,
    in_footer,
    is_element,
    is_hidden,
)
from govsites.extract.entries import HomeBlock, ListEntry
from govsites.extract.groups import Group, Item, table_groups
from govsites.extract.text import collapse, element_text


def is_more(anchor: etree._Element) -> bool:
    """A 更多 / more link (by text, class, title or a 'more' image)."""
    text = collapse(anchor.text_content())
    cls = classes(anchor).lower()
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
        if is_element(node) and re.search(r"tit|title|hd|head|bt|name|lm", classes(node), re.IGNORECASE):
            text = _clean_heading(element_text(node))
            if text:
                return text
    return _clean_heading(element_text(el))


def _clean_heading(text: str) -> str:
    text = re.sub(r"(?:查看)?更多\s*[>》»＞+]*|more\s*[>》»＞+]*|[>》»＞]{2,}|\+$", " ", text, flags=re.IGNORECASE)
    text = collapse(text)
    return text if 0 < len(text) <= 24 else ""


def _more_in(el: etree._Element, base: str) -> str | None:
    for anchor in el.iter("a"):
        if is_more(anchor):
            link = absolute(anchor.get("href") or "", base)
            if link:
                return link
    return None


def heading_for(container: etree._Element, stop_nodes: set[etree._Element], base: str) -> tuple[str, str | None]:
    """Name and 更多 link for a list container: preceding siblings, climbing a few levels."""
    node = container
    more: str | None = None
    for _ in range(4):
        prev = node.getprevious()
        while prev is not None:
            if is_element(prev):
                if prev in stop_nodes or contains_any(prev, stop_nodes):
                    break  # a block of its own: its heading is not ours
                if more is None:
                    more = _more_in(prev, base)
                text = _heading_text(prev)
                if text:
                    if more is None:
                        for anchor in prev.iter("a"):
                            link = absolute(anchor.get("href") or "", base)
                            if link and collapse(anchor.text_content()) and text in collapse(anchor.text_content()):
                                more = link
                                break
                    return text, more
            prev = prev.getprevious()
        nxt = node.getnext()
        while more is None and nxt is not None:
            if is_element(nxt) and nxt not in stop_nodes:
                more = _more_in(nxt, base) if len(element_text(nxt)) <= 12 else None
            nxt = nxt.getnext()
        parent = node.getparent()
        if parent is None or parent.tag in {"body", "html"}:
            break
        if any(s is not node and contains_any(s, stop_nodes) for s in parent if is_element(s)):
            # the parent holds other blocks too: only direct preceding siblings count
            return "", more
        node = parent
    return "", more


def tab_labels(
    panel: etree._Element, count: int, stop_nodes: set[etree._Element], base: str
) -> tuple[list[tuple[str, str | None]], str | None, etree._Element] | None:
    """Labels of a tab header with ``count`` tabs (and its shared 更多 link)."""
    node = panel
    for _ in range(3):
        prev = node.getprevious()
        candidates = []
        while prev is not None:
            if is_element(prev) and prev not in stop_nodes:
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


def inner_heading(group: Group, base: str) -> tuple[str, str | None]:
    """A heading inside the list container itself, before its first item (``<dl><dt>通知公告 更多</dt><dd>…``,
    ``<ul><li class="title">…</li><li>…``, a table's first row)."""
    items = {item.el for item in group.items}
    for child in group.parent:
        if not is_element(child):
            continue
        if child in items or any(contains(child, i) for i in items):
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


def home_blocks(root: etree._Element, base: str, groups: list[Group], as_of: date) -> list[HomeBlock]:
    """The dated item blocks of a home (portal) page: block name, 更多 link, entries, hidden tab.

    ``root`` is the stripped tree and ``groups`` its `collect_groups` (read, not changed).
    """
    groups = [g for g in groups if g.accepted() and not in_footer(g.parent)]
    groups += [g for g in table_groups(root, base, as_of) if g.accepted()]
    # a table group duplicates the generic group of its rows
    table_rows = {item.el for g in groups if g.parent.tag == "table" for item in g.items}
    groups = [g for g in groups if g.parent.tag == "table" or not any(i.el in table_rows for i in g.items)]
    groups.sort(key=lambda g: doc_index(root, g.parent))
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
            others = [c for c in parent if is_element(c) and c is not panel]
            if not all(_only_more(c) for c in others):
                break
            panel = parent
        parent = panel.getparent()
        siblings = (
            [s for s in parent if is_element(s) and s.tag == panel.tag and s.get("class") == panel.get("class")]
            if parent is not None
            else [panel]
        )
        tab_groups = [next((g for g in groups if g.parent is s or contains(s, g.parent)), None) for s in siblings]
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
        entries = [i.entry() for i in group.items]
        following = _featured_list(group, groups)
        if following is not None:
            # a featured headline (image, summary) followed by its list: one block
            handled.add(following.parent)
            entries = [_featured_entry(group.items[0], as_of)] + [i.entry() for i in following.items]
        name, more = inner_heading(group, base)
        if not name:
            name, more = heading_for(panel, containers - {group.parent}, base)
        blocks.append(HomeBlock(name, more, entries, is_hidden(group.parent)))
    return blocks


def _featured_list(group: Group, groups: list[Group]) -> Group | None:
    """The list a featured headline leads: ``group`` is one item with an image or a summary paragraph, and the
    next group's list sits in the same container, right after it."""
    if len(group.items) != 1:
        return None
    item = group.items[0].el
    if not any(True for _ in item.iter("img", "p")):
        return None
    nxt = item.getnext()
    while nxt is not None and not is_element(nxt):
        nxt = nxt.getnext()
    if nxt is None:
        return None
    following = [g for g in groups if g is not group and (g.parent is nxt or contains(nxt, g.parent))]
    return min(following, key=lambda g: doc_index(nxt, g.parent), default=None)


def _featured_entry(item: Item, as_of: date) -> ListEntry:
    """A featured headline as an entry, dated by its date field (a short element holding a date) or its URL,
    never by the dates its summary text quotes."""
    entry = item.entry()
    for el in item.el.iter():
        if not is_element(el) or len(el) > 0:
            continue
        own = element_text(el)
        found = find_dates(own, as_of) if own and len(own) <= 22 else []
        if found:
            return dataclasses.replace(entry, date=found[0], date_source="list")
    if item.url_date is not None:
        return dataclasses.replace(entry, date=item.url_date, date_source="url")
    return dataclasses.replace(entry, date=None, date_source="")


def _only_more(el: etree._Element) -> bool:
    """An element that holds nothing but a 更多 link (a tab panel's own more link beside its list)."""
    anchors = [el] if el.tag == "a" else list(el.iter("a"))
    if not anchors or not all(is_more(a) for a in anchors):
        return False
    rest = element_text(el)
    for anchor in anchors:
        rest = rest.replace(element_text(anchor), "", 1)
    return not rest.strip()
