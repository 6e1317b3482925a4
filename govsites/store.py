"""The store: every crawl is a run; pages, columns, links, typos and probes are rows of that run.

Two stores behind one interface, :class:`Store`: :class:`SQLiteStore` (a file, WAL mode, writes in transactions)
and :class:`PostgresStore` (a ``postgresql://`` URL, psycopg 3: the run id an identity column, upserts with
``ON CONFLICT``, one transaction per write, retried on deadlock; the store the workers of a distributed crawl
share, docs/scaling.md). :func:`open_store` picks one by URL. Their tables come from one declaration,
:mod:`govsites.schema`. The SQL shared by both is written once with ``?`` placeholders and translated for
PostgreSQL. No Scrapy imports here: the scoring stage reads the store through this module too.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from operator import itemgetter
from pathlib import Path
from typing import Any

from govsites.preflight import bad_date
from govsites.schema import (
    COLUMN_DEFAULTS,
    MIGRATIONS,
    SCHEMA,
    SITE_TABLES,
    TABLE_COLUMNS,
    TABLE_KEYS,
    postgres_schema,
    quote,
)

__all__ = [
    "SCHEMA",
    "TABLE_COLUMNS",
    "TABLE_KEYS",
    "FileStoreLock",
    "PostgresStore",
    "PostgresStoreLock",
    "Run",
    "SQLiteStore",
    "Store",
    "StoreError",
    "StoreLock",
    "is_postgres",
    "now_iso",
    "open_store",
    "parse_as_of",
    "resolve_run",
]


class StoreError(Exception):
    """A store that cannot be opened or a run that does not exist."""


@dataclass(frozen=True)
class Run:
    id: int
    label: str
    as_of: str
    started_at: str
    finished_at: str | None
    status: str


def now_iso() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def is_postgres(url: str | Path) -> bool:
    return str(url).startswith(("postgresql://", "postgres://"))


def _pg_sql(sql: str) -> str:
    """The store's SQL for psycopg: ``?`` placeholders become ``%s`` (the SQL here has no literal ``?``/``%``)."""
    return sql.replace("%", "%%").replace("?", "%s")


def _upsert_sql(table: str, columns: Sequence[str]) -> str:
    """``INSERT OR REPLACE`` for PostgreSQL: insert, or overwrite every non-key column of the existing row."""
    keys = TABLE_KEYS[table]
    quoted = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join("%s" for _ in columns)
    updates = ", ".join(f'"{c}" = EXCLUDED."{c}"' for c in columns if c not in keys)
    target = ", ".join(f'"{k}"' for k in keys)
    action = f"DO UPDATE SET {updates}" if updates else "DO NOTHING"
    return f"INSERT INTO {table} ({quoted}) VALUES ({marks}) ON CONFLICT ({target}) {action}"


#: Serializes schema creation when several workers open a new PostgreSQL store at once.
_PG_SCHEMA_LOCK = 0x676F7673  # "govs"
#: Held by the one crawl of a PostgreSQL store outside distributed mode (the SQLite store's flock).
_PG_CRAWL_LOCK = 0x676F7663  # "govc"


def _sqlite_path(url: str) -> Path:
    if url.startswith("sqlite:///"):
        return Path(url.removeprefix("sqlite:///"))
    if "://" in url:
        raise StoreError(f"不支持的存储地址 / unsupported store URL: {url} (SQLite file paths are supported)")
    return Path(url)


_OPEN_ATTEMPTS = 20


