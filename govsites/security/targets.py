"""What an external link's target page is: gambling, porn, spam, a parked / for-sale domain, or ok.

Read from the fetched page's title, meta tags, visible text and scripts (a hijacked link's domain often
answers with a parking page, or shows an ordinary page to visitors and redirects search engines' crawlers —
or everyone coming from a search engine — to a gambling site). Official lotteries (中国福利彩票, 中国体育彩票)
and policy pages that mention 彩票 or 打击赌博 are ok.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from govsites.extract.text import collapse, element_text, page_title_from_tree, parse_html
from govsites.security.findings import SERIOUS, VETO, Finding
from govsites.security.terms import BAD_CATEGORIES, CATEGORY_NAMES, SpamTerms, TermMatch, worst_category

BAD_EXTERNAL_LINK = "bad_external_link"
OK = "ok"
PARKED = "parked"
#: distinct terms of one category the body text needs (a title or meta hit is enough on its own)
BODY_TERMS_NEEDED = 3

#: phrases of domain parking and for-sale pages (lower case), in text or in script / iframe sources
PARKED_PHRASES = (
    "domain is for sale",
    "domain may be for sale",
    "buy this domain",
    "domain for sale",
    "this domain is parked",
    "parked free",
    "domain parking",
    "parkingcrew",
    "sedoparking",
    "sedo.com",
    "bodis.com",
    "hugedomains",
    "afternic",
    "域名出售",
    "域名正在出售",
    "域名可以出售",
    "域名转让",
    "域名停放",
    "域名已过期",
)
_REDIRECT = re.compile(r"(?:window\.|document\.|top\.|self\.)?location(?:\.href|\.replace|\.assign)?\s*[=(]")
_CONDITION = re.compile(r"navigator\.useragent|document\.referrer", re.IGNORECASE)
# search engines and their crawlers: a redirect on these is cloaking (a mobile-site redirect is not)
_VISITOR_WORDS = re.compile(
    r"spider|bot|baidu|sogou|so\.com|sm\.cn|google|bing|360|yahoo|youdao|toutiao", re.IGNORECASE
)
_SCRIPT_URL = re.compile(r"""https?://[^\s'"<>\\)]+""", re.IGNORECASE)
_REFRESH_URL = re.compile(r"url\s*=\s*['\"]?([^'\";\s]+)", re.IGNORECASE)


@dataclass(frozen=True)
class TargetVerdict:
    """A target page's category (gambling, porn, spam, parked, ok) and the Chinese evidence for it."""

    category: str
    evidence: str = ""

    @property
    def bad(self) -> bool:
        return self.category != OK

    def finding(self, target: str) -> Finding | None:
        """The ``bad_external_link`` finding of a visible link to this target (None when the target is ok)."""
        if not self.bad:
            return None
        severity = VETO if self.category in ("gambling", "porn") else SERIOUS
        name = CATEGORY_NAMES[self.category]
        return Finding(
            kind=BAD_EXTERNAL_LINK,
            evidence=f"外部链接指向{name}页面：{self.evidence}",
            severity=severity,
            target=target,
        )


def _names(matches: list[TermMatch], category: str) -> str:
    return "、".join(dict.fromkeys(m.term for m in matches if m.category == category))


class TargetClassifier:
    """Classifies fetched target pages with a `SpamTerms` table."""

    def __init__(self, terms: SpamTerms) -> None:
        self.terms = terms

    def classify(self, html: str, url: str = "", final_url: str = "") -> TargetVerdict:
        """The verdict for the page ``html`` fetched from ``url`` (``final_url``: where redirects ended)."""
        if any(self.terms.is_legit_url(u) for u in (url, final_url) if u):
            return TargetVerdict(OK)
        root = parse_html(html)
        return (
            self._by_redirect(root, final_url)
            or self._parked(root)
            or self._by_scripts(root)
            or self._by_words(root)
            or TargetVerdict(OK)
        )

    def _by_redirect(self, root: etree._Element, final_url: str) -> TargetVerdict | None:
        refresh = [
            m.group(1)
            for content in root.xpath("//meta[@http-equiv or @HTTP-EQUIV]/@content")
            if (m := _REFRESH_URL.search(str(content)))
        ]
        for where, candidate in (("跳转到", final_url), ("自动跳转到", next(iter(refresh), ""))):
            category = worst_category(self.terms.url_matches(candidate))
            if category:
                return TargetVerdict(category, f"{where} {candidate}")
        return None

    def _parked(self, root: etree._Element) -> TargetVerdict | None:
        sources = " ".join(str(s) for s in root.xpath("//script/@src | //iframe/@src | //frame/@src"))
        haystack = f"{page_title_from_tree(root)} {element_text(root)} {sources}".lower()
        phrase = next((p for p in PARKED_PHRASES if p in haystack), "")
        return TargetVerdict(PARKED, f"域名停放或出售页面（{phrase}）") if phrase else None

    def _by_scripts(self, root: etree._Element) -> TargetVerdict | None:
        for script in root.iter("script"):
            code = script.text or ""
            if not (_CONDITION.search(code) and _VISITOR_WORDS.search(code) and _REDIRECT.search(code)):
                continue
            targets = _SCRIPT_URL.findall(code)
            category = next((c for t in targets if (c := worst_category(self.terms.url_matches(t)))), "")
            if not category:
                category = worst_category(self.terms.text_matches(code)) or "spam"
            where = f"：{targets[0]}" if targets else ""
            return TargetVerdict(category, f"脚本按访问者或来源条件跳转{where}")
        return None

    def _by_words(self, root: etree._Element) -> TargetVerdict | None:
        meta = " ".join(str(v) for v in root.xpath("//meta[@name='keywords' or @name='description']/@content"))
        head = collapse(f"{page_title_from_tree(root)} {meta}")
        head_matches = self.terms.text_matches(head)
        category = worst_category(head_matches)
        if category:
            return TargetVerdict(category, f"标题或关键词含“{_names(head_matches, category)}”")
        body_matches = self.terms.text_matches(element_text(root))
        for category in BAD_CATEGORIES:
            distinct = {m.term for m in body_matches if m.category == category}
            if len(distinct) >= BODY_TERMS_NEEDED:
                return TargetVerdict(category, f"正文含“{_names(body_matches, category)}”")
        return None
