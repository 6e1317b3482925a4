"""Page rendering for the demo web, one class per CMS family.

``Family`` holds the chrome every gov site shares (gov metas, header, nav, side menu, footer with
网站标识码 and ICP number, the non-column pages); each subclass only says how its column lists,
URLs and dynamic endpoints look:

* ``TrsFamily``     TRS WCM: ``/xwzx/zwyw/index.html``, relative ``./201512/t20151228_4412.html`` links,
  ``createPageHTML(3, 0, "index", "html")`` pagination (``index_1.html`` …), pinned items.
* ``HanwebFamily``  大汉 jcms: ``/col/col1234/index.html`` with the first page inside a
  ``<script type="text/xml"><datastore>`` block, later pages from ``/module/web/jpage/dataproxy.jsp``.
* ``ScriptFamily``  lists filled by JavaScript, from ``/api/list?col=…`` (fetch) or a ``var itemObj`` literal.
* ``TableFamily``   信息公开 tables (标题 / 发布机构 / 发布日期) under a ``<base href>``.
* ``PlainFamily``   an older home-grown CMS: ``/xxx/index.htm`` lists, ``/xxx/123.htm`` articles.
"""

from __future__ import annotations

import json
import posixpath
from dataclasses import dataclass
from datetime import date
from html import escape
from urllib.parse import parse_qs

from govsites.demo.model import Column, Item, Letter, Site

TITLE_MAX = 22  # list titles longer than this are truncated with "..." (full title in @title)
#: The home page's scrolling news box: lower than the five items of the block it holds, so that its script scrolls it.
SCROLL_BOX = "height:60px;overflow:hidden"


def scrolling(blocks: str) -> str:
    """Home blocks (:meth:`Family.home_block` markup) with the first one's list in the scrolling news box that
    ``common.js`` moves (``#gdxw``, :data:`SCROLL_BOX`)."""
    head, found, rest = blocks.partition('<ul class="block-list">')
    if not found:
        return blocks
    items, end, tail = rest.partition("</ul>")
    return f'{head}<div id="gdxw" style="{SCROLL_BOX}">{found}{items}{end}</div>{tail}'


@dataclass(frozen=True)
class Page:
    status: int
    content_type: str
    body: bytes


def fmt_date(day: date | None, style: str) -> str:
    """A date as a list shows it."""
    if day is None or style == "none":
        return ""
    formats = {
        "iso": f"{day:%Y-%m-%d}",
        "cn": f"{day.year}年{day.month:02d}月{day.day:02d}日",
        "slash": f"{day.year}/{day.month}/{day.day}",
        "dot": f"{day.year}.{day.month}.{day.day}",
        "bracket": f"[{day:%m-%d}]",
        "md": f"{day:%m-%d}",
    }
    return formats[style]


def truncate(title: str) -> str:
    return title if len(title) <= TITLE_MAX else title[: TITLE_MAX - 1] + "..."


def filler(site: Site, item: Item) -> list[str]:
    """Neutral article paragraphs (no dates, no typos)."""
    return [
        f"{item.title}。",
        f"为进一步做好相关工作，{site.name}认真贯彻落实上级决策部署，结合本地实际，"
        "明确责任分工，细化工作措施，确保各项任务落到实处。",
        "下一步，将继续加强统筹协调和督促检查，及时研究解决工作中遇到的困难和问题，推动工作取得新成效。",
    ]


