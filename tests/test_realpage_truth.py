"""Real saved pages against hand-checked truth (issue 14, "Evidence and tests").

``tests/realpages/truth.json`` says, for each real page, what a visitor sees: the kind of page, an article's
publication date, a list's item count and newest date. This test runs the current extractors on every page and
measures three things issue 14 names: article dates read exactly, lists whose item count is right (and no list
called blank when it has items), and article pages taken for columns. Each figure has a floor equal to what the
code achieves now; the ``SHORTFALL:`` comments name the failing pages and issue 14's target, so a floor is raised
when an extractor is fixed. ``docs/real-pages.md`` explains each failure.

Pages under ``tests/realpages/`` ship with the project (permissive licences, see SOURCES.md there); pages
marked ``shared:`` live in ``../shared/real-pages`` and their tests skip when it is absent (a user's clone).
Run with ``-s`` to see the figures.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from govsites.extract.columns import article_date
from govsites.extract.listing import extract_list
from govsites.extract.page import Page
from govsites.extract.text import decode_body

ROOT = Path(__file__).resolve().parents[1]
LOCAL = ROOT / "tests" / "realpages"
SHARED = ROOT.parent / "shared" / "real-pages"
TRUTH = LOCAL / "truth.json"
KINDS = {"article", "list", "home", "other"}


# ---------------------------------------------------------------------------------------------
# The one adapter between this test and the extractors (issue 13 moves them onto a Page object:
# only this function changes then).


@dataclass(frozen=True)
class Reading:
    """What the extractors make of one page."""

    published: date | None  # article_date
    entries: int  # main-list entries
    newest: date | None  # newest main-list entry date
    empty: bool  # the list extractor calls the page a blank column


def read_page(html: str, url: str, as_of: date) -> Reading:
    page = Page(html=html, url=url, as_of=as_of)
    when, _source = article_date(page)
    listing = extract_list(page)
    return Reading(published=when, entries=len(listing.entries), newest=listing.newest, empty=listing.empty)


# ---------------------------------------------------------------------------------------------
# The corpus


@dataclass(frozen=True)
class RealPage:
    name: str
    path: Path
    shared: bool
    family: str
    kind: str
    url: str
    as_of: date
    published: date | None  # an article's publication date
    items: int | None
    newest: date | None
    jsp: bool
    visible_date: bool  # False: the page shows no publication date (truth from an uncontradicted meta)

    def html(self) -> str:
        text, _encoding = decode_body(self.path.read_bytes(), None)
        if self.jsp:
            # the repository wrapped the saved page in JSP directives; the served page has none
            lines = text.splitlines()
            text = "\n".join(line for line in lines if not line.lstrip().startswith(("<%", "<jsp:")))
        return text


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def load_truth() -> list[RealPage]:
    doc = json.loads(TRUTH.read_text(encoding="utf-8"))
    pages = []
    for entry in doc["pages"]:
        file: str = entry["file"]
        shared = file.startswith("shared:")
        path = SHARED / file.removeprefix("shared:") if shared else LOCAL / file
        pages.append(
            RealPage(
                name=file.removeprefix("shared:"),
                path=path,
                shared=shared,
                family=entry["family"],
                kind=entry["kind"],
                url=entry.get("url") or f"http://{entry['site']}/",
                as_of=date.fromisoformat(entry["as_of"]),
                published=_day(entry.get("date")),
                items=entry.get("items"),
                newest=_day(entry.get("newest")),
                jsp=bool(entry.get("jsp")),
                visible_date=entry.get("visible_date", True),
            )
        )
    return pages


PAGES = load_truth()


@dataclass(frozen=True)
class Figures:
    dates_exact: float
    dates_wrong: list[str]  # article pages whose date is not the one a visitor reads
    lists_exact: float
    lists_wrong: list[str]  # list/home pages whose item count or newest date differs
    false_blanks: list[str]  # list/home pages with items that were called blank
    articles_as_columns: list[str]  # article/other pages read as a column (items, or a blank column)


def measure(pages: list[RealPage]) -> tuple[Figures, dict[str, Reading]]:
    readings = {page.name: read_page(page.html(), page.url, page.as_of) for page in pages}
    by_name = {page.name: page for page in pages}
    articles = [p for p in by_name.values() if p.kind == "article" and p.published is not None]
    lists = [p for p in by_name.values() if p.kind in {"list", "home"} and p.items is not None]
    dates_wrong = [p.name for p in articles if readings[p.name].published != p.published]
    lists_wrong = [p.name for p in lists if (readings[p.name].entries, readings[p.name].newest) != (p.items, p.newest)]
    false_blanks = [p.name for p in lists if p.items and readings[p.name].entries == 0 and readings[p.name].empty]
    as_columns = [
        p.name
        for p in by_name.values()
        if p.kind in {"article", "other"} and (readings[p.name].entries > 0 or readings[p.name].empty)
    ]
    figures = Figures(
        dates_exact=1 - len(dates_wrong) / len(articles) if articles else 1.0,
        dates_wrong=sorted(dates_wrong),
        lists_exact=1 - len(lists_wrong) / len(lists) if lists else 1.0,
        lists_wrong=sorted(lists_wrong),
        false_blanks=sorted(false_blanks),
        articles_as_columns=sorted(as_columns),
    )
    return figures, readings


def report(title: str, pages: list[RealPage], figures: Figures, readings: dict[str, Reading]) -> None:
    print(f"\n== {title}: {len(pages)} pages")
    print(f"article dates exact: {figures.dates_exact:.2f}  wrong: {figures.dates_wrong}")
    print(f"lists exact: {figures.lists_exact:.2f}  wrong: {figures.lists_wrong}")
    print(f"false blanks: {figures.false_blanks}")
    print(f"article/other pages read as columns: {figures.articles_as_columns}")
    for page in pages:
        got = readings[page.name]
        want: Any = page.published if page.kind == "article" else (page.items, page.newest)
        print(f"  {page.kind:7} {page.family[:34]:34} {page.name[-44:]:44} want={want} got={got}")


# ---------------------------------------------------------------------------------------------
# Regenerated pages: issue 14 says real TRS/Hanweb sites rewrite their date metas when they regenerate a page.
# The pages above mostly carry a meta that agrees with the visible date, so two derived readings show how the
# date reader fares when the meta cannot be trusted: with the date metas removed (only what a visitor sees is
# left) and with every date meta set to the regeneration time (the fetch day).

DATE_META = re.compile(
    r"""<meta\b[^>]*\b(?:name|property|itemprop)\s*=\s*["']?[\w:.-]*(?:date|time)[\w:.-]*["']?[^>]*>""", re.IGNORECASE
)
CONTENT = re.compile(r"""(\bcontent\s*=\s*)(["'])[^"']*\2""", re.IGNORECASE)


