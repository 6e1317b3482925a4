"""The workbook ``scores.xlsx``: every sheet, header, width, number format, label and colour lives here.

Sheets: 总览, 分组排名, 指标明细, 栏目明细, 链接明细, 错别字明细, 评分规则. Detail sheets share one
table writer (frozen header row, autofilter, widths, formats, hyperlinks). Every text cell is written as
a string (``data_type = "s"``), so crawled text such as ``=HYPERLINK(...)`` is never a formula.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, WriteOnlyCell
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet as Worksheet

from govsites.store import Run
from scoring.rubric import FAIL, Rubric

EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_TEXT = 32_767
EXCEL_MAX_LINK = 2_000
#: Excel refuses more than 65,530 hyperlinks per sheet; beyond this many the link text stays plain.
EXCEL_MAX_HYPERLINKS = 65_000

# -- formats, declared once ----------------------------------------------------------------------------
FMT_SCORE, FMT_INT, FMT_RATE, FMT_DATE = "0.0", "0", "0.0%", "yyyy-mm-dd"
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="305496")
TITLE_FONT = Font(bold=True, size=14)
BOLD_FONT = Font(bold=True)
SECTION_FONT = Font(bold=True, size=12)
LINK_FONT = Font(color="0563C1", underline="single")
FAIL_FILL = PatternFill("solid", fgColor="FFC7CE")
EXCELLENT_FILL = PatternFill("solid", fgColor="C6EFCE")
WRAP = Alignment(wrap_text=True, vertical="top")

SHEETS = {
    "overview": "总览",
    "ranking": "分组排名",
    "metrics": "指标明细",
    "columns": "栏目明细",
    "links": "链接明细",
    "typos": "错别字明细",
    "rubric": "评分规则",
}

YES_NO = {True: "是", False: "否"}
CONFIRMED = {True: "已确认", False: "未确认"}
CATEGORY_LABELS = {
    "news": "动态要闻",
    "notice": "通知公告",
    "policy": "政策文件",
    "personnel": "人事信息",
    "plan": "规划计划",
    "disclosure": "信息公开",
    "guide": "办事指南",
    "interaction": "互动交流",
    "other": "其他",
}
COLUMN_STATUS = {
    "ok": "正常",
    "stale": "更新不及时",
    "blank": "空白",
    "undated": "无发布日期",
    "unreachable": "无法打开",
}
LINK_STATUS = {"unchecked": "未检测"}
SEVERITY = {"serious": "严重", "general": "一般"}
TYPO_KIND = {"homophone": "同音", "lookalike": "形近", "known_pair": "已知错例", "variant": "异形词"}
EVALUATION = {"evaluated": "已评估", "untested": "未检测", "no_url": "无网址"}
HOME_SOURCE = {"probes": "探测", "page": "首页抓取", "none": "无"}


@dataclass(frozen=True)
class Col:
    """One column of a sheet table: frame key, Chinese header, width, number format, value labels, link."""

    key: str
    header: str
    width: float = 12
    fmt: str | None = None
    labels: Mapping[Any, str] = field(default_factory=dict)
    link: bool = False
    wrap: bool = False


PLAIN = Col("", "")  # a cell outside any table

RANKING_COLS = (
    Col("group_name", "分组", 12),
    Col("rank_in_group", "排名", 6, FMT_INT),
    Col("name", "单位名称", 30),
    Col("county", "所属县区", 12),
    Col("score", "得分", 8, FMT_SCORE),
    Col("verdict", "结论", 8),
    Col("veto_reasons", "否决原因", 60, wrap=True),
    Col("excellent", "优秀网站", 9, labels=YES_NO),
)
_STALE_COLS = tuple(
    Col(f"stale_{c}", f"更新不及时（{label}）", 12, FMT_INT) for c, label in CATEGORY_LABELS.items()
)
METRIC_COLS = (
    Col("site_id", "站点标识", 14),
    Col("name", "单位名称", 30),
    Col("group_name", "分组", 12),
    Col("county", "所属县区", 12),
    Col("home_available", "首页可访问", 10, labels=YES_NO),
    Col("home_probes", "首页探测次数", 10, FMT_INT),
    Col("home_failures", "探测失败次数", 10, FMT_INT),
    Col("columns_total", "栏目总数", 10, FMT_INT),
    Col("blank_columns", "空白栏目", 10, FMT_INT),
    Col("stale_columns", "更新不及时栏目", 12, FMT_INT),
    Col("broken_links", "不可用链接", 10, FMT_INT),
    Col("broken_links_home", "首页不可用链接", 12, FMT_INT),
    Col("serious_typos", "严重错别字", 10, FMT_INT),
    Col("score", "得分", 8, FMT_SCORE),
    Col("verdict", "结论", 8),
    Col("veto_reasons", "否决原因", 50, wrap=True),
    Col("home_updated", "首页2周内更新", 12, labels=YES_NO),
    Col("undated_columns", "无发布日期栏目", 12, FMT_INT),
    Col("unreachable_columns", "无法打开栏目", 12, FMT_INT),
    Col("typos", "错别字", 8, FMT_INT),
    Col("deductions", "扣分合计", 9, FMT_SCORE),
    Col("rank_in_group", "组内排名", 9, FMT_INT),
    Col("excellent", "优秀网站", 9, labels=YES_NO),
    Col("pages", "抓取页面数", 10, FMT_INT),
    Col("evaluation", "评估状态", 10, labels=EVALUATION),
    Col("home_url", "首页网址", 36, link=True),
    Col("crawl_status", "抓取状态", 10),
    Col("crawl_error", "抓取错误", 30),
    Col("home_failure_rate", "探测失败率", 10, FMT_RATE),
    Col("home_source", "可用性依据", 10, labels=HOME_SOURCE),
    Col("home_newest", "首页最新日期", 12, FMT_DATE),
    Col("home_days_since_update", "距最新更新天数", 12, FMT_INT),
    Col("home_update_source", "更新日期来源", 12),
    Col("stale_key_columns", "更新不及时（要闻、通知、政策）", 16, FMT_INT),
    *_STALE_COLS,
    Col("broken_links_other", "其他页面不可用链接", 14, FMT_INT),
    Col("links_checked", "已检测链接", 10, FMT_INT),
    Col("links_unchecked", "未检测链接", 10, FMT_INT),
    Col("general_typos", "一般错别字", 10, FMT_INT),
    Col("deduction_detail", "扣分明细", 50, wrap=True),
    Col("vetoed", "单项否决", 9, labels=YES_NO),
)
COLUMN_COLS = (
    Col("site_id", "站点标识", 14),
    Col("name", "单位名称", 26),
    Col("column", "栏目名称", 24),
    Col("url", "栏目网址", 40, link=True),
    Col("category", "栏目类别", 10, labels=CATEGORY_LABELS),
    Col("newest_date", "最新日期", 12, FMT_DATE),
    Col("items", "条目数", 8, FMT_INT),
    Col("status", "状态", 10, labels=COLUMN_STATUS),
    Col("stale_before", "早于此日期即不及时", 14, FMT_DATE),
    Col("date_source", "日期来源", 10),
    Col("found_by", "发现方式", 10),
    Col("on_home", "首页栏目", 9, labels=YES_NO),
)
LINK_COLS = (
    Col("site_id", "站点标识", 14),
    Col("name", "单位名称", 26),
    Col("source_url", "所在页面", 40, link=True),
    Col("anchor", "链接文字", 24),
    Col("url", "链接地址", 40, link=True),
    Col("tag", "标签", 8),
    Col("status", "检测结果", 10, labels=LINK_STATUS),
    Col("reason", "原因", 20),
    Col("broken", "不可用", 8, labels=YES_NO),
    Col("on_home", "首页链接", 9, labels=YES_NO),
    Col("final_url", "最终地址", 40, link=True),
)
TYPO_COLS = (
    Col("site_id", "站点标识", 14),
    Col("name", "单位名称", 26),
    Col("url", "页面", 40, link=True),
    Col("wrong", "错误", 12),
    Col("right", "应为", 12),
    Col("context", "上下文", 50, wrap=True),
    Col("severity", "严重程度", 9, labels=SEVERITY),
    Col("kind", "类型", 9, labels=TYPO_KIND),
)
SUMMARY_COLS = (
    Col("group_name", "分组", 12),
    Col("sites", "参评网站数", 10, FMT_INT),
    Col("passed", "合格数", 8, FMT_INT),
    Col("failed", "不合格数", 9, FMT_INT),
    Col("pass_rate", "合格率", 9, FMT_RATE),
    Col("mean_score", "平均分", 9, FMT_SCORE),
    Col("max_score", "最高分", 9, FMT_SCORE),
    Col("min_score", "最低分", 9, FMT_SCORE),
    Col("not_evaluated", "未评估（无网址）", 14, FMT_INT),
    Col("excellent", "优秀网站", 50, wrap=True),
)
VETO_COLS = (
    Col("label", "否决项", 30),
    Col("metric", "指标", 24),
    Col("min", "阈值（≥）", 10),
    Col("reason", "否决原因模板", 40),
    Col("state", "状态", 10),
    Col("confirmed", "依据", 9, labels=CONFIRMED),
    Col("note", "说明", 40, wrap=True),
)
DEDUCTION_COLS = (
    Col("item", "扣分项", 24),
    Col("metric", "指标", 24),
    Col("unit", "单位", 6),
    Col("points", "每处扣分", 10),
    Col("cap", "扣分上限", 10),
    Col("confirmed", "依据", 9, labels=CONFIRMED),
)


# -- cells ---------------------------------------------------------------------------------------------
# The workbook is written in openpyxl's write-only (streaming) mode so a sheet of a million link rows does not
# hold every cell in memory: widths and frozen panes are set before a sheet's first row, rows are appended.
def _cell_value(value: Any, col: Col) -> Any:
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return None
    if col.labels and value in col.labels:
        return col.labels[value]
    if isinstance(value, bool):
        return YES_NO[value]
    if col.fmt == FMT_DATE and isinstance(value, str):
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return value or None
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)[:EXCEL_MAX_TEXT]
    return value.item() if hasattr(value, "item") else value


def cell(
    ws: Worksheet,
    value: Any,
    col: Col = PLAIN,
    *,
    font: Font | None = None,
    fill: PatternFill | None = None,
    link: bool = True,
) -> WriteOnlyCell:
    """One cell; text is always a string (never a formula), numbers get the column's format."""
    out = WriteOnlyCell(ws, _cell_value(value, col))
    if isinstance(out.value, str):
        out.data_type = "s"
        if link and col.link and _linkable(out.value):
            out.hyperlink = out.value
            out.font = LINK_FONT
    elif col.fmt and out.value is not None:
        out.number_format = col.fmt
    if col.wrap:
        out.alignment = WRAP
    if font is not None:
        out.font = font
    if fill is not None:
        out.fill = fill
    return out


