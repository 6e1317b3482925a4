"""The one finding type every security detector returns, and its severities."""

from __future__ import annotations

from dataclasses import dataclass

#: a 单项否决 finding (安全、泄密事故等严重问题 of the 2019 indicators)
VETO = "veto"
#: a serious problem named in the notice, not a veto on its own
SERIOUS = "serious"
#: worth a look (an unreadable attachment, a new script host)
NOTICE = "notice"
SEVERITIES = (VETO, SERIOUS, NOTICE)


@dataclass(frozen=True, kw_only=True)
class Finding:
    """One content-security finding of a page, attachment or link.

    ``kind`` is one of the issue's kinds (``privacy_id_number``, ``hidden_link``, ``wrong_expression`` …);
    ``evidence`` is short Chinese text naming what was found (masked for personal data); ``target`` the link
    target for link kinds; ``context`` a short (masked) snippet around the finding. The page URL, the linking
    page and the site are added by the caller when it writes ``risks.csv``.
    """

    kind: str
    evidence: str
    severity: str
    target: str = ""
    context: str = ""

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"unknown severity {self.severity!r} (expected one of {', '.join(SEVERITIES)})")
