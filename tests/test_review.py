"""The inspector's loop on a real store and real workbooks: stable finding ids, decisions read from a filled
scores.xlsx or review.csv, kept in the store, applied to counts, scores and the problem list, shown greyed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from test_compare import add_run
from test_report_deliverables import rectification_text, security_and_check_rows
from test_scoring import build_store, fixture_rows, read_csv

from scoring import EvaluationOptions, score_run
from scoring.evaluation import evaluate
from scoring.findings import finding_id, is_finding_id, site_finding_id
from scoring.load import ScoringError
from scoring.review import DECISION_HEADER, ID_HEADER, NOTE_HEADER
from scoring.rubric import RUBRIC_DIR


def _by_site(out: Path) -> dict[str, dict[str, str]]:
    return {r["site_id"]: r for r in read_csv(out / "metrics.csv")}


def _column(ws: Any, header: str) -> int:
    return [c.value for c in ws[1]].index(header) + 1


def _mark(ws: Any, fid: str, decision: str, note: str = "") -> int:
    """Set 复核 (and 复核说明) on every row of the finding; returns the rows marked."""
    at_id, at_decision, at_note = (_column(ws, h) for h in (ID_HEADER, DECISION_HEADER, NOTE_HEADER))
    marked = 0
    for row in ws.iter_rows(min_row=2):
        if row[at_id - 1].value == fid:
            row[at_decision - 1].value = decision
            row[at_note - 1].value = note
            marked += 1
    return marked


def _first_finding(out: Path, table: str, **match: str) -> dict[str, str]:
    return next(r for r in read_csv(out / table) if r["finding_id"] and all(r[k] == v for k, v in match.items()))


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("review")
    fx = build_store(tmp)
    first = score_run(EvaluationOptions(fx.db, fx.sites), fx.out)
    link = _first_finding(fx.out, "links.csv", broken="true")
    typo = _first_finding(fx.out, "typos.csv", severity="serious")
    blank = _first_finding(fx.out, "columns.csv", status="blank")
    wb = load_workbook(fx.out / "scores.xlsx")
    assert _mark(wb["链接明细"], link["finding_id"], "排除", "误报：该链接人工访问正常") >= 1
    assert _mark(wb["错别字明细"], typo["finding_id"], "排除", "专有名词") >= 1  # one per context
    assert _mark(wb["栏目明细"], blank["finding_id"], "确认") == 1
    wb.properties.lastModifiedBy = "张审核"
    filled = tmp / "已复核.xlsx"
    wb.save(filled)
    out2 = tmp / "reviewed"
    second = score_run(EvaluationOptions(fx.db, fx.sites, review=filled), out2)
    return {
        "fx": fx,
        "first": first,
        "second": second,
        "out2": out2,
        "link": link,
        "typo": typo,
        "blank": blank,
        "filled": filled,
    }


def test_ids_name_what_a_finding_is_about() -> None:
    fid = finding_id("xunyang", "broken_link", "http://x/gone.html")
    assert is_finding_id(fid)
    assert fid.startswith("BL-")
    assert fid == finding_id("xunyang", "broken_link", "http://x/gone.html")  # every run, every machine
    assert fid != finding_id("shiquan", "broken_link", "http://x/gone.html")
    assert not is_finding_id("ZZ-0123456789")
    assert not is_finding_id("BL-12")


def test_every_problem_row_has_an_id_and_other_rows_none(reviewed: dict[str, Any]) -> None:
    out = reviewed["fx"].out
    for row in read_csv(out / "links.csv"):
        assert bool(row["finding_id"]) == (row["broken"] == "true"), row
    for row in read_csv(out / "columns.csv"):
        assert bool(row["finding_id"]) == (row["status"] in ("blank", "stale")), row
    assert all(is_finding_id(r["finding_id"]) for r in read_csv(out / "typos.csv"))
    history_ids = [r["finding_id"] for r in read_csv(out / "history.csv")]
    assert all(map(is_finding_id, history_ids))


def test_dismissed_findings_leave_the_counts_and_the_problem_list(reviewed: dict[str, Any]) -> None:
    before, after = _by_site(reviewed["fx"].out), _by_site(reviewed["out2"])
    link, typo, blank = reviewed["link"], reviewed["typo"], reviewed["blank"]
    assert int(after[link["site_id"]]["broken_links"]) == int(before[link["site_id"]]["broken_links"]) - 1
    assert int(after[typo["site_id"]]["serious_typos"]) == int(before[typo["site_id"]]["serious_typos"]) - 1
    # a confirmed finding counts as before
    assert after[blank["site_id"]]["blank_columns"] == before[blank["site_id"]]["blank_columns"]
    untouched = set(before) - {link["site_id"], typo["site_id"]}
    for sid in untouched:
        assert after[sid]["score"] == before[sid]["score"], sid
    for sid in {link["site_id"], typo["site_id"]}:
        assert float(after[sid]["deductions"] or 0) <= float(before[sid]["deductions"] or 0)
    # the rows stay in the detail CSVs, marked
    rows = [r for r in read_csv(reviewed["out2"] / "links.csv") if r["finding_id"] == link["finding_id"]]
    assert rows
    assert {r["review"] for r in rows} == {"dismissed"}
    assert {r["review_note"] for r in rows} == {"误报：该链接人工访问正常"}


def test_dismissed_rows_are_greyed_with_their_note_and_logged(reviewed: dict[str, Any]) -> None:
    wb = load_workbook(reviewed["out2"] / "scores.xlsx")
    ws = wb["错别字明细"]
    at_id, at_decision, at_note = (_column(ws, h) for h in (ID_HEADER, DECISION_HEADER, NOTE_HEADER))
    row = next(r for r in ws.iter_rows(min_row=2) if r[at_id - 1].value == reviewed["typo"]["finding_id"])
    assert row[at_decision - 1].value == "排除"
    assert row[at_note - 1].value == "专有名词"
    assert row[0].fill.fgColor.rgb.endswith("D9D9D9")
    rules = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
    assert rules
    assert "确认,排除,待定" in rules[0].formula1
    log = [[c.value for c in r] for r in wb["复核记录"].iter_rows()]
    flat = [v for r in log for v in r if v is not None]
    assert "张审核" in flat
    assert reviewed["link"]["finding_id"] in flat
    decisions = [r[3] for r in log if r and r[0] and str(r[0])[:3] in ("BL-", "ST-", "BC-")]
    assert sorted(decisions) == ["排除", "排除", "确认"]


def test_decisions_hold_without_the_file_and_on_a_later_run_of_an_unchanged_web(reviewed: dict[str, Any]) -> None:
    fx = reviewed["fx"]
    again = fx.out.parent / "again"
    score_run(EvaluationOptions(fx.db, fx.sites), again)
    assert _by_site(again) == _by_site(reviewed["out2"])
    add_run(fx.db, "2016-01", "2015-12-31", fixture_rows())  # a fresh crawl finding the same problems
    later = fx.out.parent / "later"
    result = score_run(EvaluationOptions(fx.db, fx.sites), later)
    assert result.data.run.label == "2016-01"
    link = reviewed["link"]
    assert (
        _by_site(later)[link["site_id"]]["broken_links"] == _by_site(reviewed["out2"])[link["site_id"]]["broken_links"]
    )
    assert {r["review"] for r in read_csv(later / "links.csv") if r["finding_id"] == link["finding_id"]} == {
        "dismissed"
    }


def test_review_csv_and_its_errors_write_nothing(reviewed: dict[str, Any], tmp_path: Path) -> None:
    fx, typo = reviewed["fx"], reviewed["typo"]
    good = tmp_path / "review.csv"
    good.write_text(
        f"finding_id,decision,note,reviewer,date\n{typo['finding_id']},确认,复核后确为错字,李四,2016-01-05\n",
        encoding="utf-8",
    )
    out = tmp_path / "by-csv"
    score_run(EvaluationOptions(fx.db, fx.sites, review=good), out)
    rows = [r for r in read_csv(out / "typos.csv") if r["finding_id"] == typo["finding_id"]]
    assert {r["review"] for r in rows} == {"confirmed"}
    cases = {
        "finding_id,decision\nBL-0000000000,排除\n": "第2行",
        f"finding_id,decision\n{typo['finding_id']},也许\n": "decision 字段",
        "finding_id,decision\nnot-an-id,排除\n": "finding_id 字段",
        "id,decision\n": "缺少字段 finding_id",
    }
    for text, words in cases.items():
        bad = tmp_path / "bad.csv"
        bad.write_text(text, encoding="utf-8")
        nowhere = tmp_path / "nowhere"
        with pytest.raises(ScoringError, match=words):
            score_run(EvaluationOptions(fx.db, fx.sites, review=bad), nowhere)
        assert not nowhere.exists()


def test_a_bad_cell_or_two_different_decisions_name_the_sheet_row_and_cell(
    reviewed: dict[str, Any], tmp_path: Path
) -> None:
    fx = reviewed["fx"]
    wb = load_workbook(reviewed["filled"])
    ws = wb["错别字明细"]
    at_decision = _column(ws, DECISION_HEADER)
    ws.cell(row=2, column=at_decision, value="不确定")
    bad = tmp_path / "bad.xlsx"
    wb.save(bad)
    letter = ws.cell(row=2, column=at_decision).column_letter
    with pytest.raises(ScoringError, match=f"工作表“错别字明细”第2行 {letter}2 单元格"):
        score_run(EvaluationOptions(fx.db, fx.sites, review=bad), tmp_path / "nowhere")
    wb = load_workbook(reviewed["filled"])
    links = wb["链接明细"]
    link_rows = [r for r in links.iter_rows(min_row=2) if r[_column(links, ID_HEADER) - 1].value]
    wb["栏目明细"].cell(row=1, column=1)  # untouched
    extra = wb.create_sheet("另一份复核")
    extra.append([ID_HEADER, DECISION_HEADER])
    extra.append([link_rows[0][_column(links, ID_HEADER) - 1].value, "确认"])
    twice = tmp_path / "twice.xlsx"
    wb.save(twice)
    with pytest.raises(ScoringError, match="复核结论不一致"):
        score_run(EvaluationOptions(fx.db, fx.sites, review=twice), tmp_path / "nowhere")
    assert not (tmp_path / "nowhere").exists()


def test_with_review_required_a_veto_counts_once_its_findings_are_confirmed(tmp_path: Path) -> None:
    fx = build_store(tmp_path / "store")
    plain = _by_site_after(score_run(EvaluationOptions(fx.db, fx.sites), tmp_path / "plain"))
    waiting = _by_site_after(score_run(EvaluationOptions(fx.db, fx.sites, review_required=True), tmp_path / "wait"))
    finding_vetoes = [s for s, r in plain.items() if r["veto_reasons"] and r["evaluation"] == "evaluated"]
    assert finding_vetoes, "the fixture has sites vetoed on findings"
    for sid in finding_vetoes:
        assert waiting[sid]["veto_reasons"] == "", sid
        assert waiting[sid]["veto_pending"] == plain[sid]["veto_reasons"], sid
    untested = [s for s, r in plain.items() if r["evaluation"] == "untested"]
    assert all(waiting[s]["veto_reasons"] == plain[s]["veto_reasons"] for s in untested)  # not a finding
    down = next(s for s in finding_vetoes if plain[s]["home_available"] == "false")
    review = tmp_path / "review.csv"
    review.write_text(f"finding_id,decision\n{site_finding_id(down)},确认\n", encoding="utf-8")
    options = EvaluationOptions(fx.db, fx.sites, review=review, review_required=True)
    confirmed = _by_site_after(score_run(options, tmp_path / "confirmed"))
    reasons = plain[down]["veto_reasons"].split("；")
    home = [r for r in reasons if r.startswith("首页无法访问")]
    assert confirmed[down]["veto_reasons"] == "；".join(home)  # the confirmed one counts
    assert confirmed[down]["veto_pending"] == "；".join(r for r in reasons if r not in home)  # the rest waits


def _by_site_after(result: Any) -> dict[str, dict[str, str]]:
    return {r["site_id"]: r for r in read_csv(result.paths["metrics"])}


def test_a_dismissed_security_finding_leaves_the_counts(tmp_path: Path) -> None:
    rows = fixture_rows()
    page = "http://xunyang.example.gov.cn/gsgg/1.html"
    rows["risks"] = [
        {
            "site_id": "xunyang",
            "kind": "privacy_mobile",
            "url": page,
            "source_url": "",
            "target": "",
            "evidence": "13*******678",
            "severity": "serious",
        },
        {
            "site_id": "xunyang",
            "kind": "wrong_expression",
            "url": page,
            "source_url": "",
            "target": "",
            "evidence": "台湾总统",
            "severity": "veto",
        },
    ]
    fx = build_store(tmp_path / "store", rows=rows)
    first = score_run(EvaluationOptions(fx.db, fx.sites), tmp_path / "a")
    risks = read_csv(first.paths["risks"])
    assert all(r["finding_id"][:3] in ("PM-", "WE-") for r in risks)
    before = _by_site_after(first)["xunyang"]
    assert (before["privacy_leaks"], before["wrong_expressions"]) == ("1", "1")
    wrong = next(r["finding_id"] for r in risks if r["kind"] == "wrong_expression")
    review = tmp_path / "review.csv"
    review.write_text(f"finding_id,decision,note\n{wrong},排除,引用的是新闻原文\n", encoding="utf-8")
    listed = [(r["kind"], r["text"]) for r in read_csv(first.paths["problems"]) if r["site_id"] == "xunyang"]
    assert listed == [("privacy_mobile", "泄露个人手机号码1处"), ("wrong_expression", "存在严重表述错误1处")]
    second = score_run(EvaluationOptions(fx.db, fx.sites, review=review), tmp_path / "b")
    after = _by_site_after(second)["xunyang"]
    assert (after["privacy_leaks"], after["wrong_expressions"]) == ("1", "0")
    listed = [(r["kind"], r["text"]) for r in read_csv(second.paths["problems"]) if r["site_id"] == "xunyang"]
    assert listed == [("privacy_mobile", "泄露个人手机号码1处")]  # the dismissed one is not a problem
    from docx import Document

    from scoring.notice import write_notice

    notice = Document(str(write_notice(evaluate(EvaluationOptions(fx.db, fx.sites, review=review)), tmp_path / "n")))
    text = "\n".join(p.text for p in notice.paragraphs)
    assert "泄露个人手机号码1处" in text
    assert "存在严重表述错误" not in text  # dismissed: not named in the notice either


def test_with_review_required_the_notice_names_unconfirmed_vetoes_as_pending(tmp_path: Path) -> None:
    from docx import Document

    from scoring.evaluation import evaluate
    from scoring.notice import write_notice

    fx = build_store(tmp_path / "store")
    waiting = evaluate(EvaluationOptions(fx.db, fx.sites, review_required=True))
    pending = waiting.scored.loc[waiting.scored["veto_pending"] != "", "site_id"].tolist()
    assert pending
    text = "\n".join(p.text for p in Document(str(write_notice(waiting, tmp_path / "n"))).paragraphs)
    assert "（待复核）" in text
    plain = evaluate(EvaluationOptions(fx.db, fx.sites))
    assert "待复核" not in "\n".join(p.text for p in Document(str(write_notice(plain, tmp_path / "p"))).paragraphs)


def _mark_under_header(ws: Any, fid: str, decision: str, note: str) -> int:
    """Set 复核 on the finding's rows of a table that starts below row 1 (网站功能's failed checks)."""
    rows = list(ws.iter_rows())
    at = next(i for i, row in enumerate(rows) if ID_HEADER in [c.value for c in row])
    headers = [c.value for c in rows[at]]
    at_id, at_decision, at_note = (headers.index(h) for h in (ID_HEADER, DECISION_HEADER, NOTE_HEADER))
    marked = 0
    for row in rows[at + 1 :]:
        if len(row) > at_id and row[at_id].value == fid:
            row[at_decision].value, row[at_note].value = decision, note
            marked += 1
    return marked


def test_a_dismissed_site_check_leaves_the_counts_the_problem_list_and_the_rectification(tmp_path: Path) -> None:
    fx = build_store(tmp_path / "store", rows=security_and_check_rows())
    rubric = RUBRIC_DIR / "checks2019.toml"
    first = score_run(EvaluationOptions(fx.db, fx.sites, rubric=rubric), tmp_path / "a")
    checks = {r["check"]: r["finding_id"] for r in read_csv(first.paths["site_checks"]) if r["site_id"] == "xunyang"}
    before = _by_site_after(first)["xunyang"]
    assert before["checks_failed"] == "2"
    wb = load_workbook(first.paths["workbook"])
    assert _mark_under_header(wb["网站功能"], checks["site_code"], "排除", "标识码在页脚图片中") == 1
    filled = tmp_path / "已复核.xlsx"
    wb.save(filled)
    options = EvaluationOptions(fx.db, fx.sites, rubric=rubric, review=filled)
    second = score_run(options, tmp_path / "b")
    after = _by_site_after(second)["xunyang"]
    assert after["checks_failed"] == "1"
    assert float(after["deductions"] or 0) == float(before["deductions"] or 0) - 1  # 网站标识不规范: 1 point
    row = next(r for r in read_csv(second.paths["site_checks"]) if r["finding_id"] == checks["site_code"])
    assert (row["review"], row["review_note"]) == ("dismissed", "标识码在页脚图片中")  # still listed, marked
    problems = [r for r in read_csv(second.paths["problems"]) if r["kind"] == "checks_failed"]
    assert [(r["site_id"], r["count"], r["text"]) for r in problems] == [
        ("xunyang", "1", "网站功能检查未通过：我为政府网站找错")
    ]
    sheet = load_workbook(second.paths["workbook"])["问题清单"]
    texts = [r[6] for r in sheet.iter_rows(min_row=2, values_only=True) if r[0] == "xunyang"]
    assert "网站功能检查未通过：我为政府网站找错" in texts
    assert not any("网站标识码" in t for t in texts)
    grid = load_workbook(second.paths["workbook"])["网站功能"]
    head = [c.value for c in grid[1]]
    xunyang = next(r for r in grid.iter_rows(min_row=2, values_only=True) if r[0] == "xunyang")
    assert xunyang[head.index("网站标识码")] == "已排除（复核）"  # the grid says so too, in grey
    text = rectification_text(evaluate(options), tmp_path / "notices", "xunyang")
    assert checks["site_code"] not in text
    assert f"问题编号：{checks['jiucuo_entry']}" in text
    assert "网站标识码" not in text
