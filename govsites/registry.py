"""Read and validate the site registry (``sites.csv``) and hand-pinned columns (``columns.csv``).

Plain records only, no Scrapy. Every error names the file, the line and the field.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit

from govsites.preflight import shortened
from govsites.scope import SiteScope, nested_scopes, parse_scope

SITE_FIELDS = ("site_id", "name", "group", "county", "home_url")
#: Optional registry columns read by header name (see :func:`load_sites`).
SCOPE_FIELD = "scope"
COLUMN_FIELDS = ("site_id", "column", "url", "category", "render")
GROUPS = {"county": "县区组", "agency": "政府机构组"}
#: a group may be given by its code or its Chinese name, wherever a group is given
GROUP_CODES = {**{label: code for code, label in GROUPS.items()}, **{code: code for code in GROUPS}}
CATEGORIES = ("news", "notice", "policy", "personnel", "plan", "disclosure", "guide", "interaction", "other")
RENDER_MODES = ("", "auto", "html", "js")
#: the optional last column ``status``: active (the default) or closed (关停: links to it are findings)
SITE_STATUSES = ("active", "closed")
SITE_ID_RE = re.compile(r"^[a-z][a-z0-9_-]{0,63}$")


def group_code(value: str) -> str:
    """A group as given (the code, or its Chinese name 县区组 / 政府机构组) → its code; unknown values unchanged."""
    text = value.strip()
    return GROUP_CODES.get(text, text)


class RegistryError(ValueError):
    """A malformed registry or columns file: names file, line and field."""

    def __init__(self, path: Path | str, line: int, field_name: str, reason: str) -> None:
        self.path, self.line, self.field, self.reason = str(path), line, field_name, reason
        where = f"{path}:{line}" if line else str(path)  # line 0: the file as a whole (a missing file, an unknown SITE)
        super().__init__(f"{where}: 字段 {field_name}: {reason}")


@dataclass(frozen=True)
class Site:
    site_id: str
    name: str
    group: str
    county: str
    home_url: str
    line: int = 0
    #: The registry's ``scope`` prefixes (empty: the home URL's folder; see :mod:`govsites.scope`).
    scope: tuple[str, ...] = ()
    #: Which pages of its hosts are the site's (set by :func:`load_sites`, which knows the other sites).
    reach: SiteScope = field(default=SiteScope(), compare=False)

    @property
    def host(self) -> str:
        return (urlsplit(self.home_url).hostname or "").lower()

    @property
    def hosts(self) -> tuple[str, ...]:
        """The hosts the site is crawled on, ``www.`` dropped (as :class:`~govsites.scope.Prefix` drops it):
        its home URL's and those its ``scope`` prefixes name."""
        home = self.host.removeprefix("www.")
        named = (p.host.lower().removeprefix("www.") for p in self.reach.prefixes if p.host)
        return tuple(dict.fromkeys((home, *named)))

    def owns(self, url: str) -> bool:
        """Whether ``url``, on one of the site's hosts, is a page of the site (not of a consolidated neighbour)."""
        return self.reach.holds(url)

    def as_row(self) -> dict[str, str]:
        return {
            "site_id": self.site_id,
            "name": self.name,
            "group": self.group,
            "county": self.county,
            "home_url": self.home_url,
        }


@dataclass(frozen=True)
class PinnedColumn:
    site_id: str
    name: str
    url: str
    category: str
    render: str
    line: int = 0


