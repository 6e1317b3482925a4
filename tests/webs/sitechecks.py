"""The site-checks web: twenty small government sites on loopback for the accuracy of ``govsites.sitechecks``.

Written from how real portals and department sites print their footers and entries (TRS, Hanweb/大汉, gov.cn
and ministry templates, GBK pages, XHTML, templates that close ``</html>`` mid-page, entries written by scripts),
not from the checks' code. Each site states by hand what an inspector would record for every check
(``expected``); the crawl's ``site_checks.csv`` is compared with it.

``SiteChecksWeb().start()`` binds ``127.0.0.171`` … ``127.0.0.190`` (one address per site, a free port each);
:meth:`SiteChecksWeb.registry_rows` gives the registry rows (with the optional ``site_code`` column).
"""

from __future__ import annotations

from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from govsites.demo.loopback import LoopbackServers

CONAC_JS = "http://dcs.conac.cn/js/27/000/0000/60429971/CA270000000604299710001.js"
CONAC_WRITE = (
    """<script type="text/javascript">document.write(unescape("%3Cspan id='_ideConac' %3E%3C/span%3E"""
    f"""%3Cscript src='{CONAC_JS}' type='text/javascript'%3E%3C/script%3E"));</script>"""
)
CONAC_LINK = (
    '<a href="https://bszs.conac.cn/sitename?method=show&amp;id=6E7CB5B74E9C6470E053022E1AAC62CE">'
    '<img src="/images/red.png" alt="党政机关"></a>'
)


def jiucuo_script(code: str) -> str:
    return f'<script id="_jiucuo_" sitecode="{code}" src="https://pucha.kaipuyun.cn/exposure/jiucuo.js"></script>'


ALL_TAGS = (
    '<meta name="SiteName" content="{name}"><meta name="SiteDomain" content="example.gov.cn">'
    '<meta name="SiteIDCode" content="{code}"><meta name="ColumnName" content="工作动态">'
    '<meta name="ArticleTitle" content="{title}"><meta name="PubDate" content="2019-03-01 09:00">'
)
VIEWPORT = '<meta name="viewport" content="width=device-width, initial-scale=1">'
ACCESS_LINK = '<a href="javascript:void(0)" onclick="aria.start()">无障碍浏览</a>'


