"""Identifier and entry checks over home-page footers modelled on real CMS templates (TRS, Hanweb/大汉,
gov.cn, a ministry template), GBK pages, and the saved real pages in ../shared (skipped in a user's clone)."""

from __future__ import annotations

from pathlib import Path

import pytest

from govsites.sitechecks import identifiers
from govsites.sitechecks.markup import SitePage
from govsites.sitechecks.result import STATUSES, CheckResult

HOME = "http://www.ankang.gov.cn/"

# Footers as the CMS templates print them (codes, records and script URLs from real sites' footers).
CONAC_JS = "http://dcs.conac.cn/js/27/000/0000/60429971/CA270000000604299710001.js"
TRS_FOOTER = f"""<div class="footer"><p>安康市人民政府 <a href="http://www.beian.miit.gov.cn/">陕ICP备05001612号-1</a></p>
<p><a href="http://www.beian.gov.cn/portal/registerSystemInfo?recordcode=61090202000100">
陕公网安备 61090202000100号</a></p>
<p>网站标识码 6109000001 </p>
<script type="text/javascript">document.write(unescape("%3Cspan id='_ideConac' %3E%3C/span%3E%3Cscript
 src='{CONAC_JS}' type='text/javascript'%3E%3C/script%3E"));</script>
<script id="_jiucuo_" sitecode="6109000001" src="http://pucha.kaipuyun.cn/exposure/jiucuo.js"></script></div>"""
HANWEB_FOOTER = """<p>技术支持：信息中心 备案号：<a target="_blank" href="http://beian.miit.gov.cn/">陕ICP备05001612号</a>
网站标识码：6109000001<a target="_blank" href="http://www.beian.gov.cn/portal/registerSystemInfo?recordcode=61090202000100">
<img src="/picture/beian.png">陕公网安备 61090202000100号</a></p>
<a href="http://bszs.conac.cn/sitename?method=show&amp;id=6E7CB5B74E9C6470E053022E1AAC62CE"><img src="/red.png"></a>
<a style="display:none;" href="http://121.43.68.40/exposure/jiucuo.html?site_code=6109000001"><img src="/jc.png"></a>"""
MINISTRY_FOOTER = """<div class="foot">网站标识码：bm55000001 &nbsp;<a href="http://beian.miit.gov.cn/">京ICP备19014889号&nbsp;</a>
京公网安备11010202008000号<span id="_ideConac"><a href="https://bszs.conac.cn/sitename?method=show&amp;id=1"><img
src="https://dcs.conac.cn/image/red.png"></a></span><span id="_span_jiucuo"><img onclick="Link('bm55000001')"
src="https://zfwzgl.www.gov.cn/exposure/images/jiucuo.png?v=bm55000001"></span>
<script id="_jiucuo_" sitecode="bm55000001" src="https://zfwzgl.www.gov.cn/exposure/jiucuo.js"></script></div>"""


def page(body: str, head: str = "", url: str = HOME) -> SitePage:
    return SitePage(f"<html><head><meta charset='utf-8'>{head}</head><body>{body}</body></html>", url)


def meta(name: str, content: str) -> str:
    return f'<meta name="{name}" content="{content}">'


@pytest.mark.parametrize(
    ("body", "head", "registry", "status", "seen"),
    [
        (TRS_FOOTER, meta("SiteIDCode", "6109000001"), "", "ok", "6109000001"),
        (HANWEB_FOOTER, meta("SiteIDCode", "6109000001"), "6109000001", "ok", "登记表 6109000001"),
        (MINISTRY_FOOTER, meta("SiteIDCode", "bm55000001"), "", "ok", "bm55000001"),
        (HANWEB_FOOTER, "", "", "ok", "未设置 SiteIDCode"),
        (HANWEB_FOOTER, meta("SiteIDCode", ""), "", "ok", "未设置 SiteIDCode"),  # empty meta (jcms)
        (TRS_FOOTER, meta("SiteIDCode", "6109000002"), "", "wrong", "不一致"),  # meta differs
        (HANWEB_FOOTER, meta("SiteIDCode", "6109000001"), "6109000009", "wrong", "不一致"),  # registry differs
        (TRS_FOOTER.replace('sitecode="6109000001"', 'sitecode="6109000003"'), "", "", "wrong", "找错脚本"),
        ("<p>网站标识码：610900001</p>", "", "", "wrong", "格式不正确"),  # 9 digits
        ("<p>网站标识码：</p>", meta("SiteIDCode", "6109000001"), "", "wrong", "页脚未显示"),
        ("<p>版权所有</p>", meta("SiteIDCode", "6109000001"), "", "wrong", "页脚未显示"),
        ("<p>版权所有</p>", "", "", "missing", "均未见"),
        ("<!-- <p>网站标识码 6109000001</p> --><p>版权所有</p>", "", "", "missing", "均未见"),  # commented out
    ],
)
def test_site_code(body: str, head: str, registry: str, status: str, seen: str) -> None:
    result = identifiers.site_code(page(body, head), registry)
    assert (result.check, result.status) == ("site_code", status), result.detail
    assert seen in result.detail