class Family:
    """Shared chrome and the non-column pages. Subclasses render column lists and URLs."""

    key = "base"
    list_index = "index.html"

    def __init__(self, site: Site, netloc: str) -> None:
        self.site = site
        self.netloc = netloc

    # ---- URLs ------------------------------------------------------------------------------------
    def list_path(self, col: Column, page_no: int = 0) -> str:
        suffix = self.list_index if page_no == 0 else f"index_{page_no}.html"
        return f"/{col.key}/{suffix}"

    def article_path(self, col: Column, item: Item) -> str:
        return f"/{col.key}/{item.ident}.htm"

    def href(self, col: Column, item: Item, page_path: str) -> str:
        """The article link as written on the page at ``page_path``."""
        return self.article_path(col, item)

    def list_pages(self, col: Column) -> list[str]:
        """Static list page paths of a column (first page first)."""
        return [self.list_path(col, k) for k in range(1 + len(col.older))]

    # ---- chrome ----------------------------------------------------------------------------------
    def charset_meta(self) -> str:
        return "gbk" if self.site.encoding.lower() in {"gbk", "gb2312", "gb18030"} else "utf-8"

    def head(self, title: str, column: str = "", pub: date | None = None, base: str = "", extra: str = "") -> str:
        metas = [
            f'<meta charset="{self.charset_meta()}">',
            f'<meta name="SiteName" content="{escape(self.site.name)}">',
            f'<meta name="SiteDomain" content="{self.netloc}">',
            f'<meta name="SiteIDCode" content="{self.site.site_code}">',
        ]
        if column:
            metas.append(f'<meta name="ColumnName" content="{escape(column)}">')
        if pub is not None:
            metas.append(f'<meta name="ArticleTitle" content="{escape(title)}">')
            metas.append(f'<meta name="PubDate" content="{pub:%Y-%m-%d} 09:30">')
            metas.append(f'<meta name="ContentSource" content="{escape(self.site.name)}">')
        if base:
            metas.append(f'<base href="{base}">')
        page_title = f"{title}_{self.site.name}" if title != self.site.name else title
        return (
            '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n'
            + "\n".join(metas)
            + f"\n<title>{escape(page_title)}</title>\n"
            '<link rel="stylesheet" href="/css/style.css">\n<script src="/js/common.js"></script>\n'
            + extra
            + "</head>\n<body>\n"
        )

    def nav_columns(self) -> list[Column]:
        return [c for c in self.site.columns if c.menu == "nav"]

    def header(self) -> str:
        cols = "".join(f'<li><a href="{self.list_path(c)}">{escape(c.name)}</a></li>' for c in self.nav_columns())
        return (
            '<div class="top"><a href="/lxwm/index.html">联系我们</a> | '
            '<a href="/wzdt/index.html">网站地图</a>'
            ' | <a href="/search/index.html">搜索</a>'
            '<form action="/search/search.jsp" method="get"><input name="q" type="text">'
            '<input type="submit" value="搜索"></form></div>\n'
            f'<div class="header"><img src="/images/logo.gif" alt="{escape(self.site.name)}">'
            f"<h1>{escape(self.site.name)}</h1></div>\n"
            '<div class="nav"><ul><li><a href="/">网站首页</a></li>'
            '<li><a href="/jggk/index.html">机构概况</a></li>'
            f'{cols}<li><a href="/lxwm/index.html">联系我们</a></li></ul></div>\n'
        )

    def side_menu(self) -> str:
        """The secondary menu on list pages: every column of the site."""
        links = "".join(f'<li><a href="{self.list_path(c)}">{escape(c.name)}</a></li>' for c in self.site.columns)
        return f'<div class="left-menu"><h3>栏目导航</h3><ul>{links}</ul></div>\n'

    def footer(self) -> str:
        return (
            '<div class="footer"><p><a href="/lxwm/index.html">联系我们</a> | '
            '<a href="/wzdt/index.html">网站地图</a></p>'
            f"<p>主办：{escape(self.site.name)}　承办：{escape(self.site.name)}办公室</p>"
            f"<p>网站标识码：{self.site.site_code}　{self.site.icp}</p>"
            '<p><span id="_ideConac"></span></p></div>\n</body>\n</html>\n'
        )

    def page(
        self,
        title: str,
        content: str,
        *,
        column: str = "",
        pub: date | None = None,
        base: str = "",
        extra_head: str = "",
        side: bool = False,
    ) -> str:
        crumb = f'<div class="crumb">当前位置：<a href="/">首页</a> &gt; {escape(column or title)}</div>\n'
        menu = self.side_menu() if side else ""
        body = f'<div class="main">{menu}<div class="content">{crumb}{content}</div></div>\n'
        return self.head(title, column, pub, base, extra_head) + self.header() + body + self.footer()

    # ---- home ------------------------------------------------------------------------------------
    def home_item(self, col: Column, item: Item) -> str:
        day = fmt_date(item.day, "iso" if col.date_style != "none" else "none")
        span = f"<span>{day}</span>" if day else ""
        return (
            f'<li><a href="{escape(self.href(col, item, "/"))}" title="{escape(item.title)}" target="_blank">'
            f"{escape(truncate(item.title))}</a>{span}</li>"
        )

    def home_block(self, col: Column) -> str:
        items = "".join(self.home_item(col, it) for it in col.items[:5])
        return (
            f'<div class="block"><div class="block-title"><h3>{escape(col.name)}</h3>'
            f'<a class="more" href="{self.list_path(col)}">更多&gt;&gt;</a></div>'
            f'<ul class="block-list">{items}</ul></div>\n'
        )

    def home(self) -> str:
        blocks = scrolling("".join(self.home_block(c) for c in self.site.columns if c.home_block))
        images = "".join(f'<img src="{escape(p)}" alt="图片">' for p in ("/images/banner.gif", *self.site.home_images))
        links = "".join(
            f'<li><a href="{escape(u)}" target="_blank">{escape(t)}</a></li>' for u, t in self.site.home_links
        )
        friends = f'<div class="links"><h3>友情链接</h3><ul>{links}</ul></div>\n' if links else ""
        content = f'<div class="banner">{images}</div>\n<div class="blocks">{blocks}</div>\n{friends}'
        return self.head(self.site.name) + self.header() + content + self.footer()

    # ---- lists -----------------------------------------------------------------------------------
    def list_item(self, col: Column, item: Item, page_path: str) -> str:
        day = fmt_date(item.day, col.date_style)
        span = f"<span>{day}</span>" if day else ""
        top = '<em class="top">[置顶]</em>' if item.pinned else ""
        return (
            f'<li>{top}<a href="{escape(self.href(col, item, page_path))}" title="{escape(item.title)}" '
            f'target="_blank">{escape(truncate(item.title))}</a>{badge(col, item)}{span}</li>'
        )

    def list_body(self, col: Column, page_no: int) -> str:
        items = col.items if page_no == 0 else col.older[page_no - 1]
        path = self.list_path(col, page_no)
        entries = [self.list_item(col, it, path) for it in items]
        blank = f'<div class="no-data">{col.blank_text}</div>' if not items and col.blank_text else ""
        return f"{self.list_markup(col, entries)}{blank}"

    def list_markup(self, col: Column, entries: list[str]) -> str:
        """The list's container around its ``<li>`` entries (a hook: the benchmark web splits some lists)."""
        return f'<ul class="list">{"".join(entries)}</ul>'

    def list_page(self, col: Column, page_no: int = 0) -> str:
        body = self.letter_table(col) if col.layout == "table" and is_letters(col) else self.list_body(col, page_no)
        return self.page(col.name, body, column=col.name, side=True, base=self.list_base(col))

    def letter_table(self, col: Column) -> str:
        """A mailbox list with a status column: 序号 / 信件标题 / 来信时间 / 办理状态 / 回复时间."""
        path = self.list_path(col)
        rows = []
        for n, it in enumerate(col.items, 1):
            letter = it.letter
            state = letter.state if letter else ""
            reply = fmt_date(letter.reply_day, "iso") if letter and letter.reply_day else ""
            rows.append(
                f'<tr><td>{n}</td><td class="title"><a href="{escape(self.href(col, it, path))}" '
                f'title="{escape(it.title)}" target="_blank">{escape(truncate(it.title))}</a></td>'
                f'<td>{fmt_date(it.day, "iso")}</td><td class="state">{escape(state)}</td><td>{reply}</td></tr>'
            )
        return (
            '<table class="letter-list"><tr><th>序号</th><th>信件标题</th><th>来信时间</th><th>办理状态</th>'
            f"<th>回复时间</th></tr>{''.join(rows)}</table>"
        )

    def list_base(self, col: Column) -> str:
        return ""

    # ---- articles and content pages -----------------------------------------------------------------
    def article(self, col: Column, item: Item) -> str:
        if item.letter is not None:
            return self.letter_page(col, item, item.letter)
        if item.guide:
            return self.guide_page(col, item)
        paras = [*filler(self.site, item), *item.body]
        text = "".join(f"<p>{escape(p)}</p>" for p in paras)
        for path, label in item.attachments:
            text += f'<p>附件：<a href="{escape(path)}">{escape(label)}</a></p>'
        for path in item.images:
            text += f'<p><img src="{escape(path)}" alt="{escape(item.title)}"></p>'
        for url, label in item.external:
            text += f'<p>相关链接：<a href="{escape(url)}" target="_blank">{escape(label)}</a></p>'
        info = f"发布时间：{item.day:%Y-%m-%d}　" if item.day else ""
        content = (
            f'<h2 class="title">{escape(item.title)}</h2>'
            f'<div class="info">{info}来源：{escape(self.site.name)}'
            f'</div><div class="article">{text}</div>'
        )
        return self.page(item.title, content, column=col.name, pub=item.day)

    def letter_page(self, col: Column, item: Item, letter: Letter) -> str:
        """A letter's detail page: a th/td table (layout "table") or labelled lines (留言时间：…)."""
        asked = f"您好！{item.title}，请相关部门予以答复，谢谢。"
        sent = fmt_date(item.day, "iso")
        reply_day = fmt_date(letter.reply_day, "iso")
        if col.layout == "table":
            reply_rows = (
                f"<tr><th>回复内容</th><td>{escape(letter.reply_text)}</td></tr>"
                f"<tr><th>回复单位</th><td>{escape(self.site.name)}办公室</td></tr>"
                f"<tr><th>回复时间</th><td>{reply_day}</td></tr>"
                if letter.reply_text
                else "<tr><th>回复内容</th><td>暂无回复</td></tr>"
            )
            content = (
                f'<h2 class="title">{escape(item.title)}</h2><table class="letter-detail">'
                f"<tr><th>信件标题</th><td>{escape(item.title)}</td></tr>"
                f"<tr><th>来信时间</th><td>{sent}</td></tr>"
                f"<tr><th>办理状态</th><td>{escape(letter.state)}</td></tr>"
                f"<tr><th>来信内容</th><td>{escape(asked)}</td></tr>{reply_rows}</table>"
            )
        else:
            when = f"　答复时间：{reply_day}" if reply_day else ""
            reply = (
                f'<div class="reply"><p><strong>答复内容：</strong>{escape(letter.reply_text)}</p>'
                f"<p>答复单位：{escape(self.site.name)}{when}</p></div>"
                if letter.reply_text
                else '<div class="reply"><p><strong>答复内容：</strong>暂无回复</p></div>'
            )
            content = (
                f'<h2 class="title">{escape(item.title)}</h2>'
                f'<div class="info">留言时间：{sent}　办理状态：{escape(letter.state)}</div>'
                f'<div class="letter"><p><strong>留言内容：</strong>{escape(asked)}</p></div>{reply}'
            )
        return self.page(item.title, content, column=col.name, pub=item.day)

    def guide_page(self, col: Column, item: Item) -> str:
        """A 办事指南 page; how the element labels are marked up depends on the column's layout."""
        rows = item.guide
        if col.layout == "table":
            body = "".join(f"<tr><th>{escape(f.label)}</th><td>{escape(f.content)}</td></tr>" for f in rows)
            text = f'<table class="guide">{body}</table>'
        elif col.layout == "dl":
            text = "<dl>" + "".join(f"<dt>{escape(f.label)}</dt><dd>{escape(f.content)}</dd>" for f in rows) + "</dl>"
        elif col.layout == "strong":
            text = "".join(f"<p><strong>{escape(f.label)}：</strong>{escape(f.content)}</p>" for f in rows)
        else:  # "lines": plain 标签：内容 paragraphs
            text = "".join(f"<p>{escape(f.label)}：{escape(f.content)}</p>" for f in rows)
        forms = "".join(f'<li><a href="{escape(path)}">{escape(label)}</a></li>' for path, label in item.attachments)
        if forms:
            text += f'<div class="forms"><h4>表格下载</h4><ul>{forms}</ul></div>'
        info = f"发布时间：{item.day:%Y-%m-%d}　" if item.day else ""
        content = (
            f'<h2 class="title">{escape(item.title)}</h2>'
            f'<div class="info">{info}来源：{escape(self.site.name)}</div><div class="article">{text}</div>'
        )
        return self.page(item.title, content, column=col.name, pub=item.day)

    def content_page(self, title: str, paragraphs: list[str]) -> str:
        text = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
        return self.page(
            title, f'<h2 class="title">{escape(title)}</h2><div class="article">{text}</div>', column=title
        )

    def sitemap(self) -> str:
        links = "".join(f'<li><a href="{self.list_path(c)}">{escape(c.name)}</a></li>' for c in self.site.columns)
        fixed = (
            '<li><a href="/">网站首页</a></li><li><a href="/jggk/index.html">机构概况</a></li>'
            '<li><a href="/lxwm/index.html">联系我们</a></li>'
        )
        return self.page(
            "网站地图",
            f'<h2 class="title">网站地图</h2><ul class="sitemap">{fixed}{links}</ul>',
            column="网站地图",
        )

    def search_page(self) -> str:
        form = (
            '<form action="/search/search.jsp" method="get"><input name="q" type="text">'
            '<input type="submit" value="搜索"></form>'
        )
        return self.page("站内搜索", f'<h2 class="title">站内搜索</h2>{form}', column="站内搜索")

    def fixed_pages(self) -> dict[str, str]:
        about = list(self.site.about) or [f"{self.site.name}是主管本行政区域相关工作的机构。"]
        contact = [f"{self.site.name}办公室", "地址：详见机构概况", "电话：0915-3210000", "邮编：725000"]
        return {
            "/": self.home(),
            "/jggk/index.html": self.content_page("机构概况", about),
            "/lxwm/index.html": self.content_page("联系我们", contact),
            "/wzdt/index.html": self.sitemap(),
            "/search/index.html": self.search_page(),
        }

    # ---- routes ------------------------------------------------------------------------------------
    def html_pages(self) -> dict[str, tuple[int, str]]:
        """Every static HTML page: path -> (status, html)."""
        pages: dict[str, tuple[int, str]] = {p: (200, h) for p, h in self.fixed_pages().items()}
        for col in self.site.columns:
            if col.status != 200:
                pages[self.list_path(col)] = (col.status, error_page(col.status))
                continue
            for k, path in enumerate(self.list_pages(col)):
                pages[path] = (200, self.list_page(col, k))
            for item in col.all_items():
                if item.status == 200:
                    pages[self.article_path(col, item)] = (200, self.article(col, item))
                elif item.status != 404:
                    pages[self.article_path(col, item)] = (item.status, error_page(item.status))
        return pages

    def dynamic(self, path: str, query: str, form: str) -> Page | None:
        """Endpoints with parameters (none in the base family)."""
        return None


