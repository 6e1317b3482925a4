"""Expected results of the demo web, derived from the site records and the rendered pages.

Columns, dates and statuses come from the records in ``sites.py``. Broken links come from a small
in-process crawl of the rendered pages (``crawl``), which the tests also run over real HTTP against
``DemoWeb`` so the expected list is checked against what the server really sends.

``python -m govsites.demo expected --write`` regenerates ``expected.json``.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar, cast
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

from govsites.demo.model import AS_OF, DEAD_NETLOC, Column, Site
from govsites.demo.sites import SITES, SiteApp, family_for
from govsites.paths import data_path

EXPECTED_PATH = Path(__file__).with_name("expected.json")
MAX_DEPTH = 3
HOME_WINDOW_DAYS = 14
# Serious typos planted in the demo pages (wrong -> right); expected lists those found in a site's pages.
SERIOUS_TYPOS: tuple[tuple[str, str], ...] = (("中华人民共合国", "中华人民共和国"), ("扫黑险恶", "扫黑除恶"))
PLACEHOLDER = "{host}"

Fetch = Callable[[str], tuple[int, str, bytes]]  # url -> (status, content type, body); status 0 = refused


def _months_back(day: date, months: int) -> date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    for dd in range(day.day, 27, -1):
        try:
            return date(year, month, dd)
        except ValueError:
            continue
    return date(year, month, min(day.day, 28))


def window_start(category: str, as_of: date = AS_OF) -> date | None:
    """The oldest newest-date that still counts as updated (None: the category is never stale)."""
    if category == "news":
        return as_of - timedelta(days=14)
    if category in {"notice", "policy"}:
        return _months_back(as_of, 6)
    if category in {"personnel", "plan", "disclosure"}:
        return _months_back(as_of, 12)
    return None


def column_status(col: Column, as_of: date = AS_OF) -> tuple[str, str]:
    """(status, newest_date) of a column on ``as_of`` as the rules in the brief define them (the demo and the
    bench web share this truth)."""
    if col.status != 200:
        return "unreachable", ""
    if not col.items:
        return "blank", ""
    days = [it.day for it in col.items if it.day is not None]
    if not days:
        return "undated", ""
    newest = max(days)
    start = window_start(col.category, as_of)
    status = "stale" if start is not None and newest < start else "ok"
    return status, newest.isoformat()


# ---- interaction, services and key disclosure areas -------------------------------------------------------
GUIDE_ELEMENTS = ("事项名称", "设定依据", "申请条件", "办理材料", "办理地点", "办理时间", "联系电话", "办理流程")
EMPTY_CONTENT = ("", "无", "暂无")
EXCLUDED_COLUMN_WORDS = ("访谈", "征集", "调查", "举报", "投诉")
LETTER_WINDOW_MONTHS = 12
UNANSWERED_DAYS = 90
KEY_AREA_TITLE_CATEGORIES = ("disclosure", "policy", "notice")
RUBRIC = data_path("rubric", "census2015.toml")


def key_areas_rules() -> list[tuple[str, tuple[str, ...], str]]:
    """(label, keywords, window) per key area, from the rubric the scoring stage uses (one source)."""
    with RUBRIC.open("rb") as f:
        areas = tomllib.load(f)["key_areas"]
    return [(a["label"], tuple(a["keywords"]), a.get("window", "year")) for a in areas]


def _area_cutoff(window: str) -> date:
    """'year': the previous calendar year counts (annual items); '6m' / '12m': months before AS_OF."""
    if window == "year":
        return date(AS_OF.year - 1, 1, 1)
    return _months_back(AS_OF, int(window.rstrip("m")))


def excluded_column(col: Column) -> bool:
    """在线访谈, 调查征集, 举报投诉 columns: measured, not fed to the 互动回应差 veto."""
    return any(word in col.name for word in EXCLUDED_COLUMN_WORDS)


def letters_expected(site: Site) -> tuple[list[dict[str, object]], dict[str, int]]:
    """Every letter of the site's interaction columns, and the 12-month counts."""
    fam = family_for(site)
    start = _months_back(AS_OF, LETTER_WINDOW_MONTHS)
    letters: list[dict[str, object]] = []
    counts = {"letters_12m": 0, "answered_12m": 0, "unanswered_90d": 0}
    for col in site.columns:
        excluded = excluded_column(col)
        for it in col.all_items():
            if it.letter is None:
                continue
            letters.append(
                {
                    "path": fam.article_path(col, it),
                    "title": it.title,
                    "submitted_date": it.day.isoformat() if it.day else "",
                    "answered": it.letter.answered,
                    "reply_date": it.letter.reply_day.isoformat() if it.letter.reply_day else "",
                    "excluded": excluded,
                }
            )
            if excluded or it.day is None or it.day <= start:
                continue
            counts["letters_12m"] += 1
            counts["answered_12m"] += it.letter.answered
            counts["unanswered_90d"] += not it.letter.answered and (AS_OF - it.day).days > UNANSWERED_DAYS
    return letters, counts


