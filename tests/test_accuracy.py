"""Accuracy of the real pipeline on a small synthetic web that covers every page pattern at least once.

The web (12 sites, seed 8: TRS, Hanweb, JS-filled, table and plain sites, GBK, a down site, hidden tabs,
every date format, redirect chains, soft 404s, HEAD 405, a 503 that recovers, planted typos and look-alike
traps) is served on loopback; the crawl and the scoring run as subprocesses, the way ``make crawl score``
runs them, and their CSV outputs are compared with the web's truth (``bench.web.truth``).

Floors are the issue's aims (>= 0.98) where the crawler meets them. Where it does not, the floor is what it
achieves now and a ``SHORTFALL`` comment names the failing cases; raise the floor when the crawler is fixed.
"""

from __future__ import annotations

import pytest

from bench.web import BenchWeb, build_truth, compare
from bench.web.model import REQUIRED_PATTERNS, WebConfig, coverage
from tests.helpers import crawl_command, needs_chromium, run, score_command

WEB = WebConfig(seed=8, sites=12, pages=60, down_share=0.1, js_share=0.2, typo_share=0.5, broken_share=0.08)
AIM = 0.98
pytestmark = needs_chromium


@pytest.fixture(scope="module")
def accuracy(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    assert REQUIRED_PATTERNS - coverage(WEB) == set()
    tmp = tmp_path_factory.mktemp("accuracy")
    with BenchWeb(WEB) as web:
        registry = web.write_registry(tmp / "sites.csv")
        truth = build_truth(WEB, web.port)
        db, out = tmp / "store.sqlite", tmp / "out"
        crawled = run(
            crawl_command(registry, db, "acc", WEB.as_of.isoformat(), "--allow-private"),
            GOVSITES_PROBES="1",
        )
        assert crawled.returncode == 0, crawled.stderr[-3000:]
        (tmp / "crawl.log").write_text(crawled.stderr, encoding="utf-8")
    scored = run(
        score_command(registry, db, out, "acc"),
        GOVSITES_PROBES="1",
    )
    assert scored.returncode == 0, scored.stderr[-3000:]
    result = compare(truth, out)
    # shown with -s or on failure, with what the crawl warned of (a site read as blocked says why)
    warnings = [line for line in crawled.stderr.splitlines() if "WARNING" in line or "ERROR" in line]
    print("\n".join(result.lines() + result.failures + ["crawl warnings:", *warnings[:200]]))
    return result


def test_column_inventory(accuracy) -> None:  # type: ignore[no-untyped-def]
    # Measured 2026-11-27 19:33 (after the lead's listing.py/site.py changes of 19:28-19:30): every figure of
    # this web is 1.000. The run before those changes missed s0001 /ztzl/index.htm (专题专栏 taken for a side box)
    # and s0002 /html/removed_2043.html (soft 404 at the depth limit, checked with HEAD).
    assert accuracy.figures["column_inventory_recall"] >= AIM, accuracy.failures
    assert accuracy.figures["column_inventory_precision"] >= AIM, accuracy.failures


def test_blank_and_stale_columns(accuracy) -> None:  # type: ignore[no-untyped-def]
    assert accuracy.figures["blank_stale_f1"] >= AIM, accuracy.failures


def test_newest_dates(accuracy) -> None:  # type: ignore[no-untyped-def]
    assert accuracy.figures["newest_date_exact"] >= AIM, accuracy.failures
    assert accuracy.figures["column_status_exact"] >= AIM, accuracy.failures


def test_column_item_counts(accuracy) -> None:  # type: ignore[no-untyped-def]
    # Measured 1.000 (2026-12-07). It was 0.992 before: s0004 list.asp?classid=213, an undated list split over
    # sibling containers whose last part holds one item, was read as its first part's three items of four.
    assert accuracy.figures["column_items_exact"] >= AIM, accuracy.failures


def test_broken_links(accuracy) -> None:  # type: ignore[no-untyped-def]
    # Measured 1.000 / 1.000 (67/67; 0.896 before verdicts were keyed by the linked URL).
    assert accuracy.figures["broken_link_precision"] >= AIM, accuracy.failures
    assert accuracy.figures["broken_link_recall"] >= AIM, accuracy.failures


def test_home_availability(accuracy) -> None:  # type: ignore[no-untyped-def]
    assert accuracy.figures["home_availability_agreement"] == 1.0, accuracy.failures


def test_serious_typos(accuracy) -> None:  # type: ignore[no-untyped-def]
    # Measured: recall 1.000, precision 1.000 (11/11; the 村民杜家豪 trap is no longer reported).
    assert accuracy.figures["typo_recall"] >= AIM, accuracy.failures
    assert accuracy.figures["typo_precision"] >= AIM, accuracy.failures
