"""Before/after census reductions (baseline CSV or run) and run-over-run history, on real SQLite stores."""

from __future__ import annotations

import csv
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from openpyxl import load_workbook
from test_scoring import CRAWLED, SITES_CSV, build_store, check, column, fixture_rows, read_csv, typo

from govsites.store import Store
from scoring import EvaluationOptions, score_run
from scoring.baseline import REDUCTIONS, BaselineError, figure, read_baseline_csv, reduction_sentence, reductions
from scoring.cli import main

SEED_BLANK = "空白栏目个数由平均每网站9个降至0.36个，降低96%"
SEED_STALE = "更新不及时栏目个数由平均每网站10个降至0.78个，减少92%"
SEED_LINKS = "链接不可用数由平均每网站12个降至1.07个，降低91%"


def _spread(total: int, sites: int) -> list[int]:
    """``sites`` integer counts summing to ``total``."""
    return [total // sites + (1 if i < total % sites else 0) for i in range(sites)]


def test_seed_reductions_from_per_site_counts() -> None:
    before = pd.DataFrame(
        {
            "site_id": [f"s{i}" for i in range(65)],
            "blank_columns": [9] * 65,
            "stale_columns": _spread(650, 65),
            "broken_links": _spread(780, 65),
        }
    )
    after = pd.DataFrame(
        {
            "site_id": [f"s{i}" for i in range(102)],
            "evaluation": ["evaluated"] * 101 + ["no_url"],  # only evaluated sites count
            "pages": [12] * 100 + [0, 0],  # ... and only those the crawl could read
            "blank_columns": [*_spread(36, 100), 50, 50],
            "stale_columns": [*_spread(78, 100), 50, 50],
            "broken_links": [*_spread(107, 100), 50, 50],
        }
    )
    table = reductions(before, after).set_index("metric")
    assert table.loc["blank_columns", ["before", "after", "reduction_pct"]].tolist() == [9, 0.36, 96]
    assert table.loc["stale_columns", ["before", "after", "reduction_pct"]].tolist() == [10, 0.78, 92]
    assert table.loc["broken_links", ["before", "after", "reduction_pct"]].tolist() == [12, 1.07, 91]
    assert table["sentence"].tolist() == [SEED_BLANK, SEED_STALE, SEED_LINKS]
    assert table["sites_after"].tolist() == [100, 100, 100]
    # the seed names the baseline in its first sentence only
    named = reductions(before, after, since="普查前")["sentence"].tolist()
    assert named[0] == "空白栏目个数由普查前的平均每网站9个降至0.36个，降低96%"
    assert named[1:] == [SEED_STALE, SEED_LINKS]


def test_figures_and_edge_sentences() -> None:
    assert [figure(v) for v in (9, 9.0, 0.36, 1.0704, 0.5, 0)] == ["9", "9", "0.36", "1.07", "0.50", "0"]
    blank = REDUCTIONS[0]
    assert reduction_sentence(blank, 2, 3) == "空白栏目个数由平均每网站2个增至3个，增加50%"
    assert reduction_sentence(blank, 0, 0) == "空白栏目个数由平均每网站0个，与基准持平"


@pytest.mark.parametrize(
    ("text", "line", "field"),
    [
        ("site_id,blank_columns,broken_links\na,1,2\n", 1, "stale_columns"),
        ("site_id,blank_columns,stale_columns,broken_links\na,1,2,3\nb,1,x,3\n", 3, "stale_columns"),
        ("site_id,blank_columns,stale_columns,broken_links\na,1,2,3\na,1,2,3\n", 3, "site_id"),
        ("site_id,blank_columns,stale_columns,broken_links\n,1,2,3\n", 2, "site_id"),
        ("site_id,blank_columns,stale_columns,broken_links\na,1,2,-3\n", 2, "broken_links"),
    ],
)
def test_bad_baseline_names_file_line_field(tmp_path: Path, text: str, line: int, field: str) -> None:
    path = tmp_path / "baseline.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(BaselineError) as info:
        read_baseline_csv(path)
    assert (info.value.line, info.value.field) == (line, field)
    assert str(path) in str(info.value)
    assert f"第 {line} 行" in str(info.value)


def test_bad_baseline_cli_exits_2_and_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fx = build_store(tmp_path)
    bad = tmp_path / "before.csv"
    bad.write_text("site_id,blank_columns,stale_columns,broken_links\nxunyang,9,十,12\n", encoding="utf-8")
    args = ["--db", str(fx.db), "--out", str(fx.out), "--sites", str(fx.sites), "--baseline", str(bad)]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert str(bad) in err
    assert "第 2 行" in err
    assert "stale_columns" in err
    assert not fx.out.exists()
    assert main([*args[:-1], "no-such-run"]) == 2
    assert "没有标签为 no-such-run 的运行" in capsys.readouterr().err


def test_baseline_csv_in_workbook_and_csv(tmp_path: Path) -> None:
    fx = build_store(tmp_path)
    baseline = tmp_path / "census.csv"
    baseline.write_text(
        "\ufeffsite_id,blank_columns,stale_columns,broken_links,note\nxunyang,9,10,12,x\nclosed,9,10,12,\n",
        encoding="utf-8",
    )
    result = score_run(EvaluationOptions(fx.db, fx.sites, baseline=str(baseline)), fx.out)
    # this run: 6 evaluated sites; blank 5 (shiquan), stale 5 (guotu), broken 3 (shiquan, fagai, gongxin)
    rows = {r["metric"]: r for r in read_csv(fx.out / "reductions.csv")}
    assert rows["blank_columns"]["sentence"] == "空白栏目个数由平均每网站9个降至0.83个，降低91%"
    assert rows["stale_columns"]["sentence"] == "更新不及时栏目个数由平均每网站10个降至0.83个，减少92%"
    assert rows["broken_links"]["sentence"] == "链接不可用数由平均每网站12个降至0.50个，降低96%"
    assert (rows["broken_links"]["sites_before"], rows["broken_links"]["sites_after"]) == ("2", "6")
    assert result.evaluation is not None
    ws = load_workbook(fx.out / "scores.xlsx")["总览"]
    values = [[c.value for c in row] for row in ws.iter_rows()]
    head = next(i for i, row in enumerate(values) if row[:2] == ["指标", "基准网站数"])
    assert values[head][:6] == ["指标", "基准网站数", "本次网站数", "基准平均每网站", "本次平均每网站", "降幅（%）"]
    assert values[head + 1][:7] == ["空白栏目", 2, 6, 9, 0.83, 91, "空白栏目个数由平均每网站9个降至0.83个，降低91%"]
    assert values[head + 3][5] == 96
    flat = [v for row in values for v in row if v is not None]
    assert any(str(v).startswith(f"文件 {baseline}") for v in flat)
    with zipfile.ZipFile(fx.out / "scores.xlsx") as zf:
        charts = [zf.read(n).decode() for n in zf.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) == 2
    assert any("整改前后对比" in c and "barChart" in c for c in charts)


# -- several runs ----------------------------------------------------------------------------------------
def add_run(db: Path, label: str, as_of: str, rows: dict[str, list[dict]]) -> None:
    registry = list(csv.DictReader(SITES_CSV.splitlines()))
    with Store(db) as store:
        run = store.begin_run(label, as_of)
        store.start_sites(run.id, [r for r in registry if r["site_id"] in CRAWLED])
        for table, table_rows in rows.items():
            store.insert(run.id, table, table_rows)
        for sid in CRAWLED:
            store.finish_site(run.id, sid, "finished", 1)
        store.finish_run(run.id)


def _variant(
    *, blank_back: bool, link_broken: bool, stale: bool, typo_found: bool, leak: bool = False, no_jiucuo: bool = False
) -> dict[str, list[dict]]:
    """The fixture with six switchable problems on xunyang (a leaked mobile number, a missing 找错 entry)."""
    rows = fixture_rows()
    x = "http://xunyang.example.gov.cn/"
    rows["columns"] = [c for c in rows["columns"] if not (c["site_id"] == "xunyang" and c["url"] == x + "zcwj/")]
    rows["columns"].append(
        column(
            "xunyang",
            "zcwj/",
            "政策文件",
            "policy",
            "" if blank_back else "2015-11-02",
            status="blank" if blank_back else "ok",
        )
    )
    if stale:
        rows["columns"].append(column("xunyang", "gsgg/", "公示公告", "notice", "2014-01-01"))
    rows["link_refs"].append(
        {"site_id": "xunyang", "url": x + "gone.html", "source_url": x, "anchor": "旧", "tag": "a"}
    )
    rows["link_checks"].append(check("xunyang", x + "gone.html", "404" if link_broken else "200", link_broken))
    if typo_found:
        rows["typos"].append(typo("xunyang", x + "index.html", "中华人民共合国", "中华人民共和国", "serious"))
    if leak:
        rows["risks"] = [
            {
                "site_id": "xunyang",
                "kind": "privacy_mobile",
                "url": x + "gs.html",
                "source_url": "",
                "target": "",
                "evidence": "手机号码 13******678",
                "severity": "serious",
            }
        ]
    detail = "首页未见“我为政府网站找错”入口" if no_jiucuo else "首页有找错入口"
    check_row = {"check_name": "jiucuo_entry", "status": "missing" if no_jiucuo else "ok", "detail": detail}
    rows["site_checks"] = [{"site_id": "xunyang", **check_row}]
    return rows


@pytest.fixture(scope="module")
def three_runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path, Any]:
    tmp = tmp_path_factory.mktemp("history")
    db, sites, out = tmp / "store.sqlite", tmp / "sites.csv", tmp / "out"
    sites.write_text(SITES_CSV, encoding="utf-8")
    add_run(
        db,
        "2015-10",
        "2015-12-31",
        _variant(blank_back=True, link_broken=False, stale=False, typo_found=False, leak=True, no_jiucuo=True),
    )
    add_run(
        db,
        "2015-11",
        "2015-12-31",
        _variant(blank_back=False, link_broken=True, stale=True, typo_found=False, leak=True, no_jiucuo=False),
    )
    add_run(
        db,
        "2015-12",
        "2015-12-31",
        _variant(blank_back=True, link_broken=False, stale=True, typo_found=True, leak=False, no_jiucuo=True),
    )
    result = score_run(EvaluationOptions(db, sites), out, per_site=True)
    return db, sites, out, result


