"""Decoding page bytes and reading the visible text of an HTML page.

Pure functions, no Scrapy. ``parse_html`` is the one lenient HTML entry point shared by the other
extract modules (it never raises, whatever the input).
"""

from __future__ import annotations

import codecs
import re

import lxml.html
from lxml import etree

_GB_NAMES = {
    "gb2312",
    "gb_2312",
    "gb_2312-80",
    "gb2312-80",
    "gbk",
    "x-gbk",
    "cp936",
    "ms936",
    "windows-936",
    "euc-cn",
    "euccn",
    "x-euc-cn",
    "csgb2312",
    "iso-ir-58",
    "chinese",
    "gb18030",
    "gb-18030",
    "hz-gb-2312",
}
_WEAK_NAMES = {"iso-8859-1", "latin-1", "latin1", "us-ascii", "ascii", "windows-1252", "cp1252", "iso8859-1"}

_META_CHARSET = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.IGNORECASE)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")

#: tags whose content is never shown
_INVISIBLE = frozenset({"script", "style", "noscript", "template", "head"})
#: block-level tags: a line break before and after
_BLOCK = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "br",
        "caption",
        "center",
        "dd",
        "details",
        "dialog",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "html",
        "li",
        "main",
        "nav",
        "ol",
        "option",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "td",
        "th",
        "thead",
        "tfoot",
        "title",
        "tr",
        "ul",
    }
)


def _normalize_charset(name: str | None) -> str | None:
    """A Python codec name for a declared charset, GB family mapped to gb18030; None if unknown."""
    if not name:
        return None
    low = name.strip().strip("\"'").lower()
    if not low:
        return None
    if low in _GB_NAMES or low.startswith("gb"):
        return "gb18030"
    if low in {"utf8", "utf-8", "unicode-1-1-utf-8", "x-unicode20utf8"}:
        return "utf-8"
    try:
        return codecs.lookup(low).name
    except LookupError:
        return None


def _bad_decode(body: bytes, encoding: str) -> tuple[str, bool]:
    """Decode with replacement; also say whether it failed badly (many replacement chars)."""
    try:
        text = body.decode(encoding, errors="replace")
    except LookupError:
        return "", True
    bad = text.count("\ufffd") - body.decode("latin-1").count("\ufffd")
    non_ascii = sum(1 for ch in text if ord(ch) > 127) or 1
    return text, bad > 3 and bad / non_ascii > 0.005


def _strict(body: bytes, encoding: str) -> str | None:
    try:
        return body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _content_guess(body: bytes) -> tuple[str, str]:
    if body.startswith(codecs.BOM_UTF8):
        return body[3:].decode("utf-8", errors="replace"), "utf-8"
    if body.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return body.decode("utf-16", errors="replace").lstrip("\ufeff"), "utf-16"
    text = _strict(body, "utf-8")
    if text is not None:
        return text, "utf-8"
    return body.decode("gb18030", errors="replace"), "gb18030"


def _has_multibyte_utf8(body: bytes) -> bool:
    return any(b > 0x7F for b in body) and _strict(body, "utf-8") is not None


def decode_body(body: bytes, header_charset: str | None = None) -> tuple[str, str]:
    """(text, encoding). Order: HTTP header charset, then ``<meta charset>`` / ``<meta http-equiv>`` in
    the first 4 KB, then BOM, then utf-8 if it decodes, else gb18030.

    The GB family (gb2312, gbk, gb_2312-80 ...) is decoded as gb18030, a superset. A declared charset that
    fails badly (many replacement characters) falls back to the content-based guess, and bytes that are
    valid multi-byte UTF-8 are read as UTF-8 even when a GB or Latin charset is declared (browser-saved
    pages keep the old declaration). Never raises.
    """
    if not body:
        return "", _normalize_charset(header_charset) or "utf-8"
    if body.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _content_guess(body)
    declared: list[str] = []
    header = _normalize_charset(header_charset)
    if header:
        declared.append(header)
    match = _META_CHARSET.search(body[:4096])
    if match:
        meta = _normalize_charset(match.group(1).decode("ascii", errors="ignore"))
        if meta and meta not in declared:
            declared.append(meta)
    for encoding in declared:
        if encoding in _WEAK_NAMES or encoding in {"ascii", "latin-1", "cp1252", "iso8859-1"}:
            if any(b > 0x7F for b in body):
                continue  # a Latin default on Chinese bytes: guess from the content instead
            return body.decode("ascii", errors="replace"), encoding
        if encoding != "utf-8" and _has_multibyte_utf8(body):
            return body.decode("utf-8"), "utf-8"
        text = _strict(body, encoding)
        if text is not None:
            return text, encoding
        text, bad = _bad_decode(body, encoding)
        if not bad:
            return text, encoding
    return _content_guess(body)


def clean_markup(html: str) -> str:
    """Remove what lxml refuses (XML declaration, NUL and control characters)."""
    if not isinstance(html, str):
        html = str(html)
    html = _XML_DECL.sub("", html, count=1)
    return _CONTROL.sub("", html)


def _html_parser() -> etree.HTMLParser:
    """`lxml.html`'s parser with a class lookup done in C: every element is a plain ``HtmlElement``.

    ``lxml.html.HTMLParser`` looks classes up in Python (``FormElement``, ``InputElement`` ... for form
    controls), once for every element proxy a walk creates; the extractors use none of those classes'
    extras (``.value``, ``.fields``), and the parse itself (libxml2 options) is the same.
    """
    parser = etree.HTMLParser()
    parser.set_element_class_lookup(
        etree.ElementDefaultClassLookup(
            element=lxml.html.HtmlElement,
            comment=lxml.html.HtmlComment,
            pi=lxml.html.HtmlProcessingInstruction,
            entity=lxml.html.HtmlEntity,
        )
    )
    return parser


