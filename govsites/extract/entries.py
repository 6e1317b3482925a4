"""The records the list extractors return: list entries, list pages and home-page blocks."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
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


@dataclass
class HomeBlock:
    name: str
    more_url: str | None
    entries: list[ListEntry]
    hidden: bool
