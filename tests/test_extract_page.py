"""Tests for govsites.extract.page: one parse per page, shared by every extractor and never changed."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pytest
from lxml import etree

from govsites.extract.columns import article_date, column_name, discover_columns, sitemap_urls
from govsites.extract.dom import strip_noise
from govsites.extract.guides import guide_elements, guide_forms, is_guide_page
from govsites.extract.links import extract_links
from govsites.extract.listing import extract_blocks, extract_list
from govsites.extract.mailbox import extract_letters, letter_detail
from govsites.extract.page import Page
from govsites.extract.text import decode_body, parse_html, title_and_text

PAGES = Path(__file__).parent / "pages"
URL = "http://www.hd.gov.cn/xwzx/index.html"
AS_OF = date(2016, 1, 1)

PAGE = """<html><head><title>新闻中心 _ 示例县人民政府</title><meta name="ColumnName" content="新闻中心">
<script>var x = "<a href='/js.html'>js</a>";</script><style>p {color: red}</style></head>
<body><div class="nav"><ul><li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li>
<li><a href="/xwzx/">新闻中心</a></li><li><a href="/wsbs/">网上办事</a></li></ul></div>
<!-- a comment --><div class="list"><h2>新闻中心 <a class="more" href="/xwzx/more.html">更多&gt;&gt;</a></h2><ul>
<li><a href="/xwzx/201512/t20151201_1.html">县政府召开常务会议研究部署冬季工作</a><span>2015-12-01</span></li>
<li><span class="top">置顶</span><a href="/xwzx/201511/t20151120_2.html">全县安全生产工作会议召开</a>
<span>2015-11-20</span></li>
<li><a href="/xwzx/201511/t20151110_3.html">县领导检查秋冬季森林防火工作</a><span>2015-11-10</span></li>
</ul></div><select onchange="window.open(this.value)"><option value="http://www.gov.cn/">中国政府网</option>
</select><textarea>draft</textarea><noscript>no js</noscript><p>办事指南 申请材料：身份证 办理时限：3个工作日</p>
<p><a href="/wzdt/index.html">网站地图</a></p></body></html>"""


def _snapshot(root: etree._Element) -> bytes:
    return etree.tostring(root, encoding="utf-8")


def test_a_page_parses_once_and_its_trees_are_the_lenient_parse() -> None:
    page = Page(PAGE, URL, AS_OF)
    assert page.raw is page.raw
    assert _snapshot(page.raw) == _snapshot(parse_html(PAGE))
    assert list(page.raw.iter("script"))  # the raw tree keeps scripts
    assert page.stripped is page.stripped
    assert page.stripped is not page.raw
    expected = parse_html(PAGE)
    strip_noise(expected)
    assert _snapshot(page.stripped) == _snapshot(expected)
    assert not list(page.stripped.iter("script", "style", "select", "textarea", "noscript"))
    assert not list(page.stripped.iter(etree.Comment))
    assert page.groups is page.groups
    assert page.blocks is page.blocks
    assert (page.title, page.text) == title_and_text(PAGE)


def test_pages_at_another_url_or_date_share_the_trees_whenever_they_are_parsed() -> None:
    page = Page(PAGE, URL, AS_OF)
    later = page.on(date(2030, 1, 1))  # derived before anything is parsed
    elsewhere = page.at("http://www.hd.gov.cn/other/")
    assert later.stripped is page.stripped
    assert elsewhere.raw is page.raw
    assert later.groups is not page.groups  # groups depend on the date
    assert elsewhere.base == "http://www.hd.gov.cn/other/"
    assert page.on(AS_OF) is page
    assert page.at(URL) is page
    assert later == Page(PAGE, URL, date(2030, 1, 1))
    with pytest.raises(dataclasses.FrozenInstanceError):
        page.url = "x"  # type: ignore[misc]


def test_no_extractor_changes_the_shared_trees() -> None:
    page = Page(PAGE, URL, AS_OF)
    raw, stripped = page.raw, page.stripped
    before = (_snapshot(raw), _snapshot(stripped))
    assert page.links
    extract_blocks(page)
    discover_columns(page)
    sitemap_urls(page)
    column_name(page)
    extract_list(page)
    article_date(page)
    guide_elements(page)
    is_guide_page(page)
    guide_forms(page)
    extract_letters(page)
    letter_detail(page)
    assert page.raw is raw
    assert page.stripped is stripped
    assert (_snapshot(raw), _snapshot(stripped)) == before


def test_the_links_of_the_shared_parse_are_those_of_a_parse_of_their_own() -> None:
    """`Page.links` reads the page's one tree (comments kept in it); `extract_links` parses without comments."""
    pages = [PAGE, *(decode_body(path.read_bytes())[0] for path in sorted(PAGES.glob("*.html")))]
    commented = PAGE.replace("</body>", '<!-- <a href="/old.html">旧</a> --><a href="/n.html">新<!--x-->闻</a></body>')
    for html in [*pages, commented]:
        assert list(Page(html, URL, AS_OF).links) == extract_links(html, URL)
    assert [link.anchor for link in Page(commented, URL, AS_OF).links if link.url.endswith("n.html")] == ["新闻"]


def test_results_do_not_depend_on_what_was_read_before() -> None:
    warm_page = Page(PAGE, URL, AS_OF)
    warm = (discover_columns(warm_page), extract_list(warm_page), extract_blocks(warm_page))
    cold = (
        discover_columns(Page(PAGE, URL, AS_OF)),
        extract_list(Page(PAGE, URL, AS_OF)),
        extract_blocks(Page(PAGE, URL, AS_OF)),
    )
    assert warm == cold
    assert [e.title for e in warm[1].entries][:2] == ["县政府召开常务会议研究部署冬季工作", "全县安全生产工作会议召开"]
    assert [e.pinned for e in warm[1].entries] == [False, True, False]


def test_a_page_of_a_non_string_or_empty_html() -> None:
    assert Page("", URL, AS_OF).raw.tag == "html"
    page = Page(None, None, AS_OF)  # type: ignore[arg-type]
    assert (page.html, page.url, page.raw.tag) == ("", "", "html")
    assert extract_list(page).entries == []
    assert extract_blocks(page) == []
    assert discover_columns(page) == []
