"""``python -m scoring``: score one run of the store against a rubric; write CSVs and ``scores.xlsx``.

Subcommands: ``python -m scoring [score] …`` (the default), ``python -m scoring notice …`` (the draft notice,
see :mod:`scoring.notice`), ``python -m scoring expert-template …`` (the expert evaluation form).
Exit codes: 0 done; 2 a problem the user can fix (no run, unfinished run, bad rubric, bad registry, bad date,
bad baseline or expert form). Every input is read and checked before anything is written.

A thin layer: each subcommand turns its arguments into a call of :mod:`scoring.evaluation`,
:mod:`scoring.outputs` or :mod:`scoring.notice` and returns the lines to print; :func:`main` is the one place
that turns an expected error into one Chinese line on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd

from govsites.preflight import PreflightError, check_folder
from govsites.registry import RegistryError
from govsites.store import StoreError
from scoring.baseline import BaselineError
from scoring.evaluation import EvaluationOptions, evaluate
from scoring.evidence import DEFAULT_PER_SITE
from scoring.expert import ExpertError
from scoring.load import ScoringError, parse_as_of
from scoring.notice import default_period, write_notice
from scoring.noticecfg import DEFAULT_NOTICE_CONFIG, NoticeConfigError
from scoring.outputs import OUTPUT_FILES, ScoringResult, score_run, write_expert_template
from scoring.rectify import RECTIFY_DIR, write_rectifications
from scoring.rubric import DEFAULT_RUBRIC, RubricError
from scoring.sitechecks import DEFAULT_MAINTENANCE

#: Every error the stage reports as a Chinese message with exit code 2.
USER_ERRORS = (
    ScoringError,
    RubricError,
    RegistryError,
    StoreError,
    BaselineError,
    ExpertError,
    NoticeConfigError,
    PreflightError,
)
EXIT_USER_ERROR = 2


# -- arguments -----------------------------------------------------------------------------------------
def add_evaluation_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments shared by ``score`` and ``notice``: the fields of :class:`EvaluationOptions` and ``--out``."""
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
        "--review", default=None, help="复核结果：已填写“复核”列的 scores.xlsx，或 review.csv（finding_id,decision,…）"
    )
    parser.add_argument(
        "--review-required", action="store_true", help="单项否决须经人工复核确认后才生效（未确认的标为“待复核”）"
    )
    parser.add_argument(
        "--notice-config", default=str(DEFAULT_NOTICE_CONFIG), help="通报设置文件（默认 data/notice/notice.toml）"
    )
    parser.add_argument(
        "--maintenance",
        default=str(DEFAULT_MAINTENANCE),
        help="维护报备（临时关停/改版）时段表，已批准时段内的探测不计入可访问性（默认 data/maintenance.csv）",
    )


def evaluation_options(args: argparse.Namespace) -> EvaluationOptions:
    """The options of :func:`scoring.evaluation.evaluate` from the arguments of :func:`add_evaluation_arguments`."""
    return EvaluationOptions(
        db=args.db,
        sites=args.sites,
        run=args.run,
        rubric=args.rubric,
        as_of=args.as_of,
        allow_unfinished=args.allow_unfinished,
        baseline=args.baseline,
        baseline_name=args.baseline_name,
        expert=args.expert,
        notice_config=args.notice_config,
        review=args.review,
        review_required=args.review_required,
        maintenance=args.maintenance,
    )


def score_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m scoring",
        description="按评分规则为一次抓取运行评分，输出 CSV 和 scores.xlsx。"
        "另有子命令：notice（通报草稿）、rectify（整改通知）、expert-template（专家评估表）",
    )
    add_evaluation_arguments(parser)
    parser.add_argument("--per-site", action="store_true", help="另为每个网站输出整改清单 整改/<站点>-<名称>.xlsx")
    parser.add_argument(
        "--evidence",
        type=int,
        nargs="?",
        const=DEFAULT_PER_SITE,
        default=0,
        metavar="N",
        help=f"用 Chromium 为每个问题截图（证据），每站最多 N 张（默认 {DEFAULT_PER_SITE}），保存在 输出目录/evidence/",
    )
    return parser


def notice_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m scoring notice", description="根据评分结果生成通报草稿（通报（草稿）.docx）"
    )
    add_evaluation_arguments(parser)
    parser.add_argument("--period-start", default=None, help="评估期间起始日期 YYYY-MM-DD（默认：首次探测日期）")
    parser.add_argument("--period-end", default=None, help="评估期间结束日期 YYYY-MM-DD（默认：评估日期）")
    parser.add_argument("--date", default=None, help="落款日期 YYYY-MM-DD（默认：今天）")
    parser.add_argument("--office", default=None, help="落款单位（默认：通报设置文件中的 office）")
    return parser


def rectify_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m scoring rectify",
        description="为每个存在问题的网站生成整改通知（整改通知/<站点>-<名称>.docx），附证据截图和反馈表",
    )
    add_evaluation_arguments(parser)
    parser.add_argument("--deadline", default=None, help="整改期限 YYYY-MM-DD（默认：留待填写）")
    parser.add_argument("--office", default=None, help="落款单位（默认：通报设置文件中的 office）")
    return parser


