"""The scoring stage end to end on a real SQLite store: metrics, windows, vetoes, scores, ranks, CSVs, CLI."""

from __future__ import annotations

import ast
import csv
import subprocess
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from govsites.store import Store
from scoring import EvaluationOptions, score_run
from scoring.cli import main
from scoring.metrics import article_dates
from scoring.rubric import RUBRIC_DIR, RubricError, Window, load_rubric
from scoring.vocabulary import OUTPUT_COLUMNS
from tests.helpers import ROOT, read_csv

AS_OF = "2015-12-31"
LABEL = "2015-12"

SITES_CSV = """site_id,name,group,county,home_url
xunyang,旬阳县人民政府,county,旬阳县,http://xunyang.example.gov.cn/
shiquan,石泉县人民政府,county,石泉县,http://shiquan.example.gov.cn/
ziyang,紫阳县人民政府,county,紫阳县,http://ziyang.example.gov.cn/
hengkou,恒口示范区管委会,county,汉滨区,
guotu,安康市国土资源局,agency,市直,http://guotu.example.gov.cn/
fagai,安康市发展和改革委员会,agency,市直,http://fagai.example.gov.cn/
gongxin,安康市工业和信息化局,agency,市直,http://gongxin.example.gov.cn/
yanwu,安康市盐务局,agency,市直,http://yanwu.example.gov.cn/
"""
CRAWLED = (
    "xunyang",
    "shiquan",
    "ziyang",
    "guotu",
    "fagai",
    "gongxin",
)  # yanwu: in the registry, not in the run
FORMULA_TITLE = '=HYPERLINK("http://x","y")'


def _home(sid: str) -> str:
    return f"http://{sid}.example.gov.cn/"


def page(sid: str, url: str, *, final: str = "", status: str = "200", kind: str = "home", title: str = "") -> dict:
    return {
        "site_id": sid,
        "url": url,
        "final_url": final or url,
        "status": status,
        "kind": kind,
        "depth": 0,
        "rendered": False,
        "title": title,
        "encoding": "utf-8",
        "fetched_at": "2015-12-31T08:00:00+00:00",
    }


def column(sid: str, path: str, name: str, category: str, newest: str, status: str = "ok", items: int = 20) -> dict:
    return {
        "site_id": sid,
        "url": _home(sid) + path,
        "name": name,
        "category": category,
        "newest_date": newest,
        "items": items if status != "blank" else 0,
        "status": status,
        "date_source": "list" if newest else "",
        "found_by": "nav",
        "rendered": False,
        "on_home": False,
    }


def item(sid: str, column_url: str, n: int, day: str) -> dict:
    return {
        "site_id": sid,
        "column_url": column_url,
        "url": f"{_home(sid)}art/{n}.html",
        "title": f"消息{n}",
        "date": day,
        "date_source": "list",
        "pinned": False,
    }


def probes(sid: str, oks: list[bool]) -> list[dict]:
    return [
        {
            "site_id": sid,
            "url": _home(sid),
            "probed_at": f"2015-12-{20 + i:02d}T09:00:00+00:00",
            "ok": ok,
            "status": "200" if ok else "timeout",
            "elapsed_ms": 300 if ok else 15000,
        }
        for i, ok in enumerate(oks)
    ]


def ref(sid: str, url: str, source: str, anchor: str = "链接", tag: str = "a") -> dict:
    return {"site_id": sid, "url": url, "source_url": source, "anchor": anchor, "tag": tag}


def check(sid: str, url: str, status: str, broken: bool, reason: str = "") -> dict:
    return {
        "site_id": sid,
        "url": url,
        "status": status,
        "reason": reason,
        "broken": broken,
        "final_url": url,
        "checked_at": "2015-12-31T10:00:00+00:00",
    }


def typo(sid: str, url: str, wrong: str, right: str, severity: str, context: str = "") -> dict:
    return {
        "site_id": sid,
        "url": url,
        "wrong": wrong,
        "right": right,
        "context": context or f"……{wrong}……",
        "severity": severity,
        "kind": "known_pair",
    }


