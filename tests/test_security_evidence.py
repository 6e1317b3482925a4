"""Evidence of content-security findings and failed site checks, photographed by real Chromium on the security
web while it is live: every dark link made visible and outlined, every leaked number on a page highlighted in
its masked form, no long digit run left on any picture, and the pictures in the site's 整改通知."""

from __future__ import annotations

import json
from pathlib import Path

from docx import Document

from tests.helpers import crawl_command, needs_chromium, run, score_command
from tests.test_evidence import png_size
from tests.webs.security import AS_OF, SecurityWeb

pytestmark = needs_chromium


def test_security_findings_and_failed_checks_are_photographed(tmp_path: Path) -> None:
    db, out = tmp_path / "store.sqlite", tmp_path / "out"
    with SecurityWeb() as web:
        registry = web.registry(tmp_path / "sites.csv")
        crawled = run(
            crawl_command(registry, db, "r1", AS_OF),
            GOVSITES_ALLOW_PRIVATE="1",
            GOVSITES_LINK_TIMEOUT="5",
            GOVSITES_PROBES="1",
        )
        assert crawled.returncode == 0, crawled.stderr[-3000:]
        scored = run([*score_command(registry, db, out, "r1"), "--rubric", "checks2019", "--evidence", "80"])
        assert scored.returncode == 0, scored.stderr[-3000:]
        made = run(["-m", "scoring", "rectify", *score_command(registry, db, out, "r1")[2:]])
        assert made.returncode == 0, made.stderr[-3000:]
    index = json.loads((out / "evidence" / "index.json").read_text(encoding="utf-8"))
    by_kind: dict[str, list[dict[str, object]]] = {}
    for taken in index:
        by_kind.setdefault(str(taken["kind"]), []).append(taken)
    pictures = [t for t in index if t["path"]]
    assert all(t["left"] == 0 for t in pictures)  # no long digit run was visible in any picture
    assert all(png_size(out / str(t["path"])) == (1280, 900) for t in pictures)
    dark = by_kind["hidden_link"]
    assert len(dark) == 11
    assert all(t["path"] and t["marked"] for t in dark), [t for t in dark if not t["marked"]]  # made visible
    leaks = by_kind["privacy_id_number"] + by_kind["privacy_mobile"] + by_kind.get("privacy_bank_card", [])
    assert leaks
    assert all(t["path"] and t["masked"] for t in leaks)  # the page's numbers were masked first
    assert any(t["marked"] for t in leaks)  # and the leaked one highlighted as the masked page shows it
    assert all("/files/" not in str(t["page_url"]) for t in leaks)  # an attachment has no page to picture
    assert all(t["marked"] for t in by_kind["wrong_expression"])
    assert all(t["path"] for t in by_kind["bad_external_link"] + by_kind["closed_site_link"])
    assert all(t["path"] for t in by_kind.get("failed_check", []))
    notices = {p.name.split("-")[0]: Document(str(p)) for p in (out / "整改通知").glob("*.docx")}
    assert len(notices["anquan"].inline_shapes) >= 11 + len(leaks)  # the pictures are in the site's notice
