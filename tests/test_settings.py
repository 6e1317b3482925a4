"""One declaration per setting: the govsites add-on reads ``-s`` and the environment alike and derives Scrapy's
settings from them, in a crawler built as Scrapy builds it (``get_crawler``: the project's ADDONS applied)."""

from __future__ import annotations

import pytest
from scrapy.crawler import Crawler
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from govsites.addon import PLAYWRIGHT_HANDLERS, apply_config
from govsites.config import GovsitesConfig, declared_names
from govsites.spiderloader import SiteSpiderLoader
from govsites.spiders.site import SiteSpider
from tests.helpers import project_settings

PROJECT = project_settings()


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in declared_names():
        monkeypatch.delenv(name, raising=False)


def crawler(**settings: object) -> Crawler:
    return get_crawler(SiteSpider, {**PROJECT, **settings})


def test_settings_module_declares_no_govsites_value() -> None:
    assert not [name for name in PROJECT if name.startswith("GOVSITES_")]
    assert PROJECT["ADDONS"] == {"govsites.addon.GovsitesAddon": 0}
    for derived in ("DOWNLOAD_TIMEOUT", "DOWNLOAD_HANDLERS", "LOG_LEVEL", "CONCURRENT_REQUESTS_PER_DOMAIN", "JOBDIR"):
        assert derived not in PROJECT  # the add-on's, at a priority a user's -s beats


@pytest.mark.parametrize(
    ("name", "value", "derived", "expected"),
    [
        ("GOVSITES_MAX_QUERY_VARIANTS", "7", None, None),
        ("GOVSITES_LINK_TIMEOUT", "9", "DOWNLOAD_TIMEOUT", 9),
        ("GOVSITES_PER_HOST", "3", "CONCURRENT_REQUESTS_PER_DOMAIN", 3),
        ("GOVSITES_LOG_LEVEL", "WARNING", "LOG_LEVEL", "WARNING"),
    ],
)
def test_environment_and_setting_behave_alike(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, derived: str | None, expected: object
) -> None:
    from_setting = crawler(**{name: value}).settings
    monkeypatch.setenv(name, value)
    from_environment = crawler().settings
    attribute = name.removeprefix("GOVSITES_").lower()
    typed = getattr(GovsitesConfig.from_settings({name: value}), attribute)
    for settings in (from_setting, from_environment):
        assert getattr(GovsitesConfig.from_settings(settings, environ={}), attribute) == typed
        assert settings.get(name) in (value, typed)  # what a component reading the setting itself sees
        if derived is not None:
            assert settings.get(derived) == expected


def test_environment_value_reaches_the_setting_the_spider_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    # Before the add-on, GOVSITES_MAX_QUERY_VARIANTS in the environment was silently ignored.
    monkeypatch.setenv("GOVSITES_MAX_QUERY_VARIANTS", "7")
    assert crawler().settings.getint("GOVSITES_MAX_QUERY_VARIANTS", 30) == 7


def test_setting_wins_over_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOVSITES_LINK_TIMEOUT", "9")
    settings = crawler(GOVSITES_LINK_TIMEOUT="4").settings
    assert settings.getint("DOWNLOAD_TIMEOUT") == 4


def test_defaults_are_the_declared_ones() -> None:
    settings = crawler().settings
    defaults = GovsitesConfig()
    assert GovsitesConfig.from_settings(settings, environ={}) == defaults
    assert settings.getint("DOWNLOAD_TIMEOUT") == defaults.link_timeout
    assert settings.getint("CONCURRENT_REQUESTS") == defaults.concurrent_requests
    assert settings.getdict("DOWNLOAD_HANDLERS") == PLAYWRIGHT_HANDLERS
    assert settings.get("JOBDIR") is None
    assert settings["PLAYWRIGHT_LAUNCH_OPTIONS"]["executable_path"]
    assert settings["PLAYWRIGHT_LAUNCH_OPTIONS"]["headless"] is True  # the declared options are kept


def test_scrapy_name_given_by_the_user_wins_over_the_derived_value() -> None:
    settings = crawler(GOVSITES_LINK_TIMEOUT="9", DOWNLOAD_TIMEOUT=30).settings
    assert settings.getint("DOWNLOAD_TIMEOUT") == 30


def test_reused_pages_share_renderer_processes_once_and_only_when_on() -> None:
    args = crawler(GOVSITES_RENDER_PAGES="16").settings["PLAYWRIGHT_LAUNCH_OPTIONS"]["args"]
    assert "--no-sandbox" in args  # the declared switches are kept
    assert [arg for arg in args if arg.startswith("--renderer-process-limit")] == ["--renderer-process-limit=4"]
    assert "--disable-site-isolation-trials" in args
    off = crawler(GOVSITES_RENDER_PAGE_REUSE="0").settings["PLAYWRIGHT_LAUNCH_OPTIONS"]["args"]
    assert not [arg for arg in off if "renderer-process" in arg or "isolation" in arg]


