"""The crawl process's garbage collector (govsites.collector): thresholds read once, the start-up heap frozen
while the spider runs and Python's behaviour back after it; a bad value is one clear error before any crawl."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from govsites.collector import CollectorTuning
from govsites.config import ConfigError, parse_thresholds
from tests.helpers import crawl_command, run


def test_thresholds_are_three_positive_integers_or_none() -> None:
    assert parse_thresholds("5000,20,100") == (5000, 20, 100)
    assert parse_thresholds(" 700, 10 ,10 ") == (700, 10, 10)
    assert parse_thresholds("") is None
    for bad in ("5000,20", "5000,20,0", "a,b,c", "5000,20,100,1", "-1,2,3"):
        with pytest.raises(ConfigError, match="GOVSITES_GC_THRESHOLDS"):
            parse_thresholds(bad)


@pytest.fixture
def python_collector() -> Iterator[None]:
    before = gc.get_threshold()
    yield
    gc.set_threshold(*before)
    gc.unfreeze()


@pytest.mark.usefixtures("python_collector")
def test_the_heap_of_the_start_is_frozen_while_the_spider_runs() -> None:
    before = gc.get_threshold()
    tuning = CollectorTuning((5000, 20, 100))
    loaded = [[i] for i in range(1000)]  # what a crawl loads before it starts (lexicons, the registry)
    tuning.spider_opened()
    assert gc.get_threshold() == (5000, 20, 100)
    assert gc.get_freeze_count() >= len(loaded)
    walked = {id(obj) for obj in gc.get_objects()}  # what a collection walks: the frozen objects are not in it
    assert all(gc.is_tracked(x) and id(x) not in walked for x in loaded)
    tuning.spider_opened()  # a second signal changes nothing
    assert gc.get_threshold() == (5000, 20, 100)
    tuning.spider_closed()
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
    tuning.spider_closed()
    assert gc.get_threshold() == before


def test_the_extension_reads_its_setting_and_an_empty_one_switches_it_off() -> None:
    ext = CollectorTuning.from_crawler(get_crawler(settings_dict={"GOVSITES_GC_THRESHOLDS": "2000,10,50"}))
    assert ext.thresholds == (2000, 10, 50)
    with pytest.raises(NotConfigured):
        CollectorTuning.from_crawler(get_crawler(settings_dict={"GOVSITES_GC_THRESHOLDS": ""}))


def test_a_bad_value_stops_the_crawl_before_it_starts(tmp_path: Path) -> None:
    registry = tmp_path / "sites.csv"
    registry.write_text("site_id,name,group,county,home_url\ns1,某县人民政府,county,某县,http://127.0.0.1:9/\n")
    db = tmp_path / "store.sqlite"
    proc = run(crawl_command(registry, db, "r1", "2015-12-31", "-s", "GOVSITES_GC_THRESHOLDS=5000,20"))
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.strip().splitlines()[-1] == (
        "错误：设置 GOVSITES_GC_THRESHOLDS 应为三个正整数，以逗号分隔（如 700,10,100）：5000,20"
    )
    assert not db.exists()
