"""The previous year's 政府网站工作年度报表: found on the home page (or its 信息公开 pages), dated, judged
against 31 January."""

from __future__ import annotations

from datetime import date

import pytest

from govsites.sitechecks.annual_report import (
    ReportLink,
    deadline_for,
    disclosure_links,
    find_annual_reports,
    judge_annual_report,
    report_for_year,
    report_published,
)
from govsites.sitechecks.markup import SitePage

HOME = "http://www.xunyang.gov.cn/"


def home(links: str) -> SitePage:
    return SitePage(f"<html><body><ul>{links}</ul></body></html>", HOME)


@pytest.mark.parametrize(
    ("links", "year", "title"),
    [
        ('<li><a href="/xxgk/t20190120_1.html">旬阳县人民政府网站2018年度工作报表</a></li>', 2018, "2018年度工作报表"),
        ('<li><a href="/a.html">2018年政府网站工作年度报表</a></li>', 2018, "2018年政府网站工作年度报表"),
        (
            '<li><a href="/a.html">2017年政府网站工作年度报表</a><a href="/b.html">2018年政府网站工作年度报表</a></li>',
            2018,
            "2018年",
        ),
        ('<li><a href="/a.html">政府网站工作年度报表</a></li>', 2018, "政府网站工作年度报表"),  # no year: accepted
        ('<li><a href="/a.html">2018年政府信息公开工作年度报告</a></li>', 2018, None),  # another report
        ('<li><a href="/a.html">2017年政府网站工作年度报表</a></li>', 2018, None),  # wrong year
        ('<li style="display:none"><a href="/a.html">2018年政府网站工作年度报表</a></li>', 2018, None),  # hidden
    ],
)
def test_report_for_year(links: str, year: int, title: str | None) -> None:
    found = report_for_year(home(links), year)
    if title is None:
        assert found is None
    else:
        assert found is not None
        assert title in found.title


def test_report_links_and_disclosure_pages() -> None:
    page = home(
        '<li><a href="/zwgk/">政务公开</a></li><li><a href="/xxgk/">信息公开</a></li>'
        '<li><a href="/news/">新闻动态</a></li><li><a href="/b.html">2018年政府网站工作年度报表</a></li>'
    )
    assert disclosure_links(page) == [HOME + "zwgk/", HOME + "xxgk/", HOME + "b.html"]
    assert [(r.url, r.year) for r in find_annual_reports(page)] == [(HOME + "b.html", 2018)]


@pytest.mark.parametrize(
    ("html", "url", "published"),
    [
        ('<meta name="PubDate" content="2019-01-20 09:00">', HOME + "a.html", date(2019, 1, 20)),
        ('<meta name="PubDate" content="2019年01月20日">', HOME + "a.html", date(2019, 1, 20)),
        ("<p>发布日期：2019-02-11</p>", HOME + "a.html", date(2019, 2, 11)),
        ("<p>正文</p>", HOME + "xxgk/201901/t20190125_123.html", date(2019, 1, 25)),
        ("<p>正文</p>", HOME + "a.html", None),
    ],
)
def test_report_published(html: str, url: str, published: date | None) -> None:
    page = SitePage(f"<html><head>{html}</head><body>{html if '<p>' in html else ''}</body></html>", url)
    assert report_published(page) == published


LINK = ReportLink(HOME + "a.html", "2018年政府网站工作年度报表", 2018)


@pytest.mark.parametrize(
    ("as_of", "link", "published", "status"),
    [
        (date(2019, 3, 1), LINK, date(2019, 1, 31), "ok"),
        (date(2019, 3, 1), LINK, date(2019, 1, 10), "ok"),
        (date(2019, 3, 1), LINK, date(2019, 2, 1), "wrong"),
        (date(2019, 3, 1), None, None, "missing"),
        (date(2019, 1, 20), None, None, "not_applicable"),  # before the deadline: not yet due
        (date(2019, 3, 1), LINK, None, "error"),
    ],
)
def test_judge_annual_report(as_of: date, link: ReportLink | None, published: date | None, status: str) -> None:
    result = judge_annual_report(as_of, link, published)
    assert (result.check, result.status) == ("annual_report", status), result.detail


def test_deadline_is_31_january_of_the_evaluation_year() -> None:
    assert deadline_for(date(2019, 11, 5)) == (2018, date(2019, 1, 31))
    detail = judge_annual_report(date(2019, 3, 1), LINK, date(2019, 2, 1)).detail
    assert "晚于1月31日" in detail
