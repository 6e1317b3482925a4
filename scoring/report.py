"""The workbook ``scores.xlsx``: every sheet, header, width, number format, label and colour lives here.

Sheets: 总览, 分组排名, 指标明细, 栏目明细, 链接明细, 错别字明细, 互动回应, 办事服务, 重点领域, 问题清单, 评分规则,
整改跟踪. 互动回应 and 办事服务 hold a per-site summary above the detail rows; 重点领域 is a site × area matrix. Detail
sheets share one table writer (frozen header row, autofilter, widths, formats, hyperlinks). Every text cell
is written as a string (``data_type = "s"``), so crawled text such as ``=HYPERLINK(...)`` is never a formula.
The other workbooks live here too: the per-site rectification workbooks (整改/<site>-<name>.xlsx) and the
expert evaluation form (专家评估表.xlsx).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, WriteOnlyCell
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet as Worksheet
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.properties import PageSetupProperties

from govsites.paths import DATA_DIR
from govsites.sitechecks.result import CHECK_LABELS, CHECKS, INFORMATIONAL
from scoring.evaluation import Evaluation
from scoring.evidence import EVIDENCE_DIR, EvidenceSet
from scoring.expert import EXPERT_SHEET, GROUP_HEADER, ID_HEADER, NAME_HEADER, NOTE_HEADER, item_header
from scoring.history import problem_object
from scoring.metrics import unrendered_reasons
from scoring.review import (
    DECISION_HEADER,
    DECISION_LABELS,
    DISMISSED,
    PENDING,
)
from scoring.review import (
    ID_HEADER as REVIEW_ID_HEADER,
)
from scoring.review import (
    LOG_SHEET as REVIEW_LOG_SHEET,
)
from scoring.review import (
    NOTE_HEADER as REVIEW_NOTE_HEADER,
)
from scoring.rubric import ExpertSpec, Rubric, city_total, ranking_score
from scoring.sitechecks import check_matrix
from scoring.vocabulary import (
    ANSWERED,
    CATEGORY_LABELS,
    CHECK_STATUS_LABELS,
    COLUMN_STATUS,
    CONFIRMED,
    EVALUATED,
    EVALUATION,
    FAIL,
    FOUND_BY,
    HISTORY_KIND,
    HISTORY_STATUS,
    HOME_SOURCE,
    KEY_AREA_STATUS,
    KIND_LABELS,
    LINK_STATUS,
    NOT_EVALUATED,
    RENDER_ERROR,
    RISK_KIND,
    RISK_SEVERITY,
    SEVERITY,
    TYPO_KIND,
    VETOED_SCORE,
    YES_NO,
)

EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_TEXT = 32_767
EXCEL_MAX_LINK = 2_000
#: Excel refuses more than 65,530 hyperlinks per sheet; beyond this many the link text stays plain.
EXCEL_MAX_HYPERLINKS = 65_000

# -- formats, declared once ----------------------------------------------------------------------------
FMT_SCORE, FMT_INT, FMT_RATE, FMT_DATE, FMT_FIGURE = "0.0", "0", "0.0%", "yyyy-mm-dd", "General"
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="305496")
TITLE_FONT = Font(bold=True, size=14)
BOLD_FONT = Font(bold=True)
SECTION_FONT = Font(bold=True, size=12)
LINK_FONT = Font(color="0563C1", underline="single")
FAIL_FILL = PatternFill("solid", fgColor="FFC7CE")
EXCELLENT_FILL = PatternFill("solid", fgColor="C6EFCE")
STALE_FILL = PatternFill("solid", fgColor="FFEB9C")
DISMISSED_FILL = PatternFill("solid", fgColor="D9D9D9")
DISMISSED_FONT = Font(color="808080", strike=True)
WRAP = Alignment(wrap_text=True, vertical="top")

SHEETS = {
    "overview": "总览",
    "ranking": "分组排名",
    "metrics": "指标明细",
    "columns": "栏目明细",
    "links": "链接明细",
    "typos": "错别字明细",
    "interaction": "互动回应",
    "services": "办事服务",
    "key_areas": "重点领域",
    "problems": "问题清单",
    "rubric": "评分规则",
    "history": "整改跟踪",
    "review": REVIEW_LOG_SHEET,
    "security": "内容安全",
    "site_checks": "网站功能",
    "warnings": "预警",
}
#: The per-site rectification workbook (整改/<site_id>-<name>.xlsx).
SITE_SHEETS = {"summary": "问题汇总", "columns": "栏目问题", "links": "不可用链接", "typos": "错别字"}
EXPERT_NOTES_SHEET = "说明"

KEY_AREA_FILLS = {"ok": EXCELLENT_FILL, "stale": STALE_FILL, "missing": FAIL_FILL}


def link_status_label(status: str) -> str:
    """检测结果 of a link: the declared label, else the HTTP code's class (正常/重定向/访问错误/服务器错误)."""
    if status in LINK_STATUS:
        return LINK_STATUS[status]
    if len(status) == 3 and status.isdigit():
        kind = {"2": "正常", "3": "重定向", "4": "访问错误", "5": "服务器错误"}.get(status[0], "HTTP")
        return f"{kind}（{status}）"
    return "其他错误"


