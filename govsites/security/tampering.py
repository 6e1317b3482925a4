"""Tampering (网页篡改) of a home page, by comparing two runs of the same site.

A `HomeSnapshot` keeps what matters of one run's home page: the hosts its scripts and frames load from and the
gambling / porn / spam terms in its title, meta tags and text. `compare` reports, with both runs, script or
iframe hosts the site never used before and terms that were not there before.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urljoin

from lxml import etree

from govsites.extract.links import url_host
from govsites.extract.text import collapse, element_text, page_title_from_tree
from govsites.security.findings import NOTICE, SERIOUS, VETO, Finding
from govsites.security.terms import CATEGORY_NAMES, SpamTerms

TAMPERING = "tampering"
_SOURCES = "//script[@src]/@src | //iframe[@src]/@src | //frame[@src]/@src"


@dataclass(frozen=True)
class HomeSnapshot:
    """One run's home page: script/frame source hosts and the (category, term) pairs found in it."""

    url: str
    source_hosts: frozenset[str]
    terms: frozenset[tuple[str, str]]


def snapshot(root: etree._Element, page_url: str, terms: SpamTerms) -> HomeSnapshot:
    """The snapshot of the home page tree ``root`` fetched from ``page_url``."""
    hosts = {url_host(urljoin(page_url, str(src).strip())) for src in root.xpath(_SOURCES)}
    own = url_host(page_url)
    meta = " ".join(str(v) for v in root.xpath("//meta[@name='keywords' or @name='description']/@content"))
    text = collapse(f"{page_title_from_tree(root)} {meta} {element_text(root)}")
    found = {(m.category, m.term) for m in terms.text_matches(text)}
    return HomeSnapshot(page_url, frozenset(h for h in hosts if h and h != own), frozenset(found))


def _listing(values: frozenset[str]) -> str:
    return "、".join(sorted(values)) or "无"


def compare(
    previous: HomeSnapshot, current: HomeSnapshot, terms: SpamTerms, known_hosts: frozenset[str] = frozenset()
) -> list[Finding]:
    """Findings for what ``current`` has that ``previous`` had not; ``known_hosts`` are hosts always allowed.

    A new term is a veto (gambling, porn) or serious (spam); a new source host is serious when the host looks
    like gambling / porn / spam, else a notice (a new statistics or sharing service is common and harmless).
    """
    findings: list[Finding] = []
    runs = f"上次：{_listing(previous.source_hosts)}；本次：{_listing(current.source_hosts)}"
    for host in sorted(current.source_hosts - previous.source_hosts - known_hosts):
        bad = terms.url_matches(f"http://{host}/")
        findings.append(
            Finding(
                kind=TAMPERING,
                evidence=f"首页新增外部脚本或框架来源 {host}（{runs}）",
                severity=SERIOUS if bad else NOTICE,
                target=host,
            )
        )
    before = _listing(frozenset(t for _, t in previous.terms))
    now = _listing(frozenset(t for _, t in current.terms))
    for category, term in sorted(current.terms - previous.terms):
        findings.append(
            Finding(
                kind=TAMPERING,
                evidence=f"首页新出现{CATEGORY_NAMES[category]}内容“{term}”（上次：{before}；本次：{now}）",
                severity=SERIOUS if category == "spam" else VETO,
            )
        )
    return findings
