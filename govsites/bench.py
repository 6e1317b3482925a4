"""``make bench``: print speed and accuracy figures.

``python -m govsites.bench [--only demo|typos|web|linkchecker|curve] [--sites 65] [--pages 230] [--curve 100,500]``

- the synthetic government web (:mod:`govsites.benchweb`, default 65 sites, ~15,000 pages) served by a separate
  process: the whole pipeline's speed and its accuracy against the web's truth;
- LinkChecker 10.6.0 (in its own ``.venv-bench``) on the same web: time and broken-link accuracy;
- a cost curve over growing site counts (``--curve``);
- the whole pipeline (crawl, link checks, typos, store, scoring) over the bundled demo web served on loopback:
  pages/s, distinct links checked/s, rendered pages and their share, CPU seconds per 1,000 pages, peak RSS of
  the crawl process, time of the score stage, and accuracy against the demo web's expected results;
- the typo detector alone: MB/s, precision and recall on the labelled corpus.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from govsites.demo import AS_OF, DemoWeb
from govsites.demo.expected import load_expected, normalize


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


# ---- the synthetic web ----------------------------------------------------------------------------------
ROOT = Path(__file__).resolve().parents[1]
BENCH_VENV = ROOT / ".venv-bench"
LINKCHECKER = "linkchecker==10.6.0"


class ServedWeb:
    """``python -m govsites.benchweb serve`` in its own process (its CPU is not the crawler's)."""

    def __init__(self, tmp: Path, sites: int, pages: int, seed: int = 1, truth: bool = True) -> None:
        self.registry, self.truth_path = tmp / "sites.csv", tmp / "truth.json"
        args = ["-m", "govsites.benchweb", "serve", "--sites", str(sites), "--pages", str(pages), "--seed",
                str(seed), "--port", "0", "--registry", str(self.registry)]
        if truth:
            args += ["--truth", str(self.truth_path)]
        self.proc = subprocess.Popen([sys.executable, *args], stdout=subprocess.PIPE, text=True,  # noqa: S603
                                     cwd=ROOT)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().strip()
        if line != "ready":
            self.proc.kill()
            raise RuntimeError(f"bench web did not start: {line!r}")

    def truth(self) -> dict[str, Any]:
        return json.loads(self.truth_path.read_text(encoding="utf-8"))

    def stop(self) -> int:
        self.proc.send_signal(signal.SIGTERM)
        out, _ = self.proc.communicate(timeout=30)
        return int(out.split()[-1]) if out.strip().startswith("requests") else 0


def _crawl_env() -> dict[str, str]:
    return {**os.environ, "GOVSITES_PROBES": "1", "GOVSITES_PROBE_INTERVAL": "0.2", "GOVSITES_PROGRESS_INTERVAL": "0",
            "PYTHONPATH": str(ROOT)}


def crawl_and_score(registry: Path, tmp: Path, *, score: bool = True) -> dict[str, float]:
    db, out = tmp / "bench.sqlite", tmp / "out"
    env = _crawl_env()
    crawl_wall, crawl_cpu, rss = _run(["-m", "govsites", "crawl", "--sites", str(registry), "--db", str(db),
                                       "--run", "bench", "--as-of", "2015-12-31", "--allow-private"], env)
    score_wall = 0.0
    if score:
        score_wall, _, _ = _run(["-m", "scoring", "--db", str(db), "--out", str(out), "--sites", str(registry),
                                 "--run", "bench"], env)
    con = sqlite3.connect(db)
    pages = con.execute("SELECT COUNT(*) FROM pages").fetchone()[0]
    rendered = con.execute("SELECT COUNT(*) FROM pages WHERE rendered = 1").fetchone()[0]
    links = con.execute("SELECT COUNT(*) FROM link_checks").fetchone()[0]
    con.close()
    return {"pages": pages, "rendered": rendered, "links": links, "crawl_wall": crawl_wall, "crawl_cpu": crawl_cpu,
            "rss_mib": rss / 1024, "score_wall": score_wall}


def _print_speed(f: dict[str, float]) -> None:
    pages = max(f["pages"], 1)
    print(f"页面 {f['pages']:.0f}，渲染页面 {f['rendered']:.0f}（{f['rendered'] / pages:.1%}），"
          f"检查链接 {f['links']:.0f}")
    print(f"抓取用时 {f['crawl_wall']:.1f} s：{f['pages'] / f['crawl_wall']:.1f} 页/秒，"
          f"{f['links'] / f['crawl_wall']:.1f} 链接/秒")
    print(f"CPU {1000 * f['crawl_cpu'] / pages:.1f} s / 千页（CPU/墙钟 {f['crawl_cpu'] / f['crawl_wall']:.2f}），"
          f"峰值内存 {f['rss_mib']:.0f} MiB（子进程最大值，含 Chromium）")
    if f["score_wall"]:
        print(f"评分用时 {f['score_wall']:.2f} s")


def bench_web(sites: int, pages: int, linkchecker: bool) -> None:
    from govsites.benchweb.accuracy import compare

    print(f"== 合成政府网站群：{sites} 个网站，每站约 {pages} 页（回环地址，独立服务进程） ==")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        web = ServedWeb(tmp, sites, pages)
        try:
            truth = web.truth()
            figures = crawl_and_score(web.registry, tmp)
            lc = run_linkchecker(web.registry, tmp) if linkchecker else None
        finally:
            served = web.stop()
        _print_speed(figures)
        print(f"服务端应答请求 {served}")
        acc = compare(truth, tmp / "out")
        print("-- 准确度（与真值比较） --")
        for line in acc.lines():
            print(line)
        if acc.failures:
            print(f"-- 不一致 {len(acc.failures)} 项（前 40 项） --")
            for line in acc.failures[:40]:
                print(line)
        if lc is not None:
            _print_linkchecker(lc, figures, truth)


# ---- LinkChecker ----------------------------------------------------------------------------------------
def linkchecker_bin() -> Path:
    """``.venv-bench/bin/linkchecker``, created on demand (never inside .venv)."""
    exe = BENCH_VENV / "bin" / "linkchecker"
    if not exe.exists():
        subprocess.run(["python3", "-m", "venv", str(BENCH_VENV)], check=True)  # noqa: S603,S607
        subprocess.run([str(BENCH_VENV / "bin" / "pip"), "install", "-q", LINKCHECKER], check=True)  # noqa: S603
    return exe


def run_linkchecker(registry: Path, tmp: Path) -> dict[str, Any]:
    """One LinkChecker process per site, all in parallel, external links checked, CSV output."""
    exe = linkchecker_bin()
    with registry.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    outdir = tmp / "linkchecker"
    outdir.mkdir(exist_ok=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    procs = []
    for row in rows:
        out = outdir / f"{row['site_id']}.csv"
        args = [str(exe), "--check-extern", "--recursion-level=4", "--no-status", "--timeout=15",
                f"--file-output=csv/utf-8/{out}", "-o", "none", row["home_url"]]
        procs.append((row["site_id"], out, subprocess.Popen(args, stdout=subprocess.DEVNULL,  # noqa: S603
                                                             stderr=subprocess.DEVNULL)))
    for _sid, _out, proc in procs:
        proc.wait()
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    broken: set[tuple[str, str]] = set()
    checked = 0
    for sid, out, _proc in procs:
        if not out.exists():
            continue
        lines = [ln for ln in out.read_text(encoding="utf-8").splitlines() if ln and not ln.startswith("#")]
        for row in csv.DictReader(lines, delimiter=";"):
            checked += 1
            if row.get("valid") == "False" and row.get("url"):
                broken.add((sid, normalize(row["url"])))
    return {"wall": wall, "cpu": cpu, "broken": broken, "rows": checked}


def _print_linkchecker(lc: dict[str, Any], figures: dict[str, float], truth: dict[str, Any]) -> None:
    from govsites.benchweb.accuracy import prf

    want = {(sid, u) for sid, s in truth["sites"].items() for u in s["broken"]}
    precision, recall, _ = prf(lc["broken"], want)
    print("-- LinkChecker 10.6.0（每站一个进程，全部并行，--check-extern，CSV） --")
    print(f"LinkChecker 用时 {lc['wall']:.1f} s（CPU {lc['cpu']:.1f} s，报告 {lc['rows']} 行）；"
          f"本系统抓取 {figures['crawl_wall']:.1f} s；"
          f"比值（本系统/LinkChecker）{figures['crawl_wall'] / lc['wall']:.2f}")
    print(f"LinkChecker 失效链接：精确 {precision:.3f}，召回 {recall:.3f}"
          f"（报告 {len(lc['broken'])}，真值 {len(want)}）")


def bench_linkchecker(sites: int, pages: int) -> None:
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        web = ServedWeb(tmp, sites, pages)
        try:
            truth = web.truth()
            lc = run_linkchecker(web.registry, tmp)
        finally:
            web.stop()
    from govsites.benchweb.accuracy import prf

    want = {(sid, u) for sid, s in truth["sites"].items() for u in s["broken"]}
    precision, recall, _ = prf(lc["broken"], want)
    print(f"== LinkChecker 10.6.0：{sites} 个网站 ==")
    print(f"用时 {lc['wall']:.1f} s（CPU {lc['cpu']:.1f} s）；失效链接 精确 {precision:.3f}，召回 {recall:.3f}")


# ---- curve ------------------------------------------------------------------------------------------------
def bench_curve(counts: list[int], pages: int) -> None:
    print(f"== 规模曲线（每站约 {pages} 页） ==")
    print("网站数\t页面\t墙钟 s\t页/秒\tCPU s/千页\t峰值内存 MiB")
    for n in counts:
        with tempfile.TemporaryDirectory() as tmp_name:
            tmp = Path(tmp_name)
            web = ServedWeb(tmp, n, pages, truth=False)
            try:
                f = crawl_and_score(web.registry, tmp, score=False)
            finally:
                web.stop()
        print(f"{n}\t{f['pages']:.0f}\t{f['crawl_wall']:.1f}\t{f['pages'] / f['crawl_wall']:.1f}\t"
              f"{1000 * f['crawl_cpu'] / max(f['pages'], 1):.1f}\t{f['rss_mib']:.0f}", flush=True)


def bench_typos() -> None:
    from govsites.typos.bench import run_bench

    print("== 错别字检测 ==")
    for key, value in run_bench().items():
        print(f"{key}: {value:.3f}" if isinstance(value, float) else f"{key}: {value}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m govsites.bench", description="性能与准确度基准")
    parser.add_argument("--only", choices=("demo", "typos", "web", "linkchecker", "curve"), action="append",
                        help="run only these sections (repeatable); default: demo, typos, web (with LinkChecker)")
    parser.add_argument("--sites", type=int, default=65, help="sites of the synthetic web")
    parser.add_argument("--pages", type=int, default=230, help="pages per site, approximately")
    parser.add_argument("--curve", default="", help="site counts for the cost curve, e.g. 100,500,2000")
    parser.add_argument("--curve-pages", type=int, default=40, help="pages per site in the curve")
    parser.add_argument("--no-linkchecker", action="store_true", help="skip LinkChecker in the web section")
    args = parser.parse_args(argv)
    only = set(args.only or ["demo", "typos", "web"] + (["curve"] if args.curve else []))
    if "demo" in only:
        bench_pipeline()
    if "typos" in only:
        bench_typos()
    if "web" in only:
        bench_web(args.sites, args.pages, linkchecker=not args.no_linkchecker)
    if "linkchecker" in only and "web" not in only:
        bench_linkchecker(args.sites, args.pages)
    if "curve" in only:
        bench_curve([int(n) for n in (args.curve or "100,500,2000").split(",") if n.strip()], args.curve_pages)
    return 0


if __name__ == "__main__":
    sys.exit(main())
