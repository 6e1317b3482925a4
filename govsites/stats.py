"""The crawl's stats collector (``STATS_CLASS``): Scrapy's in-memory one without its per-access shim.

Scrapy 2.19's ``StatsCollector.__getattribute__`` looks up a cached wrapper (``_cached_<name>``, an
``AttributeError`` raised and caught for every other name, ``_stats`` included) and wraps each stats method in a
deprecation check of its ``spider`` argument. A crawl counts everything it skips or drops (``govsites/...``
stats, several per page), so the shim was 2.3 % of a crawl process's busy samples (py-spy on the 65-site bench
web: ``StatsCollector.__getattribute__`` 1.7 % itself, the wrapper 0.6 %). Here attributes are plain again; the
methods, their signatures and the stats kept are Scrapy's (a ``spider`` argument is accepted and ignored, as
Scrapy ignores it, without the deprecation warning).
"""

from __future__ import annotations

from scrapy.statscollectors import MemoryStatsCollector


class PlainStats(MemoryStatsCollector):
    """``MemoryStatsCollector`` with ordinary attribute access (module docstring)."""

    __getattribute__ = object.__getattribute__
