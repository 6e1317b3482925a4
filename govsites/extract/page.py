"""One page as the extractors see it: its html, URL and evaluation date, with what they share parsed once.

The spider builds one `Page` per response and hands it to every extractor; the page object is the cache
(there is no module-level one). Its trees are **read-only**: an extractor that needs to change a tree
parses one of its own (`govsites.extract.text.parse_html`).
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TypeVar

import lxml.html

from govsites.extract.blocks import home_blocks
from govsites.extract.dom import base_url, strip_noise
from govsites.extract.entries import HomeBlock
from govsites.extract.groups import Group, collect_groups
from govsites.extract.kept import PageMemo
from govsites.extract.links import Link, links_in_tree
from govsites.extract.scriptdata import script_texts
from govsites.extract.text import parse_html, title_and_text_from_tree

T = TypeVar("T")


class _Document:
    """The parsed trees and text of one html, shared by the pages that read it (`Page.at`, `Page.on`)."""

    def __init__(self, html: str) -> None:
        self.html = html

    @functools.cached_property
    def raw(self) -> lxml.html.HtmlElement:
        return parse_html(self.html)

    @functools.cached_property
    def stripped(self) -> lxml.html.HtmlElement:
        # a parse of its own rather than a deepcopy of `raw`: a copied root loses its siblings
        # (comments before <html>), and the copy would save only ~0.03 ms on the few pages that strip
        root = parse_html(self.html)
        strip_noise(root)
        return root

    @functools.cached_property
    def title_and_text(self) -> tuple[str, str]:
        return title_and_text_from_tree(self.raw)

    @functools.cached_property
    def scripts(self) -> tuple[str, ...]:
        return tuple(script_texts(self.raw)[0])


@dataclass(frozen=True)
class Page:
    """A page: ``html`` (decoded text), ``url`` (where it was fetched; relative links resolve against it)
    and ``as_of`` (the evaluation date: later dates are not publication dates, yearless dates take the
    latest year that keeps them on or before it); ``memo``: what an earlier crawl read from the same body
    (`govsites.extract.kept`), asked before anything is computed and given what is."""

    html: str
    url: str
    as_of: date
    memo: PageMemo | None = field(default=None, repr=False, compare=False)
    _document: _Document = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.html, str):
            object.__setattr__(self, "html", "")
        if not isinstance(self.url, str):
            object.__setattr__(self, "url", "")
        object.__setattr__(self, "_document", _Document(self.html))

    @property
    def raw(self) -> lxml.html.HtmlElement:
        """The parsed page (`parse_html`), scripts and comments included."""
        return self._document.raw

    @property
    def stripped(self) -> lxml.html.HtmlElement:
        """The parsed page without script, style, noscript, template, select, textarea and comments."""
        return self._document.stripped

    @functools.cached_property
    def base(self) -> str:
        """The URL relative links resolve against (``<base href>``, else ``url``)."""
        return base_url(self.raw, self.url)

    def reuse(self, name: str, compute: Callable[[], T], *, at_url: bool = True, dated: bool = False) -> T:
        """``compute()``, or what the page's memo kept of it: ``name`` the extraction, read at the page's URL
        (``at_url``) on its evaluation date (``dated``: the result depends on it)."""
        if self.memo is None:
            return compute()
        return self.memo.reuse((name, self.url if at_url else "", self.as_of if dated else None), compute)

    @functools.cached_property
    def links(self) -> tuple[Link, ...]:
        """Every link on the page (`govsites.extract.links.extract_links`), read from the page's one parse."""
        return self.reuse("links", lambda: tuple(links_in_tree(self.raw, self.url)))

    @functools.cached_property
    def groups(self) -> tuple[Group, ...]:
        """Every item group of the stripped tree (`collect_groups`), accepted or not; not to be changed."""
        return tuple(collect_groups(self.stripped, self.base, self.as_of))

    @functools.cached_property
    def blocks(self) -> tuple[HomeBlock, ...]:
        """The dated blocks of a home page (`home_blocks`)."""
        return self.reuse(
            "blocks", lambda: tuple(home_blocks(self.stripped, self.base, list(self.groups), self.as_of)), dated=True
        )

    @property
    def title(self) -> str:
        """The page's <title>, whitespace collapsed ('' if none)."""
        return self._title_and_text[0]

    @property
    def text(self) -> str:
        """Title and body visible text, one line per block (see `govsites.extract.text.title_and_text`)."""
        return self._title_and_text[1]

    @property
    def _title_and_text(self) -> tuple[str, str]:
        return self.reuse("title_and_text", lambda: self._document.title_and_text, at_url=False)

    @property
    def scripts(self) -> tuple[str, ...]:
        """The texts of the page's inline scripts (see `govsites.extract.scriptdata.script_texts`)."""
        return self._document.scripts

    def at(self, url: str) -> Page:
        """The same document seen at another URL (a redirect's original URL), sharing the parsed trees."""
        if url == self.url:
            return self
        return self._sharing(dataclasses.replace(self, url=url))

    def on(self, as_of: date) -> Page:
        """The same page read on another evaluation date, sharing the parsed trees (not the memo: an extractor's
        reading on a date of its own is part of its result, kept under the page's date)."""
        if as_of == self.as_of:
            return self
        return self._sharing(dataclasses.replace(self, as_of=as_of, memo=None))

    def _sharing(self, other: Page) -> Page:
        object.__setattr__(other, "_document", self._document)
        return other
