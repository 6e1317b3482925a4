"""List pages and home blocks from the synthetic fixtures in tests/fixtures/pages/."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from govsites.extract.dom import absolute
from govsites.extract.entries import unsure_newest
from govsites.extract.listing import ListEntry, ListPage, extract_blocks, extract_list
from govsites.extract.page import Page
from govsites.extract.scriptdata import parse_datastore_xml
from govsites.extract.text import decode_body, page_title, visible_text

PAGES = Path(__file__).resolve().parent / "fixtures" / "pages"
AS_OF = date(2016, 1, 10)
HOST = "http://www.example.gov.cn"


def page(name: str) -> str:
    return (PAGES / name).read_text(encoding="utf-8")


def test_trs_list_with_pinned_item_and_create_page_html() -> None:
    lp = extract_list(Page(page("trs_list.html"), f"{HOST}/zwdt/gzdt/index.html", AS_OF))
    assert [e.date for e in lp.entries] == [
        date(2014, 3, 1),
        date(2015, 12, 8),
        date(2015, 12, 5),
        date(2015, 12, 1),
        date(2015, 11, 26),
    ]
    assert lp.newest == date(2015, 12, 8)  # the pinned old item does not hide newer ones
    assert lp.entries[0].pinned
    assert not any(e.pinned for e in lp.entries[1:])
    assert lp.entries[0].title == "示例县关于做好2014年春季防火工作的通知"
    # the title cut with ... is taken from @title; ./201512/... is resolved
    assert lp.entries[1].title == "县长主持召开县政府常务会议研究部署冬季安全生产和民生保障工作"
    assert lp.entries[1].url == f"{HOST}/zwdt/gzdt/201512/t20151208_131.html"
    assert all(e.date_source == "list" for e in lp.entries)
    assert not any(e.year_guessed for e in lp.entries)  # written with their years
    assert lp.unsure_pinned() == []  # the pinned item's 2014 is written: no article to open
    # not the side box, the footer, nor the friendly-link <select>
    assert not any("tzgg" in e.url or "lxwm" in e.url for e in lp.entries)
    assert lp.next_pages == [f"{HOST}/zwdt/gzdt/index_{k}.html" for k in range(1, 6)]
    assert lp.column_name == "工作动态"
    assert lp.empty is False
    assert lp.needs_render is False


def test_hanweb_inline_datastore_is_unwrapped_without_browser() -> None:
    lp = extract_list(Page(page("hanweb_datastore.html"), f"{HOST}/col/col4521/index.html", date(2026, 10, 1)))
    assert len(lp.entries) == 3
    assert lp.newest == date(2026, 9, 16)
    assert lp.entries[0].url == f"{HOST}/art/2026/9/16/art_4521_11830771.html"
    assert lp.entries[1].title == "示例市2026年第三季度重点项目建设情况公示公示公示"
    assert lp.entries[2].date == date(2026, 8, 28)  # date in a <span> in that record
    assert lp.needs_render is False
    assert lp.empty is False
    assert lp.next_pages
    assert lp.next_pages[0].startswith(f"{HOST}/module/web/jpage/dataproxy.jsp?")
    assert "columnid=4521" in lp.next_pages[0]


def test_dataproxy_xml_response() -> None:
    url = f"{HOST}/module/web/jpage/dataproxy.jsp?startrecord=1&endrecord=45&perpage=15&columnid=4521"
    lp = parse_datastore_xml(page("dataproxy.xml"), url, date(2026, 10, 1))
    assert [e.date for e in lp.entries] == [date(2026, 7, 30), date(2026, 7, 21)]
    assert lp.entries[1].title == "示例市人民政府关于调整部分行政区划的公告"
    assert lp.entries[0].url == f"{HOST}/art/2026/7/30/art_4521_11830001.html"
    assert lp.next_pages == [
        f"{HOST}/module/web/jpage/dataproxy.jsp?startrecord=46&endrecord=48&perpage=15&columnid=4521"
    ]
    empty = parse_datastore_xml(
        "<datastore><totalrecord>0</totalrecord><recordset></recordset></datastore>", url, date(2026, 10, 1)
    )
    assert empty.entries == []
    assert empty.empty is True


def test_json_in_script_list() -> None:
    lp = extract_list(Page(page("json_list.html"), "https://www.ndcpa.gov.cn/jksj/gzdt/list.html", date(2026, 10, 1)))
    assert len(lp.entries) == 3
    assert lp.newest == date(2026, 9, 21)
    assert lp.entries[0].title == "国家疾控局召开2026年秋冬季传染病防控工作会议"
    assert lp.entries[0].url == "https://www.ndcpa.gov.cn/jksj/gzdt/202609/t20260921_1.html"
    assert lp.entries[0].date_source == "list"
    assert lp.needs_render is False


def test_generic_json_array_with_title_url_date_keys() -> None:
    html = """<html><body><div id="list"></div><script>
    var data = [{'title': '关于开展2016年春季植树活动的通知', 'url': '/tzgg/201603/t20160301_1.html',
                 'date': '2016-03-01'},
                {title: "示例县召开人大常委会会议", url: "/tzgg/201602/t20160220_2.html",
                 date: "2016-02-20",},];
    render(data);</script></body></html>"""
    lp = extract_list(Page(html, f"{HOST}/tzgg/", date(2016, 6, 1)))
    assert [(e.title, e.date) for e in lp.entries] == [
        ("关于开展2016年春季植树活动的通知", date(2016, 3, 1)),
        ("示例县召开人大常委会会议", date(2016, 2, 20)),
    ]
    assert lp.entries[0].url == f"{HOST}/tzgg/201603/t20160301_1.html"


def test_table_list_uses_the_publish_date_column_and_base_href() -> None:
    lp = extract_list(Page(page("table_list.html"), "http://mirror.example.org/saved.html", date(2020, 8, 10)))
    assert [e.date for e in lp.entries] == [
        date(2020, 8, 5),
        date(2020, 7, 29),
        date(2020, 7, 16),
    ]  # not 成文日期
    assert lp.entries[0].url == "http://xxgk.example.gov.cn/zfwj/szfwj/202008/t20200805_1353179.html"
    assert lp.entries[0].title == "示例市人民政府关于印发2020年重点工作任务分解方案的通知"
    assert lp.entries[2].url == "http://xxgk.example.gov.cn/gszbm/auto23692/202007/t20200716_1348423.html"
    assert lp.newest == date(2020, 8, 5)
    assert lp.column_name == "市政府文件"  # breadcrumb (no ColumnName meta)
    assert lp.next_pages[:2] == [
        "http://xxgk.example.gov.cn/zfwj/szfwj/index_1.html",
        "http://xxgk.example.gov.cn/zfwj/szfwj/index_2.html",
    ]


def test_date_before_title_and_yearless_dates() -> None:
    lp = extract_list(Page(page("date_first.html"), f"{HOST}/bmdt/", AS_OF))
    assert [e.date for e in lp.entries] == [
        date(2015, 12, 28),
        date(2015, 12, 30),
        date(2016, 1, 4),
        date(2015, 11, 15),
    ]
    assert lp.newest == date(2016, 1, 4)
    assert lp.entries[0].title == "县教育局开展校园安全检查"


def test_dates_in_em_b_and_nested_spans_not_in_titles() -> None:
    lp = extract_list(Page(page("em_b_dates.html"), f"{HOST}/zcjd/", AS_OF))
    assert [e.date for e in lp.entries] == [
        date(2015, 12, 9),
        date(2015, 12, 2),
        date(2015, 11, 20),
        date(2015, 11, 11),
    ]
    # the date inside the title (2015年11月1日) is not the item date; the related box is not the list
    assert lp.entries[3].title == "关于2015年11月1日起调整最低工资标准的解读"
    assert all("/a/" not in e.url for e in lp.entries)


def test_items_dated_only_by_url() -> None:
    lp = extract_list(Page(page("url_dates.html"), f"{HOST}/ghjh/", AS_OF))
    assert [(e.date, e.date_source) for e in lp.entries] == [
        (date(2015, 12, 15), "url"),
        (date(2015, 3, 6), "url"),
        (date(2014, 1, 10), "url"),
    ]
    assert lp.newest == date(2015, 12, 15)


def test_empty_column_says_no_information() -> None:
    lp = extract_list(Page(page("empty_column.html"), f"{HOST}/rsxx/", AS_OF))
    assert lp.entries == []
    assert lp.empty is True
    assert lp.newest is None
    assert lp.column_name == "人事信息"


def test_empty_list_container_without_scripts() -> None:
    html = '<html><body><div class="nav"><a href="/">首页</a></div><ul class="news-list"></ul></body></html>'
    lp = extract_list(Page(html, f"{HOST}/xwzx/", AS_OF))
    assert lp.entries == []
    assert lp.empty is True
    assert lp.needs_render is False


@pytest.mark.parametrize(
    "table",
    [
        '<table class="xxgk-list"><tr><th>序号</th><th>标题</th><th>发布日期</th></tr></table>',
        '<div class="list"><table><thead><tr><th>标题</th><th>日期</th></tr></thead><tbody></tbody></table></div>',
        '<table class="list"><tr><th>标题</th><th>日期</th></tr><tr><td> </td><td></td></tr></table>',
    ],
)
def test_a_list_table_with_its_header_row_only_is_empty(table: str) -> None:
    html = f'<html><body><div class="crumb"><a href="/">首页</a> &gt; 党建园地</div>{table}</body></html>'
    lp = extract_list(Page(html, f"{HOST}/djyd/", AS_OF))
    assert (lp.entries, lp.empty, lp.needs_render) == ([], True, False)


def test_a_table_of_headings_alone_is_not_an_empty_list() -> None:
    # a layout or data table that no class names a list, and a list table with rows: not empty lists
    plain = "<table><tr><th>单位</th><th>电话</th></tr></table><p>办公地址：某某路1号</p>"
    assert extract_list(Page(f"<html><body>{plain}</body></html>", f"{HOST}/lxwm/", AS_OF)).empty is False
    rows = '<table class="list"><tr><th>标题</th></tr><tr><td>办公时间调整</td></tr></table>'
    assert extract_list(Page(f"<html><body>{rows}</body></html>", f"{HOST}/tzgg/", AS_OF)).empty is False


def test_article_page_is_not_a_list() -> None:
    lp = extract_list(Page(page("article.html"), f"{HOST}/zwdt/gzdt/show.html", AS_OF))
    assert lp.entries == []
    assert lp.empty is False
    assert lp.next_pages == []


def test_js_shell_needs_render() -> None:
    lp = extract_list(Page(page("shell.html"), f"{HOST}/zcjd/", AS_OF))
    assert lp.entries == []
    assert lp.has_scripts is True
    assert lp.needs_render is True
    assert lp.empty is False


def test_plain_page_without_scripts_does_not_need_render() -> None:
    lp = extract_list(Page("<html><body><p>机构职能：负责全县发展改革工作。</p></body></html>", f"{HOST}/jgzn/", AS_OF))
    assert lp.entries == []
    assert lp.needs_render is False
    assert lp.has_scripts is False


def test_home_blocks_with_tabs_and_more_links() -> None:
    blocks = extract_blocks(Page(page("home.html"), f"{HOST}/", AS_OF))
    by_name = {b.name: b for b in blocks}
    assert list(by_name) == ["通知公告", "工作动态", "部门动态", "乡镇动态", "政策文件"]
    assert by_name["通知公告"].more_url == f"{HOST}/zwdt/tzgg/"
    assert max(e.date for e in by_name["通知公告"].entries if e.date) == date(2016, 1, 5)
    assert by_name["通知公告"].entries[0].title == "关于2016年元旦春节期间有关工作安排的通知"
    assert by_name["工作动态"].hidden is False
    assert by_name["部门动态"].hidden is True
    assert by_name["乡镇动态"].hidden is True
    assert by_name["工作动态"].more_url == f"{HOST}/zwdt/gzdt/"
    assert by_name["部门动态"].more_url == f"{HOST}/zwdt/bmdt/"
    assert by_name["乡镇动态"].more_url is None  # javascript: tab, and the shared 更多 is the first tab's
    assert [e.date for e in by_name["乡镇动态"].entries] == [date(2015, 9, 10)]
    assert by_name["政策文件"].more_url == f"{HOST}/zwgk/zcwj/"
    assert {e.date_source for e in by_name["政策文件"].entries} == {"url"}
    # undated link grids (政民互动) and the footer are not blocks
    assert all("hdjl" not in (b.more_url or "") for b in blocks)


def test_newest_property() -> None:
    entries = [
        ListEntry("a", "http://x/1", date(2014, 1, 1), "list", True),
        ListEntry("b", "http://x/2", date(2015, 6, 1), "list"),
        ListEntry("c", "http://x/3", None, ""),
    ]
    assert ListPage(entries, False, [], False, False, "").newest == date(2015, 6, 1)
    assert ListPage([], True, [], False, False, "").newest is None


@pytest.mark.parametrize(
    "junk",
    [
        "",
        "   ",
        "<",
        "<?xml version='1.0' encoding='gbk'?><html>",
        "\x00\x01<a href=x>",
        "<html><body><a href='javascript:void(0)'>2015-12-01</a></body></html>",
    ],
)
def test_junk_input_never_raises(junk: str) -> None:
    lp = extract_list(Page(junk, f"{HOST}/", AS_OF))
    assert lp.entries == []
    assert extract_blocks(Page(junk, f"{HOST}/", AS_OF)) == []
    assert isinstance(visible_text(junk), str)
    assert isinstance(page_title(junk), str)


def test_decode_body_charsets() -> None:
    text = "<html><head><meta charset=gb2312><title>邯郸 镕</title></head><body>山西</body></html>"
    body = text.encode("gb18030")
    decoded, encoding = decode_body(body)
    assert "邯郸 镕" in decoded
    assert encoding == "gb18030"  # GBK-only char under a gb2312 declaration
    decoded, encoding = decode_body(body, "utf-8")  # a wrong header falls back
    assert "邯郸" in decoded
    assert encoding == "gb18030"
    utf8 = text.encode("utf-8")
    decoded, encoding = decode_body(utf8)  # a browser-saved page: UTF-8 bytes, old gb2312 meta
    assert "邯郸" in decoded
    assert encoding == "utf-8"
    decoded, encoding = decode_body("\ufeff<p>邯郸</p>".encode(), "iso-8859-1")
    assert decoded == "<p>邯郸</p>"
    assert encoding == "utf-8"
    decoded, encoding = decode_body("<p>山西</p>".encode("gbk"))  # no declaration at all
    assert decoded == "<p>山西</p>"
    assert encoding == "gb18030"
    assert decode_body(b"") == ("", "utf-8")


def test_visible_text_lines() -> None:
    html = (
        "<html><head><title>标题</title><style>p{}</style></head><body><div>第一行<span> 同一行</span></div>"
        "<script>var x='隐藏';</script><!-- 注释 --><noscript>无脚本</noscript><p>第二行</p>"
        "<template><p>模板</p></template></body></html>"
    )
    assert visible_text(html) == "标题\n第一行 同一行\n第二行"
    assert page_title(html) == "标题"


def test_items_with_a_category_tag_link_keep_the_title_link() -> None:
    html = """<html><body><ul class="list">
    <li><a href="/tzgg/">[通知公告]</a>
        <a href="/tzgg/201512/t20151201_1.html">关于做好冬季安全生产工作的通知</a>
        <span>2015-12-01</span></li>
    <li><span><a href="/gzdt/">[工作动态]</a></span>
        <a href="/gzdt/201511/t20151120_2.html">县政府召开常务会议</a>
        <span>2015-11-20</span></li>
    <li><a href="/tzgg/">[通知公告]</a><a href="/tzgg/201511/t20151101_3.html">关于开展消防检查的通知</a>
        <span>2015-11-01</span></li></ul></body></html>"""
    lp = extract_list(Page(html, f"{HOST}/", AS_OF))
    assert [e.title for e in lp.entries] == [
        "关于做好冬季安全生产工作的通知",
        "县政府召开常务会议",
        "关于开展消防检查的通知",
    ]
    assert [e.date for e in lp.entries] == [date(2015, 12, 1), date(2015, 11, 20), date(2015, 11, 1)]
    assert lp.entries[1].url == f"{HOST}/gzdt/201511/t20151120_2.html"


# --- v2 fixtures: markup written from the patterns doc, deliberately unlike the demo templates ---------------

V2_HOST = "http://www.sl.gov.cn"
V2_AS_OF = date(2016, 1, 10)


def v2_list(name: str) -> ListPage:
    return extract_list(Page(page(name), f"{V2_HOST}/col/", V2_AS_OF))


def test_v2_dl_list_with_dd_dates_pinned_item_and_pager() -> None:
    lp = v2_list("v2_list_dl_pager.html")
    assert [e.date for e in lp.entries] == [
        date(2013, 2, 1),
        date(2016, 1, 6),  # '2016-1-6&nbsp;'
        date(2015, 12, 29),
        date(2015, 12, 18),
    ]
    assert all(e.date_source == "list" for e in lp.entries)
    assert lp.entries[0].pinned
    assert lp.newest == date(2016, 1, 6)
    assert not any(e.title in {"首页", "下一页", "尾页", "2", "3"} for e in lp.entries)  # pager is no item
    assert lp.next_pages[:2] == [f"{V2_HOST}/col/index_1.html", f"{V2_HOST}/col/index_2.html"]


def test_v2_detail_links_title_from_text_and_publish_date_not_deadline() -> None:
    lp = v2_list("v2_list_detail_links.html")
    assert [(e.title, e.date) for e in lp.entries] == [
        ("示例县2015年度拟提拔任用干部任前公示", date(2016, 1, 5)),
        ("示例县农村低保对象名单公示（第四季度）", date(2015, 12, 20)),
        ("示例县城区棚户区改造项目征收补偿方案公示", date(2015, 12, 2)),  # full-width digits
    ]
    assert lp.entries[0].url == f"{V2_HOST}/gsgg/201601/t20160105_31.html"


def test_v2_dates_inside_link_text() -> None:
    lp = v2_list("v2_list_dates_in_links.html")
    assert [(e.title, e.date, e.date_source) for e in lp.entries] == [
        ("县委常委会召开2015年度民主生活会", date(2016, 1, 8), "list"),
        ("县长主持召开县政府第25次常务会议", date(2015, 12, 30), "list"),
        ("示例县启动2016年春运工作", date(2015, 12, 21), "list"),
    ]


@pytest.mark.parametrize(
    "name",
    [
        "v2_blank_rbox_hot.html",  # 信息正在更新中 + right box 热点信息 (class rbox)
        "v2_blank_empty_ul_zxxx.html",  # empty ul.list, no wording, a 最新信息 box in div.r
        "v2_blank_building.html",  # 本栏目正在建设中 + col-r hotnews
        "v2_blank_pager_only.html",  # empty list and a pager only
    ],
)
def test_v2_blank_columns_do_not_take_side_box_dates(name: str) -> None:
    lp = v2_list(name)
    assert lp.entries == []
    assert lp.empty is True
    assert lp.newest is None
    assert lp.next_pages == []


def test_v2_content_page_with_construction_prose_is_not_blank() -> None:
    lp = v2_list("v2_content_page_with_hot.html")
    assert lp.entries == []
    assert lp.empty is False  # not a column list at all: neither blank nor dated by the side box


def test_v2_list_in_right_column_is_kept_despite_empty_box_elsewhere() -> None:
    lp = v2_list("v2_list_right_main.html")
    assert [e.date for e in lp.entries] == [date(2016, 1, 7), date(2015, 12, 28), date(2015, 12, 15)]


@pytest.mark.parametrize(
    "wording",
    ["没有找到相关信息", "信息正在更新中", "建设中", "栏目建设中，敬请期待", "对不起，没有找到相关记录", "暂无"],
)
def test_v2_empty_wordings(wording: str) -> None:
    html = f"""<html><body><div class="nav"><a href="/">首页</a><a href="/a/">通知公告</a></div>
    <div class="main"><div class="list"><ul></ul><p>{wording}</p></div></div></body></html>"""
    lp = extract_list(Page(html, f"{V2_HOST}/a/", V2_AS_OF))
    assert lp.empty is True
    assert lp.entries == []


def test_v2_county_home_blocks() -> None:
    blocks = extract_blocks(Page(page("v2_county_home.html"), f"{V2_HOST}/", V2_AS_OF))
    got = {b.name: (b.more_url, len(b.entries), max(e.date for e in b.entries if e.date), b.hidden) for b in blocks}
    assert got == {
        "通知公告": (f"{V2_HOST}/tzgg/", 3, date(2015, 12, 28), False),  # div.title span + a.more, year-less
        "今日要闻": (f"{V2_HOST}/zwdt/jryw/", 2, date(2016, 1, 8), False),  # li onmouseover tabs
        "乡镇动态": (f"{V2_HOST}/zwdt/xzdt/", 2, date(2015, 11, 20), True),  # each panel's own more+
        "部门动态": (f"{V2_HOST}/zwdt/bmdt/", 2, date(2015, 6, 30), True),
        "人事信息": (f"{V2_HOST}/zwgk/rsxx/", 2, date(2015, 9, 15), False),  # image 更多
        "公示公告": (f"{V2_HOST}/gsgg/", 2, date(2016, 1, 4), False),  # marquee
        "政策解读": (f"{V2_HOST}/zcjd/", 2, date(2014, 10, 12), False),  # heading links to the column
        "县长信箱": (f"{V2_HOST}/hdjl/xzxx/", 2, date(2015, 12, 30), False),  # heading in the <dl>'s <dt>
    }


def test_a_topic_column_is_its_own_main_list_not_a_side_box() -> None:
    """专题 names side boxes (专题推荐) elsewhere, but on the 专题专栏 column's own page the list under the
    breadcrumb 当前位置：首页 > 专题专栏 is the column (in a div.right content area)."""
    html = (PAGES / "v2_topic_column.html").read_text(encoding="utf-8")
    page = extract_list(Page(html, "http://www.example.gov.cn/ztzl/index.htm", date(2015, 12, 31)))
    assert [e.date for e in page.entries] == [date(2014, 7, 3), date(2014, 6, 29), date(2014, 6, 20)]
    assert page.entries[1].title == "国土资源局领导深入基层调研项目建设工作情况并召开座谈会"
    assert page.newest == date(2014, 7, 3)


def test_absolute_is_memoised_per_base_where_the_base_matters() -> None:
    assert absolute("a.html", "http://x.gov.cn/d1/") == "http://x.gov.cn/d1/a.html"
    assert absolute("a.html", "http://x.gov.cn/d2/") == "http://x.gov.cn/d2/a.html"
    assert absolute("/a.html", "http://x.gov.cn/d1/") == "http://x.gov.cn/a.html"
    assert absolute("/a.html", "https://y.gov.cn:8443/d2/") == "https://y.gov.cn:8443/a.html"
    assert absolute(" \\b\\c.html#top ", "http://x.gov.cn/d1/") == "http://x.gov.cn/b/c.html"
    assert absolute("", "http://x.gov.cn/") is None
    assert absolute(None, "http://x.gov.cn/") is None  # type: ignore[arg-type]
    assert absolute("javascript:void(0)", "http://x.gov.cn/") is None
    assert absolute("//", "http://x.gov.cn/d1/p.html?q=1") == "http://x.gov.cn/d1/p.html?q=1"


def test_list_items_dated_relatively_and_only_in_their_url_are_dated() -> None:
    relative = ["刚刚", "9分钟前", "3小时前", "昨天", "3天前"]
    items = "".join(
        f'<li><a href="/xw/gzdt/art_{n}.html">县政府召开第{n}次常务会议研究部署工作</a><span>{when}</span></li>'
        for n, when in enumerate(relative, 1)
    ) + "".join(
        f'<li><a href="/xw/gzdt/201512/t201512{n:02d}_{n}.html">全县安全生产工作会议第{n}次召开</a></li>'
        for n in range(1, 6)
    )
    html = f'<html><body><h2>工作动态</h2><ul class="list">{items}</ul></body></html>'
    lp = extract_list(Page(html, f"{HOST}/xw/gzdt/index.html", AS_OF))
    dates = [e.date for e in lp.entries]
    assert len(dates) == 10
    assert dates[:5] == [AS_OF, AS_OF, AS_OF, date(2016, 1, 9), date(2016, 1, 7)]
    assert dates[5:] == [date(2015, 12, n) for n in range(1, 6)]
    assert lp.newest == AS_OF


WIDGET_ITEMS = "".join(
    f'<li><a href="/xw/2016010{n}/{n}.html">市政府召开第{n}次常务会议研究部署工作</a><span>2016-01-0{n}</span></li>'
    for n in range(1, 4)
)
SLOTS = '<div class="xpage-content-list"></div>' * 6


def test_empty_slots_of_a_side_widget_do_not_make_a_column_blank() -> None:
    # a column page whose only dated list sits in a right-hand widget, beside six empty slots of the same widget
    html = (
        '<html><body><div class="main"><h2>通知公告</h2><p>说明</p></div>'
        f'<div class="right"><div class="xpage-content-list"><ul>{WIDGET_ITEMS}</ul></div>{SLOTS}</div>'
        "</body></html>"
    )
    lp = extract_list(Page(html, f"{HOST}/tzgg/index.html", AS_OF))
    assert not lp.empty
    assert len(lp.entries) == 3
    # a hidden empty list (a second tab) is no evidence either; a visible empty list of the column's own is
    hidden = html.replace(SLOTS, '<div style="display:none"><ul class="list"></ul></div>')
    assert not extract_list(Page(hidden, f"{HOST}/tzgg/index.html", AS_OF)).empty
    own_empty = html.replace("<p>说明</p>", '<ul class="list"></ul>').replace(SLOTS, "")
    assert extract_list(Page(own_empty, f"{HOST}/tzgg/index.html", AS_OF)).empty


def test_short_article_with_side_widget_is_not_a_column() -> None:
    html = (
        "<html><body><h1>我市召开防汛工作会议</h1><div class='info'>2016-01-05 08:58:52来源：市政府办</div>"
        "<p>会议部署了防汛工作。</p>"
        f'<div class="right"><div class="xpage-content-list"><ul>{WIDGET_ITEMS}</ul></div>{SLOTS}</div>'
        "</body></html>"
    )
    lp = extract_list(Page(html, f"{HOST}/xw/a.html", AS_OF))
    assert (lp.entries, lp.empty) == ([], False)
    xinhua = "http://www.he.news.cn/20240515/d59c39d4160a4fe4b3084c3e4abfb450/c.html"
    assert extract_list(Page(html.replace("来源", "出处"), xinhua, AS_OF)).entries == []


def _split_item(n: int, dated: bool) -> str:
    title = f"县政府召开第{n}次常务会议研究部署工作"
    if not dated:  # no date at all: neither beside the title nor in the URL (show.asp?id=N)
        return f'<li><a href="/show.asp?id={n}" title="{title}">{title}</a></li>'
    day = n % 28 + 1
    return f'<li><a href="/xw/gzdt/201512/t201512{day:02d}_{n}.html">{title}</a><span>2015-12-{day:02d}</span></li>'


def _split_list(wrapper_class: str, dated: bool = True, total: int = 40) -> str:
    """``total`` items, five per sibling container (the last one holds what is left: maybe one)."""
    uls = "".join(
        f'<div class="{wrapper_class.format(d=d)}"><ul>'
        + "".join(_split_item(n, dated) for n in range(d * 5 + 1, min(d * 5 + 5, total) + 1))
        + "</ul></div>"
        for d in range(-(-total // 5))
    )
    return f'<html><body><div class="crumb">当前位置：首页 > 工作动态</div><div class="list">{uls}</div></body></html>'


@pytest.mark.parametrize("dated", [True, False])
@pytest.mark.parametrize("wrapper_class", ["box", "box{d}", ""])
def test_list_split_over_sibling_containers_is_one_list(wrapper_class: str, dated: bool) -> None:
    lp = extract_list(Page(_split_list(wrapper_class, dated), f"{HOST}/xw/gzdt/index.html", AS_OF))
    assert len(lp.entries) == 40
    assert [e.title for e in lp.entries] == [f"县政府召开第{n}次常务会议研究部署工作" for n in range(1, 41)]


@pytest.mark.parametrize("dated", [True, False])
@pytest.mark.parametrize("total", [6, 36])
def test_split_list_whose_last_part_holds_one_item(total: int, dated: bool) -> None:
    # A list of 6 (or 36) split five per container leaves one item in its last part: still part of the list (the
    # accuracy web's s0004 政策文件 had lost its undated fourth item this way).
    lp = extract_list(Page(_split_list("list-part", dated, total), f"{HOST}/xw/gzdt/index.html", AS_OF))
    assert [e.title for e in lp.entries] == [f"县政府召开第{n}次常务会议研究部署工作" for n in range(1, total + 1)]


def test_article_with_prev_next_and_side_list_of_latest_items_is_not_a_column() -> None:
    latest = "".join(
        f'<li><a href="/xw/gzdt/201601/t2016010{n}_{n}.html">第{n}次常务会议</a><span>2016-01-0{n}</span></li>'
        for n in range(1, 9)
    )
    html = (
        "<html><body><h1>我市召开防汛工作会议</h1><p>会议部署了防汛工作。</p>"
        '<div class="pn"><a href="/xw/gzdt/a1.html">上一篇：春耕生产有序推进</a>'
        '<a href="/xw/gzdt/a3.html">下一篇：全市环境整治行动启动</a></div>'
        f'<div class="box"><h3>工作动态</h3><ul>{latest}</ul></div></body></html>'
    )
    lp = extract_list(Page(html, f"{HOST}/xw/gzdt/a2.html", AS_OF))
    assert (lp.entries, lp.empty) == ([], False)


def _pinned_list(pinned: str, others: tuple[str, ...]) -> ListPage:
    items = f'<li><em class="top">[置顶]</em><a href="/tzgg/0.html">关于春节放假的通知</a><span>{pinned}</span></li>'
    items += "".join(
        f'<li><a href="/tzgg/{i}.html">第{i}期工作简报</a><span>{day}</span></li>' for i, day in enumerate(others, 1)
    )
    html = f'<html><body><h2>通知公告</h2><ul class="list">{items}</ul></body></html>'
    return extract_list(Page(html, f"{HOST}/tzgg/", AS_OF))


def test_a_pinned_items_yearless_date_above_older_items_is_unsure() -> None:
    # [12-28] takes 2015 (the latest year on or before AS_OF); pinned, its place does not confirm it
    lp = _pinned_list("[12-28]", ("[11-30]", "[11-02]", "[10-15]"))
    assert [(e.date, e.pinned, e.year_guessed) for e in lp.entries[:2]] == [
        (date(2015, 12, 28), True, True),
        (date(2015, 11, 30), False, True),
    ]
    assert [e.url for e in lp.unsure_pinned()] == [f"{HOST}/tzgg/0.html"]
    # its article says last year: the list's own newest stands, from the list
    redated = lp.redated({f"{HOST}/tzgg/0.html": date(2014, 12, 28)})
    assert redated.newest == date(2015, 11, 30)
    assert (redated.entries[0].date, redated.entries[0].date_source) == (date(2014, 12, 28), "article")
    assert redated.entries[1:] == lp.entries[1:]
    assert lp.newest == date(2015, 12, 28)  # the list read as shown is unchanged


@pytest.mark.parametrize(
    ("pinned", "others"),
    [
        ("[2015-12-28]", ("[11-30]", "[11-02]")),  # the pinned date is written with its year
        ("[03-01]", ("[11-30]", "[11-02]")),  # older than the items below it whatever its year
        ("[12-28]", ("[2015-12-30]", "[2015-12-29]")),  # newer items below it
    ],
)
def test_a_pinned_item_is_not_unsure_when_the_list_tells(pinned: str, others: tuple[str, ...]) -> None:
    assert _pinned_list(pinned, others).unsure_pinned() == []


def test_a_home_pages_newest_items_with_guessed_years_are_unsure_newest_first() -> None:
    html = (
        '<html><body><div class="block"><h2>图片新闻</h2><ul>'
        '<li><a href="/tpxw/1.html">图片新闻一</a><span>[12-20]</span></li>'
        '<li><a href="/tpxw/2.html">图片新闻二</a><span>[2015-12-10]</span></li></ul></div>'
        '<div class="block"><h2>通知公告</h2><ul>'
        '<li><a href="/tzgg/1.html">通知一</a><span>[12-28]</span></li>'
        '<li><a href="/tpxw/1.html">图片新闻一</a><span>[12-20]</span></li>'
        '<li><a href="/tzgg/2.html">通知二</a><span>[11-30]</span></li></ul></div></body></html>'
    )
    entries = [e for block in extract_blocks(Page(html, f"{HOST}/", AS_OF)) for e in block.entries]
    # newer than the newest date written with its year (2015-12-10), newest first, one per address
    assert [(e.url, e.date) for e in unsure_newest(entries)] == [
        (f"{HOST}/tzgg/1.html", date(2015, 12, 28)),
        (f"{HOST}/tpxw/1.html", date(2015, 12, 20)),
    ]
    written = [ListEntry("有年份", f"{HOST}/a.html", date(2015, 12, 30), "list")]
    assert unsure_newest([*entries, *written]) == []  # a newer date written with its year: nothing rests on a guess
    assert unsure_newest([]) == []
