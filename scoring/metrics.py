"""Per-site metrics from the run's tidy frames: home availability and updates, columns, links, typos.

Each step is a small function over frames; ``site_metrics`` joins them onto the registry's sites, so every
registry site has exactly one row. Column status ``ok`` becomes ``stale`` here, against the rubric's
category windows before AS_OF (the crawler cannot know AS_OF's rules).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pandas as pd

from govsites.registry import CATEGORIES
from scoring import interaction, security, sitechecks
from scoring.vocabulary import (
    COLUMNS_COLUMNS,
    COUNT_COLUMNS,
    EVALUATED,
    LINKS_COLUMNS,
    RENDER_ERROR,
    TYPOS_COLUMNS,
    UNCHECKED,
    UNCHECKED_STATUSES,
    UNTESTED,
)

if TYPE_CHECKING:
    from scoring.load import RunData
    from scoring.rubric import Rubric

_HTTP_OK = r"[23]\d\d"


def _dates(text: pd.Series) -> pd.Series:
    """ISO dates (``YYYY-MM-DD``, a time part ignored) → datetime64; empty or malformed → NaT."""
    return pd.to_datetime(text.str.slice(0, 10), format="%Y-%m-%d", errors="coerce")


# -- columns -----------------------------------------------------------------------------------------
def resolve_columns(columns: pd.DataFrame, rubric: Rubric, as_of: date) -> pd.DataFrame:
    """Turn ``ok`` into ``stale`` when newest_date < AS_OF − the category window; add ``stale_before``."""
    cutoffs = {c: w.cutoff(as_of).isoformat() for c, w in rubric.windows.items()}
    cutoff = columns["category"].map(cutoffs)
    too_old = _dates(columns["newest_date"]) < pd.to_datetime(cutoff, format="%Y-%m-%d")
    stale = (columns["status"] == "ok") & too_old
    if rubric.undated_is_stale:
        stale = stale | ((columns["status"] == "undated") & cutoff.notna())
    return columns.assign(status=columns["status"].mask(stale, "stale"), stale_before=cutoff.fillna("").astype("str"))


def column_counts(columns: pd.DataFrame, rubric: Rubric) -> pd.DataFrame:
    """Per site: columns_total and counts by status (``unrendered``: lists the browser could not render, never
    read: no problem of the site, and not a column read fine); stale key-category and per-category counts."""
    sites = pd.Index(columns["site_id"].unique(), name="site_id")
    status = pd.crosstab(columns["site_id"], columns["status"]).reindex(
        index=sites, columns=["blank", "stale", "undated", "unreachable", "unrendered"], fill_value=0
    )
    stale = columns.loc[columns["status"] == "stale"]
    by_category = pd.crosstab(stale["site_id"], stale["category"]).reindex(
        index=sites, columns=list(CATEGORIES), fill_value=0
    )
    return pd.DataFrame(
        {
            "columns_total": columns.groupby("site_id").size(),
            "blank_columns": status["blank"],
            "stale_columns": status["stale"],
            "undated_columns": status["undated"],
            "unreachable_columns": status["unreachable"],
            # lists that needed the browser and were never read: not counted as any problem, named as a partial
            # evaluation (评估范围)
            "unrendered_columns": status["unrendered"],
            "stale_key_columns": by_category.loc[:, list(rubric.key_categories)].sum(axis=1),
        }
    ).join(by_category.add_prefix("stale_"))


def unrendered_reasons(columns: pd.DataFrame) -> dict[str, str]:
    """Per site with columns the browser could not render: how many for each reason, in the declared order of the
    reasons (``渲染超时 2 个、未渲染（已跳过） 1 个``)."""
    unread = columns.loc[columns["status"] == "unrendered"]
    order = {code: i for i, code in enumerate(RENDER_ERROR)}
    out: dict[str, str] = {}
    for site_id, rows in unread.groupby("site_id", sort=True):
        counts = rows["render_error"].value_counts()
        codes = sorted(counts.index, key=lambda code: (order.get(code, len(order)), code))
        labels = [RENDER_ERROR.get(code, code or "原因不明") for code in codes]
        out[str(site_id)] = "、".join(f"{label} {counts[code]} 个" for label, code in zip(labels, codes, strict=True))
    return out


# -- home page ---------------------------------------------------------------------------------------
def home_urls(sites: pd.DataFrame, pages: pd.DataFrame) -> pd.DataFrame:
    """(site_id, url) pairs naming each site's home page: run home_url, home page url and final_url."""
    home = pages.loc[pages["kind"] == "home"]
    parts = [
        sites.loc[:, ["site_id", "run_home_url"]].rename(columns={"run_home_url": "url"}),
        home.loc[:, ["site_id", "url"]],
        home.loc[:, ["site_id", "final_url"]].rename(columns={"final_url": "url"}),
    ]
    return pd.concat(parts, ignore_index=True).pipe(lambda f: f.loc[f["url"] != ""]).drop_duplicates()


