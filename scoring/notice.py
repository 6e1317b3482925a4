"""The draft notice (通报（草稿）.docx) in the seed's structure, written by ``python -m scoring notice`` (same
arguments as scoring, plus the notice's own; see :mod:`scoring.cli`).

Structure: title, salutation, opening paragraph with the evaluation period, 一、评估结果 (sites per group,
excellent sites per group, 主要表现 with the before/after sentences when a baseline is given), 二、存在的问题
(sites named with their numbers; problems that came back after being fixed), 三、工作要求 (the office's
editable text, ``data/notice/requirements.md``), signature, date and 抄送. Every figure comes from the data;
the wording lives in ``data/notice/notice.toml``. The sentence builders are pure functions (tested with the
seed's figures); :func:`notice_paragraphs` assembles them from an :class:`~scoring.evaluation.Evaluation`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pandas as pd

from scoring.evaluation import Evaluation
from scoring.load import ScoringError
from scoring.noticecfg import NoticeConfig, join_names, read_requirements
from scoring.officialdoc import DocumentProperties, Paragraph, write_official_doc
from scoring.problems import FUNCTION_KINDS, SECURITY_KINDS, security_phrase, site_phrases
from scoring.review import DISMISSED
from scoring.vocabulary import EVALUATED, EVALUATION, FAIL, NO_URL, NOT_IN_NOTICE, PASS, UNTESTED

NOTICE_FILE = "通报（草稿）.docx"
STAGES_WITH_EXPERT = "在日常监测的基础上，通过在线检查、专家评估、综合考核评比三个阶段的最终评分，"
STAGES_AUTOMATIC = "在日常监测的基础上，通过在线检查和综合考核评比，"
PLACEHOLDER = "【请补充：信息公开、政民互动、办事服务等方面的具体表现（本段由人工撰写）】"
SIGNING_DATE = "【请补充：成文日期】"
#: an unevaluated site's reason when its evaluation code has no Chinese label
NOT_EVALUATED_REASON = "本次未评估"
#: how the notice words the reason of an unevaluated site, by evaluation state
REASONS = {UNTESTED: "本次未检测", NO_URL: "登记表中无首页网址"}


# -- pure sentence builders ------------------------------------------------------------------------------
def cn_date(day: date) -> str:
    """2015-12-01 → 2015年12月1日."""
    return f"{day.year}年{day.month}月{day.day}日"


def site_suffix(names: Sequence[str]) -> str:
    """县区 portals read "旬阳县、石泉县政府网站", everything else "市盐务局网站"."""
    return "政府网站" if names and all(n.endswith(("县", "区")) for n in names) else "网站"


def opening(basis: str, organizer: str, start: date, end: date) -> str:
    follows = f"按照{basis}要求" if basis else "按照有关要求"
    return (
        f"{follows}，根据评估方案确定的指标体系和评比程序，{organizer}牵头从{cn_date(start)}至{cn_date(end)}，"
        "组织开展了全市政府网站绩效评估活动，现将评估情况通报如下："
    )


def scope_sentence(total: int, parts: Sequence[tuple[str, int]]) -> str:
    """本次纳入评估范围的网站共65个，其中县（区）级政府门户网站（含派出机构）13个，市政府工作部门……52个。"""
    text = f"本次纳入评估范围的网站共{total}个"
    shown = [f"{scope}{n}个" for scope, n in parts if scope]
    return text + ("，其中" + "，".join(shown) if shown else "") + "。"


def excellent_sentence(groups: Sequence[tuple[str, Sequence[str]]], with_expert: bool) -> str:
    """旬阳县、石泉县、紫阳县政府网站被评为县区组优秀政府网站；市国土局、发改委……网站被评为政府机构组优秀政府网站。"""
    clauses = [f"{join_names(names)}{site_suffix(names)}被评为{label}优秀政府网站" for label, names in groups if names]
    if not clauses:
        return "本次评估未评出优秀政府网站。"
    return (STAGES_WITH_EXPERT if with_expert else STAGES_AUTOMATIC) + "；".join(clauses) + "。"


def problems_sentence(named: Sequence[tuple[Sequence[str], str]]) -> str:
    """市药监局网站1个月内未更新和空白栏目均超过5个，错误或无效链接超过15处；市商务局、民宗局……网站……"""
    return "；".join(f"{join_names(names)}{site_suffix(names)}{phrase}" for names, phrase in named)


def recurring_sentence(sites: Sequence[tuple[str, int]]) -> str:
    """市药监局网站2处、宁陕县政府网站1处已整改的问题再次出现."""
    parts = [f"{name}{site_suffix([name])}{n}处" for name, n in sites]
    return "、".join(parts) + "已整改的问题再次出现，整改不彻底、问题反弹" if parts else ""


def security_sentence(risks: pd.DataFrame, shorts: pd.Series) -> str:
    """安全县政府网站泄露公民身份证号码9处，存在赌博、色情等暗链11个；第二县政府网站链接到已关停网站1处
    ("" without findings; unreadable attachments are for the analyst, not the notice)."""
    counts = risks.groupby(["site_id", "kind"]).size()
    clauses = []
    for site_id in dict.fromkeys(risks["site_id"]):
        parts = [
            security_phrase(kind, int(counts[(site_id, kind)]))
            for kind in SECURITY_KINDS
            if kind not in NOT_IN_NOTICE and (site_id, kind) in counts.index
        ]
        if parts:
            name = str(shorts.get(site_id, site_id))
            clauses.append(f"{name}{site_suffix([name])}" + "，".join(parts))
    return "；".join(clauses)


def ordinal(n: int) -> str:
    """1 → （一）: the numbering of the notice's paragraphs."""
    return f"（{'一二三四五六七八九十'[n - 1]}）"