def test_history_statuses(three_runs: tuple[Path, Path, Path, Any]) -> None:
    _, _, out, result = three_runs
    assert result.data.run.label == "2015-12"
    rows = read_csv(out / "history.csv")
    assert list(rows[0]) == ["site_id", "kind", "key", "status", "finding_id", "review", "review_note"]
    x = "http://xunyang.example.gov.cn/"
    mine = {(r["kind"], r["key"]): r["status"] for r in rows if r["site_id"] == "xunyang"}
    assert mine == {
        ("blank_column", x + "zcwj/"): "recurring",  # blank in Oct, fixed in Nov, blank again in Dec
        ("stale_column", x + "gsgg/"): "persisting",
        ("broken_link", x + "gone.html"): "fixed",
        ("serious_typo", x + "index.html|中华人民共合国"): "new",
        ("privacy_mobile", x + "gs.html||手机号码 13******678"): "fixed",  # the leak was taken down
        ("failed_check", "jiucuo_entry"): "recurring",  # the 找错 entry came back in Nov, went again in Dec
    }
    # unchanged problems of the other sites persist
    shiquan = {r["status"] for r in rows if r["site_id"] == "shiquan"}
    assert shiquan == {"persisting"}
    ziyang = [r for r in rows if r["site_id"] == "ziyang"]
    assert [(r["kind"], r["key"], r["status"]) for r in ziyang] == [("home_unavailable", "home", "persisting")]