def home_availability(sites: pd.DataFrame, probes: pd.DataFrame, pages: pd.DataFrame, rubric: Rubric) -> pd.DataFrame:
    """Probe counts and availability; a site without probes is judged by its home page fetch."""
    counted = (
        probes.assign(failed=probes["ok"] == 0)
        .groupby("site_id")
        .agg(home_probes=("failed", "size"), home_failures=("failed", "sum"))
    )
    home = pages.loc[pages["kind"] == "home"]
    page_ok = home["status"].str.fullmatch(_HTTP_OK).groupby(home["site_id"]).any()
    frame = (
        sites.loc[:, ["site_id"]]
        .set_index("site_id")
        .join(counted)
        .fillna({"home_probes": 0, "home_failures": 0})
        .astype("int64")
    )
    rate = (frame["home_failures"] / frame["home_probes"]).where(frame["home_probes"] > 0)
    unprobed = frame["home_probes"] == 0
    fetched = frame.index.to_series().map(page_ok).fillna(False).astype(bool)
    available = (rate < rubric.probe_failure_threshold).where(~unprobed, fetched).astype(bool)
    source = pd.Series("probes", index=frame.index, dtype="str").mask(unprobed, "page")
    return frame.assign(
        home_failure_rate=rate.round(4),
        home_failure_pct=(rate * 100).round(2).fillna(0.0),
        home_available=available,
        home_unavailable=~available,
        home_unprobed=unprobed,
        home_source=source.mask(unprobed & ~frame.index.isin(home["site_id"]), "none"),
    )


def article_dates(list_items: pd.DataFrame) -> pd.DataFrame:
    """Items dated as their article says wherever a column's row of the same item was (date source ``article``: a
    pinned item whose list date lacked its year, `govsites.extract.entries.ListPage.unsure_pinned`): the home
    page's copy of that item, shown with the same year-less date (pinned there or not), takes it too."""
    confirmed = (
        list_items.loc[list_items["date_source"] == "article", ["site_id", "url", "date"]]
        .drop_duplicates(["site_id", "url"])
        .rename(columns={"date": "article_date"})
    )
    merged = list_items.merge(confirmed, on=["site_id", "url"], how="left")
    return merged.assign(date=merged["article_date"].fillna(merged["date"])).drop(columns="article_date")


def home_update(
    list_items: pd.DataFrame, columns: pd.DataFrame, homes: pd.DataFrame, rubric: Rubric, as_of: date
) -> pd.DataFrame:
    """Newest dated item on the home page (fallback: newest column date) against the home window."""
    on_home = list_items.pipe(article_dates).merge(
        homes.rename(columns={"url": "column_url"}), on=["site_id", "column_url"]
    )
    home_newest = _dates(on_home["date"]).groupby(on_home["site_id"]).max().dropna()
    column_newest = _dates(columns["newest_date"]).groupby(columns["site_id"]).max().dropna()
    newest = home_newest.combine_first(column_newest)
    source = pd.Series("首页", index=home_newest.index, dtype="str").combine_first(
        pd.Series("栏目", index=column_newest.index, dtype="str")
    )
    cutoff = pd.Timestamp(rubric.home_window.cutoff(as_of))
    days = (pd.Timestamp(as_of) - newest).dt.days
    return pd.DataFrame(
        {
            "home_newest": newest.dt.strftime("%Y-%m-%d"),
            "home_update_source": source,
            "home_days_since_update": days.astype("Int64"),
            "home_updated": newest >= cutoff,
        }
    )


# -- links and typos ---------------------------------------------------------------------------------
def link_occurrences(link_refs: pd.DataFrame, link_checks: pd.DataFrame, homes: pd.DataFrame) -> pd.DataFrame:
    """link_refs LEFT JOIN link_checks; a link never checked has status ``unchecked`` and is not broken."""
    checks = link_checks.loc[:, ["site_id", "url", "status", "reason", "broken", "final_url"]]
    home_sources = homes.rename(columns={"url": "source_url"}).assign(on_home=True)
    joined = link_refs.merge(checks, on=["site_id", "url"], how="left", validate="many_to_one").merge(
        home_sources, on=["site_id", "source_url"], how="left", validate="many_to_one"
    )
    return joined.assign(
        status=joined["status"].fillna(UNCHECKED).astype("str"),
        reason=joined["reason"].fillna("").astype("str"),
        final_url=joined["final_url"].fillna("").astype("str"),
        broken=joined["broken"].fillna(0).astype(bool),
        on_home=joined["on_home"].fillna(False).astype(bool),
    )


