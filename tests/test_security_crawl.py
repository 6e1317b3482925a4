"""Content security end to end (issue 16): the content-security web crawled twice, scored, noticed.

Precision and recall per kind are measured against the web's own truth (``tests/webs/security.py``) and printed
(``pytest -s``); no full number may appear in any output (CSVs, workbook cells, notice, store bytes, crawl log);
attachments and link targets are fetched once each; the closed site is not crawled or scored; a second run
with a tampered home page reports the tampering against the first.
"""

from __future__ import annotations

import json
import re
import sqlite3
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

import openpyxl
import pandas as pd
import pytest
from docx import Document

from govsites.items import ContentItem, PageItem
from govsites.registry import RegistryError, load_sites
from scoring.notice import security_sentence
from tests.helpers import crawl_command, needs_chromium, query, read_csv, run, score_command
from tests.webs.security import AS_OF, PLANTED, READS_DOC, READS_PDF, READS_XLS, TRAPS, SecurityWeb, Truth

PERSONAL = ("privacy_id_number", "privacy_mobile", "privacy_bank_card")
LINKS = ("hidden_link", "bad_external_link", "closed_site_link")
#: the issue's bars: personal data (pages and attachments) 0.95, links and expressions 0.90
BARS = {"personal data": 0.95, **dict.fromkeys(LINKS, 0.90), "wrong_expression": 0.90}


@dataclass(frozen=True)
class Outcome:
    out: Path
    out2: Path
    db: Path
    log: str
    truth: list[Truth]
    hits: dict[str, int]  # requests per "host path" during the first run


def _masked(number: str) -> str:
    return number[:2] + "*" * (len(number) - 5) + number[-3:]


@pytest.fixture(scope="module")
def outcome(tmp_path_factory: pytest.TempPathFactory) -> Outcome:
    tmp = tmp_path_factory.mktemp("security")
    db, out, out2 = tmp / "store.sqlite", tmp / "out", tmp / "out2"
    settings = {"GOVSITES_ALLOW_PRIVATE": "1", "GOVSITES_LINK_TIMEOUT": "5", "GOVSITES_PROBES": "1"}
    with SecurityWeb() as web:
        registry = web.registry(tmp / "sites.csv")
        first = run(crawl_command(registry, db, "r1", AS_OF), GOVSITES_STATS_DUMP="1", **settings)
        assert first.returncode == 0, first.stderr[-3000:]
        hits = dict(web.hits)
        web.web.tampered = True
        second = run(crawl_command(registry, db, "r2", AS_OF), **settings)
        assert second.returncode == 0, second.stderr[-3000:]
    for label, folder in (("r1", out), ("r2", out2)):
        scored = run([*score_command(registry, db, folder, label), "--rubric", "checks2019"])
        assert scored.returncode == 0, scored.stderr[-3000:]
    notice = run(
        ["-m", "scoring", "notice", "--db", str(db), "--out", str(out), "--sites", str(registry), "--run", "r1"]
    )
    assert notice.returncode == 0, notice.stderr[-3000:]
    log = first.stdout + first.stderr + second.stdout + second.stderr
    return Outcome(out, out2, db, log, web.truth(), hits)


def _found(rows: list[dict[str, str]]) -> set[tuple[str, ...]]:
    keys: set[tuple[str, ...]] = set()
    for row in rows:
        kind, url = row["kind"], unquote(row["url"])
        if kind in PERSONAL:
            keys.add((row["site_id"], kind, url, row["evidence"].split()[-1]))
        elif kind in LINKS:
            keys.add((row["site_id"], kind, row["target"]))
        elif kind == "wrong_expression":
            wrong = re.match(r"“(.+?)”", row["evidence"])
            keys.add((row["site_id"], kind, url, wrong.group(1) if wrong else ""))
    return keys


def _expected(truth: list[Truth]) -> set[tuple[str, ...]]:
    keys: set[tuple[str, ...]] = set()
    for t in truth:
        if t.kind in PERSONAL:
            keys.add((t.site_id, t.kind, t.where, _masked(t.what)))
        elif t.kind in LINKS:
            keys.add((t.site_id, t.kind, t.where))
        else:
            keys.add((t.site_id, t.kind, t.where, t.what))
    return keys


def _prf(found: set[tuple[str, ...]], expected: set[tuple[str, ...]]) -> tuple[float, float, int, int, int]:
    hit = len(found & expected)
    precision = hit / len(found) if found else 1.0
    recall = hit / len(expected) if expected else 1.0
    return precision, recall, hit, len(found), len(expected)


@needs_chromium
def test_precision_and_recall_per_kind(outcome: Outcome) -> None:
    found, expected = _found(read_csv(outcome.out / "risks.csv")), _expected(outcome.truth)
    groups = {"personal data": PERSONAL, **{kind: (kind,) for kind in (*LINKS, "wrong_expression")}}
    for name, kinds in groups.items():
        mine = {key for key in found if key[1] in kinds}
        theirs = {key for key in expected if key[1] in kinds}
        precision, recall, hit, n_found, n_expected = _prf(mine, theirs)
        print(f"{name}: precision {precision:.2f} recall {recall:.2f} ({hit} of {n_found} found, {n_expected} planted)")
        assert precision >= BARS[name], sorted(mine - theirs)
        assert recall >= BARS[name], sorted(theirs - mine)


