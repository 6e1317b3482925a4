"""Target pages of external links: gambling, porn, spam, parked, ok; and the term table itself."""

from __future__ import annotations

from pathlib import Path

import pytest

from govsites.security.targets import TargetClassifier
from govsites.security.terms import SpamTerms


@pytest.fixture(scope="module")
def classifier() -> TargetClassifier:
    return TargetClassifier(SpamTerms.load())


def html(title: str, body: str = "", head: str = "") -> str:
    return f"<html><head><title>{title}</title>{head}</head><body>{body}</body></html>"


CLOAK = (
    "<script>var ua = navigator.userAgent.toLowerCase();"
    "if (ua.indexOf('baiduspider') < 0 && ua.indexOf('sogou') < 0) {{ window.location.href = '{to}'; }}</script>"
)
REFERRER = "<script>if (document.referrer.indexOf('baidu.com') > 0) {{ location.replace('{to}'); }}</script>"

BAD = [
    (html("澳门葡京娱乐城-官方网站"), "gambling"),
    (html("首页", "<p>真人视讯 百家乐 老虎机 首存送彩金</p>"), "gambling"),
    (html("xx", head='<meta name="keywords" content="时时彩,北京赛车,pk10">'), "gambling"),
    (html("某某科技", CLOAK.format(to="http://www.yabo88.example/")), "gambling"),
    (html("某某科技", REFERRER.format(to="http://www.hg0088.example/")), "gambling"),
    (html("某某科技", CLOAK.format(to="http://www.shop.example/")), "spam"),
    (html("跳转中", head='<meta http-equiv="refresh" content="0;url=http://www.casino.example/">'), "gambling"),
    (html("成人视频在线观看"), "porn"),
    (html("首页", "<p>日本AV 无码 偷拍 福利视频</p>"), "porn"),
    (html("专业代开发票"), "spam"),
    (html("首页", "<p>信用卡套现 代孕 仿真枪 私家侦探</p>"), "spam"),
    (html("example.com is for sale", "<p>This domain is for sale! Buy this domain.</p>"), "parked"),
    (html("", '<script src="http://www.parkingcrew.net/js/parking.js"></script>'), "parked"),
    (html("该域名正在出售", "<p>联系QQ</p>"), "parked"),
    (html("域名已过期"), "parked"),
]
GOOD = [
    html("中国福利彩票", "<p>福利彩票 双色球 开奖公告 彩票公益金使用</p>"),
    html("中国体育彩票", "<p>体育彩票 大乐透 开奖</p>"),
    html("关于加强彩票市场管理的通知", "<p>依据《彩票管理条例》，严厉打击私彩和网络赌博，严禁销售时时彩、百家乐。</p>"),
    html("公安局破获特大网络赌博案", "<p>警方侦破一起利用百家乐、真人视讯网站开设赌场案，抓获涉案人员12名。</p>"),
    html("扫黄打非", "<p>深入开展扫黄打非专项行动，整治淫秽色情信息。</p>"),
    html("某县人民政府", "<p>欢迎访问</p>"),
    html("成人高考报名通知", "<p>成人教育 黄色预警 创业担保贷款 公章刻制</p>"),
    html(
        "手机版",
        "<script>if (/android|iphone/i.test(navigator.userAgent)) { location.href = 'http://m.x.gov.cn/'; }</script>",
    ),
    html("Sudan news", "<p>jordan.com sudan.com</p>"),
    "",
    "<<<not html at all",
]


@pytest.mark.parametrize(("page", "category"), BAD)
def test_bad_targets(classifier: TargetClassifier, page: str, category: str) -> None:
    verdict = classifier.classify(page, "http://old-partner.example/")
    assert verdict.category == category
    assert verdict.evidence
    finding = verdict.finding("http://old-partner.example/")
    assert finding is not None
    assert finding.kind == "bad_external_link"
    assert finding.target == "http://old-partner.example/"
    assert finding.severity == ("veto" if category in ("gambling", "porn") else "serious")


@pytest.mark.parametrize("page", GOOD)
def test_good_targets(classifier: TargetClassifier, page: str) -> None:
    verdict = classifier.classify(page, "http://www.example.org/")
    assert verdict.category == "ok", verdict
    assert verdict.finding("http://www.example.org/") is None


def test_official_lottery_urls_and_redirect_endings(classifier: TargetClassifier) -> None:
    assert classifier.classify(html("时时彩 百家乐"), "http://www.cwl.gov.cn/").category == "ok"
    ended = classifier.classify(html("loading"), "http://old.example/", final_url="http://www.888casino.example/")
    assert ended.category == "gambling"
    assert "跳转到" in ended.evidence


def test_precision_and_recall_over_the_labelled_pages(classifier: TargetClassifier) -> None:
    labelled = [(page, category) for page, category in BAD] + [(page, "ok") for page in GOOD]
    labelled += [
        (html(f"{name}官网", f"<p>{body}</p>"), category)
        for name, body, category in [
            ("太阳城集团", "在线娱乐", "gambling"),
            ("威尼斯人", "注册送 彩金 返水", "gambling"),
            ("县人民医院", "预约挂号 体检 彩超", "ok"),
            ("县图书馆", "成人阅读区 少儿阅读区", "ok"),
            ("气象台", "暴雨黄色预警信号", "ok"),
            ("税务局", "严禁虚开发票、代开发票违法行为", "ok"),
        ]
    ]
    tp = fp = fn = 0
    for page, category in labelled:
        got = classifier.classify(page, "http://x.example/").category
        tp += got == category != "ok"
        fp += got != "ok" and got != category
        fn += category != "ok" and got != category
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    assert precision >= 0.90
    assert recall >= 0.90


def test_term_table_errors_name_file_line_and_field(tmp_path: Path) -> None:
    cases = {
        "gambling\ttext": "expected 'category<TAB>field<TAB>pattern'",
        "casino\ttext\tx": "field 'category'",
        "gambling\thost\tx": "field 'field'",
        "negation\turl\tx": "field 'field'",
        "gambling\turl\t(": "field 'pattern': bad regular expression",
        "gambling\ttext\t ": "field 'pattern' is empty",
    }
    for line, message in cases.items():
        path = tmp_path / "terms.txt"
        path.write_text(f"# header\n\n{line}\n", encoding="utf-8")
        with pytest.raises(ValueError, match=rf"terms\.txt:3: {message}"):
            SpamTerms.load(path)


def test_term_matching_rules() -> None:
    terms = SpamTerms.load()
    assert [m.term for m in terms.text_matches("百家乐 百家乐 真人娱乐")] == ["百家乐", "真人娱乐"]
    assert terms.text_matches("严厉打击百家乐") == []
    assert [m.term for m in terms.text_matches("严厉打击赌博。欢迎来到百家乐娱乐城开户")] == ["百家乐", "娱乐城"]
    assert terms.text_matches("中国福利彩票") == []
    assert terms.url_matches("http://www.lottery.gov.cn/bet365") == []
    assert terms.url_matches("http://alphabet.example/tibet") == []
