"""The rubric: a TOML file of veto items, deductions, windows and groups; it turns metrics into scores.

``load_rubric`` validates the file (every error names the file and the key); ``apply_rubric`` adds
``score``, ``verdict``, ``veto_reasons``, ``deductions``, ``rank_in_group`` and ``excellent`` to the
metrics frame. Sites not evaluated (``evaluation`` other than ``evaluated``) are handled here too:
``untested`` sites fail with the reason 未检测, ``no_url`` sites get the verdict 未评估 and no score.
"""

from __future__ import annotations

import re
import string
import tomllib
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from govsites.extract.guides import GUIDE_ELEMENTS
from govsites.paths import data_path
from govsites.registry import CATEGORIES, GROUPS
from scoring.vocabulary import EVALUATED, FAIL, METRIC_COLUMNS, NO_URL, NOT_EVALUATED, PASS, UNTESTED

RUBRIC_DIR = data_path("rubric")
DEFAULT_RUBRIC = "census2015"

UNTESTED_REASON = "未检测（本次运行未抓取该站点）"
REASON_SEPARATOR = "；"
#: Placeholders every reason template may use besides the metric names.
REASON_ALIASES = {
    "n": None,
    "failures": "home_failures",
    "probes": "home_probes",
    "days": "home_days_since_update",
}
_WINDOW_RE = re.compile(r"^(\d+)([dmy])$")


class RubricError(ValueError):
    """A malformed rubric file: names the file and the key."""

    def __init__(self, path: Path | str, key: str, reason: str) -> None:
        self.path, self.key, self.reason = str(path), key, reason
        super().__init__(f"评分规则文件 {path}：键 {key}：{reason}")


@dataclass(frozen=True)
class Window:
    """An update window: ``amount`` days, months or years before AS_OF."""

    amount: int
    unit: str  # d | m | y

    def cutoff(self, as_of: date) -> date:
        """AS_OF minus the window, calendar-aware (2015-12-31 − 6m = 2015-06-30)."""
        if self.unit == "d":
            return as_of - timedelta(days=self.amount)
        months = self.amount * (12 if self.unit == "y" else 1)
        return (pd.Timestamp(as_of) - pd.DateOffset(months=months)).date()

    def label(self) -> str:
        return f"{self.amount}{ {'d': '天', 'm': '个月', 'y': '年'}[self.unit] }"


@dataclass(frozen=True)
class VetoItem:
    key: str
    label: str
    metric: str
    min: float
    reason: str
    alt_when: str = ""
    alt_reason: str = ""
    placeholder: bool = False
    note: str = ""
    confirmed: bool = True
    enabled: bool = True


@dataclass(frozen=True)
class Deduction:
    item: str
    metric: str
    unit: str
    points: float
    cap: float
    confirmed: bool


@dataclass(frozen=True)
class Group:
    code: str
    label: str
    excellent: int


@dataclass(frozen=True)
class ExpertItem:
    key: str
    label: str
    max: float


@dataclass(frozen=True)
class ExpertSpec:
    """Expert evaluation (专家评估): items with maximum points; final = automatic × w_auto + expert × w_expert,
    the expert score being the sum of the items scaled to 100."""

    items: tuple[ExpertItem, ...]
    automatic_weight: float
    expert_weight: float
    confirmed: bool

    @property
    def total(self) -> float:
        return sum(i.max for i in self.items)


#: Defaults of the optional ``[interaction]``, ``[services]`` and ``[[key_areas]]`` tables (the bundled rubrics
#: spell them out; see data/rubric/census2015.toml for what each means).
DEFAULT_EXCLUDED_KEYWORDS = ("在线访谈", "访谈", "调查", "征集", "举报")
DEFAULT_CONSULTATION_KEYWORDS = ("信箱", "咨询", "留言", "问政", "来信", "互动")
DEFAULT_GUIDE_ELEMENTS = GUIDE_ELEMENTS  # the eight elements the crawl reads from each 办事指南 page
YEAR_WINDOW = "year"


@dataclass(frozen=True)
class InteractionRules:
    """政务咨询 letters: the look-back window, when an unanswered letter is overdue, and column name keywords."""

    window: Window = Window(12, "m")
    overdue_days: int = 90
    unknown_is_unanswered: bool = False
    excluded_keywords: tuple[str, ...] = DEFAULT_EXCLUDED_KEYWORDS
    consultation_keywords: tuple[str, ...] = DEFAULT_CONSULTATION_KEYWORDS
    confirmed: bool = True


