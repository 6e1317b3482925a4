"""Pages of the bench web, rendered on request from a ``BenchSite``.

The CMS families are the demo web's (:mod:`govsites.demo.templates`), extended with the variations of the
real-page patterns: more date formats, dates before the title or in ``i``/``em``/``b``/``font``, TRS
``var countPage`` pagination, hidden home tabs, a 登录 page, article info lines with different labels,
related-article links, redirect chains, soft 404s and planted broken resources; and patterns our extractors
were not built against: query-string URLs (``BenchQuery``), regenerated pages whose date metas are later than the
visible date, and lists split over sibling containers.

``BenchApp`` holds one site's route table (path -> what to render), never the rendered pages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from html import escape
from urllib.parse import parse_qsl, urlencode

from bench.web.model import QUERY_ARTICLES, QUERY_LISTS, BenchSite, ColumnStyle
from govsites.demo.model import FILES, Column, Item
from govsites.demo.sites import file_body
from govsites.demo.templates import (
    Family,
    HanwebFamily,
    Page,
    PlainFamily,
    ScriptFamily,
    TableFamily,
    TrsFamily,
    error_page,
    filler,
    scrolling,
    truncate,
)

HIDDEN = ' style="display:none"'
#: Where a ``post_lists`` script site's lists are posted (:class:`BenchScript`).
POST_API = "/module/list.do"
SOFT_404 = (
    '<!DOCTYPE html><html><head><meta charset="utf-8"><title>提示信息</title></head><body>'
    '<div class="error"><h2>对不起，您访问的页面不存在或已被删除！</h2><p>页面不存在</p>'
    '<p><a href="/">返回首页</a></p></div></body></html>\n'
)


@dataclass(frozen=True)
class Reply:
    status: int
    content_type: str
    body: bytes
    location: str = ""


def fmt(day: date | None, style: str) -> str:
    """A date as a bench list shows it."""
    if day is None or style == "none":
        return ""
    return {
        "iso": f"{day:%Y-%m-%d}",
        "span": f"{day:%Y-%m-%d}",
        "b": f"{day:%Y-%m-%d}",
        "nopad": f"{day.year}-{day.month}-{day.day}",
        "slash": f"{day:%Y/%m/%d}",
        "dot": f"{day:%Y.%m.%d}",
        "cn": f"{day.year}年{day.month:02d}月{day.day:02d}日",
        "time": f"{day:%Y-%m-%d} 09:{day.day + 10:02d}",
        "label": f"发布时间：{day:%Y-%m-%d}",
        "bracket": f"[{day:%m-%d}]",
    }[style]


def route_key(path: str, query: str = "") -> str:
    """The route of a request: its path, plus its query parameters in a canonical order."""
    pairs = sorted(parse_qsl(query, keep_blank_values=True))
    return f"{path}?{urlencode(pairs)}" if pairs else path


def target_key(target: str) -> str:
    """The route of a path with an optional ``?query`` as the families write it."""
    path, _, query = target.partition("?")
    return route_key(path, query)


class BenchMixin(Family):
    """Variations shared by every bench family (placed before the demo family in the MRO)."""

    bench: BenchSite
    port_text: str = ""

    def setup(self, bench: BenchSite) -> None:
        self.bench = bench
        self.port_text = self.netloc.rsplit(":", 1)[-1]

    def style(self, col: Column) -> ColumnStyle:
        return self.bench.style(col)

    # ---- chrome --------------------------------------------------------------------------------------
    def head(self, title: str, column: str = "", pub: date | None = None, base: str = "", extra: str = "") -> str:
        """The demo's head; on a regenerated site an article's date metas carry the regeneration time."""
        html = super().head(title, column, pub, base, extra)
        if pub is None or self.bench.regenerated is None:
            return html
        day = self.bench.meta_day(pub)
        metas = {
            "PubDate": f'<meta name="PubDate" content="{day:%Y-%m-%d} 03:{pub.day + 10:02d}:45">',
            "publishdate": f'<meta name="publishdate" content="{day:%Y%m%d}031245">',
        }
        kind = self.bench.pubdate_meta
        chosen = "".join(v for k, v in metas.items() if kind in {k, "both"})
        demo = f'<meta name="PubDate" content="{pub:%Y-%m-%d} 09:30">'
        assert demo in html, "the demo head's PubDate meta changed"
        return html.replace(demo, chosen, 1)

    def header(self) -> str:
        return (
            super()
            .header()
            .replace(
                '<a href="/search/index.html">搜索</a>',
                '<a href="/search/index.html">搜索</a> | <a href="/login/index.html">登录</a>',
            )
        )

    def side_menu(self) -> str:
        links = "".join(
            f'<li><a href="{self.list_path(c)}">{escape(c.name)}</a></li>'
            for c in self.site.columns
            if c.menu in {"nav", "side"}
        )
        return f'<div class="left-menu"><h3>栏目导航</h3><ul>{links}</ul></div>\n'

    def home(self) -> str:
        cols = [c for c in self.site.columns if c.home_block]
        blocks = [self.home_block(c) for c in cols]
        if self.bench.hidden_tabs and len(blocks) > 2:
            titles = "".join(f'<li class="tab-t{i}">{escape(c.name)}</li>' for i, c in enumerate(cols[1:]))
            tabs = "".join(
                f'<div class="tab-con"{"" if i == 0 else HIDDEN}>{b}</div>' for i, b in enumerate(blocks[1:])
            )
            html_blocks = blocks[0] + f'<div class="tab-box"><ul class="tab-title">{titles}</ul>{tabs}</div>\n'
        else:
            html_blocks = "".join(blocks)
        html_blocks = scrolling(html_blocks)
        images = "".join(f'<img src="{escape(p)}" alt="图片">' for p in ("/images/banner.gif", *self.site.home_images))
        links = "".join(
            f'<li><a href="{escape(u.replace("{port}", self.port_text))}" target="_blank">{escape(t)}</a></li>'
            for u, t in self.site.home_links
        )
        friends = f'<div class="links"><h3>友情链接</h3><ul>{links}</ul></div>\n' if links else ""
        content = f'<div class="banner">{images}</div>\n<div class="blocks">{html_blocks}</div>\n{friends}'
        return self.head(self.site.name) + self.header() + content + self.footer()

    # ---- lists -----------------------------------------------------------------------------------------
    def list_markup(self, col: Column, entries: list[str]) -> str:
        """One ``<ul>``, or on a split column sibling ``<div><ul>`` parts of ``split`` items each."""
        size = self.style(col).split
        if not size or len(entries) <= size:
            return super().list_markup(col, entries)
        parts = "".join(
            f'<div class="list-part">{super(BenchMixin, self).list_markup(col, entries[i : i + size])}</div>'
            for i in range(0, len(entries), size)
        )
        return f'<div class="list-box">{parts}</div>'

    def list_item(self, col: Column, item: Item, page_path: str) -> str:
        st = self.style(col)
        day = fmt(item.day, st.date_style)
        tag = st.date_tag
        date_html = f"<{tag}>{day}</{tag}>" if day else ""
        top = '<em class="top">[置顶]</em>' if item.pinned else ""
        link = (
            f'<a href="{escape(self.href(col, item, page_path))}" title="{escape(item.title)}" target="_blank">'
            f"{escape(truncate(item.title))}</a>"
        )
        return f"<li>{top}{date_html}{link}</li>" if st.date_before else f"<li>{top}{link}{date_html}</li>"

    # ---- articles ------------------------------------------------------------------------------------
    def article(self, col: Column, item: Item) -> str:
        paras = [*filler(self.site, item), *item.body]
        text = "".join(f"<p>{escape(p)}</p>" for p in paras)
        for path, label in item.attachments:
            text += f'<p>附件：<a href="{escape(path)}">{escape(path.rsplit("/", 1)[-1] or label)}</a></p>'
        for path in item.images:
            text += f'<p><img src="{escape(path)}" alt="{escape(item.title)}"></p>'
        for url, label in item.external:
            text += f'<p>{escape(label)}：<a href="{escape(url)}" target="_blank">{escape(label)}</a></p>'
        siblings = [it for it in col.all_items() if it.ident != item.ident and it.status == 200]
        if siblings and self.bench.related:
            start = item.ident % len(siblings)
            chosen = (siblings[start:] + siblings[:start])[: self.bench.related]
            lis = "".join(
                f'<li><a href="{escape(self.article_path(col, it))}">{escape(truncate(it.title))}</a></li>'
                for it in chosen
            )
            text += f'<div class="related"><h4>相关文章</h4><ul>{lis}</ul></div>'
        label = self.bench.article_label
        if item.day is None:
            info = ""
        elif label == "发布日期：":
            info = f"发布日期：{item.day.year}年{item.day.month:02d}月{item.day.day:02d}日　"
        else:
            info = f"{label}{item.day:%Y-%m-%d} 10:{item.ident % 60:02d}　"
        content = (
            f'<h2 class="title">{escape(item.title)}</h2>'
            f'<div class="info">{info}来源：{escape(self.site.name)}　<span id="hits"></span>'
            f'</div><div class="article">{text}</div>'
        )
        return self.page(item.title, content, column=col.name, pub=item.day)

    def fixed_pages(self) -> dict[str, str]:
        pages = super().fixed_pages()
        form = (
            '<form action="/login/check.jsp" method="post"><input name="user"><input name="pwd" type="password">'
            '<input type="submit" value="登录"></form>'
        )
        pages["/login/index.html"] = self.page("用户登录", f'<h2 class="title">用户登录</h2>{form}', column="用户登录")
        return pages


class BenchTrs(BenchMixin, TrsFamily):
    def list_body(self, col: Column, page_no: int) -> str:
        if self.style(col).pager == "create":
            return super().list_body(col, page_no)
        count = 1 + len(col.older)
        script = (
            f"<script>\nvar countnum = {len(col.all_items())}; var currentPage = {page_no}; "
            f"var countPage = {count};\n"
            "if (countPage > 1) { for (var i = 0; i < countPage; i++) {\n"
            ' var name = i == 0 ? "index.html" : "index_" + i + ".html";\n'
            ' document.write("<a href=\\"" + name + "\\">" + (i + 1) + "</a> "); } }\n</script>'
        )
        return Family.list_body(self, col, page_no) + f'<div class="page">{script}</div>'


class BenchHanweb(BenchMixin, HanwebFamily):
    pass


class BenchScript(BenchMixin, ScriptFamily):
    """On a ``post_lists`` site an XHR posts a form to :data:`POST_API`, ``columnid=…&pageNo=1`` (``&pageSize=N``
    in a home block), the column id assigned by the page's inline script, as many real list platforms do; the
    answer is the GET endpoint's."""

    def column_id(self, col: Column) -> int:
        return 100 + self.site.columns.index(col)

    def fetch_script(self, col: Column, container: str, size: int = 0) -> str:
        if not self.bench.post_lists:
            return super().fetch_script(col, container, size)
        limit = f"&pageSize={size}" if size else ""
        return (
            f'<ul class="list" id="{container}"></ul>\n<script>\n'
            f'var columnid = "{self.column_id(col)}";\n'
            "(function () {\n"
            f"  var xhr = new XMLHttpRequest(); xhr.open('POST', '{POST_API}');\n"
            "  xhr.setRequestHeader('Content-Type', 'application/x-www-form-urlencoded; charset=UTF-8');\n"
            "  xhr.onload = function () {\n"
            f"    var ul = document.getElementById('{container}');\n"
            "    JSON.parse(xhr.responseText).items.forEach(function (it) {\n"
            "      var li = document.createElement('li'); var a = document.createElement('a');\n"
            "      a.href = it.url; a.title = it.title; a.target = '_blank'; a.textContent = it.title;\n"
            "      var s = document.createElement('span'); s.textContent = it.date;\n"
            "      li.appendChild(a); li.appendChild(s); ul.appendChild(li);\n    });\n  };\n"
            f"  xhr.send('columnid=' + columnid + '&pageNo=1{limit}');\n}})();\n</script>"
        )

    def dynamic(self, path: str, query: str, form: str) -> Page | None:
        if path != POST_API or not self.bench.post_lists:
            return super().dynamic(path, query, form)
        asked = dict(parse_qsl(form))
        col = next((c for c in self.site.columns if str(self.column_id(c)) == asked.get("columnid")), None)
        size = asked.get("pageSize", "")
        return super().dynamic(self.api, urlencode({"col": col.key if col else "", "size": size}), "")