#: every status a link may have (HTTP codes and the checker's reasons) → 检测结果
LINK_LABELS = {code: link_status_label(code) for code in (*LINK_STATUS, *(str(c) for c in range(100, 600)))}


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
    Col("score_cell", "得分", 8, FMT_SCORE),
    Col("verdict", "结论", 8),
    Col("veto_reasons", "否决原因", 60, wrap=True),
    Col("excellent", "优秀网站", 9, labels=YES_NO),
    Col("not_evaluated_reason", "未评估原因", 22, wrap=True),
    Col("scope", "评估范围", 24, wrap=True),
)
#: shown in 分组排名 when a veto waits for review (REVIEW_REQUIRED)
VETO_PENDING_COL = Col("veto_pending", "否决待复核", 40, wrap=True)
EXPERT_RANKING_COLS = (
    Col("expert_score", "专家评分", 9, FMT_SCORE),
    Col("final_score", "综合得分", 9, FMT_SCORE),
)
_STALE_COLS = tuple(Col(f"stale_{c}", f"更新不及时（{label}）", 12, FMT_INT) for c, label in CATEGORY_LABELS.items())
#: 指标明细's content-security counts (risks.csv per site; the 内容安全 sheet lists each finding)
SECURITY_METRIC_COLS = (
    Col("privacy_leaks", "泄露个人信息", 10, FMT_INT),
    Col("hidden_links", "暗链", 8, FMT_INT),
    Col("bad_external_links", "链接不良网站", 10, FMT_INT),
    Col("closed_site_links", "链接已关停网站", 10, FMT_INT),
    Col("wrong_expressions", "严重表述错误", 10, FMT_INT),
    Col("tampering", "疑似篡改", 8, FMT_INT),
    Col("unreadable_attachments", "无法读取的附件", 10, FMT_INT),
    Col("unrendered_homes", "首页未能渲染", 10, FMT_INT),
    Col("security_veto", "内容安全否决项", 10, FMT_INT),
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
    Col("score_cell", "得分", 8, FMT_SCORE),
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
    Col("pages_capped", "受抓取上限限制未读页面数", 12, FMT_INT),
    Col("pages_blocked", "被反爬或防火墙拦截未读页面数", 12, FMT_INT),
    Col("unrendered_columns", "浏览器未能渲染栏目数", 12, FMT_INT),
    *SECURITY_METRIC_COLS,
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
    Col("veto_pending", "否决待复核", 30, wrap=True),
    Col("checks_failed", "网站功能未通过项", 10, FMT_INT),  # scoring.sitechecks (网站功能)
    Col("expert_score", "专家评分", 9, FMT_SCORE),
    Col("final_score", "综合得分", 9, FMT_SCORE),
    Col("letters_12m", "近12个月来信", 10, FMT_INT),
    Col("answered_12m", "已回复", 8, FMT_INT),
    Col("unanswered_90d", "超3个月未回复", 12, FMT_INT),
    Col("answer_rate_12m", "回复率", 8, FMT_RATE),
    Col("reply_days_median", "回复天数中位数", 12, FMT_SCORE),
    Col("reply_days_max", "最长回复天数", 10, FMT_INT),
    Col("letters_unknown_12m", "回复状态未知", 10, FMT_INT),
    Col("excluded_letters_12m", "访谈/征集/举报类来信", 14, FMT_INT),
    Col("excluded_unanswered_90d", "访谈/征集/举报类超期", 14, FMT_INT),
    Col("consultation_channels", "政务咨询栏目", 10, FMT_INT),
    Col("no_consultation_channel", "无政务咨询渠道", 12, labels=YES_NO),
    Col("guides_checked", "办事指南数", 10, FMT_INT),
    Col("guides_incomplete", "要素缺失指南", 10, FMT_INT),
    Col("guide_elements_missing", "缺失要素合计", 10, FMT_INT),
    Col("forms_linked", "表格附件数", 10, FMT_INT),
    Col("forms_broken", "表格附件无法下载", 12, FMT_INT),
    Col("no_services", "无办事服务", 10, labels=YES_NO),
    Col("key_areas_missing", "重点领域缺失", 10, FMT_INT),
    Col("key_areas_stale", "重点领域过期", 10, FMT_INT),
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
    Col("found_by", "发现方式", 10, labels=FOUND_BY),
    Col("on_home", "首页栏目", 9, labels=YES_NO),
    Col("render_reason", "未能渲染原因", 40, wrap=True),  # status 未能渲染: why (render_reasons)
)
LINK_COLS = (
    Col("site_id", "站点标识", 14),
    Col("name", "单位名称", 26),
    Col("source_url", "所在页面", 40, link=True),
    Col("anchor", "链接文字", 24),
    Col("url", "链接地址", 40, link=True),
    Col("tag", "标签", 8),
    Col("status", "检测结果", 16, labels=LINK_LABELS),
    Col("reason", "技术细节", 20),
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
    Col("pages", "出现页面数", 10, FMT_INT),
)
LETTER_SUMMARY_COLS = (
    Col("site_id", "站点标识", 14),
    Col("name", "单位名称", 30),
    Col("group_name", "分组", 12),
    Col("consultation_channels", "政务咨询栏目", 10, FMT_INT),
    Col("letters_12m", "近12个月来信", 12, FMT_INT),
    Col("answered_12m", "已回复", 10, FMT_INT),
    Col("answer_rate_12m", "回复率", 10, FMT_RATE),
    Col("reply_days_median", "回复天数中位数", 12, FMT_SCORE),
    Col("reply_days_max", "最长回复天数", 12, FMT_INT),
    Col("unanswered_90d", "超3个月未回复", 12, FMT_INT),
    Col("letters_unknown_12m", "回复状态未知", 12, FMT_INT),
    Col("excluded_letters_12m", "访谈/征集/举报类来信", 14, FMT_INT),
    Col("excluded_unanswered_90d", "访谈/征集/举报类超期", 14, FMT_INT),
)
LETTER_COLS = (
    Col("site_id", "站点标识", 14),
    Col("name", "单位名称", 30),
    Col("column", "栏目", 12),
    Col("title", "信件标题", 36, wrap=True),
    Col("url", "信件网址", 40, link=True),
    Col("submitted_date", "来信日期", 12, FMT_DATE),
    Col("answered", "回复情况", 10, labels=ANSWERED),
    Col("status", "网站所示状态", 12),
    Col("reply_date", "回复日期", 12, FMT_DATE),
    Col("reply_days", "回复天数", 10, FMT_INT),
    Col("in_window", "近12个月", 10, labels=YES_NO),
    Col("overdue", "超3个月未回复", 12, labels=YES_NO),
    Col("excluded", "访谈/征集/举报类", 12, labels=YES_NO),
)
GUIDE_SUMMARY_COLS = (
    Col("site_id", "站点标识", 14),
    Col("name", "单位名称", 30),
    Col("group_name", "分组", 12),
    Col("guides_checked", "办事指南数", 12, FMT_INT),
    Col("guides_incomplete", "要素缺失指南", 12, FMT_INT),
    Col("guide_elements_missing", "缺失要素合计", 12, FMT_INT),
    Col("forms_linked", "表格附件数", 12, FMT_INT),
    Col("forms_broken", "表格附件无法下载", 12, FMT_INT),
)
GUIDE_COLS = (
    Col("site_id", "站点标识", 14),
    Col("name", "单位名称", 30),
    Col("title", "办事指南", 30, wrap=True),
    Col("url", "指南网址", 40, link=True),
    Col("missing", "缺失要素", 30, wrap=True),
    Col("missing_count", "缺失要素数", 10, FMT_INT),
    Col("incomplete", "要素不全", 10, labels=YES_NO),
    Col("forms", "表格附件数", 10, FMT_INT),
    Col("forms_broken", "无法下载", 10, FMT_INT),
    Col("present", "已有要素", 40, wrap=True),
)
KEY_AREA_SITE_COLS = (
    Col("site_id", "站点标识", 14),
    Col("name", "单位名称", 30),
    Col("group_name", "分组", 12),
)
KEY_AREA_COUNT_COLS = (
    Col("key_areas_missing", "缺失", 8, FMT_INT),
    Col("key_areas_stale", "过期", 8, FMT_INT),
)
KEY_AREA_RULE_COLS = (
    Col("label", "重点领域", 16),
    Col("keywords", "栏目名称关键词", 40, wrap=True),
    Col("window", "更新要求", 14),
    Col("confirmed", "依据", 9, labels=CONFIRMED),
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
    Col("not_evaluated", "未评估（不计入）", 14, FMT_INT),
    Col("excellent", "优秀网站", 50, wrap=True),
    Col("vetoed", "单项否决数", 10, FMT_INT),
    Col("excellent_tie", "优秀名额边界并列（未列入）", 30, wrap=True),
)
REDUCTION_COLS = (
    Col("label", "指标", 14),
    Col("sites_before", "基准网站数", 10, FMT_INT),
    Col("sites_after", "本次网站数", 10, FMT_INT),
    Col("before", "基准平均每网站", 12, FMT_FIGURE),
    Col("after", "本次平均每网站", 12, FMT_FIGURE),
    Col("reduction_pct", "降幅（%）", 9, FMT_INT),
    Col("sentence", "通报表述", 50, wrap=True),
)
PROBLEM_COLS = (
    Col("site_id", "站点标识", 14),
    Col("name", "单位名称", 30),
    Col("short_name", "简称", 14),
    Col("group_name", "分组", 12),
    Col("kind", "问题类型", 18, labels=KIND_LABELS),
    Col("count", "数量", 8, FMT_INT),
    Col("text", "问题表述（通报用语）", 40, wrap=True),
)
HISTORY_COLS = (
    Col("site_id", "站点标识", 14),
    Col("name", "单位名称", 30),
    Col("group_name", "分组", 12),
    Col("fixed", "已整改", 9, FMT_INT),
    Col("new", "新增", 9, FMT_INT),
    Col("recurring", "反弹", 9, FMT_INT),
    Col("persisting", "未整改", 9, FMT_INT),
)
#: 整改跟踪's list of the problems themselves (history.csv, one row per problem)
HISTORY_ROW_COLS = (
    Col("name", "单位名称", 30),
    Col("kind", "问题类型", 14, labels=HISTORY_KIND),
    Col("key", "问题对象（栏目、链接或错字）", 50, link=True),
    Col("first_seen", "首次发现", 22),
    Col("status", "整改状态", 10, labels=HISTORY_STATUS),
)
#: with evidence: this run's picture, and the earlier run's for a problem still there
HISTORY_EVIDENCE_COLS = (
    Col("evidence", "本次证据截图", 28, link=True),
    Col("earlier_evidence", "上次证据截图", 28, link=True),
)
SITE_COLUMN_COLS = tuple(c for c in COLUMN_COLS if c.key not in ("site_id", "name", "render_reason"))
#: The inspector's columns at the end of every findings table (scoring.review reads them back).
REVIEW_COLS = (
    Col("finding_id", REVIEW_ID_HEADER, 15),
    Col("review", DECISION_HEADER, 8, labels=DECISION_LABELS),
    Col("review_note", REVIEW_NOTE_HEADER, 30, wrap=True),
)
EVIDENCE_COL = Col("evidence", "证据截图", 28, link=True)
VETO_EVIDENCE_COL = Col("veto_evidence", "否决证据", 28, link=True)
REVIEW_SUMMARY_COLS = (
    Col("site_id", "站点标识", 14),
    Col("name", "单位名称", 30),
    Col("findings", "问题数", 8, FMT_INT),
    Col("confirmed", "已确认", 8, FMT_INT),
    Col("dismissed", "已排除", 8, FMT_INT),
    Col("pending", "待定或未复核", 12, FMT_INT),
)
REVIEW_LOG_COLS = (
    Col("finding_id", REVIEW_ID_HEADER, 15),
    Col("site_id", "站点标识", 14),
    Col("name", "单位名称", 26),
    Col("decision", DECISION_HEADER, 8, labels=DECISION_LABELS),
    Col("note", REVIEW_NOTE_HEADER, 30, wrap=True),
    Col("reviewer", "复核人", 12),
    Col("date", "复核日期", 12, FMT_DATE),
    Col("source", "来源", 36),
)
SITE_LINK_COLS = tuple(c for c in LINK_COLS if c.key not in ("site_id", "name", "broken"))
SITE_TYPO_COLS = tuple(c for c in TYPO_COLS if c.key not in ("site_id", "name"))
SITE_PROBLEM_COLS = tuple(c for c in PROBLEM_COLS if c.key not in ("site_id", "name", "short_name", "group_name"))
EXPERT_ITEM_COLS = (
    Col("label", "评估项", 16),
    Col("max", "满分", 8),
    Col("state", "依据", 10),
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
    widths = [max((t[j].width for t in tables if j < len(t)), default=8) for j in range(max(map(len, tables)))]
    for j, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = max(width, first if j == 1 else 0)


def _linkable(text: str) -> bool:
    web = text.startswith(("http://", "https://"))
    return (web or (text.startswith(f"{EVIDENCE_DIR}/") and text.endswith(".png"))) and len(text) <= EXCEL_MAX_LINK


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
    dismissed = (frame["review"] == DISMISSED).tolist() if "review" in frame else [False] * len(frame)
    rows = frame.loc[:, [c.key for c in cols]].itertuples(index=False)
    budget = max_links
    for values, marked, out in zip(rows, marks, dismissed, strict=True):
        fill = DISMISSED_FILL if out else FAIL_FILL if marked else None
        font = DISMISSED_FONT if out else None
        cells = [cell(ws, v, c, fill=fill, font=font, link=budget > 0) for v, c in zip(values, cols, strict=True)]
        budget -= sum(c.hyperlink is not None for c in cells)
        ws.append(cells)
    return len(frame) + 1


#: Link statuses listed in 链接明细 besides broken links: reported (or not checked), not counted as broken.
REPORTED_STATUSES = ("blocked", "blocked_by_policy", "unchecked")


def _reported_links(links: pd.DataFrame, notes: list[str]) -> pd.DataFrame:
    """链接明细 lists the links an analyst acts on (broken, blocked, unchecked); all stay in links.csv.

    Listing every working link made the workbook the slowest part of scoring (hundreds of thousands of rows)
    and hid the findings among them."""
    if links.empty:
        return links
    shown = links.loc[links["broken"].astype(bool) | links["status"].isin(REPORTED_STATUSES)]
    if len(shown) < len(links):
        notes.append(f"链接明细仅列出失效或被拦截的链接出现 {len(shown)} 处；全部 {len(links)} 处链接见 links.csv")
    return shown


A4_PAPER = 9  # SpreadsheetML paperSize code of A4


def new_sheet(wb: Workbook, title: str, *, title_rows: str | None = "1:1", freeze: str | None = None) -> Worksheet:
    """A sheet that prints like the office's own: A4 landscape, one page wide, ``title_rows`` repeated on
    every page, the sheet name in the header and 第 n 页 / 共 N 页 in the footer; ``freeze`` the header row and
    the name column (write-only sheets take these before their first row)."""
    ws = wb.create_sheet(title)
    ws.page_setup.paperSize = A4_PAPER
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_options.horizontalCentered = True
    ws.page_margins = PageMargins(left=0.5, right=0.5, top=0.75, bottom=0.75, header=0.3, footer=0.3)
    ws.oddHeader.center.text = "&A"
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    if title_rows:
        ws.print_title_rows = title_rows
    if freeze:
        ws.freeze_panes = freeze
    return ws


def detail_sheet(
    wb: Workbook,
    title: str,
    frame: pd.DataFrame,
    cols: Sequence[Col],
    *,
    fill_rows: pd.Series | None = None,
    max_links: int = EXCEL_MAX_HYPERLINKS,
    freeze: str = "A2",
) -> None:
    """A sheet holding one table: frozen header row (and the columns left of ``freeze``), autofilter over the
    table, declared widths, print settings (:func:`new_sheet`)."""
    ws = new_sheet(wb, title, freeze=freeze)
    set_widths(ws, cols)
    written = append_table(ws, frame, cols, fill_rows=fill_rows, max_links=max_links)
    ws.auto_filter.ref = f"A1:{get_column_letter(len(cols))}{written}"
    review_drop_down(ws, cols, header_row=1, rows=written - 1)


def append_info(ws: Worksheet, title: str, info: Sequence[tuple[str, str]]) -> int:
    """A title, a blank row and key/value rows; returns how many rows were written."""
    ws.append([cell(ws, title, font=TITLE_FONT)])
    ws.append([])
    for key, value in info:
        ws.append([cell(ws, key, font=BOLD_FONT), cell(ws, value)])
    return len(info) + 2


def review_drop_down(ws: Worksheet, cols: Sequence[Col], *, header_row: int, rows: int) -> None:
    """The 复核 column's drop-down (确认 / 排除 / 待定) under a table's header, when the table has one."""
    keys = [c.key for c in cols]
    if "review" not in keys or rows <= 0:
        return
    letter = get_column_letter(keys.index("review") + 1)
    rule = DataValidation(
        type="list",
        formula1='"' + ",".join(DECISION_LABELS.values()) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="复核结论",
        error="请选择 确认、排除 或 待定",
    )
    rule.add(f"{letter}{header_row + 1}:{letter}{header_row + rows}")
    ws.data_validations.append(rule)


def review_sheet(wb: Workbook, ev: Evaluation) -> None:
    """复核记录: per site how many findings are confirmed, dismissed, still 待定; then every decision."""
    findings = pd.concat(
        [f.loc[f["finding_id"] != "", ["site_id", "finding_id", "review"]] for f in _findings_tables(ev)],
        ignore_index=True,
    ).drop_duplicates("finding_id")
    names = ev.scored.loc[:, ["site_id", "name"]]
    decided = findings.assign(
        confirmed=findings["review"] == "confirmed",
        dismissed=findings["review"] == DISMISSED,
        pending=findings["review"].isin(["", PENDING]),
    )
    summary = (
        decided.groupby("site_id", as_index=False)
        .agg(
            findings=("finding_id", "size"),
            confirmed=("confirmed", "sum"),
            dismissed=("dismissed", "sum"),
            pending=("pending", "sum"),
        )
        .merge(names, on="site_id", how="left")
    )
    log = ev.review.decisions.merge(findings.loc[:, ["finding_id", "site_id"]], on="finding_id", how="left").merge(
        names, on="site_id", how="left"
    )
    ws = new_sheet(wb, SHEETS["review"], title_rows=None)
    set_widths(ws, REVIEW_SUMMARY_COLS, REVIEW_LOG_COLS)
    ws.append([cell(ws, "复核进度（按网站）", font=SECTION_FONT)])
    written = 1 + append_table(ws, summary, REVIEW_SUMMARY_COLS, fill_rows=summary["pending"] > 0)
    ws.append([])
    ws.append([cell(ws, "复核决定（已保存在存储中，下次评分沿用）", font=SECTION_FONT)])
    first = written + 3
    last = first - 1 + append_table(ws, log, REVIEW_LOG_COLS)
    ws.auto_filter.ref = f"A{first}:{get_column_letter(len(REVIEW_LOG_COLS))}{last}"


def _findings_tables(ev: Evaluation) -> list[pd.DataFrame]:
    keys = ("columns", "links", "typos", "interaction", "services", "risks", "site_checks")
    return [ev.tables[key] for key in keys if key in ev.tables]


# -- sheets --------------------------------------------------------------------------------------------
def _fit(
    frame: pd.DataFrame, sheet: str, cols: Sequence[Col], *, max_rows: int, max_links: int, notes: list[str]
) -> pd.DataFrame:
    """The rows that fit in a sheet; a note for 总览 when rows are cut or hyperlinks exceed the limit."""
    room = max_rows - 1
    if len(frame) > room:
        notes.append(f"{sheet}共 {len(frame)} 行，超出 Excel 行数上限，表中只列前 {room} 行，完整数据见对应 CSV 文件")
        frame = frame.iloc[:room]
    links = sum(sum(map(_linkable, frame[c.key].astype("str"))) for c in cols if c.link)
    if links > max_links:
        notes.append(f"{sheet}共有网址 {links} 个，超出 Excel 超链接上限，仅前约 {max_links} 个可点击")
    return frame


def _bar_chart(title: str, y_title: str, x_title: str) -> BarChart:
    chart = BarChart()
    chart.type, chart.title = "col", title
    chart.y_axis.title, chart.x_axis.title = y_title, x_title
    chart.height, chart.width = 8, 16
    return chart


SCORE_BASIS = "注：平均分、最高分、最低分只计有得分的网站（已评估、首页可访问且未被单项否决）；未评估网站不计入任何统计"


def _site_scores(ws: Worksheet, ev: Evaluation, row: int, charts: list[BarChart]) -> int:
    """A table and a chart of the sites with a score, in rank order, with the pass mark as a line; vetoed and
    unevaluated sites have no score and are left out (the table says how many)."""
    scored = ev.scored.assign(shown=ranking_score(ev.scored).astype("float64")).dropna(subset=["shown"])
    if scored.empty:
        return row
    scored = scored.sort_values(["shown", "site_id"], ascending=[False, True], kind="stable").assign(
        pass_mark=ev.rubric.pass_mark, short=lambda f: f["site_id"].map(ev.short_names).fillna(f["name"])
    )
    cols = (Col("short", "网站", 14), Col("shown", "得分", 8, FMT_SCORE), Col("pass_mark", "合格线", 8, FMT_SCORE))
    ws.append([])
    left_out = int((ev.scored["score"].isna()).sum())
    title = f"各网站得分（按得分排序；单项否决、未评估的 {left_out} 个网站无得分，未列入）"
    ws.append([cell(ws, title, font=SECTION_FONT)])
    first = row + 3
    last = first - 1 + append_table(ws, scored, cols)
    bars = _bar_chart("各网站得分与合格线", "得分", "网站")
    bars.y_axis.scaling.min, bars.y_axis.scaling.max = 0, 100
    bars.add_data(Reference(ws, min_col=2, min_row=first, max_row=last), titles_from_data=True)
    bars.set_categories(Reference(ws, min_col=1, min_row=first + 1, max_row=last))
    line = LineChart()
    line.add_data(Reference(ws, min_col=3, min_row=first, max_row=last), titles_from_data=True)
    bars += line
    bars.width = max(16, 1.2 * len(scored))
    charts.append(bars)
    return last


def _overview(wb: Workbook, ev: Evaluation, notes: Sequence[str]) -> None:
    summary, rubric, reductions = ev.summary, ev.rubric, ev.reductions
    ws = new_sheet(wb, SHEETS["overview"], title_rows=None)
    set_widths(ws, SUMMARY_COLS, REDUCTION_COLS, first=14)
    info = [
        ("评估日期", ev.as_of.isoformat()),
        ("运行标签", ev.run.label),
        ("运行状态", ev.run.status),
        ("评分规则", rubric.title),
        ("合格分数线", f"{rubric.pass_mark:g}分（有单项否决或低于此分为不合格）"),
    ]
    if ev.baseline:
        info.append(("整改前基准", ev.baseline))
    row = append_info(ws, "政府网站绩效评估总览", info)
    ws.append([])
    ws.append([cell(ws, "分组评估结果", font=SECTION_FONT)])
    header_row = row + 3
    with_total = pd.concat([summary, pd.DataFrame([city_total(ev.scored)])], ignore_index=True)
    row = header_row - 1 + append_table(ws, with_total, SUMMARY_COLS)
    ws.append([cell(ws, SCORE_BASIS)])
    row += 1
    charts: list[BarChart] = []
    row = _site_scores(ws, ev, row, charts)
    if reductions is not None and len(reductions):
        ws.append([])
        ws.append([cell(ws, "整改前后对比（平均每网站；只计本次已评估且抓取到页面的网站）", font=SECTION_FONT)])
        first = row + 3
        row = first - 1 + append_table(ws, reductions, REDUCTION_COLS)
        chart = _bar_chart("整改前后对比（平均每网站）", "个数", "指标")
        chart.add_data(Reference(ws, min_col=4, max_col=5, min_row=first, max_row=row), titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=first + 1, max_row=row))
        charts.append(chart)
    if notes:
        ws.append([])
        for note in ["备注：", *notes]:
            ws.append([cell(ws, note)])
        row += len(notes) + 2
    for i, chart in enumerate(charts):
        ws.add_chart(chart, f"A{row + 2 + 18 * i}")