@dataclass(frozen=True)
class ServiceRules:
    """办事指南: the elements a guide must have and how many missing make it incomplete."""

    elements: tuple[str, ...] = DEFAULT_GUIDE_ELEMENTS
    incomplete_min: int = 4
    confirmed: bool = False


@dataclass(frozen=True)
class KeyArea:
    """A key disclosure area (重点领域): column-name keywords and its window (None: the current or previous
    calendar year of AS_OF, for annual items)."""

    key: str
    label: str
    keywords: tuple[str, ...]
    window: Window | None
    confirmed: bool

    def cutoff(self, as_of: date) -> date:
        return self.window.cutoff(as_of) if self.window else date(as_of.year - 1, 1, 1)

    def window_label(self) -> str:
        return self.window.label() if self.window else "当年或上一年度"


@dataclass(frozen=True)
class Rubric:
    path: str
    name: str
    title: str
    source: str
    pass_mark: float
    groups: dict[str, Group]
    probe_failure_threshold: float
    home_window: Window
    key_categories: tuple[str, ...]
    undated_is_stale: bool
    windows: dict[str, Window]
    veto: tuple[VetoItem, ...]
    deductions: tuple[Deduction, ...]
    expert: ExpertSpec | None = None
    interaction: InteractionRules = InteractionRules()
    services: ServiceRules = ServiceRules()
    key_areas: tuple[KeyArea, ...] = ()

    @property
    def active_veto(self) -> tuple[VetoItem, ...]:
        return tuple(v for v in self.veto if not v.placeholder and v.enabled)

    @property
    def skipped_notes(self) -> list[str]:
        """Chinese notes on placeholder veto items (metric not collected yet) and disabled ones."""
        return [
            f"{v.label}：{v.note or ('指标尚未采集，本项暂不评估' if v.placeholder else '本项未启用')}"
            for v in self.veto
            if v.placeholder or not v.enabled
        ]

    def group_label(self, code: str) -> str:
        group = self.groups.get(code)
        return group.label if group else GROUPS.get(code, code)


# -- loading -----------------------------------------------------------------------------------------
class _Reader:
    """Typed access to one TOML table; errors name the file and the dotted key."""

    def __init__(self, path: Path, table: dict[str, Any], prefix: str) -> None:
        self.path, self.table, self.prefix = path, table, prefix

    def key(self, name: str) -> str:
        return f"{self.prefix}.{name}" if self.prefix else name

    def get(self, name: str, kind: type | tuple[type, ...], default: Any = ..., label: str = "") -> Any:
        if name not in self.table:
            if default is ...:
                raise RubricError(self.path, self.key(name), "缺少该键")
            return default
        value = self.table[name]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if (isinstance(value, bool) and bool not in kinds) or not isinstance(value, kinds):
            raise RubricError(
                self.path, self.key(name), f"类型错误，应为{label or _type_name(kinds)}，实际为 {value!r}"
            )
        return value

    def sub(self, name: str) -> _Reader:
        return _Reader(self.path, self.get(name, dict, label="表"), self.key(name))

    def items(self, name: str) -> list[_Reader]:
        rows = self.get(name, list, label="表数组")
        out = []
        for i, row in enumerate(rows):
            if not isinstance(row, dict):
                raise RubricError(self.path, f"{self.key(name)}[{i}]", "类型错误，应为表")
            out.append(_Reader(self.path, row, f"{self.key(name)}[{i}]"))
        return out


def _type_name(kinds: tuple[type, ...]) -> str:
    names = {
        str: "字符串",
        int: "整数",
        float: "数值",
        bool: "布尔值（true/false）",
        list: "数组",
        dict: "表",
    }
    return "或".join(names.get(k, k.__name__) for k in kinds)


def resolve_rubric_path(name_or_path: str | Path) -> Path:
    """A bundled rubric name (``census2015``) or a path to a TOML file."""
    text = str(name_or_path)
    if text.endswith(".toml") or "/" in text or "\\" in text:
        return Path(text)
    return RUBRIC_DIR / f"{text}.toml"


def _window(reader: _Reader, name: str) -> Window:
    text = reader.get(name, str)
    match = _WINDOW_RE.match(text.strip())
    if not match or int(match.group(1)) <= 0:
        raise RubricError(reader.path, reader.key(name), f"时间窗口格式应为“14d”“6m”“1y”，实际为 {text!r}")
    return Window(int(match.group(1)), match.group(2))


