"""Serious-typo detection: dictionary, detector rules, labelled corpus floors, real-text false alarms."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.typos import (
    CORPUS_PATH,
    evaluate,
    false_alarms,
    load_corpus,
    parse_line,
    real_clean_texts,
    throughput,
)
from govsites.typos import Finding, TermDictionary, TypoDetector, default_detector
from govsites.typos.dictionary import DEFAULT_TERMS_DIR

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
TYPOS_PKG = Path(__file__).resolve().parents[1] / "govsites" / "typos"
PROPERTY_ALPHABET = "中华人民共和国政府攻党委常务会议习近平王岐歧山同志书记，。 a1"


@pytest.fixture(scope="module")
def detector() -> TypoDetector:
    return default_detector()


def only(findings: list[Finding]) -> Finding:
    assert len(findings) == 1, findings
    return findings[0]


# -- the published real cases (shared/docs/indicators.md) -------------------------------------------
@pytest.mark.parametrize(
    ("text", "wrong", "right"),
    [
        ("旬阳县人民攻府门户网站", "攻府", "政府"),
        ("庆祝中华人民共合国成立", "中华人民共合国", "中华人民共和国"),
        ("中共人民共和国宪法", "中共人民共和国", "中华人民共和国"),
        ("中华人民大和国成立六十六周年", "中华人民大和国", "中华人民共和国"),
        ("湖南省委书记杜家豪主持会议", "杜家豪", "杜家毫"),
        ("开展扫黑险恶专项斗争", "扫黑险恶", "扫黑除恶"),
        ("调整领导小姐成员", "领导小姐", "领导小组"),
        ("弘扬精液奉献精神", "精液奉献", "敬业奉献"),
        ("高呼中华人民共和国万死", "万死", "万岁"),
    ],
)
def test_published_serious_cases(detector: TypoDetector, text: str, wrong: str, right: str) -> None:
    finding = only(detector.find(text))
    assert (finding.wrong, finding.right) == (wrong, right)
    assert (finding.severity, finding.kind) == ("serious", "known_pair")
    assert text[finding.start : finding.end] == wrong


@pytest.mark.parametrize(("text", "right"), [("链接到齐齐哈市政府网站", "齐齐哈尔市"), ("严禁焚烧秸杆", "秸秆")])
def test_published_general_cases(detector: TypoDetector, text: str, right: str) -> None:
    finding = only(detector.find(text))
    assert (finding.right, finding.severity) == (right, "general")


def test_finding_offset_and_context(detector: TypoDetector) -> None:
    text = "各县区人民政府，市政府各工作部门、各直属机构：深入学习贯彻习进平总书记重要讲话精神，推动落实。"
    finding = only(detector.find(text))
    assert (finding.wrong, finding.right, finding.kind) == ("习进平", "习近平", "homophone")
    assert finding.start == text.index("习进平")
    assert finding.context == text[finding.start - 15 : finding.start + 3 + 15]


# -- the kinds of candidates --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "right", "kind"),
    [
        ("坚定不移推进全面从严冶党", "全面从严治党", "lookalike"),
        ("切实加强党风廉正建设", "党风廉政建设", "homophone"),
        ("陜西省人民政府办公厅", "陕西省人民政府", "variant"),
        ("石泉县人民正府关于加强安全生产的意见", "人民政府", "homophone"),
        ("最高人民检查院工作报告", "最高人民检察院", "homophone"),
        ("省纪律检察委员会通报典型问题", "纪律检查委员会", "homophone"),
    ],
)
def test_one_character_variants(detector: TypoDetector, text: str, right: str, kind: str) -> None:
    finding = only(detector.find(text))
    assert (finding.right, finding.kind, finding.severity) == (right, kind, "serious")


def test_place_variants_are_general(detector: TypoDetector) -> None:
    finding = only(detector.find("汉音县召开全县政府网站建设推进会"))
    assert (finding.wrong, finding.right, finding.severity) == ("汉音县", "汉阴县", "general")


# -- leader names need a title nearby -----------------------------------------------------------------
def test_leader_variant_needs_a_title(detector: TypoDetector) -> None:
    assert only(detector.find("王歧山同志出席会议")).right == "王岐山"  # a jieba word, still flagged
    assert detector.find("据王歧山介绍，该村今年增收") == []
    assert only(detector.find("全国政协主席汪阳出席会议")).right == "汪洋"
    assert detector.find("汪阳同学考上了大学") == []


def test_common_names_with_rare_readings_are_not_leaders(detector: TypoDetector) -> None:
    # 强 can be read jiang, but nobody types 张德江 and gets 张德强.
    assert detector.find("张德强同志任县发改局局长") == []


# -- traps: legitimate look-alikes ---------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "陕西省与山西省隔黄河相望，山西省人民政府网站每日更新",
        "九江市浔阳区人民政府网站发布通知",
        "活动办得十全十美",
        "汉中市洋县人民政府与旬阳县人民政府签订协议",
        "县委常委会议研究部署党委中心组学习",
        "坚持全面从严治党为民务实清廉",
        "安康市卫生健康委员会、安康市卫生局网站完成整改",
        "河南省南阳市镇平县人民政府来我县考察",
        "最高人民检察院检察委员会委员出席会议",
        "此人罪该万死",
        "中华人民共和国万岁，世界人民大团结万岁",
        "他的发言有四个意思",
    ],
)
def test_clean_traps_are_not_flagged(detector: TypoDetector, text: str) -> None:
    assert detector.find(text) == []


# -- dictionary ----------------------------------------------------------------------------------------
def test_dictionary_contents() -> None:
    d = TermDictionary.load()
    kinds = {t: d.terms[t] for t in ("习近平", "杜家毫", "娄勤俭", "中华人民共和国", "领导小组", "两学一做")}
    assert kinds == {
        "习近平": "leader", "杜家毫": "leader", "娄勤俭": "leader",
        "中华人民共和国": "organ", "领导小组": "title", "两学一做": "political",
    }  # fmt: skip
    assert (d.terms["紫阳县"], d.terms["瀛湖镇"]) == ("place", "place")  # Shaanxi, down to townships
    assert {"浔阳区", "镇平县"} <= d.known_words  # national places: protection only
    assert d.known_pairs["万死"].context
    assert d.known_pairs["攻府"].severity == "serious"
    assert "豪" in d.lookalikes["毫"]
    assert "陜" in d.variants["陕"]


def test_every_term_file_is_documented() -> None:
    readme = (DEFAULT_TERMS_DIR / "README.md").read_text(encoding="utf-8")
    for path in DEFAULT_TERMS_DIR.rglob("*"):
        if path.is_file() and path.name not in {"README.md"}:
            assert path.name in readme, f"{path} is not documented in data/terms/README.md"
    for notice in ("vendor/pycorrector/NOTICE", "vendor/divisions/LICENSE", "vendor/divisions/NOTICE"):
        assert (DEFAULT_TERMS_DIR / notice).is_file()


def test_extra_terms_from_the_registry(tmp_path: Path) -> None:
    text = "安康市电子正务办公室组织开展政府网站绩效评估"
    assert default_detector().find(text) == []
    with_unit = default_detector([("安康市电子政务办公室", "unit")])
    finding = only(with_unit.find(text))
    assert (finding.right, finding.severity) == ("安康市电子政务办公室", "general")
    assert default_detector([("安康市电子政务办公室", "unit")]) is with_unit


def test_custom_terms_dir(tmp_path: Path) -> None:
    (tmp_path / "mine.txt").write_text("# comment\n电子政务办公室\torgan\n", encoding="utf-8")
    (tmp_path / "lookalikes_extra.txt").write_text("务\t物\n", encoding="utf-8")
    detector = TypoDetector(TermDictionary.load(tmp_path))
    (tmp_path / "empty").mkdir()
    assert TypoDetector(TermDictionary.load(tmp_path / "empty")).find("任何文字") == []
    assert only(detector.find("市电子政物办公室")).severity == "serious"
    (tmp_path / "bad.txt").write_text("no kind here\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad\.txt:1"):
        TermDictionary.load(tmp_path)


def test_default_detector_is_cached() -> None:
    assert default_detector() is default_detector(())


def test_package_is_pure() -> None:
    for path in TYPOS_PKG.glob("*.py"):
        source = path.read_text(encoding="utf-8")
        assert not re.search(r"^\s*(from|import)\s+(scrapy|govsites\.store)", source, re.M), path


# -- properties ----------------------------------------------------------------------------------------
@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list(PROPERTY_ALPHABET))))
def test_findings_point_at_the_text(text: str) -> None:
    for finding in default_detector().find(text):
        assert text[finding.start : finding.end] == finding.wrong
        assert finding.wrong != finding.right
        assert finding.severity in {"serious", "general"}
        assert finding.kind in {"homophone", "lookalike", "known_pair", "variant"}
        assert finding.wrong in finding.context


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(sorted(t for t, k in TermDictionary.load().terms.items() if k != "place")))
def test_correct_terms_are_never_flagged(term: str) -> None:
    assert default_detector().find(f"关于{term}的通知") == []


# -- labelled corpus -----------------------------------------------------------------------------------
def test_corpus_markup() -> None:
    line = parse_line("serious", "homophone", "安康市[[人民正府>人民政府]]办公室")
    assert line.text == "安康市人民正府办公室"
    (label,) = line.labels
    assert (label.start, label.wrong, label.changed) == (3, "人民正府", (5, 6))


def test_corpus_floors(detector: TypoDetector) -> None:
    corpus = load_corpus(CORPUS_PATH)
    assert sum(bool(line.labels) for line in corpus) >= 100
    assert sum(not line.labels for line in corpus) >= 50
    result = evaluate(detector, corpus)
    assert result["serious_precision"] >= 0.95, result
    assert result["serious_recall"] >= 0.9, result
    assert result["clean_lines_flagged"] == 0, result


def test_throughput_reports_a_rate(detector: TypoDetector) -> None:
    result = throughput(detector, ["中华人民共和国国务院办公厅" * 100], target_bytes=50_000)
    assert result["mb"] >= 0.05
    assert result["mb_per_s"] > 0


# -- real clean text (../shared) -------------------------------------------------------------------------
@pytest.mark.shared
def test_false_alarms_on_real_clean_text(detector: TypoDetector) -> None:
    if not (SHARED / "real-pages").is_dir():
        pytest.skip("../shared/real-pages not present (only in the development checkout)")
    texts = real_clean_texts(SHARED)
    result = false_alarms(detector, texts)
    assert result["chars"] > 150_000, result
    assert result["serious_per_100k"] <= 1.0, result


def test_typo_found_in_a_gbk_page_declared_gb2312() -> None:
    """Text arrives decoded right: a GBK page that declares gb2312 and holds a GBK-only character (镕)."""
    from govsites.extract.text import decode_body, visible_text

    html = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
        "<title>宁陕县人民政府</title></head><body><p>朱镕基同志曾指出，要认真学习中华人民共合国宪法。</p>"
        "</body></html>"
    )
    body = html.encode("gbk")
    text, encoding = decode_body(body, "gb2312")
    assert encoding.lower() in {"gb18030", "gbk"}
    visible = visible_text(text)
    assert "朱镕基" in visible
    findings = default_detector().find(visible)
    assert [(f.wrong, f.right, f.severity) for f in findings] == [("中华人民共合国", "中华人民共和国", "serious")]
    assert "镕" in visible
    assert "\ufffd" not in findings[0].context
