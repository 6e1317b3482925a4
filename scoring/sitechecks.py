"""网站功能, 预警 and 维护报备: the crawl's site checks, early warnings and registered maintenance windows as tables.

- ``site_checks.csv`` (:func:`site_checks_table`): one row per site and check of :mod:`govsites.sitechecks`; the
  per-site counts of failed checks (:func:`check_counts`) join the metrics (``checks_failed``, split into
  ``identity_checks_failed`` and ``function_checks_failed`` for the rubric's deductions).
- ``warnings.csv`` (:func:`warnings_table`): sites past a warning line but below the veto line, the most urgent
  first; the warning lines are the rubric's ``[warnings]`` table, the veto lines the rubric's own.
- ``maintenance.csv`` (:func:`maintenance_table`) and :func:`without_maintenance_probes`: probes inside an
  approved window are taken out of availability; unapproved windows are listed and exclude nothing.
"""

from __future__ import annotations

import tomllib
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from govsites.paths import data_path
from govsites.registry import RegistryError
from govsites.sitechecks.maintenance import MaintenanceCalendar, beijing_time, load_maintenance
from govsites.sitechecks.result import CHECK_LABELS, CHECKS
from govsites.sitechecks.warnings import WarningThresholds, early_warnings
from scoring.load import RunData, ScoringError
from scoring.rubric import Rubric, RubricError
from scoring.vocabulary import (
    COUNTED_CHECKS,
    DISMISSED,
    EVALUATED,
    FAILED_CHECK_STATUSES,
    FUNCTION_CHECKS,
    IDENTITY_CHECKS,
    MAINTENANCE_COLUMNS,
    SITE_CHECK_COLUMNS,
    SITECHECK_COUNT_COLUMNS,
    WARNING_COLUMNS,
)

DEFAULT_MAINTENANCE = data_path("maintenance.csv")


# -- site_checks.csv and the counts ----------------------------------------------------------------------------
def site_checks_table(data: RunData) -> pd.DataFrame:
    """site_checks.csv: the run's checks in check order, with the check's and the site's Chinese names."""
    order = {check: i for i, check in enumerate(CHECKS)}
    frame = data["site_checks"].rename(columns={"check_name": "check"})
    return (
        frame.merge(data.sites.loc[:, ["site_id", "name"]], on="site_id", how="left")
        .assign(
            label=lambda f: f["check"].map(CHECK_LABELS).fillna(f["check"]).astype("str"),
            name=lambda f: f["name"].fillna("").astype("str"),
            order=lambda f: f["check"].map(order).fillna(len(order)),
        )
        .sort_values(["site_id", "order"], kind="stable")
        .loc[:, list(SITE_CHECK_COLUMNS)]
        .reset_index(drop=True)
    )


def check_counts(site_checks: pd.DataFrame) -> pd.DataFrame:
    """Failed checks (missing or wrong) per site: all, identity checks and function checks (index site_id)."""
    failed = site_checks.loc[site_checks["status"].isin(FAILED_CHECK_STATUSES)]
    check = failed["check_name"]
    counts = failed.assign(
        checks_failed=check.isin(COUNTED_CHECKS).astype(int),
        identity_checks_failed=check.isin(IDENTITY_CHECKS).astype(int),
        function_checks_failed=check.isin(FUNCTION_CHECKS).astype(int),
    )
    return counts.groupby("site_id")[list(SITECHECK_COUNT_COLUMNS)].sum()


def check_matrix(checks: pd.DataFrame, scored: pd.DataFrame) -> pd.DataFrame:
    """网站功能: one row per evaluated site, one column per check (its status code), and the failed count."""
    sites = scored.loc[scored["evaluation"] == EVALUATED, ["site_id", "name", "group", "checks_failed"]]
    if "review" in checks:  # a failed check the inspector dismissed reads 已排除, not 缺失 / 不规范
        checks = checks.assign(status=checks["status"].mask(checks["review"] == DISMISSED, DISMISSED))
    wide = checks.pivot_table(index="site_id", columns="check", values="status", aggfunc="first")
    wide = wide.reindex(columns=list(CHECKS), fill_value="").fillna("").astype("str")
    return sites.merge(wide, left_on="site_id", right_index=True, how="left").fillna(dict.fromkeys(CHECKS, ""))


# -- early warnings -----------------------------------------------------------------------------------------
WARNING_KEYS = ("home_failure_rate", "home_days_since_update", "blank_columns", "stale_key_columns", "broken_links")


def _veto_min(rubric: Rubric, metric: str, default: int) -> int:
    return next((int(v.min) for v in rubric.active_veto if v.metric == metric), default)