@dataclass
class Registry:
    path: str
    sites: list[Site]
    skipped: list[Site] = field(default_factory=list)  # rows without a home_url
    closed: list[Site] = field(default_factory=list)  # rows with status closed: not crawled, not scored

    def select(self, site_ids: Iterable[str] = (), counties: Iterable[str] = ()) -> list[Site]:
        """Sites matching any given id or county; all sites when neither is given."""
        ids, cts = set(site_ids), set(counties)
        if not ids and not cts:
            return list(self.sites)
        known = {s.site_id for s in self.sites} | {s.site_id for s in self.skipped}
        unknown = ids - known
        if unknown:
            listed = "、".join(sorted(unknown))
            valid = shortened(s.site_id for s in self.sites)
            raise RegistryError(self.path, 0, "site_id", f"登记表中没有站点 {listed}（SITE 可选：{valid}）")
        counties_known = {s.county for s in self.sites}
        if cts - counties_known:
            missing = "、".join(sorted(cts - counties_known))
            valid = shortened(dict.fromkeys(s.county for s in self.sites))
            raise RegistryError(self.path, 0, "county", f"登记表中没有县区 {missing}（COUNTY 可选：{valid}）")
        return [s for s in self.sites if s.site_id in ids or s.county in cts]


def _read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RegistryError(path, 0, "-", f"无法读取文件 / cannot read file: {exc.strerror}") from exc
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise RegistryError(
            path,
            line,
            "-",
            "文件不是 UTF-8 编码（Excel 另存为时请选“CSV UTF-8”）/ file is not UTF-8 (save as 'CSV UTF-8')",
        ) from exc