def fixture_rows() -> dict[str, list[dict]]:
    """Rows per table. AS_OF 2015-12-31: news window starts 2015-12-17, notice/policy 2015-06-30."""
    x, s, z, g, f, w = (_home(sid) for sid in CRAWLED)
    x_index = x + "index.html"
    rows: dict[str, list[dict]] = {
        "pages": [
            page("xunyang", x, final=x_index, title="旬阳县人民政府"),
            page("shiquan", s),
            page("ziyang", z),
            page("guotu", g),
            page("fagai", f),
            page("gongxin", w),
            page("fagai", f + "tzgg/1.html", kind="article", title=FORMULA_TITLE),
        ],
        "columns": [
            # xunyang: every boundary exactly on time; a guide column years old is never stale
            column("xunyang", "xwdt/", "新闻动态", "news", "2015-12-17"),
            column("xunyang", "tzgg/", "通知公告", "notice", "2015-06-30"),
            column("xunyang", "zcwj/", "政策文件", "policy", "2015-11-02"),
            column("xunyang", "bszn/", "办事指南", "guide", "2010-01-01"),
            column("xunyang", "rsxx/", "人事信息", "personnel", "2014-12-31"),
            # shiquan: five blank columns
            *(column("shiquan", f"k{i}/", f"空栏目{i}", "other", "", status="blank") for i in range(5)),
            column("shiquan", "xwdt/", "新闻动态", "news", "2015-12-30"),
            # ziyang: fine columns, but the home page is old and probes failed
            column("ziyang", "xwdt/", "新闻动态", "news", "2015-12-20"),
            # guotu: news a day past the 14-day window, notice a day past 6 months, three old policies
            column("guotu", "xwdt/", "国土动态", "news", "2015-12-16"),
            column("guotu", "tzgg/", "通知公告", "notice", "2015-06-29"),
            *(column("guotu", f"zc{i}/", f"政策文件{i}", "policy", "2014-03-01") for i in range(3)),
            column("guotu", "gzdt/", "工作动态", "news", "2015-12-29"),
            column("guotu", "wzbt/", "无日期栏目", "other", "", status="undated"),
            column("fagai", "xwdt/", "=1+1", "news", "2015-12-28"),
            column("gongxin", "xwdt/", "工信要闻", "news", "2015-12-20"),
            column("gongxin", "zxft/", "在线访谈", "interaction", "", status="unreachable", items=0),
        ],
        "list_items": [
            item("xunyang", x_index, 1, "2015-12-28"),
            item("xunyang", x_index, 2, "2015-11-01"),
            item("shiquan", s, 3, "2015-12-30"),
            item("ziyang", z, 4, "2015-12-10"),
            item("guotu", g, 5, "2015-12-29"),
            item("fagai", f, 6, "2015-12-28"),
            # gongxin has no dated home blocks: the newest column date (2015-12-20) stands in
        ],
        "link_refs": [
            ref("xunyang", "http://www.gov.cn/", x_index, "中国政府网"),
            ref("shiquan", s + "missing.html", s, "失效链接"),
            ref("shiquan", s + "missing.html", s + "xwdt/", "失效链接"),
            ref("fagai", "http://x/", f + "tzgg/1.html", FORMULA_TITLE),
            ref("gongxin", w + "old.doc", w + "xwdt/", "附件", tag="a"),
            ref("gongxin", w + "never-checked.html", w, "未检测"),
        ],
        "link_checks": [
            check("xunyang", "http://www.gov.cn/", "200", False),
            check("shiquan", s + "missing.html", "404", True, "not_found"),
            check("fagai", "http://x/", "dns", True, "dns"),
            check("gongxin", w + "old.doc", "404", True, "not_found"),
        ],
        "typos": [
            typo("fagai", f + "tzgg/1.html", "攻府", "政府", "serious"),
            typo("fagai", f + "tzgg/1.html", "攻府", "政府", "serious", context="另一处攻府"),
            typo("fagai", f + "tzgg/1.html", "秸杆", "秸秆", "general"),
        ],
        "probes": [
            *probes("xunyang", [True] * 20),
            *probes("shiquan", [True] * 20),
            *probes("ziyang", [True, False, True]),
            *probes("guotu", [True] * 20),
            *probes("fagai", [True] * 20),
            # gongxin: no probes; its home page fetch (200) decides
        ],
    }
    return rows


@dataclass
class Fixture:
    db: Path
    sites: Path
    out: Path


