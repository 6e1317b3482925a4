"""办事指南 pages: element labels with content (table, <strong>, headings, "label：" lines, <dl>), synonyms,
empty and 无 contents, the forms a guide offers, the demo web's guides against expected.json, and never
raising on any HTML."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govsites.demo.expected import load_expected
from govsites.demo.sites import SITES, SiteApp
from govsites.extract.guides import (
    ELEMENT_SYNONYMS,
    GUIDE_ELEMENTS,
    guide_elements,
    guide_forms,
    is_guide_page,
)
from govsites.extract.page import Page

PAGES = Path(__file__).parent / "fixtures" / "pages"
URL = "http://www.example.gov.cn/bszn/a/1.html"

AS_OF = date(2016, 1, 10)  # guides read no dates


def page(name: str) -> str:
    return (PAGES / name).read_text(encoding="utf-8")


def test_elements_and_synonyms_are_as_documented() -> None:
    assert GUIDE_ELEMENTS == (
        "事项名称",
        "设定依据",
        "申请条件",
        "办理材料",
        "办理地点",
        "办理时间",
        "联系电话",
        "办理流程",
    )
    assert set(ELEMENT_SYNONYMS) == set(GUIDE_ELEMENTS)
    assert {"法律依据", "办理依据", "政策依据"} <= set(ELEMENT_SYNONYMS["设定依据"])
    assert {"申请材料", "申报材料", "所需材料", "提交材料"} <= set(ELEMENT_SYNONYMS["办理材料"])
    assert {"咨询电话", "联系方式", "监督电话"} <= set(ELEMENT_SYNONYMS["联系电话"])
    assert {"办事流程", "办理程序", "流程图"} <= set(ELEMENT_SYNONYMS["办理流程"])


def test_table_guide_empty_cell_and_wu_are_missing() -> None:
    html = page("guide_table.html")
    assert is_guide_page(Page(html, URL, AS_OF))
    assert guide_elements(Page(html, "", AS_OF)) == (
        ["事项名称", "设定依据", "申请条件", "办理材料", "办理时间"],
        ["办理地点", "联系电话", "办理流程"],
    )
    assert guide_forms(Page(html, URL, AS_OF)) == []  # the 表格下载 nav link is a column, not a form


def test_strong_labels_synonyms_heading_blocks_and_forms() -> None:
    html = page("guide_strong.html")
    assert is_guide_page(Page(html, URL, AS_OF))
    assert guide_elements(Page(html, "", AS_OF)) == (
        ["事项名称", "设定依据", "申请条件", "办理材料", "办理地点", "联系电话", "办理流程"],
        ["办理时间"],  # 办公时间：暂无
    )
    assert guide_forms(Page(html, URL, AS_OF)) == [
        "http://www.example.gov.cn/uploads/files/建设工程规划许可申请表.xls",
        "http://www.example.gov.cn/bszn/files/承诺书.docx",
        "http://www.example.gov.cn/module/download/downfile.jsp?classid=0&filename=1507231.pdf",
        "http://www.example.gov.cn/bm/getFile?id=77",
    ]


def test_numbered_lines_and_dl() -> None:
    html = page("guide_lines.html")
    assert is_guide_page(Page(html, URL, AS_OF))  # no 指南 in the title, but >= 3 labels
    assert guide_elements(Page(html, "", AS_OF)) == (
        ["事项名称", "办理地点", "办理时间", "联系电话"],
        ["设定依据", "申请条件", "办理材料", "办理流程"],
    )


def test_custom_element_list() -> None:
    html = page("guide_strong.html")
    assert guide_elements(Page(html, "", AS_OF), ("办理地点", "收费标准")) == (["办理地点"], ["收费标准"])


@pytest.mark.parametrize("name", ["article.html", "trs_list.html", "table_list.html", "home.html", "nav_page.html"])
def test_other_pages_are_not_guides(name: str) -> None:
    html = page(name)
    assert not is_guide_page(Page(html, URL, AS_OF))
    assert guide_elements(Page(html, "", AS_OF)) == ([], list(GUIDE_ELEMENTS))


def test_a_guide_column_list_is_not_a_guide() -> None:
    html = (
        "<html><head><title>办事指南_某县人民政府</title></head><body><h2>办事指南</h2><ul>"
        '<li><a href="/bszn/1.htm">城乡居民最低生活保障申请办事指南</a><span>2015-01-02</span></li>'
        '<li><a href="/bszn/2.htm">个体工商户设立登记办事指南</a><span>2015-01-03</span></li></ul></body></html>'
    )
    assert not is_guide_page(Page(html, URL, AS_OF))


def test_a_label_inside_prose_does_not_count() -> None:
    html = (
        "<html><body><p>本局进一步规范了办理材料和办理流程，并公布了联系电话，方便群众办事。</p>"
        "<h2>关于规范办事流程的通知</h2></body></html>"
    )
    assert guide_elements(Page(html, "", AS_OF))[0] == []


# ---- the demo web: every guide page agrees with expected.json ---------------------------------------------
@pytest.mark.parametrize("site", [s for s in SITES if not s.down], ids=lambda s: s.site_id)
def test_demo_guides_match_expected(site) -> None:  # type: ignore[no-untyped-def]
    netloc = "127.0.0.99:8341"
    app = SiteApp(site, netloc)
    expected = load_expected()["sites"][site.site_id]
    found = []
    forms = 0
    for path, served in app.pages.items():
        if served.status != 200 or not served.content_type.startswith("text/html"):
            continue
        html = served.body.decode(site.encoding)
        if is_guide_page(Page(html, f"http://{netloc}{path}", AS_OF)):
            found.append({"path": path, "missing": guide_elements(Page(html, "", AS_OF))[1]})
            forms += len(guide_forms(Page(html, f"http://{netloc}{path}", AS_OF)))
    assert sorted(found, key=lambda g: g["path"]) == sorted(expected["guides"], key=lambda g: g["path"])
    assert expected["guides_checked"] == len(found)
    assert expected["guides_missing_4"] == sum(1 for g in found if len(g["missing"]) >= 4)
    want_forms = sum(len(it.attachments) for c in site.columns for it in c.all_items() if it.guide)
    assert forms == want_forms


def test_demo_guide_numbers() -> None:
    sites = load_expected()["sites"]
    assert sites["syj"]["guides_missing_4"] == 2
    assert sites["xunyang"]["guides_missing_4"] == 0
    assert all(g["missing"] == [] for g in sites["xunyang"]["guides"])
    # fgw's 表格下载 form is missing on the server: a broken link like any other
    assert any("%E5%A4%87%E6%A1%88%E7%94%B3%E8%AF%B7%E8%A1%A8.doc" in b for b in sites["fgw"]["broken"])


# ---- never raises ---------------------------------------------------------------------------------------
_HTML_BITS = st.sampled_from(
    [
        "<table>",
        "</table>",
        "<tr>",
        "</tr>",
        "<th>设定依据</th>",
        "<td>",
        "</td>",
        "<td>无</td>",
        "<strong>",
        "</strong>",
        "办理材料：",
        "一、",
        "<dl><dt>办理时间</dt><dd>",
        "</dd></dl>",
        "<h3>办理流程</h3>",
        "<p>",
        "</p>",
        "<a href='/f.doc'>",
        "<a href='javascript:void(0)'>表格下载",
        "</a>",
        "<base href='::'>",
        "\x00",
        "<",
        ">",
    ]
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(_HTML_BITS, st.text(max_size=12)), max_size=30), st.text(max_size=30))
def test_never_raises(parts: list[str], url: str) -> None:
    html = "".join(parts)
    present, missing = guide_elements(Page(html, "", AS_OF))
    assert sorted(present + missing) == sorted(GUIDE_ELEMENTS)
    assert isinstance(is_guide_page(Page(html, url, AS_OF)), bool)
    assert all(isinstance(u, str) and u.startswith("http") for u in guide_forms(Page(html, url, AS_OF)))
