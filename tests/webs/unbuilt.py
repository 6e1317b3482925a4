"""Small loopback webs shaped like government webs our own templates do not make (issue 14):

- :class:`SharedHostWeb`: a consolidated platform (集约化): one host serves a portal at ``/`` and department
  subsites under ``/bm/fgj/`` and ``/bm/jyj/``; the 教育局 also owns a topic folder ``/ztzl/jyj/`` elsewhere on
  the host (named by a registry ``scope``). Every page links across the folders, as real platforms' shared
  headers do. Each site has one broken link of its own. The server records the most requests it had open at once.
- :class:`ChallengeWeb`: two hosts behind a 加速乐-style challenge: every request without the clearance cookie gets
  a 521 with a tiny page whose script sets the cookie with ``document.cookie`` and reloads. On the *pass* host the
  cookie then opens the site (a column of three articles, one broken link, and one page, ``locked.html``, that
  challenges even a browser's cookie: a site read in part); on the *wall* host the script sets a
  cookie the server never accepts. Requests are counted per host and kind (challenge answered, page served).
- :class:`EndpointWeb`: sites whose column lists a script fills from a JSON endpoint, named literally in the
  script (``fetch(url + '&page=1')`` with ``url = '/api/list?col=tzgg'``) on one host and built from the page's
  own address on the other (``'/data/list?channel=' + col + '&size=20'``), where one column's script asks a
  different endpoint and one column is a mailbox. Endpoint requests are counted by who sent them: the browser
  (``Sec-Fetch-Mode``) or a plain request.
- :class:`PagedEndpointWeb`: the literal host of :class:`EndpointWeb` whose endpoint serves each column's list a page
  at a time (``&page=N``, four items an answer, three pages, every item inside the evaluation window); its answer
  states the list's ``total`` and its ``pageSize``. List requests are counted per sender, column and page.
  :class:`BrowserOnlyEndpointWeb` is the same host whose endpoint refuses (403) every request a browser did not
  send (no ``Sec-Fetch-Mode``), as platforms that check a fetch's headers or a session do.
  :class:`PathPagedEndpointWeb` takes the column and the page in the endpoint's path (``/api/list/tzgg/1``, as REST
  back ends do) and says in its answer which page it is (``pageNum``); :class:`UnpagedPathEndpointWeb` asks only
  ``/api/list/tzgg`` (the server's first page, whose answer states two more) and has no way to ask for the others.
  :class:`IdPathEndpointWeb` names its columns by number (``/api/col/1``, ``/api/col/21``); its endpoint also
  serves channels ``2`` and ``3`` that no menu names, and every answer says it is page 1: a crawler that takes the
  column's id ``1`` for a page number asks those channels as its "further pages".
- a *slow* host (:class:`ChallengeWeb` ``slow``): every answer comes ``slow_delay`` seconds late, within the crawl's
  timeout; its column lists three articles; one article links to ``/tzgg/late.html``, whose first answer comes
  ``late_delay`` seconds late (beyond the timeout) and every later one in ``slow_delay``.

- :class:`RedirectBackWeb`: the column's articles link their own permalinks, a two-hop redirect (``/go/N`` →
  ``/go2/N`` → the article), as many sites' 本文链接 and counters do; one more leads to the column's list and one to
  an article that is gone (404). Requests are counted per path.
- :class:`PinnedYearWeb`: lists that show their dates without the year (``[09-26]``), each with a pinned (置顶)
  item on top: on 通知公告 last year's notice ``[11-28]`` (its article says 2025-11-28), on 工作动态 a notice of
  this year pinned above older items (2026-11-27), on 政策解读 an old pinned item whose month-day is older than the
  items below it (``[03-01]``), on 统计数据 a pinned ``[11-29]`` whose article gives no date. The home page's
  通知公告 block shows that list's first two items, unpinned there, and a 图片新闻 block of no column shows last
  year's ``[11-30]`` above ``[09-20]``, unmarked. Requests are counted per path.
- :class:`HeadRefusingWeb`: a server that answers every HEAD with 405 (as some IIS and Tomcat set-ups do); its
  home page shows one image, and each of its column's articles (answered only once the crawler has taken
  the 405 and asked that image again by GET) two more, one of them missing. Requests are counted per method and path.
- :class:`PostEndpointWeb`: lists a script fills from endpoints it asks with POST, as real platforms' ``list.do``
  and Vue pages do. On the *form* host (``/col/col1231/index.html``) an XHR sends a form,
  ``columnid=1231&unitid=88&webname=某某县&pageNo=1&pageSize=4``, whose column id the page's inline script assigns
  (``var columnid = "1231";``, not in its address); each list has three pages of four items, the page number in the
  body. On the *json* host (``/xxgk/tzgg/``) ``fetch`` sends ``{"channelId": "tzgg", "pageNum": 1, ...}`` as JSON
  beside a visit counter's POST; its 政策解读 column sends a ``FormData`` to another endpoint instead, which no
  plain request can repeat. List requests are counted by sender, column and page.
- :class:`BusyRenderWeb`: :class:`EndpointWeb`'s literal host alone, whose browser navigations (a page Chromium opens)
  take ``NAVIGATION_DELAY`` seconds each; it counts them and records the most it had under way at once.
- :class:`FramedWeb`: a home page on one host that frames a page of another host (a map, a search box or a
  counter of a provincial platform, as real home pages do); the framed page answers once its script has run.

Standard library only, on the shared loopback lifecycle (:class:`govsites.demo.loopback.LoopbackServers`).
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar
from urllib.parse import parse_qsl, urlsplit

from govsites.demo.loopback import LoopbackServers

AS_OF = "2026-12-01"


def page(title: str, body: str, nav: str = "") -> str:
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title></head><body>'
        f'<div class="header">{nav}</div>{body}<div class="footer">主办单位：某某市人民政府办公室</div></body></html>'
    )


def column_page(title: str, prefix: str, count: int) -> str:
    items = "".join(
        f'<li><a href="{prefix}art{i}.html">{title}第{i}期工作动态</a><span>2026-11-{10 + i:02d}</span></li>'
        for i in range(1, count + 1)
    )
    return f'<h2>{title}</h2><ul class="list">{items}</ul>'


def home_page(name: str, column: str, title: str, nav: str = "", extra: str = "") -> str:
    block = (
        f'<div class="block"><h2>{title}</h2><a href="{column}">更多</a>'
        f'<ul><li><a href="{column}art1.html">{title}第1期工作动态</a><span>2026-11-11</span></li></ul></div>'
    )
    return page(name, block + extra, nav)


def article_page(title: str, body: str, nav: str = "") -> str:
    return page(title, f"<h1>{title}</h1><p>发布日期：2026-11-11</p>{body}", nav)


class _Handler(BaseHTTPRequestHandler):
    web: _Web
    role = ""

    def do_GET(self) -> None:
        self.web.respond(self, self.role)

    def do_HEAD(self) -> None:
        self.web.respond(self, self.role, head=True)

    def do_POST(self) -> None:
        self.web.respond(self, self.role)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the http.server API
        pass


class _Web(LoopbackServers):
    """Servers on fixed loopback addresses (port 0: any free port); counts requests open at once."""

    hosts: ClassVar[dict[str, str]] = {}

    def __init__(self) -> None:
        super().__init__()
        self.ports: dict[str, int] = {}
        self.lock = threading.Lock()
        self.open_now = 0
        self.most_open = 0
        self.hits: Counter[tuple[str, str]] = Counter()

    def bind(self) -> None:
        for role, host in self.hosts.items():
            handler = type(f"{role}Handler", (_Handler,), {"web": self, "role": role})
            server = self.add_server(ThreadingHTTPServer((host, 0), handler))
            self.ports[role] = int(server.server_address[1])

    def url(self, role: str, path: str = "/") -> str:
        return f"http://{self.hosts[role]}:{self.ports[role]}{path}"

    def respond(self, handler: BaseHTTPRequestHandler, role: str, head: bool = False) -> None:
        with self.lock:
            self.open_now += 1
            self.most_open = max(self.most_open, self.open_now)
        try:
            status, body, headers = self.answer(role, handler)
            data = body.encode()
            handler.send_response(status)
            if not any(name.lower() == "content-type" for name, _ in headers):
                handler.send_header("Content-Type", "text/html; charset=utf-8")
            handler.send_header("Content-Length", str(len(data)))
            for name, value in headers:
                handler.send_header(name, value)
            handler.end_headers()
            if not head:
                handler.wfile.write(data)
        finally:
            with self.lock:
                self.open_now -= 1

    def answer(self, role: str, handler: BaseHTTPRequestHandler) -> tuple[int, str, list[tuple[str, str]]]:
        raise NotImplementedError


NOT_FOUND = (404, page("页面不存在", "<p>404 您访问的页面不存在</p>"), [])


class SharedHostWeb(_Web):
    """A consolidated platform on one host (see the module docstring)."""

    hosts: ClassVar[dict[str, str]] = {"platform": "127.0.0.81"}
    SUBSITES: ClassVar[dict[str, tuple[str, str, str]]] = {
        "/bm/fgj/": ("发展和改革局", "通知公告", "tzgg/"),
        "/bm/jyj/": ("教育局", "工作动态", "gzdt/"),
    }

    def registry_rows(self) -> list[dict[str, str]]:
        topic = self.url("platform", "/ztzl/jyj/")
        return [
            row("portal", "某某市人民政府", "county", "某某市", self.url("platform", "/")),
            row("fgj", "某某市发展和改革局", "agency", "市直", self.url("platform", "/bm/fgj/index.html")),
            row(
                "jyj",
                "某某市教育局",
                "agency",
                "市直",
                self.url("platform", "/bm/jyj/"),
                f"{self.url('platform', '/bm/jyj/')}|{topic}",
            ),
        ]

    def nav(self) -> str:
        # the platform's shared header: every page links to the portal and to every subsite
        return (
            '<a href="/">市政府门户</a> <a href="/zwgk/">政务公开</a> '
            '<a href="/bm/fgj/index.html">发展和改革局</a> <a href="/bm/jyj/">教育局</a>'
        )

    def answer(self, role: str, handler: BaseHTTPRequestHandler) -> tuple[int, str, list[tuple[str, str]]]:
        path = urlsplit(handler.path).path
        self.hits[(role, path)] += 1
        nav = self.nav()
        if path in ("/", "/index.html"):
            return 200, home_page("某某市人民政府", "/zwgk/", "政务公开", nav), []
        if path == "/zwgk/":
            return 200, page("政务公开", column_page("政务公开", "/zwgk/", 3), nav), []
        if path.startswith("/zwgk/art"):
            links = '<a href="/zwgk/missing.html">附件</a>' if path == "/zwgk/art1.html" else ""
            return 200, article_page("政务公开工作动态", f"<p>市政府政务公开工作。</p>{links}", nav), []
        for folder, (unit, column, slug) in self.SUBSITES.items():
            if path in (folder, folder + "index.html"):
                extra = '<a href="/ztzl/jyj/">教育专题</a>' if folder == "/bm/jyj/" else ""
                return 200, home_page(unit, folder + slug, column, nav, extra), []
            if path == folder + slug:
                return 200, page(column, column_page(column, folder + slug, 3), nav), []
            if path.startswith(folder + slug + "art"):
                broken = f'<a href="{folder}gone.html">附件</a>' if path.endswith("art2.html") else ""
                moved = f'<a href="{folder}old.html">相关文章</a>' if path.endswith("art1.html") else ""
                return 200, article_page(f"{unit}{column}", f"<p>{unit}本月工作。</p>{broken}{moved}", nav), []
            if path == folder + "old.html":  # an old address inside the subsite, moved to the portal's page
                return 302, "", [("Location", "/zwgk/")]
        if path == "/ztzl/jyj/":
            body = '<h2>教育专题</h2><p>专题介绍。</p><a href="/ztzl/jyj/lost.html">专题附件</a>'
            return 200, page("教育专题", body, nav), []
        return NOT_FOUND


def row(site_id: str, name: str, group: str, county: str, home: str, scope: str = "") -> dict[str, str]:
    return {"site_id": site_id, "name": name, "group": group, "county": county, "home_url": home, "scope": scope}


CLEARANCE = "gs_clearance"
#: The cookie a reluctant challenge's first page sets (``ChallengeWeb(reluctant=True)``): the next visit passes.
SEEN = "gs_seen"


def challenge(cookie_value: str, cookie: str = CLEARANCE, reload: bool = True) -> str:
    """A 加速乐-style challenge page: a script sets the clearance cookie and reloads (``reload=False``: it only sets
    ``cookie``)."""
    again = "setTimeout(function(){location.reload()},50);" if reload else ""
    return (
        '<html><head><meta charset="utf-8"></head><body><script>'
        f'document.cookie="{cookie}={cookie_value}; path=/";{again}'
        "</script></body></html>"
    )


class ChallengeWeb(_Web):
    """Hosts behind a JS cookie challenge, and a slow host (see the module docstring). With ``reluctant``, one more
    host whose challenge lets a browser in only on its second visit (瑞数-style rounds; as a first pass lost to a
    slow browser start looks): its first challenge page only sets :data:`SEEN` and never reloads."""

    hosts: ClassVar[dict[str, str]] = {
        "pass": "127.0.0.82",
        "wall": "127.0.0.83",
        "slow": "127.0.0.84",
        "reluctant": "127.0.0.86",
    }

    def __init__(self, slow_delay: float = 1.5, late_delay: float = 8.0, reluctant: bool = False) -> None:
        super().__init__()
        self.slow_delay = slow_delay
        self.late_delay = late_delay
        self.reluctant = reluctant

    def registry_rows(self) -> list[dict[str, str]]:
        rows = [
            row("guarded", "某某市审计局", "agency", "市直", self.url("pass")),
            row("walled", "某某市统计局", "agency", "市直", self.url("wall")),
            row("slow", "某某市气象局", "agency", "市直", self.url("slow")),
        ]
        if self.reluctant:
            rows.append(row("reluctant", "某某市档案局", "agency", "市直", self.url("reluctant")))
        return rows

    def answer(self, role: str, handler: BaseHTTPRequestHandler) -> tuple[int, str, list[tuple[str, str]]]:
        path = urlsplit(handler.path).path
        if role == "slow":
            late = path == "/tzgg/late.html" and not self.hits[(role, path)]
            self.hits[(role, path)] += 1
            time.sleep(self.late_delay if late else self.slow_delay)
        elif f"{CLEARANCE}=letmein" not in (handler.headers.get("Cookie") or "") or path == "/tzgg/locked.html":
            self.hits[(role, "challenge")] += 1
            if role == "reluctant" and f"{SEEN}=1" not in (handler.headers.get("Cookie") or ""):
                body = challenge("1", cookie=SEEN, reload=False)  # the first round: no reload, no clearance
            else:
                body = challenge("never" if role == "wall" else "letmein")
            return 521, body, [("Set-Cookie", "__jsluid_h=abc123; path=/")]
        self.hits[(role, "page")] += 1
        if path == "/":
            return 200, home_page("某某市人民政府部门", "/tzgg/", "通知公告"), []
        if path == "/tzgg/":
            return 200, page("通知公告", column_page("通知公告", "/tzgg/", 3)), []
        if path == "/tzgg/late.html":
            return 200, article_page("办理结果", "<p>已办结。</p>"), []
        if path.startswith("/tzgg/art"):
            broken = '<a href="/tzgg/gone.html">附件</a>' if path.endswith("art3.html") else ""
            broken += '<a href="/tzgg/late.html">办理结果</a>' if path.endswith("art2.html") else ""
            broken += '<a href="/tzgg/locked.html">内部通知</a>' if path.endswith("art1.html") else ""
            if role == "slow" and path.endswith("art1.html"):  # a sibling's page, behind the challenge
                broken += f'<a href="{self.url("pass", "/tzgg/art2.html")}">兄弟单位通知</a>'
            return 200, article_page("通知公告", f"<p>本月工作安排。</p>{broken}"), []
        return NOT_FOUND


class CappedWeb(_Web):
    """A county site bigger than the caps a test gives it; the pages of column ``slow`` answer after ``pause``
    seconds, so that two crawls with different slow columns see the answers in different orders.

    Home: three columns (通知公告, 工作动态, 政策文件), each a list of 12 articles over 3 pages (``?page=N``);
    every article links to three related articles of other columns (plain links, deeper than the lists), to a
    missing attachment when its number is divisible by 4, and to a calendar (``/rl.asp?d=N``, a query-variant
    trap). Articles ending in 3 carry a serious typo (中华人民共合国) on a line of their own; every article's
    sidebar repeats one typo line (国务院办工厅) beside the article's own title.
    """

    hosts: ClassVar[dict[str, str]] = {"county": "127.0.0.85"}
    COLUMNS: ClassVar[dict[str, str]] = {"tzgg": "通知公告", "gzdt": "工作动态", "zcwj": "政策文件"}
    ARTICLES, PER_PAGE = 12, 4

    def __init__(self, slow: str = "", pause: float = 0.3) -> None:
        super().__init__()
        self.slow, self.pause = slow, pause

    def registry_rows(self) -> list[dict[str, str]]:
        return [row("capped", "某某县人民政府", "county", "某某县", self.url("county"))]

    def nav(self) -> str:
        return " ".join(f'<a href="/{slug}/list.asp?page=1">{name}</a>' for slug, name in self.COLUMNS.items())

    def answer(self, role: str, handler: BaseHTTPRequestHandler) -> tuple[int, str, list[tuple[str, str]]]:
        parts = urlsplit(handler.path)
        if self.slow and parts.path.startswith(f"/{self.slow}/"):
            time.sleep(self.pause)
        path, query = parts.path, dict(q.split("=", 1) for q in parts.query.split("&") if "=" in q)
        nav = self.nav()
        slugs = list(self.COLUMNS)
        if path == "/":
            blocks = "".join(
                f'<div class="block"><h2>{name}</h2><a href="/{slug}/list.asp?page=1">更多</a></div>'
                for slug, name in self.COLUMNS.items()
            )
            return 200, page("某某县人民政府", blocks, nav), []
        slug = path.strip("/").split("/")[0]
        if slug in self.COLUMNS and path.endswith("/list.asp"):
            number = int(query.get("page", "1"))
            pages = self.ARTICLES // self.PER_PAGE
            if not 1 <= number <= pages:
                return NOT_FOUND
            first = (number - 1) * self.PER_PAGE + 1
            name = self.COLUMNS[slug]
            items = "".join(
                f'<li><a href="/{slug}/show.asp?id={i}">{name}第{i}号</a><span>2026-11-{i:02d}</span></li>'
                for i in range(first, first + self.PER_PAGE)
            )
            pager = "".join(f'<a href="/{slug}/list.asp?page={n}">{n}</a> ' for n in range(1, pages + 1))
            body = f'<h2>{self.COLUMNS[slug]}</h2><ul class="list">{items}</ul><div class="pager">{pager}</div>'
            return 200, page(self.COLUMNS[slug], body, nav), []
        if slug in self.COLUMNS and path.endswith("/show.asp"):
            number = int(query.get("id", "0"))
            if not 1 <= number <= self.ARTICLES:
                return NOT_FOUND
            others = [s for s in slugs if s != slug]
            related = "".join(
                f'<li><a href="/{other}/show.asp?id={(number * 5 + k) % self.ARTICLES + 1}">相关文章{k}</a></li>'
                for k, other in enumerate([*others, others[0]])
            )
            missing = f'<p><a href="/files/{slug}{number}.doc.html">附件</a></p>' if number % 4 == 0 else ""
            typo = "<p>依据中华人民共合国有关法律法规。</p>" if number % 10 == 3 else ""
            title = f"{self.COLUMNS[slug]}第{number}号"
            body = (
                f"<h1>{title}</h1><p>发布日期：2026-11-{number:02d}</p><p>{title}正文。</p>{typo}{missing}"
                f'<div class="side"><p>{title}：转发国务院办工厅通知</p><ul>{related}</ul>'
                f'<a href="/rl.asp?d={number}">活动日历</a></div>'
            )
            return 200, page(title, body, nav), []
        if path == "/rl.asp":
            day = int(query.get("d", "1"))
            return 200, page("活动日历", f'<p>第{day}天</p><a href="/rl.asp?d={day + 1}">后一天</a>', nav), []
        return NOT_FOUND


class RedirectBackWeb(_Web):
    """Permalinks that redirect to pages read already (see the module docstring)."""

    hosts: ClassVar[dict[str, str]] = {"site": "127.0.0.88"}
    TARGETS: ClassVar[dict[str, str]] = {
        "2": "/tzgg/art2.html",
        "3": "/tzgg/art3.html",
        "8": "/tzgg/",
        "9": "/tzgg/gone.html",
    }

    def registry_rows(self) -> list[dict[str, str]]:
        return [row("permalinks", "某某市档案局", "agency", "市直", self.url("site"))]

    def answer(self, role: str, handler: BaseHTTPRequestHandler) -> tuple[int, str, list[tuple[str, str]]]:
        path = urlsplit(handler.path).path
        with self.lock:
            self.hits[(handler.command, path)] += 1
        nav = '<a href="/tzgg/">通知公告</a>'
        if path.startswith("/go/") and path[4:] in self.TARGETS:
            return 302, "", [("Location", f"/go2/{path[4:]}")]
        if path.startswith("/go2/") and path[5:] in self.TARGETS:
            return 302, "", [("Location", self.TARGETS[path[5:]])]
        if path == "/":
            return 200, home_page("某某市档案局", "/tzgg/", "通知公告", nav), []
        if path == "/tzgg/":
            return 200, page("通知公告", column_page("通知公告", "/tzgg/", 3), nav), []
        if path in ("/tzgg/art1.html", "/tzgg/art2.html", "/tzgg/art3.html"):
            number = path[-6]
            # art1 is on the home page too (depth 1, where links may name columns): its permalink is a column
            # candidate, read as one, so only the articles below carry them
            links = f'<a href="/go/{number}">本文链接</a>' if number != "1" else ""
            links += '<a href="/go/8">返回列表</a><a href="/go/9">往期通知</a>' if number == "3" else ""
            return 200, article_page(f"通知公告第{number}期", links, nav), []
        return NOT_FOUND


class PinnedYearWeb(_Web):
    """Year-less list dates under a pinned item (see the module docstring)."""

    hosts: ClassVar[dict[str, str]] = {"site": "127.0.0.91"}
    #: column -> (name, the pinned item's list date and its article's date, the other items' dates)
    COLUMNS: ClassVar[dict[str, tuple[str, str, str, tuple[str, ...]]]] = {
        "tzgg": ("通知公告", "11-28", "2025-11-28", ("2026-09-26", "2026-09-24", "2026-09-20")),
        "gzdt": ("工作动态", "11-27", "2026-11-27", ("2026-08-01", "2026-07-15", "2026-07-01")),
        "zcjd": ("政策解读", "03-01", "2024-03-01", ("2026-09-26", "2026-09-02", "2026-08-30")),
        "tjsj": ("统计数据", "11-29", "", ("2026-09-26", "2026-09-02", "2026-08-30")),  # an article without a date
    }
    #: the home page's 图片新闻 block (no column): its articles' dates, shown there without the year
    PICTURES: ClassVar[tuple[str, ...]] = ("2025-11-30", "2026-09-20")

    def registry_rows(self) -> list[dict[str, str]]:
        return [row("pinned", "某某市统计局", "agency", "市直", self.url("site"))]

    def nav(self) -> str:
        return "".join(f'<a href="/{key}/">{name}</a>' for key, (name, *_rest) in self.COLUMNS.items())

    def answer(self, role: str, handler: BaseHTTPRequestHandler) -> tuple[int, str, list[tuple[str, str]]]:
        path = urlsplit(handler.path).path
        with self.lock:
            self.hits[(handler.command, path)] += 1
        if path == "/":
            # the home page's 通知公告 block shows the list's first two items, pinned one first, dates as there; the
            # 图片新闻 block, of no column, shows last year's item first, unmarked
            block = (
                '<div class="block"><h2>通知公告</h2><a href="/tzgg/">更多</a><ul>'
                '<li><a href="/tzgg/art0.html">通知公告置顶通知</a><span>[11-28]</span></li>'
                '<li><a href="/tzgg/art1.html">通知公告第1期</a><span>[09-26]</span></li></ul></div>'
                '<div class="block"><h2>图片新闻</h2><ul>'
                + "".join(
                    f'<li><a href="/tpxw/art{i}.html">图片新闻第{i}期</a><span>[{day[5:]}]</span></li>'
                    for i, day in enumerate(self.PICTURES)
                )
                + "</ul></div>"
            )
            return 200, page("某某市统计局", block, self.nav()), []
        if path.startswith("/tpxw/art"):
            number = path.removeprefix("/tpxw/art").removesuffix(".html")
            if not number.isdigit() or int(number) >= len(self.PICTURES):
                return NOT_FOUND
            day = self.PICTURES[int(number)]
            body = f"<h1>图片新闻第{number}期</h1><p>发布日期：{day}</p><p>正文。</p>"
            return 200, page(f"图片新闻第{number}期", body, self.nav()), []
        key, _slash, rest = path.strip("/").partition("/")
        if key not in self.COLUMNS:
            return NOT_FOUND
        name, shown, pinned_date, dates = self.COLUMNS[key]
        if not rest:
            top = f'<em class="top">[置顶]</em><a href="/{key}/art0.html">{name}置顶通知</a>'
            items = f"<li>{top}<span>[{shown}]</span></li>"
            items += "".join(
                f'<li><a href="/{key}/art{i}.html">{name}第{i}期</a><span>[{day[5:]}]</span></li>'
                for i, day in enumerate(dates, 1)
            )
            return 200, page(name, f'<h2>{name}</h2><ul class="list">{items}</ul>', self.nav()), []
        number = rest.removeprefix("art").removesuffix(".html")
        if number.isdigit() and int(number) <= len(dates):
            day = pinned_date if number == "0" else dates[int(number) - 1]
            body = f"<h1>{name}第{number}期</h1>" + (f"<p>发布日期：{day}</p>" if day else "") + "<p>正文。</p>"
            return 200, page(f"{name}第{number}期", body, self.nav()), []
        return NOT_FOUND


class HeadRefusingWeb(_Web):
    """Every HEAD refused with 405 (see the module docstring)."""

    hosts: ClassVar[dict[str, str]] = {"site": "127.0.0.89"}
    ARTICLES = 3

    def __init__(self) -> None:
        super().__init__()
        self.logo_asked_again = threading.Event()  # the crawler took the 405 and asked the home page's image by GET

    def registry_rows(self) -> list[dict[str, str]]:
        return [row("nohead", "某某市地震局", "agency", "市直", self.url("site"))]

    def answer(self, role: str, handler: BaseHTTPRequestHandler) -> tuple[int, str, list[tuple[str, str]]]:
        path = urlsplit(handler.path).path
        with self.lock:
            self.hits[(handler.command, path)] += 1
        if handler.command == "HEAD":
            return 405, page("405", "<p>Method Not Allowed</p>"), [("Allow", "GET, POST")]
        nav = '<a href="/tzgg/">通知公告</a>'
        if path == "/":
            logo = '<img src="/images/logo.gif" alt="标志">'
            return 200, home_page("某某市地震局", "/tzgg/", "通知公告", nav, logo), []
        if path == "/tzgg/":
            return 200, page("通知公告", column_page("通知公告", "/tzgg/", self.ARTICLES), nav), []
        if path.startswith("/tzgg/art") and path.endswith(".html"):
            self.logo_asked_again.wait(30)  # articles only once the refusal was seen, however busy the machine
            number = path.removeprefix("/tzgg/art").removesuffix(".html")
            images = f'<img src="/images/{number}.gif" alt="图一"><img src="/images/gone{number}.gif" alt="图二">'
            return 200, article_page(f"通知公告第{number}期", images, nav), []
        if path.startswith("/images/") and not path.startswith("/images/gone"):
            if path == "/images/logo.gif":
                self.logo_asked_again.set()
            return 200, "GIF89a", [("Content-Type", "image/gif")]
        return NOT_FOUND


def fill_function(name: str = "") -> str:
    """A script function (named ``name``, else anonymous) that adds an answer's items (its ``data`` or ``items``:
    ``url``, ``title``, ``pubDate``) to the page's ``#list``."""
    return (
        f"function {name}(d){{var ul=document.getElementById('list');(d.data||d.items||[]).forEach(function(it){{"
        "var li=document.createElement('li');li.innerHTML='<a href=\"'+it.url+'\">'+it.title+'</a>"
        "<span>'+it.pubDate+'</span>';ul.appendChild(li);});}"
    )


