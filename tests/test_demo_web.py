"""The bundled demo web: server behaviour, page patterns and the expected.json contract."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest

from govsites.demo import AS_OF, DemoWeb
from govsites.demo.expected import (
    EXPECTED_PATH,
    build_expected,
    crawl,
    display,
    dumps,
    load_expected,
    window_start,
)
from govsites.demo.model import DEAD_NETLOC
from govsites.demo.sites import SITES, SiteApp, check_site_data
from tests.helpers import ROOT, read_csv

LIVE = [s.site_id for s in SITES if not s.down]
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def fetch(url: str, method: str = "GET") -> tuple[int, str, bytes]:
    """(status, content type, body); status 0 when the connection fails."""
    req = urllib.request.Request(url, method=method)
    try:
        with OPENER.open(req, timeout=5) as resp:
            return resp.status, resp.headers.get("Content-Type", ""), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers.get("Content-Type", ""), err.read()
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return 0, "", b""


def decode(ctype: str, body: bytes) -> str:
    """Decode by the header charset (GBK pages as GB18030, its superset)."""
    charset = ctype.rsplit("charset=", maxsplit=1)[-1].lower() if "charset=" in ctype else "utf-8"
    return body.decode("gb18030" if charset in {"gbk", "gb2312"} else charset)


def headers(url: str, method: str) -> tuple[int, dict[str, str], bytes]:
    req = urllib.request.Request(url, method=method)
    try:
        with OPENER.open(req, timeout=5) as resp:
            return resp.status, dict(resp.headers.items()), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers.items()), err.read()


@pytest.fixture(scope="module")
def web() -> Iterator[DemoWeb]:
    with DemoWeb(port=0) as demo:
        yield demo


@pytest.fixture(scope="module")
def expected() -> dict:
    return load_expected()


def url(web: DemoWeb, site_id: str, path: str = "/") -> str:
    return web.home_url(site_id).rstrip("/") + path


# ---- server -------------------------------------------------------------------------------------------
def test_one_loopback_address_per_site_same_port(web: DemoWeb) -> None:
    rows = web.registry_rows()
    assert [r["site_id"] for r in rows] == [s.site_id for s in SITES]
    hosts = [urlsplit(r["home_url"]).hostname for r in rows]
    assert len(set(hosts)) == len(hosts)
    assert all(h.startswith("127.0.0.") for h in hosts)
    assert len({urlsplit(r["home_url"]).port for r in rows}) == 1
    assert web.start() is web  # idempotent


@pytest.mark.parametrize("site_id", LIVE)
def test_home_pages(web: DemoWeb, site_id: str) -> None:
    status, ctype, body = fetch(url(web, site_id))
    assert status == 200
    assert ctype.startswith("text/html; charset=")
    site = next(s for s in SITES if s.site_id == site_id)
    text = decode(ctype, body)
    assert site.name in text
    for marker in (
        'name="SiteName"',
        "网站标识码",
        "ICP备",
        "网站首页",
        "机构概况",
        "联系我们",
        "网站地图",
        "搜索",
        "更多&gt;&gt;",
    ):
        assert marker in text, marker


def test_gbk_site(web: DemoWeb) -> None:
    status, ctype, body = fetch(url(web, "ningshan"))
    assert status == 200
    assert ctype == "text/html; charset=GBK"
    assert b'<meta charset="gbk">' in body
    assert "镕".encode("gbk") in body
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    text = body.decode("gb18030")
    assert "宁陕县人民政府" in text
    assert "刘镕" in text
    with pytest.raises(UnicodeEncodeError):
        "镕".encode("gb2312")  # GBK-only: a GB2312 decoder would lose it


def test_head_same_headers_no_body(web: DemoWeb) -> None:
    target = url(web, "xunyang", "/xwzx/zwyw/index.html")
    g_status, g_headers, g_body = headers(target, "GET")
    h_status, h_headers, h_body = headers(target, "HEAD")
    assert g_status == h_status == 200
    assert h_body == b""
    assert h_headers["Content-Type"] == g_headers["Content-Type"]
    assert int(h_headers["Content-Length"]) == len(g_body)
    assert fetch(url(web, "syj", "/no/such/page.htm"), "HEAD")[0] == 404


@pytest.mark.parametrize("site_id", LIVE)
def test_unknown_path_404(web: DemoWeb, site_id: str) -> None:
    status, ctype, body = fetch(url(web, site_id, "/no/such/page.html"))
    assert status == 404
    assert ctype.startswith("text/html")
    assert "页面不存在" in decode(ctype, body)


def test_down_site_and_dead_external_refuse(web: DemoWeb) -> None:
    assert fetch(web.home_url("hkq"))[0] == 0
    with pytest.raises(urllib.error.URLError) as err:
        OPENER.open(web.home_url("hkq"), timeout=5)
    assert isinstance(err.value.reason, ConnectionRefusedError)
    assert fetch(f"http://{DEAD_NETLOC}/")[0] == 0


def test_broken_things_have_real_status(web: DemoWeb) -> None:
    assert fetch(url(web, "syj", "/jdcj/index.htm"))[0] == 500
    assert fetch(url(web, "syj", "/ypyw/9111.htm"))[0] == 500
    assert fetch(url(web, "fgw", "/xxgk/tzgg/409.htm"))[0] == 404
    assert fetch(url(web, "fgw", "/images/news/ghtu_2015.jpg"))[0] == 404


def test_attachments(web: DemoWeb) -> None:
    status, hdrs, body = headers(url(web, "fgw", quote("/uploads/附件/申报指南.doc")), "GET")
    assert status == 200
    assert hdrs["Content-Type"] == "application/msword"
    assert int(hdrs["Content-Length"]) == len(body) > 0
    assert fetch(url(web, "fgw", quote("/uploads/附件/申报表.doc")))[0] == 404
    status, ctype, _ = fetch(url(web, "xunyang", quote("/uploads/files/2015年度部门预算表.xls")))
    assert (status, ctype) == (200, "application/vnd.ms-excel")


def test_hits_are_counted(web: DemoWeb) -> None:
    fetch(url(web, "gtj", "/jggk/index.html"))
    assert web.hits[(web.host("gtj"), "GET", "/jggk/index.html")] >= 1


# ---- CMS patterns ---------------------------------------------------------------------------------------
def test_trs_list_pagination_and_pinned(web: DemoWeb) -> None:
    text = fetch(url(web, "xunyang", "/xwzx/zwyw/index.html"))[2].decode()
    assert 'createPageHTML(3, 0, "index", "html")' in text
    assert 'href="./201512/t20151228_4412.html"' in text
    assert text.index("t20150601_4401") < text.index("t20151228_4412")  # pinned old item first
    assert "...</a>" in text
    for k in (1, 2):
        assert fetch(url(web, "xunyang", f"/xwzx/zwyw/index_{k}.html"))[0] == 200
    assert fetch(url(web, "xunyang", "/xwzx/zwyw/201512/t20151228_4412.html"))[0] == 200
    blank = fetch(url(web, "xunyang", "/zwgk/ghjh/index.html"))[2].decode()
    assert "暂无信息" in blank


def test_hanweb_datastore(web: DemoWeb) -> None:
    text = fetch(url(web, "ziyang", "/col/col1234/index.html"))[2].decode()
    assert '<script type="text/xml"><datastore><nextgroup><![CDATA[' in text
    assert '<record><![CDATA[<li class="cf"><a href="/art/2015/12/21/art_1234_5678.html" title="' in text
    assert "/module/web/jpage/dataproxy.jsp" in text
    assert "<b>2015-12-23</b>" in fetch(url(web, "ziyang", "/col/col1235/index.html"))[2].decode()
    undated = fetch(url(web, "ziyang", "/col/col1236/index.html"))[2].decode()
    assert "/art/2015/12/1/art_1236_5701.html" in undated
    assert "2015-12-01" not in undated
    status, ctype, body = fetch(
        url(
            web,
            "ziyang",
            "/module/web/jpage/dataproxy.jsp?startrecord=6&endrecord=10&perpage=5&columnid=1234",
        )
    )
    assert status == 200
    assert ctype.startswith("text/xml")
    xml = body.decode()
    assert "<totalrecord>10</totalrecord>" in xml
    assert xml.count("<record>") == 5
    assert "art_1234_5673" in xml


def test_js_site_raw_list_empty_json_has_items(web: DemoWeb) -> None:
    text = fetch(url(web, "gtj", "/tzgg/index.html"))[2].decode()
    assert '<ul class="list" id="list-tzgg"></ul>' in text
    assert "fetch('/api/list?col=tzgg')" in text
    assert "暂无" not in text
    status, ctype, body = fetch(url(web, "gtj", "/api/list?col=tzgg"))
    assert status == 200
    assert ctype.startswith("application/json")
    data = json.loads(body)
    assert len(data["items"]) == 3
    assert data["items"][0]["date"] == "2015-12-20"
    assert fetch(url(web, "gtj", data["items"][0]["url"]))[0] == 200
    script = fetch(url(web, "gtj", "/zcfg/index.html"))[2].decode()
    assert 'var itemObj = [{"aT": ' in script
    assert '"aPd": "2015-12-20 10:00"' in script


def test_table_list_with_base_href(web: DemoWeb) -> None:
    host = urlsplit(web.home_url("fgw")).netloc
    text = fetch(url(web, "fgw", "/xxgk/tzgg/index.html"))[2].decode()
    assert f'<base href="http://{host}/xxgk/">' in text
    assert "<th>发布日期</th>" in text
    assert "2015/12/1<" in text
    assert 'href="tzgg/411.htm"' in text  # resolves against <base>, not the page URL
    assert fetch(url(web, "fgw", "/xxgk/tzgg/411.htm"))[0] == 200
    assert fetch(url(web, "fgw", "/xxgk/tzgg/tzgg/411.htm"))[0] == 404
    assert "2015年12月24日" in fetch(url(web, "fgw", "/xwzx/gzdt/index.html"))[2].decode()


def test_article_metas(web: DemoWeb) -> None:
    text = fetch(url(web, "xunyang", "/xwzx/zwyw/201512/t20151228_4412.html"))[2].decode()
    assert '<meta name="PubDate" content="2015-12-28 09:30">' in text
    assert '<meta name="ColumnName" content="政务要闻">' in text
    assert '<meta name="SiteName" content="旬阳县人民政府">' in text
    undated = fetch(url(web, "syj", "/bszn/9161.htm"))[2].decode()
    assert "PubDate" not in undated
    assert "2015" not in undated
    assert "2014" not in undated


def test_typos_and_traps(web: DemoWeb) -> None:
    typo = fetch(url(web, "ningshan", "/zwyw/301.htm"))[2].decode("gb18030")
    assert "中华人民共合国" in typo
    trap = fetch(url(web, "ningshan", "/zwyw/300.htm"))[2].decode("gb18030")
    assert all(w in trap for w in ("山西省", "陕西省", "洋县", "旬阳县"))
    assert "朱镕基" in fetch(url(web, "ningshan", "/bmdt/311.htm"))[2].decode("gb18030")
    assert "扫黑险恶" in fetch(url(web, "ningshan", "/tzgg/331.htm"))[2].decode("gb18030")
    assert "[09-02]" in fetch(url(web, "ningshan", "/bmdt/index.htm"))[2].decode("gb18030")
    assert "2015.9.8" in fetch(url(web, "ningshan", "/zwyw/index.htm"))[2].decode("gb18030")


# ---- expected.json ---------------------------------------------------------------------------------------
def test_expected_json_in_sync() -> None:
    check_site_data()
    assert EXPECTED_PATH.read_text(encoding="utf-8") == dumps(build_expected()), (
        "run: python -m govsites.demo expected --write"
    )


def test_expected_shape(expected: dict) -> None:
    assert expected["as_of"] == AS_OF.isoformat() == "2015-12-31"
    sites = expected["sites"]
    assert list(sites) == [s.site_id for s in SITES]
    assert [k for k, v in sites.items() if not v["vetoed"]] == ["xunyang", "ziyang", "gtj", "fgw"]
    assert sites["hkq"]["veto"] == ["home_unavailable"]
    assert set(sites["ningshan"]["veto"]) == {"stale_columns", "serious_typo"}
    assert {"home_not_updated", "stale_columns", "blank_columns", "interaction"} <= set(sites["syj"]["veto"])
    syj = sites["syj"]
    assert syj["blank_columns"] >= 5
    assert syj["stale_columns"] >= 5
    assert syj["broken_links"] > 15
    assert syj["undated_columns"] == 1
    assert syj["unreachable_columns"] == 1
    assert sites["ningshan"]["stale_news_notice_policy"] >= 5
    assert sites["xunyang"]["blank_columns"] == 1
    assert sites["xunyang"]["stale_columns"] == 1
    for site_id in ("xunyang", "ziyang", "gtj", "fgw"):
        assert sites[site_id]["home_updated"], site_id
    for site in sites.values():
        assert site["broken_links"] == len(site["broken"])
        assert site["columns_total"] == len(site["columns"])
        assert site["guides_checked"] == len(site["guides"])
        assert ("interaction" in site["veto"]) == (site["unanswered_90d"] > 0)
        assert site["answered_12m"] <= site["letters_12m"]
        assert set(site["key_areas"].values()) <= {"ok", "stale", "missing"}


def test_expected_interaction_services_and_key_areas(expected: dict) -> None:
    sites = expected["sites"]
    assert [k for k, v in sites.items() if "interaction" in v["veto"]] == ["syj"]
    assert sites["syj"]["unanswered_90d"] == 2
    assert (sites["xunyang"]["letters_12m"], sites["xunyang"]["answered_12m"]) == (5, 4)
    excluded = [x for x in sites["xunyang"]["letters"] if x["excluded"]]
    assert [(x["path"], x["answered"]) for x in excluded] == [("/hdjl/zxft/201507/t20150710_4497.html", False)]
    # one xunyang letter was answered more than 90 days after it came in
    late = [
        x
        for x in sites["xunyang"]["letters"]
        if x["reply_date"]
        and (AS_OF.fromisoformat(x["reply_date"]) - AS_OF.fromisoformat(x["submitted_date"])).days > 90
    ]
    assert len(late) == 1
    assert sites["ziyang"]["letters_12m"] == 5
    assert sites["syj"]["guides_missing_4"] == 2
    assert (
        "/uploads/files/%E4%BC%81%E4%B8%9A%E6%8A%95%E8%B5%84%E9%A1%B9%E7%9B%AE%E5%A4%87%E6%A1%88%E7%94%B3%E8%AF%B7"
        "%E8%A1%A8.doc" in sites["fgw"]["broken"]
    )
    areas = ("三公经费", "财政预决算", "部门预算", "政府信息公开年报", "政策法规", "安全生产")  # the rubric's order
    for site_id in LIVE:
        assert tuple(sites[site_id]["key_areas"]) == areas
    assert sites["syj"]["key_areas"]["财政预决算"] == "missing"  # a blank column discloses nothing
    # annual areas count the current or the previous year: a 2014-09 item is still on time for AS_OF 2015
    assert sites["ziyang"]["key_areas"]["三公经费"] == "ok"
    assert sites["xunyang"]["key_areas"]["政府信息公开年报"] == "ok"
    statuses = {v for site_id in LIVE for v in sites[site_id]["key_areas"].values()}
    assert statuses == {"ok", "stale", "missing"}


def test_mailbox_and_guide_pages(web: DemoWeb) -> None:
    table = fetch(url(web, "xunyang", "/hdjl/ldxx/index.html"))[2].decode()
    assert "<th>来信时间</th><th>办理状态</th><th>回复时间</th>" in table
    badge = fetch(url(web, "syj", "/zwzx/index.htm"))[2].decode()
    assert '<span class="state">[未回复]</span>' in badge
    plain = fetch(url(web, "ziyang", "/col/col1240/index.html"))[2].decode()
    assert "已回复" not in plain  # status only on the detail pages
    assert "办理中" not in plain
    detail = fetch(url(web, "ziyang", "/art/2015/10/20/art_1240_5741.html"))[2].decode()
    assert "留言时间：2015-10-20" in detail
    assert "答复内容：" in detail
    assert "答复时间" not in detail
    guide = fetch(url(web, "fgw", "/bsfw/bszn/471.htm"))[2].decode()
    assert "<th>设定依据</th>" in guide
    assert "表格下载" in guide
    assert fetch(url(web, "fgw", quote("/uploads/files/企业投资项目备案申请表.doc")))[0] == 404


def test_dates_keep_clear_of_boundaries(expected: dict) -> None:
    """No column's newest date (and no site's newest home date) lies within 2 days of a boundary."""
    for site in expected["sites"].values():
        for col in site["columns"]:
            start = window_start(col["category"])
            if start is None or not col["newest_date"]:
                continue
            newest = AS_OF.fromisoformat(col["newest_date"])
            assert abs((newest - start).days) > 2, (site["name"], col)
    home_from = AS_OF - timedelta(days=14)
    for site in SITES:
        days = [it.day for c in site.columns if c.home_block for it in c.items[:5] if it.day]
        if days:
            assert abs((max(days) - home_from).days) > 2, site.site_id


@pytest.mark.parametrize("site_id", LIVE)
def test_http_crawl_matches_expected(web: DemoWeb, expected: dict, site_id: str) -> None:
    """Crawl the live server over HTTP: the same broken links, every page within depth 3."""
    home = web.home_url(site_id)
    host = urlsplit(home).netloc
    result = crawl(home, fetch)
    exp = expected["sites"][site_id]
    assert sorted(display(u, host) for u in result.broken()) == exp["broken"]
    assert sorted(display(u, host) for u in result.broken() if result.home in result.sources[u]) == exp["broken_home"]
    assert max(result.depth.values()) <= 3
    for broken in result.broken():  # broken links sit on pages of depth <= 2 (safe margin below 3)
        assert min(result.depth[s] for s in result.sources[broken]) <= 2
    app: SiteApp = web.apps[site_id]
    served = {p for p, page in app.pages.items() if page.status == 200 and page.content_type.startswith("text/html")}
    reached = {urlsplit(u).path for u in result.depth}
    assert {quote(p) for p in served} <= reached
    assert len(served) <= 60


# ---- registries -----------------------------------------------------------------------------------------
def test_default_registry_points_at_demo_web(tmp_path: Path) -> None:
    rows = read_csv(ROOT / "data" / "sites.csv")
    assert rows == DemoWeb().registry_rows()
    assert rows[0]["home_url"] == "http://127.0.0.11:8341/"
    assert rows[-1]["home_url"] == "http://127.0.0.17:8341/"
    written = DemoWeb().write_registry(tmp_path / "r.csv")
    assert written.read_text(encoding="utf-8") == (ROOT / "data" / "sites.csv").read_text(encoding="utf-8")


def test_ankang_example_registry() -> None:
    rows = read_csv(ROOT / "data" / "registries" / "ankang-2015.example.csv")
    assert len(rows) == 65
    assert list(rows[0]) == ["site_id", "name", "group", "county", "home_url"]
    assert sum(r["group"] == "county" for r in rows) == 13
    assert sum(r["group"] == "agency" for r in rows) == 52
    assert all(r["county"] == "市直" for r in rows if r["group"] == "agency")
    assert len({r["site_id"] for r in rows}) == 65
    assert all(r["site_id"].isascii() and r["home_url"] == "" for r in rows)
    names = " ".join(r["name"] for r in rows)
    for unit in (
        "旬阳县",
        "恒口示范区",
        "瀛湖",
        "高新区",
        "国土资源局",
        "食品药品监督管理局",
        "盐务",
        "考试管理中心",
    ):
        assert unit in names, unit


# ---- CLI ------------------------------------------------------------------------------------------------
def test_cli_expected_prints_path() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "govsites.demo", "expected"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    assert Path(out.stdout.strip()) == EXPECTED_PATH


def test_cli_serve(tmp_path: Path) -> None:
    registry = tmp_path / "sites.csv"
    proc = subprocess.Popen(
        [sys.executable, "-m", "govsites.demo", "serve", "--port", "0", "--registry", str(registry)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready"
        rows = read_csv(registry)
        assert fetch(rows[0]["home_url"])[0] == 200
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
