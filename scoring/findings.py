"""Finding identities: a stable ``finding_id`` for every problem an inspector may confirm or dismiss.

The detail CSVs carry it in a ``finding_id`` column (after their other columns). A finding is identified by
what it is about, never by row numbers or crawl order: ``(site_id, kind, key)``,
the same triple 整改跟踪 compares runs by (:mod:`scoring.history`):

=====================  =====================================  ==========================================
kind                   key                                    rows that carry the id
=====================  =====================================  ==========================================
``blank_column``       the column URL                         columns.csv (status ``blank``)
``stale_column``       the column URL                         columns.csv (status ``stale``)
``broken_link``        the broken URL                         links.csv: every occurrence of that URL
``serious_typo``       ``<page URL>|<wrong form>``            typos.csv (severity ``serious``)
``general_typo``       ``<page URL>|<wrong form>``            typos.csv (severity ``general``)
``letter_overdue``     the letter URL                         interaction.csv (``overdue``)
``guide_incomplete``   the guide URL                          services.csv (``incomplete``)
``home_unavailable``   ``home``                               problems.csv / history.csv
``home_not_updated``   ``home``                               problems.csv
``no_consultation_…``  ``site``                               (a site without a consultation channel)
risks.csv kinds        ``<url>|<target>|<masked evidence>``   risks.csv (content security)
``failed_check``       the check name (``site_code`` …)       site_checks.csv (``missing`` / ``wrong``)
=====================  =====================================  ==========================================

A broken link is one finding per site and target: a wrong link in a shared footer shows on hundreds of pages and
is one decision for the inspector (its occurrences, the pages that link it, share the id). The id is
``<code>-<10 hex digits>``: a two-letter code of the kind (readable in a sheet) and the start of the SHA-1 of the
triple, so the same problem on the same page has the same id in every run, on every machine.
"""

from __future__ import annotations

import hashlib
import re

import pandas as pd

from scoring.vocabulary import COUNTED_CHECKS, FAILED_CHECK_STATUSES

#: kind → the two-letter code that starts its ids.
KIND_CODES = {
    "blank_column": "BC",
    "stale_column": "SC",
    "broken_link": "BL",
    "serious_typo": "ST",
    "general_typo": "GT",
    "letter_overdue": "LO",
    "guide_incomplete": "GI",
    "home_unavailable": "HU",
    "home_not_updated": "HN",
    "no_consultation_channel": "NC",
    # content security (risks.csv): one finding per kind, page, target and (masked) evidence
    "privacy_id_number": "PI",
    "privacy_mobile": "PM",
    "privacy_bank_card": "PB",
    "hidden_link": "HL",
    "bad_external_link": "BE",
    "closed_site_link": "CL",
    "wrong_expression": "WE",
    "tampering": "TP",
    "unreadable_attachment": "UA",
    "unrendered_home": "UH",
    # site checks of the 2019 indicators (site_checks.csv): one finding per site and counted check failed
    "failed_check": "FC",
}
#: Site-level findings: kind → the metrics flag that shows it (and the key of its id).
SITE_FLAGS = {
    "home_unavailable": "home_unavailable",
    "home_not_updated": "home_not_updated",
    "no_consultation_channel": "no_consultation_channel",
}
SITE_KEYS = {"home_unavailable": "home", "home_not_updated": "home", "no_consultation_channel": "site"}
#: problems.csv kinds that are one site-level finding.
PROBLEM_FINDINGS = {"home_unreachable": "home_unavailable", "home_not_updated": "home_not_updated"}
FINDING_ID = re.compile(r"^(?P<code>[A-Z]{2})-[0-9a-f]{10}$")
#: The typo kinds by the typo's severity.
TYPO_KINDS = {"serious": "serious_typo", "general": "general_typo"}
COLUMN_KINDS = {"blank": "blank_column", "stale": "stale_column"}


def finding_id(site_id: str, kind: str, key: str) -> str:
    """The stable id of one finding (see the module docstring)."""
    digest = hashlib.sha1(f"{site_id}\x1f{kind}\x1f{key}".encode(), usedforsecurity=False).hexdigest()
    return f"{KIND_CODES[kind]}-{digest[:10]}"


def is_finding_id(value: str) -> bool:
    match = FINDING_ID.match(value)
    return match is not None and match.group("code") in KIND_CODES.values()


def ids(site_ids: pd.Series, kinds: pd.Series, keys: pd.Series) -> pd.Series:
    """Ids row by row; ``""`` where the kind is missing (the row is not a finding)."""
    values = [
        finding_id(str(s), str(k), str(key)) if isinstance(k, str) and k else ""
        for s, k, key in zip(site_ids, kinds, keys, strict=True)
    ]
    return pd.Series(values, index=site_ids.index, dtype="str")


