"""govsites.paths: the shipped data/ folder is found once, from a clone or from an installed package."""

from __future__ import annotations

from pathlib import Path

from govsites.paths import DATA_DIR, PACKAGE_DIR, data_path, find_data_dir
from govsites.typos.dictionary import DEFAULT_TERMS_DIR
from scoring.rubric import RUBRIC_DIR
from tests.helpers import ROOT


def test_a_clone_reads_the_repository_data_folder() -> None:
    assert PACKAGE_DIR == ROOT / "govsites"
    assert DATA_DIR == ROOT / "data"
    assert find_data_dir(PACKAGE_DIR) == ROOT / "data"


def test_an_installed_package_reads_its_own_copy(tmp_path: Path) -> None:
    package = tmp_path / "site-packages" / "govsites"
    (package / "data" / "rubric").mkdir(parents=True)
    (tmp_path / "site-packages" / "data").mkdir()  # some other distribution's data/ beside it is not ours
    assert find_data_dir(package) == package / "data"


def test_the_code_finds_its_files_through_it() -> None:
    assert data_path("rubric", "census2015.toml").is_file()
    assert data_path("categories.csv").is_file()
    assert (data_path("terms") / "leaders.txt").is_file()
    assert data_path("rubric") == RUBRIC_DIR
    assert data_path("terms") == DEFAULT_TERMS_DIR
    assert data_path("notice", "notice.toml").is_file()
