"""Evidence and the review loop on a real crawl: the demo web on loopback, crawled twice (unchanged), scored with
screenshots by real Chromium; decisions made after the first run hold on the second."""

from __future__ import annotations

import json
import re
import struct
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from openpyxl import load_workbook

from govsites.demo import AS_OF, DemoWeb
from scoring.evidence import LEFT_SCRIPT, MASK_SCRIPT
from tests.helpers import crawl_command, needs_chromium, read_csv, run, score_command

pytestmark = needs_chromium

ID_NUMBER = "610902198001011234"  # a made-up number of the resident-ID shape
MOBILE = "13912345678"


def png_size(path: Path) -> tuple[int, int]:
    """(width, height) from a PNG's IHDR; fails on anything that is not a PNG."""
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", path
    width, height = struct.unpack(">II", head[16:24])
    return int(width), int(height)


def test_numbers_are_masked_in_the_page_before_the_picture() -> None:
    from playwright.sync_api import sync_playwright

    from scoring.evidence import browser_path

    html = f"<html><body><p>公示：张三 {ID_NUMBER}，电话 {MOBILE}</p><input value='{ID_NUMBER}'></body></html>"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=browser_path(None), args=["--no-sandbox"])
        page = browser.new_page()
        page.set_content(html)
        assert page.evaluate(LEFT_SCRIPT, 9) == 3
        assert page.evaluate(MASK_SCRIPT, 9) == 3
        assert page.evaluate(LEFT_SCRIPT, 9) == 0
        text = page.inner_text("body")
        assert ID_NUMBER not in text
        assert "61*************234" in text
        assert page.input_value("input") == "61*************234"
        browser.close()


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Any:
    tmp = tmp_path_factory.mktemp("evidence")
    with DemoWeb(port=0) as web:
        registry = web.write_registry(tmp / "sites.csv")
        db = tmp / "store.sqlite"
        first = run(crawl_command(registry, db, "r1", AS_OF.isoformat(), "--allow-private"))
        assert first.returncode == 0, first.stderr[-3000:]
        out = tmp / "out"
        scored = run([*score_command(registry, db, out, "r1"), "--evidence", "6"])
        assert scored.returncode == 0, scored.stderr[-3000:]
        yield {"web": web, "registry": registry, "db": db, "out": out, "tmp": tmp}


def test_every_veto_and_cited_finding_links_a_readable_png(crawled: Any) -> None:
    out = crawled["out"]
    index = json.loads((out / "evidence" / "index.json").read_text(encoding="utf-8"))
    pictures = [t for t in index if t["path"]]
    assert pictures
    assert all(t["left"] == 0 for t in pictures)  # no long digit run was visible when a picture was taken
    for t in pictures:
        assert png_size(out / t["path"]) == (1280, 900)
    assert all(t["marked"] for t in pictures), [t for t in pictures if not t["marked"]]
    wb = load_workbook(out / "scores.xlsx")
    ranking = wb["分组排名"]
    head = [c.value for c in ranking[1]]
    at_veto, at_picture = head.index("否决原因"), head.index("否决证据")
    vetoes = [row for row in ranking.iter_rows(min_row=2) if row[at_veto].value]
    assert vetoes, "the demo web has vetoed sites"
    for row in vetoes:
        link = row[at_picture].hyperlink
        assert link is not None, row[0].value
        png_size(out / link.target)
    links = wb["链接明细"]
    head = [c.value for c in links[1]]
    cited = [r[head.index("证据截图")] for r in links.iter_rows(min_row=2) if r[head.index("证据截图")].value]
    assert cited
    for c in cited:
        png_size(out / c.hyperlink.target)


def test_scoring_again_reuses_the_pictures(crawled: Any) -> None:
    out = crawled["out"]
    before = {p: p.stat().st_mtime_ns for p in (out / "evidence").rglob("*.png")}
    again = run([*score_command(crawled["registry"], crawled["db"], out, "r1"), "--evidence", "6"])
    assert again.returncode == 0, again.stderr[-3000:]
    assert {p: p.stat().st_mtime_ns for p in (out / "evidence").rglob("*.png")} == before


