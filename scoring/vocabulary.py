"""The scoring vocabulary: output column names, status codes and the Chinese labels of those codes.

Every module of ``scoring`` that names a column of metrics.csv, a CSV table, a site's evaluation state, a
verdict or a problem kind takes the name from here, so the metrics, the rubric, the workbook and the notice
agree by construction. This is the bottom module of ``scoring``: it imports nothing from ``scoring`` (only the
registry's column categories and the crawl's render-failure reasons), and holds no logic. Sheet layout (headers,
widths, formats) stays in :mod:`scoring.report`.
"""

from __future__ import annotations

from govsites.registry import CATEGORIES
from govsites.rendering import RENDER_FAILURE_LABELS

# -- site evaluation states and verdicts ---------------------------------------------------------------
#: ``evaluation`` of a registry site: crawled in the run; in the registry with a URL but not crawled; no URL;
#: started but not finished in an unfinished run (scored with ``--allow-unfinished``).
EVALUATED, UNTESTED, NO_URL, UNFINISHED = "evaluated", "untested", "no_url", "unfinished"
#: ``evaluation`` of a site the crawl could not read: an anti-bot challenge not passed (run_sites.status
#: ``blocked``, govsites.antibot); 未评估 with that reason, never down and never "no problems".
BLOCKED = "blocked"
#: ``verdict``: 合格, 不合格 (a veto or a score under the pass mark), 未评估 (not evaluated: no score, no rank,
#: out of every count, rate and average).
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

