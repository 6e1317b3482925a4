"""scores.xlsx read back with openpyxl (and as raw XML where openpyxl's reader drops things, like charts)."""

from __future__ import annotations

import csv
import re
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook
from test_scoring import AS_OF, FORMULA_TITLE, LABEL, Fixture, build_store

from scoring import EvaluationOptions, evaluate, score_run
from scoring.report import METRIC_COLS, SHEETS, write_workbook
from scoring.vocabulary import OUTPUT_COLUMNS

SHEET_ORDER = [
    "总览",
    "分组排名",
    "指标明细",
    "栏目明细",
    "链接明细",
    "错别字明细",
    "互动回应",
    "办事服务",
    "重点领域",
    "问题清单",
    "评分规则",
    "整改跟踪",
    "复核记录",
    "内容安全",
    "网站功能",
    "预警",
]


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> tuple[Fixture, Workbook]:
    fx = build_store(tmp_path_factory.mktemp("report"))
    score_run(EvaluationOptions(fx.db, fx.sites), fx.out)
    return fx, load_workbook(fx.out / "scores.xlsx")


def _header(ws: Any) -> list[str]:
    return [c.value for c in ws[1]]


def _rows(ws: Any) -> list[dict[str, Any]]:
    head = _header(ws)
    return [dict(zip(head, (c.value for c in row), strict=True)) for row in ws.iter_rows(min_row=2)]


def test_sheet_names_and_every_metric_has_a_header(book: tuple[Fixture, Workbook]) -> None:
    _, wb = book
    assert wb.sheetnames == SHEET_ORDER == list(SHEETS.values())
    keys = {c.key for c in METRIC_COLS}
    assert set(OUTPUT_COLUMNS) - {"group", "score"} <= keys  # group by its Chinese label, score as in 分组排名
    assert "score_cell" in keys
    assert _header(wb["指标明细"])[:4] == ["站点标识", "单位名称", "分组", "所属县区"]
    metrics = {r["单位名称"]: r for r in _rows(wb["指标明细"])}
    assert metrics["紫阳县人民政府"]["得分"] == "否决"  # a vetoed site's score reads 否决 in every sheet
    assert metrics["恒口示范区管委会"]["得分"] == "未评估"
    assert metrics["旬阳县人民政府"]["得分"] == 100


@pytest.mark.parametrize("sheet", ["分组排名", "指标明细", "栏目明细", "链接明细", "错别字明细"])
def test_detail_sheets_frozen_and_filtered(book: tuple[Fixture, Workbook], sheet: str) -> None:
    _, wb = book
    ws = wb[sheet]
    assert ws.freeze_panes == ("D2" if sheet == "分组排名" else "A2")  # 分组排名 keeps 单位名称 in view
    assert ws.auto_filter.ref == f"A1:{ws.cell(1, ws.max_column).column_letter}{ws.max_row}"
    assert all(isinstance(v, str) and v for v in _header(ws))
    assert ws.column_dimensions["A"].width >= 8


