"""Every ``GOVSITES_*`` setting, declared once: its name, type, default and meaning.

A setting is a field of :class:`GovsitesConfig`; its Scrapy/environment name is ``GOVSITES_`` followed by the
field name in capitals (``max_pages`` -> ``GOVSITES_MAX_PAGES``). A value is taken, in this order, from the
Scrapy settings (``-s NAME=value``, the CLI, a spider's ``custom_settings``), then from an environment variable of
the same name (an empty one counts as unset), then from the default declared here. The README's settings table is
checked against this module by a test.

Components build their typed view once, in ``from_crawler``: ``GovsitesConfig.from_settings(crawler.settings)``.
No Scrapy import here: the registry, the CLI and the tests read the same declarations.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

PREFIX = "GOVSITES_"
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off", ""})


class ConfigError(ValueError):
    """A setting's value cannot be read as its declared type (the message is the user's, in Chinese)."""


class SettingsLike(Protocol):
    """What is read of Scrapy's ``Settings`` (a plain dict works too)."""

    def get(self, name: str, default: Any = None) -> Any: ...


def setting(default: object, meaning: str) -> Any:
    """Declare one setting: its default and what it means (shown in the README's settings table)."""
    return field(default=default, metadata={"meaning": meaning})


@dataclass(frozen=True)
class Setting:
    """One declared setting, as the README table and the add-on see it."""

    name: str
    attribute: str
    type: str
    default: object
    meaning: str


