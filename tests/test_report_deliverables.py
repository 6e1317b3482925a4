"""问题清单, per-site rectification workbooks (sanitised names) and 整改通知, read back with openpyxl and
python-docx."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from test_scoring import FORMULA_TITLE, ROOT, SITES_CSV, build_store, fixture_rows, read_csv

from scoring import EvaluationOptions, score_run
from scoring.evaluation import evaluate
from scoring.rectify import write_rectifications
from scoring.report import safe_filename
from scoring.rubric import RUBRIC_DIR


def test_problem_sheet_in_notice_terms(tmp_path: Path) -> None:
    rows = fixture_rows()
    s = "http://shiquan.example.gov.cn/"
    rows["columns"].append({**rows["columns"][5], "url": s + "k9/", "name": "空栏目9"})  # 6 blank: > 5
    for i in range(16):
        url = f"{s}dead{i}.html"
        rows["link_refs"].append({"site_id": "shiquan", "url": url, "source_url": s, "anchor": "死链", "tag": "a"})
        rows["link_checks"].append(
            {
                "site_id": "shiquan",
                "url": url,
                "status": "404",
                "reason": "not_found",
                "broken": True,
                "final_url": url,
                "checked_at": "2015-12-31T10:00:00+00:00",
            }
        )
    fx = build_store(tmp_path, rows=rows)
    score_run(EvaluationOptions(fx.db, fx.sites), fx.out)
    ws = load_workbook(fx.out / "scores.xlsx")["问题清单"]
    header = ["站点标识", "单位名称", "简称", "分组", "问题类型", "数量", "问题表述（通报用语）"]
    assert [c.value for c in ws[1]] == [*header, "问题编号", "复核", "复核说明"]
    assert ws.freeze_panes == "A2"
    found = list(ws.iter_rows(min_row=2, values_only=True))
    shiquan = [r for r in found if r[0] == "shiquan"]
    assert [(r[4], r[5], r[6]) for r in shiquan] == [
        ("空白栏目", 6, "空白栏目超过5个"),
        ("错误或无效链接", 17, "错误或无效链接超过15处"),
    ]
    assert shiquan[0][2] == "石泉县"
    ziyang = next(r for r in found if r[0] == "ziyang" and r[4] == "首页不可访问")
    assert (ziyang[5], ziyang[6]) == (1, "3次抽查中1次不能访问首页")
    fagai = next(r for r in found if r[0] == "fagai")
    assert (fagai[2], fagai[4], fagai[5], fagai[6]) == ("市发改委", "严重错别字", 1, "存在严重错别字1处")
    assert next(r for r in found if r[0] == "yanwu")[6] == "本次未能检测"
    assert not [r for r in found if r[0] in ("xunyang", "gongxin", "hengkou")]
    problems = read_csv(fx.out / "problems.csv")
    contract = ["site_id", "name", "short_name", "group", "kind", "count", "text"]
    assert list(problems[0]) == [*contract, "finding_id", "review", "review_note"]
    home = next(r for r in problems if r["site_id"] == "ziyang" and r["kind"] == "home_unreachable")
    assert home["finding_id"].startswith("HU-")  # a site-level finding the inspector can confirm here


def test_safe_filename() -> None:
    assert safe_filename("gtj", "安康市国土资源局") == "gtj-安康市国土资源局.xlsx"
    assert safe_filename("x", '../..\\a/b:c*?"<>|\x00\x1f名') == "x-abc名.xlsx"
    assert safe_filename("x", "...") == "x.xlsx"
    assert "/" not in safe_filename("x", "a/" * 100)


def test_per_site_workbooks(tmp_path: Path) -> None:
    fx = build_store(tmp_path)
    fx.sites.write_text(SITES_CSV.replace("安康市盐务局", "安康市盐务局/../\x07x"), encoding="utf-8")
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
            "--per-site",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    folder = fx.out / "整改"
    names = sorted(p.name for p in folder.iterdir())
    assert "shiquan-石泉县人民政府.xlsx" in names
    assert not any(n.startswith(("hengkou", "yanwu")) for n in names)  # 未评估 (no URL, not crawled): no list
    assert len(names) == 6
    wb = load_workbook(folder / "shiquan-石泉县人民政府.xlsx")
    assert wb.sheetnames == ["问题汇总", "栏目问题", "不可用链接", "错别字"]
    info = [[c.value for c in row] for row in wb["问题汇总"].iter_rows()]
    assert info[0][0] == "石泉县人民政府网站整改清单"
    assert ["否决原因", "空白栏目5个"] in [r[:2] for r in info]
    columns = list(wb["栏目问题"].iter_rows(min_row=2, values_only=True))
    assert len(columns) == 5
    assert {r[5] for r in columns} == {"空白"}
    links = wb["不可用链接"]
    assert [c.value for c in links[1]][:3] == ["所在页面", "链接文字", "链接地址"]
    assert links.max_row == 3  # the broken URL from both of its source pages
    assert links.cell(2, 3).hyperlink is not None
    assert links.cell(2, 1).hyperlink.target == links.cell(2, 1).value
    fagai = load_workbook(folder / "fagai-安康市发展和改革委员会.xlsx")
    typos = list(fagai["错别字"].iter_rows(min_row=2, values_only=True))
    assert {t[3] for t in typos} >= {"另一处攻府"}
    anchor = fagai["不可用链接"].cell(2, 2)
    assert anchor.value == FORMULA_TITLE
    assert anchor.data_type == "s"


# -- content security and failed site checks in 问题清单 and the 整改通知 ------------------------------------------
XUNYANG_PAGE = "http://xunyang.example.gov.cn/gsgg/1.html"
#: masked as the crawl stores them (govsites.securitypipeline): the number itself never reaches scoring
LEAKED_IDS = tuple(f"610921********{i:04d}" for i in range(3))


def security_and_check_rows() -> dict[str, list[dict]]:
    """The fixture with 旬阳县 (otherwise without problems) leaking 3 ID numbers, hiding 1 dark link and failing
    2 counted checks (site_code missing, jiucuo_entry wrong); https missing is informational."""
    rows = fixture_rows()
    risk = {"site_id": "xunyang", "url": XUNYANG_PAGE, "source_url": "", "target": "", "severity": "veto"}
    rows["risks"] = [{**risk, "kind": "privacy_id_number", "evidence": e} for e in LEAKED_IDS]
    rows["risks"].append({**risk, "kind": "hidden_link", "target": "http://bad.example.com/", "evidence": "博彩"})
    checks = (
        ("site_code", "missing", "首页未见网站标识码"),
        ("jiucuo_entry", "wrong", "找错入口链接失效"),
        ("search", "ok", ""),
        ("https", "missing", "未启用HTTPS"),
    )
    rows["site_checks"] = [{"site_id": "xunyang", "check_name": c, "status": s, "detail": d} for c, s, d in checks]
    return rows


def rectification_text(ev: Any, out: Path, site_id: str) -> str:
    """The site's 整改通知 as written (paragraphs and the feedback table), read back with python-docx."""
    from docx import Document

    path = next(p for p in write_rectifications(ev, out) if p.name.startswith(f"{site_id}-"))
    doc = Document(str(path))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([*(p.text for p in doc.paragraphs), *cells])


