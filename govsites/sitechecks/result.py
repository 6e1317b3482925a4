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