def _summary_and_rows(
    wb: Workbook,
    title: str,
    sections: tuple[str, str],
    summary: tuple[pd.DataFrame, Sequence[Col], pd.Series],
    rows: tuple[pd.DataFrame, Sequence[Col], pd.Series],
    max_links: int,
) -> None:
    """A sheet with a per-site summary table above the detail rows; the autofilter covers the detail rows."""
    ws = new_sheet(wb, title, title_rows=None)
    set_widths(ws, summary[1], rows[1])
    ws.append([cell(ws, sections[0], font=SECTION_FONT)])
    written = 1 + append_table(ws, summary[0], summary[1], fill_rows=summary[2])
    ws.append([])
    ws.append([cell(ws, sections[1], font=SECTION_FONT)])
    first = written + 3
    last = first - 1 + append_table(ws, rows[0], rows[1], fill_rows=rows[2], max_links=max_links)
    ws.auto_filter.ref = f"A{first}:{get_column_letter(len(rows[1]))}{last}"
    review_drop_down(ws, rows[1], header_row=first, rows=last - first)


def _key_area_sheet(wb: Workbook, matrix: pd.DataFrame, rubric: Rubric) -> None:
    """Site × key area: 正常 / 过期 / 缺失, each cell coloured by its status."""
    areas = tuple(Col(a.key, a.label, 12, labels=KEY_AREA_STATUS) for a in rubric.key_areas)
    cols = (*KEY_AREA_SITE_COLS, *areas, *KEY_AREA_COUNT_COLS)
    matrix_sheet(wb, SHEETS["key_areas"], matrix, cols, coloured=areas, fills=KEY_AREA_FILLS, freeze="D2")