def completion_rate(received: int, answered: int) -> int:
    """Whole percent, rounded down so an incomplete mailbox never reads 100% (4257/4262 → 99)."""
    return answered * 100 // received if received else 0


def mailbox_sentence(template: str, *, site: str, column: str, period: str, received: int, answered: int) -> str:
    """市政府网站市长信箱2015年共受理来信4262封，办结4257封，办结率达99%."""
    return template.format(
        site=site,
        column=column,
        period=period,
        received=received,
        answered=answered,
        rate=completion_rate(received, answered),
    )


def mailbox_period(as_of: date, start: date) -> str:
    """ "2015年" when the window is the calendar year ending on AS_OF, else "2015年3月1日至2016年2月29日"."""
    if (as_of.month, as_of.day) == (12, 31) and start == date(as_of.year, 1, 1):
        return f"{as_of.year}年"
    return f"{cn_date(start)}至{cn_date(as_of)}"


def function_sentence(clauses: Sequence[tuple[str, Sequence[str]]]) -> str:
    """部分网站……重点领域信息公开不及时，如市国土局网站政策法规栏目未及时更新；部分网站……，如……"""
    return "；".join(lead + ("，如" + "，".join(sites) if sites else "") for lead, sites in clauses)


def pass_sentence(assessed: int, passed: int) -> str:
    if not assessed:
        return ""
    return f"参评的{assessed}个网站中合格{passed}个，合格率{round(passed / assessed * 100)}%。"


def unevaluated_sentence(sites: Sequence[tuple[str, str]], *, others: bool = True) -> str:
    """另有2个网站本次未评估，不计入上述统计：市盐务局网站（本次未检测），紫阳县政府网站（登记表中无首页网址）。
    (``others=False``, when no site was evaluated: "2个网站本次未评估：……".)"""
    if not sites:
        return ""
    listed = "，".join(f"{name}{site_suffix([name])}（{reason}）" for name, reason in sites)
    if not others:
        return f"{len(sites)}个网站本次未评估：{listed}。"
    return f"另有{len(sites)}个网站本次未评估，不计入上述统计：{listed}。"


# -- what the figures allow us to say --------------------------------------------------------------------
@dataclass(frozen=True)
class Progress:
    """Whole-percent reductions of the before/after table (None: no baseline, or a baseline of 0)."""

    blank: int | None = None
    stale: int | None = None
    broken: int | None = None

    @classmethod
    def of(cls, reductions: pd.DataFrame | None) -> Progress:
        if reductions is None:
            return cls()
        pct = dict(zip(reductions["metric"], reductions["reduction_pct"], strict=True))
        value = {k: None if pd.isna(v) else int(v) for k, v in pct.items()}
        return cls(value.get("blank_columns"), value.get("stale_columns"), value.get("broken_links"))

    @staticmethod
    def at_least(threshold: int, *values: int | None) -> bool:
        return bool(values) and all(v is not None and v >= threshold for v in values)

    def mean(self) -> float | None:
        values = [v for v in (self.blank, self.stale, self.broken) if v is not None]
        return sum(values) / len(values) if len(values) == 3 else None


