"""Early warnings: sites past a warning line and below the veto line, most urgent first."""

from __future__ import annotations

import math

from govsites.sitechecks.warnings import WarningThresholds, early_warnings, site_warnings


def test_one_blank_column_short_of_the_veto_line_is_warned() -> None:
    found = site_warnings("xunyang", {"blank_columns": 4})
    assert found is not None
    assert found.fix_first.rule.metric == "blank_columns"
    assert "空白栏目4个（预警线2个，否决线5个）" in found.fix_first.detail


def test_at_or_over_the_veto_line_is_a_veto_not_a_warning() -> None:
    assert site_warnings("xunyang", {"blank_columns": 5}) is None
    assert site_warnings("xunyang", {"home_failure_rate": 0.05}) is None
    assert site_warnings("xunyang", {"blank_columns": 1, "home_days_since_update": 9}) is None


def test_default_lines() -> None:
    cases = {
        "home_failure_rate": (0.03, 0.029),
        "home_days_since_update": (10, 9),
        "blank_columns": (2, 1),
        "stale_key_columns": (3, 2),
        "broken_links": (10, 9),
    }
    for metric, (warned, quiet) in cases.items():
        assert site_warnings("s", {metric: warned}) is not None, metric
        assert site_warnings("s", {metric: quiet}) is None, metric
    assert site_warnings("s", {"broken_links": 500}) is not None  # no veto line: always a warning


def test_most_urgent_first_within_and_across_sites() -> None:
    metrics = {
        "ziyang": {"broken_links": 30, "blank_columns": 2},
        "xunyang": {"home_failure_rate": 0.045, "stale_key_columns": 3, "broken_links": 12},
        "hanbin": {"blank_columns": math.nan, "home_days_since_update": None},
        "baihe": {"home_days_since_update": 14},
    }
    sites = early_warnings(metrics)
    assert [s.site_id for s in sites] == ["baihe", "xunyang", "ziyang"]
    assert [w.rule.metric for w in sites[1].warnings] == ["home_failure_rate", "stale_key_columns", "broken_links"]
    assert [w.rule.metric for w in sites[2].warnings] == ["blank_columns", "broken_links"]
    assert "首页访问失败率4.5%" in sites[1].fix_first.detail
    assert "扣分项" in sites[2].warnings[1].detail


def test_thresholds_are_one_dataclass() -> None:
    strict = WarningThresholds(blank_columns=1)
    assert site_warnings("s", {"blank_columns": 1}, strict) is not None
    assert [rule.metric for rule in strict.rules()] == [
        "home_failure_rate",
        "home_days_since_update",
        "blank_columns",
        "stale_key_columns",
        "broken_links",
    ]
