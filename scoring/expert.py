"""Expert evaluation (专家评估): read a filled form written by ``python -m scoring expert-template``.

The form (sheet ``EXPERT_SHEET``, layout in :mod:`scoring.report`) has one row per registry site: site id,
name, group, then one column per expert item of the rubric headed ``<label>（满分N）``. Every site with a
home URL must be scored on every item with a number from 0 to the item's maximum; sites without a URL
(未评估) may be left blank. ``expert_score`` = sum of the items / sum of the maxima × 100 (0.1 precision).
Any problem raises :class:`ExpertError` naming the file, the row and the column.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from scoring.rubric import ExpertSpec

EXPERT_SHEET = "专家评估"
ID_HEADER, NAME_HEADER, GROUP_HEADER, NOTE_HEADER = "站点标识", "单位名称", "分组", "备注"


class ExpertError(ValueError):
    """A problem in the filled expert form: names the file, the row and the column."""

    def __init__(self, path: Path | str, row: int, column: str, reason: str) -> None:
        self.path, self.row, self.column = str(path), row, column
        where = f"第 {row} 行，{column}" if row else column
        super().__init__(f"专家评估表 {path}：{where}：{reason}")


def item_header(label: str, maximum: float) -> str:
    return f"{label}（满分{maximum:g}）"


def _cell_number(value: Any) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int | float):
        return float(value)
    return float(str(value).strip())


def read_expert(path: str | Path, spec: ExpertSpec | None, sites: pd.DataFrame) -> pd.Series:
    """expert_score (0–100) by site_id. ``sites``: registry sites (site_id, home_url)."""
    path = Path(path)
    if spec is None:
        raise ExpertError(path, 0, "-", "评分规则中未配置专家评估项（[expert]）")
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError:
        raise ExpertError(path, 0, "-", "文件不存在") from None
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise ExpertError(path, 0, "-", f"不是有效的 Excel（.xlsx）文件：{exc}") from None
    if EXPERT_SHEET not in wb.sheetnames:
        raise ExpertError(path, 0, "-", f"缺少工作表“{EXPERT_SHEET}”（请使用 expert-template 生成的表格）")
    rows = list(wb[EXPERT_SHEET].iter_rows(values_only=True))
    wb.close()
    header = [str(v).strip() if v is not None else "" for v in (rows[0] if rows else ())]
    if ID_HEADER not in header:
        raise ExpertError(path, 1, ID_HEADER, "表头缺少该列")
    id_col = header.index(ID_HEADER)
    item_cols: list[tuple[int, str, float]] = []
    for item in spec.items:
        wanted = item_header(item.label, item.max)
        if wanted not in header:
            raise ExpertError(path, 1, wanted, "表头缺少该列（评分项或满分与评分规则不一致）")
        item_cols.append((header.index(wanted), item.label, item.max))
    known = dict(zip(sites["site_id"], sites["home_url"], strict=True))
    scores: dict[str, float] = {}
    seen: dict[str, int] = {}
    for number, values in enumerate(rows[1:], start=2):
        cells = list(values) + [None] * (len(header) - len(values))
        sid = str(cells[id_col]).strip() if cells[id_col] is not None else ""
        if not sid:
            if any(cells[j] is not None for j, _, _ in item_cols):
                raise ExpertError(path, number, f"{get_column_letter(id_col + 1)}列（{ID_HEADER}）", "站点标识为空")
            continue
        where_id = f"{get_column_letter(id_col + 1)}列（{ID_HEADER}）"
        if sid not in known:
            raise ExpertError(path, number, where_id, f"登记表中没有站点 {sid}")
        if sid in seen:
            raise ExpertError(path, number, where_id, f"站点 {sid} 与第 {seen[sid]} 行重复")
        seen[sid] = number
        total = 0.0
        given = 0
        for j, label, maximum in item_cols:
            where = f"{get_column_letter(j + 1)}列（{label}）"
            try:
                value = _cell_number(cells[j])
            except ValueError:
                raise ExpertError(path, number, where, f"评分应为数字，实际为 {cells[j]!r}") from None
            if value is None:
                if known[sid]:
                    raise ExpertError(path, number, where, f"缺少站点 {sid} 的评分")
                continue
            if not 0 <= value <= maximum:
                raise ExpertError(path, number, where, f"评分 {value:g} 超出范围（0–{maximum:g}）")
            total += value
            given += 1
        if given:
            scores[sid] = round(total / spec.total * 100, 1)
    missing = [sid for sid, url in known.items() if url and sid not in seen]
    if missing:
        raise ExpertError(path, 0, ID_HEADER, f"缺少以下站点的评分：{'、'.join(missing)}")
    return pd.Series(scores, dtype="float64", name="expert_score")