def set_widths(ws: Worksheet, *tables: Sequence[Col], first: float = 0) -> None:
    """Column widths: the widest declared width per position over the tables (before the first row)."""
    widths = [
        max((t[j].width for t in tables if j < len(t)), default=8) for j in range(max(map(len, tables)))
    ]
    for j, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = max(width, first if j == 1 else 0)


def _linkable(text: str) -> bool:
    return text.startswith(("http://", "https://")) and len(text) <= EXCEL_MAX_LINK


def append_table(
    ws: Worksheet,
    frame: pd.DataFrame,
    cols: Sequence[Col],
    *,
    fill_rows: pd.Series | None = None,
    max_links: int = EXCEL_MAX_HYPERLINKS,
) -> int:
    """Append the header and the rows (at most ``max_links`` hyperlinks); returns the rows written."""
    ws.append([cell(ws, c.header, font=HEADER_FONT, fill=HEADER_FILL) for c in cols])
    marks = fill_rows.tolist() if fill_rows is not None else [False] * len(frame)
    rows = frame.loc[:, [c.key for c in cols]].itertuples(index=False)
    budget = max_links
    for values, marked in zip(rows, marks, strict=True):
        fill = FAIL_FILL if marked else None
        cells = [cell(ws, v, c, fill=fill, link=budget > 0) for v, c in zip(values, cols, strict=True)]
        budget -= sum(c.hyperlink is not None for c in cells)
        ws.append(cells)
    return len(frame) + 1


