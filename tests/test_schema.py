"""One schema declaration: items, store tables, keys and loader types agree with it."""

from __future__ import annotations

import dataclasses
import inspect
import sqlite3
from pathlib import Path

import govsites.items
from govsites.schema import ITEM_TABLES, SCHEMA, TABLE_COLUMNS, TABLE_KEYS, TABLES, dtypes, postgres_schema
from govsites.store import PostgresStore, SQLiteStore, Store, open_store

#: Item fields that are not columns: the page's text (read by the typo pipeline), its child rows and its memo (what
#: was read of it, kept for a 304); the HTTPS address whose certificate the site-checks pipeline verifies.
NOT_STORED = {
    "PageItem": ("text", "typos", "refs", "entries", "checks", "risks", "html", "site_checks", "memo"),
    "SiteCheckItem": ("url",),
}


def item_classes() -> dict[str, type]:
    classes = inspect.getmembers(govsites.items, inspect.isclass)
    return {name: cls for name, cls in classes if dataclasses.is_dataclass(cls) and cls.__dict__.get("TABLE")}


def test_item_fields_equal_table_columns() -> None:
    classes = item_classes()
    assert sorted(cls.TABLE for cls in classes.values()) == sorted(ITEM_TABLES)  # type: ignore[attr-defined]
    for name, cls in classes.items():
        fields = tuple(f.name for f in dataclasses.fields(cls))
        stored = tuple(f for f in fields if f not in NOT_STORED.get(name, ()))
        assert stored == TABLE_COLUMNS[cls.TABLE], name  # type: ignore[attr-defined]


def test_new_sqlite_store_has_the_declared_tables_columns_and_keys(tmp_path: Path) -> None:
    open_store(tmp_path / "s.sqlite").close()
    con = sqlite3.connect(tmp_path / "s.sqlite")
    try:
        for table in TABLES:
            info = con.execute(f"PRAGMA table_info({table.name})").fetchall()
            assert tuple(row[1] for row in info) == table.column_names
            assert tuple(name for *_, name in sorted((row[5], row[1]) for row in info if row[5])) == (
                table.key or (("id",) if table.name == "runs" else ())
            )
    finally:
        con.close()


def test_open_store_picks_the_kind_by_url(tmp_path: Path) -> None:
    with open_store(tmp_path / "s.sqlite") as store:
        assert isinstance(store, SQLiteStore)
    with open_store(f"sqlite:///{tmp_path / 't.sqlite'}") as store:
        assert isinstance(store, SQLiteStore)
    assert issubclass(PostgresStore, Store)
    assert issubclass(SQLiteStore, Store)  # both behind the one interface


def test_postgres_ddl_is_the_same_tables_without_sqlite_syntax() -> None:
    statements = postgres_schema()
    assert not [s for s in statements if "WITHOUT ROWID" in s]
    assert len([s for s in statements if s.startswith("CREATE TABLE")]) == len(TABLES)
    assert SCHEMA.count("CREATE TABLE") == len(TABLES)


def test_keys_and_loader_types() -> None:
    assert "probes" not in TABLE_KEYS  # probe rounds accumulate
    crawled = {name: key for name, key in TABLE_KEYS.items() if name in ITEM_TABLES}
    assert all(key[:2] == ("run_id", "site_id") for key in crawled.values())
    assert TABLE_KEYS["reviews"] == ("finding_id",)  # one decision per finding, across runs
    assert dtypes("pages")["depth"] == "int64"
    assert dtypes("pages")["title"] == "str"
    assert list(dtypes("typos")) == list(TABLE_COLUMNS["typos"])
