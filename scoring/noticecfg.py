"""The office's notice settings (``data/notice/notice.toml``) and short unit names for the notice.

Short name rule (documented in the TOML too): a non-empty ``short_name`` column of the registry wins;
otherwise drop the suffix 人民政府, turn a leading city name (安康市) into 市 and apply the ``[short_names]``
replacements, longest first (安康市国土资源局 → 市国土局, 旬阳县人民政府 → 旬阳县).
"""

from __future__ import annotations

import csv
import io
import string
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from govsites.paths import data_path
from govsites.registry import group_code

NOTICE_DIR = data_path("notice")
DEFAULT_NOTICE_CONFIG = NOTICE_DIR / "notice.toml"
PHRASES = (
    "columns_both",
    "columns_either",
    "blank_over",
    "stale_over",
    "links_over",
    "links_some",
    "home_all_failed",
    "home_some_failed",
    "home_unreachable",
    "home_not_updated",
    "home_undated",
    "serious_typos",
    "untested",
    "letters_overdue",
    "guides_incomplete",
    "forms_broken",
    "key_areas_stale",
    "key_areas_missing",
    "function_heading",
    "key_areas_lead",
    "guides_lead",
    "letters_lead",
)
PHRASE_FIELDS = frozenset({"limit", "n", "probes", "failures", "days", "areas", "stale"})
#: ``{stale}`` in a phrase when the rubric's column windows differ (one window: "1个月内未更新", "2周内未更新")
STALE_ANY_WINDOW = "未按要求时间更新栏目"
MAILBOX_KEYS = ("site", "label", "heading", "sentence")
MAILBOX_FIELDS = frozenset({"site", "column", "period", "received", "answered", "rate"})


class NoticeConfigError(ValueError):
    def __init__(self, path: Path | str, key: str, reason: str) -> None:
        self.path, self.key = str(path), key
        super().__init__(f"通报设置文件 {path}：键 {key}：{reason}")


@dataclass(frozen=True)
class Praise:
    """``[praise]``: the reductions (whole percent, from the before/after table) a word of progress needs."""

    improved_pct: int = 10  # 更加及时, 进一步提高, 不断提升
    marked_pct: int = 50  # 大幅提升
    answer_rate_pct: int = 95  # the mailbox heading (政民互动回应深入推进): the cited mailbox's completion rate


def stale_words(windows: Iterable[tuple[int, str]]) -> str:
    """The notice's words for a stale column: "1个月内未更新" when every column window is one month, "2周内未更新"
    when it is 14 days …, :data:`STALE_ANY_WINDOW` when the windows differ (or there is none)."""
    distinct = set(windows)
    if len(distinct) != 1:
        return STALE_ANY_WINDOW
    ((amount, unit),) = distinct
    if unit == "d" and amount % 7 == 0:
        return f"{amount // 7}周内未更新"
    return f"{amount}{ {'d': '天', 'm': '个月', 'y': '年'}[unit] }内未更新"


@dataclass(frozen=True)
class NoticeConfig:
    path: str
    title: str
    salutation: str
    basis: str
    organizer: str
    office: str
    requirements: Path
    cc: tuple[str, ...]
    city: str
    short_names: tuple[tuple[str, str], ...]
    scopes: dict[str, str]
    columns_over: int
    links_over: int
    links_named_min: int
    phrases: dict[str, str]
    name_missing_key_areas: bool = False
    mailbox: dict[str, str] = field(default_factory=dict)
    praise: Praise = Praise()
    stale: str = STALE_ANY_WINDOW  # {stale}: set from the rubric's windows (:meth:`with_stale_windows`)

    def phrase(self, key: str, **values: Any) -> str:
        return self.phrases[key].format(**{"stale": self.stale, **values})

    def with_stale_windows(self, windows: Iterable[tuple[int, str]]) -> NoticeConfig:
        """This config worded for a rubric's column windows ((amount, unit) pairs): see :func:`stale_words`."""
        return replace(self, stale=stale_words(windows))


def _praise(path: Path, data: Mapping[str, Any]) -> Praise:
    """``[praise]`` (optional: the defaults of :class:`Praise`); percentages 0–100, improved ≤ marked."""
    table = data.get("praise", {})
    if not isinstance(table, dict):
        raise NoticeConfigError(path, "praise", "应为表")
    values = {}
    for key, default in (
        ("improved_pct", Praise.improved_pct),
        ("marked_pct", Praise.marked_pct),
        ("answer_rate_pct", Praise.answer_rate_pct),
    ):
        value = table.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= 100:
            raise NoticeConfigError(path, f"praise.{key}", f"应为 1–100 的整数（百分比），实际为 {value!r}")
        values[key] = value
    if values["improved_pct"] > values["marked_pct"]:
        raise NoticeConfigError(path, "praise.improved_pct", "不应大于 praise.marked_pct")
    return Praise(**values)