def _json(data: object) -> tuple[int, str, list[tuple[str, str]]]:
    return 200, json.dumps(data, ensure_ascii=False), [("Content-Type", "application/json; charset=utf-8")]


class EndpointWeb(_Web):
    """Column lists filled by scripts from JSON endpoints (see the module docstring).

    Each column ``k`` (index ``n``) lists ``n + 3`` articles, the newest dated 2026-11-``(n + 10)``; the
    mailbox column lists letters. ``hits[(role, "browser"|"plain")]`` counts endpoint requests by sender.
    """

    hosts: ClassVar[dict[str, str]] = {"literal": "127.0.0.86", "derived": "127.0.0.87"}
    COLUMNS: ClassVar[dict[str, str]] = {
        "tzgg": "通知公告",
        "gzdt": "工作动态",
        "zcwj": "政策文件",
        "rsxx": "人事信息",
        "ghjh": "规划计划",
        "zcjd": "政策解读",
    }
    #: the derived host's column whose script asks another endpoint than the others
    ODD = "zcjd"

    def registry_rows(self) -> list[dict[str, str]]:
        return [
            row("literal", "某某市住房和城乡建设局", "agency", "市直", self.url("literal")),
            row("derived", "某某县人民政府", "county", "某某县", self.url("derived")),
        ]

    def column_path(self, role: str, slug: str) -> str:
        return f"/{slug}/" if role == "literal" else f"/xxgk/{slug}/index.html"

    def expected(self) -> dict[tuple[str, str], tuple[int, str]]:
        """(site, column path) -> (items, newest date)."""
        return {
            (role, self.column_path(role, slug)): (n + 3, f"2026-11-{n + 10:02d}")
            for role in self.hosts
            for n, slug in enumerate(self.COLUMNS)
        }

    def items(self, role: str, slug: str) -> list[dict[str, str]]:
        n = list(self.COLUMNS).index(slug)
        folder = self.column_path(role, slug).rsplit("/", 1)[0]
        return [
            {
                "title": f"{self.COLUMNS[slug]}第{i}号文件",
                "url": f"{folder}/art{i}.html",
                "pubDate": f"2026-11-{n + 10 - i:02d}",
            }
            for i in range(n + 3)
        ]

    def list_answer(self, role: str, slug: str, query: dict[str, str]) -> tuple[int, str, list[tuple[str, str]]]:
        """The answer of column ``slug``'s endpoint (``query``: the query it was asked with): the whole list."""
        key = "data" if role == "literal" else "items"
        return _json({"total": len(self.items(role, slug)), key: self.items(role, slug)})

    def script(self, role: str, slug: str) -> str:
        fill = fill_function()
        if role == "literal":
            call = f"var url = '/api/list?col={slug}'; fetch(url + '&page=1')"
        elif slug == self.ODD:
            call = "var col = location.pathname.split('/')[2]; fetch('/data/jd?lm=' + col)"
        else:
            call = "var col = location.pathname.split('/')[2]; fetch('/data/list?channel=' + col + '&size=20')"
        weather = "fetch('/api/weather').then(function(r){return r.json();});"
        return f"<script>{weather}{call}.then(function(r){{return r.json();}}).then({fill});</script>"

    def nav(self, role: str) -> str:
        links = [f'<a href="{self.column_path(role, slug)}">{name}</a>' for slug, name in self.COLUMNS.items()]
        return " ".join([*links, '<a href="/xxgk/ldxx/index.html">领导信箱</a>'])

    def answer(self, role: str, handler: BaseHTTPRequestHandler) -> tuple[int, str, list[tuple[str, str]]]:
        parts = urlsplit(handler.path)
        path, query = parts.path, dict(parse_qsl(parts.query))
        nav = self.nav(role)
        if path.startswith(("/api/", "/data/")):
            sender = "browser" if handler.headers.get("Sec-Fetch-Mode") else "plain"
            self.hits[(role, sender)] += 1
        if path == "/":
            return 200, home_page("某某网站", self.column_path(role, "tzgg"), "通知公告", nav), []
        if path == "/api/weather":
            return _json({"city": "某某", "temp": "12"})
        slug = query.get("col") if path == "/api/list" and role == "literal" else None
        if role == "derived" and path in ("/data/list", "/data/jd"):
            slug = query.get("channel") if path == "/data/list" else query.get("lm")
            if (slug == self.ODD) != (path == "/data/jd"):
                return 404, json.dumps({"error": "栏目不存在"}), [("Content-Type", "application/json")]
        if slug in self.COLUMNS:
            return self.list_answer(role, slug, query)
        for slug, name in self.COLUMNS.items():
            if path == self.column_path(role, slug):
                body = f'<h2>{name}</h2><ul class="list" id="list"></ul>{self.script(role, slug)}'
                return 200, page(name, body, nav), []
        if path == "/xxgk/ldxx/index.html":
            letters = "".join(
                f'<tr><td><a href="/xxgk/ldxx/x{i}.html">关于道路维修的咨询{i}</a></td><td>2026-11-0{i}</td>'
                "<td>已回复</td></tr>"
                for i in range(1, 4)
            )
            return 200, page("领导信箱", f"<h2>领导信箱</h2><table>{letters}</table>", nav), []
        if "/art" in path or path.startswith("/xxgk/ldxx/x"):
            return 200, article_page("工作文件", "<p>正文。</p>", nav), []
        return NOT_FOUND