class BenchTable(BenchMixin, TableFamily):
    def table_date(self, col: Column, item: Item) -> str:
        return fmt(item.day, self.style(col).date_style)


class BenchPlain(BenchMixin, PlainFamily):
    pass


class BenchQuery(BenchMixin, PlainFamily):
    """An older county CMS (ASP, JSP, PHPCMS): every list and article is one script with a query string, as
    ``list.asp?classid=5&page=2`` and ``show.asp?id=123``, with a 首页/上一页/下一页/尾页 pager of plain links."""

    key = "query"

    def list_path(self, col: Column, page_no: int = 0) -> str:
        first = QUERY_LISTS[self.bench.list_url].format(col=col.ident)
        return first if page_no == 0 else f"{first}&page={page_no + 1}"

    def article_path(self, col: Column, item: Item) -> str:
        return QUERY_ARTICLES[self.bench.article_url].format(item=item.ident)

    def list_body(self, col: Column, page_no: int) -> str:
        count = 1 + len(col.older)
        if count == 1:
            return super().list_body(col, page_no)
        links = [("首页", 0), ("上一页", max(0, page_no - 1))]
        links += [(str(k + 1), k) for k in range(count) if k != page_no]
        links += [("下一页", min(count - 1, page_no + 1)), ("尾页", count - 1)]
        pager = " ".join(f'<a href="{escape(self.list_path(col, k))}">{text}</a>' for text, k in links)
        return super().list_body(col, page_no) + f'<div class="page">共{count}页 第{page_no + 1}页 {pager}</div>'


