"""Command line: ``python -m govsites crawl|probe|demo`` (the Makefile's crawl, probe and demo targets)."""

from __future__ import annotations

import argparse
import ctypes
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from shlex import quote
from typing import Any

from govsites.config import ConfigError, GovsitesConfig, parse_thresholds
from govsites.monitor import (
    CENSUS_PROBES_PER_DAY,
    DAY_SECONDS,
    MonitorState,
    cron_lines,
    load_state,
    run_window,
    save_state,
    state_path,
    subprocess_step,
)
from govsites.preflight import PreflightError, check_folder, check_store_writable
from govsites.progress import LineRelay, ProgressBoard
from govsites.registry import RegistryError, load_columns, load_site_codes, load_sites
from govsites.sitechecks.maintenance import load_maintenance
from govsites.store import StoreError, StoreLock, parse_as_of, resolve_run

DEMO_PORT = 8341
#: the demo's own folder: its registry, store and outputs never mix with the user's (data/sites.csv,
#: data/govsites.sqlite, data/output), so a real run never compares with the demo run
DEMO_DIR = "data/demo"
DEMO_OUT, DEMO_DB = f"{DEMO_DIR}/output", f"{DEMO_DIR}/govsites.sqlite"


#: Command-line options and the settings they give (an option not given leaves the setting to the environment
#: and the declared default, :mod:`govsites.config`).
OPTION_SETTINGS = {
    "sites": "GOVSITES_SITES",
    "columns": "GOVSITES_COLUMNS",
    "db": "GOVSITES_DB",
    "run": "GOVSITES_RUN",
    "as_of": "GOVSITES_AS_OF",
    "site": "GOVSITES_SITE_IDS",
    "county": "GOVSITES_COUNTIES",
    "probes": "GOVSITES_PROBES",
    "allow_private": "GOVSITES_ALLOW_PRIVATE",
    "distributed": "GOVSITES_DISTRIBUTED",
}


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sites", help="registry CSV (SITES)")
    parser.add_argument("--columns", help="hand-pinned columns CSV")
    parser.add_argument("--db", help="store (DB)")
    parser.add_argument("--run", help="run label (RUN)")
    parser.add_argument("--as-of", help="evaluation date YYYY-MM-DD")
    parser.add_argument("--site", help="only these site_ids, comma-separated (SITE)")
    parser.add_argument("--county", help="only the sites of these counties, comma-separated (COUNTY)")
    parser.add_argument("--probes", type=int, help="home-page probes per crawl (PROBES)")
    parser.add_argument(
        "--allow-private",
        action="store_true",
        default=None,
        help="allow private and loopback addresses (ALLOW_PRIVATE=1, for local test webs)",
    )
    parser.add_argument(
        "-s", "--set", action="append", default=[], metavar="NAME=VALUE", help="any Scrapy or GOVSITES_ setting"
    )


def cmdline_settings(args: argparse.Namespace) -> dict[str, Any]:
    """The settings given on the command line: the options given, then ``-s NAME=VALUE`` (which wins)."""
    values = {
        name: getattr(args, option)
        for option, name in OPTION_SETTINGS.items()
        if getattr(args, option, None) is not None
    }
    for item in args.set:
        name, _, value = item.partition("=")
        values[name] = value
    return values


def crawl_config(args: argparse.Namespace) -> GovsitesConfig:
    """The govsites settings of this command: the command line, then the environment, then the defaults."""
    return GovsitesConfig.from_settings(cmdline_settings(args))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="govsites", description="政府网站绩效评估：抓取、检查、评分")
    sub = parser.add_subparsers(dest="command", required=True)
    crawl = sub.add_parser("crawl", help="crawl the registry's sites into the store")
    _add_common(crawl)
    crawl.add_argument(
        "--distributed",
        metavar="REDIS_URL",
        help="run as one worker of a distributed crawl sharing this Redis (DISTRIBUTED); "
        "use a PostgreSQL --db shared by every worker (docs/scaling.md)",
    )
    crawl.add_argument(
        "--workers",
        type=parse_workers,
        help="crawl processes on this machine, each taking a share of the sites; auto = one per "
        "CPU core (WORKERS, default auto in the Makefile)",
    )
    probe = sub.add_parser("probe", help="one more home-page probe round for every site")
    _add_common(probe)
    monitor = sub.add_parser(
        "monitor", help="a monitoring window: a crawl a day and probe rounds at the census cadence, one run"
    )
    _add_common(monitor)
    monitor.add_argument("--days", type=int, default=7, help="days of the window (DAYS, default 7)")
    monitor.add_argument(
        "--probes-per-day", type=int, default=CENSUS_PROBES_PER_DAY, help="probe rounds a day (default 24)"
    )
    monitor.add_argument("--day-seconds", type=float, default=DAY_SECONDS, help=argparse.SUPPRESS)  # trying it out
    monitor.add_argument("--cron", action="store_true", help="print the crontab lines that do the same, and stop")
    demo = sub.add_parser("demo", help="serve the bundled demo web, crawl it and score it (in data/demo/)")
    demo.add_argument("--out", default=DEMO_OUT, help=f"the demo's outputs (default {DEMO_OUT})")
    demo.add_argument("--db", default=DEMO_DB, help=f"the demo's store (default {DEMO_DB})")
    demo.add_argument("--port", type=int, default=DEMO_PORT)
    return parser


