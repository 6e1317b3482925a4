"""Column (栏目) discovery, column names, article dates and the column category table.

Pure functions (lxml only, no Scrapy).
"""

from __future__ import annotations

import csv
import functools
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

from lxml import etree

from govsites.extract.blocks import heading_for, is_more, tab_labels
from govsites.extract.dates import date_from_url, find_dates, parse_date
from govsites.extract.dom import MORE_TEXT, PAGER_TEXT, absolute, column_name_from_tree, in_nav
from govsites.extract.links import URL_CACHE_SIZE, is_article_url
from govsites.extract.links import is_attachment as is_document
from govsites.extract.page import Page
from govsites.extract.text import SOURCE_LABEL, collapse, element_text
from govsites.paths import data_path

#: Files that are not pages besides documents (govsites.extract.links.ATTACHMENT_EXTENSIONS): never columns.
MEDIA_EXT = (".jpg", ".jpeg", ".png", ".gif", ".mp4", ".flv", ".tif")
_DOWNLOAD_PATH = re.compile(r"downfile|download\.(?:jsp|aspx?|php)")

_EXCLUDED_NAMES = re.compile(
    r"^(?:网站首页|首\s*页|主页|回到首页|返回首页|home|index|联系我们|联系方式|网站地图|站点地图|网站导航|登录|登陆|注册|"
    r"用户登录|用户注册|个人登录|法人登录|退出|搜索|站内搜索|高级搜索|全文检索|检索|无障碍|无障碍浏览|无障碍阅读|"
    r"长者模式|关怀版|适老化|老年模式|english|英文版|en|rss|返回顶部|回到顶部|top|设为首页|加入收藏|收藏本站|"
    r"打印|打印本页|关闭|关闭窗口|繁體|繁体|简体|繁體版|简体版|手机版|移动版|微信|微博|网站声明|隐私声明|"
    r"版权声明|免责声明|关于我们|关于本站|帮助|使用帮助|纠错|我要纠错|分享|字体|大|中|小)$",
    re.IGNORECASE,
)

_CJK_GAP = re.compile(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])")


@dataclass(frozen=True)
class ColumnLink:
    name: str
    url: str  # absolute, same host as the page
    found_by: str  # "nav" | "more" | "sitemap" | "tab" | "link"


@functools.lru_cache(maxsize=URL_CACHE_SIZE)
def is_attachment(url: str) -> bool:
    """A link to a file (a document as links.is_attachment judges it, an image, a video), not a page."""
    if is_document(url):
        return True
    try:
        path = urlsplit(url).path.lower()
    except ValueError:
        return False
    return path.endswith(MEDIA_EXT) or bool(_DOWNLOAD_PATH.search(path))


@functools.lru_cache(maxsize=URL_CACHE_SIZE)
def _host(url: str) -> str:
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""
    return host[4:] if host.startswith("www.") else host


@functools.lru_cache(maxsize=URL_CACHE_SIZE)
def _key(url: str) -> str:
    """Dedup key: scheme-less, www-less, default index file and trailing slash removed."""
    parts = urlsplit(url)
    path = re.sub(r"/(?:index|default)\.(?:s?html?|jsp|aspx?|php)$", "/", parts.path or "/")
    return f"{_host(url)}{path.rstrip('/') or '/'}?{parts.query}"


#: an English subtitle after a Chinese menu name (政务动态 NEWS, 走进示例 ABOUT US)
_LATIN_SUBTITLE = re.compile(r"^(?P<name>[^A-Za-z]*[\u4e00-\u9fff])\s*[A-Za-z][A-Za-z .&'\-]*$")


def _anchor_name(anchor: etree._Element) -> tuple[str, int]:
    """(name, quality): visible text (2) > @title (1) > img@alt (0)."""
    text = _CJK_GAP.sub("", element_text(anchor))
    subtitle = _LATIN_SUBTITLE.match(text)
    if subtitle and len(subtitle.group("name")) >= 2:
        text = subtitle.group("name")
    if text:
        title = collapse(anchor.get("title") or "")
        if title and text.endswith(("...", "…")):
            return title, 2
        return text, 2
    title = collapse(anchor.get("title") or "")
    if title:
        return title, 1
    for img in anchor.iter("img"):
        alt = collapse(img.get("alt") or img.get("title") or "")
        if alt:
            return alt, 0
    return "", -1


def _is_sitemap_name(name: str) -> bool:
    return name.replace(" ", "") in {"网站地图", "站点地图"}


def sitemap_urls(page: Page) -> list[str]:
    """Links whose text is 网站地图 / 站点地图 (absolute, deduplicated)."""
    return page.reuse("sitemap_urls", lambda: _read_sitemap_urls(page))


