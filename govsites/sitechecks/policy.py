"""政策解读 <-> policy file two-way links (双向关联): an interpretation links to its file and the file back.

Input is the interpretation pages and the policy-file pages of a site's policy columns (each a URL and the
URLs it links to); URLs are compared without fragment, default index page, ``www.`` or scheme.

:class:`PolicyPages` gathers them from a crawl, one article page at a time, keeping little per page: an
*interpretation* is an article whose heading (its ``h1``, else ``h2``) or ``<title>`` names a 解读 (解读, 图解,
一图读懂, 答记者问); its *file links* are the links whose text or label points to a document (原文, 相关文件,
政策文件, a 《title》, a title ending in 办法/通知/意见…), never a column's index or another interpretation.
Every other article keeps only its links whose text names an interpretation (相关解读, 政策解读, 图解…): that
is how a file links back. A file link to a page the crawl never read cannot be
judged: an interpretation whose every file link is such is counted as unchecked, never as unlinked.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from govsites.sitechecks.markup import SitePage, collapse, is_hidden
from govsites.sitechecks.result import CheckResult

#: A heading that names an interpretation page.
INTERPRETATION_HEADING = re.compile(r"解读|图解|一图读懂|答记者问")
#: Link text pointing to an interpretation (how a file links back).
INTERPRETATION_LINK = re.compile(r"解读|图解|读懂|答记者问")
#: Link text, or the label just before a link (政策原文：<a>…</a>), pointing to the document an interpretation
#: explains; or link text that is a document's title (…办法, …的通知, …意见). A column's index page is never one.
FILE_LINK = re.compile(r"原文|相关文件|政策文件|文件链接|《")
DOCUMENT_TITLE = re.compile(r"(办法|通知|意见|规定|条例|方案|决定|规划|细则|通告|批复|规则|纲要|措施|准则|决议)》?$")
#: Characters of text before a link read as its label.
LABEL_CHARS = 12

_INDEX_PAGES = ("index.html", "index.htm", "index.shtml", "index.jsp", "default.htm", "default.html")


def url_key(url: str) -> str:
    """A URL as compared here: host without ``www.``, path without a default index page, query kept."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().removeprefix("www.")
    path = parts.path or "/"
    for index in _INDEX_PAGES:
        if path.lower().endswith("/" + index):
            path = path[: -len(index)]
    return f"{host}{path}" + (f"?{parts.query}" if parts.query else "")


@dataclass(frozen=True)
class LinkedPage:
    url: str
    links: frozenset[str]  # url_key of every link on the page

    @classmethod
    def of(cls, url: str, links: Iterable[str]) -> LinkedPage:
        return cls(url, frozenset(url_key(link) for link in links))

    @classmethod
    def from_page(cls, page: SitePage) -> LinkedPage:
        return cls.of(page.url, (r.url for r in page.resources if r.kind == "link"))

    @property
    def key(self) -> str:
        return url_key(self.url)


@dataclass(frozen=True)
class PolicyPairing:
    interpretations: int
    files: int
    paired: int  # interpretation -> file -> back to the interpretation
    unlinked: tuple[str, ...]  # interpretations that link to no known policy file
    no_backlink: tuple[str, ...]  # files an interpretation links to that do not link back
    one_way_files: tuple[str, ...]  # files linking to an interpretation that does not link back

    @property
    def unpaired(self) -> int:
        return len(self.unlinked) + len(self.no_backlink) + len(self.one_way_files)


def pair_policies(interpretations: Sequence[LinkedPage], files: Sequence[LinkedPage]) -> PolicyPairing:
    """Count the two-way pairs and list what is linked one way only (or not at all)."""
    by_key = {page.key: page for page in files}
    links_of = {page.key: page.links for page in interpretations}
    paired: set[tuple[str, str]] = set()
    unlinked: list[str] = []
    no_backlink: list[str] = []
    for interp in interpretations:
        targets = [by_key[key] for key in interp.links if key in by_key]
        if not targets:
            unlinked.append(interp.url)
        for target in targets:
            if interp.key in target.links:
                paired.add((interp.key, target.key))
            else:
                no_backlink.append(target.url)
    one_way = [
        page.url for page in files if any(key in links_of and page.key not in links_of[key] for key in page.links)
    ]
    return PolicyPairing(
        interpretations=len(interpretations),
        files=len(files),
        paired=len(paired),
        unlinked=tuple(unlinked),
        no_backlink=tuple(dict.fromkeys(no_backlink)),
        one_way_files=tuple(one_way),
    )


def policy_interpretation(interpretations: Sequence[LinkedPage], files: Sequence[LinkedPage]) -> CheckResult:
    """``policy_interpretation``: ``ok`` when every interpretation and its file link each other."""
    if not interpretations:
        return CheckResult("policy_interpretation", "not_applicable", "未见政策解读页面")
    pairing = pair_policies(interpretations, files)
    if not pairing.unpaired:
        return CheckResult("policy_interpretation", "ok", f"{pairing.paired}组解读与文件双向关联")
    parts = [
        f"解读未关联文件{len(pairing.unlinked)}篇" if pairing.unlinked else "",
        f"文件未回链解读{len(pairing.no_backlink)}篇" if pairing.no_backlink else "",
        f"文件链向解读但解读未回链{len(pairing.one_way_files)}篇" if pairing.one_way_files else "",
    ]
    detail = "；".join(part for part in parts if part)
    return CheckResult(
        "policy_interpretation", "wrong", f"未双向关联{pairing.unpaired}处（{detail}），双向关联{pairing.paired}组"
    )