def detail_sheet(
    wb: Workbook,
    title: str,
    frame: pd.DataFrame,
    cols: Sequence[Col],
    *,
    fill_rows: pd.Series | None = None,
    max_links: int = EXCEL_MAX_HYPERLINKS,
) -> None:
    """A sheet holding one table: frozen header row, autofilter over the table, declared widths."""
    ws = wb.create_sheet(title)
    set_widths(ws, cols)
    ws.freeze_panes = "A2"
    written = append_table(ws, frame, cols, fill_rows=fill_rows, max_links=max_links)
    ws.auto_filter.ref = f"A1:{get_column_letter(len(cols))}{written}"


def append_info(ws: Worksheet, title: str, info: Sequence[tuple[str, str]]) -> int:
    """A title, a blank row and key/value rows; returns how many rows were written."""
    ws.append([cell(ws, title, font=TITLE_FONT)])
    ws.append([])
    for key, value in info:
        ws.append([cell(ws, key, font=BOLD_FONT), cell(ws, value)])
    return len(info) + 2


# -- sheets --------------------------------------------------------------------------------------------
def _fit(
    frame: pd.DataFrame, sheet: str, cols: Sequence[Col], *, max_rows: int, max_links: int, notes: list[str]
) -> pd.DataFrame:
    """The rows that fit in a sheet; a note for 总览 when rows are cut or hyperlinks exceed the limit."""
    room = max_rows - 1
    if len(frame) > room:
        notes.append(
            f"{sheet}共 {len(frame)} 行，超出 Excel 行数上限，表中只列前 {room} 行，完整数据见对应 CSV 文件"
        )
        frame = frame.iloc[:room]
    links = sum(sum(map(_linkable, frame[c.key].astype("str"))) for c in cols if c.link)
    if links > max_links:
        notes.append(f"{sheet}共有网址 {links} 个，超出 Excel 超链接上限，仅前约 {max_links} 个可点击")
    return frame