def build_store(tmp: Path, *, finish: bool = True, rows: dict[str, list[dict]] | None = None) -> Fixture:
    tmp.mkdir(parents=True, exist_ok=True)
    db, sites_csv, out = tmp / "govsites.sqlite", tmp / "sites.csv", tmp / "output"
    sites_csv.write_text(SITES_CSV, encoding="utf-8")
    rows = rows if rows is not None else fixture_rows()
    with Store(db) as store:
        run = store.begin_run(LABEL, AS_OF)
        registry = list(csv.DictReader(SITES_CSV.splitlines()))
        store.start_sites(run.id, [r for r in registry if r["site_id"] in CRAWLED])
        for table, table_rows in rows.items():
            store.insert(run.id, table, table_rows)
        for sid in CRAWLED:
            n_pages = sum(1 for p in rows["pages"] if p["site_id"] == sid)
            store.finish_site(run.id, sid, "finished", n_pages)
        if finish:
            store.finish_run(run.id)
    return Fixture(db, sites_csv, out)


@pytest.fixture(scope="module")
def scored(tmp_path_factory: pytest.TempPathFactory) -> tuple[Fixture, Any]:
    fx = build_store(tmp_path_factory.mktemp("scoring"))
    return fx, score_run(EvaluationOptions(fx.db, fx.sites), fx.out)


@pytest.fixture(scope="module")
def rows(scored: tuple[Fixture, Any]) -> dict[str, dict[str, str]]:
    fx, _ = scored
    return {r["site_id"]: r for r in read_csv(fx.out / "metrics.csv")}


# -- rubric ------------------------------------------------------------------------------------------
def test_windows_are_calendar_aware() -> None:
    assert Window(6, "m").cutoff(date(2015, 12, 31)) == date(2015, 6, 30)
    assert Window(14, "d").cutoff(date(2015, 12, 31)) == date(2015, 12, 17)
    assert Window(12, "m").cutoff(date(2016, 2, 29)) == date(2015, 2, 28)


@pytest.mark.parametrize("name", ["census2015", "checks2019"])
def test_bundled_rubrics_load(name: str) -> None:
    rubric = load_rubric(name)
    assert rubric.pass_mark == 60
    assert rubric.groups["county"].label == "县区组"
    assert rubric.groups["county"].excellent == 3
    assert rubric.groups["agency"].excellent == 5
    assert all(not d.confirmed for d in rubric.deductions), "no deduction value is published"
    # 互动回应差 is scored from the letters table now (no longer a placeholder); checks2019 keeps the
    # unpublished 服务不实用 threshold off and lists it as not applied
    assert "interaction_poor" in {v.key for v in rubric.active_veto}
    assert not any(v.placeholder for v in rubric.veto)
    assert bool(rubric.skipped_notes) == (name == "checks2019")


def _bad_rubric(tmp_path: Path, old: str, new: str) -> Path:
    text = (RUBRIC_DIR / "census2015.toml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "bad.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ("pass_mark = 60", 'pass_mark = "60"', "rubric.pass_mark"),
        ("pass_mark = 60", "", "rubric.pass_mark"),
        ('metric = "blank_columns"\nmin = 5', 'metric = "blank_cols"\nmin = 5', "veto[4].metric"),
        ('metric = "general_typos"', 'metric = "nonsense"', "deductions[7].metric"),
        ("confirmed = false  # local choice\n", 'confirmed = "no"\n', "deductions[5].confirmed"),
        ('notice = "6m"', 'notice = "half a year"', "columns.windows.notice"),
        ('reason = "空白栏目{n}个"', 'reason = "空白栏目{count}个"', "veto[4].reason"),
    ],
)
def test_bad_rubric_names_file_and_key(tmp_path: Path, old: str, new: str, key: str) -> None:
    path = _bad_rubric(tmp_path, old, new)
    with pytest.raises(RubricError) as info:
        load_rubric(path)
    assert info.value.key == key
    assert str(path) in str(info.value)
    assert key in str(info.value)


