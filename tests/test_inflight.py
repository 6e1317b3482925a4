"""A site is done only after every page of it has been through the item pipelines (``govsites.inflight``).

Scrapy hands a callback's items to the pipelines while it reads the rest of the callback's output, so the request
could count finished — and the site's done item be stored — before its last page was. Here a real crawl of a small
synthetic web runs with a pipeline that holds every page item a while (as the home page's AAAA lookup or a
certificate check does) and one that records the order items leave the pipelines in.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from pathlib import Path

from bench.web.model import WebConfig
from bench.web.server import BenchWeb
from tests.helpers import crawl_command, run

WEB = WebConfig(seed=11, sites=3, pages=25, js_share=0.0, down_share=0.0, challenge_share=0.0)
PIPELINES = {
    "govsites.pipelines.TypoPipeline": 300,
    "tests.slow_pipeline.HoldPagesPipeline": 350,
    "govsites.securitypipeline.SecurityPipeline": 400,
    "govsites.pipelines.SiteChecksPipeline": 410,
    "govsites.pipelines.StorePipeline": 800,
    "tests.slow_pipeline.ItemOrderPipeline": 900,
}


def test_a_site_is_done_after_its_last_page_went_through_the_pipelines(tmp_path: Path) -> None:
    log = tmp_path / "items.jsonl"
    db = tmp_path / "store.sqlite"
    with BenchWeb(WEB) as web:
        registry = web.write_registry(tmp_path / "sites.csv")
        args = crawl_command(registry, db, "r", WEB.as_of.isoformat(), "--allow-private")
        done = run(
            [*args, "-s", f"ITEM_PIPELINES={json.dumps(PIPELINES)}"],
            GOVSITES_RENDER_ENABLED="0",
            GOVSITES_PROBES="1",
            GOVSITES_LINK_TIMEOUT="3",
            GOVSITES_TEST_ITEM_LOG=str(log),
        )
    assert done.returncode == 0, done.stderr[-3000:]
    order = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    pages: defaultdict[str, set[str]] = defaultdict(set)
    done_at: dict[str, int] = {}
    for at, item in enumerate(order):
        if item["type"] == "PageItem":
            pages[item["site_id"]].add(item["url"])
            assert item["site_id"] not in done_at, f"{item['url']} left the pipelines after its site was done"
        else:
            done_at.setdefault(item["site_id"], at)
    assert len(done_at) == WEB.sites
    assert all(len(urls) > 10 for urls in pages.values())
    with sqlite3.connect(db) as conn:
        stored = dict(conn.execute("SELECT site_id, pages FROM run_sites"))
        distinct = dict(conn.execute("SELECT site_id, COUNT(DISTINCT url) FROM pages GROUP BY site_id"))
    assert stored == distinct == {site: len(urls) for site, urls in pages.items()}