@pytest.mark.parametrize(
    ("body", "status", "seen"),
    [
        (TRS_FOOTER, "ok", "陕ICP备05001612号-1"),
        (HANWEB_FOOTER, "ok", "陕ICP备05001612号"),
        (MINISTRY_FOOTER, "ok", "京ICP备19014889号"),
        ("<a>晋ICP备12000773号</a>", "ok", "未链接至工信部备案系统"),
        ("<p>粤ICP备2026073665号-1</p>", "ok", "粤ICP备2026073665号-1"),  # 10-digit new-style number
        ("<p>ICP备案：待补充</p>", "wrong", "格式不规范"),
        ("<p>版权所有 安康市人民政府</p>", "missing", "未显示"),
    ],
)
def test_icp_record(body: str, status: str, seen: str) -> None:
    result = identifiers.icp_record(page(body))
    assert result.status == status, result.detail
    assert seen in result.detail


@pytest.mark.parametrize(
    ("body", "status", "seen"),
    [
        (TRS_FOOTER, "ok", "陕公网安备61090202000100号"),
        (HANWEB_FOOTER, "ok", "陕公网安备61090202000100号"),
        (MINISTRY_FOOTER, "ok", "京公网安备11010202008000号"),
        ("<a>公安备案号13063802000054</a>", "ok", "未按"),
        ("<span>公安机关备案号：43010302000524</span>", "ok", "43010302000524"),
        (
            '<a href="/ba/"><img src="/n.png"> 冀公网安备： 13030202002230</a><br/>网站标识码： 1303000020',
            "ok",
            "冀公网安备13030202002230号",
        ),
        ("<p>陕公网安备 6109020200号</p>", "wrong", "14位"),
        (
            '<a href="http://www.beian.gov.cn/portal/registerSystemInfo?recordcode=61090202000100">'
            '<img src="b.png"></a>',
            "wrong",
            "仅有备案链接",
        ),
        ("<p>版权所有</p>", "missing", "未显示"),
    ],
)
def test_police_record(body: str, status: str, seen: str) -> None:
    result = identifiers.police_record(page(body))
    assert result.status == status, result.detail
    assert seen in result.detail


@pytest.mark.parametrize(
    ("body", "status", "seen"),
    [
        (TRS_FOOTER, "ok", "dcs.conac.cn脚本写入"),  # document.write(unescape(...)) snippet
        (HANWEB_FOOTER, "ok", "bszs.conac.cn链接"),
        (MINISTRY_FOOTER, "ok", "bszs.conac.cn链接"),
        (
            '<div style="display:none"><a href="http://bszs.conac.cn/sitename?id=1"><img src="r.png"></a></div>',
            "wrong",
            "被隐藏",
        ),
        ('<span id="_ideConac"></span>', "wrong", "未加载"),
        ("<script>// document.write('<script src=\"http://dcs.conac.cn/js/1.js\">')</script>", "missing", "未见"),
        ("<p>版权所有</p>", "missing", "未见"),
    ],
)
def test_conac_mark(body: str, status: str, seen: str) -> None:
    result = identifiers.conac_mark(page(body))
    assert result.status == status, result.detail
    assert seen in result.detail


@pytest.mark.parametrize(
    ("body", "status", "seen"),
    [
        (TRS_FOOTER, "ok", "pucha.kaipuyun.cn"),
        (MINISTRY_FOOTER, "ok", "zfwzgl.www.gov.cn"),
        ('<script id="_jiucuo_" sitecode="6109000001" src="/js/jiucuo.js"></script>', "ok", "_jiucuo_ 脚本"),
        ('<a href="/zc/">我为政府网站找错</a>', "ok", "我为政府网站找错"),
        ('<li><a href="#">我为政府网站找错</a></li>', "ok", "我为政府网站找错"),
        (
            '<a href="https://zfwzzc.www.gov.cn/check_web/errorInfo_querySiteInfo.action?sitecode=6109000001">找错</a>',
            "ok",
            "zfwzzc.www.gov.cn",
        ),
        (HANWEB_FOOTER, "wrong", "被隐藏"),  # only a display:none link (a real jcms footer)
        ('<!--<a href="http://121.43.68.40/exposure/jiucuo.html?site_code=1">找错</a>--><p>x</p>', "missing", "未见"),
        ("<p>版权所有</p>", "missing", "未见"),
    ],
)
def test_jiucuo_entry(body: str, status: str, seen: str) -> None:
    result = identifiers.jiucuo_entry(page(body))
    assert result.status == status, result.detail
    assert seen in result.detail


