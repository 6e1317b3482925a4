"""Scrapy settings for govsites.

Every govsites setting has the ``GOVSITES_`` prefix. Each can be given with ``-s NAME=value`` or as an
environment variable of the same name (the Makefile maps its variables onto these).
"""

from __future__ import annotations

import os
import shutil

BOT_NAME = "govsites"
SPIDER_MODULES = ["govsites.spiders"]
NEWSPIDER_MODULE = "govsites.spiders"
SPIDER_LOADER_CLASS = "govsites.spiderloader.SiteSpiderLoader"


def _env(name: str, default: str) -> str:
    return os.environ.get(name, "") or default


# -- what to crawl and where results go -----------------------------------------------------------
GOVSITES_SITES = _env("GOVSITES_SITES", "data/sites.csv")
GOVSITES_COLUMNS = _env("GOVSITES_COLUMNS", "data/columns.csv")
GOVSITES_CATEGORIES = _env("GOVSITES_CATEGORIES", "data/categories.csv")
GOVSITES_DB = _env("GOVSITES_DB", "data/govsites.sqlite")
GOVSITES_RUN = _env("GOVSITES_RUN", "")  # run label; empty: new run for a full crawl, latest run for a subset
GOVSITES_AS_OF = _env("GOVSITES_AS_OF", "")  # YYYY-MM-DD; empty: today (or the run's own date)
GOVSITES_SITE_IDS = _env("GOVSITES_SITE_IDS", "")  # comma-separated subset
GOVSITES_COUNTIES = _env("GOVSITES_COUNTIES", "")  # comma-separated subset
# Set by `crawl --workers N` for its child crawls: the parent holds the store lock for all of them.
GOVSITES_STORE_LOCK_HELD = _env("GOVSITES_STORE_LOCK_HELD", "0") in ("1", "true", "yes")
# Distributed crawl (docs/scaling.md): redis://host:port/db of the shared scheduler and site state; empty: one
# process. The scrapy-redis settings of a worker are applied by govsites.distributed.scrapy_settings().
GOVSITES_DISTRIBUTED = _env("GOVSITES_DISTRIBUTED", "")
GOVSITES_DISTRIBUTED_WAIT = float(_env("GOVSITES_DISTRIBUTED_WAIT", "600"))  # seconds to wait for the seeder
GOVSITES_DISTRIBUTED_POLL = float(_env("GOVSITES_DISTRIBUTED_POLL", "0.5"))  # idle worker polls the queue

# -- caps -------------------------------------------------------------------------------------------
GOVSITES_MAX_DEPTH = int(_env("GOVSITES_MAX_DEPTH", "3"))
GOVSITES_MAX_PAGES = int(_env("GOVSITES_MAX_PAGES", "5000"))
GOVSITES_SITE_BUDGET = int(_env("GOVSITES_SITE_BUDGET", "1800"))  # seconds of crawling per site
GOVSITES_ARTICLE_DATE_PAGES = 3  # undated lists: open this many newest articles for their date

# -- link checks and probes -------------------------------------------------------------------------
GOVSITES_LINK_TIMEOUT = int(_env("GOVSITES_LINK_TIMEOUT", "15"))
GOVSITES_PROBES = int(_env("GOVSITES_PROBES", "3"))
GOVSITES_PROBE_INTERVAL = float(_env("GOVSITES_PROBE_INTERVAL", "5"))
GOVSITES_PROBE_TIMEOUT = int(_env("GOVSITES_PROBE_TIMEOUT", "15"))
GOVSITES_ALLOW_PRIVATE = _env("GOVSITES_ALLOW_PRIVATE", "0") in ("1", "true", "yes")

# -- components -------------------------------------------------------------------------------------
GOVSITES_TYPOS_ENABLED = _env("GOVSITES_TYPOS_ENABLED", "1") in ("1", "true", "yes")
GOVSITES_RENDER_ENABLED = _env("GOVSITES_RENDER_ENABLED", "1") in ("1", "true", "yes")
GOVSITES_PROGRESS_INTERVAL = float(_env("GOVSITES_PROGRESS_INTERVAL", "10"))
GOVSITES_CHROMIUM = _env("GOVSITES_CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")

USER_AGENT = "Mozilla/5.0 (compatible; govsites/0.1; government website evaluation crawler)"
ROBOTSTXT_OBEY = _env("GOVSITES_ROBOTSTXT_OBEY", "0") in ("1", "true", "yes")
COOKIES_ENABLED = True
TELNETCONSOLE_ENABLED = False
# Scrapy 2.19's remote control runs Python code sent over HTTP (token in the user's profile directory): not on a
# machine that crawls the open web.
REMOTE_CONTROL_ENABLED = False