def run_links(data: RunData) -> pd.DataFrame:
    """The run's link occurrences joined with their checks (:func:`link_occurrences`), computed once per run:
    the metrics and links.csv both read them (300,000 rows on a 14,000-page run). Read-only."""
    if "links" not in data.derived:
        homes = home_urls(data.sites, data["pages"])
        data.derived["links"] = link_occurrences(data["link_refs"], data["link_checks"], homes)
    return data.derived["links"]


def link_counts(link_checks: pd.DataFrame, links: pd.DataFrame) -> pd.DataFrame:
    """broken_links: distinct broken URLs; broken_links_home: those referenced from the home page;
    links_unchecked: distinct URLs never checked or skipped (the address policy's private/intranet addresses)."""
    broken = link_checks.loc[link_checks["broken"] == 1]
    home_broken = links.loc[links["broken"] & links["on_home"]]
    unchecked = links.loc[links["status"].isin(UNCHECKED_STATUSES)]
    checked = link_checks.loc[~link_checks["status"].isin(UNCHECKED_STATUSES)]
    counts = pd.DataFrame(
        {
            "broken_links": broken.groupby("site_id")["url"].nunique(),
            "broken_links_home": home_broken.groupby("site_id")["url"].nunique(),
            "links_checked": checked.groupby("site_id")["url"].nunique(),
            "links_unchecked": unchecked.groupby("site_id")["url"].nunique(),
        }
    ).fillna(0)
    return counts.assign(broken_links_other=counts["broken_links"] - counts["broken_links_home"])


def blocked_pages(link_checks: pd.DataFrame, sites: pd.DataFrame) -> pd.DataFrame:
    """pages_blocked: distinct URLs on the site's own host answered by an anti-bot challenge or a firewall page
    (link status ``blocked``): pages of the site whose content was never read (a partial evaluation)."""
    hosts = sites.loc[:, ["site_id", "run_home_url"]].assign(host=lambda f: f["run_home_url"].map(_host))
    blocked = (
        link_checks.loc[link_checks["status"] == "blocked", ["site_id", "url"]]
        .assign(host=lambda f: f["url"].map(_host))
        .merge(hosts.loc[:, ["site_id", "host"]], on=["site_id", "host"])
    )
    return blocked.groupby("site_id")["url"].nunique().rename("pages_blocked").to_frame()


def _host(url: str) -> str:
    return (urlsplit(str(url)).hostname or "").lower()


def typo_counts(typos: pd.DataFrame) -> pd.DataFrame:
    """Distinct (url, wrong) findings: serious ones and all of them."""
    pairs = typos.loc[:, ["site_id", "url", "wrong", "severity"]]
    serious = pairs.loc[pairs["severity"] == "serious"].drop_duplicates(["site_id", "url", "wrong"])
    every = pairs.drop_duplicates(["site_id", "url", "wrong"])
    counts = pd.DataFrame(
        {"serious_typos": serious.groupby("site_id").size(), "typos": every.groupby("site_id").size()}
    ).fillna(0)
    return counts.assign(general_typos=counts["typos"] - counts["serious_typos"])


# -- one row per registry site -----------------------------------------------------------------------
def _finish(metrics: pd.DataFrame) -> pd.DataFrame:
    """Counts as Int64 and flags as boolean; rows not in the run stay missing
    (untested sites: home unavailable)."""
    evaluated = metrics["evaluation"] == EVALUATED
    untested = metrics["evaluation"] == UNTESTED
    counts = {c: metrics[c].fillna(0).astype("Int64").where(evaluated) for c in COUNT_COLUMNS}
    available = metrics["home_available"].astype("boolean").where(evaluated, False).where(evaluated | untested)
    # a home page that is unavailable and showed no date says nothing about updates: it is vetoed as
    # unavailable, never also as "not updated" or "undated"
    silent = (~available).fillna(False).astype(bool) & metrics["home_newest"].isna()
    updated = metrics["home_updated"].astype("boolean").fillna(False).where(evaluated)
    updated = updated.mask(silent & evaluated, pd.NA)
    return metrics.assign(
        **counts,
        no_consultation_channel=(counts["consultation_channels"] == 0).astype("boolean").where(evaluated),
        no_services=((counts["guides_checked"] == 0) & (metrics["guide_columns"].fillna(0) == 0))
        .astype("boolean")
        .where(evaluated),
        answer_rate_12m=metrics["answer_rate_12m"].astype("Float64").where(evaluated),
        reply_days_median=metrics["reply_days_median"].astype("Float64").where(evaluated),
        reply_days_max=metrics["reply_days_max"].astype("Float64").round(0).astype("Int64").where(evaluated),
        home_available=available,
        home_unavailable=~available,
        home_unprobed=metrics["home_unprobed"].astype("boolean").where(evaluated | untested, pd.NA),
        home_updated=updated,
        home_not_updated=(~updated).fillna(False).where(evaluated),
        home_undated=(metrics["home_newest"].isna() & evaluated & ~silent).astype("boolean").where(evaluated),
        home_newest=metrics["home_newest"].fillna("").astype("str"),
        home_update_source=metrics["home_update_source"].fillna("").astype("str"),
        home_source=metrics["home_source"].where(evaluated, "none").astype("str"),
        home_failure_rate=metrics["home_failure_rate"].where(evaluated),
        home_failure_pct=metrics["home_failure_pct"].where(evaluated),
    )


