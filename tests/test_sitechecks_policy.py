"""政策解读 <-> policy file two-way links: pairs, one-way links and interpretations linking nowhere."""

from __future__ import annotations

from govsites.sitechecks.markup import SitePage
from govsites.sitechecks.policy import LinkedPage, pair_policies, policy_interpretation, url_key

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