def matrix_sheet(
    wb: Workbook,
    title: str,
    matrix: pd.DataFrame,
    cols: Sequence[Col],
    *,
    coloured: Sequence[Col],
    fills: Mapping[Any, PatternFill],
    freeze: str,
    below: Sequence[Col] = (),
) -> Worksheet:
    """A site × item matrix (重点领域, 网站功能): the ``coloured`` columns' cells filled by their value; returns the
    sheet (``below``: the columns of a table that will follow the matrix, for the widths)."""
    ws = new_sheet(wb, title, freeze=freeze)
    set_widths(ws, cols, below)
    ws.append([cell(ws, c.header, font=HEADER_FONT, fill=HEADER_FILL) for c in cols])
    for values in matrix.loc[:, [c.key for c in cols]].itertuples(index=False):
        ws.append(
            [cell(ws, v, c, fill=fills.get(v) if c in coloured else None) for v, c in zip(values, cols, strict=True)]
        )
    ws.auto_filter.ref = f"A1:{get_column_letter(len(cols))}{len(matrix) + 1}"
    return ws


def rubric_file_label(path: str) -> str:
    """The rubric file as the workbook names it: ``data/rubric/<name>`` for a bundled profile, else the file name
    (a workbook that an office forwards never carries this machine's folders)."""
    file = Path(path).resolve()
    return (
        f"data/{file.relative_to(DATA_DIR.resolve()).as_posix()}"
        if file.is_relative_to(DATA_DIR.resolve())
        else file.name
    )


