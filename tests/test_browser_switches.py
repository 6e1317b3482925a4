"""The crawl's browser keeps Playwright's own switches and shares renderer processes
(:data:`govsites.addon.SHARED_RENDERERS`, :data:`govsites.addon.FEATURE_LISTS`).

Chromium reads ``--disable-features`` once: given twice, the last one wins whole. The crawl used to pass
``--disable-features=site-per-process,IsolateOrigins`` after Playwright's list, and so turned back on every feature
Playwright turns off (HTTPS upgrades of ``http://`` pages, calls to Google's servers). Here Debian's Chromium is
started with the crawl's launch options, as scrapy-playwright starts it, while it shows a home page that frames
another host's page (:class:`tests.webs.unbuilt.FramedWeb`): its command line is read from ``/proc`` and its
targets are asked for over the DevTools protocol.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import async_playwright

from govsites.addon import SHARED_RENDERERS, browser_launch
from govsites.config import GovsitesConfig
from tests.helpers import crawl_launch_options, needs_chromium
from tests.webs.unbuilt import FramedWeb


def browser_command_line(marker: str) -> list[str]:
    """The command line of the browser process launched with ``marker`` among its switches, as the kernel has it
    (the browser process is the one run with no ``--type=`` switch: Chromium's helpers rewrite theirs)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = [arg for arg in (entry / "cmdline").read_bytes().decode(errors="replace").split("\0") if arg]
        except OSError:
            continue  # ended meanwhile
        if marker in argv and "--type=" not in " ".join(argv):
            found.append(argv)
    assert len(found) == 1, found
    return found[0]


async def browse(launch: dict[str, Any], url: str) -> dict[str, Any]:
    """Open ``url`` in a browser started with ``launch``: the browser's command line, the text its frame's script
    wrote, and how many frames run in a renderer process of their own (Chromium's ``iframe`` targets)."""
    marker = f"--govsites-test-browser={uuid.uuid4().hex}"  # a switch Chromium ignores, to find its process by
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(**{**launch, "args": [*launch.get("args", []), marker]})
        try:
            page = await browser.new_page()
            await page.goto(url)
            framed = page.frame_locator("#map").locator("#where")
            written = await framed.text_content(timeout=20_000)
            command_line = browser_command_line(marker)
            session = await browser.new_browser_cdp_session()
            targets = (await session.send("Target.getTargets"))["targetInfos"]
        finally:
            await browser.close()
    return {
        "arguments": command_line,
        "written": written,
        "own_process_frames": sum(1 for target in targets if target["type"] == "iframe"),
    }


@pytest.fixture(scope="module")
def web() -> Any:
    with FramedWeb() as served:
        yield served


@needs_chromium
def test_the_crawls_browser_keeps_playwrights_feature_lists(web: FramedWeb) -> None:
    seen = asyncio.run(browse(crawl_launch_options(), web.url("home")))
    disabled = [arg for arg in seen["arguments"] if arg.startswith("--disable-features=")]
    enabled = [arg for arg in seen["arguments"] if arg.startswith("--enable-features=")]
    assert len(disabled) == 1, disabled  # Playwright's, and no second one to replace it
    assert len(enabled) == 1, enabled
    assert "HttpsUpgrades" in disabled[0].split("=", 1)[1].split(",")  # http pages stay on http
    assert "--disable-site-isolation-trials" in seen["arguments"]


@needs_chromium
def test_a_frame_of_another_host_shares_its_pages_renderer(web: FramedWeb) -> None:
    launch = crawl_launch_options()
    shared = asyncio.run(browse(launch, web.url("home")))
    isolated_args = [arg for arg in launch["args"] if arg not in SHARED_RENDERERS]
    isolated = asyncio.run(browse({**launch, "args": isolated_args}, web.url("home")))
    assert shared["written"] == isolated["written"] == "县政务服务中心"  # the framed page's script ran in both
    assert isolated["own_process_frames"] == 1  # site isolation: the frame in a process of its own
    assert shared["own_process_frames"] == 0  # the crawl's switch: in its page's process


def test_a_declared_feature_list_is_kept_and_warned_about(caplog: pytest.LogCaptureFixture) -> None:
    declared = {"args": ["--no-sandbox", "--disable-features=Translate"]}
    with caplog.at_level(logging.WARNING, logger="govsites.addon"):
        launch = browser_launch(GovsitesConfig(), declared)
    assert "--disable-features=Translate" in launch["args"]  # the user's choice stands
    assert "--disable-features=Translate" in caplog.text
    assert not [arg for arg in launch["args"] if arg.startswith("--disable-features=") and "site-per" in arg]
