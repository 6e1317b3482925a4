"""Where the code finds the files it ships with: the ``data/`` folder (typo terms, rubrics, notice settings,
column categories, example registries).

The rule, decided once at import:

1. run from a clone (or an editable install): the repository's ``data/`` folder, beside the ``govsites`` package;
2. installed with ``pip install .``: the copy of ``data/`` the wheel carries inside the package
   (``govsites/data/``, see ``setup.py``).

Paths a user gives (``--sites``, ``--db``, ``--out``, the ``GOVSITES_*`` file settings) are the user's, relative to
the working directory as they typed them; this module is only for the files that come with the code.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

PACKAGE_DIR: Final = Path(__file__).resolve().parent
"""The ``govsites`` package folder."""


def find_data_dir(package_dir: Path = PACKAGE_DIR) -> Path:
    """``data/`` beside the package when it holds the rubrics (a clone), else the copy inside the package."""
    beside = package_dir.parent / "data"
    if (beside / "rubric").is_dir():
        return beside
    return package_dir / "data"


DATA_DIR: Final = find_data_dir()
"""The shipped ``data/`` folder (see the module docstring for the rule)."""


def data_path(*parts: str) -> Path:
    """A path inside :data:`DATA_DIR`, e.g. ``data_path("rubric", "census2015.toml")``."""
    return DATA_DIR.joinpath(*parts)
