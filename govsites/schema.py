"""The store's schema, declared once: tables, columns, types, keys.

From this declaration come the DDL of both stores (SQLite and PostgreSQL, :mod:`govsites.store`), the columns the
store writes for each table (an item's fields, :mod:`govsites.items`, carry the same names in the same order; a
test checks it), the keys of the upserts, the tables replaced when a site is crawled again, the migrations of older
stores and the column types a loader needs (:func:`dtypes`, for ``scoring``).

Every row of a run table carries ``run_id``; the store adds it, so it is not among a table's :attr:`Table.written`
columns. No Scrapy and no database import here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

#: SQL words used as column names: quoted in every statement.
RESERVED = frozenset({"right", "column"})

SqlType = Literal["TEXT", "INTEGER"]


def quote(name: str) -> str:
    """A column name as SQL writes it (``"right"``, ``"column"``; others as they are)."""
    return f'"{name}"' if name in RESERVED else name


@dataclass(frozen=True)
class Column:
    """One column: its SQL type, whether it may be NULL, its default and whether it came after the first release
    (then older stores gain it by migration)."""

    name: str
    type: SqlType = "TEXT"
    nullable: bool = False
    default: str | int | None = None
    unique: bool = False
    primary: bool = False  # the table's own integer key (``runs.id``)
    added: bool = False  # added after the first release: a migration adds it to older stores

    def ddl(self) -> str:
        """The column's definition (``elapsed_ms INTEGER NOT NULL DEFAULT 0``)."""
        parts = [quote(self.name), self.type]
        if self.primary:
            parts.append("PRIMARY KEY")
        elif not self.nullable:
            parts.append("NOT NULL")
        if self.unique:
            parts.append("UNIQUE")
        if self.default is not None:
            parts.append(f"DEFAULT {_literal(self.default)}")
        return " ".join(parts)


def _literal(value: str | int) -> str:
    return f"'{value}'" if isinstance(value, str) else str(value)


@dataclass(frozen=True)
class Table:
    """One table: its columns in order, its primary key (none: rows accumulate) and its indexes.

    ``per_site``: the rows belong to one (run, site) and are replaced when that site is crawled again.
    ``from_crawl``: the rows are the crawl's items (False: written by scoring, as the inspector's decisions).
    """

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    per_site: bool = False
    indexes: tuple[tuple[str, tuple[str, ...]], ...] = ()
    from_crawl: bool = True

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def written(self) -> tuple[str, ...]:
        """The columns the store writes from an item, in order (``run_id`` is the store's)."""
        return tuple(c.name for c in self.columns if c.name != "run_id")

    @property
    def integer_columns(self) -> frozenset[str]:
        return frozenset(c.name for c in self.columns if c.type == "INTEGER")

    def ddl(self) -> str:
        """``CREATE TABLE IF NOT EXISTS`` (SQLite's syntax; keyed tables are ``WITHOUT ROWID``) and its indexes.

        Tables keyed by several text columns are ``WITHOUT ROWID``: a row is stored once, in its key's b-tree,
        instead of in a rowid table plus an index of the key (half the writes and half the file for link_refs). A
        store created before keeps its rowid tables; nothing reads a rowid.
        """
        lines = [f"    {c.ddl()}" for c in self.columns]
        if self.key:
            lines.append(f"    PRIMARY KEY ({', '.join(self.key)})")
        tail = " WITHOUT ROWID" if self.key else ""
        statements = [f"CREATE TABLE IF NOT EXISTS {self.name} (\n" + ",\n".join(lines) + f"\n){tail};"]
        statements += [
            f"CREATE INDEX IF NOT EXISTS {index} ON {self.name} ({', '.join(columns)});"
            for index, columns in self.indexes
        ]
        return "\n".join(statements)


def _run_key(*columns: str) -> tuple[str, ...]:
    return ("run_id", "site_id", *columns)


RUN_ID = Column("run_id", "INTEGER")
SITE_ID = Column("site_id")