def heading(page: SitePage) -> str:
    """The page's own title: its first ``h1`` (else ``h2``), else its ``<title>``."""
    for tag in ("h1", "h2"):
        for el in page.tree.iter(tag):
            text = "".join(el.itertext()).strip()
            if text:
                return text
    return title(page)


def title(page: SitePage) -> str:
    """The page's ``<title>`` (a 解读 page's names its column: …_政策解读_…)."""
    element = page.tree.find(".//title")
    return (element.text or "").strip() if element is not None else ""


def _label(anchor: Any) -> str:
    """The text just before a link: its previous sibling's tail, else its parent's own text."""
    previous = anchor.getprevious()
    before = (previous.tail if previous is not None else anchor.getparent().text) or ""
    return before.strip()[-LABEL_CHARS:]


def file_links(page: SitePage) -> list[str]:
    """The links of an interpretation page that point to the document it explains (module docstring)."""
    found: list[str] = []
    for anchor in page.tree.iter("a"):
        url = page.absolute(anchor.get("href") or "")
        text = collapse(anchor.text_content())
        if not url or is_hidden(anchor) or INTERPRETATION_LINK.search(text) or url_key(url).endswith("/"):
            continue  # not a document: a column's index (the 政策文件 of the navigation), or another 解读
        if FILE_LINK.search(text) or DOCUMENT_TITLE.search(text) or FILE_LINK.search(_label(anchor)):
            found.append(url)
    return found


@dataclass(frozen=True)
class ArticleReading:
    """What the check needs of one article page: an interpretation with the links to the documents it explains
    (``interpretation``), or another article with its links to interpretations. A pure function of the page (kept
    for a 304 by the site checks' pipeline)."""

    interpretation: bool
    page: LinkedPage


def read_article(page: SitePage) -> ArticleReading:
    """The reading of an article page read whole."""
    if INTERPRETATION_HEADING.search(heading(page)) or INTERPRETATION_HEADING.search(title(page)):
        return ArticleReading(True, LinkedPage.of(page.url, file_links(page)))
    links = [r for r in page.resources if r.kind == "link" and not r.hidden]
    return ArticleReading(False, LinkedPage.of(page.url, [r.url for r in links if INTERPRETATION_LINK.search(r.text)]))


def plain_article(url: str) -> ArticleReading:
    """The reading of an article page that names no interpretation anywhere: neither one itself nor linking to one."""
    return ArticleReading(False, LinkedPage(url, frozenset()))


@dataclass
class PolicyPages:
    """One site's pages as the ``policy_interpretation`` check needs them (see the module docstring)."""

    interpretations: list[LinkedPage] = field(default_factory=list)
    #: every other article page, by key, with its links to interpretations
    articles: dict[str, LinkedPage] = field(default_factory=dict)
    #: every page the crawl read (any kind), by key
    crawled: set[str] = field(default_factory=set)

    def read(self, url: str) -> None:
        """A page of the site was read (a list, an error page, an article)."""
        self.crawled.add(url_key(url))

    def add_article(self, page: SitePage) -> None:
        """An article page of the site, read whole."""
        self.add_reading(read_article(page))

    def add_reading(self, reading: ArticleReading) -> None:
        """What :func:`read_article` (or :func:`plain_article`) read of an article page of the site."""
        self.read(reading.page.url)
        if reading.interpretation:
            self.interpretations.append(reading.page)
        else:
            self.articles[reading.page.key] = reading.page

    def merge(self, other: PolicyPages) -> None:
        """Add what another gathering saw (another page, another worker)."""
        self.interpretations += other.interpretations
        self.articles.update(other.articles)
        self.crawled |= other.crawled

    def add_plain_article(self, url: str) -> None:
        """An article page that names no interpretation anywhere: neither one itself nor linking to one."""
        self.add_reading(plain_article(url))

    def result(self) -> CheckResult:
        """The check over what was gathered."""
        checkable: list[LinkedPage] = []
        unchecked = 0
        for interp in self.interpretations:
            read = frozenset(key for key in interp.links if key in self.articles)
            if read or not interp.links - self.crawled:
                checkable.append(LinkedPage(interp.url, read))
            else:
                unchecked += 1  # it links to documents the crawl never read
        if not checkable and unchecked:
            return CheckResult(
                "policy_interpretation", "error", f"{unchecked}篇政策解读链向的文件均未抓取到，未能检查双向关联"
            )
        files = {key: self.articles[key] for interp in checkable for key in interp.links}
        interpretation_keys = {interp.key for interp in checkable}
        files.update({key: page for key, page in self.articles.items() if page.links & interpretation_keys})
        result = policy_interpretation(checkable, list(files.values()))
        if unchecked:
            detail = f"{result.detail}；另有{unchecked}篇解读链向的文件未抓取到，未检查"
            return CheckResult(result.check, result.status, detail)
        return result