def _check_metric(reader: _Reader, name: str, value: str, allow_unknown: bool = False) -> None:
    if value not in METRIC_COLUMNS and not allow_unknown:
        raise RubricError(reader.path, reader.key(name), f"未知指标 {value!r}（可用：{', '.join(METRIC_COLUMNS)}）")


def _check_template(reader: _Reader, name: str, template: str) -> None:
    allowed = set(METRIC_COLUMNS) | set(REASON_ALIASES)
    try:
        fields = [f for _, f, _, _ in string.Formatter().parse(template) if f is not None]
    except ValueError as exc:
        raise RubricError(reader.path, reader.key(name), f"否决原因模板格式错误：{exc}") from exc
    unknown = [f for f in fields if f not in allowed]
    if unknown:
        raise RubricError(reader.path, reader.key(name), f"否决原因模板中有未知占位符 {{{unknown[0]}}}")


def _veto(reader: _Reader) -> VetoItem:
    placeholder = reader.get("placeholder", bool, False)
    metric = reader.get("metric", str)
    _check_metric(reader, "metric", metric, allow_unknown=placeholder)
    reason = reader.get("reason", str)
    alt_when = reader.get("alt_when", str, "")
    alt_reason = reader.get("alt_reason", str, "")
    if not placeholder:
        _check_template(reader, "reason", reason)
    if alt_when:
        _check_metric(reader, "alt_when", alt_when)
        if not alt_reason:
            raise RubricError(reader.path, reader.key("alt_reason"), "设置了 alt_when 时必须提供 alt_reason")
        _check_template(reader, "alt_reason", alt_reason)
    return VetoItem(
        key=reader.get("key", str),
        label=reader.get("label", str),
        metric=metric,
        min=float(reader.get("min", (int, float))),
        reason=reason,
        alt_when=alt_when,
        alt_reason=alt_reason,
        placeholder=placeholder,
        note=reader.get("note", str, ""),
        confirmed=reader.get("confirmed", bool),
        enabled=reader.get("enabled", bool, True),
    )


def _words(reader: _Reader, name: str, default: tuple[str, ...]) -> tuple[str, ...]:
    words = reader.get(name, list, list(default), label="字符串数组")
    if not words or not all(isinstance(w, str) and w.strip() for w in words):
        raise RubricError(reader.path, reader.key(name), "应为非空字符串组成的非空数组")
    return tuple(w.strip() for w in words)


def _interaction(top: _Reader) -> InteractionRules:
    if "interaction" not in top.table:
        return InteractionRules()
    reader = top.sub("interaction")
    overdue = reader.get("overdue_days", int, 90)
    if overdue <= 0:
        raise RubricError(reader.path, reader.key("overdue_days"), "应为正整数（天）")
    return InteractionRules(
        window=_window(reader, "window") if "window" in reader.table else Window(12, "m"),
        overdue_days=overdue,
        unknown_is_unanswered=reader.get("unknown_is_unanswered", bool, False),
        excluded_keywords=_words(reader, "excluded_keywords", DEFAULT_EXCLUDED_KEYWORDS),
        consultation_keywords=_words(reader, "consultation_keywords", DEFAULT_CONSULTATION_KEYWORDS),
        confirmed=reader.get("confirmed", bool, True),
    )


def _services(top: _Reader) -> ServiceRules:
    if "services" not in top.table:
        return ServiceRules()
    reader = top.sub("services")
    elements = _words(reader, "elements", DEFAULT_GUIDE_ELEMENTS)
    minimum = reader.get("incomplete_min", int, 4)
    if not 1 <= minimum <= len(elements):
        raise RubricError(reader.path, reader.key("incomplete_min"), f"应在 1 到 {len(elements)} 之间")
    return ServiceRules(elements, minimum, reader.get("confirmed", bool, False))


def _key_areas(top: _Reader) -> tuple[KeyArea, ...]:
    if "key_areas" not in top.table:
        return ()
    areas = []
    for row in top.items("key_areas"):
        text = row.get("window", str, YEAR_WINDOW)
        window = None if text.strip() == YEAR_WINDOW else _window(row, "window")
        areas.append(
            KeyArea(
                key=row.get("key", str),
                label=row.get("label", str),
                keywords=_words(row, "keywords", ()),
                window=window,
                confirmed=row.get("confirmed", bool),
            )
        )
    keys = [a.key for a in areas]
    if len(set(keys)) != len(keys):
        raise RubricError(top.path, "key_areas", "重点领域的 key 重复")
    return tuple(areas)


