"""The site checks are pure: no Scrapy, no store, no private names taken from other modules."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "govsites" / "sitechecks"


def imported(path: Path) -> list[tuple[str, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[str, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, "") for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            found += [(node.module or "", alias.name) for alias in node.names]
    return found


def test_no_scrapy_no_store_no_private_imports() -> None:
    modules = sorted(PACKAGE.glob("*.py"))
    assert {p.stem for p in modules} >= {"identifiers", "search", "annual_report", "policy", "maintenance", "warnings"}
    for path in modules:
        for module, name in imported(path):
            assert not module.startswith(("scrapy", "govsites.store", "govsites.spiders", "scoring")), (path, module)
            assert not name.startswith("_"), (path, module, name)