def test_ranking_sheet(book: tuple[Fixture, Workbook]) -> None:
    _, wb = book
    ws = wb["分组排名"]
    assert _header(ws) == [
        "分组",
        "排名",
        "单位名称",
        "所属县区",
        "得分",
        "结论",
        "否决原因",
        "优秀网站",
        "未评估原因",
        "评估范围",
    ]
    rows = _rows(ws)
    order = [(r["分组"], r["排名"], r["单位名称"]) for r in rows]
    # passing sites first, vetoed sites after them (sharing the last place), unevaluated sites unranked
    assert order[:4] == [
        ("县区组", 1, "旬阳县人民政府"),
        ("县区组", 2, "石泉县人民政府"),
        ("县区组", 2, "紫阳县人民政府"),
        ("县区组", None, "恒口示范区管委会"),
    ]
    assert order[4:] == [
        ("政府机构组", 1, "安康市工业和信息化局"),
        ("政府机构组", 2, "安康市发展和改革委员会"),
        ("政府机构组", 2, "安康市国土资源局"),
        ("政府机构组", None, "安康市盐务局"),
    ]
    by_name = {r["单位名称"]: r for r in rows}
    assert by_name["旬阳县人民政府"]["优秀网站"] == "是"
    assert by_name["旬阳县人民政府"]["得分"] == 100
    assert by_name["紫阳县人民政府"]["否决原因"] == "首页无法访问（1/3次探测失败）；首页21天未更新"
    # a vetoed site shows 否决, never a deduction score; an unevaluated one says why
    assert by_name["紫阳县人民政府"]["得分"] == "否决"
    assert by_name["安康市国土资源局"]["得分"] == "否决"
    assert by_name["恒口示范区管委会"]["结论"] == "未评估"
    assert by_name["恒口示范区管委会"]["得分"] == "未评估"
    assert by_name["恒口示范区管委会"]["未评估原因"] == "登记表中无网址"
    assert by_name["安康市盐务局"]["结论"] == "未评估"
    assert by_name["安康市盐务局"]["未评估原因"] == "未检测（本次运行未抓取）"
    assert by_name["旬阳县人民政府"]["未评估原因"] in ("", None)
    for i, row in enumerate(rows, start=2):
        fill = ws.cell(i, 1).fill.fgColor.rgb
        assert fill.endswith("FFC7CE") == (row["结论"] == "不合格"), row
    assert ws.cell(2, 5).number_format == "0.0"


def test_formula_like_text_stays_text(book: tuple[Fixture, Workbook]) -> None:
    fx, wb = book
    anchors = [c for c in wb["链接明细"]["D"] if c.value == FORMULA_TITLE]
    assert anchors
    assert all(c.data_type == "s" for c in anchors)
    names = [c for c in wb["栏目明细"]["C"] if c.value == "=1+1"]
    assert names
    assert names[0].data_type == "s"
    with zipfile.ZipFile(fx.out / "scores.xlsx") as zf:
        sheets = [n for n in zf.namelist() if n.startswith("xl/worksheets/sheet")]
        assert sheets
        assert not any(re.search(rb"<f[ >]", zf.read(n)) for n in sheets), "no formula anywhere"


def test_links_sheet_hyperlinks(book: tuple[Fixture, Workbook]) -> None:
    _, wb = book
    ws = wb["链接明细"]
    head = _header(ws)
    assert head[:9] == [
        "站点标识",
        "单位名称",
        "所在页面",
        "链接文字",
        "链接地址",
        "标签",
        "检测结果",
        "技术细节",
        "不可用",
    ]
    row = next(r for r in ws.iter_rows(min_row=2) if r[4].value == "http://shiquan.example.gov.cn/missing.html")
    assert row[4].hyperlink is not None
    assert row[4].hyperlink.target == row[4].value
    assert row[2].hyperlink is not None
    assert row[2].hyperlink.target == row[2].value
    statuses = {r["链接地址"]: (r["检测结果"], r["不可用"]) for r in _rows(ws)}
    assert statuses["http://gongxin.example.gov.cn/never-checked.html"] == ("未检测", "否")
    assert statuses["http://x/"] == ("域名无法解析", "是")
    # working links stay in links.csv only: the sheet lists what an analyst acts on
    assert all(
        broken == "是" or status in ("未检测", "被拦截", "未检测（内网地址）") for status, broken in statuses.values()
    )


def test_columns_and_typos_sheets(book: tuple[Fixture, Workbook]) -> None:
    _, wb = book
    cols = {(r["站点标识"], r["栏目名称"]): r for r in _rows(wb["栏目明细"])}
    stale = cols[("guotu", "通知公告")]
    assert stale["状态"] == "未更新"
    assert stale["栏目类别"] == "通知公告"
    assert stale["最新日期"] == datetime(2015, 6, 29)
    assert cols[("shiquan", "空栏目0")]["状态"] == "空白"
    typos = _rows(wb["错别字明细"])
    assert {t["错误"] for t in typos} == {"攻府", "秸杆"}
    assert any(t["上下文"] == "另一处攻府" and t["严重程度"] == "严重" for t in typos)


