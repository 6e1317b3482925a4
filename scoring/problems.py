"""The problem list (问题清单): per site, the problems the notice names, in the notice's words.

One row per site and problem (``PROBLEM_COLUMNS``), from the scored metrics and the office's thresholds
(``[problems]`` of ``data/notice/notice.toml``):

- ``blank_over`` / ``stale_over``: more than ``columns_over`` blank / stale columns;
  ``columns_either``: neither alone but together more than ``columns_over``;
- ``links_over``: more than ``links_over`` broken links; ``links_some``: from ``links_named_min`` up to it;
- ``home_unreachable``: the home page judged unavailable (all probes failed: "3次抽查均不能访问首页");
- ``home_not_updated``, ``serious_typos``; ``untested``: in the registry but not crawled in this run;
- content security (``SECURITY_KINDS``, the risks.csv kinds: ``privacy_id_number`` …): one row per site and kind
  with the count of its findings ("泄露公民身份证号码3处"; never the number itself), right after
  ``home_unreachable`` (a personal-data leak is a 单项否决-level risk);
- ``checks_failed``: the site's failed checks of the 2019 indicators by their Chinese names
  ("网站功能检查未通过：网站标识码、我为政府网站找错");
- the function problems (``FUNCTION_KINDS``, the notice's "网站功能缺失、实用性不高"): ``key_areas_stale``
  (key-area columns not updated in their window, the areas named), ``key_areas_missing`` (only when
  ``name_missing_key_areas`` is set), ``guides_incomplete``, ``forms_broken`` and ``letters_overdue``
  (政务咨询 letters unanswered for more than 3 months).

Dismissed findings are not in the frames given (:func:`scoring.review.without_dismissed`), so they are never
listed. ``site_phrases`` joins a site's problems as the notice does: blank and stale both over the limit read
"1个月内未更新和空白栏目均超过5个".
"""

from __future__ import annotations

import pandas as pd

from govsites.sitechecks.result import CHECK_LABELS, CHECKS
from scoring import findings
from scoring.noticecfg import NoticeConfig
from scoring.vocabulary import (
    CHECKS_FAILED,
    CHECKS_FAILED_PHRASE,
    EVALUATED,
    PROBLEM_COLUMNS,
    SECURITY_PHRASES,
    UNTESTED,
)

#: Content-security problems: the risks.csv kinds in the notice's order, the leaks of personal data first.
SECURITY_KINDS = tuple(SECURITY_PHRASES)
#: The order of one site's problems in 问题清单.
KIND_ORDER = (
    "untested",
    "home_unreachable",
    *SECURITY_KINDS,
    "blank_over",
    "stale_over",
    "columns_either",
    "links_over",
    "links_some",
    "serious_typos",
    "home_not_updated",
    "key_areas_stale",
    "key_areas_missing",
    "guides_incomplete",
    "forms_broken",
    "letters_overdue",
    CHECKS_FAILED,
)
#: Problems of the notice's second paragraph (网站功能缺失、实用性不高), not of the named-sites sentence.
FUNCTION_KINDS = ("key_areas_stale", "key_areas_missing", "guides_incomplete", "forms_broken", "letters_overdue")
#: Problems of 问题清单 and the 整改通知 only: the notice's sentences do not name them.
LISTED_ONLY = (*SECURITY_KINDS, CHECKS_FAILED)
#: Order of the problems within one site's phrase (home page first, as the seed).
PHRASE_ORDER = (
    "home_unreachable",
    "columns_both",
    "columns_either",
    "blank_over",
    "stale_over",
    "links_over",
    "links_some",
    "serious_typos",
    "home_not_updated",
)
#: Order of the sites named in the notice by their main problem
#: (the seed: 药监局, 商务局…, 盐务局, 考试管理中心, 宁陕县).
NOTICE_ORDER = (
    "columns_both",
    "columns_either",
    "links_over",
    "links_some",
    "blank_over",
    "stale_over",
    "home_unreachable",
    "serious_typos",
    "home_not_updated",
)


def _int(value: object) -> int:
    return 0 if value is None or pd.isna(value) else int(value)  # type: ignore[call-overload]