def _texts(outcome: Outcome) -> Iterator[tuple[str, str]]:
    for folder in (outcome.out, outcome.out2):
        for path in folder.rglob("*"):
            if path.suffix == ".csv":
                yield str(path), path.read_text(encoding="utf-8")
            elif path.suffix == ".xlsx":
                book = openpyxl.load_workbook(path, read_only=True)
                cells = (str(c) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row)
                yield str(path), " ".join(cells)
            elif path.suffix == ".docx":
                document = Document(str(path))
                yield str(path), " ".join(p.text for p in document.paragraphs)
    for path in outcome.db.parent.glob(outcome.db.name + "*"):  # the store, its WAL and shared memory
        if path.is_file():
            yield str(path), path.read_bytes().decode("latin-1")
    for path in outcome.db.parent.glob(outcome.db.name + ".httpcache/*.sqlite"):  # kept answers and renders
        with sqlite3.connect(path) as kept:
            tables = {name for (name,) in kept.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            assert tables & {"answers", "renders"}, path
            for table in sorted(tables & {"answers", "renders"}):
                for head, body in kept.execute(f"SELECT head, body FROM {table}"):
                    yield f"{path}: {json.loads(head)['url']}", zlib.decompress(body).decode("utf-8", "replace")
    yield "crawl log", outcome.log


def test_no_output_holds_a_full_number(outcome: Outcome) -> None:
    scanned = list(_texts(outcome))
    assert any(name.endswith("risks.csv") for name, _ in scanned)
    assert any(name.endswith("scores.xlsx") for name, _ in scanned)
    assert any(name.endswith(".docx") for name, _ in scanned)
    for name, text in scanned:
        flat = re.sub(r"[ \-]", "", text)  # numbers written with separators on the pages count too
        for number in PLANTED:
            assert number not in text, f"{name} holds a planted number in full"
            assert number not in flat, f"{name} holds a planted number in full (with separators)"


def test_traps_are_not_findings(outcome: Outcome) -> None:
    evidence = " ".join(row["evidence"] for row in read_csv(outcome.out / "risks.csv"))
    for trap in TRAPS.values():
        digits = re.sub(r"\D", "", trap)
        if len(digits) >= 11:
            assert _masked(digits) not in evidence, trap


def test_each_attachment_and_target_is_fetched_once(outcome: Outcome) -> None:
    # /bet2.html is the end of two redirects (/go and /ua.html): reached once through each
    fetched = {
        key: n
        for key, n in outcome.hits.items()
        if "/files/" in key or (key.startswith("127.0.0.83 ") and key != "127.0.0.83 /bet2.html")
    }
    assert outcome.hits["127.0.0.83 /bet2.html"] == 2
    assert len(fetched) >= 12
    assert all(n == 1 for n in fetched.values()), fetched
    assert "govsites/security/attachments" in outcome.log
    assert "govsites/security/attachments_unreadable" in outcome.log


def test_only_a_home_page_that_runs_scripts_is_rendered(outcome: Outcome) -> None:
    # the first crawl's counters: anquan's home writes a dark link with a script (found in its render: see the
    # recall test); the second site's home runs no code, so its render is skipped and counted
    assert re.search(r"'govsites/security/home_render_skipped': 1\b", outcome.log), outcome.log[-3000:]
    dark = {key[2] for key in _found(read_csv(outcome.out / "risks.csv")) if key[:2] == ("anquan", "hidden_link")}
    assert "http://127.0.0.95/k" in dark


def test_unreadable_attachments_are_notice_rows(outcome: Outcome) -> None:
    rows = [r for r in read_csv(outcome.out / "risks.csv") if r["kind"] == "unreadable_attachment"]
    reasons = {unquote(r["url"]).rsplit("/", 1)[-1]: r["evidence"] for r in rows}
    unread = [
        name for name, read in (("名单.pdf", READS_PDF), ("申请表.doc", READS_DOC), ("名单.xls", READS_XLS)) if not read
    ]
    assert set(reasons) == {"bomb.xlsx", "broken.docx", "big.xlsx", *unread}
    assert all(r["severity"] == "notice" and r["source_url"] for r in rows)
    assert "压缩" in reasons["bomb.xlsx"]
    assert "20 MB" in reasons["big.xlsx"]


def test_closed_site_is_neither_crawled_nor_scored(outcome: Outcome) -> None:
    metrics = read_csv(outcome.out / "metrics.csv")
    assert {r["site_id"] for r in metrics} == {"anquan", "second"}
    crawled = {row["site_id"] for row in query(outcome.db, "SELECT DISTINCT site_id FROM pages")}
    assert crawled == {"anquan", "second"}
    assert not query(outcome.db, "SELECT url FROM pages WHERE url LIKE '%127.0.0.82%'")
    by_site = {r["site_id"]: r for r in metrics}
    assert by_site["second"]["closed_site_links"] == "1"
    read_by_tools = 2 * READS_PDF + READS_DOC + READS_XLS  # numbers in the PDF, the .doc and the .xls
    assert int(by_site["anquan"]["privacy_leaks"]) == 14 + read_by_tools
    assert int(by_site["anquan"]["security_veto"]) > 0
    assert "内容安全问题" in by_site["anquan"]["veto_reasons"]


def test_workbook_sheet_and_notice(outcome: Outcome) -> None:
    book = openpyxl.load_workbook(outcome.out / "scores.xlsx")
    sheet = book["内容安全"]
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["站点标识", "单位名称", "问题类型", "严重程度"]
    kinds = {row[2] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert {"暗链", "泄露身份证号码", "链接到已关停网站", "严重表述错误", "附件无法读取"} <= kinds
    assert any(c.hyperlink is not None for row in sheet.iter_rows(min_row=2) for c in row)
    notice = next(outcome.out.glob("*.docx"))
    text = "\n".join(p.text for p in Document(str(notice)).paragraphs)
    assert "内容安全隐患" in text
    assert "泄露公民身份证号码" in text
    assert "暗链" in text


def test_tampering_against_the_previous_run(outcome: Outcome) -> None:
    rows = [r for r in read_csv(outcome.out2 / "risks.csv") if r["kind"] == "tampering"]
    assert any("127.0.0.96" in r["evidence"] and "r1" in r["evidence"] for r in rows), rows
    assert any(r["severity"] == "veto" and "买球" in r["evidence"] for r in rows), rows
    assert not [r for r in read_csv(outcome.out / "risks.csv") if r["kind"] == "tampering"]


def test_registry_status_is_validated(tmp_path: Path) -> None:
    path = tmp_path / "sites.csv"
    path.write_text(
        "site_id,name,group,county,home_url,status\n"
        "a,甲,county,甲县,http://a.example.gov.cn/,closed\n"
        "b,乙,county,乙县,http://b.example.gov.cn/,\n",
        encoding="utf-8",
    )
    registry = load_sites(path)
    assert [s.site_id for s in registry.sites] == ["b"]
    assert [s.site_id for s in registry.closed] == ["a"]
    path.write_text(
        "site_id,name,group,county,home_url,status\na,甲,county,甲县,http://a.example.gov.cn/,停用\n", encoding="utf-8"
    )
    with pytest.raises(RegistryError) as error:
        load_sites(path)
    assert (error.value.line, error.value.field) == (2, "status")


def test_attachment_cap_is_counted_and_the_rest_checked(tmp_path: Path) -> None:
    db = tmp_path / "store.sqlite"
    with SecurityWeb() as web:
        registry = web.registry(tmp_path / "sites.csv")
        crawl = run(
            crawl_command(registry, db, "capped", AS_OF, "--site", "anquan"),
            GOVSITES_ALLOW_PRIVATE="1",
            GOVSITES_PROBES="1",
            GOVSITES_RENDER_ENABLED="0",
            GOVSITES_SECURITY_ATTACHMENTS="2",
            GOVSITES_STATS_DUMP="1",
        )
    log = crawl.stdout + crawl.stderr
    assert crawl.returncode == 0, log[-3000:]
    assert "'govsites/security/attachments_capped': 6" in log  # 8 attachments, 2 read
    assert "附件超过 2 个" in log
    read = {r["url"] for r in query(db, "SELECT url FROM risks WHERE kind LIKE 'privacy%' AND source_url != ''")}
    assert len(read) <= 2
    checked = {r["url"] for r in query(db, "SELECT url FROM link_checks WHERE url LIKE '%/files/%'")}
    assert len(checked) == 8  # every attachment has its link verdict, read or not


def test_items_never_show_page_content_in_their_repr() -> None:
    """Scrapy logs an item's repr (Scraped from …, Error processing …): content stays out of it."""
    number = PLANTED[0]
    page = PageItem(site_id="a", url="http://a/", final_url="http://a/", status="200", kind="other", text=number)
    content = ContentItem(site_id="a", role="attachment", url="http://a/f.xlsx", html=number, body=number.encode())
    assert number not in repr(page)
    assert number not in repr(content)


def test_notice_sentence_names_each_site_with_its_counts() -> None:
    risks = pd.DataFrame(
        {
            "site_id": ["a", "a", "a", "b", "b"],
            "kind": [
                "privacy_id_number",
                "privacy_id_number",
                "hidden_link",
                "closed_site_link",
                "unreadable_attachment",
            ],
        }
    )
    shorts = pd.Series({"a": "安全县", "b": "市商务局"})
    assert security_sentence(risks, shorts) == (
        "安全县政府网站泄露公民身份证号码2处，存在赌博、色情等暗链1个；市商务局网站链接到已关停网站1处"
    )
    assert security_sentence(risks.iloc[4:], shorts) == ""  # unreadable attachments are the analyst's, not the notice's
