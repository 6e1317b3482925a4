"""Item pipelines for ``tests/test_inflight.py`` (added with ``crawl -s ITEM_PIPELINES=…``): one holds every page
item a while, as a pipeline waiting on the network would (the home page's AAAA lookup, a certificate check), the
other writes the order items leave the pipelines in to ``GOVSITES_TEST_ITEM_LOG`` (one JSON line each)."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
from typing import Any

from govsites.items import PageItem, SiteDoneItem

#: Seconds each page item is held: longer than the rest of a site of the test web takes once its pages are read.
HOLD = 5.0


class HoldPagesPipeline:
    async def process_item(self, item: Any) -> Any:
        if isinstance(item, PageItem):
            await asyncio.sleep(HOLD)
        return item


class ItemOrderPipeline:
    def __init__(self) -> None:
        self.path = os.environ["GOVSITES_TEST_ITEM_LOG"]

    def process_item(self, item: Any) -> Any:
        if isinstance(item, (PageItem, SiteDoneItem)):
            line = {"type": type(item).__name__, "site_id": item.site_id, "url": getattr(item, "url", "")}
            with Path(self.path).open("a", encoding="utf-8") as f:
                f.write(json.dumps(line) + "\n")
        return item
