"""``python -m scoring``: score one run of the store against a rubric; write CSVs and ``scores.xlsx``.

Subcommands: ``python -m scoring [score] …`` (the default), ``python -m scoring notice …`` (the draft notice,
see :mod:`scoring.notice`), ``python -m scoring expert-template …`` (the expert evaluation form).
Exit codes: 0 done; 2 a problem the user can fix (no run, unfinished run, bad rubric, bad registry, bad date,
bad baseline or expert form). Every input is read and checked before anything is written.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from govsites.registry import RegistryError, load_sites
from govsites.store import StoreError
from scoring import baseline as base
from scoring import csvout, history, metrics, report
from scoring.expert import ExpertError, read_expert
from scoring.load import RunData, ScoringError, load_run, registry_sites
from scoring.noticecfg import (
    DEFAULT_NOTICE_CONFIG,
    NoticeConfig,
    NoticeConfigError,
    load_notice_config,
    registry_short_names,
    short_name,
)
from scoring.problems import problem_list
from scoring.rubric import DEFAULT_RUBRIC, Rubric, RubricError, apply_rubric, load_rubric, summarize

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
    "reductions": "reductions.csv",
    "workbook": "scores.xlsx",
}
SITE_DIR = "整改"
EXPERT_TEMPLATE = "专家评估表.xlsx"
#: Every error the stage reports as a Chinese message with exit code 2.
USER_ERRORS = (
    ScoringError,
    RubricError,
    RegistryError,
    StoreError,
    base.BaselineError,
    ExpertError,
    NoticeConfigError,
)


@dataclass(frozen=True)
class Evaluation:
    """Everything computed for one run, before anything is written."""

    data: RunData
    rubric: Rubric
    config: NoticeConfig
    scored: pd.DataFrame  # every metric column, one row per registry site
    summary: pd.DataFrame
    tables: dict[str, pd.DataFrame]  # metrics, columns, links, typos, interaction, services, key_areas, problems,
    # history[, reductions]
    reductions: pd.DataFrame | None
    baseline: str  # a description of the baseline for 总览 ("" without one)
    history_counts: pd.DataFrame | None  # None: no earlier run to compare with
    previous_run: str
    notes: tuple[str, ...]
    expert_given: bool


@dataclass(frozen=True)
class ScoringResult:
    data: RunData
    rubric: Rubric
    metrics: pd.DataFrame  # OUTPUT_COLUMNS, one row per registry site
    summary: pd.DataFrame  # one row per group
    paths: dict[str, Path]
    notes: tuple[str, ...]
    evaluation: Evaluation | None = field(default=None, compare=False)


def _earlier_runs(db: str | Path, current: str, baseline_run: str | None) -> tuple[str | None, str | None]:
    """(previous, the one before it): the baseline run or the run before ``current`` in the store."""
    from govsites.store import Store

    with Store(db) as store:
        labels = [r.label for r in store.runs()]
    previous = baseline_run
    if previous is None:
        i = labels.index(current)
        previous = labels[i - 1] if i > 0 else None
    if previous is None or previous not in labels:
        return previous, None
    j = labels.index(previous)
    return previous, labels[j - 1] if j > 0 else None


def _history(
    db: str | Path, sites: str | Path, data: RunData, rules: Rubric, baseline_run: str | None
) -> tuple[pd.DataFrame, pd.DataFrame | None, str]:
    previous, earlier = _earlier_runs(db, data.run.label, baseline_run)
    current = history.run_problems(data, rules)
    if previous is None:
        return history.compare(current, None, None, current_sites=set(), previous_sites=set()), None, ""
    prev_data = load_run(db, sites, previous, None, allow_unfinished=True)
    older = (
        history.run_problems(load_run(db, sites, earlier, None, allow_unfinished=True), rules) if earlier else None
    )
    rows = history.compare(
        current,
        history.run_problems(prev_data, rules),
        older,
        current_sites=history.evaluated_sites(data),
        previous_sites=history.evaluated_sites(prev_data),
    )
    return rows, history.site_counts(rows, data.sites), previous


def _baseline(
    db: str | Path, sites: str | Path, value: str, current: str, rules: Rubric
) -> tuple[pd.DataFrame, str, str | None]:
    """(per-site counts, description, run label when the baseline is a run)."""
    if base.is_baseline_csv(value):
        counts = base.read_baseline_csv(value)
        return counts, f"文件 {value}（{len(counts)} 个网站）", None
    if value == current:
        raise ScoringError(f"基准运行 {value} 与本次评分的运行相同，请指定更早的运行或基准 CSV 文件")
    try:
        data = load_run(db, sites, value, None, allow_unfinished=True)
    except ScoringError as exc:
        raise ScoringError(f"基准：{exc}") from None
    counts = base.baseline_from_metrics(metrics.site_metrics(data, rules))
    return counts, f"运行 {value}（评估日期 {data.as_of.isoformat()}，{len(counts)} 个网站）", value


def site_short_names(sites_csv: str | Path, names: pd.DataFrame, config: NoticeConfig) -> pd.Series:
    """Short name per site_id: the registry's short_name column, else the documented rule."""
    given = registry_short_names(sites_csv)
    pairs = zip(names["site_id"], names["name"], strict=True)
    return pd.Series({sid: given.get(sid) or short_name(name, config) for sid, name in pairs}, dtype="str")


