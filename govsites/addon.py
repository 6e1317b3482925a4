"""The govsites add-on: every ``GOVSITES_*`` value into the settings, and the Scrapy settings derived from them.

``settings.py`` declares Scrapy's fixed settings and enables this add-on (``ADDONS``). The add-on reads each
``GOVSITES_*`` setting once through :class:`govsites.config.GovsitesConfig` (``-s NAME=value`` first, then the
environment, then the declared default), writes the typed values back into the settings and derives the Scrapy
settings that depend on them (download handlers, timeout, concurrency, logging, the distributed scheduler …).

Derived settings are set with the ``addon`` priority: above Scrapy's defaults, below the project's
``settings.py``, a spider's ``custom_settings`` and the command line, so ``-s DOWNLOAD_TIMEOUT=30`` still wins
over the value derived from ``GOVSITES_LINK_TIMEOUT``.

Scrapy configures logging and builds the spider loader before a crawler's add-ons run; it calls
:meth:`GovsitesAddon.update_pre_crawler_settings` before both, so the console log level and the registry the
spider loader lists come from the same derivation (:func:`apply_config`).
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy.settings import BaseSettings, get_settings_priority

from govsites.config import GovsitesConfig
from govsites.distributed import scrapy_settings as distributed_settings
from govsites.rendering import RENDER_SLOT, STUCK_PAGE_ROOM
from govsites.revalidate import HTTPCACHE_SETTINGS, cache_dir
from govsites.store import parse_as_of

logger = logging.getLogger(__name__)

#: The priority of every value the add-on sets (see the module docstring).
PRIORITY = "addon"

#: Scrapy-playwright's download handler with a deadline (:mod:`govsites.browserpages`), used when
#: JavaScript-filled lists are rendered and anti-bot challenges passed.
PLAYWRIGHT_HANDLERS = {
    "http": "govsites.browserpages.BoundedPlaywrightHandler",
    "https": "govsites.browserpages.BoundedPlaywrightHandler",
}


def chromium_path(config: GovsitesConfig) -> str:
    """The browser binary: ``GOVSITES_CHROMIUM``, else Debian's chromium on PATH."""
    return config.chromium_binary()


#: Chromium's switch that lets renders share renderer processes (with :class:`govsites.browserpages.PagePool`):
#: under site isolation every site's page gets a process of its own, started for each render. Our browser holds no
#: login or personal data to isolate; a page that runs a long script holds up the pages sharing its process (each
#: render has its deadline). This switch alone turns site isolation off (Debian's Chromium 156: one renderer for a
#: page and its frame of another host, tests/test_browser_switches.py).
SHARED_RENDERERS = ("--disable-site-isolation-trials",)

#: Switches Chromium reads once: given twice, the last one wins whole. Playwright passes its own lists first
#: (``HttpsUpgrades`` off: an ``http://`` page is rendered over http, as the plain crawl reads it, not tried over
#: https first; ``OptimizationHints``, ``PreconnectToSearch`` …: no calls to Google's servers from an office's
#: network), so a declared one silently drops Playwright's. govsites declares none (it used to:
#: ``--disable-features=site-per-process`` turned back on every feature Playwright turns off); a user who declares
#: one is warned.
FEATURE_LISTS = ("--disable-features=", "--enable-features=")


def browser_launch(config: GovsitesConfig, declared: dict[str, Any]) -> dict[str, Any]:
    """The browser's launch options: the declared ones, the browser binary unless they name one, and, with
    ``GOVSITES_RENDER_PAGE_REUSE``, renderer processes shared by about four pages each (unless declared)."""
    launch = {"executable_path": chromium_path(config), **declared}
    args = list(launch.get("args", []))
    for arg in args:
        if arg.startswith(FEATURE_LISTS):
            logger.warning(
                "PLAYWRIGHT_LAUNCH_OPTIONS 中的 %s 将替换 Playwright 自带的整份功能列表（Chromium 只认最后一个）", arg
            )
    if config.render_page_reuse and not any(arg.startswith("--renderer-process-limit") for arg in args):
        args += [*SHARED_RENDERERS, f"--renderer-process-limit={max(2, config.render_pages // 4)}"]
    return {**launch, "args": args}


