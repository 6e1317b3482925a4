"""The inspector's review (系统监测加人工审核): decisions on findings, read, checked, kept and applied.

An inspector marks findings 确认 (confirmed), 排除 (dismissed) or 待定 (pending) in the workbook's
复核 column (each detail sheet: 栏目, 链接, 错别字, 政务咨询信件, 办事指南, 内容安全, the failed
checks under 网站功能 …), with a note in 复核说明, or in a ``review.csv`` (``finding_id, decision, note,
reviewer, date``). ``make score REVIEW=<file>`` reads them, checks every row (an unknown id, a bad decision or a
finding marked twice differently is an error naming the sheet, row and cell, or the file, line and field: nothing
is written), and the CLI keeps them in the store's ``reviews`` table after the outputs are written, so a later
run's finding with the same id (:mod:`scoring.findings`) carries its decision.

A dismissed finding drops out of the metrics, deductions, vetoes, the problem list and the notice
(:func:`without_dismissed` removes it from the run's data before anything is counted) and stays visible in its
sheet, greyed, with the note.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from govsites.store import Store, now_iso
from scoring import findings
from scoring.interaction import resolve_guides, resolve_letters
from scoring.load import RunData, ScoringError
from scoring.metrics import resolve_columns
from scoring.vocabulary import DISMISSED

if TYPE_CHECKING:
    from scoring.rubric import Rubric

CONFIRMED, PENDING = "confirmed", "pending"
#: decision code → its word in the workbook (the drop-down's values).
DECISION_LABELS = {CONFIRMED: "确认", DISMISSED: "排除", PENDING: "待定"}
#: What a cell or a CSV field may hold: the Chinese word or the code.
DECISION_VALUES = {**{v: k for k, v in DECISION_LABELS.items()}, **{k: k for k in DECISION_LABELS}}
REVIEW_FIELDS = ("finding_id", "decision", "note", "reviewer", "date")
#: The workbook's headers of the review columns.
ID_HEADER, DECISION_HEADER, NOTE_HEADER = "问题编号", "复核", "复核说明"
#: The workbook's log of decisions: written from the store, never read back as decisions.
LOG_SHEET = "复核记录"
DECISIONS_COLUMNS = ("finding_id", "decision", "note", "reviewer", "date", "source")


@dataclass(frozen=True)
class Review:
    """The decisions that apply to this run: those kept in the store, overridden by the file given now."""

    decisions: pd.DataFrame  # DECISIONS_COLUMNS, one row per finding_id
    given: pd.DataFrame  # the rows read from the file given now (DECISIONS_COLUMNS); saved after writing
    source: str  # the file given now ("" without one)

    @property
    def dismissed(self) -> frozenset[str]:
        return frozenset(self.decisions.loc[self.decisions["decision"] == DISMISSED, "finding_id"])

    @property
    def confirmed(self) -> frozenset[str]:
        return frozenset(self.decisions.loc[self.decisions["decision"] == CONFIRMED, "finding_id"])

    def decision_of(self, ids: pd.Series) -> tuple[pd.Series, pd.Series]:
        """(decision code, note) for each id (``""`` where undecided)."""
        decisions = dict(zip(self.decisions["finding_id"], self.decisions["decision"], strict=True))
        notes = dict(zip(self.decisions["finding_id"], self.decisions["note"], strict=True))
        decision = pd.Series([decisions.get(i, "") for i in ids], index=ids.index, dtype="str")
        note = pd.Series([notes.get(i, "") for i in ids], index=ids.index, dtype="str")
        return decision, note


def empty_decisions() -> pd.DataFrame:
    return pd.DataFrame(columns=list(DECISIONS_COLUMNS), dtype="str")


# -- reading -------------------------------------------------------------------------------------------
def parse_decision(value: object) -> str | None:
    """The code of a cell's or field's decision; ``""`` when empty; None when not a decision."""
    text = "" if value is None else str(value).strip()
    if not text:
        return ""
    return DECISION_VALUES.get(text)


def read_review_csv(path: Path) -> pd.DataFrame:
    """review.csv rows; an error names the file, the line and the field."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            missing = [f for f in ("finding_id", "decision") if f not in (reader.fieldnames or [])]
            if missing:
                raise ScoringError(f"{path} 第1行：缺少字段 {'、'.join(missing)}（应有 {', '.join(REVIEW_FIELDS)}）")
            rows = []
            for line, row in enumerate(reader, start=2):
                fid = (row.get("finding_id") or "").strip()
                decision = parse_decision(row.get("decision"))
                if not findings.is_finding_id(fid):
                    raise ScoringError(f"{path} 第{line}行 finding_id 字段：“{fid}”不是问题编号")
                if decision is None:
                    raise ScoringError(
                        f"{path} 第{line}行 decision 字段：“{row.get('decision')}”不是复核结论（确认、排除、待定）"
                    )
                day = (row.get("date") or "").strip()
                if day and not _is_date(day):
                    raise ScoringError(f"{path} 第{line}行 date 字段：“{day}”不是日期（YYYY-MM-DD）")
                if decision:
                    rows.append(
                        {
                            "finding_id": fid,
                            "decision": decision,
                            "note": (row.get("note") or "").strip(),
                            "reviewer": (row.get("reviewer") or "").strip(),
                            "date": day,
                            "source": f"{path.name} 第{line}行",
                        }
                    )
    except UnicodeDecodeError:
        raise ScoringError(f"{path}：不是 UTF-8 编码的 CSV 文件") from None
    return _frame(rows)


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def read_review_workbook(path: Path) -> pd.DataFrame:
    """The 复核 columns of every sheet that has them; an error names the sheet, the row and the cell."""
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a file that is not a workbook
        raise ScoringError(f"{path}：无法作为 Excel 工作簿读取（{type(exc).__name__}）") from None
    reviewer = wb.properties.lastModifiedBy or wb.properties.creator or ""
    saved = wb.properties.modified.date().isoformat() if wb.properties.modified else ""
    rows: list[dict[str, str]] = []
    for ws in wb.worksheets:
        if ws.title != LOG_SHEET:
            rows += _sheet_decisions(ws.title, ws.iter_rows(values_only=True), path.name, (reviewer, saved))
    wb.close()
    return _frame(rows)


