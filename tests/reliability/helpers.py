"""Helpers of the reliability suite (its fixtures are in ``conftest.py``): the caps every crawl of the hostile web
runs with, the crawl and score command lines, and the records the fixtures hand to the tests."""

from __future__ import annotations

import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tests.helpers import crawl_command, query, read_csv, score_command
from tests.webs.hostile import AS_OF, HostileWeb

CAPS = (
    "-s",
    "GOVSITES_MAX_PAGES=200",
    "-s",
    "GOVSITES_SITE_BUDGET=60",
    "-s",
    "GOVSITES_LINK_TIMEOUT=5",
    "-s",
    "GOVSITES_PROBE_TIMEOUT=5",
)
MAX_PAGES = 200
#: A hang guard on the hostile crawl (drip and hung tabs included), not a measure: times belong in make bench.
CRAWL_TIMEOUT = 900.0


def crawl_args(registry: Path, db: Path, *extra: str, run_label: str = "rel", columns: Path | None = None) -> list[str]:
    args = crawl_command(registry, db, run_label, AS_OF.isoformat(), *CAPS)
    if columns is not None:
        args += ["--columns", str(columns)]
    return [*args, *extra]


def score_args(registry: Path, db: Path, out: Path, run_label: str = "rel") -> list[str]:
    return score_command(registry, db, out, run_label)


@dataclass
class HostileCrawl:
    web: HostileWeb
    registry: Path
    columns: Path
    db: Path
    out: Path
    crawl: subprocess.CompletedProcess[str]
    score: subprocess.CompletedProcess[str]

    def check(self, url: str, site_id: str = "hostile") -> sqlite3.Row | None:
        rows = query(self.db, "SELECT * FROM link_checks WHERE site_id = ? AND url = ?", (site_id, url))
        return rows[0] if rows else None

    def refs(self, url: str, site_id: str = "hostile") -> list[sqlite3.Row]:
        return query(self.db, "SELECT * FROM link_refs WHERE site_id = ? AND url = ?", (site_id, url))

    def page(self, url: str, site_id: str = "hostile") -> sqlite3.Row | None:
        rows = query(self.db, "SELECT * FROM pages WHERE site_id = ? AND url = ?", (site_id, url))
        return rows[0] if rows else None


@dataclass
class SlowSite:
    web: HostileWeb
    registry: Path


#: Volatile columns left out when outputs of two runs are compared.
VOLATILE = frozenset({"checked_at", "fetched_at", "probed_at", "elapsed_ms"})


def output_sets(out: Path) -> dict[str, list[tuple[tuple[str, str], ...]]]:
    """metrics.csv, columns.csv and links.csv as sorted lists of rows (volatile columns dropped)."""
    result = {}
    for name in ("metrics.csv", "columns.csv", "links.csv"):
        rows = read_csv(out / name)
        result[name] = sorted(tuple(sorted((k, v) for k, v in row.items() if k not in VOLATILE)) for row in rows)
    return result
