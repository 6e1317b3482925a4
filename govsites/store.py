"""The store: every crawl is a run; pages, columns, links, typos and probes are rows of that run.

SQLite by default (WAL mode, writes in transactions). The SQL is kept to what PostgreSQL also accepts
so a ``postgresql://`` URL can be supported by swapping the connection factory. No Scrapy imports here:
the scoring stage reads the store through this module too.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    label TEXT NOT NULL UNIQUE,
    as_of TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL DEFAULT 'running'
);
CREATE TABLE IF NOT EXISTS run_sites (
    run_id INTEGER NOT NULL,
    site_id TEXT NOT NULL,
    name TEXT NOT NULL,
    grp TEXT NOT NULL,
    county TEXT NOT NULL,
    home_url TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL DEFAULT 'running',
    pages INTEGER NOT NULL DEFAULT 0,
    error TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (run_id, site_id)
);
CREATE TABLE IF NOT EXISTS pages (
    run_id INTEGER NOT NULL,
    site_id TEXT NOT NULL,
    url TEXT NOT NULL,
    final_url TEXT NOT NULL,
    status TEXT NOT NULL,
    kind TEXT NOT NULL,
    depth INTEGER NOT NULL,
    rendered INTEGER NOT NULL,
    title TEXT NOT NULL,
    encoding TEXT NOT NULL,
    fetched_at TEXT NOT NULL,
    PRIMARY KEY (run_id, site_id, url)
);
CREATE TABLE IF NOT EXISTS columns (
    run_id INTEGER NOT NULL,
    site_id TEXT NOT NULL,
    url TEXT NOT NULL,
    name TEXT NOT NULL,
    category TEXT NOT NULL,
    newest_date TEXT NOT NULL,
    items INTEGER NOT NULL,
    status TEXT NOT NULL,
    date_source TEXT NOT NULL,
    found_by TEXT NOT NULL,
    rendered INTEGER NOT NULL,
    on_home INTEGER NOT NULL,
    PRIMARY KEY (run_id, site_id, url)
);
CREATE TABLE IF NOT EXISTS list_items (
    run_id INTEGER NOT NULL,
    site_id TEXT NOT NULL,
    column_url TEXT NOT NULL,
    url TEXT NOT NULL,
    title TEXT NOT NULL,
    date TEXT NOT NULL,
    date_source TEXT NOT NULL,
    pinned INTEGER NOT NULL,
    PRIMARY KEY (run_id, site_id, column_url, url)
);
CREATE TABLE IF NOT EXISTS link_refs (
    run_id INTEGER NOT NULL,
    site_id TEXT NOT NULL,
    url TEXT NOT NULL,
    source_url TEXT NOT NULL,
    anchor TEXT NOT NULL,
    tag TEXT NOT NULL,
    PRIMARY KEY (run_id, site_id, url, source_url, anchor, tag)
);
CREATE TABLE IF NOT EXISTS link_checks (
    run_id INTEGER NOT NULL,
    site_id TEXT NOT NULL,
    url TEXT NOT NULL,
    status TEXT NOT NULL,
    reason TEXT NOT NULL,
    broken INTEGER NOT NULL,
    final_url TEXT NOT NULL,
    checked_at TEXT NOT NULL,
    PRIMARY KEY (run_id, site_id, url)
);
CREATE TABLE IF NOT EXISTS typos (
    run_id INTEGER NOT NULL,
    site_id TEXT NOT NULL,
    url TEXT NOT NULL,
    wrong TEXT NOT NULL,
    "right" TEXT NOT NULL,
    context TEXT NOT NULL,
    severity TEXT NOT NULL,
    kind TEXT NOT NULL,
    PRIMARY KEY (run_id, site_id, url, wrong, context)
);
CREATE TABLE IF NOT EXISTS probes (
    run_id INTEGER,
    site_id TEXT NOT NULL,
    url TEXT NOT NULL,
    probed_at TEXT NOT NULL,
    ok INTEGER NOT NULL,
    status TEXT NOT NULL,
    elapsed_ms INTEGER NOT NULL,
    source TEXT NOT NULL DEFAULT 'crawl'
);
CREATE INDEX IF NOT EXISTS probes_site_time ON probes (site_id, probed_at);
CREATE TABLE IF NOT EXISTS letters (
    run_id INTEGER NOT NULL,
    site_id TEXT NOT NULL,
    column_url TEXT NOT NULL,
    "column" TEXT NOT NULL,
    url TEXT NOT NULL,
    title TEXT NOT NULL,
    submitted_date TEXT NOT NULL,
    status TEXT NOT NULL,
    answered TEXT NOT NULL,
    reply_date TEXT NOT NULL,
    excluded INTEGER NOT NULL,
    PRIMARY KEY (run_id, site_id, url)
);
CREATE TABLE IF NOT EXISTS guides (
    run_id INTEGER NOT NULL,
    site_id TEXT NOT NULL,
    column_url TEXT NOT NULL,
    url TEXT NOT NULL,
    title TEXT NOT NULL,
    present TEXT NOT NULL,
    missing TEXT NOT NULL,
    forms INTEGER NOT NULL,
    PRIMARY KEY (run_id, site_id, url)
);
"""