def test_a_dismissed_link_stays_dismissed_on_a_fresh_crawl_of_the_unchanged_web(crawled: Any) -> None:
    out, tmp, registry, db = crawled["out"], crawled["tmp"], crawled["registry"], crawled["db"]
    broken = next(r for r in read_csv(out / "links.csv") if r["finding_id"])
    crawled["dismissed"] = broken["finding_id"]
    before = {r["site_id"]: r for r in read_csv(out / "metrics.csv")}
    review = tmp / "review.csv"
    review.write_text(
        f"finding_id,decision,note,reviewer,date\n{broken['finding_id']},排除,人工核实可访问,王五,{AS_OF.isoformat()}\n",
        encoding="utf-8",
    )
    reviewed = run([*score_command(registry, db, tmp / "reviewed", "r1"), "--review", str(review)])
    assert reviewed.returncode == 0, reviewed.stderr[-3000:]
    second = run(crawl_command(registry, db, "r2", AS_OF.isoformat(), "--allow-private"))
    assert second.returncode == 0, second.stderr[-3000:]
    later = tmp / "later"
    scored = run(score_command(registry, db, later, "r2"))
    assert scored.returncode == 0, scored.stderr[-3000:]
    rows = [r for r in read_csv(later / "links.csv") if r["finding_id"] == broken["finding_id"]]
    assert rows, "the unchanged web shows the same finding, with the same id"
    assert {r["review"] for r in rows} == {"dismissed"}
    after = {r["site_id"]: r for r in read_csv(later / "metrics.csv")}
    site = broken["site_id"]
    assert int(after[site]["broken_links"]) == int(before[site]["broken_links"]) - 1


def test_rectification_notices_carry_problems_pictures_rules_and_a_feedback_table(crawled: Any) -> None:
    out, registry, db = crawled["out"], crawled["registry"], crawled["db"]
    command = ["-m", "scoring", "rectify", *score_command(registry, db, out, "r1")[2:], "--deadline", "2016-01-31"]
    made = run(command)
    assert made.returncode == 0, made.stderr[-3000:]
    docs = sorted((out / "整改通知").glob("*.docx"))
    assert docs
    with_findings = {
        r["site_id"]
        for name in ("columns.csv", "links.csv", "typos.csv", "risks.csv", "site_checks.csv")
        for r in read_csv(out / name)
        if r["finding_id"]
    } | {r["site_id"] for r in read_csv(out / "metrics.csv") if r["home_available"] == "false"}
    assert {p.name.split("-")[0] for p in docs} <= with_findings
    dismissed = crawled.get("dismissed", "")
    pictured = 0
    for path in docs:
        doc = Document(str(path))
        text = "\n".join(p.text for p in doc.paragraphs)
        assert "整改通知" in doc.paragraphs[0].text
        assert "2016年1月31日前完成" in text
        assert "依据《" in text
        assert doc.core_properties.category == "整改通知"
        table = doc.tables[-1]
        assert [c.text for c in table.rows[0].cells] == ["序号", "问题编号", "问题", "整改情况", "完成时间"]
        assert len(table.rows) >= 2
        assert not re.search(r"\d{17}[\dXx]", text)
        if dismissed:
            assert dismissed not in text  # a dismissed finding is never sent to the webmaster
        pictured += len(doc.inline_shapes)
        section = doc.sections[0]
        assert (round(section.top_margin.mm), round(section.left_margin.mm)) == (37, 28)
    assert pictured >= 1  # the pictures of `--evidence` are embedded


def test_a_problem_still_there_after_the_rerun_shows_the_pictures_of_both_runs(crawled: Any) -> None:
    out, registry, db = crawled["out"], crawled["registry"], crawled["db"]
    if not (crawled["tmp"] / "later").is_dir():  # the second crawl of the unchanged web (made above when run whole)
        second = run(crawl_command(registry, db, "r2", AS_OF.isoformat(), "--allow-private"))
        assert second.returncode == 0, second.stderr[-3000:]
    scored = run([*score_command(registry, db, out, "r2"), "--evidence", "6"])  # the same OUT as run r1's
    assert scored.returncode == 0, scored.stderr[-3000:]
    index = json.loads((out / "evidence" / "index.json").read_text(encoding="utf-8"))
    both = [t for t in index if t["path"] and t["earlier_path"]]
    assert both, "an unchanged web: every finding is still there and was photographed in r1"
    for t in both:
        assert (t["run"], t["earlier_run"]) == ("r2", "r1")
        assert t["earlier_path"].endswith(f"{t['finding_id']}.r1.png")
        assert png_size(out / t["path"]) == png_size(out / t["earlier_path"]) == (1280, 900)
    sheet = load_workbook(out / "scores.xlsx")["整改跟踪"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    head = next(r for r in rows if r and "上次证据截图" in r)
    at_now, at_before = head.index("本次证据截图"), head.index("上次证据截图")
    linked = [r for r in rows[rows.index(head) + 1 :] if r[at_before]]
    assert linked
    assert all(r[at_now] for r in linked)
    command = ["-m", "scoring", "rectify", *score_command(registry, db, out, "r2")[2:], "--deadline", "2016-01-31"]
    made = run(command)
    assert made.returncode == 0, made.stderr[-3000:]
    texts = ["\n".join(p.text for p in Document(str(path)).paragraphs) for path in (out / "整改通知").glob("*.docx")]
    assert any("上次检查（运行 r1）" in text and "本次检查（运行 r2），仍未整改" in text for text in texts)