@dataclass
class Site:
    """One site: its home page's head and body, its two articles' heads, what an inspector records."""

    site_id: str
    name: str
    head: str
    body: str
    expected: dict[str, str]
    article_heads: tuple[str, str] = ("", "")
    registry_code: str = ""
    group: str = "agency"
    charset: str = "utf-8"
    home_status: int = 200
    early_end: bool = False
    xml: bool = False
    search: str = ""  # get | post | error (HTTP 500) | busy (an error page) | empty (nothing found) | "" (none)
    report: str = ""  # ontime | late | disclosure (on time, linked from the 信息公开 page) | "" (none linked)
    policy: str = ""  # paired | oneway (the file does not link back) | unlinked (the 解读 names no file) | "" (none)

    def __post_init__(self) -> None:
        """What an inspector records for the search and the 2018 report (as of 2019-03-10), from the site."""
        search = {"get": "ok", "post": "ok", "error": "wrong", "busy": "wrong", "empty": "wrong", "": "missing"}
        report = {"ontime": "ok", "late": "wrong", "disclosure": "ok", "": "missing"}
        failed = "error" if self.home_status != 200 else ""
        self.expected.setdefault("search", failed or search[self.search])
        self.expected.setdefault("annual_report", failed or report[self.report])
        policy = {"paired": "ok", "oneway": "wrong", "unlinked": "wrong", "": "not_applicable"}
        self.expected.setdefault("policy_interpretation", failed or policy[self.policy])
        self.expected.setdefault("https", failed or "missing")  # served over HTTP only
        self.expected.setdefault("ipv6", failed or "not_applicable")  # registered by address, no name to look up

    def search_form(self) -> str:
        if self.search == "post":
            return (
                '<form name="searchform" action="/was5/web/search" method="post">'
                '<input type="hidden" name="channelid" value="229421">'
                '<input name="searchword" class="ss_input" type="text"><input type="image" src="/images/ss.png"></form>'
            )
        if self.search:
            return (
                '<form action="/search" method="get" target="_blank"><input type="text" name="q" '
                'placeholder="请输入关键字"><input type="submit" value="搜索"></form>'
            )
        return ""

    def results(self, query: str) -> tuple[int, bytes]:
        if self.search == "error":
            return 500, b"Internal Server Error"
        if self.search == "busy":
            text = "<html><body><p>系统繁忙，请稍后再试</p></body></html>"
            return 200, text.encode(self.charset)
        titles = [f"关于做好2019年第{i}季度工作的通知" for i in (1, 2)]
        hits = [(i, t) for i, t in enumerate(titles, start=1) if query and query in t]
        if self.search == "empty" or not hits:
            text = "<html><body><div class='result'>共找到 0 条结果，没有找到相关结果</div></body></html>"
            return 200, text.encode(self.charset)
        items = "".join(f"<li><a href='/art/{i}.html'>{t.replace('2019', '<em>2019</em>')}</a></li>" for i, t in hits)
        return 200, f"<html><body><p>共找到 {len(hits)} 条结果</p><ul>{items}</ul></body></html>".encode(self.charset)

    def report_page(self) -> bytes:
        title = f"{self.name}2018年政府网站工作年度报表"
        day = "2019-02-15 16:30" if self.report == "late" else "2019-01-20 10:00"
        # Published by the site's CMS like its other articles: the same metadata tags, its own date.
        tags = self.article_heads[0].format(name=self.name, code=self.registry_code or "6109000000", title=title)
        when = tags.replace("2019-03-01 09:00", day) if tags else ""
        label = f"<p>发布时间：{day}</p>" if self.report == "late" else f"<p>发布日期：{day[:10]}</p>"
        html = (
            f"<html><head><meta charset='{self.charset}'><title>{title}</title>{when}</head>"
            f"<body><h1>{title}</h1>{label}<table><tr><td>网站名称</td><td>{self.name}</td></tr></table></body></html>"
        )
        return html.encode(self.charset)

    def policy_block(self) -> str:
        """The home page's 政策文件 / 政策解读 block (with a 政策解读 column link every policy page repeats)."""
        if not self.policy:
            return ""
        return (
            "<div class='zc'><h2>政策文件</h2><a href='/zcwj/1.html'>安康市城市绿化管理办法</a>"
            "<h2>政策解读</h2><a href='/zcjd/1.html'>《安康市城市绿化管理办法》政策解读</a></div>"
        )

    def policy_page(self, path: str) -> bytes | None:
        """The policy file and its interpretation, linked both ways, one way or not at all (``policy``)."""
        nav = "<div class='nav'><a href='/zcjd/'>政策解读</a> <a href='/zcwj/'>政策文件</a></div>"
        if path == "/zcwj/1.html":
            title, back = "安康市城市绿化管理办法", "<p>相关解读：<a href='/zcjd/1.html'>《办法》政策解读</a></p>"
            body = f"<p>第一条 为了加强城市绿化管理，制定本办法。</p>{back if self.policy != 'oneway' else ''}"
        elif path == "/zcjd/1.html":
            title = "《安康市城市绿化管理办法》政策解读"
            link = "<p>政策原文：<a href='/zcwj/1.html'>安康市城市绿化管理办法</a></p>"
            body = f"<p>一、起草背景。</p>{link if self.policy != 'unlinked' else ''}"
        else:
            return None
        head = self.article_heads[0].format(name=self.name, code=self.registry_code or "6109000000", title=title)
        html = (
            f"<!DOCTYPE html><html><head><meta charset='{self.charset}'><title>{title}</title>{head}</head>"
            f"<body>{nav}<h1>{title}</h1><p>发布时间：2019-03-01</p>{body}</body></html>"
        )
        return html.encode(self.charset)

    def home(self) -> bytes:
        articles = "".join(
            f'<li><a href="/art/{i}.html">关于做好2019年第{i}季度工作的通知</a> <span>2019-03-0{i}</span></li>'
            for i in (1, 2)
        )
        prolog = '<?xml version="1.0" encoding="utf-8"?>\n' if self.xml else ""
        report = f"<a href='/nb/2018.html'>{self.name}2018年政府网站工作年度报表</a>" if self.report else ""
        if self.report == "disclosure":
            report = "<a href='/xxgk/'>政府信息公开</a>"
        body = (
            f"<div class='top'>{self.search_form()}</div>"
            f"<div class='main'><h2>工作动态</h2><ul>{articles}</ul></div><div class='links'>{report}</div>"
            f"{self.policy_block()}"
        )
        end = "</body></html>" if self.early_end else ""
        html = (
            f"{prolog}<!DOCTYPE html><html><head><meta charset='{self.charset}'><title>{self.name}</title>"
            f"{self.head}</head><body>{body}{end}<div class='footer'>{self.body}</div></body></html>"
        )
        return html.encode(self.charset)

    def article(self, i: int) -> bytes:
        title = f"关于做好2019年第{i}季度工作的通知"
        head = self.article_heads[i - 1].format(name=self.name, code=self.registry_code or "6109000000", title=title)
        html = (
            f"<!DOCTYPE html><html><head><meta charset='{self.charset}'><title>{title}</title>{head}</head>"
            f"<body><h1>{title}</h1><p>发布时间：2019-03-0{i}</p><p>各单位：现将有关事项通知如下。</p></body></html>"
        )
        return html.encode(self.charset)