def _read_sitemap_urls(page: Page) -> list[str]:
    root = page.raw
    base = page.base
    out: list[str] = []
    for anchor in root.iter("a"):
        name, _ = _anchor_name(anchor)
        if _is_sitemap_name(name):
            link = absolute(anchor.get("href") or "", base)
            if link and link not in out:
                out.append(link)
    return out


#: ``as_of`` of column discovery: every date counts (a list of articles is a list whatever its dates)
_FAR_FUTURE = date.max.replace(year=9000)


def discover_columns(page: Page) -> list[ColumnLink]:
    """Candidate column links on a page: navigation menus, block 更多 links (named by the block
    heading), tab headers, site-map entries and directory links; internal, non-article, deduplicated.

    The page's ``as_of`` plays no part: every date counts (a list of articles is a list whatever its dates).
    """
    return page.reuse("columns", lambda: _read_columns(page))


def _read_columns(page: Page) -> list[ColumnLink]:
    url = page.url
    undated = page.on(_FAR_FUTURE)
    raw = page.raw
    base = page.base
    jumps = _select_jumps(raw, base, url)
    title = collapse(" ".join(t.text_content() for t in raw.iter("title")))
    meta_name = column_name_from_tree(raw)
    sitemap_page = bool(re.search(r"网站地图|站点地图", title + " " + meta_name))
    root = page.stripped
    page_host = _host(url)
    here = _key(url) if url else ""

    # article anchors of dated lists are items, not columns
    groups = [g for g in undated.groups if g.accepted()]
    item_anchors = {item.anchor for g in groups for item in g.items}
    containers = {g.parent for g in groups}
    tab_anchor_ids: set[etree._Element] = set()
    for group in groups:
        panel = group.parent
        parent = panel.getparent()
        if parent is None:
            continue
        siblings = [
            s for s in parent if isinstance(s.tag, str) and s.tag == panel.tag and s.get("class") == panel.get("class")
        ]
        if len(siblings) >= 2:
            labels = tab_labels(siblings[0], len(siblings), containers, base)
            if labels is not None:
                tab_anchor_ids.update(a for a in labels[2].iter("a") if not is_more(a))

    # the home-page block reader names 更多 links of tab panels and in-list headings
    block_names: dict[str, str] = {}
    for block in undated.blocks:
        if block.more_url and block.name and block.more_url not in block_names:
            block_names[block.more_url] = block.name

    best: dict[str, tuple[int, int, ColumnLink]] = {}
    order = {"nav": 0, "tab": 1, "more": 2, "sitemap": 3, "link": 4}
    for anchor in root.iter("a"):
        if anchor in item_anchors:
            continue
        link = absolute(anchor.get("href") or "", base)
        if link is None or _host(link) != page_host or is_attachment(link) or is_article_url(link):
            continue
        if _key(link) == here:
            continue
        if re.search(r"/(?:search|was5|login|register|rss)(?:/|\.|$)|\.(?:css|js)$", urlsplit(link).path, re.I):
            continue
        name, quality = _anchor_name(anchor)
        if is_more(anchor) or (name and MORE_TEXT.match(name) and re.search(r"更多|more|>", name, re.I)):
            heading = block_names.get(link) or _same_target_label(anchor, link, base)
            node = anchor
            for _ in range(0 if heading else 3):
                parent = node.getparent()
                if parent is None:
                    break
                heading, _more = heading_for(node, set(), base)
                if heading:
                    break
                text = _heading_like(parent, anchor)
                if text:
                    heading = text
                    break
                node = parent
            if not heading:
                continue
            name, quality, found_by = heading, 2, "more"
        else:
            if not name or quality < 0 or _EXCLUDED_NAMES.match(name.replace(" ", "")) or PAGER_TEXT.match(name):
                continue
            if _is_sitemap_name(name) or len(name) > 30:
                continue
            if sitemap_page:
                found_by = "sitemap"
            elif anchor in tab_anchor_ids:
                found_by = "tab"
            elif in_nav(anchor):
                found_by = "nav"
            else:
                found_by = "link"
        key = _key(link)
        candidate = ColumnLink(name, link, found_by)
        rank = (quality, -order[found_by])
        if key not in best:
            best[key] = (len(best), 0, candidate)
            best[key] = (best[key][0], quality, candidate)
            continue
        index, old_quality, old = best[key]
        if rank > (old_quality, -order[old.found_by]):
            name_keep = name if quality >= old_quality else old.name
            best[key] = (index, max(quality, old_quality), ColumnLink(name_keep, old.url, candidate.found_by))
    for name, link in jumps:
        key = _key(link)
        if key not in best and key != here and not is_article_url(link) and not is_attachment(link):
            best[key] = (len(best), 2, ColumnLink(name, link, "link"))
    return [link for _, _, link in sorted(best.values(), key=lambda t: t[0])]


