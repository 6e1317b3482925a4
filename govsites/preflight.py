"""Checks made before a command writes anything, each failing with one Chinese line (:class:`PreflightError`).

- :func:`check_folder`: an output folder (or a store file's folder) can be created and written: the nearest
  existing ancestor is a folder the process may write into (on a read-only file system or under a file, it is
  not). Nothing is created by the check.
- :func:`check_store_exists`: the store a scoring command reads is there ("请先运行 make crawl").
- :func:`bad_date`: the one wording of a malformed date (AS_OF and every other date option) in every command.
- :func:`shortened`: a list of valid values for an error line, shortened when long.

Pure: the standard library only (the crawl CLI and the scoring CLI both use it).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

#: the command that makes a store, named wherever a store is missing
CRAWL_FIRST = "请先运行 make crawl（或 python -m govsites crawl）"
#: how many valid values an error line lists before "等 N 个"
LISTED = 12


class PreflightError(ValueError):
    """A condition found before anything was written; the message is one Chinese line."""


def bad_date(value: str, what: str = "AS_OF（评估日期）") -> str:
    """The one wording of a malformed date, in every command: "AS_OF（评估日期）应为 YYYY-MM-DD 格式的日期，
    如 2015-12-31：'2015-13-01'"."""
    return f"{what}应为 YYYY-MM-DD 格式的日期，如 2015-12-31：{value!r}"


def shortened(values: Iterable[str], limit: int = LISTED) -> str:
    """ "a、b、c" or, past ``limit`` values, "a、b、…、l 等 40 个"."""
    items = list(values)
    if len(items) <= limit:
        return "、".join(items) or "无"
    return "、".join(items[:limit]) + f" 等 {len(items)} 个"


def is_url(store: str | Path) -> bool:
    """A store given as a URL (PostgreSQL): not a file of this machine."""
    return "://" in str(store) and not str(store).startswith("sqlite:///")


def store_file(store: str | Path) -> Path:
    return Path(str(store).removeprefix("sqlite:///"))


def check_folder(folder: str | Path, what: str) -> None:
    """``folder`` exists as a writable folder, or can be created: raise :class:`PreflightError` otherwise."""
    path = Path(folder)
    probe = path
    while not probe.exists():
        if probe.parent == probe:
            break
        probe = probe.parent
    if probe.exists() and not probe.is_dir():
        where = "" if probe == path else f"（{probe} 是文件）"
        raise PreflightError(f"无法写入{what} {path}：不是文件夹{where}")
    if not os.access(probe, os.W_OK | os.X_OK):
        raise PreflightError(f"无法写入{what} {path}：{probe} 没有写入权限或位于只读文件系统")


def check_store_writable(store: str | Path) -> None:
    """The store file (SQLite) can be created or written: its folder is writable, the file itself too."""
    if is_url(store):
        return
    path = store_file(store)
    if path.is_dir():
        raise PreflightError(f"无法写入存储 {store}：这是一个文件夹，应为 SQLite 文件路径（如 data/govsites.sqlite）")
    check_folder(path.parent, "存储所在文件夹")
    if path.exists() and not os.access(path, os.W_OK):
        raise PreflightError(f"无法写入存储 {store}：没有写入权限或位于只读文件系统")


def check_store_exists(store: str | Path) -> None:
    """A store to read: a SQLite file that exists (a URL is checked when it is opened)."""
    if is_url(store):
        return
    path = store_file(store)
    if not path.is_file():
        raise PreflightError(f"存储文件不存在：{store}。{CRAWL_FIRST}")
