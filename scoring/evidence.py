"""Evidence: a screenshot of every finding an analyst cites, with the thing itself marked.

``python -m scoring --evidence`` (``make score EVIDENCE=1``) opens each cited finding's page in Chromium (the
crawl's browser: ``GOVSITES_CHROMIUM``, else Debian's ``chromium``) and saves
``OUT/evidence/<site_id>/<finding_id>.png``:

- a broken link: the page that links it, the link outlined in red (scrolled into view);
- a serious typo: its page, the wrong form highlighted in its sentence;
- a blank or stale column: the column's page; for a stale column its newest date outlined;
- 首页无法访问: the home page as it answers now, or, when it does not open, a card with the error and the time;
- content security: a dark link made visible on its page and outlined; a bad or closed-site link outlined; a
  leaked number on a page highlighted as the masked page shows it (a number in an attachment has no picture);
  a wrong expression highlighted; the tampered home page;
- a failed site check: the home page where the entry, the mark or the code is missing.

Before each picture every digit run of 9 or more digits in the page is masked as the outputs mask numbers
(first 2 and last 3 kept; :func:`govsites.security.privacy.mask_numbers`), so evidence never re-leaks a personal
number. Pictures are bounded per site (the most serious kinds first: availability, blank, stale, broken links,
typos) and in size (one viewport, 1280×900, JPEG-free PNG); what is left out is counted and named in 总览. A
picture taken for the same finding in the same run is reused (``evidence/index.json``), so scoring again costs no
browser time. Dismissed findings get no picture. When a later run photographs a finding again (a problem still
there after the site's rerun), the earlier run's picture is kept beside the new one as
``<finding_id>.<earlier run>.png``: 整改跟踪 and the 整改通知 show both.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from govsites.config import GovsitesConfig
from govsites.security.privacy import CONTEXT_MASK_DIGITS
from scoring.findings import site_finding_id
from scoring.review import DISMISSED

if TYPE_CHECKING:
    from scoring.evaluation import Evaluation

EVIDENCE_DIR = "evidence"
INDEX = "index.json"
DEFAULT_PER_SITE = 40
VIEWPORT_WIDTH, VIEWPORT_HEIGHT = 1280, 900
PAGE_TIMEOUT_MS = 15_000
#: The order in which a site's findings get their pictures when the per-site bound is reached.
KIND_ORDER = (
    "home_unavailable",
    "privacy_id_number",
    "privacy_bank_card",
    "privacy_mobile",
    "hidden_link",
    "bad_external_link",
    "tampering",
    "closed_site_link",
    "wrong_expression",
    "blank_column",
    "stale_column",
    "broken_link",
    "serious_typo",
    "failed_check",
)
#: Content-security kinds pictured: a link outlined on its page (a dark link made visible first), a number
#: highlighted in its (masked) page, a wrong expression highlighted, the tampered home page.
LINK_RISKS = ("hidden_link", "bad_external_link", "closed_site_link")
PRIVACY_RISKS = ("privacy_id_number", "privacy_bank_card", "privacy_mobile")
#: The wrong form of a wrong expression in its evidence (“李克强主席”应为…).
QUOTED = re.compile(r"“([^”]+)”")

#: Masks every run of CONTEXT_MASK_DIGITS+ digits (X allowed, single spaces/hyphens between) in text nodes and
#: form values, keeping the first 2 and last 3 digits; returns how many runs were masked.
MASK_SCRIPT = """(minDigits) => {
  const run = /\\d(?:[ \\-]?[\\dXx])+/g;
  const mask = (value) => {
    const at = [];
    for (let i = 0; i < value.length; i++) if (/[\\dXx]/.test(value[i])) at.push(i);
    if (at.length < minDigits) return value;
    const hide = new Set(at.slice(2, at.length - 3));
    return [...value].map((ch, i) => (hide.has(i) ? "*" : ch)).join("");
  };
  let masked = 0;
  const fix = (text) => text.replace(run, (m) => { const out = mask(m); if (out !== m) masked++; return out; });
  const walker = document.createTreeWalker(document.body || document.documentElement, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) node.nodeValue = fix(node.nodeValue);
  for (const el of document.querySelectorAll("input, textarea")) el.value = fix(el.value || "");
  document.title = fix(document.title);
  return masked;
}"""
#: How many runs of minDigits+ unmasked digits the page still shows (0 after MASK_SCRIPT).
LEFT_SCRIPT = """(minDigits) => {
  const text = (document.body || document.documentElement).innerText + " " + document.title + " " +
    [...document.querySelectorAll("input, textarea")].map((el) => el.value || "").join(" ");
  return (text.match(/\\d(?:[ \\-]?[\\dXx])+/g) || [])
    .filter((m) => (m.match(/[\\dXx]/g) || []).length >= minDigits).length;
}"""
#: Outlines the first link whose resolved href is the target; returns whether one was found.
LINK_SCRIPT = """(target) => {
  const link = [...document.querySelectorAll("a[href], area[href], img[src], iframe[src]")]
    .find((el) => (el.href || el.src) === target);
  if (!link) return false;
  link.style.outline = "4px solid #e00000"; link.style.outlineOffset = "2px";
  link.style.background = "#fff3b0"; link.scrollIntoView({block: "center"});
  return true;
}"""
#: Makes the first link to the target visible (a dark link: hidden by its style or an ancestor's, moved off the
#: page, shrunk, transparent) and outlines it; returns whether one was found.
REVEAL_SCRIPT = """(target) => {
  const link = [...document.querySelectorAll("a[href], area[href]")].find((el) => el.href === target);
  if (!link) return false;
  for (let el = link; el && el !== document.body; el = el.parentElement) {
    el.hidden = false;
    const s = el.style;
    s.setProperty("display", el === link ? "inline-block" : "block", "important");
    s.setProperty("visibility", "visible", "important");
    s.setProperty("opacity", "1", "important");
    s.setProperty("position", "static", "important");
    s.setProperty("overflow", "visible", "important");
    s.setProperty("height", "auto", "important");
    s.setProperty("width", "auto", "important");
    s.setProperty("font-size", "16px", "important");
    s.setProperty("text-indent", "0", "important");
    s.setProperty("clip", "auto", "important");
    s.setProperty("color", "#000", "important");
  }
  link.style.outline = "4px solid #e00000"; link.style.outlineOffset = "2px";
  link.style.background = "#fff3b0"; link.scrollIntoView({block: "center"});
  return true;
}"""
#: Highlights the first text occurrence of the first of the given forms found; returns whether one was found.
TEXT_SCRIPT = """(forms) => {
  for (const words of forms) {
  const walker = document.createTreeWalker(document.body || document.documentElement, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const at = node.nodeValue.indexOf(words);
    if (at < 0) continue;
    const range = document.createRange();
    range.setStart(node, at); range.setEnd(node, at + words.length);
    const mark = document.createElement("mark");
    mark.style.cssText = "background:#ffeb3b;outline:3px solid #e00000;color:#000";
    range.surroundContents(mark);
    mark.scrollIntoView({block: "center"});
    return true;
  }
  }
  return false;
}"""
ERROR_CARD = """<html><body style="font:20px sans-serif;padding:48px;background:#fff">
<h2 style="color:#c00000">首页无法访问</h2><p>网址：{url}</p><p>错误：{error}</p><p>时间：{when}（UTC）</p>
</body></html>"""


@dataclass(frozen=True)
class Shot:
    """One finding to photograph: the page to open and what to mark on it."""

    site_id: str
    finding_id: str
    kind: str
    page_url: str
    link: str = ""  # outline the element linking this URL
    words: str = ""  # highlight this text
    reveal: bool = False  # make the link visible first (a dark link)
    masked_words: bool = False  # ``words`` is a number as the masked page shows it: mask first, then highlight


@dataclass(frozen=True)
class Taken:
    """A picture (or why there is none)."""

    site_id: str
    finding_id: str
    kind: str
    page_url: str
    path: str  # relative to OUT ("" when no picture)
    marked: bool  # the thing itself was found and marked on the page
    masked: int  # digit runs masked before the picture
    left: int  # digit runs of 9+ digits still shown when the picture was taken (0: nothing could re-leak)
    error: str  # why the page did not open ("" when it did)
    run: str
    #: the picture of the same finding taken in an earlier run (kept beside this one), and that run's label
    earlier_path: str = ""
    earlier_run: str = ""


@dataclass(frozen=True)
class EvidenceSet:
    """The pictures of one scoring, by finding id, and what the bound left out."""

    taken: dict[str, Taken]
    left_out: dict[str, int]  # site_id → findings without a picture because of the per-site bound
    no_chinese_font: bool = False  # the pictures were taken without a Chinese font: their Chinese shows as boxes

    def path_of(self, finding_id: str) -> str:
        shot = self.taken.get(finding_id)
        return shot.path if shot else ""

    def earlier_of(self, finding_id: str) -> tuple[str, str]:
        """The picture of the finding from the earlier run it was photographed in, and that run's label
        (("", "") without one): a problem still there after a rerun shows both."""
        shot = self.taken.get(finding_id)
        return (shot.earlier_path, shot.earlier_run) if shot else ("", "")

    def site_picture(self, site_id: str) -> str:
        """The site's most serious picture (KIND_ORDER): the evidence beside a veto."""
        order = {kind: i for i, kind in enumerate(KIND_ORDER)}
        mine = sorted(
            (t for t in self.taken.values() if t.site_id == site_id and t.path),
            key=lambda t: (order.get(t.kind, len(order)), t.finding_id),
        )
        return mine[0].path if mine else ""

    def notes(self) -> list[str]:
        """What 总览 says about the pictures: how many, and what was left out or did not open."""
        pictures = sum(1 for t in self.taken.values() if t.path)
        failed = [t for t in self.taken.values() if not t.path]
        lines = [f"证据截图 {pictures} 张，见 {EVIDENCE_DIR}/<站点标识>/<问题编号>.png；截图前已遮盖页面中的长数字"]
        if self.no_chinese_font and pictures:
            lines.append(
                "警告：本机未安装中文字体，截图中的中文显示为方框；"
                "请执行 make install（安装 fonts-wqy-zenhei）后重新截图"
            )
        if self.left_out:
            parts = "、".join(f"{site} {n} 个" for site, n in sorted(self.left_out.items()))
            lines.append(f"每站截图上限内未截图的问题：{parts}")
        if failed:
            lines.append(f"{len(failed)} 个问题的页面截图时无法打开（原因见 {EVIDENCE_DIR}/{INDEX}）")
        unmarked = sum(1 for t in self.taken.values() if t.path and not t.marked)
        if unmarked:
            lines.append(f"{unmarked} 张截图中未能在页面上标出问题位置（页面已变化）")
        return lines


