"""Home-page tampering between two runs; and the security package's layering rules."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest

from govsites.extract.text import parse_html
from govsites.security.tampering import HomeSnapshot, compare, snapshot
from govsites.security.terms import SpamTerms

HOME = "http://www.ankang.gov.cn/"
PACKAGE = Path(__file__).resolve().parents[1] / "govsites" / "security"


@pytest.fixture(scope="module")
def terms() -> SpamTerms:
    return SpamTerms.load()


def home(title: str = "安康市人民政府", scripts: tuple[str, ...] = (), body: str = "", meta: str = "") -> str:
    tags = "".join(f'<script src="{src}"></script>' for src in scripts)
    return (
        f'<html><head><title>{title}</title><meta name="keywords" content="{meta}">{tags}</head>'
        f"<body>{body}</body></html>"
    )


BASE = home(scripts=("/js/jquery.js", "http://hm.baidu.com/hm.js"), body="<p>政务公开</p>", meta="安康,政府")


def snap(html: str, terms: SpamTerms) -> HomeSnapshot:
    return snapshot(parse_html(html), HOME, terms)


def test_snapshot_keeps_external_source_hosts_and_terms(terms: SpamTerms) -> None:
    shot = snap(
        home(
            scripts=("/a.js", "http://hm.baidu.com/hm.js"), body='<iframe src="//map.example/x"></iframe><p>百家乐</p>'
        ),
        terms,
    )
    assert shot.source_hosts == frozenset({"hm.baidu.com", "map.example"})
    assert shot.terms == frozenset({("gambling", "百家乐")})


@pytest.mark.parametrize(
    ("current", "expected"),
    [
        (BASE, []),
        (home(scripts=("/js/jquery.js", "http://hm.baidu.com/hm.js"), body="<p>政务公开 新闻</p>", meta="安康"), []),
        (home(scripts=("http://hm.baidu.com/hm.js",), body="<p>政务公开</p>"), []),  # a host dropped is fine
        (
            home(
                scripts=("/js/jquery.js", "http://hm.baidu.com/hm.js", "http://js.bet365x.example/a.js"),
                body="<p>政务公开</p>",
            ),
            [("serious", "js.bet365x.example")],
        ),
        (
            home(
                scripts=("/js/jquery.js", "http://hm.baidu.com/hm.js", "https://cdn.share.example/s.js"),
                body="<p>政务公开</p>",
            ),
            [("notice", "cdn.share.example")],
        ),
        (
            home(title="安康市人民政府-澳门葡京娱乐城", scripts=("/js/jquery.js", "http://hm.baidu.com/hm.js")),
            [("veto", ""), ("veto", "")],
        ),
        (
            home(scripts=("/js/jquery.js",), body="<p>政务公开</p>", meta="安康,时时彩,北京赛车"),
            [("veto", ""), ("veto", "")],
        ),
        (home(scripts=("/js/jquery.js",), body="<p>政务公开 代开发票</p>"), [("serious", "")]),
        (home(scripts=("/js/jquery.js",), body="<p>严厉打击网络赌博</p>"), []),
    ],
)
def test_compare_reports_what_is_new(terms: SpamTerms, current: str, expected: list[tuple[str, str]]) -> None:
    findings = compare(snap(BASE, terms), snap(current, terms), terms)
    assert [(f.severity, f.target) for f in findings] == expected
    for finding in findings:
        assert finding.kind == "tampering"
        assert "上次：" in finding.evidence
        assert "本次：" in finding.evidence


def test_both_runs_are_named_and_known_hosts_are_allowed(terms: SpamTerms) -> None:
    current = snap(home(scripts=("http://hm.baidu.com/hm.js", "http://new.example/a.js")), terms)
    [finding] = compare(snap(BASE, terms), current, terms)
    assert finding.evidence == (
        "首页新增外部脚本或框架来源 new.example（上次：hm.baidu.com；本次：hm.baidu.com、new.example）"
    )
    assert compare(snap(BASE, terms), current, terms, known_hosts=frozenset({"new.example"})) == []


# -- layering -------------------------------------------------------------------------------------------------
def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names += [f"{node.module}.{alias.name}" for alias in node.names]
    return names


@pytest.mark.parametrize("path", sorted(PACKAGE.glob("*.py")), ids=lambda p: p.name)
def test_security_modules_are_pure(path: Path) -> None:
    for name in _imports(path):
        assert not name.startswith(("scrapy", "govsites.store", "govsites.pipelines", "govsites.spiders")), name
        assert not name.rsplit(".", 1)[-1].startswith("_"), f"private name imported: {name}"


def fill(change: dict[str, Any], n: int) -> str:
    """The home page with ``change``'s arguments, ``{n}`` replaced by ``n``."""
    args = {k: v.format(n=n) if isinstance(v, str) else tuple(s.format(n=n) for s in v) for k, v in change.items()}
    return home(**args)


def test_precision_and_recall_over_generated_runs(terms: SpamTerms) -> None:
    injected: list[dict[str, Any]] = [
        {"scripts": ("/js/jquery.js", "http://hm.baidu.com/hm.js", "http://www.bocai{n}.example/x.js")},
        {"title": "安康市人民政府_百家乐{n}"},
        {"meta": "安康,真人娱乐,{n}"},
        {"body": "<p>政务公开</p><p>成人电影{n}</p>"},
        {"body": "<p>政务公开</p><p>代开发票{n}</p>"},
        {"body": '<p>政务公开</p><iframe src="http://ads{n}.example/"></iframe>'},
    ]
    benign: list[dict[str, Any]] = [
        {"body": "<p>政务公开 第{n}期 通知公告</p>"},
        {"meta": "安康,政府,{n}"},
        {"body": "<p>政务公开 严厉打击网络赌博 第{n}次专项行动</p>"},
        {"scripts": ("/js/jquery.js", "/js/app{n}.js")},
    ]
    base = snap(BASE, terms)
    tp = fp = fn = 0
    for n in range(30):
        for change in injected:
            hits = len(compare(base, snap(fill(change, n), terms), terms))
            tp += hits > 0
            fn += hits == 0
        for change in benign:
            fp += len(compare(base, snap(fill(change, n), terms), terms))
    assert tp / (tp + fp) >= 0.90
    assert tp / (tp + fn) >= 0.90