@pytest.mark.parametrize(
    ("head", "status"),
    [
        (meta("viewport", "width=device-width, initial-scale=1.0"), "ok"),
        (meta("viewport", "width = device-width"), "ok"),
        (meta("viewport", "width=1100"), "wrong"),
        (meta("viewport", "width=1100") + meta("mobile-agent", "format=html5; url=http://m.ankang.gov.cn/"), "ok"),
        ('<link rel="alternate" media="only screen and (max-width: 640px)" href="http://m.ankang.gov.cn/">', "ok"),
        ('<!--<meta name="viewport" content="width=device-width, initial-scale=1" />-->', "missing"),
        ("", "missing"),
    ],
)
def test_viewport(head: str, status: str) -> None:
    assert identifiers.viewport(page("<p>x</p>", head)).status == status


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ('<a onclick="toggleToolBar();">无障碍浏览</a>', "ok"),
        ('<a href="/wca.html" id="toolbarCtrl">无障碍浏览</a>', "ok"),
        ('<a href="/slh/">适老化</a>', "ok"),
        ('<button type="button">长者模式</button>', "ok"),
        ('<script src="//wza.www.gov.cn/dist/aria.js?appid=1" id="ariascripts"></script>', "ok"),
        ('<a class="gz-wza toolbarSwitch" href="javascript:void(0);"><img src="w.png"></a>', "ok"),
        ('<div style="display:none"><a href="/wza/">无障碍</a></div>', "missing"),
        ("<!-- <a onclick='aria.start()'>无障碍</a> --><p>首页</p>", "missing"),
        ("<p>首页</p>", "missing"),
    ],
)
def test_accessibility_entry(body: str, status: str) -> None:
    assert identifiers.accessibility_entry(page(body)).status == status


FULL_TAGS = "".join(
    meta(name, value)
    for name, value in (
        ("SiteName", "安康市人民政府"),
        ("SiteDomain", "www.ankang.gov.cn"),
        ("SiteIDCode", "6109000001"),
        ("ColumnName", "政府文件"),
        ("ArticleTitle", "关于印发工作要点的通知"),
        ("PubDate", "2019-03-01 09:00"),
    )
)


def test_page_tags() -> None:
    full = page("<p>正文</p>", FULL_TAGS, HOME + "art/1.html")
    partial = page("<p>正文</p>", FULL_TAGS.replace('name="ColumnName"', 'name="x"'), HOME + "art/2.html")
    bare = page("<p>正文</p>", "", HOME + "art/3.html")
    assert identifiers.page_tags([full, full]).status == "ok"
    result = identifiers.page_tags([full, partial, bare])
    assert result.status == "wrong"
    assert "ColumnName 缺 2/3 页" in result.detail
    assert "SiteName 缺 1/3 页" in result.detail
    assert identifiers.page_tags([bare]).status == "missing"
    assert identifiers.page_tags([]).status == "not_applicable"


@pytest.mark.parametrize(
    ("url", "group", "parent", "status"),
    [
        ("http://www.ankang.gov.cn/", "county", "", "ok"),
        ("http://www.xunyang.gov.cn/", "county", "", "ok"),
        ("http://xunyang.gov.cn/", "county", "", "wrong"),
        ("http://ankang.gov.cn.cname.example.com/", "county", "", "wrong"),
        ("http://jyj.ankang.gov.cn/", "agency", "ankang.gov.cn", "ok"),
        ("http://www.ankang.gov.cn/jyj/", "agency", "www.ankang.gov.cn", "ok"),
        ("http://www.ankang.gov.cn/", "agency", "ankang.gov.cn", "wrong"),  # the portal itself is not its site
        ("http://www.akjyj.gov.cn/", "agency", "ankang.gov.cn", "wrong"),
        ("http://www.akjyj.gov.cn/", "agency", "", "ok"),
        ("http://www.akjyj.com/", "agency", "ankang.gov.cn", "wrong"),
    ],
)
def test_domain_rule(url: str, group: str, parent: str, status: str) -> None:
    assert identifiers.domain_rule(url, group, parent).status == status


