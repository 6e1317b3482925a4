"""The draft notice: the seed's sentences from pure builders, and a real .docx read back with python-docx."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from docx import Document
from test_scoring import ROOT, SITES_CSV, build_store

from scoring.cli import main
from scoring.notice import excellent_sentence, opening, problems_sentence, scope_sentence
from scoring.noticecfg import join_names, load_notice_config, short_name
from scoring.problems import problem_list, site_phrases

SEED = Path(__file__).resolve().parents[2] / "shared" / "seed" / "ankang-2015-website-evaluation-notice.txt"
COUNTY = "县（区）级政府门户网站（含派出机构）"
AGENCY = "市政府工作部门、直属机构和部门管理机构网站"


def seed_text() -> str:
    if not SEED.exists():
        pytest.skip("shared/seed not available")
    return "".join(SEED.read_text(encoding="utf-8").split())


def test_seed_scope_excellent_and_opening() -> None:
    seed = seed_text()
    scope = scope_sentence(65, [(COUNTY, 13), (AGENCY, 52)])
    assert scope == (
        "本次纳入评估范围的网站共65个，其中县（区）级政府门户网站（含派出机构）13个，"
        "市政府工作部门、直属机构和部门管理机构网站52个。"
    )
    assert scope in seed
    config = load_notice_config()
    county = [short_name(n, config) for n in ("旬阳县人民政府", "石泉县人民政府", "紫阳县人民政府")]
    full = ("安康市国土资源局", "安康市发展和改革委员会", "安康市工业和信息化局", "安康市公安局", "安康市地方税务局")
    agency = [short_name(n, config) for n in full]
    assert county == ["旬阳县", "石泉县", "紫阳县"]
    assert agency == ["市国土局", "市发改委", "市工信局", "市公安局", "市地税局"]
    sentence = excellent_sentence([("县区组", county), ("政府机构组", agency)], with_expert=True)
    assert sentence == (
        "在日常监测的基础上，通过在线检查、专家评估、综合考核评比三个阶段的最终评分，旬阳县、石泉县、紫阳县政府网站"
        "被评为县区组优秀政府网站；市国土局、发改委、工信局、公安局、地税局网站被评为政府机构组优秀政府网站。"
    )
    assert sentence in seed
    text = opening(config.basis, config.organizer, date(2015, 12, 1), date(2015, 12, 31))
    assert text in seed


def test_seed_problem_sentence_from_counts() -> None:
    """Per-site counts → problem list → the seed's named-problems sentence (the seed's rubric: a month)."""
    config = load_notice_config().with_stale_windows([(1, "m")])
    specs = [  # site_id, name, blank, stale, broken
        ("yjj", "安康市食品药品监督管理局", 6, 7, 16),
        *(
            (sid, name, 3, 3, 0)
            for sid, name in [
                ("swj", "安康市商务局"),
                ("mzj", "安康市民族宗教事务局"),
                ("wgj", "安康市文化广电新闻出版局"),
                ("lyj", "安康市林业局"),
                ("kjj", "安康市科学技术局"),
                ("hbj", "安康市环境保护局"),
            ]
        ),
        ("ywj", "安康市盐务局", 0, 0, 7),
        ("ksz", "安康市考试管理中心", 6, 0, 0),
        ("fine", "安康市公安局", 1, 1, 4),
    ]
    metrics = pd.DataFrame(
        [
            {
                "site_id": sid,
                "name": name,
                "group": "agency",
                "evaluation": "evaluated",
                "home_unavailable": False,
                "home_probes": 20,
                "home_failures": 0,
                "home_updated": True,
                "home_days_since_update": 1,
                "blank_columns": blank,
                "stale_columns": stale,
                "broken_links": broken,
                "serious_typos": 0,
            }
            for sid, name, blank, stale, broken in specs
        ]
    )
    shorts = pd.Series({sid: short_name(name, config) for sid, name, *_ in specs})
    problems = problem_list(metrics, shorts, config)
    assert "fine" not in set(problems["site_id"])
    phrases = site_phrases(problems, config)
    merged: dict[str, list[str]] = {}
    for row in phrases.itertuples():
        merged.setdefault(row.phrase, []).append(row.short_name)
    sentence = problems_sentence([(names, phrase) for phrase, names in merged.items()])
    expected = (
        "市药监局网站1个月内未更新和空白栏目均超过5个，错误或无效链接超过15处；"
        "市商务局、民宗局、文广局、林业局、科技局、环保局网站1个月内未更新或空白栏目超过5个；"
        "市盐务局网站错误链接7处；市考试管理中心网站空白栏目超过5个"
    )
    assert sentence == expected
    assert expected in seed_text()
    yjj = problems.loc[problems["site_id"] == "yjj"].set_index("kind")["count"]
    assert yjj.to_dict() == {"blank_over": 6, "stale_over": 7, "links_over": 16}


def test_home_unreachable_phrase_and_names() -> None:
    config = load_notice_config()
    metrics = pd.DataFrame(
        [
            {
                "site_id": "hkq",
                "name": "恒口示范区管委会",
                "group": "county",
                "evaluation": "evaluated",
                "home_unavailable": True,
                "home_probes": 3,
                "home_failures": 3,
                "home_updated": True,
                "home_days_since_update": 1,
                "blank_columns": 0,
                "stale_columns": 6,
                "broken_links": 0,
                "serious_typos": 0,
            }
        ]
    )
    phrases = site_phrases(problem_list(metrics, pd.Series({"hkq": "恒口示范区管委会"}), config), config)
    assert phrases["phrase"].tolist() == ["3次抽查均不能访问首页，超过5个栏目未按照要求时间更新"]
    assert problems_sentence([(["恒口示范区管委会"], phrases["phrase"][0])]) == (
        "恒口示范区管委会网站3次抽查均不能访问首页，超过5个栏目未按照要求时间更新"
    )
    assert join_names(["宁陕县", "镇坪县"]) == "宁陕县、镇坪县"
    counties = problems_sentence([(["宁陕县", "镇坪县"], "超过5个栏目未按照要求时间更新")])
    assert counties.startswith("宁陕县、镇坪县政府网站")


def _paragraphs(path: Path) -> list[str]:
    return [p.text for p in Document(str(path)).paragraphs]


def test_notice_docx_from_a_store(tmp_path: Path) -> None:
    fx = build_store(tmp_path)
    # the registry's optional short_name column overrides the rule
    fx.sites.write_text(
        SITES_CSV.replace(
            "site_id,name,group,county,home_url", "site_id,name,group,county,home_url,short_name"
        ).replace("http://gongxin.example.gov.cn/", "http://gongxin.example.gov.cn/,工信局（市）"),
        encoding="utf-8",
    )
    baseline = tmp_path / "before.csv"
    baseline.write_text("site_id,blank_columns,stale_columns,broken_links\na,9,10,12\n", encoding="utf-8")
    args = [
        "notice",
        "--db",
        str(fx.db),
        "--out",
        str(fx.out),
        "--sites",
        str(fx.sites),
        "--baseline",
        str(baseline),
        "--baseline-name",
        "普查前",
        "--period-start",
        "2015-12-01",
        "--date",
        "2016-01-26",
    ]
    assert main(args) == 0
    paras = _paragraphs(fx.out / "通报（草稿）.docx")
    assert paras[0] == "关于2015年全市政府网站绩效评估情况的通报"
    assert paras[1] == "各县区人民政府，市政府各工作部门、各直属机构："
    assert "从2015年12月1日至2015年12月31日" in paras[2]
    assert paras[3] == "一、评估结果"
    assert paras[4] == (
        f"本次纳入评估范围的网站共6个，其中{COUNTY}3个，{AGENCY}3个。在日常监测的基础上，通过在线检查和综合考核评比，"
        "旬阳县政府网站被评为县区组优秀政府网站；工信局（市）网站被评为政府机构组优秀政府网站。"
    )
    # counts over the evaluated sites only; the unevaluated listed apart with their reason
    assert paras[5] == (
        "从此次评估情况看，参评的6个网站中合格2个，合格率33%。另有2个网站本次未评估，不计入上述统计："
        "市盐务局网站（本次未检测），恒口示范区管委会网站（登记表中无首页网址）。主要表现在："
    )
    assert paras[6] == (
        "（一）信息更新更加及时。空白栏目个数由普查前的平均每网站9个降至0.83个，降低91%，"
        "更新不及时栏目个数由平均每网站10个降至0.83个，减少92%。"
    )
    assert paras[7] == "（二）网站可用性进一步提高。链接不可用数由平均每网站12个降至0.50个，降低96%。"
    body = "\n".join(paras)
    assert "二、存在的问题" in paras
    assert (
        "12月份检查发现，紫阳县政府网站3次抽查中1次不能访问首页，首页21天未更新；市发改委网站存在严重错别字1处。"
    ) in body
    heading = paras.index("三、工作要求")
    assert paras[heading + 2].startswith("（一）进一步做好政府网站信息公开。")
    assert paras[heading + 5].startswith("（四）全面巩固政府网站普查整改成果。")
    assert not any(p.startswith("#") for p in paras)
    assert paras[heading + 6 : heading + 8] == ["安康市人民政府办公室", "2016年1月26日"]
    assert paras[-1] == "中、省驻安各单位。"


def test_notice_edited_requirements_and_office(tmp_path: Path) -> None:
    fx = build_store(tmp_path)
    config = (ROOT / "data" / "notice" / "notice.toml").read_text(encoding="utf-8")
    (tmp_path / "req.md").write_text("# 说明\n\n第一条要求。\n\n第二条\n要求。\n", encoding="utf-8")
    (tmp_path / "notice.toml").write_text(
        config.replace('requirements = "requirements.md"', 'requirements = "req.md"').replace("cc = [", "cc0 = ["),
        encoding="utf-8",
    )
    args = [
        "notice",
        "--db",
        str(fx.db),
        "--out",
        str(fx.out),
        "--sites",
        str(fx.sites),
        "--notice-config",
        str(tmp_path / "notice.toml"),
        "--office",
        "某市电子政务办公室",
        "--date",
        "2016-02-01",
    ]
    assert main(args) == 2  # cc missing: the error names the key, nothing written
    assert not (fx.out / "通报（草稿）.docx").exists()
    (tmp_path / "notice.toml").write_text(
        config.replace('requirements = "requirements.md"', 'requirements = "req.md"'), encoding="utf-8"
    )
    assert main(args) == 0
    paras = _paragraphs(fx.out / "通报（草稿）.docx")
    heading = paras.index("三、工作要求")
    assert paras[heading + 1 : heading + 5] == ["第一条要求。", "第二条要求。", "某市电子政务办公室", "2016年2月1日"]
    # without a baseline: no before/after paragraph, period from the first probe
    assert not any("降至" in p for p in paras)
    assert "从2015年12月20日至2015年12月31日" in paras[2]


def test_notice_subcommand_in_a_subprocess(tmp_path: Path) -> None:
    fx = build_store(tmp_path)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "scoring",
            "notice",
            "--db",
            str(fx.db),
            "--out",
            str(fx.out),
            "--sites",
            str(fx.sites),
            "--date",
            "2016-01-26",
            "--period-end",
            "2015-11-30",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
        timeout=120,
    )
    assert proc.returncode == 2  # period start (first probe 2015-12-20) after its end
    assert "晚于结束日期" in proc.stderr
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "scoring",
            "notice",
            "--db",
            str(fx.db),
            "--out",
            str(fx.out),
            "--sites",
            str(fx.sites),
            "--date",
            "2016-01-26",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "通报草稿" in proc.stdout
    assert (fx.out / "通报（草稿）.docx").is_file()
