"""政策解读 <-> policy file two-way links (双向关联): an interpretation links to its file and the file back.

Input is the interpretation pages and the policy-file pages of a site's policy columns (each a URL and the
URLs it links to); URLs are compared without fragment, default index page, ``www.`` or scheme.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from govsites.sitechecks.markup import SitePage
from govsites.sitechecks.result import CheckResult

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
