"""The scoring stage's files: an :class:`~scoring.evaluation.Evaluation` written as CSVs and ``scores.xlsx``
(and the per-site rectification workbooks), and the expert evaluation form for a registry."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from govsites.registry import load_sites
from scoring import report, review
from scoring.csvout import write_csv
from scoring.evaluation import Evaluation, EvaluationOptions, evaluate, unreachable_warning
from scoring.evidence import EvidenceSet, take_evidence
from scoring.load import RunData, registry_sites
from scoring.rubric import DEFAULT_RUBRIC, Rubric, RubricError, load_rubric

#: File name of each CSV table (keys of :attr:`Evaluation.tables`) and of the workbook.
OUTPUT_FILES = {
    "metrics": "metrics.csv",
    "columns": "columns.csv",
    "links": "links.csv",
    "typos": "typos.csv",
    "interaction": "interaction.csv",
    "services": "services.csv",
    "key_areas": "key_areas.csv",
    "problems": "problems.csv",
    "history": "history.csv",
    "risks": "risks.csv",
    "reductions": "reductions.csv",
    "site_checks": "site_checks.csv",
    "warnings": "warnings.csv",
    "maintenance": "maintenance.csv",
    "workbook": "scores.xlsx",
}
SITE_DIR = "整改"
EXPERT_TEMPLATE = "专家评估表.xlsx"


@dataclass(frozen=True)
class ScoringResult:
    """An evaluation and the paths of the files written from it (keys of ``OUTPUT_FILES``, ``per_site`` and
    ``site:<file stem>`` for the per-site workbooks)."""

    evaluation: Evaluation
    paths: dict[str, Path]

    @property
    def data(self) -> RunData:
        return self.evaluation.data

    @property
    def rubric(self) -> Rubric:
        return self.evaluation.rubric

    @property
    def metrics(self) -> pd.DataFrame:
        """metrics.csv's rows (``OUTPUT_COLUMNS``), one per registry site."""
        return self.evaluation.metrics

    @property
    def summary(self) -> pd.DataFrame:
        return self.evaluation.summary

    @property
    def notes(self) -> tuple[str, ...]:
        return self.evaluation.notes


def write_outputs(
    ev: Evaluation,
    out: str | Path,
    *,
    per_site: bool = False,
    max_rows: int = report.EXCEL_MAX_ROWS,
    max_links: int = report.EXCEL_MAX_HYPERLINKS,
    pictures: EvidenceSet | None = None,
) -> dict[str, Path]:
    """The CSVs and ``scores.xlsx`` in ``out``; with ``per_site`` also OUT/整改/<site>-<name>.xlsx; with
    ``pictures`` the workbook links each finding's screenshot."""
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    paths = {key: write_csv(frame, folder / OUTPUT_FILES[key]) for key, frame in ev.tables.items()}
    paths["workbook"] = report.write_workbook(
        folder / OUTPUT_FILES["workbook"], ev, max_rows=max_rows, max_links=max_links, pictures=pictures
    )
    if per_site:
        written = report.write_site_workbooks(ev, folder / SITE_DIR, max_links)
        paths["per_site"] = folder / SITE_DIR
        paths.update({f"site:{p.stem}": p for p in written})
    return paths


def score_run(
    options: EvaluationOptions,
    out: str | Path,
    *,
    per_site: bool = False,
    max_rows: int = report.EXCEL_MAX_ROWS,
    max_links: int = report.EXCEL_MAX_HYPERLINKS,
    evidence_per_site: int = 0,
    warn: Callable[[str], object] | None = None,
) -> ScoringResult:
    """The whole stage: evaluate (load → metrics → rubric), then write the CSVs and workbooks in ``out``; with
    ``evidence_per_site`` > 0 first take up to that many screenshots per site (:mod:`scoring.evidence`); ``warn``
    gets the unreachable-web warning (:func:`scoring.evaluation.unreachable_warning`) before anything is written."""
    ev = evaluate(options)
    warning = unreachable_warning(ev.scored)
    if warning and warn is not None:
        warn(warning)  # before anything is written
    pictures = take_evidence(ev, out, per_site=evidence_per_site) if evidence_per_site > 0 else None
    paths = write_outputs(ev, out, per_site=per_site, max_rows=max_rows, max_links=max_links, pictures=pictures)
    review.save_decisions(options.db, ev.review.given, ev.run.id)
    return ScoringResult(ev, paths)


def write_expert_template(sites: str | Path, out: str | Path, rubric: str | Path = DEFAULT_RUBRIC) -> Path:
    """OUT/专家评估表.xlsx: one row per registry site and the rubric's expert items."""
    rules = load_rubric(rubric)
    if rules.expert is None:
        raise RubricError(rules.path, "expert", "评分规则中未配置专家评估项")
    frame = registry_sites(load_sites(sites))
    return report.write_expert_template(Path(out) / EXPERT_TEMPLATE, sites=frame, spec=rules.expert, rubric=rules)
