"""Lists the browser could not render are named, never lost: a crawl with a tiny ``GOVSITES_RENDER_DEADLINE`` of a
real loopback web whose script-filled lists never finish loading (:mod:`tests.webs.stalled`), with Debian's
Chromium, then ``python -m scoring`` writing the real workbook, read back with openpyxl.

Before, such a column was stored as ``unreachable`` (无法访问) and cost the site a deduction for a page that
opened fine; a list page the browser never rendered was a crawl stat and a log line only. Now the store keeps,
per column page, that its list needed the browser and why the render did not complete; the workbook names the
columns, how many and why, on the sheets that report partial coverage (分组排名's 评估范围, 指标明细, 总览's
notes) and lists each in 栏目明细 with its reason; such a column counts as no problem and as no column read fine.
An earlier crawl read the same columns as plain lists (stale): 整改跟踪 does not call them 已整改 now that they
could not be read. The skipped render (a host whose anti-bot challenge the browser did not pass) is followed
through the real middlewares and the spider's column helper in process.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from scrapy import Request

from govsites.antibot import RENDER_SKIPPED_CAUSE, AntibotMiddleware, host_key
from govsites.browserpages import RenderDeadlineError, RenderFailures, RenderSkipped, render_failure
from govsites.extract.columns import CategoryTable, ColumnLink
from govsites.registry import Site
from govsites.rendering import RENDER_DEADLINE, RENDER_FAILED, RENDER_SKIPPED, RenderFailure
from govsites.sitestate import SiteState
from govsites.spiders.columns import unreachable_column
from govsites.spiders.requests import render_meta
from tests.helpers import CrawlerFactory, crawl_rows, needs_chromium, query, read_csv, run, score_command
from tests.webs.stalled import AS_OF, NAME, PLAIN, STALLED, StalledListWeb

#: Seconds a browser page may take in all: far below the settle wait a list whose data never comes takes (10 s).
DEADLINE = "2"


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[StalledListWeb, Path, str]]:
    tmp = tmp_path_factory.mktemp("unrendered")
    with StalledListWeb() as web:
        web.stalled = False  # an earlier crawl: the two columns were plain lists, stale
        earlier, _db = crawl_rows(web.registry_rows(), tmp, "u0", AS_OF)
        assert earlier.returncode == 0, earlier.stderr[-3000:]
        web.stalled = True
        # a progress interval longer than the crawl: no progress lines, but the per-site summary at the end
        result, _db = crawl_rows(
            web.registry_rows(),
            tmp,
            "u1",
            AS_OF,
            GOVSITES_RENDER_DEADLINE=DEADLINE,
            GOVSITES_PROGRESS_INTERVAL="3600",
        )
    assert result.returncode == 0, result.stderr[-3000:]
    scored = run(score_command(tmp / "sites.csv", tmp / "store.sqlite", tmp / "out", "u1"))
    assert scored.returncode == 0, scored.stderr[-3000:] + scored.stdout[-2000:]
    return web, tmp, result.stderr + scored.stdout


def render_lines(log: str) -> list[str]:
    return [line for line in log.splitlines() if "渲染" in line or "render" in line]


@needs_chromium
def test_the_store_names_each_list_the_browser_could_not_render(crawled: tuple[StalledListWeb, Path, str]) -> None:
    web, tmp, log = crawled
    rows = query(
        tmp / "store.sqlite",
        "SELECT url, name, status, items, render_error, render_detail FROM columns WHERE site_id = 'stalled'",
    )
    by_url = {row["url"]: row for row in rows}
    for path, name in STALLED.items():
        row = by_url[web.url(path)]
        assert (row["name"], row["status"], row["items"]) == (name, "unrendered", 0), render_lines(log)
        assert row["render_error"] == RENDER_DEADLINE
        assert f"渲染时限 {DEADLINE} 秒" in row["render_detail"]
    plain = by_url[web.url(PLAIN[0])]
    assert (plain["status"], plain["render_error"], plain["render_detail"]) == ("ok", "", "")
    assert web.hits["/api/list"] >= len(STALLED)  # the browser opened the pages; their data never came
    # counted, and logged with the reason and in the crawl's summaries of the site
    assert f"'govsites/render/unrendered/deadline': {len(STALLED)}" in log
    assert f"浏览器未能渲染 {web.url('/tzgg/')}（渲染超时）" in log
    assert "网站 stalled 检测完成（页面" in log
    assert f"浏览器未能渲染栏目 {len(STALLED)}：渲染超时 {len(STALLED)}）" in log
    assert f"浏览器未能渲染 {len(STALLED)}：渲染超时 {len(STALLED)}）" in log  # the summary line at the end


@needs_chromium
def test_the_workbook_names_the_columns_and_why(crawled: tuple[StalledListWeb, Path, str]) -> None:
    web, tmp, _log = crawled
    workbook = load_workbook(tmp / "out" / "scores.xlsx", read_only=True)

    def table(sheet: str) -> list[dict[str, Any]]:
        rows = list(workbook[sheet].iter_rows(values_only=True))
        return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]

    (ranked,) = [row for row in table("分组排名") if row["单位名称"] == NAME]
    scope = str(ranked["评估范围"])
    assert f"浏览器未能渲染的栏目 {len(STALLED)} 个（渲染超时 {len(STALLED)} 个）" in scope
    for path, name in STALLED.items():
        assert f"{name} {web.url(path)}" in scope  # each column by name and URL
    assert ranked["结论"] in ("合格", "不合格")  # the rest of the site was evaluated

    (metrics,) = [row for row in table("指标明细") if row["站点标识"] == "stalled"]
    assert metrics["浏览器未能渲染栏目数"] == len(STALLED)
    assert metrics["无法打开栏目"] == 0  # not scored as a column the site failed to open…
    assert metrics["空白栏目"] == 0
    assert "无法打开的栏目" not in str(metrics["扣分明细"] or "")

    columns = {row["栏目网址"]: row for row in table("栏目明细")}
    for path, name in STALLED.items():
        row = columns[web.url(path)]
        assert (row["栏目名称"], row["状态"], row["条目数"]) == (name, "未能渲染", 0)  # …nor as one read fine
        assert str(row["未能渲染原因"]).startswith("渲染超时：浏览器打开该页超过渲染时限")
        assert row["问题编号"] is None  # the crawl's gap, not a problem of the site to review or rectify
    assert columns[web.url(PLAIN[0])]["未能渲染原因"] is None

    areas = {row["站点标识"]: row for row in table("重点领域")}
    assert areas["stalled"]["财政预决算"] == "未能渲染"  # not judged stale on a list never read

    overview = [str(c) for r in workbook["总览"].iter_rows(values_only=True) for c in r if c]
    assert any(
        "有栏目的列表需要浏览器渲染而未能渲染" in c and f"{NAME}（渲染超时 {len(STALLED)} 个）" in c for c in overview
    )

    scores = {row["site_id"]: row for row in read_csv(tmp / "out" / "metrics.csv")}
    assert scores["stalled"]["unrendered_columns"] == str(len(STALLED))
    assert scores["stalled"]["unreachable_columns"] == "0"
    problems = [row for row in read_csv(tmp / "out" / "problems.csv") if row["site_id"] == "stalled"]
    assert not [row for row in problems if "渲染" in row["text"]]


@needs_chromium
def test_a_column_not_rendered_now_is_not_called_fixed(crawled: tuple[StalledListWeb, Path, str]) -> None:
    web, tmp, _log = crawled
    history = read_csv(tmp / "out" / "history.csv")
    stalled = {web.url(path) for path in STALLED}
    earlier = query(
        tmp / "store.sqlite",
        "SELECT c.url, c.newest_date FROM columns c JOIN runs r ON r.id = c.run_id WHERE r.label = 'u0'",
    )
    assert {row["url"]: row["newest_date"] for row in earlier if row["url"] in stalled} == dict.fromkeys(
        stalled, "2025-01-12"
    )  # stale in the earlier run
    assert [row for row in history if row["key"] in stalled] == []  # neither 已整改 nor 未整改: not judged now
    workbook = load_workbook(tmp / "out" / "scores.xlsx", read_only=True)
    tracked = [r for r in workbook["整改跟踪"].iter_rows(values_only=True) if any(str(c) in stalled for c in r)]
    assert tracked == []


SITE = Site(site_id="s1", name="测试站", group="agency", county="市直", home_url="http://127.0.0.73:9/")
COLUMN = "http://127.0.0.73:9/tzgg/"


def test_a_render_refused_on_a_blocked_host_leaves_its_column_unrendered(crawler_for: CrawlerFactory) -> None:
    """A host whose challenge the browser did not pass: the render is not opened (AntibotMiddleware), the reason
    is noted for the site (RenderFailures) and its column written as ``unrendered``, even one a bare link named."""
    crawler = crawler_for(project=True)
    state = SiteState(site=SITE, hosts={SITE.host})
    crawler.spider.states = {SITE.site_id: state}  # type: ignore[attr-defined]
    antibot = AntibotMiddleware.from_crawler(crawler)
    failures = RenderFailures.from_crawler(crawler)
    request = Request(COLUMN, meta={"site_id": SITE.site_id, "role": "page", "gdepth": 1, **render_meta()})

    async def refused() -> RenderSkipped:
        blocked: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        blocked.set_result(None)  # what a pass the browser did not get leaves for the host
        antibot.passes[host_key(COLUMN)] = blocked
        with pytest.raises(RenderSkipped) as raised:
            await antibot.process_request(request)
        return raised.value

    exception = asyncio.run(refused())
    assert failures.process_exception(request, exception) is None  # the failure goes on to the errback
    assert crawler.stats.get_value("govsites/antibot/render_skipped") == 1
    assert crawler.stats.get_value("govsites/render/unrendered/skipped") == 1
    state.set_column(ColumnLink("通知公告", COLUMN, "link"))
    item = unreachable_column(state, CategoryTable.default(), COLUMN)
    assert item is not None
    assert (item.status, item.render_error, item.render_detail) == ("unrendered", RENDER_SKIPPED, RENDER_SKIPPED_CAUSE)
    assert item.category == "notice"
    assert state.take_render_failure(COLUMN) is None  # read once


def test_a_failed_plain_page_stays_unreachable_and_other_renders_are_not_noted(crawler_for: CrawlerFactory) -> None:
    crawler = crawler_for(project=True)
    state = SiteState(site=SITE, hosts={SITE.host})
    crawler.spider.states = {SITE.site_id: state}  # type: ignore[attr-defined]
    failures = RenderFailures.from_crawler(crawler)
    home_render = Request(SITE.home_url, meta={"site_id": SITE.site_id, "role": "home_render", **render_meta()})
    failures.process_exception(home_render, RenderDeadlineError("slow", seconds=2))  # the security check's own
    plain = Request(COLUMN, meta={"site_id": SITE.site_id, "role": "page", "gdepth": 1})
    failures.process_exception(plain, TimeoutError("slow"))  # not a render: an unreachable page
    assert state.render_failures == {}
    state.set_column(ColumnLink("通知公告", COLUMN, "nav"))
    item = unreachable_column(state, CategoryTable.default(), COLUMN)
    assert item is not None
    assert (item.status, item.render_error) == ("unreachable", "")


def test_render_failure_reasons() -> None:
    deadline = render_failure(RenderDeadlineError("x", seconds=60), attempts=3)
    assert deadline == RenderFailure(
        RENDER_DEADLINE, "浏览器打开该页超过渲染时限 60 秒仍未完成，共试 3 次（GOVSITES_RENDER_DEADLINE）"
    )
    assert deadline.label == "渲染超时"
    assert render_failure(RenderSkipped("x", cause="原因")) == RenderFailure(RENDER_SKIPPED, "原因")
    failed = render_failure(RuntimeError("Target page,\n context or browser has been closed"))
    assert failed.code == RENDER_FAILED
    assert failed.detail == "浏览器打开失败：RuntimeError: Target page, context or browser has been closed"
    assert failed.label == "渲染出错"


def test_with_the_browser_switched_off_a_script_filled_list_is_named_not_lost(tmp_path: Path) -> None:
    from govsites.spiders.site import RENDER_OFF

    with StalledListWeb() as web:
        result, db = crawl_rows(web.registry_rows(), tmp_path, "off", AS_OF, GOVSITES_RENDER_ENABLED="0")
    assert result.returncode == 0, result.stderr[-3000:]
    rows = query(db, "SELECT url, status, render_error, render_detail FROM columns WHERE site_id = 'stalled'")
    by_url = {row["url"]: row for row in rows}
    for path in STALLED:
        row = by_url[web.url(path)]
        assert (row["status"], row["render_error"], row["render_detail"]) == ("unrendered", RENDER_SKIPPED, RENDER_OFF)
    assert "'govsites/render/unrendered/skipped': 2" in result.stderr
    assert sum("浏览器渲染已关闭" in line for line in result.stderr.splitlines()) >= len(STALLED)


def test_a_browser_that_cannot_start_is_one_clear_line_and_its_lists_are_named(tmp_path: Path) -> None:
    """The browser is launched before the crawl (govsites.browserpages): one that cannot start is an error line,
    the crawl goes on, and each list that needed it is stored as not rendered with the browser's reason."""
    with StalledListWeb() as web:
        result, db = crawl_rows(web.registry_rows(), tmp_path, "nob", AS_OF, GOVSITES_CHROMIUM="/nonexistent/chromium")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "浏览器无法启动" in result.stderr
    assert "Traceback" not in result.stderr, result.stderr[:3000]
    rows = query(db, "SELECT url, status, render_error, render_detail FROM columns WHERE site_id = 'stalled'")
    by_url = {row["url"]: row for row in rows}
    for path in STALLED:
        row = by_url[web.url(path)]
        assert (row["status"], row["render_error"]) == ("unrendered", RENDER_FAILED), dict(row)
        assert "/nonexistent/chromium" in row["render_detail"]
    assert by_url[web.url(PLAIN[0])]["status"] == "ok"


