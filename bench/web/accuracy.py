"""Accuracy of a crawl's outputs (``columns.csv``, ``links.csv``, ``metrics.csv``, ``typos.csv``) against a
bench web's truth, with every disagreement listed (site, URL, page pattern, found vs truth)."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.web.truth import link_pattern
from govsites.demo.expected import normalize


def read_csv(path: Path) -> list[dict[str, str]]:
    with Path(path).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def prf(found: set[Any], want: set[Any]) -> tuple[float, float, float]:
    """Precision, recall, F1 (1.0 when both sets are empty)."""
    hit = len(found & want)
    precision = hit / len(found) if found else 1.0
    recall = hit / len(want) if want else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


@dataclass
class Accuracy:
    figures: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        return [f"{k}: {v:.3f}" for k, v in self.figures.items()] + [f"{k}: {v}" for k, v in self.counts.items()]


def compare(truth: dict[str, Any], out: Path, *, broken_found: set[tuple[str, str]] | None = None) -> Accuracy:
    """Compare the scoring outputs in ``out`` with ``truth`` (see :func:`bench.web.truth.build_truth`)."""
    acc = Accuracy()
    sites: dict[str, Any] = truth["sites"]
    # ---- columns ----------------------------------------------------------------------------------------
    found_cols = {(r["site_id"], normalize(r["url"])): r for r in read_csv(out / "columns.csv")}
    want_cols = {(sid, c["url"]): c for sid, s in sites.items() for c in s["columns"]}
    _p, recall, _f = prf(set(found_cols), set(want_cols))
    acc.figures["column_inventory_recall"] = recall
    acc.figures["column_inventory_precision"] = _p
    for key in sorted(set(want_cols) - set(found_cols)):
        c = want_cols[key]
        acc.failures.append(f"column missed: {key[0]} {key[1]} [{c['pattern']}] truth={c['status']}")
    for key in sorted(set(found_cols) - set(want_cols)):
        acc.failures.append(f"column extra: {key[0]} {key[1]} found={found_cols[key]['status']}")
    bad = {"blank", "stale"}
    found_bad = {(k, r["status"]) for k, r in found_cols.items() if r["status"] in bad}
    want_bad = {(k, c["status"]) for k, c in want_cols.items() if c["status"] in bad}
    acc.figures["blank_stale_precision"], acc.figures["blank_stale_recall"], acc.figures["blank_stale_f1"] = prf(
        found_bad, want_bad
    )
    dated = [k for k, c in want_cols.items() if c["newest_date"]]
    exact = [k for k in dated if k in found_cols and found_cols[k]["newest_date"] == want_cols[k]["newest_date"]]
    acc.figures["newest_date_exact"] = len(exact) / len(dated) if dated else 1.0
    listed = [k for k, c in want_cols.items() if c["status"] in {"ok", "stale"} and k in found_cols]
    same_count = [k for k in listed if str(found_cols[k]["items"]) == str(want_cols[k]["items"])]
    acc.figures["column_items_exact"] = len(same_count) / len(listed) if listed else 1.0  # split lists, pagers
    status_ok = [k for k in want_cols if k in found_cols and found_cols[k]["status"] == want_cols[k]["status"]]
    acc.figures["column_status_exact"] = len(status_ok) / len(want_cols) if want_cols else 1.0
    for key in sorted(want_cols):
        if key not in found_cols:
            continue
        c, r = want_cols[key], found_cols[key]
        diffs = [f"{f} {r[f]!r} vs {c[f]!r}" for f in ("status", "newest_date", "category") if str(r[f]) != str(c[f])]
        if r["status"] in {"ok", "stale"} and str(r["items"]) != str(c["items"]):
            diffs.append(f"items {r['items']} vs {c['items']}")
        if diffs:
            acc.failures.append(f"column wrong: {key[0]} {key[1]} [{c['pattern']}] found vs truth: {'; '.join(diffs)}")
    # ---- broken links -----------------------------------------------------------------------------------
    want_broken = {(sid, u) for sid, s in sites.items() for u in s["broken"]}
    if broken_found is None:
        broken_found = {
            (r["site_id"], normalize(r["url"])) for r in read_csv(out / "links.csv") if r["broken"] == "true"
        }
    (acc.figures["broken_link_precision"], acc.figures["broken_link_recall"], _f) = prf(broken_found, want_broken)
    for sid, url in sorted(want_broken - broken_found):
        acc.failures.append(f"broken link missed: {sid} {url} [{link_pattern(url)}]")
    for sid, url in sorted(broken_found - want_broken):
        acc.failures.append(f"broken link false alarm: {sid} {url} [{link_pattern(url)}]")
    # ---- home availability and typos --------------------------------------------------------------------
    metrics = {r["site_id"]: r for r in read_csv(out / "metrics.csv")}
    agree = [
        sid
        for sid, s in sites.items()
        if sid in metrics and (metrics[sid]["home_available"] == "true") == s["home_available"]
    ]
    acc.figures["home_availability_agreement"] = len(agree) / len(sites) if sites else 1.0
    for sid in sorted(set(sites) - set(agree)):
        acc.failures.append(f"home availability wrong: {sid} truth={sites[sid]['home_available']}")
    typo_rows = [r for r in read_csv(out / "typos.csv") if r.get("severity", "serious") == "serious"]
    found_typos = {(r["site_id"], normalize(r["url"]), r["wrong"]) for r in typo_rows}
    want_typos = {(sid, normalize(t["url"]), t["wrong"]) for sid, s in sites.items() for t in s["typos"]}
    acc.figures["typo_precision"], acc.figures["typo_recall"], _f = prf(found_typos, want_typos)
    for t in sorted(want_typos - found_typos):
        acc.failures.append(f"typo missed: {t}")
    for t in sorted(found_typos - want_typos):
        acc.failures.append(f"typo false alarm: {t}")
    acc.counts = {
        "truth_columns": len(want_cols),
        "found_columns": len(found_cols),
        "truth_broken": len(want_broken),
        "found_broken": len(broken_found),
        "truth_typos": len(want_typos),
        "found_typos": len(found_typos),
    }
    return acc
