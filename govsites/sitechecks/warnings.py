"""Early warnings (预警): sites past a warning line but still below a veto line, and what to fix first.

Monitoring vendors warn at home failures >= 3%, a home page 10 days without update, >= 2 blank columns,
>= 3 stale key columns and >= 10 broken links, before the veto lines of the rubric (5% failures, more than
14 days, 5 blank columns, 5 stale key columns; broken links have no veto, only deductions). The defaults
live in :class:`WarningThresholds`; a rubric's ``[warnings]`` table overrides them and its veto lines replace
the veto defaults (``scoring/sitechecks.py``). Metric names are those of the scoring vocabulary
(``scoring/vocabulary.py``: ``home_failure_rate``, ``home_days_since_update``,
``blank_columns``, ``stale_key_columns``, ``broken_links``). A metric at or over its veto line is a veto,
reported by the rubric, not a warning.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class WarningRule:
    metric: str
    label: str  # what is measured, in Chinese
    warn_at: float  # a warning from this value on
    veto_at: float | None  # the veto line it warns before (None: deductions only)
    unit: str
    advice: str  # what to fix, in Chinese

    def show(self, value: float) -> str:
        if self.unit == "%":
            return f"{value * 100:.1f}%".replace(".0%", "%")
        return f"{value:g}{self.unit}"


@dataclass(frozen=True)
class WarningThresholds:
    """Warning lines and the veto lines they precede; one place for the defaults."""

    home_failure_rate: float = 0.03
    home_days_since_update: int = 10
    blank_columns: int = 2
    stale_key_columns: int = 3
    broken_links: int = 10
    veto_home_failure_rate: float = 0.05
    veto_home_days_since_update: int = 15  # "not updated for more than 2 weeks"
    veto_blank_columns: int = 5
    veto_stale_key_columns: int = 5

    def rules(self) -> tuple[WarningRule, ...]:
        return (
            WarningRule(
                metric="home_failure_rate",
                label="首页访问失败率",
                warn_at=self.home_failure_rate,
                veto_at=self.veto_home_failure_rate,
                unit="%",
                advice="排查首页访问故障（服务器、带宽、防护策略），确保稳定访问",
            ),
            WarningRule(
                metric="home_days_since_update",
                label="首页未更新天数",
                warn_at=self.home_days_since_update,
                veto_at=self.veto_home_days_since_update,
                unit="天",
                advice="尽快在首页发布新信息",
            ),
            WarningRule(
                metric="blank_columns",
                label="空白栏目",
                warn_at=self.blank_columns,
                veto_at=self.veto_blank_columns,
                unit="个",
                advice="为空白栏目补充内容，或合并、撤销无内容栏目",
            ),
            WarningRule(
                metric="stale_key_columns",
                label="更新不及时的重点栏目（动态要闻、通知公告、政策文件）",
                warn_at=self.stale_key_columns,
                veto_at=self.veto_stale_key_columns,
                unit="个",
                advice="按时更新动态要闻、通知公告、政策文件栏目",
            ),
            WarningRule(
                metric="broken_links",
                label="不可用链接",
                warn_at=self.broken_links,
                veto_at=None,
                unit="个",
                advice="修复或删除不可用链接",
            ),
        )


@dataclass(frozen=True)
class EarlyWarning:
    site_id: str
    rule: WarningRule
    value: float

    @property
    def urgency(self) -> float:
        """How far from the warning line towards the veto line (0 at the warning line, near 1 just below the
        veto); rules without a veto line rank after every rule with one."""
        if self.rule.veto_at is None:
            return -1.0
        span = self.rule.veto_at - self.rule.warn_at
        return (self.value - self.rule.warn_at) / span if span > 0 else 0.0

    @property
    def detail(self) -> str:
        rule = self.rule
        veto = f"，否决线{rule.show(rule.veto_at)}" if rule.veto_at is not None else "（扣分项）"
        return f"{rule.label}{rule.show(self.value)}（预警线{rule.show(rule.warn_at)}{veto}）：{rule.advice}"


@dataclass(frozen=True)
class SiteWarnings:
    site_id: str
    warnings: tuple[EarlyWarning, ...]  # most urgent first

    @property
    def fix_first(self) -> EarlyWarning:
        return self.warnings[0]


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return None if math.isnan(value) else float(value)


def site_warnings(
    site_id: str, metrics: Mapping[str, object], thresholds: WarningThresholds = WarningThresholds()
) -> SiteWarnings | None:
    """The warnings of one site, most urgent first; None when it is near no veto."""
    found = []
    for rule in thresholds.rules():
        value = _number(metrics.get(rule.metric))
        if value is None or value < rule.warn_at or (rule.veto_at is not None and value >= rule.veto_at):
            continue
        found.append(EarlyWarning(site_id, rule, value))
    if not found:
        return None
    found.sort(key=lambda w: -w.urgency)
    return SiteWarnings(site_id, tuple(found))


def early_warnings(
    metrics: Mapping[str, Mapping[str, object]], thresholds: WarningThresholds = WarningThresholds()
) -> list[SiteWarnings]:
    """Warnings of every site in ``metrics`` (site id -> metric name -> value), the most urgent site first."""
    sites = [w for site_id, values in metrics.items() if (w := site_warnings(site_id, values, thresholds))]
    sites.sort(key=lambda s: (-s.fix_first.urgency, s.site_id))
    return sites