def evaluation_options(args: argparse.Namespace) -> dict[str, Any]:
    """The keyword options of :func:`evaluate` from the arguments of :func:`add_common_arguments`."""
    return {"run": args.run, "rubric": args.rubric, "as_of": args.as_of, "allow_unfinished": args.allow_unfinished,
            "baseline": args.baseline, "baseline_name": args.baseline_name, "expert": args.expert,
            "notice_config": args.notice_config}


def evaluate(
    db: str | Path,
    sites: str | Path,
    *,
    run: str | None = None,
    rubric: str | Path = DEFAULT_RUBRIC,
    as_of: str | None = None,
    allow_unfinished: bool = False,
    baseline: str | None = None,
    baseline_name: str = "",
    expert: str | Path | None = None,
    notice_config: str | Path = DEFAULT_NOTICE_CONFIG,
) -> Evaluation:
    """Load, check and compute everything (baseline, expert form, history); writes nothing."""
    rules = load_rubric(rubric)
    config = load_notice_config(notice_config)
    data = load_run(db, sites, run, as_of, allow_unfinished)
    expert_scores = read_expert(expert, rules.expert, data.sites) if expert else None
    before, baseline_text, baseline_run = (
        _baseline(db, sites, baseline, data.run.label, rules) if baseline else (None, "", None)
    )
    scored = metrics.site_metrics(data, rules).pipe(apply_rubric, rules, expert_scores)
    summary = summarize(scored, rules)
    notes = [*rules.skipped_notes]
    if data.extra_sites:
        notes.append(
            f"本次运行中有 {len(data.extra_sites)} 个站点不在登记表中，未计分：{'、'.join(data.extra_sites)}"
        )
    evaluated = int((scored["evaluation"] == "evaluated").sum())
    if evaluated and data["letters"].empty:
        notes.append("本次运行未采集到政务咨询信件：互动回应差按无超期信件处理，结果仅供参考")
    if evaluated and data["guides"].empty:
        notes.append("本次运行未采集到办事指南：办事服务各项按无问题处理，结果仅供参考")
    if (scored["evaluation"] == "no_url").any():
        notes.append("登记表中无网址的站点列为“未评估”，不计分、不排名")
    if expert_scores is not None and rules.expert is not None:
        notes.append(
            f"已合并专家评估（{expert}）：综合得分 = 自动评分×{rules.expert.automatic_weight:.0%}"
            f" + 专家评分×{rules.expert.expert_weight:.0%}，排名按综合得分"
        )
    history_rows, history_counts, previous = _history(db, sites, data, rules, baseline_run)
    if previous:
        notes.append(f"整改跟踪：与运行 {previous} 比较（明细见 history.csv）")
    reductions = base.reductions(before, scored, baseline_name) if before is not None else None
    shorts = site_short_names(sites, scored, config)
    key_areas = metrics.key_areas_table(data, rules)
    tables = {
        "metrics": scored.loc[:, list(metrics.OUTPUT_COLUMNS)],
        "columns": metrics.columns_table(data, rules),
        "links": metrics.links_table(data),
        "typos": metrics.typos_table(data),
        "interaction": metrics.interaction_table(data, rules),
        "services": metrics.services_table(data, rules),
        "key_areas": key_areas,
        "problems": problem_list(scored, shorts, config, key_areas),
        "history": history_rows,
    }
    if reductions is not None:
        tables["reductions"] = reductions
    return Evaluation(
        data=data,
        rubric=rules,
        config=config,
        scored=scored,
        summary=summary,
        tables=tables,
        reductions=reductions,
        baseline=baseline_text,
        history_counts=history_counts,
        previous_run=previous,
        notes=tuple(notes),
        expert_given=expert_scores is not None,
    )


