"""Shared fixtures of the reliability suite: the hostile web, one real crawl of it, the slowed site.

Crawls and scoring run as subprocesses (``python -m govsites crawl`` / ``python -m scoring``), the way
``tests/test_end_to_end.py`` runs them, with small caps so the whole suite stays within a few minutes.
"""

from __future__ import annotations

import csv
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.webs.hostile import AS_OF, HostileWeb

ROOT = Path(__file__).resolve().parents[2]
CAPS = ("-s", "GOVSITES_MAX_PAGES=200", "-s", "GOVSITES_SITE_BUDGET=60", "-s", "GOVSITES_LINK_TIMEOUT=5",
        "-s", "GOVSITES_PROBE_TIMEOUT=5")
MAX_PAGES = 200
#: The hostile crawl must end within this (drip and hung tabs included).
CRAWL_TIME_BUDGET = 150.0
HAS_CHROMIUM = shutil.which("chromium") is not None or Path("/usr/bin/chromium").exists()


def env(**extra: str) -> dict[str, str]:
    return {**os.environ, "GOVSITES_PROBE_INTERVAL": "0.2", "GOVSITES_PROGRESS_INTERVAL": "0", **extra}


def run(args: list[str], timeout: float = 300, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env(**extra), capture_output=True, text=True,
                          timeout=timeout, check=False)


def crawl_args(registry: Path, db: Path, *extra: str, run_label: str = "rel", columns: Path | None = None
               ) -> list[str]:
    args = ["-m", "govsites", "crawl", "--sites", str(registry), "--db", str(db), "--run", run_label,
            "--as-of", AS_OF.isoformat(), *CAPS]
    if columns is not None:
        args += ["--columns", str(columns)]
    return [*args, *extra]


def score_args(registry: Path, db: Path, out: Path, run_label: str = "rel") -> list[str]:
    return ["-m", "scoring", "--db", str(db), "--out", str(out), "--sites", str(registry), "--run", run_label]


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def query(db: Path, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
    con = sqlite3.connect(db)
    con.row_factory = sqlite3.Row
    try:
        return list(con.execute(sql, params))
    finally:
        con.close()


@dataclass
class HostileCrawl:
    web: HostileWeb
    registry: Path
    columns: Path
    db: Path
    out: Path
    crawl: subprocess.CompletedProcess[str]
    score: subprocess.CompletedProcess[str]
    elapsed: float

    def check(self, url: str, site_id: str = "hostile") -> sqlite3.Row | None:
        rows = query(self.db, "SELECT * FROM link_checks WHERE site_id = ? AND url = ?", (site_id, url))
        return rows[0] if rows else None

    def refs(self, url: str, site_id: str = "hostile") -> list[sqlite3.Row]:
        return query(self.db, "SELECT * FROM link_refs WHERE site_id = ? AND url = ?", (site_id, url))

    def page(self, url: str, site_id: str = "hostile") -> sqlite3.Row | None:
        rows = query(self.db, "SELECT * FROM pages WHERE site_id = ? AND url = ?", (site_id, url))
        return rows[0] if rows else None


@pytest.fixture(scope="session")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostileCrawl]:
    """One real crawl of the hostile web WITHOUT --allow-private (the scope guard is on), then scoring.

    The registry is saved with a BOM and blank lines (both must be accepted). jsheavy's columns are pinned
    ``render=js`` so Chromium renders them (rendering is switched off when Chromium is missing).
    """
    base = tmp_path_factory.mktemp("hostile")
    with HostileWeb(port=0) as web:
        registry = web.write_registry(base / "sites.csv", bom=True, blank_lines=True)
        columns = web.write_columns(base / "columns.csv")
        db, out = base / "store.sqlite", base / "output"
        extra = {} if HAS_CHROMIUM else {"GOVSITES_RENDER_ENABLED": "0"}
        started = time.monotonic()
        crawled = run(crawl_args(registry, db, columns=columns), timeout=CRAWL_TIME_BUDGET + 120, **extra)
        elapsed = time.monotonic() - started
        scored = run(score_args(registry, db, out)) if crawled.returncode == 0 else crawled
        yield HostileCrawl(web, registry, columns, db, out, crawled, scored, elapsed)


@pytest.fixture
def crawled(hostile: HostileCrawl) -> HostileCrawl:
    """The hostile crawl, asserted to have finished (exit 0) and been scored."""
    assert hostile.crawl.returncode == 0, hostile.crawl.stderr[-3000:]
    assert hostile.score.returncode == 0, hostile.score.stderr[-3000:]
    return hostile


# -- the slowed site (kill / rerun / concurrency) ----------------------------------------------------------


@dataclass
class SlowSite:
    web: HostileWeb
    registry: Path


@pytest.fixture(scope="session")
def slow_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SlowSite]:
    with HostileWeb(port=0, slow_delay=0.3) as web:
        registry = web.write_registry(tmp_path_factory.mktemp("slow") / "sites.csv", web.slow_registry_rows())
        yield SlowSite(web, registry)


#: Volatile columns left out when outputs of two runs are compared.
VOLATILE = frozenset({"checked_at", "fetched_at", "probed_at", "elapsed_ms"})


def output_sets(out: Path) -> dict[str, list[tuple[tuple[str, str], ...]]]:
    """metrics.csv, columns.csv and links.csv as sorted lists of rows (volatile columns dropped)."""
    result = {}
    for name in ("metrics.csv", "columns.csv", "links.csv"):
        rows = read_csv(out / name)
        result[name] = sorted(tuple(sorted((k, v) for k, v in row.items() if k not in VOLATILE)) for row in rows)
    return result


@pytest.fixture(scope="session")
def slow_reference(slow_site: SlowSite, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """An uninterrupted crawl of the slowed site into a fresh store, scored."""
    tmp = tmp_path_factory.mktemp("slowref")
    db, out = tmp / "store.sqlite", tmp / "output"
    crawled = run(crawl_args(slow_site.registry, db), GOVSITES_RENDER_ENABLED="0")
    assert crawled.returncode == 0, crawled.stderr[-3000:]
    scored = run(score_args(slow_site.registry, db, out))
    assert scored.returncode == 0, scored.stderr[-3000:]
    return {"db": db, "out": out, "outputs": output_sets(out)}