def test_overview_sheet_and_chart(book: tuple[Fixture, Workbook]) -> None:
    fx, wb = book
    ws = wb["总览"]
    values = [[c.value for c in row] for row in ws.iter_rows()]
    flat = [v for row in values for v in row if v is not None]
    assert AS_OF in flat
    assert LABEL in flat
    header_row = next(i for i, row in enumerate(values) if row[:2] == ["分组", "参评网站数"])
    county, agency = values[header_row + 1], values[header_row + 2]
    assert county[:5] == ["县区组", 3, 1, 2, pytest.approx(0.3333)]
    assert agency[:5] == ["政府机构组", 3, 1, 2, pytest.approx(0.3333)]  # 盐务局 untested: not counted
    total = values[header_row + 3]
    assert total[:5] == ["全市合计", 6, 2, 4, pytest.approx(0.3333)]
    # scores only over the sites with one (vetoed sites have none): the two passing sites
    assert (county[5], agency[5], total[5]) == (100, 98.5, 99.2)
    assert county[9] == "旬阳县人民政府"
    assert agency[9] == "安康市工业和信息化局"
    assert ws.cell(header_row + 2, 5).number_format == "0.0%"
    assert any("互动回应差" in str(v) for v in flat)  # placeholder veto item noted
    with zipfile.ZipFile(fx.out / "scores.xlsx") as zf:
        names = zf.namelist()
        assert "xl/charts/chart1.xml" in names
        rels = zf.read("xl/worksheets/_rels/sheet1.xml.rels").decode()
        assert "drawing" in rels
        chart = zf.read("xl/charts/chart1.xml").decode()
        assert "barChart" in chart
        assert "总览" in chart


def test_rubric_sheet(book: tuple[Fixture, Workbook]) -> None:
    _, wb = book
    flat = [c.value for row in wb["评分规则"].iter_rows() for c in row if c.value is not None]
    assert "单项否决" in flat
    assert "扣分项（得分 = 100 − 各项扣分之和，每项不超过上限）" in flat
    assert "空白栏目{n}个" in flat
    assert "互动回应差：{n}封信件超过3个月未回复" in flat
    assert flat.count("已确认") >= 6
    assert flat.count("未确认") >= 8


def test_truncates_long_sheets_with_a_note(tmp_path: Path) -> None:
    fx = build_store(tmp_path)
    score_run(EvaluationOptions(fx.db, fx.sites), fx.out, max_rows=4, max_links=2)
    wb = load_workbook(fx.out / "scores.xlsx")
    with (fx.out / "links.csv").open(encoding="utf-8") as f:
        shown = sum(1 for r in csv.DictReader(f) if r["broken"] == "true" or r["status"] == "unchecked")
    assert shown > 3
    assert wb["链接明细"].max_row == 4  # header + 3 of the listed (broken or unchecked) link rows
    notes = [str(c.value) for row in wb["总览"].iter_rows() for c in row if c.value]
    assert any(n.startswith(f"链接明细共 {shown} 行，超出 Excel 行数上限，表中只列前 3 行") for n in notes)
    assert any(n.startswith(f"链接明细仅列出失效或被拦截的链接出现 {shown} 处；全部 6 处") for n in notes)
    assert any(n.startswith("链接明细共有网址") for n in notes)
    linked = [c for row in wb["链接明细"].iter_rows(min_row=2) for c in row if c.hyperlink is not None]
    assert 2 <= len(linked) <= 4  # the budget stops hyperlinks after the row that spends it
    assert all(isinstance(c.value, str) for row in wb["链接明细"].iter_rows(min_row=2) for c in row[2:5])
    assert len((fx.out / "links.csv").read_text(encoding="utf-8").splitlines()) == 7  # the CSV keeps every row


