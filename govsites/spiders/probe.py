"""A probe round (`govsites probe`, `make probe`): home-page probes only, no crawl.

The probes themselves are scheduled by :class:`govsites.extensions.HomeProbes`; this spider only answers them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, ClassVar

from govsites.spiders.sites import RegisteredSitesSpider


class ProbeSpider(RegisteredSitesSpider):
    """Probe every chosen site's home page; nothing is crawled."""

    name = "govsites-probe"
    mode: ClassVar[str] = "probe"
    probe_source: ClassVar[str] = "probe"

    async def start(self) -> AsyncIterator[Any]:
        return
        yield  # an asynchronous generator with nothing to start