class PagedEndpointWeb(EndpointWeb):
    """:class:`EndpointWeb`'s literal host, its lists served a page at a time (see the module docstring)."""

    hosts: ClassVar[dict[str, str]] = {"literal": "127.0.0.97"}
    COLUMNS: ClassVar[dict[str, str]] = {"tzgg": "通知公告", "gzdt": "工作动态", "zcwj": "政策文件"}
    PER_PAGE, PAGES = 4, 3

    def __init__(self) -> None:
        super().__init__()
        self.asked: Counter[tuple[str, str, int]] = Counter()

    def registry_rows(self) -> list[dict[str, str]]:
        return [row("paged", "某某市自然资源局", "agency", "市直", self.url("literal"))]

    def items(self, role: str, slug: str) -> list[dict[str, str]]:
        folder = self.column_path(role, slug).rsplit("/", 1)[0]
        return [
            {
                "title": f"{self.COLUMNS[slug]}第{i}号文件",
                "url": f"{folder}/art{i}.html",
                "pubDate": f"2026-11-{28 - i}",  # newest first, every one inside the evaluation window
            }
            for i in range(self.PER_PAGE * self.PAGES)
        ]

    def page_items(self, slug: str, number: int) -> list[dict[str, str]]:
        """The items of page ``number`` (from 1) of column ``slug``'s list, newest first."""
        return self.items("literal", slug)[(number - 1) * self.PER_PAGE : number * self.PER_PAGE]

    def list_answer(self, role: str, slug: str, query: dict[str, str]) -> tuple[int, str, list[tuple[str, str]]]:
        return self.page_answer(role, slug, int(query.get("page", "1")))

    def page_answer(
        self, role: str, slug: str, number: int, *, says_page: bool = False
    ) -> tuple[int, str, list[tuple[str, str]]]:
        """Page ``number`` of column ``slug``'s list with its total and page size (and its own number: ``pageNum``)."""
        answer = {
            "total": len(self.items(role, slug)),
            "pageSize": self.PER_PAGE,
            "data": self.page_items(slug, number),
        }
        return _json({"pageNum": number, **answer} if says_page else answer)

    def note_asked(self, handler: BaseHTTPRequestHandler, slug: str, number: int) -> None:
        """Count a list request by sender (the browser, ``Sec-Fetch-Mode``, or a plain request), column and page."""
        sender = "browser" if handler.headers.get("Sec-Fetch-Mode") else "plain"
        with self.lock:
            self.asked[(sender, slug, number)] += 1

    def answer(self, role: str, handler: BaseHTTPRequestHandler) -> tuple[int, str, list[tuple[str, str]]]:
        parts = urlsplit(handler.path)
        if parts.path == "/api/list":
            query = dict(parse_qsl(parts.query))
            self.note_asked(handler, query.get("col", ""), int(query.get("page", "0")))
        return super().answer(role, handler)