def test_gbk_page_is_decoded_before_checking() -> None:
    html = (
        "<html><head><meta http-equiv='Content-Type' content='text/html; charset=gb2312'>"
        f"{meta('SiteIDCode', '6109000001')}</head><body>{TRS_FOOTER}"
        "<a href='/wza/'>无障碍浏览</a></body></html>"
    )
    body = html.encode("gbk")
    checked = SitePage.from_bytes(body, HOME)
    assert checked.encoding == "gb18030"
    results = [
        identifiers.site_code(checked),
        identifiers.icp_record(checked),
        identifiers.police_record(checked),
        identifiers.conac_mark(checked),
        identifiers.jiucuo_entry(checked),
        identifiers.accessibility_entry(checked),
    ]
    assert [r.status for r in results] == ["ok"] * 6, results
    assert "陕ICP备05001612号-1" in results[1].detail


def test_mid_page_html_end_does_not_hide_the_footer() -> None:
    html = "<html><body><div>头部</div></body></html><div>网站标识码bm01000001 京ICP备05070218号</div></body></html>"
    checked = SitePage(html, HOME)
    assert identifiers.site_code(checked).status == "ok"
    assert identifiers.icp_record(checked).status == "ok"


REAL = Path(__file__).resolve().parents[1].parent / "shared" / "real-pages"


@pytest.mark.shared
@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "kevin3691__renmin/hd_gov_cn_xxgk_index.jsp.html",
            {
                "site_code": "ok",
                "icp_record": "ok",
                "police_record": "ok",
                "conac_mark": "ok",
                "jiucuo_entry": "ok",
                "viewport": "ok",
                "accessibility_entry": "missing",
            },
        ),
        (
            "GeneralNewsExtractor__GeneralNewsExtractor/gzggw_1.html",
            {
                "site_code": "ok",
                "icp_record": "ok",
                "police_record": "ok",
                "conac_mark": "ok",
                "jiucuo_entry": "wrong",
                "viewport": "missing",
                "accessibility_entry": "ok",
            },
        ),
        (
            "GeneralNewsExtractor__GeneralNewsExtractor/shanxi_1.html",
            {
                "site_code": "ok",
                "icp_record": "ok",
                "police_record": "ok",
                "conac_mark": "ok",
                "jiucuo_entry": "ok",
                "viewport": "missing",
                "accessibility_entry": "ok",
            },
        ),
        (
            "GeneralNewsExtractor__GeneralNewsExtractor/other_1.html",
            {
                "site_code": "ok",
                "icp_record": "ok",
                "police_record": "ok",
                "conac_mark": "ok",
                "jiucuo_entry": "ok",
                "viewport": "missing",
                "accessibility_entry": "ok",
            },
        ),
        (
            "Yuhamixli__nfra.gov.cn/nfra_page_source_debug.html",
            {
                "site_code": "ok",
                "icp_record": "ok",
                "police_record": "ok",
                "conac_mark": "ok",
                "jiucuo_entry": "ok",
                "viewport": "wrong",
                "accessibility_entry": "ok",
            },
        ),
        (
            "derived/shanxi_1.gb2312.html",
            {
                "site_code": "ok",
                "icp_record": "ok",
                "police_record": "ok",
                "conac_mark": "ok",
                "jiucuo_entry": "ok",
                "viewport": "missing",
                "accessibility_entry": "ok",
            },
        ),
    ],
)
def test_real_pages(name: str, expected: dict[str, str]) -> None:
    path = REAL / name
    if not path.exists():
        pytest.skip("../shared/ not present (a user's clone): real-page test skipped")
    checked = SitePage.from_bytes(path.read_bytes(), HOME)
    seen = {check: getattr(identifiers, check)(checked).status for check in expected}
    assert seen == expected


def test_result_status_is_one_of_the_five() -> None:
    assert STATUSES == ("ok", "missing", "wrong", "not_applicable", "error")
    assert CheckResult("viewport", "not_applicable", "").passed
    assert not CheckResult("viewport", "wrong", "").passed
    with pytest.raises(ValueError, match="unknown check status"):
        CheckResult("viewport", "bad", "")  # type: ignore[arg-type]


def test_conac_look_alike_host_is_not_the_mark() -> None:
    assert identifiers.conac_mark(page('<a href="http://notconac.cn/x"><img src="r.png"></a>')).status == "missing"


def test_home_checks_run_every_home_page_check() -> None:
    checked = page(TRS_FOOTER + '<a href="/wza/">无障碍</a>', meta("viewport", "width=device-width"))
    results = identifiers.home_checks(checked, "6109000001", "county")
    assert [(r.check, r.status) for r in results] == [
        ("site_code", "ok"),
        ("icp_record", "ok"),
        ("police_record", "ok"),
        ("conac_mark", "ok"),
        ("jiucuo_entry", "ok"),
        ("viewport", "ok"),
        ("accessibility_entry", "ok"),
        ("domain_rule", "ok"),
    ]
    assert [r.check for r in identifiers.home_checks(checked)][-1] == "accessibility_entry"
