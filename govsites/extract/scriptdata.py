"""Lists held in scripts: Hanweb ``<datastore>`` records (CDATA), JSON arrays in inline scripts, and the
hints that a page's list is rendered by script (so a browser is needed to see it)."""

from __future__ import annotations

import json
import re
from datetime import date

from lxml import etree

from govsites.extract.dates import date_from_url, find_dates
from govsites.extract.dom import absolute, strip_noise
from govsites.extract.entries import ListEntry, ListPage
from govsites.extract.groups import collect_groups
from govsites.extract.pagination import MAX_NEXT_PAGES, dataproxy_next
from govsites.extract.text import collapse, parse_html

#: a Hanweb ``<datastore>`` block (inline in a ``<script type="text/xml">``, or a dataproxy.jsp answer)
DATASTORE = re.compile(r"<datastore\b.*?</datastore>", re.DOTALL | re.IGNORECASE)
#: one record of a datastore; its content is an HTML fragment, usually in CDATA (see `unwrap`)
RECORD = re.compile(r"<record\b[^>]*>(.*?)</record>", re.DOTALL | re.IGNORECASE)
_CDATA = re.compile(r"<!\[CDATA\[(.*?)\]\]>", re.DOTALL)
_NEXTGROUP = re.compile(r"<nextgroup\b[^>]*>(.*?)</nextgroup>", re.DOTALL | re.IGNORECASE)
_TOTAL = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>", re.IGNORECASE)

_RENDER_HINT = re.compile(
    r"\bfetch\s*\(|XMLHttpRequest|\$\.ajax|\$\.get\s*\(|\$\.post\s*\(|getJSON|\baxios\b|\.load\s*\(\s*['\"]"
    r"|ng-repeat|v-for=|\{\{\s*[\w.]+\s*\}\}|laytpl|template\.render|art-template|jsrender|Handlebars|\.ajax\s*\("
    r"|jpage|dataproxy\.jsp|new\s+Vue\s*\(|ReactDOM|angular\.module",
)
_BOILERPLATE_SCRIPT = re.compile(
    r"conac\.cn|_ideConac|jiucuo|hm\.baidu|cnzz|51\.la|google-analytics|googletagmanager|allow-copy|"
    r"allow_copy|_trs_|ta\.trs\.cn|wza|aria\.js|slh\.js|jquery[\w.\-]*\.js",
    re.IGNORECASE,
)
_TITLE_KEYS = ("title", "tit", "at", "name", "biaoti", "doctitle", "articletitle", "subject", "bt", "t")
_URL_KEYS = ("url", "link", "href", "au", "docpuburl", "path", "linkurl", "puburl", "u")


def unwrap(fragment: str) -> str:
    """A record's HTML: its CDATA sections, else the record text with the XML entities decoded."""
    inner = _CDATA.findall(fragment)
    if inner:
        return "".join(inner)
    return fragment.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")


def _entries_from_fragment(fragment: str, base: str, as_of: date) -> list[ListEntry]:
    root = parse_html(f"<html><body><div>{fragment}</div></body></html>")
    strip_noise(root)
    entries: list[ListEntry] = []
    for group in collect_groups(root, base, as_of):
        entries.extend(item.entry() for item in group.items)
    return entries


def parse_datastore_xml(xml_text: str, url: str, as_of: date) -> ListPage:
    """A Hanweb jpage ``dataproxy.jsp`` response (or an inline ``<datastore>`` block) -> ListPage."""
    xml_text = xml_text if isinstance(xml_text, str) else ""
    entries: list[ListEntry] = []
    records = RECORD.findall(xml_text)
    for record in records:
        entries.extend(_entries_from_fragment(unwrap(record), url, as_of))
    next_pages: list[str] = []
    for group in _NEXTGROUP.findall(xml_text):
        for href in re.findall(r"""href\s*=\s*["']([^"']+)["']""", unwrap(group)):
            link = absolute(href.replace("&amp;", "&"), url)
            if link and link not in next_pages and link != url:
                next_pages.append(link)
    total = _TOTAL.search(xml_text)
    if total and not next_pages:
        next_pages = dataproxy_next(url, int(total.group(1)))
    empty = not entries and (not records or (total is not None and total.group(1) == "0"))
    return ListPage(entries, empty, next_pages[:MAX_NEXT_PAGES], False, False, "")


def balanced_arrays(script: str) -> list[str]:
    """Substrings that are bracket-balanced JS array literals starting with ``[{``."""
    out: list[str] = []
    for match in re.finditer(r"\[\s*\{", script):
        start = match.start()
        depth, quote, i = 0, "", start
        while i < len(script):
            ch = script[i]
            if quote:
                if ch == "\\":
                    i += 2
                    continue
                if ch == quote:
                    quote = ""
            elif ch in "\"'":
                quote = ch
            elif ch in "[{":
                depth += 1
            elif ch in "]}":
                depth -= 1
                if depth == 0:
                    out.append(script[start : i + 1])
                    break
            i += 1
        if len(out) > 40:
            break
    return out


