"""Shared fixtures of the reliability suite: the hostile web, one real crawl of it, the slowed site.

Crawls and scoring run as subprocesses (``python -m govsites crawl`` / ``python -m scoring``), the way
``tests/test_end_to_end.py`` runs them, with small caps so the whole suite stays within a few minutes.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.helpers import HAS_CHROMIUM, run
from tests.reliability.helpers import CRAWL_TIMEOUT, HostileCrawl, SlowSite, crawl_args, output_sets, score_args
from tests.webs.hostile import HostileWeb


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
        crawled = run(crawl_args(registry, db, columns=columns), timeout=CRAWL_TIMEOUT, **extra)
        scored = run(score_args(registry, db, out)) if crawled.returncode == 0 else crawled
        yield HostileCrawl(web, registry, columns, db, out, crawled, scored)


@pytest.fixture
def crawled(hostile: HostileCrawl) -> HostileCrawl:
    """The hostile crawl, asserted to have finished (exit 0) and been scored."""
    assert hostile.crawl.returncode == 0, hostile.crawl.stderr[-3000:]
    assert hostile.score.returncode == 0, hostile.score.stderr[-3000:]
    return hostile


# -- the slowed site (kill / rerun / concurrency) ----------------------------------------------------------


@pytest.fixture(scope="session")
def slow_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SlowSite]:
    with HostileWeb(port=0, slow_delay=0.3) as web:
        registry = web.write_registry(tmp_path_factory.mktemp("slow") / "sites.csv", web.slow_registry_rows())
        yield SlowSite(web, registry)


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