# -- the id of each detail table's rows ------------------------------------------------------------------
def column_ids(columns: pd.DataFrame) -> pd.Series:
    """columns.csv: blank and stale columns (``status``), keyed by the column URL."""
    return ids(columns["site_id"], columns["status"].map(COLUMN_KINDS), columns["url"])


def link_ids(links: pd.DataFrame) -> pd.Series:
    """links.csv: every occurrence of a broken URL carries the URL's finding id."""
    broken = links["broken"].astype("boolean").fillna(False).astype(bool)
    kinds = pd.Series("broken_link", index=links.index, dtype="str").where(broken)
    return ids(links["site_id"], kinds, links["url"])


def typo_keys(typos: pd.DataFrame) -> pd.Series:
    return typos["url"].astype("str") + "|" + typos["wrong"].astype("str")


def typo_ids(typos: pd.DataFrame) -> pd.Series:
    """typos.csv: serious and general typos, keyed by page and wrong form."""
    return ids(typos["site_id"], typos["severity"].map(TYPO_KINDS), typo_keys(typos))


def letter_ids(letters: pd.DataFrame) -> pd.Series:
    """interaction.csv: overdue letters, keyed by the letter URL."""
    overdue = letters["overdue"].astype("boolean").fillna(False).astype(bool)
    kinds = pd.Series("letter_overdue", index=letters.index, dtype="str").where(overdue)
    return ids(letters["site_id"], kinds, letters["url"])


def guide_ids(guides: pd.DataFrame) -> pd.Series:
    """services.csv: incomplete guides, keyed by the guide URL."""
    incomplete = guides["incomplete"].astype("boolean").fillna(False).astype(bool)
    kinds = pd.Series("guide_incomplete", index=guides.index, dtype="str").where(incomplete)
    return ids(guides["site_id"], kinds, guides["url"])


def history_ids(history: pd.DataFrame) -> pd.Series:
    """history.csv: the problem triple is the finding's."""
    return ids(history["site_id"], history["kind"], history["key"])


def site_finding_id(site_id: str, kind: str = "home_unavailable") -> str:
    """A site-level finding (首页无法访问, 首页长期未更新, 无政务咨询渠道)."""
    return finding_id(site_id, kind, SITE_KEYS[kind])


def problem_ids(problems: pd.DataFrame) -> pd.Series:
    """problems.csv: the rows that are one site-level finding."""
    kinds = problems["kind"].map(PROBLEM_FINDINGS)
    keys = kinds.map(SITE_KEYS).fillna("")
    return ids(problems["site_id"], kinds, keys)


def risk_keys(risks: pd.DataFrame) -> pd.Series:
    return risks["url"].astype("str") + "|" + risks["target"].astype("str") + "|" + risks["evidence"].astype("str")


def risk_ids(risks: pd.DataFrame) -> pd.Series:
    """risks.csv: every content-security finding (its evidence is already masked: the id never holds a number)."""
    kinds = risks["kind"].where(risks["kind"].isin(KIND_CODES.keys()))
    return ids(risks["site_id"], kinds, risk_keys(risks))


def check_names(checks: pd.DataFrame) -> pd.Series:
    """The check of each row: site_checks.csv's ``check`` or the store's ``check_name``."""
    return checks["check"] if "check" in checks else checks["check_name"]


def failed_checks(checks: pd.DataFrame) -> pd.Series:
    """True for a counted check that is missing or wrong (informational checks, https and ipv6, never fail;
    ok / not_applicable / error are not failures)."""
    return checks["status"].isin(FAILED_CHECK_STATUSES) & check_names(checks).isin(COUNTED_CHECKS)


def check_ids(checks: pd.DataFrame) -> pd.Series:
    """site_checks.csv or the store's rows: every failed check (:func:`failed_checks`), keyed by its name."""
    kinds = pd.Series("failed_check", index=checks.index, dtype="str").where(failed_checks(checks))
    return ids(checks["site_id"], kinds, check_names(checks))


#: table key of :attr:`scoring.evaluation.Evaluation.tables` → how its rows get their ids.
ID_RULES = {
    "columns": column_ids,
    "links": link_ids,
    "typos": typo_ids,
    "interaction": letter_ids,
    "services": guide_ids,
    "history": history_ids,
    "problems": problem_ids,
    "risks": risk_ids,
    "site_checks": check_ids,
}


def with_ids(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The tables with a ``finding_id`` column (the last; ``""`` on rows that are not findings)."""
    out = dict(tables)
    for key, rule in ID_RULES.items():
        frame = tables.get(key)
        if frame is not None:
            out[key] = frame.assign(finding_id=rule(frame) if len(frame) else pd.Series(dtype="str"))
    return out
