"""The notice as an official document (GB/T 9704-2012), read back from the real .docx with python-docx, and the
sentences the data must allow (no praise the figures do not show, the rubric's own window, no date talk for a
home page that never opened)."""

from __future__ import annotations

import re
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX, WD_LINE_SPACING
from docx.oxml.ns import qn
from test_scoring import build_store

from scoring.cli import main
from scoring.evaluation import EvaluationOptions, evaluate
from scoring.notice import (
    Progress,
    availability_heading,
    failing_lead,
    mailbox_heading,
    notice_paragraphs,
    problems_lead,
    unevaluated_sentence,
    update_heading,
)
from scoring.noticecfg import NoticeConfigError, load_notice_config, stale_words
from scoring.officialdoc import DocumentProperties, Paragraph, signature_indents, write_official_doc
from scoring.problems import problem_list, site_phrases

NOTICE = "通报（草稿）.docx"
MM = 36000  # EMU per millimetre


@pytest.fixture(scope="module")
def notice(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The draft notice of the scoring fixture's store with a baseline, no signing date given."""
    tmp = tmp_path_factory.mktemp("notice")
    fx = build_store(tmp)
    baseline = tmp / "before.csv"
    baseline.write_text("site_id,blank_columns,stale_columns,broken_links\na,9,10,12\n", encoding="utf-8")
    args = ["notice", "--db", str(fx.db), "--out", str(fx.out), "--sites", str(fx.sites)]
    assert main([*args, "--baseline", str(baseline), "--baseline-name", "普查前"]) == 0
    return fx.out / NOTICE


def east_asia(run: Any) -> str:
    fonts = run._element.rPr.rFonts
    return fonts.get(qn("w:eastAsia"))


def test_page_is_a4_with_the_standard_margins_and_grid(notice: Path) -> None:
    doc = Document(str(notice))
    section = doc.sections[0]
    assert (round(section.page_width / MM), round(section.page_height / MM)) == (210, 297)
    margins = [section.top_margin, section.bottom_margin, section.left_margin, section.right_margin]
    assert [round(m / MM) for m in margins] == [37, 35, 28, 26]
    grid = section._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "linesAndChars"
    pitch = int(grid.get(qn("w:linePitch"))) / 20
    text_height = (297 - 37 - 35) / 25.4 * 72
    assert int(text_height // pitch) == 22  # 22 lines fit, a 23rd does not
    # 28 characters of 3号 (16 pt) at the grid's character pitch fill the 156 mm text width
    char_pitch = 16 + int(grid.get(qn("w:charSpace"))) / 4096
    assert int((156 / 25.4 * 72) // char_pitch) == 28
    normal = doc.styles["Normal"].paragraph_format
    assert normal.line_spacing_rule == WD_LINE_SPACING.EXACTLY
    assert normal.line_spacing.pt == pytest.approx(28.95, abs=0.01)


def test_fonts_of_title_headings_and_body(notice: Path) -> None:
    paras = Document(str(notice)).paragraphs
    title = paras[0]
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert {(east_asia(r), r.font.size.pt) for r in title.runs} == {("方正小标宋简体", 22.0)}
    level1 = next(p for p in paras if p.text == "一、评估结果")
    assert {(east_asia(r), r.font.size.pt) for r in level1.runs} == {("黑体", 16.0)}
    level2 = next(p for p in paras if p.text.startswith("（一）信息更新"))
    assert (level2.runs[0].text, east_asia(level2.runs[0])) == ("（一）信息更新更加及时。", "楷体_GB2312")
    assert {east_asia(r) for r in level2.runs[1:]} == {"仿宋_GB2312"}
    body = next(p for p in paras if p.text.startswith("按照"))
    assert {(east_asia(r), r.font.size.pt, bool(r.font.bold)) for r in body.runs} == {("仿宋_GB2312", 16.0, False)}
    assert body.paragraph_format.first_line_indent.pt == 32  # two characters
    # the fallback names are declared in the font table for machines without the GB fonts
    table = zipfile.ZipFile(notice).read("word/fontTable.xml").decode("utf-8")
    assert '<w:font w:name="仿宋_GB2312"><w:altName w:val="仿宋"/>' in table
    assert '<w:font w:name="方正小标宋简体"><w:altName w:val="小标宋"/>' in table


def test_level3_heading_is_bold_fangsong(tmp_path: Path) -> None:
    path = write_official_doc(
        [Paragraph("标题", "title"), Paragraph("1.加强领导。各单位要……")],
        tmp_path / "x.docx",
        DocumentProperties(office="某市人民政府办公室", title="标题"),
    )
    runs = Document(str(path)).paragraphs[1].runs
    assert (runs[0].text, east_asia(runs[0]), runs[0].font.bold) == ("1.加强领导。", "仿宋_GB2312", True)
    assert not runs[1].font.bold


def footer_xml(footer: Any) -> str:
    return footer._element.xml


def test_page_numbers_in_odd_and_even_footers(notice: Path) -> None:
    doc = Document(str(notice))
    section = doc.sections[0]
    assert doc.settings.odd_and_even_pages_header_footer
    for footer, align in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
    ):
        para = footer.paragraphs[0]
        assert para.alignment == align
        assert para.text == "— 1 —"  # the field's shown value between the dashes
        xml = footer_xml(footer)
        assert re.search(r"<w:instrText[^>]*> PAGE </w:instrText>", xml)
        assert 'w:fldCharType="begin"' in xml
        assert 'w:fldCharType="end"' in xml
        assert {r.font.size.pt for r in para.runs} == {14.0}  # 4号
        assert {east_asia(r) for r in para.runs} == {"宋体"}


def test_placeholders_and_signing_date_are_highlighted(notice: Path) -> None:
    paras = Document(str(notice)).paragraphs
    marked = [p for p in paras if "【请补充" in p.text]
    assert [p.text for p in marked][-1] == "【请补充：成文日期】"  # no --date: the office dates it
    assert len(marked) >= 2
    for para in marked:
        spans = [r for r in para.runs if "【请补充" in r.text]
        assert spans
        assert all(r.font.highlight_color == WD_COLOR_INDEX.YELLOW for r in spans)
        assert all(r.font.highlight_color is None for r in para.runs if "【" not in r.text)
    date = marked[-1]
    assert date.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert paras[paras.index(date) - 1].text == "安康市人民政府办公室"


def test_document_properties_name_the_office(notice: Path) -> None:
    core = Document(str(notice)).core_properties
    assert core.author == core.last_modified_by == "安康市人民政府办公室"
    assert core.title == "关于2015年全市政府网站绩效评估情况的通报"
    package = zipfile.ZipFile(notice)
    app = package.read("docProps/app.xml").decode("utf-8")
    assert "<Company>安康市人民政府办公室</Company>" in app
    for name in ("docProps/core.xml", "docProps/app.xml"):
        assert "python-docx" not in package.read(name).decode("utf-8")


def test_no_english_word_in_the_notice(notice: Path) -> None:
    doc = Document(str(notice))
    section = doc.sections[0]
    texts = [p.text for p in doc.paragraphs]
    texts += [p.text for f in (section.footer, section.even_page_footer) for p in f.paragraphs]
    latin = [t for t in texts if re.search(r"[A-Za-z]", t)]
    assert latin == []


# -- what the data allows ---------------------------------------------------------------------------------
def test_stale_words_follow_the_rubric_windows() -> None:
    assert stale_words([(1, "m")]) == "1个月内未更新"
    assert stale_words([(14, "d"), (14, "d")]) == "2周内未更新"
    assert stale_words([(10, "d")]) == "10天内未更新"
    assert stale_words([(14, "d"), (6, "m")]) == "未按要求时间更新栏目"
    config = load_notice_config().with_stale_windows([(14, "d")])
    assert config.phrase("columns_both", limit=5) == "2周内未更新和空白栏目均超过5个"
    assert config.phrase("columns_either", limit=5) == "2周内未更新或空白栏目超过5个"


def test_praise_only_when_the_figures_show_it() -> None:
    config = load_notice_config()
    assert (config.praise.improved_pct, config.praise.marked_pct) == (10, 50)
    none = Progress()
    assert update_heading(none, config) == "信息更新情况"
    assert problems_lead(none, config).startswith("此次评估也发现")
    small = Progress(blank=5, stale=30, broken=-20)  # blank barely moved, broken links went up
    assert update_heading(small, config) == "信息更新情况"
    assert availability_heading(small, config) == "网站可用性情况"
    assert "提升" not in problems_lead(small, config)
    fair = Progress(blank=20, stale=25, broken=30)
    assert update_heading(fair, config) == "信息更新更加及时"
    assert availability_heading(fair, config) == "网站可用性进一步提高"
    assert "不断提升" in problems_lead(fair, config)
    assert "大幅提升" in problems_lead(Progress(blank=96, stale=92, broken=91), config)
    assert "提升" not in problems_lead(Progress(blank=96, stale=92, broken=None), config)  # a baseline of 0


def test_failing_lead_says_what_was_found() -> None:
    assert failing_lead(0, ["错误链接"]) == "（一）个别网站建设管理不达标。错误链接等现象依然存在。"
    assert failing_lead(2, []) == "（一）个别网站建设管理不达标。部分网站建设仍不合格。"
    assert unevaluated_sentence([]) == ""
    assert (
        unevaluated_sentence([("旬阳县", "本次未检测")])
        == "另有1个网站本次未评估，不计入上述统计：旬阳县政府网站（本次未检测）。"
    )


def test_praise_thresholds_are_checked(tmp_path: Path) -> None:
    text = (Path(__file__).resolve().parents[1] / "data" / "notice" / "notice.toml").read_text(encoding="utf-8")
    bad = tmp_path / "notice.toml"
    bad.write_text(text.replace("improved_pct = 10", "improved_pct = 60"), encoding="utf-8")
    with pytest.raises(NoticeConfigError, match=r"praise\.improved_pct"):
        load_notice_config(bad)
    bad.write_text(text.replace("marked_pct = 50", 'marked_pct = "half"'), encoding="utf-8")
    with pytest.raises(NoticeConfigError, match=r"praise\.marked_pct"):
        load_notice_config(bad)


def home_row(**values: Any) -> dict[str, Any]:
    row = {
        "site_id": "hkq",
        "name": "恒口示范区管委会",
        "group": "county",
        "evaluation": "evaluated",
        "home_unavailable": True,
        "home_probes": 3,
        "home_failures": 3,
        "home_updated": False,
        "home_days_since_update": pd.NA,
        "blank_columns": 0,
        "stale_columns": 0,
        "broken_links": 0,
        "serious_typos": 0,
    }
    return {**row, **values}


@pytest.mark.parametrize(
    ("values", "phrase"),
    [
        ({}, "3次抽查均不能访问首页"),  # never opened: no word on its dates
        ({"home_probes": 0, "home_failures": 0}, "首页无法访问"),  # no probes, the crawl's fetch failed
        ({"home_unavailable": False, "home_failures": 1}, "首页无可识别的更新日期"),  # it opened, no date on it
    ],
)
def test_no_date_talk_for_a_home_page_that_never_opened(values: dict[str, Any], phrase: str) -> None:
    config = load_notice_config()
    problems = problem_list(pd.DataFrame([home_row(**values)]), pd.Series({"hkq": "恒口示范区管委会"}), config)
    assert site_phrases(problems, config)["phrase"].tolist() == [phrase]


def test_signature_date_and_cc_as_the_standard_places_them(notice: Path) -> None:
    paras = Document(str(notice)).paragraphs
    office = next(p for p in paras if p.text == "安康市人民政府办公室")
    date = paras[paras.index(office) + 1]
    # the placeholder date (10 characters) is as long as the office: the date 2 from the right, the office 4
    assert (office.paragraph_format.right_indent.pt, date.paragraph_format.right_indent.pt) == (64, 32)
    assert signature_indents("安康市人民政府办公室", "2016年1月26日") == (2.0, 3.5)  # digits are half-width
    cc = [p for p in paras if p.text.startswith(("抄送：", "市中级", "中、省"))]
    assert len(cc) == 3
    assert {(east_asia(r), r.font.size.pt) for p in cc for r in p.runs} == {("仿宋_GB2312", 14.0)}
    first, last = (p._p.pPr.find(qn("w:pBdr")) for p in (cc[0], cc[-1]))
    assert first.find(qn("w:top")) is not None
    assert last.find(qn("w:bottom")) is not None
    assert cc[1]._p.pPr.find(qn("w:pBdr")) is None


def test_page_number_sits_7_mm_below_the_text(notice: Path) -> None:
    section = Document(str(notice)).sections[0]
    number_line = section.footer.paragraphs[0].paragraph_format.line_spacing
    assert number_line.pt == 14.0
    top_of_number = section.footer_distance + number_line
    assert round((section.bottom_margin - top_of_number) / MM, 1) == 7.0


def test_no_score_is_printed(notice: Path) -> None:
    """Vetoed and unevaluated sites have no score; the notice prints none for any site."""
    text = "\n".join(p.text for p in Document(str(notice)).paragraphs)
    assert not re.search(r"\d+(?:\.\d+)?分", text)
    assert "未评估" in text


def test_when_no_site_was_evaluated() -> None:
    assert (
        unevaluated_sentence([("旬阳县", "本次未检测")], others=False)
        == "1个网站本次未评估：旬阳县政府网站（本次未检测）。"
    )


def test_notice_groups_by_chinese_name(tmp_path: Path) -> None:
    text = (Path(__file__).resolve().parents[1] / "data" / "notice" / "notice.toml").read_text(encoding="utf-8")
    edited = tmp_path / "notice.toml"
    edited.write_text(text.replace("[groups.county]", '[groups."县区组"]'), encoding="utf-8")
    (tmp_path / "requirements.md").write_text("要求。\n", encoding="utf-8")
    assert load_notice_config(edited).scopes["county"] == "县（区）级政府门户网站（含派出机构）"


def test_mailbox_heading_only_for_a_mailbox_that_answers() -> None:
    config = load_notice_config()
    assert mailbox_heading(99, config) == "政民互动回应深入推进"
    assert mailbox_heading(80, config) == "政民互动情况"
    assert config.with_stale_windows([(14, "d"), (6, "m")]).phrase("columns_both", limit=5) == (
        "未按要求时间更新栏目和空白栏目均超过5个"
    )


def test_vetoed_and_unevaluated_sites_as_scoring_marks_them(tmp_path: Path) -> None:
    """The per-site frame's contract: ``score`` NaN for vetoed and unevaluated sites, ``verdict`` 合格/不合格/未评估,
    ``evaluation != "evaluated"`` for the unevaluated (with the scoring's reason when it gives one). A vetoed site
    is never named excellent; an unevaluated one is out of every count and listed with its reason."""
    fx = build_store(tmp_path)
    ev = evaluate(EvaluationOptions(fx.db, fx.sites))
    scored = ev.scored.copy()
    vetoed = scored["site_id"] == "fagai"
    skipped = scored["site_id"] == "shiquan"
    scored.loc[vetoed, ["verdict", "excellent"]] = ["不合格", True]  # a stale flag must not make it excellent
    scored.loc[vetoed, "score"] = float("nan")
    scored.loc[skipped, ["evaluation", "verdict"]] = ["unfinished", "未评估"]
    scored.loc[skipped, "score"] = float("nan")
    scored = scored.assign(evaluation_note=scored["site_id"].map({"shiquan": "抓取未完成"}).fillna(""))
    paras = [p.text for p in notice_paragraphs(replace(ev, scored=scored), start=ev.as_of, end=ev.as_of)]
    text = "\n".join(paras)
    assert "发改委网站被评为" not in text
    assert "、发改委" not in paras[4]
    evaluated = int((scored["evaluation"] == "evaluated").sum())
    passed = int(((scored["evaluation"] == "evaluated") & (scored["verdict"] == "合格")).sum())
    assert f"参评的{evaluated}个网站中合格{passed}个" in paras[5]
    assert "石泉县政府网站（抓取未完成）" in paras[5]
    assert "unfinished" not in text
    assert paras[-4] == "【请补充：成文日期】"