class PathPagedEndpointWeb(PagedEndpointWeb):
    """:class:`PagedEndpointWeb` whose endpoint takes the page in its path (see the module docstring)."""

    hosts: ClassVar[dict[str, str]] = {"literal": "127.0.0.103"}
    #: what the script adds to ``/api/list/<column>``: the page ("" for none: the server's first page)
    PAGE_SEGMENT = "/1"

    def script(self, role: str, slug: str) -> str:
        call = f"var col = '{slug}'; fetch('/api/list/' + col + '{self.PAGE_SEGMENT}')"
        return f"<script>{call}.then(function(r){{return r.json();}}).then({fill_function()});</script>"

    def answer(self, role: str, handler: BaseHTTPRequestHandler) -> tuple[int, str, list[tuple[str, str]]]:
        parts = urlsplit(handler.path).path.split("/")
        if len(parts) == 4 and not self.PAGE_SEGMENT:
            parts.append("1")
        if len(parts) == 5 and parts[1:3] == ["api", "list"] and parts[3] in self.COLUMNS and parts[4].isdigit():
            slug, number = parts[3], int(parts[4])
            self.note_asked(handler, slug, number)
            return self.page_answer(role, slug, number, says_page=True)
        return super().answer(role, handler)


class UnpagedPathEndpointWeb(PathPagedEndpointWeb):
    """:class:`PathPagedEndpointWeb` whose script asks no page (see the module docstring)."""

    hosts: ClassVar[dict[str, str]] = {"literal": "127.0.0.104"}
    PAGE_SEGMENT = ""