def write_site_workbooks(ev: Evaluation, folder: Path, max_links: int) -> list[Path]:
    """OUT/整改/<site_id>-<name>.xlsx for every site that was assessed (合格 or 不合格)."""
    tables = ev.tables
    paths = []
    for _, site in ev.scored.loc[ev.scored["verdict"] != "未评估"].iterrows():
        sid = site["site_id"]

        def of(frame: pd.DataFrame, sid: str = sid) -> pd.DataFrame:
            return frame.loc[frame["site_id"] == sid]

        paths.append(
            report.write_site_workbook(
                folder / report.safe_filename(sid, site["name"]),
                site=site,
                problems=of(tables["problems"]),
                columns=of(tables["columns"]),
                links=of(tables["links"]),
                typos=of(tables["typos"]),
                as_of=ev.data.as_of,
                max_links=max_links,
            )
        )
    return paths


def score_run(
    db: str | Path,
    out: str | Path,
    sites: str | Path,
    *,
    run: str | None = None,
    rubric: str | Path = DEFAULT_RUBRIC,
    as_of: str | None = None,
    allow_unfinished: bool = False,
    baseline: str | None = None,
    baseline_name: str = "",
    expert: str | Path | None = None,
    per_site: bool = False,
    notice_config: str | Path = DEFAULT_NOTICE_CONFIG,
    max_rows: int = report.EXCEL_MAX_ROWS,
    max_links: int = report.EXCEL_MAX_HYPERLINKS,
) -> ScoringResult:
    """The whole stage: load → metrics → rubric → CSVs and workbook in ``out`` (per-site workbooks too)."""
    ev = evaluate(
        db,
        sites,
        run=run,
        rubric=rubric,
        as_of=as_of,
        allow_unfinished=allow_unfinished,
        baseline=baseline,
        baseline_name=baseline_name,
        expert=expert,
        notice_config=notice_config,
    )
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = {key: csvout.write_csv(frame, out / OUTPUT_FILES[key]) for key, frame in ev.tables.items()}
    paths["workbook"] = report.write_workbook(
        out / OUTPUT_FILES["workbook"],
        metrics=ev.scored,
        columns=ev.tables["columns"],
        links=ev.tables["links"],
        typos=ev.tables["typos"],
        summary=ev.summary,
        rubric=ev.rubric,
        run=ev.data.run,
        as_of=ev.data.as_of,
        notes=ev.notes,
        problems=ev.tables["problems"],
        reductions=ev.reductions,
        baseline=ev.baseline,
        history=ev.history_counts,
        letters=ev.tables["interaction"],
        guides=ev.tables["services"],
        key_areas=ev.tables["key_areas"],
        max_rows=max_rows,
        max_links=max_links,
    )
    if per_site:
        written = write_site_workbooks(ev, out / SITE_DIR, max_links)
        paths["per_site"] = out / SITE_DIR
        paths.update({f"site:{p.stem}": p for p in written})
    return ScoringResult(ev.data, ev.rubric, ev.tables["metrics"], ev.summary, paths, ev.notes, ev)


