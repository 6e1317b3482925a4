"""Publication dates in Chinese government pages and URLs.

All functions return :class:`datetime.date` and never raise. Year-less dates (``12-01``, ``[12-01]``,
``12月01日``) need ``as_of``: the year is the latest one that keeps the date on or before ``as_of``. Relative
dates (刚刚, 9分钟前, 3小时前, 昨天, 3天前) need it too: they count back from ``as_of``, the page's fetch day.
"""

from __future__ import annotations

import functools
import re
from datetime import UTC, date, datetime, timedelta
from urllib.parse import unquote, urlsplit

MIN_YEAR = 1990

_FULLWIDTH = str.maketrans("０１２３４５６７８９－／．：　", "0123456789-/.: ")

# 2015-12-01 · 2015/12/1 · 2015.12.01 · 2015年12月1日 (also with spaces around the separators)
_FULL = re.compile(
    r"(?<![\d\w/])((?:19|20)\d{2})\s*(?:"
    r"(?P<s1>[-/.])\s*(?P<m1>\d{1,2})\s*(?P=s1)\s*(?P<d1>\d{1,2})(?![\d])(?!\.\d)"
    r"|年\s*(?P<m2>\d{1,2})\s*月\s*(?P<d2>\d{1,2})\s*(?:日|号)?(?!\d))",
    re.ASCII,
)
_CN_DIGITS = "〇零○OoΟ０一二三四五六七八九"
_CN_VALUE = {
    "〇": 0,
    "零": 0,
    "○": 0,
    "O": 0,
    "o": 0,
    "Ο": 0,
    "０": 0,
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_FULL = re.compile(
    rf"([{_CN_DIGITS}]{{4}})\s*年\s*([十{_CN_DIGITS}]{{1,3}})\s*月\s*([十{_CN_DIGITS}]{{1,3}})\s*(?:日|号)"
)
# year-less: [12-01] · 12-01 · 12/01 · 12月01日 · 12月1日
_SHORT = re.compile(
    r"(?<![\d\w/.:\-])(?P<m1>\d{2})(?P<s>[-/])(?P<d1>\d{2})(?![\d])(?!(?P=s)\d)(?!\.\d)(?!:)"
    r"|(?<![\d\w年])(?P<m2>\d{1,2})\s*月\s*(?P<d2>\d{1,2})\s*(?:日|号)(?!\d)",
    re.ASCII,
)


# relative: 刚刚 · 30秒前 · 9分钟前 · 3小时前 · 昨天 · 前天 · 3天前, standing alone (a list item's date field, an
# info line), not inside a sentence (昨天的会议)
_RELATIVE = re.compile(
    r"(?<![^\s\[(（【:：|])(?:(?P<now>刚刚)|(?P<n>\d{1,3})\s*(?P<unit>秒|分钟|小时|天)前|(?P<word>昨天|前天))"
    r"(?![^\s\])）】|\d])"
)
_RELATIVE_DAYS = {"昨天": 1, "前天": 2}

#: every pattern needs an ASCII digit (after the full-width ones are mapped), 年 (the Chinese-numeral form) or
#: the first character of a relative date's word
_DIGIT_OR_NIAN = re.compile(r"[0-9０-９年刚昨前]")


def _today() -> date:
    return datetime.now(tz=UTC).date()


def _max_year(as_of: date | None) -> int:
    return (as_of or _today()).year + 1


def _make(year: int, month: int, day: int, as_of: date | None) -> date | None:
    if year < MIN_YEAR or year > _max_year(as_of):
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _cn_number(text: str) -> int | None:
    """一 .. 三十一, 〇一, 十二 -> int."""
    if not text:
        return None
    if "十" in text:
        head, _, tail = text.partition("十")
        if "十" in tail:
            return None
        tens = _CN_VALUE.get(head, -1) if head else 1
        ones = _CN_VALUE.get(tail, -1) if tail else 0
        if tens < 0 or ones < 0:
            return None
        return tens * 10 + ones
    value = 0
    for ch in text:
        digit = _CN_VALUE.get(ch)
        if digit is None:
            return None
        value = value * 10 + digit
    return value


def _resolve_yearless(month: int, day: int, as_of: date) -> date | None:
    for year in range(as_of.year, as_of.year - 9, -1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate <= as_of and year >= MIN_YEAR:
            return candidate
    return None


def _resolve_relative(match: re.Match[str], as_of: date) -> date | None:
    """The day a relative date (刚刚, 3小时前, 昨天, 3天前) names, counted back from ``as_of`` (the fetch day)."""
    if match.group("now"):
        days = 0
    elif match.group("word"):
        days = _RELATIVE_DAYS[match.group("word")]
    elif match.group("unit") == "天":
        days = int(match.group("n"))
    else:
        days = 0  # seconds, minutes, hours ago: the fetch day (the fetch time of day is not known here)
    try:
        value = as_of - timedelta(days=days)
    except OverflowError:
        return None
    return value if value.year >= MIN_YEAR else None


def _scan(text: str, as_of: date | None) -> list[tuple[int, date]]:
    return [(start, value) for start, _end, value in _scan_spans(text, as_of)]


def _scan_spans(text: str, as_of: date | None) -> list[tuple[int, int, date]]:
    if not isinstance(text, str) or not _DIGIT_OR_NIAN.search(text):
        return []
    text = text.translate(_FULLWIDTH)
    found: list[tuple[int, int, date]] = []
    taken: list[tuple[int, int]] = []
    for match in _FULL.finditer(text):
        month = match.group("m1") or match.group("m2")
        day = match.group("d1") or match.group("d2")
        value = _make(int(match.group(1)), int(month), int(day), as_of)
        taken.append(match.span())
        if value is not None:
            found.append((match.start(), match.end(), value))
    for match in _CN_FULL.finditer(text):
        year = _cn_number(match.group(1))
        month = _cn_number(match.group(2))
        day = _cn_number(match.group(3))
        taken.append(match.span())
        if year is not None and month is not None and day is not None:
            value = _make(year, month, day, as_of)
            if value is not None:
                found.append((match.start(), match.end(), value))
    if as_of is not None:
        for match in _SHORT.finditer(text):
            start, end = match.span()
            if any(s < end and start < e for s, e in taken):
                continue
            month = int(match.group("m1") or match.group("m2"))
            day = int(match.group("d1") or match.group("d2"))
            value = _resolve_yearless(month, day, as_of)
            if value is not None:
                found.append((start, end, value))
        for match in _RELATIVE.finditer(text):
            value = _resolve_relative(match, as_of)
            if value is not None:
                found.append((match.start(), match.end(), value))
    found.sort(key=lambda pair: pair[0])
    return found


def find_dates(text: str, as_of: date | None = None) -> list[date]:
    """All dates in ``text``, in order of appearance."""
    try:
        return [value for _, value in _scan(text, as_of)]
    except Exception:  # pragma: no cover - defensive: never raise on page text
        return []


def find_dates_at(text: str, as_of: date | None = None) -> list[tuple[int, int, date]]:
    """All dates in ``text`` as ``(start, end, date)`` (offsets into ``text``), in order of appearance."""
    try:
        return [(start, end, value) for start, end, value in _scan_spans(text, as_of)]
    except Exception:  # pragma: no cover - defensive: never raise on page text
        return []


def year_guessed(text: str, when: date) -> bool:
    """Whether ``when`` was read from ``text`` without its year: a year-less ``12-28`` or ``12月28日`` (its year
    is then the latest one on or before the evaluation date, which a list ordered newest first confirms but a
    pinned item's place does not), and not also written in full."""
    try:
        if when in find_dates(text):  # without as_of: only dates written with their year
            return False
        return any(
            (int(match.group("m1") or match.group("m2")), int(match.group("d1") or match.group("d2")))
            == (when.month, when.day)
            for match in _SHORT.finditer(text.translate(_FULLWIDTH))
        )
    except Exception:  # pragma: no cover - defensive: never raise on page text
        return False


def parse_date(text: str, as_of: date | None = None) -> date | None:
    """The first date in ``text`` (labels, brackets, time parts and trailing spaces are fine)."""
    dates = find_dates(text, as_of)
    return dates[0] if dates else None


_URL_PATTERNS = (
    # TRS: t20151201_123.html
    re.compile(r"(?:^|/)t((?:19|20)\d{2})(\d{2})(\d{2})_\d+"),
    # Hanweb: /art/2015/12/1/art_12_345.html
    re.compile(r"/art/((?:19|20)\d{2})/(\d{1,2})/(\d{1,2})/"),
    # gov.cn: /2016-05/11/content_5046257.htm
    re.compile(r"/((?:19|20)\d{2})-(\d{1,2})/(\d{1,2})/"),
    # /2015-12-01/ and /2015-12-1/
    re.compile(r"/((?:19|20)\d{2})-(\d{1,2})-(\d{1,2})(?:/|_|\.)"),
    # /2015/12/01/ and /2015/1201/
    re.compile(r"/((?:19|20)\d{2})/(\d{1,2})/(\d{1,2})/"),
    re.compile(r"/((?:19|20)\d{2})/(\d{2})(\d{2})/"),
    # /20151201/ · /20151201_12.html · /20200429175329_3226.pdf
    re.compile(r"(?:/|_)((?:19|20)\d{2})(\d{2})(\d{2})(?:\d{6})?(?=[/_.]|$)"),
)


def date_from_url(url: str) -> date | None:
    """The publication date embedded in an article URL, or None."""
    if not isinstance(url, str) or not url:
        return None
    return _date_from_url(url)


@functools.lru_cache(maxsize=32768)
def _date_from_url(url: str) -> date | None:
    """`date_from_url` of a non-empty string, memoised (list items and menus repeat across pages)."""
    try:
        path = unquote(urlsplit(url.strip()).path)
    except ValueError:
        return None
    for pattern in _URL_PATTERNS:
        for match in pattern.finditer(path):
            value = _make(int(match.group(1)), int(match.group(2)), int(match.group(3)), None)
            if value is not None:
                return value
    return None