def lenient_json(literal: str) -> object | None:
    """JSON, or a JS object literal (unquoted keys, single quotes, trailing commas); None if neither."""
    try:
        return json.loads(literal)
    except ValueError:
        pass
    fixed = re.sub(r"([{,]\s*)([A-Za-z_$][\w$]*)\s*:", r'\1"\2":', literal)
    fixed = re.sub(r"'((?:[^'\\]|\\.)*)'", lambda m: json.dumps(m.group(1).replace("\\'", "'")), fixed)
    fixed = re.sub(r",\s*([}\]])", r"\1", fixed)
    try:
        return json.loads(fixed)
    except ValueError:
        return None


def _looks_url(value: str) -> bool:
    value = value.strip()
    return (
        bool(value)
        and " " not in value
        and (
            value.startswith(("http://", "https://", "/", "./", "../"))
            or bool(re.search(r"\.(?:s?html?|jsp|aspx?|php)(?:$|\?)", value))
        )
    )


def _dict_entry(obj: dict[str, object], base: str, as_of: date) -> ListEntry | None:
    strings = {str(k): v for k, v in obj.items() if isinstance(v, str)}
    if not strings:
        return None
    lower = {k.lower(): k for k in strings}
    url_key = next((lower[k] for k in _URL_KEYS if k in lower and _looks_url(strings[lower[k]])), None)
    if url_key is None:
        url_key = next((k for k, v in strings.items() if _looks_url(v)), None)
    if url_key is None:
        return None
    date_value: date | None = None
    date_key = None
    for key, value in strings.items():
        if key == url_key or len(value) > 40:
            continue
        found = find_dates(value, as_of)
        if found:
            date_value, date_key = found[0], key
            break
    title_key = next(
        (
            lower[k]
            for k in _TITLE_KEYS
            if k in lower
            and lower[k] not in {url_key, date_key}
            and re.search(r"[\u4e00-\u9fff]|\w{3,}", strings[lower[k]])
        ),
        None,
    )
    if title_key is None:
        candidates = [
            k for k, v in strings.items() if k not in {url_key, date_key} and re.search(r"[\u4e00-\u9fff]", v)
        ]
        if not candidates:
            return None
        title_key = max(candidates, key=lambda k: len(strings[k]))
    link = absolute(strings[url_key], base)
    if link is None:
        return None
    title = collapse(re.sub(r"<[^>]+>", "", strings[title_key]))
    if date_value is not None:
        return ListEntry(title, link, date_value, "list")
    url_date = date_from_url(link)
    if url_date is not None and url_date <= as_of:
        return ListEntry(title, link, url_date, "url")
    return ListEntry(title, link, None, "")


def json_lists(scripts: list[str], base: str, as_of: date) -> list[list[ListEntry]]:
    """Dated entry lists found in JSON arrays of objects inside the given script texts."""
    found: list[list[ListEntry]] = []

    def visit(node: object, depth: int) -> None:
        if depth > 6:
            return
        if isinstance(node, list):
            dicts = [x for x in node if isinstance(x, dict)]
            if dicts:
                entries = [e for e in (_dict_entry(d, base, as_of) for d in dicts) if e is not None]
                if entries and len(entries) * 2 >= len(dicts) and any(e.date for e in entries):
                    found.append(entries)
                    return
            for x in node:
                visit(x, depth + 1)
        elif isinstance(node, dict):
            for x in node.values():
                visit(x, depth + 1)

    for script in scripts:
        for literal in balanced_arrays(script):
            visit(lenient_json(literal), 0)
    return found


def script_texts(root_raw: etree._Element) -> tuple[list[str], bool, bool]:
    """(inline script texts, has_scripts, render hints present) of a raw (unstripped) tree."""
    texts: list[str] = []
    has_scripts = False
    render = False
    for script in root_raw.iter("script"):
        kind = (script.get("type") or "").lower()
        src = script.get("src") or ""
        body = script.text or ""
        if kind in {"application/ld+json", "text/xml"}:
            continue
        if src and not _BOILERPLATE_SCRIPT.search(src):
            has_scripts = True
        if body.strip():
            texts.append(body)
            if not _BOILERPLATE_SCRIPT.search(body[:400]):
                has_scripts = True
            if _RENDER_HINT.search(body):
                render = True
        if kind in {"text/template", "text/html", "text/x-template", "text/x-handlebars-template"}:
            render = True
    return texts, has_scripts, render


def attr_render_hints(raw: str) -> bool:
    """Template markup in the html (ng-repeat, v-for, ``{{ x }}``, <template>): a script renders the page."""
    return bool(re.search(r"\bng-repeat=|\bv-for=|\bng-app\b|\{\{\s*[\w.]+\s*\}\}|<template\b", raw))
