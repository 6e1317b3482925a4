"""Findings do not depend on scheduling: two crawls of an unchanged web whose caps are hit, one polite (one
request at a time, a delay) and one fast (eight at a time) while one column of the web answers slowly, give the
same columns and statuses, broken links, typos and pages_capped (``GOVSITES_STABLE_CAPS``, on by default).

Real crawls (``python -m govsites crawl``) of :class:`tests.webs.unbuilt.CappedWeb`, scored by ``python -m scoring``;
the CSVs are compared.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from govsites.registry import write_sites
from tests.helpers import crawl_command, read_csv, run, score_command
from tests.webs.unbuilt import AS_OF, CappedWeb

CAPS = ("-s", "GOVSITES_MAX_PAGES=12", "-s", "GOVSITES_MAX_DEPTH=2", "-s", "GOVSITES_MAX_QUERY_VARIANTS=2")
#: Settings of each crawl, and the web's slow column: without stable caps, the polite crawl reads 政策文件 first (the
#: scheduler's order) and the fast one reads it last (it answers slowly), and the page cap lets different pages in.
SCHEDULES = {
    "polite": (("-s", "GOVSITES_PER_HOST=1", "-s", "GOVSITES_DELAY=0.02"), ""),
    "fast": (("-s", "GOVSITES_PER_HOST=8", "-s", "GOVSITES_DELAY=0"), "zcwj"),
}


def crawl_and_score(tmp: Path, label: str) -> Path:
    settings, slow = SCHEDULES[label]
    with CappedWeb(slow=slow) as web:
        registry = write_sites(tmp / "sites.csv", web.registry_rows())
        result = run(crawl_command(registry, tmp / "store.sqlite", label, AS_OF, "--allow-private", *CAPS, *settings))
    assert result.returncode == 0, result.stderr[-3000:]
    out = tmp / label
    scored = run(score_command(registry, tmp / "store.sqlite", out, label))
    assert scored.returncode == 0, scored.stderr[-3000:] + scored.stdout[-2000:]
    return out


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("stable")
    return {label: crawl_and_score(tmp, label) for label in SCHEDULES}


def local(value: str) -> str:
    """A URL without its address (each crawl's web has its own port)."""
    return value.split("/", 3)[3] if value.startswith("http://") else value


def table(out: Path, name: str, columns: tuple[str, ...]) -> list[tuple[str, ...]]:
    return sorted(tuple(local(row[c]) for c in columns) for row in read_csv(out / name))


def test_caps_are_hit(outputs: dict[str, Path]) -> None:
    (metrics,) = read_csv(outputs["polite"] / "metrics.csv")
    assert int(metrics["pages_capped"]) > 0


@pytest.mark.parametrize(
    ("name", "columns"),
    [
        ("columns.csv", ("site_id", "url", "status", "items", "newest_date")),
        ("links.csv", ("site_id", "url", "status", "source_url")),
        ("typos.csv", ("site_id", "url", "wrong", "right", "context")),
        ("metrics.csv", ("site_id", "pages", "pages_capped", "broken_links", "serious_typos", "blank_columns")),
    ],
)
def test_same_findings_whatever_the_schedule(outputs: dict[str, Path], name: str, columns: tuple[str, ...]) -> None:
    polite, fast = (table(outputs[label], name, columns) for label in SCHEDULES)
    assert polite
    assert polite == fast