# -- content security (issue 16; docs/security.md) ------------------------------------------------------------
#: metrics.csv counts of risks.csv rows per site (``security_veto``: the veto-severity ones, for the rubric)
SECURITY_COUNT_COLUMNS = (
    "privacy_leaks",
    "hidden_links",
    "bad_external_links",
    "closed_site_links",
    "wrong_expressions",
    "tampering",
    "unreadable_attachments",
    "security_veto",
)
#: metrics.csv counts of what the security checks could not see (risks.csv notice rows), after the columns of
#: earlier versions: ``unrendered_homes``, home pages whose render did not complete (dark links read raw only)
SECURITY_COVERAGE_COLUMNS = ("unrendered_homes",)
#: the risks.csv ``kind`` codes counted in each metric
SECURITY_KIND_METRIC = {
    "privacy_id_number": "privacy_leaks",
    "privacy_mobile": "privacy_leaks",
    "privacy_bank_card": "privacy_leaks",
    "hidden_link": "hidden_links",
    "bad_external_link": "bad_external_links",
    "closed_site_link": "closed_site_links",
    "wrong_expression": "wrong_expressions",
    "tampering": "tampering",
    "unreadable_attachment": "unreadable_attachments",
    "unrendered_home": "unrendered_homes",
}
RISKS_COLUMNS = ("site_id", "kind", "url", "source_url", "target", "evidence", "severity", "name")
RISK_KIND = {
    "privacy_id_number": "泄露身份证号码",
    "privacy_mobile": "泄露手机号码",
    "privacy_bank_card": "泄露银行卡号",
    "hidden_link": "暗链",
    "bad_external_link": "外部链接被劫持或指向不良网站",
    "closed_site_link": "链接到已关停网站",
    "wrong_expression": "严重表述错误",
    "tampering": "网页疑似被篡改",
    "unreadable_attachment": "附件无法读取",
    "unrendered_home": "首页未能渲染（暗链检查不完整）",
}
RISK_SEVERITY = {"veto": "单项否决", "serious": "严重", "notice": "提示"}
#: How the notice, 问题清单 and the 整改通知 word a site's findings of one risks.csv kind: phrase and measure
#: word, before the count ("泄露公民身份证号码3处"; never the number that leaked, whose evidence stays masked),
#: in this order. Unreadable attachments are the analyst's: listed, not named in the notice.
SECURITY_PHRASES = {
    "privacy_id_number": ("泄露公民身份证号码", "处"),
    "privacy_bank_card": ("泄露银行卡号", "处"),
    "privacy_mobile": ("泄露个人手机号码", "处"),
    "hidden_link": ("存在赌博、色情等暗链", "个"),
    "bad_external_link": ("链接到赌博、色情或已被抢注的不良网站", "处"),
    "closed_site_link": ("链接到已关停网站", "处"),
    "wrong_expression": ("存在严重表述错误", "处"),
    "tampering": ("首页疑似被篡改", "处"),
    "unreadable_attachment": ("附件无法读取", "个"),
    "unrendered_home": ("首页未能渲染", "次"),
}
NOT_IN_NOTICE = ("unreadable_attachment", "unrendered_home")

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
#: The checks whose failure counts (``checks_failed``; each failure is a ``failed_check`` finding).
COUNTED_CHECKS = (*IDENTITY_CHECKS, *FUNCTION_CHECKS)
#: 问题清单's text of a site's failed checks ({checks}: their Chinese names, in check order).
CHECKS_FAILED_PHRASE = "网站功能检查未通过：{checks}"
SITECHECK_COUNT_COLUMNS = ("checks_failed", "identity_checks_failed", "function_checks_failed")
#: An inspector's decision to dismiss a finding (scoring.review): a failed check so decided reads 已排除.
DISMISSED = "dismissed"
CHECK_STATUS_LABELS = {
    "ok": "正常",
    "missing": "缺失",
    "wrong": "不规范",
    "not_applicable": "不适用",
    "error": "未能检查",
    DISMISSED: "已排除（复核）",
}
#: site_checks.csv, warnings.csv, maintenance.csv.
SITE_CHECK_COLUMNS = ("site_id", "check", "status", "detail", "label", "name")
#: The kind of problems.csv row that lists a site's failed checks.
CHECKS_FAILED = "checks_failed"
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
    "unrendered_columns",
    "broken_links",
    "broken_links_home",
    "broken_links_other",
    "links_checked",
    "links_unchecked",
    "pages_blocked",
    "serious_typos",
    "typos",
    "general_typos",
    *INTERACTION_COUNT_COLUMNS,
    *SECURITY_COUNT_COLUMNS,
    *SECURITY_COVERAGE_COLUMNS,
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
    "pages_blocked",
    "veto_pending",
    *SECURITY_COUNT_COLUMNS,
    "checks_failed",
    "unrendered_columns",
    *SECURITY_COVERAGE_COLUMNS,
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
    "render_error",
    "render_detail",
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
TYPOS_COLUMNS = ("site_id", "url", "wrong", "right", "context", "severity", "kind", "name", "pages")
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
#: ``unrendered``: the area's only evidence is a column whose list the browser could not render (not judged)
KEY_AREA_STATUSES = ("ok", "stale", "missing", "unrendered")
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
    **RISK_KIND,  # content security: one row per site and risks.csv kind
    CHECKS_FAILED: "网站功能检查未通过",
}
#: history.csv: a problem is identified by (site_id, kind, key) and gets a status (see :mod:`scoring.history`).
PROBLEM_KEY = ("site_id", "kind", "key")
HISTORY_COLUMNS = (*PROBLEM_KEY, "status")
HISTORY_STATUSES = ("fixed", "new", "recurring", "persisting")
#: content-security kinds compared run over run (tampering is itself a comparison with the run before; an
#: unreadable attachment is a note, not a problem to fix)
SECURITY_HISTORY_KINDS = (
    "privacy_id_number",
    "privacy_mobile",
    "privacy_bank_card",
    "hidden_link",
    "bad_external_link",
    "closed_site_link",
    "wrong_expression",
)
HISTORY_KINDS = (
    "blank_column",
    "stale_column",
    "broken_link",
    "serious_typo",
    "home_unavailable",
    *SECURITY_HISTORY_KINDS,
    "failed_check",
)

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
    "stale": "未更新",
    "blank": "空白",
    "undated": "无日期",
    "unreachable": "无法访问",
    "unrendered": "未能渲染",
}
#: columns.csv ``render_error`` of an ``unrendered`` column (its list needed the browser, whose render did not
#: complete; govsites.rendering) → its reason in 栏目明细 and 评估范围
RENDER_ERROR = RENDER_FAILURE_LABELS
#: links.csv ``status`` (an HTTP code as text, or a reason of govsites.linkcheck.classify) → 检测结果; HTTP codes
#: not listed are labelled by their class (see scoring.report.link_status_label).
LINK_STATUS = {
    UNCHECKED: "未检测",
    "blocked_by_policy": "未检测（内网地址）",
    "skipped": "未检测（已跳过）",
    "blocked": "被拦截",
    "refused": "拒绝连接",
    "timeout": "超时",
    "dns": "域名无法解析",
    "soft_404": "软404",
    "reset": "连接被重置",
    "tls": "证书或加密连接错误",
    "redirect_loop": "重定向循环",
    "too_many_redirects": "重定向次数过多",
    "error": "其他错误",
    "404": "页面不存在（404）",
    "410": "页面已删除（410）",
    "403": "禁止访问（403）",
    "500": "服务器错误（500）",
}
#: link statuses that mean "not checked" (counted in ``links_unchecked``, never broken).
UNCHECKED_STATUSES = (UNCHECKED, "blocked_by_policy", "skipped")
#: columns.csv ``found_by`` → 发现方式
FOUND_BY = {
    "nav": "导航",
    "more": "更多",
    "sitemap": "站点地图",
    "pinned": "指定",
    "tab": "标签页",
    "link": "链接",
    "crawl": "链接",
}
#: history.csv ``status`` and ``kind`` → 整改跟踪
HISTORY_STATUS = {"fixed": "已整改", "new": "新发现", "persisting": "未整改", "recurring": "复现"}
HISTORY_KIND = {
    "blank_column": "空白栏目",
    "stale_column": "栏目未更新",
    "broken_link": "错误链接",
    "serious_typo": "严重错别字",
    "home_unavailable": "首页无法访问",
    **{kind: RISK_KIND[kind] for kind in SECURITY_HISTORY_KINDS},
    "failed_check": "网站功能检查未通过",
}
SEVERITY = {"serious": "严重", "general": "一般"}
TYPO_KIND = {"homophone": "同音", "lookalike": "形近", "known_pair": "已知错例", "variant": "异形词"}
EVALUATION = {
    EVALUATED: "已评估",
    UNTESTED: "未检测（本次运行未抓取）",
    NO_URL: "登记表中无网址",
    UNFINISHED: "抓取未完成",
    BLOCKED: "反爬拦截",
}
#: the score cell of a vetoed site in the workbook (followed by its reasons).
VETOED_SCORE = "否决"
HOME_SOURCE = {"probes": "探测", "page": "首页抓取", "none": "无"}
ANSWERED = {"true": "已回复", "false": "未回复", "": "未知"}
KEY_AREA_STATUS = {"ok": "正常", "stale": "过期", "missing": "缺失", "unrendered": "未能渲染"}
