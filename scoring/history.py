"""Run-over-run history (整改跟踪): which problems were fixed, are new, came back or persist.

A problem is identified by (site_id, kind, key):

- ``blank_column`` / ``stale_column``: the column URL (status after the rubric's windows for that run's AS_OF);
- ``broken_link``: the broken URL;
- ``serious_typo``: ``<page URL>|<wrong form>``;
- ``home_unavailable``: the key ``home``;
- content security (``SECURITY_HISTORY_KINDS``: leaked numbers, dark and hijacked links, links to closed sites,
  wrong expressions): ``<page URL>|<target>|<masked evidence>``, as its finding id;
- ``failed_check``: the check's name (``site_code`` …), a counted check ``missing`` or ``wrong``.

Comparing run N with the previous run N−1 (the run before N in the store, or the baseline run) and N−2 (the
run before N−1): ``persisting`` in N and N−1; ``recurring`` (问题反弹) in N, not in N−1, in N−2; ``new`` in
N only; ``fixed`` in N−1, not in N. Only sites evaluated in N are compared; a site that was not evaluated in
N−1 has every problem ``new`` (no earlier result to compare with) and nothing ``fixed``. A column whose list the
browser could not render in N (``unrendered``: not read) is not judged: its problem of N−1 is neither fixed nor
persisting (:func:`judged_again`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from govsites.sitechecks.result import CHECK_LABELS
from scoring.findings import check_names, failed_checks, risk_keys
from scoring.metrics import home_availability, resolve_columns
from scoring.vocabulary import (
    EVALUATED,
    HISTORY_COLUMNS,
    HISTORY_KINDS,
    HISTORY_STATUSES,
    PROBLEM_KEY,
    SECURITY_HISTORY_KINDS,
)

if TYPE_CHECKING:
    from scoring.load import RunData
    from scoring.rubric import Rubric


def run_problems(data: RunData, rubric: Rubric) -> pd.DataFrame:
    """Every problem of one run as (site_id, kind, key), evaluated sites only."""
    columns = resolve_columns(data["columns"], rubric, data.as_of)
    col_kind = columns["status"].map({"blank": "blank_column", "stale": "stale_column"})
    column_rows = columns.assign(kind=col_kind, key=columns["url"]).dropna(subset=["kind"])
    checks = data["link_checks"]
    links = checks.loc[checks["broken"] == 1].assign(kind="broken_link", key=lambda f: f["url"])
    typos = data["typos"]
    serious = typos.loc[typos["severity"] == "serious"].assign(
        kind="serious_typo", key=lambda f: f["url"] + "|" + f["wrong"]
    )
    risks = data["risks"]
    security = risks.loc[risks["kind"].isin(SECURITY_HISTORY_KINDS)].assign(key=risk_keys)
    checks = data["site_checks"]
    failed = checks.loc[failed_checks(checks)].assign(kind="failed_check", key=check_names)
    crawled = data.sites.loc[data.sites["evaluation"] == EVALUATED]
    home = home_availability(crawled, data["probes"], data["pages"], rubric)
    down = pd.DataFrame({"site_id": home.index[home["home_unavailable"]]}).assign(kind="home_unavailable", key="home")
    parts = [f.loc[:, list(PROBLEM_KEY)] for f in (column_rows, links, serious, down, security, failed)]
    return (
        pd.concat(parts, ignore_index=True)
        .astype("str")
        .pipe(lambda f: f.loc[f["site_id"].isin(crawled["site_id"])])
        .drop_duplicates()
        .reset_index(drop=True)
    )


#: The problem kinds keyed by a column URL (judged on the column's list).
COLUMN_KINDS = ("blank_column", "stale_column")


def judged_again(problems: pd.DataFrame, data: RunData) -> pd.DataFrame:
    """``problems`` of an earlier run less those ``data``'s run could not judge again: the problems of a column
    whose list the browser could not render now (never read, so not 已整改)."""
    columns = data["columns"]
    unrendered = columns.loc[columns["status"] == "unrendered"]
    unread = set(zip(unrendered["site_id"], unrendered["url"], strict=True))
    if not unread or problems.empty:
        return problems
    pairs = zip(problems["site_id"], problems["key"], strict=True)
    unjudged = problems["kind"].isin(COLUMN_KINDS) & pd.Series([p in unread for p in pairs], index=problems.index)
    return problems.loc[~unjudged]


def problem_object(kind: str, key: str) -> str:
    """A problem's key as a reader sees it: a failed check by its Chinese name, the rest as they are (URLs,
    ``<page>|<wrong form>``, the masked evidence of a content-security finding)."""
    return CHECK_LABELS.get(key, key) if kind == "failed_check" else key


def evaluated_sites(data: RunData) -> set[str]:
    return set(data.sites.loc[data.sites["evaluation"] == EVALUATED, "site_id"])


def compare(
    current: pd.DataFrame,
    previous: pd.DataFrame | None,
    earlier: pd.DataFrame | None,
    *,
    current_sites: set[str],
    previous_sites: set[str],
) -> pd.DataFrame:
    """history rows (``HISTORY_COLUMNS``) for the sites evaluated in the current run."""
    if previous is None:
        return pd.DataFrame(columns=list(HISTORY_COLUMNS), dtype="str")
    keys = list(PROBLEM_KEY)
    prev = previous.loc[previous["site_id"].isin(current_sites)].assign(in_prev=True)
    older = (
        earlier.loc[earlier["site_id"].isin(current_sites)].assign(in_older=True)
        if earlier is not None
        else pd.DataFrame(columns=[*keys, "in_older"])
    )
    merged = (
        current.assign(in_now=True)
        .merge(prev, on=keys, how="outer")
        .merge(older.astype(dict.fromkeys(keys, "str")), on=keys, how="left")
        .pipe(lambda f: f.loc[f["site_id"].isin(current_sites)])
    )
    now = merged["in_now"].astype("boolean").fillna(False).astype(bool)
    before = merged["in_prev"].astype("boolean").fillna(False).astype(bool)
    older_seen = merged["in_older"].astype("boolean").fillna(False).astype(bool)
    compared = merged["site_id"].isin(previous_sites)
    status = (
        pd.Series("new", index=merged.index, dtype="str")
        .mask(now & before, "persisting")
        .mask(now & ~before & older_seen & compared, "recurring")
        .mask(~now & before, "fixed")
    )
    order = {k: i for i, k in enumerate(HISTORY_KINDS)}
    return (
        merged.assign(status=status, kind_order=merged["kind"].map(order))
        .sort_values(["site_id", "kind_order", "key"], kind="stable")
        .loc[:, list(HISTORY_COLUMNS)]
        .astype("str")
        .reset_index(drop=True)
    )


def site_counts(history: pd.DataFrame, sites: pd.DataFrame) -> pd.DataFrame:
    """Per site (sites evaluated in this run): how many problems are fixed, new, recurring, persisting."""
    counts = pd.crosstab(history["site_id"], history["status"]).reindex(columns=list(HISTORY_STATUSES), fill_value=0)
    evaluated = sites.loc[sites["evaluation"] == EVALUATED, ["site_id", "name", "group"]]
    return (
        evaluated.set_index("site_id")
        .join(counts)
        .fillna(dict.fromkeys(HISTORY_STATUSES, 0))
        .astype(dict.fromkeys(HISTORY_STATUSES, "int64"))
        .reset_index()
    )
