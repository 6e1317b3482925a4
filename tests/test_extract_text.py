"""Tests for govsites.extract.text: the lenient parse and the visible-text walk."""

from __future__ import annotations

from lxml import etree

from govsites.extract.text import collapse, element_text, page_title, parse_html, text_lines, title_and_text


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


def test_parse_html_gives_a_fresh_tree_and_never_fails() -> None:
    html = "<p>a</p>"
    assert parse_html(html) is not parse_html(html)
    assert parse_html("").tag == "html"
    assert parse_html("\x00<?xml version='1.0'?>").tag == "html"
    assert page_title(None) == ""  # type: ignore[arg-type]
    assert title_and_text(None) == ("", "")  # type: ignore[arg-type]
