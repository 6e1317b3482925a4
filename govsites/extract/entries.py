"""The records the list extractors return: list entries, list pages and home-page blocks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class ListEntry:
    title: str
    url: str
    date: date | None
    date_source: str  # "list" | "url" | ""
    pinned: bool = False


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


@dataclass
class HomeBlock:
    name: str
    more_url: str | None
    entries: list[ListEntry]
    hidden: bool