def test_history_sheet_counts(three_runs: tuple[Path, Path, Path, Any]) -> None:
    _, _, out, _ = three_runs
    wb = load_workbook(out / "scores.xlsx")
    ws = wb["整改跟踪"]
    values = [tuple(c.value for c in row) for row in ws.iter_rows()]
    assert values[0][0] == "各网站整改情况（问题个数）"
    assert list(values[1][:7]) == ["站点标识", "单位名称", "分组", "已整改", "新增", "反弹", "未整改"]
    detail = next(i for i, row in enumerate(values) if row[0] == "问题明细（与上次检查比较）")
    rows = {r[0]: r for r in values[2 : detail - 1]}
    assert rows["xunyang"][:7] == ("xunyang", "旬阳县人民政府", "县区组", 2, 1, 2, 1)
    assert rows["shiquan"][3:7] == (0, 0, 0, 6)  # five blank columns and one broken link
    # the problems themselves: site, problem, first seen, status in Chinese
    header = ["单位名称", "问题类型", "问题对象（栏目、链接或错字）", "首次发现", "整改状态"]
    assert list(values[detail + 1][:5]) == header
    problems = [r[:5] for r in values[detail + 2 :]]
    assert ("紫阳县人民政府", "首页无法访问", "home", "运行 2015-11 或更早", "未整改") in problems
    xunyang = {(r[1], r[4]) for r in problems if r[0] == "旬阳县人民政府"}
    assert {state for _, state in xunyang} == {"已整改", "新发现", "复现", "未整改"}
    assert ("严重错别字", "新发现") in xunyang
    assert ("错误链接", "已整改") in xunyang
    assert ("泄露手机号码", "已整改") in xunyang
    assert ("网站功能检查未通过", "复现") in xunyang
    assert any(r[1:3] == ("网站功能检查未通过", "我为政府网站找错") for r in problems)  # the check's name, not its code
    notes = [str(c.value) for row in wb["总览"].iter_rows() for c in row if c.value]
    assert any("与运行 2015-11 比较" in n for n in notes)


def test_baseline_run_is_the_previous_run(three_runs: tuple[Path, Path, Path, Any], tmp_path: Path) -> None:
    db, sites, _, _ = three_runs
    result = score_run(EvaluationOptions(db, sites, baseline="2015-10"), tmp_path / "o")
    assert result.evaluation is not None
    assert result.evaluation.previous_run == "2015-10"
    rows = read_csv(tmp_path / "o" / "history.csv")
    x = "http://xunyang.example.gov.cn/"
    mine = {(r["kind"], r["key"]): r["status"] for r in rows if r["site_id"] == "xunyang"}
    assert mine[("blank_column", x + "zcwj/")] == "persisting"
    assert mine[("stale_column", x + "gsgg/")] == "new"
    reductions_rows = {r["metric"]: r for r in read_csv(tmp_path / "o" / "reductions.csv")}
    assert reductions_rows["blank_columns"]["before"] == "1.0"  # shiquan 5 + xunyang 1 over 6 sites
    assert reductions_rows["blank_columns"]["after"] == "1.0"