# Scrapy starts this many asyncio workers per response to process its output; the pipelines here are
# synchronous, so more workers only cost task creation (measured: ~10% of the crawl's CPU at 100).
CONCURRENT_ITEMS = 4
# Scrapy re-reads and parses each callback's source (inspect + ast) on every response to warn about
# ``return value`` in generators; its cache is keyed by the callable and bound methods are new objects per
# request, so it parsed site.py ~18,000 times per 14,000-page crawl (5 % of the CPU). The callbacks are ours.
WARN_ON_GENERATOR_RETURN_VALUE = False
CONCURRENT_REQUESTS = int(_env("GOVSITES_CONCURRENT_REQUESTS", "64"))
CONCURRENT_REQUESTS_PER_DOMAIN = int(_env("GOVSITES_PER_HOST", "8"))
DOWNLOAD_DELAY = float(_env("GOVSITES_DELAY", "0"))
AUTOTHROTTLE_ENABLED = _env("GOVSITES_AUTOTHROTTLE", "0") in ("1", "true", "yes")
AUTOTHROTTLE_TARGET_CONCURRENCY = 4.0
DOWNLOAD_TIMEOUT = GOVSITES_LINK_TIMEOUT
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
DOWNLOAD_WARNSIZE = 0
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [429, 502, 503, 504, 522, 524, 408]
# Transient failures only: a refused connection or an unknown host is a finding, not worth waiting for.
RETRY_EXCEPTIONS = [
    "scrapy.exceptions.DownloadFailedError",
    "scrapy.exceptions.DownloadTimeoutError",
    "scrapy.exceptions.ResponseDataLossError",
    "twisted.internet.error.ConnectionDone",
    "twisted.internet.error.ConnectionLost",
    OSError,
]
RETRY_GIVE_UP_LOG_LEVEL = "DEBUG"  # a link that stays broken is a finding, reported in links.csv
REDIRECT_MAX_TIMES = 10
DEPTH_LIMIT = 0  # the spider keeps its own per-site depth
DNS_TIMEOUT = 10
REACTOR_THREADPOOL_MAXSIZE = 20
LOG_LEVEL = _env("GOVSITES_LOG_LEVEL", "INFO")
LOG_FORMATTER = "govsites.logformatter.QuietLogFormatter"  # no per-response DEBUG records unless DEBUG is on
STATS_DUMP = _env("GOVSITES_STATS_DUMP", "0") in ("1", "true", "yes")  # the per-site summary is printed instead
FEED_EXPORT_ENCODING = "utf-8"
JOBDIR = _env("GOVSITES_JOBDIR", "") or None

GOVSITES_RETRY_BACKOFF = float(_env("GOVSITES_RETRY_BACKOFF", "1"))  # seconds, doubled per attempt
GOVSITES_RETRY_MAX_DELAY = float(_env("GOVSITES_RETRY_MAX_DELAY", "20"))  # cap on Retry-After

DOWNLOADER_MIDDLEWARES = {
    "govsites.middlewares.ScopeGuardMiddleware": 50,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "govsites.linkcheck.retry.PoliteRetryMiddleware": 550,
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "govsites.linkcheck.redirects.LoopAwareRedirectMiddleware": 600,
}
SPIDER_MIDDLEWARES = {
    # The spider keeps its own per-site depth (govsites.caps) and sends no Referer-dependent requests.
    "scrapy.spidermiddlewares.depth.DepthMiddleware": None,
    "scrapy.spidermiddlewares.referer.RefererMiddleware": None,
    # Engine side: counts what actually leaves the spider, and finishes each answered request (site done).
    "govsites.inflight.InflightMiddleware": 40,
    # Spider side (before UrlLengthMiddleware): the per-site caps see every new page the spider asks for.
    "govsites.caps.CrawlCapsMiddleware": 850,
}
ITEM_PIPELINES = {
    "govsites.pipelines.TypoPipeline": 300,
    "govsites.pipelines.StorePipeline": 800,
}
EXTENSIONS = {
    "scrapy.extensions.logstats.LogStats": None,
    "govsites.extensions.HomeProbes": 500,
    "govsites.extensions.HeadersOnly": 510,
    "govsites.extensions.Progress": 520,
    "govsites.extensions.DistributedWorker": 530,
}

# -- browser rendering (scrapy-playwright; Debian's chromium, never a downloaded browser) ---------------
DOWNLOAD_HANDLERS = (
    {
        "http": "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler",
        "https": "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler",
    }
    if GOVSITES_RENDER_ENABLED
    else {}
)
PLAYWRIGHT_BROWSER_TYPE = "chromium"
PLAYWRIGHT_LAUNCH_OPTIONS = {
    "executable_path": GOVSITES_CHROMIUM,
    "headless": True,
    "timeout": 30_000,
    "args": [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ],
}
PLAYWRIGHT_ABORT_REQUEST = "govsites.rendering.skip_resource"  # no images, fonts, media or style sheets
# Every render uses the one "default" context, so the pages per context are the browser's render slots.
PLAYWRIGHT_MAX_CONTEXTS = 1
PLAYWRIGHT_MAX_PAGES_PER_CONTEXT = 8
PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT = 20_000
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
# GOVSITES_RENDER_OWN_LOOP=1 runs Playwright on an asyncio loop of its own, in a thread. Playwright 1.65's pipe
# reader (playwright/_impl/transport.py, utils/tasks.py wait_for_next_task) waits after every driver message until
# the loop's ready queue is empty, up to 100 turns. A CPU-bound crawl (a loopback bench web) never empties it, so
# each message costs ~2 s and the rendered pages wait until the plain crawl is done; against real sites, which
# answer in 0.2-2 s, the loop idles between answers and pages render as they come. Measured on the 65-site bench
# web (docs/benchmarks.md): one process 46 s instead of 52-58 s; two processes 34.5-36.5 s instead of 31-33 s
# (rendering during the crawl takes the cores the crawl uses; after it, they are free), hence off by default.
# `_PLAYWRIGHT_THREADED_LOOP` is private to scrapy-playwright (checked against 0.0.48: its Windows code path).
GOVSITES_RENDER_OWN_LOOP = _env("GOVSITES_RENDER_OWN_LOOP", "0") in ("1", "true", "yes")
_PLAYWRIGHT_THREADED_LOOP = GOVSITES_RENDER_OWN_LOOP

if GOVSITES_DISTRIBUTED:  # `scrapy crawl` with GOVSITES_DISTRIBUTED set (the CLI applies the same settings)
    from govsites.distributed import scrapy_settings as _distributed_settings
    from govsites.store import parse_as_of as _parse_as_of

    globals().update(_distributed_settings(GOVSITES_DISTRIBUTED, GOVSITES_RUN or _parse_as_of(GOVSITES_AS_OF)))