def _tags(code: str = "") -> str:
    return ALL_TAGS.replace("{code}", code) if code else ALL_TAGS


OK_ALL = {
    "site_code": "ok",
    "icp_record": "ok",
    "police_record": "ok",
    "conac_mark": "ok",
    "jiucuo_entry": "ok",
    "viewport": "ok",
    "accessibility_entry": "ok",
    "page_tags": "ok",
}


def _expect(**changes: str) -> dict[str, str]:
    return {**OK_ALL, **changes}


SITES: tuple[Site, ...] = (
    Site(  # a TRS portal footer: everything in order
        "s01",
        "旬阳县人民政府",
        VIEWPORT + '<meta name="SiteIDCode" content="6109280001">',
        '<p>旬阳县人民政府主办 <a href="http://www.beian.miit.gov.cn/">陕ICP备05001612号-1</a></p>'
        '<p><a href="http://www.beian.gov.cn/portal/registerSystemInfo?recordcode=61092802000101">'
        "陕公网安备 61092802000101号</a></p><p>网站标识码 6109280001</p>"
        f"{CONAC_WRITE}{jiucuo_script('6109280001')}{ACCESS_LINK}",
        _expect(),
        (_tags("6109280001"), _tags("6109280001")),
        group="county",
        search="get",
        report="ontime",
        policy="paired",
    ),
    Site(  # Hanweb department: bm code, linked records, conac link, 找错 text link, toolbar script, no tags
        "s02",
        "安康市统计局",
        '<script src="/wza/aria.js?appid=123" charset="utf-8"></script>',
        '<p>网站标识码bm01000001 备案号：<a href="http://beian.miit.gov.cn/">京ICP备05070218号</a> '
        '<a href="http://www.beian.gov.cn/portal/registerSystemInfo?recordcode=11010202000001">'
        "<img src='/beian.png'>京公网安备 11010202000001号</a></p>"
        f"{CONAC_LINK}"
        '<a href="https://zfwzgl.www.gov.cn/exposure/jiucuo.html?site_code=bm01000001">我为政府网站找错</a>',
        _expect(viewport="missing", page_tags="missing"),
        search="post",
        report="late",
        policy="oneway",
    ),
    Site(  # meta SiteIDCode differs from the footer; fixed-width layout; one article lacks its title tag
        "s03",
        "安康市审计局",
        '<meta name="viewport" content="width=1200"><meta name="SiteIDCode" content="6109000033">',
        "<p>主办：安康市审计局 陕ICP备 05001234号</p><p>网站标识码：6109000003</p>",
        _expect(
            site_code="wrong",
            police_record="missing",
            conac_mark="missing",
            jiucuo_entry="missing",
            viewport="wrong",
            accessibility_entry="missing",
            page_tags="wrong",
        ),
        (_tags("6109000003"), _tags("6109000003").replace('<meta name="ArticleTitle"', '<meta name="x"')),
        search="",
        report="",
        policy="unlinked",
    ),
    Site(  # malformed numbers; the marks hidden by the template; a 长者模式 button
        "s04",
        "安康市民政局",
        VIEWPORT,
        "<p>网站标识码：610900004</p><p>ICP备案号：陕ICP备12345号</p><p>陕公网安备 6109020200010号</p>"
        f"<div style='display:none'>{CONAC_LINK}"
        '<a href="https://zfwzgl.www.gov.cn/exposure/jiucuo.html?site_code=610900004">找错</a></div>'
        '<button class="elder" onclick="care()">长者模式</button>',
        _expect(site_code="wrong", icp_record="wrong", police_record="wrong", conac_mark="wrong", jiucuo_entry="wrong"),
        (_tags(), _tags()),
        search="error",
        report="ontime",
    ),
    Site(  # an old template: nothing at all
        "s05",
        "安康市档案局",
        "",
        "<p>版权所有：安康市档案局 联系电话：0915-3212345</p>",
        _expect(
            site_code="missing",
            icp_record="missing",
            police_record="missing",
            conac_mark="missing",
            jiucuo_entry="missing",
            viewport="missing",
            accessibility_entry="missing",
            page_tags="missing",
        ),
        search="",
        report="",
    ),
    Site(  # codes in spans, labelled 公安 number, conac and 找错 written by scripts, spaced viewport
        "s06",
        "汉滨区人民政府",
        '<meta name="viewport" content="width = device-width, initial-scale = 1.0">',
        "<p>网站标识码：<span class='code'>6109020001</span></p>"
        '<p><a href="https://beian.miit.gov.cn/" target="_blank">陕ICP备05009999号-2</a> '
        "公安机关备案号：61090202000106</p>"
        "<script>var s=document.createElement('script');s.src='//dcs.conac.cn/js/27/000/0000/1/CA27.js';"
        "document.body.appendChild(s);</script>"
        """<script>document.write(unescape("%3Cscript id='_jiucuo_' sitecode='6109020001' """
        """src='https://pucha.kaipuyun.cn/exposure/jiucuo.js'%3E%3C/script%3E"));</script>"""
        '<a href="#" class="wza" onclick="toggleToolbar()">无障碍</a>',
        _expect(),
        (_tags("6109020001"), _tags("6109020001")),
        group="county",
        search="empty",
        report="ontime",
    ),
    Site(  # the registry's code differs from the page's
        "s07",
        "安康市水利局",
        VIEWPORT + '<meta name="SiteIDCode" content="6109000007">',
        "<p>网站标识码：6109000007 陕ICP备05000007号 陕公网安备 61090202000107号</p>"
        f"{CONAC_LINK}{jiucuo_script('6109000007')}<a href='/wza/'>无障碍</a>",
        _expect(site_code="wrong"),
        (_tags("6109000007"), _tags("6109000007")),
        registry_code="6109000077",
        search="get",
        report="disclosure",
    ),
    Site(  # the registry's code matches; viewport and 找错 commented out by the template
        "s08",
        "安康市交通运输局",
        '<!-- <meta name="viewport" content="width=device-width"> --><meta name="SiteIDCode" content="6109000008">',
        "<p>网站标识码：6109000008 陕ICP备05000008号 陕公网安备 61090202000108号</p>"
        f"{CONAC_LINK}<!-- {jiucuo_script('6109000008')} --><a href='/wza/'>无障碍</a>",
        _expect(viewport="missing", jiucuo_entry="missing"),
        (_tags("6109000008"), _tags("6109000008")),
        registry_code="6109000008",
        search="post",
        report="ontime",
    ),
    Site(  # a GBK page: all in order
        "s09",
        "白河县人民政府",
        VIEWPORT,
        "<p>网站标识码：6109290001　陕ICP备05000009号　陕公网安备 61092902000109号</p>"
        f"{CONAC_WRITE}{jiucuo_script('6109290001')}<a href='/slh/'>适老化服务</a>",
        _expect(),
        (_tags("6109290001"), _tags("6109290001")),
        group="county",
        charset="gbk",
        search="get",
        report="ontime",
        policy="paired",
    ),
    Site(  # a separate mobile site; the code label without a code
        "s10",
        "安康市林业局",
        '<meta name="mobile-agent" content="format=html5;url=http://m.lyj.ankang.gov.cn/">',
        "<p>网站标识码：</p><p>陕ICP备05000010号 陕公网安备 61090202000110号</p>"
        f"{CONAC_LINK}{jiucuo_script('6109000010')}<a href='/wza/'>无障碍</a>",
        _expect(site_code="wrong"),
        (_tags(), _tags()),
        search="busy",
        report="late",
    ),
    Site(  # no colon after the label, 公安 number without a space
        "s11",
        "安康市商务局",
        VIEWPORT,
        "<p>网站标识码 6109000011 陕ICP备05000011号-3 陕公网安备61090202000111号</p>"
        f"{CONAC_LINK}{jiucuo_script('6109000011')}<a href='/wza/'>无障碍阅读</a>",
        _expect(),
        (_tags("6109000011"), _tags("6109000011")),
        search="get",
        report="ontime",
    ),
    Site(  # conac as an image only; 找错 as a text button
        "s12",
        "安康市教育局",
        VIEWPORT,
        "<p>网站标识码：6109000012 陕ICP备05000012号 陕公网安备 61090202000112号</p>"
        '<img src="https://dcs.conac.cn/image/red.png" alt="党政机关">'
        '<a href="javascript:void(0)" onclick="openJiucuo()">我为政府网站找错</a>'
        '<span onclick="toggleToolbar()">无障碍</span>',
        _expect(),
        (_tags("6109000012"), _tags("6109000012")),
        search="get",
        report="",
    ),
    Site(  # a template that closes </html> before the footer
        "s13",
        "安康市卫生健康委员会",
        VIEWPORT,
        "<p>网站标识码：6109000013 陕ICP备05000013号 陕公网安备 61090202000113号</p>"
        f"{CONAC_WRITE}{jiucuo_script('6109000013')}<a href='/wza/'>无障碍</a>",
        _expect(),
        (_tags("6109000013"), _tags("6109000013")),
        early_end=True,
        search="",
        report="",
    ),
    Site(  # lower-case meta names on the articles
        "s14",
        "安康市人力资源和社会保障局",
        VIEWPORT,
        "<p>网站标识码：6109000014 陕ICP备05000014号 陕公网安备 61090202000114号</p>"
        f"{CONAC_LINK}{jiucuo_script('6109000014')}<a href='/wza/'>无障碍</a>",
        _expect(),
        (_tags("6109000014").lower(), _tags("6109000014").lower()),
        search="get",
        report="ontime",
    ),
    Site(  # the 公安 record only as a link's recordcode
        "s15",
        "安康市科学技术局",
        VIEWPORT,
        "<p>网站标识码：6109000015 陕ICP备05000015号 "
        '<a href="http://www.beian.gov.cn/portal/registerSystemInfo?recordcode=61090202000115">'
        '<img src="/ga.png" alt=""></a></p>'
        f"{CONAC_LINK}{jiucuo_script('6109000015')}<a href='/wza/'>无障碍</a>",
        _expect(police_record="wrong"),
        (_tags("6109000015"), _tags("6109000015")),
        search="post",
        report="late",
    ),
    Site(  # an ICP证 licence number
        "s16",
        "安康日报社",
        VIEWPORT,
        "<p>网站标识码：6109000016 陕ICP证050016号 陕公网安备 61090202000116号</p>"
        f"{CONAC_LINK}{jiucuo_script('6109000016')}<a href='/wza/'>无障碍</a>",
        _expect(),
        (_tags("6109000016"), _tags("6109000016")),
        search="empty",
        report="ontime",
    ),
    Site(  # the barrier-free link hidden; no tags on one article
        "s17",
        "安康市应急管理局",
        VIEWPORT,
        "<p>网站标识码：6109000017 陕ICP备05000017号 陕公网安备 61090202000117号</p>"
        f"{CONAC_LINK}{jiucuo_script('6109000017')}<a href='/wza/' style='display:none'>无障碍</a>",
        _expect(accessibility_entry="missing", page_tags="wrong"),
        (_tags("6109000017"), ""),
        search="get",
        report="",
    ),
    Site(  # XHTML with an XML declaration
        "s18",
        "石泉县人民政府",
        VIEWPORT,
        "<p>网站标识码：6109220001 陕ICP备05000018号 陕公网安备 61092202000118号</p>"
        f"{CONAC_WRITE}{jiucuo_script('6109220001')}<a href='/wza/'>无障碍</a>",
        _expect(),
        (_tags("6109220001"), _tags("6109220001")),
        group="county",
        xml=True,
        search="get",
        report="ontime",
        policy="oneway",
    ),
    Site(  # 关怀版 entry; the 找错 script served from gov.cn
        "s19",
        "岚皋县人民政府",
        VIEWPORT,
        "<p>网站标识码：6109250001 陕ICP备05000019号 陕公网安备 61092502000119号</p>"
        f"{CONAC_LINK}"
        '<script id="_jiucuo_" sitecode="6109250001" src="https://zfwzgl.www.gov.cn/exposure/jiucuo.js"></script>'
        "<a href='/care/'>关怀版</a>",
        _expect(),
        (_tags("6109250001"), _tags("6109250001")),
        group="county",
        search="post",
        report="ontime",
    ),
    Site(  # the home page fails: nothing on it can be checked
        "s20",
        "安康市医疗保障局",
        "",
        "",
        {
            **dict.fromkeys(OK_ALL, "error"),
            "page_tags": "not_applicable",
        },
        home_status=500,
    ),
)
FIRST_ADDRESS = 171


