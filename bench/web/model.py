"""The synthetic government web as data: sites drawn deterministically from ``(seed, site index)``.

Each site reuses the demo web's records (:mod:`govsites.demo.model`: ``Site``, ``Column``, ``Item``) and adds
the variations the bench web needs (``BenchSite``): CMS family details, date formats and placements, HTTP
quirks (HEAD 405, a 503 that recovers, redirect chains, soft 404s) and planted broken links and typos.
Nothing is generated up front: ``make_site(config, index)`` builds one site when it is first asked for.
Standard library only.
"""

from __future__ import annotations

import math
import random
import zlib
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import lru_cache

from govsites.demo.expected import window_start
from govsites.demo.model import DEAD_NETLOC, Column, Item, Site

AS_OF: date = date(2015, 12, 31)
DEAD_URL = f"http://{DEAD_NETLOC}"

# (name, slug, category): the category is the truth (the rule of data/categories.csv, labelled by hand).
COLUMN_POOL: tuple[tuple[str, str, str], ...] = (
    ("工作动态", "gzdt", "news"),
    ("要闻动态", "ywdt", "news"),
    ("部门动态", "bmdt", "news"),
    ("乡镇动态", "xzdt", "news"),
    ("通知公告", "tzgg", "notice"),
    ("公示公告", "gsgg", "notice"),
    ("政策文件", "zcwj", "policy"),
    ("政策解读", "zcjd", "policy"),
    ("法规文件", "fgwj", "policy"),
    ("人事信息", "rsxx", "personnel"),
    ("规划计划", "ghjh", "plan"),
    ("财政预决算", "czyjs", "disclosure"),
    ("三公经费", "sgjf", "disclosure"),
    ("办事指南", "bszn", "guide"),
    ("表格下载", "bgxz", "guide"),
    ("领导信箱", "ldxx", "interaction"),
    ("在线访谈", "zxft", "interaction"),
    ("征集调查", "zjdc", "interaction"),
    ("专题专栏", "ztzl", "other"),
    ("党建园地", "djyd", "other"),
    ("统计数据", "tjsj", "other"),
)
FIXED_FIRST = ("gzdt", "tzgg", "zcwj")  # every site has these (home blocks)

COUNTIES = ("汉滨区", "汉阴县", "石泉县", "宁陕县", "紫阳县", "岚皋县", "平利县", "镇坪县", "旬阳县", "白河县")
AGENCIES = (
    "发展和改革委员会",
    "教育局",
    "公安局",
    "民政局",
    "财政局",
    "人力资源和社会保障局",
    "国土资源局",
    "环境保护局",
    "住房和城乡建设局",
    "交通运输局",
    "水利局",
    "农业局",
    "林业局",
    "商务局",
    "文化广电局",
    "卫生和计划生育局",
    "审计局",
    "统计局",
    "安全生产监督管理局",
    "食品药品监督管理局",
    "旅游局",
    "扶贫开发局",
)
TOPICS = (
    "脱贫攻坚",
    "安全生产",
    "防汛抗旱",
    "项目建设",
    "招商引资",
    "精准扶贫",
    "环境整治",
    "党风廉政建设",
    "三严三实",
    "农村危房改造",
    "社会保障",
    "食品安全",
    "城乡一体化",
    "依法行政",
    "政务公开",
    "冬春火灾防控",
)
TITLES = (
    "{unit}召开{topic}工作推进会",
    "关于做好{topic}工作的通知",
    "{unit}开展{topic}专项检查",
    "{topic}工作取得阶段性成效",
    "关于印发{topic}实施方案的通知",
    "{unit}部署{topic}重点工作",
    "{unit}领导深入基层调研{topic}工作情况并召开座谈会",
    "关于{topic}工作情况的公示",
)

# Serious typos planted (wrong, right, sentence); the wrong form must appear exactly as given.
TYPOS: tuple[tuple[str, str, str], ...] = (
    ("中华人民共合国", "中华人民共和国", "依据《中华人民共合国政府信息公开条例》，现将有关事项公开如下。"),
    ("扫黑险恶", "扫黑除恶", "会议要求，要深入推进扫黑险恶专项斗争，确保取得实效。"),
    ("领导小姐", "领导小组", "为加强组织领导，成立工作领导小姐，负责统筹协调。"),
    ("攻府", "政府", "县攻府办公室负责日常督查工作。"),
    ("杜家豪", "杜家毫", "省委书记杜家豪同志作重要讲话。"),
)
# Clean look-alikes of the planted typos: a correct detector reports none of these.
TRAPS: tuple[str, ...] = (
    "会议成立了工作领导小组，扫黑除恶专项斗争深入开展。",
    "依据《中华人民共和国政府信息公开条例》，县政府办公室负责日常工作。",
    "省委书记杜家毫同志作重要讲话。",
)
NAME_TRAP = "村民杜家豪反映的道路维修问题已经解决。"  # a private person's name, not the secretary's