#: Columns added after the first release: (table, column, definition) applied to older stores.
MIGRATIONS = (("probes", "source", "source TEXT NOT NULL DEFAULT 'crawl'"),)

#: Tables whose rows belong to one (run, site) and are replaced when that site is crawled again.
SITE_TABLES = ("pages", "columns", "list_items", "link_refs", "link_checks", "typos", "letters", "guides")

#: Columns of each table as the store writes them (``run_id`` is added by the store).
TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "pages": ("site_id", "url", "final_url", "status", "kind", "depth", "rendered", "title", "encoding",
              "fetched_at"),
    "columns": ("site_id", "url", "name", "category", "newest_date", "items", "status", "date_source",
                "found_by", "rendered", "on_home"),
    "list_items": ("site_id", "column_url", "url", "title", "date", "date_source", "pinned"),
    "link_refs": ("site_id", "url", "source_url", "anchor", "tag"),
    "link_checks": ("site_id", "url", "status", "reason", "broken", "final_url", "checked_at"),
    "typos": ("site_id", "url", "wrong", "right", "context", "severity", "kind"),
    "probes": ("site_id", "url", "probed_at", "ok", "status", "elapsed_ms", "source"),
    "letters": ("site_id", "column_url", "column", "url", "title", "submitted_date", "status", "answered",
                "reply_date", "excluded"),
    "guides": ("site_id", "column_url", "url", "title", "present", "missing", "forms"),
}


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


def _sqlite_path(url: str) -> Path:
    if url.startswith("sqlite:///"):
        return Path(url.removeprefix("sqlite:///"))
    if "://" in url:
        raise StoreError(f"不支持的存储地址 / unsupported store URL: {url} (SQLite file paths are supported)")
    return Path(url)


