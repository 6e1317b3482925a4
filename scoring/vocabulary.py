"""The scoring vocabulary: output column names, status codes and the Chinese labels of those codes.

Every module of ``scoring`` that names a column of metrics.csv, a CSV table, a site's evaluation state, a
verdict or a problem kind takes the name from here, so the metrics, the rubric, the workbook and the notice
agree by construction. This is the bottom module of ``scoring``: it imports nothing from ``scoring`` (only the
registry's column categories), and holds no logic. Sheet layout (headers, widths, formats) stays in
:mod:`scoring.report`.
"""

from __future__ import annotations

from govsites.registry import CATEGORIES

# -- site evaluation states and verdicts ---------------------------------------------------------------
#: ``evaluation`` of a registry site: crawled in the run; in the registry with a URL but not crawled; no URL.
EVALUATED, UNTESTED, NO_URL = "evaluated", "untested", "no_url"
#: ``verdict``: 合格, 不合格 (a veto or a score under the pass mark), 未评估 (no URL: no score, no rank).
PASS, FAIL, NOT_EVALUATED = "合格", "不合格", "未评估"
#: links.csv ``status`` of a link occurrence that was never checked (not counted as broken).
UNCHECKED = "unchecked"

# -- metrics.csv ---------------------------------------------------------------------------------------
STALE_BY_CATEGORY = tuple(f"stale_{c}" for c in CATEGORIES)
LETTER_COUNTS = (
    "letters_12m",
    "answered_12m",
    "unanswered_90d",
    "letters_unknown_12m",
    "excluded_letters_12m",
    "excluded_unanswered_90d",
    "consultation_channels",
)
GUIDE_COUNTS = ("guides_checked", "guides_incomplete", "guide_elements_missing", "forms_linked", "forms_broken")
KEY_AREA_COUNTS = ("key_areas_missing", "key_areas_stale")
#: Counts (Int64, missing for sites not evaluated) and flags (boolean) of :mod:`scoring.interaction`.
INTERACTION_COUNT_COLUMNS = (*LETTER_COUNTS, *GUIDE_COUNTS, *KEY_AREA_COUNTS)
INTERACTION_FLAG_COLUMNS = ("no_consultation_channel", "no_services")
INTERACTION_VALUE_COLUMNS = ("answer_rate_12m", "reply_days_median", "reply_days_max")
# -- site checks (scoring.sitechecks): failed = missing or wrong; informational checks never count -----------
IDENTITY_CHECKS = ("site_code", "icp_record", "police_record", "conac_mark", "domain_rule", "page_tags")
FUNCTION_CHECKS = (
    "jiucuo_entry",
    "search",
    "viewport",
    "accessibility_entry",
    "annual_report",
    "policy_interpretation",
)
FAILED_CHECK_STATUSES = ("missing", "wrong")
SITECHECK_COUNT_COLUMNS = ("checks_failed", "identity_checks_failed", "function_checks_failed")
CHECK_STATUS_LABELS = {
    "ok": "正常",
    "missing": "缺失",
    "wrong": "不规范",
    "not_applicable": "不适用",
    "error": "未能检查",
}
#: site_checks.csv, warnings.csv, maintenance.csv.
SITE_CHECK_COLUMNS = ("site_id", "check", "status", "detail", "label", "name")
WARNING_COLUMNS = (
    "site_id",
    "name",
    "group",
    "priority",
    "metric",
    "label",
    "value",
    "warn_at",
    "veto_at",
    "detail",
)
MAINTENANCE_COLUMNS = ("site_id", "name", "from", "to", "approved", "note", "probes_excluded")