def parse_workers(value: str) -> int:
    """``--workers``: a positive count, or ``auto`` for one process per CPU core."""
    if value.strip().lower() == "auto":
        return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)
    try:
        count = int(value)
    except ValueError:
        count = 0
    if count < 1:
        raise argparse.ArgumentTypeError(f"抓取进程数应为正整数或 auto：{value}")
    return count


def validate(args: argparse.Namespace) -> int:
    """Everything a crawl reads, checked before anything is written; returns how many sites it will crawl."""
    config = crawl_config(args)
    registry = load_sites(config.sites)
    load_columns(config.columns, registry)
    load_site_codes(config.sites)
    load_maintenance(config.maintenance, [s.site_id for s in (*registry.sites, *registry.skipped)])
    chosen = registry.select(config.site_id_list, config.county_list)
    parse_as_of(config.as_of)
    parse_thresholds(config.gc_thresholds)
    if not config.distributed:
        check_store_writable(config.db)
    if args.command == "crawl" and config.distributed:
        _check_distributed(config)
    elif args.command == "crawl" and not config.store_lock_held:
        lock = StoreLock(config.db)
        if not lock.acquire():
            raise StoreError(
                f"存储 {config.db} 正被另一个检测进程（PID {lock.holder()}）使用，请等其结束后再运行"
                " / another crawl is using this store"
            )
        lock.release()
    for site in registry.skipped:
        print(
            f"提示：{config.sites} 第 {site.line} 行 {site.site_id}（{site.name}）没有首页网址，已跳过", file=sys.stderr
        )
    if not registry.sites:
        raise RegistryError(
            config.sites, 0, "home_url", "登记表中没有可检测的网站（全部缺少首页网址）/ no site has a home_url"
        )
    return len(chosen)


def _check_distributed(config: GovsitesConfig) -> None:
    """A distributed worker needs its Redis and the shared store before it starts (no store lock: shared)."""
    from govsites.distributed import Coordinator
    from govsites.store import is_postgres, open_store

    if not config.distributed.startswith(("redis://", "rediss://", "unix://")):
        raise StoreError(
            f"分布式地址应为 redis://主机:端口/库号 / DISTRIBUTED must be a redis:// URL: {config.distributed}"
        )
    try:
        Coordinator(config.distributed, config.run or parse_as_of(config.as_of)).ping()
    except Exception as exc:
        raise StoreError(f"无法连接 Redis {config.distributed}：{exc}") from exc
    if not is_postgres(config.db):
        print(
            f"提示：分布式抓取的各工作进程应共用一个 PostgreSQL 存储；{config.db} 只能供本机的工作进程共用",
            file=sys.stderr,
        )
    open_store(config.db).close()


#: A probe round: one probe per site, no typos, no browser, no progress lines, never distributed.
PROBE_SETTINGS = {
    "GOVSITES_PROBES": 1,
    "GOVSITES_TYPOS_ENABLED": False,
    "GOVSITES_RENDER_ENABLED": False,
    "GOVSITES_PROGRESS_INTERVAL": 0,
    "GOVSITES_DISTRIBUTED": "",
}


