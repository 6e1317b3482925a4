"""政策解读 <-> policy file two-way links: pairs, one-way links and interpretations linking nowhere."""

from __future__ import annotations

import pytest

from govsites.sitechecks.markup import SitePage
from govsites.sitechecks.policy import LinkedPage, PolicyPages, heading, pair_policies, policy_interpretation, url_key
from tests.helpers import SHARED

SITE = "http://www.ankang.gov.cn"


def test_url_key_ignores_scheme_www_fragment_and_index_page() -> None:
    assert url_key("https://www.ankang.gov.cn/zcjd/index.html#top") == url_key("http://ankang.gov.cn/zcjd/")
    assert url_key(f"{SITE}/a.html?id=1") != url_key(f"{SITE}/a.html?id=2")


def test_pairs_one_way_links_and_unlinked_interpretations() -> None:
    files = [
        LinkedPage.of(f"{SITE}/zcwj/1.html", [f"{SITE}/zcjd/1.html"]),  # links back: paired
        LinkedPage.of(f"{SITE}/zcwj/2.html", []),  # no link back
        LinkedPage.of(f"{SITE}/zcwj/3.html", [f"{SITE}/zcjd/3.html"]),  # links to 解读 3, which does not link here
        LinkedPage.of(f"{SITE}/zcwj/4.html", []),  # no interpretation: not counted
    ]
    interpretations = [
        LinkedPage.of(f"{SITE}/zcjd/1.html", ["https://ankang.gov.cn/zcwj/1.html#x"]),
        LinkedPage.of(f"{SITE}/zcjd/2.html", [f"{SITE}/zcwj/2.html"]),
        LinkedPage.of(f"{SITE}/zcjd/3.html", [f"{SITE}/index.html"]),
    ]
    pairing = pair_policies(interpretations, files)
    assert pairing.paired == 1
    assert pairing.unlinked == (f"{SITE}/zcjd/3.html",)
    assert pairing.no_backlink == (f"{SITE}/zcwj/2.html",)
    assert pairing.one_way_files == (f"{SITE}/zcwj/3.html",)
    assert pairing.unpaired == 3
    result = policy_interpretation(interpretations, files)
    assert result.status == "wrong"
    assert "未双向关联3处" in result.detail


def test_all_paired_is_ok_and_no_interpretation_is_not_applicable() -> None:
    interp = SitePage('<html><body><a href="/zcwj/1.html">原文件</a></body></html>', f"{SITE}/zcjd/1.html")
    file = SitePage('<html><body><a href="../zcjd/1.html">政策解读</a></body></html>', f"{SITE}/zcwj/1.html")
    result = policy_interpretation([LinkedPage.from_page(interp)], [LinkedPage.from_page(file)])
    assert (result.status, result.detail) == ("ok", "1组解读与文件双向关联")
    assert policy_interpretation([], [LinkedPage.from_page(file)]).status == "not_applicable"


NAV = '<div class="nav"><a href="/zcjd/">政策解读</a> <a href="/zcwj/">政策文件</a></div>'


def page(path: str, title: str, body: str) -> SitePage:
    return SitePage(
        f"<html><head><title>{title}</title></head><body>{NAV}<h1>{title}</h1>{body}</body></html>", SITE + path
    )


def test_pages_gathered_from_a_crawl_pair_by_label_title_and_back_link() -> None:
    pages = PolicyPages()
    pages.read(f"{SITE}/zcwj/")  # the column lists the navigation links to were read too
    pages.read(f"{SITE}/zcjd/")
    pages.add_article(page("/zcjd/1.html", "《绿化管理办法》解读", '<p>政策原文：<a href="/zcwj/1.html">文件</a></p>'))
    pages.add_article(page("/zcjd/2.html", "一图读懂养老服务", '<a href="/zcwj/2.html">关于加快养老服务的实施意见</a>'))
    pages.add_article(page("/zcwj/1.html", "绿化管理办法", '<p>相关解读：<a href="/zcjd/1.html">图解</a></p>'))
    pages.add_article(page("/zcwj/2.html", "关于加快养老服务的实施意见", "<p>正文</p>"))  # no link back
    pages.add_plain_article(f"{SITE}/xwdt/1.html")
    result = pages.result()
    assert result.status == "wrong"
    assert result.detail == "未双向关联1处（文件未回链解读1篇），双向关联1组"


def test_an_interpretation_whose_file_was_never_read_is_unchecked_not_unlinked() -> None:
    pages = PolicyPages()
    pages.add_article(
        page("/zcjd/1.html", "政策解读", '<p>原文链接：<a href="http://other.gov.cn/f.html">办法</a></p>')
    )
    result = pages.result()
    assert result.status == "error"
    assert "未能检查" in result.detail
    pages.add_article(page("/zcjd/2.html", "解读：新规", "<p>只有解读，没有文件链接。</p>"))
    result = pages.result()
    assert result.status == "wrong"  # the second names no document at all
    assert "解读未关联文件1篇" in result.detail
    assert "另有1篇解读链向的文件未抓取到" in result.detail
    assert PolicyPages().result().status == "not_applicable"


@pytest.mark.shared
def test_a_real_policy_file_with_a_policy_column_in_its_navigation() -> None:
    """邯郸市教育局's 信息公开 page of a 实施方案 (../shared/real-pages): a policy file, not an interpretation; its
    navigation's 政策解读 column link is no back link to any interpretation."""
    path = SHARED / "real-pages" / "kevin3691__renmin" / "hd_gov_cn_xxgk_details.jsp.html"
    real = SitePage.from_bytes(path.read_bytes(), "http://hd.gov.cn/xxgk/details.jsp?id=1")
    assert "实施方案" in heading(real)
    pages = PolicyPages()
    pages.add_article(real)
    assert pages.interpretations == []
    assert pages.result().status == "not_applicable"