# -- which findings ------------------------------------------------------------------------------------
def _live(frame: pd.DataFrame) -> pd.DataFrame:
    if frame.empty:
        return frame
    return frame.loc[(frame["finding_id"] != "") & (frame.get("review", "") != DISMISSED)]


def shots_for(ev: Evaluation) -> list[Shot]:
    """The findings an analyst cites (the notice's problems and every veto reason), not dismissed ones."""
    shots: list[Shot] = []
    down = ev.scored.loc[ev.scored["home_available"].astype("boolean").eq(False).fillna(False)]
    for row in down.itertuples(index=False):
        fid = site_finding_id(str(row.site_id))
        if fid not in ev.review.dismissed and str(row.home_url or ""):
            shots.append(Shot(str(row.site_id), fid, "home_unavailable", str(row.home_url)))
    columns = _live(ev.tables["columns"])
    for row in columns.itertuples(index=False):
        kind = "blank_column" if row.status == "blank" else "stale_column"
        words = str(row.newest_date or "") if kind == "stale_column" else ""
        shots.append(Shot(str(row.site_id), str(row.finding_id), kind, str(row.url), words=words))
    links = _live(ev.tables["links"]).drop_duplicates("finding_id")
    for row in links.itertuples(index=False):
        shots.append(Shot(str(row.site_id), str(row.finding_id), "broken_link", str(row.source_url), link=str(row.url)))
    typos = _live(ev.tables["typos"])
    for row in typos.loc[typos["severity"] == "serious"].drop_duplicates("finding_id").itertuples(index=False):
        shots.append(Shot(str(row.site_id), str(row.finding_id), "serious_typo", str(row.url), words=str(row.wrong)))
    shots += risk_shots(_live(ev.tables["risks"]))
    homes = dict(zip(ev.scored["site_id"], ev.scored["home_url"].fillna("").astype("str"), strict=True))
    checks = _live(ev.tables["site_checks"])
    for row in checks.drop_duplicates("finding_id").itertuples(index=False):
        if homes.get(str(row.site_id)):  # the home page is where the entry, the mark or the code is missing
            shots.append(Shot(str(row.site_id), str(row.finding_id), "failed_check", homes[str(row.site_id)]))
    return shots


