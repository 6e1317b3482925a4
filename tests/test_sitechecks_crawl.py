"""The site checks end to end: a crawl of the site-checks web (tests/webs/sitechecks.py, twenty sites written
from real templates, not from the checks) → site_checks.csv, the 网站功能 and 预警 sheets, warnings.csv, and the
maintenance windows in availability.

Accuracy: every check's status is compared with what an inspector records for each site (the web's
``expected``); the issue asks for >= 95% per check. The figures are printed (``pytest -s``) and documented in
docs/sitechecks.md.
"""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest

from govsites.registry import SITE_FIELDS
from govsites.store import open_store
from tests.helpers import crawl_command, read_csv, run, score_command
from tests.test_cli_errors import files, one_error_line
from tests.webs.sitechecks import SITES, SiteChecksWeb

AS_OF = "2019-03-10"
RUN = "checks"
REQUIRED_ACCURACY = 0.95


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The web crawled once; the store then gains the probes and columns the scoring tests need."""
    folder = tmp_path_factory.mktemp("sitechecks")
    with SiteChecksWeb() as web:
        registry = folder / "sites.csv"
        with registry.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=[*SITE_FIELDS, "site_code"], lineterminator="\n")
            writer.writeheader()
            writer.writerows(web.registry_rows())
        db = folder / "store.sqlite"
        done = run(
            crawl_command(registry, db, RUN, AS_OF, "--allow-private", "--probes", "1"),
            GOVSITES_LINK_TIMEOUT="3",
            GOVSITES_RENDER_ENABLED="false",
        )
        assert done.returncode == 0, done.stderr[-3000:]
    return {"registry": registry, "db": db, "folder": folder}


def site_checks(db: Path) -> dict[tuple[str, str], str]:
    store = open_store(db)
    try:
        rows = store.query_tuples("SELECT site_id, check_name, status FROM site_checks", ())
    finally:
        store.close()
    return {(site, check): status for site, check, status in rows}


def test_every_check_is_right_for_at_least_95_percent_of_the_sites(crawled: dict[str, Path]) -> None:
    found = site_checks(crawled["db"])
    checks = sorted({check for site in SITES for check in site.expected})
    accuracy: dict[str, float] = {}
    wrong: list[str] = []
    for check in checks:
        right = 0
        for site in SITES:
            got = found.get((site.site_id, check), "absent")
            if got == site.expected[check]:
                right += 1
            else:
                wrong.append(f"{site.site_id} {check}: expected {site.expected[check]}, got {got}")
        accuracy[check] = right / len(SITES)
    print("\nper-check accuracy over", len(SITES), "sites:", {k: f"{v:.0%}" for k, v in accuracy.items()})
    print("\n".join(wrong))
    assert all(v >= REQUIRED_ACCURACY for v in accuracy.values()), (accuracy, wrong)


def add_rows(db: Path, label: str, table: str, rows: list[tuple[object, ...]]) -> None:
    store = open_store(db)
    try:
        found = store.get_run(label)
        assert found is not None
        store.insert_values(found.id, {table: rows})
    finally:
        store.close()


def test_maintenance_windows_and_warnings_in_the_scores(crawled: dict[str, Path]) -> None:
    db, folder = crawled["db"], crawled["folder"]
    # Failed probes of s01 inside an approved window and of s02 inside an unapproved one (北京时间 = UTC+8);
    # s11 four blank columns: one short of the veto line (5).
    failed = [("s01", "http://x/", f"2019-03-05T0{h}:00:00+00:00", 0, "timeout", 15000, "probe") for h in range(4)]
    failed += [("s02", "http://y/", f"2019-03-05T0{h}:00:00+00:00", 0, "timeout", 15000, "probe") for h in range(4)]
    add_rows(db, RUN, "probes", failed)
    blank = [
        ("s11", f"http://s11/col{i}/", f"栏目{i}", "news", "", 0, "blank", "", "nav", 0, 1, "", "") for i in range(4)
    ]
    add_rows(db, RUN, "columns", blank)
    maintenance = folder / "maintenance.csv"
    maintenance.write_text(
        "site_id,from,to,approved,note\n"
        "s01,2019-03-05 07:00,2019-03-05 13:00,是,机房搬迁（已报备）\n"
        "s02,2019-03-05,2019-03-05,否,未获批准的改版\n",
        encoding="utf-8",
    )
    out = folder / "out"
    done = run([*score_command(crawled["registry"], db, out, RUN), "--maintenance", str(maintenance)])
    assert done.returncode == 0, done.stderr[-3000:]
    metrics = {row["site_id"]: row for row in read_csv(out / "metrics.csv")}
    assert metrics["s01"]["home_failures"] == "0"  # every failed probe fell in the approved window
    assert metrics["s01"]["home_available"] == "true"
    assert metrics["s02"]["home_failures"] == "4"  # an unapproved window excludes nothing
    windows = read_csv(out / "maintenance.csv")
    assert [(w["site_id"], w["approved"], w["probes_excluded"]) for w in windows] == [
        ("s01", "true", "4"),
        ("s02", "false", "0"),
    ]
    warnings = read_csv(out / "warnings.csv")
    s11 = [w for w in warnings if w["site_id"] == "s11"]
    assert [(w["metric"], w["value"], w["veto_at"]) for w in s11] == [("blank_columns", "4", "5")]
    assert "空白栏目4个" in s11[0]["detail"]
    assert int(metrics["s05"]["checks_failed"]) >= 7

    book = openpyxl.load_workbook(out / "scores.xlsx")
    sheet = book["网站功能"]
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["站点标识", "单位名称", "分组", "未通过项数"]
    rows = {r[0].value: r for r in sheet.iter_rows(min_row=2)}
    s05 = dict(zip(header, rows["s05"], strict=False))
    assert s05["党政机关网站标识"].value == "缺失"
    assert s05["党政机关网站标识"].fill.fgColor.rgb.endswith("FFC7CE")  # red
    s01 = dict(zip(header, rows["s01"], strict=False))
    assert s01["网站标识码"].value == "正常"
    assert s01["网站标识码"].fill.fgColor.rgb.endswith("C6EFCE")  # green
    assert sheet.page_setup.orientation == "landscape"
    warn = book["预警"]
    texts = [c.value for row in warn.iter_rows() for c in row if c.value]
    assert any(isinstance(t, str) and "空白栏目4个" in t for t in texts)
    assert "机房搬迁（已报备）" in texts


def test_a_bad_maintenance_row_or_site_code_is_one_error_and_nothing_is_written(tmp_path: Path) -> None:
    reg = tmp_path / "sites.csv"
    reg.write_text(
        "site_id,name,group,county,home_url,site_code\na,甲县人民政府,county,甲县,http://127.0.0.2:9/,6109000001\n",
        encoding="utf-8",
    )
    bad = tmp_path / "maintenance.csv"
    bad.write_text("site_id,from,to,approved,note\na,2019-03-05 08:00,2019-03-04,是,\n", encoding="utf-8")
    before = files(tmp_path)
    crawl = run(crawl_command(reg, tmp_path / "s.sqlite", "r1", AS_OF), GOVSITES_MAINTENANCE=str(bad))
    line = one_error_line(crawl)
    assert f"{bad}:2: 字段 to:" in line
    assert "结束时间早于开始时间" in line
    assert files(tmp_path) == before
    bad.write_text("site_id,from,to,approved,note\na,2019-03-05,2019-03-06,也许,\n", encoding="utf-8")
    line = one_error_line(run(crawl_command(reg, tmp_path / "s.sqlite", "r1", AS_OF), GOVSITES_MAINTENANCE=str(bad)))
    assert f"{bad}:2: 字段 approved:" in line
    assert "也许" in line
    reg.write_text(reg.read_text(encoding="utf-8").replace("6109000001", "61090001"), encoding="utf-8")
    line = one_error_line(run(crawl_command(reg, tmp_path / "s.sqlite", "r1", AS_OF)))
    assert f"{reg}:2: 字段 site_code:" in line
    assert "61090001" in line
    assert files(tmp_path) == before
