"""Columns (栏目) of a site: where they are named, how they are registered, the items that report them.

Columns are named by the home page's menus and 更多 links, by pages one click away, by site maps and by column
pages themselves; a hand-pinned column (``data/columns.csv``) replaces discovery for its site. A column's item
is written once, when its list has been read (or when its page fails and a strong link named it, or when the
browser could not render its list: ``unrendered``, with the reason).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from govsites.extract.columns import CategoryTable, ColumnLink
from govsites.extract.listing import HomeBlock, ListEntry, ListPage
from govsites.items import ColumnItem, ListEntryItem
from govsites.registry import PinnedColumn
from govsites.rendering import RenderFailure
from govsites.sitestate import SiteState

#: Link texts of site maps (网站地图): their pages are read for columns wherever they are linked.
SITEMAP_ANCHORS = frozenset({"网站地图", "站点地图", "网站导航", "sitemap", "Sitemap", "SiteMap"})

#: Where a column link was found that makes its page a column even when the page fails.
STRONG_COLUMN_LINKS = frozenset({"nav", "more", "tab", "sitemap", "pinned"})


def names_columns(column: ColumnLink | None, depth: int, sitemap: bool) -> bool:
    """Where columns are named: the home page and pages one click away (menus, 信息公开 directories),
    site maps, and column pages themselves (their secondary menus; ``column``: the page's entry in the site's
    columns, None when it is not one). Articles deeper in are not read for
    menus: they repeat the ones already read, and discovery is a fifth of a crawl's CPU.

    A page deeper in that only a bare link named a column (the weakest source: often an article's title in a
    related-articles box) names no further ones: otherwise each article named so named its related articles in
    turn, and every article of a column became a candidate fetched and read as a list (on the 65-site bench web,
    URLs fetched twice as pages fell from 552 to 294 with this and :func:`register_columns`' rule; the rest are
    redirects to pages already read)."""
    if depth <= 1 or sitemap:
        return True
    return column is not None and column.found_by in STRONG_COLUMN_LINKS


#: Which link names a column, whatever order pages are parsed in: a menu before a 更多, a tab, a site map.
FOUND_BY_RANK = {"pinned": 0, "nav": 1, "more": 2, "tab": 3, "sitemap": 4, "link": 5}


def outranks(candidate: ColumnLink, known: ColumnLink) -> bool:
    """Whether ``candidate`` names a column by a better source than ``known``."""
    worst = len(FOUND_BY_RANK)
    return FOUND_BY_RANK.get(candidate.found_by, worst) < FOUND_BY_RANK.get(known.found_by, worst)


def register_home_blocks(state: SiteState, blocks: list[HomeBlock]) -> None:
    """The home page's blocks name columns through their 更多 links."""
    for block in blocks:
        if block.more_url and not state.pinned and state.internal(block.more_url):
            state.add_column(ColumnLink(block.name, block.more_url, "more"))
            state.add_home_column(block.more_url)


def register_columns(
    state: SiteState, found: list[ColumnLink], depth: int, categories: CategoryTable
) -> tuple[list[ColumnLink], list[ColumnItem], list[ColumnLink]]:
    """Register the columns a page names: those already parsed as plain pages, to be fetched again for their
    list; and the items of columns written already that a better source names now, written again. A page
    already parsed that only a bare link names is not fetched again (the third list, counted by the spider): the
    weakest source names many an article, and a column that matters is also named by a menu, a 更多, a tab or a
    site map, each of which fetches it again."""
    again: list[ColumnLink] = []
    renamed: list[ColumnItem] = []
    kept: list[ColumnLink] = []
    # what the site knows of each candidate, asked at once (one round trip in a distributed crawl), and kept up to
    # date as this page names them (a menu and a site-map block may name one column twice)
    known_now = dict(zip((c.url for c in found), state.columns_of([c.url for c in found]), strict=True))
    for candidate in found:
        known = known_now[candidate.url]
        if known is not None:
            if outranks(candidate, known):
                # whichever page is parsed first, the better source names the column (and its written item)
                state.set_column(candidate)
                known_now[candidate.url] = candidate
                written = state.written_column(candidate.url)
                if written is not None:
                    renamed.append(renamed_item(written, candidate, categories))
                elif (
                    known.found_by not in STRONG_COLUMN_LINKS
                    and state.was_parsed(candidate.url)
                    and not state.column_is_done(candidate.url)
                ):
                    again.append(candidate)  # kept unread as a bare link's, read now that a better source names it
            continue
        state.set_column(candidate)
        known_now[candidate.url] = candidate
        if depth == 0:
            state.add_home_column(candidate.url)
        if state.was_parsed(candidate.url) and not state.column_is_done(candidate.url):
            (again if candidate.found_by in STRONG_COLUMN_LINKS else kept).append(candidate)
    return again, renamed, kept