def _rubric_sheet(wb: Workbook, rubric: Rubric) -> None:
    ws = new_sheet(wb, SHEETS["rubric"], title_rows=None)
    set_widths(ws, VETO_COLS, DEDUCTION_COLS, first=18)
    windows = "；".join(f"{CATEGORY_LABELS.get(c, c)}{w.label()}" for c, w in rubric.windows.items())
    info = (
        ("规则文件", rubric_file_label(rubric.path)),
        ("依据", rubric.source),
        ("合格分数线", f"{rubric.pass_mark:g}"),
        ("首页不可访问阈值", f"探测失败率≥{rubric.probe_failure_threshold:.0%}"),
        ("首页更新窗口", rubric.home_window.label()),
        ("栏目更新窗口", windows or "无"),
        ("重点栏目", "、".join(CATEGORY_LABELS.get(c, c) for c in rubric.key_categories)),
        ("优秀网站名额", "；".join(f"{g.label}{g.excellent}个" for g in rubric.groups.values())),
        (
            "政务咨询信件",
            f"统计近{rubric.interaction.window.label()}来信；未回复且来信超过{rubric.interaction.overdue_days}天为超期；"
            f"回复状态未知的信件{'计为未回复' if rubric.interaction.unknown_is_unanswered else '不计为未回复'}；"
            f"栏目名称含{'、'.join(rubric.interaction.excluded_keywords)}的不计入互动回应差",
        ),
        (
            "办事指南要素",
            f"{'、'.join(rubric.services.elements)}；缺少{rubric.services.incomplete_min}项及以上为要素不全"
            f"（{CONFIRMED[rubric.services.confirmed]}）",
        ),
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
                "state": "暂不评估" if v.placeholder else ("启用" if v.enabled else "未启用"),
                "confirmed": v.confirmed,
                "note": v.note,
            }
            for v in rubric.veto
        ],
        columns=[c.key for c in VETO_COLS],
    )
    deductions = pd.DataFrame([vars(d) for d in rubric.deductions], columns=[c.key for c in DEDUCTION_COLS])
    areas = pd.DataFrame(
        [
            {"label": a.label, "keywords": "、".join(a.keywords), "window": a.window_label(), "confirmed": a.confirmed}
            for a in rubric.key_areas
        ],
        columns=[c.key for c in KEY_AREA_RULE_COLS],
    )
    for title, frame, cols in (
        ("单项否决", veto, VETO_COLS),
        ("扣分项（得分 = 100 − 各项扣分之和，每项不超过上限）", deductions, DEDUCTION_COLS),
        ("重点领域信息公开（按栏目名称关键词识别）", areas, KEY_AREA_RULE_COLS),
    ):
        ws.append([])
        ws.append([cell(ws, title, font=SECTION_FONT)])
        append_table(ws, frame, cols)


def history_rows(ev: Evaluation, rows: pd.DataFrame | None = None) -> pd.DataFrame:
    """整改跟踪's problem list: site, problem, first seen (this run, or the earlier run it was seen in), status
    (``rows``: the history table, with its pictures when evidence was taken; default the evaluation's)."""
    rows = ev.tables["history"] if rows is None else rows
    names = ev.scored.set_index("site_id")["name"]
    seen_before = f"运行 {ev.previous_run} 或更早"
    first = {"new": f"本次（运行 {ev.run.label}）", "persisting": seen_before, "fixed": seen_before}
    return rows.assign(
        key=[problem_object(kind, key) for kind, key in zip(rows["kind"], rows["key"], strict=True)],
        name=rows["site_id"].map(names).fillna(rows["site_id"]).astype("str"),
        first_seen=rows["status"].map(first).fillna(f"运行 {ev.previous_run} 之前（已整改后复现）").astype("str"),
    )


def score_cells(metrics: pd.DataFrame) -> pd.Series:
    """得分 as a reader sees it: the score, 否决 for a vetoed site, 未评估 for a site not evaluated."""
    shown = metrics["score"].astype("object").where(metrics["score"].notna(), None)
    vetoed = metrics["vetoed"].astype("boolean").fillna(False).astype(bool)
    return shown.mask(vetoed, VETOED_SCORE).mask(metrics["verdict"] == NOT_EVALUATED, NOT_EVALUATED)


#: 评估范围 names at most this many of a site's columns the browser could not render (all of them: 栏目明细).
SCOPE_COLUMNS_NAMED = 5


def render_reasons(columns: pd.DataFrame) -> pd.Series:
    """未能渲染原因 of each column: for one whose list the browser could not render, the reason and its detail
    (``渲染超时：浏览器打开该页超过渲染时限 60 秒仍未完成……``); "" for every other column."""
    if columns.empty:
        return pd.Series("", index=columns.index, dtype="str")
    label = columns["render_error"].map(RENDER_ERROR).fillna(columns["render_error"]).astype("str")
    text = label + "：" + columns["render_detail"].astype("str")
    return text.where(columns["status"] == "unrendered", "").astype("str")