@dataclass(frozen=True)
class GovsitesConfig:
    """The typed values of every ``GOVSITES_*`` setting (see the module docstring for where values come from)."""

    # -- what to crawl and where results go ---------------------------------------------------------
    sites: str = setting("data/sites.csv", "registry CSV")
    columns: str = setting("data/columns.csv", "hand-pinned columns CSV (optional file)")
    categories: str = setting("data/categories.csv", "column-category keyword table")
    maintenance: str = setting("data/maintenance.csv", "maintenance windows (临时关停/改版 报备): docs/sitechecks.md")
    db: str = setting("data/govsites.sqlite", "store: a SQLite file path or a postgresql:// URL")
    run: str = setting("", "run label; empty: a new run for a full crawl, the latest run for a subset")
    as_of: str = setting("", "evaluation date YYYY-MM-DD; empty: today (or the run's own date)")
    site_ids: str = setting("", "crawl only these site_ids (comma-separated)")
    counties: str = setting("", "crawl only the sites of these counties (comma-separated)")
    workers: str = setting("1", "crawl processes on this machine (a count, or auto: one per CPU core)")
    store_lock_held: bool = setting(False, "set by `crawl --workers N` for its children: the parent holds the lock")
    store_batch: int = setting(5000, "rows buffered per table before the store writes them")
    jobdir: str = setting("", "Scrapy JOBDIR (persisted scheduler queue); empty: none")
    # -- distributed crawl (docs/scaling.md) ------------------------------------------------------------
    distributed: str = setting("", "redis:// URL of the shared scheduler and site state; empty: one process")
    distributed_wait: float = setting(600.0, "seconds a joining worker waits for the seeding worker")
    distributed_poll: float = setting(
        0.5, "seconds between a worker's polls of the shared queue (besides its engine's own asking)"
    )
    # -- caps -------------------------------------------------------------------------------------------
    max_depth: int = setting(3, "link depth from the home page")
    max_pages: int = setting(5000, "pages per site")
    site_budget: float = setting(1800.0, "seconds of crawling per site")
    max_query_variants: int = setting(
        30, "pages per path with different query strings (calendar traps); not for links from lists, pagers, site maps"
    )
    article_date_pages: int = setting(
        3,
        "undated lists: newest articles opened for their date (also a pinned item whose list date lacks its year, "
        "when it would be the column's newest, and the home page's newest items shown without their year)",
    )
    guide_pages: int = setting(30, "办事指南 pages read per site")
    soft404_probe: bool = setting(True, "request each site's not-found page to recognise soft 404s")
    # -- link checks and probes -----------------------------------------------------------------------
    link_timeout: int = setting(15, "seconds before a request (page or link check) times out")
    probes: int = setting(3, "home-page probes per crawl")
    probe_interval: float = setting(5.0, "seconds between home-page probes")
    probe_timeout: int = setting(15, "seconds a home-page probe may take")
    allow_private: bool = setting(False, "allow private and loopback addresses that are not registered sites")
    guard_enabled: bool = setting(True, "refuse requests to private addresses (the scope guard)")
    retry_backoff: float = setting(1.0, "seconds before the first retry, doubled per attempt")
    retry_max_delay: float = setting(20.0, "longest Retry-After honoured, in seconds")
    # -- politeness ---------------------------------------------------------------------------------------
    per_host: int = setting(8, "concurrent requests per host")
    concurrent_requests: int = setting(
        1024,
        "concurrent requests in all, per crawl process: enough that fast hosts never hold a slow host below its"
        " per-host limit (GOVSITES_PER_HOST keeps each host polite); the open-files limit is raised to fit",
    )
    delay: float = setting(0.0, "seconds between requests to one host")
    autothrottle: bool = setting(False, "Scrapy's AutoThrottle")
    robotstxt_obey: bool = setting(False, "obey robots.txt (off: an evaluation checks what visitors can reach)")
    # -- components -------------------------------------------------------------------------------------
    typos_enabled: bool = setting(True, "the typo pipeline")
    sitechecks_enabled: bool = setting(True, "site-wide checks of the 2019 indicators (docs/sitechecks.md)")
    sitechecks_article_pages: int = setting(20, "article pages per site read for the page_tags check")
    tls_ca_file: str = setting("", "extra trusted CA certificates (PEM) for the https check; empty: the system's")
    revalidate_enabled: bool = setting(
        True, "later crawls send conditional requests and reuse an answer the server says is unchanged (304)"
    )
    httpcache_dir: str = setting("", "where answers are kept for revalidation; empty: <store>.httpcache")
    shared_answers_enabled: bool = setting(
        True, "a request for an address being fetched or just fetched by the same process gets that answer"
    )
    render_enabled: bool = setting(True, "render JavaScript-filled lists in Chromium (scrapy-playwright)")
    render_reuse_enabled: bool = setting(
        True,
        "later crawls reuse a page's render while the page and every script and data answer it loaded are unchanged",
    )
    endpoints_enabled: bool = setting(
        True,
        "read script-filled lists from their JSON endpoint with plain requests (GET, or POST with a form or JSON"
        " body), learned from one render per site; a body that is not text (`FormData`) cannot be sent again: that"
        " list is rendered and counted (`govsites/endpoints/opaque_bodies`)",
    )
    antibot_enabled: bool = setting(True, "pass JS cookie challenges (412/521) in Chromium once per host")
    antibot_wait: float = setting(10.0, "seconds the browser waits for a JS cookie challenge to let it in")
    render_pages: int = setting(
        16, "browser pages open at once: renders wait mostly on the sites, so more pages than one host's connections"
    )
    render_per_host: int = setting(
        2,
        "browser page loads at a time per host (list renders, the home page's render, challenge passes), besides"
        " GOVSITES_PER_HOST plain requests",
    )
    render_page_reuse: bool = setting(
        True,
        "a completed render's browser page serves the next render, and renderer processes are shared (about four"
        " pages each): about 40 % less browser CPU",
    )
    render_page_park: bool = setting(
        True,
        "a kept browser page waits for the next render on a blank document, so the rendered page's scripts and"
        " animations (scrolling news boxes, banners) stop using the CPU meanwhile",
    )
    render_deadline: float = setting(
        60.0, "seconds one browser page may take in all (load, settle, read) before it is closed as a timeout"
    )
    gc_thresholds: str = setting(
        "700,10,100",
        "a crawl process's garbage-collector thresholds (govsites.collector: the heap loaded before the crawl frozen,"
        " full collections rare); empty: Python's own",
    )
    stable_caps: bool = setting(
        True, "caps choose the pages they let through by depth then URL, not by arrival (same findings every crawl)"
    )
    security_enabled: bool = setting(
        True, "content-security checks: personal data, dark and hijacked links (docs/security.md)"
    )
    security_home_render: bool = setting(
        True,
        "render a home page that runs scripts for the dark-link check (off: its raw page only, each such site told so)",
    )
    security_attachments: int = setting(200, "attachments per site downloaded and read for personal data")
    security_targets: int = setting(300, "external link targets per site fetched and classified (each URL once)")
    security_max_bytes: int = setting(20 * 1024 * 1024, "bytes of one attachment or target page at most")
    render_own_loop: bool = setting(
        True,
        "run Playwright on an asyncio loop of its own, in a thread: a busy crawl does not hold up the browser's"
        " messages (docs/benchmarks.md, run Z)",
    )
    chromium: str = setting("", "the browser binary; empty: Debian's chromium on PATH")
    progress_interval: float = setting(10.0, "seconds between progress lines; 0: none")
    progress_file: str = setting(
        "", "set by `crawl --workers N` for each child: the file its progress is written to; empty: logged"
    )
    log_level: str = setting("INFO", "console log level (DEBUG also shows Scrapy's own lines)")
    stats_dump: bool = setting(False, "print Scrapy's counters at the end")

    @classmethod
    def declarations(cls) -> tuple[Setting, ...]:
        """Every declared setting, in declaration order."""
        return tuple(
            Setting(
                name=PREFIX + f.name.upper(),
                attribute=f.name,
                type=str(f.type),
                default=f.default,
                meaning=f.metadata["meaning"],
            )
            for f in dataclasses.fields(cls)
        )

    @classmethod
    def from_settings(
        cls, settings: SettingsLike | Mapping[str, Any], environ: Mapping[str, str] | None = None
    ) -> GovsitesConfig:
        """The typed values: Scrapy settings first, then the environment, then the declared defaults."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for decl in cls.declarations():
            raw = settings.get(decl.name)
            if raw is None:
                raw = env.get(decl.name) or None
            if raw is not None:
                values[decl.attribute] = parse_value(decl, raw)
        return cls(**values)

    def as_settings(self) -> dict[str, Any]:
        """``GOVSITES_*`` name -> typed value, for Scrapy's settings."""
        return {decl.name: getattr(self, decl.attribute) for decl in self.declarations()}

    # -- derived values ----------------------------------------------------------------------------------
    def chromium_binary(self) -> str:
        """The browser binary: ``GOVSITES_CHROMIUM``, else Debian's chromium on PATH."""
        return self.chromium or shutil.which("chromium") or "/usr/bin/chromium"

    @property
    def site_id_list(self) -> list[str]:
        return split_list(self.site_ids)

    @property
    def county_list(self) -> list[str]:
        return split_list(self.counties)


