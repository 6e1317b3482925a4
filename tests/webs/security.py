"""The content-security web: a hostile little government web for the issue-16 checks, with its own truth.

Written from the issue's description of what a leak, a dark link, a hijacked link and a wrong expression look
like on real sites, not from the detectors: numbers come in tables, running text, odd separators and
attachments; traps sit beside every planted finding (masked forms, wrong check digits, 订单号, 统一社会信用代码,
landlines, 400 numbers, dates and serials, legitimate hidden tab panels, skip links, hidden government links,
福利彩票 and policy pages on 彩票, correct political forms).

Addresses (one port for all): ``127.0.0.81`` the site ``anquan`` (the leaking one), ``127.0.0.84`` the site
``second`` (links to the same bad target and to the closed site), ``127.0.0.82`` the closed site ``guanting``
(status closed in the registry: "网站已关停"), ``127.0.0.83`` the outside world (gambling, parked, cloaking,
lottery, policy and ordinary pages). ``TRUTH`` lists what a correct check finds; ``PLANTED`` every full number
that must never appear in an output. Requests are counted per path in ``hits``.
"""

from __future__ import annotations

import io
import shutil
import threading
import zipfile
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import openpyxl
from docx import Document

from govsites.demo.loopback import LoopbackServers
from govsites.registry import SITE_FIELDS

SITE, CLOSED, OUTSIDE, SECOND = "127.0.0.81", "127.0.0.82", "127.0.0.83", "127.0.0.84"
AS_OF = "2015-12-31"
OVERSIZE_BYTES = 25 * 1024 * 1024  # over the crawl's 20 MB attachment cap
BOMB_BYTES = 300 * 1024 * 1024  # the zip bomb's declared expansion


# -- numbers (GB 11643 and Luhn computed here, from the standards) ----------------------------------------
def _id(first17: str) -> str:
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, weights, strict=True)) % 11]


def _bad_id(first17: str) -> str:
    good = _id(first17)
    return good[:17] + ("0" if good[17] != "0" else "1")


def _card(first: str) -> str:
    digits = [int(d) for d in first]
    total = sum(d if i % 2 else (2 * d - 9 if 2 * d > 9 else 2 * d) for i, d in enumerate(reversed(digits)))
    return first + str((10 - total % 10) % 10)


IDS_PAGE = [_id("61090219800512231"), _id("61092519751103002"), _id("61240119900101123")]
ID_SPACED = _id("61090219660725451")  # written "610902 19660725 451x"
IDS_XLSX = [_id("61090219851230001"), _id("11010519491001002")]
ID_DOCX = _id("61092119700202333")
MOBILES_PAGE = ["13812345678", "15991234567", "18629100123"]
MOBILE_DASHED = "13709151234"  # written 137-0915-1234
MOBILE_PLUS86 = "17791501234"  # written +86 177 9150 1234
MOBILE_XLSX = "13991512345"
ID_PDF = _id("61090219930315122")
MOBILE_PDF = "15029151234"
CARD_PAGE = _card("622202170300123456")  # UnionPay, 19 digits
#: every full number that is a finding (none may appear in any output)
PLANTED = [*IDS_PAGE, ID_SPACED, *IDS_XLSX, ID_DOCX, *MOBILES_PAGE, MOBILE_DASHED, MOBILE_PLUS86, MOBILE_XLSX]
PLANTED += [ID_PDF, MOBILE_PDF]
#: the PDF attachment is read when Debian's poppler-utils is installed, else it is an unreadable attachment
READS_PDF = shutil.which("pdftotext") is not None
#: old binary Office files (tests/fixtures/attachments, from textract's tests, MIT): catdoc / xls2csv read them
ATTACHMENTS = Path(__file__).resolve().parents[1] / "fixtures" / "attachments"
ID_DOC, MOBILE_XLS = "610928198503150023", "13991234567"
READS_DOC = shutil.which("catdoc") is not None or shutil.which("antiword") is not None
READS_XLS = shutil.which("xls2csv") is not None
PLANTED += [ID_DOC, MOBILE_XLS]
PLANTED.append(CARD_PAGE)