def write_expert_template(sites: str | Path, out: str | Path, rubric: str | Path = DEFAULT_RUBRIC) -> Path:
    """OUT/专家评估表.xlsx: one row per registry site and the rubric's expert items."""
    rules = load_rubric(rubric)
    if rules.expert is None:
        raise RubricError(rules.path, "expert", "评分规则中未配置专家评估项")
    frame = registry_sites(load_sites(sites))
    return report.write_expert_template(Path(out) / EXPERT_TEMPLATE, sites=frame, spec=rules.expert, rubric=rules)


def add_common_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments shared by ``score`` and ``notice``."""
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
    parser.add_argument(
        "--baseline",
        default=None,
        help="整改前基准：更早运行的标签，或每站计数 CSV（site_id,blank_columns,stale_columns,broken_links）",
    )
    parser.add_argument("--baseline-name", default="", help="基准的称呼，写入通报表述，如“普查前”（可选）")
    parser.add_argument("--expert", default=None, help="已填写的专家评估表（expert-template 生成）")
    parser.add_argument(
        "--notice-config", default=str(DEFAULT_NOTICE_CONFIG), help="通报设置文件（默认 data/notice/notice.toml）"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m scoring",
        description="按评分规则为一次抓取运行评分，输出 CSV 和 scores.xlsx。"
        "另有子命令：notice（通报草稿）、expert-template（专家评估表）",
    )
    add_common_arguments(parser)
    parser.add_argument("--per-site", action="store_true", help="另为每个网站输出整改清单 整改/<站点>-<名称>.xlsx")
    return parser


def build_template_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m scoring expert-template", description="生成专家评估表（每个登记网站一行）"
    )
    parser.add_argument("--sites", required=True, help="网站登记表 sites.csv")
    parser.add_argument("--out", required=True, help="输出目录")
    parser.add_argument("--rubric", default=DEFAULT_RUBRIC, help="评分规则（其中的 [expert] 评估项）")
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


def template_main(argv: Sequence[str]) -> int:
    args = build_template_parser().parse_args(argv)
    try:
        path = write_expert_template(args.sites, args.out, args.rubric)
    except USER_ERRORS as exc:
        sys.stderr.write(f"错误：{exc}\n")
        return 2
    sys.stdout.write(f"专家评估表：{path}\n")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["notice"]:
        from scoring.notice import main as notice_main

        return notice_main(argv[1:])
    if argv[:1] == ["expert-template"]:
        return template_main(argv[1:])
    if argv[:1] == ["score"]:
        argv = argv[1:]
    args = build_parser().parse_args(argv)
    try:
        result = score_run(args.db, args.out, args.sites, per_site=args.per_site, **evaluation_options(args))
    except USER_ERRORS as exc:
        sys.stderr.write(f"错误：{exc}\n")
        return 2
    csvs = [str(p) for k, p in result.paths.items() if k in OUTPUT_FILES and k != "workbook"]
    lines = [
        f"评分完成：运行 {result.data.run.label}，评估日期 {result.data.as_of.isoformat()}，"
        f"规则 {result.rubric.name}",
        f"评分表：{result.paths['workbook']}",
        f"明细 CSV：{', '.join(csvs)}",
        *_summary_lines(result),
    ]
    if result.evaluation is not None and result.evaluation.reductions is not None:
        lines += [f"  {s}" for s in result.evaluation.reductions["sentence"]]
    if "per_site" in result.paths:
        lines.append(f"各网站整改清单：{result.paths['per_site']}")
    lines += [f"注：{note}" for note in result.notes]
    sys.stdout.write("\n".join(lines) + "\n")
    return 0