def _select_jumps(root: etree._Element, base: str, url: str) -> list[tuple[str, str]]:
    """``<select>`` column jumps: options whose value is a page of this site (friendly-link selects point
    at other hosts and are left out)."""
    out: list[tuple[str, str]] = []
    for option in root.iter("option"):
        value = (option.get("value") or "").strip()
        name = _CJK_GAP.sub("", collapse(option.text_content()))
        if not value or not name or len(name) > 30 or _EXCLUDED_NAMES.match(name.replace(" ", "")):
            continue
        if not re.match(r"^(?:https?://|/|\./|\.\./|[\w\-]+/|[\w\-]+\.s?html?)", value):
            continue
        link = absolute(value, base)
        if link is None or _host(link) != _host(url):
            continue
        out.append((name, link))
    return out


def _same_target_label(anchor: etree._Element, link: str, base: str) -> str:
    """The text of a sibling link to the same URL (the block heading link or the active tab)."""
    node = anchor
    for _ in range(2):
        parent = node.getparent()
        if parent is None:
            return ""
        for other in parent.iter("a"):
            if other is anchor or is_more(other):
                continue
            if absolute(other.get("href") or "", base) == link:
                name, quality = _anchor_name(other)
                if name and quality >= 1 and len(name) <= 24:
                    return name
        node = parent
    return ""


def _heading_like(parent: etree._Element, anchor: etree._Element) -> str:
    """Text of a heading element beside a 更多 link inside ``parent``."""
    for node in parent.iter():
        if node is anchor or not isinstance(node.tag, str):
            continue
        if node.tag in {"h1", "h2", "h3", "h4", "h5", "h6", "strong", "b", "span", "a", "em", "p", "div"}:
            if any(child is anchor for child in node.iter()):
                continue
            text = collapse(element_text(node))
            text = re.sub(r"(?:查看)?更多\s*[>》»＞+]*|more\s*[>》»＞+]*", "", text, flags=re.I).strip()
            if 1 < len(text) <= 20:
                return text
    return ""


def column_name(page: Page) -> str:
    """ColumnName meta, else the breadcrumb's last item (当前位置 ... / a.CurrChnlCls), else ''."""
    return column_name_from_tree(page.raw)


_DATE_METAS = (
    "pubdate",
    "publishdate",
    "publish_date",
    "firstpublishedtime",
    "publishtime",
    "pubtime",
    "article:published_time",
    "og:published_time",
    "og:release_date",
    "dc.date",
    "dcterms.created",
    "created",
    "date",
)
_LABELLED = re.compile(r"(发布日期|发布时间|发文日期|公开日期|发稿时间|时间|日期)\s*[:：]?\s*")
_NOT_PUBLICATION = (
    "生成",
    "留言",
    "回复",
    "截止",
    "更新",
    "访问",
    "打印",
    "办理",
    "受理",
    "有效",
    "开始",
    "结束",
    "成文",
    "答复",
    "咨询",
    "活动",
    "报名",
    "开标",
    "会议",
)


def _meta_date(page: Page) -> date | None:
    """The first publication meta's date (PubDate, firstpublishedtime, ...) no later than the page's as_of."""
    as_of = page.as_of
    metas: dict[str, str] = {}
    for meta in page.raw.iter("meta"):
        key = (meta.get("name") or meta.get("property") or meta.get("itemprop") or "").strip().lower()
        if key and key not in metas:
            metas[key] = meta.get("content") or ""
    for key in _DATE_METAS:
        if key in metas:
            content = metas[key].strip()
            compact = re.match(r"^((?:19|20)\d{2})(\d{2})(\d{2})(?:\d{4,6})?$", content)
            if compact:
                content = "-".join(compact.groups())
            value = parse_date(content, as_of)
            if value is not None and value <= as_of:
                return value
    return None


def _labelled_date(lines: list[str], as_of: date) -> date | None:
    """The first labelled visible date (发布日期：, 发布时间：, 日期：, 时间：) that is this page's own: not a
    页面生成时间/更新时间 and not the date of another document the page names (招标公告日期 in a 成交公告)."""
    for index, line in enumerate(lines):
        for match in _LABELLED.finditer(line):
            before = line[max(0, match.start() - 2) : match.start()]
            if any(word in before for word in _NOT_PUBLICATION):
                continue
            if _OTHER_DOCUMENT.search(line[max(0, match.start() - 8) : match.start()]):
                continue
            rest = line[match.end() : match.end() + 40]
            if not rest.strip() and index + 1 < len(lines):
                # label and date in two cells (信息公开 tables: 发布日期： | 2022年01月28日)
                rest = lines[index + 1][:40]
            found = find_dates(rest, as_of)
            if found and re.match(r"^\s*[\[(（【]?\s*[\d〇零一二刚昨前]", rest) and found[0] <= as_of:
                return found[0]
    return None