def _sheet_decisions(
    title: str, sheet_rows: Iterable[tuple[object, ...]], file: str, signed: tuple[str, str]
) -> list[dict[str, str]]:
    """The decided rows of one sheet's findings table (its header row holds 问题编号 and 复核)."""
    at: tuple[int, int, int | None] | None = None
    rows = []
    for number, values in enumerate(sheet_rows, start=1):
        texts = ["" if v is None else str(v).strip() for v in values]
        if at is None:
            if ID_HEADER in texts and DECISION_HEADER in texts:
                note = texts.index(NOTE_HEADER) if NOTE_HEADER in texts else None
                at = (texts.index(ID_HEADER), texts.index(DECISION_HEADER), note)
            continue
        at_id, at_decision, at_note = at
        fid = texts[at_id] if at_id < len(texts) else ""
        raw = values[at_decision] if at_decision < len(values) else None
        decision = parse_decision(raw)
        where = f"{file} 工作表“{title}”第{number}行"
        if decision is None:
            raise ScoringError(
                f"{where} {_column_letter(at_decision)}{number} 单元格：“{raw}”不是复核结论（确认、排除、待定）"
            )
        if not decision:
            continue
        if not findings.is_finding_id(fid):
            raise ScoringError(f"{where} {_column_letter(at_id)}{number} 单元格：“{fid}”不是问题编号，该行不能复核")
        rows.append(
            {
                "finding_id": fid,
                "decision": decision,
                "note": texts[at_note] if at_note is not None and at_note < len(texts) else "",
                "reviewer": signed[0],
                "date": signed[1],
                "source": f"{where} {_column_letter(at_decision)}{number}",
            }
        )
    return rows


def _column_letter(index: int) -> str:
    return get_column_letter(index + 1)


def _frame(rows: Iterable[dict[str, str]]) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=list(DECISIONS_COLUMNS)).astype("str")


def read_review(value: str | Path) -> pd.DataFrame:
    """A filled workbook (.xlsx) or a review.csv; the rows of one finding must agree."""
    path = Path(value)
    if not path.is_file():
        raise ScoringError(f"复核文件不存在：{path}")
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        rows = read_review_workbook(path)
    elif suffix == ".csv":
        rows = read_review_csv(path)
    else:
        raise ScoringError(f"复核文件应为已填写的 scores.xlsx 或 review.csv：{path}")
    return _agreeing(rows)