#: shared by all threads: lxml serialises the use of one parser object
_HTML_PARSER = _html_parser()


def parse_html(html: str) -> lxml.html.HtmlElement:
    """A lenient parse of a page (or fragment) that never raises; an empty page gives an empty <html>.

    Every call returns a fresh tree the caller may change (`govsites.extract.page.Page` holds the one
    tree the extractors of a page share).
    """
    cleaned = clean_markup(html)
    if cleaned.strip():
        try:
            root = lxml.html.document_fromstring(cleaned, parser=_HTML_PARSER)
        except (etree.ParserError, ValueError, TypeError):
            root = None
        if root is not None:
            return root
    return lxml.html.document_fromstring("<html><body></body></html>", parser=_HTML_PARSER)


#: the source label of an article's info line under its title (来源：新华社, 作者：, 发布机构：)
SOURCE_LABEL = re.compile(r"(?:来源|作者|责任编辑|编辑|供稿|发布机构)\s*[:：]")
#: an article's links to its neighbours (上一篇 / 下一篇): a list page has none
NEIGHBOUR_LINKS = re.compile(r"上一(?:篇|条)[\s\S]{0,400}?下一(?:篇|条)|下一(?:篇|条)[\s\S]{0,400}?上一(?:篇|条)")

_WS_NL = re.compile(r"[ \t\n\r\f\v\u00a0\u3000\u2002\u2003\u2009\u200b\ufeff]+")


def collapse(text: str) -> str:
    """Collapse runs of whitespace (incl. nbsp and ideographic space) into one space and strip."""
    # one pattern with "\n" in its class: the same as turning "\n" into " " and then collapsing runs
    return _WS_NL.sub(" ", text).strip()


_SKIP = ("script", "style", "noscript", "template")
#: line-break marker of `_walk_text`: parsed text can never hold a NUL (libxml2 strings end at NUL)
_BREAK = "\x00"
_WALK_EVENTS = ("start", "end", "comment", "pi")
_NO_BLOCKS: frozenset[str] = frozenset()


def element_text(el: etree._Element, skip: tuple[str, ...] = _SKIP) -> str:
    """The visible text of one element (no attributes, no comments, no script), whitespace collapsed."""
    # collapse() treats "\r" and "\n" as whitespace, so the raw text needs no per-node clean-up
    return collapse(_walk_text(el, skip, ""))


def _walk_text(el: etree._Element, skip: tuple[str, ...] | frozenset[str], brk: str) -> str:
    """The raw text of ``el``: element text, children, tails; skipped tags keep only their tail.

    With ``brk`` (`_BREAK`) a block-level tag adds ``brk`` before and after itself. Newlines of the source
    are left in: callers collapse whitespace (`collapse`, `_lines`), which turns them into spaces.
    The root's own tail is not part of it; a skipped (or comment) root gives "".
    """
    tag = el.tag
    if not isinstance(tag, str) or tag.lower() in skip:
        return ""
    parts: list[str] = []
    append = parts.append
    blocks = _BLOCK.difference(skip) if brk else _NO_BLOCKS
    walker = etree.iterwalk(el, events=_WALK_EVENTS)
    for event, node in walker:
        if event == "start":
            low = node.tag.lower()
            if low in skip:
                walker.skip_subtree()  # its "end" still comes: the tail is added there
                continue
            if low in blocks:
                append(brk)
            text = node.text
            if text:
                append(text)
        elif event == "end":
            if node is el:
                if tag.lower() in blocks:
                    append(brk)
                continue
            if node.tag.lower() in blocks:
                append(brk)
            tail = node.tail
            if tail:
                append(tail)
        else:  # comment or processing instruction: only the tail is text
            tail = node.tail
            if tail:
                append(tail)
    return "".join(parts)


def _lines(text: str) -> list[str]:
    """The non-empty collapsed lines of `_walk_text` output split at `_BREAK`.

    One substitution over the whole text equals one per line: `_BREAK` is not whitespace, so no run of
    whitespace spans two lines (and "\r"/"\n" of the source are whitespace like any other).
    """
    stripped = (line.strip() for line in _WS_NL.sub(" ", text).split(_BREAK))
    return [line for line in stripped if line]


def text_lines(el: etree._Element) -> list[str]:
    """The visible text of ``el`` as lines: one per block-level element, whitespace collapsed, no empties."""
    return _lines(_walk_text(el, _INVISIBLE, _BREAK))


def visible_text(html: str) -> str:
    """Title and body visible text: no script/style/noscript/template/comments; one line per block,
    whitespace collapsed inside lines, empty lines dropped."""
    return title_and_text(html)[1]


def title_and_text(html: str) -> tuple[str, str]:
    """``(page_title(html), visible_text(html))`` from one parse (a `Page` keeps its own: ``page.title``,
    ``page.text``)."""
    return title_and_text_from_tree(parse_html(html if isinstance(html, str) else ""))


def title_and_text_from_tree(root: etree._Element) -> tuple[str, str]:
    """`title_and_text` of a parsed page."""
    title = page_title_from_tree(root)
    body = root.find("body")
    text = _walk_text(body if body is not None else root, _INVISIBLE, _BREAK)
    if title:
        text = title + _BREAK + text
    return title, "\n".join(_lines(text))


def page_title_from_tree(root: etree._Element) -> str:
    """The first non-empty <title> of a parsed page, whitespace collapsed ('' if none)."""
    for title in root.iter("title"):
        text = collapse(title.text_content() if hasattr(title, "text_content") else (title.text or ""))
        if text:
            return text
    return ""


def page_title(html: str) -> str:
    """The page's <title>, whitespace collapsed ('' if none)."""
    return page_title_from_tree(parse_html(html if isinstance(html, str) else ""))
