"""Dark links: hiding techniques x spam signals, the site's own hidden menus and government links, a corpus."""

from __future__ import annotations

import itertools
import random

import pytest

from govsites.extract.text import parse_html
from govsites.security.darklinks import (
    DarkLinkDetector,
    colour,
    declarations,
    hiding_reason,
    is_government_host,
    runs_scripts,
)
from govsites.security.terms import SpamTerms

PAGE = "http://www.ankang.gov.cn/index.html"


@pytest.fixture(scope="module")
def detector() -> DarkLinkDetector:
    return DarkLinkDetector(SpamTerms.load())


def page(body: str, head: str = "") -> str:
    return f"<html><head><title>安康市人民政府</title>{head}</head><body><div id='main'>正文</div>{body}</body></html>"


def find(detector: DarkLinkDetector, html: str, own: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    return [(f.target, f.context) for f in detector.find(parse_html(html), PAGE, own)]


GAMBLING = '<a href="http://www.8888.com/">澳门葡京</a>'
HIDDEN_CASES = [
    (f'<div style="display:none">{GAMBLING}</div>', "display:none"),
    (f'<div style="DISPLAY: NONE !important">{GAMBLING}</div>', "display:none"),
    (f'<span style="visibility:hidden">{GAMBLING}</span>', "visibility:hidden"),
    (f'<div style="font-size:0px">{GAMBLING}</div>', "字号为零"),
    (f'<div style="height:0;overflow:hidden">{GAMBLING}</div>', "尺寸为零"),
    (f'<div style="position:absolute;top:-999px;left:-999px">{GAMBLING}</div>', "移出屏幕"),
    (f'<div style="position:fixed;left:-100em">{GAMBLING}</div>', "移出屏幕"),
    (f'<p style="text-indent:-9999px">{GAMBLING}</p>', "文字缩进移出屏幕"),
    (f'<div style="opacity:0">{GAMBLING}</div>', "完全透明"),
    (f"<div hidden>{GAMBLING}</div>", "hidden 属性"),
    (f'<marquee height="1" width="1">{GAMBLING}</marquee>', "微小滚动区"),
    (f'<marquee style="height:2px">{GAMBLING}</marquee>', "微小滚动区"),
    (
        '<div style="background-color:#FFF"><a href="http://x.example/" style="color:white">百家乐</a></div>',
        "文字与背景同色",
    ),
    (
        '<table bgcolor="#000000"><tr><td><font color="#000"><a href="http://x.example/">时时彩</a></font></td></tr>'
        "</table>",
        "文字与背景同色",
    ),
    ('<a href="http://x.example/" style="color:rgb(255, 255, 255)">北京赛车</a>', "文字与背景同色"),
    (
        '<div style="color:#fff"><p style="background:#fff"><a href="http://x.example/">百家乐</a></p></div>',
        "文字与背景同色",
    ),
    (f'<div style="display:none"><p style="background:#fff;color:#333">{GAMBLING}</p></div>', "display:none"),
]


@pytest.mark.parametrize(("body", "how"), HIDDEN_CASES)
def test_hidden_by_inline_style_attributes_and_colours(detector: DarkLinkDetector, body: str, how: str) -> None:
    found = find(detector, page(body))
    assert len(found) == 1
    assert found[0][1] == how


@pytest.mark.parametrize(
    ("css", "body"),
    [
        (".dl{display:none}", f'<div class="dl">{GAMBLING}</div>'),
        ("#links { position: absolute; left: -2000px }", f'<div id="links">{GAMBLING}</div>'),
        ("div.x, span.y {visibility:hidden}", f'<span class="y">{GAMBLING}</span>'),
        ("/* hide */ .a{font-size:0}", f'<p class="a">{GAMBLING}</p>'),
    ],
)
def test_hidden_by_style_rules(detector: DarkLinkDetector, css: str, body: str) -> None:
    assert len(find(detector, page(body, f"<style>{css}</style>"))) == 1


def test_links_written_by_scripts(detector: DarkLinkDetector) -> None:
    script = (
        "<script>document.write('<div style=\"display:none\">');"
        "document.write('<a href=\"http://www.bet365.example/\">\\u4f53\\u80b2\\u6295\\u6ce8<\\/a></div>');"
        "</script>"
    )
    found = detector.find(parse_html(page(script)), PAGE)
    assert [f.target for f in found] == ["http://www.bet365.example/"]
    assert found[0].context == "脚本写入，display:none"
    assert "体育投注" in found[0].evidence


@pytest.mark.parametrize(
    ("body", "head", "runs"),
    [
        ("<p>首页</p>", "", False),
        ('<script type="application/ld+json">{"@type": "GovernmentOrganization"}</script>', "", False),
        ('<script type="text/template"><a href="{{url}}">x</a></script>', "", False),
        ("<script>var a = 1;</script>", "", True),
        ("", '<script src="/js/jquery.min.js"></script>', True),
        ('<script type="text/javascript" src="http://127.0.0.96/hm.js"></script>', "", True),
        ('<script type="module">import "./a.js";</script>', "", True),
        ('<img src="/a.gif" onerror="document.write(1)">', "", True),
        ('<div onclick="go()"><p>首页</p></div>', "", True),
    ],
)
def test_a_home_page_is_rendered_only_when_it_runs_scripts(body: str, head: str, runs: bool) -> None:
    """Without code a browser adds nothing the raw page lacks, so its render is skipped (counted)."""
    assert runs_scripts(parse_html(page(body, head))) is runs


@pytest.mark.parametrize(
    ("link", "category"),
    [
        ('<a href="http://a.example/">百家乐</a>', "赌博"),
        ('<a href="http://www.casino-online.example/">点击进入</a>', "赌博"),
        ('<a href="http://a.example/" title="真人视讯">进入</a>', "赌博"),
        ('<a href="http://a.example/">成人视频</a>', "色情"),
        ('<a href="http://www.pornhub.example/">x</a>', "色情"),
        ('<a href="http://a.example/">代开发票</a>', "垃圾广告"),
    ],
)
def test_categories_from_text_title_and_target(detector: DarkLinkDetector, link: str, category: str) -> None:
    found = detector.find(parse_html(page(f'<div style="display:none">{link}</div>')), PAGE)
    assert len(found) == 1
    assert f"隐藏的{category}链接" in found[0].evidence
    assert found[0].severity == ("serious" if category == "垃圾广告" else "veto")


@pytest.mark.parametrize(
    "body",
    [
        # hidden tab panels and collapsed menus of the site's own links
        '<div class="tab" style="display:none"><a href="/xxgk/">信息公开</a><a href="list_2.html">百家乐整治</a></div>',
        '<ul style="display:none"><li><a href="http://www.ankang.gov.cn/zwgk/">政务公开</a></li></ul>',
        '<ul style="display:none"><li><a href="http://ankang.gov.cn/zwgk/">政务公开</a></li></ul>',
        # skip links
        '<a href="#main" style="position:absolute;left:-9999px">跳到主要内容</a>',
        # hidden links to other government sites
        '<div style="display:none"><a href="http://www.shaanxi.gov.cn/">陕西省人民政府</a></div>',
        '<div style="display:none"><a href="https://www.gov.cn/">中国政府网</a></div>',
        '<div style="display:none"><a href="http://www.cwl.gov.cn/">中国福利彩票</a></div>',
        # hidden external links without any spam signal
        '<div style="display:none"><a href="http://www.xinhuanet.com/">新华网</a></div>',
        # visible spam-looking external links are not dark links (the target check handles them)
        '<a href="http://www.8888.com/">澳门葡京</a>',
        '<div style="position:relative;left:-20px"><a href="http://a.example/">百家乐</a></div>',
        '<div style="background:#fff"><a href="http://a.example/" style="color:#333">百家乐</a></div>',
        # anti-gambling notices
        '<div style="display:none"><a href="http://a.example/">严厉打击网络赌博</a></div>',
        # not web links
        '<div style="display:none"><a href="javascript:void(0)">百家乐</a>'
        '<a href="mailto:a@b.example">百家乐</a></div>',
        '<div style="display:none"><a>百家乐</a></div>',
    ],
)
def test_not_dark_links(detector: DarkLinkDetector, body: str) -> None:
    assert find(detector, page(body)) == []


def test_own_hosts_and_base_href(detector: DarkLinkDetector) -> None:
    body = '<div style="display:none"><a href="http://old.ankang.example/bjl.html">百家乐</a></div>'
    assert len(find(detector, page(body))) == 1
    assert find(detector, page(body), own=("old.ankang.example",)) == []
    based = page('<div style="display:none"><a href="bjl.html">百家乐</a></div>', '<base href="http://spam.example/">')
    assert find(detector, based) == [("http://spam.example/bjl.html", "display:none")]


def test_css_helpers() -> None:
    assert declarations("Color: RED; display:none !important;;") == {"color": "red", "display": "none"}
    assert hiding_reason({"position": "absolute", "left": "-50px"}) == ""
    assert colour("#abc") == "#aabbcc"
    assert colour("rgb(0,0,0)") == "#000000"
    assert colour("currentColor") == ""
    assert is_government_host("www.ankang.gov.cn")
    assert is_government_host("gov.cn")
    assert not is_government_host("gov.cn.example.com")


# -- a labelled corpus ---------------------------------------------------------------------------------------
WRAPPERS = [body.replace(GAMBLING, "{link}") for body, _ in HIDDEN_CASES if GAMBLING in body]
SPAM_LINKS = [
    '<a href="http://www.{n}.example/">澳门葡京</a>',
    '<a href="http://{n}.example/">真人娱乐 百家乐</a>',
    '<a href="http://bet{n}.example/">首页</a>',
    '<a href="http://a{n}.example/">成人电影</a>',
    '<a href="http://a{n}.example/">无码高清</a>',
    '<a href="http://a{n}.example/">代开增值税发票</a>',
    '<a href="http://a{n}.example/" title="时时彩">点此</a>',
]
CLEAN_LINKS = [
    '<a href="http://www.ankang.gov.cn/{n}.html">本站栏目</a>',
    '<a href="/col{n}/">通知公告</a>',
    '<a href="http://www.sx{n}.gov.cn/">兄弟单位</a>',
    '<a href="http://www.company{n}.example/">友情链接</a>',
    '<a href="#c{n}">跳到正文</a>',
    '<a href="http://a{n}.example/">严禁网络赌博</a>',
]


def test_precision_and_recall_on_a_labelled_corpus(detector: DarkLinkDetector) -> None:
    rng = random.Random(16)
    true_pos = false_pos = false_neg = 0
    for n, (wrapper, link) in enumerate(itertools.product(WRAPPERS, SPAM_LINKS)):
        html = page("<p>新闻</p>" + wrapper.format(link=link.format(n=n)) + '<a href="/a.html">本站</a>')
        hits = len(find(detector, html))
        true_pos += min(hits, 1)
        false_neg += hits == 0
        false_pos += max(hits - 1, 0)
    for n in range(200):
        link = rng.choice(CLEAN_LINKS).format(n=n)
        hidden = rng.choice(WRAPPERS).format(link=link)
        visible_spam = rng.choice(SPAM_LINKS).format(n=n)  # visible: not a dark link
        false_pos += len(find(detector, page(hidden + visible_spam)))
    precision = true_pos / max(true_pos + false_pos, 1)
    recall = true_pos / (true_pos + false_neg)
    print(f"dark-link corpus: precision {precision:.3f} recall {recall:.3f}")
    assert precision >= 0.90
    assert recall >= 0.90