FAMILY_KEYS = ("trs", "hanweb", "script", "table", "plain", "query")
# Query-string URLs of older county sites (the ``query`` family): list and article URL templates.
QUERY_LISTS: dict[str, str] = {
    "asp": "/list.asp?classid={col}",
    "php": "/index.php?m=content&c=index&a=lists&catid={col}",
}
QUERY_ARTICLES: dict[str, str] = {
    "asp": "/show.asp?id={item}",
    "jsp": "/content.jsp?contentid={item}",
    "aspx": "/view.aspx?id={item}",
}
PUBDATE_METAS = ("PubDate", "publishdate", "both")  # the metas a regenerated page carries
LISTED_DATES = frozenset({"trs", "plain", "query"})  # families whose lists use the bench date styles
LIST_DATE_STYLES = ("iso", "nopad", "slash", "dot", "cn", "time", "label", "bracket")


@dataclass(frozen=True)
class WebConfig:
    """Parameters of a synthetic web; the same config always gives the same web."""

    seed: int = 1
    sites: int = 65
    pages: int = 230  # pages per site, approximately (articles + lists + fixed pages)
    links: int = 6  # extra related-article links per article page (plus the chrome's ~25 links)
    js_share: float = 0.15  # share of sites whose lists are filled by JavaScript
    broken_share: float = 0.03  # share of first-page articles carrying a broken link
    typo_share: float = 0.15  # share of sites with a planted serious typo
    down_share: float = 0.03  # share of sites whose home page is unreachable
    blank_share: float = 0.08  # share of columns that are blank
    stale_share: float = 0.2  # share of columns that are stale (categories with a window)
    query_share: float = 0.15  # share of sites with query-string URLs (list.asp?classid=N, show.asp?id=N)
    regen_share: float = 0.15  # share of sites whose article metas carry a later regeneration date
    challenge_share: float = 0.08  # share of sites behind a JS cookie challenge (加速乐-style 521)
    subsite_share: float = 0.1  # share of sites that are department subsites under a path of a county's host
    split_share: float = 0.15  # share of list columns (TRS, plain, query) split over sibling containers
    post_share: float = 0.5  # share of script sites whose lists a script asks with POST (a form)
    as_of: date = AS_OF
    # each host answers after a latency drawn log-uniformly from [min, max] ms (0: at once), each page within
    # 0.5–1.5× of it, as real government hosts spread from 50 ms to 2 s
    latency_min_ms: int = 0
    latency_max_ms: int = 0


@dataclass(frozen=True)
class ColumnStyle:
    """How one column's list looks beyond the demo's ``Column`` record."""

    date_style: str = "iso"  # LIST_DATE_STYLES or "none"
    date_before: bool = False  # the date precedes the link
    date_tag: str = "span"  # span | i | em | b | font
    pager: str = "create"  # TRS: "create" (createPageHTML) or "count" (var countPage)
    split: int = 0  # items per container when the list is split over sibling <div><ul> (0: one list)


@dataclass(frozen=True)
class BenchSite:
    index: int
    site: Site  # the demo record (columns, items, encoding, down)
    styles: dict[str, ColumnStyle] = field(default_factory=dict)  # column key -> style
    head_405: bool = False  # the server answers HEAD with 405
    flaky: tuple[str, ...] = ()  # paths answered 503 on the first request, 200 afterwards
    hidden_tabs: bool = False  # home blocks after the first are hidden tabs (display:none)
    article_label: str = "发布时间："  # label of the article info-line date
    related: int = 6
    latency_ms: int = 0  # the host's typical answer time
    list_url: str = ""  # query family: a QUERY_LISTS key
    article_url: str = ""  # query family: a QUERY_ARTICLES key
    regenerated: date | None = None  # pages regenerated on this day: their date metas say so, not the visible date
    pubdate_meta: str = "PubDate"  # PUBDATE_METAS: which metas carry the regeneration date
    challenge: bool = False  # requests without the clearance cookie get a 521 whose script sets it and reloads
    post_lists: bool = False  # script site: its lists are asked with POST, a form whose column id a script assigns

    def delay(self, path: str) -> float:
        """Seconds before answering ``path``: the host's latency × 0.5–1.5 (the same for the same path)."""
        if not self.latency_ms:
            return 0.0
        spread = 0.5 + (zlib.crc32(path.encode("utf-8")) % 1000) / 1000
        return self.latency_ms * spread / 1000

    @property
    def site_id(self) -> str:
        return self.site.site_id

    def style(self, col: Column) -> ColumnStyle:
        return self.styles.get(col.key, ColumnStyle())

    def meta_day(self, day: date) -> date:
        """The date a regenerated article's metas carry: the regeneration day, never before the visible one."""
        return day if self.regenerated is None else max(day, self.regenerated)