#: traps: numbers that are not personal data (a finding on any of them is a false positive)
#: The footer of every page: the site's own mobile hotline, published on purpose (never a leak).
HOTLINE = "13909157788"
TRAPS = {
    "published hotline (every page's footer)": HOTLINE,
    "wrong check digit": _bad_id("61090219800512239"),
    "masked id": "61**********1234",
    "masked id 2": "6109021980****2311",
    "masked mobile": "138****5678",
    "统一社会信用代码": "91610900MA70K1234X",
    "统一社会信用代码 digits": "12610900016000412K",
    "订单号": "20151230174512345",
    "文号": "安政办发〔2015〕112号",
    "landline": "0915-3212345",
    "landline 2": "(0915)8881234",
    "400": "400-800-1234",
    "800": "800-820-8820",
    "网站标识码": "6109000001",
    "serial": "2015123110245566",
    "card without luhn": CARD_PAGE[:-1] + str((int(CARD_PAGE[-1]) + 1) % 10),
}


# -- pages ----------------------------------------------------------------------------------------------
FOOTER = f'<div class="footer">主办单位：县政府办公室 监督举报电话：{HOTLINE[:3]}-{HOTLINE[3:7]}-{HOTLINE[7:]}</div>'


def _page(title: str, body: str, head: str = "") -> bytes:
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title>{head}</head>'
        f"<body>{body}{FOOTER}</body></html>"
    ).encode()


def _mask_run(n: str) -> str:
    return n[:6] + " " + n[6:14] + " " + n[14:]