def update_heading(progress: Progress, config: NoticeConfig) -> str:
    """（一）信息更新更加及时 only when blank and stale columns both fell by ``improved_pct``."""
    improved = progress.at_least(config.praise.improved_pct, progress.blank, progress.stale)
    return "信息更新更加及时" if improved else "信息更新情况"


def availability_heading(progress: Progress, config: NoticeConfig) -> str:
    improved = progress.at_least(config.praise.improved_pct, progress.broken)
    return "网站可用性进一步提高" if improved else "网站可用性情况"


def mailbox_heading(rate: int, config: NoticeConfig) -> str:
    """The office's heading (政民互动回应深入推进) only when the cited mailbox answered ``answer_rate_pct``."""
    return config.mailbox["heading"] if rate >= config.praise.answer_rate_pct else "政民互动情况"


def problems_lead(progress: Progress, config: NoticeConfig) -> str:
    """大幅提升 only when the three census figures fell on average by ``marked_pct`` (不断提升 by
    ``improved_pct``); without a baseline, or short of that, no word of progress."""
    mean = progress.mean()
    if mean is not None and mean >= config.praise.marked_pct:
        lead = "在全市政府网站建设管理水平大幅提升的同时，依然存在"
    elif mean is not None and mean >= config.praise.improved_pct:
        lead = "在全市政府网站建设管理水平不断提升的同时，依然存在"
    else:
        lead = "此次评估也发现，全市政府网站还存在"
    return lead + "一些问题亟需解决。主要表现在："


def failing_lead(failed: int, present: Sequence[str]) -> str:
    """（一）个别网站建设管理不达标。……: 仍不合格 only when a site failed; the phenomena that were found."""
    parts = ["（一）个别网站建设管理不达标。"]
    if failed:
        parts.append("部分网站建设仍不合格，")
    if present:
        parts.append("、".join(present) + "等现象依然存在。")
    elif failed:
        parts[-1] = "部分网站建设仍不合格。"
    return "".join(parts)


# -- assembling ------------------------------------------------------------------------------------------
def _group_names(ev: Evaluation, shorts: pd.Series) -> list[tuple[str, list[str]]]:
    scored = ev.scored
    out = []
    for code, group in ev.rubric.groups.items():
        named = scored["excellent"].astype("boolean").fillna(False).astype(bool)
        eligible = named & (scored["evaluation"] == EVALUATED) & (scored["verdict"] == PASS)  # never a vetoed site
        best = scored.loc[eligible & (scored["group"] == code)].sort_values(["rank_in_group", "site_id"], kind="stable")
        out.append((group.label, [shorts[sid] for sid in best["site_id"]]))
    return out


def _named_problems(ev: Evaluation, config: NoticeConfig) -> list[tuple[list[str], str]]:
    """Sites with the same phrase in the same group are named together, in the order of first appearance."""
    phrases = site_phrases(ev.tables["problems"], config)
    pending = dict(zip(ev.scored["site_id"], ev.scored["veto_pending"], strict=True))
    merged: dict[tuple[str, str], list[str]] = {}
    for row in phrases.itertuples(index=False):
        # REVIEW_REQUIRED: a site whose veto is not confirmed yet is named with 待复核 (docs/review.md)
        name = row.short_name + ("（待复核）" if pending.get(row.site_id) else "")
        merged.setdefault((row.group, row.phrase), []).append(name)
    return [(names, phrase) for (_, phrase), names in merged.items()]


def _recurring(ev: Evaluation, shorts: pd.Series) -> list[tuple[str, int]]:
    counts = ev.history_counts
    if counts is None:
        return []
    hit = counts.loc[counts["recurring"] > 0]
    return [(shorts[sid], int(n)) for sid, n in zip(hit["site_id"], hit["recurring"], strict=True)]


