"""The content-security item pipeline (issue 16): runs the pure detectors of :mod:`govsites.security` over what
the crawl already has and attaches the findings (``RiskItem`` rows) to the items the store writes.

- every page's visible text (``PageItem.text``): personal numbers and wrong expressions, each finding once per
  site (a number in a footer repeated on every page is one row, on the first page it was seen). Mobile numbers
  the home page publishes as contacts (举报电话：139…) are the site's own hotlines, never a leak on any of its
  pages or attachments (the home page's items come before any other page of the site);
- every page's link occurrences (``PageItem.refs``): links to a closed site of the registry, and visible
  external links whose target page (a ``ContentItem`` of role ``target``) is gambling, porn, spam or parked;
- the home page, raw and rendered (``ContentItem`` of role ``home`` / ``home_rendered``): dark links, and the
  raw page's :class:`~govsites.security.tampering.HomeSnapshot` for the next run's tampering check;
- attachments (``ContentItem`` of role ``attachment``): personal numbers and wrong expressions in their text,
  or a ``notice`` row 附件无法读取 with the reason.

Nothing here logs a found number: log lines and stats carry counts only.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import replace
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from scrapy.exceptions import NotConfigured

from govsites.config import GovsitesConfig
from govsites.extract.links import url_host
from govsites.extract.text import parse_html, visible_text
from govsites.items import ContentItem, HomeSnapshotItem, PageItem, RiskItem
from govsites.lifecycle import RunContext, RunStrategy, run_opened
from govsites.registry import Site, load_sites
from govsites.security.attachments import Limits, read_attachment
from govsites.security.darklinks import DarkLinkDetector, is_government_host
from govsites.security.expressions import ExpressionRule, find_expressions, load_rules
from govsites.security.findings import NOTICE, SERIOUS, Finding
from govsites.security.privacy import PrivacyDetector
from govsites.security.tampering import HomeSnapshot, compare, snapshot
from govsites.security.targets import TargetClassifier
from govsites.security.terms import SpamTerms
from govsites.store import open_store

logger = logging.getLogger(__name__)

CLOSED_SITE_LINK = "closed_site_link"
UNREADABLE_ATTACHMENT = "unreadable_attachment"
#: A home page whose render did not complete: its dark-link check read the raw page only (the analyst's to know).
UNRENDERED_HOME = "unrendered_home"


def previous_snapshots(db: str, run_id: int) -> dict[str, tuple[str, HomeSnapshot]]:
    """Each site's home snapshot of its latest run before ``run_id`` in the store (with that run's label)."""
    store = open_store(db)
    try:
        rows = store.query_tuples(
            "SELECT s.site_id, s.url, s.source_hosts, s.terms, r.label FROM home_snapshots s"
            " JOIN runs r ON r.id = s.run_id WHERE s.run_id < ? ORDER BY s.run_id",
            (run_id,),
        )
    finally:
        store.close()
    found: dict[str, tuple[str, HomeSnapshot]] = {}
    for site_id, url, hosts, terms, label in rows:
        pairs = frozenset(tuple(t.split(":", 1)) for t in str(terms).split("|") if ":" in t)
        shot = HomeSnapshot(str(url), frozenset(h for h in str(hosts).split("|") if h), pairs)  # type: ignore[arg-type]
        found[str(site_id)] = (str(label), shot)
    return found


def in_scope(url: str, site: Site) -> bool:
    """``url`` is on ``site``'s host and under its home page's folder (the site's scope)."""
    parts, home = urlsplit(url), urlsplit(site.home_url)
    if (parts.hostname or "").lower() != site.host:
        return False
    folder = home.path.rsplit("/", 1)[0]
    return not folder or parts.path.startswith(folder + "/")


class SecurityPipeline:
    """Content-security checks on pages, home pages, attachments and link targets (see the module docstring)."""

    def __init__(self, closed: list[Site], as_of: date, max_bytes: int, db: str = "", stats: Any = None) -> None:
        self.closed, self.as_of, self.db, self.stats = closed, as_of, db, stats
        self.closed_hosts = frozenset(site.host for site in closed)  # a link elsewhere needs no scope test
        self.external_hosts: dict[str, bool] = {}  # host -> not a government host (a page's links repeat hosts)
        self.previous: dict[str, tuple[str, HomeSnapshot]] = {}  # site_id -> (run label, its last home snapshot)
        self.limits = Limits(max_bytes=max_bytes)
        self.seen: set[tuple[str, ...]] = set()  # (site_id, kind, evidence or target …) already reported
        self.verdicts: dict[str, Finding | None] = {}  # target URL -> its bad_external_link finding (None: ok)
        self.pending: dict[str, list[tuple[str, str]]] = defaultdict(list)  # target -> (site_id, linking page)
        self.hidden: set[tuple[str, str]] = set()  # (site_id, target) reported as dark links
        self.contacts: dict[str, set[str]] = {}  # site_id -> mobiles its home page publishes as contacts
        self.privacy: PrivacyDetector | None = None
        self.rules: tuple[ExpressionRule, ...] = ()
        self.darklinks: DarkLinkDetector | None = None
        self.targets: TargetClassifier | None = None
        self.terms: SpamTerms | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> SecurityPipeline:
        config = GovsitesConfig.from_settings(crawler.settings)
        if not config.security_enabled:
            raise NotConfigured
        registry = load_sites(config.sites)
        pipeline = cls(registry.closed, date(1900, 1, 1), config.security_max_bytes, config.db, crawler.stats)
        crawler.signals.connect(pipeline.run_opened, signal=run_opened)
        return pipeline

    def run_opened(self, run: RunContext, strategy: RunStrategy) -> None:
        self.as_of = run.as_of  # before the run opens no page is crawled
        self.previous = previous_snapshots(self.db, run.run_id) if self.db else {}

    def open_spider(self) -> None:
        self.privacy = PrivacyDetector.load()
        self.rules = load_rules()
        self.terms = SpamTerms.load()
        self.darklinks = DarkLinkDetector(self.terms)
        self.targets = TargetClassifier(self.terms)

    # -- helpers -----------------------------------------------------------------------------------------
    def _count(self, key: str, count: int = 1) -> None:
        if self.stats is not None and count:
            self.stats.inc_value(f"govsites/security/{key}", count)

    def _risk(self, site_id: str, finding: Finding, url: str, source_url: str = "", key: str = "") -> RiskItem | None:
        """The row of ``finding``; None when the site already has it (``key``: what makes it the same finding)."""
        seen = (site_id, finding.kind, key or finding.evidence)
        if seen in self.seen:
            return None
        self.seen.add(seen)
        self._count(f"findings/{finding.kind}")
        return RiskItem(
            site_id=site_id,
            kind=finding.kind,
            url=url,
            source_url=source_url,
            target=finding.target,
            evidence=finding.evidence,
            severity=finding.severity,
        )

    def _text_findings(self, site_id: str, text: str) -> list[Finding]:
        assert self.privacy is not None
        own = self.contacts.get(site_id, ())
        return [*self.privacy.find(text, self.as_of, own), *find_expressions(text, self.rules, self.as_of)]

    def _keep(self, risks: list[RiskItem | None]) -> list[RiskItem]:
        return [risk for risk in risks if risk is not None]

    # -- items -------------------------------------------------------------------------------------------
    def process_item(self, item: Any) -> Any:
        if isinstance(item, PageItem) and item.kind != "error":
            item.risks = self._page(item)
        elif isinstance(item, ContentItem):
            handler = {
                "home": self._home,
                "home_rendered": self._home,
                "attachment": self._attachment,
                "target": self._target,
            }[item.role]
            item.risks = handler(item)
        return item

    def _page(self, item: PageItem) -> list[RiskItem]:
        site_id = item.site_id
        found = [self._risk(site_id, f, item.url) for f in self._text_findings(site_id, item.text)] if item.text else []
        for ref in item.refs:
            host = url_host(ref.url)
            closed = (
                next((site for site in self.closed if in_scope(ref.url, site)), None)
                if host in self.closed_hosts
                else None
            )
            if closed is not None:
                finding = Finding(
                    kind=CLOSED_SITE_LINK,
                    evidence=f"链接到已关停网站“{closed.name}”：{ref.anchor[:40] or ref.url}",
                    severity=SERIOUS,
                    target=ref.url,
                )
                found.append(self._risk(site_id, finding, ref.source_url, key=ref.url))
            elif ref.tag == "a" and host and self._external(host):
                found += self._linked_target(site_id, ref.url, ref.source_url)
        return self._keep(found)

    def _external(self, host: str) -> bool:
        """``host`` is not a government host (remembered per host)."""
        external = self.external_hosts.get(host)
        if external is None:
            external = self.external_hosts[host] = not is_government_host(host)
        return external

    def _linked_target(self, site_id: str, target: str, source_url: str) -> list[RiskItem | None]:
        if target not in self.verdicts:
            self.pending[target].append((site_id, source_url))
            return []
        finding = self.verdicts[target]
        if finding is None or (site_id, target) in self.hidden:
            return []
        return [self._risk(site_id, finding, source_url, key=target)]

    def _home(self, item: ContentItem) -> list[RiskItem]:
        if item.reason:  # the rendered copy that never came (govsites.spiders.contentsecurity.home_render_failed)
            self._count("home_unrendered")
            evidence = f"首页未能用浏览器渲染，暗链检查只读了原始页面（脚本写入的链接未检查）：{item.reason}"
            finding = Finding(kind=UNRENDERED_HOME, evidence=evidence, severity=NOTICE)
            return self._keep([self._risk(item.site_id, finding, item.url, key=item.url)])
        assert self.darklinks is not None
        assert self.terms is not None
        root = parse_html(item.html)
        findings = self.darklinks.find(root, item.final_url or item.url)
        for finding in findings:
            self.hidden.add((item.site_id, finding.target))
        if item.role == "home":
            assert self.privacy is not None
            own = self.privacy.contact_numbers(visible_text(item.html), self.as_of)
            if own:
                self.contacts[item.site_id] = own
                self._count("own_contacts", len(own))
                logger.info("站点 %s 首页公布的联系电话 %d 个，不计为个人信息泄露", item.site_id, len(own))
            shot = snapshot(root, item.final_url or item.url, self.terms)
            if item.site_id in self.previous:
                label, before = self.previous[item.site_id]
                for finding in compare(before, shot, self.terms):
                    tampered = replace(finding, evidence=f"{finding.evidence}（与运行 {label} 比较）")
                    findings.append(tampered)
            item.snapshot = [
                HomeSnapshotItem(
                    site_id=item.site_id,
                    url=shot.url,
                    source_hosts="|".join(sorted(shot.source_hosts)),
                    terms="|".join(sorted(f"{category}:{term}" for category, term in shot.terms)),
                )
            ]
        else:
            self._count("home_rendered")
        return self._keep([self._risk(item.site_id, f, item.url, key=f.target or f.evidence) for f in findings])

    def _attachment(self, item: ContentItem) -> list[RiskItem]:
        self._count("attachments_read")
        content = read_attachment(item.body, item.url, self.limits) if not item.reason else None
        reason = item.reason or (content.reason if content is not None else "")
        if reason or content is None:
            self._count("attachments_unreadable")
            logger.info("附件无法读取 %s：%s", item.url, reason)
            finding = Finding(kind=UNREADABLE_ATTACHMENT, evidence=reason, severity=NOTICE)
            return self._keep([self._risk(item.site_id, finding, item.url, item.source_url, key=item.url)])
        if content.truncated:
            self._count("attachments_truncated")
        text = content.text
        return self._keep(
            [
                self._risk(item.site_id, f, item.url, item.source_url, key=f"{item.url} {f.evidence}")
                for f in self._text_findings(item.site_id, text)
            ]
        )

    def _target(self, item: ContentItem) -> list[RiskItem]:
        assert self.targets is not None
        moved = item.final_url if item.final_url != item.url else ""  # a redirect's end, judged by its URL too
        verdict = self.targets.classify(item.html, item.url, moved) if item.html else None
        finding = verdict.finding(item.url) if verdict is not None else None
        self.verdicts[item.url] = finding
        self._count("targets_bad" if finding is not None else "targets_ok")
        if finding is None:
            self.pending.pop(item.url, None)
            return []
        risks: list[RiskItem | None] = []
        for site_id, source_url in self.pending.pop(item.url, []):
            if (site_id, item.url) not in self.hidden:
                risks.append(self._risk(site_id, finding, source_url, key=item.url))
        return self._keep(risks)