def derived_settings(config: GovsitesConfig, launch_options: dict[str, Any] | None = None) -> dict[str, Any]:
    """The Scrapy settings that follow from the govsites settings.

    ``launch_options``: the declared ``PLAYWRIGHT_LAUNCH_OPTIONS``; the browser binary is added unless they name
    one already.
    """
    derived: dict[str, Any] = {
        "DOWNLOAD_HANDLERS": dict(PLAYWRIGHT_HANDLERS) if config.render_enabled else {},
        "PLAYWRIGHT_LAUNCH_OPTIONS": browser_launch(config, launch_options or {}),
        # GOVSITES_RENDER_OWN_LOOP (docs/benchmarks.md): Playwright on an asyncio loop of its own, in a thread.
        # ``_PLAYWRIGHT_THREADED_LOOP`` is scrapy-playwright's (checked against 0.0.48: its Windows code path).
        "_PLAYWRIGHT_THREADED_LOOP": config.render_own_loop,
        # GOVSITES_PER_HOST kept when a host's queue is dequeued at once, and for all workers of a distributed crawl
        # together (leases of each host in Redis, govsites.hostleases)
        "DOWNLOADER": f"govsites.downloader.{'DistributedDownloader' if config.distributed else 'PoliteDownloader'}",
        "DOWNLOAD_TIMEOUT": config.link_timeout,
        "CONCURRENT_REQUESTS": config.concurrent_requests,
        "CONCURRENT_REQUESTS_PER_DOMAIN": config.per_host,
        # The render slot bounds the renders (govsites.rendering.RENDER_SLOT); the context's page permits leave room
        # for pages that would not close and are being closed in the background (govsites.browserpages).
        "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": config.render_pages * STUCK_PAGE_ROOM,
        "DOWNLOAD_SLOTS": {RENDER_SLOT: {"concurrency": config.render_pages}},
        "DOWNLOAD_DELAY": config.delay,
        "AUTOTHROTTLE_ENABLED": config.autothrottle,
        "ROBOTSTXT_OBEY": config.robotstxt_obey,
        "LOG_LEVEL": config.log_level,
        "STATS_DUMP": config.stats_dump,  # the per-site summary is printed instead
        "JOBDIR": config.jobdir or None,
    }
    if config.revalidate_enabled:
        derived.update(HTTPCACHE_SETTINGS, HTTPCACHE_DIR=cache_dir(config.httpcache_dir, config.db))
    if config.distributed:
        derived.update(distributed_settings(config.distributed, config.run or parse_as_of(config.as_of)))
    return derived


def apply_config(settings: BaseSettings) -> GovsitesConfig:
    """Put every ``GOVSITES_*`` value and the settings derived from them into ``settings``; return the values.

    The one derivation: the add-on calls it, before the crawler (logging, spider loader) and again for each
    crawler (a spider's ``custom_settings`` may change a govsites setting).
    """
    config = GovsitesConfig.from_settings(settings)
    values = config.as_settings()
    values.update(derived_settings(config, settings.getdict("PLAYWRIGHT_LAUNCH_OPTIONS")))
    launch = values.pop("PLAYWRIGHT_LAUNCH_OPTIONS")
    for name, value in values.items():
        settings.set(name, value, priority=PRIORITY)
    # The launch options are declared in settings.py (a higher priority): the browser binary joins them there.
    priority = max(get_settings_priority(PRIORITY), settings.getpriority("PLAYWRIGHT_LAUNCH_OPTIONS") or 0)
    settings.set("PLAYWRIGHT_LAUNCH_OPTIONS", launch, priority=priority)
    return config


class GovsitesAddon:
    """``ADDONS = {"govsites.addon.GovsitesAddon": 0}`` (see the module docstring)."""

    @classmethod
    def update_pre_crawler_settings(cls, settings: BaseSettings) -> None:
        apply_config(settings)

    def update_settings(self, settings: BaseSettings) -> None:
        apply_config(settings)