def test_workbook_is_written_from_an_evaluation_that_writes_nothing(
    book: tuple[Fixture, Workbook], tmp_path: Path
) -> None:
    """evaluate() reads and computes only; write_workbook(path, evaluation) gives the stage's workbook."""
    fx, wb = book
    before = sorted(p.name for p in fx.db.parent.rglob("*"))
    ev = evaluate(EvaluationOptions(fx.db, fx.sites))
    assert sorted(p.name for p in fx.db.parent.rglob("*")) == before
    assert ev.run.label == LABEL
    assert ev.as_of.isoformat() == AS_OF
    assert list(ev.metrics.columns) == list(OUTPUT_COLUMNS)
    again = load_workbook(write_workbook(tmp_path / "again.xlsx", ev))
    assert again.sheetnames == wb.sheetnames
    for title in wb.sheetnames:
        cells = [[c.value for c in row] for row in again[title].iter_rows()]
        assert cells == [[c.value for c in row] for row in wb[title].iter_rows()], title


def test_rubric_sheet_names_the_rule_file_without_this_machines_folders(book: tuple[Fixture, Workbook]) -> None:
    _, wb = book
    ws = wb[SHEETS["rubric"]]
    values = {row[0]: row[1] for row in ws.iter_rows(values_only=True) if row and row[0]}
    assert values["规则文件"] == "data/rubric/census2015.toml"
    every = [str(v) for row in ws.iter_rows(values_only=True) for v in row if v is not None]
    assert not [v for v in every if str(Path(__file__).resolve().parents[1]) in v]


def test_every_sheet_prints(book: tuple[Fixture, Workbook]) -> None:
    """A4 landscape, one page wide, a header with the sheet name and page numbers; table sheets repeat row 1."""
    _, wb = book
    for ws in wb.worksheets:
        assert ws.page_setup.paperSize in (9, "9"), ws.title
        assert ws.page_setup.orientation == "landscape", ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert (int(ws.page_setup.fitToWidth), int(ws.page_setup.fitToHeight)) == (1, 0), ws.title
        assert ws.oddHeader.center.text == "&A", ws.title
        assert ws.oddFooter.center.text == "第 &P 页，共 &N 页", ws.title
    for title in ("分组排名", "指标明细", "栏目明细", "链接明细", "错别字明细", "问题清单"):
        assert wb[title].print_title_rows == "$1:$1", title


def test_overview_score_chart_leaves_out_vetoed(book: tuple[Fixture, Workbook]) -> None:
    fx, wb = book
    values = [[c.value for c in row] for row in wb["总览"].iter_rows()]
    start = next(i for i, row in enumerate(values) if str(row[0]).startswith("各网站得分"))
    assert "6 个网站无得分" in values[start][0]  # 4 vetoed + 2 未评估
    table = values[start + 1 : start + 4]
    assert table[0][:3] == ["网站", "得分", "合格线"]
    assert [r[1] for r in table[1:]] == [100, 98.5]  # rank order, only sites with a score
    with zipfile.ZipFile(fx.out / "scores.xlsx") as zf:
        charts = [zf.read(n).decode() for n in zf.namelist() if n.startswith("xl/charts/chart")]
    assert any("<lineChart>" in c and "<barChart>" in c and "各网站得分" in c for c in charts)  # bars + pass mark


#: headers of the columns a person reads as a status, a reason, a state or a way of finding
CODED_HEADERS = ("状态", "检测结果", "发现方式", "整改状态", "问题类型", "结论", "评估状态", "未评估原因", "得分")


def test_no_english_code_in_status_columns(book: tuple[Fixture, Workbook]) -> None:
    """Every sheet read back: no cell under a status/reason header holds an ASCII word (an English code)."""
    _, wb = book
    seen = 0
    for ws in wb.worksheets:
        coded: dict[int, str] = {}
        for row in ws.iter_rows():
            values = [c.value for c in row]
            if any(v in CODED_HEADERS for v in values):
                coded = {i: v for i, v in enumerate(values) if v in CODED_HEADERS}
                continue
            for i, header in coded.items():
                value = values[i] if i < len(values) else None
                if isinstance(value, str):
                    seen += 1
                    assert not re.fullmatch(r"[A-Za-z_ ]+", value), (ws.title, header, value)
    assert seen > 20