class IdPathEndpointWeb(PagedEndpointWeb):
    """Columns numbered in the endpoint's path, and channels no menu names (see the module docstring)."""

    hosts: ClassVar[dict[str, str]] = {"literal": "127.0.0.105"}
    COLUMNS: ClassVar[dict[str, str]] = {"1": "通知公告", "21": "工作动态", "22": "政策文件"}
    #: channels the endpoint serves that no menu names (what a page number moved from ``1`` would reach)
    HIDDEN: ClassVar[dict[str, str]] = {"2": "内部通知", "3": "内部简报"}

    def script(self, role: str, slug: str) -> str:
        return (
            f"<script>fetch('/api/col/{slug}').then(function(r){{return r.json();}}).then({fill_function()});</script>"
        )

    def items(self, role: str, slug: str) -> list[dict[str, str]]:
        name = {**self.COLUMNS, **self.HIDDEN}[slug]
        return [
            {"title": f"{name}第{i}号文件", "url": f"/{slug}/art{i}.html", "pubDate": f"2026-11-{28 - i}"}
            for i in range(self.PER_PAGE * self.PAGES)
        ]

    def answer(self, role: str, handler: BaseHTTPRequestHandler) -> tuple[int, str, list[tuple[str, str]]]:
        parts = urlsplit(handler.path).path.split("/")
        if len(parts) == 4 and parts[1:3] == ["api", "col"] and parts[3] in {**self.COLUMNS, **self.HIDDEN}:
            self.note_asked(handler, parts[3], 1)
            return self.page_answer(role, parts[3], 1, says_page=True)
        return super().answer(role, handler)


