"""``python -m scoring``: score one run of the store against a rubric; write CSVs and ``scores.xlsx``.

Exit codes: 0 done; 2 a problem the user can fix (no run, unfinished run, bad rubric, bad registry, bad date).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from govsites.registry import RegistryError
from govsites.store import StoreError
from scoring import csvout, metrics, report
from scoring.load import RunData, ScoringError, load_run
from scoring.rubric import DEFAULT_RUBRIC, Rubric, RubricError, apply_rubric, load_rubric, summarize

OUTPUT_FILES = {
    "metrics": "metrics.csv",
    "columns": "columns.csv",
    "links": "links.csv",
    "typos": "typos.csv",
    "workbook": "scores.xlsx",
}


@dataclass(frozen=True)
class ScoringResult:
    data: RunData
    rubric: Rubric
    metrics: pd.DataFrame  # OUTPUT_COLUMNS, one row per registry site
    summary: pd.DataFrame  # one row per group
    paths: dict[str, Path]
    notes: tuple[str, ...]


def score_run(
    db: str | Path,
    out: str | Path,
    sites: str | Path,
    *,
    run: str | None = None,
    rubric: str | Path = DEFAULT_RUBRIC,
    as_of: str | None = None,
    allow_unfinished: bool = False,
    max_rows: int = report.EXCEL_MAX_ROWS,
    max_links: int = report.EXCEL_MAX_HYPERLINKS,
) -> ScoringResult:
    """The whole stage: load → metrics → rubric → CSVs and workbook in ``out``."""
    rules = load_rubric(rubric)
    data = load_run(db, sites, run, as_of, allow_unfinished)
    scored = metrics.site_metrics(data, rules).pipe(apply_rubric, rules)
    summary = summarize(scored, rules)
    notes = [*rules.skipped_notes]
    if data.extra_sites:
        notes.append(
            f"本次运行中有 {len(data.extra_sites)} 个站点不在登记表中，未计分：{'、'.join(data.extra_sites)}"
        )
    if (scored["evaluation"] == "no_url").any():
        notes.append("登记表中无网址的站点列为“未评估”，不计分、不排名")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    tables = {
        "metrics": scored.loc[:, list(metrics.OUTPUT_COLUMNS)],
        "columns": metrics.columns_table(data, rules),
        "links": metrics.links_table(data),
        "typos": metrics.typos_table(data),
    }
    paths = {key: csvout.write_csv(frame, out / OUTPUT_FILES[key]) for key, frame in tables.items()}
    paths["workbook"] = report.write_workbook(
        out / OUTPUT_FILES["workbook"],
        metrics=scored,
        columns=tables["columns"],
        links=tables["links"],
        typos=tables["typos"],
        summary=summary,
        rubric=rules,
        run=data.run,
        as_of=data.as_of,
        notes=notes,
        max_rows=max_rows,
        max_links=max_links,
    )
    return ScoringResult(data, rules, tables["metrics"], summary, paths, tuple(notes))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m scoring", description="按评分规则为一次抓取运行评分，输出 CSV 和 scores.xlsx"
    )
    parser.add_argument("--db", required=True, help="存储文件（SQLite），如 data/govsites.sqlite")
    parser.add_argument("--out", required=True, help="输出目录，如 data/output")
    parser.add_argument("--sites", required=True, help="网站登记表 sites.csv")
    parser.add_argument("--run", default=None, help="运行标签（默认：最近一次运行）")
    parser.add_argument(
        "--rubric",
        default=DEFAULT_RUBRIC,
        help="评分规则：内置名称（census2015、checks2019）或 TOML 文件路径（默认 census2015）",
    )
    parser.add_argument("--as-of", default=None, help="评估日期 YYYY-MM-DD（默认：运行记录中的评估日期）")
    parser.add_argument("--allow-unfinished", action="store_true", help="允许为尚未完成的运行评分")
    return parser


def _summary_lines(result: ScoringResult) -> list[str]:
    lines = []
    for row in result.summary.itertuples(index=False):
        rate = "—" if pd.isna(row.pass_rate) else f"{row.pass_rate:.1%}"
        line = (
            f"  {row.group_name}：参评 {row.sites} 个，合格 {row.passed} 个（{rate}），不合格 {row.failed} 个"
        )
        if row.not_evaluated:
            line += f"，未评估 {row.not_evaluated} 个"
        lines.append(line + f"；优秀：{row.excellent or '无'}")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        result = score_run(
            args.db,
            args.out,
            args.sites,
            run=args.run,
            rubric=args.rubric,
            as_of=args.as_of,
            allow_unfinished=args.allow_unfinished,
        )
    except (ScoringError, RubricError, RegistryError, StoreError) as exc:
        sys.stderr.write(f"错误：{exc}\n")
        return 2
    lines = [
        f"评分完成：运行 {result.data.run.label}，评估日期 {result.data.as_of.isoformat()}，"
        f"规则 {result.rubric.name}",
        f"评分表：{result.paths['workbook']}",
        f"明细 CSV：{', '.join(str(result.paths[k]) for k in ('metrics', 'columns', 'links', 'typos'))}",
        *_summary_lines(result),
        *(f"注：{note}" for note in result.notes),
    ]
    sys.stdout.write("\n".join(lines) + "\n")
    return 0
