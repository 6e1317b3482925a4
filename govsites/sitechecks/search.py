"""The site search: find the home page's search form, build the request for a query, judge the results.

Forms seen on government CMSs: TRS ``<form action="/was5/web/search" method="post">`` with ``searchword``,
Hanweb/大汉 ``jsearch`` / ``jrobotfront/search.do`` with ``q`` or ``keyword``, and forms without an action that a
script submits to a visible URL (gov.cn: ``'//sousuo.www.gov.cn/sousuo/search.shtml?…&searchWord=' + s``).
A GET submission replaces the action's own query string, as a browser does.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from lxml import etree

from govsites.sitechecks.markup import SitePage, squeeze
from govsites.sitechecks.result import CheckResult

QUERY_NAMES = frozenset(
    {
        "searchword",
        "q",
        "keyword",
        "keywords",
        "query",
        "wd",
        "word",
        "key",
        "kw",
        "searchkey",
        "searchtext",
        "search",
        "qt",
        "text",
        "title",
        "headsearchword",
        "sword",
        "content",
        "searchvalue",
        "key_word",
    }
)
_SEARCH_HINT = re.compile(r"search|sousuo|jiansuo|was5|jsearch|fulltext|trssearch|\bss\b|query", re.IGNORECASE)
_SEARCH_LABEL = re.compile(r"搜索|检索|搜 索|关键字|关键词|请输入")
_TEXT_TYPES = frozenset({"", "text", "search"})
_SCRIPT_SEARCH_URL = re.compile(r"""(['"])((?:https?:)?/[^'"\s]*\?(?:[^'"\s]*&)?)(\w+)=\1\s*\+""")
# Wording of an empty or failed results page (TRS was5, Hanweb jsearch, 拓尔思/开普云 search).
_NO_RESULTS = re.compile(
    r"共\s*0\s*条|找到\s*0\s*条|0\s*条结果|没有找到|未找到|无结果|没有检索到|未检索到|暂无相关|无相关|抱歉"
)
_FAILED = re.compile(r"系统错误|系统繁忙|服务异常|出错了|发生错误|Exception|Internal Server Error|服务不可用")
TITLE_PREFIX = 15


@dataclass(frozen=True)
class SearchForm:
    """What submitting the site search needs: where, how, the query field and the other fields' values."""

    action: str
    method: Literal["GET", "POST"]
    field: str
    fixed: tuple[tuple[str, str], ...] = ()
    encoding: str = "utf-8"
    source: Literal["form", "script"] = "form"


@dataclass(frozen=True)
class SearchRequest:
    url: str
    method: Literal["GET", "POST"]
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()


def _inputs(form: etree._Element) -> list[etree._Element]:
    return [el for el in form.iter("input", "select", "textarea") if isinstance(el.tag, str)]


def _query_input(form: etree._Element) -> tuple[etree._Element | None, int]:
    """The form's query box and its score (0 when it does not look like a site search)."""
    fields = _inputs(form)
    if any(el.tag == "textarea" or (el.get("type") or "").lower() == "password" for el in fields):
        return None, 0  # a letter or login form
    texts = [
        el for el in fields if el.tag == "input" and (el.get("type") or "").lower() in _TEXT_TYPES and el.get("name")
    ]
    if not texts:
        return None, 0
    best, best_score = texts[0], -1
    for el in texts:
        labels = " ".join(el.get(a) or "" for a in ("placeholder", "title", "alt", "value", "id", "class"))
        score = 3 if (el.get("name") or "").lower() in QUERY_NAMES else 0
        score += 2 if _SEARCH_LABEL.search(labels) else 0
        if score > best_score:
            best, best_score = el, score
    owner = " ".join(form.get(a) or "" for a in ("action", "id", "name", "class"))
    best_score += 2 if _SEARCH_HINT.search(owner) else 0
    buttons = " ".join(
        (b.get("value") or "") + (b.text_content() if b.tag == "button" else "") + (b.get("alt") or "")
        for b in form.iter("input", "button")
        if (b.get("type") or "").lower() in ("submit", "image") or b.tag == "button"
    )
    best_score += 1 if _SEARCH_LABEL.search(buttons) else 0
    return best, best_score


def _fixed_fields(form: etree._Element, query: etree._Element) -> tuple[tuple[str, str], ...]:
    fixed: list[tuple[str, str]] = []
    for el in _inputs(form):
        name = el.get("name")
        kind = (el.get("type") or "").lower()
        if not name or el is query or kind in ("submit", "image", "button", "reset", "file"):
            continue
        if kind in ("checkbox", "radio") and el.get("checked") is None:
            continue
        if el.tag == "select":
            options = list(el.iter("option"))
            chosen = next((o for o in options if o.get("selected") is not None), options[0] if options else None)
            value = (
                ""
                if chosen is None
                else (chosen.get("value") if chosen.get("value") is not None else chosen.text_content().strip())
            )
            fixed.append((name, value or ""))
        else:
            fixed.append((name, el.get("value") or ""))
    return tuple(fixed)