class BrowserOnlyEndpointWeb(PagedEndpointWeb):
    """:class:`PagedEndpointWeb` whose endpoint answers the browser only (see the module docstring)."""

    def answer(self, role: str, handler: BaseHTTPRequestHandler) -> tuple[int, str, list[tuple[str, str]]]:
        if urlsplit(handler.path).path == "/api/list" and not handler.headers.get("Sec-Fetch-Mode"):
            super().answer(role, handler)  # counted as asked
            return 403, page("禁止访问", "<p>非法请求</p>"), []
        return super().answer(role, handler)


class FramedWeb(_Web):
    """A home page that frames another host's page (see the module docstring)."""

    hosts: ClassVar[dict[str, str]] = {"home": "127.0.0.76", "framed": "127.0.0.77"}

    def answer(self, role: str, handler: BaseHTTPRequestHandler) -> tuple[int, str, list[tuple[str, str]]]:
        self.hits[(role, urlsplit(handler.path).path)] += 1
        if role == "home":
            frame = f'<iframe id="map" src="{self.url("framed", "/map.html")}"></iframe>'
            return 200, page("某某县人民政府", f"<h2>政务地图</h2>{frame}"), []
        script = "<script>document.getElementById('where').textContent = '县政务服务中心';</script>"
        return 200, page("政务地图", f'<p id="where"></p>{script}'), []


