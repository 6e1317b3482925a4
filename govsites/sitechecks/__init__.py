"""Site-wide checks of the 2019 indicators (功能设计 and more), maintenance windows and early warnings.

Pure code: no Scrapy, no store. Each check reads a page's HTML and URL (:class:`markup.SitePage`) or small
frozen records and returns a :class:`result.CheckResult` (``check``, ``status``, Chinese ``detail``). The crawl
and scoring wiring (``site_checks.csv``, the 网站功能 and 预警 sheets) comes later; see ``docs/sitechecks.md``.
"""

from govsites.sitechecks.result import STATUSES, CheckResult, Status

__all__ = ["STATUSES", "CheckResult", "Status"]