@needs_chromium
def test_a_home_page_the_browser_could_not_render_is_told_to_the_analyst(tmp_path: Path) -> None:
    """The home page's render (the dark-link check's view of the links scripts write) did not complete: the check
    read the raw page only, which is a notice-level finding of the site, counted and listed, not in the notice."""
    with StalledListWeb() as web:
        web.stalled_home = True
        result, db = crawl_rows(web.registry_rows(), tmp_path, "h1", AS_OF, GOVSITES_RENDER_DEADLINE=DEADLINE)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "'govsites/security/home_render_failed': 1" in result.stderr
    assert any("未能用浏览器渲染，暗链检查只读了原始页面" in line for line in result.stderr.splitlines())
    rows = query(db, "SELECT kind, url, severity, evidence FROM risks WHERE site_id = 'stalled'")
    unrendered = [row for row in rows if row["kind"] == "unrendered_home"]
    assert len(unrendered) == 1, rows
    assert (unrendered[0]["url"], unrendered[0]["severity"]) == (web.url(), "notice")
    assert f"渲染时限 {DEADLINE} 秒" in unrendered[0]["evidence"]
    scored = run(score_command(tmp_path / "sites.csv", db, tmp_path / "out", "h1"))
    assert scored.returncode == 0, scored.stderr[-3000:] + scored.stdout[-2000:]
    metrics = read_csv(tmp_path / "out" / "metrics.csv")
    assert [(m["site_id"], m["unrendered_homes"]) for m in metrics] == [("stalled", "1")]
    risks = read_csv(tmp_path / "out" / "risks.csv")
    assert [r["kind"] for r in risks if r["kind"] == "unrendered_home"] == ["unrendered_home"]
    sheet = load_workbook(next((tmp_path / "out").glob("*.xlsx")), read_only=True)["指标明细"]
    header, *values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0][header.index("首页未能渲染")] == 1


