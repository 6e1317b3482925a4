"""Rendering configuration: what the browser skips and which loop Playwright runs on."""

from __future__ import annotations

import asyncio
import inspect
from types import SimpleNamespace

import pytest

from govsites import rendering


@pytest.mark.parametrize("resource_type", sorted(rendering.SKIPPED_RESOURCES))
def test_skips_resources_a_list_never_needs(resource_type: str) -> None:
    assert rendering.skip_resource(SimpleNamespace(resource_type=resource_type))


@pytest.mark.parametrize("resource_type", ["document", "script", "xhr", "fetch", "other"])
def test_loads_what_a_list_needs(resource_type: str) -> None:
    assert not rendering.skip_resource(SimpleNamespace(resource_type=resource_type))


def test_own_loop_setting_switches_scrapy_playwright(monkeypatch: pytest.MonkeyPatch) -> None:
    from scrapy.settings import Settings
    from scrapy_playwright.handler import Config

    from govsites import settings as project_settings
    from govsites.addon import apply_config
    from govsites.config import GovsitesConfig

    monkeypatch.delenv("GOVSITES_RENDER_OWN_LOOP", raising=False)
    values = {k: v for k, v in vars(project_settings).items() if k.isupper()}

    def threaded(**extra: object) -> bool:
        settings = Settings({**values, **extra})
        apply_config(settings)  # what the govsites add-on does
        return bool(Config.from_settings(settings).use_threaded_loop)

    assert threaded() is GovsitesConfig().render_own_loop
    for own_loop in (True, False):
        assert threaded(GOVSITES_RENDER_OWN_LOOP=own_loop) is own_loop


def test_why_playwright_needs_its_own_loop() -> None:
    """The reason for ``_PLAYWRIGHT_THREADED_LOOP``: Playwright's pipe reader waits, after each driver message, for
    the loop's ready queue to empty. A loop that always has other ready work makes that wait its full length; when
    Playwright changes this, the setting's comment in govsites/settings.py should be checked again."""
    from playwright._impl import transport
    from playwright._impl.utils import tasks

    assert "wait_for_next_task" in inspect.getsource(transport.PipeTransport.run)

    async def busy() -> None:
        while True:
            await asyncio.sleep(0)

    async def turns_waited() -> int:
        loop = asyncio.get_running_loop()
        turns = 0

        def count() -> None:
            nonlocal turns
            turns += 1
            loop.call_soon(count)

        worker = asyncio.ensure_future(busy())
        await asyncio.sleep(0)
        loop.call_soon(count)
        await tasks.wait_for_next_task()
        worker.cancel()
        return turns

    assert asyncio.run(turns_waited()) >= 50


def test_the_crawl_spider_launches_its_browser_before_the_crawl() -> None:
    from govsites.spiders.probe import ProbeSpider
    from govsites.spiders.site import SiteSpider

    assert SiteSpider.custom_settings == {"PLAYWRIGHT_CONTEXTS": {"default": {}}}
    assert not (ProbeSpider.custom_settings or {}).get("PLAYWRIGHT_CONTEXTS")  # a probe round opens no browser