def _function_problems(
    row: pd.Series, config: NoticeConfig, areas: dict[str, list[str]]
) -> list[tuple[str, int | None, str]]:
    """Key areas, guides, forms and letters of one evaluated site (``areas``: status → area labels)."""
    out: list[tuple[str, int | None, str]] = []
    kinds = ["stale", "missing"] if config.name_missing_key_areas else ["stale"]
    for status in kinds:
        labels = areas.get(status, [])
        if labels:
            key = f"key_areas_{status}"
            out.append((key, len(labels), config.phrase(key, areas="、".join(labels), n=len(labels))))
    for kind, metric in (
        ("guides_incomplete", "guides_incomplete"),
        ("forms_broken", "forms_broken"),
        ("letters_overdue", "unanswered_90d"),
    ):
        n = _int(row.get(metric))
        if n:
            out.append((kind, n, config.phrase(kind, n=n)))
    return out


def home_never_opened(row: pd.Series) -> bool:
    """The home page never answered in this run: every probe failed (without probes: the crawl's own fetch of
    it failed). Its missing date says nothing about the site: the notice says 首页无法访问 instead."""
    probes, failures = _int(row.get("home_probes")), _int(row.get("home_failures"))
    return failures == probes if probes else row.get("home_unavailable") is True


def _site_problems(row: pd.Series, config: NoticeConfig) -> list[tuple[str, int | None, str]]:
    """(kind, count, text) for one site."""
    if row["evaluation"] == UNTESTED:
        return [("untested", None, config.phrase("untested"))]
    if row["evaluation"] != EVALUATED:
        return []
    out: list[tuple[str, int | None, str]] = []
    limit_cols, limit_links = config.columns_over, config.links_over
    probes, failures = _int(row["home_probes"]), _int(row["home_failures"])
    if row["home_unavailable"] is True:
        if probes and failures == probes:
            text = config.phrase("home_all_failed", probes=probes, failures=failures)
        elif probes:
            text = config.phrase("home_some_failed", probes=probes, failures=failures)
        else:
            text = config.phrase("home_unreachable")
        out.append(("home_unreachable", failures, text))
    blank, stale = _int(row["blank_columns"]), _int(row["stale_columns"])
    if blank > limit_cols:
        out.append(("blank_over", blank, config.phrase("blank_over", limit=limit_cols, n=blank)))
    if stale > limit_cols:
        out.append(("stale_over", stale, config.phrase("stale_over", limit=limit_cols, n=stale)))
    if blank <= limit_cols and stale <= limit_cols and blank + stale > limit_cols:
        n = blank + stale
        out.append(("columns_either", n, config.phrase("columns_either", limit=limit_cols, n=n)))
    broken = _int(row["broken_links"])
    if broken > limit_links:
        out.append(("links_over", broken, config.phrase("links_over", limit=limit_links, n=broken)))
    elif broken >= max(config.links_named_min, 1):
        out.append(("links_some", broken, config.phrase("links_some", limit=limit_links, n=broken)))
    typos = _int(row["serious_typos"])
    if typos:
        out.append(("serious_typos", typos, config.phrase("serious_typos", n=typos)))
    if row["home_updated"] is False:
        days = row["home_days_since_update"]
        if pd.isna(days) and home_never_opened(row):
            if row["home_unavailable"] is not True:  # said once: "首页无法访问", never "无可识别的更新日期"
                out.append(("home_unreachable", failures, config.phrase("home_unreachable")))
        elif pd.isna(days):
            out.append(("home_not_updated", None, config.phrase("home_undated")))
        else:
            out.append(("home_not_updated", int(days), config.phrase("home_not_updated", days=int(days))))
    return out


def _area_labels(key_areas: pd.DataFrame | None) -> dict[str, dict[str, list[str]]]:
    """site_id → status → area labels (in the rubric's order)."""
    out: dict[str, dict[str, list[str]]] = {}
    if key_areas is None:
        return out
    for sid, status, label in zip(key_areas["site_id"], key_areas["status"], key_areas["label"], strict=True):
        out.setdefault(sid, {}).setdefault(status, []).append(label)
    return out


#: A site's findings for 问题清单 beyond its metrics: site_id → (kind, count, text) rows.
SiteFindings = dict[str, list[tuple[str, int | None, str]]]


def security_phrase(kind: str, n: int) -> str:
    """泄露公民身份证号码3处: the notice's words for ``n`` findings of a content-security kind."""
    phrase, unit = SECURITY_PHRASES[kind]
    return f"{phrase}{n}{unit}"


def security_problems(risks: pd.DataFrame | None) -> SiteFindings:
    """One problem per site and content-security kind, with the count of its findings (risks.csv rows)."""
    out: SiteFindings = {}
    if risks is None or risks.empty:
        return out
    counted = risks.loc[risks["kind"].isin(SECURITY_KINDS)].groupby(["site_id", "kind"], sort=False).size()
    for (sid, kind), n in counted.items():
        out.setdefault(str(sid), []).append((str(kind), int(n), security_phrase(str(kind), int(n))))
    return out