def risk_shots(risks: pd.DataFrame) -> list[Shot]:
    """Content-security findings on pages (a number found in an attachment has no page to picture)."""
    shots: list[Shot] = []
    for row in risks.drop_duplicates("finding_id").itertuples(index=False):
        base = (str(row.site_id), str(row.finding_id), str(row.kind), str(row.url))
        if row.kind in LINK_RISKS:
            shots.append(Shot(*base, link=str(row.target), reveal=row.kind == "hidden_link"))
        elif row.kind in PRIVACY_RISKS and not str(row.source_url):
            shown = str(row.evidence).split(" ")[-1]  # 身份证号码 61*************023: the page shows it so masked
            shots.append(Shot(*base, words=shown, masked_words=True))
        elif row.kind == "wrong_expression" and (quoted := QUOTED.search(str(row.evidence))):
            shots.append(Shot(*base, words=quoted.group(1)))
        elif row.kind == "tampering":
            shots.append(Shot(*base))
    return shots


def bounded(shots: Sequence[Shot], per_site: int) -> tuple[list[Shot], dict[str, int]]:
    """At most ``per_site`` pictures per site, the most serious kinds first; how many each site left out."""
    order = {kind: i for i, kind in enumerate(KIND_ORDER)}
    kept: list[Shot] = []
    left: dict[str, int] = {}
    by_site: dict[str, list[Shot]] = {}
    for shot in shots:
        by_site.setdefault(shot.site_id, []).append(shot)
    for site, items in sorted(by_site.items()):
        ranked = sorted(items, key=lambda s: (order.get(s.kind, len(order)), s.finding_id))
        kept += ranked[:per_site]
        if len(ranked) > per_site:
            left[site] = len(ranked) - per_site
    return kept, left