# -- metrics -----------------------------------------------------------------------------------------
def test_every_registry_site_has_one_row(rows: dict[str, dict[str, str]], scored: tuple[Fixture, Any]) -> None:
    fx, _ = scored
    header = (fx.out / "metrics.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    assert tuple(header) == OUTPUT_COLUMNS
    assert header[:16] == [
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
    ]
    assert set(rows) == {"xunyang", "shiquan", "ziyang", "hengkou", "guotu", "fagai", "gongxin", "yanwu"}
    assert not (fx.out / "metrics.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_clean_site_passes_on_every_boundary(rows: dict[str, dict[str, str]]) -> None:
    r = rows["xunyang"]
    assert r["verdict"] == "合格"
    assert r["veto_reasons"] == ""
    assert r["score"] == "100.0"
    assert (r["home_available"], r["home_probes"], r["home_failures"]) == ("true", "20", "0")
    assert r["stale_columns"] == "0"
    assert r["columns_total"] == "5"
    assert r["home_updated"] == "true"
    assert r["home_newest"] == "2015-12-28"
    assert r["home_update_source"] == "首页"
    assert r["rank_in_group"] == "1"
    assert r["excellent"] == "true"
    assert r["group"] == "county"


def test_stale_boundaries_one_day_late(rows: dict[str, dict[str, str]], scored: tuple[Fixture, Any]) -> None:
    r = rows["guotu"]
    assert r["stale_columns"] == "5"
    assert r["stale_key_columns"] == "5"
    assert (r["stale_news"], r["stale_notice"], r["stale_policy"]) == ("1", "1", "3")
    assert r["undated_columns"] == "1"
    assert r["verdict"] == "不合格"
    assert r["veto_reasons"] == "更新不及时栏目5个（动态要闻、通知公告、政策文件）"
    # vetoed: no score; the deduction total stays (stale 5×2 = 10 (cap 10), undated 1×1)
    assert r["score"] == ""
    assert r["deductions"] == "11.0"
    fx, _ = scored
    cols = {(c["site_id"], c["column"]): c for c in read_csv(fx.out / "columns.csv")}
    assert cols[("guotu", "国土动态")]["status"] == "stale"
    assert cols[("xunyang", "新闻动态")]["status"] == "ok"
    assert cols[("guotu", "通知公告")]["status"] == "stale"
    assert cols[("xunyang", "通知公告")]["status"] == "ok"
    assert cols[("xunyang", "办事指南")]["status"] == "ok"  # guide: no window
    assert cols[("xunyang", "人事信息")]["status"] == "ok"  # personnel: 12 months, 2014-12-31 on time
    assert cols[("guotu", "通知公告")]["stale_before"] == "2015-06-30"


def test_blank_columns_veto(rows: dict[str, dict[str, str]]) -> None:
    r = rows["shiquan"]
    assert r["blank_columns"] == "5"
    assert r["verdict"] == "不合格"
    assert r["veto_reasons"] == "空白栏目5个"
    # a broken link on the home page and on a column page: one distinct URL, counted on the home page
    assert r["broken_links"] == "1"
    assert r["broken_links_home"] == "1"
    assert r["broken_links_other"] == "0"
    assert r["score"] == ""  # vetoed
    assert r["deductions"] == "11.0"  # blank 5×2 = 10, home link 1


def test_probe_failures_and_old_home_page(rows: dict[str, dict[str, str]]) -> None:
    r = rows["ziyang"]
    assert (r["home_available"], r["home_probes"], r["home_failures"]) == ("false", "3", "1")
    assert r["home_updated"] == "false"
    assert r["home_days_since_update"] == "21"
    assert r["veto_reasons"] == "首页无法访问（1/3次探测失败）；首页21天未更新"
    assert r["verdict"] == "不合格"
    assert (r["score"], r["deductions"]) == ("", "5.0")  # a home page that failed is vetoed, never 95


def test_serious_typo_counts_distinct_url_and_word(rows: dict[str, dict[str, str]]) -> None:
    r = rows["fagai"]
    assert r["serious_typos"] == "1"
    assert r["typos"] == "2"
    assert r["general_typos"] == "1"
    assert r["veto_reasons"] == "严重错别字1处"
    assert r["verdict"] == "不合格"
    assert r["broken_links"] == "1"
    assert r["broken_links_home"] == "0"
    assert r["score"] == ""  # vetoed
    assert r["deductions"] == "1.0"  # general typo 0.5, other-page link 0.5


def test_no_probes_falls_back_to_home_page_and_columns(rows: dict[str, dict[str, str]]) -> None:
    r = rows["gongxin"]
    assert (r["home_available"], r["home_probes"], r["home_source"]) == ("true", "0", "page")
    assert r["home_updated"] == "true"
    assert r["home_update_source"] == "栏目"
    assert r["home_newest"] == "2015-12-20"
    assert r["unreachable_columns"] == "1"
    assert r["links_unchecked"] == "1"
    assert r["verdict"] == "合格"
    assert r["score"] == "98.5"


def test_untested_and_no_url_sites(rows: dict[str, dict[str, str]]) -> None:
    untested, no_url = rows["yanwu"], rows["hengkou"]
    assert untested["evaluation"] == "untested"
    assert untested["home_available"] == "false"
    assert untested["verdict"] == "未评估"
    assert untested["veto_reasons"] == ""
    assert untested["score"] == ""
    assert untested["rank_in_group"] == ""
    assert no_url["evaluation"] == "no_url"
    assert no_url["verdict"] == "未评估"
    assert no_url["score"] == ""
    assert no_url["rank_in_group"] == ""
    assert no_url["excellent"] == "false"


def test_ranks_and_excellent(rows: dict[str, dict[str, str]]) -> None:
    ranks = {sid: (r["rank_in_group"], r["excellent"]) for sid, r in rows.items()}
    # county: the one passing site first, then the vetoed ones (no score: they share the last place)
    assert ranks["xunyang"] == ("1", "true")
    assert ranks["ziyang"] == ("2", "false")
    assert ranks["shiquan"] == ("2", "false")
    # agency: gongxin passes; fagai and guotu vetoed; yanwu untested: no rank
    assert ranks["gongxin"] == ("1", "true")
    assert ranks["fagai"] == ("2", "false")
    assert ranks["guotu"] == ("2", "false")
    assert ranks["yanwu"] == ("", "false")


def test_excellent_quota_per_group(tmp_path: Path) -> None:
    path = _bad_rubric(
        tmp_path,
        '[groups.county]\nlabel = "县区组"\nexcellent = 3',
        '[groups.county]\nlabel = "县区组"\nexcellent = 0',
    )
    fx = build_store(tmp_path)
    result = score_run(EvaluationOptions(fx.db, fx.sites, rubric=path), fx.out)
    excellent = set(result.metrics.loc[result.metrics["excellent"], "site_id"])
    assert excellent == {"gongxin"}


def test_pass_mark_fails_low_scores(tmp_path: Path) -> None:
    path = _bad_rubric(tmp_path, "pass_mark = 60", "pass_mark = 99.9")
    fx = build_store(tmp_path)
    result = score_run(EvaluationOptions(fx.db, fx.sites, rubric=path), fx.out)
    verdicts = dict(zip(result.metrics["site_id"], result.metrics["verdict"], strict=True))
    assert verdicts["xunyang"] == "合格"
    assert verdicts["gongxin"] == "不合格"
    gongxin = result.metrics.set_index("site_id").loc["gongxin"]
    assert gongxin["veto_reasons"] == ""
    assert gongxin["rank_in_group"] == 1  # failed on its score: before the vetoed sites


def test_as_of_override_moves_windows(tmp_path: Path) -> None:
    fx = build_store(tmp_path)
    result = score_run(EvaluationOptions(fx.db, fx.sites, as_of="2016-01-01"), fx.out)
    assert result.data.as_of == date(2016, 1, 1)
    xunyang = result.metrics.set_index("site_id").loc["xunyang"]
    # one day later, every boundary column of xunyang is one day late
    assert (xunyang["stale_news"], xunyang["stale_notice"], xunyang["stale_personnel"]) == (1, 1, 1)
    assert xunyang["stale_key_columns"] == 2
    assert xunyang["stale_columns"] == 3


# -- CSV files ---------------------------------------------------------------------------------------
def test_links_csv_left_join_and_formula_guard(scored: tuple[Fixture, Any]) -> None:
    fx, _ = scored
    links = read_csv(fx.out / "links.csv")
    assert list(links[0])[:7] == ["site_id", "url", "source_url", "anchor", "status", "reason", "broken"]
    assert len(links) == 6
    unchecked = next(r for r in links if r["url"].endswith("never-checked.html"))
    assert (unchecked["status"], unchecked["broken"]) == ("unchecked", "false")
    shiquan = [r for r in links if r["site_id"] == "shiquan"]
    assert len(shiquan) == 2
    assert all(r["broken"] == "true" and r["status"] == "404" for r in shiquan)
    fagai = next(r for r in links if r["site_id"] == "fagai")
    assert fagai["anchor"] == "'" + FORMULA_TITLE
    columns = read_csv(fx.out / "columns.csv")
    assert list(columns[0])[:7] == ["site_id", "column", "url", "category", "newest_date", "items", "status"]
    assert next(c for c in columns if c["site_id"] == "fagai")["column"] == "'=1+1"
    typos = read_csv(fx.out / "typos.csv")
    assert list(typos[0])[:6] == ["site_id", "url", "wrong", "right", "context", "severity"]
    assert len(typos) == 3
    assert {t["severity"] for t in typos} == {"serious", "general"}


# -- errors and the CLI ------------------------------------------------------------------------------
def test_unfinished_run_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fx = build_store(tmp_path, finish=False)
    code = main(["--db", str(fx.db), "--out", str(fx.out), "--sites", str(fx.sites)])
    assert code == 2
    assert f"运行 {LABEL} 尚未完成" in capsys.readouterr().err
    assert not (fx.out / "scores.xlsx").exists()
    code = main(["--db", str(fx.db), "--out", str(fx.out), "--sites", str(fx.sites), "--allow-unfinished"])
    assert code == 0
    assert (fx.out / "scores.xlsx").exists()


def test_store_without_runs_and_unknown_label(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "empty.sqlite"
    Store(db).close()
    (tmp_path / "sites.csv").write_text(SITES_CSV, encoding="utf-8")
    args = ["--db", str(db), "--out", str(tmp_path / "o"), "--sites", str(tmp_path / "sites.csv")]
    assert main(args) == 2
    assert "没有任何运行记录" in capsys.readouterr().err
    fx = build_store(tmp_path / "full")
    assert main(["--db", str(fx.db), "--out", str(fx.out), "--sites", str(fx.sites), "--run", "nope"]) == 2
    assert "没有标签为 nope 的运行" in capsys.readouterr().err


def test_cli_bad_rubric_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fx = build_store(tmp_path)
    bad = _bad_rubric(tmp_path, 'metric = "general_typos"', 'metric = "nonsense"')
    assert main(["--db", str(fx.db), "--out", str(fx.out), "--sites", str(fx.sites), "--rubric", str(bad)]) == 2
    err = capsys.readouterr().err
    assert str(bad) in err
    assert "deductions[7].metric" in err
    assert "nonsense" in err


def test_score_is_the_default_subcommand(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``python -m scoring score …`` and ``python -m scoring …`` are one command: same files, same lines."""
    fx = build_store(tmp_path)
    args = ["--db", str(fx.db), "--sites", str(fx.sites), "--out"]
    assert main([*args, str(tmp_path / "a")]) == 0
    default = capsys.readouterr().out.replace(str(tmp_path / "a"), "OUT")
    assert main(["score", *args, str(tmp_path / "b")]) == 0
    assert capsys.readouterr().out.replace(str(tmp_path / "b"), "OUT") == default
    assert default.startswith(f"评分完成：运行 {LABEL}，评估日期 {AS_OF}，规则 census2015\n")
    for name in ("metrics.csv", "problems.csv", "history.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert (tmp_path / "b" / "scores.xlsx").is_file()


def test_every_subcommand_reports_a_user_error_as_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fx = build_store(tmp_path)
    missing = str(tmp_path / "none.csv")
    for command in (
        ["--db", str(fx.db), "--out", str(fx.out), "--sites", missing],
        ["notice", "--db", str(fx.db), "--out", str(fx.out), "--sites", missing],
        ["expert-template", "--out", str(fx.out), "--sites", missing],
    ):
        assert main(command) == 2, command
        captured = capsys.readouterr()
        assert captured.out == ""
        assert captured.err.startswith("错误："), captured.err
        assert captured.err.count("\n") == 1, captured.err
        assert missing in captured.err
    assert not fx.out.exists() or not any(fx.out.iterdir())


def test_cli_subprocess(tmp_path: Path) -> None:
    fx = build_store(tmp_path)
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
            "--run",
            LABEL,
            "--rubric",
            "census2015",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert str(fx.out / "scores.xlsx") in proc.stdout
    assert "县区组：参评 3 个，合格 1 个（33.3%）" in proc.stdout
    assert "政府机构组：参评 3 个，合格 1 个（33.3%）" in proc.stdout
    assert "优秀：安康市工业和信息化局" in proc.stdout
    for name in ("metrics.csv", "columns.csv", "links.csv", "typos.csv", "scores.xlsx"):
        assert (fx.out / name).is_file()


def test_scoring_never_imports_scrapy() -> None:
    code = (
        "import sys, scoring.cli, scoring.report; "
        "bad = [m for m in sys.modules if m.split('.')[0] == 'scrapy' or m.startswith('govsites.spiders')]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def scoring_imports() -> tuple[dict[str, set[str]], list[str]]:
    """The import graph of ``scoring`` (every import: module level, TYPE_CHECKING, in functions) from the
    sources, and the private names (leading underscore) one scoring module imports from another."""
    modules = {
        ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__"): p
        for p in sorted((ROOT / "scoring").rglob("*.py"))
    }
    graph: dict[str, set[str]] = {name: set() for name in modules}
    private = []
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                graph[name] |= {alias.name for alias in node.names if alias.name in modules}
            elif isinstance(node, ast.ImportFrom) and node.module in modules:
                for alias in node.names:
                    submodule = f"{node.module}.{alias.name}"
                    graph[name].add(submodule if submodule in modules else node.module)
                    if submodule not in modules and alias.name.startswith("_"):
                        private.append(f"{name} imports {node.module}.{alias.name}")
    return graph, private


def reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = list(graph[start])
    while todo:
        module = todo.pop()
        if module not in seen:
            seen.add(module)
            todo.extend(graph[module])
    return seen


def test_scoring_has_no_import_cycle_and_imports_no_private_name() -> None:
    graph, private = scoring_imports()
    assert {"scoring", "scoring.cli", "scoring.evaluation", "scoring.vocabulary"} <= set(graph)
    assert [m for m in graph if m in reachable(graph, m)] == []
    assert private == []
    assert graph["scoring.vocabulary"] == set()  # the bottom module
    assert [m for m in graph if "scoring.cli" in graph[m]] == ["scoring.__main__"]  # nothing else uses the CLI


def test_run_with_empty_tables(tmp_path: Path) -> None:
    """A run whose sites produced only home pages (no columns, links, typos, probes) still scores."""
    only_pages = {"pages": [p for p in fixture_rows()["pages"] if p["kind"] == "home"]}
    fx = build_store(tmp_path, rows=only_pages)
    result = score_run(EvaluationOptions(fx.db, fx.sites), fx.out)
    row = result.metrics.set_index("site_id").loc["xunyang"]
    assert row["home_available"]
    assert row["home_source"] == "page"
    assert row["veto_reasons"] == "首页2周内无更新（无可识别的发布日期）"
    assert row["columns_total"] == 0
    assert read_csv(fx.out / "links.csv") == []
    header = (fx.out / "links.csv").read_text(encoding="utf-8")
    assert header.startswith("site_id,url,source_url,anchor,status")


def test_an_items_article_date_reaches_its_home_page_copy() -> None:
    home, col = "http://a/", "http://a/tzgg/"
    items = pd.DataFrame(
        {
            "site_id": ["a", "a", "a", "b"],
            "column_url": [col, home, home, home],
            "url": ["http://a/1", "http://a/1", "http://a/2", "http://a/1"],
            "date": ["2014-12-28", "2015-12-28", "2015-09-26", "2015-12-28"],
            "date_source": ["article", "list", "list", "list"],
            "pinned": [1, 0, 0, 0],
        }
    ).astype({"site_id": "str", "column_url": "str", "url": "str", "date": "str", "date_source": "str"})
    dated = article_dates(items)
    assert list(dated.columns) == list(items.columns)
    # the home page's copy of a's item 1 takes its article's date; another site's same URL, and item 2, do not
    assert dated["date"].tolist() == ["2014-12-28", "2014-12-28", "2015-09-26", "2015-12-28"]
