"""Wrong political expressions: the seed table, date-ranged rules, exceptions, loader errors, a corpus."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from govsites.security.expressions import COLUMNS, ExpressionRule, find_expressions, load_rules

Y2015 = date(2015, 6, 30)
Y2012 = date(2012, 6, 30)
Y2024 = date(2024, 6, 30)


@pytest.fixture(scope="module")
def rules() -> tuple[ExpressionRule, ...]:
    return load_rules()


WRONG = [
    ("台湾总统马英九表示", "台湾总统", "台湾地区领导人", Y2015),
    ("台湾总统府发言人", "台湾总统府", "台湾地区领导人办公室", Y2015),
    ("台湾政府近日宣布", "台湾政府", "台湾当局", Y2015),
    ("台湾国的旅游业", "台湾国", "台湾地区", Y2015),
    ("台湾国民党主席", "台湾国民党", "中国国民党", Y2015),
    ("推动中台关系发展", "中台关系", "两岸关系", Y2015),
    ("中国与台湾的贸易额", "中国与台湾", "大陆与台湾", Y2015),
    ("香港政府宣布", "香港政府", "香港特别行政区政府", Y2015),
    ("澳门政府代表团", "澳门政府", "澳门特别行政区政府", Y2015),
    ("香港特首会见", "香港特首", "香港特别行政区行政长官", Y2015),
    ("李克强主席在会上指出", "李克强主席", "李克强总理", Y2015),
    ("国家主席李克强", "主席李克强", "总理李克强", Y2015),
    ("习近平总理强调", "习近平总理", "习近平主席", Y2015),
    ("国务院总理习近平", "总理习近平", "主席习近平", Y2015),
    ("李克强总理视察", "李克强总理", "李克强副总理", Y2012),
    ("国务院总理李克强", "总理李克强", "副总理李克强", Y2012),
    ("习近平主席出访", "习近平主席", "习近平副主席", Y2012),
    ("国家主席习近平", "主席习近平", "副主席习近平", Y2012),
    ("李强总理到上海调研", "李强总理", "李强同志（按时任职务称谓）", Y2015),
    ("温家宝主席", "温家宝主席", "温家宝总理", Y2015),
]
RIGHT = [
    ("国务院总理李克强主持召开常务会议", Y2015),
    ("李克强总理视察陕西", Y2015),
    ("国家主席习近平、国务院总理李克强", Y2015),
    ("国务院副总理李克强", Y2012),
    ("国家副主席习近平", Y2012),
    ("李强总理主持国务院常务会议", Y2024),
    ("台湾地区领导人", Y2015),
    ("台湾当局", Y2015),
    ("台湾国际医疗展", Y2015),
    ("香港特别行政区政府", Y2015),
    ("澳门特别行政区政府", Y2015),
    ("港英政府时期", Y2015),
    ("民国时期的县志记载", Y2015),
    ("中华民国时期（1912—1949年）", Y2015),
    ("中国台湾", Y2015),
    ("大陆与台湾", Y2015),
    ("两岸关系和平发展", Y2015),
    ("", Y2015),
]


@pytest.mark.parametrize(("text", "wrong", "right", "day"), WRONG)
def test_wrong_forms(rules: tuple[ExpressionRule, ...], text: str, wrong: str, right: str, day: date) -> None:
    findings = find_expressions(text, rules, day)
    assert len(findings) == 1, findings
    assert findings[0].kind == "wrong_expression"
    assert findings[0].evidence.startswith(f"“{wrong}”应为“{right}”")
    assert wrong in findings[0].context


@pytest.mark.parametrize(("text", "day"), RIGHT)
def test_right_forms(rules: tuple[ExpressionRule, ...], text: str, day: date) -> None:
    assert find_expressions(text, rules, day) == []


def test_several_findings_in_order_with_severities(rules: tuple[ExpressionRule, ...]) -> None:
    text = "会议指出，香港政府与台湾总统府……李克强主席强调"
    findings = find_expressions(text, rules, Y2015)
    assert [f.evidence[1:5] for f in findings] == ["香港政府", "台湾总统", "李克强主"]
    assert [f.severity for f in findings] == ["serious", "veto", "veto"]


def test_date_ranges_are_inclusive(rules: tuple[ExpressionRule, ...]) -> None:
    assert find_expressions("李克强总理", rules, date(2013, 3, 14))
    assert not find_expressions("李克强总理", rules, date(2013, 3, 15))
    assert find_expressions("李强总理", rules, date(2023, 3, 10))
    assert not find_expressions("李强总理", rules, date(2023, 3, 11))


def _write(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "expressions.csv"
    path.write_text("\n".join(["# comment", ",".join(COLUMNS), *rows]) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("台湾总统,台湾地区领导人,note,veto,,", "expected 7 fields"),
        (",台湾地区领导人,note,veto,,,", "field 'wrong' is empty"),
        ("台湾总统,,note,veto,,,", "field 'right' is empty"),
        ("台湾总统,台湾地区领导人,note,fatal,,,", "field 'severity'"),
        ("台湾总统,台湾地区领导人,note,veto,2015-13-01,,", "field 'valid_from': expected YYYY-MM-DD"),
        ("台湾总统,台湾地区领导人,note,veto,,2015/01/01,", "field 'valid_to': expected YYYY-MM-DD"),
        ("台湾总统,台湾地区领导人,note,veto,2015-01-02,2015-01-01,", "field 'valid_to': 2015-01-01 is before"),
        ("台湾国,台湾地区,note,veto,,,台北国际", "field 'exceptions'"),
    ],
)
def test_malformed_rows_name_file_line_and_field(tmp_path: Path, row: str, message: str) -> None:
    path = _write(tmp_path, "香港政府,香港特别行政区政府,ok,serious,,,", row)
    with pytest.raises(ValueError, match=rf"expressions\.csv:4: {message}"):
        load_rules(path)


def test_header_is_required(tmp_path: Path) -> None:
    path = tmp_path / "expressions.csv"
    path.write_text("wrong,right\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"expressions\.csv:1: expected the header"):
        load_rules(path)
    path.write_text("# only a comment\n", encoding="utf-8")
    with pytest.raises(ValueError, match="no header line"):
        load_rules(path)


def test_seed_table_is_well_formed(rules: tuple[ExpressionRule, ...]) -> None:
    assert len(rules) >= 25
    assert len({r.wrong for r in rules}) == len(rules)
    for rule in rules:
        assert rule.wrong != rule.right
        assert rule.note


def test_precision_and_recall_on_a_corpus(rules: tuple[ExpressionRule, ...]) -> None:
    fillers = ["据报道，", "会议强调，", "记者从有关部门获悉：", ""]
    tp = fp = fn = 0
    for i, (text, wrong, _, day) in enumerate(WRONG):
        sentence = f"{fillers[i % 4]}{text}，国务院总理李克强、台湾地区领导人、香港特别行政区政府均有表态。"
        sentence = sentence if day == Y2015 else f"{fillers[i % 4]}{text}。"
        found = [f.evidence for f in find_expressions(sentence, rules, day)]
        hit = sum(f.startswith(f"“{wrong}”") for f in found)
        tp += hit
        fn += hit == 0
        fp += len(found) - hit
    for i, (text, day) in enumerate(RIGHT):
        fp += len(find_expressions(f"{fillers[i % 4]}{text}。", rules, day))
    assert tp / (tp + fp) >= 0.90
    assert tp / (tp + fn) >= 0.90
