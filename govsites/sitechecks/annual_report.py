"""The 政府网站工作年度报表 of the previous year: linked from the home page (or its 信息公开 pages) and
published by 31 January (国办函〔2018〕12号, 《政府网站与政务新媒体检查指标》: 年度报表 by the end of January).

The crawl wiring follows :func:`disclosure_links` when the home page has no report link, then fetches the
report page and reads its date with :func:`report_published`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from govsites.extract.dates import date_from_url, parse_date
from govsites.sitechecks.markup import SitePage, squeeze
from govsites.sitechecks.result import CheckResult

# "2019年政府网站工作年度报表", "XX县人民政府门户网站2019年度工作报表", "网站工作年度报表（2019年度）"
_REPORT = re.compile(r"网站.*(?:年度报表|工作报表|年报表)")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_DISCLOSURE = re.compile(r"信息公开|政务公开|年度报表|年度报告|年报")
_PUBLISHED_LABEL = re.compile(r"(?:发布|公开|成文)(?:日期|时间)\s*[:：]?\s*(\S{6,20})")
PUBLISH_METAS = ("PubDate", "firstpublishedtime", "publishdate", "ArticleDate")
DEADLINE_MONTH, DEADLINE_DAY = 1, 31


@dataclass(frozen=True)
class ReportLink:
    url: str
    title: str
    year: int | None  # the year the report covers, when the title names one


def find_annual_reports(page: SitePage) -> list[ReportLink]:
    """Links whose text names a 网站工作年度报表, with the year they cover."""
    found: list[ReportLink] = []
    for resource in page.resources:
        title = squeeze(resource.text)
        if resource.kind != "link" or resource.hidden or not _REPORT.search(title):
            continue
        year = _YEAR.search(title)
        found.append(ReportLink(resource.url, resource.text, int(year.group(1)) if year else None))
    return found


def report_for_year(page: SitePage, year: int) -> ReportLink | None:
    """The report link for ``year`` (a link without a year counts only when no link names the year)."""
    reports = find_annual_reports(page)
    named = [r for r in reports if r.year == year]
    if named:
        return named[0]
    return next((r for r in reports if r.year is None), None)


def disclosure_links(page: SitePage) -> list[str]:
    """Links to 信息公开 / 政务公开 / 年报 pages, where the report is linked when the home page has none."""
    urls = [r.url for r in page.resources if r.kind == "link" and not r.hidden and _DISCLOSURE.search(squeeze(r.text))]
    return list(dict.fromkeys(urls))


def report_published(page: SitePage, as_of: date | None = None) -> date | None:
    """Publication date of a report page: its date meta, a 发布日期 label, or the date in its URL."""
    for name in PUBLISH_METAS:
        value = parse_date(page.meta(name), as_of) if page.meta(name) else None
        if value:
            return value
    label = _PUBLISHED_LABEL.search(page.text)
    value = parse_date(label.group(1), as_of) if label else None
    return value or date_from_url(page.url)


def deadline_for(as_of: date) -> tuple[int, date]:
    """(the year the report must cover, its deadline) as of an evaluation date."""
    return as_of.year - 1, date(as_of.year, DEADLINE_MONTH, DEADLINE_DAY)


def judge_annual_report(as_of: date, link: ReportLink | None, published: date | None) -> CheckResult:
    """``ok`` when the previous year's report is linked and was published by 31 January; ``wrong`` when later;
    ``missing`` when absent after the deadline (``not_applicable`` before it); ``error`` when undated."""
    year, deadline = deadline_for(as_of)
    if link is None:
        if as_of <= deadline:
            return CheckResult("annual_report", "not_applicable", f"{year}年度报表尚未到公开期限（{deadline}）")
        return CheckResult("annual_report", "missing", f"未见{year}年政府网站工作年度报表")
    if published is None:
        return CheckResult("annual_report", "error", f"《{link.title}》的发布日期无法识别")
    if published > deadline:
        return CheckResult(
            "annual_report", "wrong", f"《{link.title}》{published}发布，晚于{deadline.month}月{deadline.day}日的期限"
        )
    return CheckResult("annual_report", "ok", f"《{link.title}》{published}发布")
