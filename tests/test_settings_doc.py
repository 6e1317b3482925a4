"""The README's settings table is generated from :mod:`govsites.config` and checked against it.

After adding or changing a setting in ``govsites/config.py``, refresh the table with
``.venv/bin/python -m tests.test_settings_doc``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from govsites.config import GovsitesConfig, Setting

README = Path(__file__).resolve().parents[1] / "README.md"
BEGIN = "<!-- settings table: generated from govsites/config.py (python -m tests.test_settings_doc) -->"
END = "<!-- end of settings table -->"


def _default(decl: Setting) -> str:
    if decl.type == "bool":
        return "`1`" if decl.default else "`0`"
    if decl.default == "":
        return "(empty)"
    return f"`{decl.default}`"


def settings_table() -> str:
    """The README's settings table: one row per declared setting, in declaration order."""
    rows = ["| setting | type | default | meaning |", "|---|---|---|---|"]
    rows += [
        f"| `{d.name}` | {d.type} | {_default(d)} | {d.meaning.replace('|', '&#124;')} |"
        for d in GovsitesConfig.declarations()
    ]
    return "\n".join([BEGIN, *rows, END])


def _readme_table(text: str) -> str:
    start, end = text.index(BEGIN), text.index(END) + len(END)
    return text[start:end]


def test_readme_settings_table_matches_the_declarations() -> None:
    text = README.read_text(encoding="utf-8")
    assert _readme_table(text) == settings_table(), "refresh it: .venv/bin/python -m tests.test_settings_doc"


def test_every_declared_setting_is_in_the_table_once() -> None:
    table = _readme_table(README.read_text(encoding="utf-8"))
    for decl in GovsitesConfig.declarations():
        assert table.count(f"| `{decl.name}` |") == 1


if __name__ == "__main__":
    readme = README.read_text(encoding="utf-8")
    README.write_text(readme.replace(_readme_table(readme), settings_table()), encoding="utf-8")
    sys.exit(0)