def _mailbox(ev: Evaluation, shorts: pd.Series) -> tuple[str, int]:
    """The mailbox sentence from the letters of the window ("" without letters) and its completion rate: the
    configured site's busiest column, else the busiest column of any site (ties: site_id, column)."""
    config = ev.config.mailbox
    letters = ev.tables["interaction"]
    counted = letters.loc[letters["in_window"].astype(bool) & ~letters["excluded"].astype(bool)]
    if counted.empty:
        return "", 0
    per_column = (
        counted.assign(answered_flag=counted["answered"] == "true")
        .groupby(["site_id", "column"], as_index=False)
        .agg(received=("url", "size"), answered=("answered_flag", "sum"))
        .sort_values(["received", "site_id", "column"], ascending=[False, True, True], kind="stable")
    )
    chosen = per_column.loc[per_column["site_id"] == config["site"]] if config["site"] else per_column.iloc[:0]
    configured = not chosen.empty
    top = (chosen if configured else per_column).iloc[0]
    name = str(shorts.get(top["site_id"], top["site_id"]))
    start = ev.rubric.interaction.window.cutoff(ev.data.as_of) + timedelta(days=1)
    sentence = mailbox_sentence(
        config["sentence"],
        site=config["label"] if configured else f"{name}{site_suffix([name])}",
        column=str(top["column"]),
        period=mailbox_period(ev.data.as_of, start),
        received=int(top["received"]),
        answered=int(top["answered"]),
    )
    return sentence, completion_rate(int(top["received"]), int(top["answered"]))


def _function_clauses(ev: Evaluation) -> list[tuple[str, list[str]]]:
    """(lead, sites with their numbers) for key areas, services and letters, when any site has the problem."""
    config = ev.config
    problems = ev.tables["problems"]
    found = problems.loc[problems["kind"].isin(FUNCTION_KINDS)]
    areas = ev.tables["key_areas"]
    shown = ["stale", "missing"] if config.name_missing_key_areas else ["stale"]
    flagged = set(areas.loc[areas["status"].isin(shown), "label"])
    area_labels = [a.label for a in ev.rubric.key_areas if a.label in flagged]
    groups = (
        (config.phrase("key_areas_lead", areas="、".join(area_labels)), ("key_areas_stale", "key_areas_missing")),
        (config.phrase("guides_lead"), ("guides_incomplete", "forms_broken")),
        (config.phrase("letters_lead"), ("letters_overdue",)),
    )
    clauses = []
    for lead, kinds in groups:
        rows = found.loc[found["kind"].isin(kinds)]
        if rows.empty:
            continue
        sites = [
            f"{site['short_name'].iloc[0]}{site_suffix([site['short_name'].iloc[0]])}{'、'.join(site['text'])}"
            for _, site in rows.groupby("site_id", sort=False)
        ]
        clauses.append((lead, sites))
    return clauses


def _unevaluated(ev: Evaluation, shorts: pd.Series) -> list[tuple[str, str]]:
    """(short name, reason) of the registry sites this run did not evaluate, in registry order. The reason is
    the scoring's own note when it gives one (``evaluation_note``), else the Chinese label of the state."""
    scored = ev.scored
    rows = scored.loc[scored["evaluation"] != EVALUATED]
    notes = rows["evaluation_note"] if "evaluation_note" in rows else pd.Series("", index=rows.index, dtype="str")
    return [
        (str(shorts.get(sid, sid)), str(note) if isinstance(note, str) and note else _reason(code))
        for sid, code, note in zip(rows["site_id"], rows["evaluation"], notes, strict=True)
    ]


def _reason(code: str) -> str:
    return REASONS.get(code, EVALUATION.get(code, NOT_EVALUATED_REASON))


def default_period(ev: Evaluation) -> tuple[date, date]:
    """From the run's first probe (or the first day of AS_OF's month) to AS_OF."""
    end = ev.data.as_of
    probes = ev.data["probes"]["probed_at"].str.slice(0, 10)
    days = sorted(d for d in probes if len(d) == 10 and d[:4].isdigit())
    start = date.fromisoformat(days[0]) if days else end.replace(day=1)
    return (start if start <= end else end.replace(day=1)), end


