"""Column discovery, column names, article dates and the category table."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from govsites.extract.columns import (
    CategoryTable,
    ColumnLink,
    article_date,
    column_name,
    discover_columns,
    sitemap_urls,
)
from govsites.extract.links import is_article_url
from govsites.extract.page import Page

PAGES = Path(__file__).resolve().parent / "fixtures" / "pages"
HOST = "http://www.example.gov.cn"

AS_OF = date(2016, 1, 10)  # the evaluation date of pages whose dates play no part


def page(name: str) -> str:
    return (PAGES / name).read_text(encoding="utf-8")


def test_nav_page_columns_and_exclusions() -> None:
    cols = discover_columns(Page(page("nav_page.html"), f"{HOST}/", AS_OF))
    by_name = {c.name: c for c in cols}
    assert by_name["机构概况"] == ColumnLink("机构概况", f"{HOST}/col/col1621001/index.html", "nav")
    for name in (
        "机构职能",
        "领导信息",
        "内设机构",
        "投资运行",
        "发展规划",
        "通知公告",
    ):  # dropdown sub-menus
        assert by_name[name].found_by == "nav"
    assert by_name["内设机构"].url == f"{HOST}/col/col1621013/index.html"  # fragment dropped
    assert by_name["政民互动"].url == f"{HOST}/col/col1621003/index.html"  # name from @title of an image link
    assert by_name["政策法规"] == ColumnLink("政策法规", f"{HOST}/col/col1621007/index.html", "more")
    assert by_name["领导信箱"].found_by == "link"  # https and www. on the same host
    excluded = {
        "首页",
        "设为首页",
        "加入收藏",
        "无障碍",
        "English",
        "RSS",
        "登录",
        "注册",
        "搜索",
        "联系我们",
        "网站地图",
        "浙江省人民政府",
        "来信",
        "返回顶部",
        "附件下载",
        "规划全文",
        "更多>>",
    }
    assert not excluded & set(by_name)
    assert not any("/art/" in c.url for c in cols)  # article links are not columns
    assert len({c.url for c in cols}) == len(cols)
    assert sitemap_urls(Page(page("nav_page.html"), f"{HOST}/", AS_OF)) == [f"{HOST}/col/col1621098/index.html"]


def test_home_page_columns_nav_more_tab() -> None:
    cols = discover_columns(Page(page("home.html"), f"{HOST}/", AS_OF))
    by_url = {c.url: c for c in cols}
    assert by_url[f"{HOST}/zwdt/tzgg/"] == ColumnLink("通知公告", f"{HOST}/zwdt/tzgg/", "more")
    assert by_url[f"{HOST}/zwgk/zcwj/"].found_by == "nav"  # nav wins over the block's more+
    assert by_url[f"{HOST}/zwdt/gzdt/"] == ColumnLink("工作动态", f"{HOST}/zwdt/gzdt/", "tab")
    assert by_url[f"{HOST}/zwdt/bmdt/"] == ColumnLink("部门动态", f"{HOST}/zwdt/bmdt/", "tab")
    assert by_url[f"{HOST}/zjsl/xqgk/"].found_by == "nav"
    assert by_url[f"{HOST}/hdjl/xzxx/"].name == "县长信箱"
    assert f"{HOST}/en/" not in by_url
    assert f"{HOST}/" not in by_url
    assert f"{HOST}/wzdt/" not in by_url
    assert not any("/t2015" in c.url or "/t2016" in c.url for c in cols)
    assert sitemap_urls(Page(page("home.html"), f"{HOST}/", AS_OF)) == [f"{HOST}/wzdt/"]


def test_sitemap_page_entries() -> None:
    cols = discover_columns(Page(page("sitemap.html"), f"{HOST}/wzdt/", AS_OF))
    assert [c.name for c in cols] == [
        "政务公开",
        "政策文件",
        "政策解读",
        "规划计划",
        "互动交流",
        "县长信箱",
        "在线访谈",
    ]
    assert {c.found_by for c in cols} == {"sitemap"}


def test_dedup_keeps_link_text_over_title() -> None:
    html = (
        '<html><body><div class="links"><a href="/zcwj/" title="政策文件栏目"><img src="a.png"></a>'
        '<a href="/zcwj/index.html">政策文件</a></div></body></html>'
    )
    cols = discover_columns(Page(html, f"{HOST}/", AS_OF))
    assert cols == [ColumnLink("政策文件", f"{HOST}/zcwj/", "link")]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://x.gov.cn/zwgk/201512/t20151201_123.html", True),
        ("http://x.gov.cn/art/2015/12/1/art_1621004_30332664.html", True),
        ("http://x.gov.cn/news/content/1234567.html", True),
        ("https://www.gov.cn/home/2016-05/11/content_5046257.htm", True),
        ("http://x.com/main/a/20200709/12323944.shtml", True),
        ("http://x.gov.cn/show.jsp?articleId=10234", True),
        ("http://x.gov.cn/col/col42150/index.html", False),
        ("http://x.gov.cn/zfwj/szfwj/", False),
        ("http://x.gov.cn/zfwj/szfwj/index_1.html", False),
        ("http://hdzfxxgk.hd.gov.cn/gszbm/auto23692/?id=1780/2138", False),
        ("", False),
    ],
)
def test_is_article_url(url: str, expected: bool) -> None:
    assert is_article_url(url) is expected


def test_column_name_meta_then_breadcrumb() -> None:
    assert (
        column_name(Page('<html><head><meta name="ColumnName" content="工作动态"></head></html>', "", AS_OF))
        == "工作动态"
    )
    crumb = (
        '<html><body><div class="wz">当前位置：<a href="/">首页</a> &gt; '
        '<a href="/zw/">政务公开</a> &gt; 通知公告</div></body></html>'
    )
    assert column_name(Page(crumb, "", AS_OF)) == "通知公告"
    crumb2 = (
        '<html><body><div class="loc"><span>您的位置：</span><a href="/">首页</a> &gt; '
        '<a href="/xw/">新闻中心</a> &gt; <a href="/xw/gzdt/">工作动态</a></div></body></html>'
    )
    assert column_name(Page(crumb2, "", AS_OF)) == "工作动态"
    assert column_name(Page("<html><body><p>无</p></body></html>", "", AS_OF)) == ""


def test_article_date_info_line_not_attribute_nor_generation_time() -> None:
    assert article_date(Page(page("article.html"), "", date(2024, 1, 1))) == (date(2015, 12, 3), "info")
    # a date in an attribute is not read: the meta is all there is
    alt = (
        '<html><head><meta name="PubDate" content="2019-09-18 06:23"></head>'
        '<body><img alt="时间：2017-11-08"></body></html>'
    )
    assert article_date(Page(alt, "", date(2020, 1, 1))) == (date(2019, 9, 18), "meta")
    generated = "<html><body><p>页面生成时间：2023-10-23 11:23:36</p></body></html>"
    assert article_date(Page(generated, "", date(2024, 1, 1))) == (None, "")


REGENERATED = '<html><head><meta name="PubDate" content="2023-06-30 18:00"></head><body>{body}</body></html>'


@pytest.mark.parametrize(
    ("url", "body", "expected"),
    [
        # TRS/Hanweb regenerate pages: the visible labelled date wins over the regeneration-time meta
        ("", "<h1>通知</h1><p>时间：2017-11-08</p>", (date(2017, 11, 8), "info")),
        ("", "<h1>通知</h1><p>发布日期：2017年11月8日 来源：县政府办</p>", (date(2017, 11, 8), "info")),
        ("", "<h1>通知</h1><p>日期： 2017/11/08</p>", (date(2017, 11, 8), "info")),
        # no visible date: the URL's date wins over the meta
        ("http://www.a.gov.cn/zwgk/201705/t20170515_123.html", "<h1>通知</h1><p>正文</p>", (date(2017, 5, 15), "url")),
        ("http://www.a.gov.cn/art/2020/9/15/art_12_345.html", "<h1>通知</h1><p>正文</p>", (date(2020, 9, 15), "url")),
        ("http://www.a.gov.cn/xw/2020/9/15/1.html", "<h1>通知</h1><p>正文</p>", (date(2020, 9, 15), "url")),
        ("http://www.a.gov.cn/p/2023-12/01/content_1755244.html", "<h1>通知</h1>", (date(2023, 12, 1), "url")),
        # 页面生成时间 / 更新时间 / 生成日期 are never a publication date: the meta is used
        (
            "",
            "<p>页面生成时间：2024-01-02</p><p>更新时间：2024-01-03</p><p>生成日期：2024-01-04</p>",
            (date(2023, 6, 30), "meta"),
        ),
        # the 招标公告日期 quoted in a 成交公告 is another document's date
        ("", "<h1>成交公告</h1><p>招标公告日期：2023-05-01</p><p>发布时间：2023-06-02</p>", (date(2023, 6, 2), "info")),
        # an unlabelled date alone on its line next to 来源/作者 (kepu.gov.cn)
        (
            "",
            "<h1>标题</h1><p>来源：新华社</p><p>作者：</p><p>2023-06-01 14:43</p><p>正文很长</p>",
            (date(2023, 6, 1), "info"),
        ),
        # a 推荐阅读 box's dates are other documents' dates, even alone on their lines
        ("", "<h1>标题</h1><p>正文</p><h3>推荐阅读</h3><p>另一篇</p><p>2024-05-23</p>", (date(2023, 6, 30), "meta")),
        # a saving browser's clock in a header, alone and far from any info line, is not read
        ("", "<p>2024年1月5日 星期五</p><h1>标题</h1><p>正文</p>" + "<p>正文段落</p>" * 5, (date(2023, 6, 30), "meta")),
    ],
)
def test_article_date_visible_beats_regenerated_meta(url: str, body: str, expected: tuple[date, str]) -> None:
    assert article_date(Page(REGENERATED.format(body=body), url, date(2024, 6, 1))) == expected


def test_category_table_default_rules() -> None:
    table = CategoryTable.default()
    expected = {
        "政策解读": "policy",
        "通知公告": "notice",
        "工作动态": "news",
        "部门预决算": "disclosure",
        "人事信息": "personnel",
        "领导信箱": "interaction",
        "办事指南": "guide",
        "发展规划": "plan",
        "机构职能": "other",
        "政府信息公开年报": "disclosure",
        "招聘信息": "personnel",
        "规范性文件": "policy",
        "公示公告": "notice",
        "在线访谈": "interaction",
        "要闻": "news",
        "": "other",
    }
    assert {name: table.categorize(name) for name in expected} == expected


def test_category_table_load_custom(tmp_path: Path) -> None:
    path = tmp_path / "cats.csv"
    path.write_text("category,keywords\nnews,动态|要闻\nnotice,通知\n", encoding="utf-8")
    table = CategoryTable.load(path)
    assert table.categorize("通知动态") == "news"  # first matching rule wins
    assert table.categorize("通知") == "notice"
    assert table.categorize("其他") == "other"


# --- v2 fixtures -------------------------------------------------------------------------------------------


def test_v2_county_home_menus() -> None:
    host = "http://www.sl.gov.cn"
    cols = discover_columns(Page(page("v2_county_home.html"), f"{host}/", AS_OF))
    by_name = {c.name: c for c in cols}
    expected = {
        "走进示例": "/zjsl/index.html",  # <td><a> table menu, target=_blank
        "政务公开": "/zwgk/index.html",  # absolute same-host URL
        "办事服务": "/bsfw/",  # image link, name from alt
        "互动交流": "/hdjl/",  # image link, name from img@title
        "新闻中心": "/xwzx/",  # <span>新闻</span><span>中心</span>
        "信息公开": "/zfxxgk/",  # English subtitle dropped
        "今日要闻": "/zwdt/jryw/",  # ul.sub under a javascript:void(0) parent
        "县政府文件": "/zcwj/xzfwj/",  # dl > dd dropdown
        "人事信息": "/zwgk/rsxx/",
        "财政资金": "/zwgk/czzj/",  # <select> column jump
        "乡镇动态": "/zwdt/xzdt/",  # hidden tab panel's more+
        "部门动态": "/zwdt/bmdt/",
        "县长信箱": "/hdjl/xzxx/",
    }
    for name, path in expected.items():
        assert by_name[name].url == host + path, name
    assert by_name["今日要闻"].found_by == "nav"
    assert not {"首页", "专题专栏", "RSS", "中国政府网", "网站地图"} & set(by_name)
    assert all(c.url.startswith(host) for c in cols)


def test_v2_sitemap_tree() -> None:
    cols = discover_columns(Page(page("v2_sitemap_tree.html"), "http://www.sl.gov.cn/wzdt/", AS_OF))
    assert [(c.name, c.url.removeprefix("http://www.sl.gov.cn")) for c in cols] == [
        ("政务公开", "/zwgk/"),
        ("通知公告", "/zwgk/tzgg/"),
        ("人事信息", "/zwgk/rsxx/"),
        ("今日要闻", "/zwdt/jryw/"),
        ("乡镇动态", "/zwdt/jryw/xzdt/"),
        ("县长信箱", "/hdjl/xzxx/"),
    ]
    assert {c.found_by for c in cols} == {"sitemap"}


def test_v2_article_dates_info_line_and_compact_meta() -> None:
    as_of = date(2016, 1, 10)
    assert article_date(Page(page("v2_article_info_line.html"), "", as_of)) == (date(2015, 12, 1), "info")
    # the visible (spaced) label wins over the meta; without it the compact meta 20151201 is read
    assert article_date(Page(page("v2_article_spaced_label.html"), "", as_of)) == (date(2015, 12, 2), "info")
    unlabelled = page("v2_article_spaced_label.html").replace("发 布 时 间：2015-12-02", "")
    assert article_date(Page(unlabelled, "", as_of)) == (date(2015, 12, 1), "meta")
    spaced = page("v2_article_spaced_label.html").replace('<meta name="PubDate" content="20151201">', "")
    assert article_date(Page(spaced, "", as_of)) == (date(2015, 12, 2), "info")