def test_security_findings_and_failed_checks_are_listed_with_their_ids(tmp_path: Path) -> None:
    fx = build_store(tmp_path, rows=security_and_check_rows())
    options = EvaluationOptions(fx.db, fx.sites, rubric=RUBRIC_DIR / "checks2019.toml")
    score_run(options, fx.out)
    problems = [r for r in read_csv(fx.out / "problems.csv") if r["site_id"] == "xunyang"]
    assert [(r["kind"], r["count"], r["text"]) for r in problems] == [
        ("privacy_id_number", "3", "泄露公民身份证号码3处"),  # right after home_unreachable: a veto-level risk
        ("hidden_link", "1", "存在赌博、色情等暗链1个"),
        ("checks_failed", "2", "网站功能检查未通过：网站标识码、我为政府网站找错"),
    ]
    ws = load_workbook(fx.out / "scores.xlsx")["问题清单"]
    shown = [(r[4], r[5], r[6]) for r in ws.iter_rows(min_row=2, values_only=True) if r[0] == "xunyang"]
    assert shown == [
        ("泄露身份证号码", 3, "泄露公民身份证号码3处"),
        ("暗链", 1, "存在赌博、色情等暗链1个"),
        ("网站功能检查未通过", 2, "网站功能检查未通过：网站标识码、我为政府网站找错"),
    ]
    checks = {r["check"]: r for r in read_csv(fx.out / "site_checks.csv") if r["site_id"] == "xunyang"}
    assert checks["site_code"]["finding_id"].startswith("FC-")
    assert checks["jiucuo_entry"]["finding_id"].startswith("FC-")
    assert checks["search"]["finding_id"] == checks["https"]["finding_id"] == ""  # ok; informational
    sheet = load_workbook(fx.out / "scores.xlsx")["网站功能"]
    listed = {r[-3] for r in sheet.iter_rows(values_only=True) if r and r[-3]}
    assert {checks["site_code"]["finding_id"], checks["jiucuo_entry"]["finding_id"]} <= listed

    ev = evaluate(options)
    text = rectification_text(ev, tmp_path / "notices", "xunyang")
    risk_ids = [r["finding_id"] for r in read_csv(fx.out / "risks.csv") if r["site_id"] == "xunyang"]
    assert len(risk_ids) == 4
    for fid in [*risk_ids, checks["site_code"]["finding_id"], checks["jiucuo_entry"]["finding_id"]]:
        assert f"问题编号：{fid}" in text
    assert "泄露身份证号码" in text
    assert "网站标识码：缺失（首页未见网站标识码）" in text
    assert "单项否决：安全、泄密事故等严重问题" in text
    assert "扣分项：网站标识不规范" in text
    assert all(e in text for e in LEAKED_IDS)  # the masked evidence, as in risks.csv
    assert "HTTPS" not in text
