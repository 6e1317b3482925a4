"""``make bench``: print speed and accuracy figures.

``python -m bench [--only demo|typos|web|linkchecker|curve|distributed|parking] [--sites 65] [--pages 285]
[--curve 100,500]``

- the synthetic government web (:mod:`bench.web`, default 65 sites, ~15,000 pages) served by a separate
  process: the whole pipeline's speed and its accuracy against the web's truth;
- LinkChecker 10.6.0 (in its own ``.venv-bench``) on the same web: time and broken-link accuracy;
- a cost curve over growing site counts (``--curve``);
- one crawl process, local processes and distributed workers (Redis, PostgreSQL) on one web
  (:mod:`bench.distributed`);
- the same first crawl with kept browser pages parked on a blank document and left on their page, alternated
  (``parking``);
- the whole pipeline (crawl, link checks, typos, store, scoring) over the bundled demo web served on loopback:
  pages/s, distinct links checked/s, rendered pages and their share, CPU seconds per 1,000 pages, peak RSS of
  the crawl process, time of the score stage, and accuracy against the demo web's expected results;
- the typo detector alone: MB/s, precision and recall on the labelled corpus.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import os
import sqlite3
import statistics
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from bench.distributed import bench_distributed
from bench.floor import run_floor
from bench.hostuse import busiest_host, host_use_line, stamp_seconds
from bench.linkchecker import run_linkchecker
from bench.served import ServedWeb, crawl_env, run_child
from bench.typos import run_bench
from bench.web.accuracy import compare, prf
from bench.web.truth import link_pattern
from govsites.cli import parse_workers
from govsites.config import GovsitesConfig
from govsites.demo import AS_OF, DemoWeb
from govsites.demo.expected import load_expected


def bench_pipeline() -> None:
    expected: dict[str, Any] = load_expected()
    with tempfile.TemporaryDirectory() as tmp, DemoWeb(port=0) as web:
        registry = web.write_registry(Path(tmp) / "sites.csv")
        figures = crawl_and_score(registry, Path(tmp), as_of=AS_OF.isoformat())
        with (Path(tmp) / "out" / "columns.csv").open(encoding="utf-8") as f:
            found = {(r["site_id"], r["url"].split("/", 3)[-1], r["status"]) for r in csv.DictReader(f)}
        want = {
            (sid, c["path"].lstrip("/"), c["status"])
            for sid, site in expected["sites"].items()
            for c in site["columns"]
        }
    precision, recall, _f1 = prf(found, want)
    print("== 全流程（演示网站，回环地址） ==")
    _print_speed(figures)
    print(f"栏目状态准确率：召回 {recall:.3f}，精确 {precision:.3f}（{len(found & want)}/{len(want)}）")


# ---- the synthetic web ----------------------------------------------------------------------------------
def crawl_and_score(
    registry: Path,
    tmp: Path,
    *,
    score: bool = True,
    max_pages: int = 0,
    workers: str = "auto",
    as_of: str = "2015-12-31",
    run: str = "bench",
    store: str = "bench.sqlite",
    settings: dict[str, str] | None = None,
) -> dict[str, float]:
    """Crawl (as ``make crawl`` does: ``--workers auto``, one process per core) and score a served web.
    ``store``: the SQLite file in ``tmp`` (another one: a first crawl again, its answers kept apart);
    ``settings``: ``GOVSITES_*`` values of this crawl."""
    db, out = tmp / store, tmp / ("out" if run == "bench" else f"out-{run}")
    env = {**crawl_env(), **(settings or {})}
    if max_pages:
        env["GOVSITES_MAX_PAGES"] = str(max_pages)
    crawl_wall, crawl_cpu, rss, browser_cpu = run_child(
        [
            "-m",
            "govsites",
            "crawl",
            "--sites",
            str(registry),
            "--db",
            str(db),
            "--run",
            run,
            "--as-of",
            as_of,
            "--allow-private",
            "--workers",
            workers,
        ],
        env,
    )
    score_wall = 0.0
    if score:
        score_wall, _, _, _ = run_child(
            ["-m", "scoring", "--db", str(db), "--out", str(out), "--sites", str(registry), "--run", run], env
        )
    con = sqlite3.connect(db)
    run_id = con.execute("SELECT id FROM runs WHERE label = ?", (run,)).fetchone()[0]
    pages = con.execute("SELECT COUNT(*) FROM pages WHERE run_id = ?", (run_id,)).fetchone()[0]
    rendered = con.execute("SELECT COUNT(*) FROM pages WHERE rendered = 1 AND run_id = ?", (run_id,)).fetchone()[0]
    links = con.execute("SELECT COUNT(*) FROM link_checks WHERE run_id = ?", (run_id,)).fetchone()[0]
    # per path: mean time from request to response (the browser's includes rendering); 0 = not measured
    paths = dict(
        con.execute(
            "SELECT rendered, AVG(elapsed_ms) FROM pages WHERE elapsed_ms > 0 AND run_id = ? GROUP BY rendered",
            (run_id,),
        )
    )
    con.close()
    return {
        "pages": pages,
        "rendered": rendered,
        "links": links,
        "crawl_wall": crawl_wall,
        "crawl_cpu": crawl_cpu,
        "browser_cpu": browser_cpu,
        "rss_mib": rss / 1024,
        "score_wall": score_wall,
        "plain_ms": paths.get(0, 0.0),
        "rendered_ms": paths.get(1, 0.0),
    }


#: Pages the browser renders at once per process (``GOVSITES_RENDER_PAGES``, as the bench's crawls run).
RENDER_SLOTS = GovsitesConfig.from_settings({}).render_pages


def _print_speed(f: dict[str, float]) -> None:
    pages = max(f["pages"], 1)
    print(
        f"页面 {f['pages']:.0f}，渲染页面 {f['rendered']:.0f}（{f['rendered'] / pages:.1%}），检查链接 {f['links']:.0f}"
    )
    print(
        f"抓取用时 {f['crawl_wall']:.1f} s：{f['pages'] / f['crawl_wall']:.1f} 页/秒，"
        f"{f['links'] / f['crawl_wall']:.1f} 链接/秒"
    )
    plain = f["pages"] - f["rendered"]
    print(
        f"普通页面 {plain:.0f} 个（{plain / f['crawl_wall']:.1f} 页/秒，单页平均 {f.get('plain_ms', 0):.0f} ms）；"
        f"浏览器渲染页面 {f['rendered']:.0f} 个（单页平均 {f.get('rendered_ms', 0):.0f} ms，含渲染等待，"
        f"同时最多 {RENDER_SLOTS} 页 ≈ {RENDER_SLOTS * 1000 / max(f.get('rendered_ms', 0), 1):.1f} 页/秒上限）"
    )
    print(
        f"CPU {1000 * f['crawl_cpu'] / pages:.1f} s / 千页（CPU/墙钟 {f['crawl_cpu'] / f['crawl_wall']:.2f}），"
        f"峰值内存 {f['rss_mib']:.0f} MiB（子进程最大值，含 Chromium）"
    )
    if f.get("browser_cpu"):
        print(
            f"CPU 合计 {f['crawl_cpu']:.1f} s，其中 Chromium 各进程约 {f['browser_cpu']:.1f} s，"
            f"抓取进程（含 Playwright 驱动）约 {f['crawl_cpu'] - f['browser_cpu']:.1f} s"
        )
    if f["score_wall"]:
        print(f"评分用时 {f['score_wall']:.2f} s")


#: The outputs a second crawl of the unchanged web must reproduce.
SAME_OUTPUTS = ("metrics.csv", "columns.csv", "links.csv", "typos.csv")


def bench_web(
    sites: int,
    pages: int,
    linkchecker: bool,
    workers: str = "auto",
    latency: tuple[int, int] = (0, 0),
    repeat: int = 1,
) -> None:
    slow = f"，主机应答 {latency[0]}–{latency[1]} ms" if latency[1] else ""
    print(
        f"== 合成政府网站群：{sites} 个网站，每站约 {pages} 页（回环地址，独立服务进程{slow}；"
        f"抓取进程 --workers {workers}） =="
    )
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        web = ServedWeb(tmp, sites, pages, latency=latency)
        try:
            truth = web.truth()
            start = web.counters()
            figures = crawl_and_score(web.registry, tmp, workers=workers)
            first = web.counters()
            floor = run_floor(tmp / "bench.sqlite", tmp, parse_workers(workers), crawl_env(), run="bench")
            before_second = web.counters()
            again = crawl_and_score(web.registry, tmp, workers=workers, run="bench2")
            second = web.counters()
            # the same first crawl with the dark-link check reading raw home pages: what its renders cost
            raw_home = crawl_and_score(
                web.registry,
                tmp,
                workers=workers,
                run="raw-home",
                store="raw-home.sqlite",
                score=False,
                settings={"GOVSITES_SECURITY_HOME_RENDER": "0"},
            )
        finally:
            served = web.stop()
        pairs = [(figures, floor)]
        pairs += more_pairs(tmp, sites, pages, latency, web.port, workers, repeat - 1)
        _print_speed(figures)
        _print_second_crawl(
            first["bytes"] - start["bytes"], second["bytes"] - before_second["bytes"], figures, again, tmp
        )
        config = GovsitesConfig.from_settings({})
        timeout = config.link_timeout
        challenged = frozenset(sid for sid, site in truth["sites"].items() if site.get("challenge"))
        print_breakdown(wall_breakdown(tmp / "bench.sqlite", timeout, challenged=challenged), figures["crawl_wall"])
        busiest = busiest_host(tmp / "bench.sqlite", config.per_host)
        if busiest is not None:
            print(host_use_line(busiest))
        _print_politeness(first["peak"])
        _print_floor(figures, floor)
        _print_pairs(pairs)
        _print_raw_home(figures, raw_home, floor)
        print(f"服务端应答请求 {served}（含地板爬虫的请求）")
        acc = compare(truth, tmp / "out")
        print("-- 准确度（与真值比较） --")
        for line in acc.lines():
            print(line)
        if acc.failures:
            print(f"-- 不一致 {len(acc.failures)} 项（前 40 项） --")
            for line in acc.failures[:40]:
                print(line)
        if linkchecker:
            for header in (False, True):  # a fresh server each (its 503-once pages answer 503 again)
                lc_tmp = tmp / f"lc-{int(header)}"
                lc_tmp.mkdir()
                lc_web = ServedWeb(
                    lc_tmp, sites, pages, truth=False, port=web.port, linkchecker_header=header, latency=latency
                )
                try:
                    lc = run_linkchecker(lc_web.registry, lc_tmp)
                finally:
                    lc["served"] = lc_web.stop()
                _print_linkchecker(lc, figures, truth, acc, unthrottled=header)


def longest_silences(answers: dict[str, list[float]], ends: dict[str, float]) -> dict[str, tuple[float, float]]:
    """Each site's longest stretch between its first answer and its end with no answer of it at all (a page
    read or a link checked): ``(from, to)`` in the store's seconds. A slow host left idle there (its requests
    waiting for the crawl's CPU, its pages held for a round of the crawl caps, a render it waits for) is time the
    site's end moves by."""
    longest: dict[str, tuple[float, float]] = {}
    for site, end in ends.items():
        times = sorted(answers.get(site, []))
        if not times:
            continue
        stops = [*times, max(end, times[-1])]
        longest[site] = max(itertools.pairwise(stops), key=lambda span: span[1] - span[0])
    return longest