def _get(path: Path, table: Mapping[str, Any], prefix: str, key: str, kind: type) -> Any:
    if key not in table:
        raise NoticeConfigError(path, f"{prefix}.{key}", "缺少该键")
    value = table[key]
    if isinstance(value, bool) or not isinstance(value, kind):
        raise NoticeConfigError(path, f"{prefix}.{key}", f"类型错误：{value!r}")
    return value


def _fields(path: Path, key: str, text: str, allowed: frozenset[str]) -> None:
    try:
        fields = {f for _, f, _, _ in string.Formatter().parse(text) if f is not None}
    except ValueError as exc:
        raise NoticeConfigError(path, key, f"模板格式错误：{exc}") from exc
    if fields - allowed:
        raise NoticeConfigError(path, key, f"未知占位符 {sorted(fields - allowed)[0]}")


def load_notice_config(path: str | Path = DEFAULT_NOTICE_CONFIG) -> NoticeConfig:
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise NoticeConfigError(path, "-", f"无法读取文件：{exc.strerror}") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise NoticeConfigError(path, "-", f"不是有效的 TOML 文件：{exc}") from exc
    notice = _get(path, data, "", "notice", dict)
    problems = _get(path, data, "", "problems", dict)
    phrases_table = _get(path, data, "", "phrases", dict)
    phrases = {key: _get(path, phrases_table, "phrases", key, str) for key in PHRASES}
    for key, text in phrases.items():
        _fields(path, f"phrases.{key}", text, PHRASE_FIELDS)
    mailbox_table = _get(path, data, "", "mailbox", dict)
    mailbox = {key: _get(path, mailbox_table, "mailbox", key, str) for key in MAILBOX_KEYS}
    _fields(path, "mailbox.sentence", mailbox["sentence"], MAILBOX_FIELDS)
    name_missing = problems.get("name_missing_key_areas", False)
    if not isinstance(name_missing, bool):
        raise NoticeConfigError(
            path, "problems.name_missing_key_areas", f"类型错误，应为 true 或 false：{name_missing!r}"
        )
    replacements = data.get("short_names", {})
    groups = data.get("groups", {})
    cc = _get(path, notice, "notice", "cc", list)
    return NoticeConfig(
        path=str(path),
        title=_get(path, notice, "notice", "title", str),
        salutation=_get(path, notice, "notice", "salutation", str),
        basis=_get(path, notice, "notice", "basis", str),
        organizer=_get(path, notice, "notice", "organizer", str),
        office=_get(path, notice, "notice", "office", str),
        requirements=path.parent / _get(path, notice, "notice", "requirements", str),
        cc=tuple(str(line) for line in cc),
        city=str(data.get("names", {}).get("city", "")),
        short_names=tuple(sorted(((str(k), str(v)) for k, v in replacements.items()), key=lambda kv: -len(kv[0]))),
        scopes={
            group_code(code): str(table.get("scope", "")) for code, table in groups.items() if isinstance(table, dict)
        },
        columns_over=_get(path, problems, "problems", "columns_over", int),
        links_over=_get(path, problems, "problems", "links_over", int),
        links_named_min=_get(path, problems, "problems", "links_named_min", int),
        phrases=phrases,
        name_missing_key_areas=name_missing,
        mailbox=mailbox,
        praise=_praise(path, data),
    )


# -- short names -----------------------------------------------------------------------------------------
def short_name(name: str, config: NoticeConfig) -> str:
    """旬阳县人民政府 → 旬阳县; 安康市国土资源局 → 市国土局 (see the module docstring)."""
    text = name.strip()
    if text.endswith("人民政府") and len(text) > 4:
        text = text.removesuffix("人民政府")
    if config.city and text.startswith(config.city) and len(text) > len(config.city):
        text = "市" + text.removeprefix(config.city)
    for full, short in config.short_names:
        text = text.replace(full, short)
    return text


def registry_short_names(sites_csv: str | Path) -> dict[str, str]:
    """The optional ``short_name`` column of the registry (``govsites.registry`` ignores unknown columns)."""
    try:
        text = Path(sites_csv).read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return {}
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if not reader.fieldnames or "short_name" not in [h.strip() for h in reader.fieldnames]:
        return {}
    out = {}
    for row in reader:
        clean = {(k or "").strip(): (v or "").strip() for k, v in row.items() if isinstance(v, str)}
        if clean.get("site_id") and clean.get("short_name"):
            out[clean["site_id"]] = clean["short_name"]
    return out


def join_names(names: Iterable[str]) -> str:
    """市国土局、发改委、工信局: the leading 市 is kept on the first name only."""
    items = list(names)
    if not items:
        return ""
    rest = [n[1:] if n.startswith("市") and len(n) > 2 and items[0].startswith("市") else n for n in items[1:]]
    return "、".join([items[0], *rest])


def read_requirements(path: Path) -> list[str]:
    """Paragraphs of the editable 工作要求 text: blank-line separated, ``#`` lines are comments."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise NoticeConfigError(path, "-", f"无法读取工作要求文件：{exc.strerror}") from exc
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    return [p.strip().replace("\n", "") for p in "\n".join(lines).split("\n\n") if p.strip()]