def guides_expected(site: Site) -> list[dict[str, object]]:
    """Every reachable 办事指南 page and the elements it lacks (label missing, or its content empty/无)."""
    fam = family_for(site)
    out: list[dict[str, object]] = []
    for col in site.columns:
        if col.status != 200:
            continue
        for it in col.all_items():
            if not it.guide or it.status != 200:
                continue
            present = {f.element for f in it.guide if f.content.strip() not in EMPTY_CONTENT}
            out.append({"path": fam.article_path(col, it), "missing": [e for e in GUIDE_ELEMENTS if e not in present]})
    return out


def key_areas_expected(site: Site) -> dict[str, str]:
    """ok / stale / missing per key disclosure area: items of a column named for the area, or items titled
    with it on the first page of a disclosure/policy/notice column; none (or only blank columns) is missing."""
    out: dict[str, str] = {}
    for area, keywords, window in key_areas_rules():
        days: list[date | None] = []
        for col in site.columns:
            if col.status != 200:
                continue
            by_name = any(word in col.name for word in keywords)
            for it in col.items:
                by_title = col.category in KEY_AREA_TITLE_CATEGORIES and any(w in it.title for w in keywords)
                if by_name or by_title:
                    days.append(it.day)
        dated = [d for d in days if d is not None]
        if not days:
            out[area] = "missing"
        elif dated and max(dated) >= _area_cutoff(window):
            out[area] = "ok"
        else:
            out[area] = "stale"
    return out


# ---- a minimal link crawler (pages -> links), shared with the tests ---------------------------------------
_CDATA = re.compile(r"<!\[CDATA\[(.*?)\]\]>", re.S)
_FETCH = re.compile(r"""fetch\(\s*['"]([^'"]+)['"]""")
#: A form a script posts (``var columnid = "N"`` … ``xhr.open('POST', URL)`` … ``xhr.send('columnid=' + columnid +
#: '&…')``): the reference notes it as ``URL?columnid=N&…``, the form written as a query (its fetcher sends it).
_POSTED_FORM = re.compile(
    r"""var columnid = "(\d+)";.*?xhr\.open\('POST', '([^']+)'\).*?xhr\.send\('columnid=' \+ columnid \+ '([^']*)'\)""",
    re.S,
)
_JSON_URL = re.compile(r'"(?:url|aU)"\s*:\s*"([^"]+)"')
_PAGER = re.compile(r'createPageHTML\(\s*(\d+)\s*,\s*\d+\s*,\s*"([^"]+)"\s*,\s*"([^"]+)"\s*\)')
_SAFE = "/%:@!$&'()*+,;=-._~?"


class _Links(HTMLParser):
    ATTRS: ClassVar[dict[str, str]] = {
        "a": "href",
        "area": "href",
        "img": "src",
        "link": "href",
        "script": "src",
        "iframe": "src",
    }

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.base = ""
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "base" and values.get("href") and not self.base:
            self.base = values["href"] or ""
        want = self.ATTRS.get(tag)
        if want and values.get(want):
            self.found.append(values[want] or "")


def normalize(url: str) -> str:
    """Absolute URL with non-ASCII and unsafe characters percent-encoded (UTF-8), no fragment."""
    parts = urlsplit(url)
    path = quote(parts.path or "/", safe=_SAFE)
    query = quote(parts.query, safe=_SAFE + "=")
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, query, ""))