class Web:
    """The pages of every address (paths keyed by host)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.tampered = False  # the home page as an attacker left it (a later run's tampering check)
        self.base = {h: f"http://{h}:{port}" for h in (SITE, CLOSED, OUTSIDE, SECOND)}

    def url(self, host: str, path: str) -> str:
        return self.base[host] + path

    # the leaking site ------------------------------------------------------------------------------------
    def site_home(self) -> bytes:
        out, closed = self.base[OUTSIDE], self.base[CLOSED]
        visible = [
            ("/gs/list.html", "公示公告"),
            ("/gs/detail.html", "2015年低保对象名单公示"),
            ("/news/1.html", "领导活动"),
            ("/news/2.html", "港澳台交流"),
            ("/files/低保名单.xlsx", "附件：低保名单.xlsx"),
            ("/files/救助对象.docx", "附件：救助对象.docx"),
            ("/files/名单.pdf", "附件：名单.pdf"),
            ("/files/申请表.doc", "附件：申请表.doc"),
            ("/files/名单.xls", "附件：名单.xls"),
            ("/files/bomb.xlsx", "附件：统计表.xlsx"),
            ("/files/broken.docx", "附件：申请表.docx"),
            ("/files/big.xlsx", "附件：全部数据.xlsx"),
            (f"{out}/bet.html", "合作单位"),
            (f"{out}/parked.html", "旧版专题网站"),
            (f"{out}/cloak.html", "便民服务平台"),
            (f"{out}/go", "友情链接：市场信息"),
            (f"{out}/ua.html", "县域经济网"),
            (f"{out}/cwl.html", "中国福利彩票"),
            (f"{out}/policy.html", "彩票管理政策解读"),
            (f"{out}/news.html", "陕西日报"),
            (f"{closed}/xxgk/index.html", "原信息公开网"),
        ]
        links = "".join(f'<li><a href="{u}">{t}</a></li>' for u, t in visible)
        hidden = (
            '<div style="display:none"><a href="http://127.0.0.85/a">澳门葡京赌场 真人娱乐</a></div>'
            '<a href="http://127.0.0.86/b" style="visibility: hidden">百家乐 在线开户</a>'
            '<span style="font-size:0px"><a href="http://127.0.0.87/c">六合彩 时时彩</a></span>'
            '<div style="width:0;height:0;overflow:hidden"><a href="http://127.0.0.88/d">老虎机 注册送彩金</a></div>'
            '<p style="position:absolute; left:-8000px; top:-8000px"><a href="http://127.0.0.89/e">太阳城娱乐</a></p>'
            '<p style="text-indent:-9999px"><a href="http://127.0.0.90/f">威尼斯人 线上娱乐</a></p>'
            '<div class="ft" style="background:#ffffff">'
            '<a href="http://127.0.0.91/g" style="color:#fff">足球投注 赌球</a></div>'
            '<marquee height="1" width="1"><a href="http://127.0.0.92/h">网上娱乐 博彩</a></marquee>'
            '<p hidden><a href="http://127.0.0.93/i">赌博网站 首存返水</a></p>'
            '<div class="zz"><a href="http://127.0.0.94/j">真人视讯 葡京</a></div>'
            # written by a script into the DOM: seen only in the rendered page
            "<script>window.addEventListener('DOMContentLoaded',function(){var d=document.createElement('div');"
            "d.style.display='none';d.innerHTML='<a href=\"http://127.0.0.95/k\">博彩 娱乐城</a>';"
            "document.body.appendChild(d);});</script>"
        )
        legit = (
            '<a class="skip" href="#main" style="position:absolute;left:-999px">跳到主要内容</a>'
            '<div class="tabs"><div class="panel" style="display:none"><a href="/news/1.html">更多领导活动</a>'
            '<a href="/gs/list.html">更多公示</a></div></div>'
            '<div style="display:none"><a href="http://www.gov.cn/">中国政府网</a></div>'
            '<ul class="menu" hidden><li><a href="/news/2.html">港澳台交流</a></li></ul>'
        )
        head = "<style>.zz{display:none} #nav li{float:left}</style>"
        if self.tampered:
            head += '<script src="http://127.0.0.96/tongji/hm.js"></script>'
            links += "<li>世界杯买球 开户送88元</li>"
        body = (
            f'<h1>安全县人民政府</h1><ul id="nav">{links}</ul>{hidden}{legit}<div id="main">'
            f"<p>网站标识码{TRAPS['网站标识码']} 陕ICP备05001234号 联系电话：{TRAPS['landline']}</p></div>"
        )
        return _page("安全县人民政府", body, head)

    def gs_list(self) -> bytes:
        rows = [
            ("张某某", IDS_PAGE[0], MOBILES_PAGE[0], "城关镇"),
            ("李某", IDS_PAGE[1], MOBILES_PAGE[1], "恒口镇"),
            ("王某某", TRAPS["wrong check digit"], TRAPS["masked mobile"], "五里镇"),
            ("赵某", TRAPS["masked id"], "138****1234", "大河镇"),
            ("刘某", TRAPS["masked id 2"], TRAPS["400"], "关庙镇"),
        ]
        table = "".join(
            f"<tr><td>{i + 1}</td><td>{n}</td><td>{d}</td><td>{m}</td><td>{t}</td></tr>"
            for i, (n, d, m, t) in enumerate(rows)
        )
        body = (
            "<h2>2015年度城乡低保对象公示</h2><table><tr><th>序号</th><th>姓名</th><th>身份证号</th><th>联系电话</th>"
            f"<th>乡镇</th></tr>{table}</table><p>监督电话：{TRAPS['landline 2']}，{TRAPS['800']}</p>"
            f"<p>订单号：{TRAPS['订单号']} 统一社会信用代码：{TRAPS['统一社会信用代码']}</p>"
            f"<p>机构代码 {TRAPS['统一社会信用代码 digits']} 文号：{TRAPS['文号']} 编号 {TRAPS['serial']}</p>"
        )
        return _page("公示公告", body)

    def gs_detail(self) -> bytes:
        body = (
            f"<p>经审核，申请人孙某（身份证：{IDS_PAGE[2]}，电话{MOBILES_PAGE[2]}）符合条件。</p>"
            f"<p>另一申请人身份证号码 {_mask_run(ID_SPACED)}，联系方式 {MOBILE_DASHED[:3]}-{MOBILE_DASHED[3:7]}-"
            f"{MOBILE_DASHED[7:]}，手机 +86 {MOBILE_PLUS86[:3]} {MOBILE_PLUS86[3:7]} {MOBILE_PLUS86[7:]}。</p>"
            f"<p>补助资金打入其银行卡 {CARD_PAGE}。另有卡号错误的记录 {TRAPS['card without luhn']} 已退回。</p>"
            f"<p>发布时间：2015-12-20 10:24:55 浏览次数：1234</p>"
        )
        return _page("2015年低保对象名单公示", body)

    @staticmethod
    def news_leaders() -> bytes:
        body = (
            "<p>12月10日，国务院总理李克强在京主持召开国务院常务会议。</p>"
            "<p>本报讯 李克强主席在会上强调，要加快推进简政放权。</p>"
            "<p>据悉，台湾地区领导人近日发表讲话；民国时期本县曾设安康专署。</p>"
        )
        return _page("领导活动", body)

    @staticmethod
    def news_hmt() -> bytes:
        body = (
            "<p>我县代表团赴港考察，与香港政府有关部门座谈，并拜访了香港特别行政区政府。</p>"
            "<p>有媒体称台湾总统将出席活动，此说法有误。台湾国际书展同期举行。</p>"
            "<p>澳门特别行政区政府代表出席。</p>"
        )
        return _page("港澳台交流", body)

    # the second site and the closed one -----------------------------------------------------------------
    def second_home(self) -> bytes:
        out, closed = self.base[OUTSIDE], self.base[CLOSED]
        body = (
            f'<h1>第二县人民政府</h1><ul><li><a href="{out}/bet.html">合作媒体</a></li>'
            f'<li><a href="{closed}/">原县政府网（已整合）</a></li><li><a href="/about.html">本站介绍</a></li></ul>'
            "<p>联系电话：0915-2212345 邮编：725000</p>"
        )
        return _page("第二县人民政府", body)

    @staticmethod
    def closed_page() -> bytes:
        return _page("网站已关停", "<p>本网站已关停，相关内容请访问新网站。</p>")

    # the outside world ----------------------------------------------------------------------------------
    @staticmethod
    def outside(path: str, user_agent: str, referer: str = "") -> tuple[int, dict[str, str], bytes]:
        pages = {
            "/bet.html": _page(
                "皇冠体育-在线投注平台",
                "<p>真人娱乐 百家乐 首存送彩金 注册送38元 足球投注</p>",
                '<meta name="keywords" content="博彩,娱乐城">',
            ),
            "/bet2.html": _page("欢迎光临", "<p>老虎机 六合彩 时时彩 真人视讯 开户送彩金</p>"),
            "/parked.html": _page("sxzt2010.com", "<h1>This domain is for sale!</h1><p>Buy this domain today.</p>"),
            "/cloak.html": _page(
                "便民服务",
                "<p>欢迎访问便民服务平台。</p><script>var ua=navigator.userAgent.toLowerCase();"
                "if(ua.indexOf('baiduspider')>-1||document.referrer.indexOf('baidu')>-1)"
                "{window.location.href='http://www.am8888-bet.com/';}</script>",
            ),
            "/cwl.html": _page("中国福利彩票", "<p>中国福利彩票 双色球开奖公告 彩票公益金使用情况</p>"),
            "/policy.html": _page(
                "关于进一步规范彩票市场管理的通知",
                "<p>严禁利用互联网销售彩票，坚决打击赌博违法犯罪活动。彩票管理条例实施细则。</p>",
            ),
            "/news.html": _page("陕西日报", "<p>全省经济运行稳中有进。</p>"),
        }
        if path == "/ua.html" and ("spider" in user_agent.lower() or "baidu." in referer or "so.com" in referer):
            return 302, {"Location": "/bet2.html"}, b""  # cloaking on the server: crawlers and search visitors
        if path == "/ua.html":
            return 200, {"Content-Type": "text/html; charset=utf-8"}, _page("县域经济网", "<p>县域经济新闻。</p>")
        if path == "/go":
            return 302, {"Location": "/bet2.html"}, b""
        if path in pages:
            return 200, {"Content-Type": "text/html; charset=utf-8"}, pages[path]
        return 404, {"Content-Type": "text/html; charset=utf-8"}, _page("404", "页面不存在")


@dataclass(frozen=True)
class Truth:
    """One expected finding: (site_id, kind, where, what): ``where`` the page/attachment URL for data and
    expressions, the link target for link kinds; ``what`` the number or the wrong form ("" for links)."""

    site_id: str
    kind: str
    where: str
    what: str = ""


def _xlsx(rows: list[list[str]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _docx(paragraphs: list[str], table: list[list[str]]) -> bytes:
    document = Document()
    for text in paragraphs:
        document.add_paragraph(text)
    grid = document.add_table(rows=len(table), cols=len(table[0]))
    for r, row in enumerate(table):
        for c, value in enumerate(row):
            grid.cell(r, c).text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _pdf(lines: list[str]) -> bytes:
    """A one-page PDF of ASCII text lines (Helvetica), with a correct cross-reference table."""
    text = " ".join(f"({line}) Tj 0 -16 Td" for line in lines)
    stream = f"BT /F1 11 Tf 72 760 Td {text} ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >>"
        b" /Contents 4 0 R >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            chunk = b"0" * (1024 * 1024)
            for _ in range(BOMB_BYTES // len(chunk)):
                member.write(chunk)
    return buffer.getvalue()


class SecurityWeb(LoopbackServers):
    """Serves the content-security web on four loopback addresses and one port (``port=0``: a free one)."""

    def __init__(self, port: int = 0) -> None:
        super().__init__()
        self.port = port
        self.hits: Counter[str] = Counter()  # "host path" -> requests
        self.lock = threading.Lock()
        self.web = Web(port)
        self.files: dict[str, bytes] = {}

    def bind(self) -> None:
        handler = self._handler()
        first = self.add_server(ThreadingHTTPServer((SITE, self.port), handler))
        self.port = int(first.server_address[1])
        for host in (CLOSED, OUTSIDE, SECOND):
            self.add_server(ThreadingHTTPServer((host, self.port), handler))
        self.web = Web(self.port)
        self.files = {
            "/files/低保名单.xlsx": _xlsx(
                [
                    ["序号", "姓名", "身份证号码", "手机", "备注"],
                    ["1", "陈某", IDS_XLSX[0], MOBILE_XLSX, ""],
                    ["2", "周某", IDS_XLSX[1], TRAPS["landline"], TRAPS["订单号"]],
                    ["3", "吴某", TRAPS["masked id"], TRAPS["masked mobile"], ""],
                ]
            ),
            "/files/救助对象.docx": _docx(
                ["临时救助对象名单", f"经办人联系电话：{TRAPS['landline 2']}"],
                [["姓名", "身份证号"], ["郑某", ID_DOCX], ["冯某", TRAPS["wrong check digit"]]],
            ),
            "/files/名单.pdf": _pdf(
                ["Subsidy list 2015", f"1  Zhou  {ID_PDF}  {MOBILE_PDF}", f"Hotline {TRAPS['400']}"]
            ),
            "/files/申请表.doc": (ATTACHMENTS / "申请表.doc").read_bytes(),
            "/files/名单.xls": (ATTACHMENTS / "名单.xls").read_bytes(),
            "/files/bomb.xlsx": _bomb(),
            "/files/broken.docx": b"PK\x03\x04" + b"\x14\x00\x00\x00broken docx" * 50,
        }

    def registry(self, path: Path) -> Path:
        """The registry of this web: two active sites and the closed one (``status`` closed)."""
        rows = [
            ("anquan", "安全县人民政府", "county", "安全县", self.web.url(SITE, "/"), "active"),
            ("second", "第二县人民政府", "county", "第二县", self.web.url(SECOND, "/"), ""),
            ("guanting", "原关停县政府网", "county", "安全县", self.web.url(CLOSED, "/"), "closed"),
        ]
        lines = [",".join((*SITE_FIELDS, "status"))] + [",".join(row) for row in rows]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path

    def truth(self) -> list[Truth]:
        """Every finding a correct check makes on this web."""
        site = self.web.url
        return [
            *(Truth("anquan", "privacy_id_number", site(SITE, "/gs/list.html"), n) for n in IDS_PAGE[:2]),
            *(Truth("anquan", "privacy_mobile", site(SITE, "/gs/list.html"), n) for n in MOBILES_PAGE[:2]),
            Truth("anquan", "privacy_id_number", site(SITE, "/gs/detail.html"), IDS_PAGE[2]),
            Truth("anquan", "privacy_id_number", site(SITE, "/gs/detail.html"), ID_SPACED),
            *(
                Truth("anquan", "privacy_mobile", site(SITE, "/gs/detail.html"), n)
                for n in (MOBILES_PAGE[2], MOBILE_DASHED, MOBILE_PLUS86)
            ),
            Truth("anquan", "privacy_bank_card", site(SITE, "/gs/detail.html"), CARD_PAGE),
            *(Truth("anquan", "privacy_id_number", site(SITE, "/files/低保名单.xlsx"), n) for n in IDS_XLSX),
            Truth("anquan", "privacy_mobile", site(SITE, "/files/低保名单.xlsx"), MOBILE_XLSX),
            Truth("anquan", "privacy_id_number", site(SITE, "/files/救助对象.docx"), ID_DOCX),
            *(
                Truth("anquan", kind, site(SITE, "/files/名单.pdf"), number)
                for kind, number in (("privacy_id_number", ID_PDF), ("privacy_mobile", MOBILE_PDF))
                if READS_PDF
            ),
            *([Truth("anquan", "privacy_id_number", site(SITE, "/files/申请表.doc"), ID_DOC)] if READS_DOC else []),
            *([Truth("anquan", "privacy_mobile", site(SITE, "/files/名单.xls"), MOBILE_XLS)] if READS_XLS else []),
            *(
                Truth("anquan", "hidden_link", f"http://127.0.0.{n}/{c}")
                for n, c in zip(range(85, 96), "abcdefghijk", strict=True)
            ),
            *(
                Truth("anquan", "bad_external_link", site(OUTSIDE, p))
                for p in ("/bet.html", "/parked.html", "/cloak.html", "/go", "/ua.html")
            ),
            Truth("second", "bad_external_link", site(OUTSIDE, "/bet.html")),
            Truth("anquan", "closed_site_link", site(CLOSED, "/xxgk/index.html")),
            Truth("second", "closed_site_link", site(CLOSED, "/")),
            Truth("anquan", "wrong_expression", site(SITE, "/news/1.html"), "李克强主席"),
            Truth("anquan", "wrong_expression", site(SITE, "/news/2.html"), "香港政府"),
            Truth("anquan", "wrong_expression", site(SITE, "/news/2.html"), "台湾总统"),
        ]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        web = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the stdlib's name
                return

            def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def _oversize(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
                self.send_header("Content-Length", str(OVERSIZE_BYTES))
                self.end_headers()
                if self.command == "HEAD":
                    return
                chunk = b"PK\x03\x04" + b"\x00" * (1024 * 1024 - 4)
                try:
                    for _ in range(OVERSIZE_BYTES // len(chunk)):
                        self.wfile.write(chunk)
                except OSError:
                    return  # the crawler stopped reading at its cap

            def do_HEAD(self) -> None:
                self.do_GET()

            def do_GET(self) -> None:
                host = self.server.server_address[0]
                path = unquote(urlsplit(self.path).path)
                with web.lock:
                    web.hits[f"{host} {path}"] += 1
                html = {"Content-Type": "text/html; charset=utf-8"}
                w = web.web
                if host == OUTSIDE:
                    self._send(*w.outside(path, self.headers.get("User-Agent", ""), self.headers.get("Referer", "")))
                elif host == CLOSED:
                    self._send(410, html, w.closed_page())
                elif host == SECOND:
                    pages = {"/": w.second_home(), "/about.html": _page("本站介绍", "<p>第二县人民政府主办。</p>")}
                    self._send(200, html, pages[path]) if path in pages else self._send(404, html, _page("404", ""))
                elif path == "/files/big.xlsx":
                    self._oversize()
                elif path in web.files:
                    self._send(200, {"Content-Type": "application/octet-stream"}, web.files[path])
                else:
                    pages = {
                        "/": w.site_home,
                        "/gs/list.html": w.gs_list,
                        "/gs/detail.html": w.gs_detail,
                        "/news/1.html": w.news_leaders,
                        "/news/2.html": w.news_hmt,
                    }
                    if path in pages:
                        self._send(200, html, pages[path]())
                    else:
                        self._send(404, html, _page("页面不存在", "<p>页面不存在</p>"))

        return Handler