def run_crawl(args: argparse.Namespace, mode: str = "crawl") -> int:
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "govsites.settings")
    from scrapy.crawler import CrawlerProcess
    from scrapy.utils.log import install_scrapy_root_handler
    from scrapy.utils.project import get_project_settings

    from govsites.logformatter import quiet_framework_logs
    from govsites.spiders.probe import ProbeSpider
    from govsites.spiders.site import SiteSpider

    settings = get_project_settings()
    values = cmdline_settings(args)
    if mode == "probe":
        values = {**values, **PROBE_SETTINGS}
    values = {**values, **open_files_settings(crawl_config(args).concurrent_requests)}
    settings.setdict(values, priority="cmdline")
    # Scrapy's logging set-up resets its loggers' levels: install the console handler once they are quieted.
    settings.set("LOG_INSTALL_ROOT_HANDLER", False, priority="cmdline")
    # The govsites add-on derives LOG_LEVEL and the rest before the process configures logging
    # (GovsitesAddon.update_pre_crawler_settings).
    process = CrawlerProcess(settings)
    quiet_framework_logs(settings.get("LOG_LEVEL", "INFO"))
    install_scrapy_root_handler(settings)
    crawler = process.create_crawler(ProbeSpider if mode == "probe" else SiteSpider)
    process.crawl(crawler)
    process.start()
    reason = crawler.stats.get_value("finish_reason") if crawler.stats else None
    label = crawler.stats.get_value("govsites/run/label") if crawler.stats else None
    if reason == "shutdown" and label and mode == "crawl" and not crawl_config(args).store_lock_held:
        print(resume_hint(crawl_config(args), str(label)), file=sys.stderr, flush=True)
        return EXIT_INTERRUPTED
    return 0 if reason == "finished" else 1


def open_files_settings(concurrent: int) -> dict[str, int]:
    """Raise the open-files limit for ``concurrent`` requests at once; where the system does not allow it, fewer
    requests at once (the setting to apply), with a warning."""
    from govsites.fdlimit import fitted_concurrency, needed, raise_open_files

    limit = raise_open_files(concurrent)
    fitted = fitted_concurrency(limit, concurrent)
    if fitted == concurrent:
        return {}
    print(
        f"警告：本进程最多可打开 {limit} 个文件，同时 {concurrent} 个请求需要 {needed(concurrent)} 个；"
        f"本次同时请求数降为 {fitted}（可提高 ulimit -n，或设置 GOVSITES_CONCURRENT_REQUESTS）",
        file=sys.stderr,
        flush=True,
    )
    return {"GOVSITES_CONCURRENT_REQUESTS": fitted}


#: exit code of a crawl stopped with Ctrl-C (the shell's 128 + SIGINT)
EXIT_INTERRUPTED = 130
#: make variables of a crawl and their defaults (the Makefile's), for the resume command
MAKE_DEFAULTS = {"SITES": "data/sites.csv", "DB": "data/govsites.sqlite"}


def resume_hint(config: GovsitesConfig, label: str) -> str:
    """How to continue an interrupted crawl: the make command and the CLI command, with what was given."""
    make = {"RUN": label, "SITES": config.sites, "DB": config.db, "SITE": config.site_ids, "COUNTY": config.counties}
    words = [f"{k}={quote(v)}" for k, v in make.items() if v and v != MAKE_DEFAULTS.get(k)]
    words += ["ALLOW_PRIVATE=1"] if config.allow_private else []
    cli = ["python", "-m", "govsites", "crawl", "--sites", config.sites, "--db", config.db, "--run", label]
    cli += ["--site", config.site_ids] if config.site_ids else []
    cli += ["--county", config.counties] if config.counties else []
    cli += ["--allow-private"] if config.allow_private else []
    return (
        f"已中断：运行 {label} 未完成，已完成的网站已保存。继续抓取（只抓未完成的网站）："
        f"make crawl {' '.join(words)}，或 {' '.join(quote(w) for w in cli)}"
    )


def run_demo(args: argparse.Namespace) -> int:
    """Serve the demo web in a child process, crawl and score it, stop the demo web.

    The demo writes its own registry (the demo web's addresses) beside its outputs, so an edited
    ``data/sites.csv`` is never crawled as the demo, and its store is its own (``--db``)."""
    from govsites.demo import AS_OF

    registry = Path(args.out) / "demo-sites.csv"
    registry.parent.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "govsites.demo", "serve", "--port", str(args.port), "--registry", str(registry)]
    print(f"启动演示网站（端口 {args.port}）…", flush=True)
    server = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)  # noqa: S603 - our own module
    try:
        line = server.stdout.readline() if server.stdout else ""
        if "ready" not in line:
            print("错误：演示网站未能启动", file=sys.stderr)
            return 1
        env = {**os.environ, "GOVSITES_PROBE_INTERVAL": os.environ.get("GOVSITES_PROBE_INTERVAL", "1")}
        crawl = [
            sys.executable,
            "-m",
            "govsites",
            "crawl",
            "--sites",
            str(registry),
            "--db",
            args.db,
            "--run",
            "demo",
            "--as-of",
            AS_OF.isoformat(),
            "--allow-private",
        ]
        started = time.monotonic()
        code = subprocess.call(crawl, env=env)  # noqa: S603
        if code != 0:
            print("错误：抓取未正常结束", file=sys.stderr)
            return code
        print(f"抓取完成，用时 {time.monotonic() - started:.0f} 秒；开始评分…", flush=True)
        score = [
            sys.executable,
            "-m",
            "scoring",
            "--db",
            args.db,
            "--out",
            args.out,
            "--sites",
            str(registry),
            "--run",
            "demo",
        ]
        code = subprocess.call(score)  # noqa: S603
        if code == 0:  # the notice too: the demo shows every deliverable
            code = subprocess.call([*score[:3], "notice", *score[3:]])  # noqa: S603
        if code == 0:
            print(f"演示结果在 {args.out}（存储 {args.db}），与本单位的检测数据分开存放。")
        return code
    finally:
        server.terminate()
        server.wait(timeout=10)
        print("演示网站已停止。", flush=True)


