"""The arrows docs/architecture.md says must not exist, checked on the import graph of govsites/ and scoring/.

The graph is built with ``ast`` from the source (nothing is imported): one node per module, one arrow per
``import`` / ``from … import`` anywhere in a module (inside functions too: a lazy import is still an arrow), except
under ``if TYPE_CHECKING:`` (types only, never executed). ``from package import name`` points at the submodule
``package.name`` when there is one, else at ``package`` itself. Importing a submodule does not add an arrow to its
parent packages (``__init__`` re-exporting its submodules is not a cycle).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.helpers import ROOT

PRODUCT = ("govsites", "scoring")
FIRST_PARTY = frozenset({*PRODUCT, "bench", "tests"})
#: Scrapy and what only runs under it.
SCRAPY = frozenset({"scrapy", "scrapy_playwright", "scrapy_redis", "twisted"})
#: Pure layers: no Scrapy and no store, also through what they import.
PURE = (
    "govsites.extract",
    "govsites.typos",
    "govsites.registry",
    "govsites.scope",
    "govsites.sitechecks",
    "govsites.security",
)
#: Scrapy-free modules that may use the store (the store itself and the scope rules).
SCRAPY_FREE = ("govsites.store", "govsites.netpolicy", "govsites.paths", "scoring")
STORE = "govsites.store"
#: The crawl side scoring must not reach: it reads the store and the registry only.
CRAWL_SIDE = ("govsites.spiders",)
#: Code outside the product: the product never imports it.
OUTSIDE = ("bench", "tests")


@dataclass
class Module:
    name: str
    path: Path
    imports: dict[str, int] = field(default_factory=dict)  # imported module -> first line
    private: list[str] = field(default_factory=list)  # "line: what" for each private name taken from another module


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def under(name: str, prefixes: Iterable[str]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def runtime_nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node except those under ``if TYPE_CHECKING:``."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                stack.extend(child.orelse)
                continue
            stack.append(child)


def build_graph(root: Path = ROOT, packages: Iterable[str] = PRODUCT) -> dict[str, Module]:
    files = [path for package in packages for path in sorted((root / package).rglob("*.py"))]
    modules = {module_name(path, root): Module(module_name(path, root), path) for path in files}
    known = set(modules)
    for module in modules.values():
        is_package = module.path.name == "__init__.py"
        tree = ast.parse(module.path.read_text(encoding="utf-8"), filename=str(module.path))
        aliases: dict[str, str] = {}  # local name -> first-party module it stands for

        def arrow(target: str, line: int, module: Module = module) -> None:
            if target != module.name:
                module.imports.setdefault(target, line)

        for node in runtime_nodes(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    arrow(alias.name, node.lineno)
                    if alias.asname and alias.name.split(".")[0] in FIRST_PARTY:
                        aliases[alias.asname] = alias.name
            elif isinstance(node, ast.ImportFrom):
                base = resolve_from(module.name, is_package, node)
                for alias in node.names:
                    sub = f"{base}.{alias.name}"
                    if sub in known or (base.split(".")[0] in FIRST_PARTY and (root / sub.replace(".", "/")).is_dir()):
                        arrow(sub, node.lineno)
                        aliases[alias.asname or alias.name] = sub
                    else:
                        arrow(base, node.lineno)
                        if is_private(alias.name) and base.split(".")[0] in FIRST_PARTY:
                            module.private.append(f"{node.lineno}: from {base} import {alias.name}")
        for node in runtime_nodes(tree):  # module.attribute with a private attribute: taken all the same
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in aliases
                and is_private(node.attr)
            ):
                module.private.append(f"{node.lineno}: {aliases[node.value.id]}.{node.attr}")
    return modules


def resolve_from(current: str, is_package: bool, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = current.split(".") if is_package else current.split(".")[:-1]
    package = package[: len(package) - (node.level - 1)]
    return ".".join([*package, *([node.module] if node.module else [])])


def first_party_edges(modules: dict[str, Module]) -> dict[str, set[str]]:
    return {name: {t for t in m.imports if t in modules} for name, m in modules.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return sorted(found)


def reach(start: str, edges: dict[str, set[str]]) -> set[str]:
    """``start`` and every first-party module it imports, directly or not."""
    seen, todo = {start}, [start]
    while todo:
        for target in edges[todo.pop()]:
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


@pytest.fixture(scope="module")
def graph() -> dict[str, Module]:
    return build_graph()


def external(modules: dict[str, Module], name: str, roots: frozenset[str]) -> list[str]:
    return [
        f"{name}:{line} imports {target}"
        for target, line in modules[name].imports.items()
        if target.split(".")[0] in roots
    ]


# ---- the checks ------------------------------------------------------------------------------------------------
def test_graph_sees_the_product(graph: dict[str, Module]) -> None:
    assert {"govsites.cli", "govsites.extract", "govsites.store", "scoring.cli", "govsites.paths"} <= set(graph)
    assert "govsites.registry" in graph["govsites.cli"].imports


def test_no_import_cycles(graph: dict[str, Module]) -> None:
    found = cycles(first_party_edges(graph))
    assert not found, "import cycles (each list is one strongly connected component):\n" + "\n".join(
        " ↔ ".join(c) for c in found
    )


def test_no_private_names_across_modules() -> None:
    """Over the product, the benchmarks and the tests alike."""
    everything = build_graph(packages=sorted(FIRST_PARTY))
    taken = [f"{m.name}:{p}" for m in everything.values() for p in m.private]
    assert not taken, "private names imported from another module:\n" + "\n".join(taken)


def test_pure_layers_reach_neither_scrapy_nor_the_store(graph: dict[str, Module]) -> None:
    edges = first_party_edges(graph)
    bad = []
    for name in sorted(n for n in graph if under(n, PURE)):
        for reached in sorted(reach(name, edges)):
            bad += [f"{name} → … {line}" for line in external(graph, reached, SCRAPY)]
            if reached == STORE or under(reached, (STORE,)):
                bad.append(f"{name} → … {STORE}")
    assert not bad, "\n".join(sorted(set(bad)))


def test_store_scope_rules_and_scoring_reach_no_scrapy(graph: dict[str, Module]) -> None:
    edges = first_party_edges(graph)
    bad = [
        f"{name} → … {line}"
        for name in sorted(n for n in graph if under(n, SCRAPY_FREE))
        for reached in sorted(reach(name, edges))
        for line in external(graph, reached, SCRAPY)
    ]
    assert not bad, "\n".join(sorted(set(bad)))


def test_scoring_does_not_import_the_crawl_side(graph: dict[str, Module]) -> None:
    bad = [
        f"{name}:{line} imports {target}"
        for name in sorted(n for n in graph if under(n, ("scoring",)))
        for target, line in graph[name].imports.items()
        if under(target, CRAWL_SIDE)
    ]
    assert not bad, "\n".join(bad)


def test_product_does_not_import_tests_or_bench(graph: dict[str, Module]) -> None:
    bad = [line for name in sorted(graph) for line in external(graph, name, frozenset(OUTSIDE))]
    assert not bad, "\n".join(bad)


# ---- the checker itself, on small made-up graphs ------------------------------------------------------------
def test_cycles_finds_components_not_self_or_chains() -> None:
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"e"}, "f": {"g"}, "g": set()}
    assert cycles(edges) == [["a", "b", "c"]]


def test_checker_on_a_small_tree(tmp_path: Path) -> None:
    files = {
        "govsites/__init__.py": "",
        "govsites/extract/__init__.py": "from govsites.extract.a import f\n",
        "govsites/extract/a.py": (
            "from typing import TYPE_CHECKING\n"
            "import govsites.extract.b as b\n"
            "from .b import _hidden, g\n"
            "if TYPE_CHECKING:\n    from scoring.c import h\n"
            "def f():\n    return b._other\n"
        ),
        "govsites/extract/b.py": "def g():\n    from govsites.extract import a\n    import govsites.store\n",
        "govsites/store.py": "import scrapy\n",
        "scoring/__init__.py": "",
        "scoring/c.py": "from govsites.spiders import site\nfrom tests.helpers import ROOT\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    modules = build_graph(tmp_path)
    edges = first_party_edges(modules)
    assert cycles(edges) == [["govsites.extract.a", "govsites.extract.b"]]  # a lazy import is an arrow too
    assert "scoring.c" not in modules["govsites.extract.a"].imports  # TYPE_CHECKING: no arrow
    assert sorted(modules["govsites.extract.a"].private) == [
        "3: from govsites.extract.b import _hidden",
        "7: govsites.extract.b._other",
    ]
    assert "govsites.store" in reach("govsites.extract", edges)
    assert external(modules, "govsites.store", SCRAPY) == ["govsites.store:1 imports scrapy"]
    assert "govsites.spiders" in modules["scoring.c"].imports
    assert external(modules, "scoring.c", frozenset(OUTSIDE)) == ["scoring.c:2 imports tests.helpers"]


def test_a_crawl_process_starts_without_the_report_libraries() -> None:
    """The crawl side imports neither pandas, numpy nor openpyxl when it starts (each crawl process pays every
    import; openpyxl, with numpy under it, took ~0.3 s of each): they are imported where a report is written or a
    workbook attachment read."""
    code = (
        "import sys, govsites.spiders.site, govsites.pipelines, govsites.securitypipeline, govsites.settings;"
        "print(sorted(m for m in ('pandas', 'numpy', 'openpyxl', 'docx') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert done.stdout.strip() == "[]"