#: Every table, in creation order.
TABLES: tuple[Table, ...] = (
    Table(
        "runs",
        (
            Column("id", "INTEGER", primary=True),
            Column("label", unique=True),
            Column("as_of"),
            Column("started_at"),
            Column("finished_at", nullable=True),
            Column("status", default="running"),
        ),
    ),
    Table(
        "run_sites",
        (
            RUN_ID,
            SITE_ID,
            Column("name"),
            Column("grp"),
            Column("county"),
            Column("home_url"),
            Column("started_at"),
            Column("finished_at", nullable=True),
            Column("status", default="running"),
            Column("pages", "INTEGER", default=0),
            Column("error", default=""),
            Column("pages_capped", "INTEGER", default=0, added=True),
        ),
        key=_run_key(),
    ),
    Table(
        "pages",
        (
            RUN_ID,
            SITE_ID,
            Column("url"),
            Column("final_url"),
            Column("status"),
            Column("kind"),
            Column("depth", "INTEGER"),
            Column("rendered", "INTEGER"),
            Column("title"),
            Column("encoding"),
            Column("fetched_at"),
            Column("elapsed_ms", "INTEGER", default=0, added=True),
        ),
        key=_run_key("url"),
        per_site=True,
    ),
    Table(
        "columns",
        (
            RUN_ID,
            SITE_ID,
            Column("url"),
            Column("name"),
            Column("category"),
            Column("newest_date"),
            Column("items", "INTEGER"),
            Column("status"),
            Column("date_source"),
            Column("found_by"),
            Column("rendered", "INTEGER"),
            Column("on_home", "INTEGER"),
            # A list that needed the browser and whose render did not complete (status ``unrendered``): why
            # (govsites.rendering: deadline | skipped | failed) and the Chinese detail; "" for every other column.
            Column("render_error", default="", added=True),
            Column("render_detail", default="", added=True),
        ),
        key=_run_key("url"),
        per_site=True,
    ),
    Table(
        "list_items",
        (
            RUN_ID,
            SITE_ID,
            Column("column_url"),
            Column("url"),
            Column("title"),
            Column("date"),
            Column("date_source"),
            Column("pinned", "INTEGER"),
        ),
        key=_run_key("column_url", "url"),
        per_site=True,
    ),
    Table(
        "link_refs",
        (
            RUN_ID,
            SITE_ID,
            Column("url"),
            Column("source_url"),
            Column("anchor"),
            Column("tag"),
        ),
        key=_run_key("url", "source_url", "anchor", "tag"),
        per_site=True,
    ),
    Table(
        "link_checks",
        (
            RUN_ID,
            SITE_ID,
            Column("url"),
            Column("status"),
            Column("reason"),
            Column("broken", "INTEGER"),
            Column("final_url"),
            Column("checked_at"),
        ),
        key=_run_key("url"),
        per_site=True,
    ),
    Table(
        "typos",
        (
            RUN_ID,
            SITE_ID,
            Column("url"),
            Column("wrong"),
            Column("right"),
            Column("context"),
            Column("severity"),
            Column("kind"),
        ),
        key=_run_key("url", "wrong", "context"),
        per_site=True,
    ),
    # No key: probe rounds accumulate (a rerun deletes only the crawl's own, see govsites.store).
    Table(
        "probes",
        (
            Column("run_id", "INTEGER", nullable=True),
            SITE_ID,
            Column("url"),
            Column("probed_at"),
            Column("ok", "INTEGER"),
            Column("status"),
            Column("elapsed_ms", "INTEGER"),
            Column("source", default="crawl", added=True),
        ),
        indexes=(("probes_site_time", ("site_id", "probed_at")),),
    ),
    Table(
        "letters",
        (
            RUN_ID,
            SITE_ID,
            Column("column_url"),
            Column("column"),
            Column("url"),
            Column("title"),
            Column("submitted_date"),
            Column("status"),
            Column("answered"),
            Column("reply_date"),
            Column("excluded", "INTEGER"),
        ),
        key=_run_key("url"),
        per_site=True,
    ),
    Table(
        "guides",
        (
            RUN_ID,
            SITE_ID,
            Column("column_url"),
            Column("url"),
            Column("title"),
            Column("present"),
            Column("missing"),
            Column("forms", "INTEGER"),
        ),
        key=_run_key("url"),
        per_site=True,
    ),
    # Content security (docs/security.md): findings, and the home page's hosts and terms for tampering.
    Table(
        "risks",
        (
            RUN_ID,
            SITE_ID,
            Column("kind"),
            Column("url"),
            Column("source_url"),
            Column("target"),
            Column("evidence"),
            Column("severity"),
        ),
        key=_run_key("kind", "url", "target", "evidence"),
        per_site=True,
    ),
    Table(
        "home_snapshots",
        (RUN_ID, SITE_ID, Column("url"), Column("source_hosts"), Column("terms")),
        key=_run_key(),
        per_site=True,
    ),
    # Site-wide checks of the 2019 indicators (govsites.sitechecks): one row per site and check.
    Table(
        "site_checks",
        (RUN_ID, SITE_ID, Column("check_name"), Column("status"), Column("detail")),
        key=_run_key("check_name"),
        per_site=True,
    ),
    # The inspector's decisions on findings (scoring.review): one per finding, the newest wins; run_id is the
    # run that was scored when the decision was read.
    Table(
        "reviews",
        (
            Column("run_id", "INTEGER", nullable=True),
            Column("finding_id"),
            Column("decision"),
            Column("note", default=""),
            Column("reviewer", default=""),
            Column("decided_on", default=""),
            Column("read_from", default=""),
            Column("recorded_at"),
        ),
        key=("finding_id",),
        from_crawl=False,
    ),
)