BENCH_FAMILIES: dict[str, type[BenchMixin]] = {
    "trs": BenchTrs,
    "hanweb": BenchHanweb,
    "script": BenchScript,
    "table": BenchTable,
    "plain": BenchPlain,
    "query": BenchQuery,
}

SEARCH_ACTION = "/search/search.jsp"
FIXED_PATHS = (
    "/",
    "/jggk/index.html",
    "/lxwm/index.html",
    "/wzdt/index.html",
    "/search/index.html",
    "/login/index.html",
)
_GO = re.compile(r"^/go/(ok|ok2|bad)_(\d+)\.html$")
_REMOVED = re.compile(r"^/html/removed_\d+\.html$")
CLEARANCE = "gsb_clearance"  # the cookie a challenge site's script sets


def challenge_page(site_id: str) -> bytes:
    """A 加速乐-style challenge: a tiny page whose script sets the clearance cookie and reloads."""
    return (
        '<html><head><meta charset="utf-8"></head><body><script>'
        f'document.cookie="{CLEARANCE}={site_id}; path=/";setTimeout(function(){{location.reload()}},50);'
        "</script></body></html>"
    ).encode()


_ROOTED = re.compile(r'((?:href|src|action)=")/(?!/)')


class BenchApp:
    """One live site: its route table and a renderer per route."""

    def __init__(self, bench: BenchSite, netloc: str, prefix: str = "/") -> None:
        self.bench = bench
        self.netloc = netloc
        self.prefix = prefix  # a subsite's folder on a shared host (/bm/bm005/): its pages' links are moved there
        self.site = bench.site
        fam = BENCH_FAMILIES[self.site.family](self.site, netloc)
        fam.setup(bench)
        self.family = fam
        gbk = self.site.encoding == "gbk"
        self.html_type = f"text/html; charset={'GBK' if gbk else 'utf-8'}"
        self.routes: dict[str, tuple[str, Column | None, Item | None, int]] = {}
        self.articles: dict[int, str] = {}  # item ident -> article path
        for path in FIXED_PATHS:
            self.routes[path] = ("fixed", None, None, 0)
        for col in self.site.columns:
            if col.status != 200:
                self.routes[target_key(fam.list_path(col))] = ("error", col, None, col.status)
                continue
            for k, path in enumerate(fam.list_pages(col)):
                self.routes[target_key(path)] = ("list", col, None, k)
            for item in col.all_items():
                path = fam.article_path(col, item)
                self.articles[item.ident] = path
                if item.status == 200:
                    self.routes[target_key(path)] = ("article", col, item, 0)
                elif item.status != 404:
                    self.routes[target_key(path)] = ("error", col, item, item.status)
        self.flaky: set[str] = set()  # route keys (see route_key)
        for key_ident in bench.flaky:
            _key, ident = key_ident.split("#")
            if int(ident) in self.articles:
                self.flaky.add(target_key(self.articles[int(ident)]))

    def local(self, path: str) -> str | None:
        """The path inside the site of a request path on its host (None: outside a subsite's folder)."""
        if self.prefix == "/":
            return path
        if path == self.prefix.rstrip("/"):
            return "/"
        return "/" + path[len(self.prefix) :] if path.startswith(self.prefix) else None

    def _html(self, status: int, html: str) -> Reply:
        if self.prefix != "/":  # a subsite: root-relative and absolute own-host links into its folder
            html = _ROOTED.sub(lambda m: m.group(1) + self.prefix, html)
            html = html.replace(f"http://{self.netloc}/", f"http://{self.netloc}{self.prefix}")
        return Reply(status, self.html_type, html.encode(self.site.encoding, errors="xmlcharrefreplace"))

    def not_found(self) -> Reply:
        return self._html(404, error_page(404).replace("utf-8", self.family.charset_meta()))

    def handle(self, path: str, query: str = "", form: str = "") -> Reply:
        """The reply to a request for ``path`` (already percent-decoded, on the site's host) and ``query``."""
        inside = self.local(path)
        if inside is None:
            return self.not_found()
        reply = self._handle(inside, query, form)
        if self.prefix != "/" and reply.location.startswith("/"):
            return replace(reply, location=self.prefix + reply.location[1:])
        return reply

    def _handle(self, path: str, query: str, form: str) -> Reply:
        if path.endswith("/") and path != "/":
            path += "index.html"
        route = self.routes.get(route_key(path, query)) or self.routes.get(path)
        fam = self.family
        if route is not None:
            kind, col, item, num = route
            if kind == "fixed":
                return self._html(200, self._fixed(path))
            if kind == "error":
                return self._html(num, error_page(num))
            assert col is not None
            if kind == "list":
                return self._html(200, fam.list_page(col, num))
            assert item is not None
            return self._html(200, fam.article(col, item))
        if path in FILES:
            ctype = FILES[path]
            return Reply(200, ctype, file_body(path, ctype))
        go = _GO.match(path)
        if go:
            kind, ident = go.group(1), int(go.group(2))
            if kind == "ok":
                return Reply(302, self.html_type, b"", f"/go/ok2_{ident}.html")
            if kind == "ok2" and ident in self.articles:
                return Reply(301, self.html_type, b"", self.articles[ident])
            if kind == "bad":
                return Reply(302, self.html_type, b"", f"/go/gone_{ident}.html")
        if path == SEARCH_ACTION:  # the search form's target answers (LinkChecker checks form actions)
            return self._html(200, fam.search_page())
        if _REMOVED.match(path):
            return Reply(200, "text/html; charset=utf-8", SOFT_404.encode("utf-8"))
        page = fam.dynamic(path, query, form)
        if page is not None:
            return Reply(page.status, page.content_type, page.body)
        return self.not_found()

    def _fixed(self, path: str) -> str:
        fam = self.family
        if path == "/":
            return fam.home()
        if path == "/wzdt/index.html":
            return fam.sitemap()
        return fam.fixed_pages()[path]

    def soft_404(self, path: str) -> bool:
        return bool(_REMOVED.match(self.local(path) or ""))

    def pages(self) -> list[str]:
        """Every routed path (for tests)."""
        return list(self.routes)

    def article_path(self, ident: int) -> str:
        return self.articles[ident]

    def list_paths(self) -> dict[str, str]:
        """Column key -> first list page path."""
        return {c.key: self.family.list_path(c) for c in self.site.columns}