# -- taking them ---------------------------------------------------------------------------------------
def read_index(folder: Path) -> dict[str, Taken]:
    path = folder / INDEX
    if not path.is_file():
        return {}
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
        return {r["finding_id"]: Taken(**r) for r in rows}
    except (ValueError, TypeError, KeyError):
        return {}  # an unreadable index only costs pictures taken again


def write_index(folder: Path, taken: Iterable[Taken]) -> None:
    rows = [asdict(t) for t in sorted(taken, key=lambda t: (t.site_id, t.finding_id))]
    (folder / INDEX).write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")


def take_evidence(
    ev: Evaluation, out: str | Path, *, per_site: int = DEFAULT_PER_SITE, chromium: str | None = None
) -> EvidenceSet:
    """The pictures of the run's cited findings in OUT/evidence (those of this run already there are reused)."""
    folder = Path(out) / EVIDENCE_DIR
    folder.mkdir(parents=True, exist_ok=True)
    wanted, left = bounded(shots_for(ev), per_site)
    known = read_index(folder)
    run = ev.run.label
    reuse = {
        s.finding_id: known[s.finding_id]
        for s in wanted
        if s.finding_id in known
        and known[s.finding_id].run == run
        and (not known[s.finding_id].path or (Path(out) / known[s.finding_id].path).is_file())
    }
    todo = [s for s in wanted if s.finding_id not in reuse]
    earlier = {
        s.finding_id: earlier_picture(Path(out), known[s.finding_id], run) for s in todo if s.finding_id in known
    }
    taken = dict(reuse)
    if todo:
        for new in _photograph(todo, Path(out), run, chromium):
            path, label = earlier.get(new.finding_id, ("", ""))
            taken[new.finding_id] = replace(new, earlier_path=path, earlier_run=label)
    write_index(folder, taken.values())
    return EvidenceSet(taken, left, no_chinese_font=bool(todo) and not chinese_font_installed())


