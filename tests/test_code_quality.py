"""The code passes the project's own linters: ruff (rule set in pyproject.toml) and mypy."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def test_ruff_is_clean() -> None:
    result = subprocess.run([str(BIN / "ruff"), "check", "govsites", "scoring", "tests"], cwd=ROOT,
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-4000:]


def test_mypy_is_clean() -> None:
    result = subprocess.run([str(BIN / "mypy")], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-4000:]


def test_pure_layers_do_not_import_scrapy() -> None:
    for folder in ("govsites/extract", "govsites/typos", "scoring"):
        for path in (ROOT / folder).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            assert "import scrapy" not in text, path
            assert "from scrapy" not in text, path
    for module in ("govsites/registry.py", "govsites/store.py", "govsites/netpolicy.py"):
        text = (ROOT / module).read_text(encoding="utf-8")
        assert "scrapy" not in text.replace("Scrapy", ""), module