def is_letters(col: Column) -> bool:
    return any(it.letter is not None for it in col.all_items())


def badge(col: Column, item: Item) -> str:
    """The status badge of a letter in a "badge" layout list (nothing otherwise)."""
    if col.layout != "badge" or item.letter is None:
        return ""
    return f'<span class="state">[{escape(item.letter.state)}]</span>'


def error_page(status: int) -> str:
    if status == 404:
        return (
            '<!DOCTYPE html><html><head><meta charset="utf-8"><title>页面不存在</title></head>'
            "<body><h1>404 页面不存在</h1><p>您访问的页面不存在或已被删除。</p>"
            '<p><a href="/">返回首页</a></p>'
            "</body></html>\n"
        )
    return (
        "<!DOCTYPE html><html><head><title>Error report</title></head><body>"
        f"<h1>HTTP Status {status} - Internal Server Error</h1><p>java.lang.NullPointerException</p>"
        "</body></html>\n"
    )


class TrsFamily(Family):
    """TRS WCM: relative ``./YYYYMM/tYYYYMMDD_id.html`` links and ``createPageHTML`` pagination."""

    key = "trs"

    def article_path(self, col: Column, item: Item) -> str:
        assert item.day is not None, "TRS URLs always carry the date"
        return f"/{col.key}/{item.day:%Y%m}/t{item.day:%Y%m%d}_{item.ident}.html"

    def href(self, col: Column, item: Item, page_path: str) -> str:
        base = posixpath.dirname(page_path)
        return "./" + posixpath.relpath(self.article_path(col, item), base)

    def list_body(self, col: Column, page_no: int) -> str:
        count = 1 + len(col.older)
        script = (
            "<script>\nfunction createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt){\n"
            " if(_nPageCount == null || _nPageCount<=1){ return; }\n"
            " var nCurrIndex = _nCurrIndex || 0;\n"
            ' if(nCurrIndex == 0) document.write("首页 上一页 ");\n'
            ' else { document.write("<a href=\\""+_sPageName+"."+_sPageExt+"\\">首页</a> "); }\n'
            " for(var i=1;i<_nPageCount;i++){ if(i!=nCurrIndex)"
            ' document.write("<a href=\\""+_sPageName+"_"+i+"."'
            '+_sPageExt+"\\">"+(i+1)+"</a> "); }\n}\n'
            f'createPageHTML({count}, {page_no}, "index", "html");\n</script>'
        )
        return super().list_body(col, page_no) + f'<div class="page">{script}</div>'


