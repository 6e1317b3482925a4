"""Scrapy's own log lines, only when someone reads them.

Scrapy builds a "Crawled (200) <GET …>" and a "Scraped from …" record for every response and item, at DEBUG,
and the handler drops them at INFO: on a 14,000-page crawl that is ~50,000 records built for nothing (about
1 % of the crawl's CPU). This formatter returns ``None`` for them (Scrapy then skips the call) unless the
``scrapy`` loggers would emit DEBUG records.

:func:`quiet_framework_logs` keeps the analyst's console to govsites' own (Chinese) lines at INFO: Scrapy's and
scrapy-playwright's start-up inventory (versions, settings, enabled components) and their INFO lines are English
noise to an analyst; their warnings and errors still show. ``GOVSITES_LOG_LEVEL=DEBUG`` shows everything.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Spider
from scrapy.http import Request, Response
from scrapy.logformatter import LogFormatter, LogFormatterResult
from twisted.python.failure import Failure

#: Loggers of the frameworks under the crawl, and their messages that are expected in every govsites crawl.
FRAMEWORK_LOGGERS = ("scrapy", "scrapy-playwright")
EXPECTED_WARNINGS = ("found no scrapy.spidermiddlewares.referer.RefererMiddleware",)  # disabled on purpose


class _ExpectedWarnings(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not any(text in str(record.msg) for text in EXPECTED_WARNINGS)


def logs_debug(level: str | int) -> bool:
    """Whether ``LOG_LEVEL`` (a name such as ``"INFO"`` or a number) lets DEBUG records through."""
    numeric = level if isinstance(level, int) else logging.getLevelName(str(level).upper())
    return isinstance(numeric, int) and numeric <= logging.DEBUG


def quiet_framework_logs(level: str | int) -> None:
    """Below DEBUG, show only warnings and errors of Scrapy and scrapy-playwright, minus the expected ones (the
    console handler still drops what is below ``level``)."""
    if logs_debug(level):
        return
    for name in FRAMEWORK_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    # STATS_DUMP=1 (GOVSITES_STATS_DUMP) asks for Scrapy's stats at the end: keep them.
    logging.getLogger("scrapy.statscollectors").setLevel(logging.INFO)
    redirect = logging.getLogger("scrapy.downloadermiddlewares.redirect")
    if not any(isinstance(f, _ExpectedWarnings) for f in redirect.filters):
        redirect.addFilter(_ExpectedWarnings())


class QuietLogFormatter(LogFormatter):
    """LogFormatter that skips the DEBUG crawled/scraped lines when DEBUG is not being logged."""

    def __init__(self, debug: bool) -> None:
        self.debug = debug

    @classmethod
    def from_crawler(cls, crawler: Any) -> QuietLogFormatter:
        return cls(debug=logs_debug(crawler.settings.get("LOG_LEVEL", "DEBUG")))

    # Scrapy accepts None from these methods (it then logs nothing); its annotation says otherwise.
    def crawled(  # type: ignore[override]
        self, request: Request, response: Response, spider: Spider
    ) -> LogFormatterResult | None:
        return super().crawled(request, response, spider) if self.debug else None

    def scraped(  # type: ignore[override]
        self, item: Any, response: Response | Failure | None, spider: Spider
    ) -> LogFormatterResult | None:
        return super().scraped(item, response, spider) if self.debug else None