def without_date_metas(html: str) -> str:
    return DATE_META.sub("", html)


def regenerated(html: str, when: date) -> str:
    stamp = f"{when:%Y-%m-%d} 08:00"
    return DATE_META.sub(lambda meta: CONTENT.sub(rf"\g<1>\g<2>{stamp}\g<2>", meta.group(0)), html)


@dataclass(frozen=True)
class MetaFigures:
    visible_only_wrong: list[str]  # dates wrong once the date metas are removed
    regenerated: list[str]  # pages that carry a date meta
    regenerated_wrong: list[str]  # dates wrong once those metas say "regenerated on the fetch day"


def untrusted_meta_figures(pages: list[RealPage]) -> MetaFigures:
    articles = [p for p in pages if p.kind == "article" and p.published is not None and p.visible_date]
    visible_wrong, with_meta, regenerated_wrong = [], [], []
    for page in articles:
        html = page.html()
        if read_page(without_date_metas(html), page.url, page.as_of).published != page.published:
            visible_wrong.append(page.name)
        if DATE_META.search(html):
            with_meta.append(page.name)
            if read_page(regenerated(html, page.as_of), page.url, page.as_of).published != page.published:
                regenerated_wrong.append(page.name)
    figures = MetaFigures(
        visible_only_wrong=sorted(visible_wrong),
        regenerated=sorted(with_meta),
        regenerated_wrong=sorted(regenerated_wrong),
    )
    print(f"\nvisible date only (date metas removed), wrong: {figures.visible_only_wrong}")
    print(f"date meta set to the regeneration day, wrong: {len(regenerated_wrong)} of {len(with_meta)}")
    return figures


# Known failures (docs/real-pages.md, "The failing cases"): real pages the extractors still get wrong.
_CWCED = "immortal-autumn__Chinese-Web-Content-Extraction-Dataset/"
SHJNET = _CWCED + "shjnet_article.html"  # a bare date next to a bare source name, no meta, no URL
BYNR = _CWCED + "bynr_gov_cn_article.html"  # a bare date on the info line, 来源 only at the end of the body
JL_XXGK = _CWCED + "jl_gov_cn_xxgk_notice.html"  # 发布日期： and its date in two table cells


def local_pages() -> list[RealPage]:
    return [page for page in PAGES if not page.shared]


