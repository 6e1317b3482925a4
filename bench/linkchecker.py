"""LinkChecker 10.6.0 on the bench web, for comparison: installed on demand in its own ``.venv-bench`` (never
inside ``.venv``), one process per site, its CSV logs read back as (site, linked URL) pairs."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import time
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from bench.childcpu import ChildCpu
from govsites.demo.expected import normalize

BENCH_VENV = Path(__file__).resolve().parents[1] / ".venv-bench"
LINKCHECKER = "linkchecker==10.6.0"


def linkchecker_bin() -> Path:
    """``.venv-bench/bin/linkchecker``, created on demand (never inside .venv)."""
    exe = BENCH_VENV / "bin" / "linkchecker"
    if not exe.exists():
        subprocess.run(["python3", "-m", "venv", str(BENCH_VENV)], check=True)  # noqa: S603,S607
        subprocess.run([str(BENCH_VENV / "bin" / "pip"), "install", "-q", LINKCHECKER], check=True)  # noqa: S603
    return exe


LINKCHECKER_RC = """[checking]
# LinkChecker's own per-host limit (default 10/s); its built-in floor of 0.1-0.6 s between two requests to
# one host still applies unless the server answers with a ``LinkChecker`` header (``--unthrottled``).
maxrequestspersecond=1000
"""


def read_linkchecker_csv(path: Path) -> list[dict[str, str]]:
    """Rows of a LinkChecker 10 CSV log (``-o csv``): ``#`` comment lines before the header and after the last
    row, ``;`` separated, quoted fields may span lines. Columns: urlname, parentname, base, result,
    warningstring, infostring, valid (True/False), url (after redirects), line, column, name, dltime, size,
    checktime, cached, level, modified."""
    text = path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
    lines = text.splitlines(keepends=True)
    while lines and lines[0].startswith("#"):
        lines.pop(0)
    while lines and lines[-1].startswith("# "):
        lines.pop()
    return list(csv.DictReader(io.StringIO("".join(lines)), delimiter=";"))


def linked_url(row: dict[str, str]) -> str:
    """The URL as the page links it (LinkChecker's ``url`` column is the URL after redirects)."""
    name = row.get("urlname") or row.get("url") or ""
    return normalize(urljoin(row.get("base") or row.get("parentname") or "", name))


def run_linkchecker(registry: Path, tmp: Path) -> dict[str, Any]:
    """One LinkChecker process per site, all started at once, external links checked, CSV output into one
    file per site (``-o csv`` to a file: LinkChecker run as root drops to ``nobody`` and could not create a
    file in a private temporary folder with ``-F``). Depth 4 = pages to depth 3 parsed, their links checked
    (the crawl's ``GOVSITES_MAX_DEPTH`` 3)."""
    exe = linkchecker_bin()
    with registry.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    outdir = tmp / "linkchecker"
    outdir.mkdir(exist_ok=True)
    rc = outdir / "linkcheckerrc"
    rc.write_text(LINKCHECKER_RC, encoding="utf-8")
    rc.chmod(0o644)
    env = {**os.environ, "HOME": str(outdir)}
    usage = ChildCpu()
    started = time.perf_counter()
    procs = []
    for row in rows:
        out = outdir / f"{row['site_id']}.csv"
        args = [
            str(exe),
            "-f",
            str(rc),
            "--check-extern",
            "--recursion-level=4",
            "--no-status",
            "--timeout=15",
            "-o",
            "csv/utf-8",
            row["home_url"],
        ]
        with out.open("wb") as fh:
            procs.append(
                (
                    row["site_id"],
                    out,
                    subprocess.Popen(  # noqa: S603 - the pinned LinkChecker
                        args,
                        stdout=fh,
                        stderr=subprocess.DEVNULL,
                        env=env,
                        cwd=outdir,
                    ),
                )
            )
    for _sid, _out, proc in procs:
        proc.wait()
    wall = time.perf_counter() - started
    spent = usage.stop()
    cpu = spent.cpu
    broken: set[tuple[str, str]] = set()
    reported = 0
    for sid, out, _proc in procs:
        for row in read_linkchecker_csv(out):
            reported += 1
            if row.get("valid") == "False":
                broken.add((sid, linked_url(row)))
    return {"wall": wall, "cpu": cpu, "broken": broken, "rows": reported, "rss_mib": spent.maxrss_kib / 1024}
