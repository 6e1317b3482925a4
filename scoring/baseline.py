"""Before/after census reductions: average blank columns, stale columns and broken links per site.

The baseline (``--baseline``) is either the label of an earlier run in the same store or a CSV of per-site
counts::

    site_id,blank_columns,stale_columns,broken_links
    xunyang,9,10,12

The header is required (extra columns are ignored); every count is a non-negative integer; a site appears at
most once; sites no longer in the registry are kept (sites closed since the census still count in the
"before" figure). Errors name the file, the line and the field.

Averages: each side is averaged over its own sites, as the notice does ("平均每网站"): the baseline over
every row of the CSV (or every evaluated site of the baseline run), this run over its evaluated sites
(``evaluation == EVALUATED``). The reduction is ``(before − after) / before``, rounded to a whole percent.
Figures print like the seed: whole numbers without decimals (9), others with two (0.36).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from scoring.vocabulary import EVALUATED

BASELINE_FIELDS = ("site_id", "blank_columns", "stale_columns", "broken_links")


@dataclass(frozen=True)
class Reduction:
    """One metric of the before/after table with the notice's wording."""

    metric: str
    subject: str  # 空白栏目个数
    verb: str  # 降低 | 减少 (as the seed words each metric)
    label: str  # table label


#: The three census metrics, worded as in the seed notice.
REDUCTIONS = (
    Reduction("blank_columns", "空白栏目个数", "降低", "空白栏目"),
    Reduction("stale_columns", "更新不及时栏目个数", "减少", "更新不及时栏目"),
    Reduction("broken_links", "链接不可用数", "降低", "不可用链接"),
)
REDUCTION_COLUMNS = (
    "metric",
    "label",
    "sites_before",
    "sites_after",
    "before",
    "after",
    "reduction_pct",
    "sentence",
)


class BaselineError(ValueError):
    """A malformed baseline CSV: names the file, the line and the field."""

    def __init__(self, path: Path | str, line: int, field_name: str, reason: str) -> None:
        self.path, self.line, self.field = str(path), line, field_name
        super().__init__(f"基准文件 {path}：第 {line} 行：字段 {field_name}：{reason}")


def is_baseline_csv(value: str) -> bool:
    """A baseline argument naming a CSV file (otherwise it is a run label)."""
    return value.lower().endswith(".csv") or Path(value).is_file()


def read_baseline_csv(path: str | Path) -> pd.DataFrame:
    """Per-site counts (``BASELINE_FIELDS``, counts int64) from the baseline CSV."""
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise BaselineError(path, 0, "-", f"无法读取文件：{exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise BaselineError(path, 0, "-", "文件不是 UTF-8 编码（Excel 另存为时请选“CSV UTF-8”）") from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip() for h in next(reader, [])]
    if not header:
        raise BaselineError(path, 1, "-", "文件为空")
    for name in BASELINE_FIELDS:
        if name not in header:
            raise BaselineError(path, 1, name, f"表头缺少该列（应为 {','.join(BASELINE_FIELDS)}）")
    rows: list[dict[str, object]] = []
    seen: dict[str, int] = {}
    for values in reader:
        line = reader.line_num
        if not any(v.strip() for v in values):
            continue
        record = dict(zip(header, (v.strip() for v in values), strict=False))
        sid = record.get("site_id", "")
        if not sid:
            raise BaselineError(path, line, "site_id", "站点标识为空")
        if sid in seen:
            raise BaselineError(path, line, "site_id", f"与第 {seen[sid]} 行重复：{sid}")
        seen[sid] = line
        row: dict[str, object] = {"site_id": sid}
        for name in BASELINE_FIELDS[1:]:
            raw = record.get(name, "")
            if not raw.isdigit():
                raise BaselineError(path, line, name, f"应为非负整数，实际为 {raw!r}")
            row[name] = int(raw)
        rows.append(row)
    if not rows:
        raise BaselineError(path, 2, "-", "没有任何站点数据")
    return pd.DataFrame(rows, columns=list(BASELINE_FIELDS)).astype(
        {"site_id": "str", **dict.fromkeys(BASELINE_FIELDS[1:], "int64")}
    )


def reachable(metrics: pd.DataFrame) -> pd.Series:
    """Sites the averages count: evaluated, and the crawl read at least one of their pages (a site that could not
    be read has no meaningful counts of blank columns or broken links)."""
    read = metrics["pages"].astype("Int64").fillna(0) > 0
    return (metrics["evaluation"] == EVALUATED) & read.astype(bool)


def baseline_from_metrics(metrics: pd.DataFrame) -> pd.DataFrame:
    """Per-site counts of a baseline run's evaluated, reachable sites."""
    evaluated = metrics.loc[reachable(metrics), list(BASELINE_FIELDS)]
    return evaluated.astype({"site_id": "str", **dict.fromkeys(BASELINE_FIELDS[1:], "int64")}).reset_index(drop=True)


# -- wording -----------------------------------------------------------------------------------------------
def figure(value: float) -> str:
    """9 → ``9``, 0.36 → ``0.36``, 1.0704 → ``1.07`` (whole numbers without decimals, others two)."""
    rounded = round(float(value), 2)
    return str(int(rounded)) if rounded.is_integer() else f"{rounded:.2f}"


def reduction_pct(before: float, after: float) -> int | None:
    """Reduction in whole percent (negative for an increase); None when the baseline is 0."""
    if before <= 0:
        return None
    return round((before - after) / before * 100)


def reduction_sentence(spec: Reduction, before: float, after: float, since: str = "") -> str:
    """``空白栏目个数由平均每网站9个降至0.36个，降低96%`` (``since="普查前"``: ``由普查前的平均每网站…``)."""
    start = f"由{since}的平均每网站" if since else "由平均每网站"
    pct = reduction_pct(before, after)
    before_text, after_text = figure(before), figure(after)
    if after > before:
        tail = f"，增加{-pct}%" if pct is not None else ""
        return f"{spec.subject}{start}{before_text}个增至{after_text}个{tail}"
    if after == before:
        return f"{spec.subject}{start}{before_text}个，与基准持平"
    return f"{spec.subject}{start}{before_text}个降至{after_text}个，{spec.verb}{pct}%"


def reductions(before: pd.DataFrame, after: pd.DataFrame, since: str = "") -> pd.DataFrame:
    """The before/after table: one row per census metric (``REDUCTION_COLUMNS``).

    ``before``: per-site counts of the baseline; ``after``: metrics of this run (only evaluated sites whose home
    page opened count: :func:`reachable`).
    The first sentence carries ``since`` (the seed: "由普查前的平均每网站"), the others do not.
    """
    current = after.loc[reachable(after)]
    rows = []
    for i, spec in enumerate(REDUCTIONS):
        mean_before = float(before[spec.metric].astype("float64").mean()) if len(before) else 0.0
        mean_after = float(current[spec.metric].astype("float64").mean()) if len(current) else 0.0
        rows.append(
            {
                "metric": spec.metric,
                "label": spec.label,
                "sites_before": len(before),
                "sites_after": len(current),
                "before": round(mean_before, 2),
                "after": round(mean_after, 2),
                "reduction_pct": reduction_pct(round(mean_before, 2), round(mean_after, 2)),
                "sentence": reduction_sentence(
                    spec, round(mean_before, 2), round(mean_after, 2), since if i == 0 else ""
                ),
            }
        )
    return pd.DataFrame(rows, columns=list(REDUCTION_COLUMNS)).astype({"reduction_pct": "Int64"})