def parse_thresholds(text: str) -> tuple[int, int, int] | None:
    """``GOVSITES_GC_THRESHOLDS`` (``"700,10,100"``) as `gc.set_threshold`'s arguments; ``""`` is None
    (Python's own); anything else a `ConfigError` (Chinese)."""
    if not text.strip():
        return None
    parts = [part.strip() for part in text.split(",")]
    if len(parts) != 3 or not all(part.isdigit() and int(part) > 0 for part in parts):
        raise ConfigError(f"设置 GOVSITES_GC_THRESHOLDS 应为三个正整数，以逗号分隔（如 700,10,100）：{text}")
    first, second, third = (int(part) for part in parts)
    return first, second, third


def parse_value(decl: Setting, raw: object) -> object:
    """``raw`` (a typed value or a string from the command line or the environment) as ``decl``'s type."""
    if decl.type == "bool":
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise ConfigError(f"设置 {decl.name} 应为 1/0、true/false 或 yes/no：{raw}")
    if decl.type in ("int", "float"):
        if isinstance(raw, bool) or not isinstance(raw, int | float | str):
            raise ConfigError(f"设置 {decl.name} 应为数字：{raw}")
        try:
            return int(raw) if decl.type == "int" else float(raw)
        except ValueError:
            word = "整数" if decl.type == "int" else "数字"
            raise ConfigError(f"设置 {decl.name} 应为{word}：{raw}") from None
    return "" if raw is None else str(raw)


def split_list(value: str) -> list[str]:
    """A comma-separated setting as its non-empty, stripped parts."""
    return [part.strip() for part in value.split(",") if part.strip()]


def declared_names() -> Iterator[str]:
    """Every ``GOVSITES_*`` name."""
    return (decl.name for decl in GovsitesConfig.declarations())
