"""When most evaluated home pages failed, scoring says the web was probably unreachable from this machine."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
from test_scoring import build_store

from scoring.evaluation import unreachable_warning
from scoring.vocabulary import EVALUATED, NO_URL

ROOT = Path(__file__).resolve().parent.parent


def _frame(available: list[bool | None], evaluation: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"evaluation": evaluation, "home_available": pd.array(available, dtype="boolean")})


def test_warns_only_above_half() -> None:
    half = _frame([False, True, None], [EVALUATED, EVALUATED, NO_URL])
    assert unreachable_warning(half) == ""  # 1 of 2 evaluated: not more than half
    most = _frame([False, False, True, None], [EVALUATED, EVALUATED, EVALUATED, NO_URL])
    line = unreachable_warning(most)
    assert line.startswith("警告：2/3 个已评估网站的首页无法访问")
    assert "本机无法访问" in line


def test_cli_stays_quiet_on_a_normal_run(tmp_path: Path) -> None:
    fx = build_store(tmp_path)
    proc = subprocess.run(
        [sys.executable, "-m", "scoring", "--db", str(fx.db), "--out", str(fx.out), "--sites", str(fx.sites)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "警告" not in proc.stderr  # 1 of 6 evaluated home pages failed
    assert "单项否决 2 个" in proc.stdout
    assert "未评估 1 个（不计入）" in proc.stdout