class Store:
    """A thin, transactional writer and reader of the store; :func:`open_store` picks the kind by URL.

    ``Store(url)`` itself opens the kind of store the URL names (as :func:`open_store` does), so code written
    before the two kinds were split keeps working.
    """

    url: str
    conn: Any

    def __new__(cls, url: str | Path) -> Store:
        kind: type[Store] = cls
        if cls is Store:
            kind = PostgresStore if is_postgres(url) else SQLiteStore
        return super().__new__(kind)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- what each kind of store does its own way (SQLiteStore, PostgresStore) -----------------------------
    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """Rows of ``sql`` (``?`` placeholders) as dicts."""
        raise NotImplementedError

    def query_tuples(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Rows as plain tuples in the SELECT's column order: the fast path for loading whole tables."""
        raise NotImplementedError

    def _tx(self, statements: Iterable[tuple[str, Sequence[Any]]]) -> None:
        """Run the statements (``?`` placeholders) in one transaction."""
        raise NotImplementedError

    def start_sites(self, run_id: int, sites: Iterable[Mapping[str, str]]) -> None:
        """Forget earlier results of these sites in this run and mark them running (one transaction)."""
        raise NotImplementedError

    def _insert_batches(self, run_id: int | None, batches: Mapping[str, Sequence[Sequence[Any]]]) -> None:
        """Write the rows of several tables (in :data:`TABLE_COLUMNS` order) in one transaction."""
        raise NotImplementedError

    # -- reading --------------------------------------------------------------------------------------
    def query(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        return self._rows(sql, params)

    def _scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        rows = self._rows(sql, params)
        return next(iter(rows[0].values())) if rows else None

    # -- runs ---------------------------------------------------------------------------------------
    def _run_from_row(self, row: Mapping[str, Any] | None) -> Run | None:
        return Run(**dict(row)) if row is not None else None

    def get_run(self, label: str) -> Run | None:
        rows = self._rows("SELECT * FROM runs WHERE label = ?", (label,))
        return self._run_from_row(rows[0] if rows else None)

    def latest_run(self) -> Run | None:
        rows = self._rows("SELECT * FROM runs ORDER BY started_at DESC, id DESC LIMIT 1")
        return self._run_from_row(rows[0] if rows else None)

    def runs(self) -> list[Run]:
        return [Run(**r) for r in self._rows("SELECT * FROM runs ORDER BY started_at, id")]

    def begin_run(self, label: str, as_of: str) -> Run:
        """Open the run ``label`` (creating it with ``as_of`` when new) and mark it running."""
        existing = self.get_run(label)
        if existing is None:
            # Two workers may create the same run at once: the first one wins.
            insert = (
                "INSERT INTO runs (label, as_of, started_at, status) VALUES (?, ?, ?, 'running')"
                " ON CONFLICT (label) DO NOTHING"
            )
            self._tx([(insert, (label, as_of, now_iso()))])
        else:
            self._tx([("UPDATE runs SET status = 'running', finished_at = NULL WHERE id = ?", (existing.id,))])
        run = self.get_run(label)
        assert run is not None
        return run

    def finish_run(self, run_id: int) -> None:
        """Mark a run finished when none of its sites is still being crawled (else it stays running).

        One statement: two workers finishing at once each test and write in one step, and the one whose last site
        committed last sees every site done; a separate count then update could let the other write "running"
        over its "finished"."""
        self._tx(
            [
                (
                    "UPDATE runs SET status = 'finished', finished_at = ? WHERE id = ? AND NOT EXISTS"
                    " (SELECT 1 FROM run_sites WHERE run_id = ? AND status = 'running')",
                    (now_iso(), run_id, run_id),
                )
            ]
        )

    # -- sites of a run ------------------------------------------------------------------------------
    def finish_site(
        self, run_id: int, site_id: str, status: str, pages: int, error: str = "", pages_capped: int = 0
    ) -> None:
        """Mark a site of the run finished; ``pages_capped``: pages a crawl cap refused (a partial evaluation)."""
        self._tx(
            [
                (
                    "UPDATE run_sites SET status = ?, pages = ?, error = ?, pages_capped = ?, finished_at = ?"
                    " WHERE run_id = ? AND site_id = ?",
                    (status, pages, error, pages_capped, now_iso(), run_id, site_id),
                )
            ]
        )

    def run_sites(self, run_id: int) -> list[dict[str, Any]]:
        return self._rows("SELECT * FROM run_sites WHERE run_id = ? ORDER BY site_id", (run_id,))

    def last_pages(self, before_run_id: int) -> dict[str, int]:
        """Each site's pages in its latest finished crawl of a run before ``before_run_id`` (``crawl --workers``
        weighs its shares by them)."""
        rows = self.query_tuples(
            "SELECT r.site_id, r.pages FROM run_sites r JOIN (SELECT site_id, MAX(run_id) AS last FROM run_sites"
            " WHERE run_id < ? AND status <> 'running' GROUP BY site_id) l"
            " ON r.site_id = l.site_id AND r.run_id = l.last",
            (before_run_id,),
        )
        return {str(site): int(pages or 0) for site, pages in rows}

    # -- rows ---------------------------------------------------------------------------------------
    def insert(self, run_id: int | None, table: str, rows: Iterable[Mapping[str, Any]]) -> int:
        """Insert rows into ``table`` in one transaction; a row seen twice replaces the earlier one."""
        return self.insert_values(run_id, {table: [_row_values(table, row) for row in rows]})

    def insert_values(self, run_id: int | None, batches: Mapping[str, Sequence[Sequence[Any]]]) -> int:
        """Insert rows of several tables in one transaction; a row seen twice replaces the earlier one.

        Each row is a sequence of the table's :data:`TABLE_COLUMNS` values, in that order, without ``run_id``:
        the writer's fast path (no per-row dict). Tables are written in :data:`TABLE_COLUMNS` order.
        """
        tables = [t for t in TABLE_COLUMNS if batches.get(t)]
        unknown = set(batches) - set(TABLE_COLUMNS)
        if unknown:
            raise KeyError(", ".join(sorted(unknown)))
        if not tables:
            return 0
        self._insert_batches(run_id, {t: batches[t] for t in tables})
        return sum(len(batches[t]) for t in tables)


class SQLiteStore(Store):
    """The store in a SQLite file (WAL mode; ``sqlite:///path`` or a plain path)."""

    def __init__(self, url: str | Path) -> None:
        self.url = str(url)
        path = _sqlite_path(self.url)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Crawl processes of one `crawl --workers N` open the same store at the same moment. Switching a new file to
        # WAL and creating its tables can answer "database is locked" at once, without SQLite's busy wait: retry.
        for attempt in range(_OPEN_ATTEMPTS):
            try:
                self._open(path)
                return
            except StoreError as exc:
                if "locked" not in str(exc) or attempt == _OPEN_ATTEMPTS - 1:
                    raise
                time.sleep(0.05 * (attempt + 1))

    def _open(self, path: Path) -> None:
        try:
            self.conn = sqlite3.connect(path, timeout=30, isolation_level=None)
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=NORMAL")
            # The crawl's writes land all over the keyed b-trees (link_refs above all): a 64 MiB page cache keeps
            # them from being read back for every batch, and a checkpoint every 10,000 WAL pages (~40 MB, was
            # 1,000) copies a page rewritten by many batches to the database once. Each saves 15-25 % of the
            # write CPU. WAL with synchronous=NORMAL: a killed crawl loses no committed batch.
            self.conn.execute("PRAGMA cache_size=-65536")
            self.conn.execute("PRAGMA wal_autocheckpoint=10000")
            self.conn.executescript(SCHEMA)
            self._migrate()
        except sqlite3.DatabaseError as exc:
            if getattr(self, "conn", None) is not None:
                self.conn.close()
            raise StoreError(f"无法打开存储 / cannot open store {path}: {exc}") from exc
        self.conn.row_factory = sqlite3.Row

    def _migrate(self) -> None:
        """Bring a store written by an earlier version up to the schema (columns added since)."""
        for table, column, ddl in MIGRATIONS:
            present = {row[1] for row in self.conn.execute(f"PRAGMA table_info({table})")}
            if column not in present:
                self.conn.execute(f"ALTER TABLE {table} ADD COLUMN {ddl}")

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        return [dict(r) for r in self.conn.execute(sql, params)]

    def query_tuples(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        cur = self.conn.cursor()
        cur.row_factory = None
        return list(cur.execute(sql, params).fetchall())

    def _tx(self, statements: Iterable[tuple[str, Sequence[Any]]]) -> None:
        cur = self.conn.cursor()
        cur.execute("BEGIN IMMEDIATE")
        try:
            for sql, params in statements:
                cur.execute(sql, params)
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise

    def start_sites(self, run_id: int, sites: Iterable[Mapping[str, str]]) -> None:
        statements: list[tuple[str, Sequence[Any]]] = []
        started = now_iso()
        for site in sites:
            sid = site["site_id"]
            statements.extend(
                (f"DELETE FROM {table} WHERE run_id = ? AND site_id = ?", (run_id, sid)) for table in SITE_TABLES
            )
            # A rerun replaces the crawl's own probes; rounds recorded by `make probe` are evidence kept.
            statements.append(
                ("DELETE FROM probes WHERE run_id = ? AND site_id = ? AND source = 'crawl'", (run_id, sid))
            )
            statements.append(
                (
                    "INSERT OR REPLACE INTO run_sites (run_id, site_id, name, grp, county, home_url, started_at,"
                    " finished_at, status, pages, error) VALUES (?, ?, ?, ?, ?, ?, ?, NULL, 'running', 0, '')",
                    (run_id, sid, site["name"], site["group"], site["county"], site["home_url"], started),
                )
            )
        self._tx(statements)

    def _insert_batches(self, run_id: int | None, batches: Mapping[str, Sequence[Sequence[Any]]]) -> None:
        # run_id is the same for every row: a literal in the statement, so the rows go to sqlite3 as they are.
        literal = "NULL" if run_id is None else str(int(run_id))
        cur = self.conn.cursor()
        cur.execute("BEGIN IMMEDIATE")
        try:
            for table, rows in batches.items():
                cur.executemany(_insert_sql(table, literal), rows)
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise


class PostgresStore(Store):
    """The store in PostgreSQL (a ``postgresql://`` URL): the store of a distributed crawl."""

    def __init__(self, url: str | Path) -> None:
        self.url = str(url)
        try:
            import psycopg
            from psycopg.rows import dict_row
        except ImportError as exc:  # pragma: no cover - psycopg is in requirements.lock
            raise StoreError("PostgreSQL 存储需要 psycopg / psycopg is not installed") from exc
        try:
            self.conn = psycopg.connect(self.url, autocommit=True, row_factory=dict_row, connect_timeout=30)
            # DDL takes ACCESS EXCLUSIVE locks even when there is nothing to do (ADD COLUMN IF NOT EXISTS), and a
            # worker joining a running crawl would then deadlock with the others' multi-table inserts: run it only
            # while the schema is incomplete, under the advisory lock, checked again once the lock is held.
            if self._schema_complete():
                return
            with self.conn.transaction():
                self.conn.execute("SELECT pg_advisory_xact_lock(%s)", (_PG_SCHEMA_LOCK,))
                if self._schema_complete():
                    return
                for statement in postgres_schema():
                    self.conn.execute(statement)
                for table, _column, ddl in MIGRATIONS:
                    self.conn.execute(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {ddl}")
        except psycopg.Error as exc:
            raise StoreError(f"无法打开存储 / cannot open store {_redact(self.url)}: {exc}") from exc

    def _schema_complete(self) -> bool:
        """Every table and column of the schema (migrations included) and its index exist already."""
        rows = self.conn.execute(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()"
        ).fetchall()
        present = {(row["table_name"], row["column_name"]) for row in rows}
        wanted = {(table, column) for table, columns in TABLE_COLUMNS.items() for column in ("run_id", *columns)}
        wanted |= {("runs", "label"), ("run_sites", "site_id")}
        index = self.conn.execute(
            "SELECT 1 FROM pg_indexes WHERE schemaname = current_schema() AND indexname = 'probes_site_time'"
        ).fetchall()
        return wanted <= present and bool(index)

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        return list(self.conn.execute(_pg_sql(sql), params).fetchall())

    def query_tuples(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        from psycopg.rows import tuple_row

        with self.conn.cursor(row_factory=tuple_row) as cur:
            return list(cur.execute(_pg_sql(sql), params).fetchall())

    def _tx(self, statements: Iterable[tuple[str, Sequence[Any]]]) -> None:
        batch = [(_pg_sql(sql), params) for sql, params in statements]
        self._transaction(lambda cur: [cur.execute(sql, params) for sql, params in batch])

    def _transaction(self, work: Any, attempts: int = 5) -> None:
        """One PostgreSQL transaction; retried when it lost a deadlock or a serialization race to a worker."""
        import psycopg

        for attempt in range(attempts):
            try:
                with self.conn.transaction(), self.conn.cursor() as cur:
                    work(cur)
                return
            except (psycopg.errors.DeadlockDetected, psycopg.errors.SerializationFailure):
                if attempt == attempts - 1:
                    raise
                time.sleep(0.05 * (attempt + 1))

    def start_sites(self, run_id: int, sites: Iterable[Mapping[str, str]]) -> None:
        """Set-based: a national registry is one statement per table, not per site."""
        rows_in = list(sites)
        ids = [site["site_id"] for site in rows_in]
        started = now_iso()
        columns = (
            "run_id",
            "site_id",
            "name",
            "grp",
            "county",
            "home_url",
            "started_at",
            "finished_at",
            "status",
            "pages",
            "error",
        )
        rows = [
            (run_id, s["site_id"], s["name"], s["group"], s["county"], s["home_url"], started, None, "running", 0, "")
            for s in rows_in
        ]

        def work(cur: Any) -> None:
            for table in SITE_TABLES:
                cur.execute(f"DELETE FROM {table} WHERE run_id = %s AND site_id = ANY(%s)", (run_id, ids))
            cur.execute(
                "DELETE FROM probes WHERE run_id = %s AND site_id = ANY(%s) AND source = 'crawl'", (run_id, ids)
            )
            if rows:
                cur.executemany(_upsert_sql("run_sites", columns), rows)

        self._transaction(work)

    def _insert_batches(self, run_id: int | None, batches: Mapping[str, Sequence[Sequence[Any]]]) -> None:
        statements: list[tuple[str, list[tuple[Any, ...]]]] = []
        for table, values in batches.items():
            names = ("run_id", *TABLE_COLUMNS[table])
            # PostgreSQL has no implicit bool -> integer cast (SQLite stores a bool as the integer it is).
            params = [(run_id, *(int(v) if v.__class__ is bool else v for v in row)) for row in values]
            if table not in TABLE_KEYS:
                quoted = ", ".join(quote(name) for name in names)
                sql = f"INSERT INTO {table} ({quoted}) VALUES ({', '.join('%s' for _ in names)})"
                rows = params
            else:
                sql = _upsert_sql(table, names)
                # The last row of a key wins (as with INSERT OR REPLACE); keys in a fixed order (and the tables
                # in a fixed order) keep two workers writing overlapping rows from deadlocking each other.
                key_at = [names.index(k) for k in TABLE_KEYS[table]]
                unique = {tuple(str(row[i]) for i in key_at): row for row in params}
                rows = [unique[k] for k in sorted(unique)]
            statements.append((sql, rows))
        self._transaction(lambda cur: [cur.executemany(sql, rows) for sql, rows in statements])


def open_store(url: str | Path) -> Store:
    """The store at ``url``: a :class:`PostgresStore` for a ``postgresql://`` URL, else a :class:`SQLiteStore`."""
    return PostgresStore(url) if is_postgres(url) else SQLiteStore(url)


def _row_values(table: str, row: Mapping[str, Any]) -> tuple[Any, ...]:
    """A row mapping as the table's :data:`TABLE_COLUMNS` values; a missing column takes its
    :data:`COLUMN_DEFAULTS` value, any other missing column is an error (``KeyError``)."""
    try:
        return _ROW_GETTERS[table](row)
    except KeyError:
        defaults = COLUMN_DEFAULTS.get(table)
        if not defaults:
            raise
        return _ROW_GETTERS[table]({**defaults, **row})


#: The values of a row mapping in :data:`TABLE_COLUMNS` order (every table has several columns: a tuple).
_ROW_GETTERS = {table: itemgetter(*columns) for table, columns in TABLE_COLUMNS.items()}


@cache
def _insert_sql(table: str, run_id: str) -> str:
    """The SQLite insert of one row of ``table`` (``run_id`` an SQL literal, the other columns parameters)."""
    quoted = ", ".join(f'"{c}"' for c in ("run_id", *TABLE_COLUMNS[table]))
    marks = ", ".join("?" for _ in TABLE_COLUMNS[table])
    verb = "INSERT" if table == "probes" else "INSERT OR REPLACE"
    return f"{verb} INTO {table} ({quoted}) VALUES ({run_id}, {marks})"


def parse_as_of(value: str) -> str:
    """Validate an evaluation date ``YYYY-MM-DD``; empty means today."""
    if not value:
        return datetime.now().date().isoformat()  # noqa: DTZ005 - the office's local calendar day
    try:
        return datetime.strptime(value, "%Y-%m-%d").date().isoformat()  # noqa: DTZ007
    except ValueError:
        raise StoreError(bad_date(value)) from None


def resolve_run(store: Store, label: str, as_of: str, subset: bool) -> tuple[str, str]:
    """Which run a crawl writes into, and its evaluation date.

    - ``label`` given: that run (created when new); an existing run keeps its own AS_OF.
    - a subset crawl (some sites or counties) without a label: the latest run, so a rerun replaces those
      sites' results in the current run.
    - otherwise a run labelled with the evaluation date.
    """
    checked = parse_as_of(as_of)
    if label:
        run = store.get_run(label)
        return label, run.as_of if run else checked
    if subset:
        run = store.latest_run()
        if run is not None:
            return run.label, run.as_of
    return checked, checked


def _redact(url: str) -> str:
    """A store URL fit for messages: the password of a PostgreSQL URL is hidden."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return urlunsplit(parts._replace(netloc=netloc))


class StoreLock:
    """One crawl at a time per store, held for the whole crawl: a second crawl on the same store refuses with a
    clear message instead of interleaving its writes (the workers of a distributed crawl share the store on
    purpose and take no lock at all).

    ``StoreLock(url)`` makes the lock of the kind of store the URL names: :class:`FileStoreLock` (SQLite) or
    :class:`PostgresStoreLock`.
    """

    url: str

    def __new__(cls, url: str | Path) -> StoreLock:
        kind: type[StoreLock] = cls
        if cls is StoreLock:
            kind = PostgresStoreLock if is_postgres(url) else FileStoreLock
        return super().__new__(kind)

    def acquire(self) -> bool:
        """Take the lock; False when another crawl holds it."""
        raise NotImplementedError

    def holder(self) -> str:
        """The process id of the crawl that holds the lock ("?" when unknown)."""
        raise NotImplementedError

    def release(self) -> None:
        raise NotImplementedError


class FileStoreLock(StoreLock):
    """An exclusive ``flock`` on ``<store>.lock`` beside the SQLite file, which holds the holder's process id."""

    def __init__(self, url: str | Path) -> None:
        self.url = str(url)
        self.path = Path(f"{_sqlite_path(self.url)}.lock")
        self._fd: int | None = None

    def acquire(self) -> bool:
        import fcntl
        import os

        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._fd = fd
        return True

    def holder(self) -> str:
        try:
            return self.path.read_text(encoding="ascii").strip()
        except OSError:
            return "?"

    def release(self) -> None:
        import os

        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


class PostgresStoreLock(StoreLock):
    """A session advisory lock held on a connection of its own; the holder is named in its application_name."""

    def __init__(self, url: str | Path) -> None:
        self.url = str(url)
        self._conn: Any = None

    def acquire(self) -> bool:
        import os

        import psycopg

        try:
            conn = psycopg.connect(self.url, autocommit=True, connect_timeout=30)
        except psycopg.Error as exc:
            raise StoreError(f"无法连接存储 / cannot connect to store {_redact(self.url)}: {exc}") from exc
        row = conn.execute("SELECT pg_try_advisory_lock(%s)", (_PG_CRAWL_LOCK,)).fetchone()
        if not row or not row[0]:
            conn.close()
            return False
        conn.execute("SELECT set_config('application_name', %s, false)", (f"govsites-crawl-{os.getpid()}",))
        self._conn = conn
        return True

    def holder(self) -> str:
        import psycopg

        try:
            with psycopg.connect(self.url, autocommit=True, connect_timeout=10) as conn:
                row = conn.execute(
                    "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
                    " WHERE l.locktype = 'advisory' AND l.objid = %s AND l.granted",
                    (_PG_CRAWL_LOCK,),
                ).fetchone()
        except psycopg.Error:
            return "?"
        name = str(row[0]) if row else ""
        return name.removeprefix("govsites-crawl-") or "?"

    def release(self) -> None:
        if self._conn is not None:
            import contextlib

            with contextlib.suppress(Exception):
                self._conn.execute("SELECT pg_advisory_unlock(%s)", (_PG_CRAWL_LOCK,))
            self._conn.close()
            self._conn = None