class Store:
    """A thin, transactional writer and reader over the store database."""

    def __init__(self, url: str | Path) -> None:
        self.url = str(url)
        path = _sqlite_path(self.url)
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.conn = sqlite3.connect(path, timeout=30, isolation_level=None)
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=NORMAL")
            self.conn.executescript(SCHEMA)
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"无法打开存储 / cannot open store {path}: {exc}") from exc
        self.conn.row_factory = sqlite3.Row

    def _migrate(self) -> None:
        """Bring a store written by an earlier version up to the schema (columns added since)."""
        for table, column, ddl in MIGRATIONS:
            present = {row[1] for row in self.conn.execute(f"PRAGMA table_info({table})")}
            if column not in present:
                self.conn.execute(f"ALTER TABLE {table} ADD COLUMN {ddl}")

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transactions -------------------------------------------------------------------------------
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

    # -- runs ---------------------------------------------------------------------------------------
    def _run_from_row(self, row: sqlite3.Row | None) -> Run | None:
        return Run(**dict(row)) if row is not None else None

    def get_run(self, label: str) -> Run | None:
        row = self.conn.execute("SELECT * FROM runs WHERE label = ?", (label,)).fetchone()
        return self._run_from_row(row)

    def latest_run(self) -> Run | None:
        row = self.conn.execute("SELECT * FROM runs ORDER BY started_at DESC, id DESC LIMIT 1").fetchone()
        return self._run_from_row(row)

    def runs(self) -> list[Run]:
        rows = self.conn.execute("SELECT * FROM runs ORDER BY started_at, id").fetchall()
        return [Run(**dict(r)) for r in rows]

    def begin_run(self, label: str, as_of: str) -> Run:
        """Open the run ``label`` (creating it with ``as_of`` when new) and mark it running."""
        existing = self.get_run(label)
        if existing is None:
            self._tx([("INSERT INTO runs (label, as_of, started_at, status) VALUES (?, ?, ?, 'running')",
                       (label, as_of, now_iso()))])
        else:
            self._tx([("UPDATE runs SET status = 'running', finished_at = NULL WHERE id = ?", (existing.id,))])
        run = self.get_run(label)
        assert run is not None
        return run

    def finish_run(self, run_id: int) -> None:
        """Mark a run finished when none of its sites is still being crawled."""
        running = self.conn.execute(
            "SELECT COUNT(*) FROM run_sites WHERE run_id = ? AND status = 'running'", (run_id,)
        ).fetchone()[0]
        status = "finished" if running == 0 else "running"
        self._tx([("UPDATE runs SET status = ?, finished_at = ? WHERE id = ?", (status, now_iso(), run_id))])

    # -- sites of a run ------------------------------------------------------------------------------
    def start_sites(self, run_id: int, sites: Iterable[Mapping[str, str]]) -> None:
        """Forget earlier results of these sites in this run and mark them running (one transaction)."""
        statements: list[tuple[str, Sequence[Any]]] = []
        started = now_iso()
        for site in sites:
            sid = site["site_id"]
            statements.extend((f"DELETE FROM {table} WHERE run_id = ? AND site_id = ?", (run_id, sid))
                              for table in SITE_TABLES)
            # A rerun replaces the crawl's own probes; rounds recorded by `make probe` are evidence kept.
            statements.append(("DELETE FROM probes WHERE run_id = ? AND site_id = ? AND source = 'crawl'",
                               (run_id, sid)))
            statements.append((
                "INSERT OR REPLACE INTO run_sites (run_id, site_id, name, grp, county, home_url, started_at,"
                " finished_at, status, pages, error) VALUES (?, ?, ?, ?, ?, ?, ?, NULL, 'running', 0, '')",
                (run_id, sid, site["name"], site["group"], site["county"], site["home_url"], started),
            ))
        self._tx(statements)

    def finish_site(self, run_id: int, site_id: str, status: str, pages: int, error: str = "") -> None:
        self._tx([(
            "UPDATE run_sites SET status = ?, pages = ?, error = ?, finished_at = ? WHERE run_id = ? AND site_id = ?",
            (status, pages, error, now_iso(), run_id, site_id),
        )])

    def run_sites(self, run_id: int) -> list[dict[str, Any]]:
        rows = self.conn.execute("SELECT * FROM run_sites WHERE run_id = ? ORDER BY site_id", (run_id,))
        return [dict(r) for r in rows]

    # -- rows ---------------------------------------------------------------------------------------
    def insert(self, run_id: int | None, table: str, rows: Iterable[Mapping[str, Any]]) -> int:
        """Insert rows into ``table`` in one transaction; a row seen twice replaces the earlier one."""
        columns = TABLE_COLUMNS[table]
        quoted = ", ".join(f'"{c}"' for c in ("run_id", *columns))
        marks = ", ".join("?" for _ in range(len(columns) + 1))
        verb = "INSERT" if table == "probes" else "INSERT OR REPLACE"
        sql = f"{verb} INTO {table} ({quoted}) VALUES ({marks})"
        params = [(run_id, *(_to_db(row[c]) for c in columns)) for row in rows]
        if not params:
            return 0
        cur = self.conn.cursor()
        cur.execute("BEGIN IMMEDIATE")
        try:
            cur.executemany(sql, params)
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise
        return len(params)

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        return [dict(r) for r in self.conn.execute(sql, params)]


def _to_db(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    return value


def parse_as_of(value: str) -> str:
    """Validate an evaluation date ``YYYY-MM-DD``; empty means today."""
    if not value:
        return datetime.now().date().isoformat()  # noqa: DTZ005 - the office's local calendar day
    try:
        return datetime.strptime(value, "%Y-%m-%d").date().isoformat()  # noqa: DTZ007
    except ValueError:
        raise StoreError(f"AS_OF 应为 YYYY-MM-DD 格式的日期 / AS_OF must be a date YYYY-MM-DD: {value!r}") from None


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


class StoreLock:
    """One crawl at a time per store: an exclusive ``flock`` on ``<store>.lock`` held for the whole crawl.

    A second crawl on the same store refuses with a clear message instead of interleaving its writes.
    """

    def __init__(self, url: str | Path) -> None:
        self.path = Path(f"{_sqlite_path(str(url))}.lock")
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
