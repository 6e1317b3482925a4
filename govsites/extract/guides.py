"""办事指南 (service guide) pages: which required elements they show, and their forms.

Pure functions (lxml only, no Scrapy); they never raise on any input. The records feed
:class:`govsites.items.GuideItem`. An element counts as present only when its label (or a synonym) is
marked up as a label and is followed by real content:

* a table cell (``<th>``/``<td>``) whose text is the label, with content in the next cell(s) of the row
  (or in the next row when the label cell stands alone);
* ``<strong>``/``<b>``/``<h1>``..``<h6>``/``<dt>``/``<label>`` holding the label, with content after it in
  the same block, or in the following blocks (``<dd>`` after ``<dt>``);
* a line that starts with ``label：`` (numbering such as ``一、`` or ``1.`` allowed).

An empty cell, or content that is only 无/暂无/—, counts as missing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from lxml import etree

from govsites.extract.dom import absolute, article_heading, in_nav, in_side_region
from govsites.extract.page import Page
from govsites.extract.text import collapse, element_text

GUIDE_ELEMENTS: tuple[str, ...] = (
    "事项名称",
    "设定依据",
    "申请条件",
    "办理材料",
    "办理地点",
    "办理时间",
    "联系电话",
    "办理流程",
)
ELEMENT_SYNONYMS: dict[str, tuple[str, ...]] = {
    "事项名称": ("项目名称", "审批事项", "服务事项", "事项", "审批项目", "服务名称", "审批项目名称"),
    "设定依据": ("法律依据", "办理依据", "政策依据", "实施依据", "审批依据", "法定依据", "依据"),
    "申请条件": ("受理条件", "办理条件", "申请人条件", "准予许可的条件", "申报条件", "受理范围"),
    "办理材料": ("申请材料", "申报材料", "所需材料", "提交材料", "申请材料目录", "材料清单", "办事材料"),
    "办理地点": ("受理地点", "办公地点", "窗口地址", "受理窗口", "办事地点", "办理地址", "受理地址"),
    "办理时间": ("受理时间", "办公时间", "工作时间", "办事时间"),
    "联系电话": ("咨询电话", "联系方式", "监督电话", "咨询方式", "咨询投诉电话"),
    "办理流程": ("办事流程", "办理程序", "流程图", "办理流程图", "审批流程", "办事程序", "审批程序"),
}
FORM_EXT: tuple[str, ...] = (".doc", ".docx", ".xls", ".xlsx", ".pdf", ".wps", ".et", ".zip", ".rar")

_EMPTY = re.compile(
    r"^[\s:：;；,，.。、/\\\-—–_()（）]*(?:无|暂无|空|暂无信息|暂无内容|待定|略|不详)?[\s:：;；,，.。、/\\\-—–_]*$"
)
_NUMBERING = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]|\d{1,2}[、.．)]|[（(][一二三四五六七八九十\d]+[)）])\s*")
_LABEL_TAGS = frozenset({"th", "td", "strong", "b", "h1", "h2", "h3", "h4", "h5", "h6", "dt", "label"})
_BLOCK_TAGS = frozenset({"p", "div", "li", "td", "th", "dd", "section", "article", "h1", "h2", "h3", "h4", "h5", "h6"})
_GUIDE_TITLE = re.compile(r"办事指南|服务指南|办理指南|申请指南|办事须知|指南")
_FORM_TEXT = re.compile(r"表格下载|附件|下载|申请表|登记表|申请书|模板|范本|样表|表格")
_COLUMN_INDEX = re.compile(r"/(?:index(?:_\d+)?\.s?html?|default\.s?html?)?$|/col/col\d+/", re.IGNORECASE)
_MAX_CONTENT_BLOCKS = 6


def _labels_for(elements: Sequence[str]) -> list[tuple[str, str]]:
    """(label, element) pairs, longest label first (办理流程图 before 办理流程)."""
    pairs = []
    for element in elements:
        pairs.append((element, element))
        pairs.extend((syn, element) for syn in ELEMENT_SYNONYMS.get(element, ()))
    return sorted(pairs, key=lambda pair: len(pair[0]), reverse=True)


def _match_label(text: str, labels: list[tuple[str, str]]) -> str | None:
    """The element whose label ``text`` is (numbering, colon and a short suffix allowed)."""
    text = _NUMBERING.sub("", collapse(text)).replace(" ", "").rstrip(":：")
    if not text or len(text) > 12:
        return None
    for label, element in labels:
        if text == label or (text.startswith(label) and len(text) <= len(label) + 3 and len(label) >= 4):
            return element
    return None


def _has_content(text: str) -> bool:
    return not _EMPTY.match(collapse(text))


def _tag(el: etree._Element) -> str:
    return el.tag if isinstance(el.tag, str) else ""


def _after_in_parent(el: etree._Element) -> str:
    """Text that follows ``el`` inside its parent block."""
    parent = el.getparent()
    if parent is None:
        return collapse(el.tail or "")
    parts = [el.tail or ""]
    node = el.getnext()
    while node is not None:
        parts.append(element_text(node) if _tag(node) else "")
        parts.append(node.tail or "")
        node = node.getnext()
    return collapse(" ".join(parts))


def _following_blocks(block: etree._Element, labels: list[tuple[str, str]]) -> str:
    """Text of the blocks after ``block`` (its siblings) up to the next label."""
    parts: list[str] = []
    node = block.getnext()
    count = 0
    while node is not None and count < _MAX_CONTENT_BLOCKS:
        if _tag(node):
            if _starts_with_label(node, labels):
                break
            parts.append(element_text(node))
            count += 1
        node = node.getnext()
    return collapse(" ".join(parts))


def _starts_with_label(el: etree._Element, labels: list[tuple[str, str]]) -> bool:
    text = element_text(el)
    if _match_label(text, labels):
        return True
    head = re.split(r"[:：]", text, maxsplit=1)
    if len(head) == 2 and _match_label(head[0], labels):
        return True
    return any(_tag(c) in _LABEL_TAGS and _match_label(element_text(c), labels) for c in el.iter() if c is not el)


def _cell_content(cell: etree._Element) -> str:
    row = cell.getparent()
    if row is None:
        return ""
    after = []
    node = cell.getnext()
    while node is not None:
        if _tag(node) in {"td", "th"}:
            after.append(element_text(node))
        node = node.getnext()
    if after:
        return collapse(" ".join(after))
    cells = [c for c in row if _tag(c) in {"td", "th"}]
    if len(cells) == 1:
        nxt = row.getnext()
        while nxt is not None and not _tag(nxt):
            nxt = nxt.getnext()
        if nxt is not None and _tag(nxt) == "tr":
            return element_text(nxt)
    return ""


def _label_content(el: etree._Element, labels: list[tuple[str, str]]) -> str:
    tag = _tag(el)
    if tag in {"th", "td"}:
        return _cell_content(el)
    if tag == "dt":
        parts = []
        node = el.getnext()
        while node is not None and _tag(node) != "dt":
            if _tag(node) == "dd":
                parts.append(element_text(node))
            node = node.getnext()
        return collapse(" ".join(parts))
    inline = _after_in_parent(el)
    if inline.strip(" :："):
        return inline  # content (or an explicit 无) right after the label
    # a heading-like label alone in its block: the content is in the following blocks
    block = el
    while block.getparent() is not None and _tag(block) not in _BLOCK_TAGS:
        block = block.getparent()
    if tag in {"h1", "h2", "h3", "h4", "h5", "h6"}:
        block = el
    elif collapse(element_text(block)).rstrip(":：") != collapse(element_text(el)).rstrip(":："):
        return inline
    return _following_blocks(block, labels)


def _findings(root: etree._Element, elements: Sequence[str]) -> dict[str, bool]:
    """element -> has content, for every element whose label occurs as a label."""
    labels = _labels_for(elements)
    found: dict[str, bool] = {}

    def note(element: str, content: str) -> None:
        found[element] = found.get(element, False) or _has_content(content)

    for el in root.iter():
        tag = _tag(el)
        if not tag or in_side_region(el):
            continue
        if tag in _LABEL_TAGS:
            text = element_text(el)
            element = _match_label(text, labels)
            if element is not None and len(el) <= 2:
                note(element, _label_content(el, labels))
                continue
        if tag in _BLOCK_TAGS | {"dd", "span"}:
            # "label：content" at the start of a block's own text
            own = collapse(el.text or "")
            if not own:
                continue
            head, sep, rest = own.partition("：") if "：" in own else own.partition(":")
            if not sep:
                continue
            element = _match_label(head, labels)
            if element is None:
                continue
            content = collapse(rest + " " + _after_children(el))
            if not content.strip(" :："):
                content = _following_blocks(el, labels)
            note(element, content)
    return found


def _after_children(el: etree._Element) -> str:
    parts = []
    for child in el:
        if _tag(child):
            parts.append(element_text(child))
        parts.append(child.tail or "")
    return collapse(" ".join(parts))


def guide_elements(page: Page, elements: Sequence[str] = GUIDE_ELEMENTS) -> tuple[list[str], list[str]]:
    """(present, missing) element names, in the order of ``elements``."""
    try:
        wanted = [e for e in elements if isinstance(e, str) and e]
        found = _findings(page.stripped, wanted)
    except (ValueError, TypeError, RecursionError):  # pragma: no cover - defensive
        found = {}
        wanted = [e for e in elements if isinstance(e, str) and e]
    present = [e for e in wanted if found.get(e)]
    return present, [e for e in wanted if not found.get(e)]


def _heading(root: etree._Element) -> str:
    return article_heading(root)


def is_guide_page(page: Page) -> bool:
    """A 办事指南 detail page: its title names a guide (不是栏目名本身), or it shows >= 3 element labels."""
    try:
        root = page.stripped
        heading = _heading(root).replace(" ", "")
        bare = _GUIDE_TITLE.sub("", heading).strip("_-|｜ ")
        if heading and _GUIDE_TITLE.search(heading) and len(bare) >= 2:
            return True
        return len(_findings(root, GUIDE_ELEMENTS)) >= 3
    except (ValueError, TypeError, RecursionError):  # pragma: no cover - defensive
        return False


def _is_form_url(url: str) -> bool:
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    path, query = parts.path.lower(), parts.query.lower()
    if path.endswith(FORM_EXT):
        return True
    if re.search(r"downfile|download\.(?:jsp|aspx?|php)|/download/", path):
        return True
    return bool(re.search(r"(?:file|filename|name)=[^&]*\.(?:pdf|docx?|xlsx?|zip|rar|wps|et)\b", query))


def guide_forms(page: Page) -> list[str]:
    """Absolute URLs of the forms and attachments a guide offers (表格下载, 附件, office/pdf/archive files)."""
    try:
        base = page.base
        root = page.stripped
        out: list[str] = []
        for anchor in root.iter("a"):
            link = absolute(anchor.get("href") or "", base)
            if link is None or link in out:
                continue
            if in_side_region(anchor) or in_nav(anchor):
                continue
            if _is_form_url(link):
                out.append(link)
                continue
            text = collapse(anchor.text_content()) + " " + collapse(anchor.get("title") or "")
            try:
                path = link.split("://", 1)[-1].split("/", 1)[-1]
            except IndexError:  # pragma: no cover - split always yields parts
                path = ""
            if _FORM_TEXT.search(text) and not _COLUMN_INDEX.search("/" + path.split("?")[0]):
                out.append(link)
        return out
    except (ValueError, TypeError, RecursionError):  # pragma: no cover - defensive
        return []
