"""The layout of govsites/extract/: modules import only the layers below them, no private names cross a
module boundary, no Scrapy, and no module-level cache of trees or groups (the `Page` is the cache)."""

from __future__ import annotations

import ast
from pathlib import Path

EXTRACT = Path(__file__).resolve().parents[1] / "govsites" / "extract"

#: bottom to top: a module may import only the modules listed before it
LAYERS = (
    "kept",
    "text",
    "dates",
    "links",
    "dom",
    "entries",
    "groups",
    "pagination",
    "scriptdata",
    "datarequest",
    "endpoints",
    "endpointpages",
    "blocks",
    "page",
    "listing",
    "columns",
    "mailbox",
    "guides",
)
#: modules outside extract/ any layer may import: leaves that import nothing of govsites (where data/ is)
LEAVES = {"govsites.paths"}


def _imports(path: Path) -> list[tuple[str, list[str]]]:
    """(module, imported names) of every import in the file, at any depth (local imports included)."""
    found: list[tuple[str, list[str]]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.append((node.module, [alias.name for alias in node.names]))
        elif isinstance(node, ast.Import):
            found.extend((alias.name, []) for alias in node.names)
    return found


def test_every_extract_module_has_its_layer() -> None:
    modules = {path.stem for path in EXTRACT.glob("*.py")} - {"__init__"}
    assert modules == set(LAYERS)


def test_modules_import_only_lower_layers_and_no_private_names() -> None:
    for index, name in enumerate(LAYERS):
        allowed = {f"govsites.extract.{lower}" for lower in LAYERS[:index]} | LEAVES
        for module, names in _imports(EXTRACT / f"{name}.py"):
            assert not module.startswith(("scrapy", "twisted")), f"{name}.py imports {module}: extract/ is pure"
            if not module.startswith("govsites"):
                continue
            assert module in allowed, f"{name}.py imports {module}: not a lower layer"
            private = [n for n in names if n.startswith("_")]
            assert not private, f"{name}.py imports private names {private} from {module}"


def test_no_module_level_caches_of_trees_or_groups() -> None:
    for name in LAYERS:
        source = (EXTRACT / f"{name}.py").read_text(encoding="utf-8")
        assert "import threading" not in source, f"{name}.py: a lock means a shared cache; the Page is the cache"
        assert "OrderedDict" not in source, f"{name}.py: a memo of pages; the Page is the cache"
