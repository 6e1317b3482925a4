"""Content security (issue 16) in the scores: risks.csv rows and the per-site counts of metrics.csv.

The findings come from the store's ``risks`` table, written by the crawl (:mod:`govsites.securitypipeline`);
their evidence is masked there already, so nothing here ever sees a personal number in full.
"""

from __future__ import annotations

import pandas as pd

from scoring.load import RunData
from scoring.vocabulary import RISKS_COLUMNS, SECURITY_COUNT_COLUMNS, SECURITY_COVERAGE_COLUMNS, SECURITY_KIND_METRIC

#: the order of severities in risks.csv and the 内容安全 sheet
SEVERITY_ORDER = {"veto": 0, "serious": 1, "notice": 2}


def risk_counts(risks: pd.DataFrame) -> pd.DataFrame:
    """Per site (index ``site_id``): the count of each :data:`SECURITY_COUNT_COLUMNS` and
    :data:`SECURITY_COVERAGE_COLUMNS` metric."""
    counted = risks.assign(
        metric=risks["kind"].map(SECURITY_KIND_METRIC).fillna("").astype("str"),
        veto=(risks["severity"] == "veto").astype("int64"),
    )
    by_metric = (
        counted.loc[counted["metric"] != ""]
        .pivot_table(index="site_id", columns="metric", values="kind", aggfunc="size", fill_value=0)
        .reindex(
            columns=[c for c in (*SECURITY_COUNT_COLUMNS, *SECURITY_COVERAGE_COLUMNS) if c != "security_veto"],
            fill_value=0,
        )
    )
    vetoes = counted.groupby("site_id")["veto"].sum().rename("security_veto")
    return by_metric.join(vetoes, how="outer").fillna(0).astype("int64").rename_axis("site_id")


def risks_table(data: RunData) -> pd.DataFrame:
    """risks.csv rows: one per finding, the worst first within a site."""
    risks = data["risks"]
    return (
        risks.merge(data.sites.loc[:, ["site_id", "name"]], on="site_id", how="left")
        .assign(
            name=lambda frame: frame["name"].fillna("").astype("str"),
            order=lambda frame: frame["severity"].map(SEVERITY_ORDER).fillna(3),
        )
        .sort_values(["site_id", "order", "kind", "url", "target", "evidence"], kind="stable")
        .loc[:, list(RISKS_COLUMNS)]
        .reset_index(drop=True)
    )
