"""DOM helpers shared by the extractors: classes, hidden and side regions, absolute URLs, link titles,
noise stripping, and a page's own names (column name, article heading).

Pure functions over lxml trees; none changes the tree it reads except `strip_noise`.
"""

from __future__ import annotations

import functools
import re
from urllib.parse import urljoin, urlsplit, urlunsplit

from lxml import etree

from govsites.extract.dates import find_dates
from govsites.extract.links import URL_CACHE_SIZE, memo_base
from govsites.extract.text import collapse, element_text, page_title_from_tree

#: the text of a 更多 (more) link
MORE_TEXT = re.compile(r"^(?:\+|＋)?\s*(?:更多|查看更多|更多信息|更多内容|more|MORE|More)?\s*(?:[>》»＞+]+)?$")
#: the text of a pager link (page numbers, 首页/尾页/上一页/下一页 ...)
PAGER_TEXT = re.compile(
    r"^(?:\d{1,4}|首页|尾页|末页|上一页|下一页|上页|下页|前一页|后一页|跳转|GO|go|确定|\.\.\.|…|<<|>>|«|»|<|>|"
    r"第一页|最后一页|next|prev|previous|first|last)$",
    re.IGNORECASE,
)
_SIDE_HINT = re.compile(
    r"(?:^|[\s_\-])(?:foot|footer|bottom|copyright|nav|navbar|menu|daohang|dh|related|relate|xgxx|xglj|xgwz|"
    r"hot|rank|paihang|phb|side|sidebar|aside|friend|yqlj|link|links|breadcrumb|crumb)(?:$|[\s_\-\d])",
    re.IGNORECASE,
)
_NAV_HINT = re.compile(
    r"(?:^|[\s_\-])(?:nav|navs|navbar|menu|menus|submenu|sub-menu|dropdown|daohang|dh|topnav|mainnav|"
    r"top-nav|main-nav|subnav|mainmenu|topmenu|leftmenu|navmenu|lanmu|column|channel|sx-list|header)(?:$|[\s_\-\d])",
    re.IGNORECASE,
)


def classes(el: etree._Element) -> str:
    """The element's class and id attributes, as one string for class-name patterns."""
    return f"{el.get('class') or ''} {el.get('id') or ''}".strip()


def is_element(node: object) -> bool:
    """An element (not a comment or processing instruction)."""
    return isinstance(node, etree._Element) and isinstance(node.tag, str)


def base_url(root: etree._Element, url: str) -> str:
    """The URL relative links of the page resolve against: ``<base href>``, else the page's URL."""
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
        if not is_element(child):
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
        not text or text.endswith(("...", "…", "..", "……")) or (len(title) > len(text) and title.startswith(text[:4]))
    ):
        return title
    return text or title


def in_side_region(el: etree._Element) -> bool:
    """Inside navigation, a footer, an aside, a select, or a box whose class says side/related/links."""
    node: etree._Element | None = el
    depth = 0
    while node is not None and depth < 12:
        if node.tag in {"nav", "footer", "aside", "select"}:
            return True
        if _SIDE_HINT.search(classes(node)):
            return True
        node = node.getparent()
        depth += 1
    return False


def in_nav(el: etree._Element) -> bool:
    """Inside a navigation menu or page header (by tag, or a nav/menu/lanmu class)."""
    node: etree._Element | None = el
    depth = 0
    while node is not None and depth < 10:
        if node.tag in {"nav", "header"} or _NAV_HINT.search(f"{node.get('class') or ''} {node.get('id') or ''}"):
            return True
        node = node.getparent()
        depth += 1
    return False


def in_footer(el: etree._Element) -> bool:
    node: etree._Element | None = el
    while node is not None:
        if node.tag == "footer" or re.search(
            r"(?:^|[\s_\-])(?:foot|footer|bottom|copyright)", classes(node), re.IGNORECASE
        ):
            return True
        node = node.getparent()
    return False


def ancestor_class(el: etree._Element, pattern: re.Pattern[str], depth: int = 12) -> bool:
    """``el`` or one of its ancestors below <body> has a class/id matching ``pattern``."""
    node: etree._Element | None = el
    while node is not None and depth > 0:
        if node.tag in {"body", "html"}:
            return False
        if pattern.search(classes(node)):
            return True
        node = node.getparent()
        depth -= 1
    return False


def contains(outer: etree._Element, inner: etree._Element) -> bool:
    """``inner`` is ``outer`` or lies inside it."""
    node: etree._Element | None = inner
    while node is not None:
        if node is outer:
            return True
        node = node.getparent()
    return False


def contains_any(el: etree._Element, nodes: set[etree._Element]) -> bool:
    return any(node in nodes for node in el.iter())


def nearest(el: etree._Element, tag: str) -> etree._Element | None:
    """The nearest ancestor with this tag."""
    node = el.getparent()
    while node is not None:
        if node.tag == tag:
            return node
        node = node.getparent()
    return None


def doc_index(root: etree._Element, el: etree._Element) -> int:
    """The position of ``el`` in document order (0 when it is not in the tree)."""
    for idx, node in enumerate(root.iter()):
        if node is el:
            return idx
    return 0


def strip_noise(root: etree._Element) -> None:
    """Remove script, style, noscript, template, select, textarea and comments (keeping comment tails)."""
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


# ---------------------------------------------------------------------------------------------
# a page's own names: column name (meta ColumnName, else breadcrumb) and article heading

_CRUMB_LABEL = re.compile(
    r"(?:当前位置|您的位置|你的位置|您现在的位置|你现在的位置|所在位置|当前页面|现在位置)\s*[:：]?"
)
_CRUMB_SEP = re.compile(r"\s*(?:>|＞|»|›|→|->|-&gt;|/|》|\\|>>)\s*")


def column_name_from_tree(root: etree._Element) -> str:
    """ColumnName meta, else the breadcrumb's last item (当前位置 ... / a.CurrChnlCls), else ''."""
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
        if not is_element(el) or el.tag in {"script", "style", "title", "head", "html", "body"}:
            continue
        own = collapse(el.text or "")
        crumb_class = re.search(r"crumb|position|location|weizhi|dqwz|mbx|lujing", classes(el), re.IGNORECASE)
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
