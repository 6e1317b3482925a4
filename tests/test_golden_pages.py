"""Golden pages: what the extractors return for each saved page in tests/pages/, pinned.

Every ``tests/pages/<name>.expected.json`` pins the page ``<name>.html`` beside it, or the page its ``input`` names
as ``page`` (a path relative to tests/pages/, for a real page vendored once under tests/realpages/). Its ``input``
(the page's URL and evaluation date) is written by hand; everything else is what the extractors returned when the
expectations were last refreshed: the decoded encoding and title, the list page (entries with dates, emptiness, next
pages, render hint), the home blocks, the columns found, the article date, the letters, the guide verdict
and the link counts. A page's bytes are decoded as the spider decodes a response without a charset header.

When a heuristic changes on purpose, refresh the expectations and review the diff before committing::

    GOVSITES_REFRESH_GOLDEN=1 .venv/bin/python -m pytest tests/test_golden_pages.py

A new page: save ``<name>.html``, write ``<name>.expected.json`` as ``{"input": {"url": ..., "as_of":
"YYYY-MM-DD"}}``, refresh, and say where the page comes from in tests/pages/SOURCES.md.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from govsites.extract.columns import article_date, column_name, discover_columns
from govsites.extract.entries import ListEntry
from govsites.extract.guides import guide_elements, guide_forms, is_guide_page
from govsites.extract.links import extract_links
from govsites.extract.listing import extract_blocks, extract_list
from govsites.extract.mailbox import extract_letters
from govsites.extract.page import Page
from govsites.extract.text import decode_body

PAGES = Path(__file__).resolve().parent / "pages"
NAMES = sorted(path.name.removesuffix(".expected.json") for path in PAGES.glob("*.expected.json"))
REFRESH = os.environ.get("GOVSITES_REFRESH_GOLDEN") == "1"


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _entry(entry: ListEntry) -> list[Any]:
    """[date, date source, title, url] (+ "pinned"): one line per entry in the JSON."""
    row: list[Any] = [_day(entry.date), entry.date_source, entry.title, entry.url]
    return [*row, "pinned"] if entry.pinned else row


def extracted(html: str, url: str, as_of: date) -> dict[str, Any]:
    """What the extractors return for one page, as JSON-ready values."""
    page = Page(html, url, as_of)
    listing = extract_list(page)
    when, source = article_date(page)
    present, missing = guide_elements(page)
    return {
        "title": page.title,
        "column_name": column_name(page),
        "list": {
            "entries": [_entry(e) for e in listing.entries],
            "empty": listing.empty,
            "next_pages": listing.next_pages,
            "has_scripts": listing.has_scripts,
            "needs_render": listing.needs_render,
            "column_name": listing.column_name,
        },
        "blocks": [
            {"name": b.name, "more_url": b.more_url, "hidden": b.hidden, "entries": [_entry(e) for e in b.entries]}
            for b in extract_blocks(page)
        ],
        "columns": [[c.name, c.url, c.found_by] for c in discover_columns(page)],
        "article_date": [_day(when), source],
        "letters": [
            [letter.title, letter.url, _day(letter.submitted), letter.status, letter.answered, _day(letter.reply_date)]
            for letter in extract_letters(page)
        ],
        "guide": {"is_guide": is_guide_page(page), "present": present, "missing": missing, "forms": guide_forms(page)},
        "links": dict(sorted(Counter(link.kind for link in extract_links(html, url)).items())),
    }


def as_json(value: dict[str, Any]) -> str:
    """Indented JSON with each entry, letter and column on one line (diffs stay readable)."""

    def render(node: Any, indent: int) -> str:
        pad = " " * indent
        if isinstance(node, dict) and node:
            items = [
                f"{pad} {json.dumps(k, ensure_ascii=False)}: {render(v, indent + 1).lstrip()}" for k, v in node.items()
            ]
            return pad + "{\n" + ",\n".join(items) + "\n" + pad + "}"
        if isinstance(node, list) and node and all(isinstance(x, list) for x in node):
            rows = [pad + " " + json.dumps(x, ensure_ascii=False) for x in node]
            return pad + "[\n" + ",\n".join(rows) + "\n" + pad + "]"
        if isinstance(node, list) and node and all(isinstance(x, dict) for x in node):
            return pad + "[\n" + ",\n".join(render(x, indent + 1) for x in node) + "\n" + pad + "]"
        return pad + json.dumps(node, ensure_ascii=False)

    return render(value, 0) + "\n"


def page_file(name: str, given: dict[str, Any]) -> Path:
    """The saved page an expectation pins: ``<name>.html`` beside it, or the ``page`` its input names."""
    return PAGES / given.get("page", f"{name}.html")


@pytest.mark.parametrize("name", NAMES)
def test_golden_page(name: str) -> None:
    expected_path = PAGES / f"{name}.expected.json"
    expected = json.loads(expected_path.read_text(encoding="utf-8"))
    url, as_of = expected["input"]["url"], date.fromisoformat(expected["input"]["as_of"])
    html, encoding = decode_body(page_file(name, expected["input"]).read_bytes())
    actual = {"input": expected["input"], "encoding": encoding, **extracted(html, url, as_of)}
    if REFRESH:
        expected_path.write_text(as_json(actual), encoding="utf-8")
        expected = actual
    assert actual == expected


def test_every_golden_page_has_its_expectations_and_a_source() -> None:
    assert len(NAMES) >= 10
    sources = (PAGES / "SOURCES.md").read_text(encoding="utf-8")
    for name in NAMES:
        given = json.loads((PAGES / f"{name}.expected.json").read_text(encoding="utf-8"))["input"]
        assert page_file(name, given).is_file(), name
        assert f"`{name}.html`" in sources, f"{name}.html: say where it comes from in tests/pages/SOURCES.md"
    assert not [p.name for p in PAGES.glob("*.html") if p.name.removesuffix(".html") not in NAMES]