def request_body(handler: BaseHTTPRequestHandler) -> str:
    """The request's body as text (read once; later calls return what the first read)."""
    read = getattr(handler, "_govsites_body", None)
    if read is None:
        length = int(handler.headers.get("Content-Length") or 0)
        read = handler.rfile.read(length).decode("utf-8", "replace") if length else ""
        handler._govsites_body = read  # type: ignore[attr-defined]
    return read


class PostEndpointWeb(_Web):
    """Lists filled from endpoints asked with POST (see the module docstring).

    ``asked[(role, sender, column, page)]`` counts list requests (sender "browser" or "plain"; page 0: not paged).
    """

    hosts: ClassVar[dict[str, str]] = {"form": "127.0.0.101", "json": "127.0.0.102"}
    FORM_COLUMNS: ClassVar[dict[str, str]] = {"1231": "通知公告", "1232": "工作动态", "1233": "政策文件"}
    JSON_COLUMNS: ClassVar[dict[str, str]] = {
        "tzgg": "通知公告",
        "gzdt": "工作动态",
        "zcwj": "政策文件",
        "zcjd": "政策解读",
    }
    #: the json host's column whose script sends a FormData (to ``/api/jd``)
    ODD = "zcjd"
    PER_PAGE, PAGES = 4, 3

    def __init__(self) -> None:
        super().__init__()
        self.asked: Counter[tuple[str, str, str, int]] = Counter()

    def registry_rows(self) -> list[dict[str, str]]:
        return [
            row("form", "某某县人民政府", "county", "某某县", self.url("form")),
            row("json", "某某市发展和改革委员会", "agency", "市直", self.url("json")),
        ]

    def columns(self, role: str) -> dict[str, str]:
        return self.FORM_COLUMNS if role == "form" else self.JSON_COLUMNS

    def column_path(self, role: str, key: str) -> str:
        return f"/col/col{key}/index.html" if role == "form" else f"/xxgk/{key}/"

    def items(self, role: str, key: str) -> list[dict[str, str]]:
        """Every item of the column's list, newest first (the form host's, over its pages)."""
        n = list(self.columns(role)).index(key)
        count = self.PER_PAGE * self.PAGES if role == "form" else n + 3
        return [
            {
                "title": f"{self.columns(role)[key]}第{i}号文件",
                "url": f"/art/2026/11/{25 - n - i}/art_{key}_{i}.html",
                "pubDate": f"2026-11-{25 - n - i:02d}",
            }
            for i in range(count)
        ]

    def expected(self) -> dict[tuple[str, str], tuple[int, str]]:
        """(site, column path) -> (items of its first page, newest date)."""
        found = {}
        for role in self.hosts:
            for key in self.columns(role):
                items = self.items(role, key)
                first = items[: self.PER_PAGE] if role == "form" else items
                found[(role, self.column_path(role, key))] = (len(first), items[0]["pubDate"])
        return found

    def script(self, role: str, key: str) -> str:
        fill = fill_function("fill")
        if role == "form":
            call = (
                f'var columnid = "{key}"; var unitid = "88";'
                "function load(pageNo){var xhr=new XMLHttpRequest();xhr.open('POST','/module/web/list.do');"
                "xhr.setRequestHeader('Content-Type','application/x-www-form-urlencoded; charset=UTF-8');"
                "xhr.onload=function(){fill(JSON.parse(xhr.responseText));};"
                "xhr.send('columnid='+columnid+'&unitid='+unitid+'&webname='+encodeURIComponent('某某县')"
                "+'&pageNo='+pageNo+'&pageSize=4');}load(1);"
            )
        elif key == self.ODD:
            call = (
                "var col=location.pathname.split('/')[2];var fd=new FormData();fd.append('lm',col);"
                "fetch('/api/jd',{method:'POST',body:fd}).then(function(r){return r.json();}).then(fill);"
            )
        else:
            call = (
                "var col=location.pathname.split('/')[2];"
                "fetch('/api/list',{method:'POST',headers:{'Content-Type':'application/json'},"
                "body:JSON.stringify({channelId:col,pageNum:1,pageSize:20})})"
                ".then(function(r){return r.json();}).then(fill);"
            )
        visit = (
            "fetch('/api/visit',{method:'POST',headers:{'Content-Type':'application/json'},"
            "body:JSON.stringify({site:'fgw'})});"
        )
        return f"<script>{fill}{call}{visit if role == 'json' else ''}</script>"

    def list_answer(self, role: str, handler: BaseHTTPRequestHandler) -> tuple[int, str, list[tuple[str, str]]]:
        path, body = urlsplit(handler.path).path, request_body(handler)
        sender = "browser" if handler.headers.get("Sec-Fetch-Mode") else "plain"
        if path == "/module/web/list.do":
            form = dict(parse_qsl(body))
            key, number = form.get("columnid", ""), int(form.get("pageNo", "1") or 1)
            valid = key in self.FORM_COLUMNS and form.get("webname") == "某某县" and form.get("unitid") == "88"
        elif path == "/api/list":
            try:
                asked = json.loads(body or "{}")
            except ValueError:
                asked = {}
            key, number = str(asked.get("channelId", "")), 0
            valid = key in self.JSON_COLUMNS and key != self.ODD
        else:  # /api/jd: a multipart form (its field is not read: one column asks it)
            key, number, valid = self.ODD, 0, "multipart/form-data" in handler.headers.get("Content-Type", "")
        with self.lock:
            self.asked[(role, sender, key, number)] += 1
        if handler.command != "POST" or not valid:
            return 404, json.dumps({"error": "栏目不存在"}), [("Content-Type", "application/json")]
        items = self.items(role, key)
        if role == "form":
            items = items[(number - 1) * self.PER_PAGE : number * self.PER_PAGE]
        if role == "json":  # one answer holds the whole list
            return _json({"total": len(items), "data": items})
        return _json({"total": len(self.items(role, key)), "pageSize": self.PER_PAGE, "data": items})

    def nav(self, role: str) -> str:
        return " ".join(
            f'<a href="{self.column_path(role, key)}">{name}</a>' for key, name in self.columns(role).items()
        )

    def answer(self, role: str, handler: BaseHTTPRequestHandler) -> tuple[int, str, list[tuple[str, str]]]:
        path = urlsplit(handler.path).path
        nav = self.nav(role)
        if path in ("/module/web/list.do", "/api/list", "/api/jd"):
            return self.list_answer(role, handler)
        if path == "/api/visit":
            request_body(handler)
            return _json({"ok": True, "count": 1024})
        if path == "/":
            first = next(iter(self.columns(role)))
            return 200, home_page("某某网站", self.column_path(role, first), "通知公告", nav), []
        for key, name in self.columns(role).items():
            if path == self.column_path(role, key):
                body = f'<h2>{name}</h2><ul class="list" id="list"></ul>{self.script(role, key)}'
                return 200, page(name, body, nav), []
        if path.startswith("/art/"):
            return 200, article_page("工作文件", "<p>正文。</p>", nav), []
        return NOT_FOUND


