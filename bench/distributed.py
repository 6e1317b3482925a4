"""``python -m bench --only distributed``: one crawl process, ``make crawl``'s local processes and distributed
workers (scrapy-redis queue, per-site state in Redis, one PostgreSQL store) crawl the same served web in one run.

Printed for each: wall and CPU seconds (Chromium's included, as the web section counts them), pages read and
pages a cap refused; for the distributed crawl also the CPU of redis-server and of PostgreSQL (its server
processes), per 1,000 pages: the coordination costs ``docs/scaling.md``'s census plan is sized from. Each site's
pages read and capped must be the same in all three crawls (stable caps, :mod:`govsites.caps`); the section says
which sites differ when they are not.

Needs redis-server and PostgreSQL's server binaries (Debian packages redis-server, postgresql): without them the
section says what is missing and is skipped. Redis and PostgreSQL run on this machine beside the crawl.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.childcpu import BrowserCpu, ChildCpu
from bench.localservers import missing_reason, postgres_server, redis_server
from bench.served import ServedWeb, crawl_env
from govsites.store import Store

AS_OF = "2015-12-31"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Crawl:
    """What one crawl of the web cost and read."""

    name: str
    wall: float
    cpu: float
    browser_cpu: float
    sites: dict[str, tuple[int, int]]  # site -> (pages read, pages capped)
    rendered: int  # pages the browser rendered (lists; the home pages' renders for the dark-link check aside)

    @property
    def pages(self) -> int:
        return sum(pages for pages, _ in self.sites.values())

    @property
    def capped(self) -> int:
        return sum(capped for _, capped in self.sites.values())


def crawl_args(registry: Path, db: str, run: str, *extra: str) -> list[str]:
    command = ["-m", "govsites", "crawl", "--sites", str(registry), "--db", db, "--run", run, "--as-of", AS_OF]
    return [*command, "--allow-private", *extra]


def run_processes(commands: list[list[str]], env: dict[str, str], logs: Path) -> tuple[float, float, float]:
    """Wall, CPU and Chromium's CPU (about) of ``commands`` run at once as children, once all have ended; each
    one's log in ``logs`` (a file each: a pipe left unread would stall a chatty worker while another is waited
    for)."""
    logs.mkdir(parents=True, exist_ok=True)
    usage, browser = ChildCpu(), BrowserCpu()
    started = time.perf_counter()
    procs = []
    for index, command in enumerate(commands):
        with (logs / f"{index}.log").open("w", encoding="utf-8") as log:
            procs.append(
                subprocess.Popen(  # noqa: S603 - our own module
                    [sys.executable, *command], env=env, stdout=subprocess.DEVNULL, stderr=log
                )
            )
    codes = [proc.wait() for proc in procs]
    browser_cpu, _ = browser.stop()
    wall = time.perf_counter() - started
    spent = usage.stop()
    failed = [
        (logs / f"{index}.log").read_text(encoding="utf-8", errors="replace")[-2000:]
        for index, code in enumerate(codes)
        if code != 0
    ]
    if failed:
        raise RuntimeError("crawl failed:\n" + "\n".join(failed))
    return wall, spent.cpu, browser_cpu


def site_pages(db: str, run: str) -> tuple[dict[str, tuple[int, int]], int]:
    """Each site's (pages read, pages capped) as the crawl stored them, and the pages it rendered."""
    with Store(db) as store:
        found = store.get_run(run)
        assert found is not None
        sites = {str(s["site_id"]): (int(s["pages"]), int(s["pages_capped"])) for s in store.run_sites(found.id)}
        rendered = store.query_tuples("SELECT COUNT(*) FROM pages WHERE run_id = ? AND rendered = 1", (found.id,))
    return sites, int(rendered[0][0])


def redis_cpu(url: str) -> float:
    import redis

    info = redis.Redis.from_url(url).info("cpu")
    return float(info["used_cpu_user"]) + float(info["used_cpu_sys"])


def redis_reads(url: str) -> tuple[int, int]:
    """Read events (about one per round trip: a command, a pipeline) and commands the Redis at ``url`` has
    processed since it started."""
    import redis

    info = redis.Redis.from_url(url).info("stats")
    return int(info["total_reads_processed"]), int(info["total_commands_processed"])


def postgres_cpu(port: int) -> float:
    """CPU seconds of the PostgreSQL server listening on ``port``: its postmaster, the backends it has reaped
    and those still running (from ``/proc``)."""
    stats: dict[int, list[str]] = {}
    postmaster = 0
    for proc in Path("/proc").glob("[0-9]*"):
        with contextlib.suppress(OSError, IndexError):
            stats[int(proc.name)] = (proc / "stat").read_text().rsplit(")", 1)[1].split()
            command = (proc / "cmdline").read_bytes().split(b"\0")
            if command[0].endswith(b"/postgres") and str(port).encode() in command:
                postmaster = int(proc.name)
    if not postmaster:
        return 0.0

    def ticks(fields: list[str], reaped: bool) -> int:
        # fields after the command: state ppid … utime stime cutime cstime at 11..14 (0-based after ")")
        own = int(fields[11]) + int(fields[12])
        return own + (int(fields[13]) + int(fields[14]) if reaped else 0)

    total = ticks(stats[postmaster], reaped=True)
    total += sum(ticks(fields, reaped=False) for pid, fields in stats.items() if int(fields[1]) == postmaster)
    return total / CLOCK_TICKS


