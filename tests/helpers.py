"""Helpers the test modules share (one copy each): the repository root, running ``python -m govsites|scoring``
as a child process the way ``make`` does, reading output CSVs and the SQLite store, and whether Chromium is here.

Fixtures live in ``tests/conftest.py``; these are plain functions a test module imports.
"""

from __future__ import annotations

import csv
import importlib
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.utils.test import get_crawler

if TYPE_CHECKING:
    from govsites.revalidate import KeptAnswers

ROOT = Path(__file__).resolve().parents[1]
"""The repository root (the working directory of every child process)."""

SHARED = ROOT.parent / "shared"
"""Real pages and lexicons kept beside the repository (absent in a user's clone: tests reading it skip)."""

HAS_CHROMIUM = bool(
    shutil.which("chromium") or Path("/usr/bin/chromium").exists() or os.environ.get("GOVSITES_CHROMIUM")
)
"""Debian's chromium is here (or ``GOVSITES_CHROMIUM`` names a browser): the tests that render pages run."""
needs_chromium = pytest.mark.skipif(not HAS_CHROMIUM, reason="Debian chromium is not installed (make install)")

#: Settings every child crawl of the tests gets: quick probe rounds, no progress lines.
CHILD_SETTINGS = {"GOVSITES_PROBE_INTERVAL": "0.2", "GOVSITES_PROGRESS_INTERVAL": "0"}


def child_env(**extra: str) -> dict[str, str]:
    """The environment of a child process: this one's, the tests' settings, then ``extra``."""
    return {**os.environ, **CHILD_SETTINGS, **extra}