def site_metrics(data: RunData, rubric: Rubric) -> pd.DataFrame:
    """One row per registry site with every metric (no score yet: see :func:`scoring.rubric.apply_rubric`)."""
    columns = resolve_columns(data["columns"], rubric, data.as_of)
    homes = home_urls(data.sites, data["pages"])
    links = run_links(data)
    letters = interaction.resolve_letters(data["letters"], rubric, data.as_of)
    guides = interaction.resolve_guides(data["guides"], data["link_refs"], data["link_checks"], rubric)
    evaluated = data.sites.loc[data.sites["evaluation"] == EVALUATED, "site_id"]
    parts = [
        home_availability(data.sites, data["probes"], data["pages"], rubric),
        home_update(data["list_items"], columns, homes, rubric, data.as_of),
        column_counts(columns, rubric),
        link_counts(data["link_checks"], links),
        blocked_pages(data["link_checks"], data.sites),
        typo_counts(data["typos"]),
        interaction.letter_counts(letters),
        interaction.consultation_channels(data["columns"], letters, rubric).to_frame(),
        interaction.guide_counts(guides, data["columns"]),
        interaction.key_area_counts(
            interaction.key_areas_long(columns, data["list_items"], evaluated, rubric, data.as_of)
        ),
        security.risk_counts(data["risks"]),
        sitechecks.check_counts(data["site_checks"]),
    ]
    joined = data.sites.set_index("site_id")
    for part in parts:
        joined = joined.join(part, how="left")
    return joined.reset_index().pipe(_finish)


def columns_table(data: RunData, rubric: Rubric) -> pd.DataFrame:
    """columns.csv rows: each column with its resolved status and the site's name."""
    names = data.sites.loc[:, ["site_id", "name"]]
    return (
        resolve_columns(data["columns"], rubric, data.as_of)
        .rename(columns={"name": "column"})
        .merge(names, on="site_id", how="left")
        .assign(on_home=lambda f: f["on_home"].astype(bool))
        .sort_values(["site_id", "url"], kind="stable")
        .loc[:, list(COLUMNS_COLUMNS)]
        .reset_index(drop=True)
    )


def _names(data: RunData) -> pd.DataFrame:
    return data.sites.loc[:, ["site_id", "name"]]


def interaction_table(data: RunData, rubric: Rubric) -> pd.DataFrame:
    """interaction.csv rows: one per letter with in_window, overdue and reply_days."""
    letters = interaction.resolve_letters(data["letters"], rubric, data.as_of)
    return interaction.letters_table(letters, _names(data))


def services_table(data: RunData, rubric: Rubric) -> pd.DataFrame:
    """services.csv rows: one per guide with its missing elements and broken forms."""
    guides = interaction.resolve_guides(data["guides"], data["link_refs"], data["link_checks"], rubric)
    return interaction.guides_table(guides, _names(data))


def key_areas_table(data: RunData, rubric: Rubric) -> pd.DataFrame:
    """key_areas.csv rows: evaluated site × key area."""
    columns = resolve_columns(data["columns"], rubric, data.as_of)
    evaluated = data.sites.loc[data.sites["evaluation"] == EVALUATED, "site_id"]
    long = interaction.key_areas_long(columns, data["list_items"], evaluated, rubric, data.as_of)
    return interaction.key_areas_table(long, _names(data))


def links_table(data: RunData) -> pd.DataFrame:
    """links.csv rows: one per link occurrence."""
    return (
        run_links(data)
        .merge(data.sites.loc[:, ["site_id", "name"]], on="site_id", how="left")
        .sort_values(["site_id", "source_url", "url"], kind="stable")
        .loc[:, list(LINKS_COLUMNS)]
        .reset_index(drop=True)
    )


def typos_table(data: RunData) -> pd.DataFrame:
    """typos.csv rows: every finding with its context."""
    return (
        data["typos"]
        .merge(data.sites.loc[:, ["site_id", "name"]], on="site_id", how="left")
        .sort_values(["site_id", "url", "wrong"], kind="stable")
        .loc[:, list(TYPOS_COLUMNS)]
        .reset_index(drop=True)
    )