def unrendered_notes(metrics: pd.DataFrame, columns: pd.DataFrame) -> pd.Series:
    """The part of 评估范围 naming the columns whose list the browser could not render: how many, why, and the
    first :data:`SCOPE_COLUMNS_NAMED` by name and URL (in URL order); "" for a site without any."""
    reasons = unrendered_reasons(columns)
    unread = columns.loc[columns["status"] == "unrendered"].sort_values(["site_id", "url"], kind="stable")
    named: dict[str, list[str]] = {}
    for site_id, column, url in zip(unread["site_id"], unread["column"], unread["url"], strict=True):
        named.setdefault(site_id, []).append(f"{column or '（无名称）'} {url}")
    texts = []
    for site_id in metrics["site_id"]:
        listed = named.get(site_id, [])
        if not listed:
            texts.append("")
            continue
        more = " 等，全部见栏目明细" if len(listed) > SCOPE_COLUMNS_NAMED else ""
        texts.append(
            f"浏览器未能渲染的栏目 {len(listed)} 个（{reasons[site_id]}），其列表未读取、不计入栏目评分："
            + "；".join(listed[:SCOPE_COLUMNS_NAMED])
            + more
        )
    return pd.Series(texts, index=metrics.index, dtype="str")


def scope_notes(metrics: pd.DataFrame, columns: pd.DataFrame | None = None) -> pd.Series:
    """评估范围: says when a site was evaluated on less than all its reachable pages (the crawl's caps, pages an
    anti-bot challenge or a firewall kept from the crawl) or less than all its columns (``columns``: the columns
    table, whose lists the browser could not render, :func:`unrendered_notes`)."""
    capped = metrics["pages_capped"].astype("Int64").fillna(0)
    blocked = metrics["pages_blocked"].astype("Int64").fillna(0)
    read = metrics["pages"].astype("Int64").fillna(0).astype("str")
    capped_text = ("受抓取上限限制未读 " + capped.astype("str") + " 个").where(capped > 0, "")
    blocked_text = ("被反爬或防火墙拦截未读 " + blocked.astype("str") + " 个").where(blocked > 0, "")
    separator = pd.Series("，", index=metrics.index).where((capped > 0) & (blocked > 0), "")
    text = "仅评估已抓取的 " + read + " 个页面（另有" + capped_text + separator + blocked_text + "）"
    pages = text.where((capped > 0) | (blocked > 0), "").astype("str")
    if columns is None:
        return pages
    unread = unrendered_notes(metrics, columns)
    joint = pd.Series("；", index=metrics.index).where((pages != "") & (unread != ""), "")
    return (pages + joint + unread).astype("str")


def _ranking(metrics: pd.DataFrame, rubric: Rubric, columns: pd.DataFrame) -> pd.DataFrame:
    order = {code: i for i, code in enumerate(rubric.groups)}
    unevaluated = metrics["verdict"] == NOT_EVALUATED
    return metrics.assign(
        group_order=metrics["group"].map(order).fillna(len(order)),
        score_cell=score_cells(metrics),
        not_evaluated_reason=metrics["evaluation"].map(EVALUATION).where(unevaluated, "").fillna("").astype("str"),
        scope=scope_notes(metrics, columns),
    ).sort_values(["group_order", "rank_in_group", "site_id"], na_position="last", kind="stable")


def with_pictures(
    tables: dict[str, pd.DataFrame], scored: pd.DataFrame, pictures: EvidenceSet
) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """The findings tables with each finding's screenshot (``evidence``) and the sites with their veto's."""
    out = dict(tables)
    for key in ("columns", "links", "typos"):
        frame = tables[key]
        out[key] = frame.assign(evidence=[pictures.path_of(fid) for fid in frame["finding_id"]])
    history = tables["history"]
    still = history["status"].isin(("persisting", "recurring"))
    out["history"] = history.assign(
        evidence=[
            pictures.path_of(fid) if status != "fixed" else ""
            for fid, status in zip(history["finding_id"], history["status"], strict=True)
        ],
        earlier_evidence=[pictures.earlier_of(fid)[0] for fid in history["finding_id"]],
    ).assign(earlier_evidence=lambda f: f["earlier_evidence"].where(still, ""))
    vetoed = scored["vetoed"].astype("boolean").fillna(False).astype(bool)
    site_pictures = [pictures.site_picture(sid) if v else "" for sid, v in zip(scored["site_id"], vetoed, strict=True)]
    return out, scored.assign(veto_evidence=site_pictures)


def write_workbook(
    path: Path,
    ev: Evaluation,
    *,
    max_rows: int = EXCEL_MAX_ROWS,
    max_links: int = EXCEL_MAX_HYPERLINKS,
    pictures: EvidenceSet | None = None,
) -> Path:
    """Write ``scores.xlsx`` from the evaluation; detail sheets longer than ``max_rows`` are truncated with a
    note in 总览, hyperlinks beyond ``max_links`` per sheet stay plain text; with ``pictures`` every finding and
    veto links its screenshot (OUT/evidence/…, relative, so the folder can be moved whole)."""
    tables, rubric = ev.tables, ev.rubric
    notes = list(ev.notes)
    scored = ev.scored
    shown: tuple[Col, ...] = ()
    if pictures is not None:
        tables, scored = with_pictures(tables, scored, pictures)
        notes += pictures.notes()
        shown = (EVIDENCE_COL,)
    tables = {**tables, "columns": tables["columns"].assign(render_reason=render_reasons(tables["columns"]))}
    links = _reported_links(tables["links"], notes)
    risk_rows = _fit(
        tables["risks"], SHEETS["security"], RISK_COLS, max_rows=max_rows, max_links=max_links, notes=notes
    )
    details = [
        (
            SHEETS[key],
            _fit(frame, SHEETS[key], cols, max_rows=max_rows, max_links=max_links, notes=notes),
            cols,
        )
        for key, frame, cols in (
            ("columns", tables["columns"], (*COLUMN_COLS, *shown, *REVIEW_COLS)),
            ("links", links, (*LINK_COLS, *shown, *REVIEW_COLS)),
            ("typos", tables["typos"], (*TYPO_COLS, *shown, *REVIEW_COLS)),
        )
    ]
    label = rubric.group_label
    metrics = scored
    labelled = metrics.assign(group_name=metrics["group"].map(label))
    ranking = _ranking(labelled, rubric, tables["columns"])
    has_expert = "final_score" in metrics and bool(metrics["final_score"].notna().any())
    ranking_cols = (*RANKING_COLS, *EXPERT_RANKING_COLS) if has_expert else RANKING_COLS
    if bool((metrics["veto_pending"] != "").any()):
        ranking_cols = (*ranking_cols, VETO_PENDING_COL)
    if pictures is not None:
        ranking_cols = (*ranking_cols, VETO_EVIDENCE_COL)
    if ev.history_counts is None:
        notes.append("整改跟踪：存储中没有更早的运行，无法与上一次检查比较")
    wb = Workbook(write_only=True)
    _overview(wb, ev, notes)
    detail_sheet(wb, SHEETS["ranking"], ranking, ranking_cols, fill_rows=ranking["verdict"] == FAIL, freeze="D2")
    metric_rows = labelled.assign(score_cell=score_cells(labelled))  # 否决 / 未评估 as in 分组排名
    detail_sheet(wb, SHEETS["metrics"], metric_rows, METRIC_COLS, fill_rows=labelled["verdict"] == FAIL)
    for title, frame, cols in details:
        detail_sheet(wb, title, frame, cols, max_links=max_links)
    _interaction_sheets(wb, labelled, ev, max_rows=max_rows, max_links=max_links, notes=notes)
    problems = tables["problems"]
    problem_cols = (*PROBLEM_COLS, *REVIEW_COLS)
    detail_sheet(wb, SHEETS["problems"], problems.assign(group_name=problems["group"].map(label)), problem_cols)
    _rubric_sheet(wb, rubric)
    tracked = (
        ev.history_counts
        if ev.history_counts is not None
        else pd.DataFrame(columns=[*(c.key for c in HISTORY_COLS), "group"])
    )
    rows = history_rows(ev, tables["history"])
    history_cols = (*HISTORY_ROW_COLS, *HISTORY_EVIDENCE_COLS) if pictures is not None else HISTORY_ROW_COLS
    _summary_and_rows(
        wb,
        SHEETS["history"],
        ("各网站整改情况（问题个数）", "问题明细（与上次检查比较）"),
        (tracked.assign(group_name=tracked["group"].map(label)), HISTORY_COLS, pd.Series(False, index=tracked.index)),
        (rows, history_cols, rows["status"] != "fixed"),
        max_links,
    )
    review_sheet(wb, ev)
    security_sheet(wb, risk_rows, max_links=max_links)
    site_checks_sheet(wb, ev)
    warnings_sheet(wb, ev)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


