"""Scrapy settings for govsites: Scrapy's own settings, declared once.

Every ``GOVSITES_*`` setting is declared, with its default and meaning, in :mod:`govsites.config`; each can be
given with ``-s NAME=value`` or as an environment variable of the same name (the Makefile maps its variables
onto these). The govsites add-on (:mod:`govsites.addon`) puts their values into the settings and derives the
Scrapy settings that depend on them (download handlers, timeout, concurrency, politeness, logging, JOBDIR, the
distributed scheduler); nothing here reads the environment.
"""

from __future__ import annotations

BOT_NAME = "govsites"
SPIDER_MODULES = ["govsites.spiders"]
NEWSPIDER_MODULE = "govsites.spiders"
SPIDER_LOADER_CLASS = "govsites.spiderloader.SiteSpiderLoader"
ADDONS = {"govsites.addon.GovsitesAddon": 0}

USER_AGENT = "Mozilla/5.0 (compatible; govsites/0.1; government website evaluation crawler)"
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
AUTOTHROTTLE_TARGET_CONCURRENCY = 4.0
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
LOG_FORMATTER = "govsites.logformatter.QuietLogFormatter"  # no per-response DEBUG records unless DEBUG is on
FEED_EXPORT_ENCODING = "utf-8"

# DOWNLOADER is derived by the add-on (govsites.addon): Scrapy's downloader keeping CONCURRENT_REQUESTS_PER_DOMAIN
# when a host's queue is dequeued at once, and for all workers together in a distributed crawl.
STATS_CLASS = "govsites.stats.PlainStats"  # Scrapy's in-memory stats without the per-access shim
DOWNLOADER_MIDDLEWARES = {
    "govsites.middlewares.ScopeGuardMiddleware": 50,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    # Below the retries: a list page's render that ended without a page is named (govsites.browserpages).
    "govsites.browserpages.RenderFailures": 540,
    "govsites.linkcheck.retry.PoliteRetryMiddleware": 550,
    # JS cookie challenges (412/521): passed in the browser once per host, its cookies reused (govsites.antibot).
    "govsites.antibot.AntibotMiddleware": 580,
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "govsites.linkcheck.redirects.LoopAwareRedirectMiddleware": 600,
    # Just above the kept answers (900): one download per address and crawl process (govsites.sharedanswers).
    "govsites.sharedanswers.SharedAnswers": 860,
    # Nearest the download handler, below the kept answers (900): a render whose inputs are unchanged is reused.
    "govsites.renderreuse.RenderReuse": 950,
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
    "govsites.securitypipeline.SecurityPipeline": 400,
    "govsites.pipelines.SiteChecksPipeline": 410,
    "govsites.pipelines.StorePipeline": 800,
}
EXTENSIONS = {
    "scrapy.extensions.logstats.LogStats": None,
    # First: the run lifecycle publishes the run (govsites.lifecycle.run_opened) the others read.
    "govsites.extensions.RunLifecycle": 100,
    "govsites.extensions.HomeProbes": 500,
    "govsites.extensions.HeadersOnly": 510,
    "govsites.extensions.Progress": 520,
    "govsites.collector.CollectorTuning": 900,
}

# -- browser rendering (scrapy-playwright; Debian's chromium, never a downloaded browser) ---------------
PLAYWRIGHT_BROWSER_TYPE = "chromium"
PLAYWRIGHT_LAUNCH_OPTIONS = {
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
# Every render uses the one "default" context; the add-on sets its pages (GOVSITES_RENDER_PAGES times
# govsites.rendering.STUCK_PAGE_ROOM) and the render slot's concurrency (GOVSITES_RENDER_PAGES).
PLAYWRIGHT_MAX_CONTEXTS = 1
PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT = 20_000
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
# GOVSITES_RENDER_OWN_LOOP (default on) runs Playwright on an asyncio loop of its own, in a thread. Playwright
# 1.65's pipe reader (playwright/_impl/transport.py, utils/tasks.py wait_for_next_task) waits after every driver
# message until the loop's ready queue is empty, up to 100 turns. A CPU-bound crawl never empties it, so each
# message costs seconds. Sharing the crawl's loop was the default: with two processes it was faster on the
# instant loopback web (31-33 s against 34.5-36.5 s) and, before every home page that runs scripts was rendered,
# 4-9 % faster on the bench web whose hosts answer in 50-2000 ms (docs/benchmarks.md, runs J3 and Q). With those
# home renders, both processes are CPU-bound in the crawl's first minute and up to 16 of the 65 home renders
# started then ran into the 60 s render deadline and were rendered again; on a loop of its own, none did, and two
# alternated pairs of first crawls measured 147.5 and 163.6 CPU-s (Chromium 35.7, 35.2) against 181.7 and 194.9
# (52.6, 52.5), wall 151.0 and 152.0 s against 151.7 and 159.1 s (docs/benchmarks.md, run Z).
# The add-on sets scrapy-playwright's ``_PLAYWRIGHT_THREADED_LOOP`` from it.
