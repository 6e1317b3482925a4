"""The floor: a plain Scrapy spider that requests exactly the URLs a govsites crawl requested and does nothing
with the answers.

``run_floor(db, tmp, workers)`` reads the store of a finished crawl (pages: GET; checked links: HEAD, as our link
checks start), splits the sites over the same number of processes as the crawl (``--workers``), the sites of
one host in one process as :mod:`govsites.workshare` keeps them (two processes would each open the per-host limit's
connections to that host, twice what the crawl opens), and runs
one ``python -m bench.floor <urls.tsv>`` per process with govsites' own download settings (per-host concurrency,
delay, timeout, retries, the asyncio reactor) and its downloader, all at once: Scrapy's own
downloader starts every queued request of a host at once (``govsites.downloader``), so without ours the floor
would not keep the per-host limit our crawl keeps. What it costs is what fetching alone costs on this
machine and this web: ``make bench`` prints our wall and CPU time as multiples of it.
"""

from __future__ import annotations

import csv
import sqlite3
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.crawler import CrawlerProcess
from scrapy.http import Response
from twisted.python.failure import Failure

from bench.childcpu import ChildCpu
from govsites.addon import derived_settings
from govsites.config import GovsitesConfig
from govsites.fdlimit import raise_open_files
from govsites.settings import (
    RETRY_EXCEPTIONS,
    RETRY_HTTP_CODES,
    RETRY_TIMES,
    TWISTED_REACTOR,
)
from govsites.workshare import share

#: The download settings govsites crawls with (the rest of Scrapy's defaults as they are).
COPIED = (
    "CONCURRENT_REQUESTS",
    "CONCURRENT_REQUESTS_PER_DOMAIN",
    "DOWNLOAD_DELAY",
    "DOWNLOAD_TIMEOUT",
    "AUTOTHROTTLE_ENABLED",
)


class FloorSpider(Spider):
    """Requests the given (method, url) pairs once each; every answer and every failure is dropped."""

    name = "floor"

    def __init__(self, requests: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.pairs = requests
        self.answered = 0
        self.failed = 0

    async def start(self) -> AsyncIterator[Request]:
        for method, url in self.pairs:
            yield Request(url, method=method, callback=self.drop, errback=self.failure, dont_filter=True)

    def drop(self, response: Response) -> None:
        self.answered += 1

    def failure(self, failure: Failure) -> None:
        self.failed += 1


def floor_settings() -> dict[str, Any]:
    """govsites' download settings, robots.txt and the rest of its policy left out."""
    derived = derived_settings(GovsitesConfig.from_settings({}))
    return {
        **{name: derived[name] for name in COPIED if name in derived},
        "RETRY_TIMES": RETRY_TIMES,
        "RETRY_HTTP_CODES": RETRY_HTTP_CODES,
        "RETRY_EXCEPTIONS": RETRY_EXCEPTIONS,
        "TWISTED_REACTOR": TWISTED_REACTOR,
        # the per-host limit kept as our crawl keeps it
        "DOWNLOADER": derived["DOWNLOADER"],
        "ROBOTSTXT_OBEY": False,
        "LOG_LEVEL": "ERROR",
        "TELNETCONSOLE_ENABLED": False,
        "HTTPERROR_ALLOW_ALL": True,
    }


def requested_urls(db: Path, run: str | None = None) -> dict[str, list[tuple[str, str]]]:
    """Per site: the pages the crawl ``run`` (default: every run) fetched (GET) and the links it checked (HEAD),
    each once; a link that is also a fetched page is not asked for again (the crawl's page fetch is its check)."""
    con = sqlite3.connect(db)
    try:
        where, params = ("WHERE run_id = (SELECT id FROM runs WHERE label = ?)", (run,)) if run else ("", ())
        pages = con.execute(f"SELECT DISTINCT site_id, url FROM pages {where}", params).fetchall()
        links = con.execute(f"SELECT DISTINCT site_id, url FROM link_checks {where}", params).fetchall()
    finally:
        con.close()
    seen: set[str] = set()
    by_site: dict[str, list[tuple[str, str]]] = {}
    for method, rows in (("GET", pages), ("HEAD", links)):
        for site, url in rows:
            if url.startswith(("http://", "https://")) and url not in seen:
                seen.add(url)
                by_site.setdefault(site, []).append((method, url))
    return by_site


def page_hosts(pairs: list[tuple[str, str]]) -> set[str]:
    """The hosts of a site's pages (its GET requests), ``www.`` dropped as :attr:`govsites.registry.Site.hosts`
    drops it."""
    return {(urlsplit(url).hostname or "").removeprefix("www.") for method, url in pairs if method == "GET"}


def run_floor(db: Path, tmp: Path, workers: int, env: dict[str, str], run: str | None = None) -> dict[str, float]:
    """Wall and CPU seconds (children, all processes) of the floor over the URLs of the crawl ``run`` in ``db``."""
    by_site = requested_urls(db, run)
    # as ``crawl --workers`` shares them: the sites of a host (the hosts of their pages) in one process, largest
    # first; link checks name other hosts and do not join sites
    shares = share(sorted(by_site), workers, hosts=lambda s: page_hosts(by_site[s]), weight=lambda s: len(by_site[s]))
    groups = [[pair for site in sites for pair in by_site[site]] for sites in shares]
    files = []
    for i, group in enumerate(g for g in groups if g):
        path = tmp / f"floor-{i}.tsv"
        with path.open("w", encoding="utf-8", newline="") as fh:
            csv.writer(fh, delimiter="\t").writerows(group)
        files.append(path)
    usage = ChildCpu()
    started = time.perf_counter()
    children = [
        subprocess.Popen([sys.executable, "-m", "bench.floor", str(f)], env=env)  # noqa: S603
        for f in files
    ]
    codes = [child.wait() for child in children]
    wall = time.perf_counter() - started
    cpu = usage.stop().cpu
    if any(codes):
        raise RuntimeError(f"floor process failed: {codes}")
    return {"wall": wall, "cpu": cpu, "requests": float(sum(len(g) for g in groups)), "processes": float(len(files))}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    with Path(args[0]).open(encoding="utf-8", newline="") as fh:
        pairs = [(row[0], row[1]) for row in csv.reader(fh, delimiter="\t") if len(row) == 2]
    settings = floor_settings()
    raise_open_files(int(settings.get("CONCURRENT_REQUESTS", 16)))  # as a crawl process does (govsites.cli)
    process = CrawlerProcess({**settings, "LOG_INSTALL_ROOT_HANDLER": False})
    process.crawl(FloorSpider, requests=pairs)
    process.start()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