def _deduction(reader: _Reader) -> Deduction:
    metric = reader.get("metric", str)
    _check_metric(reader, "metric", metric)
    points = float(reader.get("points", (int, float)))
    cap = float(reader.get("cap", (int, float)))
    if points < 0 or cap < 0:
        raise RubricError(reader.path, reader.key("points" if points < 0 else "cap"), "扣分值不能为负数")
    return Deduction(
        item=reader.get("item", str),
        metric=metric,
        unit=reader.get("unit", str),
        points=points,
        cap=cap,
        confirmed=reader.get("confirmed", bool),
    )


def _expert(top: _Reader) -> ExpertSpec | None:
    if "expert" not in top.table:
        return None
    reader = top.sub("expert")
    items = []
    for row in reader.items("items"):
        maximum = float(row.get("max", (int, float)))
        if maximum <= 0:
            raise RubricError(reader.path, row.key("max"), "满分应大于 0")
        items.append(ExpertItem(row.get("key", str), row.get("label", str), maximum))
    if not items:
        raise RubricError(reader.path, reader.key("items"), "至少需要一个专家评估项")
    labels = [i.label for i in items]
    if len(set(labels)) != len(labels):
        raise RubricError(reader.path, reader.key("items"), "专家评估项名称重复")
    auto = float(reader.get("automatic_weight", (int, float)))
    expert = float(reader.get("expert_weight", (int, float)))
    if auto < 0 or expert < 0 or abs(auto + expert - 1) > 1e-9:
        raise RubricError(reader.path, reader.key("expert_weight"), "两项权重应为非负数且之和为 1")
    return ExpertSpec(tuple(items), auto, expert, reader.get("confirmed", bool))


def load_rubric(name_or_path: str | Path = DEFAULT_RUBRIC) -> Rubric:
    """Read and validate a rubric; raise :class:`RubricError` naming the file and the key."""
    path = resolve_rubric_path(name_or_path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RubricError(path, "-", f"无法读取文件：{exc.strerror}") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise RubricError(path, "-", f"不是有效的 TOML 文件：{exc}") from exc
    top = _Reader(path, data, "")
    head, home, cols = top.sub("rubric"), top.sub("home"), top.sub("columns")
    groups_table = top.sub("groups")
    groups: dict[str, Group] = {}
    for code in groups_table.table:
        if code not in GROUPS:
            raise RubricError(path, f"groups.{code}", f"未知分组（应为 {', '.join(GROUPS)}）")
        g = groups_table.sub(code)
        excellent = g.get("excellent", int)
        if excellent < 0:
            raise RubricError(path, g.key("excellent"), "优秀网站个数不能为负数")
        groups[code] = Group(code, g.get("label", str), excellent)
    windows_reader = cols.sub("windows")
    windows = {}
    for category in windows_reader.table:
        if category not in CATEGORIES:
            raise RubricError(path, windows_reader.key(category), f"未知栏目类别（应为 {', '.join(CATEGORIES)}）")
        windows[category] = _window(windows_reader, category)
    key_categories = tuple(cols.get("key_categories", list, label="字符串数组"))
    for i, category in enumerate(key_categories):
        if category not in windows:
            raise RubricError(
                path, f"columns.key_categories[{i}]", f"类别 {category!r} 未在 columns.windows 中设置窗口"
            )
    threshold = float(home.get("probe_failure_threshold", (int, float)))
    if not 0 < threshold <= 1:
        raise RubricError(path, "home.probe_failure_threshold", "应为 0 到 1 之间的比例（如 0.05）")
    return Rubric(
        path=str(path),
        name=head.get("name", str),
        title=head.get("title", str),
        source=head.get("source", str, ""),
        pass_mark=float(head.get("pass_mark", (int, float))),
        groups=groups,
        probe_failure_threshold=threshold,
        home_window=_window(home, "update_window"),
        key_categories=key_categories,
        undated_is_stale=cols.get("undated_is_stale", bool, False),
        windows=windows,
        veto=tuple(_veto(r) for r in top.items("veto")),
        deductions=tuple(_deduction(r) for r in top.items("deductions")),
        expert=_expert(top),
        interaction=_interaction(top),
        services=_services(top),
        key_areas=_key_areas(top),
    )


# -- applying ----------------------------------------------------------------------------------------
def _format_number(value: Any) -> str:
    if value is None or pd.isna(value):
        return ""
    number = float(value)
    return str(int(number)) if number.is_integer() else f"{number:g}"


def _reason(item: VetoItem, row: pd.Series) -> str:
    values = {
        k: _format_number(v) if isinstance(v, int | float) and not isinstance(v, bool) else v for k, v in row.items()
    }
    values |= {alias: values.get(col, "") for alias, col in REASON_ALIASES.items() if col}
    values["n"] = _format_number(row[item.metric])
    use_alt = bool(item.alt_when) and bool(row[item.alt_when])
    return (item.alt_reason if use_alt else item.reason).format(**values)


def veto_long(metrics: pd.DataFrame, rubric: Rubric) -> pd.DataFrame:
    """Tidy veto findings: one row per (site, veto item hit) with its Chinese reason."""
    evaluated = metrics.loc[metrics["evaluation"] == EVALUATED]
    rows = [
        {"site_id": row["site_id"], "veto": item.key, "reason": _reason(item, row)}
        for item in rubric.active_veto
        for _, row in evaluated.loc[evaluated[item.metric].astype("float64") >= item.min].iterrows()
    ]
    untested = [
        {"site_id": sid, "veto": "untested", "reason": UNTESTED_REASON}
        for sid in metrics.loc[metrics["evaluation"] == UNTESTED, "site_id"]
    ]
    return pd.DataFrame(rows + untested, columns=["site_id", "veto", "reason"])


def deductions_long(metrics: pd.DataFrame, rubric: Rubric) -> pd.DataFrame:
    """Tidy deductions: one row per (site, deduction item) with findings and capped points."""
    evaluated = metrics.loc[metrics["evaluation"] == EVALUATED, ["site_id"]]
    frames = [
        evaluated.assign(
            item=d.item,
            metric=d.metric,
            findings=metrics.loc[evaluated.index, d.metric].astype("float64").fillna(0.0),
            points=lambda f, d=d: (f["findings"] * d.points).clip(upper=d.cap),
        )
        for d in rubric.deductions
    ]
    columns = ["site_id", "item", "metric", "findings", "points"]
    if not frames:
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True).loc[:, columns]