def _agreeing(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per finding; a finding marked differently in two places is an error naming both."""
    if rows.empty:
        return rows
    for _, group in rows.groupby("finding_id", sort=True):
        if group["decision"].nunique() > 1:
            first, second = group.iloc[0], group.loc[group["decision"] != group.iloc[0]["decision"]].iloc[0]
            raise ScoringError(
                f"问题 {first['finding_id']} 的复核结论不一致：{first['source']} 为"
                f"“{DECISION_LABELS[first['decision']]}”，{second['source']} 为“{DECISION_LABELS[second['decision']]}”"
            )
    written = rows.loc[rows["note"] != ""].drop_duplicates("finding_id")
    notes = dict(zip(written["finding_id"], written["note"], strict=True))
    firsts = rows.drop_duplicates("finding_id").reset_index(drop=True)
    return firsts.assign(note=[notes.get(fid, "") for fid in firsts["finding_id"]])


def check_known(given: pd.DataFrame, known: frozenset[str]) -> None:
    """Every id given must be a finding of this run (an id from another run's file is named with its place)."""
    unknown = given.loc[~given["finding_id"].isin(known)]
    if not unknown.empty:
        row = unknown.iloc[0]
        more = f"（另有 {len(unknown) - 1} 条）" if len(unknown) > 1 else ""
        raise ScoringError(f"{row['source']}：问题编号 {row['finding_id']} 不是本次运行的问题{more}")


# -- the store -----------------------------------------------------------------------------------------
def stored_decisions(db: str | Path) -> pd.DataFrame:
    """The decisions kept in the store (the newest per finding)."""
    with Store(db) as store:
        rows = store.query(
            "SELECT finding_id, decision, note, reviewer, decided_on AS date, read_from AS source"
            " FROM reviews ORDER BY finding_id"
        )
    return _frame(rows) if rows else empty_decisions()


def save_decisions(db: str | Path, given: pd.DataFrame, run_id: int) -> int:
    """Keep the decisions given now (a finding decided again replaces its earlier decision)."""
    if given.empty:
        return 0
    recorded = now_iso()
    rows = [
        {
            "finding_id": r.finding_id,
            "decision": r.decision,
            "note": r.note,
            "reviewer": r.reviewer,
            "decided_on": r.date or recorded[:10],
            "read_from": r.source,
            "recorded_at": recorded,
        }
        for r in given.itertuples(index=False)
    ]
    with Store(db) as store:
        return store.insert(run_id, "reviews", rows)


def gather(db: str | Path, given_file: str | Path | None, known: frozenset[str]) -> Review:
    """The store's decisions with the file's on top; the file's ids are checked against this run's findings."""
    stored = stored_decisions(db)
    if given_file is None:
        return Review(stored, empty_decisions(), "")
    given = read_review(given_file)
    check_known(given, known)
    merged = pd.concat([stored.loc[~stored["finding_id"].isin(given["finding_id"])], given], ignore_index=True)
    return Review(merged.sort_values("finding_id", kind="stable").reset_index(drop=True), given, str(given_file))


# -- applying ------------------------------------------------------------------------------------------
def without_dismissed(data: RunData, rubric: Rubric, dismissed: frozenset[str]) -> RunData:
    """The run's data without the dismissed findings: what the metrics, vetoes and the notice count.

    Columns, typos, letters, guides, content-security findings and failed site checks found wrong are left out
    (a check left out is not failed); a broken link found wrong counts as working
    (``broken`` 0) and a dismissed 首页无法访问 removes the site's failed probes.
    """
    if not dismissed:
        return data
    return _without(data, rubric, lambda ids: ids.isin(dismissed))


def only_confirmed(data: RunData, rubric: Rubric, confirmed: frozenset[str]) -> RunData:
    """The run's data with only the confirmed findings (``REVIEW_REQUIRED``: what a veto may rest on)."""
    return _without(data, rubric, lambda ids: (ids != "") & ~ids.isin(confirmed))


def _without(data: RunData, rubric: Rubric, drop: Callable[[pd.Series], pd.Series]) -> RunData:
    """The run's data without the findings whose ids ``drop`` marks (see :func:`without_dismissed`)."""
    tables = dict(data.tables)
    columns = resolve_columns(data["columns"], rubric, data.as_of)
    tables["columns"] = data["columns"].loc[~drop(findings.column_ids(columns)).to_numpy()]
    checks = data["link_checks"]
    wrong = drop(findings.link_ids(checks))
    tables["link_checks"] = checks.assign(broken=checks["broken"].where(~wrong, 0))
    tables["typos"] = data["typos"].loc[~drop(findings.typo_ids(data["typos"]))]
    letters = resolve_letters(data["letters"], rubric, data.as_of)
    tables["letters"] = data["letters"].loc[~drop(findings.letter_ids(letters)).to_numpy()]
    guides = resolve_guides(data["guides"], data["link_refs"], data["link_checks"], rubric)
    tables["guides"] = data["guides"].loc[~drop(findings.guide_ids(guides)).to_numpy()]
    tables["risks"] = data["risks"].loc[~drop(findings.risk_ids(data["risks"]))]
    tables["site_checks"] = data["site_checks"].loc[~drop(findings.check_ids(data["site_checks"]))]
    probes = data["probes"]
    down = drop(probes["site_id"].map(findings.site_finding_id).astype("str")) & (probes["ok"] == 0)
    tables["probes"] = probes.loc[~down]
    return replace(data, tables=tables, derived={})


def site_flags(metrics: pd.DataFrame, decided: frozenset[str], *, keep: bool = False) -> pd.DataFrame:
    """The metrics with site-level findings (首页无法访问, 首页长期未更新, 无政务咨询渠道) cleared: the ``decided``
    ones (dismissed), or with ``keep`` every one not in ``decided`` (not confirmed)."""
    out = metrics
    for kind, flag in findings.SITE_FLAGS.items():
        ids = metrics["site_id"].map(lambda sid, kind=kind: findings.site_finding_id(str(sid), kind))
        clear = ~ids.isin(decided) if keep else ids.isin(decided)
        out = out.assign(**{flag: out[flag].mask(clear & out[flag].notna(), False)})
        if flag == "home_unavailable":
            out = out.assign(home_available=out["home_available"].mask(clear & out["home_available"].notna(), True))
    return out


def annotate(frame: pd.DataFrame, decisions: Review) -> pd.DataFrame:
    """A findings table with the decision (``review``: a code, ``""`` undecided) and its note (``review_note``)."""
    decision, note = decisions.decision_of(frame["finding_id"])
    return frame.assign(review=decision.to_numpy(), review_note=note.to_numpy())
