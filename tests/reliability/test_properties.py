"""Property-based tests: the pure layers never raise on arbitrary input.

Complements (does not repeat) the hypothesis tests in tests/test_extract_*.py and tests/test_typos.py:
those cover parse_date/find_dates on short text, normalize_url on text and URL-shaped strings,
extract_links on HTML pieces, and the typo detector on a restricted alphabet.
"""

from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govsites.extract.columns import discover_columns
from govsites.extract.dates import date_from_url, find_dates, parse_date
from govsites.extract.links import extract_links, normalize_url
from govsites.extract.listing import extract_blocks, extract_list
from govsites.extract.page import Page
from govsites.extract.scriptdata import parse_datastore_xml
from govsites.extract.text import decode_body, page_title, visible_text
from govsites.linkcheck.classify import is_waf_challenge, looks_like_not_found
from govsites.typos import default_detector

AS_OF = date(2015, 12, 31)
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_TAGS = st.sampled_from(["ul", "li", "a", "div", "span", "table", "tr", "td", "p", "base", "img", "script", "h3"])
_ATTRS = st.sampled_from(
    [
        'href="/a.html"',
        "href='x'",
        'href="http://[bad"',
        'href=" \n/b\t.html "',
        'class="list"',
        'srcset="a.png 1x, b.png 2x"',
        'href="//h/p"',
        'href="javascript:;"',
        'href="%E4%B8%AD.pdf"',
        'href="/附件/申请表.doc"',
        "",
    ]
)
_TEXT = st.sampled_from(
    [
        "2015-12-01",
        "[12-31]",
        "2015年1月2日",
        "更多>>",
        "通知公告",
        "\0",
        "&#0;",
        "&amp;",
        "<!--",
        "]]>",
        "<![CDATA[",
        "\ufeff",
        "𠀀",
        "2015/13/45",
        "20151231",
        "——",
    ]
)


@st.composite
def html_soup(draw: st.DrawFn) -> str:
    parts: list[str] = []
    for _ in range(draw(st.integers(0, 40))):
        kind = draw(st.integers(0, 4))
        if kind == 0:
            parts.append(f"<{draw(_TAGS)} {draw(_ATTRS)}>")
        elif kind == 1:
            parts.append(f"</{draw(_TAGS)}>")
        elif kind == 2:
            parts.append(draw(_TEXT))
        else:
            parts.append(draw(st.text(max_size=12)))
    return "".join(parts)


_URLS = st.one_of(
    st.just("http://127.0.0.1/list/"),
    st.just(""),
    st.just("http://[bad/"),
    st.text(max_size=40),
    st.just("http://例子.中国/路径/?a=1#f"),
)


@FAST
@given(html_soup(), _URLS, st.dates(min_value=date(1990, 1, 1), max_value=date(2035, 12, 31)))
def test_list_extraction_never_raises(html: str, url: str, as_of: date) -> None:
    page = extract_list(Page(html, url, as_of))
    assert all(e.date is None or isinstance(e.date, date) for e in page.entries)
    if page.newest is not None:
        assert page.newest in {e.date for e in page.entries}
    extract_blocks(Page(html, url, as_of))


@FAST
@given(st.text(max_size=300), _URLS)
def test_list_extraction_never_raises_on_plain_text(text: str, url: str) -> None:
    extract_list(Page(text, url, AS_OF))
    extract_blocks(Page(text, url, AS_OF))
    parse_datastore_xml(text, url, AS_OF)


_PAGE_URLS = st.sampled_from(
    ["http://127.0.0.1/list/", "http://例子.中国/路径/?a=1#f", "https://x.gov.cn:8443/a/b.html"]
)


@FAST
@given(html_soup(), _PAGE_URLS)
def test_columns_and_links_never_raise_on_soup(html: str, url: str) -> None:
    """(A page URL is one Scrapy fetched: always a valid URL; arbitrary page URLs are covered for links.)"""
    discover_columns(Page(html, url, AS_OF))
    for link in extract_links(html, url):
        assert link.url == normalize_url(link.url)
        assert not any(c in link.url for c in "\n\t ")


@FAST
@given(
    st.binary(max_size=400),
    st.one_of(st.none(), st.sampled_from(["utf-8", "gbk", "gb2312", "latin-1", "bogus", "", "utf-16"])),
)
def test_decode_body_never_raises(body: bytes, charset: str | None) -> None:
    text, encoding = decode_body(body, charset)
    assert isinstance(text, str)
    assert encoding
    visible_text(text)
    page_title(text)
    looks_like_not_found(page_title(text), visible_text(text))
    is_waf_challenge(200, {"Server": "x"}, text)


@FAST
@given(st.text(max_size=120))
def test_url_dates_never_raise(text: str) -> None:
    value = date_from_url("http://x/" + text)
    assert value is None or isinstance(value, date)


@FAST
@given(
    st.text(alphabet=st.characters(codec="utf-8"), max_size=400),
    st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)),
)
def test_dates_never_raise_on_long_text_and_extreme_as_of(text: str, as_of: date) -> None:
    found = find_dates(text, as_of)
    assert parse_date(text, as_of) == (found[0] if found else None)


_DETECTOR = default_detector()


@FAST
@given(st.text(max_size=300))
def test_typo_detector_never_raises_on_arbitrary_text(text: str) -> None:
    for finding in _DETECTOR.find(text):
        assert finding.wrong
        assert finding.wrong in text
        assert finding.severity in ("serious", "general")


@FAST
@given(
    st.lists(
        st.sampled_from(["中华人名共和国", "习进平", "国务院", "\n", " ", "\0", "=", "𠀀", "ａ", "。"]), max_size=60
    )
)
def test_typo_detector_on_typo_heavy_text(pieces: list[str]) -> None:
    text = "".join(pieces)
    for finding in _DETECTOR.find(text):
        assert text[finding.start : finding.start + len(finding.wrong)] == finding.wrong
