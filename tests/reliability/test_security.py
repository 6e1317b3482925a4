"""Security through the real crawl (no --allow-private): the scope guard, formula-safe outputs, nothing run."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from tests.helpers import query, read_csv
from tests.reliability.helpers import HostileCrawl
from tests.webs.hostile import FORMULA_ANCHORS, FORMULA_COLUMN, FORMULA_TYPO_LINE

FORMULA_STARTS = ("=", "+", "-", "@")


def _blocked_urls(crawled: HostileCrawl) -> dict[str, str]:
    web = crawled.web
    other_port = web.ports["other"]
    return {
        "private 10.x": "http://10.0.0.1/admin",
        "metadata": "http://169.254.169.254/latest/meta-data/",
        "localhost name": f"http://localhost:{other_port}/secret",
        "*.localhost name": f"http://admin.localhost:{other_port}/secret",
        "unregistered loopback": web.url("/direct", "other"),
        "redirect to 127.0.0.1:<other port>": web.url("/sec/to-other"),
        "redirect to metadata": web.url("/sec/to-metadata"),
    }


@pytest.mark.parametrize(
    "case",
    [
        "private 10.x",
        "metadata",
        "localhost name",
        "*.localhost name",
        "unregistered loopback",
        "redirect to 127.0.0.1:<other port>",
        "redirect to metadata",
    ],
)
def test_scope_guard_refuses(crawled: HostileCrawl, case: str) -> None:
    url = _blocked_urls(crawled)[case]
    row = crawled.check(url)
    assert row is not None, f"{url} has no verdict"
    assert (row["status"], bool(row["broken"])) == ("blocked_by_policy", False), dict(row)


def test_redirect_to_another_port_of_the_registered_host_is_refused(crawled: HostileCrawl) -> None:
    """The registry names a site (scheme, host and port): another port on the same address is not that site."""
    row = crawled.check(crawled.web.url("/sec/to-side"))
    assert row is not None
    assert (row["status"], bool(row["broken"])) == ("blocked_by_policy", False), dict(row)
    assert crawled.web.role_total("side") == 0, crawled.web.role_hits


def test_no_request_reached_an_unregistered_listener(crawled: HostileCrawl) -> None:
    web = crawled.web
    assert web.role_total("other") == 0, {k: v for k, v in web.role_hits.items() if k[0] == "other"}


def test_only_http_and_https_are_requested(crawled: HostileCrawl) -> None:
    other = crawled.web.netloc("other")
    for scheme, path in (("ftp", "/file.txt"), ("gopher", "/1")):
        row = crawled.check(f"{scheme}://{other}{path}")
        if row is not None:
            assert not row["broken"], dict(row)
            assert row["status"] in ("skipped", "blocked_by_policy"), dict(row)
    assert crawled.web.role_total("other") == 0


def test_formula_text_is_escaped_in_csv(crawled: HostileCrawl) -> None:
    out = crawled.out
    web = crawled.web
    links = [r for r in read_csv(out / "links.csv") if r["site_id"] == "hostile"]
    for path, anchor in FORMULA_ANCHORS.items():
        rows = [r for r in links if r["url"] == web.url(path)]
        assert rows, path
        assert all(r["anchor"] == "'" + anchor for r in rows), rows
    columns = [r for r in read_csv(out / "columns.csv") if r["url"] == web.url("/col/evil/")]
    assert [r["column"] for r in columns] == ["'" + FORMULA_COLUMN]
    typos = [r for r in read_csv(out / "typos.csv") if r["url"] == web.url("/evil.html")]
    assert typos, "the typo on the formula line was not found"
    assert typos[0]["context"].startswith("'" + FORMULA_TYPO_LINE), typos[0]["context"]
    for name in ("links.csv", "columns.csv", "typos.csv", "metrics.csv"):
        for row in read_csv(out / name):
            for value in row.values():
                assert not (value or "").startswith(FORMULA_STARTS) or _is_number(value), (name, value)


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def test_formula_text_is_a_string_cell_in_the_workbook(crawled: HostileCrawl) -> None:
    wb = load_workbook(crawled.out / "scores.xlsx")
    hits = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                text = str(cell.value or "")
                if "HYPERLINK" in text or text.lstrip("'") in ("+1", "-1", "@SUM(A1)"):
                    hits.append(cell)
    assert hits, "the formula texts are missing from the workbook"
    assert all(cell.data_type == "s" for cell in hits), [(c.coordinate, c.data_type, c.value) for c in hits]


def test_archives_are_only_checked(crawled: HostileCrawl) -> None:
    web = crawled.web
    gets = web.hits[("GET", "/files/bundle.zip")]
    assert web.bytes_sent["/files/bundle.zip"] == 0 or gets == 0
    assert web.hits[("HEAD", "/files/bundle.zip")] >= 1
    assert not list(crawled.db.parent.rglob("escape.sh"))
    row = query(crawled.db, "SELECT status FROM link_checks WHERE url = ?", (web.url("/files/bundle.zip"),))
    assert [r["status"] for r in row] == ["200"]
