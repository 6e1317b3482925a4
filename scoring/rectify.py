"""整改通知: one rectification notice per site with problems, in the notice's official document format.

``make rectify`` (``python -m scoring rectify``) writes ``OUT/整改通知/<site_id>-<name>.docx`` for every evaluated
site with at least one finding left after review: the problems (dismissed findings never; with
``--review-required`` only confirmed ones, else unreviewed ones marked （未经复核）), each with the page, what
was seen, the rule it breaks (the rubric's own item: 单项否决 or 扣分) and its screenshot when evidence was taken
(``OUT/evidence/``, see :mod:`scoring.evidence`), a deadline (``DEADLINE=YYYY-MM-DD``, else a highlighted
placeholder), and a feedback table for the webmaster (问题编号, 问题, 整改情况, 完成时间).

After the site's rerun (``make crawl score SITE=…``) the next document also says, per finding of the previous
run, 已整改 (gone) or 未整改 (still there), and marks the new ones 新发现 (the 整改跟踪 comparison,
:mod:`scoring.history`, by finding id).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from scoring.evidence import EvidenceSet, read_index
from scoring.findings import failed_checks, site_finding_id
from scoring.history import problem_object
from scoring.officialdoc import DocumentProperties, Paragraph, write_official_doc
from scoring.report import link_status_label, safe_filename
from scoring.review import CONFIRMED, DISMISSED
from scoring.vocabulary import (
    CHECK_STATUS_LABELS,
    EVALUATED,
    HISTORY_KIND,
    IDENTITY_CHECKS,
    RISK_KIND,
    SECURITY_KIND_METRIC,
)

if TYPE_CHECKING:
    from scoring.evaluation import Evaluation
    from scoring.rubric import Rubric

RECTIFY_DIR = "整改通知"
DEADLINE_PLACEHOLDER = "【请补充：整改期限】"
DATE_PLACEHOLDER = "【请补充：成文日期】"
#: finding kind → (the problem's name, the rubric metrics it counts toward)
KIND_RULES = {
    "home_unavailable": ("首页无法访问", ("home_unavailable", "home_failure_pct")),
    # content security (risks.csv), right after the home page: a leak of personal data may be a veto
    **{kind: (label, (SECURITY_KIND_METRIC[kind],)) for kind, label in RISK_KIND.items()},
    "home_not_updated": ("首页长期未更新", ("home_not_updated",)),
    "blank_column": ("空白栏目", ("blank_columns",)),
    "stale_column": ("栏目更新不及时", ("stale_columns", "stale_key_columns")),
    "broken_link": ("错误链接", ("broken_links_home", "broken_links_other", "broken_links")),
    "serious_typo": ("严重错别字", ("serious_typos",)),
    "failed_check": ("网站功能检查未通过", ("checks_failed",)),
}
#: The rubric metric of a content-security finding of veto severity (安全、泄密事故等严重问题).
SECURITY_VETO_METRIC = "security_veto"
HISTORY_WORDS = {"persisting": "未整改", "recurring": "问题反弹", "new": "新发现", "fixed": "已整改"}


@dataclass(frozen=True)
class Problem:
    """One problem of a site as the 整改通知 states it."""

    finding_id: str
    kind: str
    what: str  # what was seen, in Chinese
    url: str
    reviewed: bool  # confirmed by an inspector
    picture: str  # path relative to OUT ("" without one)
    history: str  # 未整改 / 新发现 / 问题反弹 ("" without an earlier run)
    earlier_picture: str = ""  # a problem still there: its picture from the earlier run (relative to OUT)
    earlier_run: str = ""
    metrics: tuple[str, ...] = ()  # the rubric metrics this finding counts toward beyond its kind's


def rule_text(kind: str, rubric: Rubric, extra: tuple[str, ...] = ()) -> str:
    """The rubric's items this kind of problem (and the ``extra`` metrics) counts toward, as the notice cites
    them."""
    metrics = (*KIND_RULES[kind][1], *extra)
    parts = [
        f"单项否决：{item.label}"
        for item in rubric.veto
        if item.metric in metrics and item.enabled and not item.placeholder
    ]
    parts += [
        f"扣分项：{d.item}（每{d.unit}扣{d.points:g}分，最多扣{d.cap:g}分）"
        for d in rubric.deductions
        if d.metric in metrics
    ]
    return f"依据《{rubric.title}》" + ("，" + "；".join(parts) if parts else "") + "。"


def figures(out: Path, problem: Problem, number: int, run: str) -> list[Paragraph]:
    """A problem's screenshot; a problem still there after the site's rerun shows the earlier run's picture
    first, then this run's."""
    title = f"{KIND_RULES[problem.kind][0]}（{problem.finding_id}）"
    now = problem.picture if problem.picture and (out / problem.picture).is_file() else ""
    before = problem.earlier_picture if problem.earlier_picture and (out / problem.earlier_picture).is_file() else ""
    if not before or problem.history not in (HISTORY_WORDS["persisting"], HISTORY_WORDS["recurring"]):
        return [Paragraph(f"图{number}　{title}", "figure", image=str(out / now))] if now else []
    shown = [
        Paragraph(f"图{number}-1　{title}：上次检查（运行 {problem.earlier_run}）", "figure", image=str(out / before))
    ]
    if now:
        shown.append(
            Paragraph(f"图{number}-2　{title}：本次检查（运行 {run}），仍未整改", "figure", image=str(out / now))
        )
    return shown


