"""Registered maintenance windows (临时关停 / 改版 报备) from ``data/maintenance.csv``.

Columns ``site_id, from, to, approved, note``. ``from``/``to`` are 北京时间 (``2019-03-01 08:00``, or a date: a
``to`` date runs to the end of that day). ``approved`` is 是/否 (also yes/no, true/false, 1/0). Approved
windows exclude that site's home-page probes inside them from availability; unapproved ones are shown but
exclude nothing. Errors name the file, the line and the field, like the registry's.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta, timezone
from pathlib import Path

from govsites.registry import SITE_ID_RE, RegistryError

MAINTENANCE_FIELDS = ("site_id", "from", "to", "approved", "note")
BEIJING = timezone(timedelta(hours=8), "北京时间")
_YES = frozenset({"是", "yes", "y", "true", "1", "已批准", "批准"})
_NO = frozenset({"否", "no", "n", "false", "0", "未批准", "不批准"})
_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y/%m/%d %H:%M")
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d")


class MaintenanceError(RegistryError):
    """A malformed maintenance file: names file, line and field."""


@dataclass(frozen=True)
class MaintenanceWindow:
    site_id: str
    start: datetime  # naive, 北京时间
    end: datetime  # naive, 北京时间, inclusive
    approved: bool
    note: str = ""
    line: int = 0

    def covers(self, moment: datetime) -> bool:
        return self.start <= moment <= self.end


def beijing_time(moment: datetime | str) -> datetime:
    """A naive 北京时间 datetime: aware values (store timestamps are UTC ISO strings) are converted."""
    value = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    return value.astimezone(BEIJING).replace(tzinfo=None) if value.tzinfo else value


@dataclass
class MaintenanceCalendar:
    path: str
    windows: list[MaintenanceWindow] = field(default_factory=list)

    def windows_for(self, site_id: str) -> list[MaintenanceWindow]:
        return [w for w in self.windows if w.site_id == site_id]

    def approved_window_at(self, site_id: str, timestamp: datetime | str) -> MaintenanceWindow | None:
        moment = beijing_time(timestamp)
        return next((w for w in self.windows if w.site_id == site_id and w.approved and w.covers(moment)), None)

    def in_approved_window(self, site_id: str, timestamp: datetime | str) -> bool:
        """True when an approved window of the site covers the moment (a probe then is not a failure)."""
        return self.approved_window_at(site_id, timestamp) is not None


def _parse_moment(path: Path, line: int, name: str, text: str) -> datetime:
    for fmt in _FORMATS:
        try:
            return datetime.strptime(text, fmt)  # noqa: DTZ007 - 北京时间 by definition of the file
        except ValueError:
            continue
    for fmt in _DATE_FORMATS:
        try:
            day = datetime.strptime(text, fmt).date()  # noqa: DTZ007
        except ValueError:
            continue
        return datetime.combine(day, time.min if name == "from" else time.max)
    raise MaintenanceError(
        path, line, name, f"时间格式应为 2019-03-01 08:00 或 2019-03-01 / expected a date or date and time: {text!r}"
    )


def _approved(path: Path, line: int, text: str) -> bool:
    low = text.strip().lower()
    if low in _YES:
        return True
    if low in _NO:
        return False
    raise MaintenanceError(path, line, "approved", f"应填“是”或“否” / expected yes or no: {text!r}")


def _records(path: Path) -> Iterable[tuple[int, dict[str, str]]]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise MaintenanceError(path, 0, "-", f"无法读取文件 / cannot read file: {exc.strerror}") from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        reason = "文件不是 UTF-8 编码（请另存为“CSV UTF-8”）/ file is not UTF-8"
        raise MaintenanceError(path, line, "-", reason) from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [name.strip() for name in next(reader, [])]
    if not header:
        raise MaintenanceError(path, 1, "-", "文件为空 / empty file")
    for name in MAINTENANCE_FIELDS:
        if name not in header:
            raise MaintenanceError(path, 1, name, "表头缺少该列 / header lacks this column")
    for values in reader:
        if not any(value.strip() for value in values):
            continue
        if len(values) > len(header):
            raise MaintenanceError(path, reader.line_num, header[-1], "列数多于表头 / too many fields")
        padded = [value.strip() for value in values] + [""] * (len(header) - len(values))
        yield reader.line_num, dict(zip(header, padded, strict=True))


def load_maintenance(path: Path | str, known_sites: Iterable[str] | None = None) -> MaintenanceCalendar:
    """Read and validate the maintenance file; a missing file is an empty calendar.

    ``known_sites`` (the registry's site ids), when given, rejects windows of sites not in the registry.
    """
    path = Path(path)
    if not path.exists():
        return MaintenanceCalendar(str(path))
    known = set(known_sites) if known_sites is not None else None
    windows: list[MaintenanceWindow] = []
    for line, row in _records(path):
        site_id = row["site_id"]
        if not SITE_ID_RE.match(site_id):
            raise MaintenanceError(path, line, "site_id", f"不是有效的站点标识 / not a site id: {site_id!r}")
        if known is not None and site_id not in known:
            raise MaintenanceError(path, line, "site_id", f"站点不在登记表中 / site not in the registry: {site_id!r}")
        for name in ("from", "to", "approved"):
            if not row[name]:
                raise MaintenanceError(path, line, name, "不能为空 / empty field")
        start = _parse_moment(path, line, "from", row["from"])
        end = _parse_moment(path, line, "to", row["to"])
        if end < start:
            raise MaintenanceError(path, line, "to", f"结束时间早于开始时间 / ends before it starts: {row['to']!r}")
        windows.append(
            MaintenanceWindow(
                site_id=site_id,
                start=start,
                end=end,
                approved=_approved(path, line, row["approved"]),
                note=row["note"],
                line=line,
            )
        )
    return MaintenanceCalendar(str(path), windows)
