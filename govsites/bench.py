"""``make bench``: print speed and accuracy figures.

- the whole pipeline (crawl, link checks, typos, store, scoring) over the bundled demo web served on loopback:
  pages/s, distinct links checked/s, rendered pages and their share, CPU seconds per 1,000 pages, peak RSS of
  the crawl process, time of the score stage, and accuracy against the demo web's expected results;
- the typo detector alone: MB/s, precision and recall on the labelled corpus.
"""

from __future__ import annotations

import csv
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from govsites.demo import AS_OF, DemoWeb
from govsites.demo.expected import load_expected


def _run(args: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds and peak RSS (KiB) of a child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([sys.executable, *args], env=env, check=True, capture_output=True)  # noqa: S603
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, after.ru_maxrss


def bench_pipeline() -> None:
    expected: dict[str, Any] = load_expected()
    with tempfile.TemporaryDirectory() as tmp, DemoWeb(port=0) as web:
        registry = web.write_registry(Path(tmp) / "sites.csv")
        db, out = Path(tmp) / "bench.sqlite", Path(tmp) / "out"
        env = {**os.environ, "GOVSITES_PROBES": "0", "GOVSITES_PROGRESS_INTERVAL": "0"}
        crawl_wall, crawl_cpu, rss = _run(["-m", "govsites", "crawl", "--sites", str(registry), "--db", str(db),
                                           "--run", "bench", "--as-of", AS_OF.isoformat(), "--allow-private"], env)
        score_wall, _, _ = _run(["-m", "scoring", "--db", str(db), "--out", str(out), "--sites", str(registry),
                                 "--run", "bench"], env)
        con = sqlite3.connect(db)
        pages = con.execute("SELECT COUNT(*) FROM pages").fetchone()[0]
        rendered = con.execute("SELECT COUNT(*) FROM pages WHERE rendered = 1").fetchone()[0]
        links = con.execute("SELECT COUNT(*) FROM link_checks").fetchone()[0]
        with (out / "columns.csv").open(encoding="utf-8") as f:
            found = {(r["site_id"], r["url"].split("/", 3)[-1], r["status"]) for r in csv.DictReader(f)}
        want = {(sid, c["path"].lstrip("/"), c["status"]) for sid, site in expected["sites"].items()
                for c in site["columns"]}
        hit = len(found & want)
    print("== 全流程（演示网站，回环地址） ==")
    print(f"页面 {pages}，渲染页面 {rendered}（{rendered / max(pages, 1):.1%}），检查链接 {links}")
    print(f"抓取用时 {crawl_wall:.2f} s：{pages / crawl_wall:.1f} 页/秒，{links / crawl_wall:.1f} 链接/秒")
    print(f"CPU {1000 * crawl_cpu / max(pages, 1):.2f} s / 千页，抓取进程峰值内存 {rss / 1024:.0f} MiB")
    print(f"评分用时 {score_wall:.2f} s")
    print(f"栏目状态准确率：召回 {hit / len(want):.3f}，精确 {hit / max(len(found), 1):.3f}（{hit}/{len(want)}）")


def bench_typos() -> None:
    from govsites.typos.bench import run_bench

    print("== 错别字检测 ==")
    for key, value in run_bench().items():
        print(f"{key}: {value:.3f}" if isinstance(value, float) else f"{key}: {value}")


def main() -> int:
    bench_pipeline()
    bench_typos()
    return 0


if __name__ == "__main__":
    sys.exit(main())