def extract(text: str, page_url: str) -> tuple[list[str], list[str], list[str]]:
    """Links of one page: (in the markup incl. Hanweb CDATA, data a script fetches for this very page,
    other URLs only a script would produce)."""
    parser = _Links()
    parser.feed(text)
    for chunk in _CDATA.findall(text):
        parser.feed(chunk)
    base = urljoin(page_url, parser.base) if parser.base else page_url
    skip = ("javascript:", "mailto:", "#")
    links = [normalize(urljoin(base, h.strip())) for h in parser.found if h.strip() and not h.startswith(skip)]
    fetched = [normalize(urljoin(base, u)) for u in _FETCH.findall(text)]
    fetched += [normalize(urljoin(base, f"{u}?columnid={n}{rest}")) for n, u, rest in _POSTED_FORM.findall(text)]
    scripted = [normalize(urljoin(base, u)) for u in _JSON_URL.findall(text)]
    for count, name, ext in _PAGER.findall(text):
        scripted += [normalize(urljoin(page_url, f"{name}_{k}.{ext}")) for k in range(1, int(count))]
    return links, fetched, scripted


_PARSED = ("text/html", "text/xml", "application/json")
_RESOURCE = re.compile(r"\.(gif|jpe?g|png|ico|css|js|doc|docx|xls|xlsx|pdf|zip|rar)$", re.I)


@dataclass
class Crawl:
    home: str
    depth: dict[str, int] = field(default_factory=dict)  # parsed page -> depth
    status: dict[str, int] = field(default_factory=dict)  # every fetched url -> status (0 = refused)
    sources: dict[str, set[str]] = field(default_factory=dict)  # markup link target -> pages linking it

    def broken(self) -> set[str]:
        return {u for u in self.sources if self.status.get(u, 0) == 0 or self.status[u] >= 400}


def crawl(home: str, fetch: Fetch, max_depth: int = MAX_DEPTH) -> Crawl:
    """Breadth-first crawl of one site: parses same-host pages up to ``max_depth``, checks every link."""
    home = normalize(home)
    host = urlsplit(home).netloc
    result = Crawl(home)
    queue: deque[tuple[str, int]] = deque([(home, 0)])
    seen = {home}

    def get(url: str) -> tuple[int, str, bytes]:
        status, ctype, body = fetch(url)
        result.status[url] = status
        return status, ctype, body

    while queue:
        url, depth = queue.popleft()
        status, ctype, body = get(url)
        if status != 200 or not ctype.startswith(_PARSED):
            continue
        result.depth[url] = depth
        charset = ctype.split("charset=")[-1] if "charset=" in ctype else "utf-8"
        text = body.decode("gb18030" if charset.lower() in {"gbk", "gb2312"} else charset, errors="replace")
        links, fetched, scripted = extract(text, url)
        for link in links:
            result.sources.setdefault(link, set()).add(url)
        # What a page fetches is part of that page (a browser shows it there): same depth.
        hops = [(link, depth) for link in fetched] + [(link, depth + 1) for link in links + scripted]
        for link, at in hops:
            if link in seen:
                continue
            seen.add(link)
            same = urlsplit(link).netloc == host
            if same and not _RESOURCE.search(urlsplit(link).path) and at <= max_depth:
                queue.append((link, at))
            else:
                get(link)
    return result


def display(url: str, host: str) -> str:
    """Same-host URLs as path (+query); others absolute with the site's netloc as ``{host}``."""
    parts = urlsplit(url)
    if parts.netloc == host:
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return url.replace(f"//{host}/", f"//{PLACEHOLDER}/")


def local_fetch(apps: dict[str, SiteApp]) -> Fetch:
    """Fetch from rendered sites in-process; anything else is refused."""

    def fetch(url: str) -> tuple[int, str, bytes]:
        parts = urlsplit(url)
        app = apps.get(parts.netloc)
        if app is None:
            return 0, "", b""
        page = app.handle(parts.path + (f"?{parts.query}" if parts.query else ""))
        return page.status, page.content_type, page.body

    return fetch


