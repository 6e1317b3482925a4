"""Real saved pages from ../shared/real-pages (skipped in a user's clone).

Expected values were verified by reading the pages: hd index blocks (近期信息公开 13 items, newest
2020-08-02; tabs 市政府文件 12/2020-07-29, 市政府办公室文件 12/2020-07-27, 市政府令 12/2020-01-23,
修订废止 12/2020-04-24, three of them display:none); Gerapy lists hrfund 10 items/2020-04-30 (<i>),
hsqhfunds 20 items/2020-07-02 (nested spans), rtfund 15 items/2020-07-09 (date before title, trailing space).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from govsites.extract.columns import article_date, column_name, discover_columns
from govsites.extract.dates import find_dates
from govsites.extract.listing import extract_blocks, extract_list
from govsites.extract.page import Page
from govsites.extract.text import decode_body, visible_text

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
REAL = SHARED / "real-pages"

pytestmark = pytest.mark.shared


def real(*parts: str) -> Path:
    path = REAL.joinpath(*parts)
    if not path.exists():
        pytest.skip("../shared/ not present (a user's clone): real-page test skipped")
    return path


def jsp(name: str) -> str:
    text = real("kevin3691__renmin", name).read_text(encoding="utf-8")
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith(("<%", "<jsp:")))


HD = "http://hdzfxxgk.hd.gov.cn/"
AS_OF_2020 = date(2020, 8, 10)


def test_hd_index_blocks_including_hidden_tabs() -> None:
    blocks = extract_blocks(Page(jsp("hd_gov_cn_xxgk_index.jsp.html"), HD, AS_OF_2020))
    summary = {b.name: (len(b.entries), max(e.date for e in b.entries if e.date), b.hidden) for b in blocks}
    assert summary == {
        "近期信息公开": (13, date(2020, 8, 2), False),
        "市政府文件": (12, date(2020, 7, 29), False),
        "市政府办公室文件": (12, date(2020, 7, 27), True),
        "市政府令": (12, date(2020, 1, 23), True),
        "修订废止": (12, date(2020, 4, 24), True),
    }
    assert sum(len(b.entries) for b in blocks) == 61
    by_name = {b.name: b for b in blocks}
    assert by_name["近期信息公开"].more_url == "http://hdzfxxgk.hd.gov.cn/zfwj/jinqixxgk/"
    assert by_name["市政府令"].more_url == "http://hdzfxxgk.hd.gov.cn/zfwj/szfl/"
    first = by_name["近期信息公开"].entries[0]
    assert first.url == "http://hdzfxxgk.hd.gov.cn/gszbm/auto23716/202008/t20200802_1352104.html"
    assert first.title == "邯郸市教育局关于印发《全市教育系统安全专项整治三年行动实施方案》的通知"
    assert first.date_source == "list"


def test_hd_index_as_list_and_columns() -> None:
    html = jsp("hd_gov_cn_xxgk_index.jsp.html")
    lp = extract_list(Page(html, HD, AS_OF_2020))
    assert len(lp.entries) == 13
    assert lp.newest == date(2020, 8, 2)
    assert lp.column_name == "邯郸市政府信息公开"
    cols = {c.url: c for c in discover_columns(Page(html, HD, AS_OF_2020))}
    assert cols["http://hdzfxxgk.hd.gov.cn/zfwj/jinqixxgk/"].name == "近期信息公开"
    assert cols["http://hdzfxxgk.hd.gov.cn/zfwj/szfl/"].found_by == "tab"
    assert cols["http://hdzfxxgk.hd.gov.cn/zfwj/szfl/"].name == "市政府令"
    assert "http://hdzfxxgk.hd.gov.cn/zfxxgkzn/" in cols
    assert not any("/t2020" in url or ("hd.gov.cn/" in url and "hdzfxxgk" not in url) for url in cols)


def test_hd_list_table_row_and_count_page() -> None:
    url = "http://hdzfxxgk.hd.gov.cn/zfwj/jinqixxgk/"
    lp = extract_list(Page(jsp("hd_gov_cn_xxgk_list.jsp.html"), url, AS_OF_2020))
    assert len(lp.entries) == 1
    entry = lp.entries[0]
    assert entry.date == date(2020, 8, 5)
    assert entry.date_source == "list"
    assert entry.url == "http://hdzfxxgk.hd.gov.cn/gszbm/auto23716/202008/t20200805_1353179.html"
    assert entry.title == "邯郸市教育局关于印发《邯郸市学校安全工作目标管理考核办法》的通知"
    assert lp.next_pages == [f"{url}index_{k}.html" for k in range(1, 6)]  # countPage=56
    assert lp.empty is False
    assert (
        column_name(Page(jsp("hd_gov_cn_xxgk_list.jsp.html"), "", AS_OF_2020)) == "邯郸市政府信息公开"
    )  # meta before breadcrumb


def test_hd_details_article() -> None:
    html = jsp("hd_gov_cn_xxgk_details.jsp.html")
    assert article_date(Page(html, "", AS_OF_2020)) == (date(2020, 8, 2), "info")
    url = "http://hdzfxxgk.hd.gov.cn/gszbm/auto23716/202008/t20200802_1352104.html"
    lp = extract_list(Page(html, url, AS_OF_2020))
    assert lp.entries == []
    assert lp.empty is False


def test_hd_gkzn_directory_page() -> None:
    html = jsp("hd_gov_cn_xxgk_gkzn.jsp.html")
    url = "http://hdzfxxgk.hd.gov.cn/zfxxgkzn/"
    cols = discover_columns(Page(html, url, AS_OF_2020))
    names = {c.name for c in cols}
    assert len(cols) >= 60
    assert {
        "政府信息公开制度",
        "法定主动公开内容",
        "机构职责",
        "规划计划",
        "应急管理",
        "市教育局",
        "市财政局",
    } <= names
    assert all(c.url.startswith("http://hdzfxxgk.hd.gov.cn/") for c in cols)  # internal only
    assert url not in {c.url for c in cols}
    assert "网站首页" not in names
    assert "联系我们" not in names
    lp = extract_list(Page(html, url, AS_OF_2020))
    assert lp.entries == []
    assert lp.newest is None
    assert lp.column_name == "政府信息公开指南"


def test_shanxi_article_date_ignores_alt_attribute() -> None:
    html = real("GeneralNewsExtractor__GeneralNewsExtractor", "shanxi_1.html").read_text(encoding="utf-8")
    assert article_date(Page(html, "", date(2020, 1, 1))) == (date(2019, 9, 18), "info")
    no_meta = html.replace('name="PubDate"', 'name="x-removed"')
    assert article_date(Page(no_meta, "", date(2020, 1, 1))) == (date(2019, 9, 18), "info")  # not the alt 2017-11-08
    assert column_name(Page(html, "", AS_OF_2020)) == "山西要闻"
    lp = extract_list(Page(html, "http://www.shanxi.gov.cn/yw/sxyw/201909/t20190918_693227.shtml", date(2020, 1, 1)))
    assert lp.entries == []
    assert lp.next_pages == []  # createPageHTML(1, ...) is a single page


def test_gov_cn_first_published_time_not_generation_time() -> None:
    html = real("GeneralNewsExtractor__GeneralNewsExtractor", "other_1.html").read_text(encoding="utf-8")
    assert article_date(Page(html, "", date(2024, 1, 1))) == (date(2007, 8, 20), "meta")


def test_hanweb_article_date() -> None:
    html = real("GeneralNewsExtractor__GeneralNewsExtractor", "gzggw_1.html").read_text(encoding="utf-8")
    assert article_date(Page(html, "", date(2017, 1, 1))) == (date(2016, 11, 22), "info")
    assert column_name(Page(html, "", AS_OF_2020)) == "投资运行"


@pytest.mark.parametrize(
    ("name", "count", "newest", "first_title"),
    [
        (
            "hrfund_announcement.html",
            10,
            date(2020, 4, 30),
            "华融基金管理有限公司关于旗下基金参加南京苏宁基金销售有限公司申购补差费费率优惠活动的公告",
        ),
        (
            "hsqhfunds_announcement.html",
            20,
            date(2020, 7, 2),
            "恒生前海沪深港通细分行业龙头指数证券投资基金开放日常申购、赎回、转换及定投业务的...",
        ),
        (
            "rtfund_xxpl.html",
            15,
            date(2020, 7, 9),
            "融通关于旗下部分开放式基金新增华瑞保险销售有限公司为销售机构并参加其费率优惠活动的公告",
        ),
    ],
)
def test_gerapy_lists(name: str, count: int, newest: date, first_title: str) -> None:
    html = real("Gerapy__GerapyAutoExtractor", name).read_text(encoding="utf-8")
    lp = extract_list(Page(html, "http://www.example.com/news/list.html", AS_OF_2020))
    assert len(lp.entries) == count
    assert lp.newest == newest
    assert lp.entries[0].title == first_title
    assert all(e.date is not None and e.date_source == "list" for e in lp.entries)


def test_hsqhfunds_title_date_is_not_the_item_date() -> None:
    html = real("Gerapy__GerapyAutoExtractor", "hsqhfunds_announcement.html").read_text(encoding="utf-8")
    lp = extract_list(Page(html, "http://www.example.com/news/list.html", AS_OF_2020))
    second = lp.entries[1]
    assert second.title == "恒生前海基金管理有限公司2020年6月30日基金净值公告"
    assert second.date == date(2020, 7, 1)


@pytest.mark.parametrize(
    ("name", "word"),
    [("hd_gov_cn_xxgk_index.gbk.html", "邯郸"), ("shanxi_1.gb2312.html", "山西")],
)
def test_derived_gb_pages_decode_without_mojibake(name: str, word: str) -> None:
    body = real("derived", name).read_bytes()
    for header in (None, "gbk", "GB2312", "utf-8", "ISO-8859-1"):
        text, encoding = decode_body(body, header)
        assert encoding == "gb18030"
        assert word in text
        assert "\ufffd" not in text
        assert "閭" not in text
        assert "锟斤拷" not in text


def test_derived_gbk_index_gives_same_blocks() -> None:
    text, _ = decode_body(real("derived", "hd_gov_cn_xxgk_index.gbk.html").read_bytes())
    text = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith(("<%", "<jsp:")))
    blocks = extract_blocks(Page(text, HD, AS_OF_2020))
    assert [b.name for b in blocks] == [
        "近期信息公开",
        "市政府文件",
        "市政府办公室文件",
        "市政府令",
        "修订废止",
    ]


def test_nfra_rendered_dom_dates() -> None:
    html = real("Yuhamixli__nfra.gov.cn", "nfra_page_source_debug.html").read_text(encoding="utf-8")
    as_of = date(2025, 5, 1)
    assert article_date(Page(html, "", as_of)) == (date(2024, 7, 12), "info")
    text = visible_text(html)
    lines = [line for line in text.split("\n") if line.startswith("留言时间")]
    assert [find_dates(line, as_of)[0] for line in lines] == [
        date(2025, 4, 27),
        date(2025, 4, 27),
        date(2025, 4, 16),
        date(2025, 3, 18),
    ]
    lp = extract_list(Page(html, "https://www.nfra.gov.cn/cn/view/pages/ItemDetail.html?docId=1", as_of))
    assert lp.entries == []
    assert lp.column_name == "总局机关"