def _info_line_date(lines: list[str], as_of: date) -> date | None:
    """An unlabelled date on the article's info line (2015-12-01 10:20 来源：县政府办 浏览次数：12), or alone on its
    line (with a time, perhaps followed by the source's name: 2022-02-13 09:57 光明网) with 来源/作者 or the
    article's tools (打印本页, 分享到, 字号) on a line next to it (kepu.gov.cn: 来源：新华社 / 作者： /
    2023-12-01 14:43; a TRS government page: 巴彦淖尔市政府门户网站 / 2022-02-11 09:52 / 打印本页)."""
    for line in lines:
        if len(line) > 100 or not _INFO_LINE.search(line) or any(word in line for word in ("生成", "截止")):
            continue
        found = [value for value in find_dates(line, as_of) if value <= as_of]
        if found:
            return found[0]
    for index, line in enumerate(lines):
        if not _DATE_LINE.match(line.strip()):
            continue
        near = lines[max(0, index - 2) : index] + lines[index + 1 : index + 3]
        if any((SOURCE_LABEL.search(other) or _PAGE_TOOLS.search(other)) and len(other) <= 100 for other in near):
            found = [value for value in find_dates(line, as_of) if value <= as_of]
            if found:
                return found[0]
    return None


def article_date(page: Page) -> tuple[date | None, str]:
    """(date, source) of an article page, as a visitor reads it: a labelled visible date (发布日期：, 发布时间：,
    日期：, 时间：) or the date on the info line under the title -> "info"; else the date in the URL
    (/201705/t20170515_1.html, /art/2020/9/15/art_1_2.html, /2023-12/01/content_1.html) -> "url"; else a
    publication meta -> "meta". Regenerating CMSs (TRS, Hanweb) rewrite their PubDate metas, so a visible date wins
    over a meta. Never the 页面生成时间/更新时间, another document's date, nor attribute values; nothing after the
    page's ``as_of``."""
    as_of = page.as_of
    lines = [_CJK_GAP.sub("", line) for line in page.text.split("\n")]
    visible = _labelled_date(lines, as_of) or _info_line_date(lines, as_of)
    if visible is not None:
        return visible, "info"
    in_url = date_from_url(page.url)
    if in_url is not None and in_url <= as_of:
        return in_url, "url"
    meta = _meta_date(page)
    if meta is not None:
        return meta, "meta"
    return None, ""


# a label of another document's date: 招标公告日期, 原公告发布时间, 相关链接
_OTHER_DOCUMENT = re.compile(r"招标|采购公告|原公告|变更|预告|相关|上一篇|下一篇|上篇|下篇")
# a line that is only a date and an optional time: 2023-12-01 14:43
_DATE_LINE = re.compile(
    r"^[\[(（【]?\s*(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*[日号]?\s*[\])）】]?"
    r"(?:\s*\d{1,2}:\d{2}(?::\d{2})?(?:\s*[\u4e00-\u9fff]{2,12})?)?$"
)
# an article's own tools, on the lines around its date
_PAGE_TOOLS = re.compile(r"打印本页|【打印】|打印文章|关闭窗口|分享到|字号")
_INFO_LINE = re.compile(r"来源|作者|浏览|点击|阅读|访问量|字体|字号|编辑|供稿|责任编辑|发布机构|信息来源")


class CategoryTable:
    """Keyword rules mapping a column name to a category (first matching rule wins)."""

    def __init__(self, rules: list[tuple[str, tuple[str, ...]]]) -> None:
        self.rules = rules

    @classmethod
    def load(cls, path: Path) -> CategoryTable:
        rules: list[tuple[str, tuple[str, ...]]] = []
        with Path(path).open(encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle):
                category = (row.get("category") or "").strip()
                keywords = tuple(k.strip() for k in (row.get("keywords") or "").split("|") if k.strip())
                if category and keywords:
                    rules.append((category, keywords))
        return cls(rules)

    @classmethod
    def default(cls) -> CategoryTable:
        return cls.load(data_path("categories.csv"))

    def categorize(self, name: str) -> str:
        compact = re.sub(r"\s+", "", name or "")
        for category, keywords in self.rules:
            if any(keyword in compact for keyword in keywords):
                return category
        return "other"
