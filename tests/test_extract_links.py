"""Tests for govsites.extract.links: link extraction and URL helpers."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urljoin

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govsites.extract.links import (
    ATTACHMENT_EXTENSIONS,
    Link,
    extract_links,
    is_attachment,
    memo_base,
    normalize_url,
    same_site,
    url_host,
)

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
REAL_PAGES = SHARED / "real-pages"

PAGE = "http://www.hd.gov.cn/zwgk/index.html"


def urls(html: str, page_url: str = PAGE) -> list[str]:
    return [link.url for link in extract_links(html, page_url)]


# --- normalize_url ------------------------------------------------------------------------------


def test_normalize_lowercases_scheme_and_host_and_drops_default_port_and_fragment() -> None:
    assert normalize_url("HTTP://WWW.HD.Gov.CN:80/Path/A.html#top") == "http://www.hd.gov.cn/Path/A.html"
    assert normalize_url("https://www.hd.gov.cn:443/x") == "https://www.hd.gov.cn/x"
    assert normalize_url("http://www.hd.gov.cn:8080/x") == "http://www.hd.gov.cn:8080/x"


def test_normalize_percent_encodes_non_ascii_as_utf8_and_keeps_existing_escapes() -> None:
    assert normalize_url("http://a.gov.cn/附件/表格.doc") == (
        "http://a.gov.cn/%E9%99%84%E4%BB%B6/%E8%A1%A8%E6%A0%BC.doc"
    )
    already = "http://a.gov.cn/%E9%99%84%E4%BB%B6/x.doc?q=%E4%B8%AD"
    assert normalize_url(already) == already


def test_normalize_encodes_spaces_and_keeps_query_order() -> None:
    assert normalize_url("http://a.gov.cn/a b.html?z=1&a=中 文&m=3") == (
        "http://a.gov.cn/a%20b.html?z=1&a=%E4%B8%AD%20%E6%96%87&m=3"
    )


def test_normalize_adds_root_path_and_handles_idn_and_ipv6() -> None:
    assert normalize_url("http://www.ankang.gov.cn") == "http://www.ankang.gov.cn/"
    assert normalize_url("http://安康.政务/x") == "http://xn--49sw7e.xn--zfr164b/x"
    assert normalize_url("http://[::1]:80/x") == "http://[::1]/x"


@pytest.mark.parametrize(
    "url",
    [
        "http://[bad/x",
        "http://host:notaport/x",
        "http:////x",
        "",
        "   ",
        "%zz/\x00\ud800",
        "HTTP://用户@例子.公司:8080/路径?键=值#片段",
    ],
)
def test_normalize_odd_inputs_do_not_raise_and_are_idempotent(url: str) -> None:
    once = normalize_url(url)
    assert isinstance(once, str)
    assert normalize_url(once) == once


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=80))
def test_normalize_never_raises_and_is_idempotent_on_arbitrary_text(text: str) -> None:
    once = normalize_url(text)
    assert normalize_url(once) == once


_URL_CHARS = st.sampled_from(list("abcAZ09-._~:/?#[]@!$&'()*+,;=% 中文\t\\"))


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(["http", "HTTPS", "ftp", "file", ""]),
    st.text(_URL_CHARS, max_size=20),
    st.text(_URL_CHARS, max_size=30),
)
def test_normalize_idempotent_on_url_shaped_text(scheme: str, host: str, rest: str) -> None:
    once = normalize_url(f"{scheme}://{host}/{rest}")
    assert normalize_url(once) == once
    assert "#" not in once


# --- url_host / same_site / is_attachment ---------------------------------------------------------


def test_url_host() -> None:
    assert url_host("http://WWW.HD.gov.cn:8080/x") == "www.hd.gov.cn"
    assert url_host("http://[::1]/") == "::1"
    assert url_host("not a url") == ""


@pytest.mark.parametrize(
    ("url", "home", "expected"),
    [
        ("http://www.hd.gov.cn/a", "http://hd.gov.cn/", True),
        ("https://hd.gov.cn/a", "http://www.hd.gov.cn/", True),  # both default ports
        ("http://HD.GOV.CN:80/a", "http://hd.gov.cn/", True),
        ("http://hd.gov.cn:8080/a", "http://hd.gov.cn/", False),
        ("http://hd.gov.cn:8080/a", "http://www.hd.gov.cn:8080/", True),
        ("http://hdzfxxgk.hd.gov.cn/a", "http://www.hd.gov.cn/", False),  # a subdomain is another site
        ("http://www.gov.cn/", "http://www.hd.gov.cn/", False),
        ("http://evilhd.gov.cn/", "http://hd.gov.cn/", False),
        ("mailto:x@y", "http://hd.gov.cn/", False),
    ],
)
def test_same_site(url: str, home: str, expected: bool) -> None:
    assert same_site(url, home) is expected


@pytest.mark.parametrize(
    "url",
    [
        "http://a.gov.cn/files/report.PDF",
        "http://a.gov.cn/%E9%99%84%E4%BB%B6/%E8%A1%A8.docx",
        "http://a.gov.cn/up/x.wps",
        "http://a.gov.cn/up/x.ofd",
        "http://a.gov.cn/download.jsp?file=2024/notice.pdf",
        "http://a.gov.cn/down.aspx?id=3&filename=%E8%A1%A8%E6%A0%BC.xlsx",
    ],
)
def test_is_attachment_true(url: str) -> None:
    assert is_attachment(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://a.gov.cn/art/2016/11/22/art_1_2.html",
        "http://a.gov.cn/pdf/",  # a folder named pdf
        "http://a.gov.cn/x.pdf.html",
        "http://a.gov.cn/list?page=2",
    ],
)
def test_is_attachment_false(url: str) -> None:
    assert not is_attachment(url)


def test_attachment_extensions_are_lowercase_with_dot() -> None:
    assert all(ext.startswith(".") and ext == ext.lower() for ext in ATTACHMENT_EXTENSIONS)


# --- extract_links ------------------------------------------------------------------------------


def test_anchor_href_resolution_whitespace_and_fragments() -> None:
    html = """<html><body>
      <a href="
         ./2015/t20150101_1.html">  通知
         公告 </a>
      <a href="../about.html#contact">关于</a>
      <a href="//www.gov.cn/zhengce/">中国政府网</a>
      <a href="\thttp://www.hebei.gov.cn/ ">河北</a>
    </body></html>"""
    links = extract_links(html, PAGE)
    assert [(link.url, link.anchor, link.tag, link.kind) for link in links] == [
        ("http://www.hd.gov.cn/zwgk/2015/t20150101_1.html", "通知 公告", "a", "page"),
        ("http://www.hd.gov.cn/about.html", "关于", "a", "page"),
        ("http://www.gov.cn/zhengce/", "中国政府网", "a", "page"),
        ("http://www.hebei.gov.cn/", "河北", "a", "page"),
    ]


def test_skipped_schemes_fragments_and_empty_hrefs() -> None:
    html = """<a href="javascript:void(0)">x</a><a href="JavaScript:go()">x</a><a href="mailto:a@b.cn">m</a>
      <a href="tel:12345">t</a><a href="data:text/html,hi">d</a><a href="about:blank">a</a>
      <a href="#">top</a><a href="#main">main</a><a href="">empty</a><a href="   ">blank</a><a>no href</a>
      <a href="weixin://dl/chat">wx</a><a href="/ok.html">ok</a>"""
    assert urls(html) == ["http://www.hd.gov.cn/ok.html"]


def test_base_href_is_used_for_resolution() -> None:
    html = '<html><head><base href="http://cdn.hd.gov.cn/site/"></head><body><a href="a.html">a</a></body>'
    assert urls(html) == ["http://cdn.hd.gov.cn/site/a.html"]
    relative_base = '<head><base href="/sub/"></head><a href="b.html">b</a>'
    assert urls(relative_base) == ["http://www.hd.gov.cn/sub/b.html"]


def test_non_ascii_href_is_percent_encoded_and_kind_attachment() -> None:
    (link,) = extract_links('<a href="/附件/表格.doc">下载表格</a>', PAGE)
    assert link == Link(
        url="http://www.hd.gov.cn/%E9%99%84%E4%BB%B6/%E8%A1%A8%E6%A0%BC.doc",
        anchor="下载表格",
        tag="a",
        kind="attachment",
    )


def test_backslashes_in_path_behave_like_a_browser() -> None:
    assert urls(r'<a href="..\images\a.jpg">x</a>') == ["http://www.hd.gov.cn/images/a.jpg"]


def test_every_resource_tag_is_found() -> None:
    html = """<html><head>
      <link rel="stylesheet" href="/css/main.css"><link rel="shortcut icon" href="/favicon.ico">
      <link rel="canonical" href="/canon.html"><link rel="dns-prefetch" href="//cdn.example.cn">
      <link rel="preconnect" href="https://fonts.example.cn"><link rel="alternate" href="/rss.xml">
      <script src="/js/app.js"></script><script>var inline = 1;</script>
    </head><body>
      <img src="/img/logo.png" alt="徽标" srcset="/img/logo@2x.png 2x, /img/logo@3x.png 3x">
      <picture><source srcset="/img/a.webp 1x,/img/b.webp 2x" type="image/webp"></picture>
      <iframe src="/frame.html"></iframe><frameset><frame src="/left.html"></frameset>
      <embed src="/flash/a.swf"><object data="/docs/guide.pdf"></object>
      <map><area href="/map/1.html" alt="区域一"></map>
    </body></html>"""
    host = "http://www.hd.gov.cn"
    found = {(link.url.removeprefix(host), link.tag, link.kind) for link in extract_links(html, PAGE)}
    assert found == {
        ("/css/main.css", "link", "resource"),
        ("/favicon.ico", "link", "resource"),
        ("/js/app.js", "script", "resource"),
        ("/img/logo.png", "img", "resource"),
        ("/img/logo@2x.png", "img", "resource"),
        ("/img/logo@3x.png", "img", "resource"),
        ("/img/a.webp", "source", "resource"),
        ("/img/b.webp", "source", "resource"),
        ("/frame.html", "iframe", "page"),
        ("/left.html", "frame", "page"),
        ("/flash/a.swf", "embed", "resource"),
        ("/docs/guide.pdf", "object", "attachment"),
        ("/map/1.html", "area", "page"),
    }


def test_anchor_falls_back_to_title_then_image_alt_and_is_capped() -> None:
    html = f"""<a href="/1.html" title="全文标题"></a>
      <a href="/2.html"><img src="/i.png" alt="图片说明"></a>
      <a href="/3.html">{"很长" * 150}</a>
      <img src="/pic.png" title="图题">"""
    anchors = {link.url.rsplit("/", 1)[1]: link.anchor for link in extract_links(html, PAGE)}
    assert anchors["1.html"] == "全文标题"
    assert anchors["2.html"] == "图片说明"
    assert anchors["3.html"] == "很长" * 100
    assert len(anchors["3.html"]) == 200
    assert anchors["pic.png"] == "图题"


def test_anchor_keeps_the_text_around_inline_children() -> None:
    html = """<a href="/1.html"><font color="red">[置顶]</font>关于做好<b>冬季</b>安全生产工作的通知</a>
      <a href="/2.html"><span class="date">2015-12-01</span> 全县会议召开<!-- 注释 -->纪要</a>"""
    anchors = {link.url.rsplit("/", 1)[1]: link.anchor for link in extract_links(html, PAGE)}
    assert anchors == {"1.html": "[置顶]关于做好冬季安全生产工作的通知", "2.html": "2015-12-01 全县会议召开纪要"}


def test_select_link_lists_give_option_links() -> None:
    html = """<select onchange="if(this.value!=&quot;国家部委网站链接&quot;)window.open(this.value)">
        <option selected="selected">国家部委网站链接</option>
        <option value="http://www.fmprc.gov.cn/web/">外交部</option>
        <option value="/xqlj/hanbin.html">汉滨区</option>
      </select>
      <select name="year"><option value="2024">2024</option><option value="1">一</option></select>
      <select><option value="https://www.mee.gov.cn/">生态环境部</option></select>"""
    links = extract_links(html, PAGE)
    assert [(link.url, link.anchor, link.tag, link.kind) for link in links] == [
        ("http://www.fmprc.gov.cn/web/", "外交部", "option", "page"),
        ("http://www.hd.gov.cn/xqlj/hanbin.html", "汉滨区", "option", "page"),
        ("https://www.mee.gov.cn/", "生态环境部", "option", "page"),
    ]


def test_browser_save_artefacts_are_skipped_but_files_folders_kept() -> None:
    html = """<script src="./page_files/jquery.min.js.下载"></script>
      <script src="./page_files/%E4%B8%8B.js.%E4%B8%8B%E8%BD%BD"></script>
      <img src="./page_files/logo.png">"""
    assert urls(html) == ["http://www.hd.gov.cn/zwgk/page_files/logo.png"]


def test_exact_duplicates_collapse_but_different_anchor_or_tag_stay() -> None:
    html = """<a href="/a.html">甲</a><a href="/a.html#x">甲</a><a href="/a.html">更多</a>
      <iframe src="/a.html"></iframe><a href="/b.html">乙</a>"""
    links = extract_links(html, PAGE)
    assert [(link.url[-6:], link.anchor, link.tag) for link in links] == [
        ("a.html", "甲", "a"),
        ("a.html", "更多", "a"),
        ("a.html", "", "iframe"),
        ("b.html", "乙", "a"),
    ]


def test_file_and_ftp_links_are_kept_for_reporting() -> None:
    html = '<a href="file:///C:/Users/admin/Desktop/通知.doc">通知</a><a href="ftp://ftp.hd.gov.cn/x.zip">x</a>'
    assert urls(html) == [
        "file:///C:/Users/admin/Desktop/%E9%80%9A%E7%9F%A5.doc",
        "ftp://ftp.hd.gov.cn/x.zip",
    ]


@pytest.mark.parametrize(
    "html",
    [
        "",
        "   ",
        "<",
        "<a href=",
        "<?xml version='1.0' encoding='gbk'?><a href='/x'>x</a>",
        "\x00<a href='/y'>",
        "<html>",
    ],
)
def test_degenerate_html_does_not_raise(html: str) -> None:
    links = extract_links(html, PAGE)
    assert all(link.url.startswith("http://www.hd.gov.cn/") for link in links)


def test_xml_declaration_does_not_hide_links() -> None:
    assert urls("<?xml version='1.0' encoding='gbk'?><html><a href='/x.html'>x</a></html>") == [
        "http://www.hd.gov.cn/x.html"
    ]


_HTML_PIECES = st.sampled_from(
    [
        "<a href='", "'>", "</a>", "<img src=\"", "\" srcset=\"", " 2x, ", "<base href='",
        "<select onchange='open(this.value)'>", "<option value='", "</select>", "<link rel='", "stylesheet",
        "<object data=", "javascript:", "//", "..",
        "\\", "#", "?", "%", "中文", "\n", "\t", " ", "<", ">", "\"", "'", "&amp;", "&#0;", "\x00", "\ud800", "http://[",
        ":99999", "<!--", "-->", "<script>", "</script>", "<![CDATA[", "]]>",
    ]
)  # fmt: skip


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(_HTML_PIECES, st.text(max_size=10)), max_size=40))
def test_extract_links_never_raises_on_arbitrary_html(pieces: list[str]) -> None:
    links = extract_links("".join(pieces), PAGE)
    keys = [(link.url, link.tag, link.anchor) for link in links]
    assert len(keys) == len(set(keys))
    for link in links:
        assert normalize_url(link.url) == link.url
        assert "#" not in link.url
        assert link.kind in {"page", "attachment", "resource"}
        assert len(link.anchor) <= 200


@settings(max_examples=200)
@given(st.text(max_size=200), st.text(max_size=40))
def test_extract_links_never_raises_on_arbitrary_text_and_page_url(html: str, page_url: str) -> None:
    assert isinstance(extract_links(html, page_url), list)


# --- real pages ---------------------------------------------------------------------------------


def _real(name: str) -> str:
    path = REAL_PAGES / name
    if not path.is_file():
        pytest.skip(f"shared real pages not available ({path}); they live outside the project")
    return path.read_text(encoding="utf-8")


@pytest.mark.shared
def test_real_hd_index_friendly_link_select_and_no_save_artefacts() -> None:
    html = _real("kevin3691__renmin/hd_gov_cn_xxgk_index.jsp.html")
    links = extract_links(html, "http://hdzfxxgk.hd.gov.cn/affairs/index.jsp")
    options = [link for link in links if link.tag == "option"]
    assert len(options) >= 100  # ministries, provinces, counties
    assert Link("http://www.fmprc.gov.cn/web/", "外交部", "option", "page") in options
    assert all(link.url.startswith(("http://", "https://")) for link in links)
    assert not any("%E4%B8%8B%E8%BD%BD" in link.url for link in links)  # *.下载 saved scripts
    assert Link("http://www.gov.cn/", "中国政府网站", "a", "page") in links
    assert not any(link.url.startswith("javascript") for link in links)


@pytest.mark.shared
def test_real_fund_list_finds_pdf_attachments() -> None:
    html = _real("Gerapy__GerapyAutoExtractor/hrfund_announcement.html")
    links = extract_links(html, "http://www.hr-fund.com.cn/news/information_2.html")
    pdfs = [link for link in links if link.kind == "attachment"]
    assert len(pdfs) >= 10
    assert all(link.url.startswith("http://www.hr-fund.com.cn/Upload/File/") for link in pdfs)
    assert all(link.anchor for link in pdfs)


@pytest.mark.shared
def test_real_shanxi_article_has_scripts_and_many_links() -> None:
    html = _real("GeneralNewsExtractor__GeneralNewsExtractor/shanxi_1.html")
    links = extract_links(html, "http://www.shanxi.gov.cn/yw/sxyw/201909/t20190918_1.shtml")
    scripts = {link.url for link in links if link.tag == "script"}
    assert "http://pucha.kaipuyun.cn/exposure/jiucuo.js" in scripts
    assert sum(link.tag == "a" for link in links) > 300
    assert all(same_site(link.url, "http://www.shanxi.gov.cn/") or url_host(link.url) for link in links)


def test_hanweb_datastore_records_inside_script_are_links_but_not_the_xhr_pager() -> None:
    # Synthetic, from the shape documented for Hanweb jcms list pages (no real page was found).
    html = """<div id="4380"><script type="text/xml"><datastore>
      <nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid=1">]]></nextgroup>
      <recordset>
        <record><![CDATA[<li class="cf"><a href="/art/2026/9/16/art_77278_11830771.html"
          title="关于开展汛期安全检查的通知" target="_blank">关于开展汛期安全检查的通知</a>
          <span>2026-09-16</span></li>]]></record>
        <record><![CDATA[<li><a href="/art/2026/9/10/art_77278_11830001.html">第二条</a>
          <b>2026-09-10</b></li>]]></record>
      </recordset></datastore></script></div>"""
    links = extract_links(html, "http://fgw.ankang.gov.cn/col/col77278/index.html")
    assert [(link.url, link.anchor, link.tag) for link in links] == [
        ("http://fgw.ankang.gov.cn/art/2026/9/16/art_77278_11830771.html", "关于开展汛期安全检查的通知", "a"),
        ("http://fgw.ankang.gov.cn/art/2026/9/10/art_77278_11830001.html", "第二条", "a"),
    ]


# --- memoised resolution ------------------------------------------------------------------------------

_REF_PIECES = [
    "/",
    "//",
    "\\",
    "http://",
    "HTTPS://",
    "http:",
    "a",
    "b.html",
    "..",
    ".",
    "?",
    "#",
    "q=1",
    ";p",
    "@",
    ":",
    "80",
    " ",
    "\t",
    "\n",
    "\r",
    "\x00",
    "\u3000",
    "\xa0",
    "[",
    "]",
    "中",
    "x.com",
    "%2F",
    "javascript:",
    "_",
]
_BASES = [
    "http://a.com/x/y.html",
    "https://a.com:8080/x/",
    "http://u@a.com",
    "http://a.com/x/y.html?q=2#f",
    "HTTP://A.COM/Z/",
    "http://[::1]:80/p;q/r",
    "https://中文.cn/a/b",
    "ftp://x/y",
    "",
    "x/y",
    "http:///p",
    "http://[bad/x",
]


def _join(base: str, ref: str) -> str:
    try:
        return urljoin(base, ref)
    except ValueError:
        return "ValueError"


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(_REF_PIECES), min_size=1, max_size=6).map("".join), st.sampled_from(_BASES))
def test_memo_base_resolves_like_the_page_url(ref: str, base: str) -> None:
    keyed = memo_base(ref, base)
    assert _join(keyed, ref) == _join(base, ref)
    cleaned = ref.replace("\t", "").replace("\n", "").replace("\r", "").strip(" \f\v\x00\u3000\xa0")
    assert _join(keyed, cleaned.replace("\\", "/")) == _join(base, cleaned.replace("\\", "/"))


def test_memo_base_is_the_origin_only_where_the_path_cannot_matter() -> None:
    base = "http://www.hd.gov.cn:8080/zwgk/a/index.html?x=1"
    origin = "http://www.hd.gov.cn:8080/"
    assert memo_base("/xwzx/", base) == origin
    assert memo_base("//cdn.hd.gov.cn/a.js", base) == origin
    assert memo_base("https://www.gov.cn/", base) == origin
    for ref in ("b.html", "../b.html", "?page=2", "", "//", "/\\x", "http:b.html", "http:///x", "#top"):
        assert memo_base(ref, base) == base


def test_relative_links_resolve_against_each_page_despite_the_memo() -> None:
    html = '<a href="a.html">A</a><a href="/b.html">B</a><a href="?p=2">2</a>'
    one = urls(html, "http://x.gov.cn/d1/index.html")
    two = urls(html, "http://x.gov.cn/d2/list.html?p=1")
    assert one == ["http://x.gov.cn/d1/a.html", "http://x.gov.cn/b.html", "http://x.gov.cn/d1/index.html?p=2"]
    assert two == ["http://x.gov.cn/d2/a.html", "http://x.gov.cn/b.html", "http://x.gov.cn/d2/list.html?p=2"]
    assert urls(html, "https://y.gov.cn/") == [
        "https://y.gov.cn/a.html",
        "https://y.gov.cn/b.html",
        "https://y.gov.cn/?p=2",
    ]


def test_links_of_a_page_with_lone_surrogates_and_nul() -> None:
    html = '<a href="/a.html">A\ud800B</a><a href="/b\x00.html">C</a>'
    assert [(link.url, link.anchor) for link in extract_links(html, PAGE)] == [
        ("http://www.hd.gov.cn/a.html", "A\ufffd\ufffd\ufffdB"),  # its three surrogatepass bytes
        ("http://www.hd.gov.cn/b.html", "C"),
    ]
