"""A later crawl does not render again what has not changed, and does render what has (:mod:`govsites.renderreuse`).

Three crawls of a real loopback web (:mod:`tests.webs.rerender`) with Debian's Chromium, each scored with
``python -m scoring``. The first renders the home page (for the dark-link check, from the answer the crawl read; it
also loads a counter from a host where nothing answers) and the script-filled list, and keeps both. The second, of
the unchanged web, opens no browser page at all and gives the same outputs. Before the third the home page's script
is hijacked to write a hidden gambling link: the home page alone is rendered again and the dark link is found, while
the unchanged list is still reused.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from govsites.renderreuse import MAX_INPUTS, RESOURCE_TIMING_BUFFER, digest, input_urls
from tests.helpers import crawl_rows, needs_chromium, read_csv, run, score_command
from tests.webs.rerender import AS_OF, DARK_LINK, SCRIPTED, RerenderWeb

COMPARED = ("metrics.csv", "columns.csv", "links.csv", "risks.csv")


def _stat(log: str, name: str) -> int:
    found = re.search(rf"'govsites/render_reuse/{name}': (\d+)", log)
    return int(found.group(1)) if found else 0


@pytest.fixture(scope="module")
def crawls(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("rerender")
    outcome: dict[str, Any] = {"tmp": tmp}
    with RerenderWeb() as web:
        for label in ("r1", "r2", "r3"):
            if label == "r3":
                web.hijacked = True
            before, unchanged = dict(web.hits), web.not_modified
            done, db = crawl_rows(web.registry_rows(), tmp, label, AS_OF)
            assert done.returncode == 0, done.stderr[-3000:]
            scored = run(score_command(tmp / "sites.csv", db, tmp / label, label))
            assert scored.returncode == 0, scored.stderr[-3000:]
            browser = {
                path: n - before.get(("browser", path), 0) for (who, path), n in web.hits.items() if who == "browser"
            }
            outcome[label] = {
                "log": done.stderr,
                "browser": {p: n for p, n in browser.items() if n},
                "not_modified": web.not_modified - unchanged,
            }
    return outcome


@needs_chromium
def test_the_first_crawl_renders_and_keeps_both_pages(crawls: dict[str, Any]) -> None:
    first = crawls["r1"]
    # the home page is rendered from the answer the crawl read (govsites.givendocument): the browser asks for its
    # script, never for the page itself
    assert first["browser"].get("/js/site.js", 0) >= 1, first["browser"]
    assert first["browser"].get("/", 0) == 0, first["browser"]
    assert "'govsites/security/home_render_given': 1," in first["log"], first["log"][-3000:]
    assert first["browser"].get(SCRIPTED[0], 0) >= 1, first["browser"]
    assert _stat(first["log"], "kept") == 2, first["log"][-3000:]
    assert "'playwright/browser_count': 1," in first["log"]  # one browser for the crawl process
    assert _stat(first["log"], "reused") == 0


@needs_chromium
def test_an_unchanged_web_opens_no_browser_page_and_gives_the_same_outputs(crawls: dict[str, Any]) -> None:
    second = crawls["r2"]
    assert second["browser"] == {}, second["browser"]
    assert _stat(second["log"], "reused") == 2, second["log"][-3000:]
    assert _stat(second["log"], "inputs_failed") >= 1  # the dead counter failed again: its failure is its answer
    # the two pages and what they loaded were asked for again and answered 304 (with the site's other pages)
    assert second["not_modified"] >= 4, second["not_modified"]
    assert "2 个页面及其脚本、数据均未变化，沿用上次的渲染结果" in second["log"]
    tmp = crawls["tmp"]
    for name in COMPARED:
        assert read_csv(tmp / "r1" / name) == read_csv(tmp / "r2" / name), name
    listed = [row for row in read_csv(tmp / "r2" / "columns.csv") if row["column"] == SCRIPTED[1]]
    assert [row["items"] for row in listed] == ["3"], listed  # read from the kept render, as from the first one


@needs_chromium
def test_a_hijacked_script_is_rendered_again_and_its_dark_link_found(crawls: dict[str, Any]) -> None:
    third, tmp = crawls["r3"], crawls["tmp"]
    assert third["browser"].get("/js/site.js", 0) >= 1, third["browser"]  # the home page: its script changed
    assert third["browser"].get("/", 0) == 0, third["browser"]  # rendered from the crawl's answer
    assert third["browser"].get(SCRIPTED[0], 0) == 0, third["browser"]  # the list: nothing it loaded changed
    assert (_stat(third["log"], "changed"), _stat(third["log"], "reused")) == (1, 1), third["log"][-3000:]
    dark = [row for row in read_csv(tmp / "r3" / "risks.csv") if row["target"] == DARK_LINK]
    assert [row["kind"] for row in dark] == ["hidden_link"], read_csv(tmp / "r3" / "risks.csv")
    assert not [row for row in read_csv(tmp / "r2" / "risks.csv") if row["target"] == DARK_LINK]


def test_a_render_that_cannot_be_checked_again_is_not_kept() -> None:
    page = "http://a.example/list/"
    read = {"inputs": ["http://a.example/js/a.js", "data:text/plain,x", "http://a.example/js/a.js#x"], "entries": 3}
    assert input_urls(page, read) == [page, "http://a.example/js/a.js"]
    assert input_urls(page, {**read, "otherMethods": 1}) is None  # a POST's answer cannot be asked for again
    assert input_urls(page, {**read, "entries": RESOURCE_TIMING_BUFFER}) is None  # entries may have been lost
    many = {"inputs": [f"http://a.example/{i}.js" for i in range(MAX_INPUTS + 1)], "entries": MAX_INPUTS + 1}
    assert input_urls(page, many) is None


def test_an_input_is_compared_by_status_and_body() -> None:
    assert digest(200, b"x") == digest(200, b"x")
    assert digest(200, b"x") != digest(404, b"x")
    assert digest(200, b"x") != digest(200, b"y")
