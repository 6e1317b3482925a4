"""The one result shape every site check returns."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Status = Literal["ok", "missing", "wrong", "not_applicable", "error"]
STATUSES: tuple[Status, ...] = ("ok", "missing", "wrong", "not_applicable", "error")


@dataclass(frozen=True)
class CheckResult:
    """One row of ``site_checks.csv`` without the site: ``detail`` says in Chinese what was seen."""

    check: str
    status: Status
    detail: str

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"unknown check status {self.status!r} (one of {', '.join(STATUSES)})")

    @property
    def passed(self) -> bool:
        """True for ``ok`` and ``not_applicable`` (nothing to fix)."""
        return self.status in ("ok", "not_applicable")


#: Every check, in ``site_checks.csv`` and 网站功能 order, with its Chinese name.
CHECK_LABELS: dict[str, str] = {
    "site_code": "网站标识码",
    "icp_record": "ICP备案号",
    "police_record": "公安机关备案号",
    "conac_mark": "党政机关网站标识",
    "jiucuo_entry": "我为政府网站找错",
    "viewport": "移动端适配",
    "accessibility_entry": "无障碍/适老化入口",
    "domain_rule": "域名规范",
    "page_tags": "页面元数据",
    "search": "站内搜索",
    "annual_report": "年度报表",
    "https": "HTTPS",
    "ipv6": "IPv6",
    "policy_interpretation": "政策解读关联",
}
CHECKS: tuple[str, ...] = tuple(CHECK_LABELS)
#: Informational checks: shown, never counted as failed (``https``; ``ipv6`` where the machine has no route).
INFORMATIONAL: frozenset[str] = frozenset({"https", "ipv6"})