def _join_reasons(vetoes: pd.DataFrame) -> pd.Series:
    return vetoes.groupby("site_id", sort=False)["reason"].agg(REASON_SEPARATOR.join).astype("str")


def _deduction_text(deductions: pd.DataFrame) -> pd.Series:
    hits = deductions.loc[deductions["points"] > 0]
    text = hits["item"] + "−" + hits["points"].map(lambda p: f"{p:g}")
    return text.groupby(hits["site_id"], sort=False).agg(REASON_SEPARATOR.join).astype("str")


def score_sites(metrics: pd.DataFrame, rubric: Rubric, veto_metrics: pd.DataFrame | None = None) -> pd.DataFrame:
    """Add score, deductions, veto_reasons, veto_pending and verdict.

    ``veto_metrics``: the metrics a veto may rest on when they differ from the counted ones (``REVIEW_REQUIRED``:
    confirmed findings only); a veto the counted metrics reach but these do not is ``veto_pending`` (待复核)."""
    vetoes, deductions = veto_long(metrics, rubric), deductions_long(metrics, rubric)
    pending = pd.Series("", index=metrics.index, dtype="str")
    if veto_metrics is not None:
        confirmed = veto_long(veto_metrics, rubric)
        waiting = vetoes.merge(
            confirmed.loc[:, ["site_id", "veto"]], on=["site_id", "veto"], how="left", indicator=True
        )
        pending = metrics["site_id"].map(_join_reasons(waiting.loc[waiting["_merge"] == "left_only"]))
        pending = pending.astype("str").fillna("")
        vetoes = confirmed
    lost = deductions.groupby("site_id")["points"].sum()
    site = metrics["site_id"]
    evaluated = metrics["evaluation"] == EVALUATED
    reasons = site.map(_join_reasons(vetoes)).astype("str").fillna("")
    score = (100.0 - site.map(lost).fillna(0.0)).round(1).where(evaluated)
    verdict = pd.Series(PASS, index=metrics.index, dtype="str")
    failed = (reasons != "") | (score < rubric.pass_mark)
    return metrics.assign(
        score=score,
        verdict=verdict.mask(failed, FAIL).mask(metrics["evaluation"] == NO_URL, NOT_EVALUATED),
        veto_reasons=reasons,
        deductions=site.map(lost).fillna(0.0).round(1).where(evaluated),
        deduction_detail=site.map(_deduction_text(deductions)).astype("str").fillna(""),
        vetoed=reasons != "",
        veto_pending=pending.to_numpy(),
    )