def site_id(index: int) -> str:
    return f"s{index + 1:04d}"


def host(index: int) -> str:
    """Loopback address of site ``index``: 127.0.(10 + i // 250).(1 + i % 250)."""
    return f"127.0.{10 + index // 250}.{1 + index % 250}"


def _window_days(category: str, as_of: date) -> int | None:
    start = window_start(category, as_of)
    return None if start is None else (as_of - start).days


def mount(config: WebConfig, index: int) -> tuple[int, str] | None:
    """(county site index, path prefix) of a department subsite served under a folder of that county's host
    (``/bm/bm005/``), or None. Agency sites 4, 9 … places after a county (never the next one: its sibling link
    would lead into the subsite from the county's pages), of counties that are not down."""
    if index % 5 < 2 or not spread(config.subsite_share, index, 4):
        return None
    county = index - index % 5
    if spread(config.down_share, county, -1) or spread(config.down_share, index, -1):
        return None
    return county, f"/bm/bm{index + 1:03d}/"


def serving_host(config: WebConfig, index: int) -> str:
    """The loopback address site ``index`` is served on (its county's for a subsite)."""
    where = mount(config, index)
    return host(index if where is None else where[0])


def home_path(config: WebConfig, index: int) -> str:
    """The path of site ``index``'s home page on its serving host."""
    where = mount(config, index)
    return "/" if where is None else where[1]


def subsites(config: WebConfig, index: int) -> dict[str, int]:
    """Path prefix -> site index of the subsites served on site ``index``'s host."""
    found: dict[str, int] = {}
    for child in range(index + 2, min(index + 5, config.sites)):
        where = mount(config, child)
        if where is not None and where[0] == index:
            found[where[1]] = child
    return found


def site_at(config: WebConfig, index: int, path: str) -> int:
    """The site that answers ``path`` on site ``index``'s host: a subsite for paths in its folder."""
    for prefix, child in subsites(config, index).items():
        if path.startswith(prefix) or path == prefix.rstrip("/"):
            return child
    return index


def spread(share: float, index: int, offset: int) -> bool:
    """Whether site ``index`` is one of an exact ``share`` of the sites, spread evenly (from ``offset``)."""
    every = round(1 / share) if share > 0 else 0
    return bool(every) and index % every == offset % every


def _title(rng: random.Random, unit: str) -> str:
    return rng.choice(TITLES).format(unit=unit, topic=rng.choice(TOPICS))