class BusyRenderWeb(EndpointWeb):
    """:class:`EndpointWeb`'s literal host with slow browser navigations (see the module docstring)."""

    hosts: ClassVar[dict[str, str]] = {"literal": "127.0.0.78"}
    NAVIGATION_DELAY = 2.0
    #: Plain requests of the home page are answered no sooner than this many seconds after the first one came (a
    #: probe or the crawl's): every worker of a distributed crawl that started with the first one has started by the
    #: time the site's pages are queued (0: at once).
    FIRST_HOME_DELAY = 0.0

    def __init__(self) -> None:
        super().__init__()
        self.navigating = 0
        self.most_navigating = 0
        self.navigations = 0
        self.home_first_at: float | None = None

    def registry_rows(self) -> list[dict[str, str]]:
        return [row("busy", "某某市住房和城乡建设局", "agency", "市直", self.url("literal"))]

    def answer(self, role: str, handler: BaseHTTPRequestHandler) -> tuple[int, str, list[tuple[str, str]]]:
        if handler.headers.get("Sec-Fetch-Mode") != "navigate":
            if urlsplit(handler.path).path == "/" and self.FIRST_HOME_DELAY:
                with self.lock:
                    if self.home_first_at is None:
                        self.home_first_at = time.monotonic()
                    until = self.home_first_at + self.FIRST_HOME_DELAY
                time.sleep(max(0.0, until - time.monotonic()))
            return super().answer(role, handler)
        with self.lock:
            self.navigating += 1
            self.navigations += 1
            self.most_navigating = max(self.most_navigating, self.navigating)
        try:
            time.sleep(self.NAVIGATION_DELAY)
            return super().answer(role, handler)
        finally:
            with self.lock:
                self.navigating -= 1