def chinese_font_installed() -> bool:
    """Whether fontconfig knows a font with Chinese glyphs (else Chromium draws Chinese as boxes)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return False
    try:
        command = [fc_list, ":lang=zh", "family"]
        found = subprocess.run(command, capture_output=True, text=True, timeout=30, check=False).stdout  # noqa: S603 - fixed arguments
    except (OSError, subprocess.SubprocessError):
        return False
    return bool(found.strip())


def earlier_picture(out: Path, before: Taken, run: str) -> tuple[str, str]:
    """The picture a finding about to be photographed again had, and its run: an earlier run's picture is moved
    aside to ``<finding_id>.<run>.png`` (the 整改跟踪 of a problem still there shows both; the one before it
    goes); a picture of this same run (its file lost) keeps the earlier one it had."""
    if before.run == run:
        return before.earlier_path, before.earlier_run
    if before.earlier_path:
        (out / before.earlier_path).unlink(missing_ok=True)
    if not before.path or not (out / before.path).is_file():
        return "", ""
    safe_run = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in before.run)
    kept = Path(before.path).with_name(f"{before.finding_id}.{safe_run}.png")
    (out / before.path).replace(out / kept)
    return str(kept), before.run


def browser_path(chromium: str | None) -> str:
    return chromium or GovsitesConfig.from_settings({}).chromium_binary()


def _photograph(shots: Sequence[Shot], out: Path, run: str, chromium: str | None) -> list[Taken]:
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    results = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=browser_path(chromium), args=["--no-sandbox"])
        try:
            context = browser.new_context(
                viewport={"width": VIEWPORT_WIDTH, "height": VIEWPORT_HEIGHT}, ignore_https_errors=True, locale="zh-CN"
            )
            for shot in shots:
                page = context.new_page()
                try:
                    results.append(_one(page, shot, out, run, PlaywrightError))
                finally:
                    page.close()
        finally:
            browser.close()
    return results


def _one(page: Any, shot: Shot, out: Path, run: str, error_type: type[Exception]) -> Taken:
    """One picture; a page that does not open is a card (首页无法访问) or no picture with the reason; a page whose
    long numbers could not all be masked gets no picture at all."""
    relative = Path(EVIDENCE_DIR) / shot.site_id / f"{shot.finding_id}.png"
    (out / relative).parent.mkdir(parents=True, exist_ok=True)
    error = ""
    try:
        response = page.goto(shot.page_url, wait_until="load", timeout=PAGE_TIMEOUT_MS)
        if shot.kind == "home_unavailable" and response is not None and response.status >= 400:
            error = f"HTTP {response.status}"
    except error_type as exc:
        error = str(exc).splitlines()[0][:200]
    if error and shot.kind == "home_unavailable":
        card = page.context.new_page()  # the failed page may still be navigating to the browser's error page
        try:
            when = datetime.now(UTC).strftime("%Y年%m月%d日 %H:%M:%S")  # no long digit run to mask
            card.set_content(ERROR_CARD.format(url=_html(shot.page_url), error=_html(error), when=when))
            return _picture(card, shot, out, relative, run, error, marked=True, masked=0, error_type=error_type)
        finally:
            card.close()
    if error:
        return Taken(**_base(shot), path="", marked=False, masked=0, left=0, error=error, run=run)
    try:
        # mark first (a marked date stays one text node of its own), then mask what the page shows; a leaked
        # number is masked first and then highlighted as the masked page shows it
        if shot.masked_words:
            masked = int(page.evaluate(MASK_SCRIPT, CONTEXT_MASK_DIGITS))
            marked = bool(page.evaluate(TEXT_SCRIPT, [shot.words]))
        else:
            if shot.link:
                marked = bool(page.evaluate(REVEAL_SCRIPT if shot.reveal else LINK_SCRIPT, shot.link))
            elif shot.words:
                marked = bool(page.evaluate(TEXT_SCRIPT, written_forms(shot.words)))
            else:
                marked = True  # the page itself is the evidence (a blank column, a missing entry)
            masked = int(page.evaluate(MASK_SCRIPT, CONTEXT_MASK_DIGITS))
    except error_type as exc:
        reason = str(exc).splitlines()[0][:200]
        return Taken(**_base(shot), path="", marked=False, masked=0, left=0, error=reason, run=run)
    return _picture(page, shot, out, relative, run, "", marked=marked, masked=masked, error_type=error_type)


def _picture(
    page: Any,
    shot: Shot,
    out: Path,
    relative: Path,
    run: str,
    error: str,
    *,
    marked: bool,
    masked: int,
    error_type: type[Exception],
) -> Taken:
    """The screenshot, only when no long digit run is left on the page."""
    try:
        left = int(page.evaluate(LEFT_SCRIPT, CONTEXT_MASK_DIGITS))
        if left:
            reason = f"页面中仍有 {left} 处长数字未能遮盖，未截图"
            return Taken(**_base(shot), path="", marked=marked, masked=masked, left=left, error=reason, run=run)
        page.screenshot(path=str(out / relative), full_page=False)
    except error_type as exc:
        reason = str(exc).splitlines()[0][:200]
        return Taken(**_base(shot), path="", marked=marked, masked=masked, left=0, error=reason, run=run)
    return Taken(**_base(shot), path=relative.as_posix(), marked=marked, masked=masked, left=0, error=error, run=run)


def written_forms(words: str) -> list[str]:
    """The forms a page may show ``words`` in: a date as 2015-06-30, 2015/06/30, 2015年06月30日, 2015年6月30日,
    2015.06.30, 2015.6.30, 2015/6/30 or 06-30; other words as they are."""
    try:
        day = date.fromisoformat(words)
    except ValueError:
        return [words]
    y, m, d = day.year, day.month, day.day
    return [
        day.isoformat(),
        f"{y}/{m:02d}/{d:02d}",
        f"{y}年{m:02d}月{d:02d}日",
        f"{y}年{m}月{d}日",
        f"{y}.{m:02d}.{d:02d}",
        f"{y}.{m}.{d}",
        f"{y}/{m}/{d}",
        f"{y}-{m}-{d}",
        f"{m:02d}-{d:02d}",
    ]


def _base(shot: Shot) -> dict[str, str]:
    return {"site_id": shot.site_id, "finding_id": shot.finding_id, "kind": shot.kind, "page_url": shot.page_url}


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
