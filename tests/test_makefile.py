"""`make help` in Chinese lists every target and every variable with its default; `make demo` keeps its registry,
store and outputs in data/demo/, apart from the user's own (make runs with -n where it would do anything)."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from govsites.cli import DEMO_DB, DEMO_OUT, build_parser
from tests.helpers import ROOT

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
MAKEFILE = (ROOT / "Makefile").read_text(encoding="utf-8")


def make(*args: str) -> str:
    proc = subprocess.run(
        ["make", "-s", "--no-print-directory", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_help_lists_targets_variables_and_defaults() -> None:
    text = make("help")
    assert text.startswith("用法：make <目标>")
    phony = re.search(r"^\.PHONY: (.+)$", MAKEFILE, re.M)
    assert phony
    for target in phony.group(1).split():
        line = next((line for line in text.splitlines() if line.startswith(f"  make {target} ")), "")
        assert re.search(r"[\u4e00-\u9fff]", line), f"{target}: no Chinese line in make help"
    variables = re.findall(r"^([A-Z_]+) \?=[ ]*(.*)$", MAKEFILE, re.M)
    documented = [(name, default) for name, default in variables if name not in ("PYTHON",)]
    assert len(documented) >= 17
    for name, default in documented:
        line = next((line for line in text.splitlines() if line.startswith(f"  {name} ")), "")
        assert line, f"{name} missing from make help"
        assert line.split()[1] == (default or "(空)")
        assert re.search(r"[\u4e00-\u9fff]", line.split(maxsplit=2)[2])


def test_no_comment_on_a_variable_line() -> None:
    """make keeps the spaces before a trailing comment in the value ("data/sites.csv " would break paths)."""
    assert not re.findall(r"^[A-Z_]+ \?=.*#", MAKEFILE, re.M)


def test_demo_keeps_its_data_apart() -> None:
    command = make("-n", "demo", "OUT=mine", "DB=mine.sqlite").splitlines()[-1]
    assert '--out "data/demo/output" --db "data/demo/govsites.sqlite"' in command
    args = build_parser().parse_args(["demo"])
    assert (args.out, args.db) == (DEMO_OUT, DEMO_DB)
    assert DEMO_OUT.startswith("data/demo/")
    assert DEMO_DB.startswith("data/demo/")
    assert "data/demo/" in (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