def script_search(page: SitePage) -> SearchForm | None:
    """The search a script submits: a URL literal ending in ``?…&field=`` concatenated with the box value."""
    for script in page.scripts:
        for match in _SCRIPT_SEARCH_URL.finditer(script.code):
            url = page.absolute(match.group(2))
            if url and _SEARCH_HINT.search(url):
                parts = urlsplit(url)
                return SearchForm(
                    action=urlunsplit((parts.scheme, parts.netloc, parts.path, "", "")),
                    method="GET",
                    field=match.group(3),
                    fixed=tuple(parse_qsl(parts.query, keep_blank_values=True)),
                    encoding=page.encoding,
                    source="script",
                )
    return None


def find_search_form(page: SitePage) -> SearchForm | None:
    """The best-scoring search form of the page, or the URL a script submits the search box to.

    The query is encoded like the browser would: the form's ``accept-charset``, else the page's encoding.
    """
    best: tuple[int, etree._Element, etree._Element] | None = None
    for form in page.tree.iter("form"):
        query, score = _query_input(form)
        if query is not None and score >= 2 and (best is None or score > best[0]):
            best = (score, form, query)
    scripted = script_search(page)
    if best is None:
        return scripted
    _score, form, query = best
    action = (form.get("action") or "").strip()
    if (not action or action.lower().startswith("javascript:")) and scripted:
        return scripted
    charset = (form.get("accept-charset") or "").replace(",", " ").split()
    return SearchForm(
        action=page.absolute(action) or page.url,
        method="POST" if (form.get("method") or "").lower() == "post" else "GET",
        field=query.get("name") or "",
        fixed=_fixed_fields(form, query),
        encoding=charset[0] if charset else page.encoding,
    )


def build_search_request(form: SearchForm, query: str) -> SearchRequest:
    """The request a browser sends when the query is typed into the search box and submitted."""
    params = [*form.fixed, (form.field, query)]
    encoded = urlencode(params, encoding=form.encoding, errors="xmlcharrefreplace")
    if form.method == "POST":
        return SearchRequest(
            url=form.action,
            method="POST",
            body=encoded.encode("ascii"),
            headers=(("Content-Type", "application/x-www-form-urlencoded"),),
        )
    parts = urlsplit(form.action)
    return SearchRequest(url=urlunsplit((parts.scheme, parts.netloc, parts.path or "/", encoded, "")), method="GET")


def judge_search(
    form: SearchForm | None, title: str, results: SitePage | None = None, status: int = 200, failure: str = ""
) -> CheckResult:
    """``search`` check: ``missing`` without a form; ``ok`` when a result links the title; ``wrong`` when the
    request failed (``failure``), answered an HTTP error, says it found nothing, or does not list the title."""
    if form is None:
        return CheckResult("search", "missing", "首页未见站内搜索")
    if not title.strip():
        return CheckResult("search", "not_applicable", "没有可用于检索的文章标题")
    if failure:
        return CheckResult("search", "wrong", f"搜索请求失败：{failure}")
    if results is None:
        return CheckResult("search", "error", "未取得搜索结果页")
    if status >= 400:
        return CheckResult("search", "wrong", f"搜索返回 HTTP {status}")
    return judge_results(results, title)


def _titles(title: str) -> Sequence[str]:
    whole = squeeze(title)
    return (whole, whole[:TITLE_PREFIX]) if len(whole) > TITLE_PREFIX else (whole,)


def judge_results(results: SitePage, title: str) -> CheckResult:
    """Judge a results page for ``title``: listed as a result link, or not found, or failed."""
    wanted = _titles(title)
    linked = [r.text for r in results.resources if r.kind == "link" and any(t in squeeze(r.text) for t in wanted)]
    text = squeeze(results.text)
    if linked:
        return CheckResult("search", "ok", f"搜索「{title}」，结果列出该文章")
    failed = _FAILED.search(results.text)
    if failed:
        return CheckResult("search", "wrong", f"搜索「{title}」出错：{failed.group(0)}")
    empty = _NO_RESULTS.search(text)
    if empty:
        return CheckResult("search", "wrong", f"搜索「{title}」无结果（{empty.group(0)}）")
    return CheckResult("search", "wrong", f"搜索「{title}」，结果中未见该文章")