class SiteChecksWeb(LoopbackServers):
    """The twenty sites, one loopback address each (``127.0.0.171`` …); ``ports`` filled by ``start()``."""

    def __init__(self) -> None:
        super().__init__()
        self.ports: dict[str, int] = {}

    def host(self, site: Site) -> str:
        return f"127.0.0.{FIRST_ADDRESS + SITES.index(site)}"

    def bind(self) -> None:
        for site in SITES:
            server = self.add_server(ThreadingHTTPServer((self.host(site), 0), _handler(site)))
            self.ports[site.site_id] = int(server.server_address[1])

    def home_url(self, site: Site) -> str:
        return f"http://{self.host(site)}:{self.ports[site.site_id]}/"

    def registry_rows(self) -> list[dict[str, str]]:
        return [
            {
                "site_id": site.site_id,
                "name": site.name,
                "group": site.group,
                "county": "市直" if site.group == "agency" else site.name.removesuffix("人民政府"),
                "home_url": self.home_url(site),
                "site_code": site.registry_code,
            }
            for site in SITES
        ]


def _handler(site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
            return

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            path = parts.path
            status, body = 404, "<html><body>页面不存在</body></html>".encode(site.charset)
            if path == "/":
                status, body = site.home_status, site.home() if site.home_status == 200 else b"error"
            elif path in ("/art/1.html", "/art/2.html"):
                status, body = 200, site.article(int(path[5]))
            elif (policy := site.policy_page(path)) is not None:
                status, body = 200, policy
            elif path == "/nb/2018.html" and site.report:
                status, body = 200, site.report_page()
            elif path == "/xxgk/" and site.report == "disclosure":
                link = f"<li><a href='/nb/2018.html'>{site.name}2018年政府网站工作年度报表</a> 2019-01-20</li>"
                status, body = (
                    200,
                    f"<html><body><h1>政府信息公开</h1><ul>{link}</ul></body></html>".encode(site.charset),
                )
            elif path == "/search" and site.search and site.search != "post":
                query = parse_qs(parts.query, encoding=site.charset).get("q", [""])[0]
                status, body = site.results(query)
            self.answer(status, body)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            form = parse_qs(self.rfile.read(length).decode("ascii"), encoding=site.charset)
            if urlsplit(self.path).path == "/was5/web/search" and site.search == "post":
                self.answer(*site.results(form.get("searchword", [""])[0]))
            else:
                self.answer(405, b"")

        def answer(self, status: int, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", f"text/html; charset={site.charset}")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler
