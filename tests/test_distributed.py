"""Distributed mode: two worker processes share a real redis-server (scrapy-redis scheduler, per-site state)
and write one PostgreSQL store; scoring reads it. The results must equal a single-process SQLite crawl of the
same synthetic web, and the workers together must not fetch any URL twice.

Needs ``redis-server`` and the PostgreSQL server binaries (Debian packages redis-server, postgresql); skipped
with the reason otherwise. The bench web runs in this process so that every request it answers is counted.
"""

from __future__ import annotations

import csv
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from bench.localservers import missing_reason, postgres_server, redis_server
from bench.web.model import WebConfig, host
from bench.web.server import BenchWeb
from govsites.store import open_store
from tests.helpers import WORKER_ENV, crawl_command, crawl_workers, run, score_command

REASON = missing_reason()
pytestmark = pytest.mark.skipif(bool(REASON), reason=REASON or "servers available")

#: Hosts answering in 50–600 ms, as real ones, and columns long enough to have further list pages: articles are
#: then often reached through a related article's link before a list names them (decided on arrival, the two
#: crawls differed here in the pages they read).
WEB = WebConfig(
    seed=5, sites=6, pages=120, js_share=0.0, down_share=0.0, typo_share=0.5, latency_min_ms=50, latency_max_ms=600
)
ENV = {
    **WORKER_ENV,
    "GOVSITES_RENDER_ENABLED": "0",
    # Few query variants of one path (content.jsp?contentid=…): many articles are first reached through a related
    # article's link, refused there, and named by a list later — which the caps must decide alike in both crawls.
    "GOVSITES_MAX_QUERY_VARIANTS": "3",
}
#: Files compared as sets of rows (the order of rows is the crawl's, which differs between workers).
COMPARED = ("metrics.csv", "columns.csv", "links.csv", "typos.csv")
#: Columns that record which of several equivalent discoveries came first (a column named by the site map and
#: by a page's navigation): the order of pages, not the result; it differs when pages are parsed in parallel.
#: A typo in a line repeated on many pages (a footer, a news snippet) is reported once per site, on the first
#: page parsed that shows it: its page and context are compared by count, not by value.
ORDER_DEPENDENT = frozenset({"found_by"})
TYPO_PAGE = frozenset({"url", "context"})


def crawl_args(registry: Path, db: str, run_label: str) -> list[str]:
    return crawl_command(registry, db, run_label, WEB.as_of.isoformat(), "--allow-private")


def score(registry: Path, db: str, run_label: str, out: Path) -> None:
    scored = run(score_command(registry, db, out, run_label), **ENV)
    assert scored.returncode == 0, scored.stderr[-3000:]


def rows(path: Path) -> Counter[tuple[tuple[str, str], ...]]:
    skip = ORDER_DEPENDENT | (TYPO_PAGE if path.name == "typos.csv" else frozenset())
    with path.open(encoding="utf-8", newline="") as f:
        return Counter(tuple(sorted((k, v) for k, v in row.items() if k not in skip)) for row in csv.DictReader(f))


class CountingWeb:
    """Counts every request the bench web answers: (method, host, path?query)."""

    def __init__(self, web: BenchWeb) -> None:
        self.counts: Counter[tuple[str, str, str]] = Counter()
        original = web.respond

        def respond(index: int, method: str, target: str, form: str = "", cookie: str = "") -> Any:
            self.counts[method, host(index), target] += 1
            return original(index, method, target, form, cookie)

        web.respond = respond  # type: ignore[method-assign]


@pytest.fixture(scope="module")
def crawls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("distributed")
    with redis_server() as redis_url, postgres_server() as pg_url, BenchWeb(WEB) as web:
        counter = CountingWeb(web)
        registry = web.write_registry(tmp / "sites.csv")

        single_db = str(tmp / "single.sqlite")
        started = time.monotonic()
        single = run(crawl_args(registry, single_db, "s"), **ENV)
        single_seconds = time.monotonic() - started
        assert single.returncode == 0, single.stderr[-3000:]
        single_hits = Counter(counter.counts)
        score(registry, single_db, "s", tmp / "single")

        counter.counts.clear()
        web.hits.clear()  # the flaky pages fail once again, as in the single-process crawl
        started = time.monotonic()
        logs = crawl_workers(registry, pg_url, redis_url, "d", WEB.as_of.isoformat(), tmp, **ENV)
        distributed_seconds = time.monotonic() - started
        distributed_hits = Counter(counter.counts)
        score(registry, pg_url, "d", tmp / "distributed")
        yield {
            "tmp": tmp,
            "single_hits": single_hits,
            "distributed_hits": distributed_hits,
            "logs": logs,
            "redis": redis_url,
            "pg": pg_url,
            "seconds": (single_seconds, distributed_seconds),
        }


def stored_pages(db: str, run_label: str) -> set[tuple[str, str, str, str]]:
    """The page rows a crawl stored: (site, URL, kind, status)."""
    store = open_store(db)
    try:
        return {
            (str(site), str(url), str(kind), str(status))
            for site, url, kind, status in store.query_tuples(
                "SELECT p.site_id, p.url, p.kind, p.status FROM pages p JOIN runs r ON r.id = p.run_id"
                " WHERE r.label = ?",
                (run_label,),
            )
        }
    finally:
        store.close()


@pytest.mark.parametrize("name", COMPARED)
def test_outputs_equal_a_single_process_crawl(crawls: dict[str, Any], name: str) -> None:
    single, distributed = rows(crawls["tmp"] / "single" / name), rows(crawls["tmp"] / "distributed" / name)
    assert single
    if distributed != single:
        # the pages each crawl stored and the other did not: what a site's count of pages comes from
        one, many = stored_pages(str(crawls["tmp"] / "single.sqlite"), "s"), stored_pages(crawls["pg"], "d")
        pages = (sorted(many - one)[:10], sorted(one - many)[:10])
        assert distributed == single, (sorted(distributed - single)[:5], sorted(single - distributed)[:5], pages)


def test_both_workers_crawled(crawls: dict[str, Any]) -> None:
    """Each worker fetched pages of the run. How many is a matter of timing, not asserted: a worker that starts
    later (slower to import on a busy machine) finds every host's leases held by the other, which keeps a host's
    lease while it has requests of that host queued (govsites.hostleases), and gets only what is left (a CI run:
    9 answers for the later worker)."""
    for log in crawls["logs"]:
        assert "'downloader/response_count'" in log
        count = int(log.split("'downloader/response_count': ", 1)[1].split(",", 1)[0])
        assert count > 0, log[-2000:]
    assert sum("本进程负责分发" in log for log in crawls["logs"]) == 1  # exactly one worker seeded the run


def test_no_url_fetched_twice(crawls: dict[str, Any]) -> None:
    """Each URL is fetched once by all workers together, as in a single-process crawl.

    Exceptions, all of them also in a single-process crawl: the home page (crawled and probed), pages that
    fail once (retried), HEAD answered 405 (checked again by GET), the per-site not-found probe (a new random
    path each time), and the spider's own "fetch it again" rule: a page parsed before another page named it a
    column candidate is fetched again for its list. Which page comes first depends on the order pages are
    parsed, which workers running in parallel change; those refetches are bounded here.
    """
    hits: Counter[tuple[str, str, str]] = crawls["distributed_hits"]
    single: Counter[tuple[str, str, str]] = crawls["single_hits"]

    def fetched(counts: Counter[tuple[str, str, str]]) -> Counter[tuple[str, str, str]]:
        return Counter({key: n for key, n in counts.items() if not urlsplit(key[2]).path.startswith("/govsites-")})

    hits, single = fetched(hits), fetched(single)
    assert set(hits) == set(single)  # nothing lost, nothing added
    extra = {key: n - single[key] for key, n in hits.items() if n > single[key]}
    assert all(method == "GET" for method, _, _ in extra), extra  # link checks (HEAD) exactly as often
    assert all(n == 1 for n in extra.values()), extra  # at most one refetch of a page
    gets = sum(1 for method, _, _ in hits if method == "GET")
    assert len(extra) <= 0.05 * gets, (len(extra), gets, sorted(extra)[:10])


def test_run_finished_in_postgresql(crawls: dict[str, Any]) -> None:
    from govsites.store import Store

    with Store(crawls["pg"]) as store:
        run = store.get_run("d")
        assert run is not None
        assert run.status == "finished"
        sites = store.run_sites(run.id)
        assert {s["status"] for s in sites} == {"done"}
        assert all(s["pages"] > 0 for s in sites)
        dupes = store.query(
            "SELECT site_id, url FROM link_checks WHERE run_id = ? GROUP BY site_id, url HAVING COUNT(*) > 1", (run.id,)
        )
        assert dupes == []
    print(f"\nsingle process {crawls['seconds'][0]:.1f} s, two workers {crawls['seconds'][1]:.1f} s")


def site_pages(db: str, run_label: str) -> dict[str, tuple[int, int]]:
    """Each site's (pages read, pages a cap refused) as the crawl stored them."""
    from govsites.store import Store

    with Store(db) as store:
        run = store.get_run(run_label)
        assert run is not None
        return {str(s["site_id"]): (int(s["pages"]), int(s["pages_capped"])) for s in store.run_sites(run.id)}


def test_caps_refuse_the_pages_one_process_refuses(crawls: dict[str, Any]) -> None:
    """Stable caps (govsites.caps) in a distributed crawl: a site's held pages are decided by whichever worker sees
    it quiet, by their best routes, so the workers' timing does not choose which articles are read."""
    single = site_pages(str(crawls["tmp"] / "single.sqlite"), "s")
    assert sum(capped for _, capped in single.values()) > 0  # the web's caps are hit
    assert site_pages(crawls["pg"], "d") == single