def single(web: ServedWeb, tmp: Path, name: str, workers: str, env: dict[str, str]) -> Crawl:
    db = tmp / f"{name}.sqlite"
    run_env = {**env, "GOVSITES_HTTPCACHE_DIR": str(tmp / f"{name}.httpcache")}
    command = crawl_args(web.registry, str(db), name, "--workers", workers)
    wall, cpu, browser = run_processes([command], run_env, tmp / "logs" / name)
    return Crawl(name, wall, cpu, browser, *site_pages(str(db), name))


@dataclass(frozen=True)
class Coordination:
    """What the servers of a distributed crawl spent on it."""

    redis_cpu: float
    postgres_cpu: float
    redis_reads: int  # read events: about the workers' round trips (host leases and the dupefilter included)
    redis_commands: int


def distributed(
    web: ServedWeb, tmp: Path, workers: int, redis_url: str, pg_url: str, env: dict[str, str]
) -> tuple[Crawl, Coordination]:
    """The crawl by ``workers`` distributed workers, and what Redis and PostgreSQL spent on it."""
    run_env = {**env, "GOVSITES_HTTPCACHE_DIR": str(tmp / "distributed.httpcache")}
    port = int(pg_url.rsplit(":", 1)[1].split("/", 1)[0])
    redis_before, pg_before, reads_before = redis_cpu(redis_url), postgres_cpu(port), redis_reads(redis_url)
    command = crawl_args(web.registry, pg_url, "distributed", "--distributed", redis_url)
    wall, cpu, browser = run_processes([command] * workers, run_env, tmp / "logs" / "distributed")
    redis_spent, pg_spent = redis_cpu(redis_url) - redis_before, postgres_cpu(port) - pg_before
    reads, commands = (after - before for after, before in zip(redis_reads(redis_url), reads_before, strict=True))
    crawl = Crawl("distributed", wall, cpu, browser, *site_pages(pg_url, "distributed"))
    return crawl, Coordination(redis_spent, pg_spent, reads, commands)


def print_crawl(label: str, crawl: Crawl) -> None:
    print(
        f"{label}：墙钟 {crawl.wall:.1f} s，CPU {crawl.cpu:.1f} s（其中 Chromium 约 {crawl.browser_cpu:.1f} s），"
        f"页面 {crawl.pages}（浏览器渲染 {crawl.rendered}），上限拒绝 {crawl.capped}，"
        f"CPU {1000 * crawl.cpu / max(crawl.pages, 1):.1f} s / 千页"
    )


def bench_distributed(sites: int, pages: int, latency: tuple[int, int], workers: int = 2) -> None:
    slow = f"，主机应答 {latency[0]}–{latency[1]} ms" if latency[1] else ""
    print(f"== 分布式抓取：{sites} 个网站，每站约 {pages} 页{slow}；同一网站、同一次运行 ==")
    reason = missing_reason()
    if reason:
        print(f"跳过：{reason}")
        return
    env = crawl_env()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        web = ServedWeb(tmp, sites, pages, truth=False, latency=latency)
        try:
            one = single(web, tmp, "one", "1", env)
            local = single(web, tmp, "local", str(workers), env)
            with redis_server() as redis_url, postgres_server() as pg_url:
                shared, spent = distributed(web, tmp, workers, redis_url, pg_url, env)
        finally:
            web.stop()
        print_crawl("单进程（SQLite）", one)
        print_crawl(f"本机 {workers} 个进程分站点（make crawl WORKERS={workers}，SQLite）", local)
        print_crawl(f"分布式 {workers} 个工作进程（Redis 队列与站点状态，PostgreSQL）", shared)
        per_k = 1000 / max(shared.pages, 1)
        print(
            f"分布式协调开销：Redis CPU {spent.redis_cpu:.2f} s（{spent.redis_cpu * per_k:.2f} s / 千页），"
            f"PostgreSQL CPU {spent.postgres_cpu:.2f} s（{spent.postgres_cpu * per_k:.2f} s / 千页）；"
            f"工作进程 CPU 为单进程的 {shared.cpu / max(one.cpu, 0.001):.2f} 倍"
        )
        pages = max(shared.pages, 1)
        print(
            f"Redis 往返（服务器读事件）{spent.redis_reads} 次，每页 {spent.redis_reads / pages:.1f} 次；"
            f"命令 {spent.redis_commands} 条，每页 {spent.redis_commands / pages:.1f} 条"
        )
        print_agreement(one, local, shared, tmp / "logs")


def print_agreement(one: Crawl, local: Crawl, shared: Crawl, logs: Path) -> None:
    """Whether each site's pages read and capped agree in the three crawls; when not, which sites, and where the
    crawls' logs are kept."""
    differing = sorted(
        site
        for site in one.sites.keys() | local.sites.keys() | shared.sites.keys()
        if not one.sites.get(site) == local.sites.get(site) == shared.sites.get(site)
    )
    if not differing:
        print(f"三次抓取各站页面数与上限拒绝数一致（{len(one.sites)} 个网站）")
        return
    kept = Path(tempfile.mkdtemp(prefix="govsites-bench-distributed-"))
    shutil.copytree(logs, kept, dirs_exist_ok=True)
    shown = "；".join(
        f"{site} 单进程 {one.sites.get(site)}，本机多进程 {local.sites.get(site)}，分布式 {shared.sites.get(site)}"
        for site in differing[:10]
    )
    print(f"各站页面数与上限拒绝数不一致：{len(differing)} 个网站（页面, 上限拒绝）：{shown}")
    print(f"三次抓取的日志已保留在 {kept}")