@needs_chromium
@pytest.mark.parametrize("switch", ["GOVSITES_SECURITY_HOME_RENDER", "GOVSITES_RENDER_ENABLED"])
def test_a_home_page_left_unrendered_by_a_switch_is_told_to_the_analyst(tmp_path: Path, switch: str) -> None:
    """A home page that runs scripts, its render switched off: the dark-link check read the raw page only, which
    the site is told as when its render fails (a notice-level finding naming the switch), never silently."""
    with StalledListWeb() as web:
        web.stalled_home = True  # the home page runs a script
        env = {switch: "0", "GOVSITES_RENDER_DEADLINE": DEADLINE}
        result, db = crawl_rows(web.registry_rows(), tmp_path, "h0", AS_OF, **env)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "'govsites/security/home_render_off': 1" in result.stderr
    assert "'govsites/security/home_render_failed'" not in result.stderr
    rows = query(db, "SELECT kind, url, severity, evidence FROM risks WHERE site_id = 'stalled'")
    unrendered = [row for row in rows if row["kind"] == "unrendered_home"]
    assert [(r["url"], r["severity"]) for r in unrendered] == [(web.url(), "notice")]
    assert f"浏览器渲染已关闭（{switch}=0）" in unrendered[0]["evidence"]
    assert "暗链检查只读了原始页面" in unrendered[0]["evidence"]