def _overview(
    wb: Workbook, summary: pd.DataFrame, *, run: Run, as_of: date, rubric: Rubric, notes: Sequence[str]
) -> None:
    ws = wb.create_sheet(SHEETS["overview"])
    set_widths(ws, SUMMARY_COLS, first=14)
    info = (
        ("评估日期", as_of.isoformat()),
        ("运行标签", run.label),
        ("运行状态", run.status),
        ("评分规则", rubric.title),
        ("合格分数线", f"{rubric.pass_mark:g}分（有单项否决或低于此分为不合格）"),
    )
    row = append_info(ws, "政府网站绩效评估总览", info)
    ws.append([])
    ws.append([cell(ws, "分组评估结果", font=SECTION_FONT)])
    header_row = row + 3
    row = header_row - 1 + append_table(ws, summary, SUMMARY_COLS)
    if notes:
        ws.append([])
        for note in ["备注：", *notes]:
            ws.append([cell(ws, note)])
        row += len(notes) + 2
    if len(summary):
        chart = BarChart()
        chart.type, chart.title = "col", "各组得分"
        chart.y_axis.title, chart.x_axis.title = "得分", "分组"
        chart.y_axis.scaling.min, chart.y_axis.scaling.max = 0, 100
        last = header_row + len(summary)
        chart.add_data(
            Reference(ws, min_col=6, max_col=8, min_row=header_row, max_row=last), titles_from_data=True
        )
        chart.set_categories(Reference(ws, min_col=1, min_row=header_row + 1, max_row=last))
        chart.height, chart.width = 8, 16
        ws.add_chart(chart, f"A{row + 2}")


