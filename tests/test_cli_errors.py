"""Careless inputs end with one clear Chinese line, exit code 2 and no file written: the real CLIs run as child
processes (``python -m govsites`` / ``python -m scoring``, as make runs them)."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from govsites.preflight import shortened
from govsites.registry import load_sites
from tests.helpers import crawl_command, run, score_command

Command = Callable[[Path, Path, Path], list[str]]
HEADER = "site_id,name,group,county,home_url\n"


def registry(tmp: Path, rows: int = 3, group: str = "county") -> Path:
    path = tmp / "sites.csv"
    lines = [f"s{i:02d},某县{i}人民政府,{group},某县{i},http://127.0.0.{20 + i}:9/\n" for i in range(rows)]
    path.write_text(HEADER + "".join(lines), encoding="utf-8")
    return path


def files(folder: Path) -> set[Path]:
    return set(folder.rglob("*"))


def one_error_line(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 2, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr  # one line, no traceback
    assert lines[0].startswith("错误：")
    assert "Traceback" not in proc.stderr
    return lines[0]


@pytest.mark.parametrize(
    "command",
    [
        lambda reg, db, out: crawl_command(reg, db, "r1", "2015-13-01"),
        lambda reg, db, out: ["-m", "govsites", "probe", "--sites", str(reg), "--db", str(db), "--as-of", "2015-13-01"],
        lambda reg, db, out: [*score_command(reg, db, out, "r1"), "--as-of", "2015-13-01"],
        lambda reg, db, out: [
            "-m",
            "scoring",
            "notice",
            "--db",
            str(db),
            "--out",
            str(out),
            "--sites",
            str(reg),
            "--as-of",
            "2015-13-01",
        ],
    ],
    ids=["crawl", "probe", "score", "notice"],
)
def test_bad_as_of_has_one_wording_in_every_command(tmp_path: Path, command: Command) -> None:
    reg = registry(tmp_path)
    db = tmp_path / "store.sqlite"
    db.write_bytes(b"")  # scoring checks the date before it reads the store
    before = files(tmp_path)
    line = one_error_line(run(command(reg, db, tmp_path / "out")))
    assert line == "错误：AS_OF（评估日期）应为 YYYY-MM-DD 格式的日期，如 2015-12-31：'2015-13-01'"
    assert files(tmp_path) == before


def test_missing_store_says_crawl_first(tmp_path: Path) -> None:
    reg = registry(tmp_path)
    before = files(tmp_path)
    for args in (
        score_command(reg, tmp_path / "none.sqlite", tmp_path / "out", "r1"),
        [
            "-m",
            "scoring",
            "notice",
            "--db",
            str(tmp_path / "none.sqlite"),
            "--out",
            str(tmp_path / "out"),
            "--sites",
            str(reg),
        ],
    ):
        line = one_error_line(run(args))
        assert "存储文件不存在" in line
        assert "请先运行 make crawl" in line
    assert files(tmp_path) == before


def test_unwritable_store_and_output_folder(tmp_path: Path) -> None:
    reg = registry(tmp_path)
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where a folder should be", encoding="utf-8")
    before = files(tmp_path)
    line = one_error_line(run(crawl_command(reg, blocker / "store.sqlite", "r1", "2015-12-31", "--allow-private")))
    assert line.startswith(f"错误：无法写入存储所在文件夹 {blocker}")
    line = one_error_line(run(crawl_command(reg, tmp_path, "r1", "2015-12-31")))
    assert "这是一个文件夹，应为 SQLite 文件路径" in line
    db = tmp_path / "store.sqlite"
    db.write_bytes(b"")
    before.add(db)
    line = one_error_line(run(score_command(reg, db, blocker / "out", "r1")))
    assert line == f"错误：无法写入输出目录 {blocker / 'out'}：不是文件夹（{blocker} 是文件）"
    template = ["-m", "scoring", "expert-template", "--sites", str(reg), "--out", str(blocker / "out")]
    assert "无法写入输出目录" in one_error_line(run(template))
    demo = ["-m", "govsites", "demo", "--out", str(blocker / "o"), "--db", str(tmp_path / "d.sqlite"), "--port", "0"]
    assert "无法写入输出目录" in one_error_line(run(demo))
    assert files(tmp_path) == before


def test_unknown_site_or_county_lists_the_valid_ones(tmp_path: Path) -> None:
    few = registry(tmp_path)
    before = files(tmp_path)
    line = one_error_line(run(crawl_command(few, tmp_path / "s.sqlite", "r1", "2015-12-31", "--site", "nosuch")))
    assert "登记表中没有站点 nosuch（SITE 可选：s00、s01、s02）" in line
    line = one_error_line(run(crawl_command(few, tmp_path / "s.sqlite", "r1", "2015-12-31", "--county", "无此县")))
    assert "登记表中没有县区 无此县（COUNTY 可选：某县0、某县1、某县2）" in line
    assert files(tmp_path) == before
    many = registry(tmp_path, rows=30)
    line = one_error_line(run(crawl_command(many, tmp_path / "s.sqlite", "r1", "2015-12-31", "--site", "nosuch")))
    assert "SITE 可选：s00、s01、s02、s03、s04、s05、s06、s07、s08、s09、s10、s11 等 30 个）" in line


def test_shortened_lists() -> None:
    assert shortened([]) == "无"
    assert shortened(["a", "b"]) == "a、b"
    assert shortened([str(i) for i in range(5)], limit=3) == "0、1、2 等 5 个"


@pytest.mark.parametrize(("given", "code"), [("县区组", "county"), ("政府机构组", "agency"), (" agency ", "agency")])
def test_groups_by_their_chinese_names(tmp_path: Path, given: str, code: str) -> None:
    path = registry(tmp_path, rows=1, group=given)
    assert [s.group for s in load_sites(path).sites] == [code]


def test_an_unknown_group_names_both_spellings(tmp_path: Path) -> None:
    reg = registry(tmp_path, rows=1, group="县组")
    line = one_error_line(run(crawl_command(reg, tmp_path / "s.sqlite", "r1", "2015-12-31")))
    assert "分组应为 county 或 县区组、agency 或 政府机构组" in line
    assert not (tmp_path / "s.sqlite").exists()