def warning_thresholds(rubric: Rubric) -> WarningThresholds:
    """The warning lines of the rubric's ``[warnings]`` table (defaults where absent) and its veto lines."""
    path = Path(rubric.path)
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8")).get("warnings", {})
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise RubricError(path, "warnings", f"无法读取：{exc}") from exc
    base = WarningThresholds()
    values: dict[str, Any] = {}
    for key, given in table.items():
        if key in ("confirmed", "note"):
            continue
        if key not in WARNING_KEYS:
            raise RubricError(path, f"warnings.{key}", f"未知预警指标（可用：{', '.join(WARNING_KEYS)}）")
        if isinstance(given, bool) or not isinstance(given, int | float) or given < 0:
            raise RubricError(path, f"warnings.{key}", "应为非负数")
        if key == "home_failure_rate" and not 0 < given <= 1:
            raise RubricError(path, f"warnings.{key}", "应为 0 到 1 之间的比例（如 0.03）")
        values[key] = given
    day = date(2020, 1, 1)  # any day: a home page is not updated once more days than the window have passed
    home_days = (day - rubric.home_window.cutoff(day)).days + 1
    return replace(
        base,
        **values,
        veto_home_failure_rate=rubric.probe_failure_threshold,
        veto_home_days_since_update=home_days,
        veto_blank_columns=_veto_min(rubric, "blank_columns", base.veto_blank_columns),
        veto_stale_key_columns=_veto_min(rubric, "stale_key_columns", base.veto_stale_key_columns),
    )


def _plain(value: float | None) -> float | int | None:
    """A count as an integer (4, not 4.0); a rate as it is."""
    return int(value) if value is not None and float(value).is_integer() else value


def warnings_table(scored: pd.DataFrame, thresholds: WarningThresholds) -> pd.DataFrame:
    """warnings.csv: one row per site and warning, the most urgent site first and, within a site, what to fix
    first (``priority`` 1)."""
    evaluated = scored.loc[scored["evaluation"] == EVALUATED].set_index("site_id")
    metrics = {
        sid: {key: (None if pd.isna(row[key]) else float(row[key])) for key in WARNING_KEYS}
        for sid, row in evaluated.loc[:, list(WARNING_KEYS)].iterrows()
    }
    rows = [
        {
            "site_id": site.site_id,
            "name": evaluated.at[site.site_id, "name"],
            "group": evaluated.at[site.site_id, "group"],
            "priority": priority,
            "metric": warning.rule.metric,
            "label": warning.rule.label,
            "value": _plain(warning.value),
            "warn_at": _plain(warning.rule.warn_at),
            "veto_at": _plain(warning.rule.veto_at),
            "detail": warning.detail,
        }
        for site in early_warnings(metrics, thresholds)
        for priority, warning in enumerate(site.warnings, start=1)
    ]
    return pd.DataFrame(rows, columns=list(WARNING_COLUMNS)).astype(
        {"site_id": "str", "name": "str", "group": "str", "metric": "str", "label": "str", "detail": "str"}
    )


# -- maintenance windows ------------------------------------------------------------------------------------
def read_maintenance(path: str | Path, data: RunData) -> MaintenanceCalendar:
    """The maintenance file, validated against the registry (a bad row: one Chinese error, nothing written)."""
    try:
        return load_maintenance(path, data.sites["site_id"])
    except RegistryError as exc:
        raise ScoringError(str(exc)) from None


def _excluded(probes: pd.DataFrame, calendar: MaintenanceCalendar) -> pd.Series:
    """True for a probe inside an approved window of its site."""
    return pd.Series(
        [calendar.in_approved_window(sid, at) for sid, at in zip(probes["site_id"], probes["probed_at"], strict=True)],
        index=probes.index,
        dtype="bool",
    )


def without_maintenance_probes(data: RunData, calendar: MaintenanceCalendar) -> RunData:
    """The run without the probes inside an approved maintenance window (they are never failures)."""
    if not calendar.windows or data["probes"].empty:
        return data
    probes = data["probes"]
    return replace(data, tables={**data.tables, "probes": probes.loc[~_excluded(probes, calendar)]}, derived={})


def maintenance_table(data: RunData, calendar: MaintenanceCalendar) -> pd.DataFrame:
    """maintenance.csv: every window of the file with the run's probes it excluded (0 for unapproved ones)."""
    probes = data["probes"]
    names = dict(zip(data.sites["site_id"], data.sites["name"], strict=True))
    rows = []
    for window in calendar.windows:
        of_site = probes.loc[probes["site_id"] == window.site_id, "probed_at"]
        inside = sum(window.covers(beijing_time(at)) for at in of_site) if window.approved else 0
        rows.append(
            {
                "site_id": window.site_id,
                "name": names.get(window.site_id, ""),
                "from": window.start.strftime("%Y-%m-%d %H:%M"),
                "to": window.end.strftime("%Y-%m-%d %H:%M"),
                "approved": window.approved,
                "note": window.note,
                "probes_excluded": inside,
            }
        )
    return pd.DataFrame(rows, columns=list(MAINTENANCE_COLUMNS))
