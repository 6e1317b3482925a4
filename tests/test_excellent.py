"""优秀网站: at most N per group, the documented tie-break, a tie across the N-th place named as such; and
the links the address policy skipped, counted as 未检测."""

from __future__ import annotations

import pandas as pd

from scoring.metrics import link_counts
from scoring.rubric import load_rubric, rank_sites, summarize
from scoring.vocabulary import EVALUATED, FAIL, PASS


def _sites(rows: list[dict[str, object]]) -> pd.DataFrame:
    """Scored county sites; the veto metrics are zero unless given (``near``: 3 stale key columns, below 5)."""
    rubric = load_rubric("census2015")
    metrics = {item.metric for item in rubric.active_veto}
    frame = pd.DataFrame(
        [
            {
                "site_id": r["id"],
                "name": f"{r['id']}县人民政府",
                "group": "county",
                "evaluation": EVALUATED,
                "verdict": r.get("verdict", PASS),
                "score": r["score"],
                "deductions": 100.0 - float(r["score"]) if r["score"] is not None else r.get("deductions", 0.0),
                "vetoed": r.get("verdict") == FAIL and r["score"] is None,
                "expert_score": r.get("expert"),
                "final_score": None,
                **dict.fromkeys(metrics, 0),
                "stale_key_columns": r.get("near", 0),
            }
            for r in rows
        ]
    )
    return frame.astype({"score": "Float64", "expert_score": "Float64", "final_score": "Float64"})


def test_at_most_n_and_tie_breaks() -> None:
    rubric = load_rubric("census2015")  # county: 3 excellent
    frame = _sites(
        [
            {"id": "a", "score": 99.0},
            {"id": "b", "score": 98.0, "near": 3},  # ties c on score, closer to a veto: after c
            {"id": "c", "score": 98.0},
            {"id": "d", "score": 98.0, "near": 3, "expert": 90.0},  # ties b; the expert score puts it before b
            {"id": "e", "score": None, "verdict": FAIL, "deductions": 1.0},  # vetoed: never excellent
        ]
    )
    ranked = rank_sites(frame, rubric).set_index("site_id")
    assert set(ranked.index[ranked["excellent"]]) == {"a", "c", "d"}
    assert not ranked["excellent_tie"].any()
    assert ranked.loc["e", "rank_in_group"] == 5  # vetoed: after every site with a score
    assert list(ranked.loc[["a", "b", "c", "d"], "rank_in_group"]) == [1, 2, 2, 2]  # the rank itself is the score's


def test_tie_at_the_boundary_names_fewer_and_says_so() -> None:
    rubric = load_rubric("census2015")
    frame = _sites(
        [
            {"id": "a", "score": 99.0},
            {"id": "b", "score": 98.0},
            {"id": "c", "score": 97.0},
            {"id": "d", "score": 97.0},  # c and d are equal on every tie-break: 3rd place is shared
        ]
    )
    ranked = rank_sites(frame, rubric)
    summary = summarize(ranked, rubric).set_index("group")
    excellent = ranked.loc[ranked["excellent"], "site_id"].tolist()
    assert sorted(excellent) == ["a", "b"]  # never more than 3
    assert summary.loc["county", "excellent"] == "a县人民政府、b县人民政府"
    assert summary.loc["county", "excellent_tie"] == "c县人民政府、d县人民政府"
    assert summary.loc["county", "mean_score"] == 97.8


def test_policy_skipped_links_are_unchecked_not_checked() -> None:
    """A link the address policy refused (private/intranet) is 未检测: in links_unchecked, not in links_checked."""
    checks = pd.DataFrame(
        {
            "site_id": ["a", "a", "a"],
            "url": ["http://10.0.0.5/oa", "http://a.gov.cn/x", "http://a.gov.cn/y"],
            "status": ["blocked_by_policy", "200", "404"],
            "broken": [0, 0, 1],
        }
    )
    links = checks.assign(on_home=False, broken=checks["broken"].astype(bool))
    never = pd.DataFrame({"site_id": ["a"], "url": ["http://a.gov.cn/z"], "status": ["unchecked"]})
    occurrences = pd.concat([links, never.assign(broken=False, on_home=False)], ignore_index=True)
    counts = link_counts(checks, occurrences).loc["a"]
    assert (counts["links_checked"], counts["links_unchecked"], counts["broken_links"]) == (2, 2, 1)
