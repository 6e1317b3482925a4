"""Bad input stops the CLI with a clear message (file, line, field), a non-zero exit and nothing written."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from govsites.cli import build_parser, validate
from govsites.registry import load_sites
from tests.helpers import ROOT, crawl_command, run

HEADER = "site_id,name,group,county,home_url\n"
GOOD = "xunyang,旬阳县人民政府,county,旬阳县,http://127.0.0.11:8341/\n"

# name -> (registry text, line, field)
BAD_REGISTRIES: dict[str, tuple[str, int, str]] = {
    "bad url": (HEADER + GOOD + "bad,某局,agency,市直,htp//not a url\n", 3, "home_url"),
    "ftp url": (HEADER + GOOD + "bad,某局,agency,市直,ftp://127.0.0.12/\n", 3, "home_url"),
    "duplicate site_id": (HEADER + GOOD + "xunyang,某局,agency,市直,http://127.0.0.12:8341/\n", 3, "site_id"),
    "unknown group": (HEADER + GOOD + "bad,某局,city,市直,http://127.0.0.12:8341/\n", 3, "group"),
    "missing column": (
        "site_id,name,group,home_url\nxunyang,旬阳县人民政府,county,http://127.0.0.11:8341/\n",
        1,
        "county",
    ),
    "blank line then bad row": (HEADER + GOOD + "\n\nbad,某局,city,市直,http://127.0.0.12:8341/\n", 5, "group"),
}


def _crawl(registry: Path, db: Path, *extra: str) -> tuple[int, str]:
    result = run(crawl_command(registry, db, "bad", "2015-12-31", *extra), timeout=60)
    return result.returncode, result.stderr


@pytest.mark.parametrize("case", list(BAD_REGISTRIES))
def test_bad_registry(tmp_path: Path, case: str) -> None:
    text, line, field = BAD_REGISTRIES[case]
    registry = tmp_path / "sites.csv"
    registry.write_text(text, encoding="utf-8")
    db = tmp_path / "store.sqlite"
    code, err = _crawl(registry, db)
    assert code != 0
    assert f"{registry}:{line}" in err, err
    assert field in err, err
    assert "Traceback" not in err
    assert not db.exists()


def test_gbk_saved_registry_is_refused_with_a_hint(tmp_path: Path) -> None:
    registry = tmp_path / "sites.csv"
    registry.write_bytes((HEADER + GOOD).encode("gbk"))
    db = tmp_path / "store.sqlite"
    code, err = _crawl(registry, db)
    assert code != 0
    assert f"{registry}:2" in err, err
    assert "UTF-8" in err
    assert "Traceback" not in err
    assert not db.exists()


def test_bom_and_blank_lines_are_accepted(tmp_path: Path) -> None:
    """(The hostile crawl also runs from a registry saved with a BOM and blank lines.)"""
    registry = tmp_path / "sites.csv"
    registry.write_bytes(("\ufeff" + HEADER + "\n" + GOOD + "\n\n").encode("utf-8"))
    sites = load_sites(registry).sites
    assert [(s.site_id, s.line) for s in sites] == [("xunyang", 3)]
    args = build_parser().parse_args(
        [
            "crawl",
            "--sites",
            str(registry),
            "--columns",
            str(tmp_path / "none.csv"),
            "--db",
            str(tmp_path / "store.sqlite"),
            "--as-of",
            "2015-12-31",
        ]
    )
    validate(args)
    assert not (tmp_path / "store.sqlite").exists()


def test_columns_with_an_unknown_site(tmp_path: Path) -> None:
    registry = tmp_path / "sites.csv"
    registry.write_text(HEADER + GOOD, encoding="utf-8")
    columns = tmp_path / "columns.csv"
    columns.write_text(
        "site_id,column,url,category,render\n"
        "xunyang,通知公告,http://127.0.0.11:8341/tzgg/,notice,\n"
        "nosuch,工作动态,http://127.0.0.12:8341/gzdt/,news,\n",
        encoding="utf-8",
    )
    db = tmp_path / "store.sqlite"
    code, err = _crawl(registry, db, "--columns", str(columns))
    assert code != 0
    assert f"{columns}:3" in err, err
    assert "site_id" in err, err
    assert not db.exists()


@pytest.mark.parametrize("as_of", ["2015-13-45", "31/12/2015", "yesterday"])
def test_bad_as_of(tmp_path: Path, as_of: str) -> None:
    registry = tmp_path / "sites.csv"
    registry.write_text(HEADER + GOOD, encoding="utf-8")
    db = tmp_path / "store.sqlite"
    result = run(["-m", "govsites", "crawl", "--sites", str(registry), "--db", str(db), "--as-of", as_of], timeout=60)
    assert result.returncode != 0
    assert "AS_OF" in result.stderr, result.stderr
    assert as_of in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert not db.exists()


def test_rubric_with_wrong_types(tmp_path: Path) -> None:
    source = (ROOT / "data" / "rubric" / "census2015.toml").read_text(encoding="utf-8")
    assert "pass_mark = 60" in source
    bad = tmp_path / "bad.toml"
    bad.write_text(source.replace("pass_mark = 60", 'pass_mark = "sixty"'), encoding="utf-8")
    registry = tmp_path / "sites.csv"
    registry.write_text(HEADER + GOOD, encoding="utf-8")
    db, out = tmp_path / "store.sqlite", tmp_path / "output"
    result = run(
        ["-m", "scoring", "--db", str(db), "--out", str(out), "--sites", str(registry), "--rubric", str(bad)],
        timeout=60,
    )
    assert result.returncode != 0
    assert str(bad) in result.stderr, result.stderr
    assert "pass_mark" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()
    assert not db.exists()


def test_scoring_a_store_that_does_not_exist_creates_nothing(tmp_path: Path) -> None:
    registry = tmp_path / "sites.csv"
    registry.write_text(HEADER + GOOD, encoding="utf-8")
    db, out = tmp_path / "missing.sqlite", tmp_path / "output"
    result = run(["-m", "scoring", "--db", str(db), "--out", str(out), "--sites", str(registry)], timeout=60)
    assert result.returncode != 0
    assert str(db) in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert not db.exists(), "scoring created an empty store"
    assert not out.exists()


@pytest.mark.parametrize("case", ["duplicate site_id", "unknown group", "bad as_of"])
def test_an_existing_store_is_not_modified(tmp_path: Path, case: str) -> None:
    db = tmp_path / "store.sqlite"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE marker (x INTEGER)")
    con.execute("INSERT INTO marker VALUES (1)")
    con.commit()
    con.close()
    before = (db.read_bytes(), db.stat().st_mtime_ns)
    registry = tmp_path / "sites.csv"
    as_of = "2015-12-31"
    if case == "bad as_of":
        registry.write_text(HEADER + GOOD, encoding="utf-8")
        as_of = "2015-02-30"
    else:
        registry.write_text(BAD_REGISTRIES[case][0], encoding="utf-8")
    result = run(["-m", "govsites", "crawl", "--sites", str(registry), "--db", str(db), "--as-of", as_of], timeout=60)
    assert result.returncode != 0
    assert (db.read_bytes(), db.stat().st_mtime_ns) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sites.csv", "store.sqlite"]
