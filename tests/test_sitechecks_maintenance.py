"""Maintenance windows: real CSV files written and read back; errors name file, line and field; approved
windows cover probes (store timestamps are UTC), unapproved ones cover nothing."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from govsites.sitechecks.maintenance import (
    MAINTENANCE_FIELDS,
    MaintenanceError,
    beijing_time,
    load_maintenance,
)

ROOT = Path(__file__).resolve().parents[1]
HEADER = ",".join(MAINTENANCE_FIELDS)


def write(tmp_path: Path, *rows: str, header: str = HEADER, encoding: str = "utf-8") -> Path:
    path = tmp_path / "maintenance.csv"
    path.write_bytes(("\n".join((header, *rows)) + "\n").encode(encoding))
    return path


def test_shipped_file_is_a_valid_empty_calendar() -> None:
    calendar = load_maintenance(ROOT / "data" / "maintenance.csv")
    assert calendar.windows == []
    assert (ROOT / "data" / "maintenance.csv").read_text(encoding="utf-8").strip() == HEADER


def test_missing_file_is_an_empty_calendar(tmp_path: Path) -> None:
    assert load_maintenance(tmp_path / "none.csv").windows == []


def test_approved_window_covers_probes_and_unapproved_does_not(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "xunyang,2019-03-01 08:00,2019-03-01 12:00,是,服务器迁移",
        "",
        "ziyang,2019-03-02,2019-03-03,否,改版（未获批准）",
        "hanbin,2019/03/05 22:00,2019/03/06 06:00,yes,",
    )
    calendar = load_maintenance(path, known_sites=("xunyang", "ziyang", "hanbin"))
    assert [(w.site_id, w.approved, w.line) for w in calendar.windows] == [
        ("xunyang", True, 2),
        ("ziyang", False, 4),
        ("hanbin", True, 5),
    ]
    assert calendar.in_approved_window("xunyang", datetime(2019, 3, 1, 8, 0))
    assert calendar.in_approved_window("xunyang", datetime(2019, 3, 1, 12, 0))
    assert not calendar.in_approved_window("xunyang", datetime(2019, 3, 1, 12, 1))
    assert not calendar.in_approved_window("ziyang", datetime(2019, 3, 1, 10, 0))  # another site's window
    # 02:30 UTC is 10:30 北京时间: inside; 05:00 UTC is 13:00: outside.
    assert calendar.in_approved_window("xunyang", "2019-03-01T02:30:00+00:00")
    assert not calendar.in_approved_window("xunyang", "2019-03-01T05:00:00+00:00")
    # Unapproved: listed, but a probe inside it stays a failure.
    assert calendar.windows_for("ziyang")[0].note == "改版（未获批准）"
    assert not calendar.in_approved_window("ziyang", datetime(2019, 3, 3, 23, 59))
    assert calendar.in_approved_window("hanbin", datetime(2019, 3, 6, 5, 0))


def test_date_only_to_runs_to_the_end_of_the_day(tmp_path: Path) -> None:
    calendar = load_maintenance(write(tmp_path, "xunyang,2019-03-02,2019-03-03,是,"))
    assert calendar.in_approved_window("xunyang", datetime(2019, 3, 3, 23, 59, 59))
    assert not calendar.in_approved_window("xunyang", datetime(2019, 3, 4, 0, 0))
    assert calendar.approved_window_at("xunyang", datetime(2019, 3, 2)) is not None


def test_beijing_time() -> None:
    assert beijing_time("2019-03-01T16:00:00+00:00") == datetime(2019, 3, 2, 0, 0)
    assert beijing_time(datetime(2019, 3, 1, 9, 0)) == datetime(2019, 3, 1, 9, 0)


@pytest.mark.parametrize(
    ("rows", "header", "line", "field", "reason"),
    [
        (("Xunyang,2019-03-01,2019-03-02,是,",), HEADER, 2, "site_id", "站点标识"),
        (("xunyang,2019-03-01,2019-03-02,是,", "baihe,2019-03-01,2019-03-02,是,"), HEADER, 3, "site_id", "登记表"),
        (("xunyang,2019-3-1 8点,2019-03-02,是,",), HEADER, 2, "from", "时间格式"),
        (("xunyang,2019-03-02,2019-03-01,是,",), HEADER, 2, "to", "早于"),
        (("xunyang,2019-03-01,2019-03-02,也许,",), HEADER, 2, "approved", "是"),
        (("xunyang,2019-03-01,,是,",), HEADER, 2, "to", "为空"),
        (("xunyang,2019-03-01,2019-03-02,是,备注,多余",), HEADER, 2, "note", "列数"),
        ((), "site_id,from,to,note", 1, "approved", "表头"),
    ],
)
def test_errors_name_file_line_and_field(
    tmp_path: Path, rows: tuple[str, ...], header: str, line: int, field: str, reason: str
) -> None:
    path = write(tmp_path, *rows, header=header)
    with pytest.raises(MaintenanceError) as caught:
        load_maintenance(path, known_sites=("xunyang",))
    assert (caught.value.path, caught.value.line, caught.value.field) == (str(path), line, field)
    assert reason in caught.value.reason
    assert str(caught.value).startswith(f"{path}:{line}: 字段 {field}:")


def test_a_gbk_file_is_refused_with_advice(tmp_path: Path) -> None:
    path = write(tmp_path, "xunyang,2019-03-01,2019-03-02,是,改版", encoding="gbk")
    with pytest.raises(MaintenanceError, match="UTF-8") as caught:
        load_maintenance(path)
    assert caught.value.line == 2
