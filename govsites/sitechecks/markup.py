"""A page as the site checks read it: visible text, metas, links, scripts and the URLs scripts write.

Comments are dropped when parsing (a commented-out viewport or entry does not count) and a ``</html>`` in
the middle of a page does not end it. Scripts that write markup with
``document.write(unescape("%3Cscript src=…"))`` (the conac and 找错 snippets) are decoded, and ``//`` and ``/* */``
comments in inline scripts are removed before their URLs are read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Literal
from urllib.parse import unquote, urljoin, urlsplit

import lxml.html
from lxml import etree

from govsites.extract.text import decode_body

_SKIP_TEXT = frozenset({"script", "style", "noscript", "template", "head", "title"})
_SPACES = re.compile(r"[\s\u00a0\u3000]+")
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*>", re.IGNORECASE)
# Templates assembled from includes can close </body></html> mid-page; libxml2 stops there, browsers do not.
_EARLY_END = re.compile(r"</(?:body|html)\s*>", re.IGNORECASE)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_JS_BLOCK_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
_JS_LINE_COMMENT = re.compile(r"^\s*//.*$", re.MULTILINE)
_ESCAPED_MARKUP = re.compile(r"%3C", re.IGNORECASE)
_SCRIPT_URL = re.compile(r"""(?:https?:)?//[A-Za-z0-9.-]+\.[A-Za-z]{2,}(?::\d+)?(?:/[^\s'"<>\\)]*)?""")

ResourceKind = Literal["link", "script", "image", "inline"]


def collapse(text: str) -> str:
    """One space for any run of whitespace (including NBSP and the ideographic space), trimmed."""
    return _SPACES.sub(" ", text).strip()


def squeeze(text: str) -> str:
    """Text without any whitespace, for comparing Chinese titles across layouts."""
    return _SPACES.sub("", text)


@dataclass(frozen=True)
class Resource:
    """A URL the page shows or loads: a link, a script, an image, or a URL written by an inline script."""

    url: str
    kind: ResourceKind
    text: str = ""
    hidden: bool = False

    @property
    def host(self) -> str:
        return (urlsplit(self.url).hostname or "").lower()

    @property
    def path(self) -> str:
        return urlsplit(self.url).path


@dataclass(frozen=True)
class Script:
    src: str
    attrs: tuple[tuple[str, str], ...]
    code: str  # inline code, comments removed and escaped markup decoded

    def attr(self, name: str) -> str:
        return next((value for key, value in self.attrs if key == name), "")


def is_hidden(el: etree._Element) -> bool:
    """True when the element or an ancestor is hidden by ``style`` or the ``hidden`` attribute."""
    node: etree._Element | None = el
    while node is not None:
        if node.get("hidden") is not None or _HIDDEN_STYLE.search(node.get("style") or ""):
            return True
        node = node.getparent()
    return False


def script_code(code: str) -> str:
    """Inline script code without comments; ``%3C``-escaped markup (``unescape(...)``) decoded."""
    code = _JS_LINE_COMMENT.sub("", _JS_BLOCK_COMMENT.sub("", code))
    return unquote(code) if _ESCAPED_MARKUP.search(code) else code


def _visible_text(el: etree._Element, out: list[str]) -> None:
    tag = el.tag if isinstance(el.tag, str) else ""
    if tag.lower() in _SKIP_TEXT:
        if el.tail:
            out.append(el.tail)
        return
    if el.text and tag:
        out.append(el.text)
    for child in el:
        _visible_text(child, out)
    if el.tail:
        out.append(el.tail)


@dataclass(frozen=True)
class SitePage:
    """One fetched page (HTML text and its URL); everything else is derived once, on first use."""

    html: str
    url: str
    encoding: str = "utf-8"  # how the body was decoded: a GB page's search query is sent in GB18030

    @classmethod
    def from_bytes(cls, body: bytes, url: str, header_charset: str | None = None) -> SitePage:
        """Decode a response body (HTTP charset, then ``<meta charset>``, GB family as gb18030)."""
        text, encoding = decode_body(body, header_charset)
        return cls(text, url, encoding)

    @cached_property
    def tree(self) -> lxml.html.HtmlElement:
        parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True)
        html = _EARLY_END.sub("", _XML_DECL.sub("", self.html))
        if not html.strip():
            html = "<html></html>"
        return lxml.html.document_fromstring(html, parser=parser)

    @cached_property
    def text(self) -> str:
        """Visible text of the body, collapsed (scripts, styles and the head left out)."""
        out: list[str] = []
        body = self.tree.find("body")
        _visible_text(body if body is not None else self.tree, out)
        return collapse(" ".join(out))

    @cached_property
    def metas(self) -> dict[str, str]:
        """``<meta name=… content=…>`` by lower-cased name; the first non-empty content wins."""
        found: dict[str, str] = {}
        for meta in self.tree.iter("meta"):
            name = (meta.get("name") or "").strip().lower()
            content = collapse(meta.get("content") or "")
            if name and content and name not in found:
                found[name] = content
        return found

    def meta(self, name: str) -> str:
        return self.metas.get(name.lower(), "")

    def absolute(self, url: str) -> str:
        url = url.strip()
        if url.lower().startswith(("javascript:", "mailto:", "tel:", "#")):
            return ""
        return urljoin(self.url, url)

    @cached_property
    def scripts(self) -> tuple[Script, ...]:
        return tuple(
            Script(
                self.absolute(el.get("src") or "") if el.get("src") else "",
                tuple((str(k).lower(), str(v).strip()) for k, v in el.attrib.items()),
                script_code(el.text or ""),
            )
            for el in self.tree.iter("script")
        )

    @cached_property
    def resources(self) -> tuple[Resource, ...]:
        """Links (``a``/``area``), script and image sources, and URLs written by inline scripts."""
        found: list[Resource] = []
        for el in self.tree.iter("a", "area"):
            url = self.absolute(el.get("href") or "")
            if url:
                label = collapse(
                    el.text_content()
                    + " "
                    + " ".join((img.get("alt") or "") + " " + (img.get("title") or "") for img in el.iter("img"))
                )
                found.append(Resource(url, "link", label or collapse(el.get("title") or ""), is_hidden(el)))
        for el in self.tree.iter("script", "img"):
            url = self.absolute(el.get("src") or "")
            if url:
                found.append(Resource(url, "script" if el.tag == "script" else "image", "", is_hidden(el)))
        for script in self.scripts:
            for match in _SCRIPT_URL.finditer(script.code):
                found.append(Resource(self.absolute(match.group(0)), "inline"))
        return tuple(found)

    @cached_property
    def controls(self) -> tuple[tuple[str, bool], ...]:
        """(label, hidden) of every link, button and clickable element: what a visitor can click."""
        found: list[tuple[str, bool]] = []
        for el in self.tree.iter("a", "button", "span", "div", "li", "img", "input"):
            if el.tag in ("span", "div", "li") and el.get("onclick") is None:
                continue
            label = collapse(el.text_content() if el.tag not in ("img", "input") else "")
            label = collapse(" ".join((label, el.get("title") or "", el.get("alt") or "", el.get("value") or "")))
            if label:
                found.append((label, is_hidden(el)))
        return tuple(found)