TABLES_BY_NAME: dict[str, Table] = {table.name: table for table in TABLES}

#: The tables written row by row (not the runs' own bookkeeping), in the order the store writes them.
ROW_TABLES: tuple[str, ...] = tuple(t.name for t in TABLES if t.name not in ("runs", "run_sites"))

#: The tables whose rows are items of a crawl.
ITEM_TABLES: tuple[str, ...] = tuple(name for name in ROW_TABLES if TABLES_BY_NAME[name].from_crawl)

#: Columns of each row table as the store writes them (``run_id`` is added by the store).
TABLE_COLUMNS: dict[str, tuple[str, ...]] = {name: TABLES_BY_NAME[name].written for name in ROW_TABLES}

#: Primary keys (the ``ON CONFLICT`` targets of PostgreSQL upserts); ``probes`` has none (rows accumulate).
TABLE_KEYS: dict[str, tuple[str, ...]] = {t.name: t.key for t in TABLES if t.key}

#: Tables whose rows belong to one (run, site) and are replaced when that site is crawled again.
SITE_TABLES: tuple[str, ...] = tuple(t.name for t in TABLES if t.per_site)

#: Columns added after the first release: (table, column, definition) applied to older stores.
MIGRATIONS: tuple[tuple[str, str, str], ...] = tuple(
    (t.name, c.name, c.ddl()) for t in TABLES for c in t.columns if c.added
)

#: Values for columns a writer may leave out (those added after the first release).
COLUMN_DEFAULTS: dict[str, dict[str, str | int]] = {
    t.name: {c.name: c.default for c in t.columns if c.added and c.default is not None}
    for t in TABLES
    if any(c.added for c in t.columns)
}

#: The SQLite DDL of the whole store.
SCHEMA = "\n".join(t.ddl() for t in TABLES) + "\n"


def dtypes(table: str) -> dict[str, str]:
    """pandas dtypes of an item table's written columns: integers (flags, counts) ``int64``, text ``str``."""
    spec = TABLES_BY_NAME[table]
    return {name: "int64" if name in spec.integer_columns else "str" for name in spec.written}


def postgres_schema() -> list[str]:
    """The PostgreSQL DDL statements: the same tables, the run id an identity column, no ``WITHOUT ROWID``."""
    identity = "id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"
    schema = SCHEMA.replace("id INTEGER PRIMARY KEY", identity).replace(" WITHOUT ROWID", "")
    return [part.strip() for part in schema.split(";") if part.strip()]