#: 内容安全: one row per content-security finding (risks.csv), the veto ones filled.
RISK_COLS = (
    Col("site_id", "站点标识", 14),
    Col("name", "单位名称", 26),
    Col("kind", "问题类型", 22, labels=RISK_KIND),
    Col("severity", "严重程度", 10, labels=RISK_SEVERITY),
    Col("evidence", "证据（号码已遮蔽）", 60, wrap=True),
    Col("url", "发现位置（页面或附件）", 40, link=True),
    Col("source_url", "链接该附件的页面", 40, link=True),
    Col("target", "链接目标", 40, link=True),
)


def security_sheet(wb: Workbook, risks: pd.DataFrame, *, max_links: int) -> None:
    """内容安全: every finding of risks.csv (personal data, dark / hijacked / closed-site links, wrong expressions,
    tampering, unreadable attachments; rows as ``_fit`` left them) with its evidence and clickable locations;
    veto findings filled."""
    cols = (*RISK_COLS, *REVIEW_COLS)
    detail_sheet(wb, SHEETS["security"], risks, cols, fill_rows=risks["severity"] == "veto", max_links=max_links)


def _interaction_sheets(
    wb: Workbook, metrics: pd.DataFrame, ev: Evaluation, *, max_rows: int, max_links: int, notes: list[str]
) -> None:
    """互动回应, 办事服务 and 重点领域: every evaluated site in the summaries (zero letters or guides shown too)."""
    evaluated = metrics.loc[metrics["evaluation"] == EVALUATED]
    letter_rows = _fit(
        ev.tables["interaction"],
        SHEETS["interaction"],
        (*LETTER_COLS, *REVIEW_COLS),
        max_rows=max_rows,
        max_links=max_links,
        notes=notes,
    )
    _summary_and_rows(
        wb,
        SHEETS["interaction"],
        ("政务咨询信件办理情况（按网站）", "信件明细"),
        (evaluated, LETTER_SUMMARY_COLS, (evaluated["unanswered_90d"] > 0).fillna(False)),
        (
            letter_rows,
            (*LETTER_COLS, *REVIEW_COLS),
            letter_rows["overdue"].astype(bool) & ~letter_rows["excluded"].astype(bool),
        ),
        max_links,
    )
    guide_rows = _fit(
        ev.tables["services"],
        SHEETS["services"],
        (*GUIDE_COLS, *REVIEW_COLS),
        max_rows=max_rows,
        max_links=max_links,
        notes=notes,
    )
    flagged = (evaluated["guides_incomplete"] > 0) | (evaluated["forms_broken"] > 0)
    _summary_and_rows(
        wb,
        SHEETS["services"],
        ("办事指南情况（按网站）", "办事指南明细"),
        (evaluated, GUIDE_SUMMARY_COLS, flagged.fillna(False)),
        (
            guide_rows,
            (*GUIDE_COLS, *REVIEW_COLS),
            guide_rows["incomplete"].astype(bool) | (guide_rows["forms_broken"] > 0),
        ),
        max_links,
    )
    areas = ev.tables["key_areas"].reindex(columns=["site_id", "area", "status"])
    wide = areas.pivot(index="site_id", columns="area", values="status") if len(areas) else pd.DataFrame()
    matrix = (
        evaluated.loc[:, [c.key for c in (*KEY_AREA_SITE_COLS, *KEY_AREA_COUNT_COLS)]].join(
            wide.reindex(columns=[a.key for a in ev.rubric.key_areas]), on="site_id"
        )
        if ev.rubric.key_areas
        else evaluated
    )
    _key_area_sheet(wb, matrix, ev.rubric)


# -- 网站功能 and 预警 (scoring.sitechecks) ------------------------------------------------------------------
CHECK_FILLS = {
    "ok": EXCELLENT_FILL,
    "missing": FAIL_FILL,
    "wrong": FAIL_FILL,
    "error": STALE_FILL,
    DISMISSED: DISMISSED_FILL,
}
CHECK_SITE_COLS = (
    Col("site_id", "站点标识", 12),
    Col("name", "单位名称", 24),
    Col("group_name", "分组", 10),
    Col("checks_failed", "未通过项数", 9, FMT_INT),
)
WARNING_COLS = (
    Col("name", "单位名称", 24),
    Col("group_name", "分组", 10),
    Col("priority", "整改顺序", 8, FMT_INT),
    Col("label", "预警指标", 22, wrap=True),
    Col("detail", "情况与整改建议", 60, wrap=True),
    Col("site_id", "站点标识", 12),
)
MAINTENANCE_COLS = (
    Col("name", "单位名称", 24),
    Col("from", "开始时间", 16),
    Col("to", "结束时间", 16),
    Col("approved", "是否批准", 8, labels={True: "已批准", False: "未批准"}),
    Col("probes_excluded", "不计入可访问性的探测次数", 12, FMT_INT),
    Col("note", "说明", 30, wrap=True),
    Col("site_id", "站点标识", 12),
)


#: 网站功能's list of failed checks under the matrix: one finding per row, reviewed like any other.
FAILED_CHECK_COLS = (
    Col("name", "单位名称", 24),
    Col("label", "检查项", 16),
    Col("status", "检查结果", 9, labels=CHECK_STATUS_LABELS),
    Col("detail", "情况说明", 40, wrap=True),
    Col("site_id", "站点标识", 12),
    *REVIEW_COLS,
)


def site_checks_sheet(wb: Workbook, ev: Evaluation) -> None:
    """网站功能: site × check, each cell 正常 (green) / 缺失 or 不规范 (red) / 未能检查 (yellow) / 不适用; the
    details of every cell are in site_checks.csv. Under the matrix the failed checks, one finding per row with
    its 问题编号 and the 复核 columns (the review reads them back like any findings table)."""
    matrix = check_matrix(ev.tables["site_checks"], ev.scored)
    matrix = matrix.assign(group_name=matrix["group"].map(ev.rubric.group_label))
    shown = [c for c in CHECKS if (matrix[c] != "").any()] or list(CHECKS)
    checks = tuple(
        Col(c, CHECK_LABELS[c] + ("（参考）" if c in INFORMATIONAL else ""), 9, labels=CHECK_STATUS_LABELS)
        for c in shown
    )
    cols = (*CHECK_SITE_COLS, *checks)
    ws = matrix_sheet(
        wb,
        SHEETS["site_checks"],
        matrix,
        cols,
        coloured=checks,
        fills=CHECK_FILLS,
        freeze="C2",
        below=FAILED_CHECK_COLS,
    )
    table = ev.tables["site_checks"]
    failed = table.loc[table["finding_id"] != ""]
    ws.append([])
    ws.append([cell(ws, f"未通过的检查项（{len(failed)} 项；可在“复核”列确认或排除）", font=SECTION_FONT)])
    append_table(ws, failed, FAILED_CHECK_COLS)
    review_drop_down(ws, FAILED_CHECK_COLS, header_row=len(matrix) + 4, rows=len(failed))


