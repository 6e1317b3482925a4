"""Interaction (政务咨询 letters), services (办事指南) and key disclosure areas (重点领域信息公开).

Pure functions over the run's frames and the rubric; :mod:`scoring.metrics` joins the per-site counts onto the
sites, the ``*_table`` functions give the CSV rows.

Letters (rubric ``[interaction]``):

- *in the window*: submitted after AS_OF − ``window`` (12 months: AS_OF 2015-12-31 → 2015-01-01 … 2015-12-31)
  and not after AS_OF; a letter without a submitted date is never in the window (it cannot be placed).
- *unanswered*: ``answered`` is ``false``; an unknown answer (``""``) counts as unanswered only when the rubric
  sets ``unknown_is_unanswered = true`` (default false: the site's wording was not understood, which is an
  extraction gap, not a finding). Unknown letters are counted separately (``letters_unknown_12m``).
- *overdue*: in the window, unanswered and submitted more than ``overdue_days`` (90) days before AS_OF.
- letters of excluded columns (在线访谈, 调查征集, 举报投诉: ``excluded`` = 1) are counted apart
  (``excluded_*``) and never feed ``unanswered_90d`` (the 互动回应差 veto).
- ``reply_days``: reply_date − submitted_date when both are known (negative differences are dropped).
- a *consultation channel*: a non-excluded column of category ``interaction`` or whose name has a consultation
  keyword (信箱, 咨询, 留言 …), or a column holding non-excluded letters.

Guides (rubric ``[services]``): the missing elements are the rubric's elements not in the guide's ``present``
list (an element the crawler did not look for is missing); a guide is incomplete when at least
``incomplete_min`` elements are missing. ``forms_broken``: distinct broken links referenced from the guide page
(link_refs.source_url = the guide URL, joined with link_checks.broken).

Key areas (rubric ``[[key_areas]]``): evidence for an area is a column whose name contains one of its keywords
(its newest date; a blank column is no evidence) or a list item titled with one in a disclosure, policy or
notice column (the item's date). The area is ``ok`` when the newest evidence is on or after the area's cutoff
(annual areas: 1 January of the year before AS_OF), ``stale`` when older or undated, ``missing`` without any.
The demo web's truth (govsites/demo/expected.py) reads the same keyword table.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import pandas as pd

from scoring.vocabulary import GUIDE_TABLE, KEY_AREA_TABLE, LETTER_COUNTS, LETTER_TABLE

if TYPE_CHECKING:
    from scoring.rubric import Rubric

ELEMENT_SEPARATOR = "|"
#: Column categories whose items count as key-area evidence by their titles (e.g. 2015年部门预算公开 in 信息公开).
TITLE_CATEGORIES = ("disclosure", "policy", "notice")


def _dates(text: pd.Series) -> pd.Series:
    """ISO dates (time part ignored) → datetime64; empty or malformed → NaT."""
    return pd.to_datetime(text.astype("str").str.slice(0, 10), format="%Y-%m-%d", errors="coerce")


def _has_keyword(names: pd.Series, keywords: tuple[str, ...]) -> pd.Series:
    return names.astype("str").map(lambda name: any(k in name for k in keywords)).astype(bool)


# -- letters -------------------------------------------------------------------------------------------
def resolve_letters(letters: pd.DataFrame, rubric: Rubric, as_of: date) -> pd.DataFrame:
    """Each letter with ``in_window``, ``overdue`` and ``reply_days`` (see the module docstring)."""
    rules = rubric.interaction
    submitted, replied = _dates(letters["submitted_date"]), _dates(letters["reply_date"])
    day = pd.Timestamp(as_of)
    in_window = (submitted > pd.Timestamp(rules.window.cutoff(as_of))) & (submitted <= day)
    unanswered = letters["answered"] == "false"
    if rules.unknown_is_unanswered:
        unanswered = unanswered | (letters["answered"] == "")
    days = (replied - submitted).dt.days
    return letters.assign(
        excluded=letters["excluded"].astype("int64") == 1,
        in_window=in_window.astype(bool),
        overdue=(in_window & unanswered & ((day - submitted).dt.days > rules.overdue_days)).astype(bool),
        reply_days=days.where(days >= 0).astype("Int64"),
    )


def _sum_by_site(flags: pd.Series, sites: pd.Series) -> pd.Series:
    return flags.astype("int64").groupby(sites).sum()


def letter_counts(letters: pd.DataFrame) -> pd.DataFrame:
    """Per site: letters and answers in the window, overdue letters, reply days; excluded columns apart."""
    counted = letters.loc[letters["in_window"] & ~letters["excluded"]]
    other = letters.loc[letters["in_window"] & letters["excluded"]]
    site, other_site = counted["site_id"], other["site_id"]
    frame = pd.DataFrame(
        {
            "letters_12m": counted.groupby("site_id").size(),
            "answered_12m": _sum_by_site(counted["answered"] == "true", site),
            "unanswered_90d": _sum_by_site(counted["overdue"], site),
            "letters_unknown_12m": _sum_by_site(counted["answered"] == "", site),
            "excluded_letters_12m": other.groupby("site_id").size(),
            "excluded_unanswered_90d": _sum_by_site(other["overdue"], other_site),
            "reply_days_median": counted["reply_days"].astype("Float64").groupby(site).median(),
            "reply_days_max": counted["reply_days"].astype("Float64").groupby(site).max(),
        }
    )
    counts = frame.loc[:, [c for c in LETTER_COUNTS if c in frame]].fillna(0).astype("int64")
    rate = (counts["answered_12m"] / counts["letters_12m"]).where(counts["letters_12m"] > 0).round(4)
    return frame.assign(**counts, answer_rate_12m=rate)


def consultation_channels(columns: pd.DataFrame, letters: pd.DataFrame, rubric: Rubric) -> pd.Series:
    """Per site: distinct non-excluded consultation columns (by URL)."""
    rules = rubric.interaction
    looks_like = (columns["category"] == "interaction") | _has_keyword(columns["name"], rules.consultation_keywords)
    channel = looks_like & ~_has_keyword(columns["name"], rules.excluded_keywords)
    found = pd.concat(
        [
            columns.loc[channel, ["site_id", "url"]],
            letters.loc[~letters["excluded"], ["site_id", "column_url"]].rename(columns={"column_url": "url"}),
        ],
        ignore_index=True,
    )
    return found.groupby("site_id")["url"].nunique().rename("consultation_channels")


def letters_table(letters: pd.DataFrame, names: pd.DataFrame) -> pd.DataFrame:
    """interaction.csv rows: one per letter, newest first within each site and column."""
    return (
        letters.merge(names, on="site_id", how="left")
        .sort_values(["site_id", "column", "submitted_date", "url"], ascending=[True, True, False, True], kind="stable")
        .loc[:, list(LETTER_TABLE)]
        .reset_index(drop=True)
    )


# -- guides --------------------------------------------------------------------------------------------
def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(ELEMENT_SEPARATOR) if part.strip()]


def resolve_guides(
    guides: pd.DataFrame, link_refs: pd.DataFrame, link_checks: pd.DataFrame, rubric: Rubric
) -> pd.DataFrame:
    """Each guide with the rubric's missing elements, ``incomplete`` and ``forms_broken``."""
    elements = rubric.services.elements
    present = guides["present"].map(_split)
    missing = present.map(lambda have: [e for e in elements if e not in have])
    broken_urls = link_checks.loc[link_checks["broken"] == 1, ["site_id", "url"]]
    broken = (
        link_refs.loc[:, ["site_id", "url", "source_url"]]
        .merge(broken_urls, on=["site_id", "url"])
        .drop_duplicates()
        .groupby(["site_id", "source_url"], as_index=False)
        .size()
        .rename(columns={"source_url": "url", "size": "forms_broken"})
    )
    joined = guides.merge(broken, on=["site_id", "url"], how="left", validate="many_to_one")
    return joined.assign(
        present=present.map(ELEMENT_SEPARATOR.join).astype("str").to_numpy(),
        missing=missing.map(ELEMENT_SEPARATOR.join).astype("str").to_numpy(),
        missing_count=missing.map(len).astype("int64").to_numpy(),
        incomplete=(missing.map(len) >= rubric.services.incomplete_min).to_numpy(),
        forms_broken=joined["forms_broken"].fillna(0).astype("int64"),
    )