def _rubric_sheet(wb: Workbook, rubric: Rubric) -> None:
    ws = wb.create_sheet(SHEETS["rubric"])
    set_widths(ws, VETO_COLS, DEDUCTION_COLS, first=18)
    windows = "；".join(f"{CATEGORY_LABELS.get(c, c)}{w.label()}" for c, w in rubric.windows.items())
    info = (
        ("规则文件", rubric.path),
        ("依据", rubric.source),
        ("合格分数线", f"{rubric.pass_mark:g}"),
        ("首页不可访问阈值", f"探测失败率≥{rubric.probe_failure_threshold:.0%}"),
        ("首页更新窗口", rubric.home_window.label()),
        ("栏目更新窗口", windows or "无"),
        ("重点栏目", "、".join(CATEGORY_LABELS.get(c, c) for c in rubric.key_categories)),
        ("优秀网站名额", "；".join(f"{g.label}{g.excellent}个" for g in rubric.groups.values())),
        ("说明", "“未确认”表示官方未公布该数值，为本地可调整的设定，不代表官方标准"),
    )
    append_info(ws, rubric.title, info)
    veto = pd.DataFrame(
        [
            {
                "label": v.label,
                "metric": v.metric,
                "min": v.min,
                "reason": v.reason,
                "state": "暂不评估" if v.placeholder else "启用",
                "confirmed": v.confirmed,
                "note": v.note,
            }
            for v in rubric.veto
        ],
        columns=[c.key for c in VETO_COLS],
    )
    deductions = pd.DataFrame([vars(d) for d in rubric.deductions], columns=[c.key for c in DEDUCTION_COLS])
    for title, frame, cols in (
        ("单项否决", veto, VETO_COLS),
        ("扣分项（得分 = 100 − 各项扣分之和，每项不超过上限）", deductions, DEDUCTION_COLS),
    ):
        ws.append([])
        ws.append([cell(ws, title, font=SECTION_FONT)])
        append_table(ws, frame, cols)


def _ranking(metrics: pd.DataFrame, rubric: Rubric) -> pd.DataFrame:
    order = {code: i for i, code in enumerate(rubric.groups)}
    return metrics.assign(group_order=metrics["group"].map(order).fillna(len(order))).sort_values(
        ["group_order", "rank_in_group", "site_id"], na_position="last", kind="stable"
    )


def write_workbook(
    path: Path,
    *,
    metrics: pd.DataFrame,
    columns: pd.DataFrame,
    links: pd.DataFrame,
    typos: pd.DataFrame,
    summary: pd.DataFrame,
    rubric: Rubric,
    run: Run,
    as_of: date,
    notes: Sequence[str] = (),
    max_rows: int = EXCEL_MAX_ROWS,
    max_links: int = EXCEL_MAX_HYPERLINKS,
) -> Path:
    """Write ``scores.xlsx``; detail sheets longer than ``max_rows`` are truncated with a note in 总览."""
    notes = list(notes)
    details = [
        (
            SHEETS[key],
            _fit(frame, SHEETS[key], cols, max_rows=max_rows, max_links=max_links, notes=notes),
            cols,
        )
        for key, frame, cols in (
            ("columns", columns, COLUMN_COLS),
            ("links", links, LINK_COLS),
            ("typos", typos, TYPO_COLS),
        )
    ]
    labelled = metrics.assign(group_name=metrics["group"].map(rubric.group_label))
    ranking = _ranking(labelled, rubric)
    wb = Workbook(write_only=True)
    _overview(wb, summary, run=run, as_of=as_of, rubric=rubric, notes=notes)
    detail_sheet(wb, SHEETS["ranking"], ranking, RANKING_COLS, fill_rows=ranking["verdict"] == FAIL)
    detail_sheet(wb, SHEETS["metrics"], labelled, METRIC_COLS, fill_rows=labelled["verdict"] == FAIL)
    for title, frame, cols in details:
        detail_sheet(wb, title, frame, cols, max_links=max_links)
    _rubric_sheet(wb, rubric)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path