class HanwebFamily(Family):
    """大汉 jcms: first page in an inline XML datastore, later pages from dataproxy.jsp."""

    key = "hanweb"
    proxy = "/module/web/jpage/dataproxy.jsp"
    web_id = 12

    def list_path(self, col: Column, page_no: int = 0) -> str:
        return f"/col/col{col.ident}/index.html"

    def list_pages(self, col: Column) -> list[str]:
        return [self.list_path(col)]

    def article_path(self, col: Column, item: Item) -> str:
        assert item.day is not None, "Hanweb URLs always carry the date"
        d = item.day
        return f"/art/{d.year}/{d.month}/{d.day}/art_{col.ident}_{item.ident}.html"

    def record(self, col: Column, item: Item) -> str:
        day = fmt_date(item.day, "iso" if col.date_style in {"span", "b"} else "none")
        tag = "b" if col.date_style == "b" else "span"
        date_html = f"<{tag}>{day}</{tag}>" if day else ""
        return (
            f'<li class="cf"><a href="{escape(self.article_path(col, item))}" title="{escape(item.title)}" '
            f'target="_blank">{escape(truncate(item.title))}</a>{date_html}</li>'
        )

    def params(self, col: Column) -> str:
        return (
            f"appid=1&webid={self.web_id}&path=/&columnid={col.ident}&sourceContentType=1"
            f"&unitid={col.ident + 4000}&webname={self.site.name}&permissiontype=0"
        )

    def list_body(self, col: Column, page_no: int) -> str:
        per = max(len(col.items), 1)
        total = len(col.all_items())
        records = "".join(f"<record><![CDATA[{self.record(col, it)}]]></record>" for it in col.items)
        nextgroup = (
            f'<a href="{self.proxy}?startrecord={per + 1}&endrecord={per * 3}&perpage={per}&col=1&'
            f'{self.params(col)}"></a>'
        )
        datastore = (
            f'<script type="text/xml"><datastore><nextgroup><![CDATA[{nextgroup}]]></nextgroup>'
            f"<recordset>{records}</recordset></datastore></script>"
        )
        ajax = ", ".join(f"{k}:'{v}'" for k, v in (pair.split("=", 1) for pair in self.params(col).split("&")))
        init = (
            f"<script>$(document).ready(function(){{ $('#{col.ident + 4000}').jpage({{ dataStore: null, "
            f"perPage: {per}, totalRecord: {total}, proxyUrl: '{self.proxy}', "
            f"ajaxParam: {{col:'1', {ajax}}} }}); }});</script>"
        )
        return f'<div class="default_pgContainer" id="{col.ident + 4000}">{datastore}{init}</div>'

    def dynamic(self, path: str, query: str, form: str) -> Page | None:
        if path != self.proxy:
            return None
        params = {k: v[-1] for k, v in (parse_qs(query) | parse_qs(form)).items()}
        col = next((c for c in self.site.columns if str(c.ident) == params.get("columnid", "")), None)
        if col is None:
            return None
        items = col.all_items()
        per = _int(params.get("perpage"), max(len(col.items), 1))
        if "startrecord" in params:
            start = _int(params.get("startrecord"), 1)
            end = _int(params.get("endrecord"), start + per - 1)
        else:
            page = _int(params.get("page"), 1)
            start, end = (page - 1) * per + 1, page * per
        chosen = items[max(start, 1) - 1 : max(end, 0)]
        records = "".join(f"<record><![CDATA[{self.record(col, it)}]]></record>" for it in chosen)
        pages = -(-len(items) // per)
        xml = (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<datastore><totalrecord>{len(items)}</totalrecord>'
            f"<totalpage>{pages}</totalpage><recordset>{records}</recordset></datastore>\n"
        )
        return Page(200, "text/xml; charset=UTF-8", xml.encode("utf-8"))


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


class ScriptFamily(Family):
    """Lists built in the browser: ``fetch('/api/list?col=…')`` or an inline ``var itemObj = [...]``."""

    key = "script"
    api = "/api/list"

    def article_path(self, col: Column, item: Item) -> str:
        return f"/{col.key}/content_{item.ident}.html"

    def fetch_script(self, col: Column, container: str, size: int = 0) -> str:
        limit = f"&size={size}" if size else ""
        return (
            f'<ul class="list" id="{container}"></ul>\n<script>\n'
            f"fetch('{self.api}?col={col.key}{limit}').then(function (r) {{ return r.json(); }})"
            ".then(function (data) {\n"
            f"  var ul = document.getElementById('{container}');\n"
            "  data.items.forEach(function (it) {\n"
            "    var li = document.createElement('li'); var a = document.createElement('a');\n"
            "    a.href = it.url; a.title = it.title; a.target = '_blank';\n"
            "    a.textContent = it.title.length > 22 ? it.title.substring(0, 21) + '...' : it.title;\n"
            "    var s = document.createElement('span'); s.textContent = it.date;\n"
            "    li.appendChild(a); li.appendChild(s); ul.appendChild(li);\n  });\n});\n</script>"
        )

    def itemobj_script(self, col: Column) -> str:
        objs = [
            {
                "aT": it.title,
                "aPd": f"{it.day:%Y-%m-%d} 10:00" if it.day else "",
                "aU": self.article_path(col, it),
            }
            for it in col.items
        ]
        return (
            f'<ul class="list" id="list-{col.key}"></ul>\n<script>\n'
            f"var itemObj = {json.dumps(objs, ensure_ascii=False)};\n"
            f"var ul = document.getElementById('list-{col.key}');\n"
            "for (var i = 0; i < itemObj.length; i++) {\n"
            "  var li = document.createElement('li');\n"
            "  li.innerHTML = '<a href=\"' + itemObj[i].aU + '\" title=\"' + itemObj[i].aT + '\">'"
            " + itemObj[i].aT"
            " + '</a><span>' + itemObj[i].aPd.substring(0, 10) + '</span>';\n"
            "  ul.appendChild(li);\n}\n</script>"
        )

    def list_body(self, col: Column, page_no: int) -> str:
        if col.render == "fetch":
            return self.fetch_script(col, f"list-{col.key}")
        if col.render == "itemobj":
            return self.itemobj_script(col)
        return super().list_body(col, page_no)

    def home_block(self, col: Column) -> str:
        """The first home block is server-rendered (as on most such sites); later ones use fetch."""
        first = next(c for c in self.site.columns if c.home_block)
        if col.render != "fetch" or col is first:
            return super().home_block(col)
        return (
            f'<div class="block"><div class="block-title"><h3>{escape(col.name)}</h3>'
            f'<a class="more" href="{self.list_path(col)}">更多&gt;&gt;</a></div>'
            f"{self.fetch_script(col, 'home-' + col.key, size=5)}</div>\n"
        )

    def dynamic(self, path: str, query: str, form: str) -> Page | None:
        if path != self.api:
            return None
        params = {k: v[-1] for k, v in parse_qs(query).items()}
        col = next((c for c in self.site.columns if c.key == params.get("col")), None)
        if col is None:
            body = json.dumps({"error": "栏目不存在"}, ensure_ascii=False).encode("utf-8")
            return Page(404, "application/json; charset=utf-8", body)
        items = list(col.items)
        size = _int(params.get("size"), 0)
        if size > 0:
            items = items[:size]
        data = {
            "col": col.key,
            "name": col.name,
            "total": len(col.items),
            "items": [
                {"title": it.title, "url": self.article_path(col, it), "date": fmt_date(it.day, "iso")} for it in items
            ],
        }
        return Page(200, "application/json; charset=utf-8", json.dumps(data, ensure_ascii=False).encode("utf-8"))


class TableFamily(Family):
    """信息公开 tables (标题 / 发布机构 / 发布日期); ``xxgk/…`` lists carry ``<base href=".../xxgk/">``."""

    key = "table"
    base_dir = "/xxgk/"

    def list_base(self, col: Column) -> str:
        return f"http://{self.netloc}{self.base_dir}" if col.key.startswith(self.base_dir.strip("/")) else ""

    def href(self, col: Column, item: Item, page_path: str) -> str:
        target = self.article_path(col, item)
        if page_path == "/":
            return target
        base = self.base_dir if col.key.startswith(self.base_dir.strip("/")) else posixpath.dirname(page_path) + "/"
        return posixpath.relpath(target, base)

    def table_date(self, col: Column, item: Item) -> str:
        """The 发布日期 cell (a hook: the benchmark web writes more date formats)."""
        return fmt_date(item.day, col.date_style)

    def list_body(self, col: Column, page_no: int) -> str:
        path = self.list_path(col, page_no)
        rows = "".join(
            f'<tr><td>{n}</td><td class="title"><a href="{escape(self.href(col, it, path))}" '
            f'title="{escape(it.title)}" target="_blank">{escape(truncate(it.title))}</a></td>'
            f"<td>{escape(self.site.name)}</td><td>{self.table_date(col, it)}</td></tr>"
            for n, it in enumerate(col.items, 1)
        )
        blank = f'<tr><td colspan="4">{col.blank_text}</td></tr>' if not col.items and col.blank_text else ""
        return (
            '<table class="xxgk-list"><tr><th>序号</th><th>标题</th><th>发布机构</th><th>发布日期</th></tr>'
            f"{rows}{blank}</table>"
        )


class PlainFamily(Family):
    """An older home-grown CMS: ``/xxx/index.htm`` lists and ``/xxx/123.htm`` articles."""

    key = "plain"
    list_index = "index.htm"

    def list_item(self, col: Column, item: Item, page_path: str) -> str:
        day = fmt_date(item.day, col.date_style)
        date_html = f'<span class="date">{day}</span>' if day else ""
        return (
            f'<li>·<a href="{escape(self.href(col, item, page_path))}" title="{escape(item.title)}">'
            f"{escape(truncate(item.title))}</a>{badge(col, item)}{date_html}</li>"
        )


FAMILIES: dict[str, type[Family]] = {
    f.key: f for f in (TrsFamily, HanwebFamily, ScriptFamily, TableFamily, PlainFamily)
}