#: Every error a command reports as one Chinese line with exit code 2, before anything is written.
USER_ERRORS = (RegistryError, StoreError, ConfigError, PreflightError, argparse.ArgumentTypeError)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "monitor":
        return run_monitor(args)
    if args.command == "demo":
        try:
            check_folder(args.out, "输出目录")
            check_store_writable(args.db)
        except PreflightError as exc:
            print(f"错误：{exc}", file=sys.stderr)
            return 2
        return run_demo(args)
    try:
        chosen = validate(args)
        config = crawl_config(args)
        workers = (args.workers or parse_workers(config.workers)) if args.command == "crawl" else 1
    except USER_ERRORS as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    if args.command == "crawl" and not config.distributed and not config.store_lock_held:
        if workers > 1 and chosen > 1:
            return run_workers(args, workers)
        if sys.stderr.isatty() and config.progress_interval > 0:
            return run_workers(args, 1)  # on a terminal: the progress line redrawn in place by a parent
    return run_crawl(args, mode=args.command)


def run_monitor(args: argparse.Namespace) -> int:
    """``monitor``: resume the store's unfinished window, or start one (see :mod:`govsites.monitor`)."""
    try:
        validate(args)
        config = crawl_config(args)
        if args.days < 1 or args.probes_per_day < 1:
            raise PreflightError("--days 和 --probes-per-day 应为正整数")
    except USER_ERRORS as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    as_of = parse_as_of(config.as_of)
    path = state_path(config.db)
    state = load_state(path)
    if state is not None and len(state.done) >= len(state.schedule()):
        state = None  # the last window is complete: a new one
    if state is None:
        state = MonitorState(
            run=config.run or as_of,
            started=time.time(),
            days=args.days,
            probes_per_day=args.probes_per_day,
            day_seconds=args.day_seconds,
        )
    elif config.run and config.run != state.run:
        print(f"错误：监测窗口 {state.run} 尚未完成（{path}）；完成后或删除该文件后再开始新的窗口", file=sys.stderr)
        return 2
    common = ["--sites", config.sites, "--db", config.db, "--run", state.run, "--as-of", as_of]
    common += ["--allow-private"] if config.allow_private else []
    if args.cron:
        for line in cron_lines(common, state.probes_per_day):
            print(line)
        return 0
    save_state(path, state)
    print(state.status(time.time()), flush=True)
    return run_window(state, path, subprocess_step(common), say=lambda line: print(line, flush=True))


