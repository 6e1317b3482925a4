"""Date parsing: every format of the patterns doc, the non-date traps, URL dates, and a property test."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govsites.extract.dates import date_from_url, find_dates, parse_date, year_guessed

AS_OF = date(2016, 1, 10)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2015-12-01", date(2015, 12, 1)),
        ("2015-12-1", date(2015, 12, 1)),
        ("2016-8-22", date(2016, 8, 22)),
        ("2015/12/01", date(2015, 12, 1)),
        ("2015.12.01", date(2015, 12, 1)),
        ("2015年12月01日", date(2015, 12, 1)),
        ("2015年12月1日", date(2015, 12, 1)),
        ("2015 年 7 月 1 日", date(2015, 7, 1)),
        ("二〇一五年十二月一日", date(2015, 12, 1)),
        ("二零一五年十二月三十一日", date(2015, 12, 31)),
        ("二O一五年十月二十日", date(2015, 10, 20)),
        ("二○一五年三月五日", date(2015, 3, 5)),
        ("2019-09-18 06:23", date(2019, 9, 18)),
        ("2007-08-20-23:59:59", date(2007, 8, 20)),
        ("发布时间：2015-12-01", date(2015, 12, 1)),
        ("发布日期：2015年12月01日", date(2015, 12, 1)),
        ("时间：2015-12-01 10:30", date(2015, 12, 1)),
        ("日期:2015-12-01", date(2015, 12, 1)),
        ("2020-07-09 ", date(2020, 7, 9)),
        ("[2015-12-01]", date(2015, 12, 1)),
        ("（2015-12-01）", date(2015, 12, 1)),
        ("２０１５－１２－０１", date(2015, 12, 1)),
    ],
)
def test_full_dates(text: str, expected: date) -> None:
    as_of = date(2024, 1, 1)
    assert parse_date(text, as_of) == expected
    assert parse_date(text) == expected  # no as_of needed for dates with a year


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[12-01]", date(2015, 12, 1)),
        ("12-01", date(2015, 12, 1)),
        ("12/01", date(2015, 12, 1)),
        ("12月01日", date(2015, 12, 1)),
        ("12月1日", date(2015, 12, 1)),
        ("[01-05]", date(2016, 1, 5)),
        ("01-10", date(2016, 1, 10)),  # as_of itself is allowed
        ("01-11", date(2015, 1, 11)),  # the day after as_of belongs to last year
    ],
)
def test_yearless_dates_resolve_against_as_of(text: str, expected: date) -> None:
    assert parse_date(text, AS_OF) == expected


def test_yearless_dates_skipped_without_as_of() -> None:
    assert parse_date("[12-01]") is None
    assert find_dates("12月01日 发布") == []


def test_yearless_feb_29_goes_back_to_a_leap_year() -> None:
    assert parse_date("02-29", date(2019, 3, 1)) == date(2016, 2, 29)


@pytest.mark.parametrize(
    "text",
    [
        "2015-02-30",  # invalid day
        "2015-13-01",  # invalid month
        "1985-01-01",  # implausible (too old)
        "2030-01-01",  # after as_of.year + 1
        "电话：0915-3212345",  # phone number
        "索引号：11130400MB1234567/2020-00123",
        "000014348/2020-35428",
        "版本 2.3.1",
        "v1.2.10",
        "12-2015",  # a count, not a date
        "共 12-2015 条",
        "第1-2页",
        "",
        "no date here",
    ],
)
def test_non_dates_are_rejected(text: str) -> None:
    assert parse_date(text, date(2024, 1, 1)) is None


def test_year_upper_bound_follows_as_of() -> None:
    assert parse_date("2017-01-05", AS_OF) == date(2017, 1, 5)  # as_of.year + 1 is plausible
    assert parse_date("2018-01-05", AS_OF) is None


def test_find_dates_keeps_order_and_skips_overlaps() -> None:
    text = "发布：2015-12-01 更新：2014年3月2日 [11-20] 电话 0915-3212345"
    assert find_dates(text, AS_OF) == [date(2015, 12, 1), date(2014, 3, 2), date(2015, 11, 20)]


def test_time_part_is_not_a_yearless_date() -> None:
    assert find_dates("2007-08-20-23:59:59", AS_OF.replace(year=2008)) == [date(2007, 8, 20)]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://x.gov.cn/zwgk/201512/t20151201_123.html", date(2015, 12, 1)),
        ("./201512/t20151201_123.html", date(2015, 12, 1)),
        ("http://x.gov.cn/art/2015/12/1/art_1621004_30332664.html", date(2015, 12, 1)),
        ("https://www.gov.cn/home/2016-05/11/content_5046257.htm", date(2016, 5, 11)),
        ("http://x.gov.cn/news/2015-12-01/1234.html", date(2015, 12, 1)),
        ("http://x.com/main/a/20200709/12323944.shtml", date(2020, 7, 9)),
        ("http://x.com/Upload/File/202004/20200429175329_3226.pdf", date(2020, 4, 29)),
        ("http://x.com/upload/user/1/2020-7-2/195400974278.pdf", date(2020, 7, 2)),
        ("http://x.gov.cn/col/col42150/index.html", None),
        ("http://x.gov.cn/zfwj/szfwj/", None),
        ("http://x.gov.cn/201512/", None),  # a month is not a date
        ("http://x.gov.cn/t20151399_1.html", None),
        ("", None),
        ("http://[::1", None),
    ],
)
def test_date_from_url(url: str, expected: date | None) -> None:
    assert date_from_url(url) == expected


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80), st.dates(min_value=date(1995, 1, 1), max_value=date(2030, 12, 31)))
def test_never_raises_and_yearless_never_after_as_of(text: str, as_of: date) -> None:
    found = find_dates(text, as_of)
    assert all(isinstance(value, date) for value in found)
    assert all(value.year <= as_of.year + 1 for value in found)
    first = parse_date(text, as_of)
    assert first == (found[0] if found else None)
    date_from_url(text)


@settings(max_examples=200, deadline=None)
@given(
    st.integers(min_value=1, max_value=12),
    st.integers(min_value=1, max_value=31),
    st.dates(min_value=date(1995, 1, 1), max_value=date(2030, 12, 31)),
    st.sampled_from(["{m:02d}-{d:02d}", "[{m:02d}-{d:02d}]", "{m:02d}/{d:02d}", "{m}月{d}日"]),
)
def test_yearless_result_is_on_or_before_as_of(month: int, day: int, as_of: date, pattern: str) -> None:
    value = parse_date(pattern.format(m=month, d=day), as_of)
    if value is not None:
        assert value <= as_of
        assert (value.month, value.day) == (month, day)


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2025, 12, 31)))
def test_roundtrip_formats(value: date) -> None:
    as_of = date(2026, 1, 1)
    for text in (
        value.isoformat(),
        f"{value.year}年{value.month}月{value.day}日",
        f"{value.year}/{value.month}/{value.day}",
        f"发布时间：{value:%Y-%m-%d} 08:00",
    ):
        assert parse_date(text, as_of) == value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2015-12-1\u00a0", date(2015, 12, 1)),
        ("2015/12/01 星期二", date(2015, 12, 1)),
        ("发布时间：2015-12-01 来源：县政府办", date(2015, 12, 1)),
        ("2015年12月", None),  # month only: not a date
        ("版权所有 2005-2015 示例县人民政府", None),
        ("Copyright 2005-2015", None),
        ("2015-2016学年", None),
    ],
)
def test_v2_date_traps(text: str, expected: date | None) -> None:
    assert parse_date(text, AS_OF) == expected


def test_v2_publish_date_of_an_item_with_a_deadline() -> None:
    from govsites.extract.groups import pick_publish_date

    assert pick_publish_date("发布日期：2015-12-20 截止日期：2015-12-27", AS_OF) == date(2015, 12, 20)
    assert pick_publish_date("截止日期：2015-12-27 发布日期：2015-12-20", AS_OF) == date(2015, 12, 20)
    assert pick_publish_date("2015-12-01至2015-12-10", AS_OF) == date(2015, 12, 1)
    assert pick_publish_date("2015-12-01 2016-02-01", AS_OF) == date(2015, 12, 1)  # after as_of: never


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("刚刚", date(2016, 1, 10)),
        ("9分钟前", date(2016, 1, 10)),
        ("3小时前", date(2016, 1, 10)),
        ("昨天", date(2016, 1, 9)),
        ("昨天 10:20", date(2016, 1, 9)),
        ("[前天]", date(2016, 1, 8)),
        ("3天前", date(2016, 1, 7)),
        ("12天前", date(2015, 12, 29)),
        ("发布时间：2天前", date(2016, 1, 8)),
    ],
)
def test_relative_dates_count_back_from_as_of(text: str, expected: date) -> None:
    assert find_dates(text, AS_OF) == [expected]


@pytest.mark.parametrize("text", ["昨天的会议", "会议于3天前召开", "前天下午", "三天前", "12天前发布"])
def test_relative_words_inside_a_sentence_are_not_dates(text: str) -> None:
    assert find_dates(text, AS_OF) == []


def test_relative_dates_need_as_of() -> None:
    assert find_dates("3天前") == []


@pytest.mark.parametrize(
    ("text", "when", "guessed"),
    [
        ("[12-28]", date(2015, 12, 28), True),
        ("12月28日", date(2015, 12, 28), True),
        ("１２－２８", date(2015, 12, 28), True),  # full-width digits
        ("2015-12-28", date(2015, 12, 28), False),
        ("2015年12月28日", date(2015, 12, 28), False),
        ("二〇一五年十二月二十八日", date(2015, 12, 28), False),
        ("发布于 2015-12-28 ，更新 [12-28]", date(2015, 12, 28), False),  # also written in full
        ("[12-27]", date(2015, 12, 28), False),  # not this date
        ("昨天", date(2015, 12, 28), False),  # relative: exact, not a guessed year
        ("", date(2015, 12, 28), False),
    ],
)
def test_year_guessed(text: str, when: date, guessed: bool) -> None:
    assert year_guessed(text, when) is guessed
