"""The evaluation of one run: load → metrics → rubric → the tidy tables every report is written from.

:func:`evaluate` reads and checks every input (rubric, notice settings, the run, the expert form, the baseline,
the earlier runs for 整改跟踪) before anything is written, then computes the frames in small named steps. The
:class:`Evaluation` it returns holds tidy frames (one row per site, per column, per link …) and the options the
writers need; the layout of the workbook (:mod:`scoring.report`) and the notice's wording
(:mod:`scoring.notice`) are applied only when writing. Nothing here writes a file or knows about the CLI.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from govsites.store import Run, Store
from scoring import findings, history, metrics, review, security, sitechecks
from scoring.baseline import baseline_from_metrics, is_baseline_csv, read_baseline_csv, reductions
from scoring.expert import read_expert
from scoring.load import RunData, ScoringError, load_run
from scoring.noticecfg import (
    DEFAULT_NOTICE_CONFIG,
    NoticeConfig,
    load_notice_config,
    registry_short_names,
    short_name,
)
from scoring.problems import problem_list
from scoring.review import Review
from scoring.rubric import DEFAULT_RUBRIC, Rubric, apply_rubric, load_rubric, summarize, unreachable_share
from scoring.vocabulary import EVALUATED, EVALUATION, OUTPUT_COLUMNS


@dataclass(frozen=True)
class EvaluationOptions:
    """What to evaluate: the store and the registry, and the choices ``python -m scoring`` offers (same defaults).

    ``run``: a run label (default: the latest run); ``as_of``: YYYY-MM-DD (default: the run's); ``baseline``:
    an earlier run's label or a per-site counts CSV; ``baseline_name``: how the notice names it (如“普查前”);
    ``expert``: a filled expert form; ``notice_config``: the notice settings file.
    """

    db: str | Path
    sites: str | Path
    run: str | None = None
    rubric: str | Path = DEFAULT_RUBRIC
    as_of: str | None = None
    allow_unfinished: bool = False
    baseline: str | None = None
    baseline_name: str = ""
    expert: str | Path | None = None
    notice_config: str | Path = DEFAULT_NOTICE_CONFIG
    review: str | Path | None = None  # a filled scores.xlsx or review.csv (scoring.review)
    review_required: bool = False  # a veto counts only once its findings are confirmed
    maintenance: str | Path = sitechecks.DEFAULT_MAINTENANCE  # 维护报备: approved windows leave availability


@dataclass(frozen=True)
class Baseline:
    """The before side of the before/after comparison (整改前基准)."""

    counts: pd.DataFrame  # per-site counts (scoring.baseline.BASELINE_FIELDS)
    description: str  # for 总览: 文件 … / 运行 …
    run: str | None  # the run label when the baseline is a run of the store


@dataclass(frozen=True)
class Tracking:
    """整改跟踪: the problems of this run compared with the previous run (and the one before it)."""

    rows: pd.DataFrame  # history.csv (scoring.vocabulary.HISTORY_COLUMNS)
    counts: pd.DataFrame | None  # per site; None without an earlier run to compare with
    previous_run: str  # "" without one


@dataclass(frozen=True)
class Evaluation:
    """Everything computed for one run, before anything is written."""

    options: EvaluationOptions
    data: RunData
    rubric: Rubric
    config: NoticeConfig
    scored: pd.DataFrame  # every metric column, score and verdict, one row per registry site
    summary: pd.DataFrame  # one row per group
    short_names: pd.Series  # short name (简称) by site_id
    #: the CSV tables by key: metrics, columns, links, typos, interaction, services, key_areas, problems,
    #: history[, reductions]
    tables: dict[str, pd.DataFrame]
    reductions: pd.DataFrame | None  # the before/after table; None without a baseline
    baseline: str  # a description of the baseline for 总览 ("" without one)
    history_counts: pd.DataFrame | None  # None: no earlier run to compare with
    previous_run: str
    notes: tuple[str, ...]
    expert_given: bool
    review: Review

    @property
    def run(self) -> Run:
        return self.data.run

    @property
    def as_of(self) -> date:
        return self.data.as_of

    @property
    def metrics(self) -> pd.DataFrame:
        """metrics.csv: the output columns of :attr:`scored`."""
        return self.tables["metrics"]


# -- the steps -----------------------------------------------------------------------------------------
def earlier_runs(db: str | Path, current: str, baseline_run: str | None) -> tuple[str | None, str | None]:
    """(previous, the one before it): the baseline run or the run before ``current`` in the store."""
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


def tracking(
    options: EvaluationOptions,
    data: RunData,
    rules: Rubric,
    baseline_run: str | None,
    dismissed: frozenset[str] = frozenset(),
) -> Tracking:
    """整改跟踪 against the previous run (the baseline run when the baseline is a run); findings dismissed by the
    inspector are not problems in any run."""
    previous, earlier = earlier_runs(options.db, data.run.label, baseline_run)
    current = history.run_problems(data, rules)
    if previous is None:
        empty = history.compare(current, None, None, current_sites=set(), previous_sites=set())
        return Tracking(empty, None, "")

    def problems_of(label: str) -> tuple[RunData, pd.DataFrame]:
        run = review.without_dismissed(
            load_run(options.db, options.sites, label, None, allow_unfinished=True), rules, dismissed
        )
        return run, history.run_problems(run, rules)

    prev_data, prev_problems = problems_of(previous)
    older = problems_of(earlier)[1] if earlier else None
    rows = history.compare(
        current,
        history.judged_again(prev_problems, data),  # a column not rendered now is not judged: never 已整改
        older,
        current_sites=history.evaluated_sites(data),
        previous_sites=history.evaluated_sites(prev_data),
    )
    return Tracking(rows, history.site_counts(rows, data.sites), previous)


def read_baseline(options: EvaluationOptions, current: str, rules: Rubric) -> Baseline | None:
    """The baseline given in ``options``: a per-site counts CSV or an earlier run of the store."""
    value = options.baseline
    if not value:
        return None
    if is_baseline_csv(value):
        counts = read_baseline_csv(value)
        return Baseline(counts, f"文件 {value}（{len(counts)} 个网站）", None)
    if value == current:
        raise ScoringError(f"基准运行 {value} 与本次评分的运行相同，请指定更早的运行或基准 CSV 文件")
    try:
        data = load_run(options.db, options.sites, value, None, allow_unfinished=True)
    except ScoringError as exc:
        raise ScoringError(f"基准：{exc}") from None
    counts = baseline_from_metrics(metrics.site_metrics(data, rules))
    return Baseline(counts, f"运行 {value}（评估日期 {data.as_of.isoformat()}，{len(counts)} 个网站）", value)


def site_short_names(sites_csv: str | Path, names: pd.DataFrame, config: NoticeConfig) -> pd.Series:
    """Short name per site_id: the registry's short_name column, else the documented rule."""
    given = registry_short_names(sites_csv)
    pairs = zip(names["site_id"], names["name"], strict=True)
    return pd.Series({sid: given.get(sid) or short_name(name, config) for sid, name in pairs}, dtype="str")


#: share of evaluated sites whose home page failed above which the web was probably unreachable from here
UNREACHABLE_SHARE = 0.5


def unreachable_warning(scored: pd.DataFrame) -> str:
    """A loud line when most evaluated home pages failed: the network, not the sites, is likely at fault."""
    down, evaluated = unreachable_share(scored)
    if not evaluated or down / evaluated <= UNREACHABLE_SHARE:
        return ""
    return (
        f"警告：{down}/{evaluated} 个已评估网站的首页无法访问，很可能是本机无法访问这些网站（网络或代理问题），"
        "而非网站本身的问题；请先核实网络后重新抓取，再转发评分结果"
    )


def run_notes(
    data: RunData, rules: Rubric, scored: pd.DataFrame, expert: str | Path | None, previous_run: str
) -> tuple[str, ...]:
    """The notes of 总览 and of the CLI: what was not evaluated, what is missing, what was merged."""
    notes = [*rules.skipped_notes]
    if data.extra_sites:
        notes.append(f"本次运行中有 {len(data.extra_sites)} 个站点不在登记表中，未计分：{'、'.join(data.extra_sites)}")
    evaluated = int((scored["evaluation"] == EVALUATED).sum())
    if evaluated and data["letters"].empty:
        notes.append("本次运行未采集到政务咨询信件：互动回应差按无超期信件处理，结果仅供参考")
    if evaluated and data["guides"].empty:
        notes.append("本次运行未采集到办事指南：办事服务各项按无问题处理，结果仅供参考")
    outside = scored.loc[scored["evaluation"] != EVALUATED]
    if len(outside):
        reasons = outside["evaluation"].map(EVALUATION).fillna(outside["evaluation"])
        listed = "、".join(f"{name}（{why}）" for name, why in zip(outside["name"], reasons, strict=True))
        notes.append(f"{len(outside)} 个网站本次未评估，不计分、不排名，不计入任何统计：{listed}")
    capped = scored.loc[scored["pages_capped"].astype("Int64").fillna(0) > 0, "name"]
    if len(capped):
        notes.append(
            f"{len(capped)} 个网站受抓取上限限制，仅按已抓取的页面评估（见分组排名“评估范围”列）：{'、'.join(capped)}"
        )
    blocked = scored.loc[scored["pages_blocked"].astype("Int64").fillna(0) > 0, ["name", "pages_blocked"]]
    if len(blocked):
        listed = "、".join(
            f"{name}（{count} 个）" for name, count in zip(blocked["name"], blocked["pages_blocked"], strict=True)
        )
        notes.append(
            f"{len(blocked)} 个网站有页面被反爬验证或防火墙拦截、未能读取，仅按已读取的页面评估"
            f"（见分组排名“评估范围”列）：{listed}"
        )
    reasons = metrics.unrendered_reasons(data["columns"])
    shown = scored.loc[(scored["evaluation"] == EVALUATED) & scored["site_id"].isin(list(reasons)), ["site_id", "name"]]
    if len(shown):
        pairs = zip(shown["site_id"], shown["name"], strict=True)
        listed = "、".join(f"{name}（{reasons[sid]}）" for sid, name in pairs)
        notes.append(
            f"{len(shown)} 个网站有栏目的列表需要浏览器渲染而未能渲染，这些栏目的列表未读取、不计入栏目评分，"
            f"仅按已读取的栏目评估（见分组排名“评估范围”列、栏目明细“未能渲染原因”列）：{listed}"
        )
    warning = unreachable_warning(scored)
    if warning:
        notes.insert(0, warning)
    if expert is not None and rules.expert is not None:
        notes.append(
            f"已合并专家评估（{expert}）：综合得分 = 自动评分×{rules.expert.automatic_weight:.0%}"
            f" + 专家评分×{rules.expert.expert_weight:.0%}，排名按综合得分"
        )
    if previous_run:
        notes.append(f"整改跟踪：与运行 {previous_run} 比较（明细见 history.csv）")
    waiting = int((scored["veto_pending"] != "").sum()) if "veto_pending" in scored else 0
    if waiting:
        notes.append(f"单项否决须经复核确认：{waiting} 个网站的否决尚待复核（见“否决待复核”列），确认后才生效")
    return tuple(notes)


def detail_tables(data: RunData, rules: Rubric) -> dict[str, pd.DataFrame]:
    """The findings' tables of the whole run (dismissed findings included: their sheets show them greyed), each
    row with its ``finding_id`` (:mod:`scoring.findings`)."""
    return findings.with_ids(
        {
            "columns": metrics.columns_table(data, rules),
            "links": metrics.links_table(data),
            "typos": metrics.typos_table(data),
            "interaction": metrics.interaction_table(data, rules),
            "services": metrics.services_table(data, rules),
            "risks": security.risks_table(data),  # content security (docs/security.md)
            "site_checks": sitechecks.site_checks_table(data),  # failed checks (docs/sitechecks.md)
        }
    )


def known_findings(details: dict[str, pd.DataFrame], sites: pd.DataFrame) -> frozenset[str]:
    """Every finding id of the run: the detail tables' and each evaluated site's 首页无法访问."""
    ids = {fid for frame in details.values() for fid in frame["finding_id"] if fid}
    evaluated = sites.loc[sites["evaluation"] == EVALUATED, "site_id"]
    site_level = {findings.site_finding_id(sid, kind) for sid in evaluated for kind in findings.SITE_FLAGS}
    return frozenset(ids | site_level)


def output_tables(
    data: RunData,
    rules: Rubric,
    config: NoticeConfig,
    scored: pd.DataFrame,
    shorts: pd.Series,
    track: Tracking,
    before_after: pd.DataFrame | None,
    details: dict[str, pd.DataFrame],
    decisions: Review,
) -> dict[str, pd.DataFrame]:
    """The CSV tables, tidy (one row per site, column, link, typo, letter, guide, site × area, problem).

    ``data`` is the run without the dismissed findings (what is counted); ``details`` the findings' tables of the
    whole run."""
    key_areas = metrics.key_areas_table(data, rules)
    tables = {
        "metrics": scored.loc[:, list(OUTPUT_COLUMNS)],
        **details,
        "key_areas": key_areas,
        **{
            key: review.annotate(frame, decisions)
            for key, frame in findings.with_ids(
                {
                    "problems": problem_list(
                        scored, shorts, config, key_areas, risks=data["risks"], site_checks=data["site_checks"]
                    ),
                    "history": track.rows,
                }
            ).items()
        },
    }
    if before_after is not None:
        tables["reductions"] = before_after
    return tables


def site_check_tables(
    data: RunData, rules: Rubric, scored: pd.DataFrame, calendar: sitechecks.MaintenanceCalendar
) -> dict[str, pd.DataFrame]:
    """warnings.csv and maintenance.csv (:mod:`scoring.sitechecks`; site_checks.csv is a findings table,
    :func:`detail_tables`)."""
    return {
        "warnings": sitechecks.warnings_table(scored, sitechecks.warning_thresholds(rules)),
        "maintenance": sitechecks.maintenance_table(data, calendar),
    }


def maintenance_notes(maintenance: pd.DataFrame, warnings: pd.DataFrame | None = None) -> tuple[str, ...]:
    """总览's lines on the early warnings and the maintenance windows: probes excluded, unapproved windows that
    excluded nothing."""
    warned = (
        (f"预警：{warnings['site_id'].nunique()} 个网站接近单项否决线（见“预警”表和 warnings.csv）",)
        if warnings is not None and not warnings.empty
        else ()
    )
    if maintenance.empty:
        return warned
    approved = maintenance.loc[maintenance["approved"].astype(bool)]
    notes = [
        f"维护报备：{len(approved)} 个已批准的维护时段内的 {int(approved['probes_excluded'].sum())} 次首页探测"
        "不计入可访问性（明细见 maintenance.csv）"
    ]
    unapproved = len(maintenance) - len(approved)
    if unapproved:
        notes.append(f"维护报备：{unapproved} 个未批准的时段仅列示，其间的探测照常计入可访问性")
    return warned + tuple(notes)


# -- the whole evaluation ------------------------------------------------------------------------------
def evaluate(options: EvaluationOptions) -> Evaluation:
    """Load, check and compute everything (baseline, expert form, history); writes nothing."""
    rules = load_rubric(options.rubric)
    config = load_notice_config(options.notice_config).with_stale_windows(
        (w.amount, w.unit) for w in rules.windows.values()
    )
    loaded = load_run(options.db, options.sites, options.run, options.as_of, options.allow_unfinished)
    calendar = sitechecks.read_maintenance(options.maintenance, loaded)
    whole = sitechecks.without_maintenance_probes(loaded, calendar)
    details = detail_tables(whole, rules)
    decisions = review.gather(options.db, options.review, known_findings(details, whole.sites))
    details = {key: review.annotate(frame, decisions) for key, frame in details.items()}
    data = review.without_dismissed(whole, rules, decisions.dismissed)
    expert_scores = read_expert(options.expert, rules.expert, data.sites) if options.expert else None
    before = read_baseline(options, data.run.label, rules)
    veto_metrics = (
        metrics.site_metrics(review.only_confirmed(whole, rules, decisions.confirmed), rules).pipe(
            review.site_flags, decisions.confirmed, keep=True
        )
        if options.review_required
        else None
    )
    scored = (
        metrics.site_metrics(data, rules)
        .pipe(review.site_flags, decisions.dismissed)
        .pipe(apply_rubric, rules, expert_scores, veto_metrics)
    )
    track = tracking(options, data, rules, before.run if before else None, decisions.dismissed)
    before_after = reductions(before.counts, scored, options.baseline_name) if before else None
    shorts = site_short_names(options.sites, scored, config)
    merged_expert = options.expert if expert_scores is not None else None
    tables = {
        **output_tables(data, rules, config, scored, shorts, track, before_after, details, decisions),
        **site_check_tables(loaded, rules, scored, calendar),
    }
    return Evaluation(
        options=options,
        data=data,
        rubric=rules,
        config=config,
        scored=scored,
        summary=summarize(scored, rules),
        short_names=shorts,
        tables=tables,
        reductions=before_after,
        baseline=before.description if before else "",
        history_counts=track.counts,
        previous_run=track.previous_run,
        notes=run_notes(data, rules, scored, merged_expert, track.previous_run)
        + maintenance_notes(tables["maintenance"], tables["warnings"]),
        expert_given=expert_scores is not None,
        review=decisions,
    )