def _die_with_parent() -> None:
    """In a child crawl: be killed when the parent dies (Linux), so a killed ``crawl --workers`` leaves no
    orphan writing into the store after the store lock is gone; the rerun resumes as after any kill."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass  # not Linux: the children finish their shares on their own


_PR_SET_PDEATHSIG = 1


def run_workers(args: argparse.Namespace, workers: int) -> int:
    """``crawl --workers N``: N crawl processes on this machine share the sites and the store.

    The parent holds the store lock and resolves the run once; each child crawls a disjoint share of the
    sites into that run (SQLite in WAL mode takes their batched transactions in turn). A crawl is CPU-bound
    in one Python process, so this is how one machine's cores are used. On a terminal a one-process crawl runs
    this way too (one child), so its progress line is redrawn in place above the relayed log lines.
    """
    from govsites.store import open_store
    from govsites.workshare import page_weights, share

    config = crawl_config(args)
    lock = StoreLock(config.db)
    if not lock.acquire():
        print(f"错误：存储 {config.db} 正被另一个检测进程（PID {lock.holder()}）使用", file=sys.stderr)
        return 2
    try:
        registry = load_sites(config.sites)
        chosen = registry.select(config.site_id_list, config.county_list)
        with open_store(config.db) as store:
            label, as_of = resolve_run(store, config.run, config.as_of, subset=len(chosen) < len(registry.sites))
            run = store.begin_run(label, as_of)  # before any child: the children join it, none creates it
            weights = page_weights((s.site_id for s in chosen), store.last_pages(run.id))
        # the sites of one host in one process (each keeps its own per-host limit), the biggest dealt first
        shares = share(chosen, workers, hosts=lambda s: s.hosts, weight=lambda s: weights[s.site_id])
        common = [
            "--sites",
            config.sites,
            "--columns",
            config.columns,
            "--db",
            config.db,
            "--run",
            label,
            "--as-of",
            as_of,
            "--county",
            "",
        ]
        common += ["--allow-private"] if config.allow_private else []
        common += ["--probes", str(args.probes)] if args.probes is not None else []
        common += [arg for item in args.set for arg in ("-s", item)]
        env = {**os.environ, "GOVSITES_STORE_LOCK_HELD": "1", "GOVSITES_WORKERS": "1"}
        print(f"运行 {label}：{len(chosen)} 个网站分给 {len(shares)} 个抓取进程", file=sys.stderr, flush=True)
        with tempfile.TemporaryDirectory(prefix="govsites-progress-") as folder:
            files = [Path(folder) / f"worker-{i}.json" for i in range(len(shares))]
            children = [
                subprocess.Popen(  # noqa: S603 - this module, with validated arguments
                    [sys.executable, "-m", "govsites", "crawl", *common, "--site", ",".join(s.site_id for s in share)],
                    env={**env, "GOVSITES_PROGRESS_FILE": str(path)},
                    # a group of its own: Ctrl-C reaches the parent alone, which stops each child once (cleanly)
                    start_new_session=True,
                    preexec_fn=_die_with_parent,  # noqa: PLW1509 - no threads are running yet
                    stderr=subprocess.PIPE,  # their log lines pass through the board (LineRelay)
                    text=True,
                    encoding="utf-8",
                    errors="replace",
                )
                for share, path in zip(shares, files, strict=True)
            ]
            board = ProgressBoard(files, config.progress_interval, total=len(chosen))
            relay = LineRelay(child.stderr for child in children if child.stderr is not None)
            previous = signal.signal(signal.SIGTERM, _stop_as_ctrl_c)  # a service manager's stop: the same
            # Ctrl-C (SIGINT) stops the crawl even when it was started from a script in the background, where the
            # shell hands it SIGINT ignored (then Python installs no handler of its own)
            previous_int = signal.signal(signal.SIGINT, signal.default_int_handler)
            try:
                interrupted = wait_for(children, board, relay)
            finally:
                signal.signal(signal.SIGTERM, previous)
                signal.signal(signal.SIGINT, previous_int)
            relay.close(board)
            board.end()
        failed = [child.returncode for child in children if child.returncode != 0]
        code = (failed[0] if failed[0] > 0 else 1) if failed else 0  # a child killed by a signal is negative
        with open_store(config.db) as store:
            if code == 0 and not interrupted:
                store.finish_run(run.id)  # finished when no site is left running
            elif interrupted:
                print(resume_hint(config, label), file=sys.stderr, flush=True)
                code = EXIT_INTERRUPTED
            else:
                print(f"错误：有抓取进程未正常结束；运行 {label} 未完成，重新执行同一命令即可继续", file=sys.stderr)
        return code
    finally:
        lock.release()


def _stop_as_ctrl_c(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def wait_for(children: list[subprocess.Popen[str]], board: ProgressBoard, relay: LineRelay) -> bool:
    """Wait for every child, drawing the progress line; True when stopped with Ctrl-C (SIGINT, or SIGTERM).

    The first Ctrl-C asks each running child to stop (SIGINT: Scrapy closes the spider, the pipelines write what
    they hold, the run stays resumable); a second one asks again, which makes Scrapy stop at once.
    """
    interrupted = False
    while any(child.poll() is None for child in children):
        try:
            relay.pass_on(board)
            board.tick()
            time.sleep(0.2)
        except KeyboardInterrupt:
            interrupted = True
            print("\n正在停止抓取进程（再按一次 Ctrl-C 立即停止）…", file=sys.stderr, flush=True)
            for child in children:
                if child.poll() is None:
                    child.send_signal(signal.SIGINT)
    return interrupted


if __name__ == "__main__":
    sys.exit(main())
