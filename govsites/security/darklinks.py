"""Dark links (暗链): links to other hosts hidden from visitors whose text or target is gambling, porn or spam.

Works on an lxml tree of a page: the raw page now, the rendered page later (links injected by scripts only
show there). A link is hidden when it or an ancestor is display:none, visibility:hidden, transparent, of
zero font size or zero size with overflow hidden, positioned or indented far off-screen, written in its
background colour, or inside a tiny marquee — by inline style, by simple ``<style>`` rules (``#id``,
``.class``, ``tag`` selectors) or by the ``hidden`` attribute. Links written by ``document.write`` in the raw
page's scripts are read from the script's string literals. Not findings: the site's own links (hidden tab
panels, collapsed menus, skip links), links to government sites, and hidden links with no spam signal.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urljoin

import lxml.html
from cssselect import SelectorError
from lxml import etree

from govsites.extract.links import url_host
from govsites.extract.text import collapse, element_text, parse_html
from govsites.security.findings import SERIOUS, VETO, Finding
from govsites.security.terms import CATEGORY_NAMES, SpamTerms, worst_category

HIDDEN_LINK = "hidden_link"
#: host suffixes of government sites: a hidden link to one is never a dark link
GOVERNMENT_SUFFIXES = (".gov.cn", ".gov", ".gov.hk", ".gov.mo", ".政务", ".xn--zfr164b", ".mil.cn")
#: an offset at or beyond this many pixels to the left / top is off-screen
OFF_SCREEN_PX = 100.0
#: a marquee at or under this many pixels wide or high is too small to read
TINY_PX = 5.0
_EM_PX = 16.0

_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
_LENGTH = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*(px|pt|em|rem|%|)\s*$")
_STRING_LITERAL = re.compile(r"'((?:[^'\\\n]|\\.)*)'|\"((?:[^\"\\\n]|\\.)*)\"")
_ESCAPES = re.compile(r"\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|.)")
_NAMED_COLOURS = {
    "white": "#ffffff",
    "black": "#000000",
    "red": "#ff0000",
    "blue": "#0000ff",
    "green": "#008000",
    "yellow": "#ffff00",
    "gray": "#808080",
    "grey": "#808080",
    "silver": "#c0c0c0",
}
_DEFAULT_BACKGROUND = "#ffffff"
#: the properties that can hide a link; rules without any of them are not matched against the tree
_RELEVANT = frozenset(
    {
        "display",
        "visibility",
        "opacity",
        "font-size",
        "overflow",
        "width",
        "height",
        "position",
        "left",
        "top",
        "margin-left",
        "margin-top",
        "text-indent",
        "color",
        "background",
        "background-color",
    }
)


def declarations(style: str) -> dict[str, str]:
    """CSS declarations ``prop: value; …`` as a lower-case dict (later wins, !important dropped)."""
    out: dict[str, str] = {}
    for part in style.split(";"):
        name, sep, value = part.partition(":")
        if sep:
            out[name.strip().lower()] = value.lower().replace("!important", "").strip()
    return out


def _pixels(value: str) -> float | None:
    words = value.split(maxsplit=1)
    match = _LENGTH.match(words[0]) if words else None
    if match is None:
        return None
    number, unit = float(match.group(1)), match.group(2)
    if unit in ("em", "rem"):
        return number * _EM_PX
    if unit == "%":
        return number * 10.0  # -100% of anything is off-screen; 0% is zero
    return number


def colour(value: str) -> str:
    """A colour as ``#rrggbb`` ("" when not understood): #fff, #ffffff, rgb(…), a few names."""
    value = value.strip().lower()
    if value.startswith("#") and len(value) == 4:
        return "#" + "".join(ch * 2 for ch in value[1:])
    if value.startswith("#") and len(value) == 7:
        return value
    if value.startswith("rgb"):
        numbers = re.findall(r"\d+", value)[:3]
        if len(numbers) == 3:
            return "#" + "".join(f"{min(int(n), 255):02x}" for n in numbers)
    return _NAMED_COLOURS.get(value, "")


def hiding_reason(style: dict[str, str]) -> str:
    """How a set of declarations hides an element (Chinese, short), or "" when it does not."""
    if style.get("display") == "none":
        return "display:none"
    if style.get("visibility") in ("hidden", "collapse"):
        return "visibility:hidden"
    if style.get("opacity", "").strip() in ("0", "0.0"):
        return "完全透明"
    size = _pixels(style.get("font-size", ""))
    if size is not None and size <= 1:
        return "字号为零"
    sizes = (_pixels(style.get("width", "")), _pixels(style.get("height", "")))
    if style.get("overflow") == "hidden" and any(size is not None and size <= 1 for size in sizes):
        return "尺寸为零"
    if style.get("position") in ("absolute", "fixed", "relative"):
        for side in ("left", "top", "margin-left", "margin-top"):
            offset = _pixels(style.get(side, ""))
            if offset is not None and offset <= -OFF_SCREEN_PX:
                return "移出屏幕"
    indent = _pixels(style.get("text-indent", ""))
    if indent is not None and indent <= -OFF_SCREEN_PX:
        return "文字缩进移出屏幕"
    return ""


def _style_rules(roots: Iterable[etree._Element]) -> list[tuple[str, dict[str, str]]]:
    rules: list[tuple[str, dict[str, str]]] = []
    for root in roots:
        for style in root.iter("style"):
            css = _COMMENT.sub("", style.text or "")
            for selectors, body in _RULE.findall(css):
                decls = declarations(body)
                rules.extend((selector.strip(), decls) for selector in selectors.split(",") if selector.strip())
    return rules


