"""CSV output: plain UTF-8 with a header, booleans ``true``/``false``, missing values empty, and text that a
spreadsheet would run as a formula (leading ``=``, ``+``, ``-``, ``@``, tab or CR) prefixed with ``'``."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def defuse(text: str) -> str:
    """``'`` before text a spreadsheet would treat as a formula."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def _as_text(column: pd.Series) -> pd.Series:
    if pd.api.types.is_bool_dtype(column):
        return column.map({True: "true", False: "false"}).fillna("").astype("str")
    if pd.api.types.is_string_dtype(column) or column.dtype == object:
        text = column.fillna("").astype("str")
        risky = text.str.startswith(FORMULA_PREFIXES)  # vectorised defuse(): 300,000 link rows per run
        if not risky.any():
            return text
        return text.mask(risky, "'" + text.loc[risky])
    return column


def csv_ready(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame as it goes into a CSV: booleans spelled out, text defused."""
    return frame.apply(_as_text)


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    csv_ready(frame).to_csv(path, index=False, encoding="utf-8", lineterminator="\n", na_rep="")
    return path
