"""Wrong political expressions (错敏表述) from an editable rule table, ``data/security/expressions.csv``.

A rule is a literal wrong form with its right form, a note and a severity; a rule may hold only within a date
range (a post someone held from or until a date), checked against the evaluation date; longer correct strings
that contain the wrong form are listed as exceptions. Where rules overlap the longest match wins. The loader
names file, line and field of a malformed row.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from govsites.paths import data_path
from govsites.security.findings import SEVERITIES, Finding

DEFAULT_EXPRESSIONS_FILE = data_path("security", "expressions.csv")
WRONG_EXPRESSION = "wrong_expression"
COLUMNS = ("wrong", "right", "note", "severity", "valid_from", "valid_to", "exceptions")
#: characters of context kept on each side of a finding
CONTEXT_CHARS = 12


@dataclass(frozen=True)
class ExpressionRule:
    """One row of the table."""

    wrong: str
    right: str
    note: str
    severity: str
    valid_from: date | None = None
    valid_to: date | None = None
    exceptions: tuple[str, ...] = ()

    def applies_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)


def _date(value: str, where: str, field: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{where}: field '{field}': expected YYYY-MM-DD, got {value!r}") from None


def _rule(fields: list[str], where: str) -> ExpressionRule:
    if len(fields) != len(COLUMNS):
        raise ValueError(f"{where}: expected {len(COLUMNS)} fields ({', '.join(COLUMNS)}), got {len(fields)}")
    values = dict(zip(COLUMNS, (f.strip() for f in fields), strict=True))
    for field in ("wrong", "right"):
        if not values[field]:
            raise ValueError(f"{where}: field '{field}' is empty")
    if values["severity"] not in SEVERITIES:
        raise ValueError(
            f"{where}: field 'severity': expected one of {', '.join(SEVERITIES)}, got {values['severity']!r}"
        )
    valid_from = _date(values["valid_from"], where, "valid_from")
    valid_to = _date(values["valid_to"], where, "valid_to")
    if valid_from and valid_to and valid_from > valid_to:
        raise ValueError(f"{where}: field 'valid_to': {valid_to} is before valid_from {valid_from}")
    exceptions = tuple(e.strip() for e in values["exceptions"].split("|") if e.strip())
    for exception in exceptions:
        if values["wrong"] not in exception:
            raise ValueError(f"{where}: field 'exceptions': {exception!r} does not contain {values['wrong']!r}")
    return ExpressionRule(
        values["wrong"], values["right"], values["note"], values["severity"], valid_from, valid_to, exceptions
    )


def load_rules(path: Path = DEFAULT_EXPRESSIONS_FILE) -> tuple[ExpressionRule, ...]:
    """The rules of ``path``; a malformed row raises ValueError naming file, line and field."""
    rules: list[ExpressionRule] = []
    header_seen = False
    with path.open(encoding="utf-8", newline="") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            fields = next(csv.reader([line.rstrip("\r\n")]))
            where = f"{path}:{number}"
            if not header_seen:
                if tuple(f.strip() for f in fields) != COLUMNS:
                    raise ValueError(f"{where}: expected the header {','.join(COLUMNS)}")
                header_seen = True
                continue
            rules.append(_rule(fields, where))
    if not header_seen:
        raise ValueError(f"{path}: no header line ({','.join(COLUMNS)})")
    return tuple(rules)


def _excepted(text: str, start: int, rule: ExpressionRule) -> bool:
    for exception in rule.exceptions:
        offset = exception.find(rule.wrong)
        while offset >= 0:
            begin = start - offset
            if begin >= 0 and text.startswith(exception, begin):
                return True
            offset = exception.find(rule.wrong, offset + 1)
    return False


def find_expressions(text: str, rules: tuple[ExpressionRule, ...], as_of: date) -> list[Finding]:
    """Wrong expressions in ``text`` for the evaluation date ``as_of``, in order, overlaps resolved longest-first."""
    hits: list[tuple[int, int, ExpressionRule]] = []
    for rule in rules:
        if not rule.applies_on(as_of):
            continue
        start = text.find(rule.wrong)
        while start >= 0:
            if not _excepted(text, start, rule):
                hits.append((start, start + len(rule.wrong), rule))
            start = text.find(rule.wrong, start + 1)
    hits.sort(key=lambda hit: (hit[0], -(hit[1] - hit[0])))
    findings: list[Finding] = []
    covered = 0
    for start, end, rule in hits:
        if start < covered:
            continue
        covered = end
        context = " ".join(text[max(0, start - CONTEXT_CHARS) : end + CONTEXT_CHARS].split())
        findings.append(
            Finding(
                kind=WRONG_EXPRESSION,
                evidence=f"“{rule.wrong}”应为“{rule.right}”（{rule.note}）",
                severity=rule.severity,
                context=context,
            )
        )
    return findings