def template_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m scoring expert-template", description="生成专家评估表（每个登记网站一行）"
    )
    parser.add_argument("--sites", required=True, help="网站登记表 sites.csv")
    parser.add_argument("--out", required=True, help="输出目录")
    parser.add_argument("--rubric", default=DEFAULT_RUBRIC, help="评分规则（其中的 [expert] 评估项）")
    return parser


# -- checks before anything is read or written -----------------------------------------------------------
def preflight(args: argparse.Namespace) -> None:
    """What every subcommand can check at once, before reading anything: the dates and the output folder (the
    store is checked when the run is loaded, after the rubric and the registry)."""
    for option, what in (
        ("as_of", "AS_OF（评估日期）"),
        ("period_start", "--period-start（评估期间起始日期）"),
        ("period_end", "--period-end（评估期间结束日期）"),
        ("date", "--date（成文日期）"),
    ):
        value = getattr(args, option, None)
        if value:
            parse_as_of(value, what)
    check_folder(args.out, "输出目录")


def write_error(exc: OSError) -> str:
    """An output that could not be written after the checks (a full disk, a file open in Excel …)."""
    where = f" {exc.filename}" if exc.filename else ""
    return f"无法写入{where}：{exc.strerror or exc}（若文件正在 Excel 或 Word 中打开，请先关闭）"


# -- subcommands: arguments → the lines to print ---------------------------------------------------------
def summary_lines(result: ScoringResult) -> list[str]:
    lines = []
    for row in result.summary.itertuples(index=False):
        rate = "—" if pd.isna(row.pass_rate) else f"{row.pass_rate:.1%}"
        line = f"  {row.group_name}：参评 {row.sites} 个，合格 {row.passed} 个（{rate}），不合格 {row.failed} 个"
        if row.vetoed:
            line += f"（其中单项否决 {row.vetoed} 个）"
        if row.not_evaluated:
            line += f"；未评估 {row.not_evaluated} 个（不计入）"
        line += f"；优秀：{row.excellent or '无'}"
        if row.excellent_tie:
            line += f"（名额边界并列，未列入：{row.excellent_tie}）"
        lines.append(line)
    return lines


def score(args: argparse.Namespace) -> list[str]:
    result = score_run(
        evaluation_options(args),
        args.out,
        per_site=args.per_site,
        evidence_per_site=args.evidence,
        warn=lambda line: sys.stderr.write(f"{line}\n"),
    )
    csvs = [str(p) for k, p in result.paths.items() if k in OUTPUT_FILES and k != "workbook"]
    lines = [
        f"评分完成：运行 {result.data.run.label}，评估日期 {result.data.as_of.isoformat()}，规则 {result.rubric.name}",
        f"评分表：{result.paths['workbook']}",
        f"明细 CSV：{', '.join(csvs)}",
        *summary_lines(result),
    ]
    if result.evaluation.reductions is not None:
        lines += [f"  {s}" for s in result.evaluation.reductions["sentence"]]
    if "per_site" in result.paths:
        lines.append(f"各网站整改清单：{result.paths['per_site']}")
    return lines + [f"注：{note}" for note in result.notes]


def notice(args: argparse.Namespace) -> list[str]:
    ev = evaluate(evaluation_options(args))
    start, end = default_period(ev)
    if args.period_start:
        start = parse_as_of(args.period_start, "--period-start（评估期间起始日期）")
    if args.period_end:
        end = parse_as_of(args.period_end, "--period-end（评估期间结束日期）")
    signed = parse_as_of(args.date, "--date（成文日期）") if args.date else None
    path = write_notice(ev, args.out, period=(start, end), signed=signed, office=args.office)
    return [f"通报草稿：{path}"]


def rectify(args: argparse.Namespace) -> list[str]:
    ev = evaluate(evaluation_options(args))
    deadline = parse_as_of(args.deadline, "--deadline（整改期限）") if args.deadline else None
    paths = write_rectifications(ev, args.out, deadline=deadline, office=args.office)
    folder = Path(args.out) / RECTIFY_DIR
    if not paths:
        return ["没有需要整改的网站（复核后无问题）"]
    return [f"整改通知 {len(paths)} 份：{folder}"]


def expert_template(args: argparse.Namespace) -> list[str]:
    return [f"专家评估表：{write_expert_template(args.sites, args.out, args.rubric)}"]


Command = tuple[Callable[[], argparse.ArgumentParser], Callable[[argparse.Namespace], list[str]]]
COMMANDS: dict[str, Command] = {
    "score": (score_parser, score),
    "notice": (notice_parser, notice),
    "rectify": (rectify_parser, rectify),
    "expert-template": (template_parser, expert_template),
}
DEFAULT_COMMAND = "score"


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    name = argv[0] if argv[:1] and argv[0] in COMMANDS else DEFAULT_COMMAND
    if argv[:1] == [name]:
        argv = argv[1:]
    build_parser, run = COMMANDS[name]
    args = build_parser().parse_args(argv)
    try:
        preflight(args)
        lines = run(args)
    except USER_ERRORS as exc:
        sys.stderr.write(f"错误：{exc}\n")
        return EXIT_USER_ERROR
    except OSError as exc:
        sys.stderr.write(f"错误：{write_error(exc)}\n")
        return EXIT_USER_ERROR
    sys.stdout.write("\n".join(lines) + "\n")
    return 0