def run(args: list[str], timeout: float = 600, **extra: str) -> subprocess.CompletedProcess[str]:
    """``python <args>`` from the repository root with :func:`child_env`; output captured, never raises on exit."""
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=child_env(**extra),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def start(args: list[str], **extra: str) -> subprocess.Popen[str]:
    """``python <args>`` started from the repository root with :func:`child_env` (``extra`` added), its output piped."""
    return subprocess.Popen(
        [sys.executable, *args],
        cwd=ROOT,
        env=child_env(**extra),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def run_together(args: list[str], count: int, timeout: float = 600, **extra: str) -> list[tuple[int, str]]:
    """``count`` processes of ``python <args>`` started at once (as workers of one distributed crawl, see
    :func:`start`): their exit codes and standard error, once all have ended."""
    processes = [start(args, **extra) for _ in range(count)]
    outputs = [process.communicate(timeout=timeout)[1] for process in processes]
    return [(process.returncode, err) for process, err in zip(processes, outputs, strict=True)]


#: The settings of a distributed crawl's workers in the tests: one probe round, the stats printed, the shared
#: queue asked every 0.2 s.
WORKER_ENV = {"GOVSITES_PROBES": "1", "GOVSITES_STATS_DUMP": "1", "GOVSITES_DISTRIBUTED_POLL": "0.2"}


def crawl_workers(
    registry: Path, db: str, redis_url: str, run_label: str, as_of: str, tmp: Path, count: int = 2, **env: str
) -> list[str]:
    """``count`` workers of one distributed crawl of ``registry`` into ``db`` (Redis at ``redis_url``) started at
    once, their answers kept in ``tmp/httpcache`` (not the repository's ``data/``): each one's standard error, once
    all have ended; each must have exited 0."""
    worker = [*crawl_command(registry, db, run_label, as_of, "--allow-private"), "--distributed", redis_url]
    outputs = run_together(worker, count, **env, GOVSITES_HTTPCACHE_DIR=str(tmp / "httpcache"))
    for code, err in outputs:
        assert code == 0, err[-3000:]
    return [err for _, err in outputs]


class CacheSpider:
    """What :class:`govsites.revalidate.KeptAnswers` reads of a spider: its name and its crawler."""

    name = "govsites"

    def __init__(self) -> None:
        self.crawler = get_crawler()


def kept_answers(folder: Path) -> tuple[KeptAnswers, Any]:
    """A :class:`govsites.revalidate.KeptAnswers` storage in ``folder``, opened for a :class:`CacheSpider`."""
    from scrapy.settings import Settings

    from govsites.revalidate import KeptAnswers

    storage = KeptAnswers(Settings({"HTTPCACHE_DIR": str(folder)}))
    spider = CacheSpider()
    storage.open_spider(spider)  # type: ignore[arg-type]
    return storage, spider


def crawl_command(registry: Path, db: Path | str, run_label: str, as_of: str, *extra: str) -> list[str]:
    """The arguments of ``python -m govsites crawl`` as ``make crawl`` passes them (for :func:`run`)."""
    command = ["-m", "govsites", "crawl", "--sites", str(registry), "--db", str(db)]
    return [*command, "--run", run_label, "--as-of", as_of, *extra]


def crawl_stat(log: str, name: str) -> int:
    """The value of the stat ``name`` (``govsites/render/host_waits``) that a crawl run with
    ``GOVSITES_STATS_DUMP=1`` printed in ``log``; 0 when it was never counted."""
    found = re.search(rf"'{re.escape(name)}': (\d+)", log)
    return int(found.group(1)) if found else 0


def crawl_rows(
    rows: list[dict[str, str]], tmp: Path, run_label: str, as_of: str, **env: str
) -> tuple[subprocess.CompletedProcess[str], Path]:
    """Write ``rows`` as the registry in ``tmp`` and crawl them into ``tmp/store.sqlite`` (loopback addresses
    allowed, the stats printed at the end, ``env`` added): the finished child process and the store."""
    from govsites.registry import write_sites

    db = tmp / "store.sqlite"
    registry = write_sites(tmp / "sites.csv", rows)
    done = run(crawl_command(registry, db, run_label, as_of, "--allow-private"), GOVSITES_STATS_DUMP="1", **env)
    return done, db


#: Render reuse off, for tests that count a web's endpoint requests by sender: keeping a render asks its inputs (its
#: list's endpoint) again with a plain request (govsites.renderreuse), which such counts would take for a list read
#: without the browser.
NO_RENDER_REUSE = {"GOVSITES_RENDER_REUSE_ENABLED": "0"}


def crawled_store(
    rows: list[dict[str, str]], tmp: Path, run_label: str, as_of: str, **env: str
) -> Iterator[tuple[sqlite3.Connection, str]]:
    """For a module fixture: :func:`crawl_rows`, checked to have finished, then its store open and its log."""
    result, db = crawl_rows(rows, tmp, run_label, as_of, **env)
    assert result.returncode == 0, result.stderr[-3000:]
    connection = sqlite3.connect(db)
    try:
        yield connection, result.stderr
    finally:
        connection.close()


def page_row(site_id: str, url: str, **values: Any) -> dict[str, Any]:
    """A row of the store's ``pages`` table for ``Store.insert``: a plain page answered 200, ``values`` over it."""
    plain = {"final_url": "", "status": "200", "kind": "page", "depth": 0, "rendered": 0, "title": ""}
    return {"site_id": site_id, "url": url, **plain, "encoding": "utf-8", "fetched_at": "t", "elapsed_ms": 1, **values}


def score_command(registry: Path, db: Path | str, out: Path, run_label: str) -> list[str]:
    """The arguments of ``python -m scoring`` as ``make score`` passes them (for :func:`run`)."""
    return ["-m", "scoring", "--db", str(db), "--out", str(out), "--sites", str(registry), "--run", run_label]


def read_csv(path: Path) -> list[dict[str, str]]:
    """An output CSV as a list of rows (dicts keyed by the header)."""
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def query(db: Path, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
    """Rows of ``sql`` on the SQLite store at ``db`` (the connection is closed before returning)."""
    con = sqlite3.connect(db)
    con.row_factory = sqlite3.Row
    try:
        return list(con.execute(sql, params))
    finally:
        con.close()


# ---- in-process component tests ------------------------------------------------------------------------------
#: Settings of the project a component test may start from (the values ``python -m govsites`` gets).
PROJECT_SETTINGS = "govsites.settings"

CrawlerFactory = Callable[..., Crawler]


class ComponentSpider(Spider):
    """The spider a component test attaches when it needs one (``crawler.spider``)."""

    name = "component-test"


def project_settings() -> dict[str, Any]:
    """The uppercase names of ``govsites.settings`` as a dict (what ``scrapy.cfg`` points Scrapy at), but for the
    reactor: ``get_crawler`` checks it against the one this test process has installed already."""
    module = importlib.import_module(PROJECT_SETTINGS)
    return {name: getattr(module, name) for name in dir(module) if name.isupper() and name != "TWISTED_REACTOR"}


def component_crawler(
    settings: dict[str, Any] | None = None,
    spidercls: type[Spider] = ComponentSpider,
    *,
    project: bool = False,
    **spider_kwargs: Any,
) -> Crawler:
    """A configured but unstarted ``Crawler`` (Scrapy's ``get_crawler``: settings, stats, signals; no engine, no
    network): ``settings`` over Scrapy's defaults, or over the project's settings with ``project=True``. Its
    spider is built with ``spidercls.from_crawler(crawler, **spider_kwargs)`` and attached as ``crawler.spider``.
    """
    values = {**(project_settings() if project else {}), **(settings or {})}
    crawler = get_crawler(spidercls, values)
    crawler.spider = spidercls.from_crawler(crawler, **spider_kwargs)
    return crawler


def crawl_launch_options() -> dict[str, Any]:
    """``PLAYWRIGHT_LAUNCH_OPTIONS`` as the crawl's add-on derives them from the project's settings."""
    return component_crawler(project=True).settings.getdict("PLAYWRIGHT_LAUNCH_OPTIONS")


def column_row(url: str, status: str, **render: str) -> dict[str, object]:
    """A columns row as a writer of the previous version gave it (without ``render``: no render_* keys)."""
    return {
        "site_id": "a",
        "url": url,
        "name": "通知公告",
        "category": "notice",
        "newest_date": "",
        "items": 0,
        "status": status,
        "date_source": "",
        "found_by": "nav",
        "rendered": False,
        "on_home": True,
        **render,
    }