# ---- expected.json ---------------------------------------------------------------------------------------
def site_expected(site: Site, result: Crawl | None, texts: list[str]) -> dict[str, object]:
    fam = family_for(site)
    cols = []
    for col in site.columns:
        status, newest = column_status(col)
        cols.append(
            {
                "path": fam.list_path(col),
                "name": col.name,
                "category": col.category,
                "newest_date": newest,
                "items": len(col.items),
                "status": status,
            }
        )
    counts = {s: sum(1 for c in cols if c["status"] == s) for s in ("blank", "stale", "undated", "unreachable")}
    stale_nnp = sum(1 for c in cols if c["status"] == "stale" and c["category"] in {"news", "notice", "policy"})
    home_from = AS_OF - timedelta(days=HOME_WINDOW_DAYS)
    home_days = [it.day for c in site.columns if c.home_block for it in c.items[:5] if it.day is not None]
    home_updated = not site.down and any(d >= home_from for d in home_days)
    host = f"127.0.0.{11 + site.host_offset}:8341"
    broken = sorted(display(u, host) for u in result.broken()) if result else []
    broken_home = (
        sorted(display(u, host) for u in result.broken() if result.home in result.sources[u]) if result else []
    )
    typos = [{"wrong": w, "right": r} for w, r in SERIOUS_TYPOS if any(w in t for t in texts)]
    veto = []
    if site.down:
        veto.append("home_unavailable")
    else:
        if not home_updated:
            veto.append("home_not_updated")
        if stale_nnp >= 5:
            veto.append("stale_columns")
        if counts["stale"] >= 10:
            veto.append("stale_should_update")
        if counts["blank"] >= 5:
            veto.append("blank_columns")
        if typos:
            veto.append("serious_typo")
    letters, letter_counts = letters_expected(site) if not site.down else ([], {})
    if letter_counts.get("unanswered_90d", 0) > 0:
        veto.append("interaction")
    guides = guides_expected(site) if not site.down else []
    return {
        "name": site.name,
        "home_available": not site.down,
        "home_updated": home_updated,
        "columns_total": len(cols),
        "blank_columns": counts["blank"],
        "stale_columns": counts["stale"],
        "stale_news_notice_policy": stale_nnp,
        "undated_columns": counts["undated"],
        "unreachable_columns": counts["unreachable"],
        "broken_links": len(broken),
        "broken_links_home": len(broken_home),
        "serious_typos": len(typos),
        "vetoed": bool(veto),
        "veto": veto,
        "columns": cols,
        "broken": broken,
        "broken_home": broken_home,
        "typos": typos,
        "letters": letters,
        "letters_12m": letter_counts.get("letters_12m", 0),
        "answered_12m": letter_counts.get("answered_12m", 0),
        "unanswered_90d": letter_counts.get("unanswered_90d", 0),
        "guides": guides,
        "guides_checked": len(guides),
        "guides_missing_4": sum(1 for g in guides if len(cast("list[str]", g["missing"])) >= 4),
        "key_areas": key_areas_expected(site) if not site.down else {},
    }


def build_expected() -> dict[str, object]:
    """The whole expected.json document, computed from the site records."""
    sites: dict[str, object] = {}
    for site in SITES:
        if site.down:
            sites[site.site_id] = site_expected(site, None, [])
            continue
        netloc = f"127.0.0.{11 + site.host_offset}:8341"
        app = SiteApp(site, netloc)
        result = crawl(f"http://{netloc}/", local_fetch({netloc: app}))
        texts = [p.body.decode(site.encoding) for p in app.pages.values() if p.content_type.startswith("text/html")]
        sites[site.site_id] = site_expected(site, result, texts)
    return {
        "as_of": AS_OF.isoformat(),
        "placeholders": {
            PLACEHOLDER: "the site's own host:port",
            "dead_external": f"http://{DEAD_NETLOC}/ (nothing listens: connection refused)",
        },
        "rules": {
            "news_stale_before": str(window_start("news")),
            "notice_policy_stale_before": str(window_start("notice")),
            "personnel_plan_disclosure_stale_before": str(window_start("plan")),
            "home_updated_since": str(AS_OF - timedelta(days=HOME_WINDOW_DAYS)),
            "broken_paths": "percent-encoded UTF-8 as requested",
            "letters_submitted_after": str(_months_back(AS_OF, LETTER_WINDOW_MONTHS)),
            "unanswered_90d": f"letters submitted after letters_submitted_after, not answered, submitted more than "
            f"{UNANSWERED_DAYS} days before as_of; columns named {'/'.join(EXCLUDED_COLUMN_WORDS)} excluded",
            "guide_elements": "|".join(GUIDE_ELEMENTS),
            "key_areas": "keywords and windows from data/rubric/census2015.toml [[key_areas]]: a column whose name "
            "has a keyword (its first-page items) or a first-page item titled with one in a disclosure/policy/notice "
            "column; ok when the newest is within the window (annual areas: current or previous year), stale when "
            "older or undated, missing when there is none (a blank column is missing)",
        },
        "sites": sites,
    }


def dumps(doc: dict[str, object]) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"


def write_expected(path: Path = EXPECTED_PATH) -> Path:
    path.write_text(dumps(build_expected()), encoding="utf-8")
    return path


def load_expected(path: Path = EXPECTED_PATH) -> dict[str, object]:
    return json.loads(path.read_text(encoding="utf-8"))
