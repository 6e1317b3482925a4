"""Interaction (政务咨询 letters), services (办事指南) and key disclosure areas (重点领域), scored from a real SQLite
store: metrics, the 互动回应差 veto, CSVs, the 互动回应 / 办事服务 / 重点领域 sheets read back and the notice sentences.

AS_OF 2015-12-31: the 12-month window is 2015-01-01 … 2015-12-31; a letter is overdue when it was submitted more
than 90 days before AS_OF (2015-10-01 or earlier; 2015-10-02 is exactly 90 days and is not).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from openpyxl import load_workbook
from test_scoring import Fixture, build_store, column, fixture_rows

from scoring import EvaluationOptions, score_run
from scoring.cli import main
from scoring.notice import completion_rate, function_sentence, mailbox_period, mailbox_sentence
from scoring.noticecfg import load_notice_config
from scoring.rubric import RUBRIC_DIR, RubricError, load_rubric
from scoring.vocabulary import OUTPUT_COLUMNS
from tests.helpers import SHARED, read_csv

ROOT = Path(__file__).resolve().parents[1]
SEED = SHARED / "seed" / "ankang-2015-website-evaluation-notice.txt"
GUOTU, SHIQUAN, XUNYANG = (f"http://{s}.example.gov.cn/" for s in ("guotu", "shiquan", "xunyang"))
MAILBOX = GUOTU + "jzxx/"
INTERVIEW = GUOTU + "zxft/"
ALL_ELEMENTS = "事项名称|设定依据|申请条件|办理材料|办理地点|办理时间|联系电话|办理流程"


def letter(
    n: int,
    submitted: str,
    answered: str,
    reply: str = "",
    *,
    sid: str = "guotu",
    column_url: str = MAILBOX,
    name: str = "局长信箱",
    excluded: bool = False,
    status: str = "",
) -> dict[str, Any]:
    return {
        "site_id": sid,
        "column_url": column_url,
        "column": name,
        "url": f"{column_url}{n}.html",
        "title": f"来信{n}",
        "submitted_date": submitted,
        "status": status or {"true": "已回复", "false": "未回复", "": "处理中"}[answered],
        "answered": answered,
        "reply_date": reply,
        "excluded": excluded,
    }


def guide(n: int, present: str, forms: int) -> dict[str, Any]:
    return {
        "site_id": "shiquan",
        "column_url": SHIQUAN + "bszn/",
        "url": f"{SHIQUAN}bszn/{n}.html",
        "title": f"办事指南{n}",
        "present": present,
        "missing": "",
        "forms": forms,
    }


def link(url: str, source: str, status: str, broken: bool, anchor: str = "表格下载") -> tuple[dict, dict]:
    ref = {"site_id": "shiquan", "url": url, "source_url": source, "anchor": anchor, "tag": "a"}
    check = {
        "site_id": "shiquan",
        "url": url,
        "status": status,
        "reason": "not_found" if broken else "",
        "broken": broken,
        "final_url": url,
        "checked_at": "2015-12-31T10:00:00+00:00",
    }
    return ref, check


def interaction_rows() -> dict[str, list[dict]]:
    rows = fixture_rows()
    rows["columns"] += [
        column("guotu", "jzxx/", "局长信箱", "interaction", "2015-12-01"),
        column("guotu", "zxft/", "在线访谈", "interaction", "2015-02-01"),
        column("shiquan", "bszn/", "办事指南", "guide", "2015-12-01"),
        # xunyang key areas: 三公经费 ok (previous year), 财政预决算 stale (two years back), 部门预算 missing,
        # 信息公开年报 ok, 政策文件 ok (2015-11-02, fixture), 安全生产 older than 12 months → stale,
        # a blank 部门预算 column is no evidence → still missing
        column("xunyang", "sgjf/", "三公经费", "disclosure", "2014-06-01"),
        column("xunyang", "czyjs/", "财政预决算", "disclosure", "2013-12-31"),
        column("xunyang", "nb/", "政府信息公开年报", "disclosure", "2015-02-01"),
        column("xunyang", "aqsc/", "安全生产", "other", "2014-10-08"),
        column("xunyang", "bmys/", "部门预算", "disclosure", "", status="blank"),
    ]
    rows["list_items"] = [
        *rows.get("list_items", []),
        # an item titled with an area inside a disclosure column is evidence for it (guotu: 三公经费 ok)
        {
            "site_id": "guotu",
            "column_url": "http://guotu.example.gov.cn/gkml/",
            "url": "http://guotu.example.gov.cn/gkml/1.html",
            "title": "安康市国土资源局2015年三公经费预算公开",
            "date": "2015-04-20",
            "date_source": "list",
            "pinned": False,
        },
    ]
    rows["columns"] += [column("guotu", "gkml/", "信息公开目录", "disclosure", "2015-04-20")]
    rows["letters"] = [
        letter(1, "2015-11-01", "true", "2015-11-06"),  # answered on time (5 days)
        letter(2, "2015-03-01", "true", "2015-07-01"),  # answered late (122 days): answered, not overdue
        letter(3, "2015-06-01", "false"),  # never answered, > 90 days: overdue
        letter(4, "2015-05-01", ""),  # unknown status: not overdue by default
        letter(5, "2015-12-01", "false"),  # unanswered but recent
        letter(6, "2015-10-02", "false"),  # exactly 90 days: not overdue
        letter(7, "2014-12-31", "false"),  # outside the 12-month window
        letter(8, "2015-01-01", "false"),  # first day of the window: overdue
        letter(9, "2015-02-01", "false", column_url=INTERVIEW, name="在线访谈", excluded=True),  # excluded
    ]
    rows["guides"] = [
        guide(1, ALL_ELEMENTS, 2),  # complete
        guide(2, "事项名称|申请条件|办理材料|联系电话", 1),  # 4 missing: incomplete
        guide(3, "事项名称|设定依据|申请条件|办理材料|联系电话", 0),  # 3 missing: not incomplete
    ]
    pairs = [
        link(SHIQUAN + "forms/a.doc", SHIQUAN + "bszn/1.html", "200", False),
        link(SHIQUAN + "forms/b.doc", SHIQUAN + "bszn/1.html", "200", False),
        link(SHIQUAN + "forms/c.doc", SHIQUAN + "bszn/2.html", "404", True),
        link(SHIQUAN + "forms/d.xls", SHIQUAN + "bszn/3.html", "404", True),
    ]
    # the same broken form twice on guide 3 (two anchors) counts once
    pairs.append((dict(pairs[-1][0], anchor="下载"), pairs[-1][1]))
    rows["link_refs"] += [ref for ref, _ in pairs]
    rows["link_checks"] += list({c["url"]: c for _, c in pairs}.values())
    return rows


@pytest.fixture(scope="module")
def scored(tmp_path_factory: pytest.TempPathFactory) -> Fixture:
    fx = build_store(tmp_path_factory.mktemp("interaction"), rows=interaction_rows())
    score_run(EvaluationOptions(fx.db, fx.sites), fx.out)
    return fx


@pytest.fixture(scope="module")
def metrics(scored: Fixture) -> dict[str, dict[str, str]]:
    return {r["site_id"]: r for r in read_csv(scored.out / "metrics.csv")}


# -- metrics and veto ----------------------------------------------------------------------------------
def test_metrics_columns_appended_after_the_existing_ones(scored: Fixture) -> None:
    header = list(read_csv(scored.out / "metrics.csv")[0])
    assert header == list(OUTPUT_COLUMNS)
    tail = header[header.index("final_score") + 1 :]
    assert tail[:3] == ["letters_12m", "answered_12m", "unanswered_90d"]
    assert {
        "answer_rate_12m",
        "reply_days_median",
        "reply_days_max",
        "key_areas_missing",
        "key_areas_stale",
        "guides_checked",
        "guides_incomplete",
        "forms_linked",
        "forms_broken",
    } <= set(tail)


def test_letter_metrics(metrics: dict[str, dict[str, str]]) -> None:
    guotu = metrics["guotu"]
    assert guotu["letters_12m"] == "7"  # letters 1–6 and 8; 7 is outside the window, 9 excluded
    assert guotu["answered_12m"] == "2"
    assert guotu["unanswered_90d"] == "2"  # letters 3 and 8
    assert guotu["letters_unknown_12m"] == "1"
    assert float(guotu["answer_rate_12m"]) == pytest.approx(2 / 7, abs=1e-4)
    assert float(guotu["reply_days_median"]) == 63.5
    assert guotu["reply_days_max"] == "122"
    assert (guotu["excluded_letters_12m"], guotu["excluded_unanswered_90d"]) == ("1", "1")
    assert (guotu["consultation_channels"], guotu["no_consultation_channel"]) == ("1", "false")
    xunyang = metrics["xunyang"]
    assert (xunyang["letters_12m"], xunyang["unanswered_90d"], xunyang["answer_rate_12m"]) == ("0", "0", "")
    # gongxin's only interaction column is 在线访谈: not a consultation channel
    assert metrics["gongxin"]["no_consultation_channel"] == "true"
    # not crawled: no figures at all
    assert metrics["yanwu"]["letters_12m"] == ""
    assert metrics["yanwu"]["no_consultation_channel"] == ""


def test_interaction_veto(metrics: dict[str, dict[str, str]]) -> None:
    assert "互动回应差：2封信件超过3个月未回复" in metrics["guotu"]["veto_reasons"].split("；")
    assert not any("互动回应差" in r["veto_reasons"] for sid, r in metrics.items() if sid != "guotu")


def _rubric_variant(tmp_path: Path, *replacements: tuple[str, str]) -> Path:
    text = (RUBRIC_DIR / "census2015.toml").read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    path = tmp_path / "variant.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_unknown_status_and_threshold_are_rubric_options(tmp_path: Path) -> None:
    fx = build_store(tmp_path / "store", rows=interaction_rows())
    unknown = _rubric_variant(tmp_path, ("unknown_is_unanswered = false", "unknown_is_unanswered = true"))
    score_run(EvaluationOptions(fx.db, fx.sites, rubric=unknown), fx.out)
    guotu = next(r for r in read_csv(fx.out / "metrics.csv") if r["site_id"] == "guotu")
    assert guotu["unanswered_90d"] == "3"  # letter 4 (unknown, 2015-05-01) now counts
    assert "互动回应差：3封信件超过3个月未回复" in guotu["veto_reasons"]
    higher = _rubric_variant(
        tmp_path,
        ("min = 1           # veto when", "min = 3           # veto when"),
    )
    score_run(EvaluationOptions(fx.db, fx.sites, rubric=higher), fx.out)
    guotu = next(r for r in read_csv(fx.out / "metrics.csv") if r["site_id"] == "guotu")
    assert "互动回应差" not in guotu["veto_reasons"]


def test_checks2019_vetoes_a_site_without_consultation_channel(tmp_path: Path) -> None:
    fx = build_store(tmp_path, rows=interaction_rows())
    score_run(EvaluationOptions(fx.db, fx.sites, rubric="checks2019"), fx.out)
    rows = {r["site_id"]: r for r in read_csv(fx.out / "metrics.csv")}
    reason = "互动回应差：未发现政务咨询渠道（领导信箱、在线咨询等栏目）"
    assert reason in rows["xunyang"]["veto_reasons"]
    assert reason in rows["gongxin"]["veto_reasons"]  # 在线访谈 only
    assert reason not in rows["guotu"]["veto_reasons"]
    assert "服务不实用" not in "".join(r["veto_reasons"] for r in rows.values())  # threshold unpublished: off
    assert rows["shiquan"]["guides_incomplete"] == "1"


def test_service_metrics_and_deductions(metrics: dict[str, dict[str, str]]) -> None:
    shiquan = metrics["shiquan"]
    assert shiquan["guides_checked"] == "3"
    assert shiquan["guides_incomplete"] == "1"
    assert shiquan["guide_elements_missing"] == "7"
    assert shiquan["forms_linked"] == "3"
    assert shiquan["forms_broken"] == "2"
    assert shiquan["no_services"] == "false"
    assert "办事指南要素缺失−1；办事表格和附件无法下载−1" in shiquan["deduction_detail"]
    assert metrics["fagai"]["no_services"] == "true"
    assert metrics["xunyang"]["no_services"] == "false"  # a guide column, no guide pages collected


def test_key_area_metrics(metrics: dict[str, dict[str, str]]) -> None:
    assert (metrics["xunyang"]["key_areas_missing"], metrics["xunyang"]["key_areas_stale"]) == ("1", "2")
    # guotu: 三公经费 only as an item title in its disclosure column (evidence), 政策法规 stale, 4 missing
    assert (metrics["guotu"]["key_areas_missing"], metrics["guotu"]["key_areas_stale"]) == ("4", "1")
    assert (metrics["fagai"]["key_areas_missing"], metrics["fagai"]["key_areas_stale"]) == ("6", "0")
    assert metrics["yanwu"]["key_areas_missing"] == ""


# -- CSVs ----------------------------------------------------------------------------------------------
def test_interaction_csv(scored: Fixture) -> None:
    rows = read_csv(scored.out / "interaction.csv")
    assert list(rows[0])[:11] == [
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
    ]
    assert len(rows) == 9
    by_title = {r["title"]: r for r in rows}
    flags = {t: (r["in_window"], r["overdue"], r["excluded"]) for t, r in by_title.items()}
    assert flags == {
        "来信1": ("true", "false", "false"),
        "来信2": ("true", "false", "false"),
        "来信3": ("true", "true", "false"),
        "来信4": ("true", "false", "false"),
        "来信5": ("true", "false", "false"),
        "来信6": ("true", "false", "false"),
        "来信7": ("false", "false", "false"),
        "来信8": ("true", "true", "false"),
        "来信9": ("true", "true", "true"),
    }
    assert (by_title["来信2"]["reply_days"], by_title["来信4"]["answered"]) == ("122", "")
    assert by_title["来信9"]["column"] == "在线访谈"


def test_services_and_key_areas_csv(scored: Fixture) -> None:
    guides = {r["title"]: r for r in read_csv(scored.out / "services.csv")}
    assert guides["办事指南2"]["missing"] == "设定依据|办理地点|办理时间|办理流程"
    assert (guides["办事指南2"]["incomplete"], guides["办事指南2"]["forms_broken"]) == ("true", "1")
    assert (guides["办事指南3"]["missing_count"], guides["办事指南3"]["incomplete"]) == ("3", "false")
    assert (guides["办事指南3"]["forms_broken"], guides["办事指南1"]["forms_broken"]) == ("1", "0")
    areas = read_csv(scored.out / "key_areas.csv")
    xunyang = {r["label"]: r for r in areas if r["site_id"] == "xunyang"}
    assert {k: r["status"] for k, r in xunyang.items()} == {
        "三公经费": "ok",
        "财政预决算": "stale",
        "部门预算": "missing",
        "政府信息公开年报": "ok",
        "政策法规": "ok",
        "安全生产": "stale",
    }
    assert xunyang["财政预决算"]["newest_date"] == "2013-12-31"
    assert xunyang["财政预决算"]["cutoff"] == "2014-01-01"
    assert xunyang["财政预决算"]["column_url"] == XUNYANG + "czyjs/"
    assert {r["site_id"] for r in areas} == {"xunyang", "shiquan", "ziyang", "guotu", "fagai", "gongxin"}


# -- workbook ------------------------------------------------------------------------------------------
def _tables(ws: Any) -> list[list[list[Any]]]:
    """The blocks of a summary-and-rows sheet, split at blank rows (section title first)."""
    blocks: list[list[list[Any]]] = [[]]
    for row in ws.iter_rows(values_only=True):
        if all(v is None for v in row):
            blocks.append([])
        else:
            blocks[-1].append(list(row))
    return [b for b in blocks if b]


def test_interaction_sheet(scored: Fixture) -> None:
    wb = load_workbook(scored.out / "scores.xlsx")
    ws = wb["互动回应"]
    summary, letters = _tables(ws)
    assert summary[0][0] == "政务咨询信件办理情况（按网站）"
    head = summary[1]
    guotu = dict(zip(head, next(r for r in summary[2:] if r[0] == "guotu"), strict=True))
    assert (guotu["近12个月来信"], guotu["已回复"], guotu["超3个月未回复"]) == (7, 2, 2)
    assert guotu["最长回复天数"] == 122
    xunyang = dict(zip(head, next(r for r in summary[2:] if r[0] == "xunyang"), strict=True))
    assert (xunyang["政务咨询栏目"], xunyang["近12个月来信"], xunyang["回复率"]) == (0, 0, None)  # every site listed
    assert letters[0][0] == "信件明细"
    rows = [dict(zip(letters[1], r, strict=True)) for r in letters[2:]]
    by_title = {r["信件标题"]: r for r in rows}
    assert by_title["来信3"]["超3个月未回复"] == "是"
    assert by_title["来信4"]["回复情况"] == "未知"
    assert by_title["来信1"]["回复情况"] == "已回复"
    assert by_title["来信9"]["访谈/征集/举报类"] == "是"
    url_col = letters[1].index("信件网址") + 1
    cells = next(ws.iter_cols(min_col=url_col, max_col=url_col))
    link_cell = next(c for c in cells if c.value == MAILBOX + "3.html")
    assert link_cell.hyperlink is not None
    assert link_cell.hyperlink.target == MAILBOX + "3.html"
    assert ws.auto_filter.ref is not None
    assert ws.auto_filter.ref.startswith(f"A{len(summary) + 3}:")


def test_services_sheet(scored: Fixture) -> None:
    ws = load_workbook(scored.out / "scores.xlsx")["办事服务"]
    summary, guides = _tables(ws)
    shiquan = dict(zip(summary[1], next(r for r in summary[2:] if r[0] == "shiquan"), strict=True))
    assert (shiquan["办事指南数"], shiquan["要素缺失指南"], shiquan["表格附件无法下载"]) == (3, 1, 2)
    rows = {r[2]: dict(zip(guides[1], r, strict=True)) for r in guides[2:]}
    assert rows["办事指南2"]["缺失要素"] == "设定依据|办理地点|办理时间|办理流程"
    assert rows["办事指南2"]["要素不全"] == "是"


def test_key_areas_sheet(scored: Fixture) -> None:
    ws = load_workbook(scored.out / "scores.xlsx")["重点领域"]
    head = [c.value for c in ws[1]]
    areas = ["三公经费", "财政预决算", "部门预算", "政府信息公开年报", "政策法规", "安全生产"]
    assert head == ["站点标识", "单位名称", "分组", *areas, "缺失", "过期"]
    row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "xunyang")
    values = dict(zip(head, row, strict=True))
    assert [values[a].value for a in head[3:9]] == ["正常", "过期", "缺失", "正常", "正常", "过期"]
    assert values["三公经费"].fill.fgColor.rgb.endswith("C6EFCE")
    assert values["财政预决算"].fill.fgColor.rgb.endswith("FFEB9C")
    assert values["部门预算"].fill.fgColor.rgb.endswith("FFC7CE")
    assert (values["缺失"].value, values["过期"].value) == (1, 2)
    assert "yanwu" not in [r[0].value for r in ws.iter_rows(min_row=2)]


def test_problem_list_gains_the_function_problems(scored: Fixture) -> None:
    problems = read_csv(scored.out / "problems.csv")
    found = {(r["site_id"], r["kind"]): (r["count"], r["text"]) for r in problems}
    assert found[("guotu", "letters_overdue")] == ("2", "2封咨询信件超过3个月未回复")
    assert found[("shiquan", "guides_incomplete")] == ("1", "1个办事指南要素不全")
    assert found[("shiquan", "forms_broken")] == ("2", "2个办事表格或附件无法下载")
    assert found[("xunyang", "key_areas_stale")] == ("2", "财政预决算、安全生产栏目未及时更新")
    assert found[("guotu", "key_areas_stale")] == ("1", "政策法规栏目未及时更新")
    assert not [k for k in found if k[1] == "key_areas_missing"]  # not named unless configured
    ws = load_workbook(scored.out / "scores.xlsx")["问题清单"]
    kinds = {r[4] for r in ws.iter_rows(min_row=2, values_only=True)}
    assert {"咨询信件超期未回复", "办事指南要素不全", "重点领域信息公开不及时"} <= kinds


# -- notice --------------------------------------------------------------------------------------------
SEED_MAILBOX = "市政府网站市长信箱2015年共受理来信4262封，办结4257封，办结率达99%"


def test_seed_mailbox_sentence_from_counts() -> None:
    config = load_notice_config()
    sentence = mailbox_sentence(
        config.mailbox["sentence"],
        site=config.mailbox["label"],
        column="市长信箱",
        period=mailbox_period(date(2015, 12, 31), date(2015, 1, 1)),
        received=4262,
        answered=4257,
    )
    assert sentence == SEED_MAILBOX
    assert completion_rate(4262, 4257) == 99  # rounded down, never 100 with letters open
    assert completion_rate(4, 4) == 100
    assert completion_rate(0, 0) == 0


@pytest.mark.shared
def test_seed_mailbox_sentence_is_the_seed_notices() -> None:
    assert SEED_MAILBOX in SEED.read_text(encoding="utf-8").replace(",", "，")


def test_function_sentence_shape() -> None:
    assert function_sentence([("部分网站甲", ["A网站1处", "B网站2处"]), ("部分网站乙", [])]) == (
        "部分网站甲，如A网站1处，B网站2处；部分网站乙"
    )


def _paragraphs(path: Path) -> list[str]:
    return [p.text for p in Document(str(path)).paragraphs]


def test_notice_sentences_from_the_store(scored: Fixture) -> None:
    args = [
        "notice",
        "--db",
        str(scored.db),
        "--out",
        str(scored.out / "notice"),
        "--sites",
        str(scored.sites),
        "--date",
        "2016-01-26",
    ]
    assert main(args) == 0
    paras = _paragraphs(scored.out / "notice" / "通报（草稿）.docx")
    assert paras[5].endswith("主要表现在：")
    # 28% answered: no praise in the heading (praise.answer_rate_pct of notice.toml)
    assert paras[6] == "（一）政民互动情况。市国土局网站局长信箱2015年共受理来信7封，办结2封，办结率达28%。"
    issues = paras.index("二、存在的问题")
    function = next(p for p in paras[issues:] if p.startswith("（二）"))
    assert function == (
        "（二）网站功能缺失、实用性不高。"
        "部分网站财政预决算、政策法规、安全生产等重点领域信息公开不及时，"
        "如旬阳县政府网站财政预决算、安全生产栏目未及时更新，市国土局网站政策法规栏目未及时更新；"
        "部分网站公共服务能力不足，办事服务流程不清晰，必要的表格和文件缺失，"
        "如石泉县政府网站1个办事指南要素不全、2个办事表格或附件无法下载；"
        "部分网站政民互动渠道不畅通，公众咨询投诉无回应，如市国土局网站2封咨询信件超过3个月未回复。"
    )
    named = next(p for p in paras[issues:] if p.startswith("（一）"))
    assert "咨询信件" not in named
    assert "办事指南" not in named


def test_seed_mailbox_sentence_from_a_store(tmp_path: Path) -> None:
    """4262 letters to the configured portal's 市长信箱 in 2015, 4257 answered → the seed's sentence."""
    rows = fixture_rows()
    box = XUNYANG + "szxx/"
    rows["columns"].append(column("xunyang", "szxx/", "市长信箱", "interaction", "2015-12-30"))
    rows["letters"] = [
        letter(
            i,
            f"2015-{1 + i % 11:02d}-{1 + i % 28:02d}",
            "true",
            "2015-12-20",
            sid="xunyang",
            column_url=box,
            name="市长信箱",
        )
        for i in range(4257)
    ] + [letter(5000 + i, "2015-12-20", "false", sid="xunyang", column_url=box, name="市长信箱") for i in range(5)]
    rows["letters"].append(letter(9000, "2015-06-01", "false", column_url=MAILBOX))  # guotu: fewer letters
    fx = build_store(tmp_path, rows=rows)
    config = (ROOT / "data" / "notice" / "notice.toml").read_text(encoding="utf-8")
    assert 'site = ""' in config
    requirements = ROOT / "data" / "notice" / "requirements.md"
    edited = config.replace('site = ""', 'site = "xunyang"').replace(
        'requirements = "requirements.md"', f'requirements = "{requirements}"'
    )
    (tmp_path / "notice.toml").write_text(edited, encoding="utf-8")
    args = [
        "notice",
        "--db",
        str(fx.db),
        "--out",
        str(fx.out),
        "--sites",
        str(fx.sites),
        "--date",
        "2016-01-26",
        "--notice-config",
        str(tmp_path / "notice.toml"),
    ]
    assert main(args) == 0
    paras = _paragraphs(fx.out / "通报（草稿）.docx")
    assert f"（一）政民互动回应深入推进。{SEED_MAILBOX}。" in paras
    assert mailbox_period(date(2016, 6, 30), date(2015, 7, 1)) == "2015年7月1日至2016年6月30日"


def test_bad_interaction_rubric_names_the_key(tmp_path: Path) -> None:
    path = _rubric_variant(tmp_path, ("incomplete_min = 4", "incomplete_min = 0"))
    with pytest.raises(RubricError) as info:
        load_rubric(path)
    assert info.value.key == "services.incomplete_min"
    old = 'keywords = ["安全生产"]\nwindow = "12m"'
    path = _rubric_variant(tmp_path, (old, old.replace("12m", "soon")))
    with pytest.raises(RubricError) as info:
        load_rubric(path)
    assert info.value.key == "key_areas[5].window"