def test_render_off_uses_scrapys_own_handlers() -> None:
    assert crawler(GOVSITES_RENDER_ENABLED="0").settings.getdict("DOWNLOAD_HANDLERS") == {}


def test_spider_custom_settings_are_derived_too() -> None:
    class Quiet(SiteSpider):
        custom_settings = {"GOVSITES_RENDER_ENABLED": False, "GOVSITES_LINK_TIMEOUT": 2}  # noqa: RUF012 - Scrapy's

    settings = get_crawler(Quiet, PROJECT).settings
    assert settings.getdict("DOWNLOAD_HANDLERS") == {}
    assert settings.getint("DOWNLOAD_TIMEOUT") == 2


def test_distributed_worker_gets_the_shared_scheduler_keyed_by_run() -> None:
    settings = crawler(GOVSITES_DISTRIBUTED="redis://127.0.0.1:1/0", GOVSITES_RUN="r1").settings
    assert settings.get("SCHEDULER") == "govsites.sharedscheduler.SharedScheduler"
    assert settings.get("SCHEDULER_QUEUE_KEY") == "govsites:r1:requests"
    assert settings.get("REDIS_URL") == "redis://127.0.0.1:1/0"
    assert crawler().settings.get("SCHEDULER") != "govsites.sharedscheduler.SharedScheduler"


def test_apply_config_before_the_crawler_sets_logging_and_is_idempotent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOVSITES_LOG_LEVEL", "DEBUG")
    settings = Settings(PROJECT, priority="project")
    first = apply_config(settings)
    assert settings.get("LOG_LEVEL") == "DEBUG"
    assert apply_config(settings) == first


def test_bad_value_is_reported_in_chinese(monkeypatch: pytest.MonkeyPatch) -> None:
    from govsites.config import ConfigError

    monkeypatch.setenv("GOVSITES_MAX_PAGES", "many")
    with pytest.raises(ConfigError, match="GOVSITES_MAX_PAGES 应为整数"):
        apply_config(Settings(PROJECT, priority="project"))


def test_spider_loader_reads_the_registry_named_in_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: pytest.TempPathFactory
) -> None:
    registry = tmp_path / "sites.csv"  # type: ignore[operator]
    registry.write_text(
        "site_id,name,group,county,home_url\nonly,某局,agency,市直,http://127.0.0.11:8341/\n", encoding="utf-8"
    )
    monkeypatch.setenv("GOVSITES_SITES", str(registry))
    loader = SiteSpiderLoader.from_settings(Settings(PROJECT, priority="project"))
    assert loader.list() == ["only"]
    assert loader.load("only").fixed_site_ids == ("only",)


def test_command_line_options_then_environment_then_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    from govsites.cli import build_parser, crawl_config

    monkeypatch.setenv("GOVSITES_RUN", "from-env")
    monkeypatch.setenv("GOVSITES_DB", "env.sqlite")
    monkeypatch.setenv("GOVSITES_MAX_QUERY_VARIANTS", "7")
    args = build_parser().parse_args(
        ["crawl", "--db", "option.sqlite", "--allow-private", "-s", "GOVSITES_MAX_QUERY_VARIANTS=9"]
    )
    config = crawl_config(args)
    assert (config.db, config.run, config.max_query_variants) == ("option.sqlite", "from-env", 9)
    assert config.allow_private is True
    assert config.sites == GovsitesConfig().sites
    assert crawl_config(build_parser().parse_args(["probe"])).max_query_variants == 7


def test_derivation_runs_before_logging_and_the_spider_loader(
    monkeypatch: pytest.MonkeyPatch, tmp_path: pytest.TempPathFactory
) -> None:
    # Scrapy calls the add-on's update_pre_crawler_settings when a runner or process is made, before the process
    # configures logging from LOG_LEVEL and before it builds the spider loader.
    from scrapy.crawler import AsyncCrawlerRunner

    registry = tmp_path / "sites.csv"  # type: ignore[operator]
    registry.write_text(
        "site_id,name,group,county,home_url\nonly,某局,agency,市直,http://127.0.0.11:8341/\n", encoding="utf-8"
    )
    monkeypatch.setenv("GOVSITES_LOG_LEVEL", "WARNING")
    monkeypatch.setenv("GOVSITES_SITES", str(registry))
    runner = AsyncCrawlerRunner(Settings(PROJECT, priority="project"))
    assert runner.settings.get("LOG_LEVEL") == "WARNING"
    assert runner.spider_loader.list() == ["only"]