@lru_cache(maxsize=512)
def make_site(config: WebConfig, index: int) -> BenchSite:
    """Site ``index`` of the web ``config`` (deterministic; cached)."""
    rng = random.Random(f"govsites-bench:{config.seed}:{index}")
    sid = site_id(index)
    if index % 5 == 0:
        county = COUNTIES[(index // 5) % len(COUNTIES)]
        name, group, unit = f"{county}人民政府", "county", county
    else:
        county = "市直"
        dept = AGENCIES[index % len(AGENCIES)]
        name, group, unit = f"安康市{dept}", "agency", dept
    if index >= 50:
        name = f"{name}（{index + 1}）"  # names stay distinct in big webs
    down = spread(config.down_share, index, -1)  # an exact share, spread evenly
    # The variations of webs less like our own code draw from a generator of their own: a site without them is
    # the same as before they existed.
    variants = random.Random(f"govsites-bench-variants:{config.seed}:{index}")
    query = spread(config.query_share, index, 3)
    regen = spread(config.regen_share, index, 1)
    roll = rng.random()
    if roll < config.js_share:
        family = "script"
    else:
        family = ("trs", "trs", "hanweb", "hanweb", "table", "plain")[int(rng.random() * 6)]
    if query:
        family = "query"
    elif mount(config, index) is not None and family in {"hanweb", "script"}:
        family = "plain"  # subsites are static sites (their links are rewritten under the folder)
    encoding = "gbk" if family in {"trs", "plain", "table", "query"} and rng.random() < 0.25 else "utf-8"

    n_cols = rng.randint(10, 14)
    others = [c for c in COLUMN_POOL if c[1] not in FIXED_FIRST]
    rng.shuffle(others)
    chosen = [c for c in COLUMN_POOL if c[1] in FIXED_FIRST] + others[: n_cols - len(FIXED_FIRST)]
    per_col = max(4, (config.pages - 8) // n_cols - 1)
    per_page = 15 if per_col >= 15 else per_col
    ident = 1000 * (index + 1)
    columns: list[Column] = []
    styles: dict[str, ColumnStyle] = {}
    flaky: list[str] = []
    typo_site = rng.random() < config.typo_share
    typos_left = list(rng.sample(TYPOS, rng.randint(1, 2))) if typo_site else []
    trap_left = [*TRAPS] + ([NAME_TRAP] if rng.random() < 0.1 else [])
    for k, (cname, slug, category) in enumerate(chosen):
        window = _window_days(category, config.as_of)
        home_block = k < 3 or (k == 3 and rng.random() < 0.5)
        if k < 6:
            menu = "nav"
        elif k == n_cols - 1 and rng.random() < 0.5:
            menu = "map"  # only on the site map
        elif k == n_cols - 2 and rng.random() < 0.4:
            menu, home_block = "more", True  # only through the home block's 更多>>
        else:
            menu = "side"
        status = 200
        r = rng.random()
        kind = "ok"
        if k >= 3 and r < 0.04 and menu in {"nav", "side"}:
            status, kind = 500, "unreachable"
        elif k >= 3 and r < 0.04 + config.blank_share:
            kind = "blank"
        elif window is not None and r < 0.04 + config.blank_share + config.stale_share:
            kind = "stale"
        elif family in {"plain", "table", "query"} and r > 0.96:
            kind = "undated"
        # date style
        if family in LISTED_DATES:
            date_style = rng.choice(LIST_DATE_STYLES)
        elif family == "table":
            date_style = rng.choice(("iso", "cn", "slash", "nopad"))
        elif family == "hanweb":
            date_style = rng.choice(("span", "span", "b", "none"))
        else:
            date_style = "iso"
        if family in LISTED_DATES and rng.random() < 0.1:
            date_style = "none"  # URL (TRS) or article-page (plain, query) dates only
        if regen and family in LISTED_DATES | {"hanweb"} and k % 3 == 2:
            date_style = "none"  # the newest date must come from the regenerated article pages
        # newest date
        if kind == "stale":
            assert window is not None
            newest = config.as_of - timedelta(days=window + rng.randint(3, 500))
        elif window is not None:
            newest = config.as_of - timedelta(days=rng.randint(0, max(0, window - 3)))
        else:
            newest = config.as_of - timedelta(days=rng.randint(0, 700))
        if date_style == "bracket" and (config.as_of - newest).days > 200:
            date_style = "iso"  # year-less dates only where the year is unambiguous
        count = 0 if kind == "blank" else per_col
        days: list[date] = []
        day = newest
        for _ in range(count):
            days.append(day)
            day -= timedelta(days=rng.randint(0, 9 if category == "news" else 30))
        if date_style == "bracket" and days and (config.as_of - days[min(per_page, len(days)) - 1]).days > 300:
            date_style = "iso"
        items: list[Item] = []
        pinned = count > 3 and date_style != "none" and rng.random() < 0.15
        for n in range(count):
            ident += 1
            item_day: date | None = None if kind == "undated" else days[n]
            body: list[str] = []
            attachments: list[tuple[str, str]] = []
            images: list[str] = []
            external: list[tuple[str, str]] = []
            item_status = 200
            first_page = n < per_page
            if first_page and kind != "unreachable":
                if rng.random() < config.broken_share:
                    what = rng.choice(("image", "attachment", "external", "internal", "soft404", "redirect404"))
                    if what == "image":
                        images.append(f"/uploads/images/{item_day or config.as_of:%Y%m}/{ident}.jpg")
                    elif what == "attachment":
                        attachments.append((f"/uploads/files/{rng.choice(TOPICS)}实施方案{ident}.doc", "附件下载"))
                    elif what == "external":
                        external.append((f"{DEAD_URL}/{ident}.html", "相关网站"))
                    elif what == "internal":
                        external.append((f"/{slug}/old_{ident}.html", "往期回顾"))
                    elif what == "soft404":
                        external.append((f"/html/removed_{ident}.html", "原文链接"))
                    else:
                        external.append((f"/go/bad_{ident}.html", "原文链接"))
                elif rng.random() < 0.05 and items and items[-1].status == 200:
                    external.append((f"/go/ok_{items[-1].ident}.html", "上一篇"))  # redirect chain to a live page
                if family != "script" and rng.random() < config.broken_share / 3:
                    item_status = 404  # listed, but the article page is missing
                if rng.random() < 0.05:
                    attachments.append(("/uploads/附件/申报指南.doc", "申报指南"))  # a live attachment
                if typos_left and rng.random() < 0.3 and item_status == 200:
                    body.append(typos_left.pop()[2])
                elif trap_left and rng.random() < 0.2:
                    body.append(trap_left.pop())
            items.append(
                Item(
                    ident,
                    _title(rng, unit),
                    item_day,
                    status=item_status,
                    body=tuple(body),
                    attachments=tuple(attachments),
                    images=tuple(images),
                    external=tuple(external),
                )
            )
        if pinned:
            old = items.pop(rng.randint(3, len(items) - 1))
            items.insert(0, replace(old, pinned=True))
        first, rest = tuple(items[:per_page]), items[per_page:]
        older = tuple(tuple(rest[i : i + per_page]) for i in range(0, len(rest), per_page))
        if family in {"table", "script"}:
            older = ()  # these lists show one page
        blank_text = rng.choice(("暂无信息", "暂无数据", "")) if kind == "blank" else ""
        columns.append(
            Column(
                slug,
                cname,
                category,
                items=first,
                older=older,
                status=status,
                menu=menu,
                blank_text=blank_text,
                date_style=date_style if family != "script" else "iso",
                render=rng.choice(("fetch", "fetch", "itemobj")) if family == "script" else "html",
                ident=100 + 37 * index + k if family in {"hanweb", "query"} else 0,
                home_block=home_block,
            )
        )
        if family == "table" and k % 2 == 1:
            columns[-1] = _rekey(columns[-1], f"xxgk/{slug}")  # under the <base href> of 信息公开
        styles[columns[-1].key] = ColumnStyle(
            date_style=date_style,
            date_before=rng.random() < 0.25,
            date_tag=rng.choice(("span", "span", "span", "i", "em", "b", "font")),
            pager="count" if rng.random() < 0.4 else "create",
            split=variants.choice((3, 5)) if family in LISTED_DATES and variants.random() < config.split_share else 0,
        )
        if first and rng.random() < 0.05 and first[-1].status == 200:
            flaky.append(f"{columns[-1].key}#{first[-1].ident}")
    sibling = (index + 1) % config.sites
    site = Site(
        sid,
        name,
        group,
        county,
        family,
        index,
        columns=tuple(columns),
        down=down,
        encoding=encoding,
        site_code=f"61090{index:05d}",
        icp="陕ICP备05001234号",
        home_images=(f"/images/ad/{index}.gif",) if rng.random() < 0.3 else (),
        home_links=(((f"{DEAD_URL}/", "旧版网站"),) if rng.random() < 0.3 else ())
        + ((f"http://{serving_host(config, sibling)}:{{port}}{home_path(config, sibling)}", "兄弟单位"),),
    )
    return BenchSite(
        index,
        site,
        styles,
        head_405=rng.random() < 0.15,
        flaky=tuple(flaky),
        hidden_tabs=rng.random() < 0.4,
        article_label=rng.choice(("发布时间：", "发布日期：", "时间：")),
        related=config.links,
        latency_ms=_latency(config, index),
        list_url=variants.choice(sorted(QUERY_LISTS)) if query else "",
        article_url=variants.choice(sorted(QUERY_ARTICLES)) if query else "",
        regenerated=config.as_of - timedelta(days=variants.randint(0, 20)) if regen else None,
        pubdate_meta=variants.choice(PUBDATE_METAS) if regen else "PubDate",
        challenge=spread(config.challenge_share, index, 7),
        post_lists=family == "script" and _drawn(config.post_share, f"post:{config.seed}:{index}"),
    )


def _drawn(share: float, name: str) -> bool:
    """Whether a site is among ``share`` of its kind, drawn from its name alone (nothing else of it changes)."""
    return zlib.crc32(name.encode("utf-8")) % 1000 < share * 1000


def _latency(config: WebConfig, index: int) -> int:
    """The host's latency, from a generator of its own (the rest of the site is the same with or without it)."""
    if config.latency_max_ms <= 0:
        return 0
    low, high = max(1, config.latency_min_ms), max(config.latency_min_ms, config.latency_max_ms)
    draw = random.Random(f"govsites-bench-latency:{config.seed}:{index}").random()
    return round(math.exp(math.log(low) + draw * (math.log(high) - math.log(low))))


def _rekey(col: Column, key: str) -> Column:
    return replace(col, key=key)


def coverage(config: WebConfig) -> set[str]:
    """The page patterns a web contains (tests check that a small web still covers all of them)."""
    found: set[str] = set()
    for i in range(config.sites):
        bench = make_site(config, i)
        site = bench.site
        found |= {f"family:{site.family}", f"encoding:{site.encoding}"}
        if site.down:
            found.add("site:down")
            continue
        found |= {"head405"} if bench.head_405 else set()
        found |= {"flaky503"} if bench.flaky else set()
        found |= {"hidden_tabs"} if bench.hidden_tabs else set()
        found |= {"subsite"} if mount(config, i) is not None else set()
        found |= {"challenge"} if bench.challenge else set()
        found |= {"regenerated"} if bench.regenerated else set()
        if site.family == "query":
            found |= {f"query_list:{bench.list_url}", f"query_article:{bench.article_url}"}
            if sum(len(c.all_items()) for c in site.columns) > QUERY_VARIANT_CAP:
                found.add("query:over_cap")
        for col in site.columns:
            st = bench.style(col)
            found |= {f"menu:{col.menu}", f"render:{col.render}"}
            if site.family in LISTED_DATES | {"table"}:
                found.add(f"date:{st.date_style}")
            if bench.regenerated and st.date_style == "none" and col.status == 200 and col.items:
                found.add("regenerated:undated_list")
            if st.split and len(col.items) > st.split and col.status == 200:
                found.add("split_list")
            if site.family in LISTED_DATES:
                found |= {f"tag:{st.date_tag}"} | ({"date_before"} if st.date_before else set())
            if site.family == "trs":
                found.add(f"pager:{st.pager}")
            if col.status != 200:
                found.add("column:unreachable")
            elif not col.items:
                found.add("column:blank")
            elif all(it.day is None for it in col.items):
                found.add("column:undated")
            if any(it.pinned for it in col.items):
                found.add("pinned")
            if col.key.startswith("xxgk/"):
                found.add("base_href")
            for it in col.items:
                found |= {"broken:image"} if it.images else set()
                found |= {"article:404"} if it.status == 404 else set()
                for path, _label in it.attachments:
                    found.add("broken:attachment" if path.startswith("/uploads/files/") else "attachment:live")
                for url, _label in it.external:
                    kind = (
                        "external"
                        if url.startswith(DEAD_URL)
                        else "internal404"
                        if "/old_" in url
                        else "soft404"
                        if "/removed_" in url
                        else "redirect404"
                        if "/bad_" in url
                        else "redirect_ok"
                    )
                    found.add(f"link:{kind}")
                for text in it.body:
                    found.add("typo" if any(text == t[2] for t in TYPOS) else "trap")
    return found


QUERY_VARIANT_CAP = 30  # the crawl's default cap on query variants of one path (lists and pagers are exempt)

REQUIRED_PATTERNS: frozenset[str] = frozenset(
    {f"family:{f}" for f in FAMILY_KEYS}
    | {
        "encoding:gbk",
        "site:down",
        "head405",
        "flaky503",
        "hidden_tabs",
        "menu:nav",
        "menu:side",
        "menu:map",
        "menu:more",
        "render:fetch",
        "render:itemobj",
        "pinned",
        "base_href",
        "date_before",
        "pager:count",
        "pager:create",
        "column:unreachable",
        "column:blank",
        "column:undated",
        "broken:image",
        "article:404",
        "broken:attachment",
        "link:external",
        "link:internal404",
        "link:soft404",
        "link:redirect404",
        "link:redirect_ok",
        "typo",
        "trap",
        "tag:i",
        "tag:em",
        "tag:b",
        "tag:font",
        "query:over_cap",
        "regenerated",
        "regenerated:undated_list",
        "split_list",
        "subsite",
        "challenge",
    }
    | {f"date:{s}" for s in (*LIST_DATE_STYLES, "none")}
)
