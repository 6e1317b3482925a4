"""Crawl options that only change speed: the quiet log formatter and ``--workers``."""

from __future__ import annotations

import argparse
import logging
import os
from types import SimpleNamespace

import pytest
from scrapy import Spider
from scrapy.http import HtmlResponse, Request
from scrapy.settings import Settings

from govsites.cli import build_parser, parse_workers
from govsites.logformatter import QuietLogFormatter


def _pair() -> tuple[Request, HtmlResponse, Spider]:
    request = Request("http://127.0.0.1:1/index.html")
    response = HtmlResponse(request.url, body=b"<html></html>", request=request)
    return request, response, Spider(name="s")


def test_quiet_formatter_skips_debug_lines_at_info() -> None:
    request, response, spider = _pair()
    quiet = QuietLogFormatter(debug=False)
    assert quiet.crawled(request, response, spider) is None
    assert quiet.scraped({"a": 1}, response, spider) is None


def test_quiet_formatter_keeps_them_at_debug() -> None:
    request, response, spider = _pair()
    loud = QuietLogFormatter(debug=True)
    crawled = loud.crawled(request, response, spider)
    assert crawled is not None
    assert crawled["level"] == logging.DEBUG
    assert "Crawled" in crawled["msg"]
    assert loud.scraped({"a": 1}, response, spider) is not None


@pytest.mark.parametrize(("level", "debug"), [("INFO", False), ("DEBUG", True), ("WARNING", False)])
def test_quiet_formatter_reads_log_level(level: str, debug: bool) -> None:
    holder = SimpleNamespace(settings=Settings({"LOG_LEVEL": level}))  # from_crawler reads only the settings
    assert QuietLogFormatter.from_crawler(holder).debug is debug


def test_workers_auto_is_one_per_core() -> None:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    assert parse_workers("auto") == cores
    assert parse_workers(" AUTO ") == cores
    assert parse_workers("3") == 3


@pytest.mark.parametrize("bad", ["0", "-2", "two", ""])
def test_workers_rejects_nonsense(bad: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match="抓取进程数"):
        parse_workers(bad)


def test_workers_option_parses() -> None:
    args = build_parser().parse_args(["crawl", "--workers", "auto"])
    assert args.workers >= 1