def merge_expert(metrics: pd.DataFrame, rubric: Rubric, expert: pd.Series | None = None) -> pd.DataFrame:
    """expert_score (0–100, by site_id) and final_score = score × automatic_weight + expert × expert_weight;
    both missing without an expert form. The verdict stays the automatic check's (veto and pass mark)."""
    if expert is None or rubric.expert is None:
        return metrics.assign(
            expert_score=pd.Series(pd.NA, index=metrics.index, dtype="Float64"),
            final_score=pd.Series(pd.NA, index=metrics.index, dtype="Float64"),
        )
    spec = rubric.expert
    given = metrics["site_id"].map(expert).astype("Float64")
    final = (metrics["score"].astype("Float64") * spec.automatic_weight + given * spec.expert_weight).round(1)
    return metrics.assign(expert_score=given, final_score=final)


def rank_sites(metrics: pd.DataFrame, rubric: Rubric) -> pd.DataFrame:
    """rank_in_group: passing sites by final score (score without experts) descending (ties share a rank), then
    failing ones; excellent:
    the top N passing sites of each group (a tie at the N-th place names every tied site)."""
    tier = metrics["verdict"].map({PASS: 0, FAIL: 1}).astype("float64")
    ranked_by = (
        metrics["final_score"].astype("Float64").combine_first(metrics["score"].astype("Float64"))
        if "final_score" in metrics
        else metrics["score"]
    )
    key = tier * 1000.0 - ranked_by.fillna(-500.0)
    rank = key.groupby(metrics["group"]).rank(method="min").where(tier.notna()).astype("Int64")
    quota = metrics["group"].map({code: g.excellent for code, g in rubric.groups.items()}).fillna(0)
    return metrics.assign(
        rank_in_group=rank,
        excellent=(metrics["verdict"] == PASS) & (rank <= quota).fillna(False).astype(bool),
    )


def apply_rubric(
    metrics: pd.DataFrame,
    rubric: Rubric,
    expert: pd.Series | None = None,
    veto_metrics: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Scores, verdicts, the optional expert merge, then ranks (see :func:`merge_expert`, :func:`score_sites`)."""
    return metrics.pipe(score_sites, rubric, veto_metrics).pipe(merge_expert, rubric, expert).pipe(rank_sites, rubric)


def summarize(metrics: pd.DataFrame, rubric: Rubric) -> pd.DataFrame:
    """One row per group: sites assessed (合格 + 不合格), passes, rate, scores and the excellent sites."""
    codes = list(rubric.groups) + sorted(set(metrics["group"]) - set(rubric.groups))
    assessed = metrics.loc[metrics["verdict"] != NOT_EVALUATED]
    best = metrics.loc[metrics["excellent"]].sort_values(["rank_in_group", "site_id"], kind="stable")
    summary = pd.DataFrame(
        {
            "sites": assessed.groupby("group").size(),
            "passed": (assessed["verdict"] == PASS).groupby(assessed["group"]).sum(),
            "not_evaluated": (metrics["verdict"] == NOT_EVALUATED).groupby(metrics["group"]).sum(),
            "mean_score": assessed["score"].groupby(assessed["group"]).mean().round(1),
            "max_score": assessed["score"].groupby(assessed["group"]).max(),
            "min_score": assessed["score"].groupby(assessed["group"]).min(),
            "excellent": best["name"].groupby(best["group"]).agg("、".join),
        }
    ).reindex(codes)
    counts = summary.loc[:, ["sites", "passed", "not_evaluated"]].fillna(0).astype("int64")
    return (
        summary.assign(**counts, excellent=summary["excellent"].fillna("").astype("str"))
        .assign(
            failed=lambda f: f["sites"] - f["passed"],
            pass_rate=lambda f: (f["passed"] / f["sites"]).where(f["sites"] > 0).round(4),
            group_name=[rubric.group_label(c) for c in codes],
        )
        .rename_axis("group")
        .reset_index()
    )