def failed_check_labels(site_checks: pd.DataFrame) -> pd.DataFrame:
    """The failed checks (:func:`scoring.findings.failed_checks`) as (site_id, check, label), in check order."""
    order = {check: i for i, check in enumerate(CHECKS)}
    failed = site_checks.assign(check=findings.check_names(site_checks)).loc[findings.failed_checks(site_checks)]
    return (
        failed.assign(label=failed["check"].map(CHECK_LABELS), order=failed["check"].map(order))
        .sort_values(["site_id", "order"], kind="stable")
        .loc[:, ["site_id", "check", "label"]]
    )


def check_problems(site_checks: pd.DataFrame | None) -> SiteFindings:
    """One problem per site with failed checks: their Chinese names."""
    if site_checks is None or site_checks.empty:
        return {}
    failed = failed_check_labels(site_checks)
    return {
        str(sid): [(CHECKS_FAILED, len(site), CHECKS_FAILED_PHRASE.format(checks="、".join(site["label"])))]
        for sid, site in failed.groupby("site_id", sort=False)
    }


def _all_problems(
    row: pd.Series, config: NoticeConfig, areas: dict[str, dict[str, list[str]]], extra: SiteFindings
) -> list[tuple[str, int | None, str]]:
    found = _site_problems(row, config)
    if row["evaluation"] == EVALUATED:
        found += _function_problems(row, config, areas.get(row["site_id"], {}))
        found += extra.get(row["site_id"], [])
    return sorted(found, key=lambda problem: KIND_ORDER.index(problem[0]))


def problem_list(
    metrics: pd.DataFrame,
    short_names: pd.Series,
    config: NoticeConfig,
    key_areas: pd.DataFrame | None = None,
    *,
    risks: pd.DataFrame | None = None,
    site_checks: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """问题清单 rows for every registry site with a problem, in registry order (``key_areas``: key_areas.csv
    rows, naming the areas of the key-area problems; ``risks`` and ``site_checks``: the run's content-security
    findings and site checks, the dismissed ones left out)."""
    areas = _area_labels(key_areas)
    extra: SiteFindings = {}
    for sid, found in [*security_problems(risks).items(), *check_problems(site_checks).items()]:
        extra.setdefault(sid, []).extend(found)
    rows = [
        {
            "site_id": row["site_id"],
            "name": row["name"],
            "short_name": short_names.get(row["site_id"], row["name"]),
            "group": row["group"],
            "kind": kind,
            "count": count,
            "text": text,
        }
        for _, row in metrics.iterrows()
        for kind, count, text in _all_problems(row, config, areas, extra)
    ]
    return pd.DataFrame(rows, columns=list(PROBLEM_COLUMNS)).astype(
        {"count": "Int64", **{c: "str" for c in PROBLEM_COLUMNS if c != "count"}}
    )


def site_phrases(problems: pd.DataFrame, config: NoticeConfig) -> pd.DataFrame:
    """One row per site named in the notice (site_id, short_name, group, problems, rank, phrase), most
    serious first: sites with more problems, then by ``NOTICE_ORDER`` of their main problem (the seed's order).

    Untested sites are not named (that is the tool's gap, not the site's). Blank and stale columns both over
    the limit merge into one phrase (``columns_both``).
    """
    named = problems.loc[~problems["kind"].isin(["untested", *FUNCTION_KINDS, *LISTED_ONLY])]
    rows = []
    for sid, site in named.groupby("site_id", sort=False):
        kinds = dict(zip(site["kind"], site["text"], strict=True))
        if "blank_over" in kinds and "stale_over" in kinds:
            del kinds["blank_over"], kinds["stale_over"]
            kinds["columns_both"] = config.phrase("columns_both", limit=config.columns_over)
        in_site = sorted(kinds, key=PHRASE_ORDER.index)
        rows.append(
            {
                "site_id": sid,
                "short_name": site["short_name"].iloc[0],
                "group": site["group"].iloc[0],
                "problems": len(kinds),
                "rank": min(NOTICE_ORDER.index(k) for k in kinds),
                "phrase": "，".join(kinds[k] for k in in_site),
            }
        )
    frame = pd.DataFrame(rows, columns=["site_id", "short_name", "group", "problems", "rank", "phrase"])
    return frame.sort_values(["problems", "rank"], ascending=[False, True], kind="stable").reset_index(drop=True)
