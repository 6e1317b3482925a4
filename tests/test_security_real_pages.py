"""No false alarms on real government pages: the repository's fixture pages and ../shared/real-pages."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from govsites.extract.text import decode_body, parse_html, visible_text
from govsites.security.darklinks import DarkLinkDetector
from govsites.security.expressions import find_expressions, load_rules
from govsites.security.privacy import PrivacyDetector
from govsites.security.targets import TargetClassifier
from govsites.security.terms import SpamTerms

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "pages"
SHARED_PAGES = ROOT.parent / "shared" / "real-pages"


def all_findings(path: Path) -> list[str]:
    terms = SpamTerms.load()
    html, _ = decode_body(path.read_bytes())
    text = visible_text(html)
    found = [f.evidence for f in PrivacyDetector.load().find(text, date(2024, 6, 30))]
    found += [f.evidence for f in DarkLinkDetector(terms).find(parse_html(html), "http://www.example.gov.cn/")]
    found += [f.evidence for f in find_expressions(text, load_rules(), date(2024, 6, 30))]
    verdict = TargetClassifier(terms).classify(html, "http://www.example.gov.cn/")
    return [*found, *([verdict.evidence] if verdict.bad else [])]


def test_fixture_pages_have_no_security_findings() -> None:
    pages = sorted(FIXTURES.rglob("*.htm*"))
    assert len(pages) >= 20
    found = {page.name: all_findings(page) for page in pages}
    assert {name: evidence for name, evidence in found.items() if evidence} == {}


@pytest.mark.shared
def test_shared_real_pages_have_no_security_findings() -> None:
    if not SHARED_PAGES.is_dir():
        pytest.skip("../shared/real-pages not present (only in the development checkout)")
    pages = sorted(SHARED_PAGES.rglob("*.htm*"))
    assert len(pages) >= 10
    found = {page.name: all_findings(page) for page in pages}
    assert {name: evidence for name, evidence in found.items() if evidence} == {}