def guide_counts(guides: pd.DataFrame, columns: pd.DataFrame) -> pd.DataFrame:
    """Per site: guides checked, incomplete guides, missing elements, forms linked and broken; ``no_services``
    for a site without guides and without a guide column."""
    by_site = guides.groupby("site_id")
    frame = pd.DataFrame(
        {
            "guides_checked": by_site.size(),
            "guides_incomplete": by_site["incomplete"].sum(),
            "guide_elements_missing": by_site["missing_count"].sum(),
            "forms_linked": by_site["forms"].sum(),
            "forms_broken": by_site["forms_broken"].sum(),
        }
    )
    guide_columns = columns.loc[columns["category"] == "guide"].groupby("site_id").size()
    return frame.join(guide_columns.rename("guide_columns"), how="outer").fillna(0).astype("int64")


def guides_table(guides: pd.DataFrame, names: pd.DataFrame) -> pd.DataFrame:
    """services.csv rows: one per guide."""
    return (
        guides.merge(names, on="site_id", how="left")
        .sort_values(["site_id", "column_url", "url"], kind="stable")
        .loc[:, list(GUIDE_TABLE)]
        .reset_index(drop=True)
    )


# -- key areas -----------------------------------------------------------------------------------------
def _area_hits(columns: pd.DataFrame, items: pd.DataFrame, keywords: tuple[str, ...]) -> pd.DataFrame:
    """Evidence for one area: columns named for it (their newest date), and items titled with it in
    disclosure/policy/notice columns (the item's date). A blank column is no evidence; a column whose list the
    browser could not render is evidence never read (``unread``)."""
    named = (
        columns.loc[_has_keyword(columns["name"], keywords) & (columns["status"] != "blank")]
        .assign(newest=lambda f: _dates(f["newest_date"]), unread=lambda f: f["status"] == "unrendered")
        .loc[:, ["site_id", "url", "name", "newest", "unread"]]
    )
    hosts = columns.loc[columns["category"].isin(TITLE_CATEGORIES), ["site_id", "url", "name"]]
    titled = (
        items.loc[_has_keyword(items["title"], keywords)]
        .merge(hosts, left_on=["site_id", "column_url"], right_on=["site_id", "url"], suffixes=("_item", ""))
        .assign(newest=lambda f: _dates(f["date"]), unread=False)
        .loc[:, ["site_id", "url", "name", "newest", "unread"]]
    )
    return pd.concat([named, titled], ignore_index=True)