def renamed_item(written: ColumnItem, better: ColumnLink, categories: CategoryTable) -> ColumnItem:
    """A written column item as the better source names it (its name, hence its category, and ``found_by``)."""
    if not better.name or better.name == written.name:
        return replace(written, found_by=better.found_by)
    return replace(written, name=better.name, category=categories.categorize(better.name), found_by=better.found_by)


def pinned_column(state: SiteState, url: str) -> PinnedColumn | None:
    return next((p for p in state.pinned if p.url == url), None)


def column_category(state: SiteState, categories: CategoryTable, column: ColumnLink, listing: ListPage) -> str:
    """A pinned column's own category, else the one its name gives."""
    pin = pinned_column(state, column.url)
    if pin is not None and pin.category:
        return pin.category
    return categories.categorize(column.name or listing.column_name)


def column_item(
    state: SiteState, category: str, column: ColumnLink, listing: ListPage, rendered: bool, article: date | None = None
) -> ColumnItem:
    """The column's verdict from its list (``article``: the newest date its articles gave, for an undated list)."""
    newest = listing.newest or article
    source = ""
    if listing.newest is not None:
        source = next(e.date_source for e in listing.entries if e.date == listing.newest)
    elif article is not None:
        source = "article"
    if not listing.entries:
        status = "blank"
    elif newest is None:
        status = "undated"
    else:
        status = "ok"
    return state.write_column(
        ColumnItem(
            site_id=state.site.site_id,
            url=column.url,
            name=column.name or listing.column_name,
            category=category,
            newest_date=newest.isoformat() if newest else "",
            items=len(listing.entries),
            status=status,
            date_source=source,
            found_by=column.found_by,
            rendered=rendered,
            on_home=state.is_home_column(column.url),
        )
    )


def unreachable_column(
    state: SiteState, categories: CategoryTable, url: str, failure: RenderFailure | None = None
) -> ColumnItem | None:
    """A column whose page failed, when a strong link named it (a plain link to a failing page is a broken
    link, not a column); None otherwise or when its item is written already.

    A column whose list needed the browser and whose render ended without a page (the page itself opened: the
    reason was noted by :class:`govsites.browserpages.RenderFailures`) is ``unrendered``, with that reason,
    whatever named it: its list was never read, which the site is not to blame for and which the evaluation
    must say (never an unreachable column, never one read and found fine). ``failure``: the reason when the
    caller knows it (the browser switched off), else the one noted for ``url``."""
    failure = state.take_render_failure(url) or failure
    column = state.column(url)
    if column is None or (failure is None and column.found_by not in STRONG_COLUMN_LINKS):
        return None
    if not state.mark_column_done(column.url):
        return None
    pin = pinned_column(state, column.url)  # a pinned column keeps its own category
    return state.write_column(
        ColumnItem(
            site_id=state.site.site_id,
            url=column.url,
            name=column.name,
            category=pin.category if pin is not None and pin.category else categories.categorize(column.name),
            newest_date="",
            items=0,
            status="unreachable" if failure is None else "unrendered",
            found_by=column.found_by,
            on_home=state.is_home_column(column.url),
            render_error=failure.code if failure is not None else "",
            render_detail=failure.detail if failure is not None else "",
        )
    )


def entry_item(site_id: str, column_url: str, entry: ListEntry) -> ListEntryItem:
    return ListEntryItem(
        site_id=site_id,
        column_url=column_url,
        url=entry.url,
        title=entry.title,
        date=entry.date.isoformat() if entry.date else "",
        date_source=entry.date_source,
        pinned=entry.pinned,
    )
