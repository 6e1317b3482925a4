"""Expert evaluation: the form (with data validation) and merging a filled form into the scores."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook
from test_scoring import ROOT, Fixture, build_store, read_csv

from scoring.cli import main

ITEMS = ["网站设计（满分10）", "信息内容（满分10）", "互动服务（满分10）", "办事服务（满分10）"]


def _template(fx: Fixture) -> Path:
    assert main(["expert-template", "--sites", str(fx.sites), "--out", str(fx.out)]) == 0
    return fx.out / "专家评估表.xlsx"


def _fill(path: Path, scores: dict[str, list[object]], target: Path, extra: list[object] | None = None) -> Path:
    wb = load_workbook(path)
    ws = wb["专家评估"]
    for row in ws.iter_rows(min_row=2):
        sid = row[0].value
        if sid in scores:
            for cell, value in zip(row[3:7], scores[sid], strict=True):
                cell.value = value
    if extra:
        ws.append(extra)
    wb.save(target)
    return target


FULL = {
    "xunyang": [10, 10, 10, 10],
    "shiquan": [5, 5, 5, 5],
    "ziyang": [8, 8, 8, 8],
    "guotu": [10, 10, 10, 10],
    "fagai": [0, 0, 0, 0],
    "gongxin": [7.5, 7.5, 7.5, 7.5],
    "yanwu": [6, 6, 6, 6],
}


def test_template_layout_and_validation(tmp_path: Path) -> None:
    fx = build_store(tmp_path)
    path = _template(fx)
    wb = load_workbook(path)
    assert wb.sheetnames == ["专家评估", "说明"]
    ws = wb["专家评估"]
    assert [c.value for c in ws[1]] == ["站点标识", "单位名称", "分组", *ITEMS, "备注", "首页网址"]
    assert ws.cell(2, len(ITEMS) + 5).value.startswith("http")  # the home page beside each site
    assert ws.page_setup.orientation == "landscape"
    assert ws.print_title_rows == "$1:$1"
    ids = [r[0] for r in ws.iter_rows(min_row=2, values_only=True)]
    assert ids == ["xunyang", "shiquan", "ziyang", "guotu", "fagai", "gongxin", "yanwu", "hengkou"]
    assert ws.freeze_panes == "C2"  # 站点标识 and 单位名称 stay in view
    rules = ws.data_validations.dataValidation
    assert len(rules) == 4
    assert {(r.type, r.operator, r.formula1, r.formula2) for r in rules} == {("decimal", "between", "0", "10")}
    assert {str(r.sqref) for r in rules} == {f"{c}2:{c}9" for c in "DEFG"}
    notes = [c.value for row in wb["说明"].iter_rows() for c in row if c.value]
    assert "未确认" in notes
    assert any("自动评分 × 70% + 专家评分 × 30%" in str(v) for v in notes)


def test_expert_merge_changes_final_score_and_rank(tmp_path: Path) -> None:
    fx = build_store(tmp_path)
    filled = _fill(_template(fx), FULL, tmp_path / "filled.xlsx")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "scoring",
            "--db",
            str(fx.db),
            "--out",
            str(fx.out),
            "--sites",
            str(fx.sites),
            "--expert",
            str(filled),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    rows = {r["site_id"]: r for r in read_csv(fx.out / "metrics.csv")}
    header = list(rows["xunyang"])
    assert header[header.index("vetoed") + 1 : header.index("vetoed") + 3] == ["expert_score", "final_score"]
    assert (rows["xunyang"]["expert_score"], rows["xunyang"]["final_score"]) == ("100.0", "100.0")
    # vetoed sites (fagai, guotu) have no score, hence no combined score, whatever the experts gave
    assert (rows["fagai"]["final_score"], rows["fagai"]["rank_in_group"]) == ("", "2")
    assert (rows["guotu"]["final_score"], rows["guotu"]["rank_in_group"]) == ("", "2")
    assert rows["gongxin"]["expert_score"] == "75.0"
    assert rows["yanwu"]["final_score"] == ""  # untested: no automatic score
    assert rows["hengkou"]["expert_score"] == ""
    ws = load_workbook(fx.out / "scores.xlsx")["分组排名"]
    assert [c.value for c in ws[1]][-2:] == ["专家评分", "综合得分"]


def test_without_expert_columns_are_empty(tmp_path: Path) -> None:
    fx = build_store(tmp_path)
    assert main(["--db", str(fx.db), "--out", str(fx.out), "--sites", str(fx.sites)]) == 0
    rows = read_csv(fx.out / "metrics.csv")
    assert {(r["expert_score"], r["final_score"]) for r in rows} == {("", "")}
    ws = load_workbook(fx.out / "scores.xlsx")["分组排名"]
    assert "专家评分" not in [c.value for c in ws[1]]


@pytest.mark.parametrize(
    ("change", "extra", "expected"),
    [
        ({"fagai": [0, 0, 11, 0]}, None, ["第 6 行", "F列（互动服务）", "超出范围（0–10）"]),
        ({"fagai": [0, None, 1, 0]}, None, ["第 6 行", "E列（信息内容）", "缺少站点 fagai 的评分"]),
        ({"fagai": [0, "好", 1, 0]}, None, ["第 6 行", "E列（信息内容）", "应为数字"]),
        ({}, ["nosuch", "某单位", "县区组", 1, 1, 1, 1], ["第 10 行", "A列（站点标识）", "登记表中没有站点 nosuch"]),
        ({}, ["fagai", "重复", "政府机构组", 1, 1, 1, 1], ["第 10 行", "与第 6 行重复"]),
    ],
)
def test_bad_expert_form_exits_2_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], change: dict, extra: list | None, expected: list[str]
) -> None:
    fx = build_store(tmp_path)
    filled = _fill(_template(fx), FULL | change, tmp_path / "filled.xlsx", extra)
    code = main(["--db", str(fx.db), "--out", str(fx.out), "--sites", str(fx.sites), "--expert", str(filled)])
    assert code == 2
    err = capsys.readouterr().err
    assert f"专家评估表 {filled}" in err
    for text in expected:
        assert text in err
    assert not (fx.out / "metrics.csv").exists()
    assert not (fx.out / "scores.xlsx").exists()


def test_missing_site_and_wrong_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fx = build_store(tmp_path)
    template = _template(fx)
    wb = load_workbook(template)
    wb["专家评估"].delete_rows(3)  # shiquan
    partial = tmp_path / "partial.xlsx"
    wb.save(partial)
    filled = _fill(partial, FULL, tmp_path / "partial-filled.xlsx")
    base = ["--db", str(fx.db), "--out", str(fx.out), "--sites", str(fx.sites), "--expert"]
    assert main([*base, str(filled)]) == 2
    assert "缺少以下站点的评分：shiquan" in capsys.readouterr().err
    fake = tmp_path / "fake.xlsx"
    fake.write_text("not a workbook", encoding="utf-8")
    assert main([*base, str(fake)]) == 2
    assert "不是有效的 Excel" in capsys.readouterr().err
    assert main([*base, str(tmp_path / "none.xlsx")]) == 2
    assert "文件不存在" in capsys.readouterr().err
    other = load_workbook(template)
    other["专家评估"].title = "Sheet1"
    other.save(tmp_path / "renamed.xlsx")
    assert main([*base, str(tmp_path / "renamed.xlsx")]) == 2
    assert "缺少工作表“专家评估”" in capsys.readouterr().err
    assert not (fx.out / "metrics.csv").exists()
