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
_WS = re.compile(r"[ \t\r\f\v\u00a0\u3000\u2002\u2003\u2009\u200b\ufeff]+")

#: tags whose content is never shown
_INVISIBLE = ("script", "style", "noscript", "template", "head")
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


def parse_html(html: str) -> lxml.html.HtmlElement:
    """A lenient parse of a page (or fragment) that never raises; an empty page gives an empty <html>."""
    cleaned = clean_markup(html)
    if cleaned.strip():
        try:
            root = lxml.html.document_fromstring(cleaned)
        except (etree.ParserError, ValueError, TypeError):
            root = None
        if root is not None:
            return root
    return lxml.html.document_fromstring("<html><body></body></html>")


def collapse(text: str) -> str:
    """Collapse runs of whitespace (incl. nbsp and ideographic space) into one space and strip."""
    return _WS.sub(" ", text.replace("\n", " ")).strip()


_SKIP = ("script", "style", "noscript", "template")


def element_text(el: etree._Element, skip: tuple[str, ...] = _SKIP) -> str:
    """The visible text of one element (no attributes, no comments, no script), whitespace collapsed."""
    parts: list[str] = []
    _walk(el, parts, skip, blocks=False)
    return collapse("".join(parts))


def _walk(el: etree._Element, parts: list[str], skip: tuple[str, ...], *, blocks: bool) -> None:
    """Iterative text walk: element text, children, tails; skipped tags keep only their tail.

    Newlines in the source become spaces; with ``blocks`` a block-level tag adds a line break.
    """

    def add(text: str) -> None:
        parts.append(text.replace("\r", " ").replace("\n", " "))

    stack: list[tuple[etree._Element, bool]] = [(el, False)]
    first = True
    while stack:
        node, closing = stack.pop()
        tag = node.tag.lower() if isinstance(node.tag, str) else ""
        if closing:
            if blocks and tag in _BLOCK:
                parts.append("\n")
            if node.tail and node is not el:
                add(node.tail)
            continue
        if not tag or tag in skip:
            # comments, processing instructions and invisible elements: only the tail is text
            if node.tail and not first:
                add(node.tail)
            first = False
            continue
        first = False
        if blocks and tag in _BLOCK:
            parts.append("\n")
        if node.text:
            add(node.text)
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(node))


def text_lines(el: etree._Element) -> list[str]:
    """The visible text of ``el`` as lines: one per block-level element, whitespace collapsed, no empties."""
    parts: list[str] = []
    _walk(el, parts, _INVISIBLE, blocks=True)
    lines = (collapse(line) for line in "".join(parts).split("\n"))
    return [line for line in lines if line]


def visible_text(html: str) -> str:
    """Title and body visible text: no script/style/noscript/template/comments; one line per block,
    whitespace collapsed inside lines, empty lines dropped."""
    return title_and_text(html)[1]


def title_and_text(html: str) -> tuple[str, str]:
    """``(page_title(html), visible_text(html))`` from one parse."""
    root = parse_html(html)
    parts: list[str] = []
    title = page_title_from_tree(root)
    if title:
        parts.append(title + "\n")
    body = root.find("body")
    target = body if body is not None else root
    _walk(target, parts, _INVISIBLE, blocks=True)
    lines = (collapse(line) for line in "".join(parts).split("\n"))
    return title, "\n".join(line for line in lines if line)


def page_title_from_tree(root: etree._Element) -> str:
    for title in root.iter("title"):
        text = collapse(title.text_content() if hasattr(title, "text_content") else (title.text or ""))
        if text:
            return text
    return ""


def page_title(html: str) -> str:
    """The page's <title>, whitespace collapsed ('' if none)."""
    return page_title_from_tree(parse_html(html))
