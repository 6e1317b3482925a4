"""Store → tidy pandas frames for one run, plus the registry's sites (every registry site gets a row)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from govsites.preflight import PreflightError, bad_date, check_store_exists
from govsites.registry import Registry, load_sites
from govsites.store import TABLE_COLUMNS, Run, Store
from scoring.vocabulary import BLOCKED, EVALUATED, NO_URL, UNFINISHED, UNTESTED

# -- what scoring reads from the store and the registry (one place; column lists of the tables: TABLE_COLUMNS)
#: Integer columns of the store tables; every other column is text.
INT_COLUMNS = frozenset(
    {"depth", "rendered", "items", "on_home", "pinned", "broken", "ok", "elapsed_ms", "excluded", "forms"}
)
RUN_TABLES: tuple[str, ...] = ("pages", "columns", "list_items", "link_refs", "link_checks", "typos", "probes")
RUN_TABLES += ("letters", "guides")
RUN_TABLES += ("risks",)  # content security (docs/security.md)
RUN_TABLES += ("site_checks",)  # govsites.sitechecks (scoring.sitechecks)
#: The registry's columns of a site (every registry site, with or without a home URL).
REGISTRY_COLUMNS = ("site_id", "name", "group", "county", "home_url")
#: The columns of ``Store.run_sites`` rows, renamed for the site frame.
RUN_SITE_COLUMNS = {
    "site_id": "site_id",
    "home_url": "run_home_url",
    "status": "crawl_status",
    "pages": "pages",
    "error": "crawl_error",
    "pages_capped": "pages_capped",
}
#: The site frame: registry columns, the evaluation state and the run's columns.
SITE_COLUMNS = (
    "site_id",
    "name",
    "group",
    "county",
    "home_url",
    "evaluation",
    "run_home_url",
    "crawl_status",
    "pages",
    "crawl_error",
    "pages_capped",
)


class ScoringError(Exception):
    """A condition that stops the scoring stage; the message is Chinese and shown to the user as is."""


@dataclass(frozen=True)
class RunData:
    run: Run
    as_of: date
    sites: pd.DataFrame  # one row per registry site (SITE_COLUMNS)
    tables: dict[str, pd.DataFrame]  # store tables of this run (TABLE_COLUMNS, typed)
    extra_sites: tuple[str, ...]  # sites crawled in the run but missing from the registry (not scored)
    #: frames derived from the tables and used by several outputs, computed once (see metrics.run_links)
    derived: dict[str, pd.DataFrame] = field(default_factory=dict, compare=False, repr=False)

    def __getitem__(self, table: str) -> pd.DataFrame:
        return self.tables[table]


def select_run(store: Store, label: str | None, allow_unfinished: bool = False) -> Run:
    """The run ``label`` or the latest run; refuse an unfinished one unless allowed."""
    if label:
        run = store.get_run(label)
        if run is None:
            known = "、".join(r.label for r in store.runs()) or "无"
            raise ScoringError(f"存储 {store.url} 中没有标签为 {label} 的运行（已有：{known}）")
    else:
        run = store.latest_run()
        if run is None:
            raise ScoringError(f"存储 {store.url} 中没有任何运行记录，请先执行抓取")
    if run.status != "finished" and not allow_unfinished:
        raise ScoringError(f"运行 {run.label} 尚未完成（状态：{run.status}），如仍要评分请加 --allow-unfinished")
    return run


def parse_as_of(text: str, what: str = "AS_OF（评估日期）") -> date:
    try:  # YYYY-MM-DD only, as the crawl reads it (fromisoformat alone would take 20151231 too)
        return datetime.strptime(text.strip(), "%Y-%m-%d").date()  # noqa: DTZ007 - a calendar day
    except ValueError:
        raise ScoringError(bad_date(text, what)) from None


def read_table(store: Store, table: str, run_id: int) -> pd.DataFrame:
    """All rows of ``table`` for the run, with text columns as ``str`` and flags/counts as int64."""
    columns = TABLE_COLUMNS[table]
    quoted = ", ".join(f'"{c}"' for c in columns)
    rows = store.query_tuples(f"SELECT {quoted} FROM {table} WHERE run_id = ?", (run_id,))
    dtypes = {c: "int64" if c in INT_COLUMNS else "str" for c in columns}
    return pd.DataFrame(rows, columns=list(columns)).astype(dtypes)


def one_row_per_typo(typos: pd.DataFrame, pages: pd.DataFrame) -> pd.DataFrame:
    """One finding per typo and line of a site: a line repeated on many pages (a footer, a sidebar) is reported by
    the crawl on each of them; it is shown on its first page by depth then URL — the same page whichever page the
    crawl happened to parse first — with ``pages``, the number of pages it is on."""
    line = ["site_id", "wrong", "context"]
    depth = pages.loc[:, ["site_id", "url", "depth"]].drop_duplicates(["site_id", "url"])
    return (
        typos.merge(depth, on=["site_id", "url"], how="left")
        .assign(
            depth=lambda f: f["depth"].fillna(2**31).astype("int64"),
            pages=lambda f: f.groupby(line)["url"].transform("nunique").astype("int64"),
        )
        .sort_values([*line, "depth", "url"], kind="stable")
        .drop_duplicates(line)
        .drop(columns="depth")
        .reset_index(drop=True)
    )


def registry_sites(registry: Registry) -> pd.DataFrame:
    """Registry rows, those without a home_url included (home_url empty)."""
    rows = [s.as_row() for s in [*registry.sites, *registry.skipped]]
    return pd.DataFrame(rows, columns=list(REGISTRY_COLUMNS)).astype("str")


def _run_sites(store: Store, run_id: int) -> pd.DataFrame:
    rows = store.run_sites(run_id)
    return pd.DataFrame(rows, columns=list(RUN_SITE_COLUMNS)).rename(columns=RUN_SITE_COLUMNS)


def _evaluation(sites: pd.DataFrame) -> pd.Series:
    """evaluated: the run has the site; untested: in the registry with a URL but not in the run; no_url;
    blocked: the run could not read it (an anti-bot challenge, run_sites.status ``blocked``); unfinished: the site
    was still running when the (unfinished) run stopped."""
    return (
        pd.Series(EVALUATED, index=sites.index, dtype="str")
        .mask(sites["crawl_status"] == BLOCKED, BLOCKED)
        .mask(sites["crawl_status"].isna() & (sites["home_url"] != ""), UNTESTED)
        .mask(sites["crawl_status"].isna() & (sites["home_url"] == ""), NO_URL)
        .mask(sites["crawl_status"] == "running", UNFINISHED)
    )


def site_frame(registry: Registry, run_sites: pd.DataFrame) -> pd.DataFrame:
    sites = registry_sites(registry).merge(run_sites, on="site_id", how="left", validate="one_to_one")
    return sites.assign(
        evaluation=_evaluation(sites),
        pages=sites["pages"].astype("Int64"),
        pages_capped=sites["pages_capped"].astype("Int64"),
        run_home_url=sites["run_home_url"].fillna("").astype("str"),
        crawl_status=sites["crawl_status"].fillna("").astype("str"),
        crawl_error=sites["crawl_error"].fillna("").astype("str"),
    ).loc[:, list(SITE_COLUMNS)]


def load_run(
    db: str | Path,
    sites_csv: str | Path,
    label: str | None = None,
    as_of: str | None = None,
    allow_unfinished: bool = False,
) -> RunData:
    """Open the store, pick the run, read the registry and every run table into frames."""
    registry = load_sites(sites_csv)
    try:
        check_store_exists(db)  # never create an empty store by reading it
    except PreflightError as exc:
        raise ScoringError(str(exc)) from None
    with Store(db) as store:
        run = select_run(store, label, allow_unfinished)
        day = parse_as_of(as_of) if as_of else parse_as_of(run.as_of, f"运行 {run.label} 的评估日期")
        run_sites = _run_sites(store, run.id)
        tables = {t: read_table(store, t, run.id) for t in RUN_TABLES}
    tables["typos"] = one_row_per_typo(tables["typos"], tables["pages"])
    sites = site_frame(registry, run_sites)
    extra = tuple(sorted(set(run_sites["site_id"]) - set(sites["site_id"])))
    return RunData(run=run, as_of=day, sites=sites, tables=tables, extra_sites=extra)
