"""The records the list extractors return: list entries, list pages and home-page blocks."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class ListEntry:
    title: str
    url: str
    date: date | None
    date_source: str  # "list" | "url" | "article" | ""
    pinned: bool = False
    year_guessed: bool = False  # the list showed the date without its year (12-28): see ListPage.unsure_pinned


@dataclass
class ListPage:
    entries: list[ListEntry]
    empty: bool
    next_pages: list[str]
    has_scripts: bool
    needs_render: bool
    column_name: str

    @property
    def newest(self) -> date | None:
        """The newest entry date (a pinned old item never hides newer ones)."""
        dates = [entry.date for entry in self.entries if entry.date is not None]
        return max(dates) if dates else None

    def unsure_pinned(self) -> list[ListEntry]:
        """Pinned (置顶) entries whose date the list showed without its year and which would be its newest.

        A year-less date takes the latest year on or before the evaluation date. In a list ordered newest first
        the entries below confirm it, but a pinned item stays on top for years: ``[12-28]`` above ``[09-26]`` may
        be last December's notice, and taking it for this year's would hide a stale column. Only the article can
        tell (the spider opens it, as for an undated list)."""
        ordered = max((e.date for e in self.entries if e.date is not None and not e.pinned), default=None)
        return [
            e
            for e in self.entries
            if e.pinned and e.year_guessed and e.date is not None and (ordered is None or e.date > ordered)
        ]

    def redated(self, dates: Mapping[str, date]) -> ListPage:
        """The list with the entries whose URL is in ``dates`` dated as their articles say (source "article")."""
        entries = [
            dataclasses.replace(e, date=dates[e.url], date_source="article", year_guessed=False)
            if e.url in dates
            else e
            for e in self.entries
        ]
        return dataclasses.replace(self, entries=entries)


def unsure_newest(entries: Sequence[ListEntry]) -> list[ListEntry]:
    """Entries shown with a year-less date and newer than every entry whose year was written, newest first, one
    per address: the newest date of a page of blocks (the home page) rests on them.

    A block may show a pinned item without any mark, so its order cannot confirm a guessed year the way a list's
    does (`ListPage.unsure_pinned`): ``[11-30]`` on top of a home-page block may be last year's notice. Only the
    articles can tell; the spider opens them newest first until one confirms its date."""
    written = max((e.date for e in entries if e.date is not None and not e.year_guessed), default=None)
    unsure: dict[str, ListEntry] = {}
    for entry in sorted(entries, key=lambda e: e.date or date.min, reverse=True):
        if entry.date is None or (written is not None and entry.date <= written):
            break
        if entry.year_guessed:
            unsure.setdefault(entry.url, entry)
    return list(unsure.values())


@dataclass
class HomeBlock:
    name: str
    more_url: str | None
    entries: list[ListEntry]
    hidden: bool
