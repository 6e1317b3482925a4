"""Tests for govsites.extract.text: the shared (memoised) parse and the visible-text walk."""

from __future__ import annotations

from datetime import date

from lxml import etree

from govsites.extract import text as text_module
from govsites.extract.columns import article_date, discover_columns, sitemap_urls
from govsites.extract.guides import guide_elements, guide_forms, is_guide_page
from govsites.extract.links import extract_links
from govsites.extract.listing import extract_blocks, extract_list, shared_stripped_tree, strip_noise
from govsites.extract.mailbox import extract_letters, letter_detail
from govsites.extract.text import (
    SHARED_TREES,
    TreeMemo,
    collapse,
    element_text,
    parse_html,
    shared_tree,
    text_lines,
    title_and_text,
)

URL = "http://www.hd.gov.cn/xwzx/index.html"
AS_OF = date(2016, 1, 1)

PAGE = """<html><head><title>新闻中心 _ 示例县人民政府</title><meta name="ColumnName" content="新闻中心">
<script>var x = "<a href='/js.html'>js</a>";</script><style>p {color: red}</style></head>
<body><div class="nav"><ul><li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li>
<li><a href="/xwzx/">新闻中心</a></li><li><a href="/wsbs/">网上办事</a></li></ul></div>
<!-- a comment --><div class="list"><h2>新闻中心 <a class="more" href="/xwzx/more.html">更多&gt;&gt;</a></h2><ul>
<li><a href="/xwzx/201512/t20151201_1.html">县政府召开常务会议研究部署冬季工作</a><span>2015-12-01</span></li>
<li><span class="top">置顶</span><a href="/xwzx/201511/t20151120_2.html">全县安全生产工作会议召开</a>
<span>2015-11-20</span></li>
<li><a href="/xwzx/201511/t20151110_3.html">县领导检查秋冬季森林防火工作</a><span>2015-11-10</span></li>
</ul></div><select onchange="window.open(this.value)"><option value="http://www.gov.cn/">中国政府网</option>
</select><textarea>draft</textarea><noscript>no js</noscript><p>办事指南 申请材料：身份证 办理时限：3个工作日</p>
<p><a href="/wzdt/index.html">网站地图</a></p></body></html>"""


def _snapshot(root: etree._Element) -> bytes:
    return etree.tostring(root, encoding="utf-8")


def test_shared_tree_is_one_parse_per_page_and_parse_html_stays_fresh() -> None:
    html = PAGE + " "  # a str of its own for this test
    first = shared_tree(html)
    assert shared_tree(html) is first
    assert _snapshot(first) == _snapshot(parse_html(html))
    fresh = parse_html(html)
    assert fresh is not first
    assert parse_html(html) is not fresh
    assert shared_tree("".join([PAGE, " "])) is first  # an equal string built elsewhere hits too


def test_shared_stripped_tree_is_the_stripped_parse_and_shared() -> None:
    html = PAGE + "  "
    stripped = shared_stripped_tree(html)
    assert shared_stripped_tree(html) is stripped
    assert stripped is not shared_tree(html)
    expected = parse_html(html)
    strip_noise(expected)
    assert _snapshot(stripped) == _snapshot(expected)
    assert not list(stripped.iter("script", "style", "select", "textarea", "noscript"))
    assert not list(stripped.iter(etree.Comment))
    assert list(shared_tree(html).iter("script"))  # the raw tree keeps them


def test_no_extractor_changes_the_shared_trees() -> None:
    html = PAGE + "   "
    raw, stripped = shared_tree(html), shared_stripped_tree(html)
    before = (_snapshot(raw), _snapshot(stripped))
    title_and_text(html)
    extract_links(html, URL)
    extract_blocks(html, URL, AS_OF)
    discover_columns(html, URL)
    sitemap_urls(html, URL)
    extract_list(html, URL, AS_OF)
    article_date(html, AS_OF)
    guide_elements(html)
    is_guide_page(html, URL)
    guide_forms(html, URL)
    extract_letters(html, URL, AS_OF)
    letter_detail(html, URL, AS_OF)
    assert shared_tree(html) is raw
    assert shared_stripped_tree(html) is stripped
    assert (_snapshot(raw), _snapshot(stripped)) == before


def test_results_do_not_depend_on_the_memo() -> None:
    html = PAGE + "    "
    warm = (discover_columns(html, URL), extract_list(html, URL, AS_OF), extract_blocks(html, URL, AS_OF))
    text_module._RAW_TREES.clear()
    cold = (discover_columns(html, URL), extract_list(html, URL, AS_OF), extract_blocks(html, URL, AS_OF))
    assert warm == cold
    assert [e.title for e in warm[1].entries][:2] == ["县政府召开常务会议研究部署冬季工作", "全县安全生产工作会议召开"]
    assert [e.pinned for e in warm[1].entries] == [False, True, False]


def test_tree_memo_keeps_a_handful_of_trees() -> None:
    built: list[str] = []

    def build(html: str) -> etree._Element:
        built.append(html)
        return parse_html(html)

    memo = TreeMemo(build, size=2)
    a, b, c = "<p>a</p>", "<p>b</p>", "<p>c</p>"
    tree_a = memo.get(a)
    memo.get(b)
    assert memo.get(a) is tree_a  # a is now the most recent
    memo.get(c)  # evicts b, the least recently used
    assert memo.get(a) is tree_a
    memo.get(b)
    assert built == [a, b, c, b]
    assert SHARED_TREES >= 2


def test_shared_tree_of_a_non_string_or_empty_page() -> None:
    assert shared_tree("").tag == "html"
    assert shared_tree(None).tag == "html"  # type: ignore[arg-type]


def test_text_walk_blocks_comments_skipped_tails_and_newlines() -> None:
    root = parse_html(
        "<html><head><title> T\r\n </title></head><body>a<!-- c -->b<div>c\r\nd<script>x</script>e</div>"
        "<span>f</span><style>s</style>g<p>h<br>i</p><?php j ?>k</body></html>"
    )
    body = root.find("body")
    assert body is not None
    assert text_lines(body) == ["ab", "c de", "fg", "h", "i", "k"]
    assert element_text(body) == "abc defghik"
    assert element_text(body, ("div",)) == "abfsghik"
    assert title_and_text("<title>T</title><body>a<div>b</div>c</body>") == ("T", "T\na\nb\nc")


def test_element_text_of_skipped_or_comment_root_is_empty() -> None:
    root = parse_html("<html><body><script>x</script>tail<!--c-->t2</body></html>")
    script = next(root.iter("script"))
    comment = next(root.iter(etree.Comment))
    assert element_text(script) == ""
    assert element_text(comment) == ""
    assert text_lines(script) == []


def test_collapse_treats_newlines_and_wide_spaces_alike() -> None:
    assert collapse(" a\n\n b\u3000\u00a0c\r\td ") == "a b c d"
    assert collapse("") == ""