def shared_pages() -> list[RealPage]:
    pages = [page for page in PAGES if page.shared]
    if not SHARED.is_dir() or not all(page.path.exists() for page in pages):
        pytest.skip("../shared/real-pages not present (a user's clone): shared real-page figures skipped")
    return pages


# ---------------------------------------------------------------------------------------------
# The truth file itself


def test_truth_file_covers_every_vendored_page_and_is_well_formed() -> None:
    vendored = {p.relative_to(LOCAL).as_posix() for p in LOCAL.glob("*/*") if p.suffix in {".html", ".htm"}}
    assert vendored == {page.name for page in local_pages()}
    sources = (LOCAL / "SOURCES.md").read_text(encoding="utf-8")
    for page in PAGES:
        assert page.kind in KINDS, page.name
        if page.kind == "article":
            assert page.published is not None, page.name
        if page.kind in {"list", "home"}:
            assert page.items is not None, page.name
            assert page.items > 0, page.name
        if not page.shared:
            assert page.path.exists(), page.name
            assert page.path.name in sources, f"{page.name} has no origin in SOURCES.md"
        if page.published is not None:
            assert page.published <= page.as_of, page.name
    assert len({page.name for page in PAGES}) == len(PAGES)


# ---------------------------------------------------------------------------------------------
# Figures: floors are what the code achieves now


def test_vendored_real_pages_figures() -> None:
    pages = local_pages()
    figures, readings = measure(pages)
    report("vendored real pages (tests/realpages)", pages, figures, readings)
    # Issue 14's target (article dates exact >= 0.95 on real pages) is met: 21 of 21 exact. shjnet_article (松花江网,
    # TRS) shows '2022-02-13 09:57 光明网' alone, with 分享到 on the next line, and no date meta or URL date.
    assert figures.dates_exact == 1.0
    assert figures.dates_wrong == []
    # No article page is read as a column (issue 14). he_news_cn_article was read as a BLANK column: its Xinhua URL
    # (/YYYYMMDD/<hex>/c.html) and its info line under the title now say article, and the empty slots of its side
    # widget no longer count as an empty main list.
    assert figures.articles_as_columns == []
    # Lists: the 4 vendored lists (non-government 公告 pages) are read exactly and none is called blank.
    assert figures.lists_exact == 1.0
    assert figures.false_blanks == []

    meta = untrusted_meta_figures(pages)
    # The visible date is read before any meta (issue 14): with the date metas removed all 21 stay exact, and all 15
    # whose metas say "regenerated on the fetch day". bynr_gov_cn_article (TRS: '2022-02-11 09:52' alone between
    # the site name and 打印本页) and jl_gov_cn_xxgk_notice (发布日期： in one table cell, 2022年01月28日 in the next,
    # after 成文日期) were right only through their meta until the date readers learnt these two layouts.
    assert meta.visible_only_wrong == []
    assert len(meta.regenerated) == 15
    assert meta.regenerated_wrong == []


@pytest.mark.shared
def test_shared_real_pages_figures() -> None:
    pages = shared_pages()
    figures, readings = measure(pages)
    report("shared real pages (../shared/real-pages)", pages, figures, readings)
    # Article dates: all 6 exact now (issue 14's target >= 0.95 is met on these; none of them has a meta date
    # that disagrees with the visible one, which is the case issue 14 reports as failing).
    assert figures.dates_exact == 1.0
    # Lists and home pages: all 3 item counts and newest dates exact, and none called blank (target: no false blank).
    assert figures.lists_exact == 1.0
    assert figures.false_blanks == []
    assert figures.articles_as_columns == []


@pytest.mark.shared
def test_all_real_pages_figures() -> None:
    pages = local_pages() + shared_pages()
    figures, readings = measure(pages)
    report("all real pages", pages, figures, readings)
    # Issue 14's targets are met: 27 of 27 article dates exact, no article page read as a column.
    assert figures.dates_exact == 1.0
    assert figures.dates_wrong == []
    assert figures.articles_as_columns == []
    # Lists: 7 of 7 exact, no false blank (issue 14's target is met on these, but see docs/real-pages.md: only one
    # real government list page, cut to one row, is in the corpus).
    assert figures.lists_exact == 1.0
    assert figures.false_blanks == []

    meta = untrusted_meta_figures(pages)
    # With the date metas removed all 26 stay exact (other_1 shows no date and is left out), and all 20 when the
    # metas say the page was regenerated on the fetch day.
    assert meta.visible_only_wrong == []
    assert len(meta.regenerated) == 20
    assert meta.regenerated_wrong == []