def site_problems(ev: Evaluation, site_id: str, pictures: EvidenceSet | None) -> list[Problem]:
    """The site's problems after review, the most serious kinds first."""
    required = ev.options.review_required
    history = ev.tables["history"]
    states = dict(zip(history["finding_id"], history["status"], strict=True)) if len(history) else {}
    rows: list[tuple[str, str, str, str, str, tuple[str, ...]]] = []  # (finding_id, kind, what, url, review, metrics)

    def add(frame: pd.DataFrame, kind: str, what: str, url: str) -> None:
        """The frame's findings: ``what`` filled from each row; a ``finding_kind`` column overrides ``kind`` and a
        ``metrics`` column (space-separated) names the rubric metrics the row counts toward beyond its kind's."""
        for r in frame.itertuples(index=False):
            fields = r._asdict()
            rows.append(
                (
                    str(r.finding_id),
                    str(fields.get("finding_kind", kind)),
                    what.format(**fields),
                    str(getattr(r, url)),
                    str(r.review),
                    tuple(str(fields.get("metrics", "")).split()),
                )
            )

    keys = ("columns", "links", "typos", "risks", "site_checks")
    mine = {key: ev.tables[key].loc[ev.tables[key]["site_id"] == site_id] for key in keys}
    site = ev.scored.loc[ev.scored["site_id"] == site_id].iloc[0]
    for kind in ("home_unavailable", "home_not_updated"):
        if bool(site.get(kind)) is True:
            fid = site_finding_id(site_id, kind)
            decision = CONFIRMED if fid in ev.review.confirmed else ""
            what = str(site.get("veto_reasons") or KIND_RULES[kind][0]).split("；")[0]
            rows.append(
                (
                    fid,
                    kind,
                    what if kind == "home_unavailable" else KIND_RULES[kind][0],
                    str(site["home_url"]),
                    decision,
                    (),
                )
            )
    columns = mine["columns"]
    add(columns.loc[columns["status"] == "blank"], "blank_column", "栏目“{column}”无任何信息", "url")
    add(
        columns.loc[columns["status"] == "stale"],
        "stale_column",
        "栏目“{column}”最新信息发布于{newest_date}，超过规定时间未更新",
        "url",
    )
    links = mine["links"].loc[mine["links"]["broken"].astype(bool)].drop_duplicates("finding_id")
    links = links.assign(reason=links["status"].astype("str").map(link_status_label))
    add(links, "broken_link", "页面 {source_url} 上的链接“{anchor}”（{url}）无法打开：{reason}", "source_url")
    typos = mine["typos"].loc[mine["typos"]["severity"] == "serious"].drop_duplicates("finding_id")
    add(typos, "serious_typo", "“{wrong}”应为“{right}”：{context}", "url")
    add(security_rows(mine["risks"]), "", "页面 {url}：{label}（{evidence}）{linked}", "url")
    add(check_rows(mine["site_checks"], str(site["home_url"])), "failed_check", "{label}：{state}{seen}", "home")
    order = {kind: i for i, kind in enumerate(KIND_RULES)}
    problems = [
        Problem(
            finding_id=fid,
            kind=kind,
            what=what,
            url=url,
            reviewed=review == CONFIRMED,
            picture=pictures.path_of(fid) if pictures else "",
            history=HISTORY_WORDS.get(states.get(fid, ""), ""),
            earlier_picture=pictures.earlier_of(fid)[0] if pictures else "",
            earlier_run=pictures.earlier_of(fid)[1] if pictures else "",
            metrics=metrics,
        )
        for fid, kind, what, url, review, metrics in rows
        if review != DISMISSED and (review == CONFIRMED or not required)
    ]
    return sorted(problems, key=lambda p: (order[p.kind], p.finding_id))


def security_rows(risks: pd.DataFrame) -> pd.DataFrame:
    """A site's risks.csv rows as the notice states them: the kind's name, the (masked) evidence, the link's
    target, and the veto metric for a finding of veto severity."""
    found = risks.loc[risks["finding_id"] != ""].drop_duplicates("finding_id")
    return found.assign(
        finding_kind=found["kind"],
        label=found["kind"].map(RISK_KIND).fillna(found["kind"]).astype("str"),
        linked=found["target"].fillna("").map(lambda target: f"（链接 {target}）" if target else "").astype("str"),
        metrics=(found["severity"] == "veto").map({True: SECURITY_VETO_METRIC, False: ""}).astype("str"),
    )