def notice_paragraphs(
    ev: Evaluation,
    *,
    start: date,
    end: date,
    signed: date | None = None,
    office: str | None = None,
) -> list[Paragraph]:
    config, shorts = ev.config, ev.short_names
    scored = ev.scored
    assessed = scored.loc[scored["evaluation"] == EVALUATED]
    progress = Progress.of(ev.reductions)
    parts = [
        (config.scopes.get(code, group.label), int((assessed["group"] == code).sum()))
        for code, group in ev.rubric.groups.items()
    ]
    mailbox, answer_rate = _mailbox(ev, shorts)
    praised = ev.reductions is not None or bool(mailbox)
    out = [
        Paragraph(config.title.format(year=end.year), "title"),
        Paragraph(config.salutation, "salutation"),
        Paragraph(opening(config.basis, config.organizer, start, end)),
        Paragraph("一、评估结果", "heading"),
        Paragraph(scope_sentence(len(assessed), parts) + excellent_sentence(_group_names(ev, shorts), ev.expert_given)),
        Paragraph(
            "从此次评估情况看，"
            + pass_sentence(len(assessed), int((assessed["verdict"] == PASS).sum()))
            + unevaluated_sentence(_unevaluated(ev, shorts), others=not assessed.empty)
            + ("主要表现在：" if praised else "")
        ),
    ]
    shown = 0
    if ev.reductions is not None:
        sentences = dict(zip(ev.reductions["metric"], ev.reductions["sentence"], strict=True))
        update, available = update_heading(progress, config), availability_heading(progress, config)
        out.append(Paragraph(f"（一）{update}。{sentences['blank_columns']}，{sentences['stale_columns']}。"))
        out.append(Paragraph(f"（二）{available}。{sentences['broken_links']}。"))
        shown = 2
    if mailbox:
        shown += 1
        out.append(Paragraph(f"{ordinal(shown)}{mailbox_heading(answer_rate, config)}。{mailbox}。"))
    out.append(Paragraph(PLACEHOLDER))
    out.append(Paragraph("二、存在的问题", "heading"))
    out.append(Paragraph(problems_lead(progress, config)))
    named = _named_problems(ev, config)
    if named:
        failed = int((assessed["verdict"] == FAIL).sum())
        present = [
            label
            for metric, label in (
                ("blank_columns", "空白栏目"),
                ("stale_columns", "未更新栏目"),
                ("broken_links", "错误链接"),
            )
            if assessed[metric].fillna(0).astype("int64").gt(0).any()
        ]
        out.append(
            Paragraph(
                failing_lead(failed, present)
                + f"个别网站问题严重，{end.month}月份检查发现，{problems_sentence(named)}。"
            )
        )
    else:
        out.append(Paragraph(f"（一）{end.month}月份检查未发现需要点名通报的严重问题。"))
    issues = 1
    clauses = _function_clauses(ev)
    if clauses:
        issues += 1
        out.append(Paragraph(f"{ordinal(issues)}{config.phrase('function_heading')}。{function_sentence(clauses)}。"))
    recurring = recurring_sentence(_recurring(ev, shorts))
    if recurring:
        issues += 1
        out.append(Paragraph(f"{ordinal(issues)}个别部门重视不够、整改走过场。{recurring}。"))
    risks = ev.tables["risks"]
    security = security_sentence(risks.loc[risks["review"] != DISMISSED], shorts)  # the inspector's word holds
    if security:
        issues += 1
        out.append(Paragraph(f"{ordinal(issues)}个别网站存在内容安全隐患。{security}。"))
    out.append(Paragraph("三、工作要求", "heading"))
    out += [Paragraph(text) for text in read_requirements(config.requirements)]
    out.append(Paragraph(office or config.office, "signature"))
    out.append(Paragraph(cn_date(signed) if signed else SIGNING_DATE, "date"))
    out += [Paragraph(line, "cc") for line in config.cc]
    return out


# -- the document ---------------------------------------------------------------------------------------
def write_notice(
    ev: Evaluation,
    out: str | Path,
    *,
    period: tuple[date, date] | None = None,
    signed: date | None = None,
    office: str | None = None,
) -> Path:
    """OUT/通报（草稿）.docx for the period (default: :func:`default_period`), signed on ``signed`` (default: the
    highlighted placeholder 【请补充：成文日期】, the office dates the notice when it signs it)."""
    start, end = period or default_period(ev)
    if start > end:
        raise ScoringError(f"评估期间起始日期 {start.isoformat()} 晚于结束日期 {end.isoformat()}")
    paragraphs = notice_paragraphs(ev, start=start, end=end, signed=signed, office=office)
    title = paragraphs[0].text
    props = DocumentProperties(
        office=office or ev.config.office,
        title=title,
        subject=f"政府网站绩效评估（运行 {ev.run.label}，评估日期 {ev.as_of.isoformat()}）",
        keywords="政府网站；绩效评估；通报",
    )
    return write_official_doc(paragraphs, Path(out) / NOTICE_FILE, props)