def _rows(path: Path, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> list[tuple[int, dict[str, str]]]:
    """Rows with their 1-based file line numbers; blank lines skipped; header checked."""
    text = _read_text(path)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise RegistryError(path, 1, "-", "文件为空 / empty file") from None
    missing = [f for f in required if f not in header]
    if missing:
        raise RegistryError(path, 1, missing[0], "表头缺少该列 / header lacks this column")
    rows: list[tuple[int, dict[str, str]]] = []
    for values in reader:
        line = reader.line_num
        if not any(v.strip() for v in values):
            continue
        if len(values) > len(header):
            raise RegistryError(
                path, line, header[-1], f"列数多于表头（{len(values)} > {len(header)}）/ too many fields"
            )
        padded = values + [""] * (len(header) - len(values))
        row = {h: v.strip() for h, v in zip(header, padded, strict=True) if h in required or h in optional}
        rows.append((line, row))
    return rows


def check_url(path: Path | str, line: int, field_name: str, url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise RegistryError(path, line, field_name, f"不是有效的 http(s) 网址 / not a valid http(s) URL: {url!r}")
    if any(c.isspace() for c in url):
        raise RegistryError(path, line, field_name, f"网址中含有空白字符 / URL contains whitespace: {url!r}")


def load_sites(path: Path | str) -> Registry:
    """Read ``sites.csv``; raise :class:`RegistryError` on the first malformed row."""
    path = Path(path)
    sites: list[Site] = []
    skipped: list[Site] = []
    seen: dict[str, int] = {}
    closed: list[Site] = []
    for line, row in _rows(path, SITE_FIELDS, (SCOPE_FIELD, "status")):
        sid = row["site_id"]
        if not SITE_ID_RE.match(sid):
            raise RegistryError(
                path,
                line,
                "site_id",
                f"应为小写英文字母开头的 ASCII 标识（a-z 0-9 _ -）/ must be an ASCII slug: {sid!r}",
            )
        if sid in seen:
            raise RegistryError(
                path, line, "site_id", f"与第 {seen[sid]} 行重复 / duplicate of line {seen[sid]}: {sid}"
            )
        seen[sid] = line
        if not row["name"]:
            raise RegistryError(path, line, "name", "单位名称为空 / empty name")
        row["group"] = group_code(row["group"])
        if row["group"] not in GROUPS:
            raise RegistryError(
                path,
                line,
                "group",
                f"分组应为 county 或 县区组、agency 或 政府机构组 / unknown group: {row['group']!r}",
            )
        if not row["county"]:
            raise RegistryError(path, line, "county", "所属县区为空（市直部门填“市直”）/ empty county")
        scope = parse_scope(row.get(SCOPE_FIELD, ""))
        site = Site(sid, row["name"], row["group"], row["county"], row["home_url"], line, scope)
        if site_closed(path, line, row.get("status", "")):
            if row["home_url"]:
                check_url(path, line, "home_url", row["home_url"])
                closed.append(site)
            continue
        if not row["home_url"]:
            skipped.append(site)
            continue
        check_url(path, line, "home_url", row["home_url"])
        for prefix in scope:
            check_url(path, line, SCOPE_FIELD, prefix)
        sites.append(site)
    return Registry(str(path), with_reach(sites), skipped, closed)


def with_reach(sites: list[Site]) -> list[Site]:
    """The sites with their :attr:`Site.reach`: consolidated sites sharing a host each keep their own folder."""
    reach = nested_scopes((s.site_id, s.home_url, s.scope) for s in sites)
    return [replace(s, reach=reach[s.site_id]) for s in sites]


def site_closed(path: Path, line: int, status: str) -> bool:
    """Whether a registry row's ``status`` says the site is closed; an unknown status is an error."""
    if status not in ("", *SITE_STATUSES):
        raise RegistryError(
            path, line, "status", f"状态应为 active（在用）或 closed（已关停）/ unknown status: {status!r}"
        )
    return status == "closed"


def load_columns(path: Path | str, registry: Registry) -> dict[str, list[PinnedColumn]]:
    """Read the optional ``columns.csv``; pinned columns per site (they replace discovery for that site)."""
    path = Path(path)
    if not path.exists():
        return {}
    known = {s.site_id for s in registry.sites} | {s.site_id for s in registry.skipped}
    pinned: dict[str, list[PinnedColumn]] = {}
    for line, row in _rows(path, COLUMN_FIELDS[:3], COLUMN_FIELDS[3:]):
        sid = row["site_id"]
        if sid not in known:
            raise RegistryError(path, line, "site_id", f"站点不在登记表中 / site not in the registry: {sid!r}")
        if not row["column"]:
            raise RegistryError(path, line, "column", "栏目名称为空 / empty column name")
        check_url(path, line, "url", row["url"])
        category = row.get("category", "")
        if category and category not in CATEGORIES:
            raise RegistryError(
                path, line, "category", f"未知栏目类别 / unknown category {category!r} (one of {', '.join(CATEGORIES)})"
            )
        render = row.get("render", "")
        if render not in RENDER_MODES:
            raise RegistryError(path, line, "render", f"render 应为 html、js 或留空 / unknown render mode {render!r}")
        pinned.setdefault(sid, []).append(PinnedColumn(sid, row["column"], row["url"], category, render, line))
    return pinned


def write_sites(path: Path | str, rows: Iterable[dict[str, str]]) -> Path:
    """Write a registry CSV (UTF-8, header ``SITE_FIELDS``, and ``scope`` when a row has one) that
    :func:`load_sites` reads back."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = list(rows)
    fields = [*SITE_FIELDS, *([SCOPE_FIELD] if any(row.get(SCOPE_FIELD) for row in rows) else [])]
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


# -- the optional site_code column (网站标识码, checked by govsites.sitechecks) ---------------------------------
SITE_CODE_FIELD = "site_code"
SITE_CODE_PATTERN = re.compile(r"^(?:\d{10}|bm\d{8})$", re.IGNORECASE)


def load_site_codes(path: Path | str) -> dict[str, str]:
    """The registry's optional ``site_code`` column (10 digits, or ``bm`` + 8 digits for State Council
    departments) by site_id; empty cells are left out; a malformed code is an error naming line and field."""
    path = Path(path)
    codes: dict[str, str] = {}
    for line, row in _rows(path, SITE_FIELDS, (SITE_CODE_FIELD,)):
        code = row.get(SITE_CODE_FIELD, "")
        if not code:
            continue
        if not SITE_CODE_PATTERN.match(code):
            raise RegistryError(
                path, line, SITE_CODE_FIELD, f"网站标识码应为10位数字（或 bm+8位数字）/ malformed site code: {code!r}"
            )
        codes[row["site_id"]] = code
    return codes