COUNT_COLUMNS = (
    "home_probes",
    "home_failures",
    "columns_total",
    "blank_columns",
    "stale_columns",
    "stale_key_columns",
    *STALE_BY_CATEGORY,
    "undated_columns",
    "unreachable_columns",
    "broken_links",
    "broken_links_home",
    "broken_links_other",
    "links_checked",
    "links_unchecked",
    "serious_typos",
    "typos",
    "general_typos",
    *INTERACTION_COUNT_COLUMNS,
    *SITECHECK_COUNT_COLUMNS,
)
FLAG_COLUMNS = (
    "home_available",
    "home_unavailable",
    "home_unprobed",
    "home_updated",
    "home_not_updated",
    "home_undated",
    *INTERACTION_FLAG_COLUMNS,
)
#: Every metric a rubric may name (veto ``metric``/``alt_when``, deduction ``metric``).
METRIC_COLUMNS = (
    *COUNT_COLUMNS,
    *FLAG_COLUMNS,
    "home_failure_rate",
    "home_failure_pct",
    "home_days_since_update",
    "pages",
    *INTERACTION_VALUE_COLUMNS,
)
#: metrics.csv column order: the fixed contract first, then extensions (only ever appended).
OUTPUT_COLUMNS = (
    "site_id",
    "name",
    "group",
    "county",
    "home_available",
    "home_probes",
    "home_failures",
    "columns_total",
    "blank_columns",
    "stale_columns",
    "broken_links",
    "broken_links_home",
    "serious_typos",
    "score",
    "verdict",
    "veto_reasons",
    "home_updated",
    "undated_columns",
    "unreachable_columns",
    "typos",
    "deductions",
    "rank_in_group",
    "excellent",
    "pages",
    "evaluation",
    "home_url",
    "crawl_status",
    "crawl_error",
    "home_failure_rate",
    "home_source",
    "home_newest",
    "home_days_since_update",
    "home_update_source",
    "stale_key_columns",
    *STALE_BY_CATEGORY,
    "broken_links_other",
    "links_checked",
    "links_unchecked",
    "general_typos",
    "deduction_detail",
    "vetoed",
    "expert_score",
    "final_score",
    "letters_12m",
    "answered_12m",
    "unanswered_90d",
    "answer_rate_12m",
    "reply_days_median",
    "reply_days_max",
    "letters_unknown_12m",
    "excluded_letters_12m",
    "excluded_unanswered_90d",
    "consultation_channels",
    "no_consultation_channel",
    "guides_checked",
    "guides_incomplete",
    "guide_elements_missing",
    "forms_linked",
    "forms_broken",
    "no_services",
    "key_areas_missing",
    "key_areas_stale",
    "pages_capped",
    "veto_pending",
    "checks_failed",
)

# -- the detail CSVs ------------------------------------------------------------------------------------
#: columns.csv, links.csv, typos.csv, interaction.csv, services.csv, key_areas.csv, problems.csv.
COLUMNS_COLUMNS = (
    "site_id",
    "column",
    "url",
    "category",
    "newest_date",
    "items",
    "status",
    "date_source",
    "found_by",
    "name",
    "on_home",
    "stale_before",
)
LINKS_COLUMNS = (
    "site_id",
    "url",
    "source_url",
    "anchor",
    "status",
    "reason",
    "broken",
    "tag",
    "final_url",
    "name",
    "on_home",
)
TYPOS_COLUMNS = ("site_id", "url", "wrong", "right", "context", "severity", "kind", "name")
LETTER_TABLE = (
    "site_id",
    "column",
    "url",
    "title",
    "submitted_date",
    "status",
    "answered",
    "reply_date",
    "excluded",
    "in_window",
    "overdue",
    "reply_days",
    "column_url",
    "name",
)
GUIDE_TABLE = (
    "site_id",
    "title",
    "url",
    "present",
    "missing",
    "missing_count",
    "incomplete",
    "forms",
    "forms_broken",
    "column_url",
    "name",
)
KEY_AREA_TABLE = ("site_id", "area", "label", "status", "newest_date", "cutoff", "columns", "column_url", "name")
KEY_AREA_STATUSES = ("ok", "stale", "missing")
PROBLEM_COLUMNS = ("site_id", "name", "short_name", "group", "kind", "count", "text")
#: problems.csv ``kind`` → its label in 问题清单.
KIND_LABELS = {
    "untested": "未检测",
    "home_unreachable": "首页不可访问",
    "blank_over": "空白栏目",
    "stale_over": "栏目更新不及时",
    "columns_either": "栏目更新不及时或空白",
    "links_over": "错误或无效链接",
    "links_some": "错误链接",
    "serious_typos": "严重错别字",
    "home_not_updated": "首页不更新",
    "key_areas_stale": "重点领域信息公开不及时",
    "key_areas_missing": "重点领域栏目缺失",
    "guides_incomplete": "办事指南要素不全",
    "forms_broken": "办事表格和附件无法下载",
    "letters_overdue": "咨询信件超期未回复",
}
#: history.csv: a problem is identified by (site_id, kind, key) and gets a status (see :mod:`scoring.history`).
PROBLEM_KEY = ("site_id", "kind", "key")
HISTORY_COLUMNS = (*PROBLEM_KEY, "status")
HISTORY_STATUSES = ("fixed", "new", "recurring", "persisting")
HISTORY_KINDS = ("blank_column", "stale_column", "broken_link", "serious_typo", "home_unavailable")

# -- Chinese labels of the codes above ------------------------------------------------------------------
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
LINK_STATUS = {UNCHECKED: "未检测"}
SEVERITY = {"serious": "严重", "general": "一般"}
TYPO_KIND = {"homophone": "同音", "lookalike": "形近", "known_pair": "已知错例", "variant": "异形词"}
EVALUATION = {EVALUATED: "已评估", UNTESTED: "未检测", NO_URL: "无网址"}
HOME_SOURCE = {"probes": "探测", "page": "首页抓取", "none": "无"}
ANSWERED = {"true": "已回复", "false": "未回复", "": "未知"}
KEY_AREA_STATUS = {"ok": "正常", "stale": "过期", "missing": "缺失"}
