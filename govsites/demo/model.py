"""Data model of the demo web: sites, columns and items as plain frozen records.

The pages (``templates.py``) and the expected results (``expected.py``) are both derived from these
records, so the two can never disagree. No Scrapy, standard library only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

AS_OF: date = date(2015, 12, 31)
"""The demo's evaluation date; every date on every page is fixed relative to it."""

DEAD_NETLOC = "127.0.0.2:9"
"""A loopback address and port where nothing listens: the target of the "dead external" links."""


@dataclass(frozen=True)
class Letter:
    """What a letter (message) of an interaction column says about its handling."""

    state: str  # the site's own wording: 已回复, 已办结, 未回复, 待回复, 办理中 …
    answered: bool
    reply_day: date | None = None
    reply_text: str = ""  # "" = no reply block (the page says 暂无回复)


@dataclass(frozen=True)
class GuideField:
    """One element row of a 办事指南 page: the element, the label shown for it and its content."""

    element: str  # one of govsites.extract.guides.GUIDE_ELEMENTS
    label: str  # the label as the page shows it (the element or a synonym)
    content: str  # "" or 无 = the label is there but empty (the element counts as missing)


@dataclass(frozen=True)
class Item:
    """One entry of a column list (and its article page)."""

    ident: int
    title: str
    day: date | None  # the real publish date; None = undated everywhere (list, URL and article)
    pinned: bool = False  # 置顶: shown first whatever its date
    status: int = 200  # status of the article page: 404 = listed but missing, 500 = server error
    body: tuple[str, ...] = ()  # extra paragraphs (typos and look-alike traps live here)
    attachments: tuple[tuple[str, str], ...] = ()  # (file path, link text); a path not in FILES is missing
    images: tuple[str, ...] = ()  # image paths; a path not in FILES is missing
    external: tuple[tuple[str, str], ...] = ()  # (absolute url, link text)
    letter: Letter | None = None  # set: the item is a letter (detail page shows state and reply)
    guide: tuple[GuideField, ...] = ()  # set: the item is a 办事指南 page with these element rows


@dataclass(frozen=True)
class Column:
    """A 栏目: a list page reached from the nav menu, a secondary menu or a block's 更多 link."""

    key: str  # short code used in paths / ids
    name: str
    category: str
    items: tuple[Item, ...] = ()  # the FIRST list page, in display order
    older: tuple[tuple[Item, ...], ...] = ()  # later list pages (TRS index_1.html … / Hanweb dataproxy)
    status: int = 200  # 500 = the column page itself fails (unreachable)
    menu: str = "nav"  # where it is linked from: "nav", "side" (secondary menu), "more" (home block only)
    blank_text: str = ""  # text shown on an empty list: "暂无信息", "暂无数据" or "" (empty container)
    date_style: str = "iso"  # how dates show in the list; family specific (see templates.py)
    render: str = "html"  # gtj only: "fetch" (JSON endpoint) or "itemobj" (JSON in script) or "html"
    ident: int = 0  # numeric column id (Hanweb colNNNN)
    home_block: bool = False  # shown as a block (with 更多>>) on the home page
    layout: str = ""  # letters: "table" (status column) | "badge" (status badge per row) | "" (status only
    # on detail pages); guides: "table" | "strong" | "lines" | "dl" (how element labels are marked up)

    def all_items(self) -> tuple[Item, ...]:
        return self.items + tuple(it for page in self.older for it in page)


@dataclass(frozen=True)
class Site:
    site_id: str
    name: str
    group: str  # "county" | "agency"
    county: str
    family: str  # key into templates.FAMILIES
    host_offset: int  # loopback address = first_host + host_offset
    columns: tuple[Column, ...] = ()
    down: bool = False  # nothing listens: the home page is unreachable
    encoding: str = "utf-8"
    site_code: str = ""  # 网站标识码
    icp: str = ""
    about: tuple[str, ...] = ()  # 机构概况 paragraphs
    home_links: tuple[tuple[str, str], ...] = ()  # extra (url, text) links in the home page's 友情链接
    home_images: tuple[str, ...] = ()  # images on the home page (a path not in FILES is missing)
    notes: tuple[str, ...] = field(default=())  # what the site demonstrates (documentation only)

    def column(self, key: str) -> Column:
        for col in self.columns:
            if col.key == key:
                return col
        raise KeyError(key)


# Files served by every live site: path -> content type. Anything else under /uploads or /images is missing.
FILES: dict[str, str] = {
    "/images/logo.gif": "image/gif",
    "/images/banner.gif": "image/gif",
    "/images/news/pic1.gif": "image/gif",
    "/css/style.css": "text/css; charset=utf-8",
    "/js/common.js": "application/javascript; charset=utf-8",
    "/favicon.ico": "image/x-icon",
    "/uploads/附件/申报指南.doc": "application/msword",
    "/uploads/files/2015年度部门预算表.xls": "application/vnd.ms-excel",
    "/uploads/files/实施方案.pdf": "application/pdf",
    "/uploads/files/最低生活保障申请表.doc": "application/msword",
    "/uploads/files/个体工商户登记申请书.docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    ),
    "/uploads/files/建设工程规划许可申请表.xls": "application/vnd.ms-excel",
}