def warnings_sheet(wb: Workbook, ev: Evaluation) -> None:
    """预警: the sites close to a veto line, what to fix first; then the maintenance windows (维护报备)."""
    label = ev.rubric.group_label
    warnings = ev.tables["warnings"]
    windows = ev.tables["maintenance"]
    ws = new_sheet(wb, SHEETS["warnings"], title_rows="2:2")
    set_widths(ws, WARNING_COLS, MAINTENANCE_COLS)
    title = f"接近单项否决的网站（{warnings['site_id'].nunique()} 个；整改顺序 1 为最先整改项）"
    ws.append([cell(ws, title, font=SECTION_FONT)])
    append_table(ws, warnings.assign(group_name=warnings["group"].map(label)), WARNING_COLS)
    ws.append([])
    ws.append([cell(ws, f"维护报备（{len(windows)} 个时段；已批准时段内的探测不计入可访问性）", font=SECTION_FONT)])
    append_table(ws, windows, MAINTENANCE_COLS, fill_rows=~windows["approved"].astype(bool))


# -- per-site rectification workbooks ------------------------------------------------------------------
_UNSAFE_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')


def safe_filename(site_id: str, name: str, limit: int = 60) -> str:
    """``<site_id>-<name>.xlsx`` without path separators, control or reserved characters."""
    cleaned = _UNSAFE_NAME.sub("", name).strip().strip(".").strip()[:limit]
    stem = _UNSAFE_NAME.sub("", site_id).strip(".") or "site"
    return f"{stem}-{cleaned}.xlsx" if cleaned else f"{stem}.xlsx"


def write_site_workbook(
    path: Path,
    *,
    site: pd.Series,
    problems: pd.DataFrame,
    columns: pd.DataFrame,
    links: pd.DataFrame,
    typos: pd.DataFrame,
    as_of: date,
    max_links: int = EXCEL_MAX_HYPERLINKS,
) -> Path:
    """One site's rectification list: problems, problem columns, broken links with source pages, typos."""
    wb = Workbook(write_only=True)
    ws = new_sheet(wb, SITE_SHEETS["summary"], title_rows=None)
    set_widths(ws, SITE_PROBLEM_COLS, first=14)
    score = site["score"]
    info = (
        ("站点标识", site["site_id"]),
        ("首页网址", site["home_url"]),
        ("评估日期", as_of.isoformat()),
        ("得分", "" if pd.isna(score) else f"{score:g}"),
        ("结论", site["verdict"]),
        ("否决原因", site["veto_reasons"] or "无"),
    )
    append_info(ws, f"{site['name']}网站整改清单", info)
    ws.append([])
    append_table(ws, problems, SITE_PROBLEM_COLS)
    bad_columns = columns.loc[~columns["status"].isin(("ok", "unrendered"))]  # unrendered: the crawl's, not the site's
    detail_sheet(wb, SITE_SHEETS["columns"], bad_columns, SITE_COLUMN_COLS)
    detail_sheet(wb, SITE_SHEETS["links"], links.loc[links["broken"]], SITE_LINK_COLS, max_links=max_links)
    detail_sheet(wb, SITE_SHEETS["typos"], typos, SITE_TYPO_COLS)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def write_site_workbooks(ev: Evaluation, folder: Path, max_links: int = EXCEL_MAX_HYPERLINKS) -> list[Path]:
    """OUT/整改/<site_id>-<name>.xlsx for every site that was assessed (合格 or 不合格)."""
    tables = ev.tables
    paths = []
    for _, site in ev.scored.loc[ev.scored["verdict"] != NOT_EVALUATED].iterrows():
        sid = site["site_id"]

        def of(frame: pd.DataFrame, sid: str = sid) -> pd.DataFrame:
            return frame.loc[frame["site_id"] == sid]

        paths.append(
            write_site_workbook(
                folder / safe_filename(sid, site["name"]),
                site=site,
                problems=of(tables["problems"]),
                columns=of(tables["columns"]),
                links=of(tables["links"]),
                typos=of(tables["typos"]),
                as_of=ev.as_of,
                max_links=max_links,
            )
        )
    return paths


# -- the expert evaluation form ------------------------------------------------------------------------
def write_expert_template(path: Path, *, sites: pd.DataFrame, spec: ExpertSpec, rubric: Rubric) -> Path:
    """专家评估表.xlsx: one row per registry site, one column per item, validation 0–max on score cells."""
    item_cols = tuple(Col(f"item_{i}", item_header(it.label, it.max), 16, FMT_SCORE) for i, it in enumerate(spec.items))
    cols = (
        Col("site_id", ID_HEADER, 14),
        Col("name", NAME_HEADER, 30),
        Col("group_name", GROUP_HEADER, 12),
        *item_cols,
        Col("note", NOTE_HEADER, 30, wrap=True),
        Col("home_url", "首页网址", 34, link=True),
    )
    frame = sites.assign(
        group_name=sites["group"].map(rubric.group_label),
        note=sites["home_url"].map(lambda url: "" if url else "无网址，不评估（可不填）"),
        **{c.key: None for c in item_cols},
    )
    wb = Workbook(write_only=True)
    ws = new_sheet(wb, EXPERT_SHEET, freeze="C2")
    set_widths(ws, cols)
    last = len(frame) + 1
    for item, col in zip(spec.items, item_cols, strict=True):
        letter = get_column_letter(cols.index(col) + 1)
        rule = DataValidation(
            type="decimal",
            operator="between",
            formula1="0",
            formula2=f"{item.max:g}",
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="评分超出范围",
            error=f"{col.header}：请输入 0 到 {item.max:g} 之间的数字",
            promptTitle=item.label,
            prompt=f"0–{item.max:g} 分",
            showInputMessage=True,
        )
        rule.add(f"{letter}2:{letter}{max(last, 2)}")
        ws.data_validations.append(rule)
    append_table(ws, frame, cols)
    ws.auto_filter.ref = f"A1:{get_column_letter(len(cols))}{last}"
    notes = new_sheet(wb, EXPERT_NOTES_SHEET, title_rows=None)
    set_widths(notes, EXPERT_ITEM_COLS, first=18)
    info = (
        ("评分规则", rubric.title),
        ("填写方法", f"在“{EXPERT_SHEET}”表中为每个网站的每一评估项填写 0 至满分之间的分数，不要修改站点标识和表头"),
        ("专家评分", f"各项得分之和 ÷ 满分合计（{spec.total:g}分）× 100"),
        (
            "综合得分",
            f"自动评分 × {spec.automatic_weight:.0%} + 专家评分 × {spec.expert_weight:.0%}，排名和优秀网站按综合得分",
        ),
        ("依据", CONFIRMED[spec.confirmed] + "：评估项、分值和权重为本地设定，不代表官方标准"),
    )
    append_info(notes, "专家评估说明", info)
    notes.append([])
    items = pd.DataFrame(
        [{"label": it.label, "max": it.max, "state": CONFIRMED[spec.confirmed]} for it in spec.items],
        columns=[c.key for c in EXPERT_ITEM_COLS],
    )
    append_table(notes, items, EXPERT_ITEM_COLS)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path