def wall_breakdown(
    db: Path, timeout: float, run: str = "bench", challenged: frozenset[str] = frozenset()
) -> dict[str, Any]:
    """Where the crawl's wall time went, from the store's own timestamps: the ramp (start → each site's first
    page; apart, the longest of the sites not in ``challenged``, whose first page waits for a browser pass of
    their JS challenge), the tail (90 % of the sites done → the last), each site's longest silence
    (:func:`longest_silences`: the median over sites and the longest, with its site and when), rendering (browser
    time of rendered pages, summed), timeouts (links that timed out × the timeout, summed; they overlap other
    work)."""
    con = sqlite3.connect(db)
    try:
        (rid,) = con.execute("SELECT id FROM runs WHERE label = ?", (run,)).fetchone()
        sites = con.execute(
            "SELECT site_id, started_at, finished_at FROM run_sites WHERE finished_at IS NOT NULL AND run_id = ?",
            (rid,),
        )
        spans = {sid: (stamp_seconds(a), stamp_seconds(b)) for sid, a, b in sites.fetchall()}
        firsts = dict(
            con.execute("SELECT site_id, MIN(fetched_at) FROM pages WHERE run_id = ? GROUP BY site_id", (rid,))
        )
        rendered_ms = con.execute(
            "SELECT COALESCE(SUM(elapsed_ms), 0) FROM pages WHERE rendered = 1 AND run_id = ?", (rid,)
        ).fetchone()[0]
        timeouts = con.execute(
            "SELECT COUNT(*) FROM link_checks WHERE status = 'timeout' AND run_id = ?", (rid,)
        ).fetchone()[0]
        answers: dict[str, list[float]] = {}
        for sid, stamp in con.execute(
            "SELECT site_id, fetched_at FROM pages WHERE run_id = ?"
            " UNION ALL SELECT site_id, checked_at FROM link_checks WHERE run_id = ?",
            (rid, rid),
        ):
            answers.setdefault(sid, []).append(stamp_seconds(stamp))
    finally:
        con.close()
    if not spans:
        return {}
    start = min(a for a, _ in spans.values())
    ends = sorted(b for _, b in spans.values())
    waits = sorted(stamp_seconds(firsts[s]) - start for s in spans if firsts.get(s))
    open_waits = [stamp_seconds(firsts[s]) - start for s in spans if firsts.get(s) and s not in challenged]
    p90 = ends[max(0, int(len(ends) * 0.9) - 1)]
    silences = longest_silences(answers, {sid: end for sid, (_, end) in spans.items()})
    ranked = sorted(silences.items(), key=lambda item: item[1][1] - item[1][0])  # shortest first
    median = ranked[len(ranked) // 2][1] if ranked else (0.0, 0.0)
    worst, (worst_from, worst_to) = ranked[-1] if ranked else ("", (start, start))
    return {
        "silence_median": median[1] - median[0],
        "silence_site": worst,
        "silence_from": worst_from - start,
        "silence_to": worst_to - start,
        "span": ends[-1] - start,
        "ramp_median": waits[len(waits) // 2] if waits else 0.0,
        "ramp_max": waits[-1] if waits else 0.0,
        "ramp_max_open": max(open_waits, default=0.0),
        "challenged": float(len(challenged & spans.keys())),
        "tail": ends[-1] - p90,
        "rendering": rendered_ms / 1000,
        "timeouts": float(timeouts),
        "timeout_seconds": timeouts * timeout,
    }


def print_breakdown(b: dict[str, Any], wall: float) -> None:
    """Print where the crawl's wall time went (:func:`wall_breakdown`'s figures) beside its whole wall time."""
    if not b:
        return
    print(
        f"-- 墙钟去向（据存储的时间戳：首站开始到末站完成 {b['span']:.1f} s；其余 {wall - b['span']:.1f} s 为进程启动、"
        "导入、浏览器启动和收尾） --\n"
        f"起步：各站首个页面距开始 中位 {b['ramp_median']:.1f} s，最长 {b['ramp_max']:.1f} s"
        + (
            f"（{b['challenged']:.0f} 个站点须先由浏览器通过 JS 验证，其余站点最长 {b['ramp_max_open']:.1f} s）；"
            if b.get("challenged")
            else "；"
        )
        + f"尾部：九成网站完成后到最后一站完成 {b['tail']:.1f} s；"
        + (
            f"各站最长无应答间隔（首个应答到完成之间，该站没有任何页面或链接应答）中位 {b['silence_median']:.1f} s，"
            f"最长 {b['silence_to'] - b['silence_from']:.1f} s（{b['silence_site']}，开始后 "
            f"{b['silence_from']:.0f}–{b['silence_to']:.0f} s）；"
            if b.get("silence_site")
            else ""
        )
        + f"浏览器渲染合计 {b['rendering']:.1f} s（与其他工作重叠）；"
        f"超时链接 {b['timeouts']:.0f} 个 × 超时 = {b['timeout_seconds']:.0f} s（与其他工作重叠）"
    )


def _print_politeness(peak: int) -> None:
    """The most requests one host of the web answered at once during our first crawl, beside what may reach it."""
    config = GovsitesConfig.from_settings({})
    print(
        f"-- 礼貌性：第一次抓取中单个主机同时应答的请求最多 {peak} 个（每主机并发 GOVSITES_PER_HOST = "
        f"{config.per_host}；浏览器渲染另走渲染槽，每进程最多 {config.render_pages} 页，"
        f"每主机同时最多 {config.render_per_host} 页（GOVSITES_RENDER_PER_HOST），页面自身的脚本请求也落在同一主机） --"
    )


def _print_second_crawl(first: int, second: int, figures: dict[str, float], again: dict[str, float], tmp: Path) -> None:
    """The same web crawled again at once (unchanged): bytes, time, and whether the outputs are the same."""
    same = [
        name for name in SAME_OUTPUTS if (tmp / "out" / name).read_bytes() == (tmp / "out-bench2" / name).read_bytes()
    ]
    print(
        f"-- 第二次抓取（网站未变，条件请求）：传输正文 {second / 1e6:.2f} MB，为第一次 {first / 1e6:.2f} MB 的 "
        f"{second / max(first, 1):.1%}（目标 ≤ 25%）；用时 {again['crawl_wall']:.1f} s（第一次 "
        f"{figures['crawl_wall']:.1f} s），CPU {again['crawl_cpu']:.1f} s；输出相同 {len(same)}/{len(SAME_OUTPUTS)}"
        f"（{'、'.join(n for n in SAME_OUTPUTS if n not in same) or '全部相同'}） --"
    )


def _print_floor(figures: dict[str, float], floor: dict[str, float]) -> None:
    """Our crawl beside the floor (bench.floor): the same URLs fetched by a plain Scrapy spider."""
    print(
        f"-- 地板：纯 Scrapy 爬虫按本次抓取的网址逐一请求（页面 GET、链接 HEAD，共 {floor['requests']:.0f} 个，"
        f"{floor['processes']:.0f} 个进程，同样的并发、超时和重试，不处理应答） --"
    )
    print(f"地板用时 {floor['wall']:.1f} s，CPU {floor['cpu']:.1f} s")
    print(
        f"govsites 抓取为地板的 墙钟 {figures['crawl_wall'] / max(floor['wall'], 1e-9):.2f} 倍，"
        f"CPU {figures['crawl_cpu'] / max(floor['cpu'], 1e-9):.2f} 倍（目标：墙钟 ≤ 1.25 倍，CPU ≤ 1.5 倍）"
    )
    if figures.get("browser_cpu"):
        browser, base = figures["browser_cpu"], max(floor["cpu"], 1e-9)
        plain = figures["crawl_cpu"] - browser
        print(
            f"（不计 Chromium：抓取进程 CPU 约 {plain:.1f} s，为地板的 {plain / base:.2f} 倍；"
            f"Chromium 约 {browser:.1f} s，相当于地板的 {browser / base:.2f} 倍）"
        )


def more_pairs(
    tmp: Path, sites: int, pages: int, latency: tuple[int, int], port: int, workers: str, count: int
) -> list[tuple[dict[str, float], dict[str, float]]]:
    """``count`` more (first crawl, floor) pairs, for the ratios' spread on a machine whose speed moves. Each pair
    has a fresh web server on the same port (its pages that answer 503 once answer it again, as in the first
    pair), a fresh store (a first crawl, nothing kept), and the floor over the first crawl's URLs; which of the
    two goes first alternates, starting with the floor (the first pair's crawl went first)."""
    pairs = []
    processes = parse_workers(workers)
    for number in range(count):
        here = tmp / f"pair-{number + 2}"
        here.mkdir()
        web = ServedWeb(here, sites, pages, truth=False, port=port, latency=latency)
        try:
            if number % 2 == 0:
                floor = run_floor(tmp / "bench.sqlite", here, processes, crawl_env(), run="bench")
                crawl = crawl_and_score(web.registry, here, workers=workers, score=False)
            else:
                crawl = crawl_and_score(web.registry, here, workers=workers, score=False)
                floor = run_floor(tmp / "bench.sqlite", here, processes, crawl_env(), run="bench")
        finally:
            web.stop()
        pairs.append((crawl, floor))
    return pairs


def _print_pairs(pairs: list[tuple[dict[str, float], dict[str, float]]]) -> None:
    """Every (crawl, floor) pair's ratios and their medians: one pair is not a measurement where the machine's
    speed moves (the floor alone has ranged 50-81 CPU-s between runs, docs/benchmarks.md)."""
    if len(pairs) < 2:
        return
    walls = [crawl["crawl_wall"] / max(floor["wall"], 1e-9) for crawl, floor in pairs]
    cpus = [crawl["crawl_cpu"] / max(floor["cpu"], 1e-9) for crawl, floor in pairs]
    shown = "；".join(
        f"第 {n} 对 {crawl['crawl_wall']:.1f}/{floor['wall']:.1f} s、{crawl['crawl_cpu']:.1f}/{floor['cpu']:.1f} CPU-s"
        f"（Chromium {crawl['browser_cpu']:.1f}）= {wall:.2f}/{cpu:.2f} 倍"
        for n, ((crawl, floor), wall, cpu) in enumerate(zip(pairs, walls, cpus, strict=True), 1)
    )
    print(f"-- 重复测量 {len(pairs)} 对（抓取/地板：墙钟、CPU；每对新起网站服务，先后交替）：{shown} --")
    print(
        f"中位数：墙钟 {statistics.median(walls):.2f} 倍（{min(walls):.2f}–{max(walls):.2f}），"
        f"CPU {statistics.median(cpus):.2f} 倍（{min(cpus):.2f}–{max(cpus):.2f}）（目标：墙钟 ≤ 1.25 倍，CPU ≤ 1.5 倍）"
    )


def _print_raw_home(figures: dict[str, float], raw: dict[str, float], floor: dict[str, float]) -> None:
    """The first crawl again with ``GOVSITES_SECURITY_HOME_RENDER=0`` (the dark-link check on raw home pages
    only): what rendering every home page that runs scripts costs, beside the floor. It runs last, on the same
    served web (whose pages that answer 503 once have answered it by then), so its difference from the first crawl
    is one sample: on a machine whose speed moves it is not a measurement (docs/benchmarks.md, run M)."""
    base = max(floor["cpu"], 1e-9)
    print(
        f"（同一网站再抓一次、首页不渲染（GOVSITES_SECURITY_HOME_RENDER=0，暗链检查只读原始页面）：墙钟 "
        f"{raw['crawl_wall']:.1f} s，CPU {raw['crawl_cpu']:.1f} s（Chromium 约 {raw['browser_cpu']:.1f} s），"
        f"为地板的 {raw['crawl_cpu'] / base:.2f} 倍；两次之差 {figures['crawl_cpu'] - raw['crawl_cpu']:.1f} CPU-s，"
        "单次之差，机器快慢的变化可能大于它）"
    )


def _print_linkchecker(
    lc: dict[str, Any], figures: dict[str, float], truth: dict[str, Any], acc: Any = None, *, unthrottled: bool = False
) -> None:
    want = {(sid, u) for sid, s in truth["sites"].items() for u in s["broken"]}
    precision, recall, _ = prf(lc["broken"], want)
    mode = (
        "服务器发送 LinkChecker 头，取消其每主机 0.1–0.6 s 间隔"
        if unthrottled
        else "真实网站上的用法：maxrequestspersecond=1000，其内置每主机 0.1–0.6 s 间隔仍在"
    )
    print(f"-- LinkChecker 10.6.0（每站一个进程，全部并行，--check-extern -r4，CSV；{mode}） --")
    ours = figures["crawl_wall"] + figures["score_wall"]
    print(
        f"LinkChecker 用时 {lc['wall']:.1f} s（CPU {lc['cpu']:.1f} s，报告 {lc['rows']} 行，"
        f"服务端应答 {lc.get('served', 0)} 请求）；本系统全流程（抓取+评分）{ours:.1f} s，"
        f"LinkChecker/本系统 = {lc['wall'] / ours:.2f} 倍（仅抓取 {lc['wall'] / figures['crawl_wall']:.2f} 倍）"
    )
    if not unthrottled:  # the target: a user cannot make real sites send LinkChecker's header
        verdict = "达到" if lc["wall"] >= 3 * ours else "未达到"
        print(f"目标“全流程至少比 LinkChecker 快 3 倍”：{verdict}")
    print(
        f"LinkChecker 失效链接：精确 {precision:.3f}，召回 {recall:.3f}（报告 {len(lc['broken'])}，真值 {len(want)}）",
        end="",
    )
    if acc is not None:
        print(
            f"；本系统：精确 {acc.figures['broken_link_precision']:.3f}，召回 {acc.figures['broken_link_recall']:.3f}"
        )
    else:
        print()
    misses, extras = sorted(want - lc["broken"]), sorted(lc["broken"] - want)
    print(f"LinkChecker 漏报 {len(misses)}（按类型）：{dict(Counter(link_pattern(u) for _s, u in misses))}")
    print(f"LinkChecker 误报 {len(extras)}（按类型）：{dict(Counter(link_pattern(u) for _s, u in extras))}")


def bench_linkchecker(sites: int, pages: int) -> None:
    print(f"== LinkChecker 10.6.0：{sites} 个网站 ==")
    for header in (False, True):
        with tempfile.TemporaryDirectory() as tmp_name:
            tmp = Path(tmp_name)
            web = ServedWeb(tmp, sites, pages, linkchecker_header=header)
            try:
                truth = web.truth()
                lc = run_linkchecker(web.registry, tmp)
            finally:
                web.stop()
        want = {(sid, u) for sid, s in truth["sites"].items() for u in s["broken"]}
        precision, recall, _ = prf(lc["broken"], want)
        mode = "无间隔（LinkChecker 头）" if header else "默认间隔"
        print(
            f"{mode}：用时 {lc['wall']:.1f} s（CPU {lc['cpu']:.1f} s）；"
            f"失效链接 精确 {precision:.3f}，召回 {recall:.3f}（报告 {len(lc['broken'])}，真值 {len(want)}）"
        )


# ---- parking ----------------------------------------------------------------------------------------------
def bench_parking(sites: int, pages: int, latency: tuple[int, int], workers: str = "auto", repeat: int = 2) -> None:
    """The same first crawl with kept browser pages parked on a blank document (``GOVSITES_RENDER_PAGE_PARK=1``,
    the default) and left on the page they rendered (``=0``), alternated ``repeat`` times on one served web whose
    home pages scroll a news box (:data:`govsites.demo.sites.COMMON_JS`): what a kept page's scripts cost while it
    waits for the next render."""
    slow = f"，主机应答 {latency[0]}–{latency[1]} ms" if latency[1] else ""
    print(f"== 浏览器页面复用时停放于空白页：{sites} 个网站，每站约 {pages} 页{slow}（首页有滚动新闻脚本） ==")
    runs: dict[str, list[dict[str, float]]] = {"1": [], "0": []}
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        web = ServedWeb(tmp, sites, pages, truth=False, latency=latency)
        try:
            for n in range(repeat):
                for park in ("1", "0") if n % 2 == 0 else ("0", "1"):
                    runs[park].append(
                        crawl_and_score(
                            web.registry,
                            tmp,
                            workers=workers,
                            run=f"park{park}-{n}",
                            store=f"park{park}-{n}.sqlite",
                            score=False,
                            settings={"GOVSITES_RENDER_PAGE_PARK": park},
                        )
                    )
        finally:
            web.stop()
    for park, label in (("1", "停放（默认）"), ("0", "不停放")):
        shown = "；".join(
            f"墙钟 {f['crawl_wall']:.1f} s，CPU {f['crawl_cpu']:.1f} s（Chromium 约 {f['browser_cpu']:.1f} s），"
            f"{f['pages']:.0f} 页"
            for f in runs[park]
        )
        print(f"{label}：{shown}")
    browser = [(p["browser_cpu"], k["browser_cpu"]) for p, k in zip(runs["1"], runs["0"], strict=True)]
    print(
        "Chromium CPU 之差（不停放 − 停放，逐对）："
        + "、".join(f"{kept - parked:.1f} s" for parked, kept in browser)
        + f"；中位数 {statistics.median(kept - parked for parked, kept in browser):.1f} s"
    )


# ---- curve ------------------------------------------------------------------------------------------------
def bench_curve(
    counts: list[int], pages: int, max_pages: int = 0, workers: str = "auto", latency: tuple[int, int] = (0, 0)
) -> None:
    cap = f"，每站抓取上限 {max_pages} 页（GOVSITES_MAX_PAGES）" if max_pages else ""
    slow = f"，主机应答 {latency[0]}–{latency[1]} ms" if latency[1] else ""
    print(f"== 规模曲线（每站约 {pages} 页{cap}{slow}） ==")
    print("网站数\t页面\t检查链接\t墙钟 s\t页/秒\tCPU s/千页\tCPU s/站\t峰值内存 MiB")
    for n in counts:
        with tempfile.TemporaryDirectory() as tmp_name:
            tmp = Path(tmp_name)
            web = ServedWeb(tmp, n, pages, truth=False, latency=latency)
            try:
                f = crawl_and_score(web.registry, tmp, score=False, max_pages=max_pages, workers=workers)
            finally:
                web.stop()
        print(
            f"{n}\t{f['pages']:.0f}\t{f['links']:.0f}\t{f['crawl_wall']:.1f}\t{f['pages'] / f['crawl_wall']:.1f}\t"
            f"{1000 * f['crawl_cpu'] / max(f['pages'], 1):.1f}\t{f['crawl_cpu'] / n:.2f}\t{f['rss_mib']:.0f}",
            flush=True,
        )


def bench_typos() -> None:
    print("== 错别字检测 ==")
    for key, value in run_bench().items():
        print(f"{key}: {value:.3f}" if isinstance(value, float) else f"{key}: {value}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description="性能与准确度基准")
    parser.add_argument(
        "--only",
        choices=("demo", "typos", "web", "linkchecker", "curve", "distributed", "parking"),
        action="append",
        help="run only these sections (repeatable); default: demo, typos, web (with LinkChecker), distributed, parking",
    )
    parser.add_argument("--sites", type=int, default=65, help="sites of the synthetic web")
    parser.add_argument(
        "--pages", type=int, default=285, help="pages per site, approximately (285: ~15,000 stored pages over 65 sites)"
    )
    parser.add_argument("--curve", default="", help="site counts for the cost curve, e.g. 100,500,2000")
    parser.add_argument(
        "--curve-pages",
        type=int,
        default=40,
        help="pages per site in the curve's web (the generator's floor is ~60 pages per site)",
    )
    parser.add_argument(
        "--curve-max-pages", type=int, default=0, help="GOVSITES_MAX_PAGES for the curve's crawls (0: the default cap)"
    )
    parser.add_argument("--no-linkchecker", action="store_true", help="skip LinkChecker in the web section")
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="(first crawl, floor) pairs in the web section, for the ratios' medians and spread (1: the first only)",
    )
    parser.add_argument(
        "--latency",
        default="50,2000",
        help="the web section's hosts answer within MIN,MAX ms (log-uniform per host, as real hosts); 0,0: at once",
    )
    parser.add_argument(
        "--workers",
        default=os.environ.get("GOVSITES_WORKERS") or "auto",
        help="crawl processes (as make crawl WORKERS=…; default auto: one per core)",
    )
    parser.add_argument(
        "--distributed-sites", type=int, default=20, help="sites of the distributed section's web (its own, smaller)"
    )
    parser.add_argument("--distributed-pages", type=int, default=120, help="pages per site in that web")
    parser.add_argument(
        "--distributed-workers", type=int, default=2, help="local processes and distributed workers compared"
    )
    parser.add_argument("--parking-sites", type=int, default=24, help="sites of the parking section's web")
    parser.add_argument("--parking-pages", type=int, default=80, help="pages per site in that web")
    args = parser.parse_args(argv)
    only = set(args.only or ["demo", "typos", "web", "distributed", "parking"] + (["curve"] if args.curve else []))
    if "demo" in only:
        bench_pipeline()
    if "typos" in only:
        bench_typos()
    low, _, high = args.latency.partition(",")
    latency = (int(low or 0), int(high or 0))
    if "web" in only:
        bench_web(
            args.sites,
            args.pages,
            linkchecker=not args.no_linkchecker,
            workers=args.workers,
            latency=latency,
            repeat=args.repeat,
        )
    if "linkchecker" in only and "web" not in only:
        bench_linkchecker(args.sites, args.pages)
    if "distributed" in only:
        bench_distributed(args.distributed_sites, args.distributed_pages, latency, args.distributed_workers)
    if "parking" in only:
        bench_parking(args.parking_sites, args.parking_pages, latency, args.workers)
    if "curve" in only:
        bench_curve(
            [int(n) for n in (args.curve or "100,500,2000").split(",") if n.strip()],
            args.curve_pages,
            args.curve_max_pages,
            args.workers,
            latency,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