def key_areas_long(
    columns: pd.DataFrame, items: pd.DataFrame, sites: pd.Series, rubric: Rubric, as_of: date
) -> pd.DataFrame:
    """One row per (evaluated site, key area): ok when the newest evidence is within the area's window
    (annual areas: the current or previous year), stale when older or undated, missing without evidence;
    ``unrendered`` (not judged) when it is not ok and a column of its evidence could not be rendered (its list
    was never read: it may be the up-to-date one)."""
    frames = []
    for area in rubric.key_areas:
        cutoff = area.cutoff(as_of)
        hit = _area_hits(columns, items, area.keywords).sort_values(
            ["newest", "url"], ascending=[False, True], na_position="last", kind="stable"
        )
        per_site = hit.groupby("site_id").agg(
            newest=("newest", "max"),
            columns=("name", lambda n: "|".join(dict.fromkeys(n))),
            column_url=("url", "first"),
            unread=("unread", "any"),
        )
        frame = pd.DataFrame({"site_id": sites}).join(per_site, on="site_id")
        fresh = frame["newest"] >= pd.Timestamp(cutoff)
        status = (
            pd.Series("stale", index=frame.index, dtype="str")
            .mask(fresh, "ok")
            .mask(~fresh & frame["unread"].astype("boolean").fillna(False).astype(bool), "unrendered")
            .mask(frame["columns"].isna(), "missing")
        )
        frames.append(
            frame.assign(
                area=area.key,
                label=area.label,
                status=status,
                newest_date=frame["newest"].dt.strftime("%Y-%m-%d").fillna("").astype("str"),
                cutoff=cutoff.isoformat(),
                columns=frame["columns"].fillna("").astype("str"),
                column_url=frame["column_url"].fillna("").astype("str"),
            )
        )
    columns_out = [c for c in KEY_AREA_TABLE if c != "name"]
    if not frames:
        return pd.DataFrame(columns=columns_out).astype("str")
    site_order = {sid: i for i, sid in enumerate(sites)}
    area_order = {a.key: i for i, a in enumerate(rubric.key_areas)}
    return (
        pd.concat(frames, ignore_index=True)
        .assign(site_rank=lambda f: f["site_id"].map(site_order), area_rank=lambda f: f["area"].map(area_order))
        .sort_values(["site_rank", "area_rank"], kind="stable")
        .loc[:, columns_out]
        .reset_index(drop=True)
    )


def key_area_counts(long: pd.DataFrame) -> pd.DataFrame:
    """Per site: key areas missing and stale."""
    return pd.DataFrame(
        {
            "key_areas_missing": _sum_by_site(long["status"] == "missing", long["site_id"]),
            "key_areas_stale": _sum_by_site(long["status"] == "stale", long["site_id"]),
        }
    )


def key_areas_table(long: pd.DataFrame, names: pd.DataFrame) -> pd.DataFrame:
    """key_areas.csv rows: site × area in the rubric's area order."""
    return long.merge(names, on="site_id", how="left").loc[:, list(KEY_AREA_TABLE)].reset_index(drop=True)