def check_rows(checks: pd.DataFrame, home_url: str) -> pd.DataFrame:
    """A site's failed checks (site_checks.csv) as the notice states them, each with the deduction it counts
    toward (网站标识不规范 or 功能设计缺失)."""
    failed = checks.loc[failed_checks(checks)]
    identity = failed["check"].isin(IDENTITY_CHECKS)
    return failed.assign(
        state=failed["status"].map(CHECK_STATUS_LABELS).astype("str"),
        seen=failed["detail"].fillna("").map(lambda detail: f"（{detail}）" if detail else "").astype("str"),
        home=home_url,
        metrics=identity.map({True: "identity_checks_failed", False: "function_checks_failed"}).astype("str"),
    )


def fixed_since(ev: Evaluation, site_id: str) -> list[tuple[str, str]]:
    """(kind label, key) of the site's problems of the previous run that are gone (已整改)."""
    history = ev.tables["history"]
    if history.empty:
        return []
    gone = history.loc[(history["site_id"] == site_id) & (history["status"] == "fixed")]
    return [
        (HISTORY_KIND.get(str(kind), str(kind)), problem_object(str(kind), str(key)))
        for kind, key in zip(gone["kind"], gone["key"], strict=True)
    ]


def site_paragraphs(
    ev: Evaluation,
    site: pd.Series,
    problems: Sequence[Problem],
    out: Path,
    *,
    deadline: date | None,
    office: str,
) -> list[Paragraph]:
    name = str(site["name"])
    due = f"{deadline.year}年{deadline.month}月{deadline.day}日" if deadline else DEADLINE_PLACEHOLDER
    paragraphs = [
        Paragraph(f"关于{name}网站存在问题的整改通知", "title"),
        Paragraph(f"{name}：", "salutation"),
        Paragraph(
            f"经检查（检查日期：{ev.as_of.year}年{ev.as_of.month}月{ev.as_of.day}日），你单位网站"
            f"（{site['home_url']}）存在以下{len(problems)}个问题。请对照问题逐项整改，于{due}前完成，"
            "并填写所附整改情况反馈表报送我办。"
        ),
        Paragraph("一、存在的问题", "heading"),
    ]
    for i, problem in enumerate(problems, start=1):
        marks = [m for m in (problem.history, "" if problem.reviewed else "未经复核") if m]
        tail = f"（{'，'.join(marks)}）" if marks else ""
        paragraphs.append(Paragraph(f"（{_ordinal(i)}）{KIND_RULES[problem.kind][0]}。{problem.what}{tail}"))
        paragraphs.append(
            Paragraph(
                f"问题编号：{problem.finding_id}；网址：{problem.url}。"
                + rule_text(problem.kind, ev.rubric, problem.metrics)
            )
        )
        paragraphs += figures(out, problem, i, ev.run.label)
    fixed = fixed_since(ev, str(site["site_id"]))
    if fixed:
        paragraphs.append(Paragraph("二、已整改的问题", "heading"))
        paragraphs += [Paragraph(f"{label}：{key}（已整改）") for label, key in fixed]
    paragraphs.append(Paragraph(("三" if fixed else "二") + "、整改要求", "heading"))
    paragraphs.append(
        Paragraph(
            f"请于{due}前完成整改。整改完成后，我办将对你单位网站重新检查；逾期未整改或问题反弹的，"
            "将在下次通报中予以通报。"
        )
    )
    header = ("序号", "问题编号", "问题", "整改情况", "完成时间")
    filled = [(str(i), p.finding_id, KIND_RULES[p.kind][0], "", "") for i, p in enumerate(problems, start=1)]
    rows = (header, *filled)
    paragraphs.append(Paragraph("附：整改情况反馈表", "table", rows=rows))
    paragraphs += [Paragraph(office, "signature"), Paragraph(DATE_PLACEHOLDER, "date")]
    return paragraphs


def _ordinal(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 20:
        return "十" + (digits[n % 10] if n % 10 else "")
    return digits[n // 10] + "十" + (digits[n % 10] if n % 10 else "")


def write_rectifications(
    ev: Evaluation, out: str | Path, *, deadline: date | None = None, office: str | None = None
) -> list[Path]:
    """OUT/整改通知/<site_id>-<name>.docx for every evaluated site with problems; the pictures already taken in
    OUT/evidence (``make score EVIDENCE=1``) are embedded."""
    folder = Path(out)
    known = read_index(folder / "evidence")
    pictures = EvidenceSet(known, {}) if known else None
    issuer = office or ev.config.office
    written = []
    for site in ev.scored.loc[ev.scored["evaluation"] == EVALUATED].itertuples(index=False):
        row = pd.Series(site._asdict())
        problems = site_problems(ev, str(row["site_id"]), pictures)
        if not problems:
            continue
        paragraphs = site_paragraphs(ev, row, problems, folder, deadline=deadline, office=issuer)
        props = DocumentProperties(
            office=issuer,
            title=paragraphs[0].text,
            subject=f"政府网站检查整改通知（运行 {ev.run.label}）",
            keywords="政府网站；整改通知",
            category="整改通知",
        )
        path = (folder / RECTIFY_DIR / safe_filename(str(row["site_id"]), str(row["name"]))).with_suffix(".docx")
        written.append(write_official_doc(paragraphs, path, props))
    return written