class _Styles:
    """The declarations of every element of one tree: matching ``<style>`` rules, then its inline style."""

    def __init__(self, root: etree._Element, rules: list[tuple[str, dict[str, str]]]) -> None:
        self._from_rules: dict[etree._Element, dict[str, str]] = {}
        for selector, decls in rules:
            if selector.startswith("@") or ":" in selector or not _RELEVANT.intersection(decls):
                continue
            try:
                matched = root.cssselect(selector)
            except (SelectorError, etree.XPathError, ValueError):
                continue
            for element in matched:
                self._from_rules.setdefault(element, {}).update(decls)

    def of(self, element: etree._Element) -> dict[str, str]:
        style = dict(self._from_rules.get(element, {}))
        style.update(declarations(element.get("style") or ""))
        return style


def _background(element: etree._Element, style: dict[str, str]) -> str:
    value = style.get("background-color") or (style.get("background", "").split() or [""])[0]
    return colour(value) or colour(element.get("bgcolor") or "")


def _hidden_how(anchor: etree._Element, styles: _Styles) -> str:
    text_colour = background = ""
    for element in (anchor, *anchor.iterancestors()):
        if not isinstance(element.tag, str):
            continue
        style = styles.of(element)
        if element.get("hidden") is not None:
            return "hidden 属性"
        how = hiding_reason(style)
        if how:
            return how
        if element.tag == "marquee":
            sizes = [_pixels(element.get(a) or style.get(a, "")) for a in ("width", "height")]
            if any(size is not None and size <= TINY_PX for size in sizes):
                return "微小滚动区"
        # the text takes the nearest colour up the tree; the nearest background is what shows behind it
        if not text_colour:
            text_colour = colour(style.get("color", "")) or (
                colour(element.get("color") or "") if element.tag == "font" else ""
            )
        background = background or _background(element, style)
    if text_colour and text_colour == (background or _DEFAULT_BACKGROUND):
        return "文字与背景同色"
    return ""


#: ``<script type>`` values that hold data, not code
_DATA_SCRIPTS = frozenset({"application/ld+json", "application/json", "text/xml", "text/template", "text/html"})


def runs_scripts(root: lxml.html.HtmlElement) -> bool:
    """Whether the raw page ``root`` runs any code in a browser: a ``<script>`` that is not data, or an event
    handler attribute (``onload=`` …). Only such a page can write links a rendered copy would show."""
    for script in root.iter("script"):
        if (script.get("type") or "").strip().lower() not in _DATA_SCRIPTS:
            return True
    return any(name.lower().startswith("on") for el in root.iter(etree.Element) for name in el.attrib)


def is_government_host(host: str) -> bool:
    host = host.lower().rstrip(".")
    return any(host.endswith(suffix) or host == suffix[1:] for suffix in GOVERNMENT_SUFFIXES)


def _bare(host: str) -> str:
    return host.lower().removeprefix("www.")


def _unescape(literal: str) -> str:
    def one(match: re.Match[str]) -> str:
        code = match.group(1)
        if code[0] in "xu" and len(code) > 1:
            return chr(int(code[1:], 16))
        return {"n": "\n", "t": "\t"}.get(code, code)

    return _ESCAPES.sub(one, literal)


def script_fragments(root: etree._Element) -> list[lxml.html.HtmlElement]:
    """Trees of the HTML that inline scripts write (document.write / innerHTML): their string literals joined."""
    fragments: list[lxml.html.HtmlElement] = []
    for script in root.iter("script"):
        code = script.text or ""
        if "write" not in code and "innerHTML" not in code:
            continue
        html = "".join(_unescape(a or b) for a, b in _STRING_LITERAL.findall(code))
        if "<a" in html.lower():
            fragments.append(parse_html(html))
    return fragments


class DarkLinkDetector:
    """Finds dark links in page trees; ``terms`` says what gambling, porn and spam look like."""

    def __init__(self, terms: SpamTerms) -> None:
        self.terms = terms

    def find(self, root: etree._Element, page_url: str, own_hosts: Iterable[str] = ()) -> list[Finding]:
        """Dark links of the page ``root`` at ``page_url``; ``own_hosts`` are the site's hosts besides the page's."""
        own = {_bare(host) for host in own_hosts} | {_bare(url_host(page_url))}
        base = page_url
        for href in root.xpath("//base/@href")[:1]:
            base = urljoin(page_url, str(href).strip())
        rules = _style_rules([root])
        findings = self._scan(root, rules, base, own, via_script=False)
        for fragment in script_fragments(root):
            findings += self._scan(fragment, rules + _style_rules([fragment]), base, own, via_script=True)
        return findings

    def _scan(
        self, root: etree._Element, rules: list[tuple[str, dict[str, str]]], base: str, own: set[str], via_script: bool
    ) -> list[Finding]:
        styles = _Styles(root, rules)
        findings: list[Finding] = []
        seen: set[str] = set()
        for anchor in root.iter("a"):
            href = (anchor.get("href") or "").strip()
            target = urljoin(base, href) if href else ""
            host = url_host(target)
            if not target.lower().startswith(("http://", "https://")) or not host:
                continue
            if _bare(host) in own or is_government_host(host) or target in seen:
                continue
            how = _hidden_how(anchor, styles)
            if not how:
                continue
            text = collapse(f"{element_text(anchor)} {anchor.get('title') or ''}")
            matches = self.terms.text_matches(text) + self.terms.url_matches(target)
            category = worst_category(matches)
            if not category:
                continue
            seen.add(target)
            how = f"脚本写入，{how}" if via_script else how
            findings.append(
                Finding(
                    kind=HIDDEN_LINK,
                    evidence=f"隐藏的{CATEGORY_NAMES[category]}链接（{how}）：{text[:60] or target}",
                    severity=SERIOUS if category == "spam" else VETO,
                    target=target,
                    context=how,
                )
            )
        return findings
